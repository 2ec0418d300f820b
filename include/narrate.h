/*
 * narrate.h - one sentence on what just happened at a stop, in the words
 * of the lecture notes, in English or Korean (written for a Korean reader,
 * not translated word for word):
 *   "malloc(500) split the free 2,016-byte chunk at 0x...: 512 bytes in
 *    use, 1,504 stay free"
 *   "malloc(500): 0x...의 2,016바이트 빈 청크를 분할했습니다. 512바이트는
 *    사용 중, 1,504바이트는 빈 청크로 남습니다"
 * From the snapshot only: the event, the heap and its changes against the
 * previous stop (s->heap_prev), the frames (a call pushed, a return
 * popped), the regions (brk grew, a new mapping).  What the snapshot does
 * not show is not said: without a heap (s->heap NULL) no chunk is named,
 * an event it cannot explain is stated plainly.  A stop with diagnostics
 * (s->diags) says the bugs first, one sentence each (narrate_diag); a
 * free reported at its entry (ev.at_entry) says that free has not run
 * yet.  The sentence is valid
 * UTF-8 (bytes from the program that are not are written as '?') and has
 * no newline.
 */
#ifndef MEMVIZ_NARRATE_H
#define MEMVIZ_NARRATE_H

#include "snapshot.h"
#include "ui.h"
#include "util.h"

struct ui_prev;                   /* ui_draw.h */

/* Append the sentence for s to out (no newline).  Addresses are printed
 * by addr (NULL: plain 0x hex), so the UI's --relative applies. */
typedef void (*narrate_addr_fn)(void *ctx, uint64_t addr, char *buf, size_t n);
void narrate(const struct snapshot *s, enum ui_lang lang, narrate_addr_fn addr, void *ctx,
	     struct strbuf *out);

/* The same with what the UI remembers of the previous stop: with prev, a
 * return says how big the popped frame was and a brk how far it moved. */
struct narrate_opts {
	enum ui_lang lang;
	narrate_addr_fn addr;     /* NULL: 0x hex */
	void *ctx;
	const struct ui_prev *prev;     /* NULL: not known */
};
void narrate_ex(const struct snapshot *s, const struct narrate_opts *o, struct strbuf *out);

/* The event itself in a few words, for the head of a log line, addresses
 * through o->addr: "malloc(500) = 0x55d0c2a4b2c0", "free(heap+0x2c0)",
 * "call outer", "return recurse = 6", "line stack_frames.c:42",
 * "SIGSEGV at 0x0", "exit 0".  Language-neutral (o->lang is not used). */
void narrate_event(const struct snapshot *s, const struct narrate_opts *o, struct strbuf *out);

/* One sentence on one bug (a diagnostic of s): what went wrong, where,
 * in the words of the notes.  narrate_ex says it (before the event's own
 * sentence) for every stop that has diagnostics. */
struct diag;                      /* diagnose.h */
void narrate_diag(const struct snapshot *s, const struct diag *d, const struct narrate_opts *o,
		  struct strbuf *out);

#endif
