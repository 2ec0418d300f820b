/*
 * ui_heap.c - the heap pane: a strip of one arena's chunks to scale, then
 * a list of every chunk (all arenas in order, then the mmapped chunks) with
 * its header fields, state, bin, requested size and allocation site, the
 * chunks that changed at this stop marked, and the totals.  Focused, the
 * selected chunk is the link the other panes light up, and the pane says
 * who points at it and where it was allocated; not focused, it lights the
 * chunk holding the address another pane selected.
 *
 * Layout of the inside of the box, top to bottom (rows dropped as the
 * pane gets short):
 *
 *   strip      1 or 2 rows of cells; a chunk's width is proportional to
 *              its size, at least one cell while the chunks fit; past that
 *              a cell shows the biggest chunk in it.  The top chunk counts
 *              at most as much as all the others together, so a fresh
 *              heap's 132 KiB top does not squeeze the blocks to nothing
 *              (the legend says "top not to scale" then).
 *   legend     glyph per state, so the strip reads in monochrome
 *   notes      why bins are unknown; the first bug of this stop (a
 *              diagnostic of the snapshot's, else of the walker's)
 *   header     column names
 *   list       one row per chunk, only the visible rows are formatted
 *   totals     in use, free, top, mmapped, fragmentation
 *   detail     (focused) allocated at ...; pointed at by ...
 *
 * Cost: one pass over the shown arena for the strip (walking its chunks
 * and the changes, sorted once per stop, together) and one over all
 * chunks for the totals; a list row finds its change by binary search.
 * "Who points at it" reads memory once per stop (ui_refs) and is redone
 * only when the selection moves.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_draw.h"
#include "ui_refs.h"

#define MAX_REFS 32

/* A change of this stop, by chunk address. */
struct chg {
	uint64_t addr;
	enum heap_change_kind kind;
};

/* One cell of the strip. */
struct cell {
	long item;                /* item shown in it, -1 none */
	uint64_t best;            /* weight of that item (the biggest wins) */
	unsigned char mark;       /* 0, MARK_CHANGED, MARK_LINKED, MARK_SEL, MARK_BUG:
				     highest wins */
	bool edge;                /* the first cell of a chunk after one that looks
				     the same: drawn as a bar, so blocks side by
				     side stay apart */
};

enum { MARK_NONE, MARK_CHANGED, MARK_LINKED, MARK_SEL, MARK_BUG };

/* The pane's caches, kept across draws (a pane's state is private to its .c). */
static struct {
	/* changes sorted by address, for the stop they were built from */
	const struct heap_change *chg_src;
	size_t chg_nsrc;
	unsigned long chg_seq;
	struct chg *chg;
	size_t nchg, capchg;
	/* the strip */
	struct cell *cells;
	size_t capcells;
	struct strbuf sb;
	/* who points at the selected chunk */
	struct ui_refs *refs;
	bool refs_valid;
	pid_t refs_pid;
	unsigned long refs_seq;
	uint64_t refs_lo, refs_hi;
	struct ui_ref ref[MAX_REFS];
	size_t nref;
	bool refs_trunc;
} g;

void ui_heap_free(void)
{
	free(g.chg);
	free(g.cells);
	sb_free(&g.sb);
	ui_refs_free(g.refs);
	memset(&g, 0, sizeof(g));
}

/* ---- items: chunks of every arena, then the mmapped ones -------------- */

struct item {
	const struct heap_chunk *c;
	const struct heap_arena *a;   /* NULL: an mmapped chunk */
	size_t idx;                   /* index in its arena (or in mmapped) */
};

static size_t heap_nitems(const struct heap_state *h)
{
	size_t n = h->nmmapped;

	for (size_t i = 0; i < h->n; i++)
		n += h->arenas[i].n;
	return n;
}

/* Item i; false if out of range. */
static bool heap_item(const struct heap_state *h, long i, struct item *it)
{
	size_t k;

	if (i < 0)
		return false;
	k = (size_t)i;
	for (size_t a = 0; a < h->n; a++) {
		if (k < h->arenas[a].n) {
			*it = (struct item){ &h->arenas[a].chunks[k], &h->arenas[a], k };
			return true;
		}
		k -= h->arenas[a].n;
	}
	if (k < h->nmmapped) {
		*it = (struct item){ &h->mmapped[k], NULL, k };
		return true;
	}
	return false;
}

/* The index of the first item of arena a (h->n: the mmapped chunks). */
static long arena_base(const struct heap_state *h, size_t a)
{
	long base = 0;

	for (size_t i = 0; i < a && i < h->n; i++)
		base += (long)h->arenas[i].n;
	return base;
}

/* The item holding addr, -1 if none. */
static long heap_item_of(const struct heap_state *h, uint64_t addr)
{
	const struct heap_chunk *c = heap_find_chunk(h, addr);

	if (!c)
		return -1;
	for (size_t a = 0; a < h->n; a++)
		if (c >= h->arenas[a].chunks && c < h->arenas[a].chunks + h->arenas[a].n)
			return arena_base(h, a) + (c - h->arenas[a].chunks);
	return arena_base(h, h->n) + (c - h->mmapped);
}

/* ---- what a chunk looks like ------------------------------------------ */

/* The bug of this stop in chunk c (a double free, a leak ...), or NULL. */
static const struct diag *chunk_bug(const struct snapshot *s, const struct heap_chunk *c)
{
	return ui_diag_in(s, c->addr, c->addr + (c->size ? c->size : 1), UI_DIAG_HEAP);
}

