/* test_ui_panes.c - the address-space and stack panes (ui_space_draw,
 * ui_stack_draw) drawn headless: curses on a 200x60 xterm-256color screen
 * whose output goes to a scratch file, read back cell by cell.
 *
 * Real process: demos/stack_frames 5 wait (a 5-deep recursion blocked in
 * read(), a 16-byte block in the heap) is stopped and read with the
 * library (space, unwind, vars, glibc heap, pointer classification), then
 * drawn: titles, region names, sizes, sections, brk and sp marks, frame
 * titles with their byte counts, the slot of a local at the address the
 * demo printed, the pointer into the heap, the order of things (high
 * addresses on top; flipped), ASCII mode (no byte >= 0x80 on the screen
 * nor in what curses sent), nothing drawn outside the pane at any size.
 *
 * Hand-built snapshots: a fault in a gap and in a region, brk and stack
 * growth, the three scales, selection, clicks, linked panes both ways,
 * pushed and popped frames, a stack argument in the caller's box, a
 * register variable, a dangling pointer, the bugs of a stop marked in red
 * (a smashed return slot, an uninitialized read, a dangling pointer, a bad
 * dereference), empty panes, and a 10,000-frame
 * stack drawn in bounded time.
 *
 * The heap pane (ui_heap_draw, another file) is drawn too when it is
 * linked in: its title and the demo's chunk size, and its clipping. */
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "check.h"
#include "pid_mem.h"
#include "demo_wait.h"
#include "heap.h"
#include "snapshot.h"
#include "ui_draw.h"

/* The heap pane is another helper's file: test it only when it is there. */
#pragma weak ui_heap_draw

#define NROWS 60
#define NCOLS 200
#define MARK '@'

static const struct ui_opts opts = { .program = "test" };
static FILE *term_out;

/* ---- the screen ---------------------------------------------------------- */

/* The character (as UTF-8 into u8) and attributes of one cell. */
static wchar_t cell(int y, int x, char *u8, attr_t *attr)
{
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1] = { 0 };
	attr_t a = 0;
	short pair = 0;
	mbstate_t st = { 0 };
	size_t k;

	if (mvin_wch(y, x, &cc) == ERR)
		wc[0] = 0;
	else
		getcchar(&cc, wc, &a, &pair, NULL);
	if (u8) {
		k = wc[0] ? wcrtomb(u8, wc[0], &st) : (size_t)-1;
		if (k == (size_t)-1)
			k = 0;
		u8[k] = '\0';
	}
	if (attr)
		*attr = a | (attr_t)COLOR_PAIR(pair);
	return wc[0];
}

/* Row y between columns x0 and x1 as UTF-8. */
static void screen_row(int y, int x0, int x1, char *buf, size_t n)
{
	size_t len = 0;
	char u8[MB_LEN_MAX + 1];

	buf[0] = '\0';
	for (int x = x0; x < x1; x++) {
		cell(y, x, u8, NULL);
		if (!u8[0])
			strcpy(u8, " ");
		if (len + strlen(u8) + 1 >= n)
			break;
		strcpy(buf + len, u8);
		len += strlen(u8);
	}
}

/* The first row (from `from`) of r holding s, and its column; -1 if none. */
static int find_from(const struct ui_rect *r, int from, const char *s, int *col)
{
	char row[NCOLS * 4 + 1];

	for (int y = r->y + from; y < r->y + r->h && y < NROWS; y++) {
		char *p;
		screen_row(y, r->x, r->x + r->w, row, sizeof row);
		if ((p = strstr(row, s)) != NULL) {
			if (col) {              /* cells before the match */
				mbstate_t st = { 0 };
				int c = 0;
				for (const char *q = row; q < p; c++)
					q += mbrlen(q, MB_CUR_MAX, &st);
				*col = r->x + c;
			}
			return y;
		}
	}
	return -1;
}

static int find(const struct ui_rect *r, const char *s)
{
	return find_from(r, 0, s, NULL);
}

/* Does row y of r hold s? */
static bool row_has(const struct ui_rect *r, int y, const char *s)
{
	char row[NCOLS * 4 + 1];

	if (y < 0)
		return false;
	screen_row(y, r->x, r->x + r->w, row, sizeof row);
	return strstr(row, s) != NULL;
}

/* With TEST_UI_DUMP set, print rectangle r of the screen on stderr. */
static void dump(const char *what, const struct ui_rect *r)
{
	char row[NCOLS * 4 + 1];

	if (!getenv("TEST_UI_DUMP"))
		return;
	fprintf(stderr, "---- %s\n", what);
	for (int y = r->y; y < r->y + r->h && y < NROWS; y++) {
		screen_row(y, r->x, r->x + r->w, row, sizeof row);
		fprintf(stderr, "%2d %s\n", y, row);
	}
}

static void fill_marker(void)
{
	for (int y = 0; y < NROWS; y++)
		for (int x = 0; x < NCOLS; x++)
			mvaddch(y, x, MARK);
}

static bool inside(const struct ui_rect *r, int y, int x)
{
	return y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w;
}

/* Cells outside r that are no longer the marker. */
static int drawn_outside(const struct ui_rect *r)
{
	int n = 0;

	for (int y = 0; y < NROWS; y++)
		for (int x = 0; x < NCOLS; x++)
			if (!inside(r, y, x) && cell(y, x, NULL, NULL) != MARK)
				n++;
	return n;
}

static int drawn_inside(const struct ui_rect *r)
{
	int n = 0;

	for (int y = 0; y < NROWS; y++)
		for (int x = 0; x < NCOLS; x++)
			if (inside(r, y, x) && cell(y, x, NULL, NULL) != MARK)
				n++;
	return n;
}

static int non_ascii_cells(void)
{
	int n = 0;

	for (int y = 0; y < NROWS; y++)
		for (int x = 0; x < NCOLS; x++)
			if ((unsigned long)cell(y, x, NULL, NULL) >= 0x80)
				n++;
	return n;
}

/* The attributes of the cell where s starts on row y (0 if not there). */
static attr_t attr_at(const struct ui_rect *r, int y, const char *s)
{
	int col;
	attr_t a = 0;

	if (y < 0 || find_from(r, y - r->y, s, &col) != y)
		return 0;
	cell(y, col, NULL, &a);
	return a;
}

/* Does the role show as attributes of its own (a check on it means
 * something)?  Not in monochrome for roles drawn plain. */
static bool distinct(enum ui_role role)
{
	return ui_attr(role) != ui_attr(UR_NORMAL);
}

static bool has_role(attr_t a, enum ui_role role)
{
	return (a & (A_ATTRIBUTES | A_COLOR)) == ((attr_t)ui_attr(role) & (A_ATTRIBUTES | A_COLOR));
}

