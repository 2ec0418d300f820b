/*
 * ui_draw.c - time one full frame of the terminal UI at 200x60, for `make
 * bench` (issue 5: goal <= 5 ms with 10,000 chunks and 100 frames).  Not
 * part of memviz.
 *
 * A hand-built snapshot: a heap of 10,000 chunks in one arena (in use,
 * free in tcache, fastbins, unsorted, small and large bins, the top; a few
 * mmapped chunks; a split, an allocation, a free and a coalesce as this
 * stop's changes, against a previous heap), one thread of 100 frames with
 * four variables each (pointers into the heap among them), 30 regions
 * with their sections, 40 lines of events.  Curses is headless: newterm on
 * a scratch file (no terminal: what a frame costs memviz, not the
 * terminal emulator), resizeterm(60, 200).
 *
 * A frame is drawn by ui.c itself (ui_open on the scratch file, then
 * ui_redraw: erase, layout, the focused heap pane first, the others, the
 * status and key lines, doupdate), as at every stop.  Every frame is a
 * new stop (seq + 1), so the panes' per-stop caches are rebuilt as they
 * are when the program moves on.  Two series:
 *   frame    the screen curses already shows differs only where the stop
 *            changed (the usual step: curses sends the difference)
 *   repaint  curscr cleared first (clearok), so every cell is sent, as
 *            after a resize or Ctrl-L: the most a frame can cost
 *
 *   ui_draw [DRAWS]          (default 200)
 * prints one line:
 *   draws N chunks N frames N regions N best_ms X median_ms X
 *   repaint_best_ms X repaint_median_ms X repaint_bytes N frame_bytes N
 */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "heap.h"
#include "snapshot.h"
#include "ui.h"
#include "ui_draw.h"
#include "timing.h"

#define ROWS 60
#define COLS_W 200
#define NCHUNKS 10000
#define NFRAMES 100
#define NVARS 4
#define NLOG 40
#define MAXREG 40
#define HEAP_BASE 0x555555559000ull
#define STACK_TOP 0x7ffffffff000ull

/* ---- the address space: 33 regions ------------------------------------ */

static struct section_span prog_secs[4][6];
static struct region regions[MAXREG];
static struct space space;
static int nregions;

/* A region; the sections names[] share it evenly. */
static void region(uint64_t start, uint64_t size, const char *perms, const char *path,
		   enum region_kind kind, uint64_t rss_kb, struct section_span *secs,
		   const char *const *names, size_t nnames)
{
	struct region *r = &regions[nregions++];

	*r = (struct region){ .start = start, .end = start + size, .kind = kind, .path = path,
			      .rss_kb = rss_kb };
	memcpy(r->perms, perms, 5);
	for (size_t k = 0; secs && k < nnames; k++) {
		uint64_t part = size / nnames;
		secs[k] = (struct section_span){ names[k], start + k * part, start + (k + 1) * part };
	}
	r->sections = secs;
	r->nsections = r->seccap = secs ? nnames : 0;
}

/* The program (4 mappings with sections), [heap], 3 mmapped blocks, 5
 * libraries of 4 mappings, an anonymous .bss, vvar, vdso, stack, vsyscall:
 * in address order, as space_read leaves them. */
