/*
 * ui.c - the terminal UI session: the terminal, the layout, the keys.
 *
 *   row 0            status line: program, the bugs found so far, pid,
 *                    state, stop, event, play speed, VSZ/RSS, the system's
 *                    memory as free(1) shows it
 *   rows 1..         three panes side by side: address space, stack, heap
 *   below them       the events strip: one line per stop, "#N event → what
 *                    it did", what the program printed (its "# N. title"
 *                    lines as chapter headings, the current one in the
 *                    strip's title), and a "⚠" line per bug found
 *   last row         the keys (or a question, a prompt, a message)
 *
 * One function (layout) places everything from LINES/COLS, at every draw;
 * below 80x24 the screen says so instead.  The screen is erased and drawn
 * whole at each change and curses sends only the difference.
 *
 * ui_stop draws a stop and reads keys until one of them (or the autoplay
 * timer, or Ctrl-C) says what the session does next.  Keys that only
 * change the view (focus, selection, zoom, overlays) redraw and read on.
 * The focused pane is drawn first: it fills the link (what its selection
 * is or points at), and the other panes light that up.
 *
 * Bugs (the snapshot's diagnostics) are told four ways: a line each in the
 * strip (Enter on it, or b for all of them, shows the detail), the count
 * in the status line, a red mark on the chunk, slot or address in the
 * pane that holds it, and autoplay pausing there as it does at a fault.
 *
 * Curses lives in one static struct ui (one terminal per process), so
 * ui_close can be run from atexit and from util_fatal's hook, and twice.
 */
#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "narrate.h"
#include "out.h"
#include "out_cast.h"
#include "ui.h"
#include "ui_draw.h"

#define MIN_W 80
#define MIN_H 24
#define LOG_MAX 200               /* lines kept in the events strip */
#define DETAIL_MAX 1024           /* bytes a detail hexdump shows */
#define OUT_LINE_MAX 400          /* a program output line longer than this is cut */
#define BUGS_MAX 1000             /* bugs whose detail is kept (all are counted) */
#define BUG_LINES_MAX 8           /* strip lines for the bugs of one stop */
#define KEY_ESC 27
#define KEY_TAB 9

enum pane { P_SPACE, P_STACK, P_HEAP, P_LOG, P_COUNT };

/* The autoplay speeds + and - step through (stops per second). */
static const double rates[] = { 0.25, 0.5, 1, 2, 4, 8, 16, 32 };

enum prompt { PR_NONE, PR_QUIT, PR_FIND };

/* A bug (a diagnostic) as it was at its stop, for the detail later. */
struct ui_bug {
	enum diag_kind kind;
	uint64_t addr, size;
	pid_t tid;
	unsigned long seq;        /* the stop it was found at */
	char *addr_text;          /* as ui_addr prints it */
	char *where;              /* "main (demos/bugs.c:42)" */
	char *holder;             /* what held the address then, or NULL */
	char *event;              /* the stop's event: "free(0x...)" */
	char *message;            /* the detector's sentence */
	char *sentence;           /* narrate_diag's, in the session's language */
};

/* A scrollable text overlay: the detail hexdump or the help. */
struct overlay {
	bool on;
	char title[128];
	char **lines;
	size_t n, cap;
	int scroll;
	int h;                    /* rows shown at the last draw */
};

struct ui {
	bool open;                /* curses owns the terminal */
	struct ui_opts o;
	SCREEN *scr;
	FILE *term;               /* the stream curses writes to */
	bool term_tee;            /* term is a cast_tee stream (ours to close) */
	struct cast *cast;
	bool utf8, color;
	int focus;
	bool zoom;
	struct ui_pane_state st[P_COUNT];
	struct ui_rect rect[P_COUNT];   /* where each pane was drawn, for clicks */
	bool shown[P_COUNT];
	struct ui_link link;
	struct ui_prev prev;      /* the previous stop, for "just changed" */
	struct ui_line log[LOG_MAX];
	size_t nlog;
	char chapter[128];        /* the story's chapter: "3. the heap: ..." */
	struct ui_bug *bugs;      /* the first BUGS_MAX bugs of the session */
	size_t nbugs, capbugs;
	size_t bugs_seen;         /* all of them */
	char out_part[OUT_LINE_MAX + 1];  /* the program's output: an unfinished line */
	size_t out_len;
	bool playing;
	double rate;
	enum prompt prompt;
	char input[128];
	size_t in_len;
	char msg[256];            /* shown in the key line until the next key */
	char end_msg[96];         /* "program exited (status 0)" */
	double msg_at;            /* when the last key was handled */
	struct overlay ov;
	const struct snapshot *snap;
	bool ended;               /* the program has exited: only q is left */
	struct strbuf sb;
};

static struct ui g_ui;
static volatile sig_atomic_t g_interrupted;

/* ---- small helpers -------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p ? p : "";
}

/* kB as free -h prints it, short: "980K", "2.6M", "15G". */
static void kb_short(char *buf, size_t n, uint64_t kb)
{
	static const char units[] = "KMGTP";
	double v = (double)kb;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 100)
		snprintf(buf, n, "%.0f%c", v, units[u]);
	else
		snprintf(buf, n, "%.1f%c", v, units[u]);
}

/* "SIGSEGV", "SIG40". */
static void sig_name(char *buf, size_t n, int signo)
{
	const char *abbr = sigabbrev_np(signo);

	if (abbr)
		snprintf(buf, n, "SIG%s", abbr);
	else
		snprintf(buf, n, "SIG%d", signo);
}

static struct ui_ctx make_ctx(struct ui *u, bool focused)
{
	return (struct ui_ctx){ .snap = u->snap, .prev = &u->prev, .o = &u->o,
				.link = &u->link, .focused = focused };
}

/* narrate's address printer: ui_addr of the session's context. */
static void narr_addr(void *ctx, uint64_t addr, char *buf, size_t n)
{
	ui_addr(ctx, addr, buf, n);
}

/* ---- the events strip ------------------------------------------------ */

/* Append a line of a kind (bug: its number for UL_BUG), dropping the
 * oldest past LOG_MAX. */
static void log_push_kind(struct ui *u, enum ui_line_kind kind, int bug, const char *line)
{
	if (u->nlog == LOG_MAX) {
		free(u->log[0].text);
		memmove(u->log, u->log + 1, (LOG_MAX - 1) * sizeof(*u->log));
		u->nlog--;
	}
	u->log[u->nlog++] = (struct ui_line){ .text = xstrdup(line), .kind = kind, .bug = bug };
	/* the strip follows the newest line unless the user scrolled it */
	if (u->focus != P_LOG)
		u->st[P_LOG].sel = -1;
}

/* A stop's line, or one of memviz's own (they start "memviz: "). */
static void log_push(struct ui *u, const char *line)
{
	log_push_kind(u, strncmp(line, "memviz: ", 8) == 0 ? UL_MEMVIZ : UL_STOP, -1, line);
}

/* Length of the title in a chapter line "# N. title" (s of n bytes), 0
 * if it is not one: the tour's way of telling its story. */
static size_t chapter_len(const char *s, size_t n)
{
	size_t i = 2;

	if (n < 6 || s[0] != '#' || s[1] != ' ' || s[2] < '0' || s[2] > '9')
		return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i + 2 >= n || s[i] != '.' || s[i + 1] != ' ')
		return 0;
	return n - 2;
}

/* One line of the program's output (or memviz's own stray message); a
 * chapter line becomes a heading and the current chapter. */
static void log_output(struct ui *u, const char *s, size_t n)
{
	char *line;
	size_t ch = chapter_len(s, n);

	if (ch) {
		line = xasprintf("%.*s", (int)ch, s + 2);
		snprintf(u->chapter, sizeof(u->chapter), "%s", line);
		log_push_kind(u, UL_CHAPTER, -1, line);
		free(line);
		return;
	}
	if (n >= 8 && strncmp(s, "memviz: ", 8) == 0) {
		line = xasprintf("%.*s", (int)n, s);
		log_push_kind(u, UL_MEMVIZ, -1, line);
	} else {
		line = xasprintf("program: %.*s", (int)n, s);
		log_push_kind(u, UL_OUTPUT, -1, line);
	}
	free(line);
}

/* What the program wrote since the last stop: new lines of its output
 * file become log lines (an unfinished one waits, up to OUT_LINE_MAX). */
static void read_program_output(struct ui *u)
{
	char buf[4096];
	ssize_t r;
	int budget = 64;          /* a chatty program: its last lines count */

	if (u->o.prog_out <= 0)
		return;
	while (budget-- > 0 && (r = read(u->o.prog_out, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n' || u->out_len == OUT_LINE_MAX) {
				log_output(u, u->out_part, u->out_len);
				u->out_len = 0;
				if (buf[i] == '\n')
					continue;
			}
			u->out_part[u->out_len++] = buf[i] == '\t' ? ' ' : buf[i];
		}
	}
}

/* An event's value for the log: --relative addresses where it is one. */
static void put_value(struct ui *u, const struct event *ev, int i)
{
	size_t mark = u->sb.len;
	struct ui_ctx c = make_ctx(u, false);
	uint64_t v;
	char a[96];

	if (!out_event_value(&u->sb, ev, i))
		return;
	if (!u->o.relative || strncmp(u->sb.buf + mark, "0x", 2) != 0)
		return;
	v = i == OUT_RET ? ev->ret : ev->args[i];
	if (!u->snap->space || !space_find(u->snap->space, v))
		return;
	ui_addr(&c, v, a, sizeof(a));
	u->sb.len = mark;
	sb_puts(&u->sb, a);
}

