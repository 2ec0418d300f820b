/*
 * fit_strategies.c - the same requests under first, next and best fit, with
 * immediate or deferred coalescing, on the boundary-tag allocator of
 * demos/lib (the lecture notes' heap, not glibc's).
 *
 *   demos/fit_strategies [first|next|best] [immediate|deferred]
 *                                      (default: first immediate)
 *
 * Four blocks are freed between small "guard" blocks, leaving holes of 224,
 * 64, 128 and 64 bytes (block sizes, tags included) in front of the rest of
 * the heap.  Then a 40-byte request (a 64-byte block) goes
 *   first fit: into the 224-byte hole (the first big enough; it is split),
 *   next fit:  after the last block handed out (the rover), past the holes,
 *   best fit:  into the first 64-byte hole (an exact fit).
 * A 100-byte request (128) follows: first fit takes the rest of the 224 hole,
 * next fit goes on after the rover, best fit takes the 128 hole.  Then the
 * guards are freed: with immediate coalescing the holes merge at once; with
 * deferred coalescing they stay apart until a 500-byte request finds no fit
 * and the allocator sweeps.  A last 3000-byte request grows the heap.
 *
 * Prints truth lines (truth.h) with a "tags " prefix, so they do not mix
 * with glibc's: "tags malloc SIZE -> PTR", "tags free PTR".  glibc's malloc
 * is never called after truth_init.  Exits 0.
 */
#include <string.h>

#include "lib/tags.h"
#include "truth.h"

/* tags_malloc and print; the call site is here. */
static void *get(size_t n)
{
	void *p = tags_malloc(n);

	printf("tags malloc %zu -> 0x%lx\n", n, P(p));
	if (p)
		memset(p, 0xab, n);
	return p;
}

/* print and tags_free. */
static void put(void *p)
{
	printf("tags free 0x%lx\n", P(p));
	tags_free(p);
}

/* The policies from the command line; -1 on a bad word. */
static int parse(int argc, char **argv, enum tags_fit *fit, enum tags_coalesce *co)
{
	static const char *const fits[] = { "first", "next", "best" };
	int f = argc > 1 ? -1 : 0;

	for (int i = 0; i < 3 && argc > 1; i++)
		if (strcmp(argv[1], fits[i]) == 0)
			f = i;
	if (f < 0)
		return -1;
	*fit = (enum tags_fit)f;
	*co = TAGS_IMMEDIATE;
	if (argc > 2 && strcmp(argv[2], "deferred") == 0)
		*co = TAGS_DEFERRED;
	else if (argc > 2 && strcmp(argv[2], "immediate") != 0)
		return -1;
	return 0;
}

/* Holes of 224, 64, 128, 64 bytes between 32-byte guards; the guards out. */
static void make_holes(void **g)
{
	void *a, *b, *c, *d;

	printf("# four blocks between guards\n");
	a = get(200);
	g[0] = get(8);
	b = get(40);
	g[1] = get(8);
	c = get(100);
	g[2] = get(8);
	d = get(40);
	g[3] = get(8);
	printf("# free them: holes of 224, 64, 128 and 64 bytes\n");
	put(a);
	put(b);
	put(c);
	put(d);
}

int main(int argc, char **argv)
{
	static const char *const fitname[] = { "first", "next", "best" };
	enum tags_fit fit;
	enum tags_coalesce co;
	void *g[4], *x, *y, *z, *w;

	truth_init();
	if (parse(argc, argv, &fit, &co) != 0 || tags_init(fit, co) != 0) {
		fprintf(stderr, "usage: fit_strategies [first|next|best] [immediate|deferred]\n");
		return 2;
	}
	printf("# fit %s\n# coalesce %s\n", fitname[fit],
	       co == TAGS_DEFERRED ? "deferred" : "immediate");
	make_holes(g);
	printf("# 40 bytes (a 64-byte block): which hole does %s fit pick?\n", fitname[fit]);
	x = get(40);
	printf("# 100 bytes (a 128-byte block)\n");
	y = get(100);
	printf("# free the blocks and guards: %s\n", co == TAGS_DEFERRED ?
	       "deferred, they stay apart" : "immediate, they merge at once");
	put(x);
	put(y);
	for (int i = 0; i < 3; i++)
		put(g[i]);
	printf("# 500 bytes: fits only in the merged holes%s\n",
	       co == TAGS_DEFERRED ? " (no fit first: one sweep merges them)" : "");
	z = get(500);
	printf("# 3000 bytes: no fit, the heap grows (the epilogue moves)\n");
	w = get(3000);
	put(z);
	put(w);
	put(g[3]);
	printf("# done: %lu sweeps, %lu grows, heap %s\n", (unsigned long)tags_state.sweeps,
	       (unsigned long)tags_state.grows, tags_check() == 0 ? "consistent" : "CORRUPT");
	return 0;
}
