/*
 * tracer.h - ptrace: launch or attach, breakpoints on the allocator and the
 * libc syscall wrappers, return capture through a return-address trampoline,
 * signals, threads, forks, and a detach that leaves the program as it was.
 *
 * The tracer stops one thread at a time; tracer_next() returns when a stop
 * the session asked for happened, with that thread stopped.  Everything
 * else (signals to re-inject, new threads, forked children) it handles
 * inside.
 */
#ifndef MEMVIZ_TRACER_H
#define MEMVIZ_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/user.h>

#include "event.h"
#include "space.h"

/* One of the program's functions with debug info, at runtime addresses. */
struct src_fn {
	const char *name;
	uint64_t entry;           /* its first instruction */
	uint64_t body;            /* its first line after the prologue (gdb's
				     `break FUNC`); 0: same as entry */
};

/* What the tracer needs from the program's debug info, asked through the
 * session (the tracer itself reads no DWARF).  Addresses are runtime ones
 * in the space given. */
struct tracer_src {
	void *ctx;
	/* the executable's functions with debug info */
	size_t (*functions)(void *ctx, const struct space *sp, const struct src_fn **out);
	/* --break FILE:LINE: where to stop (at most max); *found_line: the
	 * line that has the code */
	size_t (*line_addrs)(void *ctx, const struct space *sp, const char *file, int line,
			     uint64_t *out, size_t max, int *found_line);
	/* Line stepping: > 0, the line, when pc begins a statement to stop at
	 * (*fn_entry: its function); 0 in the program's code but not such a
	 * place (mid-line, a prologue); -1 not the program's code. */
	int (*stmt)(void *ctx, const struct space *sp, uint64_t pc, uint64_t *fn_entry);
};

struct tracer_opts {
	unsigned stop_mask;       /* STOP_* classes to report */
	const char **breaks;      /* --break FUNC or FILE:LINE */
	size_t nbreaks;
	const struct tracer_src *src;   /* NULL: no debug info (no call,
					   return, line or FILE:LINE) */
	bool no_aslr;             /* launch with ADDR_NO_RANDOMIZE */
	const char *tunables;     /* merged into the launched program's
				     GLIBC_TUNABLES (NULL: left alone) */
	bool void_at_entry;       /* report calls that return nothing (free) at
				     entry, with no return stop */
	bool free_entry;          /* also report every free at its entry
				     (ev->at_entry), before the allocator runs:
				     the heap as it was, for the double/invalid
				     free checks glibc's abort would pre-empt.
				     See "free at entry" below. */
	int child_stdout;         /* fd the launched program gets as stdout (-1: ours) */
	const int *child_sigs;    /* signals whose disposition the launched
				     program gets back from child_sigacts */
	const struct sigaction *child_sigacts;
	size_t nchild_sigs;
};

struct tracer;

/* Fork and exec argv[0] (searched in PATH), run it to main (or the entry
 * point when there is no `main` symbol) and arm the breakpoints; the program
 * is then stopped there and the session reports its start.  NULL with *cause. */
struct tracer *tracer_launch(char *const argv[], const struct tracer_opts *o, char **cause);
/* PTRACE_SEIZE every thread of pid, stop them all and arm; same contract. */
struct tracer *tracer_attach(pid_t pid, const struct tracer_opts *o, char **cause);

/* Resume and wait for the next reportable stop.  Returns 1 with *ev filled,
 * 0 when the program has ended (ev is EV_EXIT, already returned before), -1
 * when memviz was told to stop (tracer_request_stop) or on error: the
 * session detaches either way. */
int tracer_next(struct tracer *t, struct event *ev);
/* Stop every thread for a snapshot that no thread changes while it is
 * read (the heap, every thread's registers).  Stops that come meanwhile are
 * kept and handled by the next tracer_next.  0, or -1 if the program ended. */
int tracer_freeze(struct tracer *t);
/* The address space at the current stop, read afresh from /proc (maps,
 * ELF modules, RSS, faults).  NULL if the process is gone. */
const struct space *tracer_space(struct tracer *t);
/* The address space as last read (for symbolizing on the hot path, where
 * re-reading /proc at every stop would cost more than the stop itself). */
