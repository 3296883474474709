/*
 * lib/util.c - kvmalloc() and malloc's routing through the stack
 * (mm/util.c).  See util.h for the routing rules.
 *
 *	size <= KMALLOC_MAX_CACHE_SIZE	malloc's size class (util.h): a kmalloc
 *					cache or one of malloc's own caches,
 *					inline
 *	size <= 4 MiB			a buddy block trimmed to whole pages
 *					(alloc_pages_exact(); from HIGHMEM,
 *					mapped at its own slot, when lowmem is
 *					out); the head page is PG_large with
 *					its page count in page->index
 *	larger				vmalloc (vmalloc.c)
 *
 * free() finds the layer from the address alone (no header in front of
 * objects): a linear-map address whose page names a slab cache is a slab
 * object; a PG_large head page is a page block; an address in the vmalloc
 * window is an area; anything else is foreign (counted, left alone).  An
 * address inside kalloc's windows that is none of those aborts with
 * "invalid pointer".
 *
 * Locking: malloc_caches_lock serialises the creation of malloc's own
 * caches (the first lock of the global order, mm_init.c); malloc_caches[]
 * is written once per slot under it and read without it.  Otherwise each
 * layer has its own locks.  The per-thread request counter lives in the
 * thread's area (no atomics); exited threads' counts are folded into
 * nr_kmalloc_exited under pcpu_lock.
 */
#include "slab.h"
#include "util.h"
#include "kfence.h"
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK	1
#endif

static unsigned long nr_foreign;

/* A per-thread counter (percpu.h); a thread past its exit counts atomically. */
static inline void count_malloc_event(enum malloc_event_item item, long n)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;

	if (likely((uintptr_t)cpu > (uintptr_t)PCPU_DEAD))
		WRITE_ONCE(cpu->malloc_events[item], cpu->malloc_events[item] + n);
	else
		__atomic_fetch_add(&malloc_events_exited[item], n, __ATOMIC_RELAXED);
}

static void sum_malloc_events(long *ev)
{
	struct kalloc_pcpu *cpu;
	unsigned int i;

	spin_lock(&pcpu_lock);
	for (i = 0; i < NR_MALLOC_EVENTS; i++)
		ev[i] = READ_ONCE(malloc_events_exited[i]);
	list_for_each_entry(cpu, &all_pcpus, list)
		for (i = 0; i < NR_MALLOC_EVENTS; i++)
			ev[i] += READ_ONCE(cpu->malloc_events[i]);
	spin_unlock(&pcpu_lock);
}

/* ------------------------------------------------------ page blocks -- */

static inline unsigned int order_of_pages(unsigned long nr)
{
	return nr <= 1 ? 0 : 64 - __builtin_clzl(nr - 1);
}

/*
 * NORMAL could not give the block at its low watermark: DMA (above its
 * reserve for NORMAL), then HIGHMEM mapped at its slots, then the same
 * zones once more, which now go down to their min watermarks if no zone is
 * above its low one (alloc_pages_zone(): __alloc_pages()'s two walks).
 */
static __cold struct page *alloc_page_block_slow(gfp_t gfp, unsigned int order, bool *zeroed)
{
	static const enum zone_type order_of_zones[] = { ZONE_DMA, ZONE_HIGHMEM,
							 ZONE_NORMAL, ZONE_DMA, ZONE_HIGHMEM };
	unsigned int z;

	for (z = 0; z < ARRAY_SIZE(order_of_zones); z++) {
		enum zone_type zone = order_of_zones[z];
		struct page *page;

		if (zone != ZONE_HIGHMEM) {
			page = alloc_pages_zone(gfp, order, zone, zeroed);
		} else {
			page = alloc_pages_zone(gfp | __GFP_HIGHMEM, order, zone, zeroed);
			if (page && !map_highmem_block(page, order)) {
				__free_pages(page, order);
				page = NULL;
			}
		}
		if (page)
			return page;
	}
	return NULL;
}

/*
 * A block of @nr pages aligned to 2^@align_order pages: lowmem first, then
 * HIGHMEM mapped at its slots.  The block stays one buddy allocation (no
 * per-page reference counts), and the order's tail beyond @nr goes back
 * to the buddy at once (alloc_pages_exact()'s trimming): a block of 2^k
 * pages comes from and goes back to the per-thread lists without a lock,
 * any other size takes the zone lock at its free.  Keeping whole blocks
 * instead saved that lock but cost memory: a tail that another, larger
 * request of the same order writes stays resident in the free block
 * (measured: pagerepl's peak RSS 93.8 MiB with whole blocks, 75.8 exact,
 * at the same speed).
 */
static void *alloc_page_block(unsigned long nr, unsigned int align_order, bool zero,
			      unsigned long caller)
{
	unsigned int order = max(order_of_pages(nr), align_order);
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct page *page;
	bool zeroed = false;

	if (order > MAX_PAGE_ORDER)
		return NULL;
	page = alloc_pages_zone(gfp, order, ZONE_NORMAL, &zeroed);
	if (unlikely(!page))
		page = alloc_page_block_slow(gfp, order, &zeroed);
	if (!page)
		return NULL;
	if (nr < (1UL << order))
		free_block_range(__page_to_pfn(page) + nr, __page_to_pfn(page) + (1UL << order),
				 zeroed);
	if (zero && !zeroed)
		memset(pfn_to_slot(__page_to_pfn(page)), 0, nr << PAGE_SHIFT);
	SetPageLarge(page);
	page->index = nr;
	set_page_owner(page, caller, nr << PAGE_SHIFT);
	count_malloc_event(MALLOC_PAGE_BLOCKS, 1);
	count_malloc_event(MALLOC_PAGE_BLOCK_PAGES, nr);
	return pfn_to_slot(__page_to_pfn(page));
}

static void unmap_highmem_pages(struct page *page, unsigned long from, unsigned long to)
{
	unsigned long i;

	if (!PageHighMapped(page + from))
		return;
	for (i = from; i < to; i++) {
		ClearPageHighMapped(page + i);
		page[i].virtual = NULL;
	}
}

