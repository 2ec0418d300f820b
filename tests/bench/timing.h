/*
 * timing.h - what the benchmark programs share: a monotonic clock in
 * milliseconds and a comparison for sorting timings (best, median).
 * Header-only (static functions).
 */
#ifndef MEMVIZ_BENCH_TIMING_H
#define MEMVIZ_BENCH_TIMING_H

#include <time.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* qsort order of doubles, smallest first. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

#endif
