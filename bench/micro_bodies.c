/*
 * micro_bodies.c - the microbenchmark bodies (see micro_bodies.h).
 *
 * Plain C, allocator-agnostic: every call goes to whatever malloc the
 * process has (glibc, or the LD_PRELOADed one).  Each body keeps the
 * compiler honest with MB_ESCAPE (an empty asm that takes the pointer), so
 * a malloc/free pair cannot be elided, and checks what it can cheaply check
 * (alignment, zeroes, preserved bytes, the sequence numbers crossing
 * threads), setting st->failed instead of crashing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "micro_bodies.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MB_CACHELINE 64

/* xorshift64*: a fast, deterministic generator for orders and sizes. */
static uint64_t mb_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

int mb_prepare(struct mb_state *st)
{
	size_t n = st->n ? st->n : 1;

	st->rng = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)st->thread_index << 32 | 1);
	st->seq = 0;
	st->slots = calloc(n, sizeof(*st->slots));
	st->perm = calloc(n, sizeof(*st->perm));
	if (!st->slots || !st->perm) {
		mb_release(st);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		st->perm[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {	/* Fisher-Yates */
		size_t j = mb_next(&st->rng) % (i + 1);
		uint32_t t = st->perm[i];

		st->perm[i] = st->perm[j];
		st->perm[j] = t;
	}
	return 0;
}

void mb_release(struct mb_state *st)
{
	free(st->slots);
	free(st->perm);
	st->slots = NULL;
	st->perm = NULL;
}

/* ------------------------------------------------------------ pairs -- */

void mb_malloc_pair(uint64_t iters, struct mb_state *st)
{
	size_t size = st->size;
	uintptr_t sink = 0;

	for (uint64_t i = 0; i < iters; i++) {
		void *p = malloc(size);

		MB_ESCAPE(p);
		sink ^= (uintptr_t)p;
		free(p);
	}
	st->sink ^= sink;
}

void mb_malloc_pair_touch(uint64_t iters, struct mb_state *st)
{
	mb_pair_touch_on(iters, st, malloc, free);
}

void mb_calloc_pair(uint64_t iters, struct mb_state *st)
{
	size_t size = st->size;
	unsigned bad = 0;

	for (uint64_t i = 0; i < iters; i++) {
		unsigned char *p = calloc(1, size);

		if (!p) {
			st->failed = 1;
			return;
		}
		MB_ESCAPE(p);
		bad |= p[0] | p[size / 2] | p[size - 1];
		p[0] = 0xa5;		/* used, as a program would */
		p[size - 1] = 0x5a;
		free(p);
	}
	if (bad)
		st->failed = 1;
}

void mb_aligned_pair(uint64_t iters, struct mb_state *st)
{
	size_t size = st->size, align = st->align;
	uintptr_t bad = 0, sink = 0;

	for (uint64_t i = 0; i < iters; i++) {
		void *p = aligned_alloc(align, size);

		MB_ESCAPE(p);
		bad |= (uintptr_t)p & (align - 1);
		bad |= !p;
		sink ^= (uintptr_t)p;
		free(p);
	}
	if (bad)
		st->failed = 1;
	st->sink ^= sink;
}

/* ---------------------------------------------------------- batches -- */

static void mb_batch_once(struct mb_state *st, size_t n)
{
	void **slots = st->slots;
	size_t size = st->size;
	unsigned bad = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char *p = malloc(size);

		if (!p) {
			st->failed = 1;
			n = i;
			break;
		}
		p[0] = (unsigned char)i;	/* each object is used once */
		slots[i] = p;
	}
	MB_CLOBBER();
	switch (st->order) {
	case MB_SAME:
		for (size_t i = 0; i < n; i++) {
			unsigned char *p = slots[i];

			bad |= p[0] ^ (unsigned char)i;
			free(p);
		}
		break;
	case MB_REVERSE:
		for (size_t i = n; i-- > 0;) {
			unsigned char *p = slots[i];

			bad |= p[0] ^ (unsigned char)i;
			free(p);
		}
		break;
	default:
		for (size_t k = 0; k < n; k++) {
			uint32_t i = st->perm[k];
			unsigned char *p;

			if (i >= n)
				continue;	/* a short batch: freed below */
			p = slots[i];
			bad |= p[0] ^ (unsigned char)i;
			free(p);
		}
		break;
	}
	if (bad)
		st->failed = 1;
}

