/*
 * ui_refs.c - who points at a chunk (see ui_refs.h).
 *
 * Variables are already in the snapshot with their pointer values.  Words
 * in memory are not: the first find of a stop reads the executable's
 * .data/.bss spans, then every arena, then the mmapped chunks, through the
 * mem_reader, up to the cap, and keeps the bytes until the stop changes.
 * Each later find of the same stop (the user moving the selection) is a
 * plain scan of those bytes: 8-byte-aligned words inside the in-use blocks
 * (free chunks hold the allocator's own links, not the program's data) and
 * in .data/.bss.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_refs.h"

#define PIECE (1u << 20)          /* read at once; a failed piece is read by page */
#define PAGE 4096u

/* A span of the tracee's memory read at this stop. */
struct span {
	uint64_t lo;
	size_t len;
	uint8_t *buf;
	const char *section;      /* ".data", ".bss"; NULL for heap memory */
};

struct ui_refs {
	bool valid;
	pid_t pid;
	unsigned long seq;
	const struct heap_state *heap;
	struct span *spans;
	size_t n, cap;
	size_t bytes, max_bytes;
	bool truncated;
};

struct ui_refs *ui_refs_new(void)
{
	struct ui_refs *rf = xcalloc(1, sizeof(*rf));

	rf->max_bytes = UI_REFS_SCAN_MAX;
	return rf;
}

/* Forget the cached memory. */
static void refs_drop(struct ui_refs *rf)
{
	for (size_t i = 0; i < rf->n; i++)
		free(rf->spans[i].buf);
	rf->n = 0;
	rf->bytes = 0;
	rf->truncated = false;
	rf->valid = false;
}

void ui_refs_free(struct ui_refs *rf)
{
	if (!rf)
		return;
	refs_drop(rf);
	free(rf->spans);
	free(rf);
}

void ui_refs_set_cap(struct ui_refs *rf, size_t bytes)
{
	refs_drop(rf);
	rf->max_bytes = bytes ? bytes : UI_REFS_SCAN_MAX;
}

bool ui_refs_truncated(const struct ui_refs *rf)
{
	return rf->truncated;
}

/* Read [lo, lo+len) into buf; what cannot be read (a page at a time) is
 * left zero, which no chunk address matches. */
static void read_span(const struct mem_reader *mem, uint64_t lo, uint8_t *buf, size_t len)
{
	for (size_t off = 0; off < len; off += PIECE) {
		size_t n = len - off < PIECE ? len - off : PIECE;
		if (mem->read(mem->ctx, lo + off, buf + off, n) == 0)
			continue;
		for (size_t p = 0; p < n; p += PAGE) {
			size_t k = n - p < PAGE ? n - p : PAGE;
			if (mem->read(mem->ctx, lo + off + p, buf + off + p, k) != 0)
				memset(buf + off + p, 0, k);
		}
	}
}

/* Read one span into the cache, within the cap. */
static void add_span(struct ui_refs *rf, const struct mem_reader *mem, uint64_t lo,
		     uint64_t hi, const char *section)
{
	struct span *s;
	size_t len;

	lo = (lo + 7) & ~7ull;
	if (hi <= lo)
		return;
	len = (size_t)(hi - lo);
	if (rf->bytes + len > rf->max_bytes) {
		rf->truncated = true;
		len = rf->max_bytes - rf->bytes;
		len &= ~(size_t)7;
		if (len == 0)
			return;
	}
	util_grow((void **)&rf->spans, &rf->cap, rf->n + 1, sizeof(*rf->spans));
	s = &rf->spans[rf->n++];
	s->lo = lo;
	s->len = len;
	s->buf = xmalloc(len);
	s->section = section;
	read_span(mem, lo, s->buf, len);
	rf->bytes += len;
}

