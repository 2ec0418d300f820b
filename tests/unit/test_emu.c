/*
 * test_emu.c - the instruction emulator against the real CPU.
 *
 * A child process runs each instruction for real: memviz writes the
 * instruction (followed by int3) into a page shared with the child, sets the
 * child's registers with ptrace, lets it run to the int3 and reads its
 * registers back.  emu_step on the same registers and a copy of the same page
 * must give the same registers, arithmetic flags and memory.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "emu.h"

#define PAGE 4096
#define CODE_AT 0x100
#define DATA_AT 0x80
#define STACK_AT 0xf00
#define FLAGS_ARITH 0x8d5ull
#define FL_AF 0x10ull

static uint8_t *page;            /* shared with the child, same address */
static uint8_t copy[PAGE];       /* what emu_step reads and writes */

struct tcase {
	const char *name;
	uint8_t code[16];
	size_t len;
	int af_undefined;        /* TEST leaves AF undefined */
};

static const struct tcase cases[] = {
	{ "push %rbp", { 0x55 }, 1, 0 },
	{ "push %rbx", { 0x53 }, 1, 0 },
	{ "push %r12", { 0x41, 0x54 }, 2, 0 },
	{ "push %r15", { 0x41, 0x57 }, 2, 0 },
	{ "test %rdi,%rdi", { 0x48, 0x85, 0xff }, 3, 1 },
	{ "test %eax,%eax", { 0x85, 0xc0 }, 2, 1 },
	{ "test %rsi,%rdx", { 0x48, 0x85, 0xf2 }, 3, 1 },
	{ "mov %rdi,%rax", { 0x48, 0x89, 0xf8 }, 3, 0 },
	{ "mov %ecx,%r10d", { 0x41, 0x89, 0xca }, 3, 0 },
	{ "mov %rsp,%rbp", { 0x48, 0x89, 0xe5 }, 3, 0 },
	{ "mov %r8,%rax (8b)", { 0x49, 0x8b, 0xc0 }, 3, 0 },
	{ "mov $0xc,%eax", { 0xb8, 0x0c, 0, 0, 0 }, 5, 0 },
	{ "mov $-1,%r9d", { 0x41, 0xb9, 0xff, 0xff, 0xff, 0xff }, 6, 0 },
	{ "movabs $imm64,%rdx", { 0x48, 0xba, 1, 2, 3, 4, 5, 6, 7, 0x88 }, 10, 0 },
	{ "sub $0x58,%rsp", { 0x48, 0x83, 0xec, 0x58 }, 4, 0 },
	{ "sub $0x1000,%rsp", { 0x48, 0x81, 0xec, 0, 0x10, 0, 0 }, 7, 0 },
	{ "cmp $0x7f,%rdi", { 0x48, 0x83, 0xff, 0x7f }, 4, 0 },
	{ "cmp $-1,%esi", { 0x83, 0xfe, 0xff }, 3, 0 },
	{ "sub $-128,%r11", { 0x49, 0x83, 0xeb, 0x80 }, 4, 0 },
	/* cmpb $imm,disp(%rip): disp patched to reach DATA_AT */
	{ "cmpb $0x0,x(%rip)", { 0x80, 0x3d, 0, 0, 0, 0, 0x00 }, 7, 0 },
	{ "cmpb $0x80,x(%rip)", { 0x80, 0x3d, 0, 0, 0, 0, 0x80 }, 7, 0 },
	{ "endbr64", { 0xf3, 0x0f, 0x1e, 0xfa }, 4, 0 },
};

/* Instructions emu must refuse (memory operands, control flow). */
static const struct tcase refused[] = {
	{ "mov (%rdi),%rax", { 0x48, 0x8b, 0x07 }, 3, 0 },
	{ "call rel32", { 0xe8, 0, 0, 0, 0 }, 5, 0 },
	{ "jmp rel8", { 0xeb, 0x00 }, 2, 0 },
	{ "add $1,%rax", { 0x48, 0x83, 0xc0, 0x01 }, 4, 0 },
	{ "push (%rax)", { 0xff, 0x30 }, 2, 0 },
};

/* Map an address in the shared page to the local copy. */
static uint8_t *in_copy(uint64_t addr, size_t len)
{
	uint64_t base = (uint64_t)(uintptr_t)page;
	if (addr < base || addr + len > base + PAGE)
		return NULL;
	return copy + (addr - base);
}

static int copy_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	uint8_t *p = in_copy(addr, len);
	(void)ctx;
	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static int copy_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	uint8_t *p = in_copy(addr, len);
	(void)ctx;
	if (!p)
		return -1;
	memcpy(p, buf, len);
	return 0;
}

/* A random 64-bit value biased toward the edges (0, signs, carries). */
static uint64_t edgy(void)
{
	static const uint64_t edges[] = { 0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000,
		0xffffffff, 0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
		~0ull, 0x58, 0x57, 0x1000 };
	uint64_t r = ((uint64_t)random() << 33) ^ ((uint64_t)random() << 10) ^ (uint64_t)random();
	return (random() % 3 == 0) ? edges[random() % (sizeof(edges) / sizeof(edges[0]))] : r;
}

