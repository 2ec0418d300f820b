/*
 * util.c - allocation wrappers, the error printer, reading /proc files, and
 * the string buffer with its JSON escaper.
 *
 * The JSON escaper is on the hot path (one record per stop, tens of
 * thousands of stops a second): runs of plain ASCII are copied with one
 * memcpy, and only the bytes that need it go through the slow path.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The one piece of mutable state: the UI's terminal-restoring hook. */
static void (*fatal_hook)(void);

/* Remember the hook util_fatal() runs before printing. */
void util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

/* Die on allocation failure (the hook restores the terminal first). */
static noreturn void out_of_memory(void)
{
	util_fatal("out of memory");
}

/* malloc or die; never returns NULL, even for n == 0. */
void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		out_of_memory();
	return p;
}

/* calloc or die. */
void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

/* realloc or die; n == 0 keeps a valid (1-byte) block. */
void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		out_of_memory();
	return q;
}

/* strdup or die. */
char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

/* vasprintf or die. */
static char *xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		out_of_memory();
	return s;
}

/* asprintf or die. */
char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Grow *v to at least need elements of elem bytes, doubling; dies on overflow. */
void util_grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			out_of_memory();
		n *= 2;
	}
	if (elem && n > SIZE_MAX / elem)
		out_of_memory();
	*v = xrealloc(*v, n * elem);
	*cap = n;
}