/* Read this stop's .data/.bss and heap memory, unless already read. */
static void refs_load(struct ui_refs *rf, const struct snapshot *s, const struct mem_reader *mem)
{
	const struct space *sp = s->space;
	const struct heap_state *h = s->heap;

	if (rf->valid && rf->pid == s->pid && rf->seq == s->seq && rf->heap == h)
		return;
	refs_drop(rf);
	rf->valid = true;
	rf->pid = s->pid;
	rf->seq = s->seq;
	rf->heap = h;
	for (size_t i = 0; sp && i < sp->n; i++) {
		const struct region *r = &sp->regions[i];
		if (!r->mod || !r->mod->is_exe)
			continue;
		for (size_t k = 0; k < r->nsections; k++) {
			const struct section_span *ss = &r->sections[k];
			if (strcmp(ss->name, ".data") == 0 || strcmp(ss->name, ".bss") == 0)
				add_span(rf, mem, ss->start, ss->end,
					 ss->name[1] == 'd' ? ".data" : ".bss");
		}
	}
	for (size_t i = 0; h && i < h->n; i++)
		add_span(rf, mem, h->arenas[i].start, h->arenas[i].end, NULL);
	for (size_t i = 0; h && i < h->nmmapped; i++)
		add_span(rf, mem, h->mmapped[i].addr, h->mmapped[i].addr + h->mmapped[i].size,
			 NULL);
}

/* Count one ref; fill it in if there is room.  NULL: no room. */
static struct ui_ref *ref_add(struct ui_ref *out, size_t max, size_t *n, enum ui_ref_kind k,
			      uint64_t addr, uint64_t value)
{
	struct ui_ref *r = *n < max ? &out[*n] : NULL;

	(*n)++;
	if (r) {
		r->kind = k;
		r->addr = addr;
		r->value = value;
		r->text[0] = '\0';
	}
	return r;
}

/* The section holding addr in the space, or "global". */
static const char *section_of(const struct space *sp, uint64_t addr)
{
	const struct region *r = sp ? space_find(sp, addr) : NULL;

	for (size_t k = 0; r && k < r->nsections; k++)
		if (addr >= r->sections[k].start && addr < r->sections[k].end)
			return r->sections[k].name;
	return "global";
}

/* Pointer variables of every frame of every thread, then the globals. */
static void find_vars(const struct snapshot *s, uint64_t lo, uint64_t hi, struct ui_ref *out,
		      size_t max, size_t *n)
{
	for (size_t t = 0; t < s->nthreads; t++) {
		const struct thread_state *ts = &s->threads[t];
		for (size_t i = 0; ts->has_stack && ts->vars && i < ts->stack.n; i++) {
			const struct var_list *l = &ts->vars[i];
			const char *fn = ts->stack.frames[i].loc.fn;
			for (size_t k = 0; k < l->n; k++) {
				const struct var_info *v = &l->v[k];
				struct ui_ref *r;
				if (!v->is_ptr || v->ptr_to_func || v->ptr < lo || v->ptr >= hi)
					continue;
				r = ref_add(out, max, n, UREF_VAR, v->has_addr ? v->addr : 0,
					    v->ptr);
				if (r)
					snprintf(r->text, sizeof(r->text),
						 "%s: %s (frame #%zu, thread %d)", fn ? fn : "??",
						 v->name ? v->name : "?", i, (int)ts->tid);
			}
		}
	}
	for (size_t k = 0; s->has_globals && k < s->globals.n; k++) {
		const struct var_info *v = &s->globals.v[k];
		struct ui_ref *r;
		if (!v->is_ptr || v->ptr_to_func || v->ptr < lo || v->ptr >= hi)
			continue;
		r = ref_add(out, max, n, UREF_GLOBAL, v->has_addr ? v->addr : 0, v->ptr);
		if (r)
			snprintf(r->text, sizeof(r->text), "%s (%s)", v->name ? v->name : "?",
				 v->has_addr ? section_of(s->space, v->addr) : "global");
	}
}

/* Is addr where a global pointer variable already counted lives? */
static bool global_var_at(const struct snapshot *s, uint64_t addr, uint64_t lo, uint64_t hi)
{
	for (size_t k = 0; s->has_globals && k < s->globals.n; k++) {
		const struct var_info *v = &s->globals.v[k];
		if (v->is_ptr && v->has_addr && v->addr == addr && v->ptr >= lo && v->ptr < hi)
			return true;
	}
	return false;
}

/* Name a word of .data/.bss: the global holding it, else the ELF symbol. */
static void name_data_word(const struct snapshot *s, uint64_t addr, const char *section,
			   char *buf, size_t len)
{
	const char *name = NULL;
	uint64_t off = 0;

	for (size_t k = 0; s->has_globals && k < s->globals.n && !name; k++) {
		const struct var_info *v = &s->globals.v[k];
		if (v->has_addr && addr >= v->addr && addr - v->addr < (v->size ? v->size : 1)) {
			name = v->name;
			off = addr - v->addr;
		}
	}
	if (!name && s->space)
		elfinfo_symbolize(&s->space->elf, addr, &name, &off, NULL);
	if (!name)
		snprintf(buf, len, "0x%" PRIx64 " (%s)", addr, section);
	else if (off)
		snprintf(buf, len, "%s+0x%" PRIx64 " (%s)", name, off, section);
	else
		snprintf(buf, len, "%s (%s)", name, section);
}