/* Bytes curses sent for a full repaint; -1 if they cannot be read. */
static long repaint_bytes(char **out)
{
	int fd = fileno(term_out);
	off_t from, to;
	char *buf;

	fflush(term_out);
	from = lseek(fd, 0, SEEK_END);
	clearok(curscr, TRUE);
	refresh();
	fflush(term_out);
	to = lseek(fd, 0, SEEK_END);
	if (from < 0 || to < from)
		return -1;
	buf = malloc((size_t)(to - from) + 1);
	if (!buf || pread(fd, buf, (size_t)(to - from), from) != to - from) {
		free(buf);
		return -1;
	}
	*out = buf;
	return (long)(to - from);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct ui_pane_state pane(void)
{
	return (struct ui_pane_state){ .sel = -1, .click_y = -1, .click_x = -1 };
}

/* ---- a real process -------------------------------------------------------- */

static pid_t child = -1;
static uint64_t here0_addr, malloc_ptr;   /* what the demo printed */

/* The addresses the demo prints before it is ready. */
static void demo_line(const char *line)
{
	unsigned long v;

	if (sscanf(line, "local recurse[0] here 0x%lx", &v) == 1)
		here0_addr = v;
	if (sscanf(line, "malloc 16 -> 0x%lx", &v) == 1)
		malloc_ptr = v;
}

/* `demos/stack_frames 5 wait`, ready and asleep in read(). */
static int start_demo(void)
{
	child = demo_start_waiting("5", demo_line, 1);
	return child > 0 ? 0 : -1;
}

static void end_demo(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		while (waitpid(child, NULL, __WALL) < 0 && errno == EINTR)
			;
		child = -1;
	}
}

struct real {
	struct space sp;
	struct heap_state heap;
	struct debuginfo *dbg;
	struct snapshot snap;
};

/* Stop the demo and take a snapshot of it: space, stack, heap, pointers. */
static int snap_demo(struct real *R)
{
	struct user_regs_struct regs;
	struct mem_reader mem = { &child, pid_mem_read };
	int st;

	if (ptrace(PTRACE_SEIZE, child, 0, 0) != 0 || ptrace(PTRACE_INTERRUPT, child, 0, 0) != 0)
		return -1;
	if (waitpid(child, &st, __WALL) != child || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_GETREGS, child, 0, &regs) != 0)
		return -1;
	space_init(&R->sp);
	if (space_read(&R->sp, child, NULL) != 0)
		return -1;
	R->dbg = debuginfo_new();

	struct vars_opts vo = { .mem = &mem, .elf = &R->sp.elf, .dbg = R->dbg };
	struct uw_input in = { .space = &R->sp, .dbg = R->dbg, .mem = &mem };
	uint64_t fs = regs.fs_base;
	struct glibc_ctx gc = { .space = &R->sp, .mem = &mem, .fs_bases = &fs, .nfs = 1 };

	memset(&R->snap, 0, sizeof R->snap);
	R->snap.seq = 1;
	R->snap.pid = child;
	R->snap.fields = FIELD_ALL;
	R->snap.ev.kind = EV_BREAK;
	R->snap.space = &R->sp;
	snapshot_threads(&R->snap, 1);
	R->snap.threads[0].tid = child;
	R->snap.threads[0].pc = regs.rip;
	R->snap.threads[0].sp = regs.rsp;
	snapshot_read_stack(&R->snap.threads[0], &in, &regs, &vo);
	heap_state_init(&R->heap);
	heap_glibc_read(&R->heap, &gc);
	R->snap.heap = &R->heap;
	snapshot_classify(&R->snap);
	return 0;
}

static const struct region *region_named(const struct space *sp, const char *path)
{
	for (size_t i = 0; i < sp->n; i++)
		if (sp->regions[i].path && strcmp(sp->regions[i].path, path) == 0)
			return &sp->regions[i];
	return NULL;
}

/* Display index (0 = highest) of a region. */
static int disp_of(const struct space *sp, const struct region *rg)
{
	return (int)(sp->n - 1 - (size_t)(rg - sp->regions));
}

static void real_space(struct real *R)
{
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = &R->snap, .o = &opts, .link = &link };
	struct ui_rect r = { 1, 0, 58, 66 };
	struct ui_pane_state st = pane();
	const struct region *heap = region_named(&R->sp, "[heap]");
	const struct region *stack = region_named(&R->sp, "[stack]");
	char size[32], sp_text[64], brk_text[64];
	int y_title, y_stack, y_heap, y_exe, y_text, y_brk, y_sp;

	CHECK(heap != NULL);
	CHECK(stack != NULL);
	if (!heap || !stack)
		return;
	/* gaps compressed: every region fits, in address order */
	st.scale = 1;
	fill_marker();
	ui_space_draw(&r, &st, &c);
	dump("real space, gaps compressed", &r);
	CHECK(drawn_outside(&r) == 0);
	y_title = find(&r, "Address space (gaps compressed)");
	CHECK(y_title == r.y);
	y_stack = find(&r, "[stack]");
	y_heap = find(&r, "[heap]");
	y_exe = find(&r, "stack_frames");
	CHECK(y_stack > r.y);
	CHECK(y_heap > y_stack);              /* high addresses on top */
	CHECK(y_exe > y_heap);
	/* the executable's code, selected: scrolled into view, .text under it */
	for (size_t i = 0; i < R->sp.n; i++)
		if (R->sp.regions[i].mod && R->sp.regions[i].mod->is_exe &&
		    R->sp.regions[i].perms[2] == 'x')
			st.sel = disp_of(&R->sp, &R->sp.regions[i]);
	CHECK(st.sel >= 0);
	ui_space_draw(&r, &st, &c);
	y_exe = find(&r, "r-x");
	while (y_exe > 0 && !row_has(&r, y_exe, "stack_frames"))
		y_exe = find_from(&r, y_exe - r.y + 1, "r-x", NULL);
	CHECK(y_exe > r.y);
	y_text = find_from(&r, y_exe - r.y, ".text", NULL);
	CHECK(y_text == y_exe + 1);
	CHECK(row_has(&r, y_text, ".plt"));
	st.sel = -1;
	ui_space_draw(&r, &st, &c);
	ui_size(size, sizeof size, heap->end - heap->start);
	CHECK(row_has(&r, y_heap, size));
	ui_size(size, sizeof size, stack->end - stack->start);
	CHECK(row_has(&r, y_stack, size));
	ui_addr(&c, heap->end, size, sizeof size);
	snprintf(brk_text, sizeof brk_text, "%s brk %s", ui_glyph(UG_UP), size);
	y_brk = find(&r, brk_text);
	CHECK(y_brk == y_heap + 1);
	ui_addr(&c, R->snap.threads[0].sp, size, sizeof size);
	snprintf(sp_text, sizeof sp_text, "%s sp %s", ui_glyph(UG_DOWN), size);
	y_sp = find(&r, sp_text);
	CHECK(y_sp == y_stack + 1);
	CHECK(find(&r, " gap ") > 0);
	CHECK(find(&r, "libc.so.6") > y_stack && find(&r, "libc.so.6") < y_heap);
	CHECK(st.nitems == (int)R->sp.n);
	/* the heap holds the demo's block: part of it resident */
	CHECK(row_has(&r, y_heap, ui_glyph(UG_FULL)));

	/* every scale: the title says which; selecting [heap] scrolls it into view */
	for (int s = 0; s < 3; s++) {
		static const char *const names[] = { "(proportional)", "(gaps compressed)", "(log)" };
		st = pane();
		st.scale = s;
		st.sel = disp_of(&R->sp, heap);
		c.focused = true;
		fill_marker();
		ui_space_draw(&r, &st, &c);
		CHECK(drawn_outside(&r) == 0);
		dump(names[s], &r);
		CHECK(find(&r, names[s]) == r.y);
		y_heap = find(&r, "[heap]");
		CHECK(y_heap > r.y);
		if (distinct(UR_SELECT))
			CHECK(has_role(attr_at(&r, y_heap, "[heap]"), UR_SELECT));
		CHECK(link.active && link.lo == heap->start && link.hi == heap->end);
		CHECK(strstr(link.what, "[heap]") != NULL);
		/* the top of the pane: the highest region's header */
		st.sel = 0;
		ui_space_draw(&r, &st, &c);
		CHECK(st.scroll == 0);
		ui_addr(&c, R->sp.regions[R->sp.n - 1].start, size, sizeof size);
		CHECK(find(&r, size) == r.y + 1);
	}
	c.focused = false;
}

