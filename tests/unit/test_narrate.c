/*
 * test_narrate.c - the narration line, English and Korean, for every kind
 * of stop, from snapshots built by hand.  The heap cases make two chunk
 * lists and run the real heap_diff between them, so the sentences follow
 * what the diff reports (not a hand-made change list).  Each sentence is
 * checked for its numbers and key words, for being non-empty, valid UTF-8
 * without control characters, and one line of a sane width.  Then the
 * events strip (ui_log_draw) on a headless curses screen.
 */
#define NCURSES_WIDECHAR 1
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "check.h"
#include "diagnose.h"
#include "heap.h"
#include "narrate.h"
#include "snapshot.h"
#include "ui_draw.h"

int main(void);

#define BASE 0x555555559000ull    /* start of the [heap] of these tests */
#define STK 0x7ffffffde000ull     /* a stack address */

/* ---- sentences ------------------------------------------------------------ */

static bool verbose;

/* Is s strict UTF-8 without control characters?  (mbstowcs in C.UTF-8
 * rejects overlong forms and surrogates.) */
static bool clean_utf8(const char *s)
{
	size_t n = mbstowcs(NULL, s, 0);

	if (n == (size_t)-1)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Display width of s in cells. */
static int cells(const char *s)
{
	wchar_t w[1024];
	size_t n = mbstowcs(w, s, 1023);

	if (n == (size_t)-1)
		return -1;
	w[n] = 0;
	return wcswidth(w, n);
}

/* --relative-style addresses, as ui_addr prints them in lecture mode. */
static void rel_addr(void *ctx, uint64_t addr, char *buf, size_t n)
{
	(void)ctx;
	if (addr >= BASE && addr < BASE + 0x1000000)
		snprintf(buf, n, "heap+0x%llx", (unsigned long long)(addr - BASE));
	else if (addr > STK - 0x100000 && addr <= STK + 0x100000)
		snprintf(buf, n, "stack-0x%llx", (unsigned long long)(STK + 0x21000 - addr));
	else
		snprintf(buf, n, "0x%llx", (unsigned long long)addr);
}

static char en[1024], ko[1024], en_rel[1024];
static const struct ui_prev *the_prev;
static bool wide_ok;              /* long names or values: may exceed a line */

/* Both sentences of s into en/ko (plain addresses) and en_rel (relative),
 * each checked for what every sentence must be. */
static void say(const struct snapshot *s, const char *what)
{
	struct strbuf sb = { 0 };
	struct narrate_opts o = { .lang = UI_LANG_EN, .prev = the_prev };
	char *outs[3] = { en, ko, en_rel };

	for (int k = 0; k < 3; k++) {
		o.lang = k == 1 ? UI_LANG_KO : UI_LANG_EN;
		o.addr = k == 2 ? rel_addr : NULL;
		sb_reset(&sb);
		narrate_ex(s, &o, &sb);
		snprintf(outs[k], sizeof en, "%s", sb.buf ? sb.buf : "");
		if (!sb.buf || !sb.buf[0]) {
			fprintf(stderr, "%s: empty sentence (%s)\n", what, k == 1 ? "ko" : "en");
			check_failures++;
		} else if (!clean_utf8(sb.buf)) {
			fprintf(stderr, "%s: not clean UTF-8: %s\n", what, sb.buf);
			check_failures++;
		}
	}
	/* one line: with lecture-mode addresses, about 110 columns in
	 * English; Korean runs wider (two cells a syllable) */
	if (!wide_ok && (cells(en_rel) > 112 || cells(ko) > 150)) {
		fprintf(stderr, "%s: too wide (%d / %d cells):\n  %s\n  %s\n", what, cells(en_rel),
			cells(ko), en_rel, ko);
		check_failures++;
	}
	if (verbose)
		printf("%-14s %3d %s\n%-14s %3d %s\n%-14s %3d %s\n", what, cells(en), en, "", cells(ko),
		       ko, "", cells(en_rel), en_rel);
	/* the old narrate() is narrate_ex without prev */
	if (!the_prev) {
		sb_reset(&sb);
		narrate(s, UI_LANG_EN, NULL, NULL, &sb);
		CHECK_STR(sb.buf, en);
	}
	sb_free(&sb);
}

/* Does s contain every one of the words (NULL-terminated)? */
static bool has_all(const char *where, const char *s, ...)
{
	va_list ap;
	const char *w;
	bool ok = true;

	va_start(ap, s);
	while ((w = va_arg(ap, const char *)) != NULL)
		if (!strstr(s, w)) {
			fprintf(stderr, "%s: \"%s\" not in \"%s\"\n", where, w, s);
			ok = false;
		}
	va_end(ap);
	return ok;
}
#define HAS(s, ...) CHECK(has_all(#s, (s), __VA_ARGS__, (const char *)NULL))
#define HASNT(s, w) CHECK(!strstr((s), (w)))

/* ---- heaps ----------------------------------------------------------------- */

struct spec {
	uint64_t size;
	enum chunk_state st;
	enum chunk_bin bin;
	int idx;
};
#define U CH_INUSE
#define F CH_FREE
#define T CH_TOP
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* h = one arena "main" tiling from BASE with the chunks of s. */
static void build(struct heap_state *h, const char *model, const struct spec *s, size_t n)
{
	struct heap_arena *a;
	uint64_t at = BASE;

	heap_state_clear(h);
	h->model = model;
	h->user_off = strcmp(model, "tags") == 0 ? 8 : 16;
	h->bins_known = true;
	a = heap_add_arena(h, strcmp(model, "tags") == 0 ? "tags" : "main");
	a->start = BASE;
	for (size_t i = 0; i < n; i++) {
		struct heap_chunk *c = heap_add_chunk(a);
		c->addr = at;
		c->size = s[i].size;
		c->state = s[i].st;
		c->bin = s[i].bin;
		c->bin_index = s[i].st == F ? s[i].idx : -1;
		c->flags = CHUNK_P;
		at += s[i].size;
	}
	a->end = at;
	a->top = n && s[n - 1].st == T ? at - s[n - 1].size : 0;
}

/* Add an mmapped chunk. */
static void add_mmapped(struct heap_state *h, uint64_t addr, uint64_t size)
{
	util_grow((void **)&h->mmapped, &h->capmmapped, h->nmmapped + 1, sizeof(*h->mmapped));
	h->mmapped[h->nmmapped++] = (struct heap_chunk){ .addr = addr, .size = size,
		.flags = CHUNK_M, .state = CH_MMAPPED, .bin_index = -1 };
}

/* The address of chunk i of the list s. */
static uint64_t chunk_addr(const struct spec *s, size_t i)
{
	uint64_t at = BASE;

	for (size_t k = 0; k < i; k++)
		at += s[k].size;
	return at;
}

static struct heap_state hp, hc;

/* A snapshot of a heap call: prev -> cur through heap_diff. */
static void heap_snap(struct snapshot *s, enum ev_kind k, const char *fn, int nargs,
		      uint64_t a0, uint64_t a1, uint64_t ret)
{
	memset(s, 0, sizeof(*s));
	s->pid = 4242;
	s->ev.kind = k;
	s->ev.pid = s->ev.tid = 4242;
	s->ev.fn = fn;
	s->ev.nargs = nargs;
	s->ev.args[0] = a0;
	s->ev.args[1] = a1;
	s->ev.has_ret = k != EV_FREE;
	s->ev.ret = ret;
	heap_diff(&hp, &hc);
	s->heap = &hc;
	s->heap_prev = &hp;
	s->fields = FIELD_ALL;
}

static void test_alloc(void)
{
	struct snapshot s;

	/* reuse from tcache: the 32-byte chunk at index 2 comes back */
	struct spec b1[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x20, F, BIN_TCACHE, 0 },
			     { 0x20, U, 0, 0 }, { 0x20d00, T, 0, 0 } };
	struct spec a1[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x20, U, 0, 0 },
			     { 0x20, U, 0, 0 }, { 0x20d00, T, 0, 0 } };
	build(&hp, "glibc", b1, N(b1));
	build(&hc, "glibc", a1, N(a1));
	heap_snap(&s, EV_MALLOC, "malloc", 1, 24, 0, chunk_addr(a1, 2) + 16);
	say(&s, "tcache reuse");
	HAS(en, "malloc(24) reused the 32-byte chunk at 0x5555555592b0 from tcache[0]");
	HAS(ko, "malloc(24)", "tcache[0]", "32바이트", "청크", "재사용");
	HAS(en_rel, "heap+0x2b0");

	/* calloc of the same: says it is zeroed */
	heap_snap(&s, EV_CALLOC, "calloc", 2, 3, 8, chunk_addr(a1, 2) + 16);
	say(&s, "calloc");
	HAS(en, "calloc(3, 8) reused", "zeroed");
	HAS(ko, "calloc(3, 8)", "0으로");

	/* split: a free 2,016-byte chunk serves 500 bytes */
	struct spec b2[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x7e0, F, BIN_UNSORTED, 0 },
			     { 0x20, U, 0, 0 }, { 0x20000, T, 0, 0 } };
	struct spec a2[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x200, U, 0, 0 },
			     { 0x5e0, F, BIN_UNSORTED, 0 }, { 0x20, U, 0, 0 }, { 0x20000, T, 0, 0 } };
	build(&hp, "glibc", b2, N(b2));
	build(&hc, "glibc", a2, N(a2));
	heap_snap(&s, EV_MALLOC, "malloc", 1, 500, 0, chunk_addr(a2, 2) + 16);
	CHECK(hc.nchanges == 1 && hc.changes[0].kind == HC_SPLIT);
	say(&s, "split");
	HAS(en, "malloc(500) split the free 2,016-byte chunk at 0x5555555592b0: 512 bytes in use, "
		"1,504 stay free");
	HAS(ko, "malloc(500)", "2,016바이트", "빈 청크", "분할", "512바이트", "1,504바이트");

	/* from top: 528 bytes carved, top shrinks */
	struct spec b3[] = { { 0x290, U, 0, 0 }, { 0x20d70, T, 0, 0 } };
	struct spec a3[] = { { 0x290, U, 0, 0 }, { 0x210, U, 0, 0 }, { 0x20b60, T, 0, 0 } };
	build(&hp, "glibc", b3, N(b3));
	build(&hc, "glibc", a3, N(a3));
	heap_snap(&s, EV_MALLOC, "malloc", 1, 512, 0, chunk_addr(a3, 1) + 16);
	say(&s, "top");
	HAS(en, "malloc(512) took 528 bytes from the top chunk at 0x555555559290; top shrinks to "
		"133,984 bytes");
	HAS(ko, "top 청크", "528바이트", "133,984바이트", "줄어듭니다");

	/* from top after brk grew the heap */
	struct spec b4[] = { { 0x290, U, 0, 0 }, { 0x100, T, 0, 0 } };
	struct spec a4[] = { { 0x290, U, 0, 0 }, { 0x1010, U, 0, 0 }, { 0x200f0, T, 0, 0 } };
	build(&hp, "glibc", b4, N(b4));
	build(&hc, "glibc", a4, N(a4));
	heap_snap(&s, EV_MALLOC, "malloc", 1, 4096, 0, chunk_addr(a4, 1) + 16);
	say(&s, "top+brk");
	HAS(en, "grew the heap with brk by 135,168 bytes", "took 4,112 bytes from the top chunk");
	HAS(ko, "brk", "135,168바이트", "4,112바이트", "늘린");

	/* the first malloc: the heap appears */
	heap_state_clear(&hp);
	hp.model = "glibc";
	struct spec a5[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x20d50, T, 0, 0 } };
	build(&hc, "glibc", a5, N(a5));
	heap_snap(&s, EV_MALLOC, "malloc", 1, 24, 0, chunk_addr(a5, 1) + 16);
	say(&s, "new heap");
	HAS(en, "malloc(24) created the heap with brk (135,168 bytes) and took 32 bytes");
	HAS(ko, "brk", "힙", "135,168바이트", "32바이트");

	/* above the mmap threshold */
	build(&hp, "glibc", a5, N(a5));
	build(&hc, "glibc", a5, N(a5));
	add_mmapped(&hc, 0x7ffff7d00000ull, 0x32000);
	heap_snap(&s, EV_MALLOC, "malloc", 1, 200000, 0, 0x7ffff7d00010ull);
	CHECK(hc.nchanges == 1 && hc.changes[0].kind == HC_MMAP);
	say(&s, "mmap");
	HAS(en, "mmap threshold", "its own 204,800-byte mapping at 0x7ffff7d00000");
	HAS(ko, "mmap 임계값", "204,800바이트", "매핑");

	/* failure */
	heap_snap(&s, EV_MALLOC, "malloc", 1, 1ull << 46, 0, 0);
	say(&s, "malloc NULL");
	HAS(en, "failed", "NULL");
	HAS(ko, "실패", "NULL");

	/* the tags allocator: a free block reused from its free list */
	struct spec b6[] = { { 0x20, U, 0, 0 }, { 0x40, F, BIN_NONE, 0 }, { 0x20, U, 0, 0 } };
	struct spec a6[] = { { 0x20, U, 0, 0 }, { 0x40, U, 0, 0 }, { 0x20, U, 0, 0 } };
	build(&hp, "tags", b6, N(b6));
	build(&hc, "tags", a6, N(a6));
	heap_snap(&s, EV_MALLOC, "tags_malloc", 1, 40, 0, chunk_addr(a6, 1) + 8);
	say(&s, "tags reuse");
	HAS(en, "tags_malloc(40) reused the free 64-byte chunk");
	HAS(ko, "64바이트", "재사용");
	/* its first block: the heap appears, with no brk and no top to speak of */
	heap_state_clear(&hp);
	hp.model = "tags";
	struct spec a6b[] = { { 0xe0, U, 0, 0 }, { 0x320, F, BIN_NONE, 0 } };
	build(&hc, "tags", a6b, N(a6b));
	heap_snap(&s, EV_MALLOC, "tags_malloc", 1, 200, 0, BASE + 8);
	say(&s, "tags new heap");
	HAS(en, "tags_malloc(200) started the heap (1,024 bytes) and took 224 bytes");
	HASNT(en, "brk");
	HASNT(en, "arena");
	HAS(ko, "1,024바이트", "224바이트");
	/* ... and the heap grown (the epilogue moved) for a new block */
	struct spec a7[] = { { 0x20, U, 0, 0 }, { 0x40, F, BIN_NONE, 0 }, { 0x20, U, 0, 0 },
			     { 0x400, U, 0, 0 } };
	build(&hp, "tags", b6, N(b6));
	build(&hc, "tags", a7, N(a7));
	heap_snap(&s, EV_MALLOC, "tags_malloc", 1, 1000, 0, chunk_addr(a7, 3) + 8);
	say(&s, "tags grow");
	HAS(en, "grew the heap by 1,024 bytes to fit a 1,024-byte chunk");
	HAS(ko, "1,024바이트", "늘려");
}

