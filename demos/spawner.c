/*
 * spawner.c - a program that starts others: system() (posix_spawn, a vfork
 * child sharing the parent's memory until it execs) and then exec of
 * itself.  Under memviz both must behave as untraced, and the heap calls
 * of the new image after exec are seen too.
 *
 * `spawner` prints "malloc ..." / "free ..." lines (truth.h), "system N"
 * (the shell's status), then execs "spawner after", which prints
 * "after malloc ..." / "after free ..." and exits 0.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "truth.h"

/* The second image: a few heap calls tagged "after". */
static int after_exec(void)
{
	char *p = malloc(48);

	printf("after malloc 48 -> 0x%lx\n", P(p));
	memset(p, 1, 48);
	printf("after free 0x%lx\n", P(p));
	free(p);
	printf("after done\n");
	return 0;
}

int main(int argc, char **argv)
{
	char *p;
	int st;

	truth_init();
	if (argc > 1 && strcmp(argv[1], "after") == 0)
		return after_exec();
	p = malloc(24);
	printf("malloc 24 -> 0x%lx\n", P(p));
	st = system("exit 5");
	printf("system %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	printf("free 0x%lx\n", P(p));
	free(p);
	fflush(stdout);
	execl("/proc/self/exe", argv[0], "after", (char *)NULL);
	perror("spawner: exec");
	return 1;
}
