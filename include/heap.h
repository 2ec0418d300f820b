/*
 * heap.h - the heap model: the allocator's chunks as they lie in memory,
 * which bin each free one sits in, and what changed between two stops.
 * Two implementations fill it: heap_glibc (ptmalloc2) and heap_tags (the
 * boundary-tag teaching allocator of demos/lib).  Views read only this.
 */
#ifndef MEMVIZ_HEAP_H
#define MEMVIZ_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "space.h"
#include "util.h"

enum chunk_state { CH_INUSE, CH_FREE, CH_TOP, CH_MMAPPED, CH_CORRUPT };
enum chunk_bin { BIN_NONE, BIN_TCACHE, BIN_FAST, BIN_UNSORTED, BIN_SMALL, BIN_LARGE };

#define CHUNK_P 0x1u              /* PREV_INUSE */
#define CHUNK_M 0x2u              /* IS_MMAPPED */
#define CHUNK_A 0x4u              /* NON_MAIN_ARENA */

/* The 64-bit fields first, then the 32-bit ones: no padding (a walk of a
 * million chunks writes every byte of these). */
struct heap_chunk {
	uint64_t addr;            /* chunk start (the header), not the user pointer */
	uint64_t size;            /* size without the flag bits */
	uint64_t prev_size;       /* meaningful when the previous chunk is free */
	uint64_t req;             /* requested size from the malloc events, 0 if unknown */
	/* where the malloc that returned it was called (heap_reqs_apply, in
	 * use chunks only): interned in the heap_reqs, valid until
	 * heap_reqs_free; NULL / 0 if unknown */
	const char *site_fn, *site_file;
	int site_line;
	unsigned flags;           /* CHUNK_P | CHUNK_M | CHUNK_A */
	enum chunk_state state;
	enum chunk_bin bin;
	int bin_index;            /* tcache/fast/small/large index, -1 if none */
};

struct heap_arena {
	char name[24];            /* "main", "thread 1" ... */
	uint64_t state_addr;      /* the malloc_state, 0 if not found */
	uint64_t start, end;      /* the span walked */
	uint64_t top;             /* the top chunk, 0 if unknown */
	struct heap_chunk *chunks;
	size_t n, cap;
	bool truncated;           /* the walk stopped early (corruption, bound) */
};

enum heap_diag_kind { HD_HEADER_OVERWRITE, HD_BAD_BIN_LINK };

struct heap_diag {
	enum heap_diag_kind kind;
	uint64_t addr;
	char message[160];
};

enum heap_change_kind { HC_ALLOC, HC_FREE, HC_SPLIT, HC_COALESCE, HC_GROW, HC_SHRINK,
			HC_CONSOLIDATE, HC_MMAP, HC_MUNMAP };

struct heap_change {
	enum heap_change_kind kind;
	uint64_t chunks[3];       /* the chunks involved (addresses) */
	size_t nchunks;
	const char *detail;       /* "tcache", "top", "previous" ...; static string */
};

struct heap_state {
	const char *model;        /* "glibc", "tags", "none" */
	unsigned user_off;        /* user pointer = chunk addr + user_off (glibc 16);
				     set by the model, used to attach `req` */
	struct heap_arena *arenas;
	size_t n, cap;
	bool bins_known;          /* false: chunk walk only (see degraded) */
	char degraded[200];       /* why bin details are off, "" if they are not */
	struct heap_chunk *mmapped;     /* chunks with M set, each its own mapping */
	size_t nmmapped, capmmapped;
	struct heap_diag *diags;
	size_t ndiags, capdiags;
	struct heap_change *changes;    /* filled by heap_diff */
	size_t nchanges, capchanges;
};

void heap_state_init(struct heap_state *h);
void heap_state_clear(struct heap_state *h);     /* keeps the storage */
void heap_state_free(struct heap_state *h);
struct heap_arena *heap_add_arena(struct heap_state *h, const char *name);
struct heap_chunk *heap_add_chunk(struct heap_arena *a);
void heap_add_diag(struct heap_state *h, enum heap_diag_kind k, uint64_t addr,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

const char *chunk_state_name(enum chunk_state s);
const char *chunk_bin_name(enum chunk_bin b);
const char *heap_change_name(enum heap_change_kind k);
const char *heap_diag_name(enum heap_diag_kind k);

/* The chunk holding addr in any arena, or NULL. */
const struct heap_chunk *heap_find_chunk(const struct heap_state *h, uint64_t addr);

/* What glibc's model needs from the process at a stop. */
struct glibc_ctx {
	const struct space *space;          /* regions ([heap], thread heaps) + ELF modules */
	const struct mem_reader *mem;
	const uint64_t *fs_bases;           /* fs_base of the threads whose tcache to read */
	size_t nfs;
};

/* Walk glibc's heaps into h (cleared first).  Never fails hard: what
 * cannot be read or does not validate is left out and said in
 * h->degraded / h->diags.  Bounded: a corrupted heap cannot make it loop. */
void heap_glibc_read(struct heap_state *h, const struct glibc_ctx *c);
/* Self-test of the per-version layout table against the libc mapped (its
 * version string); 0 if the layout is one memviz knows. */
int heap_glibc_layout_check(const char *glibc_version, char **cause);

/* The boundary-tag allocator of demos/lib, found through its symbols. */
bool heap_tags_present(const struct space *sp);
void heap_tags_read(struct heap_state *h, const struct space *sp, const struct mem_reader *mem);

/* Changes from prev to cur (cur->changes filled): split, coalesce, alloc,
 * free, grow, shrink, consolidate, mmap, munmap. */
void heap_diff(const struct heap_state *prev, struct heap_state *cur);
/* Attach the requested sizes of malloc events to chunks: remember req for
 * the chunk whose user pointer is ptr (0 forgets it, on free, with its
 * site). */
struct heap_reqs;
struct heap_reqs *heap_reqs_new(void);
void heap_reqs_free(struct heap_reqs *r);
void heap_reqs_set(struct heap_reqs *r, uint64_t user_ptr, uint64_t req);
/* Remember where the block at user_ptr was allocated (the caller of
 * malloc: fn, file, line; any may be NULL / 0).  The strings are copied
 * (interned once each), so they may die after the call.  Call it after
 * heap_reqs_set for the same event; a later heap_reqs_set(ptr, 0) forgets
 * the site with the size. */
void heap_reqs_set_site(struct heap_reqs *r, uint64_t user_ptr, const char *fn,
			const char *file, int line);
/* Set req and the site of every in-use chunk of h from r (others: none). */
void heap_reqs_apply(const struct heap_reqs *r, struct heap_state *h);

#endif
