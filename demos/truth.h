/*
 * truth.h - how a demo prints its own truth, so a test can diff it with
 * memviz's JSON (STYLE.md #9, as strace's tests do).
 *
 * One fact per line on stdout, fields separated by one space, pointers as
 * 0x-prefixed lowercase hex (NULL = 0x0), sizes in decimal:
 *
 *   malloc SIZE -> PTR
 *   calloc NMEMB SIZE -> PTR
 *   realloc OLDPTR SIZE -> PTR
 *   memalign ALIGN SIZE -> PTR        (also aligned_alloc, posix_memalign)
 *   free PTR                          (printed just before the call)
 *   local FN NAME ADDR                a stack variable or argument
 *   global NAME ADDR SECTION          SECTION = data | bss | rodata | text
 *   ptr NAME VALUE                    a pointer variable's value (demos/dangling)
 *   # ...                             narration, for people; tests ignore it
 *
 * A line may carry a leading tag ("parent ", "child ") when two processes
 * share the output.  stdout is line-buffered into a static buffer, so stdio
 * itself never calls malloc: every heap call after main starts is printed.
 */
#ifndef DEMOS_TRUTH_H
#define DEMOS_TRUTH_H

#include <stdint.h>
#include <stdio.h>

/* A pointer as the number printed after "0x". */
#define P(p) ((unsigned long)(uintptr_t)(p))

/* Line-buffer stdout into a static buffer: each line is out at once, and
 * the first printf does not malloc a buffer behind the demo's back. */
static inline void truth_init(void)
{
	static char buf[4096];

	setvbuf(stdout, buf, _IOLBF, sizeof buf);
}

#endif
