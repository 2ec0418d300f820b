/* test_ui_heap.c - the heap pane drawn on a headless curses screen (output
 * to /dev/null, 60x200) from a heap built by hand: title, sizes, states,
 * bins, requested sizes, allocation sites, the split mark, totals, the
 * selection (keys, clicks, scrolling), the link both ways, the empty
 * panes, ASCII mode, nothing drawn outside the pane, a bug's chunk in red,
 * and the time to draw
 * 10,000 chunks.  Then allocation sites through heap_reqs, and ui_refs
 * against a forked child whose pointers we know: a global and a word in
 * another block point at its block. */
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "check.h"
#include "pid_mem.h"
#include "heap.h"
#include "space.h"
#include "ui_draw.h"
#include "ui_refs.h"

int main(void);

#define ROWS 60
#define COLS_ 200
#define BASE 0x555555559000ull

/* ---- screen helpers ------------------------------------------------------ */

/* Row y of the screen as UTF-8. */
static void line(int y, char *out, size_t n)
{
	wchar_t w[COLS_ + 1];
	int k = mvinnwstr(y, 0, w, COLS_);

	if (k < 0)
		k = 0;
	w[k] = 0;
	if (wcstombs(out, w, n) == (size_t)-1)
		snprintf(out, n, "<bad>");
}

/* The first screen row containing s, -1 if none. */
static int find_row(const char *s)
{
	char buf[4 * COLS_ + 1];

	for (int y = 0; y < ROWS; y++) {
		line(y, buf, sizeof(buf));
		if (strstr(buf, s))
			return y;
	}
	return -1;
}

/* Does row y contain s? */
static bool row_has(int y, const char *s)
{
	char buf[4 * COLS_ + 1];

	if (y < 0)
		return false;
	line(y, buf, sizeof(buf));
	return strstr(buf, s) != NULL;
}

/* The column where s starts in row y (by cells), -1 if not there. */
static int find_col(int y, const char *s)
{
	char buf[4 * COLS_ + 1];
	char *p;

	line(y, buf, sizeof(buf));
	if ((p = strstr(buf, s)) == NULL)
		return -1;
	*p = '\0';
	return ui_width(buf);
}

/* Print the screen (for failures). */
static void dump(const char *what)
{
	char buf[4 * COLS_ + 1];

	fprintf(stderr, "---- screen: %s\n", what);
	for (int y = 0; y < ROWS; y++) {
		line(y, buf, sizeof(buf));
		for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' '; n--)
			buf[n - 1] = '\0';
		if (strspn(buf, "~") < strlen(buf))
			fprintf(stderr, "%2d|%s\n", y, buf);
	}
}

/* Fill the whole screen with '~' (to see what a draw leaves alone). */
static void sentinel(void)
{
	for (int y = 0; y < ROWS; y++)
		for (int x = 0; x < COLS_; x++)
			mvaddch(y, x, '~');
}

/* Every cell outside r still holds the sentinel. */
static bool outside_untouched(const struct ui_rect *r)
{
	for (int y = 0; y < ROWS; y++)
		for (int x = 0; x < COLS_; x++) {
			if (y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w)
				continue;
			if ((mvinch(y, x) & A_CHARTEXT) != '~') {
				fprintf(stderr, "drawn outside the pane at %d,%d\n", y, x);
				return false;
			}
		}
	return true;
}

/* Every cell inside r is ASCII. */
static bool rect_ascii(const struct ui_rect *r)
{
	for (int y = r->y; y < r->y + r->h; y++)
		for (int x = r->x; x < r->x + r->w; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
				continue;
			for (int i = 0; wc[i]; i++)
				if ((unsigned)wc[i] >= 0x80) {
					fprintf(stderr, "non-ASCII U+%04x at %d,%d\n", (unsigned)wc[i], y, x);
					return false;
				}
		}
	return true;
}

/* The attribute (with color) of the cell at y, x. */
static attr_t attr_at(int y, int x)
{
	return (attr_t)(mvinch(y, x) & A_ATTRIBUTES);
}

/* The same for any cell, a wide character's too (mvinch cuts those). */
static attr_t wattr_at(int y, int x)
{
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t at = 0;
	short pair = 0;

	if (mvin_wch(y, x, &cc) == ERR)
		return 0;
	getcchar(&cc, wc, &at, &pair, NULL);
	return (at & ~A_COLOR) | (attr_t)COLOR_PAIR(pair);
}

/* ---- a heap built by hand ---------------------------------------------- */

struct spec {
	uint64_t size;
	enum chunk_state st;
	enum chunk_bin bin;
	int idx;
	uint64_t req;
	const char *fn;
	int line;
};

