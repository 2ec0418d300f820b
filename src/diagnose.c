/*
 * diagnose.c - the bug detectors.  Each one watches the events (and, at
 * the stops the session reports, the snapshot) for one of the classic
 * memory bugs, and says what it found in one sentence naming the address,
 * the function and the line.
 *
 *   double_free, invalid_free   at free's entry (tracer_opts.free_entry),
 *       the heap as it was: a pointer that malloc returned and nobody freed
 *       since is fine at once (no walk); anything else is checked against a
 *       walk of glibc's heap made there: a chunk already in the tcache or a
 *       bin (or one we saw freed) is a double free, a pointer that starts no
 *       chunk an invalid free.  NULL is fine.  Reported before glibc runs,
 *       so before its abort.  Attached with -p, the blocks allocated before
 *       the attach are unknown: the walk alone decides for them.
 *   header_overwrite   each new HD_HEADER_OVERWRITE of the heap walk at a
 *       heap call's stop (not one of the same chunk reported at an earlier
 *       stop).  Not at other stops: one inside an allocator (a line step
 *       through the teaching allocator) sees the heap half updated.
 *   leak   at the exit (not a death by signal): every block still
 *       allocated whose malloc was called from the main executable (libc's
 *       own blocks, stdio buffers and the like, are not the program's
 *       leaks; nor is a block strdup allocated for it: its caller is libc).
 *   stack_smash   at every stop: a return address the tracer hid behind
 *       its trampoline (a call whose return it waits for, --stop-on return)
 *       whose slot no longer holds the trampoline was overwritten.  Once
 *       per slot and value.  A later SIGSEGV of that thread once the
 *       smashed frame has returned (its sp at or above the slot) is its
 *       consequence, not a bad_deref.
 *   dangling_stack_pointer   a return value pointing into the thread's
 *       stack below its sp (into the frame just popped); and a pointer
 *       variable (of any frame, or a global) that pointed into a live frame
 *       at one stop and, holding the same value, into a popped one at a
 *       later stop.  Once per value.  A variable first seen already
 *       pointing below sp is not reported (stale stack garbage in a fresh
 *       frame looks just like that).
 *   use_after_free   after each free returns, a hardware watchpoint on the
 *       first 8 bytes of the block; removed when malloc (any allocation
 *       call) hands out memory covering it again.  An access from the main
 *       executable is the bug; one from libc or ld.so is the allocator's own
 *       (its list pointers) unless, walking the thread's frames out to the
 *       program, no allocator function is among them: then a library
 *       function (memcpy, printf...) touched the freed block for the
 *       program, and the program's call line is the `at`.
 *   bad_deref   a SIGSEGV or SIGBUS with a fault address: what lies there
 *       (the null page, nothing, read-only data, a guard page, a freed
 *       block).  `at` is the faulting line, or, in a library, the line of
 *       the program's call into it.
 *   uninit_read   at a `call` stop (after the prologue, with --stop-on
 *       call,return), a watchpoint on each local of the new frame (4, 2 or
 *       1 aligned bytes at its address); at a hit from the program's code,
 *       an unchanged value and an instruction that is no store to it (x86
 *       decoded backwards from the pc) mean a read before any write.  A
 *       changed value, or a store, was the first write: unwatched.  Locals
 *       are unwatched at their frame's return; a newer frame's locals take
 *       the place of an older one's.  Limits: only the first locals that
 *       fit in the registers; only the first bytes of each; a library
 *       function that reads or writes a local with an unchanged value is
 *       not reported (memset of zeros on zeros looks like a read); a write
 *       by the kernel (waitpid's status) hits no watchpoint, so a local
 *       whose address the function passes to a call (other than printf
 *       and the like, which only read) is not reported either.  Only at
 *       the stops the session reports (the UI's `continue` skips some).
 *
 * The four debug registers are shared by use_after_free and uninit_read:
 * each is sure of two of them when it needs them; one may use more while
 * the other does not.  A new request takes a free register; else, if the
 * other kind holds more than two, the oldest of those; else the oldest of
 * its own kind (for locals: of an older frame; the frame asking never
 * evicts its own, so a frame gets at most as many as are left).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "diagnose.h"
#include "util.h"

#define SLOT_SHARE 2              /* debug registers each kind is sure of */
#define MAX_FRAMES 32             /* frames walked from a library pc */
#define NULL_PAGE 0x1000
#define MMAP_MIN 0x10000          /* vm.mmap_min_addr's usual value */
#define REDZONE 128               /* below sp, still a leaf function's */
#define SCAN_SPAN (256u << 10)    /* hidden slots read at once up to this span */

static const char *const kind_names[DG__COUNT] = {
	[DG_DOUBLE_FREE] = "double_free",
	[DG_INVALID_FREE] = "invalid_free",
	[DG_HEADER_OVERWRITE] = "header_overwrite",
	[DG_LEAK] = "leak",
	[DG_STACK_SMASH] = "stack_smash",
	[DG_DANGLING_STACK_POINTER] = "dangling_stack_pointer",
	[DG_USE_AFTER_FREE] = "use_after_free",
	[DG_BAD_DEREF] = "bad_deref",
	[DG_UNINIT_READ] = "uninit_read",
};

const char *diag_kind_name(enum diag_kind k)
{
	return (unsigned)k < DG__COUNT ? kind_names[k] : "?";
}

/* ---- state ------------------------------------------------------------ */

enum blk_state { BLK_LIVE = 1, BLK_FREED };

/* A block malloc handed out (key: its user pointer), live or freed. */
struct block {
	uint64_t ptr;             /* 0: empty slot */
	uint64_t size;            /* bytes requested */
	uint64_t site;            /* return address of the allocating call */
	uint64_t free_site;       /* BLK_FREED: of the free */
	unsigned long seq;        /* allocation order */
	enum blk_state state;
};

enum wuse { W_NONE, W_BLOCK, W_LOCAL };

/* What a debug register watches. */
struct wslot {
	enum wuse use;
	uint64_t addr;
	int len;
	unsigned long stamp;      /* when it was set (older: evicted first) */
	uint64_t saved;           /* the value when set, or at the last
				     harmless hit */
	uint64_t size;            /* W_BLOCK: bytes requested */
	uint64_t free_site;       /* W_BLOCK */
	pid_t tid;                /* W_LOCAL: its thread and frame */
	uint64_t cfa, rbp;
	uint64_t fn_lo, fn_hi;    /* W_LOCAL: its function's code */
	const char *var, *fn;     /* W_LOCAL: interned */
};

/* A return-address slot found overwritten. */
struct smash {
	pid_t tid;
	uint64_t slot, value;
};

/* A pointer variable into the stack, as last seen. */
struct tracked {
	pid_t tid;                /* 0: a global */
	uint64_t cfa;             /* its frame (0: a global) */
	const char *name;         /* interned */
	uint64_t addr, value;
	bool armed;               /* value seen pointing into a live frame */
	bool born_dangling;       /* value first seen already below sp: stale
				     (a new frame over it later changes nothing) */
	unsigned long gen;        /* the stop it was last seen at */
};

/* Per thread: the last line stop (the line that ran before this stop). */
struct thr {
	pid_t tid;
	bool has_line;
	struct code_loc line;
};

/* The function whose return slot the tracer hooked at a call. */
struct call_slot {
	pid_t tid;
	uint64_t slot;
	const char *fn;           /* interned */
};

struct diagnose {
	struct diagnose_ops ops;
	struct diagnose_opts o;
	struct block *blk;        /* open addressing on ptr; never shrinks */
	size_t blkcap, blkused;
	unsigned long seq;
	struct wslot w[DIAG_WATCH_SLOTS];
	unsigned long wstamp;
	struct diag *diags;       /* this stop's */
	size_t ndiags, capdiags;
	char **strs;              /* interned strings */
	size_t nstrs, capstrs;
	struct smash *smashes;
	size_t nsmash, capsmash;
	uint64_t *overwrites;     /* chunks already reported */
	size_t nover, capover;
	uint64_t *dangling;       /* pointer values already reported */
	size_t ndang, capdang;
	struct tracked *tracked;
	size_t ntracked, captracked;
	unsigned long gen;
	struct thr *thr;
	size_t nthr, capthr;
	struct call_slot *calls;
	size_t ncalls, capcalls;
};

