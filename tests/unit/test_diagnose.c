/*
 * test_diagnose.c - the bug detectors on synthetic events and snapshots,
 * no process: a fake one behind diagnose_ops (memory as byte arrays, the
 * debug registers as a table, a hand-made heap walk, named code ranges).
 *
 * Per detector: what it reports (kind, addr, at) and what it must not
 * (the usual case, the allocator's own accesses, a second sighting).
 */
#include <signal.h>
#include <sys/user.h>

#include "check.h"
#include "diagnose.h"

/* The fake address space. */
#define CODE_LO 0x400000u         /* the executable: main, then greet */
#define GREET 0x400100u
#define CODE_HI 0x400200u
#define LIBC_LO 0x7f0000000000ull /* libc: memcpy, then _int_malloc */
#define INT_MALLOC 0x7f0000000100ull
#define HEAP_LO 0x500000u
#define STACK_LO 0x7ffd0000u
#define MEM 0x1000u

struct fake {
	uint8_t code[CODE_HI - CODE_LO], heap[MEM], stack[MEM];
	struct { uint64_t addr; int len; bool on; } w[DIAG_WATCH_SLOTS];
	uint64_t slots[4], origs[4];
	size_t nhidden;
	uint64_t tramp;
	struct heap_state walk;
	int walks;
	struct diag_frame frames[4];
	size_t nframes;
	struct user_regs_struct regs;
};

/* The byte array holding [a, a + n), or NULL. */
static uint8_t *mem_at(struct fake *f, uint64_t a, size_t n)
{
	if (a >= CODE_LO && a + n <= CODE_HI)
		return f->code + (a - CODE_LO);
	if (a >= HEAP_LO && a + n <= HEAP_LO + MEM)
		return f->heap + (a - HEAP_LO);
	if (a >= STACK_LO && a + n <= STACK_LO + MEM)
		return f->stack + (a - STACK_LO);
	return NULL;
}

static void poke64(struct fake *f, uint64_t a, uint64_t v)
{
	memcpy(mem_at(f, a, 8), &v, 8);
}

static int f_read(void *ctx, uint64_t a, void *buf, size_t n)
{
	uint8_t *p = mem_at(ctx, a, n);

	if (!p)
		return -1;
	memcpy(buf, p, n);
	return 0;
}

static int f_regs(void *ctx, pid_t tid, struct user_regs_struct *r)
{
	(void)tid;
	*r = ((struct fake *)ctx)->regs;
	return 0;
}

static int f_watch(void *ctx, int slot, uint64_t addr, int len)
{
	struct fake *f = ctx;

	f->w[slot].addr = addr;
	f->w[slot].len = len;
	f->w[slot].on = true;
	return 0;
}

static int f_unwatch(void *ctx, int slot)
{
	((struct fake *)ctx)->w[slot].on = false;
	return 0;
}

static size_t f_hidden(void *ctx, pid_t tid, uint64_t *slots, uint64_t *origs, size_t max)
{
	struct fake *f = ctx;

	(void)tid;
	for (size_t i = 0; i < f->nhidden && i < max; i++) {
		slots[i] = f->slots[i];
		origs[i] = f->origs[i];
	}
	return f->nhidden;
}

static uint64_t f_tramp(void *ctx)
{
	return ((struct fake *)ctx)->tramp;
}

static const struct heap_state *f_heap_now(void *ctx)
{
	struct fake *f = ctx;

	f->walks++;
	return &f->walk;
}

static size_t f_frames(void *ctx, pid_t tid, struct diag_frame *out, size_t max)
{
	struct fake *f = ctx;

	(void)tid;
	for (size_t i = 0; i < f->nframes && i < max; i++)
		out[i] = f->frames[i];
	return f->nframes;
}

static const char *f_symbol(void *ctx, uint64_t a)
{
	(void)ctx;
	if (a >= CODE_LO && a < CODE_HI)
		return a < GREET ? "main" : "greet";
	if (a >= LIBC_LO && a < LIBC_LO + 0x200)
		return a < INT_MALLOC ? "memcpy" : "_int_malloc";
	return NULL;
}