static enum ui_role chunk_role(const struct heap_chunk *c)
{
	switch (c->state) {
	case CH_INUSE:
		return UR_INUSE;
	case CH_FREE:
		return c->bin == BIN_TCACHE ? UR_FREE_TCACHE :
		       c->bin == BIN_FAST ? UR_FREE_FAST : UR_FREE_BIN;
	case CH_TOP:
		return UR_TOP;
	case CH_MMAPPED:
		return UR_MMAPPED;
	default:
		return UR_CORRUPT;
	}
}

/* How a chunk looks in the strip: full = in use, dark = held in a
 * tcache/fastbin (free but not merged), medium = free in a bin, light =
 * top, "!" = corrupt.  A look, then its glyph. */
enum look { LK_FULL, LK_DARK, LK_MEDIUM, LK_LIGHT, LK_BAD, LK_EDGE };

static enum look chunk_look(const struct heap_chunk *c)
{
	switch (c->state) {
	case CH_INUSE:
	case CH_MMAPPED:
		return LK_FULL;
	case CH_FREE:
		return c->bin == BIN_TCACHE || c->bin == BIN_FAST ? LK_DARK : LK_MEDIUM;
	case CH_TOP:
		return LK_LIGHT;
	default:
		return LK_BAD;
	}
}

static const char *look_glyph(enum look k)
{
	switch (k) {
	case LK_FULL:
		return ui_glyph(UG_FULL);
	case LK_DARK:
		return ui_glyph(UG_DARK);
	case LK_MEDIUM:
		return ui_glyph(UG_MEDIUM);
	case LK_LIGHT:
		return ui_glyph(UG_LIGHT);
	case LK_EDGE:
		return ui_glyph(UG_V);
	default:
		return "!";
	}
}

static const char *state_text(const struct heap_chunk *c)
{
	static const char *const t[] = { "in use", "free", "top", "mmapped", "corrupt" };

	return (unsigned)c->state < ARRAY_LEN(t) ? t[c->state] : "?";
}

/* "tcache[1]", "unsorted", "large[68]", "-"; "?" for a free chunk whose
 * bin the model could not tell. */
static void bin_text(const struct heap_chunk *c, char *buf, size_t n)
{
	if (c->bin == BIN_NONE)
		snprintf(buf, n, "%s", c->state == CH_FREE ? "?" : "-");
	else if (c->bin_index >= 0 && c->bin != BIN_UNSORTED)
		snprintf(buf, n, "%s[%d]", chunk_bin_name(c->bin), c->bin_index);
	else
		snprintf(buf, n, "%s", chunk_bin_name(c->bin));
}

/* ---- changes ----------------------------------------------------------- */

