/*
 * heap_glibc.c - glibc's ptmalloc2 heap as memviz draws it.
 *
 * THE WALK.  A ptmalloc heap is a run of chunks, each starting with a
 * 16-byte header: prev_size (meaningful only when the previous chunk is
 * free) and size, whose low three bits are flags (P = previous in use,
 * M = mmapped, A = non-main arena).  The main heap is the [heap] (brk)
 * mapping: its first chunk sits at the mapping's start (16-aligned, so
 * the user pointer is start+0x10) and the next chunk is always at
 * chunk + size, up to the top chunk, which ends at the brk.  The walk
 * needs nothing but the mapping: it reads the whole region with ONE
 * memory read into a buffer allocated per call (freed at the end; no
 * static state), then walks in memory.  It stops at the top chunk: the one
 * main_arena.top names, or, without main_arena, the chunk whose end is the
 * region's end.  A thread's arena lives in 64 MiB-aligned mmapped heaps:
 * heap_info { ar_ptr, prev, size, mprotect_size, pagesize (2.35+) } at the
 * start of each, the malloc_state right after it in the arena's first heap,
 * the chunks after that; heaps of one arena are chained by `prev` from the
 * one holding top, and an old heap ends in fenceposts (tiny chunks).
 * Allocations above the mmap threshold are chunks with M set, each its own
 * mapping (anonymous regions starting with such a header).
 *
 * IN USE OR FREE.  A chunk is free when the next chunk's P bit is clear,
 * except that chunks in a tcache bin or a fastbin keep P set in their
 * neighbour: they look in use.  So the bins are read, and every chunk
 * found in one is looked up by address in a hash set (no O(n^2)):
 *   - tcache (per thread): tcache_perthread_struct { uint16_t counts[64];
 *     tcache_entry *entries[64]; } (2.30+).  Entries are user pointers; an
 *     entry's first word is `next`, its second the tcache key.
 *   - fastbins: main_arena.fastbinsY[10], singly linked by fd.
 *   - bins[254]: pairs (fd, bk) of circular doubly linked lists whose head
 *     is a fake chunk inside the malloc_state; bin 1 is the unsorted bin,
 *     2..63 small bins, 64..126 large bins.
 * SAFE-LINKING (2.32+): the tcache and fastbin `next` pointers are stored
 * as (address of the field >> 12) ^ pointer; we undo it.
 *
 * FINDING MAIN_ARENA.  (1) The symbol `main_arena` of libc (elfinfo merges
 * libc6-dbg's debug file symbols).  (2) Without symbols: libc's dynamic
 * relocations initialise main_arena.next = &main_arena, so the relative
 * relocation whose addend equals its own place minus offsetof(malloc_state,
 * next) gives it away.  Debian 12's libc packs relative relocations as
 * DT_RELR, whose addend is the word at the place in the file: we read
 * .relr.dyn (and .rela.dyn for R_X86_64_RELATIVE), and the .data words from
 * the libc file (else from memory minus the bias, which holds while no
 * thread arena has been linked in).  Either way a candidate must validate:
 * its top lies in the [heap] region inside it, and its `next` ring closes
 * within a bounded number of steps.  If none does, the bins are off
 * (bins_known = false, h->degraded says why); the walk still happens.
 *
 * FINDING THE TCACHE.  `tcache` is a static __thread variable of libc,
 * reached with initial-exec TLS: libc's .rela.dyn holds R_X86_64_TPOFF64
 * relocations (symbol 0, addend = the variable's offset in libc's TLS
 * block) for GOT slots whose runtime value is the variable's offset from
 * the thread pointer.  elfinfo keeps no STT_TLS symbols, so we do not know
 * which slot is `tcache`: for each thread's fs_base we try every such slot,
 * read the pointer at fs_base + slot value, and keep the one that points at
 * a valid tcache_perthread_struct (a chunk of exactly its size inside a
 * heap, each entry null or a 16-aligned pointer into a heap, count 0 iff
 * entry null).  memviz has the fs_base of the stopped thread only (the
 * others run), so the first chunk of every arena is tried as well: a
 * thread's first malloc puts its tcache_perthread_struct there.  That also
 * covers static binaries and unit fakes, which have no TLS relocations.
 *
 * VERSIONS.  Every version-dependent offset and size lives in the one
 * table `layouts` below, keyed by glibc's version string, which we read
 * from the mapped libc: gnu_get_libc_version() is `lea str(%rip),%rax; ret`
 * and str is "2.36"; failing that, the banner "... release version 2.36."
 * in .rodata.  An unknown version degrades: chunk walk only.
 *
 * CORRUPTION.  Every header is validated (size >= MINSIZE, 16-aligned, not
 * past the region's end, not straddling top).  A bad one becomes a
 * CH_CORRUPT chunk with a header_overwrite diagnostic, the arena is marked
 * truncated, and the walk resynchronises: it scans forward 16 bytes at a
 * time (bounded) for a header whose size is valid and whose successor's
 * header is valid and agrees (P bit / prev_size); if none, it stops.  A
 * free chunk whose successor's prev_size disagrees with its size is also
 * reported.  Bin lists are bounded (length, cycle detection by Brent's
 * method) and every node must be a 16-aligned chunk inside a heap read,
 * else a bad_bin_link diagnostic ends that list.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"
#include "util.h"

#define MINSIZE        0x20u
#define ALIGN_MASK     0xfull
#define SIZE_BITS      0x7ull
#define MAX_CHUNKS     (4u << 20)       /* per arena walk */
#define MAX_LIST       (4u << 20)       /* per bin list (Brent stops cycles) */
#define MAX_FREE       (4u << 20)       /* all bins together */
#define MAX_ARENAS     1024u
#define MAX_HEAPS      1024u            /* heaps of one thread arena */
#define RESYNC_BYTES   (1u << 20)       /* how far a resync scan looks */
#define MAX_MMAPPED    4096u            /* mmapped chunks per region */
#define NBINS_ARRAY    254u
#define NSMALLBINS     64u

