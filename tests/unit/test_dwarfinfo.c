/* test_dwarfinfo.c - the DWARF reader against gdb 13, which reads the same
 * files: `break FUNC` (body_pc, file, line) for every function of four
 * demos; `info line *ADDR` (line_at) for every byte of their code;
 * `break FILE:LINE` (line_addrs) for every line of stack_frames.c;
 * `info scope` (variables, location lists, operations) for every
 * function and block; `whatis` (type names) and `info address` (global
 * addresses) and `ptype /o` (bit fields) on a program compiled here with
 * DWARF 5 and DWARF 4; call sites against readelf; libc through libc6-dbg
 * (malloc, and how long it takes); dwarfinfo_open_memory; errors.
 * The gdb parts skip with a message when gdb is missing; the whole test
 * skips (77) without demos or gdb or cc. */
#include <dwarf.h>
#include <libdwarf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfi.h"
#include "check.h"
#include "dwarfinfo.h"
#include "elfinfo.h"
#include "util.h"

int main(void);

static char tmpdir[64];

/* ---- running tools ---- */

/* All of a command's output (stdout and stderr), or NULL. */
static char *run(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	struct strbuf sb = {0};
	char buf[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_putn(&sb, buf, n);
	pclose(f);
	if (sb.buf == NULL)
		sb_puts(&sb, "");
	return sb.buf;
}

static bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/* gdb -batch on prog with one -ex per command (an error in one does not
 * stop the others, as it would in a script). */
static char *gdb_run(const char *prog, char **cmds, size_t n)
{
	struct strbuf sb = {0};
	char *out;

	sb_puts(&sb, "gdb -batch -nx -ex 'set width 0' -ex 'set confirm off'");
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, " -ex '%s'", cmds[i]);
	sb_printf(&sb, " '%s' 2>&1", prog);
	out = run(sb.buf);
	sb_free(&sb);
	return out;
}

static void free_cmds(char **cmds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cmds[i]);
	free(cmds);
}

/* The next line of *p (NUL-terminated in place), or NULL at the end. */
static char *next_line(char **p)
{
	char *s = *p, *nl;

	if (s == NULL || *s == '\0')
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static struct dwarfinfo *open_dwarf(const char *path, struct elf_file **efp)
{
	char *cause = NULL;
	struct elf_file *ef = elf_file_open(path, &cause);
	struct dwarfinfo *di;

	if (ef == NULL) {
		fprintf(stderr, "%s: %s\n", path, cause);
		free(cause);
		return NULL;
	}
	di = dwarfinfo_open(ef, &cause);
	if (di == NULL) {
		fprintf(stderr, "%s: %s\n", path, cause);
		free(cause);
		elf_file_free(ef);
		return NULL;
	}
	*efp = ef;
	return di;
}

/* ---- break FUNC ---- */

/* Is f's name shared with another function (gdb would set several
 * locations)? */
static bool name_unique(const struct dw_func *const *fs, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++)
		if (j != i && strcmp(fs[j]->name, fs[i]->name) == 0)
			return false;
	return true;
}

/* body_pc, and the line at it, = "Breakpoint N at 0xADDR: file F, line L." */
static void check_break_funcs(const char *prog)
{
	struct elf_file *ef;
	struct dwarfinfo *di = open_dwarf(prog, &ef);
	const struct dw_func *const *fs;
	const struct dw_func **asked;
	char **cmds, *out, *p, *ln;
	size_t n, k = 0, seen = 0;

	CHECK(di != NULL);
	if (di == NULL)
		return;
	n = dwarfinfo_funcs(di, &fs);
	CHECK(n > 0);
	cmds = xcalloc(n + 1, sizeof(*cmds));
	asked = xcalloc(n + 1, sizeof(*asked));
	for (size_t i = 0; i < n; i++) {
		if (!name_unique(fs, n, i))
			continue;
		asked[k] = fs[i];
		cmds[k++] = xasprintf("break %s", fs[i]->name);
	}
	p = out = gdb_run(prog, cmds, k);
	while ((ln = next_line(&p)) != NULL) {
		unsigned num;
		unsigned long long addr;
		char file[512];
		int line;
		if (sscanf(ln, "Breakpoint %u at 0x%llx: file %511[^,], line %d.", &num, &addr,
			   file, &line) != 4 || num == 0 || num > k)
			continue;
		const struct dw_func *f = asked[num - 1];
		const struct dw_line *l = dwarfinfo_line_at(di, f->body_pc, NULL);
		seen++;
		if (f->body_pc != addr || !l || strcmp(l->file, file) != 0 || l->line != line)
			fprintf(stderr, "%s: break %s: gdb 0x%llx %s:%d, we 0x%llx %s:%d\n", prog,
				f->name, addr, file, line, (unsigned long long)f->body_pc,
				l ? l->file : "-", l ? l->line : 0);
		CHECK_EQ_U(f->body_pc, addr);
		CHECK(l != NULL && strcmp(l->file, file) == 0 && l->line == line);
	}
	printf("%s: break FUNC matches gdb for %zu of %zu functions\n", prog, seen, k);
	CHECK_EQ_U(seen, k);
	free(out);
	free_cmds(cmds, k);
	free(asked);
	dwarfinfo_free(di);
	elf_file_free(ef);
}

/* ---- info line *ADDR ---- */

/* line_at for every byte of every function = gdb's "Line L of "F" starts
 * at address 0xS". */
static void check_line_at(const char *prog)
{
	struct elf_file *ef;
	struct dwarfinfo *di = open_dwarf(prog, &ef);
	const struct dw_func *const *fs;
	uint64_t *pcs = NULL;
	size_t n, np = 0, cap = 0, bad = 0;
	char **cmds, *out, *p, *ln;

	if (di == NULL) {
		CHECK(di != NULL);
		return;
	}
	n = dwarfinfo_funcs(di, &fs);
	for (size_t i = 0; i < n; i++)
		for (size_t r = 0; r < fs[i]->nranges; r++)
			for (uint64_t pc = fs[i]->ranges[r].lo; pc < fs[i]->ranges[r].hi; pc++) {
				util_grow((void **)&pcs, &cap, np + 1, sizeof(*pcs));
				pcs[np++] = pc;
			}
	cmds = xcalloc(np + 1, sizeof(*cmds));
	for (size_t i = 0; i < np; i++)
		cmds[i] = xasprintf("info line *0x%llx", (unsigned long long)pcs[i]);
	p = out = gdb_run(prog, cmds, np);
	size_t i = 0;
	while ((ln = next_line(&p)) != NULL && i < np) {
		int line;
		char file[512];
		unsigned long long start;
		const struct dw_line *l = dwarfinfo_line_at(di, pcs[i], NULL);

		if (strncmp(ln, "No line number information", 27) == 0) {
			if (l != NULL)
				bad++;
			i++;
			continue;
		}
		if (sscanf(ln, "Line %d of \"%511[^\"]\" starts at address 0x%llx", &line, file,
			   &start) != 3 && sscanf(ln, "Line %d of \"%511[^\"]\" is at address 0x%llx",
			   &line, file, &start) != 3)
			continue;
		if (l == NULL || l->line != line || strcmp(l->file, file) != 0 || l->addr != start) {
			if (bad++ < 10)
				fprintf(stderr, "%s: info line *0x%llx: gdb %s:%d at 0x%llx, we %s:%d at 0x%llx\n",
					prog, (unsigned long long)pcs[i], file, line, start,
					l ? l->file : "-", l ? l->line : 0,
					l ? (unsigned long long)l->addr : 0ULL);
		}
		i++;
	}
	printf("%s: line_at matches gdb's info line at %zu of %zu pcs\n", prog, i - bad, np);
	CHECK_EQ_U(i, np);
	CHECK_EQ_U(bad, 0);
	free(out);
	free_cmds(cmds, np);
	free(pcs);
	dwarfinfo_free(di);
	elf_file_free(ef);
}

