/*
 * out_json.c - the --json view: one JSON object per stop, on one line, with
 * the keys in DESIGN.md's order.  Also the table of how each traced
 * function's arguments and return value are printed, which the text view
 * shares through out_event_value().
 *
 * The whole record is built in the caller's strbuf and written with one
 * fwrite (out_write), so a reader never sees half a record.  Every
 * string goes through sb_json_str (bytes that are not UTF-8 come out as
 * \udcXX), every address through sb_json_addr.
 */
#include "out.h"

#include <errno.h>

#include "diagnose.h"
#include <string.h>

/*
 * How a value is printed: 'u' unsigned decimal (sizes, counts), 'i' a C int
 * in decimal (fd, brk's result), 'l' a signed long in decimal (sbrk's
 * increment), 'p' pointer in hex, 'x' flags or offset in hex.
 */
struct fn_sig {
	const char *fn;
	const char *args;         /* one letter per argument */
	char ret;                 /* 0: returns nothing worth printing */
	bool has_rc;              /* int result in ev->rc (posix_memalign) */
};

/* The traced functions: the one place that says what their arguments are. */
static const struct fn_sig fn_sigs[] = {
	{ "malloc", "u", 'p', false },
	{ "calloc", "uu", 'p', false },
	{ "realloc", "pu", 'p', false },
	{ "reallocarray", "puu", 'p', false },
	{ "free", "p", 0, false },
	{ "memalign", "uu", 'p', false },
	{ "aligned_alloc", "uu", 'p', false },
	{ "posix_memalign", "puu", 'p', true },
	{ "valloc", "u", 'p', false },
	{ "pvalloc", "u", 'p', false },
	{ "brk", "p", 'i', false },
	{ "sbrk", "l", 'p', false },
	{ "mmap", "puxxix", 'p', false },
	{ "mmap64", "puxxix", 'p', false },
	{ "munmap", "pu", 'i', false },
	{ "mremap", "puuxp", 'p', false },
};

/* Anything else (a --break target, a call/return): hex words. */
static const struct fn_sig fn_sig_default = { NULL, "xxxxxx", 'x', false };

/* The signature for ev: by ev->fn, else by the kind's name. */
static const struct fn_sig *event_sig(const struct event *ev)
{
	const char *name = ev->fn ? ev->fn : event_kind_name(ev->kind);
	size_t i;

	for (i = 0; i < ARRAY_LEN(fn_sigs); i++)
		if (strcmp(fn_sigs[i].fn, name) == 0)
			return &fn_sigs[i];
	return &fn_sig_default;
}

/* Append an unsigned decimal (no printf: this is the hot path). */
static void put_u64(struct strbuf *sb, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sb_putn(sb, tmp + i, sizeof tmp - i);
}

/* Append a signed decimal. */
static void put_i64(struct strbuf *sb, int64_t v)
{
	if (v < 0) {
		sb_putc(sb, '-');
		put_u64(sb, -(uint64_t)v);
	} else {
		put_u64(sb, (uint64_t)v);
	}
}

/* Append 0x hex, lowercase, bare. */
static void put_hex(struct strbuf *sb, uint64_t v)
{
	static const char dig[] = "0123456789abcdef";
	char tmp[18];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = dig[v & 0xf];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	sb_putn(sb, tmp + i, sizeof tmp - i);
}

/* Append v printed as the letter `how` of a signature says. */
static void put_value(struct strbuf *sb, char how, uint64_t v)
{
	switch (how) {
	case 'u':
		put_u64(sb, v);
		break;
	case 'i':
		put_i64(sb, (int32_t)(uint32_t)v);
		break;
	case 'l':
		put_i64(sb, (int64_t)v);
		break;
	default:
		put_hex(sb, v);
	}
}

/* Argument i of ev (OUT_RET: the return value), bare; see out.h. */
bool out_event_value(struct strbuf *sb, const struct event *ev, int i)
{
	const struct fn_sig *sig = event_sig(ev);
	size_t nsig = strlen(sig->args);

	if (i == OUT_RET) {
		if (!ev->has_ret || !sig->ret)
			return false;
		put_value(sb, sig->ret, ev->ret);
		return true;
	}
	if (i < 0 || i >= ev->nargs || i >= EV_MAX_ARGS)
		return false;
	put_value(sb, (size_t)i < nsig ? sig->args[i] : 'x', ev->args[i]);
	return true;
}