/* The per-version layout: offsets in struct malloc_state, heap_info and
 * tcache_perthread_struct (x86-64).  2.36 is checked against libc6-dbg's
 * DWARF (gdb: sizeof(struct malloc_state) 2200, top 0x60, bins 0x70, next
 * 0x870, sizeof(heap_info) 48, sizeof(tcache_perthread_struct) 640); the
 * others follow glibc's malloc.c/arena.c of those releases: safe-linking
 * came in 2.32, heap_info.pagesize in 2.35, uint16_t tcache counts in
 * 2.30; malloc_state has not changed since 2.27. */
struct glibc_layout {
	const char *version;
	bool verified;            /* checked against the debug info here */
	bool safe_linking;
	uint32_t off_fastbins, nfastbins, off_top, off_bins, off_next, off_system_mem;
	uint32_t state_size;
	uint32_t heap_info_size, hi_ar_ptr, hi_prev, hi_size;
	uint64_t heap_max;        /* HEAP_MAX_SIZE: thread heaps are aligned to it */
	uint32_t tc_bins, tc_count_size, tc_struct_size;
};

#define MS_COMMON 0x10, 10, 0x60, 0x70, 0x870, 0x888, 0x898
#define HI_OLD    0x20, 0, 8, 16, (64ull << 20)
#define HI_NEW    0x30, 0, 8, 16, (64ull << 20)
#define TC_COMMON 64, 2, 0x280
static const struct glibc_layout layouts[] = {
	{ "2.31", false, false, MS_COMMON, HI_OLD, TC_COMMON },
	{ "2.32", false, true,  MS_COMMON, HI_OLD, TC_COMMON },
	{ "2.33", false, true,  MS_COMMON, HI_OLD, TC_COMMON },
	{ "2.34", false, true,  MS_COMMON, HI_OLD, TC_COMMON },
	{ "2.35", false, true,  MS_COMMON, HI_NEW, TC_COMMON },
	{ "2.36", true,  true,  MS_COMMON, HI_NEW, TC_COMMON },
	{ "2.37", false, true,  MS_COMMON, HI_NEW, TC_COMMON },
	{ "2.38", false, true,  MS_COMMON, HI_NEW, TC_COMMON },
	{ "2.39", false, true,  MS_COMMON, HI_NEW, TC_COMMON },
};

/* Memory already read (a heap), so walks and bin lists read from it. */
struct span {
	uint64_t start, end;
	uint8_t *buf;
	bool cached;              /* buf is the thread's cache buffer: not freed */
	uint16_t *tag;            /* per 16 bytes: the bin a chunk there is in
				     (TAG_IN | bin << 8 | index), 0 none;
				     allocated when the first one is found */
};

#define TAG_IN 0x8000u

/* A thread arena or the main one, as found. */
struct arena_ref {
	uint64_t addr;            /* the malloc_state */
	uint8_t *state;           /* a copy of it (layout state_size) */
	size_t harena;            /* index into h->arenas */
};

/* Everything one heap_glibc_read works with. */
struct gl {
	struct heap_state *h;
	const struct glibc_ctx *c;
	const struct glibc_layout *L;
	const struct elf_module *libc;
	struct span *spans;
	size_t nspans, capspans;
	size_t last_span;
	bool cache_used;          /* heap_cache holds a span of this call */
	struct arena_ref *arenas;
	size_t narenas, caparenas;
	size_t nfree;             /* chunks found in bins (bounded by MAX_FREE) */
	uint64_t heap_start, heap_end;  /* the [heap] mapping(s), 0 0 if none */
	uint64_t tcaches[64];     /* tcache_perthread_struct addresses used */
	size_t ntcaches;
};

/* ---------------------------------------------------------------- memory */

/* Little-endian 64-bit word at p. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* The span holding [addr, addr+len), or NULL. */
static const struct span *span_of(struct gl *g, uint64_t addr, size_t len)
{
	if (addr + len < addr)
		return NULL;
	if (g->last_span < g->nspans) {
		const struct span *s = &g->spans[g->last_span];
		if (addr >= s->start && addr + len <= s->end)
			return s;
	}
	for (size_t i = 0; i < g->nspans; i++)
		if (addr >= g->spans[i].start && addr + len <= g->spans[i].end) {
			g->last_span = i;
			return &g->spans[i];
		}
	return NULL;
}

/* Read len bytes at addr, from a span if it holds them. 0 on success. */
static int rd(struct gl *g, uint64_t addr, void *out, size_t len)
{
	const struct span *s = span_of(g, addr, len);

	if (s != NULL) {
		memcpy(out, s->buf + (addr - s->start), len);
		return 0;
	}
	if (addr + len < addr || g->c->mem == NULL || g->c->mem->read == NULL)
		return -1;
	return g->c->mem->read(g->c->mem->ctx, addr, out, len);
}

/* Read a 64-bit word at addr; false if unreadable. */
static bool rd64(struct gl *g, uint64_t addr, uint64_t *v)
{
	uint8_t b[8];

	if (rd(g, addr, b, 8) != 0)
		return false;
	*v = le64(b);
	return true;
}

/* The buffer the main heap is read into, kept from call to call: a fresh
 * one costs a page fault per 4 KiB (35 ms of 50 for a 76 MiB heap).  It is
 * _Thread_local, so concurrent readers never share it, and used for one
 * span per call only (g->cache_used); it is replaced when too small or
 * more than 4x too big, and stays allocated until the thread exits. */
static _Thread_local struct {
	uint8_t *buf;
	size_t cap;
} heap_cache;

/* A buffer of len bytes for a span: the cache the first time per call. */
static uint8_t *span_buf(struct gl *g, size_t len, bool *cached)
{
	*cached = false;
	if (g->cache_used)
		return malloc(len);
	if (heap_cache.cap < len || heap_cache.cap / 4 > len) {
		free(heap_cache.buf);
		heap_cache.cap = 0;
		heap_cache.buf = malloc(len);
		if (heap_cache.buf == NULL)
			return NULL;
		heap_cache.cap = len;
	}
	g->cache_used = *cached = true;
	return heap_cache.buf;
}