/* malloc(500) just split the free 0x7f0 chunk at +0x2d0: a 0x200 block
 * and a 0x5f0 remainder in unsorted. */
static const struct spec demo[] = {
	{ 0x290, CH_INUSE, BIN_NONE, -1, 0, NULL, 0 },
	{ 0x20, CH_FREE, BIN_TCACHE, 0, 0, NULL, 0 },
	{ 0x20, CH_INUSE, BIN_NONE, -1, 24, "main", 12 },
	{ 0x200, CH_INUSE, BIN_NONE, -1, 500, "make_buf", 31 },
	{ 0x5f0, CH_FREE, BIN_UNSORTED, -1, 0, NULL, 0 },
	{ 0x20560, CH_TOP, BIN_NONE, -1, 0, NULL, 0 },
};

/* Fill h's main arena from v[0..n) (glibc-like flags). */
static void build(struct heap_state *h, const struct spec *v, size_t n)
{
	struct heap_arena *a;
	uint64_t at = BASE;

	heap_state_clear(h);
	h->model = "glibc";
	h->user_off = 16;
	h->bins_known = true;
	a = heap_add_arena(h, "main");
	a->start = BASE;
	for (size_t i = 0; i < n; i++) {
		struct heap_chunk *c = heap_add_chunk(a);
		c->addr = at;
		c->size = v[i].size;
		c->state = v[i].st;
		c->bin = v[i].bin;
		c->bin_index = v[i].idx;
		c->req = v[i].req;
		c->site_fn = v[i].fn;
		c->site_file = v[i].fn ? "demo.c" : NULL;
		c->site_line = v[i].line;
		/* P clear after a free chunk that is not in tcache/fast */
		c->flags = i > 0 && v[i - 1].st == CH_FREE && v[i - 1].bin != BIN_TCACHE &&
				   v[i - 1].bin != BIN_FAST ? 0 : CHUNK_P;
		c->prev_size = i > 0 ? v[i - 1].size : 0;
		if (v[i].st == CH_TOP)
			a->top = at;
		at += v[i].size;
	}
	a->end = at;
}

/* Add one change naming chunks a and b (0: none). */
static void add_change(struct heap_state *h, enum heap_change_kind k, uint64_t a, uint64_t b)
{
	struct heap_change *c;

	util_grow((void **)&h->changes, &h->capchanges, h->nchanges + 1, sizeof(*h->changes));
	c = &h->changes[h->nchanges++];
	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->chunks[c->nchunks++] = a;
	if (b)
		c->chunks[c->nchunks++] = b;
	c->detail = "unsorted";
}

static struct ui_opts opts;
static struct ui_link link_;

/* Draw the pane in r from snap. */
static void draw(const struct ui_rect *r, struct ui_pane_state *st, const struct snapshot *snap,
		 bool focused)
{
	struct ui_ctx c = { snap, NULL, &opts, &link_, focused };

	ui_heap_draw(r, st, &c);
}

