/*
 * debuginfo.c - the session's cache of DWARF and CFI, one entry per ELF
 * object (path + build-id), each opened at most once: an object without
 * debug info is remembered as such, so it is not looked for at every stop.
 */
#include <stdlib.h>
#include <string.h>

#include "debuginfo.h"
#include "util.h"

struct dbg_entry {
	char *path;
	char *build_id;           /* NULL if the object has none */
	struct dwarfinfo *dw;
	struct cfi *cfi;
	bool dw_tried, cfi_tried;
};

struct debuginfo {
	struct dbg_entry *e;
	size_t n, cap;
};

struct debuginfo *debuginfo_new(void)
{
	return xcalloc(1, sizeof(struct debuginfo));
}

void debuginfo_free(struct debuginfo *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		dwarfinfo_free(d->e[i].dw);
		cfi_free(d->e[i].cfi);
		free(d->e[i].path);
		free(d->e[i].build_id);
	}
	free(d->e);
	free(d);
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The entry of a module's file, created on first use.  Few objects are
 * mapped (tens), so a linear search is the simple right thing. */
static struct dbg_entry *entry_for(struct debuginfo *d, const struct elf_file *ef)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->e[i].path, ef->path) == 0 && same_str(d->e[i].build_id, ef->build_id))
			return &d->e[i];
	util_grow((void **)&d->e, &d->cap, d->n + 1, sizeof(*d->e));
	struct dbg_entry *e = &d->e[d->n++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(ef->path);
	e->build_id = ef->build_id ? xstrdup(ef->build_id) : NULL;
	return e;
}

struct dwarfinfo *debuginfo_dwarf(struct debuginfo *d, const struct elf_module *m)
{
	if (!m || !m->ef || !m->ef->has_debug_info)
		return NULL;
	struct dbg_entry *e = entry_for(d, m->ef);
	if (!e->dw_tried) {
		char *cause = NULL;
		e->dw_tried = true;
		e->dw = dwarfinfo_open(m->ef, &cause);
		free(cause);
	}
	return e->dw;
}

struct cfi *debuginfo_cfi(struct debuginfo *d, const struct elf_module *m)
{
	if (!m || !m->ef)
		return NULL;
	struct dbg_entry *e = entry_for(d, m->ef);
	if (!e->cfi_tried) {
		char *cause = NULL;
		e->cfi_tried = true;
		e->cfi = cfi_open(m->ef, &cause);
		free(cause);
	}
	return e->cfi;
}

bool debuginfo_locate(struct debuginfo *d, const struct elfinfo *ei, uint64_t pc,
		      bool call_ret, struct debuginfo_loc *out)
{
	const struct elf_module *m = elfinfo_module_at(ei, pc);
	uint64_t look = call_ret && pc ? pc - 1 : pc;

	memset(out, 0, sizeof(*out));
	if (!m)
		return false;
	out->mod = m;
	out->di = debuginfo_dwarf(d, m);
	if (out->di) {
		uint64_t lpc = look - m->bias;
		const struct dw_func *f = dwarfinfo_func_at(out->di, lpc);
		const struct dw_line *l = dwarfinfo_line_at(out->di, lpc, NULL);
		if (f) {
			out->func = f;
			out->fn = f->name;
			out->fn_off = pc - (f->lo + m->bias);
		}
		if (l) {
			out->file = l->file;
			out->line = l->line;
		}
	}
	if (!out->fn) {
		const char *name;
		uint64_t off;
		const struct elf_module *sm;
		/* symbolize the looked-up address, so a call at a function's
		 * very end is not given to the next function */
		if (elfinfo_symbolize(ei, look, &name, &off, &sm) == 0) {
			out->fn = name;
			out->fn_off = off + (pc - look);
		}
	}
	return true;
}