/* ---- break FILE:LINE ---- */

struct bp {
	int line;                 /* gdb's line; 0: no breakpoint */
	uint64_t addrs[16];
	size_t n;
};

/* Breakpoint numbers of a gdb run, from its "Breakpoint N at" lines and
 * `info breakpoints` (for the multi-location ones). */
static void parse_breaks(char *out, struct bp *bps, size_t nbps, const char *file)
{
	char *p = out, *ln;
	char pat[600];

	snprintf(pat, sizeof(pat), "%s:%%d", file);
	while ((ln = next_line(&p)) != NULL) {
		unsigned num, sub;
		unsigned long long addr;
		int line;
		char *at;

		if (sscanf(ln, "%u.%u %*s 0x%llx", &num, &sub, &addr) == 3 ||
		    (sscanf(ln, "%u breakpoint %*s %*s 0x%llx", &num, &addr) == 2)) {
			if (num == 0 || num > nbps || (at = strstr(ln, " at ")) == NULL)
				continue;
			at = strrchr(at, ':');
			if (at == NULL || sscanf(at + 1, "%d", &line) != 1)
				continue;
			struct bp *b = &bps[num - 1];
			if (b->n < 16)
				b->addrs[b->n++] = addr;
			b->line = line;
		}
	}
}

/* line_addrs for every line of a source file = the locations of gdb's
 * `break FILE:LINE` (gdb numbers only the breakpoints it could set: its
 * "No line" messages tell which lines made none). */
static void check_line_addrs(const char *prog, const char *file, int maxline)
{
	struct elf_file *ef;
	struct dwarfinfo *di = open_dwarf(prog, &ef);
	char **cmds = xcalloc((size_t)maxline + 2, sizeof(*cmds));
	struct bp *bps = xcalloc((size_t)maxline + 2, sizeof(*bps));
	int *bpline = xcalloc((size_t)maxline + 2, sizeof(*bpline));
	char *out, *copy, *p, *ln;
	size_t nb = 0, bad = 0, checked = 0;
	int asked = 0;

	if (di == NULL) {
		CHECK(di != NULL);
		goto done;
	}
	for (int l = 1; l <= maxline; l++)
		cmds[l - 1] = xasprintf("break %s:%d", file, l);
	cmds[maxline] = xstrdup("info breakpoints");
	out = gdb_run(prog, cmds, (size_t)maxline + 1);
	copy = xstrdup(out);
	for (p = out; (ln = next_line(&p)) != NULL;) {
		unsigned num;
		if (strncmp(ln, "No line ", 8) == 0)
			asked++;
		else if (sscanf(ln, "Breakpoint %u at ", &num) == 1 && num == nb + 1)
			bpline[nb++] = ++asked;
	}
	parse_breaks(copy, bps, nb, file);
	free(out);
	free(copy);
	for (int l = 1; l <= maxline; l++) {
		uint64_t a[16];
		int found = 0;
		size_t n = dwarfinfo_line_addrs(di, file, l, a, 16, &found);
		struct bp *b = NULL;
		for (size_t k = 0; k < nb; k++)
			if (bpline[k] == l)
				b = &bps[k];
		bool same = b ? n == b->n && found == b->line : n == 0;
		for (size_t k = 0; same && b && k < n; k++) {
			bool in = false;
			for (size_t m = 0; m < b->n; m++)
				in |= b->addrs[m] == a[k];
			same = in;
		}
		checked++;
		if (!same) {
			bad++;
			fprintf(stderr, "%s: break %s:%d: gdb %zu location(s) line %d (0x%llx), we %zu line %d (0x%llx)\n",
				prog, file, l, b ? b->n : 0, b ? b->line : 0,
				b && b->n ? (unsigned long long)b->addrs[0] : 0ULL, n, found,
				n ? (unsigned long long)a[0] : 0ULL);
		}
	}
	printf("%s: line_addrs matches gdb's break %s:LINE on %zu of %zu lines\n", prog, file,
	       checked - bad, checked);
	CHECK_EQ_U(bad, 0);
	dwarfinfo_free(di);
	elf_file_free(ef);
done:
	free_cmds(cmds, (size_t)maxline + 1);
	free(bps);
	free(bpline);
}

/* ---- info scope: variables and their locations ---- */

#define GMAX_OPS 48

struct gloc {                     /* one location as gdb describes it */
	uint64_t lo, hi;
	char kind;                /* r: in $reg, b: offset from base reg, a: static
				     address, o: optimized out, c: constant,
				     t: thread-local, x: operations */
	char reg[16];
	long long num;
	char ops[GMAX_OPS][32];
	char arg[GMAX_OPS][32];
	size_t nops;
};

struct gsym {
	char name[128];
	bool is_static, skip;
	unsigned long long static_addr;
	struct gloc *locs;
	size_t nloc;
	bool multi;
	bool used;
};

/* gdb's name of a DWARF register. */
static const char *gdb_reg(unsigned r, char *buf)
{
	static const char *const n[] = { "rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip" };
	if (r < 17)
		return n[r];
	if (r < 33)
		sprintf(buf, "xmm%u", r - 17);
	else
		sprintf(buf, "r%u", r);
	return buf;
}

