/* test_util.c - strbuf, the JSON string escaper, allocation helpers,
 * util_read_file and util_fatal. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "json_ref.h"
#include "util.h"

/* sb_json_strn(s, n) as a heap string. */
static char *json(const char *s, size_t n)
{
	struct strbuf sb = { 0 };
	char *r;

	sb_json_strn(&sb, s, n);
	r = xstrdup(sb.buf);
	sb_free(&sb);
	return r;
}

/* Compare json(s, n) with want; frees the result. */
static void check_json(const char *s, size_t n, const char *want, int line)
{
	char *got = json(s, n);

	if (strcmp(got, want) != 0) {
		fprintf(stderr, "line %d: json escape: got %s want %s\n", line, got, want);
		check_failures++;
	}
	free(got);
}
#define JSON_IS(lit, want) check_json(lit, sizeof(lit) - 1, want, __LINE__)

/* Growth, NUL termination, reset keeping storage, printf past capacity. */
static void test_strbuf(void)
{
	struct strbuf sb = { 0 };
	char big[300];
	size_t i, cap;

	for (i = 0; i < 100000; i++)
		sb_putc(&sb, (char)('a' + i % 26));
	CHECK_EQ_U(sb.len, 100000);
	CHECK(sb.cap > sb.len);
	CHECK(sb.buf[sb.len] == '\0');
	CHECK(sb.buf[99999] == 'a' + 99999 % 26);
	CHECK(sb.cap < 4 * 100000);         /* amortized doubling, not wild */
	cap = sb.cap;
	sb_reset(&sb);
	CHECK_EQ_U(sb.len, 0);
	CHECK_EQ_U(sb.cap, cap);
	CHECK_STR(sb.buf, "");
	sb_free(&sb);

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	sb_puts(&sb, "ab");
	sb_printf(&sb, "%d-%s-%c", 42, big, 'z');
	CHECK_EQ_U(sb.len, 2 + 3 + 299 + 2);
	CHECK(strncmp(sb.buf, "ab42-xxx", 8) == 0);
	CHECK(strcmp(sb.buf + sb.len - 3, "x-z") == 0);
	CHECK_EQ_U(strlen(sb.buf), sb.len);
	sb_putn(&sb, "\0q", 2);             /* embedded NUL kept */
	CHECK_EQ_U(sb.len, 308);
	CHECK(sb.buf[306] == '\0' && sb.buf[307] == 'q' && sb.buf[308] == '\0');
	sb_free(&sb);
	CHECK(sb.buf == NULL && sb.len == 0 && sb.cap == 0);
	sb_reset(&sb);                      /* on an empty buffer: no crash */
	sb_printf(&sb, "%s", "");
	CHECK_STR(sb.buf, "");
	sb_free(&sb);
}

/* xasprintf, xstrdup, util_grow, util_cause. */
static void test_alloc(void)
{
	char *s = xasprintf("%s=%d/%#x", "n", -7, 255);
	int *v = NULL;
	size_t cap = 0;
	char *cause = NULL;

	CHECK_STR(s, "n=-7/0xff");
	free(s);
	s = xstrdup("");
	CHECK_STR(s, "");
	free(s);
	util_grow((void **)&v, &cap, 1000, sizeof *v);
	CHECK(cap >= 1000);
	v[999] = 5;
	util_grow((void **)&v, &cap, 10, sizeof *v);   /* never shrinks */
	CHECK(cap >= 1000 && v[999] == 5);
	free(v);
	CHECK(util_cause(&cause, "no such process %d", 12) == -1);
	CHECK_STR(cause, "no such process 12");
	free(cause);
	CHECK(util_cause(NULL, "ignored") == -1);
	free(xmalloc(0));
	free(xcalloc(0, 8));
}

