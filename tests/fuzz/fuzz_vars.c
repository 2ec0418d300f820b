/* fuzz_vars.c - libFuzzer harness: the variable printer on any type graph.
 *
 * Input: a type graph (kinds, names, sizes, encodings, targets, counts,
 * members with offsets and bit fields, enumerators; any links, cycles
 * included), a fake object (two sections and a few symbols, names from the
 * input, for <symbol> after pointers), print options, then bytes that are
 * both the value and the fake process's memory at FAKE_MEM (strings behind
 * pointers; byte-granular: any read past the end fails).
 *
 * Mode 0: vars_format_at on type 0.  Mode 1: vars_frame on a fake two-frame
 * stack whose function has variables of those types, their locations,
 * frame base and the caller's call site (for DW_OP_entry_value) decoded
 * from the input.  Neither may crash or hang, and a value's text stays
 * within max_value (plus the "..." that marks a cut). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vars.h"

#define NT       24               /* types */
#define NM       8                /* members per type */
#define NE       6                /* enumerators per type */
#define NSYM     8
#define NOPS     16
#define FAKE_MEM 0x10000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *p;
	size_t n;
};

/* The next k bytes as a little-endian number (0 past the end). */
static uint64_t take(struct input *in, int k)
{
	uint64_t v = 0;

	for (int i = 0; i < k; i++)
		if (in->n > 0) {
			v |= (uint64_t)*in->p << (8 * i);
			in->p++;
			in->n--;
		}
	return v;
}

static const char *const names[] = {
	NULL, "", "int", "char", "wchar_t", "char16_t", "char32_t", "__bf16",
	"_Float128", "__float128", "long double", "x", "a__b", "c.0", "fooB",
	"x.cold", "_Z3foov", "TKB", "q$12", "w__12", "Abc.1", "zzN", "s___X1",
	"a__B_12__b", "x_E12s", "pkgN__y", "fooXbn", "p.isra.0",
};

static const char *take_name(struct input *in)
{
	return names[take(in, 1) % (sizeof(names) / sizeof(names[0]))];
}

static uint64_t take_size(struct input *in)
{
	static const uint64_t sizes[] = { 0, 1, 2, 4, 8, 10, 16, 3, 32, 12 };
	uint64_t k = take(in, 1);

	if (k < 240)
		return sizes[k % (sizeof(sizes) / sizeof(sizes[0]))];
	return k < 250 ? take(in, 2) : take(in, 8);
}

struct graph {
	struct dw_type t[NT];
	struct dw_member m[NT][NM];
	struct dw_enumerator e[NT][NE];
	size_t n;
};

static void build_types(struct graph *g, struct input *in)
{
	g->n = 1 + take(in, 1) % NT;
	for (size_t i = 0; i < g->n; i++) {
		struct dw_type *t = &g->t[i];
		size_t tgt;

		t->kind = (enum dw_type_kind)(take(in, 1) % (DWT_OTHER + 1));
		t->name = (char *)take_name(in);
		t->size = take_size(in);
		t->encoding = (unsigned)(take(in, 1) % 0x12);
		tgt = take(in, 1) % (g->n + 1);
		t->target = tgt == g->n ? NULL : &g->t[tgt];
		t->count = take(in, 1) < 250 ? take(in, 1) : take(in, 8);
		t->count_known = take(in, 1) & 1;
		t->nmembers = take(in, 1) % (NM + 1);
		t->members = g->m[i];
		for (size_t k = 0; k < t->nmembers; k++) {
			struct dw_member *m = &g->m[i][k];

			m->name = (char *)take_name(in);
			m->offset = take(in, 1) < 250 ? take(in, 1) : take(in, 8);
			m->bit_size = (unsigned)(take(in, 1) % 72);
			if (m->bit_size > 0 && (m->bit_size & 1))
				m->bit_size = 0;      /* most members are not bit fields */
			m->bit_offset = (unsigned)take(in, 1);
			m->type = &g->t[take(in, 1) % g->n];
		}
		t->nenums = take(in, 1) % (NE + 1);
		t->enums = g->e[i];
		for (size_t k = 0; k < t->nenums; k++) {
			g->e[i][k].name = (char *)take_name(in);
			g->e[i][k].value = (int64_t)(take(in, 1) < 128 ? take(in, 1) : take(in, 8));
		}
	}
}

