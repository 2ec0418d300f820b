/*
 * heap.c - what the heap models share: the heap_state container, names,
 * lookups, the requested sizes and allocation sites of live blocks, and
 * heap_diff, which says in the lecture's words what changed between two stops.
 *
 * heap_diff compares the chunk lists of the same arena at two stops.  Both
 * are sorted by address and tile the arena, so each chunk of the new list
 * covers a run of old chunks (or lies in what was the top chunk):
 *
 *   same address and size, in use -> free     free (to the bin it is in now)
 *   same address and size, free -> in use     alloc (from the bin it was in)
 *   an in-use chunk at the start of an old    split (the rest stays free)
 *   bigger free chunk
 *   a chunk carved from the old top           alloc from top
 *   a free chunk covering several old ones    coalesce (with the previous,
 *                                             the next, or both); if none of
 *                                             them was in use, it was
 *                                             malloc_consolidate merging
 *                                             fastbin chunks: consolidate
 *   top starting lower than before            coalesce with top
 *   top ending higher / lower                 grow / shrink (brk moved)
 *   an arena that was not there before        grow (from nothing) and an
 *                                             alloc from top per block
 *   an mmapped chunk appearing / going        mmap / munmap
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "util.h"

void heap_state_init(struct heap_state *h)
{
	memset(h, 0, sizeof(*h));
	h->model = "none";
}

void heap_state_clear(struct heap_state *h)
{
	for (size_t i = 0; i < h->n; i++) {
		h->arenas[i].n = 0;
		h->arenas[i].truncated = false;
	}
	h->n = 0;
	h->model = "none";
	h->user_off = 0;
	h->bins_known = false;
	h->degraded[0] = '\0';
	h->nmmapped = 0;
	h->ndiags = 0;
	h->nchanges = 0;
}

void heap_state_free(struct heap_state *h)
{
	for (size_t i = 0; i < h->cap; i++)
		free(h->arenas[i].chunks);
	free(h->arenas);
	free(h->mmapped);
	free(h->diags);
	free(h->changes);
	heap_state_init(h);
}

struct heap_arena *heap_add_arena(struct heap_state *h, const char *name)
{
	struct heap_arena *a;
	size_t old = h->cap;

	util_grow((void **)&h->arenas, &h->cap, h->n + 1, sizeof(*h->arenas));
	if (h->cap > old)       /* new slots own no chunk storage yet */
		memset(h->arenas + old, 0, (h->cap - old) * sizeof(*h->arenas));
	a = &h->arenas[h->n++];
	/* Keep the chunk storage of a slot reused after heap_state_clear. */
	struct heap_chunk *chunks = a->chunks;
	size_t cap = a->cap;
	memset(a, 0, sizeof(*a));
	a->chunks = chunks;
	a->cap = cap;
	snprintf(a->name, sizeof(a->name), "%s", name);
	return a;
}

struct heap_chunk *heap_add_chunk(struct heap_arena *a)
{
	struct heap_chunk *c;

	util_grow((void **)&a->chunks, &a->cap, a->n + 1, sizeof(*a->chunks));
	c = &a->chunks[a->n++];
	memset(c, 0, sizeof(*c));
	c->bin_index = -1;
	return c;
}

void heap_add_diag(struct heap_state *h, enum heap_diag_kind k, uint64_t addr,
		   const char *fmt, ...)
{
	struct heap_diag *d;
	va_list ap;

	util_grow((void **)&h->diags, &h->capdiags, h->ndiags + 1, sizeof(*h->diags));
	d = &h->diags[h->ndiags++];
	d->kind = k;
	d->addr = addr;
	va_start(ap, fmt);
	vsnprintf(d->message, sizeof(d->message), fmt, ap);
	va_end(ap);
}

const char *chunk_state_name(enum chunk_state s)
{
	static const char *const names[] = { "inuse", "free", "top", "mmapped", "corrupt" };
	return (unsigned)s < ARRAY_LEN(names) ? names[s] : "?";
}

const char *chunk_bin_name(enum chunk_bin b)
{
	static const char *const names[] = { "null", "tcache", "fast", "unsorted", "small",
					     "large" };
	return (unsigned)b < ARRAY_LEN(names) ? names[b] : "?";
}

const char *heap_change_name(enum heap_change_kind k)
{
	static const char *const names[] = { "alloc", "free", "split", "coalesce", "grow",
					     "shrink", "consolidate", "mmap", "munmap" };
	return (unsigned)k < ARRAY_LEN(names) ? names[k] : "?";
}

const char *heap_diag_name(enum heap_diag_kind k)
{
	static const char *const names[] = { "header_overwrite", "bad_bin_link" };
	return (unsigned)k < ARRAY_LEN(names) ? names[k] : "?";
}

