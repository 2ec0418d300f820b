/*
 * test_watch.c - the tracer's hardware watchpoints (tracer_watch), free
 * reported at its entry (tracer_opts.free_entry) and the trampoline
 * address, on real programs traced through the tracer API:
 * tests/unit/watch_prog.c (built here with cc; its header says what each
 * mode accesses) and demos/heap_split_coalesce (its truth lines).
 *
 * What a broken feature would show: a watch that never fires or fires on
 * the wrong bytes (the length encoding), a hit in a thread the watch was
 * not given to, a fork child or a detached program killed by a stray
 * SIGTRAP, a single step that hides a hit, a free seen only after glibc
 * aborted on it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "debuginfo.h"
#include "probes.h"
#include "tracer.h"

#define MAX_RECS 4096
#define WP_SIZE 40                /* watch_prog.c's block */
#define SLOT_BYTES 16

/* One event as the test saw it, with what it read at that stop. */
struct rec {
	struct event ev;
	bool pc_exec;             /* EV_WATCH: pc in an executable mapping... */
	char pc_path[256];        /* ...of this file */
	uint8_t bytes[SLOT_BYTES];      /* EV_FREE: the block's first bytes */
	bool have_bytes;
	bool ret_ok;              /* EV_FREE at entry: its hidden return slot
				     holds the trampoline, its original the
				     call site */
};

struct run;
/* Called at each event (after it is recorded); 1: detach now. */
typedef int (*hook_fn)(struct tracer *t, const struct event *ev, struct run *run);

struct run {
	struct rec r[MAX_RECS];
	size_t n;
	int status;               /* the program's, as tracer_wait_end says */
	bool failed;              /* launch or tracer_next failed */
	bool detached;
	uint64_t p;               /* the block the hook watches */
	uint64_t tramp_at_start;
	int hits, detach_at;      /* hook_detach_later */
	hook_fn hook;
};

static char prog[512];            /* the built watch_prog */

/* The mapping of pid holding pc: executable?  path into out. */
static bool pc_mapping(pid_t pid, uint64_t pc, char *out, size_t max)
{
	char name[64], line[768], perms[8], path[512];
	unsigned long lo, hi;
	bool exec = false;
	FILE *f;

	snprintf(name, sizeof name, "/proc/%d/maps", (int)pid);
	f = fopen(name, "r");
	out[0] = '\0';
	while (f && fgets(line, sizeof line, f)) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %511s", &lo, &hi, perms, path) < 3)
			continue;
		if (pc >= lo && pc < hi) {
			exec = perms[2] == 'x';
			if (strlen(path) >= max)            /* cut: keep its end */
				memmove(path, path + strlen(path) - (max - 1), max);
			memcpy(out, path, strlen(path) + 1);
			break;
		}
	}
	if (f)
		fclose(f);
	return exec;
}

/* At a free's entry: is its return hooked through the trampoline? */
static bool check_hidden_return(struct tracer *t, const struct event *ev)
{
	uint64_t slots[16], origs[16], val = 0;
	size_t n = tracer_hidden_returns(t, ev->tid, slots, origs, 16);

	if (n == 0 || tracer_trampoline(t) == 0 ||
	    tracer_read(t, slots[n - 1], &val, 8) != 0)
		return false;
	return val == tracer_trampoline(t) && origs[n - 1] == ev->call_site;
}

/* Note what the test wants to know about the stop of ev. */
static void record(struct tracer *t, const struct event *ev, struct run *run)
{
	struct rec *rc;

	if (run->n == MAX_RECS)
		return;
	rc = &run->r[run->n++];
	memset(rc, 0, sizeof(*rc));
	rc->ev = *ev;
	if (ev->kind == EV_WATCH)
		rc->pc_exec = pc_mapping(ev->pid, ev->pc, rc->pc_path, sizeof rc->pc_path);
	if (ev->kind == EV_FREE && ev->args[0])
		rc->have_bytes = tracer_read(t, ev->args[0], rc->bytes, SLOT_BYTES) == 0;
	if (ev->kind == EV_FREE && ev->at_entry)
		rc->ret_ok = check_hidden_return(t, ev);
}