/* The event as one short text into u->sb: "malloc(500) = 0x55d0c2a4b2c0". */
static void event_text(struct ui *u, const struct snapshot *s)
{
	const struct event *ev = &s->ev;
	const char *fn = ev->fn ? ev->fn : event_kind_name(ev->kind);
	char b[64];

	switch (ev->kind) {
	case EV_START:
		sb_puts(&u->sb, "start");
		return;
	case EV_CALL:
		sb_printf(&u->sb, "call %s()", fn);
		return;
	case EV_RETURN:
		sb_printf(&u->sb, "return from %s", fn);
		if (s->ret_value)
			sb_printf(&u->sb, " = %.40s", s->ret_value);
		return;
	case EV_LINE:
	case EV_BREAK:
		sb_puts(&u->sb, ev->kind == EV_LINE ? "line" : "break");
		if (s->at.file)
			sb_printf(&u->sb, " %s:%d", base_name(s->at.file), s->at.line);
		else if (ev->fn)
			sb_printf(&u->sb, " %s", ev->fn);
		if (s->at.fn)
			sb_printf(&u->sb, " in %s", s->at.fn);
		return;
	case EV_SIGNAL:
		sig_name(b, sizeof(b), ev->signo);
		sb_printf(&u->sb, "signal %s", b);
		if (ev->has_fault_addr) {
			struct ui_ctx c = make_ctx(u, false);
			ui_addr(&c, ev->fault_addr, b, sizeof(b));
			sb_printf(&u->sb, " at %s", b);
		}
		return;
	case EV_EXIT:
		if (ev->exited_by_signal) {
			sig_name(b, sizeof(b), ev->exit_signal);
			sb_printf(&u->sb, "killed by %s%s", b, ev->core_dumped ? " (core dumped)" : "");
		} else {
			sb_printf(&u->sb, "exit %d", ev->exit_code);
		}
		return;
	case EV_DETACH:
		sb_puts(&u->sb, "detach");
		return;
	case EV_WATCH: {
		struct ui_ctx c = make_ctx(u, false);
		ui_addr(&c, ev->watch_addr, b, sizeof(b));
		sb_printf(&u->sb, "watch %s", b);
		if (s->at.fn)
			sb_printf(&u->sb, " in %s", s->at.fn);
		return;
	}
	default:
		break;
	}
	sb_printf(&u->sb, "%s(", fn);
	for (int i = 0; i < ev->nargs && i < EV_MAX_ARGS; i++) {
		if (i)
			sb_puts(&u->sb, ", ");
		put_value(u, ev, i);
	}
	sb_putc(&u->sb, ')');
	if (ev->kind == EV_FREE && ev->at_entry)
		sb_puts(&u->sb, " at entry");
	if (ev->has_ret) {
		size_t mark = u->sb.len;
		sb_puts(&u->sb, " = ");
		put_value(u, ev, OUT_RET);
		if (u->sb.len == mark + 3) {
			u->sb.len = mark;
			u->sb.buf[mark] = '\0';
		}
	}
}

/* The log line of a stop: "#14 malloc(500) = 0x...  → narration". */
static void log_stop(struct ui *u, const struct snapshot *s)
{
	struct ui_ctx c = make_ctx(u, false);
	size_t mark;

	sb_reset(&u->sb);
	sb_printf(&u->sb, "#%lu ", s->seq);
	event_text(u, s);
	while (u->sb.len < 28)
		sb_putc(&u->sb, ' ');
	sb_printf(&u->sb, "  %s ", ui_glyph(UG_ARROW_R));
	mark = u->sb.len;
	{
		struct narrate_opts no = {
			.lang = u->o.lang, .addr = narr_addr, .ctx = &c,
			.prev = u->prev.valid ? &u->prev : NULL,
		};
		narrate_ex(s, &no, &u->sb);
	}
	if (u->sb.len == mark) {           /* nothing to say: no arrow */
		u->sb.len = mark - 3 - strlen(ui_glyph(UG_ARROW_R));
		u->sb.buf[u->sb.len] = '\0';
	}
	log_push(u, u->sb.buf);
}

/* ---- bugs ------------------------------------------------------------- */

/* What holds addr at this stop, in words: "heap chunk 0x... (free)",
 * "frame #1 plan_trip", "[stack] (rw-p)"; "" if nothing does. */
static void addr_holder(struct ui *u, const struct snapshot *s, uint64_t addr, char *buf,
			size_t n)
{
	struct ui_ctx c = make_ctx(u, false);
	const struct heap_chunk *ch = s->heap ? heap_find_chunk(s->heap, addr) : NULL;
	char a[64];

	buf[0] = '\0';
	if (ch) {
		ui_addr(&c, ch->addr, a, sizeof(a));
		snprintf(buf, n, "heap chunk %s (%s, %" PRIu64 " bytes)", a,
			 ch->state == CH_INUSE ? "in use" : chunk_state_name(ch->state), ch->size);
		return;
	}
	for (size_t t = 0; t < s->nthreads; t++) {
		const struct thread_state *ts = &s->threads[t];
		for (size_t i = 0; ts->has_stack && i < ts->stack.n; i++) {
			const struct uw_frame *f = &ts->stack.frames[i];
			if (f->cfa > f->sp && addr >= f->sp && addr < f->cfa) {
				snprintf(buf, n, "stack frame #%zu %s, thread %d", i,
					 f->loc.fn ? f->loc.fn : "??", (int)ts->tid);
				return;
			}
		}
	}
	const struct region *rg = s->space ? space_find(s->space, addr) : NULL;
	if (rg)
		snprintf(buf, n, "%s (%s, %s)", rg->path[0] ? base_name(rg->path) : "[anon]",
			 region_kind_name(rg->kind), rg->perms);
	else if (s->space)
		snprintf(buf, n, "nothing: no mapping holds it");
}

/* "main (demos/bugs.c:42)"; file cut to its base name when short. */
static char *where_text(const struct code_loc *at, bool short_file)
{
	const char *file = at->file ? (short_file ? base_name(at->file) : at->file) : NULL;

	if (at->fn && file && at->line > 0)
		return xasprintf("%s (%s:%d)", at->fn, file, at->line);
	if (at->fn)
		return xasprintf("%s", at->fn);
	if (file && at->line > 0)
		return xasprintf("%s:%d", file, at->line);
	return xstrdup("an unknown place");
}

/* Keep what the detail of bug d (of stop s) will show. */
static void bug_keep(struct ui *u, const struct snapshot *s, const struct diag *d)
{
	struct ui_ctx c = make_ctx(u, false);
	struct narrate_opts no = { .lang = u->o.lang, .addr = narr_addr, .ctx = &c };
	struct strbuf sb = { 0 };
	struct ui_bug *b;
	char a[128];

	util_grow((void **)&u->bugs, &u->capbugs, u->nbugs + 1, sizeof(*u->bugs));
	b = &u->bugs[u->nbugs++];
	*b = (struct ui_bug){ .kind = d->kind, .addr = d->addr, .size = d->size, .tid = d->tid,
			      .seq = s->seq };
	ui_addr(&c, d->addr, a, sizeof(a));
	b->addr_text = xstrdup(a);
	b->where = where_text(&d->at, false);
	addr_holder(u, s, d->addr, a, sizeof(a));
	b->holder = a[0] ? xstrdup(a) : NULL;
	sb_reset(&u->sb);
	event_text(u, s);
	b->event = xstrdup(u->sb.buf ? u->sb.buf : "");
	b->message = xasprintf("%.*s", (int)sizeof(d->message), d->message);
	narrate_diag(s, d, &no, &sb);
	b->sentence = sb.buf ? sb.buf : xstrdup("");
}

static void bug_free(struct ui_bug *b)
{
	free(b->addr_text);
	free(b->where);
	free(b->holder);
	free(b->event);
	free(b->message);
	free(b->sentence);
}

/* The strip's line for a bug: "⚠ double_free 0x... at main (bugs.c:42): message". */
static void log_bug(struct ui *u, const struct diag *d, int bug)
{
	struct ui_ctx c = make_ctx(u, false);
	char a[64], *where = where_text(&d->at, true);

	ui_addr(&c, d->addr, a, sizeof(a));
	sb_reset(&u->sb);
	sb_printf(&u->sb, "%s %s %s at %s", ui_glyph(UG_WARN), ui_diag_name(d->kind), a, where);
	if (d->message[0])
		sb_printf(&u->sb, ": %.*s", (int)sizeof(d->message), d->message);
	log_push_kind(u, UL_BUG, bug, u->sb.buf);
	free(where);
}

/* The bugs of this stop: kept, counted, a strip line each (the first
 * few; then one line saying how many more). */
static void log_bugs(struct ui *u, const struct snapshot *s)
{
	size_t i;

	for (i = 0; s->diags && i < s->ndiags; i++) {
		int bug = -1;
		if (u->nbugs < BUGS_MAX) {
			bug = (int)u->nbugs;
			bug_keep(u, s, &s->diags[i]);
		}
		u->bugs_seen++;
		if (i < BUG_LINES_MAX)
			log_bug(u, &s->diags[i], bug);
	}
	if (s->diags && s->ndiags > BUG_LINES_MAX) {
		sb_reset(&u->sb);
		sb_printf(&u->sb, "%s %zu more bugs at this stop (b lists them all)",
			  ui_glyph(UG_WARN), s->ndiags - BUG_LINES_MAX);
		log_push_kind(u, UL_BUG, -1, u->sb.buf);
	}
}

