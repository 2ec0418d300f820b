/*
 * snapshot.c - the parts of a snapshot that are plain lookups: where an
 * address is (function, offset, ELF object), and the --fields list.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "snapshot.h"
#include "util.h"

struct field_name {
	const char *name;
	unsigned bit;
};

static const struct field_name field_names[] = {
	{ "event", FIELD_EVENT }, { "space", FIELD_SPACE }, { "stack", FIELD_STACK },
	{ "heap", FIELD_HEAP }, { "diagnostics", FIELD_DIAG }, { "all", FIELD_ALL },
};

/* The bit of the field word s[0..n), or 0 if it is not one. */
static unsigned field_bit(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(field_names); i++)
		if (strlen(field_names[i].name) == n && memcmp(field_names[i].name, s, n) == 0)
			return field_names[i].bit;
	return 0;
}

/* Parse a --fields list ("event,space"); -1 with *bad = the bad word. */
int snapshot_parse_fields(const char *list, unsigned *mask, char **bad)
{
	const char *p = list ? list : "";
	unsigned m = 0;

	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned bit = field_bit(p, n);
		if (bit == 0) {
			if (bad) {
				*bad = xmalloc(n + 1);
				memcpy(*bad, p, n);
				(*bad)[n] = '\0';
			}
			return -1;
		}
		m |= bit;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	*mask = m;
	return 0;
}

/* Resolve an address to a code_loc: DWARF first, the symbol table else. */
void snapshot_locate(const struct space *sp, struct debuginfo *dbg, uint64_t addr,
		     bool call_ret, struct code_loc *out)
{
	const struct elf_module *mod = NULL;
	const char *name = NULL;
	uint64_t off = 0;

	memset(out, 0, sizeof(*out));
	if (sp == NULL)
		return;
	if (dbg) {
		struct debuginfo_loc l;
		if (debuginfo_locate(dbg, &sp->elf, addr, call_ret, &l)) {
			out->fn = l.fn;
			out->off = l.fn_off;
			out->file = l.file;
			out->line = l.line;
			out->object = l.mod->ef->path;
		}
		return;
	}
	if (elfinfo_symbolize(&sp->elf, addr, &name, &off, &mod) == 0) {
		out->fn = name;
		out->off = off;
		out->object = mod->ef->path;
		return;
	}
	mod = elfinfo_module_at(&sp->elf, addr);
	if (mod != NULL)
		out->object = mod->ef->path;
}

/* ---- stacks ---------------------------------------------------------- */

void snapshot_threads(struct snapshot *snap, size_t n)
{
	size_t old = snap->thread_cap;

	util_grow((void **)&snap->threads, &snap->thread_cap, n, sizeof(*snap->threads));
	if (snap->thread_cap > old)
		memset(snap->threads + old, 0, (snap->thread_cap - old) * sizeof(*snap->threads));
	for (size_t i = 0; i < n; i++) {
		struct thread_state *ts = &snap->threads[i];
		ts->tid = 0;
		ts->pc = ts->sp = 0;
		ts->has_stack = false;
		ts->stack.n = 0;
	}
	snap->nthreads = n;
	snap->has_globals = false;
}

void snapshot_read_stack(struct thread_state *ts, const struct uw_input *in,
			 const struct user_regs_struct *regs, const struct vars_opts *vo)
{
	size_t n = unwind_thread(in, regs, &ts->stack);
	size_t old = ts->vars_cap;

	util_grow((void **)&ts->vars, &ts->vars_cap, n, sizeof(*ts->vars));
	if (ts->vars_cap > old)
		memset(ts->vars + old, 0, (ts->vars_cap - old) * sizeof(*ts->vars));
	for (size_t i = 0; i < n; i++) {
		var_list_clear(&ts->vars[i]);
		vars_frame(in, &ts->stack, i, vo, &ts->vars[i]);
	}
	ts->has_stack = true;
}