/* The description after "is " (or "Range A-B: "), first line of it. */
static void parse_desc(const char *d, struct gloc *g)
{
	char reg[16];

	if (sscanf(d, "a variable in $%15[a-z0-9]", reg) == 1) {
		g->kind = 'r';
		strcpy(g->reg, reg);
	} else if (sscanf(d, "a variable at offset %lld from base reg $%15[a-z0-9]", &g->num, reg) == 2) {
		g->kind = 'b';
		strcpy(g->reg, reg);
	} else if (sscanf(d, "a variable at frame base reg $%15[a-z0-9] offset %*d+%lld", reg,
			  &g->num) == 2) {
		g->kind = 'f';          /* DW_OP_fbreg, the frame base a register */
		strcpy(g->reg, reg);
	} else if (sscanf(d, "static storage at address 0x%llx", (unsigned long long *)&g->num) == 1 ||
		   sscanf(d, "in static storage at address 0x%llx", (unsigned long long *)&g->num) == 1) {
		g->kind = 'a';
	} else if (strncmp(d, "optimized out", 13) == 0) {
		g->kind = 'o';
	} else if (sscanf(d, "constant with value %lld", &g->num) == 1 ||
		   sscanf(d, "a constant with value %lld", &g->num) == 1) {
		g->kind = 'c';
	} else if (sscanf(d, "the constant %lld", &g->num) == 1) {
		g->kind = 'k';
	} else if (strncmp(d, "a thread-local variable", 23) == 0) {
		g->kind = 't';
	} else if (strncmp(d, "a complex DWARF expression:", 27) == 0) {
		g->kind = 'x';
	} else if (strstr(d, "a typedef") || strstr(d, "a function at") || strstr(d, "a label")) {
		g->kind = '-';
	} else {
		g->kind = '?';
		fprintf(stderr, "unknown gdb location: %s\n", d);
	}
}

/* One "%6d: DW_OP_name arg" line of a complex expression (top level
 * only: a nested one, inside DW_OP_entry_value, is indented 2 more). */
static void parse_op(const char *ln, struct gloc *g)
{
	char name[32] = "", arg[32] = "";
	const char *colon = strchr(ln, ':');

	if (colon == NULL || colon - ln != 6 || g->nops >= GMAX_OPS)
		return;
	if (sscanf(ln, " %*u: %31s %31s", name, arg) < 1)
		return;
	strcpy(g->ops[g->nops], name);
	strcpy(g->arg[g->nops], arg);
	g->nops++;
}

static struct gloc *add_loc(struct gsym *s)
{
	s->locs = xrealloc(s->locs, (s->nloc + 1) * sizeof(*s->locs));
	memset(&s->locs[s->nloc], 0, sizeof(*s->locs));
	s->locs[s->nloc].hi = UINT64_MAX;
	return &s->locs[s->nloc++];
}

/* The symbols of one `info scope` output (the text after its header). */
static size_t parse_scope(char **p, struct gsym *syms, size_t max)
{
	size_t n = 0;
	char *ln;
	struct gsym *cur = NULL;
	struct gloc *loc = NULL;

	while (**p && strncmp(*p, "Scope for ", 10) != 0 && (ln = next_line(p)) != NULL) {
		char name[128];
		const char *r;
		if (sscanf(ln, "Symbol %127s is ", name) == 1 && n < max) {
			cur = &syms[n++];
			memset(cur, 0, sizeof(*cur));
			strcpy(cur->name, name);
			const char *d = strstr(ln, " is ") + 4;
			if (strncmp(d, "multi-location:", 15) == 0) {
				cur->multi = true;
				loc = NULL;
				continue;
			}
			loc = add_loc(cur);
			parse_desc(d, loc);
			if (loc->kind == 'a' && strncmp(d, "in static", 9) == 0) {
				cur->is_static = true;
				cur->static_addr = (unsigned long long)loc->num;
			}
			if (strstr(d, "a typedef") || strstr(d, "a function at") || strstr(d, "a label"))
				cur->skip = true;
		} else if (cur && cur->multi && (r = strstr(ln, "Range 0x")) != NULL) {
			unsigned long long lo, hi;
			if (sscanf(r, "Range 0x%llx-0x%llx:", &lo, &hi) != 2)
				continue;
			if (lo >= hi) {         /* covers no pc: we drop those */
				loc = NULL;
				continue;
			}
			loc = add_loc(cur);
			loc->lo = lo;
			loc->hi = hi;
			parse_desc(strchr(r, ':') + 2, loc);
		} else if (loc && loc->kind == 'x') {
			parse_op(ln, loc);
		}
	}
	return n;
}

/* Does our expression say what gdb's description says? */
static bool same_expr(const struct dw_expr *x, const struct gloc *g)
{
	char buf[16];

	if (x->lo != g->lo || x->hi != g->hi)
		return false;
	switch (g->kind) {
	case 'r':
		if (x->nops != 1)
			return false;
		if (x->ops[0].op >= DW_OP_reg0 && x->ops[0].op <= DW_OP_reg31)
			return strcmp(gdb_reg(x->ops[0].op - DW_OP_reg0, buf), g->reg) == 0;
		return x->ops[0].op == DW_OP_regx && strcmp(gdb_reg((unsigned)x->ops[0].a, buf), g->reg) == 0;
	case 'b':
		return x->nops == 1 && x->ops[0].op >= DW_OP_breg0 && x->ops[0].op <= DW_OP_breg31 &&
		       strcmp(gdb_reg(x->ops[0].op - DW_OP_breg0, buf), g->reg) == 0 &&
		       (long long)x->ops[0].a == g->num;
	case 'a':
		return x->nops >= 1 && x->ops[0].op == DW_OP_addr && x->ops[0].a == (uint64_t)g->num;
	case 'f':
		return x->nops == 1 && x->ops[0].op == DW_OP_fbreg && (long long)x->ops[0].a == g->num;
	case 'o':
		return x->nops == 0;
	case 't':
		return x->nops >= 2;
	case 'k':               /* DW_OP_litN or a constant, DW_OP_stack_value */
		if (x->nops != 2 || x->ops[1].op != DW_OP_stack_value)
			return false;
		if (x->ops[0].op >= DW_OP_lit0 && x->ops[0].op <= DW_OP_lit31)
			return x->ops[0].op - DW_OP_lit0 == g->num;
		return (long long)x->ops[0].a == g->num;
	case 'x':
		if (x->nops != g->nops)
			return false;
		for (size_t i = 0; i < x->nops; i++) {
			const char *name = NULL;
			char *end;
			if (dwarf_get_OP_name(x->ops[i].op, &name) != DW_DLV_OK || strcmp(name, g->ops[i]))
				return false;
			long long v = strtoll(g->arg[i], &end, 0);
			if (g->arg[i][0] && *end == '\0' && x->ops[i].op != DW_OP_skip &&
			    x->ops[i].op != DW_OP_bra && (long long)x->ops[i].a != v &&
			    (uint64_t)strtoull(g->arg[i], NULL, 0) != x->ops[i].a)
				return false;
		}
		return true;
	}
	return false;
}

