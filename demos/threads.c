/*
 * threads.c - four threads that call malloc at the same time, to count
 * that a tracer loses no event.  `threads [K]`: each thread does exactly K
 * malloc + free pairs (default 1000) after a barrier, so they overlap; main
 * mallocs once itself (the thread table).
 *
 * Prints main's own "malloc SIZE -> PTR" and "free PTR" (truth.h), and
 * after joining: "threads 4", "per_thread K", "total mallocs N"
 * (N = 4*K + 1) and "total frees N".  glibc adds heap calls of its own
 * around a thread (a calloc for its TLS vector at creation, frees of its
 * tcache at exit), so count `malloc` events, not all events.  Exits 0.
 */
#include <pthread.h>
#include <stdlib.h>

#include "truth.h"

#define NTHREADS 4

static pthread_barrier_t start_line;
static long per_thread = 1000;

/* K malloc+free pairs of varying small sizes; returns a checksum. */
static void *worker(void *arg)
{
	unsigned long sum = (unsigned long)(uintptr_t)arg;
	long i;

	pthread_barrier_wait(&start_line);
	for (i = 0; i < per_thread; i++) {
		unsigned char *p = malloc(16 + (size_t)(i % 8) * 16);

		if (!p)
			abort();
		p[0] = (unsigned char)i;
		sum += p[0];
		free(p);
	}
	return (void *)(uintptr_t)sum;
}

int main(int argc, char **argv)
{
	pthread_t *tids;
	unsigned long sum = 0;
	int i, err;

	truth_init();
	if (argc > 1)
		per_thread = atol(argv[1]);
	if (per_thread < 0)
		per_thread = 0;
	tids = malloc(NTHREADS * sizeof *tids);
	if (!tids)
		return 1;
	printf("malloc %zu -> 0x%lx\n", NTHREADS * sizeof *tids, P(tids));
	pthread_barrier_init(&start_line, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		err = pthread_create(&tids[i], NULL, worker, (void *)(uintptr_t)i);
		if (err) {
			fprintf(stderr, "threads: pthread_create failed (%d)\n", err);
			return 1;
		}
	}
	for (i = 0; i < NTHREADS; i++) {
		void *ret;

		pthread_join(tids[i], &ret);
		sum += (unsigned long)(uintptr_t)ret;
	}
	pthread_barrier_destroy(&start_line);
	printf("free 0x%lx\n", P(tids));
	free(tids);
	printf("threads %d\n", NTHREADS);
	printf("per_thread %ld\n", per_thread);
	printf("total mallocs %ld\n", NTHREADS * per_thread + 1);
	printf("total frees %ld\n", NTHREADS * per_thread + 1);
	printf("checksum %lu\n", sum);
	return 0;
}
