/*
 * lib/mm.h - the emulated machine's memory model: struct page, zones,
 * the node, sections and the virtual layout (include/linux/mm_types.h,
 * include/linux/mmzone.h, include/linux/mm.h in the kernel).
 *
 * The emulated machine is an i386 PAE box with one node:
 *
 *	ZONE_DMA	pfn [1, 4096)		4 KiB - 16 MiB (page 0 is not RAM)
 *	ZONE_NORMAL	pfn [4096, 229376)	16 MiB - 896 MiB
 *	ZONE_HIGHMEM	pfn [229376, max_pfn)	896 MiB - mem=
 *
 * Virtual layout: one host reservation made at start-up holds, in order,
 *
 *	vmemmap		struct page mem_map[max_pfn] (SPARSEMEM_VMEMMAP)
 *	phys		one 4 KiB slot per frame: frame pfn lives at
 *			page_offset_base + pfn * PAGE_SIZE.  The lowmem part
 *			is the linear map (read/write); HIGHMEM slots are
 *			PROT_NONE while their frame is not mapped.
 *	8 MiB gap
 *	vmalloc		[VMALLOC_START, VMALLOC_END)
 *	pkmap		LAST_PKMAP slots for kmap() at PKMAP_BASE
 *	fixmap		KM_MAX_IDX slots per CPU for kmap_local_page(),
 *			FIX_KMAP_BEGIN at FIXADDR_TOP and going down, in the
 *			4 MiB that hold the pkmap too (highmem.c)
 *	brk		the emulated mm->brk heap
 *
 * so that virt_to_page() is one subtraction for every frame.
 *
 * Equations kept by every zone (include/linux/mmzone.h):
 *
 *	spanned_pages = zone_end_pfn - zone_start_pfn
 *	present_pages = spanned_pages - absent pages (e820 holes)
 *	managed_pages = onlined present pages - memblock-reserved pages
 *	NR_FREE_PAGES = sum over orders of nr_free * 2^order
 *	             (pages on per-cpu lists are not counted free, as in
 *	             the kernel)
 */
#ifndef KALLOC_MM_H
#define KALLOC_MM_H

#include "kalloc.h"
#include "kernel.h"

/* ---------------------------------------------------- machine sizes -- */

#define MAX_DMA_PFN		((16UL * SZ_1M) >> PAGE_SHIFT)
#define MAXLOW_PFN		((896UL * SZ_1M) >> PAGE_SHIFT)
#define MAX_PHYSMEM_BITS	36		/* PAE: 64 GiB */
#define MAX_POSSIBLE_PFN	(1UL << (MAX_PHYSMEM_BITS - PAGE_SHIFT))

/*
 * SPARSEMEM: memory is onlined one section (4 MiB, one MAX_PAGE_ORDER
 * block) at a time, when a zone's free lists cannot serve a request.
 */
#define SECTION_SIZE_BITS	22
#define PFN_SECTION_SHIFT	(SECTION_SIZE_BITS - PAGE_SHIFT)
#define PAGES_PER_SECTION	(1UL << PFN_SECTION_SHIFT)
#define NR_MEM_SECTIONS		(MAX_POSSIBLE_PFN >> PFN_SECTION_SHIFT)
#define pfn_to_section_nr(pfn)	((pfn) >> PFN_SECTION_SHIFT)
#define section_nr_to_pfn(sec)	((unsigned long)(sec) << PFN_SECTION_SHIFT)

/* Pageblocks: the unit of migrate-type grouping (PAE huge page: 2 MiB). */
#define pageblock_order		9
#define pageblock_nr_pages	(1UL << pageblock_order)
#define PAGEBLOCKS_PER_SECTION	(PAGES_PER_SECTION / pageblock_nr_pages)