/* The chunk of a sorted list holding addr, by binary search; NULL if none. */
static const struct heap_chunk *chunk_in(const struct heap_chunk *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr < v[mid].addr)
			hi = mid;
		else if (addr >= v[mid].addr + v[mid].size)
			lo = mid + 1;
		else
			return &v[mid];
	}
	return NULL;
}

const struct heap_chunk *heap_find_chunk(const struct heap_state *h, uint64_t addr)
{
	const struct heap_chunk *c;

	for (size_t i = 0; i < h->n; i++)
		if ((c = chunk_in(h->arenas[i].chunks, h->arenas[i].n, addr)) != NULL)
			return c;
	for (size_t i = 0; i < h->nmmapped; i++)
		if (addr >= h->mmapped[i].addr && addr < h->mmapped[i].addr + h->mmapped[i].size)
			return &h->mmapped[i];
	return NULL;
}

/* ---- requested sizes and allocation sites ---------------------------- */

/* Where a block was allocated; the strings are the table's interned copies. */
struct req_site {
	const char *fn, *file;
	int line;
};

/* An open-addressing map user pointer -> requested size and site; 0 keys
 * are empty, deleted entries keep their key with req ~0 (a tombstone).  A
 * live entry may have req 0 (size unknown, site known).  The site strings
 * are interned in a second open-addressing set, never freed before the
 * table: chunks of every heap_state point at them. */
struct heap_reqs {
	uint64_t *keys, *vals;
	struct req_site *sites;
	size_t cap, used;
	char **strs;              /* interned strings, NULL = empty slot */
	size_t strcap, nstrs;
};

#define REQ_DELETED (~0ull)

struct heap_reqs *heap_reqs_new(void)
{
	struct heap_reqs *r = xcalloc(1, sizeof(*r));

	r->cap = 1024;
	r->keys = xcalloc(r->cap, sizeof(*r->keys));
	r->vals = xcalloc(r->cap, sizeof(*r->vals));
	r->sites = xcalloc(r->cap, sizeof(*r->sites));
	return r;
}

void heap_reqs_free(struct heap_reqs *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->strcap; i++)
		free(r->strs[i]);
	free(r->strs);
	free(r->keys);
	free(r->vals);
	free(r->sites);
	free(r);
}

/* The slot of key, or of the empty slot where it would go. */
static size_t reqs_slot(const struct heap_reqs *r, uint64_t key)
{
	size_t i = (size_t)((key >> 4) * 0x9e3779b97f4a7c15ull) & (r->cap - 1);

	while (r->keys[i] && r->keys[i] != key)
		i = (i + 1) & (r->cap - 1);
	return i;
}

/* Double the table, dropping tombstones. */
static void reqs_rehash(struct heap_reqs *r)
{
	uint64_t *keys = r->keys, *vals = r->vals;
	struct req_site *sites = r->sites;
	size_t cap = r->cap;

	r->cap *= 2;
	r->keys = xcalloc(r->cap, sizeof(*r->keys));
	r->vals = xcalloc(r->cap, sizeof(*r->vals));
	r->sites = xcalloc(r->cap, sizeof(*r->sites));
	r->used = 0;
	for (size_t i = 0; i < cap; i++) {
		if (keys[i] && vals[i] != REQ_DELETED) {
			size_t j = reqs_slot(r, keys[i]);
			r->keys[j] = keys[i];
			r->vals[j] = vals[i];
			r->sites[j] = sites[i];
			r->used++;
		}
	}
	free(keys);
	free(vals);
	free(sites);
}

/* The slot of user_ptr, inserted (req unknown, no site) if absent. */
static size_t reqs_insert(struct heap_reqs *r, uint64_t user_ptr)
{
	size_t i;

	if ((r->used + 1) * 2 > r->cap)
		reqs_rehash(r);
	i = reqs_slot(r, user_ptr);
	if (!r->keys[i]) {
		r->keys[i] = user_ptr;
		r->vals[i] = 0;
		r->used++;
	}
	return i;
}

void heap_reqs_set(struct heap_reqs *r, uint64_t user_ptr, uint64_t req)
{
	size_t i;

	if (!user_ptr)
		return;
	if (!req) {
		i = reqs_slot(r, user_ptr);
		if (r->keys[i]) {               /* forgetting what was never there: nothing */
			r->vals[i] = REQ_DELETED;
			memset(&r->sites[i], 0, sizeof(r->sites[i]));
		}
		return;
	}
	i = reqs_insert(r, user_ptr);
	r->vals[i] = req;
}

/* Hash of a NUL-terminated string (FNV-1a). */
static size_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return (size_t)h;
}