/* An arena "name" for malloc_state st at base with chunks s, added to h. */
static void add_arena(struct heap_state *h, const char *name, uint64_t st, uint64_t base,
		      const struct spec *s, size_t n)
{
	struct heap_arena *a = heap_add_arena(h, name);
	uint64_t at = base;

	a->state_addr = st;
	a->start = base;
	for (size_t i = 0; i < n; i++) {
		struct heap_chunk *c = heap_add_chunk(a);
		*c = (struct heap_chunk){ .addr = at, .size = s[i].size, .state = s[i].st,
					  .bin = s[i].bin, .bin_index = s[i].st == F ? s[i].idx : -1,
					  .flags = CHUNK_P | CHUNK_A };
		at += s[i].size;
	}
	a->end = at;
}

/* glibc numbers thread arenas newest first: when a thread makes a new
 * arena, "thread 1" names another arena than at the previous stop.  The
 * sentence must follow the arena (its malloc_state), not the name. */
static void test_renamed_arenas(void)
{
	struct snapshot s;
	const uint64_t X = 0x7fff00000000ull, Y = 0x7ffe00000000ull;
	struct spec bx[] = { { 0x290, U, 0, 0 }, { 0x20, F, BIN_TCACHE, 0 }, { 0x20000, T, 0, 0 } };
	struct spec ax[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x20000, T, 0, 0 } };
	struct spec ay[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x1fde0, T, 0, 0 } };

	heap_state_clear(&hp);
	heap_state_clear(&hc);
	hp.model = hc.model = "glibc";
	hp.user_off = hc.user_off = 16;
	hp.bins_known = hc.bins_known = true;
	add_arena(&hp, "thread 1", X, X + 0x8d0, bx, N(bx));
	add_arena(&hc, "thread 1", Y, Y + 0x8d0, ay, N(ay));
	add_arena(&hc, "thread 2", X, X + 0x8d0, ax, N(ax));
	/* the old arena's tcache chunk handed out again */
	heap_snap(&s, EV_MALLOC, "malloc", 1, 24, 0, X + 0x8d0 + 0x290 + 16);
	say(&s, "renamed reuse");
	HAS(en, "reused the 32-byte chunk", "from tcache[0]");
	HASNT(en, "arena");
	/* the new arena's first block */
	heap_snap(&s, EV_MALLOC, "malloc", 1, 24, 0, Y + 0x8d0 + 0x290 + 16);
	say(&s, "renamed new");
	HAS(en, "opened a new arena for this thread", "took 32 bytes");
	HAS(ko, "아레나");
}