/* The fake process's memory: the value bytes, at FAKE_MEM. */
struct image {
	const uint8_t *p;
	size_t n;
};

static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (addr < FAKE_MEM || len > im->n || addr - FAKE_MEM > im->n - len)
		return -1;
	memcpy(buf, im->p + (addr - FAKE_MEM), len);
	return 0;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct elf_symbol *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/* One module over [FAKE_MEM, FAKE_MEM + 64K): .text and .data with
 * symbols anywhere near them. */
static void build_elf(struct elf_file *ef, struct elf_section *sec, struct elf_symbol *sym,
		      struct input *in)
{
	memset(ef, 0, sizeof(*ef));
	sec[0] = (struct elf_section){ ".text", FAKE_MEM, take(in, 1) * 16, 0, 1, 0x6 };
	sec[1] = (struct elf_section){ ".data", FAKE_MEM + 0x1000, take(in, 2), 0, 1, 0x3 };
	ef->sections = sec;
	ef->nsections = 2;
	for (size_t i = 0; i < NSYM; i++) {
		sym[i].name = (char *)take_name(in);
		if (sym[i].name == NULL)
			sym[i].name = "s";
		sym[i].value = FAKE_MEM + take(in, 2) % 0x2000;
		sym[i].size = take(in, 1) % 32;
		sym[i].type = (unsigned char)(1 + take(in, 1) % 2);   /* OBJECT, FUNC */
		sym[i].bind = (unsigned char)(take(in, 1) % 3);
	}
	qsort(sym, NSYM, sizeof(*sym), sym_cmp);
	ef->symbols = sym;
	ef->nsymbols = NSYM;
}

/* ops decoded from the next (1 + k) bytes; count in *n. */
static struct dw_op *take_ops(struct input *in, struct dw_op *ops, size_t *n)
{
	size_t len = take(in, 1) % 24;

	if (len > in->n)
		len = in->n;
	if (dwexpr_decode(in->p, len, ops, NOPS, n) != 0)
		*n = 0;
	in->p += len;
	in->n -= len;
	return ops;
}

struct fake_frame {
	struct dw_func fn;
	struct dw_var vars[4];
	struct dw_expr loc[4];
	struct dw_op ops[4][NOPS];
	struct dw_expr fb;
	struct dw_op fbops[NOPS];
	struct dw_call_site cs;
	struct dw_call_param cp[2];
	struct dw_op cpops[2][NOPS];
	struct dw_range range;
};

static void build_func(struct fake_frame *ff, const struct graph *g, struct input *in)
{
	memset(ff, 0, sizeof(*ff));
	ff->fn.name = "f";
	ff->fn.lo = 0x100;
	ff->fn.hi = 0x200;
	ff->range = (struct dw_range){ 0x100, 0x200 };
	ff->fn.ranges = &ff->range;
	ff->fn.nranges = 1;
	ff->fn.scope.ranges = &ff->range;
	ff->fn.scope.nranges = 1;
	ff->fb.lo = 0;
	ff->fb.hi = UINT64_MAX;
	ff->fb.ops = take_ops(in, ff->fbops, &ff->fb.nops);
	ff->fn.frame_base = &ff->fb;
	ff->fn.nframe_base = 1;
	ff->fn.scope.vars = ff->vars;
	ff->fn.scope.nvars = take(in, 1) % 5;
	for (size_t k = 0; k < ff->fn.scope.nvars; k++) {
		struct dw_var *v = &ff->vars[k];

		v->name = "v";
		v->kind = (enum dw_var_kind)(take(in, 1) % 4);
		v->type = &g->t[take(in, 1) % g->n];
		v->has_const = (take(in, 1) % 8) == 0;
		v->const_value = (int64_t)take(in, 8);
		ff->loc[k].lo = 0;
		ff->loc[k].hi = UINT64_MAX;
		ff->loc[k].ops = take_ops(in, ff->ops[k], &ff->loc[k].nops);
		v->loc = &ff->loc[k];
		v->nloc = take(in, 1) % 2;
	}
	ff->cs.ret_pc = 0x150;
	ff->cs.params = ff->cp;
	ff->cs.nparams = 2;
	for (size_t k = 0; k < 2; k++) {
		ff->cp[k].reg = (int)(take(in, 1) % 18);
		ff->cp[k].value = take_ops(in, ff->cpops[k], &ff->cp[k].nvalue);
	}
	ff->fn.calls = &ff->cs;
	ff->fn.ncalls = 1;
}

