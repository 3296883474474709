/*
 * lib/slub.c - the slab allocator: kmem_cache and kmalloc (mm/slub.c,
 * mm/slab_common.c), with per-thread sheaves as the per-CPU layer (the
 * design Linux 6.18 introduced and 7.0 made the only one).
 *
 * Objects live in slabs: buddy blocks of 2^order pages, aligned to their
 * size, each page's struct page naming the cache (slab_cache), the head
 * page holding the slab's freelist and counters.  A free object on a
 * slab's freelist holds the hardened pointer to the next free object
 * (set_freepointer()); the objects of a new slab are on no freelist but
 * counted "fresh" and handed out in address order (allocate_slab()).
 *
 * In front of the slabs each thread keeps, per cache, two sheaves: arrays
 * of free object pointers.  The fast paths touch only the thread's main
 * sheaf:
 *
 *	alloc:	obj = main->objects[--main->size]
 *	free:	main->objects[main->size++] = obj
 *
 * with no lock and no atomic instruction; an object freed by another
 * thread than the one that allocated it simply goes into the freeing
 * thread's sheaf.  When the main sheaf is empty (alloc) or full (free) the
 * slow path swaps it with the spare, or exchanges it with the cache's barn
 * (a locked store of full and empty sheaves), or refills it from the
 * slabs / flushes it to the slabs under the node's list_lock.
 *
 * Caches with debugging (slub_debug, see slub_debug.c) have no sheaves:
 * every allocation and free runs the checks under list_lock.
 *
 * Locking, the global order:
 *	0. malloc_caches_lock	(util.c) held around the creation of a
 *				malloc-<size> cache
 *	1. slab_mutex		slab_caches, cache creation/destroy, cpu_index
 *	2. pcpu_lock		all_pcpus (destroy flushes every thread's
 *				sheaves of the cache; thread exit flushes its own)
 *	3. barn->lock		the barn's lists and counts
 *	4. node->list_lock	partial/full lists, every slab's freelist and
 *				counters, nr_slabs, total_objects, free_objects
 *	5. zone->lock		(page_alloc.c)
 *	A thread's sheaves are touched only by the thread, except by
 *	kmem_cache_destroy() (the caller guarantees nobody uses the cache)
 *	and by fork's child handler.  Slab pages are allocated and freed with
 *	no slab lock held.
 *
 * Sizes follow the kernel: kmalloc-8 ... kmalloc-8k with 96 and 192;
 * kmalloc() above KMALLOC_MAX_CACHE_SIZE takes a compound page
 * (kmalloc_large()).  A power-of-two kmalloc object is aligned to its size.
 * malloc's finer classes are caches of their own, made by util.c through
 * __kmem_cache_create_args() in sheaf slots reserved here at boot.
 */
#include "slab.h"
#include "options.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>


struct list_head slab_caches = LIST_HEAD_INIT(slab_caches);
spinlock_t slab_mutex = __SPIN_LOCK_UNLOCKED;

/* Options (options.c): slub_min_order=, slub_max_order=, slub_min_objects=, slab_nomerge */
unsigned int slub_min_order;
unsigned int slub_max_order = PAGE_ALLOC_COSTLY_ORDER;
unsigned int slub_min_objects;
bool slab_nomerge;

/* A thread's sheaves start out as this: size 0 and capacity 0 send both
 * fast paths to the slow path without a separate "set up?" test. */
static struct slab_sheaf empty_sheaf = { .size = 0, .capacity = 0 };

static struct kmem_cache boot_kmem_cache;	/* the cache of kmem_caches */
static struct kmem_cache boot_sheaf_cache;	/* the cache of sheaves */
static struct kmem_cache boot_kmalloc_caches[KMALLOC_SHIFT_HIGH + 1];
static struct kmem_cache boot_kmalloc_dma_caches[KMALLOC_SHIFT_HIGH + 1];
struct kmem_cache *kmalloc_caches[KMALLOC_SHIFT_HIGH + 1];
struct kmem_cache *kmalloc_dma_caches[KMALLOC_SHIFT_HIGH + 1];	/* dma-kmalloc-* */

static unsigned long cpu_index_map[SLUB_MAX_PCPU_CACHES / 64];

#define SHEAF_MAX_CAPACITY	64
#define SHEAF_ALLOC_SIZE	(sizeof(struct slab_sheaf) + SHEAF_MAX_CAPACITY * sizeof(void *))

/* ------------------------------------------------- free pointers -- */

static inline unsigned long swab_ptr(unsigned long x)
{
	return __builtin_bswap64(x);
}

/*
 * freelist_ptr_encode(): CONFIG_SLAB_FREELIST_HARDENED - the stored value
 * mixes the pointer with the cache's secret and the address it is stored
 * at, so that a leaked or overwritten value does not point anywhere useful.
 */
static inline unsigned long freelist_ptr_encode(const struct kmem_cache *s, void *ptr,
						unsigned long ptr_addr)
{
	return (unsigned long)ptr ^ s->random ^ swab_ptr(ptr_addr);
}

static inline void *freelist_ptr_decode(const struct kmem_cache *s, unsigned long val,
					unsigned long ptr_addr)
{
	return (void *)(val ^ s->random ^ swab_ptr(ptr_addr));
}

static inline void set_freepointer(struct kmem_cache *s, void *object, void *fp)
{
	unsigned long addr = (unsigned long)object + s->offset;

	kasan_metadata_store((void *)addr, freelist_ptr_encode(s, fp, addr));
}

static __cold __attribute__((noreturn)) void freepointer_corrupt(struct kmem_cache *s,
								 void *object, void *fp)
{
	slab_bug(s, "Freepointer corrupt");
	pr_err("Object %p: free pointer decodes to %p, not an object of the slab\n", object, fp);
	slab_abort();
}

static inline void *get_freepointer(struct kmem_cache *s, struct page *slab, void *object)
{
	unsigned long addr = (unsigned long)object + s->offset;
	void *fp = freelist_ptr_decode(s, kasan_metadata_load((void *)addr), addr);

	if (unlikely(fp && (virt_to_slab(s, fp) != slab || !check_valid_pointer(s, fp))))
		freepointer_corrupt(s, object, fp);
	return fp;
}

/* -------------------------------------------------- slab pages -- */

static inline int slab_migratetype_gfp(const struct kmem_cache *s)
{
	return (s->flags & SLAB_RECLAIM_ACCOUNT) ? __GFP_RECLAIMABLE : 0;
}

/*
 * Map a HIGHMEM frame at its own slot so a slab can live in it: kalloc's
 * one divergence from i386 (docs/architecture.md).  Slots are made
 * accessible a whole section at a time and stay so; that bounds the
 * number of host mappings by the number of sections.
 */
static spinlock_t slots_lock = __SPIN_LOCK_UNLOCKED;	/* SECTION_SLOTS_RW */

bool map_highmem_block(struct page *page, unsigned int order)
{
	unsigned long pfn = __page_to_pfn(page), i;
	struct mem_section *ms = __pfn_to_section(pfn);

	if (!(READ_ONCE(ms->section_mem_map) & SECTION_SLOTS_RW)) {
		unsigned long start = ALIGN_DOWN(pfn, PAGES_PER_SECTION);

		spin_lock(&slots_lock);
		if (!(ms->section_mem_map & SECTION_SLOTS_RW)) {
			if (phys_open_slots(start, PAGES_PER_SECTION)) {
				spin_unlock(&slots_lock);
				return false;
			}
			__atomic_or_fetch(&ms->section_mem_map, SECTION_SLOTS_RW, __ATOMIC_RELEASE);
		}
		spin_unlock(&slots_lock);
	}
	for (i = 0; i < (1UL << order); i++) {
		SetPageHighMapped(page + i);
		page[i].virtual = pfn_to_slot(pfn + i);
	}
	return true;
}

/*
 * The pages in slabs, every cache's, and the most there were at once (the
 * summary report): counted when a slab is made or freed, a slow path.
 */
static unsigned long nr_slab_pages, nr_slab_pages_peak;

/*
 * The bytes of objects out of their slabs (in use, or in a sheaf), every
 * cache's, by object size, and the most there were (the summary report):
 * counted where objects leave and rejoin their slabs' freelists under
 * list_lock, a sheaf at a time, never on the fast paths.
 */
static unsigned long slab_bytes_out, slab_bytes_out_peak;

static void account_objects_out(const struct kmem_cache *s, long nr)
{
	unsigned long now = __atomic_add_fetch(&slab_bytes_out, (unsigned long)(nr * (long)s->object_size),
					       __ATOMIC_RELAXED);

	if (nr > 0)
		peak_update(&slab_bytes_out_peak, now);
}

void slab_bytes_out_read(unsigned long *now, unsigned long *peak)
{
	*now = __atomic_load_n(&slab_bytes_out, __ATOMIC_RELAXED);
	*peak = __atomic_load_n(&slab_bytes_out_peak, __ATOMIC_RELAXED);
}

static void account_slab_pages(long nr)
{
	unsigned long now = __atomic_add_fetch(&nr_slab_pages, (unsigned long)nr, __ATOMIC_RELAXED);

	if (nr > 0)
		peak_update(&nr_slab_pages_peak, now);
}