/* The table's copy of s (made the first time), NULL for NULL. */
static const char *reqs_intern(struct heap_reqs *r, const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	if ((r->nstrs + 1) * 2 > r->strcap) {
		char **old = r->strs;
		size_t oldcap = r->strcap;
		r->strcap = oldcap ? oldcap * 2 : 64;
		r->strs = xcalloc(r->strcap, sizeof(*r->strs));
		for (size_t k = 0; k < oldcap; k++) {
			if (!old[k])
				continue;
			i = str_hash(old[k]) & (r->strcap - 1);
			while (r->strs[i])
				i = (i + 1) & (r->strcap - 1);
			r->strs[i] = old[k];
		}
		free(old);
	}
	i = str_hash(s) & (r->strcap - 1);
	while (r->strs[i] && strcmp(r->strs[i], s) != 0)
		i = (i + 1) & (r->strcap - 1);
	if (!r->strs[i]) {
		r->strs[i] = xstrdup(s);
		r->nstrs++;
	}
	return r->strs[i];
}

void heap_reqs_set_site(struct heap_reqs *r, uint64_t user_ptr, const char *fn,
			const char *file, int line)
{
	size_t i;

	if (!user_ptr)
		return;
	i = reqs_slot(r, user_ptr);
	if (!fn && !file && !line) {            /* nothing known: forget an old site */
		if (r->keys[i])
			memset(&r->sites[i], 0, sizeof(r->sites[i]));
		return;
	}
	i = reqs_insert(r, user_ptr);
	if (r->vals[i] == REQ_DELETED)
		r->vals[i] = 0;                 /* alive again, size unknown */
	r->sites[i].fn = reqs_intern(r, fn);
	r->sites[i].file = reqs_intern(r, file);
	r->sites[i].line = line;
}

/* The slot of user_ptr; *found: it holds a live block. */
static size_t reqs_get(const struct heap_reqs *r, uint64_t user_ptr, bool *found)
{
	size_t i = reqs_slot(r, user_ptr);

	*found = r->keys[i] && r->vals[i] != REQ_DELETED;
	return i;
}

/* Set c's req and site from r. */
static void reqs_to_chunk(const struct heap_reqs *r, struct heap_chunk *c, uint64_t user_ptr)
{
	bool found;
	size_t i = reqs_get(r, user_ptr, &found);

	c->req = found ? r->vals[i] : 0;
	c->site_fn = found ? r->sites[i].fn : NULL;
	c->site_file = found ? r->sites[i].file : NULL;
	c->site_line = found ? r->sites[i].line : 0;
}

void heap_reqs_apply(const struct heap_reqs *r, struct heap_state *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct heap_arena *a = &h->arenas[i];
		for (size_t k = 0; k < a->n; k++)
			if (a->chunks[k].state == CH_INUSE)
				reqs_to_chunk(r, &a->chunks[k], a->chunks[k].addr + h->user_off);
	}
	for (size_t i = 0; i < h->nmmapped; i++)
		reqs_to_chunk(r, &h->mmapped[i], h->mmapped[i].addr + h->user_off);
}

/* ---- diff ------------------------------------------------------------ */

/* Record a change of up to three chunks (0 = unused). */
static void add_change(struct heap_state *h, enum heap_change_kind k, const char *detail,
		       uint64_t a, uint64_t b, uint64_t c)
{
	struct heap_change *ch;

	util_grow((void **)&h->changes, &h->capchanges, h->nchanges + 1, sizeof(*h->changes));
	ch = &h->changes[h->nchanges++];
	memset(ch, 0, sizeof(*ch));
	ch->kind = k;
	ch->detail = detail;
	if (a)
		ch->chunks[ch->nchunks++] = a;
	if (b)
		ch->chunks[ch->nchunks++] = b;
	if (c)
		ch->chunks[ch->nchunks++] = c;
}

/* The same arena at the previous stop: by its malloc_state when both
 * know it (thread arenas are numbered in list order, which a new arena
 * shifts), else by name. */
static const struct heap_arena *arena_same(const struct heap_state *h, const struct heap_arena *a)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct heap_arena *p = &h->arenas[i];
		if (a->state_addr && p->state_addr ? p->state_addr == a->state_addr
						   : strcmp(p->name, a->name) == 0)
			return p;
	}
	return NULL;
}

/* The top chunk of an arena, or NULL. */
static const struct heap_chunk *arena_top(const struct heap_arena *a)
{
	return a->n && a->chunks[a->n - 1].state == CH_TOP ? &a->chunks[a->n - 1] : NULL;
}

/* Where a chunk that was free came from, in words. */
static const char *from_bin(const struct heap_chunk *c)
{
	return c->state == CH_TOP ? "top" : chunk_bin_name(c->bin);
}

/* A free chunk c of the new list covers old chunks [first, last]: say how
 * they merged. */
