/* test_heap_tags.c - the heap_tags model on the teaching allocator run in
 * this very process (demos/lib/tags.c is included below, so this test's
 * executable defines tags_state and tags_heap): the model, reading our own
 * memory, must see the blocks the allocator made - in-use and free, split,
 * coalesced at once or only after a failing request (deferred) - and
 * first / next / best fit must pick the blocks demos/fit_strategies
 * documents.  A corrupted header, footer, epilogue or state gives a
 * corrupt chunk or a degraded heap and a diagnostic, never a crash or a hang. */
#include "../../demos/lib/tags.c"

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "heap.h"
#include "space.h"

int main(void);

static struct space self_space;
static struct heap_state hs;

/* A mem_reader over this process's own memory. */
static int self_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	memcpy(buf, (const void *)(uintptr_t)addr, len);
	return 0;
}

static const struct mem_reader self_mem = { NULL, self_read };

/* Re-read the model from our memory. */
static void snap(void)
{
	heap_state_clear(&hs);
	heap_tags_read(&hs, &self_space, &self_mem);
}

/* The chunk whose header is at the user pointer p minus 8, or NULL. */
static const struct heap_chunk *chunk_of(const void *p)
{
	const struct heap_arena *a = hs.n ? &hs.arenas[0] : NULL;

	for (size_t i = 0; a && i < a->n; i++)
		if (a->chunks[i].addr == (uint64_t)(uintptr_t)p - 8)
			return &a->chunks[i];
	return NULL;
}

/* State of p's chunk, or -1 if there is none. */
static int state_of(const void *p)
{
	const struct heap_chunk *c = chunk_of(p);

	return c ? (int)c->state : -1;
}

/* Number of chunks in the model. */
static size_t nchunks(void)
{
	return hs.n ? hs.arenas[0].n : 0;
}

/* Chunks contiguous from start, sizes summing to the span [start, end). */
static void check_span(void)
{
	const struct heap_arena *a = &hs.arenas[0];
	uint64_t at = a->start;

	CHECK_EQ_U(a->start, tags_state.start);
	CHECK_EQ_U(a->end, tags_state.end);
	for (size_t i = 0; i < a->n; i++) {
		CHECK_EQ_U(a->chunks[i].addr, at);
		at += a->chunks[i].size;
	}
	CHECK_EQ_U(at, a->end);
}

/* The model equals the allocator's own walk, block for block; clean. */
static void check_matches_allocator(void)
{
	const struct heap_arena *a;
	size_t i = 0;

	snap();
	CHECK_STR(hs.model, "tags");
	CHECK(hs.n == 1 && hs.bins_known && hs.ndiags == 0 && hs.degraded[0] == '\0');
	if (hs.n != 1)
		return;
	a = &hs.arenas[0];
	CHECK(!a->truncated);
	for (byte *h = ptr(tags_state.start); size_at(h) > 0; h = next_blk(h), i++) {
		CHECK(i < a->n);
		if (i >= a->n)
			return;
		CHECK_EQ_U(a->chunks[i].addr, num(h));
		CHECK_EQ_U(a->chunks[i].size, size_at(h));
		CHECK_EQ_U(a->chunks[i].state, alloc_at(h) ? CH_INUSE : CH_FREE);
		CHECK_EQ_U(a->chunks[i].bin, BIN_NONE);
	}
	CHECK_EQ_U(i, a->n);
	check_span();
}

/* Before tags_init: found, but no heap yet. */
static void test_before_init(void)
{
	CHECK(heap_tags_present(&self_space));
	snap();
	CHECK_STR(hs.model, "tags");
	CHECK(hs.n == 1 && nchunks() == 0 && hs.ndiags == 0 && hs.degraded[0] == '\0');
}

/* Without the symbols: not present, and read says why. */
static void test_absent(void)
{
	struct space none;

	space_init(&none);
	CHECK(!heap_tags_present(&none));
	heap_state_clear(&hs);
	heap_tags_read(&hs, &none, &self_mem);
	CHECK(hs.degraded[0] != '\0' && nchunks() == 0);
	space_free(&none);
}

