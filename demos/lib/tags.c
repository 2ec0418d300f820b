/*
 * tags.c - the lecture notes' allocator: an implicit free list with
 * boundary tags.
 *
 * The heap is a sequence of blocks laid end to end.  Each block starts with
 * a header word holding its size (a multiple of 16, so the low four bits are
 * always zero) with the allocated bit stored in bit 0, and ends with a
 * footer word, an exact copy of the header.  The header lets us go from a
 * block to the next one (add the size); the footer - the "boundary tag" -
 * lets us go back to the previous one: the word just before our header is
 * the previous block's footer, so its size and whether it is free are known
 * in constant time.  That is what makes coalescing a freed block with both
 * of its neighbours cheap.
 *
 * Two special blocks spare us the edge cases: a prologue (header + footer,
 * size 16, allocated) before the first block and an epilogue (a lone header,
 * size 0, allocated) after the last, so every real block has an allocated
 * neighbour on each side that is never merged.
 *
 * Finding a block: first fit (the first free block big enough, from the
 * start), next fit (the same, but starting where the last search stopped:
 * the "rover"), best fit (the smallest free block big enough).  A block
 * bigger than needed is split when the rest can hold a block of its own
 * (32 bytes); else the whole block is handed out (internal fragmentation).
 *
 * Freeing: immediate coalescing merges the block with its free neighbours at
 * once; deferred coalescing only marks it free, and merges all free
 * neighbours in one sweep when a request finds no fit, then tries again.
 *
 * When nothing fits, the heap grows as with sbrk: the break (tags_brk) moves
 * up inside the static arena, the old epilogue becomes the header of a new
 * free block, and a new epilogue is written at the end.
 */
#include <string.h>

#include "tags.h"

struct tags_state tags_state;
_Alignas(16) unsigned char tags_heap[TAGS_ARENA_SIZE];
static size_t tags_brk;          /* the break: bytes of tags_heap in use */

typedef unsigned char byte;

#define WSIZE 8                  /* a header or footer word */