/* Random registers for one run; rip at the code, rsp inside the page. */
static void random_regs(struct user_regs_struct *r, const struct user_regs_struct *base)
{
	*r = *base;
	r->rax = edgy(); r->rbx = edgy(); r->rcx = edgy(); r->rdx = edgy();
	r->rsi = edgy(); r->rdi = edgy(); r->rbp = edgy();
	r->r8 = edgy(); r->r9 = edgy(); r->r10 = edgy(); r->r11 = edgy();
	r->r12 = edgy(); r->r13 = edgy(); r->r14 = edgy(); r->r15 = edgy();
	r->rip = (uint64_t)(uintptr_t)page + CODE_AT;
	r->rsp = (uint64_t)(uintptr_t)page + STACK_AT;
	r->eflags = (base->eflags & ~FLAGS_ARITH) | ((uint64_t)random() & FLAGS_ARITH);
}

/* Run the code at CODE_AT in the child with regs; the registers after. */
static int run_real(pid_t child, struct user_regs_struct *regs)
{
	int st;

	if (ptrace(PTRACE_SETREGS, child, 0, regs) != 0 || ptrace(PTRACE_CONT, child, 0, 0) != 0)
		return -1;
	if (waitpid(child, &st, 0) != child || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
		return -1;
	if (ptrace(PTRACE_GETREGS, child, 0, regs) != 0)
		return -1;
	regs->rip--;                  /* the int3 after the instruction */
	return 0;
}

#define REG_CHECK(f) do { if (emu.f != real.f) { \
	fprintf(stderr, "%s: %s differs: emu 0x%llx real 0x%llx\n", tc->name, #f, \
		(unsigned long long)emu.f, (unsigned long long)real.f); return 1; } } while (0)

/* One random run of a case: 0 if emu and the CPU agree. */
static int one_run(pid_t child, const struct tcase *tc, const struct user_regs_struct *base)
{
	struct user_regs_struct start, emu, real;
	struct emu_mem mem = { NULL, copy_read, copy_write };
	uint64_t mask = FLAGS_ARITH & ~(tc->af_undefined ? FL_AF : 0);

	random_regs(&start, base);
	page[DATA_AT] = (uint8_t)edgy();
	memset(page + STACK_AT - 16, 0x5a, 32);
	memcpy(copy, page, PAGE);
	emu = start;
	if (emu_step(tc->code, tc->len, &emu, &mem) != tc->len) {
		fprintf(stderr, "%s: emu_step refused it\n", tc->name);
		return 1;
	}
	real = start;
	if (run_real(child, &real) != 0) {
		fprintf(stderr, "%s: the child did not stop at the int3\n", tc->name);
		return 1;
	}
	REG_CHECK(rax); REG_CHECK(rbx); REG_CHECK(rcx); REG_CHECK(rdx);
	REG_CHECK(rsi); REG_CHECK(rdi); REG_CHECK(rbp); REG_CHECK(rsp);
	REG_CHECK(r8); REG_CHECK(r9); REG_CHECK(r10); REG_CHECK(r11);
	REG_CHECK(r12); REG_CHECK(r13); REG_CHECK(r14); REG_CHECK(r15);
	REG_CHECK(rip);
	if ((emu.eflags & mask) != (real.eflags & mask)) {
		fprintf(stderr, "%s: flags differ: emu 0x%llx real 0x%llx\n", tc->name,
			emu.eflags & mask, real.eflags & mask);
		return 1;
	}
	if (memcmp(copy + STACK_AT - 16, page + STACK_AT - 16, 32) != 0) {
		fprintf(stderr, "%s: stack memory differs\n", tc->name);
		return 1;
	}
	return 0;
}

/* Put tc's code (with the rip-relative displacement fixed) and an int3 in place. */
static void place_code(struct tcase *tc)
{
	if (tc->code[0] == 0x80 && tc->code[1] == 0x3d) {
		int32_t disp = DATA_AT - (CODE_AT + 7);
		memcpy(tc->code + 2, &disp, 4);
	}
	memset(page + CODE_AT, 0xcc, 32);
	memcpy(page + CODE_AT, tc->code, tc->len);
}

int main(void)
{
	pid_t child;
	int st;
	struct user_regs_struct base;

	srandom(12345);
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(page != MAP_FAILED);
	if (page == MAP_FAILED)
		CHECK_DONE();
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK_EQ_U(emu_supported(refused[i].code, refused[i].len), 0);
	child = fork();
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	CHECK(waitpid(child, &st, 0) == child && WIFSTOPPED(st));
	CHECK(ptrace(PTRACE_GETREGS, child, 0, &base) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tcase tc = cases[i];
		place_code(&tc);
		CHECK_EQ_U(emu_supported(tc.code, tc.len), tc.len);
		int bad = 0;
		for (int run = 0; run < 300 && !bad; run++)
			bad = one_run(child, &tc, &base);
		CHECK(!bad);
	}
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	CHECK_DONE();
}
