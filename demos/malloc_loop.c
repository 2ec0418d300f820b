/*
 * malloc_loop.c - the benchmark's workload: `malloc_loop [N]` does N
 * malloc(32) + free pairs (default 100000), touching each block so the
 * pair is real work, then prints "pairs N" and exits 0.  No output inside
 * the loop: only heap calls cost time under a tracer.
 */
#include <stdlib.h>

#include "truth.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	volatile unsigned char sink = 0;
	long i;

	truth_init();
	for (i = 0; i < n; i++) {
		unsigned char *p = malloc(32);

		if (!p)
			return 1;
		p[0] = (unsigned char)i;
		sink += p[0];
		free(p);
	}
	(void)sink;
	printf("pairs %ld\n", i);
	return 0;
}