/* Four blocks filling the first 1 KiB exactly; p[1], p[2] are 224 each. */
static void fill(void **p)
{
	p[0] = tags_malloc(100);     /* 128 */
	p[1] = tags_malloc(200);     /* 224 */
	p[2] = tags_malloc(200);     /* 224 */
	p[3] = tags_malloc(432);     /* 448: the heap is full */
}

/* Immediate: two freed neighbours are one free chunk at once. */
static void test_immediate(void)
{
	void *p[4], *q;

	CHECK(tags_init(TAGS_FIRST_FIT, TAGS_IMMEDIATE) == 0);
	fill(p);
	check_matches_allocator();
	CHECK_EQ_U(nchunks(), 4);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_U(state_of(p[i]), CH_INUSE);
	CHECK_EQ_U(chunk_of(p[1])->size, 224);
	tags_free(p[1]);
	tags_free(p[2]);
	check_matches_allocator();
	CHECK_EQ_U(nchunks(), 3);
	CHECK_EQ_U(state_of(p[1]), CH_FREE);
	CHECK_EQ_U(chunk_of(p[1])->size, 448);
	CHECK_EQ_U(state_of(p[2]), -1);
	q = tags_malloc(400);        /* 416 of the 448: split, 32 left */
	CHECK(q == p[1]);
	check_matches_allocator();
	CHECK_EQ_U(chunk_of(q)->size, 416);
	CHECK_EQ_U(tags_state.sweeps, 0);
	CHECK_EQ_U(tags_state.grows, 0);
}

/* Deferred: they stay two free chunks until a request fails to fit. */
static void test_deferred(void)
{
	void *p[4], *q;

	CHECK(tags_init(TAGS_FIRST_FIT, TAGS_DEFERRED) == 0);
	fill(p);
	tags_free(p[1]);
	tags_free(p[2]);
	check_matches_allocator();
	CHECK_EQ_U(nchunks(), 4);
	CHECK_EQ_U(state_of(p[1]), CH_FREE);
	CHECK_EQ_U(state_of(p[2]), CH_FREE);
	q = tags_malloc(400);        /* no 416 hole: sweep, then the merged 448 */
	CHECK(q == p[1]);
	CHECK_EQ_U(tags_state.sweeps, 1);
	CHECK_EQ_U(tags_state.grows, 0);
	check_matches_allocator();
	CHECK_EQ_U(chunk_of(q)->size, 416);
	q = tags_malloc(2000);       /* grows: the epilogue moves */
	CHECK(q != NULL && tags_state.grows == 1);
	check_matches_allocator();
}

/* demos/fit_strategies's opening: holes of 224, 64, 128, 64 between guards;
 * x (40 bytes) and y (100) placed by fit; a..d and g[] filled in. */
static void fit_sequence(enum tags_fit fit, void **abcd, void **g, void **x, void **y)
{
	CHECK(tags_init(fit, TAGS_IMMEDIATE) == 0);
	abcd[0] = tags_malloc(200);
	g[0] = tags_malloc(8);
	abcd[1] = tags_malloc(40);
	g[1] = tags_malloc(8);
	abcd[2] = tags_malloc(100);
	g[2] = tags_malloc(8);
	abcd[3] = tags_malloc(40);
	g[3] = tags_malloc(8);
	for (int i = 0; i < 4; i++)
		tags_free(abcd[i]);
	*x = tags_malloc(40);
	*y = tags_malloc(100);
}

/* First, next and best fit pick the blocks the demo documents. */
static void test_fits(void)
{
	void *a[4], *g[4], *x, *y;
	unsigned char *after_g3;

	fit_sequence(TAGS_FIRST_FIT, a, g, &x, &y);
	CHECK(x == a[0]);                              /* the first hole */
	CHECK((unsigned char *)y == (unsigned char *)a[0] + 64);   /* its rest */
	check_matches_allocator();
	CHECK_EQ_U(state_of(x), CH_INUSE);
	CHECK_EQ_U(state_of(a[1]), CH_FREE);

	fit_sequence(TAGS_NEXT_FIT, a, g, &x, &y);
	after_g3 = (unsigned char *)g[3] + 32;
	CHECK((unsigned char *)x == after_g3);         /* past the rover */
	CHECK((unsigned char *)y == after_g3 + 64);
	check_matches_allocator();
	CHECK_EQ_U(state_of(a[0]), CH_FREE);

	fit_sequence(TAGS_BEST_FIT, a, g, &x, &y);
	CHECK(x == a[1]);                              /* the exact 64 */
	CHECK(y == a[2]);                              /* the exact 128 */
	check_matches_allocator();
	CHECK_EQ_U(chunk_of(a[0])->size, 224);
	CHECK_EQ_U(state_of(a[0]), CH_FREE);
}

