/* test_unwind.c - unwind_thread and cfi_find against independent
 * unwinders and decoders.
 *
 * In this process: registers are captured at a known point (grab(), inline
 * asm), the thread is unwound from them while the frames are still live,
 * and every return address must equal what glibc's backtrace() (libgcc's
 * unwinder) reports from the same function; the CFA of recursion frames
 * must equal gcc's __builtin_dwarf_cfa().  Cases: a recursion of noinline
 * frames (this file is built with -O2 and no frame pointers, so CFI is
 * required), frames inside libc (a qsort comparator), a signal handler
 * (the __restore_rt frame with its expression rules), a SIGILL at the
 * first instruction of a function (the interrupted pc is not a return
 * address), a handler on a sigaltstack, a timer signal landing inside the
 * vdso (its CFI read from memory), another thread (clone3 is the outermost
 * frame), a function without CFI (frame pointers), the tracer's patched
 * return addresses, the frame limit, and a 1,000-deep recursion timed cold
 * and warm.
 *
 * Children stopped by ptrace are unwound and compared with gdb attached to
 * them (pc, CFA = "frame at", function, and the saved registers of `info
 * frame`, for every physical frame): one stopped in libc (raise(SIGSTOP)
 * at the bottom of a recursion), one that called a function pointer
 * holding 0x10, one stopped at random until it is inside malloc or free
 * (a signal handler in this process cannot do that: the unwinder
 * allocates, and malloc is not reentrant).
 *
 * cfi_find, from the file and from memory, for every row of every FDE of
 * libc, of this executable and of a program with only .debug_frame, is
 * compared with readelf's decoded tables (--debug-dump=frames-interp). */
#include <execinfo.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "check.h"
#include "debuginfo.h"
#include "space.h"
#include "unwind.h"

int main(void);

#define MAXBT 2048

/* What one capture saw: the registers at grab()'s label, backtrace()
 * from grab(), and our unwind of the same moment. */
struct probe {
	struct user_regs_struct regs;
	void *bt[MAXBT];
	int nbt;
	struct uw_input in;
	struct uw_stack st;
	double ms;                /* unwind_thread's time */
	void (*then)(struct probe *);   /* run inside grab(), frames still live */
};

static struct space space;
static struct debuginfo *dbg;
static pid_t self;

/* Memory of process `pid` (this one or a child): process_vm_readv fails
 * cleanly on an unmapped address, where memcpy would crash. */
static int pid_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	pid_t pid = (pid_t)(intptr_t)ctx;
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

static struct mem_reader self_mem;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Under ASan, backtrace() is ASan's interceptor and reports itself
 * first: drop what precedes the first entry in function fn. */
static void skip_interceptor(struct probe *p, const char *fn)
{
	const char *name;
	int k;

	for (k = 0; k < p->nbt && k < 4; k++)
		if (elfinfo_symbolize(&space.elf, (uint64_t)(uintptr_t)p->bt[k], &name, NULL,
				      NULL) == 0 && strncmp(name, fn, strlen(fn)) == 0)
			break;
	if (k == 0 || k >= 4 || k >= p->nbt)
		return;
	memmove(p->bt, p->bt + k, (size_t)(p->nbt - k) * sizeof(p->bt[0]));
	p->nbt -= k;
}

#define SAVE(r) "mov %%" #r ", %c[" #r "](%[u])\n\t"

/* Capture the registers here, backtrace() from here, and unwind from the
 * captured registers while every frame above is still live. */
static __attribute__((noinline)) void grab(struct probe *p)
{
	struct user_regs_struct *u = &p->regs;
	double t0;

	memset(u, 0, sizeof(*u));
	__asm__ volatile(
		SAVE(rbx) SAVE(rbp) SAVE(r12) SAVE(r13) SAVE(r14) SAVE(r15)
		SAVE(rsp)
		"lea 1f(%%rip), %%rax\n\t"
		"mov %%rax, %c[rip](%[u])\n"
		"1:\n\t"
		:
		: [u] "r"(u),
		  [rbx] "i"(offsetof(struct user_regs_struct, rbx)),
		  [rbp] "i"(offsetof(struct user_regs_struct, rbp)),
		  [r12] "i"(offsetof(struct user_regs_struct, r12)),
		  [r13] "i"(offsetof(struct user_regs_struct, r13)),
		  [r14] "i"(offsetof(struct user_regs_struct, r14)),
		  [r15] "i"(offsetof(struct user_regs_struct, r15)),
		  [rsp] "i"(offsetof(struct user_regs_struct, rsp)),
		  [rip] "i"(offsetof(struct user_regs_struct, rip))
		: "rax", "memory");
	p->nbt = backtrace(p->bt, MAXBT);
	skip_interceptor(p, "grab");
	t0 = now_ms();
	unwind_thread(&p->in, u, &p->st);
	p->ms = now_ms() - t0;
	if (p->then)
		p->then(p);
}

/* Name of the function frame i is in (NULL-safe). */
static const char *fn_of(const struct probe *p, size_t i)
{
	return i < p->st.n && p->st.frames[i].loc.fn ? p->st.frames[i].loc.fn : "?";
}

static void dump(const struct probe *p)
{
	for (size_t i = 0; i < p->st.n || i < (size_t)p->nbt; i++)
		fprintf(stderr, "  #%zu ours %#" PRIx64 " cfa %#" PRIx64 " %s   bt %p\n", i,
			i < p->st.n ? p->st.frames[i].pc : 0,
			i < p->st.n ? p->st.frames[i].cfa : 0, fn_of(p, i),
			i < (size_t)p->nbt ? p->bt[i] : NULL);
	fprintf(stderr, "  end: %s\n", p->st.end ? p->st.end : "(null)");
}

