/*
 * tracer.c - ptrace: launch, attach, breakpoints, return capture, signals,
 * threads, forks, exec, and a detach that leaves the program as it was.
 *
 * How a heap call is seen, with one ptrace stop at entry and one at return:
 *
 *   - Each traced function (malloc, free, ..., the libc brk/mmap wrappers,
 *     --break targets) gets an int3 on its first byte.  When a thread traps
 *     there, memviz reads the return address at [rsp], saves it on that
 *     thread's shadow stack and overwrites it with the trampoline address;
 *     then it emulates the instruction the int3 replaced (emu.c) on the
 *     registers it already holds and resumes the thread after it.  No single
 *     step, no removing and re-inserting the int3, so other threads can
 *     never slip through the function unseen.
 *   - The trampoline is one int3 at the program's ELF entry point (_start),
 *     code that never runs again once main is reached (gdb uses the same
 *     place for displaced steps).  The function returns into it, traps, and
 *     memviz takes rax as the return value, pops the shadow stack and sets
 *     rip to the real return address.
 *   - Functions whose first instruction the emulator does not know fall back
 *     to: put the byte back, single-step, re-insert.
 *
 * Threads are stopped one at a time: tracer_next() returns with the thread
 * that made the event stopped and the others running, and resumes it on the
 * next call.  Detach interrupts every thread, waits until each is stopped,
 * rewinds any that sit on a breakpoint or the trampoline, removes every
 * int3, writes every hijacked return address back, and detaches each thread
 * with the signal it was about to receive, so the program runs on exactly
 * as it would have.
 *
 * Watchpoints (tracer_watch) are the debug registers of every thread; a
 * hit is a SIGTRAP with si_code TRAP_HWBKPT, told from our int3s by the
 * trap address and from single steps by si_code (a step that also hit a
 * watchpoint is seen in DR6).  It becomes an EV_WATCH and is never
 * delivered.  A hit that must wait (it came with a single step over a
 * breakpoint) is kept on its thread, which is not resumed until it has
 * been reported.
 *
 * Everything is seized (PTRACE_SEIZE), launched programs too, so new
 * threads start in a PTRACE_EVENT_STOP and group-stops can be told apart
 * (PTRACE_LISTEN keeps a stopped program stopped).  A forked child inherits
 * the int3s: it is cleaned and let go.  A vfork child shares the parent's
 * memory, so it is kept traced (breakpoints emulated silently) until it
 * execs or exits.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elfinfo.h"
#include "emu.h"
#include "tracer.h"
#include "util.h"

#define PTRACE_OPTS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | \
		     PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC)
#define CODE_MAX 16
#define WAIT_SPINS 200            /* ~50 us of polling before a blocking wait */
#define STATUS_EVENT(st) ((unsigned)(st) >> 16)

/* What a breakpoint is for; one address can serve several (a --break on
 * a function whose calls are also probed). */
enum bp_role {
	BP_CALL = 1u << 0,        /* report at return: heap and syscall-wrapper events */
	BP_BREAK = 1u << 1,       /* --break: report here */
	BP_START = 1u << 2,       /* internal: the entry point, then main */
	BP_FN_ENTRY = 1u << 3,    /* entry of a function of the program: note the
				     return address, hook the return for `return` */
	BP_FN_BODY = 1u << 4,     /* its first line after the prologue: `call` */
};

struct bp {
	uint64_t addr;
	uint8_t orig[CODE_MAX];   /* the code bytes the int3 hides */
	size_t emu_len;           /* 0: not emulable, single-step instead */
	unsigned roles;           /* BP_* */
	enum ev_kind kind;        /* BP_CALL: the event at return */
	const char *fn;           /* BP_CALL: the function called */
	int nargs;
	const char *break_loc;    /* BP_BREAK: the --break argument */
	bool break_entry;         /* BP_BREAK at a function's first instruction
				     (no debug info): its caller is at [rsp] */
	const char *src_fn;       /* BP_FN_*: the program's function */
	bool inserted;
};

/* A return the thread owes us: where its return address was and what it was. */
struct ret_frame {
	uint64_t slot, orig_ret;
	const struct bp *bp;      /* NULL: a line step's resume point (see step_into) */
	uint64_t args[EV_MAX_ARGS];
};

/* Source-line stepping of a thread (--stop-on line). */
enum step_state {
	STEP_OFF,
	STEP_ON,                  /* single-stepped, line by line */
	STEP_OUT,                 /* running in code without debug info until its
				     call returns (a ret_frame with bp NULL) */
};

struct thread {
	pid_t tid;
	bool stopped;             /* in a ptrace stop, waiting for us to resume */
	bool listen;              /* group-stopped: resume with PTRACE_LISTEN */
	int resume_sig;           /* signal to deliver when resumed */
	const struct bp *at_bp;   /* reported at a --break or `call`, not yet passed */
	uint64_t entry_ret;       /* return address seen at the last BP_FN_ENTRY */
	enum step_state step;
	int step_line;            /* the line last reported (STEP_ON) */
	uint64_t step_fn;         /* and its function's entry */
	bool step_back;           /* just back from a call: the return address
				     itself may begin the next line */
	bool silent;              /* a vfork child: emulate only, report nothing */
	bool parked;              /* a stop that came during a freeze, not yet
				     handled: parked_status is its wait status */
	int parked_status;
	bool hit;                 /* a watchpoint hit not yet reported: its
				     slot and the address that slot watched */
	int hit_slot;
	uint64_t hit_addr;
	struct ret_frame *rs;
	size_t nrs, caprs;
};

/* A hardware watchpoint (one debug register, the same in every thread). */
struct watch {
	uint64_t addr;
	int len;
	bool on;
};

#define WATCH_SLOTS 4

/* A stop of a task we did not know yet (a new thread or a fork child). */
struct orphan {
	pid_t tid;
	int status;
};

struct tracer {
	pid_t pid;
	bool launched, ended, detached;
	int end_status;           /* wait status of the leader */
	struct tracer_opts opts;
	struct bp *bps;           /* sorted by addr once armed (bps_sorted) */
	size_t nbps, capbps;
	bool bps_sorted;
	uint64_t tramp;           /* trampoline address (AT_ENTRY) */
	uint8_t tramp_orig[CODE_MAX];
	bool tramp_inserted;
	struct thread *th;
	size_t nth, capth;
	struct orphan *orph;
	size_t norph, caporph;
	struct space space;
	bool space_ok;
	bool vm_ok;               /* process_vm_readv works (sticky fallback) */
	pid_t line_tid;           /* the thread --stop-on line steps (the leader) */
	int exec_fail_fd;
	struct watch watch[WATCH_SLOTS];
	unsigned long dr7;        /* the DR7 every thread has (enabled slots) */
	bool watch_used;          /* a watchpoint was ever set: traps may be
				     watch hits, DR7 is cleared at detach */
};

static volatile sig_atomic_t g_stop_requested;
static volatile pid_t g_interrupt_pid;

/* ---- small helpers ---------------------------------------------------- */

void tracer_request_stop(void)
{
	g_stop_requested = 1;
	/* Wake a waitpid() that may already be blocking: a stop of the leader
	 * is an event.  ptrace() is a plain syscall, safe in a handler. */
	if (g_interrupt_pid > 0)
		ptrace(PTRACE_INTERRUPT, g_interrupt_pid, 0, 0);
}

pid_t tracer_pid(const struct tracer *t)
{
	return t->pid;
}

bool tracer_launched(const struct tracer *t)
{
	return t->launched;
}

/* The thread record of tid, or NULL. */
static struct thread *thread_find(struct tracer *t, pid_t tid)
{
	for (size_t i = 0; i < t->nth; i++)
		if (t->th[i].tid == tid)
			return &t->th[i];
	return NULL;
}

/* Add a thread record (stopped, as every new task first is). */
static struct thread *thread_add(struct tracer *t, pid_t tid)
{
	struct thread *th = thread_find(t, tid);

	if (th)
		return th;
	util_grow((void **)&t->th, &t->capth, t->nth + 1, sizeof(*t->th));
	th = &t->th[t->nth++];
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	return th;
}

/* Forget a thread that has exited. */
static void thread_remove(struct tracer *t, pid_t tid)
{
	struct thread *th = thread_find(t, tid);

	if (!th)
		return;
	free(th->rs);
	*th = t->th[--t->nth];
}

size_t tracer_threads(struct tracer *t, pid_t *tids, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nth; i++)
		if (!t->th[i].silent && n < max)
			tids[n++] = t->th[i].tid;
	return n;
}

size_t tracer_hidden_returns(struct tracer *t, pid_t tid, uint64_t *slots, uint64_t *origs,
			     size_t max)
{
	const struct thread *th = thread_find(t, tid);
	size_t n = 0;

	for (size_t i = 0; th && i < th->nrs && n < max; i++, n++) {
		slots[n] = th->rs[i].slot;
		origs[n] = th->rs[i].orig_ret;
		/* two hooks on one slot (a line step's, then malloc's): the
		 * inner one's "original" is the trampoline itself */
		for (size_t k = i; origs[n] == t->tramp && k-- > 0; )
			if (th->rs[k].slot == slots[n])
				origs[n] = th->rs[k].orig_ret;
	}
	return n;
}

int tracer_regs(struct tracer *t, pid_t tid, struct user_regs_struct *regs)
{
	(void)t;
	return ptrace(PTRACE_GETREGS, tid, 0, regs) == 0 ? 0 : -1;
}

int tracer_fpregs(struct tracer *t, pid_t tid, struct user_fpregs_struct *fp)
{
	(void)t;
	return ptrace(PTRACE_GETFPREGS, tid, 0, fp) == 0 ? 0 : -1;
}

/* ---- memory ---------------------------------------------------------- */

/* Read with PEEKDATA, word by word (the slow fallback). */
static int peek_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	uint64_t base = addr & ~7ull;

	for (uint64_t a = base; a < addr + len; a += 8) {
		errno = 0;
		long w = ptrace(PTRACE_PEEKDATA, tid, a, 0);
		if (errno)
			return -1;
		for (unsigned i = 0; i < 8; i++)
			if (a + i >= addr && a + i < addr + len)
				out[a + i - addr] = (uint8_t)((unsigned long)w >> (8 * i));
	}
	return 0;
}