/* Trace argv to its end (or until the hook detaches) with opts. */
static void trace(char *const argv[], struct tracer_opts *o, struct run *run)
{
	struct event ev;
	char *cause = NULL;
	struct tracer *t;
	int rc;

	t = tracer_launch(argv, o, &cause);
	if (!t) {
		fprintf(stderr, "launch %s: %s\n", argv[0], cause ? cause : "?");
		free(cause);
		run->failed = true;
		return;
	}
	run->tramp_at_start = tracer_trampoline(t);
	while ((rc = tracer_next(t, &ev)) > 0) {
		record(t, &ev, run);
		if (ev.kind == EV_EXIT)
			continue;
		if (run->hook && run->hook(t, &ev, run)) {
			CHECK(tracer_detach(t) == 0);
			run->detached = true;
			break;
		}
	}
	if (rc < 0) {
		fprintf(stderr, "%s: tracer_next failed\n", argv[0]);
		run->failed = true;
	}
	run->status = tracer_wait_end(t);
	tracer_free(t);
}

/* A run of watch_prog MODE, memset to zero first. */
static struct run *run_prog(const char *mode, struct tracer_opts *o, hook_fn hook)
{
	struct run *run = calloc(1, sizeof(*run));
	char *argv[] = { prog, (char *)mode, NULL };

	if (!run)
		exit(2);
	run->hook = hook;
	trace(argv, o, run);
	return run;
}

static bool is_block_malloc(const struct event *ev)
{
	return ev->kind == EV_MALLOC && ev->has_ret && ev->args[0] == WP_SIZE;
}

static bool is_block_free_entry(const struct event *ev, const struct run *run)
{
	return ev->kind == EV_FREE && ev->at_entry && run->p && ev->args[0] == run->p;
}

/* len: 8 bytes at p (slot 0), 4 at p+8 (slot 1); off at p's free. */
static int hook_len(struct tracer *t, const struct event *ev, struct run *run)
{
	if (is_block_malloc(ev) && !run->p) {
		run->p = ev->ret;
		CHECK(tracer_watch(t, 0, run->p, 8) == 0);
		CHECK(tracer_watch(t, 1, run->p + 8, 4) == 0);
	} else if (is_block_free_entry(ev, run)) {
		CHECK(tracer_unwatch(t, 0) == 0);
		CHECK(tracer_unwatch(t, 1) == 0);
	}
	return 0;
}

/* threads, fork: 8 bytes at p and at p+8; off at p's free. */
static int hook_two(struct tracer *t, const struct event *ev, struct run *run)
{
	if (is_block_malloc(ev) && !run->p) {
		run->p = ev->ret;
		CHECK(tracer_watch(t, 0, run->p, 8) == 0);
		CHECK(tracer_watch(t, 1, run->p + 8, 8) == 0);
	} else if (is_block_free_entry(ev, run)) {
		CHECK(tracer_unwatch(t, 0) == 0);
		CHECK(tracer_unwatch(t, 1) == 0);
	}
	return 0;
}

/* detach: watch p, detach at the first hit. */
static int hook_detach_at_hit(struct tracer *t, const struct event *ev, struct run *run)
{
	if (is_block_malloc(ev) && !run->p) {
		run->p = ev->ret;
		CHECK(tracer_watch(t, 0, run->p, 8) == 0);
	}
	return ev->kind == EV_WATCH;
}

/* detach: watch p and detach at once, before the program writes it. */
static int hook_detach_now(struct tracer *t, const struct event *ev, struct run *run)
{
	if (is_block_malloc(ev) && !run->p) {
		run->p = ev->ret;
		CHECK(tracer_watch(t, 2, run->p, 8) == 0);
		return 1;
	}
	return 0;
}

static size_t count_kind(const struct run *run, enum ev_kind k)
{
	size_t n = 0;

	for (size_t i = 0; i < run->n; i++)
		n += run->r[i].ev.kind == k;
	return n;
}

/* The i-th EV_WATCH record, or NULL. */
static const struct rec *nth_watch(const struct run *run, size_t i)
{
	for (size_t k = 0; k < run->n; k++)
		if (run->r[k].ev.kind == EV_WATCH && i-- == 0)
			return &run->r[k];
	return NULL;
}

static struct tracer_opts heap_opts(void)
{
	struct tracer_opts o = { 0 };

	o.stop_mask = STOP_HEAP | STOP_SIGNAL | STOP_EXIT;
	o.free_entry = true;
	o.no_aslr = true;
	o.child_stdout = -1;
	return o;
}