static void test_realloc(void)
{
	struct snapshot s;

	/* in place: the block grows into the free chunk after it */
	struct spec b1[] = { { 0x290, U, 0, 0 }, { 0x30, U, 0, 0 }, { 0x40, F, BIN_SMALL, 0 },
			     { 0x20, U, 0, 0 }, { 0x20000, T, 0, 0 } };
	struct spec a1[] = { { 0x290, U, 0, 0 }, { 0x70, U, 0, 0 }, { 0x20, U, 0, 0 },
			     { 0x20000, T, 0, 0 } };
	build(&hp, "glibc", b1, N(b1));
	build(&hc, "glibc", a1, N(a1));
	uint64_t p = chunk_addr(a1, 1) + 16;
	heap_snap(&s, EV_REALLOC, "realloc", 2, p, 100, p);
	say(&s, "realloc in place");
	HAS(en, "realloc(0x5555555592a0, 100) resized the block in place", "from 48 to 112 bytes");
	HAS(ko, "제자리에서", "48바이트", "112바이트");

	/* moved: a new chunk from top, the old one freed to tcache */
	struct spec b2[] = { { 0x290, U, 0, 0 }, { 0x30, U, 0, 0 }, { 0x20, U, 0, 0 },
			     { 0x20000, T, 0, 0 } };
	struct spec a2[] = { { 0x290, U, 0, 0 }, { 0x30, F, BIN_TCACHE, 1 }, { 0x20, U, 0, 0 },
			     { 0x110, U, 0, 0 }, { 0x1fef0, T, 0, 0 } };
	build(&hp, "glibc", b2, N(b2));
	build(&hc, "glibc", a2, N(a2));
	heap_snap(&s, EV_REALLOC, "realloc", 2, p, 256, chunk_addr(a2, 3) + 16);
	say(&s, "realloc moved");
	HAS(en, "moved the block to 0x5555555592f0, a 272-byte chunk; the old 48-byte chunk was freed");
	HAS(ko, "옮기고", "272바이트", "48바이트", "해제");

	/* realloc(NULL, n) is malloc */
	heap_snap(&s, EV_REALLOC, "realloc", 2, 0, 256, chunk_addr(a2, 3) + 16);
	say(&s, "realloc NULL");
	HAS(en, "realloc(NULL, 256) took 272 bytes from the top chunk");

	/* failure leaves the block */
	build(&hc, "glibc", b2, N(b2));
	heap_snap(&s, EV_REALLOC, "realloc", 2, p, 1ull << 46, 0);
	say(&s, "realloc fail");
	HAS(en, "failed", "left as it was");
	HAS(ko, "실패", "그대로");
}

static void test_free(void)
{
	struct snapshot s;

	/* to tcache */
	struct spec b1[] = { { 0x290, U, 0, 0 }, { 0x30, U, 0, 0 }, { 0x20, U, 0, 0 },
			     { 0x20000, T, 0, 0 } };
	struct spec a1[] = { { 0x290, U, 0, 0 }, { 0x30, F, BIN_TCACHE, 1 }, { 0x20, U, 0, 0 },
			     { 0x20000, T, 0, 0 } };
	build(&hp, "glibc", b1, N(b1));
	build(&hc, "glibc", a1, N(a1));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(a1, 1) + 16, 0, 0);
	say(&s, "free tcache");
	HAS(en, "free(0x5555555592a0) put its 48-byte chunk in tcache[1]", "no merging");
	HAS(ko, "free(0x5555555592a0)", "48바이트 청크", "tcache[1]", "병합");

	/* to a fastbin (tcache full) */
	a1[1].bin = BIN_FAST;
	a1[1].idx = 1;
	build(&hc, "glibc", a1, N(a1));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(a1, 1) + 16, 0, 0);
	say(&s, "free fastbin");
	HAS(en, "fastbin[1]");
	HAS(ko, "fastbin[1]");

	/* to the unsorted bin, no neighbour to merge with */
	struct spec b2[] = { { 0x290, U, 0, 0 }, { 0x7e0, U, 0, 0 }, { 0x20, U, 0, 0 },
			     { 0x20000, T, 0, 0 } };
	struct spec a2[] = { { 0x290, U, 0, 0 }, { 0x7e0, F, BIN_UNSORTED, 0 }, { 0x20, U, 0, 0 },
			     { 0x20000, T, 0, 0 } };
	build(&hp, "glibc", b2, N(b2));
	build(&hc, "glibc", a2, N(a2));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(a2, 1) + 16, 0, 0);
	say(&s, "free unsorted");
	HAS(en, "put its 2,016-byte chunk in the unsorted bin (too big for tcache); no free neighbour "
		"to merge");
	HAS(ko, "2,016바이트", "unsorted bin", "tcache", "병합할 빈 이웃 청크는 없습니다");

	/* coalesce with the previous free chunk */
	struct spec b3[] = { { 0x290, U, 0, 0 }, { 0x5e0, F, BIN_UNSORTED, 0 }, { 0x200, U, 0, 0 },
			     { 0x20, U, 0, 0 }, { 0x20000, T, 0, 0 } };
	struct spec a3[] = { { 0x290, U, 0, 0 }, { 0x7e0, F, BIN_UNSORTED, 0 }, { 0x20, U, 0, 0 },
			     { 0x20000, T, 0, 0 } };
	build(&hp, "glibc", b3, N(b3));
	build(&hc, "glibc", a3, N(a3));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(b3, 2) + 16, 0, 0);
	CHECK(hc.nchanges == 1 && hc.changes[0].kind == HC_COALESCE);
	say(&s, "merge prev");
	HAS(en, "merged the 512-byte chunk with its free neighbour before it: one free chunk of "
		"2,016 bytes");
	HAS(ko, "512바이트", "앞쪽", "병합", "2,016바이트");

	/* with the next */
	struct spec b4[] = { { 0x290, U, 0, 0 }, { 0x200, U, 0, 0 }, { 0x5e0, F, BIN_UNSORTED, 0 },
			     { 0x20, U, 0, 0 }, { 0x20000, T, 0, 0 } };
	build(&hp, "glibc", b4, N(b4));
	build(&hc, "glibc", a3, N(a3));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(b4, 1) + 16, 0, 0);
	say(&s, "merge next");
	HAS(en, "with its free neighbour after it: one free chunk of 2,016 bytes");
	HAS(ko, "뒤쪽", "병합", "2,016바이트");

	/* with both */
	struct spec b5[] = { { 0x290, U, 0, 0 }, { 0x300, F, BIN_SMALL, 0 }, { 0x200, U, 0, 0 },
			     { 0x2e0, F, BIN_SMALL, 0 }, { 0x20, U, 0, 0 }, { 0x20000, T, 0, 0 } };
	build(&hp, "glibc", b5, N(b5));
	build(&hc, "glibc", a3, N(a3));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(b5, 2) + 16, 0, 0);
	say(&s, "merge both");
	HAS(en, "with both free neighbours: one free chunk of 2,016 bytes");
	HAS(ko, "앞뒤", "병합", "2,016바이트");

	/* into top */
	struct spec b6[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x7e0, U, 0, 0 },
			     { 0x20000, T, 0, 0 } };
	struct spec a6[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x207e0, T, 0, 0 } };
	build(&hp, "glibc", b6, N(b6));
	build(&hc, "glibc", a6, N(a6));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(b6, 2) + 16, 0, 0);
	say(&s, "merge top");
	HAS(en, "merged the 2,016-byte chunk into the top chunk: top grows to 133,088 bytes");
	HAS(ko, "2,016바이트", "top 청크", "병합", "133,088바이트");
	HASNT(en, "brk");

	/* into top with the free chunk before it, then trimmed by brk */
	struct spec b7[] = { { 0x290, U, 0, 0 }, { 0x400, F, BIN_UNSORTED, 0 }, { 0x7e0, U, 0, 0 },
			     { 0x30000, T, 0, 0 } };
	struct spec a7[] = { { 0x290, U, 0, 0 }, { 0x20be0, T, 0, 0 } };
	build(&hp, "glibc", b7, N(b7));
	build(&hc, "glibc", a7, N(a7));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(b7, 2) + 16, 0, 0);
	say(&s, "merge top+trim");
	HAS(en, "merged the 2,016-byte chunk and the free one before it into top; brk gave 65,536 "
		"bytes back");
	HAS(ko, "앞쪽 빈 청크와 함께", "65,536바이트", "커널");
	/* trimmed without a free chunk before it */
	struct spec b7b[] = { { 0x290, U, 0, 0 }, { 0x7e0, U, 0, 0 }, { 0x30000, T, 0, 0 } };
	struct spec a7b[] = { { 0x290, U, 0, 0 }, { 0x207e0, T, 0, 0 } };
	build(&hp, "glibc", b7b, N(b7b));
	build(&hc, "glibc", a7b, N(a7b));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(b7b, 1) + 16, 0, 0);
	say(&s, "merge top+trim2");
	HAS(en, "merged the 2,016-byte chunk into top, then brk gave 65,536 bytes back to the kernel");
	HAS(ko, "2,016바이트", "top 청크", "65,536바이트");

	/* an mmapped chunk unmapped */
	build(&hp, "glibc", a6, N(a6));
	build(&hc, "glibc", a6, N(a6));
	add_mmapped(&hp, 0x7ffff7d00000ull, 0x32000);
	heap_snap(&s, EV_FREE, "free", 1, 0x7ffff7d00010ull, 0, 0);
	say(&s, "free munmap");
	HAS(en, "unmapped its 204,800-byte mmapped chunk", "kernel");
	HAS(ko, "204,800바이트", "munmap", "커널");

	/* free(NULL) */
	heap_snap(&s, EV_FREE, "free", 1, 0, 0, 0);
	say(&s, "free NULL");
	HAS(en, "free(NULL) does nothing");
	HAS(ko, "free(NULL)", "아무 일도");

	/* a chunk that was free already (a fastbin double free glibc let pass) */
	struct thread_state one = { .tid = 4242 }, two[2] = { { .tid = 4242 }, { .tid = 4243 } };
	a1[1].bin = BIN_FAST;
	build(&hp, "glibc", a1, N(a1));
	build(&hc, "glibc", a1, N(a1));
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(a1, 1) + 16, 0, 0);
	s.threads = &one;
	s.nthreads = 1;
	say(&s, "double free");
	HAS(en, "already free", "double free");
	HAS(ko, "이미 해제", "double free");
	/* ... but with two threads the other one's stop may have come first:
	 * no accusation, only where the chunk is now */
	s.threads = two;
	s.nthreads = 2;
	say(&s, "free 2 threads");
	HAS(en, "put its 48-byte chunk in fastbin[1]");
	HASNT(en, "double");
	/* not knowing the threads (--fields without stack): no accusation */
	s.nthreads = 0;
	say(&s, "free 0 threads");
	HASNT(en, "double");

	/* bins not readable: the tcache chunk still looks in use */
	build(&hp, "glibc", b1, N(b1));
	build(&hc, "glibc", b1, N(b1));
	hc.bins_known = hp.bins_known = false;
	heap_snap(&s, EV_FREE, "free", 1, chunk_addr(b1, 1) + 16, 0, 0);
	say(&s, "free unseen");
	HAS(en, "released its 48-byte chunk", "not shown");
	HASNT(en, "tcache[");

	/* the tags allocator with deferred coalescing: a free neighbour stays */
	struct spec b8[] = { { 0x20, U, 0, 0 }, { 0x40, F, BIN_NONE, 0 }, { 0x30, U, 0, 0 },
			     { 0x20, U, 0, 0 } };
	struct spec a8[] = { { 0x20, U, 0, 0 }, { 0x40, F, BIN_NONE, 0 }, { 0x30, F, BIN_NONE, 0 },
			     { 0x20, U, 0, 0 } };
	build(&hp, "tags", b8, N(b8));
	build(&hc, "tags", a8, N(a8));
	heap_snap(&s, EV_FREE, "tags_free", 1, chunk_addr(a8, 2) + 8, 0, 0);
	say(&s, "tags deferred");
	HAS(en, "tags_free(0x555555559068) released its 48-byte chunk", "deferred coalescing");
	HAS(ko, "48바이트", "지연 병합");
}

