/*
 * elfinfo.c - one ELF file through libelf (sections, PT_LOAD segments,
 * defined symbols, build-id, its separate debug file), and the set of ELF
 * files mapped in a process (load bias, address <-> symbol).
 *
 * Everything is copied out of libelf while the file is open, so an
 * elf_file holds no descriptor and no mapping.  Every index and size read
 * from the file is bounded and every gelf_* result checked: the fuzzer feeds
 * elf_file_from_memory garbage.
 *
 * A struct elf_file is the first member of a private struct elf_priv which
 * also remembers the file's identity in the process (dev, inode) and its
 * PT_INTERP; elfinfo_load reuses an open file while the same (path, dev,
 * inode) stays mapped, so re-reading the maps at every stop opens nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "elfinfo.h"
#include "procfs.h"
#include "util.h"

#define PAGE 4096u
#define PAGE_DOWN(x) ((x) & ~(uint64_t)(PAGE - 1))
#define PAGE_UP(x) (((x) + PAGE - 1) & ~(uint64_t)(PAGE - 1))
#define MAX_BUILD_ID 64           /* bytes; real ones are 20 */
#define SYMBOL_AT_SCAN 64         /* symbols examined below an address */

struct elf_priv {
	struct elf_file pub;      /* first: an elf_file * is an elf_priv * */
	char *interp;             /* PT_INTERP string, or NULL */
	uint64_t inode;           /* identity in the process (elfinfo_load) */
	unsigned dev_major, dev_minor;
};

/* The elf_priv an elf_file made here is part of. */
static struct elf_priv *priv_of(struct elf_file *ef)
{
	return (struct elf_priv *)ef;
}

/* Copy the section headers (names through shstrndx) into ef. */
static void read_sections(Elf *e, struct elf_file *ef)
{
	size_t shnum = 0, shstrndx = 0, cap = 0;
	Elf_Scn *scn = NULL;
	bool names = elf_getshdrstrndx(e, &shstrndx) == 0;

	if (elf_getshdrnum(e, &shnum) != 0)
		return;
	while ((scn = elf_nextscn(e, scn)) != NULL && ef->nsections < shnum) {
		GElf_Shdr sh;
		const char *name = NULL;
		struct elf_section *s;

		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (names)
			name = elf_strptr(e, shstrndx, sh.sh_name);
		util_grow((void **)&ef->sections, &cap, ef->nsections + 1, sizeof(*s));
		s = &ef->sections[ef->nsections++];
		s->name = xstrdup(name ? name : "");
		s->addr = sh.sh_addr;
		s->size = sh.sh_size;
		s->offset = sh.sh_offset;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		if (sh.sh_type == SHT_SYMTAB)
			ef->has_symtab = true;
		if (strcmp(s->name, ".debug_info") == 0 || strcmp(s->name, ".zdebug_info") == 0)
			ef->has_debug_info = true;
	}
}

/* A heap copy of the NUL-terminated string at [off, off+size) of the file. */
static char *read_interp(Elf *e, uint64_t off, uint64_t size)
{
	size_t len = 0;
	const char *raw = elf_rawfile(e, &len);
	char *s;

	if (raw == NULL || off >= len || size == 0 || size > len - off || size > PATH_MAX)
		return NULL;
	s = xmalloc(size + 1);
	memcpy(s, raw + off, size);
	s[size] = '\0';
	return s;
}

/* Copy the PT_LOAD headers into ef and PT_INTERP into pv->interp. */
static void read_segments(Elf *e, struct elf_priv *pv)
{
	struct elf_file *ef = &pv->pub;
	size_t phnum = 0, cap = 0;

	if (elf_getphdrnum(e, &phnum) != 0)
		return;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		struct elf_segment *s;

		if (gelf_getphdr(e, (int)i, &ph) == NULL)
			break;
		if (ph.p_type == PT_INTERP && pv->interp == NULL)
			pv->interp = read_interp(e, ph.p_offset, ph.p_filesz);
		if (ph.p_type != PT_LOAD)
			continue;
		util_grow((void **)&ef->segments, &cap, ef->nsegments + 1, sizeof(*s));
		s = &ef->segments[ef->nsegments++];
		s->vaddr = ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->flags = ph.p_flags;
	}
}

