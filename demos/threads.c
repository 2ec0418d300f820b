/*
 * threads.c - four threads that call malloc at the same time, to count
 * that a tracer loses no event.  `threads [K]`: each thread does exactly K
 * malloc + free pairs (default 1000) after a barrier, so they overlap; main
 * mallocs once itself (the thread table).
 *
 * `threads K N`: N threads instead of four (1 to 16; the lecture's picture
 * is `threads K 3`), and each worker first mallocs a 64-byte block of its
 * own that it keeps until its pairs are done.  A thread's first malloc
 * takes an arena nobody uses (a thread that has ended leaves its arena
 * free for the next) or makes a new one (up to 8 per CPU); the workers
 * all hold their blocks before any goes on (a second barrier), so the
 * blocks lie in N different heaps, far from main's, as each thread's
 * stack does.
 * After joining, main prints "thread I block PTR" for each, and the
 * totals count the N blocks too (N*K + N + 1).
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
 *
 * `threads K wait`: the same, then each worker i recurses i + 2 levels
 * deep (dive) and blocks at the bottom in read() on a pipe nobody writes
 * to; once all four sleep there, main prints "ready" and blocks in
 * pthread_join.  Every thread then sits in a frame inside libc under its
 * own stack of frames, for a test to attach memviz and gdb to the same
 * stop.  SIGUSR1 closes the pipe: the workers return and the demo ends
 * as usual.  Without "wait" nothing changes.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "truth.h"

#define MAX_THREADS 16

static pthread_barrier_t start_line;
static pthread_barrier_t own_line;        /* every worker has its block */
static int nthreads = 4;
static int own_blocks;                    /* `threads K N`: a block each */
static void *own_block[MAX_THREADS];
static long per_thread = 1000;
static long regs_bad;                     /* pairs that lost a register */
static int wait_mode;                     /* "wait": block in dive() */
static int wait_pipe[2] = { -1, -1 };
static pid_t worker_tid[MAX_THREADS];

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

/* SIGUSR1 in wait mode: EOF for every reader of the pipe. */
static void on_usr1(int sig)
{
	(void)sig;
	close(wait_pipe[1]);
}

/* Wait mode when asked ("wait" after K, or after K N).  A constructor,
 * which glibc calls with main's argc and argv, so main is the same code
 * without it. */
__attribute__((constructor)) static void wait_setup(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	if (argc < 3 || argc > 4 || strcmp(argv[argc - 1], "wait") != 0 ||
	    pipe(wait_pipe) != 0)
		return;
	sigaction(SIGUSR1, &sa, NULL);
	wait_mode = 1;
}

/* Recurse n levels (a frame each, with a local to look at), then block
 * in read() until the pipe is closed. */
static __attribute__((noinline)) long dive(int n, int who)
{
	volatile long mark = who * 100L + n;
	char c;

	if (n > 0)
		return dive(n - 1, who) + mark;
	while (read(wait_pipe[0], &c, 1) > 0)
		;
	return mark;
}

/* Is thread tid asleep in read(2)?  (/proc/self/task/TID/syscall starts
 * with the syscall number while the thread is blocked in one.)  open and
 * read, not stdio: no malloc behind the demo's back. */
static int asleep_in_read(pid_t tid)
{
	char path[64], buf[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
	}
	return n >= 2 && buf[0] == '0' && buf[1] == ' ';
}

/* Main in wait mode: once every worker sleeps in read(), say "ready". */
static void wait_ready(void)
{
	for (int i = 0; i < nthreads; i++)
		while (!__atomic_load_n(&worker_tid[i], __ATOMIC_ACQUIRE) ||
		       !asleep_in_read(worker_tid[i]))
			usleep(1000);
	printf("ready\n");
}

/* K malloc+free pairs of varying small sizes (with `threads K N`, around
 * a block of the thread's own); returns a checksum. */
static void *worker(void *arg)
{
	unsigned long sum = (unsigned long)(uintptr_t)arg;
	int who = (int)(uintptr_t)arg;
	long i;

	pthread_barrier_wait(&start_line);
	if (own_blocks) {
		/* this thread's first malloc: glibc gives it an arena */
		own_block[who] = malloc(64);
		if (!own_block[who])
			abort();
		memset(own_block[who], who, 64);
		pthread_barrier_wait(&own_line);
	}
	for (i = 0; i < per_thread; i++) {
		unsigned long bad = heap_pair(16 + (size_t)(i % 8) * 16);

		if (bad & 0x100)
			abort();
		if (bad)
			__atomic_add_fetch(&regs_bad, 1, __ATOMIC_RELAXED);
		sum += (unsigned char)i;
	}
	if (own_blocks)
		free(own_block[who]);
	if (wait_mode) {
		__atomic_store_n(&worker_tid[who], (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
		dive(who + 2, who);
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
	if (argc > 2 && strcmp(argv[2], "wait") != 0) {
		nthreads = atoi(argv[2]);
		if (nthreads < 1 || nthreads > MAX_THREADS)
			nthreads = 4;
		own_blocks = 1;
	}
	tids = malloc(nthreads * sizeof *tids);
	if (!tids)
		return 1;
	printf("malloc %zu -> 0x%lx\n", nthreads * sizeof *tids, P(tids));
	pthread_barrier_init(&start_line, NULL, nthreads);
	pthread_barrier_init(&own_line, NULL, nthreads);
	for (i = 0; i < nthreads; i++) {
		err = pthread_create(&tids[i], NULL, worker, (void *)(uintptr_t)i);
		if (err) {
			fprintf(stderr, "threads: pthread_create failed (%d)\n", err);
			return 1;
		}
	}
	if (wait_mode)
		wait_ready();
	for (i = 0; i < nthreads; i++) {
		void *ret;

		pthread_join(tids[i], &ret);
		sum += (unsigned long)(uintptr_t)ret;
	}
	pthread_barrier_destroy(&start_line);
	pthread_barrier_destroy(&own_line);
	printf("free 0x%lx\n", P(tids));
	free(tids);
	for (i = 0; own_blocks && i < nthreads; i++)
		printf("thread %d block 0x%lx\n", i, P(own_block[i]));
	printf("threads %d\n", nthreads);
	printf("per_thread %ld\n", per_thread);
	printf("total mallocs %ld\n", nthreads * (per_thread + own_blocks) + 1);
	printf("total frees %ld\n", nthreads * (per_thread + own_blocks) + 1);
	printf("checksum %lu\n", sum);
	printf("regs_bad %ld\n", regs_bad);
	return 0;
}