/* ---- "what changed": the previous stop ------------------------------- */

static void prev_clear(struct ui_prev *p)
{
	for (size_t i = 0; i < p->nthreads; i++)
		free(p->threads[i].cfas);
	free(p->threads);
	memset(p, 0, sizeof(*p));
}

/* Remember what the panes compare the next stop with. */
static void prev_build(struct ui_prev *p, const struct snapshot *s)
{
	prev_clear(p);
	p->valid = true;
	if (s->nthreads) {
		p->threads = xcalloc(s->nthreads, sizeof(*p->threads));
		p->nthreads = s->nthreads;
	}
	for (size_t i = 0; i < s->nthreads; i++) {
		const struct thread_state *ts = &s->threads[i];
		struct ui_prev_thread *pt = &p->threads[i];

		pt->tid = ts->tid;
		pt->sp = ts->sp;
		if (!ts->has_stack || ts->stack.n == 0)
			continue;
		pt->cfas = xmalloc(ts->stack.n * sizeof(*pt->cfas));
		pt->n = ts->stack.n;
		for (size_t k = 0; k < ts->stack.n; k++)
			pt->cfas[k] = ts->stack.frames[k].cfa;
	}
	for (size_t i = 0; s->space && i < s->space->n; i++) {
		const struct region *rg = &s->space->regions[i];
		if (rg->kind == RK_HEAP && !p->heap_end)
			p->heap_end = rg->end;
		if (rg->kind == RK_STACK && !p->stack_start)
			p->stack_start = rg->start;
	}
}

/* ---- layout and drawing --------------------------------------------- */

static bool too_small(void)
{
	return COLS < MIN_W || LINES < MIN_H;
}

/* Rows of the events strip (its box included). */
static int log_rows(void)
{
	return LINES >= 44 ? 9 : LINES >= 32 ? 7 : 5;
}

/* Place the panes from LINES/COLS (and zoom). */
static void layout(struct ui *u)
{
	int top = 1, bottom = LINES - 1, lh = log_rows();
	int ph = bottom - top - lh;
	int w0 = COLS * 28 / 100, w1 = COLS * 31 / 100;

	memset(u->shown, 0, sizeof(u->shown));
	if (u->zoom) {
		u->rect[u->focus] = (struct ui_rect){ top, 0, bottom - top, COLS };
		u->shown[u->focus] = true;
		return;
	}
	u->rect[P_SPACE] = (struct ui_rect){ top, 0, ph, w0 };
	u->rect[P_STACK] = (struct ui_rect){ top, w0, ph, w1 };
	u->rect[P_HEAP] = (struct ui_rect){ top, w0 + w1, ph, COLS - w0 - w1 };
	u->rect[P_LOG] = (struct ui_rect){ top + ph, 0, lh, COLS };
	for (int p = 0; p < P_COUNT; p++)
		u->shown[p] = true;
}

static void draw_pane(struct ui *u, int p)
{
	struct ui_ctx c = make_ctx(u, p == u->focus);
	const struct ui_rect *r = &u->rect[p];

	switch (p) {
	case P_SPACE: ui_space_draw(r, &u->st[p], &c); break;
	case P_STACK: ui_stack_draw(r, &u->st[p], &c); break;
	case P_HEAP: ui_heap_draw(r, &u->st[p], &c); break;
	default:
		ui_log_draw(r, &u->st[p], &c, u->log, u->nlog, u->chapter);
	}
}

/* The status line: program, [bugs so far], pid, state, stop, event,
 * play speed, VSZ/RSS, the system's memory.  The bug count comes right
 * after the program's name, in the error role, so a narrow terminal
 * still shows it. */
static void draw_status(struct ui *u)
{
	struct ui_rect r = { 0, 0, 1, COLS };
	const struct snapshot *s = u->snap;
	char a[32], b[32], c[32], d[32], e[32];
	int col;

	ui_fill(&r, 0, 0, -1, UR_STATUS, " ");
	col = ui_textf(&r, 0, 0, UR_STATUS, " memviz  %s  ", base_name(u->o.program));
	if (u->bugs_seen)
		col += ui_textf(&r, 0, col, UR_ERROR, " %s %zu bug%s ", ui_glyph(UG_WARN),
				u->bugs_seen, u->bugs_seen == 1 ? "" : "s");
	sb_reset(&u->sb);
	if (u->bugs_seen)
		sb_puts(&u->sb, "  ");
	if (s) {
		sb_printf(&u->sb, "pid %d  %s  #%lu ", (int)s->pid, u->ended ? "EXITED" : "STOPPED",
			  s->seq);
		event_text(u, s);
		sb_puts(&u->sb, "  ");
	}
	if (u->playing && !u->ended)
		sb_printf(&u->sb, "play %g/s", u->rate);
	else
		sb_puts(&u->sb, "paused");
	if (s && s->space && s->space->vsz_kb) {
		kb_short(a, sizeof(a), s->space->vsz_kb);
		kb_short(b, sizeof(b), s->space->rss_kb);
		sb_printf(&u->sb, "  VSZ %s RSS %s", a, b);
	}
	if (s && s->has_sysmem) {
		/* free(1)'s columns: total used free buff/cache available */
		kb_short(a, sizeof(a), s->sysmem.total_kb);
		kb_short(b, sizeof(b), s->sysmem.used_kb);
		kb_short(c, sizeof(c), s->sysmem.free_kb);
		kb_short(d, sizeof(d), s->sysmem.buff_cache_kb);
		kb_short(e, sizeof(e), s->sysmem.avail_kb);
		sb_printf(&u->sb, "  mem %s used %s free %s buff/cache %s avail %s",
			  a, b, c, d, e);
	}
	ui_text(&r, 0, col, UR_STATUS, u->sb.buf);
}

static const char keys_text[] =
	" space/n step  c continue  p play  +/- speed  Tab pane  Enter detail  / find  "
	"s scale  z zoom  t thread  r flip  ? help  q quit";
static const char keys_short[] =
	" n step  c cont  p play  Tab pane  Enter detail  / find  z zoom  ? help  q quit";
static const char keys_ended[] =
	" q quit  Tab pane  arrows select  Enter detail  / find  z zoom  ? help";

static void draw_keys(struct ui *u)
{
	struct ui_rect r = { LINES - 1, 0, 1, COLS };
	int col, need = (int)sizeof(keys_text) - 1 + (u->bugs_seen ? 8 : 0);

	ui_fill(&r, 0, 0, -1, UR_KEYS, " ");
	switch (u->prompt) {
	case PR_QUIT:
		ui_text(&r, 0, 0, UR_KEYS,
			" q: let the program run on (r) or kill it (k)?  (Esc cancels)");
		return;
	case PR_FIND:
		ui_textf(&r, 0, 0, UR_KEYS, " / find (address or symbol, Esc cancels): %s_",
			 u->input);
		return;
	default:
		break;
	}
	if (u->msg[0]) {
		ui_textf(&r, 0, 0, UR_KEYS, " %s", u->msg);
		return;
	}
	if (u->ended)
		col = ui_textf(&r, 0, 0, UR_KEYS, " %s:%s", u->end_msg, keys_ended);
	else
		col = ui_text(&r, 0, 0, UR_KEYS, need <= COLS ? keys_text : keys_short);
	if (u->bugs_seen)         /* the key to them, once there are some */
		ui_text(&r, 0, col, UR_KEYS, "  b bugs");
}

static void draw_overlay(struct ui *u)
{
	struct overlay *ov = &u->ov;
	int w = COLS - 8 > 110 ? 110 : COLS - 8;
	int h = LINES - 4;
	struct ui_rect r = { 2, (COLS - w) / 2, h, w }, in;

	in = ui_box(&r, ov->title, true);
	ov->h = in.h;
	if (ov->scroll > (int)ov->n - in.h)
		ov->scroll = (int)ov->n - in.h;
	if (ov->scroll < 0)
		ov->scroll = 0;
	for (int y = 0; y < in.h; y++) {
		size_t i = (size_t)(ov->scroll + y);
		ui_fill(&in, y, 0, -1, UR_NORMAL, " ");
		if (i < ov->n)
			ui_text(&in, y, 1, UR_NORMAL, ov->lines[i]);
	}
	if ((int)ov->n > in.h)
		ui_textf(&r, h - 1, w - 24, UR_DIM, " %d-%d of %zu ", ov->scroll + 1,
			 ov->scroll + in.h, ov->n);
}