static int chg_cmp(const void *a, const void *b)
{
	const struct chg *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

/* Sort this stop's changes by chunk address (once per stop). */
static void changes_prepare(const struct snapshot *s)
{
	const struct heap_state *h = s->heap;

	if (g.chg_src == h->changes && g.chg_nsrc == h->nchanges && g.chg_seq == s->seq)
		return;
	g.chg_src = h->changes;
	g.chg_nsrc = h->nchanges;
	g.chg_seq = s->seq;
	g.nchg = 0;
	for (size_t i = 0; i < h->nchanges; i++) {
		const struct heap_change *c = &h->changes[i];
		for (size_t k = 0; k < c->nchunks && k < ARRAY_LEN(c->chunks); k++) {
			util_grow((void **)&g.chg, &g.capchg, g.nchg + 1, sizeof(*g.chg));
			g.chg[g.nchg++] = (struct chg){ c->chunks[k], c->kind };
		}
	}
	if (g.nchg)                  /* qsort(NULL, 0) is undefined */
		qsort(g.chg, g.nchg, sizeof(*g.chg), chg_cmp);
}

/* The index of the first change at or above addr. */
static size_t change_from(uint64_t addr)
{
	size_t lo = 0, hi = g.nchg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g.chg[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The first change naming the chunk at addr, NULL if none. */
static const struct chg *change_of(uint64_t addr)
{
	size_t i = change_from(addr);

	return i < g.nchg && g.chg[i].addr == addr ? &g.chg[i] : NULL;
}

/* ---- layout ------------------------------------------------------------ */

struct layout {
	int strip_y, strip_rows;
	int legend_y;             /* -1: none */
	int note_y, nnotes;
	int head_y;               /* -1: none */
	int list_y, list_rows;
	int totals_y;             /* -1: none */
	int detail_y, detail_rows;
};

/* Where each part goes in an inside of h rows, for n items. */
static void layout(int h, size_t n, int nnotes, bool detail, struct layout *L)
{
	int y = 0, bottom;

	memset(L, 0, sizeof(*L));
	L->strip_rows = h >= 16 ? 2 : h >= 6 ? 1 : 0;
	L->strip_y = y;
	y += L->strip_rows;
	L->legend_y = h >= 10 ? y++ : -1;
	L->nnotes = h >= 8 ? nnotes : 0;
	L->note_y = y;
	y += L->nnotes;
	L->detail_rows = detail ? (h >= 20 ? 3 : h >= 12 ? 2 : 0) : 0;
	bottom = h - L->detail_rows - (h >= 3 ? 1 : 0);     /* totals */
	L->head_y = bottom - y >= 2 ? y++ : -1;
	L->list_y = y;
	L->list_rows = bottom - y > 0 ? bottom - y : 0;
	if ((size_t)L->list_rows > n)
		L->list_rows = (int)n;
	y += L->list_rows;
	if (h >= 3) {
		if (y < bottom)
			y++;                                /* a blank row, as room allows */
		L->totals_y = y++;
	} else {
		L->totals_y = -1;
	}
	L->detail_y = y;
}

/* Columns of the list; x < 0: not shown. */
struct cols {
	int addr, size, flags, prev, state, bin, req, site;
	int aw, sw, rw;           /* widths of addr, size (and prev), req */
};

#define W_FLAGS 3
#define W_STATE 7
#define W_BIN 10

#define W_MARK 8                  /* " ◄ split": room kept for the change mark */

/* Place the columns in w cells, dropping the less needed ones first. */
static void columns(int w, int aw, int sw, int rw, struct cols *C)
{
	bool show_bin = true, show_req = true, show_flags = true, show_prev = true;
	int x;

	for (;;) {
		int need = aw + 1 + sw + 1 + W_STATE + W_MARK;
		need += show_flags ? W_FLAGS + 1 : 0;
		need += show_prev ? sw + 1 : 0;
		need += show_bin ? W_BIN + 1 : 0;
		need += show_req ? rw + 1 : 0;
		if (need <= w)
			break;
		if (show_prev)
			show_prev = false;
		else if (show_flags)
			show_flags = false;
		else if (show_req)
			show_req = false;
		else if (show_bin)
			show_bin = false;
		else
			break;
	}
	C->aw = aw;
	C->sw = sw;
	C->rw = rw;
	x = 0;
	C->addr = x;
	x += aw + 1;
	C->size = x;
	x += sw + 1;
	C->flags = show_flags ? x : -1;
	x += show_flags ? W_FLAGS + 1 : 0;
	C->prev = show_prev ? x : -1;
	x += show_prev ? sw + 1 : 0;
	C->state = x;
	x += W_STATE + 1;
	C->bin = show_bin ? x : -1;
	x += show_bin ? W_BIN + 1 : 0;
	C->req = show_req ? x : -1;
	x += show_req ? rw + 1 : 0;
	C->site = w - x >= W_MARK + 6 ? x : -1;
}

/* s in the cells [x, x+w) of row `row` of in, right-aligned if asked;
 * the columns written. */
static int put(const struct ui_rect *in, int row, int x, int w, enum ui_role role,
	       const char *s, bool right)
{
	struct ui_rect sub;
	int col = 0;

	if (x < 0 || x >= in->w || w <= 0 || row < 0 || row >= in->h)
		return 0;
	if (w > in->w - x)
		w = in->w - x;
	sub = (struct ui_rect){ in->y + row, in->x + x, 1, w };
	if (right) {
		col = w - ui_width(s);
		if (col < 0)
			col = 0;
	}
	return col + ui_text(&sub, 0, col, role, s);
}

/* ---- the strip --------------------------------------------------------- */

/* The chunks the strip shows: the arena of item `focus` (or the mmapped
 * chunks); *base = the item index of v[0]. */
static const struct heap_chunk *strip_chunks(const struct heap_state *h, long focus,
					     size_t *n, long *base, const char **name)
{
	struct item it;

	if (!heap_item(h, focus, &it) && !heap_item(h, 0, &it))
		return NULL;
	if (it.a) {
		*n = it.a->n;
		*base = arena_base(h, (size_t)(it.a - h->arenas));
		*name = it.a->name;
		return it.a->chunks;
	}
	*n = h->nmmapped;
	*base = arena_base(h, h->n);
	*name = NULL;
	return h->mmapped;
}

/* Weight of chunk c in the strip (top capped, see the top of the file). */
static uint64_t strip_weight(const struct heap_chunk *c, uint64_t others)
{
	if (c->state == CH_TOP && others && c->size > others)
		return others;
	return c->size ? c->size : 1;
}

/* Mark cells [s, e) with item i of weight wt and mark m. */
static void cells_put(size_t s, size_t e, long i, uint64_t wt, unsigned char m)
{
	for (size_t k = s; k < e; k++) {
		struct cell *cl = &g.cells[k];
		if (cl->item < 0 || wt > cl->best) {
			cl->item = i;
			cl->best = wt;
		}
		if (m > cl->mark)
			cl->mark = m;
	}
}

/* Fill g.cells[0..ncells) from v[0..n); true if the top was cut. */
static bool strip_build(const struct snapshot *snap, const struct heap_chunk *v, size_t n,
			long base, size_t ncells, long sel, long linked)
{
	uint64_t others = 0, total = 0, cum = 0;
	bool cut = false;
	size_t pos = 0, j;

	util_grow((void **)&g.cells, &g.capcells, ncells, sizeof(*g.cells));
	for (size_t k = 0; k < ncells; k++)
		g.cells[k] = (struct cell){ -1, 0, MARK_NONE, false };
	for (size_t i = 0; i < n; i++)
		if (v[i].state != CH_TOP)
			others += v[i].size;
	for (size_t i = 0; i < n; i++) {
		uint64_t wt = strip_weight(&v[i], others);
		total += wt;
		cut |= v[i].state == CH_TOP && wt < v[i].size;
	}
	if (total == 0 || ncells == 0)
		return false;
	/* v and the changes are both sorted by address: walk them together */
	j = n ? change_from(v[0].addr) : 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t wt = strip_weight(&v[i], others);
		long item = base + (long)i;
		bool changed;
		while (j < g.nchg && g.chg[j].addr < v[i].addr)
			j++;
		changed = j < g.nchg && g.chg[j].addr == v[i].addr;
		unsigned char m = chunk_bug(snap, &v[i]) ? MARK_BUG : item == sel ? MARK_SEL :
				  item == linked ? MARK_LINKED : changed ? MARK_CHANGED : MARK_NONE;
		size_t s = (size_t)((double)cum / (double)total * (double)ncells);
		size_t e;
		cum += wt;
		e = (size_t)((double)cum / (double)total * (double)ncells + 0.5);
		if (n <= ncells) {
			/* each chunk at least one cell, leaving one for each after it */
			s = pos;
			if (e < s + 1)
				e = s + 1;
			if (e > ncells - (n - i - 1))
				e = ncells - (n - i - 1);
			pos = e;
		} else if (e <= s) {
			e = s + 1;
		}
		if (s >= ncells)
			s = ncells - 1;
		if (e > ncells)
			e = ncells;
		cells_put(s, e, item, wt, m);
		if (n <= ncells && e - s >= 3 && i > 0 && chunk_look(&v[i - 1]) == chunk_look(&v[i]))
			g.cells[s].edge = true;
	}
	return cut;
}

/* The role a cell is drawn in. */
static enum ui_role cell_role(const struct cell *cl, const struct heap_chunk *c)
{
	switch (cl->mark) {
	case MARK_BUG:
		return UR_ERROR;
	case MARK_SEL:
		return UR_SELECT;
	case MARK_LINKED:
		return UR_LINKED;
	case MARK_CHANGED:
		return UR_CHANGED;
	default:
		return chunk_role(c);
	}
}

/* Draw the strip's rows: runs of cells alike are one ui_text each. */
static void strip_draw(const struct ui_rect *in, const struct heap_state *h,
		       const struct layout *L)
{
	for (int row = 0; row < L->strip_rows; row++) {
		int x = 0;
		while (x < in->w) {
			const struct cell *cl = &g.cells[(size_t)row * (size_t)in->w + (size_t)x];
			struct item it;
			enum ui_role role;
			enum look lk;
			int x0 = x;
			if (!heap_item(h, cl->item, &it)) {
				x++;
				continue;
			}
			role = cell_role(cl, it.c);
			lk = cl->edge ? LK_EDGE : chunk_look(it.c);
			sb_reset(&g.sb);
			while (x < in->w) {
				const struct cell *d = &g.cells[(size_t)row * (size_t)in->w + (size_t)x];
				struct item jt;
				if (!heap_item(h, d->item, &jt) || cell_role(d, jt.c) != role ||
				    (d->edge ? LK_EDGE : chunk_look(jt.c)) != lk)
					break;
				sb_puts(&g.sb, look_glyph(lk));
				x++;
			}
			put(in, L->strip_y + row, x0, x - x0, role, g.sb.buf, false);
		}
	}
}

/* The legend under the strip. */
static void legend_draw(const struct ui_rect *in, int row, bool top_cut)
{
	static const struct { enum ui_glyph gl; enum ui_role role; const char *what; } k[] = {
		{ UG_FULL, UR_INUSE, "in use" },
		{ UG_DARK, UR_FREE_TCACHE, "tcache/fast" },
		{ UG_MEDIUM, UR_FREE_BIN, "free" },
		{ UG_LIGHT, UR_TOP, "top" },
	};
	int x = 0;

	for (size_t i = 0; i < ARRAY_LEN(k); i++) {
		x += put(in, row, x, in->w - x, k[i].role, ui_glyph(k[i].gl), false);
		x += put(in, row, x, in->w - x, UR_DIM, " ", false);
		x += put(in, row, x, in->w - x, UR_DIM, k[i].what, false);
		x += put(in, row, x, in->w - x, UR_DIM, "  ", false);
	}
	if (top_cut)
		put(in, row, x, in->w - x, UR_DIM, "(top not to scale)", false);
}

/* ---- the list ---------------------------------------------------------- */

/* Widths of addr, size and req over the visible items. */
static void list_widths(const struct ui_ctx *c, const struct heap_state *h, long first,
			int rows, int *aw, int *sw, int *rw)
{
	char buf[64];
	struct item it;

	*aw = 4;
	*sw = 4;
	*rw = 3;
	for (int r = 0; r < rows && heap_item(h, first + r, &it); r++) {
		int k;
		ui_addr(c, it.c->addr, buf, sizeof(buf));
		if ((k = ui_width(buf)) > *aw)
			*aw = k;
		if ((k = snprintf(buf, sizeof(buf), "0x%" PRIx64, it.c->size)) > *sw)
			*sw = k;
		if (it.c->req && (k = snprintf(buf, sizeof(buf), "%" PRIu64, it.c->req)) > *rw)
			*rw = k;
	}
}

static void head_draw(const struct ui_rect *in, int row, const struct cols *C)
{
	put(in, row, C->addr, C->aw, UR_DIM, "addr", false);
	put(in, row, C->size, C->sw, UR_DIM, "size", true);
	put(in, row, C->flags, W_FLAGS, UR_DIM, "flg", false);
	put(in, row, C->prev, C->sw, UR_DIM, "prev", true);
	put(in, row, C->state, W_STATE, UR_DIM, "state", false);
	put(in, row, C->bin, W_BIN, UR_DIM, "bin", false);
	put(in, row, C->req, C->rw, UR_DIM, "req", true);
	put(in, row, C->site, in->w - C->site, UR_DIM, "allocated at", false);
}

/* "fn:line", "fn", "" for the site of c. */
static void site_text(const struct heap_chunk *c, char *buf, size_t n)
{
	if (!c->site_fn)
		buf[0] = '\0';
	else if (c->site_line > 0)
		snprintf(buf, n, "%s:%d", c->site_fn, c->site_line);
	else
		snprintf(buf, n, "%s", c->site_fn);
}

/* One row of the list for item it. */
static void row_draw(const struct ui_rect *in, int row, const struct ui_ctx *c,
		     const struct cols *C, const struct item *it, unsigned char mark)
{
	const struct heap_chunk *ch = it->c;
	const struct chg *cg = change_of(ch->addr);
	const struct diag *bug = chunk_bug(c->snap, ch);
	/* a bug's row is red, unless selected (its mark stays red then) */
	enum ui_role base = mark == MARK_SEL ? UR_SELECT : bug ? UR_ERROR :
			    mark == MARK_LINKED ? UR_LINKED : UR_NORMAL;
	enum ui_role hot = base != UR_NORMAL ? base : cg ? UR_CHANGED : UR_NORMAL;
	char buf[128], mk[40] = "";
	int x, end;

	if (base != UR_NORMAL)
		ui_fill(in, row, 0, in->w, base, " ");
	ui_addr(c, ch->addr, buf, sizeof(buf));
	put(in, row, C->addr, C->aw, hot, buf, false);
	snprintf(buf, sizeof(buf), "0x%" PRIx64, ch->size);
	end = C->size + put(in, row, C->size, C->sw, hot, buf, true);
	if (C->flags >= 0) {
		snprintf(buf, sizeof(buf), "%c%c%c", ch->flags & CHUNK_P ? 'P' : '-',
			 ch->flags & CHUNK_M ? 'M' : '-', ch->flags & CHUNK_A ? 'A' : '-');
		end = C->flags + put(in, row, C->flags, W_FLAGS, base, buf, false);
	}
	/* prev_size means something only when the previous chunk is free */
	if (C->prev >= 0 && it->a && it->idx > 0 && !(ch->flags & CHUNK_P) &&
	    ch->state != CH_MMAPPED) {
		snprintf(buf, sizeof(buf), "0x%" PRIx64, ch->prev_size);
		put(in, row, C->prev, C->sw, base, buf, true);
	}
	end = C->state + put(in, row, C->state, W_STATE,
			     base != UR_NORMAL ? base : chunk_role(ch), state_text(ch), false);
	if (C->bin >= 0) {
		bin_text(ch, buf, sizeof(buf));
		end = C->bin + put(in, row, C->bin, W_BIN, base, buf, false);
	}
	if (C->req >= 0) {
		if (ch->req && (ch->state == CH_INUSE || ch->state == CH_MMAPPED))
			snprintf(buf, sizeof(buf), "%" PRIu64, ch->req);
		else
			snprintf(buf, sizeof(buf), "-");
		end = C->req + put(in, row, C->req, C->rw, base, buf, true);
	}
	if (bug)
		snprintf(mk, sizeof(mk), "%s %s", ui_glyph(UG_WARN), ui_diag_name(bug->kind));
	else if (cg)
		snprintf(mk, sizeof(mk), "%s %s", ui_glyph(UG_MARK), heap_change_name(cg->kind));
	x = end + 1;
	if (C->site >= 0) {
		int avail = in->w - C->site - (mk[0] ? ui_width(mk) + 1 : 0);
		site_text(ch, buf, sizeof(buf));
		x = C->site + put(in, row, C->site, avail, base, buf, false) + 1;
		if (!buf[0])
			x = C->site;
	}
	if (mk[0]) {
		if (x + ui_width(mk) > in->w)
			x = in->w - ui_width(mk);
		put(in, row, x, in->w - x, bug ? UR_ERROR : base != UR_NORMAL ? base : UR_CHANGED,
		    mk, false);
	}
}

/* ---- totals and detail ------------------------------------------------- */

/* The totals line.  Fragmentation = 1 - largest free chunk / all free
 * bytes, over the free chunks in bins (tcache and fastbins included, top
 * not: top is not fragmented): 0 when the free memory is one chunk, near
 * 1 when it is many small ones no big request can use. */
static void totals_draw(const struct ui_rect *in, int row, const struct heap_state *h)
{
	uint64_t inuse = 0, nuse = 0, fre = 0, nfree = 0, big = 0, top = 0, mm = 0, ncorrupt = 0;
	const char *sep = ui_draw_utf8() ? " · " : " - ";
	char a[24], b[24], c[24], d[24], buf[200];
	int n;

	for (size_t i = 0; i < h->n; i++) {
		for (size_t k = 0; k < h->arenas[i].n; k++) {
			const struct heap_chunk *ch = &h->arenas[i].chunks[k];
			switch (ch->state) {
			case CH_INUSE:
				inuse += ch->size;
				nuse++;
				break;
			case CH_FREE:
				fre += ch->size;
				nfree++;
				if (ch->size > big)
					big = ch->size;
				break;
			case CH_TOP:
				top += ch->size;
				break;
			default:
				ncorrupt++;
				break;
			}
		}
	}
	for (size_t i = 0; i < h->nmmapped; i++)
		mm += h->mmapped[i].size;
	ui_size(a, sizeof(a), inuse);
	ui_size(b, sizeof(b), fre);
	ui_size(c, sizeof(c), top);
	n = snprintf(buf, sizeof(buf), "in use %s (%" PRIu64 ")%sfree %s (%" PRIu64 ")%stop %s",
		     a, nuse, sep, b, nfree, sep, c);
	if (h->nmmapped) {
		ui_size(d, sizeof(d), mm);
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%smmapped %s (%zu)", sep, d,
			      h->nmmapped);
	}
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%sfrag %.2f", sep,
		      fre ? 1.0 - (double)big / (double)fre : 0.0);
	if (ncorrupt)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "%scorrupt %" PRIu64, sep, ncorrupt);
	put(in, row, 0, in->w, UR_BOLD, buf, false);
}

