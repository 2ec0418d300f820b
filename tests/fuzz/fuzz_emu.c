/* fuzz_emu.c - libFuzzer harness for the first-instruction emulator (emu.c).
 * The code bytes it decodes are read from the traced program: untrusted.
 *
 * Input: data[0..16) = the code bytes (fewer if the input is shorter; the
 * decoder gets a heap copy of exactly that many, so ASan sees any read past
 * them), data[16..) = a struct user_regs_struct, XORed onto plausible
 * defaults (so an all-zero register file is a sane one: rsp on a stack, rip
 * in a text segment) and zero-padded when short.  Memory is a fake: a window
 * around the initial rsp (pushes) and one around the initial rip (rip-relative
 * operands), with deterministic contents; any access outside them fails.
 *
 * Invariants (abort() on violation):
 *  - emu_supported is prefix-free and ignores trailing bytes: if it returns
 *    n > 0 for len bytes, it returns 0 for every shorter prefix and n for
 *    every length from n to len;
 *  - n <= 15 (the x86 limit) and n <= len;
 *  - emu_step returns emu_supported's value unless a memory access failed;
 *    when it returns 0 the regs are unchanged; when it returns n > 0 rip
 *    advanced by exactly n (mod 2^64);
 *  - emu_step is deterministic, and an instruction that touched no memory
 *    gives the same result when every memory access would fail;
 *  - no supported instruction (push reg, test/mov reg,reg, mov imm, sub/cmp
 *    imm on a reg, cmpb imm,(rip), endbr64) changes orig_rax, the segment
 *    registers or their bases, or an eflags bit other than CF PF AF ZF SF OF,
 *    or writes more than one general register besides rip; a write to memory
 *    is only a push: 8 bytes at the new rsp = old rsp - 8.  (Relax the last
 *    two if the emulator learns xchg, pop or stores.)
 *   make fuzz && build/fuzz/fuzz_emu tests/fuzz/corpus_emu -max_total_time=60 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "emu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CODE_LEN 16
#define STACK_BELOW 256           /* stack window: [rsp0 - 256, rsp0 + 64) */
#define STACK_ABOVE 64
#define DATA_SPAN (16u << 20)     /* data window: rip0 +- 16 MiB */
#define FL_ARITH 0x8d5ull         /* CF PF AF ZF SF OF */

struct fake_mem {
	uint64_t stack_lo, stack_hi, data_lo, data_hi;
	uint8_t stack[STACK_BELOW + STACK_ABOVE];
	bool fail_all;
	unsigned reads, writes, failed;
	uint64_t waddr;
	size_t wlen;
};

/* [lo, hi) = [base - below, base + above), clipped to the address space. */
static void window(uint64_t base, uint64_t below, uint64_t above, uint64_t *lo, uint64_t *hi)
{
	*lo = base >= below ? base - below : 0;
	*hi = base <= UINT64_MAX - above ? base + above : UINT64_MAX;
}

/* Whether [addr, addr + len) lies inside [lo, hi). */
static bool inside(uint64_t addr, size_t len, uint64_t lo, uint64_t hi)
{
	return addr >= lo && addr <= hi && len <= hi - addr;
}

static int mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;
	uint8_t *out = buf;

	if (len == 0 || len > 64)
		abort();                  /* no x86 operand is this size */
	m->reads++;
	if (!m->fail_all && inside(addr, len, m->stack_lo, m->stack_hi)) {
		memcpy(out, m->stack + (addr - m->stack_lo), len);
		return 0;
	}
	if (!m->fail_all && inside(addr, len, m->data_lo, m->data_hi)) {
		for (size_t i = 0; i < len; i++)
			out[i] = (uint8_t)((addr + i) * 0x9e3779b97f4a7c15ull >> 56);
		return 0;
	}
	m->failed++;
	return -1;
}

static int mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct fake_mem *m = ctx;

	if (len == 0 || len > 64)
		abort();
	m->writes++;
	if (!m->fail_all && inside(addr, len, m->stack_lo, m->stack_hi)) {
		memcpy(m->stack + (addr - m->stack_lo), buf, len);
		m->waddr = addr;
		m->wlen = len;
		return 0;
	}
	if (!m->fail_all && inside(addr, len, m->data_lo, m->data_hi)) {
		m->waddr = addr;
		m->wlen = len;
		return 0;
	}
	m->failed++;
	return -1;
}

static void mem_init(struct fake_mem *m, const struct user_regs_struct *r, bool fail_all)
{
	memset(m, 0, sizeof(*m));
	window(r->rsp, STACK_BELOW, STACK_ABOVE, &m->stack_lo, &m->stack_hi);
	window(r->rip, DATA_SPAN, DATA_SPAN, &m->data_lo, &m->data_hi);
	for (size_t i = 0; i < sizeof(m->stack); i++)
		m->stack[i] = (uint8_t)(i * 7 + 1);
	m->fail_all = fail_all;
}

