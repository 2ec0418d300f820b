/*
 * out_text.c - the --text view: for each stop a header line saying what
 * happened and where, then the address space with high addresses first
 * (the way the lecture draws it: stack on top, text at the bottom), each
 * region's ELF sections indented under it, and a blank line.
 *
 *   #3 malloc(24) = 0x5555555592a0  at main+0x1c (tid 812)
 *     7ffd5e2f1000-7ffd5e312000 rw-p   132K  rss    12K  stack    [stack]
 *         .text                55d0c1e01000-55d0c1e02000     4K
 *
 * Output is plain ASCII: bytes of paths and names that are not printable
 * ASCII are written as \xNN (and a backslash as \\).
 */
#include "out.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "diagnose.h"

/* Append s[0..n) with non-printable bytes as \xNN and \ as \\. */
static void text_putn(struct strbuf *sb, const char *s, size_t n)
{
	static const char dig[] = "0123456789abcdef";
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			continue;
		sb_putn(sb, s + run, i - run);
		run = i + 1;
		if (c == '\\') {
			sb_putn(sb, "\\\\", 2);
		} else {
			char e[4] = { '\\', 'x', dig[c >> 4], dig[c & 0xf] };

			sb_putn(sb, e, sizeof e);
		}
	}
	sb_putn(sb, s + run, n - run);
}

/* Append a C string escaped as text_putn does; "?" for NULL. */
static void text_puts(struct strbuf *sb, const char *s)
{
	if (!s)
		s = "?";
	text_putn(sb, s, strlen(s));
}

/* Pad with spaces so that what was appended since mark is width wide. */
static void pad_to(struct strbuf *sb, size_t mark, size_t width)
{
	while (sb->len - mark < width)
		sb_putc(sb, ' ');
}

/* Drop trailing spaces of the current line. */
static void trim_spaces(struct strbuf *sb)
{
	while (sb->len > 0 && sb->buf[sb->len - 1] == ' ')
		sb->len--;
	sb->buf[sb->len] = '\0';
}

/* A human size into buf: 512B, 4K, 1.5M, 132K, 2G. */
static void human_size(char *buf, size_t n, uint64_t bytes)
{
	static const char units[] = "BKMGTPE";
	uint64_t unit = 1;
	size_t u = 0;

	while (bytes / unit >= 1024 && u + 1 < sizeof units - 1) {
		unit *= 1024;
		u++;
	}
	if (bytes % unit == 0 || bytes / unit >= 10)
		snprintf(buf, n, "%" PRIu64 "%c", (bytes + unit / 2) / unit, units[u]);
	else
		snprintf(buf, n, "%.1f%c", (double)bytes / (double)unit, units[u]);
}

/* "SIGSEGV"; "SIG40" for signals without an abbreviation. */
static void put_signame(struct strbuf *sb, int signo)
{
	const char *abbr = sigabbrev_np(signo);

	if (abbr)
		sb_printf(sb, "SIG%s", abbr);
	else
		sb_printf(sb, "SIG%d", signo);
}

/* fn(arg, arg) = ret, with the arguments as the shared table prints them. */
static void text_call(struct strbuf *sb, const struct event *ev)
{
	int i;

	text_puts(sb, ev->fn ? ev->fn : event_kind_name(ev->kind));
	sb_putc(sb, '(');
	for (i = 0; i < ev->nargs && i < EV_MAX_ARGS; i++) {
		if (i)
			sb_puts(sb, ", ");
		out_event_value(sb, ev, i);
	}
	sb_putc(sb, ')');
	if (ev->has_ret) {
		size_t mark = sb->len;

		sb_puts(sb, " = ");
		if (!out_event_value(sb, ev, OUT_RET)) {
			sb->len = mark;
			sb->buf[mark] = '\0';
		}
		if (ev->fn && strcmp(ev->fn, "posix_memalign") == 0)
			sb_printf(sb, " (rc %" PRId64 ")", ev->rc);
	}
}