/* Who points at chunk c, cached per stop and chunk. */
static void refs_update(const struct ui_ctx *c, const struct heap_chunk *ch)
{
	const struct snapshot *s = c->snap;
	uint64_t lo = ch->addr, hi = ch->addr + ch->size;

	if (g.refs_valid && g.refs_pid == s->pid && g.refs_seq == s->seq && g.refs_lo == lo &&
	    g.refs_hi == hi)
		return;
	if (!g.refs)
		g.refs = ui_refs_new();
	g.nref = ui_refs_find(g.refs, s, c->o ? c->o->mem : NULL, lo, hi, g.ref, MAX_REFS);
	g.refs_trunc = c->o && c->o->mem && ui_refs_truncated(g.refs);
	g.refs_valid = true;
	g.refs_pid = s->pid;
	g.refs_seq = s->seq;
	g.refs_lo = lo;
	g.refs_hi = hi;
}

/* "allocated at fn (file:line)" and "pointed at by: ..." for the selection. */
static void detail_draw(const struct ui_rect *in, const struct layout *L,
			const struct ui_ctx *c, const struct heap_chunk *ch)
{
	char buf[256];
	int row = L->detail_y, x = 0, last = L->detail_y + L->detail_rows;
	size_t shown = 0;

	if (L->detail_rows <= 0)
		return;
	if (ch->site_fn && ch->site_file)
		snprintf(buf, sizeof(buf), "allocated at %s (%s:%d)", ch->site_fn, ch->site_file,
			 ch->site_line);
	else if (ch->site_fn)
		snprintf(buf, sizeof(buf), "allocated at %s", ch->site_fn);
	else if (ch->state == CH_INUSE || ch->state == CH_MMAPPED)
		snprintf(buf, sizeof(buf), "allocated at: unknown (its malloc was not seen)");
	else if (ch->state == CH_TOP)
		snprintf(buf, sizeof(buf), "top: the arena's unused end, what malloc carves from");
	else
		snprintf(buf, sizeof(buf), "free chunk: no allocation site");
	put(in, row++, 0, in->w, UR_NORMAL, buf, false);
	refs_update(c, ch);
	x = put(in, row, 0, in->w, UR_DIM, "pointed at by: ", false);
	if (g.nref == 0)
		put(in, row, x, in->w - x, UR_NORMAL, g.refs_trunc ? "nothing found (scan truncated)" :
		    "nothing found", false);
	for (size_t i = 0; i < g.nref && i < MAX_REFS && row < last; i++) {
		const char *t = g.ref[i].text;
		int w = ui_width(t) + (i + 1 < g.nref ? 2 : 0);
		if (x + w > in->w && x > 0) {
			if (row + 1 >= last)
				break;
			row++;
			x = 2;
		}
		x += put(in, row, x, in->w - x, g.ref[i].kind == UREF_VAR ? UR_POINTER : UR_LINKED,
			 t, false);
		if (i + 1 < g.nref)
			x += put(in, row, x, in->w - x, UR_DIM, ", ", false);
		shown++;
	}
	if (g.nref && (shown < g.nref || g.refs_trunc)) {
		char more[64];
		int n = 0;
		if (shown < g.nref)
			n = snprintf(more, sizeof(more), "+%zu more", g.nref - shown);
		if (g.refs_trunc)
			snprintf(more + n, sizeof(more) - (size_t)n, "%s(scan truncated)",
				 n ? " " : "");
		int mw = ui_width(more);
		if (x + mw > in->w)
			x = in->w - mw;
		put(in, row, x < 0 ? 0 : x, in->w, UR_DIM, more, false);
	}
}