static void real_stack(struct real *R)
{
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = &R->snap, .o = &opts, .link = &link };
	struct ui_rect r = { 1, 66, 58, 70 };
	struct ui_pane_state st = pane();
	const struct thread_state *ts = &R->snap.threads[0];
	char text[128], a[64];
	int y, y0, y_main, y_rec;
	size_t i_main = 0, i_rec0 = 0;

	CHECK(ts->stack.n >= 10);
	for (size_t i = 0; i < ts->stack.n; i++) {
		const char *fn = ts->stack.frames[i].loc.fn;
		if (fn && strcmp(fn, "main") == 0)
			i_main = i;
		if (fn && strcmp(fn, "recurse") == 0 && !i_rec0)
			i_rec0 = i;
	}
	CHECK(i_main > i_rec0 && i_rec0 > 0);

	fill_marker();
	ui_stack_draw(&r, &st, &c);
	dump("real stack", &r);
	CHECK(drawn_outside(&r) == 0);
	snprintf(text, sizeof text, "Stack %s thread %d (1/1)", ui_draw_utf8() ? "·" : "-",
		 (int)child);
	CHECK(find(&r, text) == r.y);
	/* by default the innermost frame is selected, at the bottom */
	snprintf(text, sizeof text, "#%zu recurse", i_rec0);
	y_rec = find(&r, text);
	y0 = find(&r, "#0 ");
	CHECK(y_rec > r.y && y0 > y_rec);
	CHECK(find(&r, "wait_here") > y_rec && find(&r, "wait_here") < y0);
	c.focused = true;                      /* the selection is frame #0 */
	ui_stack_draw(&r, &st, &c);
	CHECK(link.active && link.lo == ts->stack.frames[0].sp);
	CHECK(strncmp(link.what, "frame #0", 8) == 0);
	c.focused = false;
	/* recurse[0]'s box: its byte count, and `here` at the address printed */
	ui_size(a, sizeof a, ts->stack.frames[i_rec0].cfa - ts->stack.frames[i_rec0].sp);
	CHECK(row_has(&r, y_rec, a));
	ui_addr(&c, here0_addr, a, sizeof a);
	y = find(&r, a);
	CHECK(y > y_rec && y < y0);
	CHECK(row_has(&r, y, "here = "));
	CHECK(find_from(&r, y_rec - r.y, "ret ", NULL) == y_rec + 1);
	/* slots by address, high first (gdb lists n, here, below) */
	CHECK(find_from(&r, y_rec - r.y, "below = ", NULL) <
	      find_from(&r, y_rec - r.y, "here = ", NULL));
	CHECK(find_from(&r, y_rec - r.y, "here = ", NULL) <
	      find_from(&r, y_rec - r.y, "n = ", NULL));
	CHECK(row_has(&r, y_rec + 1, "recurse+0x"));
	CHECK(find_from(&r, y_rec - r.y, "saved rbp", NULL) == y_rec + 2);
	/* p points at the block the demo malloc'ed: a live heap chunk */
	snprintf(text, sizeof text, "p = 0x%" PRIx64, malloc_ptr);
	y = find(&r, text);
	CHECK(y > y_rec && y < y0);
	snprintf(text, sizeof text, "%s heap chunk", ui_glyph(UG_ARROW_R));
	CHECK(row_has(&r, y, text));

	/* the top item: the outermost frame, main below it (high on top) */
	st.sel = 0;
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	CHECK(drawn_outside(&r) == 0);
	CHECK(st.scroll == 0);
	snprintf(text, sizeof text, "#%zu ", ts->stack.n - 1);
	CHECK(find(&r, text) == r.y + 1);
	snprintf(text, sizeof text, "#%zu main", i_main);
	y_main = find(&r, text);
	CHECK(y_main > r.y + 1);
	CHECK(find_from(&r, y_main - r.y, "result = ", NULL) > y_main);

	/* flipped: innermost on top, main further down */
	st = pane();
	st.flip = true;
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	CHECK(drawn_outside(&r) == 0);
	dump("flipped", &r);
	CHECK(find(&r, "#0 ") == r.y + 1);
	y_rec = find(&r, "recurse");
	CHECK(y_rec > r.y + 1);
	CHECK(st.sel == 0);

	/* focused, the selected frame is the link: [sp, cfa) */
	c.focused = true;
	ui_stack_draw(&r, &st, &c);
	CHECK(link.active && link.lo == ts->stack.frames[0].sp && link.hi == ts->stack.frames[0].cfa);
	CHECK(strncmp(link.what, "frame #0", 8) == 0);
	c.focused = false;
}

/* --relative: lecture mode addresses, the same from run to run. */
static void real_relative(struct real *R)
{
	static const struct ui_opts rel = { .program = "test", .relative = true };
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = &R->snap, .o = &rel, .link = &link };
	struct ui_rect a = { 0, 0, 60, 66 }, b = { 0, 66, 60, 70 };
	struct ui_pane_state s1 = pane(), s2 = pane();
	int y;

	s1.scale = 1;
	s1.sel = disp_of(&R->sp, region_named(&R->sp, "[heap]"));
	fill_marker();
	ui_space_draw(&a, &s1, &c);
	ui_stack_draw(&b, &s2, &c);
	dump("relative", &a);
	y = find(&a, "[heap]");
	CHECK(y > 0 && row_has(&a, y, "heap+0x0"));
	y = find(&a, "[stack]");
	CHECK(y > 0 && row_has(&a, y, "stack-0x"));
	y = find(&a, "libc.so.6");
	CHECK(y > 0 && row_has(&a, y, "+0x"));
	CHECK(find(&a, "_GLOBAL_OFFSET_TABLE_") < 0);   /* a module's offset, not a symbol */
	CHECK(find(&a, "brk heap+0x") == find(&a, "[heap]") + 1);
	y = find(&b, "here = 0");
	CHECK(y > 0 && row_has(&b, y, "stack-0x"));
	CHECK(find(&b, "saved rbp = stack-0x") > 0);
	struct ui_rect ab = { 0, 0, 60, 136 };
	CHECK(drawn_outside(&ab) == 0);
}

/* Both panes on a 200x60 screen: the benchmark's whole frame must take
 * 5 ms, these two a fraction of it. */
static void real_timing(struct real *R)
{
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = &R->snap, .o = &opts, .link = &link };
	struct ui_rect a = { 1, 0, 56, 66 }, b = { 1, 66, 56, 70 };
	struct ui_pane_state s1 = pane(), s2 = pane();
	double best = 1e9;

	for (int i = 0; i < 20; i++) {
		double t0 = now_ms();
		ui_space_draw(&a, &s1, &c);
		ui_stack_draw(&b, &s2, &c);
		t0 = now_ms() - t0;
		if (t0 < best)
			best = t0;
		R->snap.seq++;               /* a new stop each time: no shortcut */
	}
	fprintf(stderr, "space + stack panes, real process: best draw %.3f ms\n", best);
	CHECK(best < 2.5);
}