void mb_batch(uint64_t iters, struct mb_state *st)
{
	size_t n = st->n;

	while (iters >= n) {
		mb_batch_once(st, n);
		iters -= n;
	}
	if (iters) {
		/* A short batch frees in order whatever the mode, so that a
		 * permutation of n covers it: keep it simple and correct. */
		int order = st->order;

		if (order == MB_RANDOM)
			st->order = MB_SAME;
		mb_batch_once(st, (size_t)iters);
		st->order = order;
	}
}

/* ---------------------------------------------------------- realloc -- */

void mb_realloc_double(uint64_t iters, struct mb_state *st)
{
	mb_realloc_double_on(iters, st, st->touch, malloc, realloc, free);
}

/* ------------------------------------------------------ cross-thread -- */

struct mb_ring {
	_Alignas(MB_CACHELINE) _Atomic size_t head;	/* producer writes */
	_Alignas(MB_CACHELINE) _Atomic size_t tail;	/* consumer writes */
	_Alignas(MB_CACHELINE) size_t mask;
	void **buf;
};

struct mb_shared {
	int pairs;
	struct mb_ring *rings;
};

struct mb_shared *mb_shared_create(int threads, size_t slots)
{
	struct mb_shared *sh = calloc(1, sizeof(*sh));
	size_t cap = 1;

	if (!sh)
		return NULL;
	while (cap < slots)
		cap <<= 1;
	sh->pairs = threads / 2 ? threads / 2 : 1;
	if (posix_memalign((void **)&sh->rings, MB_CACHELINE,
			   sh->pairs * sizeof(*sh->rings))) {
		free(sh);
		return NULL;
	}
	memset(sh->rings, 0, sh->pairs * sizeof(*sh->rings));
	for (int i = 0; i < sh->pairs; i++) {
		sh->rings[i].mask = cap - 1;
		sh->rings[i].buf = calloc(cap, sizeof(void *));
		if (!sh->rings[i].buf) {
			mb_shared_destroy(sh);
			return NULL;
		}
	}
	return sh;
}

void mb_shared_destroy(struct mb_shared *sh)
{
	if (!sh)
		return;
	for (int i = 0; i < sh->pairs; i++) {
		struct mb_ring *r = &sh->rings[i];

		if (!r->buf)
			continue;
		/* whatever a stopped run left behind */
		while (atomic_load(&r->tail) != atomic_load(&r->head)) {
			free(r->buf[atomic_load(&r->tail) & r->mask]);
			atomic_store(&r->tail, atomic_load(&r->tail) + 1);
		}
		free(r->buf);
	}
	free(sh->rings);
	free(sh);
}

static inline void mb_backoff(unsigned *spins)
{
	if (++*spins < 64)
		__builtin_ia32_pause();
	else
		sched_yield();	/* 2 cores, 4 threads: let the partner run */
}

void mb_ring_push(struct mb_shared *sh, int pair, void *p)
{
	struct mb_ring *r = &sh->rings[pair];
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	unsigned spins = 0;

	while (head - atomic_load_explicit(&r->tail, memory_order_acquire) > r->mask)
		mb_backoff(&spins);
	r->buf[head & r->mask] = p;
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

void *mb_ring_pop(struct mb_shared *sh, int pair)
{
	struct mb_ring *r = &sh->rings[pair];
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	unsigned spins = 0;
	void *p;

	while (atomic_load_explicit(&r->head, memory_order_acquire) == tail)
		mb_backoff(&spins);
	p = r->buf[tail & r->mask];
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return p;
}

void mb_xthread_free(uint64_t iters, struct mb_state *st)
{
	mb_xthread_on(iters, st, malloc, free, mb_malloc_pair);
}

/* ----------------------------------------------------------- lookup -- */

static const struct {
	const char *name;
	mb_body *body;
} mb_bodies[] = {
	{ "malloc_pair", mb_malloc_pair },
	{ "malloc_pair_touch", mb_malloc_pair_touch },
	{ "calloc_pair", mb_calloc_pair },
	{ "aligned_pair", mb_aligned_pair },
	{ "batch", mb_batch },
	{ "realloc_double", mb_realloc_double },
};

mb_body *mb_body_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(mb_bodies) / sizeof(mb_bodies[0]); i++)
		if (!strcmp(mb_bodies[i].name, name))
			return mb_bodies[i].body;
	return NULL;
}

__attribute__((noinline)) void mb_measured(mb_body *body, uint64_t iters,
					   struct mb_state *st)
{
	body(iters, st);
	MB_CLOBBER();
}