static void free_page_block(struct page *page)
{
	unsigned long pfn = __page_to_pfn(page), nr = page->index;

	ClearPageLarge(page);
	page->index = 0;
	reset_page_owner(page);
	count_malloc_event(MALLOC_PAGE_BLOCK_PAGES, -(long)nr);
	kasan_poison_pages(pfn, nr);	/* until the buddy hands them out again */
	unmap_highmem_pages(page, 0, nr);
	/* A whole aligned block: one buddy free (small ones through the pcp). */
	if (!(nr & (nr - 1)) && IS_ALIGNED(pfn, nr)) {
		__free_pages(page, order_of_pages(nr));
		return;
	}
	free_block_range(pfn, pfn + nr, false);
}

/*
 * grow_page_block(): realloc growing a page block in place, when the pages
 * after it are free in the buddy (lowmem only: a HIGHMEM block would need
 * its new pages mapped at their slots).  A block that moves leaves a hole
 * of its old size that its next growth does not fit in; one that grows
 * into the tail its allocation trimmed off (free_block_range() gives that
 * tail straight to the buddy) leaves none.
 */
static bool grow_page_block(struct page *page, unsigned long new_nr)
{
	unsigned long pfn = __page_to_pfn(page), nr = page->index;

	VM_BUG_ON(new_nr <= nr);
	if (PageHighMem(page) || new_nr > MAX_ORDER_NR_PAGES ||
	    !pfn_valid(pfn + new_nr - 1) ||
	    !take_free_range(pfn + nr, pfn + new_nr))
		return false;
	kasan_unpoison_pages(pfn + nr, new_nr - nr);
	page->index = new_nr;
	count_malloc_event(MALLOC_PAGE_BLOCK_PAGES, (long)(new_nr - nr));
	return true;
}

/* Give back the tail of a page block in place (realloc shrinking). */
static void trim_page_block(struct page *page, unsigned long new_nr)
{
	unsigned long pfn = __page_to_pfn(page), nr = page->index;

	kasan_poison_pages(pfn + new_nr, nr - new_nr);
	unmap_highmem_pages(page, new_nr, nr);
	page->index = new_nr;
	count_malloc_event(MALLOC_PAGE_BLOCK_PAGES, -(long)(nr - new_nr));
	free_block_range(pfn + new_nr, pfn + nr, false);
	page->_refcount = 1;	/* free_block_range() touched only the tail's head */
}

/* ------------------------------------------------- malloc's caches -- */

unsigned char malloc_size_index[NR_MALLOC_SIZE_INDEX];
struct kmem_cache *malloc_caches[PCPU_RESERVED_SLOTS];

/*
 * Above 1 KiB the classes of each power of two 2^k are 2^k/32 times these:
 * the largest multiples of 2^k/32 of which 15, 14, ..., 9 and 8 objects fit
 * a slab of 16 * 2^k bytes (order k - 8), so no slab loses more than 1.6%
 * to its tail, and a request wastes at most 12.5% (1793 bytes in 2048).
 * Arithmetic steps (1152, 1280, ...) would leave slabs of the order the
 * kernel picks a tail of up to 19% (4 objects of 6656 in 32 KiB).
 */
static const unsigned char malloc_fit_32nds[8] = { 34, 36, 39, 42, 46, 51, 56, 64 };

/*
 * A sheaf of one of malloc's own caches holds about MALLOC_SHEAF_BYTES
 * (at least 2 objects, at most 64), where sheaf_capacity_for() would give
 * a 4 KiB class 16: a thread keeps a main and a spare sheaf of every class
 * it uses, and with 45 classes instead of 13 a thread that uses them all
 * would otherwise keep about 1.2 MiB of free objects where it kept 0.4.
 */
#define MALLOC_SHEAF_BYTES	8192U

struct malloc_class {
	unsigned int size;
	unsigned int order;	/* slab order; 0: calculate_order() */
};

/* malloc's own caches by slot - PCPU_MALLOC_FIRST, and the lock that creates them */
static struct malloc_class malloc_own_classes[NR_MALLOC_OWN_CACHES];
static spinlock_t malloc_caches_lock = __SPIN_LOCK_UNLOCKED;

/* The classes in ascending order of size; returns how many. */
static unsigned int malloc_class_list(struct malloc_class *mc)
{
	unsigned int n = 0, k, i;

	mc[n++].size = 8;
	for (i = 16; i <= 128; i += 16)
		mc[n++].size = i;
	for (k = 7; k < 10; k++)		/* four per power of two */
		for (i = 5; i <= 8; i++)
			mc[n++].size = (1U << k) / 4 * i;
	for (k = 10; k < KMALLOC_SHIFT_HIGH; k++)	/* eight per power of two */
		for (i = 0; i < ARRAY_SIZE(malloc_fit_32nds); i++) {
			mc[n].order = k - 8;
			mc[n++].size = (1U << k) / 32 * malloc_fit_32nds[i];
		}
	return n;
}

/* The kmalloc index of the kmalloc cache of exactly @size bytes, or 0. */
static unsigned int kmalloc_index_exact(unsigned int size)
{
	unsigned int i;

	for (i = 1; i <= KMALLOC_SHIFT_HIGH; i++)
		if (kmalloc_caches[i] && kmalloc_caches[i]->object_size == size)
			return i;
	return 0;
}

/*
 * malloc_classes_init(): at boot, after create_kmalloc_caches(), with no
 * allocation.  A class that is a kmalloc size takes the kmalloc cache and
 * its slot; the others get the next reserved slot, and their cache on
 * first use (malloc_cache_create()).  Then malloc_size_index[]: each entry
 * the slot of the smallest class that holds its largest size.
 */
unsigned long malloc_free_key;
static void free_check_init(void);

/* A secret nobody stores by chance: random, odd, never a small number. */
static void malloc_free_key_init(void)
{
	unsigned long key = 0;

	if (kalloc_syscall6(SYS_getrandom, (long)&key, sizeof(key), GRND_NONBLOCK, 0, 0, 0) !=
	    sizeof(key))
		key = (unsigned long)ktime_get_ns() * 0x9e3779b97f4a7c15UL ^ (unsigned long)&key;
	WRITE_ONCE(malloc_free_key, key | 0x8000000000000001UL);
}

