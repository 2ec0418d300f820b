/*
 * narrate.c - one sentence per stop on what just happened, as a teacher
 * would say it, in English or Korean.
 *
 * Everything comes from the snapshot.  A heap call is explained by the
 * change heap_diff found at the chunk it returned or freed:
 *
 *   malloc and friends   alloc from a bin     reused from tcache[i], a fastbin, a bin
 *                        alloc from top       carved from top (after brk grew it)
 *                        split                a bigger free chunk was cut in two
 *                        mmap                 its own mapping (above the threshold)
 *   free                 free to a bin        tcache[i] / fastbin[i] / unsorted ...
 *                        coalesce             merged with the previous / next / both
 *                        coalesce top         merged into top (then maybe trimmed)
 *                        munmap               the mapping went back to the kernel
 *
 * Each change is checked against the chunk as it was at the previous stop
 * (found by address; an arena by its malloc_state, since glibc renumbers
 * its thread arenas), and when no change explains the call, the sentence
 * says what the chunk is now, or only what the call did: it may say less,
 * never something the snapshot does not show.  (With several threads,
 * another thread's stop can come between a free and its report: a chunk
 * already free before is called a double free only in a one-thread
 * program.)  Calls and returns are told from the innermost frame of the
 * thread (its size, what it holds), syscalls from their arguments and the
 * regions, signals from the fault address and the region holding it.
 *
 * A stop where the bug detectors found something (s->diags) says each bug
 * first, one sentence a kind (what went wrong, where, and why it matters,
 * with the variable or block the snapshot shows at the address), then the
 * event's own sentence unless the bug already told it (a double free is
 * the free; a bad dereference the fault).  A free reported at its entry
 * (ev.at_entry) is not explained from the heap: free has not run yet.
 *
 * Both languages are templates side by side, with {0}..{9} for the words
 * that vary, so the Korean can put them where Korean wants them.  The
 * Korean templates put a varying word only before a particle that does
 * not depend on its last sound (의, 에, 에서) or before a fixed noun
 * (함수, 바이트, 주소): "malloc(500)이" or "가" cannot be chosen right for
 * every call.  Words from the program (names, values, paths) pass through
 * clean_into, so the sentence is always valid UTF-8.
 */
#include "narrate.h"

#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "dwexpr.h"
#include "out.h"
#include "ui_draw.h"

/* A sentence in both languages; {0}..{9} are the words that vary. */
struct tpl {
	const char *en, *ko;
};

#define NSLOT 32
#define SLOT_LEN 128

struct nar {
	const struct snapshot *s;
	const struct narrate_opts *o;
	struct strbuf *out;
	char call[256];           /* the call as the program made it: "malloc(500)" */
	char slots[NSLOT][SLOT_LEN];    /* ring of formatted words */
	unsigned nslot;
};

/* ---- words ------------------------------------------------------------ */

/* Length of the valid UTF-8 character at s (strict: no overlong forms,
 * surrogates or code points past U+10FFFF), 0 if none. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0) ||
	    (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
		return 0;
	return n;
}

/* Copy at most max bytes of s to buf (of n) as printable UTF-8: control
 * characters and bytes that are not UTF-8 become '?'; cut at a character,
 * with "..." when cut. */
static void clean_into(char *buf, size_t n, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k = 0;

	if (max > n - 4)
		max = n - 4;          /* room for "..." and the NUL */
	while (p[i]) {
		size_t len = utf8_len(p + i);
		if (len == 0 || (len == 1 && (p[i] < 0x20 || p[i] == 0x7f)))
			len = 0;
		if (k + (len ? len : 1) > max) {
			memcpy(buf + k, "...", 3);
			k += 3;
			break;
		}
		if (len) {
			memcpy(buf + k, p + i, len);
			k += len;
			i += len;
		} else {
			buf[k++] = '?';
			i++;
		}
	}
	buf[k] = '\0';
}

/* The next slot of the ring: a word stays valid for NSLOT more words,
 * more than one sentence uses (call_words makes its own). */
static char *slot(struct nar *n)
{
	return n->slots[n->nslot++ % NSLOT];
}

/* A word from the program, cleaned and cut to max bytes. */
static const char *W(struct nar *n, const char *s, size_t max)
{
	char *b = slot(n);

	clean_into(b, SLOT_LEN, s ? s : "?", max);
	return b;
}

/* An address as the UI shows it, into buf (of SLOT_LEN). */
static void addr_into(struct nar *n, uint64_t v, char *buf)
{
	char tmp[SLOT_LEN];

	tmp[0] = '\0';
	if (n->o->addr)
		n->o->addr(n->o->ctx, v, tmp, sizeof tmp);
	if (!tmp[0])
		snprintf(tmp, sizeof tmp, "0x%" PRIx64, v);
	clean_into(buf, SLOT_LEN, tmp, SLOT_LEN);
}

/* An address as the UI shows it. */
static const char *A(struct nar *n, uint64_t v)
{
	char *b = slot(n);

	addr_into(n, v, b);
	return b;
}

/* A count with thousands separators: "132,560". */
static const char *Z(struct nar *n, uint64_t v)
{
	char tmp[24], *b = slot(n);
	int len = snprintf(tmp, sizeof tmp, "%" PRIu64, v);
	size_t k = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			b[k++] = ',';
		b[k++] = tmp[i];
	}
	b[k] = '\0';
	return b;
}

/* A small number as it is. */
static const char *N(struct nar *n, long v)
{
	char *b = slot(n);

	snprintf(b, SLOT_LEN, "%ld", v);
	return b;
}

/* The base name of a path. */
static const char *base_name(const char *path)
{
	const char *b = path ? strrchr(path, '/') : NULL;

	return b ? b + 1 : path;
}

/* Append the template of the session's language with {k} replaced by the
 * k-th word (the words end with a NULL). */
static void say_words(struct nar *n, const struct tpl *t, ...)
{
	const char *w[10];
	size_t nw = 0;
	const char *p = n->o->lang == UI_LANG_KO ? t->ko : t->en;
	const char *a;
	va_list ap;

	va_start(ap, t);
	while (nw < ARRAY_LEN(w) && (a = va_arg(ap, const char *)) != NULL)
		w[nw++] = a;
	va_end(ap);
	for (; *p; p++) {
		if (p[0] == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}') {
			size_t k = (size_t)(p[1] - '0');
			if (k < nw)
				sb_puts(n->out, w[k]);
			p += 2;
			continue;
		}
		sb_putc(n->out, *p);
	}
}
#define SAY(n, t, ...) say_words((n), (t), ##__VA_ARGS__, (const char *)NULL)

/* ---- the call as the program made it ----------------------------------- */

/* Is argument i of the traced function fn a pointer? */
static bool arg_is_ptr(const char *fn, int i)
{
	static const struct {
		const char *fn;
		int mask;                 /* bit i: argument i is a pointer */
	} ptrs[] = {
		{ "free", 1 }, { "tags_free", 1 }, { "realloc", 1 }, { "reallocarray", 1 },
		{ "posix_memalign", 1 }, { "brk", 1 }, { "mmap", 1 }, { "mmap64", 1 },
		{ "munmap", 1 }, { "mremap", 1 | 16 },
	};

	for (size_t k = 0; fn && k < ARRAY_LEN(ptrs); k++)
		if (strcmp(ptrs[k].fn, fn) == 0)
			return ptrs[k].mask & (1 << i);
	return false;
}

/* Does fn return a pointer? */
static bool ret_is_ptr(const struct event *ev)
{
	switch (ev->kind) {
	case EV_MALLOC: case EV_CALLOC: case EV_REALLOC: case EV_MEMALIGN:
	case EV_MMAP: case EV_MREMAP:
		return true;
	case EV_BRK:
		return ev->fn && strcmp(ev->fn, "sbrk") == 0;
	default:
		return false;
	}
}

/* A heap call: its arguments other than pointers are sizes (also for
 * the allocators out_event_value does not know, such as tags_malloc). */
static bool heap_kind(enum ev_kind k)
{
	return k == EV_MALLOC || k == EV_CALLOC || k == EV_REALLOC || k == EV_FREE ||
	       k == EV_MEMALIGN;
}

/* "malloc(500)", "free(heap+0x2c0)": pointers through the address
 * callback, the rest as the JSON and text views print them. */
static void put_call(struct nar *n, struct strbuf *sb)
{
	const struct event *ev = &n->s->ev;
	const char *fn = ev->fn ? ev->fn : event_kind_name(ev->kind);

	sb_puts(sb, W(n, fn, 64));
	sb_putc(sb, '(');
	for (int i = 0; i < ev->nargs && i < EV_MAX_ARGS; i++) {
		if (i)
			sb_puts(sb, ", ");
		if (arg_is_ptr(ev->fn, i))
			sb_puts(sb, ev->args[i] ? A(n, ev->args[i]) : "NULL");
		else if (heap_kind(ev->kind))
			sb_printf(sb, "%" PRIu64, ev->args[i]);  /* sizes, alignments */
		else
			out_event_value(sb, ev, i);
	}
	sb_putc(sb, ')');
}

/* n->call = the call. */
static void make_call(struct nar *n)
{
	struct strbuf sb = { 0 };

	put_call(n, &sb);
	clean_into(n->call, sizeof n->call, sb.buf ? sb.buf : "?", sizeof n->call);
	sb_free(&sb);
}

/* ---- the heap ------------------------------------------------------------ */

/* The chunk starting exactly at addr (and its arena, NULL for an mmapped
 * one), or NULL. */
static const struct heap_chunk *chunk_at(const struct heap_state *h, uint64_t addr,
					 const struct heap_arena **arena)
{
	const struct heap_chunk *c;

	if (arena)
		*arena = NULL;
	if (!h || !(c = heap_find_chunk(h, addr)) || c->addr != addr)
		return NULL;
	for (size_t i = 0; arena && i < h->n; i++)
		if (c >= h->arenas[i].chunks && c < h->arenas[i].chunks + h->arenas[i].n)
			*arena = &h->arenas[i];
	return c;
}

/* The arena of h that is a (at another stop): the same malloc_state
 * when the model knows it (glibc's thread arenas are numbered newest
 * first, so a name can move to another arena), else the same name. */
