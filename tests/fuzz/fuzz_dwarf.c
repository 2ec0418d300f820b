/* fuzz_dwarf.c - libFuzzer harness: dwarfinfo_open_memory on any bytes
 * (libdwarf reads them through a memfd), then every query: the functions
 * and their scopes, inlined functions and call sites; the line table at
 * each function's pcs and at pcs taken from the input; globals; every
 * type's name; a FILE:LINE lookup.  Nothing may crash, hang or leak, and
 * what comes back must be consistent (a function found at its own entry,
 * its body_pc inside it, scopes nested). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dwarfinfo.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FUNCS 64

static void check(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static void names_of(const struct dw_scope *s, struct strbuf *sb, int depth)
{
	for (size_t i = 0; i < s->nvars; i++) {
		sb_reset(sb);
		dwarfinfo_type_name(s->vars[i].type, sb);
		dwarfinfo_type_strip(s->vars[i].type);
		for (size_t j = 0; j < s->vars[i].nloc; j++)
			check(s->vars[i].loc[j].nops == 0 || s->vars[i].loc[j].ops != NULL);
	}
	for (size_t i = 0; depth < 64 && i < s->nblocks; i++)
		names_of(&s->blocks[i], sb, depth + 1);
}

static void one_func(struct dwarfinfo *di, const struct dw_func *f, struct strbuf *sb)
{
	const struct dw_scope *sc[16];
	const struct dw_func *g;
	bool exact;
	uint64_t a[8];
	int found;

	check(f->name != NULL);
	g = dwarfinfo_func_at(di, f->lo);
	check(g != NULL && f->lo >= g->ranges[0].lo);
	size_t n = dwarfinfo_scopes_at(f, f->lo, sc, 16);
	check(n >= 1 && sc[0] == &f->scope);
	dwarfinfo_scopes_at(f, f->body_pc, sc, 16);
	dwarfinfo_inline_at(f, f->lo);
	for (size_t i = 0; i < f->ncalls; i++)
		check(dwarfinfo_call_site(f, f->calls[i].ret_pc) != NULL);
	const struct dw_line *l = dwarfinfo_line_at(di, f->lo, &exact);
	dwarfinfo_line_at(di, f->hi - 1, NULL);
	dwarfinfo_is_stmt(di, f->body_pc);
	if (l && l->file)
		dwarfinfo_line_addrs(di, l->file, l->line, a, 8, &found);
	sb_reset(sb);
	dwarfinfo_type_name(f->ret_type, sb);
	names_of(&f->scope, sb, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dwarfinfo *di = dwarfinfo_open_memory(data, size, NULL);
	const struct dw_func *const *fs;
	const struct dw_var *const *gs;
	struct strbuf sb = {0};
	size_t n;

	if (di == NULL)
		return 0;
	/* lazy lookups first, at pcs the input names, before anything loads all */
	for (size_t i = 0; i + 8 <= size && i < 64; i += 8) {
		uint64_t pc;
		memcpy(&pc, data + i, 8);
		dwarfinfo_func_at(di, pc);
		dwarfinfo_line_at(di, pc, NULL);
	}
	n = dwarfinfo_funcs(di, &fs);
	for (size_t i = 0; i < n && i < MAX_FUNCS; i++)
		one_func(di, fs[i], &sb);
	n = dwarfinfo_globals(di, &gs);
	for (size_t i = 0; i < n; i++) {
		check(gs[i]->name != NULL);
		sb_reset(&sb);
		dwarfinfo_type_name(gs[i]->type, &sb);
	}
	dwarfinfo_line_addrs(di, "seed1.c", 10, NULL, 0, NULL);
	sb_free(&sb);
	dwarfinfo_free(di);
	return 0;
}
