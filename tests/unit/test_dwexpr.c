/* test_dwexpr.c - the DWARF expression decoder and evaluator.
 *
 * 1. Hand-assembled expressions for every class of operation, with the
 *    results the DWARF 5 specification (section 2.5) gives, and malformed
 *    ones (truncated operands, unknown opcodes, branches into an operation
 *    or out of the expression, loops, stack under/overflow).
 * 2. Every expression gcc writes for a small program compiled at test time
 *    with `cc -g -O2` (exprlocs and .debug_loclists entries), and those of
 *    the first units of libc's debug file, decoded by us and by libdwarf's
 *    own decoder (an independent implementation): same operations, same
 *    operands.
 * 3. That program runs to a raise(SIGSTOP) inside a function whose locals
 *    live in callee-saved registers, on the stack and in the caller (an
 *    entry value); it prints their values first.  The test unwinds it,
 *    evaluates each variable's location (location lists at the pc, the
 *    frame base, DW_OP_entry_value through the caller's call site) and
 *    must find the printed values.
 */
#include <dwarf.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libdwarf.h>
#include <libelf.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "debuginfo.h"
#include "dwexpr.h"
#include "dwobj.h"
#include "space.h"
#include "unwind.h"

int main(void);

/* ---- 1. hand-assembled expressions ---- */

/* Fake memory: 64 bytes at 0x1000 holding i*0x11 at byte i. */
static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < 0x1000 || addr > 0x1040 || len > 0x1040 - addr)
		return -1;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)((addr - 0x1000 + i) * 0x11);
	return 0;
}

static const struct mem_reader fake_mem = { NULL, fake_read };

static int entry_42(void *ctx, int reg, uint64_t *out)
{
	(void)ctx;
	if (reg != 5)
		return -1;
	*out = 42;
	return 0;
}

static const struct dwexpr_entry entry = { NULL, entry_42 };

/* A context: rbp valid = 0x2000, rdi = 7, rsp = 0x3000; CFA 0x3010,
 * frame base 0x3100, bias 0x10000. */
static struct dwexpr_ctx ctx(void)
{
	struct dwexpr_ctx c = { 0 };

	c.regs[DW_REG_RBP] = 0x2000;
	c.regs[5] = 7;
	c.regs[DW_REG_RSP] = 0x3000;
	c.valid = (1u << DW_REG_RBP) | (1u << 5) | (1u << DW_REG_RSP);
	c.cfa = 0x3010;
	c.has_cfa = true;
	c.frame_base = 0x3100;
	c.has_frame_base = true;
	c.bias = 0x10000;
	c.mem = &fake_mem;
	c.entry = &entry;
	return c;
}

/* Decode and evaluate; the result (why "decode" if it did not decode). */
static struct dwexpr_result run(const uint8_t *b, size_t n, const struct dwexpr_ctx *c)
{
	struct dw_op ops[64];
	size_t nops;
	struct dwexpr_result r = { .kind = DWX_NONE, .why = "decode" };

	if (dwexpr_decode(b, n, ops, 64, &nops) == 0)
		dwexpr_eval(ops, nops, c, &r);
	return r;
}

#define RUN(c, ...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; run(b_, sizeof(b_), (c)); })

/* The expression's value (DW_OP_stack_value) or address must be v. */
#define VALUE_IS(v, ...) do { struct dwexpr_ctx c_ = ctx(); \
	struct dwexpr_result r_ = RUN(&c_, __VA_ARGS__, DW_OP_stack_value); \
	if (r_.kind != DWX_VALUE) { fprintf(stderr, "%s:%d: not a value: %s\n", __FILE__, \
		__LINE__, r_.why ? r_.why : "?"); check_failures++; } \
	else CHECK_EQ_U(r_.value, (uint64_t)(v)); } while (0)
#define FAILS(reason, ...) do { struct dwexpr_ctx c_ = ctx(); \
	struct dwexpr_result r_ = RUN(&c_, __VA_ARGS__); \
	CHECK(r_.kind == DWX_NONE); CHECK_STR(r_.why, reason); } while (0)

