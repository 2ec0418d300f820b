/*
 * debuginfo.h - the DWARF and CFI of every ELF object a process maps,
 * opened the first time something asks for them and kept for the session
 * (keyed by path and build-id: a library unmapped and mapped again is not
 * read twice).  A stop's models (unwind, vars, the `at` of events) and the
 * tracer's line and call probes all find an object's debug info here.
 */
#ifndef MEMVIZ_DEBUGINFO_H
#define MEMVIZ_DEBUGINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "cfi.h"
#include "dwarfinfo.h"
#include "elfinfo.h"

struct debuginfo;

struct debuginfo *debuginfo_new(void);
void debuginfo_free(struct debuginfo *d);
/* The DWARF of a mapped module, or NULL if it has none. */
struct dwarfinfo *debuginfo_dwarf(struct debuginfo *d, const struct elf_module *m);
/* The CFI of a mapped module, or NULL if it has none. */
struct cfi *debuginfo_cfi(struct debuginfo *d, const struct elf_module *m);

/* Source position of a runtime pc: the function (DWARF, else the symbol
 * table), the file and line (DWARF; NULL/0 if none).  `call_ret`: pc is a
 * return address (a caller's frame), so its line is looked up at pc - 1,
 * the call instruction, as gdb does.  Strings are owned by the debug info
 * or the module.  false if pc is in no module. */
struct debuginfo_loc {
	const char *fn;
	uint64_t fn_off;          /* pc - the function's start */
	const char *file;
	int line;
	const struct elf_module *mod;
	struct dwarfinfo *di;     /* NULL: no DWARF for this module */
	const struct dw_func *func;     /* NULL: no DWARF function holds pc */
};
bool debuginfo_locate(struct debuginfo *d, const struct elfinfo *ei, uint64_t pc,
		      bool call_ret, struct debuginfo_loc *out);

#endif
