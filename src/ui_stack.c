/*
 * ui_stack.c - the stack pane: one thread's frames as boxes, laid out the
 * way memory has them (the outermost frame on top, the innermost at the
 * bottom; st->flip turns the order round), each box as tall as its bytes
 * (cfa - sp, one row per 16 bytes, 1 to 12 rows, or more when its slots
 * need them) and its slots labelled by address, high first:
 *
 *   ┌ #3 recurse  64 B  stack_frames.c:94 ──────────────────┐
 *   │ 0x7ffd8d63a958  ret → recurse+0xea                     │
 *   │ 0x7ffd8d63a950  saved rbp = 0x7ffd8d63a990             │
 *   │ 0x7ffd8d63a948  below = 120                            │
 *   │ 0x7ffd8d63a938  here = 3                               │
 *   │ 0x7ffd8d63a92c  n = 1                                  │
 *   └────────────────────────────────────────────────────────┘
 *
 * A slot sits in the box at the row its offset from the cfa says (so the
 * gaps between slots show), pushed down when two share a row.  A callee's
 * arguments passed on the stack (the 7th and later) lie in the caller's
 * frame and are drawn there, as the lecture draws the argument build
 * area; variables in registers (or nowhere) are listed at the bottom of
 * their box.  Boxes over 12 rows are cut ("+N more") except the selected
 * one, so a 1,000-deep recursion is a list to scroll, not a page a frame.
 *
 * A bug of this stop (the snapshot's diagnostics) is red where it is: a
 * smashed return-address slot, a variable read before it was written, a
 * pointer variable into a popped frame, and the box that holds them; one
 * whose address is in no frame shown (a popped frame's slot, a dangling
 * pointer just returned) is a red line beside the innermost frame, where
 * the popped frames were.
 *
 * Items (st->sel, st->nitems) are the frames and the variables of every
 * box in display order; a frame's variables come after its title.  The
 * selection follows its frame (by cfa; the innermost frame stays selected
 * as frames come and go) across stops unless a key moved it.  Cost per
 * draw: one walk over every frame's variable count, then only the boxes in
 * view are laid out.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_draw.h"

#define BOX_CAP 12                /* content rows of a box not selected */
#define BOX_CAP_SEL 400           /* ... of the selected one */

enum sl_kind { SL_RET, SL_SAVED, SL_VAR, SL_CALLEE, SL_REG };

/* One line of a frame's box. */
struct sline {
	enum sl_kind kind;
	bool mem;                 /* placed by address (else at the bottom) */
	uint64_t addr;
	int reg;                  /* SL_SAVED: the DWARF register */
	const struct var_info *v;
	size_t owner;             /* the frame whose variable it is */
	int order;                /* tie-break for equal addresses */
	int row;                  /* content row, -1 if cut */
	int item;                 /* variable number in the box, -1 for ret/saved */
};

/* Per frame, from the pre-pass. */
struct fmeta {
	int lines, vars, rows;
};

/* Scratch kept across draws (one stack pane). */
static struct fmeta *meta;
static size_t meta_cap;
static struct sline *lines;
static size_t lines_cap;

struct kx {
	const struct ui_ctx *c;
	const struct thread_state *ts;
	const struct uw_frame *f;
	size_t n;
	bool flip;
	int iw;                   /* inside a box (between its borders) */
	int aw;                   /* address column */
	bool long_addr;
	size_t pushed, popped;    /* frames new since the previous stop, frames gone */
	bool link;                /* highlight what holds/points at link */
	const char *notes[2];
	char note_buf[96];
	int nnotes;
	char bug_note[160];       /* a bug no line shows ("" if none) */
	int sel_frame, sel_j;     /* selection: frame index, variable (-1: the frame) */
	int nitems;
};

static const struct var_list *vars_of(const struct kx *k, size_t i)
{
	return k->ts->vars && i < k->ts->vars_cap ? &k->ts->vars[i] : NULL;
}

static bool in_extent(const struct uw_frame *f, uint64_t a)
{
	return f->cfa > f->sp && a >= f->sp && a < f->cfa;
}

/* Which box shows variable v of frame i: its own, or (a stack argument
 * lying in the caller's frame) frame i+1's. */
static size_t var_home(const struct kx *k, size_t i, const struct var_info *v)
{
	if (v->has_addr && !in_extent(&k->f[i], v->addr) && i + 1 < k->n &&
	    in_extent(&k->f[i + 1], v->addr))
		return i + 1;
	return i;
}

