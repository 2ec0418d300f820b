/*
 * dangling.c - one live frame, hold(), whose locals point at every kind
 * of memory a pointer can reach, two of them dangling:
 *
 *   to_popped      a local of a function that has returned (its frame is
 *                  popped: the address lies below the stack pointer)
 *   to_freed       a heap block already freed
 *   to_heap        a heap block still in use
 *   to_stack       a local of a live frame (hold's own `here`)
 *   to_data        a global in .data (g_data)
 *   to_bss         a global in .bss (g_bss)
 *   to_rodata      a string literal in .rodata (no symbol of its own)
 *   to_rodata_sym  a named constant in .rodata (ro_name)
 *   to_func        a function (target, in .text)
 *   to_mmap        an anonymous mapping of its own (neither heap, stack
 *                  nor a global)
 *   to_null        NULL
 *   to_wild        0x10: nothing is mapped there
 *
 * Prints its heap calls, hold's local and the globals (truth.h), and
 * "ptr NAME VALUE" for each pointer (VALUE as 0x-hex, NULL as 0x0), then
 * "result N"; exits 0.  `dangling wait`: before using them again it
 * prints "ready" and blocks in read() on a pipe of its own, so a test can
 * attach and look; SIGUSR1 lets it go on.
 *
 * to_popped is made 64 calls deep and returned as an integer, so the
 * compiler neither warns nor replaces it with NULL (gcc does that to a
 * returned &local), and so that it lies well below every frame live at
 * the stop (hold -> wait_here -> read).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "truth.h"

#define NOINLINE __attribute__((noinline))

int g_data = 42;                          /* .data */
long g_bss[4];                            /* .bss */
const char ro_name[] = "a named constant, in .rodata";

static volatile sig_atomic_t go_on;

static void on_usr1(int sig)
{
	(void)sig;
	go_on = 1;
}

/* A function for to_func to point at. */
static NOINLINE int target(int x)
{
	return x + 1;
}

/* The address of a local n + 1 frames down, after they have all returned. */
static NOINLINE uintptr_t popped_addr(int n)
{
	volatile int x = n;

	if (n > 0)
		return popped_addr(n - 1) + (uintptr_t)(x - n);
	return (uintptr_t)&x;
}

/* Print "ready" and block in read() on a pipe nobody writes to, until
 * SIGUSR1 (no SA_RESTART: read returns EINTR). */
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

/* The frame that holds them all while the demo waits. */
static NOINLINE int hold(int wait)
{
	volatile int here = 1;
	int *to_popped = (int *)popped_addr(64);
	char *to_freed = malloc(32);
	char *to_heap = malloc(24);
	volatile int *to_stack = &here;
	int *to_data = &g_data;
	long *to_bss = g_bss;
	const char *to_rodata = "a string literal, in .rodata";
	const char *to_rodata_sym = ro_name;
	int (*to_func)(int) = target;
	void *to_mmap = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *to_null = NULL;
	char *to_wild = (char *)0x10;

	printf("malloc 32 -> 0x%lx\n", P(to_freed));
	printf("malloc 24 -> 0x%lx\n", P(to_heap));
	if (!to_freed || !to_heap || to_mmap == MAP_FAILED)
		return 1;
	strcpy(to_heap, "alive");
	printf("local hold here 0x%lx\n", P(&here));
	printf("global g_data 0x%lx data\n", P(&g_data));
	printf("global g_bss 0x%lx bss\n", P(g_bss));
	printf("global ro_name 0x%lx rodata\n", P(ro_name));
	printf("ptr to_popped 0x%lx\n", P(to_popped));
	printf("ptr to_freed 0x%lx\n", P(to_freed));
	printf("ptr to_heap 0x%lx\n", P(to_heap));
	printf("ptr to_stack 0x%lx\n", P(to_stack));
	printf("ptr to_data 0x%lx\n", P(to_data));
	printf("ptr to_bss 0x%lx\n", P(to_bss));
	printf("ptr to_rodata 0x%lx\n", P(to_rodata));
	printf("ptr to_rodata_sym 0x%lx\n", P(to_rodata_sym));
	printf("ptr to_func 0x%lx\n", P(to_func));
	printf("ptr to_mmap 0x%lx\n", P(to_mmap));
	printf("ptr to_null 0x%lx\n", P(to_null));
	printf("ptr to_wild 0x%lx\n", P(to_wild));
	printf("free 0x%lx\n", P(to_freed));
	free(to_freed);
	if (wait)
		wait_here();
	/* use them all after the wait, so none is dead at the stop */
	here += to_func(*to_data) + (int)to_bss[0] + to_rodata[0] + to_rodata_sym[0] +
		(to_popped != NULL) + (to_null == NULL) + (to_wild != NULL) + to_heap[0];
	printf("free 0x%lx\n", P(to_heap));
	free(to_heap);
	munmap(to_mmap, 4096);
	return here;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int wait = argc > 1 && strcmp(argv[1], "wait") == 0;

	truth_init();
	sigaction(SIGUSR1, &sa, NULL);
	printf("result %d\n", hold(wait));
	return 0;
}