const struct space *tracer_space_cached(struct tracer *t);
/* Read len bytes of the tracee at addr (process_vm_readv, PEEKDATA fallback). */
int tracer_read(struct tracer *t, uint64_t addr, void *buf, size_t len);
/* Threads currently traced. */
size_t tracer_threads(struct tracer *t, pid_t *tids, size_t max);
int tracer_regs(struct tracer *t, pid_t tid, struct user_regs_struct *regs);
/* Its x87/SSE registers (xmm0..15 in xmm_space), for frame 0's variables. */
int tracer_fpregs(struct tracer *t, pid_t tid, struct user_fpregs_struct *fp);
/* The return addresses of thread tid the tracer hid behind its trampoline
 * (to report returns): the stack slot and the real address, outermost
 * first.  Returns the count (at most max).  An unwinder reads these
 * instead of the trampoline. */
size_t tracer_hidden_returns(struct tracer *t, pid_t tid, uint64_t *slots, uint64_t *origs,
			     size_t max);
/*
 * Free at entry (tracer_opts.free_entry): every call of a free probe
 * (free; tags_free of demos/lib too: ev->fn says which) is reported at its
 * entry as an EV_FREE with at_entry = true, args[0] = the pointer,
 * call_site = its return address, pc = free's first instruction, before
 * the allocator has run: the heap as it was, a double free seen before
 * glibc aborts on it.  Its return then comes as usual (at_entry false,
 * same args and call_site) if free returns.  With void_at_entry as well,
 * only the entry is reported (at_entry true, no return); void_at_entry
 * alone: at entry, at_entry false, no return (the cheap trace).
 *
 * Hardware watchpoints (x86-64 debug registers DR0-DR3): slot 0..3
 * watches len bytes (1, 2, 4 or 8; addr aligned to len) at addr for reads
 * and writes; tracer_watch on a slot in use moves it.  An access stops the
 * accessing thread with EV_WATCH, reported whatever stop_mask says: tid,
 * watch_slot, watch_addr (the slot's addr), pc after the accessing
 * instruction (after a `ret` that read a hidden return slot, the real
 * return address, not the trampoline).  The SIGTRAP of a hit never
 * reaches the program.  Returns 0, or -1: bad slot, length or alignment,
 * an address the kernel will not watch (that slot is then off), the
 * program gone.
 * Limits:
 *   - 4 slots, 8 bytes at most each, the same set in every thread.  The
 *     registers are per thread: tracer_watch stops every thread (as
 *     tracer_freeze) to set them in each; a thread created later gets the
 *     current set when it appears.  A vfork child, which shares the
 *     memory, gets none; a forked child memviz lets go gets none (DR7 0).
 *     exec clears them all (every slot is off afterwards).
 *   - Seen: the program's own instructions in user space, in any thread.
 *     Not seen: the kernel's accesses for a system call (read() into a
 *     watched buffer), the instruction memviz emulates at a probed
 *     function's entry (malloc's push), memviz's own reads and writes.
 *   - One instruction hitting two slots is reported once, for the lowest.
 *   - A hit that happened before a tracer_watch/tracer_unwatch changed
 *     the slot is still reported, with the address watched then.
 * tracer_detach clears DR7 in every thread (the kernel would keep it), so
 * the program runs on as before; a hit's SIGTRAP still pending then is
 * taken and dropped first.
 */
int tracer_watch(struct tracer *t, int slot, uint64_t addr, int len);
int tracer_unwatch(struct tracer *t, int slot);
/* The return trampoline's address: what every hidden return slot
 * (tracer_hidden_returns) holds, so a slot holding anything else has been
 * overwritten.  0 until the first return has been hooked. */
uint64_t tracer_trampoline(const struct tracer *t);
pid_t tracer_pid(const struct tracer *t);
bool tracer_launched(const struct tracer *t);

/* Remove every breakpoint, restore hijacked return addresses, re-inject
 * pending signals and detach from every thread; the program runs on. */
int tracer_detach(struct tracer *t);
/* After tracer_detach of a launched program, wait for it to end; returns
 * its exit status as memviz's exit code (code, or 128+signal). */
int tracer_wait_end(struct tracer *t);
/* Kill a launched program (q -> kill) and reap it. */
void tracer_kill(struct tracer *t);
void tracer_free(struct tracer *t);

/* Set from memviz's SIGINT/SIGTERM/SIGHUP handler; tracer_next returns -1. */
void tracer_request_stop(void);

#endif