/* The word at p. */
static uint64_t get(const byte *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* Store w at p. */
static void put(byte *p, uint64_t w)
{
	memcpy(p, &w, sizeof(w));
}

/* A tag word: size with the allocated bit in bit 0. */
static uint64_t pack(uint64_t size, int alloc)
{
	return size | (alloc ? 1u : 0u);
}

/* Size of the block whose header (or footer) is at p. */
static uint64_t size_at(const byte *p)
{
	return get(p) & ~(uint64_t)0xf;
}

/* Is the block whose tag is at p allocated? */
static int alloc_at(const byte *p)
{
	return (int)(get(p) & 1);
}

/* The header of the block after hdr. */
static byte *next_blk(byte *hdr)
{
	return hdr + size_at(hdr);
}

/* The header of the block before hdr, through its footer. */
static byte *prev_blk(byte *hdr)
{
	return hdr - size_at(hdr - WSIZE);
}

/* Write the header and the footer of the block at hdr. */
static void set_tags(byte *hdr, uint64_t size, int alloc)
{
	put(hdr, pack(size, alloc));
	put(hdr + size - WSIZE, pack(size, alloc));
}

/* An address in the state as a pointer. */
static byte *ptr(uint64_t a)
{
	return (byte *)(uintptr_t)a;
}

/* A pointer as an address for the state. */
static uint64_t num(const byte *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* sbrk inside the arena: the old break, or NULL if the arena is full. */
static byte *tags_sbrk(size_t incr)
{
	byte *old = tags_heap + tags_brk;

	if (incr > sizeof(tags_heap) - tags_brk)
		return NULL;
	tags_brk += incr;
	return old;
}

/* If the rover points inside the merged block hdr (not at it), move it there. */
static void fix_rover(byte *hdr)
{
	if (tags_state.rover > num(hdr) && tags_state.rover < num(next_blk(hdr)))
		tags_state.rover = num(hdr);
}

/* Merge the free block hdr with its free neighbours; the merged header. */
static byte *coalesce(byte *hdr)
{
	uint64_t size = size_at(hdr);
	int prev_free = !alloc_at(hdr - WSIZE), next_free = !alloc_at(next_blk(hdr));

	if (next_free)
		size += size_at(next_blk(hdr));
	if (prev_free) {
		hdr = prev_blk(hdr);
		size += size_at(hdr);
	}
	set_tags(hdr, size, 0);
	fix_rover(hdr);
	return hdr;
}

/* Deferred coalescing: merge every run of free blocks in one sweep. */
static void coalesce_all(void)
{
	for (byte *h = ptr(tags_state.start); size_at(h) > 0; h = next_blk(h)) {
		if (alloc_at(h))
			continue;
		while (!alloc_at(next_blk(h)))
			set_tags(h, size_at(h) + size_at(next_blk(h)), 0);
		fix_rover(h);
	}
	tags_state.sweeps++;
}

/* Grow the heap by bytes (a multiple of 16): the new free block, merged
 * with a free last block, or NULL if the arena is full. */
static byte *extend(size_t bytes)
{
	byte *p = tags_sbrk(bytes), *hdr;

	if (p == NULL)
		return NULL;
	hdr = p - WSIZE;                        /* where the old epilogue was */
	set_tags(hdr, bytes, 0);
	put(next_blk(hdr), pack(0, 1));         /* the new epilogue */
	tags_state.end = num(next_blk(hdr));
	tags_state.grows++;
	return coalesce(hdr);
}

/* First fit: the first free block of at least asize from lo up to hi. */
static byte *first_fit(byte *lo, byte *hi, uint64_t asize)
{
	for (byte *h = lo; h < hi && size_at(h) > 0; h = next_blk(h))
		if (!alloc_at(h) && size_at(h) >= asize)
			return h;
	return NULL;
}

/* Next fit: first fit from the rover to the end, then from the start. */
static byte *next_fit(uint64_t asize)
{
	byte *rover = ptr(tags_state.rover), *h;

	h = first_fit(rover, ptr(tags_state.end), asize);
	if (h == NULL)
		h = first_fit(ptr(tags_state.start), rover, asize);
	if (h != NULL)
		tags_state.rover = num(h);
	return h;
}

/* Best fit: the smallest free block of at least asize. */
static byte *best_fit(uint64_t asize)
{
	byte *best = NULL;

	for (byte *h = ptr(tags_state.start); size_at(h) > 0; h = next_blk(h))
		if (!alloc_at(h) && size_at(h) >= asize &&
		    (best == NULL || size_at(h) < size_at(best))) {
			best = h;
			if (size_at(h) == asize)
				break;
		}
	return best;
}

/* A free block of at least asize by the current policy, or NULL. */
static byte *find_fit(uint64_t asize)
{
	switch (tags_state.fit) {
	case TAGS_NEXT_FIT:
		return next_fit(asize);
	case TAGS_BEST_FIT:
		return best_fit(asize);
	default:
		return first_fit(ptr(tags_state.start), ptr(tags_state.end), asize);
	}
}

/* Allocate asize bytes at the start of free block hdr, splitting off the
 * rest when it can hold a block. */
static void place(byte *hdr, uint64_t asize)
{
	uint64_t csize = size_at(hdr);

	if (csize - asize >= TAGS_MIN_BLOCK) {
		set_tags(hdr, asize, 1);
		set_tags(hdr + asize, csize - asize, 0);
	} else {
		set_tags(hdr, csize, 1);
	}
}

/* The block size for a request: payload plus the two tags, rounded up to 16. */
static uint64_t adjusted(size_t size)
{
	uint64_t a;

	if (size == 0 || size > TAGS_ARENA_SIZE)
		return 0;
	a = ((uint64_t)size + 2 * WSIZE + 15) & ~(uint64_t)15;
	return a < TAGS_MIN_BLOCK ? TAGS_MIN_BLOCK : a;
}

int tags_init(enum tags_fit fit, enum tags_coalesce co)
{
	byte *p;

	if ((unsigned)fit > TAGS_BEST_FIT || (unsigned)co > TAGS_DEFERRED)
		return -1;
	memset(&tags_state, 0, sizeof(tags_state));
	tags_brk = 0;
	p = tags_sbrk(4 * WSIZE);
	put(p, 0);                              /* padding: payloads 16-aligned */
	set_tags(p + WSIZE, 2 * WSIZE, 1);      /* the prologue */
	put(p + 3 * WSIZE, pack(0, 1));         /* the epilogue */
	tags_state.start = tags_state.end = tags_state.rover = num(p + 3 * WSIZE);
	tags_state.fit = fit;
	tags_state.coalesce = co;
	if (extend(TAGS_CHUNK) == NULL)
		return -1;
	tags_state.grows = 0;
	tags_state.magic = TAGS_MAGIC;
	return 0;
}

void *tags_malloc(size_t size)
{
	uint64_t asize = adjusted(size);
	byte *hdr;

	if (tags_state.magic != TAGS_MAGIC && tags_init(TAGS_FIRST_FIT, TAGS_IMMEDIATE) != 0)
		return NULL;
	if (asize == 0)
		return NULL;
	hdr = find_fit(asize);
	if (hdr == NULL && tags_state.coalesce == TAGS_DEFERRED) {
		coalesce_all();
		hdr = find_fit(asize);
	}
	if (hdr == NULL)
		hdr = extend(asize > TAGS_CHUNK ? asize : TAGS_CHUNK);
	if (hdr == NULL)
		hdr = extend(asize);
	if (hdr == NULL)
		return NULL;
	place(hdr, asize);
	return hdr + WSIZE;
}

void tags_free(void *p)
{
	byte *hdr;

	if (p == NULL)
		return;
	hdr = (byte *)p - WSIZE;
	set_tags(hdr, size_at(hdr), 0);
	if (tags_state.coalesce == TAGS_IMMEDIATE)
		coalesce(hdr);
}

/* Are the prologue and the epilogue as tags_init wrote them? */
static int ends_ok(void)
{
	byte *s = ptr(tags_state.start), *e = ptr(tags_state.end);

	return get(s - 2 * WSIZE) == pack(16, 1) && get(s - WSIZE) == pack(16, 1) &&
	       get(e) == pack(0, 1) && e + WSIZE == tags_heap + tags_brk;
}

int tags_check(void)
{
	byte *h = ptr(tags_state.start), *e = ptr(tags_state.end);
	int prev_free = 0;

	if (tags_state.magic != TAGS_MAGIC || !ends_ok())
		return -1;
	for (; h < e; h = next_blk(h)) {
		uint64_t s = size_at(h);
		if (s < TAGS_MIN_BLOCK || (get(h) & 0xe) || s > (uint64_t)(e - h) ||
		    get(h) != get(h + s - WSIZE))
			return -1;
		if (!alloc_at(h) && prev_free && tags_state.coalesce == TAGS_IMMEDIATE)
			return -1;      /* two free neighbours left unmerged */
		prev_free = !alloc_at(h);
	}
	return h == e ? 0 : -1;
}