/* One variable of ours = one symbol of gdb's. */
static bool same_var(const struct dw_var *v, const struct gsym *s)
{
	if (s->nloc == 1 && s->locs[0].kind == 'o')
		return v->nloc == 0 && !v->has_const;
	if (s->nloc == 1 && s->locs[0].kind == 'c')
		return v->has_const && v->const_value == s->locs[0].num;
	if (v->nloc != s->nloc)
		return false;
	for (size_t i = 0; i < v->nloc; i++)
		if (!same_expr(&v->loc[i], &s->locs[i]))
			return false;
	return true;
}

/* Both sides of a difference, for the log. */
static void dump_diff(const struct dw_var *v, const struct gsym *s)
{
	for (size_t i = 0; i < s->nloc; i++) {
		const struct gloc *g = &s->locs[i];
		fprintf(stderr, "  gdb [%llx,%llx) %c %s %lld:", (unsigned long long)g->lo,
			(unsigned long long)g->hi, g->kind, g->reg, g->num);
		for (size_t j = 0; j < g->nops; j++)
			fprintf(stderr, " %s(%s)", g->ops[j], g->arg[j]);
		fputc('\n', stderr);
	}
	for (size_t i = 0; i < v->nloc; i++) {
		const struct dw_expr *x = &v->loc[i];
		fprintf(stderr, "  our [%llx,%llx)", (unsigned long long)x->lo, (unsigned long long)x->hi);
		for (size_t j = 0; j < x->nops; j++) {
			const char *name = "?";
			dwarf_get_OP_name(x->ops[j].op, &name);
			fprintf(stderr, " %s(%lld)", name, (long long)x->ops[j].a);
		}
		fputc('\n', stderr);
	}
}

/* A function-static gdb lists is among the globals, as DWV_STATIC. */
static bool static_known(struct dwarfinfo *di, const struct gsym *s)
{
	const struct dw_var *const *gs;
	size_t n = dwarfinfo_globals(di, &gs);

	for (size_t i = 0; i < n; i++)
		if (gs[i]->kind == DWV_STATIC && strcmp(gs[i]->name, s->name) == 0 &&
		    gs[i]->nloc && gs[i]->loc[0].ops[0].a == s->static_addr)
			return true;
	return false;
}

/* Our scopes at pc = gdb's symbols at pc: same names (a nested block's in
 * any order, gdb hashes them; the function's in order), same locations. */
static size_t compare_scope(struct dwarfinfo *di, const struct dw_func *f, uint64_t pc,
			    struct gsym *syms, size_t ns, const char *prog)
{
	const struct dw_scope *sc[64];
	size_t nsc = dwarfinfo_scopes_at(f, pc, sc, 64), bad = 0, ours = 0, theirs = 0;

	for (size_t i = 0; i < ns; i++) {
		if (syms[i].is_static && !static_known(di, &syms[i])) {
			fprintf(stderr, "%s: %s: static %s not among the globals\n", prog, f->name, syms[i].name);
			bad++;
		}
		theirs += !syms[i].is_static && !syms[i].skip;
	}
	for (size_t k = nsc; k-- > 0;) {
		for (size_t j = 0; j < sc[k]->nvars; j++) {
			const struct dw_var *v = &sc[k]->vars[j];
			struct gsym *s = NULL;
			ours++;
			for (size_t i = 0; i < ns && !s; i++)
				if (!syms[i].used && !syms[i].is_static && !syms[i].skip && v->name &&
				    strcmp(syms[i].name, v->name) == 0)
					s = &syms[i];
			if (s == NULL) {
				fprintf(stderr, "%s: %s at 0x%llx: gdb has no %s\n", prog, f->name,
					(unsigned long long)pc, v->name);
				bad++;
				continue;
			}
			s->used = true;
			if (!same_var(v, s)) {
				fprintf(stderr, "%s: %s at 0x%llx: %s's location differs from gdb's\n",
					prog, f->name, (unsigned long long)pc, v->name);
				dump_diff(v, s);
				bad++;
			}
		}
	}
	if (ours != theirs) {
		fprintf(stderr, "%s: %s at 0x%llx: we have %zu variables, gdb %zu\n", prog, f->name,
			(unsigned long long)pc, ours, theirs);
		bad++;
	}
	if (nsc == 1) {                 /* the function's own: in order */
		size_t j = 0;
		for (size_t i = 0; i < ns; i++) {
			if (syms[i].is_static) {
				/* a static: in the scope's statics, at its place */
				bool found = false;
				for (size_t k = 0; k < sc[0]->nstatics; k++)
					found |= strcmp(sc[0]->statics[k].var->name, syms[i].name) == 0 &&
						 sc[0]->statics[k].pos == j;
				if (!found) {
					fprintf(stderr, "%s: %s: static %s not in statics at %zu\n", prog,
						f->name, syms[i].name, j);
					bad++;
				}
			}
			if (syms[i].is_static || syms[i].skip)
				continue;
			if (j >= sc[0]->nvars || !sc[0]->vars[j].name ||
			    strcmp(syms[i].name, sc[0]->vars[j].name) != 0) {
				fprintf(stderr, "%s: %s: variable %zu is %s in gdb\n", prog, f->name, j,
					syms[i].name);
				bad++;
				break;
			}
			j++;
		}
	}
	return bad;
}

struct scope_ask {
	const struct dw_func *f;
	uint64_t pc;
};

static void ask_blocks(const struct dw_func *f, const struct dw_scope *s, struct scope_ask **v,
		       size_t *n, size_t *cap)
{
	for (size_t i = 0; i < s->nblocks; i++) {
		if (s->blocks[i].nranges) {
			util_grow((void **)v, cap, *n + 1, sizeof(**v));
			(*v)[(*n)++] = (struct scope_ask){ f, s->blocks[i].ranges[0].lo };
		}
		ask_blocks(f, &s->blocks[i], v, n, cap);
	}
}

/* `info scope *PC` at every function's entry and every block's start, or
 * only for the functions named in `only` (NULL-terminated). */