static void pane_state(struct ui_pane_state *st)
{
	memset(st, 0, sizeof(*st));
	st->sel = -1;
	st->click_y = st->click_x = -1;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- the pane ---------------------------------------------------------- */

static void test_pane(void)
{
	struct heap_state h;
	struct snapshot snap;
	struct ui_pane_state st;
	struct ui_rect r = { 5, 10, 40, 120 };
	char a[64];
	int y, y2;

	heap_state_init(&h);
	build(&h, demo, ARRAY_LEN(demo));
	add_change(&h, HC_SPLIT, BASE + 0x2d0, BASE + 0x4d0);
	memset(&snap, 0, sizeof(snap));
	snap.seq = 14;
	snap.fields = FIELD_ALL;
	snap.heap = &h;
	pane_state(&st);
	ui_draw_init(true, true);

	/* not focused: the list, the marks, the totals; nothing outside */
	sentinel();
	draw(&r, &st, &snap, false);
	CHECK(outside_untouched(&r));
	CHECK(find_row("Heap · main arena · 6 chunks") == r.y);
	CHECK_EQ_U(st.nitems, 6);
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x2d0);
	y = find_row(a);
	CHECK(y > r.y);
	CHECK(row_has(y, "0x200") && row_has(y, "in use") && row_has(y, "500") &&
	      row_has(y, "make_buf:31") && row_has(y, "◄ split"));
	CHECK(attr_at(y, find_col(y, a)) == (attr_t)(ui_attr(UR_CHANGED) & A_ATTRIBUTES));
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x4d0);
	y = find_row(a);
	CHECK(row_has(y, "0x5f0") && row_has(y, "free") && row_has(y, "unsorted") &&
	      row_has(y, "◄ split"));
	/* the chunk after a free unsorted chunk: P clear, prev_size shown */
	snprintf(a, sizeof(a), "0x%llx", BASE + 0xac0);
	y = find_row(a);
	CHECK(row_has(y, "0x20560") && row_has(y, "top") && row_has(y, "---") &&
	      row_has(y, "0x5f0"));
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x290);
	y = find_row(a);
	CHECK(row_has(y, "tcache[0]") && row_has(y, "P--") && !row_has(y, "◄"));
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x2b0);
	y = find_row(a);
	CHECK(row_has(y, "main:12") && row_has(y, " 24"));
	/* totals: in use 0x290+0x20+0x200 = 1,200 B; free 0x20+0x5f0 = 1,552 B
	 * in 2; frag = 1 - 1520/1552 = 0.02 */
	y = find_row("in use 1.2 KiB (3)");
	CHECK(y > 0 && row_has(y, "free 1.5 KiB (2)") && row_has(y, "frag 0.02") &&
	      row_has(y, "top 129"));
	/* the strip: two rows, a glyph per state (top, cut to half, fills the
	 * second row), chunk edges between blocks alike; the legend under it */
	CHECK(row_has(r.y + 1, "█") && row_has(r.y + 1, "▓") && row_has(r.y + 1, "▒") &&
	      row_has(r.y + 1, "│█") && row_has(r.y + 2, "░"));
	CHECK(row_has(r.y + 3, "in use") && row_has(r.y + 3, "top not to scale"));
	if (check_failures || getenv("TEST_DUMP"))
		dump("not focused");

	/* focused: the selection starts on the first changed chunk; the link */
	pane_state(&st);
	link_.active = false;
	draw(&r, &st, &snap, true);
	CHECK_EQ_U(st.sel, 3);
	CHECK(link_.active && link_.lo == BASE + 0x2d0 && link_.hi == BASE + 0x4d0);
	CHECK(strstr(link_.what, "chunk 0x5555555592d0 (in use)") != NULL);
	CHECK(find_row("allocated at make_buf (demo.c:31)") > 0);
	CHECK(find_row("pointed at by: nothing found") > 0);
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x2d0);
	y = find_row(a);
	CHECK(attr_at(y, find_col(y, a)) == (attr_t)(ui_attr(UR_SELECT) & A_ATTRIBUTES));

	/* keys moved sel past the end: clamped */
	st.sel = 99;
	draw(&r, &st, &snap, true);
	CHECK_EQ_U(st.sel, 5);
	CHECK(link_.lo == BASE + 0xac0);

	/* a click on a list row selects its chunk */
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x290);
	y = find_row(a);
	st.click_y = y;
	st.click_x = r.x + 5;
	draw(&r, &st, &snap, true);
	CHECK_EQ_U(st.sel, 1);
	CHECK(st.click_y == -1);
	/* a click on the strip's last cell selects top, its first the 0x290 block */
	st.click_y = r.y + 2;                    /* the strip's second row */
	st.click_x = r.x + r.w - 2;
	draw(&r, &st, &snap, true);
	CHECK_EQ_U(st.sel, 5);
	st.click_y = r.y + 1;
	st.click_x = r.x + 1;
	draw(&r, &st, &snap, true);
	CHECK_EQ_U(st.sel, 0);

	/* not focused, a pointer selected elsewhere lights its chunk */
	link_.active = true;
	link_.lo = link_.hi = BASE + 0x2b0 + 16;
	draw(&r, &st, &snap, false);
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x2b0);
	y = find_row(a);
	CHECK(attr_at(y, find_col(y, a)) == (attr_t)(ui_attr(UR_LINKED) & A_ATTRIBUTES));
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x290);
	y2 = find_row(a);
	CHECK(attr_at(y2, find_col(y2, a)) == (attr_t)(ui_attr(UR_NORMAL) & A_ATTRIBUTES));
	link_.active = false;
	if (check_failures || getenv("TEST_DUMP"))
		dump("focused");

	/* narrow: fewer columns, still the size, state and mark */
	{
		struct ui_rect n = { 0, 0, 20, 44 };
		sentinel();
		pane_state(&st);
		draw(&n, &st, &snap, false);
		CHECK(outside_untouched(&n));
		snprintf(a, sizeof(a), "0x%llx", BASE + 0x2d0);
		y = find_row(a);
		CHECK(row_has(y, "0x200") && row_has(y, "in use") && row_has(y, "◄ split"));
		if (check_failures)
			dump("narrow");
		/* tiny: no crash, nothing outside */
		struct ui_rect t = { 3, 3, 4, 12 };
		sentinel();
		draw(&t, &st, &snap, true);
		CHECK(outside_untouched(&t));
	}

	/* ASCII: no byte >= 0x80 in the pane */
	ui_draw_init(false, false);
	sentinel();
	pane_state(&st);
	draw(&r, &st, &snap, true);
	CHECK(rect_ascii(&r));
	CHECK(outside_untouched(&r));
	CHECK(find_row("Heap - main arena - 6 chunks") == r.y);
	CHECK(find_row("< split") > 0);
	if (check_failures || getenv("TEST_DUMP"))
		dump("ascii");
	ui_draw_init(true, true);

	/* a thread's arena and an mmapped chunk: numbered after main's chunks */
	{
		struct heap_arena *ta = heap_add_arena(&h, "thread 1");
		struct heap_chunk *tc;
		uint64_t tb = 0x7ffff0000000ull + 0x8b0;
		for (int i = 0; i < 3; i++) {
			tc = heap_add_chunk(ta);
			tc->addr = tb + 0x100 * (uint64_t)i;
			tc->size = i < 2 ? 0x100 : 0x20000;
			tc->state = i < 2 ? CH_INUSE : CH_TOP;
			tc->flags = CHUNK_P | CHUNK_A;
		}
		util_grow((void **)&h.mmapped, &h.capmmapped, 1, sizeof(*h.mmapped));
		h.nmmapped = 1;
		memset(&h.mmapped[0], 0, sizeof(h.mmapped[0]));
		h.mmapped[0] = (struct heap_chunk){ .addr = 0x7ffff7d00000ull, .size = 0x32000,
						    .flags = CHUNK_M, .state = CH_MMAPPED,
						    .bin_index = -1, .req = 200000 };
		pane_state(&st);
		st.sel = 7;
		sentinel();
		draw(&r, &st, &snap, true);
		CHECK_EQ_U(st.nitems, 10);
		CHECK(find_row("Heap · thread 1 arena (2 arenas) · 10 chunks") == r.y);
		CHECK(link_.active && link_.lo == tb + 0x100);
		y = find_row("0x7ffff00009b0");
		CHECK(y > 0 && row_has(y, "P-A") && row_has(y, "0x100") && row_has(y, "in use"));
		st.sel = 9;
		draw(&r, &st, &snap, true);
		CHECK(find_row("Heap · mmapped (2 arenas) · 10 chunks") == r.y);
		y = find_row("0x7ffff7d00000");
		CHECK(y > 0 && row_has(y, "0x32000") && row_has(y, "-M-") && row_has(y, "mmapped") &&
		      row_has(y, "200000"));
		CHECK(find_row("mmapped 200 KiB (1)") > 0);
		CHECK(outside_untouched(&r));
		if (check_failures || getenv("TEST_DUMP"))
			dump("arenas");
		h.n = 1;
		h.nmmapped = 0;
	}

	/* degraded: bins unknown, said in the pane */
	h.bins_known = false;
	snprintf(h.degraded, sizeof(h.degraded), "main_arena not found: chunk walk only, bin details off");
	sentinel();
	draw(&r, &st, &snap, false);
	CHECK(find_row("main_arena not found") > r.y);
	h.bins_known = true;
	h.degraded[0] = '\0';

	/* empty panes say why */
	snap.heap = NULL;
	sentinel();
	draw(&r, &st, &snap, false);
	CHECK(find_row("heap not read at this stop") > 0);
	CHECK(outside_untouched(&r));
	snap.ev.kind = EV_EXIT;
	draw(&r, &st, &snap, false);
	CHECK(find_row("the program has exited") > 0);
	snap.ev.kind = 0;
	heap_state_clear(&h);
	h.model = "glibc";
	snap.heap = &h;
	draw(&r, &st, &snap, true);
	CHECK(find_row("no heap: the program has not called malloc") > 0);
	CHECK_EQ_U(st.nitems, 0);
	CHECK(!link_.active);
	heap_state_free(&h);
}

