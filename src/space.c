/*
 * space.c - the address-space model: one region per /proc/PID/maps entry,
 * classified (text, rodata, data, bss, heap, stack, lib ...), carrying the
 * ELF sections that lie in it at their runtime addresses, and its RSS.
 *
 * space_read runs at every stop, so it reuses everything it can: the
 * region array and each region's section array keep their storage, and the
 * ELF files stay open in sp->elf as long as they stay mapped.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "space.h"
#include "util.h"

static const char *const kind_names[RK__COUNT] = {
	[RK_TEXT] = "text", [RK_RODATA] = "rodata", [RK_DATA] = "data",
	[RK_BSS] = "bss", [RK_HEAP] = "heap", [RK_STACK] = "stack",
	[RK_MMAP] = "mmap", [RK_LIB] = "lib", [RK_VDSO] = "vdso",
	[RK_VVAR] = "vvar", [RK_VSYSCALL] = "vsyscall", [RK_GUARD] = "guard",
	[RK_OTHER] = "other",
};

/* Initialise an empty space. */
void space_init(struct space *sp)
{
	memset(sp, 0, sizeof(*sp));
}

/* Frees everything sp holds; sp is empty afterwards. */
void space_free(struct space *sp)
{
	for (size_t i = 0; i < sp->cap; i++)
		free(sp->regions[i].sections);
	free(sp->regions);
	free(sp->rss_tmp);
	maps_free(&sp->maps);
	elfinfo_free(&sp->elf);
	space_init(sp);
}

/* The DESIGN.md name of a region kind ("text", "heap" ...). */
const char *region_kind_name(enum region_kind k)
{
	if ((unsigned)k >= RK__COUNT)
		return "other";
	return kind_names[k];
}

/* Does this section occupy address space at run time? */
static bool section_mapped(const struct elf_section *s)
{
	return (s->flags & SHF_ALLOC) && s->addr != 0 && s->size != 0 &&
	       !((s->flags & SHF_TLS) && s->type == SHT_NOBITS);
}

/* Does a section with initialised writable contents (.data, .got ...) overlap e? */
static bool has_data_section(const struct maps_entry *e, const struct elf_module *mod)
{
	for (size_t i = 0; i < mod->ef->nsections; i++) {
		const struct elf_section *s = &mod->ef->sections[i];
		uint64_t start = s->addr + mod->bias;
		if (section_mapped(s) && (s->flags & SHF_WRITE) && s->type != SHT_NOBITS &&
		    start < e->end && start + s->size > e->start)
			return true;
	}
	return false;
}

/* Kind of a mapping of the main executable. */
static enum region_kind exe_kind(const struct maps_entry *e, const struct elf_module *mod)
{
	if (e->path[0] == '\0')
		return RK_BSS;          /* the anonymous tail of .bss */
	if (e->perms[2] == 'x')
		return RK_TEXT;
	if (e->perms[1] == 'w')
		return has_data_section(e, mod) ? RK_DATA : RK_BSS;
	return RK_RODATA;
}

/* Kind of a pseudo-path "[heap]", "[stack]" ...; RK__COUNT if none of them. */
static enum region_kind special_kind(const char *path)
{
	if (strcmp(path, "[heap]") == 0)
		return RK_HEAP;
	if (strcmp(path, "[stack]") == 0 || strncmp(path, "[stack:", 7) == 0)
		return RK_STACK;
	if (strcmp(path, "[vdso]") == 0)
		return RK_VDSO;
	if (strcmp(path, "[vvar]") == 0 || strncmp(path, "[vvar_", 6) == 0)
		return RK_VVAR;     /* 6.x kernels add [vvar_vclock] */
	if (strcmp(path, "[vsyscall]") == 0)
		return RK_VSYSCALL;
	return RK__COUNT;
}

/* Classify a maps entry given the module it belongs to (NULL if none). */
enum region_kind space_classify(const struct maps_entry *e, const struct elf_module *mod)
{
	enum region_kind k = special_kind(e->path);

	if (k != RK__COUNT)
		return k;
	if (e->perms[0] != 'r' && e->perms[1] != 'w' && e->perms[2] != 'x')
		return RK_GUARD;
	if (mod != NULL)
		return mod->is_exe ? exe_kind(e, mod) : RK_LIB;
	if (e->path[0] == '\0' || e->path[0] == '/')
		return RK_MMAP;
	return RK_OTHER;
}

/* The module a maps entry belongs to: its own file's, or the one whose
 * anonymous .bss tail it is; NULL if none. */
static const struct elf_module *entry_module(const struct space *sp, const struct maps_entry *e)
{
	const struct elf_module *mod = elfinfo_module_at(&sp->elf, e->start);

	if (mod == NULL)
		return NULL;
	if (e->path[0] == '\0' && e->inode == 0)
		return mod;
	if (e->path[0] == '/' && strcmp(e->path, mod->ef->path) == 0)
		return mod;
	return NULL;
}

/* Append the span [start, end) named name to r. */
static void add_span(struct region *r, const char *name, uint64_t start, uint64_t end)
{
	struct section_span *s;

	util_grow((void **)&r->sections, &r->seccap, r->nsections + 1, sizeof(*s));
	s = &r->sections[r->nsections++];
	s->name = name;
	s->start = start;
	s->end = end;
}