/* Every return address equals backtrace()'s, frame counts agree, and the
 * walk ends at the outermost frame. */
static void check_bt(const struct probe *p, const char *what)
{
	int bad = 0;

	CHECK_STR(fn_of(p, 0), "grab");
	if (p->st.n != (size_t)p->nbt)
		bad++;
	for (size_t i = 1; i < p->st.n && i < (size_t)p->nbt; i++)
		if (p->st.frames[i].pc != (uint64_t)(uintptr_t)p->bt[i])
			bad++;
	if (!p->st.end || strcmp(p->st.end, "outermost") != 0)
		bad++;
	if (bad) {
		fprintf(stderr, "%s: %d mismatches with backtrace()\n", what, bad);
		dump(p);
		check_failures++;
	}
}

/* A fresh probe over this process. */
static void probe_init(struct probe *p)
{
	memset(p, 0, sizeof(*p));
	p->in.space = &space;
	p->in.dbg = dbg;
	p->in.mem = &self_mem;
}

/* ---- a recursion of noinline frames ---- */

#define DEPTH 8
static uint64_t rec_cfa[1024];
static int (*volatile recp)(int, struct probe *);

/* Calls through a volatile pointer: no tail call, no loop, real frames. */
static __attribute__((noinline)) int rec(int d, struct probe *p)
{
	if (d < 1024)
		rec_cfa[d] = (uint64_t)(uintptr_t)__builtin_dwarf_cfa();
	if (d == 0) {
		grab(p);
		return 1;
	}
	return recp(d - 1, p) + d;
}

/* Frames 1..DEPTH+1 are rec(0..DEPTH), with gcc's own idea of their CFA. */
static void test_recursion(void)
{
	static struct probe p;

	probe_init(&p);
	recp = rec;
	rec(DEPTH, &p);
	check_bt(&p, "recursion");
	for (int d = 0; d <= DEPTH && (size_t)d + 1 < p.st.n; d++) {
		const struct uw_frame *f = &p.st.frames[d + 1];
		CHECK_STR(fn_of(&p, d + 1), "rec");
		CHECK_EQ_U(f->cfa, rec_cfa[d]);
		CHECK_EQ_U(f->ret_slot, f->cfa - 8);
		CHECK(f->how == UW_CFI);
		CHECK(f->sp < f->cfa);
	}
	CHECK(p.st.frames[0].how == UW_REGS);
	/* a frame's return address is the next frame's pc, read from its slot */
	for (size_t i = 0; i + 1 < p.st.n; i++) {
		uint64_t v = 0;
		CHECK_EQ_U(p.st.frames[i].ret_addr, p.st.frames[i + 1].pc);
		CHECK(unwind_read(&p.in, &p.st, p.st.frames[i].ret_slot, &v, 8) == 0);
		CHECK_EQ_U(v, p.st.frames[i].ret_addr);
	}
	uw_stack_free(&p.st);
}

/* ---- the tracer's patched return addresses; the frame limit ---- */

struct fake_slot {
	uint64_t slot, value;
};

/* This process's memory with one slot showing a trampoline address. */
static int patched_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct fake_slot *fs = ctx;

	if (pid_read((void *)(intptr_t)self, addr, buf, len) != 0)
		return -1;
	for (unsigned b = 0; b < 8; b++)
		if (fs->slot + b >= addr && fs->slot + b - addr < len)
			((uint8_t *)buf)[fs->slot + b - addr] = (uint8_t)(fs->value >> (8 * b));
	return 0;
}

static struct fake_slot fake;
static struct mem_reader fake_mem = { &fake, patched_read };
static struct uw_patch patch;

/* Inside grab(): unwind again with frame 3's return slot showing a
 * "trampoline" address: with the patch the walk is unchanged. */
static void unwind_patched(struct probe *p)
{
	static struct probe q;

	if (p->st.n < 5)
		return;
	q = *p;
	memset(&q.st, 0, sizeof(q.st));
	fake.slot = p->st.frames[3].ret_slot;
	fake.value = 0x1000;      /* mapped nowhere */
	patch.slot = fake.slot;
	patch.orig = p->st.frames[3].ret_addr;
	q.in.mem = &fake_mem;
	unwind_thread(&q.in, &q.regs, &q.st);
	/* without the patch, the walk stops at the bogus address */
	CHECK(q.st.n == 5);
	CHECK_EQ_U(q.st.frames[3].ret_addr, 0x1000);
	CHECK_EQ_U(q.st.frames[4].pc, 0x1000);
	CHECK_STR(q.st.end, "pc not in code");
	q.in.patches = &patch;
	q.in.npatches = 1;
	unwind_thread(&q.in, &q.regs, &q.st);
	CHECK_EQ_U(q.st.n, p->st.n);
	for (size_t i = 0; i < q.st.n && i < p->st.n; i++) {
		CHECK_EQ_U(q.st.frames[i].pc, p->st.frames[i].pc);
		CHECK_EQ_U(q.st.frames[i].cfa, p->st.frames[i].cfa);
	}
	/* the frame limit */
	q.in.max_frames = 3;
	CHECK_EQ_U(unwind_thread(&q.in, &q.regs, &q.st), 3);
	CHECK_STR(q.st.end, "frame limit");
	CHECK_EQ_U(q.st.frames[2].ret_addr, p->st.frames[3].pc);
	uw_stack_free(&q.st);
}

static void test_patches(void)
{
	static struct probe p;

	probe_init(&p);
	p.then = unwind_patched;
	recp = rec;
	rec(4, &p);
	check_bt(&p, "patches");
	uw_stack_free(&p.st);
}

