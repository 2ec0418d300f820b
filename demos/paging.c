/*
 * paging.c - demand paging: malloc(8 MiB) gets a mapping of its own at
 * once (mmap, above the 128 KiB threshold), but the kernel gives it
 * physical pages only when each page is first touched.  The demo touches
 * the block a quarter (2 MiB) at a time and after each step prints how
 * much of the region is resident and the process's RSS.
 *
 * The region is the mmap'd chunk: glibc's 16-byte header, then the block,
 * rounded up to pages (8 MiB + 4 KiB).  glibc writes the header into the
 * first page, so 4 KiB are resident before any touch; the block starts 16
 * bytes into that page, so each quarter reaches one page further: 2052,
 * 4100, 6148, 8196 KiB.  Transparent huge pages are turned off for the
 * region (madvise), so pages arrive 4 KiB at a time on every system.
 *
 * Prints the heap calls (truth.h), "region START END" (the chunk's pages),
 * after each step "touched N KiB region_rss R KiB" (R from mincore(2):
 * the region's pages in memory) and "rss KiB" (the whole process, from
 * /proc/self/statm, read with open and read: stdio would malloc).
 * `memviz --break show_rss` stops once per step, with the touch done.
 * Exits 0.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "truth.h"

#define MiB (1024 * 1024)
#define BLOCK (8 * MiB)
#define STEPS 4

static unsigned char *region;             /* the chunk, page-aligned */
static size_t region_len;

/* The process's resident set in KiB: statm's second field, in pages. */
static long process_rss_kib(void)
{
	char buf[128];
	long size = 0, resident = 0;
	ssize_t n;
	int fd = open("/proc/self/statm", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %ld", &size, &resident) != 2)
		return -1;
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* KiB of the region in memory now, page by page (mincore). */
static long region_rss_kib(void)
{
	static unsigned char vec[BLOCK / 4096 + 16];
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = (region_len + page - 1) / page, n = 0;

	if (pages > sizeof vec || mincore(region, region_len, vec) != 0)
		return -1;
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	return (long)n * (page / 1024);
}

/* After a step: what is resident.  Not inlined, so that `--break
 * show_rss` stops here with the step's pages touched. */
static __attribute__((noinline)) void show_rss(size_t touched)
{
	printf("touched %zu KiB region_rss %ld KiB\n", touched / 1024, region_rss_kib());
	printf("rss %ld KiB\n", process_rss_kib());
}

int main(void)
{
	unsigned char *block;
	size_t quarter = BLOCK / STEPS;

	truth_init();
	printf("# 1. malloc 8 MiB: a mapping of its own; in memory only the header's page\n");
	block = malloc(BLOCK);
	printf("malloc %d -> 0x%lx\n", BLOCK, P(block));
	if (!block)
		return 1;
	/* an mmap'd chunk: it starts 16 bytes before the block, at a page
	 * boundary; its size field (bit 1 = mmapped) covers the mapping */
	region = block - 16;
	region_len = ((size_t *)block)[-1] & ~(size_t)7;
	printf("region 0x%lx 0x%lx\n", P(region), P(region + region_len));
	madvise(region, region_len, MADV_NOHUGEPAGE);
	show_rss(0);

	printf("# 2. touch it a quarter at a time: each page arrives at its first write\n");
	for (int i = 0; i < STEPS; i++) {
		memset(block + i * quarter, i + 1, quarter);
		show_rss((i + 1) * quarter);
	}

	printf("# 3. free: munmap, the pages go back to the kernel at once\n");
	printf("free 0x%lx\n", P(block));
	free(block);
	printf("rss %ld KiB\n", process_rss_kib());
	return 0;
}
