/*
 * sleeper.c - a long-running target for `memviz -p PID`.  `sleeper [SECS]`
 * prints "pid PID", then every ~10 ms mallocs and frees one block and
 * prints "tick N", for SECS seconds (default 30); then "done N" and exit 0.
 * Under attach and detach it must go on ticking and end normally.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "truth.h"

/* Seconds on the monotonic clock. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep ms milliseconds, going on after signals (a tracer's stops). */
static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 30;
	double end = now() + secs;
	unsigned long n = 0;

	truth_init();
	printf("pid %d\n", (int)getpid());
	while (now() < end) {
		char *p = malloc(64 + n % 256);

		if (!p)
			return 1;
		memset(p, (int)n, 64);
		free(p);
		printf("tick %lu\n", ++n);
		nap(10);
	}
	printf("done %lu\n", n);
	return 0;
}