/* Executable addresses are on line (addr - CODE_LO) / 4 of t.c. */
static void f_locate(void *ctx, uint64_t a, bool call_ret, struct code_loc *out)
{
	memset(out, 0, sizeof(*out));
	if (call_ret)
		a--;
	out->fn = f_symbol(ctx, a);
	if (a >= CODE_LO && a < CODE_HI) {
		out->file = "t.c";
		out->line = (int)((a - CODE_LO) / 4);
	}
}

static bool f_in_exe(void *ctx, uint64_t a)
{
	(void)ctx;
	return a >= CODE_LO && a < CODE_HI;
}

static struct diagnose *start_as(struct fake *f, unsigned stop_mask, bool attached)
{
	const struct diagnose_ops ops = {
		.ctx = f, .read = f_read, .regs = f_regs, .watch = f_watch, .unwatch = f_unwatch,
		.hidden_returns = f_hidden, .trampoline = f_tramp, .heap_now = f_heap_now,
		.frames = f_frames, .locate = f_locate, .in_exe = f_in_exe, .symbol = f_symbol,
	};
	const struct diagnose_opts o = { .stop_mask = stop_mask, .attached = attached };

	memset(f, 0, sizeof(*f));
	heap_state_init(&f->walk);
	return diagnose_new(&ops, &o);
}

static struct diagnose *start(struct fake *f, unsigned stop_mask)
{
	return start_as(f, stop_mask, false);
}

static void finish(struct fake *f, struct diagnose *d)
{
	diagnose_free(d);
	heap_state_free(&f->walk);
}

static struct event ev_of(enum ev_kind k, uint64_t a0, uint64_t a1, uint64_t ret, uint64_t site)
{
	struct event e = { .kind = k, .pid = 100, .tid = 100, .args = { a0, a1 }, .nargs = 2,
			   .has_ret = true, .ret = ret, .call_site = site, .pc = site };
	return e;
}

/* Feed an event, then (if it is reported) a snapshot with nothing in
 * it; returns the stop's diagnostic count, *diags = them. */
static size_t stop(struct diagnose *d, struct snapshot *snap, const struct event *ev,
		   const struct diag **diags)
{
	snap->ev = *ev;
	snap->ndiags = 0;
	if (!diagnose_event(d, ev))
		return (size_t)-1;           /* resumed silently */
	diagnose_stop(d, snap);
	*diags = snap->diags;
	return snap->ndiags;
}

/* How many debug registers watch [a, a + 8)? */
static int watching(const struct fake *f, uint64_t a)
{
	int n = 0;

	for (int i = 0; i < DIAG_WATCH_SLOTS; i++)
		n += f->w[i].on && f->w[i].addr == a;
	return n;
}

/* One glibc chunk in f's walk. */
static void walk_chunk(struct fake *f, uint64_t addr, uint64_t size, enum chunk_state st,
		       enum chunk_bin bin)
{
	struct heap_arena *a = f->walk.n ? &f->walk.arenas[0] : heap_add_arena(&f->walk, "main");
	struct heap_chunk *c = heap_add_chunk(a);

	f->walk.model = "glibc";
	f->walk.user_off = 16;
	f->walk.bins_known = true;
	a->start = HEAP_LO;
	a->end = HEAP_LO + MEM;
	c->addr = addr;
	c->size = size;
	c->state = st;
	c->bin = bin;
}

/* ---- double and invalid free, use after free ------------------------- */

