/*
 * vars.c - the variables of a stack frame and the globals of a module,
 * each with its place and its value as text, the way gdb 13 prints them
 * (`info args`, `info locals`; default print settings, a UTF-8 locale).
 *
 * Where a variable lives.  Its DWARF location (the location-list entry for
 * the frame's pc) is evaluated by dwexpr against the frame's recovered
 * registers, its CFA and its function's frame base.  For a caller frame the
 * lookup pc is pc - 1, the call instruction: the return address may already
 * be past the call's block (a noreturn call ends its function), except next
 * to a signal frame, where the pc is where the program was interrupted (gdb's
 * get_frame_address_in_block).  A DW_OP_entry_value asks for the value a
 * register had when the function was entered: the caller (frame i+1) says
 * at its call site what it passed (DW_TAG_call_site_parameter), an
 * expression evaluated in the caller's frame.  That is how gdb prints n = 3
 * for an -O2 parameter whose register was reused long ago.  DW_OP_piece
 * composites are put together here, one piece at a time.
 *
 * Order: gdb's, so the lists compare line by line.  `info args` then `info
 * locals`: parameters, then the locals of the innermost block first, out to
 * the function's own.  gdb keeps a function's own symbols in a list
 * (declaration order) but a nested block's in a hash table, and walks it
 * bucket by bucket: we compute the same hash (default_search_name_hash) over
 * the same number of buckets (n / 5 + 1, gdb 13's DICT_HASHTABLE_SIZE).
 *
 * Values: a port of gdb's C value printer (valprint.c generic_printstr and
 * value_print_array_elements, c-valprint.c, c-lang.c, printcmd.c
 * print_address_symbolic, floatformat), rule by rule; each function says
 * which.  Checked against gdb 13.1 itself by tests/unit/test_vars.c.
 * Character data is decoded as gdb's iconv does in a UTF-8 locale (valid
 * UTF-8 shows as is, printable per C.UTF-8's iswprint; other bytes as octal
 * escapes), including glibc's quirk that a character just before an
 * incomplete sequence at the end of a string is dropped.
 *
 * Bounds.  Any type graph is safe: typedef chains are followed at most
 * VARS_TYPE_STEPS links (a cycle ends as void), nesting stops at gdb's
 * max-depth (20, "{...}") and, whatever anonymous members do, at
 * VARS_HARD_DEPTH.  Every loop that prints stops once the text passes
 * max_value (then cut there, "..." appended); the loops that only scan
 * (repeats, strings) are bounded by the bytes they were given.  A value is
 * read whole only up to gdb's max-value-size (65536 bytes); a larger one
 * prints gdb's error instead.  Strings behind pointers: at most `print
 * elements` characters, read a page at a time.
 */
#include <ctype.h>
#include <dwarf.h>
#include <elf.h>
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "vars.h"

#define VARS_ELEMS        200     /* gdb's `print elements` */
#define VARS_REPEATS      10      /* gdb's `print repeats` */
#define VARS_MAX_DEPTH    20      /* gdb's `print max-depth` */
#define VARS_MAX_VALUE    4096    /* default cap on a value's text */
#define VARS_MAX_SIZE     65536   /* gdb's `max-value-size`, bytes */
#define VARS_HARD_DEPTH   64      /* nesting never goes deeper, any type graph */
#define VARS_TYPE_STEPS   64      /* typedef and qualifier links followed */
#define VARS_SCOPES       64      /* nested blocks of one function */
#define VARS_ENTRY_DEPTH  4       /* callers an entry value may go through */
#define VARS_SYM_SCAN     4096    /* symbols looked at below an address */
#define VARS_PIECES       64      /* pieces of one DW_OP_piece composite */
#define VARS_PAGE         4096u

#ifdef __clang__
/* glibc declares it only for gcc's _Float128. */
int strfromf128(char *str, size_t n, const char *format, __float128 f);
#endif

/* ---- types ---- */

static bool is_wrapper(const struct dw_type *t)
{
	return t->kind == DWT_TYPEDEF || t->kind == DWT_CONST ||
	       t->kind == DWT_VOLATILE || t->kind == DWT_QUAL;
}

/* t without typedefs and qualifiers; NULL is void (also for a chain too
 * long to be anything but a cycle). */
static const struct dw_type *strip(const struct dw_type *t)
{
	for (int i = 0; t != NULL && i < VARS_TYPE_STEPS; i++) {
		if (!is_wrapper(t))
			return t;
		t = t->target;
	}
	return NULL;
}

/* The bytes of a value of type t (an array's from its count when the
 * debug info gives no size). */
static uint64_t type_size(const struct dw_type *t)
{
	uint64_t mult = 1;

	for (int i = 0; i < VARS_TYPE_STEPS; i++) {
		const struct dw_type *s = strip(t);

		if (s == NULL)
			return 0;
		if (s->kind == DWT_POINTER && s->size == 0)
			return 8 * mult;         /* x86-64, when DWARF gives no size */
		if (s->size != 0 || s->kind != DWT_ARRAY)
			return s->size <= UINT64_MAX / mult ? s->size * mult : 0;
		if (!s->count_known || s->count == 0 || mult > UINT64_MAX / s->count)
			return 0;
		mult *= s->count;
		t = s->target;
	}
	return 0;
}

static bool is_int_encoding(unsigned e)
{
	return e == DW_ATE_signed || e == DW_ATE_signed_char ||
	       e == DW_ATE_unsigned || e == DW_ATE_unsigned_char;
}

static bool enum_unsigned(const struct dw_type *s)
{
	const struct dw_type *u = strip(s->target);

	/* gdb: the underlying type's signedness when DWARF names one, else
	 * unsigned when no enumerator is negative */
	if (u != NULL && u->kind == DWT_BASE)
		return u->encoding != DW_ATE_signed && u->encoding != DW_ATE_signed_char;
	for (size_t i = 0; i < s->nenums; i++)
		if (s->enums[i].value < 0)
			return false;
	return true;
}

/* Does a value of this (stripped) type sign-extend? */
static bool type_signed(const struct dw_type *s)
{
	if (s == NULL)
		return false;
	if (s->kind == DWT_ENUM)
		return !enum_unsigned(s);
	return s->kind == DWT_BASE && (s->encoding == DW_ATE_signed ||
				       s->encoding == DW_ATE_signed_char);
}

static bool textual_name(const char *n)
{
	return n != NULL && (strcmp(n, "wchar_t") == 0 || strcmp(n, "char16_t") == 0 ||
			     strcmp(n, "char32_t") == 0);
}

/* gdb's c_textual_element_type: printed as characters?  Any one-byte
 * integer (int8_t too, as gdb does), DW_ATE_UTF, or a type named (through
 * typedefs) wchar_t, char16_t, char32_t. */
static bool is_textual(const struct dw_type *t)
{
	const struct dw_type *s = strip(t);

	for (int i = 0; t != NULL && i < VARS_TYPE_STEPS; i++, t = t->target) {
		if (textual_name(t->name))
			return true;
		if (!is_wrapper(t))
			break;
	}
	return s != NULL && s->kind == DWT_BASE &&
	       (s->encoding == DW_ATE_UTF || (s->size == 1 && is_int_encoding(s->encoding)));
}

/* gdb's classify_type: the L, u, U before a character or string. */
static const char *char_prefix(const struct dw_type *t)
{
	for (int i = 0; t != NULL && i < VARS_TYPE_STEPS; i++, t = t->target) {
		if (t->kind == DWT_CONST || t->kind == DWT_VOLATILE || t->kind == DWT_QUAL)
			continue;
		if (t->kind == DWT_BASE && t->encoding == DW_ATE_UTF)
			return t->size == 2 ? "u" : t->size == 4 ? "U" : "";
		if (t->name == NULL)
			return "";
		if (strcmp(t->name, "wchar_t") == 0)
			return "L";
		if (strcmp(t->name, "char16_t") == 0)
			return "u";
		if (strcmp(t->name, "char32_t") == 0)
			return "U";
		if (t->kind != DWT_TYPEDEF)
			break;
	}
	return "";
}

/* gdb's val_print_scalar_or_string_type_p, negated: nested too deep, this
 * prints as "{...}". */
static bool is_aggregate(const struct dw_type *s)
{
	if (s->kind == DWT_STRUCT || s->kind == DWT_UNION)
		return true;
	if (s->kind != DWT_ARRAY)
		return false;
	return !(type_size(s->target) > 0 && is_textual(s->target));
}

/* ---- little-endian loads ---- */

static uint64_t load_u64(const uint8_t *b, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n < 8 ? n : 8; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}

/* The integer in b[0..n), n <= 16, sign-extended when asked. */
static unsigned __int128 load_int(const uint8_t *b, size_t n, bool sign)
{
	unsigned __int128 v = 0;

	for (size_t i = n; i-- > 0;)
		v = v << 8 | b[i];
	if (sign && n > 0 && n < 16 && (b[n - 1] & 0x80))
		v |= ~(unsigned __int128)0 << (8 * n);
	return v;
}

static void put_u128(struct strbuf *sb, unsigned __int128 v)
{
	char buf[48];
	size_t i = sizeof(buf);

	buf[--i] = '\0';
	do {
		buf[--i] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v != 0);
	sb_puts(sb, buf + i);
}