static const struct heap_arena *arena_same(const struct heap_state *h, const struct heap_arena *a)
{
	for (size_t i = 0; h && a && i < h->n; i++) {
		const struct heap_arena *o = &h->arenas[i];
		if (a->state_addr ? o->state_addr == a->state_addr : strcmp(o->name, a->name) == 0)
			return o;
	}
	return NULL;
}

/* The top chunk of an arena, or NULL. */
static const struct heap_chunk *top_of(const struct heap_arena *a)
{
	return a && a->n && a->chunks[a->n - 1].state == CH_TOP ? &a->chunks[a->n - 1] : NULL;
}

/* The change of kind k whose chunks[idx] is addr, or NULL. */
static const struct heap_change *change(const struct heap_state *h, enum heap_change_kind k,
					size_t idx, uint64_t addr)
{
	for (size_t i = 0; h && i < h->nchanges; i++) {
		const struct heap_change *c = &h->changes[i];
		if (c->kind == k && idx < c->nchunks && c->chunks[idx] == addr)
			return c;
	}
	return NULL;
}

/* The chunk address of a user pointer (0 if the model does not say). */
static uint64_t chunk_of(const struct heap_state *h, uint64_t ptr)
{
	return h && h->user_off && ptr > h->user_off ? ptr - h->user_off : 0;
}

/* Where a free chunk sits: "tcache[0]", "fastbin[1]", "the unsorted bin". */
static const char *bin_words(struct nar *n, enum chunk_bin b, int idx)
{
	static const struct tpl bins[] = {
		[BIN_NONE] = { "the free list", "가용 리스트" },
		[BIN_TCACHE] = { "tcache", "tcache" },
		[BIN_FAST] = { "a fastbin", "fastbin" },
		[BIN_UNSORTED] = { "the unsorted bin", "unsorted bin" },
		[BIN_SMALL] = { "a small bin", "small bin" },
		[BIN_LARGE] = { "a large bin", "large bin" },
	};
	char *s = slot(n);

	if ((unsigned)b >= ARRAY_LEN(bins))
		b = BIN_NONE;
	if (b == BIN_TCACHE && idx >= 0)
		snprintf(s, SLOT_LEN, "tcache[%d]", idx);
	else if (b == BIN_FAST && idx >= 0)
		snprintf(s, SLOT_LEN, "fastbin[%d]", idx);
	else
		snprintf(s, SLOT_LEN, "%s", n->o->lang == UI_LANG_KO ? bins[b].ko : bins[b].en);
	return s;
}

/* A bin by heap_change's detail word. */
static enum chunk_bin bin_by_name(const char *d)
{
	for (int b = BIN_NONE; b <= BIN_LARGE; b++)
		if (d && strcmp(d, chunk_bin_name((enum chunk_bin)b)) == 0)
			return (enum chunk_bin)b;
	return BIN_NONE;
}

static const struct tpl T_FAILED = {
	"{0} failed",
	"{0}: 실패했습니다",
};
static const struct tpl T_ALLOC_NOHEAP = {
	"{0} returned the block at {1}",
	"{0}: {1}의 블록을 받았습니다",
};
static const struct tpl T_ALLOC_FAIL = {
	"{0} failed and returned NULL",
	"{0}: 할당에 실패해 NULL을 돌려주었습니다",
};
static const struct tpl T_ALLOC_CHUNK = {
	"{0} returned a {1}-byte chunk at {2}",
	"{0}: {2}의 {1}바이트 청크를 할당받았습니다",
};
static const struct tpl T_REUSE = {
	"{0} reused the {1}-byte chunk at {2} from {3}",
	"{0}: {3}에 있던 {2}의 {1}바이트 청크를 재사용했습니다",
};
static const struct tpl T_REUSE_FREE = {
	"{0} reused the free {1}-byte chunk at {2}",
	"{0}: {2}의 {1}바이트 빈 청크를 재사용했습니다",
};
static const struct tpl T_SPLIT = {
	"{0} split the free {1}-byte chunk at {2}: {3} bytes in use, {4} stay free",
	"{0}: {2}의 {1}바이트 빈 청크를 분할했습니다. {3}바이트는 사용 중, {4}바이트는 빈 청크로 남습니다",
};
static const struct tpl T_SPLIT_SHORT = {
	"{0} split the free {1}-byte chunk at {2}: {3} bytes of it are now in use",
	"{0}: {2}의 {1}바이트 빈 청크를 분할해 {3}바이트를 할당했습니다",
};
static const struct tpl T_TOP = {
	"{0} took {1} bytes from the top chunk at {2}; top shrinks to {3} bytes",
	"{0}: top 청크에서 {1}바이트를 떼어 {2}에 할당했습니다. top은 {3}바이트로 줄어듭니다",
};
static const struct tpl T_TOP_SHORT = {
	"{0} took {1} bytes from the top chunk at {2}",
	"{0}: top 청크에서 {1}바이트를 떼어 {2}에 할당했습니다",
};
static const struct tpl T_TOP_GROW = {
	"{0} grew the heap with brk by {1} bytes, then took {2} bytes from the top chunk at {3}",
	"{0}: brk로 힙을 {1}바이트 늘린 뒤 top 청크에서 {2}바이트를 떼어 {3}에 할당했습니다",
};
static const struct tpl T_TOP_GROW_ARENA = {
	"{0} grew this thread's heap by {1} bytes, then took {2} bytes from its top chunk at {3}",
	"{0}: 이 스레드의 힙을 {1}바이트 늘린 뒤 top 청크에서 {2}바이트를 떼어 {3}에 할당했습니다",
};
static const struct tpl T_NEW_HEAP = {
	"{0} created the heap with brk ({1} bytes) and took {2} bytes from its top chunk at {3}",
	"{0}: brk로 힙을 처음 만들고({1}바이트) top 청크에서 {2}바이트를 떼어 {3}에 할당했습니다",
};
static const struct tpl T_NEW_ARENA = {
	"{0} opened a new arena for this thread ({1} bytes, mmapped) and took {2} bytes at {3}",
	"{0}: 이 스레드용 아레나를 mmap으로 새로 만들고({1}바이트) {3}에 {2}바이트를 할당했습니다",
};
static const struct tpl T_NEW_TAGS = {
	"{0} started the heap ({1} bytes) and took {2} bytes for the block at {3}",
	"{0}: 힙을 처음 만들고({1}바이트) {3}에 {2}바이트 블록을 할당했습니다",
};
static const struct tpl T_MMAPPED = {
	"{0} is above the mmap threshold: its own {1}-byte mapping at {2}, outside the heap",
	"{0}: mmap 임계값보다 커서 힙 밖의 {2}에 따로 {1}바이트 매핑을 받았습니다",
};
static const struct tpl T_TAGS_GROW = {
	"{0} grew the heap by {1} bytes to fit a {2}-byte chunk at {3}",
	"{0}: 힙을 {1}바이트 늘려 {3}에 {2}바이트 청크를 할당했습니다",
};
static const struct tpl T_CALLOC_ZERO = {
	"; calloc hands it out zeroed",
	". calloc은 0으로 채워서 돌려줍니다",
};

/* How the block at user pointer ret was handed out. */
static void say_alloc(struct nar *n, uint64_t ret)
{
	const struct heap_state *h = n->s->heap, *hp = n->s->heap_prev;
	const struct heap_arena *a, *pa;
	const struct heap_chunk *c, *pc, *t, *pt;
	const struct heap_change *ch;
	uint64_t ca = chunk_of(h, ret);

	if (!ret && n->s->ev.fn && strcmp(n->s->ev.fn, "posix_memalign") == 0) {
		SAY(n, &T_FAILED, n->call);
		return;
	}
	if (!ret) {
		SAY(n, &T_ALLOC_FAIL, n->call);
		return;
	}
	if (!ca || !(c = chunk_at(h, ca, &a))) {
		SAY(n, &T_ALLOC_NOHEAP, n->call, A(n, ret));
		return;
	}
	if (c->state == CH_MMAPPED || change(h, HC_MMAP, 0, ca)) {
		SAY(n, &T_MMAPPED, n->call, Z(n, c->size), A(n, ca));
		return;
	}
	/* Each change heap_diff reports is checked against the chunk as it
	 * was (pc), so a diff that matched the wrong arena says nothing. */
	pa = arena_same(hp, a);
	pc = chunk_at(hp, ca, NULL);
	t = top_of(a);
	pt = top_of(pa);
	bool glibc = strcmp(h->model, "glibc") == 0;
	bool main_arena = a && strcmp(a->name, "main") == 0;
	if (hp && a && (!pa || pa->n == 0)) {
		/* the arena is new: everything in it was carved from its top */
		uint64_t span = t ? t->addr + t->size - a->start : a->end - a->start;
		SAY(n, !glibc ? &T_NEW_TAGS : main_arena ? &T_NEW_HEAP : &T_NEW_ARENA, n->call,
		    Z(n, span), Z(n, c->size), A(n, ca));
		return;
	}
	if ((ch = change(h, HC_SPLIT, 0, ca)) != NULL && pc && pc->state == CH_FREE &&
	    pc->size > c->size) {
		const struct heap_chunk *rest = ch->nchunks > 1 ? chunk_at(h, ch->chunks[1], NULL) : NULL;
		if (rest && rest->state == CH_FREE && rest->size == pc->size - c->size)
			SAY(n, &T_SPLIT, n->call, Z(n, pc->size), A(n, ca), Z(n, c->size),
			    Z(n, rest->size));
		else
			SAY(n, &T_SPLIT_SHORT, n->call, Z(n, pc->size), A(n, ca), Z(n, c->size));
		return;
	}
	ch = change(h, HC_ALLOC, 0, ca);
	if (ch && ch->detail && strcmp(ch->detail, "top") == 0 && pt && pt->addr == ca) {
		if (t && change(h, HC_GROW, 0, t->addr) && t->addr + t->size > pt->addr + pt->size)
			SAY(n, main_arena ? &T_TOP_GROW : &T_TOP_GROW_ARENA, n->call,
			    Z(n, t->addr + t->size - (pt->addr + pt->size)), Z(n, c->size), A(n, ca));
		else if (t)
			SAY(n, &T_TOP, n->call, Z(n, c->size), A(n, ca), Z(n, t->size));
		else
			SAY(n, &T_TOP_SHORT, n->call, Z(n, c->size), A(n, ca));
		return;
	}
	if (ch && pc && pc->state == CH_FREE && pc->size == c->size) {
		if (pc->bin == BIN_NONE)
			SAY(n, &T_REUSE_FREE, n->call, Z(n, c->size), A(n, ca));
		else
			SAY(n, &T_REUSE, n->call, Z(n, c->size), A(n, ca),
			    bin_words(n, pc->bin, pc->bin_index));
		return;
	}
	if (pa && a && !t && !pt && a->end > pa->end && ca + c->size > pa->end) {
		/* a heap without a top chunk (the tags allocator) grew for it */
		SAY(n, &T_TAGS_GROW, n->call, Z(n, a->end - pa->end), Z(n, c->size), A(n, ca));
		return;
	}
	SAY(n, &T_ALLOC_CHUNK, n->call, Z(n, c->size), A(n, ca));
}