/* ---- frames inside libc: a qsort comparator ---- */

static struct probe *qprobe;

static int cmp(const void *a, const void *b)
{
	if (qprobe) {
		grab(qprobe);
		qprobe = NULL;
	}
	return *(const int *)a - *(const int *)b;
}

static void test_qsort(void)
{
	static struct probe p;
	int v[64];

	probe_init(&p);
	for (int i = 0; i < 64; i++)
		v[i] = (i * 37) % 64;
	qprobe = &p;
	qsort(v, 64, sizeof(v[0]), cmp);
	check_bt(&p, "qsort");
	CHECK(p.st.n > 4);
	/* at least one frame between cmp and this function is libc's */
	{
		const struct elf_module *exe = elfinfo_exe(&space.elf);
		bool libc = false;
		for (size_t i = 2; i < p.st.n; i++)
			if (p.st.frames[i].loc.mod && p.st.frames[i].loc.mod != exe)
				libc = true;
		CHECK(libc);
	}
	uw_stack_free(&p.st);
}

/* ---- signal frames ---- */

static struct probe *volatile sprobe;   /* shared with handlers */

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	if (sprobe)
		grab(sprobe);
}

/* The signal frame's pc is __restore_rt, and the frame it interrupted
 * has all its registers back (the trampoline's rules are expressions). */
static void check_signal_frames(const struct probe *p, uint64_t interrupted_pc)
{
	size_t k;

	for (k = 0; k < p->st.n && !p->st.frames[k].signal_frame; k++)
		;
	CHECK(k < p->st.n);
	if (k + 1 >= p->st.n)
		return;
	CHECK_STR(fn_of(p, k), "__restore_rt");
	CHECK_EQ_U(p->st.frames[k].nsaved, 16);   /* every register but rip */
	CHECK_EQ_U(p->st.frames[k + 1].valid, (1u << DW_NREGS) - 1);
	if (interrupted_pc)
		CHECK_EQ_U(p->st.frames[k + 1].pc, interrupted_pc);
}

static void test_raise(void)
{
	static struct probe p;
	struct sigaction sa = { .sa_sigaction = on_signal, .sa_flags = SA_SIGINFO };

	probe_init(&p);
	sigaction(SIGUSR1, &sa, NULL);
	sprobe = &p;
	raise(SIGUSR1);
	sprobe = NULL;
	check_bt(&p, "raise");
	check_signal_frames(&p, 0);
	uw_stack_free(&p.st);
}

/* ud2 as a function's very first instruction: the frame interrupted there
 * must be looked up at its pc, not pc - 1 (which is another function). */
__asm__(".text\n"
	".p2align 4\n"
	".type trap_first, @function\n"
	"trap_first:\n"
	".cfi_startproc\n"
	"ud2\n"
	"ret\n"
	".cfi_endproc\n"
	".size trap_first, .-trap_first\n");
void trap_first(void);

static volatile uint64_t trap_pc;

static void on_sigill(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig, (void)si;
	trap_pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	if (sprobe)
		grab(sprobe);
	uc->uc_mcontext.gregs[REG_RIP] += 2;      /* skip the ud2 */
}

static __attribute__((noinline)) void call_trap(void)
{
	trap_first();
	__asm__ volatile("" ::: "memory");
}

static void test_sigill(bool altstack)
{
	static struct probe p;
	static char alt[64 << 10];
	struct sigaction sa = { .sa_sigaction = on_sigill, .sa_flags = SA_SIGINFO };
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof(alt) };

	probe_init(&p);
	if (altstack) {
		sigaltstack(&ss, NULL);
		sa.sa_flags |= SA_ONSTACK;
	}
	sigaction(SIGILL, &sa, NULL);
	sprobe = &p;
	call_trap();
	sprobe = NULL;
	check_bt(&p, altstack ? "sigill on sigaltstack" : "sigill");
	CHECK_EQ_U(trap_pc, (uint64_t)(uintptr_t)trap_first);
	check_signal_frames(&p, trap_pc);
	if (altstack) {
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
		/* grab() ran on the alternate stack, the rest on the main one */
		CHECK(p.st.frames[0].sp >= (uint64_t)(uintptr_t)alt &&
		      p.st.frames[0].sp < (uint64_t)(uintptr_t)alt + sizeof(alt));
	}
	uw_stack_free(&p.st);
}

/* ---- a timer signal landing inside the vdso ---- */

/* Where the interrupted pc must be for a sample to count. */
static bool (*volatile sample_ok)(uint64_t pc);
static volatile int sample_hit;

static void on_alarm(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint64_t pc = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];

	(void)sig, (void)si;
	if (!sample_hit && sprobe && sample_ok && sample_ok(pc)) {
		trap_pc = pc;
		grab(sprobe);
		sample_hit = 1;
	}
}

/* Run work() under a 200 us timer until a signal lands where ok() wants
 * (at most 2 s); then the unwind from the handler must match backtrace(),
 * the interrupted frame being looked up at its exact pc.  The index of the
 * interrupted frame, or 0 if no signal landed. */
