/*
 * lib/page_alloc.c - the buddy page allocator (mm/page_alloc.c).
 *
 * Each zone keeps free_area[NR_PAGE_ORDERS]; a free block of 2^order pages
 * is on free_area[order].free_list[migratetype], its head page marked
 * PageBuddy with the order in page->private.  Allocation takes the
 * smallest block that fits and splits it (expand()); freeing merges a
 * block with its buddy at pfn ^ (1 << order) while the buddy is free and
 * of the same order (__free_one_page()).  When a migrate type's lists are
 * empty the allocator steals from another type, preferring whole
 * pageblocks (__rmqueue_fallback()).  When the zone's lists cannot serve
 * a request at all, the next section of the zone is onlined (sparse.c)
 * and the request retried.
 *
 * Orders 0..PCP_MAX_ORDER go through per-cpu page lists (pcp),
 * which here are per thread (percpu.h): the common allocation and free
 * take no lock; the zone lock is taken to refill a list with a batch
 * (rmqueue_bulk()) or to drain one beyond its high mark
 * (free_pcppages_bulk()).
 *
 * Zonelists: a request's highest zone comes from its GFP mask (gfp_zone():
 * __GFP_DMA -> DMA, __GFP_HIGHMEM -> HIGHMEM, else NORMAL) and the
 * allocator falls back downwards, HIGHMEM -> NORMAL -> DMA, checking each
 * zone's watermark plus lowmem_reserve[highest zone], so that ordinary
 * allocations leave DMA alone.  Pages not yet onlined count as free in the
 * check: they are free memory whose struct pages are not initialised yet
 * (the kernel's deferred struct page init, grown on demand).
 *
 * Locking:
 *	1. pcpu_lock (percpu.c)
 *	2. zone->lock, DMA before NORMAL before HIGHMEM
 *	zone->lock protects free_area[], managed_pages, online_pfn,
 *	offline_pages, vm_stat[], events[] and the reporting fields.  A
 *	thread's pcp lists are touched only by that thread.  Nothing in this
 *	file makes a system call while holding a zone lock (page reporting
 *	isolates blocks first, see page_reporting.c).
 *
 * Invariants (checked under CONFIG_DEBUG_VM):
 *	A PageBuddy page is on exactly one free list, its order in private,
 *	its refcount 0.  A page on a pcp list is not PageBuddy, has refcount
 *	0, and its migrate type in page->index.  PG_reported on a free block
 *	head means every byte of the block reads as zero and holds no host
 *	memory.
 */
#include "percpu.h"
#include "options.h"
#include "kasan.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

struct pglist_data contig_page_data;
struct mem_section mem_section[NR_MEM_SECTIONS];

const char *const migratetype_names[MIGRATE_TYPES] = {
	"Unmovable",
	"Movable",
	"Reclaimable",
	"HighAtomic",
	"Isolate",
};

static const char *const zone_names[MAX_NR_ZONES] = { "DMA", "Normal", "HighMem", "Movable" };

/* sysctl_lowmem_reserve_ratio: 1/256 of NORMAL+HIGHMEM kept from DMA, ... */
static const int sysctl_lowmem_reserve_ratio[MAX_NR_ZONES] = { 256, 32, 0, 0 };

/*
 * Which types to steal from, in order, when a type's lists are empty: the
 * pcp types only (HighAtomic and Isolate blocks are never stolen).
 */