/* Without a heap the sentence names no chunk. */
static void test_no_heap(void)
{
	struct snapshot s;

	heap_snap(&s, EV_MALLOC, "malloc", 1, 24, 0, BASE + 0x2a0);
	s.heap = s.heap_prev = NULL;
	say(&s, "malloc noheap");
	HAS(en, "malloc(24) returned the block at 0x5555555592a0");
	HASNT(en, "chunk");
	HASNT(ko, "청크");
	heap_snap(&s, EV_FREE, "free", 1, BASE + 0x2a0, 0, 0);
	s.heap = s.heap_prev = NULL;
	say(&s, "free noheap");
	HAS(en, "free(0x5555555592a0) gave the block back");
	HASNT(en, "chunk");
	HASNT(ko, "청크");
	/* a heap model that found nothing: no user offset, no claim */
	heap_state_clear(&hc);
	heap_state_clear(&hp);
	heap_snap(&s, EV_MALLOC, "malloc", 1, 24, 0, BASE + 0x2a0);
	say(&s, "malloc nomodel");
	HASNT(en, "chunk");
}

/* ---- the stack ------------------------------------------------------------- */

static struct uw_frame frames[2];
static struct var_info vinfo[3];
static struct var_list vlists[2];
static struct thread_state thr;

/* A thread inside recurse(n=3) called from main: a 48-byte frame with
 * its return address, saved rbp, the parameter and a local. */
static void stack_snap(struct snapshot *s, enum ev_kind k)
{
	memset(s, 0, sizeof(*s));
	memset(frames, 0, sizeof(frames));
	memset(&thr, 0, sizeof(thr));
	s->pid = 4242;
	s->ev.kind = k;
	s->ev.pid = s->ev.tid = 4242;
	s->ev.fn = "recurse";
	s->at.fn = "main";
	s->at.file = "/src/demos/stack_frames.c";
	s->at.line = 42;
	frames[0] = (struct uw_frame){ .pc = 0x401136, .sp = STK, .cfa = STK + 48,
				       .ret_addr = 0x401200, .ret_slot = STK + 40, .nsaved = 1 };
	frames[0].saved[0] = (struct uw_saved){ .reg = 6, .slot = STK + 32 };
	frames[0].loc.fn = "recurse";
	frames[1] = (struct uw_frame){ .pc = 0x401200, .sp = STK + 48, .cfa = STK + 128 };
	frames[1].loc.fn = "main";
	vinfo[0] = (struct var_info){ .name = "n", .kind = DWV_PARAM, .type = "int", .has_addr = true,
				      .addr = STK + 12, .size = 4, .value = "3", .reg = -1 };
	vinfo[1] = (struct var_info){ .name = "here", .kind = DWV_LOCAL, .type = "int",
				      .has_addr = true, .addr = STK + 28, .size = 4, .value = "6",
				      .reg = -1 };
	vinfo[2] = (struct var_info){ .name = "s", .kind = DWV_PARAM, .type = "char *", .reg = 5,
				      .value = "0x555555559010 \"hello\"", .is_ptr = true,
				      .ptr = BASE + 0x10 };
	vlists[0] = (struct var_list){ .v = vinfo, .n = 2, .cap = 3 };
	vlists[1] = (struct var_list){ 0 };
	thr.tid = 4242;
	thr.sp = STK;
	thr.pc = 0x401136;
	thr.has_stack = true;
	thr.stack.frames = frames;
	thr.stack.n = 2;
	thr.vars = vlists;
	thr.vars_cap = 2;
	s->threads = &thr;
	s->nthreads = 1;
	s->fields = FIELD_ALL;
}

static void test_stack(void)
{
	struct snapshot s;

	stack_snap(&s, EV_CALL);
	say(&s, "call");
	HAS(en, "main called recurse(n=3): new 48-byte frame at 0x7ffffffde000 (return address, "
		"saved rbp, 1 parameter, 1 local)");
	HAS(ko, "main → recurse(n=3) 호출", "48바이트", "스택 프레임", "반환 주소", "저장된 rbp",
	    "매개변수 1개", "지역 변수 1개");
	/* a pointer argument shows as its address only, in the UI's form */
	vlists[0].n = 3;
	wide_ok = true;
	say(&s, "call ptr");
	wide_ok = false;
	HAS(en_rel, "recurse(n=3, s=heap+0x10)");
	HASNT(en, "hello");
	HAS(en, "1 parameter, 1 local");  /* s lives in a register, not the frame */

	/* no stack read: who called whom, nothing about the frame */
	s.nthreads = 0;
	say(&s, "call nostack");
	HAS(en, "main called recurse()");
	HASNT(en, "frame");

	/* return, knowing the previous stop's frames: 48 bytes popped */
	stack_snap(&s, EV_RETURN);
	thr.sp = STK + 48;
	thr.stack.frames = &frames[1];
	thr.stack.n = 1;
	thr.vars = &vlists[1];
	s.ret_value = "6";
	s.ev.has_ret = true;
	s.ev.ret = 6;
	uint64_t cfas[2] = { STK + 48, STK + 128 };
	struct ui_prev_thread pt = { .tid = 4242, .cfas = cfas, .n = 2, .sp = STK };
	struct ui_prev prev = { .valid = true, .threads = &pt, .nthreads = 1 };
	the_prev = &prev;
	say(&s, "return");
	HAS(en, "recurse returned 6 to main; its 48-byte frame is popped", "dangle");
	HAS(ko, "recurse → main 반환(반환값 6)", "48바이트 프레임", "댕글링 포인터");
	/* the previous stop was deeper (a return of a callee that had no stop
	 * of its own): the popped frame is still found by its cfa */
	uint64_t cfas3[3] = { STK, STK + 48, STK + 128 };
	struct ui_prev_thread pt3 = { .tid = 4242, .cfas = cfas3, .n = 3, .sp = STK - 96 };
	prev.threads = &pt3;
	say(&s, "return deep");
	HAS(en, "its 48-byte frame is popped");
	/* without the previous stop: no size */
	the_prev = NULL;
	say(&s, "return noprev");
	HAS(en, "recurse returned 6 to main; its frame is popped");
	/* a pointer comes back in the UI's form, its string kept */
	s.ret_value = "0x555555559010 \"hi\"";
	say(&s, "return ptr");
	HAS(en_rel, "recurse returned heap+0x10 \"hi\" to main");
	HAS(en, "recurse returned 0x555555559010 \"hi\" to main");
	s.ret_value = "0x10ff";
	say(&s, "return hex");
	HAS(en, "recurse returned 0x10ff to main");
	s.ret_value = "0x12g";
	say(&s, "return odd");
	HAS(en, "recurse returned 0x12g to main");
	/* a void function */
	s.ret_value = NULL;
	say(&s, "return void");
	HAS(en, "recurse returned to main");
	HAS(ko, "recurse → main 반환:");
	HASNT(ko, "반환값");

	/* a line */
	stack_snap(&s, EV_LINE);
	s.at.fn = "outer";
	say(&s, "line");
	HAS(en, "now at stack_frames.c:42 in outer");
	HAS(ko, "outer 함수", "stack_frames.c:42");
	s.at.file = NULL;
	say(&s, "line nofile");
	HAS(en, "outer");

	/* a --break */
	stack_snap(&s, EV_BREAK);
	s.ev.fn = "stack_frames.c:42";
	say(&s, "break");
	HAS(en, "breakpoint stack_frames.c:42", "main");
	HAS(ko, "중단점");
}