void slab_pages_read(unsigned long *now, unsigned long *peak)
{
	*now = __atomic_load_n(&nr_slab_pages, __ATOMIC_RELAXED);
	*peak = __atomic_load_n(&nr_slab_pages_peak, __ATOMIC_RELAXED);
}

/*
 * allocate_slab(): 2^order pages from lowmem; a cache whose caller allows
 * __GFP_HIGHMEM (malloc does) falls back to HIGHMEM when lowmem is out.
 * Then build the freelist and run the constructor on every object, as
 * SLUB does when a slab is created.  No slab lock is held.
 */
static struct page *allocate_slab(struct kmem_cache *s, gfp_t flags)
{
	gfp_t gfp = (s->allocflags | (flags & (__GFP_HIGH | __GFP_NOFAIL | __GFP_MEMALLOC))) |
		    __GFP_COMP | slab_migratetype_gfp(s);
	struct page *slab, *page;
	unsigned long i, nr = 1UL << s->order;
	void *start, *p, *next;

	slab = alloc_pages((gfp & ~__GFP_HIGHMEM) | __GFP_NOWARN, s->order);
	if (!slab && (flags & __GFP_HIGHMEM) && !(s->flags & SLAB_CACHE_DMA)) {
		slab = alloc_pages(gfp | __GFP_HIGHMEM | __GFP_NOWARN, s->order);
		if (slab && PageHighMem(slab) && !map_highmem_block(slab, s->order)) {
			__free_pages(slab, s->order);
			slab = NULL;
		}
	}
	if (!slab) {
		if (!(flags & __GFP_NOWARN))
			pr_warn("SLUB: Unable to allocate memory for %s: order %u, gfp %#x\n",
				s->name, s->order, flags);
		return NULL;
	}
	account_slab_pages(nr);
	for (i = 0, page = slab; i < nr; i++, page++) {
		page->slab_cache = s;
		WRITE_ONCE(page->page_type, slab_page_type(s));	/* PageBuddy() (mm.h) */
	}
	SetPageSlab(slab);
	INIT_LIST_HEAD(&slab->slab_list);

	start = slab_address(slab);
	if (likely(!(s->flags & SLAB_DEBUG_FLAGS) && !s->ctor)) {
		/*
		 * SLUB threads the freelist through every object here, which
		 * writes every page of the slab.  Without debugging or a
		 * constructor nothing needs that: the objects are handed out
		 * in address order from the "fresh" count (as mimalloc extends
		 * a page's free list), and a page of the slab costs memory
		 * only once an object in it is used.
		 */
		slab->freelist = NULL;
		slab_set_counters(slab, 0, s->objects, s->objects);
		kasan_poison_slab(s, start, s->order);
		return slab;
	}
	if (unlikely(s->flags & SLAB_DEBUG_FLAGS))
		setup_slab_debug(s, slab, start);
	p = (char *)start + s->red_left_pad;
	for (i = 0; i < s->objects; i++, p = next) {
		next = (char *)p + s->size;
		if (unlikely(s->flags & SLAB_DEBUG_FLAGS)) {
			init_object(s, p, SLUB_RED_INACTIVE);
			init_tracking(s, p);
		}
		if (s->ctor)
			s->ctor(p);
		set_freepointer(s, p, i + 1 < s->objects ? next : NULL);
	}
	slab->freelist = (char *)start + s->red_left_pad;
	slab_set_counters(slab, 0, s->objects, 0);
	kasan_poison_slab(s, start, s->order);
	return slab;
}

/* __free_slab(): the pages back to the buddy.  No slab lock held. */
static void free_slab(struct kmem_cache *s, struct page *slab)
{
	unsigned long i, nr = 1UL << s->order;

	if (unlikely(s->flags & SLAB_POISON))
		slab_pad_check(s, slab);
	for (i = 0; i < nr; i++) {
		slab[i].slab_cache = NULL;
		WRITE_ONCE(slab[i].page_type, 0);	/* PageBuddy() (mm.h) */
		if (PageHighMapped(&slab[i])) {
			ClearPageHighMapped(&slab[i]);
			slab[i].virtual = NULL;
		}
	}
	ClearPageSlab(slab);
	slab->freelist = NULL;
	slab->counters = 0;
	account_slab_pages(-(long)nr);
	__free_pages(slab, s->order);
}

/* --------------------------------------------------- node lists -- */

static inline void add_partial(struct kmem_cache_node *n, struct page *slab)
{
	n->nr_partial++;
	list_add(&slab->slab_list, &n->partial);
}

static inline void remove_partial(struct kmem_cache_node *n, struct page *slab)
{
	list_del(&slab->slab_list);
	n->nr_partial--;
}

static inline bool slab_tracks_full(const struct kmem_cache *s)
{
	return s->flags & (SLAB_STORE_USER | SLAB_CONSISTENCY_CHECKS);
}

/*
 * Take up to @max objects off @slab's freelist into @objects (one object
 * when the cache debugs, so that each is checked as it goes); the
 * counters are updated once for all of them.  Caller holds list_lock.
 */
static inline unsigned int __slab_take_objects(struct kmem_cache *s, struct kmem_cache_node *n,
					       struct page *slab, void **objects, unsigned int max)
{
	void *object = slab->freelist;
	unsigned int k = 0, fresh = slab_fresh(slab);

	while (k < max && object) {
		objects[k++] = object;
		object = get_freepointer(s, slab, object);
	}
	slab->freelist = object;
	if (k < max && fresh) {
		/*
		 * Then the never used objects, stored downwards: a sheaf pops
		 * from its end, so they are handed out in address order.
		 */
		unsigned int t = min(max - k, fresh), j;
		char *p = (char *)slab_address(slab) + s->red_left_pad +
			  (unsigned long)(slab_objects(slab) - fresh) * s->size;

		for (j = 0; j < t; j++, p += s->size)
			objects[k + t - 1 - j] = p;
		k += t;
		fresh -= t;
	}
	slab_set_counters(slab, slab_inuse(slab) + k, slab_objects(slab), fresh);
	WRITE_ONCE(n->free_objects, n->free_objects - k);
	account_objects_out(s, k);
	if (!object && !fresh) {
		remove_partial(n, slab);
		if (slab_tracks_full(s))
			list_add(&slab->slab_list, &n->full);
		else
			INIT_LIST_HEAD(&slab->slab_list);
	}
	return k;
}

/*
 * Put @cnt objects of one slab back: objects[0..cnt) are chained in that
 * order in front of the slab's freelist, the counters updated once.
 * Returns the slab if it became empty and should be discarded (the caller
 * frees it after dropping list_lock).  Caller holds list_lock.
 */
static inline struct page *__slab_put_objects(struct kmem_cache *s, struct kmem_cache_node *n,
					      struct page *slab, void **objects, unsigned int cnt)
{
	bool was_full = !slab->freelist && !slab_fresh(slab);
	unsigned int inuse = slab_inuse(slab) - cnt;
	unsigned int i;

	for (i = 0; i + 1 < cnt; i++)
		set_freepointer(s, objects[i], objects[i + 1]);
	set_freepointer(s, objects[cnt - 1], slab->freelist);
	slab->freelist = objects[0];
	slab_set_counters(slab, inuse, slab_objects(slab), slab_fresh(slab));
	WRITE_ONCE(n->free_objects, n->free_objects + cnt);
	account_objects_out(s, -(long)cnt);
	if (was_full) {
		if (slab_tracks_full(s))
			list_del(&slab->slab_list);
		add_partial(n, slab);
	}
	if (inuse == 0 && n->nr_partial > s->min_partial) {
		remove_partial(n, slab);
		n->nr_slabs--;
		n->total_objects -= slab_objects(slab);
		WRITE_ONCE(n->free_objects, n->free_objects - slab_objects(slab));
		return slab;
	}
	return NULL;
}

/* Account a new slab and put it on the partial list.  Caller holds list_lock. */
static inline void __add_new_slab(struct kmem_cache_node *n, struct page *slab)
{
	n->nr_slabs++;
	n->total_objects += slab_objects(slab);
	WRITE_ONCE(n->free_objects, n->free_objects + slab_objects(slab));
	add_partial(n, slab);
}

/*
 * __refill_objects(): up to @max objects from the partial slabs into
 * @objects, allocating new slabs as needed (without the lock held).
 * Returns how many were taken (0 only if no memory could be had).
 */
static unsigned int __refill_objects(struct kmem_cache *s, void **objects, unsigned int min_n,
				     unsigned int max_n, gfp_t gfp, unsigned long addr)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int taken = 0;

	spin_lock(&n->list_lock);
	WRITE_ONCE(n->last_busy, READ_ONCE(decay_clock));
	while (taken < max_n) {
		struct page *slab;

		if (list_empty(&n->partial)) {
			if (taken >= min_n)
				break;
			spin_unlock(&n->list_lock);
			slab = allocate_slab(s, gfp);
			spin_lock(&n->list_lock);
			if (!slab)
				break;
			__add_new_slab(n, slab);
		}
		slab = list_first_entry(&n->partial, struct page, slab_list);
		if (likely(!(s->flags & SLAB_DEBUG_FLAGS))) {
			taken += __slab_take_objects(s, n, slab, objects + taken, max_n - taken);
			continue;
		}
		while (taken < max_n && slab->freelist) {
			__slab_take_objects(s, n, slab, objects + taken, 1);
			if (!alloc_debug_processing(s, slab, objects[taken], addr))
				continue;	/* reported; the object is leaked */
			taken++;
		}
	}
	spin_unlock(&n->list_lock);
	return taken;
}