/* The heap pane, when it is linked in: title, the demo's 32-byte chunk
 * (16 requested), clipping. */
static void real_heap(struct real *R)
{
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = &R->snap, .o = &opts, .link = &link };
	struct ui_rect r = { 1, 136, 58, 64 };
	struct ui_pane_state st = pane();

	if (!ui_heap_draw)
		return;
	fill_marker();
	ui_heap_draw(&r, &st, &c);
	CHECK(drawn_outside(&r) == 0);
	CHECK(find(&r, "Heap") == r.y);
	CHECK(find(&r, "0x20") > r.y || find(&r, "32 B") > r.y);
}

/* Every pane at odd sizes and places: nothing outside its rectangle; a
 * rectangle under 3 rows or 10 columns gets nothing. */
static void clipping(const struct snapshot *s)
{
	static const struct ui_rect rects[] = {
		{ 0, 0, 0, 0 }, { 5, 5, 1, 50 }, { 5, 5, 2, 9 }, { 5, 5, 2, 100 }, { 10, 190, 3, 10 },
		{ 57, 188, 3, 12 }, { 20, 20, 4, 12 }, { 30, 40, 5, 30 }, { 0, 0, 8, 40 },
		{ 3, 7, 25, 39 }, { 0, 0, 60, 200 }, { 40, 150, 20, 50 },
	};
	struct ui_link link = { .active = true, .lo = 0, .hi = 1, .what = "x" };
	struct ui_ctx c = { .snap = s, .o = &opts, .link = &link };
	int bad_out = 0, bad_tiny = 0;

	for (size_t k = 0; k < ARRAY_LEN(rects); k++) {
		const struct ui_rect *r = &rects[k];
		bool tiny = r->h < 3 || r->w < 10;

		if (s->heap && s->heap->n && s->heap->arenas[0].n)
			link.lo = s->heap->arenas[0].chunks[0].addr;
		for (int v = 0; v < 8; v++) {
			struct ui_pane_state st = pane();
			st.scale = v % 3;
			st.flip = v & 1;
			st.sel = v == 7 ? 1000000 : v == 6 ? 3 : -1;
			c.focused = v & 2;
			fill_marker();
			ui_space_draw(r, &st, &c);
			bad_out += drawn_outside(r) != 0;
			bad_tiny += tiny && drawn_inside(r) != 0;
			fill_marker();
			ui_stack_draw(r, &st, &c);
			bad_out += drawn_outside(r) != 0;
			bad_tiny += tiny && drawn_inside(r) != 0;
			if (ui_heap_draw) {
				fill_marker();
				ui_heap_draw(r, &st, &c);
				bad_out += drawn_outside(r) != 0;
			}
		}
	}
	CHECK(bad_out == 0);
	CHECK(bad_tiny == 0);
}

/* ASCII mode: no cell and no byte curses sends is >= 0x80. */
static void ascii(const struct snapshot *s)
{
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = s, .o = &opts, .link = &link };
	struct ui_rect a = { 0, 0, 60, 66 }, b = { 0, 66, 60, 70 }, h = { 0, 136, 60, 64 };
	struct ui_pane_state s1 = pane(), s2 = pane(), s3 = pane();
	const struct region *heap = region_named(s->space, "[heap]");
	char *bytes = NULL, text[64];
	long n, high = 0;

	ui_draw_init(false, false);
	s1.scale = 1;
	s1.sel = heap ? disp_of(s->space, heap) : -1;
	erase();
	ui_space_draw(&a, &s1, &c);
	ui_stack_draw(&b, &s2, &c);
	if (ui_heap_draw)
		ui_heap_draw(&h, &s3, &c);
	dump("ascii space", &a);
	dump("ascii stack", &b);
	CHECK(non_ascii_cells() == 0);
	CHECK(find(&a, "[heap]") > 0);
	CHECK(find(&a, "^ brk") > 0);
	snprintf(text, sizeof text, "Stack - thread %d (1/1)", (int)child);
	CHECK(find(&b, text) == 0);
	CHECK(find(&b, "recurse") > 0);
	CHECK(find(&b, "ret -> ") > 0);
	n = repaint_bytes(&bytes);
	CHECK(n > 1000);
	for (long i = 0; i < n; i++)
		high += (unsigned char)bytes[i] >= 0x80;
	CHECK(high == 0);
	free(bytes);
	ui_draw_init(true, true);
}

static int real_process(void)
{
	struct real R;

	if (access("demos/stack_frames", X_OK) != 0) {
		fprintf(stderr, "demos/stack_frames not built (make demos)\n");
		return -1;
	}
	if (start_demo() != 0 || snap_demo(&R) != 0) {
		fprintf(stderr, "could not stop demos/stack_frames: %s\n", strerror(errno));
		end_demo();
		return -1;
	}
	CHECK(here0_addr != 0 && malloc_ptr != 0);
	real_space(&R);
	real_stack(&R);
	real_heap(&R);
	real_relative(&R);
	real_timing(&R);
	clipping(&R.snap);
	ascii(&R.snap);
	end_demo();
	snapshot_free(&R.snap);
	heap_state_free(&R.heap);
	debuginfo_free(R.dbg);
	space_free(&R.sp);
	return 0;
}

/* ---- hand-built snapshots ---------------------------------------------------- */

static struct section_span text_secs[] = {
	{ ".plt", 0x401000, 0x401100 }, { ".text", 0x401100, 0x401f00 },
};
static struct region regions[] = {
	{ .start = 0x400000, .end = 0x402000, .perms = "r-xp", .path = "/bin/prog",
	  .kind = RK_TEXT, .rss_kb = 8, .sections = text_secs, .nsections = 2 },
	{ .start = 0x600000, .end = 0x621000, .perms = "rw-p", .path = "[heap]",
	  .kind = RK_HEAP, .rss_kb = 8 },
	{ .start = 0x7ff000000000, .end = 0x7ff000200000, .perms = "r-xp",
	  .path = "/lib/libc.so.6", .kind = RK_LIB, .rss_kb = 1024 },
	{ .start = 0x7ffffffde000, .end = 0x7ffffffff000, .perms = "rw-p", .path = "[stack]",
	  .kind = RK_STACK, .rss_kb = 12 },
};

static void hand_space_init(struct space *sp)
{
	space_init(sp);
	sp->regions = regions;
	sp->n = sp->cap = ARRAY_LEN(regions);
}