static void test_constants(void)
{
	VALUE_IS(5, DW_OP_lit5);
	VALUE_IS(31, DW_OP_lit31);
	VALUE_IS(0xff, DW_OP_const1u, 0xff);
	VALUE_IS(-1, DW_OP_const1s, 0xff);
	VALUE_IS(0x8000, DW_OP_const2u, 0x00, 0x80);
	VALUE_IS(-32768, DW_OP_const2s, 0x00, 0x80);
	VALUE_IS(0x87654321, DW_OP_const4u, 0x21, 0x43, 0x65, 0x87);
	VALUE_IS((int32_t)0x87654321, DW_OP_const4s, 0x21, 0x43, 0x65, 0x87);
	VALUE_IS(0x0123456789abcdefull, DW_OP_const8u, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45,
		 0x23, 0x01);
	VALUE_IS(-2, DW_OP_const8s, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	/* the LEB128 examples of DWARF 5 section 7.6 */
	VALUE_IS(624485, DW_OP_constu, 0xe5, 0x8e, 0x26);
	VALUE_IS(-123456, DW_OP_consts, 0xc0, 0xbb, 0x78);
	VALUE_IS(-128, DW_OP_consts, 0x80, 0x7f);
	VALUE_IS(127, DW_OP_constu, 0x7f);
	VALUE_IS(0x10000 + 0x4024, DW_OP_addr, 0x24, 0x40, 0, 0, 0, 0, 0, 0);
}

static void test_stack_ops(void)
{
	VALUE_IS(4, DW_OP_lit1, DW_OP_lit2, DW_OP_lit3, DW_OP_rot, DW_OP_minus, DW_OP_minus);
	VALUE_IS(5, DW_OP_lit5, DW_OP_lit6, DW_OP_lit7, DW_OP_pick, 2);
	VALUE_IS(7, DW_OP_lit5, DW_OP_lit6, DW_OP_lit7, DW_OP_pick, 0);
	VALUE_IS(5, DW_OP_lit5, DW_OP_lit6, DW_OP_over);
	VALUE_IS(1, DW_OP_lit5, DW_OP_lit6, DW_OP_swap, DW_OP_minus);
	VALUE_IS(10, DW_OP_lit5, DW_OP_dup, DW_OP_plus);
	VALUE_IS(5, DW_OP_lit5, DW_OP_lit6, DW_OP_drop);
	VALUE_IS(3, DW_OP_lit3, DW_OP_nop);
	FAILS("DWARF stack underflow", DW_OP_lit5, DW_OP_pick, 1);
	FAILS("DWARF stack underflow", DW_OP_plus);
	FAILS("DWARF stack underflow", DW_OP_lit1, DW_OP_rot);
	FAILS("DWARF stack underflow", DW_OP_drop);
	FAILS("DWARF stack underflow", DW_OP_stack_value);
}

static void test_arithmetic(void)
{
	VALUE_IS(-3, DW_OP_consts, 0x79, DW_OP_lit2, DW_OP_div);           /* -7 / 2 */
	VALUE_IS(1, DW_OP_lit7, DW_OP_lit3, DW_OP_mod);
	VALUE_IS(0, DW_OP_consts, 0x7f, DW_OP_lit3, DW_OP_mod);             /* 2^64-1 % 3 */
	VALUE_IS(42, DW_OP_lit6, DW_OP_lit7, DW_OP_mul);
	VALUE_IS(-1, DW_OP_lit6, DW_OP_lit7, DW_OP_minus);
	VALUE_IS(13, DW_OP_lit6, DW_OP_lit7, DW_OP_plus);
	VALUE_IS(1000, DW_OP_lit0, DW_OP_plus_uconst, 0xe8, 0x07);
	VALUE_IS(-5, DW_OP_lit5, DW_OP_neg);
	VALUE_IS(5, DW_OP_consts, 0x7b, DW_OP_abs);
	VALUE_IS(~(uint64_t)5, DW_OP_lit5, DW_OP_not);
	VALUE_IS(4, DW_OP_lit6, DW_OP_lit12, DW_OP_and);
	VALUE_IS(14, DW_OP_lit6, DW_OP_lit12, DW_OP_or);
	VALUE_IS(10, DW_OP_lit6, DW_OP_lit12, DW_OP_xor);
	VALUE_IS(24, DW_OP_lit6, DW_OP_lit2, DW_OP_shl);
	VALUE_IS(-4, DW_OP_consts, 0x70, DW_OP_lit2, DW_OP_shra);          /* -16 >> 2 */
	VALUE_IS(0x3ffffffffffffffcull, DW_OP_consts, 0x70, DW_OP_lit2, DW_OP_shr);
	VALUE_IS(0, DW_OP_lit1, DW_OP_const1u, 64, DW_OP_shl);
	VALUE_IS(-1, DW_OP_consts, 0x7f, DW_OP_const1u, 70, DW_OP_shra);
	VALUE_IS(INT64_MIN, DW_OP_const8u, 0, 0, 0, 0, 0, 0, 0, 0x80, DW_OP_consts, 0x7f,
		 DW_OP_div);
	FAILS("division by zero", DW_OP_lit1, DW_OP_lit0, DW_OP_div);
	FAILS("division by zero", DW_OP_lit1, DW_OP_lit0, DW_OP_mod);
	/* comparisons are signed */
	VALUE_IS(1, DW_OP_consts, 0x7f, DW_OP_lit1, DW_OP_lt);
	VALUE_IS(0, DW_OP_consts, 0x7f, DW_OP_lit1, DW_OP_gt);
	VALUE_IS(1, DW_OP_lit1, DW_OP_lit1, DW_OP_ge);
	VALUE_IS(1, DW_OP_lit1, DW_OP_lit1, DW_OP_le);
	VALUE_IS(1, DW_OP_lit1, DW_OP_lit1, DW_OP_eq);
	VALUE_IS(0, DW_OP_lit1, DW_OP_lit1, DW_OP_ne);
}

static void test_branches(void)
{
	/* lit1; bra +4 (over lit7; skip +1); lit8 */
	VALUE_IS(8, DW_OP_lit1, DW_OP_bra, 4, 0, DW_OP_lit7, DW_OP_skip, 1, 0, DW_OP_lit8);
	VALUE_IS(7, DW_OP_lit0, DW_OP_bra, 4, 0, DW_OP_lit7, DW_OP_skip, 1, 0, DW_OP_lit8);
	/* sum 1..5 with a backward skip: [s, i]; L: dup; bra body; skip end;
	 * body: dup; rot; plus; swap; lit1; minus; skip L; end: drop */
	VALUE_IS(15, DW_OP_lit0, DW_OP_lit5, DW_OP_dup, DW_OP_bra, 3, 0, DW_OP_skip, 9, 0,
		 DW_OP_dup, DW_OP_rot, DW_OP_plus, DW_OP_swap, DW_OP_lit1, DW_OP_minus,
		 DW_OP_skip, 0xf0, 0xff, DW_OP_drop);
	/* a skip to itself loops: the step bound ends it */
	FAILS("too many steps", DW_OP_skip, 0xfd, 0xff);
	/* skips over an op, and to the very end */
	VALUE_IS(3, DW_OP_lit3, DW_OP_skip, 1, 0, DW_OP_lit4);
	{
		struct dwexpr_ctx c = ctx();
		struct dwexpr_result r = RUN(&c, DW_OP_lit3, DW_OP_skip, 1, 0, DW_OP_lit4);
		CHECK(r.kind == DWX_ADDR && r.value == 3);
	}
}

static void test_memory_and_registers(void)
{
	struct dwexpr_ctx c = ctx();
	struct dwexpr_result r;

	VALUE_IS(0x7766554433221100ull, DW_OP_const2u, 0x00, 0x10, DW_OP_deref);
	VALUE_IS(0x33, DW_OP_const2u, 0x03, 0x10, DW_OP_deref_size, 1);
	VALUE_IS(0x4433, DW_OP_const2u, 0x03, 0x10, DW_OP_deref_size, 2);
	VALUE_IS(0x66554433, DW_OP_const2u, 0x03, 0x10, DW_OP_deref_size, 4);
	VALUE_IS(0x4433, DW_OP_const2u, 0x03, 0x10, DW_OP_deref_type, 2, 0x2a);
	FAILS("memory unreadable", DW_OP_const2u, 0x00, 0x20, DW_OP_deref);
	FAILS("bad deref size", DW_OP_const2u, 0x00, 0x10, DW_OP_deref_size, 9);
	/* registers: breg (rbp valid), bregx, an unsaved register */
	r = RUN(&c, DW_OP_breg6, 0x78);          /* rbp - 8 */
	CHECK(r.kind == DWX_ADDR);
	CHECK_EQ_U(r.value, 0x2000 - 8);
	VALUE_IS(0x3000 + 16, DW_OP_bregx, 7, 16);
	VALUE_IS(7, DW_OP_regval_type, 5, 0x2a);
	FAILS("register not saved", DW_OP_breg3, 0);
	FAILS("register unknown", DW_OP_breg17, 0);
	VALUE_IS(0x3100 - 20, DW_OP_fbreg, 0x6c);
	VALUE_IS(0x3010, DW_OP_call_frame_cfa);
	c.has_frame_base = false;
	r = RUN(&c, DW_OP_fbreg, 0x6c);
	CHECK_STR(r.why, "no frame base");
	c = ctx();
	c.mem = NULL;
	r = RUN(&c, DW_OP_lit0, DW_OP_deref);
	CHECK_STR(r.why, "no memory to read");
	/* a location in a register */
	c = ctx();
	r = RUN(&c, DW_OP_reg5);
	CHECK(r.kind == DWX_REG && r.reg == 5);
	r = RUN(&c, DW_OP_regx, 17);
	CHECK(r.kind == DWX_REG && r.reg == 17);
	FAILS("operation after a register or value location", DW_OP_reg5, DW_OP_lit1);
	/* CFI's expression rules: the CFA is pushed first */
	c.push_first = 100;
	c.has_push_first = true;
	r = RUN(&c, DW_OP_lit8, DW_OP_plus);
	CHECK(r.kind == DWX_ADDR && r.value == 108);
	r = RUN(&c, DW_OP_breg7, 40);            /* __restore_rt's rules */
	CHECK(r.kind == DWX_ADDR && r.value == 0x3000 + 40);
	/* the PLT's CFA (gcc/binutils, x86-64): rsp + 8, and + 8 more once
	 * the stub has pushed its index (from byte 11 of a 16-byte entry) */
	c = ctx();
	c.regs[DW_REG_RIP] = 0x401020 + 6;
	c.valid |= 1u << DW_REG_RIP;
#define PLT_CFA DW_OP_breg7, 8, DW_OP_breg16, 0, DW_OP_lit15, DW_OP_and, DW_OP_lit11, \
	DW_OP_ge, DW_OP_lit3, DW_OP_shl, DW_OP_plus
	r = RUN(&c, PLT_CFA);
	CHECK(r.kind == DWX_ADDR && r.value == 0x3000 + 8);
	c.regs[DW_REG_RIP] = 0x401020 + 11;
	r = RUN(&c, PLT_CFA);
	CHECK(r.kind == DWX_ADDR && r.value == 0x3000 + 16);
}

static void test_values_and_pieces(void)
{
	struct dwexpr_ctx c = ctx();
	struct dwexpr_result r;

	r = RUN(&c, DW_OP_implicit_value, 4, 0x78, 0x56, 0x34, 0x12);
	CHECK(r.kind == DWX_VALUE && r.value == 0x12345678);
	FAILS("implicit value over 8 bytes", DW_OP_implicit_value, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9);
	VALUE_IS(0x1234, DW_OP_const_type, 0x2a, 2, 0x34, 0x12);
	VALUE_IS(0x1234, DW_OP_GNU_const_type, 0x2a, 2, 0x34, 0x12);
	VALUE_IS(9, DW_OP_lit9, DW_OP_convert, 0);
	FAILS("typed DWARF stack", DW_OP_lit9, DW_OP_convert, 0x2a);
	/* one piece: the location, its size reported */
	r = RUN(&c, DW_OP_reg0, DW_OP_piece, 8);
	CHECK(r.kind == DWX_REG && r.reg == 0 && r.piece == 8);
	r = RUN(&c, DW_OP_fbreg, 0x70, DW_OP_piece, 4);
	CHECK(r.kind == DWX_ADDR && r.value == 0x3100 - 16 && r.piece == 4);
	r = RUN(&c, DW_OP_lit3, DW_OP_stack_value, DW_OP_piece, 4);
	CHECK(r.kind == DWX_VALUE && r.value == 3 && r.piece == 4);
	r = RUN(&c, DW_OP_lit3, DW_OP_stack_value);
	CHECK(r.piece == 0);
	/* composites are not assembled */
	FAILS("DW_OP_piece", DW_OP_reg0, DW_OP_piece, 8, DW_OP_reg1, DW_OP_piece, 8);
	FAILS("DW_OP_piece", DW_OP_piece, 4, DW_OP_reg1, DW_OP_piece, 4);
	FAILS("optimized out", DW_OP_piece, 8);
	FAILS("DW_OP_bit_piece", DW_OP_reg0, DW_OP_bit_piece, 3, 0);
	FAILS("optimized out");
	/* entry values: a lone register in the block, asked of ctx->entry */
	VALUE_IS(42, DW_OP_entry_value, 1, DW_OP_reg5);
	VALUE_IS(42, DW_OP_GNU_entry_value, 1, DW_OP_reg5);
	VALUE_IS(42, DW_OP_entry_value, 2, DW_OP_regx, 5);
	FAILS("entry value unknown", DW_OP_entry_value, 1, DW_OP_reg4);
	FAILS("entry value unknown", DW_OP_entry_value, 2, DW_OP_breg5, 0);
	FAILS("entry value unknown", DW_OP_entry_value, 2, DW_OP_reg5, DW_OP_reg5);
	c.entry = NULL;
	r = RUN(&c, DW_OP_entry_value, 1, DW_OP_reg5, DW_OP_stack_value);
	CHECK_STR(r.why, "entry value unknown");
}

static void test_unsupported(void)
{
	FAILS("DW_OP_call", DW_OP_call2, 1, 0);
	FAILS("DW_OP_call", DW_OP_call4, 1, 0, 0, 0);
	FAILS("thread-local storage", DW_OP_const8u, 0, 0, 0, 0, 0, 0, 0, 0,
	      DW_OP_GNU_push_tls_address);
	FAILS("thread-local storage", DW_OP_lit0, DW_OP_form_tls_address);
	FAILS("DW_OP_addrx (.debug_addr)", DW_OP_addrx, 3);
	FAILS("implicit pointer", DW_OP_implicit_pointer, 0x10, 0, 0, 0, 0);
	FAILS("DW_OP_xderef", DW_OP_lit0, DW_OP_lit0, DW_OP_xderef);
	FAILS("DW_OP_push_object_address", DW_OP_push_object_address);
	FAILS("DW_OP_GNU_parameter_ref", DW_OP_GNU_parameter_ref, 1, 0, 0, 0);
	FAILS("DW_OP_GNU_encoded_addr", DW_OP_GNU_encoded_addr, 0x03, 1, 2, 3, 4);
}

/* Expressions that must not decode. */
static void test_malformed(void)
{
	static const struct { uint8_t b[12]; size_t n; } bad[] = {
		{ { DW_OP_const4u, 1, 2 }, 3 },             /* truncated operand */
		{ { DW_OP_constu, 0x80 }, 2 },              /* unterminated LEB128 */
		{ { DW_OP_bregx, 3 }, 2 },                  /* missing 2nd operand */
		{ { 0x01 }, 1 },                            /* unknown opcodes */
		{ { 0xff }, 1 },
		{ { DW_OP_lit1, 0xe7 }, 2 },
		{ { DW_OP_implicit_value, 5, 1, 2 }, 4 },   /* block past the end */
		{ { DW_OP_const_type, 1, 4, 1 }, 4 },
		{ { DW_OP_lit0, DW_OP_bra, 1, 0, DW_OP_const2u, 0, 0 }, 7 },  /* into an op */
		{ { DW_OP_skip, 10, 0 }, 3 },               /* past the end */
		{ { DW_OP_skip, 0xf0, 0xff }, 3 },          /* before the start */
		{ { DW_OP_GNU_encoded_addr, 0x05, 0 }, 3 }, /* unknown encoding */
		{ { DW_OP_skip, 0 }, 2 },                   /* truncated offset */
	};
	struct dw_op ops[8];
	size_t n;
	uint8_t lits[9] = { DW_OP_lit1, DW_OP_lit1, DW_OP_lit1, DW_OP_lit1, DW_OP_lit1,
			    DW_OP_lit1, DW_OP_lit1, DW_OP_lit1, DW_OP_lit1 };
	uint8_t deep[DWEXPR_MAX_STACK + 1];
	struct dwexpr_ctx c = ctx();
	struct dw_op many[DWEXPR_MAX_STACK + 1];
	struct dwexpr_result r;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		if (dwexpr_decode(bad[i].b, bad[i].n, ops, 8, &n) != -1) {
			fprintf(stderr, "malformed expression %zu decoded\n", i);
			check_failures++;
		}
	/* more operations than room */
	CHECK(dwexpr_decode(lits, 9, ops, 8, &n) == -1);
	CHECK(dwexpr_decode(lits, 8, ops, 8, &n) == 0 && n == 8);
	/* an empty expression decodes to nothing */
	CHECK(dwexpr_decode(lits, 0, ops, 8, &n) == 0 && n == 0);
	/* stack overflow */
	memset(deep, DW_OP_lit1, sizeof(deep));
	CHECK(dwexpr_decode(deep, sizeof(deep), many, ARRAY_LEN(many), &n) == 0);
	CHECK(dwexpr_eval(many, n, &c, &r) == -1);
	CHECK_STR(r.why, "DWARF stack overflow");
	/* the branch target is an op index */
	{
		static const uint8_t b[] = { DW_OP_lit1, DW_OP_bra, 1, 0, DW_OP_lit2, DW_OP_lit3 };
		CHECK(dwexpr_decode(b, sizeof(b), ops, 8, &n) == 0 && n == 4);
		CHECK_EQ_U(ops[1].a, 1);
		CHECK_EQ_U(ops[1].b, 3);
	}
}

static void test_at_and_names(void)
{
	struct dw_expr list[3] = {
		{ .lo = 0x100, .hi = 0x110 }, { .lo = 0x110, .hi = 0x120 },
		{ .lo = 0x200, .hi = 0x201 },
	};

	CHECK(dwexpr_at(list, 3, 0x100) == &list[0]);
	CHECK(dwexpr_at(list, 3, 0x10f) == &list[0]);
	CHECK(dwexpr_at(list, 3, 0x110) == &list[1]);
	CHECK(dwexpr_at(list, 3, 0x120) == NULL);
	CHECK(dwexpr_at(list, 3, 0x200) == &list[2]);
	CHECK(dwexpr_at(list, 3, 0xff) == NULL);
	CHECK(dwexpr_at(list, 0, 0x100) == NULL);
	CHECK_STR(dwexpr_reg_name(0), "rax");
	CHECK_STR(dwexpr_reg_name(3), "rbx");
	CHECK_STR(dwexpr_reg_name(7), "rsp");
	CHECK_STR(dwexpr_reg_name(12), "r12");
	CHECK_STR(dwexpr_reg_name(16), "rip");
	CHECK(dwexpr_reg_name(17) == NULL);
	CHECK(dwexpr_reg_name(-1) == NULL);
}

/* ---- DWARF of real objects, through libdwarf ---- */

/* A section's bytes, through libelf. */
struct section {
	const uint8_t *p;
	size_t len;
};

struct object {
	int fd;
	Elf *elf;
	struct dwobj ob;          /* libdwarf opened as memviz opens it (dwobj.h:
				     its own openers would break later opens) */
	Dwarf_Debug dbg;
	struct section loclists;
};

static int object_open(struct object *o, const char *path)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	memset(o, 0, sizeof(*o));
	elf_version(EV_CURRENT);
	o->fd = open(path, O_RDONLY);
	if (o->fd < 0)
		return -1;
	o->elf = elf_begin(o->fd, ELF_C_READ, NULL);
	if (!o->elf || elf_getshdrstrndx(o->elf, &shstrndx) != 0)
		return -1;
	while ((scn = elf_nextscn(o->elf, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(o->elf, shstrndx, sh.sh_name)))
			continue;
		/* libc6-dbg's sections are compressed */
		if (strcmp(name, ".debug_loclists") == 0 &&
		    (!(sh.sh_flags & SHF_COMPRESSED) || elf_compress(scn, 0, 0) >= 0) &&
		    (d = elf_getdata(scn, NULL)) != NULL) {
			o->loclists.p = d->d_buf;
			o->loclists.len = d->d_size;
		}
	}
	if (dwobj_open(&o->ob, o->fd, NULL) != 0)
		return -1;
	o->dbg = o->ob.dbg;
	return 0;
}

