/* fuzz_heap_glibc.c - libFuzzer harness: heap_glibc_read on a fake process
 * whose [heap] (and one anonymous mapping) hold the fuzz bytes, with a fake
 * libc module (version code, .rela.dyn with a TPOFF64 and a RELATIVE
 * relocation, a GOT slot, main_arena) whose malloc_state and tcache
 * pointer also come from the input, often steered into the heap.
 *
 * Input: [flags:1][malloc_state:0x898][tcache ptr:8][heap image...]. */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "space.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAP_BASE 0x555555559000ull
#define MMAP_BASE 0x7e0000000000ull
#define LIBC_BASE 0x7f0000000000ull
#define LIBC_LEN  0x10100ull
#define FS_BASE   (LIBC_BASE + 0x10000)
#define ARENA_OFF 0x1000ull
#define STATE_LEN 0x898u
#define MAX_HEAP  (1u << 20)

struct fake_mem {
	const uint8_t *heap;
	size_t heaplen;
	uint8_t libc[LIBC_LEN];
};

/* Copy from the fake heap, mmap region or libc; -1 outside them. */
static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_mem *m = ctx;
	const uint64_t bases[2] = { HEAP_BASE, MMAP_BASE };

	for (int i = 0; i < 2; i++)
		if (addr >= bases[i] && addr - bases[i] <= m->heaplen &&
		    len <= m->heaplen - (addr - bases[i])) {
			memcpy(buf, m->heap + (addr - bases[i]), len);
			return 0;
		}
	if (addr >= LIBC_BASE && addr - LIBC_BASE <= LIBC_LEN && len <= LIBC_LEN - (addr - LIBC_BASE)) {
		memcpy(buf, m->libc + (addr - LIBC_BASE), len);
		return 0;
	}
	return -1;
}

/* Store a 64-bit word at p. */
static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* v steered into the heap (keeping its low 4 bits) when steer is set. */
static uint64_t steer(uint64_t v, bool on, size_t heaplen)
{
	if (!on || heaplen < 32)
		return v;
	return HEAP_BASE + ((v >> 4) % (heaplen / 16)) * 16 + (v & 15);
}

/* The fake libc image: version code, relocations, GOT, main_arena. */
static void build_libc(struct fake_mem *m, const uint8_t *state, uint8_t flags,
		       uint64_t tcache)
{
	static const uint8_t code[8] = { 0x48, 0x8d, 0x05, 0xf9, 0x00, 0x00, 0x00, 0xc3 };
	uint8_t *st = m->libc + ARENA_OFF;

	memset(m->libc, 0, sizeof(m->libc));
	memcpy(m->libc, code, sizeof(code));           /* lea 0x100(%rip) - 7 */
	memcpy(m->libc + 0x100, flags & 8 ? "2.99" : "2.36", 5);
	put64(m->libc + 0x200, 0x400);                 /* TPOFF64 GOT slot */
	put64(m->libc + 0x208, R_X86_64_TPOFF64);
	put64(m->libc + 0x210, 0x48);
	put64(m->libc + 0x218, ARENA_OFF + 0x870);     /* main_arena.next */
	put64(m->libc + 0x220, R_X86_64_RELATIVE);
	put64(m->libc + 0x228, ARENA_OFF);
	put64(m->libc + 0x400, (uint64_t)-0x80);       /* tcache at fs - 0x80 */
	memcpy(st, state, STATE_LEN);
	for (unsigned off = 0x10; off < 0x860; off += 8) {   /* fastbins, top, bins */
		uint64_t v;
		memcpy(&v, st + off, 8);
		put64(st + off, steer(v, flags & 4, m->heaplen));
	}
	if (flags & 1)
		put64(st + 0x870, LIBC_BASE + ARENA_OFF);  /* the ring closes */
	put64(m->libc + 0x10000 - 0x80, steer(tcache, flags & 2, m->heaplen));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_mem m;
	static char n_rela[] = ".rela.dyn", n_data[] = ".data", n_path[] = "/nonexistent/libc.so.6";
	static char n_ver[] = "gnu_get_libc_version", n_arena[] = "main_arena";
	struct elf_section secs[2] = {
		{ n_rela, 0x200, 48, 0x200, SHT_RELA, SHF_ALLOC },
		{ n_data, ARENA_OFF, 0x1000, ARENA_OFF, SHT_PROGBITS, SHF_ALLOC | SHF_WRITE },
	};
	struct elf_symbol syms[2] = {
		{ n_ver, 0, 8, STT_FUNC, STB_GLOBAL },
		{ n_arena, ARENA_OFF, STATE_LEN, STT_OBJECT, STB_LOCAL },
	};
	struct elf_file ef = { 0 };
	struct elf_module mod = { 0 };
	struct region regs[3];
	struct space sp = { 0 };
	struct mem_reader mem = { &m, fake_read };
	uint64_t fs = FS_BASE, tcache;
	struct glibc_ctx c = { &sp, &mem, &fs, 1 };
	struct heap_state h;
	uint8_t flags;

	if (size < 1 + STATE_LEN + 8)
		return 0;
	flags = data[0];
	memcpy(&tcache, data + 1 + STATE_LEN, 8);
	m.heap = data + 1 + STATE_LEN + 8;
	m.heaplen = size - (1 + STATE_LEN + 8);
	if (m.heaplen > MAX_HEAP)
		m.heaplen = MAX_HEAP;
	m.heaplen &= ~(size_t)15;
	build_libc(&m, data + 1, flags, tcache);

	ef.path = n_path;
	ef.e_type = ET_DYN;
	ef.sections = secs;
	ef.nsections = 2;
	ef.symbols = syms;
	ef.nsymbols = flags & 16 ? 1 : 2;          /* without main_arena: relocations */
	mod.ef = &ef;
	mod.bias = LIBC_BASE;
	mod.lo = LIBC_BASE;
	mod.hi = LIBC_BASE + LIBC_LEN;
	sp.elf.mods = &mod;
	sp.elf.n = 1;
	memset(regs, 0, sizeof(regs));
	regs[0] = (struct region){ .start = HEAP_BASE, .end = HEAP_BASE + m.heaplen,
				   .perms = "rw-p", .path = "", .kind = RK_HEAP };
	regs[1] = (struct region){ .start = MMAP_BASE, .end = MMAP_BASE + m.heaplen,
				   .perms = "rw-p", .path = "", .kind = RK_MMAP };
	regs[2] = (struct region){ .start = LIBC_BASE, .end = LIBC_BASE + LIBC_LEN,
				   .perms = "rw-p", .path = n_path, .kind = RK_LIB, .mod = &mod };
	sp.regions = regs;
	sp.n = m.heaplen ? 3 : 1;
	if (!m.heaplen)
		sp.regions = &regs[2];
	c.nfs = flags & 32 ? 0 : 1;

	heap_state_init(&h);
	heap_glibc_read(&h, &c);
	for (size_t k = 0; k < h.n; k++)
		for (size_t i = 0; i < h.arenas[k].n; i++) {
			const struct heap_chunk *ch = &h.arenas[k].chunks[i];
			if (ch->state == CH_INUSE || ch->state == CH_FREE)
				if (ch->addr < HEAP_BASE || ch->addr + ch->size > HEAP_BASE + m.heaplen)
					if (k == 0)
						abort();   /* main chunks stay in the heap */
		}
	heap_state_free(&h);
	return 0;
}
