/*
 * emu.c - emulate the first instruction of a traced function.
 *
 * A breakpoint replaces the first byte of a function with int3.  When it
 * traps, the thread must still execute the instruction that was there.  The
 * usual way (put the byte back, single-step, re-insert) costs a second
 * ptrace stop and opens a window in which other threads run through the
 * function unseen.  Instead memviz executes that one instruction itself, on
 * the register set it already holds, and resumes after it.
 *
 * Only a few instructions begin the functions memviz traps (Debian 12's
 * glibc 2.36: push %r12 in malloc, test %rdi,%rdi in free, cmpb $0,x(%rip)
 * in memalign, mov $12,%eax in brk, mov %ecx,%r10d in mmap, sub $0x58,%rsp
 * in mremap; elsewhere endbr64 or push %rbp), so this is a deliberately tiny
 * decoder: register-only forms, one rip-relative byte compare, and pushes.
 * Anything else returns 0 and the tracer falls back to a single step.
 */
#include <stdbool.h>
#include <string.h>

#include "emu.h"

#define FL_CF 0x001u
#define FL_PF 0x004u
#define FL_AF 0x010u
#define FL_ZF 0x040u
#define FL_SF 0x080u
#define FL_OF 0x800u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* The register numbered n in x86 encoding order (rax, rcx, rdx, rbx, rsp...). */
static unsigned long long *reg_ptr(struct user_regs_struct *r, unsigned n)
{
	switch (n & 15) {
	case 0: return &r->rax;
	case 1: return &r->rcx;
	case 2: return &r->rdx;
	case 3: return &r->rbx;
	case 4: return &r->rsp;
	case 5: return &r->rbp;
	case 6: return &r->rsi;
	case 7: return &r->rdi;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	default: return &r->r15;
	}
}