/* The build-id note in data as lowercase hex, or NULL. */
static char *build_id_in(Elf_Data *data)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	while (off < data->d_size &&
	       (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const unsigned char *d = (const unsigned char *)data->d_buf;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp(d + name_off, "GNU", 4) == 0 &&
		    nh.n_descsz > 0 && nh.n_descsz <= MAX_BUILD_ID) {
			char *hex = xmalloc(2 * nh.n_descsz + 1);
			for (size_t i = 0; i < nh.n_descsz; i++)
				snprintf(hex + 2 * i, 3, "%02x", d[desc_off + i]);
			return hex;
		}
		if (next <= off)
			break;
		off = next;
	}
	return NULL;
}

/* The build-id from the SHT_NOTE sections, else from the PT_NOTE segments. */
static char *read_build_id(Elf *e)
{
	Elf_Scn *scn = NULL;
	size_t phnum = 0;
	char *id = NULL;

	while (id == NULL && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (gelf_getshdr(scn, &sh) != NULL && sh.sh_type == SHT_NOTE &&
		    (data = elf_getdata(scn, NULL)) != NULL && data->d_buf != NULL)
			id = build_id_in(data);
	}
	if (id != NULL || elf_getphdrnum(e, &phnum) != 0)
		return id;
	for (size_t i = 0; i < phnum && id == NULL; i++) {
		GElf_Phdr ph;
		Elf_Data *data;
		if (gelf_getphdr(e, (int)i, &ph) == NULL || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
					    ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (data != NULL && data->d_buf != NULL)
			id = build_id_in(data);
	}
	return id;
}

/* Is this symbol one we keep (defined function, object or ifunc)? */
static bool keep_symbol(const GElf_Sym *sym)
{
	int t = GELF_ST_TYPE(sym->st_info);

	if (sym->st_shndx == SHN_UNDEF || sym->st_name == 0)
		return false;
	return t == STT_FUNC || t == STT_OBJECT || t == STT_GNU_IFUNC;
}

/* Append the kept symbols of one symbol-table section to ef. */
static void read_symtab(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, struct elf_file *ef,
			size_t *cap)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t entsize = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT);
	size_t count;

	if (data == NULL || data->d_buf == NULL || entsize == 0)
		return;
	count = data->d_size / entsize;
	for (size_t i = 0; i < count; i++) {
		GElf_Sym sym;
		const char *name;
		struct elf_symbol *s;

		if (gelf_getsym(data, (int)i, &sym) == NULL || !keep_symbol(&sym))
			continue;
		name = elf_strptr(e, sh->sh_link, sym.st_name);
		if (name == NULL || name[0] == '\0')
			continue;
		util_grow((void **)&ef->symbols, cap, ef->nsymbols + 1, sizeof(*s));
		s = &ef->symbols[ef->nsymbols++];
		/* Debug files name versioned symbols "pthread_sigmask@GLIBC_2.2.5"
		 * (or "@@"): the version is not part of the function's name. */
		s->name = xasprintf("%.*s", (int)strcspn(name, "@"), name);
		s->value = sym.st_value;
		s->size = sym.st_size;
		s->type = (unsigned char)GELF_ST_TYPE(sym.st_info);
		s->bind = (unsigned char)GELF_ST_BIND(sym.st_info);
	}
}

/* Append symbols of .symtab (and .dynsym if with_dynsym) to ef. */
static void read_symbols(Elf *e, struct elf_file *ef, bool with_dynsym, size_t *cap)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (sh.sh_type == SHT_SYMTAB || (with_dynsym && sh.sh_type == SHT_DYNSYM))
			read_symtab(e, scn, &sh, ef, cap);
	}
}