static void hand_space(void)
{
	struct space sp;
	struct snapshot s = { .seq = 1, .space = &sp };
	struct ui_link link = { 0 };
	struct ui_prev prev = { .valid = true, .heap_end = 0x611000, .stack_start = 0x7ffffffdf000 };
	struct ui_ctx c = { .snap = &s, .o = &opts, .link = &link, .prev = &prev };
	struct ui_rect r = { 2, 3, 40, 80 };
	struct ui_pane_state st = pane();
	struct thread_state ts = { .tid = 42, .sp = 0x7fffffffe000 };
	char text[64];
	int y_stack, y_libc, y_heap, y_prog, y, y2;

	hand_space_init(&sp);
	s.threads = &ts;
	s.nthreads = 1;
	st.scale = 1;
	/* a fault below every region: its line at the bottom, in red */
	s.ev.kind = EV_SIGNAL;
	s.ev.signo = SIGSEGV;
	s.ev.has_fault_addr = true;
	s.ev.fault_addr = 0x10;
	fill_marker();
	ui_space_draw(&r, &st, &c);
	dump("hand space", &r);
	CHECK(drawn_outside(&r) == 0);
	y_stack = find(&r, "[stack]");
	y_libc = find(&r, "libc.so.6");
	y_heap = find(&r, "[heap]");
	y_prog = find(&r, "prog");
	CHECK(y_stack == r.y + 1 && y_libc > y_stack && y_heap > y_libc && y_prog > y_heap);
	y = find(&r, "fault 0x10");
	CHECK(y > y_prog);
	CHECK(row_has(&r, y, "SIGSEGV"));
	if (distinct(UR_ERROR))
		CHECK(has_role(attr_at(&r, y, "fault"), UR_ERROR));
	/* sections of prog, under it, high first; the gap lines say their size */
	y2 = find(&r, ".text");
	CHECK(y2 == y_prog + 1);
	CHECK(find(&r, ".plt") == y2);
	ui_size(text, sizeof text, 0x600000 - 0x402000);
	CHECK(find(&r, text) == y_heap - 2 || find(&r, text) == y_prog - 1);
	/* brk grew 64 KiB since the previous stop; the stack 4 KiB */
	ui_size(text, sizeof text, 0x10000);
	y = find(&r, "brk 0x621000");
	CHECK(y == y_heap + 1);
	CHECK(row_has(&r, y, text));
	if (distinct(UR_CHANGED))
		CHECK(has_role(attr_at(&r, y, "brk"), UR_CHANGED));
	y = find(&r, "sp 0x7fffffffe000");
	CHECK(y == y_stack + 1);
	CHECK(row_has(&r, y, "grew"));
	ui_size(text, sizeof text, 0x7ffffffff000 - 0x7fffffffe000);
	CHECK(row_has(&r, y, text));          /* how much of the stack is in use */

	/* a fault between two regions: between them; inside one: under it */
	s.ev.fault_addr = 0x500000;
	fill_marker();
	ui_space_draw(&r, &st, &c);
	y = find(&r, "fault 0x500000");
	CHECK(y > find(&r, "[heap]") && y < find(&r, "prog"));
	s.ev.fault_addr = 0x600010;
	prev.valid = false;
	fill_marker();
	ui_space_draw(&r, &st, &c);
	y = find(&r, "fault 0x600010");
	CHECK(y > find(&r, "[heap]") && y < find(&r, "prog"));
	CHECK(find(&r, "grew") < 0);          /* no previous stop: nothing changed */
	s.ev.kind = EV_BREAK;

	/* scales: libc (2 MiB) is taller than [heap] (132 KiB) to scale, less
	 * so in log, one line when gaps are compressed */
	int tall[3];
	for (int k = 0; k < 3; k++) {
		st = pane();
		st.scale = k;
		fill_marker();
		ui_space_draw(&r, &st, &c);
		CHECK(drawn_outside(&r) == 0);
		y_libc = find(&r, "libc.so.6");
		y = find_from(&r, y_libc - r.y + 1, "gap ", NULL);
		tall[k] = y - y_libc;
	}
	CHECK(tall[1] == 1);
	CHECK(tall[0] > tall[2]);
	CHECK(tall[2] > 1);

	/* unfocused, linked to a heap address: [heap] lit, the address marked */
	link = (struct ui_link){ .active = true, .lo = 0x600290, .hi = 0x6002b0,
				 .what = "chunk 0x600290 (in use)" };
	st = pane();
	st.scale = 1;
	fill_marker();
	ui_space_draw(&r, &st, &c);
	y_heap = find(&r, "[heap]");
	if (distinct(UR_LINKED))
		CHECK(has_role(attr_at(&r, y_heap, "[heap]"), UR_LINKED));
	y = find(&r, "chunk 0x600290 (in use)");
	CHECK(y > y_heap && y < find(&r, "prog"));
	CHECK(row_has(&r, y, "0x600290"));

	/* focused: a click on prog's row selects it and links its range */
	c.focused = true;
	st.click_y = find(&r, "prog");
	st.click_x = r.x + 10;
	ui_space_draw(&r, &st, &c);
	CHECK(st.sel == 3);
	CHECK(st.click_y == -1);
	CHECK(link.active && link.lo == 0x400000 && link.hi == 0x402000);
	/* arrows past the end are clamped */
	st.sel = 99;
	ui_space_draw(&r, &st, &c);
	CHECK(st.sel == 3);
	/* a new mapping above [stack] at the next stop: the selection stays on prog */
	struct region more[ARRAY_LEN(regions) + 1];
	memcpy(more, regions, sizeof regions);
	more[ARRAY_LEN(regions)] = (struct region){ .start = 0xffffffffff600000,
		.end = 0xffffffffff601000, .perms = "--xp", .path = "[vsyscall]", .kind = RK_VSYSCALL };
	sp.regions = more;
	sp.n = ARRAY_LEN(more);
	s.seq = 2;
	ui_space_draw(&r, &st, &c);
	CHECK(st.sel == 4);
	CHECK(link.lo == 0x400000);
	CHECK(find(&r, "[vsyscall]") == r.y + 1);
	sp.regions = regions;
	sp.n = ARRAY_LEN(regions);
	c.focused = false;

	/* narrow: still every region, no "0x" */
	struct ui_rect nr = { 0, 0, 30, 36 };
	st = pane();
	st.scale = 1;
	fill_marker();
	ui_space_draw(&nr, &st, &c);
	dump("narrow space", &nr);
	CHECK(drawn_outside(&nr) == 0);
	CHECK(find(&nr, "7ffffffde000") > 0);
	CHECK(find(&nr, "[heap]") > 0 && find(&nr, "prog") > 0);

	/* two threads: each sp marked in its region, with its tid */
	struct thread_state two[2] = { { .tid = 42, .sp = 0x7fffffffe000 },
				       { .tid = 43, .sp = 0x7ff000100000 } };
	s.threads = two;
	s.nthreads = 2;
	st = pane();
	st.scale = 1;
	fill_marker();
	ui_space_draw(&r, &st, &c);
	CHECK(find(&r, "sp 0x7fffffffe000 thread 42") == find(&r, "[stack]") + 1);
	CHECK(find(&r, "sp 0x7ff000100000 thread 43") == find(&r, "libc.so.6") + 1);
	s.threads = &ts;
	s.nthreads = 1;

	/* nothing to show */
	s.space = NULL;
	fill_marker();
	ui_space_draw(&r, &st, &c);
	CHECK(find(&r, "no address space at this stop") == r.y + 1);
	CHECK(st.nitems == 0);
	CHECK(drawn_outside(&r) == 0);
}

/* A hand-built thread: leaf <- mid <- main, with a register variable, a
 * stack argument of leaf in mid's frame, pointers into the heap (one freed). */
