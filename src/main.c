/*
 * main.c - the command line and the session loop:
 *
 *   tracer stops the program -> snapshot of what the record needs -> a view
 *   (JSON Lines or text) -> resume, until the program ends, --max-stops is
 *   reached or memviz is told to stop; then detach cleanly and, for a
 *   launched program, wait for it and exit with its status (as strace does).
 *
 * On a terminal (and without --json, --text, -o) the view is the terminal
 * UI instead: each stop is shown and the user's key says what comes next
 * (step, continue, detach, kill).  Curses is closed before memviz prints
 * anything or exits: ui_open hooks ui_close into atexit and util_fatal.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "debuginfo.h"
#include "diagnose.h"
#include "out.h"
#include "probes.h"
#include "snapshot.h"
#include "tracer.h"
#include "ui.h"
#include "util.h"

#define EXIT_USAGE 2
#define DEFAULT_STOP_ON (STOP_HEAP | STOP_SIGNAL | STOP_EXIT)
/* what teaching wants to see step by step */
#define TUI_STOP_ON (STOP_HEAP | STOP_CALL | STOP_RETURN | STOP_SIGNAL | STOP_EXIT)

enum out_mode { MODE_TEXT, MODE_JSON };

struct options {
	enum out_mode mode;
	bool mode_given;              /* --json or --text */
	bool tui;                     /* the terminal UI is the view */
	bool stop_on_given;
	const char *record;           /* --record FILE */
	double play;                  /* --play RATE, 0: paused */
	bool relative;                /* --relative */
	enum ui_lang lang;            /* --lang */
	const char *output;
	unsigned fields;
	unsigned stop_mask;
	const char **breaks;
	size_t nbreaks, capbreaks;
	unsigned long max_stops;      /* 0: no limit */
	pid_t pid;
	bool no_aslr;
	bool pure_heap;               /* --pure-heap */
	enum heap_model { HM_AUTO, HM_GLIBC, HM_TAGS } heap_model;
	char **argv;                  /* the program and its arguments */
	char *tour;                   /* allocated path of demos/tour */
};

struct session {
	struct options *o;
	struct tracer *t;
	struct debuginfo *dbg;        /* DWARF and CFI of every object, opened once */
	struct probes *probes;        /* the tracer's source-level probes */
	FILE *out;
	struct strbuf sb;
	bool flush_each;          /* flush after every record */
	uint64_t last_flush_ms;   /* otherwise every 50 ms at most */
	bool write_failed;        /* a record could not be written */
	int write_errno;
	struct snapshot snap;
	unsigned long seq;
	struct heap_state heaps[2];   /* this stop's and the previous one's */
	int heap_cur;
	bool heap_prev;               /* heaps[!heap_cur] holds a previous stop */
	struct heap_reqs *reqs;       /* requested sizes of live blocks */
	uint64_t *fs_bases;           /* of every thread, at this stop */
	size_t nfs, fs_cap;
	const char *notes[4];
	size_t nnotes;
	char *note_buf;
	struct diagnose *diag;        /* the bug detectors (--fields diagnostics) */
	struct heap_state diag_heap;  /* their walk at a free's entry */
	struct uw_stack diag_stack;   /* their unwinds at a watchpoint hit */
};

static const char usage_text[] =
"Usage: memviz [OPTIONS] [--] PROGRAM [ARGS...]   launch PROGRAM, stop at main\n"
"       memviz [OPTIONS] -p PID                   attach to a running process\n"
"       memviz                                    the guided tour (demos/tour)\n"
"\n"
"The view: the terminal UI when stdin and stdout are a terminal and none of\n"
"--json, --text, -o is given; else the panes as text (--text).\n"
"      --json             one JSON object per stop (JSON Lines)\n"
"      --text             the panes as plain text at each stop\n"
"  -o, --output FILE      where --json/--text go (default stdout; then the\n"
"                         program's own stdout goes to memviz's stderr)\n"
"      --fields LIST      parts of each record: event,space,stack,heap,diagnostics\n"
"                         (default all; `--fields event` is the cheap trace)\n"
"What stops:\n"
"      --stop-on KINDS    heap,call,return,line,syscall,signal,exit\n"
"                         (default heap,signal,exit; in the terminal UI\n"
"                         heap,call,return,signal,exit)\n"
"                         heap = malloc calloc realloc free memalign aligned_alloc\n"
"                         posix_memalign valloc pvalloc; call/return = the\n"
"                         program's own functions (those with debug info);\n"
"                         line = each source line of the program's code, as\n"
"                         gdb's `step`; syscall = the libc wrappers brk sbrk\n"
"                         mmap munmap mremap\n"
"      --break WHERE      stop at FUNC (after its prologue, as gdb's `break`)\n"
"                         or at FILE:LINE (repeatable)\n"
"      --max-stops N      detach after N stops; the program runs on unharmed\n"
"Terminal UI (keys: ? in the UI):\n"
"      --record FILE      also write the session as an asciicast v2 file\n"
"                         (replay: asciinema play FILE)\n"
"      --play RATE        autoplay from the start, RATE stops per second\n"
"      --relative         addresses relative to what holds them: heap+0x2a0,\n"
"                         stack-0x40 (below the stack's top), main+0x1c,\n"
"                         libc.so.6+0x98930 (with --no-aslr: lecture mode)\n"
"      --lang en|ko       language of the narration (default en)\n"
"                         In the UI the launched program's stdout and stderr\n"
"                         go to $TMPDIR/memviz-PID.out (PID: memviz's; /tmp\n"
"                         without TMPDIR); its lines show in the events strip.\n"
"Launching:\n"
"  -p, --pid PID          attach to PID (all threads); detach leaves it running\n"
"      --no-aslr          launch without address randomization\n"
"      --heap-model M     auto (default), glibc, or tags (the boundary-tag\n"
"                         allocator of demos/lib; auto picks it when present)\n"
"      --pure-heap        launch with tcache and fastbins off, so every free\n"
"                         coalesces at once, as in the textbook\n"
"  -h, --help             this help\n"
"  -V, --version          version\n"
"\n"
"Exit status: a launched program's own status (128+N if signal N killed it),\n"
"0 after -p, 2 for a usage error, 1 if memviz itself failed.\n";

