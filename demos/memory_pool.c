/*
 * memory_pool.c - the lecture's memory pool: an allocator on top of
 * malloc for many small objects that all die together.
 *
 * The pool is a linked list of blocks obtained with malloc, the newest
 * first.  pool_alloc hands out the next bytes of the newest block (a
 * pointer bump: no header per object, no free of one object); when the
 * block is full it mallocs a new one twice as big as the last (or as big
 * as the request, if that is bigger), so a pool of N bytes costs only
 * about log2(N) mallocs.  pool_free_all frees every block at once.
 *
 * The demo fills a pool with 16 records of 48 bytes and then a 1000-byte
 * buffer, and frees the pool.  Blocks start at 256 bytes: 256 (5
 * records), 512 (10), 1024 (the last record; the 1000 bytes no longer
 * fit in what is left), 2048 (the buffer).
 *
 * Prints the heap calls (truth.h), "pool block SIZE -> PTR" for each new
 * block (PTR = the block's malloc'd address, its header first), and
 * "pool_alloc SIZE -> PTR block BLOCK" for each object; exits 0.
 */
#include <stdlib.h>
#include <string.h>

#include "truth.h"

#define POOL_FIRST 256     /* bytes of objects in the first block */
#define POOL_ALIGN 16      /* what malloc promises, so objects keep it too */

/* One malloc'd block: this header, then `size` bytes handed out in order. */
struct pool_block {
	struct pool_block *next;   /* the block allocated before this one */
	size_t size;               /* bytes for objects */
	size_t used;               /* bytes handed out so far */
	char data[] __attribute__((aligned(POOL_ALIGN)));
};

struct pool {
	struct pool_block *head;   /* the newest block, where objects go */
	size_t next_size;          /* the size of the next block */
};

/* Add a block of at least `need` bytes, twice the previous one. */
static struct pool_block *pool_grow(struct pool *pool, size_t need)
{
	size_t size = pool->next_size > need ? pool->next_size : need;
	struct pool_block *b = malloc(sizeof *b + size);

	printf("malloc %zu -> 0x%lx\n", sizeof *b + size, P(b));
	if (!b)
		return NULL;
	printf("pool block %zu -> 0x%lx\n", size, P(b));
	b->next = pool->head;
	b->size = size;
	b->used = 0;
	pool->head = b;
	pool->next_size = size * 2;
	return b;
}

/* n bytes from the pool (rounded up to 16), NULL if malloc fails. */
static void *pool_alloc(struct pool *pool, size_t n)
{
	struct pool_block *b = pool->head;
	void *p;

	n = (n + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
	if (!b || b->size - b->used < n) {
		b = pool_grow(pool, n);
		if (!b)
			return NULL;
	}
	p = b->data + b->used;
	b->used += n;
	printf("pool_alloc %zu -> 0x%lx block 0x%lx\n", n, P(p), P(b));
	return p;
}

/* Free every block at once; the pool is empty (and reusable) after. */
static void pool_free_all(struct pool *pool)
{
	struct pool_block *b = pool->head;

	while (b) {
		struct pool_block *next = b->next;

		printf("free 0x%lx\n", P(b));
		free(b);
		b = next;
	}
	pool->head = NULL;
	pool->next_size = POOL_FIRST;
}

/* What the pool is for: many small objects of one lifetime. */
struct record {
	int id;
	char name[28];
	double score;
	struct record *prev;
};

int main(void)
{
	struct pool pool = { NULL, POOL_FIRST };
	struct record *last = NULL;
	char *text;
	int i;

	truth_init();
	printf("# 1. sixteen 48-byte records: blocks of 256, 512, 1024 bytes as it fills\n");
	for (i = 0; i < 16; i++) {
		struct record *r = pool_alloc(&pool, sizeof *r);

		if (!r)
			return 1;
		r->id = i;
		snprintf(r->name, sizeof r->name, "record %d", i);
		r->score = i * 1.5;
		r->prev = last;
		last = r;
	}

	printf("# 2. a 1000-byte buffer: too big for what is left, a new 2048-byte block\n");
	text = pool_alloc(&pool, 1000);
	if (!text)
		return 1;
	memset(text, 0, 1000);
	for (struct record *r = last; r; r = r->prev) {
		strcat(text, r->name);
		strcat(text, " ");
	}
	printf("# %.40s...\n", text);

	printf("# 3. the pool dies at once: every block freed, no object one by one\n");
	pool_free_all(&pool);
	return 0;
}