/* What happened, in words (without the location). */
static void text_what(struct strbuf *sb, const struct snapshot *s)
{
	const struct event *ev = &s->ev;

	switch (ev->kind) {
	case EV_START:
		sb_puts(sb, "start: ");
		text_puts(sb, s->program);
		sb_printf(sb, " (pid %d)", (int)s->pid);
		break;
	case EV_SIGNAL:
		put_signame(sb, ev->signo);
		if (ev->has_fault_addr)
			sb_printf(sb, " at 0x%" PRIx64, ev->fault_addr);
		if (s->signal_region) {
			sb_puts(sb, " (");
			text_puts(sb, s->signal_region);
			sb_putc(sb, ')');
		}
		break;
	case EV_EXIT:
		if (ev->exited_by_signal) {
			sb_puts(sb, "killed by ");
			put_signame(sb, ev->exit_signal);
			if (ev->core_dumped)
				sb_puts(sb, " (core dumped)");
		} else {
			sb_printf(sb, "exited with status %d", ev->exit_code);
		}
		break;
	case EV_DETACH:
		sb_puts(sb, "detach");
		break;
	case EV_LINE:
		sb_puts(sb, "line");
		break;
	case EV_WATCH:
		sb_printf(sb, "watch 0x%" PRIx64 " (slot %d)", ev->watch_addr, ev->watch_slot);
		break;
	case EV_BREAK:
	case EV_CALL:
	case EV_RETURN:
		sb_puts(sb, event_kind_name(ev->kind));
		sb_putc(sb, ' ');
		/* fall through */
	default:
		text_call(sb, ev);
	}
}

/* "  at main+0x1c (file.c:21)" (or " in" for a signal); nothing if unknown. */
static void text_at(struct strbuf *sb, const struct snapshot *s)
{
	const struct code_loc *at = &s->at;
	uint64_t addr = s->ev.call_site ? s->ev.call_site : s->ev.pc;

	if (!at->fn && !at->file && !at->object)
		return;
	sb_puts(sb, s->ev.kind == EV_SIGNAL ? "  in " : "  at ");
	if (at->fn) {
		text_puts(sb, at->fn);
		sb_printf(sb, "+0x%" PRIx64, at->off);
	} else {
		sb_printf(sb, "0x%" PRIx64, addr);
	}
	if (at->file) {
		sb_puts(sb, " (");
		text_puts(sb, at->file);
		if (at->line > 0)
			sb_printf(sb, ":%d", at->line);
		sb_putc(sb, ')');
	} else if (!at->fn && at->object) {
		const char *base = strrchr(at->object, '/');

		sb_puts(sb, " in ");
		text_puts(sb, base ? base + 1 : at->object);
	}
}

/* "#3 malloc(24) = 0x...  at main+0x1c (tid 812)" */
static void text_header(struct strbuf *sb, const struct snapshot *s)
{
	sb_printf(sb, "#%lu ", s->seq);
	if (s->fields & FIELD_EVENT) {
		text_what(sb, s);
		if (s->ev.at_entry)
			sb_puts(sb, " (entry)");
		text_at(sb, s);
		sb_puts(sb, " ");
	}
	sb_printf(sb, "(tid %d)\n", (int)(s->ev.tid ? s->ev.tid : s->pid));
}

/* One section line, indented under its region. */
static void text_section(struct strbuf *sb, const struct section_span *ss)
{
	char size[16];
	size_t mark;

	human_size(size, sizeof size, ss->end - ss->start);
	sb_puts(sb, "      ");
	mark = sb->len;
	text_puts(sb, ss->name);
	pad_to(sb, mark, 20);
	sb_printf(sb, " %012" PRIx64 "-%012" PRIx64 " %6s\n", ss->start, ss->end, size);
}