/* Give @nr objects back to their slabs; free the slabs that empty. */
static void __free_objects_to_slabs(struct kmem_cache *s, void **objects, unsigned int nr,
				    unsigned long addr)
{
	struct kmem_cache_node *n = &s->node;
	struct page *discard[16];
	unsigned int i = 0, nd;

	while (i < nr) {
		nd = 0;
		spin_lock(&n->list_lock);
		WRITE_ONCE(n->last_busy, READ_ONCE(decay_clock));
		while (i < nr && nd < ARRAY_SIZE(discard)) {
			struct page *slab = virt_to_slab(s, objects[i]);
			struct page *empty;
			unsigned int cnt = 1;

			if (unlikely(s->flags & SLAB_DEBUG_FLAGS)) {
				if (!free_debug_processing(s, slab, objects[i], addr)) {
					i++;
					continue;
				}
			} else {
				/* a run of objects of the same slab goes back at once */
				while (i + cnt < nr && virt_to_slab(s, objects[i + cnt]) == slab)
					cnt++;
			}
			empty = __slab_put_objects(s, n, slab, objects + i, cnt);
			i += cnt;
			if (empty)
				discard[nd++] = empty;
		}
		spin_unlock(&n->list_lock);
		while (nd)
			free_slab(s, discard[--nd]);
	}
}

/* --------------------------------------------------------- sheaves -- */

/*
 * The capacity of a new sheaf.  The kernel keeps one set of sheaves per
 * CPU; kalloc keeps one per thread, so T threads on N CPUs hold T/N times
 * what the kernel would, most of it freed objects that the other threads
 * cannot reach until the thread exits.  Above SHEAF_SHARE_FREE threads per
 * CPU (pcp_share, by which pcp high is divided too) new sheaves shrink in
 * proportion, down to 2 objects: 64 short-lived threads on 2 CPUs hold
 * 1/8 of the objects they would (threadgen's peak RSS 23 -> 18 MiB), and a
 * program with up to 4 threads per CPU keeps its sheaves whole (halving
 * them doubled prodcons' time: its consumers trade sheaves through the
 * barn).  Sheaves already made keep their size until they are freed.
 */
#define SHEAF_SHARE_FREE	4U

static unsigned int sheaf_capacity_shared(const struct kmem_cache *s)
{
	unsigned int share = max(READ_ONCE(pcp_share), SHEAF_SHARE_FREE);

	return max(s->sheaf_capacity * SHEAF_SHARE_FREE / share, min(s->sheaf_capacity, 2U));
}

static struct slab_sheaf *alloc_empty_sheaf(struct kmem_cache *s)
{
	struct node_barn *barn = &s->barn;
	struct slab_sheaf *sheaf = NULL;

	/* An empty sheaf of the barn first. */
	if (READ_ONCE(barn->nr_empty)) {
		spin_lock(&barn->lock);
		if (barn->nr_empty) {
			sheaf = list_first_entry(&barn->sheaves_empty, struct slab_sheaf, barn_list);
			list_del(&sheaf->barn_list);
			WRITE_ONCE(barn->nr_empty, barn->nr_empty - 1);
		}
		spin_unlock(&barn->lock);
		if (sheaf)
			return sheaf;
	}

	if (__refill_objects(&boot_sheaf_cache, (void **)&sheaf, 1, 1, GFP_KERNEL | __GFP_NOWARN,
			     0) != 1)
		return NULL;
	kasan_slab_alloc(&boot_sheaf_cache, sheaf);
	sheaf->size = 0;
	sheaf->capacity = sheaf_capacity_shared(s);
	INIT_LIST_HEAD(&sheaf->barn_list);
	return sheaf;
}

static void free_empty_sheaf(struct slab_sheaf *sheaf)
{
	void *p = sheaf;

	kasan_slab_free(&boot_sheaf_cache, p);
	__free_objects_to_slabs(&boot_sheaf_cache, &p, 1, 0);
}

/* sheaf_flush(): every object of the sheaf back to the slabs */
static void sheaf_flush(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	__free_objects_to_slabs(s, sheaf->objects, sheaf->size, 0);
	sheaf->size = 0;
}

/* barn_replace_empty_sheaf(): a full sheaf for an empty one, or NULL */
static struct slab_sheaf *barn_replace_empty_sheaf(struct kmem_cache *s,
						   struct slab_sheaf *empty)
{
	struct node_barn *barn = &s->barn;
	struct slab_sheaf *full = NULL;

	if (!READ_ONCE(barn->nr_full))
		return NULL;
	spin_lock(&barn->lock);
	WRITE_ONCE(barn->last_busy, READ_ONCE(decay_clock));
	if (barn->nr_full) {
		full = list_first_entry(&barn->sheaves_full, struct slab_sheaf, barn_list);
		list_del(&full->barn_list);
		WRITE_ONCE(barn->nr_full, barn->nr_full - 1);
		if (empty && barn->nr_empty < s->max_full_sheaves) {
			list_add(&empty->barn_list, &barn->sheaves_empty);
			WRITE_ONCE(barn->nr_empty, barn->nr_empty + 1);
			empty = NULL;
		}
	}
	spin_unlock(&barn->lock);
	if (full && empty)
		free_empty_sheaf(empty);	/* the barn has empties enough */
	return full;
}

/*
 * barn_replace_full_sheaf(): park a full sheaf and get an empty one
 * (taken from the barn or newly allocated); NULL if the barn holds enough
 * full sheaves already, and the caller flushes to the slabs instead.
 */
static struct slab_sheaf *barn_replace_full_sheaf(struct kmem_cache *s, struct slab_sheaf *full)
{
	struct node_barn *barn = &s->barn;
	struct slab_sheaf *empty = NULL;

	spin_lock(&barn->lock);
	WRITE_ONCE(barn->last_busy, READ_ONCE(decay_clock));
	if (barn->nr_full >= s->max_full_sheaves) {
		spin_unlock(&barn->lock);
		return NULL;
	}
	if (barn->nr_empty) {
		empty = list_first_entry(&barn->sheaves_empty, struct slab_sheaf, barn_list);
		list_del(&empty->barn_list);
		WRITE_ONCE(barn->nr_empty, barn->nr_empty - 1);
	}
	list_add(&full->barn_list, &barn->sheaves_full);
	WRITE_ONCE(barn->nr_full, barn->nr_full + 1);
	spin_unlock(&barn->lock);
	if (!empty) {
		empty = alloc_empty_sheaf(s);
		if (!empty) {
			/* Take the full one back and let the caller flush it. */
			spin_lock(&barn->lock);
			list_del(&full->barn_list);
			WRITE_ONCE(barn->nr_full, barn->nr_full - 1);
			spin_unlock(&barn->lock);
		}
	}
	return empty;
}

/* Park a sheaf for good (thread exit, shrink): barn if it fits, else slabs. */
static void barn_put_or_flush(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	struct node_barn *barn = &s->barn;

	if (sheaf == &empty_sheaf || !sheaf)
		return;
	spin_lock(&barn->lock);
	if (sheaf->size == sheaf->capacity && barn->nr_full < s->max_full_sheaves) {
		list_add(&sheaf->barn_list, &barn->sheaves_full);
		WRITE_ONCE(barn->nr_full, barn->nr_full + 1);
		sheaf = NULL;
	} else if (sheaf->size == 0 && barn->nr_empty < s->max_full_sheaves) {
		list_add(&sheaf->barn_list, &barn->sheaves_empty);
		WRITE_ONCE(barn->nr_empty, barn->nr_empty + 1);
		sheaf = NULL;
	}
	spin_unlock(&barn->lock);
	if (sheaf) {
		sheaf_flush(s, sheaf);
		free_empty_sheaf(sheaf);
	}
}

/* Flush every sheaf of the barn to the slabs and free the sheaves. */
static void barn_shrink(struct kmem_cache *s)
{
	struct node_barn *barn = &s->barn;
	struct list_head full, empty;
	struct slab_sheaf *sheaf, *tmp;

	INIT_LIST_HEAD(&full);
	INIT_LIST_HEAD(&empty);
	spin_lock(&barn->lock);
	list_for_each_entry_safe(sheaf, tmp, &barn->sheaves_full, barn_list)
		list_move(&sheaf->barn_list, &full);
	list_for_each_entry_safe(sheaf, tmp, &barn->sheaves_empty, barn_list)
		list_move(&sheaf->barn_list, &empty);
	WRITE_ONCE(barn->nr_full, 0);
	WRITE_ONCE(barn->nr_empty, 0);
	spin_unlock(&barn->lock);
	list_for_each_entry_safe(sheaf, tmp, &full, barn_list) {
		sheaf_flush(s, sheaf);
		free_empty_sheaf(sheaf);
	}
	list_for_each_entry_safe(sheaf, tmp, &empty, barn_list)
		free_empty_sheaf(sheaf);
}

/* One thread's sheaves of @s back (barn or slabs); they become empty_sheaf. */
static inline void pcs_sync(struct slub_percpu_sheaves *pcs);
static inline void pcs_load(struct slub_percpu_sheaves *pcs);