void malloc_classes_init(void)
{
	struct malloc_class mc[64] = { { 0 } };
	unsigned char slot_of[64];
	unsigned int nr = malloc_class_list(mc);
	unsigned int slot = PCPU_MALLOC_FIRST, c, i;

	malloc_free_key_init();
	free_check_init();

	BUG_ON(nr > ARRAY_SIZE(mc));
	for (c = 0; c < nr; c++) {
		slot_of[c] = (unsigned char)kmalloc_index_exact(mc[c].size);
		if (slot_of[c]) {
			malloc_caches[slot_of[c]] = kmalloc_caches[slot_of[c]];
			continue;
		}
		BUG_ON(slot >= PCPU_RESERVED_SLOTS);
		malloc_own_classes[slot - PCPU_MALLOC_FIRST] = mc[c];
		slot_of[c] = (unsigned char)slot++;
	}
	BUG_ON(slot != PCPU_RESERVED_SLOTS);
	for (i = 0, c = 0; i < MALLOC_SIZE_INDEX_SMALL; i++) {
		while (mc[c].size < max(8 * i, 8U))
			c++;
		malloc_size_index[i] = slot_of[c];
	}
	for (i = 1024 / 32 + 1; i <= KMALLOC_MAX_CACHE_SIZE / 32; i++) {
		while (mc[c].size < 32 * i)
			c++;
		malloc_size_index[MALLOC_SIZE_INDEX_LARGE + i] = slot_of[c];
	}
}

/*
 * malloc_cache_create(): the cache "malloc-<size>" of @slot, made on the
 * class's first use (so a program that never uses a class pays nothing for
 * it, and kalloc's boot allocates nothing).  Like the caches of
 * kmem_buckets_create() they are SLAB_NO_MERGE: no other cache becomes an
 * alias of one (slabinfo shows malloc's memory alone, and
 * slub_debug=,malloc-<size> affects malloc alone), and they take no alias
 * themselves (their slot is fixed).  They are 16-byte aligned, as malloc's
 * memory must be, red zone or not.  NULL if no memory could be had.
 */
static __noinline struct kmem_cache *malloc_cache_create(unsigned int slot)
{
	const struct malloc_class *mc = &malloc_own_classes[slot - PCPU_MALLOC_FIRST];
	struct kmem_cache_args args = {
		.align = 16, .cpu_index = (int)slot, .order = mc->order,
		.sheaf_capacity = clamp(MALLOC_SHEAF_BYTES / mc->size, 2U, 64U),
	};
	struct kmem_cache *s;
	char name[24];

	spin_lock(&malloc_caches_lock);
	s = malloc_caches[slot];
	if (!s) {
		snprintf(name, sizeof(name), "malloc-%u", mc->size);
		s = __kmem_cache_create_args(name, mc->size, &args, SLAB_NO_MERGE | SLAB_KMALLOC);
		__atomic_store_n(&malloc_caches[slot], s, __ATOMIC_RELEASE);
	}
	spin_unlock(&malloc_caches_lock);
	return s;
}

void malloc_caches_fork_prepare(void)
{
	spin_lock(&malloc_caches_lock);
}

void malloc_caches_fork_parent(void)
{
	spin_unlock(&malloc_caches_lock);
}

void malloc_caches_fork_child(void)
{
	spin_lock_init(&malloc_caches_lock);
}

/*
 * malloc_profiled_cache(): the profiled twin of malloc's class @slot, made
 * on its first sample (page_owner.sample=): "malloc-prof-<size>", objects
 * of the class's size that record their allocation and free stacks
 * (SLAB_STORE_USER, as slub_debug=U would make every cache).  Such a cache
 * has no sheaves, so a sampled object's free() takes the slow path that
 * records its free and takes it out of the profile, and the fast path
 * never looks at sampling.  NULL if no memory could be had (the sample is
 * lost; the object comes from its class).
 */
static struct kmem_cache *malloc_profiled_caches[PCPU_RESERVED_SLOTS];

static __noinline __cold struct kmem_cache *malloc_profiled_cache(unsigned int slot,
								  const struct kmem_cache *class)
{
	struct kmem_cache_args args = { .align = 16, .cpu_index = -1 };
	struct kmem_cache *s = __atomic_load_n(&malloc_profiled_caches[slot], __ATOMIC_ACQUIRE);
	char name[32];

	if (s)
		return s;
	spin_lock(&malloc_caches_lock);
	s = malloc_profiled_caches[slot];
	if (!s) {
		snprintf(name, sizeof(name), "malloc-prof-%u", class->object_size);
		s = __kmem_cache_create_args(name, class->object_size, &args,
					     SLAB_NO_MERGE | SLAB_KMALLOC | SLAB_STORE_USER);
		__atomic_store_n(&malloc_profiled_caches[slot], s, __ATOMIC_RELEASE);
	}
	spin_unlock(&malloc_caches_lock);
	return s;
}

bool is_malloc_profiled_cache(const struct kmem_cache *s)
{
	unsigned int i;

	for (i = 0; i < PCPU_RESERVED_SLOTS; i++)
		if (READ_ONCE(malloc_profiled_caches[i]) == s)
			return true;
	return false;
}

/* One of malloc's own caches (not a kmalloc cache)? */
bool is_malloc_cache(const struct kmem_cache *s)
{
	unsigned int i;

	for (i = PCPU_MALLOC_FIRST; i < PCPU_RESERVED_SLOTS; i++)
		if (malloc_caches[i] == s)
			return true;
	return false;
}

/* ---------------------------------------------------------- malloc -- */

static unsigned long area_cache_bytes;
static void area_cache_purge(bool all);

