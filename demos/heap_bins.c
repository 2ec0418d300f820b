/*
 * heap_bins.c - one glibc heap state per scenario, for checking memviz's
 * heap model against gdb (tests/t_heap_gdb.sh, tests/gdb/heap_dump.py).
 *
 *   heap_bins SCENARIO [nostop]
 *
 * Each scenario sets up a heap state and then calls checkpoint(NAME): it
 * prints "checkpoint NAME" and stops itself with SIGSTOP, so a debugger
 * sees exactly that state (with "nostop" it runs on).  After the stop it
 * exits 0 without freeing anything more.
 *
 *   tcache         frees of a few small sizes: all in the tcache
 *   fastbin        10 frees of one small size: 7 in the tcache, 3 in a fastbin
 *   unsorted       a free 0x500 chunk between in-use ones: the unsorted bin
 *   sorted         a 0x110 chunk (its tcache full) and a 0x500 chunk freed to
 *                  unsorted, then a 0x610 malloc sorts them: small and large bin
 *   split          a 0x110 malloc carved from a free 0x500 chunk: the 0x3f0
 *                  remainder stays free (unsorted, the last remainder)
 *   coalesce_prev  free A then its neighbour B: B merges into A (0xa00)
 *   coalesce_next  free B then its neighbour A: A absorbs B (0xa00)
 *   coalesce_top   free the chunk below top: it merges into top
 *   mmapped        a 256 KiB malloc: its own mapping, the M bit
 *   threads        4 threads, each with its own arena, malloc and free a few
 *                  blocks and wait at a barrier while main checkpoints
 *
 * Sizes: a request of N bytes gets a chunk of (N + 8) rounded up to 16,
 * at least 0x20; the tcache holds 7 chunks per size up to 0x410, fastbins
 * take chunks up to 0x80, everything else freed goes to the unsorted bin
 * unless it touches top.  Small bins hold chunks below 0x400, large ones
 * the rest.
 *
 * Prints "malloc SIZE -> PTR" / "free PTR" lines (truth.h) and exits 0.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "truth.h"

static int nostop;

/* malloc and print; touch the block so it is really in use. */
static void *get(size_t n)
{
	void *p = malloc(n);

	printf("malloc %zu -> 0x%lx\n", n, P(p));
	if (p)
		memset(p, 0x5a, n < 64 ? n : 64);
	return p;
}

/* print and free. */
static void put(void *p)
{
	printf("free 0x%lx\n", P(p));
	free(p);
}

/* Announce the state and stop so a debugger can look at it. */
static void checkpoint(const char *name)
{
	printf("checkpoint %s\n", name);
	fflush(stdout);
	if (!nostop)
		raise(SIGSTOP);
}

static void s_tcache(void)
{
	void *a = get(24), *b = get(40), *c = get(100), *d = get(24), *e = get(500);
	void *guard = get(24);

	printf("# five small frees: each goes to the tcache of its size\n");
	put(a);
	put(b);
	put(c);
	put(d);
	put(e);
	checkpoint("tcache");
	(void)guard;
}

static void s_fastbin(void)
{
	void *p[10], *guard;
	int i;

	for (i = 0; i < 10; i++)
		p[i] = get(40);
	guard = get(24);
	printf("# ten frees of 0x30 chunks: 7 fill the tcache, 3 go to the fastbin\n");
	for (i = 0; i < 10; i++)
		put(p[i]);
	checkpoint("fastbin");
	(void)guard;
}

static void s_unsorted(void)
{
	void *a = get(24), *b = get(0x4f8), *guard = get(24);

	printf("# free a 0x500 chunk between two in-use ones: unsorted bin\n");
	put(b);
	checkpoint("unsorted");
	(void)a;
	(void)guard;
}