static void put_int(struct strbuf *sb, unsigned __int128 v, bool sign)
{
	if (sign && (__int128)v < 0) {
		sb_putc(sb, '-');
		v = -v;
	}
	put_u128(sb, v);
}

/* ---- characters (valprint.c print_wchar, generic_emit_char) ---- */

enum ch_kind { CH_OK, CH_INVALID, CH_INCOMPLETE, CH_EOF };

/* One character as gdb's wchar_iterator returns it. */
struct ch {
	enum ch_kind kind;
	uint32_t cp;              /* CH_OK: the code point */
	const uint8_t *raw;       /* its bytes in the target */
	size_t rawlen;
	unsigned long repeat;
};

/* Characters of width 1 (UTF-8), 2 (UTF-16LE) or 4 (UTF-32LE) bytes. */
struct chiter {
	const uint8_t *p, *end;
	unsigned width;
};

/* glibc's UTF-8 decoder: the length of the sequence at p and its code
 * point, 0 if it is invalid, -1 if the input ends inside it. */
static int utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint32_t c = p[0], v;
	size_t cnt;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c < 0xe0)
		cnt = 2, v = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		cnt = 3, v = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		cnt = 4, v = c & 0x07;
	else
		return 0;
	if (cnt > n) {
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		return -1;
	}
	for (size_t i = 1; i < cnt; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((cnt > 2 && (v >> (5 * cnt - 4)) == 0) || (v >= 0xd800 && v <= 0xdfff) ||
	    v > 0x10ffff)
		return 0;
	*cp = v;
	return (int)cnt;
}

/* Decode one unit-sized character at p: its length, 0 invalid, -1 incomplete. */
static int decode_at(const uint8_t *p, const uint8_t *end, unsigned width, uint32_t *cp)
{
	size_t n = (size_t)(end - p);
	uint32_t u;

	if (width == 1)
		return utf8_seq(p, n, cp);
	u = (uint32_t)load_u64(p, width);
	if (width == 4) {
		*cp = u;
		return u < 0xd800 || (u > 0xdfff && u <= 0x10ffff) ? 4 : 0;
	}
	if (width != 2)
		return 0;
	if (u < 0xd800 || u > 0xdfff) {
		*cp = u;
		return 2;
	}
	if (u >= 0xdc00)
		return 0;
	if (n < 4)
		return -1;
	if (load_u64(p + 2, 2) < 0xdc00 || load_u64(p + 2, 2) > 0xdfff)
		return 0;
	*cp = 0x10000 + ((u - 0xd800) << 10) + ((uint32_t)load_u64(p + 2, 2) - 0xdc00);
	return 4;
}

/* The next character, as gdb's iconv-based iterator sees it: an invalid
 * unit is skipped alone; an incomplete sequence ends the string; and
 * glibc's iconv reports an incomplete tail in the same call that converted
 * the one character before it, which gdb then drops. */
static void ch_next(struct chiter *it, struct ch *c)
{
	uint32_t dummy;
	int r;

	c->repeat = 1;
	c->raw = it->p;
	if ((size_t)(it->end - it->p) < it->width) {
		c->kind = CH_EOF;
		c->rawlen = 0;
		return;
	}
	r = decode_at(it->p, it->end, it->width, &c->cp);
	if (r > 0 && it->p + r < it->end && decode_at(it->p + r, it->end, it->width, &dummy) < 0)
		it->p += r, c->raw = it->p, r = -1;
	if (r > 0) {
		c->kind = CH_OK;
		c->rawlen = (size_t)r;
	} else if (r == 0) {
		c->kind = CH_INVALID;
		c->rawlen = it->width;
	} else {
		c->kind = CH_INCOMPLETE;
		c->rawlen = (size_t)(it->end - it->p);
	}
	it->p += c->rawlen;
}

static bool ch_same(const struct ch *a, const struct ch *b)
{
	if (a->kind != b->kind || a->kind == CH_EOF)
		return false;
	if (a->kind == CH_OK)
		return a->cp == b->cp;
	return a->rawlen == b->rawlen && memcmp(a->raw, b->raw, a->rawlen) == 0;
}

/* iswprint in C.UTF-8, the locale gdb's output is compared in. */
static bool wprintable(uint32_t cp)
{
	static locale_t loc;
	static bool tried;

	if (cp < 0x80)
		return cp >= 0x20 && cp < 0x7f;
	if (!tried) {
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
		tried = true;
	}
	if (loc != (locale_t)0)
		return iswprint_l((wint_t)cp, loc) != 0;
	return cp >= 0xa0 && cp <= 0x10ffff;
}

