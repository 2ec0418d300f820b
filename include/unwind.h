/*
 * unwind.h - the frames of one thread, from its registers: DWARF CFI
 * (.eh_frame, .debug_frame) for each pc, so -O2 code without frame
 * pointers and libc unwind right; the frame-pointer chain only where an
 * object has no CFI for a pc.  The walk ends cleanly where the CFI says the
 * return address is undefined (_start, clone/clone3), at pc 0, or at a
 * frame that does not move up the stack.
 *
 * A frame's extent on the stack is [sp, cfa): cfa is the caller's sp after
 * the call returns, so the return address lives at cfa - 8.
 */
#ifndef MEMVIZ_UNWIND_H
#define MEMVIZ_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

#include "cfi.h"
#include "debuginfo.h"
#include "dwexpr.h"
#include "space.h"
#include "util.h"

#define UNWIND_MAX_FRAMES 100000

/* A callee-saved register this frame's function saved, and where (a
 * signal trampoline frame lists every register but rip: the kernel saved
 * them all in the signal frame). */
struct uw_saved {
	int reg;                  /* DWARF number (3 rbx, 6 rbp, 12-15 r12-r15) */
	uint64_t slot;            /* the stack address holding the caller's value */
};

enum uw_how {
	UW_REGS,                  /* frame 0: the thread's registers */
	UW_CFI,                   /* found from the callee's CFI */
	UW_FP,                    /* found by following rbp (no CFI for the callee) */
	UW_ENTRY,                 /* frame 0's pc was no code (a call through a
				     bad pointer): its return address was
				     taken at [sp], as at a function's entry */
};

struct uw_frame {
	uint64_t pc;              /* frame 0: rip; others: the return address into it */
	uint64_t sp, cfa;         /* extent [sp, cfa); cfa 0: unknown (the
				     walk stopped in this frame) */
	uint64_t ret_addr;        /* where this frame returns (0: outermost) */
	uint64_t ret_slot;        /* where that address is stored (cfa - 8) */
	uint64_t regs[DW_NREGS];  /* this frame's registers as far as known */
	uint32_t valid;           /* bit r: regs[r] known (callee-saved ones
				     recovered, rsp, rip; caller-saved ones
				     only in frame 0 and in the frame a
				     signal interrupted) */
	struct uw_saved saved[DW_NREGS];
	size_t nsaved;
	enum uw_how how;
	bool signal_frame;        /* a signal handler's trampoline frame */
	struct debuginfo_loc loc; /* fn, file, line (line at pc - 1 for callers) */
};

/* A return address the tracer replaced (its return trampoline): the
 * unwinder reads orig wherever it would read the slot. */
struct uw_patch {
	uint64_t slot, orig;
};

struct uw_input {
	const struct space *space;      /* mapped modules and regions */
	struct debuginfo *dbg;
	const struct mem_reader *mem;
	const struct uw_patch *patches;
	size_t npatches;
	size_t max_frames;        /* 0: UNWIND_MAX_FRAMES */
};

struct uw_stack {
	struct uw_frame *frames;  /* innermost first */
	size_t n, cap;
	const char *end;          /* why the walk stopped: "outermost",
				     "pc 0", "pc not in code", "no unwind
				     info", "bad unwind info", "unreadable
				     stack", "stack does not grow", "frame
				     limit" */
	uint8_t *win;             /* scratch: the thread's stack, read once */
	size_t win_cap;
	uint64_t win_lo;          /* win holds [win_lo, win_lo + win_len) */
	size_t win_len;
	/* the [vdso] is no file, so no module: its image is read from memory
	 * the first time a frame is in it, and kept for later unwinds */
	uint8_t *vdso_img;
	struct elf_file *vdso_ef; /* its symbols */
	struct cfi *vdso_cfi;     /* its .eh_frame */
	uint64_t vdso_lo, vdso_bias;
};

#define UNWIND_WINDOW_MAX (64u << 20)   /* bytes of stack read at once */

/* Unwind a thread from regs.  The stack between the thread's sp (less the
 * 128-byte red zone) and the end of the region holding sp is read once
 * (one mem->read, at most UNWIND_WINDOW_MAX bytes), so a 1,000-deep
 * recursion costs one read.  out must start zeroed; its buffers are reused
 * by later calls.  Returns the frame count. */
size_t unwind_thread(const struct uw_input *in, const struct user_regs_struct *regs,
		     struct uw_stack *out);
void uw_stack_free(struct uw_stack *s);

/* Read len bytes at addr through the stack window of the last unwind,
 * falling back to in->mem; for vars, which read the same stack again.
 * in->patches are applied: a patched slot reads as its original value. */
int unwind_read(const struct uw_input *in, const struct uw_stack *s, uint64_t addr,
		void *buf, size_t len);

#endif
