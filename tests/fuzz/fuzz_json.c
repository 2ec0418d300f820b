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
#include "../unit/json_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	m = ref_json_decode((const uint8_t *)sb.buf, sb.len, out);
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
