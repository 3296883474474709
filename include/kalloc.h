/*
 * kalloc.h - the kernel-style memory allocation API of libkalloc.
 *
 * kalloc rebuilds the Linux kernel's allocator stack in user space over an
 * emulated i386 machine (zones DMA, NORMAL, HIGHMEM).  This header declares
 * the routines a program links with -lkalloc to use it the way kernel code
 * does: the buddy page allocator (alloc_pages() and friends), the slab
 * allocator (kmem_cache_*, kmalloc), vmalloc, vmap and kvmalloc, kmap for
 * HIGHMEM, and kalloc_report(), which prints the reports that mirror
 * /proc/buddyinfo, pagetypeinfo, zoneinfo, slabinfo and vmallocinfo.
 * kalloc(3) documents them.
 *
 * Names, signatures and semantics follow the kernel.  Where the kernel makes
 * a routine an inline or a macro, kalloc exports a real function of the same
 * name, so that dlsym() and nm -D find it.
 *
 * The header compiles after any libc header, with or without _GNU_SOURCE,
 * in C and in C++.
 */
#ifndef KALLOC_H
#define KALLOC_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The version of this header; kalloc_version() tells the library's, which
 * may differ when a program runs against another build than it was
 * compiled with.
 */
#define KALLOC_VERSION_MAJOR	0
#define KALLOC_VERSION_MINOR	1
#define KALLOC_VERSION_PATCH	0
#define KALLOC_VERSION		"0.1.0"

/*
 * Every routine below is exported twice: under the kernel's name, for
 * kernel code ported to user space, and as kalloc_<name>, the same
 * function (kalloc_kmalloc, kalloc_free_page, ...).  A program that has a
 * free_page(), get_page() or kmap() of its own, or wants no kernel names
 * at all, defines KALLOC_PREFIX_ONLY before including this header and is
 * given only the kalloc_ names; the library's own calls never go to the
 * program's functions of the same names (it binds them at link time).
 */
#ifdef KALLOC_PREFIX_ONLY
#define KALLOC_API(name)	kalloc_##name
#else
#define KALLOC_API(name)	name
#endif

/* Every routine below is exported from libkalloc, whatever -fvisibility says. */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* ---------------------------------------------------------------- pages -- */

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE-1))	/* as <sys/user.h> spells it: no redefinition warning */

/*
 * Buddy orders run from 0 to MAX_PAGE_ORDER inclusive (4 MiB blocks), so
 * there are NR_PAGE_ORDERS free lists per zone.  These are today's kernel
 * names; 2.6-era code calls NR_PAGE_ORDERS "MAX_ORDER" (11).
 */
#define MAX_PAGE_ORDER	10
#define NR_PAGE_ORDERS	(MAX_PAGE_ORDER + 1)
#define MAX_ORDER_NR_PAGES	(1UL << MAX_PAGE_ORDER)

/*
 * Orders above this are "costly" to the kernel, which keeps no pcp lists
 * for them; kalloc's per-thread lists go on to order 7 (docs/architecture.md).
 */
#define PAGE_ALLOC_COSTLY_ORDER	3

struct page;
struct zone;

/*
 * The i386 zones: DMA [4 KiB, 16 MiB), NORMAL [16 MiB, 896 MiB), HIGHMEM
 * above; MOVABLE, as on a kernel booted without kernelcore= or movablecore=,
 * is there and empty.
 */
enum zone_type {
	ZONE_DMA,
	ZONE_NORMAL,
	ZONE_HIGHMEM,
	ZONE_MOVABLE,
	__MAX_NR_ZONES
};
#define MAX_NR_ZONES	__MAX_NR_ZONES

/* ------------------------------------------------------------ GFP flags -- */

typedef unsigned int gfp_t;