/* Read [start, end) into a new span; NULL if unreadable or too big. */
static const struct span *add_span(struct gl *g, uint64_t start, uint64_t end)
{
	struct span *s;
	uint8_t *buf;
	bool cached;

	if (end <= start || end - start > (1ull << 36))
		return NULL;
	buf = span_buf(g, end - start, &cached);
	if (buf == NULL)
		return NULL;
	if (g->c->mem == NULL || g->c->mem->read(g->c->mem->ctx, start, buf, end - start) != 0) {
		if (!cached)
			free(buf);
		return NULL;
	}
	util_grow((void **)&g->spans, &g->capspans, g->nspans + 1, sizeof(*g->spans));
	s = &g->spans[g->nspans++];
	memset(s, 0, sizeof(*s));
	s->start = start;
	s->end = end;
	s->buf = buf;
	s->cached = cached;
	return s;
}

/* Is a chunk header at addr (16 bytes) inside some heap read? */
static bool chunk_in_heap(struct gl *g, uint64_t addr)
{
	return (addr & ALIGN_MASK) == 0 && span_of(g, addr, 32) != NULL;
}

/* ------------------------------------------------------------- versions */

/* The layout for a version string ("2.36", "2.36.1", "2.36.9000"), or NULL. */
static const struct glibc_layout *layout_for(const char *v)
{
	for (size_t i = 0; v != NULL && i < ARRAY_LEN(layouts); i++) {
		size_t n = strlen(layouts[i].version);
		if (strncmp(v, layouts[i].version, n) == 0 && (v[n] == '\0' || v[n] == '.'))
			return &layouts[i];
	}
	return NULL;
}

/* Internal consistency of a layout entry; NULL if fine, else what is off. */
static const char *layout_selftest(const struct glibc_layout *L)
{
	if (L->off_top != L->off_fastbins + 8 * L->nfastbins)
		return "top does not follow fastbinsY";
	if (L->off_bins != L->off_top + 16)
		return "bins do not follow top and last_remainder";
	if (L->off_next != L->off_bins + 8 * NBINS_ARRAY + 16)
		return "next does not follow bins and binmap";
	if (L->off_system_mem != L->off_next + 24 || L->state_size != L->off_system_mem + 16)
		return "malloc_state tail is off";
	if (L->tc_struct_size != L->tc_bins * (L->tc_count_size + 8))
		return "tcache_perthread_struct size is off";
	if (L->heap_info_size % 16 != 0 || L->heap_max & (L->heap_max - 1))
		return "heap_info is off";
	return NULL;
}

int heap_glibc_layout_check(const char *glibc_version, char **cause)
{
	const struct glibc_layout *L = layout_for(glibc_version);
	const char *why;

	if (L == NULL)
		return util_cause(cause, "glibc %s: no known malloc layout (2.31..2.39 known)",
				  glibc_version ? glibc_version : "(unknown)");
	why = layout_selftest(L);
	if (why != NULL)
		return util_cause(cause, "glibc %s layout table: %s", L->version, why);
	return 0;
}