static void object_close(struct object *o)
{
	dwobj_close(&o->ob);
	if (o->elf)
		elf_end(o->elf);
	if (o->fd >= 0)
		close(o->fd);
}

/* A LEB128 from p[*at..len); sets *bad past the end. */
static uint64_t leb(const uint8_t *p, size_t len, size_t *at, bool sign, bool *bad)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0;

	do {
		if (*at >= len) {
			*bad = true;
			return 0;
		}
		b = p[(*at)++];
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if (sign && shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;
	return v;
}

static uint64_t u64at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* One expression of a DWARF 5 location list. */
struct lle {
	uint64_t lo, hi;
	const uint8_t *expr;
	size_t len;
};

/* The entries of the .debug_loclists list at off (base: the unit's
 * low_pc).  Only the entry kinds a non-split gcc object uses. */
static size_t loclist(const struct section *s, uint64_t off, uint64_t base,
		      struct lle *out, size_t max)
{
	size_t at = off, n = 0;
	bool bad = false;

	while (!bad && at < s->len && n < max) {
		uint8_t k = s->p[at++];
		uint64_t a = 0, b = 0, l;
		switch (k) {
		case DW_LLE_end_of_list:
			return n;
		case DW_LLE_base_address:
			if (s->len - at < 8)
				return n;
			base = u64at(s->p + at);
			at += 8;
			continue;
		case 0x09: /* DW_LLE_GNU_view_pair */
			leb(s->p, s->len, &at, false, &bad);
			leb(s->p, s->len, &at, false, &bad);
			continue;
		case DW_LLE_offset_pair:
			a = base + leb(s->p, s->len, &at, false, &bad);
			b = base + leb(s->p, s->len, &at, false, &bad);
			break;
		case DW_LLE_start_length:
			if (s->len - at < 8)
				return n;
			a = u64at(s->p + at);
			at += 8;
			b = a + leb(s->p, s->len, &at, false, &bad);
			break;
		case DW_LLE_start_end:
			if (s->len - at < 16)
				return n;
			a = u64at(s->p + at);
			b = u64at(s->p + at + 8);
			at += 16;
			break;
		case DW_LLE_default_location:
			a = 0, b = UINT64_MAX;
			break;
		default:
			return n;         /* split-DWARF kinds: not in these objects */
		}
		l = leb(s->p, s->len, &at, false, &bad);
		if (bad || l > s->len - at)
			return n;
		out[n++] = (struct lle){ a, b, s->p + at, l };
		at += l;
	}
	return n;
}

/* Does our decoding of p[0..len) match libdwarf's locdesc ld of nops
 * operations?  1 if not (and says how). */
static int same_ops(Dwarf_Locdesc_c ld, Dwarf_Unsigned nops, const uint8_t *p, size_t len)
{
	static struct dw_op ops[4096];           /* glibc has 1,000-op expressions */
	Dwarf_Error err = NULL;
	size_t mine;
	int bad = 0;

	if (dwexpr_decode(p, len, ops, ARRAY_LEN(ops), &mine) != 0 || mine != nops)
		bad = 1;
	for (Dwarf_Unsigned i = 0; !bad && i < nops; i++) {
		Dwarf_Small atom;
		Dwarf_Unsigned o1, o2, o3, br;
		const struct dw_op *o = &ops[i];
		dwarf_get_location_op_value_c(ld, i, &atom, &o1, &o2, &o3, &br, &err);
		if (atom != o->op)
			bad = 1;
		else if (o->block && o->op != DW_OP_const_type && o->op != DW_OP_GNU_const_type)
			bad = o1 != o->blen;              /* implicit_value, entry_value */
		else if (o->op == DW_OP_const_type || o->op == DW_OP_GNU_const_type)
			bad = o1 != o->a || o2 != o->blen;
		else if (o->op >= DW_OP_reg0 && o->op <= DW_OP_reg31)
			bad = 0;
		else if (o->op >= DW_OP_lit0 && o->op <= DW_OP_lit31)
			bad = o1 != (Dwarf_Unsigned)(o->op - DW_OP_lit0);    /* libdwarf: N */
		else
			bad = o1 != o->a ||
			      (o2 != o->b && o->op != DW_OP_skip && o->op != DW_OP_bra);
		if (bad)
			fprintf(stderr, "  op %llu: libdwarf %#x %#llx %#llx, ours %#x %#" PRIx64
				" %#" PRIx64 "\n", (unsigned long long)i, atom,
				(unsigned long long)o1, (unsigned long long)o2, o->op, o->a, o->b);
	}
	if (bad) {
		fprintf(stderr, "expression decodes differently (%zu bytes):", len);
		for (size_t i = 0; i < len && i < 64; i++)
			fprintf(stderr, " %02x", p[i]);
		fprintf(stderr, "\n");
	}
	return bad;
}

/* An exprloc decoded by libdwarf and by us; counts it in *n. */
static int cross_decode(Dwarf_Debug dbg, const uint8_t *p, size_t len, int *n)
{
	Dwarf_Loc_Head_c head = NULL;
	Dwarf_Unsigned count = 0, nops = 0, rawlo, rawhi, exoff, ldoff;
	Dwarf_Small lle, src;
	Dwarf_Bool unavail;
	Dwarf_Addr lo, hi;
	Dwarf_Locdesc_c ld = NULL;
	Dwarf_Error err = NULL;
	int bad;

	if (len == 0)
		return 0;
	if (dwarf_loclist_from_expr_c(dbg, (Dwarf_Ptr)p, len, 8, 4, 5, &head, &count, &err) !=
	    DW_DLV_OK || dwarf_get_locdesc_entry_d(head, 0, &lle, &rawlo, &rawhi, &unavail, &lo,
						   &hi, &nops, &ld, &src, &exoff, &ldoff,
						   &err) != DW_DLV_OK) {
		static struct dw_op ops[4096];
		size_t mine;
		/* libdwarf refuses it: so must we */
		if (head)
			dwarf_loc_head_c_dealloc(head);
		return dwexpr_decode(p, len, ops, ARRAY_LEN(ops), &mine) == 0;
	}
	(*n)++;
	bad = same_ops(ld, nops, p, len);
	dwarf_loc_head_c_dealloc(head);
	return bad;
}

/* A location list: libdwarf's entries (dwarf_get_loclist_c) against our
 * reading of the raw section and our decoding of each expression. */
static int cross_list(Dwarf_Attribute a, const struct section *sec, uint64_t off,
		      uint64_t base, int *n)
{
	Dwarf_Loc_Head_c head = NULL;
	Dwarf_Unsigned count = 0, nops, rawlo, rawhi, exoff, ldoff;
	Dwarf_Small lle, src;
	Dwarf_Bool unavail;
	Dwarf_Addr lo, hi;
	Dwarf_Locdesc_c ld;
	Dwarf_Error err = NULL;
	static struct lle e[4096];
	size_t ne = loclist(sec, off, base, e, ARRAY_LEN(e)), k = 0;
	int bad = 0;

	if (dwarf_get_loclist_c(a, &head, &count, &err) != DW_DLV_OK)
		return 0;
	for (Dwarf_Unsigned i = 0; i < count && !bad; i++) {
		if (dwarf_get_locdesc_entry_d(head, i, &lle, &rawlo, &rawhi, &unavail, &lo,
					      &hi, &nops, &ld, &src, &exoff, &ldoff,
					      &err) != DW_DLV_OK) {
			bad = 1;
			break;
		}
		/* libdwarf lists base addresses and view pairs as entries too */
		if (lle != DW_LLE_offset_pair && lle != DW_LLE_start_end &&
		    lle != DW_LLE_start_length && lle != DW_LLE_default_location)
			continue;
		if (k >= ne || e[k].lo != lo || e[k].hi != hi) {
			fprintf(stderr, "loclist at %#" PRIx64 " entry %zu: libdwarf "
				"[%#llx, %#llx)\n", off, k, (unsigned long long)lo,
				(unsigned long long)hi);
			bad = 1;
			break;
		}
		(*n)++;
		bad = same_ops(ld, nops, e[k].expr, e[k].len);
		k++;
	}
	if (!bad && k != ne) {
		fprintf(stderr, "loclist at %#" PRIx64 ": libdwarf %zu entries, ours %zu\n",
			off, k, ne);
		bad = 1;
	}
	dwarf_loc_head_c_dealloc(head);
	return bad;
}

/* What the walk over a unit's DIEs collects for part 3. */
struct var {
	char name[32];
	const uint8_t *expr;      /* exprloc */
	size_t len;
	uint64_t list;            /* or a .debug_loclists offset */
	bool is_list;
};

struct call_param {
	int reg;
	const uint8_t *value;
	size_t len;
};

struct func {
	Dwarf_Addr lo;
	const uint8_t *fb;        /* frame base */
	size_t fblen;
	struct var vars[8];
	int nvars;
	Dwarf_Addr call_ret[16];  /* call sites: return pc, and their params */
	struct call_param params[16][4];
	int nparams[16];
	int ncalls;
};

struct walk {
	struct object *o;
	int version;
	Dwarf_Addr base;          /* the unit's low_pc */
	int exprs, lists, bad;    /* cross-decoded (exprlocs, list entries),
				     mismatches */
	struct func *work, *main; /* part 3 (NULL: not wanted) */
	struct func *cur;         /* the function being walked */
	int call;                 /* its call site being walked, or -1 */
};

/* Cross-decode every expression of attribute a of a DIE. */
static void walk_attr(struct walk *w, Dwarf_Attribute a, Dwarf_Half tag)
{
	Dwarf_Half form, an;
	Dwarf_Error err = NULL;
	Dwarf_Unsigned len;
	Dwarf_Ptr ptr;
	Dwarf_Off off;

	if (dwarf_whatform(a, &form, &err) != DW_DLV_OK ||
	    dwarf_whatattr(a, &an, &err) != DW_DLV_OK)
		return;
	if (form == DW_FORM_exprloc && dwarf_formexprloc(a, &len, &ptr, &err) == DW_DLV_OK) {
		w->bad += cross_decode(w->o->dbg, ptr, len, &w->exprs);
		if (w->cur && an == DW_AT_frame_base)
			w->cur->fb = ptr, w->cur->fblen = len;
		if (w->cur && tag == DW_TAG_call_site_parameter && w->call >= 0) {
			int k = w->cur->nparams[w->call];
			struct call_param *cp = &w->cur->params[w->call][k];
			if (an == DW_AT_location && len == 1 && *(uint8_t *)ptr >= DW_OP_reg0 &&
			    *(uint8_t *)ptr <= DW_OP_reg31)
				cp->reg = *(uint8_t *)ptr - DW_OP_reg0;
			if (an == DW_AT_call_value)
				cp->value = ptr, cp->len = len;
		}
	}
	if (form == DW_FORM_sec_offset && (an == DW_AT_location || an == DW_AT_frame_base) &&
	    w->version == 5 && dwarf_global_formref(a, &off, &err) == DW_DLV_OK)
		w->bad += cross_list(a, &w->o->loclists, off, w->base, &w->lists);
	if (err)
		dwarf_dealloc_error(w->o->dbg, err);
}

/* Remember a variable or parameter of the function walked (part 3). */
static void note_var(struct walk *w, Dwarf_Die die)
{
	Dwarf_Attribute a;
	Dwarf_Error err = NULL;
	Dwarf_Half form;
	Dwarf_Unsigned len;
	Dwarf_Ptr ptr;
	Dwarf_Off off;
	char *name;
	struct var *v;

	if (!w->cur || w->cur->nvars >= 8 || dwarf_diename(die, &name, &err) != DW_DLV_OK ||
	    dwarf_attr(die, DW_AT_location, &a, &err) != DW_DLV_OK)
		return;
	v = &w->cur->vars[w->cur->nvars];
	snprintf(v->name, sizeof(v->name), "%s", name);
	dwarf_whatform(a, &form, &err);
	if (form == DW_FORM_exprloc && dwarf_formexprloc(a, &len, &ptr, &err) == DW_DLV_OK) {
		v->expr = ptr, v->len = len;
		w->cur->nvars++;
	} else if (form == DW_FORM_sec_offset && dwarf_global_formref(a, &off, &err) == DW_DLV_OK) {
		v->list = off, v->is_list = true;
		w->cur->nvars++;
	}
	dwarf_dealloc_attribute(a);
}

static void walk_die(struct walk *w, Dwarf_Die die, int depth);

/* Walk the children of die. */
static void walk_children(struct walk *w, Dwarf_Die die, int depth)
{
	Dwarf_Die c = NULL, next;
	Dwarf_Error err = NULL;

	if (depth > 64 || dwarf_child(die, &c, &err) != DW_DLV_OK)
		return;
	for (;;) {
		walk_die(w, c, depth + 1);
		if (dwarf_siblingof_b(w->o->dbg, c, 1, &next, &err) != DW_DLV_OK)
			break;
		dwarf_dealloc_die(c);
		c = next;
	}
	dwarf_dealloc_die(c);
}

static void walk_die(struct walk *w, Dwarf_Die die, int depth)
{
	Dwarf_Attribute *attrs;
	Dwarf_Signed na;
	Dwarf_Half tag;
	Dwarf_Error err = NULL;
	struct func *saved = w->cur;
	int saved_call = w->call;
	char *name;

	if (dwarf_tag(die, &tag, &err) != DW_DLV_OK)
		return;
	if (tag == DW_TAG_subprogram && depth == 1 && (w->work || w->main) &&
	    dwarf_diename(die, &name, &err) == DW_DLV_OK) {
		w->cur = strcmp(name, "work") == 0 ? w->work :
			 strcmp(name, "main") == 0 ? w->main : NULL;
		if (w->cur)
			dwarf_lowpc(die, &w->cur->lo, &err);
	}
	if (tag == DW_TAG_call_site && w->cur && w->cur->ncalls < 16) {
		Dwarf_Attribute a;
		w->call = w->cur->ncalls++;
		w->cur->nparams[w->call] = 0;
		if (dwarf_attr(die, DW_AT_call_return_pc, &a, &err) == DW_DLV_OK) {
			dwarf_formaddr(a, &w->cur->call_ret[w->call], &err);
			dwarf_dealloc_attribute(a);
		}
	}
	if (tag == DW_TAG_call_site_parameter && w->cur && w->call >= 0 &&
	    w->cur->nparams[w->call] < 4)
		w->cur->params[w->call][w->cur->nparams[w->call]] = (struct call_param){ -1, 0, 0 };
	if (dwarf_attrlist(die, &attrs, &na, &err) == DW_DLV_OK) {
		for (Dwarf_Signed i = 0; i < na; i++) {
			walk_attr(w, attrs[i], tag);
			dwarf_dealloc_attribute(attrs[i]);
		}
		dwarf_dealloc(w->o->dbg, attrs, DW_DLA_LIST);
	}
	if (tag == DW_TAG_call_site_parameter && w->cur && w->call >= 0 &&
	    w->cur->nparams[w->call] < 4)
		w->cur->nparams[w->call]++;
	if (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable)
		note_var(w, die);
	walk_children(w, die, depth);
	if (tag == DW_TAG_subprogram && depth == 1)
		w->cur = saved;
	if (tag == DW_TAG_call_site)
		w->call = saved_call;
}

/* Walk at most max_units units of o (or until max_ms passed). */
static void walk_object(struct walk *w, int max_units, double max_ms)
{
	Dwarf_Unsigned hlen, abbr, next, typeoff;
	Dwarf_Half ver, asz, osz, xsz, hdr;
	Dwarf_Sig8 sig;
	Dwarf_Error err = NULL;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	w->call = -1;
	for (int u = 0; u < max_units; u++) {
		Dwarf_Die cu = NULL;
		if (dwarf_next_cu_header_d(w->o->dbg, 1, &hlen, &ver, &abbr, &asz, &osz, &xsz, &sig,
					   &typeoff, &next, &hdr, &err) != DW_DLV_OK)
			break;
		if (dwarf_siblingof_b(w->o->dbg, NULL, 1, &cu, &err) != DW_DLV_OK)
			break;
		w->version = ver;
		w->base = 0;
		dwarf_lowpc(cu, &w->base, &err);
		if (err)
			dwarf_dealloc_error(w->o->dbg, err), err = NULL;
		walk_die(w, cu, 0);
		dwarf_dealloc_die(cu);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6 > max_ms)
			max_units = u + 1;        /* stop, but finish the header walk */
	}
	/* libdwarf wants the unit walk to run to its end before a new one */
	while (dwarf_next_cu_header_d(w->o->dbg, 1, &hlen, &ver, &abbr, &asz, &osz, &xsz, &sig,
				      &typeoff, &next, &hdr, &err) == DW_DLV_OK)
		;
}

