/*
 * heap_tags.c - the heap model of the boundary-tag teaching allocator of
 * demos/lib/tags.c (`--heap-model tags`; `auto` picks it when the
 * executable defines the allocator's symbols).
 *
 * The allocator publishes `struct tags_state tags_state` (where the blocks
 * start, where the epilogue is, its policies) and the arena `tags_heap`
 * they live in.  Every block is [header][payload][footer], header = footer
 * = size | allocated bit (sizes are multiples of 16); a prologue (16|1,
 * twice) precedes the first block and an epilogue header (0|1) follows the
 * last.  There are no bins: a free block is simply one whose bit is clear.
 *
 * The walk reads the whole span at once, then goes block to block by the
 * header sizes.  Each header is checked (size >= 32, low bits clear, inside
 * the span) against its footer; on a mismatch the rest is walked backwards
 * from the epilogue through the footers - the boundary tags' other use -
 * and what lies between is one CH_CORRUPT chunk with a header_overwrite
 * diagnostic.  Every step moves forward by at least 16 bytes inside a span
 * of bounded length, so no input can make it loop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "util.h"

/* demos/lib/tags.h's struct tags_state as the target lays it out. */
struct tags_image {
	uint64_t magic, start, end, fit, coalesce, rover, sweeps, grows;
};

#define TAGS_MAGIC     0x7461677368656170ull
#define TAGS_MIN_BLOCK 32u
#define TAGS_WORD      8u
#define TAGS_SPAN_MAX  (256ull << 20)     /* bound on the bytes read and walked */

/* One walk over a copy of the target's bytes [base, base + len). */
struct tags_walk {
	struct heap_state *h;
	struct heap_arena *a;
	const unsigned char *buf;
	uint64_t base, len;
	uint64_t start, end;      /* the blocks: [start, end), end = epilogue */
};

/* The symbol name of the executable, or NULL. */
static const struct elf_symbol *exe_symbol(const struct space *sp, const char *name,
					   uint64_t *bias)
{
	const struct elf_module *m = sp ? elfinfo_exe(&sp->elf) : NULL;

	if (m == NULL || m->ef == NULL)
		return NULL;
	*bias = m->bias;
	return elf_file_symbol(m->ef, name);
}

bool heap_tags_present(const struct space *sp)
{
	uint64_t bias;

	return exe_symbol(sp, "tags_state", &bias) != NULL &&
	       exe_symbol(sp, "tags_heap", &bias) != NULL;
}

/* The word at addr (inside the copy). */
static uint64_t word_at(const struct tags_walk *w, uint64_t addr)
{
	uint64_t v;

	memcpy(&v, w->buf + (addr - w->base), sizeof(v));
	return v;
}

/* Does the block at `at` have a sane header matching its footer, ending by limit? */
static bool block_ok(const struct tags_walk *w, uint64_t at, uint64_t limit)
{
	uint64_t hdr = word_at(w, at), size = hdr & ~(uint64_t)0xf;

	return (hdr & 0xe) == 0 && size >= TAGS_MIN_BLOCK && size <= limit - at &&
	       word_at(w, at + size - TAGS_WORD) == hdr;
}

/* Append a chunk to the arena. */
static void add_chunk(struct tags_walk *w, uint64_t at, uint64_t size, enum chunk_state st)
{
	struct heap_chunk *c = heap_add_chunk(w->a);

	c->addr = at;
	c->size = size;
	c->state = st;
	c->bin = BIN_NONE;
}

/* Where the backward walk from the epilogue through the footers stops, > at. */
static uint64_t walk_back(const struct tags_walk *w, uint64_t at)
{
	uint64_t q = w->end;

	while (q - at >= TAGS_MIN_BLOCK) {
		uint64_t ftr = word_at(w, q - TAGS_WORD), size = ftr & ~(uint64_t)0xf;
		if ((ftr & 0xe) || size < TAGS_MIN_BLOCK || size > q - at ||
		    word_at(w, q - size) != ftr || q - size == at)
			break;
		q -= size;
	}
	return q;
}

/* Say what is wrong with the header at `at`. */
static void diag_header(struct tags_walk *w, uint64_t at)
{
	uint64_t hdr = word_at(w, at), size = hdr & ~(uint64_t)0xf;

	if ((hdr & 0xe) || size < TAGS_MIN_BLOCK || size > w->end - at)
		heap_add_diag(w->h, HD_HEADER_OVERWRITE, at,
			      "tags block 0x%" PRIx64 ": header 0x%" PRIx64 " is not a block size"
			      " (16-multiple >= 32 within the heap)", at, hdr);
	else
		heap_add_diag(w->h, HD_HEADER_OVERWRITE, at,
			      "tags block 0x%" PRIx64 ": header 0x%" PRIx64
			      " does not match its footer 0x%" PRIx64, at, hdr,
			      word_at(w, at + size - TAGS_WORD));
}