/* Fixed cases: ASCII, escapes, valid and invalid UTF-8. */
static void test_json_cases(void)
{
	struct strbuf sb = { 0 };

	JSON_IS("", "\"\"");
	JSON_IS("hello /tmp/a b", "\"hello /tmp/a b\"");
	JSON_IS("a\"b\\c", "\"a\\\"b\\\\c\"");
	JSON_IS("\n\t\r\b\f", "\"\\n\\t\\r\\b\\f\"");
	JSON_IS("\x01\x1f\x7f", "\"\\u0001\\u001f\x7f\"");
	JSON_IS("a\0b", "\"a\\u0000b\"");
	/* valid UTF-8 passes: 2, 3, 4 bytes and the edges of each range */
	JSON_IS("\xc3\xa9", "\"\xc3\xa9\"");
	JSON_IS("\xc2\x80", "\"\xc2\x80\"");
	JSON_IS("\xe2\x82\xac", "\"\xe2\x82\xac\"");
	JSON_IS("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");
	JSON_IS("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");        /* U+D7FF */
	JSON_IS("\xee\x80\x80", "\"\xee\x80\x80\"");        /* U+E000 */
	JSON_IS("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");        /* U+FFFF */
	JSON_IS("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
	JSON_IS("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\"");
	JSON_IS("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	/* not UTF-8: each byte alone */
	JSON_IS("\xff", "\"\\udcff\"");
	JSON_IS("\x80", "\"\\udc80\"");
	JSON_IS("\xc0\x80", "\"\\udcc0\\udc80\"");          /* overlong NUL */
	JSON_IS("\xc1\xbf", "\"\\udcc1\\udcbf\"");
	JSON_IS("\xe0\x80\xaf", "\"\\udce0\\udc80\\udcaf\"");
	JSON_IS("\xf0\x8f\xbf\xbf", "\"\\udcf0\\udc8f\\udcbf\\udcbf\"");
	JSON_IS("\xed\xa0\x80", "\"\\udced\\udca0\\udc80\"");  /* U+D800 */
	JSON_IS("\xed\xbf\xbf", "\"\\udced\\udcbf\\udcbf\"");  /* U+DFFF */
	JSON_IS("\xf4\x90\x80\x80", "\"\\udcf4\\udc90\\udc80\\udc80\"");
	JSON_IS("\xf5\x80\x80\x80", "\"\\udcf5\\udc80\\udc80\\udc80\"");
	JSON_IS("a\xe2\x82", "\"a\\udce2\\udc82\"");          /* truncated at end */
	JSON_IS("\xe2\x82z", "\"\\udce2\\udc82z\"");          /* truncated inside */
	JSON_IS("\xf0\x9f\x98", "\"\\udcf0\\udc9f\\udc98\"");
	JSON_IS("\xc3\xc3\xa9", "\"\\udcc3\xc3\xa9\"");       /* resync on next lead */
	JSON_IS("x\xff\"\xc3\xa9\n", "\"x\\udcff\\\"\xc3\xa9\\n\"");

	sb_json_str(&sb, NULL);
	CHECK_STR(sb.buf, "null");
	sb_reset(&sb);
	sb_json_str(&sb, "p");
	sb_json_addr(&sb, 0);
	sb_json_addr(&sb, 0x5555555592a0);
	sb_json_addr(&sb, UINT64_MAX);
	CHECK_STR(sb.buf, "\"p\"\"0x0\"\"0x5555555592a0\"\"0xffffffffffffffff\"");
	sb_free(&sb);
}


/* Escape then decode s[0..n); it must be well formed and give s back. */
static int roundtrip(const unsigned char *s, size_t n)
{
	unsigned char out[64];
	char *lit = json((const char *)s, n);
	long m = ref_json_decode((const uint8_t *)lit, strlen(lit), out);
	int ok = m == (long)n && memcmp(out, s, n) == 0;

	if (!ok) {
		fprintf(stderr, "roundtrip failed for %s (n=%zu)\n", lit, n);
		check_failures++;
	}
	free(lit);
	return ok;
}

/* xorshift64: deterministic test input. */
static uint64_t rnd(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

/* Every 1- and 2-byte string, 3-byte strings from a lead byte, random mixes. */
static void test_json_roundtrip(void)
{
	unsigned char b[16];
	uint64_t st = 0x9e3779b97f4a7c15ULL;
	unsigned i, j, k;
	int fails = 0;

	for (i = 0; i < 65536 && fails < 5; i++) {
		b[0] = (unsigned char)(i >> 8);
		b[1] = (unsigned char)i;
		fails += !roundtrip(b, 1) + !roundtrip(b, 2);
	}
	for (i = 0xc0; i < 0x100 && fails < 5; i++)
		for (j = 0x70; j < 0xd0; j++)
			for (k = 0x70; k < 0xd0; k++) {
				b[0] = (unsigned char)i, b[1] = (unsigned char)j;
				b[2] = (unsigned char)k;
				fails += !roundtrip(b, 3);
			}
	for (i = 0; i < 200000 && fails < 5; i++) {
		size_t n = rnd(&st) % sizeof b;

		for (j = 0; j < n; j++) {
			uint64_t r = rnd(&st);

			/* bias towards lead and continuation bytes */
			b[j] = (unsigned char)(r & 1 ? 0x80 + (r >> 8) % 0x78 : r >> 8);
		}
		fails += !roundtrip(b, n);
	}
}

/* A file larger than one read chunk, a /proc file, a missing file. */
static void test_read_file(void)
{
	char path[] = "/tmp/memviz_test_util_XXXXXX";
	int fd = mkstemp(path);
	size_t len = 0, i;
	char *buf, *data = xmalloc(100000);

	CHECK(fd >= 0);
	for (i = 0; i < 100000; i++)
		data[i] = (char)(i * 7);
	CHECK(write(fd, data, 100000) == 100000);
	close(fd);
	buf = util_read_file(path, &len);
	CHECK(buf != NULL);
	CHECK_EQ_U(len, 100000);
	CHECK(buf && memcmp(buf, data, 100000) == 0 && buf[100000] == '\0');
	free(buf);
	unlink(path);
	free(data);

	buf = util_read_file("/proc/self/maps", &len);
	CHECK(buf != NULL && len > 0 && strlen(buf) == len);
	free(buf);
	errno = 0;
	CHECK(util_read_file("/nonexistent/memviz", &len) == NULL);
	CHECK(errno == ENOENT);
}

/* The fatal hook: runs first, once (even if it dies itself). */
static void hook_plain(void)
{
	fputs("HOOK\n", stderr);
}

/* A hook that calls util_fatal itself. */
static void hook_recursive(void)
{
	fputs("HOOK\n", stderr);
	util_fatal("from hook");
}

/* Run util_fatal in a child with stderr on a pipe; its output and status. */
static void run_fatal(void (*hook)(void), char *out, size_t cap, int *status)
{
	int fds[2];
	pid_t pid;
	ssize_t n, tot = 0;

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		util_set_fatal_hook(hook);
		util_fatal("bad %s %d", "thing", 5);
	}
	close(fds[1]);
	while ((n = read(fds[0], out + tot, cap - 1 - (size_t)tot)) > 0)
		tot += n;
	out[tot] = '\0';
	close(fds[0]);
	waitpid(pid, status, 0);
}

/* util_fatal: hook, then the message, exit 1. */
static void test_fatal(void)
{
	char out[256];
	int st;

	run_fatal(hook_plain, out, sizeof out, &st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CHECK_STR(out, "HOOK\nmemviz: bad thing 5\n");
	run_fatal(hook_recursive, out, sizeof out, &st);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CHECK_STR(out, "HOOK\nmemviz: from hook\n");
	run_fatal(NULL, out, sizeof out, &st);
	CHECK_STR(out, "memviz: bad thing 5\n");
}

int main(void)
{
	test_strbuf();
	test_alloc();
	test_json_cases();
	test_json_roundtrip();
	test_read_file();
	test_fatal();
	CHECK_DONE();
}