/* Erase and draw everything. */
static void draw(struct ui *u)
{
	erase();
	if (too_small()) {
		char m[128];
		struct ui_rect all = { 0, 0, LINES, COLS };
		int len;

		snprintf(m, sizeof(m), "memviz needs at least %dx%d (now %dx%d): enlarge the window",
			 MIN_W, MIN_H, COLS, LINES);
		len = ui_width(m);
		ui_text(&all, LINES / 2, len < COLS ? (COLS - len) / 2 : 0, UR_BOLD, m);
		if (len > COLS) {
			/* a very narrow window: the rest on the next line */
			ui_text(&all, LINES / 2 + 1, 0, UR_BOLD, m + COLS);
		}
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	layout(u);
	if (u->snap) {
		memset(&u->link, 0, sizeof(u->link));
		if (u->shown[u->focus])
			draw_pane(u, u->focus);
		for (int p = 0; p < P_COUNT; p++)
			if (p != u->focus && u->shown[p])
				draw_pane(u, p);
	}
	draw_status(u);
	draw_keys(u);
	if (u->ov.on)
		draw_overlay(u);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- overlays: help and detail --------------------------------------- */

static void ov_clear(struct overlay *ov)
{
	for (size_t i = 0; i < ov->n; i++)
		free(ov->lines[i]);
	ov->n = 0;
	ov->scroll = 0;
	ov->on = false;
}

static void __attribute__((format(printf, 2, 3))) ov_line(struct overlay *ov, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = { 0 };

	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	util_grow((void **)&ov->lines, &ov->cap, ov->n + 1, sizeof(*ov->lines));
	ov->lines[ov->n++] = sb.buf ? sb.buf : xstrdup("");
}

static const char *const help_lines[] = {
	"Stepping",
	"  space, n       run to the next stop",
	"  c              continue to the next --break stop",
	"  p              autoplay on/off",
	"  + / -          autoplay faster / slower (stops per second)",
	"",
	"Panes",
	"  Tab, Shift-Tab focus the next / previous pane",
	"  arrows         select a region, frame, variable or chunk",
	"  PgUp PgDn      a page up / down",
	"  Home End       the first / last item",
	"  mouse click    focus a pane and select what was clicked",
	"  Enter          detail: hexdump of the selected chunk, frame or",
	"                 region with its fields; in Events the whole line,",
	"                 on a bug line the bug: kind, address, where, why",
	"  b              bugs: every one found so far, in detail",
	"  /              find an address (hex) or a symbol, function,",
	"                 variable or region name",
	"  z              zoom the focused pane (again: back)",
	"  s              address space scale: proportional, gaps",
	"                 compressed, logarithmic",
	"  t              stack: the next thread",
	"  r              stack: innermost frame at the top / bottom",
	"",
	"  ?              this help",
	"  q              quit: an attached program is detached and runs on;",
	"                 a launched one asks: run on (r) or kill it (k)",
	"  Ctrl-C         detach and quit at once",
	"",
	"Marks: a changed chunk, frame or region is highlighted for one step;",
	"what the selection points at is lit in the other panes; a bug's",
	"chunk, stack slot or address is red (in monochrome: reverse) at the",
	"stop that found it, and autoplay pauses there (p resumes).",
	"The status line counts the bugs so far; the Events title names the",
	"chapter of the story (a \"# N. title\" line of the program's).",
	"",
	"Esc, q, Enter or ? closes this help.",
};

static void open_help(struct ui *u)
{
	ov_clear(&u->ov);
	snprintf(u->ov.title, sizeof(u->ov.title), "Help: memviz %s", MEMVIZ_VERSION);
	for (size_t i = 0; i < ARRAY_LEN(help_lines); i++)
		ov_line(&u->ov, "%s", help_lines[i]);
	u->ov.on = true;
}

/* Hexdump [lo, hi) in 16-byte lines; label(addr) may name an 8-byte word. */
static void hexdump(struct ui *u, uint64_t lo, uint64_t hi)
{
	const struct mem_reader *m = u->o.mem;
	struct ui_ctx c = make_ctx(u, false);

	if (hi - lo > DETAIL_MAX)
		hi = lo + DETAIL_MAX;
	for (uint64_t a = lo & ~15ull; a < hi; a += 16) {
		uint8_t b[16];
		char hex[16 * 3 + 2], asc[17], addr[64];
		size_t hl = 0;
		bool ok = m && m->read(m->ctx, a, b, sizeof(b)) == 0;

		ui_addr(&c, a, addr, sizeof(addr));
		if (!ok) {
			ov_line(&u->ov, "%-18s (unreadable)", addr);
			continue;
		}
		for (int i = 0; i < 16; i++) {
			bool in = a + (uint64_t)i >= lo && a + (uint64_t)i < hi;
			static const char digits[] = "0123456789abcdef";

			if (i == 8)
				hex[hl++] = ' ';
			hex[hl++] = in ? digits[b[i] >> 4] : ' ';
			hex[hl++] = in ? digits[b[i] & 15] : ' ';
			hex[hl++] = ' ';
			asc[i] = !in ? ' ' : b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.';
		}
		hex[hl] = '\0';
		asc[16] = '\0';
		ov_line(&u->ov, "%-18s %s |%s|", addr, hex, asc);
	}
}

/* A chunk state as people say it. */
static const char *state_words(enum chunk_state st)
{
	switch (st) {
	case CH_INUSE: return "in use";
	case CH_FREE: return "free";
	case CH_TOP: return "top (the wilderness: what is left for malloc to carve)";
	case CH_MMAPPED: return "mmapped (its own mapping)";
	default: return "corrupt (its header does not validate)";
	}
}

/* A code or data address with its symbol: "0x7f...24a (__libc_start_call_main+0x7a)". */
static void sym_addr(struct ui *u, uint64_t addr, char *buf, size_t n)
{
	struct ui_ctx c = make_ctx(u, false);
	const struct space *sp = u->snap ? u->snap->space : NULL;
	const char *name;
	uint64_t off;

	ui_addr(&c, addr, buf, n);
	if (u->o.relative || !sp || elfinfo_symbolize(&sp->elf, addr, &name, &off, NULL) != 0 ||
	    !name || !*name)
		return;
	size_t len = strlen(buf);
	if (off)
		snprintf(buf + len, n - len, " (%s+0x%" PRIx64 ")", name, off);
	else
		snprintf(buf + len, n - len, " (%s)", name);
}

static int read_u64(struct ui *u, uint64_t addr, uint64_t *v)
{
	const struct mem_reader *m = u->o.mem;

	return m ? m->read(m->ctx, addr, v, sizeof(*v)) : -1;
}

/* A chunk's decoded header and its bytes. */
static void detail_chunk(struct ui *u, const struct heap_chunk *ch)
{
	const struct heap_state *h = u->snap->heap;
	struct ui_ctx c = make_ctx(u, false);
	char a[64], sz[32], p[64];
	uint64_t w[4];
	bool glibc = h && h->model && strcmp(h->model, "glibc") == 0;

	ui_addr(&c, ch->addr, a, sizeof(a));
	ui_size(sz, sizeof(sz), ch->size);
	snprintf(u->ov.title, sizeof(u->ov.title), "Chunk %s (%s, %s)", a, sz,
		 ch->state == CH_INUSE ? "in use" : chunk_state_name(ch->state));
	ov_line(&u->ov, "state      %s%s%s", state_words(ch->state),
		ch->bin != BIN_NONE ? ", bin " : "", ch->bin != BIN_NONE ? chunk_bin_name(ch->bin) : "");
	if (ch->bin_index >= 0 && ch->bin != BIN_NONE)
		ov_line(&u->ov, "bin index  %d", ch->bin_index);
	ov_line(&u->ov, "prev_size  0x%" PRIx64 "%s", ch->prev_size,
		ch->flags & CHUNK_P ? "   (the previous chunk is in use: this field is its data)" : "");
	ov_line(&u->ov, "size       0x%" PRIx64 " = %" PRIu64 " bytes (the field holds 0x%" PRIx64
		": size | flags), flags %s%s%s%s", ch->size, ch->size, ch->size | ch->flags, ch->flags & CHUNK_P ? "P (PREV_INUSE) " : "",
		ch->flags & CHUNK_M ? "M (IS_MMAPPED) " : "",
		ch->flags & CHUNK_A ? "A (NON_MAIN_ARENA) " : "", ch->flags ? "" : "none");
	if (ch->req)
		ov_line(&u->ov, "requested  %" PRIu64 " bytes (malloc's argument); %" PRIu64
			" bytes of header and padding", ch->req,
			ch->size > ch->req ? ch->size - ch->req : 0);
	if (glibc && ch->state == CH_FREE &&
	    read_u64(u, ch->addr + 16, &w[2]) == 0 && read_u64(u, ch->addr + 24, &w[3]) == 0) {
		if (ch->bin == BIN_TCACHE || ch->bin == BIN_FAST) {
			/* safe-linking: the stored link is (slot >> 12) ^ next */
			uint64_t next = ((ch->addr + 16) >> 12) ^ w[2];
			ui_addr(&c, next, p, sizeof(p));
			ov_line(&u->ov, "fd         0x%" PRIx64 " (safe-linked: next %s)", w[2],
				next ? p : "none");
			if (ch->bin == BIN_TCACHE)
				ov_line(&u->ov, "key        0x%" PRIx64 " (marks it as in tcache, "
					"for the double-free check)", w[3]);
		} else {
			ui_addr(&c, w[2], p, sizeof(p));
			ov_line(&u->ov, "fd         %s (next in the bin)", p);
			ui_addr(&c, w[3], p, sizeof(p));
			ov_line(&u->ov, "bk         %s (previous in the bin)", p);
		}
	}
	ov_line(&u->ov, "%s", "");
	hexdump(u, ch->addr, ch->addr + (ch->size ? ch->size : 16));
	if (ch->size > DETAIL_MAX)
		ov_line(&u->ov, "... (the first %d bytes of %" PRIu64 ")", DETAIL_MAX, ch->size);
}

static const char *reg_name(int r)
{
	static const char *const names[] = { "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp",
					     "rsp", "r8", "r9", "r10", "r11", "r12", "r13",
					     "r14", "r15", "rip" };

	return r >= 0 && (size_t)r < ARRAY_LEN(names) ? names[r] : "reg";
}

/* What lives in the 8-byte slot at a of frame fi: "return address",
 * "saved rbp", "local count = 3"; "" if nothing known. */
static void slot_label(struct ui *u, const struct thread_state *ts, size_t fi, uint64_t a,
		       char *buf, size_t n)
{
	const struct uw_frame *f = &ts->stack.frames[fi];
	char t[128];

	buf[0] = '\0';
	if (f->ret_addr && a == f->ret_slot) {
		uint64_t v;
		sym_addr(u, f->ret_addr, t, sizeof(t));
		snprintf(buf, n, "return address %s %s%s", ui_glyph(UG_ARROW_R), t,
			 read_u64(u, a, &v) == 0 && v != f->ret_addr ?
			 " (the slot holds memviz's return trap)" : "");
		return;
	}
	for (size_t i = 0; i < f->nsaved; i++)
		if (f->saved[i].slot == a) {
			snprintf(buf, n, "saved %s (the caller's)", reg_name(f->saved[i].reg));
			return;
		}
	for (size_t k = 0; ts->vars && k < ts->vars_cap && k < ts->stack.n; k++) {
		const struct var_list *vl = &ts->vars[k];
		for (size_t j = 0; j < vl->n; j++) {
			const struct var_info *v = &vl->v[j];
			uint64_t sz = v->size ? v->size : 1;
			if (!v->has_addr || a + 8 <= v->addr || a >= v->addr + sz)
				continue;
			if (a <= v->addr)
				snprintf(buf, n, "%s %s = %.60s%s%s", v->kind == DWV_PARAM ? "arg" : "local",
					 v->name ? v->name : "?", v->value ? v->value : "?",
					 v->points_to ? " -> " : "", v->points_to ? v->points_to : "");
			else
				snprintf(buf, n, "  (%s, continued)", v->name ? v->name : "?");
			return;
		}
	}
}

/* A frame's slots, word by word from its top (cfa) down to sp. */
static void detail_frame(struct ui *u, const struct thread_state *ts, size_t fi)
{
	const struct uw_frame *f = &ts->stack.frames[fi];
	struct ui_ctx c = make_ctx(u, false);
	char a[64], lab[256], sz[32];
	uint64_t top = f->cfa > f->sp ? f->cfa : f->sp + 8;
	uint64_t lo = f->sp & ~7ull;

	ui_size(sz, sizeof(sz), top - f->sp);
	snprintf(u->ov.title, sizeof(u->ov.title), "Frame #%zu %s (%s, thread %d)", fi,
		 f->loc.fn ? f->loc.fn : "??", sz, (int)ts->tid);
	if (f->loc.file)
		ov_line(&u->ov, "at %s:%d", f->loc.file, f->loc.line);
	ui_addr(&c, f->cfa, a, sizeof(a));
	ov_line(&u->ov, "cfa %s (the caller's sp before the call); the frame is [sp, cfa)", a);
	ov_line(&u->ov, "%s", "");
	if (top - lo > DETAIL_MAX)
		lo = top - DETAIL_MAX;
	for (uint64_t s = top; s >= lo + 8;) {
		uint64_t v;
		char vs[24];

		s -= 8;

		ui_addr(&c, s, a, sizeof(a));
		if (read_u64(u, s, &v) == 0)
			snprintf(vs, sizeof(vs), "%016" PRIx64, v);
		else
			snprintf(vs, sizeof(vs), "%-16s", "(unreadable)");
		slot_label(u, ts, fi, s, lab, sizeof(lab));
		ov_line(&u->ov, "%-18s %s  %s%s", a, vs, s == f->sp ? "sp " : "", lab);
	}
	if (top - (f->sp & ~7ull) > DETAIL_MAX)
		ov_line(&u->ov, "... (the top %d bytes)", DETAIL_MAX);
}

/* A region's facts and the bytes from the selected address. */
static void detail_region(struct ui *u, const struct region *rg, uint64_t at)
{
	struct ui_ctx c = make_ctx(u, false);
	char a[64], b[64], sz[32], rss[32];

	ui_addr(&c, rg->start, a, sizeof(a));
	ui_addr(&c, rg->end, b, sizeof(b));
	ui_size(sz, sizeof(sz), rg->end - rg->start);
	ui_size(rss, sizeof(rss), rg->rss_kb * 1024);
	snprintf(u->ov.title, sizeof(u->ov.title), "Region %s", rg->path[0] ? rg->path : "[anon]");
	ov_line(&u->ov, "%s - %s  %s  %s  %s, %s resident", a, b, rg->perms,
		region_kind_name(rg->kind), sz, rss);
	for (size_t i = 0; i < rg->nsections; i++) {
		ui_addr(&c, rg->sections[i].start, a, sizeof(a));
		ui_size(sz, sizeof(sz), rg->sections[i].end - rg->sections[i].start);
		ov_line(&u->ov, "  %-20s %s  %s", rg->sections[i].name, a, sz);
	}
	ov_line(&u->ov, "%s", "");
	if (at < rg->start || at >= rg->end)
		at = rg->start;
	hexdump(u, at, rg->end);
}

/*
 * The stack pane's items, as ui_stack.c numbers them: frames in display
 * order (outermost first, or innermost first when flipped), each frame
 * followed by its variables (a stack argument counts in the caller's box).
 * Item -> (frame, var) and frame -> item.
 */
static bool in_frame(const struct uw_frame *f, uint64_t a)
{
	return f->cfa > f->sp && a >= f->sp && a < f->cfa;
}

static int frame_vars(const struct thread_state *ts, size_t h)
{
	int n = 0;

	for (size_t i = 0; ts->vars && i < ts->stack.n && i < ts->vars_cap; i++) {
		const struct var_list *vl = &ts->vars[i];
		for (size_t j = 0; j < vl->n; j++) {
			const struct var_info *v = &vl->v[j];
			size_t home = i;
			if (v->has_addr && !in_frame(&ts->stack.frames[i], v->addr) &&
			    i + 1 < ts->stack.n && in_frame(&ts->stack.frames[i + 1], v->addr))
				home = i + 1;
			n += home == h;
		}
	}
	return n;
}

static size_t stack_pos_frame(const struct thread_state *ts, bool flip, size_t p)
{
	return flip ? p : ts->stack.n - 1 - p;
}

static int stack_item_frame(const struct thread_state *ts, bool flip, int item)
{
	int it = 0;

	for (size_t p = 0; item >= 0 && p < ts->stack.n; p++) {
		size_t fi = stack_pos_frame(ts, flip, p);
		int n = 1 + frame_vars(ts, fi);
		if (item < it + n)
			return (int)fi;
		it += n;
	}
	return -1;
}

static int stack_frame_item(const struct thread_state *ts, bool flip, size_t fi)
{
	int it = 0;

	for (size_t p = 0; p < ts->stack.n; p++) {
		size_t f = stack_pos_frame(ts, flip, p);
		if (f == fi)
			return it;
		it += 1 + frame_vars(ts, f);
	}
	return -1;
}

/* The heap pane's item of a chunk: every arena's chunks in order, then
 * the mmapped ones (ui_heap.c's numbering). */
static int heap_item_of(const struct heap_state *h, uint64_t addr)
{
	int base = 0;

	for (size_t a = 0; a < h->n; a++) {
		for (size_t i = 0; i < h->arenas[a].n; i++) {
			const struct heap_chunk *ch = &h->arenas[a].chunks[i];
			if (addr >= ch->addr && addr < ch->addr + (ch->size ? ch->size : 1))
				return base + (int)i;
		}
		base += (int)h->arenas[a].n;
	}
	for (size_t i = 0; i < h->nmmapped; i++) {
		const struct heap_chunk *ch = &h->mmapped[i];
		if (addr >= ch->addr && addr < ch->addr + ch->size)
			return base + (int)i;
	}
	return -1;
}

static const struct heap_chunk *heap_item_chunk(const struct heap_state *h, int item)
{
	size_t k = (size_t)item;

	if (item < 0)
		return NULL;
	for (size_t a = 0; a < h->n; a++) {
		if (k < h->arenas[a].n)
			return &h->arenas[a].chunks[k];
		k -= h->arenas[a].n;
	}
	return k < h->nmmapped ? &h->mmapped[k] : NULL;
}

/* Text word-wrapped to the overlay's width, each line after indent. */
static void ov_wrap(struct ui *u, const char *indent, const char *text)
{
	int width = (COLS - 8 > 110 ? 110 : COLS - 8) - 4 - ui_width(indent);
	struct strbuf cur = { 0 };
	const char *p = text;

	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t len = sp ? (size_t)(sp - p) : strlen(p);
		char *word = xasprintf("%.*s", (int)len, p);

		if (cur.len && ui_width(cur.buf) + 1 + ui_width(word) > width) {
			ov_line(&u->ov, "%s%s", indent, cur.buf);
			sb_reset(&cur);
		}
		if (cur.len)
			sb_putc(&cur, ' ');
		sb_puts(&cur, word);
		free(word);
		p += len;
		while (*p == ' ')
			p++;
	}
	if (cur.len)
		ov_line(&u->ov, "%s%s", indent, cur.buf);
	sb_free(&cur);
}

/* A log line in full, word-wrapped to the overlay's width (the strip
 * cuts long narration at its right edge). */
static void detail_log_line(struct ui *u, const char *line)
{
	snprintf(u->ov.title, sizeof(u->ov.title), "Event");
	ov_wrap(u, "", line);
}

/* One bug's detail lines. */
static void detail_bug(struct ui *u, const struct ui_bug *b)
{
	ov_line(&u->ov, "kind       %s", ui_diag_name(b->kind));
	ov_line(&u->ov, "address    %s%s%s%s", b->addr_text, b->holder ? " (" : "",
		b->holder ? b->holder : "", b->holder ? ")" : "");
	ov_line(&u->ov, "where      %s", b->where);
	if (b->size)
		ov_line(&u->ov, "size       %" PRIu64 " bytes requested", b->size);
	if (b->tid)
		ov_line(&u->ov, "thread     %d", (int)b->tid);
	ov_line(&u->ov, "found at   stop #%lu, %s", b->seq, b->event);
	if (b->message[0]) {
		ov_line(&u->ov, "%s", "message");
		ov_wrap(u, "  ", b->message);
	}
	if (b->sentence[0]) {
		ov_line(&u->ov, "%s", "why");
		ov_wrap(u, "  ", b->sentence);
	}
}

/* b: every bug found so far, the newest in view. */
static void open_bugs(struct ui *u)
{
	size_t last = 0;

	if (u->bugs_seen == 0) {
		snprintf(u->msg, sizeof(u->msg), "b: no bugs found so far");
		return;
	}
	ov_clear(&u->ov);
	snprintf(u->ov.title, sizeof(u->ov.title), "Bugs found so far: %zu", u->bugs_seen);
	for (size_t i = 0; i < u->nbugs; i++) {
		if (i)
			ov_line(&u->ov, "%s", "");
		last = u->ov.n;
		ov_line(&u->ov, "%s bug %zu of %zu", ui_glyph(UG_WARN), i + 1, u->bugs_seen);
		detail_bug(u, &u->bugs[i]);
	}
	if (u->bugs_seen > u->nbugs)
		ov_line(&u->ov, "... and %zu more (only the first %d are kept)",
			u->bugs_seen - u->nbugs, BUGS_MAX);
	u->ov.scroll = (int)last;       /* draw_overlay keeps it in range */
	u->ov.on = true;
}

/* Enter: the detail of what the focused pane selected. */
static void open_detail(struct ui *u)
{
	const struct snapshot *s = u->snap;
	struct ui_pane_state *st = &u->st[u->focus];

	ov_clear(&u->ov);
	if (u->focus == P_HEAP && s->heap) {
		const struct heap_chunk *ch = heap_item_chunk(s->heap, st->sel);
		if (ch)
			detail_chunk(u, ch);
	} else if (u->focus == P_STACK && s->nthreads) {
		int t = st->thread < (int)s->nthreads ? st->thread : 0;
		const struct thread_state *ts = &s->threads[t];
		int fi = ts->has_stack ? stack_item_frame(ts, st->flip, st->sel) : -1;
		if (fi >= 0)
			detail_frame(u, ts, (size_t)fi);
	} else if (u->focus == P_SPACE && s->space && st->sel >= 0 &&
		   (size_t)st->sel < s->space->n) {
		const struct region *rg = &s->space->regions[s->space->n - 1 - (size_t)st->sel];
		detail_region(u, rg, rg->start);
	} else if (u->focus == P_LOG && u->nlog) {
		size_t i = st->sel >= 0 && (size_t)st->sel < u->nlog ? (size_t)st->sel : u->nlog - 1;
		const struct ui_line *l = &u->log[i];
		if (l->kind == UL_BUG && l->bug >= 0 && (size_t)l->bug < u->nbugs) {
			snprintf(u->ov.title, sizeof(u->ov.title), "Bug: %s",
				 ui_diag_name(u->bugs[l->bug].kind));
			detail_bug(u, &u->bugs[l->bug]);
		} else {
			detail_log_line(u, l->text);
		}
	}
	if (u->ov.n == 0) {
		snprintf(u->msg, sizeof(u->msg), "Enter: select a %s first (arrows or a click)",
			 u->focus == P_HEAP ? "chunk" : u->focus == P_STACK ? "frame" :
			 u->focus == P_SPACE ? "region" : "pane with Tab");
		return;
	}
	u->ov.on = true;
}

/* ---- find (/) -------------------------------------------------------- */

/* Select what holds addr: a chunk, a frame, a region; the message says
 * "WHAT: where" (WHAT: the name found, else the address).  false if
 * nothing holds it. */
static bool find_addr(struct ui *u, uint64_t addr, const char *what)
{
	const struct snapshot *s = u->snap;
	struct ui_ctx c = make_ctx(u, false);
	char a[96];
	int it;

	if (what)
		snprintf(a, sizeof(a), "%s", what);
	else
		ui_addr(&c, addr, a, sizeof(a));
	if (s->heap && (it = heap_item_of(s->heap, addr)) >= 0) {
		const struct heap_chunk *ch = heap_item_chunk(s->heap, it);
		char ca[64];
		ui_addr(&c, ch->addr, ca, sizeof(ca));
		u->focus = P_HEAP;
		u->st[P_HEAP].sel = it;
		snprintf(u->msg, sizeof(u->msg), "%s: in the heap chunk at %s (%s)", a, ca,
			 ch->state == CH_INUSE ? "in use" : chunk_state_name(ch->state));
		return true;
	}
	for (size_t t = 0; t < s->nthreads; t++) {
		const struct thread_state *ts = &s->threads[t];
		for (size_t i = 0; ts->has_stack && i < ts->stack.n; i++) {
			if (!in_frame(&ts->stack.frames[i], addr))
				continue;
			u->focus = P_STACK;
			u->st[P_STACK].thread = (int)t;
			u->st[P_STACK].sel = stack_frame_item(ts, u->st[P_STACK].flip, i);
			snprintf(u->msg, sizeof(u->msg), "%s: in frame #%zu %s", a, i,
				 ts->stack.frames[i].loc.fn ? ts->stack.frames[i].loc.fn : "??");
			return true;
		}
	}
	for (size_t i = 0; s->space && i < s->space->n; i++) {
		const struct region *rg = &s->space->regions[i];
		if (addr < rg->start || addr >= rg->end)
			continue;
		u->focus = P_SPACE;
		u->st[P_SPACE].sel = (int)(s->space->n - 1 - i);
		snprintf(u->msg, sizeof(u->msg), "%s: in %s (%s, %s)", a,
			 rg->path[0] ? base_name(rg->path) : "an anonymous mapping",
			 region_kind_name(rg->kind), rg->perms);
		return true;
	}
	return false;
}

/* A frame's function or a variable by name: select its frame. */
static bool find_in_frames(struct ui *u, const char *q)
{
	const struct snapshot *s = u->snap;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t t = 0; t < s->nthreads; t++) {
			const struct thread_state *ts = &s->threads[t];
			for (size_t i = 0; ts->has_stack && i < ts->stack.n; i++) {
				const struct uw_frame *f = &ts->stack.frames[i];
				const char *what = NULL;
				if (pass == 0 && f->loc.fn && strcmp(f->loc.fn, q) == 0)
					what = "function";
				for (size_t j = 0; pass == 1 && ts->vars && i < ts->vars_cap &&
				     j < ts->vars[i].n; j++)
					if (ts->vars[i].v[j].name && strcmp(ts->vars[i].v[j].name, q) == 0)
						what = "variable";
				if (!what)
					continue;
				u->focus = P_STACK;
				u->st[P_STACK].thread = (int)t;
				u->st[P_STACK].sel = stack_frame_item(ts, u->st[P_STACK].flip, i);
				snprintf(u->msg, sizeof(u->msg), "found %s %s: frame #%zu %s, thread %d",
					 what, q, i, f->loc.fn ? f->loc.fn : "??", (int)ts->tid);
				return true;
			}
		}
	}
	return false;
}