/* One region line, then its sections (high addresses first). */
static void text_region(struct strbuf *sb, const struct region *r)
{
	char size[16], rss[16];
	size_t i;

	human_size(size, sizeof size, r->end - r->start);
	human_size(rss, sizeof rss, r->rss_kb * 1024);
	sb_printf(sb, "  %012" PRIx64 "-%012" PRIx64 " ", r->start, r->end);
	text_putn(sb, r->perms, strnlen(r->perms, sizeof r->perms));
	sb_printf(sb, " %6s  rss %6s  %-8s ", size, rss, region_kind_name(r->kind));
	if (r->path)
		text_puts(sb, r->path);
	trim_spaces(sb);
	sb_putc(sb, '\n');
	for (i = r->nsections; i-- > 0;)
		text_section(sb, &r->sections[i]);
}

/* The whole address space: a summary line, then regions high to low. */
static void text_space(struct strbuf *sb, const struct space *sp)
{
	char vsz[16], rss[16];
	size_t i;

	human_size(vsz, sizeof vsz, sp->vsz_kb * 1024);
	human_size(rss, sizeof rss, sp->rss_kb * 1024);
	sb_printf(sb, "  address space: %zu regions, vsz %s, rss %s, faults %" PRIu64
		  " minor / %" PRIu64 " major\n", sp->n, vsz, rss, sp->minflt, sp->majflt);
	for (i = sp->n; i-- > 0;)
		text_region(sb, &sp->regions[i]);
}

/* "      int n = 3  @0x7ffe...  -> heap chunk 0x... (in use)" */
static void text_var(struct strbuf *sb, const struct var_info *v)
{
	sb_puts(sb, "        ");
	text_puts(sb, v->type ? v->type : "?");
	sb_putc(sb, ' ');
	text_puts(sb, v->name ? v->name : "?");
	sb_puts(sb, " = ");
	text_puts(sb, v->value ? v->value : "?");
	if (v->has_addr)
		sb_printf(sb, "  @0x%" PRIx64, v->addr);
	else if (v->reg >= 0 && dwexpr_reg_name(v->reg))
		sb_printf(sb, "  in %s", dwexpr_reg_name(v->reg));
	if (v->points_to) {
		sb_puts(sb, "  -> ");
		text_puts(sb, v->points_to);
	}
	sb_putc(sb, '\n');
}

/* "    #1 middle (demos/stack_frames.c:68)  [sp, cfa)  ret 0x... @0x..." */
static void text_frame(struct strbuf *sb, size_t i, const struct uw_frame *f,
		       const struct var_list *vars)
{
	sb_printf(sb, "    #%zu ", i);
	if (f->loc.fn)
		text_puts(sb, f->loc.fn);
	else
		sb_printf(sb, "0x%" PRIx64, f->pc);
	if (f->loc.file) {
		sb_puts(sb, " (");
		text_puts(sb, f->loc.file);
		sb_printf(sb, ":%d)", f->loc.line);
	}
	sb_printf(sb, "  frame 0x%" PRIx64 "-0x%" PRIx64, f->sp, f->cfa);
	if (f->ret_addr)
		sb_printf(sb, "  ret 0x%" PRIx64 " @0x%" PRIx64, f->ret_addr, f->ret_slot);
	sb_putc(sb, '\n');
	if (f->nsaved) {
		sb_puts(sb, "        saved");
		for (size_t k = 0; k < f->nsaved; k++)
			sb_printf(sb, " %s@0x%" PRIx64, dwexpr_reg_name(f->saved[k].reg),
				  f->saved[k].slot);
		sb_putc(sb, '\n');
	}
	for (size_t k = 0; vars && k < vars->n; k++)
		text_var(sb, &vars->v[k]);
}

