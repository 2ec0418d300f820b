/*
 * demo_wait.h - start `demos/stack_frames DEPTH wait` for a test or a
 * benchmark that looks at a live, sleeping process: its stdout goes to a
 * scratch file, read back line by line until "ready", and then until the
 * demo sleeps in read() (/proc/PID/syscall starts with "0 ").
 * Header-only (static functions): tests/unit and tests/bench include it.
 */
#ifndef MEMVIZ_TEST_DEMO_WAIT_H
#define MEMVIZ_TEST_DEMO_WAIT_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

/* Each line the demo printed before "ready" (a test takes the addresses
 * it reports). */
typedef void (*demo_line_fn)(const char *line);

/* True once pid sleeps in read(). */
static int demo_in_read(pid_t pid)
{
	char buf[256];
	FILE *s;
	int yes = 0;

	snprintf(buf, sizeof buf, "/proc/%d/syscall", (int)pid);
	s = fopen(buf, "r");
	if (s && fgets(buf, sizeof buf, s) && strncmp(buf, "0 ", 2) == 0)
		yes = 1;
	if (s)
		fclose(s);
	return yes;
}

/* Start the demo at DEPTH; wait (30 s at most) until it is ready and
 * asleep.  With tied, the child dies with its parent (a test that aborts
 * leaves nothing behind); the benchmark leaves it for gdb.  Its pid, or
 * -1. */
static pid_t demo_start_waiting(const char *depth, demo_line_fn on_line, int tied)
{
	char path[] = "/tmp/memviz-demo.XXXXXX", *line = NULL;
	size_t cap = 0;
	int fd = mkstemp(path), ready = 0;
	pid_t pid;
	FILE *f;

	if (fd < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (tied)
			prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(fd, 1);
		execl("demos/stack_frames", "stack_frames", depth, "wait", (char *)NULL);
		_exit(127);
	}
	close(fd);
	f = fopen(path, "r");
	unlink(path);
	if (!f)
		return -1;
	for (int i = 0; i < 3000 && ready < 2; i++) {
		clearerr(f);
		while (!ready && getline(&line, &cap, f) > 0) {
			ready = strcmp(line, "ready\n") == 0;
			if (!ready && on_line)
				on_line(line);
		}
		if (ready && demo_in_read(pid))
			ready = 2;
		if (ready < 2)
			usleep(10000);
	}
	free(line);
	fclose(f);
	if (ready < 2) {
		kill(pid, SIGKILL);
		return -1;
	}
	return pid;
}

#endif
