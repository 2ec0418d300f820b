/*
 * vars.h - the variables of a stack frame (its parameters and the locals
 * of every lexical block in scope at its pc) and the executable's globals:
 * where each lives, its type, and its value as text the way gdb prints it
 * (`info locals`, `info args`).  Pointers keep their raw value, for the
 * snapshot to say what they point to.
 */
#ifndef MEMVIZ_VARS_H
#define MEMVIZ_VARS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dwarfinfo.h"
#include "elfinfo.h"
#include "unwind.h"
#include "util.h"

struct var_info {
	const char *name;         /* borrowed from the debug info */
	enum dw_var_kind kind;
	char *type;               /* "char *", "int [4]" (gdb's whatis) */
	bool has_addr;            /* lives in memory at addr */
	uint64_t addr;
	int reg;                  /* >= 0: lives in this DWARF register */
	uint64_t size;            /* bytes of its type */
	char *value;              /* "42", "0x5555555592a0 \"hi\"", "{1, 2}",
				     "<optimized out>", "<unavailable>" (in a
				     register not read), "<error reading
				     variable x (...)>" */
	bool is_ptr;              /* a pointer (after typedefs and qualifiers)
				     whose value could be read */
	uint64_t ptr;             /* its value */
	bool ptr_to_func;         /* a function pointer */
	char *points_to;          /* set by the snapshot's classification */
	const char *points_kind;  /* "heap", "heap_freed", "stack", "stack_popped",
				     "global", "function", "null", "wild", "other" */
};

struct var_list {
	struct var_info *v;
	size_t n, cap;
};

/* How values are printed: gdb 13's defaults (print elements 200, repeats
 * 10, max-depth 20, max-value-size 65536, pretty off, null-stop off) and
 * its output in a UTF-8 locale. */
struct vars_opts {
	const struct mem_reader *mem;   /* strings behind char *, globals */
	const struct elfinfo *elf;      /* <symbol> after pointers into code or data */
	struct debuginfo *dbg;    /* optional: a code address is named after
				     its DWARF function, as gdb does */
	size_t max_elems;         /* gdb's `print elements` (0: 200) */
	size_t max_value;         /* cap on a value's text, bytes (0: 4096);
				     a cut value ends in "..." */
	const uint8_t *xmm;       /* frame 0's xmm0..xmm15, 16 bytes each (the
				     xmm_space of PTRACE_GETFPREGS), or NULL:
				     frame 0's variables there are then
				     "<unavailable>" */
};

/* The variables of frame i of st, in gdb's order (`info args` then `info
 * locals`): the parameters in declaration order; then the locals of the
 * innermost block holding the pc first, out to the function's own; a
 * nested block's in gdb's hash-table order (gdb keeps a block's symbols in
 * a hash table and lists them bucket by bucket), the function's own in
 * declaration order.  A block's variable that shadows an outer one comes
 * before it.  Appends to out; returns how many were added.
 * Values in registers come from the frame's recovered registers (a
 * caller's call-clobbered ones are gone: "<optimized out>"); a
 * DW_OP_entry_value is resolved through frame i+1's call site when that
 * call is a call of this function (not past a tail call, nor above main).
 * Memory is read through the stack window of st (unwind_read). */
size_t vars_frame(const struct uw_input *in, const struct uw_stack *st, size_t i,
		  const struct vars_opts *o, struct var_list *out);
/* The globals (and function statics) of a module with DWARF, in
 * dwarfinfo_globals' order, read through o->mem. */
size_t vars_globals(struct dwarfinfo *di, const struct elf_module *m,
		    const struct vars_opts *o, struct var_list *out);

/* gdb's text for a value of type t held in bytes[0..len).  Reads more
 * memory through o->mem only for what gdb would (the string behind a
 * char *).  Never reads outside bytes; any type graph is fine (depth and
 * length bounded). */
void vars_format(const struct dw_type *t, const uint8_t *bytes, size_t len,
		 const struct vars_opts *o, struct strbuf *sb);
/* Same for a value that lives at addr: an array of unknown length (a
 * flexible array member) prints as that address, as gdb does. */
void vars_format_at(const struct dw_type *t, const uint8_t *bytes, size_t len,
		    uint64_t addr, const struct vars_opts *o, struct strbuf *sb);

void var_list_clear(struct var_list *l);
void var_list_free(struct var_list *l);

#endif
