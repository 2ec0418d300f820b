/*
 * stack_frames.c - stack frames to look at: main -> outer -> middle ->
 * many_args (eight arguments, so the 7th and 8th are passed on the stack)
 * -> recurse (depth from argv[1], default 10).  At the bottom of the
 * recursion it mallocs and frees one block, so a heap stop there shows the
 * whole chain of frames.  Then two textbook recursions from main:
 * factorial(6), one frame per level pushed and popped in a line, and
 * fibonacci(6), whose double recursion pushes and pops frames like a walk
 * over a tree (25 calls, never more than 6 of its frames at once).
 *
 * Prints "local FN NAME ADDR" for locals and arguments (recurse's as
 * "recurse[DEPTH]", factorial's as "factorial[N]"), the heap calls
 * (truth.h), "factorial 6 = 720", "fibonacci 6 = 8 calls 25 deepest 6",
 * and last "result N" (outer's result); exits 0.
 *
 * `stack_frames DEPTH wait`: the same, but at the bottom of the recursion,
 * with the block still allocated, it prints "ready" and blocks in read()
 * on a pipe of its own (a frame inside libc, with arguments), so a test
 * can attach memviz and then gdb to the very same stop.  SIGUSR1 lets it
 * go on (free, unwind, "result N", exit 0); anything else may kill it.
 * Without "wait" the output is what it always was.
 * Also built as stack_frames_O2 (-O2 -fomit-frame-pointer) for the
 * unwinder: noinline and volatile keep every frame and local there.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "truth.h"

#ifdef __clang__
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE __attribute__((noinline, noclone))  /* no .constprop clones */
#endif

static int wait_mode;                     /* "wait": block at the bottom */
static volatile sig_atomic_t go_on;

static void on_usr1(int sig)
{
	(void)sig;
	go_on = 1;
}

/* Wait mode when asked ("wait" after the depth).  A constructor, which
 * glibc calls with main's argc and argv, so main's code and frame (and
 * every address the demo prints, at -O2 too) stay what they were. */
__attribute__((constructor)) static void wait_setup(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	if (argc < 3 || strcmp(argv[2], "wait") != 0)
		return;
	sigaction(SIGUSR1, &sa, NULL);
	wait_mode = 1;
}

/* Print "ready" and block in read() on a pipe nobody writes to, until
 * SIGUSR1 (installed without SA_RESTART, so read returns EINTR).  A
 * ptrace stop does not end the read: the kernel restarts it. */
static NOINLINE void wait_here(void)
{
	int fds[2];
	char c;

	if (pipe(fds) != 0)
		return;
	printf("ready\n");
	while (!go_on && read(fds[0], &c, 1) != 0)
		;
	close(fds[0]);
	close(fds[1]);
}

/* Recurse n levels; each level keeps a local whose address it prints, and
 * uses it after the call so the recursion cannot become a loop. */
static NOINLINE long recurse(int n)
{
	volatile long here = n * 3L;
	long below;

	printf("local recurse[%d] here 0x%lx\n", n, P(&here));
	if (n <= 0) {
		char *p = malloc(16);

		printf("malloc 16 -> 0x%lx\n", P(p));
		if (p) {
			memset(p, n, 16);
			here += p[0];
		}
		if (wait_mode)
			wait_here();
		printf("free 0x%lx\n", P(p));
		free(p);
		return here;
	}
	below = recurse(n - 1);
	return below + here;
}

/* Eight arguments: a..f in registers, g and h on the caller's stack. */
static NOINLINE long many_args(long a, long b, long c, long d, long e, long f,
			       long g, long h, int depth)
{
	volatile long sum = a + b + c + d + e + f + g + h;

	printf("local many_args sum 0x%lx\n", P(&sum));
	printf("local many_args g 0x%lx\n", P(&g));
	printf("local many_args h 0x%lx\n", P(&h));
	return sum + recurse(depth);
}

/* A frame with an array and a pointer into it. */
static NOINLINE long middle(int x, int depth)
{
	volatile int arr[4] = { x, x + 1, x + 2, x + 3 };
	volatile int *mid = &arr[2];

	printf("local middle arr 0x%lx\n", P(arr));
	printf("local middle mid 0x%lx\n", P(&mid));
	return many_args(arr[0], arr[1], *mid, arr[3], 5, 6, 7, 8, depth);
}

/* The first frame below main. */
static NOINLINE long outer(int depth)
{
	volatile char name[16] = "outer";

	printf("local outer name 0x%lx\n", P(name));
	return middle(name[0], depth) + name[1];
}

/* n! the textbook way: each level waits in its own frame (with its own n
 * and product) for the level below to return. */
static NOINLINE long factorial(int n)
{
	volatile long below = 1;

	printf("local factorial[%d] n 0x%lx\n", n, P(&n));
	if (n > 1)
		below = factorial(n - 1);
	return n * below;
}

static int fib_calls, fib_depth, fib_deepest;

/* fib(n) by the naive double recursion: fib(n - 1) is pushed and popped
 * whole before fib(n - 2) reuses the same stack.  Counts the calls and
 * the deepest nesting. */
static NOINLINE long fibonacci(int n)
{
	volatile long left, right;

	fib_calls++;
	if (++fib_depth > fib_deepest)
		fib_deepest = fib_depth;
	left = n < 2 ? n : fibonacci(n - 1);
	right = n < 2 ? 0 : fibonacci(n - 2);
	fib_depth--;
	return left + right;
}

int main(int argc, char **argv)
{
	int depth = argc > 1 ? atoi(argv[1]) : 10;
	volatile long result;

	truth_init();
	if (depth < 0 || depth > 100000)
		depth = 10;
	printf("local main result 0x%lx\n", P(&result));
	result = outer(depth);
	printf("factorial 6 = %ld\n", factorial(6));
	printf("fibonacci 6 = %ld", fibonacci(6));
	printf(" calls %d deepest %d\n", fib_calls, fib_deepest);
	printf("result %ld\n", result);
	return 0;
}
