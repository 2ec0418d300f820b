/*
 * dwexpr.h - DWARF expressions: decode the bytes of one (from CFI, or a
 * DW_FORM_exprloc) into operations, and evaluate operations against a
 * frame's registers and the program's memory.  Variables' locations, frame
 * bases and CFI's expression rules all go through here.
 *
 * Registers use the DWARF numbering of x86-64 (System V psABI):
 *   0 rax 1 rdx 2 rcx 3 rbx 4 rsi 5 rdi 6 rbp 7 rsp 8-15 r8-r15 16 rip
 */
#ifndef MEMVIZ_DWEXPR_H
#define MEMVIZ_DWEXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define DW_NREGS 17               /* rax..r15 and the return address (16) */
#define DW_REG_RBP 6
#define DW_REG_RSP 7
#define DW_REG_RIP 16

/* One operation.  a and b are its operands in the order DWARF lists them,
 * already decoded (LEB128s, fixed sizes; a signed operand is stored
 * sign-extended); DW_OP_litN, regN and bregN keep N in op only (bregN: a is
 * the offset).  A block operand (DW_OP_implicit_value, DW_OP_entry_value,
 * DW_OP_const_type's constant) points into memory owned by whoever owns the
 * expression.  DW_OP_skip and DW_OP_bra: a is the byte offset as written,
 * b the index of the operation it lands on (== the op count: the end), so
 * the evaluator never deals in bytes; a branch into the middle of an
 * operation makes the expression malformed. */
struct dw_op {
	uint8_t op;               /* DW_OP_* */
	uint64_t a, b;
	const uint8_t *block;
	size_t blen;
};

/* An expression that applies over a pc range (one entry of a location
 * list, or the whole function when lo == 0 and hi == UINT64_MAX).  pcs
 * are link-time addresses of the object. */
struct dw_expr {
	uint64_t lo, hi;
	struct dw_op *ops;
	size_t nops;
};

/* Decode len bytes into at most max operations; *n gets the count.
 * 0, or -1 for a malformed or truncated expression, an unknown opcode, or
 * more than max operations (never reads past p+len).  DW_OP_call_ref and
 * the DW_OP_implicit_pointer reference are read as 4-byte (32-bit DWARF)
 * offsets. */
int dwexpr_decode(const uint8_t *p, size_t len, struct dw_op *ops, size_t max, size_t *n);

/* Where a DW_OP_entry_value's value comes from: the caller's value of a
 * register at the call (a call site parameter).  Filled by the caller of
 * dwexpr_eval; NULL when no caller frame is known. */
struct dwexpr_entry {
	void *ctx;
	/* the value register `reg` had on entry to the frame; 0 or -1 */
	int (*value)(void *ctx, int reg, uint64_t *out);
};

struct dwexpr_ctx {
	uint64_t regs[DW_NREGS];  /* the frame's registers */
	uint32_t valid;           /* bit r: regs[r] is known */
	uint64_t cfa;             /* DW_OP_call_frame_cfa */
	bool has_cfa;
	uint64_t frame_base;      /* DW_OP_fbreg (the function's DW_AT_frame_base) */
	bool has_frame_base;
	uint64_t bias;            /* added to DW_OP_addr: the object's load bias */
	const struct mem_reader *mem;   /* DW_OP_deref; NULL: none allowed */
	const struct dwexpr_entry *entry;
	uint64_t push_first;      /* pushed before evaluating (CFI DW_CFA_expression
				     pushes the CFA) when has_push_first */
	bool has_push_first;
};

enum dwexpr_kind {
	DWX_NONE,                 /* no location: optimized out, or unsupported */
	DWX_ADDR,                 /* the object lives in memory at value */
	DWX_REG,                  /* the object lives in register reg (its value
				     is regs[reg] when valid) */
	DWX_VALUE,                /* no home: value is the object's value
				     (DW_OP_stack_value, DW_OP_implicit_value <= 8 bytes) */
};

struct dwexpr_result {
	enum dwexpr_kind kind;
	uint64_t value;
	int reg;
	const char *why;          /* DWX_NONE: a short reason ("optimized out",
				     "DW_OP_piece", "register not saved" ...) */
	uint64_t piece;           /* the location was one DW_OP_piece of this
				     many bytes (the caller decides whether
				     it covers the whole object); 0: no piece */
};

#define DWEXPR_MAX_STEPS 10000    /* operations executed per evaluation */
#define DWEXPR_MAX_STACK 64       /* DWARF stack depth */

/* Evaluate ops.  Never loops forever (DWEXPR_MAX_STEPS) or reads outside
 * the ops array; a stack underflow, an unknown op or a failed read gives
 * DWX_NONE with why set.  Returns 0 if out->kind != DWX_NONE, else -1.
 * Not evaluated (DWX_NONE, why says which): composite locations of more
 * than one piece, DW_OP_bit_piece, TLS, DW_OP_call*, .debug_addr indexes
 * (addrx, constx), implicit pointers, typed conversions to a non-generic
 * type (DW_OP_convert/reinterpret: the evaluator knows no types), xderef,
 * implicit values over 8 bytes. */
int dwexpr_eval(const struct dw_op *ops, size_t n, const struct dwexpr_ctx *c,
		struct dwexpr_result *out);

/* The expression of a location list that holds at link-time pc, or NULL. */
const struct dw_expr *dwexpr_at(const struct dw_expr *list, size_t n, uint64_t pc);

/* "rbx", "rip" ...: the name of DWARF register r, or NULL. */
const char *dwexpr_reg_name(int r);

#endif