/* A global variable, an ELF symbol or a region path. */
static bool find_symbol(struct ui *u, const char *q)
{
	const struct snapshot *s = u->snap;
	const struct space *sp = s->space;
	char what[96];

	for (size_t i = 0; s->has_globals && i < s->globals.n; i++) {
		const struct var_info *v = &s->globals.v[i];
		snprintf(what, sizeof(what), "global %.60s", q);
		if (v->name && v->has_addr && strcmp(v->name, q) == 0 && find_addr(u, v->addr, what))
			return true;
	}
	if (!sp)
		return false;
	/* the executable first, as the dynamic linker binds */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t m = 0; m < sp->elf.n; m++) {
			const struct elf_module *md = &sp->elf.mods[m];
			const struct elf_symbol *sym;
			if (md->is_exe != (pass == 0) || !md->ef)
				continue;
			sym = elf_file_symbol(md->ef, q);
			snprintf(what, sizeof(what), "%.60s at 0x%" PRIx64, q,
				 sym ? sym->value + md->bias : 0);
			if (sym && find_addr(u, sym->value + md->bias, what))
				return true;
		}
	}
	for (size_t i = sp->n; i-- > 0;) {
		const struct region *rg = &sp->regions[i];
		if (rg->path[0] && strstr(rg->path, q)) {
			u->focus = P_SPACE;
			u->st[P_SPACE].sel = (int)(sp->n - 1 - i);
			snprintf(u->msg, sizeof(u->msg), "found region %s", rg->path);
			return true;
		}
	}
	return false;
}