static void diff_merge(struct heap_state *cur, const struct heap_chunk *c,
		       const struct heap_chunk *first, const struct heap_chunk *last)
{
	const struct heap_chunk *freed = NULL;
	bool before = false, after = false;

	for (const struct heap_chunk *o = first; o <= last; o++) {
		if (o->state == CH_INUSE)
			freed = o;
		else if (!freed)
			before = true;
		else
			after = true;
	}
	if (!freed) {
		add_change(cur, HC_CONSOLIDATE, "fast", c->addr, 0, 0);
		return;
	}
	add_change(cur, HC_COALESCE, before && after ? "both" : before ? "previous" : "next",
		   c->addr, freed->addr, 0);
}

/* Compare one new chunk with what lay at its place before. */
static void diff_chunk(struct heap_state *cur, const struct heap_arena *pa,
		       const struct heap_chunk *c, const struct heap_chunk *ptop)
{
	const struct heap_chunk *o = chunk_in(pa->chunks, pa->n, c->addr);
	const struct heap_chunk *last;

	if (!o)
		return;                     /* beyond the old arena: grow covers it */
	if (o->addr == c->addr && o->size == c->size) {
		if (o->state == CH_INUSE && c->state == CH_FREE)
			add_change(cur, HC_FREE, chunk_bin_name(c->bin), c->addr, 0, 0);
		else if (o->state == CH_FREE && c->state == CH_INUSE)
			add_change(cur, HC_ALLOC, from_bin(o), c->addr, 0, 0);
		return;
	}
	if (o == ptop && c->state == CH_INUSE) {
		add_change(cur, HC_ALLOC, "top", c->addr, 0, 0);
		return;
	}
	if (c->state == CH_INUSE && o->addr == c->addr && o->size > c->size &&
	    o->state == CH_FREE) {
		add_change(cur, HC_SPLIT, from_bin(o), c->addr, c->addr + c->size, 0);
		return;
	}
	last = chunk_in(pa->chunks, pa->n, c->addr + c->size - 1);
	if (c->state == CH_FREE && o->addr == c->addr && last && last > o)
		diff_merge(cur, c, o, last);
}

/* Changes of the top chunk: merged into, grown or shrunk. */
static void diff_top(struct heap_state *cur, const struct heap_chunk *t,
		     const struct heap_chunk *pt)
{
	if (!t || !pt)
		return;
	if (t->addr < pt->addr)
		add_change(cur, HC_COALESCE, "top", t->addr, 0, 0);
	if (t->addr + t->size > pt->addr + pt->size)
		add_change(cur, HC_GROW, "brk", t->addr, 0, 0);
	else if (t->addr + t->size < pt->addr + pt->size)
		add_change(cur, HC_SHRINK, "brk", t->addr, 0, 0);
}

/* Mmapped chunks that appeared or went away. */
static void diff_mmapped(const struct heap_state *prev, struct heap_state *cur)
{
	for (size_t i = 0; i < cur->nmmapped; i++) {
		bool old = false;
		for (size_t k = 0; k < prev->nmmapped && !old; k++)
			old = prev->mmapped[k].addr == cur->mmapped[i].addr;
		if (!old)
			add_change(cur, HC_MMAP, "mmap", cur->mmapped[i].addr, 0, 0);
	}
	for (size_t k = 0; k < prev->nmmapped; k++) {
		bool still = false;
		for (size_t i = 0; i < cur->nmmapped && !still; i++)
			still = prev->mmapped[k].addr == cur->mmapped[i].addr;
		if (!still)
			add_change(cur, HC_MUNMAP, "munmap", prev->mmapped[k].addr, 0, 0);
	}
}

/* An arena that did not exist at the previous stop (the first malloc made
 * the heap with brk): it grew from nothing, and its blocks came from top. */
static void diff_new_arena(struct heap_state *cur, const struct heap_arena *a)
{
	const struct heap_chunk *t = arena_top(a);

	for (size_t k = 0; k < a->n; k++)
		if (a->chunks[k].state == CH_INUSE)
			add_change(cur, HC_ALLOC, "top", a->chunks[k].addr, 0, 0);
	if (t)
		add_change(cur, HC_GROW, "brk", t->addr, 0, 0);
}

void heap_diff(const struct heap_state *prev, struct heap_state *cur)
{
	cur->nchanges = 0;
	if (!prev)
		return;
	for (size_t i = 0; i < cur->n; i++) {
		const struct heap_arena *a = &cur->arenas[i];
		const struct heap_arena *pa = arena_same(prev, a);
		if (!pa || pa->n == 0) {
			diff_new_arena(cur, a);
			continue;
		}
		const struct heap_chunk *ptop = arena_top(pa);
		for (size_t k = 0; k < a->n; k++)
			if (a->chunks[k].state != CH_TOP)
				diff_chunk(cur, pa, &a->chunks[k], ptop);
		diff_top(cur, arena_top(a), ptop);
	}
	diff_mmapped(prev, cur);
}