static void test_free_checks(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_HEAP | STOP_EXIT);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	uint64_t p = HEAP_LO + 0x10, site = CODE_LO + 40, fsite = CODE_LO + 80;
	struct event e;

	e = ev_of(EV_MALLOC, 24, 0, p, site);
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	/* a free of a live block: silent at entry, no walk */
	e = ev_of(EV_FREE, p, 0, 0, fsite);
	e.at_entry = true;
	CHECK_EQ_U(stop(d, &snap, &e, &g), (size_t)-1);
	CHECK_EQ_U(f.walks, 0);
	e.at_entry = false;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	CHECK_EQ_U(watching(&f, p), 1);     /* freed: its first 8 bytes watched */
	/* free again: a double free, at the second free's caller line */
	walk_chunk(&f, p - 16, 32, CH_FREE, BIN_TCACHE);
	e = ev_of(EV_FREE, p, 0, 0, CODE_LO + 120);
	e.at_entry = true;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_DOUBLE_FREE && g->addr == p && g->tid == 100);
	CHECK(g && g->at.line == 29 && strcmp(g->at.fn, "main") == 0);
	CHECK(g && strstr(g->message, "already freed at main (t.c:19)"));
	CHECK(diagnose_pending(d));
	/* free(NULL) is fine */
	e = ev_of(EV_FREE, 0, 0, 0, fsite);
	e.at_entry = true;
	CHECK_EQ_U(stop(d, &snap, &e, &g), (size_t)-1);
	/* 4 bytes into a live block: invalid */
	e = ev_of(EV_MALLOC, 16, 0, p + 0x20, site);
	stop(d, &snap, &e, &g);
	CHECK_EQ_U(watching(&f, p), 1);     /* not over p: still watched */
	walk_chunk(&f, p + 0x10, 32, CH_INUSE, BIN_NONE);
	e = ev_of(EV_FREE, p + 0x24, 0, 0, fsite);
	e.at_entry = true;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_INVALID_FREE && g->addr == p + 0x24 &&
	      strstr(g->message, "4 bytes into the block"));
	/* a block malloc returned before we looked (in use in the walk): fine */
	walk_chunk(&f, p + 0x30, 32, CH_INUSE, BIN_NONE);
	e = ev_of(EV_FREE, p + 0x40, 0, 0, fsite);
	e.at_entry = true;
	CHECK_EQ_U(stop(d, &snap, &e, &g), (size_t)-1);
	/* not in the heap at all */
	e = ev_of(EV_FREE, STACK_LO + 0x100, 0, 0, fsite);
	e.at_entry = true;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_INVALID_FREE && strstr(g->message, "not in the heap"));
	/* malloc hands p out again: unwatched */
	e = ev_of(EV_MALLOC, 24, 0, p, site);
	stop(d, &snap, &e, &g);
	CHECK_EQ_U(watching(&f, p), 0);
	finish(&f, d);
}

/* Attached (-p): blocks from before the attach are unknown; the walk
 * decides, and a pointer in no chunk it found is not judged. */
static void test_free_attached(void)
{
	struct fake f;
	struct diagnose *d = start_as(&f, STOP_HEAP, true);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	struct event e = ev_of(EV_FREE, HEAP_LO + 0x210, 0, 0, CODE_LO + 80);

	e.at_entry = true;
	walk_chunk(&f, HEAP_LO + 0x100, 0x100, CH_INUSE, BIN_NONE);
	walk_chunk(&f, HEAP_LO + 0x200, 0x20, CH_FREE, BIN_FAST);
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);          /* a fastbin chunk: freed */
	CHECK(g && g->kind == DG_DOUBLE_FREE && strstr(g->message, "in the fast bin"));
	e.args[0] = HEAP_LO + 0x110;                     /* in use */
	CHECK_EQ_U(stop(d, &snap, &e, &g), (size_t)-1);
	e.args[0] = HEAP_LO + 0x118;                     /* inside a block */
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_INVALID_FREE);
	e.args[0] = HEAP_LO + 0x800;                     /* no chunk found */
	CHECK_EQ_U(stop(d, &snap, &e, &g), (size_t)-1);
	CHECK_EQ_U(f.walks, 4);
	finish(&f, d);
}