static bool is_xdigit_ascii(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static void put_utf8(struct strbuf *sb, uint32_t c)
{
	char b[4];

	if (c < 0x80) {
		sb_putc(sb, (char)c);
		return;
	}
	if (c < 0x800) {
		b[0] = (char)(0xc0 | c >> 6);
		b[1] = (char)(0x80 | (c & 0x3f));
		sb_putn(sb, b, 2);
	} else if (c < 0x10000) {
		b[0] = (char)(0xe0 | c >> 12);
		b[1] = (char)(0x80 | (c >> 6 & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		sb_putn(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | c >> 18);
		b[1] = (char)(0x80 | (c >> 12 & 0x3f));
		b[2] = (char)(0x80 | (c >> 6 & 0x3f));
		b[3] = (char)(0x80 | (c & 0x3f));
		sb_putn(sb, b, 4);
	}
}

/* The escapes of a character's target bytes: octal for a unit <= 0777,
 * else hex (after which a hex digit must be escaped too). */
static void put_escapes(struct strbuf *sb, const struct ch *c, unsigned width, bool *need_escape)
{
	size_t i;

	for (i = 0; i + width <= c->rawlen; i += width) {
		uint64_t v = load_u64(c->raw + i, width);

		if (v <= 0777) {
			sb_printf(sb, "\\%.3o", (unsigned)v);
			*need_escape = false;
		} else {
			sb_printf(sb, "\\x%" PRIx64, v);
			*need_escape = true;
		}
	}
	for (; i < c->rawlen; i++) {
		sb_printf(sb, "\\%.3o", c->raw[i]);
		*need_escape = false;
	}
}

/* gdb's print_wchar: one character inside quotes `quoter`. */
static void put_wchar(struct strbuf *sb, const struct ch *c, unsigned width, char quoter,
		      bool *need_escape)
{
	static const char named[] = "abtnvfr";    /* \a .. \r, 7 .. 13 */
	bool ne = *need_escape;

	*need_escape = false;
	if (c->kind == CH_OK) {
		if (c->cp >= '\a' && c->cp <= '\r') {
			sb_putc(sb, '\\');
			sb_putc(sb, named[c->cp - '\a']);
			return;
		}
		if (wprintable(c->cp) && !(ne && is_xdigit_ascii(c->cp))) {
			if (c->cp == (uint32_t)(unsigned char)quoter || c->cp == '\\')
				sb_putc(sb, '\\');
			put_utf8(sb, c->cp);
			return;
		}
	}
	put_escapes(sb, c, width, need_escape);
}

/* gdb's wchar_printable: printable or one of the named escapes. */
static bool wchar_printable(uint32_t c)
{
	return wprintable(c) || (c >= '\a' && c <= '\r');
}

/* gdb's c_printchar: 'A', L'A', '\377'. */
static void put_char_literal(struct strbuf *sb, const struct dw_type *t, const uint8_t *b,
			     unsigned width)
{
	struct chiter it = { b, b + width, width };
	bool ne = false;
	struct ch c;

	sb_puts(sb, char_prefix(t));
	sb_putc(sb, '\'');
	for (ch_next(&it, &c); c.kind != CH_EOF; ch_next(&it, &c)) {
		if (c.kind == CH_OK && !wchar_printable(c.cp))
			c.kind = CH_INVALID;   /* escape its bytes */
		put_wchar(sb, &c, width, '\'', &ne);
	}
	sb_putc(sb, '\'');
}

/* ---- the formatter ---- */

struct fmt {
	const struct vars_opts *o;
	struct strbuf *sb;
	size_t limit;             /* stop once the text is this long */
	size_t elems;             /* print elements */
};

static bool full(const struct fmt *f)
{
	return f->sb->len >= f->limit;
}

enum { PS_START, PS_SINGLE, PS_REPEAT, PS_DONE };

/* The printing half of gdb's generic_printstr (print_converted_chars_to_obstack). */
struct strprint {
	int last;
	bool need_escape;
	unsigned width;
};

static void str_emit(struct strbuf *sb, struct strprint *ps, const struct ch *c)
{
	if (ps->last == PS_DONE)
		return;
	if (c->kind == CH_INCOMPLETE) {
		if (ps->last == PS_SINGLE)
			sb_putc(sb, '"');
		if (ps->last != PS_START)
			sb_puts(sb, ", ");
		sb_puts(sb, "<incomplete sequence ");
		put_escapes(sb, c, ps->width, &ps->need_escape);
		sb_putc(sb, '>');
		ps->last = PS_DONE;
	} else if (c->repeat > VARS_REPEATS) {
		if (ps->last == PS_SINGLE)
			sb_putc(sb, '"');
		if (ps->last != PS_START)
			sb_puts(sb, ", ");
		sb_putc(sb, '\'');
		put_wchar(sb, c, ps->width, '"', &ps->need_escape);
		sb_printf(sb, "' <repeats %lu times>", c->repeat);
		ps->last = PS_REPEAT;
	} else {
		if (ps->last != PS_SINGLE) {
			if (ps->last != PS_START)
				sb_puts(sb, ", ");
			sb_putc(sb, '"');
		}
		for (unsigned long j = 0; j < c->repeat; j++)
			put_wchar(sb, c, ps->width, '"', &ps->need_escape);
		ps->last = PS_SINGLE;
	}
}

/* gdb 13's generic_printstr through c_printstr: n characters of width
 * bytes at s.  A trailing NUL is not shown; runs over `print repeats`
 * become 'c' <repeats N times>; characters are counted (runs in full) up
 * to `print elements`; "..." when cut or forced. */
static void put_string(struct fmt *f, const struct dw_type *elt, const uint8_t *s, size_t n,
		       unsigned width, bool force_ellipses)
{
	struct chiter it = { s, s + n * width, width };
	struct strprint ps = { PS_START, false, width };
	struct ch cur, nxt;
	size_t count = 0;

	sb_puts(f->sb, char_prefix(elt));
	if (!force_ellipses && n > 0 && load_u64(s + (n - 1) * width, width) == 0)
		it.end -= width;
	if (it.end == s) {
		sb_puts(f->sb, "\"\"");
		return;
	}
	ch_next(&it, &cur);
	while (count < f->elems && cur.kind != CH_EOF && !full(f)) {
		for (ch_next(&it, &nxt); ch_same(&cur, &nxt); ch_next(&it, &nxt))
			cur.repeat++;
		str_emit(f->sb, &ps, &cur);
		count += cur.repeat;
		cur = nxt;
	}
	if (ps.last == PS_SINGLE)
		sb_putc(f->sb, '"');
	if (force_ellipses || cur.kind != CH_EOF)
		sb_puts(f->sb, "...");
}

/* ---- symbols (printcmd.c build_address_symbolic, minsyms.c) ---- */

/* The allocated (non-TLS) section of ef holding link-time v, or NULL:
 * gdb symbolizes only addresses inside an object's sections. */
static const struct elf_section *section_of(const struct elf_file *ef, uint64_t v)
{
	for (size_t i = 0; i < ef->nsections; i++) {
		const struct elf_section *s = &ef->sections[i];

		if ((s->flags & SHF_ALLOC) && !(s->flags & SHF_TLS) && s->size > 0 &&
		    v >= s->addr && v - s->addr < s->size)
			return s;
	}
	return NULL;
}

static bool in_section(const struct elf_section *s, uint64_t v)
{
	return v >= s->addr && v - s->addr < s->size;
}

/* gdb's mst_text: a global function. */
static bool msym_text(const struct elf_symbol *s)
{
	return s->type == STT_FUNC && s->bind != STB_LOCAL;
}

/* gdb's lookup_minimal_symbol_by_pc_section over ef's symbols: the last
 * symbol at or below v in v's section, preferring one with a size that
 * holds v over closer zero-sized ones; a sized one that does not hold v
 * is no answer. */
static const struct elf_symbol *msym_at(const struct elf_file *ef, const struct elf_section *sec,
					uint64_t v)
{
	size_t lo = 0, hi = ef->nsymbols, zero = SIZE_MAX;
	const struct elf_symbol *s = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ef->symbols[mid].value <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo, steps = 0; k-- > 0 && steps < VARS_SYM_SCAN; steps++) {
		const struct elf_symbol *c = &ef->symbols[k];

		if (!in_section(sec, c->value))
			continue;
		if (k > 0 && !msym_text(c) && msym_text(&ef->symbols[k - 1]) &&
		    ef->symbols[k - 1].value == c->value && ef->symbols[k - 1].size == c->size)
			continue;
		if (c->size == 0) {
			if (zero == SIZE_MAX)
				zero = k;
			continue;
		}
		s = c;
		break;
	}
	if (s != NULL && v - s->value < s->size)
		return s;
	return zero != SIZE_MAX ? &ef->symbols[zero] : NULL;
}

/* ada_decode's trimming of the end of a name: a compiler suffix (".cold":
 * *suffix gets its offset), .N $N ___N __N, a protected-object 'N', a
 * ___X... suffix, TKB, TB, B, and __N or $N again.  *len0 gets what is
 * left.  false: not a name ada_decode decodes. */
static bool ada_trim(const char *e, int *len0, int *suffix)
{
	int n = (int)strlen(e), i;
	const char *p;

	for (i = n - 1; i > 0 && isalpha((unsigned char)e[i]); i--)
		;
	if (i > 0 && e[i] == '.')
		n = i, *suffix = i + 1;
	if (n > 1 && isdigit((unsigned char)e[n - 1])) {
		for (i = n - 2; i > 0 && isdigit((unsigned char)e[i]); i--)
			;
		if (i >= 0 && (e[i] == '.' || e[i] == '$'))
			n = i;
		else if (i >= 2 && strncmp(e + i - 2, "___", 3) == 0)
			n = i - 2;
		else if (i >= 1 && strncmp(e + i - 1, "__", 2) == 0)
			n = i - 1;
	}
	if (n > 1 && e[n - 1] == 'N' &&
	    (isdigit((unsigned char)e[n - 2]) || islower((unsigned char)e[n - 2])))
		n--;
	if ((p = strstr(e, "___")) != NULL && p - e < n - 3) {
		if (p[3] != 'X')
			return false;
		n = (int)(p - e);
	}
	if (n > 3 && strncmp(e + n - 3, "TKB", 3) == 0)
		n -= 3;
	if (n > 2 && strncmp(e + n - 2, "TB", 2) == 0)
		n -= 2;
	if (n > 1 && e[n - 1] == 'B')
		n -= 1;
	if (n > 1 && isdigit((unsigned char)e[n - 1])) {
		for (i = n - 2; (i >= 0 && isdigit((unsigned char)e[i])) ||
				(i >= 1 && e[i] == '_' && isdigit((unsigned char)e[i - 1])); i--)
			;
		if (i > 1 && e[i] == '_' && e[i - 1] == '_')
			n = i - 1;
		else if (i >= 0 && e[i] == '$')
			n = i;
	}
	*len0 = n;
	return true;
}

/* ada_decode's pass over e[0..len0) into d: "__" becomes '.', internal
 * TK__, __B_N__, _EN[bs] and N__ pieces drop out.  false: not decodable
 * (an X suffix in the middle, an upper-case letter left). */
static bool ada_body(const char *e, int len0, char *d)
{
	int i, k = 0;

	for (i = 0; i < len0 && !isalpha((unsigned char)e[i]); i++)
		d[k++] = e[i];
	while (i < len0) {
		if (i < len0 - 4 && strncmp(e + i, "TK__", 4) == 0)
			i += 2;
		if (len0 - i > 5 && strncmp(e + i, "__B_", 4) == 0 && isdigit((unsigned char)e[i + 4])) {
			int j = i + 5;

			while (j < len0 && isdigit((unsigned char)e[j]))
				j++;
			if (len0 - j > 2 && e[j] == '_' && e[j + 1] == '_')
				i = j;
		}
		if (len0 - i > 3 && e[i] == '_' && e[i + 1] == 'E' && isdigit((unsigned char)e[i + 2])) {
			int j = i + 3;

			while (j < len0 && isdigit((unsigned char)e[j]))
				j++;
			if (j < len0 && (e[j] == 'b' || e[j] == 's') && (j + 1 == len0 || e[j + 1] == '_'))
				i = j + 1;
		}
		if (e[i] == 'N' && e[i + 1] == '_' && e[i + 2] == '_') {
			int j = i - 1;

			while (j >= 0 && (isdigit((unsigned char)e[j]) || islower((unsigned char)e[j])))
				j--;
			if (j < 0 || (j > 0 && e[j] == '_' && e[j - 1] == '_'))
				i++;
		}
		if (i >= len0)
			break;
		if (e[i] == 'X' && i != 0 && isalnum((unsigned char)e[i - 1])) {
			do
				i++;
			while (i < len0 && (e[i] == 'b' || e[i] == 'n'));
			if (i < len0)
				return false;
		} else if (i < len0 - 2 && e[i] == '_' && e[i + 1] == '_') {
			d[k++] = '.';
			i += 2;
		} else {
			d[k++] = e[i++];
		}
	}
	d[k] = '\0';
	for (i = 0; i < k; i++)
		if (isupper((unsigned char)d[i]) || d[i] == ' ')
			return false;
	return true;
}

/* gdb shows a minimal symbol under its Ada-decoded name when decoding
 * changes it (ada-lang.c ada_decode, whose sniffer claims any such name):
 * "counter.0" (a function-static) shows as "counter", "a__b" as "a.b",
 * "x.cold" as "x[cold]".  gdb 13's rules, but for operator names
 * ("Oadd"...), which stay as they are.  Writes the shown name to sb. */
static void put_msym_name(struct strbuf *sb, const char *name)
{
	const char *e = name;
	char d[512];
	int len0, suffix = -1;

	if (e[0] == '.')
		e++;
	if (strncmp(e, "_ada_", 5) == 0)
		e += 5;
	if (strncmp(e, "___ghost_", 9) == 0)
		e += 9;
	if (e[0] == '_' || e[0] == '<' || strlen(e) >= sizeof(d) / 2 ||
	    !ada_trim(e, &len0, &suffix) || !ada_body(e, len0, d) ||
	    (suffix < 0 && strcmp(d, name) == 0)) {
		sb_puts(sb, name);
		return;
	}
	sb_puts(sb, d);
	if (suffix >= 0)
		sb_printf(sb, "[%s]", e + suffix);
}

/* The DWARF function holding link-time v of module m, when asked for. */
static const struct dw_func *code_func(const struct fmt *f, const struct elf_module *m,
				       const struct elf_section *sec, uint64_t v)
{
	struct dwarfinfo *di;

	if (f->o->dbg == NULL || !(sec->flags & SHF_EXECINSTR) ||
	    (di = debuginfo_dwarf(f->o->dbg, m)) == NULL)
		return NULL;
	return dwarfinfo_func_at(di, v);
}

/* gdb's print_address_symbolic (build_address_symbolic): " <sym+off>"
 * after an address that lies in an object's section.  In code, the DWARF
 * function holding it (offset from its entry), unless a minimal symbol
 * sits exactly there and the function does not start there; else the
 * minimal symbol (a zero-sized one only in code). */
static void put_symbolic(struct fmt *f, uint64_t addr)
{
	const struct elf_module *m;
	const struct elf_section *sec;
	const struct elf_symbol *s;
	const struct dw_func *fn;
	uint64_t v;

	if (f->o->elf == NULL || (m = elfinfo_module_at(f->o->elf, addr)) == NULL ||
	    m->ef == NULL || addr < m->bias)
		return;
	v = addr - m->bias;
	if ((sec = section_of(m->ef, v)) == NULL)
		return;
	s = msym_at(m->ef, sec, v);
	if (s != NULL && s->size == 0 && !(sec->flags & SHF_EXECINSTR))
		s = NULL;
	fn = code_func(f, m, sec, v);
	if (fn != NULL && fn->name != NULL && !(s != NULL && s->value == v && fn->lo != v)) {
		sb_printf(f->sb, " <%s", fn->name);
		if (v != fn->lo)
			sb_printf(f->sb, "%+" PRId64, (int64_t)(v - fn->lo));
		sb_putc(f->sb, '>');
		return;
	}
	if (s == NULL)
		return;
	sb_puts(f->sb, " <");
	put_msym_name(f->sb, s->name);
	if (v != s->value)
		sb_printf(f->sb, "+%" PRIu64, v - s->value);
	sb_putc(f->sb, '>');
}

/* ---- strings in memory (valprint.c val_print_string, read_string) ---- */

/* Read up to n bytes at addr, a page at a time (gdb reports the first
 * unreadable byte: each page is readable or not); byte by byte inside a
 * page that fails whole, for readers finer than pages.  Stops after the
 * first element of `width` zero bytes.  Returns the bytes read; *err set
 * when a read failed before the limit and before a NUL. */
static size_t read_cstring(const struct mem_reader *m, uint64_t addr, uint8_t *buf, size_t n,
			   unsigned width, bool *err)
{
	size_t got = 0;

	*err = false;
	while (got < n) {
		size_t chunk = VARS_PAGE - (size_t)((addr + got) % VARS_PAGE);

		if (chunk > n - got)
			chunk = n - got;
		if (m->read(m->ctx, addr + got, buf + got, chunk) != 0) {
			size_t k = 0;

			while (k < chunk && m->read(m->ctx, addr + got + k, buf + got + k, 1) == 0)
				k++;
			chunk = k;
			*err = true;
		}
		for (size_t e = got / width * width; e + width <= got + chunk; e += width)
			if (load_u64(buf + e, width) == 0) {
				*err = false;
				return e + width;
			}
		got += chunk;
		if (*err)
			return got;
	}
	return got;
}

/* gdb's val_print_string for a char * (any textual element type): the
 * characters up to NUL, at most `print elements`; "..." when cut and the
 * next character is not NUL; the read error after what was read. */
static void put_mem_string(struct fmt *f, const struct dw_type *elt, uint64_t addr)
{
	unsigned width = (unsigned)type_size(elt);
	uint8_t stack[VARS_ELEMS * 4], *buf = stack, peek[4];
	size_t limit = f->elems * width, got, nelem;
	bool err, force = false, nul;

	if (width != 1 && width != 2 && width != 4)
		return;
	if (limit > sizeof(stack))
		buf = xmalloc(limit);
	got = read_cstring(f->o->mem, addr, buf, limit, width, &err);
	nelem = got / width;
	nul = nelem > 0 && load_u64(buf + (nelem - 1) * width, width) == 0;
	if (!nul && !err && f->o->mem->read(f->o->mem->ctx, addr + nelem * width, peek, width) == 0 &&
	    load_u64(peek, width) != 0)
		force = true;
	if (!err || nelem > 0)
		put_string(f, elt, buf, nelem, width, force);
	if (err)
		sb_printf(f->sb, "<error: Cannot access memory at address 0x%" PRIx64 ">",
			  addr + nelem * width);
	if (buf != stack)
		free(buf);
}

/* ---- scalars ---- */

enum fkind { FK_NONE, FK_HALF, FK_BF16, FK_FLOAT, FK_DOUBLE, FK_X87, FK_QUAD };

/* gdb's i386_floatformat_for_type: the format of a float of size bytes. */
static enum fkind float_kind(const char *name, uint64_t size)
{
	switch (size) {
	case 2:
		return name != NULL && strcmp(name, "__bf16") == 0 ? FK_BF16 : FK_HALF;
	case 4:
		return FK_FLOAT;
	case 8:
		return FK_DOUBLE;
	case 10:
	case 12:
		return FK_X87;
	case 16:
		if (name != NULL && (strcmp(name, "__float128") == 0 || strcmp(name, "_Float128") == 0 ||
				     strcmp(name, "complex _Float128") == 0))
			return FK_QUAD;
		return FK_X87;
	}
	return FK_NONE;
}

/* nan(0x...) as gdb's floatformat_mantissa: the top (bits % 32) bits in
 * plain hex, then each 32 bits in 8 digits. */
static void put_nan(struct strbuf *sb, bool neg, const uint8_t *b, unsigned man_bits)
{
	unsigned first = man_bits % 32 ? man_bits % 32 : 32;
	unsigned at = man_bits - first;       /* bit index of the chunk's low bit */

	sb_printf(sb, "%snan(0x", neg ? "-" : "");
	for (bool lead = true; ; lead = false) {
		unsigned n = lead ? first : 32;
		uint64_t v = 0;

		for (unsigned k = n; k-- > 0;)
			v = v << 1 | ((b[(at + k) / 8] >> ((at + k) % 8)) & 1);
		sb_printf(sb, lead ? "%" PRIx64 : "%08" PRIx64, v);
		if (at == 0)
			break;
		at -= 32;
	}
	sb_putc(sb, ')');
}

/* The layout of a float format: total bits, exponent and mantissa bits
 * (x87's mantissa includes its explicit integer bit). */
struct flayout {
	unsigned total, exp_bits, man_bits;
};

static bool float_layout(enum fkind k, struct flayout *l)
{
	static const struct flayout tab[] = {
		[FK_HALF] = { 16, 5, 10 }, [FK_BF16] = { 16, 8, 7 }, [FK_FLOAT] = { 32, 8, 23 },
		[FK_DOUBLE] = { 64, 11, 52 }, [FK_X87] = { 80, 15, 64 }, [FK_QUAD] = { 128, 15, 112 },
	};

	if (k == FK_NONE || (size_t)k >= ARRAY_LEN(tab))
		return false;
	*l = tab[k];
	return true;
}

/* An IEEE half (or bfloat16) as a float, exactly. */
static float half_to_float(uint32_t h, bool bf16)
{
	uint32_t bits, mant = h & 0x3ff, sign = (h & 0x8000u) << 16;
	int e = (int)(h >> 10 & 0x1f);
	float fl;

	if (bf16) {
		bits = h << 16;
	} else if (e == 0 && mant == 0) {
		bits = sign;
	} else if (e == 0) {              /* subnormal: normalize */
		while (!(mant & 0x400))
			mant <<= 1, e--;
		bits = sign | (uint32_t)(e + 1 + 112) << 23 | (mant & 0x3ff) << 13;
	} else {
		bits = sign | (uint32_t)(e + 112) << 23 | mant << 13;
	}
	memcpy(&fl, &bits, 4);
	return fl;
}

/* A finite float: %g with the format's DECIMAL_DIG significant digits,
 * ceil(1 + p log10 2): 5 half, 4 bfloat16, 9 float, 17 double, 21 x87,
 * 36 quad (gdb's floatformat_printf_format). */
static void put_finite(struct strbuf *sb, const uint8_t *b, enum fkind k)
{
	char buf[96];

	if (k == FK_HALF || k == FK_BF16) {
		snprintf(buf, sizeof(buf), k == FK_BF16 ? "%.4g" : "%.5g",
			 (double)half_to_float((uint32_t)load_u64(b, 2), k == FK_BF16));
	} else if (k == FK_FLOAT) {
		float fl;

		memcpy(&fl, b, 4);
		snprintf(buf, sizeof(buf), "%.9g", (double)fl);
	} else if (k == FK_DOUBLE) {
		double d;

		memcpy(&d, b, 8);
		snprintf(buf, sizeof(buf), "%.17g", d);
	} else if (k == FK_X87) {
		long double ld = 0;

		memcpy(&ld, b, 10);
		snprintf(buf, sizeof(buf), "%.21Lg", ld);
	} else {
		__float128 q;

		memcpy(&q, b, 16);
		strfromf128(buf, sizeof(buf), "%.36g", q);
	}
	sb_puts(sb, buf);
}

/* A float as gdb prints it (host_float_ops::to_string): <invalid float
 * value> for an x87 unnormal, [-]inf, [-]nan(0xmantissa), else the number. */
static void put_float(struct strbuf *sb, const uint8_t *b, enum fkind k)
{
	struct flayout l;
	uint64_t exp = 0;
	bool neg, man_zero = true;

	if (!float_layout(k, &l)) {
		sb_puts(sb, "<invalid float value>");
		return;
	}
	neg = b[l.total / 8 - 1] & 0x80;
	for (unsigned i = l.exp_bits; i-- > 0;)
		exp = exp << 1 | ((b[(l.man_bits + i) / 8] >> ((l.man_bits + i) % 8)) & 1);
	for (unsigned i = 0; i < l.man_bits - (k == FK_X87); i++)
		if ((b[i / 8] >> (i % 8)) & 1)
			man_zero = false;
	if (k == FK_X87 && (exp == 0) != !((b[7] >> 7) & 1))
		sb_puts(sb, "<invalid float value>");
	else if (exp == (1u << l.exp_bits) - 1 && man_zero)
		sb_puts(sb, neg ? "-inf" : "inf");
	else if (exp == (1u << l.exp_bits) - 1)
		put_nan(sb, neg, b, l.man_bits);
	else
		put_finite(sb, b, k);
}

/* gdb's generic_val_print_enum_1: the enumerator; for a "flag enum"
 * (every value a single bit or 0) the set bits as (A | B | unknown: 0x8);
 * else the number. */
static void put_enum(struct strbuf *sb, const struct dw_type *s, const uint8_t *b)
{
	int64_t val = (int64_t)load_int(b, s->size, !enum_unsigned(s));
	bool flag = true, first = true;

	for (size_t i = 0; i < s->nenums; i++) {
		if (s->enums[i].value == val) {
			sb_puts(sb, s->enums[i].name ? s->enums[i].name : "?");
			return;
		}
		if (s->enums[i].value < 0 || __builtin_popcountll((uint64_t)s->enums[i].value) > 1)
			flag = false;
	}
	if (!flag) {
		sb_printf(sb, "%" PRId64, val);
		return;
	}
	for (size_t i = 0; i < s->nenums; i++) {
		uint64_t ev = (uint64_t)s->enums[i].value;

		if (((uint64_t)val & ev) == 0)
			continue;
		sb_puts(sb, first ? "(" : " | ");
		first = false;
		val = (int64_t)((uint64_t)val & ~ev);
		sb_puts(sb, s->enums[i].name ? s->enums[i].name : "?");
	}
	if (val != 0)
		sb_printf(sb, "%sunknown: 0x%" PRIx64 ")", first ? "(" : " | ", (uint64_t)val);
	else
		sb_puts(sb, first ? "0" : ")");
}

/* A base type: bool, float, complex, integer (with its character when
 * textual: 65 'A'). */
static void put_base(struct fmt *f, const struct dw_type *t, const struct dw_type *s,
		     const uint8_t *b)
{
	switch (s->encoding) {
	case DW_ATE_boolean: {
		uint64_t v = load_u64(b, s->size);

		if (v <= 1)
			sb_puts(f->sb, v ? "true" : "false");
		else
			sb_printf(f->sb, "%" PRId64, (int64_t)v);
		return;
	}
	case DW_ATE_float:
		put_float(f->sb, b, float_kind(s->name, s->size));
		return;
	case DW_ATE_complex_float: {
		enum fkind k = float_kind(s->name, s->size / 2);

		put_float(f->sb, b, k);
		sb_puts(f->sb, " + ");
		put_float(f->sb, b + s->size / 2, k);
		sb_putc(f->sb, 'i');
		return;
	}
	}
	if (s->size > 16) {
		sb_puts(f->sb, "0x");
		for (size_t i = s->size; i-- > 0;)
			sb_printf(f->sb, "%02x", b[i]);
		return;
	}
	put_int(f->sb, load_int(b, s->size, type_signed(s)), type_signed(s));
	if (is_textual(t) && s->size <= 4) {
		sb_putc(f->sb, ' ');
		put_char_literal(f->sb, t, b, (unsigned)s->size);
	}
}

/* ---- values ---- */

static void put_value(struct fmt *f, const struct dw_type *t, const uint8_t *b, size_t len,
		      uint64_t addr, int recurse, int max_depth);

/* gdb's print_unpacked_pointer: 0x... <sym> "string". */
static void put_pointer_to(struct fmt *f, const struct dw_type *target, uint64_t v)
{
	const struct dw_type *ts = strip(target);

	sb_printf(f->sb, "0x%" PRIx64, v);
	put_symbolic(f, v);
	if (ts != NULL && ts->kind == DWT_FUNC)
		return;
	if (v != 0 && target != NULL && is_textual(target) && f->o->mem != NULL) {
		sb_putc(f->sb, ' ');
		put_mem_string(f, target, v);
	}
}

/* gdb's value_print_array_elements: {1, 2, 0 <repeats 15 times>, 9...}. */
static void put_elements(struct fmt *f, const struct dw_type *s, uint64_t esize,
			 const uint8_t *b, size_t len, uint64_t addr, int recurse, int max_depth)
{
	size_t have = (size_t)(len / esize), things = 0;
	uint64_t n = s->count, i;

	sb_putc(f->sb, '{');
	for (i = 0; i < n && things < f->elems && !full(f); i++) {
		uint64_t reps = 1;

		if (i >= have)
			break;
		if (i != 0)
			sb_puts(f->sb, ", ");
		while (i + reps < n && i + reps < have &&
		       memcmp(b + i * esize, b + (i + reps) * esize, (size_t)esize) == 0)
			reps++;
		put_value(f, s->target, b + i * esize, (size_t)esize, addr ? addr + i * esize : 0,
			  recurse + 1, max_depth);
		if (reps > VARS_REPEATS) {
			sb_printf(f->sb, " <repeats %" PRIu64 " times>", reps);
			i += reps - 1;
			things += VARS_REPEATS;
		} else {
			things++;
		}
	}
	if (i < n)
		sb_puts(f->sb, "...");
	sb_putc(f->sb, '}');
}

/* gdb's c_value_print_array: a string for characters, else the elements;
 * an array of unknown length (or of empty elements) as its address. */
static void put_array(struct fmt *f, const struct dw_type *s, const uint8_t *b, size_t len,
		      uint64_t addr, int recurse, int max_depth)
{
	uint64_t esize = type_size(s->target), total = type_size(s);

	if (esize == 0 || total == 0 || !s->count_known) {
		put_pointer_to(f, s->target, addr);
		return;
	}
	if (is_textual(s->target) && (esize == 1 || esize == 2 || esize == 4)) {
		uint64_t n = s->count, have = len / esize;

		put_string(f, s->target, b, (size_t)(n < have ? n : have), (unsigned)esize, have < n);
		return;
	}
	put_elements(f, s, esize, b, len, addr, recurse, max_depth);
}

/* The bit field m of a struct: its bits, extended to its type, printed as
 * that type (gdb's value_field_bitfield). */
static void put_bitfield(struct fmt *f, const struct dw_member *m, const uint8_t *b, size_t len,
			 int recurse, int max_depth)
{
	const struct dw_type *ms = strip(m->type);
	uint64_t size = type_size(m->type), first, last, bitpos;
	unsigned __int128 acc = 0;
	uint8_t val[16];

	if (m->offset >= len || m->bit_size > 64 || size == 0 || size > 16) {
		sb_puts(f->sb, "<unavailable>");
		return;
	}
	bitpos = m->offset * 8 + m->bit_offset;
	first = bitpos / 8;
	last = (bitpos + m->bit_size - 1) / 8;
	if (last >= len) {
		sb_puts(f->sb, "<unavailable>");
		return;
	}
	for (uint64_t k = last + 1; k-- > first;)
		acc = acc << 8 | b[k];
	acc >>= bitpos % 8;
	acc &= ((unsigned __int128)1 << m->bit_size) - 1;
	if (type_signed(ms) && ((acc >> (m->bit_size - 1)) & 1))
		acc |= ~(unsigned __int128)0 << m->bit_size;
	for (int k = 0; k < 16; k++)
		val[k] = (uint8_t)(acc >> (8 * k));
	put_value(f, m->type, val, (size_t)size, 0, recurse, max_depth);
}

/* gdb's cp_print_value_fields: {a = 1, {anonymous = 2}, c = "x"}. */
static void put_struct(struct fmt *f, const struct dw_type *s, const uint8_t *b, size_t len,
		       uint64_t addr, int recurse, int max_depth)
{
	sb_putc(f->sb, '{');
	if (s->nmembers == 0)
		sb_puts(f->sb, "<No data fields>");
	for (size_t i = 0; i < s->nmembers && !full(f); i++) {
		const struct dw_member *m = &s->members[i];
		int md = max_depth;

		if (i != 0)
			sb_puts(f->sb, ", ");
		if (m->name != NULL && m->name[0] != '\0') {
			sb_puts(f->sb, m->name);
			sb_puts(f->sb, " = ");
		} else {
			md++;     /* an anonymous member counts at its parent's depth */
		}
		if (m->bit_size != 0) {
			put_bitfield(f, m, b, len, recurse + 1, md);
		} else if (m->offset > len) {
			put_value(f, m->type, b, 0, 0, recurse + 1, md);
		} else {
			put_value(f, m->type, b + m->offset, len - (size_t)m->offset,
				  addr ? addr + m->offset : 0, recurse + 1, md);
		}
	}
	sb_putc(f->sb, '}');
}

/* A scalar: base type, pointer, enum; anything else C has no printer
 * for as its bytes, one number.  <unavailable> when bytes are missing. */
static void put_scalar(struct fmt *f, const struct dw_type *t, const struct dw_type *s,
		       const uint8_t *b, size_t len)
{
	uint64_t size = type_size(s);

	if (size == 0 || size > len || ((s->kind == DWT_POINTER || s->kind == DWT_ENUM) && size > 8)) {
		sb_puts(f->sb, "<unavailable>");
		return;
	}
	switch (s->kind) {
	case DWT_BASE:
		put_base(f, t, s, b);
		break;
	case DWT_POINTER:
		put_pointer_to(f, s->target, load_u64(b, (size_t)size));
		break;
	case DWT_ENUM:
		put_enum(f->sb, s, b);
		break;
	default:
		sb_puts(f->sb, "0x");
		for (size_t i = size < 64 ? (size_t)size : 64; i-- > 0;)
			sb_printf(f->sb, "%02x", b[i]);
		break;
	}
}

/* One value of type t, its bytes b[0..len), at addr (0 if not in memory). */
static void put_value(struct fmt *f, const struct dw_type *t, const uint8_t *b, size_t len,
		      uint64_t addr, int recurse, int max_depth)
{
	const struct dw_type *s = strip(t);

	if (full(f))
		return;
	if (s == NULL || s->kind == DWT_VOID) {
		sb_puts(f->sb, "void");
	} else if (is_aggregate(s) && (recurse >= max_depth || recurse >= VARS_HARD_DEPTH)) {
		sb_puts(f->sb, "{...}");
	} else if (s->kind == DWT_ARRAY) {
		put_array(f, s, b, len, addr, recurse, max_depth);
	} else if (s->kind == DWT_STRUCT || s->kind == DWT_UNION) {
		put_struct(f, s, b, len, addr, recurse, max_depth);
	} else if (s->kind == DWT_FUNC) {
		/* gdb's generic_val_print_func: {int (int)} 0x... <f> */
		sb_putc(f->sb, '{');
		dwarfinfo_type_name(t, f->sb);
		sb_printf(f->sb, "} 0x%" PRIx64, addr);
		put_symbolic(f, addr);
	} else {
		put_scalar(f, t, s, b, len);
	}
}

/* Cut the text from start at max bytes (on a UTF-8 boundary), add "...". */
static void cap_text(struct strbuf *sb, size_t start, size_t max)
{
	size_t cut;

	if (sb->len - start <= max)
		return;
	cut = start + max;
	while (cut > start && ((unsigned char)sb->buf[cut] & 0xc0) == 0x80)
		cut--;
	sb->len = cut;
	sb->buf[cut] = '\0';
	sb_puts(sb, "...");
}

void vars_format_at(const struct dw_type *t, const uint8_t *bytes, size_t len,
		    uint64_t addr, const struct vars_opts *o, struct strbuf *sb)
{
	size_t max = o->max_value ? o->max_value : VARS_MAX_VALUE;
	struct fmt f = { o, sb, sb->len + max, o->max_elems ? o->max_elems : VARS_ELEMS };
	size_t start = sb->len;

	put_value(&f, t, bytes, len, addr, 0, VARS_MAX_DEPTH);
	cap_text(sb, start, max);
}

void vars_format(const struct dw_type *t, const uint8_t *bytes, size_t len,
		 const struct vars_opts *o, struct strbuf *sb)
{
	vars_format_at(t, bytes, len, 0, o, sb);
}

/* ---- where a variable lives ---- */

enum place_kind { PL_NONE, PL_ADDR, PL_BYTES, PL_UNAVAILABLE };

struct place {
	enum place_kind kind;
	uint64_t addr;            /* PL_ADDR */
	int reg;                  /* >= 0: in this register */
	uint8_t bytes[16];        /* PL_BYTES: the value (register, literal) */
	size_t nbytes;
	uint8_t *comp;            /* PL_BYTES of a composite (DW_OP_piece), owned */
};

#define DW_REG_XMM0 17            /* DWARF numbers of xmm0..xmm15 */

/* The registers beyond the GPRs: only the innermost frame has them (a
 * caller's are call-clobbered: gdb would show the callee's, as "same
 * value"), and only when the snapshot read them. */
struct vregs {
	bool live;                /* frame 0 */
	const uint8_t *xmm;       /* its xmm0..15, or NULL: not read */
};

/* What one evaluation gave, as the bytes of a value. */
static void place_from(struct place *pl, const struct dwexpr_result *r, const struct dwexpr_ctx *c,
		       const struct vregs *vr)
{
	pl->reg = -1;
	switch (r->kind) {
	case DWX_ADDR:
		pl->kind = PL_ADDR;
		pl->addr = r->value;
		return;
	case DWX_VALUE:
		pl->kind = PL_BYTES;
		for (int k = 0; k < 8; k++)
			pl->bytes[k] = (uint8_t)(r->value >> (8 * k));
		pl->nbytes = 8;
		return;
	case DWX_REG:
		pl->reg = r->reg;
		if (r->reg >= 0 && r->reg < DW_NREGS && ((c->valid >> r->reg) & 1)) {
			pl->kind = PL_BYTES;
			for (int k = 0; k < 8; k++)
				pl->bytes[k] = (uint8_t)(c->regs[r->reg] >> (8 * k));
			pl->nbytes = 8;
		} else if (vr->live && vr->xmm != NULL && r->reg >= DW_REG_XMM0 &&
			   r->reg < DW_REG_XMM0 + 16) {
			pl->kind = PL_BYTES;
			memcpy(pl->bytes, vr->xmm + 16 * (r->reg - DW_REG_XMM0), 16);
			pl->nbytes = 16;
		} else if (vr->live && r->reg >= DW_NREGS) {
			pl->kind = PL_UNAVAILABLE;      /* there, but not read */
		} else {
			/* a GPR the frame did not save, or a vector / x87
			 * register of a caller: call-clobbered, gone */
			pl->kind = PL_NONE;
		}
		return;
	default:
		pl->kind = PL_NONE;
		return;
	}
}

/* Is ops a composite (pieces)? */
static bool has_pieces(const struct dw_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ops[i].op == DW_OP_piece || ops[i].op == DW_OP_bit_piece)
			return true;
	return false;
}

/* A DW_OP_piece composite, put together in pl->comp (size bytes): each
 * piece a location of its own.  All or nothing: a piece optimized out, or a
 * DW_OP_bit_piece, makes the whole value so. */
static void place_pieces(struct place *pl, const struct dw_op *ops, size_t n,
			 const struct dwexpr_ctx *c, const struct mem_reader *mem, uint64_t size,
			 const struct vregs *vr)
{
	size_t start = 0, at = 0, pieces = 0;

	pl->kind = PL_NONE;
	pl->reg = -1;
	if (size == 0 || size > VARS_MAX_SIZE)
		return;
	pl->comp = xcalloc(1, (size_t)size);
	for (size_t i = 0; i < n && pieces < VARS_PIECES; i++) {
		struct dwexpr_result r;
		struct place one = { 0 };
		uint64_t psize = ops[i].a;

		if (ops[i].op != DW_OP_piece && ops[i].op != DW_OP_bit_piece)
			continue;
		pieces++;
		if (ops[i].op == DW_OP_bit_piece || i == start || psize > size - at)
			return;
		if (dwexpr_eval(ops + start, i - start, c, &r) != 0)
			return;
		place_from(&one, &r, c, vr);
		if (one.kind == PL_UNAVAILABLE) {
			pl->kind = PL_UNAVAILABLE;
			return;
		}
		if (one.kind == PL_ADDR) {
			if (mem == NULL || mem->read(mem->ctx, one.addr, pl->comp + at, (size_t)psize) != 0)
				return;
		} else if (one.kind == PL_BYTES && psize <= one.nbytes) {
			memcpy(pl->comp + at, one.bytes, (size_t)psize);
		} else {
			return;
		}
		at += (size_t)psize;
		start = i + 1;
	}
	if (at == size) {
		pl->kind = PL_BYTES;
		pl->nbytes = (size_t)size;
	}
}

/* Where v lives at link-time pc: its location-list entry evaluated in c. */
static void place_var(struct place *pl, const struct dw_var *v, uint64_t pc,
		      const struct dwexpr_ctx *c, uint64_t size, const struct vregs *vr)
{
	const struct dw_expr *e;
	struct dwexpr_result r;

	memset(pl, 0, sizeof(*pl));
	pl->reg = -1;
	if (v->has_const) {
		pl->kind = PL_BYTES;
		for (int k = 0; k < 8; k++)
			pl->bytes[k] = (uint8_t)((uint64_t)v->const_value >> (8 * k));
		memset(pl->bytes + 8, v->const_value < 0 ? 0xff : 0, 8);
		pl->nbytes = 16;
		return;
	}
	e = dwexpr_at(v->loc, v->nloc, pc);
	if (e == NULL || e->nops == 0) {
		pl->kind = PL_NONE;
		return;
	}
	if (has_pieces(e->ops, e->nops)) {
		place_pieces(pl, e->ops, e->nops, c, c->mem, size, vr);
		return;
	}
	if (dwexpr_eval(e->ops, e->nops, c, &r) != 0) {
		pl->kind = PL_NONE;
		return;
	}
	place_from(pl, &r, c, vr);
}

/* Read a value at addr whole; on failure *bad is the first unreadable
 * address (page by page, as gdb reports it). */
static int read_value(const struct mem_reader *m, uint64_t addr, uint8_t *buf, size_t len,
		      uint64_t *bad)
{
	*bad = addr;
	if (m == NULL || addr + len < addr)
		return -1;
	if (len == 0 || m->read(m->ctx, addr, buf, len) == 0)
		return 0;
	for (size_t done = 0; done < len;) {
		size_t chunk = VARS_PAGE - (size_t)((addr + done) % VARS_PAGE);

		if (chunk > len - done)
			chunk = len - done;
		if (m->read(m->ctx, addr + done, buf + done, chunk) != 0) {
			*bad = addr + done;
			return -1;
		}
		done += chunk;
	}
	return -1;
}

/* Scratch shared by the variables of one call. */
struct scratch {
	struct strbuf sb;
	uint8_t *buf;
	size_t cap;
};

/* The bytes of v's value at pl (size bytes wanted): read from memory into
 * sc->buf, or the register, literal or composite bytes; *have gets how
 * many.  NULL when there are none, with what gdb prints instead in sc->sb:
 * its read errors are "<error reading variable ...>" (print_variable_and_value). */
static const uint8_t *value_bytes(const struct dw_var *v, const struct place *pl, uint64_t size,
				  const struct mem_reader *mem, struct scratch *sc, size_t *have)
{
	const char *name = v->name ? v->name : "?";
	uint64_t bad;

	*have = 0;
	switch (pl->kind) {
	case PL_ADDR:
		if (size > VARS_MAX_SIZE) {
			sb_printf(&sc->sb, "<error reading variable %s (value requires %" PRIu64
				  " bytes, which is more than max-value-size)>", name, size);
			return NULL;
		}
		util_grow((void **)&sc->buf, &sc->cap, (size_t)size + 1, 1);
		if (read_value(mem, pl->addr, sc->buf, (size_t)size, &bad) != 0) {
			sb_printf(&sc->sb, "<error reading variable %s (Cannot access memory at address 0x%"
				  PRIx64 ")>", name, bad);
			return NULL;
		}
		*have = (size_t)size;
		return sc->buf;
	case PL_BYTES:
		*have = pl->nbytes < size ? pl->nbytes : (size_t)size;
		return pl->comp ? pl->comp : pl->bytes;
	case PL_UNAVAILABLE:
		sb_puts(&sc->sb, "<unavailable>");
		return NULL;
	default:
		sb_puts(&sc->sb, "<optimized out>");
		return NULL;
	}
}

/* Append v, at pl, to out with its type, value text and pointer. */
static void emit_var(struct var_list *out, const struct dw_var *v, struct place *pl,
		     const struct mem_reader *mem, const struct vars_opts *o, struct scratch *sc)
{
	const struct dw_type *s = strip(v->type);
	struct var_info *vi;
	const uint8_t *bytes;
	size_t have;

	util_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v));
	vi = &out->v[out->n++];
	memset(vi, 0, sizeof(*vi));
	vi->name = v->name;
	vi->kind = v->kind;
	vi->size = type_size(v->type);
	vi->reg = pl->reg;
	vi->has_addr = pl->kind == PL_ADDR;
	vi->addr = vi->has_addr ? pl->addr : 0;
	sb_reset(&sc->sb);
	dwarfinfo_type_name(v->type, &sc->sb);
	vi->type = xstrdup(sc->sb.buf ? sc->sb.buf : "");
	sb_reset(&sc->sb);
	if ((bytes = value_bytes(v, pl, vi->size, mem, sc, &have)) != NULL) {
		vars_format_at(v->type, bytes, have, vi->addr, o, &sc->sb);
		if (s != NULL && s->kind == DWT_POINTER && vi->size == 8 && have >= 8) {
			const struct dw_type *ts = strip(s->target);

			vi->is_ptr = true;
			vi->ptr = load_u64(bytes, 8);
			vi->ptr_to_func = ts != NULL && ts->kind == DWT_FUNC;
		}
	}
	vi->value = xstrdup(sc->sb.buf ? sc->sb.buf : "");
	free(pl->comp);
	pl->comp = NULL;
}