static size_t sample(struct probe *p, const char *what, bool (*ok)(uint64_t),
		     void (*work)(void))
{
	struct sigaction sa = { .sa_sigaction = on_alarm, .sa_flags = SA_SIGINFO };
	struct itimerval it = { { 0, 200 }, { 0, 200 } }, off = { { 0, 0 }, { 0, 0 } };
	double t0 = now_ms();
	size_t k;

	probe_init(p);
	sigaction(SIGALRM, &sa, NULL);
	sample_ok = ok;
	sample_hit = 0;
	sprobe = p;
	setitimer(ITIMER_REAL, &it, NULL);
	while (!sample_hit && now_ms() - t0 < 2000)
		work();
	setitimer(ITIMER_REAL, &off, NULL);
	sprobe = NULL;
	if (!sample_hit) {
		printf("%s: skipped (no signal landed there)\n", what);
		return 0;
	}
	check_bt(p, what);
	check_signal_frames(p, trap_pc);
	for (k = 0; k < p->st.n && !p->st.frames[k].signal_frame; k++)
		;
	return k + 1 < p->st.n ? k + 1 : 0;
}

static uint64_t vdso_lo, vdso_hi;

static bool in_vdso(uint64_t pc)
{
	return pc >= vdso_lo && pc < vdso_hi;
}

static void poll_clock(void)
{
	struct timespec ts;

	for (int i = 0; i < 1000; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
}

/* A program polling the clock, interrupted inside the vdso. */
static void test_vdso(void)
{
	static struct probe p;
	const struct region *r = space_find(&space, getauxval(AT_SYSINFO_EHDR));
	size_t k;

	if (!r || r->kind != RK_VDSO) {
		printf("vdso: skipped (no [vdso])\n");
		return;
	}
	vdso_lo = r->start;
	vdso_hi = r->end;
	k = sample(&p, "vdso", in_vdso, poll_clock);
	if (k) {
		const char *fn = fn_of(&p, k);
		CHECK(strstr(fn, "clock_gettime") != NULL);   /* __vdso_clock_gettime */
		/* its caller was found with the vdso's own CFI */
		CHECK(k + 1 < p.st.n && p.st.frames[k + 1].how == UW_CFI);
		printf("vdso: interrupted in %s+%#" PRIx64 ", %zu frames\n", fn,
		       p.st.frames[k].loc.fn_off, p.st.n);
	}
	uw_stack_free(&p.st);
}

/* ---- another thread: its stack is an mmap region, clone3 the end ---- */

static void *thread_main(void *arg)
{
	char *cause = NULL;

	/* see this thread's stack (an mmap region) in the space */
	if (space_read(&space, self, &cause) != 0)
		free(cause);
	recp = rec;
	rec(3, arg);
	return NULL;
}

static void test_thread(void)
{
	static struct probe p;
	pthread_t t;

	probe_init(&p);
	pthread_create(&t, NULL, thread_main, &p);
	pthread_join(t, NULL);
	check_bt(&p, "thread");
	CHECK(p.st.win_len > 0);  /* the thread's stack was read at once */
	CHECK_STR(fn_of(&p, p.st.n - 1), "clone3");
	uw_stack_free(&p.st);
}

/* ---- a function without CFI: the frame-pointer chain ---- */

/* fp_tramp(fn, arg): a classic rbp frame, no .cfi directives at all. */
__asm__(".text\n"
	".p2align 4\n"
	".type fp_tramp, @function\n"
	"fp_tramp:\n"
	"push %rbp\n"
	"mov %rsp, %rbp\n"
	"mov %rdi, %rax\n"
	"mov %rsi, %rdi\n"
	"call *%rax\n"
	"pop %rbp\n"
	"ret\n"
	".size fp_tramp, .-fp_tramp\n");
void fp_tramp(void (*fn)(void *), void *arg);

static struct probe fp_before;    /* backtrace() from fp_caller */

static void fp_callee(void *arg)
{
	grab(arg);
	__asm__ volatile("" ::: "memory");       /* no tail call */
}

static __attribute__((noinline)) void fp_caller(struct probe *p)
{
	fp_before.nbt = backtrace(fp_before.bt, MAXBT);
	skip_interceptor(&fp_before, "fp_caller");
	fp_tramp(fp_callee, p);
	__asm__ volatile("" ::: "memory");
}

static void test_fp(void)
{
	static struct probe p;
	size_t k;

	probe_init(&p);
	fp_caller(&p);
	/* backtrace() (libgcc) stops at fp_tramp: it has no FDE */
	for (k = 0; k < p.st.n && strcmp(fn_of(&p, k), "fp_tramp") != 0; k++)
		;
	CHECK(k + 1 < p.st.n);
	if (k + 1 >= p.st.n) {
		dump(&p);
		return;
	}
	CHECK(p.st.frames[k].how == UW_CFI);
	CHECK(p.st.frames[k + 1].how == UW_FP);
	CHECK(strncmp(fn_of(&p, k + 1), "fp_caller", 9) == 0);    /* or a clone */
	CHECK_EQ_U(p.st.frames[k].nsaved, 1);
	CHECK_EQ_U(p.st.frames[k].saved[0].reg, DW_REG_RBP);
	/* past fp_caller, the frames are those backtrace() saw from it */
	CHECK_EQ_U(p.st.n - (k + 1), (size_t)fp_before.nbt);
	for (size_t i = 1; i < (size_t)fp_before.nbt && k + 1 + i < p.st.n; i++)
		CHECK_EQ_U(p.st.frames[k + 1 + i].pc, (uint64_t)(uintptr_t)fp_before.bt[i]);
	CHECK_STR(p.st.end, "outermost");
	uw_stack_free(&p.st);
}

/* ---- a child stopped in libc, against gdb ---- */

static int (*volatile child_recp)(int);

static void (*volatile bad_fn)(void) = (void (*)(void))0x10;
static int child_mode;            /* 0: raise(SIGSTOP); 1: call 0x10;
				     2: malloc and free forever */

static __attribute__((noinline)) void churn(void)
{
	static void *keep[64];

	for (unsigned i = 0;; i++) {
		free(keep[i % 64]);
		keep[i % 64] = malloc((size_t)(i * 37 % 2000) + 1);
	}
}

static __attribute__((noinline)) int child_rec(int d)
{
	if (d == 0) {
		if (child_mode == 1)
			bad_fn();
		else if (child_mode == 2)
			churn();
		else
			raise(SIGSTOP);
		return 0;
	}
	return child_recp(d - 1) + d;
}

/* Is pc in the process's malloc or free, or the functions they call? */
static bool in_malloc(const struct space *sp, uint64_t pc)
{
	const char *name;
	const struct elf_module *m;

	return elfinfo_symbolize(&sp->elf, pc, &name, NULL, &m) == 0 && !m->is_exe &&
	       (strstr(name, "malloc") || strstr(name, "free"));
}

/* Stop the traced child as its mode says: it stops itself (modes 0, 1),
 * or it is stopped with SIGSTOP at random moments until its pc is in
 * malloc or free (mode 2, at most 2 s).  Its registers and space; false
 * if that did not happen. */
static bool stop_child(pid_t pid, int mode, struct user_regs_struct *regs, struct space *sp)
{
	char *cause = NULL;
	double t0 = now_ms();
	int status;

	if (mode != 2) {
		bool ok = waitpid(pid, &status, 0) == pid && WIFSTOPPED(status) &&
			  ptrace(PTRACE_GETREGS, pid, 0, regs) == 0 &&
			  space_read(sp, pid, &cause) == 0;
		free(cause);
		return ok;
	}
	while (now_ms() - t0 < 2000) {
		usleep(100 + (unsigned)(now_ms() * 1000) % 300);
		kill(pid, SIGSTOP);
		if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
		    ptrace(PTRACE_GETREGS, pid, 0, regs) != 0 || space_read(sp, pid, &cause) != 0)
			break;
		if (in_malloc(sp, regs->rip))
			return true;
		ptrace(PTRACE_CONT, pid, 0, 0);   /* the SIGSTOP is dropped */
	}
	free(cause);
	return false;
}