/* @caller: the program's return address (util.h), for the tracks and KFENCE. */
static __noinline void *malloc_slab_slow(size_t size, unsigned long caller)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;
	struct kmem_cache *s;
	unsigned int idx, sample = 0;
	void *p;

	if ((uintptr_t)cpu > (uintptr_t)PCPU_DEAD) {
		if (unlikely(READ_ONCE(kfence_sample_rate) || page_owner_sampling())) {
			/* counts the fast path's allocations and resets the countdown */
			sample = malloc_samples_due(cpu);
		} else if (cpu->tick_countdown < 0) {
			/* the countdown sent us here: __slab_alloc_slow() ticks on its way out */
			cpu->tick_short = 0;
			cpu->tick_countdown = VMSCAN_TICK_EVERY;
		}
	}
	kalloc_init_once();
	idx = malloc_index(size);
	s = __atomic_load_n(&malloc_caches[idx], __ATOMIC_ACQUIRE);
	if (unlikely(!s)) {
		s = malloc_cache_create(idx);
		if (!s)
			return NULL;	/* errno is ENOMEM */
	}
	if (unlikely(sample)) {
		p = sample & SAMPLE_KFENCE ? kfence_alloc(cpu, s, size, caller) : NULL;
		if (p)
			return p;
		if (sample & SAMPLE_PROFILE)
			s = malloc_profiled_cache(idx, s) ?: s;
	}
	p = __slab_alloc_slow(s, GFP_KALLOC_MALLOC, caller);
	if (unlikely(!p) && READ_ONCE(area_cache_bytes)) {
		area_cache_purge(true);
		p = __slab_alloc_slow(s, GFP_KALLOC_MALLOC, caller);
	}
	if (unlikely(!p)) {
		errno = ENOMEM;
		return NULL;
	}
	kasan_metadata_store(p, 0);	/* the free key (slab.h) */
	set_orig_size(s, p, size);
	kasan_kmalloc(s, p, size);
	return p;
}

/*
 * The area cache: vmalloc areas that malloc freed stay mapped for up to
 * page_reporting_delay, so that a program that frees and allocates big
 * buffers again and again does not fault every page in each time (the
 * role of glibc's mmap threshold and jemalloc's dirty extents; the decay
 * of every other layer).  A request takes the smallest cached area of at
 * least its size, trimmed in place by vrealloc() when it is more than
 * twice too big, or else the largest smaller one, grown by vrealloc()
 * (mapped on in place or moved with mremap(): the old pages are not
 * faulted again, no byte is copied).  The cache holds AREA_CACHE_SLOTS
 * areas and at most a quarter of what the live areas hold; a newly freed
 * area evicts the oldest ones.  There is no fixed floor: a cached area
 * that is not wanted again raises the program's peak (a grown table's old
 * copy, kept while new memory is touched: python3's dict growth, +10 MiB
 * of peak with a 64 MiB floor), and since areas are huge (vmalloc.c) a
 * miss costs one fault per 2 MiB, not one per page.  The floor is earned
 * instead: an area refused and then wanted again raises the cap by its
 * size, up to two such areas, while such reuse goes on (area_cache_cap()).
 * Areas that waited page_reporting_delay go at the decay tick (vmscan.c);
 * malloc_trim() empties the cache, and so does any allocation that finds
 * no memory.  area_cache_lock is a leaf: vfree() and vrealloc() run with
 * it dropped.
 */
#define AREA_CACHE_SLOTS	16

static struct cached_area {
	void *addr;
	unsigned long size;
	unsigned long when;	/* decay clock of the free */
} area_cache[AREA_CACHE_SLOTS];
static spinlock_t area_cache_lock = __SPIN_LOCK_UNLOCKED;

/*
 * A program that frees an area and soon asks for one of at most its size
 * again (one big buffer, allocated and freed in a loop) would miss the
 * cache every time when its live areas are few: the refused area (or the
 * one evicted to make room) is remembered, and such a miss raises the cap
 * by its size, up to two areas of it, until the cache has not served an
 * area that large for page_reporting_delay (glibc raises its mmap
 * threshold to the size of a freed mmapped chunk for the same reason).  A program whose areas only grow (a table doubled, the old copy
 * freed) never asks for one as small again, and keeps the plain cap.
 * Under area_cache_lock.
 */
static unsigned long area_refused_size, area_refused_when;
static unsigned long area_cache_floor, area_cache_floor_when;

static inline unsigned long area_cache_cap(unsigned long now)
{
	unsigned long live = (vmalloc_nr_pages_read() << PAGE_SHIFT) - READ_ONCE(area_cache_bytes);

	if (area_cache_floor && !time_before(now, area_cache_floor_when + page_reporting_delay_ms))
		area_cache_floor = 0;
	return max(live / 4, area_cache_floor);
}

/*
 * Take the expired areas out of the cache into @out: those that waited
 * page_reporting_delay, or with @all every one.
 */
static unsigned int area_cache_expire(void **out, unsigned long now, bool all)
{
	unsigned int i, n = 0;

	for (i = 0; i < AREA_CACHE_SLOTS; i++) {
		struct cached_area *c = &area_cache[i];

		if (c->addr && (all || !time_before(now, c->when + page_reporting_delay_ms))) {
			kasan_unpoison_range(c->addr, c->size);
			out[n++] = c->addr;
			WRITE_ONCE(area_cache_bytes, area_cache_bytes - c->size);
			c->addr = NULL;
		}
	}
	return n;
}

/* area_cache_purge(): the expired areas, or all of them. */
static void area_cache_purge(bool all)
{
	void *victims[AREA_CACHE_SLOTS];
	unsigned int n;

	if (!READ_ONCE(area_cache_bytes))
		return;
	spin_lock(&area_cache_lock);
	n = area_cache_expire(victims, decay_clock_update(), all);
	spin_unlock(&area_cache_lock);
	while (n)
		vfree(victims[--n]);
}

void area_cache_decay(void)
{
	area_cache_purge(false);
}

/*
 * The oldest cached area, out of the cache, into @out[*n]: refused room
 * as much as an area that does not fit (area_refused_size).
 */