/* ---- 3. a real program's variables ---- */

static const char prog_src[] =
	"#include <signal.h>\n"
	"#include <stdio.h>\n"
	"volatile long sink;\n"
	"__attribute__((noinline)) long work(int n, long *arr)\n"
	"{\n"
	"	long local[4] = { n * 3, n * 5, 7, 11 };\n"
	"	long sum = 0;\n"
	"	for (int i = 0; i < 4; i++)\n"
	"		sum += local[i] * arr[i];\n"
	"	printf(\"%d %p %p %ld\\n\", n, (void *)arr, (void *)local, sum);\n"
	"	fflush(stdout);\n"
	"	raise(SIGSTOP);\n"
	"	sink = sum + n + local[1];\n"
	"	return sum;\n"
	"}\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	long a[4] = { 1, 2, 3, argc };\n"
	"	int n = argc + 2;\n"
	"	(void)argv;\n"
	"	return (int)work(n, a) + n;\n"
	"}\n";

static int pid_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	pid_t pid = (pid_t)(intptr_t)ctx;
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

/* The entry-value resolver: main's call site of work, evaluated in main's
 * frame (its frame base is DW_OP_call_frame_cfa: main's CFA). */
struct entry_ctx {
	const struct func *main;
	const struct uw_frame *caller;  /* main's frame */
	uint64_t ret_link;              /* work's return address, link-time */
	uint64_t bias;
	const struct mem_reader *mem;
};

