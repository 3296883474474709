/*
 * tests/fuzz_malloc.c - a fuzz target for the malloc ABI (design 5): one
 * LLVMFuzzerTestOneInput() that libFuzzer drives, or tests/fuzz_replay.c
 * (a corpus, or random inputs), always with malloc being kalloc's: the
 * program runs under LD_PRELOAD=.libs/libkalloc.so and refuses to start
 * when it is not (set KALLOC_FUZZ_ANY_MALLOC=1 to try the target itself
 * on another allocator).
 *
 * An input is a byte string read as a sequence of operations over a table
 * of NR_SLOTS slots, each holding a live block or nothing:
 *
 *	op byte	(what)  slot byte  (parameters, as the operation needs them)
 *
 * The operations: malloc, calloc, realloc (of a live block to any size, to
 * 0, of NULL), memalign, aligned_alloc, posix_memalign, valloc, pvalloc
 * (alignments 8 B..64 KiB), free, free_sized/free_aligned_sized,
 * malloc_usable_size with a full check of the block, the error cases of
 * the ABI (sizes that overflow, bad alignments), and three that bring in
 * other threads: a block handed to a worker thread that checks and frees
 * it while the main thread goes on (cross-thread free, concurrent with
 * the main thread's calls), and the next 1..8 operations run on the
 * worker, or on a new thread that exits right after (its caches go back),
 * while the main thread waits.  An allocation into a live slot frees the
 * block there first.  Bytes past the end of the input read as 0; the
 * input ends at the first operation byte past its end.
 *
 * Sizes are drawn to cover every layer (design 1): 0; 1..256 and 1..8 KiB
 * (slab); malloc's class edges +-2; page blocks of 8 KiB..4 MiB, smaller
 * ones more often (a block of order o comes half as often as one of order
 * o - 1), page multiples +-1 (as skewed); 4 MiB +-2; rarely vmalloc areas
 * of 4..32 MiB.
 * The blocks live at once stay under LIVE_BUDGET bytes: a request that
 * would pass it is cut to its low 12 bits.
 *
 * What is checked, each violation printed with the operation that found
 * it before abort():
 *  - every block is filled, up to its usable size, with a pattern of its
 *    slot and a generation counter; the whole block is checked before it
 *    is freed or reallocated, when malloc_usable_size() is asked, and at
 *    the end of the input; realloc keeps min(old, new) bytes;
 *  - calloc's memory reads as zero;
 *  - alignment: the fundamental one (16 bytes from 9 bytes up, else 8) or
 *    the one asked for;
 *  - malloc_usable_size() >= the request, and constant for the block's
 *    life;
 *  - a new block overlaps no live block of the table;
 *  - the errors are NULL with errno ENOMEM or EINVAL as glibc 2.36 gives
 *    them, posix_memalign's return value and untouched *memptr,
 *    realloc(p, 0) is NULL with errno untouched, a failed realloc leaves
 *    its block intact.
 *
 * At the end of each input every block is freed and the worker has
 * drained its queue: nothing is carried from one input to the next.
 * KALLOC_FUZZ_TRACE=1 prints each operation on stderr, KALLOC_FUZZ_COUNT=1
 * the number of operations at exit.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_malloc.h"

#define KiB	1024UL
#define MiB	(1024UL * KiB)

#define NR_SLOTS	64
#define MAX_BATCH	8		/* operations of one OP_REMOTE/OP_THREAD */
#define NR_JOBS		64		/* the worker's queue */
#define LIVE_BUDGET	(256 * MiB)	/* usable bytes of the table's blocks */

unsigned long long fuzz_malloc_nr_ops;
unsigned long long fuzz_malloc_nr_bytes;

/* ------------------------------------------------------------ blocks -- */

struct block {
	unsigned char *p;	/* NULL: the slot is empty */
	size_t size;		/* the request */
	size_t usable;		/* malloc_usable_size() when it was allocated */
	size_t align;		/* p is a multiple of it */
	size_t align_req;	/* aligned_alloc family: free_aligned_sized()'s */
	uint64_t seed;		/* of the pattern */
};