/* ---- syscalls, signals, start and end -------------------------------------- */

static void test_rest(void)
{
	struct snapshot s;
	struct space sp;
	struct region rg[3];

	heap_snap(&s, EV_BRK, "sbrk", 1, 135168, 0, BASE);
	s.heap = s.heap_prev = NULL;
	say(&s, "sbrk");
	HAS(en, "sbrk(135168) moved the program break up by 135,168 bytes", "0x55555557a000",
	    "heap grew");
	HAS(ko, "135,168바이트", "0x55555557a000", "힙");
	s.ev.args[0] = (uint64_t)-4096;
	say(&s, "sbrk down");
	HAS(en, "sbrk(-4096) moved the program break down by 4,096 bytes");
	s.ev.args[0] = 0;
	say(&s, "sbrk 0");
	HAS(en, "sbrk(0)", "0x555555559000");
	s.ev.args[0] = 4096;
	s.ev.ret = UINT64_MAX;
	say(&s, "sbrk fail");
	HAS(en, "failed");

	/* brk(addr), with the [heap] region now and the UI's previous end */
	memset(&sp, 0, sizeof(sp));
	memset(rg, 0, sizeof(rg));
	rg[0] = (struct region){ .start = BASE - 0x3000, .end = BASE - 0x2000, .perms = "r--p",
				 .kind = RK_RODATA, .path = "/x/prog" };
	rg[1] = (struct region){ .start = BASE, .end = BASE + 0x22000, .perms = "rw-p",
				 .kind = RK_HEAP, .path = "[heap]" };
	rg[2] = (struct region){ .start = 0x7ffff7d00000ull, .end = 0x7ffff7d02000ull,
				 .perms = "rw-p", .kind = RK_MMAP, .path = "" };
	sp.regions = rg;
	sp.n = 3;
	heap_snap(&s, EV_BRK, "brk", 1, BASE + 0x22000, 0, 0);
	s.heap = s.heap_prev = NULL;
	s.space = &sp;
	struct ui_prev prev = { .valid = true, .heap_end = BASE + 0x21000 };
	the_prev = &prev;
	say(&s, "brk");
	HAS(en, "brk(0x55555557b000) moved the program break by 4,096 bytes; [heap] now ends at "
		"0x55555557b000");
	HAS(ko, "4,096바이트", "[heap]");
	the_prev = NULL;

	/* mmap, munmap, mremap */
	memset(&s, 0, sizeof(s));
	s.ev = (struct event){ .kind = EV_MMAP, .fn = "mmap", .nargs = 6, .has_ret = true,
			       .args = { 0, 8192, 3, 0x22, (uint64_t)-1, 0 },
			       .ret = 0x7ffff7d00000ull };
	s.space = &sp;
	say(&s, "mmap");
	HAS(en, "new 8,192-byte anonymous mapping at 0x7ffff7d00000 (rw-)");
	HAS(ko, "8,192바이트", "익명", "매핑");
	s.ev.ret = UINT64_MAX;
	say(&s, "mmap fail");
	HAS(en, "failed");
	s.ev = (struct event){ .kind = EV_MUNMAP, .fn = "munmap", .nargs = 2, .has_ret = true,
			       .args = { 0x7ffff7d00000ull, 8192 }, .ret = 0 };
	say(&s, "munmap");
	HAS(en, "munmap gave the 8,192 bytes at 0x7ffff7d00000 back to the kernel");
	HAS(ko, "8,192바이트", "커널");
	s.ev = (struct event){ .kind = EV_MREMAP, .fn = "mremap", .nargs = 5, .has_ret = true,
			       .args = { 0x7ffff7d00000ull, 8192, 65536, 1, 0 },
			       .ret = 0x7ffff7a00000ull };
	say(&s, "mremap");
	HAS(en, "from 8,192 to 65,536 bytes and moved it to 0x7ffff7a00000");
	HAS(ko, "65,536바이트");

	/* signals */
	stack_snap(&s, EV_SIGNAL);
	s.ev.signo = SIGSEGV;
	s.ev.si_code = SEGV_MAPERR;
	s.ev.has_fault_addr = true;
	s.ev.fault_addr = 0x10;
	s.signal_region = "unmapped";
	say(&s, "segv null");
	HAS(en, "SIGSEGV in main: a NULL pointer dereference (0x10");
	HAS(ko, "SIGSEGV", "NULL 포인터 역참조", "0x10");
	s.ev.fault_addr = 0x600000000000ull;
	say(&s, "segv unmapped");
	HAS(en, "nothing is mapped at 0x600000000000");
	HAS(ko, "매핑된 메모리가 없습니다");
	s.space = &sp;
	s.ev.si_code = SEGV_ACCERR;
	s.ev.fault_addr = BASE - 0x2ff8;
	say(&s, "segv rodata");
	HAS(en, "is in read-only data (.rodata), mapped r--: this access is not allowed");
	HAS(ko, "읽기 전용 데이터", "r--", "허용되지");
	s.ev.si_code = SEGV_MAPERR;
	s.ev.fault_addr = BASE + 0x100;
	say(&s, "segv heap");
	HAS(en, "a bad access at 0x555555559100, in the heap");
	HAS(ko, "힙");
	s.space = NULL;
	s.ev.signo = SIGABRT;
	s.ev.has_fault_addr = false;
	s.at.fn = "__pthread_kill_implementation";
	wide_ok = true;
	say(&s, "abort");
	wide_ok = false;
	HAS(en, "SIGABRT in __pthread_kill_implementation: the program called abort()");
	HAS(ko, "abort()", "중단");
	s.ev.signo = SIGUSR1;
	say(&s, "sigusr1");
	HAS(en, "SIGUSR1 (User defined signal 1) arrived in __pthread_kill_implementation");
	HAS(ko, "SIGUSR1 시그널");

	/* start */
	memset(&s, 0, sizeof(s));
	s.ev.kind = EV_START;
	s.at.fn = "main";
	heap_state_clear(&hc);
	hc.model = "glibc";
	s.heap = &hc;
	say(&s, "start");
	HAS(en, "the program is stopped at main; nothing is allocated yet");
	HAS(ko, "main 함수", "아직 힙에 할당된 것이 없습니다");
	s.heap = NULL;
	say(&s, "start noheap");
	HASNT(en, "allocated");
	struct spec a1[] = { { 0x290, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x20, F, BIN_TCACHE, 0 },
			     { 0x20d50, T, 0, 0 } };
	build(&hc, "glibc", a1, N(a1));
	s.heap = &hc;
	say(&s, "start inuse");
	HAS(en, "2 chunks in use (688 bytes)");
	HAS(ko, "청크 2개", "688바이트");

	/* the end */
	memset(&s, 0, sizeof(s));
	s.ev.kind = EV_EXIT;
	s.ev.exit_code = 3;
	say(&s, "exit");
	HAS(en, "exited with status 3");
	HAS(ko, "종료 상태 3");
	s.ev.exited_by_signal = true;
	s.ev.exit_signal = SIGSEGV;
	s.ev.core_dumped = true;
	say(&s, "killed");
	HAS(en, "killed by SIGSEGV (segmentation fault); core dumped");
	HAS(ko, "SIGSEGV 시그널(세그멘테이션 오류)", "코어 덤프");
	s.ev.kind = EV_DETACH;
	say(&s, "detach");
	HAS(en, "runs on");
	HAS(ko, "계속 실행");
	s.ev.kind = EV__COUNT;
	say(&s, "unknown");
}

/* Names from the program that are not UTF-8 come out clean. */
static void test_dirty(void)
{
	struct snapshot s;

	stack_snap(&s, EV_CALL);
	s.ev.fn = "bad\xff\xfe\x01name";
	s.at.fn = "caller\xed\xa0\x80";          /* a surrogate */
	vinfo[0].value = "\"\xc3\x28\n\"";
	wide_ok = true;
	say(&s, "dirty call");
	HAS(en, "bad???name", "caller???");
	vinfo[0].value = "3";
	/* a long value is cut, at a character */
	vinfo[1].kind = DWV_PARAM;
	vinfo[1].value = "가나다라마바사아자차카타파하";
	say(&s, "long value");
	HAS(en, "here=가나다라마바...");
	vinfo[1].kind = DWV_LOCAL;
	wide_ok = false;
}