static void test_use_after_free(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_HEAP);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	uint64_t p = HEAP_LO + 0x10;
	struct event e;
	int slot = -1;

	e = ev_of(EV_MALLOC, 16, 0, p, CODE_LO + 40);
	stop(d, &snap, &e, &g);
	e = ev_of(EV_FREE, p, 0, 0, CODE_LO + 80);
	stop(d, &snap, &e, &g);
	for (int i = 0; i < DIAG_WATCH_SLOTS; i++)
		if (f.w[i].on && f.w[i].addr == p)
			slot = i;
	CHECK(slot >= 0 && f.w[slot].len == 8);
	/* malloc's own read of its list pointer: resumed silently */
	e = (struct event){ .kind = EV_WATCH, .tid = 100, .pc = INT_MALLOC + 8, .watch_addr = p,
			    .watch_slot = slot };
	CHECK_EQ_U(stop(d, &snap, &e, &g), (size_t)-1);
	/* memcpy called by greet: reported at greet's call line */
	f.frames[0] = (struct diag_frame){ LIBC_LO + 8, "memcpy", false };
	f.frames[1] = (struct diag_frame){ GREET + 41, "greet", true };
	f.nframes = 2;
	e.pc = LIBC_LO + 8;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_USE_AFTER_FREE && g->addr == p && g->at.line == 74 &&
	      strstr(g->message, "through memcpy read") && strstr(g->message, "16-byte block"));
	CHECK_EQ_U(watching(&f, p), 0);     /* once */
	/* a hit of a watch removed since: nothing */
	CHECK_EQ_U(stop(d, &snap, &e, &g), (size_t)-1);
	/* a write from the program's own code */
	e = ev_of(EV_FREE, p + 0x40, 0, 0, CODE_LO + 80);
	stop(d, &snap, &e, &g);
	for (int i = 0; i < DIAG_WATCH_SLOTS; i++)
		if (f.w[i].on && f.w[i].addr == p + 0x40)
			slot = i;
	poke64(&f, p + 0x40, 0x1234);
	e = (struct event){ .kind = EV_WATCH, .tid = 100, .pc = CODE_LO + 13,
			    .watch_addr = p + 0x40, .watch_slot = slot };
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->at.line == 3 && strstr(g->message, "wrote to"));
	finish(&f, d);
}

/* ---- leaks ------------------------------------------------------------- */

static void test_leak(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_HEAP | STOP_EXIT);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	struct event e;

	e = ev_of(EV_MALLOC, 40, 0, HEAP_LO + 0x10, CODE_LO + 40);     /* the program's */
	stop(d, &snap, &e, &g);
	e = ev_of(EV_MALLOC, 1024, 0, HEAP_LO + 0x100, LIBC_LO + 4);   /* stdio's */
	stop(d, &snap, &e, &g);
	e = ev_of(EV_CALLOC, 4, 8, HEAP_LO + 0x40, CODE_LO + 60);
	stop(d, &snap, &e, &g);
	e = ev_of(EV_FREE, HEAP_LO + 0x40, 0, 0, CODE_LO + 64);
	stop(d, &snap, &e, &g);
	e = (struct event){ .kind = EV_EXIT, .tid = 100 };
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_LEAK && g->addr == HEAP_LO + 0x10 && g->size == 40 &&
	      g->at.line == 9 && g->tid == 0);
	/* a crash is no time for leaks */
	e.exited_by_signal = true;
	e.exit_signal = SIGSEGV;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	finish(&f, d);
}

/* ---- the heap walk's header overwrites --------------------------------- */

static void test_header_overwrite(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_HEAP | STOP_LINE);
	struct heap_state h;
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	struct event e = ev_of(EV_MALLOC, 8, 0, HEAP_LO + 0x60, CODE_LO + 44);

	heap_state_init(&h);
	heap_add_diag(&h, HD_HEADER_OVERWRITE, HEAP_LO + 0x20, "chunk has an impossible size");
	heap_add_diag(&h, HD_BAD_BIN_LINK, HEAP_LO + 0x40, "a bad link");
	snap.heap = &h;
	snap.at = (struct code_loc){ .fn = "main", .file = "t.c", .line = 10 };
	/* at a line stop: the heap may be half updated there, not judged */
	struct event line = { .kind = EV_LINE, .tid = 100, .pc = CODE_LO + 40 };
	CHECK_EQ_U(stop(d, &snap, &line, &g), 0);
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_HEADER_OVERWRITE && g->addr == HEAP_LO + 0x20 &&
	      g->at.line == 10 && strstr(g->message, "impossible size"));
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);       /* known since */
	heap_state_free(&h);
	finish(&f, d);
}

/* ---- stack smash, and the fault after it --------------------------------- */

