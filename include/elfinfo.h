/*
 * elfinfo.h - what libelf tells about one ELF file (sections, segments,
 * symbols, build-id, its separate debug file), and about the set of ELF
 * files mapped in a process (load bias, address -> symbol, name -> address).
 */
#ifndef MEMVIZ_ELFINFO_H
#define MEMVIZ_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procfs.h"

struct elf_section {
	char *name;
	uint64_t addr, size, offset;  /* link-time addr; add the module bias */
	uint32_t type;                /* SHT_* */
	uint64_t flags;               /* SHF_* */
};

struct elf_segment {                  /* PT_LOAD program headers */
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;               /* PF_R | PF_W | PF_X */
};

struct elf_symbol {
	char *name;
	uint64_t value, size;         /* link-time value */
	unsigned char type, bind;     /* STT_*, STB_* */
};

struct elf_file {
	char *path;
	uint16_t e_type;              /* ET_EXEC, ET_DYN */
	uint64_t entry;
	struct elf_section *sections;
	size_t nsections;
	struct elf_segment *segments;
	size_t nsegments;
	struct elf_symbol *symbols;   /* defined FUNC/OBJECT/IFUNC symbols of
					 .symtab, .dynsym and the debug file,
					 sorted by value, duplicates removed */
	size_t nsymbols;
	char *build_id;               /* lowercase hex, NULL if none */
	bool has_symtab;              /* .symtab present (not stripped) */
	bool has_debug_info;          /* .debug_info here or in the debug file */
	char *debug_path;             /* the separate debug file used, or NULL */
};

/* Open and read path; NULL with *cause ("not an ELF file", ENOENT ...).
 * The debug file is looked up by build-id under $MEMVIZ_DEBUG_DIR, else
 * /usr/lib/debug (.build-id/xx/rest.debug). */
struct elf_file *elf_file_open(const char *path, char **cause);
/* Same, from bytes in memory (for the fuzzer); no debug-file lookup. */
struct elf_file *elf_file_from_memory(const void *buf, size_t len, char **cause);
void elf_file_free(struct elf_file *ef);
/* A defined function or object symbol by name (first match), or NULL. */
const struct elf_symbol *elf_file_symbol(const struct elf_file *ef, const char *name);
/* The symbol whose [value, value+size) holds vaddr (link-time), else the
 * nearest one below it in the same section; NULL if none. */
const struct elf_symbol *elf_file_symbol_at(const struct elf_file *ef, uint64_t vaddr);
/* Is this file an ELF file at all (magic check only)? */
bool elf_is_elf(const char *path);

/* One ELF file mapped in a process. */
struct elf_module {
	struct elf_file *ef;
	uint64_t bias;                /* runtime addr = link-time addr + bias */
	uint64_t lo, hi;              /* runtime span of all its mappings */
	bool is_exe;                  /* the main executable (/proc/PID/exe) */
	bool is_loader;               /* the dynamic loader (PT_INTERP target) */
};

struct elfinfo {
	struct elf_module *mods;      /* in address order */
	size_t n, cap;
	char *exe_path;
};

/* (Re)build the module list from the process's maps: every file-backed
 * mapping whose file is ELF becomes (part of) a module; files already open
 * are reused. Unreadable files are skipped. -1 with *cause on failure. */
int elfinfo_load(struct elfinfo *ei, pid_t pid, const struct maps *m, char **cause);
void elfinfo_free(struct elfinfo *ei);
const struct elf_module *elfinfo_exe(const struct elfinfo *ei);
const struct elf_module *elfinfo_module_at(const struct elfinfo *ei, uint64_t addr);
/* Runtime address of the function `name` as the dynamic linker would bind
 * it: the executable first, then the other modules in address order, the
 * loader last; only defined STT_FUNC symbols. 0 if none. */
uint64_t elfinfo_resolve(const struct elfinfo *ei, const char *name);
/* Symbol for a runtime address: *name, *off from its start, *mod. -1 if none. */
int elfinfo_symbolize(const struct elfinfo *ei, uint64_t addr, const char **name,
		      uint64_t *off, const struct elf_module **mod);

#endif
