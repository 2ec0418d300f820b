/*
 * probes.c - the tracer's source-level questions answered from the
 * executable's DWARF.  Only the executable counts as "the program's code":
 * line steps stay out of libc even when libc6-dbg gives it lines, as a
 * lecture wants, and `call`/`return` are the program's own functions.
 */
#include <stdlib.h>
#include <string.h>

#include "probes.h"
#include "util.h"

struct probes {
	struct debuginfo *dbg;
	struct tracer_src src;
	/* the function list of the executable at the bias it was built for */
	const struct elf_file *fns_ef;
	uint64_t fns_bias;
	struct src_fn *fns;
	size_t nfns, capfns;
};

/* The executable and its DWARF, or NULL. */
static struct dwarfinfo *exe_dwarf(struct probes *p, const struct space *sp,
				   const struct elf_module **mod)
{
	*mod = elfinfo_exe(&sp->elf);
	return *mod ? debuginfo_dwarf(p->dbg, *mod) : NULL;
}

static size_t functions(void *ctx, const struct space *sp, const struct src_fn **out)
{
	struct probes *p = ctx;
	const struct elf_module *m;
	struct dwarfinfo *di = exe_dwarf(p, sp, &m);
	const struct dw_func *const *f;

	*out = NULL;
	if (!di)
		return 0;
	if (p->fns_ef == m->ef && p->fns_bias == m->bias) {
		*out = p->fns;
		return p->nfns;
	}
	size_t n = dwarfinfo_funcs(di, &f);
	util_grow((void **)&p->fns, &p->capfns, n, sizeof(*p->fns));
	p->nfns = 0;
	for (size_t i = 0; i < n; i++) {
		if (!f[i]->name || f[i]->lo == 0)
			continue;
		p->fns[p->nfns++] = (struct src_fn){
			.name = f[i]->name,
			.entry = f[i]->lo + m->bias,
			.body = f[i]->body_pc != f[i]->lo ? f[i]->body_pc + m->bias : 0,
		};
	}
	p->fns_ef = m->ef;
	p->fns_bias = m->bias;
	*out = p->fns;
	return p->nfns;
}

static size_t line_addrs(void *ctx, const struct space *sp, const char *file, int line,
			 uint64_t *out, size_t max, int *found_line)
{
	struct probes *p = ctx;
	const struct elf_module *m;
	struct dwarfinfo *di = exe_dwarf(p, sp, &m);

	if (!di)
		return 0;
	size_t n = dwarfinfo_line_addrs(di, file, line, out, max, found_line);
	for (size_t i = 0; i < n; i++)
		out[i] += m->bias;
	return n;
}

/* A line step stops at the start of a statement (an is_stmt row) of the
 * executable's code, past the function's prologue (as gdb's `step` does
 * when it enters a function). */
static int stmt(void *ctx, const struct space *sp, uint64_t pc, uint64_t *fn_entry)
{
	struct probes *p = ctx;
	const struct elf_module *m;
	struct dwarfinfo *di = exe_dwarf(p, sp, &m);

	if (!di || pc < m->lo || pc >= m->hi)
		return -1;
	uint64_t lpc = pc - m->bias;
	const struct dw_func *f = dwarfinfo_func_at(di, lpc);
	if (!f)
		return -1;         /* _start, the PLT, crt code: not the program's */
	*fn_entry = f->lo + m->bias;
	if (lpc < f->body_pc || !dwarfinfo_is_stmt(di, lpc))
		return 0;
	const struct dw_line *l = dwarfinfo_line_at(di, lpc, NULL);
	return l && l->line > 0 ? l->line : 0;
}

struct probes *probes_new(struct debuginfo *dbg)
{
	struct probes *p = xcalloc(1, sizeof(*p));

	p->dbg = dbg;
	p->src = (struct tracer_src){ p, functions, line_addrs, stmt };
	return p;
}

void probes_free(struct probes *p)
{
	if (!p)
		return;
	free(p->fns);
	free(p);
}

const struct tracer_src *probes_src(struct probes *p)
{
	return &p->src;
}