void snapshot_read_globals(struct snapshot *snap, struct debuginfo *dbg,
			   const struct vars_opts *vo)
{
	const struct elf_module *exe = snap->space ? elfinfo_exe(&snap->space->elf) : NULL;
	struct dwarfinfo *di = exe ? debuginfo_dwarf(dbg, exe) : NULL;

	var_list_clear(&snap->globals);
	if (di)
		vars_globals(di, exe, vo, &snap->globals);
	snap->has_globals = true;
}

/* ---- where pointers point -------------------------------------------- */

/* The frame of any thread whose extent [sp, cfa) holds addr. */
static bool in_frame(const struct snapshot *snap, uint64_t addr, const struct thread_state **tso,
		     size_t *fi)
{
	for (size_t t = 0; t < snap->nthreads; t++) {
		const struct uw_stack *st = &snap->threads[t].stack;
		if (!snap->threads[t].has_stack)
			continue;
		for (size_t i = 0; i < st->n; i++) {
			if (addr >= st->frames[i].sp && addr < st->frames[i].cfa) {
				*tso = &snap->threads[t];
				*fi = i;
				return true;
			}
		}
	}
	return false;
}

/* Is addr in a thread's stack mapping below its stack pointer: memory of
 * frames that have returned? */
static bool in_popped(const struct snapshot *snap, const struct region *rg, uint64_t addr)
{
	for (size_t t = 0; t < snap->nthreads; t++) {
		uint64_t sp = snap->threads[t].sp;
		if (sp >= rg->start && sp < rg->end && addr < sp)
			return true;
	}
	return false;
}

/* The ELF section of a module holding addr, or NULL. */
static const char *section_at(const struct region *rg, uint64_t addr)
{
	for (size_t i = 0; i < rg->nsections; i++)
		if (addr >= rg->sections[i].start && addr < rg->sections[i].end)
			return rg->sections[i].name;
	return NULL;
}

/* The symbol whose extent holds addr (not merely the nearest below). */
static const char *symbol_holding(const struct region *rg, uint64_t addr, uint64_t *off)
{
	const struct elf_symbol *s = elf_file_symbol_at(rg->mod->ef, addr - rg->mod->bias);
	uint64_t a = addr - rg->mod->bias;

	if (!s || a < s->value || (a - s->value >= s->size && a != s->value))
		return NULL;
	*off = a - s->value;
	return s->name;
}

/* The text and kind for a pointer value. */
static const char *classify(const struct snapshot *snap, uint64_t p, struct strbuf *sb)
{
	const struct heap_chunk *c;
	const struct thread_state *ts;
	const struct region *rg;
	const char *name, *sec;
	uint64_t off;
	size_t fi;

	if (p == 0) {
		sb_puts(sb, "null");
		return "null";
	}
	if (snap->heap && (c = heap_find_chunk(snap->heap, p)) != NULL) {
		bool live = c->state == CH_INUSE || c->state == CH_MMAPPED;
		sb_printf(sb, "heap chunk 0x%" PRIx64 " (%s)", c->addr,
			  live ? "in use" : c->state == CH_TOP ? "top, never allocated: dangling"
			  : c->state == CH_CORRUPT ? "corrupt" : "freed: dangling");
		return live ? "heap" : "heap_freed";
	}
	if (in_frame(snap, p, &ts, &fi)) {
		const struct uw_frame *f = &ts->stack.frames[fi];
		sb_printf(sb, "stack frame #%zu %s of thread %d (live)", fi,
			  f->loc.fn ? f->loc.fn : "??", ts->tid);
		return "stack";
	}
	rg = snap->space ? space_find(snap->space, p) : NULL;
	if (!rg) {
		sb_puts(sb, "nothing mapped (wild)");
		return "wild";
	}
	if (in_popped(snap, rg, p)) {
		sb_puts(sb, "stack below the innermost frame (popped frame: dangling)");
		return "stack_popped";
	}
	sec = section_at(rg, p);
	if (rg->mod && (name = symbol_holding(rg, p, &off)) != NULL) {
		bool code = rg->kind == RK_TEXT || (sec && strcmp(sec, ".text") == 0);
		if (off)
			sb_printf(sb, "%s %s+%" PRIu64 " (%s)", code ? "function" : "global",
				  name, off, sec ? sec : region_kind_name(rg->kind));
		else
			sb_printf(sb, "%s %s (%s)", code ? "function" : "global", name,
				  sec ? sec : region_kind_name(rg->kind));
		return code ? "function" : "global";
	}
	if (sec) {
		sb_printf(sb, "%s of %s", sec, rg->path && *rg->path ? rg->path : "?");
		return rg->kind == RK_TEXT ? "function" : "global";
	}
	sb_printf(sb, "%s region", region_kind_name(rg->kind));
	if (rg->path && *rg->path)
		sb_printf(sb, " %s", rg->path);
	return "other";
}