/* ---- frames ---- */

/* A frame being read: its registers and, for entry values, its callers. */
struct frame_env {
	const struct uw_input *in;
	const struct uw_stack *st;
	size_t i;
	int depth;                /* entry-value nesting */
	uint64_t pc;              /* link-time lookup pc */
	struct mem_reader mem;    /* through the stack window */
	struct dwexpr_entry entry;
	struct dwexpr_ctx ctx;
};

struct win_ctx {
	const struct uw_input *in;
	const struct uw_stack *st;
};

static int win_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct win_ctx *w = ctx;

	return unwind_read(w->in, w->st, addr, buf, len);
}

static int entry_value(void *ctx, int reg, uint64_t *out);

/* gdb's get_frame_address_in_block: a caller's pc - 1, unless it or the
 * frame it called is a signal frame. */
static uint64_t lookup_pc(const struct uw_stack *st, size_t i)
{
	const struct uw_frame *fr = &st->frames[i];
	uint64_t pc = fr->pc - fr->loc.mod->bias;

	if (i > 0 && !fr->signal_frame && !st->frames[i - 1].signal_frame && pc > 0)
		pc--;
	return pc;
}

/* Set up env for frame i: registers, CFA, frame base.  false if the frame
 * has no DWARF function. */
static bool env_init(struct frame_env *env, const struct uw_input *in, const struct uw_stack *st,
		     size_t i, int depth, struct win_ctx *wc)
{
	const struct uw_frame *fr = &st->frames[i];
	const struct dw_func *fn = fr->loc.func;
	struct dwexpr_ctx *c = &env->ctx;
	const struct dw_expr *fb;
	struct dwexpr_result r;

	if (fn == NULL || fr->loc.mod == NULL || fr->pc < fr->loc.mod->bias)
		return false;
	memset(env, 0, sizeof(*env));
	env->in = in;
	env->st = st;
	env->i = i;
	env->depth = depth;
	env->pc = lookup_pc(st, i);
	wc->in = in;
	wc->st = st;
	env->mem.ctx = wc;
	env->mem.read = win_read;
	env->entry.ctx = env;
	env->entry.value = entry_value;
	memcpy(c->regs, fr->regs, sizeof(c->regs));
	c->valid = fr->valid;
	c->cfa = fr->cfa;
	c->has_cfa = fr->cfa != 0;
	c->bias = fr->loc.mod->bias;
	c->mem = &env->mem;
	c->entry = &env->entry;
	fb = dwexpr_at(fn->frame_base, fn->nframe_base, env->pc);
	if (fb != NULL && dwexpr_eval(fb->ops, fb->nops, c, &r) == 0) {
		if (r.kind == DWX_ADDR || r.kind == DWX_VALUE) {
			c->frame_base = r.value;
			c->has_frame_base = true;
		} else if (r.kind == DWX_REG && r.reg >= 0 && r.reg < DW_NREGS &&
			   ((c->valid >> r.reg) & 1)) {
			c->frame_base = c->regs[r.reg];
			c->has_frame_base = true;
		}
	}
	return true;
}