static size_t frame_at(const struct kx *k, size_t pos)
{
	return k->flip ? pos : k->n - 1 - pos;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* ---- pre-pass: lines, variables and rows of every frame ----------------- */

static void count_lines(struct kx *k)
{
	util_grow((void **)&meta, &meta_cap, k->n, sizeof(*meta));
	for (size_t i = 0; i < k->n; i++) {
		meta[i].lines = (k->f[i].ret_addr != 0) + (int)k->f[i].nsaved;
		meta[i].vars = 0;
	}
	for (size_t i = 0; i < k->n; i++) {
		const struct var_list *vl = vars_of(k, i);
		for (size_t j = 0; vl && j < vl->n; j++) {
			size_t h = var_home(k, i, &vl->v[j]);
			meta[h].lines++;
			meta[h].vars++;
		}
	}
}

static int frame_rows(const struct kx *k, size_t i, bool expanded)
{
	const struct uw_frame *f = &k->f[i];
	uint64_t bytes = f->cfa > f->sp ? f->cfa - f->sp : 0;
	int base = bytes / 16 > BOX_CAP ? BOX_CAP : bytes / 16 < 1 ? 1 : (int)(bytes / 16);
	int cap = expanded ? BOX_CAP_SEL : BOX_CAP;
	int want = meta[i].lines < cap ? meta[i].lines : cap;

	return want > base ? want : base;
}

/* Display item index of (frame i, variable j). */
static int item_of(const struct kx *k, size_t i, int j)
{
	int it = 0;

	for (size_t p = 0; p < k->n; p++) {
		size_t fi = frame_at(k, p);
		if (fi == i)
			return it + 1 + (j >= 0 && j < meta[fi].vars ? j : -1);
		it += 1 + meta[fi].vars;
	}
	return -1;
}

/* Frame and variable of display item `item`. */
static void item_at(const struct kx *k, int item, int *fi, int *j)
{
	int it = 0;

	for (size_t p = 0; item >= 0 && p < k->n; p++) {
		size_t i = frame_at(k, p);
		if (item < it + 1 + meta[i].vars) {
			*fi = (int)i;
			*j = item - it - 1;
			return;
		}
		it += 1 + meta[i].vars;
	}
	*fi = 0;
	*j = -1;
}

/* ---- one box's lines ----------------------------------------------------- */

static void add_line(size_t *n, struct sline l)
{
	util_grow((void **)&lines, &lines_cap, *n + 1, sizeof(*lines));
	l.order = (int)*n;
	l.row = -1;
	l.item = -1;
	lines[(*n)++] = l;
}

static int cmp_line(const void *a, const void *b)
{
	const struct sline *x = a, *y = b;

	if (x->mem != y->mem)
		return x->mem ? -1 : 1;
	if (x->mem && x->addr != y->addr)
		return x->addr > y->addr ? -1 : 1;
	return x->order - y->order;
}

/* Build frame i's lines into `lines` and give each its row among rows
 * content rows; returns the line count. */
static size_t frame_lines(const struct kx *k, size_t i, int rows)
{
	const struct uw_frame *f = &k->f[i];
	const struct var_list *vl = vars_of(k, i);
	uint64_t bytes = f->cfa > f->sp ? f->cfa - f->sp : 0;
	size_t n = 0, nmem = 0;
	int prev = -1, item = 0;

	if (f->ret_addr)
		add_line(&n, (struct sline){ .kind = SL_RET, .mem = true, .addr = f->ret_slot });
	for (size_t s = 0; s < f->nsaved; s++)
		add_line(&n, (struct sline){ .kind = SL_SAVED, .mem = true, .addr = f->saved[s].slot,
					     .reg = f->saved[s].reg });
	for (size_t j = 0; vl && j < vl->n; j++) {
		const struct var_info *v = &vl->v[j];
		if (var_home(k, i, v) != i)
			continue;
		add_line(&n, (struct sline){ .kind = v->has_addr ? SL_VAR : SL_REG,
					     .mem = v->has_addr && in_extent(f, v->addr),
					     .addr = v->addr, .v = v, .owner = i });
	}
	vl = i > 0 ? vars_of(k, i - 1) : NULL;
	for (size_t j = 0; vl && j < vl->n; j++)
		if (var_home(k, i - 1, &vl->v[j]) == i)
			add_line(&n, (struct sline){ .kind = SL_CALLEE, .mem = true,
						     .addr = vl->v[j].addr, .v = &vl->v[j],
						     .owner = i - 1 });
	if (n)
		qsort(lines, n, sizeof(*lines), cmp_line);
	for (size_t l = 0; l < n; l++) {
		if (lines[l].v)
			lines[l].item = item++;
		nmem += lines[l].mem;
	}
	if ((int)n > rows) {                 /* cut: one after another, then "+N more" */
		for (size_t l = 0; l + 1 < (size_t)rows; l++)
			lines[l].row = (int)l;
		return n;
	}
	/* memory slots at their offset from the cfa, the rest at the bottom */
	int rm = rows - (int)(n - nmem);
	for (size_t l = 0; l < nmem; l++) {
		int row = prev + 1;
		if (bytes && in_extent(f, lines[l].addr)) {
			int ideal = (int)((f->cfa - 1 - lines[l].addr) * (uint64_t)rm / bytes);
			if (ideal > row)
				row = ideal;
		}
		if (row > rm - (int)(nmem - l))
			row = rm - (int)(nmem - l);
		lines[l].row = prev = row;
	}
	for (size_t l = nmem; l < n; l++)
		lines[l].row = rows - (int)(n - l);
	return n;
}

/* ---- bugs ------------------------------------------------------------------ */

#define BUG_SMASH UI_DIAG_BIT(DG_STACK_SMASH)
#define BUG_DANGLING UI_DIAG_BIT(DG_DANGLING_STACK_POINTER)
#define BUG_UNINIT UI_DIAG_BIT(DG_UNINIT_READ)

/* The bug of this stop on variable v: it points into a popped frame, or
 * was read before it was written; NULL if none. */
static const struct diag *var_bug(const struct kx *k, const struct var_info *v)
{
	const struct snapshot *s = k->c->snap;
	const struct diag *d = NULL;

	if (v && v->is_ptr && v->ptr)
		d = ui_diag_in(s, v->ptr, v->ptr + 1, BUG_DANGLING);
	if (!d && v && v->has_addr)
		d = ui_diag_in(s, v->addr, v->addr + (v->size ? v->size : 1), BUG_UNINIT);
	return d;
}

/* The bug on a line of a box: a smashed return slot, a variable's. */
static const struct diag *line_bug(const struct kx *k, const struct sline *l)
{
	if (l->kind == SL_RET)
		return ui_diag_in(k->c->snap, l->addr, l->addr + 8, BUG_SMASH);
	return l->v ? var_bug(k, l->v) : NULL;
}

/* Does frame i hold a bug of this stop (a slot in it, a variable of it)? */
static bool frame_bug(const struct kx *k, size_t i)
{
	const struct uw_frame *f = &k->f[i];
	const struct var_list *vl = vars_of(k, i);

	if (f->cfa > f->sp && ui_diag_in(k->c->snap, f->sp, f->cfa, BUG_SMASH | BUG_UNINIT))
		return true;
	for (size_t j = 0; vl && j < vl->n; j++)
		if (var_bug(k, &vl->v[j]))
			return true;
	return false;
}

/* Is bug d drawn on a line of some frame of the thread? */
static bool bug_shown(const struct kx *k, const struct diag *d)
{
	for (size_t i = 0; i < k->n; i++) {
		const struct var_list *vl = vars_of(k, i);
		if (d->kind != DG_DANGLING_STACK_POINTER && in_extent(&k->f[i], d->addr))
			return true;
		for (size_t j = 0; d->kind == DG_DANGLING_STACK_POINTER && vl && j < vl->n; j++)
			if (vl->v[j].is_ptr && vl->v[j].ptr == d->addr)
				return true;
	}
	return false;
}

/* ---- drawing --------------------------------------------------------------- */

static bool var_linked(const struct kx *k, const struct var_info *v)
{
	const struct ui_link *l = k->c->link;

	if (!k->link || !v)
		return false;
	if (v->is_ptr && v->ptr >= l->lo && v->ptr < (l->hi > l->lo ? l->hi : l->lo + 1))
		return true;                 /* points at it */
	return v->has_addr && l->lo >= v->addr && l->lo < v->addr + (v->size ? v->size : 1);
}

static bool dangling(const char *kind)
{
	return kind && (strcmp(kind, "heap_freed") == 0 || strcmp(kind, "stack_popped") == 0 ||
			strcmp(kind, "wild") == 0);
}

static const char *frame_fn(const struct uw_frame *f, char *buf, size_t n)
{
	if (f->signal_frame)
		return "<signal handler called>";
	if (f->loc.fn)
		return f->loc.fn;
	snprintf(buf, n, "0x%" PRIx64, f->pc);
	return buf;
}

/* The address column of a slot: the whole address when there is room,
 * else its last four digits. */
static void slot_addr(const struct kx *k, uint64_t a, char *buf, size_t n)
{
	char full[64];
	size_t len;

	ui_addr(k->c, a, full, sizeof full);
	len = strlen(full);
	if (k->long_addr || len <= (size_t)k->aw)
		snprintf(buf, n, "%s", full);
	else if (strncmp(full, "stack-", 6) == 0)  /* --relative: "-0x280" says it all */
		snprintf(buf, n, "%s", full + 5);
	else
		snprintf(buf, n, "..%s", full + len - 4);
}

/* "name = value → points_to" from col; returns nothing, clips to r. */
static void draw_var(const struct kx *k, const struct sline *l, const struct ui_rect *r,
		     int row, int col, enum ui_role over)
{
	const struct var_info *v = l->v;
	enum ui_role role = over != UR_NORMAL ? over : v->kind == DWV_PARAM ? UR_PARAM : UR_LOCAL;
	const char *value = v->value ? v->value : "?";
	struct ui_rect vr = *r;
	char fn[32];

	col += ui_textf(r, row, col, role, "%s = ", v->name ? v->name : "?");
	if (v->points_to) {                  /* leave room for where it points */
		int cap = (r->w - col) / 2;
		if (cap < 14)
			cap = 14;
		if (col + cap < vr.w)
			vr.w = col + cap;
	}
	col += ui_text(&vr, row, col, strncmp(value, "<optimized", 10) == 0 ? UR_DIM : role,
		       value);
	if (v->points_to) {
		enum ui_role pr = over != UR_NORMAL ? over : dangling(v->points_kind) ? UR_ERROR
			: v->points_kind && strcmp(v->points_kind, "null") == 0 ? UR_DIM : UR_POINTER;
		col += ui_textf(r, row, col, pr, " %s %s", ui_glyph(UG_ARROW_R), v->points_to);
	}
	if (l->kind == SL_CALLEE)
		ui_textf(r, row, col, over != UR_NORMAL ? over : UR_DIM, "  (arg of %s)",
			 frame_fn(&k->f[l->owner], fn, sizeof fn));
}

/* One slot line inside a box: address column, then what the slot holds. */
static void draw_line(const struct kx *k, size_t i, const struct sline *l,
		      const struct ui_rect *bx, int row, bool selected)
{
	const struct uw_frame *f = &k->f[i];
	enum ui_role over = UR_NORMAL;
	char a[64];
	int col = 1;

	if (selected)
		over = UR_SELECT;
	else if (line_bug(k, l))
		over = UR_ERROR;
	else if (var_linked(k, l->v))
		over = UR_LINKED;
	if (over != UR_NORMAL)
		ui_fill(bx, row, 0, -1, over, " ");
	if (l->kind == SL_REG && dwexpr_reg_name(l->v->reg))
		snprintf(a, sizeof a, "in %s", dwexpr_reg_name(l->v->reg));
	else if (l->kind == SL_REG)
		a[0] = '\0';              /* nowhere: optimized out */
	else
		slot_addr(k, l->addr, a, sizeof a);
	ui_text(bx, row, col, over != UR_NORMAL ? over : UR_DIM, a);
	col += k->aw + 2;
	switch (l->kind) {
	case SL_RET:
		if (i + 1 < k->n && k->f[i + 1].loc.fn)
			ui_textf(bx, row, col, over != UR_NORMAL ? over : UR_RET, "ret %s %s+0x%" PRIx64,
				 ui_glyph(UG_ARROW_R), k->f[i + 1].loc.fn, k->f[i + 1].loc.fn_off);
		else {
			ui_addr(k->c, f->ret_addr, a, sizeof a);
			ui_textf(bx, row, col, over != UR_NORMAL ? over : UR_RET, "ret %s %s",
				 ui_glyph(UG_ARROW_R), a);
		}
		break;
	case SL_SAVED:
		col += ui_textf(bx, row, col, over != UR_NORMAL ? over : UR_SAVED, "saved %s",
				dwexpr_reg_name(l->reg) ? dwexpr_reg_name(l->reg) : "?");
		if (i + 1 < k->n && l->reg >= 0 && l->reg < DW_NREGS &&
		    (k->f[i + 1].valid >> l->reg & 1)) {
			ui_addr(k->c, k->f[i + 1].regs[l->reg], a, sizeof a);
			ui_textf(bx, row, col, over != UR_NORMAL ? over : UR_DIM, " = %s", a);
		}
		break;
	default:
		draw_var(k, l, bx, row, col, over);
		break;
	}
}

/* The title row of frame i's box: "┌ #3 recurse  48 B  file.c:12 ───┐". */
static void draw_title(const struct kx *k, size_t i, const struct ui_rect *in, int row,
		       enum ui_role border, enum ui_role title)
{
	const struct uw_frame *f = &k->f[i];
	struct ui_rect tr = *in;
	char fn[32], size[32], where[96] = "";
	int col;

	if (f->cfa > f->sp)
		ui_size(size, sizeof size, f->cfa - f->sp);
	else
		snprintf(size, sizeof size, "? B");
	if (f->loc.file)
		snprintf(where, sizeof where, "  %s:%d", base_name(f->loc.file), f->loc.line);
	ui_text(in, row, 0, border, ui_glyph(UG_TL));
	ui_fill(in, row, 1, in->w - 2, border, ui_glyph(UG_H));
	ui_text(in, row, in->w - 1, border, ui_glyph(UG_TR));
	tr.w = in->w - 2;                    /* the title stops before the corner */
	col = 1 + ui_text(&tr, row, 1, border, " ");
	col += ui_textf(&tr, row, col, title, "#%zu %s", i, frame_fn(f, fn, sizeof fn));
	col += ui_textf(&tr, row, col, title == UR_SELECT ? title : UR_DIM, "  %s%s", size, where);
	ui_text(&tr, row, col, border, " ");
}

static void draw_bottom(const struct ui_rect *in, int row, enum ui_role border)
{
	ui_text(in, row, 0, border, ui_glyph(UG_BL));
	ui_fill(in, row, 1, in->w - 2, border, ui_glyph(UG_H));
	ui_text(in, row, in->w - 1, border, ui_glyph(UG_BR));
}

/* Frame i's box from virtual row y: only the rows in view. */
static void draw_frame(const struct kx *k, size_t i, int y, int scroll, const struct ui_rect *in)
{
	const struct uw_frame *f = &k->f[i];
	int rows = meta[i].rows, top = y - scroll;
	bool sel = k->sel_frame == (int)i, title_sel = sel && k->sel_j < 0;
	bool linked = k->link && in_extent(f, k->c->link->lo);
	enum ui_role border = frame_bug(k, i) ? UR_ERROR : i < k->pushed ? UR_CHANGED :
			      linked ? UR_LINKED : UR_DIM;
	enum ui_role title = title_sel ? (k->c->focused ? UR_SELECT : UR_BOLD)
		: border != UR_DIM ? border : UR_BOLD;
	struct ui_rect bx = { in->y, in->x + 1, in->h, in->w - 2 };
	size_t n = 0, l = 0;

	if (top + rows + 2 <= 0 || top >= in->h)
		return;
	if (top + 1 < in->h && top + rows + 1 > 0)
		n = frame_lines(k, i, rows);
	if (top >= 0)
		draw_title(k, i, in, top, border, title);
	for (int r = 0; r < rows; r++) {
		int row = top + 1 + r;
		if (row < 0)
			continue;
		if (row >= in->h)
			return;
		ui_text(in, row, 0, border, ui_glyph(UG_V));
		ui_text(in, row, in->w - 1, border, ui_glyph(UG_V));
		while (l < n && (lines[l].row < r && lines[l].row >= 0))
			l++;
		if (l < n && lines[l].row == r)
			draw_line(k, i, &lines[l], &bx, row,
				  sel && k->sel_j >= 0 && lines[l].item == k->sel_j && k->c->focused);
		else if ((int)n > rows && r == rows - 1)
			ui_textf(&bx, row, 1, UR_DIM, "%s +%d more", ui_draw_utf8() ? "…" : "...",
				 (int)n - rows + 1);
	}
	if (top + rows + 1 < in->h)
		draw_bottom(in, top + rows + 1, border);
}

static void draw_popped(const struct kx *k, const struct ui_rect *in, int row)
{
	ui_textf(in, row, 1, UR_CHANGED, "%s %zu frame%s popped (returned)",
		 ui_glyph(k->flip ? UG_UP : UG_DOWN), k->popped, k->popped == 1 ? "" : "s");
}

/* ---- layout ------------------------------------------------------------ */

/* Frames new and gone since the previous stop, by cfa from the outermost
 * frame in: what differs at the inner end was pushed (or popped). */
static void diff_prev(struct kx *k)
{
	const struct ui_prev *pv = k->c->prev;
	const struct ui_prev_thread *pt = NULL;
	size_t m = 0;

	for (size_t t = 0; pv && pv->valid && t < pv->nthreads; t++)
		if (pv->threads[t].tid == k->ts->tid)
			pt = &pv->threads[t];
	if (!pt || !pt->cfas)
		return;
	while (m < pt->n && m < k->n && pt->cfas[pt->n - 1 - m] == k->f[k->n - 1 - m].cfa)
		m++;
	k->pushed = k->n - m;
	k->popped = pt->n - m;
}

/* Lines beside the innermost frame: the popped mark, the bug note. */
static int inner_rows(const struct kx *k)
{
	return (k->popped != 0) + (k->bug_note[0] != '\0');
}

/* Rows above the first frame (notes; the inner lines when flipped). */
static int head_rows(const struct kx *k)
{
	return k->nnotes + (k->flip ? inner_rows(k) : 0);
}

/* Virtual row of display position p's box; total rows with p == n. */
static int frame_y(const struct kx *k, size_t p)
{
	int y = head_rows(k);

	for (size_t q = 0; q < p; q++)
		y += meta[frame_at(k, q)].rows + 2;
	return y;
}

/* The item on virtual row vr, or -1. */
static int item_on_row(const struct kx *k, int vr)
{
	int y = head_rows(k), it = 0;

	for (size_t p = 0; p < k->n; p++) {
		size_t i = frame_at(k, p);
		int rows = meta[i].rows;
		if (vr >= y && vr < y + rows + 2) {
			int r = vr - y - 1;
			size_t n = r >= 0 && r < rows ? frame_lines(k, i, rows) : 0;
			for (size_t l = 0; l < n; l++)
				if (lines[l].row == r && lines[l].item >= 0)
					return it + 1 + lines[l].item;
			return it;
		}
		y += rows + 2;
		it += 1 + meta[i].vars;
	}
	return -1;
}

static void set_rows(struct kx *k)
{
	for (size_t i = 0; i < k->n; i++)
		meta[i].rows = frame_rows(k, i, (int)i == k->sel_frame);
}

/* What the pane remembers between draws, to follow its selection. */
static struct {
	const struct ui_pane_state *st;
	const struct snapshot *snap;
	unsigned long seq;
	pid_t tid;
	int sel, j;
	bool flip, inner;
	uint64_t cfa;
} last;

/* The selection after a new stop, a flip or a thread switch, when no key
 * moved it: the same frame (by cfa) and variable, the innermost frame if
 * it was selected (or is gone), the innermost frame on a new thread. */
static void follow_selection(struct kx *k, struct ui_pane_state *st)
{
	int fi = 0, j = -1;

	if (st->sel >= 0 && last.st == st && st->sel == last.sel && last.tid == k->ts->tid &&
	    last.seq == k->c->snap->seq && last.snap == k->c->snap && last.flip == k->flip)
		return;                      /* nothing changed */
	if (st->sel >= 0 && !(last.st == st && st->sel == last.sel))
		return;                      /* a key moved it: take it as it is */
	if (st->sel >= 0 && last.tid == k->ts->tid && !last.inner) {
		for (size_t i = 0; i < k->n; i++)
			if (k->f[i].cfa == last.cfa) {
				fi = (int)i;
				j = last.j < meta[i].vars ? last.j : -1;
				break;
			}
	} else if (st->sel >= 0 && last.tid == k->ts->tid) {
		j = last.j < meta[0].vars ? last.j : -1;
	}
	st->sel = item_of(k, (size_t)fi, j);
}

static void set_link(const struct kx *k)
{
	struct ui_link *l = k->c->link;
	const struct uw_frame *f = &k->f[k->sel_frame];
	char fn[32];

	l->active = true;
	if (k->sel_j >= 0) {
		size_t n = frame_lines(k, (size_t)k->sel_frame, meta[k->sel_frame].rows);
		for (size_t i = 0; i < n; i++) {
			const struct var_info *v = lines[i].v;
			if (lines[i].item != k->sel_j || !v)
				continue;
			if (v->is_ptr && v->ptr) {
				l->lo = v->ptr;
				l->hi = v->ptr + 1;
				snprintf(l->what, sizeof l->what, "%s %s %s", v->name ? v->name : "?",
					 ui_glyph(UG_ARROW_R), v->points_to ? v->points_to : "");
				return;
			}
			if (v->has_addr) {
				l->lo = v->addr;
				l->hi = v->addr + (v->size ? v->size : 1);
				snprintf(l->what, sizeof l->what, "variable %s of frame #%d %s",
					 v->name ? v->name : "?", k->sel_frame, frame_fn(f, fn, sizeof fn));
				return;
			}
		}
	}
	l->lo = f->sp;
	l->hi = f->cfa > f->sp ? f->cfa : f->sp + 8;
	snprintf(l->what, sizeof l->what, "frame #%d %s", k->sel_frame, frame_fn(f, fn, sizeof fn));
}

/* Why the pane is empty, or NULL if it is not (no frames at all is said
 * with the reason the walk stopped). */
static const char *empty_reason(const struct snapshot *s, const struct thread_state *ts)
{
	const char *gone = ui_gone_reason(s);

	if (gone)
		return gone;
	if (!s || s->nthreads == 0 || !ts || !ts->has_stack)
		return "stack not read at this stop";
	return NULL;
}

/* The first stack bug of this stop that no line shows:
 * "⚠ dangling_stack_pointer 0x7ffd...: in a popped frame, below sp". */
static void bug_note(struct kx *k)
{
	const struct snapshot *s = k->c->snap;
	char a[64];

	k->bug_note[0] = '\0';
	for (size_t i = 0; s->diags && i < s->ndiags; i++) {
		const struct diag *d = &s->diags[i];
		if (!(UI_DIAG_STACK & UI_DIAG_BIT(d->kind)) || bug_shown(k, d))
			continue;
		ui_addr(k->c, d->addr, a, sizeof a);
		snprintf(k->bug_note, sizeof k->bug_note, "%s %s %s%s", ui_glyph(UG_WARN),
			 ui_diag_name(d->kind), a, k->n && d->addr < k->f[0].sp &&
			 d->addr + 0x100000 > k->f[0].sp ? ": in a popped frame, below sp" : "");
		return;
	}
}

static void notes(struct kx *k)
{
	bool dwarf = false;

	for (size_t i = 0; i < k->n && !dwarf; i++)
		dwarf = k->f[i].loc.di != NULL;
	if (!dwarf && k->n)
		k->notes[k->nnotes++] = "no debug info: frames only";
	if (k->ts->stack.end && strcmp(k->ts->stack.end, "outermost") != 0) {
		snprintf(k->note_buf, sizeof k->note_buf, "unwinding stopped: %s", k->ts->stack.end);
		k->notes[k->nnotes++] = k->note_buf;
	}
}

/* The lines beside the innermost frame from virtual row y: the popped
 * mark, then the bug note (both under it; above it when flipped). */
static void draw_inner(const struct kx *k, const struct ui_rect *in, int y, int scroll)
{
	if (k->popped && y >= scroll && y - scroll < in->h)
		draw_popped(k, in, y - scroll);
	y += k->popped != 0;
	if (k->bug_note[0] && y >= scroll && y - scroll < in->h)
		ui_text(in, y - scroll, 1, UR_ERROR, k->bug_note);
}

/* Put the selected item in view (its whole box when it fits). */
static void show_selection(const struct kx *k, struct ui_pane_state *st, int h)
{
	size_t p = k->flip ? (size_t)k->sel_frame : k->n - 1 - (size_t)k->sel_frame;
	int y = frame_y(k, p), rows = meta[k->sel_frame].rows + 2, want = y, span = rows;

	if (k->sel_j >= 0) {
		size_t n = frame_lines(k, (size_t)k->sel_frame, meta[k->sel_frame].rows);
		for (size_t l = 0; l < n; l++)
			if (lines[l].item == k->sel_j && lines[l].row >= 0) {
				want = y + 1 + lines[l].row;
				span = 1;
			}
	}
	if (p == 0 && k->sel_j < 0)          /* the first box: show the notes too */
		want = 0, span += y;
	if (span > h)
		span = 1;
	if (want < st->scroll)
		st->scroll = want;
	else if (want + span > st->scroll + h)
		st->scroll = want + span - h;
}

void ui_stack_draw(const struct ui_rect *r, struct ui_pane_state *st, const struct ui_ctx *c)
{
	const struct snapshot *s = c->snap;
	struct kx k = { .c = c, .sel_frame = -1, .sel_j = -1 };
	struct ui_rect in;
	char title[96], a[64];
	const char *why;
	bool moved;
	int total, y;

	if (r->h < 3 || r->w < 10)
		return;
	if (s && s->nthreads) {
		if (st->thread >= (int)s->nthreads)
			st->thread = (int)s->nthreads - 1;
		if (st->thread < 0)
			st->thread = 0;
		k.ts = &s->threads[st->thread];
		if (c->o && c->o->relative)   /* lecture mode: no tid, it differs per run */
			snprintf(title, sizeof title, "Stack %s thread %d/%zu%s",
				 ui_draw_utf8() ? "·" : "-", st->thread + 1, s->nthreads,
				 k.ts->tid == s->pid ? " (main)" : "");
		else
			snprintf(title, sizeof title, "Stack %s thread %d (%d/%zu)",
				 ui_draw_utf8() ? "·" : "-", (int)k.ts->tid, st->thread + 1,
				 s->nthreads);
	} else {
		snprintf(title, sizeof title, "Stack");
	}
	in = ui_box(r, title, c->focused);
	for (int row = 0; row < in.h; row++)
		ui_fill(&in, row, 0, -1, UR_NORMAL, " ");
	why = empty_reason(s, k.ts);
	if (why || k.ts->stack.n == 0) {
		st->nitems = 0;
		st->click_y = st->click_x = -1;
		if (c->focused && c->link)
			c->link->active = false;
		if (why)
			ui_text(&in, 0, 1, UR_DIM, why);
		else
			ui_textf(&in, 0, 1, UR_DIM, "no frames (unwinding stopped: %s)",
				 k.ts->stack.end ? k.ts->stack.end : "?");
		return;
	}
	k.f = k.ts->stack.frames;
	k.n = k.ts->stack.n;
	k.flip = st->flip;
	k.iw = in.w - 2;
	k.long_addr = k.iw >= 60;
	ui_addr(c, k.f[0].sp, a, sizeof a);
	k.aw = (int)strlen(a);
	ui_addr(c, k.f[k.n - 1].cfa, a, sizeof a);
	if ((int)strlen(a) > k.aw)
		k.aw = (int)strlen(a);
	if (!k.long_addr) {
		k.aw = 6;
		ui_addr(c, k.f[0].sp, a, sizeof a);     /* the deepest slot */
		if (strncmp(a, "stack-", 6) == 0 && (int)strlen(a) - 5 > k.aw)
			k.aw = (int)strlen(a) - 5;      /* --relative: "-0x1f40" */
	}
	k.link = !c->focused && c->link && c->link->active;
	notes(&k);
	diff_prev(&k);
	bug_note(&k);
	count_lines(&k);
	for (size_t i = 0; i < k.n; i++)
		k.nitems += 1 + meta[i].vars;
	st->nitems = k.nitems;
	if (st->sel >= k.nitems)
		st->sel = k.nitems - 1;
	follow_selection(&k, st);
	item_at(&k, st->sel, &k.sel_frame, &k.sel_j);
	set_rows(&k);
	/* a click picks the item on that row of the last draw */
	if (st->click_y >= in.y && st->click_y < in.y + in.h) {
		int it = item_on_row(&k, st->scroll + st->click_y - in.y);
		if (it >= 0) {
			st->sel = it;
			item_at(&k, st->sel, &k.sel_frame, &k.sel_j);
			set_rows(&k);
		}
	}
	moved = st->click_y >= 0 || last.st != st || st->sel != last.sel || last.seq != s->seq ||
		last.snap != s || last.flip != k.flip || last.tid != k.ts->tid;
	st->click_y = st->click_x = -1;
	total = frame_y(&k, k.n) + (k.flip ? 0 : inner_rows(&k));
	if (moved)
		show_selection(&k, st, in.h);
	/* a bug beside the selected innermost frame: in view too */
	if (moved && k.bug_note[0] && k.sel_frame == 0 && !k.flip && total - in.h > st->scroll)
		st->scroll = total - in.h;
	if (st->scroll > total - in.h)
		st->scroll = total - in.h;
	if (st->scroll < 0)
		st->scroll = 0;

	for (int i = 0; i < k.nnotes; i++)
		if (i >= st->scroll && i - st->scroll < in.h)
			ui_text(&in, i - st->scroll, 1, UR_DIM, k.notes[i]);
	if (k.flip)
		draw_inner(&k, &in, k.nnotes, st->scroll);
	y = head_rows(&k);
	for (size_t p = 0; p < k.n && y < st->scroll + in.h; p++) {
		size_t i = frame_at(&k, p);
		if (y + meta[i].rows + 2 > st->scroll)
			draw_frame(&k, i, y, st->scroll, &in);
		y += meta[i].rows + 2;
	}
	if (!k.flip)
		draw_inner(&k, &in, y, st->scroll);

	if (c->focused && c->link)
		set_link(&k);
	last.st = st;
	last.snap = s;
	last.seq = s->seq;
	last.tid = k.ts->tid;
	last.sel = st->sel;
	last.j = k.sel_j;
	last.flip = k.flip;
	last.inner = k.sel_frame == 0;
	last.cfa = k.f[k.sel_frame].cfa;
}
