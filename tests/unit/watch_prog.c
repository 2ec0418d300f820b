/*
 * watch_prog.c - the program test_watch traces (built by the test itself,
 * with cc, into a scratch directory).  Each mode first mallocs WP_SIZE
 * bytes, where the test sets its watchpoints (at that malloc's return),
 * then makes accesses whose hits the test knows in advance.  It frees the
 * block at the end: the test clears its watchpoints at that free's entry,
 * as glibc's free writes into the block.  Exits 0 unless said.
 *
 *   len          p[6]=, p[12]=, p[9]=, =p[3] (the test watches 8 bytes at
 *                p and 4 at p+8: hits p, -, p+8, p)
 *   threads      a thread started before the malloc writes p[0], then one
 *                started after it writes p[8]
 *   fork         the child writes p[0] and p[1] (it is not traced: it must
 *                not trap), then the parent writes p[2]; exit 3 if the
 *                child did not end with 0
 *   detach       p[0]=, then five more writes 20 ms apart (the test
 *                detaches meanwhile)
 *   double_free  fills p with 0x5a, frees it twice: glibc aborts
 *   hammer       3 threads write p[0] 1000 times, pause 50 us, again, for
 *                100 ms (the test detaches at some hit: a hit's SIGTRAP
 *                still pending then would kill the program)
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WP_SIZE 40

static volatile char *gp;
static volatile int go;

/* Started before the watch is set: waits for it, then writes p[0]. */
static void *early(void *arg)
{
	(void)arg;
	while (!go)
		usleep(1000);
	gp[0] = 1;
	return NULL;
}

/* Started after the watch is set: writes p[8]. */
static void *late(void *arg)
{
	(void)arg;
	gp[8] = 1;
	return NULL;
}

/* hammer: write p[0] in bursts until main says stop. */
static void *hammer(void *arg)
{
	(void)arg;
	while (!go) {
		for (int i = 0; i < 1000; i++)
			gp[0]++;
		usleep(50);
	}
	return NULL;
}

static int mode_hammer(volatile char *v)
{
	pthread_t t[3];

	gp = v;
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, hammer, NULL) != 0)
			return 2;
	usleep(100000);
	go = 1;
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static int mode_len(volatile char *v)
{
	char c;

	v[6] = 1;
	v[12] = 2;
	v[9] = 3;
	c = v[3];
	(void)c;
	return 0;
}

static int mode_threads(volatile char *v, pthread_t t1)
{
	pthread_t t2;

	gp = v;
	go = 1;
	pthread_join(t1, NULL);
	if (pthread_create(&t2, NULL, late, NULL) != 0)
		return 2;
	pthread_join(t2, NULL);
	return 0;
}

static int mode_fork(volatile char *v)
{
	int st;
	pid_t c = fork();

	if (c == 0) {
		v[0] = 1;
		v[1] = 2;
		_exit(0);
	}
	if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 3;
	v[2] = 3;
	return 0;
}

static int mode_detach(volatile char *v)
{
	v[0] = 1;
	for (int i = 0; i < 5; i++) {
		usleep(20000);
		v[0] = (char)i;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "len";
	pthread_t t1;
	char *p;
	int rc = 0;

	if (strcmp(mode, "threads") == 0 && pthread_create(&t1, NULL, early, NULL) != 0)
		return 2;
	p = malloc(WP_SIZE);
	if (!p)
		return 2;
	if (strcmp(mode, "len") == 0)
		rc = mode_len(p);
	else if (strcmp(mode, "threads") == 0)
		rc = mode_threads(p, t1);
	else if (strcmp(mode, "fork") == 0)
		rc = mode_fork(p);
	else if (strcmp(mode, "detach") == 0)
		rc = mode_detach(p);
	else if (strcmp(mode, "hammer") == 0)
		rc = mode_hammer(p);
	else if (strcmp(mode, "double_free") == 0) {
		char *volatile q = p;      /* hides the bug from the compiler */
		memset(p, 0x5a, WP_SIZE);
		free(q);
		free(q);
	} else
		return 2;
	free(p);
	return rc;
}
