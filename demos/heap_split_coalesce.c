/*
 * heap_split_coalesce.c - the lecture's heap sequence on glibc's malloc:
 * blocks in address order, a freed block reused, a freed block coalescing
 * with the free one before it, that chunk split to serve smaller requests;
 * then (at the end) coalescing with the next free block and with top.
 *
 * glibc keeps small freed blocks (up to 1032 bytes) in the per-thread
 * tcache, where they neither split nor coalesce; the blocks that show
 * splitting and coalescing are therefore 2000 and 4000 bytes.  Run under
 * `memviz --pure-heap` to see the textbook behaviour for all sizes.
 *
 * Prints "malloc SIZE -> PTR" / "free PTR" lines (truth.h) and exits 0.
 */
#include <stdlib.h>
#include <string.h>

#include "truth.h"

/* malloc and print; the call site is here, so events point at this line. */
static void *get(size_t n)
{
	void *p = malloc(n);

	printf("malloc %zu -> 0x%lx\n", n, P(p));
	if (p)
		memset(p, 0xab, n);
	return p;
}

/* print and free. */
static void put(void *p)
{
	printf("free 0x%lx\n", P(p));
	free(p);
}

int main(void)
{
	char *p1, *p2, *p3, *p4, *p5, *guard, *p6;

	truth_init();
	printf("# three blocks, one after the other\n");
	p1 = get(24);
	p2 = get(500);
	p3 = get(2000);
	p4 = get(2000);
	p5 = get(2000);
	guard = get(24);

	printf("# free the 500-byte block and ask again: it comes back (reuse)\n");
	put(p2);
	p2 = get(500);

	printf("# free two neighbours: they coalesce into one free chunk\n");
	put(p3);
	put(p4);

	printf("# ask for 3000 bytes: the coalesced chunk is split\n");
	p6 = get(3000);

	printf("# ask for 500 more: served from the remainder of the split\n");
	p3 = get(500);

	printf("# free a block whose neighbour is free: coalesce again\n");
	put(p5);

	printf("# free the rest: small blocks go to the tcache, big ones coalesce\n");
	put(p3);
	put(p6);
	put(guard);
	put(p2);
	put(p1);

	/* Larger than any free chunk left (the biggest is 3008 bytes): each
	 * of these comes from the top chunk, in address order. */
	printf("# three blocks from the top chunk, one after the other\n");
	p1 = get(4000);
	p2 = get(4000);
	p3 = get(4000);

	printf("# free the middle one, then the first: it coalesces with the next\n");
	put(p2);
	put(p1);

	printf("# free the last one: it coalesces with the free block before it and with top\n");
	put(p3);
	return 0;
}
