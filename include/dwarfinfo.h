/*
 * dwarfinfo.h - the DWARF debug info of one ELF object, through libdwarf:
 * its functions (pc ranges, where the prologue ends, frame base, params,
 * locals and nested lexical blocks, call sites), the line table, types, and
 * the object's globals.  Everything is copied into the plain structs below,
 * so the models and views never touch libdwarf.
 *
 * All addresses here are link-time: add the module's bias for runtime.
 * A big object (libc through libc6-dbg) is loaded one compilation unit at a
 * time, when a query first needs it; the executable's units all load at
 * once (dwarfinfo_funcs, dwarfinfo_line_addrs ask for all of them).
 * Everything returned lives until dwarfinfo_free.
 *
 * Expressions (locations, frame bases, call values) are struct dw_op
 * arrays with the operands decoded as dwexpr_decode decodes them: signed
 * operands (DW_OP_fbreg, bregN, consts, const1s...) sign-extended to 64
 * bits; no operand (DW_OP_lit0..31 too): a = b = 0; DW_OP_implicit_value,
 * DW_OP_entry_value and DW_OP_GNU_entry_value: block/blen = the block;
 * DW_OP_const_type: a = type DIE offset (unit-relative), block/blen = the
 * value bytes; DW_OP_skip/DW_OP_bra: a = the signed byte offset, b = the
 * index of the target operation (nops: the end).  An expression with a
 * branch to no operation boundary is malformed and left empty.  Unlike
 * dwexpr_decode, DW_OP_addrx/DW_OP_constx arrive as DW_OP_addr /
 * DW_OP_const8u with the value from .debug_addr.
 */
#ifndef MEMVIZ_DWARFINFO_H
#define MEMVIZ_DWARFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwexpr.h"
#include "elfinfo.h"

enum dw_type_kind {
	DWT_VOID,                 /* only as a target: void *, void f() */
	DWT_BASE,                 /* int, char, double, _Bool ... */
	DWT_POINTER,
	DWT_ARRAY,                /* int a[2][3] is an array of 2 arrays of 3 */
	DWT_STRUCT, DWT_UNION, DWT_ENUM,
	DWT_TYPEDEF,
	DWT_CONST, DWT_VOLATILE,
	DWT_QUAL,                 /* restrict, _Atomic: name holds the keyword */
	DWT_FUNC,                 /* a subroutine type (the target of a function pointer) */
	DWT_OTHER,                /* anything else: shown by name, value as bytes */
};

struct dw_type;

struct dw_member {
	char *name;               /* NULL: anonymous struct/union member */
	uint64_t offset;          /* bytes from the start of the struct */
	unsigned bit_size, bit_offset;  /* bit fields (bit_size > 0): the field
					   is bits [bit_offset, bit_offset +
					   bit_size) of the little-endian bytes
					   at offset, LSB first; bit_offset < 8,
					   so (bit_offset + bit_size + 7) / 8
					   bytes hold it, never past the struct */
	const struct dw_type *type;
};

struct dw_enumerator {
	char *name;
	int64_t value;
};

struct dw_type {
	enum dw_type_kind kind;
	char *name;               /* base/struct/union/enum/typedef name; NULL if anonymous */
	uint64_t size;            /* bytes; 0 if unknown (incomplete struct, void) */
	unsigned encoding;        /* DWT_BASE: DW_ATE_* */
	const struct dw_type *target;   /* pointee, element, typedef'd or qualified
					   type, function return; NULL means void */
	uint64_t count;           /* DWT_ARRAY: elements (0 with !count_known: a[]) */
	bool count_known;
	struct dw_member *members;      /* DWT_STRUCT, DWT_UNION */
	size_t nmembers;
	struct dw_enumerator *enums;    /* DWT_ENUM */
	size_t nenums;
	const struct dw_type **params;  /* DWT_FUNC: parameter types */
	size_t nparams;
	bool varargs;             /* DWT_FUNC: (...) */
	bool prototyped;          /* DWT_FUNC: int (void), not K&R int () */
};

/* DWV_GLOBAL: static storage, external linkage; DWV_STATIC: static storage,
 * internal linkage (a file-scope `static`, or a function-static). */