/* The general registers, in user_regs_struct order minus rip and eflags. */
static unsigned gprs_changed(const struct user_regs_struct *a, const struct user_regs_struct *b)
{
	const unsigned long long pa[] = { a->r15, a->r14, a->r13, a->r12, a->rbp, a->rbx,
		a->r11, a->r10, a->r9, a->r8, a->rax, a->rcx, a->rdx, a->rsi, a->rdi, a->rsp };
	const unsigned long long pb[] = { b->r15, b->r14, b->r13, b->r12, b->rbp, b->rbx,
		b->r11, b->r10, b->r9, b->r8, b->rax, b->rcx, b->rdx, b->rsi, b->rdi, b->rsp };
	unsigned n = 0;

	for (size_t i = 0; i < sizeof(pa) / sizeof(pa[0]); i++)
		n += pa[i] != pb[i];
	return n;
}

/* Run emu_step on a copy of regs0; returns its value and the regs in *out. */
static size_t step(const uint8_t *code, size_t len, const struct user_regs_struct *regs0,
		   struct user_regs_struct *out, struct fake_mem *m, bool fail_all)
{
	struct emu_mem mem = { .ctx = m, .read = mem_read, .write = mem_write };

	mem_init(m, regs0, fail_all);
	*out = *regs0;
	return emu_step(code, len, out, &mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = size < CODE_LEN ? size : CODE_LEN;
	uint8_t raw[sizeof(struct user_regs_struct)] = { 0 };
	struct user_regs_struct r0 = {
		.rsp = 0x7ffffffde000ull, .rbp = 0x7ffffffde040ull,
		.rip = 0x7ffff7e32930ull, .eflags = 0x246,
		.cs = 0x33, .ss = 0x2b, .orig_rax = ~0ull,
	};
	struct user_regs_struct r, r2, r3;
	struct fake_mem m, m2, m3;
	uint8_t *code;
	size_t n, got, got2, got3;

	/* regs = defaults XOR input, byte by byte */
	if (size > CODE_LEN)
		memcpy(raw, data + CODE_LEN, size - CODE_LEN < sizeof(raw) ? size - CODE_LEN : sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		((uint8_t *)&r0)[i] ^= raw[i];

	code = malloc(len ? len : 1);
	if (code == NULL)
		return 0;
	memcpy(code, data, len);

	n = emu_supported(code, len);
	if (n > len || n > 15)
		abort();
	for (size_t k = 0; k <= len; k++) {
		size_t nk = emu_supported(code, k);
		if (n == 0 ? nk != 0 : (k < n ? nk != 0 : nk != n))
			abort();          /* a prefix decoded, or trailing bytes mattered */
	}

	got = step(code, len, &r0, &r, &m, false);
	if (got != 0 && got != n)
		abort();
	if (got == 0 && n != 0 && m.failed == 0)
		abort();                  /* refused a supported instruction for no reason */
	if (got == 0) {
		if (memcmp(&r, &r0, sizeof(r)) != 0)
			abort();
	} else {
		if (r.rip != r0.rip + got)
			abort();
		if (r.orig_rax != r0.orig_rax || r.cs != r0.cs || r.ss != r0.ss ||
		    r.ds != r0.ds || r.es != r0.es || r.fs != r0.fs || r.gs != r0.gs ||
		    r.fs_base != r0.fs_base || r.gs_base != r0.gs_base)
			abort();
		if ((r.eflags & ~FL_ARITH) != (r0.eflags & ~FL_ARITH))
			abort();
		if (gprs_changed(&r0, &r) > 1)
			abort();
		if (m.writes && (m.writes != 1 || r.rsp != r0.rsp - 8 || m.waddr != r.rsp || m.wlen != 8))
			abort();
	}

	/* deterministic */
	got2 = step(code, len, &r0, &r2, &m2, false);
	if (got2 != got || memcmp(&r2, &r, sizeof(r)) != 0 || m2.reads != m.reads ||
	    m2.writes != m.writes || memcmp(m2.stack, m.stack, sizeof(m.stack)) != 0)
		abort();

	/* with every access failing: same result if none was made, else 0 */
	got3 = step(code, len, &r0, &r3, &m3, true);
	if (m.reads == 0 && m.writes == 0) {
		if (got3 != got || memcmp(&r3, &r, sizeof(r)) != 0)
			abort();
	} else if (got3 != 0 || memcmp(&r3, &r0, sizeof(r0)) != 0) {
		abort();
	}

	free(code);
	return 0;
}
