/*
 * ui_log.c - the events strip: the last lines of the session's log (each
 * stop's event with its narration, the program's output, memviz's own
 * messages, the story's chapter headings, the bugs found), oldest at the
 * top, newest at the bottom, as a terminal scrolls:
 *
 *   ┌ Events · 3. the heap: blocks of different sizes ────────────────────┐
 *   │ 3. the heap: blocks of different sizes ──────────────────────────── │
 *   │ #13 free(0x..2a0)             → free(0x..2a0) put its 32-byte chunk …│
 *   │ ⚠ double_free 0x..2a0 at main (bugs.c:42): free(0x..2a0): the block …│
 *   └──────────────────────────────────────────────────────────────────────┘
 *
 * The items are the lines.  st->sel < 0 follows the newest line (ui.c sets
 * it so when a line arrives and the strip is not focused); a selected
 * line is kept in view, st->scroll being the first line shown.  The
 * newest line is marked (UR_CHANGED); the program's output is dim,
 * memviz's messages and the bugs stand out (UR_ERROR), a chapter heading
 * is bold with a rule after it, and the title says which chapter the
 * story is in.  A line wider than the strip is cut at its right edge (the
 * whole of it is in Enter's detail, the recording and the --text view).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "ui_draw.h"

/* How a line is drawn, from what it is. */
static enum ui_role line_role(const struct ui_line *l, bool newest)
{
	switch (l->kind) {
	case UL_OUTPUT:
		return UR_DIM;
	case UL_MEMVIZ:
	case UL_BUG:
		return UR_ERROR;
	case UL_CHAPTER:
		return UR_BOLD;
	default:
		return newest ? UR_CHANGED : UR_NORMAL;
	}
}

/* The title: "Events", the chapter, the position when scrolled back. */
static void log_title(char *buf, size_t n, const char *chapter, int first, int rows,
		      int total)
{
	int k = snprintf(buf, n, "Events");

	if (chapter && chapter[0])
		k += snprintf(buf + k, n - (size_t)k, " %s %s", ui_draw_utf8() ? "·" : "-",
			      chapter);
	/* where the view is, when it is not the newest lines */
	if (rows > 0 && first + rows < total && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, "%s%d-%d of %d", chapter && chapter[0] ?
			 "  " : " ", first + 1, first + rows, total);
}

/* A click on a line selects it. */
static void log_click(struct ui_pane_state *st, const struct ui_rect *in, int total)
{
	int y = st->click_y - in->y, x = st->click_x - in->x;

	if (st->click_y < 0)
		return;
	if (y >= 0 && y < in->h && x >= 0 && x < in->w && st->scroll + y < total)
		st->sel = st->scroll + y;
	st->click_y = st->click_x = -1;
}

/* First line shown: the last page when following, else the selection in
 * view; always within [0, total - rows]. */
static int log_first(const struct ui_pane_state *st, int rows, int total)
{
	int first = st->scroll;

	if (st->sel < 0)
		first = total - rows;
	else if (st->sel < first)
		first = st->sel;
	else if (st->sel >= first + rows)
		first = st->sel - rows + 1;
	if (first > total - rows)
		first = total - rows;
	return first < 0 ? 0 : first;
}

void ui_log_draw(const struct ui_rect *r, struct ui_pane_state *st, const struct ui_ctx *c,
		 const struct ui_line *lines, size_t n, const char *chapter)
{
	int total = lines ? (n > INT_MAX ? INT_MAX : (int)n) : 0;
	int rows = r->h - 2;      /* inside the box */
	char title[256];
	struct ui_rect in;

	st->nitems = total;
	if (st->sel >= total)
		st->sel = total - 1;
	if (rows > 0) {
		struct ui_rect inner = { r->y + 1, r->x + 1, rows, r->w - 2 };
		st->scroll = log_first(st, rows, total);
		log_click(st, &inner, total);
		st->scroll = log_first(st, rows, total);
	}
	log_title(title, sizeof title, chapter, st->scroll, rows, total);
	in = ui_box(r, title, c->focused);
	if (in.h <= 0 || in.w <= 0)
		return;
	if (total == 0) {
		ui_text(&in, 0, 1, UR_DIM, "(no events yet)");
		return;
	}
	for (int y = 0; y < in.h && st->scroll + y < total; y++) {
		int i = st->scroll + y;
		const char *s = lines[i].text ? lines[i].text : "";
		enum ui_role role = line_role(&lines[i], i == total - 1);
		int col;

		if (i == st->sel) {
			role = UR_SELECT;
			ui_fill(&in, y, 0, -1, role, NULL);
		}
		col = 1 + ui_text(&in, y, 1, role, s);
		if (lines[i].kind == UL_CHAPTER && col + 2 < in.w)   /* a heading's rule */
			ui_fill(&in, y, col + 1, in.w - col - 2, role == UR_SELECT ? role : UR_DIM,
				ui_glyph(UG_H));
	}
}