static int caller_value(void *vctx, int reg, uint64_t *out)
{
	const struct entry_ctx *e = vctx;
	struct dwexpr_ctx c = { 0 };
	struct dw_op ops[16];
	size_t n;
	struct dwexpr_result r;

	memcpy(c.regs, e->caller->regs, sizeof(c.regs));
	c.valid = e->caller->valid;
	c.cfa = e->caller->cfa;
	c.has_cfa = true;
	c.bias = e->bias;
	c.mem = e->mem;
	if (dwexpr_decode(e->main->fb, e->main->fblen, ops, 16, &n) != 0 ||
	    dwexpr_eval(ops, n, &c, &r) != 0)
		return -1;
	c.frame_base = r.value;
	c.has_frame_base = true;
	for (int k = 0; k < e->main->ncalls; k++) {
		if (e->main->call_ret[k] != e->ret_link)
			continue;
		for (int j = 0; j < e->main->nparams[k]; j++) {
			const struct call_param *cp = &e->main->params[k][j];
			if (cp->reg != reg || !cp->value ||
			    dwexpr_decode(cp->value, cp->len, ops, 16, &n) != 0 ||
			    dwexpr_eval(ops, n, &c, &r) != 0)
				continue;
			*out = r.kind == DWX_REG ? e->caller->regs[r.reg] : r.value;
			return 0;
		}
	}
	return -1;
}