/* Print a usage error and exit 2. */
static noreturn void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "memviz: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(EXIT_USAGE);
}

/* Parse a positive decimal number or exit with a usage error. */
static unsigned long parse_count(const char *opt, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || s[0] == '-') {
		fprintf(stderr, "memviz: %s: '%s' is not a positive number\n", opt, s);
		exit(EXIT_USAGE);
	}
	return v;
}

/* Parse a comma list option with parse() (event_parse_stop_on,
 * snapshot_parse_fields), or exit with a usage error naming the bad word. */
static unsigned parse_list(const char *opt, const char *list, const char *noun,
			   const char *choices, int (*parse)(const char *, unsigned *, char **))
{
	unsigned mask;
	char *bad = NULL;

	if (parse(list, &mask, &bad) != 0) {
		fprintf(stderr, "memviz: %s: unknown %s '%s' (%ss: %s)\n", opt, noun,
			bad ? bad : "", noun, choices);
		free(bad);
		exit(EXIT_USAGE);
	}
	return mask;
}

/* --stop-on: the kinds this version can stop on, or a usage error. */
static unsigned parse_stop_on(const char *list)
{
	unsigned mask = parse_list("--stop-on", list, "kind", "heap, call, return, line, "
				   "syscall, signal, exit", event_parse_stop_on);

	return mask;
}

/* --play RATE: stops per second, > 0, or a usage error. */
static double parse_rate(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1000)
		usage_error("--play: '%s' is not a rate in stops per second (0 < RATE <= 1000)", s);
	return v;
}

/* Add a --break location. */
static void add_break(struct options *o, const char *loc)
{
	if (!*loc)
		usage_error("--break %s: give a function or FILE:LINE", "''");
	util_grow((void **)&o->breaks, &o->capbreaks, o->nbreaks + 1, sizeof(*o->breaks));
	o->breaks[o->nbreaks++] = loc;
}


static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'J' },
	{ "text", no_argument, NULL, 'T' },
	{ "output", required_argument, NULL, 'o' },
	{ "fields", required_argument, NULL, 'F' },
	{ "stop-on", required_argument, NULL, 'S' },
	{ "break", required_argument, NULL, 'B' },
	{ "max-stops", required_argument, NULL, 'M' },
	{ "pid", required_argument, NULL, 'p' },
	{ "no-aslr", no_argument, NULL, 'A' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "heap-model", required_argument, NULL, 'H' },
	{ "pure-heap", no_argument, NULL, 'U' },
	{ "record", required_argument, NULL, 'R' },
	{ "play", required_argument, NULL, 'Y' },
	{ "relative", no_argument, NULL, 'E' },
	{ "lang", required_argument, NULL, 'G' },
	{ NULL, 0, NULL, 0 },
};

/* Handle one option character; exits on usage errors, --help, --version. */
static void parse_one(struct options *o, int c, const char *arg, const char *optname)
{
	switch (c) {
	case 'J': o->mode = MODE_JSON; o->mode_given = true; break;
	case 'T': o->mode = MODE_TEXT; o->mode_given = true; break;
	case 'o': o->output = arg; break;
	case 'F':
		o->fields = parse_list("--fields", arg, "part", "event, space, stack, heap, "
				       "diagnostics", snapshot_parse_fields);
		break;
	case 'S': o->stop_mask = parse_stop_on(arg); o->stop_on_given = true; break;
	case 'B': add_break(o, arg); break;
	case 'M': o->max_stops = parse_count("--max-stops", arg); break;
	case 'p': o->pid = (pid_t)parse_count("-p", arg); break;
	case 'A': o->no_aslr = true; break;
	case 'U': o->pure_heap = true; break;
	case 'H':
		if (strcmp(arg, "auto") == 0)
			o->heap_model = HM_AUTO;
		else if (strcmp(arg, "glibc") == 0)
			o->heap_model = HM_GLIBC;
		else if (strcmp(arg, "tags") == 0)
			o->heap_model = HM_TAGS;
		else
			usage_error("--heap-model: '%s' is not auto, glibc or tags", arg);
		break;
	case 'h': fputs(usage_text, stdout); exit(0);
	case 'V': printf("memviz %s\n", MEMVIZ_VERSION); exit(0);
	case 'R':
		if (!*arg)
			usage_error("--record %s: give a file name", "''");
		o->record = arg;
		break;
	case 'Y': o->play = parse_rate(arg); break;
	case 'E': o->relative = true; break;
	case 'G':
		if (strcmp(arg, "en") == 0)
			o->lang = UI_LANG_EN;
		else if (strcmp(arg, "ko") == 0)
			o->lang = UI_LANG_KO;
		else
			usage_error("--lang: '%s' is not en or ko", arg);
		break;
	default:
		if (optopt && strchr("op", optopt))
			usage_error("option -%s needs an argument (see --help)",
				    (char[]){ (char)optopt, '\0' });
		usage_error("unrecognized option '%s' (see --help)", optname);
	}
}

/* The path of demos/tour beside the memviz binary. */
static char *tour_path(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return xstrdup("demos/tour");
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	return xasprintf("%s/demos/tour", self);
}