/* Read len bytes of task tid's memory at addr. */
static int mem_read(struct tracer *t, pid_t tid, uint64_t addr, void *buf, size_t len)
{
	if (t->vm_ok) {
		struct iovec l = { buf, len }, r = { (void *)addr, len };
		ssize_t n = process_vm_readv(tid, &l, 1, &r, 1, 0);
		if (n == (ssize_t)len)
			return 0;
		if (n < 0 && (errno == ENOSYS || errno == EPERM))
			t->vm_ok = false;     /* sticky: never ask again */
		else if (n < 0 && errno != EFAULT && errno != EIO)
			return -1;
	}
	return peek_read(tid, addr, buf, len);
}

int tracer_read(struct tracer *t, uint64_t addr, void *buf, size_t len)
{
	return mem_read(t, t->pid, addr, buf, len);
}

/* Write with POKEDATA (works on read-only text: the kernel forces it). */
static int poke_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	uint64_t base = addr & ~7ull;

	for (uint64_t a = base; a < addr + len; a += 8) {
		unsigned long w = 0;
		if (a < addr || a + 8 > addr + len) {
			errno = 0;
			w = (unsigned long)ptrace(PTRACE_PEEKDATA, tid, a, 0);
			if (errno)
				return -1;
		}
		for (unsigned i = 0; i < 8; i++) {
			if (a + i >= addr && a + i < addr + len) {
				w &= ~(0xfful << (8 * i));
				w |= (unsigned long)in[a + i - addr] << (8 * i);
			}
		}
		if (ptrace(PTRACE_POKEDATA, tid, a, (void *)w) != 0)
			return -1;
	}
	return 0;
}

/* Write to writable memory (the stack): process_vm_writev, POKEDATA fallback. */
static int mem_write(struct tracer *t, pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	if (t->vm_ok) {
		struct iovec l = { (void *)buf, len }, r = { (void *)addr, len };
		if (process_vm_writev(tid, &l, 1, &r, 1, 0) == (ssize_t)len)
			return 0;
	}
	return poke_write(tid, addr, buf, len);
}

/* Small writes to a thread's stack gathered into one process_vm_writev:
 * at a breakpoint, the hijacked return address and the emulated push. */
#define WBATCH_MAX 4
struct wbatch {
	size_t n;
	struct {
		uint64_t addr;
		size_t len;
		uint8_t data[8];
	} w[WBATCH_MAX];
};

/* Queue a write of at most 8 bytes; -1 if the batch is full. */
static int wbatch_add(struct wbatch *wb, uint64_t addr, const void *buf, size_t len)
{
	if (wb->n == WBATCH_MAX || len > 8)
		return -1;
	wb->w[wb->n].addr = addr;
	wb->w[wb->n].len = len;
	memcpy(wb->w[wb->n].data, buf, len);
	wb->n++;
	return 0;
}

/* Do the queued writes, in one syscall when process_vm_writev can. */
static int wbatch_flush(struct tracer *t, pid_t tid, struct wbatch *wb)
{
	struct iovec l[WBATCH_MAX], r[WBATCH_MAX];
	size_t total = 0;

	for (size_t i = 0; i < wb->n; i++) {
		l[i] = (struct iovec){ wb->w[i].data, wb->w[i].len };
		r[i] = (struct iovec){ (void *)wb->w[i].addr, wb->w[i].len };
		total += wb->w[i].len;
	}
	if (t->vm_ok && wb->n &&
	    process_vm_writev(tid, l, wb->n, r, wb->n, 0) == (ssize_t)total) {
		wb->n = 0;
		return 0;
	}
	for (size_t i = 0; i < wb->n; i++)
		if (poke_write(tid, wb->w[i].addr, wb->w[i].data, wb->w[i].len) != 0)
			return -1;
	wb->n = 0;
	return 0;
}

/* emu_mem callbacks: reads and (batched) writes of the emulated thread. */
struct emu_ctx {
	struct tracer *t;
	pid_t tid;
	struct wbatch *wb;
};

static int emu_read_cb(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct emu_ctx *c = ctx;
	return mem_read(c->t, c->tid, addr, buf, len);
}

static int emu_write_cb(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct emu_ctx *c = ctx;
	if (wbatch_add(c->wb, addr, buf, len) == 0)
		return 0;
	return mem_write(c->t, c->tid, addr, buf, len);
}

/* ---- breakpoints ----------------------------------------------------- */

/* The breakpoint at addr, or NULL.  Every trap asks, and a program's
 * function probes make hundreds of breakpoints: binary search once armed. */
static struct bp *bp_find(struct tracer *t, uint64_t addr)
{
	if (!t->bps_sorted) {
		for (size_t i = 0; i < t->nbps; i++)
			if (t->bps[i].addr == addr)
				return &t->bps[i];
		return NULL;
	}
	size_t lo = 0, hi = t->nbps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->bps[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nbps && t->bps[lo].addr == addr ? &t->bps[lo] : NULL;
}

static int bp_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct bp *)a)->addr, y = ((const struct bp *)b)->addr;
	return x < y ? -1 : x > y;
}

/* Read the real code at addr in task tid, seeing through our own int3s. */
static int code_read(struct tracer *t, pid_t tid, uint64_t addr, uint8_t *code)
{
	if (peek_read(tid, addr, code, CODE_MAX) != 0)
		return -1;
	for (size_t i = 0; i < t->nbps; i++) {
		const struct bp *o = &t->bps[i];
		if (o->inserted && o->addr >= addr && o->addr < addr + CODE_MAX)
			code[o->addr - addr] = o->orig[0];
	}
	if (t->tramp_inserted && t->tramp >= addr && t->tramp < addr + CODE_MAX)
		code[t->tramp - addr] = t->tramp_orig[0];
	return 0;
}

/* Write one byte into task tid's code. */
static int code_poke(pid_t tid, uint64_t addr, uint8_t byte)
{
	return poke_write(tid, addr, &byte, 1);
}

/* Insert the int3 of bp through tid, a thread in a ptrace stop (ptrace
 * reaches the memory the threads share only through a stopped one). */
static int bp_insert(struct tracer *t, struct bp *b, pid_t tid)
{
	if (b->inserted)
		return 0;
	if (code_read(t, tid, b->addr, b->orig) != 0 || code_poke(tid, b->addr, 0xcc) != 0)
		return -1;
	b->emu_len = emu_supported(b->orig, CODE_MAX);
	b->inserted = true;
	return 0;
}

/* Remove the int3 of bp through tid, a stopped thread of the program. */
static void bp_remove(struct bp *b, pid_t tid)
{
	if (b->inserted)
		code_poke(tid, b->addr, b->orig[0]);
	b->inserted = false;
}

/* Add (not yet insert) a breakpoint, or give an existing one at addr the
 * role too (memalign and aligned_alloc share one address).  Pointers to
 * breakpoints stay valid until the next arm(). */
static struct bp *bp_add(struct tracer *t, uint64_t addr, enum bp_role role)
{
	struct bp *b = bp_find(t, addr);

	if (!b) {
		util_grow((void **)&t->bps, &t->capbps, t->nbps + 1, sizeof(*t->bps));
		b = &t->bps[t->nbps++];
		memset(b, 0, sizeof(*b));
		b->addr = addr;
		t->bps_sorted = false;
	}
	b->roles |= role;
	return b;
}

/* Put the trampoline's int3 at the entry point, through stopped thread tid. */
static int tramp_insert(struct tracer *t, pid_t tid)
{
	if (t->tramp_inserted || !t->tramp)
		return 0;
	if (code_read(t, tid, t->tramp, t->tramp_orig) != 0 ||
	    code_poke(tid, t->tramp, 0xcc) != 0)
		return -1;
	t->tramp_inserted = true;
	return 0;
}

/* The functions memviz traps, what they report and how many arguments. */
struct traced_fn {
	const char *name;
	enum ev_kind kind;
	unsigned cls;
	int nargs;
};

static const struct traced_fn traced_fns[] = {
	{ "malloc", EV_MALLOC, STOP_HEAP, 1 },
	{ "calloc", EV_CALLOC, STOP_HEAP, 2 },
	{ "realloc", EV_REALLOC, STOP_HEAP, 2 },
	{ "free", EV_FREE, STOP_HEAP, 1 },
	{ "memalign", EV_MEMALIGN, STOP_HEAP, 2 },
	{ "aligned_alloc", EV_MEMALIGN, STOP_HEAP, 2 },
	{ "posix_memalign", EV_MEMALIGN, STOP_HEAP, 3 },
	{ "valloc", EV_MEMALIGN, STOP_HEAP, 1 },
	{ "pvalloc", EV_MEMALIGN, STOP_HEAP, 1 },
	/* the boundary-tag teaching allocator of demos/lib, when linked in */
	{ "tags_malloc", EV_MALLOC, STOP_HEAP, 1 },
	{ "tags_free", EV_FREE, STOP_HEAP, 1 },
	{ "brk", EV_BRK, STOP_SYSCALL, 1 },
	{ "sbrk", EV_BRK, STOP_SYSCALL, 1 },
	{ "mmap", EV_MMAP, STOP_SYSCALL, 6 },
	{ "munmap", EV_MUNMAP, STOP_SYSCALL, 2 },
	{ "mremap", EV_MREMAP, STOP_SYSCALL, 5 },
};

/* Make sure the ELF modules reflect the current mappings. */
static int refresh_space(struct tracer *t, char **cause)
{
	if (space_read(&t->space, t->pid, cause) != 0) {
		t->space_ok = false;
		return -1;
	}
	t->space_ok = true;
	return 0;
}

/* Probes on the program's own functions (those with debug info): the
 * entry notes the return address (and hooks the return for `return`), the
 * first line after the prologue reports `call`, as gdb's `break FUNC`. */
static void arm_functions(struct tracer *t)
{
	const struct tracer_src *src = t->opts.src;
	const struct src_fn *fns;
	unsigned want = t->opts.stop_mask & (STOP_CALL | STOP_RETURN | STOP_LINE);

	if (!src || !want)
		return;
	size_t n = src->functions(src->ctx, &t->space, &fns);
	for (size_t i = 0; i < n; i++) {
		struct bp *b = bp_add(t, fns[i].entry, BP_FN_ENTRY);
		b->src_fn = fns[i].name;
		if (want & STOP_CALL) {
			b = bp_add(t, fns[i].body ? fns[i].body : fns[i].entry, BP_FN_BODY);
			b->src_fn = fns[i].name;
		}
	}
}