/* ---- the pane ---------------------------------------------------------- */

/* The item of the first change of this stop that is still a chunk, else 0:
 * where the selection starts when the pane gets the focus. */
static long first_changed(const struct heap_state *h)
{
	for (size_t i = 0; i < h->nchanges; i++) {
		for (size_t k = 0; k < h->changes[i].nchunks; k++) {
			struct item it;
			long j = heap_item_of(h, h->changes[i].chunks[k]);
			if (j >= 0 && heap_item(h, j, &it) && it.c->addr == h->changes[i].chunks[k])
				return j;
		}
	}
	return 0;
}

/* Why there is nothing to list, or NULL. */
static const char *empty_reason(const struct snapshot *s, char *buf, size_t n)
{
	const struct heap_state *h = s ? s->heap : NULL;

	if (!s)
		return "no stop yet";
	if (!h) {
		const char *gone = ui_gone_reason(s);
		return gone ? gone : "heap not read at this stop";
	}
	if (heap_nitems(h) > 0)
		return NULL;
	if (h->degraded[0]) {
		snprintf(buf, n, "no chunks: %s", h->degraded);
		return buf;
	}
	if (strcmp(h->model, "none") == 0)
		return "no heap: no allocator found in the program";
	return "no heap: the program has not called malloc";
}

