/*
 * dwexpr.c - DWARF expressions: a decoder from bytes to operations and a
 * stack machine that evaluates them, for variables' locations, frame bases
 * and CFI's expression rules.
 *
 * DECODING.  Every DWARF 5 DW_OP_* and the GNU extensions gcc emits
 * (DW_OP_GNU_entry_value 0xf3, GNU_const_type, GNU_regval_type ...) are
 * decoded with their operands, so any expression can be walked even when
 * some of its operations cannot be evaluated.  An unknown opcode makes the
 * expression malformed: its operands' length is unknown, so nothing after
 * it could be trusted.  DW_OP_skip and DW_OP_bra keep their byte offset in
 * `a` and get the index of the operation they land on in `b` (an offset
 * that does not land on an operation boundary, or outside [0, len], is
 * malformed): the evaluator then works in operation indices only.
 *
 * EVALUATION.  A 64-bit stack of DWEXPR_MAX_STACK entries; every step
 * counts, and DWEXPR_MAX_STEPS ends a backward-branching loop.  Arithmetic
 * is on the generic (address-sized, 64-bit) type as gdb does it: div and
 * the comparisons are signed, mod and shr unsigned, shifts of 64 or more
 * give 0 (shra: the sign).  The result is a location kind: DWX_REG (a lone
 * DW_OP_reg*), DWX_VALUE (DW_OP_stack_value, DW_OP_implicit_value of at
 * most 8 bytes), DWX_ADDR (the top of the stack), or DWX_NONE with a short
 * reason.  A single DW_OP_piece at the very end is allowed and reported in
 * out->piece (a variable living in the low part of a register, say); any
 * composite of several pieces is DWX_NONE "DW_OP_piece".
 *
 * DW_OP_entry_value: its block must be a lone DW_OP_regN or DW_OP_regx;
 * the value that register had on entry to the frame comes from
 * ctx->entry (a call site of the caller), else the result is DWX_NONE
 * "entry value unknown".
 */
#include <dwarf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dwexpr.h"
#include "util.h"

/* How an opcode's operands are encoded. */
enum opnd {
	OPD_BAD,                  /* unknown opcode */
	OPD_NONE,
	OPD_U8, OPD_S8, OPD_U16, OPD_S16, OPD_U32, OPD_S32, OPD_U64, OPD_S64,
	OPD_ULEB, OPD_SLEB,
	OPD_ULEB_SLEB,            /* bregx: register, offset */
	OPD_ULEB_ULEB,            /* bit_piece, regval_type */
	OPD_BLOCK,                /* ULEB length, then the bytes */
	OPD_U8_ULEB,              /* deref_type: size, type */
	OPD_TYPE_CONST,           /* const_type: ULEB type, u8 size, the bytes */
	OPD_REF4_SLEB,            /* implicit_pointer: DIE offset, byte offset */
	OPD_ENCODED,              /* GNU_encoded_addr: an eh pointer encoding */
	OPD_BRANCH,               /* skip, bra: s16 */
};