static const struct tpl T_FREE_NULL = {
	"free(NULL) does nothing",
	"free(NULL): 아무 일도 하지 않습니다",
};
static const struct tpl T_FREE_PLAIN = {
	"{0} gave the block back to the allocator",
	"{0}: 블록을 할당기에 돌려주었습니다",
};
static const struct tpl T_FREE_CHUNK = {
	"{0} released its {1}-byte chunk",
	"{0}: {1}바이트 청크를 해제했습니다",
};
static const struct tpl T_FREE_UNSEEN = {
	"{0} released its {1}-byte chunk (glibc's bins are not readable here: where it went is not shown)",
	"{0}: {1}바이트 청크를 해제했습니다(bin 정보를 읽지 못해 어디로 갔는지는 보이지 않습니다)",
};
static const struct tpl T_FREE_TCACHE = {
	"{0} put its {1}-byte chunk in {2}, kept for the next malloc of that size (no merging)",
	"{0}: {1}바이트 청크를 {2}에 넣었습니다. 같은 크기의 malloc이 다시 쓰며 병합은 하지 않습니다",
};
static const struct tpl T_FREE_BIN = {
	"{0} put its {1}-byte chunk in {2}",
	"{0}: {1}바이트 청크를 {2}에 넣었습니다",
};
static const struct tpl T_TOO_BIG = {
	" (too big for tcache)",
	"(tcache에는 너무 큼)",
};
static const struct tpl T_NO_NEIGHBOUR = {
	"; no free neighbour to merge",
	". 병합할 빈 이웃 청크는 없습니다",
};
static const struct tpl T_DEFERRED = {
	"; its free neighbour is not merged yet (deferred coalescing)",
	". 이웃한 빈 청크와는 아직 병합하지 않았습니다(지연 병합)",
};
static const struct tpl T_MERGE_PREV = {
	"{0} merged the {1}-byte chunk with its free neighbour before it: one free chunk of {2} bytes",
	"{0}: {1}바이트 청크를 앞쪽의 빈 청크와 병합해 {2}바이트짜리 빈 청크 하나가 되었습니다",
};
static const struct tpl T_MERGE_NEXT = {
	"{0} merged the {1}-byte chunk with its free neighbour after it: one free chunk of {2} bytes",
	"{0}: {1}바이트 청크를 뒤쪽의 빈 청크와 병합해 {2}바이트짜리 빈 청크 하나가 되었습니다",
};
static const struct tpl T_MERGE_BOTH = {
	"{0} merged the {1}-byte chunk with both free neighbours: one free chunk of {2} bytes",
	"{0}: {1}바이트 청크를 앞뒤의 빈 청크와 병합해 {2}바이트짜리 빈 청크 하나가 되었습니다",
};
static const struct tpl T_MERGE_TOP = {
	"{0} merged the {1}-byte chunk into the top chunk: top grows to {2} bytes",
	"{0}: {1}바이트 청크를 top 청크에 병합했습니다. top은 {2}바이트로 커집니다",
};
static const struct tpl T_MERGE_TOP_PREV = {
	"{0} merged the {1}-byte chunk and the free one before it into top: top grows to {2} bytes",
	"{0}: {1}바이트 청크를 앞쪽의 빈 청크와 함께 top 청크에 병합했습니다. top은 {2}바이트로 커집니다",
};
static const struct tpl T_MERGE_TOP_TRIM = {
	"{0} merged the {1}-byte chunk into top, then brk gave {3} bytes back to the kernel",
	"{0}: {1}바이트 청크를 top 청크에 병합한 뒤 brk로 {3}바이트를 커널에 돌려주었습니다",
};
static const struct tpl T_MERGE_TOP_PREV_TRIM = {
	"{0} merged the {1}-byte chunk and the free one before it into top; brk gave {3} bytes back",
	"{0}: {1}바이트 청크를 앞쪽 빈 청크와 함께 top에 병합하고 brk로 {3}바이트를 커널에 돌려주었습니다",
};
static const struct tpl T_FREE_MUNMAP = {
	"{0} unmapped its {1}-byte mmapped chunk: the memory goes straight back to the kernel",
	"{0}: {1}바이트 mmap 청크를 munmap으로 커널에 바로 돌려주었습니다",
};
static const struct tpl T_DOUBLE_FREE = {
	"{0} on a {1}-byte chunk that was already free: a double free",
	"{0}: 이 {1}바이트 청크는 이미 해제된 상태였습니다. 이중 해제(double free)입니다",
};

/* Is the chunk next to c (dir -1 before, +1 after) in arena a free (not top)? */
static bool neighbour_free(const struct heap_arena *a, const struct heap_chunk *c, int dir)
{
	if (!a || c < a->chunks || c >= a->chunks + a->n)
		return false;
	if ((dir < 0 && c == a->chunks) || (dir > 0 && c + 1 == a->chunks + a->n))
		return false;
	return c[dir].state == CH_FREE;
}

/* A chunk went back into the top chunk (which now starts at or before it). */
static bool say_free_top(struct nar *n, uint64_t ca, uint64_t size)
{
	const struct heap_state *h = n->s->heap;
	const struct heap_arena *a = NULL;

	for (size_t i = 0; i < h->n; i++) {
		const struct heap_chunk *t = top_of(&h->arenas[i]);
		if (t && ca >= t->addr && ca < t->addr + t->size && change(h, HC_COALESCE, 0, t->addr))
			a = &h->arenas[i];
	}
	if (!a)
		return false;
	const struct heap_chunk *t = top_of(a), *pt = top_of(arena_same(n->s->heap_prev, a));
	bool prev = t->addr < ca;
	if (pt && change(h, HC_SHRINK, 0, t->addr) && pt->addr + pt->size > t->addr + t->size)
		SAY(n, prev ? &T_MERGE_TOP_PREV_TRIM : &T_MERGE_TOP_TRIM, n->call, Z(n, size),
		    Z(n, t->size), Z(n, pt->addr + pt->size - (t->addr + t->size)));
	else
		SAY(n, prev ? &T_MERGE_TOP_PREV : &T_MERGE_TOP, n->call, Z(n, size), Z(n, t->size));
	return true;
}

/* A chunk went into bin b (or the free list) without merging. */
static void say_free_bin(struct nar *n, enum chunk_bin b, const struct heap_chunk *c,
			 const struct heap_arena *a, uint64_t size)
{
	const struct heap_state *h = n->s->heap;
	bool glibc = strcmp(h->model, "glibc") == 0;

	if (b == BIN_TCACHE || b == BIN_FAST) {
		SAY(n, &T_FREE_TCACHE, n->call, Z(n, size), bin_words(n, b, c->bin_index));
		return;
	}
	if (b == BIN_NONE)
		SAY(n, &T_FREE_CHUNK, n->call, Z(n, size));
	else
		SAY(n, &T_FREE_BIN, n->call, Z(n, size), bin_words(n, b, -1));
	if (glibc && b == BIN_UNSORTED && size > 0x410 && h->bins_known)
		SAY(n, &T_TOO_BIG);
	if (neighbour_free(a, c, -1) || neighbour_free(a, c, 1)) {
		if (!glibc)
			SAY(n, &T_DEFERRED);
	} else {
		SAY(n, &T_NO_NEIGHBOUR);
	}
}

/* What free(ptr) did with its chunk. */
static void say_free(struct nar *n, uint64_t ptr)
{
	const struct heap_state *h = n->s->heap, *hp = n->s->heap_prev;
	const struct heap_arena *a;
	const struct heap_chunk *c, *pc;
	const struct heap_change *ch;
	uint64_t ca = chunk_of(h, ptr), size;

	if (!ptr) {
		SAY(n, &T_FREE_NULL);
		return;
	}
	if (!ca) {
		SAY(n, &T_FREE_PLAIN, n->call);
		return;
	}
	pc = chunk_at(hp, ca, NULL);
	c = chunk_at(h, ca, &a);
	size = pc ? pc->size : c ? c->size : 0;
	if (change(h, HC_MUNMAP, 0, ca) && size) {
		SAY(n, &T_FREE_MUNMAP, n->call, Z(n, size));
		return;
	}
	if ((ch = change(h, HC_COALESCE, 1, ca)) != NULL && size) {
		const struct heap_chunk *m = chunk_at(h, ch->chunks[0], NULL);
		const char *d = ch->detail ? ch->detail : "";
		const struct tpl *t = strcmp(d, "both") == 0 ? &T_MERGE_BOTH :
				      strcmp(d, "previous") == 0 ? &T_MERGE_PREV : &T_MERGE_NEXT;
		if (m && m->state == CH_FREE && ca >= m->addr && ca < m->addr + m->size) {
			SAY(n, t, n->call, Z(n, size), Z(n, m->size));
			return;
		}
	}
	if (size && say_free_top(n, ca, size))
		return;
	if (c && c->state == CH_FREE && size && (ch = change(h, HC_FREE, 0, ca)) != NULL) {
		say_free_bin(n, bin_by_name(ch->detail), c, a, size);
		return;
	}
	/* Free at the previous stop already: with one thread, freed twice.
	 * With more, another thread's stop may have come between this free
	 * and its report: say where the chunk is now instead. */
	if (pc && pc->state == CH_FREE && n->s->nthreads == 1) {
		SAY(n, &T_DOUBLE_FREE, n->call, Z(n, pc->size));
		return;
	}
	if (c && c->state == CH_FREE && h->bins_known) {
		say_free_bin(n, c->bin, c, a, c->size);
		return;
	}
	if (c && c->state == CH_INUSE && !h->bins_known)
		SAY(n, &T_FREE_UNSEEN, n->call, Z(n, c->size));
	else if (size)
		SAY(n, &T_FREE_CHUNK, n->call, Z(n, size));
	else
		SAY(n, &T_FREE_PLAIN, n->call);
}

