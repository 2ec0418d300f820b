/*
 * unwind.c - the frames of a thread, from its registers and DWARF CFI.
 *
 * THE WALK.  Frame 0 is the thread's registers, all of them known.  For
 * each frame: find the module holding its pc, that module's CFI
 * (debuginfo_cfi) and the row for the pc; the row gives the CFA (a register
 * plus an offset, or an expression) and a rule for each register of the
 * caller: saved at CFA+n, saved where an expression says (the CFA pushed
 * first), a value CFA+n or an expression's value, in another register,
 * unchanged, or undefined.  The caller's rsp is the CFA unless a rule says
 * otherwise (signal frames), its pc the return address column (16).  A
 * register the CFI does not mention keeps its value if it is callee-saved
 * (rbx, rbp, r12-r15: the psABI makes the callee preserve them) and becomes
 * unknown if it is caller-saved: `valid` says which registers a caller
 * frame really has.
 *
 * WHICH PC.  A caller's pc is a return address, the instruction after the
 * call, which may already belong to the next function or to another row
 * (a call to a noreturn function at a function's end): its row and its
 * source line are looked up at pc - 1, as gdb and libgcc do.  Not so for
 * the frame a signal interrupted: the frame below it is the signal
 * trampoline (__restore_rt, whose CIE has the 'S' augmentation) and the
 * interrupted pc is the faulting instruction itself, not a return address.
 * The trampoline's own pc (where the handler returns) is found at pc - 1 as
 * well: glibc starts its FDE one byte early for exactly this.
 *
 * A BAD PC.  Frame 0's pc may be no code at all: a call through a null
 * or wild function pointer faults at the target.  That frame is unwound
 * as gdb does, as if it stood at a function's first instruction (return
 * address at [sp]), and its caller is marked UW_ENTRY.  A caller's pc
 * that is no code ends the walk (that frame is listed, as gdb lists
 * "?? ()", but not unwound).
 *
 * WITHOUT CFI.  Where a module has no CFI for a pc (hand-written code
 * without directives, a JIT), the frame-pointer chain is followed: the
 * saved rbp at [rbp], the return address at [rbp+8], CFA = rbp+16.  That is
 * a guess (it is wrong at a function's first instructions, and in code that
 * does not keep rbp as a frame pointer), so such frames are marked UW_FP,
 * and only rbp, rsp and rip are known in their caller.
 *
 * THE END.  The walk stops cleanly where the return address rule is
 * undefined (glibc marks _start and the child side of clone/clone3 so),
 * at a pc of 0, at a return address that cannot be code (in no module and
 * no executable mapping), when a frame's CFA is not above its sp and the
 * previous CFA ("stack does not grow": a corrupt stack, or a loop), at a
 * stack slot that cannot be read, and at the frame limit.  A frame whose CFA
 * could not be found keeps cfa 0 (unknown).  Signal frames are exempt from
 * the growth check: a handler on a sigaltstack returns to a stack that may
 * lie anywhere.
 *
 * THE VDSO.  The kernel's [vdso] (clock_gettime, gettimeofday ...) is no
 * file, so elfinfo has no module for it; a thread interrupted inside it
 * (a program polling the clock) is common.  Its ELF image is read from
 * memory at the first frame found in it and its .eh_frame opened with
 * cfi_open_memory; frames there are named from its own symbols.  The
 * image is kept in the uw_stack for later unwinds.
 *
 * MEMORY.  The stack from sp (less the 128-byte red zone) to the end of
 * its region is read once into a window, so a 1,000-deep recursion costs
 * one process_vm_readv, and the vars of every frame are read from the same
 * window (unwind_read).  Reads outside it (another stack, after a signal
 * on a sigaltstack) go to the memory reader.  Return addresses the tracer
 * replaced with its trampoline read as their original value (patches).
 */
#include <stdlib.h>
#include <string.h>

#include "cfi.h"
#include "unwind.h"

#define RED_ZONE 128
#define VDSO_MAX (1u << 20)       /* bytes; the x86-64 vdso is 8 KiB */
#define ALL_REGS ((1u << DW_NREGS) - 1)
/* rbx, rbp, r12-r15: preserved across calls by the psABI */
#define CALLEE_SAVED ((1u << 3) | (1u << 6) | (1u << 12) | (1u << 13) | \
		      (1u << 14) | (1u << 15))