/* The value a variable of `work` has in frame f (at pc, link-time). */
static bool var_value(const struct object *o, const struct func *fn, const struct var *v,
		      const struct uw_frame *f, uint64_t pc, const struct dwexpr_entry *ent,
		      uint64_t bias, const struct mem_reader *mem, struct dwexpr_result *r,
		      uint8_t *first_op)
{
	struct dwexpr_ctx c = { 0 };
	struct dw_op ops[32];
	size_t n;
	const uint8_t *expr = v->expr;
	size_t len = v->len;

	if (v->is_list) {
		struct lle e[32];
		size_t ne = loclist(&o->loclists, v->list, 0, e, 32);
		expr = NULL;
		for (size_t i = 0; i < ne; i++)
			if (pc >= e[i].lo && pc < e[i].hi)
				expr = e[i].expr, len = e[i].len;
		if (!expr)
			return false;
	}
	memcpy(c.regs, f->regs, sizeof(c.regs));
	c.valid = f->valid;
	c.cfa = f->cfa;
	c.has_cfa = true;
	c.bias = bias;
	c.mem = mem;
	c.entry = ent;
	if (dwexpr_decode(fn->fb, fn->fblen, ops, 32, &n) != 0 || dwexpr_eval(ops, n, &c, r) != 0)
		return false;
	c.frame_base = r->value;
	c.has_frame_base = true;
	*first_op = len ? expr[0] : 0;
	return dwexpr_decode(expr, len, ops, 32, &n) == 0 && dwexpr_eval(ops, n, &c, r) == 0;
}