/* Append a string literal with one call and no strlen (the hot path). */
#define PUT_LIT(sb, lit) sb_putn((sb), (lit), sizeof(lit) - 1)
/* ,"key": for a literal key. */
#define PUT_KEY(sb, key) PUT_LIT((sb), ",\"" key "\":")

/* "SIGSEGV" (quoted); "SIG40" for signals without an abbreviation. */
static void put_signame(struct strbuf *sb, int signo)
{
	const char *abbr = sigabbrev_np(signo);

	if (abbr)
		sb_printf(sb, "\"SIG%s\"", abbr);
	else
		sb_printf(sb, "\"SIG%d\"", signo);
}

/* "args":[..] as strings, if the event has any. */
static void json_args(struct strbuf *sb, const struct event *ev)
{
	int i;

	if (ev->nargs <= 0)
		return;
	PUT_KEY(sb, "args");
	sb_putc(sb, '[');
	for (i = 0; i < ev->nargs && i < EV_MAX_ARGS; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_putc(sb, '"');
		out_event_value(sb, ev, i);
		sb_putc(sb, '"');
	}
	sb_putc(sb, ']');
}

/* "ret" (a string) and, for posix_memalign, "rc" (a number). */
static void json_ret(struct strbuf *sb, const struct event *ev)
{
	size_t mark = sb->len;

	if (!ev->has_ret)
		return;
	PUT_KEY(sb, "ret");
	sb_putc(sb, '"');
	if (out_event_value(sb, ev, OUT_RET)) {
		sb_putc(sb, '"');
	} else {
		sb->len = mark;     /* no printable return value: drop the key */
		sb->buf[mark] = '\0';
	}
	if (event_sig(ev)->has_rc) {
		PUT_KEY(sb, "rc");
		put_i64(sb, ev->rc);
	}
}

/* A JSON array of strings; NULL-terminated if n == (size_t)-1. */
static void json_strarray(struct strbuf *sb, const char *const *v, size_t n)
{
	size_t i;

	sb_putc(sb, '[');
	for (i = 0; v && i < n && (n != (size_t)-1 || v[i]); i++) {
		if (i)
			sb_putc(sb, ',');
		sb_json_str(sb, v[i]);
	}
	sb_putc(sb, ']');
}

/* The kind-specific members of signal, exit and start events. */
static void json_event_extra(struct strbuf *sb, const struct snapshot *s)
{
	const struct event *ev = &s->ev;

	switch (ev->kind) {
	case EV_SIGNAL:
		PUT_KEY(sb, "signal");
		put_signame(sb, ev->signo);
		PUT_KEY(sb, "signo");
		put_i64(sb, ev->signo);
		PUT_KEY(sb, "code");
		put_i64(sb, ev->si_code);
		if (ev->has_fault_addr) {
			PUT_KEY(sb, "addr");
			sb_json_addr(sb, ev->fault_addr);
		}
		if (s->signal_region) {
			PUT_KEY(sb, "region");
			sb_json_str(sb, s->signal_region);
		}
		break;
	case EV_EXIT:
		if (ev->exited_by_signal) {
			PUT_KEY(sb, "signal");
			put_signame(sb, ev->exit_signal);
			PUT_KEY(sb, "signo");
			put_i64(sb, ev->exit_signal);
			PUT_KEY(sb, "core");
			sb_puts(sb, ev->core_dumped ? "true" : "false");
		} else {
			PUT_KEY(sb, "status");
			put_i64(sb, ev->exit_code);
		}
		break;
	case EV_WATCH:
		PUT_KEY(sb, "addr");
		sb_json_addr(sb, ev->watch_addr);
		PUT_KEY(sb, "slot");
		put_i64(sb, ev->watch_slot);
		PUT_KEY(sb, "pc");
		sb_json_addr(sb, ev->pc);
		break;
	case EV_START:
		PUT_KEY(sb, "program");
		sb_json_str(sb, s->program);
		PUT_KEY(sb, "argv");
		json_strarray(sb, (const char *const *)s->argv, (size_t)-1);
		PUT_KEY(sb, "notes");
		json_strarray(sb, s->notes, s->nnotes);
		break;
	default:
		break;
	}
}