static const int fallbacks[MIGRATE_PCPTYPES][MIGRATE_PCPTYPES - 1] = {
	[MIGRATE_UNMOVABLE]   = { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE]     = { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE] = { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/* Bumped by drain_all_pages(); threads drain when they see it change. */
static unsigned long pcp_drain_seq;

/* alloc_flags, as in mm/internal.h */
#define ALLOC_WMARK_MIN		WMARK_MIN
#define ALLOC_WMARK_LOW		WMARK_LOW
#define ALLOC_WMARK_HIGH	WMARK_HIGH
#define ALLOC_NO_WATERMARKS	0x04
#define ALLOC_WMARK_MASK	(ALLOC_NO_WATERMARKS - 1)
#define ALLOC_HARDER		0x10
#define ALLOC_HIGH		0x20

/* ------------------------------------------------------ GFP decoding -- */

static __always_inline enum zone_type gfp_zone(gfp_t flags)
{
	if (flags & __GFP_DMA)
		return ZONE_DMA;
	if (flags & __GFP_HIGHMEM)
		return ZONE_HIGHMEM;
	return ZONE_NORMAL;
}

static __always_inline int gfp_migratetype(gfp_t flags)
{
	if (flags & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	if (flags & __GFP_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

static inline unsigned int get_order(size_t size)
{
	if (size <= PAGE_SIZE)
		return 0;
	return 64 - __builtin_clzl((size - 1) >> PAGE_SHIFT);
}

/* ---------------------------------------------------- the free lists -- */

/*
 * __add_to_free_list().  A block that is not reported holds host memory:
 * it carries @freed, the decay clock when its bytes were last in use, and
 * counts as pending for page reporting (page_reporting.c).
 */
static inline void add_to_free_list(struct page *page, struct zone *zone,
				    unsigned int order, int migratetype,
				    bool tail, bool reported, unsigned long freed)
{
	struct free_area *area = &zone->free_area[order];

	VM_BUG_ON(page->_refcount != 0);
	set_page_private(page, order);
	page->index = migratetype;
	__SetPageBuddy(page);
	if (reported) {
		SetPageReported(page);
		__mod_zone_page_state(zone, NR_REPORTED_PAGES, 1L << order);
	} else {
		ClearPageReported(page);
		page->buddy_freed = freed;
		if (order >= page_reporting_order) {
			if (!zone->reporting_pending || time_before(freed, zone->pending_oldest))
				WRITE_ONCE(zone->pending_oldest, freed);
			WRITE_ONCE(zone->reporting_pending, zone->reporting_pending + (1UL << order));
		}
	}
	if (tail)
		list_add_tail(&page->lru, &area->free_list[migratetype]);
	else
		list_add(&page->lru, &area->free_list[migratetype]);
	WRITE_ONCE(area->nr_free, area->nr_free + 1);
	__mod_zone_page_state(zone, NR_FREE_PAGES, 1L << order);
}

/* __del_page_from_free_list(); PG_reported stays for the caller to read */
static inline void del_page_from_free_list(struct page *page, struct zone *zone,
					   unsigned int order)
{
	list_del(&page->lru);
	__ClearPageBuddy(page);
	set_page_private(page, 0);
	WRITE_ONCE(zone->free_area[order].nr_free, zone->free_area[order].nr_free - 1);
	__mod_zone_page_state(zone, NR_FREE_PAGES, -(1L << order));
	if (PageReported(page))
		__mod_zone_page_state(zone, NR_REPORTED_PAGES, -(1L << order));
	else if (order >= page_reporting_order)
		WRITE_ONCE(zone->reporting_pending, zone->reporting_pending - (1UL << order));
}

static inline void move_to_free_list(struct page *page, struct zone *zone,
				     unsigned int order, int migratetype)
{
	list_move_tail(&page->lru, &zone->free_area[order].free_list[migratetype]);
	page->index = migratetype;
}

/*
 * page_is_buddy(): may the block at @page merge with @buddy of @order?
 *   (a) the buddy is in an online section of the same zone,
 *   (b) the buddy is the head of a free block (PageBuddy),
 *   (c) of the same order.
 * The mem_map of a section that is not online was never written, so (b)
 * already fails there; the zone test keeps merges from crossing zones.
 */
static inline bool page_is_buddy(struct page *page, struct page *buddy,
				 unsigned int order)
{
	if (!PageBuddy(buddy) || buddy_order(buddy) != order)
		return false;
	return __page_zonenum(buddy) == __page_zonenum(page);
}

/*
 * __free_one_page(): put a block back, merging it with its free buddies.
 * The merged block is reported (known zero) only if all its parts were;
 * otherwise it is as young as its youngest part that holds memory (a block
 * freed now is stamped with the decay clock of this free).
 */
void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, int migratetype, bool reported)
{
	unsigned long freed = reported ? 0 : READ_ONCE(decay_clock);
	bool any_dirty = !reported;
	bool to_tail = false;

	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy = page + ((long)buddy_pfn - (long)pfn);

		if (!pfn_valid(buddy_pfn) || !page_is_buddy(page, buddy, order))
			break;
		if (!PageReported(buddy)) {
			if (!any_dirty || time_after(buddy->buddy_freed, freed))
				freed = buddy->buddy_freed;
			any_dirty = true;
		}
		reported = reported && PageReported(buddy);
		del_page_from_free_list(buddy, zone, order);
		ClearPageReported(buddy);
		pfn &= buddy_pfn;
		page = __pfn_to_page(pfn);
		order++;
	}

	/*
	 * Like the kernel's buddy_merge_likely(): if the block's own buddy
	 * is free one order up, this block will probably merge soon; keep
	 * it at the cold end so it is not handed out first.
	 */
	if (order < MAX_PAGE_ORDER - 1) {
		/* the pair's pfn one order up, and that block's buddy */
		unsigned long higher = (pfn & ~(1UL << order)) ^ (2UL << order);

		if (pfn_valid(higher)) {
			struct page *hb = __pfn_to_page(higher);

			to_tail = page_is_buddy(page, hb, order + 1);
		}
	}
	add_to_free_list(page, zone, order, migratetype, to_tail || reported, reported, freed);
}

/*
 * expand(): split a block of order @high down to @low, putting the upper
 * halves back on the free lists (they inherit the block's reported state).
 */
static inline void expand(struct zone *zone, struct page *page, unsigned int low,
			  unsigned int high, int migratetype, bool reported, unsigned long freed)
{
	unsigned long size = 1UL << high;

	while (high > low) {
		high--;
		size >>= 1;
		add_to_free_list(&page[size], zone, high, migratetype, reported, reported, freed);
	}
}

/*
 * lowest_free_block(): the block to take from a free list.  Small orders
 * take the head (the block freed last: hot in the cache, and the pcp lists
 * keep them anyway); from order ADDRESS_ORDER_MIN up, the lowest of the
 * first ADDRESS_ORDER_SCAN blocks, so that large blocks are carved from
 * the bottom of the zone and its top stays free in high orders (the reason
 * address-ordered first fit keeps heaps compact).  The kernel takes the
 * head at every order.
 */
#define ADDRESS_ORDER_MIN	1
#define ADDRESS_ORDER_SCAN	32

static inline struct page *lowest_free_block(struct list_head *list, unsigned int order)
{
	struct page *best = list_first_entry(list, struct page, lru), *page;
	unsigned int n = 0;

	if (order < ADDRESS_ORDER_MIN)
		return best;
	list_for_each_entry(page, list, lru) {
		if (page < best)
			best = page;
		if (++n == ADDRESS_ORDER_SCAN)
			break;
	}
	return best;
}

/* __rmqueue_smallest(): the smallest block of the type that fits */
static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order,
				       int migratetype)
{
	unsigned int current_order;

	for (current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		struct list_head *list = &area->free_list[migratetype];
		struct page *page;
		bool reported;

		if (list_empty(list))
			continue;
		page = lowest_free_block(list, current_order);
		reported = PageReported(page);
		del_page_from_free_list(page, zone, current_order);
		expand(zone, page, order, current_order, migratetype, reported, page->buddy_freed);
		return page;
	}
	return NULL;
}

/*
 * move_freepages_block(): move every free block of the pageblock that
 * holds @page to @migratetype's lists (or, with @migratetype -1, only count
 * them); returns the free pages.
 */
static unsigned long move_freepages_block(struct zone *zone, struct page *page,
					  int migratetype)
{
	unsigned long pfn = ALIGN_DOWN(__page_to_pfn(page), pageblock_nr_pages);
	unsigned long end = pfn + pageblock_nr_pages;
	unsigned long moved = 0;

	while (pfn < end) {
		struct page *p = __pfn_to_page(pfn);

		if (PageBuddy(p)) {
			unsigned int order = buddy_order(p);

			if (migratetype >= 0)
				move_to_free_list(p, zone, order, migratetype);
			pfn += 1UL << order;
			moved += 1UL << order;
		} else {
			pfn++;
		}
	}
	return moved;
}

/* can_steal_fallback(): take the whole pageblock, or just this block? */
static bool can_steal_fallback(unsigned int order, int start_mt)
{
	if (order >= pageblock_order)
		return true;
	return order >= pageblock_order / 2 ||
	       start_mt == MIGRATE_RECLAIMABLE || start_mt == MIGRATE_UNMOVABLE;
}

/*
 * steal_suitable_fallback(): claim the pageblock of a stolen block for
 * @start_type when the block is large, or when at least half of the
 * pageblock is free or already of a kind that fits @start_type (so that
 * the block's future allocations group by type); only then do its other
 * free blocks move to @start_type's lists.  Otherwise only the stolen
 * block moves.  "Alike" pages: a non-movable request falling back to a
 * MOVABLE pageblock counts every page in use there as alike (they are not
 * movable: kalloc has no movable pages in use, no LRU, so what the kernel
 * counts as movable_pages is 0 here), a movable request none.
 */
static void steal_suitable_fallback(struct zone *zone, struct page *page,
				    unsigned int current_order, int start_type,
				    bool whole_block)
{
	unsigned long pfn = __page_to_pfn(page);
	unsigned long free_pages, alike;
	int old_type = get_pfnblock_migratetype(pfn);

	if (current_order >= pageblock_order) {
		unsigned long nr = 1UL << (current_order - pageblock_order), i;

		for (i = 0; i < nr; i++)
			set_pageblock_migratetype_pfn(pfn + i * pageblock_nr_pages, start_type);
		move_to_free_list(page, zone, current_order, start_type);
		return;
	}
	if (!whole_block) {
		move_to_free_list(page, zone, current_order, start_type);
		return;
	}
	free_pages = move_freepages_block(zone, page, -1);
	alike = start_type != MIGRATE_MOVABLE && old_type == MIGRATE_MOVABLE ?
		pageblock_nr_pages - free_pages : 0;
	if (free_pages + alike >= pageblock_nr_pages / 2) {
		move_freepages_block(zone, page, start_type);
		set_pageblock_migratetype_pfn(pfn, start_type);
	} else {
		move_to_free_list(page, zone, current_order, start_type);
	}
}

/* find_suitable_fallback(): the first fallback type with a free block of @order, or -1 */
static int find_suitable_fallback(const struct zone *zone, unsigned int order, int start_mt)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fallbacks[0]); i++)
		if (!list_empty(&zone->free_area[order].free_list[fallbacks[start_mt][i]]))
			return fallbacks[start_mt][i];
	return -1;
}

/*
 * __rmqueue_fallback(): steal the largest free block of another type, so
 * that mixing types fragments as few pageblocks as possible; but a movable
 * request that could not claim the block's pageblock takes the smallest
 * block instead, so as not to break up a large one for nothing.
 */