/* Run the program to its SIGSTOP; unwind; evaluate n, arr, local, sum. */
static void test_program(const char *exe, struct object *o, const struct func *work,
			 const struct func *mainf)
{
	int out[2], status;
	char line[256] = "";
	long pn = 0, psum = 0;
	void *parr = NULL, *plocal = NULL;
	struct user_regs_struct regs;
	struct space sp;
	struct debuginfo *dbg = debuginfo_new();
	struct uw_stack st = { 0 };
	struct mem_reader mem;
	struct uw_input in;
	char *cause = NULL;
	pid_t pid;
	size_t k;
	FILE *f;

	if (pipe(out) != 0)
		return;
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	/* the exec's SIGTRAP, then the program's SIGSTOP */
	waitpid(pid, &status, 0);
	ptrace(PTRACE_CONT, pid, 0, 0);
	waitpid(pid, &status, 0);
	f = fdopen(out[0], "r");
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP || !f ||
	    !fgets(line, sizeof(line), f) ||
	    sscanf(line, "%ld %p %p %ld", &pn, &parr, &plocal, &psum) != 4 ||
	    ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0) {
		CHECK(!"the program did not stop as planned");
		goto out;
	}
	space_init(&sp);
	CHECK(space_read(&sp, pid, &cause) == 0);
	mem = (struct mem_reader){ (void *)(intptr_t)pid, pid_read };
	in = (struct uw_input){ .space = &sp, .dbg = dbg, .mem = &mem };
	unwind_thread(&in, &regs, &st);
	for (k = 0; k < st.n; k++)
		if (st.frames[k].loc.fn && strcmp(st.frames[k].loc.fn, "work") == 0)
			break;
	CHECK(k + 1 < st.n);
	for (size_t j = 0; k + 1 >= st.n && j < st.n; j++)
		fprintf(stderr, "  #%zu %s pc %#llx end %s\n", j, st.frames[j].loc.fn ? st.frames[j].loc.fn : "?",
			(unsigned long long)st.frames[j].pc, st.end);
	if (k + 1 < st.n) {
		const struct uw_frame *fw = &st.frames[k];
		uint64_t bias = fw->loc.mod->bias, pc = fw->pc - 1 - bias;
		struct entry_ctx ec = { mainf, &st.frames[k + 1], fw->ret_addr - bias, bias, &mem };
		struct dwexpr_entry ent = { &ec, caller_value };
		int seen = 0;
		for (int i = 0; i < work->nvars; i++) {
			const struct var *v = &work->vars[i];
			struct dwexpr_result r;
			uint64_t val = 0;
			uint8_t op = 0;
			bool ok = var_value(o, work, v, fw, pc, &ent, bias, &mem, &r, &op);
			if (ok && r.kind == DWX_REG)
				ok = r.reg < DW_NREGS && ((fw->valid >> r.reg) & 1),
				val = fw->regs[r.reg];
			else if (ok && r.kind == DWX_VALUE)
				val = r.value;
			else if (ok && strcmp(v->name, "local") != 0)
				ok = pid_read(mem.ctx, r.value, &val, 8) == 0;
			if (!ok && strcmp(v->name, "i") != 0)   /* i: out of scope */
				fprintf(stderr, "%s: %s\n", v->name,
					r.why ? r.why : "no location at pc");
			else if (ok)
				printf("  work's %s: first op %#x, %s\n", v->name, op,
				       r.kind == DWX_REG ? "register" : r.kind == DWX_ADDR ?
				       "memory" : "value");
			if (strcmp(v->name, "n") == 0) {
				CHECK(ok);
				CHECK_EQ_U((uint32_t)val, (uint32_t)pn);
				seen++;
			} else if (strcmp(v->name, "arr") == 0) {
				CHECK(ok);
				CHECK_EQ_U(val, (uint64_t)(uintptr_t)parr);
				seen++;
			} else if (strcmp(v->name, "sum") == 0) {
				CHECK(ok);
				CHECK_EQ_U(val, (uint64_t)psum);
				seen++;
			} else if (strcmp(v->name, "local") == 0) {
				uint64_t a[4] = { 0 };
				CHECK(ok && r.kind == DWX_ADDR);
				CHECK_EQ_U(r.value, (uint64_t)(uintptr_t)plocal);
				CHECK(pid_read(mem.ctx, r.value, a, sizeof(a)) == 0);
				CHECK(a[0] == (uint64_t)pn * 3 && a[1] == (uint64_t)pn * 5 &&
				      a[2] == 7 && a[3] == 11);
				seen++;
			}
		}
		CHECK_EQ_U(seen, 4);
	}
	space_free(&sp);
	uw_stack_free(&st);
