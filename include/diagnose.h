/*
 * diagnose.h - the bug detectors: what a program did wrong, found from
 * the events and the snapshots (DESIGN.md's `diagnostics`).
 *
 * Each diagnostic names its kind, the address at fault, and where it
 * happened (function, file, line).  The conventions (tests/t_diagnostics
 * and demos/bugs.c rely on them):
 *
 *   kind                    addr                          at
 *   double_free             the pointer freed again       the second free's caller line
 *   invalid_free            the pointer given to free     the free's caller line
 *   header_overwrite        the chunk whose size field    the heap stop where the walk
 *                           no longer holds what the      found it
 *                           allocator wrote
 *   leak                    the block's user pointer      where it was allocated
 *                           (size: bytes requested)
 *   stack_smash             the overwritten return-       the line that overwrote it
 *                           address slot                  (with --stop-on line), else
 *                                                         where it was found
 *   dangling_stack_pointer  the pointer's value (into a   the caller's line that
 *                           popped frame)                 received it (a return), or
 *                                                         the stop where a variable
 *                                                         holds it
 *   use_after_free          the address accessed in the   the line of the access
 *                           freed block
 *   bad_deref               the fault address             the faulting line
 *   uninit_read             the local variable read       the line of the read
 *                           before any write
 *
 * double_free and invalid_free are found at free's entry (the heap as it
 * was), so they are reported before glibc can abort the program.
 */
#ifndef MEMVIZ_DIAGNOSE_H
#define MEMVIZ_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "snapshot.h"

enum diag_kind {
	DG_DOUBLE_FREE, DG_INVALID_FREE, DG_HEADER_OVERWRITE, DG_LEAK, DG_STACK_SMASH,
	DG_DANGLING_STACK_POINTER, DG_USE_AFTER_FREE, DG_BAD_DEREF, DG_UNINIT_READ,
	DG__COUNT
};

struct diag {
	enum diag_kind kind;
	uint64_t addr;            /* see the table above */
	pid_t tid;                /* the thread, 0 if none in particular */
	struct code_loc at;       /* strings owned by debuginfo or interned */
	uint64_t size;            /* leak: bytes requested; else 0 */
	char message[240];        /* one sentence, English, no newline */
};

/* "double_free" ...: the JSON name ("?" out of range). */
const char *diag_kind_name(enum diag_kind k);

/* ---- the detectors' session ---------------------------------------------
 *
 * main feeds every event to diagnose_event (also the stops the UI skips),
 * then, for the stops it reports, the snapshot to diagnose_stop, which
 * fills snap->diags.  What the detectors need from the live process
 * (memory, registers, watchpoints, the heap as it is now...) they ask
 * through diagnose_ops, so they run on synthetic events in the unit test.
 * Which detectors run, and their limits: diagnose.c's header comment and
 * README's "Diagnostics".
 */

#define DIAG_WATCH_SLOTS 4        /* x86 debug registers DR0-DR3 */

/* A frame of a thread, innermost first (diagnose_ops.frames). */
struct diag_frame {
	uint64_t pc;              /* frame 0: where the thread is; others: the
				     return address into it */
	const char *fn;           /* its function, NULL if unknown */
	bool in_exe;              /* pc is in the main executable */
};

struct user_regs_struct;

/* The process, as the detectors see it.  A NULL callback turns off what
 * needs it. */
struct diagnose_ops {
	void *ctx;
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);   /* 0 ok */
	/* code as the ELF file has it (memory holds the tracer's int3s) */
	int (*read_code)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*regs)(void *ctx, pid_t tid, struct user_regs_struct *r);  /* 0 ok */
	int (*watch)(void *ctx, int slot, uint64_t addr, int len);       /* tracer_watch */
	int (*unwatch)(void *ctx, int slot);
	size_t (*hidden_returns)(void *ctx, pid_t tid, uint64_t *slots, uint64_t *origs,
				 size_t max);
	uint64_t (*trampoline)(void *ctx);
	/* glibc's heap walked now (the free-entry checks), NULL if it cannot be */
	const struct heap_state *(*heap_now)(void *ctx);
	/* thread tid's frames (at most max), innermost first */
	size_t (*frames)(void *ctx, pid_t tid, struct diag_frame *out, size_t max);
	/* snapshot_locate over the session's space and debug info */
	void (*locate)(void *ctx, uint64_t addr, bool call_ret, struct code_loc *out);
	bool (*in_exe)(void *ctx, uint64_t addr);   /* in the main executable */
	/* the symbol holding addr, from the symbol tables only (cheap), or NULL */
	const char *(*symbol)(void *ctx, uint64_t addr);
};

struct diagnose_opts {
	unsigned stop_mask;       /* the session's --stop-on (STOP_*) */
	bool attached;            /* -p: blocks allocated before the attach are unknown */
};

struct diagnose;

struct diagnose *diagnose_new(const struct diagnose_ops *ops, const struct diagnose_opts *o);
void diagnose_free(struct diagnose *d);
/* Every event the tracer reports, before any snapshot of it.  false: the
 * stop has nothing to show and the session resumes at once without a
 * record (a free's entry that is no bug, a watchpoint hit by the
 * allocator itself or by a write); true: report it as usual. */
bool diagnose_event(struct diagnose *d, const struct event *ev);
/* Did the last event already yield a diagnostic (a double free at free's
 * entry, a use after free...)?  The UI stops there even when running on. */
bool diagnose_pending(const struct diagnose *d);
/* At a reported stop, its snapshot taken (stacks and heap, as the session
 * read them): run the detectors over it and set snap->diags / ndiags.
 * The array stays valid until the next diagnose_event; the strings of
 * each `at` until diagnose_free. */
void diagnose_stop(struct diagnose *d, struct snapshot *snap);

#endif
