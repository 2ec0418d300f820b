/*
 * forker.c - a program that forks while its heap calls carry memviz's
 * breakpoints: the child inherits them, so the tracer must clean them (or
 * trace the child) or the child dies of SIGTRAP.
 *
 * Lines are tagged with who prints them (truth.h):
 *   parent pid PID / child pid PID
 *   parent malloc ... / child malloc ... / child realloc ... / child free ...
 *   child ok                       the child's heap calls all worked
 *   parent child status N          the child's exit code (or "signal N")
 * Exits 0 when the child exited 0, 1 otherwise.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "truth.h"

/* malloc n bytes, fill them, print the tagged line. */
static char *get(const char *who, size_t n)
{
	char *p = malloc(n);

	printf("%s malloc %zu -> 0x%lx\n", who, n, P(p));
	if (p)
		memset(p, 'x', n);
	return p;
}

/* print the tagged line, free p. */
static void put(const char *who, char *p)
{
	printf("%s free 0x%lx\n", who, P(p));
	free(p);
}

/* The child: a few heap calls of its own, then exit 0. */
static void child(void)
{
	char *a, *b, *c;
	unsigned long old;

	printf("child pid %d\n", (int)getpid());
	a = get("child", 32);
	b = get("child", 300);
	put("child", a);
	c = get("child", 32);
	old = P(b);
	b = realloc(b, 600);
	printf("child realloc 0x%lx 600 -> 0x%lx\n", old, P(b));
	put("child", c);
	put("child", b);
	printf("child ok\n");
	exit(0);
}

int main(void)
{
	char *kept, *later;
	pid_t pid;
	int status;

	truth_init();
	printf("parent pid %d\n", (int)getpid());
	kept = get("parent", 64);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		child();
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	if (WIFEXITED(status))
		printf("parent child status %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("parent child signal %d\n", WTERMSIG(status));
	later = get("parent", 128);
	put("parent", later);
	put("parent", kept);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
