/*
 * off_by_one.c - the classic heap bug: a string of 24 characters copied
 * into a 24-byte block.  The terminating NUL lands one byte past the
 * block, on the low byte of the next chunk's size field (glibc keeps the
 * next header right after a 24-byte block), so that chunk's size reads 0.
 *
 * Prints truth lines (demos/truth.h), then "overwrite ADDR" with the
 * address of the chunk header it damaged.  A malloc after the overwrite
 * still succeeds (tcache does not look at that header); the free of the
 * damaged block makes glibc abort ("free(): invalid size"): SIGABRT, as
 * it would without any tool.
 */
#include <stdlib.h>
#include <string.h>

#include "truth.h"

int main(void)
{
	char *a, *b, *c, *d;

	truth_init();
	a = malloc(24);
	printf("malloc 24 -> 0x%lx\n", P(a));
	b = malloc(24);
	printf("malloc 24 -> 0x%lx\n", P(b));
	c = malloc(100);
	printf("malloc 100 -> 0x%lx\n", P(c));
	printf("# copy 24 characters and their NUL into a 24-byte block\n");
	/* gcc sees this bug at compile time; here it is the lesson */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
	strcpy(a, "twenty-four characters!!");
#pragma GCC diagnostic pop
	printf("overwrite 0x%lx\n", P(b) - 16);
	d = malloc(8);
	printf("malloc 8 -> 0x%lx\n", P(d));
	printf("free 0x%lx\n", P(b));
	free(b);               /* glibc notices the bad size and aborts */
	printf("survived\n");
	return 0;
}