/* "2.36" out of "...2.36..." at s (digits '.' digits); false if not there. */
static bool parse_version(const char *s, size_t n, char out[16])
{
	size_t i = 0;

	while (i < n && i < 12 && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
		i++;
	while (i > 0 && s[i - 1] == '.')
		i--;
	if (i < 3 || memchr(s, '.', i) == NULL || s[0] < '0' || s[0] > '9')
		return false;
	memcpy(out, s, i);
	out[i] = '\0';
	return true;
}

/* Version through gnu_get_libc_version's `lea disp(%rip),%rax; ret`. */
static bool version_from_function(struct gl *g, char out[16])
{
	static const char *const names[] = { "gnu_get_libc_version", "__gnu_get_libc_version" };
	const struct elf_symbol *s = NULL;
	uint8_t code[8];
	char str[16];

	for (size_t i = 0; i < ARRAY_LEN(names) && s == NULL; i++)
		s = elf_file_symbol(g->libc->ef, names[i]);
	if (s == NULL || rd(g, s->value + g->libc->bias, code, sizeof(code)) != 0)
		return false;
	if (code[0] != 0x48 || code[1] != 0x8d || code[2] != 0x05 || code[7] != 0xc3)
		return false;
	int32_t disp;
	memcpy(&disp, code + 3, 4);
	if (rd(g, s->value + g->libc->bias + 7 + (int64_t)disp, str, sizeof(str)) != 0)
		return false;
	str[15] = '\0';
	return parse_version(str, strnlen(str, 15), out);
}

/* Version from the banner "release version 2.36" in .rodata (memory). */
static bool version_from_rodata(struct gl *g, char out[16])
{
	static const char key[] = "release version ";
	enum { CH = 1 << 16, OVER = 32 };
	const struct elf_file *ef = g->libc->ef;
	char *buf = NULL;
	bool ok = false;

	for (size_t i = 0; i < ef->nsections && !ok; i++) {
		const struct elf_section *sec = &ef->sections[i];
		if (strcmp(sec->name, ".rodata") != 0 || sec->size > (16u << 20))
			continue;
		buf = buf ? buf : xmalloc(CH + OVER);
		for (uint64_t off = 0; off < sec->size && !ok; off += CH) {
			size_t n = sec->size - off < CH + OVER ? sec->size - off : CH + OVER;
			if (rd(g, sec->addr + g->libc->bias + off, buf, n) != 0)
				break;
			char *p = memmem(buf, n, key, sizeof(key) - 1);
			if (p != NULL)
				ok = parse_version(p + sizeof(key) - 1,
						   n - (size_t)(p - buf) - (sizeof(key) - 1), out);
		}
	}
	free(buf);
	return ok;
}

/* libc's module: the one named libc.so* (or libc-2.*), else the executable
 * (static binaries carry malloc themselves); NULL if no module. */
static const struct elf_module *find_libc(const struct space *sp)
{
	for (size_t i = 0; i < sp->elf.n; i++) {
		const char *p = sp->elf.mods[i].ef ? sp->elf.mods[i].ef->path : NULL;
		const char *b = p ? strrchr(p, '/') : NULL;
		b = b ? b + 1 : p;
		if (b != NULL && (strncmp(b, "libc.so", 7) == 0 || strncmp(b, "libc-2.", 7) == 0))
			return &sp->elf.mods[i];
	}
	return elfinfo_exe(&sp->elf);
}

/* ------------------------------------------------------------- free set */

/* Remember that chunk addr sits in bin/idx (first finding wins): a tag
 * in the span holding it.  Classification then reads the tags in address
 * order along with the chunks: no hashing, no sorting. */
static void free_add(struct gl *g, uint64_t addr, enum chunk_bin bin, int idx)
{
	const struct span *cs = span_of(g, addr, 32);
	struct span *s;
	size_t slot;

	if (cs == NULL || g->nfree >= MAX_FREE || (addr & ALIGN_MASK))
		return;
	s = &g->spans[cs - g->spans];
	if (s->tag == NULL)
		s->tag = xcalloc((size_t)((s->end - s->start) / 16 + 1), sizeof(*s->tag));
	slot = (size_t)((addr - s->start) / 16);
	if (s->tag[slot] == 0) {
		s->tag[slot] = (uint16_t)(TAG_IN | (unsigned)bin << 8 | ((unsigned)idx & 0xff));
		g->nfree++;
	}
}

/* The tag of chunk addr (0 if in no bin). */
static unsigned tag_of(struct gl *g, uint64_t addr)
{
	const struct span *s = span_of(g, addr, 16);

	if (s == NULL || s->tag == NULL || (addr & ALIGN_MASK))
		return 0;
	return s->tag[(addr - s->start) / 16];
}

/* ----------------------------------------------------------------- walk */

/* Is there a plausible chunk header at pos in s, ending by end? */
static bool header_ok(const struct span *s, uint64_t pos, uint64_t end, uint64_t *size)
{
	uint64_t sz;

	if (pos < s->start || pos + 16 > s->end || pos + 16 > end)
		return false;
	sz = le64(s->buf + (pos - s->start) + 8) & ~SIZE_BITS;
	*size = sz;
	return sz >= MINSIZE && (sz & ALIGN_MASK) == 0 && sz <= end - pos;
}

/* Does pos look like a real chunk: valid header, and its successor valid
 * and consistent with it (or it ends exactly at end)? */
static bool resync_ok(const struct span *s, uint64_t pos, uint64_t end)
{
	uint64_t sz, nsz, nraw;

	if (!header_ok(s, pos, end, &sz))
		return false;
	if (pos + sz == end)
		return true;
	if (!header_ok(s, pos + sz, end, &nsz))
		return false;
	nraw = le64(s->buf + (pos + sz - s->start) + 8);
	return (nraw & CHUNK_P) || le64(s->buf + (pos + sz - s->start)) == sz;
}

/* Append a chunk to a. */
static struct heap_chunk *put_chunk(struct heap_arena *a, uint64_t addr, uint64_t size,
				    uint64_t raw, uint64_t prev_size, enum chunk_state st)
{
	struct heap_chunk *ch = heap_add_chunk(a);

	ch->addr = addr;
	ch->size = size;
	ch->flags = (unsigned)(raw & SIZE_BITS);
	ch->prev_size = prev_size;
	ch->state = st;
	return ch;
}

/* A bad header at pos: record it, resynchronise; the next position, or 0
 * to stop. */
static uint64_t walk_corrupt(struct gl *g, struct heap_arena *a, const struct span *s,
			     uint64_t pos, uint64_t end, uint64_t top)
{
	const uint8_t *p = s->buf + (pos - s->start);
	uint64_t raw = pos + 16 <= s->end ? le64(p + 8) : 0;
	uint64_t lim = end - pos > RESYNC_BYTES ? pos + RESYNC_BYTES : end;
	uint64_t q;

	heap_add_diag(g->h, HD_HEADER_OVERWRITE, pos,
		      "chunk 0x%" PRIx64 " has an impossible size field 0x%" PRIx64, pos, raw);
	a->truncated = true;
	for (q = pos + 16; q + 16 <= lim; q += 16)
		if ((top == 0 || q <= top) && resync_ok(s, q, end))
			break;
	if (q + 16 > lim) {
		put_chunk(a, pos, end - pos, raw, le64(p), CH_CORRUPT);
		return 0;
	}
	put_chunk(a, pos, q - pos, raw, le64(p), CH_CORRUPT);
	return q;
}

/* Report a free chunk whose successor's prev_size disagrees with its size. */
static void check_prev_size(struct gl *g, const struct heap_chunk *prev, uint64_t pos,
			    uint64_t raw, uint64_t prev_size)
{
	if (prev != NULL && prev->state == CH_INUSE && !(raw & CHUNK_P) &&
	    prev_size != prev->size)
		heap_add_diag(g->h, HD_HEADER_OVERWRITE, pos,
			      "chunk 0x%" PRIx64 ": prev_size 0x%" PRIx64
			      " but the free chunk before it has size 0x%" PRIx64,
			      pos, prev_size, prev->size);
}

/* Walk the chunks of s from pos to top (or end).  fence: an old thread
 * heap, ending in fenceposts.  true if it reached top. */
static bool walk(struct gl *g, struct heap_arena *a, const struct span *s, uint64_t pos,
		 uint64_t end, uint64_t top, bool fence)
{
	const struct heap_chunk *prev = NULL;

	for (size_t n = 0; n < MAX_CHUNKS && pos != 0 && pos + 16 <= end; n++) {
		const uint8_t *p = s->buf + (pos - s->start);
		uint64_t raw = le64(p + 8), sz = raw & ~SIZE_BITS;
		if (pos == top) {
			put_chunk(a, pos, sz, raw, le64(p), CH_TOP);
			return true;
		}
		if (fence && sz <= 0x10 && pos + 0x20 >= end - 0x10)
			return false;                   /* fenceposts of an old heap */
		if (sz < MINSIZE || (sz & ALIGN_MASK) || sz > end - pos ||
		    (top != 0 && pos < top && pos + sz > top)) {
			pos = walk_corrupt(g, a, s, pos, end, top);
			prev = NULL;
			continue;
		}
		check_prev_size(g, prev, pos, raw, le64(p));
		if (top == 0 && pos + sz == end && !fence) {
			put_chunk(a, pos, sz, raw, le64(p), CH_TOP);
			return true;
		}
		prev = put_chunk(a, pos, sz, raw, le64(p), CH_INUSE);
		pos += sz;
		if (fence && pos + 16 > end)
			return false;
	}
	if (!fence)
		a->truncated = true;
	return false;
}

/* ----------------------------------------------------------------- bins */

/* Brent's cycle detector state. */
struct brent {
	uint64_t tort;
	size_t power, lam;
};

/* Step p; true if p closes a cycle. */
static bool brent_step(struct brent *b, uint64_t p)
{
	if (p == b->tort)
		return true;
	if (++b->lam == b->power) {
		b->tort = p;
		b->power *= 2;
		b->lam = 0;
	}
	return false;
}

/* Walk a singly linked list of chunks from head (chunk address); link at
 * chunk+16, safe-linked if the layout says so.  max: the list's bound. */
static void walk_single(struct gl *g, uint64_t head, enum chunk_bin bin, int idx, size_t max,
			bool user_links, const char *what)
{
	struct brent b = { 0, 1, 0 };
	uint64_t p = head, stored;

	for (size_t n = 0; p != 0; n++) {
		if (n >= max || brent_step(&b, p)) {
			heap_add_diag(g->h, HD_BAD_BIN_LINK, p, "%s bin %d: list loops or "
				      "is longer than it should be at 0x%" PRIx64, what, idx, p);
			return;
		}
		if (!chunk_in_heap(g, p) || !rd64(g, p + 16, &stored)) {
			heap_add_diag(g->h, HD_BAD_BIN_LINK, p, "%s bin %d: link to 0x%" PRIx64
				      " outside the heap or misaligned", what, idx, p);
			return;
		}
		free_add(g, p, bin, idx);
		p = g->L->safe_linking ? ((p + 16) >> 12) ^ stored : stored;
		if (p != 0 && user_links)
			p -= 16;        /* tcache links user pointers; fastbins chunks */
	}
}

/* Read the tcache struct at t (user pointer) into tc; true if it looks
 * like one: its chunk has exactly its size, entries null or in a heap,
 * count 0 iff entry null. */
static bool tcache_read(struct gl *g, uint64_t t, uint8_t *tc)
{
	const struct glibc_layout *L = g->L;
	uint64_t hdr;

	if (t == 0 || (t & ALIGN_MASK) || !rd64(g, t - 8, &hdr) ||
	    (hdr & ~SIZE_BITS) != L->tc_struct_size + 16 || rd(g, t, tc, L->tc_struct_size) != 0)
		return false;
	for (uint32_t i = 0; i < L->tc_bins; i++) {
		uint16_t cnt;
		uint64_t e = le64(tc + L->tc_bins * L->tc_count_size + 8 * i);
		memcpy(&cnt, tc + L->tc_count_size * i, 2);
		if ((cnt == 0) != (e == 0) || (e != 0 && !chunk_in_heap(g, e - 16)))
			return false;
	}
	return true;
}

/* Add the tcache at t (validated) to the free set, once. */
static void tcache_use(struct gl *g, uint64_t t, const uint8_t *tc)
{
	const struct glibc_layout *L = g->L;

	for (size_t i = 0; i < g->ntcaches; i++)
		if (g->tcaches[i] == t)
			return;
	if (g->ntcaches == ARRAY_LEN(g->tcaches))
		return;
	g->tcaches[g->ntcaches++] = t;
	for (uint32_t i = 0; i < L->tc_bins; i++) {
		uint16_t cnt;
		uint64_t e = le64(tc + L->tc_bins * L->tc_count_size + 8 * i);
		memcpy(&cnt, tc + L->tc_count_size * i, 2);
		if (e != 0)
			walk_single(g, e - 16, BIN_TCACHE, (int)i, (size_t)cnt + 1,
				    true, "tcache");
	}
}

/* The relocations of one type in libc's .rela.dyn (read from memory):
 * fills offs/adds (link-time), returns how many. */
static size_t rela_of_type(struct gl *g, uint32_t type, uint64_t **offs, uint64_t **adds)
{
	const struct elf_file *ef = g->libc->ef;
	size_t n = 0;

	*offs = *adds = NULL;
	for (size_t i = 0; i < ef->nsections; i++) {
		const struct elf_section *sec = &ef->sections[i];
		if (strcmp(sec->name, ".rela.dyn") != 0 || sec->size > (64u << 20) || sec->size < 24)
			continue;
		uint8_t *buf = xmalloc(sec->size);
		if (rd(g, sec->addr + g->libc->bias, buf, sec->size) == 0) {
			size_t cnt = sec->size / 24;
			*offs = xcalloc(cnt, 8);
			*adds = xcalloc(cnt, 8);
			for (size_t k = 0; k < cnt; k++)
				if ((le64(buf + 24 * k + 8) & 0xffffffffu) == type &&
				    (le64(buf + 24 * k + 8) >> 32) == 0) {
					(*offs)[n] = le64(buf + 24 * k);
					(*adds)[n++] = le64(buf + 24 * k + 16);
				}
		}
		free(buf);
		break;
	}
	return n;
}

/* A thread's tcache through libc's initial-exec TLS slots (see the top). */
static uint64_t tcache_by_tls(struct gl *g, uint64_t fs_base, uint8_t *tc)
{
	uint64_t *offs, *adds, found = 0;
	size_t n = rela_of_type(g, 18 /* R_X86_64_TPOFF64 */, &offs, &adds);

	for (size_t i = 0; i < n && found == 0; i++) {
		uint64_t tpoff, t;
		if (rd64(g, offs[i] + g->libc->bias, &tpoff) &&
		    rd64(g, fs_base + tpoff, &t) && tcache_read(g, t, tc))
			found = t;
	}
	free(offs);
	free(adds);
	return found;
}

/* Read the tcaches: each thread's through its TLS (the threads whose
 * fs_base we have: the stopped one), then the first chunk of every arena,
 * where a thread's first malloc put its tcache_perthread_struct: so the
 * tcaches of running threads are seen too.  tcache_use keeps each once. */
static void read_tcaches(struct gl *g)
{
	uint8_t *tc = xmalloc(g->L->tc_struct_size);

	for (size_t i = 0; i < g->c->nfs && g->c->fs_bases != NULL; i++) {
		uint64_t t = g->libc ? tcache_by_tls(g, g->c->fs_bases[i], tc) : 0;
		if (t != 0)
			tcache_use(g, t, tc);
	}
	for (size_t i = 0; i < g->h->n; i++) {
		const struct heap_arena *a = &g->h->arenas[i];
		if (a->n > 0 && tcache_read(g, a->chunks[0].addr + 16, tc))
			tcache_use(g, a->chunks[0].addr + 16, tc);
	}
	free(tc);
}

/* The fastbins and bins[] of one arena into the free set. */
static void read_arena_bins(struct gl *g, const struct arena_ref *ar)
{
	const struct glibc_layout *L = g->L;

	for (uint32_t i = 0; i < L->nfastbins; i++)
		walk_single(g, le64(ar->state + L->off_fastbins + 8 * i), BIN_FAST, (int)i,
			    MAX_LIST, false, "fast");
	for (uint32_t i = 1; i <= NBINS_ARRAY / 2 - 1; i++) {
		uint64_t hdr = ar->addr + L->off_bins + 16 * (i - 1) - 16;
		uint64_t p = le64(ar->state + L->off_bins + 16 * (i - 1));
		enum chunk_bin bin = i == 1 ? BIN_UNSORTED : i < NSMALLBINS ? BIN_SMALL : BIN_LARGE;
		struct brent b = { 0, 1, 0 };
		const char *what = chunk_bin_name(bin);
		/* p == 0: malloc not initialised yet (bins still zero) */
		for (size_t n = 0; p != hdr && p != 0; n++) {
			if (n >= MAX_LIST || brent_step(&b, p)) {
				heap_add_diag(g->h, HD_BAD_BIN_LINK, p, "%s bin %u loops at 0x%"
					      PRIx64, what, i, p);
				break;
			}
			if (!chunk_in_heap(g, p)) {
				heap_add_diag(g->h, HD_BAD_BIN_LINK, p, "%s bin %u: link to 0x%"
					      PRIx64 " outside the heap", what, i, p);
				break;
			}
			free_add(g, p, bin, (int)i);
			if (!rd64(g, p + 16, &p))
				break;
		}
	}
}

/* -------------------------------------------------------------- arenas */

/* Copy the malloc_state at addr; NULL if unreadable. */
static uint8_t *state_copy(struct gl *g, uint64_t addr)
{
	uint8_t *st = xmalloc(g->L->state_size);

	if (addr == 0 || (addr & 7) || rd(g, addr, st, g->L->state_size) != 0) {
		free(st);
		return NULL;
	}
	return st;
}

/* Is addr a main_arena: top inside the [heap] region (or 0 with no heap),
 * and the next ring back to it within MAX_ARENAS steps? */
static bool arena_valid(struct gl *g, uint64_t addr)
{
	uint8_t *st = state_copy(g, addr);
	uint64_t top, p, sz;
	bool ok = false;

	if (st == NULL)
		return false;
	top = le64(st + g->L->off_top);
	if (g->heap_end != 0 ? (top >= g->heap_start && top + 16 <= g->heap_end &&
				!(top & ALIGN_MASK) && rd64(g, top + 8, &sz) &&
				top + (sz & ~SIZE_BITS) <= g->heap_end)
			     : top == 0 || !(top & ALIGN_MASK)) {
		p = le64(st + g->L->off_next);
		for (size_t n = 0; n < MAX_ARENAS && p != 0 && !ok; n++)
			if (p == addr)
				ok = true;
			else if (!rd64(g, p + g->L->off_next, &p))
				break;
	}
	free(st);
	return ok;
}

/* The section named name in ef, or NULL. */
static const struct elf_section *section(const struct elf_file *ef, const char *name)
{
	for (size_t i = 0; i < ef->nsections; i++)
		if (strcmp(ef->sections[i].name, name) == 0)
			return &ef->sections[i];
	return NULL;
}

/* libc's .data as in the file (implicit RELR addends); NULL if unreadable. */
static uint8_t *data_from_file(const struct elf_module *m, const struct elf_section *d)
{
	uint8_t *buf;
	int fd;

	if (d->size == 0 || d->size > (64u << 20) || m->ef->path == NULL)
		return NULL;
	fd = open(m->ef->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = xmalloc(d->size);
	if (pread(fd, buf, d->size, (off_t)d->offset) != (ssize_t)d->size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

/* Is RELR place P (link-time) main_arena.next's?  Then main_arena. */
static uint64_t relr_candidate(struct gl *g, const struct elf_section *d, const uint8_t *file,
			       uint64_t place)
{
	uint64_t add, cand;

	if (place < d->addr || place + 8 > d->addr + d->size || place < g->L->off_next)
		return 0;
	if (file != NULL)
		add = le64(file + (place - d->addr));
	else if (rd64(g, place + g->libc->bias, &add))
		add -= g->libc->bias;
	else
		return 0;
	if (add != place - g->L->off_next)
		return 0;
	cand = add + g->libc->bias;
	return arena_valid(g, cand) ? cand : 0;
}

/* main_arena through DT_RELR: decode .relr.dyn (addresses and bitmaps). */
static uint64_t arena_by_relr(struct gl *g)
{
	const struct elf_section *r = section(g->libc->ef, ".relr.dyn");
	const struct elf_section *d = section(g->libc->ef, ".data");
	uint64_t base = 0, found = 0;
	uint8_t *buf, *file;

	if (r == NULL || d == NULL || r->size > (16u << 20) || r->size < 8)
		return 0;
	buf = xmalloc(r->size);
	if (rd(g, r->addr + g->libc->bias, buf, r->size) != 0) {
		free(buf);
		return 0;
	}
	file = data_from_file(g->libc, d);
	for (size_t k = 0; k + 8 <= r->size && found == 0; k += 8) {
		uint64_t e = le64(buf + k);
		if ((e & 1) == 0) {
			found = relr_candidate(g, d, file, e);
			base = e + 8;
			continue;
		}
		for (unsigned j = 1; j < 64 && found == 0; j++)
			if ((e >> j) & 1)
				found = relr_candidate(g, d, file, base + 8 * (j - 1));
		base += 63 * 8;
	}
	free(file);
	free(buf);
	return found;
}

/* main_arena through R_X86_64_RELATIVE in .rela.dyn: addend == place - next. */
static uint64_t arena_by_rela(struct gl *g)
{
	uint64_t *offs, *adds, found = 0;
	size_t n = rela_of_type(g, 8 /* R_X86_64_RELATIVE */, &offs, &adds);

	for (size_t i = 0; i < n && found == 0; i++)
		if (offs[i] >= g->L->off_next && adds[i] == offs[i] - g->L->off_next &&
		    arena_valid(g, adds[i] + g->libc->bias))
			found = adds[i] + g->libc->bias;
	free(offs);
	free(adds);
	return found;
}

/* main_arena: its symbol, else the relocations; validated; 0 if none. */
static uint64_t find_main_arena(struct gl *g)
{
	const struct elf_symbol *s;
	uint64_t a;

	if (g->libc == NULL)
		return 0;
	s = elf_file_symbol(g->libc->ef, "main_arena");
	if (s != NULL && arena_valid(g, s->value + g->libc->bias))
		return s->value + g->libc->bias;
	a = arena_by_rela(g);
	return a != 0 ? a : arena_by_relr(g);
}

/* Remember arena addr (state copied) for the bins; its index or -1. */
static struct arena_ref *arena_add(struct gl *g, uint64_t addr, size_t harena)
{
	uint8_t *st = state_copy(g, addr);
	struct arena_ref *r;

	if (st == NULL)
		return NULL;
	util_grow((void **)&g->arenas, &g->caparenas, g->narenas + 1, sizeof(*g->arenas));
	r = &g->arenas[g->narenas++];
	r->addr = addr;
	r->state = st;
	r->harena = harena;
	return r;
}

/* The main heap: the [heap] region, walked from its start. */
static void walk_main(struct gl *g, uint64_t main_arena)
{
	struct heap_arena *a = heap_add_arena(g->h, "main");
	const struct span *s;
	uint64_t top = 0, first;

	if (main_arena != 0) {
		struct arena_ref *r = arena_add(g, main_arena, (size_t)(a - g->h->arenas));
		a->state_addr = main_arena;
		top = r ? le64(r->state + g->L->off_top) : 0;
	}
	if (g->heap_end == 0)
		return;
	s = add_span(g, g->heap_start, g->heap_end);
	if (s == NULL) {
		a->truncated = true;
		return;
	}
	first = (g->heap_start + ALIGN_MASK) & ~ALIGN_MASK;
	a->start = first;
	walk(g, a, s, first, s->end, top, false);
	if (a->n > 0) {
		const struct heap_chunk *last = &a->chunks[a->n - 1];
		a->end = last->addr + last->size;
		a->top = last->state == CH_TOP ? last->addr : 0;
	}
}

/* The heaps of thread arena ar, oldest first, into v; how many. */
static size_t thread_heaps(struct gl *g, uint64_t ar, uint64_t top, uint64_t *v)
{
	const struct glibc_layout *L = g->L;
	uint64_t hp = top & ~(L->heap_max - 1), first = ar - L->heap_info_size;
	size_t n = 0;

	if (top == 0)
		hp = first;
	while (n < MAX_HEAPS && hp != 0 && (hp & (L->heap_max - 1)) == 0) {
		uint64_t arp, prev;
		if (!rd64(g, hp + L->hi_ar_ptr, &arp) || arp != ar || !rd64(g, hp + L->hi_prev, &prev))
			break;
		v[n++] = hp;
		if (hp == first)
			break;
		hp = prev;
	}
	for (size_t i = 0; i < n / 2; i++) {
		uint64_t t = v[i];
		v[i] = v[n - 1 - i];
		v[n - 1 - i] = t;
	}
	return n;
}

/* One thread arena: its heaps walked, in order, up to its top. */
static void walk_thread_arena(struct gl *g, uint64_t ar, unsigned num)
{
	const struct glibc_layout *L = g->L;
	char name[24];
	uint64_t *hv = xcalloc(MAX_HEAPS, 8), top;
	struct heap_arena *a;
	struct arena_ref *r;
	size_t nh;

	snprintf(name, sizeof(name), "thread %u", num);
	a = heap_add_arena(g->h, name);
	a->state_addr = ar;
	r = arena_add(g, ar, (size_t)(a - g->h->arenas));
	top = r ? le64(r->state + L->off_top) : 0;
	nh = r ? thread_heaps(g, ar, top, hv) : 0;
	a->truncated = nh == 0;
	for (size_t i = 0; i < nh; i++) {
		uint64_t hsize, first;
		const struct span *s;
		if (!rd64(g, hv[i] + L->hi_size, &hsize) || hsize > L->heap_max ||
		    (s = add_span(g, hv[i], hv[i] + hsize)) == NULL) {
			a->truncated = true;
			break;
		}
		first = hv[i] + L->heap_info_size + (i == 0 ? L->state_size : 0);
		first = (first + ALIGN_MASK) & ~ALIGN_MASK;
		if (i == 0)
			a->start = first;
		if (walk(g, a, s, first, s->end, top, i + 1 < nh))
			break;
	}
	if (a->n > 0) {
		const struct heap_chunk *last = &a->chunks[a->n - 1];
		a->end = last->addr + last->size;
		a->top = last->state == CH_TOP ? last->addr : 0;
	}
	free(hv);
}

/* The thread arenas: main_arena's next ring, in ring order. */
static void walk_thread_arenas(struct gl *g, uint64_t main_arena)
{
	uint64_t p;
	unsigned num = 0;

	if (!rd64(g, main_arena + g->L->off_next, &p))
		return;
	while (p != 0 && p != main_arena && num < MAX_ARENAS) {
		walk_thread_arena(g, p, ++num);
		if (!rd64(g, p + g->L->off_next, &p))
			break;
	}
}

/* ------------------------------------------------------------- classify */

/* Set each chunk's state and bin: the bins first, then the P bit. */
static void classify(struct gl *g)
{
	for (size_t k = 0; k < g->h->n; k++) {
		struct heap_arena *a = &g->h->arenas[k];
		for (size_t i = 0; i < a->n; i++) {
			struct heap_chunk *ch = &a->chunks[i];
			unsigned t;
			if (ch->state != CH_INUSE)
				continue;
			t = tag_of(g, ch->addr);
			if (t & TAG_IN) {
				ch->state = CH_FREE;
				ch->bin = (enum chunk_bin)((t >> 8) & 7);
				ch->bin_index = (int)(t & 0xff);
			} else if (i + 1 < a->n && a->chunks[i + 1].addr == ch->addr + ch->size &&
				   !(a->chunks[i + 1].flags & CHUNK_P) &&
				   a->chunks[i + 1].state != CH_CORRUPT) {
				ch->state = CH_FREE;
			}
		}
	}
}

/* An mmapped chunk header at p in [p, end): its size, or 0. */
static uint64_t mmapped_at(struct gl *g, uint64_t p, uint64_t end)
{
	uint64_t hdr[2];

	if (rd(g, p, hdr, sizeof(hdr)) != 0)
		return 0;
	uint64_t sz = hdr[1] & ~SIZE_BITS;
	if (hdr[0] != 0 || !(hdr[1] & CHUNK_M) || (hdr[1] & CHUNK_P) || sz < 0x1000 ||
	    (sz & 0xfff) || sz > end - p)
		return 0;
	return hdr[1];
}

/* Append an mmapped chunk to h->mmapped. */
static void put_mmapped(struct heap_state *h, uint64_t p, uint64_t raw)
{
	struct heap_chunk *ch;

	util_grow((void **)&h->mmapped, &h->capmmapped, h->nmmapped + 1, sizeof(*h->mmapped));
	ch = &h->mmapped[h->nmmapped++];
	memset(ch, 0, sizeof(*ch));
	ch->addr = p;
	ch->size = raw & ~SIZE_BITS;
	ch->flags = (unsigned)(raw & SIZE_BITS);
	ch->state = CH_MMAPPED;
	ch->bin = BIN_NONE;
	ch->bin_index = -1;
}

/* Anonymous mappings starting with mmapped chunks (adjacent ones merge
 * into one region: follow them by size). */
static void find_mmapped(struct gl *g)
{
	const struct space *sp = g->c->space;

	for (size_t i = 0; i < sp->n; i++) {
		const struct region *r = &sp->regions[i];
		uint64_t p = r->start, raw;
		if (r->kind != RK_MMAP || (r->path && r->path[0] != '\0') || r->perms[0] != 'r' ||
		    r->perms[1] != 'w')
			continue;
		for (unsigned n = 0; n < MAX_MMAPPED && p < r->end &&
		     (raw = mmapped_at(g, p, r->end)) != 0; n++) {
			put_mmapped(g->h, p, raw);
			p += raw & ~SIZE_BITS;
		}
	}
}

/* -------------------------------------------------------------- driver */

/* The [heap] span: the first RK_HEAP region and the adjacent ones after it
 * (a forked child's brk heap shows as two maps lines: the inherited part
 * and the new one do not merge). */
static void heap_region(struct gl *g, const struct space *sp)
{
	for (size_t i = 0; i < sp->n; i++) {
		if (sp->regions[i].kind != RK_HEAP)
			continue;
		g->heap_start = sp->regions[i].start;
		g->heap_end = sp->regions[i].end;
		while (++i < sp->n && sp->regions[i].kind == RK_HEAP &&
		       sp->regions[i].start == g->heap_end)
			g->heap_end = sp->regions[i].end;
		return;
	}
}

/* The version and layout of the mapped libc; false (degraded set) if none. */
static bool pick_layout(struct gl *g)
{
	char v[16] = "";

	if (g->libc != NULL && g->libc->ef != NULL &&
	    (version_from_function(g, v) || version_from_rodata(g, v)))
		g->L = layout_for(v);
	if (g->L == NULL || layout_selftest(g->L) != NULL) {
		snprintf(g->h->degraded, sizeof(g->h->degraded),
			 "glibc version %s has no known malloc layout: chunk walk only, "
			 "bin details off", v[0] ? v : "(not found)");
		g->L = NULL;
		return false;
	}
	return true;
}

/* Free what g owns. */
static void gl_free(struct gl *g)
{
	for (size_t i = 0; i < g->nspans; i++) {
		if (!g->spans[i].cached)
			free(g->spans[i].buf);
		free(g->spans[i].tag);
	}
	for (size_t i = 0; i < g->narenas; i++)
		free(g->arenas[i].state);
	free(g->spans);
	free(g->arenas);
}

void heap_glibc_read(struct heap_state *h, const struct glibc_ctx *c)
{
	struct gl g = { .h = h, .c = c };
	uint64_t main_arena = 0;

	heap_state_clear(h);
	h->model = "glibc";
	h->user_off = 16;
	if (c == NULL || c->space == NULL || c->mem == NULL)
		return;
	heap_region(&g, c->space);
	g.libc = find_libc(c->space);
	if (pick_layout(&g)) {
		main_arena = find_main_arena(&g);
		if (main_arena == 0)
			snprintf(h->degraded, sizeof(h->degraded),
				 "main_arena not found: chunk walk only, bin details off");
	}
	h->bins_known = main_arena != 0;
	walk_main(&g, main_arena);
	if (main_arena != 0)
		walk_thread_arenas(&g, main_arena);
	if (g.L != NULL) {
		read_tcaches(&g);
		for (size_t i = 0; i < g.narenas; i++)
			read_arena_bins(&g, &g.arenas[i]);
	}
	classify(&g);
	find_mmapped(&g);
	gl_free(&g);
}