/* Plain bits; use the __GFP_* and GFP_* names below. */
#define ___GFP_DMA		0x01u
#define ___GFP_HIGHMEM		0x02u
#define ___GFP_DMA32		0x04u
#define ___GFP_MOVABLE		0x08u
#define ___GFP_RECLAIMABLE	0x10u
#define ___GFP_HIGH		0x20u
#define ___GFP_IO		0x40u
#define ___GFP_FS		0x80u
#define ___GFP_ZERO		0x100u
#define ___GFP_DIRECT_RECLAIM	0x400u
#define ___GFP_KSWAPD_RECLAIM	0x800u
#define ___GFP_WRITE		0x1000u
#define ___GFP_NOWARN		0x2000u
#define ___GFP_RETRY_MAYFAIL	0x4000u
#define ___GFP_NOFAIL		0x8000u
#define ___GFP_NORETRY		0x10000u
#define ___GFP_MEMALLOC		0x20000u
#define ___GFP_COMP		0x40000u
#define ___GFP_NOMEMALLOC	0x80000u
#define ___GFP_HARDWALL		0x100000u
#define ___GFP_ACCOUNT		0x400000u

/* Zone modifiers: where the memory may come from. */
#define __GFP_DMA		((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM		((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32		((gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE		((gfp_t)___GFP_MOVABLE)
#define GFP_ZONEMASK	(__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32 | __GFP_MOVABLE)

/* Page mobility and placement hints. */
#define __GFP_RECLAIMABLE	((gfp_t)___GFP_RECLAIMABLE)
#define __GFP_WRITE		((gfp_t)___GFP_WRITE)
#define __GFP_HARDWALL		((gfp_t)___GFP_HARDWALL)
#define __GFP_ACCOUNT		((gfp_t)___GFP_ACCOUNT)

/* Watermark modifiers: access to the reserves. */
#define __GFP_HIGH		((gfp_t)___GFP_HIGH)
#define __GFP_MEMALLOC		((gfp_t)___GFP_MEMALLOC)
#define __GFP_NOMEMALLOC	((gfp_t)___GFP_NOMEMALLOC)

/* Reclaim modifiers (accepted; kalloc has nothing to reclaim). */
#define __GFP_IO		((gfp_t)___GFP_IO)
#define __GFP_FS		((gfp_t)___GFP_FS)
#define __GFP_DIRECT_RECLAIM	((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM	((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM	(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_RETRY_MAYFAIL	((gfp_t)___GFP_RETRY_MAYFAIL)
#define __GFP_NOFAIL		((gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY		((gfp_t)___GFP_NORETRY)

/* Action modifiers. */
#define __GFP_NOWARN		((gfp_t)___GFP_NOWARN)
#define __GFP_COMP		((gfp_t)___GFP_COMP)
#define __GFP_ZERO		((gfp_t)___GFP_ZERO)

/* The usual combinations, as in include/linux/gfp_types.h. */
#define GFP_ATOMIC	(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL	(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_NOWAIT	(__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO	(__GFP_RECLAIM)
#define GFP_NOFS	(__GFP_RECLAIM | __GFP_IO)
#define GFP_USER	(__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_DMA		__GFP_DMA
#define GFP_DMA32	__GFP_DMA32
#define GFP_HIGHUSER	(GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE	(GFP_HIGHUSER | __GFP_MOVABLE)

/* ------------------------------------------------ the buddy allocator -- */

struct page *KALLOC_API(alloc_pages)(gfp_t gfp_mask, unsigned int order);
struct page *KALLOC_API(alloc_page)(gfp_t gfp_mask);
void KALLOC_API(__free_pages)(struct page *page, unsigned int order);
void KALLOC_API(__free_page)(struct page *page);

unsigned long KALLOC_API(__get_free_pages)(gfp_t gfp_mask, unsigned int order);
unsigned long KALLOC_API(__get_free_page)(gfp_t gfp_mask);
unsigned long KALLOC_API(get_zeroed_page)(gfp_t gfp_mask);
void KALLOC_API(free_pages)(unsigned long addr, unsigned int order);
void KALLOC_API(free_page)(unsigned long addr);

/* Exactly PAGE_ALIGN(size) bytes of lowmem; the order's tail goes back. */
void *KALLOC_API(alloc_pages_exact)(size_t size, gfp_t gfp_mask);
void KALLOC_API(free_pages_exact)(void *virt, size_t size);

/* Reference counts, as in include/linux/mm.h: put_page() frees at zero. */
int KALLOC_API(page_count)(const struct page *page);
void KALLOC_API(get_page)(struct page *page);
void KALLOC_API(put_page)(struct page *page);

/* Break an order-n allocation into 2^n independent order-0 pages. */
void KALLOC_API(split_page)(struct page *page, unsigned int order);

/* ------------------------------------------ the memory map (mem_map) -- */