/* ------------------------------------------------------ migrate types -- */

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_PCPTYPES,	/* the number of types on the pcp lists */
	/*
	 * The kernel's two types that are never on a pcp list: pageblocks
	 * kept for high-order atomic requests, and pageblocks isolated for
	 * migration or offlining.  kalloc makes neither, so their lists
	 * stay empty, but each has its rows in pagetypeinfo, as a kernel
	 * without CMA prints them.
	 */
	MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

extern const char *const migratetype_names[MIGRATE_TYPES];

#define for_each_migratetype_order(order, type) \
	for (order = 0; order < NR_PAGE_ORDERS; order++) \
		for (type = 0; type < MIGRATE_TYPES; type++)

/* ------------------------------------------------------- struct page -- */

struct kmem_cache;

/*
 * One per frame, 64 bytes, in mem_map[].  The union holds one owner's
 * fields at a time, labelled by owner as in mm_types.h.
 */
struct page {
	unsigned long flags;		/* PG_* bits; zone in the top bits */
	union {
		struct {	/* buddy free lists, pcp lists, page owners */
			struct list_head lru;
			union {
				void *mapping;
				/* buddy, not reported: decay clock when freed */
				unsigned long buddy_freed;
			};
			unsigned long index;	/* pcp: migratetype */
			unsigned long private;	/* buddy: order */
		};
		struct {	/* slab (mm/slub.c) */
			struct list_head slab_list;
			struct kmem_cache *slab_cache;
			void *freelist;
			unsigned long counters;	/* inuse, objects, frozen */
		};
		struct {	/* tail pages of a compound page */
			unsigned long compound_head;	/* head address | 1 */
			unsigned char compound_order;	/* first tail only */
		};
	};
	unsigned int page_type;		/* PGTY_* or 0 */
	int _refcount;
	void *virtual;			/* HIGHMEM: where it is mapped, or NULL */
};

_Static_assert(sizeof(struct page) == 64, "struct page is one cache line");

/* page->flags */
enum pageflags {
	PG_reserved,	/* not managed by the buddy (e820/memblock hole) */
	PG_head,	/* head of a compound page */
	PG_reported,	/* free block given back to the host: reads as zero */
	PG_slab,	/* owned by the slab allocator */
	PG_highmapped,	/* HIGHMEM frame mapped at its own slot */
	PG_large,	/* head of a malloc page block; index = its pages */
	__NR_PAGEFLAGS
};