/* A bad header at `at`: one corrupt chunk up to where the footers resume; the next address. */
static uint64_t corrupt(struct tags_walk *w, uint64_t at)
{
	uint64_t q = walk_back(w, at);

	diag_header(w, at);
	add_chunk(w, at, q - at, CH_CORRUPT);
	w->a->truncated = true;
	return q;
}

/* Every block from start to the epilogue. */
static void walk_blocks(struct tags_walk *w)
{
	uint64_t at = w->start;

	while (at < w->end) {
		uint64_t hdr = word_at(w, at);
		if (!block_ok(w, at, w->end)) {
			at = corrupt(w, at);
			continue;
		}
		add_chunk(w, at, hdr & ~(uint64_t)0xf, (hdr & 1) ? CH_INUSE : CH_FREE);
		at += hdr & ~(uint64_t)0xf;
	}
}

/* The prologue (16|1 twice) and the epilogue (0|1) as the allocator writes them. */
static void check_ends(struct tags_walk *w)
{
	uint64_t p = w->start - 2 * TAGS_WORD;

	if (word_at(w, p) != 0x11 || word_at(w, p + TAGS_WORD) != 0x11)
		heap_add_diag(w->h, HD_HEADER_OVERWRITE, p,
			      "tags prologue 0x%" PRIx64 ": 0x%" PRIx64 "/0x%" PRIx64
			      " instead of 0x11/0x11", p, word_at(w, p), word_at(w, p + TAGS_WORD));
	if (word_at(w, w->end) != 1)
		heap_add_diag(w->h, HD_HEADER_OVERWRITE, w->end,
			      "tags epilogue 0x%" PRIx64 ": 0x%" PRIx64 " instead of 0x1",
			      w->end, word_at(w, w->end));
}

/* Does the state describe a heap inside the arena [lo, hi)? NULL or why not. */
static const char *state_bad(const struct tags_image *st, uint64_t lo, uint64_t hi)
{
	if (st->magic != TAGS_MAGIC)
		return "bad magic";
	if ((st->start & 0xf) != 8 || (st->end & 0xf) != 8)
		return "start/end misaligned";
	if (st->start < lo + 2 * TAGS_WORD || st->start > st->end || st->end >= hi ||
	    hi - st->end < TAGS_WORD)
		return "start/end outside tags_heap";
	if (st->end - st->start > TAGS_SPAN_MAX)
		return "heap too large";
	return NULL;
}

/* Read the span and walk it; false if it cannot be read. */
static bool read_walk(struct tags_walk *w, const struct mem_reader *mem)
{
	unsigned char *buf;

	w->base = w->start - 2 * TAGS_WORD;
	w->len = w->end + TAGS_WORD - w->base;
	buf = xmalloc(w->len);
	if (mem->read(mem->ctx, w->base, buf, w->len) != 0) {
		free(buf);
		return false;
	}
	w->buf = buf;
	check_ends(w);
	walk_blocks(w);
	free(buf);
	w->buf = NULL;
	return true;
}

/* Why the model shows no blocks: in h->degraded, with the walk marked cut. */
static void degrade(struct heap_state *h, struct heap_arena *a, const char *why)
{
	snprintf(h->degraded, sizeof(h->degraded), "tags heap: %s", why);
	h->bins_known = false;
	a->truncated = true;
}

/* Find and check tags_state; NULL and the walk set up, or why not. */
static const char *locate(struct tags_walk *w, const struct space *sp,
			  const struct mem_reader *mem, bool *empty)
{
	const struct elf_symbol *ss, *hs;
	struct tags_image st;
	uint64_t bias = 0, lo, hi;
	const char *bad;

	ss = exe_symbol(sp, "tags_state", &bias);
	hs = exe_symbol(sp, "tags_heap", &bias);
	if (ss == NULL || hs == NULL)
		return "no tags_state/tags_heap symbols in the executable";
	w->a->state_addr = ss->value + bias;
	if (mem->read(mem->ctx, w->a->state_addr, &st, sizeof(st)) != 0)
		return "cannot read tags_state";
	*empty = st.magic == 0;           /* tags_init has not run: no heap yet */
	if (*empty)
		return NULL;
	lo = hs->value + bias;
	hi = lo + (hs->size && hs->size <= TAGS_SPAN_MAX ? hs->size : TAGS_SPAN_MAX);
	if ((bad = state_bad(&st, lo, hi)) != NULL)
		return bad;
	w->a->start = w->start = st.start;
	w->a->end = w->end = st.end;
	return NULL;
}

void heap_tags_read(struct heap_state *h, const struct space *sp, const struct mem_reader *mem)
{
	struct tags_walk w = { .h = h };
	bool empty = false;
	const char *why;

	h->model = "tags";
	h->bins_known = true;             /* no bins: every chunk's state is its bit */
	h->user_off = TAGS_WORD;
	w.a = heap_add_arena(h, "tags");
	w.a->top = 0;
	why = locate(&w, sp, mem, &empty);
	if (why == NULL && !empty && !read_walk(&w, mem))
		why = "cannot read the heap's blocks";
	if (why != NULL)
		degrade(h, w.a, why);
}