static const struct tpl T_RE_INPLACE = {
	"{0} resized the block in place: its chunk at {1} went from {2} to {3} bytes",
	"{0}: 블록을 제자리에서 크기만 바꿨습니다. {1}의 청크가 {2}바이트에서 {3}바이트가 됩니다",
};
static const struct tpl T_RE_SAME = {
	"{0} kept the block in place: its {1}-byte chunk already has room",
	"{0}: 블록을 그대로 두었습니다. {1}바이트 청크에 이미 자리가 있습니다",
};
static const struct tpl T_RE_STAY = {
	"{0} kept the block where it was",
	"{0}: 블록을 옮기지 않고 그 자리에 두었습니다",
};
static const struct tpl T_RE_MOVED = {
	"{0} moved the block to {1}, a {2}-byte chunk; the old {3}-byte chunk was freed",
	"{0}: 블록을 {1}의 {2}바이트 청크로 옮기고 예전 {3}바이트 청크는 해제했습니다",
};
static const struct tpl T_RE_MOVED_SHORT = {
	"{0} moved the block to {1} and freed the old one",
	"{0}: 블록을 {1} 주소로 옮기고 예전 블록은 해제했습니다",
};
static const struct tpl T_RE_FAIL = {
	"{0} failed and returned NULL; the block at {1} is left as it was",
	"{0}: 실패해 NULL을 돌려주었습니다. {1}의 블록은 그대로입니다",
};

/* realloc(p, size): like malloc for NULL, like free for size 0, else in
 * place or moved. */
static void say_realloc(struct nar *n)
{
	const struct event *ev = &n->s->ev;
	const struct heap_state *h = n->s->heap, *hp = n->s->heap_prev;
	uint64_t p = ev->args[0], size = ev->nargs > 1 ? ev->args[1] : 0, ret = ev->ret;
	const struct heap_chunk *c, *pc;

	if (!p) {
		say_alloc(n, ret);
		return;
	}
	if (!ret && size == 0) {
		say_free(n, p);
		return;
	}
	if (!ret) {
		SAY(n, &T_RE_FAIL, n->call, A(n, p));
		return;
	}
	c = chunk_at(h, chunk_of(h, ret), NULL);
	if (ret == p) {
		pc = chunk_at(hp, chunk_of(h, p), NULL);
		if (c && pc && c->size != pc->size)
			SAY(n, &T_RE_INPLACE, n->call, A(n, c->addr), Z(n, pc->size), Z(n, c->size));
		else if (c && pc)
			SAY(n, &T_RE_SAME, n->call, Z(n, c->size));
		else
			SAY(n, &T_RE_STAY, n->call);
		return;
	}
	pc = chunk_at(hp, chunk_of(h, p), NULL);
	if (c && pc)
		SAY(n, &T_RE_MOVED, n->call, A(n, ret), Z(n, c->size), Z(n, pc->size));
	else
		SAY(n, &T_RE_MOVED_SHORT, n->call, A(n, ret));
}

/* ---- the stack ----------------------------------------------------------- */

/* The thread the event happened in (else the first), or NULL. */
static const struct thread_state *ev_thread(const struct snapshot *s)
{
	for (size_t i = 0; s->threads && i < s->nthreads; i++)
		if (s->threads[i].tid == s->ev.tid)
			return &s->threads[i];
	return s->threads && s->nthreads ? &s->threads[0] : NULL;
}

/* Frame 0 of the event's thread and its variables (either may be NULL). */
static const struct uw_frame *frame0(const struct snapshot *s, const struct var_list **vars)
{
	const struct thread_state *t = ev_thread(s);

	*vars = NULL;
	if (!t || !t->has_stack || !t->stack.n)
		return NULL;
	if (t->vars && t->vars_cap >= 1)
		*vars = &t->vars[0];
	return &t->stack.frames[0];
}

/* "outer(depth=10, name=0x... \"x\")" from the frame's parameters. */
static const char *call_words(struct nar *n, const char *fn, const struct var_list *vars)
{
	struct strbuf sb = { 0 };
	char *b = slot(n), w[SLOT_LEN];
	int shown = 0;

	sb_puts(&sb, fn);
	sb_putc(&sb, '(');
	for (size_t i = 0; vars && i < vars->n; i++) {
		const struct var_info *v = &vars->v[i];
		if (v->kind != DWV_PARAM)
			continue;
		if (shown == 3) {
			sb_puts(&sb, ", ...");
			break;
		}
		if (shown++)
			sb_puts(&sb, ", ");
		clean_into(w, sizeof w, v->name ? v->name : "?", 16);
		sb_puts(&sb, w);
		sb_putc(&sb, '=');
		/* a pointer as an address only (no string after it) */
		if (v->is_ptr && v->ptr)
			addr_into(n, v->ptr, w);
		else
			clean_into(w, sizeof w, v->is_ptr ? "NULL" : v->value ? v->value : "?", 20);
		sb_puts(&sb, w);
	}
	sb_putc(&sb, ')');
	clean_into(b, SLOT_LEN, sb.buf, SLOT_LEN);
	sb_free(&sb);
	return b;
}

/* What a new frame holds: "return address, saved rbp, 2 locals". */
static const char *frame_words(struct nar *n, const struct uw_frame *f, const struct var_list *vars)
{
	bool ko = n->o->lang == UI_LANG_KO;
	const char *items[4];
	char saved[64] = "", cnt[2][40];
	size_t ni = 0, np = 0, nl = 0;
	char *b = slot(n);

	if (f->ret_slot)
		items[ni++] = ko ? "반환 주소" : "return address";
	for (size_t k = 0; k < f->nsaved && strlen(saved) < 40; k++) {
		const char *r = dwexpr_reg_name(f->saved[k].reg);
		if (r)
			snprintf(saved + strlen(saved), sizeof saved - strlen(saved), "%s%s",
				 saved[0] ? ", " : ko ? "저장된 " : "saved ", r);
	}
	if (saved[0])
		items[ni++] = saved;
	for (size_t i = 0; vars && i < vars->n; i++) {
		const struct var_info *v = &vars->v[i];
		if (!v->has_addr || v->addr < f->sp || (f->cfa && v->addr >= f->cfa))
			continue;     /* in a register, or the caller's (stack arguments) */
		if (v->kind == DWV_PARAM)
			np++;
		else if (v->kind == DWV_LOCAL)
			nl++;
	}
	if (np) {
		if (ko)
			snprintf(cnt[0], sizeof cnt[0], "매개변수 %zu개", np);
		else
			snprintf(cnt[0], sizeof cnt[0], "%zu parameter%s", np, np > 1 ? "s" : "");
		items[ni++] = cnt[0];
	}
	if (nl) {
		if (ko)
			snprintf(cnt[1], sizeof cnt[1], "지역 변수 %zu개", nl);
		else
			snprintf(cnt[1], sizeof cnt[1], "%zu local%s", nl, nl > 1 ? "s" : "");
		items[ni++] = cnt[1];
	}
	b[0] = '\0';
	for (size_t i = 0; i < ni; i++) {
		const char *sep = i == 0 ? "" : ", ";
		snprintf(b + strlen(b), SLOT_LEN - strlen(b), "%s%s", sep, items[i]);
	}
	return b;
}

static const struct tpl T_CALL = {
	"{0} called {1}: new {2}-byte frame at {3} ({4})",
	"{0} → {1} 호출: {3}에 {2}바이트 스택 프레임이 생겼습니다({4})",
};
static const struct tpl T_CALL_NOCALLER = {
	"{1} was called: new {2}-byte frame at {3} ({4})",
	"{1} 호출: {3}에 {2}바이트 스택 프레임이 생겼습니다({4})",
};
static const struct tpl T_CALL_EMPTY = {
	"{0} called {1}: new {2}-byte frame at {3}",
	"{0} → {1} 호출: {3}에 {2}바이트 스택 프레임이 생겼습니다",
};
static const struct tpl T_CALL_NOSIZE = {
	"{0} called {1}: a new frame at {2}",
	"{0} → {1} 호출: {2}에 새 스택 프레임이 생겼습니다",
};
static const struct tpl T_CALL_PLAIN = {
	"{0} called {1}",
	"{0} → {1} 호출",
};
static const struct tpl T_CALL_PLAIN_NOCALLER = {
	"{0} was called",
	"{0} 호출",
};

/* A call: who called whom, and the frame it pushed. */
static void say_call(struct nar *n)
{
	const struct snapshot *s = n->s;
	const struct var_list *vars;
	const struct uw_frame *f = frame0(s, &vars);
	const char *fn = s->ev.fn ? s->ev.fn : f && f->loc.fn ? f->loc.fn : "?";
	const char *caller = s->at.fn ? W(n, s->at.fn, 40) : NULL;
	const char *what = call_words(n, W(n, fn, 40), f ? vars : NULL);

	if (!f) {
		if (caller)
			SAY(n, &T_CALL_PLAIN, caller, what);
		else
			SAY(n, &T_CALL_PLAIN_NOCALLER, what);
		return;
	}
	if (!f->cfa || f->cfa <= f->sp) {
		if (caller)
			SAY(n, &T_CALL_NOSIZE, caller, what, A(n, f->sp));
		else
			SAY(n, &T_CALL_PLAIN_NOCALLER, what);
		return;
	}
	const char *holds = frame_words(n, f, vars);
	const char *size = Z(n, f->cfa - f->sp), *at = A(n, f->sp);
	if (!holds[0])
		SAY(n, &T_CALL_EMPTY, caller ? caller : "?", what, size, at);
	else if (caller)
		SAY(n, &T_CALL, caller, what, size, at, holds);
	else
		SAY(n, &T_CALL_NOCALLER, "", what, size, at, holds);
}

/* The size of the frame a return popped, from the previous stop's frames:
 * the callee's cfa is the caller's sp now; its own bottom the cfa of the
 * frame below it then (or the thread's sp).  0 if not known. */