static bool __rmqueue_fallback(struct kalloc_pcpu *cpu, struct zone *zone,
			       unsigned int order, int start_mt)
{
	int current_order, mt = -1;
	bool can_steal = false;

	for (current_order = MAX_PAGE_ORDER; current_order >= (int)order; current_order--) {
		mt = find_suitable_fallback(zone, current_order, start_mt);
		if (mt < 0)
			continue;
		can_steal = can_steal_fallback(current_order, start_mt);
		if (!can_steal && start_mt == MIGRATE_MOVABLE && current_order > (int)order) {
			for (current_order = order; current_order <= MAX_PAGE_ORDER; current_order++) {
				mt = find_suitable_fallback(zone, current_order, start_mt);
				if (mt >= 0)
					break;
			}
		}
		break;
	}
	if (mt < 0 || current_order > MAX_PAGE_ORDER)
		return false;
	steal_suitable_fallback(zone,
				list_first_entry(&zone->free_area[current_order].free_list[mt],
						 struct page, lru),
				current_order, start_mt, can_steal);
	count_zone_events(cpu, zone, PGSTEAL_MIGRATETYPE, 1);
	return true;
}

/* __rmqueue(): one block, onlining a section when the lists are empty */
static struct page *__rmqueue(struct kalloc_pcpu *cpu, struct zone *zone,
			      unsigned int order, int migratetype)
{
	struct page *page;

	for (;;) {
		page = __rmqueue_smallest(zone, order, migratetype);
		if (page)
			return page;
		/*
		 * Onlined sections come as MOVABLE pageblocks: a movable
		 * request takes fresh memory before it steals another
		 * type's pageblock, which keeps the types apart.
		 */
		if (migratetype == MIGRATE_MOVABLE && zone->offline_pages && grow_zone(zone)) {
			count_zone_events(cpu, zone, PGONLINE_SECTIONS, 1);
			continue;
		}
		if (__rmqueue_fallback(cpu, zone, order, migratetype))
			continue;
		if (!grow_zone(zone))
			return NULL;
		count_zone_events(cpu, zone, PGONLINE_SECTIONS, 1);
	}
}

/* ------------------------------------------------------ the peak -- */

/* The most frames that were out of the buddy's free lists at once. */
unsigned long held_pages_peak;

/*
 * After an allocation from @zone's free lists, under its lock: the frames
 * out of every zone's free lists (managed - free; the other zones' counts
 * read without their locks) against the peak.  A pcp refill counts its
 * whole batch here, when it leaves the zone: what the pcp lists hold
 * counts as held, so the peak is exact at that granularity and never
 * below the true one.
 */
static inline void note_held_peak(void)
{
	unsigned long held = 0;
	struct zone *z;

	for_each_zone(z)
		held += READ_ONCE(z->managed_pages) - zone_page_state(z, NR_FREE_PAGES);
	if (unlikely(held > READ_ONCE(held_pages_peak)))
		peak_update(&held_pages_peak, held);
}

/* ---------------------------------------------------- per-cpu lists -- */

/* rmqueue_bulk(): up to @count blocks from the zone onto a pcp list */
static int rmqueue_bulk(struct kalloc_pcpu *cpu, struct zone *zone, unsigned int order,
			int count, struct list_head *list, int migratetype)
{
	int i;

	spin_lock(&zone->lock);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(cpu, zone, order, migratetype);

		if (!page)
			break;
		page->index = migratetype;
		list_add_tail(&page->lru, list);
	}
	note_held_peak();
	spin_unlock(&zone->lock);
	return i;
}

/*
 * free_pcppages_bulk(): give @count pages of a pcp back to the zone,
 * taking from the cold end of the lists in turn.
 */
static void free_pcppages_bulk(struct zone *zone, int count, struct per_cpu_pages *pcp)
{
	unsigned int pindex = pcp->free_pindex;

	count = min(count, pcp->count);
	decay_clock_update();
	spin_lock(&zone->lock);
	while (count > 0) {
		struct list_head *list;
		struct page *page;
		unsigned int order;
		unsigned int tries = 0;

		do {
			pindex = (pindex + 1) % NR_PCP_LISTS;
			list = &pcp->lists[pindex];
		} while (list_empty(list) && ++tries <= NR_PCP_LISTS);
		if (list_empty(list))
			break;
		order = pindex / MIGRATE_PCPTYPES;
		do {
			page = list_last_entry(list, struct page, lru);
			list_del(&page->lru);
			pcp->count -= 1 << order;
			count -= 1 << order;
			__free_one_page(page, __page_to_pfn(page), zone, order,
					page->index, PageReported(page));
		} while (count > 0 && !list_empty(list));
	}
	pcp->free_pindex = pindex;
	spin_unlock(&zone->lock);
}

static void drain_pages_zone(struct kalloc_pcpu *cpu, struct zone *zone)
{
	struct per_cpu_pages *pcp = &cpu->pageset[zone_idx(zone)];

	if (pcp->count)
		free_pcppages_bulk(zone, pcp->count, pcp);
}

/* drain_local_pages(): this thread's lists back to the zones */
void drain_local_pages(struct zone *zone)
{
	struct kalloc_pcpu *cpu = this_cpu();
	struct zone *z;

	if (!cpu)
		return;
	cpu->drain_seq = READ_ONCE(pcp_drain_seq);
	if (zone) {
		drain_pages_zone(cpu, zone);
		return;
	}
	for_each_zone(z)
		drain_pages_zone(cpu, z);
	page_reporting_notify_free(NULL);
}
EXPORT_SYMBOL(drain_local_pages);

/*
 * drain_idle_pages(): this thread's pcp lists of a zone whose count has
 * not moved since its last tick (a decay period ago) go back to the zone,
 * as vmstat_update() drains the lists of a CPU that left them alone.
 */
void drain_idle_pages(struct kalloc_pcpu *cpu)
{
	struct zone *zone;

	for_each_zone(zone) {
		struct per_cpu_pages *pcp = &cpu->pageset[zone_idx(zone)];
		int *seen = &cpu->pcp_seen[zone_idx(zone)];

		if (!pcp->count) {
			*seen = 0;
		} else if (*seen == pcp->count + 1) {
			drain_pages_zone(cpu, zone);
			pcp->alloc_factor = 0;
			*seen = 0;
		} else {
			*seen = pcp->count + 1;
		}
	}
}

/*
 * drain_all_pages(): the kernel sends work to every CPU; here other
 * threads see pcp_drain_seq move and drain on their next slow path.
 */
void drain_all_pages(struct zone *zone)
{
	__atomic_fetch_add(&pcp_drain_seq, 1, __ATOMIC_RELAXED);
	drain_local_pages(zone);
}
EXPORT_SYMBOL(drain_all_pages);

static inline void pcp_check_drain(struct kalloc_pcpu *cpu)
{
	if (unlikely(cpu->drain_seq != READ_ONCE(pcp_drain_seq)))
		drain_local_pages(NULL);
}

/* rmqueue_pcplist(): the lockless fast path of small orders */
static __always_inline struct page *rmqueue_pcplist(struct kalloc_pcpu *cpu,
						     struct zone *zone, unsigned int order,
						     int migratetype)
{
	struct per_cpu_pages *pcp = &cpu->pageset[zone_idx(zone)];
	struct list_head *list = &pcp->lists[order_to_pindex(migratetype, order)];
	struct page *page;

	if (unlikely(list_empty(list))) {
		int batch = max((READ_ONCE(pcp->batch) >> (PCP_SLOW_START - pcp->alloc_factor)) >> order, 1);
		int n;

		if (pcp->alloc_factor < PCP_SLOW_START)
			pcp->alloc_factor++;
		pcp_check_drain(cpu);
		n = rmqueue_bulk(cpu, zone, order, batch, list, migratetype);
		if (!n)
			return NULL;
		pcp->count += n << order;
	}
	page = list_first_entry(list, struct page, lru);
	list_del(&page->lru);
	pcp->count -= 1 << order;
	return page;
}

