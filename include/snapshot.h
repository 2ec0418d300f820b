/*
 * snapshot.h - one consistent picture of the program at a stop: the event,
 * where it happened, the address space, every thread's stack frames with
 * their variables, the globals, the heap; and where each pointer points.
 * Views (out_json, out_text, the UI) read only this.
 */
#ifndef MEMVIZ_SNAPSHOT_H
#define MEMVIZ_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "debuginfo.h"
#include "event.h"
#include "heap.h"
#include "procfs.h"
#include "space.h"
#include "unwind.h"
#include "vars.h"

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

struct diag;                      /* diagnose.h */

struct code_loc {                 /* an `at` */
	const char *fn;           /* NULL if unknown */
	uint64_t off;             /* from the start of fn */
	const char *file;         /* NULL without DWARF */
	int line;                 /* 0 if unknown */
	const char *object;       /* path of the ELF object, NULL if none */
};

struct thread_state {
	pid_t tid;
	uint64_t pc, sp;
	bool has_stack;           /* stack and vars below are this stop's */
	struct uw_stack stack;    /* its frames, innermost first */
	struct var_list *vars;    /* vars[i]: frame i's variables */
	size_t vars_cap;
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
	const struct heap_state *heap_prev;  /* the previous stop's heap (what
					    heap->changes are against), or NULL */
	struct thread_state *threads;   /* storage kept across stops */
	size_t nthreads, thread_cap;
	struct var_list globals;  /* the executable's, with the stacks */
	bool has_globals;
	char *ret_value;          /* EV_RETURN: the value as its type prints, or NULL */
	struct sysmem sysmem;     /* the system's memory (status line) */
	bool has_sysmem;
	const char *program;      /* start record: the program path */
	char **argv;              /* start record: its arguments (NULL-terminated) */
	const char **notes;       /* start record: degraded-view notes */
	size_t nnotes;
	const struct diag *diags; /* what the bug detectors found at this stop
				     (diagnose.h; owned by them, valid until
				     the next stop), or NULL */
	size_t ndiags;
};

/* Resolve an address to a code_loc: function, file and line from DWARF
 * (dbg may be NULL: symbols only).  call_ret: addr is a return address,
 * whose line is the call's (addr - 1). */
void snapshot_locate(const struct space *sp, struct debuginfo *dbg, uint64_t addr,
		     bool call_ret, struct code_loc *out);

/* Make room for n threads (keeping each slot's storage) and reset them. */
void snapshot_threads(struct snapshot *snap, size_t n);
/* Unwind one thread and read every frame's variables. */
void snapshot_read_stack(struct thread_state *ts, const struct uw_input *in,
			 const struct user_regs_struct *regs, const struct vars_opts *vo);
/* The executable's globals. */
void snapshot_read_globals(struct snapshot *snap, struct debuginfo *dbg,
			   const struct vars_opts *vo);
/* Say where every pointer variable points: a heap chunk (in use, or
 * freed: dangling), a stack frame (live, or popped: dangling), a global, a
 * function, null, or nothing mapped (wild).  Uses the space, the heap (if
 * taken) and every thread's frames. */
void snapshot_classify(struct snapshot *snap);
/* EV_RETURN of one of the program's functions: ret_value from rax and the
 * function's DWARF return type (integers, pointers, enums, bool; not
 * floating point, which comes back in xmm0). */
void snapshot_return_value(struct snapshot *snap, struct debuginfo *dbg,
			   const struct vars_opts *vo);
void snapshot_free(struct snapshot *snap);

#endif
