/*
 * test_heap.c - heap_diff on hand-made before/after chunk lists (one case
 * per change kind, as the lecture draws them), heap_find_chunk, and the
 * map of requested sizes.
 */
#include "check.h"
#include "heap.h"

#define BASE 0x1000u

/* A chunk list from a compact description: sizes and states in order. */
struct spec {
	uint64_t size;
	enum chunk_state st;
	enum chunk_bin bin;
};

/* Build h as one arena "main" tiling from BASE with the chunks of s. */
static void build(struct heap_state *h, const struct spec *s, size_t n)
{
	struct heap_arena *a;
	uint64_t at = BASE;

	heap_state_clear(h);
	h->model = "glibc";
	h->user_off = 16;
	a = heap_add_arena(h, "main");
	a->start = BASE;
	for (size_t i = 0; i < n; i++) {
		struct heap_chunk *c = heap_add_chunk(a);
		c->addr = at;
		c->size = s[i].size;
		c->state = s[i].st;
		c->bin = s[i].bin;
		at += s[i].size;
	}
	a->end = at;
}

/* The one change heap_diff found, checked for kind, detail and first chunk. */
static void expect_one(const struct spec *before, size_t nb, const struct spec *after,
		       size_t na, enum heap_change_kind k, const char *detail, uint64_t chunk)
{
	struct heap_state p, c;

	heap_state_init(&p);
	heap_state_init(&c);
	build(&p, before, nb);
	build(&c, after, na);
	heap_diff(&p, &c);
	CHECK_EQ_U(c.nchanges, 1);
	if (c.nchanges >= 1) {
		CHECK_STR(heap_change_name(c.changes[0].kind), heap_change_name(k));
		CHECK_STR(c.changes[0].detail, detail);
		CHECK_EQ_U(c.changes[0].chunks[0], chunk);
	}
	heap_state_free(&p);
	heap_state_free(&c);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define U CH_INUSE
#define F CH_FREE
#define T CH_TOP

static void test_diff(void)
{
	/* free to tcache: same chunk, in use -> free */
	struct spec b1[] = { { 0x20, U, 0 }, { 0x30, U, 0 }, { 0x1000, T, 0 } };
	struct spec a1[] = { { 0x20, U, 0 }, { 0x30, F, BIN_TCACHE }, { 0x1000, T, 0 } };
	expect_one(b1, N(b1), a1, N(a1), HC_FREE, "tcache", BASE + 0x20);
	/* alloc from tcache: the reverse */
	expect_one(a1, N(a1), b1, N(b1), HC_ALLOC, "tcache", BASE + 0x20);
	/* alloc from top: a new chunk where top began, top smaller */
	struct spec b2[] = { { 0x20, U, 0 }, { 0x1000, T, 0 } };
	struct spec a2[] = { { 0x20, U, 0 }, { 0x100, U, 0 }, { 0xf00, T, 0 } };
	expect_one(b2, N(b2), a2, N(a2), HC_ALLOC, "top", BASE + 0x20);
	/* split: a free 0x800 chunk serves 0x200, 0x600 stay free */
	struct spec b3[] = { { 0x20, U, 0 }, { 0x800, F, BIN_UNSORTED }, { 0x20, U, 0 }, { 0x1000, T, 0 } };
	struct spec a3[] = { { 0x20, U, 0 }, { 0x200, U, 0 }, { 0x600, F, BIN_UNSORTED },
			     { 0x20, U, 0 }, { 0x1000, T, 0 } };
	expect_one(b3, N(b3), a3, N(a3), HC_SPLIT, "unsorted", BASE + 0x20);
	/* coalesce with the previous free chunk */
	struct spec b4[] = { { 0x20, U, 0 }, { 0x500, F, BIN_UNSORTED }, { 0x500, U, 0 }, { 0x20, U, 0 },
			     { 0x1000, T, 0 } };
	struct spec a4[] = { { 0x20, U, 0 }, { 0xa00, F, BIN_UNSORTED }, { 0x20, U, 0 }, { 0x1000, T, 0 } };
	expect_one(b4, N(b4), a4, N(a4), HC_COALESCE, "previous", BASE + 0x20);
	/* coalesce with the next free chunk */
	struct spec b5[] = { { 0x20, U, 0 }, { 0x500, U, 0 }, { 0x500, F, BIN_UNSORTED }, { 0x20, U, 0 },
			     { 0x1000, T, 0 } };
	expect_one(b5, N(b5), a4, N(a4), HC_COALESCE, "next", BASE + 0x20);
	/* coalesce with both */
	struct spec b6[] = { { 0x20, U, 0 }, { 0x300, F, BIN_SMALL }, { 0x400, U, 0 }, { 0x300, F, BIN_SMALL },
			     { 0x20, U, 0 }, { 0x1000, T, 0 } };
	expect_one(b6, N(b6), a4, N(a4), HC_COALESCE, "both", BASE + 0x20);
	/* consolidate: free fastbin chunks merged with no chunk freed */
	struct spec b7[] = { { 0x20, U, 0 }, { 0x20, F, BIN_FAST }, { 0x20, F, BIN_FAST }, { 0x20, U, 0 },
			     { 0x1000, T, 0 } };
	struct spec a7[] = { { 0x20, U, 0 }, { 0x40, F, BIN_SMALL }, { 0x20, U, 0 }, { 0x1000, T, 0 } };
	expect_one(b7, N(b7), a7, N(a7), HC_CONSOLIDATE, "fast", BASE + 0x20);
	/* coalesce with top: top starts lower */
	struct spec b8[] = { { 0x20, U, 0 }, { 0x500, U, 0 }, { 0x1000, T, 0 } };
	struct spec a8[] = { { 0x20, U, 0 }, { 0x1500, T, 0 } };
	expect_one(b8, N(b8), a8, N(a8), HC_COALESCE, "top", BASE + 0x20);
	/* grow: top ends higher (brk moved) */
	struct spec a9[] = { { 0x20, U, 0 }, { 0x500, U, 0 }, { 0x21000, T, 0 } };
	expect_one(b8, N(b8), a9, N(a9), HC_GROW, "brk", BASE + 0x520);
	expect_one(a9, N(a9), b8, N(b8), HC_SHRINK, "brk", BASE + 0x520);
	/* the heap appears (first malloc): grow from nothing, blocks from top */
	{
		struct heap_state p0, c0;
		heap_state_init(&p0);
		heap_state_init(&c0);
		build(&c0, a2, N(a2));
		heap_diff(&p0, &c0);
		CHECK_EQ_U(c0.nchanges, 3);
		CHECK(c0.nchanges == 3 && c0.changes[0].kind == HC_ALLOC &&
		      c0.changes[1].kind == HC_ALLOC && c0.changes[2].kind == HC_GROW);
		heap_state_free(&p0);
		heap_state_free(&c0);
	}
	/* nothing changed: no change */
	struct heap_state p, c;
	heap_state_init(&p);
	heap_state_init(&c);
	build(&p, b6, N(b6));
	build(&c, b6, N(b6));
	heap_diff(&p, &c);
	CHECK_EQ_U(c.nchanges, 0);
	/* mmapped chunks appearing and going */
	struct heap_chunk mm = { .addr = 0x7f0000000000, .size = 0x41000, .state = CH_MMAPPED };
	c.mmapped = &mm;
	c.nmmapped = 1;
	heap_diff(&p, &c);
	CHECK_EQ_U(c.nchanges, 1);
	CHECK(c.nchanges == 1 && c.changes[0].kind == HC_MMAP);
	heap_diff(&c, &p);
	CHECK(p.nchanges == 1 && p.changes[0].kind == HC_MUNMAP);
	c.mmapped = NULL;
	c.nmmapped = 0;
	/* find */
	CHECK(heap_find_chunk(&p, BASE + 0x25) && heap_find_chunk(&p, BASE + 0x25)->addr == BASE + 0x20);
	CHECK(heap_find_chunk(&p, BASE - 1) == NULL);
	heap_state_free(&p);
	heap_state_free(&c);
}

/* Requested sizes: set, replace, forget, survive growth of the table. */
static void test_reqs(void)
{
	struct heap_reqs *r = heap_reqs_new();
	struct heap_state h;
	struct spec s[] = { { 0x20, U, 0 }, { 0x30, U, 0 }, { 0x20, F, BIN_TCACHE }, { 0x1000, T, 0 } };

	heap_state_init(&h);
	build(&h, s, N(s));
	for (uint64_t i = 1; i <= 5000; i++)             /* forces several rehashes */
		heap_reqs_set(r, 0x100000 + i * 16, i);
	for (uint64_t i = 1; i <= 5000; i += 2)
		heap_reqs_set(r, 0x100000 + i * 16, 0);
	heap_reqs_set(r, BASE + 16, 24);
	heap_reqs_set(r, BASE + 0x20 + 16, 40);
	heap_reqs_set(r, BASE + 0x50 + 16, 9);
	heap_reqs_set(r, BASE + 0x50 + 16, 0);               /* freed */
	heap_reqs_apply(r, &h);
	CHECK_EQ_U(h.arenas[0].chunks[0].req, 24);
	CHECK_EQ_U(h.arenas[0].chunks[1].req, 40);
	CHECK_EQ_U(h.arenas[0].chunks[2].req, 0);
	heap_reqs_set(r, BASE + 16, 17);                     /* realloc in place */
	heap_reqs_apply(r, &h);
	CHECK_EQ_U(h.arenas[0].chunks[0].req, 17);
	/* the far keys: odd ones forgotten, even ones kept */
	h.user_off = 0;
	h.arenas[0].chunks[0].addr = 0x100000 + 4 * 16;
	h.arenas[0].chunks[1].addr = 0x100000 + 5 * 16;
	heap_reqs_apply(r, &h);
	CHECK_EQ_U(h.arenas[0].chunks[0].req, 4);
	CHECK_EQ_U(h.arenas[0].chunks[1].req, 0);
	heap_state_free(&h);
	heap_reqs_free(r);
}

int main(void)
{
	test_diff();
	test_reqs();
	CHECK_DONE();
}