/* Sort r's spans by start (insertion sort: few, nearly sorted). */
static void sort_spans(struct region *r)
{
	for (size_t i = 1; i < r->nsections; i++) {
		struct section_span t = r->sections[i];
		size_t j = i;
		for (; j > 0 && r->sections[j - 1].start > t.start; j--)
			r->sections[j] = r->sections[j - 1];
		r->sections[j] = t;
	}
}

/* Fill r->sections with its module's sections clipped to r. */
static void region_sections(struct region *r)
{
	const struct elf_module *mod = r->mod;

	r->nsections = 0;
	if (mod == NULL)
		return;
	for (size_t i = 0; i < mod->ef->nsections; i++) {
		const struct elf_section *s = &mod->ef->sections[i];
		uint64_t start = s->addr + mod->bias, end = start + s->size;
		if (!section_mapped(s) || end < start)
			continue;
		if (start < r->start)
			start = r->start;
		if (end > r->end)
			end = r->end;
		if (start < end)
			add_span(r, s->name, start, end);
	}
	sort_spans(r);
}

/* Make room for n regions; new ones start zeroed (no section storage). */
static void grow_regions(struct space *sp, size_t n)
{
	size_t old = sp->cap;

	util_grow((void **)&sp->regions, &sp->cap, n, sizeof(*sp->regions));
	if (sp->cap > old)
		memset(sp->regions + old, 0, (sp->cap - old) * sizeof(*sp->regions));
}

/* Rebuild sp->regions from sp->maps and sp->elf. */
static void build_regions(struct space *sp)
{
	grow_regions(sp, sp->maps.n);
	sp->n = sp->maps.n;
	for (size_t i = 0; i < sp->n; i++) {
		const struct maps_entry *e = &sp->maps.v[i];
		struct region *r = &sp->regions[i];

		r->start = e->start;
		r->end = e->end;
		r->offset = e->offset;
		memcpy(r->perms, e->perms, sizeof(r->perms));
		r->path = e->path;
		r->mod = entry_module(sp, e);
		r->kind = space_classify(e, r->mod);
		region_sections(r);
	}
}

/* Do the new maps have the same layout as the regions of the last read? */
static bool layout_unchanged(const struct space *sp)
{
	if (sp->maps.n != sp->n || sp->n == 0)
		return false;
	for (size_t i = 0; i < sp->n; i++) {
		const struct maps_entry *e = &sp->maps.v[i];
		const struct region *r = &sp->regions[i];
		if (e->start != r->start || e->end != r->end || memcmp(e->perms, r->perms, 4) != 0)
			return false;
	}
	return true;
}

/* Page faults and VSZ/RSS into sp; true if they differ from the last read.
 * A failure leaves zeros (not fatal: the process may be exiting). */
static bool read_counters(struct space *sp, pid_t pid)
{
	uint64_t minflt = sp->minflt, majflt = sp->majflt, rss = sp->rss_kb;
	char *cause = NULL;

	if (procfs_faults(pid, &sp->minflt, &sp->majflt, &cause) != 0)
		sp->minflt = sp->majflt = 0;
	free(cause);
	cause = NULL;
	if (procfs_mem(pid, &sp->vsz_kb, &sp->rss_kb, &cause) != 0)
		sp->vsz_kb = sp->rss_kb = 0;
	free(cause);
	return minflt != sp->minflt || majflt != sp->majflt || rss != sp->rss_kb;
}

/* RSS of each mapping into sp->rss_tmp (zeros if smaps cannot be read). */
static void read_rss(struct space *sp, pid_t pid)
{
	char *cause = NULL;

	util_grow((void **)&sp->rss_tmp, &sp->rss_cap, sp->maps.n, sizeof(*sp->rss_tmp));
	if (sp->maps.n > 0 && procfs_rss(pid, &sp->maps, sp->rss_tmp, &cause) != 0)
		memset(sp->rss_tmp, 0, sp->maps.n * sizeof(*sp->rss_tmp));
	free(cause);
}

/*
 * Re-read maps, modules, sections, RSS and faults of pid; -1 with *cause.
 * smaps is the expensive file (a page-table walk per mapping), so it is
 * read only when the layout, the fault counters or the total RSS moved:
 * a page cannot arrive without a fault, nor leave without changing VmRSS.
 */
int space_read(struct space *sp, pid_t pid, char **cause)
{
	bool same, moved;

	if (maps_read(pid, &sp->maps, cause) != 0)
		return -1;
	if (elfinfo_load(&sp->elf, pid, &sp->maps, cause) != 0)
		return -1;
	same = layout_unchanged(sp);
	moved = read_counters(sp, pid);
	if (!same || moved)
		read_rss(sp, pid);
	build_regions(sp);
	for (size_t i = 0; i < sp->n; i++)
		sp->regions[i].rss_kb = sp->rss_tmp[i];
	return 0;
}

/* The region holding addr, or NULL ("unmapped"). */
const struct region *space_find(const struct space *sp, uint64_t addr)
{
	size_t lo = 0, hi = sp->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sp->regions[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= sp->regions[lo - 1].end)
		return NULL;
	return &sp->regions[lo - 1];
}