/* free_unref_page_commit(): onto the pcp list, draining past high */
static __always_inline void free_unref_page_commit(struct kalloc_pcpu *cpu,
						    struct zone *zone, struct page *page,
						    unsigned int order, int migratetype)
{
	struct per_cpu_pages *pcp = &cpu->pageset[zone_idx(zone)];

	page->index = migratetype;
	list_add(&page->lru, &pcp->lists[order_to_pindex(migratetype, order)]);
	pcp->count += 1 << order;
	if (unlikely(pcp->count >= READ_ONCE(pcp->high))) {
		pcp_check_drain(cpu);
		/* nr_pcp_free(): a batch below high, which may have shrunk */
		free_pcppages_bulk(zone, pcp->count - READ_ONCE(pcp->high) + READ_ONCE(pcp->batch),
				   pcp);
		page_reporting_notify_free(zone);
	}
}

/* ---------------------------------------------------- the watermarks -- */

/* __zone_watermark_ok() */
static bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			      enum zone_type highest_zoneidx, unsigned int alloc_flags)
{
	long min = mark;
	long free_pages = zone_page_state(z, NR_FREE_PAGES) + READ_ONCE(z->offline_pages);
	unsigned int o;

	free_pages -= (1L << order) - 1;
	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 4;
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order || READ_ONCE(z->offline_pages))
		return true;
	for (o = order; o < NR_PAGE_ORDERS; o++)
		if (READ_ONCE(z->free_area[o].nr_free))
			return true;
	return false;
}

/* ------------------------------------------------------- allocation -- */

/* prep_compound_page() */
static void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	SetPageHead(page);
	for (i = 1; i < nr; i++) {
		page[i].compound_head = (unsigned long)page | 1;
		set_page_count(&page[i], 0);
	}
	page[1].compound_order = order;
}

static void clear_highpage_range(struct page *page, unsigned int order)
{
	unsigned long pfn = __page_to_pfn(page);

	if (PageHighMem(page) && !PageHighMapped(page)) {
		/* No mapping to write through: give the host pages back. */
		kalloc_discard(pfn, 1UL << order);
		return;
	}
	memset(pfn_to_slot(pfn), 0, PAGE_SIZE << order);
}

/* post_alloc_hook() + prep_new_page() */
static inline void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	bool zeroed = PageReported(page);

	kasan_unpoison_pages(__page_to_pfn(page), 1UL << order);
	set_page_count(page, 1);
	set_page_private(page, 0);
	page->flags &= ~((1UL << PG_reported) | (1UL << PG_head));
	page->mapping = NULL;
	if ((gfp & __GFP_ZERO) && !zeroed)
		clear_highpage_range(page, order);
	if (order && (gfp & __GFP_COMP))
		prep_compound_page(page, order);
}

/* rmqueue(): one block from @zone, through the pcp when the order allows */
static __always_inline struct page *rmqueue(struct kalloc_pcpu *cpu, struct zone *zone,
					     unsigned int order, int migratetype)
{
	struct page *page;

	if (likely(order <= PCP_MAX_ORDER && cpu))
		return rmqueue_pcplist(cpu, zone, order, migratetype);
	spin_lock(&zone->lock);
	page = __rmqueue(cpu, zone, order, migratetype);
	note_held_peak();
	spin_unlock(&zone->lock);
	return page;
}

/*
 * get_page_from_freelist(): walk the zonelist from the highest zone the GFP
 * mask allows down (or try @only_zone alone when it is not -1).  Either
 * way each zone is checked against its watermark plus its lowmem_reserve[]
 * for gfp_zone(gfp), the request's highest zone.
 */
static struct page *get_page_from_freelist(struct kalloc_pcpu *cpu, gfp_t gfp,
					   unsigned int order, unsigned int alloc_flags,
					   int only_zone)
{
	enum zone_type highest = gfp_zone(gfp);
	int migratetype = gfp_migratetype(gfp);
	int idx = only_zone >= 0 ? only_zone : (int)highest;
	int lowest = only_zone >= 0 ? only_zone : 0;

	for (; idx >= lowest; idx--) {
		struct zone *zone = &contig_page_data.node_zones[idx];
		struct page *page;

		if (!populated_zone(zone))
			continue;
		if (!(alloc_flags & ALLOC_NO_WATERMARKS) &&
		    !zone_watermark_ok(zone, order, zone->_watermark[alloc_flags & ALLOC_WMARK_MASK],
				       highest, alloc_flags))
			continue;
		page = rmqueue(cpu, zone, order, migratetype);
		if (page) {
			count_zone_events(cpu, zone, PGALLOC, 1UL << order);
			if (idx != (int)highest)
				count_zone_events(cpu, zone, PGALLOC_FALLBACK, 1);
			return page;
		}
	}
	return NULL;
}

/* gfp_to_alloc_flags() */
static unsigned int gfp_to_alloc_flags(gfp_t gfp)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN;

	if (gfp & __GFP_HIGH)
		alloc_flags |= ALLOC_HIGH;
	if (!(gfp & __GFP_DIRECT_RECLAIM))
		alloc_flags |= ALLOC_HARDER;
	if ((gfp & __GFP_MEMALLOC) && !(gfp & __GFP_NOMEMALLOC))
		alloc_flags |= ALLOC_NO_WATERMARKS;
	return alloc_flags;
}

static __cold void warn_alloc(gfp_t gfp, unsigned int order)
{
	if (gfp & __GFP_NOWARN)
		return;
	pr_warn("page allocation failure: order:%u, mode:%#x, nr_free_pages:%lu\n",
		order, gfp, nr_free_pages());
}

/*
 * __alloc_pages_slowpath(): the min watermark (with the reserves GFP_ATOMIC
 * and __GFP_HIGH may use), then this thread's pcp lists drained back (the
 * only "reclaim" a machine without swap has), then failure.
 */
static __cold struct page *__alloc_pages_slowpath(struct kalloc_pcpu *cpu, gfp_t gfp,
						  unsigned int order)
{
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp);
	struct page *page;
	struct zone *zone;

	page = get_page_from_freelist(cpu, gfp, order, alloc_flags, -1);
	if (page)
		return page;
	drain_all_pages(NULL);
	page = get_page_from_freelist(cpu, gfp, order, alloc_flags, -1);
	if (page)
		return page;
	zone = &contig_page_data.node_zones[gfp_zone(gfp)];
	count_zone_events(cpu, zone, ALLOCSTALL_FAIL, 1);
	warn_alloc(gfp, order);
	return NULL;
}

/*
 * __alloc_pages(): the fast path at the low watermark, then the slow path.
 * *zeroed tells whether the block came back from the host untouched.
 */
static struct page *__alloc_pages(gfp_t gfp, unsigned int order, bool *zeroed)
{
	struct kalloc_pcpu *cpu;
	struct page *page;

