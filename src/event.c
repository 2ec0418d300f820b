/*
 * event.c - names and --stop-on classes of event kinds.
 */
#include "event.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* JSON names, in enum ev_kind order. */
static const char *const kind_names[EV__COUNT] = {
	[EV_START] = "start", [EV_BREAK] = "break",
	[EV_MALLOC] = "malloc", [EV_CALLOC] = "calloc", [EV_REALLOC] = "realloc",
	[EV_FREE] = "free", [EV_MEMALIGN] = "memalign",
	[EV_CALL] = "call", [EV_RETURN] = "return", [EV_LINE] = "line",
	[EV_BRK] = "brk", [EV_MMAP] = "mmap", [EV_MUNMAP] = "munmap",
	[EV_MREMAP] = "mremap",
	[EV_SIGNAL] = "signal", [EV_EXIT] = "exit", [EV_DETACH] = "detach",
	[EV_WATCH] = "watch",
};

/* The --stop-on class of each kind (0: always reported / never filtered). */
static const unsigned kind_classes[EV__COUNT] = {
	[EV_MALLOC] = STOP_HEAP, [EV_CALLOC] = STOP_HEAP, [EV_REALLOC] = STOP_HEAP,
	[EV_FREE] = STOP_HEAP, [EV_MEMALIGN] = STOP_HEAP,
	[EV_CALL] = STOP_CALL, [EV_RETURN] = STOP_RETURN, [EV_LINE] = STOP_LINE,
	[EV_BRK] = STOP_SYSCALL, [EV_MMAP] = STOP_SYSCALL,
	[EV_MUNMAP] = STOP_SYSCALL, [EV_MREMAP] = STOP_SYSCALL,
	[EV_SIGNAL] = STOP_SIGNAL, [EV_EXIT] = STOP_EXIT,
};

/* The words of --stop-on and their bits. */
static const struct {
	const char *word;
	unsigned mask;
} stop_words[] = {
	{ "heap", STOP_HEAP }, { "call", STOP_CALL }, { "return", STOP_RETURN },
	{ "line", STOP_LINE }, { "syscall", STOP_SYSCALL },
	{ "signal", STOP_SIGNAL }, { "exit", STOP_EXIT },
	{ "all", STOP_HEAP | STOP_CALL | STOP_RETURN | STOP_LINE | STOP_SYSCALL |
		 STOP_SIGNAL | STOP_EXIT },
};

/* The JSON name of a kind ("?" if out of range). */
const char *event_kind_name(enum ev_kind k)
{
	if ((unsigned)k >= EV__COUNT)
		return "?";
	return kind_names[k];
}

/* The --stop-on class bit of a kind (0 for start, break, detach). */
unsigned event_kind_class(enum ev_kind k)
{
	if ((unsigned)k >= EV__COUNT)
		return 0;
	return kind_classes[k];
}

/* The bits of one --stop-on word of length n; 0 if unknown or empty. */
static unsigned stop_word_mask(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(stop_words); i++)
		if (strlen(stop_words[i].word) == n && memcmp(stop_words[i].word, w, n) == 0)
			return stop_words[i].mask;
	return 0;
}

/* Parse "heap,signal" into *mask; -1 with *bad = the bad word (heap). */
int event_parse_stop_on(const char *list, unsigned *mask, char **bad)
{
	unsigned m = 0;
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned w = stop_word_mask(p, n);

		if (!w) {
			if (bad)
				*bad = strndup(p, n);
			if (bad && !*bad)
				util_fatal("out of memory");
			return -1;
		}
		m |= w;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	*mask = m;
	return 0;
}