/* Does the call returning to ret go to entry?  The call is decoded (a
 * direct call, E8 rel32), and so is a PLT stub it may land in (jmp *slot,
 * FF 25 rel32, after endbr64/bnd): its bound slot must hold entry.  false
 * when it cannot tell (an indirect call, a slot not bound yet) or it is
 * some other function: a tail call made the callee's frame replace that
 * function's, and the call site describes that function's arguments.
 * gdb checks the call site's DW_AT_call_origin; the code says the same.
 * An indirect call is target_is's. */
static bool call_reaches(const struct mem_reader *mem, uint64_t ret, uint64_t entry)
{
	uint8_t c[5], stub[16];
	uint64_t target, slot;

	if (ret < 5 || mem->read(mem->ctx, ret - 5, c, 5) != 0 || c[0] != 0xe8)
		return false;
	target = ret + (uint64_t)(int64_t)(int32_t)load_u64(c + 1, 4);
	if (target == entry)
		return true;
	if (mem->read(mem->ctx, target, stub, sizeof(stub)) != 0)
		return false;
	for (size_t k = 0; k + 6 <= sizeof(stub) && k <= 5; k++) {
		if (stub[k] != 0xff || stub[k + 1] != 0x25)
			continue;
		slot = target + k + 6 + (uint64_t)(int64_t)(int32_t)load_u64(stub + k + 2, 4);
		return mem->read(mem->ctx, slot, stub, 8) == 0 && load_u64(stub, 8) == entry;
	}
	return false;
}

