/*
 * heap_story.c - the heap changes the other demos do not show: fastbin
 * chunks merged by malloc_consolidate, an mmapped block unmapped by free,
 * and the top chunk given back to the kernel (brk shrinks) once the
 * blocks next to it are freed.  Prints truth lines (demos/truth.h) and a
 * "# step" line before each step; exits 0.
 */
#include <stdlib.h>

#include "truth.h"

/* malloc and print. */
static void *get(size_t n)
{
	void *p = malloc(n);

	printf("malloc %zu -> 0x%lx\n", n, P(p));
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
	void *small[10], *guard, *big, *m, *top[4];
	int i;

	truth_init();
	printf("# step fastbins: 10 blocks of 40 bytes freed, 7 to tcache, 3 to fastbins\n");
	for (i = 0; i < 10; i++)
		small[i] = get(40);
	guard = get(40);
	for (i = 0; i < 10; i++)
		put(small[i]);
	printf("# step consolidate: a large request merges the fastbin chunks first\n");
	big = get(2000);
	printf("# step mmap: 200 KiB is above the mmap threshold; free unmaps it\n");
	m = get(200000);
	put(m);
	printf("# step shrink: four 100 KiB blocks grow the heap, freeing them trims it\n");
	for (i = 0; i < 4; i++)
		top[i] = get(100000);
	for (i = 3; i >= 0; i--)
		put(top[i]);
	put(big);
	put(guard);
	return 0;
}