/* The interned copy of s (NULL for NULL). */
static const char *intern(struct diagnose *d, const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < d->nstrs; i++)
		if (strcmp(d->strs[i], s) == 0)
			return d->strs[i];
	util_grow((void **)&d->strs, &d->capstrs, d->nstrs + 1, sizeof(*d->strs));
	d->strs[d->nstrs] = xstrdup(s);
	return d->strs[d->nstrs++];
}

/* A code_loc whose strings outlive the stop. */
static struct code_loc loc_keep(struct diagnose *d, const struct code_loc *l)
{
	struct code_loc k = *l;

	k.fn = intern(d, l->fn);
	k.file = intern(d, l->file);
	k.object = intern(d, l->object);
	return k;
}

/* Where addr is (call_ret: a return address, whose line is the call's). */
static struct code_loc locate(struct diagnose *d, uint64_t addr, bool call_ret)
{
	struct code_loc l = { 0 };

	if (addr && d->ops.locate)
		d->ops.locate(d->ops.ctx, addr, call_ret, &l);
	return loc_keep(d, &l);
}

/* "main (demos/bugs.c:57)", "free+0x12", or "0x401136" into buf. */
static const char *loc_text(const struct code_loc *l, uint64_t addr, char *buf, size_t n)
{
	if (l->fn && l->file && l->line > 0)
		snprintf(buf, n, "%s (%s:%d)", l->fn, l->file, l->line);
	else if (l->fn && l->line > 0)
		snprintf(buf, n, "%s (line %d)", l->fn, l->line);
	else if (l->fn)
		snprintf(buf, n, "%s+0x%" PRIx64, l->fn, l->off);
	else
		snprintf(buf, n, "0x%" PRIx64, addr);
	return buf;
}

