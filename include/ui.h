/*
 * ui.h - the terminal UI: the session's view when memviz runs on a
 * terminal.  main hands it one snapshot per stop; it draws the status
 * line, the address-space, stack and heap panes, the events/narration
 * strip and the key line, then waits for a key (or the autoplay timer) and
 * says what the session should do next.  It never calls ptrace: memory it
 * shows beyond the snapshot (the detail hexdump, who points at a chunk)
 * comes through the mem_reader main gives it.
 *
 * Curses is closed (ui_close) before any message is printed and before
 * memviz exits, on every path: ui_open registers ui_close with atexit and
 * with util_set_fatal_hook.
 */
#ifndef MEMVIZ_UI_H
#define MEMVIZ_UI_H

#include <stdbool.h>
#include <stdio.h>

#include "snapshot.h"
#include "util.h"

enum ui_lang { UI_LANG_EN, UI_LANG_KO };

struct ui_opts {
	const char *program;      /* shown in the status line */
	bool launched;            /* q asks: let it run on, or kill it */
	double play_rate;         /* --play RATE stops/s; 0: start paused */
	bool relative;            /* --relative addresses */
	enum ui_lang lang;        /* --lang */
	FILE *record;             /* --record: asciicast v2 output, or NULL */
	const struct mem_reader *mem;   /* the tracee's memory (detail, refs) */
	/* > 0: a read fd on the file the launched program writes its stdout
	 * and stderr to; its new lines appear in the events strip as
	 * "program: ..." (0: none) */
	int prog_out;
	/* > 0: memviz's own stderr, put back on fd 2 by ui_close (fd 2 goes
	 * to the program's output file meanwhile, so no stray message
	 * scribbles over the screen; 0: fd 2 left alone) */
	int stderr_fd;
	/* not NULL: curses draws on screen_out and reads screen_in instead
	 * of the terminal, which then need not be one (the benchmark) */
	FILE *screen_out, *screen_in;
};

enum ui_action {
	UI_NEXT,                  /* run to the next stop */
	UI_CONTINUE,              /* run to the next --break stop (c) */
	UI_DETACH,                /* q: detach, the program runs on */
	UI_KILL,                  /* q on a launched program, "kill" chosen */
};

struct ui;

/* Take over the terminal (stdin/stdout must be a tty, unless o->screen_out).  NULL with *cause
 * if it cannot (no terminal, unknown TERM). */
struct ui *ui_open(const struct ui_opts *o, char **cause);
/* Restore the terminal; safe to call twice and from a fatal path. */
void ui_close(struct ui *u);
/* Show this stop and wait for what to do.  The snapshot stays valid
 * until the next call.  A finished program (EV_EXIT) is shown until q. */
enum ui_action ui_stop(struct ui *u, const struct snapshot *s);
/* Draw s as ui_stop does, without waiting for a key (the benchmark). */
void ui_redraw(struct ui *u, const struct snapshot *s);
/* Show a one-line message (e.g. "program exited with status 0") in the
 * log strip; drawn at the next ui_stop. */
void ui_message(struct ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* From a signal handler (SIGINT): the waiting ui_stop returns UI_DETACH
 * within 100 ms.  Async-signal-safe. */
void ui_interrupt(void);

#endif