static void pcs_flush(struct kmem_cache *s, struct kalloc_pcpu *cpu)
{
	struct slub_percpu_sheaves *pcs = &cpu->pcs[s->cpu_index];

	pcs_sync(pcs);
	barn_put_or_flush(s, pcs->main);
	barn_put_or_flush(s, cpu->pcs_spare[s->cpu_index]);
	pcs->main = &empty_sheaf;
	cpu->pcs_spare[s->cpu_index] = NULL;
	cpu->pcs_refills[s->cpu_index] = 0;	/* the slow start begins again */
	pcs_load(pcs);
}

/* ------------------------------------------------------ slow paths -- */

/* Allocate one object straight from the slabs (no sheaves). */
static void *__slab_alloc_single(struct kmem_cache *s, gfp_t gfp, unsigned long addr)
{
	void *object;

	if (__refill_objects(s, &object, 1, 1, gfp, addr) != 1)
		return NULL;
	return object;
}

/*
 * How many objects a refill takes: the slow start of percpu.h, in whole
 * cache lines of objects smaller than one.  The kernel's CPUs each took
 * a slab of their own (the per-CPU slab before sheaves); refills of a few
 * small objects would give two threads objects in one line, and their
 * writes would fight over it.
 */

#define SHEAF_LINE_BYTES	64

static inline unsigned int sheaf_refill_count(struct kmem_cache *s, struct slab_sheaf *main)
{
	unsigned char *refills = &kalloc_pcpu_area->pcs_refills[s->cpu_index];
	unsigned int n = max(main->capacity >> (PCP_SLOW_START - *refills), 1U);

	if (s->size < SHEAF_LINE_BYTES)
		n = min(ALIGN(n, SHEAF_LINE_BYTES / s->size), main->capacity);

	if (*refills < PCP_SLOW_START)
		(*refills)++;
	return n;
}

/*
 * The main sheaf is empty: swap with the spare, trade with the barn, or
 * refill from the slabs (__pcs_replace_empty_main()).
 */
static void *___slab_alloc_slow(struct kmem_cache *s, struct slub_percpu_sheaves *pcs,
				struct slab_sheaf **spare, gfp_t gfp, unsigned long addr)
{
	struct slab_sheaf *main, *full;

	main = pcs->main;
	if (main->size)		/* this_cpu() just set the thread up */
		return main->objects[--main->size];

	if (*spare && (*spare)->size) {
		pcs->main = *spare;
		*spare = main == &empty_sheaf ? NULL : main;
		main = pcs->main;
		return main->objects[--main->size];
	}
	if (main == &empty_sheaf) {
		main = *spare;
		if (!main) {
			main = alloc_empty_sheaf(s);
			if (!main)
				return __slab_alloc_single(s, gfp, addr);
		}
		*spare = NULL;
		pcs->main = main;
	}
	full = barn_replace_empty_sheaf(s, *spare ? NULL : main);
	if (full) {
		if (*spare)	/* the spare is empty too: one empty is enough */
			free_empty_sheaf(main);
		pcs->main = main = full;
		return main->objects[--main->size];
	}
	main->size = __refill_objects(s, main->objects, 1, sheaf_refill_count(s, main), gfp, addr);
	if (!main->size)
		return NULL;
	return main->objects[--main->size];
}

/* The fast paths' window onto the main sheaf: in (pcs_load) and out (pcs_sync). */
static inline void pcs_sync(struct slub_percpu_sheaves *pcs)
{
	if (pcs->main != &empty_sheaf)
		pcs->main->size = pcs->top - pcs->bottom;
}

static inline void pcs_load(struct slub_percpu_sheaves *pcs)
{
	struct slab_sheaf *main = pcs->main;

	pcs->bottom = main->objects;
	pcs->top = main->objects + main->size;
	pcs->end = main->objects + main->capacity;
}

__noinline void *__slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, unsigned long addr)
{
	struct kalloc_pcpu *cpu;
	struct slub_percpu_sheaves *pcs;
	void *object;

	kalloc_init_once();
	cpu = this_cpu();
	if (!cpu || s->cpu_index >= SLUB_MAX_PCPU_CACHES)
		return __slab_alloc_single(s, gfp, addr);
	pcs = &cpu->pcs[s->cpu_index];
	pcs_sync(pcs);
	object = ___slab_alloc_slow(s, pcs, &cpu->pcs_spare[s->cpu_index], gfp, addr);
	pcs_load(pcs);
	vmscan_tick();
	return object;
}

/*
 * The main sheaf is full: swap with the spare, trade with the barn, or
 * flush to the slabs (__pcs_replace_full_main()).
 */
static void ___slab_free_slow(struct kmem_cache *s, struct slub_percpu_sheaves *pcs,
			      struct slab_sheaf **spare, void *x, unsigned long addr)
{
	struct slab_sheaf *main, *empty;

	main = pcs->main;
	if (unlikely(main->size && main->objects[main->size - 1] == x))
		slab_double_free(s, x);
	if (main->size < main->capacity)	/* this_cpu() just set the thread up */
		goto push;
	if (main == &empty_sheaf) {
		/*
		 * The thread's first free into this cache (or its first since
		 * its sheaves went back idle): the object was most likely
		 * allocated by another thread, and at the top of a new sheaf
		 * it would be this thread's next allocation, in a cache line
		 * the other thread may still write.  It goes back to its slab,
		 * as mimalloc returns an object to its page's owner; the frees
		 * after it fill the new sheaf.
		 */
		main = alloc_empty_sheaf(s);
		if (main)
			pcs->main = main;
		__free_objects_to_slabs(s, &x, 1, addr);
		return;
	}
	if (*spare && (*spare)->size < (*spare)->capacity) {
		pcs->main = *spare;
		*spare = main;
		main = pcs->main;
		goto push;
	}
	if (!*spare) {
		empty = alloc_empty_sheaf(s);
		if (empty) {
			*spare = main;
			pcs->main = main = empty;
			goto push;
		}
	}
	empty = barn_replace_full_sheaf(s, main);
	if (empty) {
		pcs->main = main = empty;
	} else {
		sheaf_flush(s, main);
	}
push:
	main->objects[main->size++] = x;
}

__noinline void __slab_free_slow(struct kmem_cache *s, void *x, unsigned long addr)
{
	struct kalloc_pcpu *cpu = this_cpu();
	struct slub_percpu_sheaves *pcs;

	if (!cpu || s->cpu_index >= SLUB_MAX_PCPU_CACHES) {
		__free_objects_to_slabs(s, &x, 1, addr);
		return;
	}
	pcs = &cpu->pcs[s->cpu_index];
	pcs_sync(pcs);
	___slab_free_slow(s, pcs, &cpu->pcs_spare[s->cpu_index], x, addr);
	pcs_load(pcs);
	vmscan_tick();
}

/* ------------------------------------------------------ fast paths -- */

/* The fast paths themselves are inline in slab.h (slab_alloc(), slab_free()). */

void slab_invalid_free_by(const char *who, struct kmem_cache *s, const void *x, unsigned long caller)
{
	char from[280];

	panic("%s: invalid pointer %p (%s, objects of %u bytes)%s: not the start of an object", who, x,
	      s->name, s->object_size, sprint_caller(from, sizeof(from), caller));
}

void slab_invalid_free(struct kmem_cache *s, const void *x)
{
	slab_invalid_free_by("kfree", s, x, 0);
}

/* Is @x among the @n objects of @objs? */
static bool objects_hold(void *const *objs, unsigned int n, const void *x)
{
	while (n)
		if (objs[--n] == x)
			return true;
	return false;
}

/*
 * slab_object_free_where(): where the object @x of @s is free, or NULL if
 * it is not: this thread's main sheaf (cpu_index @idx) or spare sheaf, a
 * full sheaf of the barn, its slab's freelist, or the slab's fresh objects
 * (never handed out).  The free key's confirmation (util.c): only an
 * object that carries the key comes here, so the walks cost nothing on a
 * program's normal frees.  Another thread's sheaves are not looked at:
 * they belong to that thread (a cross-thread double free goes unseen, as
 * under glibc's tcache).
 */
const char *slab_object_free_where(struct kmem_cache *s, unsigned int idx, const void *x)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;
	struct page *slab = virt_to_slab(s, x);
	struct slab_sheaf *sheaf;
	const char *where = NULL;
	void *fp;
	unsigned int n;

	if ((uintptr_t)cpu > (uintptr_t)PCPU_DEAD && idx < SLUB_MAX_PCPU_CACHES) {
		struct slub_percpu_sheaves *pcs = &cpu->pcs[idx];

		if (pcs->bottom && objects_hold(pcs->bottom, (unsigned int)(pcs->top - pcs->bottom), x))
			return "this thread's sheaf";
		sheaf = cpu->pcs_spare[idx];
		if (sheaf && objects_hold(sheaf->objects, sheaf->size, x))
			return "this thread's spare sheaf";
	}
	spin_lock(&s->barn.lock);
	list_for_each_entry(sheaf, &s->barn.sheaves_full, barn_list)
		if (objects_hold(sheaf->objects, sheaf->size, x)) {
			where = "a sheaf of the cache's barn";
			break;
		}
	spin_unlock(&s->barn.lock);
	if (where)
		return where;
	spin_lock(&s->node.list_lock);
	n = slab_objects(slab);
	if ((unsigned long)((const char *)x - (const char *)slab_address(slab)) >=
	    (unsigned long)(n - slab_fresh(slab)) * s->size)
		where = "its slab, never handed out";
	for (fp = slab->freelist; fp && !where && n--; fp = get_freepointer(s, slab, fp))
		if (fp == x)
			where = "its slab's freelist";
	spin_unlock(&s->node.list_lock);
	return where;
}