/* gdb's view of each physical frame: pc, CFA ("frame at" of `info
 * frame`), function name, and the saved registers `info frame` lists.
 * gdb also shows inlined calls and tail calls it
 * deduces from call-site info as frames: those are skipped (they share a
 * physical frame); a frame whose caller is such a tail call has its
 * return address listed by gdb under that caller, not as its own "rip".
 * gdb stops at main unless told otherwise. */
static const char gdb_script[] =
	"import gdb, re\n"
	"gdb.execute('set backtrace past-main on')\n"
	"gdb.execute('set backtrace past-entry on')\n"
	"f = gdb.newest_frame()\n"
	"while f is not None:\n"
	"    if f.type() not in (gdb.INLINE_FRAME, gdb.TAILCALL_FRAME):\n"
	"        f.select()\n"
	"        t = gdb.execute('info frame', to_string=True)\n"
	"        m = re.search(r'frame at (0x[0-9a-f]+)', t)\n"
	"        o = f.older()\n"
	"        tc = 1 if o is not None and o.type() == gdb.TAILCALL_FRAME else 0\n"
	"        print('F %x %s %s %d' % (f.pc(), m.group(1) if m else '0', f.name(), tc))\n"
	"        if 'Saved registers:' in t:\n"
	"            saved = t.split('Saved registers:')[1]\n"
	"            for r, a in re.findall(r'(\\w+) at (0x[0-9a-f]+)', saved):\n"
	"                print('R %s %s' % (r, a))\n"
	"    f = f.older()\n";

struct gdb_frame {
	uint64_t pc, cfa;
	char name[128];
	int tailcall;             /* gdb's caller of it is a tail call frame */
	char reg[DW_NREGS + 8][8];        /* saved registers and their slots */
	uint64_t slot[DW_NREGS + 8];
	int nsaved;
};

/* Run gdb on the stopped pid; the frames it prints, or -1. */
static int gdb_frames(pid_t pid, struct gdb_frame *g, int max)
{
	char script[] = "/tmp/memviz_unwind_XXXXXX.py", cmd[256], line[512];
	int fd = mkstemps(script, 3), n = 0;
	FILE *f;

	if (fd < 0 || write(fd, gdb_script, sizeof(gdb_script) - 1) < 0)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd), "gdb -batch -nx -p %d -x %s 2>/dev/null", (int)pid, script);
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f)) {
		struct gdb_frame *c = n > 0 ? &g[n - 1] : NULL;
		if (n < max && sscanf(line, "F %" SCNx64 " %" SCNx64 " %127s %d", &g[n].pc,
				      &g[n].cfa, g[n].name, &g[n].tailcall) == 4)
			g[n++].nsaved = 0;
		else if (c && c->nsaved < DW_NREGS + 8 &&
			 sscanf(line, "R %7s %" SCNx64, c->reg[c->nsaved],
				&c->slot[c->nsaved]) == 2)
			c->nsaved++;
	}
	if (f)
		pclose(f);
	unlink(script);
	return n;
}

/* The name without a clone suffix ("f.constprop.0" is f) or glibc's
 * internal alias prefix ("__GI_raise" is raise). */
static void base_name(const char *s, char *out, size_t n)
{
	if (strncmp(s, "__GI_", 5) == 0)
		s += 5;
	snprintf(out, n, "%.*s", (int)strcspn(s, ".@"), s);
}

/* Do gdb's name and ours name the same function of module m: equal base
 * names, or two symbols at one address (glibc's aliases)? */