/* The head of a log line. */
static void test_event(void)
{
	struct snapshot s;
	struct strbuf sb = { 0 };
	struct narrate_opts o = { .addr = rel_addr };

	heap_snap(&s, EV_MALLOC, "malloc", 1, 500, 0, BASE + 0x2c0);
	narrate_event(&s, &o, &sb);
	CHECK_STR(sb.buf, "malloc(500) = heap+0x2c0");
	sb_reset(&sb);
	heap_snap(&s, EV_FREE, "free", 1, 0, 0, 0);
	narrate_event(&s, &o, &sb);
	CHECK_STR(sb.buf, "free(NULL)");
	sb_reset(&sb);
	heap_snap(&s, EV_REALLOC, "realloc", 2, BASE + 0x2c0, 600, 0);
	narrate_event(&s, &o, &sb);
	CHECK_STR(sb.buf, "realloc(heap+0x2c0, 600) = NULL");
	sb_reset(&sb);
	stack_snap(&s, EV_RETURN);
	s.ret_value = "6";
	narrate_event(&s, &o, &sb);
	CHECK_STR(sb.buf, "return recurse = 6");
	sb_reset(&sb);
	stack_snap(&s, EV_LINE);
	narrate_event(&s, &o, &sb);
	CHECK_STR(sb.buf, "line stack_frames.c:42");
	sb_reset(&sb);
	s.ev.kind = EV_SIGNAL;
	s.ev.signo = SIGSEGV;
	s.ev.has_fault_addr = true;
	narrate_event(&s, &o, &sb);
	CHECK_STR(sb.buf, "SIGSEGV at 0x0");
	sb_reset(&sb);
	s.ev = (struct event){ .kind = EV_BRK, .fn = "brk", .nargs = 1, .args = { BASE + 0x21000 },
			       .has_ret = true, .ret = 0 };
	narrate_event(&s, &o, &sb);
	CHECK_STR(sb.buf, "brk(heap+0x21000) = 0");
	sb_reset(&sb);
	s.ev = (struct event){ .kind = EV_FREE, .fn = "tags_free", .nargs = 1, .args = { BASE + 8 },
			       .has_ret = true, .ret = BASE };
	narrate_event(&s, &o, &sb);
	CHECK_STR(sb.buf, "tags_free(heap+0x8)");
	sb_free(&sb);
}

/* ---- bugs (diagnostics) ------------------------------------------------------ */

static struct diag dg[3];

/* Does s start with p? */
static bool starts(const char *s, const char *p)
{
	if (strncmp(s, p, strlen(p)) == 0)
		return true;
	fprintf(stderr, "\"%s\"\n  does not start with\n\"%s\"\n", s, p);
	return false;
}

/* A diagnostic of kind k at addr, found in main at bugs.c:line. */
static struct diag mkdiag(enum diag_kind k, uint64_t addr, int line)
{
	struct diag d = { .kind = k, .addr = addr, .tid = 4242 };

	d.at.fn = "main";
	d.at.file = "/src/demos/bugs.c";
	d.at.line = line;
	snprintf(d.message, sizeof d.message, "the detector's own words");
	return d;
}

/* s gets the n diagnostics of dg. */
static void with_bugs(struct snapshot *s, size_t n)
{
	s->diags = dg;
	s->ndiags = n;
}

/* narrate_diag of s's first bug, in English, equals the start of en
 * (the stop's sentence begins with its bugs). */
static void check_diag_alone(const struct snapshot *s, const char *what)
{
	struct strbuf sb = { 0 };
	struct narrate_opts o = { .lang = UI_LANG_EN };

	narrate_diag(s, &s->diags[0], &o, &sb);
	if (!sb.buf || strncmp(en, sb.buf, sb.len) != 0) {
		fprintf(stderr, "%s: narrate_diag \"%s\" does not begin \"%s\"\n", what,
			sb.buf ? sb.buf : "", en);
		check_failures++;
	}
	sb_free(&sb);
}

/* The heap bugs: double and invalid free (at free's entry, and at a
 * free's return), a header overwritten, a leak, a use after free. */
static void test_heap_bugs(void)
{
	struct snapshot s;
	/* 0x290 tcache block, a 48-byte block in use, a free 32-byte one in
	 * tcache, a guard, top */
	struct spec h1[] = { { 0x290, U, 0, 0 }, { 0x30, U, 0, 0 }, { 0x20, F, BIN_TCACHE, 0 },
			     { 0x20, U, 0, 0 }, { 0x20d00, T, 0, 0 } };
	uint64_t freed = chunk_addr(h1, 2) + 16, inuse = chunk_addr(h1, 1) + 16;

	wide_ok = true;           /* a bug takes a long sentence, and one after it */
	build(&hp, "glibc", h1, N(h1));
	build(&hc, "glibc", h1, N(h1));

	/* free's entry, nothing wrong: free has not run */
	heap_snap(&s, EV_FREE, "free", 1, inuse, 0, 0);
	s.ev.at_entry = true;
	say(&s, "free entry");
	CHECK(starts(en, "memviz stopped free(0x5555555592a0) at its entry, before free ran"));
	HAS(en, "the heap is still as it was");
	HASNT(en, "released");
	HAS(ko, "memviz가 free(0x5555555592a0) 호출을", "직전에 멈춰", "힙은 아직 그대로");

	/* free's entry with a double free: the stop, then the bug */
	dg[0] = mkdiag(DG_DOUBLE_FREE, freed, 42);
	with_bugs(&s, 1);
	heap_snap(&s, EV_FREE, "free", 1, freed, 0, 0);
	s.ev.at_entry = true;
	with_bugs(&s, 1);
	say(&s, "double free entry");
	check_diag_alone(&s, "double free entry");
	CHECK(starts(en, "free(0x5555555592d0) again at main (bugs.c:42): this block was already "
		     "freed - a double free; glibc aborts the program when it notices; memviz "
		     "stopped this free before it ran, so the program is still alive"));
	CHECK(starts(ko, "main 함수(bugs.c:42)에서 이미 해제된 블록을 또 해제합니다(free("
		     "0x5555555592d0)). 이중 해제(double free)이며"));
	HAS(ko, "glibc", "memviz가 이 free를 실행 직전에 멈춰 세웠으므로", "힙도 그대로");
	HASNT(ko, "again");
	HAS(en_rel, "free(heap+0x2d0) again");

	/* ... reported at a free's return instead: the bug says it all */
	heap_snap(&s, EV_FREE, "free", 1, freed, 0, 0);
	with_bugs(&s, 1);
	say(&s, "double free");
	check_diag_alone(&s, "double free");
	CHECK(starts(en, "free(0x5555555592d0) again at main (bugs.c:42)"));
	HASNT(en, "already free: a double free");    /* the plain free sentence's */
	HASNT(en, "; free(");
	HASNT(en, "memviz stopped");

	/* invalid free: 8 bytes into the 48-byte block */
	dg[0] = mkdiag(DG_INVALID_FREE, inuse + 8, 51);
	heap_snap(&s, EV_FREE, "free", 1, inuse + 8, 0, 0);
	s.ev.at_entry = true;
	with_bugs(&s, 1);
	say(&s, "invalid free in");
	HAS(en, "free(0x5555555592a8) at main (bugs.c:51): 0x5555555592a8 is 8 bytes into the "
		"block at 0x5555555592a0, not its start - an invalid free", "memviz stopped");
	HAS(ko, "main 함수(bugs.c:51)에서 free(0x5555555592a8) 호출", "0x5555555592a0 블록",
	    "8바이트 안쪽", "잘못된 해제(invalid free)");
	/* ... of a stack address: no block to speak of */
	dg[0] = mkdiag(DG_INVALID_FREE, STK + 8, 51);
	heap_snap(&s, EV_FREE, "free", 1, STK + 8, 0, 0);
	with_bugs(&s, 1);
	say(&s, "invalid free");
	check_diag_alone(&s, "invalid free");
	HAS(en, "free(0x7ffffffde008) at main (bugs.c:51): 0x7ffffffde008 is not an address "
		"malloc returned - an invalid free");
	HAS(ko, "malloc이 돌려준 주소가 아닙니다", "잘못된 해제");
	HASNT(en, "bytes into");

	/* a header overwritten, found at the next malloc: the bug, then the call */
	struct spec h2[] = { { 0x290, U, 0, 0 }, { 0x30, U, 0, 0 }, { 0x20, F, BIN_TCACHE, 0 },
			     { 0x20, U, 0, 0 }, { 0x20, U, 0, 0 }, { 0x20ce0, T, 0, 0 } };
	build(&hc, "glibc", h2, N(h2));
	dg[0] = mkdiag(DG_HEADER_OVERWRITE, chunk_addr(h2, 2), 60);
	heap_snap(&s, EV_MALLOC, "malloc", 1, 24, 0, chunk_addr(h2, 4) + 16);
	with_bugs(&s, 1);
	say(&s, "header");
	check_diag_alone(&s, "header");
	HAS(en, "the header of the chunk at 0x5555555592c0 was overwritten (found at main "
		"(bugs.c:60)): its size field no longer holds what malloc wrote",
	    "; malloc(24) took 32 bytes from the top chunk");
	HAS(ko, "0x5555555592c0 청크의 헤더가 덮어써졌습니다(main 함수(bugs.c:60)에서 발견)",
	    "크기 필드", ". malloc(24): top 청크에서 32바이트");

	/* a leak, at the exit */
	build(&hp, "glibc", h1, N(h1));
	build(&hc, "glibc", h1, N(h1));
	dg[0] = mkdiag(DG_LEAK, inuse, 30);
	dg[0].size = 40;
	memset(&s, 0, sizeof s);
	s.ev.kind = EV_EXIT;
	with_bugs(&s, 1);
	say(&s, "leak");
	check_diag_alone(&s, "leak");
	HAS(en, "the 40-byte block at 0x5555555592a0, allocated at main (bugs.c:30), was never "
		"freed - a leak; the program exited with status 0");
	HAS(ko, "main 함수(bugs.c:30)에서 할당한 0x5555555592a0의 40바이트 블록",
	    "메모리 누수(leak)", ". 프로그램이 끝났습니다(종료 상태 0)");
	dg[0].size = 0;
	say(&s, "leak nosize");
	HAS(en, "the block at 0x5555555592a0, allocated at main (bugs.c:30), was never freed");
	HASNT(ko, "0바이트");
	/* three bugs at one stop: two told, the rest counted */
	dg[1] = mkdiag(DG_LEAK, freed, 31);
	dg[2] = mkdiag(DG_LEAK, chunk_addr(h1, 3) + 16, 32);
	with_bugs(&s, 3);
	say(&s, "leaks");
	HAS(en, "bugs.c:30", "bugs.c:31", "; one more bug found at this stop");
	HASNT(en, "bugs.c:32");
	HAS(ko, "이 지점에서 버그가 하나 더 발견되었습니다");

	/* a use after free: inside the freed 32-byte block */
	dg[0] = mkdiag(DG_USE_AFTER_FREE, freed + 4, 70);
	memset(&s, 0, sizeof s);
	s.heap = &hc;
	s.ev = (struct event){ .kind = EV_WATCH, .watch_addr = freed + 4, .pid = 4242, .tid = 4242 };
	s.at.fn = "main";
	s.at.file = "/src/demos/bugs.c";
	s.at.line = 70;
	with_bugs(&s, 1);
	say(&s, "use after free");
	check_diag_alone(&s, "use after free");
	HAS(en, "at main (bugs.c:70), the program accessed 0x5555555592d4, inside the block at "
		"0x5555555592d0 that was already freed - a use after free");
	HASNT(en, "watching");    /* the bug tells what the watched access was */
	HAS(ko, "main 함수(bugs.c:70)에서 이미 해제된 블록(0x5555555592d0) 안의 0x5555555592d4 주소",
	    "해제 후 사용(use after free)");
	HAS(en_rel, "heap+0x2d4");
	s.heap = NULL;
	say(&s, "use after free noheap");
	HAS(en, "the program accessed 0x5555555592d4, in a block that was already freed");
	HAS(ko, "이미 해제된 블록 안의 0x5555555592d4 주소");
	/* at the block's first byte: the block itself */
	s.heap = &hc;
	dg[0].addr = freed;
	say(&s, "use after free start");
	HAS(en, "at main (bugs.c:70), the program accessed the block at 0x5555555592d0, which was "
		"already freed - a use after free");
	HAS(ko, "main 함수(bugs.c:70)에서 이미 해제된 0x5555555592d0의 블록에 접근했습니다");
	/* a watched access with no bug: said plainly */
	s.diags = NULL;
	s.ndiags = 0;
	say(&s, "watch");
	HAS(en, "at main (bugs.c:70), the program touched 0x5555555592d4, an address memviz was "
		"watching");
	HAS(ko, "memviz가 지켜보던 0x5555555592d4 주소에 프로그램이 접근했습니다");
	wide_ok = false;
}

