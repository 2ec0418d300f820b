/*
 * util.h - allocation wrappers, the one error printer, and a growable
 * string buffer with JSON escaping.
 *
 * Errors follow two layers (STYLE.md #6): readers and walkers return -1/NULL
 * and fill a `char **cause` (heap-allocated, freed by the caller); only main
 * and the UI decide to exit, through util_error()/util_fatal().
 */
#ifndef MEMVIZ_UTIL_H
#define MEMVIZ_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#define MEMVIZ_VERSION "0.1.0"
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Called by util_fatal() before it prints, so the UI can restore the terminal. */
void util_set_fatal_hook(void (*hook)(void));

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *v (of *cap elements of size elem) so that it holds at least need. */
void util_grow(void **v, size_t *cap, size_t need, size_t elem);

/* "memviz: <message>\n" on stderr. */
void util_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* util_error, run the fatal hook, exit(1). */
noreturn void util_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set *cause (if cause != NULL) to a formatted heap string; returns -1. */
int util_cause(char **cause, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Read a whole (proc) file into a NUL-terminated heap buffer; NULL + errno on failure. */
char *util_read_file(const char *path, size_t *len);

/* An anonymous file (memfd) holding buf's len bytes, for libraries that
 * read only files (libdwarf, in the fuzzers); -1 + errno on failure. */
int util_memfd(const char *name, const void *buf, size_t len);

/* A growable byte string, always NUL-terminated when buf != NULL. */
struct strbuf {
	char *buf;
	size_t len, cap;
};

void sb_reset(struct strbuf *sb);            /* len = 0, keeps the storage */
void sb_free(struct strbuf *sb);
void sb_putc(struct strbuf *sb, char c);
void sb_putn(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* "0x%" PRIx64 in quotes: the JSON form of an address. */
void sb_json_addr(struct strbuf *sb, uint64_t addr);
/*
 * A JSON string literal (with the quotes) for arbitrary bytes s[0..n).
 * Valid UTF-8 passes through; each byte that is not part of valid UTF-8 is
 * written as \udcXX (XX = the byte), Python's "surrogateescape" convention,
 * so a consumer can recover the exact bytes of a path that is not UTF-8.
 * A NULL s is written as null.
 */
void sb_json_strn(struct strbuf *sb, const char *s, size_t n);
void sb_json_str(struct strbuf *sb, const char *s);

/* How a model reads the program's memory (tracer_read in memviz, a byte
 * buffer in the fuzzer and the unit tests).  0 on success. */
struct mem_reader {
	void *ctx;
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
};

#endif
