/*
 * ui_draw.h - what the panes of the terminal UI share: a rectangle of the
 * screen to draw in, attributes by role (color where the terminal has it,
 * bold/reverse/dim where it does not or NO_COLOR is set), glyphs with an
 * ASCII fallback when the locale is not UTF-8, and the context a pane
 * draws from.  The panes (ui_space, ui_stack, ui_heap, ui_log) draw on
 * stdscr inside their rectangle and never outside it; ui.c lays them out,
 * owns the keys and the terminal.
 */
#ifndef MEMVIZ_UI_DRAW_H
#define MEMVIZ_UI_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnose.h"
#include "snapshot.h"
#include "ui.h"

struct ui_rect {
	int y, x, h, w;           /* top-left corner and size, in cells */
};

/* What a piece of text is; ui_draw maps each to an attribute once, from
 * the terminal's colors (256, 8, none) and NO_COLOR. */
enum ui_role {
	UR_NORMAL, UR_DIM, UR_BOLD,
	UR_TITLE, UR_TITLE_FOCUS,     /* pane titles; the focused pane's */
	UR_STATUS, UR_KEYS,           /* status line, key line */
	UR_SELECT,                    /* the selected row */
	UR_CHANGED,                   /* changed at this stop (shown one step) */
	UR_LINKED,                    /* what the selection points at / is pointed at by */
	UR_ERROR,                     /* fault address, corruption, dangling */
	/* heap chunk states */
	UR_INUSE, UR_FREE_TCACHE, UR_FREE_FAST, UR_FREE_BIN, UR_TOP, UR_MMAPPED, UR_CORRUPT,
	/* region kinds */
	UR_TEXT, UR_RODATA, UR_DATA, UR_BSS, UR_HEAP, UR_STACK, UR_MMAP, UR_LIB, UR_OTHER,
	UR_UNTOUCHED,                 /* pages not yet resident (demand paging) */
	/* stack slots */
	UR_RET, UR_SAVED, UR_PARAM, UR_LOCAL, UR_POINTER,
	UR_COUNT
};

/* Drawing characters: UTF-8 when the locale is, else ASCII. */
enum ui_glyph {
	UG_H, UG_V, UG_TL, UG_TR, UG_BL, UG_BR,     /* box: ─ │ ┌ ┐ └ ┘ or - | + */
	UG_FULL, UG_DARK, UG_MEDIUM, UG_LIGHT,      /* █ ▓ ▒ ░ or # % + . */
	UG_ARROW_R, UG_ARROW_L, UG_UP, UG_DOWN,     /* → ← ▲ ▼ or -> <- ^ v */
	UG_MARK,                                    /* ◄ or < (changed) */
	UG_GAP,                                     /* ·· or .. */
	UG_WARN,                                    /* ⚠ or !! (a bug) */
	UG_COUNT
};

/* Set up roles and glyphs for this terminal (after initscr). */
void ui_draw_init(bool utf8, bool color);
bool ui_draw_utf8(void);
const char *ui_glyph(enum ui_glyph g);
int ui_attr(enum ui_role r);      /* the curses attribute of a role */

/* Text at (row, col) of r, clipped to r's width (multibyte-aware: a UTF-8
 * string is cut at a character, by display width).  Returns the columns
 * written. */