/* The stack bugs: a smashed return address, a dangling pointer, an
 * uninitialized read; and a bad dereference. */
static void test_stack_bugs(void)
{
	struct snapshot s;

	wide_ok = true;
	/* recurse's return slot (STK + 40) overwritten at the line after a strcpy */
	stack_snap(&s, EV_LINE);
	dg[0] = mkdiag(DG_STACK_SMASH, STK + 40, 88);
	with_bugs(&s, 1);
	say(&s, "smash");
	check_diag_alone(&s, "smash");
	HAS(en, "the return address of recurse (its slot at 0x7ffffffde028) was overwritten at "
		"main (bugs.c:88): recurse will return to wherever those bytes point - a stack "
		"buffer overflow; now at stack_frames.c:42 in main");
	HAS(ko, "main 함수(bugs.c:88)에서 recurse 함수의 반환 주소(0x7ffffffde028)를 덮어썼습니다",
	    "스택 버퍼 오버플로");
	/* a slot no frame has (the frame is gone) */
	dg[0].addr = STK - 8;
	say(&s, "smash nofn");
	HAS(en, "a return address on the stack (its slot at 0x7ffffffddff8) was overwritten");
	HAS(ko, "스택의 반환 주소(0x7ffffffddff8)");

	/* a pointer variable into a popped frame */
	stack_snap(&s, EV_RETURN);
	vinfo[2].ptr = STK - 0x40;
	vinfo[2].value = "0x7ffffffddfc0";
	vlists[0].n = 3;
	dg[0] = mkdiag(DG_DANGLING_STACK_POINTER, STK - 0x40, 20);
	with_bugs(&s, 1);
	say(&s, "dangling var");
	check_diag_alone(&s, "dangling var");
	HAS(en, "at main (bugs.c:20), s = 0x7ffffffddfc0 points into a stack frame that has "
		"returned - a dangling pointer", "; recurse returned to main");
	HAS(ko, "main 함수(bugs.c:20): s 변수가 가리키는 0x7ffffffddfc0 주소", "댕글링 포인터");
	/* held by no variable yet (a returned value) */
	vlists[0].n = 2;
	say(&s, "dangling");
	HAS(en, "at main (bugs.c:20), 0x7ffffffddfc0 points into a stack frame that has returned");
	HAS(ko, "0x7ffffffddfc0 주소는 이미 반환된 함수의 스택 프레임");
	vinfo[2].ptr = BASE + 0x10;

	/* a local read before it was written */
	stack_snap(&s, EV_LINE);
	dg[0] = mkdiag(DG_UNINIT_READ, STK + 28, 33);
	with_bugs(&s, 1);
	say(&s, "uninit");
	check_diag_alone(&s, "uninit");
	HAS(en, "at main (bugs.c:33), here is read before anything was written to it",
	    "an uninitialized read");
	HAS(ko, "main 함수(bugs.c:33)에서 아직 아무 값도 넣지 않은 here 변수를 읽었습니다",
	    "초기화되지 않은 변수 읽기");
	dg[0].addr = STK + 100;
	say(&s, "uninit novar");
	HAS(en, "the stack slot at 0x7ffffffde064 is read before anything was written");
	HAS(ko, "스택 슬롯(0x7ffffffde064)");

	/* a NULL dereference at its SIGSEGV: the bug says it, not the signal */
	memset(&s, 0, sizeof s);
	s.ev = (struct event){ .kind = EV_SIGNAL, .signo = SIGSEGV, .has_fault_addr = true,
			       .fault_addr = 0, .pid = 4242, .tid = 4242 };
	s.at.fn = "main";
	dg[0] = mkdiag(DG_BAD_DEREF, 0, 12);
	with_bugs(&s, 1);
	say(&s, "null deref");
	check_diag_alone(&s, "null deref");
	HAS(en, "at main (bugs.c:12), the program dereferenced 0x0, a NULL pointer");
	HASNT(en, "SIGSEGV");
	HAS(ko, "NULL 포인터(0x0 주소)를 역참조", "잘못된 포인터 역참조");
	dg[0].addr = s.ev.fault_addr = 0xdeadbeef000ull;
	say(&s, "bad deref");
	HAS(en, "the program dereferenced 0xdeadbeef000, an address it may not touch");
	HAS(ko, "0xdeadbeef000 주소를 역참조했지만");
	/* where unknown */
	dg[0].at = (struct code_loc){ 0 };
	say(&s, "bad deref nowhere");
	HAS(en, "at an unknown place");
	HAS(ko, "알 수 없는 위치");
	wide_ok = false;
}

/* ---- the events strip -------------------------------------------------------- */

#define SROWS 30
#define SCOLS 100

/* Row y of the screen as UTF-8. */
static void screen_row(int y, char *out, size_t n)
{
	wchar_t w[SCOLS + 1];
	int k = mvinnwstr(y, 0, w, SCOLS);

	w[k < 0 ? 0 : k] = 0;
	if (wcstombs(out, w, n) == (size_t)-1)
		snprintf(out, n, "<bad>");
}

static bool row_has(int y, const char *s)
{
	char buf[4 * SCOLS + 1];

	screen_row(y, buf, sizeof buf);
	return strstr(buf, s) != NULL;
}

/* The attributes of the cell at (y, x) (the color pair included). */
static attr_t cell_attr(int y, int x)
{
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t a = 0;
	short pair = 0;

	mvin_wch(y, x, &cc);
	getcchar(&cc, wc, &a, &pair, NULL);
	return (a & ~A_COLOR) | (attr_t)COLOR_PAIR(pair);
}