/* Fill o from argv. */
static void parse_args(struct options *o, int argc, char **argv)
{
	int c, idx;

	memset(o, 0, sizeof(*o));
	o->fields = FIELD_ALL;
	o->stop_mask = DEFAULT_STOP_ON;
	o->mode = MODE_TEXT;
	opterr = 0;               /* our one-line messages, not getopt's */
	while ((c = getopt_long(argc, argv, "+o:p:hV", long_opts, &idx)) != -1)
		parse_one(o, c, optarg, argv[optind - 1]);
	if (optind < argc && o->pid)
		usage_error("give either -p PID or a PROGRAM, not both%s", "");
	if (optind == argc && optind > 1 && strcmp(argv[optind - 1], "--") == 0)
		usage_error("no PROGRAM after --%s", "");
	/* the terminal UI, unless a headless view was asked for or there is
	 * no terminal (a pipe, CI) */
	o->tui = !o->mode_given && !o->output && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (!o->tui && o->record)
		usage_error("--record %s: recording needs the terminal UI (a terminal, and no "
			    "--json, --text or -o)", o->record);
	if (!o->tui && o->play)
		usage_error("--play: autoplay needs the terminal UI (a terminal, and no "
			    "--json, --text or -o)%s", "");
	if (o->tui) {
		if (!o->stop_on_given)
			o->stop_mask = TUI_STOP_ON;
		o->fields = FIELD_ALL;      /* every pane */
	}
	if (optind < argc) {
		o->argv = argv + optind;
	} else if (!o->pid) {
		o->tour = tour_path();
		if (access(o->tour, X_OK) != 0)
			util_fatal("the guided tour %s is not built: run 'make' first", o->tour);
	}
}

/* ---- the session ----------------------------------------------------- */

/* For a file: is the last flush 50 ms old?  Someone may `tail -f` it, but a
 * write per record would cost more than the record on the hot path. */
static bool flush_due(struct session *s)
{
	struct timespec now;
	uint64_t ms;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	ms = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
	if (ms - s->last_flush_ms < 50)
		return false;
	s->last_flush_ms = ms;
	return true;
}

/* Write the snapshot in the chosen view; false if the output is gone. */
static bool emit(struct session *s)
{
	int r = s->o->mode == MODE_JSON ? out_json_write(s->out, &s->snap, &s->sb)
					: out_text_write(s->out, &s->snap, &s->sb);
	/* a diagnostic is flushed at once: glibc may abort the program next */
	if (r == 0 && (s->flush_each || s->snap.ndiags || flush_due(s)))
		r = fflush(s->out);
	if (r != 0 && !s->write_failed) {
		s->write_failed = true;
		s->write_errno = errno;
	}
	return r == 0;
}

/* Does someone read the output as it comes (pipe, socket, terminal)?  A
 * regular file or /dev/null is flushed only at the end: one write per
 * record would cost more than the record. */
static bool output_is_live(FILE *f)
{
	struct stat st;

	if (fstat(fileno(f), &st) != 0)
		return true;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || isatty(fileno(f));
}

/* Where an event happened: the caller for calls, else the pc (for a
 * watchpoint hit, the instruction before it: the access). */
static void locate(struct session *s, const struct event *ev, const struct space *sp)
{
	uint64_t addr = ev->call_site ? ev->call_site : ev->pc;

	memset(&s->snap.at, 0, sizeof(s->snap.at));
	if (!addr)
		return;
	if (!sp || !elfinfo_module_at(&sp->elf, addr))
		sp = tracer_space(s->t);     /* a library mapped since: re-read */
	if (sp)
		snapshot_locate(sp, s->dbg, addr, ev->call_site != 0 || ev->kind == EV_WATCH,
				&s->snap.at);
}

/* mem_reader over the tracer. */
static int read_tracee(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return tracer_read(ctx, addr, buf, len);
}

/* How values are read and cut: gdb's default `print elements` (200), and
 * at most 4 KiB of text a value. */
static struct vars_opts value_opts(const struct mem_reader *mem, const struct space *sp)
{
	return (struct vars_opts){ .mem = mem, .elf = sp ? &sp->elf : NULL, .max_elems = 200,
				   .max_value = 4096 };
}

/* One thread's frames and variables, seeing through the return
 * addresses the tracer hid behind its trampoline. */
static void read_stack(struct session *s, struct thread_state *ts,
		       const struct user_regs_struct *r)
{
	uint64_t slots[512], origs[512];
	struct uw_patch patches[512];
	struct mem_reader mem = { s->t, read_tracee };
	size_t np = tracer_hidden_returns(s->t, ts->tid, slots, origs, ARRAY_LEN(slots));
	const struct space *sp = tracer_space_cached(s->t);

	if (!sp)
		return;
	for (size_t i = 0; i < np; i++)
		patches[i] = (struct uw_patch){ slots[i], origs[i] };
	struct uw_input in = { .space = sp, .dbg = s->dbg, .mem = &mem,
			       .patches = patches, .npatches = np };
	struct vars_opts vo = value_opts(&mem, sp);
	struct user_fpregs_struct fp;

	/* a double of the innermost frame may live in an xmm register */
	if (tracer_fpregs(s->t, ts->tid, &fp) == 0)
		vo.xmm = (const uint8_t *)fp.xmm_space;
	snapshot_read_stack(ts, &in, r, &vo);
}

/* Every traced thread with its registers (all are stopped: see
 * take_snapshot); fs_base too, for the heap model's tcaches; and with
 * `stacks`, each one's frames and variables. */
static void fill_threads(struct session *s, bool stacks)
{
	pid_t tids[256];
	size_t n = tracer_threads(s->t, tids, ARRAY_LEN(tids));
	struct snapshot *snap = &s->snap;

	snapshot_threads(snap, n);
	util_grow((void **)&s->fs_bases, &s->fs_cap, n, sizeof(*s->fs_bases));
	s->nfs = 0;
	for (size_t i = 0; i < n; i++) {
		struct user_regs_struct r;
		snap->threads[i].tid = tids[i];
		if (tracer_regs(s->t, tids[i], &r) == 0) {
			snap->threads[i].pc = r.rip;
			snap->threads[i].sp = r.rsp;
			s->fs_bases[s->nfs++] = r.fs_base;
			if (stacks)
				read_stack(s, &snap->threads[i], &r);
		}
	}
}