struct walker {
	const struct uw_input *in;
	struct uw_stack *st;
	struct mem_reader mem;    /* reads through the window and the patches */
	const struct elf_module *mod;   /* the module last looked up, */
	struct cfi *cfi;                /* and its CFI */
	uint64_t bias;            /* load bias of the row found last (DW_OP_addr) */
};

/* Forget the vdso image and what was read from it. */
static void vdso_drop(struct uw_stack *s)
{
	cfi_free(s->vdso_cfi);
	elf_file_free(s->vdso_ef);
	free(s->vdso_img);
	s->vdso_cfi = NULL;
	s->vdso_ef = NULL;
	s->vdso_img = NULL;
	s->vdso_lo = 0;
}

void uw_stack_free(struct uw_stack *s)
{
	vdso_drop(s);
	free(s->frames);
	free(s->win);
	memset(s, 0, sizeof(*s));
}

/* Overlay the original values of patched slots on buf = [addr, addr+len). */
static void apply_patches(const struct uw_input *in, uint64_t addr, void *buf, size_t len)
{
	for (size_t i = 0; i < in->npatches; i++) {
		uint64_t s = in->patches[i].slot, orig = in->patches[i].orig;
		for (unsigned b = 0; b < 8; b++)
			if (s + b >= addr && s + b - addr < len)
				((uint8_t *)buf)[s + b - addr] = (uint8_t)(orig >> (8 * b));
	}
}

int unwind_read(const struct uw_input *in, const struct uw_stack *s, uint64_t addr,
		void *buf, size_t len)
{
	if (s && s->win_len && addr >= s->win_lo && len <= s->win_len &&
	    addr - s->win_lo <= s->win_len - len)
		memcpy(buf, s->win + (addr - s->win_lo), len);
	else if (in->mem->read(in->mem->ctx, addr, buf, len) != 0)
		return -1;
	apply_patches(in, addr, buf, len);
	return 0;
}

/* The walker's memory reader (for expression rules' DW_OP_deref). */
static int walker_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct walker *w = ctx;

	return unwind_read(w->in, w->st, addr, buf, len);
}

/* Read the stack window: [sp - red zone, end of sp's region), capped. */
static void read_window(const struct uw_input *in, struct uw_stack *st, uint64_t sp)
{
	const struct region *r = space_find(in->space, sp);
	uint64_t lo, hi;

	st->win_lo = 0;
	st->win_len = 0;
	if (r == NULL)
		return;
	lo = sp - r->start >= RED_ZONE ? sp - RED_ZONE : r->start;
	hi = r->end - lo > UNWIND_WINDOW_MAX ? lo + UNWIND_WINDOW_MAX : r->end;
	util_grow((void **)&st->win, &st->win_cap, hi - lo, 1);
	if (in->mem->read(in->mem->ctx, lo, st->win, hi - lo) != 0)
		return;           /* every read goes to the reader instead */
	st->win_lo = lo;
	st->win_len = hi - lo;
}

/* An 8-byte stack slot. */
static bool read_slot(struct walker *w, uint64_t addr, uint64_t *v)
{
	return unwind_read(w->in, w->st, addr, v, sizeof(*v)) == 0;
}

/* Frame 0's registers in DWARF order. */
static void regs_from_user(const struct user_regs_struct *u, uint64_t *r)
{
	r[0] = u->rax; r[1] = u->rdx; r[2] = u->rcx; r[3] = u->rbx;
	r[4] = u->rsi; r[5] = u->rdi; r[6] = u->rbp; r[7] = u->rsp;
	r[8] = u->r8; r[9] = u->r9; r[10] = u->r10; r[11] = u->r11;
	r[12] = u->r12; r[13] = u->r13; r[14] = u->r14; r[15] = u->r15;
	r[16] = u->rip;
}

/* Load the [vdso] region r: its image, symbols and CFI; its bias is where
 * its first segment (file offset 0) lands.  false if it is no usable ELF. */
static bool vdso_load(struct walker *w, const struct region *r)
{
	struct uw_stack *st = w->st;
	size_t len = r->end - r->start;
	char *cause = NULL;

	if (st->vdso_lo == r->start && st->vdso_cfi)
		return true;
	vdso_drop(st);
	if (len == 0 || len > VDSO_MAX)
		return false;
	st->vdso_img = xmalloc(len);
	if (w->in->mem->read(w->in->mem->ctx, r->start, st->vdso_img, len) != 0 ||
	    (st->vdso_ef = elf_file_from_memory(st->vdso_img, len, &cause)) == NULL ||
	    (st->vdso_cfi = cfi_open_memory(st->vdso_img, len, &cause)) == NULL) {
		free(cause);
		vdso_drop(st);
		return false;
	}
	st->vdso_lo = r->start;
	st->vdso_bias = r->start;
	for (size_t i = 0; i < st->vdso_ef->nsegments; i++)
		if (st->vdso_ef->segments[i].offset == 0)
			st->vdso_bias = r->start - st->vdso_ef->segments[i].vaddr;
	return true;
}