static void area_cache_evict_oldest(void **out, unsigned int *n, unsigned long now)
{
	struct cached_area *old = NULL;
	unsigned int i;

	for (i = 0; i < AREA_CACHE_SLOTS; i++)
		if (area_cache[i].addr && (!old || time_before(area_cache[i].when, old->when)))
			old = &area_cache[i];
	kasan_unpoison_range(old->addr, old->size);
	area_refused_size = old->size;
	area_refused_when = now;
	out[(*n)++] = old->addr;
	WRITE_ONCE(area_cache_bytes, area_cache_bytes - old->size);
	old->addr = NULL;
}

/* The slot that holds the area @p, or NULL.  Under area_cache_lock. */
static struct cached_area *area_cache_find(const void *p)
{
	unsigned int i;

	for (i = 0; i < AREA_CACHE_SLOTS; i++)
		if (area_cache[i].addr == p)
			return &area_cache[i];
	return NULL;
}

/*
 * A cached area is free for the program but still a live vmalloc area: a
 * second free() or a realloc() of it must be caught here, or the cache
 * would hand the same area out twice.
 */
static __cold __attribute__((noreturn)) void area_cache_double_free(const char *who, const void *p,
								    const struct cached_area *c,
								    unsigned long caller)
{
	unsigned long size = c->size, ago = decay_clock_update() - c->when;
	char from[280];

	spin_unlock(&area_cache_lock);
	panic("%s: %s of %p, a vmalloc area of %lu kB freed %lu ms ago%s", who,
	      strcmp(who, "free()") ? "use after free" : "double free", p, size >> 10, ago,
	      sprint_caller(from, sizeof(from), caller));
}

/* Abort if the area @p waits in the cache: the program freed it.  Under area_cache_lock. */
static void area_cache_check_not_cached(const char *who, const void *p, unsigned long caller)
{
	struct cached_area *c = area_cache_find(p);

	if (unlikely(c))
		area_cache_double_free(who, p, c, caller);
}

/* The same, taking the lock (kalloc_realloc(), kalloc_usable_size()). */
static void area_cache_check_live(const char *who, const void *p, unsigned long caller)
{
	if (!READ_ONCE(area_cache_bytes))
		return;
	spin_lock(&area_cache_lock);
	area_cache_check_not_cached(who, p, caller);
	spin_unlock(&area_cache_lock);
}

/* Is the area @p in malloc's area cache (free for the program)?  Takes area_cache_lock. */
bool area_cache_contains(const void *p)
{
	bool found;

	if (!READ_ONCE(area_cache_bytes))
		return false;
	spin_lock(&area_cache_lock);
	found = area_cache_find(p) != NULL;
	spin_unlock(&area_cache_lock);
	return found;
}

/* Keep the area @p of @size bytes instead of freeing it; false if it does not fit. */
static bool area_cache_put(void *p, unsigned long size, const char *who, unsigned long caller)
{
	void *victims[AREA_CACHE_SLOTS];
	unsigned long now = decay_clock_update(), cap;
	struct cached_area *slot = NULL;
	unsigned int i, n;

	spin_lock(&area_cache_lock);
	area_cache_check_not_cached(who, p, caller);
	cap = area_cache_cap(now);
	if (!size || size > cap) {
		area_refused_size = size;
		area_refused_when = now;
		spin_unlock(&area_cache_lock);
		return false;
	}
	n = area_cache_expire(victims, now, false);
	for (;;) {
		for (i = 0; i < AREA_CACHE_SLOTS && !slot; i++)
			if (!area_cache[i].addr)
				slot = &area_cache[i];
		if (slot && area_cache_bytes + size <= cap)
			break;
		slot = NULL;
		area_cache_evict_oldest(victims, &n, now);
	}
	slot->addr = p;
	slot->size = size;
	slot->when = now;
	WRITE_ONCE(area_cache_bytes, area_cache_bytes + size);
	kasan_poison(p, size);	/* free for the program while it waits */
	spin_unlock(&area_cache_lock);
	while (n)
		vfree(victims[--n]);
	return true;
}

/*
 * A cached area for @size bytes: the smallest that holds them (trimmed if
 * more than twice too big), else the largest smaller one, grown.
 */
static void *area_cache_get(unsigned long size)
{
	struct cached_area *fit = NULL, *grow = NULL, *c;
	unsigned long have = 0;
	void *p = NULL, *q;
	unsigned int i;

	size = ALIGN(size, PAGE_SIZE);
	if (!READ_ONCE(area_cache_bytes) && !READ_ONCE(area_refused_size))
		return NULL;
	spin_lock(&area_cache_lock);
	for (i = 0; i < AREA_CACHE_SLOTS; i++) {
		c = &area_cache[i];
		if (!c->addr)
			continue;
		if (c->size >= size) {
			if (!fit || c->size < fit->size)
				fit = c;
		} else if (!grow || c->size > grow->size) {
			grow = c;
		}
	}
	c = fit ? fit : grow;
	if (c) {
		p = c->addr;
		have = c->size;
		kasan_unpoison_range(p, have);
		WRITE_ONCE(area_cache_bytes, area_cache_bytes - have);
		c->addr = NULL;
		if (area_cache_floor && have <= area_cache_floor)
			area_cache_floor_when = READ_ONCE(decay_clock);	/* the raised cap is in use */
	} else if (area_refused_size &&
		   time_before(READ_ONCE(decay_clock), area_refused_when + page_reporting_delay_ms)) {
		if (area_refused_size >= size) {
			/*
			 * Freed and wanted again: keep areas of that size from
			 * now on, one more with each such miss, up to two (a
			 * buffer and its copy, or two in turn; more than two
			 * of a size in flight are rarer than the memory a
			 * floor that grows further would hold).
			 */
			area_cache_floor = min(area_cache_floor + area_refused_size,
					       max(area_cache_floor, 2 * area_refused_size));
			area_cache_floor_when = READ_ONCE(decay_clock);
			area_refused_size = 0;
		}
	} else {
		area_refused_size = 0;	/* too old to tell of a reuse */
	}
	spin_unlock(&area_cache_lock);
	if (!p || have == size || (have > size && have - size <= size))
		return p;
	q = vrealloc(p, size, GFP_KALLOC_MALLOC);
	if (!q)
		vfree(p);
	return q;
}

