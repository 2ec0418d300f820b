/*
 * json_ref.h - a reference decoder of the JSON strings memviz writes, for
 * the tests and the fuzzer: independent of util.c, it checks that a literal
 * is well formed (valid UTF-8, no raw controls, only the escapes the
 * escaper emits) and turns it back into bytes as Python's
 * "surrogateescape" would (\udcXX -> byte XX).
 */
#ifndef MEMVIZ_JSON_REF_H
#define MEMVIZ_JSON_REF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (p < end), decoded by code
 * point; 0 if invalid (overlong, surrogate, above U+10FFFF, truncated). */
static inline size_t ref_utf8(const uint8_t *p, const uint8_t *end)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		len = 2, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		len = 3, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* 4 hex digits at p (p has 4 bytes); -1 if not hex. */
static inline long ref_hex4(const uint8_t *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Decode the literal lit[0..n) (with its quotes) into out; its length, or
 * -1 if it is not what the escaper writes. */
static inline long ref_json_decode(const uint8_t *lit, size_t n, uint8_t *out)
{
	const uint8_t *p = lit, *end = lit + n;
	long m = 0, v;
	size_t len;

	if (n < 2 || p[0] != '"' || end[-1] != '"')
		return -1;
	p++, end--;
	while (p < end) {
		if (*p < 0x20 || *p == '"')
			return -1;
		if (*p != '\\') {
			if ((len = ref_utf8(p, end)) == 0)
				return -1;
			memcpy(out + m, p, len);
			m += (long)len, p += len;
			continue;
		}
		if (end - p < 2)
			return -1;
		switch (p[1]) {
		case '"': case '\\': case '/': out[m++] = p[1]; break;
		case 'n': out[m++] = '\n'; break;
		case 't': out[m++] = '\t'; break;
		case 'r': out[m++] = '\r'; break;
		case 'b': out[m++] = '\b'; break;
		case 'f': out[m++] = '\f'; break;
		case 'u':
			if (end - p < 6 || (v = ref_hex4(p + 2)) < 0)
				return -1;
			if (v >= 0x20 && (v < 0xdc80 || v > 0xdcff))
				return -1;      /* the escaper writes no other \\u */
			out[m++] = (uint8_t)(v & 0xff);
			p += 4;
			break;
		default:
			return -1;
		}
		p += 2;
	}
	return m;
}

#endif