static void build_space(uint64_t heap_end, const struct heap_state *h)
{
	static const char *const s0[] = { ".interp", ".note.gnu.build-id", ".dynsym", ".rela.plt" };
	static const char *const s1[] = { ".init", ".plt", ".plt.got", ".text", ".fini" };
	static const char *const s2[] = { ".rodata", ".eh_frame_hdr", ".eh_frame" };
	static const char *const s3[] = { ".init_array", ".dynamic", ".got", ".data", ".bss" };
	static const char *const libs[] = { "/usr/lib/x86_64-linux-gnu/libm.so.6",
		"/usr/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libncursesw.so.6",
		"/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" };
	static const char *const lib_perms[] = { "r--p", "r-xp", "r--p", "rw-p" };
	static const char prog[] = "/work/main/demos/heap_many";
	uint64_t a = 0x7ffff7000000ull;

	region(0x555555554000ull, 0x1000, "r--p", prog, RK_RODATA, 4, prog_secs[0], s0, 4);
	region(0x555555555000ull, 0x1000, "r-xp", prog, RK_TEXT, 4, prog_secs[1], s1, 5);
	region(0x555555556000ull, 0x1000, "r--p", prog, RK_RODATA, 4, prog_secs[2], s2, 3);
	region(0x555555557000ull, 0x2000, "rw-p", prog, RK_DATA, 8, prog_secs[3], s3, 5);
	region(HEAP_BASE, heap_end - HEAP_BASE, "rw-p", "[heap]", RK_HEAP,
	       (heap_end - HEAP_BASE) / 1024 * 3 / 4, NULL, NULL, 0);
	for (size_t m = 0; m < h->nmmapped; m++)        /* each mmapped chunk's mapping */
		region(h->mmapped[m].addr, h->mmapped[m].size, "rw-p", "", RK_MMAP,
		       h->mmapped[m].size / 4096, NULL, NULL, 0);
	a = h->nmmapped ? h->mmapped[h->nmmapped - 1].addr + h->mmapped[h->nmmapped - 1].size : a;
	for (size_t l = 0; l < ARRAY_LEN(libs); l++) {
		for (int k = 0; k < 4; k++) {
			uint64_t size = k == 1 ? 0x155000 : 0x28000;
			region(a, size, lib_perms[k], libs[l], RK_LIB, size / 2048, NULL, NULL, 0);
			a += size;
		}
		a += 0x10000;
	}
	region(a, 0xd000, "rw-p", "", RK_BSS, 20, NULL, NULL, 0);   /* the last one's .bss */
	region(0x7ffff7fc1000ull, 0x4000, "r--p", "[vvar]", RK_VVAR, 0, NULL, NULL, 0);
	region(0x7ffff7fc5000ull, 0x2000, "r-xp", "[vdso]", RK_VDSO, 8, NULL, NULL, 0);
	region(STACK_TOP - 0x21000, 0x21000, "rw-p", "[stack]", RK_STACK, 24, NULL, NULL, 0);
	region(0xffffffffff600000ull, 0x1000, "--xp", "[vsyscall]", RK_VSYSCALL, 0, NULL, NULL, 0);
	space_init(&space);
	space.regions = regions;
	space.n = space.cap = (size_t)nregions;
	space.vsz_kb = 2700;
	space.rss_kb = 1400;
	space.minflt = 420;
	for (int i = 1; i < nregions; i++)
		if (regions[i].start < regions[i - 1].end) {
			fprintf(stderr, "ui_draw: regions out of order at %d\n", i);
			exit(1);
		}
}

/* ---- the heap: 10,000 chunks ------------------------------------------- */

static const uint64_t sizes[] = { 0x20, 0x30, 0x40, 0x50, 0x90, 0x110, 0x210, 0x420, 0x20, 0x30 };

/* Chunk i's state by a fixed pattern: 6 in 10 in use, the rest free in
 * tcache, a fastbin, the unsorted, a small or a large bin. */
static void chunk_state(struct heap_chunk *c, size_t i)
{
	switch (i % 10) {
	case 6: c->state = CH_FREE; c->bin = BIN_TCACHE; c->bin_index = (int)(c->size / 16 - 2); break;
	case 7: c->state = CH_FREE; c->bin = c->size <= 0x80 ? BIN_FAST : BIN_TCACHE;
		c->bin_index = (int)(c->size / 16 - 2); break;
	case 8: c->state = CH_FREE; c->bin = BIN_UNSORTED; c->bin_index = 0; break;
	case 9: c->state = CH_FREE; c->bin = c->size >= 0x400 ? BIN_LARGE : BIN_SMALL;
		c->bin_index = (int)(c->size / 16); break;
	default: c->state = CH_INUSE; c->req = c->size - 8 - i % 8; break;
	}
}