/* The operand encoding of op. */
static enum opnd op_operands(uint8_t op)
{
	if (op >= DW_OP_lit0 && op <= DW_OP_reg31)
		return OPD_NONE;
	if (op >= DW_OP_breg0 && op <= DW_OP_breg31)
		return OPD_SLEB;
	switch (op) {
	case DW_OP_addr: case DW_OP_const8u:
		return OPD_U64;
	case DW_OP_const8s:
		return OPD_S64;
	case DW_OP_const1u: case DW_OP_pick: case DW_OP_deref_size:
	case DW_OP_xderef_size:
		return OPD_U8;
	case DW_OP_const1s:
		return OPD_S8;
	case DW_OP_const2u: case DW_OP_call2:
		return OPD_U16;
	case DW_OP_const2s:
		return OPD_S16;
	case DW_OP_const4u: case DW_OP_call4: case DW_OP_call_ref:
	case DW_OP_GNU_parameter_ref: case DW_OP_GNU_variable_value:
		return OPD_U32;
	case DW_OP_const4s:
		return OPD_S32;
	case DW_OP_constu: case DW_OP_plus_uconst: case DW_OP_regx:
	case DW_OP_piece: case DW_OP_addrx: case DW_OP_constx:
	case DW_OP_convert: case DW_OP_reinterpret: case DW_OP_GNU_convert:
	case DW_OP_GNU_reinterpret: case DW_OP_GNU_addr_index:
	case DW_OP_GNU_const_index:
		return OPD_ULEB;
	case DW_OP_consts: case DW_OP_fbreg:
		return OPD_SLEB;
	case DW_OP_bregx:
		return OPD_ULEB_SLEB;
	case DW_OP_bit_piece: case DW_OP_regval_type: case DW_OP_GNU_regval_type:
		return OPD_ULEB_ULEB;
	case DW_OP_implicit_value: case DW_OP_entry_value: case DW_OP_GNU_entry_value:
		return OPD_BLOCK;
	case DW_OP_deref_type: case DW_OP_xderef_type: case DW_OP_GNU_deref_type:
		return OPD_U8_ULEB;
	case DW_OP_const_type: case DW_OP_GNU_const_type:
		return OPD_TYPE_CONST;
	case DW_OP_implicit_pointer: case DW_OP_GNU_implicit_pointer:
		return OPD_REF4_SLEB;
	case DW_OP_GNU_encoded_addr:
		return OPD_ENCODED;
	case DW_OP_skip: case DW_OP_bra:
		return OPD_BRANCH;
	case DW_OP_deref: case DW_OP_dup: case DW_OP_drop: case DW_OP_over:
	case DW_OP_swap: case DW_OP_rot: case DW_OP_xderef: case DW_OP_abs:
	case DW_OP_and: case DW_OP_div: case DW_OP_minus: case DW_OP_mod:
	case DW_OP_mul: case DW_OP_neg: case DW_OP_not: case DW_OP_or:
	case DW_OP_plus: case DW_OP_shl: case DW_OP_shr: case DW_OP_shra:
	case DW_OP_xor: case DW_OP_eq: case DW_OP_ge: case DW_OP_gt:
	case DW_OP_le: case DW_OP_lt: case DW_OP_ne: case DW_OP_nop:
	case DW_OP_push_object_address: case DW_OP_form_tls_address:
	case DW_OP_call_frame_cfa: case DW_OP_stack_value:
	case DW_OP_GNU_push_tls_address: case DW_OP_GNU_uninit:
		return OPD_NONE;
	}
	return OPD_BAD;
}

/* A cursor over the expression's bytes: every read is bounds-checked and
 * a failed one sets bad (and reads as 0). */
struct cur {
	const uint8_t *p;
	size_t len, at;
	bool bad;
};

/* n little-endian bytes as an unsigned value. */
static uint64_t rd_fixed(struct cur *c, unsigned n)
{
	uint64_t v = 0;

	if (c->bad || c->len - c->at < n) {
		c->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)c->p[c->at + i] << (8 * i);
	c->at += n;
	return v;
}