static void check_scopes(const char *prog, const char *const *only)
{
	struct elf_file *ef;
	struct dwarfinfo *di = open_dwarf(prog, &ef);
	const struct dw_func *const *fs;
	struct scope_ask *asks = NULL;
	size_t n, na = 0, cap = 0, bad = 0, done = 0, inlined = 0;
	char **cmds, *out, *p, *ln;
	struct gsym *syms = xcalloc(4096, sizeof(*syms));

	if (di == NULL) {
		CHECK(di != NULL);
		free(syms);
		return;
	}
	n = dwarfinfo_funcs(di, &fs);
	for (size_t i = 0; i < n; i++) {
		bool want = only == NULL;
		for (size_t k = 0; only && only[k]; k++)
			want |= strcmp(only[k], fs[i]->name) == 0;
		if (!want)
			continue;
		util_grow((void **)&asks, &cap, na + 1, sizeof(*asks));
		asks[na++] = (struct scope_ask){ fs[i], fs[i]->lo };
		ask_blocks(fs[i], &fs[i]->scope, &asks, &na, &cap);
	}
	cmds = xcalloc(na + 1, sizeof(*cmds));
	for (size_t i = 0; i < na; i++)
		cmds[i] = xasprintf("info scope *0x%llx", (unsigned long long)asks[i].pc);
	p = out = gdb_run(prog, cmds, na);
	while ((ln = next_line(&p)) != NULL) {
		unsigned long long pc;
		size_t ns, k;
		if (sscanf(ln, "Scope for *0x%llx:", &pc) != 1)
			continue;
		for (k = 0; k < na && asks[k].pc != pc; k++)
			;
		ns = parse_scope(&p, syms, 4096);
		if (k < na && dwarfinfo_inline_at(asks[k].f, pc)) {
			inlined++;      /* gdb shows the inlined function's scope */
			done++;
		} else if (k < na) {
			bad += compare_scope(di, asks[k].f, pc, syms, ns, prog);
			done++;
		}
		for (size_t i = 0; i < ns; i++)
			free(syms[i].locs);
	}
	printf("%s: info scope matches gdb at %zu of %zu pcs (%zu differences, %zu in inlined code not compared)\n",
	       prog, done - inlined, na, bad, inlined);
	CHECK_EQ_U(done, na);
	CHECK_EQ_U(bad, 0);
	free(out);
	free_cmds(cmds, na);
	free(asks);
	free(syms);
	dwarfinfo_free(di);
	elf_file_free(ef);
}

/* ---- types, globals: a program compiled here ---- */

static const char types_src[] =
	"#include <stddef.h>\n"
	"#include <stdint.h>\n"
	"struct node { struct node *next; int v; };\n"
	"union u { int i; float f; };\n"
	"enum color { RED, GREEN = 5, BLUE = -2 };\n"
	"enum big { HUGE = 3000000000u };\n"
	"typedef struct node node_t;\n"
	"struct bits { unsigned a:3, b:5; int c:7; char d; unsigned long long e:40, f:20; };\n"
	"struct anon { struct { int x; } in; union { int p; char q; }; };\n"
	"typedef int (*cb_t)(int, char *);\n"
	"typedef const char *cstr;\n"
	"int g_int = 1; char *g_str = \"hi\"; int g_arr[4]; volatile int *g_vip;\n"
	"const char *g_ccp; struct node *g_np; long (*g_fp)(int, char *);\n"
	"unsigned long g_ul; char g_buf[16]; int g_2d[2][3]; char g_3d[2][3][4];\n"
	"enum color g_col; enum big g_big; union u g_u; char *const g_cpc = 0;\n"
	"const int *const g_cici = 0; char **g_pp; int (*g_pa)[4]; void (*g_vf)(void);\n"
	"int (*g_kr)(); int (*g_va)(const char *, ...); node_t g_nt; cb_t g_cb;\n"
	"struct bits g_bits; struct anon g_anon; size_t g_sz; uint8_t g_u8; _Bool g_b;\n"
	"long double g_ld; unsigned char g_uc; signed char g_sc; short g_s;\n"
	"unsigned short g_us; long long g_ll; unsigned long long g_ull; unsigned g_u32;\n"
	"float g_f; double g_d; _Complex double g_cd; __int128 g_i128;\n"
	"unsigned __int128 g_u128; int *restrict g_rp; _Atomic int g_ai;\n"
	"const volatile int g_cvi; char *g_argv[3]; struct { int a; } g_anon_s;\n"
	"enum { X1, X2 } g_anon_e; int (*g_fparr[2])(int); const struct node *g_cnp;\n"
	"void *g_vp; const void *g_cvp; struct node *(*g_ret_ptr)(void);\n"
	"const int g_carr[3] = {1, 2, 3}; const cstr g_ccs; struct node **g_npp;\n"
	"char (*g_pca)[8]; int *(*g_pfa[3])(long); wchar_t g_wc;\n"
	"extern int g_ext[]; int g_ext[5];\n"
	"static int s_file = 7;\n"
	"static int use(int n) { static int s_func = 3; int k = n * 2;\n"
	"  { int inner = k + s_func; s_func += inner; }\n"
	"  return s_file + s_func + k; }\n"
	"int main(void) { struct node a = { 0, 1 }; g_np = &a; return use(a.v); }\n";

/* Compile types_src into tmpdir; returns the program's path, or NULL. */
static char *compile_types(const char *flags, const char *name)
{
	char *src = xasprintf("%s/types.c", tmpdir);
	char *prog = xasprintf("%s/%s", tmpdir, name);
	char *cmd = xasprintf("cc %s -o '%s' '%s' 2>&1", flags, prog, src);
	FILE *f = fopen(src, "w");
	char *out;
	struct stat st;

	if (f) {
		fputs(types_src, f);
		fclose(f);
	}
	out = run(cmd);
	if (stat(prog, &st) != 0) {
		fprintf(stderr, "cc %s failed: %s\n", flags, out ? out : "");
		free(prog);
		prog = NULL;
	}
	free(out);
	free(cmd);
	free(src);
	return prog;
}

/* demos/stack_frames.c built another way (DWARF 4, clang) into tmpdir. */
static char *compile_demo(const char *cc_flags, const char *name)
{
	char *prog = xasprintf("%s/%s", tmpdir, name);
	char *cmd = xasprintf("%s -o '%s' demos/stack_frames.c 2>&1", cc_flags, prog);
	char *out = run(cmd);
	struct stat st;

	if (stat(prog, &st) != 0) {
		fprintf(stderr, "%s failed: %s\n", cmd, out ? out : "");
		free(prog);
		prog = NULL;
	}
	free(out);
	free(cmd);
	return prog;
}