/* The slot, the offset from p and the pc of each hit of a len run. */
static void check_len_hits(const struct run *run, const char *what)
{
	static const int slots[] = { 0, 1, 0 };
	static const uint64_t offs[] = { 0, 8, 0 };
	size_t after = 0, entry = 0;

	fprintf(stderr, "len (%s): %zu watch events\n", what, count_kind(run, EV_WATCH));
	CHECK(!run->failed);
	CHECK_EQ_U(run->status, 0);
	CHECK(run->p != 0);
	CHECK_EQ_U(count_kind(run, EV_WATCH), 3);
	for (size_t i = 0; i < 3; i++) {
		const struct rec *w = nth_watch(run, i);
		if (!w)
			break;
		CHECK_EQ_U(w->ev.watch_slot, slots[i]);
		CHECK_EQ_U(w->ev.watch_addr, run->p + offs[i]);
		CHECK_EQ_U(w->ev.tid, w->ev.pid);
		/* after the access, in watch_prog's own code */
		CHECK(w->pc_exec);
		CHECK(strstr(w->pc_path, "/watch_prog") != NULL);
		if (i > 0 && nth_watch(run, i - 1))
			CHECK(w->ev.pc > nth_watch(run, i - 1)->ev.pc);
	}
	/* unwatched at p's free: glibc's writes into the block go unseen */
	for (size_t i = 0; i < run->n; i++) {
		if (is_block_free_entry(&run->r[i].ev, run))
			entry = i;
		if (entry && run->r[i].ev.kind == EV_WATCH)
			after++;
	}
	CHECK(entry > 0);
	CHECK_EQ_U(after, 0);
}

/* Watchpoint lengths and slots, by events and by single steps: the
 * same hits at the same pcs. */
static void test_len(void)
{
	struct tracer_opts o = heap_opts();
	struct run *plain = run_prog("len", &o, hook_len);
	struct debuginfo *dbg = debuginfo_new();
	struct probes *pr = probes_new(dbg);
	struct run *step;
	size_t lines_after = 0;

	check_len_hits(plain, "run");
	CHECK_EQ_U(plain->tramp_at_start, 0);     /* no return hooked yet */

	o = heap_opts();
	o.stop_mask |= STOP_LINE;
	o.src = probes_src(pr);
	step = run_prog("len", &o, hook_len);
	check_len_hits(step, "line steps");
	for (size_t i = 0; i < 3; i++) {
		const struct rec *a = nth_watch(plain, i), *b = nth_watch(step, i);
		if (a && b)
			CHECK_EQ_U(a->ev.pc, b->ev.pc);
	}
	/* stepping went on after the hits */
	for (size_t i = 0, seen = 0; i < step->n; i++) {
		seen += step->r[i].ev.kind == EV_WATCH;
		lines_after += seen == 3 && step->r[i].ev.kind == EV_LINE;
	}
	fprintf(stderr, "len (line steps): %zu line events, %zu after the hits\n",
		count_kind(step, EV_LINE), lines_after);
	CHECK(lines_after >= 2);
	probes_free(pr);
	debuginfo_free(dbg);
	free(plain);
	free(step);
}

/* A thread running when the watch is set, and one created after. */
static void test_threads(void)
{
	struct tracer_opts o = heap_opts();
	struct run *run = run_prog("threads", &o, hook_two);
	const struct rec *w0 = NULL, *w1 = NULL;
	size_t n0 = 0, n1 = 0;

	CHECK(!run->failed);
	CHECK_EQ_U(run->status, 0);
	for (size_t i = 0; i < run->n; i++) {
		const struct rec *r = &run->r[i];
		if (r->ev.kind != EV_WATCH)
			continue;
		if (r->ev.watch_slot == 0) {
			n0++;
			w0 = r;
		} else if (r->ev.watch_slot == 1) {
			n1++;
			w1 = r;
		}
	}
	fprintf(stderr, "threads: %zu hits on slot 0, %zu on slot 1\n", n0, n1);
	CHECK_EQ_U(n0, 1);
	CHECK_EQ_U(n1, 1);
	CHECK_EQ_U(count_kind(run, EV_WATCH), 2);
	if (w0 && w1) {
		CHECK_EQ_U(w0->ev.watch_addr, run->p);
		CHECK_EQ_U(w1->ev.watch_addr, run->p + 8);
		CHECK(w0->ev.tid != w0->ev.pid);
		CHECK(w1->ev.tid != w1->ev.pid);
		CHECK(w0->ev.tid != w1->ev.tid);
		CHECK(strstr(w0->pc_path, "/watch_prog") != NULL);
		CHECK(strstr(w1->pc_path, "/watch_prog") != NULL);
	}
	free(run);
}

