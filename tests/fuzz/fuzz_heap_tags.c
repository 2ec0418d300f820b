/* fuzz_heap_tags.c - libFuzzer harness: the heap_tags walker on any bytes.
 * Input: a 64-byte tags_state image (magic, start, end, fit, coalesce,
 * rover, sweeps, grows; addresses as the fake process sees them), then the
 * bytes of the tags_heap arena, mapped at FAKE_HEAP.  A fake executable
 * defines both symbols; reads outside the two images fail.  The walk must
 * neither crash nor hang, and its chunks must tile the span it reports. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "space.h"

#define FAKE_STATE 0x601000u
#define FAKE_HEAP  0x700000u
#define STATE_SIZE 64u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct image {
	const uint8_t *state, *heap;
	size_t heap_len;
};

/* Is [addr, addr+len) inside [base, base+size)? */
static bool inside(uint64_t addr, size_t len, uint64_t base, size_t size)
{
	return addr >= base && len <= size && addr - base <= size - len;
}

/* The fake process's memory: the state image and the arena image. */
static int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (inside(addr, len, FAKE_STATE, STATE_SIZE))
		memcpy(buf, im->state + (addr - FAKE_STATE), len);
	else if (inside(addr, len, FAKE_HEAP, im->heap_len))
		memcpy(buf, im->heap + (addr - FAKE_HEAP), len);
	else
		return -1;
	return 0;
}

/* The chunks of the one arena tile [start, end) when the walk was not cut short. */
static void check_tiling(const struct heap_state *h)
{
	const struct heap_arena *a = h->n ? &h->arenas[0] : NULL;
	uint64_t at;

	if (a == NULL || a->n == 0)
		return;
	at = a->start;
	for (size_t i = 0; i < a->n; i++) {
		if (a->chunks[i].addr != at || a->chunks[i].size == 0)
			abort();
		at += a->chunks[i].size;
	}
	if (at != a->end)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char state_name[] = "tags_state", heap_name[] = "tags_heap";
	struct elf_symbol syms[2] = {
		{ .name = state_name, .value = FAKE_STATE, .size = STATE_SIZE },
		{ .name = heap_name, .value = FAKE_HEAP },
	};
	struct elf_file ef = { .symbols = syms, .nsymbols = 2 };
	struct elf_module mod = { .ef = &ef, .is_exe = true };
	struct space sp;
	struct image im;
	struct mem_reader mem = { &im, fake_read };
	struct heap_state h;

	if (size < STATE_SIZE)
		return 0;
	im.state = data;
	im.heap = data + STATE_SIZE;
	im.heap_len = size - STATE_SIZE;
	syms[1].size = im.heap_len;
	memset(&sp, 0, sizeof(sp));
	sp.elf.mods = &mod;
	sp.elf.n = 1;
	if (!heap_tags_present(&sp))
		abort();
	heap_state_init(&h);
	heap_tags_read(&h, &sp, &mem);
	check_tiling(&h);
	heap_state_clear(&h);
	heap_tags_read(&h, &sp, &mem);          /* again, on reused storage */
	check_tiling(&h);
	heap_state_free(&h);
	return 0;
}
