/*
 * bugs.c - the lecture's memory bugs, one per subcommand, each in a
 * function of its own: `bugs KIND`.
 *
 *   dangling_return  a function returns the address of its local
 *   pointer_arith    free() of a pointer moved by pointer arithmetic
 *   bad_deref        a write through a NULL table, 120 bytes in
 *   uninit_read      a local read before anything was written to it
 *   use_after_free   a read of a block's first 8 bytes after its free
 *   off_by_one       24 characters and their NUL in a 24-byte block: the
 *                    NUL lands on the next chunk's size field
 *   stack_overflow   strcpy of a long name into a 16-byte local: the
 *                    saved return address is overwritten
 *   leak             a block whose only pointer is dropped
 *   double_free      the same block freed twice
 *
 * Before the buggy statement (for leak and dangling_return: right after
 * the statement that makes the block or receives the pointer) each prints
 * one truth line for memviz's detectors (include/diagnose.h says what
 * addr and line mean for each kind):
 *
 *   bug KIND addr 0xHEX line N fn FUNCTION
 *
 * KIND is the diagnostic it must cause: dangling_stack_pointer,
 * invalid_free, bad_deref, uninit_read, use_after_free, header_overwrite,
 * stack_smash, leak, double_free.  The line is computed from __LINE__, so
 * it stays right when the file is edited.  Heap calls are printed as in
 * truth.h.
 *
 * What happens next, untraced as under memviz: dangling_return,
 * uninit_read, use_after_free and leak exit 0; bad_deref and
 * stack_overflow die of SIGSEGV; pointer_arith and off_by_one (when the
 * damaged block is freed) with "free(): invalid pointer", double_free
 * with "free(): double free detected in tcache 2": glibc's abort, SIGABRT.  No subcommand has a bug besides its
 * own: every other block is freed, every other local written first.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "truth.h"

#define NOINLINE __attribute__((noinline))

/* gcc sees several of these bugs at compile time; here they are the
 * lesson, so its warnings about them are off for this file. */
#pragma GCC diagnostic ignored "-Wuse-after-free"
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

/* The truth line of a bug whose statement is n source lines below (n < 0:
 * above) the line of the macro; keep the macro on one line. */
#define BUG_AHEAD(kind, addr, n) \
	printf("bug %s addr 0x%lx line %d fn %s\n", kind, P(addr), __LINE__ + (n), __func__)
#define BUG_NEXT(kind, addr) BUG_AHEAD(kind, addr, 1)
#define BUG_PREV(kind, addr) BUG_AHEAD(kind, addr, -1)

/* ---- dangling_return ------------------------------------------------- */

/* Returns the address of its own local, dead once it returns.  Through a
 * volatile, or gcc would return NULL instead (it knows the bug). */
static NOINLINE int *new_counter(void)
{
	int counter = 0;
	int *volatile where = &counter;

	return where;
}

/* Another call of the same shape: its local takes the dead one's place. */
static NOINLINE int other_call(void)
{
	int other = 99;
	int *volatile where = &other;

	return *where;
}

static NOINLINE void bug_dangling_return(void)
{
	int *counter = NULL;

	printf("# a function returns the address of its local: the frame is popped at once\n");
	counter = new_counter();
	BUG_PREV("dangling_stack_pointer", counter);
	other_call();
	printf("# the next call of the same shape reuses the slot: *counter is %d\n", *counter);
}

/* ---- pointer_arith --------------------------------------------------- */

static NOINLINE void bug_pointer_arith(void)
{
	int *scores = malloc(4 * sizeof *scores);
	int *second = NULL;

	printf("malloc %zu -> 0x%lx\n", 4 * sizeof *scores, P(scores));
	if (!scores)
		exit(1);
	printf("# scores + 1 is the second int, 4 bytes in: not a block malloc returned\n");
	second = scores + 1;
	printf("free 0x%lx\n", P(second));
	BUG_NEXT("invalid_free", second);
	free(second);
}

/* ---- bad_deref ------------------------------------------------------- */

struct employee {
	char name[24];
	long salary;
};

/* The staff table, which nobody allocated (through a volatile, so the
 * compiler keeps the write below as it is). */
static NOINLINE struct employee *staff_table(void)
{
	struct employee *volatile table = NULL;

	return table;
}

static NOINLINE void bug_bad_deref(void)
{
	struct employee *staff = staff_table();
	uintptr_t fault = 3 * sizeof *staff + offsetof(struct employee, salary);

	printf("# staff[3].salary with staff == NULL: address 3 * 32 + 24, nothing mapped there\n");
	BUG_NEXT("bad_deref", fault);
	staff[3].salary = 1000;
}

/* ---- uninit_read ----------------------------------------------------- */

static volatile int sink;                 /* keeps a result alive */

static NOINLINE void bug_uninit_read(void)
{
	int total;                   /* the bug: never set to 0 */

	printf("# total += 42 reads total first, and nothing ever wrote it\n");
	BUG_NEXT("uninit_read", &total);
	total += 42;
	printf("# total is whatever the stack held, plus 42\n");
	sink = total;
}