/* Parse "0x1f", "1f": false if it is not all hex. */
static bool parse_hex(const char *q, uint64_t *v)
{
	char *end;

	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
		q += 2;
	if (!*q || strspn(q, "0123456789abcdefABCDEF") != strlen(q))
		return false;
	errno = 0;
	*v = strtoull(q, &end, 16);
	return errno == 0 && !*end;
}

static void do_find(struct ui *u, const char *q)
{
	uint64_t a;
	bool hex = parse_hex(q, &a);
	bool explicit_hex = hex && q[0] == '0' && (q[1] == 'x' || q[1] == 'X');

	if (!*q)
		return;
	if (!u->snap) {
		snprintf(u->msg, sizeof(u->msg), "not found: %.100s (nothing to search yet)", q);
		return;
	}
	/* "bad" or "cafe" may be a name: names first, unless it says 0x */
	if (!explicit_hex && (find_in_frames(u, q) || find_symbol(u, q)))
		return;
	if (hex && find_addr(u, a, NULL))
		return;
	snprintf(u->msg, sizeof(u->msg), "not found: %.100s%s", q,
		 hex ? " (no chunk, frame or region holds it)" : "");
}

/* ---- keys ----------------------------------------------------------- */

/* A key for the find prompt; true when the prompt closed. */
static void key_find(struct ui *u, int ch)
{
	if (ch == KEY_ESC) {
		u->prompt = PR_NONE;
	} else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		u->prompt = PR_NONE;
		u->input[u->in_len] = '\0';
		do_find(u, u->input);
	} else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (u->in_len)
			u->input[--u->in_len] = '\0';
	} else if (ch >= 0x20 && ch < 0x7f && u->in_len + 1 < sizeof(u->input)) {
		u->input[u->in_len++] = (char)ch;
		u->input[u->in_len] = '\0';
	}
}