/* qsort order: by value, then name. */
static int sym_cmp(const void *a, const void *b)
{
	const struct elf_symbol *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sort ef's symbols by value and drop duplicates (same value and name). */
static void sort_symbols(struct elf_file *ef)
{
	size_t j = 0;

	if (ef->nsymbols == 0)
		return;
	qsort(ef->symbols, ef->nsymbols, sizeof(*ef->symbols), sym_cmp);
	for (size_t i = 1; i < ef->nsymbols; i++) {
		struct elf_symbol *s = &ef->symbols[i];
		if (s->value == ef->symbols[j].value && strcmp(s->name, ef->symbols[j].name) == 0) {
			if (ef->symbols[j].size == 0)
				ef->symbols[j].size = s->size;
			free(s->name);
			continue;
		}
		ef->symbols[++j] = *s;
	}
	ef->nsymbols = j + 1;
}

/* Read everything from an open libelf handle into a new elf_priv. */
static struct elf_priv *read_elf(Elf *e, const char *path, size_t *symcap)
{
	struct elf_priv *pv = xcalloc(1, sizeof(*pv));
	struct elf_file *ef = &pv->pub;
	GElf_Ehdr eh;

	ef->path = xstrdup(path);
	if (gelf_getehdr(e, &eh) != NULL) {
		ef->e_type = eh.e_type;
		ef->entry = eh.e_entry;
	}
	read_sections(e, ef);
	read_segments(e, pv);
	read_symbols(e, ef, true, symcap);
	ef->build_id = read_build_id(e);
	return pv;
}

/* Open path with libelf; the Elf and *fd, or NULL with *cause. */
static Elf *elf_open_fd(const char *path, int *fd, char **cause)
{
	Elf *e;

	elf_version(EV_CURRENT);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		util_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	e = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (e == NULL || elf_kind(e) != ELF_K_ELF) {
		util_cause(cause, "%s: not an ELF file", path);
		if (e != NULL)
			elf_end(e);
		close(*fd);
		*fd = -1;
		return NULL;
	}
	return e;
}

/* $MEMVIZ_DEBUG_DIR (or /usr/lib/debug)/.build-id/xx/rest.debug, or NULL. */
static char *debug_file_path(const char *build_id)
{
	const char *dir = getenv("MEMVIZ_DEBUG_DIR");

	if (build_id == NULL || strlen(build_id) < 4)
		return NULL;
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/lib/debug";
	return xasprintf("%s/.build-id/%.2s/%s.debug", dir, build_id, build_id + 2);
}

/* Merge the .symtab of ef's separate debug file (if any) into ef. */
static void merge_debug_file(struct elf_file *ef, size_t *symcap)
{
	char *dpath = debug_file_path(ef->build_id);
	Elf_Scn *scn = NULL;
	size_t shstrndx = 0;
	bool names;
	Elf *e;
	int fd;

	if (dpath == NULL || access(dpath, R_OK) != 0) {
		free(dpath);
		return;
	}
	if ((e = elf_open_fd(dpath, &fd, NULL)) == NULL) {
		free(dpath);
		return;
	}
	read_symbols(e, ef, false, symcap);
	names = elf_getshdrstrndx(e, &shstrndx) == 0;
	while (names && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *n;
		if (gelf_getshdr(scn, &sh) != NULL &&
		    (n = elf_strptr(e, shstrndx, sh.sh_name)) != NULL &&
		    (strcmp(n, ".debug_info") == 0 || strcmp(n, ".zdebug_info") == 0))
			ef->has_debug_info = true;
	}
	elf_end(e);
	close(fd);
	ef->debug_path = dpath;
}

/* Open and read path; NULL with *cause. Looks up its debug file by build-id. */
struct elf_file *elf_file_open(const char *path, char **cause)
{
	struct elf_priv *pv;
	size_t symcap = 0;
	Elf *e;
	int fd;

	if ((e = elf_open_fd(path, &fd, cause)) == NULL)
		return NULL;
	pv = read_elf(e, path, &symcap);
	elf_end(e);
	close(fd);
	merge_debug_file(&pv->pub, &symcap);
	sort_symbols(&pv->pub);
	return &pv->pub;
}

/* Same, from bytes in memory (copied first: libelf may write); no debug file. */
struct elf_file *elf_file_from_memory(const void *buf, size_t len, char **cause)
{
	char *copy;
	struct elf_priv *pv;
	size_t symcap = 0;
	Elf *e;

	if (buf == NULL || len == 0) {
		util_cause(cause, "not an ELF file");
		return NULL;
	}
	elf_version(EV_CURRENT);
	copy = xmalloc(len);
	memcpy(copy, buf, len);
	e = elf_memory(copy, len);
	if (e == NULL || elf_kind(e) != ELF_K_ELF) {
		if (e != NULL)
			elf_end(e);
		free(copy);
		util_cause(cause, "not an ELF file");
		return NULL;
	}
	pv = read_elf(e, "(memory)", &symcap);
	elf_end(e);
	free(copy);
	sort_symbols(&pv->pub);
	return &pv->pub;
}

/* Frees ef and everything it holds (NULL is fine). */
void elf_file_free(struct elf_file *ef)
{
	if (ef == NULL)
		return;
	for (size_t i = 0; i < ef->nsections; i++)
		free(ef->sections[i].name);
	for (size_t i = 0; i < ef->nsymbols; i++)
		free(ef->symbols[i].name);
	free(ef->sections);
	free(ef->segments);
	free(ef->symbols);
	free(ef->build_id);
	free(ef->debug_path);
	free(ef->path);
	free(priv_of(ef)->interp);
	free(priv_of(ef));
}

/* A defined function or object symbol by name (first match), or NULL. */
const struct elf_symbol *elf_file_symbol(const struct elf_file *ef, const char *name)
{
	for (size_t i = 0; i < ef->nsymbols; i++)
		if (strcmp(ef->symbols[i].name, name) == 0)
			return &ef->symbols[i];
	return NULL;
}

/* Preference among aliases, lower is better: global, few leading '_'. */
static unsigned sym_rank(const struct elf_symbol *s)
{
	unsigned r = s->bind == STB_GLOBAL ? 0 : s->bind == STB_WEAK ? 1 : 2;
	const char *p = s->name;

	while (*p == '_' && r < 200)
		p++, r += 4;
	return r;
}

/* The best-ranked symbol among those with the value of symbols[i], at or below i. */
static const struct elf_symbol *best_alias(const struct elf_file *ef, size_t i)
{
	const struct elf_symbol *best = &ef->symbols[i];
	uint64_t v = best->value;

	for (size_t k = i; k-- > 0 && ef->symbols[k].value == v;)
		if (sym_rank(&ef->symbols[k]) < sym_rank(best))
			best = &ef->symbols[k];
	return best;
}

/* Number of symbols with value <= vaddr (binary search). */
static size_t symbols_le(const struct elf_file *ef, uint64_t vaddr)
{
	size_t lo = 0, hi = ef->nsymbols;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ef->symbols[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The allocated section holding vaddr, or NULL. */
static const struct elf_section *section_at(const struct elf_file *ef, uint64_t vaddr)
{
	for (size_t i = 0; i < ef->nsections; i++) {
		const struct elf_section *s = &ef->sections[i];
		if ((s->flags & SHF_ALLOC) && s->size > 0 && vaddr >= s->addr &&
		    vaddr - s->addr < s->size && !((s->flags & SHF_TLS) && s->type == SHT_NOBITS))
			return s;
	}
	return NULL;
}

/* The symbol holding vaddr, else the nearest below in the same section. */
const struct elf_symbol *elf_file_symbol_at(const struct elf_file *ef, uint64_t vaddr)
{
	size_t n = symbols_le(ef, vaddr);
	const struct elf_section *sec;

	if (n == 0)
		return NULL;
	for (size_t k = n, steps = 0; k-- > 0 && steps < SYMBOL_AT_SCAN; steps++) {
		const struct elf_symbol *s = &ef->symbols[k];
		if (vaddr - s->value < s->size) {
			/* the highest-valued holder; prefer a holding alias */
			const struct elf_symbol *b = best_alias(ef, k);
			return vaddr - b->value < b->size ? b : s;
		}
	}
	sec = section_at(ef, vaddr);
	if (sec == NULL || ef->symbols[n - 1].value < sec->addr)
		return NULL;
	return best_alias(ef, n - 1);
}

/* Is this file an ELF file at all (magic check only)? */
bool elf_is_elf(const char *path)
{
	unsigned char magic[SELFMAG];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return false;
	r = read(fd, magic, SELFMAG);
	close(fd);
	return r == SELFMAG && memcmp(magic, ELFMAG, SELFMAG) == 0;
}

/* ---- the modules of a process ---- */

/* The maps entries of one file (same path, dev, inode). */
struct group {
	const struct maps_entry *first;   /* lowest start */
	const struct maps_entry *low_off; /* lowest file offset */
	size_t last;                      /* index of the entry ending highest */
	uint64_t lo, hi;
	bool exec;                        /* some mapping is executable */
};

/* Do entry e and group g name the same file? */
static bool same_file(const struct maps_entry *e, const struct maps_entry *f)
{
	return e->inode == f->inode && e->dev_major == f->dev_major &&
	       e->dev_minor == f->dev_minor && strcmp(e->path, f->path) == 0;
}

/* Add maps entry i to its group in g[0..*ng) or start a new one. */
static void add_to_groups(const struct maps *m, size_t i, struct group *g, size_t *ng)
{
	const struct maps_entry *e = &m->v[i];
	size_t k = *ng;

	if (k > 0 && same_file(e, g[k - 1].first))
		k--;
	else
		for (k = 0; k < *ng && !same_file(e, g[k].first); k++)
			;
	if (k == *ng) {
		memset(&g[k], 0, sizeof(g[k]));
		g[k].first = g[k].low_off = e;
		g[k].lo = e->start;
		(*ng)++;
	}
	if (e->offset < g[k].low_off->offset)
		g[k].low_off = e;
	if (e->end >= g[k].hi) {
		g[k].hi = e->end;
		g[k].last = i;
	}
	g[k].exec |= e->perms[2] == 'x';
}

/* Group the file-backed mappings of m by file; returns the count. */
static size_t make_groups(const struct maps *m, struct group *g)
{
	size_t ng = 0;

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].path[0] == '/' && m->v[i].inode != 0)
			add_to_groups(m, i, g, &ng);
	return ng;
}

/* Load bias of a file mapped as group g (see elfinfo.h). */
static uint64_t module_bias(const struct elf_file *ef, const struct group *g)
{
	uint64_t minv = UINT64_MAX;

	if (ef->e_type == ET_EXEC)
		return 0;
	for (size_t i = 0; i < ef->nsegments; i++) {
		const struct elf_segment *s = &ef->segments[i];
		if (PAGE_DOWN(s->offset) == g->low_off->offset)
			return g->low_off->start - PAGE_DOWN(s->vaddr);
		if (s->vaddr < minv)
			minv = s->vaddr;
	}
	return minv == UINT64_MAX ? g->lo : g->lo - PAGE_DOWN(minv);
}

/* Runtime end of the module's image (its highest PT_LOAD end), page rounded. */
static uint64_t image_end(const struct elf_module *mod)
{
	uint64_t end = 0;

	for (size_t i = 0; i < mod->ef->nsegments; i++) {
		const struct elf_segment *s = &mod->ef->segments[i];
		if (s->memsz <= UINT64_MAX - s->vaddr && s->vaddr + s->memsz > end)
			end = s->vaddr + s->memsz;
	}
	return end == 0 ? 0 : PAGE_UP(end + mod->bias);
}

/* Set bias, lo and hi of mod; hi covers the anonymous .bss mapping after it. */
static void place_module(struct elf_module *mod, const struct maps *m, const struct group *g)
{
	const struct maps_entry *next = g->last + 1 < m->n ? &m->v[g->last + 1] : NULL;
	uint64_t iend;

	mod->bias = module_bias(mod->ef, g);
	mod->lo = g->lo;
	mod->hi = g->hi;
	if (next && next->path[0] == '\0' && next->inode == 0 && next->start == g->hi) {
		iend = image_end(mod);
		if (iend > mod->hi)
			mod->hi = iend < next->end ? iend : next->end;
	}
}

/*
 * Set mod->ef for group g: the file taken out of the old modules (with its
 * is_exe/is_loader flags), or newly opened (*opened = true). false if the
 * file cannot be read as ELF.
 */
static bool file_for_group(struct elf_module *mod, struct elf_module *old, size_t nold,
			   const struct group *g, bool *opened)
{
	const struct maps_entry *e = g->first;

	for (size_t i = 0; i < nold; i++) {
		struct elf_priv *pv = old[i].ef ? priv_of(old[i].ef) : NULL;
		if (pv && pv->inode == e->inode && pv->dev_major == e->dev_major &&
		    pv->dev_minor == e->dev_minor && strcmp(pv->pub.path, e->path) == 0) {
			*mod = old[i];
			old[i].ef = NULL;
			return true;
		}
	}
	if ((mod->ef = elf_file_open(e->path, NULL)) == NULL)
		return false;
	priv_of(mod->ef)->inode = e->inode;
	priv_of(mod->ef)->dev_major = e->dev_major;
	priv_of(mod->ef)->dev_minor = e->dev_minor;
	*opened = true;
	return true;
}

/* Does the maps path name the executable readlink gave (maybe " (deleted)")? */
static bool is_exe_path(const char *path, const char *exe)
{
	size_t n = strlen(path), sl = strlen(" (deleted)");
	size_t en = exe ? strlen(exe) : 0;

	if (exe == NULL)
		return false;
	if (en > sl && strcmp(exe + en - sl, " (deleted)") == 0)
		en -= sl;
	return n == en && memcmp(path, exe, n) == 0;
}

/* Is mod the dynamic loader named by interp (realpath'd in rinterp)? */
static bool is_loader_module(const struct elf_module *mod, const char *interp,
			     const char *rinterp)
{
	const char *base = strrchr(mod->ef->path, '/');

	base = base ? base + 1 : mod->ef->path;
	if (strncmp(base, "ld-linux", 8) == 0)
		return true;
	return (interp && strcmp(mod->ef->path, interp) == 0) ||
	       (rinterp && strcmp(mod->ef->path, rinterp) == 0);
}

/* Mark the executable and the loader among ei's modules. */
static void mark_exe_loader(struct elfinfo *ei, pid_t pid)
{
	char *exe = procfs_exe(pid);
	const char *interp = NULL;
	char *rinterp = NULL;

	if (exe != NULL) {
		free(ei->exe_path);
		ei->exe_path = exe;
	}
	for (size_t i = 0; i < ei->n; i++) {
		ei->mods[i].is_exe = is_exe_path(ei->mods[i].ef->path, ei->exe_path);
		if (ei->mods[i].is_exe && interp == NULL)
			interp = priv_of(ei->mods[i].ef)->interp;
	}
	if (interp != NULL)
		rinterp = realpath(interp, NULL);
	for (size_t i = 0; i < ei->n; i++)
		ei->mods[i].is_loader = !ei->mods[i].is_exe &&
					is_loader_module(&ei->mods[i], interp, rinterp);
	free(rinterp);
}

/* qsort order for modules: by lo. */
static int mod_cmp(const void *a, const void *b)
{
	const struct elf_module *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Free the files left in an old module array, and the array. */
static void free_modules(struct elf_module *mods, size_t n)
{
	for (size_t i = 0; i < n; i++)
		elf_file_free(mods[i].ef);
	free(mods);
}

/* (Re)build ei's modules from the maps; open files are reused. */
int elfinfo_load(struct elfinfo *ei, pid_t pid, const struct maps *m, char **cause)
{
	struct group *g = xmalloc((m->n ? m->n : 1) * sizeof(*g));
	size_t ng = make_groups(m, g), nold = ei->n;
	struct elf_module *old = ei->mods;
	bool changed = false;

	(void)cause;
	ei->mods = xcalloc(ng ? ng : 1, sizeof(*ei->mods));
	ei->cap = ng ? ng : 1;
	ei->n = 0;
	for (size_t k = 0; k < ng; k++) {
		struct elf_module *mod = &ei->mods[ei->n];
		if (!g[k].exec)
			continue;       /* data files (locale-archive...) are not modules */
		if (!file_for_group(mod, old, nold, &g[k], &changed))
			continue;
		place_module(mod, m, &g[k]);
		ei->n++;
	}
	for (size_t i = 0; i < nold; i++)
		changed |= old[i].ef != NULL;           /* a file went away */
	if (ei->n > 1)
		qsort(ei->mods, ei->n, sizeof(*ei->mods), mod_cmp);
	if (changed || ei->exe_path == NULL)
		mark_exe_loader(ei, pid);
	free_modules(old, nold);
	free(g);
	return 0;
}

/* Frees everything ei holds. */
void elfinfo_free(struct elfinfo *ei)
{
	free_modules(ei->mods, ei->n);
	free(ei->exe_path);
	memset(ei, 0, sizeof(*ei));
}

/* The main executable's module, or NULL. */
const struct elf_module *elfinfo_exe(const struct elfinfo *ei)
{
	for (size_t i = 0; i < ei->n; i++)
		if (ei->mods[i].is_exe)
			return &ei->mods[i];
	return NULL;
}

/* The module whose [lo, hi) holds addr, or NULL. */
const struct elf_module *elfinfo_module_at(const struct elfinfo *ei, uint64_t addr)
{
	size_t lo = 0, hi = ei->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ei->mods[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= ei->mods[lo - 1].hi)
		return NULL;
	return &ei->mods[lo - 1];
}

/* Runtime address of a defined STT_FUNC `name` in mod, or 0. */
static uint64_t resolve_in(const struct elf_module *mod, const char *name)
{
	const struct elf_file *ef = mod->ef;

	for (size_t i = 0; i < ef->nsymbols; i++)
		if (ef->symbols[i].type == STT_FUNC && strcmp(ef->symbols[i].name, name) == 0)
			return ef->symbols[i].value + mod->bias;
	return 0;
}

/* Runtime address of function `name`: exe, others in address order, loader last. */
uint64_t elfinfo_resolve(const struct elfinfo *ei, const char *name)
{
	const struct elf_module *exe = elfinfo_exe(ei);
	uint64_t a;

	if (exe && (a = resolve_in(exe, name)) != 0)
		return a;
	for (size_t i = 0; i < ei->n; i++)
		if (!ei->mods[i].is_exe && !ei->mods[i].is_loader &&
		    (a = resolve_in(&ei->mods[i], name)) != 0)
			return a;
	for (size_t i = 0; i < ei->n; i++)
		if (ei->mods[i].is_loader && (a = resolve_in(&ei->mods[i], name)) != 0)
			return a;
	return 0;
}

/* Symbol for a runtime address: *name, *off, *mod (each may be NULL). -1 if none. */
int elfinfo_symbolize(const struct elfinfo *ei, uint64_t addr, const char **name,
		      uint64_t *off, const struct elf_module **mod)
{
	const struct elf_module *md = elfinfo_module_at(ei, addr);
	const struct elf_symbol *s;

	if (md == NULL || (s = elf_file_symbol_at(md->ef, addr - md->bias)) == NULL)
		return -1;
	if (name)
		*name = s->name;
	if (off)
		*off = addr - md->bias - s->value;
	if (mod)
		*mod = md;
	return 0;
}