/* "at":{...} with only the members that are known. */
static void json_at(struct strbuf *sb, const struct code_loc *at)
{
	size_t start;

	PUT_KEY(sb, "at");
	sb_putc(sb, '{');
	start = sb->len;
	if (at->fn) {
		PUT_LIT(sb, "\"fn\":");
		sb_json_str(sb, at->fn);
		PUT_KEY(sb, "off");
		put_u64(sb, at->off);
	}
	if (at->file) {
		if (sb->len > start)
			sb_putc(sb, ',');
		PUT_LIT(sb, "\"file\":");
		sb_json_str(sb, at->file);
	}
	if (at->line > 0) {
		if (sb->len > start)
			sb_putc(sb, ',');
		PUT_LIT(sb, "\"line\":");
		put_i64(sb, at->line);
	}
	if (at->object) {
		if (sb->len > start)
			sb_putc(sb, ',');
		PUT_LIT(sb, "\"object\":");
		sb_json_str(sb, at->object);
	}
	sb_putc(sb, '}');
}

/* "event":{...} */
static void json_event(struct strbuf *sb, const struct snapshot *s)
{
	const struct event *ev = &s->ev;

	PUT_KEY(sb, "event");
	PUT_LIT(sb, "{\"kind\":");
	sb_json_str(sb, event_kind_name(ev->kind));
	if (ev->kind == EV_START)
		PUT_LIT(sb, ",\"v\":1");
	if (ev->at_entry)
		PUT_LIT(sb, ",\"entry\":true");
	if (ev->fn) {
		PUT_KEY(sb, "fn");
		sb_json_str(sb, ev->fn);
	}
	json_args(sb, ev);
	json_ret(sb, ev);
	if (s->ret_value) {
		PUT_KEY(sb, "ret_value");
		sb_json_str(sb, s->ret_value);
	}
	if (ev->pc && (ev->kind == EV_BREAK || ev->kind == EV_CALL || ev->kind == EV_LINE ||
		       ev->kind == EV_RETURN)) {
		PUT_KEY(sb, "pc");
		sb_json_addr(sb, ev->pc);
	}
	json_event_extra(sb, s);
	json_at(sb, &s->at);
	sb_putc(sb, '}');
}

/* One region: {"start",...,"sections":[...]} */
static void json_region(struct strbuf *sb, const struct region *r)
{
	size_t i;

	PUT_LIT(sb, "{\"start\":");
	sb_json_addr(sb, r->start);
	PUT_KEY(sb, "end");
	sb_json_addr(sb, r->end);
	PUT_KEY(sb, "perms");
	sb_json_strn(sb, r->perms, strnlen(r->perms, sizeof r->perms));
	PUT_KEY(sb, "offset");
	sb_json_addr(sb, r->offset);
	PUT_KEY(sb, "path");
	sb_json_str(sb, r->path ? r->path : "");
	PUT_KEY(sb, "kind");
	sb_json_str(sb, region_kind_name(r->kind));
	PUT_KEY(sb, "rss_kb");
	put_u64(sb, r->rss_kb);
	PUT_KEY(sb, "sections");
	sb_putc(sb, '[');
	for (i = 0; i < r->nsections; i++) {
		const struct section_span *ss = &r->sections[i];

		if (i)
			sb_putc(sb, ',');
		PUT_LIT(sb, "{\"name\":");
		sb_json_str(sb, ss->name);
		PUT_KEY(sb, "start");
		sb_json_addr(sb, ss->start);
		PUT_KEY(sb, "end");
		sb_json_addr(sb, ss->end);
		sb_putc(sb, '}');
	}
	PUT_LIT(sb, "]}");
}

/* "space":{"regions":[...],"minflt":..,"majflt":..,"vsz_kb":..,"rss_kb":..} */
static void json_space(struct strbuf *sb, const struct space *sp)
{
	size_t i;

	PUT_KEY(sb, "space");
	PUT_LIT(sb, "{\"regions\":[");
	for (i = 0; i < sp->n; i++) {
		if (i)
			sb_putc(sb, ',');
		json_region(sb, &sp->regions[i]);
	}
	sb_putc(sb, ']');
	PUT_KEY(sb, "minflt");
	put_u64(sb, sp->minflt);
	PUT_KEY(sb, "majflt");
	put_u64(sb, sp->majflt);
	PUT_KEY(sb, "vsz_kb");
	put_u64(sb, sp->vsz_kb);
	PUT_KEY(sb, "rss_kb");
	put_u64(sb, sp->rss_kb);
	sb_putc(sb, '}');
}