static bool same_function(const char *gdb_name, const char *ours, const struct elf_module *m)
{
	char a[128], b[128];
	const struct elf_symbol *sa, *sb;

	base_name(gdb_name, a, sizeof(a));
	base_name(ours, b, sizeof(b));
	if (strcmp(a, b) == 0)
		return true;
	/* a C++ function (libasan's free under ASan): gdb says
	 * "__asan::asan_free", the symbol is mangled or (a static one) bare */
	if (strstr(gdb_name, "::")) {
		const char *last = strrchr(gdb_name, ':') + 1;
		if (strncmp(ours, "_Z", 2) == 0)
			return strstr(ours, last) != NULL;
		if (strcmp(ours, last) == 0)
			return true;
	}
	sa = m ? elf_file_symbol(m->ef, a) : NULL;
	sb = m ? elf_file_symbol(m->ef, b) : NULL;
	return sa && sb && sa->value == sb->value;
}

/* Does frame f list the same saved registers and slots as gdb (rip is
 * the return address slot)? */
static bool same_saved(const struct uw_frame *f, const struct gdb_frame *g)
{
	size_t ours = f->nsaved + (f->ret_slot != 0 && !g->tailcall);

	if ((size_t)g->nsaved != ours)
		return false;
	for (int k = 0; k < g->nsaved; k++) {
		bool found = strcmp(g->reg[k], "rip") == 0 && g->slot[k] == f->ret_slot;
		for (size_t j = 0; j < f->nsaved && !found; j++)
			found = strcmp(g->reg[k], dwexpr_reg_name(f->saved[j].reg)) == 0 &&
				g->slot[k] == f->saved[j].slot;
		if (!found)
			return false;
	}
	return true;
}

/* mode 0: a child stopped in libc at the bottom of a recursion; mode 1:
 * one that called a function pointer holding 0x10 (SIGSEGV at pc 0x10);
 * mode 2: one stopped inside malloc or free. */
static void test_child_gdb(int mode)
{
	struct user_regs_struct regs;
	struct uw_stack st = { 0 };
	struct space csp;
	struct gdb_frame g[64];
	struct mem_reader cmem;
	struct uw_input in;
	char *cause = NULL;
	int status, ng, bad = 0, nsaved = 0;
	pid_t pid;

	if (system("command -v gdb >/dev/null 2>&1") != 0) {
		printf("child vs gdb: skipped (no gdb)\n");
		return;
	}
	child_recp = child_rec;
	child_mode = mode;
	pid = fork();
	if (pid == 0) {
		/* let gdb attach even under Yama's ptrace_scope 1 */
		prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		child_rec(5);
		_exit(0);
	}
	space_init(&csp);
	if (!stop_child(pid, mode, &regs, &csp)) {
		CHECK(mode == 2);         /* only the sampling may miss */
		printf("child (mode %d): skipped (did not stop as planned)\n", mode);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		space_free(&csp);
		return;
	}
	cmem.ctx = (void *)(intptr_t)pid;
	cmem.read = pid_read;
	in = (struct uw_input){ .space = &csp, .dbg = dbg, .mem = &cmem };
	unwind_thread(&in, &regs, &st);
	/* leave it stopped for gdb: detach into a group-stop */
	ptrace(PTRACE_DETACH, pid, 0, SIGSTOP);
	ng = gdb_frames(pid, g, 64);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (ng <= 0) {
		printf("child vs gdb: skipped (gdb could not attach)\n");
		goto out;
	}
	if ((size_t)ng != st.n)
		bad++;
	for (size_t i = 0; i < st.n && i < (size_t)ng; i++) {
		const struct uw_frame *f = &st.frames[i];
		/* gdb says "frame at 0x0" for the outermost frame */
		bool no_fn = !f->loc.fn && strcmp(g[i].name, "None") == 0;   /* ?? () */
		if (f->pc != g[i].pc || (g[i].cfa && f->cfa != g[i].cfa) ||
		    (!no_fn && (!f->loc.fn || !same_function(g[i].name, f->loc.fn, f->loc.mod))) ||
		    !same_saved(f, &g[i]))
			bad++;
		nsaved += g[i].nsaved;
	}
	if (bad) {
		fprintf(stderr, "child (mode %d) vs gdb: %d mismatches\n", mode, bad);
		for (size_t i = 0; i < st.n || i < (size_t)ng; i++) {
			fprintf(stderr, "  #%zu ours %#" PRIx64 " cfa %#" PRIx64 " %s | gdb %#"
				PRIx64 " cfa %#" PRIx64 " %s\n", i, i < st.n ? st.frames[i].pc : 0,
				i < st.n ? st.frames[i].cfa : 0,
				i < st.n && st.frames[i].loc.fn ? st.frames[i].loc.fn : "?",
				i < (size_t)ng ? g[i].pc : 0, i < (size_t)ng ? g[i].cfa : 0,
				i < (size_t)ng ? g[i].name : "-");
			for (size_t j = 0; i < st.n && j < st.frames[i].nsaved; j++)
				fprintf(stderr, "     ours %s at %#" PRIx64 "\n",
					dwexpr_reg_name(st.frames[i].saved[j].reg),
					st.frames[i].saved[j].slot);
			if (i < st.n)
				fprintf(stderr, "     ours rip at %#" PRIx64 "\n",
					st.frames[i].ret_slot);
			for (int j = 0; i < (size_t)ng && j < g[i].nsaved; j++)
				fprintf(stderr, "     gdb %s at %#" PRIx64 "\n", g[i].reg[j],
					g[i].slot[j]);
		}
		check_failures++;
	}
	CHECK_STR(st.end, "outermost");
	CHECK(nsaved > ng);       /* gdb listed saved registers to compare */
	if (mode == 1) {
		CHECK_EQ_U(st.frames[0].pc, 0x10);
		CHECK(st.n > 1 && st.frames[1].how == UW_ENTRY);
	}
	if (mode == 2)
		printf("child stopped in %s: %zu frames compared with gdb\n",
		       st.frames[0].loc.fn, st.n);
out:
	free(cause);
	uw_stack_free(&st);
	space_free(&csp);
}