int ui_text(const struct ui_rect *r, int row, int col, enum ui_role role, const char *s);
int ui_textf(const struct ui_rect *r, int row, int col, enum ui_role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Fill row `row` of r from col to the right edge with glyph/role. */
void ui_fill(const struct ui_rect *r, int row, int col, int n, enum ui_role role, const char *g);
/* A box around r with a title (role UR_TITLE or UR_TITLE_FOCUS); returns
 * the inside rectangle. */
struct ui_rect ui_box(const struct ui_rect *r, const char *title, bool focused);
/* Display width of a UTF-8 string (wcswidth, at most n bytes). */
int ui_width(const char *s);

/* Byte sizes as people read them: "512 B", "1.5 KiB", "2.6 MiB". */
void ui_size(char *buf, size_t n, uint64_t bytes);

/* What the previous stop looked like, for "just changed" marks. */
struct ui_prev_thread {
	pid_t tid;
	uint64_t *cfas;           /* frame CFAs, innermost first */
	size_t n;
	uint64_t sp;
};
struct ui_prev {
	bool valid;
	struct ui_prev_thread *threads;
	size_t nthreads;
	uint64_t heap_end;        /* end of [heap] (brk rounded up), 0 if none */
	uint64_t stack_start;     /* start of the main [stack] mapping */
};

/* A pane's own state, kept across stops. */
struct ui_pane_state {
	int scroll;               /* first row shown */
	int sel;                  /* selected item, -1 none */
	int nitems;               /* items the pane drew last (for keys) */
	int scale;                /* space: 0 proportional, 1 gaps compressed, 2 log */
	bool flip;                /* stack: innermost frame at the top (r) */
	int thread;               /* stack: index of the thread shown (t) */
	int click_y, click_x;     /* a mouse click inside the pane, -1 none */
};

/* What the selection points at, for the other panes to light up. */
struct ui_link {
	bool active;
	uint64_t lo, hi;          /* the address range selected or pointed at */
	char what[96];            /* "chunk 0x... (in use)", "frame #2 recurse" */
};

/* Everything a pane draws from. */
struct ui_ctx {
	const struct snapshot *snap;
	const struct ui_prev *prev;
	const struct ui_opts *o;
	struct ui_link *link;     /* the focused pane sets it, the others read it */
	bool focused;
};

/* An address as the user asked: "0x55d0c2a4b2c0", or with --relative
 * "heap+0x2a0", "stack-0x40", "main+0x1c", "libc.so.6+0x98930". */
void ui_addr(const struct ui_ctx *c, uint64_t addr, char *buf, size_t n);

/* Why a pane has nothing to show at s when the process is gone (exit,
 * detach): "the program has exited: its memory is gone"; else NULL. */
const char *ui_gone_reason(const struct snapshot *s);

/* The panes.  Each draws inside r (its box included) and updates st
 * (nitems; sel follows a click at click_y/x). */
void ui_space_draw(const struct ui_rect *r, struct ui_pane_state *st, const struct ui_ctx *c);
void ui_stack_draw(const struct ui_rect *r, struct ui_pane_state *st, const struct ui_ctx *c);
void ui_heap_draw(const struct ui_rect *r, struct ui_pane_state *st, const struct ui_ctx *c);
/* A line of the events strip, and what it is (how it is drawn). */
enum ui_line_kind {
	UL_STOP,                  /* "#14 malloc(500) = 0x...  → narration" */
	UL_OUTPUT,                /* "program: ..." what the program printed */
	UL_MEMVIZ,                /* "memviz: ..." memviz's own messages */
	UL_CHAPTER,               /* "3. the heap: ..." a "# N. title" line of
				     the program's, as a heading */
	UL_BUG,                   /* "⚠ double_free ...": a diagnostic */
};
struct ui_line {
	char *text;
	enum ui_line_kind kind;
	int bug;                  /* UL_BUG: the session's bug number, else -1 */
};

/* The events strip: the last events, newest at the bottom, each with its
 * narration; log lines are owned by ui.c.  chapter (NULL: none) is the
 * story's current chapter, shown in the strip's title. */
void ui_log_draw(const struct ui_rect *r, struct ui_pane_state *st, const struct ui_ctx *c,
		 const struct ui_line *lines, size_t n, const char *chapter);

/* ---- diagnostics (diagnose.h), as the panes mark them --------------------- */

/* A bit per enum diag_kind, for ui_diag_in's mask. */
#define UI_DIAG_BIT(k) (1u << (k))
/* The kinds whose address the heap pane marks (a chunk) ... */
#define UI_DIAG_HEAP (UI_DIAG_BIT(DG_DOUBLE_FREE) | UI_DIAG_BIT(DG_INVALID_FREE) | \
		      UI_DIAG_BIT(DG_HEADER_OVERWRITE) | UI_DIAG_BIT(DG_USE_AFTER_FREE) | \
		      UI_DIAG_BIT(DG_LEAK))
/* ... and the stack pane (a slot, a variable or what it points at). */
#define UI_DIAG_STACK (UI_DIAG_BIT(DG_STACK_SMASH) | UI_DIAG_BIT(DG_DANGLING_STACK_POINTER) | \
		       UI_DIAG_BIT(DG_UNINIT_READ))

/* "double_free": the kind's name as JSON writes it (diag_kind_name). */
const char *ui_diag_name(enum diag_kind k);
/* The first diagnostic of s whose kind is in mask and whose address lies
 * in [lo, hi), or NULL. */
const struct diag *ui_diag_in(const struct snapshot *s, uint64_t lo, uint64_t hi,
			      unsigned mask);

#endif
