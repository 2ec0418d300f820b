/*
 * heap_many.c - a big heap for the benchmark: `heap_many N [K]` mallocs N
 * small blocks of K sizes (24, 40, ... 24 + 16 (K-1) bytes; K = 7 by
 * default, so chunks of 32 to 128 bytes) and frees every other one, so
 * half the chunks are free and none can coalesce (7 per size land in the
 * tcache, the rest in long fastbin lists).  Then it prints "ready N" and stops itself
 * (SIGSTOP) so a tool can look at exactly that heap; after SIGCONT it
 * exits 0.
 */
#include <signal.h>
#include <stdlib.h>

#include "truth.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	long k = argc > 2 ? atol(argv[2]) : 7;
	char **v = malloc((size_t)n * sizeof(*v));

	truth_init();
	if (!v)
		return 1;
	for (long i = 0; i < n; i++) {
		v[i] = malloc(24 + (size_t)(i % (k > 0 ? k : 1)) * 16);
		if (!v[i])
			return 1;
		v[i][0] = (char)i;
	}
	for (long i = 0; i < n; i += 2)
		free(v[i]);
	printf("ready %ld\n", n);
	fflush(stdout);
	raise(SIGSTOP);
	return 0;
}
