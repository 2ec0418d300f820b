/*
 * emu.h - an x86-64 emulator for the handful of instructions that begin the
 * functions memviz puts breakpoints on (push reg, test reg,reg, mov, cmpb
 * imm,(rip), sub imm,rsp, endbr64...).  Emulating the instruction the int3
 * replaced lets the tracer resume after it: one ptrace stop per call, no
 * single step.
 */
#ifndef MEMVIZ_EMU_H
#define MEMVIZ_EMU_H

#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

struct emu_mem {
	void *ctx;
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t addr, const void *buf, size_t len);
};

/* Length of the instruction at code[0..len) if emu_step can emulate it,
 * else 0.  Pure: decides once per breakpoint, at arming time. */
size_t emu_supported(const uint8_t *code, size_t len);
/* Emulate the instruction at code[] (which was fetched at regs->rip): update
 * regs (rip included) and memory.  Returns its length, 0 if unsupported or a
 * memory access failed (regs then unchanged). */
size_t emu_step(const uint8_t *code, size_t len, struct user_regs_struct *regs,
		const struct emu_mem *mem);

#endif
