/*
 * lib/kasan.h - KASAN for user space (include/linux/kasan.h,
 * mm/kasan/common.c): when kalloc itself is compiled with AddressSanitizer
 * (make check-asan), it tells ASan which of its bytes a program may touch,
 * through ASan's manual poisoning interface, as the kernel's generic KASAN
 * does for SLUB and the page allocator.  Otherwise every hook here is an
 * empty inline and the fast paths are what they are without it.
 *
 * What is poisoned (a read or write of it is an ASan report):
 *	- a new slab, all of it (kasan_poison_slab()): objects not handed out
 *	  yet and the slab's tail;
 *	- an object from its free to its next allocation (kasan_slab_free(),
 *	  kasan_slab_alloc()), whether it waits in a sheaf, a barn or on its
 *	  slab's freelist;
 *	- the bytes between a kmalloc()/malloc() request and the end of its
 *	  object (kasan_kmalloc(): a read one byte past malloc(40) in its
 *	  48-byte object), until ksize()/malloc_usable_size() gives the caller
 *	  the whole object;
 *	- the pages of a freed malloc page block while they are free, and a
 *	  vmalloc area malloc freed while it waits in the area cache (util.c).
 * Pages are unpoisoned whenever the buddy hands them out
 * (kasan_unpoison_pages() in prep_new_page(), as post_alloc_hook() does).
 * Caches with slub_debug flags are left alone: their red zones and poison
 * bytes are checked by slub_debug.c, which reads free objects.
 *
 * kalloc's own code writes into free objects: the hardened free pointer
 * (slub.c), the free key in the first word (slab.h).  Those accesses go
 * through kasan_metadata_load()/kasan_metadata_store(), which ASan does
 * not check (the kernel's metadata_access_enable()/kasan_reset_tag()).
 *
 * The cache hooks need struct kmem_cache: slab.h includes this file once
 * the structure is defined; files that see no cache (page_alloc.c) get
 * the range and page hooks alone.
 */
#ifndef KALLOC_KASAN_H
#define KALLOC_KASAN_H

#include "mm.h"

#if defined(__SANITIZE_ADDRESS__)
#define CONFIG_KASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFIG_KASAN	1
#endif
#endif

#ifdef CONFIG_KASAN
#include <sanitizer/asan_interface.h>

/* kasan_poison(): [addr, addr + size) may not be touched. */
static inline void kasan_poison(const void *addr, size_t size)
{
	ASAN_POISON_MEMORY_REGION(addr, size);
}

/* kasan_unpoison_range(): [addr, addr + size) may be touched again. */
static inline void kasan_unpoison_range(const void *addr, size_t size)
{
	ASAN_UNPOISON_MEMORY_REGION(addr, size);
}

/*
 * A word of a free object that kalloc itself owns (free pointer, free
 * key): read and written unchecked.  Never inlined into checked code.
 */
static __attribute__((no_sanitize_address, noinline, unused))
unsigned long kasan_metadata_load(const void *addr)
{
	return *(const unsigned long *)addr;
}

static __attribute__((no_sanitize_address, noinline, unused))
void kasan_metadata_store(void *addr, unsigned long val)
{
	*(unsigned long *)addr = val;
}
#else
static inline void kasan_poison(const void *addr, size_t size)
{
	(void)addr;
	(void)size;
}

static inline void kasan_unpoison_range(const void *addr, size_t size)
{
	(void)addr;
	(void)size;
}

static __always_inline unsigned long kasan_metadata_load(const void *addr)
{
	return *(const unsigned long *)addr;
}

static __always_inline void kasan_metadata_store(void *addr, unsigned long val)
{
	*(unsigned long *)addr = val;
}
#endif /* CONFIG_KASAN */

/* kasan_poison_pages(), kasan_unpoison_pages(): 2^order frames at their slots. */
static inline void kasan_poison_pages(unsigned long pfn, unsigned long nr)
{
	kasan_poison(pfn_to_slot(pfn), nr << PAGE_SHIFT);
}

static inline void kasan_unpoison_pages(unsigned long pfn, unsigned long nr)
{
	kasan_unpoison_range(pfn_to_slot(pfn), nr << PAGE_SHIFT);
}

#endif /* KALLOC_KASAN_H */

/* ------------------------------------------------ the slab's hooks -- */

#if defined(KALLOC_SLAB_H) && !defined(KALLOC_KASAN_SLAB_H)
#define KALLOC_KASAN_SLAB_H

#ifdef CONFIG_KASAN
/* Does KASAN look after this cache's objects?  Not with slub_debug's checks. */
static inline bool kasan_cache_poisons(const struct kmem_cache *s)
{
	return !(s->flags & SLAB_DEBUG_FLAGS);
}

/* kasan_poison_slab(): a new slab, after its objects are set up. */
static inline void kasan_poison_slab(const struct kmem_cache *s, void *addr, unsigned int order)
{
	kasan_unpoison_range(addr, PAGE_SIZE << order);	/* what its pages held before */
	if (kasan_cache_poisons(s))
		kasan_poison(addr, PAGE_SIZE << order);
}

/* kasan_slab_alloc(): the object is the caller's, all object_size bytes of it. */
static inline void kasan_slab_alloc(const struct kmem_cache *s, const void *object)
{
	if (object && kasan_cache_poisons(s))
		kasan_unpoison_range(object, s->object_size);
}

/*
 * kasan_kmalloc(): the object was asked for @size bytes: the rest of it
 * is the kmalloc red zone (poison_kmalloc_redzone()).
 */
static inline void kasan_kmalloc(const struct kmem_cache *s, const void *object, size_t size)
{
	if (object && kasan_cache_poisons(s)) {
		kasan_poison(object, s->object_size);
		kasan_unpoison_range(object, min(size, (size_t)s->object_size));
	}
}

/* kasan_slab_free(): the object is free (poison_slab_object()). */
static inline void kasan_slab_free(const struct kmem_cache *s, const void *object)
{
	if (kasan_cache_poisons(s))
		kasan_poison(object, s->size);
}
#else
static inline void kasan_poison_slab(const struct kmem_cache *s, void *addr, unsigned int order)
{
	(void)s;
	(void)addr;
	(void)order;
}

static inline void kasan_slab_alloc(const struct kmem_cache *s, const void *object)
{
	(void)s;
	(void)object;
}

static inline void kasan_kmalloc(const struct kmem_cache *s, const void *object, size_t size)
{
	(void)s;
	(void)object;
	(void)size;
}

static inline void kasan_slab_free(const struct kmem_cache *s, const void *object)
{
	(void)s;
	(void)object;
}
#endif /* CONFIG_KASAN */
#endif /* KALLOC_SLAB_H && !KALLOC_KASAN_SLAB_H */