/* ---- bugs -------------------------------------------------------------- */

/* A bug of the stop in a chunk: its row red with "⚠ KIND" (the mark red
 * when the row is selected), its strip cells red, a red note saying it;
 * no bug, no red. */
static void test_bugs(void)
{
	struct heap_state h;
	struct snapshot snap;
	struct ui_pane_state st;
	struct ui_rect r = { 5, 10, 40, 120 };
	struct diag d = { .kind = DG_DOUBLE_FREE, .addr = BASE + 0x290 + 16 };
	attr_t red = (attr_t)ui_attr(UR_ERROR);
	char a[64];
	int y, x, strip_red = 0;

	heap_state_init(&h);
	build(&h, demo, ARRAY_LEN(demo));
	memset(&snap, 0, sizeof(snap));
	snap.seq = 15;
	snap.fields = FIELD_ALL;
	snap.heap = &h;
	snprintf(d.message, sizeof(d.message), "free of a block already in tcache");
	ui_draw_init(true, true);

	/* no bug: nothing red */
	pane_state(&st);
	sentinel();
	draw(&r, &st, &snap, false);
	for (int row = r.y; row < r.y + r.h; row++)
		for (x = r.x; x < r.x + r.w; x++)
			strip_red += wattr_at(row, x) == red;
	CHECK_EQ_U(strip_red, 0);
	CHECK(find_row("⚠") < 0);

	/* a double free of the tcache chunk at +0x290 */
	snap.diags = &d;
	snap.ndiags = 1;
	sentinel();
	draw(&r, &st, &snap, false);
	CHECK(outside_untouched(&r));
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x290);
	y = find_row(a);
	CHECK(y > r.y && row_has(y, "⚠ double_free") && !row_has(y, "◄"));
	CHECK(wattr_at(y, find_col(y, a)) == red);
	CHECK(wattr_at(y, find_col(y, "⚠ double_free")) == red);
	/* the other rows are not red */
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x2b0);
	CHECK(wattr_at(find_row(a), find_col(find_row(a), a)) != red);
	/* the strip: some cells red, on its first row */
	strip_red = 0;
	for (x = r.x + 1; x < r.x + r.w - 1; x++)
		strip_red += wattr_at(r.y + 1, x) == red;
	CHECK(strip_red > 0);
	/* the note under the legend */
	y = find_row("⚠ double_free at 0x5555555592a0: free of a block already in tcache");
	CHECK(y > r.y && y < r.y + 6);
	CHECK(wattr_at(y, r.x + 1) == red);
	if (check_failures || getenv("TEST_DUMP"))
		dump("bug");

	/* selected (focused), the row shows the selection, its mark stays red */
	pane_state(&st);
	st.sel = 1;
	draw(&r, &st, &snap, true);
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x290);
	y = find_row(a);
	CHECK(wattr_at(y, find_col(y, a)) == (attr_t)ui_attr(UR_SELECT));
	CHECK(wattr_at(y, find_col(y, "⚠ double_free")) == red);

	/* a leak's user pointer inside the 500-byte block; a stack bug is
	 * not the heap pane's */
	d.kind = DG_LEAK;
	d.addr = BASE + 0x2d0 + 16;
	pane_state(&st);
	draw(&r, &st, &snap, false);
	snprintf(a, sizeof(a), "0x%llx", BASE + 0x2d0);
	y = find_row(a);
	CHECK(row_has(y, "⚠ leak") && wattr_at(y, find_col(y, a)) == red);
	d.kind = DG_UNINIT_READ;
	sentinel();
	draw(&r, &st, &snap, false);
	CHECK(find_row("⚠") < 0);

	/* ASCII: the mark is "!!" */
	d.kind = DG_USE_AFTER_FREE;
	ui_draw_init(false, false);
	sentinel();
	draw(&r, &st, &snap, false);
	CHECK(rect_ascii(&r));
	CHECK(find_row("!! use_after_free") > 0);
	ui_draw_init(true, true);
	heap_state_free(&h);
}