enum dw_var_kind { DWV_PARAM, DWV_LOCAL, DWV_GLOBAL, DWV_STATIC };

struct dw_var {
	char *name;
	enum dw_var_kind kind;
	const struct dw_type *type;
	struct dw_expr *loc;      /* location list, by lo ([lo, hi) link-time,
				     empty entries dropped; an exprloc, or a
				     DWARF 5 default entry (last), covers all
				     pcs: lo 0, hi UINT64_MAX); an entry with
				     no ops: optimized out there; nloc == 0:
				     optimized out */
	size_t nloc;
	bool has_const;           /* DW_AT_const_value instead of a location */
	int64_t const_value;      /* sign- or zero-extended by the type's
				     signedness; a float's bit pattern */
	int decl_line;            /* 0 if unknown */
};

struct dw_range {
	uint64_t lo, hi;          /* [lo, hi) */
};

/* A function-static object declared in a scope (gdb lists it with the
 * scope's locals). */
struct dw_scope_static {
	const struct dw_var *var; /* DWV_STATIC, the one in dwarfinfo_globals */
	size_t pos;               /* declared after this many of the scope's vars */
};

struct dw_scope {                 /* a function's body or a lexical block in it */
	struct dw_range *ranges;
	size_t nranges;
	struct dw_var *vars;      /* in declaration order; params first.  As
				     gdb: a concrete (out-of-line) copy of an
				     inline function also has the variables of
				     its abstract instance it has no copy of,
				     optimized out.  Function-statics are not
				     here (they are in dwarfinfo_globals) but
				     in statics */
	size_t nvars;
	struct dw_scope *blocks;  /* nested lexical blocks */
	size_t nblocks;
	const struct dw_scope_static *statics;
	size_t nstatics;
};

/* A value a caller put in a register for a call (DW_TAG_call_site_parameter),
 * for DW_OP_entry_value in the callee. */
struct dw_call_param {
	int reg;                  /* DWARF register in the callee at entry */
	struct dw_op *value;      /* DW_AT_call_value, evaluated in the caller */
	size_t nvalue;
};

struct dw_call_site {
	uint64_t ret_pc;          /* DW_AT_call_return_pc (the return address) */
	struct dw_call_param *params;
	size_t nparams;
	struct dw_op *target;     /* an indirect call: DW_AT_call_target, the
				     callee's address, evaluated in the caller */
	size_t ntarget;
};

/* A function inlined into another (DW_TAG_inlined_subroutine).  It is
 * no frame of its own here and its variables are not read, but its code
 * is known, and where it was inlined. */
struct dw_inline {
	const char *name;
	struct dw_range *ranges;  /* sorted */
	size_t nranges;
	const char *call_file;    /* where it was inlined (owned by the unit) */
	int call_line;
	unsigned depth;           /* 0: inlined into the function itself, 1:
				     into one of those, ... */
};

struct dw_func {
	char *name;
	uint64_t lo, hi;          /* the entry range [lo, hi); lo is the entry point */
	struct dw_range *ranges;  /* every range (hot/cold split parts too), sorted */
	size_t nranges;
	uint64_t body_pc;         /* first pc after the prologue: where gdb's
				     `break FUNC` stops.  gdb's rule: lo for a
				     gcc unit with location lists (optimized
				     code) or a frameless entry; else the end
				     of the line-table row holding the pc
				     after `push %rbp; mov %rsp,%rbp` (the
				     second row), if it is inside f */
	const char *file;         /* declaration file (owned by the unit) */
	int line;                 /* declaration line */
	const struct dw_type *ret_type;  /* NULL: void */
	struct dw_expr *frame_base;     /* DW_AT_frame_base (usually DW_OP_call_frame_cfa) */
	size_t nframe_base;
	struct dw_scope scope;    /* params and locals, nested blocks */
	struct dw_call_site *calls;     /* sorted by ret_pc; those of the
					   functions inlined into it too */
	size_t ncalls;
	bool external;            /* visible outside its unit (not static) */
	struct dw_inline *inlines;      /* in DIE order: one inlined into
					   another comes after it */
	size_t ninlines;
};