	if (unlikely(order > MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			pr_warn("alloc_pages: order %u above MAX_PAGE_ORDER (%d)\n",
				order, MAX_PAGE_ORDER);
		errno = ENOMEM;
		return NULL;
	}
	kalloc_init_once();
	cpu = this_cpu();
	page = get_page_from_freelist(cpu, gfp, order, ALLOC_WMARK_LOW, -1);
	if (unlikely(!page)) {
		page = __alloc_pages_slowpath(cpu, gfp, order);
		if (!page) {
			errno = ENOMEM;
			return NULL;
		}
	}
	*zeroed = PageReported(page);
	prep_new_page(page, order, gfp);
	return page;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	bool zeroed;

	return __alloc_pages(gfp, order, &zeroed);
}
EXPORT_SYMBOL(alloc_pages);

/* Some zone of @gfp's zonelist passes the watermark of @alloc_flags. */
static bool zonelist_watermark_ok(gfp_t gfp, unsigned int order, unsigned int alloc_flags)
{
	enum zone_type highest = gfp_zone(gfp);
	int idx;

	for (idx = highest; idx >= 0; idx--) {
		struct zone *zone = &contig_page_data.node_zones[idx];

		if (populated_zone(zone) &&
		    zone_watermark_ok(zone, order, zone->_watermark[alloc_flags & ALLOC_WMARK_MASK],
				      highest, alloc_flags))
			return true;
	}
	return false;
}

/*
 * alloc_pages_zone(): a block from @zone alone, quietly NULL if it cannot
 * give one, for the callers that walk the zones in an order of their own
 * (vmalloc's HIGHMEM first, malloc's page blocks lowmem first).  @zone is
 * checked as __alloc_pages() checks it on its walk of @gfp's zonelist:
 * the low watermark plus lowmem_reserve[gfp_zone(gfp)], so that a lower
 * zone keeps its reserve from requests that could have gone higher; the
 * min watermark (gfp_to_alloc_flags()) only once no zone of the zonelist
 * passes its low one, where the kernel's fast path fails and
 * __alloc_pages_slowpath() retries.  @zone must be in the zonelist
 * (zone <= gfp_zone(gfp)).  *zeroed: the block's slots hold no host memory.
 */
struct page *alloc_pages_zone(gfp_t gfp, unsigned int order, enum zone_type zone, bool *zeroed)
{
	struct kalloc_pcpu *cpu;
	struct page *page;

	VM_BUG_ON(zone > gfp_zone(gfp));
	kalloc_init_once();
	cpu = this_cpu();
	page = get_page_from_freelist(cpu, gfp, order, ALLOC_WMARK_LOW, zone);
	if (!page && !zonelist_watermark_ok(gfp, order, ALLOC_WMARK_LOW))
		page = get_page_from_freelist(cpu, gfp, order, gfp_to_alloc_flags(gfp), zone);
	if (!page)
		return NULL;
	*zeroed = PageReported(page);
	prep_new_page(page, order, gfp & ~__GFP_ZERO);
	return page;
}


struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}
EXPORT_SYMBOL(alloc_page);

/* ------------------------------------------------------------ freeing -- */

static __cold __attribute__((noreturn)) void bad_page(const struct page *page,
						      const char *reason)
{
	panic("BUG: Bad page state: pfn:%#lx refcount:%d flags:%#lx type:%#x: %s",
	      __page_to_pfn(page), page->_refcount, page->flags, page->page_type, reason);
}

/* free_pages_prepare(): checks, and undo the compound page */
static inline void free_pages_prepare(struct page *page, unsigned int order)
{
	if (unlikely(PageBuddy(page)))
		bad_page(page, "freeing a page that is already free");
	if (unlikely(PageTail(page)))
		bad_page(page, "freeing a tail page");
	if (unlikely(page->flags & ((1UL << PG_reserved) | (1UL << PG_slab))))
		bad_page(page, PageReserved(page) ? "PAGE_FLAGS_CHECK_AT_FREE flag(s) set: reserved"
						  : "PAGE_FLAGS_CHECK_AT_FREE flag(s) set: slab");
	if (PageHead(page)) {
		unsigned long i, nr = 1UL << order;

		if (unlikely(page[1].compound_order != order))
			bad_page(page, "compound order mismatch");
		for (i = 1; i < nr; i++)
			page[i].compound_head = 0;
		page[1].compound_order = 0;
		ClearPageHead(page);
	}
	kmap_flush_freed(page, order);	/* highmem.c: a kept pkmap slot goes */
	page->flags &= ~(1UL << PG_reported);
	page->mapping = NULL;
}

/*
 * __free_frozen_pages(): free a block whose refcount already dropped to
 * zero: small orders to this thread's pcp, larger ones to the zone.
 */
static void free_frozen_pages(struct page *page, unsigned int order)
{
	struct zone *zone = __page_zone(page);
	unsigned long pfn = __page_to_pfn(page);
	int migratetype = get_pfnblock_migratetype(pfn);
	struct kalloc_pcpu *cpu = this_cpu();

	free_pages_prepare(page, order);
	count_zone_events(cpu, zone, PGFREE, 1UL << order);
	if (likely(order <= PCP_MAX_ORDER && cpu)) {
		free_unref_page_commit(cpu, zone, page, order, migratetype);
		return;
	}
	decay_clock_update();
	spin_lock(&zone->lock);
	__free_one_page(page, pfn, zone, order, migratetype, false);
	spin_unlock(&zone->lock);
	page_reporting_notify_free(zone);
}

/*
 * put_page_testzero(): drop a reference; true when it was the last.  The
 * sole owner (refcount 1) frees without an atomic instruction: nobody
 * else holds a reference to race with.
 */
static inline bool put_page_testzero(struct page *page)
{
	int c = READ_ONCE(page->_refcount);

	if (likely(c == 1)) {
		WRITE_ONCE(page->_refcount, 0);
		return true;
	}
	if (unlikely(c <= 0))
		bad_page(page, "page refcount underflow (double free?)");
	return __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL) == 0;
}

/*
 * ___free_pages(): drop the caller's reference.  If someone else still
 * holds the first page of a non-compound block, the rest of the block is
 * freed now, as halves, and the first page at the last put_page().
 */
void __free_pages(struct page *page, unsigned int order)
{
	bool head = PageHead(page);

	if (unlikely(order > MAX_PAGE_ORDER))
		bad_page(page, "order above MAX_PAGE_ORDER");
	if (put_page_testzero(page)) {
		free_frozen_pages(page, order);
	} else if (!head) {
		while (order-- > 0)
			free_frozen_pages(page + (1UL << order), order);
	}
}
EXPORT_SYMBOL(__free_pages);

void __free_page(struct page *page)
{
	__free_pages(page, 0);
}
EXPORT_SYMBOL(__free_page);

/*
 * free_pages_clean(): free a block whose slots are known to hold no host
 * memory (vmalloc kept the bytes in its window): it goes back reported.
 */
void free_pages_clean(struct page *page, unsigned int order)
{
	struct zone *zone = __page_zone(page);
	unsigned long pfn = __page_to_pfn(page);

	if (!put_page_testzero(page))
		return;
	free_pages_prepare(page, order);
	count_zone_events(this_cpu(), zone, PGFREE, 1UL << order);
	spin_lock(&zone->lock);
	__free_one_page(page, pfn, zone, order, get_pfnblock_migratetype(pfn), true);
	spin_unlock(&zone->lock);
}

/* ------------------------------------------------ address-based API -- */

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);

	return page ? (unsigned long)lowmem_page_address(page) : 0;
}
EXPORT_SYMBOL(__get_free_pages);

unsigned long __get_free_page(gfp_t gfp)
{
	return __get_free_pages(gfp, 0);
}
EXPORT_SYMBOL(__get_free_page);

unsigned long get_zeroed_page(gfp_t gfp)
{
	return __get_free_pages(gfp | __GFP_ZERO, 0);
}
EXPORT_SYMBOL(get_zeroed_page);