void slab_double_free_sheaf(const char *who, struct kmem_cache *s, const void *x, unsigned int ago,
			    unsigned long caller)
{
	char from[280];

	slab_bug(s, "Object already free");
	pr_err("Object %p freed twice (double free): %s%s found it in this thread's sheaf, "
	       "%u object(s) freed after it\n", x, who, sprint_caller(from, sizeof(from), caller), ago);
	slab_abort();
}

void slab_double_free_at(const char *who, struct kmem_cache *s, const void *x, const char *where,
			 unsigned long caller)
{
	char from[280];

	slab_bug(s, "Object already free");
	pr_err("Object %p freed twice (double free): %s%s found it free in %s\n", x, who,
	       sprint_caller(from, sizeof(from), caller), where);
	slab_abort();
}

void slab_double_free(struct kmem_cache *s, const void *x)
{
	slab_bug(s, "Object already free");
	pr_err("Object %p freed twice in a row (double free)\n", x);
	slab_abort();
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc(s, gfp, (unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(kmem_cache_alloc);

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return slab_alloc(s, gfp | __GFP_ZERO, (unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(kmem_cache_zalloc);

void kmem_cache_free(struct kmem_cache *s, void *x)
{
	unsigned long off = (unsigned long)x - page_offset_base;
	struct page *page;

	/*
	 * Fast path: the page is a slab page of this very cache (its
	 * page_type names the cache's sheaf slot, which no other cache with
	 * sheaves shares).
	 */
	if (likely(off < kalloc_phys_size)) {
		unsigned int type;

		page = vmemmap_base + (off >> PAGE_SHIFT);
		type = page->page_type;
		if (likely((type & PGTY_slab_mask) == PGTY_slab &&
			   page_slab_cpu_index(type) == s->cpu_index &&
			   s->cpu_index < SLUB_MAX_PCPU_CACHES)) {
			slab_free(s, x, (unsigned long)__builtin_return_address(0));
			return;
		}
	}
	if (unlikely(!x))
		return;
	if (unlikely(!virt_addr_valid(x)))
		panic("kmem_cache_free: invalid pointer %p (%s)", x, s->name);
	page = __virt_to_page(x);
	if (unlikely(page_slab_cache(page) != s)) {
		slab_bug(s, "Wrong slab cache");
		pr_err("kmem_cache_free: %p belongs to %s, not %s\n", x,
		       page_slab_cache(page) ? page_slab_cache(page)->name : "no cache", s->name);
		slab_abort();
	}
	slab_free(s, x, (unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(kmem_cache_free);

/* kfree() of an object whose page says it is a slab page */
void kfree_slab_object(struct kmem_cache *s, struct page *page, void *x)
{
	(void)page;
	slab_free(s, x, (unsigned long)__builtin_return_address(0));
}

/* --------------------------------------------------------- kmalloc -- */

/* size_index[]: the cache index of sizes 0 to 192, by (size + 7) / 8 */
const unsigned char size_index[25] = {
	3,				/* 0: kmalloc-8 */
	3, 4, 5, 5, 6, 6, 6, 6,		/* 8 16 24 32 40 48 56 64 */
	1, 1, 1, 1, 7, 7, 7, 7,		/* 72 .. 96 (kmalloc-96), 104 .. 128 */
	2, 2, 2, 2, 2, 2, 2, 2		/* 136 .. 192 (kmalloc-192) */
};

struct kmem_cache *kmalloc_slab(size_t size)
{
	return kmalloc_caches[kmalloc_index(size)];
}

static const unsigned int kmalloc_sizes[KMALLOC_SHIFT_HIGH + 1] = {
	0, 96, 192, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192
};

/* kmalloc_large(): a compound page of the order that fits */
static void *kmalloc_large(size_t size, gfp_t flags)
{
	unsigned int order = size <= PAGE_SIZE ? 0 : 64 - __builtin_clzl((size - 1) >> PAGE_SHIFT);
	struct page *page;

	if (unlikely(size > KMALLOC_MAX_SIZE)) {
		errno = ENOMEM;
		return NULL;
	}
	page = alloc_pages((flags & ~__GFP_HIGHMEM) | __GFP_COMP, order);
	return page ? page_address(page) : NULL;
}

static __noinline void *__kmalloc_slow(size_t size, gfp_t flags, unsigned long caller);

void *kmalloc(size_t size, gfp_t flags)
{
	if (likely(size - 1 < KMALLOC_MAX_CACHE_SIZE && !(flags & (__GFP_DMA | __GFP_ZERO)))) {
		void *p = kmalloc_sheaf_pop(kmalloc_index(size));

		if (likely(p)) {
			kasan_kmalloc(kmalloc_caches[kmalloc_index(size)], p, size);
			return p;
		}
	}
	return __kmalloc_slow(size, flags, (unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(kmalloc);

static __noinline void *__kmalloc_slow(size_t size, gfp_t flags, unsigned long caller)
{
	struct kmem_cache *s;
	void *p;

	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > KMALLOC_MAX_CACHE_SIZE))
		return kmalloc_large(size, flags);
	kalloc_init_once();
	s = unlikely(flags & __GFP_DMA) ? kmalloc_dma_caches[kmalloc_index(size)] :
					  kmalloc_caches[kmalloc_index(size)];
	p = slab_alloc(s, flags, caller);
	if (p) {
		set_orig_size(s, p, size);
		kasan_kmalloc(s, p, size);
	}
	return p;
}

void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}
EXPORT_SYMBOL(kzalloc);

void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes))) {
		errno = ENOMEM;
		return NULL;
	}
	return kmalloc(bytes, flags);
}
EXPORT_SYMBOL(kmalloc_array);

void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}
EXPORT_SYMBOL(kcalloc);

static __noinline void __kfree_slow(const void *x, unsigned long caller);

void kfree(const void *x)
{
	if (likely(slab_free_fast(x)))
		return;
	__kfree_slow(x, (unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(kfree);

static __noinline void __kfree_slow(const void *x, unsigned long caller)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(x)))
		return;
	if (unlikely(!virt_addr_valid(x)))
		panic("kfree: invalid pointer %p (not a kmalloc address)", x);
	page = __virt_to_page(x);
	if (likely((page->page_type & PGTY_slab_mask) == PGTY_slab)) {
		slab_free_page(page, page->page_type, (void *)x,
			       caller);
		return;
	}
	page = compound_head(page);
	if (unlikely(!PageHead(page) && page->_refcount != 1))
		panic("kfree: invalid pointer %p (not a kmalloc address)", x);
	if (unlikely(lowmem_page_address(page) != x))
		panic("kfree: invalid pointer %p (inside a large kmalloc)", x);
	__free_pages(page, PageHead(page) ? page[1].compound_order : 0);
}

size_t ksize(const void *x)
{
	struct page *page;
	struct kmem_cache *s;

	if (unlikely(ZERO_OR_NULL_PTR(x)))
		return 0;
	page = __virt_to_page(x);
	s = page_slab_cache(page);
	if (s) {
		skip_orig_size_check(s, (void *)x);
		kasan_unpoison_range(x, s->object_size);	/* the caller may use it all */
		return s->object_size;
	}
	page = compound_head(page);
	return PAGE_SIZE << (PageHead(page) ? page[1].compound_order : 0);
}
EXPORT_SYMBOL(ksize);

size_t kmalloc_size_roundup(size_t size)
{
	if (!size)
		return 0;
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_sizes[kmalloc_index(size)];
	if (size > KMALLOC_MAX_SIZE)
		return size;
	return PAGE_SIZE << (size <= PAGE_SIZE ? 0 : 64 - __builtin_clzl((size - 1) >> PAGE_SHIFT));
}
EXPORT_SYMBOL(kmalloc_size_roundup);

void kfree_sensitive(const void *x)
{
	size_t ks = ksize(x);

	if (ks)
		memset((void *)x, 0, ks);
	kfree(x);
}
EXPORT_SYMBOL(kfree_sensitive);

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	size_t ks;
	void *ret;

	if (unlikely(!new_size)) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	ks = ksize(p);
	if (ks >= new_size && p) {
		struct kmem_cache *s = page_slab_cache(__virt_to_page(p));

		if ((flags & __GFP_ZERO) && ks > new_size)
			memset((char *)p + new_size, 0, ks - new_size);
		if (s) {
			set_orig_size(s, (void *)p, new_size);
			kasan_kmalloc(s, p, new_size);
		}
		return (void *)p;
	}
	ret = kmalloc(new_size, flags);
	if (ret && !ZERO_OR_NULL_PTR(p)) {
		memcpy(ret, p, ks);
		/* up to new_size: kmalloc(__GFP_ZERO) zeroed the rest (its kmalloc red zone) */
		if (flags & __GFP_ZERO)
			memset((char *)ret + ks, 0, new_size - ks);
		kfree(p);
	}
	return ret;
}
EXPORT_SYMBOL(krealloc);

/* ------------------------------------------------- cache creation -- */

static unsigned int fls_u(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

/* calculate_alignment() */
static unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
					unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = 64;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	align = max(align, (unsigned int)sizeof(void *));
	return ALIGN(align, sizeof(void *));
}

static unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (unsigned int)((PAGE_SIZE << order) / size);
}

/* calc_slab_order() + calculate_order() */
static unsigned int calculate_order(unsigned int size)
{
	unsigned int min_objects = slub_min_objects;
	unsigned int max_objects, order, fraction;

	if (!min_objects)
		min_objects = 4 * (fls_u(nr_cpu_ids) + 1);
	max_objects = order_objects(slub_max_order, size);
	min_objects = min(min_objects, max(max_objects, 1u));

	while (min_objects >= 1) {
		for (fraction = 16; fraction >= 4; fraction /= 2) {
			unsigned int min_order = slub_min_order;

			while ((PAGE_SIZE << min_order) < (unsigned long)min_objects * size)
				min_order++;
			for (order = min_order; order <= slub_max_order; order++) {
				unsigned long slab_size = PAGE_SIZE << order;
				unsigned long rem = slab_size % size;

				if (rem <= slab_size / fraction && order_objects(order, size) >= 1)
					return order;
			}
		}
		min_objects--;
	}
	/* One object per slab, whatever the waste. */
	for (order = slub_min_order; order <= MAX_PAGE_ORDER; order++)
		if (order_objects(order, size) >= 1)
			return order;
	return MAX_PAGE_ORDER;
}

/*
 * calculate_sizes(): the object layout
 *	[left red zone][object][right red zone][free pointer][tracks][pad]
 * (debug parts only when their flags are set); the free pointer sits in
 * the middle of the object when nothing else needs the object's bytes.
 * The slab order is calculate_order()'s, or @forced_order when the
 * creator gives one (as writing /sys/kernel/slab/<cache>/order does).
 */
static bool calculate_sizes(struct kmem_cache *s, unsigned int forced_order)
{
	slab_flags_t flags = s->flags;
	unsigned int size = s->object_size;

	size = ALIGN(size, sizeof(void *));
	if ((flags & SLAB_RED_ZONE) && size == s->object_size)
		size += sizeof(void *);
	s->inuse = size;
	if ((flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON | SLAB_RED_ZONE)) || s->ctor) {
		s->offset = size;
		size += sizeof(void *);
	} else {
		s->offset = ALIGN_DOWN(s->object_size / 2, sizeof(void *));
	}
	if (flags & SLAB_STORE_USER)
		size += 2 * sizeof(struct track);
	if (slub_debug_orig_size(s))
		size += sizeof(unsigned long);	/* orig_size (slub_debug.c) */
	s->red_left_pad = 0;
	if (flags & SLAB_RED_ZONE) {
		s->red_left_pad = ALIGN(sizeof(void *), s->align);
		size += s->red_left_pad;
	}
	size = ALIGN(size, s->align);
	s->size = size;
	s->reciprocal_size = (unsigned int)(((1ULL << 32) + size - 1) / size);
	if (forced_order) {
		/* at least the order that holds one object, and slub_min_order */
		s->order = max(forced_order, slub_min_order);
		while (s->order < MAX_PAGE_ORDER && order_objects(s->order, size + s->red_left_pad) < 1)
			s->order++;
	} else {
		s->order = calculate_order(size);
	}
	s->objects = order_objects(s->order, size);
	if (s->red_left_pad && s->objects > 0 &&
	    (unsigned long)s->objects * size + s->red_left_pad > (PAGE_SIZE << s->order))
		s->objects--;
	return s->objects > 0 && s->objects <= 32767;
}