static void test_stack_smash(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_CALL | STOP_RETURN | STOP_LINE | STOP_SIGNAL);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	uint64_t slot = STACK_LO + 0x808, bad = 0x544552444142ull;
	struct event e;

	f.tramp = 0x401000;
	f.slots[0] = slot;
	f.origs[0] = CODE_LO + 0x50;
	f.nhidden = 1;
	poke64(&f, slot, f.tramp);
	e = (struct event){ .kind = EV_CALL, .tid = 100, .fn = "greet", .pc = GREET + 8,
			    .call_site = CODE_LO + 0x50 };
	snap.at = (struct code_loc){ .fn = "main", .line = 20 };
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	e = (struct event){ .kind = EV_LINE, .tid = 100, .pc = GREET + 40 };
	snap.at = (struct code_loc){ .fn = "greet", .file = "t.c", .line = 74 };
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	poke64(&f, slot, bad);                      /* strcpy ran over it */
	e.pc = GREET + 48;
	snap.at.line = 76;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_STACK_SMASH && g->addr == slot);
	CHECK(g && g->at.fn && strcmp(g->at.fn, "greet") == 0 && g->at.line == 74);
	CHECK(g && strstr(g->message, "0x544552444142"));
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);     /* once per slot */
	/* greet returned to it: the SIGSEGV there is no bad_deref of its own */
	snapshot_threads(&snap, 1);
	snap.threads[0].tid = 100;
	snap.threads[0].sp = slot + 8;
	e = (struct event){ .kind = EV_SIGNAL, .tid = 100, .signo = SIGSEGV, .si_code = 1,
			    .has_fault_addr = true, .fault_addr = bad, .pc = bad };
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	snapshot_free(&snap);
	finish(&f, d);
}

/* ---- bad dereference ------------------------------------------------------ */

static void test_bad_deref(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_SIGNAL);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	struct event e = { .kind = EV_SIGNAL, .tid = 100, .signo = SIGSEGV, .si_code = 1,
			   .has_fault_addr = true, .fault_addr = 0x78, .pc = CODE_LO + 16 };

	snap.at = (struct code_loc){ .fn = "main", .file = "t.c", .line = 4 };
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_BAD_DEREF && g->addr == 0x78 && g->at.line == 4 &&
	      strstr(g->message, "null page"));
	e.si_code = SI_KERNEL;                       /* a non-canonical address */
	e.fault_addr = 0;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && strstr(g->message, "non-canonical"));
	e.signo = SIGABRT;                           /* no dereference */
	e.has_fault_addr = false;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	finish(&f, d);
}

/* ---- dangling stack pointers --------------------------------------------- */

/* A space with one region: the stack. */
static void one_stack(struct space *sp, struct region *rg)
{
	memset(sp, 0, sizeof(*sp));
	memset(rg, 0, sizeof(*rg));
	rg->start = STACK_LO;
	rg->end = STACK_LO + MEM;
	rg->kind = RK_STACK;
	memcpy(rg->perms, "rw-p", 4);
	rg->path = "[stack]";
	sp->regions = rg;
	sp->n = 1;
}

static void test_dangling_return(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_CALL | STOP_RETURN);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	struct space sp;
	struct region rg;
	char val[] = "(int *) 0x7ffd07f0";
	struct event e = { .kind = EV_RETURN, .tid = 100, .fn = "new_counter", .has_ret = true,
			   .ret = STACK_LO + 0x7f0, .pc = CODE_LO + 40, .call_site = CODE_LO + 40 };

	one_stack(&sp, &rg);
	snap.space = &sp;
	snapshot_threads(&snap, 1);
	snap.threads[0].tid = 100;
	snap.threads[0].sp = STACK_LO + 0x800;
	snap.at = (struct code_loc){ .fn = "main", .file = "t.c", .line = 9 };
	snap.ret_value = NULL;                       /* void: rax is no result */
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	snap.ret_value = val;
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_DANGLING_STACK_POINTER && g->addr == STACK_LO + 0x7f0 &&
	      g->at.line == 9 && strstr(g->message, "new_counter returned"));
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);      /* that value once */
	e.ret = STACK_LO + 0x900;                    /* a live frame's: fine */
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	snap.ret_value = NULL;
	snap.space = NULL;
	snapshot_free(&snap);
	finish(&f, d);
}

/* A snapshot of thread 100 with one frame [sp, cfa) holding variable v. */
static void frame_with(struct snapshot *snap, uint64_t sp, uint64_t cfa, const char *fn,
		       struct var_info *v)
{
	struct thread_state *ts;