/*
 * The table.  The main thread owns it; the worker or a batch thread uses
 * it only while the main thread waits for it (queue lock: happens-before).
 */
static struct block slots[NR_SLOTS];
static size_t live_bytes;		/* sum of slots[].usable */
static uint64_t generation;		/* per input, from 0 */
static unsigned long op_index;		/* of the input, for reports */

static __thread const char *thread_name = "main";
static bool trace;
static void (*p_free_sized)(void *, size_t);
static void (*p_free_aligned_sized)(void *, size_t, size_t);

__attribute__((noreturn, format(printf, 1, 2)))
static void violation(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz_malloc: operation %lu (%s thread): ", op_index, thread_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ----------------------------------------------------------- pattern -- */

/*
 * Byte i of a block of seed s is byte i % 8 of the little-endian word
 * s + (i / 8) * PATTERN_STEP: a different word at every offset, so a
 * block moved, shifted or mixed with another shows.
 */
#define PATTERN_STEP	0x9e3779b97f4a7c15ULL

static inline uint64_t pattern_word(uint64_t seed, size_t j)
{
	return seed + j * PATTERN_STEP;
}

static inline unsigned char pattern_byte(uint64_t seed, size_t i)
{
	return pattern_word(seed, i / 8) >> (8 * (i & 7));
}

static uint64_t seed_of(unsigned int slot, uint64_t gen)
{
	uint64_t z = ((uint64_t)slot << 40) + gen + PATTERN_STEP;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Bytes [from, to) of @p get their pattern. */
static void pattern_fill(unsigned char *p, size_t from, size_t to, uint64_t seed)
{
	size_t j;

	for (; from < to && (from & 7); from++)
		p[from] = pattern_byte(seed, from);
	for (j = from / 8; j < to / 8; j++) {
		uint64_t w = pattern_word(seed, j);

		memcpy(p + 8 * j, &w, 8);
	}
	for (from = from > j * 8 ? from : j * 8; from < to; from++)
		p[from] = pattern_byte(seed, from);
}

/*
 * The first offset in [from, to) of @p that does not hold its pattern
 * (@zero: that is not 0), or SIZE_MAX.  Whole words are compared in runs
 * of CHUNK words or'ed together, which the compiler vectorises; a run
 * that differs is searched byte by byte.
 */
#define CHUNK	256

static size_t pattern_find(const unsigned char *p, size_t from, size_t to,
			   uint64_t seed, bool zero)
{
	size_t j, jend, i;

	for (; from < to && (from & 7); from++)
		if (p[from] != (zero ? 0 : pattern_byte(seed, from)))
			return from;
	jend = to / 8;
	for (j = from / 8; j < jend; j += CHUNK) {
		size_t k, kend = j + CHUNK < jend ? j + CHUNK : jend;
		uint64_t acc = 0;

		for (k = j; k < kend; k++) {
			uint64_t w;

			memcpy(&w, p + 8 * k, 8);
			acc |= w ^ (zero ? 0 : pattern_word(seed, k));
		}
		if (acc)
			for (i = 8 * j; i < 8 * kend; i++)
				if (p[i] != (zero ? 0 : pattern_byte(seed, i)))
					return i;
	}
	for (i = from > jend * 8 ? from : jend * 8; i < to; i++)
		if (p[i] != (zero ? 0 : pattern_byte(seed, i)))
			return i;
	return SIZE_MAX;
}

static void pattern_check(const unsigned char *p, size_t from, size_t to,
			  uint64_t seed, int slot, const char *when)
{
	size_t bad = pattern_find(p, from, to, seed, false);

	if (bad != SIZE_MAX)
		violation("%s: slot %d, block %p: byte %zu of [%zu, %zu) is 0x%02x, not 0x%02x",
			  when, slot, (void *)p, bad, from, to, p[bad], pattern_byte(seed, bad));
}

/* ------------------------------------------------------ block checks -- */

/* The whole block, and its usable size unchanged. */
static void block_check(const struct block *b, int slot, const char *when)
{
	size_t usable = malloc_usable_size(b->p);

	if (usable != b->usable)
		violation("%s: slot %d, block %p of %zu bytes: malloc_usable_size %zu, was %zu",
			  when, slot, (void *)b->p, b->size, usable, b->usable);
	pattern_check(b->p, 0, b->usable, b->seed, slot, when);
}

/* [p, p + usable) against every live block but @self's. */
static void check_overlap(const unsigned char *p, size_t usable, int self, const char *fn)
{
	size_t len = usable ? usable : 1;
	int i;

	for (i = 0; i < NR_SLOTS; i++) {
		const struct block *b = &slots[i];

		if (i == self || !b->p)
			continue;
		if (p < b->p + (b->usable ? b->usable : 1) && b->p < p + len)
			violation("%s: new block [%p, +%zu) overlaps slot %d [%p, +%zu)",
				  fn, (void *)p, usable, i, (void *)b->p, b->usable);
	}
}

static size_t fundamental_align(size_t size)
{
	return size > 8 ? 16 : 8;
}

/*
 * A new block @p of @size bytes from @fn goes into @slot (empty): checked
 * (not NULL, aligned, usable size, overlap, zeroed for calloc), filled.
 */
static void block_adopt(int slot, void *p, size_t size, size_t align,
			size_t align_req, const char *fn, bool zeroed)
{
	struct block *b = &slots[slot];
	size_t usable, bad;

	if (!p)
		violation("%s(%zu) returned NULL (errno %d), %zu bytes live",
			  fn, size, errno, live_bytes);
	if ((uintptr_t)p & (align - 1))
		violation("%s(%zu) = %p: not %zu-aligned", fn, size, p, align);
	usable = malloc_usable_size(p);
	if (usable < size)
		violation("%s(%zu) = %p: malloc_usable_size %zu", fn, size, p, usable);
	check_overlap(p, usable, slot, fn);
	if (zeroed && (bad = pattern_find(p, 0, size, 0, true)) != SIZE_MAX)
		violation("%s(%zu) = %p: byte %zu is 0x%02x, not 0", fn, size, p, bad,
			  ((unsigned char *)p)[bad]);
	b->p = p;
	b->size = size;
	b->usable = usable;
	b->align = align;
	b->align_req = align_req;
	b->seed = seed_of(slot, generation++);
	pattern_fill(b->p, 0, usable, b->seed);
	live_bytes += usable;
	fuzz_malloc_nr_bytes += size;
}

/* ------------------------------------------------------- operations -- */

enum op_kind {
	OP_MALLOC,
	OP_CALLOC,
	OP_REALLOC,		/* of the slot's block, or of NULL */
	OP_REALLOC_ZERO,	/* realloc(p, 0) */
	OP_REALLOC_NULL,	/* free the slot, then realloc(NULL, size) */
	OP_MEMALIGN,		/* fn: memalign, aligned_alloc, posix_memalign, valloc, pvalloc */
	OP_FREE,
	OP_FREE_SIZED,
	OP_CHECK,		/* malloc_usable_size() and the whole block */
	OP_HANDOFF,		/* the worker checks and frees the block */
	OP_REMOTE,		/* the next nr operations run on the worker */
	OP_THREAD,		/* the next nr operations run on a new thread */
	OP_BAD,			/* fn: an error case of the ABI */
	NR_OP_KINDS
};

static const char *const op_names[NR_OP_KINDS] = {
	"malloc", "calloc", "realloc", "realloc0", "realloc-null", "memalign",
	"free", "free_sized", "check", "handoff", "remote", "thread", "bad",
};

/* The operation byte's ranges, in order: frees about as often as allocations. */
static const struct {
	unsigned char end;	/* last value + 1 (256 for the last: 0) */
	unsigned char kind;
} op_ranges[] = {
	{ 56, OP_MALLOC }, { 72, OP_CALLOC }, { 104, OP_REALLOC },
	{ 108, OP_REALLOC_ZERO }, { 112, OP_REALLOC_NULL }, { 136, OP_MEMALIGN },
	{ 196, OP_FREE }, { 208, OP_FREE_SIZED }, { 220, OP_CHECK },
	{ 232, OP_HANDOFF }, { 240, OP_REMOTE }, { 242, OP_THREAD },
	{ 248, OP_BAD }, { 0, OP_REALLOC },
};

struct op {
	unsigned char kind;
	unsigned char slot;
	unsigned char fn;	/* OP_MEMALIGN, OP_BAD: which; OP_CALLOC: nmemb */
	unsigned char nr;	/* OP_REMOTE, OP_THREAD: operations of the batch */
	size_t size;
	size_t align;
};

struct reader {
	const uint8_t *p, *end;
};

static unsigned int get8(struct reader *r)
{
	return r->p < r->end ? *r->p++ : 0;
}

static unsigned int get16(struct reader *r)
{
	unsigned int lo = get8(r);

	return lo | get8(r) << 8;
}

/* malloc's size classes (docs/architecture.md), for the edges. */
static unsigned int class_sizes[64];
static unsigned int nr_class_sizes;

static void class_sizes_init(void)
{
	static const unsigned char fit_32nds[8] = { 34, 36, 39, 42, 46, 51, 56, 64 };
	unsigned int n = 0, k, i;

	class_sizes[n++] = 8;
	for (i = 16; i <= 128; i += 16)
		class_sizes[n++] = i;
	for (k = 7; k < 10; k++)
		for (i = 5; i <= 8; i++)
			class_sizes[n++] = (1U << k) / 4 * i;
	for (k = 10; k < 13; k++)
		for (i = 0; i < 8; i++)
			class_sizes[n++] = (1U << k) / 32 * fit_32nds[i];
	class_sizes[n++] = 96;		/* the kmalloc ones */
	class_sizes[n++] = 192;
	nr_class_sizes = n;
}

/* Three bytes: a tier, then where in it (see the top of the file). */
static size_t decode_size(struct reader *r)
{
	unsigned int s = get8(r), v = get16(r), w;
	size_t base;

	if (s < 8)
		return 0;
	if (s < 112)
		return 1 + v % 256;
	if (s < 168)
		return 1 + v % (8 * KiB);
	if (s < 204)
		return class_sizes[v % nr_class_sizes] + (v >> 8) % 5 - 2;
	if (s < 232) {		/* page blocks, (8 KiB << (o - 1), 8 KiB << o] */
		w = get16(r);
		base = (8 * KiB) << __builtin_ctz(v | 0x100);
		return base + 1 + ((w * base) >> 16);
	}
	if (s < 254) {		/* 2..1025 pages +-1, under 2^(o+1) + 2 pages */
		w = get16(r);
		return (2 + (w >> 2) % (2UL << __builtin_ctz(v | 0x200))) * 4 * KiB +
			w % 3 - 1;
	}
	if ((v & 7) != 0)	/* the rare tiers: 1 in 8, else tiny */
		return 1 + (v >> 3) % 64;
	if (s == 254)
		return 4 * MiB + (v >> 3) % 5 - 2;
	w = get16(r);		/* vmalloc areas, (4 MiB << o, 8 MiB << o] */
	base = (4 * MiB) << (__builtin_ctz(w | 4) < 2 ? __builtin_ctz(w | 4) : 2);
	return base + 1 + ((get16(r) * base) >> 16);
}

static void decode_op(struct reader *r, struct op *op)
{
	unsigned int b = get8(r), i;

	for (i = 0; op_ranges[i].end && b >= op_ranges[i].end; i++)
		;
	memset(op, 0, sizeof(*op));
	op->kind = op_ranges[i].kind;
	op->slot = get8(r) % NR_SLOTS;
	switch (op->kind) {
	case OP_MALLOC:
	case OP_REALLOC:
	case OP_REALLOC_NULL:
		op->size = decode_size(r);
		break;
	case OP_CALLOC:
		op->fn = 1 + get8(r) % 16;
		op->size = decode_size(r);
		break;
	case OP_MEMALIGN:
		b = get8(r);
		op->fn = b % 5;
		op->align = 8UL << (b / 5 % 14);	/* 8 B .. 64 KiB */
		op->size = decode_size(r);
		break;
	case OP_REMOTE:
	case OP_THREAD:
		op->nr = 1 + get8(r) % MAX_BATCH;
		break;
	case OP_BAD:
		op->fn = get8(r) % 7;
		op->size = get8(r);
		break;
	}
}

/* Requests past the budget are cut to their low 12 bits. */
static size_t budget(size_t size, size_t freed)
{
	return live_bytes - freed + size > LIVE_BUDGET ? size & 4095 : size;
}

/* Check the slot's block and free it (@sized: with its size). */
static void slot_free(int slot, bool sized, const char *why)
{
	struct block *b = &slots[slot];

	if (!b->p)
		return;
	block_check(b, slot, why);
	if (sized && b->align_req && p_free_aligned_sized)
		p_free_aligned_sized(b->p, b->align_req, b->size);
	else if (sized && !b->align_req && p_free_sized)
		p_free_sized(b->p, b->size);
	else
		free(b->p);
	live_bytes -= b->usable;
	b->p = NULL;
}

static void do_realloc(int slot, size_t size)
{
	struct block *b = &slots[slot];
	size_t keep, usable;
	unsigned char *q;

	if (!b->p) {
		size = budget(size, 0);
		q = realloc(NULL, size);
		block_adopt(slot, q, size, fundamental_align(size), 0, "realloc(NULL)", false);
		return;
	}
	block_check(b, slot, "before realloc");
	size = budget(size, b->usable);
	if (size == 0) {
		errno = 4321;
		q = realloc(b->p, 0);
		if (q || errno != 4321)
			violation("realloc(%p, 0) = %p, errno %d: not NULL, errno untouched",
				  (void *)b->p, (void *)q, errno);
		live_bytes -= b->usable;
		b->p = NULL;
		return;
	}
	q = realloc(b->p, size);
	if (!q)
		violation("realloc(%p of %zu, %zu) returned NULL (errno %d), %zu bytes live",
			  (void *)b->p, b->size, size, errno, live_bytes);
	keep = b->size < size ? b->size : size;
	pattern_check(q, 0, keep, b->seed, slot, "after realloc");
	if ((uintptr_t)q & (fundamental_align(size) - 1))
		violation("realloc(%zu -> %zu) = %p: misaligned", b->size, size, (void *)q);
	usable = malloc_usable_size(q);
	if (usable < size)
		violation("realloc(%zu -> %zu) = %p: malloc_usable_size %zu",
			  b->size, size, (void *)q, usable);
	live_bytes -= b->usable;
	b->p = NULL;		/* the old block is gone: no overlap with it */
	check_overlap(q, usable, slot, "realloc");
	pattern_fill(q, keep, usable, b->seed);
	b->p = q;
	b->size = size;
	b->usable = usable;
	b->align = fundamental_align(size);
	b->align_req = 0;
	live_bytes += usable;
	fuzz_malloc_nr_bytes += size;
}

static void do_memalign(int slot, unsigned int fn, size_t align, size_t size)
{
	void *q = NULL;
	int rc;

	size = budget(size, 0);
	switch (fn) {
	case 0:
		q = memalign(align, size);
		block_adopt(slot, q, size, align, align, "memalign", false);
		break;
	case 1:
		q = aligned_alloc(align, size);
		block_adopt(slot, q, size, align, align, "aligned_alloc", false);
		break;
	case 2:
		rc = posix_memalign(&q, align, size);
		if (rc)
			violation("posix_memalign(%zu, %zu) = %d", align, size, rc);
		block_adopt(slot, q, size, align, align, "posix_memalign", false);
		break;
	case 3:
		q = valloc(size);
		block_adopt(slot, q, size, 4 * KiB, 0, "valloc", false);
		break;
	default:
		q = pvalloc(size);
		size = size ? (size + 4 * KiB - 1) & ~(4 * KiB - 1) : 4 * KiB;
		block_adopt(slot, q, size, 4 * KiB, 0, "pvalloc", false);
		break;
	}
}

#define HUGE_SIZE	((size_t)PTRDIFF_MAX + 1)

/* @v, unknown to the compiler: no warning for sizes meant to fail. */
static size_t opaque(size_t v)
{
	volatile size_t x = v;

	return x;
}

static void expect_null(const void *q, int err, int want, const char *what)
{
	if (q || err != want)
		violation("%s = %p, errno %d: want NULL, errno %d", what, q, err, want);
}

/* The error cases; @v varies the sizes. */
static void do_bad(int slot, unsigned int fn, size_t v)
{
	static const size_t bad_align[] = { 0, 1, 4, 12, 24, 40, 48 + 8, 4096 + 8 };
	struct block *b = &slots[slot];
	void *q, *old;
	int rc;

	errno = 0;
	switch (fn) {
	case 0:
		q = malloc(opaque(HUGE_SIZE + v));
		expect_null(q, errno, ENOMEM, "malloc(huge)");
		break;
	case 1:
		q = calloc(opaque(SIZE_MAX / 2 + 1), 2 + v);
		expect_null(q, errno, ENOMEM, "calloc(n * size overflowing)");
		break;
	case 2:
		q = realloc(b->p, opaque(HUGE_SIZE + v));
		expect_null(q, errno, ENOMEM, "realloc(p, huge)");
		if (b->p)
			block_check(b, slot, "after a failed realloc");
		break;
	case 3:
		q = old = &slots[slot];
		errno = 1234;
		rc = posix_memalign(&q, bad_align[v % 8], 16);
		if (rc != EINVAL || q != old || errno != 1234)
			violation("posix_memalign(%zu) = %d, errno %d, memptr %s",
				  bad_align[v % 8], rc, errno, q == old ? "kept" : "changed");
		break;
	case 4:
		q = memalign(opaque(((size_t)1 << 63) + 1 + v), 16);
		expect_null(q, errno, EINVAL, "memalign(> 2^63)");
		break;
	case 5:
		free(NULL);
		if (p_free_sized)
			p_free_sized(NULL, v);
		if (malloc_usable_size(NULL) != 0)
			violation("malloc_usable_size(NULL) = %zu", malloc_usable_size(NULL));
		break;
	default:
		q = reallocarray(NULL, opaque(SIZE_MAX / 4 + 1), 4 + v);
		expect_null(q, errno, ENOMEM, "reallocarray(NULL, overflowing)");
		break;
	}
}

/* ----------------------------------------------------------- threads -- */

enum { JOB_FREE, JOB_RUN };

struct job {
	int kind;
	int slot;		/* JOB_FREE: the slot it was in (reports) */
	struct block b;		/* JOB_FREE */
	const struct op *ops;	/* JOB_RUN */
	unsigned int nr;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t more;	/* a job was queued */
	pthread_cond_t done;	/* a job was done */
	unsigned long head, tail;	/* queued, done */
	struct job jobs[NR_JOBS];
	bool started;
} worker = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.more = PTHREAD_COND_INITIALIZER,
	.done = PTHREAD_COND_INITIALIZER,
};

static void run_op(const struct op *op, bool remote);

static void run_batch(const struct op *ops, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		run_op(&ops[i], true);
}

static void *worker_main(void *arg)
{
	(void)arg;
	thread_name = "worker";
	pthread_mutex_lock(&worker.lock);
	for (;;) {
		struct job job;

		while (worker.tail == worker.head)
			pthread_cond_wait(&worker.more, &worker.lock);
		job = worker.jobs[worker.tail % NR_JOBS];
		pthread_mutex_unlock(&worker.lock);

		if (job.kind == JOB_FREE) {
			block_check(&job.b, job.slot, "handed to the worker");
			free(job.b.p);
		} else {
			run_batch(job.ops, job.nr);
		}

		pthread_mutex_lock(&worker.lock);
		worker.tail++;
		pthread_cond_broadcast(&worker.done);
	}
	return NULL;
}

static void worker_post(const struct job *job)
{
	pthread_mutex_lock(&worker.lock);
	if (!worker.started) {
		pthread_t t;
		int rc = pthread_create(&t, NULL, worker_main, NULL);

		if (rc)
			violation("pthread_create (the worker): %s", strerror(rc));
		pthread_detach(t);
		worker.started = true;
	}
	while (worker.head - worker.tail == NR_JOBS)
		pthread_cond_wait(&worker.done, &worker.lock);
	worker.jobs[worker.head % NR_JOBS] = *job;
	worker.head++;
	pthread_cond_signal(&worker.more);
	pthread_mutex_unlock(&worker.lock);
}

static void worker_drain(void)
{
	pthread_mutex_lock(&worker.lock);
	while (worker.tail != worker.head)
		pthread_cond_wait(&worker.done, &worker.lock);
	pthread_mutex_unlock(&worker.lock);
}

struct batch {
	const struct op *ops;
	unsigned int nr;
};

static void *batch_thread(void *arg)
{
	struct batch *batch = arg;

	thread_name = "batch";
	run_batch(batch->ops, batch->nr);
	return NULL;
}

/* ------------------------------------------------------------ driver -- */

static void run_op(const struct op *op, bool remote)
{
	int slot = op->slot;
	struct block *b = &slots[slot];

	if (trace)
		fprintf(stderr, "fuzz_malloc: %lu %s%s slot %d size %zu align %zu fn %u nr %u\n",
			op_index, remote ? "remote " : "", op_names[op->kind], slot,
			op->size, op->align, op->fn, op->nr);

	switch (op->kind) {
	case OP_MALLOC: {
		size_t size;

		slot_free(slot, false, "before malloc into the slot");
		size = budget(op->size, 0);
		block_adopt(slot, malloc(size), size, fundamental_align(size), 0,
			    "malloc", false);
		break;
	}
	case OP_CALLOC: {
		size_t size, n = op->fn;

		slot_free(slot, false, "before calloc into the slot");
		size = budget(op->size, 0) / n;
		block_adopt(slot, calloc(n, size), n * size,
			    fundamental_align(n * size), 0, "calloc", true);
		break;
	}
	case OP_REALLOC:
		do_realloc(slot, op->size);
		break;
	case OP_REALLOC_ZERO:
		if (b->p)
			do_realloc(slot, 0);
		break;
	case OP_REALLOC_NULL:
		slot_free(slot, false, "before realloc(NULL) into the slot");
		do_realloc(slot, op->size);
		break;
	case OP_MEMALIGN:
		slot_free(slot, false, "before memalign into the slot");
		do_memalign(slot, op->fn, op->align, op->size);
		break;
	case OP_FREE:
		slot_free(slot, false, "before free");
		break;
	case OP_FREE_SIZED:
		slot_free(slot, true, "before free_sized");
		break;
	case OP_CHECK:
		if (b->p)
			block_check(b, slot, "check");
		else if (malloc_usable_size(NULL))
			violation("malloc_usable_size(NULL) = %zu", malloc_usable_size(NULL));
		break;
	case OP_HANDOFF:
		if (remote || !b->p) {
			slot_free(slot, false, "before free");
		} else {
			struct job job = { .kind = JOB_FREE, .slot = slot, .b = *b };

			live_bytes -= b->usable;
			b->p = NULL;
			worker_post(&job);
		}
		break;
	case OP_REMOTE:
	case OP_THREAD:
		/* run_input() ran the batch; within a batch, a free */
		slot_free(slot, false, "before free");
		break;
	case OP_BAD:
		do_bad(slot, op->fn, op->size);
		break;
	}
}

static void print_count(void)
{
	fprintf(stderr, "fuzz_malloc: %llu operations, %llu bytes requested\n",
		fuzz_malloc_nr_ops, fuzz_malloc_nr_bytes);
}

/*
 * Is the malloc this program calls kalloc's?  Exits if not.  Also reads
 * the environment: KALLOC_FUZZ_TRACE, and KALLOC_FUZZ_COUNT=1 (print the
 * operations run at exit, for libFuzzer, which counts inputs only).
 */
static void check_malloc_is_kalloc(void)
{
	const char *(*version)(void);
	void *m;
	Dl_info mi, vi;

	p_free_sized = (void (*)(void *, size_t))dlsym(RTLD_DEFAULT, "free_sized");
	p_free_aligned_sized = (void (*)(void *, size_t, size_t))
		dlsym(RTLD_DEFAULT, "free_aligned_sized");
	trace = getenv("KALLOC_FUZZ_TRACE") && atoi(getenv("KALLOC_FUZZ_TRACE"));
	class_sizes_init();
	if (getenv("KALLOC_FUZZ_COUNT") && atoi(getenv("KALLOC_FUZZ_COUNT")))
		atexit(print_count);
	if (getenv("KALLOC_FUZZ_ANY_MALLOC") && atoi(getenv("KALLOC_FUZZ_ANY_MALLOC")))
		return;

	version = (const char *(*)(void))dlsym(RTLD_DEFAULT, "kalloc_version");
	m = dlsym(RTLD_DEFAULT, "malloc");
	if (!version || !m || !dladdr(m, &mi) || !dladdr((void *)version, &vi) ||
	    !mi.dli_fname || !vi.dli_fname || strcmp(mi.dli_fname, vi.dli_fname) ||
	    !p_free_sized || !p_free_aligned_sized) {
		fprintf(stderr, "fuzz_malloc: malloc is not kalloc's (%s): run under "
			"LD_PRELOAD=.../libkalloc.so, or set KALLOC_FUZZ_ANY_MALLOC=1\n",
			m && dladdr(m, &mi) && mi.dli_fname ? mi.dli_fname : "?");
		exit(2);
	}
	if (trace)
		fprintf(stderr, "fuzz_malloc: kalloc %s (%s)\n", version(), vi.dli_fname);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct reader r = { data, data + size };
	int i;

	pthread_once(&once, check_malloc_is_kalloc);
	generation = 0;
	for (op_index = 0; r.p < r.end; op_index++) {
		struct op op, batch[MAX_BATCH];
		struct batch arg;
		struct job job;
		pthread_t t;
		unsigned int k;
		int rc;

		decode_op(&r, &op);
		fuzz_malloc_nr_ops++;
		if (op.kind != OP_REMOTE && op.kind != OP_THREAD) {
			run_op(&op, false);
			continue;
		}
		for (k = 0; k < op.nr && r.p < r.end; k++) {
			decode_op(&r, &batch[k]);
			fuzz_malloc_nr_ops++;
		}
		if (trace)
			fprintf(stderr, "fuzz_malloc: %lu %s: %u operations\n",
				op_index, op_names[op.kind], k);
		if (op.kind == OP_REMOTE) {
			job = (struct job){ .kind = JOB_RUN, .ops = batch, .nr = k };
			worker_post(&job);
			worker_drain();
		} else {
			arg = (struct batch){ batch, k };
			rc = pthread_create(&t, NULL, batch_thread, &arg);
			if (rc)
				violation("pthread_create: %s", strerror(rc));
			pthread_join(t, NULL);
		}
	}

	worker_drain();
	for (i = 0; i < NR_SLOTS; i++)
		slot_free(i, false, "at the end of the input");
	if (live_bytes)
		violation("%zu bytes live after freeing every slot", live_bytes);
	return 0;
}