/* The user pointer a heap event returned (0: none, or not an allocation). */
static uint64_t allocated_ptr(const struct event *ev)
{
	switch (ev->kind) {
	case EV_MALLOC:
	case EV_CALLOC:
	case EV_REALLOC:
	case EV_MEMALIGN:
		return ev->ret;
	default:
		return 0;
	}
}

/* Keep the requested size of each live block, from the heap events, and
 * where it was allocated (at: the caller's line, NULL if not known). */
static void note_request(struct heap_reqs *r, const struct event *ev, const struct code_loc *at)
{
	const uint64_t *a = ev->args;
	uint64_t p = allocated_ptr(ev);

	switch (ev->kind) {
	case EV_MALLOC:
		heap_reqs_set(r, ev->ret, a[0]);
		break;
	case EV_CALLOC:
		heap_reqs_set(r, ev->ret, a[0] * a[1]);
		break;
	case EV_REALLOC:
		if (ev->ret || a[1] == 0)
			heap_reqs_set(r, a[0], 0);
		heap_reqs_set(r, ev->ret, a[1]);
		break;
	case EV_FREE:
		heap_reqs_set(r, a[0], 0);
		break;
	case EV_MEMALIGN:      /* memalign/aligned_alloc(al, n), posix_memalign(&p, al, n), valloc(n) */
		if (ev->fn && strcmp(ev->fn, "posix_memalign") == 0)
			heap_reqs_set(r, ev->ret, a[2]);
		else if (ev->fn && (strcmp(ev->fn, "valloc") == 0 || strcmp(ev->fn, "pvalloc") == 0))
			heap_reqs_set(r, ev->ret, a[0]);
		else
			heap_reqs_set(r, ev->ret, a[1]);
		break;
	default:
		break;
	}
	if (p)
		heap_reqs_set_site(r, p, at ? at->fn : NULL, at ? at->file : NULL,
				   at ? at->line : 0);
}

/* Read the heap with the chosen model and say what changed since the
 * previous stop; the result is s->heaps[s->heap_cur] before the flip. */
static const struct heap_state *read_heap(struct session *s, const struct space *sp,
				    const struct heap_state **prev)
{
	struct heap_state *cur = &s->heaps[s->heap_cur];
	struct mem_reader mem = { s->t, read_tracee };

	heap_state_clear(cur);
	if (s->o->heap_model == HM_TAGS ||
	    (s->o->heap_model == HM_AUTO && heap_tags_present(sp))) {
		heap_tags_read(cur, sp, &mem);
	} else {
		/* every thread's tcache, through its TLS */
		struct glibc_ctx c = { .space = sp, .mem = &mem, .fs_bases = s->fs_bases,
				       .nfs = s->nfs };
		heap_glibc_read(cur, &c);
	}
	heap_reqs_apply(s->reqs, cur);
	*prev = s->heap_prev ? &s->heaps[!s->heap_cur] : NULL;
	heap_diff(*prev, cur);
	s->heap_prev = true;
	s->heap_cur = !s->heap_cur;
	return cur;
}

/* Build the snapshot of the current stop for event ev. */
static void take_snapshot(struct session *s, const struct event *ev)
{
	struct snapshot *snap = &s->snap;
	const struct space *sp = NULL;
	bool live = ev->kind != EV_EXIT && ev->kind != EV_DETACH;

	snap->seq = s->seq++;
	snap->pid = tracer_pid(s->t);
	snap->fields = s->o->fields;
	snap->ev = *ev;
	snap->signal_region = NULL;
	/* the detectors need the frames at a call (the new frame's locals)
	 * and at a signal (the program's line under a library's fault) */
	bool want_stack = live && ((s->o->fields & FIELD_STACK) ||
				   (s->diag && (ev->kind == EV_CALL || ev->kind == EV_SIGNAL)));
	/* the stack's pointers are classified against the heap too */
	bool want_heap = live && (s->o->fields & (FIELD_HEAP | FIELD_DIAG | FIELD_STACK));
	if (live && ((s->o->fields & FIELD_SPACE) || ev->kind == EV_SIGNAL || want_heap ||
		     want_stack))
		sp = tracer_space(s->t);
	else if (live)
		sp = tracer_space_cached(s->t);
	snap->space = sp;              /* views print it only with FIELD_SPACE */
	if (live)
		locate(s, ev, sp);
	else
		memset(&snap->at, 0, sizeof(snap->at));
	if (ev->kind == EV_SIGNAL && ev->has_fault_addr) {
		const struct region *rg = sp ? space_find(sp, ev->fault_addr) : NULL;
		snap->signal_region = rg ? region_kind_name(rg->kind) : "unmapped";
	}
	snap->heap = NULL;
	snap->heap_prev = NULL;
	snap->nthreads = 0;
	snap->has_globals = false;
	s->nfs = 0;
	/* The heap and the threads are read with every thread stopped, so no
	 * thread changes them half-way through the reading. */
	if ((want_heap || want_stack) && tracer_freeze(s->t) == 0)
		fill_threads(s, want_stack);
	if (want_heap) {
		note_request(s->reqs, ev, live ? &snap->at : NULL);
		if (sp)
			snap->heap = read_heap(s, sp, &snap->heap_prev);
	}
	if (want_stack) {
		struct mem_reader mem = { s->t, read_tracee };
		struct vars_opts vo = value_opts(&mem, sp);
		snapshot_read_globals(snap, s->dbg, &vo);
		snapshot_classify(snap);
	}
	free(snap->ret_value);
	snap->ret_value = NULL;
	if (ev->kind == EV_RETURN && sp) {
		struct mem_reader mem = { s->t, read_tracee };
		struct vars_opts vo = value_opts(&mem, sp);
		snapshot_return_value(snap, s->dbg, &vo);
	}
	snap->diags = NULL;
	snap->ndiags = 0;
	if (s->diag)
		diagnose_stop(s->diag, snap);
	if (!(s->o->fields & FIELD_STACK))
		snap->nthreads = 0;
	/* the UI's status line: the system's memory as free(1) shows it */
	if (s->o->tui)
		snap->has_sysmem = procfs_sysmem(&snap->sysmem) == 0;
}