/* "memviz: <message>\n" on stderr, from a va_list. */
static void verror(const char *fmt, va_list ap)
{
	fputs("memviz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Print one error line. */
void util_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(fmt, ap);
	va_end(ap);
}

/* Run the hook once (so the terminal is back), print, exit(1).  The message
 * is formatted first, as the hook may free what the arguments point to; no
 * allocation is needed, so running out of memory can still be reported. */
noreturn void util_fatal(const char *fmt, ...)
{
	void (*hook)(void) = fatal_hook;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fatal_hook = NULL;          /* a hook that dies itself does not loop */
	if (hook)
		hook();
	util_error("%s", msg);
	exit(1);
}

/* Set *cause to a formatted heap string (if cause); returns -1. */
int util_cause(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (!cause)
		return -1;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* Read all of fd into a NUL-terminated heap buffer (size unknown for /proc). */
static char *read_fd(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t r;

		if (cap - n < 2)
			util_grow((void **)&buf, &cap, cap + 1, 1);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(buf);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Read a whole file (st_size may be 0, as for /proc); NULL + errno on failure. */
char *util_read_file(const char *path, size_t *len)
{
	int fd, e;
	char *buf;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return NULL;
	buf = read_fd(fd, len);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

int util_memfd(const char *name, const void *buf, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC), e;
	size_t done = 0;

	while (fd >= 0 && done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			close(fd);
			errno = e;
			return -1;
		}
		done += (size_t)n;
	}
	return fd;
}

/* Make room for extra more bytes plus the NUL. */
static inline void sb_reserve(struct strbuf *sb, size_t extra)
{
	size_t need;

	if (sb->cap - sb->len > extra)
		return;
	if (extra > SIZE_MAX - sb->len - 1)
		out_of_memory();
	need = sb->len + extra + 1;
	util_grow((void **)&sb->buf, &sb->cap, need < 64 ? 64 : need, 1);
}

/* Empty the buffer, keeping its storage. */
void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

/* Free the storage; the buffer is empty and reusable after. */
void sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

/* Append one byte. */
void sb_putc(struct strbuf *sb, char c)
{
	sb_reserve(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

/* Append n bytes. */
void sb_putn(struct strbuf *sb, const char *s, size_t n)
{
	sb_reserve(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

/* Append a C string. */
void sb_puts(struct strbuf *sb, const char *s)
{
	sb_putn(sb, s, strlen(s));
}

/* Append formatted text, from a va_list (at most two vsnprintf calls). */
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	size_t room;
	int n;

	sb_reserve(sb, 64);
	room = sb->cap - sb->len;
	va_copy(ap2, ap);
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {                /* encoding error: append nothing */
		sb->buf[sb->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		sb_reserve(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	}
	sb->len += (size_t)n;
}

/* Append formatted text. */
void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

static const char hexdig[] = "0123456789abcdef";

/* "0x..." with the quotes, lowercase, no leading zeros (no printf). */
void sb_json_addr(struct strbuf *sb, uint64_t addr)
{
	char tmp[20];
	size_t i = sizeof tmp;

	tmp[--i] = '"';
	do {
		tmp[--i] = hexdig[addr & 0xf];
		addr >>= 4;
	} while (addr);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	tmp[--i] = '"';
	sb_putn(sb, tmp + i, sizeof tmp - i);
}

/*
 * Byte classes for the escaper: 0 = copy as is (printable ASCII but " and
 * \), 1 = needs an escape (controls, " and \), 2 = starts a multi-byte
 * UTF-8 sequence (checked by utf8_len), 3 = never valid in UTF-8.
 */
static const unsigned char json_class[256] = {
	[0x00 ... 0x1f] = 1,
	['"'] = 1, ['\\'] = 1,
	[0x80 ... 0xc1] = 3,        /* continuation bytes; C0 C1 are overlong */
	[0xc2 ... 0xf4] = 2,
	[0xf5 ... 0xff] = 3,
};

/*
 * Length of the valid UTF-8 sequence at s[0..n) (s[0] >= 0xc2), or 0.
 * Follows Unicode table 3-7: no overlongs, no surrogates, <= U+10FFFF.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0xe0)
		len = 2;
	else if (c < 0xf0)
		len = 3;
	else
		len = 4;
	if (c == 0xe0)
		lo = 0xa0;          /* overlong 3-byte */
	else if (c == 0xed)
		hi = 0x9f;          /* UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90;          /* overlong 4-byte */
	else if (c == 0xf4)
		hi = 0x8f;          /* above U+10FFFF */
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* Append the JSON escape for an ASCII byte of class 1. */
static void json_escape_ascii(struct strbuf *sb, unsigned char c)
{
	char e[6] = { '\\', 0, 0, 0, 0, 0 };
	size_t n = 2;

	switch (c) {
	case '"':  e[1] = '"'; break;
	case '\\': e[1] = '\\'; break;
	case '\n': e[1] = 'n'; break;
	case '\t': e[1] = 't'; break;
	case '\r': e[1] = 'r'; break;
	case '\b': e[1] = 'b'; break;
	case '\f': e[1] = 'f'; break;
	default:
		memcpy(e + 1, "u00", 3);
		e[4] = hexdig[c >> 4];
		e[5] = hexdig[c & 0xf];
		n = 6;
	}
	sb_putn(sb, e, n);
}

/* Append \udcXX for a byte that is not part of valid UTF-8. */
static void json_escape_raw(struct strbuf *sb, unsigned char c)
{
	char e[6] = { '\\', 'u', 'd', 'c', hexdig[c >> 4], hexdig[c & 0xf] };

	sb_putn(sb, e, sizeof e);
}

/* A JSON string literal for arbitrary bytes (see util.h); NULL -> null. */
void sb_json_strn(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end;

	if (!s) {
		sb_putn(sb, "null", 4);
		return;
	}
	end = p + n;
	sb_reserve(sb, n + 2);      /* enough unless something needs escaping */
	sb->buf[sb->len++] = '"';
	while (p < end) {
		const unsigned char *run = p;
		size_t len;

		while (p < end && json_class[*p] == 0)
			p++;
		if (p > run)
			sb_putn(sb, (const char *)run, (size_t)(p - run));
		if (p == end)
			break;
		if (json_class[*p] == 1) {
			json_escape_ascii(sb, *p++);
		} else if (json_class[*p] == 2 && (len = utf8_len(p, (size_t)(end - p))) != 0) {
			sb_putn(sb, (const char *)p, len);
			p += len;
		} else {
			json_escape_raw(sb, *p++);
		}
	}
	sb_putc(sb, '"');
}

/* A JSON string literal for a C string; NULL -> null. */
void sb_json_str(struct strbuf *sb, const char *s)
{
	sb_json_strn(sb, s, s ? strlen(s) : 0);
}