static void s_sorted(void)
{
	void *s[8], *g[8], *big, *gbig, *n;
	int i;

	for (i = 0; i < 8; i++) {
		s[i] = get(0x108);
		g[i] = get(24);
	}
	big = get(0x4f8);
	gbig = get(24);
	printf("# fill the 0x110 tcache, then the 8th 0x110 and a 0x500 go to unsorted\n");
	for (i = 0; i < 8; i++)
		put(s[i]);
	put(big);
	printf("# a 0x610 request fits neither: both are sorted, 0x110 to a small bin,"
	       " 0x500 to a large bin; top serves it\n");
	n = get(0x600);
	checkpoint("sorted");
	(void)g;
	(void)gbig;
	(void)n;
}

static void s_split(void)
{
	void *a = get(0x4f8), *guard = get(24), *b;

	put(a);
	printf("# a 0x110 request is carved from the free 0x500 chunk:"
	       " the 0x3f0 remainder stays free\n");
	b = get(0x108);
	checkpoint("split");
	(void)guard;
	(void)b;
}

static void s_coalesce_prev(void)
{
	void *a = get(0x4f8), *b = get(0x4f8), *guard = get(24);

	put(a);
	printf("# free B whose previous neighbour A is free: one 0xa00 chunk at A\n");
	put(b);
	checkpoint("coalesce_prev");
	(void)guard;
}

static void s_coalesce_next(void)
{
	void *a = get(0x4f8), *b = get(0x4f8), *guard = get(24);

	put(b);
	printf("# free A whose next neighbour B is free: one 0xa00 chunk at A\n");
	put(a);
	checkpoint("coalesce_next");
	(void)guard;
}

static void s_coalesce_top(void)
{
	void *a = get(24), *b = get(0x4f8);

	printf("# free the chunk just below top: it merges into top\n");
	put(b);
	checkpoint("coalesce_top");
	(void)a;
}

static void s_mmapped(void)
{
	void *a = get(24), *m = get(256 * 1024);

	printf("# 256 KiB is above the mmap threshold: a chunk in its own mapping\n");
	checkpoint("mmapped");
	(void)a;
	(void)m;
}

#define NTHREADS 4
static pthread_barrier_t ready, done;

static void *worker(void *arg)
{
	int k = (int)(long)arg;
	void *p[4];
	int i;

	/* the first malloc of a thread gives it an arena of its own */
	for (i = 0; i < 4; i++)
		p[i] = get(24 + 16 * (size_t)(k + i));
	put(p[1]);
	put(p[3]);
	p[1] = get(0x4f8);
	p[3] = get(24);
	put(p[1]);              /* 0x500 between in-use chunks: unsorted */
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&done);
	return NULL;
}

static void s_threads(void)
{
	pthread_t t[NTHREADS];
	void *m = get(24);
	long i;

	pthread_barrier_init(&ready, NULL, NTHREADS + 1);
	pthread_barrier_init(&done, NULL, NTHREADS + 1);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)i) != 0) {
			fprintf(stderr, "heap_bins: pthread_create failed\n");
			exit(1);
		}
	pthread_barrier_wait(&ready);
	checkpoint("threads");
	pthread_barrier_wait(&done);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	(void)m;
}

static const struct {
	const char *name;
	void (*fn)(void);
} scenarios[] = {
	{ "tcache", s_tcache },
	{ "fastbin", s_fastbin },
	{ "unsorted", s_unsorted },
	{ "sorted", s_sorted },
	{ "split", s_split },
	{ "coalesce_prev", s_coalesce_prev },
	{ "coalesce_next", s_coalesce_next },
	{ "coalesce_top", s_coalesce_top },
	{ "mmapped", s_mmapped },
	{ "threads", s_threads },
};

int main(int argc, char **argv)
{
	size_t i;

	truth_init();
	if (argc < 2) {
		fprintf(stderr, "usage: heap_bins SCENARIO [nostop]\nscenarios:");
		for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
			fprintf(stderr, " %s", scenarios[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	nostop = argc > 2 && strcmp(argv[2], "nostop") == 0;
	for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
		if (strcmp(argv[1], scenarios[i].name) == 0) {
			printf("# pid %d\n", (int)getpid());
			scenarios[i].fn();
			return 0;
		}
	fprintf(stderr, "heap_bins: unknown scenario '%s'\n", argv[1]);
	return 2;
}
