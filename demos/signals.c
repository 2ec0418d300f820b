/*
 * signals.c - signals under a tracer must arrive exactly as untraced, and
 * the exit status must pass through.  Installs a SIGUSR1 handler, sends
 * itself SIGUSR1 five times (raise, kill, and once while blocked then
 * unblocked), ignores one SIGUSR2, and prints "sent 5", "delivered 5".
 * Exits with status 3 (on purpose).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "truth.h"

static volatile sig_atomic_t delivered;

/* Count the delivery; also a heap-free handler (malloc is not safe here). */
static void on_usr1(int sig)
{
	(void)sig;
	delivered++;
}

int main(void)
{
	struct sigaction sa;
	sigset_t block, old;
	int sent = 0;
	char *p;

	truth_init();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);

	p = malloc(40);
	printf("malloc 40 -> 0x%lx\n", P(p));
	raise(SIGUSR1), sent++;
	raise(SIGUSR1), sent++;
	kill(getpid(), SIGUSR1), sent++;
	raise(SIGUSR2);

	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1), sent++;
	printf("pending-while-blocked %d\n", (int)delivered);
	sigprocmask(SIG_SETMASK, &old, NULL);

	printf("free 0x%lx\n", P(p));
	free(p);
	raise(SIGUSR1), sent++;
	printf("sent %d\n", sent);
	printf("delivered %d\n", (int)delivered);
	return 3;
}
