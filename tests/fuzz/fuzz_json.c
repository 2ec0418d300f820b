/* fuzz_json.c - libFuzzer harness for the JSON string escaper and the
 * views' handling of arbitrary bytes: sb_json_strn must always produce a
 * well-formed JSON string (valid UTF-8, no raw control bytes) that decodes,
 * surrogateescape-style, to the input; a start record whose program is the
 * input must be one line of JSON, and its text form plain ASCII.
 *   make fuzz && build/fuzz/fuzz_json -max_total_time=60 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the valid UTF-8 sequence at p, decoded independently; 0 if not. */
static size_t ref_utf8(const uint8_t *p, const uint8_t *end)
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

/* Value of a hex digit, or -1. */
static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode the literal lit[0..n) into out (surrogateescape); -1 if malformed. */
static long decode(const uint8_t *p, size_t n, uint8_t *out)
{
	const uint8_t *end = p + n;
	long m = 0;

	if (n < 2 || p[0] != '"' || end[-1] != '"')
		return -1;
	p++, end--;
	while (p < end) {
		size_t len;
		int v, i;

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
		case '"': case '\\': out[m++] = p[1]; break;
		case 'n': out[m++] = '\n'; break;
		case 't': out[m++] = '\t'; break;
		case 'r': out[m++] = '\r'; break;
		case 'b': out[m++] = '\b'; break;
		case 'f': out[m++] = '\f'; break;
		case 'u':
			if (end - p < 6)
				return -1;
			for (v = 0, i = 2; i < 6; i++) {
				if (hexval(p[i]) < 0)
					return -1;
				v = v * 16 + hexval(p[i]);
			}
			if (v >= 0x20 && (v < 0xdc80 || v > 0xdcff))
				return -1;
			out[m++] = (uint8_t)v;
			p += 4;
			break;
		default:
			return -1;
		}
		p += 2;
	}
	return m;
}

/* The program path of a start record, through both views. */
static void check_views(const char *prog)
{
	struct snapshot s;
	struct strbuf sb = { 0 };
	char *buf = NULL, *q;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	memset(&s, 0, sizeof s);
	s.fields = FIELD_ALL;
	s.ev.kind = EV_START;
	s.program = prog;
	if (out_json_write(f, &s, &sb) != 0 || fflush(f) != 0)
		abort();
	if (memchr(buf, '\n', len) != buf + len - 1)
		abort();            /* exactly one line */
	fclose(f);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		abort();
	if (out_text_write(f, &s, &sb) != 0 || fflush(f) != 0)
		abort();
	for (q = buf; q < buf + len; q++)
		if (*q != '\n' && (*q < 0x20 || *q >= 0x7f))
			abort();    /* plain ASCII only */
	fclose(f);
	free(buf);
	sb_free(&sb);
}

/* One input: escape, decode, compare; then through the views. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb = { 0 };
	uint8_t *out = malloc(size + 1);
	char *prog;
	long m;

	if (!out)
		return 0;
	sb_json_strn(&sb, (const char *)data, size);
	if (strlen(sb.buf) != sb.len)
		abort();            /* no raw NUL in the output */
	m = decode((const uint8_t *)sb.buf, sb.len, out);
	if (m != (long)size || memcmp(out, data, size) != 0)
		abort();
	free(out);
	sb_free(&sb);

	prog = strndup((const char *)data, size);
	if (prog)
		check_views(prog);
	free(prog);
	return 0;
}