/* whatis and info address of every global = type_name and DW_OP_addr. */
static void check_globals(const char *prog)
{
	struct elf_file *ef;
	struct dwarfinfo *di = open_dwarf(prog, &ef);
	const struct dw_var *const *gs;
	const struct dw_var **asked;
	size_t n, k = 0, w = 0, a = 0, bad = 0;
	char **cmds, *out, *p, *ln;
	struct strbuf sb = {0};

	if (di == NULL) {
		CHECK(di != NULL);
		return;
	}
	n = dwarfinfo_globals(di, &gs);
	CHECK(n >= 60);
	cmds = xcalloc(2 * n + 1, sizeof(*cmds));
	asked = xcalloc(n + 1, sizeof(*asked));
	for (size_t i = 0; i < n; i++) {
		if (gs[i]->kind != DWV_GLOBAL)
			continue;
		asked[k] = gs[i];
		cmds[2 * k] = xasprintf("whatis %s", gs[i]->name);
		cmds[2 * k + 1] = xasprintf("info address %s", gs[i]->name);
		k++;
	}
	p = out = gdb_run(prog, cmds, 2 * k);
	while ((ln = next_line(&p)) != NULL) {
		char name[128];
		unsigned long long addr;
		if (strncmp(ln, "type = ", 7) == 0 && w < k) {
			sb_reset(&sb);
			dwarfinfo_type_name(asked[w]->type, &sb);
			if (strcmp(sb.buf, ln + 7) != 0) {
				fprintf(stderr, "%s: whatis %s: gdb \"%s\", we \"%s\"\n", prog,
					asked[w]->name, ln + 7, sb.buf);
				bad++;
			}
			w++;
		} else if (sscanf(ln, "Symbol \"%127[^\"]\" is static storage at address 0x%llx.",
				  name, &addr) == 2 && a < k) {
			if (strcmp(name, asked[a]->name) != 0 || asked[a]->loc[0].ops[0].a != addr) {
				fprintf(stderr, "%s: info address %s: gdb 0x%llx\n", prog, name, addr);
				bad++;
			}
			a++;
		}
	}
	printf("%s: whatis matches gdb for %zu of %zu globals, info address for %zu\n", prog,
	       w - bad, k, a);
	CHECK_EQ_U(w, k);
	CHECK_EQ_U(a, k);
	CHECK_EQ_U(bad, 0);
	free(out);
	free_cmds(cmds, 2 * k);
	free(asked);
	sb_free(&sb);
	dwarfinfo_free(di);
	elf_file_free(ef);
}

static const struct dw_var *global_named(struct dwarfinfo *di, const char *name)
{
	const struct dw_var *const *gs;
	size_t n = dwarfinfo_globals(di, &gs);

	for (size_t i = 0; i < n; i++)
		if (strcmp(gs[i]->name, name) == 0)
			return gs[i];
	return NULL;
}

/* Members of struct bits = gdb's `ptype /o` ("byte: bit | size"); the
 * enum's values; a struct's cycle through a pointer. */
static void check_struct_layout(const char *prog)
{
	struct elf_file *ef;
	struct dwarfinfo *di = open_dwarf(prog, &ef);
	char *cmds[] = { "ptype /o struct bits" };
	char *out, *p, *ln;
	const struct dw_var *v;
	const struct dw_type *t;
	size_t seen = 0;

	if (di == NULL) {
		CHECK(di != NULL);
		return;
	}
	v = global_named(di, "g_bits");
	t = v ? dwarfinfo_type_strip(v->type) : NULL;
	CHECK(t && t->kind == DWT_STRUCT && t->nmembers == 6);
	p = out = gdb_run(prog, cmds, 1);
	while (t && (ln = next_line(&p)) != NULL) {
		unsigned byte, bit, size;
		char name[64];
		if (sscanf(ln, "/* %u: %u | %u */ %*s %*s %*s %63[a-z] : %*u;", &byte, &bit, &size, name) != 4 &&
		    sscanf(ln, "/* %u: %u | %u */ %*s %*s %63[a-z] : %*u;", &byte, &bit, &size, name) != 4 &&
		    sscanf(ln, "/* %u: %u | %u */ %*s %63[a-z] : %*u;", &byte, &bit, &size, name) != 4)
			continue;
		for (size_t i = 0; i < t->nmembers; i++) {
			const struct dw_member *m = &t->members[i];
			if (m->name && strcmp(m->name, name) == 0) {
				CHECK_EQ_U(m->offset, byte);
				CHECK_EQ_U(m->bit_offset, bit);
				CHECK(m->bit_size > 0);
				seen++;
			}
		}
	}
	CHECK_EQ_U(seen, 5);
	free(out);
	/* enum color { RED, GREEN = 5, BLUE = -2 } and a 3000000000u one */
	v = global_named(di, "g_col");
	t = v ? dwarfinfo_type_strip(v->type) : NULL;
	CHECK(t && t->kind == DWT_ENUM && t->nenums == 3);
	if (t && t->nenums == 3) {
		CHECK_STR(t->enums[1].name, "GREEN");
		CHECK(t->enums[1].value == 5 && t->enums[2].value == -2);
	}
	v = global_named(di, "g_big");
	t = v ? dwarfinfo_type_strip(v->type) : NULL;
	CHECK(t && t->nenums == 1 && t->enums[0].value == 3000000000ll);
	/* struct node { struct node *next; } points back at itself */
	v = global_named(di, "g_np");
	t = v ? dwarfinfo_type_strip(v->type) : NULL;
	CHECK(t && t->kind == DWT_POINTER && t->target && t->target->kind == DWT_STRUCT);
	if (t && t->target && t->target->nmembers == 2) {
		const struct dw_type *next = t->target->members[0].type;
		CHECK(next == t);
		CHECK_EQ_U(t->target->size, 16);
		CHECK_EQ_U(t->target->members[1].offset, 8);
	}
	v = global_named(di, "g_2d");
	t = v ? v->type : NULL;
	CHECK(t && t->kind == DWT_ARRAY && t->count == 2 && t->size == 24);
	CHECK(t && t->target && t->target->kind == DWT_ARRAY && t->target->count == 3);
	v = global_named(di, "s_func");
	CHECK(v && v->kind == DWV_STATIC);
	v = global_named(di, "s_file");       /* file-scope static */
	CHECK(v && v->kind == DWV_STATIC);
	dwarfinfo_free(di);
	elf_file_free(ef);
}

/* ---- opening ---- */

/* Every function symbol of the demos' own code is found by pc in a fresh
 * dwarfinfo (its pc index, not a load of everything), and opening CFI
 * first changes nothing: libdwarf's own ELF openers leave a process-wide
 * hook that broke every later open (dwobj.h). */
static void check_func_index(const char *prog)
{
	char *cause = NULL;
	struct elf_file *ef = elf_file_open(prog, &cause);
	struct cfi *c = ef ? cfi_open(ef, &cause) : NULL;
	struct dwarfinfo *di = ef ? dwarfinfo_open(ef, &cause) : NULL;
	size_t seen = 0, bad = 0;

	CHECK(c != NULL);
	CHECK(di != NULL);
	for (size_t i = 0; di && i < ef->nsymbols; i++) {
		const struct elf_symbol *y = &ef->symbols[i];
		const struct dw_func *f;
		static const char *const ours[] = { "main", "recurse", "outer", "middle",
						    "many_args", "wait_here" };
		bool want = false;

		for (size_t k = 0; k < ARRAY_LEN(ours); k++)
			want |= strcmp(y->name, ours[k]) == 0;
		if (!want)
			continue;
		seen++;
		f = dwarfinfo_func_at(di, y->value);
		if (f == NULL || f->name == NULL || strcmp(f->name, y->name) != 0) {
			fprintf(stderr, "%s: func_at(%s 0x%llx) = %s\n", prog, y->name,
				(unsigned long long)y->value, f && f->name ? f->name : "none");
			bad++;
		}
	}
	CHECK(seen >= 5);
	CHECK_EQ_U(bad, 0);
	dwarfinfo_free(di);
	cfi_free(c);
	elf_file_free(ef);
	free(cause);
}