static void test_strip(void)
{
	struct ui_rect r = { 2, 3, 7, 60 };      /* 5 lines inside the box */
	struct ui_pane_state st = { .sel = -1, .click_y = -1, .click_x = -1 };
	struct ui_ctx c = { 0 };
	struct ui_line lines[20];
	char buf[4 * SCOLS + 1];

	for (int i = 0; i < 20; i++)
		lines[i] = (struct ui_line){ xasprintf("#%d malloc(%d) = 0x%x  -> line %d", i + 1,
					     i * 10, i, i + 1), UL_STOP, -1 };
	free(lines[18].text);
	lines[18] = (struct ui_line){ xstrdup("program: hello from the program"), UL_OUTPUT, -1 };
	free(lines[19].text);
	lines[19].text = xstrdup("#20 free(0x2a0)  → free(0x2a0): 512바이트 청크를 tcache[30]에 넣었습니다. "
				 "같은 크기의 malloc이 다시 쓰며 병합은 하지 않습니다 and more text past the edge");
	erase();
	ui_log_draw(&r, &st, &c, lines, 20, NULL);
	CHECK(row_has(2, "Events"));
	CHECK(!row_has(2, "of 20"));                     /* following: no position */
	CHECK(row_has(3, "line 16"));                    /* the last five, oldest first */
	CHECK(row_has(5, "line 18"));
	CHECK(row_has(6, "program: hello"));
	CHECK(row_has(7, "#20 free(0x2a0)"));
	CHECK(!row_has(3, "line 15") && !row_has(8, "line"));
	CHECK_EQ_U(st.nitems, 20);
	CHECK_EQ_U(st.scroll, 15);
	/* the newest is marked, the program's output dim, the rest plain */
	CHECK_EQ_U(cell_attr(7, r.x + 2), (attr_t)ui_attr(UR_CHANGED));
	CHECK_EQ_U(cell_attr(6, r.x + 2), (attr_t)ui_attr(UR_DIM));
	CHECK_EQ_U(cell_attr(5, r.x + 2), (attr_t)ui_attr(UR_NORMAL));
	/* the long Korean line is cut inside the box: the border stays */
	screen_row(7, buf, sizeof buf);
	CHECK(strstr(buf, "512바이트 청크를") != NULL);
	CHECK(strstr(buf, "past the edge") == NULL);
	CHECK(cells(buf) <= SCOLS);
	{
		cchar_t cc;
		wchar_t wc[CCHARW_MAX + 1];
		attr_t a;
		short pair;
		mvin_wch(7, r.x + r.w - 1, &cc);
		getcchar(&cc, wc, &a, &pair, NULL);
		CHECK(wc[0] == L'│');
		mvin_wch(7, r.x + r.w, &cc);
		getcchar(&cc, wc, &a, &pair, NULL);
		CHECK(wc[0] == L' ');                 /* nothing past the pane */
	}

	/* a selected line is kept in view, highlighted, with the position */
	st.sel = 3;
	erase();
	ui_log_draw(&r, &st, &c, lines, 20, NULL);
	CHECK_EQ_U(st.scroll, 3);
	CHECK(row_has(3, "line 4"));
	CHECK(row_has(2, "Events 4-8 of 20"));
	CHECK_EQ_U(cell_attr(3, r.x + 2), (attr_t)ui_attr(UR_SELECT));
	CHECK_EQ_U(cell_attr(3, r.x + r.w - 3), (attr_t)ui_attr(UR_SELECT));
	/* moving the selection down past the view scrolls by one */
	st.sel = 8;
	erase();
	ui_log_draw(&r, &st, &c, lines, 20, NULL);
	CHECK_EQ_U(st.scroll, 4);
	CHECK(row_has(7, "line 9"));
	/* a click on the first row selects that line */
	st.click_y = 3;
	st.click_x = 10;
	erase();
	ui_log_draw(&r, &st, &c, lines, 20, NULL);
	CHECK_EQ_U(st.sel, 4);
	CHECK_EQ_U(st.click_y, (unsigned long long)-1);
	/* the log shrank under the selection */
	st.sel = 30;
	erase();
	ui_log_draw(&r, &st, &c, lines, 3, NULL);
	CHECK_EQ_U(st.sel, 2);
	CHECK_EQ_U(st.scroll, 0);
	CHECK(row_has(3, "line 1") && row_has(5, "line 3"));
	/* back to following */
	st.sel = -1;
	erase();
	ui_log_draw(&r, &st, &c, lines, 20, NULL);
	CHECK(row_has(7, "#20"));

	/* empty, tiny, and ASCII */
	struct ui_pane_state st2 = { .sel = -1, .click_y = -1, .click_x = -1 };
	erase();
	ui_log_draw(&r, &st2, &c, NULL, 0, NULL);
	CHECK(row_has(3, "(no events yet)"));
	CHECK_EQ_U(st2.nitems, 0);
	struct ui_rect tiny = { 12, 0, 2, 10 }, tiny1 = { 15, 0, 1, 3 };
	erase();
	ui_log_draw(&tiny, &st2, &c, lines, 20, NULL);
	ui_log_draw(&tiny1, &st2, &c, lines, 20, NULL);
	CHECK(!row_has(14, "line") && !row_has(16, "line"));
	ui_draw_init(false, false);
	erase();
	ui_log_draw(&r, &st2, &c, lines, 20, NULL);
	CHECK(row_has(2, "+ Events -") || row_has(2, "+Events") || row_has(2, "Events"));
	CHECK(row_has(7, "|"));
	ui_draw_init(true, has_colors());
	for (int i = 0; i < 20; i++)
		free(lines[i].text);
}

/* The story in the strip: a chapter heading (bold, a rule after it, its
 * title in the strip's title), a bug line (the error role, newest or not). */
static void test_strip_story(void)
{
	struct ui_rect r = { 2, 3, 7, 80 };
	struct ui_pane_state st = { .sel = -1, .click_y = -1, .click_x = -1 };
	struct ui_ctx c = { 0 };
	struct ui_line lines[] = {
		{ "#1 start  → the program is stopped at main", UL_STOP, -1 },
		{ "3. the heap: blocks of different sizes", UL_CHAPTER, -1 },
		{ "#2 malloc(24) = 0x55  → malloc(24) took 32 bytes", UL_STOP, -1 },
		{ "program: malloc 24 -> 0x55", UL_OUTPUT, -1 },
		{ "⚠ double_free 0x55 at main (bugs.c:42): again", UL_BUG, 0 },
	};
	char buf[4 * SCOLS + 1];
	int col;

	erase();
	ui_log_draw(&r, &st, &c, lines, 5, "3. the heap: blocks of different sizes");
	CHECK(row_has(2, "Events · 3. the heap: blocks of different sizes"));
	CHECK(row_has(4, "3. the heap: blocks of different sizes"));
	CHECK(!row_has(4, "program:") && !row_has(4, "# 3."));
	CHECK_EQ_U(cell_attr(4, r.x + 2), (attr_t)ui_attr(UR_BOLD));
	screen_row(4, buf, sizeof buf);
	CHECK(strstr(buf, "sizes ─") != NULL);      /* a rule after the title ... */
	col = r.x + r.w - 3;                        /* ... to the box's border */
	CHECK_EQ_U(cell_attr(4, col), (attr_t)ui_attr(UR_DIM));
	CHECK(strstr(buf, "── │") != NULL);
	/* the bug is newest, and red, not the newest line's mark */
	CHECK(row_has(7, "⚠ double_free 0x55 at main (bugs.c:42)"));
	CHECK_EQ_U(cell_attr(7, r.x + 2), (attr_t)ui_attr(UR_ERROR));
	CHECK(ui_attr(UR_ERROR) != ui_attr(UR_CHANGED));
	CHECK_EQ_U(cell_attr(6, r.x + 2), (attr_t)ui_attr(UR_DIM));
	/* scrolled back: the chapter and the position */
	struct ui_rect small = { 12, 3, 4, 80 };    /* two lines inside */
	st.sel = 1;
	erase();
	ui_log_draw(&small, &st, &c, lines, 5, "3. the heap");
	if (!row_has(12, "Events · 3. the heap  1-2 of 5")) {
		screen_row(12, buf, sizeof buf);
		fprintf(stderr, "scrolled title: %s\n", buf);
		check_failures++;
	}
	/* no chapter yet: the plain title */
	st.sel = -1;
	erase();
	ui_log_draw(&r, &st, &c, lines, 5, "");
	CHECK(row_has(2, "Events") && !row_has(2, "·"));
	/* ASCII: the title's dot and the rule are ASCII too */
	ui_draw_init(false, false);
	erase();
	ui_log_draw(&r, &st, &c, lines, 5, "3. the heap");
	CHECK(row_has(2, "Events - 3. the heap"));
	CHECK(row_has(4, "the heap: blocks of different sizes ---"));
	ui_draw_init(true, has_colors());
}

int main(void)
{
	FILE *out, *in;
	SCREEN *scr;

	if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8")) {
		printf("skip: no C.UTF-8 locale\n");
		return 77;
	}
	verbose = getenv("NARRATE_VERBOSE") != NULL;
	heap_state_init(&hp);
	heap_state_init(&hc);
	test_alloc();
	test_renamed_arenas();
	test_realloc();
	test_free();
	test_no_heap();
	test_stack();
	test_rest();
	test_dirty();
	test_event();
	test_heap_bugs();
	test_stack_bugs();
	heap_state_free(&hp);
	heap_state_free(&hc);

	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	setenv("TERM", "xterm-256color", 1);
	if (!out || !in || (scr = newterm(NULL, out, in)) == NULL) {
		printf("skip: cannot open a headless curses screen (the strip is not tested)\n");
		CHECK_DONE();
	}
	resizeterm(SROWS, SCOLS);
	start_color();
	use_default_colors();
	ui_draw_init(true, true);
	test_strip();
	test_strip_story();
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	CHECK_DONE();
}