/* The pane's title: "Heap · main arena · 14 chunks". */
static void title_text(const struct heap_state *h, const char *arena, size_t n,
		       char *buf, size_t len)
{
	const char *sep = ui_draw_utf8() ? " · " : " - ";
	char where[48];

	if (!h) {
		snprintf(buf, len, "Heap");
		return;
	}
	if (strcmp(h->model, "tags") == 0)
		snprintf(where, sizeof(where), "tags allocator");
	else if (arena)
		snprintf(where, sizeof(where), "%s arena", arena);
	else if (h->nmmapped)
		snprintf(where, sizeof(where), "mmapped");
	else
		snprintf(where, sizeof(where), "%s", h->model);
	if (h->n > 1)
		snprintf(buf, len, "Heap%s%s (%zu arenas)%s%zu chunk%s", sep, where, h->n, sep, n,
			 n == 1 ? "" : "s");
	else
		snprintf(buf, len, "Heap%s%s%s%zu chunk%s", sep, where, sep, n, n == 1 ? "" : "s");
}

/* The first bug of this stop the heap pane tells of, or NULL. */
static const struct diag *heap_bug(const struct snapshot *s)
{
	return ui_diag_in(s, 0, UINT64_MAX, UI_DIAG_HEAP);
}

/* The notes: why bins are unknown, the first bug or cut walk. */
static int notes_count(const struct snapshot *s)
{
	const struct heap_state *h = s->heap;
	int n = !h->bins_known && h->degraded[0] ? 1 : 0;
	bool cut = false;

	for (size_t i = 0; i < h->n; i++)
		cut |= h->arenas[i].truncated;
	return n + (h->ndiags || cut || heap_bug(s) ? 1 : 0);
}