static void fuzz_frame(const struct graph *g, struct input *in, const struct elf_module *mod,
		       const struct mem_reader *mem, const struct vars_opts *o)
{
	static struct fake_frame ff[2];
	struct uw_frame fr[2];
	struct uw_stack st;
	struct uw_input ui;
	struct var_list l = { 0 };

	memset(fr, 0, sizeof(fr));
	for (int i = 0; i < 2; i++) {
		build_func(&ff[i], g, in);
		fr[i].pc = mod->bias + 0x150;
		for (int r = 0; r < DW_NREGS; r++)
			fr[i].regs[r] = take(in, 1) < 128 ? FAKE_MEM + take(in, 1) : take(in, 8);
		fr[i].valid = (uint32_t)take(in, 4);
		fr[i].cfa = FAKE_MEM + take(in, 1);
		fr[i].ret_addr = mod->bias + 0x150;
		fr[i].signal_frame = take(in, 1) % 8 == 0;
		fr[i].loc.func = &ff[i].fn;
		fr[i].loc.mod = mod;
	}
	memset(&st, 0, sizeof(st));
	st.frames = fr;
	st.n = 2;
	memset(&ui, 0, sizeof(ui));
	ui.mem = mem;
	for (size_t i = 0; i < 2; i++) {
		vars_frame(&ui, &st, i, o, &l);
		for (size_t k = 0; k < l.n; k++)
			if (strlen(l.v[k].value) > o->max_value + 3 + 200)
				abort();
		var_list_clear(&l);
	}
	var_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct graph g;
	struct input in = { data, size };
	struct elf_file ef;
	struct elf_section sec[2];
	struct elf_symbol sym[NSYM];
	struct elf_module mod;
	struct elfinfo ei;
	struct image im;
	struct mem_reader mem = { &im, fake_read };
	struct vars_opts o = { 0 };
	struct strbuf sb = { 0 };
	static uint8_t xmm[256];
	int mode = (int)(take(&in, 1) % 2);

	memset(&g, 0, sizeof(g));
	build_types(&g, &in);
	build_elf(&ef, sec, sym, &in);
	mod = (struct elf_module){ &ef, 0, FAKE_MEM, FAKE_MEM + 0x10000, true, false };
	ei = (struct elfinfo){ &mod, 1, 1, NULL };
	o.mem = &mem;
	o.elf = &ei;
	o.max_elems = take(&in, 2) % 400;
	o.max_value = take(&in, 2) % 8192;
	if (mode == 1) {
		struct input rest = in;

		for (size_t i = 0; i < sizeof(xmm); i++)
			xmm[i] = (uint8_t)take(&rest, 1);
		o.xmm = take(&rest, 1) & 1 ? xmm : NULL;
		im = (struct image){ in.p, in.n };
		if (o.max_value == 0)
			o.max_value = 4096;
		fuzz_frame(&g, &rest, &mod, &mem, &o);
		return 0;
	}
	im = (struct image){ in.p, in.n };
	vars_format_at(&g.t[0], in.p, in.n, FAKE_MEM, &o, &sb);
	if (sb.len > (o.max_value ? o.max_value : 4096) + 3)
		abort();
	sb_free(&sb);
	return 0;
}