/* ---- cfi_find against readelf's decoded frame tables ---- */

/* One row of `readelf --debug-dump=frames-interp`. */
struct re_row {
	uint64_t loc;
	char val[DW_NREGS + 1][12];       /* [0] the CFA, then column i+1 */
};

struct re_fde {
	uint64_t lo, hi;
	int col[DW_NREGS + 1];            /* column -> DWARF register */
	int ncol;
	struct re_row rows[256];
	int nrows;
};

/* The DWARF number of readelf's column name (ra is rip). */
static int reg_number(const char *name)
{
	if (strcmp(name, "ra") == 0)
		return DW_REG_RIP;
	for (int r = 0; r < DW_NREGS; r++)
		if (strcmp(dwexpr_reg_name(r), name) == 0)
			return r;
	return -1;
}

/* Does our rule for register r match readelf's text for it? */
static bool rule_matches(const struct cfi_rule *rule, const char *t)
{
	long n;

	if (strcmp(t, "u") == 0)          /* undefined, or never set */
		return rule->kind == CFI_UNDEF || rule->kind == CFI_SAME;
	if (strcmp(t, "s") == 0)
		return rule->kind == CFI_SAME;
	if (strcmp(t, "exp") == 0)
		return rule->kind == CFI_EXPR;
	if (strcmp(t, "vexp") == 0)
		return rule->kind == CFI_VAL_EXPR;
	if (sscanf(t, "c%ld", &n) == 1)
		return rule->kind == CFI_OFFSET && rule->off == n;
	if (sscanf(t, "v%ld", &n) == 1)
		return rule->kind == CFI_VAL_OFFSET && rule->off == n;
	if (t[0] == 'r' && sscanf(t + 1, "%ld", &n) == 1)
		return rule->kind == CFI_REG && rule->reg == n;
	return false;
}

/* Does our row at pc match readelf's row? */
static bool row_matches(struct cfi *c, const struct re_fde *f, const struct re_row *r, uint64_t pc)
{
	struct cfi_row row;
	char reg[16];
	long off;

	if (cfi_find(c, pc, &row) != 0)
		return false;
	if (strcmp(r->val[0], "exp") == 0) {
		if (!row.cfa_is_expr)
			return false;
	} else if (sscanf(r->val[0], "%15[a-z0-9]%ld", reg, &off) != 2 || row.cfa_is_expr ||
		   row.cfa_reg != reg_number(reg) || row.cfa_off != off) {
		return false;
	}
	for (int i = 0; i < f->ncol; i++)
		if (f->col[i] >= 0 && !rule_matches(&row.regs[f->col[i]], r->val[i + 1]))
			return false;
	return true;
}

/* Check every row of one FDE at its first and last pc. */
static void check_fde(struct cfi *c, const struct re_fde *f, int *rows, int *bad)
{
	for (int i = 0; i < f->nrows; i++) {
		uint64_t lo = f->rows[i].loc, hi = i + 1 < f->nrows ? f->rows[i + 1].loc : f->hi;
		if (hi <= lo)
			continue;
		(*rows)++;
		if (!row_matches(c, f, &f->rows[i], lo) ||
		    !row_matches(c, f, &f->rows[i], hi - 1)) {
			if (*bad < 5)
				fprintf(stderr, "cfi row at %#" PRIx64 " differs from readelf's "
					"(CFA %s)\n", lo, f->rows[i].val[0]);
			(*bad)++;
		}
	}
}

/* Parse readelf's frame tables of path; compare every FDE row with c's.
 * Rows of .eh_frame FDEs only unless debug_frame (then .debug_frame's). */
static int check_readelf(const char *path, struct cfi *c, bool debug_frame, int *bad)
{
	char cmd[512], line[1024];
	static struct re_fde f;
	bool in_fde = false, in_section = false;
	int rows = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "readelf --debug-dump=frames-interp '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		char *tok, *save;
		if (strncmp(line, "Contents of the ", 16) == 0) {
			in_section = strstr(line, debug_frame ? ".debug_frame" : ".eh_frame");
			continue;
		}
		if (strstr(line, " FDE ") || strstr(line, " CIE") ||
		    strstr(line, "ZERO terminator")) {
			const char *pc = strstr(line, "pc=");
			if (in_fde)
				check_fde(c, &f, &rows, bad);
			in_fde = in_section && strstr(line, " FDE ") && pc &&
				 sscanf(pc, "pc=%" SCNx64 "..%" SCNx64, &f.lo, &f.hi) == 2;
			f.nrows = f.ncol = 0;
			continue;
		}
		if (!in_fde)
			continue;
		if (strncmp(line, "   LOC", 6) == 0) {
			strtok_r(line, " \n", &save);    /* LOC */
			strtok_r(NULL, " \n", &save);    /* CFA */
			while ((tok = strtok_r(NULL, " \n", &save)) && f.ncol < DW_NREGS)
				f.col[f.ncol++] = reg_number(tok);
			continue;
		}
		if (line[0] != ' ' && line[0] != '\n' && f.nrows < 256) {
			struct re_row *r = &f.rows[f.nrows];
			int k = 0;
			tok = strtok_r(line, " \n", &save);
			if (!tok || sscanf(tok, "%" SCNx64, &r->loc) != 1)
				continue;
			/* "r9 (r9)": a register rule carries its name after it */
			while ((tok = strtok_r(NULL, " \n", &save)) && k <= f.ncol)
				if (tok[0] != '(')
					snprintf(r->val[k++], sizeof(r->val[0]), "%s", tok);
			if (k == f.ncol + 1)
				f.nrows++;
		}
	}
	if (in_fde)
		check_fde(c, &f, &rows, bad);
	if (p)
		pclose(p);
	return rows;
}