/* Move the focused pane's selection. */
static void key_move(struct ui *u, int ch)
{
	struct ui_pane_state *st = &u->st[u->focus];
	int page = u->rect[u->focus].h - 3, n = st->nitems;

	if (page < 1)
		page = 1;
	if (n <= 0)
		return;
	switch (ch) {
	case KEY_UP: st->sel = st->sel < 0 ? n - 1 : st->sel - 1; break;
	case KEY_DOWN: st->sel = st->sel < 0 ? 0 : st->sel + 1; break;
	case KEY_PPAGE: st->sel = st->sel < 0 ? n - 1 : st->sel - page; break;
	case KEY_NPAGE: st->sel = st->sel < 0 ? 0 : st->sel + page; break;
	case KEY_HOME: st->sel = 0; break;
	case KEY_END: st->sel = n - 1; break;
	default: break;
	}
	if (st->sel < 0)
		st->sel = 0;
	if (st->sel >= n)
		st->sel = n - 1;
}

/* Scroll the overlay. */
static bool key_overlay(struct ui *u, int ch)
{
	struct overlay *ov = &u->ov;
	int page = ov->h > 1 ? ov->h - 1 : 1;

	switch (ch) {
	case KEY_ESC: case 'q': case '\n': case '\r': case KEY_ENTER: case '?':
		ov_clear(ov);
		return true;
	case KEY_UP: ov->scroll--; break;
	case KEY_DOWN: ov->scroll++; break;
	case KEY_PPAGE: ov->scroll -= page; break;
	case KEY_NPAGE: case ' ': ov->scroll += page; break;
	case KEY_HOME: ov->scroll = 0; break;
	case KEY_END: ov->scroll = (int)ov->n; break;
	default: return false;
	}
	return true;
}

static void speed(struct ui *u, int dir)
{
	size_t i;

	if (dir > 0) {
		for (i = 0; i < ARRAY_LEN(rates) && rates[i] <= u->rate; i++)
			;
		if (i < ARRAY_LEN(rates))
			u->rate = rates[i];
	} else {
		for (i = ARRAY_LEN(rates); i-- > 0 && rates[i] >= u->rate;)
			;
		if (i < ARRAY_LEN(rates))
			u->rate = rates[i];
	}
	snprintf(u->msg, sizeof(u->msg), "autoplay speed %g stops/s%s", u->rate,
		 u->playing ? "" : " (p starts it)");
}

/* A mouse event: a left click focuses the pane under it and tells it
 * where; the wheel moves its selection. */
static void key_mouse(struct ui *u)
{
	MEVENT me;

	if (getmouse(&me) != OK || too_small())
		return;
	for (int p = 0; p < P_COUNT; p++) {
		const struct ui_rect *r = &u->rect[p];
		if (!u->shown[p] || me.y < r->y || me.y >= r->y + r->h || me.x < r->x ||
		    me.x >= r->x + r->w)
			continue;
		if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_RELEASED)) {
			u->focus = p;
			u->st[p].click_y = me.y;
			u->st[p].click_x = me.x;
		}
#ifdef BUTTON5_PRESSED
		else if (me.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
			int f = u->focus;
			u->focus = p;
			for (int k = 0; k < 3; k++)
				key_move(u, me.bstate & BUTTON4_PRESSED ? KEY_UP : KEY_DOWN);
			u->focus = f;
		}
#endif
		return;
	}
}

/* The terminal changed size. */
static void resized(struct ui *u)
{
	if (u->cast)
		cast_resize(u->cast, COLS, LINES);
}

/* What a key does: an action to return, or -1 to redraw and read on. */
static int key(struct ui *u, int ch)
{
	if (ch == KEY_RESIZE) {
		resized(u);
		return -1;
	}
	if (u->prompt == PR_FIND) {
		key_find(u, ch);
		return -1;
	}
	if (u->prompt == PR_QUIT) {
		if (ch == 'r' || ch == 'R')
			return UI_DETACH;
		if (ch == 'k' || ch == 'K')
			return UI_KILL;
		if (ch == KEY_ESC)
			u->prompt = PR_NONE;
		return -1;
	}
	u->msg[0] = '\0';
	if (u->ov.on && key_overlay(u, ch))
		return -1;
	if (u->ov.on && ch != KEY_MOUSE)
		return -1;
	if (too_small() && ch != 'q' && ch != 'Q')
		return -1;
	switch (ch) {
	case ' ': case 'n':
		return u->ended ? -1 : UI_NEXT;
	case 'c':
		return u->ended ? -1 : UI_CONTINUE;
	case 'q': case 'Q':
		if (!u->o.launched || u->ended)
			return UI_DETACH;
		u->prompt = PR_QUIT;
		return -1;
	case 'p':
		if (!u->ended)
			u->playing = !u->playing;
		return -1;
	case '+': case '=':
		speed(u, 1);
		return -1;
	case '-': case '_':
		speed(u, -1);
		return -1;
	case KEY_TAB:
		u->focus = (u->focus + 1) % P_COUNT;
		return -1;
	case KEY_BTAB:
		u->focus = (u->focus + P_COUNT - 1) % P_COUNT;
		return -1;
	case KEY_UP: case KEY_DOWN: case KEY_PPAGE: case KEY_NPAGE: case KEY_HOME: case KEY_END:
		key_move(u, ch);
		return -1;
	case '\n': case '\r': case KEY_ENTER:
		if (u->snap)
			open_detail(u);
		return -1;
	case '/':
		u->prompt = PR_FIND;
		u->in_len = 0;
		u->input[0] = '\0';
		return -1;
	case 'z':
		u->zoom = !u->zoom;
		return -1;
	case 's':
		u->st[P_SPACE].scale = (u->st[P_SPACE].scale + 1) % 3;
		snprintf(u->msg, sizeof(u->msg), "address space scale: %s",
			 (const char *[]){ "proportional", "gaps compressed",
					   "logarithmic" }[u->st[P_SPACE].scale]);
		return -1;
	case 't':
		if (u->snap && u->snap->nthreads > 1) {
			u->st[P_STACK].thread = (u->st[P_STACK].thread + 1) % (int)u->snap->nthreads;
			u->st[P_STACK].sel = -1;
		} else {
			snprintf(u->msg, sizeof(u->msg), "t: the program has one thread");
		}
		return -1;
	case 'r':
		u->st[P_STACK].flip = !u->st[P_STACK].flip;
		u->st[P_STACK].sel = -1;
		return -1;
	case '?': case KEY_F(1):
		open_help(u);
		return -1;
	case 'b':
		open_bugs(u);
		return -1;
	case KEY_MOUSE:
		key_mouse(u);
		return -1;
	case 12:                  /* Ctrl-L: redraw all */
		clearok(curscr, TRUE);
		return -1;
	default:
		return -1;
	}
}

/* ---- the session API ------------------------------------------------- */

static void close_hook(void)
{
	ui_close(&g_ui);
}

/* Can the terminal curses just opened place the cursor at all?
 * (TERM=dumb cannot: the screen would be a stream of lines.) */
static bool term_addressable(void)
{
	char *cup = tigetstr("cup");

	return cup && cup != (char *)-1;
}

/* The terminal's size before curses starts (for the recording header). */
static void term_size(int *w, int *h)
{
	struct winsize ws;

	*w = 80;
	*h = 24;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		*w = ws.ws_col;
		*h = ws.ws_row;
	}
}