/* 10,000 chunks: scrolling to the end, and the time of a draw at 60x200. */
static void test_many(void)
{
	enum { N = 10000 };
	struct heap_state h;
	struct snapshot snap;
	struct ui_pane_state st;
	struct ui_rect r = { 0, 0, ROWS, COLS_ };
	struct spec *v = calloc(N, sizeof(*v));
	char a[64];
	double t0, first, avg;

	for (size_t i = 0; i < N - 1; i++)
		v[i] = (struct spec){ 0x20 + 0x10 * (i % 5), i % 3 ? CH_INUSE : CH_FREE,
				      i % 3 ? BIN_NONE : BIN_TCACHE, i % 3 ? -1 : (int)(i % 5),
				      i % 3 ? 24 : 0, i % 3 ? "fill" : NULL, (int)i };
	v[N - 1] = (struct spec){ 0x10000, CH_TOP, BIN_NONE, -1, 0, NULL, 0 };
	heap_state_init(&h);
	build(&h, v, N);
	for (size_t i = 0; i < N; i++)         /* the first stop: every block is new */
		if (v[i].st == CH_INUSE)
			add_change(&h, HC_ALLOC, h.arenas[0].chunks[i].addr, 0);
	memset(&snap, 0, sizeof(snap));
	snap.seq = 100;
	snap.heap = &h;
	pane_state(&st);
	st.sel = N - 1;
	t0 = now_ms();
	draw(&r, &st, &snap, true);
	first = now_ms() - t0;
	snprintf(a, sizeof(a), "0x%" PRIx64, h.arenas[0].chunks[N - 1].addr);
	CHECK(find_row(a) > 0);
	CHECK(find_row("Heap · main arena · 10000 chunks") == 0);
	CHECK(st.scroll > 0 && st.scroll <= N - 1);
	st.sel = 0;
	draw(&r, &st, &snap, true);
	CHECK_EQ_U(st.scroll, 0);
	t0 = now_ms();
	for (int i = 0; i < 100; i++) {
		st.sel = (i * 97) % N;
		draw(&r, &st, &snap, i % 2 == 0);
	}
	avg = (now_ms() - t0) / 100;
	fprintf(stderr, "10,000 chunks at 60x200: first draw %.3f ms (sorts %zu changes), "
		"then %.3f ms a draw\n", first, h.nchanges, avg);
#ifdef __SANITIZE_ADDRESS__
	const double limit = 25.0;              /* sanitizers slow everything ~3x */
#else
	const double limit = 5.0;
#endif
	CHECK(first < limit);
	CHECK(avg < limit);
	heap_state_free(&h);
	free(v);
}

