/*
 * cfi.h - call frame information of one ELF object (.eh_frame from the
 * object itself, .debug_frame from it or its debug file), through
 * libdwarf's frame interface: for a pc, how to find the frame's CFA and
 * where the caller's registers were saved.  This is what lets -O2 code
 * without frame pointers, and libc, unwind.  (libdwarf 20210528 does open
 * an object with .eh_frame and no .debug_* section, such as libc.so.6:
 * checked, see cfi.c.)
 */
#ifndef MEMVIZ_CFI_H
#define MEMVIZ_CFI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwexpr.h"
#include "elfinfo.h"

/* Operations an expression rule may have.  The longest in practice: the
 * PLT's CFA expression (breg7 8; breg16 0; lit15; and; lit11; ge; lit3;
 * shl; plus = 9).  A longer one reads as CFI_UNDEF with row->bad_expr. */
#define CFI_MAX_OPS 16

enum cfi_rule_kind {
	CFI_UNDEF,                /* not recoverable (rip undefined: outermost frame) */
	CFI_SAME,                 /* the caller's value is this frame's (also
				     what a register without a rule gets:
				     the unwinder decides what that means
				     for a caller-saved register) */
	CFI_OFFSET,               /* saved at address CFA + off */
	CFI_VAL_OFFSET,           /* the value is CFA + off */
	CFI_REG,                  /* the value is in register reg */
	CFI_EXPR,                 /* saved at the address expr computes (CFA pushed first) */
	CFI_VAL_EXPR,             /* the value is what expr computes (CFA pushed first) */
};

struct cfi_rule {
	enum cfi_rule_kind kind;
	int reg;
	int64_t off;
	struct dw_op ops[CFI_MAX_OPS];  /* CFI_EXPR, CFI_VAL_EXPR (decoded;
					   blocks point into the cfi) */
	size_t nops;
};

/* The unwind row for one pc: CFA, and the rule for each DWARF register
 * 0..16 (16: the return address column). */
struct cfi_row {
	uint64_t lo, hi;          /* link-time pcs this row holds for */
	bool cfa_is_expr;
	int cfa_reg;              /* CFA = regs[cfa_reg] + cfa_off */
	int64_t cfa_off;
	struct dw_op cfa_ops[CFI_MAX_OPS];  /* or CFA = value of this expression
					       (nothing pushed first) */
	size_t cfa_nops;
	struct cfi_rule regs[DW_NREGS];
	bool signal_frame;        /* CIE augmentation 'S' (__restore_rt):
				     the pc of the frame it unwinds to is
				     not a return address (look it up as is) */
	bool bad_expr;            /* a register's expression could not be
				     decoded: that register reads CFI_UNDEF */
};

struct cfi;

/* Open the CFI of ef (.eh_frame of ef->path; .debug_frame of ef->path or
 * ef->debug_path).  NULL with *cause if the object has neither. */
struct cfi *cfi_open(const struct elf_file *ef, char **cause);
/* Same from an ELF image in memory (the fuzzer); the buffer must outlive it. */
struct cfi *cfi_open_memory(const void *buf, size_t len, char **cause);
void cfi_free(struct cfi *c);
/* The row for link-time pc.  0, or -1 if no FDE covers pc (or its CFA
 * rule cannot be used).  Rows are cached by pc: a deep recursion asks for
 * the same pc a thousand times and pays one lookup. */
int cfi_find(struct cfi *c, uint64_t pc, struct cfi_row *row);

#endif