/* One arena of n chunks from HEAP_BASE, then the top; returns the end. */
static uint64_t build_heap(struct heap_state *h, size_t n, bool before)
{
	struct heap_arena *a;
	uint64_t addr = HEAP_BASE, mm = 0x7ffff7000000ull;

	heap_state_init(h);
	h->model = "glibc";
	h->user_off = 16;
	h->bins_known = true;
	a = heap_add_arena(h, "main");
	a->state_addr = 0x7ffff7e19c80ull;
	a->start = HEAP_BASE;
	for (size_t i = 0; i < n; i++) {
		struct heap_chunk *c = heap_add_chunk(a);
		c->addr = addr;
		c->size = sizes[i % ARRAY_LEN(sizes)];
		c->flags = CHUNK_P;
		chunk_state(c, i);
		if (before && i == n / 2)
			c->state = CH_FREE, c->bin = BIN_UNSORTED, c->req = 0;   /* not yet split */
		addr += c->size;
	}
	{
		struct heap_chunk *top = heap_add_chunk(a);
		top->addr = addr;
		top->size = 0x20d10;
		top->flags = CHUNK_P;
		top->state = CH_TOP;
		a->top = addr;
		addr += top->size;
	}
	a->end = addr;
	for (int m = 0; m < 3; m++) {
		util_grow((void **)&h->mmapped, &h->capmmapped, h->nmmapped + 1, sizeof(*h->mmapped));
		h->mmapped[h->nmmapped++] = (struct heap_chunk){ .addr = mm, .size = 0x21000,
			.flags = CHUNK_M, .state = CH_MMAPPED, .bin_index = -1, .req = 0x20000 };
		mm += 0x21000;
	}
	return addr;
}

/* This stop's changes: a split in the middle, an alloc, a free, a coalesce. */
static void add_changes(struct heap_state *h)
{
	const struct heap_chunk *ch = h->arenas[0].chunks;
	size_t mid = NCHUNKS / 2;
	struct heap_change c[] = {
		{ HC_SPLIT, { ch[mid].addr, ch[mid + 1].addr }, 2, "unsorted" },
		{ HC_ALLOC, { ch[1230].addr }, 1, "tcache" },
		{ HC_FREE, { ch[7776].addr }, 1, "tcache" },
		{ HC_COALESCE, { ch[8888].addr, ch[8889].addr }, 2, "next" },
	};

	for (size_t i = 0; i < ARRAY_LEN(c); i++) {
		util_grow((void **)&h->changes, &h->capchanges, h->nchanges + 1, sizeof(*h->changes));
		h->changes[h->nchanges++] = c[i];
	}
}

/* ---- the stack: 100 frames of 4 variables ------------------------------ */

static struct uw_frame frames[NFRAMES];
static struct var_list vlists[NFRAMES];
static struct var_info vars[NFRAMES][NVARS];
static char values[NFRAMES][NVARS][48];
static char points[NFRAMES][48];
static uint64_t prev_cfas[NFRAMES];

/* Frame i (0 innermost) of a recursion called from main, 80 bytes each;
 * its variables: n (param), node (param, a pointer into the heap), buf
 * (char[16]) and next (local, a pointer to the caller's frame). */
static void build_stack(struct thread_state *ts, const struct heap_state *h)
{
	const struct heap_chunk *ch = h->arenas[0].chunks;
	uint64_t cfa = STACK_TOP - 0x1000 - (uint64_t)NFRAMES * 80;

	for (int i = 0; i < NFRAMES; i++, cfa += 80) {
		struct uw_frame *f = &frames[i];
		struct var_info *v = vars[i];
		uint64_t heap_ptr = ch[(size_t)i * 97 % NCHUNKS].addr + 16;
		bool last = i == NFRAMES - 1;

		*f = (struct uw_frame){ .pc = 0x555555555189ull + (last ? 0x200 : 0), .sp = cfa - 80,
			.cfa = cfa, .ret_addr = last ? 0x7ffff7829d90ull : 0x5555555551c4ull,
			.ret_slot = cfa - 8, .how = i ? UW_CFI : UW_REGS, .nsaved = 1,
			.loc = { .fn = last ? "main" : "recurse", .fn_off = last ? 0x5b : 0x34,
				 .file = "/work/main/demos/stack_frames.c", .line = last ? 61 : 24 } };
		f->saved[0] = (struct uw_saved){ .reg = 6, .slot = cfa - 16 };
		snprintf(values[i][0], sizeof(values[i][0]), "%d", NFRAMES - 1 - i);
		snprintf(values[i][1], sizeof(values[i][1]), "0x%llx", (unsigned long long)heap_ptr);
		snprintf(values[i][2], sizeof(values[i][2]), "\"frame %d\\000\\000\\000\"", i);
		snprintf(values[i][3], sizeof(values[i][3]), "0x%llx", (unsigned long long)(cfa + 16));
		snprintf(points[i], sizeof(points[i]), "chunk 0x%llx (in use)",
			 (unsigned long long)(heap_ptr - 16));
		v[0] = (struct var_info){ .name = "n", .kind = DWV_PARAM, .type = "int",
			.has_addr = true, .addr = cfa - 68, .size = 4, .reg = -1, .value = values[i][0] };
		v[1] = (struct var_info){ .name = "node", .kind = DWV_PARAM, .type = "struct node *",
			.has_addr = true, .addr = cfa - 64, .size = 8, .reg = -1, .value = values[i][1],
			.is_ptr = true, .ptr = heap_ptr, .points_to = points[i], .points_kind = "heap" };
		v[2] = (struct var_info){ .name = "buf", .kind = DWV_LOCAL, .type = "char [16]",
			.has_addr = true, .addr = cfa - 48, .size = 16, .reg = -1, .value = values[i][2] };
		v[3] = (struct var_info){ .name = "next", .kind = DWV_LOCAL, .type = "long *",
			.has_addr = true, .addr = cfa - 24, .size = 8, .reg = -1, .value = values[i][3],
			.is_ptr = true, .ptr = cfa + 16, .points_to = "frame #1 recurse",
			.points_kind = "stack" };
		vlists[i] = (struct var_list){ v, NVARS, NVARS };
		prev_cfas[i] = cfa;
	}
	*ts = (struct thread_state){ .tid = 4242, .pc = frames[0].pc, .sp = frames[0].sp,
		.has_stack = true, .vars = vlists, .vars_cap = NFRAMES };
	ts->stack = (struct uw_stack){ .frames = frames, .n = NFRAMES, .end = "outermost" };
}