void area_cache_fork_prepare(void)
{
	spin_lock(&area_cache_lock);
}

void area_cache_fork_parent(void)
{
	spin_unlock(&area_cache_lock);
}

void area_cache_fork_child(void)
{
	spin_lock_init(&area_cache_lock);
}

static __noinline void *malloc_large(size_t size, bool zero, unsigned long caller)
{
	gfp_t gfp;
	void *p;

	if (size <= READ_ONCE(mmap_threshold)) {
		p = alloc_page_block(DIV_ROUND_UP(size, PAGE_SIZE), 0, zero, caller);
		if (!p && READ_ONCE(area_cache_bytes)) {
			area_cache_purge(true);
			p = alloc_page_block(DIV_ROUND_UP(size, PAGE_SIZE), 0, zero, caller);
		}
		if (p) {
			vmscan_tick_count(VMSCAN_BLOCK_WEIGHT);
			return p;
		}
		/* no block of that order: a vmalloc area of scattered frames */
	}
	if (size > (1UL << 46)) {
		errno = ENOMEM;
		return NULL;
	}
	count_malloc_event(MALLOC_VMALLOC, 1);
	p = area_cache_get(size);
	if (p) {
		if (zero)
			memset(p, 0, size);
		set_vmalloc_owner(p, caller, size);
		return p;
	}
	/* phys=memfd: frames keep their bytes unless __GFP_ZERO asks */
	gfp = zero ? GFP_KALLOC_MALLOC | __GFP_ZERO : GFP_KALLOC_MALLOC;
	p = __vmalloc_node_range(size, PAGE_SIZE, gfp, VM_ALLOW_HUGE_VMAP, caller);
	if (!p && READ_ONCE(area_cache_bytes)) {
		area_cache_purge(true);	/* the cached areas' frames first */
		p = __vmalloc_node_range(size, PAGE_SIZE, gfp, VM_ALLOW_HUGE_VMAP, caller);
	}
	if (!p)
		count_malloc_event(MALLOC_VMALLOC, -1);
	else
		set_vmalloc_owner(p, caller, size);
	vmscan_tick();
	return p;
}

/*
 * kalloc_malloc_slow(): what kalloc_malloc_fast() (util.h) does not serve
 * from the thread's sheaf: the slab slow path, page blocks, vmalloc.
 */
void *kalloc_malloc_slow(size_t size, unsigned long caller)
{
	void *p;

	if (!caller)	/* reached by malloc()'s tail call (util.h) */
		caller = _RET_IP_;

	if (likely(size <= KMALLOC_MAX_CACHE_SIZE))
		return malloc_slab_slow(size, caller);
	kalloc_init_once();
	p = malloc_large(size, false, caller);
	if (unlikely(!p))
		errno = ENOMEM;
	return p;
}

void *kalloc_malloc(size_t size)
{
	return __kalloc_malloc_fast(size, _RET_IP_);
}

void *kalloc_malloc_caller(size_t size, unsigned long caller)
{
	return __kalloc_malloc_fast(size, caller);
}

void *kalloc_calloc(size_t n, size_t size, unsigned long caller)
{
	size_t bytes;
	void *p;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes))) {
		errno = ENOMEM;
		return NULL;
	}
	if (likely(bytes <= KMALLOC_MAX_CACHE_SIZE)) {
		p = kalloc_malloc_caller(bytes, caller);
		if (p)
			memset(p, 0, bytes);
		return p;
	}
	kalloc_init_once();
	p = malloc_large(bytes, true, caller);
	if (!p)
		errno = ENOMEM;
	return p;
}

/*
 * memalign(): a power-of-two kmalloc class is aligned to its size; 96 is
 * aligned to 32 and 192 to 64.  Beyond the classes, a buddy block is
 * aligned to its order; beyond 4 MiB, a vmalloc area at the alignment.
 */
void *kalloc_memalign(size_t align, size_t size, unsigned long caller)
{
	size_t need;
	void *p;

	if (align <= 8)
		return kalloc_malloc_caller(size, caller);
	kalloc_init_once();
	need = max(size, align);
	if (need <= KMALLOC_MAX_CACHE_SIZE) {
		unsigned int idx = kmalloc_index(need);
		/* red zones (slub_debug) keep only powers of two naturally aligned */
		bool debug = kmalloc_caches[idx]->red_left_pad != 0;

		if (idx == 1 && (align > 32 || debug))		/* kmalloc-96 */
			idx = 7;
		else if (idx == 2 && (align > 64 || debug))	/* kmalloc-192 */
			idx = 8;
		p = slab_alloc(kmalloc_caches[idx], GFP_KALLOC_MALLOC, caller);
		kasan_kmalloc(kmalloc_caches[idx], p, size);
	} else if (align <= (MAX_ORDER_NR_PAGES << PAGE_SHIFT) &&
		   size <= (MAX_ORDER_NR_PAGES << PAGE_SHIFT)) {
		p = alloc_page_block(max(DIV_ROUND_UP(size, PAGE_SIZE), 1UL),
				     order_of_pages(DIV_ROUND_UP(align, PAGE_SIZE)), false, caller);
		if (!p)
			p = __vmalloc_node_range(size ? size : 1, max(align, PAGE_SIZE),
						 GFP_KALLOC_MALLOC, VM_ALLOW_HUGE_VMAP, caller);
	} else if (size < (1UL << 46) && align < (1UL << 40)) {
		p = __vmalloc_node_range(size ? size : 1, max(align, PAGE_SIZE),
					 GFP_KALLOC_MALLOC, VM_ALLOW_HUGE_VMAP, caller);
	} else {
		p = NULL;
	}
	if (!p)
		errno = ENOMEM;
	return p;
}

char free_check_string[8] = "count";
unsigned long long mmap_threshold = MAX_ORDER_NR_PAGES << PAGE_SHIFT;
static bool free_check_strict;