/* A pc in no module: the vdso's CFI, if pc is in the [vdso]. */
static bool vdso_row(struct walker *w, uint64_t look, struct cfi_row *row)
{
	const struct region *r = space_find(w->in->space, look);

	if (!r || r->kind != RK_VDSO || !vdso_load(w, r))
		return false;
	w->bias = w->st->vdso_bias;
	return cfi_find(w->st->vdso_cfi, look - w->bias, row) == 0;
}

/* Name a frame in the vdso from the vdso's own symbols. */
static void vdso_locate(struct walker *w, uint64_t look, struct uw_frame *f)
{
	const struct elf_symbol *s;
	const struct region *r = space_find(w->in->space, look);

	if (!r || r->kind != RK_VDSO || !w->st->vdso_ef || w->st->vdso_lo != r->start)
		return;
	s = elf_file_symbol_at(w->st->vdso_ef, look - w->st->vdso_bias);
	if (s) {
		f->loc.fn = s->name;
		f->loc.fn_off = f->pc - (s->value + w->st->vdso_bias);
	}
}

/* The CFI row for pc (looked up at `look`); false if none. */
static bool find_row(struct walker *w, uint64_t look, struct cfi_row *row)
{
	const struct elf_module *m = elfinfo_module_at(&w->in->space->elf, look);

	if (m == NULL)
		return vdso_row(w, look, row);
	if (m != w->mod) {
		w->mod = m;
		w->cfi = debuginfo_cfi(w->in->dbg, m);
	}
	w->bias = m->bias;
	return w->cfi && cfi_find(w->cfi, look - m->bias, row) == 0;
}

/* An expression context over frame f's registers. */
static void expr_ctx(struct walker *w, const struct uw_frame *f, struct dwexpr_ctx *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->regs, f->regs, sizeof(c->regs));
	c->valid = f->valid;
	c->mem = &w->mem;
	c->bias = w->bias;
}

/* Frame f's CFA from its row; false if it cannot be computed. */
static bool row_cfa(struct walker *w, const struct uw_frame *f, const struct cfi_row *row,
		    uint64_t *cfa)
{
	struct dwexpr_ctx c;
	struct dwexpr_result res;

	if (!row->cfa_is_expr) {
		if (row->cfa_reg < 0 || row->cfa_reg >= DW_NREGS ||
		    !(f->valid & (1u << row->cfa_reg)))
			return false;
		*cfa = f->regs[row->cfa_reg] + (uint64_t)row->cfa_off;
		return true;
	}
	expr_ctx(w, f, &c);
	if (dwexpr_eval(row->cfa_ops, row->cfa_nops, &c, &res) != 0 || res.kind == DWX_REG)
		return false;
	*cfa = res.value;
	return true;
}

/* Evaluate an expression rule (the CFA pushed first). */
static bool rule_expr(struct walker *w, const struct uw_frame *f, const struct cfi_rule *r,
		      uint64_t cfa, uint64_t *out)
{
	struct dwexpr_ctx c;
	struct dwexpr_result res;

	expr_ctx(w, f, &c);
	c.cfa = cfa;
	c.has_cfa = true;
	c.push_first = cfa;
	c.has_push_first = true;
	if (dwexpr_eval(r->ops, r->nops, &c, &res) != 0 || res.kind == DWX_REG)
		return false;
	*out = res.value;
	return true;
}

/* Recover the caller's register `reg` by rule r of frame f.  *slot gets the
 * address it was saved at (0 if it is not in memory).  false: unknown;
 * *read_failed if the reason is an unreadable slot. */
