/*
 * lib/util.h - malloc's view of the stack: the kvmalloc() family of
 * mm/util.c, with what a C library's malloc needs on top (alignment,
 * usable size, ownership of an address).  preload/ calls only these.
 *
 * Routing (design 1): a request of up to KMALLOC_MAX_CACHE_SIZE goes to
 * malloc's size classes (below), up to MAX_PAGE_ORDER pages to
 * alloc_pages_exact(), anything larger to vmalloc (the kernel's
 * thresholds).  free() finds the layer from the address alone: slab page
 * -> its cache; other linear-map page -> a buddy block whose size its head
 * page records; vmalloc window -> its vmap_area; anything else is foreign.
 */
#ifndef KALLOC_UTIL_H
#define KALLOC_UTIL_H

#include "slab.h"

/*
 * malloc's size classes, finer than kmalloc's powers of two: 16-byte steps
 * up to 128, four per power of two up to 1 KiB, eight per power of two up
 * to KMALLOC_MAX_CACHE_SIZE.  A class that is a kmalloc size is served by
 * that kmalloc cache itself; the others are malloc's own caches
 * ("malloc-<size>", util.c), made with __kmem_cache_create_args() the way
 * kmem_buckets_create() gives a subsystem its own buckets.  Every class
 * has a fixed sheaf slot, so the fast path goes from size to slot with one
 * load from a table of 354 bytes:
 *
 *	size <= 1024	malloc_size_index[(size + 7) / 8]	(8-byte steps)
 *	size <= 8192	malloc_size_index[97 + (size + 31) / 32]	(32-byte steps)
 *
 * (every class above 1 KiB is a multiple of 32; a clz-and-shift index with
 * a table of 96 bytes costs about ten more instructions per malloc).
 *
 * malloc_caches[slot] is the cache of a slot (kmalloc caches included;
 * malloc's own appear on their first use).  malloc_size_index[] is filled
 * at boot (malloc_classes_init()) and read-only after; before that every
 * thread's sheaves are empty, so a fast path that reads a zero (slot 0,
 * never any cache's) just goes slow.
 */
#define MALLOC_SIZE_INDEX_SMALL	129			/* sizes 0..1024 */
#define MALLOC_SIZE_INDEX_LARGE	(MALLOC_SIZE_INDEX_SMALL - 1024 / 32)
#define NR_MALLOC_SIZE_INDEX	(MALLOC_SIZE_INDEX_LARGE + KMALLOC_MAX_CACHE_SIZE / 32 + 1)

extern unsigned char malloc_size_index[NR_MALLOC_SIZE_INDEX] __hidden;
extern struct kmem_cache *malloc_caches[PCPU_RESERVED_SLOTS] __hidden;
void malloc_classes_init(void) __hidden;
void malloc_caches_fork_prepare(void) __hidden;
void malloc_caches_fork_parent(void) __hidden;
void malloc_caches_fork_child(void) __hidden;

/* malloc_index(): the sheaf slot of malloc's class for @size (<= KMALLOC_MAX_CACHE_SIZE) */
static __always_inline unsigned int malloc_index(size_t size)
{
	if (size <= 1024)
		return malloc_size_index[(size + 7) >> 3];
	return malloc_size_index[MALLOC_SIZE_INDEX_LARGE + ((size + 31) >> 5)];
}

/* The gfp of malloc's memory: may come from HIGHMEM when lowmem is out. */
#define GFP_KALLOC_MALLOC	(GFP_KERNEL | __GFP_HIGHMEM | __GFP_NOWARN)

/*
 * The program's side of a request: @caller is the return address in the
 * program (_RET_IP_ of the entry point it called: the track slub_debug=U
 * keeps, vmallocinfo's caller), @who the entry point's name as reports
 * print it ("free()", "realloc()", "operator delete").  The forms without
 * them take their own caller and name free() (tests, kalloc's own use).
 */
#define _RET_IP_	((unsigned long)__builtin_return_address(0))

/* NULL with errno ENOMEM on failure.  size 0 gives a unique pointer. */
void *kalloc_malloc(size_t size) __hidden;
void *kalloc_malloc_caller(size_t size, unsigned long caller) __hidden;
void *kalloc_malloc_slow(size_t size, unsigned long caller) __hidden;
void *kalloc_calloc(size_t n, size_t size, unsigned long caller) __hidden;	/* overflow: ENOMEM */
/* align is a power of two (checked by the caller); NULL + ENOMEM on failure */
void *kalloc_memalign(size_t align, size_t size, unsigned long caller) __hidden;
/* realloc(p, 0) is not special here: the caller decides glibc's semantics */
void *kalloc_realloc(void *p, size_t size, unsigned long caller) __hidden;
void kalloc_free(void *p) __hidden;
void kalloc_free_by(void *p, const char *who, unsigned long caller) __hidden;
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
	unsigned long page_block_pages;			/* frames in page blocks */
	unsigned long area_cache_bytes;			/* freed vmalloc areas kept */
};
void kalloc_malloc_stats(struct kalloc_malloc_stats *st) __hidden;
bool is_malloc_cache(const struct kmem_cache *s) __hidden;	/* one of malloc's own classes */
void area_cache_decay(void) __hidden;	/* vmscan.c: free the areas that waited long enough */
void area_cache_fork_prepare(void) __hidden;
void area_cache_fork_parent(void) __hidden;
void area_cache_fork_child(void) __hidden;
/*
 * A free() or realloc() (@who) of @p, a pointer kalloc did not hand out:
 * counted and left alone, or with free_check=strict reported and aborted.
 */
void kalloc_count_foreign(const char *who, const void *p) __hidden;

/*
 * The fast paths, inline so that malloc() and free() are themselves the
 * fast path (no call, no frame): a hit in this thread's sheaf (the class's
 * sheaf is found from the size alone: pcs[malloc_index(size)]), or a tail
 * call of the slow routine; kalloc_free() does every check again properly.
 */
static __always_inline void *__kalloc_malloc_fast(size_t size, unsigned long caller)
{
	if (likely(size <= KMALLOC_MAX_CACHE_SIZE)) {
		void *p = kmalloc_sheaf_pop(malloc_index(size));

		if (likely(p)) {
			kasan_metadata_store(p, 0);	/* the free key (slab.h) */
			kasan_kmalloc(malloc_caches[malloc_index(size)], p, size);
			return p;
		}
	}
	return kalloc_malloc_slow(size, caller);
}
/*
 * In malloc() and free() themselves the slow routine is a tail call (a
 * jump: the return address on the stack is still the program's), so they
 * pass caller 0 and the routine takes its own return address: reading it
 * in the entry point would cost the fast path a load (the compiler hoists
 * it).  Any other user of the fast paths passes its caller.
 */
#define kalloc_malloc_fast(size)	__kalloc_malloc_fast(size, 0)

static __always_inline void __kalloc_free_fast(void *p, const char *who, unsigned long caller)
{
	if (likely(slab_free_fast(p)))
		return;
	kalloc_free_by(p, who, caller);
}
#define kalloc_free_fast(p)	__kalloc_free_fast(p, "free()", 0)

#endif /* KALLOC_UTIL_H */