/* ---- call sites against readelf ---- */

static void check_call_sites(const char *prog)
{
	struct elf_file *ef;
	struct dwarfinfo *di = open_dwarf(prog, &ef);
	const struct dw_func *const *fs;
	char *cmd = xasprintf("readelf --debug-dump=info '%s' 2>/dev/null", prog);
	char *out, *p, *ln;
	size_t n, ours = 0, theirs = 0, found = 0;

	if (di == NULL) {
		CHECK(di != NULL);
		free(cmd);
		return;
	}
	n = dwarfinfo_funcs(di, &fs);
	for (size_t i = 0; i < n; i++)
		ours += fs[i]->ncalls;
	p = out = run(cmd);
	while (out && (ln = next_line(&p)) != NULL) {
		unsigned long long ret;
		const char *at = strstr(ln, "DW_AT_call_return_pc");
		if (at == NULL || sscanf(strchr(at, ':') + 1, " 0x%llx", &ret) != 1)
			continue;
		theirs++;
		const struct dw_func *f = dwarfinfo_func_at(di, ret - 1);
		const struct dw_call_site *cs = f ? dwarfinfo_call_site(f, ret) : NULL;
		found += cs != NULL;
		if (cs == NULL)
			fprintf(stderr, "%s: no call site returning to 0x%llx\n", prog, ret);
	}
	printf("%s: %zu call sites, readelf %zu, all found: %s\n", prog, ours, theirs,
	       found == theirs ? "yes" : "no");
	CHECK(theirs > 0);
	CHECK_EQ_U(ours, theirs);
	CHECK_EQ_U(found, theirs);
	free(out);
	free(cmd);
	dwarfinfo_free(di);
	elf_file_free(ef);
}

/* ---- libc through libc6-dbg ---- */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The path of the libc this test runs with. */
static char *libc_path(void)
{
	char *maps = util_read_file("/proc/self/maps", NULL), *p = maps, *ln, *r = NULL;

	while (maps && (ln = next_line(&p)) != NULL && r == NULL) {
		char *path = strchr(ln, '/');
		if (path && strstr(path, "/libc.so"))
			r = xstrdup(path);
	}
	free(maps);
	return r;
}

static void check_libc(bool gdb)
{
	char *path = libc_path(), *cause = NULL;
	struct elf_file *ef = path ? elf_file_open(path, &cause) : NULL;
	const struct elf_symbol *sym;
	struct dwarfinfo *di;
	double t0, t1, t2;

	if (ef == NULL || ef->debug_path == NULL) {
		printf("libc: no separate debug file (libc6-dbg): libc part skipped\n");
		goto out;
	}
	sym = elf_file_symbol(ef, "malloc");
	CHECK(sym != NULL);
	if (sym == NULL)
		goto out;
	t0 = now_ms();
	di = dwarfinfo_open(ef, &cause);
	t1 = now_ms();
	CHECK(di != NULL);
	if (di == NULL)
		goto out;
	const struct dw_func *f = dwarfinfo_func_at(di, sym->value);
	const struct dw_line *l = dwarfinfo_line_at(di, sym->value, NULL);
	t2 = now_ms();
	printf("libc: dwarfinfo_open %.1f ms, then func_at + line_at(malloc) %.1f ms: %.1f ms\n",
	       t1 - t0, t2 - t1, t2 - t0);
	CHECK(t2 - t0 < 1000);
	CHECK(f != NULL && strcmp(f->name, "__libc_malloc") == 0);
	CHECK(l != NULL);
	if (gdb && f && l) {
		char *cmds[] = { "break malloc" };
		char *out = gdb_run(path, cmds, 1), file[512];
		unsigned long long addr = 0;
		int line = 0;
		const char *b = out ? strstr(out, "Breakpoint 1 at ") : NULL;
		CHECK(b && sscanf(b, "Breakpoint 1 at 0x%llx: file %511[^,], line %d.", &addr, file,
				  &line) == 3);
		l = dwarfinfo_line_at(di, f->body_pc, NULL);
		CHECK_EQ_U(f->body_pc, addr);
		CHECK(l && strcmp(l->file, file) == 0 && l->line == line);
		printf("libc: break malloc: gdb 0x%llx %s:%d, we 0x%llx %s:%d\n", addr, file, line,
		       (unsigned long long)f->body_pc, l ? l->file : "-", l ? l->line : 0);
		free(out);
	}
	dwarfinfo_free(di);
	if (gdb) {
		static const char *const fns[] = { "__libc_malloc", "__libc_free", "_int_malloc",
						   "__libc_calloc", NULL };
		check_scopes(path, fns);
	}
out:
	free(cause);
	free(path);
	elf_file_free(ef);
}

/* ---- the rest ---- */

/* The same image from memory gives the same functions. */
static void check_memory(const char *prog)
{
	size_t len = 0;
	char *buf = util_read_file(prog, &len), *cause = NULL;
	struct elf_file *ef;
	struct dwarfinfo *a = open_dwarf(prog, &ef);
	struct dwarfinfo *b = buf ? dwarfinfo_open_memory(buf, len, &cause) : NULL;
	const struct dw_func *const *fa, *const *fb;

	CHECK(a != NULL && b != NULL);
	if (a && b) {
		size_t na = dwarfinfo_funcs(a, &fa), nb = dwarfinfo_funcs(b, &fb);
		CHECK_EQ_U(na, nb);
		for (size_t i = 0; i < na && i < nb; i++) {
			CHECK_STR(fa[i]->name, fb[i]->name);
			CHECK_EQ_U(fa[i]->lo, fb[i]->lo);
			CHECK_EQ_U(fa[i]->body_pc, fb[i]->body_pc);
			CHECK_EQ_U(fa[i]->scope.nvars, fb[i]->scope.nvars);
		}
	}
	dwarfinfo_free(a);
	dwarfinfo_free(b);
	if (a)
		elf_file_free(ef);
	free(buf);
	free(cause);
}

/* recurse's block (char *p) is in scope inside it only; the call sites of
 * the -O2 build carry register values. */