static struct var_info main_vars[] = {
	{ .name = "argc", .kind = DWV_PARAM, .has_addr = true, .addr = 0x7fffffffe16c, .size = 4,
	  .reg = -1, .value = "1" },
	{ .name = "buf", .kind = DWV_LOCAL, .has_addr = true, .addr = 0x7fffffffe110, .size = 64,
	  .reg = -1, .value = "\"hello\", '\\000' <repeats 58 times>" },
};
static struct var_info mid_vars[] = {      /* not in address order */
	{ .name = "q", .kind = DWV_LOCAL, .has_addr = true, .addr = 0x7fffffffe0e0, .size = 8,
	  .reg = -1, .value = "0x6002a0", .is_ptr = true, .ptr = 0x6002a0,
	  .points_to = "heap chunk 0x600290 (in use)", .points_kind = "heap" },
	{ .name = "p", .kind = DWV_LOCAL, .has_addr = true, .addr = 0x7fffffffe0e8, .size = 8,
	  .reg = -1, .value = "0x600500", .is_ptr = true, .ptr = 0x600500,
	  .points_to = "heap chunk 0x6004f0 (freed: dangling)", .points_kind = "heap_freed" },
};
static struct var_info leaf_vars[] = {
	{ .name = "x", .kind = DWV_PARAM, .reg = 5, .value = "3" },
	{ .name = "g", .kind = DWV_PARAM, .has_addr = true, .addr = 0x7fffffffe0c0, .size = 8,
	  .reg = -1, .value = "7" },
	{ .name = "gone", .kind = DWV_LOCAL, .reg = -1, .value = "<optimized out>" },
};

static void hand_thread(struct thread_state *ts, struct uw_frame *f, struct var_list *vl)
{
	memset(f, 0, 3 * sizeof(*f));
	f[0] = (struct uw_frame){ .pc = 0x401150, .sp = 0x7fffffffe0a0, .cfa = 0x7fffffffe0c0,
		.ret_addr = 0x401234, .ret_slot = 0x7fffffffe0b8,
		.loc = { .fn = "leaf", .fn_off = 0x10, .file = "/src/prog.c", .line = 5 } };
	f[1] = (struct uw_frame){ .pc = 0x401234, .sp = 0x7fffffffe0c0, .cfa = 0x7fffffffe100,
		.ret_addr = 0x401300, .ret_slot = 0x7fffffffe0f8, .nsaved = 1,
		.loc = { .fn = "mid", .fn_off = 0x34, .file = "/src/prog.c", .line = 12 } };
	f[1].saved[0] = (struct uw_saved){ .reg = 6, .slot = 0x7fffffffe0f0 };
	f[2] = (struct uw_frame){ .pc = 0x401300, .sp = 0x7fffffffe100, .cfa = 0x7fffffffe180,
		.loc = { .fn = "main", .fn_off = 0x20, .file = "/src/prog.c", .line = 20 } };
	f[2].regs[6] = 0x7fffffffe170;
	f[2].valid = 1u << 6;
	vl[0] = (struct var_list){ leaf_vars, ARRAY_LEN(leaf_vars), ARRAY_LEN(leaf_vars) };
	vl[1] = (struct var_list){ mid_vars, ARRAY_LEN(mid_vars), ARRAY_LEN(mid_vars) };
	vl[2] = (struct var_list){ main_vars, ARRAY_LEN(main_vars), ARRAY_LEN(main_vars) };
	memset(ts, 0, sizeof *ts);
	ts->tid = 42;
	ts->sp = f[0].sp;
	ts->has_stack = true;
	ts->stack.frames = f;
	ts->stack.n = 3;
	ts->stack.end = "outermost";
	ts->vars = vl;
	ts->vars_cap = 3;
}

