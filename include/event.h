/*
 * event.h - what happened at a stop, as the tracer reports it.  Plain data,
 * shared by the tracer (which fills it) and the views (which print it).
 */
#ifndef MEMVIZ_EVENT_H
#define MEMVIZ_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum ev_kind {
	EV_START, EV_BREAK,
	EV_MALLOC, EV_CALLOC, EV_REALLOC, EV_FREE, EV_MEMALIGN,
	EV_CALL, EV_RETURN, EV_LINE,
	EV_BRK, EV_MMAP, EV_MUNMAP, EV_MREMAP,
	EV_SIGNAL, EV_EXIT, EV_DETACH,
	EV_WATCH,                 /* a watched address was accessed (tracer_watch) */
	EV__COUNT
};

/* --stop-on classes, as bits. */
enum stop_class {
	STOP_HEAP = 1u << 0,      /* malloc calloc realloc free and the aligned allocs */
	STOP_CALL = 1u << 1,
	STOP_RETURN = 1u << 2,
	STOP_LINE = 1u << 3,
	STOP_SYSCALL = 1u << 4,   /* brk sbrk mmap munmap mremap (libc wrappers) */
	STOP_SIGNAL = 1u << 5,
	STOP_EXIT = 1u << 6,
};

#define EV_MAX_ARGS 6

struct event {
	enum ev_kind kind;
	pid_t pid, tid;
	const char *fn;           /* the function called: "malloc", "posix_memalign",
				     "sbrk", the --break target...; NULL if none */
	uint64_t args[EV_MAX_ARGS];
	int nargs;
	bool has_ret;
	uint64_t ret;             /* return value (for posix_memalign: the pointer
				     it stored; its int result is in `rc`) */
	int64_t rc;
	uint64_t pc;              /* where the thread is stopped */
	uint64_t call_site;       /* return address of the call (0 if none): the
				     caller's code, for the event's `at` */
	/* EV_SIGNAL */
	int signo, si_code;
	bool has_fault_addr;
	uint64_t fault_addr;
	/* EV_FREE with tracer_opts.free_entry: reported at free's entry,
	 * before the allocator has run (the return is reported as well if
	 * free returns) */
	bool at_entry;
	/* EV_WATCH: the watched address that was read or written (slot: its
	 * debug register); pc is after the accessing instruction */
	uint64_t watch_addr;
	int watch_slot;
	/* EV_EXIT: exit code, or the killing signal */
	bool exited_by_signal;
	int exit_code, exit_signal;
	bool core_dumped;
};

/* "malloc", "signal" ...: the JSON name of a kind. */
const char *event_kind_name(enum ev_kind k);
/* The --stop-on class a kind belongs to (0 for start, break, detach). */
unsigned event_kind_class(enum ev_kind k);
/* Parse a --stop-on list ("heap,signal"); -1 with *bad = the bad word. */
int event_parse_stop_on(const char *list, unsigned *mask, char **bad);

#endif