/* Does an indirect call's DW_AT_call_target, evaluated in the caller's
 * frame, name entry?  (gdb's check for `call *%rax`: __libc_start_call_
 * main's call of main is one.) */
static bool target_is(const struct dw_call_site *cs, struct frame_env *caller, uint64_t entry)
{
	struct dwexpr_result r;

	return cs->ntarget > 0 && dwexpr_eval(cs->target, cs->ntarget, &caller->ctx, &r) == 0 &&
	       (r.kind == DWX_ADDR || r.kind == DWX_VALUE) && r.value == entry;
}

/* DW_OP_entry_value: what the caller (frame i+1) passed in register reg,
 * from its call site for our return address, evaluated in its frame; only
 * when that call is a call of this very function (call_reaches). */
static int entry_value(void *ctx, int reg, uint64_t *out)
{
	const struct frame_env *callee = ctx;
	const struct uw_stack *st = callee->st;
	const struct uw_frame *caller;
	const struct dw_call_site *cs;
	struct frame_env env;
	struct win_ctx wc;
	struct dwexpr_result r;
	size_t j = callee->i + 1;
	uint64_t entry;

	if (callee->depth >= VARS_ENTRY_DEPTH || j >= st->n || st->frames[callee->i].signal_frame)
		return -1;
	caller = &st->frames[j];
	if (caller->loc.func == NULL || caller->loc.mod == NULL || caller->pc < caller->loc.mod->bias)
		return -1;
	cs = dwarfinfo_call_site(caller->loc.func, caller->pc - caller->loc.mod->bias);
	entry = st->frames[callee->i].loc.func->lo + st->frames[callee->i].loc.mod->bias;
	if (cs == NULL || !env_init(&env, callee->in, st, j, callee->depth + 1, &wc) ||
	    !(call_reaches(&env.mem, caller->pc, entry) || target_is(cs, &env, entry)))
		return -1;
	for (size_t k = 0; k < cs->nparams; k++) {
		const struct dw_call_param *p = &cs->params[k];

		if (p->reg != reg)
			continue;
		if (dwexpr_eval(p->value, p->nvalue, &env.ctx, &r) != 0)
			return -1;
		if (r.kind == DWX_ADDR || r.kind == DWX_VALUE) {
			*out = r.value;
			return 0;
		}
		if (r.kind == DWX_REG && r.reg >= 0 && r.reg < DW_NREGS &&
		    ((env.ctx.valid >> r.reg) & 1)) {
			*out = env.ctx.regs[r.reg];
			return 0;
		}
		return -1;
	}
	return -1;
}