/* A --break LOC: FILE:LINE through the line table; FUNC at its first line
 * after the prologue when the program has debug info for it (as gdb),
 * else at its entry. */
static int arm_break(struct tracer *t, const char *loc, char **cause)
{
	const struct tracer_src *src = t->opts.src;
	const char *colon = strrchr(loc, ':');
	uint64_t addrs[16];
	size_t n = 0;
	bool entry = false;

	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		char *file = xasprintf("%.*s", (int)(colon - loc), loc);
		int found = 0;
		if (src)
			n = src->line_addrs(src->ctx, &t->space, file, atoi(colon + 1), addrs,
					    ARRAY_LEN(addrs), &found);
		free(file);
		if (!n)
			return util_cause(cause, "--break %s: no code at that line of the "
					  "program's sources%s", loc, src ? "" : " (no debug info)");
	} else {
		const struct src_fn *fns;
		size_t nf = src ? src->functions(src->ctx, &t->space, &fns) : 0;
		for (size_t i = 0; i < nf && !n; i++)
			if (strcmp(fns[i].name, loc) == 0)
				addrs[n++] = fns[i].body ? fns[i].body : fns[i].entry;
		if (!n && (addrs[0] = elfinfo_resolve(&t->space.elf, loc)) != 0) {
			n = 1;
			entry = true;
		}
		if (!n)
			return util_cause(cause, "--break %s: no function of that name", loc);
	}
	for (size_t i = 0; i < n; i++) {
		struct bp *b = bp_add(t, addrs[i], BP_BREAK);
		b->break_loc = loc;
		b->break_entry = entry;
	}
	return 0;
}

/* Create and insert the breakpoints the options ask for, through tid (stopped). */
static int arm(struct tracer *t, pid_t tid, char **cause)
{
	if (refresh_space(t, cause) != 0)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(traced_fns); i++) {
		const struct traced_fn *f = &traced_fns[i];
		uint64_t a;
		if (!(t->opts.stop_mask & f->cls))
			continue;
		a = elfinfo_resolve(&t->space.elf, f->name);
		if (a && !(bp_find(t, a) && (bp_find(t, a)->roles & BP_CALL))) {
			struct bp *b = bp_add(t, a, BP_CALL);
			b->kind = f->kind;
			b->fn = f->name;
			b->nargs = f->nargs;
		}
	}
	arm_functions(t);
	for (size_t i = 0; i < t->opts.nbreaks; i++)
		if (arm_break(t, t->opts.breaks[i], cause) != 0)
			return -1;
	if (t->nbps)
		qsort(t->bps, t->nbps, sizeof(*t->bps), bp_cmp);
	t->bps_sorted = true;
	for (size_t i = 0; i < t->nbps; i++)
		if (!(t->bps[i].roles & BP_START) && bp_insert(t, &t->bps[i], tid) != 0)
			return util_cause(cause, "cannot insert a breakpoint at 0x%llx: %s",
					  (unsigned long long)t->bps[i].addr, strerror(errno));
	return 0;
}

/* ---- watchpoints ----------------------------------------------------- */

/*
 * The x86-64 debug registers, through PTRACE_POKEUSER: DR0-DR3 hold the
 * watched addresses, DR7 enables them: L_i (bit 2i), RW_i (bits 16+4i; 11:
 * reads and writes), LEN_i (bits 18+4i; 00: 1 byte, 01: 2, 11: 4, 10: 8).
 * The kernel checks every write against the rest: an address must be
 * aligned to the length DR7 gives its slot, so a slot in use is first
 * turned off (length 1) before its address changes, and DR7 comes last.
 * A hit is a trap after the accessing instruction: SIGTRAP with si_code
 * TRAP_HWBKPT and B_i set in DR6; a single step that made the access
 * reports TRAP_TRACE with both BS and B_i.  The registers are per thread;
 * clone and fork do not pass them on, exec clears them, a detach does not.
 */

#define DR_OFF(i) (offsetof(struct user, u_debugreg) + (size_t)(i) * sizeof(long))
#define DR6_HITS 0xful            /* B0-B3 */

/* Write debug register reg of a stopped thread. */
static int dr_poke(pid_t tid, int reg, unsigned long v)
{
	return ptrace(PTRACE_POKEUSER, tid, (void *)DR_OFF(reg), (void *)v) == 0 ? 0 : -1;
}

/* All of slot's bits in DR7. */
static unsigned long dr7_mask(int slot)
{
	return (3ul << (2 * slot)) | (0xful << (16 + 4 * slot));
}

/* DR7 with slot off: read/write, length 1, disabled (any address fits). */
static unsigned long dr7_off(unsigned long dr7, int slot)
{
	return (dr7 & ~dr7_mask(slot)) | (3ul << (16 + 4 * slot));
}

/* DR7 with slot watching len bytes for reads and writes. */
static unsigned long dr7_on(unsigned long dr7, int slot, int len)
{
	unsigned long lenb = len == 1 ? 0 : len == 2 ? 1 : len == 8 ? 2 : 3;

	return (dr7 & ~dr7_mask(slot)) | (1ul << (2 * slot)) | (3ul << (16 + 4 * slot)) |
	       (lenb << (18 + 4 * slot));
}

/* Change slot in stopped thread tid from what it is (t->watch) to w;
 * dr7: every slot as it is to be. */
static int watch_poke(struct tracer *t, pid_t tid, int slot, const struct watch *w,
		      unsigned long dr7)
{
	if (t->watch[slot].on && dr_poke(tid, 7, dr7_off(t->dr7, slot)) != 0)
		return -1;
	if (w->on && (dr_poke(tid, slot, w->addr) != 0 || dr_poke(tid, 7, dr7) != 0))
		return -1;
	return 0;
}

/* Give a new thread the watchpoints every other thread has. */
static void watch_inherit(struct tracer *t, pid_t tid)
{
	bool any = false;

	for (int i = 0; i < WATCH_SLOTS; i++)
		if (t->watch[i].on) {
			dr_poke(tid, i, t->watch[i].addr);
			any = true;
		}
	if (any)
		dr_poke(tid, 7, t->dr7);
}

/* Which watchpoint did th's last debug trap hit (DR6 B0-B3)?  Keeps the
 * hit on th (the lowest slot hit, and the address it watches) to report,
 * and clears DR6.  false if none. */
static bool watch_latch(struct tracer *t, struct thread *th)
{
	long dr6;
	int slot = 0;

	errno = 0;
	dr6 = ptrace(PTRACE_PEEKUSER, th->tid, (void *)DR_OFF(6), 0);
	if (errno || !((unsigned long)dr6 & DR6_HITS))
		return false;
	while (!((unsigned long)dr6 & (1ul << slot)))
		slot++;
	th->hit = true;
	th->hit_slot = slot;
	th->hit_addr = t->watch[slot].addr;
	dr_poke(th->tid, 6, 0);
	return true;
}

/* Is wait status st of th a watchpoint's SIGTRAP (si_code TRAP_HWBKPT)? */
static bool is_watch_trap(const struct thread *th, int st)
{
	siginfo_t si;

	return WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP && STATUS_EVENT(st) == 0 &&
	       ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) == 0 && si.si_code == TRAP_HWBKPT;
}

/* Before the watchpoints change: the hits parked by a freeze are taken
 * now, with the addresses watched when they happened. */
static void watch_latch_parked(struct tracer *t)
{
	for (size_t i = 0; i < t->nth; i++) {
		struct thread *th = &t->th[i];
		if (th->parked && !th->hit && is_watch_trap(th, th->parked_status))
			watch_latch(t, th);
	}
}

/* Set slot to w in every thread, the program stopped meanwhile.  If the
 * kernel refuses (an address it will not watch), the slot is off everywhere. */
static int watch_set(struct tracer *t, int slot, const struct watch *w)
{
	unsigned long off = dr7_off(t->dr7, slot);
	unsigned long dr7 = w->on ? dr7_on(t->dr7, slot, w->len) : off;
	int rc = 0;

	if (t->ended || t->detached || tracer_freeze(t) != 0)
		return -1;
	t->watch_used = true;
	watch_latch_parked(t);
	for (size_t i = 0; i < t->nth && rc == 0; i++)
		if (!t->th[i].silent && watch_poke(t, t->th[i].tid, slot, w, dr7) != 0 &&
		    errno != ESRCH)   /* ESRCH: a thread exiting, nothing to watch */
			rc = -1;
	if (rc != 0) {
		for (size_t i = 0; i < t->nth; i++)
			if (!t->th[i].silent)
				dr_poke(t->th[i].tid, 7, off);
		memset(&t->watch[slot], 0, sizeof(t->watch[slot]));
		t->dr7 = off;
		return -1;
	}
	t->watch[slot] = *w;
	t->dr7 = dr7;
	return 0;
}

int tracer_watch(struct tracer *t, int slot, uint64_t addr, int len)
{
	struct watch w = { addr, len, true };

	if (slot < 0 || slot >= WATCH_SLOTS || (len != 1 && len != 2 && len != 4 && len != 8) ||
	    addr % (uint64_t)len)
		return -1;
	return watch_set(t, slot, &w);
}

int tracer_unwatch(struct tracer *t, int slot)
{
	struct watch none = { 0 };

	if (slot < 0 || slot >= WATCH_SLOTS)
		return -1;
	if (!t->watch[slot].on)
		return 0;
	return watch_set(t, slot, &none);
}

uint64_t tracer_trampoline(const struct tracer *t)
{
	return t->tramp_inserted ? t->tramp : 0;
}

/* ---- resuming -------------------------------------------------------- */

/* Let a stopped thread go, delivering its pending signal. */
static void thread_resume(struct tracer *t, struct thread *th)
{
	(void)t;
	if (!th->stopped)
		return;
	if (th->listen)
		ptrace(PTRACE_LISTEN, th->tid, 0, 0);
	else
		ptrace(PTRACE_CONT, th->tid, 0, (void *)(long)th->resume_sig);
	th->stopped = false;
	th->listen = false;
	th->resume_sig = 0;
}

