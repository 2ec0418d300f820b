/*
 * brk_mmap.c - where malloc gets its memory: the heap grows with brk, a
 * big block gets a mapping of its own with mmap and gives it back with
 * munmap.
 *
 *   1. the program break (the end of the heap) before any malloc
 *   2. the first malloc makes the heap: brk moves up by 132 KiB at once
 *   3. 64 KiB blocks: two fit in what is there, the third moves brk again
 *   4. a 1 MiB block, above the mmap threshold (128 KiB): a mapping of its
 *      own, far from the heap; brk does not move
 *   5. free it: munmap, the mapping is gone
 *   6. glibc has raised its threshold to that size (mallopt(3)), so the
 *      same 1 MiB request now comes from the heap: brk grows by 1 MiB
 *   7. free everything and malloc_trim(0): the top chunk goes back to the
 *      kernel, brk moves down
 *
 * Prints the heap calls (truth.h) and, after each, "brk ADDR moved DELTA"
 * (the break from sbrk(0), DELTA in bytes since the previous line), and
 * "chunk ADDR size N mmapped" from the big block's chunk header (glibc's
 * own mmap: the header, then the block, rounded up to pages), "mapping
 * START END" for its line of /proc/self/maps (read with open and read:
 * stdio would malloc; the kernel may have merged the mapping with an
 * anonymous neighbour), and "mapping none" once it is gone.  Exits 0.
 */
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "truth.h"

#define KiB 1024

/* Print the program break and how far it moved since the last call. */
static void show_brk(void)
{
	static unsigned long last;
	unsigned long now = P(sbrk(0));

	printf("brk 0x%lx moved %ld\n", now, last ? (long)(now - last) : 0L);
	last = now;
}

/* malloc, print, touch the first page (so the block is really used). */
static void *get(size_t n)
{
	char *p = malloc(n);

	printf("malloc %zu -> 0x%lx\n", n, P(p));
	if (!p)
		exit(1);
	memset(p, 1, n < 4096 ? n : 4096);
	return p;
}

/* print and free. */
static void put(void *p)
{
	printf("free 0x%lx\n", P(p));
	free(p);
}

/* Print the chunk header of a block glibc got from mmap: the chunk starts
 * 16 bytes before the block; its size field has bit 1 (IS_MMAPPED) set. */
static void show_chunk(const void *block)
{
	const size_t *hdr = (const size_t *)block - 2;
	size_t size = hdr[1];

	printf("chunk 0x%lx size %zu%s\n", P(hdr), size & ~(size_t)7,
	       size & 2 ? " mmapped" : "");
}

/* Print the /proc/self/maps line (its range) that holds addr, or "none". */
static void show_mapping(const void *addr)
{
	static char maps[256 * KiB];
	unsigned long a = P(addr), start, end;
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		exit(1);
	while (len < (ssize_t)sizeof maps - 1 &&
	       (n = read(fd, maps + len, sizeof maps - 1 - len)) > 0)
		len += n;
	close(fd);
	maps[len] = '\0';
	for (char *l = maps; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (sscanf(l, "%lx-%lx", &start, &end) == 2 && start <= a && a < end) {
			printf("mapping 0x%lx 0x%lx\n", start, end);
			return;
		}
	}
	printf("mapping none\n");
}

int main(void)
{
	char *small, *b1, *b2, *b3, *big;

	truth_init();
	printf("# 1. the program break before any malloc: there is no heap yet\n");
	show_brk();

	printf("# 2. the first malloc makes the heap: brk moves up, with room to spare\n");
	small = get(1000);
	show_brk();

	printf("# 3. 64 KiB blocks: two fit in the heap, the third makes brk move again\n");
	b1 = get(64 * KiB);
	show_brk();
	b2 = get(64 * KiB);
	show_brk();
	b3 = get(64 * KiB);
	show_brk();

	printf("# 4. 1 MiB is above the mmap threshold: a mapping of its own, brk stays\n");
	big = get(1024 * KiB);
	show_chunk(big);
	show_mapping(big);
	show_brk();

	printf("# 5. free it: munmap gives the whole mapping back at once\n");
	put(big);
	show_mapping(big);

	printf("# 6. glibc raised its threshold to 1 MiB: the same request now grows the heap\n");
	big = get(1024 * KiB);
	show_brk();

	printf("# 7. free everything and trim: the heap's top goes back, brk moves down\n");
	put(big);
	put(b3);
	put(b2);
	put(b1);
	put(small);
	malloc_trim(0);
	show_brk();
	return 0;
}
