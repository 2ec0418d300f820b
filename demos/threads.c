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
 * tcache at exit), so count `malloc` events, not all events.
 *
 * Every pair goes through heap_pair(), written in assembly: it fills the
 * callee-saved registers (rbx, rbp, r12-r15) with patterns, calls malloc
 * and free, and says which of them came back changed.  A tracer that
 * mis-executes the instruction its breakpoint covers shows up as
 * "regs_bad N" with N > 0 (the demo prints regs_bad 0 otherwise).  Exits 0.
 */
#include <pthread.h>
#include <stdlib.h>

#include "truth.h"

#define NTHREADS 4

static pthread_barrier_t start_line;
static long per_thread = 1000;
static long regs_bad;                     /* pairs that lost a register */

/* unsigned long heap_pair(size_t n): malloc(n), write a byte, free; returns
 * a bit per callee-saved register changed across the two calls (0 = all
 * kept, as the ABI promises), or 1 << 8 if malloc returned NULL. */
__asm__(
	".text\n"
	".type heap_pair, @function\n"
	"heap_pair:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	sub $8, %rsp\n"                           /* 16-byte aligned for calls */
	"	movabs $0x1111111111111111, %rbx\n"
	"	movabs $0x2222222222222222, %rbp\n"
	"	movabs $0x3333333333333333, %r12\n"
	"	movabs $0x4444444444444444, %r13\n"
	"	movabs $0x5555555555555555, %r14\n"
	"	movabs $0x6666666666666666, %r15\n"
	"	call malloc@PLT\n"
	"	test %rax, %rax\n"
	"	jz 2f\n"
	"	movb $1, (%rax)\n"
	"	mov %rax, %rdi\n"
	"	call free@PLT\n"
	"	xor %eax, %eax\n"
	"	movabs $0x1111111111111111, %rcx\n cmp %rcx, %rbx\n setne %dl\n or %dl, %al\n"
	"	movabs $0x2222222222222222, %rcx\n cmp %rcx, %rbp\n setne %dl\n shl $1, %dl\n or %dl, %al\n"
	"	movabs $0x3333333333333333, %rcx\n cmp %rcx, %r12\n setne %dl\n shl $2, %dl\n or %dl, %al\n"
	"	movabs $0x4444444444444444, %rcx\n cmp %rcx, %r13\n setne %dl\n shl $3, %dl\n or %dl, %al\n"
	"	movabs $0x5555555555555555, %rcx\n cmp %rcx, %r14\n setne %dl\n shl $4, %dl\n or %dl, %al\n"
	"	movabs $0x6666666666666666, %rcx\n cmp %rcx, %r15\n setne %dl\n shl $5, %dl\n or %dl, %al\n"
	"	jmp 3f\n"
	"2:	mov $0x100, %eax\n"
	"3:	add $8, %rsp\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".size heap_pair, .-heap_pair\n");
unsigned long heap_pair(size_t n);

/* K malloc+free pairs of varying small sizes; returns a checksum. */
static void *worker(void *arg)
{
	unsigned long sum = (unsigned long)(uintptr_t)arg;
	long i;

	pthread_barrier_wait(&start_line);
	for (i = 0; i < per_thread; i++) {
		unsigned long bad = heap_pair(16 + (size_t)(i % 8) * 16);

		if (bad & 0x100)
			abort();
		if (bad)
			__atomic_add_fetch(&regs_bad, 1, __ATOMIC_RELAXED);
		sum += (unsigned char)i;
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
	printf("regs_bad %ld\n", regs_bad);
	return 0;
}