static void classify_list(const struct snapshot *snap, struct var_list *l, struct strbuf *sb)
{
	for (size_t i = 0; i < l->n; i++) {
		struct var_info *v = &l->v[i];
		free(v->points_to);
		v->points_to = NULL;
		v->points_kind = NULL;
		if (!v->is_ptr)
			continue;
		sb_reset(sb);
		v->points_kind = classify(snap, v->ptr, sb);
		v->points_to = xstrdup(sb->buf ? sb->buf : "");
	}
}

void snapshot_classify(struct snapshot *snap)
{
	struct strbuf sb = { 0 };

	for (size_t t = 0; t < snap->nthreads; t++) {
		struct thread_state *ts = &snap->threads[t];
		for (size_t i = 0; ts->has_stack && i < ts->stack.n; i++)
			classify_list(snap, &ts->vars[i], &sb);
	}
	if (snap->has_globals)
		classify_list(snap, &snap->globals, &sb);
	sb_free(&sb);
}

/* The program's function called name, or NULL. */
static const struct dw_func *func_named(struct dwarfinfo *di, const char *name)
{
	const struct dw_func *const *f;
	size_t n = dwarfinfo_funcs(di, &f);

	for (size_t i = 0; name && i < n; i++)
		if (f[i]->name && strcmp(f[i]->name, name) == 0)
			return f[i];
	return NULL;
}

void snapshot_return_value(struct snapshot *snap, struct debuginfo *dbg,
			   const struct vars_opts *vo)
{
	const struct elf_module *exe = snap->space ? elfinfo_exe(&snap->space->elf) : NULL;
	struct dwarfinfo *di = exe ? debuginfo_dwarf(dbg, exe) : NULL;
	const struct dw_func *f = di ? func_named(di, snap->ev.fn) : NULL;
	const struct dw_type *t = f ? dwarfinfo_type_strip(f->ret_type) : NULL;
	struct strbuf sb = { 0 };
	uint8_t bytes[8];

	free(snap->ret_value);
	snap->ret_value = NULL;
	if (!t || t->size == 0 || t->size > 8 || t->kind == DWT_STRUCT || t->kind == DWT_UNION ||
	    t->kind == DWT_ARRAY || (t->kind == DWT_BASE && t->encoding == DW_ATE_float))
		return;
	memcpy(bytes, &snap->ev.ret, sizeof bytes);   /* little-endian: low bytes first */
	vars_format(f->ret_type, bytes, t->size, vo, &sb);
	snap->ret_value = sb.buf;
}

void snapshot_free(struct snapshot *snap)
{
	free(snap->ret_value);
	snap->ret_value = NULL;
	for (size_t t = 0; t < snap->thread_cap; t++) {
		struct thread_state *ts = &snap->threads[t];
		uw_stack_free(&ts->stack);
		for (size_t i = 0; i < ts->vars_cap; i++)
			var_list_free(&ts->vars[i]);
		free(ts->vars);
	}
	free(snap->threads);
	snap->threads = NULL;
	snap->thread_cap = snap->nthreads = 0;
	var_list_free(&snap->globals);
}