/* ---- allocation sites ---------------------------------------------------- */

static void test_sites(void)
{
	struct heap_reqs *r = heap_reqs_new();
	struct heap_state h;
	char fn[32], file[32];

	heap_state_init(&h);
	build(&h, demo, ARRAY_LEN(demo));
	for (size_t i = 0; i < h.arenas[0].n; i++) {
		h.arenas[0].chunks[i].site_fn = NULL;
		h.arenas[0].chunks[i].req = 0;
	}
	/* strings from a buffer that changes afterwards: the table keeps copies */
	snprintf(fn, sizeof(fn), "make_buf");
	snprintf(file, sizeof(file), "demo.c");
	heap_reqs_set(r, BASE + 0x2d0 + 16, 500);
	heap_reqs_set_site(r, BASE + 0x2d0 + 16, fn, file, 31);
	snprintf(fn, sizeof(fn), "main");
	heap_reqs_set_site(r, BASE + 0x2b0 + 16, fn, file, 12);   /* size unknown */
	snprintf(fn, sizeof(fn), "XXXX");
	snprintf(file, sizeof(file), "YYYY");
	for (uint64_t i = 1; i <= 5000; i++) {                       /* rehashes */
		heap_reqs_set(r, 0x100000 + i * 16, i);
		heap_reqs_set_site(r, 0x100000 + i * 16, i % 2 ? "odd" : "even", NULL, (int)i);
	}
	heap_reqs_apply(r, &h);
	const struct heap_chunk *c = h.arenas[0].chunks;
	CHECK_STR(c[3].site_fn, "make_buf");
	CHECK_STR(c[3].site_file, "demo.c");
	CHECK_EQ_U(c[3].site_line, 31);
	CHECK_EQ_U(c[3].req, 500);
	CHECK_STR(c[2].site_fn, "main");
	CHECK_EQ_U(c[2].req, 0);
	CHECK(c[3].site_file == c[2].site_file);     /* interned once */
	CHECK(c[0].site_fn == NULL && c[5].site_fn == NULL);
	/* free forgets the site; a new malloc at the same place has its own */
	heap_reqs_set(r, BASE + 0x2d0 + 16, 0);
	heap_reqs_apply(r, &h);
	CHECK(c[3].site_fn == NULL && c[3].req == 0);
	heap_reqs_set(r, BASE + 0x2d0 + 16, 7);
	heap_reqs_set_site(r, BASE + 0x2d0 + 16, "again", "demo.c", 40);
	heap_reqs_apply(r, &h);
	CHECK_STR(c[3].site_fn, "again");
	CHECK_EQ_U(c[3].req, 7);
	/* the far keys kept their sites through the rehashes */
	h.user_off = 0;
	h.arenas[0].chunks[0].addr = 0x100000 + 4 * 16;
	h.arenas[0].chunks[2].addr = 0x100000 + 4999 * 16;
	heap_reqs_apply(r, &h);
	CHECK_STR(c[0].site_fn, "even");
	CHECK_EQ_U(c[0].site_line, 4);
	CHECK_STR(c[2].site_fn, "odd");
	CHECK_EQ_U(c[2].req, 4999);
	heap_state_free(&h);
	heap_reqs_free(r);
}