/* Whole file in memory. */
static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = xmalloc((size_t)n);
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	if (f)
		fclose(f);
	return buf;
}

/* cfi_find on libc (from the file and from memory), this executable, and
 * a program with .debug_frame only, row by row against readelf. */
static void test_cfi(void)
{
	const struct elf_module *libc = NULL;
	char *cause = NULL, dir[] = "/tmp/memviz_cfi_XXXXXX", src[64], exe[64], cmd[256];
	struct cfi *c;
	struct elf_file *ef;
	int rows, bad = 0;
	size_t len;
	void *img;
	FILE *f;

	for (size_t i = 0; i < space.elf.n; i++)
		if (strstr(space.elf.mods[i].ef->path, "/libc.so"))
			libc = &space.elf.mods[i];
	CHECK(libc != NULL);
	if (!libc)
		return;
	c = cfi_open(libc->ef, &cause);
	CHECK(c != NULL);
	rows = check_readelf(libc->ef->path, c, false, &bad);
	printf("cfi: libc %d rows like readelf's, %d differ; ", rows - bad, bad);
	CHECK(rows > 5000 && bad == 0);
	cfi_free(c);
	img = slurp(libc->ef->path, &len);
	c = img ? cfi_open_memory(img, len, &cause) : NULL;
	CHECK(c != NULL);
	bad = 0;
	rows = check_readelf(libc->ef->path, c, false, &bad);
	printf("from memory %d, %d differ; ", rows - bad, bad);
	CHECK(rows > 5000 && bad == 0);
	cfi_free(c);
	free(img);
	c = cfi_open(elfinfo_exe(&space.elf)->ef, &cause);
	bad = 0;
	rows = check_readelf(elfinfo_exe(&space.elf)->ef->path, c, false, &bad);
	printf("this test %d, %d differ; ", rows - bad, bad);
	CHECK(rows > 50 && bad == 0);
	cfi_free(c);
	/* .debug_frame: gcc writes it instead of .eh_frame without unwind tables */
	if (!mkdtemp(dir))
		return;
	snprintf(src, sizeof(src), "%s/df.c", dir);
	snprintf(exe, sizeof(exe), "%s/df", dir);
	f = fopen(src, "w");
	fputs("#include <stdio.h>\n"
	      "__attribute__((noinline)) long f(long *a, int n) { long s = 0;\n"
	      "  for (int i = 0; i < n; i++) s += a[i] * printf(\"%d\", i); return s; }\n"
	      "int main(void) { long a[3] = { 1, 2, 3 }; return (int)f(a, 3); }\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -g -O2 -fno-asynchronous-unwind-tables -o %s %s", exe, src);
	if (system(cmd) == 0 && (ef = elf_file_open(exe, &cause)) != NULL) {
		c = cfi_open(ef, &cause);
		CHECK(c != NULL);
		bad = 0;
		rows = c ? check_readelf(exe, c, true, &bad) : 0;
		printf(".debug_frame %d, %d differ\n", rows - bad, bad);
		CHECK(rows >= 4 && bad == 0);
		cfi_free(c);
		elf_file_free(ef);
	}
	unlink(exe);
	unlink(src);
	rmdir(dir);
	free(cause);
}

/* ---- 1,000 frames, timed ---- */

static void test_deep(void)
{
	static struct probe p;
	struct debuginfo *cold = debuginfo_new(), *warm = dbg;

	probe_init(&p);
	p.in.dbg = cold;
	recp = rec;
	rec(1000, &p);
	check_bt(&p, "1000 deep");
	printf("unwind of %zu frames: %.3f ms cold (CFI and DWARF opened), ", p.st.n, p.ms);
	uw_stack_free(&p.st);
	probe_init(&p);
	p.in.dbg = cold;
	rec(1000, &p);
	check_bt(&p, "1000 deep, warm");
	printf("%.3f ms warm\n", p.ms);
#ifndef __SANITIZE_ADDRESS__
	CHECK(p.ms < 10);
#endif
	uw_stack_free(&p.st);
	debuginfo_free(cold);
	(void)warm;
}

int main(void)
{
	char *cause = NULL;

	self = getpid();
	self_mem.ctx = (void *)(intptr_t)self;
	self_mem.read = pid_read;
	{
		/* load libgcc_s now, so backtrace() does not dlopen it inside
		 * a signal handler or a thread */
		void *b[4];
		backtrace(b, 4);
	}
	space_init(&space);
	if (space_read(&space, self, &cause) != 0) {
		fprintf(stderr, "space_read: %s\n", cause);
		return 1;
	}
	dbg = debuginfo_new();
	test_recursion();
	test_patches();
	test_qsort();
	test_raise();
	test_sigill(false);
	test_sigill(true);
	test_thread();
	test_vdso();
	test_fp();
	test_child_gdb(0);
	test_child_gdb(1);
	test_child_gdb(2);
	test_cfi();
	test_deep();
	debuginfo_free(dbg);
	space_free(&space);
	CHECK_DONE();
}