static uint64_t popped_size(const struct snapshot *s, const struct ui_prev *prev)
{
	const struct thread_state *t = ev_thread(s);

	if (!prev || !prev->valid || !t)
		return 0;
	uint64_t sp = t->has_stack && t->stack.n ? t->stack.frames[0].sp : t->sp;
	for (size_t i = 0; i < prev->nthreads; i++) {
		const struct ui_prev_thread *pt = &prev->threads[i];
		if (pt->tid != t->tid)
			continue;
		for (size_t k = 0; k < pt->n; k++) {
			uint64_t lo = k ? pt->cfas[k - 1] : pt->sp;
			if (pt->cfas[k] == sp && lo && lo < sp)
				return sp - lo;
		}
	}
	return 0;
}

static const struct tpl T_RET = {
	"{0} returned {1} to {2}; its {3}-byte frame is popped (pointers to its locals now dangle)",
	"{0} → {2} 반환(반환값 {1}): {3}바이트 프레임이 사라져 그 지역 변수를 가리키던 포인터는 댕글링 포인터가 됩니다",
};
static const struct tpl T_RET_NOSIZE = {
	"{0} returned {1} to {2}; its frame is popped (pointers to its locals now dangle)",
	"{0} → {2} 반환(반환값 {1}): 프레임이 사라져 그 지역 변수를 가리키던 포인터는 댕글링 포인터가 됩니다",
};
static const struct tpl T_RET_NOVAL = {
	"{0} returned to {2}; its {3}-byte frame is popped (pointers to its locals now dangle)",
	"{0} → {2} 반환: {3}바이트 프레임이 사라져 그 지역 변수를 가리키던 포인터는 댕글링 포인터가 됩니다",
};
static const struct tpl T_RET_NOVAL_NOSIZE = {
	"{0} returned to {2}; its frame is popped (pointers to its locals now dangle)",
	"{0} → {2} 반환: 프레임이 사라져 그 지역 변수를 가리키던 포인터는 댕글링 포인터가 됩니다",
};

/* A returned value as gdb prints it, a pointer through the address
 * callback ("0x55555555a4c0 \"hi\"" -> "heap+0x4c0 \"hi\""). */
static const char *value_words(struct nar *n, const char *v)
{
	char *end, tmp[SLOT_LEN];
	uint64_t p;

	if (strncmp(v, "0x", 2) != 0)
		return W(n, v, 32);
	p = strtoull(v, &end, 16);
	if (*end && *end != ' ')
		return W(n, v, 32);
	addr_into(n, p, tmp);
	snprintf(tmp + strlen(tmp), sizeof tmp - strlen(tmp), "%s", end);
	return W(n, tmp, 32);
}

/* A return: the value, the caller, the popped frame. */
static void say_return(struct nar *n)
{
	const struct snapshot *s = n->s;
	const char *fn = W(n, s->ev.fn ? s->ev.fn : "?", 40);
	/* without a name: "... to its caller", "recurse → 호출한 함수 반환" */
	const char *caller = s->at.fn ? W(n, s->at.fn, 40) :
			     n->o->lang == UI_LANG_KO ? "호출한 함수" : "its caller";
	const char *val = s->ret_value ? value_words(n, s->ret_value) : NULL;
	uint64_t size = popped_size(s, n->o->prev);
	const char *sz = size ? Z(n, size) : NULL;

	if (val)
		SAY(n, sz ? &T_RET : &T_RET_NOSIZE, fn, val, caller, sz ? sz : "");
	else
		SAY(n, sz ? &T_RET_NOVAL : &T_RET_NOVAL_NOSIZE, fn, "", caller, sz ? sz : "");
}

static const struct tpl T_LINE = {
	"now at {0}:{1} in {2}",
	"이제 {2} 함수의 {0}:{1} 줄을 실행할 차례입니다",
};
static const struct tpl T_LINE_NOFILE = {
	"now in {0}",
	"지금 {0} 함수를 실행 중입니다",
};
static const struct tpl T_LINE_PLAIN = {
	"stepped to the next line",
	"다음 줄로 넘어왔습니다",
};

/* A line step: where the program is now. */
static void say_line(struct nar *n)
{
	const struct code_loc *at = &n->s->at;

	if (at->file && at->line > 0)
		SAY(n, &T_LINE, W(n, base_name(at->file), 48), N(n, at->line),
		    W(n, at->fn ? at->fn : "?", 40));
	else if (at->fn)
		SAY(n, &T_LINE_NOFILE, W(n, at->fn, 40));
	else
		SAY(n, &T_LINE_PLAIN);
}

/* ---- syscalls ------------------------------------------------------------ */

static const struct tpl T_SBRK_UP = {
	"{0} moved the program break up by {1} bytes, {2} -> {3}: the heap grew",
	"{0}: 프로그램 break를 {1}바이트 올렸습니다({2} → {3}). 힙이 그만큼 커졌습니다",
};
static const struct tpl T_SBRK_DOWN = {
	"{0} moved the program break down by {1} bytes, {2} -> {3}: the heap shrank",
	"{0}: 프로그램 break를 {1}바이트 내렸습니다({2} → {3}). 힙이 그만큼 줄었습니다",
};
static const struct tpl T_SBRK_ZERO = {
	"{0} asked where the program break is: {1}",
	"{0}: 현재 프로그램 break 위치를 물었습니다. 지금은 {1}입니다",
};
static const struct tpl T_BRK_FAIL = {
	"{0} failed: the kernel did not move the program break",
	"{0}: 실패했습니다. 커널이 프로그램 break를 옮기지 않았습니다",
};
static const struct tpl T_BRK_MOVED = {
	"{0} moved the program break by {1} bytes; [heap] now ends at {2}",
	"{0}: 프로그램 break를 {1}바이트 옮겼습니다. 이제 [heap]은 {2}에서 끝납니다",
};
static const struct tpl T_BRK_SET = {
	"{0} set the program break to {1}",
	"{0}: 프로그램 break를 {1} 주소로 옮겼습니다",
};

/* The end of the [heap] region now, 0 if none. */
static uint64_t heap_region_end(const struct snapshot *s)
{
	for (size_t i = 0; s->space && i < s->space->n; i++)
		if (s->space->regions[i].kind == RK_HEAP)
			return s->space->regions[i].end;
	return 0;
}

/* brk(addr) and sbrk(increment). */
static void say_brk(struct nar *n)
{
	const struct event *ev = &n->s->ev;
	bool sbrk = ev->fn && strcmp(ev->fn, "sbrk") == 0;
	uint64_t end = heap_region_end(n->s);

	if (sbrk) {
		int64_t inc = (int64_t)ev->args[0];
		if (!ev->has_ret || ev->ret == UINT64_MAX)
			SAY(n, &T_BRK_FAIL, n->call);
		else if (inc > 0)
			SAY(n, &T_SBRK_UP, n->call, Z(n, (uint64_t)inc), A(n, ev->ret),
			    A(n, ev->ret + (uint64_t)inc));
		else if (inc < 0)
			SAY(n, &T_SBRK_DOWN, n->call, Z(n, -(uint64_t)inc), A(n, ev->ret),
			    A(n, ev->ret - -(uint64_t)inc));
		else
			SAY(n, &T_SBRK_ZERO, n->call, A(n, ev->ret));
		return;
	}
	if (ev->has_ret && (int)ev->ret != 0) {
		SAY(n, &T_BRK_FAIL, n->call);
		return;
	}
	const struct ui_prev *p = n->o->prev;
	if (p && p->valid && p->heap_end && end && end != p->heap_end)
		SAY(n, &T_BRK_MOVED, n->call, Z(n, end > p->heap_end ? end - p->heap_end :
					       p->heap_end - end), A(n, end));
	else
		SAY(n, &T_BRK_SET, n->call, A(n, ev->args[0]));
}

static const struct tpl T_MMAP = {
	"mmap gave the program a new {0}-byte {1} mapping at {2} ({3})",
	"mmap: {2}에 {0}바이트짜리 새 {1} 매핑이 생겼습니다({3})",
};
static const struct tpl T_MMAP_FAIL = {
	"mmap of {0} bytes failed",
	"mmap: {0}바이트 매핑에 실패했습니다",
};
static const struct tpl T_MUNMAP = {
	"munmap gave the {0} bytes at {1} back to the kernel; that mapping is gone",
	"munmap: {1}의 {0}바이트를 커널에 돌려주었습니다. 이 매핑은 이제 없습니다",
};
static const struct tpl T_MREMAP = {
	"mremap resized the mapping at {0} from {1} to {2} bytes",
	"mremap: {0}의 매핑 크기를 {1}바이트에서 {2}바이트로 바꿨습니다",
};
static const struct tpl T_MREMAP_MOVED = {
	"mremap resized the mapping at {0} from {1} to {2} bytes and moved it to {3}",
	"mremap: {0}의 매핑 크기를 {1}바이트에서 {2}바이트로 바꾸고 {3} 주소로 옮겼습니다",
};
static const struct tpl T_ANON = { "anonymous", "익명" };

/* mmap, munmap and mremap. */
static void say_map(struct nar *n)
{
	const struct event *ev = &n->s->ev;
	const uint64_t *a = ev->args;

	if (ev->kind == EV_MMAP) {
		if (!ev->has_ret || ev->ret == UINT64_MAX) {
			SAY(n, &T_MMAP_FAIL, Z(n, a[1]));
			return;
		}
		char perms[4] = { a[2] & 1 ? 'r' : '-', a[2] & 2 ? 'w' : '-', a[2] & 4 ? 'x' : '-', 0 };
		const char *kind = a[3] & 0x20 ? (n->o->lang == UI_LANG_KO ? T_ANON.ko : T_ANON.en)
					       : NULL;
		if (!kind) {
			const struct region *r = n->s->space ? space_find(n->s->space, ev->ret) : NULL;
			kind = r && r->path && r->path[0] ? W(n, base_name(r->path), 40)
				: n->o->lang == UI_LANG_KO ? "파일" : "file";
		}
		SAY(n, &T_MMAP, Z(n, a[1]), kind, A(n, ev->ret), perms);
	} else if (ev->kind == EV_MUNMAP) {
		if (ev->has_ret && (int)ev->ret != 0)
			SAY(n, &T_FAILED, n->call);
		else
			SAY(n, &T_MUNMAP, Z(n, a[1]), A(n, a[0]));
	} else {
		if (!ev->has_ret || ev->ret == UINT64_MAX)
			SAY(n, &T_FAILED, n->call);
		else if (ev->ret != a[0])
			SAY(n, &T_MREMAP_MOVED, A(n, a[0]), Z(n, a[1]), Z(n, a[2]), A(n, ev->ret));
		else
			SAY(n, &T_MREMAP, A(n, a[0]), Z(n, a[1]), Z(n, a[2]));
	}
}