/* ---- the frames, drawn by ui.c -------------------------------------------- */

/* One frame: a new stop (the panes' per-stop caches are rebuilt), drawn. */
static void frame(struct ui *u, struct snapshot *snap)
{
	snap->seq++;
	ui_redraw(u, snap);
}

/* Bytes curses has written to the scratch file since the last call. */
static long take_bytes(int fd)
{
	off_t pos = lseek(fd, 0, SEEK_CUR);

	if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	return (long)pos;
}

/* Time draws frames (each a new stop), repaint: all of curscr resent. */
static void series(struct ui *u, struct snapshot *snap, int fd, int draws, bool repaint,
		   double *best, double *median, long *bytes)
{
	double *t = calloc((size_t)draws, sizeof(*t));

	if (t == NULL)
		exit(1);
	for (int k = 0; k < draws; k++) {
		double t0;

		if (repaint)
			clearok(curscr, TRUE);
		t0 = now_ms();
		frame(u, snap);
		t[k] = now_ms() - t0;
		*bytes = take_bytes(fd);
	}
	qsort(t, (size_t)draws, sizeof(*t), cmp_double);
	*best = t[0];
	*median = t[draws / 2];
	free(t);
}

/* Cells of the screen that are not blank: a sanity check that the panes drew. */
static int drawn_cells(void)
{
	int n = 0;

	for (int y = 0; y < LINES; y++)
		for (int x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1] = { 0 };
			attr_t a;
			short pair;
			if (mvin_wch(y, x, &cc) != ERR && getcchar(&cc, wc, &a, &pair, NULL) != ERR &&
			    wc[0] != L' ' && wc[0] != 0)
				n++;
		}
	return n;
}

/* With UI_DRAW_DUMP set, the screen as text on stderr (to look at it). */
static void dump(void)
{
	if (!getenv("UI_DRAW_DUMP"))
		return;
	for (int y = 0; y < LINES; y++) {
		for (int x = 0; x < COLS; x++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1] = { 0 };
			attr_t a;
			short pair;
			char u8[8];
			mbstate_t st = { 0 };
			size_t k;
			if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
				wc[0] = L'?';
			k = wcrtomb(u8, wc[0] ? wc[0] : L' ', &st);
			fwrite(u8, 1, k == (size_t)-1 ? 0 : k, stderr);
		}
		fputc('\n', stderr);
	}
}