/* Notes for a degraded view, said once on stderr and kept in the start record. */
static void degraded_notes(struct session *s)
{
	const struct space *sp = tracer_space_cached(s->t);
	const struct elf_module *exe = sp ? elfinfo_exe(&sp->elf) : NULL;

	if (!exe)
		return;
	if (!exe->ef->has_debug_info) {
		s->note_buf = xasprintf("%s has no debug info: locations come from its symbol "
					"table only (compile with -g for files and lines)",
					exe->ef->path);
		s->notes[s->nnotes++] = s->note_buf;
		util_error("%s", s->note_buf);
	}
}

/* Report the start of the session. */
static bool emit_start(struct session *s, char **argv)
{
	struct event ev = { .kind = EV_START, .pid = tracer_pid(s->t), .tid = tracer_pid(s->t) };
	struct user_regs_struct r;

	if (tracer_regs(s->t, ev.tid, &r) == 0)
		ev.pc = r.rip;
	degraded_notes(s);
	take_snapshot(s, &ev);
	s->snap.program = argv ? argv[0] : NULL;   /* -p: from /proc/PID/cmdline */
	s->snap.argv = argv;
	s->snap.notes = s->notes;
	s->snap.nnotes = s->nnotes;
	bool ok = emit(s);
	s->snap.program = NULL;
	s->snap.argv = NULL;
	s->snap.nnotes = 0;
	return ok;
}

/* Report the detach. */
static void emit_detach(struct session *s)
{
	struct event ev = { .kind = EV_DETACH, .pid = tracer_pid(s->t), .tid = tracer_pid(s->t) };

	take_snapshot(s, &ev);
	emit(s);
}

/* Run stops until the end; true if memviz must detach (the program lives). */
static bool run_loop(struct session *s)
{
	struct event ev;
	unsigned long stops = 1;          /* the start record */

	for (;;) {
		if (s->o->max_stops && stops >= s->o->max_stops)
			return true;
		int r = tracer_next(s->t, &ev);
		if (r == 0)
			return false;
		if (r < 0)
			return true;              /* interrupted: detach */
		if (s->diag && !diagnose_event(s->diag, &ev))
			continue;                 /* nothing to show: resume */
		if (ev.kind == EV_EXIT && !(s->o->stop_mask & STOP_EXIT))
			return false;
		take_snapshot(s, &ev);
		if (!emit(s))
			return ev.kind != EV_EXIT;  /* reader gone: let the program go */
		stops++;
		if (ev.kind == EV_EXIT)
			return false;
	}
}

/* The signals whose disposition memviz changes. */
static const int saved_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
#define NSIG_SAVED ARRAY_LEN(saved_sigs)

static volatile sig_atomic_t g_signalled;

/* memviz's SIGINT/SIGTERM/SIGHUP: detach cleanly (no SA_RESTART); a UI
 * waiting for a key returns, so curses closes on the normal path. */
static void on_stop_signal(int sig)
{
	(void)sig;
	g_signalled = 1;
	tracer_request_stop();
	ui_interrupt();
}

/* Install the stop handlers; SIGPIPE is seen as a write error instead.
 * The dispositions memviz found are kept in saved[] so that a launched
 * program gets them back (an ignored SIGINT or SIGPIPE survives exec). */
static void install_signals(struct sigaction saved[NSIG_SAVED])
{
	struct sigaction sa, ign;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	for (size_t i = 0; i < NSIG_SAVED; i++)
		sigaction(saved_sigs[i], saved_sigs[i] == SIGPIPE ? &ign : &sa, &saved[i]);
}

/* Open the output; the program's stdout moves to stderr if ours is taken. */
static FILE *open_output(const struct options *o, int *child_stdout)
{
	FILE *f;

	*child_stdout = -1;
	if (!o->output || strcmp(o->output, "-") == 0) {
		*child_stdout = STDERR_FILENO;
		return stdout;
	}
	f = fopen(o->output, "we");
	if (!f)
		util_fatal("cannot write %s: %s", o->output, strerror(errno));
	return f;
}

/* Are the bug detectors wanted?  Their field, and stops to watch from. */
static bool diagnostics_on(const struct options *o)
{
	return (o->fields & FIELD_DIAG) &&
	       (o->stop_mask & (STOP_HEAP | STOP_CALL | STOP_RETURN | STOP_LINE | STOP_SIGNAL |
				STOP_EXIT));
}

/* ---- what the detectors ask of the process (diagnose_ops) --------------- */

static int diag_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct session *s = ctx;
	return tracer_read(s->t, addr, buf, len);
}

/* Code bytes from the file mapped at addr: memory has the tracer's int3s
 * where breakpoints are.  Memory if the file cannot be read. */