/* ---- signals, start, exit ------------------------------------------------ */

/* "SIGSEGV"; "SIG40" without an abbreviation. */
static const char *sig_name(struct nar *n, int signo)
{
	const char *abbr = sigabbrev_np(signo);
	char *b = slot(n);

	if (abbr)
		snprintf(b, SLOT_LEN, "SIG%s", abbr);
	else
		snprintf(b, SLOT_LEN, "SIG%d", signo);
	return b;
}

/* What the signal means, in the session's language, in parentheses:
 * " (segmentation fault)", "(세그멘테이션 오류)"; "" if not known. */
static const char *sig_descr(struct nar *n, int signo)
{
	bool ko = n->o->lang == UI_LANG_KO;
	char *b = slot(n);
	static const struct {
		int signo;
		const char *en, *ko;
	} d[] = {
		{ SIGSEGV, "segmentation fault", "세그멘테이션 오류" },
		{ SIGBUS, "bus error", "버스 오류" },
		{ SIGABRT, "abort", "비정상 종료" },
		{ SIGFPE, "arithmetic error", "산술 오류" },
		{ SIGILL, "illegal instruction", "잘못된 명령어" },
		{ SIGKILL, "killed", "강제 종료" },
		{ SIGTERM, "termination request", "종료 요청" },
		{ SIGINT, "interrupt", "인터럽트" },
		{ SIGTRAP, "trace trap", "트랩" },
	};

	const char *w = NULL;
	for (size_t i = 0; i < ARRAY_LEN(d); i++)
		if (d[i].signo == signo)
			w = ko ? d[i].ko : d[i].en;
	if (!w && !ko)
		w = sigdescr_np(signo);
	b[0] = '\0';
	if (w)
		snprintf(b, SLOT_LEN, "%s(%.60s)", ko ? "" : " ", w);
	return b;
}

/* A region kind in words ("the heap", "힙"). */
static const char *region_words(struct nar *n, const char *kind)
{
	static const struct {
		const char *kind, *en, *ko;
	} r[] = {
		{ "text", "the code (.text)", "코드 영역(.text)" },
		{ "rodata", "read-only data (.rodata)", "읽기 전용 데이터(.rodata)" },
		{ "data", ".data", ".data 영역" },
		{ "bss", ".bss", ".bss 영역" },
		{ "heap", "the heap", "힙" },
		{ "stack", "the stack", "스택" },
		{ "mmap", "an mmap region", "mmap 영역" },
		{ "lib", "a shared library", "공유 라이브러리" },
		{ "guard", "a guard page", "가드 페이지" },
	};

	for (size_t i = 0; kind && i < ARRAY_LEN(r); i++)
		if (strcmp(r[i].kind, kind) == 0)
			return n->o->lang == UI_LANG_KO ? r[i].ko : r[i].en;
	return W(n, kind ? kind : "?", 20);
}

static const struct tpl T_SEGV_NULL = {
	"{0} in {1}: a NULL pointer dereference ({2} is in page 0, which is never mapped)",
	"{0}({1} 함수): NULL 포인터 역참조입니다. {2} 주소가 있는 0번 페이지는 매핑되지 않습니다",
};
static const struct tpl T_SEGV_UNMAPPED = {
	"{0} in {1}: nothing is mapped at {2}",
	"{0}({1} 함수): {2} 주소에는 매핑된 메모리가 없습니다",
};
static const struct tpl T_SEGV_ACCESS = {
	"{0} in {1}: {2} is in {3}, mapped {4}: this access is not allowed",
	"{0}({1} 함수): {2} 주소는 {3}에 있고, 권한({4})상 이 접근은 허용되지 않습니다",
};
static const struct tpl T_SEGV_REGION = {
	"{0} in {1}: a bad access at {2}, in {3}",
	"{0}({1} 함수): {3}의 {2} 주소에 잘못 접근했습니다",
};
static const struct tpl T_ABORT = {
	"SIGABRT in {0}: the program called abort() (glibc does so on heap corruption, e.g. a double free)",
	"SIGABRT({0} 함수): abort()로 중단되었습니다. glibc는 힙 손상(double free 등)을 발견하면 이렇게 멈춥니다",
};
static const struct tpl T_SIGNAL = {
	"{0}{1} arrived in {2}",
	"{2} 함수에서 {0} 시그널{1}이 발생했습니다",
};
static const struct tpl T_SIGNAL_ADDR = {
	"{0}{1} in {2} at {3}",
	"{2} 함수에서 {0} 시그널{1}이 발생했습니다. 주소는 {3}입니다",
};

/* The innermost function of the program itself (not of a library) on
 * the event's thread, or NULL. */
static const char *program_fn(const struct snapshot *s)
{
	const struct thread_state *t = ev_thread(s);
	const struct elf_module *exe = s->space ? elfinfo_exe(&s->space->elf) : NULL;

	for (size_t k = 0; exe && t && t->has_stack && k < t->stack.n; k++) {
		const struct uw_frame *f = &t->stack.frames[k];
		if (f->loc.fn && elfinfo_module_at(&s->space->elf, f->pc) == exe)
			return f->loc.fn;
	}
	return NULL;
}

/* Where a signal arrived: "main", or "main, inside __strcpy_avx2" when
 * the program was in a library function; inner: say the library one. */
static const char *signal_fn(struct nar *n, bool inner)
{
	const char *at = n->s->at.fn, *prog = program_fn(n->s);
	char *b = slot(n);

	if (!prog || (at && strcmp(at, prog) == 0))
		return W(n, at ? at : prog ? prog : "?", 40);
	if (!inner || !at)
		return W(n, prog, 40);
	snprintf(b, SLOT_LEN, n->o->lang == UI_LANG_KO ? "%s 함수 안의 %s" : "%s, inside %s",
		 W(n, prog, 40), W(n, at, 40));
	return b;
}

/* A signal: for a fault, what lies at the address. */
static void say_signal(struct nar *n)
{
	const struct event *ev = &n->s->ev;
	const char *sig = sig_name(n, ev->signo);
	const char *fn = signal_fn(n, ev->signo != SIGABRT);
	const char *descr = sig_descr(n, ev->signo);

	if (ev->signo == SIGABRT) {
		SAY(n, &T_ABORT, fn);
		return;
	}
	if (!ev->has_fault_addr) {
		SAY(n, &T_SIGNAL, sig, descr, fn);
		return;
	}
	if (ev->signo != SIGSEGV) {
		SAY(n, &T_SIGNAL_ADDR, sig, descr, fn, A(n, ev->fault_addr));
		return;
	}
	const struct region *r = n->s->space ? space_find(n->s->space, ev->fault_addr) : NULL;
	const char *kind = r ? region_kind_name(r->kind) : n->s->signal_region;
	if (ev->fault_addr < 4096 && !r)
		SAY(n, &T_SEGV_NULL, sig, fn, A(n, ev->fault_addr));
	else if (!kind || strcmp(kind, "unmapped") == 0)
		SAY(n, &T_SEGV_UNMAPPED, sig, fn, A(n, ev->fault_addr));
	else if (r && ev->si_code == SEGV_ACCERR) {
		char perms[4] = { r->perms[0], r->perms[1], r->perms[2], '\0' };
		SAY(n, &T_SEGV_ACCESS, sig, fn, A(n, ev->fault_addr), region_words(n, kind),
		    W(n, perms, 8));
	}
	else
		SAY(n, &T_SEGV_REGION, sig, fn, A(n, ev->fault_addr), region_words(n, kind));
}

static const struct tpl T_START = {
	"the program is stopped at {0}",
	"프로그램이 {0} 함수에서 멈춰 있습니다",
};
static const struct tpl T_START_NOFN = {
	"the program is stopped",
	"프로그램이 멈춰 있습니다",
};
static const struct tpl T_START_EMPTY = {
	"; nothing is allocated yet",
	". 아직 힙에 할당된 것이 없습니다",
};
static const struct tpl T_START_INUSE = {
	"; the heap already holds {0} chunks in use ({1} bytes)",
	". 힙에는 이미 사용 중인 청크 {0}개({1}바이트)가 있습니다",
};
static const struct tpl T_EXIT = {
	"the program exited with status {0}",
	"프로그램이 끝났습니다(종료 상태 {0})",
};
static const struct tpl T_KILLED = {
	"the program was killed by {0}{1}",
	"프로그램이 {0} 시그널{1}로 종료되었습니다",
};
static const struct tpl T_CORE = {
	"; core dumped",
	". 코어 덤프를 남겼습니다",
};
static const struct tpl T_DETACH = {
	"memviz let go of the program; it runs on as if nothing happened",
	"memviz가 프로그램에서 분리되었습니다. 프로그램은 아무 일 없었던 것처럼 계속 실행됩니다",
};
static const struct tpl T_BREAK = {
	"stopped at the breakpoint {0}",
	"중단점 {0}에서 멈췄습니다",
};
static const struct tpl T_BREAK_AT = {
	"stopped at the breakpoint {0} ({1}, {2}:{3})",
	"중단점 {0}에서 멈췄습니다({1} 함수, {2}:{3})",
};
static const struct tpl T_UNKNOWN = {
	"{0} event",
	"{0} 이벤트",
};

/* The first stop: where, and what the heap holds already. */
static void say_start(struct nar *n)
{
	const struct snapshot *s = n->s;
	const struct heap_state *h = s->heap;
	uint64_t k = 0, bytes = 0;

	if (s->at.fn)
		SAY(n, &T_START, W(n, s->at.fn, 40));
	else
		SAY(n, &T_START_NOFN);
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		for (size_t j = 0; j < h->arenas[i].n; j++)
			if (h->arenas[i].chunks[j].state == CH_INUSE) {
				k++;
				bytes += h->arenas[i].chunks[j].size;
			}
	for (size_t i = 0; i < h->nmmapped; i++) {
		k++;
		bytes += h->mmapped[i].size;
	}
	if (k)
		SAY(n, &T_START_INUSE, Z(n, k), Z(n, bytes));
	else if (!h->degraded[0] || h->n)
		SAY(n, &T_START_EMPTY);
}