/* Single-step one instruction of tid from where it is (fallback path);
 * signals that arrive meanwhile are kept for later delivery. */
static int step_over(struct tracer *t, struct thread *th, struct bp *b)
{
	int st;

	code_poke(th->tid, b->addr, b->orig[0]);
	for (int tries = 0; tries < 64; tries++) {
		if (ptrace(PTRACE_SINGLESTEP, th->tid, 0, 0) != 0)
			break;
		if (waitpid(th->tid, &st, __WALL) != th->tid || !WIFSTOPPED(st))
			return -1;       /* gone: nothing to re-insert into */
		if (WSTOPSIG(st) == SIGTRAP && STATUS_EVENT(st) == 0)
			break;
		if (STATUS_EVENT(st) == 0)
			th->resume_sig = WSTOPSIG(st);
	}
	code_poke(th->tid, b->addr, 0xcc);
	/* the instruction stepped may have hit a watchpoint (reported before
	 * the thread runs on: see resume_all) */
	if (t->watch_used && !th->hit)
		watch_latch(t, th);
	return 0;
}

/* Execute the instruction bp hides for a thread stopped at bp->addr and
 * leave it ready to continue after it.  Writes already queued in wb (the
 * hijacked return address) go out together with the emulator's. */
static int pass_bp(struct tracer *t, struct thread *th, const struct bp *b,
		   struct user_regs_struct *regs, struct wbatch *wb)
{
	struct emu_ctx ctx = { t, th->tid, wb };
	struct emu_mem mem = { &ctx, emu_read_cb, emu_write_cb };

	if (b->emu_len && emu_step(b->orig, CODE_MAX, regs, &mem)) {
		if (wbatch_flush(t, th->tid, wb) != 0)
			return -1;
		return ptrace(PTRACE_SETREGS, th->tid, 0, regs) == 0 ? 0 : -1;
	}
	if (wbatch_flush(t, th->tid, wb) != 0 || ptrace(PTRACE_SETREGS, th->tid, 0, regs) != 0)
		return -1;
	return step_over(t, th, (struct bp *)b);
}

/* ---- handling stops -------------------------------------------------- */

/* The argument registers of the System V ABI, in order. */
static void read_args(const struct user_regs_struct *r, uint64_t *a)
{
	a[0] = r->rdi;
	a[1] = r->rsi;
	a[2] = r->rdx;
	a[3] = r->rcx;
	a[4] = r->r8;
	a[5] = r->r9;
}

/* Is a syscall-wrapper call already pending on this thread (sbrk -> brk)? */
static bool in_wrapper(const struct thread *th)
{
	for (size_t i = 0; i < th->nrs; i++) {
		const struct bp *b = th->rs[i].bp;
		if (b && (b->roles & BP_CALL) && event_kind_class(b->kind) == STOP_SYSCALL)
			return true;
	}
	return false;
}

/* The return address a thread really has in slot: the one we hid behind
 * the trampoline, if we did. */
static uint64_t real_ret(const struct tracer *t, const struct thread *th, uint64_t slot,
			 uint64_t value)
{
	for (size_t i = th->nrs; value == t->tramp && i-- > 0; )
		if (th->rs[i].slot == slot)
			value = th->rs[i].orig_ret;
	return value;
}

/* Hijack the return address (ret, read at [rsp]) of a call that just
 * trapped at its entry: the write of the trampoline address is queued in wb. */
static int hook_return(struct tracer *t, struct thread *th, const struct bp *b,
		       const struct user_regs_struct *r, uint64_t ret, struct wbatch *wb)
{
	struct ret_frame f = { .slot = r->rsp, .orig_ret = ret, .bp = b };

	if (b && (b->roles & BP_CALL) && event_kind_class(b->kind) == STOP_SYSCALL &&
	    in_wrapper(th))
		return 0;        /* report the outer call only */
	if (tramp_insert(t, th->tid) != 0 || wbatch_add(wb, r->rsp, &t->tramp, 8) != 0)
		return -1;
	read_args(r, f.args);
	util_grow((void **)&th->rs, &th->caprs, th->nrs + 1, sizeof(*th->rs));
	th->rs[th->nrs++] = f;
	return 0;
}

/* Fill the common fields of an event for thread tid. */
static void event_init(struct tracer *t, struct event *ev, enum ev_kind kind, pid_t tid)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->pid = t->pid;
	ev->tid = tid;
}

/* Report th's watchpoint hit (th->hit).  pc is after the access; after
 * a `ret` that read a hidden return slot it is the trampoline: the real
 * return address is given instead. */
static int watch_report(struct tracer *t, struct thread *th, struct event *ev)
{
	struct user_regs_struct r;

	event_init(t, ev, EV_WATCH, th->tid);
	ev->watch_slot = th->hit_slot;
	ev->watch_addr = th->hit_addr;
	if (ptrace(PTRACE_GETREGS, th->tid, 0, &r) == 0)
		ev->pc = t->tramp_inserted && r.rip == t->tramp ?
			 real_ret(t, th, r.rsp - 8, r.rip) : r.rip;
	th->hit = false;
	return 1;
}

/* A --break location or a function's first line (`call`) was reached:
 * report it with the thread still at the instruction under the int3
 * (passed when it is resumed).  wb holds a return hijack of the same stop. */
static int on_break(struct tracer *t, struct thread *th, const struct bp *b,
		    struct user_regs_struct *r, struct wbatch *wb, struct event *ev)
{
	bool is_break = b->roles & BP_BREAK;

	if (!is_break && !(t->opts.stop_mask & STOP_CALL))
		return pass_bp(t, th, b, r, wb) == 0 ? 0 : -1;
	if (wbatch_flush(t, th->tid, wb) != 0 || ptrace(PTRACE_SETREGS, th->tid, 0, r) != 0)
		return -1;
	event_init(t, ev, is_break ? EV_BREAK : EV_CALL, th->tid);
	ev->fn = is_break ? b->break_loc : b->src_fn;
	ev->pc = b->addr;
	if (!is_break)
		ev->call_site = th->entry_ret;   /* `at` of a call: its caller */
	else if (b->break_entry && mem_read(t, th->tid, r->rsp, &ev->call_site, 8) == 0)
		ev->call_site = real_ret(t, th, r->rsp, ev->call_site);
	th->at_bp = b;
	if (t->opts.src && th->tid == t->line_tid && th->step == STEP_ON) {
		/* A break's line is not reported again by the next step; a
		 * call's first line is, right after the call (step_back). */
		uint64_t fn = 0;
		int line = t->opts.src->stmt(t->opts.src->ctx, &t->space, b->addr, &fn);
		th->step_line = is_break && line > 0 ? line : 0;
		th->step_fn = fn;
		th->step_back = !is_break;
	}
	return 1;
}

/* The entry of one of the program's functions: remember where it returns
 * (the `at` of its `call`), and hook the return when returns are reported. */
static void on_fn_entry(struct tracer *t, struct thread *th, const struct bp *b,
			const struct user_regs_struct *r, struct wbatch *wb)
{
	uint64_t ret;

	if (mem_read(t, th->tid, r->rsp, &ret, 8) != 0)
		return;
	th->entry_ret = real_ret(t, th, r->rsp, ret);
	if (th->tid == t->line_tid && th->step != STEP_ON) {
		th->step = STEP_ON;          /* back in the program's code (a callback) */
		th->step_line = 0;
	}
	if ((t->opts.stop_mask & STOP_RETURN) && !(b->roles & BP_CALL) &&
	    hook_return(t, th, b, r, ret, wb) != 0)
		wb->n = 0;
}

/* A free reported at its entry: alone (void_at_entry: nothing to wait
 * for) or before its return (free_entry: the heap as it was, before a
 * double free makes glibc abort).  The instruction under the int3 is
 * passed first; it reads registers only (test %rdi,%rdi; endbr64), so the
 * heap is untouched.  wb: the return hook of the same stop, if any. */
static int on_entry_call(struct tracer *t, struct thread *th, const struct bp *b,
			 struct user_regs_struct *r, uint64_t ret, struct wbatch *wb,
			 struct event *ev)
{
	event_init(t, ev, b->kind, th->tid);
	ev->fn = b->fn;
	ev->nargs = b->nargs;
	read_args(r, ev->args);
	ev->pc = b->addr;
	ev->call_site = real_ret(t, th, r->rsp, ret);
	ev->at_entry = t->opts.free_entry;
	if (pass_bp(t, th, b, r, wb) != 0)
		return -1;
	return (t->opts.stop_mask & event_kind_class(b->kind)) ? 1 : 0;
}

/* A new image reached its entry point after an exec: arm it. */
static int on_start_bp(struct tracer *t, struct thread *th, struct bp *b,
		       struct user_regs_struct *r)
{
	char *cause = NULL;

	bp_remove(b, th->tid);
	if (ptrace(PTRACE_SETREGS, th->tid, 0, r) != 0)
		return -1;
	if (arm(t, th->tid, &cause) != 0)
		util_error("after exec: %s", cause ? cause : "cannot arm");
	free(cause);
	return 0;
}

/* A thread trapped at one of our breakpoints.  1 if *ev is to be reported. */
static int on_bp(struct tracer *t, struct thread *th, struct bp *b,
		 struct user_regs_struct *r, struct event *ev)
{
	struct wbatch wb = { 0 };
	uint64_t ret;

	r->rip = b->addr;
	if (b->roles & BP_START)
		return on_start_bp(t, th, b, r);
	if (th->silent)
		return pass_bp(t, th, b, r, &wb) == 0 ? 0 : -1;
	if (b->roles & BP_FN_ENTRY)
		on_fn_entry(t, th, b, r, &wb);
	if (b->roles & (BP_BREAK | BP_FN_BODY))
		return on_break(t, th, b, r, &wb, ev);
	if (!(b->roles & BP_CALL))
		return pass_bp(t, th, b, r, &wb) == 0 ? 0 : -1;
	if (mem_read(t, th->tid, r->rsp, &ret, 8) != 0)
		return pass_bp(t, th, b, r, &wb) == 0 ? 0 : -1;
	if (b->kind == EV_FREE && t->opts.void_at_entry)
		return on_entry_call(t, th, b, r, ret, &wb, ev);
	/* If the return cannot be hooked the call goes unreported, but the
	 * thread must still get past the instruction under the int3. */
	if (hook_return(t, th, b, r, ret, &wb) != 0)
		wb.n = 0;
	if (b->kind == EV_FREE && t->opts.free_entry)
		return on_entry_call(t, th, b, r, ret, &wb, ev);
	return pass_bp(t, th, b, r, &wb) == 0 ? 0 : -1;
}