static void notes_draw(const struct ui_rect *in, const struct layout *L,
		       const struct ui_ctx *c)
{
	const struct heap_state *h = c->snap->heap;
	const struct diag *bug = heap_bug(c->snap);
	char buf[384], a[64];
	int row = L->note_y, last = L->note_y + L->nnotes;

	if (row < last && !h->bins_known && h->degraded[0])
		put(in, row++, 0, in->w, UR_DIM, h->degraded, false);
	if (row >= last)
		return;
	if (bug) {
		ui_addr(c, bug->addr, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s %s at %s: %.*s", ui_glyph(UG_WARN),
			 ui_diag_name(bug->kind), a, (int)sizeof(bug->message), bug->message);
		put(in, row, 0, in->w, UR_ERROR, buf, false);
		return;
	}
	if (h->ndiags) {
		snprintf(buf, sizeof(buf), "%s at 0x%" PRIx64 ": %s%s", heap_diag_name(h->diags[0].kind),
			 h->diags[0].addr, h->diags[0].message, h->ndiags > 1 ? " (+more)" : "");
		put(in, row, 0, in->w, UR_ERROR, buf, false);
		return;
	}
	for (size_t i = 0; i < h->n; i++) {
		if (h->arenas[i].truncated) {
			snprintf(buf, sizeof(buf), "%s arena: the walk stopped early",
				 h->arenas[i].name);
			put(in, row, 0, in->w, UR_ERROR, buf, false);
			return;
		}
	}
}

/* Apply a click at (click_y, click_x), screen coordinates, on the strip or
 * the list of an inside `in` laid out as L; consumes it. */
static void click(struct ui_pane_state *st, const struct ui_rect *in, const struct layout *L,
		  size_t ncells, long nitems)
{
	int y = st->click_y - in->y, x = st->click_x - in->x;

	if (st->click_y < 0 || st->click_x < 0 || y < 0 || y >= in->h || x < 0 || x >= in->w)
		return;
	if (y >= L->strip_y && y < L->strip_y + L->strip_rows) {
		size_t k = (size_t)(y - L->strip_y) * (size_t)in->w + (size_t)x;
		if (k < ncells && g.cells[k].item >= 0)
			st->sel = (int)g.cells[k].item;
	} else if (y >= L->list_y && y < L->list_y + L->list_rows) {
		long i = st->scroll + (y - L->list_y);
		if (i < nitems)
			st->sel = (int)i;
	}
	st->click_y = st->click_x = -1;
}

/* Keep sel in range and on screen. */
static void clamp(struct ui_pane_state *st, long nitems, int rows, long linked, bool focused)
{
	long want;

	if (st->sel >= nitems)
		st->sel = (int)nitems - 1;
	if (st->sel < -1)
		st->sel = -1;
	want = focused || linked < 0 ? st->sel : linked;
	if (want >= 0 && rows > 0) {
		if (want < st->scroll)
			st->scroll = (int)want;
		if (want >= st->scroll + rows)
			st->scroll = (int)(want - rows + 1);
	}
	if (rows > 0 && st->scroll > nitems - rows)
		st->scroll = (int)(nitems - rows);
	if (st->scroll < 0)
		st->scroll = 0;
}