/* n bytes sign-extended from their top bit. */
static uint64_t rd_sfixed(struct cur *c, unsigned n)
{
	uint64_t v = rd_fixed(c, n);

	if (n < 8 && (v >> (8 * n - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * n);
	return v;
}

/* A LEB128.  Bits past 64 are dropped (gdb does the same); the encoding
 * must still end inside the expression. */
static uint64_t rd_leb(struct cur *c, bool sign)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		if (c->bad || c->at >= c->len) {
			c->bad = true;
			return 0;
		}
		b = c->p[c->at++];
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return v;
}

/* A block of n bytes at the cursor. */
static const uint8_t *rd_block(struct cur *c, uint64_t n)
{
	const uint8_t *b;

	if (c->bad || n > c->len - c->at) {
		c->bad = true;
		return NULL;
	}
	b = c->p + c->at;
	c->at += n;
	return b;
}

/* GNU_encoded_addr: an .eh_frame pointer encoding byte and its value. */
static void rd_encoded(struct cur *c, struct dw_op *o)
{
	static const unsigned size[16] = { 8, 0, 2, 4, 8, 0, 0, 0, 0, 0, 2, 4, 8 };
	uint8_t enc = (uint8_t)rd_fixed(c, 1);

	o->b = enc;
	if ((enc & 0x0f) == 0x01)
		o->a = rd_leb(c, false);
	else if ((enc & 0x0f) == 0x09)
		o->a = rd_leb(c, true);
	else if (size[enc & 0x0f])
		o->a = rd_fixed(c, size[enc & 0x0f]);
	else
		c->bad = true;
}

/* Read op's operands into o. */
static void rd_operands(struct cur *c, enum opnd k, struct dw_op *o)
{
	switch (k) {
	case OPD_BAD: c->bad = true; break;
	case OPD_NONE: break;
	case OPD_U8: o->a = rd_fixed(c, 1); break;
	case OPD_S8: o->a = rd_sfixed(c, 1); break;
	case OPD_U16: o->a = rd_fixed(c, 2); break;
	case OPD_S16: case OPD_BRANCH: o->a = rd_sfixed(c, 2); break;
	case OPD_U32: o->a = rd_fixed(c, 4); break;
	case OPD_S32: o->a = rd_sfixed(c, 4); break;
	case OPD_U64: case OPD_S64: o->a = rd_fixed(c, 8); break;
	case OPD_ULEB: o->a = rd_leb(c, false); break;
	case OPD_SLEB: o->a = rd_leb(c, true); break;
	case OPD_ULEB_SLEB: o->a = rd_leb(c, false); o->b = rd_leb(c, true); break;
	case OPD_ULEB_ULEB: o->a = rd_leb(c, false); o->b = rd_leb(c, false); break;
	case OPD_BLOCK:
		o->blen = rd_leb(c, false);
		o->block = rd_block(c, o->blen);
		break;
	case OPD_U8_ULEB: o->a = rd_fixed(c, 1); o->b = rd_leb(c, false); break;
	case OPD_TYPE_CONST:
		o->a = rd_leb(c, false);
		o->blen = rd_fixed(c, 1);
		o->block = rd_block(c, o->blen);
		break;
	case OPD_REF4_SLEB: o->a = rd_fixed(c, 4); o->b = rd_leb(c, true); break;
	case OPD_ENCODED: rd_encoded(c, o); break;
	}
	if (c->bad)
		o->blen = 0, o->block = NULL;
}

/* Decode one operation at the cursor; false if malformed. */
static bool decode_one(struct cur *c, struct dw_op *o)
{
	memset(o, 0, sizeof(*o));
	o->op = (uint8_t)rd_fixed(c, 1);
	if (c->bad)
		return false;
	rd_operands(c, op_operands(o->op), o);
	return !c->bad;
}

/* Point every skip/bra at the index of the operation its byte offset lands
 * on.  Re-walks the bytes to learn where each operation starts (the ops
 * keep no offsets); only expressions with branches pay for it. */
static int resolve_branches(const uint8_t *p, size_t len, struct dw_op *ops, size_t n)
{
	size_t *offs = xmalloc((n + 1) * sizeof(*offs));
	struct cur c = { p, len, 0, false };
	struct dw_op tmp;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		offs[i] = c.at;
		if (!decode_one(&c, &tmp))
			goto out;
	}
	offs[n] = c.at;
	for (size_t i = 0; i < n; i++) {
		if (ops[i].op != DW_OP_skip && ops[i].op != DW_OP_bra)
			continue;
		/* target = the end of this op + the signed offset */
		int64_t t = (int64_t)offs[i + 1] + (int64_t)ops[i].a;
		size_t lo = 0, hi = n + 1;
		if (t < 0 || (uint64_t)t > len)
			goto out;
		while (lo < hi) {         /* offs is increasing */
			size_t mid = lo + (hi - lo) / 2;
			if (offs[mid] < (uint64_t)t)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > n || offs[lo] != (uint64_t)t)
			goto out;         /* lands inside an operation */
		ops[i].b = lo;
	}
	rc = 0;
out:
	free(offs);
	return rc;
}

int dwexpr_decode(const uint8_t *p, size_t len, struct dw_op *ops, size_t max, size_t *n)
{
	struct cur c = { p, len, 0, false };
	bool branches = false;

	*n = 0;
	while (c.at < len) {
		if (*n >= max || !decode_one(&c, &ops[*n]))
			return -1;
		if (ops[*n].op == DW_OP_skip || ops[*n].op == DW_OP_bra)
			branches = true;
		(*n)++;
	}
	if (branches && resolve_branches(p, len, ops, *n) < 0)
		return -1;
	return 0;
}