/* One row of the line table, as gdb keeps them: rows of line 0 and the
 * repeats gdb folds (a loop line's basic blocks, told apart by DWARF
 * discriminators) are dropped, so rows, lines and breakpoints match gdb's. */
struct dw_line {
	uint64_t addr;
	const char *file;         /* as gdb prints it: the line table's name
				     joined to its directory unless absolute
				     ("demos/stack_frames.c", "/usr/include/
				     stdio.h", "./malloc/malloc.c"); owned by
				     the unit */
	int line;
	bool is_stmt;             /* a recommended breakpoint / statement start */
	bool end_seq;             /* first address past a sequence: no line */
};

struct dwarfinfo;

/* Open the debug info of ef: its separate debug file (ef->debug_path) when
 * there is one, else ef->path.  NULL with *cause when there is none or
 * libdwarf cannot read it ("no DWARF debug info"). */
struct dwarfinfo *dwarfinfo_open(const struct elf_file *ef, char **cause);
/* Same from an ELF image in memory (the fuzzer).  The buffer must outlive it. */
struct dwarfinfo *dwarfinfo_open_memory(const void *buf, size_t len, char **cause);
void dwarfinfo_free(struct dwarfinfo *di);

/* The function whose ranges hold pc (link-time), or NULL. */
const struct dw_func *dwarfinfo_func_at(struct dwarfinfo *di, uint64_t pc);
/* The line-table row that holds pc, as gdb's find_pc_line picks it (the
 * last row <= pc; among rows at one address an is_stmt one), or NULL when
 * no sequence holds pc.  *exact (may be NULL): pc is that row's own
 * address. */
const struct dw_line *dwarfinfo_line_at(struct dwarfinfo *di, uint64_t pc, bool *exact);
/* Is pc the address of an is_stmt row (a place where a new line starts)? */
bool dwarfinfo_is_stmt(struct dwarfinfo *di, uint64_t pc);

/* Every function of every unit (loads them all: for libc, 2 s), sorted by lo. */
size_t dwarfinfo_funcs(struct dwarfinfo *di, const struct dw_func *const **out);
/* Every unit-level (global or file-static) variable with a fixed address
 * (DW_OP_addr) and every function-static one, sorted by name. */
size_t dwarfinfo_globals(struct dwarfinfo *di, const struct dw_var *const **out);
/* Breakpoint addresses for FILE:LINE, as gdb picks them: the is_stmt rows
 * of the first line >= `line` that has code, within `file` (matched as a
 * path suffix on '/' boundaries: "stack_frames.c" matches
 * "demos/stack_frames.c"), the lowest one of each block (function, lexical
 * block, inlined function); one inside a function's prologue moves to its
 * body_pc.  *found_line gets the line gdb reports: that line, or when the
 * lowest address moved past a prologue, the line there.  Returns how many
 * addresses (at most max), sorted; 0 if none. */
size_t dwarfinfo_line_addrs(struct dwarfinfo *di, const char *file, int line,
			    uint64_t *out, size_t max, int *found_line);

/* The innermost lexical scopes of f holding pc, outermost (f->scope) first:
 * out[0] = &f->scope, out[1] = the block in it holding pc, ...  Returns the
 * count (at most max). */
size_t dwarfinfo_scopes_at(const struct dw_func *f, uint64_t pc,
			   const struct dw_scope **out, size_t max);
/* The innermost function inlined into f whose code holds pc, or NULL. */
const struct dw_inline *dwarfinfo_inline_at(const struct dw_func *f, uint64_t pc);
/* The call site of f whose return address is ret_pc, or NULL. */
const struct dw_call_site *dwarfinfo_call_site(const struct dw_func *f, uint64_t ret_pc);

/* "char *", "int [4]", "struct node *", "const char *", "long (*)(int)":
 * a type as gdb's whatis prints it; NULL means "void".  Written to sb. */
void dwarfinfo_type_name(const struct dw_type *t, struct strbuf *sb);
/* Strip typedefs and qualifiers. */
const struct dw_type *dwarfinfo_type_strip(const struct dw_type *t);

#endif