/* Pop the shadow-stack frame a return to the trampoline belongs to.  A
 * frame whose slot lies below the current one was left by a longjmp. */
static bool ret_pop(struct thread *th, uint64_t slot, struct ret_frame *out)
{
	while (th->nrs > 0) {
		struct ret_frame *f = &th->rs[--th->nrs];
		if (f->slot == slot) {
			*out = *f;
			return true;
		}
		if (f->slot > slot) {
			th->nrs++;     /* not ours: keep it */
			return false;
		}
	}
	return false;
}

/* A thread returned into the trampoline.  1 if *ev is to be reported. */
static int on_return(struct tracer *t, struct thread *th, struct user_regs_struct *r,
		     struct event *ev)
{
	struct ret_frame f;

	if (!ret_pop(th, r->rsp - 8, &f)) {
		/* The stack was switched under us (a signal stack, a coroutine):
		 * the innermost pending call is the one returning.  Resuming at
		 * tramp + 1 would run _start's bytes, never an option. */
		if (th->nrs == 0)
			return -1;
		f = th->rs[--th->nrs];
	}
	r->rip = f.orig_ret;
	if (ptrace(PTRACE_SETREGS, th->tid, 0, r) != 0)
		return -1;
	if (!f.bp) {                  /* a line step's call into code without
					 debug info is back: step on */
		if (th->tid == t->line_tid) {
			th->step = STEP_ON;
			th->step_back = true;
		}
		return 0;
	}
	if (!(f.bp->roles & BP_CALL)) {        /* one of the program's functions */
		event_init(t, ev, EV_RETURN, th->tid);
		ev->fn = f.bp->src_fn;
		ev->has_ret = true;
		ev->ret = r->rax;
		ev->pc = f.orig_ret;
		ev->call_site = real_ret(t, th, f.slot, f.orig_ret);
		th->step_line = 0;
		return (t->opts.stop_mask & STOP_RETURN) ? 1 : 0;
	}
	event_init(t, ev, f.bp->kind, th->tid);
	ev->fn = f.bp->fn;
	ev->nargs = f.bp->nargs;
	memcpy(ev->args, f.args, sizeof(ev->args));
	ev->has_ret = true;
	ev->ret = r->rax;
	ev->pc = f.orig_ret;
	/* a line step hooked the same return first: the caller is behind it */
	ev->call_site = real_ret(t, th, f.slot, f.orig_ret);
	ev->pc = ev->call_site;
	if (strcmp(f.bp->fn, "posix_memalign") == 0) {
		ev->rc = (int)r->rax;
		ev->ret = 0;
		if (ev->rc == 0)
			mem_read(t, th->tid, f.args[0], &ev->ret, 8);
	}
	return (t->opts.stop_mask & event_kind_class(ev->kind)) ? 1 : 0;
}

/* A SIGTRAP stop: ours (int3 or trampoline) or the program's own. */
static int on_sigtrap(struct tracer *t, struct thread *th, struct event *ev)
{
	struct user_regs_struct r;
	siginfo_t si;
	struct bp *b;

	if (ptrace(PTRACE_GETREGS, th->tid, 0, &r) != 0)
		return 0;       /* vanished: its exit comes next */
	if (t->tramp_inserted && r.rip - 1 == t->tramp) {
		r.rip--;
		return on_return(t, th, &r, ev);
	}
	b = bp_find(t, r.rip - 1);
	if (b && b->inserted)
		return on_bp(t, th, b, &r, ev);
	if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) != 0)
		return 0;
	/* A watchpoint: ours (the program cannot set debug registers), never
	 * delivered.  A hit latched at a freeze comes as one too. */
	if (si.si_code == TRAP_HWBKPT)
		return th->hit || watch_latch(t, th) ? watch_report(t, th, ev) : 0;
	/* Not ours: a raise(SIGTRAP) or the program's own int3 goes to it. */
	th->resume_sig = SIGTRAP;
	return 0;
}

/* A signal is about to be delivered to the program.  1 to report it. */
static int on_signal(struct tracer *t, struct thread *th, int sig, struct event *ev)
{
	siginfo_t si;

	th->resume_sig = sig;
	if (th->silent || !(t->opts.stop_mask & STOP_SIGNAL))
		return 0;
	event_init(t, ev, EV_SIGNAL, th->tid);
	ev->signo = sig;
	if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) == 0) {
		ev->si_code = si.si_code;
		if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL) &&
		    si.si_code > 0) {
			ev->has_fault_addr = true;
			ev->fault_addr = (uint64_t)si.si_addr;
		}
	}
	{
		struct user_regs_struct r;
		if (ptrace(PTRACE_GETREGS, th->tid, 0, &r) == 0)
			ev->pc = r.rip;
	}
	return 1;
}

/* Wait for the first stop of a new task, from the orphans list or waitpid. */
static int wait_new_task(struct tracer *t, pid_t tid, int *status)
{
	for (size_t i = 0; i < t->norph; i++) {
		if (t->orph[i].tid == tid) {
			*status = t->orph[i].status;
			t->orph[i] = t->orph[--t->norph];
			return 0;
		}
	}
	return waitpid(tid, status, __WALL) == tid ? 0 : -1;
}

/* Put a hijacked return address back, if its slot still holds the
 * trampoline: a call left by longjmp has a slot another frame may own now. */
static void restore_slot(struct tracer *t, pid_t tid, const struct ret_frame *f)
{
	uint64_t cur;

	if (mem_read(t, tid, f->slot, &cur, 8) == 0 && cur == t->tramp)
		mem_write(t, tid, f->slot, &f->orig_ret, 8);
}

/* Remove our int3s and trampoline from a forked child and let it go. */
static void release_child(struct tracer *t, pid_t child, const struct thread *parent)
{
	int st;

	if (wait_new_task(t, child, &st) != 0 || !WIFSTOPPED(st))
		return;
	for (size_t i = 0; i < t->nbps; i++)
		if (t->bps[i].inserted)
			code_poke(child, t->bps[i].addr, t->bps[i].orig[0]);
	if (t->tramp_inserted)
		code_poke(child, t->tramp, t->tramp_orig[0]);
	for (size_t i = 0; parent && i < parent->nrs; i++)
		restore_slot(t, child, &parent->rs[i]);
	/* fork passes no watchpoint on, but keeps the DR7 value ptrace reads
	 * back: leave the child nothing of ours */
	if (t->watch_used)
		dr_poke(child, 7, 0);
	ptrace(PTRACE_DETACH, child, 0, 0);
}

/* The program exec'd a new image: nothing of ours is in it any more, and
 * the other threads are gone.  Run the new image to its entry point (a
 * BP_START there), where arm() sets the breakpoints again. */
static void on_exec(struct tracer *t, struct thread *th)
{
	uint64_t entry;
	pid_t keep = th->tid;

	t->nbps = 0;
	t->tramp_inserted = false;
	t->tramp = 0;
	memset(t->watch, 0, sizeof(t->watch));    /* exec cleared them */
	t->dr7 = 0;
	for (size_t i = t->nth; i-- > 0; ) {
		t->th[i].nrs = 0;
		t->th[i].at_bp = NULL;
		t->th[i].step = STEP_OFF;   /* on again at the new main's entry */
		if (t->th[i].tid != keep)
			thread_remove(t, t->th[i].tid);
	}
	if (procfs_auxv(t->pid, AT_ENTRY, &entry) != 0)
		return;
	t->tramp = entry;
	bp_insert(t, bp_add(t, entry, BP_START), th->tid);
}

/* Trace a new thread (or a vfork child: silent) once it has stopped. */
static void adopt_task(struct tracer *t, pid_t tid, bool silent)
{
	struct thread *nt = thread_add(t, tid);
	int st;

	nt->silent = silent;
	if (wait_new_task(t, tid, &st) != 0 || !WIFSTOPPED(st)) {
		thread_remove(t, tid);
		return;
	}
	nt->stopped = true;
	if (!silent)
		watch_inherit(t, tid);
}

/* Handle clone/fork/vfork/exec events of thread th. */
static void on_ptrace_event(struct tracer *t, struct thread *th, unsigned event)
{
	unsigned long msg = 0;

	ptrace(PTRACE_GETEVENTMSG, th->tid, 0, &msg);
	switch (event) {
	case PTRACE_EVENT_CLONE:
		adopt_task(t, (pid_t)msg, th->silent);
		break;
	case PTRACE_EVENT_FORK:
		release_child(t, (pid_t)msg, th);
		break;
	case PTRACE_EVENT_VFORK:
		adopt_task(t, (pid_t)msg, true);
		break;
	case PTRACE_EVENT_EXEC:
		if (th->silent) {          /* the vfork child became its own program */
			ptrace(PTRACE_DETACH, th->tid, 0, 0);
			th->stopped = false;
			thread_remove(t, th->tid);
		} else {
			on_exec(t, th);
		}
		break;
	default:
		break;
	}
}

/* A task we trace has exited or was killed.  1 if *ev is the program's end. */
static int on_task_end(struct tracer *t, pid_t tid, int status, struct event *ev)
{
	thread_remove(t, tid);
	if (tid != t->pid)
		return 0;
	t->ended = true;
	t->end_status = status;
	event_init(t, ev, EV_EXIT, tid);
	if (WIFSIGNALED(status)) {
		ev->exited_by_signal = true;
		ev->exit_signal = WTERMSIG(status);
		ev->core_dumped = WCOREDUMP(status);
	} else {
		ev->exit_code = WEXITSTATUS(status);
	}
	return 1;
}