/* ---- evaluation ---- */

struct machine {
	uint64_t st[DWEXPR_MAX_STACK];
	size_t sp;
	const struct dwexpr_ctx *c;
	const char *why;          /* set: evaluation failed */
};

static bool fail(struct machine *m, const char *why)
{
	if (!m->why)
		m->why = why;
	return false;
}

static bool push(struct machine *m, uint64_t v)
{
	if (m->sp >= DWEXPR_MAX_STACK)
		return fail(m, "DWARF stack overflow");
	m->st[m->sp++] = v;
	return true;
}

/* Need at least k entries on the stack. */
static bool need(struct machine *m, size_t k)
{
	return m->sp >= k ? true : fail(m, "DWARF stack underflow");
}

/* Little-endian value of a block of at most 8 bytes. */
static uint64_t block_value(const uint8_t *b, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* Read size (1..8) bytes of memory at addr, zero-extended. */
static bool mem_read(struct machine *m, uint64_t addr, uint64_t size, uint64_t *out)
{
	uint8_t b[8];

	if (size < 1 || size > 8)
		return fail(m, "bad deref size");
	if (!m->c->mem)
		return fail(m, "no memory to read");
	if (m->c->mem->read(m->c->mem->ctx, addr, b, size) != 0)
		return fail(m, "memory unreadable");
	*out = block_value(b, size);
	return true;
}

/* A register's value in this frame. */
static bool reg_value(struct machine *m, uint64_t r, uint64_t *out)
{
	if (r >= DW_NREGS)
		return fail(m, "register unknown");
	if (!(m->c->valid & (1u << r)))
		return fail(m, "register not saved");
	*out = m->c->regs[r];
	return true;
}

/* DW_OP_entry_value: the block must be a lone DW_OP_regN/regx; ask the
 * caller's call site for that register's value at entry. */
static bool entry_value(struct machine *m, const struct dw_op *o)
{
	struct dw_op in[2];
	size_t n;
	uint64_t reg, v;

	if (!o->block || dwexpr_decode(o->block, o->blen, in, 2, &n) < 0 || n != 1)
		return fail(m, "entry value unknown");
	if (in[0].op >= DW_OP_reg0 && in[0].op <= DW_OP_reg31)
		reg = in[0].op - DW_OP_reg0;
	else if (in[0].op == DW_OP_regx)
		reg = in[0].a;
	else
		return fail(m, "entry value unknown");
	if (reg >= DW_NREGS || !m->c->entry || !m->c->entry->value ||
	    m->c->entry->value(m->c->entry->ctx, (int)reg, &v) != 0)
		return fail(m, "entry value unknown");
	return push(m, v);
}

/* Binary arithmetic, logic and comparisons on the two top entries. */
static bool binop(struct machine *m, uint8_t op)
{
	uint64_t b, a, r;

	if (!need(m, 2))
		return false;
	b = m->st[--m->sp];
	a = m->st[m->sp - 1];
	switch (op) {
	case DW_OP_and: r = a & b; break;
	case DW_OP_or: r = a | b; break;
	case DW_OP_xor: r = a ^ b; break;
	case DW_OP_plus: r = a + b; break;
	case DW_OP_minus: r = a - b; break;
	case DW_OP_mul: r = a * b; break;
	case DW_OP_div:
		if (b == 0)
			return fail(m, "division by zero");
		if ((int64_t)a == INT64_MIN && (int64_t)b == -1)
			r = a;    /* wraps, as the hardware would */
		else
			r = (uint64_t)((int64_t)a / (int64_t)b);
		break;
	case DW_OP_mod:
		if (b == 0)
			return fail(m, "division by zero");
		r = a % b;
		break;
	case DW_OP_shl: r = b >= 64 ? 0 : a << b; break;
	case DW_OP_shr: r = b >= 64 ? 0 : a >> b; break;
	case DW_OP_shra:
		if (b >= 64)
			r = (int64_t)a < 0 ? ~(uint64_t)0 : 0;
		else
			r = (int64_t)a < 0 ? ~(~a >> b) : a >> b;
		break;
	case DW_OP_eq: r = a == b; break;
	case DW_OP_ne: r = a != b; break;
	case DW_OP_ge: r = (int64_t)a >= (int64_t)b; break;
	case DW_OP_gt: r = (int64_t)a > (int64_t)b; break;
	case DW_OP_le: r = (int64_t)a <= (int64_t)b; break;
	case DW_OP_lt: r = (int64_t)a < (int64_t)b; break;
	default: return fail(m, "bad operation");
	}
	m->st[m->sp - 1] = r;
	return true;
}

/* Stack shuffling: dup, drop, over, pick, swap, rot. */
static bool stackop(struct machine *m, const struct dw_op *o)
{
	uint64_t t;

	switch (o->op) {
	case DW_OP_dup:
		return need(m, 1) && push(m, m->st[m->sp - 1]);
	case DW_OP_drop:
		if (!need(m, 1))
			return false;
		m->sp--;
		return true;
	case DW_OP_over:
		return need(m, 2) && push(m, m->st[m->sp - 2]);
	case DW_OP_pick:
		return need(m, o->a + 1) && push(m, m->st[m->sp - 1 - o->a]);
	case DW_OP_swap:
		if (!need(m, 2))
			return false;
		t = m->st[m->sp - 1];
		m->st[m->sp - 1] = m->st[m->sp - 2];
		m->st[m->sp - 2] = t;
		return true;
	case DW_OP_rot:           /* a b c (c on top) -> c a b */
		if (!need(m, 3))
			return false;
		t = m->st[m->sp - 1];
		m->st[m->sp - 1] = m->st[m->sp - 2];
		m->st[m->sp - 2] = m->st[m->sp - 3];
		m->st[m->sp - 3] = t;
		return true;
	}
	return fail(m, "bad operation");
}

/* Operations that push one computed value (constants, registers, memory). */
static bool valueop(struct machine *m, const struct dw_op *o)
{
	const struct dwexpr_ctx *c = m->c;
	uint64_t v;

	if (o->op >= DW_OP_lit0 && o->op <= DW_OP_lit31)
		return push(m, o->op - DW_OP_lit0);
	if (o->op >= DW_OP_breg0 && o->op <= DW_OP_breg31)
		return reg_value(m, o->op - DW_OP_breg0, &v) && push(m, v + o->a);
	switch (o->op) {
	case DW_OP_addr:
		return push(m, o->a + c->bias);
	case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u:
	case DW_OP_const2s: case DW_OP_const4u: case DW_OP_const4s:
	case DW_OP_const8u: case DW_OP_const8s: case DW_OP_constu:
	case DW_OP_consts:
		return push(m, o->a);
	case DW_OP_bregx:
		return reg_value(m, o->a, &v) && push(m, v + o->b);
	case DW_OP_regval_type: case DW_OP_GNU_regval_type:
		return reg_value(m, o->a, &v) && push(m, v);
	case DW_OP_const_type: case DW_OP_GNU_const_type:
		if (!o->block || o->blen > 8)
			return fail(m, "typed constant over 8 bytes");
		return push(m, block_value(o->block, o->blen));
	case DW_OP_fbreg:
		if (!c->has_frame_base)
			return fail(m, "no frame base");
		return push(m, c->frame_base + o->a);
	case DW_OP_call_frame_cfa:
		if (!c->has_cfa)
			return fail(m, "no CFA");
		return push(m, c->cfa);
	case DW_OP_entry_value: case DW_OP_GNU_entry_value:
		return entry_value(m, o);
	}
	return fail(m, "bad operation");
}

/* Operations that replace the top: deref*, abs, neg, not, plus_uconst. */
static bool unop(struct machine *m, const struct dw_op *o)
{
	uint64_t *t, v;

	if (!need(m, 1))
		return false;
	t = &m->st[m->sp - 1];
	switch (o->op) {
	case DW_OP_deref:
		return mem_read(m, *t, 8, t);
	case DW_OP_deref_size:
		return mem_read(m, *t, o->a, t);
	case DW_OP_deref_type: case DW_OP_GNU_deref_type:
		if (!mem_read(m, *t, o->a, &v))
			return false;
		*t = v;
		return true;
	case DW_OP_abs:
		if ((int64_t)*t < 0)
			*t = -*t;
		return true;
	case DW_OP_neg: *t = -*t; return true;
	case DW_OP_not: *t = ~*t; return true;
	case DW_OP_plus_uconst: *t += o->a; return true;
	case DW_OP_convert: case DW_OP_reinterpret:
	case DW_OP_GNU_convert: case DW_OP_GNU_reinterpret:
		/* to the generic type: nothing changes; to a base type we
		 * cannot see (no DIE access here): refuse rather than guess
		 * a sign or a width */
		return o->a == 0 ? true : fail(m, "typed DWARF stack");
	}
	return fail(m, "bad operation");
}

/* Why an operation we decode is never evaluated. */
static const char *unsupported(uint8_t op)
{
	switch (op) {
	case DW_OP_xderef: case DW_OP_xderef_size: case DW_OP_xderef_type:
		return "DW_OP_xderef";
	case DW_OP_push_object_address: return "DW_OP_push_object_address";
	case DW_OP_call2: case DW_OP_call4: case DW_OP_call_ref: return "DW_OP_call";
	case DW_OP_form_tls_address: case DW_OP_GNU_push_tls_address:
		return "thread-local storage";
	case DW_OP_implicit_pointer: case DW_OP_GNU_implicit_pointer:
		return "implicit pointer";
	case DW_OP_addrx: case DW_OP_constx: case DW_OP_GNU_addr_index:
	case DW_OP_GNU_const_index:
		return "DW_OP_addrx (.debug_addr)";
	case DW_OP_GNU_parameter_ref: return "DW_OP_GNU_parameter_ref";
	case DW_OP_GNU_variable_value: return "DW_OP_GNU_variable_value";
	case DW_OP_GNU_encoded_addr: return "DW_OP_GNU_encoded_addr";
	case DW_OP_bit_piece: return "DW_OP_bit_piece";
	}
	return "unknown operation";
}

/* Where the location stands once an operation has named it. */
enum locstate { LOC_STACK, LOC_REG, LOC_VALUE };

struct loc {
	enum locstate st;
	uint64_t value;
	int reg;
};

/* One step of ops[*i]; advances *i.  false: stop (m->why says why). */
static bool step(struct machine *m, const struct dw_op *ops, size_t *i, struct loc *l)
{
	const struct dw_op *o = &ops[*i];

	(*i)++;
	/* a location names itself last (only a piece, or GNU's "uninitialized"
	 * mark, may follow) */
	if (l->st != LOC_STACK && o->op != DW_OP_piece && o->op != DW_OP_GNU_uninit)
		return fail(m, "operation after a register or value location");
	if (o->op >= DW_OP_reg0 && o->op <= DW_OP_reg31) {
		l->st = LOC_REG;
		l->reg = o->op - DW_OP_reg0;
		return true;
	}
	switch (o->op) {
	case DW_OP_regx:
		if (o->a > INT_MAX)
			return fail(m, "register unknown");
		l->st = LOC_REG;
		l->reg = (int)o->a;
		return true;
	case DW_OP_stack_value:
		if (!need(m, 1))
			return false;
		l->st = LOC_VALUE;
		l->value = m->st[m->sp - 1];
		return true;
	case DW_OP_implicit_value:
		if (!o->block || o->blen > 8)
			return fail(m, "implicit value over 8 bytes");
		l->st = LOC_VALUE;
		l->value = block_value(o->block, o->blen);
		return true;
	case DW_OP_skip:
		*i = o->b;
		return true;
	case DW_OP_bra:
		if (!need(m, 1))
			return false;
		if (m->st[--m->sp] != 0)
			*i = o->b;
		return true;
	case DW_OP_nop: case DW_OP_GNU_uninit:
		return true;
	case DW_OP_piece:
		/* only a lone final piece reaches here (see dwexpr_eval) */
		return true;
	case DW_OP_dup: case DW_OP_drop: case DW_OP_over: case DW_OP_pick:
	case DW_OP_swap: case DW_OP_rot:
		return stackop(m, o);
	case DW_OP_and: case DW_OP_or: case DW_OP_xor: case DW_OP_plus:
	case DW_OP_minus: case DW_OP_mul: case DW_OP_div: case DW_OP_mod:
	case DW_OP_shl: case DW_OP_shr: case DW_OP_shra: case DW_OP_eq:
	case DW_OP_ne: case DW_OP_ge: case DW_OP_gt: case DW_OP_le: case DW_OP_lt:
		return binop(m, o->op);
	case DW_OP_deref: case DW_OP_deref_size: case DW_OP_deref_type:
	case DW_OP_GNU_deref_type: case DW_OP_abs: case DW_OP_neg: case DW_OP_not:
	case DW_OP_plus_uconst: case DW_OP_convert: case DW_OP_reinterpret:
	case DW_OP_GNU_convert: case DW_OP_GNU_reinterpret:
		return unop(m, o);
	}
	if ((o->op >= DW_OP_lit0 && o->op <= DW_OP_lit31) ||
	    (o->op >= DW_OP_breg0 && o->op <= DW_OP_breg31))
		return valueop(m, o);
	switch (o->op) {
	case DW_OP_addr: case DW_OP_const1u: case DW_OP_const1s: case DW_OP_const2u:
	case DW_OP_const2s: case DW_OP_const4u: case DW_OP_const4s:
	case DW_OP_const8u: case DW_OP_const8s: case DW_OP_constu:
	case DW_OP_consts: case DW_OP_bregx: case DW_OP_regval_type:
	case DW_OP_GNU_regval_type: case DW_OP_const_type: case DW_OP_GNU_const_type:
	case DW_OP_fbreg: case DW_OP_call_frame_cfa: case DW_OP_entry_value:
	case DW_OP_GNU_entry_value:
		return valueop(m, o);
	}
	return fail(m, unsupported(o->op));
}

/* A lone DW_OP_piece as the last operation is the whole location (its size
 * is reported); any other piece makes a composite we do not assemble.
 * NULL, or why not. */
static const char *pieces_ok(const struct dw_op *ops, size_t n, uint64_t *piece)
{
	*piece = 0;
	for (size_t i = 0; i < n; i++) {
		if (ops[i].op == DW_OP_bit_piece)
			return "DW_OP_bit_piece";
		if (ops[i].op != DW_OP_piece)
			continue;
		if (i != n - 1)
			return "DW_OP_piece";
		*piece = ops[i].a;
	}
	return NULL;
}

int dwexpr_eval(const struct dw_op *ops, size_t n, const struct dwexpr_ctx *c,
		struct dwexpr_result *out)
{
	struct machine m = { .sp = 0, .c = c, .why = NULL };
	struct loc l = { LOC_STACK, 0, -1 };
	size_t i = 0, steps = 0;

	memset(out, 0, sizeof(*out));
	out->kind = DWX_NONE;
	out->reg = -1;
	if ((out->why = pieces_ok(ops, n, &out->piece)) != NULL)
		return -1;
	if (c->has_push_first)
		push(&m, c->push_first);
	while (i < n && !m.why) {
		if (++steps > DWEXPR_MAX_STEPS) {
			fail(&m, "too many steps");
			break;
		}
		if (!step(&m, ops, &i, &l))
			break;
	}
	if (m.why) {
		out->why = m.why;
		return -1;
	}
	switch (l.st) {
	case LOC_REG:
		out->kind = DWX_REG;
		out->reg = l.reg;
		break;
	case LOC_VALUE:
		out->kind = DWX_VALUE;
		out->value = l.value;
		break;
	case LOC_STACK:
		if (m.sp == 0) {
			/* an empty location (or a lone piece): optimized out */
			out->why = "optimized out";
			return -1;
		}
		out->kind = DWX_ADDR;
		out->value = m.st[m.sp - 1];
		break;
	}
	return 0;
}

const struct dw_expr *dwexpr_at(const struct dw_expr *list, size_t n, uint64_t pc)
{
	for (size_t i = 0; i < n; i++)
		if (pc >= list[i].lo && pc < list[i].hi)
			return &list[i];
	return NULL;
}

const char *dwexpr_reg_name(int r)
{
	static const char *const names[DW_NREGS] = {
		"rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp",
		"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
	};

	return r >= 0 && r < DW_NREGS ? names[r] : NULL;
}