static unsigned int sheaf_capacity_for(unsigned int size)
{
	if (size <= 256)
		return 64;
	if (size <= 1024)
		return 32;
	if (size <= 4096)
		return 16;
	return 8;
}

/* Give the cache a slot in every thread's sheaves; slab_mutex held. */
static unsigned int alloc_cpu_index(void)
{
	unsigned int i;

	for (i = 0; i < SLUB_MAX_PCPU_CACHES; i++)
		if (!(cpu_index_map[i / 64] & (1UL << (i % 64)))) {
			cpu_index_map[i / 64] |= 1UL << (i % 64);
			return i;
		}
	return SLUB_MAX_PCPU_CACHES;	/* no sheaves: the locked paths */
}

static void free_cpu_index(unsigned int i)
{
	if (i < SLUB_MAX_PCPU_CACHES)
		cpu_index_map[i / 64] &= ~(1UL << (i % 64));
}

static unsigned long get_random_long(void)
{
	unsigned long r;

	if (kalloc_syscall6(318 /* getrandom */, (long)&r, sizeof(r), 1 /* GRND_NONBLOCK */,
			    0, 0, 0) == sizeof(r))
		return r;
	return ktime_get_ns() * 0x9e3779b97f4a7c15UL ^ (unsigned long)&r;
}

/* kmem_cache_open(); slab_mutex held or single-threaded boot */
static bool kmem_cache_open(struct kmem_cache *s, const char *name, unsigned int size,
			    const struct kmem_cache_args *args, slab_flags_t flags)
{
	void (*ctor)(void *) = args->ctor;
	size_t n = strlen(name);

	memset(s, 0, sizeof(*s));
	if (n >= sizeof(s->name_buf))
		n = sizeof(s->name_buf) - 1;
	memcpy(s->name_buf, name, n);
	s->name = s->name_buf;
	s->object_size = size;
	s->ctor = ctor;
	s->flags = kmem_cache_flags(s->name, flags);
	if (ctor)	/* poisoning would destroy what the constructor built */
		s->flags &= ~SLAB_POISON;
	s->align = calculate_alignment(s->flags, args->align, size);
	if (!calculate_sizes(s, args->order))
		return false;
	s->allocflags = GFP_KERNEL | ((s->flags & SLAB_CACHE_DMA) ? __GFP_DMA : 0);
	s->random = get_random_long();
	s->refcount = 1;
	s->min_partial = clamp((unsigned long)fls_u(s->size) / 2, 5UL, 10UL);
	s->sheaf_capacity = args->sheaf_capacity ? min(args->sheaf_capacity, SHEAF_MAX_CAPACITY) :
						   sheaf_capacity_for(s->size);
	s->max_full_sheaves = 8;
	spin_lock_init(&s->node.list_lock);
	INIT_LIST_HEAD(&s->node.partial);
	INIT_LIST_HEAD(&s->node.full);
	spin_lock_init(&s->barn.lock);
	INIT_LIST_HEAD(&s->barn.sheaves_full);
	INIT_LIST_HEAD(&s->barn.sheaves_empty);
	if ((s->flags & (SLAB_DEBUG_FLAGS | __SLAB_NO_SHEAVES)))
		s->cpu_index = SLUB_MAX_PCPU_CACHES;
	else if (args->cpu_index >= 0)
		s->cpu_index = args->cpu_index;	/* reserved at boot */
	else
		s->cpu_index = alloc_cpu_index();
	return true;
}

/* find_mergeable(): an existing cache that can serve this one; slab_mutex held */
static struct kmem_cache *find_mergeable(unsigned int size, unsigned int align,
					 slab_flags_t flags, const char *name, void (*ctor)(void *))
{
	struct kmem_cache *s;

	if (slab_nomerge || ctor)
		return NULL;
	flags = kmem_cache_flags(name, flags);
	if (flags & SLAB_NEVER_MERGE)
		return NULL;
	size = ALIGN(size, sizeof(void *));
	align = calculate_alignment(flags, align, size);
	size = ALIGN(size, align);

	list_for_each_entry(s, &slab_caches, list) {
		if ((s->flags & SLAB_NEVER_MERGE) || s->ctor || s->refcount < 0 ||
		    (s->flags & __SLAB_NO_SHEAVES))
			continue;
		if (size > s->size)
			continue;
		if ((flags & (SLAB_CACHE_DMA | SLAB_RECLAIM_ACCOUNT)) !=
		    (s->flags & (SLAB_CACHE_DMA | SLAB_RECLAIM_ACCOUNT)))
			continue;
		if ((s->size & ~(align - 1)) != s->size)
			continue;
		if (s->size - size >= sizeof(void *))
			continue;
		return s;
	}
	return NULL;
}

/*
 * __kmem_cache_create_args(): kmem_cache_create() with the arguments in a
 * struct (slab.h), kalloc's own users setting the two fields the kernel's
 * callers do not have: a sheaf slot reserved at boot and a slab order.
 */
struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int size,
					    const struct kmem_cache_args *args, slab_flags_t flags)
{
	unsigned int align = args->align;
	void (*ctor)(void *) = args->ctor;
	struct kmem_cache *s;

	kalloc_init_once();
	if (!name || !size || size > KMALLOC_MAX_SIZE || (align & (align - 1))) {
		if (flags & SLAB_PANIC)
			panic("kmem_cache_create: invalid arguments for %s", name ? name : "(null)");
		errno = EINVAL;
		return NULL;
	}
	spin_lock(&slab_mutex);
	s = find_mergeable(size, align, flags, name, ctor);
	if (s) {
		s->refcount++;
		spin_unlock(&slab_mutex);
		return s;
	}
	spin_unlock(&slab_mutex);

	s = kmem_cache_alloc(&boot_kmem_cache, GFP_KERNEL | __GFP_NOWARN);
	if (!s)
		goto fail;
	spin_lock(&slab_mutex);
	if (!kmem_cache_open(s, name, size, args, flags)) {
		spin_unlock(&slab_mutex);
		kmem_cache_free(&boot_kmem_cache, s);
		goto fail;
	}
	list_add_tail(&s->list, &slab_caches);
	spin_unlock(&slab_mutex);
	return s;
fail:
	if (flags & SLAB_PANIC)
		panic("kmem_cache_create: cannot create %s", name);
	errno = ENOMEM;
	return NULL;
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size, unsigned int align,
				     slab_flags_t flags, void (*ctor)(void *))
{
	struct kmem_cache_args args = { .align = align, .ctor = ctor, .cpu_index = -1 };

	return __kmem_cache_create_args(name, size, &args, flags);
}
EXPORT_SYMBOL(kmem_cache_create);