static void check_scopes_at(const char *o0, const char *o2)
{
	struct elf_file *ef;
	struct dwarfinfo *di = open_dwarf(o0, &ef);
	const struct dw_func *const *fs;
	const struct dw_scope *sc[8];
	size_t n;

	CHECK(di != NULL);
	if (di == NULL)
		return;
	n = dwarfinfo_funcs(di, &fs);
	for (size_t i = 0; i < n; i++) {
		const struct dw_func *f = fs[i];
		if (strcmp(f->name, "recurse") != 0)
			continue;
		CHECK_EQ_U(f->scope.nblocks, 1);
		if (f->scope.nblocks != 1)
			break;
		const struct dw_scope *blk = &f->scope.blocks[0];
		CHECK_EQ_U(dwarfinfo_scopes_at(f, blk->ranges[0].lo, sc, 8), 2);
		CHECK(sc[1] == blk);
		CHECK_EQ_U(dwarfinfo_scopes_at(f, f->lo, sc, 8), 1);
		CHECK(sc[0] == &f->scope);
		CHECK_EQ_U(dwarfinfo_scopes_at(f, blk->ranges[0].lo, sc, 1), 1);
		CHECK(f->scope.nvars >= 1 && f->scope.vars[0].kind == DWV_PARAM);
		CHECK(dwarfinfo_func_at(di, f->lo) == f);
		CHECK(dwarfinfo_func_at(di, f->hi - 1) == f);
		CHECK(dwarfinfo_is_stmt(di, f->lo));
	}
	dwarfinfo_free(di);
	elf_file_free(ef);
	if ((di = open_dwarf(o2, &ef)) == NULL)
		return;
	n = dwarfinfo_funcs(di, &fs);
	size_t withregs = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < fs[i]->ncalls; j++)
			for (size_t k = 0; k < fs[i]->calls[j].nparams; k++)
				withregs += fs[i]->calls[j].params[k].reg == 5 &&
					    fs[i]->calls[j].params[k].nvalue > 0;
	CHECK(withregs > 0);            /* a value for rdi somewhere */
	dwarfinfo_free(di);
	elf_file_free(ef);
}

static void check_errors(void)
{
	char *cause = NULL;
	static const char junk[] = "\177ELF but not really an ELF file at all";
	struct dwarfinfo *di = dwarfinfo_open_memory(junk, sizeof(junk), &cause);
	char *prog;

	CHECK(di == NULL && cause != NULL);
	free(cause);
	cause = NULL;
	if ((prog = compile_types("-O0", "nodebug")) != NULL) {
		struct elf_file *ef = elf_file_open(prog, &cause);
		CHECK(ef != NULL);
		di = ef ? dwarfinfo_open(ef, &cause) : NULL;
		CHECK(di == NULL && cause != NULL);
		if (cause)
			printf("no -g: \"%s\"\n", cause);
		elf_file_free(ef);
		free(prog);
	}
	free(cause);
	CHECK(dwarfinfo_type_strip(NULL) == NULL);
	struct strbuf sb = {0};
	dwarfinfo_type_name(NULL, &sb);
	CHECK_STR(sb.buf, "void");
	sb_free(&sb);
}

static int source_lines(const char *path)
{
	size_t len = 0;
	char *s = util_read_file(path, &len);
	int n = 0;

	for (size_t i = 0; s && i < len; i++)
		n += s[i] == '\n';
	free(s);
	return n;
}

int main(void)
{
	static const char *const demos[] = { "demos/stack_frames", "demos/stack_frames_O2",
					     "demos/threads", "demos/heap_story" };
	bool gdb = have_tool("gdb"), cc = have_tool("cc");
	char *t5 = NULL, *t4 = NULL, *t2 = NULL, *c0 = NULL, *c2 = NULL, *d4 = NULL, *d2 = NULL;

	for (size_t i = 0; i < ARRAY_LEN(demos); i++)
		if (access(demos[i], R_OK) != 0) {
			printf("%s missing (run make): skip\n", demos[i]);
			return 77;
		}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/memviz_dwarf_XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	if (cc) {
		t5 = compile_types("-g -O0", "types");
		t4 = compile_types("-g -gdwarf-4 -O0", "types4");
		t2 = compile_types("-g -O2", "types_O2");
	}
	if (cc) {               /* .debug_loc and .debug_ranges, DWARF 2-4's lists */
		d4 = compile_demo("cc -g -gdwarf-4 -O2", "sf_dwarf4_O2");
		d2 = compile_demo("cc -g -gdwarf-2 -O0", "sf_dwarf2");
	}
	if (have_tool("clang")) {
		c0 = compile_demo("clang -g -O0", "sf_clang");
		c2 = compile_demo("clang -g -O2", "sf_clang_O2");
	}
	check_errors();
	check_func_index("demos/stack_frames");
	check_func_index("demos/stack_frames_O2");
	check_memory("demos/stack_frames");
	check_scopes_at("demos/stack_frames", "demos/stack_frames_O2");
	if (t5)
		check_struct_layout(t5);
	if (t4)
		check_struct_layout(t4);
	if (!gdb) {
		printf("gdb not found: the comparisons with gdb are skipped\n");
	} else {
		for (size_t i = 0; i < ARRAY_LEN(demos); i++)
			check_break_funcs(demos[i]);
		check_line_at("demos/stack_frames");
		check_line_at("demos/stack_frames_O2");
		int nl = source_lines("demos/stack_frames.c");
		check_line_addrs("demos/stack_frames", "stack_frames.c", nl + 1);
		check_line_addrs("demos/stack_frames_O2", "stack_frames.c", nl + 1);
		check_line_addrs("demos/threads", "truth.h", source_lines("demos/truth.h") + 1);
		for (size_t i = 0; i < ARRAY_LEN(demos); i++)
			check_scopes(demos[i], NULL);
		const char *progs[] = { t5, t4, t2 };
		for (size_t i = 0; i < 3; i++) {
			if (progs[i] == NULL)
				continue;
			check_globals(progs[i]);
			check_scopes(progs[i], NULL);
			check_break_funcs(progs[i]);
			check_line_at(progs[i]);
		}
		const char *clangs[] = { d4, d2, c0, c2 };
		for (size_t i = 0; i < 4; i++) {
			if (clangs[i] == NULL)
				continue;
			check_break_funcs(clangs[i]);
			check_line_at(clangs[i]);
			check_scopes(clangs[i], NULL);
			check_line_addrs(clangs[i], "stack_frames.c", nl + 1);
		}
	}
	if (have_tool("readelf"))
		check_call_sites("demos/stack_frames_O2");
	check_libc(gdb);
	char *rm = xasprintf("rm -rf '%s'", tmpdir);
	if (system(rm) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	free(rm);
	free(t5);
	free(t4);
	free(t2);
	free(c0);
	free(c2);
	free(d4);
	free(d2);
	CHECK_DONE();
}
