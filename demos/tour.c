/*
 * tour.c - the guided tour: a short story that touches every part of a
 * process's address space, one step at a time.
 *
 *   globals      .data (initialised), .bss (zeroed), a string in .rodata
 *   stack        main -> plan_trip -> pack_bag -> count_items, each with locals
 *   heap         malloc a few sizes, free one, malloc again (tcache reuse),
 *                free a big chunk and malloc a smaller one (split), realloc,
 *                calloc
 *   mmap         one malloc above the mmap threshold (128 KiB)
 *   two bugs     a leak (a block whose only pointer is lost) and a
 *                dangling pointer (a function returns its local's
 *                address); neither crashes
 *
 * It prints every address it learns (format in truth.h), a "# N. ..."
 * line to open each chapter, and for each bug the line memviz's detector
 * should match (as demos/bugs does):
 *
 *   bug KIND addr 0xHEX line N fn FUNCTION
 *
 * and exits 0.
 */
#include <stdlib.h>
#include <string.h>

#include "truth.h"

int visitors = 42;                       /* .data */
static char guestbook[256];              /* .bss */
static const char motto[] = "memory is a long array of bytes";  /* .rodata */

/* A bug's truth line, for a statement on the line before the macro. */
#define BUG_PREV(kind, addr) \
	printf("bug %s addr 0x%lx line %d fn %s\n", kind, P(addr), __LINE__ - 1, __func__)

/* The deepest call: its locals sit lowest on the stack. */
static int count_items(const char *bag, int limit)
{
	int count = 0;

	printf("local count_items count 0x%lx\n", P(&count));
	printf("local count_items limit 0x%lx\n", P(&limit));
	for (const char *c = bag; *c && count < limit; c++)
		count += (*c == ',');
	return count + 1;
}

/* A frame with an array on the stack. */
static int pack_bag(int days)
{
	char bag[32];

	printf("local pack_bag bag 0x%lx\n", P(bag));
	strcpy(bag, days > 3 ? "map,torch,rope,bread" : "map,bread");
	return count_items(bag, days * 2);
}

/* The first call below main. */
static int plan_trip(int days)
{
	long budget = 100L * days;

	printf("local plan_trip budget 0x%lx\n", P(&budget));
	return pack_bag(days) + (int)(budget / 1000);
}

/* A souvenir bought and forgotten: its pointer dies with this frame and
 * nothing frees the block (the tour's leak). */
static void buy_souvenir(void)
{
	char *souvenir = malloc(48);
	BUG_PREV("leak", souvenir);

	printf("malloc 48 -> 0x%lx\n", P(souvenir));
	if (souvenir)
		strcpy(souvenir, "a postcard");
}

/* Returns where its local was: dead once it returns (through a volatile,
 * or gcc would return NULL, knowing the bug). */
static int *ticket_number(void)
{
	int ticket = 7;
	int *volatile where = &ticket;

	return where;
}

int main(void)
{
	int items;
	char *a, *b, *c, *d, *e, *guard, *big;
	int *zeros;
	unsigned long old;
	int *ticket = NULL;

	truth_init();
	printf("# 1. globals: initialised data, zeroed bss, a constant string\n");
	printf("global visitors 0x%lx data\n", P(&visitors));
	printf("global guestbook 0x%lx bss\n", P(guestbook));
	printf("global motto 0x%lx rodata\n", P(motto));
	printf("global main 0x%lx text\n", P(&main));

	printf("# 2. the stack: three calls deep, each frame below its caller\n");
	printf("local main items 0x%lx\n", P(&items));
	items = plan_trip(5);
	printf("# items %d\n", items);

	printf("# 3. the heap: blocks of different sizes; the last 24 keeps the 2000 off the top chunk\n");
	a = malloc(24);
	printf("malloc 24 -> 0x%lx\n", P(a));
	b = malloc(500);
	printf("malloc 500 -> 0x%lx\n", P(b));
	c = malloc(2000);
	printf("malloc 2000 -> 0x%lx\n", P(c));
	guard = malloc(24);
	printf("malloc 24 -> 0x%lx\n", P(guard));
	strcpy(a, "hello");
	visitors++;
	guestbook[0] = a[0];

	printf("# 4. free a small block and ask again: the same block comes back\n");
	printf("free 0x%lx\n", P(b));
	free(b);
	b = malloc(500);
	printf("malloc 500 -> 0x%lx\n", P(b));

	printf("# 5. free a big block, ask for less: it is split in two\n");
	printf("free 0x%lx\n", P(c));
	free(c);
	d = malloc(100);
	printf("malloc 100 -> 0x%lx\n", P(d));
	e = malloc(100);
	printf("malloc 100 -> 0x%lx\n", P(e));

	printf("# 6. realloc grows a block (maybe moving it), calloc zeroes one\n");
	old = P(d);
	d = realloc(d, 300);
	printf("realloc 0x%lx 300 -> 0x%lx\n", old, P(d));
	zeros = calloc(10, sizeof *zeros);
	printf("calloc 10 %zu -> 0x%lx\n", sizeof *zeros, P(zeros));

	printf("# 7. a big block: malloc asks the kernel with mmap\n");
	big = malloc(200 * 1024);
	printf("malloc %d -> 0x%lx\n", 200 * 1024, P(big));
	memset(big, 1, 4096);
	printf("free 0x%lx\n", P(big));
	free(big);

	printf("# 8. give everything back\n");
	printf("free 0x%lx\n", P(zeros));
	free(zeros);
	printf("free 0x%lx\n", P(e));
	free(e);
	printf("free 0x%lx\n", P(d));
	free(d);
	printf("free 0x%lx\n", P(b));
	free(b);
	printf("free 0x%lx\n", P(guard));
	free(guard);
	printf("free 0x%lx\n", P(a));
	free(a);

	printf("# 9. a bug: a block nobody frees, its only pointer lost (a leak)\n");
	buy_souvenir();

	printf("# 10. a bug: a function returns its local's address; that frame is gone\n");
	ticket = ticket_number();
	BUG_PREV("dangling_stack_pointer", ticket);
	printf("ptr ticket 0x%lx\n", P(ticket));
	printf("# the end: %d visitors, %s\n", visitors, motto);
	return 0;
}