static struct page *addr_to_page_checked(unsigned long addr, const char *who)
{
	if (unlikely(!kalloc_initialized || !__phys_addr_valid(addr) ||
		     (addr - page_offset_base) >> PAGE_SHIFT >= max_low_pfn ||
		     !IS_ALIGNED(addr, PAGE_SIZE)))
		panic("%s: invalid pointer %#lx (not a page of the linear map)", who, addr);
	return __virt_to_page((void *)addr);
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		__free_pages(addr_to_page_checked(addr, "free_pages"), order);
}
EXPORT_SYMBOL(free_pages);

void free_page(unsigned long addr)
{
	free_pages(addr, 0);
}
EXPORT_SYMBOL(free_page);

void split_page(struct page *page, unsigned int order)
{
	unsigned long i;

	if (PageHead(page))
		bad_page(page, "split_page of a compound page");
	for (i = 1; i < (1UL << order); i++)
		set_page_count(&page[i], 1);
}
EXPORT_SYMBOL(split_page);

/*
 * __free_pages_core_range(): give [start_pfn, end_pfn) of one zone to the
 * buddy as the largest aligned blocks (memblock_free_pages() at boot,
 * onlining, and the tails of exact allocations).  Caller holds zone->lock
 * and has set the pages' refcounts to zero.
 */
void __free_pages_core_range(struct zone *zone, unsigned long start_pfn,
			     unsigned long end_pfn, bool reported)
{
	while (start_pfn < end_pfn) {
		unsigned int order = start_pfn ? min((unsigned int)__builtin_ctzl(start_pfn),
						     (unsigned int)MAX_PAGE_ORDER)
					       : MAX_PAGE_ORDER;

		while (start_pfn + (1UL << order) > end_pfn)
			order--;
		__free_one_page(__pfn_to_page(start_pfn), start_pfn, zone, order,
				get_pfnblock_migratetype(start_pfn), reported);
		start_pfn += 1UL << order;
	}
}

/*
 * free_pfn_range(): free the order-0 pages [start_pfn, end_pfn), each
 * holding one reference, in one pass under the zone lock; @reported: their
 * slots hold no host memory.
 */
void free_pfn_range(unsigned long start_pfn, unsigned long end_pfn, bool reported)
{
	struct zone *zone;
	unsigned long pfn;
	struct kalloc_pcpu *cpu = this_cpu();

	if (start_pfn >= end_pfn)
		return;
	zone = __page_zone(__pfn_to_page(start_pfn));
	if (end_pfn > zone_end_pfn(zone)) {	/* one zone at a time */
		free_pfn_range(zone_end_pfn(zone), end_pfn, reported);
		end_pfn = zone_end_pfn(zone);
	}
	for (pfn = start_pfn; pfn < end_pfn; pfn++) {
		struct page *page = __pfn_to_page(pfn);

		if (!put_page_testzero(page))
			continue;	/* someone else still holds it */
		free_pages_prepare(page, 0);
	}
	decay_clock_update();
	spin_lock(&zone->lock);
	for (pfn = start_pfn; pfn < end_pfn; ) {
		unsigned long run = pfn;

		while (run < end_pfn && __pfn_to_page(run)->_refcount == 0)
			run++;
		__free_pages_core_range(zone, pfn, run, reported);
		while (run < end_pfn && __pfn_to_page(run)->_refcount != 0)
			run++;
		pfn = run;
	}
	spin_unlock(&zone->lock);
	count_zone_events(cpu, zone, PGFREE, end_pfn - start_pfn);
	page_reporting_notify_free(zone);
}

/*
 * free_block_range(): give back [start_pfn, end_pfn), pages of one block
 * that are not handed out separately (no refcounts to drop: the tail of a
 * block being trimmed, or a trimmed block), as the largest aligned blocks.
 */
void free_block_range(unsigned long start_pfn, unsigned long end_pfn, bool reported)
{
	struct zone *zone;

	if (start_pfn >= end_pfn)
		return;
	zone = __page_zone(__pfn_to_page(start_pfn));
	__pfn_to_page(start_pfn)->_refcount = 0;
	decay_clock_update();
	spin_lock(&zone->lock);
	__free_pages_core_range(zone, start_pfn, end_pfn, reported);
	spin_unlock(&zone->lock);
	count_zone_events(this_cpu(), zone, PGFREE, end_pfn - start_pfn);
	page_reporting_notify_free(zone);
}

/*
 * free_block_containing(): the head of the free block that holds @pfn, or
 * NULL if @pfn is not free in @zone's buddy (is_free_buddy_page(): a block
 * aligned to 2^order below @pfn whose order is at least that).  Caller
 * holds zone->lock.
 */
static struct page *free_block_containing(struct zone *zone, unsigned long pfn)
{
	unsigned int order;

	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		unsigned long head_pfn = pfn & ~((1UL << order) - 1);
		struct page *head;

		if (!pfn_valid(head_pfn))
			return NULL;
		head = __pfn_to_page(head_pfn);
		if (PageBuddy(head) && buddy_order(head) >= order)
			return __page_zone(head) == zone ? head : NULL;
	}
	return NULL;
}

/*
 * __put_back_range(): [lo, hi), the part of a free block outside a range
 * being taken, back on the free lists as the largest aligned pieces, with
 * the block's migrate type, reported state and age (expand() for a cut
 * that is not a halving).  Caller holds zone->lock.
 */
static void __put_back_range(struct zone *zone, unsigned long lo, unsigned long hi,
			     int migratetype, bool reported, unsigned long freed)
{
	while (lo < hi) {
		unsigned int order = min((unsigned int)__builtin_ctzl(lo | (1UL << MAX_PAGE_ORDER)),
					 (unsigned int)(63 - __builtin_clzl(hi - lo)));

		add_to_free_list(__pfn_to_page(lo), zone, order, migratetype, reported, reported,
				 freed);
		lo += 1UL << order;
	}
}

/*
 * take_free_range(): take [start_pfn, end_pfn), the pages after a block in
 * use, off the free lists when every one of them is free in the buddy, for
 * a page block that grows in place (realloc).  The blocks that hold the
 * range are taken whole and what lies outside it goes back
 * (take_page_off_buddy() and break_down_buddy_pages() do this for one
 * page); pages on a pcp list are not free here.  Takes nothing and returns
 * false when a page is not free, or when the zone would fall below its min
 * watermark.  The pages come back with refcount 0 and no flags, as the
 * tail of a block.
 */
bool take_free_range(unsigned long start_pfn, unsigned long end_pfn)
{
	struct zone *zone = __page_zone(__pfn_to_page(start_pfn - 1));
	unsigned long pfn, nr = end_pfn - start_pfn;

	spin_lock(&zone->lock);
	if (zone_page_state(zone, NR_FREE_PAGES) < (long)(min_wmark_pages(zone) + nr))
		goto fail;
	for (pfn = start_pfn; pfn < end_pfn; ) {
		struct page *head = free_block_containing(zone, pfn);

		if (!head)
			goto fail;
		pfn = __page_to_pfn(head) + (1UL << buddy_order(head));
	}
	for (pfn = start_pfn; pfn < end_pfn; ) {
		struct page *head = free_block_containing(zone, pfn);
		unsigned int order = buddy_order(head);
		unsigned long head_pfn = __page_to_pfn(head), tail_pfn = head_pfn + (1UL << order);
		int migratetype = (int)head->index;
		unsigned long freed = head->buddy_freed;
		bool reported = PageReported(head);

		del_page_from_free_list(head, zone, order);
		ClearPageReported(head);
		head->index = 0;
		__put_back_range(zone, head_pfn, start_pfn, migratetype, reported, freed);
		__put_back_range(zone, end_pfn, tail_pfn, migratetype, reported, freed);
		pfn = tail_pfn;
	}
	spin_unlock(&zone->lock);
	count_zone_events(this_cpu(), zone, PGALLOC, nr);
	return true;
fail:
	spin_unlock(&zone->lock);
	return false;
}