/* Every thread's sheaves of @s back to the barn or slabs; slab_mutex held. */
static void flush_all_sheaves(struct kmem_cache *s)
{
	struct kalloc_pcpu *cpu;

	if (s->cpu_index >= SLUB_MAX_PCPU_CACHES)
		return;
	spin_lock(&pcpu_lock);
	list_for_each_entry(cpu, &all_pcpus, list)
		pcs_flush(s, cpu);
	spin_unlock(&pcpu_lock);
}

/* Free every empty slab on the partial list, whatever min_partial says. */
static int __kmem_cache_shrink(struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	struct page *slab, *tmp;
	struct list_head discard;

	INIT_LIST_HEAD(&discard);
	spin_lock(&n->list_lock);
	list_for_each_entry_safe(slab, tmp, &n->partial, slab_list) {
		if (slab_inuse(slab))
			continue;
		remove_partial(n, slab);
		n->nr_slabs--;
		n->total_objects -= slab_objects(slab);
		WRITE_ONCE(n->free_objects, n->free_objects - slab_objects(slab));
		list_add(&slab->slab_list, &discard);
	}
	spin_unlock(&n->list_lock);
	list_for_each_entry_safe(slab, tmp, &discard, slab_list)
		free_slab(s, slab);
	return 0;
}

/*
 * slub_drain_idle(): the sheaves of this thread that have not moved since
 * its last tick (a decay period ago) go back to the barn or the slabs, as
 * the kernel's vmstat_update() drains per-cpu lists a CPU left alone.  A
 * sheaf whose allocations and frees balanced out looks idle too; flushing
 * it costs one refill.  Takes slab_mutex only if it is free.
 */
void slub_drain_idle(struct kalloc_pcpu *cpu)
{
	struct kmem_cache *s;

	if (!spin_trylock(&slab_mutex))
		return;
	list_for_each_entry(s, &slab_caches, list) {
		unsigned int i = s->cpu_index, fill;
		struct slab_sheaf *spare;

		if (i >= SLUB_MAX_PCPU_CACHES)
			continue;
		pcs_sync(&cpu->pcs[i]);
		spare = cpu->pcs_spare[i];
		fill = cpu->pcs[i].main->size + (spare ? spare->size + 1 : 0);
		if (cpu->pcs[i].main == &empty_sheaf && !spare) {
			cpu->pcs_seen[i] = 0;
			continue;
		}
		if (cpu->pcs_seen[i] == (unsigned short)(fill + 1)) {
			pcs_flush(s, cpu);
			cpu->pcs_seen[i] = 0;
		} else {
			cpu->pcs_seen[i] = (unsigned short)(fill + 1);
		}
	}
	spin_unlock(&slab_mutex);
}

/*
 * slub_shrink_idle(): a cache whose slabs and barn nobody touched for
 * page_reporting_delay gives its barn's sheaves back to the slabs and its
 * empty slabs back to the buddy (kmem_cache_shrink() of an idle cache).
 */
void slub_shrink_idle(unsigned long now)
{
	struct kmem_cache *s;

	if (!spin_trylock(&slab_mutex))
		return;
	list_for_each_entry(s, &slab_caches, list) {
		unsigned long busy = READ_ONCE(s->node.last_busy);

		if (time_after(READ_ONCE(s->barn.last_busy), busy))
			busy = READ_ONCE(s->barn.last_busy);
		if (time_before(now, busy + page_reporting_delay_ms))
			continue;
		if (READ_ONCE(s->barn.nr_full) || READ_ONCE(s->barn.nr_empty))
			barn_shrink(s);
		if (READ_ONCE(s->node.free_objects))
			__kmem_cache_shrink(s);
		WRITE_ONCE(s->node.last_busy, now);	/* next look: a delay from now */
	}
	spin_unlock(&slab_mutex);
}

/*
 * kmem_cache_shrink(): this thread's sheaves and the barn back to the
 * slabs, then every empty slab back to the buddy.  (Other threads keep
 * their sheaves: they may be using them right now.)
 */
int kmem_cache_shrink(struct kmem_cache *s)
{
	struct kalloc_pcpu *cpu = this_cpu();

	if (cpu && s->cpu_index < SLUB_MAX_PCPU_CACHES)
		pcs_flush(s, cpu);
	barn_shrink(s);
	return __kmem_cache_shrink(s);
}
EXPORT_SYMBOL(kmem_cache_shrink);

void kmem_cache_destroy(struct kmem_cache *s)
{
	unsigned long live;

	if (!s)
		return;
	this_cpu();	/* set up before pcpu_lock is held: freeing slabs needs it */
	spin_lock(&slab_mutex);
	if (--s->refcount > 0) {
		spin_unlock(&slab_mutex);
		return;
	}
	if (s->flags & SLAB_KMALLOC) {
		s->refcount = 1;
		spin_unlock(&slab_mutex);
		pr_warn("kmem_cache_destroy %s: a kmalloc cache cannot be destroyed\n", s->name);
		return;
	}
	list_del(&s->list);
	flush_all_sheaves(s);
	free_cpu_index(s->cpu_index);
	spin_unlock(&slab_mutex);
	barn_shrink(s);
	__kmem_cache_shrink(s);
	spin_lock(&s->node.list_lock);
	live = s->node.total_objects - s->node.free_objects;
	spin_unlock(&s->node.list_lock);
	if (live) {
		/* Like the kernel: report and leak the cache rather than free live slabs. */
		slab_bug(s, "Objects remaining on __kmem_cache_shutdown()");
		pr_err("kmem_cache_destroy %s: Slab cache still has objects (%lu)\n", s->name, live);
		return;
	}
	kmem_cache_free(&boot_kmem_cache, s);
}
EXPORT_SYMBOL(kmem_cache_destroy);

unsigned int kmem_cache_size(struct kmem_cache *s)
{
	return s->object_size;
}
EXPORT_SYMBOL(kmem_cache_size);

const char *kmem_cache_name(struct kmem_cache *s)
{
	return s->name;
}
EXPORT_SYMBOL(kmem_cache_name);

/* ------------------------------------------------------------- boot -- */

static void create_boot_cache(struct kmem_cache *s, const char *name, unsigned int size,
			      unsigned int align, slab_flags_t flags, int want_index)
{
	struct kmem_cache_args args = { .align = align, .cpu_index = want_index };

	if (!kmem_cache_open(s, name, size, &args, flags))
		panic("cannot create boot cache %s", name);
	list_add_tail(&s->list, &slab_caches);
}

/* kmem_cache_init() + create_kmalloc_caches(); called once at boot */
void kmem_cache_init(void)
{
	unsigned int i;

	slub_debug_check_letters();
	/* pcs[0..KMALLOC_SHIFT_HIGH] belong to the kmalloc caches, then malloc's (slab.h) */
	for (i = 0; i < PCPU_RESERVED_SLOTS; i++)
		cpu_index_map[i / 64] |= 1UL << (i % 64);
	create_boot_cache(&boot_kmem_cache, "kmem_cache", sizeof(struct kmem_cache), 64,
			  SLAB_HWCACHE_ALIGN | __SLAB_NO_SHEAVES, -1);
	create_boot_cache(&boot_sheaf_cache, "slab_sheaf", SHEAF_ALLOC_SIZE, 64,
			  SLAB_HWCACHE_ALIGN | __SLAB_NO_SHEAVES, -1);
	for (i = 1; i <= KMALLOC_SHIFT_HIGH; i++) {
		unsigned int size = kmalloc_sizes[i];
		char name[24];

		if (!size)
			continue;
		snprintf(name, sizeof(name), size >= 1024 ? "kmalloc-%uk" : "kmalloc-%u",
			 size >= 1024 ? size / 1024 : size);
		/* Natural alignment for powers of two; 16 bytes for 96 and 192. */
		create_boot_cache(&boot_kmalloc_caches[i], name, size,
				  (size & (size - 1)) ? 16 : size, SLAB_KMALLOC, i);
		kmalloc_caches[i] = &boot_kmalloc_caches[i];
	}
	/* dma-kmalloc-*: for kmalloc(__GFP_DMA), slabs from ZONE_DMA */
	for (i = 1; i <= KMALLOC_SHIFT_HIGH; i++) {
		unsigned int size = kmalloc_sizes[i];
		char name[32];

		snprintf(name, sizeof(name), size >= 1024 ? "dma-kmalloc-%uk" : "dma-kmalloc-%u",
			 size >= 1024 ? size / 1024 : size);
		create_boot_cache(&boot_kmalloc_dma_caches[i], name, size,
				  (size & (size - 1)) ? 16 : size, SLAB_KMALLOC | SLAB_CACHE_DMA, -1);
		kmalloc_dma_caches[i] = &boot_kmalloc_dma_caches[i];
	}
}

