/*
 * space.h - the address-space model: the process's regions from
 * /proc/PID/maps, each classified (text, heap, stack ...) and carrying the
 * ELF sections that lie in it at their runtime addresses, with its RSS; and
 * the process's page-fault counters.
 */
#ifndef MEMVIZ_SPACE_H
#define MEMVIZ_SPACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "elfinfo.h"
#include "procfs.h"

enum region_kind {
	RK_TEXT, RK_RODATA, RK_DATA, RK_BSS, RK_HEAP, RK_STACK, RK_MMAP,
	RK_LIB, RK_VDSO, RK_VVAR, RK_VSYSCALL, RK_GUARD, RK_OTHER,
	RK__COUNT
};

struct section_span {
	const char *name;         /* points into the elf_file (lives in elfinfo) */
	uint64_t start, end;      /* runtime, clipped to the region */
};

struct region {
	uint64_t start, end, offset;
	char perms[5];
	const char *path;         /* points into the maps entry; "" if anonymous */
	enum region_kind kind;
	uint64_t rss_kb;
	const struct elf_module *mod;   /* the ELF object it belongs to, or NULL */
	struct section_span *sections;  /* SHF_ALLOC sections overlapping it,
					   by address; .bss also in the
					   anonymous mapping after .data */
	size_t nsections, seccap;
};

struct space {
	struct maps maps;         /* owns the strings regions point to */
	struct elfinfo elf;       /* kept across reads: files opened once */
	struct region *regions;   /* sorted by start */
	size_t n, cap;
	uint64_t minflt, majflt;
	uint64_t vsz_kb, rss_kb;
	uint64_t *rss_tmp;        /* scratch for procfs_rss */
	size_t rss_cap;
};

void space_init(struct space *sp);
/* Re-read maps, ELF modules, sections, RSS and faults of pid.
 * -1 with *cause if the maps cannot be read (process gone, EPERM). */
int space_read(struct space *sp, pid_t pid, char **cause);
void space_free(struct space *sp);
/* Classify a maps entry given the module it belongs to (NULL if none). */
enum region_kind space_classify(const struct maps_entry *e, const struct elf_module *mod);
const char *region_kind_name(enum region_kind k);
/* The region holding addr, or NULL ("unmapped"). */
const struct region *space_find(const struct space *sp, uint64_t addr);

#endif