/* ---- use_after_free -------------------------------------------------- */

struct account {
	long id;
	long balance;
};

static NOINLINE void bug_use_after_free(void)
{
	struct account *acct = malloc(sizeof *acct);
	volatile long id = 0;

	printf("malloc %zu -> 0x%lx\n", sizeof *acct, P(acct));
	if (!acct)
		exit(1);
	acct->id = 7;
	acct->balance = 100;
	printf("free 0x%lx\n", P(acct));
	free(acct);
	printf("# acct->id after free(acct): the block is glibc's now (its tcache link)\n");
	BUG_NEXT("use_after_free", acct);
	id = acct->id;
	printf("# a read: nothing breaks, the value is just not the id any more\n");
	(void)id;
}

/* ---- off_by_one ------------------------------------------------------ */

static NOINLINE void bug_off_by_one(void)
{
	char *name = malloc(24);
	char *next = malloc(24);
	char *more = NULL;

	printf("malloc 24 -> 0x%lx\n", P(name));
	printf("malloc 24 -> 0x%lx\n", P(next));
	if (!name || !next)
		exit(1);
	printf("# 24 characters and their NUL into 24 bytes: the NUL zeroes the next chunk's size\n");
	/* The next chunk's header is right after name.  The damage is found
	 * at the next heap call, on the line right after the strcpy (so a
	 * stop at that line, before the call, finds it at the same line). */
	BUG_AHEAD("header_overwrite", next - 16, 2);
	strcpy(name, "twenty-four characters!!");
	more = malloc(40);
	printf("malloc 40 -> 0x%lx\n", P(more));
	printf("free 0x%lx\n", P(more));
	free(more);
	printf("free 0x%lx\n", P(name));
	free(name);
	printf("# freeing the damaged block: glibc sees its size and aborts\n");
	printf("free 0x%lx\n", P(next));
	free(next);
}

/* ---- stack_overflow -------------------------------------------------- */

static char typed[64];                    /* the name a visitor typed */

/* Copy the visitor's name into a 16-byte buffer.  The name is made to
 * reach exactly over the saved return address: filler up to it, then six
 * letters on its low six bytes and the NUL on the seventh (the top byte
 * is 0 already), so the function "returns" to 0x544552444142 ("BADRET"),
 * where nothing is mapped: SIGSEGV. */
static NOINLINE void greet(void)
{
	char buf[16];
	char *ret_slot = (char *)__builtin_frame_address(0) + 8;
	size_t reach = (size_t)(ret_slot - buf);

	if (reach + 7 > sizeof typed)
		exit(1);
	memset(typed, 'x', reach);
	memcpy(typed + reach, "BADRET", 7);
	printf("# strcpy of %zu characters into buf[16]: past its end, the saved rbp, onto the return address\n",
	       strlen(typed));
	BUG_NEXT("stack_smash", ret_slot);
	strcpy(buf, typed);
}

static NOINLINE void bug_stack_overflow(void)
{
	greet();
	printf("# not reached: greet returned to its overwritten address\n");
}

/* ---- leak ------------------------------------------------------------ */

static NOINLINE void bug_leak(void)
{
	char *note = malloc(64);
	BUG_PREV("leak", note);

	printf("malloc 64 -> 0x%lx\n", P(note));
	if (!note)
		exit(1);
	snprintf(note, 64, "a note nobody frees");
	printf("# %s: its only pointer is dropped when bug_leak returns\n", note);
}

/* ---- double_free ----------------------------------------------------- */

static NOINLINE void bug_double_free(void)
{
	char *p = malloc(32);

	printf("malloc 32 -> 0x%lx\n", P(p));
	if (!p)
		exit(1);
	strcpy(p, "freed twice");
	printf("free 0x%lx\n", P(p));
	free(p);
	printf("# the same pointer freed again: glibc finds it in its tcache and aborts\n");
	printf("free 0x%lx\n", P(p));
	BUG_NEXT("double_free", p);
	free(p);
}

/* ---- main ------------------------------------------------------------ */

/* Each bug's function is called from main directly (through this table). */
static const struct {
	const char *name;
	void (*run)(void);
} subcommands[] = {
	{ "dangling_return", bug_dangling_return },
	{ "pointer_arith", bug_pointer_arith },
	{ "bad_deref", bug_bad_deref },
	{ "uninit_read", bug_uninit_read },
	{ "use_after_free", bug_use_after_free },
	{ "off_by_one", bug_off_by_one },
	{ "stack_overflow", bug_stack_overflow },
	{ "leak", bug_leak },
	{ "double_free", bug_double_free },
};

int main(int argc, char **argv)
{
	truth_init();
	for (size_t i = 0; argc == 2 && i < sizeof subcommands / sizeof *subcommands; i++) {
		if (strcmp(argv[1], subcommands[i].name) == 0) {
			subcommands[i].run();
			return 0;
		}
	}
	fprintf(stderr, "usage: bugs KIND, KIND one of:");
	for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
		fprintf(stderr, " %s", subcommands[i].name);
	fprintf(stderr, "\n");
	return 2;
}