static int diag_read_code(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct session *s = ctx;
	const struct space *sp = tracer_space_cached(s->t);
	const struct elf_module *m = sp ? elfinfo_module_at(&sp->elf, addr) : NULL;
	uint64_t va = m ? addr - m->bias : 0;

	for (size_t i = 0; m && i < m->ef->nsegments; i++) {
		const struct elf_segment *g = &m->ef->segments[i];
		if (va < g->vaddr || va + len > g->vaddr + g->filesz)
			continue;
		int fd = open(m->ef->path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? pread(fd, buf, len, (off_t)(g->offset + va - g->vaddr)) : -1;
		if (fd >= 0)
			close(fd);
		if (n == (ssize_t)len)
			return 0;
		break;
	}
	return tracer_read(s->t, addr, buf, len);
}

static int diag_regs(void *ctx, pid_t tid, struct user_regs_struct *r)
{
	struct session *s = ctx;
	return tracer_regs(s->t, tid, r);
}

static int diag_watch(void *ctx, int slot, uint64_t addr, int len)
{
	struct session *s = ctx;
	return tracer_watch(s->t, slot, addr, len);
}

static int diag_unwatch(void *ctx, int slot)
{
	struct session *s = ctx;
	return tracer_unwatch(s->t, slot);
}

static size_t diag_hidden(void *ctx, pid_t tid, uint64_t *slots, uint64_t *origs, size_t max)
{
	struct session *s = ctx;
	return tracer_hidden_returns(s->t, tid, slots, origs, max);
}

static uint64_t diag_tramp(void *ctx)
{
	struct session *s = ctx;
	return tracer_trampoline(s->t);
}

/* glibc's heap as it is now (every thread stopped), whichever model the
 * views use: free() is glibc's. */
static const struct heap_state *diag_heap_now(void *ctx)
{
	struct session *s = ctx;
	struct mem_reader mem = { s->t, read_tracee };
	const struct space *sp = tracer_space(s->t);
	uint64_t fs[256];
	pid_t tids[256];
	size_t n, nfs = 0;

	if (!sp || tracer_freeze(s->t) != 0)
		return NULL;
	n = tracer_threads(s->t, tids, ARRAY_LEN(tids));
	for (size_t i = 0; i < n; i++) {
		struct user_regs_struct r;
		if (tracer_regs(s->t, tids[i], &r) == 0)
			fs[nfs++] = r.fs_base;
	}
	struct glibc_ctx c = { .space = sp, .mem = &mem, .fs_bases = fs, .nfs = nfs };
	heap_glibc_read(&s->diag_heap, &c);
	return &s->diag_heap;
}

/* Thread tid's frames, innermost first, through the hidden returns. */
static size_t diag_frames(void *ctx, pid_t tid, struct diag_frame *out, size_t max)
{
	struct session *s = ctx;
	uint64_t slots[512], origs[512];
	struct uw_patch patches[512];
	struct mem_reader mem = { s->t, read_tracee };
	const struct space *sp = tracer_space_cached(s->t);
	const struct elf_module *exe = sp ? elfinfo_exe(&sp->elf) : NULL;
	struct user_regs_struct r;
	size_t np, n;

	if (!sp || tracer_regs(s->t, tid, &r) != 0)
		return 0;
	np = tracer_hidden_returns(s->t, tid, slots, origs, ARRAY_LEN(slots));
	for (size_t i = 0; i < np; i++)
		patches[i] = (struct uw_patch){ slots[i], origs[i] };
	struct uw_input in = { .space = sp, .dbg = s->dbg, .mem = &mem, .patches = patches,
			       .npatches = np, .max_frames = max };
	n = unwind_thread(&in, &r, &s->diag_stack);
	for (size_t i = 0; i < n && i < max; i++) {
		const struct uw_frame *f = &s->diag_stack.frames[i];
		out[i] = (struct diag_frame){ f->pc, f->loc.fn,
					      exe && elfinfo_module_at(&sp->elf, f->pc) == exe };
	}
	return n < max ? n : max;
}

static void diag_locate(void *ctx, uint64_t addr, bool call_ret, struct code_loc *out)
{
	struct session *s = ctx;
	const struct space *sp = tracer_space_cached(s->t);

	snapshot_locate(sp, s->dbg, addr, call_ret, out);
}

static bool diag_in_exe(void *ctx, uint64_t addr)
{
	struct session *s = ctx;
	const struct space *sp = tracer_space_cached(s->t);
	const struct elf_module *exe = sp ? elfinfo_exe(&sp->elf) : NULL;

	return exe && elfinfo_module_at(&sp->elf, addr) == exe;
}

static const char *diag_symbol(void *ctx, uint64_t addr)
{
	struct session *s = ctx;
	const struct space *sp = tracer_space_cached(s->t);
	const struct elf_module *m;
	const char *name;
	uint64_t off;

	return sp && elfinfo_symbolize(&sp->elf, addr, &name, &off, &m) == 0 ? name : NULL;
}

/* The detectors for this session, if wanted (after the tracer started). */
static void diagnose_start(struct session *s)
{
	const struct diagnose_ops ops = {
		.ctx = s, .read = diag_read, .read_code = diag_read_code, .regs = diag_regs,
		.watch = diag_watch, .unwatch = diag_unwatch, .hidden_returns = diag_hidden,
		.trampoline = diag_tramp, .heap_now = diag_heap_now, .frames = diag_frames,
		.locate = diag_locate, .in_exe = diag_in_exe, .symbol = diag_symbol,
	};
	const struct diagnose_opts dopts = { .stop_mask = s->o->stop_mask,
					     .attached = s->o->pid != 0 };

	if (diagnostics_on(s->o))
		s->diag = diagnose_new(&ops, &dopts);
}

/* Start the tracer as the options say; exits on failure. */
static struct tracer *start_tracer(struct options *o, int child_stdout,
				    const struct sigaction *saved, const struct tracer_src *src)
{
	struct tracer_opts to = {
		.src = src,
		.child_sigs = saved_sigs,
		.child_sigacts = saved,
		.nchild_sigs = NSIG_SAVED,
		.stop_mask = o->stop_mask,
		.breaks = o->breaks,
		.nbreaks = o->nbreaks,
		.no_aslr = o->no_aslr,
		.child_stdout = child_stdout,
		/* Without a snapshot of the state after it, a call that returns
		 * nothing (free) has nothing to wait for: report it at entry. */
		.void_at_entry = !(o->fields & ~FIELD_EVENT),
		/* the double and invalid free checks, before glibc's abort */
		.free_entry = diagnostics_on(o) && (o->stop_mask & STOP_HEAP),
		/* tcache and fastbins off: every free coalesces at once */
		.tunables = o->pure_heap ? "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0"
					 : NULL,
	};
	char *cause = NULL;
	struct tracer *t;
	char *tour_argv[] = { o->tour, NULL };

	if (o->pid)
		t = tracer_attach(o->pid, &to, &cause);
	else
		t = tracer_launch(o->argv ? o->argv : tour_argv, &to, &cause);
	if (!t)
		util_fatal("%s", cause ? cause : "cannot start tracing");
	return t;
}

/* The headless session: records to the output until the end. */
static int headless_session(struct session *s, const struct sigaction *saved,
			    char **start_argv)
{
	struct options *o = s->o;
	int child_stdout, status = 0;

	s->out = open_output(o, &child_stdout);
	s->flush_each = output_is_live(s->out);
	s->t = start_tracer(o, child_stdout, saved, probes_src(s->probes));
	diagnose_start(s);
	bool detach = emit_start(s, start_argv);
	detach = detach ? run_loop(s) : true;
	if (detach) {
		tracer_detach(s->t);
		emit_detach(s);
	}
	if (tracer_launched(s->t))
		status = tracer_wait_end(s->t);
	tracer_free(s->t);
	if ((s->out == stdout ? fflush(s->out) : fclose(s->out)) != 0 || s->write_failed) {
		util_error("writing %s: %s", o->output ? o->output : "stdout",
			   strerror(s->write_errno ? s->write_errno : errno));
		s->write_failed = true;
	}
	return status;
}

/* ---- the terminal UI session ------------------------------------------ */

/* Where the launched program's stdout and stderr go while the UI owns the
 * terminal (memviz's own stray messages too): a file the UI reads back
 * into its events strip.  A file, not a pipe: it never blocks the program
 * and never breaks (SIGPIPE) when memviz leaves it running. */
struct tui_out {
	char *path;
	int wfd, rfd;
	int saved_stderr;         /* memviz's stderr, back on fd 2 at ui_close */
};

static char *g_tui_out_path;      /* for the exit paths (util_fatal) */

/* At exit: an output file nobody wrote to is not left behind. */
static void tui_out_atexit(void)
{
	struct stat st;

	if (g_tui_out_path && stat(g_tui_out_path, &st) == 0 && st.st_size == 0)
		unlink(g_tui_out_path);
}

static void tui_out_open(struct tui_out *to)
{
	const char *dir = getenv("TMPDIR");
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC;

	if (!dir || !*dir)
		dir = "/tmp";
	to->path = xasprintf("%s/memviz-%d.out", dir, (int)getpid());
	to->wfd = open(to->path, flags, 0600);
	if (to->wfd < 0 && errno == EEXIST && unlink(to->path) == 0)
		to->wfd = open(to->path, flags, 0600);   /* left by an earlier memviz */
	if (to->wfd < 0)
		util_fatal("cannot create %s for the program's output: %s (set TMPDIR)",
			   to->path, strerror(errno));
	g_tui_out_path = to->path;
	atexit(tui_out_atexit);
	to->rfd = open(to->path, O_RDONLY | O_CLOEXEC);
	to->saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
}

/* Close the output file; drop it if nothing was written and nothing will. */
static void tui_out_close(struct tui_out *to, bool program_lives, const char *prog, pid_t pid)
{
	struct stat st;
	bool empty = fstat(to->wfd, &st) == 0 && st.st_size == 0;

	if (program_lives)
		util_error("detached: %s (pid %d) runs on; its output goes to %s", prog, (int)pid,
			   to->path);
	else if (empty)
		unlink(to->path);
	else
		util_error("the program's output is in %s", to->path);
	close(to->wfd);
	if (to->rfd >= 0)
		close(to->rfd);
	if (to->saved_stderr >= 0)
		close(to->saved_stderr);
	g_tui_out_path = NULL;
	free(to->path);
}

/* The start event: the main thread where the tracer stopped it. */
static void start_event(struct session *s, struct event *ev)
{
	struct user_regs_struct r;

	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_START;
	ev->pid = ev->tid = tracer_pid(s->t);
	if (tracer_regs(s->t, ev->tid, &r) == 0)
		ev->pc = r.rip;
}

/* A heap event of a stop the UI skips: its size and its caller's line
 * (the heap pane's "allocated at") are still noted. */
static void skipped_request(struct session *s, const struct event *ev)
{
	struct code_loc at = { 0 };
	const struct space *sp = tracer_space_cached(s->t);

	if (allocated_ptr(ev) && ev->call_site && sp)
		snapshot_locate(sp, s->dbg, ev->call_site, true, &at);
	note_request(s->reqs, ev, &at);
}

/* The next stop the UI shows: the next reportable one, or with `cont`
 * the next --break stop (or a signal, or the end), the stops between
 * skipped without a snapshot (their requested sizes still noted).  As
 * tracer_next: 1, 0 ended, -1 interrupted. */
static int tui_next(struct session *s, bool cont, struct event *ev)
{
	for (;;) {
		int r = tracer_next(s->t, ev);
		if (r > 0 && s->diag && !diagnose_event(s->diag, ev))
			continue;                 /* nothing to show */
		if (r <= 0 || !cont || ev->kind == EV_BREAK || ev->kind == EV_SIGNAL ||
		    ev->kind == EV_EXIT || (s->diag && diagnose_pending(s->diag)))
			return r;
		skipped_request(s, ev);
	}
}

/* The stops: show each, do what the user says. */
static enum ui_action tui_loop(struct session *s, struct ui *u, bool *ended)
{
	struct event ev;
	unsigned long stops = 1;
	enum ui_action act = ui_stop(u, &s->snap);

	s->snap.program = NULL;
	s->snap.argv = NULL;
	*ended = false;
	while (act == UI_NEXT || act == UI_CONTINUE) {
		if (s->o->max_stops && stops >= s->o->max_stops)
			return UI_DETACH;
		int r = tui_next(s, act == UI_CONTINUE, &ev);
		if (r == 0) {
			*ended = true;
			return UI_DETACH;
		}
		if (r < 0)
			return UI_DETACH;         /* Ctrl-C, or the tracer failed */
		take_snapshot(s, &ev);
		stops++;
		act = ui_stop(u, &s->snap);
		if (ev.kind == EV_EXIT) {
			*ended = true;
			return UI_DETACH;
		}
	}
	return act;
}

/* Wait at most ms for a detached child to end; true with *status (as
 * memviz's exit code) if it did. */
static bool reap_within(pid_t pid, int ms, int *status)
{
	struct timespec nap = { 0, 10 * 1000000 };
	int st;

	for (int t = 0; t <= ms; t += 10) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			*status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
			return true;
		}
		if (r < 0 && errno != EINTR)
			return false;
		nanosleep(&nap, NULL);
	}
	return false;
}