/* ---- ui_refs against a real process -------------------------------------- */

struct node {
	long v;
	void *next;
};

void *volatile g_ptr;                   /* in .bss: points at block a */
void *volatile g_end;                   /* one past c's chunk: the next chunk's */

/* Write n bytes to fd or die. */
static void write_all(int fd, const void *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			_exit(3);
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

/* glibc's own malloc, also under a sanitizer (whose malloc is not glibc's
 * and has no chunks for the model to walk). */
extern void *__libc_malloc(size_t n);

/* The child: a is pointed at by g_ptr and by b->next; c by nothing in
 * memory, g_end and b->v point one past c's chunk. */
static void child(int fd)
{
	struct node *a = __libc_malloc(sizeof(*a)), *b = __libc_malloc(sizeof(*b));
	char *c = __libc_malloc(100);
	uint64_t v[4];

	a->v = 1;
	a->next = a;                            /* its own word does not count */
	b->v = 2;
	b->next = a;
	g_ptr = a;
	memset(c, 0, 100);
	/* glibc's header: the size word before the user pointer, flags in the low bits */
	g_end = c - 16 + (((size_t *)(void *)c)[-1] & ~(size_t)7);
	b->v = (long)(uintptr_t)g_end;          /* a heap word one past c too */
	v[0] = (uint64_t)(uintptr_t)a;
	v[1] = (uint64_t)(uintptr_t)b;
	v[2] = (uint64_t)(uintptr_t)c;
	v[3] = (uint64_t)(uintptr_t)(void *)&g_ptr;
	__asm__ volatile("" ::: "memory");      /* the stores above are kept */
	write_all(fd, v, sizeof(v));
	raise(SIGSTOP);
	_exit(0);
}

static size_t nreads;

static int counting_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	nreads++;
	return pid_mem_read(ctx, addr, buf, len);
}

/* The ref with text containing s, or NULL. */
static const struct ui_ref *ref_named(const struct ui_ref *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i].text, s))
			return &v[i];
	return NULL;
}

static pid_t child_pid = -1;
static uint64_t child_v[4];             /* a, b, c, &g_ptr in the child */

/* Fork the child first thing, before the test's own heap holds anything
 * the child would inherit; it waits stopped until test_refs. */
static void spawn_child(void)
{
	int p[2];

	if (pipe(p) != 0)
		return;
	fflush(NULL);
	child_pid = fork();
	if (child_pid == 0) {
		close(p[0]);
		child(p[1]);
	}
	close(p[1]);
	if (child_pid > 0 && read(p[0], child_v, sizeof(child_v)) != (ssize_t)sizeof(child_v))
		child_v[0] = 0;
	close(p[0]);
}