/* "name":"text" or "name":null */
static void put_str_or_null(struct strbuf *sb, const char *key, const char *v)
{
	sb_putc(sb, ',');
	sb_json_str(sb, key);
	sb_putc(sb, ':');
	if (v)
		sb_json_str(sb, v);
	else
		PUT_LIT(sb, "null");
}

static const char *var_kind_name(enum dw_var_kind k)
{
	static const char *const names[] = { "param", "local", "global", "static" };
	return (size_t)k < ARRAY_LEN(names) ? names[k] : "local";
}

/* One variable: {"name","kind","type","addr","size","value"[,"reg"]
 * [,"points_to","points_kind"]}. */
static void json_var(struct strbuf *sb, const struct var_info *v)
{
	PUT_LIT(sb, "{\"name\":");
	sb_json_str(sb, v->name);
	PUT_KEY(sb, "kind");
	sb_json_str(sb, var_kind_name(v->kind));
	put_str_or_null(sb, "type", v->type);
	PUT_KEY(sb, "addr");
	if (v->has_addr)
		sb_json_addr(sb, v->addr);
	else
		PUT_LIT(sb, "null");
	if (v->reg >= 0 && !v->has_addr && dwexpr_reg_name(v->reg))
		put_str_or_null(sb, "reg", dwexpr_reg_name(v->reg));
	PUT_KEY(sb, "size");
	put_u64(sb, v->size);
	put_str_or_null(sb, "value", v->value);
	if (v->points_kind) {
		put_str_or_null(sb, "points_to", v->points_to);
		put_str_or_null(sb, "points_kind", v->points_kind);
	}
	sb_putc(sb, '}');
}

static void json_vars(struct strbuf *sb, const struct var_list *l)
{
	sb_putc(sb, '[');
	for (size_t i = 0; l && i < l->n; i++) {
		if (i)
			sb_putc(sb, ',');
		json_var(sb, &l->v[i]);
	}
	sb_putc(sb, ']');
}

static const char *how_name(enum uw_how h)
{
	switch (h) {
	case UW_REGS:
		return "regs";
	case UW_CFI:
		return "cfi";
	case UW_FP:
		return "fp";
	case UW_ENTRY:
		return "entry";
	}
	return "fp";
}

/* One frame, as DESIGN.md's stack contract. */
static void json_frame(struct strbuf *sb, const struct uw_frame *f, const struct var_list *vars)
{
	PUT_LIT(sb, "{\"fn\":");
	if (f->loc.fn)
		sb_json_str(sb, f->loc.fn);
	else
		PUT_LIT(sb, "null");
	put_str_or_null(sb, "file", f->loc.file);
	PUT_KEY(sb, "line");
	put_i64(sb, f->loc.line);
	put_str_or_null(sb, "object", f->loc.mod ? f->loc.mod->ef->path : NULL);
	PUT_KEY(sb, "pc");
	sb_json_addr(sb, f->pc);
	PUT_KEY(sb, "sp");
	sb_json_addr(sb, f->sp);
	PUT_KEY(sb, "cfa");
	sb_json_addr(sb, f->cfa);
	PUT_KEY(sb, "ret_addr");
	sb_json_addr(sb, f->ret_addr);
	PUT_KEY(sb, "ret_slot");
	sb_json_addr(sb, f->ret_slot);
	PUT_KEY(sb, "how");
	sb_json_str(sb, how_name(f->how));
	if (f->signal_frame)
		PUT_LIT(sb, ",\"signal_frame\":true");
	PUT_LIT(sb, ",\"saved\":[");
	for (size_t i = 0; i < f->nsaved; i++) {
		if (i)
			sb_putc(sb, ',');
		PUT_LIT(sb, "{\"reg\":");
		sb_json_str(sb, dwexpr_reg_name(f->saved[i].reg));
		PUT_KEY(sb, "slot");
		sb_json_addr(sb, f->saved[i].slot);
		sb_putc(sb, '}');
	}
	PUT_LIT(sb, "],\"vars\":");
	json_vars(sb, vars);
	sb_putc(sb, '}');
}

