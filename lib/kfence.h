/*
 * lib/kfence.h - KFENCE for malloc (include/linux/kfence.h): a sampled
 * guard-page allocator that catches out-of-bounds accesses, uses after
 * free and invalid frees of a few of malloc's objects in a running
 * program, at a cost too small to measure.  kfence.c has the design.
 *
 * What the rest of kalloc sees:
 *
 *	malloc_samples_due()	malloc's slab slow path (util.c) asks, once per
 *				visit, whether this allocation is the thread's
 *				next sample (KFENCE's or the heap profile's);
 *				it keeps the thread's countdowns
 *	kfence_alloc()		serves a sampled allocation from the pool, or
 *				NULL (the slab serves it)
 *	is_kfence_address()	free(), realloc() and malloc_usable_size()
 *				test it in their vmalloc-window branch, which
 *				slab frees never reach (the pool is a vmalloc
 *				area)
 *	kfence_free(), kfence_ksize()
 */
#ifndef KALLOC_KFENCE_H
#define KALLOC_KFENCE_H

#include "percpu.h"

struct kmem_cache;

/*
 * Options (options.c).  The default sample rate keeps KFENCE's cost below
 * the noise of kalloc's benchmarks (docs/options.md has the measurement).
 */
#define KFENCE_DEFAULT_SAMPLE_RATE	500000UL
extern unsigned long kfence_sample_rate __hidden;	/* one slab-sized malloc in N; 0: off */
extern unsigned int kfence_num_objects __hidden;	/* objects in the pool */
extern bool kfence_panic_on_warn __hidden;		/* abort after a report */

/* The pool, [__kfence_pool, __kfence_pool + kfence_pool_size); size 0 until it is set up. */
extern unsigned long __kfence_pool __hidden;
extern unsigned long kfence_pool_size __hidden;

/* is_kfence_address(): one subtraction and one comparison. */
static inline bool is_kfence_address(const void *addr)
{
	return (unsigned long)addr - READ_ONCE(__kfence_pool) <
	       __atomic_load_n(&kfence_pool_size, __ATOMIC_ACQUIRE);
}

void kfence_init(void) __hidden;
/*
 * At each visit of malloc's slab slow path, with a sampler on (KFENCE or
 * the sampled heap profile) and a live thread area @cpu: count the
 * allocations the fast path made since the last visit, and say which
 * samplers take this one (SAMPLE_*).  Sets the thread's tick countdown so
 * that the next sample finds the slow path.
 */
#define SAMPLE_KFENCE	1u
#define SAMPLE_PROFILE	2u
unsigned int malloc_samples_due(struct kalloc_pcpu *cpu) __hidden;
/* A sampled allocation of @size bytes (malloc's class: @s), or NULL. */
void *kfence_alloc(struct kalloc_pcpu *cpu, struct kmem_cache *s, size_t size,
		   unsigned long caller) __hidden;
/* free() of an address in the pool: checks, protects, queues the slot. */
void kfence_free(void *addr, unsigned long caller) __hidden;
/* The requested size of the live object at @addr, or 0. */
size_t kfence_ksize(const void *addr) __hidden;
/* The reports "kfence" (debugfs' kfence/stats) and "kfence_objects" (kfence/objects). */
void kfence_stats_show(FILE *out) __hidden;
void kfence_objects_show(FILE *out) __hidden;
struct json;
void kfence_stats_show_json(struct json *j) __hidden;
/* Bytes of KFENCE objects live now, for the totals. */
unsigned long kfence_bytes_in_use(void) __hidden;
void kfence_fork_prepare(void) __hidden;
void kfence_fork_parent(void) __hidden;
void kfence_fork_child(void) __hidden;

#endif /* KALLOC_KFENCE_H */