/* An empty pane: its box and why it is empty. */
static void draw_empty(const struct ui_rect *r, struct ui_pane_state *st,
		       const struct ui_ctx *c, const char *why)
{
	struct ui_rect in = ui_box(r, "Heap", c->focused);

	for (int row = 0; row < in.h; row++)
		ui_fill(&in, row, 0, in.w, UR_NORMAL, " ");
	st->nitems = 0;
	st->sel = -1;
	st->scroll = 0;
	st->click_y = st->click_x = -1;
	if (c->focused && c->link)
		c->link->active = false;
	put(&in, in.h > 2 ? 1 : 0, 1, in.w - 1, UR_DIM, why, false);
}

/* The list's header and visible rows. */
static void list_draw(const struct ui_rect *in, const struct ui_pane_state *st,
		      const struct ui_ctx *c, const struct layout *L, long linked)
{
	const struct heap_state *h = c->snap->heap;
	struct cols C;
	struct item it;
	int aw, sw, rw;

	list_widths(c, h, st->scroll, L->list_rows, &aw, &sw, &rw);
	columns(in->w, aw, sw, rw, &C);
	if (L->head_y >= 0)
		head_draw(in, L->head_y, &C);
	for (int row = 0; row < L->list_rows && heap_item(h, st->scroll + row, &it); row++) {
		long i = st->scroll + row;
		unsigned char m = c->focused && i == st->sel ? MARK_SEL :
				  i == linked ? MARK_LINKED : MARK_NONE;
		row_draw(in, L->list_y + row, c, &C, &it, m);
	}
}

/* Focused: the selected chunk is the link the other panes light up. */
static void set_link(const struct ui_ctx *c, const struct item *it)
{
	char ab[48];

	if (!c->link)
		return;
	if (!it) {
		c->link->active = false;
		return;
	}
	c->link->active = true;
	c->link->lo = it->c->addr;
	c->link->hi = it->c->addr + it->c->size;
	ui_addr(c, it->c->addr, ab, sizeof(ab));
	snprintf(c->link->what, sizeof(c->link->what), "chunk %s (%s)", ab, state_text(it->c));
}

/* Build the strip of the arena around item `focus`; its name in *aname. */
static bool strip_for(const struct snapshot *s, long focus, size_t ncells, long sel,
		      long linked, const char **aname)
{
	size_t nv = 0;
	long base = 0;
	const struct heap_chunk *v = strip_chunks(s->heap, focus, &nv, &base, aname);

	return strip_build(s, v, nv, base, ncells, sel, linked);
}

void ui_heap_draw(const struct ui_rect *r, struct ui_pane_state *st, const struct ui_ctx *c)
{
	const struct snapshot *s = c->snap;
	const char *why, *aname = NULL;
	const struct heap_state *h;
	char buf[256];
	/* the inside ui_box will return; known before, for the clicks */
	struct ui_rect in = { r->y + 1, r->x + 1, r->h - 2, r->w - 2 };
	struct layout L;
	struct item it;
	size_t ncells;
	long nitems, linked = -1;
	bool top_cut;

	if (r->h < 3 || r->w < 8)
		return;
	if ((why = empty_reason(s, buf, sizeof(buf))) != NULL) {
		draw_empty(r, st, c, why);
		return;
	}
	h = s->heap;
	nitems = (long)heap_nitems(h);
	st->nitems = (int)nitems;
	changes_prepare(s);
	if (!c->focused && c->link && c->link->active)
		linked = heap_item_of(h, c->link->lo);
	if (c->focused && st->sel < 0 && st->click_y < 0)
		st->sel = (int)first_changed(h);
	if (st->sel >= nitems)
		st->sel = (int)nitems - 1;
	layout(in.h, (size_t)nitems, notes_count(s), c->focused && st->sel >= 0, &L);
	ncells = (size_t)L.strip_rows * (size_t)(in.w > 0 ? in.w : 0);
	/* the strip as the user saw it, so that a click lands on what was there */
	top_cut = strip_for(s, linked >= 0 ? linked : st->sel, ncells,
			    c->focused ? st->sel : -1, linked, &aname);
	if (st->click_y >= 0) {
		click(st, &in, &L, ncells, nitems);
		layout(in.h, (size_t)nitems, notes_count(s), c->focused && st->sel >= 0, &L);
		if (linked < 0)
			top_cut = strip_for(s, st->sel, ncells, c->focused ? st->sel : -1, -1,
					    &aname);
	}
	clamp(st, nitems, L.list_rows, linked, c->focused);

	title_text(h, aname, (size_t)nitems, buf, sizeof(buf));
	in = ui_box(r, buf, c->focused);
	if (in.h <= 0 || in.w <= 0)
		return;
	for (int row = 0; row < in.h; row++)            /* the box does not clear */
		ui_fill(&in, row, 0, in.w, UR_NORMAL, " ");
	strip_draw(&in, h, &L);
	if (L.legend_y >= 0)
		legend_draw(&in, L.legend_y, top_cut);
	notes_draw(&in, &L, c);
	list_draw(&in, st, c, &L, linked);
	if (L.totals_y >= 0)
		totals_draw(&in, L.totals_y, h);
	if (!c->focused)
		return;
	if (!heap_item(h, st->sel, &it)) {
		set_link(c, NULL);
		return;
	}
	set_link(c, &it);
	detail_draw(&in, &L, c, it.c);
}
