/*
 * snapshot.h - one consistent picture of the program at a stop: the event,
 * where it happened, the address space, the threads (stack frames: later),
 * the heap (later).  Views (out_json, out_text, the UI) read only this.
 */
#ifndef MEMVIZ_SNAPSHOT_H
#define MEMVIZ_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "event.h"
#include "heap.h"
#include "space.h"

/* --fields, as bits */
enum field {
	FIELD_EVENT = 1u << 0,
	FIELD_SPACE = 1u << 1,
	FIELD_STACK = 1u << 2,
	FIELD_HEAP = 1u << 3,
	FIELD_DIAG = 1u << 4,
	FIELD_ALL = 0x1f,
};
/* Parse a --fields list; -1 with *bad = the bad word (heap string). */
int snapshot_parse_fields(const char *list, unsigned *mask, char **bad);

struct code_loc {                 /* an `at` */
	const char *fn;           /* NULL if unknown */
	uint64_t off;             /* from the start of fn */
	const char *file;         /* NULL until DWARF */
	int line;                 /* 0 if unknown */
	const char *object;       /* path of the ELF object, NULL if none */
};

struct thread_state {
	pid_t tid;
	uint64_t pc, sp;
};

struct snapshot {
	unsigned long seq;
	pid_t pid;
	unsigned fields;          /* which parts below are filled */
	struct event ev;
	struct code_loc at;       /* where the event happened (caller for calls) */
	const char *signal_region;/* EV_SIGNAL: region kind or "unmapped" */
	const struct space *space;/* borrowed; NULL if not taken */
	const struct heap_state *heap;  /* borrowed; NULL if not taken */
	struct thread_state *threads;
	size_t nthreads, thread_cap;
	const char *program;      /* start record: the program path */
	char **argv;              /* start record: its arguments (NULL-terminated) */
	const char **notes;       /* start record: degraded-view notes */
	size_t nnotes;
};

/* Resolve an address to a code_loc through the space's ELF modules. */
void snapshot_locate(const struct space *sp, uint64_t addr, struct code_loc *out);

#endif