/* ---- gdb's order ---- */

static unsigned hash_next(unsigned h, char c)
{
	unsigned char u = (unsigned char)c;

	if (u >= 'A' && u <= 'Z')
		u = (unsigned char)(u - 'A' + 'a');
	return h * 67 + u - 113;
}

/* gdb's msymbol_hash_iw: spaces ignored, up to a '('. */
static unsigned hash_iw(const char *s)
{
	unsigned h = 0;

	while (*s != '\0' && *s != '(') {
		while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
			s++;
		if (*s != '\0' && *s != '(')
			h = hash_next(h, *s++);
	}
	return h;
}

/* gdb's default_search_name_hash (the C language's symbol hash). */
static unsigned name_hash(const char *s0)
{
	const char *s = s0;
	unsigned h = 0;

	if (*s == '_') {
		if (strncmp(s, "_ada_", 5) != 0)
			return hash_iw(s0);
		s += 5;
	}
	while (*s != '\0') {
		switch (*s) {
		case '$': case '.': case 'X':
			if (s == s0)
				return hash_iw(s0);
			break;
		case ' ': case '(':
			return hash_iw(s0);
		case '_':
			if (s[1] == '_' && s != s0) {
				char c = s[2];

				if ((c < 'a' || c > 'z') && c != 'O')
					return h;
				h = 0;
				s += 2;
				continue;
			}
			break;
		case 'T':
			if (strcmp(s, "TKB") == 0)
				return h;
			break;
		}
		h = hash_next(h, *s++);
	}
	return h;
}

