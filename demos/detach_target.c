/*
 * detach_target.c - a deterministic heap workout for the detach test: a
 * tracer that detaches at any of its stops must leave it producing the same
 * output and exit status as an untraced run.
 *
 * 300 operations chosen by a fixed-seed generator over 24 slots: malloc,
 * calloc, realloc (growing and shrinking), free, and the aligned allocators.
 * Every block is filled with a pattern derived from its slot and size and
 * checked before it is resized or freed, so a tracer that disturbed memory
 * or registers changes the checksum.  Addresses never enter the output.
 *
 * Prints "step N checksum X" every 50 operations, then "ops 300",
 * "bad 0" (pattern mismatches) and "checksum X"; exits with status 7.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "truth.h"

#define NSLOTS 24
#define NOPS 300

struct slot {
	unsigned char *p;
	size_t size;
	unsigned char seed;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static struct slot slots[NSLOTS];
static uint64_t checksum = 1469598103934665603ull;	/* FNV offset basis */
static unsigned long bad;

/* xorshift64: the same sequence on every run. */
static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Fold v into the checksum (FNV-1a over its 8 bytes). */
static void mix(uint64_t v)
{
	for (int i = 0; i < 8; i++) {
		checksum ^= (v >> (8 * i)) & 0xff;
		checksum *= 1099511628211ull;
	}
}

/* A size: mostly small, sometimes medium, rarely above the mmap threshold. */
static size_t pick_size(void)
{
	uint64_t r = rng() % 100;

	if (r < 70)
		return 1 + rng() % 256;
	if (r < 97)
		return 257 + rng() % 4000;
	return 140000 + rng() % 60000;
}

/* Fill the first n bytes of s with its pattern. */
static void fill(struct slot *s, size_t from, size_t n)
{
	for (size_t i = from; i < n; i++)
		s->p[i] = (unsigned char)(s->seed + i * 7);
}

/* Check the first n bytes of s against its pattern and fold them in. */
static void verify(const struct slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s->p[i] != (unsigned char)(s->seed + i * 7))
			bad++;
	}
	mix(n);
	mix(n ? s->p[n - 1] : 0);
}

/* Allocate slot s with one of the allocators. */
static void allocate(struct slot *s)
{
	size_t n = pick_size();
	void *p = NULL;

	switch (rng() % 6) {
	case 0:
		p = calloc(1, n);
		for (size_t i = 0; p && i < n; i++)
			bad += ((unsigned char *)p)[i] != 0;
		break;
	case 1:
		if (posix_memalign(&p, 64, n) != 0)
			p = NULL;
		break;
	case 2:
		p = aligned_alloc(32, (n + 31) & ~(size_t)31);
		break;
	case 3:
		p = memalign(128, n);
		break;
	default:
		p = malloc(n);
		break;
	}
	if (!p) {
		mix(0xdead);
		return;
	}
	s->p = p;
	s->size = n;
	s->seed = (unsigned char)rng();
	fill(s, 0, n);
}

/* Resize slot s with realloc, checking that its contents moved with it. */
static void resize(struct slot *s)
{
	size_t n = pick_size();
	size_t keep = n < s->size ? n : s->size;
	unsigned char *q = realloc(s->p, n);

	if (!q) {
		mix(0xbeef);
		return;
	}
	s->p = q;
	verify(s, keep);
	s->size = n;
	fill(s, keep, n);
}

int main(void)
{
	int op;

	truth_init();
	for (op = 1; op <= NOPS; op++) {
		struct slot *s = &slots[rng() % NSLOTS];

		if (!s->p) {
			allocate(s);
		} else if (rng() % 3 == 0) {
			resize(s);
		} else {
			verify(s, s->size);
			free(s->p);
			s->p = NULL;
		}
		if (op % 50 == 0)
			printf("step %d checksum %016llx\n", op, (unsigned long long)checksum);
	}
	for (int i = 0; i < NSLOTS; i++) {
		if (slots[i].p) {
			verify(&slots[i], slots[i].size);
			free(slots[i].p);
		}
	}
	printf("ops %d\n", NOPS);
	printf("bad %lu\n", bad);
	printf("checksum %016llx\n", (unsigned long long)checksum);
	return 7;
}