/* "stack":{"threads":[{"tid","pc","sp","end","frames":[...]}],"globals":[...]} */
static void json_stack(struct strbuf *sb, const struct snapshot *s)
{
	PUT_KEY(sb, "stack");
	PUT_LIT(sb, "{\"threads\":[");
	for (size_t i = 0; s->threads && i < s->nthreads; i++) {
		const struct thread_state *t = &s->threads[i];

		if (i)
			sb_putc(sb, ',');
		PUT_LIT(sb, "{\"tid\":");
		put_i64(sb, t->tid);
		PUT_KEY(sb, "pc");
		sb_json_addr(sb, t->pc);
		PUT_KEY(sb, "sp");
		sb_json_addr(sb, t->sp);
		if (t->has_stack)
			put_str_or_null(sb, "end", t->stack.end);
		PUT_LIT(sb, ",\"frames\":[");
		for (size_t k = 0; t->has_stack && k < t->stack.n; k++) {
			if (k)
				sb_putc(sb, ',');
			json_frame(sb, &t->stack.frames[k], &t->vars[k]);
		}
		PUT_LIT(sb, "]}");
	}
	sb_putc(sb, ']');
	if (s->has_globals) {
		PUT_KEY(sb, "globals");
		json_vars(sb, &s->globals);
	}
	sb_putc(sb, '}');
}

/* One chunk: {"addr","size","flags","state","bin","req"} (req when known). */
static void json_chunk(struct strbuf *sb, const struct heap_chunk *c)
{
	PUT_LIT(sb, "{\"addr\":");
	sb_json_addr(sb, c->addr);
	PUT_KEY(sb, "size");
	put_u64(sb, c->size);
	PUT_KEY(sb, "flags");
	sb_putc(sb, '"');
	if (c->flags & CHUNK_P)
		sb_putc(sb, 'P');
	if (c->flags & CHUNK_M)
		sb_putc(sb, 'M');
	if (c->flags & CHUNK_A)
		sb_putc(sb, 'A');
	sb_putc(sb, '"');
	PUT_KEY(sb, "state");
	sb_json_str(sb, chunk_state_name(c->state));
	PUT_KEY(sb, "bin");
	sb_json_str(sb, chunk_bin_name(c->bin));
	if (c->bin_index >= 0) {
		PUT_KEY(sb, "bin_index");
		put_i64(sb, c->bin_index);
	}
	if (c->req) {
		PUT_KEY(sb, "req");
		put_u64(sb, c->req);
	}
	sb_putc(sb, '}');
}

/* A JSON array of chunks. */
static void json_chunks(struct strbuf *sb, const struct heap_chunk *v, size_t n)
{
	sb_putc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(sb, ',');
		json_chunk(sb, &v[i]);
	}
	sb_putc(sb, ']');
}

/* One arena: name, span, top, chunks. */
static void json_arena(struct strbuf *sb, const struct heap_arena *a)
{
	PUT_LIT(sb, "{\"name\":");
	sb_json_str(sb, a->name);
	if (a->state_addr) {
		PUT_KEY(sb, "addr");
		sb_json_addr(sb, a->state_addr);
	}
	PUT_KEY(sb, "start");
	sb_json_addr(sb, a->start);
	PUT_KEY(sb, "end");
	sb_json_addr(sb, a->end);
	if (a->top) {
		PUT_KEY(sb, "top");
		sb_json_addr(sb, a->top);
	}
	if (a->truncated)
		PUT_LIT(sb, ",\"truncated\":true");
	PUT_KEY(sb, "chunks");
	json_chunks(sb, a->chunks, a->n);
	sb_putc(sb, '}');
}

/* The changes since the previous stop. */
static void json_changes(struct strbuf *sb, const struct heap_state *h)
{
	PUT_KEY(sb, "changes");
	sb_putc(sb, '[');
	for (size_t i = 0; i < h->nchanges; i++) {
		const struct heap_change *c = &h->changes[i];
		if (i)
			sb_putc(sb, ',');
		PUT_LIT(sb, "{\"kind\":");
		sb_json_str(sb, heap_change_name(c->kind));
		if (c->detail) {
			PUT_KEY(sb, "detail");
			sb_json_str(sb, c->detail);
		}
		PUT_KEY(sb, "chunks");
		sb_putc(sb, '[');
		for (size_t k = 0; k < c->nchunks; k++) {
			if (k)
				sb_putc(sb, ',');
			sb_json_addr(sb, c->chunks[k]);
		}
		PUT_LIT(sb, "]}");
	}
	sb_putc(sb, ']');
}