	snapshot_threads(snap, 1);
	ts = &snap->threads[0];
	ts->tid = 100;
	ts->sp = sp;
	ts->has_stack = true;
	util_grow((void **)&ts->stack.frames, &ts->stack.cap, 1, sizeof(*ts->stack.frames));
	memset(ts->stack.frames, 0, sizeof(*ts->stack.frames));
	ts->stack.n = 1;
	ts->stack.frames[0].sp = sp;
	ts->stack.frames[0].cfa = cfa;
	ts->stack.frames[0].loc.fn = fn;
	size_t old = ts->vars_cap;
	util_grow((void **)&ts->vars, &ts->vars_cap, 1, sizeof(*ts->vars));
	memset(ts->vars + old, 0, (ts->vars_cap - old) * sizeof(*ts->vars));
	ts->vars[0].v = v;
	ts->vars[0].n = ts->vars[0].cap = 1;
}

/* Drop the borrowed arrays frame_with put in before snapshot_free. */
static void frame_drop(struct snapshot *snap)
{
	if (snap->thread_cap)
		memset(&snap->threads[0].vars[0], 0, sizeof(snap->threads[0].vars[0]));
	snapshot_free(snap);
}

static void test_dangling_var(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_CALL | STOP_RETURN | STOP_LINE);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	struct var_info v = { .name = "p", .kind = DWV_LOCAL, .has_addr = true,
			      .addr = STACK_LO + 0xf00, .size = 8, .is_ptr = true,
			      .ptr = STACK_LO + 0x700 };
	struct event e = { .kind = EV_LINE, .tid = 100, .pc = CODE_LO + 40 };

	frame_with(&snap, STACK_LO + 0xe00, STACK_LO + 0xf10, "main", &v);
	snap.at = (struct code_loc){ .fn = "main", .file = "t.c", .line = 12 };
	/* first seen already below sp: stale, never reported */
	v.points_kind = "stack_popped";
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	v.points_kind = "stack";                     /* a new frame over it */
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	v.points_kind = "stack_popped";
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	/* a new value, into a live frame, that frame then returns */
	v.ptr = STACK_LO + 0x710;
	v.points_kind = "stack";
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	v.points_kind = "stack_popped";
	CHECK_EQ_U(stop(d, &snap, &e, &g), 1);
	CHECK(g && g->kind == DG_DANGLING_STACK_POINTER && g->addr == STACK_LO + 0x710 &&
	      g->at.line == 12 && strstr(g->message, "'p'"));
	CHECK_EQ_U(stop(d, &snap, &e, &g), 0);
	frame_drop(&snap);
	finish(&f, d);
}

/* ---- uninitialized reads, and the registers' sharing ----------------------- */

/* Code of `greet` at GREET: after the prologue, a store and a load of its
 * local at -4(%rbp). */
static const uint8_t greet_code[] = {
	0x55, 0x48, 0x89, 0xe5,                    /* push %rbp; mov %rsp,%rbp */
	0xc7, 0x45, 0xfc, 0x00, 0x00, 0x00, 0x00,  /* +4: movl $0,-4(%rbp) */
	0x8b, 0x45, 0xfc,                          /* +11: mov -4(%rbp),%eax */
	0xc3,
};