/* Dispatch one waitpid() result.  1 if *ev is to be reported. */
static int handle_status(struct tracer *t, pid_t tid, int status, struct event *ev)
{
	struct thread *th = thread_find(t, tid);
	unsigned event = STATUS_EVENT(status);
	int sig;

	if (WIFEXITED(status) || WIFSIGNALED(status))
		return on_task_end(t, tid, status, ev);
	if (!th) {                      /* a new task announced later */
		util_grow((void **)&t->orph, &t->caporph, t->norph + 1, sizeof(*t->orph));
		t->orph[t->norph++] = (struct orphan){ tid, status };
		return 0;
	}
	th->stopped = true;
	sig = WSTOPSIG(status);
	if (event == PTRACE_EVENT_STOP) {
		/* SIGTRAP: an interrupt or a new task's first stop; a stop signal:
		 * the program is in a group-stop and must stay stopped. */
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			th->listen = true;
		return 0;
	}
	if (event) {
		on_ptrace_event(t, th, event);
		return 0;
	}
	if (sig == SIGTRAP)
		return on_sigtrap(t, th, ev);
	return on_signal(t, th, sig, ev);
}

/* ---- line stepping -------------------------------------------------- */

#define STEP_MAX 10000000         /* instructions without a new line: give up
				     (an endless loop on one line) */

/* Is the thread, stopped at r, at the start of a line to report? */
static int step_check(struct tracer *t, struct thread *th, const struct user_regs_struct *r,
		      int line, uint64_t fn, struct event *ev)
{
	if (line <= 0 || (line == th->step_line && fn == th->step_fn))
		return 0;
	th->step_line = line;
	th->step_fn = fn;
	event_init(t, ev, EV_LINE, th->tid);
	ev->pc = r->rip;
	return 1;
}

/* A step left the program's code.  Through a call (rsp went down by the
 * return address, which points just past the instruction stepped): let
 * the callee run free until it returns, through the trampoline.  Through a
 * return or a jump: stop stepping until a program function is entered. */
static void step_leave(struct tracer *t, struct thread *th, const struct user_regs_struct *r,
		       uint64_t pc0, uint64_t sp0)
{
	struct ret_frame f = { .slot = r->rsp };
	struct wbatch wb = { 0 };

	th->step = STEP_OFF;
	if (r->rsp != sp0 - 8 || mem_read(t, th->tid, r->rsp, &f.orig_ret, 8) != 0 ||
	    f.orig_ret <= pc0 || f.orig_ret > pc0 + CODE_MAX)
		return;
	if (tramp_insert(t, th->tid) != 0 || wbatch_add(&wb, r->rsp, &t->tramp, 8) != 0 ||
	    wbatch_flush(t, th->tid, &wb) != 0)
		return;
	util_grow((void **)&th->rs, &th->caprs, th->nrs + 1, sizeof(*th->rs));
	th->rs[th->nrs++] = f;
	th->step = STEP_OUT;
}

/* Execute one instruction of a stepping thread: the one under a
 * breakpoint (handled as the breakpoint), the trampoline (a return), or a
 * single step.  1: report *ev; 0: done; -1: not done (a signal or a
 * task event was handled instead; a thread that cannot step stops
 * stepping). */
static int step_one(struct tracer *t, pid_t tid, struct user_regs_struct *r, struct event *ev)
{
	struct thread *th = thread_find(t, tid);
	struct bp *b = bp_find(t, r->rip);
	siginfo_t si;
	int st;

	if (th->at_bp && th->at_bp->addr == r->rip) {
		struct wbatch wb = { 0 };
		const struct bp *ab = th->at_bp;
		th->at_bp = NULL;
		if (pass_bp(t, th, ab, r, &wb) == 0)
			return 0;
		th->step = STEP_OFF;
		return -1;
	}
	th->at_bp = NULL;
	if (t->tramp_inserted && r->rip == t->tramp)
		return on_return(t, th, r, ev);
	if (b && b->inserted) {
		int rc = on_bp(t, th, b, r, ev);
		if (rc < 0)
			th->step = STEP_OFF;
		return rc;
	}
	if (ptrace(PTRACE_SINGLESTEP, tid, 0, (void *)(long)th->resume_sig) != 0) {
		th->step = STEP_OFF;
		return -1;
	}
	th->resume_sig = 0;
	th->stopped = false;
	while (waitpid(tid, &st, __WALL) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP && STATUS_EVENT(st) == 0 &&
	    ptrace(PTRACE_GETSIGINFO, tid, 0, &si) == 0 && si.si_code == TRAP_TRACE) {
		th->stopped = true;
		/* the step's BS trap hides a watchpoint hit of the same
		 * instruction: DR6 tells (step_run reports it) */
		if (t->watch_used && !th->hit)
			watch_latch(t, th);
		return 0;
	}
	/* a signal, a task event, an exit: the usual handling; stepping goes
	 * on at the next tracer_next if the thread is still there */
	return handle_status(t, tid, st, ev) > 0 ? 1 : -1;
}

/* Does a breakpoint at pc report something (a --break, a `call`)? */
static bool reports_here(struct tracer *t, uint64_t pc)
{
	const struct bp *b = bp_find(t, pc);

	return b && b->inserted && ((b->roles & BP_BREAK) ||
		((b->roles & BP_FN_BODY) && (t->opts.stop_mask & STOP_CALL)));
}

/* Single-step the line-stepping thread until it reaches a new line (1,
 * *ev filled), leaves the program's code (0: it runs free, see
 * step_leave), or something else is to be reported (1). */
static int step_run(struct tracer *t, pid_t tid, struct event *ev)
{
	const struct tracer_src *src = t->opts.src;
	struct user_regs_struct r;

	for (long n = 0; n < STEP_MAX; n++) {
		struct thread *th = thread_find(t, tid);
		uint64_t fn = 0;
		if (!th || th->step != STEP_ON || !th->stopped ||
		    ptrace(PTRACE_GETREGS, tid, 0, &r) != 0)
			return 0;
		if (th->step_back) {
			th->step_back = false;
			int line = src->stmt(src->ctx, &t->space, r.rip, &fn);
			if (step_check(t, th, &r, line, fn, ev))
				return 1;
		}
		uint64_t pc0 = r.rip, sp0 = r.rsp;
		int rc = step_one(t, tid, &r, ev);
		if (rc != 0)
			return rc > 0 ? 1 : 0;
		th = thread_find(t, tid);
		if (!th || th->step != STEP_ON || ptrace(PTRACE_GETREGS, tid, 0, &r) != 0)
			return 0;
		int line = src->stmt(src->ctx, &t->space, r.rip, &fn);
		if (line < 0) {
			step_leave(t, th, &r, pc0, sp0);
			return th->hit ? watch_report(t, th, ev) : 0;
		}
		if (th->hit) {
			/* the step hit a watchpoint: that first, the line at
			 * the next call (step_back), unless a break is here */
			th->step_back = !reports_here(t, r.rip);
			return watch_report(t, th, ev);
		}
		if (reports_here(t, r.rip))
			continue;      /* its break or call first (see on_break) */
		if (step_check(t, th, &r, line, fn, ev))
			return 1;
	}
	struct thread *th = thread_find(t, tid);
	if (th)
		th->step = STEP_OFF;
	return 0;
}

/* The thread to line-step now, or NULL. */
static struct thread *stepper(struct tracer *t)
{
	struct thread *th = t->line_tid ? thread_find(t, t->line_tid) : NULL;

	return th && th->step == STEP_ON && th->stopped && !th->parked ? th : NULL;
}

/* Resume every thread we hold stopped (the reported one, new threads...),
 * except those with a parked stop still to handle and the one that steps. */
static void resume_all(struct tracer *t)
{
	for (size_t i = 0; i < t->nth; i++) {
		struct thread *th = &t->th[i];
		if (th->parked || th->step == STEP_ON)
			continue;
		if (th->at_bp && th->stopped) {
			struct user_regs_struct r;
			const struct bp *b = th->at_bp;
			th->at_bp = NULL;
			struct wbatch wb = { 0 };
			if (ptrace(PTRACE_GETREGS, th->tid, 0, &r) == 0 && r.rip == b->addr)
				pass_bp(t, th, b, &r, &wb);
		}
		if (th->hit)
			continue;      /* reported first (report_hit) */
		thread_resume(t, th);
	}
}

/* A watchpoint hit latched on a stopped thread (by a single step over a
 * breakpoint), to report before that thread runs on.  1 if *ev is one. */
static int report_hit(struct tracer *t, struct event *ev)
{
	for (size_t i = 0; i < t->nth; i++)
		if (t->th[i].hit && t->th[i].stopped && !t->th[i].parked)
			return watch_report(t, &t->th[i], ev);
	return 0;
}

/* waitpid(-1) for the next stop.  Heap calls come in bursts, the next stop
 * often a few microseconds after the last resume: polling for a short while
 * first spares the sleep and cross-CPU wake-up a blocking wait costs on
 * every stop, then it blocks as usual. */
static pid_t wait_any(int *status)
{
	for (int i = 0; i < WAIT_SPINS; i++) {
		pid_t tid = waitpid(-1, status, __WALL | WNOHANG);
		if (tid != 0)
			return tid;
	}
	return waitpid(-1, status, __WALL);
}

/* Take one parked stop (its thread's status) to handle now; false if none. */
static bool unpark(struct tracer *t, pid_t *tid, int *status)
{
	for (size_t i = 0; i < t->nth; i++) {
		if (t->th[i].parked) {
			t->th[i].parked = false;
			*tid = t->th[i].tid;
			*status = t->th[i].parked_status;
			return true;
		}
	}
	return false;
}

/* Keep a stop that came during a freeze for later (see tracer_freeze). */
static void park(struct tracer *t, pid_t tid, int st)
{
	struct thread *th = thread_find(t, tid);

	if (th && WIFSTOPPED(st) && STATUS_EVENT(st) == PTRACE_EVENT_STOP &&
	    WSTOPSIG(st) == SIGTRAP) {
		th->stopped = true;          /* our interrupt: nothing to keep */
		return;
	}
	if (!th || WIFEXITED(st) || WIFSIGNALED(st)) {
		struct event ev;             /* unknown tid: an orphan; an exit */
		if (th && tid == t->pid) {   /* the leader's end: keep it */
			th->stopped = true;
			th->parked = true;
			th->parked_status = st;
			return;
		}
		handle_status(t, tid, st, &ev);
		return;
	}
	th->stopped = true;
	th->parked = true;
	th->parked_status = st;
}

