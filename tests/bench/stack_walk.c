/*
 * stack_walk.c - time memviz's stack model on a deep stack, for `make
 * bench`: run `demos/stack_frames DEPTH wait` (DEPTH 1000 by default),
 * which recurses DEPTH levels and blocks in read() at the bottom; seize and
 * interrupt it, read its registers and address space; then time one whole
 * stack picture, unwind_thread + vars_frame of every frame:
 *
 *   cold   the first one, from debuginfo_new(): it includes opening and
 *          loading the DWARF and CFI of the executable and of libc (the
 *          first stop of a session pays this once)
 *   warm   REPEAT more with the same debuginfo (every later stop): best
 *          and median, and the unwind alone (best)
 *
 * Prints one line:
 *   frames N vars N cold_ms X warm_best_ms X warm_median_ms X unwind_best_ms X pid N
 * then detaches.  With -k the demo is left blocked (for tests/bench.sh to
 * time gdb's `bt full` on the same process, then end it with SIGUSR1);
 * otherwise it is sent SIGUSR1 and reaped.  Not part of memviz.
 *
 *   stack_walk [-k] [DEPTH [REPEAT]]
 *
 * The demo's stdout goes to a temporary file, not a pipe: an orphan left
 * by -k must not die of SIGPIPE when it prints its last lines.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../unit/demo_wait.h"
#include "debuginfo.h"
#include "space.h"
#include "unwind.h"
#include "vars.h"
#include "timing.h"

#define MAX_REPEAT 200

static pid_t pid;

static int rd(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };
	(void)ctx;
	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* `demos/stack_frames DEPTH wait`, ready and asleep in read(). */
static int start_demo(const char *depth)
{
	pid = demo_start_waiting(depth, NULL, 0);
	return pid > 0 ? 0 : -1;
}

/* Seize and stop the demo; its registers in *regs. */
static int stop_demo(struct user_regs_struct *regs)
{
	int st;

	if (ptrace(PTRACE_SEIZE, pid, 0, 0) != 0 || ptrace(PTRACE_INTERRUPT, pid, 0, 0) != 0) {
		perror("stack_walk: seize");
		return -1;
	}
	if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st)) {
		fprintf(stderr, "stack_walk: the demo did not stop\n");
		return -1;
	}
	return ptrace(PTRACE_GETREGS, pid, 0, regs);
}

/* One whole picture: unwind, then the variables of every frame.  Returns
 * the variable count; *unwind_ms gets the unwind's share. */
static size_t picture(const struct uw_input *in, const struct user_regs_struct *regs,
		      const struct vars_opts *o, struct uw_stack *st, struct var_list *vl,
		      double *unwind_ms)
{
	double t0 = now_ms();
	size_t nvars = 0;

	unwind_thread(in, regs, st);
	*unwind_ms = now_ms() - t0;
	for (size_t i = 0; i < st->n; i++) {
		nvars += vars_frame(in, st, i, o, vl);
		var_list_clear(vl);
	}
	return nvars;
}

int main(int argc, char **argv)
{
	struct user_regs_struct regs;
	struct mem_reader mem = { NULL, rd };
	struct space sp;
	struct uw_stack st = { 0 };
	struct var_list vl = { 0 };
	double t[MAX_REPEAT], u[MAX_REPEAT], cold, uw;
	const char *depth = "1000";
	int keep = 0, repeat = 20, a = 1;
	size_t nvars;

	if (argc > 1 && strcmp(argv[1], "-k") == 0)
		keep = 1, a++;
	if (argc > a)
		depth = argv[a];
	if (argc > a + 1)
		repeat = atoi(argv[a + 1]);
	if (repeat < 1 || repeat > MAX_REPEAT || atoi(depth) < 1)
		return 2;
	if (start_demo(depth) != 0) {
		fprintf(stderr, "stack_walk: demos/stack_frames %s wait did not get ready\n", depth);
		if (pid > 0)
			kill(pid, SIGKILL);
		return 1;
	}
	if (stop_demo(&regs) != 0) {
		kill(pid, SIGKILL);
		return 1;
	}
	space_init(&sp);
	if (space_read(&sp, pid, NULL) != 0) {
		kill(pid, SIGKILL);
		return 1;
	}

	struct vars_opts o = { .mem = &mem, .elf = &sp.elf, .max_elems = 200, .max_value = 4096 };
	struct uw_input in = { .space = &sp, .mem = &mem };
	double t0 = now_ms();

	in.dbg = debuginfo_new();
	nvars = picture(&in, &regs, &o, &st, &vl, &uw);
	cold = now_ms() - t0;
	for (int i = 0; i < repeat; i++) {
		t0 = now_ms();
		picture(&in, &regs, &o, &st, &vl, &u[i]);
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)repeat, sizeof(t[0]), cmp_double);
	qsort(u, (size_t)repeat, sizeof(u[0]), cmp_double);
	printf("frames %zu vars %zu cold_ms %.2f warm_best_ms %.2f warm_median_ms %.2f "
	       "unwind_best_ms %.2f end %s pid %d\n", st.n, nvars, cold, t[0], t[repeat / 2],
	       u[0], st.end ? st.end : "?", (int)pid);
	fflush(stdout);

	var_list_free(&vl);
	uw_stack_free(&st);
	debuginfo_free(in.dbg);
	space_free(&sp);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	if (!keep) {
		kill(pid, SIGUSR1);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	return 0;
}