struct ord {
	unsigned bucket;
	size_t idx;
};

static int ord_cmp(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* A scope's variables and function-statics, in declaration order (gdb
 * lists a static among the locals, where it was declared). */
static const struct dw_var **scope_items(const struct dw_scope *sc, size_t *n)
{
	const struct dw_var **it = xmalloc((sc->nvars + sc->nstatics + 1) * sizeof(*it));
	size_t k = 0, si = 0;

	*n = 0;
	for (;;) {
		while (si < sc->nstatics && sc->statics[si].pos <= k)
			it[(*n)++] = sc->statics[si++].var;
		if (k >= sc->nvars)
			break;
		it[(*n)++] = &sc->vars[k++];
	}
	while (si < sc->nstatics)
		it[(*n)++] = sc->statics[si++].var;
	return it;
}

/* The order gdb lists a nested block's symbols in: its hash table's
 * buckets in turn (n / 5 + 1 of them, measured on gdb 13.1: `info scope`
 * of blocks of 2..40 variables); in a bucket, declaration order (gdb
 * inserts them last to first, each at its bucket's head).  Sorts it. */
static void block_order(const struct dw_var **it, size_t n)
{
	struct ord *o = xmalloc((n ? n : 1) * sizeof(*o));
	const struct dw_var **tmp = xmalloc((n ? n : 1) * sizeof(*tmp));
	unsigned nb = (unsigned)(n / 5 + 1);

	for (size_t k = 0; k < n; k++) {
		o[k].bucket = name_hash(it[k]->name ? it[k]->name : "") % nb;
		o[k].idx = k;
	}
	qsort(o, n, sizeof(*o), ord_cmp);
	for (size_t k = 0; k < n; k++)
		tmp[k] = it[o[k].idx];
	memcpy(it, tmp, n * sizeof(*it));
	free(tmp);
	free(o);
}

/* Evaluate and append a scope's parameters (params) or else its locals
 * and statics; a nested block (nested) in gdb's hashed order. */
static size_t emit_scope(struct frame_env *env, const struct dw_scope *sc, bool nested,
			 bool params, const struct vars_opts *o, struct var_list *out,
			 struct scratch *s)
{
	struct vregs vr = { env->i == 0, o->xmm };
	size_t n, added = 0;
	const struct dw_var **it = scope_items(sc, &n);

	if (nested)
		block_order(it, n);
	for (size_t k = 0; k < n; k++) {
		const struct dw_var *v = it[k];
		struct place pl;

		if ((v->kind == DWV_PARAM) != params)
			continue;
		place_var(&pl, v, env->pc, &env->ctx, type_size(v->type), &vr);
		emit_var(out, v, &pl, &env->mem, o, s);
		added++;
	}
	free(it);
	return added;
}

size_t vars_frame(const struct uw_input *in, const struct uw_stack *st, size_t i,
		  const struct vars_opts *o, struct var_list *out)
{
	const struct dw_scope *scopes[VARS_SCOPES];
	struct frame_env env;
	struct win_ctx wc;
	struct vars_opts wo;
	struct scratch s = { { 0 }, NULL, 0 };
	size_t n, added = 0;

	if (st == NULL || i >= st->n || !env_init(&env, in, st, i, 0, &wc))
		return 0;
	/* strings behind pointers come through the stack window too */
	wo = *o;
	wo.mem = &env.mem;
	n = dwarfinfo_scopes_at(st->frames[i].loc.func, env.pc, scopes, VARS_SCOPES);
	if (n == 0) {
		scopes[0] = &st->frames[i].loc.func->scope;
		n = 1;
	}
	added += emit_scope(&env, scopes[0], false, true, &wo, out, &s);
	for (size_t k = n; k-- > 1;)
		added += emit_scope(&env, scopes[k], true, false, &wo, out, &s);
	added += emit_scope(&env, scopes[0], false, false, &wo, out, &s);
	sb_free(&s.sb);
	free(s.buf);
	return added;
}

size_t vars_globals(struct dwarfinfo *di, const struct elf_module *m,
		    const struct vars_opts *o, struct var_list *out)
{
	const struct dw_var *const *g;
	struct dwexpr_ctx c;
	struct scratch s = { { 0 }, NULL, 0 };
	struct vregs vr = { false, NULL };
	size_t n;

	if (di == NULL || m == NULL)
		return 0;
	n = dwarfinfo_globals(di, &g);
	memset(&c, 0, sizeof(c));
	c.bias = m->bias;
	c.mem = o->mem;
	for (size_t k = 0; k < n; k++) {
		struct place pl;

		/* a global's location holds at every pc: its first entry */
		memset(&pl, 0, sizeof(pl));
		pl.kind = PL_NONE;
		pl.reg = -1;
		if (g[k]->nloc > 0 || g[k]->has_const)
			place_var(&pl, g[k], g[k]->nloc ? g[k]->loc[0].lo : 0, &c,
				  type_size(g[k]->type), &vr);
		emit_var(out, g[k], &pl, o->mem, o, &s);
	}
	sb_free(&s.sb);
	free(s.buf);
	return n;
}

void var_list_clear(struct var_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].type);
		free(l->v[i].value);
		free(l->v[i].points_to);
	}
	l->n = 0;
}

void var_list_free(struct var_list *l)
{
	var_list_clear(l);
	free(l->v);
	l->v = NULL;
	l->cap = 0;
}