/* Each thread: where it is stopped, then its frames, innermost first. */
static void text_threads(struct strbuf *sb, const struct snapshot *s)
{
	for (size_t i = 0; s->threads && i < s->nthreads; i++) {
		const struct thread_state *t = &s->threads[i];
		sb_printf(sb, "  thread %d  pc 0x%" PRIx64 "  sp 0x%" PRIx64 "\n",
			  (int)t->tid, t->pc, t->sp);
		for (size_t k = 0; t->has_stack && k < t->stack.n; k++)
			text_frame(sb, k, &t->stack.frames[k], &t->vars[k]);
		if (t->has_stack && t->stack.end && strcmp(t->stack.end, "outermost") != 0)
			sb_printf(sb, "    (unwinding stopped: %s)\n", t->stack.end);
	}
	if (s->has_globals && s->globals.n) {
		sb_puts(sb, "  globals\n");
		for (size_t k = 0; k < s->globals.n; k++)
			text_var(sb, &s->globals.v[k]);
	}
}

/* One chunk line: address, size, flags, state, bin, requested size. */
static void text_chunk(struct strbuf *sb, const struct heap_chunk *c)
{
	char size[16];

	human_size(size, sizeof size, c->size);
	sb_printf(sb, "    %12" PRIx64 " %8" PRIx64 " %6s  %c%c%c  %-7s %-8s", c->addr, c->size,
		  size, c->flags & CHUNK_P ? 'P' : '-', c->flags & CHUNK_M ? 'M' : '-',
		  c->flags & CHUNK_A ? 'A' : '-', chunk_state_name(c->state),
		  c->bin == BIN_NONE ? "-" : chunk_bin_name(c->bin));
	if (c->req)
		sb_printf(sb, " req %" PRIu64, c->req);
	sb_putc(sb, '\n');
}

/* The heap: each arena's chunks in address order, then what changed. */
static void text_heap(struct strbuf *sb, const struct heap_state *h)
{
	sb_printf(sb, "  heap (%s)%s%s\n", h->model, h->degraded[0] ? ": " : "", h->degraded);
	for (size_t i = 0; i < h->n; i++) {
		const struct heap_arena *a = &h->arenas[i];
		sb_printf(sb, "  arena %s  %" PRIx64 "-%" PRIx64 "  %zu chunks%s\n", a->name,
			  a->start, a->end, a->n, a->truncated ? " (walk stopped early)" : "");
		for (size_t k = 0; k < a->n; k++)
			text_chunk(sb, &a->chunks[k]);
	}
	for (size_t i = 0; i < h->nmmapped; i++)
		text_chunk(sb, &h->mmapped[i]);
	for (size_t i = 0; i < h->nchanges; i++)
		sb_printf(sb, "  change: %s (%s) at %" PRIx64 "\n", heap_change_name(h->changes[i].kind),
			  h->changes[i].detail ? h->changes[i].detail : "", h->changes[i].chunks[0]);
	for (size_t i = 0; i < h->ndiags; i++)
		sb_printf(sb, "  ! %s at %" PRIx64 ": %s\n", heap_diag_name(h->diags[i].kind),
			  h->diags[i].addr, h->diags[i].message);
}

/* "  ! double_free 0x...: message" for each diagnostic of the stop. */
static void text_diags(struct strbuf *sb, const struct snapshot *s)
{
	for (size_t i = 0; s->diags && i < s->ndiags; i++) {
		const struct diag *d = &s->diags[i];
		sb_printf(sb, "  ! %s 0x%" PRIx64 ": ", diag_kind_name(d->kind), d->addr);
		text_puts(sb, d->message);
		sb_putc(sb, '\n');
	}
}

/* One record as text (see out.h), followed by a blank line. */
int out_text_write(FILE *f, const struct snapshot *s, struct strbuf *sb)
{
	sb_reset(sb);
	text_header(sb, s);
	if ((s->fields & FIELD_SPACE) && s->space)
		text_space(sb, s->space);
	if (s->fields & FIELD_STACK)
		text_threads(sb, s);
	if ((s->fields & FIELD_HEAP) && s->heap)
		text_heap(sb, s->heap);
	if (s->fields & FIELD_DIAG)
		text_diags(sb, s);
	sb_putc(sb, '\n');
	return out_write(f, sb);
}
