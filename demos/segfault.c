/*
 * segfault.c - dies of SIGSEGV, for the `signal` event and memviz's exit
 * status (128 + 11).  `segfault [MODE]`:
 *   null     (default) read address 0x10, near NULL
 *   munmap   read a page that was mapped, touched and unmapped
 *   rodata   write into a string constant (.rodata is read-only)
 * Prints "malloc ..." for one heap block (so a heap stop comes first), then
 * "fault ADDR MODE" with the address it is about to touch, then touches it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "truth.h"

static const char constant[] = "read-only";

/* The address to fault on for mode, or 0 for an unknown mode. */
static uintptr_t bad_address(const char *mode)
{
	if (strcmp(mode, "null") == 0)
		return 0x10;
	if (strcmp(mode, "rodata") == 0)
		return (uintptr_t)constant;
	if (strcmp(mode, "munmap") == 0) {
		long pg = sysconf(_SC_PAGESIZE);
		char *m = mmap(NULL, (size_t)pg, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			return 0;
		m[0] = 1;
		munmap(m, (size_t)pg);
		return (uintptr_t)m + 8;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "null";
	char *block = malloc(16);
	uintptr_t addr;

	truth_init();
	printf("malloc 16 -> 0x%lx\n", P(block));
	addr = bad_address(mode);
	if (!addr) {
		fprintf(stderr, "segfault: unknown mode %s (null, munmap, rodata)\n", mode);
		return 2;
	}
	printf("fault 0x%lx %s\n", (unsigned long)addr, mode);
	if (strcmp(mode, "rodata") == 0)
		*(volatile char *)addr = 'X';
	else
		(void)*(volatile int *)addr;
	printf("survived\n");
	return 1;
}