/* Words of the executable's .data/.bss pointing into [lo, hi). */
static void find_data_words(const struct ui_refs *rf, const struct snapshot *s, uint64_t lo,
			    uint64_t hi, struct ui_ref *out, size_t max, size_t *n)
{
	for (size_t i = 0; i < rf->n; i++) {
		const struct span *sp = &rf->spans[i];
		if (!sp->section)
			continue;
		for (size_t off = 0; off + 8 <= sp->len; off += 8) {
			uint64_t w, at = sp->lo + off;
			struct ui_ref *r;
			memcpy(&w, sp->buf + off, 8);
			if (w < lo || w >= hi || global_var_at(s, at, lo, hi))
				continue;
			r = ref_add(out, max, n, UREF_GLOBAL, at, w);
			if (r)
				name_data_word(s, at, sp->section, r->text, sizeof(r->text));
		}
	}
}

/* The cached span holding [addr, addr+len), or NULL. */
static const struct span *span_at(const struct ui_refs *rf, uint64_t addr, uint64_t len)
{
	for (size_t i = 0; i < rf->n; i++) {
		const struct span *sp = &rf->spans[i];
		if (!sp->section && addr >= sp->lo && addr - sp->lo + len <= sp->len)
			return sp;
	}
	return NULL;
}

/* Words of one in-use chunk c pointing into [lo, hi). */
static void scan_chunk(const struct ui_refs *rf, const struct heap_state *h,
		       const struct heap_chunk *c, uint64_t lo, uint64_t hi, struct ui_ref *out,
		       size_t max, size_t *n)
{
	uint64_t user = c->addr + h->user_off, from = (user + 7) & ~7ull;
	uint64_t to = c->addr + c->size;
	const struct span *sp;

	if (to <= from || (c->addr < hi && to > lo))
		return;                         /* empty, or the chunk itself */
	sp = span_at(rf, from, to - from);
	if (!sp)
		return;                         /* not read (cap) */
	for (uint64_t at = from; at + 8 <= to; at += 8) {
		uint64_t w;
		struct ui_ref *r;
		memcpy(&w, sp->buf + (at - sp->lo), 8);
		if (w < lo || w >= hi)
			continue;
		r = ref_add(out, max, n, UREF_HEAP, at, w);
		if (!r)
			continue;
		if (c->site_fn)
			snprintf(r->text, sizeof(r->text), "block 0x%" PRIx64 "+0x%" PRIx64 " (%s)",
				 user, at - user, c->site_fn);
		else
			snprintf(r->text, sizeof(r->text), "block 0x%" PRIx64 "+0x%" PRIx64,
				 user, at - user);
	}
}

/* Words inside the other in-use heap blocks pointing into [lo, hi). */
static void find_heap_words(const struct ui_refs *rf, const struct heap_state *h, uint64_t lo,
			    uint64_t hi, struct ui_ref *out, size_t max, size_t *n)
{
	for (size_t i = 0; i < h->n; i++) {
		const struct heap_arena *a = &h->arenas[i];
		for (size_t k = 0; k < a->n; k++)
			if (a->chunks[k].state == CH_INUSE)
				scan_chunk(rf, h, &a->chunks[k], lo, hi, out, max, n);
	}
	for (size_t i = 0; i < h->nmmapped; i++)
		scan_chunk(rf, h, &h->mmapped[i], lo, hi, out, max, n);
}

size_t ui_refs_find(struct ui_refs *rf, const struct snapshot *s, const struct mem_reader *mem,
		    uint64_t lo, uint64_t hi, struct ui_ref *out, size_t max)
{
	size_t n = 0;

	if (!s || hi <= lo)
		return 0;
	find_vars(s, lo, hi, out, max, &n);
	if (!mem) {
		rf->truncated = false;
		return n;
	}
	refs_load(rf, s, mem);
	find_data_words(rf, s, lo, hi, out, max, &n);
	if (s->heap)
		find_heap_words(rf, s->heap, lo, hi, out, max, &n);
	return n;
}