/* One corrupted header word: a corrupt chunk, a diagnostic, the rest intact. */
static void corrupt_once(uint64_t *word, uint64_t bad, uint64_t at, void *after)
{
	uint64_t saved = *word;
	const struct heap_chunk *c;

	*word = bad;
	snap();
	*word = saved;
	check_span();
	CHECK(hs.ndiags >= 1);
	CHECK(hs.ndiags >= 1 && hs.diags[0].kind == HD_HEADER_OVERWRITE && hs.diags[0].addr == at);
	c = heap_find_chunk(&hs, at);
	CHECK(c != NULL && c->state == CH_CORRUPT && c->addr == at);
	CHECK(hs.arenas[0].truncated);
	CHECK_EQ_U(state_of(after), CH_INUSE);
}

/* Bad sizes, a bad footer, a bad epilogue, a bad state: never a crash or hang. */
static void test_corrupt(void)
{
	void *p[4];
	uint64_t *hdr;

	CHECK(tags_init(TAGS_FIRST_FIT, TAGS_IMMEDIATE) == 0);
	fill(p);
	hdr = (uint64_t *)p[1] - 1;
	corrupt_once(hdr, 0x12345671, (uintptr_t)hdr, p[2]);      /* huge */
	corrupt_once(hdr, 1, (uintptr_t)hdr, p[2]);               /* size 0 */
	corrupt_once(hdr, 0xe9, (uintptr_t)hdr, p[2]);            /* 224 with bit 3 set */
	corrupt_once(hdr, 0x101, (uintptr_t)hdr, p[2]);           /* 256: footer mismatch */
	corrupt_once((uint64_t *)((char *)p[1] + 216 - 8), 0x31, (uintptr_t)hdr, p[2]);
	corrupt_once((uint64_t *)p[0] - 1, 0x21, (uintptr_t)p[0] - 8, p[1]);
	check_matches_allocator();

	*(uint64_t *)(uintptr_t)tags_state.end = 0x41;              /* the epilogue */
	snap();
	CHECK(hs.ndiags == 1 && hs.diags[0].addr == tags_state.end);
	*(uint64_t *)(uintptr_t)tags_state.end = 1;

	tags_state.end += 1 << 20;                                  /* the state */
	snap();
	CHECK(hs.degraded[0] != '\0' && nchunks() == 0);
	tags_state.end -= 1 << 20;
	check_matches_allocator();
}

/* Random mallocs and frees under every policy: model == allocator. */
static void test_random(void)
{
	void *live[64] = { 0 };

	srand(7);
	for (int pol = 0; pol < 6; pol++) {
		CHECK(tags_init((enum tags_fit)(pol % 3), (enum tags_coalesce)(pol / 3)) == 0);
		memset(live, 0, sizeof(live));
		for (int step = 0; step < 3000; step++) {
			int k = rand() % 64;
			if (live[k]) {
				tags_free(live[k]);
				live[k] = NULL;
			} else {
				live[k] = tags_malloc((size_t)(rand() % 600) + 1);
			}
			CHECK(tags_check() == 0);
			if (step % 50 == 0)
				check_matches_allocator();
			if (check_failures > 20)
				return;
		}
	}
}

int main(void)
{
	char *cause = NULL;

	space_init(&self_space);
	heap_state_init(&hs);
	if (space_read(&self_space, getpid(), &cause) != 0) {
		fprintf(stderr, "space_read: %s\n", cause ? cause : "?");
		free(cause);
		return 1;
	}
	test_before_init();
	test_absent();
	test_immediate();
	test_deferred();
	test_fits();
	test_corrupt();
	test_random();
	heap_state_free(&hs);
	space_free(&self_space);
	CHECK_DONE();
}