/* The session in the terminal UI; returns memviz's exit status. */
static int tui_session(struct session *s, const struct sigaction *saved, char **start_argv)
{
	struct options *o = s->o;
	struct tui_out to;
	struct mem_reader mem = { NULL, read_tracee };
	struct ui_opts uo;
	struct ui *u;
	struct event ev;
	char *cause = NULL, pidname[32];
	const char *prog;
	FILE *rec = NULL;
	int status = 0;
	bool ended, lives = false;

	s->out = stdout;              /* nothing is written there */
	snprintf(pidname, sizeof(pidname), "pid %d", (int)o->pid);
	prog = start_argv && start_argv[0] ? start_argv[0] : pidname;
	if (o->record && !(rec = fopen(o->record, "we")))
		util_fatal("cannot write %s: %s", o->record, strerror(errno));
	tui_out_open(&to);
	uo = (struct ui_opts){ .program = prog, .launched = !o->pid, .play_rate = o->play,
			       .relative = o->relative, .lang = o->lang, .record = rec,
			       .mem = &mem, .prog_out = to.rfd > 0 ? to.rfd : 0,
			       .stderr_fd = to.saved_stderr > 0 ? to.saved_stderr : 0 };
	u = ui_open(&uo, &cause);
	if (!u)
		util_fatal("%s", cause ? cause : "cannot open the terminal UI");
	if (to.saved_stderr > 0)
		dup2(to.wfd, STDERR_FILENO);  /* until ui_close puts it back */
	s->t = start_tracer(o, to.wfd, saved, probes_src(s->probes));
	diagnose_start(s);
	mem.ctx = s->t;
	degraded_notes(s);
	start_event(s, &ev);
	take_snapshot(s, &ev);
	s->snap.program = start_argv ? start_argv[0] : NULL;
	s->snap.argv = start_argv;
	enum ui_action act = tui_loop(s, u, &ended);
	if (ended) {
		ui_close(u);
	} else if (act == UI_KILL) {
		ui_close(u);
		tracer_kill(s->t);
	} else {
		ui_close(u);
		tracer_detach(s->t);
		/* q -> r: the program runs on and memviz leaves it.  After
		 * Ctrl-C the program (in the terminal's foreground group) got
		 * the SIGINT too: its status if it ends within a second, else
		 * it runs on; no waiting behind a blank screen. */
		lives = tracer_launched(s->t) &&
			!(g_signalled && reap_within(tracer_pid(s->t), 1000, &status));
	}
	if ((ended || act == UI_KILL) && tracer_launched(s->t))
		status = tracer_wait_end(s->t);
	tui_out_close(&to, lives, prog, tracer_pid(s->t));
	tracer_free(s->t);
	if (rec && fclose(rec) != 0) {
		util_error("writing %s: %s", o->record, strerror(errno));
		s->write_failed = true;
	}
	return status;
}