/* Stop every running thread for a consistent snapshot.  A stop other than
 * our interrupt that arrives meanwhile (a breakpoint, a signal, a clone) is
 * parked on its thread, to be handled by the next tracer_next before any
 * thread runs again; a thread that exits is forgotten. */
int tracer_freeze(struct tracer *t)
{
	int st;

	if (t->ended)
		return -1;
	for (size_t i = 0; i < t->nth; i++)
		if (!t->th[i].stopped)
			ptrace(PTRACE_INTERRUPT, t->th[i].tid, 0, 0);
	for (int guard = 0; guard < 100000; guard++) {
		size_t running = 0;
		for (size_t i = 0; i < t->nth; i++)
			running += !t->th[i].stopped;
		if (!running)
			return 0;
		pid_t tid = waitpid(-1, &st, __WALL);
		if (tid < 0 && errno == EINTR)
			continue;
		if (tid < 0)
			return -1;
		park(t, tid, st);
	}
	return -1;
}

int tracer_next(struct tracer *t, struct event *ev)
{
	int status, r;
	pid_t tid;

	if (t->ended)
		return 0;
	for (;;) {
		if (g_stop_requested)
			return -1;
		if (unpark(t, &tid, &status)) {
			r = handle_status(t, tid, status, ev);
			if (r > 0)
				return 1;
			continue;
		}
		resume_all(t);
		if (report_hit(t, ev))
			return 1;
		if (stepper(t)) {
			if (step_run(t, stepper(t)->tid, ev) > 0)
				return 1;
			continue;
		}
		tid = wait_any(&status);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD && !t->ended) {
				/* Everything is gone without a word: treat as ended. */
				t->ended = true;
				event_init(t, ev, EV_EXIT, t->pid);
				return 1;
			}
			return -1;
		}
		r = handle_status(t, tid, status, ev);
		if (r < 0)
			continue;      /* a task vanished mid-way: go on */
		if (r > 0)
			return 1;
	}
}

const struct space *tracer_space_cached(struct tracer *t)
{
	return t->space_ok ? &t->space : NULL;
}

const struct space *tracer_space(struct tracer *t)
{
	char *cause = NULL;

	if (t->ended || refresh_space(t, &cause) != 0) {
		free(cause);
		return NULL;
	}
	return &t->space;
}

/* ---- launch ---------------------------------------------------------- */

/* Allocate a tracer with the options copied. */
static struct tracer *tracer_new(const struct tracer_opts *o)
{
	struct tracer *t = xcalloc(1, sizeof(*t));

	t->opts = *o;
	t->vm_ok = true;
	t->exec_fail_fd = -1;
	space_init(&t->space);
	return t;
}

/* Find argv0 as execvp would; a heap string, or NULL with *cause. */
static char *find_program(const char *argv0, char **cause)
{
	const char *path = getenv("PATH");
	struct stat st;

	if (strchr(argv0, '/')) {
		if (stat(argv0, &st) != 0) {
			util_cause(cause, "%s: %s", argv0, strerror(errno));
			return NULL;
		}
		return xstrdup(argv0);
	}
	for (const char *p = path ? path : "/usr/bin:/bin"; *p; ) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *cand = xasprintf("%.*s/%s", (int)n, n ? p : ".", argv0);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p = e ? e + 1 : p + n;
	}
	util_cause(cause, "%s: command not found", argv0);
	return NULL;
}

/* Check that path is something memviz can run and trace. */
static int check_program(const char *path, char **cause)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return util_cause(cause, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return util_cause(cause, "%s: is a directory", path);
	if (access(path, X_OK) != 0)
		return util_cause(cause, "%s: not executable (%s); chmod +x it", path,
				  strerror(errno));
	if (!elf_is_elf(path))
		return util_cause(cause, "%s: not an ELF file (memviz traces compiled programs)",
				  path);
	return 0;
}

/* In the child: add tunables to GLIBC_TUNABLES, keeping what it had (the
 * later of two settings of one tunable wins, so ours go last). */
static void merge_tunables(const char *add)
{
	const char *old = getenv("GLIBC_TUNABLES");
	char *v = old && *old ? xasprintf("%s:%s", old, add) : xstrdup(add);

	setenv("GLIBC_TUNABLES", v, 1);
	free(v);
}

/* In the child: stop so the parent can seize us, then exec. */
static void child_exec(char *const argv[], const char *path, const struct tracer_opts *o,
		       int fail_fd)
{
	int err;

	if (o->child_stdout >= 0)
		dup2(o->child_stdout, STDOUT_FILENO);
	for (size_t i = 0; i < o->nchild_sigs; i++)
		sigaction(o->child_sigs[i], &o->child_sigacts[i], NULL);
	if (o->no_aslr)
		personality(ADDR_NO_RANDOMIZE);
	if (o->tunables)
		merge_tunables(o->tunables);
	raise(SIGSTOP);
	execv(path, argv);
	err = errno;
	if (write(fail_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* Wait for the exec stop of a freshly seized child. */
static int wait_exec(struct tracer *t, char **cause)
{
	int st, err = 0;

	for (;;) {
		if (waitpid(t->pid, &st, __WALL) != t->pid)
			return util_cause(cause, "waitpid: %s", strerror(errno));
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			t->ended = true;
			if (read(t->exec_fail_fd, &err, sizeof(err)) == sizeof(err))
				return util_cause(cause, "cannot run the program: %s", strerror(err));
			return util_cause(cause, "the program ended before it started");
		}
		if (STATUS_EVENT(st) == PTRACE_EVENT_EXEC)
			return 0;
		int sig = WSTOPSIG(st);
		if (STATUS_EVENT(st) || sig == SIGSTOP || sig == SIGCONT || sig == SIGTRAP)
			sig = 0;
		ptrace(PTRACE_CONT, t->pid, 0, (void *)(long)sig);
	}
}

/* Run the leader until it traps at a temporary int3 at addr; rip rewound. */
static int run_to(struct tracer *t, uint64_t addr, char **cause)
{
	struct bp tmp = { .addr = addr, .roles = BP_START };
	struct user_regs_struct r;
	int st;

	if (bp_insert(t, &tmp, t->pid) != 0)
		return util_cause(cause, "cannot write a breakpoint at 0x%llx: %s",
				  (unsigned long long)addr, strerror(errno));
	for (;;) {
		ptrace(PTRACE_CONT, t->pid, 0, 0);
		if (waitpid(t->pid, &st, __WALL) != t->pid)
			return util_cause(cause, "waitpid: %s", strerror(errno));
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			t->ended = true;
			t->end_status = st;
			return util_cause(cause, "the program ended before reaching 0x%llx",
					  (unsigned long long)addr);
		}
		if (WSTOPSIG(st) == SIGTRAP && STATUS_EVENT(st) == 0 &&
		    ptrace(PTRACE_GETREGS, t->pid, 0, &r) == 0 && r.rip == addr + 1)
			break;
		/* Anything else before main (a signal) is let through. */
		if (STATUS_EVENT(st) == 0 && WSTOPSIG(st) != SIGTRAP) {
			ptrace(PTRACE_CONT, t->pid, 0, (void *)(long)WSTOPSIG(st));
			continue;
		}
	}
	code_poke(t->pid, addr, tmp.orig[0]);
	r.rip = addr;
	return ptrace(PTRACE_SETREGS, t->pid, 0, &r) == 0 ? 0 : -1;
}

/* The address of main: its symbol, else __libc_start_main's first argument. */
static uint64_t find_main(struct tracer *t, char **cause)
{
	const struct elf_module *exe = elfinfo_exe(&t->space.elf);
	const struct elf_symbol *s = exe ? elf_file_symbol(exe->ef, "main") : NULL;
	uint64_t lsm;
	struct user_regs_struct r;

	if (s && s->type == STT_FUNC)
		return s->value + exe->bias;
	lsm = elfinfo_resolve(&t->space.elf, "__libc_start_main");
	if (!lsm || run_to(t, lsm, cause) != 0)
		return 0;
	if (ptrace(PTRACE_GETREGS, t->pid, 0, &r) != 0)
		return 0;
	return r.rdi;
}

/* After the exec stop: run to the entry point (libc is mapped then), then
 * to main, and arm the breakpoints. */
static int start_program(struct tracer *t, char **cause)
{
	uint64_t entry, main_addr;

	if (procfs_auxv(t->pid, AT_ENTRY, &entry) != 0)
		return util_cause(cause, "cannot read the entry point from /proc/%d/auxv",
				  t->pid);
	t->tramp = entry;
	if (run_to(t, entry, cause) != 0 || refresh_space(t, cause) != 0)
		return -1;
	main_addr = find_main(t, cause);
	if (main_addr && main_addr != entry && run_to(t, main_addr, cause) != 0)
		return -1;
	return arm(t, t->pid, cause);
}

/* --stop-on line: the leader steps from where it is, if that is the
 * program's code; else from the next entry into one of its functions. */
static void start_stepping(struct tracer *t)
{
	struct thread *th = thread_find(t, t->pid);
	struct user_regs_struct r;
	uint64_t fn;

	if (!(t->opts.stop_mask & STOP_LINE) || !t->opts.src || !th)
		return;
	t->line_tid = t->pid;
	if (ptrace(PTRACE_GETREGS, th->tid, 0, &r) == 0 &&
	    t->opts.src->stmt(t->opts.src->ctx, &t->space, r.rip, &fn) >= 0)
		th->step = STEP_ON;
}

struct tracer *tracer_launch(char *const argv[], const struct tracer_opts *o, char **cause)
{
	struct tracer *t;
	char *path = find_program(argv[0], cause);
	int fds[2], st;

	if (!path)
		return NULL;
	if (check_program(path, cause) != 0 || pipe2(fds, O_CLOEXEC) != 0) {
		free(path);
		return NULL;
	}
	t = tracer_new(o);
	t->launched = true;
	t->pid = fork();
	if (t->pid == 0)
		child_exec(argv, path, o, fds[1]);
	free(path);
	close(fds[1]);
	t->exec_fail_fd = fds[0];
	if (t->pid < 0 || waitpid(t->pid, &st, WUNTRACED) != t->pid || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_SEIZE, t->pid, 0, PTRACE_OPTS) != 0) {
		util_cause(cause, "cannot start the program under ptrace: %s", strerror(errno));
		goto fail;
	}
	kill(t->pid, SIGCONT);
	if (wait_exec(t, cause) != 0)
		goto fail;
	thread_add(t, t->pid)->stopped = true;
	if (start_program(t, cause) != 0)
		goto fail;
	start_stepping(t);
	g_interrupt_pid = t->pid;
	return t;
fail:
	if (t->pid > 0 && !t->ended) {
		kill(t->pid, SIGKILL);
		waitpid(t->pid, &st, __WALL);
	}
	tracer_free(t);
	return NULL;
}