static bool recover(struct walker *w, const struct uw_frame *f, int reg,
		    const struct cfi_rule *r, uint64_t cfa, uint64_t *val, uint64_t *slot,
		    bool *read_failed)
{
	*slot = 0;
	switch (r->kind) {
	case CFI_UNDEF:
		return false;
	case CFI_SAME:
		if (reg == DW_REG_RSP) {
			*val = cfa;       /* the psABI: the caller's rsp is the CFA */
			return true;
		}
		/* caller-saved: clobbered by the call; rip "unchanged" would
		 * make the caller this very frame again */
		if (!(CALLEE_SAVED & (1u << reg)))
			return false;
		*val = f->regs[reg];
		return (f->valid >> reg) & 1;
	case CFI_OFFSET:
		*slot = cfa + (uint64_t)r->off;
		break;
	case CFI_VAL_OFFSET:
		*val = cfa + (uint64_t)r->off;
		return true;
	case CFI_REG:
		if (r->reg < 0 || r->reg >= DW_NREGS || !((f->valid >> r->reg) & 1))
			return false;
		*val = f->regs[r->reg];
		return true;
	case CFI_EXPR:
		if (!rule_expr(w, f, r, cfa, slot)) {
			*slot = 0;
			return false;
		}
		break;
	case CFI_VAL_EXPR:
		return rule_expr(w, f, r, cfa, val);
	}
	if (!read_slot(w, *slot, val)) {
		*read_failed = true;
		return false;
	}
	return true;
}

/* Does frame f's CFA move up the stack (above its sp and above the CFA of
 * the frame it called)?  Signal trampolines are exempt (sigaltstack). */
static bool grows(const struct uw_frame *f, const struct uw_frame *callee)
{
	if (f->signal_frame)
		return true;
	if (f->cfa <= f->sp)
		return false;
	return callee == NULL || callee->signal_frame || f->cfa > callee->cfa;
}

/* Unwind frame f by its CFI row into its caller `up`.  0: up is filled;
 * 1: f is the outermost frame; -1: the walk must stop (st->end says why). */
static int step_cfi(struct walker *w, struct uw_frame *f, const struct uw_frame *callee,
		    const struct cfi_row *row, struct uw_frame *up)
{
	uint64_t cfa, val, slot;
	bool read_failed = false;

	f->signal_frame = row->signal_frame;
	if (!row_cfa(w, f, row, &cfa)) {
		w->st->end = "bad unwind info";
		return -1;
	}
	f->cfa = cfa;
	if (!grows(f, callee)) {
		f->cfa = 0;
		w->st->end = "stack does not grow";
		return -1;
	}
	if (row->regs[DW_REG_RIP].kind == CFI_UNDEF) {
		w->st->end = row->bad_expr ? "bad unwind info" : "outermost";
		return 1;
	}
	up->valid = 0;
	for (int r = 0; r < DW_NREGS; r++) {
		if (recover(w, f, r, &row->regs[r], cfa, &val, &slot, &read_failed)) {
			up->regs[r] = val;
			up->valid |= 1u << r;
		}
		if (slot && r != DW_REG_RIP) {
			f->saved[f->nsaved].reg = r;
			f->saved[f->nsaved++].slot = slot;
		}
		if (r == DW_REG_RIP)
			f->ret_slot = slot;
	}
	if (!(up->valid & (1u << DW_REG_RIP))) {
		f->ret_slot = 0;
		w->st->end = read_failed ? "unreadable stack" : "bad unwind info";
		return -1;
	}
	f->ret_addr = up->regs[DW_REG_RIP];
	up->how = UW_CFI;
	return 0;
}

/* Unwind frame f by the frame-pointer chain into up (see the top comment). */
static int step_fp(struct walker *w, struct uw_frame *f, const struct uw_frame *callee,
		   struct uw_frame *up)
{
	uint64_t rbp = f->regs[DW_REG_RBP], saved_rbp, ret;

	if (!(f->valid & (1u << DW_REG_RBP)) || rbp < f->sp || rbp > UINT64_MAX - 16) {
		w->st->end = "no unwind info";
		return -1;
	}
	f->cfa = rbp + 16;
	if (!grows(f, callee)) {
		f->cfa = 0;
		w->st->end = "stack does not grow";
		return -1;
	}
	if (!read_slot(w, rbp, &saved_rbp) || !read_slot(w, rbp + 8, &ret)) {
		w->st->end = "unreadable stack";
		return -1;
	}
	f->saved[0].reg = DW_REG_RBP;
	f->saved[0].slot = rbp;
	f->nsaved = 1;
	f->ret_addr = ret;
	f->ret_slot = rbp + 8;
	up->regs[DW_REG_RBP] = saved_rbp;
	up->regs[DW_REG_RSP] = f->cfa;
	up->regs[DW_REG_RIP] = ret;
	up->valid = (1u << DW_REG_RBP) | (1u << DW_REG_RSP) | (1u << DW_REG_RIP);
	up->how = UW_FP;
	return 0;
}