void slub_init_pcpu(struct kalloc_pcpu *cpu)
{
	unsigned int i;

	for (i = 0; i <= SLUB_MAX_PCPU_CACHES; i++) {
		cpu->pcs[i].main = &empty_sheaf;
		cpu->pcs_spare[i] = NULL;
		pcs_load(&cpu->pcs[i]);
	}
}

/*
 * A thread exits: its sheaves go to the barns (full ones) or back to the
 * slabs.  Called from the pthread-key destructor with no lock held.
 */
void slub_thread_exit(struct kalloc_pcpu *cpu)
{
	struct kmem_cache *s;

	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list)
		if (s->cpu_index < SLUB_MAX_PCPU_CACHES)
			pcs_flush(s, cpu);
	spin_unlock(&slab_mutex);
}

/*
 * fork(): take every cache's locks in the global order.  The child keeps
 * its own sheaves; other threads' sheaves are forgotten with their areas.
 */
void slub_fork_prepare(void)
{
	struct kmem_cache *s;

	spin_lock(&slots_lock);
	spin_lock(&slab_mutex);
	spin_lock(&pcpu_lock);
	list_for_each_entry(s, &slab_caches, list) {
		spin_lock(&s->barn.lock);
		spin_lock(&s->node.list_lock);
	}
}

void slub_fork_parent(void)
{
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list) {
		spin_unlock(&s->node.list_lock);
		spin_unlock(&s->barn.lock);
	}
	spin_unlock(&pcpu_lock);
	spin_unlock(&slab_mutex);
	spin_unlock(&slots_lock);
}

void slub_fork_child(void)
{
	struct kmem_cache *s;

	list_for_each_entry(s, &slab_caches, list) {
		spin_lock_init(&s->node.list_lock);
		spin_lock_init(&s->barn.lock);
	}
	pcpu_fork_child();
	spin_lock_init(&pcpu_lock);
	spin_lock_init(&slab_mutex);
	spin_lock_init(&slots_lock);
}

/* -------------------------------------------------------- slabinfo -- */

/*
 * The free objects @s keeps in sheaves: every thread's main and spare
 * sheaf, and the barn's full sheaves (the summary report).  The threads'
 * sheaves are read while their owners use them, as the kernel's
 * slabinfo reads per-CPU counts: a sheaf being swapped may be missed or
 * counted twice, and each count is clamped to the sheaf's capacity.
 * Takes pcpu_lock (threads stay), then barn->lock; caller may hold
 * slab_mutex.
 */
unsigned long slub_sheaf_objects(struct kmem_cache *s)
{
	struct kalloc_pcpu *cpu;
	struct slab_sheaf *sheaf;
	unsigned int idx = s->cpu_index;
	unsigned long sum = 0;

	if (idx < SLUB_MAX_PCPU_CACHES) {
		spin_lock(&pcpu_lock);
		list_for_each_entry(cpu, &all_pcpus, list) {
			struct slub_percpu_sheaves *pcs = &cpu->pcs[idx];
			void **top = READ_ONCE(pcs->top), **bottom = READ_ONCE(pcs->bottom);

			if (bottom && top > bottom)
				sum += min((unsigned long)(top - bottom), (unsigned long)s->sheaf_capacity);
			sheaf = READ_ONCE(cpu->pcs_spare[idx]);
			if (sheaf)
				sum += min(READ_ONCE(sheaf->size), s->sheaf_capacity);
		}
		spin_unlock(&pcpu_lock);
	}
	spin_lock(&s->barn.lock);
	list_for_each_entry(sheaf, &s->barn.sheaves_full, barn_list)
		sum += sheaf->size;
	spin_unlock(&s->barn.lock);
	return sum;
}

void get_slabinfo(struct kmem_cache *s, struct slabinfo *sinfo)
{
	struct kmem_cache_node *n = &s->node;

	spin_lock(&n->list_lock);
	sinfo->num_slabs = n->nr_slabs;
	sinfo->active_slabs = n->nr_slabs;
	sinfo->num_objs = n->total_objects;
	sinfo->active_objs = n->total_objects - n->free_objects;
	spin_unlock(&n->list_lock);
	sinfo->objects_per_slab = s->objects;
	sinfo->cache_order = s->order;
}

/* A cache as slabinfo prints it. */
struct slabinfo_row {
	char name[32];
	struct slabinfo si;
	unsigned int size;
};

/*
 * slab_for_each_allocated(): @fn on every object of @s that is handed out
 * (neither on its slab's freelist nor fresh), in the slabs of the node's
 * partial and full lists, with list_lock held: @fn must not allocate nor
 * take a slab lock.  Only caches that keep their full slabs listed
 * (slub_debug F or U) are walked whole; the kernel's process_slab() for
 * the alloc_traces file.
 */
void slab_for_each_allocated(struct kmem_cache *s,
			     void (*fn)(struct kmem_cache *s, void *object, void *arg), void *arg)
{
	struct kmem_cache_node *n = &s->node;
	struct list_head *lists[2] = { &n->partial, &n->full };
	unsigned long map[BITS_TO_LONGS(32768)];
	struct page *slab;
	unsigned int l, i;

	if (!slab_tracks_full(s))
		return;
	spin_lock(&n->list_lock);
	for (l = 0; l < ARRAY_SIZE(lists); l++) {
		list_for_each_entry(slab, lists[l], slab_list) {
			unsigned int nr = slab_objects(slab), fresh = slab_fresh(slab);
			char *base = (char *)slab_address(slab) + s->red_left_pad;
			void *fp;

			memset(map, 0, BITS_TO_LONGS(nr) * sizeof(long));
			for (fp = slab->freelist, i = nr; fp && i--; fp = get_freepointer(s, slab, fp)) {
				unsigned long idx = (unsigned long)((char *)fp - base) / s->size;

				map[idx / BITS_PER_LONG] |= 1UL << (idx % BITS_PER_LONG);
			}
			for (i = 0; i < nr - fresh; i++)
				if (!(map[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG))))
					fn(s, base + (unsigned long)i * s->size, arg);
		}
	}
	spin_unlock(&n->list_lock);
}

/*
 * Every cache, copied under slab_mutex into a kvmalloc()ed array (freed
 * by the caller), printed after: printing may allocate.  Returns the
 * number of rows, or -1.
 */
static int slabinfo_collect(struct slabinfo_row **out)
{
	struct slabinfo_row *rows;
	unsigned int nr = 0, cap = 0;
	struct kmem_cache *s;

	kalloc_init_once();
	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list)
		cap++;
	spin_unlock(&slab_mutex);
	cap += 16;	/* caches created meanwhile */
	rows = kvmalloc((size_t)cap * sizeof(*rows), GFP_KERNEL | __GFP_NOWARN);
	if (!rows)
		return -1;
	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		if (nr == cap)
			break;
		memcpy(rows[nr].name, s->name, sizeof(rows[nr].name));
		rows[nr].size = s->size;
		get_slabinfo(s, &rows[nr].si);
		nr++;
	}
	spin_unlock(&slab_mutex);
	*out = rows;
	return nr;
}

/* slabinfo_show(): /proc/slabinfo version 2.1. */
int slabinfo_show(FILE *out)
{
	struct slabinfo_row *rows;
	int i = slabinfo_collect(&rows);

	if (i < 0)
		return -1;
	fprintf(out, "slabinfo - version: 2.1\n");
	fprintf(out, "# name            <active_objs> <num_objs> <objsize> <objperslab> "
		     "<pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
		     "slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	while (i-- > 0) {
		const struct slabinfo_row *r = &rows[i];

		fprintf(out, "%-17s %6lu %6lu %6u %4u %4d", r->name, r->si.active_objs,
			r->si.num_objs, r->size, r->si.objects_per_slab, 1 << r->si.cache_order);
		fprintf(out, " : tunables %4u %4u %4u", 0, 0, 0);
		fprintf(out, " : slabdata %6lu %6lu %6lu\n", r->si.active_slabs, r->si.num_slabs, 0UL);
	}
	kvfree(rows);
	return 0;
}

/* The same as JSON: the caches in slabinfo's order, its columns as members. */
void slabinfo_show_json(struct json *j)
{
	struct slabinfo_row *rows;
	int i = slabinfo_collect(&rows);

	if (i < 0)
		return;
	json_str(j, "version", "2.1");
	json_array(j, "caches", false);
	while (i-- > 0) {
		const struct slabinfo_row *r = &rows[i];

		json_open(j, NULL, '{', true);
		json_str(j, "name", r->name);
		json_u64(j, "active_objs", r->si.active_objs);
		json_u64(j, "num_objs", r->si.num_objs);
		json_u64(j, "objsize", r->size);
		json_u64(j, "objperslab", r->si.objects_per_slab);
		json_u64(j, "pagesperslab", 1UL << r->si.cache_order);
		json_u64(j, "active_slabs", r->si.active_slabs);
		json_u64(j, "num_slabs", r->si.num_slabs);
		json_close(j);
	}
	json_close(j);
	kvfree(rows);
}
