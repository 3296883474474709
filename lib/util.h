/*
 * lib/util.h - malloc's view of the stack: the kvmalloc() family of
 * mm/util.c, with what a C library's malloc needs on top (alignment,
 * usable size, ownership of an address).  preload/ calls only these.
 *
 * Routing (design 1): a request of up to KMALLOC_MAX_CACHE_SIZE goes to
 * the kmalloc caches, up to MAX_PAGE_ORDER pages to alloc_pages_exact(),
 * anything larger to vmalloc (the kernel's thresholds).  free() finds the
 * layer from the address alone: slab page -> its cache; other linear-map
 * page -> a buddy block whose size its head page records; vmalloc window
 * -> its vmap_area; anything else is foreign.
 */
#ifndef KALLOC_UTIL_H
#define KALLOC_UTIL_H

#include "slab.h"

/* The gfp of malloc's memory: may come from HIGHMEM when lowmem is out. */
#define GFP_KALLOC_MALLOC	(GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN)

/* NULL with errno ENOMEM on failure.  size 0 gives a unique pointer. */
void *kalloc_malloc(size_t size) __hidden;
void *kalloc_malloc_slow(size_t size) __hidden;
void *kalloc_calloc(size_t n, size_t size) __hidden;	/* overflow: ENOMEM */
/* align is a power of two (checked by the caller); NULL + ENOMEM on failure */
void *kalloc_memalign(size_t align, size_t size) __hidden;
/* realloc(p, 0) is not special here: the caller decides glibc's semantics */
void *kalloc_realloc(void *p, size_t size) __hidden;
void kalloc_free(void *p) __hidden;
/* Usable bytes of a live allocation; 0 for an address kalloc did not hand out. */
size_t kalloc_usable_size(const void *p) __hidden;
/* Is p inside one of kalloc's windows (linear map or vmalloc)? */
bool kalloc_owns(const void *p) __hidden;
/* Give back every free page it can (malloc_trim). Returns pages given back. */
unsigned long kalloc_trim(void) __hidden;

/* Counters for the "totals" report and mallinfo (racy sums). */
struct kalloc_malloc_stats {
	unsigned long nr_kmalloc, nr_pages, nr_vmalloc;	/* requests per layer */
	unsigned long bytes_in_use;			/* usable bytes live */
	unsigned long peak_bytes_in_use;
	unsigned long foreign_frees;			/* pointers not ours */
};
void kalloc_malloc_stats(struct kalloc_malloc_stats *st) __hidden;
void area_cache_decay(void) __hidden;	/* vmscan.c: free the areas that waited long enough */
void area_cache_fork_prepare(void) __hidden;
void area_cache_fork_parent(void) __hidden;
void area_cache_fork_child(void) __hidden;
void kalloc_count_foreign(void) __hidden;

/*
 * The fast paths, inline so that malloc() and free() are themselves the
 * fast path (no call, no frame): a hit in this thread's sheaf (the kmalloc
 * cache's sheaf is found from the size alone: pcs[kmalloc_index(size)]),
 * or a tail call of the slow routine; kalloc_free() does every check
 * again properly.
 */
static __always_inline void *kalloc_malloc_fast(size_t size)
{
	if (likely(size <= KMALLOC_MAX_CACHE_SIZE)) {
		void *p = kmalloc_sheaf_pop(kmalloc_index(size));

		if (likely(p))
			return p;
	}
	return kalloc_malloc_slow(size);
}

static __always_inline void kalloc_free_fast(void *p)
{
	if (likely(slab_free_fast(p)))
		return;
	kalloc_free(p);
}

#endif /* KALLOC_UTIL_H */