void *KALLOC_API(page_address)(const struct page *page);	/* NULL: HIGHMEM, unmapped */
struct page *KALLOC_API(virt_to_page)(const void *addr);	/* linear-map addresses */
int KALLOC_API(virt_addr_valid)(const void *addr);
struct page *KALLOC_API(pfn_to_page)(unsigned long pfn);
unsigned long KALLOC_API(page_to_pfn)(const struct page *page);
int KALLOC_API(pfn_valid)(unsigned long pfn);
enum zone_type KALLOC_API(page_zonenum)(const struct page *page);
struct zone *KALLOC_API(page_zone)(const struct page *page);
int KALLOC_API(PageHighMem)(const struct page *page);
unsigned long KALLOC_API(virt_to_pfn)(const void *addr);

/* ------------------------------------------------------- accounting -- */

unsigned long KALLOC_API(nr_free_pages)(void);	/* in the buddy free lists */
unsigned long KALLOC_API(totalram_pages)(void);	/* present (usable) pages of the machine */
unsigned long KALLOC_API(totalhigh_pages)(void);
unsigned long kalloc_max_pfn(void);	/* the end of the emulated memory */

/*
 * Give the calling thread's per-cpu page lists back to the zones
 * (mm/page_alloc.c).  drain_all_pages() also asks every other thread to
 * drain its lists the next time it enters the page allocator.
 */
void KALLOC_API(drain_local_pages)(struct zone *zone);
void KALLOC_API(drain_all_pages)(struct zone *zone);

/*
 * Report every free block of kalloc's page reporting order or above to the
 * host now (MADV_DONTNEED), whatever the delay policy says; returns the
 * number of pages given back.  malloc_trim() is built on it.
 */
unsigned long KALLOC_API(page_reporting_flush)(void);

/* ---------------------------------------------------------- the slab -- */

typedef unsigned int slab_flags_t;

#define SLAB_CONSISTENCY_CHECKS	((slab_flags_t)0x00000100u)	/* slub_debug=F */
#define SLAB_RED_ZONE		((slab_flags_t)0x00000400u)	/* slub_debug=Z */
#define SLAB_POISON		((slab_flags_t)0x00000800u)	/* slub_debug=P */
#define SLAB_KMALLOC		((slab_flags_t)0x00001000u)	/* a kmalloc cache */
#define SLAB_HWCACHE_ALIGN	((slab_flags_t)0x00002000u)	/* align objects to a cache line */
#define SLAB_CACHE_DMA		((slab_flags_t)0x00004000u)	/* slabs from ZONE_DMA */
#define SLAB_STORE_USER		((slab_flags_t)0x00010000u)	/* slub_debug=U */
#define SLAB_PANIC		((slab_flags_t)0x00040000u)	/* abort if creation fails */
#define SLAB_TYPESAFE_BY_RCU	((slab_flags_t)0x00080000u)	/* accepted; no RCU here */
#define SLAB_RECLAIM_ACCOUNT	((slab_flags_t)0x00020000u)	/* MIGRATE_RECLAIMABLE slabs */
#define SLAB_ACCOUNT		((slab_flags_t)0x04000000u)	/* accepted */
#define SLAB_NO_MERGE		((slab_flags_t)0x01000000u)	/* never an alias */

struct kmem_cache;

struct kmem_cache *KALLOC_API(kmem_cache_create)(const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags,
				     void (*ctor)(void *));
void KALLOC_API(kmem_cache_destroy)(struct kmem_cache *s);
int KALLOC_API(kmem_cache_shrink)(struct kmem_cache *s);
void *KALLOC_API(kmem_cache_alloc)(struct kmem_cache *s, gfp_t gfpflags);
void *KALLOC_API(kmem_cache_zalloc)(struct kmem_cache *s, gfp_t gfpflags);
void KALLOC_API(kmem_cache_free)(struct kmem_cache *s, void *objp);
unsigned int KALLOC_API(kmem_cache_size)(struct kmem_cache *s);
const char *KALLOC_API(kmem_cache_name)(struct kmem_cache *s);

/* kmalloc caches serve up to KMALLOC_MAX_CACHE_SIZE; larger go to pages. */
#define KMALLOC_SHIFT_HIGH	(PAGE_SHIFT + 1)
#define KMALLOC_MAX_CACHE_SIZE	(1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_SIZE	(1UL << (MAX_PAGE_ORDER + PAGE_SHIFT))
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

