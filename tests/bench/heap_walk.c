/*
 * heap_walk.c - time memviz's glibc heap model on a stopped process, for
 * `make bench`: attach to PID (stopped by itself), read its address space,
 * then read + walk + classify its heap REPEAT times; print the chunk
 * counts and the best and median time of one snapshot.  Not part of memviz.
 *
 *   heap_walk PID [REPEAT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "heap.h"
#include "space.h"
#include "timing.h"

static pid_t pid;

static int rd(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)addr, len };
	(void)ctx;
	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct space sp;
	struct heap_state h;
	struct mem_reader mem = { NULL, rd };
	struct glibc_ctx c = { .space = &sp, .mem = &mem };
	int repeat = argc > 2 ? atoi(argv[2]) : 7;
	double t[64];
	size_t chunks = 0, nfree = 0;

	if (argc < 2 || repeat < 1 || repeat > 64)
		return 2;
	pid = atoi(argv[1]);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0) != 0) {
		perror("heap_walk: seize");
		return 1;
	}
	space_init(&sp);
	heap_state_init(&h);
	if (space_read(&sp, pid, NULL) != 0)
		return 1;
	for (int i = 0; i < repeat; i++) {
		double t0 = now_ms();
		heap_glibc_read(&h, &c);
		t[i] = now_ms() - t0;
	}
	for (size_t i = 0; i < h.n; i++) {
		chunks += h.arenas[i].n;
		for (size_t k = 0; k < h.arenas[i].n; k++)
			nfree += h.arenas[i].chunks[k].state == CH_FREE;
	}
	qsort(t, (size_t)repeat, sizeof(t[0]), cmp_double);
	printf("chunks %zu free %zu best_ms %.1f median_ms %.1f bins_known %d\n", chunks, nfree,
	       t[0], t[repeat / 2], h.bins_known);
	heap_state_free(&h);
	space_free(&sp);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return 0;
}