static void free_check_init(void)
{
	if (!strcmp(free_check_string, "strict"))
		free_check_strict = true;
	else if (strcmp(free_check_string, "count"))
		pr_warn("ignoring free_check=%s: the checks are count and strict\n", free_check_string);
}

void kalloc_count_foreign(const char *who, const void *p)
{
	if (unlikely(free_check_strict))
		panic("%s: invalid pointer %p: not an allocation of kalloc (free_check=strict)", who, p);
	__atomic_fetch_add(&nr_foreign, 1, __ATOMIC_RELAXED);
}

/*
 * A pointer inside kalloc's windows that is not a live allocation: a page
 * block or vmalloc area freed twice, or an address inside one.
 */
static __cold __attribute__((noreturn)) void invalid_free(const char *who, const void *p,
							  unsigned long caller)
{
	unsigned long off = (unsigned long)p - page_offset_base;
	char from[280];

	sprint_caller(from, sizeof(from), caller);
	if (off < (max_pfn << PAGE_SHIFT))
		panic("%s: invalid pointer %p%s: pfn %#lx is not the first page of a live page block "
		      "(freed twice, or not the start of a block)", who, p, from, off >> PAGE_SHIFT);
	/* vfree()'s words: "Trying to vfree() nonexistent vm area" */
	panic("%s: invalid pointer %p%s: not the start of a live vmalloc area, a nonexistent vm area "
	      "(freed twice, or an address inside one)", who, p, from);
}

/*
 * An object that carries the free key (slab.h): a double free if it is
 * free anywhere this thread can see (slab_object_free_where(): its sheaves,
 * the barn, the slab); otherwise the program wrote the key or never wrote
 * the object, and the free goes on.
 */
static __cold void malloc_free_key_check(const struct page *page, unsigned int type, const void *p,
					 const char *who, unsigned long caller)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;
	unsigned int idx = page_slab_cpu_index(type);
	struct slub_percpu_sheaves *pcs;
	const char *where;
	void **q;

	if ((uintptr_t)cpu > (uintptr_t)PCPU_DEAD) {
		pcs = &cpu->pcs[idx];
		for (q = pcs->top; pcs->bottom && q != pcs->bottom; q--)
			if (q[-1] == p)
				slab_double_free_sheaf(who, page->slab_cache, p,
						       (unsigned int)(pcs->top - q), caller);
	}
	where = slab_object_free_where(page->slab_cache, idx, p);
	if (unlikely(where))
		slab_double_free_at(who, page->slab_cache, p, where, caller);
}

void kalloc_free_by(void *p, const char *who, unsigned long caller)
{
	unsigned long off = (unsigned long)p - page_offset_base;

	if (!caller)	/* reached by free()'s tail call (util.h) */
		caller = _RET_IP_;

	if (likely(off < (max_pfn << PAGE_SHIFT))) {
		struct page *page = vmemmap_base + (off >> PAGE_SHIFT);
		unsigned int type = page->page_type;

		if (likely((type & PGTY_slab_mask) == PGTY_slab)) {
			if (unlikely(!slab_page_object_start(page, type, p)))
				slab_invalid_free_by(who, page->slab_cache, p, caller);
			if (unlikely(kasan_metadata_load(p) == malloc_free_key))
				malloc_free_key_check(page, type, p, who, caller);
			/* as slab_free_fast() does: a second free() from anywhere finds it */
			if (likely(!(page->slab_cache->flags & (SLAB_DEBUG_FLAGS | __SLAB_NO_SHEAVES))))
				kasan_metadata_store(p, malloc_free_key);
			__slab_free_push(page->slab_cache, page_slab_cpu_index(type), p, caller);
			return;
		}
		if (PageLarge(page) && IS_ALIGNED(off, PAGE_SIZE)) {
			free_page_block(page);
			vmscan_tick_count(VMSCAN_BLOCK_WEIGHT);
			return;
		}
		invalid_free(who, p, caller);
	}
	if (!p)
		return;
	if (is_vmalloc_addr(p)) {
		unsigned long size;

		if (unlikely(is_kfence_address(p))) {
			kfence_free(p, caller);
			return;
		}
		size = vmalloc_size(p);

		if (!area_cache_put(p, size, who, caller)) {
			if (!size)
				invalid_free(who, p, caller);
			vfree(p);
		}
		vmscan_tick();
		return;
	}
	kalloc_count_foreign(who, p);
}

void kalloc_free(void *p)
{
	kalloc_free_by(p, "free()", _RET_IP_);
}

size_t kalloc_usable_size(const void *p)
{
	unsigned long off = (unsigned long)p - page_offset_base;

	if (off < (max_pfn << PAGE_SHIFT)) {
		struct page *page = vmemmap_base + (off >> PAGE_SHIFT);
		struct kmem_cache *s = page_slab_cache(page);

		if (s) {
			if (!check_valid_pointer(s, p))
				return 0;
			skip_orig_size_check(s, (void *)p);
			kasan_unpoison_range(p, s->object_size);	/* the caller may use it all */
			return s->object_size;
		}
		if (PageLarge(page) && IS_ALIGNED(off, PAGE_SIZE))
			return page->index << PAGE_SHIFT;
		return 0;
	}
	if (is_vmalloc_addr(p)) {
		if (unlikely(is_kfence_address(p)))
			return kfence_ksize(p);
		area_cache_check_live("malloc_usable_size()", p, 0);
		return vmalloc_size(p);
	}
	return 0;
}

bool kalloc_owns(const void *p)
{
	unsigned long a = (unsigned long)p;

	if (!kalloc_initialized)
		return false;
	return a - page_offset_base < (max_pfn << PAGE_SHIFT) || is_vmalloc_addr(p);
}

/* Move to a new allocation: copy what the old one holds. */
static void *realloc_move(void *p, size_t old_usable, size_t size, unsigned long caller)
{
	void *q = kalloc_malloc_caller(size, caller);

	if (q) {
		kasan_unpoison_range(p, min(old_usable, size));	/* the old object's slack too */
		memcpy(q, p, min(old_usable, size));
		kalloc_free_by(p, "realloc()", caller);
	}
	return q;
}