struct ui *ui_open(const struct ui_opts *o, char **cause)
{
	struct ui *u = &g_ui;
	static bool registered;
	const char *nc;
	int w = 0, h = 0;

	if (u->open) {
		util_cause(cause, "the terminal UI is already open");
		return NULL;
	}
	if (!o->screen_out && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		util_cause(cause, "the terminal UI needs a terminal (use --text or --json)");
		return NULL;
	}
	memset(u, 0, sizeof(*u));
	u->o = *o;
	setlocale(LC_ALL, "");
	u->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	u->term = o->screen_out ? o->screen_out : stdout;
	if (o->record && !o->screen_out) {
		term_size(&w, &h);
		u->cast = cast_begin(o->record, w, h);
		u->term = u->cast ? cast_tee(u->cast, STDOUT_FILENO) : NULL;
		if (!u->term) {
			if (u->cast)
				cast_end(u->cast);
			u->cast = NULL;
			util_cause(cause, "cannot start the recording");
			return NULL;
		}
		u->term_tee = true;
	}
	u->scr = newterm(NULL, u->term, o->screen_in ? o->screen_in : stdin);
	if (u->scr && !term_addressable()) {
		const char *t = getenv("TERM");
		endwin();
		delscreen(u->scr);
		u->scr = NULL;
		util_cause(cause, "the terminal (TERM=%s) cannot move the cursor: use --text or "
			   "--json, or a terminal that can", t ? t : "");
	} else if (!u->scr) {
		const char *t = getenv("TERM");
		util_cause(cause, "the terminal is unknown (TERM=%s): set TERM, or use --text or "
			   "--json", t ? t : "");
	}
	if (!u->scr) {
		if (u->term_tee)
			fclose(u->term);
		if (u->cast)
			cast_end(u->cast);
		memset(u, 0, sizeof(*u));
		return NULL;
	}
	u->open = true;
	if (!registered) {
		atexit(close_hook);
		registered = true;
	}
	util_set_fatal_hook(close_hook);
	set_term(u->scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED
#ifdef BUTTON5_PRESSED
		  | BUTTON4_PRESSED | BUTTON5_PRESSED
#endif
		  , NULL);
	mouseinterval(0);
	nc = getenv("NO_COLOR");
	u->color = has_colors() && !(nc && *nc);
	if (u->color) {
		start_color();
		use_default_colors();
	}
	ui_draw_init(u->utf8, u->color);
	for (int p = 0; p < P_COUNT; p++)
		u->st[p] = (struct ui_pane_state){ .sel = -1, .click_y = -1, .click_x = -1,
						   .scale = 1 };
	u->focus = P_HEAP;
	u->rate = o->play_rate > 0 ? o->play_rate : 2;
	u->playing = o->play_rate > 0;
	if (u->cast && (COLS != w || LINES != h))
		cast_resize(u->cast, COLS, LINES);
	if (o->lang == UI_LANG_KO && !u->utf8)
		ui_message(u, "memviz: --lang ko needs a UTF-8 locale (LANG=C.UTF-8 or ko_KR.UTF-8); "
			   "this one shows Korean as ?");
	return u;
}

void ui_close(struct ui *u)
{
	if (!u || !u->open)
		return;
	u->open = false;
	endwin();
	delscreen(u->scr);
	u->scr = NULL;
	if (u->term_tee)
		fclose(u->term);
	else
		fflush(u->term);
	u->term = NULL;
	if (u->cast)
		cast_end(u->cast);
	u->cast = NULL;
	/* memviz's messages go to the terminal again */
	if (u->o.stderr_fd > 0) {
		dup2(u->o.stderr_fd, STDERR_FILENO);
		u->o.stderr_fd = 0;
	}
	for (size_t i = 0; i < u->nlog; i++)
		free(u->log[i].text);
	u->nlog = 0;
	for (size_t i = 0; i < u->nbugs; i++)
		bug_free(&u->bugs[i]);
	free(u->bugs);
	u->bugs = NULL;
	u->nbugs = u->capbugs = u->bugs_seen = 0;
	ov_clear(&u->ov);
	free(u->ov.lines);
	u->ov.lines = NULL;
	u->ov.cap = 0;
	prev_clear(&u->prev);
	sb_free(&u->sb);
	u->snap = NULL;
}

void ui_interrupt(void)
{
	g_interrupted = 1;
}

/* A fault: the address-space pane selects the region the address is in,
 * or the nearest one below it (an unmapped address is marked in the gap
 * above that region), so the red mark is in view. */
static void show_fault(struct ui *u, const struct snapshot *s, uint64_t addr)
{
	const struct space *sp = s->space;
	size_t i;

	if (!sp || sp->n == 0)
		return;
	for (i = sp->n; i-- > 0;)
		if (sp->regions[i].start <= addr || i == 0)
			break;
	u->st[P_SPACE].sel = (int)(sp->n - 1 - i);
}

/* A stop with bugs: the heap pane selects the chunk of the first heap
 * bug (so its red row is in view and its detail shown), the address
 * space the address of a bad dereference. */
static void show_bug(struct ui *u, const struct snapshot *s)
{
	bool heap_done = false;

	for (size_t i = 0; i < s->ndiags; i++) {
		const struct diag *d = &s->diags[i];
		int it;
		if (!heap_done && s->heap && (UI_DIAG_HEAP & UI_DIAG_BIT(d->kind)) &&
		    (it = heap_item_of(s->heap, d->addr)) >= 0) {
			u->st[P_HEAP].sel = it;
			heap_done = true;
		}
		if (d->kind == DG_BAD_DEREF && s->ev.kind != EV_SIGNAL)
			show_fault(u, s, d->addr);
	}
}

/* Wait at most ms for a key (ERR when none came). */
static int wait_key(int ms)
{
	timeout(ms < 0 ? 0 : ms);
	return getch();
}

enum ui_action ui_stop(struct ui *u, const struct snapshot *s)
{
	double deadline;
	int act = -1;

	if (!u || !u->open)
		return UI_DETACH;
	u->snap = s;
	u->ended = s->ev.kind == EV_EXIT;
	if (now_s() - u->msg_at > 2)      /* a key's message outlives a stop by 2 s */
		u->msg[0] = '\0';
	read_program_output(u);
	log_stop(u, s);
	log_bugs(u, s);
	if (s->ev.kind == EV_SIGNAL && s->ev.has_fault_addr)
		show_fault(u, s, s->ev.fault_addr);
	if (s->diags && s->ndiags)
		show_bug(u, s);
	if (u->playing && s->ev.kind == EV_SIGNAL && s->ev.has_fault_addr) {
		/* the next stop is the end, with nothing left to see */
		u->playing = false;
		ui_message(u, "memviz: autoplay paused at the fault (p resumes)");
	} else if (u->playing && !u->ended && s->diags && s->ndiags) {
		/* a bug is what the audience should see: stay on it */
		u->playing = false;
		ui_message(u, "memviz: autoplay paused at a bug (p resumes)");
	}
	if (u->ended) {
		const struct event *ev = &s->ev;
		char b[32];
		u->playing = false;
		if (ev->exited_by_signal) {
			sig_name(b, sizeof(b), ev->exit_signal);
			snprintf(u->end_msg, sizeof(u->end_msg), "program killed by %s (status %d)",
				 b, 128 + ev->exit_signal);
		} else {
			snprintf(u->end_msg, sizeof(u->end_msg), "program exited (status %d)",
				 ev->exit_code);
		}
		ui_message(u, "memviz: %s", u->end_msg);
	}
	deadline = now_s() + 1.0 / u->rate;
	draw(u);
	while (act < 0) {
		int ms = 100, ch;

		if (g_interrupted) {
			act = UI_DETACH;
			break;
		}
		if (u->playing && !u->ov.on && u->prompt == PR_NONE) {
			double left = deadline - now_s();
			if (left <= 0) {
				act = UI_NEXT;
				break;
			}
			if (left * 1000 < ms)
				ms = (int)(left * 1000) + 1;
		}
		ch = wait_key(ms);
		if (ch == ERR)
			continue;
		act = key(u, ch);
		u->msg_at = now_s();
		if (act == UI_CONTINUE)
			u->playing = false;
		if (act < 0)
			draw(u);
		/* other keys keep the autoplay's pace; p restarts it */
		if (ch == 'p')
			deadline = now_s() + 1.0 / u->rate;
	}
	if (act == UI_CONTINUE) {
		struct ui_rect r = { 0, 0, 1, COLS };
		if (!too_small()) {
			ui_fill(&r, 0, 0, -1, UR_STATUS, " ");
			ui_textf(&r, 0, 0, UR_STATUS, " memviz  %s  pid %d  RUNNING to the next "
				 "--break stop, a signal or the end (Ctrl-C detaches)", base_name(u->o.program), (int)s->pid);
			wnoutrefresh(stdscr);
			doupdate();
		}
	}
	prev_build(&u->prev, s);
	u->snap = NULL;
	return (enum ui_action)act;
}

void ui_redraw(struct ui *u, const struct snapshot *s)
{
	if (!u || !u->open)
		return;
	u->snap = s;
	draw(u);
	prev_build(&u->prev, s);
	u->snap = NULL;
}

void ui_message(struct ui *u, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = { 0 };

	if (!u || !u->open)
		return;
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	log_push(u, sb.buf ? sb.buf : "");
	sb_free(&sb);
}