/* A forked child (not traced) writes the watched bytes: no trap there. */
static void test_fork(void)
{
	struct tracer_opts o = heap_opts();
	struct run *run = run_prog("fork", &o, hook_two);
	const struct rec *w = nth_watch(run, 0);

	fprintf(stderr, "fork: status %d, %zu watch events\n", run->status,
		count_kind(run, EV_WATCH));
	CHECK(!run->failed);
	CHECK_EQ_U(run->status, 0);       /* 3: the child did not exit 0 */
	CHECK_EQ_U(count_kind(run, EV_WATCH), 1);
	if (w) {
		CHECK_EQ_U(w->ev.watch_slot, 0);
		CHECK_EQ_U(w->ev.watch_addr, run->p);
		CHECK_EQ_U(w->ev.tid, w->ev.pid);
	}
	free(run);
}

/* Detach with a watchpoint set: the program runs on to its end. */
static void test_detach(void)
{
	struct tracer_opts o = heap_opts();
	struct run *run = run_prog("detach", &o, hook_detach_at_hit);

	fprintf(stderr, "detach at a hit: status %d, %zu watch events\n", run->status,
		count_kind(run, EV_WATCH));
	CHECK(!run->failed);
	CHECK(run->detached);
	CHECK_EQ_U(count_kind(run, EV_WATCH), 1);
	CHECK_EQ_U(run->status, 0);       /* 133: killed by a stray SIGTRAP */
	free(run);

	o = heap_opts();
	run = run_prog("detach", &o, hook_detach_now);
	fprintf(stderr, "detach with a watch set: status %d\n", run->status);
	CHECK(!run->failed);
	CHECK(run->detached);
	CHECK_EQ_U(count_kind(run, EV_WATCH), 0);
	CHECK_EQ_U(run->status, 0);
	free(run);
}

/* hammer: watch p, detach at the (p's low bits % 64 + 1)-th hit. */
static int hook_detach_later(struct tracer *t, const struct event *ev, struct run *run)
{
	if (is_block_malloc(ev) && !run->p) {
		run->p = ev->ret;
		CHECK(tracer_watch(t, 3, run->p, 1) == 0);
	}
	if (ev->kind == EV_WATCH && ++run->hits >= run->detach_at)
		return 1;
	return 0;
}

/* Threads hitting the watch while the detach stops them: a hit whose
 * SIGTRAP is still pending (the interrupt reported first) must not
 * reach the detached program.  The race is narrow: many runs. */
static void test_detach_race(void)
{
	int bad = 0, runs = 25;

	for (int i = 0; i < runs; i++) {
		struct tracer_opts o = heap_opts();
		struct run *run = calloc(1, sizeof(*run));
		char *argv[] = { prog, "hammer", NULL };
		if (!run)
			exit(2);
		run->hook = hook_detach_later;
		run->detach_at = 1 + (i * 37) % 150;
		trace(argv, &o, run);
		if (run->failed || !run->detached || run->status != 0) {
			fprintf(stderr, "hammer run %d: status %d after %d hits%s\n", i,
				run->status, run->hits, run->detached ? "" : " (no detach)");
			bad++;
		}
		free(run);
	}
	fprintf(stderr, "detach races: %d bad of %d\n", bad, runs);
	CHECK_EQ_U(bad, 0);
}

/* Is every byte of b c? */
static bool all_bytes(const uint8_t *b, size_t n, uint8_t c)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != c)
			return false;
	return true;
}

/* The kinds of the heap and signal events, as a string ("E" free at
 * entry, "F" free returned, "S" SIGABRT, "s" another signal). */
static void free_story(const struct run *run, char *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < run->n && k + 1 < max; i++) {
		const struct event *ev = &run->r[i].ev;
		if (ev->kind == EV_FREE)
			out[k++] = ev->at_entry ? 'E' : 'F';
		else if (ev->kind == EV_SIGNAL)
			out[k++] = ev->signo == SIGABRT ? 'S' : 's';
	}
	out[k] = '\0';
}