/*
 * alloc_pages_exact(): PAGE_ALIGN(size) bytes of lowmem; the tail of the
 * order's block goes straight back to the buddy (make_alloc_exact()).
 */
void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	unsigned long nr = DIV_ROUND_UP(size, PAGE_SIZE);
	struct page *page;
	bool reported;

	if (unlikely(size == 0 || size > (MAX_ORDER_NR_PAGES << PAGE_SHIFT))) {
		if (size)
			warn_alloc(gfp, order);
		errno = ENOMEM;
		return NULL;
	}
	/* Zero the used part only: the tail goes back untouched. */
	page = __alloc_pages(gfp & ~(__GFP_COMP | __GFP_HIGHMEM | __GFP_ZERO), order, &reported);
	if (!page)
		return NULL;
	split_page(page, order);
	if ((gfp & __GFP_ZERO) && !reported)
		memset(lowmem_page_address(page), 0, nr << PAGE_SHIFT);
	free_pfn_range(__page_to_pfn(page) + nr, __page_to_pfn(page) + (1UL << order), reported);
	return lowmem_page_address(page);
}
EXPORT_SYMBOL(alloc_pages_exact);

void free_pages_exact(void *virt, size_t size)
{
	unsigned long addr = (unsigned long)virt;
	unsigned long nr = DIV_ROUND_UP(size, PAGE_SIZE);
	unsigned long pfn;

	if (!virt)
		return;
	addr_to_page_checked(addr, "free_pages_exact");
	if (nr > max_low_pfn || (addr - page_offset_base) / PAGE_SIZE + nr > max_low_pfn)
		panic("free_pages_exact: invalid size %zu at %#lx", size, addr);
	pfn = (addr - page_offset_base) >> PAGE_SHIFT;
	free_pfn_range(pfn, pfn + nr, false);
}
EXPORT_SYMBOL(free_pages_exact);

/* --------------------------------------------------- reference counts -- */

int page_count(const struct page *page)
{
	return READ_ONCE(compound_head(page)->_refcount);
}
EXPORT_SYMBOL(page_count);

void get_page(struct page *page)
{
	page = compound_head(page);
	if (unlikely(READ_ONCE(page->_refcount) <= 0))
		bad_page(page, "get_page on a free page");
	__atomic_add_fetch(&page->_refcount, 1, __ATOMIC_RELAXED);
}
EXPORT_SYMBOL(get_page);

void put_page(struct page *page)
{
	page = compound_head(page);
	if (put_page_testzero(page))
		free_frozen_pages(page, PageHead(page) ? page[1].compound_order : 0);
}
EXPORT_SYMBOL(put_page);

/* --------------------------------------------------- the memory map -- */

int pfn_valid(unsigned long pfn)
{
	return pfn < max_pfn && online_section_nr(pfn_to_section_nr(pfn));
}
EXPORT_SYMBOL(pfn_valid);

struct page *pfn_to_page(unsigned long pfn)
{
	return __pfn_to_page(pfn);
}
EXPORT_SYMBOL(pfn_to_page);

unsigned long page_to_pfn(const struct page *page)
{
	return __page_to_pfn(page);
}
EXPORT_SYMBOL(page_to_pfn);

enum zone_type page_zonenum(const struct page *page)
{
	return __page_zonenum(page);
}
EXPORT_SYMBOL(page_zonenum);

struct zone *page_zone(const struct page *page)
{
	return __page_zone(page);
}
EXPORT_SYMBOL(page_zone);

int PageHighMem(const struct page *page)
{
	return __page_zonenum(page) == ZONE_HIGHMEM;
}
EXPORT_SYMBOL(PageHighMem);

/* page_address(): lowmem is linear; HIGHMEM only while mapped */
void *page_address(const struct page *page)
{
	if (!PageHighMem(page))
		return lowmem_page_address(page);
	return READ_ONCE(((struct page *)page)->virtual);
}
EXPORT_SYMBOL(page_address);

int virt_addr_valid(const void *addr)
{
	unsigned long a = (unsigned long)addr;

	if (!kalloc_initialized)
		return 0;
	return a - page_offset_base < (max_low_pfn << PAGE_SHIFT) &&
	       pfn_valid((a - page_offset_base) >> PAGE_SHIFT);
}
EXPORT_SYMBOL(virt_addr_valid);

struct page *virt_to_page(const void *addr)
{
	return __virt_to_page(addr);
}
EXPORT_SYMBOL(virt_to_page);

unsigned long virt_to_pfn(const void *addr)
{
	return ((unsigned long)addr - page_offset_base) >> PAGE_SHIFT;
}
EXPORT_SYMBOL(virt_to_pfn);

/* ------------------------------------------------------- accounting -- */

unsigned long nr_free_pages(void)
{
	struct zone *zone;
	unsigned long sum = 0;

	kalloc_init_once();
	for_each_zone(zone)
		sum += zone_page_state(zone, NR_FREE_PAGES);
	return sum;
}
EXPORT_SYMBOL(nr_free_pages);

unsigned long totalram_pages(void)
{
	struct zone *zone;
	unsigned long sum = 0;

	kalloc_init_once();
	for_each_zone(zone)
		sum += zone->wmark_pages;
	return sum;
}
EXPORT_SYMBOL(totalram_pages);

unsigned long totalhigh_pages(void)
{
	kalloc_init_once();
	return contig_page_data.node_zones[ZONE_HIGHMEM].wmark_pages;
}
EXPORT_SYMBOL(totalhigh_pages);

unsigned long kalloc_max_pfn(void)
{
	kalloc_init_once();
	return max_pfn;
}

unsigned long zone_pcp_pages(struct zone *zone)
{
	struct kalloc_pcpu *cpu;
	unsigned long sum = 0;

	spin_lock(&pcpu_lock);
	list_for_each_entry(cpu, &all_pcpus, list)
		sum += READ_ONCE(cpu->pageset[zone_idx(zone)].count);
	spin_unlock(&pcpu_lock);
	return sum;
}

void zone_events_sum(struct zone *zone, unsigned long *events)
{
	struct kalloc_pcpu *cpu;
	unsigned int i;

	for (i = 0; i < NR_ZONE_EVENTS; i++)
		events[i] = READ_ONCE(zone->events[i]);
	spin_lock(&pcpu_lock);
	list_for_each_entry(cpu, &all_pcpus, list)
		for (i = 0; i < NR_ZONE_EVENTS; i++)
			events[i] += READ_ONCE(cpu->vm_events[zone_idx(zone)][i]);
	spin_unlock(&pcpu_lock);
}

