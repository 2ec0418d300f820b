/* fuzz_unwind.c - libFuzzer harness for the unwinder (unwind.c) over the
 * REAL call frame information of real objects: this fuzzer's own
 * executable and the libc it runs on (its .eh_frame, __restore_rt's
 * expression rules, clone3's undefined return address...), opened once
 * through debuginfo as memviz opens them.  The stack of the unwound
 * thread is the fuzzer's input: untrusted, as a corrupted stack is.
 *
 * Input: data[0] picks where rip starts (a random offset into one of the
 * two objects, or one of a few interesting functions: __restore_rt, clone3,
 * _start, malloc ...), data[1..4] its offset, data[5..6] where rsp starts
 * in the stack, data[7] which registers are filled from data[8..) (the
 * rest are zero; its top bit makes the stack region longer than the
 * stack, so the one-read window fails); data[64..) is the stack, mapped
 * at STACK_LO.  Reads outside the stack fail.
 *
 * Invariants (abort() on violation):
 *  - 1 <= frames <= max_frames, `end` set;
 *  - frame 0 has pc = rip and sp = rsp, and all registers valid;
 *  - every frame with a known CFA that is not a signal frame has
 *    sp < cfa, and the CFAs of consecutive such frames increase;
 *  - nsaved <= 16, every saved slot and ret_slot was readable (lies in
 *    the stack), no register listed twice;
 *  - ret_addr of frame i is the pc of frame i+1;
 *  - unwinding the same input twice gives the same frames.
 * FUZZ_UNWIND_VERBOSE=1 prints the frames of each input run (to see what a
 * corpus reaches: signal frames, outermost ends ...).
 *   make fuzz && build/fuzz/fuzz_unwind tests/fuzz/corpus_unwind -max_total_time=60 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debuginfo.h"
#include "space.h"
#include "unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define STACK_LO 0x7ffd00000000ull
#define HEADER 64
#define MAX_FRAMES 256

struct image {
	const uint8_t *p;
	size_t len;
};

/* The fake process: the stack only. */
static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (addr < STACK_LO || len > im->len || addr - STACK_LO > im->len - len)
		return -1;
	memcpy(buf, im->p + (addr - STACK_LO), len);
	return 0;
}

static struct elf_module mods[2];
static struct debuginfo *dbg;
static uint64_t special[8];       /* interesting runtime pcs */
static size_t nspecial;

/* Where this process maps libc (its path), from /proc/self/maps. */
static char *libc_path(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512], *path = NULL;

	while (f && !path && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');
		if (p && strstr(p, "/libc.so")) {
			p[strcspn(p, "\n")] = '\0';
			path = strdup(p);
		}
	}
	if (f)
		fclose(f);
	return path;
}

/* A module for path at a made-up bias; its span from its segments. */
static void add_module(struct elf_module *m, const char *path, uint64_t bias, bool exe)
{
	char *cause = NULL;

	m->ef = elf_file_open(path, &cause);
	if (!m->ef) {
		fprintf(stderr, "fuzz_unwind: %s: %s\n", path, cause);
		abort();
	}
	/* the unwinder is under test, not the DWARF reader: symbols only */
	m->ef->has_debug_info = false;
	m->bias = bias;
	m->is_exe = exe;
	m->lo = UINT64_MAX;
	for (size_t i = 0; i < m->ef->nsegments; i++) {
		const struct elf_segment *s = &m->ef->segments[i];
		if (s->vaddr + bias < m->lo)
			m->lo = s->vaddr + bias;
		if (s->vaddr + s->memsz + bias > m->hi)
			m->hi = s->vaddr + s->memsz + bias;
	}
}

static void add_special(const struct elf_module *m, const char *name)
{
	const struct elf_symbol *s = elf_file_symbol(m->ef, name);

	if (s && nspecial < ARRAY_LEN(special))
		special[nspecial++] = s->value + m->bias + (s->size > 8 ? 4 : 0);
}

static void setup(void)
{
	char *libc = libc_path();

	if (!libc)
		abort();
	add_module(&mods[0], "/proc/self/exe", 0x555555554000ull, true);
	add_module(&mods[1], libc, 0x7ffff7d80000ull, false);
	free(libc);
	add_special(&mods[1], "__restore_rt");
	add_special(&mods[1], "clone3");
	add_special(&mods[1], "__clone");
	add_special(&mods[1], "malloc");
	add_special(&mods[1], "start_thread");
	add_special(&mods[1], "__libc_start_call_main");
	add_special(&mods[0], "_start");
	add_special(&mods[0], "LLVMFuzzerTestOneInput");
	dbg = debuginfo_new();
}