static void test_uninit(void)
{
	struct fake f;
	struct diagnose *d = start(&f, STOP_CALL | STOP_RETURN | STOP_HEAP);
	struct snapshot snap = { 0 };
	const struct diag *g = NULL;
	uint64_t rbp = STACK_LO + 0x800, x = rbp - 4;
	struct var_info v = { .name = "x", .kind = DWV_LOCAL, .has_addr = true, .addr = x,
			      .size = 4 };
	struct event call = { .kind = EV_CALL, .tid = 100, .fn = "greet", .pc = GREET + 4 };
	struct event hit = { .kind = EV_WATCH, .tid = 100, .watch_addr = x };
	int slot = -1;

	memcpy(f.code + (GREET - CODE_LO), greet_code, sizeof greet_code);
	f.regs.rbp = rbp;
	f.regs.rsp = rbp - 0x10;
	frame_with(&snap, rbp - 0x10, rbp + 16, "greet", &v);
	snap.threads[0].stack.frames[0].regs[6] = rbp;
	snap.threads[0].stack.frames[0].valid = 1u << 6;
	CHECK_EQ_U(stop(d, &snap, &call, &g), 0);
	for (int i = 0; i < DIAG_WATCH_SLOTS; i++)
		if (f.w[i].on && f.w[i].addr == x)
			slot = i;
	CHECK(slot >= 0 && f.w[slot].len == 4);
	/* a store of the value it already had (0 on 0): its first write */
	hit.watch_slot = slot;
	hit.pc = GREET + 11;
	CHECK_EQ_U(stop(d, &snap, &hit, &g), (size_t)-1);
	CHECK_EQ_U(watching(&f, x), 0);
	/* again, and this time the load comes first: a read before any write */
	CHECK_EQ_U(stop(d, &snap, &call, &g), 0);
	hit.pc = GREET + 14;
	CHECK_EQ_U(stop(d, &snap, &hit, &g), 1);
	CHECK(g && g->kind == DG_UNINIT_READ && g->addr == x && g->at.line == 67 &&
	      strstr(g->message, "'x' of greet"));
	/* a changed value was a write */
	CHECK_EQ_U(stop(d, &snap, &call, &g), 0);
	memcpy(f.stack + (x - STACK_LO), "\x2a\0\0\0", 4);
	CHECK_EQ_U(stop(d, &snap, &hit, &g), (size_t)-1);
	/* the frame returns: its locals go */
	memset(f.stack + (x - STACK_LO), 0, 4);
	CHECK_EQ_U(stop(d, &snap, &call, &g), 0);
	CHECK_EQ_U(watching(&f, x), 1);
	struct event ret = { .kind = EV_RETURN, .tid = 100, .fn = "greet", .has_ret = true };
	f.regs.rsp = rbp + 16;
	CHECK_EQ_U(stop(d, &snap, &ret, &g), 0);
	CHECK_EQ_U(watching(&f, x), 0);
	/* sharing: 4 locals take every register; 3 frees leave them 2 */
	struct var_info four[4];
	for (int i = 0; i < 4; i++)
		four[i] = (struct var_info){ .name = "y", .kind = DWV_LOCAL, .has_addr = true,
					     .addr = rbp - 8 * (i + 1), .size = 8 };
	frame_drop(&snap);
	frame_with(&snap, rbp - 0x40, rbp + 16, "greet", four);
	snap.threads[0].vars[0].n = 4;
	CHECK_EQ_U(stop(d, &snap, &call, &g), 0);
	int locals = 0;
	for (int i = 0; i < DIAG_WATCH_SLOTS; i++)
		locals += f.w[i].on && f.w[i].addr >= STACK_LO;
	CHECK_EQ_U(locals, 4);
	for (int i = 0; i < 3; i++) {
		struct event fr = ev_of(EV_FREE, HEAP_LO + 0x10 + 0x40 * (uint64_t)i, 0, 0,
					CODE_LO + 80);
		stop(d, &snap, &fr, &g);
	}
	locals = 0;
	for (int i = 0; i < DIAG_WATCH_SLOTS; i++)
		locals += f.w[i].on && f.w[i].addr >= STACK_LO;
	CHECK_EQ_U(locals, 2);
	CHECK_EQ_U(watching(&f, HEAP_LO + 0x90), 1);  /* the newest two blocks */
	CHECK_EQ_U(watching(&f, HEAP_LO + 0x50), 1);
	CHECK_EQ_U(watching(&f, HEAP_LO + 0x10), 0);
	snap.threads[0].vars[0].n = 1;
	frame_drop(&snap);
	finish(&f, d);
}

int main(void)
{
	CHECK_STR(diag_kind_name(DG_USE_AFTER_FREE), "use_after_free");
	CHECK_STR(diag_kind_name(DG__COUNT), "?");
	test_free_checks();
	test_free_attached();
	test_use_after_free();
	test_leak();
	test_header_overwrite();
	test_stack_smash();
	test_bad_deref();
	test_dangling_return();
	test_dangling_var();
	test_uninit();
	CHECK_DONE();
}