/* ------------------------------------------------------ set-up at boot -- */

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1UL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/* init_per_zone_wmark_min() + __setup_per_zone_wmarks() */
static void setup_per_zone_wmarks(void)
{
	unsigned long lowmem_pages = 0, pages_min;
	struct zone *zone;

	for_each_zone(zone)
		if (!is_highmem_idx(zone_idx(zone)))
			lowmem_pages += zone->wmark_pages;
	if (!min_free_kbytes)
		min_free_kbytes = clamp(int_sqrt((lowmem_pages << (PAGE_SHIFT - 10)) * 16),
					128UL, 262144UL);
	pages_min = min_free_kbytes >> (PAGE_SHIFT - 10);

	for_each_zone(zone) {
		/* the zone's share of pages_min, by its size */
		unsigned long tmp = lowmem_pages ? pages_min * zone->wmark_pages / lowmem_pages : 0;

		if (is_highmem_idx(zone_idx(zone))) {
			/*
			 * HIGHMEM needs little: it serves no atomic requests.
			 * Its min is small, even while it has no pages, but
			 * the steps to low and high below come from the
			 * uncapped share, as the kernel's do.
			 */
			zone->_watermark[WMARK_MIN] = clamp(zone->wmark_pages / 1024, 32UL, 128UL);
		} else {
			zone->_watermark[WMARK_MIN] = tmp;
		}
		/* watermark_scale_factor = 10: 0.1% of the zone between marks */
		tmp = max(tmp >> 2, zone->wmark_pages * 10 / 10000);
		zone->_watermark[WMARK_LOW] = zone->_watermark[WMARK_MIN] + tmp;
		zone->_watermark[WMARK_HIGH] = zone->_watermark[WMARK_MIN] + 2 * tmp;
	}
}

/* setup_per_zone_lowmem_reserve() */
static void setup_per_zone_lowmem_reserve(void)
{
	int i, j;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &contig_page_data.node_zones[i];
		unsigned long managed = 0;

		for (j = i + 1; j < MAX_NR_ZONES; j++) {
			struct zone *upper = &contig_page_data.node_zones[j];

			managed += upper->wmark_pages;
			if (!sysctl_lowmem_reserve_ratio[i] || !zone->wmark_pages)
				zone->lowmem_reserve[j] = 0;
			else
				zone->lowmem_reserve[j] = managed / sysctl_lowmem_reserve_ratio[i];
		}
	}
}

/* zone_batchsize(): about 1/4 of 1/1024 of the zone, at most 63 pages */
static int zone_batchsize(const struct zone *zone)
{
	unsigned long batch = min(zone->wmark_pages >> 10, SZ_1M / PAGE_SIZE) / 4;
	unsigned long b;

	batch = max(batch, 1UL);
	batch += batch / 2;
	b = 1UL << (63 - __builtin_clzl(batch));	/* rounddown_pow_of_two */
	return max((int)b - 1, 1);
}

/* zone_highsize(): percpu_pagelist_high_fraction, or 6 batches */
static int zone_highsize(const struct zone *zone, int batch)
{
	unsigned long high;

	if (percpu_pagelist_high_fraction)
		high = zone->wmark_pages / percpu_pagelist_high_fraction;
	else
		high = 6UL * batch;
	return (int)clamp(high, (unsigned long)batch * 4, 8192UL);
}

/*
 * zone_set_pageset_high_and_batch() for the lists of the threads: the
 * kernel divides a zone's pcp budget among its CPUs (zone_highsize()).
 * Here the lists are per thread, so when live threads outnumber the
 * CPUs, each thread's high and batch are divided by threads / CPUs
 * (rounded up): all the lists together then hold about what the CPUs'
 * lists would, not 1.5 MiB for every thread a program starts.
 */
void pageset_set_high_and_batch(struct per_cpu_pages *pcp, const struct zone *zone,
				unsigned int share)
{
	int batch = max(zone->pcp_batch / (int)share, 1);

	WRITE_ONCE(pcp->batch, batch);
	WRITE_ONCE(pcp->high, max(zone->pcp_high / (int)share, 4 * batch));
}

/*
 * free_area_init(): zone spans from the e820 map (the node and ZONE_DMA start
 * at the first usable page, pfn 1: page 0 is not RAM after setup_arch()'s
 * update), then watermarks, reserves and pcp sizes.  No section is onlined
 * here: that happens on the first allocation that needs one.
 */
void free_area_init(void)
{
	static const unsigned long zone_end[MAX_NR_ZONES] = {
		MAX_DMA_PFN, MAXLOW_PFN, MAX_POSSIBLE_PFN,
		0,	/* ZONE_MOVABLE: no kernelcore=/movablecore=, empty at max_pfn */
	};
	struct pglist_data *pgdat = &contig_page_data;
	unsigned long start = memblock_start_pfn();
	int i;

	pgdat->node_id = 0;
	pgdat->node_start_pfn = start;
	pgdat->node_spanned_pages = max_pfn - start;
	pgdat->node_present_pages = 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		unsigned long end = min(zone_end[i], max_pfn);
		unsigned int order, t;

		if (end < start)
			end = start;
		zone->name = zone_names[i];
		zone->zone_nr = i;
		zone->zone_pgdat = pgdat;
		zone->zone_start_pfn = start;
		zone->spanned_pages = end - start;
		zone->present_pages = memblock_present_pages(start, end);
		zone->wmark_pages = zone->present_pages - memblock_reserved_pages(start, end);
		WRITE_ONCE(zone->offline_pages, zone->present_pages);
		zone->managed_pages = 0;
		zone->online_pfn = start;
		spin_lock_init(&zone->lock);
		for_each_migratetype_order(order, t)
			INIT_LIST_HEAD(&zone->free_area[order].free_list[t]);
		pgdat->node_present_pages += zone->present_pages;
		start = end;
	}
	setup_per_zone_wmarks();
	setup_per_zone_lowmem_reserve();
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];

		zone->pcp_batch = zone_batchsize(zone);
		zone->pcp_high = zone_highsize(zone, zone->pcp_batch);
		if (i == ZONE_MOVABLE) {
			/* the boot log's own heading, and no line: no movablecore= */
			pr_info("Movable zone start for each node\n");
			continue;
		}
		pr_info("  %-8s [mem 0x%016lx-0x%016lx] present %lu min %lu low %lu high %lu\n",
			zone->name, zone->zone_start_pfn << PAGE_SHIFT,
			zone->spanned_pages ? (zone_end_pfn(zone) << PAGE_SHIFT) - 1 : zone->zone_start_pfn << PAGE_SHIFT,
			zone->present_pages, zone->_watermark[WMARK_MIN],
			zone->_watermark[WMARK_LOW], zone->_watermark[WMARK_HIGH]);
	}
}

/* --------------------------------------------------- threads and fork -- */

void page_alloc_thread_exit(void)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;
	struct zone *zone;
	unsigned int i;

	if ((uintptr_t)cpu <= (uintptr_t)PCPU_DEAD)
		return;
	for_each_zone(zone) {
		drain_pages_zone(cpu, zone);
		spin_lock(&zone->lock);
		for (i = 0; i < NR_ZONE_EVENTS; i++)
			WRITE_ONCE(zone->events[i], zone->events[i] + cpu->vm_events[zone_idx(zone)][i]);
		spin_unlock(&zone->lock);
		memset(cpu->vm_events[zone_idx(zone)], 0, sizeof(cpu->vm_events[0]));
		page_reporting_notify_free(zone);
	}
}

/*
 * Take the zone locks in the global order (fork's prepare); pcpu_lock is
 * taken before them by slub_fork_prepare().
 */
void page_alloc_fork_prepare(void)
{
	struct zone *zone;

	for_each_zone(zone)
		spin_lock(&zone->lock);
}

void page_alloc_fork_parent(void)
{
	int i;

	for (i = MAX_NR_ZONES - 1; i >= 0; i--)
		spin_unlock(&contig_page_data.node_zones[i].lock);
}

void page_alloc_fork_child(void)
{
	struct zone *zone;
	int i;

	for_each_zone(zone)
		zone->reporting_active = false;
	for (i = MAX_NR_ZONES - 1; i >= 0; i--)
		spin_lock_init(&contig_page_data.node_zones[i].lock);
}
