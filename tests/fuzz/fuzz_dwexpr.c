/* fuzz_dwexpr.c - libFuzzer harness for the DWARF expression decoder and
 * evaluator (dwexpr.c).  Expressions come from the debug info and CFI of
 * the traced program's objects: untrusted.
 *
 * Input: data[0] selects the context (which of CFA, frame base, pushed
 * value, entry-value resolver are present, which registers are valid,
 * and the decoder's operation limit); data[1..) is the expression.
 * Registers hold values derived from the input; memory is a fake 256-byte
 * window at 0x1000 filled with the expression bytes themselves (so derefs
 * of computed addresses can succeed), every other read fails.
 *
 * Invariants (abort() on violation):
 *  - the decoder never returns more operations than its limit, and with a
 *    larger limit decodes the same operations (a prefix property);
 *  - every skip/bra target index is within [0, n];
 *  - the evaluator returns 0 iff the kind is not DWX_NONE, and sets why
 *    iff it fails; it is deterministic;
 *  - DWX_REG names a register >= 0.
 *   make fuzz && build/fuzz/fuzz_dwexpr tests/fuzz/corpus_dwexpr -max_total_time=60 */
#include <dwarf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dwexpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE 0x1000u
#define MEM_LEN 256u
#define MAX_OPS 512

struct image {
	const uint8_t *p;
	size_t len;
};

/* The fake memory: the expression bytes, repeated over the window. */
static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (addr < MEM_BASE || len > MEM_LEN || addr - MEM_BASE > MEM_LEN - len)
		return -1;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = im->len ? im->p[(addr - MEM_BASE + i) % im->len] : 0;
	return 0;
}

static int entry_value(void *ctx, int reg, uint64_t *out)
{
	(void)ctx;
	if (reg < 0 || reg >= DW_NREGS)
		abort();          /* the evaluator checks the register first */
	if (reg % 3 == 0)
		return -1;
	*out = 0x1000u + (unsigned)reg * 8;
	return 0;
}

/* Same operations (the decoder's output must not depend on its limit). */
static bool same_ops(const struct dw_op *a, const struct dw_op *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].op != b[i].op || a[i].a != b[i].a || a[i].b != b[i].b ||
		    a[i].block != b[i].block || a[i].blen != b[i].blen)
			return false;
	return true;
}

static void check_result(int rc, const struct dwexpr_result *r)
{
	if ((rc == 0) != (r->kind != DWX_NONE) || (rc != 0) != (r->why != NULL))
		abort();
	if (r->kind == DWX_REG && r->reg < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dw_op ops[MAX_OPS], big[MAX_OPS * 2];
	const struct dwexpr_entry entry = { NULL, entry_value };
	struct image im;
	struct mem_reader mem = { &im, fake_read };
	struct dwexpr_ctx c;
	struct dwexpr_result r1, r2;
	size_t n, nbig, max;
	uint8_t sel;
	int rc1, rc2;

	if (size < 1)
		return 0;
	sel = data[0];
	im.p = data + 1;
	im.len = size - 1;
	max = sel & 0x80 ? 8 : MAX_OPS;
	memset(&c, 0, sizeof(c));
	for (int i = 0; i < DW_NREGS; i++)
		c.regs[i] = MEM_BASE + (uint64_t)i * 13 + sel;
	c.valid = sel & 1 ? (1u << DW_NREGS) - 1 : 0x5555u;
	c.has_cfa = sel & 2;
	c.cfa = MEM_BASE + 0x40;
	c.has_frame_base = sel & 4;
	c.frame_base = MEM_BASE + 0x80;
	c.has_push_first = sel & 8;
	c.push_first = MEM_BASE + 0x10;
	c.entry = sel & 16 ? &entry : NULL;
	c.mem = sel & 32 ? NULL : &mem;
	c.bias = sel & 64 ? 0x7f0000000000ull : 0;

	if (dwexpr_decode(im.p, im.len, ops, max, &n) != 0)
		return 0;
	if (n > max)
		abort();
	/* a larger limit decodes the same operations */
	if (dwexpr_decode(im.p, im.len, big, ARRAY_LEN(big), &nbig) != 0 || nbig != n ||
	    !same_ops(ops, big, n))
		abort();
	for (size_t i = 0; i < n; i++)
		if ((ops[i].op == DW_OP_skip || ops[i].op == DW_OP_bra) && ops[i].b > n)
			abort();
	rc1 = dwexpr_eval(ops, n, &c, &r1);
	check_result(rc1, &r1);
	rc2 = dwexpr_eval(ops, n, &c, &r2);
	if (rc1 != rc2 || r1.kind != r2.kind || r1.value != r2.value || r1.reg != r2.reg ||
	    r1.piece != r2.piece)
		abort();
	/* every prefix evaluates without harm too (a truncated program) */
	for (size_t k = 0; k < n && k < 16; k++) {
		rc2 = dwexpr_eval(ops, k, &c, &r2);
		check_result(rc2, &r2);
	}
	return 0;
}