static void test_refs(void)
{
	int stv;
	pid_t pid = child_pid;
	uint64_t *v = child_v, fs = 0;
	struct user_regs_struct regs;
	struct space sp;
	struct heap_state h;
	struct snapshot snap;
	struct mem_reader mem = { &pid, counting_read };
	struct ui_ref out[16];
	struct ui_refs *rf;
	char *cause = NULL, want[64];
	size_t n;

	if (pid <= 0 || v[0] == 0 || waitpid(pid, &stv, WUNTRACED) != pid ||
	    ptrace(PTRACE_ATTACH, pid, 0, 0) != 0 || waitpid(pid, &stv, __WALL) != pid) {
		fprintf(stderr, "cannot stop and attach the child: %s\n", strerror(errno));
		check_failures++;
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &stv, 0);
		}
		return;
	}
	rf = ui_refs_new();
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) == 0)
		fs = regs.fs_base;
	space_init(&sp);
	heap_state_init(&h);
	CHECK(space_read(&sp, pid, &cause) == 0);
	free(cause);
	struct glibc_ctx gc = { &sp, &mem, &fs, 1 };
	heap_glibc_read(&h, &gc);
	memset(&snap, 0, sizeof(snap));
	snap.seq = 1;
	snap.pid = pid;
	snap.space = &sp;
	snap.heap = &h;
	const struct heap_chunk *ca = heap_find_chunk(&h, v[0]), *cc = heap_find_chunk(&h, v[2]);
	CHECK(ca != NULL && cc != NULL);
	if (!ca || !cc)
		goto out;

	/* a: g_ptr in .bss and b->next (b + 8) */
	n = ui_refs_find(rf, &snap, &mem, ca->addr, ca->addr + ca->size, out, 16);
	for (size_t i = 0; i < n && i < 16; i++)
		fprintf(stderr, "ref to a: kind %d at 0x%" PRIx64 ": %s\n", out[i].kind,
			out[i].addr, out[i].text);
	CHECK_EQ_U(n, 2);
	const struct ui_ref *rg = ref_named(out, n, "g_ptr (.bss)");
	CHECK(rg && rg->kind == UREF_GLOBAL && rg->addr == v[3] && rg->value == v[0]);
	snprintf(want, sizeof(want), "block 0x%" PRIx64 "+0x8", v[1]);
	const struct ui_ref *rh = ref_named(out, n, want);
	CHECK(rh && rh->kind == UREF_HEAP && rh->addr == v[1] + 8);
	CHECK(!ui_refs_truncated(rf));

	/* c: nothing (g_end points one past it: at the next chunk); the memory
	 * was read once for the stop */
	size_t before = nreads;
	n = ui_refs_find(rf, &snap, &mem, cc->addr, cc->addr + cc->size, out, 16);
	CHECK_EQ_U(n, 0);
	CHECK_EQ_U(nreads, before);
	n = ui_refs_find(rf, &snap, &mem, cc->addr + cc->size, cc->addr + cc->size + 16, out, 16);
	CHECK_EQ_U(n, 2);
	CHECK(ref_named(out, n, "g_end (.bss)") != NULL);
	snprintf(want, sizeof(want), "block 0x%" PRIx64 "+0x0", v[1]);
	CHECK(ref_named(out, n, want) != NULL);

	/* a frame's pointer variable counts too */
	struct var_info var = { .name = "p", .is_ptr = true, .ptr = v[0], .has_addr = true,
				.addr = 0x7ffc0000 };
	struct var_list vl = { &var, 1, 1 };
	struct uw_frame fr;
	memset(&fr, 0, sizeof(fr));
	fr.loc.fn = "recurse";
	struct thread_state ts;
	memset(&ts, 0, sizeof(ts));
	ts.tid = pid;
	ts.has_stack = true;
	ts.stack.frames = &fr;
	ts.stack.n = 1;
	ts.vars = &vl;
	snap.threads = &ts;
	snap.nthreads = 1;
	n = ui_refs_find(rf, &snap, &mem, ca->addr, ca->addr + ca->size, out, 16);
	CHECK_EQ_U(n, 3);
	snprintf(want, sizeof(want), "recurse: p (frame #0, thread %d)", (int)pid);
	CHECK(n > 0 && out[0].kind == UREF_VAR && strcmp(out[0].text, want) == 0);
	/* max 1: the count is still all of them */
	CHECK_EQ_U(ui_refs_find(rf, &snap, &mem, ca->addr, ca->addr + ca->size, out, 1), 3);

	/* the pane says it: pointed at by, for the selected chunk */
	{
		struct ui_rect r = { 0, 0, 40, 200 };
		struct ui_pane_state st;
		struct ui_opts o = { .mem = &mem };
		struct ui_ctx c = { &snap, NULL, &o, &link_, true };
		pane_state(&st);
		snap.seq = 2;
		st.sel = (int)(ca - h.arenas[0].chunks);
		sentinel();
		ui_heap_draw(&r, &st, &c);
		int y = find_row("pointed at by:");
		CHECK(y > 0 && row_has(y, "recurse: p (frame #0") && row_has(y, "g_ptr (.bss)"));
		snprintf(want, sizeof(want), "block 0x%" PRIx64 "+0x8", v[1]);
		CHECK(row_has(y, want));
		if (check_failures || getenv("TEST_DUMP"))
			dump("refs");
	}
	snap.threads = NULL;
	snap.nthreads = 0;

	/* a cap below the spans: said, and no crash */
	ui_refs_set_cap(rf, 4096);
	snap.seq = 3;
	ui_refs_find(rf, &snap, &mem, ca->addr, ca->addr + ca->size, out, 16);
	CHECK(ui_refs_truncated(rf));
out:
	kill(pid, SIGKILL);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	while (waitpid(pid, &stv, __WALL) < 0 && errno == EINTR)
		;
	ui_refs_free(rf);
	heap_state_free(&h);
	space_free(&sp);
}

int main(void)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr;

	spawn_child();
	test_sites();
	if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8")) {
		printf("skip: no C.UTF-8 locale\n");
		return 77;
	}
	setenv("TERM", "xterm-256color", 1);
	if (!out || !in || (scr = newterm(NULL, out, in)) == NULL) {
		printf("skip: cannot open a headless curses screen\n");
		return 77;
	}
	resizeterm(ROWS, COLS_);
	start_color();
	use_default_colors();
	test_pane();
	test_bugs();
	test_many();
	test_refs();
	ui_heap_free();
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	CHECK_DONE();
}