void *kalloc_realloc(void *p, size_t size, unsigned long caller)
{
	unsigned long off = (unsigned long)p - page_offset_base;
	size_t usable;

	if (!p)
		return kalloc_malloc_caller(size, caller);
	if (off < (max_pfn << PAGE_SHIFT)) {
		struct page *page = vmemmap_base + (off >> PAGE_SHIFT);
		struct kmem_cache *s = page_slab_cache(page);

		if (s) {
			if (!check_valid_pointer(s, p))
				slab_invalid_free_by("realloc()", s, p, caller);
			/* Stay in the object while the request still maps to its class. */
			if (size <= KMALLOC_MAX_CACHE_SIZE && malloc_caches[malloc_index(size)] == s) {
				set_orig_size(s, p, size);
				kasan_kmalloc(s, p, size);
				return p;
			}
			return realloc_move(p, s->object_size, size, caller);
		}
		if (!PageLarge(page) || !IS_ALIGNED(off, PAGE_SIZE))
			invalid_free("realloc()", p, caller);
		usable = page->index << PAGE_SHIFT;
		if (size > KMALLOC_MAX_CACHE_SIZE && size <= usable) {
			unsigned long new_nr = DIV_ROUND_UP(size, PAGE_SIZE);

			if (new_nr < page->index)
				trim_page_block(page, new_nr);
			return p;
		}
		if (size > usable && size <= READ_ONCE(mmap_threshold) &&
		    grow_page_block(page, DIV_ROUND_UP(size, PAGE_SIZE)))
			return p;
		return realloc_move(p, usable, size, caller);
	}
	if (is_vmalloc_addr(p)) {
		if (unlikely(is_kfence_address(p))) {
			/* always moves: the object fills its place up to a guard or the canary */
			usable = kfence_ksize(p);
			if (!usable) {
				kfence_free(p, caller);
				errno = EINVAL;
				return NULL;	/* kfence.panic_on_warn=0: the report, then this */
			}
			return realloc_move(p, usable, size, caller);
		}
		area_cache_check_live("realloc()", p, caller);
		if (!vmalloc_size(p))
			invalid_free("realloc()", p, caller);
		/* Large stays in vmalloc and moves its mapping, never its bytes. */
		if (size > (MAX_ORDER_NR_PAGES << PAGE_SHIFT) / 2) {
			void *q = vrealloc(p, size, GFP_KALLOC_MALLOC);

			if (!q)
				errno = ENOMEM;
			return q;
		}
		return realloc_move(p, vmalloc_size(p), size, caller);
	}
	return NULL;	/* foreign: the caller copies what it can know */
}

unsigned long kalloc_trim(void)
{
	struct kmem_cache *s;

	kalloc_init_once();
	area_cache_purge(true);
	vmalloc_purge();
	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list)
		kmem_cache_shrink(s);
	spin_unlock(&slab_mutex);
	return page_reporting_flush();
}

/*
 * kalloc_malloc_stats(): bytes in use are the objects in use of the kmalloc
 * caches and of malloc's own (those in per-thread sheaves count, as
 * slabinfo counts them) times their size, plus malloc's page blocks, plus
 * the vmalloc areas.  No peak is kept: the fast paths count nothing.
 */
void kalloc_malloc_stats(struct kalloc_malloc_stats *st)
{
	struct vmalloc_stats vs;
	long ev[NR_MALLOC_EVENTS];
	struct kmem_cache *s;

	memset(st, 0, sizeof(*st));
	kalloc_init_once();
	sum_malloc_events(ev);
	st->nr_pages = ev[MALLOC_PAGE_BLOCKS];
	st->nr_vmalloc = ev[MALLOC_VMALLOC];
	st->foreign_frees = READ_ONCE(nr_foreign);
	st->page_block_pages = max(ev[MALLOC_PAGE_BLOCK_PAGES], 0L);
	st->area_cache_bytes = READ_ONCE(area_cache_bytes);
	vmalloc_stats(&vs);
	st->bytes_in_use = ((vs.nr_pages + max(ev[MALLOC_PAGE_BLOCK_PAGES], 0L)) << PAGE_SHIFT) -
			   min(READ_ONCE(area_cache_bytes), vs.nr_pages << PAGE_SHIFT) +
			   kfence_bytes_in_use();
	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		struct slabinfo si;

		if (!(s->flags & SLAB_KMALLOC) && !is_malloc_cache(s))
			continue;
		get_slabinfo(s, &si);
		st->bytes_in_use += si.active_objs * s->object_size;
	}
	spin_unlock(&slab_mutex);
}

/* ---------------------------------------------- the kernel's kvmalloc -- */

void *kvmalloc(size_t size, gfp_t flags)
{
	void *p;

	p = kmalloc(size, flags | (size > PAGE_SIZE ? __GFP_NOWARN | __GFP_NORETRY : 0));
	if (p || size <= PAGE_SIZE)
		return p;
	return __vmalloc_node_range(size, PAGE_SIZE, flags | __GFP_HIGHMEM, 0,
				    (unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(kvmalloc);

void *kvzalloc(size_t size, gfp_t flags)
{
	return kvmalloc(size, flags | __GFP_ZERO);
}
EXPORT_SYMBOL(kvzalloc);

void *kvcalloc(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	return kvzalloc(bytes, flags);
}
EXPORT_SYMBOL(kvcalloc);

void kvfree(const void *addr)
{
	if (is_vmalloc_addr(addr))
		vfree(addr);
	else
		kfree(addr);
}
EXPORT_SYMBOL(kvfree);

void *kvrealloc(const void *p, size_t size, gfp_t flags)
{
	size_t old;
	void *q;

	if (!p)
		return kvmalloc(size, flags);
	if (is_vmalloc_addr(p))
		return vrealloc(p, size, flags);
	old = ksize(p);
	if (old >= size)
		return (void *)p;
	q = kvmalloc(size, flags);
	if (q) {
		memcpy(q, p, old);
		kfree(p);
	}
	return q;
}
EXPORT_SYMBOL(kvrealloc);