/* "problems":[{"kind","addr","message"}]: what the walk found wrong at
 * this stop (header_overwrite, bad_bin_link), if anything.  The new ones
 * are also diagnostics. */
static void json_heap_problems(struct strbuf *sb, const struct heap_state *h)
{
	if (!h->ndiags)
		return;
	PUT_KEY(sb, "problems");
	sb_putc(sb, '[');
	for (size_t i = 0; i < h->ndiags; i++) {
		const struct heap_diag *d = &h->diags[i];
		if (i)
			sb_putc(sb, ',');
		PUT_LIT(sb, "{\"kind\":");
		sb_json_str(sb, heap_diag_name(d->kind));
		PUT_KEY(sb, "addr");
		sb_json_addr(sb, d->addr);
		PUT_KEY(sb, "message");
		sb_json_str(sb, d->message);
		sb_putc(sb, '}');
	}
	sb_putc(sb, ']');
}

/* "heap":{"model","bins_known","degraded","arenas","mmapped","changes"[,"problems"]} */
static void json_heap(struct strbuf *sb, const struct heap_state *h)
{
	PUT_KEY(sb, "heap");
	if (!h) {
		PUT_LIT(sb, "{\"model\":\"none\",\"arenas\":[],\"changes\":[]}");
		return;
	}
	PUT_LIT(sb, "{\"model\":");
	sb_json_str(sb, h->model);
	PUT_KEY(sb, "bins_known");
	sb_puts(sb, h->bins_known ? "true" : "false");
	if (h->degraded[0]) {
		PUT_KEY(sb, "degraded");
		sb_json_str(sb, h->degraded);
	}
	PUT_KEY(sb, "arenas");
	sb_putc(sb, '[');
	for (size_t i = 0; i < h->n; i++) {
		if (i)
			sb_putc(sb, ',');
		json_arena(sb, &h->arenas[i]);
	}
	sb_putc(sb, ']');
	PUT_KEY(sb, "mmapped");
	json_chunks(sb, h->mmapped, h->nmmapped);
	json_changes(sb, h);
	json_heap_problems(sb, h);
	sb_putc(sb, '}');
}

/* "diagnostics":[{"kind","addr","message","at"[,"size"][,"tid"]}]: what
 * the bug detectors found at this stop (diagnose.h). */
static void json_diagnostics(struct strbuf *sb, const struct snapshot *s)
{
	PUT_KEY(sb, "diagnostics");
	sb_putc(sb, '[');
	for (size_t i = 0; s->diags && i < s->ndiags; i++) {
		const struct diag *d = &s->diags[i];
		if (i)
			sb_putc(sb, ',');
		PUT_LIT(sb, "{\"kind\":");
		sb_json_str(sb, diag_kind_name(d->kind));
		PUT_KEY(sb, "addr");
		sb_json_addr(sb, d->addr);
		PUT_KEY(sb, "message");
		sb_json_str(sb, d->message);
		json_at(sb, &d->at);
		if (d->kind == DG_LEAK) {
			PUT_KEY(sb, "size");
			put_u64(sb, d->size);
		}
		if (d->tid) {
			PUT_KEY(sb, "tid");
			put_i64(sb, d->tid);
		}
		sb_putc(sb, '}');
	}
	sb_putc(sb, ']');
}

/* One record, one line (see out.h and DESIGN.md "JSON record"). */
int out_json_write(FILE *f, const struct snapshot *s, struct strbuf *sb)
{
	sb_reset(sb);
	PUT_LIT(sb, "{\"seq\":");
	put_u64(sb, s->seq);
	PUT_KEY(sb, "pid");
	put_i64(sb, s->pid);
	PUT_KEY(sb, "tid");
	put_i64(sb, s->ev.tid ? s->ev.tid : s->pid);
	if (s->fields & FIELD_EVENT)
		json_event(sb, s);
	if ((s->fields & FIELD_SPACE) && s->space)
		json_space(sb, s->space);
	if (s->fields & FIELD_STACK)
		json_stack(sb, s);
	if (s->fields & FIELD_HEAP)
		json_heap(sb, s->heap);
	if (s->fields & FIELD_DIAG)
		json_diagnostics(sb, s);
	PUT_LIT(sb, "}\n");
	return out_write(f, sb);
}