/* The screen's row y as text (for the sanity check). */
static void row_text(int y, char *buf, size_t n)
{
	size_t len = 0;

	for (int x = 0; x < COLS && len + 8 < n; x++) {
		cchar_t cc;
		wchar_t wc[CCHARW_MAX + 1] = { 0 };
		attr_t a;
		short pair;
		mbstate_t st = { 0 };
		size_t k;
		if (mvin_wch(y, x, &cc) == ERR || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
			wc[0] = L'?';
		k = wcrtomb(buf + len, wc[0] ? wc[0] : L' ', &st);
		if (k != (size_t)-1)
			len += k;
	}
	buf[len] = '\0';
}

int main(int argc, char **argv)
{
	struct heap_state heap, heap_prev;
	struct thread_state ts;
	struct snapshot snap;
	struct ui_opts o;
	struct ui *u;
	int draws = argc > 1 ? atoi(argv[1]) : 200;
	double best, median, rbest, rmedian;
	long bytes = 0, rbytes = 0;
	uint64_t heap_end;
	char *cause = NULL, title[1024], *t;
	long nchunks;
	FILE *out = tmpfile(), *in = fopen("/dev/null", "r");

	if (draws < 1 || out == NULL || in == NULL)
		return 2;
	setlocale(LC_ALL, "C.UTF-8");
	heap_end = build_heap(&heap, NCHUNKS, false);
	build_heap(&heap_prev, NCHUNKS, true);
	add_changes(&heap);
	build_space(heap_end, &heap);
	build_stack(&ts, &heap);
	snap = (struct snapshot){ .seq = 1, .pid = 4242, .fields = FIELD_ALL, .space = &space,
		.heap = &heap, .heap_prev = &heap_prev, .threads = &ts, .nthreads = 1,
		.thread_cap = 1, .program = "demos/heap_many" };
	snap.ev = (struct event){ .kind = EV_MALLOC, .pid = 4242, .tid = 4242, .fn = "malloc",
		.args = { 500 }, .nargs = 1, .has_ret = true,
		.ret = heap.arenas[0].chunks[NCHUNKS / 2].addr + 16, .pc = 0x7ffff7e9a0e0ull,
		.call_site = 0x5555555551c4ull };
	snap.at = (struct code_loc){ .fn = "recurse", .off = 0x34,
		.file = "/work/main/demos/stack_frames.c", .line = 24 };
	snap.has_sysmem = procfs_sysmem(&snap.sysmem) == 0;

	/* ui.c itself, on a scratch file as a 256-color xterm of 200x60 */
	setenv("TERM", "xterm-256color", 1);
	unsetenv("NO_COLOR");
	o = (struct ui_opts){ .program = "demos/heap_many", .lang = UI_LANG_EN,
			      .screen_out = out, .screen_in = in };
	u = ui_open(&o, &cause);
	if (!u) {
		fprintf(stderr, "ui_draw: %s\n", cause ? cause : "ui_open failed");
		return 1;
	}
	resizeterm(ROWS, COLS_W);
	for (int i = 0; i < NLOG; i++)
		ui_message(u, "#%d malloc(%d) = 0x%llx    -> split the free %d B chunk at 0x%llx: "
			   "%d B in use, %d B stay free (remainder to unsorted)", i + 1, 16 * (i + 1),
			   0x555555559000ull + 0x40u * (unsigned)i, 2032 - 16 * i,
			   0x555555559000ull + 0x40u * (unsigned)i, 16 * (i + 2), 2000 - 16 * i);
	frame(u, &snap);                  /* warm: the first paint */
	take_bytes(fileno(out));
	dump();
	row_text(1, title, sizeof(title));
	nchunks = (t = strstr(title, "main arena · ")) ? atol(t + strlen("main arena · ")) : 0;
	if (drawn_cells() < ROWS * COLS_W / 4 || nchunks < NCHUNKS || !strstr(title, "(1/1)")) {
		int cells = drawn_cells();
		ui_close(u);
		fprintf(stderr, "ui_draw: the panes drew too little (%d cells; titles: %s)\n",
			cells, title);
		return 1;
	}
	series(u, &snap, fileno(out), draws, false, &best, &median, &bytes);
	series(u, &snap, fileno(out), draws, true, &rbest, &rmedian, &rbytes);
	ui_close(u);
	printf("draws %d chunks %zu frames %d regions %zu best_ms %.3f median_ms %.3f "
	       "repaint_best_ms %.3f repaint_median_ms %.3f repaint_bytes %ld frame_bytes %ld\n",
	       draws, heap.arenas[0].n + heap.nmmapped, NFRAMES, space.n, best, median, rbest,
	       rmedian, rbytes, bytes);
	heap_state_free(&heap);
	heap_state_free(&heap_prev);
	fclose(out);
	fclose(in);
	return 0;
}