int main(int argc, char **argv)
{
	struct options o;
	struct session s;
	int status;
	char *tour_argv[2];
	struct sigaction saved[NSIG_SAVED];

	parse_args(&o, argc, argv);
	memset(&s, 0, sizeof(s));
	s.o = &o;
	heap_state_init(&s.heaps[0]);
	heap_state_init(&s.heaps[1]);
	heap_state_init(&s.diag_heap);
	s.reqs = heap_reqs_new();
	install_signals(saved);
	s.dbg = debuginfo_new();
	s.probes = probes_new(s.dbg);
	tour_argv[0] = o.tour;
	tour_argv[1] = NULL;
	char **start_argv = o.argv ? o.argv : o.pid ? procfs_cmdline(o.pid) : tour_argv;
	if (o.tui)
		status = tui_session(&s, saved, start_argv);
	else
		status = headless_session(&s, saved, start_argv);
	snapshot_free(&s.snap);
	probes_free(s.probes);
	debuginfo_free(s.dbg);
	free(s.fs_bases);
	heap_state_free(&s.heaps[0]);
	heap_state_free(&s.heaps[1]);
	heap_state_free(&s.diag_heap);
	uw_stack_free(&s.diag_stack);
	diagnose_free(s.diag);
	heap_reqs_free(s.reqs);
	free(s.note_buf);
	free(o.breaks);
	free(o.tour);
	if (o.pid)
		procfs_argv_free(start_argv);
	sb_free(&s.sb);
	if (s.write_failed)
		return 1;         /* the records are lost: memviz failed */
	return status;
}