/* The end of the program. */
static void say_exit(struct nar *n)
{
	const struct event *ev = &n->s->ev;

	if (ev->exited_by_signal) {
		SAY(n, &T_KILLED, sig_name(n, ev->exit_signal), sig_descr(n, ev->exit_signal));
		if (ev->core_dumped)
			SAY(n, &T_CORE);
	} else {
		SAY(n, &T_EXIT, N(n, ev->exit_code));
	}
}

/* A --break location. */
static void say_break(struct nar *n)
{
	const struct snapshot *s = n->s;
	const char *loc = W(n, s->ev.fn ? s->ev.fn : "?", 48);

	if (s->at.fn && s->at.file && s->at.line > 0)
		SAY(n, &T_BREAK_AT, loc, W(n, s->at.fn, 40), W(n, base_name(s->at.file), 48),
		    N(n, s->at.line));
	else
		SAY(n, &T_BREAK, loc);
}

/* ---- bugs (diagnose.h) ----------------------------------------------------- */

static const struct tpl T_THEN = { "; ", ". " };
static const struct tpl T_WATCH = {
	"at {1}, the program touched {0}, an address memviz was watching",
	"{1}에서 memviz가 지켜보던 {0} 주소에 프로그램이 접근했습니다",
};
static const struct tpl T_AT_ENTRY = {
	"memviz stopped {0} at its entry, before free ran: the heap is still as it was",
	"memviz가 {0} 호출을 free가 실행되기 직전에 멈춰 세웠습니다. 힙은 아직 그대로입니다",
};
static const struct tpl T_AT_ENTRY_BUG = {
	"memviz stopped this free before it ran, so the program is still alive and the heap "
	"as it was",
	"memviz가 이 free를 실행 직전에 멈춰 세웠으므로 프로그램은 아직 살아 있고 힙도 그대로입니다",
};
static const struct tpl T_MORE_BUGS = {
	"{0} more bugs found at this stop",
	"이 지점에서 버그가 {0}개 더 발견되었습니다",
};
static const struct tpl T_MORE_BUG = {
	"one more bug found at this stop",
	"이 지점에서 버그가 하나 더 발견되었습니다",
};
static const struct tpl T_LOC_FILE = { "{0} ({1}:{2})", "{0} 함수({1}:{2})" };
static const struct tpl T_LOC_FN = { "{0}", "{0} 함수" };
static const struct tpl T_LOC_LINE = { "{1}:{2}", "{1}:{2}" };
static const struct tpl T_LOC_NONE = { "an unknown place", "알 수 없는 위치" };

static const struct tpl T_BUG_DOUBLE_FREE = {
	"free({0}) again at {1}: this block was already freed - a double free; glibc aborts "
	"the program when it notices",
	"{1}에서 이미 해제된 블록을 또 해제합니다(free({0})). 이중 해제(double free)이며, "
	"glibc가 이를 알아채면 프로그램을 중단시킵니다",
};
static const struct tpl T_BUG_INVALID_FREE_IN = {
	"free({0}) at {1}: {0} is {2} bytes into the block at {3}, not its start - an invalid "
	"free; glibc usually aborts the program",
	"{1}에서 free({0}) 호출: 이 주소는 {3} 블록의 시작이 아니라 {2}바이트 안쪽입니다. "
	"잘못된 해제(invalid free)이며, glibc는 보통 프로그램을 중단시킵니다",
};
static const struct tpl T_BUG_INVALID_FREE = {
	"free({0}) at {1}: {0} is not an address malloc returned - an invalid free; glibc "
	"usually aborts the program",
	"{1}에서 free({0}) 호출: malloc이 돌려준 주소가 아닙니다. 잘못된 해제(invalid free)이며, "
	"glibc는 보통 프로그램을 중단시킵니다",
};
static const struct tpl T_BUG_HEADER = {
	"the header of the chunk at {0} was overwritten (found at {1}): its size field no longer "
	"holds what malloc wrote - a write ran past the end of the block before it",
	"{0} 청크의 헤더가 덮어써졌습니다({1}에서 발견). 크기 필드가 malloc이 써 둔 값과 "
	"다릅니다. 바로 앞 블록의 끝을 넘어 쓴 것입니다(off-by-one 등)",
};
static const struct tpl T_BUG_LEAK = {
	"the {2}-byte block at {0}, allocated at {1}, was never freed - a leak",
	"{1}에서 할당한 {0}의 {2}바이트 블록을 끝까지 해제하지 않았습니다. 메모리 누수(leak)입니다",
};
static const struct tpl T_BUG_LEAK_NOSIZE = {
	"the block at {0}, allocated at {1}, was never freed - a leak",
	"{1}에서 할당한 {0}의 블록을 끝까지 해제하지 않았습니다. 메모리 누수(leak)입니다",
};
static const struct tpl T_BUG_SMASH = {
	"the return address of {2} (its slot at {0}) was overwritten at {1}: {2} will return "
	"to wherever those bytes point - a stack buffer overflow",
	"{1}에서 {2} 함수의 반환 주소({0})를 덮어썼습니다. 스택 버퍼 오버플로입니다. {2} 함수가 "
	"반환하면 덮어쓴 값이 가리키는 곳으로 점프합니다",
};
static const struct tpl T_BUG_SMASH_NOFN = {
	"a return address on the stack (its slot at {0}) was overwritten at {1} - a stack buffer "
	"overflow",
	"{1}에서 스택의 반환 주소({0})를 덮어썼습니다. 스택 버퍼 오버플로입니다",
};
static const struct tpl T_BUG_DANGLING_VAR = {
	"at {1}, {2} = {0} points into a stack frame that has returned - a dangling pointer; "
	"the next call reuses that memory",
	"{1}: {2} 변수가 가리키는 {0} 주소는 이미 반환된 함수의 스택 프레임 안입니다. 댕글링 "
	"포인터이며, 그 메모리는 다음 함수 호출이 다시 씁니다",
};
static const struct tpl T_BUG_DANGLING = {
	"at {1}, {0} points into a stack frame that has returned - a dangling pointer; the next "
	"call reuses that memory",
	"{1}: {0} 주소는 이미 반환된 함수의 스택 프레임 안을 가리킵니다. 댕글링 포인터이며, 그 "
	"메모리는 다음 함수 호출이 다시 씁니다",
};
static const struct tpl T_BUG_UAF_IN = {
	"at {1}, the program accessed {0}, inside the block at {2} that was already freed - a "
	"use after free",
	"{1}에서 이미 해제된 블록({2}) 안의 {0} 주소에 접근했습니다. 해제 후 사용(use after "
	"free)입니다",
};
static const struct tpl T_BUG_UAF_START = {
	"at {1}, the program accessed the block at {0}, which was already freed - a use after free",
	"{1}에서 이미 해제된 {0}의 블록에 접근했습니다. 해제 후 사용(use after free)입니다",
};
static const struct tpl T_BUG_UAF = {
	"at {1}, the program accessed {0}, in a block that was already freed - a use after free",
	"{1}에서 이미 해제된 블록 안의 {0} 주소에 접근했습니다. 해제 후 사용(use after free)입니다",
};
static const struct tpl T_BUG_NULL = {
	"at {1}, the program dereferenced {0}, a NULL pointer (page 0 is never mapped) - a bad "
	"pointer dereference",
	"{1}에서 NULL 포인터({0} 주소)를 역참조했습니다. 0번 페이지는 매핑되지 않습니다. 잘못된 "
	"포인터 역참조입니다",
};
static const struct tpl T_BUG_DEREF = {
	"at {1}, the program dereferenced {0}, an address it may not touch - a bad pointer "
	"dereference",
	"{1}에서 {0} 주소를 역참조했지만 그 주소에는 접근할 수 없습니다. 잘못된 포인터 역참조입니다",
};
static const struct tpl T_BUG_UNINIT_VAR = {
	"at {1}, {2} is read before anything was written to it: its value is whatever that "
	"stack slot held - an uninitialized read",
	"{1}에서 아직 아무 값도 넣지 않은 {2} 변수를 읽었습니다. 그 값은 스택에 남아 있던 쓰레기 "
	"값입니다. 초기화되지 않은 변수 읽기입니다",
};
static const struct tpl T_BUG_UNINIT = {
	"at {1}, the stack slot at {0} is read before anything was written to it - an "
	"uninitialized read",
	"{1}에서 아직 아무 값도 쓰지 않은 스택 슬롯({0})을 읽었습니다. 초기화되지 않은 변수 읽기입니다",
};

/* Where a bug happened: "main (bugs.c:42)", "main 함수(bugs.c:42)". */
static const char *loc_words(struct nar *n, const struct code_loc *at)
{
	struct strbuf sb = { 0 };
	struct strbuf *out = n->out;
	const char *fn = at->fn ? W(n, at->fn, 40) : NULL;
	const char *file = at->file ? W(n, base_name(at->file), 48) : NULL;
	const char *line = N(n, at->line);
	char *b = slot(n);

	n->out = &sb;             /* SAY writes to n->out: borrow it */
	if (fn && file && at->line > 0)
		SAY(n, &T_LOC_FILE, fn, file, line);
	else if (fn)
		SAY(n, &T_LOC_FN, fn);
	else if (file && at->line > 0)
		SAY(n, &T_LOC_LINE, "", file, line);
	else
		SAY(n, &T_LOC_NONE);
	n->out = out;
	clean_into(b, SLOT_LEN, sb.buf ? sb.buf : "?", SLOT_LEN);
	sb_free(&sb);
	return b;
}

/* A variable of the bug's thread (else the event's) that holds addr
 * (by_value: whose pointer value is addr), innermost frame first. */
static const struct var_info *var_of(const struct snapshot *s, const struct diag *d,
				     bool by_value)
{
	const struct thread_state *t = NULL;

	for (size_t i = 0; d->tid && s->threads && i < s->nthreads; i++)
		if (s->threads[i].tid == d->tid)
			t = &s->threads[i];
	if (!t)
		t = ev_thread(s);
	for (size_t k = 0; t && t->vars && k < t->vars_cap && k < t->stack.n; k++) {
		const struct var_list *vl = &t->vars[k];
		for (size_t j = 0; j < vl->n; j++) {
			const struct var_info *v = &vl->v[j];
			uint64_t sz = v->size ? v->size : 1;
			if (!v->name)
				continue;
			if (by_value ? v->is_ptr && v->ptr == d->addr :
			    v->has_addr && d->addr >= v->addr && d->addr < v->addr + sz)
				return v;
		}
	}
	return NULL;
}