/* ---- attach ---------------------------------------------------------- */

/* Explain why ptrace(PTRACE_SEIZE) on pid failed. */
static int attach_error(pid_t pid, int err, char **cause)
{
	if (err == ESRCH)
		return util_cause(cause, "no such process: %d", pid);
	if (err == EPERM)
		return util_cause(cause, "cannot attach to %d: permission denied (run as its "
				  "owner or root; check /proc/sys/kernel/yama/ptrace_scope, "
				  "0 allows it; is another debugger attached?)", pid);
	return util_cause(cause, "cannot attach to %d: %s", pid, strerror(err));
}

/* Seize every thread in /proc/PID/task until no new one appears. */
static int seize_all(struct tracer *t, char **cause)
{
	for (int round = 0; round < 16; round++) {
		pid_t *tids = NULL;
		size_t n = 0, added = 0;
		if (procfs_tasks(t->pid, &tids, &n, NULL) != 0)
			return attach_error(t->pid, ESRCH, cause);
		for (size_t i = 0; i < n; i++) {
			if (thread_find(t, tids[i]))
				continue;
			if (ptrace(PTRACE_SEIZE, tids[i], 0, PTRACE_OPTS) != 0) {
				if (errno == ESRCH)
					continue;
				free(tids);
				return attach_error(t->pid, errno, cause);
			}
			ptrace(PTRACE_INTERRUPT, tids[i], 0, 0);
			thread_add(t, tids[i]);
			added++;
		}
		free(tids);
		if (!added)
			return 0;
	}
	return 0;
}

struct tracer *tracer_attach(pid_t pid, const struct tracer_opts *o, char **cause)
{
	struct tracer *t;
	uint64_t entry;

	if (pid <= 0 || !procfs_alive(pid)) {
		util_cause(cause, "no such process: %d", pid);
		return NULL;
	}
	if (pid == getpid()) {
		util_cause(cause, "cannot attach to memviz itself");
		return NULL;
	}
	t = tracer_new(o);
	t->pid = pid;
	if (seize_all(t, cause) != 0 || tracer_freeze(t) != 0)
		goto fail;
	if (procfs_auxv(pid, AT_ENTRY, &entry) == 0)
		t->tramp = entry;
	/* A breakpoint the session asked for at the start is armed now, while
	 * every thread is stopped. */
	if (arm(t, pid, cause) != 0)     /* every thread is stopped */
		goto fail;
	start_stepping(t);
	g_interrupt_pid = pid;
	return t;
fail:
	tracer_detach(t);
	tracer_free(t);
	return NULL;
}

/* ---- detach ---------------------------------------------------------- */

/* Undo what a thread stopped at rip owes us: a breakpoint trap not yet
 * handled, a return into the trampoline. */
static void rewind_thread(struct tracer *t, struct thread *th)
{
	struct user_regs_struct r;
	struct ret_frame f;

	if (ptrace(PTRACE_GETREGS, th->tid, 0, &r) != 0)
		return;
	if (t->tramp_inserted && (r.rip == t->tramp + 1 || r.rip == t->tramp)) {
		if (ret_pop(th, r.rsp - 8, &f)) {
			r.rip = f.orig_ret;
			ptrace(PTRACE_SETREGS, th->tid, 0, &r);
		}
		return;
	}
	struct bp *b = bp_find(t, r.rip - 1);
	if (b && b->inserted && th->resume_sig == 0) {
		r.rip = b->addr;           /* re-execute the real instruction */
		ptrace(PTRACE_SETREGS, th->tid, 0, &r);
	}
}

/* A thread of the program in a ptrace stop, to reach its memory through. */
static pid_t stopped_tid(const struct tracer *t)
{
	for (size_t i = 0; i < t->nth; i++)
		if (t->th[i].stopped && !t->th[i].silent)
			return t->th[i].tid;
	return t->pid;
}

/* Is the SIGTRAP th is stopped with ours: a watchpoint hit, a step, our
 * int3 or the trampoline (not the program's own raise or int3)? */
static bool trap_ours(struct tracer *t, const struct thread *th)
{
	struct user_regs_struct r;
	siginfo_t si;
	const struct bp *b;

	if (ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) != 0 ||
	    si.si_code == TRAP_HWBKPT || si.si_code == TRAP_TRACE ||
	    ptrace(PTRACE_GETREGS, th->tid, 0, &r) != 0)
		return true;
	b = bp_find(t, r.rip - 1);
	return (t->tramp_inserted && r.rip - 1 == t->tramp) || (b && b->inserted);
}

/* Before a detach: what one stop still owes.  A signal is delivered at
 * the detach, a fork child is cleaned, a group-stop stays stopped; a trap
 * at our int3 or trampoline is undone by rewind_thread, a watchpoint's
 * dropped. */
static void settle(struct tracer *t, pid_t tid, int st)
{
	struct thread *th = thread_find(t, tid);
	unsigned event = STATUS_EVENT(st);
	int sig = WIFSTOPPED(st) ? WSTOPSIG(st) : 0;
	struct event ev;

	if (!th || !WIFSTOPPED(st))
		handle_status(t, tid, st, &ev);
	else if (event == PTRACE_EVENT_STOP)
		th->listen = sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
			     sig == SIGTTOU;
	else if (event)
		on_ptrace_event(t, th, event);
	else if (sig != SIGTRAP || !trap_ours(t, th))
		th->resume_sig = sig;
}

/* Settle the stops parked by the freeze. */
static void settle_parked(struct tracer *t)
{
	pid_t tid;
	int st;

	while (unpark(t, &tid, &st))
		settle(t, tid, st);
}

/* Is SIGTRAP pending (and not blocked) for thread tid of pid? */
static bool sigtrap_pending(pid_t pid, pid_t tid)
{
	char path[64], line[128];
	unsigned long long pnd = 0, blk = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)pid, (int)tid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof line, f)) {
		sscanf(line, "SigPnd: %llx", &pnd);
		sscanf(line, "SigBlk: %llx", &blk);
	}
	if (f)
		fclose(f);
	return (pnd & ~blk) & (1ull << (SIGTRAP - 1));
}

/* A thread the freeze stopped just after one of our traps (a watchpoint
 * hit, an int3) can still have that trap's SIGTRAP pending: the interrupt
 * was reported first.  Once detached it would take it and die.  Let it
 * take the signal now (it does so before running any instruction of its
 * own) and settle that stop. */
static void drain_sigtrap(struct tracer *t, pid_t tid)
{
	struct thread *th = thread_find(t, tid);
	int st;

	if (!th || !th->stopped || th->listen || th->resume_sig ||
	    !sigtrap_pending(t->pid, tid) || ptrace(PTRACE_CONT, tid, 0, 0) != 0)
		return;
	th->stopped = false;
	while (waitpid(tid, &st, __WALL) < 0)
		if (errno != EINTR)
			return;
	th->stopped = WIFSTOPPED(st);
	settle(t, tid, st);
}

/* Drain every thread's pending SIGTRAP of ours (see drain_sigtrap). */
static void drain_all(struct tracer *t)
{
	size_t n = t->nth;
	pid_t *tids = xcalloc(n ? n : 1, sizeof(*tids));

	for (size_t i = 0; i < n; i++)
		tids[i] = t->th[i].tid;
	for (size_t i = 0; i < n && !t->ended; i++)
		drain_sigtrap(t, tids[i]);
	free(tids);
}

int tracer_detach(struct tracer *t)
{
	if (t->ended || t->detached)
		return 0;
	g_interrupt_pid = 0;
	tracer_freeze(t);
	settle_parked(t);
	drain_all(t);
	if (t->ended)
		return 0;
	for (size_t i = 0; i < t->nth; i++)
		if (t->th[i].stopped)
			rewind_thread(t, &t->th[i]);
	pid_t via = stopped_tid(t);
	for (size_t i = 0; i < t->nbps; i++)
		bp_remove(&t->bps[i], via);
	if (t->tramp_inserted) {
		code_poke(via, t->tramp, t->tramp_orig[0]);
		t->tramp_inserted = false;
	}
	for (size_t i = 0; i < t->nth; i++) {
		struct thread *th = &t->th[i];
		for (size_t k = th->nrs; k-- > 0; )
			restore_slot(t, th->tid, &th->rs[k]);
		th->nrs = 0;
		free(th->rs);
		th->rs = NULL;
		th->caprs = 0;
		/* The kernel keeps debug registers across a detach: a hit
		 * then would kill the program with SIGTRAP. */
		if (t->watch_used && !th->silent)
			dr_poke(th->tid, 7, 0);
		/* A group-stopped thread stays stopped: detach with no signal. */
		ptrace(PTRACE_DETACH, th->tid, 0, (void *)(long)(th->listen ? 0 : th->resume_sig));
	}
	t->nth = 0;
	memset(t->watch, 0, sizeof(t->watch));
	t->dr7 = 0;
	t->detached = true;
	return 0;
}

int tracer_wait_end(struct tracer *t)
{
	int st = t->end_status;

	if (t->launched && !t->ended) {
		while (waitpid(t->pid, &st, 0) < 0) {
			if (errno != EINTR)
				return 1;
		}
		t->ended = true;
		t->end_status = st;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

void tracer_kill(struct tracer *t)
{
	int st;

	if (!t->launched || t->ended)
		return;
	kill(t->pid, SIGKILL);
	while (waitpid(t->pid, &st, __WALL) > 0 || errno == EINTR) {
		if (WIFSIGNALED(st) || WIFEXITED(st))
			break;
	}
	t->ended = true;
	t->end_status = st;
}

void tracer_free(struct tracer *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nth; i++)
		free(t->th[i].rs);
	free(t->th);
	free(t->bps);
	free(t->orph);
	space_free(&t->space);
	if (t->exec_fail_fd >= 0)
		close(t->exec_fail_fd);
	free(t);
}