/* The second free of a double free is seen before glibc aborts. */
static void test_double_free(void)
{
	struct tracer_opts o = heap_opts();
	struct run *run = run_prog("double_free", &o, NULL);
	const struct rec *first = NULL, *ret = NULL, *second = NULL;
	char story[64];

	free_story(run, story, sizeof story);
	fprintf(stderr, "double_free (free_entry): %s, status %d\n", story, run->status);
	CHECK(!run->failed);
	CHECK_STR(story, "EFES");
	CHECK_EQ_U(run->status, 128 + SIGABRT);
	for (size_t i = 0; i < run->n; i++) {
		const struct rec *r = &run->r[i];
		if (r->ev.kind != EV_FREE)
			continue;
		if (r->ev.at_entry && !first)
			first = r;
		else if (r->ev.at_entry)
			second = r;
		else
			ret = r;
	}
	if (first && ret && second) {
		CHECK(first->ev.args[0] != 0);
		CHECK_EQ_U(second->ev.args[0], first->ev.args[0]);
		CHECK_EQ_U(ret->ev.args[0], first->ev.args[0]);
		CHECK(!first->ev.has_ret && ret->ev.has_ret);
		CHECK_EQ_U(first->ev.call_site, ret->ev.call_site);
		CHECK(first->ev.call_site != second->ev.call_site);
		/* at entry the block is as the program left it; at the return
		 * glibc's tcache has written its link and key into it */
		CHECK(first->have_bytes && all_bytes(first->bytes, SLOT_BYTES, 0x5a));
		CHECK(ret->have_bytes && !all_bytes(ret->bytes, SLOT_BYTES, 0x5a));
		CHECK(first->ret_ok);
		CHECK(second->ret_ok);
	}
	free(run);

	/* void_at_entry alone (--fields event): at entry, no return, as before */
	o = heap_opts();
	o.free_entry = false;
	o.void_at_entry = true;
	run = run_prog("double_free", &o, NULL);
	free_story(run, story, sizeof story);
	fprintf(stderr, "double_free (void_at_entry): %s\n", story);
	CHECK_STR(story, "FFS");
	for (size_t i = 0; i < run->n; i++)
		if (run->r[i].ev.kind == EV_FREE)
			CHECK(!run->r[i].ev.at_entry && !run->r[i].ev.has_ret);
	free(run);
}

/* heap_split_coalesce: watch its first 24-byte block (memset writes it). */
static int hook_demo(struct tracer *t, const struct event *ev, struct run *run)
{
	if (ev->kind == EV_MALLOC && ev->has_ret && ev->args[0] == 24 && !run->p) {
		run->p = ev->ret;
		CHECK(tracer_watch(t, 0, run->p, 8) == 0);
	} else if (ev->kind == EV_WATCH) {
		CHECK(tracer_unwatch(t, 0) == 0);
	}
	return 0;
}

/* The demo's "free PTR" truth lines, in order; their count. */
static size_t truth_frees(const char *path, uint64_t *out, size_t max, uint64_t *first24)
{
	char line[256];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	*first24 = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned long v;
		if (sscanf(line, "free 0x%lx", &v) == 1 && n < max)
			out[n++] = v;
		else if (!*first24 && sscanf(line, "malloc 24 -> 0x%lx", &v) == 1)
			*first24 = v;
	}
	if (f)
		fclose(f);
	return n;
}

/* Every free of the demo, at entry and at return, paired; a watch on
 * its first block fires in memset, once, and never after the unwatch. */
