/*
 * dwobj.h - the one way memviz hands an ELF file to libdwarf: through
 * libdwarf's object access interface, with the sections served by libelf.
 *
 * Why one way only: libdwarf 20210528's own openers (dwarf_init_b,
 * dwarf_elf_init_b) set a process-wide hook (_dwarf_get_elf_flags_func_ptr)
 * that every later dwarf_object_init_b then calls with its own object as
 * if it were libdwarf's ELF reader: after one of them, a custom-interface
 * open fails with DW_DLE_SECTION_INDEX_BAD.  So dwarfinfo and cfi both open
 * through here and nothing in memviz calls those openers.
 *
 * Serving the sections with libelf also decompresses SHF_COMPRESSED
 * sections (libc6-dbg's are) and survives broken section headers, where
 * libdwarf's reader allocates whatever a header claims.
 */
#ifndef MEMVIZ_DWOBJ_H
#define MEMVIZ_DWOBJ_H

#include <libdwarf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dwobj {
	Elf *e;
	size_t nsec, shstrndx;
	uint64_t *size;           /* what each section's size was said to be */
	Dwarf_Endianness order;
	Dwarf_Small ptr_size;
	Dwarf_Obj_Access_Interface iface;
	Dwarf_Debug dbg;          /* set by dwobj_open on success */
};

/* Open the ELF file on fd (the caller keeps and closes fd) and init
 * libdwarf on it.  0 on success; -1 with *cause set otherwise (ob is then
 * closed).  "No DWARF" is a failure like any other: the caller knows what
 * it was looking for. */
int dwobj_open(struct dwobj *ob, int fd, char **cause);

/* Release libdwarf's and libelf's hold of the file; ob may be zeroed. */
void dwobj_close(struct dwobj *ob);

/* A section's bytes as libelf serves them (decompressed), by name; NULL
 * if ob has no such section with contents. */
const uint8_t *dwobj_section(struct dwobj *ob, const char *name, size_t *len);

/* Is a DWARF 5 list section (.debug_rnglists, .debug_loclists) made of
 * headers libdwarf can read without harm?  See dwobj.c. */
bool dwobj_list_headers_ok(const uint8_t *p, size_t size);

#endif