static void hand_stack(void)
{
	struct uw_frame f[3];
	struct var_list vl[3];
	struct thread_state ts;
	struct space sp;
	struct snapshot s = { .seq = 1, .threads = &ts, .nthreads = 1, .space = &sp };
	uint64_t cfas2[] = { 0x7fffffffe100, 0x7fffffffe180 };
	uint64_t cfas4[] = { 0x7fffffffe080, 0x7fffffffe0c0, 0x7fffffffe100, 0x7fffffffe180 };
	struct ui_prev_thread pt = { .tid = 42, .cfas = cfas2, .n = 2 };
	struct ui_prev prev = { .valid = true, .threads = &pt, .nthreads = 1 };
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = &s, .o = &opts, .link = &link, .prev = &prev };
	struct ui_rect r = { 0, 100, 50, 100 };
	struct ui_pane_state st = pane();
	int y_leaf, y_mid, y_main, y, y_ret, y_saved, y_p, y_q, y_g;
	char text[64];

	hand_space_init(&sp);
	hand_thread(&ts, f, vl);
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	dump("hand stack", &r);
	CHECK(drawn_outside(&r) == 0);
	CHECK(find(&r, "thread 42 (1/1)") == r.y);
	CHECK(find(&r, "no debug info: frames only") == r.y + 1);
	y_main = find(&r, "#2 main");
	y_mid = find(&r, "#1 mid");
	y_leaf = find(&r, "#0 leaf");
	CHECK(y_main > r.y + 1 && y_mid > y_main && y_leaf > y_mid);
	CHECK(row_has(&r, y_main, "128 B") && row_has(&r, y_main, "prog.c:20"));
	CHECK(row_has(&r, y_mid, "64 B") && row_has(&r, y_leaf, "32 B"));
	/* main's box: 128 bytes = 8 rows; mid's 4; leaf's 2 but 3 lines */
	CHECK(y_mid - y_main == 8 + 2);
	CHECK(y_leaf - y_mid == 5 + 2);     /* 4 rows by bytes, but 5 slots */
	/* mid's slots, high first: ret, saved rbp (= main's rbp), p, q, and
	 * leaf's 7th argument g at the bottom of mid's frame */
	y_ret = find(&r, "ret ");
	snprintf(text, sizeof text, "ret %s main+0x20", ui_glyph(UG_ARROW_R));
	CHECK(find(&r, text) == y_mid + 1);
	y_ret = find_from(&r, y_mid - r.y, "ret ", NULL);
	y_saved = find(&r, "saved rbp = 0x7fffffffe170");
	y_p = find(&r, "p = 0x600500");
	y_q = find(&r, "q = 0x6002a0");
	y_g = find(&r, "g = 7");
	CHECK(y_ret == y_mid + 1 && y_saved == y_ret + 1 && y_p > y_saved && y_q > y_p);
	CHECK(y_g > y_q && y_g < y_leaf);
	CHECK(row_has(&r, y_g, "(arg of leaf)"));
	CHECK(row_has(&r, y_saved, "0x7fffffffe0f0"));
	CHECK(row_has(&r, y_p, "freed: dangling"));
	if (distinct(UR_ERROR))
		CHECK(has_role(attr_at(&r, y_p, "heap chunk"), UR_ERROR));
	CHECK(!distinct(UR_POINTER) || !has_role(attr_at(&r, y_q, "heap chunk"), UR_ERROR));
	/* leaf: a register variable and an optimized-out one at the bottom */
	y = find(&r, "in rdi");
	CHECK(y > y_leaf && y < y_leaf + 5);
	CHECK(row_has(&r, y, "x = 3"));
	CHECK(find(&r, "gone = <optimized out>") == y + 1);
	/* leaf was pushed since the previous stop */
	if (distinct(UR_CHANGED)) {
		CHECK(has_role(attr_at(&r, y_leaf, "32 B"), UR_CHANGED) ||
		      has_role(attr_at(&r, y_leaf, ui_glyph(UG_TL)), UR_CHANGED));
		CHECK(!has_role(attr_at(&r, y_mid, ui_glyph(UG_TL)), UR_CHANGED));
	}
	CHECK(find(&r, "popped") < 0);
	/* items: 3 frames + 7 variables; the innermost frame selected */
	CHECK(st.nitems == 10);
	CHECK(st.sel == 7);

	/* the previous stop had one more frame: it was popped */
	pt.cfas = cfas4;
	pt.n = 4;
	s.seq = 2;
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	dump("popped", &r);
	y = find(&r, "1 frame popped");
	CHECK(y > find(&r, "#0 leaf"));
	if (distinct(UR_CHANGED))
		CHECK(has_role(attr_at(&r, y, "popped"), UR_CHANGED));
	prev.valid = false;

	/* linked to the chunk at 0x600290: q points into it, p does not */
	link = (struct ui_link){ .active = true, .lo = 0x600290, .hi = 0x6002b0, .what = "chunk" };
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	y_q = find(&r, "q = 0x6002a0");
	y_p = find(&r, "p = 0x600500");
	if (distinct(UR_LINKED)) {
		CHECK(has_role(attr_at(&r, y_q, "q = "), UR_LINKED));
		CHECK(!has_role(attr_at(&r, y_p, "p = "), UR_LINKED));
	}
	/* linked to a stack address: the frame holding it and the slot */
	link = (struct ui_link){ .active = true, .lo = 0x7fffffffe110, .hi = 0x7fffffffe150 };
	ui_stack_draw(&r, &st, &c);
	if (distinct(UR_LINKED)) {
		CHECK(has_role(attr_at(&r, find(&r, "buf = "), "buf = "), UR_LINKED));
		CHECK(has_role(attr_at(&r, find(&r, "#2 main"), ui_glyph(UG_TL)), UR_LINKED));
	}

	/* focused: click on q's row selects q; the link is where q points */
	c.focused = true;
	st.click_y = find(&r, "q = 0x6002a0");
	st.click_x = r.x + 20;
	ui_stack_draw(&r, &st, &c);
	CHECK(st.click_y == -1);
	CHECK(link.active && link.lo == 0x6002a0);
	CHECK(strstr(link.what, "q") == link.what);
	if (distinct(UR_SELECT))
		CHECK(has_role(attr_at(&r, find(&r, "q = 0x6002a0"), "q = "), UR_SELECT));
	/* a click on a title selects the frame: link = [sp, cfa) */
	st.click_y = find(&r, "#2 main");
	ui_stack_draw(&r, &st, &c);
	CHECK(st.sel == 0);
	CHECK(link.lo == 0x7fffffffe100 && link.hi == 0x7fffffffe180);
	/* a non-pointer in memory: its bytes */
	st.click_y = find(&r, "buf = ");
	ui_stack_draw(&r, &st, &c);
	CHECK(link.lo == 0x7fffffffe110 && link.hi == 0x7fffffffe150);
	/* flipping keeps the frame selected */
	st.click_y = find(&r, "#1 mid");
	ui_stack_draw(&r, &st, &c);
	CHECK(st.sel == 3);
	st.flip = true;
	ui_stack_draw(&r, &st, &c);
	CHECK(link.lo == 0x7fffffffe0c0 && link.hi == 0x7fffffffe100);
	CHECK(find(&r, "#0 leaf") < find(&r, "#1 mid"));
	CHECK(find(&r, "#1 mid") < find(&r, "#2 main"));
	c.focused = false;
	st.flip = false;

	/* with DWARF, no note; a walk cut short says why */
	f[0].loc.di = (struct dwarfinfo *)(uintptr_t)1;
	ts.stack.end = "frame limit";
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	CHECK(find(&r, "no debug info") < 0);
	CHECK(find(&r, "unwinding stopped: frame limit") == r.y + 1);
	f[0].loc.di = NULL;

	/* a second thread: t shows it, an index past the end is clamped */
	struct thread_state two[2];
	two[0] = ts;
	two[1] = ts;
	two[1].tid = 43;
	s.threads = two;
	s.nthreads = 2;
	st = pane();
	st.thread = 5;
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	CHECK(st.thread == 1);
	CHECK(find(&r, "thread 43 (2/2)") == r.y);
	st.thread = 0;
	ui_stack_draw(&r, &st, &c);
	CHECK(find(&r, "thread 42 (1/2)") == r.y);
	s.threads = &ts;
	s.nthreads = 1;

	/* no frame at all: the reason the walk stopped */
	ts.stack.n = 0;
	ts.stack.end = "pc 0";
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	CHECK(find(&r, "no frames (unwinding stopped: pc 0)") == r.y + 1);
	CHECK(st.nitems == 0);
	ts.stack.n = 3;

	/* empty panes say why */
	ts.has_stack = false;
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	CHECK(find(&r, "stack not read at this stop") == r.y + 1);
	CHECK(st.nitems == 0);
	s.nthreads = 0;
	ui_stack_draw(&r, &st, &c);
	CHECK(find(&r, "stack not read at this stop") == r.y + 1);
	CHECK(drawn_outside(&r) == 0);
}

/* 10,000 frames of recursion: a list to scroll, drawn in bounded time
 * (the pane lays out only what is in view). */
static void deep_stack(void)
{
	enum { N = 10000 };
	struct uw_frame *f = calloc(N, sizeof(*f));
	struct var_list *vl = calloc(N, sizeof(*vl));
	struct var_info *v = calloc(2 * N, sizeof(*v));
	struct thread_state ts = { .tid = 7, .has_stack = true };
	struct snapshot s = { .seq = 1, .threads = &ts, .nthreads = 1 };
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = &s, .o = &opts, .link = &link };
	struct ui_rect r = { 0, 0, 60, 70 };
	struct ui_pane_state st = pane();
	double t0, best = 1e9;
	char text[32];

	if (!f || !vl || !v)
		return;
	for (int i = 0; i < N; i++) {
		uint64_t cfa = 0x7ffffff00000 + (uint64_t)(i + 1) * 48;
		f[i] = (struct uw_frame){ .pc = 0x401100, .sp = cfa - 48, .cfa = cfa,
			.ret_addr = 0x401180, .ret_slot = cfa - 8,
			.loc = { .fn = i == N - 1 ? "main" : "recurse", .fn_off = 0x40 } };
		v[2 * i] = (struct var_info){ .name = "n", .kind = DWV_PARAM, .has_addr = true,
			.addr = cfa - 28, .size = 4, .reg = -1, .value = "5" };
		v[2 * i + 1] = (struct var_info){ .name = "here", .kind = DWV_LOCAL, .has_addr = true,
			.addr = cfa - 24, .size = 8, .reg = -1, .value = "15" };
		vl[i] = (struct var_list){ &v[2 * i], 2, 2 };
	}
	ts.stack = (struct uw_stack){ .frames = f, .n = N, .end = "outermost" };
	ts.vars = vl;
	ts.vars_cap = N;
	for (int k = 0; k < 5; k++) {
		t0 = now_ms();
		ui_stack_draw(&r, &st, &c);
		t0 = now_ms() - t0;
		if (t0 < best)
			best = t0;
		s.seq++;
	}
	fprintf(stderr, "10,000 frames: best draw %.3f ms\n", best);
	CHECK(best < 20);
	CHECK(st.nitems == 3 * N);
	CHECK(find(&r, "#0 recurse") > 0);
	/* each box: 48 B -> 3 rows (ret, n, here) + borders */
	CHECK(find(&r, "#1 recurse") == find(&r, "#0 recurse") - 5);
	st.sel = 3 * (N / 2);                /* a frame in the middle */
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	snprintf(text, sizeof text, "#%d recurse", N / 2 - 1);
	CHECK(find(&r, text) >= 0);
	CHECK(drawn_outside(&r) == 0);
	st.sel = 0;
	ui_stack_draw(&r, &st, &c);
	dump("deep stack, top", &r);
	CHECK(st.scroll == 0);
	CHECK(find(&r, "no debug info: frames only") == 1);   /* the note shows too */
	snprintf(text, sizeof text, "#%d main", N - 1);
	CHECK(find(&r, text) == 2);
	free(f);
	free(vl);
	free(v);
}