/* The frames satisfy the invariants of the top comment. */
static void check(const struct uw_stack *st, const struct user_regs_struct *r, size_t stack_len)
{
	uint64_t prev_cfa = 0;
	bool have_prev = false;

	if (st->n < 1 || st->n > MAX_FRAMES || !st->end)
		abort();
	if (st->frames[0].pc != r->rip || st->frames[0].sp != r->rsp ||
	    st->frames[0].valid != (1u << DW_NREGS) - 1)
		abort();
	for (size_t i = 0; i < st->n; i++) {
		const struct uw_frame *f = &st->frames[i];
		uint32_t seen = 0;
		if (f->nsaved > DW_NREGS - 1)
			abort();
		for (size_t k = 0; k < f->nsaved; k++) {
			if (f->saved[k].reg < 0 || f->saved[k].reg >= DW_REG_RIP ||
			    (seen >> f->saved[k].reg) & 1)
				abort();
			seen |= 1u << f->saved[k].reg;
		}
		if (f->ret_slot &&
		    (f->ret_slot < STACK_LO || f->ret_slot - STACK_LO > stack_len - 8))
			abort();
		if (i + 1 < st->n && f->ret_addr != st->frames[i + 1].pc)
			abort();
		if (f->cfa && !f->signal_frame) {
			if (f->cfa <= f->sp || (have_prev && f->cfa <= prev_cfa))
				abort();
		}
		/* a signal frame's CFA may jump anywhere (sigaltstack) */
		have_prev = f->cfa != 0 && !f->signal_frame;
		prev_cfa = f->cfa;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct uw_stack st, st2;
	struct user_regs_struct regs;
	struct image im;
	struct mem_reader mem = { &im, fake_read };
	struct region stack = { .kind = RK_STACK, .perms = "rw-p", .path = "[stack]" };
	struct space sp;
	struct uw_input in;
	uint64_t *rp = (uint64_t *)&regs, off;
	const struct elf_module *m;

	if (!dbg)
		setup();
	if (size < HEADER + 8)
		return 0;
	im.p = data + HEADER;
	im.len = size - HEADER;
	memset(&sp, 0, sizeof(sp));
	stack.start = STACK_LO;
	/* a region longer than the readable bytes: the one-read window fails
	 * and every read goes to the reader, the other path */
	stack.end = STACK_LO + (data[7] & 0x80 ? (im.len + 4095) & ~(size_t)4095 : im.len);
	sp.regions = &stack;
	sp.n = 1;
	sp.elf.mods = mods;
	sp.elf.n = 2;

	memset(&regs, 0, sizeof(regs));
	for (int i = 0; i < 7; i++)       /* some registers from the input */
		if ((data[7] >> i) & 1)
			memcpy(&rp[i * 3 % (sizeof(regs) / 8)], data + 8 + i * 8, 8);
	off = (uint64_t)data[1] | (uint64_t)data[2] << 8 | (uint64_t)data[3] << 16 |
	      (uint64_t)data[4] << 24;
	m = &mods[data[0] & 1];
	if ((data[0] >> 1) % 4 == 0 && nspecial)
		regs.rip = special[(data[0] >> 3) % nspecial];
	else
		regs.rip = m->lo + off % (m->hi - m->lo);
	regs.rsp = STACK_LO + ((uint64_t)data[5] | (uint64_t)data[6] << 8) % im.len;
	regs.rbp = STACK_LO + (regs.rbp % im.len);

	in = (struct uw_input){ .space = &sp, .dbg = dbg, .mem = &mem, .max_frames = MAX_FRAMES };
	unwind_thread(&in, &regs, &st);
	check(&st, &regs, im.len);
	if (getenv("FUZZ_UNWIND_VERBOSE"))       /* what a corpus reaches */
		for (size_t i = 0; i < st.n; i++)
			fprintf(stderr, "#%zu %#llx %s how %d%s%s\n", i,
				(unsigned long long)st.frames[i].pc,
				st.frames[i].loc.fn ? st.frames[i].loc.fn : "?", st.frames[i].how,
				st.frames[i].signal_frame ? " signal" : "",
				i + 1 == st.n ? st.end : "");
	unwind_thread(&in, &regs, &st2);
	if (st2.n != st.n || strcmp(st.end, st2.end) != 0)
		abort();
	for (size_t i = 0; i < st.n; i++)
		if (st.frames[i].pc != st2.frames[i].pc || st.frames[i].cfa != st2.frames[i].cfa ||
		    st.frames[i].valid != st2.frames[i].valid ||
		    memcmp(st.frames[i].regs, st2.frames[i].regs, sizeof(st.frames[i].regs)) != 0)
			abort();
	return 0;
}