/* Mask of an operand of `bytes` bytes. */
static uint64_t width_mask(unsigned bytes)
{
	return bytes >= 8 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

/* PF: set when the low byte of the result has an even number of 1 bits. */
static unsigned parity_flag(uint64_t res)
{
	return __builtin_parity((unsigned)(res & 0xff)) ? 0 : FL_PF;
}

/* ZF, SF, PF of a result of `bytes` bytes. */
static unsigned logic_flags(uint64_t res, unsigned bytes)
{
	uint64_t sign = 1ull << (bytes * 8 - 1);
	unsigned f = parity_flag(res);
	if ((res & width_mask(bytes)) == 0)
		f |= FL_ZF;
	if (res & sign)
		f |= FL_SF;
	return f;
}

/* The six arithmetic flags of a - b on `bytes`-byte operands (sub, cmp). */
static unsigned sub_flags(uint64_t a, uint64_t b, unsigned bytes)
{
	uint64_t m = width_mask(bytes), sign = 1ull << (bytes * 8 - 1);
	uint64_t res = (a - b) & m;
	unsigned f;

	a &= m;
	b &= m;
	f = logic_flags(res, bytes);
	if (a < b)
		f |= FL_CF;
	if ((a ^ b) & (a ^ res) & sign)
		f |= FL_OF;
	if ((a ^ b ^ res) & 0x10)
		f |= FL_AF;
	return f;
}

/* Replace the arithmetic flags of eflags by f. */
static void set_flags(struct user_regs_struct *r, unsigned f)
{
	r->eflags = (r->eflags & ~(unsigned long long)FL_ARITH) | f;
}

/* A decoded instruction: what it does and how long it is. */
enum op { OP_NONE, OP_NOP, OP_PUSH, OP_TEST, OP_MOV, OP_MOVI, OP_SUBI, OP_CMPI,
	  OP_CMPB_RIP };

struct insn {
	enum op op;
	size_t len;
	unsigned dst, src;        /* register numbers */
	unsigned bytes;           /* operand size: 4 or 8 (1 for cmpb) */
	uint64_t imm;
	int32_t disp;
};

/* Decode the register-register ModRM forms (mod == 3) after opcode op. */
static bool decode_modrm_rr(const uint8_t *c, size_t len, size_t at, unsigned rex,
			    struct insn *in)
{
	uint8_t modrm;

	if (at >= len)
		return false;
	modrm = c[at];
	if ((modrm >> 6) != 3)
		return false;
	in->dst = (modrm & 7) | ((rex & 1) << 3);          /* r/m, REX.B */
	in->src = ((modrm >> 3) & 7) | ((rex & 4) << 1);   /* reg, REX.R */
	in->bytes = (rex & 8) ? 8 : 4;
	in->len = at + 1;
	return true;
}

/* Decode group-1 immediates on a register: 83 /5 (sub), 83 /7 (cmp), 81 ... */
static bool decode_grp1(const uint8_t *c, size_t len, size_t at, unsigned rex,
			bool imm32, struct insn *in)
{
	uint8_t modrm;
	unsigned sub, n = imm32 ? 4 : 1;

	if (at + 1 + n > len)
		return false;
	modrm = c[at];
	if ((modrm >> 6) != 3)
		return false;
	sub = (modrm >> 3) & 7;
	if (sub != 5 && sub != 7)
		return false;
	in->op = sub == 5 ? OP_SUBI : OP_CMPI;
	in->dst = (modrm & 7) | ((rex & 1) << 3);
	in->bytes = (rex & 8) ? 8 : 4;
	if (imm32) {
		int32_t v;
		memcpy(&v, c + at + 1, 4);
		in->imm = (uint64_t)(int64_t)v;
	} else {
		in->imm = (uint64_t)(int64_t)(int8_t)c[at + 1];
	}
	in->len = at + 1 + n;
	return true;
}

/* cmpb $imm8, disp32(%rip): 80 3d disp32 imm8 (no prefixes). */
static bool decode_cmpb_rip(const uint8_t *c, size_t len, struct insn *in)
{
	if (len < 7 || c[0] != 0x80 || c[1] != 0x3d)
		return false;
	in->op = OP_CMPB_RIP;
	memcpy(&in->disp, c + 2, 4);
	in->imm = c[6];
	in->bytes = 1;
	in->len = 7;
	return true;
}

/* Decode the instruction at c[0..len) into in; false if not one we know. */
static bool decode(const uint8_t *c, size_t len, struct insn *in)
{
	size_t at = 0;
	unsigned rex = 0;

	memset(in, 0, sizeof(*in));
	if (len >= 4 && c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa) {
		in->op = OP_NOP;                 /* endbr64 */
		in->len = 4;
		return true;
	}
	if (decode_cmpb_rip(c, len, in))
		return true;
	if (len > 0 && (c[0] & 0xf0) == 0x40) {
		rex = c[0] & 0x0f;
		at = 1;
	}
	if (at >= len)
		return false;
	switch (c[at]) {
	case 0x50: case 0x51: case 0x52: case 0x53:
	case 0x54: case 0x55: case 0x56: case 0x57:
		if (rex & ~1u)
			return false;
		in->op = OP_PUSH;
		in->src = (c[at] & 7) | ((rex & 1) << 3);
		in->len = at + 1;
		return true;
	case 0x85:
		in->op = OP_TEST;
		return decode_modrm_rr(c, len, at + 1, rex, in);
	case 0x89:
		in->op = OP_MOV;
		return decode_modrm_rr(c, len, at + 1, rex, in);
	case 0x8b:
		in->op = OP_MOV;
		if (!decode_modrm_rr(c, len, at + 1, rex, in))
			return false;
		{ unsigned t = in->dst; in->dst = in->src; in->src = t; }
		return true;
	case 0x83:
		return decode_grp1(c, len, at + 1, rex, false, in);
	case 0x81:
		return decode_grp1(c, len, at + 1, rex, true, in);
	default:
		break;
	}
	if (c[at] >= 0xb8 && c[at] <= 0xbf) {        /* mov $imm, r32 / movabs r64 */
		size_t n = (rex & 8) ? 8 : 4;
		if (at + 1 + n > len)
			return false;
		in->op = OP_MOVI;
		in->dst = (c[at] & 7) | ((rex & 1) << 3);
		in->imm = 0;
		memcpy(&in->imm, c + at + 1, n);
		in->bytes = (unsigned)n;
		in->len = at + 1 + n;
		return true;
	}
	return false;
}

size_t emu_supported(const uint8_t *code, size_t len)
{
	struct insn in;

	return decode(code, len, &in) ? in.len : 0;
}

/* Execute a decoded instruction on r; false if a memory access failed. */
static bool execute(const struct insn *in, struct user_regs_struct *r,
		    const struct emu_mem *mem)
{
	uint64_t m = width_mask(in->bytes), v;
	uint8_t b;

	switch (in->op) {
	case OP_NOP:
		return true;
	case OP_PUSH:
		v = *reg_ptr(r, in->src);
		if (mem->write(mem->ctx, r->rsp - 8, &v, 8) != 0)
			return false;
		r->rsp -= 8;
		return true;
	case OP_TEST:
		set_flags(r, logic_flags(*reg_ptr(r, in->dst) & *reg_ptr(r, in->src) & m,
					 in->bytes));
		return true;
	case OP_MOV:                     /* 32-bit writes zero-extend */
		*reg_ptr(r, in->dst) = *reg_ptr(r, in->src) & m;
		return true;
	case OP_MOVI:
		*reg_ptr(r, in->dst) = in->imm & m;
		return true;
	case OP_SUBI:
	case OP_CMPI:
		v = *reg_ptr(r, in->dst);
		set_flags(r, sub_flags(v, in->imm, in->bytes));
		if (in->op == OP_SUBI)
			*reg_ptr(r, in->dst) = (v - in->imm) & m;
		return true;
	case OP_CMPB_RIP:
		if (mem->read(mem->ctx, r->rip + in->len + (int64_t)in->disp, &b, 1) != 0)
			return false;
		set_flags(r, sub_flags(b, in->imm, 1));
		return true;
	default:
		return false;
	}
}

size_t emu_step(const uint8_t *code, size_t len, struct user_regs_struct *regs,
		const struct emu_mem *mem)
{
	struct insn in;
	struct user_regs_struct r = *regs;

	if (!decode(code, len, &in) || !execute(&in, &r, mem))
		return 0;
	r.rip += in.len;
	*regs = r;
	return in.len;
}