#define PAGEFLAG_OPS(uname, lname)					\
static inline bool Page##uname(const struct page *page)		\
{ return (page->flags >> PG_##lname) & 1; }				\
static inline void SetPage##uname(struct page *page)			\
{ page->flags |= 1UL << PG_##lname; }					\
static inline void ClearPage##uname(struct page *page)			\
{ page->flags &= ~(1UL << PG_##lname); }

PAGEFLAG_OPS(Reserved, reserved)
PAGEFLAG_OPS(Head, head)
PAGEFLAG_OPS(Reported, reported)
PAGEFLAG_OPS(Slab, slab)
PAGEFLAG_OPS(HighMapped, highmapped)
PAGEFLAG_OPS(Large, large)

/*
 * page->page_type: set only while the page heads a free buddy block.
 * page_is_buddy() reads it for a page it does not own (the buddy may be
 * allocated, and a slab being freed rewrites its pages' types outside the
 * zone lock): the test and the writers are single word atomics.
 */
#define PGTY_buddy	0xf0000000u
static inline bool PageBuddy(const struct page *page)
{
	return READ_ONCE(page->page_type) == PGTY_buddy;
}
static inline void __SetPageBuddy(struct page *page) { WRITE_ONCE(page->page_type, PGTY_buddy); }
static inline void __ClearPageBuddy(struct page *page) { WRITE_ONCE(page->page_type, 0); }

static inline bool PageTail(const struct page *page)
{
	return page->compound_head & 1;
}

static inline struct page *compound_head(const struct page *page)
{
	unsigned long head = READ_ONCE(page->compound_head);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

static inline unsigned int buddy_order(const struct page *page)
{
	return page->private;
}

static inline void set_page_private(struct page *page, unsigned long v)
{
	page->private = v;
}

static inline void set_page_count(struct page *page, int v)
{
	page->_refcount = v;
}

/*
 * The zone of a page.  The kernel keeps it in the top bits of page->flags
 * (set by memmap_init_range()); kalloc's zones are fixed pfn ranges, so
 * it is computed from the pfn, and onlining a section writes no struct
 * page at all (sparse.c): a frame nobody touched costs no memory.
 */
static inline enum zone_type __pfn_zonenum(unsigned long pfn)
{
	if (pfn < MAX_DMA_PFN)
		return ZONE_DMA;
	return pfn < MAXLOW_PFN ? ZONE_NORMAL : ZONE_HIGHMEM;
}

/* ---------------------------------------------------------- the zone -- */

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	NR_WMARK
};

/* Zone state, written under zone->lock. */
enum zone_stat_item {
	NR_FREE_PAGES,		/* pages on the buddy free lists */
	NR_REPORTED_PAGES,	/* of those, given back to the host */
	NR_VM_ZONE_STAT_ITEMS
};

/*
 * Events, counted per thread without atomics like the kernel's per-cpu
 * vm_event_states and summed on demand by zone_events_sum(); a thread that
 * exits adds its counts to zone->events under zone->lock.
 */
enum zone_event_item {
	PGALLOC,		/* pages allocated (per page) */
	PGFREE,			/* pages freed (per page) */
	PGALLOC_FALLBACK,	/* allocations served by a lower zone */
	PGSTEAL_MIGRATETYPE,	/* fallbacks that stole another type's block */
	PGONLINE_SECTIONS,	/* sections onlined */
	PGREPORTED,		/* pages given back to the host (madvise) */
	PGREPORT_CALLS,		/* madvise calls made for that */
	ALLOCSTALL_FAIL,	/* allocations that failed */
	NR_ZONE_EVENTS
};

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

struct pglist_data;

struct zone {
	/* Read-mostly: set at boot, read on every allocation. */
	unsigned long wmark_pages;	/* present - reserved: what marks scale by */
	unsigned long _watermark[NR_WMARK];
	long lowmem_reserve[MAX_NR_ZONES];
	struct pglist_data *zone_pgdat;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;
	const char *name;
	int zone_nr;		/* its index in node_zones[] (zone_idx()) */
	int pcp_high;		/* per-cpu list high mark, in pages */
	int pcp_batch;		/* per-cpu refill/drain chunk, in pages */

	/* Written under lock. */
	spinlock_t lock __cacheline_aligned;
	struct free_area free_area[NR_PAGE_ORDERS];
	unsigned long managed_pages;	/* onlined, not reserved */
	unsigned long online_pfn;	/* sections below this are online */
	unsigned long offline_pages;	/* present pages not yet onlined */
	unsigned long reporting_pending; /* unreported free pages >= order */
	unsigned long pending_oldest;	/* decay clock: no pending block is older */
	unsigned long decay_next;	/* decay clock: the next pass, at the earliest */
	bool reporting_active;	/* a thread is reporting this zone */

	/* Counters: written under lock, read locklessly. */
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
	unsigned long events[NR_ZONE_EVENTS];	/* exited threads' events */
} __cacheline_aligned;

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
{
	return zone->zone_start_pfn <= pfn && pfn < zone_end_pfn(zone);
}

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline unsigned long min_wmark_pages(const struct zone *z) { return z->_watermark[WMARK_MIN]; }
static inline unsigned long low_wmark_pages(const struct zone *z) { return z->_watermark[WMARK_LOW]; }
static inline unsigned long high_wmark_pages(const struct zone *z) { return z->_watermark[WMARK_HIGH]; }

static inline long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	return READ_ONCE(zone->vm_stat[item]);
}

static inline void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long delta)
{
	WRITE_ONCE(zone->vm_stat[item], zone->vm_stat[item] + delta);
}

static inline void __count_zone_events(struct zone *zone, enum zone_event_item item, unsigned long n)
{
	WRITE_ONCE(zone->events[item], zone->events[item] + n);
}

/* ---------------------------------------------------------- the node -- */

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	int node_id;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
} pg_data_t;

extern struct pglist_data contig_page_data;	/* the one node (UMA) */
#define NODE_DATA(nid)	(&contig_page_data)

/*
 * The kernel subtracts pointers; struct zone's size is no power of two, so
 * that would divide on every allocation: the index is kept in the zone.
 */
static inline enum zone_type zone_idx(const struct zone *zone)
{
	return (enum zone_type)zone->zone_nr;
}

static inline bool is_highmem_idx(enum zone_type idx)
{
	/* ZONE_MOVABLE counts as HIGHMEM when HIGHMEM is the highest populated zone */
	return idx == ZONE_HIGHMEM ||
	       (idx == ZONE_MOVABLE && contig_page_data.node_zones[ZONE_HIGHMEM].present_pages);
}

#define for_each_zone(zone)						\
	for (zone = contig_page_data.node_zones;			\
	     zone < contig_page_data.node_zones + MAX_NR_ZONES; zone++)

#define for_each_populated_zone(zone)					\
	for_each_zone(zone)						\
		if (!populated_zone(zone)) ; else

/* ---------------------------------------------------------- sections -- */

/*
 * mem_section[]: one per 4 MiB of the emulated physical space.  Its
 * pageblock_flags hold the migrate type of each pageblock (the kernel's
 * usemap); section_mem_map is SECTION_ONLINE once its struct pages are
 * initialised and its free pages are in the buddy.
 */
struct mem_section {
	unsigned char section_mem_map;
	unsigned char pageblock_flags[PAGEBLOCKS_PER_SECTION];
};
#define SECTION_ONLINE	1
#define SECTION_SLOTS_RW	2	/* HIGHMEM slots made accessible (slabs) */

extern struct mem_section mem_section[NR_MEM_SECTIONS];

static inline struct mem_section *__pfn_to_section(unsigned long pfn)
{
	return &mem_section[pfn_to_section_nr(pfn)];
}

static inline bool online_section_nr(unsigned long nr)
{
	return READ_ONCE(mem_section[nr].section_mem_map) & SECTION_ONLINE;
}

static inline int get_pfnblock_migratetype(unsigned long pfn)
{
	return __pfn_to_section(pfn)->pageblock_flags[(pfn & (PAGES_PER_SECTION - 1)) >> pageblock_order];
}

static inline void set_pageblock_migratetype_pfn(unsigned long pfn, int mt)
{
	__pfn_to_section(pfn)->pageblock_flags[(pfn & (PAGES_PER_SECTION - 1)) >> pageblock_order] = mt;
}

/* ---------------------------------------------------- virtual layout -- */

extern unsigned long max_pfn;		/* end of the emulated memory */
extern unsigned long max_low_pfn;	/* end of lowmem (linear map) */
extern unsigned long kalloc_phys_size;	/* max_pfn << PAGE_SHIFT: the slots' extent */
extern struct page *vmemmap_base;	/* mem_map */
extern unsigned long page_offset_base;	/* frame 0's slot */
extern unsigned long vmalloc_base, vmalloc_end;
extern unsigned long pkmap_base;
extern unsigned long fixaddr_top;
extern unsigned long brk_window_base, brk_window_end;
extern unsigned long kalloc_reservation_start, kalloc_reservation_end;
/* Under RLIMIT_AS: only the memory in use is mapped (mm_init.c, reserve_sparse_layout()). */
extern bool kalloc_sparse_layout;
void sparse_release_slots(unsigned long pfn, unsigned long nr) __hidden;
bool sparse_restore_slots(unsigned long pfn, unsigned long nr) __hidden;

#define mem_map		vmemmap_base
#define PAGE_OFFSET	page_offset_base
#define VMALLOC_START	vmalloc_base
#define VMALLOC_END	vmalloc_end
#define PKMAP_BASE	pkmap_base
#define LAST_PKMAP	512	/* PAE */

/*
 * The fixmap's kmap_local_page() slots (arch/x86/include/asm/fixmap.h):
 * KM_MAX_IDX per CPU for NR_CPUS CPUs (Debian's i386 kernels are built
 * for 32), each CPU's a stack; index x is at FIXADDR_TOP - x pages.  The
 * pkmap and the fixmap share one 4 MiB stretch of the layout: the pkmap
 * its lower half, the fixmap its upper half, FIXADDR_TOP its last page.
 */
#define NR_CPUS		32
#define KM_MAX_IDX	16
enum fixed_addresses {
	FIX_KMAP_BEGIN,
	FIX_KMAP_END = FIX_KMAP_BEGIN + KM_MAX_IDX * NR_CPUS - 1,
	__end_of_fixed_addresses
};
#define FIXADDR_TOP		fixaddr_top
#define FIXADDR_SIZE		((unsigned long)__end_of_fixed_addresses << PAGE_SHIFT)
#define FIXADDR_START		(FIXADDR_TOP + PAGE_SIZE - FIXADDR_SIZE)
#define __fix_to_virt(x)	(FIXADDR_TOP - ((unsigned long)(x) << PAGE_SHIFT))
#define PKMAP_FIXMAP_SIZE	(4UL << 20)
_Static_assert(LAST_PKMAP * PAGE_SIZE + KM_MAX_IDX * NR_CPUS * PAGE_SIZE <= (4UL << 20),
	       "the pkmap and the fixmap fit in their 4 MiB");

static inline struct page *__pfn_to_page(unsigned long pfn)
{
	return vmemmap_base + pfn;
}

static inline unsigned long __page_to_pfn(const struct page *page)
{
	return page - vmemmap_base;
}

/* Every frame has a slot; lowmem slots form the linear map. */
static inline void *pfn_to_slot(unsigned long pfn)
{
	return (void *)(page_offset_base + (pfn << PAGE_SHIFT));
}

static inline bool __phys_addr_valid(unsigned long addr)
{
	return addr - page_offset_base < (max_pfn << PAGE_SHIFT);
}

static inline struct page *__virt_to_page(const void *addr)
{
	return vmemmap_base + (((unsigned long)addr - page_offset_base) >> PAGE_SHIFT);
}

static inline void *lowmem_page_address(const struct page *page)
{
	return pfn_to_slot(__page_to_pfn(page));
}

static inline enum zone_type __page_zonenum(const struct page *page)
{
	return __pfn_zonenum(__page_to_pfn(page));
}

static inline struct zone *__page_zone(const struct page *page)
{
	return &contig_page_data.node_zones[__page_zonenum(page)];
}

/* ------------------------------------------------ internal interfaces -- */

/* mm_init.c: one-time set-up, safe to call from any thread at any time. */
void kalloc_init(void) __hidden;
extern int kalloc_initialized;
static inline void kalloc_init_once(void)
{
	if (unlikely(!__atomic_load_n(&kalloc_initialized, __ATOMIC_ACQUIRE)))
		kalloc_init();
}

/* e820.c */
void e820__memory_setup(unsigned long long mem_end) __hidden;
void e820__print_table(void) __hidden;
bool memblock_is_memory_pfn(unsigned long pfn) __hidden;
bool memblock_is_reserved_pfn(unsigned long pfn) __hidden;
unsigned long memblock_present_pages(unsigned long start_pfn, unsigned long end_pfn) __hidden;
unsigned long memblock_reserved_pages(unsigned long start_pfn, unsigned long end_pfn) __hidden;
unsigned long memblock_start_pfn(void) __hidden;

/* sparse.c: onlining sections on demand (mirrors deferred_grow_zone()) */
bool grow_zone(struct zone *zone) __hidden;	/* caller holds zone->lock */

/* page_alloc.c */
void free_area_init(void) __hidden;
void __free_pages_core_range(struct zone *zone, unsigned long start_pfn,
			     unsigned long end_pfn, bool reported) __hidden;
void __free_one_page(struct page *page, unsigned long pfn, struct zone *zone,
		     unsigned int order, int migratetype, bool reported) __hidden;
struct page *alloc_pages_zone(gfp_t gfp, unsigned int order, enum zone_type zone,
			     bool *zeroed) __hidden;
void free_pages_clean(struct page *page, unsigned int order) __hidden;
void free_pfn_range(unsigned long start_pfn, unsigned long end_pfn, bool reported) __hidden;
void free_block_range(unsigned long start_pfn, unsigned long end_pfn, bool reported) __hidden;
bool take_free_range(unsigned long start_pfn, unsigned long end_pfn) __hidden;
void page_alloc_fork_prepare(void) __hidden;
void page_alloc_fork_parent(void) __hidden;
void page_alloc_fork_child(void) __hidden;
void page_alloc_thread_exit(void) __hidden;

/* The most frames out of the buddy's free lists at once (summary report). */
extern unsigned long held_pages_peak __hidden;
/* Pages on every thread's per-cpu lists of the zone (racy sum). */
unsigned long zone_pcp_pages(struct zone *zone) __hidden;
/* Sum of every thread's events for the zone into events[NR_ZONE_EVENTS]. */
void zone_events_sum(struct zone *zone, unsigned long *events) __hidden;

/*
 * page_reporting.c: giving free memory back to the host when it has stayed
 * free for page_reporting_delay.  The decay clock counts milliseconds
 * (CLOCK_MONOTONIC_COARSE); decay_clock_update() refreshes it, and every
 * path that frees to a zone calls it before taking the zone lock, so that
 * __free_one_page() stamps blocks with the time of their free.
 */
extern unsigned long decay_clock __hidden;
unsigned long decay_clock_update(void) __hidden;
#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
void page_reporting_notify_free(struct zone *zone) __hidden;
/* vmscan.c: the decay tick, at the end of slow paths that hold no lock */
void vmscan_tick(void) __hidden;
void vmscan_fork_child(void) __hidden;
unsigned long kswapd_nr_wakeups(void) __hidden;
unsigned long zone_report_pages(struct zone *zone, bool all) __hidden;

/*
 * highmem.c: a HIGHMEM page that is freed gives up the pkmap slot its
 * last kunmap() left it, before the buddy hands the frame to anyone else
 * (free_pages_prepare()); nothing to do while no slot has a count.
 */
extern unsigned int pkmap_nr_mapped __hidden;
void __kmap_flush_freed(struct page *page, unsigned int order) __hidden;
static inline void kmap_flush_freed(struct page *page, unsigned int order)
{
	if (unlikely(READ_ONCE(pkmap_nr_mapped)) && __page_zonenum(page) == ZONE_HIGHMEM)
		__kmap_flush_freed(page, order);
}

/* phys.c: the host memory behind the frames (phys=anon or phys=memfd) */
extern char phys_backing[8];
extern int kalloc_phys_fd;		/* the memfd with phys=memfd, else -1 */
static inline bool phys_is_memfd(void)
{
	return kalloc_phys_fd >= 0;
}
int kalloc_discard(unsigned long pfn, unsigned long nr_pages) __hidden;
int phys_map(unsigned long addr, unsigned long pfn, unsigned long nr, int prot) __hidden;
int phys_open_slots(unsigned long pfn, unsigned long nr) __hidden;
void phys_init(void) __hidden;
void phys_fork_prepare(void) __hidden;
void phys_fork_parent(void) __hidden;
void phys_fork_child(void) __hidden;

#endif /* KALLOC_MM_H */