out:
	free(cause);
	if (f)
		fclose(f);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	debuginfo_free(dbg);
}

/* Compile the program, cross-decode its DWARF and libc's, run it. */
static void test_real(void)
{
	char dir[] = "/tmp/memviz_dwexpr_XXXXXX", src[64], exe[64], cmd[256];
	struct object o;
	struct func work = { 0 }, mainf = { 0 };
	struct walk w = { 0 };
	FILE *f;

	if (!mkdtemp(dir))
		return;
	snprintf(src, sizeof(src), "%s/prog.c", dir);
	snprintf(exe, sizeof(exe), "%s/prog", dir);
	f = fopen(src, "w");
	fputs(prog_src, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cc -g -O2 -o %s %s", exe, src);
	if (system(cmd) != 0) {
		printf("real program: skipped (no compiler)\n");
		goto out;
	}
	CHECK(object_open(&o, exe) == 0);
	w.o = &o;
	w.work = &work;
	w.main = &mainf;
	walk_object(&w, 1000, 1e9);
	printf("cc -O2 program: %d exprlocs and %d location list entries cross-decoded with "
	       "libdwarf, %d differ\n", w.exprs, w.lists, w.bad);
	CHECK(w.exprs > 10 && w.lists > 5 && w.bad == 0);
	CHECK(work.nvars >= 4 && work.fb && mainf.fb);
	test_program(exe, &o, &work, &mainf);
	object_close(&o);
out:
	unlink(exe);
	unlink(src);
	rmdir(dir);
}

/* libc's debug file: the first units, bounded in time. */
static void test_libc(void)
{
	struct space sp;
	const struct elf_module *libc = NULL;
	char *cause = NULL;
	struct object o;
	struct walk w = { 0 };

	space_init(&sp);
	if (space_read(&sp, getpid(), &cause) == 0)
		for (size_t i = 0; i < sp.elf.n; i++)
			if (strstr(sp.elf.mods[i].ef->path, "libc.so"))
				libc = &sp.elf.mods[i];
	if (!libc || !libc->ef->debug_path) {
		printf("libc: skipped (no libc6-dbg)\n");
		goto out;
	}
	CHECK(object_open(&o, libc->ef->debug_path) == 0);
	w.o = &o;
	walk_object(&w, 100000, 800);
	printf("libc: %d exprlocs and %d location list entries cross-decoded with libdwarf, "
	       "%d differ\n", w.exprs, w.lists, w.bad);
	CHECK(w.exprs > 100 && w.lists > 100 && w.bad == 0);
	object_close(&o);
out:
	free(cause);
	space_free(&sp);
}

int main(void)
{
	test_constants();
	test_stack_ops();
	test_arithmetic();
	test_branches();
	test_memory_and_registers();
	test_values_and_pieces();
	test_unsupported();
	test_malformed();
	test_at_and_names();
	test_real();
	test_libc();
	CHECK_DONE();
}