void *KALLOC_API(kmalloc)(size_t size, gfp_t flags);
void *KALLOC_API(kzalloc)(size_t size, gfp_t flags);
void *KALLOC_API(kmalloc_array)(size_t n, size_t size, gfp_t flags);
void *KALLOC_API(kcalloc)(size_t n, size_t size, gfp_t flags);
void *KALLOC_API(krealloc)(const void *p, size_t new_size, gfp_t flags);
void KALLOC_API(kfree)(const void *objp);
void KALLOC_API(kfree_sensitive)(const void *objp);
size_t KALLOC_API(ksize)(const void *objp);
size_t KALLOC_API(kmalloc_size_roundup)(size_t size);

/* --------------------------------------------------------- vmalloc -- */

typedef struct { unsigned long pgprot; } pgprot_t;
#define PAGE_KERNEL	((pgprot_t){ 3 })	/* read + write */
#define PAGE_KERNEL_RO	((pgprot_t){ 1 })
#define VM_MAP		0x00000004u	/* vmap()ed pages */
#define VM_USERMAP	0x00000008u	/* suitable for remap_vmalloc_range */
#define VM_ALLOW_HUGE_VMAP 0x00000400u	/* may be mapped with huge pages */

void *KALLOC_API(vmalloc)(unsigned long size);
void *KALLOC_API(vzalloc)(unsigned long size);
void *KALLOC_API(vmalloc_user)(unsigned long size);
/* huge-page mapped when at least PMD_SIZE (2 MiB): size rounded up to it */
void *KALLOC_API(vmalloc_huge)(unsigned long size, gfp_t gfp_mask);
void *KALLOC_API(__vmalloc)(unsigned long size, gfp_t gfp_mask);
void *KALLOC_API(vrealloc)(const void *p, size_t size, gfp_t flags);
void KALLOC_API(vfree)(const void *addr);
void *KALLOC_API(vmap)(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot);
void KALLOC_API(vunmap)(const void *addr);
struct page *KALLOC_API(vmalloc_to_page)(const void *addr);
unsigned long KALLOC_API(vmalloc_to_pfn)(const void *addr);
int KALLOC_API(is_vmalloc_addr)(const void *x);

/* kmalloc first, vmalloc when kmalloc cannot (mm/util.c) */
void *KALLOC_API(kvmalloc)(size_t size, gfp_t flags);
void *KALLOC_API(kvzalloc)(size_t size, gfp_t flags);
void *KALLOC_API(kvcalloc)(size_t n, size_t size, gfp_t flags);
void *KALLOC_API(kvrealloc)(const void *p, size_t size, gfp_t flags);
void KALLOC_API(kvfree)(const void *addr);

/*
 * HIGHMEM pages, mapped a while at a time: kmap() through the pkmap window
 * (a slot stays mapped after the last kunmap() until the window wraps;
 * kmap() sleeps while every slot is in use), kmap_local_page() and
 * kmap_atomic() through the calling thread's stack of 16 fixmap slots
 * (kunmap_local() undoes the last one first).
 */
void *KALLOC_API(kmap)(struct page *page);
void KALLOC_API(kunmap)(struct page *page);
void KALLOC_API(kmap_flush_unused)(void);
void *KALLOC_API(kmap_local_page)(struct page *page);
void KALLOC_API(kunmap_local)(const void *addr);
void *KALLOC_API(kmap_atomic)(struct page *page);
void KALLOC_API(kunmap_atomic)(const void *addr);

/* ---------------------------------------------------------- reports -- */

/*
 * Print one of the reports named after the /proc files they mirror:
 * "buddyinfo", "pagetypeinfo", "zoneinfo", "slabinfo", "vmallocinfo",
 * kalloc's "brk", "options" (every option's value) and "totals"; NULL or
 * "all" prints every report.  Returns 0; -1 with errno EINVAL for an
 * unknown name or a NULL @out (nothing printed), or with stdio's errno
 * when writing failed.
 */
int kalloc_report(FILE *out, const char *which);

/* The library's version, "MAJOR.MINOR.PATCH" (KALLOC_VERSION of its build). */
const char *kalloc_version(void);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* KALLOC_H */