/* Append a diagnostic of this stop; its message is printf-formatted. */
static struct diag *add_diag(struct diagnose *d, enum diag_kind k, uint64_t addr, pid_t tid,
			     const struct code_loc *at, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static struct diag *add_diag(struct diagnose *d, enum diag_kind k, uint64_t addr, pid_t tid,
			     const struct code_loc *at, const char *fmt, ...)
{
	struct diag *g;
	va_list ap;

	util_grow((void **)&d->diags, &d->capdiags, d->ndiags + 1, sizeof(*d->diags));
	g = &d->diags[d->ndiags++];
	memset(g, 0, sizeof(*g));
	g->kind = k;
	g->addr = addr;
	g->tid = tid;
	if (at)
		g->at = loc_keep(d, at);
	va_start(ap, fmt);
	vsnprintf(g->message, sizeof(g->message), fmt, ap);
	va_end(ap);
	return g;
}

static bool in_exe(const struct diagnose *d, uint64_t addr)
{
	return d->ops.in_exe && d->ops.in_exe(d->ops.ctx, addr);
}

/* Is this value in the list? */
static bool u64_has(const uint64_t *v, size_t n, uint64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void u64_add(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	util_grow((void **)v, cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = x;
}

/* The per-thread record of tid (made if new). */
static struct thr *thr_get(struct diagnose *d, pid_t tid)
{
	for (size_t i = 0; i < d->nthr; i++)
		if (d->thr[i].tid == tid)
			return &d->thr[i];
	util_grow((void **)&d->thr, &d->capthr, d->nthr + 1, sizeof(*d->thr));
	memset(&d->thr[d->nthr], 0, sizeof(d->thr[0]));
	d->thr[d->nthr].tid = tid;
	return &d->thr[d->nthr++];
}

/* ---- the blocks malloc handed out --------------------------------------- */

static size_t blk_slot(const struct block *v, size_t cap, uint64_t ptr)
{
	size_t i = (size_t)((ptr >> 4) * 0x9e3779b97f4a7c15ull) & (cap - 1);

	while (v[i].ptr && v[i].ptr != ptr)
		i = (i + 1) & (cap - 1);
	return i;
}

/* The block at ptr, or NULL if malloc never returned ptr. */
static struct block *blk_find(struct diagnose *d, uint64_t ptr)
{
	size_t i;

	if (!ptr)
		return NULL;
	i = blk_slot(d->blk, d->blkcap, ptr);
	return d->blk[i].ptr ? &d->blk[i] : NULL;
}

/* The block at ptr, made if new. */
static struct block *blk_get(struct diagnose *d, uint64_t ptr)
{
	size_t i;

	if ((d->blkused + 1) * 2 > d->blkcap) {
		struct block *old = d->blk;
		size_t oldcap = d->blkcap;
		d->blkcap *= 2;
		d->blk = xcalloc(d->blkcap, sizeof(*d->blk));
		for (size_t k = 0; k < oldcap; k++)
			if (old[k].ptr)
				d->blk[blk_slot(d->blk, d->blkcap, old[k].ptr)] = old[k];
		free(old);
	}
	i = blk_slot(d->blk, d->blkcap, ptr);
	if (!d->blk[i].ptr) {
		memset(&d->blk[i], 0, sizeof(d->blk[i]));
		d->blk[i].ptr = ptr;
		d->blkused++;
	}
	return &d->blk[i];
}

/* The block (live or freed, as asked) whose [ptr, ptr + size) holds a. */
static const struct block *blk_holding(const struct diagnose *d, uint64_t a, enum blk_state st)
{
	for (size_t i = 0; i < d->blkcap; i++) {
		const struct block *b = &d->blk[i];
		if (b->ptr && b->state == st && a >= b->ptr && a - b->ptr < (b->size ? b->size : 1))
			return b;
	}
	return NULL;
}

/* ---- the debug registers ------------------------------------------------ */

static void slot_release(struct diagnose *d, int i)
{
	if (d->w[i].use != W_NONE && d->ops.unwatch)
		d->ops.unwatch(d->ops.ctx, i);
	memset(&d->w[i], 0, sizeof(d->w[i]));
}

static size_t slots_used(const struct diagnose *d, enum wuse u)
{
	size_t n = 0;

	for (int i = 0; i < DIAG_WATCH_SLOTS; i++)
		n += d->w[i].use == u;
	return n;
}

/* The oldest slot of use u that may go (for locals: not of frame cfa of
 * tid, the frame asking), or -1. */
static int slot_oldest(const struct diagnose *d, enum wuse u, pid_t tid, uint64_t cfa)
{
	int best = -1;

	for (int i = 0; i < DIAG_WATCH_SLOTS; i++) {
		const struct wslot *w = &d->w[i];
		if (w->use != u || (u == W_LOCAL && w->tid == tid && w->cfa == cfa))
			continue;
		if (best < 0 || w->stamp < d->w[best].stamp)
			best = i;
	}
	return best;
}

/* A register for a new watch of use u (the policy in the header comment),
 * emptied; -1 if none may be had. */
static int slot_take(struct diagnose *d, enum wuse u, pid_t tid, uint64_t cfa)
{
	enum wuse other = u == W_BLOCK ? W_LOCAL : W_BLOCK;
	int i;

	for (i = 0; i < DIAG_WATCH_SLOTS; i++)
		if (d->w[i].use == W_NONE)
			return i;
	i = slots_used(d, other) > SLOT_SHARE ? slot_oldest(d, other, 0, 0) : -1;
	if (i < 0)
		i = slot_oldest(d, u, tid, cfa);
	if (i >= 0)
		slot_release(d, i);
	return i;
}

/* Watch len bytes at addr in register i for w; false if refused. */
static bool slot_set(struct diagnose *d, int i, const struct wslot *w)
{
	if (!d->ops.watch || d->ops.watch(d->ops.ctx, i, w->addr, w->len) != 0)
		return false;
	d->w[i] = *w;
	d->w[i].stamp = ++d->wstamp;
	return true;
}

/* Code bytes at addr as the program's file has them. */
static bool read_code(struct diagnose *d, uint64_t addr, void *buf, size_t len)
{
	if (d->ops.read_code)
		return d->ops.read_code(d->ops.ctx, addr, buf, len) == 0;
	return d->ops.read && d->ops.read(d->ops.ctx, addr, buf, len) == 0;
}

/* Read len (<= 8) bytes at addr as a little-endian number. */
static bool read_val(struct diagnose *d, uint64_t addr, int len, uint64_t *v)
{
	*v = 0;
	return d->ops.read && d->ops.read(d->ops.ctx, addr, v, (size_t)len) == 0;
}

/* ---- double and invalid free (at free's entry) ------------------------- */

/* Is any arena's walk cut short (so a chunk may be missing)? */
static bool walk_partial(const struct heap_state *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->arenas[i].truncated)
			return true;
	return h->n == 0;
}

/* " (allocated at main (x.c:3))" for a block we know, else "". */
static const char *alloc_note(struct diagnose *d, const struct block *b, char *buf, size_t n)
{
	char where[160];
	struct code_loc l;

	if (!b || !b->site) {
		buf[0] = '\0';
		return buf;
	}
	l = locate(d, b->site, true);
	snprintf(buf, n, " (allocated at %s)", loc_text(&l, b->site, where, sizeof where));
	return buf;
}

/* free(p) of a block already freed. */
static void report_double(struct diagnose *d, const struct event *ev, const struct code_loc *at,
			  const struct block *b, const struct heap_chunk *c)
{
	char here[160], first[160];
	struct code_loc fl;

	loc_text(at, ev->call_site, here, sizeof here);
	if (b && b->state == BLK_FREED && b->free_site) {
		fl = locate(d, b->free_site, true);
		add_diag(d, DG_DOUBLE_FREE, ev->args[0], ev->tid, at,
			 "%s frees 0x%" PRIx64 " a second time: it was already freed at %s",
			 here, ev->args[0], loc_text(&fl, b->free_site, first, sizeof first));
	} else {
		add_diag(d, DG_DOUBLE_FREE, ev->args[0], ev->tid, at,
			 "%s frees 0x%" PRIx64 " a second time: its chunk 0x%" PRIx64
			 " is already free (in the %s bin)", here, ev->args[0], c ? c->addr : 0,
			 c ? chunk_bin_name(c->bin) : "?");
	}
}

/* free(p) of a pointer that starts no chunk. */
static void report_invalid(struct diagnose *d, const struct event *ev, const struct code_loc *at,
			   const struct heap_chunk *c, unsigned user_off)
{
	uint64_t p = ev->args[0];
	const struct block *b = c ? blk_find(d, c->addr + user_off) : NULL;
	char here[160], note[200];

	loc_text(at, ev->call_site, here, sizeof here);
	if (c && c->state != CH_TOP && p >= c->addr + user_off)
		add_diag(d, DG_INVALID_FREE, p, ev->tid, at,
			 "%s frees 0x%" PRIx64 ", %" PRIu64 " bytes into the block 0x%" PRIx64
			 "%s: free needs the pointer malloc returned", here, p,
			 p - (c->addr + user_off), c->addr + user_off,
			 alloc_note(d, b, note, sizeof note));
	else if (c)
		add_diag(d, DG_INVALID_FREE, p, ev->tid, at,
			 "%s frees 0x%" PRIx64 ", which is no block malloc returned (it lies in"
			 " the %s chunk 0x%" PRIx64 ")", here, p,
			 c->state == CH_TOP ? "top" : "header of", c->addr);
	else
		add_diag(d, DG_INVALID_FREE, p, ev->tid, at,
			 "%s frees 0x%" PRIx64 ", which is not in the heap at all: free takes"
			 " only pointers malloc returned", here, p);
}

/* At free's entry: is free(p) a double or an invalid free? */
static void check_free(struct diagnose *d, const struct event *ev)
{
	uint64_t p = ev->args[0];
	struct block *b = blk_find(d, p);
	const struct heap_state *h;
	const struct heap_chunk *c = NULL;
	struct code_loc at;
	uint64_t off;

	if (!p || (b && b->state == BLK_LIVE))
		return;              /* the usual case: no walk needed */
	h = d->ops.heap_now ? d->ops.heap_now(d->ops.ctx) : NULL;
	off = h && h->user_off ? h->user_off : 16;
	if (h && p >= off)
		c = heap_find_chunk(h, p - off);
	at = locate(d, ev->call_site, true);
	if (c && c->addr == p - off) {
		/* in use: allocated where we did not see, unless the walk could
		 * not tell tcache and fastbin chunks (bins unknown) */
		bool seen_freed = b && b->state == BLK_FREED &&
				  (c->state != CH_INUSE || !h->bins_known);
		if (c->state == CH_FREE || seen_freed)
			report_double(d, ev, &at, b, c);
		else if (c->state == CH_TOP)
			report_invalid(d, ev, &at, c, (unsigned)off);
		return;
	}
	if (b && b->state == BLK_FREED)
		report_double(d, ev, &at, b, c);     /* and merged since */
	else if (c || (h && !walk_partial(h) && !d->o.attached))
		report_invalid(d, ev, &at, c, (unsigned)off);
	/* attached, a pointer in no chunk the walk found: an arena or a
	 * mapping it missed is likelier than a bug seen nowhere else */
}

/* ---- allocations and frees --------------------------------------------- */

/* Size requested by an allocation event (0: not one). */
static uint64_t alloc_size(const struct event *ev)
{
	const uint64_t *a = ev->args;

	switch (ev->kind) {
	case EV_MALLOC:
		return a[0];
	case EV_CALLOC:
		return a[0] * a[1];
	case EV_REALLOC:
		return ev->fn && strcmp(ev->fn, "reallocarray") == 0 ? a[1] * a[2] : a[1];
	case EV_MEMALIGN:
		if (ev->fn && strcmp(ev->fn, "posix_memalign") == 0)
			return a[2];
		if (ev->fn && (strcmp(ev->fn, "valloc") == 0 || strcmp(ev->fn, "pvalloc") == 0))
			return a[0];
		return a[1];
	default:
		return 0;
	}
}

/* Memory [p, p + n) was handed out: a watch of a freed block in it goes. */
static void unwatch_reused(struct diagnose *d, uint64_t p, uint64_t n)
{
	if (n == 0)
		n = 1;
	for (int i = 0; i < DIAG_WATCH_SLOTS; i++)
		if (d->w[i].use == W_BLOCK && d->w[i].addr + 8 > p && d->w[i].addr < p + n)
			slot_release(d, i);
}

/* A block was freed (free returned): remember it, and watch its first
 * bytes for a use after free. */
static void freed(struct diagnose *d, uint64_t p, uint64_t site)
{
	struct block *b;
	struct wslot w = { .use = W_BLOCK, .addr = p, .len = 8, .free_site = site };
	int i;

	if (!p)
		return;
	b = blk_get(d, p);
	w.size = b->state == BLK_LIVE ? b->size : 0;
	b->state = BLK_FREED;
	b->free_site = site;
	/* an unmapped block (mmapped chunks) is not watched: another mapping
	 * may come there */
	if ((p & 7) || !read_val(d, p, 8, &w.saved))
		return;
	for (i = 0; i < DIAG_WATCH_SLOTS; i++)
		if (d->w[i].use == W_BLOCK && d->w[i].addr == p)
			slot_release(d, i);
	i = slot_take(d, W_BLOCK, 0, 0);
	if (i >= 0)
		slot_set(d, i, &w);
}

/* A heap call returned: keep the table of blocks. */
static void heap_returned(struct diagnose *d, const struct event *ev)
{
	uint64_t n = alloc_size(ev), p = ev->ret;
	struct block *b;

	if (ev->kind == EV_FREE) {
		freed(d, ev->args[0], ev->call_site);
		return;
	}
	if (ev->kind == EV_REALLOC && ev->args[0] && (p || n == 0) && p != ev->args[0])
		freed(d, ev->args[0], ev->call_site);
	if (!p || !ev->has_ret)
		return;
	unwatch_reused(d, p, n);
	b = blk_get(d, p);
	b->state = BLK_LIVE;
	b->size = n;
	b->site = ev->call_site;
	b->free_site = 0;
	b->seq = ++d->seq;
}

/* ---- watchpoint hits ----------------------------------------------------- */

/* Is this the allocator's own code (a frame of malloc, free...)? */
static bool is_allocator(const char *fn)
{
	static const char *const parts[] = { "alloc", "free", "tcache", "consolidate", "chunk",
					     "arena" };

	for (size_t i = 0; fn && i < ARRAY_LEN(parts); i++)
		if (strstr(fn, parts[i]))
			return true;
	return false;
}

/* For an access from a library: the program's frame that called into it
 * (*pc: its return address) and the library function it called; false if
 * the allocator is on the way or no program frame is found. */
static bool program_caller(struct diagnose *d, pid_t tid, uint64_t *pc, const char **via)
{
	struct diag_frame fr[MAX_FRAMES];
	size_t n = d->ops.frames ? d->ops.frames(d->ops.ctx, tid, fr, MAX_FRAMES) : 0;

	for (size_t k = 0; k < n; k++) {
		if (fr[k].in_exe) {
			if (k == 0)
				return false;
			*pc = fr[k].pc;
			*via = intern(d, fr[k - 1].fn);
			return true;
		}
		if (is_allocator(fr[k].fn))
			return false;
	}
	return false;
}

/* A freed block's watch was hit. */
static bool uaf_hit(struct diagnose *d, const struct event *ev, int i)
{
	struct wslot *w = &d->w[i];
	uint64_t pc = ev->pc, now = 0;
	const char *via = NULL;
	char here[160], fr[160], size[32];
	struct code_loc at, fl;
	bool wrote;

	/* the allocator's own access (most hits: malloc taking the block
	 * back) is told by its symbol first, without an unwind */
	if (!in_exe(d, pc) && ((d->ops.symbol && is_allocator(d->ops.symbol(d->ops.ctx, pc))) ||
			       !program_caller(d, ev->tid, &pc, &via))) {
		read_val(d, w->addr, w->len, &w->saved);    /* the allocator's own */
		return false;
	}
	wrote = read_val(d, w->addr, w->len, &now) && now != w->saved;
	at = locate(d, pc, true);
	fl = locate(d, w->free_site, true);
	loc_text(&at, pc, here, sizeof here);
	loc_text(&fl, w->free_site, fr, sizeof fr);
	size[0] = '\0';
	if (w->size)
		snprintf(size, sizeof size, "%" PRIu64 "-byte ", w->size);
	add_diag(d, DG_USE_AFTER_FREE, w->addr, ev->tid, &at,
		 "%s%s%s %s 0x%" PRIx64 ", in the %sblock freed at %s: a use after free", here,
		 via ? " through " : "", via ? via : "", wrote ? "wrote to" : "read", w->addr,
		 size, fr);
	slot_release(d, i);
	return true;
}

/* The general registers by their x86 number (REX.B/X/R included). */
static uint64_t gpr(const struct user_regs_struct *r, unsigned n)
{
	const unsigned long long *v[16] = {
		&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi, &r->rdi,
		&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15,
	};
	return *v[n & 15];
}

/* The memory operand of a ModRM at c[0..n): its address into *ea (end:
 * the runtime address after the whole instruction, for rip-relative)
 * and the ModRM+SIB+disp length; 0 if it is a register operand or runs
 * past n. */
static size_t modrm_mem(const uint8_t *c, size_t n, unsigned rex, const struct user_regs_struct *r,
			uint64_t end, uint64_t *ea)
{
	unsigned mod, rm, base, idx;
	size_t len = 1;
	int64_t disp = 0;
	uint64_t a = 0;

	if (n < 1)
		return 0;
	mod = c[0] >> 6;
	rm = c[0] & 7;
	if (mod == 3)
		return 0;
	if (rm == 4) {                         /* SIB */
		if (n < 2)
			return 0;
		base = c[1] & 7;
		idx = ((c[1] >> 3) & 7) | ((rex & 2) << 2);
		if (idx != 4)
			a += gpr(r, idx) << (c[1] >> 6);
		len = 2;
		if (base == 5 && mod == 0) {
			if (n < len + 4)
				return 0;
			memcpy(&disp, c + len, 4);
			disp = (int32_t)disp;
			*ea = a + (uint64_t)disp;
			return len + 4;
		}
		a += gpr(r, base | ((rex & 1) << 3));
	} else if (rm == 5 && mod == 0) {      /* rip + disp32 */
		int32_t d32;
		if (n < 5)
			return 0;
		memcpy(&d32, c + 1, 4);
		*ea = end + (uint64_t)(int64_t)d32;
		return 5;
	} else {
		a = gpr(r, rm | ((rex & 1) << 3));
	}
	if (mod == 1) {
		if (n < len + 1)
			return 0;
		disp = (int8_t)c[len];
		len += 1;
	} else if (mod == 2) {
		int32_t d32;
		if (n < len + 4)
			return 0;
		memcpy(&d32, c + len, 4);
		disp = d32;
		len += 4;
	}
	*ea = a + (uint64_t)disp;
	return len;
}

/* The width a store opcode writes (0: not a store this knows); *imm: its
 * immediate's bytes; *reg: the ModRM reg field it needs (-1: any). */
static unsigned store_width(const uint8_t *op, size_t n, bool p66, bool pf3, bool pf2,
			    unsigned rex, size_t *oplen, size_t *imm, int *reg)
{
	unsigned w = (rex & 8) ? 8 : p66 ? 2 : 4;

	*oplen = 1;
	*imm = 0;
	*reg = -1;
	switch (op[0]) {
	case 0x88: return 1;                              /* mov r/m8, r8 */
	case 0x89: return w;                              /* mov r/m, r */
	case 0xc6: *imm = 1; *reg = 0; return 1;          /* mov r/m8, imm8 */
	case 0xc7: *imm = p66 ? 2 : 4; *reg = 0; return w; /* mov r/m, imm */
	case 0x8f: *reg = 0; return 8;                    /* pop r/m64 */
	case 0xd9: *reg = -2; return 4;                   /* fst/fstp m32 (/2 /3) */
	case 0xdd: *reg = -2; return 8;                   /* fst/fstp m64 */
	case 0x0f: break;
	default: return 0;
	}
	if (n < 2)
		return 0;
	*oplen = 2;
	if (op[1] >= 0x90 && op[1] <= 0x9f)               /* setcc r/m8 */
		return 1;
	switch (op[1]) {
	case 0x11: return pf3 ? 4 : pf2 ? 8 : 16;         /* movups/movss/movsd/movupd */
	case 0x13: case 0x17: return 8;                   /* movlps, movhps */
	case 0x29: case 0x2b: return 16;                  /* movaps, movntps */
	case 0x7e: return p66 && !pf3 ? ((rex & 8) ? 8 : 4) : 0;  /* movd/movq r/m, xmm */
	case 0x7f: return p66 || pf3 ? 16 : 8;            /* movdqa, movdqu, movq mm */
	case 0xd6: return p66 ? 8 : 0;                    /* movq m64, xmm */
	case 0xe7: return p66 ? 16 : 8;                   /* movntdq, movntq */
	case 0xc3: return (rex & 8) ? 8 : 4;              /* movnti */
	default: return 0;
	}
}

/* Does the instruction at c[0..n), n bytes long and ending at runtime
 * address end, store to memory overlapping [a, a + len)? */
static bool is_store_to(const uint8_t *c, size_t n, uint64_t end, const struct user_regs_struct *r,
			uint64_t a, int len)
{
	bool p66 = false, pf3 = false, pf2 = false;
	unsigned rex = 0, w;
	size_t i = 0, oplen, imm, ml;
	uint64_t ea = 0;
	int reg;

	for (; i < n && i < 4; i++) {
		if (c[i] == 0x66)
			p66 = true;
		else if (c[i] == 0xf3)
			pf3 = true;
		else if (c[i] == 0xf2)
			pf2 = true;
		else if (c[i] == 0x64 || c[i] == 0x65)
			return false;              /* fs:/gs: (TLS), not a local */
		else if (c[i] != 0x2e && c[i] != 0x3e && c[i] != 0x26 && c[i] != 0x36)
			break;
	}
	if (i < n && (c[i] & 0xf0) == 0x40)
		rex = c[i++];
	if (i >= n)
		return false;
	/* string stores: stos, movs (rep or not); their hit is a write */
	if (c[i] == 0xaa || c[i] == 0xab || c[i] == 0xa4 || c[i] == 0xa5)
		return i + 1 == n;
	w = store_width(c + i, n - i, p66, pf3, pf2, rex, &oplen, &imm, &reg);
	if (!w)
		return false;
	i += oplen;
	if (i >= n)
		return false;
	if (reg >= 0 && (unsigned)((c[i] >> 3) & 7) != (unsigned)reg)
		return false;
	if (reg == -2 && ((c[i] >> 3) & 7) != 2 && ((c[i] >> 3) & 7) != 3)
		return false;
	ml = modrm_mem(c + i, n - i, rex, r, end, &ea);
	if (!ml || i + ml + imm != n)
		return false;
	return ea < a + (uint64_t)len && a < ea + w;
}

/* Was the instruction that hit the watch on [a, a + len) a store?  pc is
 * after it (a rep string instruction still running: at it).  Decoded
 * backwards: each length that ends exactly at pc is tried. */
static bool hit_was_store(struct diagnose *d, pid_t tid, uint64_t pc, uint64_t a, int len)
{
	struct user_regs_struct r;
	uint8_t code[16], here[4];

	if (!d->ops.regs || d->ops.regs(d->ops.ctx, tid, &r) != 0)
		return false;
	if (read_code(d, pc, here, sizeof here)) {
		size_t k = 0;
		while (k < 3 && (here[k] == 0xf3 || here[k] == 0xf2 || (here[k] & 0xf0) == 0x40))
			k++;
		if (k && (here[k] == 0xaa || here[k] == 0xab || here[k] == 0xa4 || here[k] == 0xa5))
			return true;              /* rep stos/movs, interrupted */
	}
	if (pc < sizeof code || !read_code(d, pc - sizeof code, code, sizeof code))
		return false;
	for (size_t n = 1; n < sizeof code; n++)
		if (is_store_to(code + sizeof code - n, n, pc, &r, a, len))
			return true;
	return false;
}

/* Functions that only read through the pointers they are given (the
 * truth lines' printf of a local's address must not hide its bug).  Names
 * as libc's symbols and DWARF give them: __printf, _IO_puts,
 * __printf_chk, __strlen_avx2 all count. */
static bool reads_only(const char *fn)
{
	static const char *const names[] = {
		"printf", "fprintf", "dprintf", "vprintf", "vfprintf", "puts", "fputs", "fwrite",
		"write", "strlen", "strcmp", "strncmp", "memcmp", "strchr", "strrchr", "strstr",
		"perror",
	};
	size_t n;

	if (!fn)
		return false;
	while (*fn == '_')
		fn++;
	if (strncmp(fn, "IO_", 3) == 0)
		fn += 3;
	else if (strncmp(fn, "libc_", 5) == 0)
		fn += 5;
	n = strcspn(fn, "_");
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strlen(names[i]) == n && strncmp(fn, names[i], n) == 0)
			return true;
	return false;
}

/* Who a call to t lands in: 1 one of the program's own functions (its
 * accesses are watched too), 2 a library function that only reads, 0
 * anything else (it may write, maybe through the kernel, unseen).  A PLT
 * stub is followed through its GOT slot (`jmp *slot(%rip)`). */
static int callee_kind(struct diagnose *d, uint64_t t)
{
	uint8_t c[16];
	uint64_t target = t;
	struct code_loc l;

	if (in_exe(d, t)) {
		size_t k = 0;
		if (!read_code(d, t, c, sizeof c))
			return 0;
		while (k + 6 <= sizeof c && !(c[k] == 0xff && c[k + 1] == 0x25))
			k++;
		if (k + 6 > sizeof c)
			return 1;                 /* no stub: the program's code */
		int32_t rel;
		memcpy(&rel, c + k + 2, 4);
		if (!read_val(d, t + k + 6 + (uint64_t)(int64_t)rel, 8, &target) ||
		    in_exe(d, target))
			return 0;                 /* not bound yet: unknown */
	}
	l = locate(d, target, false);
	return reads_only(l.fn) ? 2 : 0;
}

/* Does the local's function pass its address to a call that may write it
 * where no watchpoint sees (the kernel: waitpid's status, read's buffer)?
 * A byte scan of the function for `lea disp(%rbp)` of the local, and the
 * first call after it; a lea followed by no call (the address kept in a
 * pointer) counts as passed.  Wrong guesses only hide a report. */
static bool address_escapes(struct diagnose *d, const struct wslot *w)
{
	size_t n = w->fn_hi > w->fn_lo ? (size_t)(w->fn_hi - w->fn_lo) : 0;
	uint8_t *c;
	bool esc = false;

	if (n == 0 || n > (64u << 10) || !w->rbp)
		return false;
	c = xmalloc(n);
	if (!read_code(d, w->fn_lo, c, n)) {
		free(c);
		return false;
	}
	for (size_t p = 0; p + 3 <= n && !esc; p++) {
		size_t i = p + ((c[p] & 0xf0) == 0x40 && !(c[p] & 1));  /* REX, base not r13 */
		unsigned mod;
		int64_t disp;
		if (i + 3 > n || c[i] != 0x8d || (c[i + 1] & 7) != 5)
			continue;
		mod = c[i + 1] >> 6;
		if (mod == 1) {
			disp = (int8_t)c[i + 2];
			i += 3;
		} else if (mod == 2 && i + 6 <= n) {
			int32_t d32;
			memcpy(&d32, c + i + 2, 4);
			disp = d32;
			i += 6;
		} else {
			continue;
		}
		uint64_t ea = w->rbp + (uint64_t)disp;
		if (ea < w->addr || ea >= w->addr + w->size)
			continue;
		esc = true;                      /* unless it goes to a harmless call */
		for (size_t q = i; q + 5 <= n && q < i + 64; q++) {
			if (c[q] != 0xe8)
				continue;
			int32_t rel;
			memcpy(&rel, c + q + 1, 4);
			esc = callee_kind(d, w->fn_lo + q + 5 + (uint64_t)(int64_t)rel) == 0;
			break;
		}
	}
	free(c);
	return esc;
}

/* The current sp of thread tid (0 if unknown). */
static uint64_t thread_sp(struct diagnose *d, const struct snapshot *snap, pid_t tid)
{
	struct user_regs_struct r;

	for (size_t i = 0; snap && i < snap->nthreads; i++)
		if (snap->threads[i].tid == tid && snap->threads[i].sp)
			return snap->threads[i].sp;
	if (d->ops.regs && d->ops.regs(d->ops.ctx, tid, &r) == 0)
		return r.rsp;
	return 0;
}

/* A local's watch was hit: a read before any write, or its first write. */
static bool local_hit(struct diagnose *d, const struct event *ev, int i)
{
	struct wslot *w = &d->w[i];
	uint64_t now, sp = thread_sp(d, NULL, w->tid);
	char here[160];
	struct code_loc at;

	if ((sp && sp >= w->cfa) || !read_val(d, w->addr, w->len, &now) || now != w->saved ||
	    !in_exe(d, ev->pc) || hit_was_store(d, ev->tid, ev->pc, w->addr, w->len) ||
	    address_escapes(d, w)) {
		slot_release(d, i);          /* gone, written, a library's, or
						written unseen maybe */
		return false;
	}
	at = locate(d, ev->pc, true);
	loc_text(&at, ev->pc, here, sizeof here);
	add_diag(d, DG_UNINIT_READ, w->addr, ev->tid, &at,
		 "%s reads the local '%s' of %s at 0x%" PRIx64 " before anything was written to"
		 " it: its value is whatever the stack held there (0x%" PRIx64 ")", here,
		 w->var ? w->var : "?", w->fn ? w->fn : "?", w->addr, now);
	slot_release(d, i);
	return true;
}

/* ---- the events ---------------------------------------------------------- */

/* A call of one of the program's functions: which slot holds its return
 * address (the innermost the tracer hid), for naming a smashed one. */
static void note_call(struct diagnose *d, const struct event *ev)
{
	uint64_t slots[256], origs[256];
	size_t n = d->ops.hidden_returns ? d->ops.hidden_returns(d->ops.ctx, ev->tid, slots,
								  origs, ARRAY_LEN(slots)) : 0;
	uint64_t slot;
	size_t k = 0;

	/* without return hooks the innermost hidden slot is not this call's */
	if (n == 0 || !ev->fn || !(d->o.stop_mask & STOP_RETURN))
		return;
	slot = slots[n - 1];
	for (size_t i = 0; i < d->ncalls; i++)   /* frames at or below it have returned */
		if (!(d->calls[i].tid == ev->tid && d->calls[i].slot <= slot))
			d->calls[k++] = d->calls[i];
	d->ncalls = k;
	util_grow((void **)&d->calls, &d->capcalls, d->ncalls + 1, sizeof(*d->calls));
	d->calls[d->ncalls++] = (struct call_slot){ ev->tid, slot, intern(d, ev->fn) };
}

/* A return: the locals of the frames popped are watched no more. */
static void unwatch_popped(struct diagnose *d, pid_t tid)
{
	uint64_t sp;

	if (!slots_used(d, W_LOCAL))
		return;                   /* the usual return: no registers read */
	sp = thread_sp(d, NULL, tid);

	for (int i = 0; sp && i < DIAG_WATCH_SLOTS; i++)
		if (d->w[i].use == W_LOCAL && d->w[i].tid == tid && d->w[i].cfa <= sp)
			slot_release(d, i);
}

bool diagnose_event(struct diagnose *d, const struct event *ev)
{
	d->ndiags = 0;
	switch (ev->kind) {
	case EV_FREE:
		if (ev->at_entry) {
			check_free(d, ev);
			return d->ndiags > 0;
		}
		heap_returned(d, ev);
		return true;
	case EV_MALLOC:
	case EV_CALLOC:
	case EV_REALLOC:
	case EV_MEMALIGN:
		heap_returned(d, ev);
		return true;
	case EV_CALL:
		note_call(d, ev);
		return true;
	case EV_RETURN:
		unwatch_popped(d, ev->tid);
		return true;
	case EV_WATCH: {
		int i = ev->watch_slot;
		if (i < 0 || i >= DIAG_WATCH_SLOTS || d->w[i].use == W_NONE ||
		    d->w[i].addr != ev->watch_addr)
			return false;            /* a stale hit of a watch since removed */
		return d->w[i].use == W_BLOCK ? uaf_hit(d, ev, i) : local_hit(d, ev, i);
	}
	default:
		return true;
	}
}

bool diagnose_pending(const struct diagnose *d)
{
	return d->ndiags > 0;
}

/* ---- the detectors over a snapshot --------------------------------------- */

/* New header overwrites the heap walk found. */
static void check_headers(struct diagnose *d, const struct snapshot *snap)
{
	const struct heap_state *h = snap->heap;
	char here[160];

	for (size_t i = 0; h && i < h->ndiags; i++) {
		const struct heap_diag *hd = &h->diags[i];
		if (hd->kind != HD_HEADER_OVERWRITE || u64_has(d->overwrites, d->nover, hd->addr))
			continue;
		u64_add(&d->overwrites, &d->nover, &d->capover, hd->addr);
		add_diag(d, DG_HEADER_OVERWRITE, hd->addr, 0, &snap->at,
			 "the header of chunk 0x%" PRIx64 " was overwritten (found at %s): %s",
			 hd->addr, loc_text(&snap->at, snap->ev.pc, here, sizeof here), hd->message);
	}
}

/* The function whose return address lives in slot (of thread tid). */
static const char *slot_fn(struct diagnose *d, const struct snapshot *snap, pid_t tid,
			   uint64_t slot, const char **file)
{
	*file = NULL;
	for (size_t t = 0; t < snap->nthreads; t++) {
		const struct thread_state *ts = &snap->threads[t];
		for (size_t i = 0; ts->tid == tid && ts->has_stack && i < ts->stack.n; i++)
			if (ts->stack.frames[i].ret_slot == slot && ts->stack.frames[i].loc.fn) {
				*file = intern(d, ts->stack.frames[i].loc.file);
				return intern(d, ts->stack.frames[i].loc.fn);
			}
	}
	for (size_t i = d->ncalls; i-- > 0;)
		if (d->calls[i].tid == tid && d->calls[i].slot == slot)
			return d->calls[i].fn;
	return NULL;
}

static bool smash_known(const struct diagnose *d, pid_t tid, uint64_t slot, uint64_t value)
{
	for (size_t i = 0; i < d->nsmash; i++)
		if (d->smashes[i].tid == tid && d->smashes[i].slot == slot &&
		    d->smashes[i].value == value)
			return true;
	return false;
}

/* One overwritten return slot. */
static void report_smash(struct diagnose *d, const struct snapshot *snap, pid_t tid,
			 uint64_t slot, uint64_t orig, uint64_t value)
{
	const struct thr *th = thr_get(d, tid);
	struct code_loc at = snap->at;
	const char *file, *fn = slot_fn(d, snap, tid, slot, &file);
	bool by_line = (d->o.stop_mask & STOP_LINE) && th->has_line;
	char where[160];

	if (by_line)
		at = th->line;            /* the line that ran last */
	if (fn && (!at.fn || strcmp(fn, at.fn) != 0)) {
		at.fn = fn;               /* the frame's, whatever line found it */
		at.off = 0;
		at.file = at.file ? at.file : file;
	}
	util_grow((void **)&d->smashes, &d->capsmash, d->nsmash + 1, sizeof(*d->smashes));
	d->smashes[d->nsmash++] = (struct smash){ tid, slot, value };
	add_diag(d, DG_STACK_SMASH, slot, tid, &at,
		 "the return address of %s at 0x%" PRIx64 " was overwritten with 0x%" PRIx64
		 " (it was 0x%" PRIx64 ") %s %s: a stack buffer overflow", fn ? fn : "?", slot,
		 value, orig, by_line ? "by" : "before", loc_text(&at, snap->ev.pc, where,
								    sizeof where));
}

/* Every return slot the tracer hid in thread tid still holds the trampoline? */
static void check_smash_thread(struct diagnose *d, const struct snapshot *snap, pid_t tid,
			       uint64_t tramp)
{
	uint64_t slots[512], origs[512], lo = UINT64_MAX, hi = 0;
	size_t n = d->ops.hidden_returns(d->ops.ctx, tid, slots, origs, ARRAY_LEN(slots));
	uint8_t *buf = NULL;

	for (size_t i = 0; i < n; i++) {
		lo = slots[i] < lo ? slots[i] : lo;
		hi = slots[i] > hi ? slots[i] : hi;
	}
	if (n && hi - lo < SCAN_SPAN) {
		buf = xmalloc(hi - lo + 8);
		if (d->ops.read(d->ops.ctx, lo, buf, hi - lo + 8) != 0) {
			free(buf);
			buf = NULL;
		}
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		if (buf)
			memcpy(&v, buf + (slots[i] - lo), 8);
		else if (d->ops.read(d->ops.ctx, slots[i], &v, 8) != 0)
			continue;
		if (v != tramp && !smash_known(d, tid, slots[i], v))
			report_smash(d, snap, tid, slots[i], origs[i], v);
	}
	free(buf);
}

static void check_smash(struct diagnose *d, const struct snapshot *snap)
{
	uint64_t tramp;

	if (!d->ops.hidden_returns || !d->ops.trampoline || !d->ops.read ||
	    !(tramp = d->ops.trampoline(d->ops.ctx)))
		return;
	if (snap->nthreads == 0)
		check_smash_thread(d, snap, snap->ev.tid, tramp);
	for (size_t t = 0; t < snap->nthreads; t++)
		check_smash_thread(d, snap, snap->threads[t].tid, tramp);
}

/* The stack region of a thread whose sp is given. */
static const struct region *stack_of(const struct snapshot *snap, uint64_t sp)
{
	return snap->space && sp ? space_find(snap->space, sp) : NULL;
}

/* (a) a function returned a pointer into its own, now popped, frame. */
static void check_returned(struct diagnose *d, const struct snapshot *snap)
{
	const struct event *ev = &snap->ev;
	uint64_t v = ev->ret, sp = thread_sp(d, snap, ev->tid);
	const struct region *rg = stack_of(snap, sp);
	char here[160];

	/* only a function that returns something (rax of a void one is
	 * whatever its last call left there: strcpy's destination...) */
	if (!snap->ret_value || !rg || v < rg->start || v >= sp ||
	    u64_has(d->dangling, d->ndang, v))
		return;
	u64_add(&d->dangling, &d->ndang, &d->capdang, v);
	add_diag(d, DG_DANGLING_STACK_POINTER, v, ev->tid, &snap->at,
		 "%s returned 0x%" PRIx64 ", an address in its own stack frame, which is gone"
		 " once it returns (below sp 0x%" PRIx64 "): %s gets a dangling pointer",
		 ev->fn ? ev->fn : "a function", v, sp, loc_text(&snap->at, ev->pc, here, sizeof here));
}

static struct tracked *tracked_find(struct diagnose *d, pid_t tid, uint64_t cfa,
				    const char *name, uint64_t addr)
{
	for (size_t i = 0; i < d->ntracked; i++) {
		struct tracked *t = &d->tracked[i];
		if (t->tid == tid && t->cfa == cfa && t->addr == addr && name &&
		    strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

/* One pointer variable (of frame cfa of tid; globals: 0, 0). */
static void check_var(struct diagnose *d, const struct snapshot *snap, pid_t tid, uint64_t cfa,
		      const char *fn, const struct var_info *v)
{
	struct tracked *t;
	bool live, popped;
	char here[160];

	if (!v->is_ptr || !v->points_kind || !v->name)
		return;
	live = strcmp(v->points_kind, "stack") == 0;
	popped = strcmp(v->points_kind, "stack_popped") == 0;
	t = tracked_find(d, tid, cfa, v->name, v->addr);
	if (!t && !live && !popped)
		return;
	if (!t) {
		util_grow((void **)&d->tracked, &d->captracked, d->ntracked + 1, sizeof(*d->tracked));
		t = &d->tracked[d->ntracked++];
		*t = (struct tracked){ .tid = tid, .cfa = cfa, .name = intern(d, v->name),
				       .addr = v->addr, .value = v->ptr, .born_dangling = popped };
	} else if (t->value != v->ptr) {
		t->value = v->ptr;          /* a new value: judged afresh */
		t->armed = false;
		t->born_dangling = popped;
	}
	t->gen = d->gen;
	if (live && !t->born_dangling)
		t->armed = true;
	if (!popped || !t->armed)
		return;
	t->armed = false;
	t->born_dangling = true;          /* once */
	if (u64_has(d->dangling, d->ndang, v->ptr))
		return;
	u64_add(&d->dangling, &d->ndang, &d->capdang, v->ptr);
	add_diag(d, DG_DANGLING_STACK_POINTER, v->ptr, tid, &snap->at,
		 "%s%s%s '%s' still holds 0x%" PRIx64 ", the address of a local in a frame"
		 " that has returned: a dangling pointer (at %s)", fn ? "the variable of " : "",
		 fn ? fn : "", fn ? "" : "the global", v->name, v->ptr,
		 loc_text(&snap->at, snap->ev.pc, here, sizeof here));
}

/* (b) pointer variables that pointed into a live frame, now popped. */
static void check_vars(struct diagnose *d, const struct snapshot *snap)
{
	size_t k = 0;

	d->gen++;
	for (size_t t = 0; t < snap->nthreads; t++) {
		const struct thread_state *ts = &snap->threads[t];
		for (size_t i = 0; ts->has_stack && i < ts->stack.n; i++)
			for (size_t j = 0; j < ts->vars[i].n; j++)
				check_var(d, snap, ts->tid, ts->stack.frames[i].cfa,
					  ts->stack.frames[i].loc.fn, &ts->vars[i].v[j]);
	}
	for (size_t j = 0; snap->has_globals && j < snap->globals.n; j++)
		check_var(d, snap, 0, 0, NULL, &snap->globals.v[j]);
	for (size_t i = 0; i < d->ntracked; i++)   /* out of scope: forgotten */
		if (d->tracked[i].gen == d->gen)
			d->tracked[k++] = d->tracked[i];
	d->ntracked = k;
}

/* The ELF section of region rg holding a, else the region's kind. */
static const char *section_of(const struct region *rg, uint64_t a)
{
	for (size_t i = 0; i < rg->nsections; i++)
		if (a >= rg->sections[i].start && a < rg->sections[i].end)
			return rg->sections[i].name;
	return region_kind_name(rg->kind);
}

/* What lies at a fault address, in words, into buf. */
static const char *fault_what(const struct diagnose *d, const struct snapshot *snap, char *buf,
			      size_t n)
{
	const struct event *ev = &snap->ev;
	uint64_t a = ev->fault_addr;
	const struct region *rg = snap->space ? space_find(snap->space, a) : NULL;
	const struct block *b;

	if (ev->si_code == SI_KERNEL)
		snprintf(buf, n, "a non-canonical address (a general protection fault: the kernel"
			 " gives no address)");
	else if (a < NULL_PAGE)
		snprintf(buf, n, "the null page: a NULL pointer%s", a ? ", plus an offset" : "");
	else if (a < MMAP_MIN)
		snprintf(buf, n, "below the lowest address Linux maps: a small number used as a"
			 " pointer");
	else if ((b = blk_holding(d, a, BLK_FREED)) != NULL && !rg)
		snprintf(buf, n, "the block 0x%" PRIx64 ", freed and unmapped", b->ptr);
	else if (!rg)
		snprintf(buf, n, "nothing mapped there");
	else if (rg->kind == RK_GUARD || strncmp(rg->perms, "---", 3) == 0)
		snprintf(buf, n, "a guard page, where no access is allowed");
	else if (rg->perms[1] != 'w')
		snprintf(buf, n, "read-only memory (%s%s%s): a write there faults",
			 section_of(rg, a), rg->path && *rg->path ? " of " : "",
			 rg->path ? rg->path : "");
	else
		snprintf(buf, n, "%s memory the program may not access that way",
			 region_kind_name(rg->kind));
	return buf;
}

/* Is this fault the consequence of a smashed return slot of its thread
 * (the smashed frame has returned through it)? */
static bool after_smash(struct diagnose *d, const struct snapshot *snap)
{
	uint64_t sp = thread_sp(d, snap, snap->ev.tid);

	for (size_t i = 0; i < d->nsmash; i++) {
		const struct smash *s = &d->smashes[i];
		if (s->tid == snap->ev.tid &&
		    ((s->value && (s->value == snap->ev.pc || s->value == snap->ev.fault_addr)) ||
		     sp >= s->slot))
			return true;
	}
	return false;
}

/* Where a fault happened: its line, or in a library, the program's call. */
static struct code_loc fault_at(struct diagnose *d, const struct snapshot *snap)
{
	const struct event *ev = &snap->ev;
	uint64_t pc;
	const char *via;

	if (in_exe(d, ev->pc) || !d->ops.in_exe)
		return snap->at;
	for (size_t t = 0; t < snap->nthreads; t++) {
		const struct thread_state *ts = &snap->threads[t];
		for (size_t i = 1; ts->tid == ev->tid && ts->has_stack && i < ts->stack.n; i++)
			if (in_exe(d, ts->stack.frames[i].pc))
				return locate(d, ts->stack.frames[i].pc, true);
	}
	if (program_caller(d, ev->tid, &pc, &via))
		return locate(d, pc, true);
	return snap->at;
}

/* A SIGSEGV or SIGBUS: what was dereferenced. */
static void check_fault(struct diagnose *d, const struct snapshot *snap)
{
	const struct event *ev = &snap->ev;
	char what[200], here[160];
	struct code_loc at;

	if ((ev->signo != SIGSEGV && ev->signo != SIGBUS) || !ev->has_fault_addr ||
	    after_smash(d, snap))
		return;
	at = fault_at(d, snap);
	if (at.fn)
		loc_text(&at, ev->pc, here, sizeof here);
	else
		snprintf(here, sizeof here, "the program");
	fault_what(d, snap, what, sizeof what);
	if (ev->pc == ev->fault_addr && ev->si_code != SI_KERNEL)
		add_diag(d, DG_BAD_DEREF, ev->fault_addr, ev->tid, &at,
			 "%s jumped to 0x%" PRIx64 ", %s: a call through a bad function pointer"
			 " or a return through an overwritten return address (SIG%s)", here,
			 ev->fault_addr, what, ev->signo == SIGSEGV ? "SEGV" : "BUS");
	else
		add_diag(d, DG_BAD_DEREF, ev->fault_addr, ev->tid, &at,
			 "%s dereferenced 0x%" PRIx64 ", %s (SIG%s)", here, ev->fault_addr, what,
			 ev->signo == SIGSEGV ? "SEGV" : "BUS");
}

static int by_seq(const void *a, const void *b)
{
	const struct block *x = *(const struct block *const *)a, *y = *(const struct block *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* At the exit: the program's blocks never freed, in allocation order. */
static void check_leaks(struct diagnose *d, const struct snapshot *snap)
{
	const struct block **v;
	size_t n = 0;
	char where[160];

	if (snap->ev.exited_by_signal)
		return;                   /* a crash: its blocks are not the story */
	v = xmalloc((d->blkused + 1) * sizeof(*v));
	for (size_t i = 0; i < d->blkcap; i++)
		if (d->blk[i].ptr && d->blk[i].state == BLK_LIVE && in_exe(d, d->blk[i].site))
			v[n++] = &d->blk[i];
	qsort(v, n, sizeof(*v), by_seq);
	for (size_t i = 0; i < n; i++) {
		struct code_loc at = locate(d, v[i]->site, true);
		struct diag *g = add_diag(d, DG_LEAK, v[i]->ptr, 0, &at,
					  "%" PRIu64 " bytes at 0x%" PRIx64 ", allocated at %s, were"
					  " never freed: a leak", v[i]->size, v[i]->ptr,
					  loc_text(&at, v[i]->site, where, sizeof where));
		g->size = v[i]->size;
	}
	free(v);
}

/* The largest watch length (8, 4, 2, 1) that is aligned at a and fits n. */
static int watch_len(uint64_t a, uint64_t n)
{
	for (int len = 8; len > 1; len /= 2)
		if (a % (uint64_t)len == 0 && n >= (uint64_t)len)
			return len;
	return 1;
}

/* A `call` stop: watch the new frame's locals, none written yet. */
static void watch_locals(struct diagnose *d, const struct snapshot *snap)
{
	const struct thread_state *ts = NULL;

	if (!(d->o.stop_mask & STOP_RETURN))
		return;                   /* their frame's end would go unseen */
	for (size_t t = 0; t < snap->nthreads; t++)
		if (snap->threads[t].tid == snap->ev.tid && snap->threads[t].has_stack &&
		    snap->threads[t].stack.n)
			ts = &snap->threads[t];
	if (!ts)
		return;
	const struct uw_frame *f = &ts->stack.frames[0];
	for (size_t j = 0; j < ts->vars[0].n; j++) {
		const struct var_info *v = &ts->vars[0].v[j];
		struct wslot w = { .use = W_LOCAL, .tid = ts->tid, .cfa = f->cfa };
		int i;
		if (v->kind != DWV_LOCAL || !v->has_addr || !v->size || !f->cfa ||
		    v->addr + v->size > f->cfa || v->addr + REDZONE < f->sp)
			continue;
		w.addr = v->addr;
		w.len = watch_len(v->addr, v->size);
		w.size = v->size;
		w.var = intern(d, v->name);
		w.fn = intern(d, f->loc.fn);
		w.rbp = (f->valid & (1u << 6)) ? f->regs[6] : 0;
		if (f->loc.func && f->loc.mod) {
			w.fn_lo = f->loc.func->lo + f->loc.mod->bias;
			w.fn_hi = f->loc.func->hi + f->loc.mod->bias;
		}
		if (!read_val(d, w.addr, w.len, &w.saved) ||
		    (i = slot_take(d, W_LOCAL, ts->tid, f->cfa)) < 0)
			return;
		slot_set(d, i, &w);
	}
}

void diagnose_stop(struct diagnose *d, struct snapshot *snap)
{
	const struct event *ev = &snap->ev;
	bool live = ev->kind != EV_EXIT && ev->kind != EV_DETACH;

	/* the heap is judged at heap calls only: a stop inside an allocator
	 * (the teaching one's code, a line step) sees it half updated */
	if (event_kind_class(ev->kind) == STOP_HEAP)
		check_headers(d, snap);
	if (live)
		check_smash(d, snap);
	switch (ev->kind) {
	case EV_RETURN:
		check_returned(d, snap);
		break;
	case EV_SIGNAL:
		check_fault(d, snap);
		break;
	case EV_EXIT:
		check_leaks(d, snap);
		break;
	case EV_CALL:
		watch_locals(d, snap);
		break;
	case EV_LINE: {
		struct thr *th = thr_get(d, ev->tid);
		th->line = loc_keep(d, &snap->at);
		th->has_line = true;
		break;
	}
	default:
		break;
	}
	if (live)
		check_vars(d, snap);
	snap->diags = d->ndiags ? d->diags : NULL;
	snap->ndiags = d->ndiags;
}

/* ---- life ---------------------------------------------------------------- */

struct diagnose *diagnose_new(const struct diagnose_ops *ops, const struct diagnose_opts *o)
{
	struct diagnose *d = xcalloc(1, sizeof(*d));

	d->ops = *ops;
	d->o = *o;
	d->blkcap = 1024;
	d->blk = xcalloc(d->blkcap, sizeof(*d->blk));
	return d;
}

void diagnose_free(struct diagnose *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nstrs; i++)
		free(d->strs[i]);
	free(d->strs);
	free(d->blk);
	free(d->diags);
	free(d->smashes);
	free(d->overwrites);
	free(d->dangling);
	free(d->tracked);
	free(d->thr);
	free(d->calls);
	free(d);
}
