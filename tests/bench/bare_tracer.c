/*
 * bare_tracer.c - the floor memviz's heap events are measured against in
 * `make bench`: the least a ptrace tracer can do to see every malloc and
 * free with its return value.  One stop at each call's entry (int3, the
 * first instruction emulated with memviz's emu.c, the return address
 * swapped for a trampoline) and one at its return; nothing recorded,
 * nothing printed but the count.  Not part of memviz.
 *
 *   bare_tracer PROGRAM [ARGS...]   prints "calls N" on stderr at the end
 */
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elfinfo.h"
#include "emu.h"
#include "procfs.h"
#include "space.h"

struct trap {
	uint64_t addr;
	uint8_t code[16];
};

static pid_t pid;

static int rd(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)addr, len };
	(void)ctx;
	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

static int wr(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct iovec l = { (void *)buf, len }, r = { (void *)addr, len };
	(void)ctx;
	return process_vm_writev(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* Put an int3 at addr, keeping the code it hides. */
static void plant(struct trap *t, uint64_t addr)
{
	long w;

	t->addr = addr;
	for (int i = 0; i < 2; i++) {
		w = ptrace(PTRACE_PEEKDATA, pid, addr + 8 * i, 0);
		memcpy(t->code + 8 * i, &w, 8);
	}
	w = ptrace(PTRACE_PEEKDATA, pid, addr, 0);
	w = (w & ~0xffL) | 0xcc;
	ptrace(PTRACE_POKEDATA, pid, addr, w);
}

/* Run until the int3 at addr, then put the byte back and rewind. */
static void run_to(uint64_t addr)
{
	struct trap t;
	struct user_regs_struct r;
	int st;
	long w;

	plant(&t, addr);
	ptrace(PTRACE_CONT, pid, 0, 0);
	waitpid(pid, &st, 0);
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	r.rip = addr;
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	w = ptrace(PTRACE_PEEKDATA, pid, addr, 0);
	w = (w & ~0xffL) | t.code[0];
	ptrace(PTRACE_POKEDATA, pid, addr, w);
}

int main(int argc, char **argv)
{
	struct space sp;
	struct trap traps[2], tramp;
	struct emu_mem mem = { NULL, rd, wr };
	uint64_t entry, saved_ret = 0, calls = 0;
	int st;

	if (argc < 2)
		return 2;
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	procfs_auxv(pid, AT_ENTRY, &entry);
	run_to(entry);
	space_init(&sp);
	space_read(&sp, pid, NULL);
	plant(&traps[0], elfinfo_resolve(&sp.elf, "malloc"));
	plant(&traps[1], elfinfo_resolve(&sp.elf, "free"));
	/* The trampoline goes in at the first call: the thread is at the
	 * entry point now and would trap on it at once. */
	tramp.addr = 0;
	for (;;) {
		struct user_regs_struct r;
		ptrace(PTRACE_CONT, pid, 0, 0);
		if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
			break;
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		if (r.rip - 1 == entry) {                 /* a return */
			r.rip = saved_ret;
			calls++;
		} else {                                  /* an entry */
			const struct trap *t = r.rip - 1 == traps[0].addr ? &traps[0] : &traps[1];
			r.rip = t->addr;
			if (!tramp.addr)
				plant(&tramp, entry);
			rd(NULL, r.rsp, &saved_ret, 8);
			wr(NULL, r.rsp, &entry, 8);
			emu_step(t->code, sizeof(t->code), &r, &mem);
		}
		ptrace(PTRACE_SETREGS, pid, 0, &r);
	}
	fprintf(stderr, "calls %llu\n", (unsigned long long)calls);
	space_free(&sp);
	return 0;
}