static void test_demo(void)
{
	const char *tmp = getenv("TMPDIR");
	char out[512];
	int fd;
	struct tracer_opts o = heap_opts();
	char *argv[] = { "demos/heap_split_coalesce", NULL };
	struct run *run = calloc(1, sizeof(*run));
	uint64_t truth[256], entries[256], p24;
	size_t nt, ne = 0, unpaired = 0;
	const struct rec *w;

	snprintf(out, sizeof out, "%s/memviz-watch-out.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(out);
	if (fd < 0 || !run)
		exit(2);
	o.child_stdout = fd;
	run->hook = hook_demo;
	trace(argv, &o, run);
	close(fd);
	nt = truth_frees(out, truth, 256, &p24);
	unlink(out);
	CHECK(!run->failed);
	CHECK_EQ_U(run->status, 0);
	for (size_t i = 0; i < run->n; i++) {
		const struct event *ev = &run->r[i].ev;
		if (ev->kind != EV_FREE || !ev->at_entry)
			continue;
		if (ne < 256)
			entries[ne++] = ev->args[0];
		/* the next free event of this thread: its return */
		size_t k = i + 1;
		while (k < run->n && !(run->r[k].ev.kind == EV_FREE && run->r[k].ev.tid == ev->tid))
			k++;
		if (k == run->n || run->r[k].ev.at_entry || run->r[k].ev.args[0] != ev->args[0] ||
		    run->r[k].ev.call_site != ev->call_site)
			unpaired++;
		if (!run->r[i].ret_ok)
			unpaired++;
	}
	fprintf(stderr, "demo: %zu truth frees, %zu at entry, %zu unpaired, %zu watch events\n",
		nt, ne, unpaired, count_kind(run, EV_WATCH));
	CHECK(nt >= 10);
	CHECK_EQ_U(ne, nt);
	for (size_t i = 0; i < nt && i < ne; i++)
		CHECK_EQ_U(entries[i], truth[i]);
	CHECK_EQ_U(unpaired, 0);
	/* as many frees at return as at entry */
	CHECK_EQ_U(count_kind(run, EV_FREE), 2 * ne);
	CHECK_EQ_U(run->p, p24);
	CHECK_EQ_U(count_kind(run, EV_WATCH), 1);
	w = nth_watch(run, 0);
	if (w) {
		CHECK_EQ_U(w->ev.watch_addr, p24);
		CHECK_EQ_U(w->ev.watch_slot, 0);
		CHECK_EQ_U(w->ev.tid, w->ev.pid);
		CHECK(w->pc_exec);        /* in libc's memset or the demo */
		fprintf(stderr, "demo: hit at 0x%llx in %s\n", (unsigned long long)w->ev.pc,
			w->pc_path);
	}
	free(run);
}

/* Bad arguments are refused without touching the program. */
static void test_bad_args(void)
{
	struct tracer_opts o = heap_opts();
	char *argv[] = { prog, "len", NULL };
	char *cause = NULL;
	struct tracer *t = tracer_launch(argv, &o, &cause);

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(tracer_watch(t, 4, 0x1000, 8) == -1);
	CHECK(tracer_watch(t, -1, 0x1000, 8) == -1);
	CHECK(tracer_watch(t, 0, 0x1000, 3) == -1);
	CHECK(tracer_watch(t, 0, 0x1004, 8) == -1);
	CHECK(tracer_watch(t, 0, 0x1002, 4) == -1);
	CHECK(tracer_watch(t, 0, 0xffffffffffff0000ull, 8) == -1);   /* kernel space */
	CHECK(tracer_unwatch(t, 4) == -1);
	CHECK(tracer_unwatch(t, 1) == 0);        /* not set: nothing to do */
	/* a refused address leaves the program running as before */
	tracer_kill(t);
	tracer_free(t);
}

/* Build tests/unit/watch_prog.c into a scratch directory. */
static int build_prog(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[256], cmd[1024];

	if (access("tests/unit/watch_prog.c", R_OK) != 0) {
		fprintf(stderr, "tests/unit/watch_prog.c not found (run from the repo root)\n");
		return -1;
	}
	if (system("command -v cc >/dev/null 2>&1") != 0)
		return 77;
	snprintf(dir, sizeof dir, "%s/memviz-watch.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(prog, sizeof prog, "%s/watch_prog", dir);
	snprintf(cmd, sizeof cmd, "cc -g -O0 -pthread -o '%s' tests/unit/watch_prog.c", prog);
	return system(cmd) == 0 ? 0 : -1;
}

/* Remove the scratch program and its directory. */
static void clean_prog(void)
{
	char dir[512];

	snprintf(dir, sizeof dir, "%s", prog);
	unlink(prog);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	rmdir(dir);
}

int main(void)
{
	int rc = build_prog();

	if (rc == 77) {
		printf("no cc to build the test program\n");
		return 77;
	}
	CHECK(rc == 0);
	if (rc != 0)
		CHECK_DONE();
	test_bad_args();
	test_len();
	test_threads();
	test_fork();
	test_detach();
	test_detach_race();
	test_double_free();
	test_demo();
	clean_prog();
	CHECK_DONE();
}
