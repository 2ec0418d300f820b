/*
 * ui_refs.h - who points at a chunk: the pointer variables of every frame
 * of every thread and the globals, and the 8-byte-aligned words inside the
 * other in-use heap blocks and in the executable's .data/.bss, whose value
 * falls in [lo, hi).  For the heap pane's "pointed at by".
 *
 * The words are read through a mem_reader once per stop (cached by the
 * snapshot's pid and seq, at most UI_REFS_SCAN_MAX bytes: past that the
 * scan is cut and ui_refs_truncated says so); the variables come from the
 * snapshot.  Never calls ptrace itself.
 */
#ifndef MEMVIZ_UI_REFS_H
#define MEMVIZ_UI_REFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "util.h"

#define UI_REFS_SCAN_MAX (64u << 20)    /* bytes read per stop, at most */

enum ui_ref_kind {
	UREF_VAR,                 /* a pointer variable of a frame */
	UREF_GLOBAL,              /* a global pointer variable, or a word in .data/.bss */
	UREF_HEAP,                /* a word inside another in-use heap block */
};

struct ui_ref {
	enum ui_ref_kind kind;
	uint64_t addr;            /* where the pointer is stored; 0: in a register */
	uint64_t value;           /* the pointer */
	char text[96];            /* "recurse: p (frame #3, thread 1234)",
				     "block 0x5555555592c0+0x8 (make_node)",
				     "g_list (.data)", "g_s+0x8 (.bss)" */
};

/* The per-stop memory cache. */
struct ui_refs;
struct ui_refs *ui_refs_new(void);
void ui_refs_free(struct ui_refs *rf);
/* Lower the scan cap (tests); 0 restores UI_REFS_SCAN_MAX.  Drops the cache. */
void ui_refs_set_cap(struct ui_refs *rf, size_t bytes);

/* Who points into [lo, hi): writes at most max refs to out (variables
 * first, innermost frame first; then globals and .data/.bss words; then
 * heap words in address order) and returns how many there are in all
 * (may be more than max).  Words of the chunk [lo, hi) itself are not
 * counted.  mem NULL: variables only. */
size_t ui_refs_find(struct ui_refs *rf, const struct snapshot *s, const struct mem_reader *mem,
		    uint64_t lo, uint64_t hi, struct ui_ref *out, size_t max);
/* The last find could not read everything it meant to (cap reached). */
bool ui_refs_truncated(const struct ui_refs *rf);

/* The heap pane's caches (this module's and ui_heap.c's): ui.c may call
 * it when it closes; harmless if never called (they stay reachable). */
void ui_heap_free(void);

#endif