/* The bugs of a stop, where they are: a smashed return slot, a variable
 * read uninitialized, a pointer into a popped frame (its variable, or a
 * note when no variable holds it) in red in the stack pane, their boxes'
 * borders red; a bad dereference found without a signal marked in the
 * address space. */
static void hand_bugs(void)
{
	struct uw_frame f[3];
	struct var_list vl[3];
	struct thread_state ts;
	struct space sp;
	struct diag d[3];
	struct snapshot s = { .seq = 7, .threads = &ts, .nthreads = 1, .space = &sp };
	struct ui_link link = { 0 };
	struct ui_ctx c = { .snap = &s, .o = &opts, .link = &link };
	struct ui_rect r = { 0, 100, 50, 100 };
	struct ui_pane_state st = pane();
	int y_leaf, y_mid, y;

	hand_space_init(&sp);
	hand_thread(&ts, f, vl);
	memset(d, 0, sizeof d);
	d[0] = (struct diag){ .kind = DG_STACK_SMASH, .addr = 0x7fffffffe0b8 };  /* leaf's ret */
	d[1] = (struct diag){ .kind = DG_UNINIT_READ, .addr = 0x7fffffffe16c };  /* main's argc */
	d[2] = (struct diag){ .kind = DG_DANGLING_STACK_POINTER, .addr = 0x600500 };  /* mid's p */
	/* no bugs: nothing red */
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	y = find(&r, "ret → mid+0x34");
	CHECK(y > 0 && !has_role(attr_at(&r, y, "ret"), UR_ERROR));
	CHECK(find(&r, "⚠") < 0);
	/* the three bugs */
	s.diags = d;
	s.ndiags = 3;
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	dump("stack bugs", &r);
	CHECK(drawn_outside(&r) == 0);
	y_leaf = find(&r, "#0 leaf");
	y_mid = find(&r, "#1 mid");
	y = find(&r, "ret → mid+0x34");
	CHECK(y > y_leaf);
	CHECK(has_role(attr_at(&r, y, "ret"), UR_ERROR));
	CHECK(has_role(attr_at(&r, y, "0x7fffffffe0b8"), UR_ERROR));
	CHECK(has_role(attr_at(&r, y_leaf, "┌"), UR_ERROR));          /* leaf's box */
	y = find(&r, "argc = 1");
	CHECK(y > 0 && has_role(attr_at(&r, y, "argc"), UR_ERROR));
	y = find(&r, "p = 0x600500");
	CHECK(y > y_mid && has_role(attr_at(&r, y, "p = "), UR_ERROR));
	y = find(&r, "q = 0x6002a0");
	CHECK(y > y_mid && !has_role(attr_at(&r, y, "q = "), UR_ERROR));
	/* mid's saved rbp is not the smashed slot */
	y = find(&r, "saved rbp");
	CHECK(y > y_mid && !has_role(attr_at(&r, y, "saved"), UR_ERROR));
	CHECK(find(&r, "⚠") < 0);            /* every bug is on a line: no note */
	/* a dangling pointer no variable holds: a line under the innermost
	 * frame, where the popped frames were (above it when flipped) */
	d[2].addr = 0x7fffffffd000;
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	dump("stack bug note", &r);
	y_leaf = find(&r, "#0 leaf");
	y = find(&r, "⚠ dangling_stack_pointer 0x7fffffffd000: in a popped frame, below sp");
	CHECK(y > y_leaf + 3 && y <= y_leaf + 6);       /* under leaf's 3-line box */
	CHECK(has_role(attr_at(&r, y, "⚠"), UR_ERROR));
	y = find(&r, "p = 0x600500");
	CHECK(!has_role(attr_at(&r, y, "p = "), UR_ERROR));
	CHECK(drawn_outside(&r) == 0);
	st.flip = true;
	fill_marker();
	ui_stack_draw(&r, &st, &c);
	y = find(&r, "⚠ dangling_stack_pointer 0x7fffffffd000");
	CHECK(y > r.y && y < find(&r, "#0 leaf"));
	st.flip = false;

	/* the address space: a bad dereference reported at a line stop */
	struct ui_rect rs = { 2, 3, 40, 80 };
	struct ui_pane_state ss = pane();
	s.nthreads = 0;
	s.ev.kind = EV_LINE;
	d[0] = (struct diag){ .kind = DG_BAD_DEREF, .addr = 0x10 };
	s.ndiags = 1;
	ss.scale = 1;
	fill_marker();
	ui_space_draw(&rs, &ss, &c);
	y = find(&rs, "fault 0x10  ⚠ bad_deref");
	CHECK(y > find(&rs, "prog"));
	CHECK(has_role(attr_at(&rs, y, "fault"), UR_ERROR));
	/* ... and at its signal: the signal's mark, as before */
	s.ev.kind = EV_SIGNAL;
	s.ev.signo = SIGSEGV;
	s.ev.has_fault_addr = true;
	s.ev.fault_addr = 0x10;
	fill_marker();
	ui_space_draw(&rs, &ss, &c);
	CHECK(find(&rs, "fault 0x10  SIGSEGV") > 0);
	CHECK(find(&rs, "bad_deref") < 0);
	/* no bug, no signal: no fault mark */
	s.ndiags = 0;
	s.ev.kind = EV_LINE;
	fill_marker();
	ui_space_draw(&rs, &ss, &c);
	CHECK(find(&rs, "fault") < 0);
}

int main(void)
{
	FILE *in = fopen("/dev/null", "r");
	SCREEN *scr;
	int rc;

	setlocale(LC_ALL, "C.UTF-8");
	term_out = tmpfile();
	if (!in || !term_out) {
		perror("test_ui_panes");
		return 1;
	}
	scr = newterm("xterm-256color", term_out, in);
	if (!scr) {
		fprintf(stderr, "no xterm-256color terminfo\n");
		return 77;
	}
	resizeterm(NROWS, NCOLS);
	CHECK(LINES == NROWS && COLS == NCOLS);
	ui_draw_init(true, true);

	hand_space();
	hand_stack();
	hand_bugs();
	deep_stack();
	rc = real_process();
	endwin();
	delscreen(scr);
	if (rc != 0 && check_failures == 0) {
		fprintf(stderr, "skip: the real-process part could not run\n");
		return 77;
	}
	CHECK_DONE();
}
