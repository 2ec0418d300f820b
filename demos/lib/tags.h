/*
 * tags.h - the lecture notes' teaching allocator: an implicit list of
 * blocks with boundary tags (a header and a footer word, each holding the
 * block size with the allocated bit in bit 0), a prologue and an epilogue,
 * first / next / best fit and immediate / deferred coalescing chosen at run
 * time, and a heap that grows like sbrk inside one static arena.
 *
 * Layout (every word is a uint64_t; block sizes are multiples of 16):
 *
 *   tags_heap: [pad 8][prologue hdr 16|1][prologue ftr 16|1][block]...[block][epilogue 0|1]
 *   block:     [header size|a][payload ... (16-aligned)][footer size|a]
 *
 * The user pointer is the header address + 8.  The smallest block is 32
 * bytes (header, 16 bytes of payload, footer).
 *
 * What memviz reads (its heap_tags model, `--heap-model tags`): the two
 * global symbols below.  `tags_state` says where the blocks are; keep its
 * layout (all 64-bit fields, in this order) or change src/heap_tags.c too.
 */
#ifndef DEMOS_TAGS_H
#define DEMOS_TAGS_H

#include <stddef.h>
#include <stdint.h>

enum tags_fit { TAGS_FIRST_FIT, TAGS_NEXT_FIT, TAGS_BEST_FIT };
enum tags_coalesce { TAGS_IMMEDIATE, TAGS_DEFERRED };

#define TAGS_ARENA_SIZE (64 * 1024)   /* the whole "address space" of this heap */
#define TAGS_CHUNK      1024          /* the heap starts this big and grows by it */
#define TAGS_MIN_BLOCK  32            /* header + 16 payload bytes + footer */
#define TAGS_MAGIC      0x7461677368656170ull   /* "tagsheap" once tags_init ran */

/* Where memviz finds this heap.  Addresses are plain numbers (0 = none). */
struct tags_state {
	uint64_t magic;           /* TAGS_MAGIC once tags_init ran, else 0 */
	uint64_t start;           /* header of the first block (after the prologue) */
	uint64_t end;             /* the epilogue header: blocks are [start, end) */
	uint64_t fit;             /* enum tags_fit */
	uint64_t coalesce;        /* enum tags_coalesce */
	uint64_t rover;           /* next fit: header where the next search starts */
	uint64_t sweeps;          /* deferred coalescing sweeps done so far */
	uint64_t grows;           /* times the heap grew (the epilogue moved) */
};

extern struct tags_state tags_state;
/* The arena the heap lives in, 16-aligned; only its first part is in use. */
extern unsigned char tags_heap[TAGS_ARENA_SIZE];

/* (Re)start an empty heap with these policies.  0, or -1 on a bad policy. */
int tags_init(enum tags_fit fit, enum tags_coalesce co);
/* A 16-aligned block of at least size bytes, or NULL (size 0, arena full). */
void *tags_malloc(size_t size);
/* Give p back (NULL: nothing).  Immediate: merge with free neighbours now. */
void tags_free(void *p);
/* Walk the heap and check every tag; 0 if consistent, else -1. */
int tags_check(void);

#endif