/* Can pc be code: in a module, or in an executable mapping (JIT code)? */
static bool is_code(const struct uw_input *in, uint64_t pc)
{
	const struct region *r;

	if (elfinfo_module_at(&in->space->elf, pc))
		return true;
	r = space_find(in->space, pc);
	return r && r->perms[2] == 'x';
}

/* Unwind frame 0 whose pc is no code (a call through a bad pointer) as
 * if it stood at a function's first instruction: the return address at
 * [sp], CFA = sp + 8, callee-saved registers untouched. */
static int step_entry(struct walker *w, struct uw_frame *f, struct uw_frame *up)
{
	uint64_t ret;

	if (f->sp > UINT64_MAX - 8 || !read_slot(w, f->sp, &ret)) {
		w->st->end = "unreadable stack";
		return -1;
	}
	f->cfa = f->sp + 8;
	f->ret_addr = ret;
	f->ret_slot = f->sp;
	for (int r = 0; r < DW_NREGS; r++)
		if ((CALLEE_SAVED & f->valid) & (1u << r))
			up->regs[r] = f->regs[r];
	up->regs[DW_REG_RSP] = f->cfa;
	up->regs[DW_REG_RIP] = ret;
	up->valid = (CALLEE_SAVED & f->valid) | (1u << DW_REG_RSP) | (1u << DW_REG_RIP);
	up->how = UW_ENTRY;
	return 0;
}

/* A new frame slot in out, zeroed. */
static struct uw_frame *push_frame(struct uw_stack *out)
{
	struct uw_frame *f;

	util_grow((void **)&out->frames, &out->cap, out->n + 1, sizeof(*out->frames));
	f = &out->frames[out->n++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* Start frame f with the registers its callee's unwinding recovered. */
static void frame_init(struct uw_frame *f, const struct uw_frame *regs)
{
	f->pc = regs->regs[DW_REG_RIP];
	f->sp = regs->regs[DW_REG_RSP];
	memcpy(f->regs, regs->regs, sizeof(f->regs));
	f->valid = regs->valid;
	f->how = regs->how;
}

/* Unwind frame f into its caller `up` by what applies: its CFI, else the
 * frame pointer; the entry heuristic for frame 0 at no code.  `ret_pc`: f's
 * pc is a return address (look it up at pc - 1).  0, 1 (f is outermost)
 * or -1 (stop), as step_cfi. */
static int step(struct walker *w, struct uw_frame *f, const struct uw_frame *callee,
		bool ret_pc, struct uw_frame *up)
{
	struct cfi_row row;

	if (!is_code(w->in, f->pc)) {
		if (callee == NULL)
			return step_entry(w, f, up);
		/* a return address into nothing: listed, not unwound */
		w->st->end = "pc not in code";
		return -1;
	}
	if (find_row(w, f->pc - ret_pc, &row))
		return step_cfi(w, f, callee, &row, up);
	return step_fp(w, f, callee, up);
}

size_t unwind_thread(const struct uw_input *in, const struct user_regs_struct *regs,
		     struct uw_stack *out)
{
	struct walker w = { .in = in, .st = out };
	size_t max = in->max_frames ? in->max_frames : UNWIND_MAX_FRAMES;
	struct uw_frame next;

	w.mem.ctx = &w;
	w.mem.read = walker_read;
	out->n = 0;
	out->end = NULL;
	read_window(in, out, regs->rsp);
	memset(&next, 0, sizeof(next));
	regs_from_user(regs, next.regs);
	next.valid = ALL_REGS;
	next.how = UW_REGS;
	for (;;) {
		struct uw_frame *f, *callee;
		bool ret_pc;
		int rc;

		if (out->n >= max) {
			out->end = "frame limit";
			break;
		}
		f = push_frame(out);
		callee = out->n > 1 ? &out->frames[out->n - 2] : NULL;
		frame_init(f, &next);
		/* a return address is looked up at pc - 1 (see WHICH PC) */
		ret_pc = callee && !callee->signal_frame;
		memset(&next, 0, sizeof(next));
		rc = step(&w, f, callee, ret_pc, &next);
		/* the trampoline's own pc is named as is: __restore_rt */
		ret_pc = ret_pc && !f->signal_frame;
		if (!debuginfo_locate(in->dbg, &in->space->elf, f->pc, ret_pc, &f->loc))
			vdso_locate(&w, f->pc - ret_pc, f);
		if (rc != 0)
			break;
		if (next.regs[DW_REG_RIP] == 0) {
			out->end = "pc 0";
			break;
		}
	}
	return out->n;
}