/* The function whose return address lives in the slot at addr, or NULL. */
static const char *ret_slot_fn(const struct snapshot *s, uint64_t addr)
{
	for (size_t i = 0; s->threads && i < s->nthreads; i++) {
		const struct thread_state *t = &s->threads[i];
		for (size_t k = 0; t->has_stack && k < t->stack.n; k++)
			if (t->stack.frames[k].ret_slot == addr && t->stack.frames[k].loc.fn)
				return t->stack.frames[k].loc.fn;
	}
	return NULL;
}

/* invalid_free: a pointer into a block, not at its start. */
static void say_invalid_free(struct nar *n, const struct diag *d, const char *addr,
			     const char *where)
{
	const struct heap_state *h = n->s->heap;
	const struct heap_chunk *c = h ? heap_find_chunk(h, d->addr) : NULL;
	uint64_t user = c ? c->addr + h->user_off : 0;

	if (c && h->user_off && d->addr > user && c->state != CH_TOP)
		SAY(n, &T_BUG_INVALID_FREE_IN, addr, where, Z(n, d->addr - user), A(n, user));
	else
		SAY(n, &T_BUG_INVALID_FREE, addr, where);
}

/* use_after_free: which freed block the address is in, when the heap
 * shows it. */
static void say_uaf(struct nar *n, const struct diag *d, const char *addr, const char *where)
{
	const struct heap_state *h = n->s->heap;
	const struct heap_chunk *c = h ? heap_find_chunk(h, d->addr) : NULL;

	if (c && c->state == CH_FREE && h->user_off && d->addr == c->addr + h->user_off)
		SAY(n, &T_BUG_UAF_START, addr, where);
	else if (c && c->state == CH_FREE && h->user_off)
		SAY(n, &T_BUG_UAF_IN, addr, where, A(n, c->addr + h->user_off));
	else
		SAY(n, &T_BUG_UAF, addr, where);
}

/* One bug in one sentence. */
static void say_diag(struct nar *n, const struct diag *d)
{
	const char *addr = A(n, d->addr), *where = loc_words(n, &d->at);
	const struct var_info *v;
	const char *fn;

	switch (d->kind) {
	case DG_DOUBLE_FREE:
		SAY(n, &T_BUG_DOUBLE_FREE, addr, where);
		break;
	case DG_INVALID_FREE:
		say_invalid_free(n, d, addr, where);
		break;
	case DG_HEADER_OVERWRITE:
		SAY(n, &T_BUG_HEADER, addr, where);
		break;
	case DG_LEAK:
		if (d->size)
			SAY(n, &T_BUG_LEAK, addr, where, Z(n, d->size));
		else
			SAY(n, &T_BUG_LEAK_NOSIZE, addr, where);
		break;
	case DG_STACK_SMASH:
		if ((fn = ret_slot_fn(n->s, d->addr)) != NULL)
			SAY(n, &T_BUG_SMASH, addr, where, W(n, fn, 40));
		else
			SAY(n, &T_BUG_SMASH_NOFN, addr, where);
		break;
	case DG_DANGLING_STACK_POINTER:
		if ((v = var_of(n->s, d, true)) != NULL)
			SAY(n, &T_BUG_DANGLING_VAR, addr, where, W(n, v->name, 32));
		else
			SAY(n, &T_BUG_DANGLING, addr, where);
		break;
	case DG_USE_AFTER_FREE:
		say_uaf(n, d, addr, where);
		break;
	case DG_BAD_DEREF:
		SAY(n, d->addr < 4096 ? &T_BUG_NULL : &T_BUG_DEREF, addr, where);
		break;
	case DG_UNINIT_READ:
		if ((v = var_of(n->s, d, false)) != NULL)
			SAY(n, &T_BUG_UNINIT_VAR, addr, where, W(n, v->name, 32));
		else
			SAY(n, &T_BUG_UNINIT, addr, where);
		break;
	default:
		SAY(n, &T_UNKNOWN, "?");
		break;
	}
}

#define BUGS_SAID 2               /* sentences for the bugs of one stop, at most */

/* The stop's bugs, each after `sep` (the first too when lead is set). */
static void say_diags(struct nar *n, bool lead)
{
	const struct snapshot *s = n->s;
	size_t i;

	for (i = 0; i < s->ndiags && i < BUGS_SAID; i++) {
		if (lead || i)
			SAY(n, &T_THEN);
		say_diag(n, &s->diags[i]);
	}
	if (s->ndiags > BUGS_SAID) {
		SAY(n, &T_THEN);
		if (s->ndiags == BUGS_SAID + 1)
			SAY(n, &T_MORE_BUG);
		else
			SAY(n, &T_MORE_BUGS, Z(n, s->ndiags - BUGS_SAID));
	}
}

/* Does a bug's sentence already tell what the event did?  (A free that
 * was a double or invalid free, a fault that was a bad dereference, a
 * watched access that was a use after free.) */
static bool bugs_tell_event(const struct snapshot *s)
{
	for (size_t i = 0; i < s->ndiags; i++) {
		enum diag_kind k = s->diags[i].kind;
		if (s->ev.kind == EV_FREE && (k == DG_DOUBLE_FREE || k == DG_INVALID_FREE))
			return true;
		if (s->ev.kind == EV_SIGNAL && k == DG_BAD_DEREF)
			return true;
		if (s->ev.kind == EV_WATCH && k == DG_USE_AFTER_FREE)
			return true;
	}
	return false;
}

void narrate_diag(const struct snapshot *s, const struct diag *d, const struct narrate_opts *o,
		  struct strbuf *out)
{
	struct nar n = { .s = s, .o = o, .out = out };

	say_diag(&n, d);
}

/* ---- entry points ---------------------------------------------------------- */

void narrate_ex(const struct snapshot *s, const struct narrate_opts *o, struct strbuf *out)
{
	struct nar n = { .s = s, .o = o, .out = out };
	const struct event *ev = &s->ev;

	make_call(&n);
	if (ev->kind == EV_FREE && ev->at_entry) {
		/* the allocator has not run: only what memviz saw before it */
		if (!s->diags || !s->ndiags) {
			SAY(&n, &T_AT_ENTRY, n.call);
			return;
		}
		say_diags(&n, false);
		SAY(&n, &T_THEN);
		SAY(&n, &T_AT_ENTRY_BUG);
		return;
	}
	if (s->diags && s->ndiags) {
		say_diags(&n, false);
		if (bugs_tell_event(s))
			return;
		SAY(&n, &T_THEN);
	}
	switch (ev->kind) {
	case EV_START:
		say_start(&n);
		break;
	case EV_BREAK:
		say_break(&n);
		break;
	case EV_MALLOC:
	case EV_CALLOC:
	case EV_MEMALIGN:
		say_alloc(&n, ev->has_ret ? ev->ret : 0);
		if (ev->kind == EV_CALLOC && ev->has_ret && ev->ret)
			SAY(&n, &T_CALLOC_ZERO);
		break;
	case EV_REALLOC:
		say_realloc(&n);
		break;
	case EV_FREE:
		say_free(&n, ev->nargs ? ev->args[0] : 0);
		break;
	case EV_CALL:
		say_call(&n);
		break;
	case EV_RETURN:
		say_return(&n);
		break;
	case EV_LINE:
		say_line(&n);
		break;
	case EV_BRK:
		say_brk(&n);
		break;
	case EV_MMAP:
	case EV_MUNMAP:
	case EV_MREMAP:
		say_map(&n);
		break;
	case EV_SIGNAL:
		say_signal(&n);
		break;
	case EV_EXIT:
		say_exit(&n);
		break;
	case EV_DETACH:
		SAY(&n, &T_DETACH);
		break;
	case EV_WATCH:
		SAY(&n, &T_WATCH, A(&n, ev->watch_addr), loc_words(&n, &s->at));
		break;
	default:
		SAY(&n, &T_UNKNOWN, event_kind_name(ev->kind));
		break;
	}
}

void narrate(const struct snapshot *s, enum ui_lang lang, narrate_addr_fn addr, void *ctx,
	     struct strbuf *out)
{
	struct narrate_opts o = { .lang = lang, .addr = addr, .ctx = ctx };

	narrate_ex(s, &o, out);
}

void narrate_event(const struct snapshot *s, const struct narrate_opts *o, struct strbuf *out)
{
	struct nar n = { .s = s, .o = o, .out = out };
	const struct event *ev = &s->ev;

	switch (ev->kind) {
	case EV_START:
		sb_puts(out, "start");
		break;
	case EV_BREAK:
		sb_printf(out, "break %s", W(&n, ev->fn ? ev->fn : "?", 48));
		break;
	case EV_CALL:
		sb_printf(out, "call %s", W(&n, ev->fn ? ev->fn : "?", 40));
		break;
	case EV_RETURN:
		sb_printf(out, "return %s", W(&n, ev->fn ? ev->fn : "?", 40));
		if (s->ret_value)
			sb_printf(out, " = %s", value_words(&n, s->ret_value));
		break;
	case EV_LINE:
		if (s->at.file && s->at.line > 0)
			sb_printf(out, "line %s:%d", W(&n, base_name(s->at.file), 48), s->at.line);
		else
			sb_puts(out, "line");
		break;
	case EV_SIGNAL:
		sb_puts(out, sig_name(&n, ev->signo));
		if (ev->has_fault_addr)
			sb_printf(out, " at %s", A(&n, ev->fault_addr));
		break;
	case EV_EXIT:
		if (ev->exited_by_signal)
			sb_printf(out, "killed by %s", sig_name(&n, ev->exit_signal));
		else
			sb_printf(out, "exit %d", ev->exit_code);
		break;
	case EV_DETACH:
		sb_puts(out, "detach");
		break;
	case EV_WATCH:
		sb_printf(out, "watch %s", A(&n, ev->watch_addr));
		break;
	default:
		put_call(&n, out);
		if (ev->kind == EV_FREE)
			break;            /* returns nothing */
		if (ev->has_ret && ret_is_ptr(ev)) {
			sb_printf(out, " = %s", ev->ret ? A(&n, ev->ret) : "NULL");
		} else if (ev->has_ret) {
			size_t mark = out->len;
			sb_puts(out, " = ");
			if (!out_event_value(out, ev, OUT_RET)) {
				out->len = mark;
				out->buf[mark] = '\0';
			}
		}
		break;
	}
}
