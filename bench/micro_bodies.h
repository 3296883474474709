/*
 * micro_bodies.h - the bodies of kalloc's microbenchmarks, in C.
 *
 * Each body is a plain C function `void body(uint64_t iters, struct
 * mb_state *st)` that performs `iters` operations of one pattern (one
 * malloc/free pair, one object of a batch, one realloc growth sequence...)
 * on the state the caller prepared.  The C++ shims (micro.cc, kapi.cc)
 * register them with Google Benchmark; bench/micro --mb-run runs one body
 * alone for valgrind --tool=callgrind.  Nothing here is C++, nothing here
 * knows which allocator is underneath: the same binary runs under glibc and
 * under each LD_PRELOADed allocator.
 */
#ifndef KALLOC_BENCH_MICRO_BODIES_H
#define KALLOC_BENCH_MICRO_BODIES_H

#include <stddef.h>
#include <stdint.h>

#define MB_PAGE 4096u

/* Write one byte in every page of p[from .. size), and the last byte. */
static inline void mb_touch(unsigned char *p, size_t from, size_t size, unsigned char v)
{
	for (size_t off = from; off < size; off += MB_PAGE)
		p[off] = v;
	p[size - 1] = v;
}

#ifdef __cplusplus
extern "C" {
#endif

/* The order in which a batch is freed. */
enum mb_order { MB_SAME = 0, MB_REVERSE = 1, MB_RANDOM = 2 };

/* What the threads of one multi-threaded run share (rings of pointers). */
struct mb_shared;

struct mb_state {
	/* parameters, set by the shim before mb_prepare() */
	size_t size;		/* bytes per object (or the final size) */
	size_t n;		/* objects per batch */
	size_t align;		/* aligned_alloc alignment */
	int order;		/* enum mb_order */
	int touch;		/* write one byte in every page */
	int thread_index;	/* 0 .. threads-1 */
	int threads;
	struct mb_shared *shared;	/* cross-thread runs only */
	void *ctx;		/* a body's own object (kapi: a kmem_cache) */

	/* scratch, owned by mb_prepare()/mb_release() */
	void **slots;		/* n object pointers */
	uint32_t *perm;		/* a random permutation of 0 .. n-1 */
	uint64_t rng;
	uint64_t seq;		/* cross-thread sequence number */

	/* results */
	uintptr_t sink;		/* folded addresses and bytes: kept observable */
	int failed;		/* a body found wrong data or a NULL */
};

typedef void mb_body(uint64_t iters, struct mb_state *st);

/* Escape a pointer / clobber memory: the compiler may not drop the work. */
#define MB_ESCAPE(p)	__asm__ __volatile__("" : : "g"(p) : "memory")
#define MB_CLOBBER()	__asm__ __volatile__("" : : : "memory")

/*
 * Bodies that bench/kapi runs on the kernel API and bench/micro on malloc,
 * written once: the allocator comes as functions (inlined where the
 * caller passes constants).
 */
typedef void *mb_alloc_fn(size_t size);
typedef void *mb_realloc_fn(void *p, size_t size);
typedef void mb_free_fn(void *p);

/* p = alloc(size), write one byte per page (and the last), free(p). */
static inline void mb_pair_touch_on(uint64_t iters, struct mb_state *st, mb_alloc_fn *alloc,
				    mb_free_fn *release)
{
	size_t size = st->size;

	for (uint64_t i = 0; i < iters; i++) {
		unsigned char *p = (unsigned char *)alloc(size);

		if (!p) {
			st->failed = 1;
			return;
		}
		mb_touch(p, 0, size, (unsigned char)i);
		MB_ESCAPE(p);
		st->sink += p[size / 2];
		release(p);
	}
}

#define MB_MAGIC 0x6b616c6c6f632121ULL	/* "kalloc!!" */

/*
 * From 64 bytes to st->size by doubling with grow(); the first word must
 * survive every step; @touch writes one byte in every new page (else only
 * the last byte).
 */
static inline void mb_realloc_double_on(uint64_t iters, struct mb_state *st, int touch,
					mb_alloc_fn *alloc, mb_realloc_fn *grow,
					mb_free_fn *release)
{
	size_t final = st->size;

	for (uint64_t i = 0; i < iters; i++) {
		size_t cur = 64;
		unsigned char *p = (unsigned char *)alloc(cur);
		uint64_t magic = MB_MAGIC ^ i, got;

		if (!p) {
			st->failed = 1;
			return;
		}
		__builtin_memcpy(p, &magic, sizeof(magic));
		while (cur < final) {
			size_t next = cur * 2;
			unsigned char *q = (unsigned char *)grow(p, next);

			if (!q) {
				release(p);
				st->failed = 1;
				return;
			}
			p = q;
			__builtin_memcpy(&got, p, sizeof(got));
			if (got != magic)
				st->failed = 1;
			if (touch)
				mb_touch(p, (cur + MB_PAGE - 1) & ~(size_t)(MB_PAGE - 1), next,
					 (unsigned char)i);
			else
				p[next - 1] = (unsigned char)i;
			cur = next;
		}
		MB_ESCAPE(p);
		st->sink += p[cur - 1];
		release(p);
	}
}

/* Allocate st's scratch (outside the timed region).  0 or -1. */
int mb_prepare(struct mb_state *st);
void mb_release(struct mb_state *st);

/* ---- bodies: malloc and friends (run under each allocator) ---- */

/* p = malloc(size); free(p).  One iteration = one pair. */
mb_body mb_malloc_pair;
/* The same, writing one byte in every page of the block (and its last). */
mb_body mb_malloc_pair_touch;
/* calloc(1, size), check it is zero where it is read, free. */
mb_body mb_calloc_pair;
/* aligned_alloc(align, size), check the alignment, free. */
mb_body mb_aligned_pair;
/* Allocate n objects, then free them in st->order.  One iteration = one
 * object (the shim runs iterations in multiples of n). */
mb_body mb_batch;
/* One iteration = malloc(64) then realloc doubling up to st->size, then
 * free; with touch, every new page is written (the buffer is filled as it
 * grows), without, only the block's last byte.  The first bytes are
 * checked after every move. */
mb_body mb_realloc_double;
/* Cross-thread free: even threads malloc(size) and push into a ring, the
 * next odd thread pops and frees.  One iteration = one object. */
mb_body mb_xthread_free;

/* Set up / tear down the rings of mb_xthread_free for `threads` threads,
 * `slots` entries each.  Called by thread 0 before the timed region. */
struct mb_shared *mb_shared_create(int threads, size_t slots);
void mb_shared_destroy(struct mb_shared *sh);

/* ---- a single-producer single-consumer ring, also used by kapi.c ---- */

/* Push p (spins, then yields, while the ring is full). */
void mb_ring_push(struct mb_shared *sh, int pair, void *p);
/* Pop the oldest pointer (spins, then yields, while empty). */
void *mb_ring_pop(struct mb_shared *sh, int pair);

/* Look a body up by name ("malloc_pair", ...), for bench/micro --mb-run. */
mb_body *mb_body_by_name(const char *name);

/* Call body once with the given count; noinline and named so that
 * valgrind --toggle-collect=mb_measured counts just the timed work. */
void mb_measured(mb_body *body, uint64_t iters, struct mb_state *st);

/*
 * Cross-thread frees: threads pair up (0 with 1, 2 with 3, ...); the even
 * one allocates objects stamped with a running number and passes them
 * through the pair's ring, the odd one checks and frees them.  An odd
 * thread out runs @alone (plain pairs), so the counts still match.
 */
static inline void mb_xthread_on(uint64_t iters, struct mb_state *st, mb_alloc_fn *alloc,
				 mb_free_fn *release, mb_body *alone)
{
	struct mb_shared *sh = st->shared;
	int pair = st->thread_index / 2;
	size_t size = st->size < sizeof(uint64_t) ? sizeof(uint64_t) : st->size;
	uint64_t seq = st->seq;	/* the pair's running sequence number */

	if (!sh || (st->threads & 1 && st->thread_index == st->threads - 1)) {
		alone(iters, st);
		return;
	}
	if (st->thread_index % 2 == 0) {
		for (uint64_t i = 0; i < iters; i++) {
			uint64_t *p = (uint64_t *)alloc(size);

			if (!p) {
				st->failed = 1;
				p = (uint64_t *)alloc(size);	/* keep the counts matched */
			}
			if (p)
				*p = seq;
			seq++;
			mb_ring_push(sh, pair, p);
		}
	} else {
		for (uint64_t i = 0; i < iters; i++) {
			uint64_t *p = (uint64_t *)mb_ring_pop(sh, pair);

			if (!p || *p != seq)
				st->failed = 1;
			seq++;
			release(p);
		}
	}
	st->seq = seq;
}

#ifdef __cplusplus
}
#endif

#endif /* KALLOC_BENCH_MICRO_BODIES_H */
