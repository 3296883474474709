/*
 * tests/test_page_alloc.c - unit tests of the buddy page allocator
 * (lib/page_alloc.c, lib/sparse.c, lib/page_reporting.c), one thread.
 *
 * Every case runs in a child process on a machine of its own
 * (KALLOC_OPTIONS set before kalloc's first call, see testutil.h), and
 * looks at the allocator's insides directly: the zones' free_area[],
 * vm_stat[], watermarks and lowmem_reserve[], mem_section[] and the
 * pageblock types.  Counting conventions:
 *
 *	nr_free_pages()		pages on the buddy free lists (NR_FREE_PAGES);
 *				pages on pcp lists are not in it, so tests
 *				drain_local_pages(NULL) before comparing it.
 *	tu_available()		free + pcp + not yet onlined: what the
 *				machine could still hand out; exact across
 *				any allocation or free without a drain.
 *
 * The machines used (i386 zones: DMA [0, 16M), NORMAL [16M, 896M),
 * HIGHMEM above; pfn 0 reserved in the e820 map, so DMA starts at pfn 1;
 * e820 holes at pfn 159 and 160-255; the first MiB reserved in memblock):
 *
 *	mem=32M		DMA 3998 present (3840 managed), NORMAL 4096, no HIGHMEM
 *	mem=64M		DMA 3998, NORMAL 12288
 *	mem=256M	DMA 3998, NORMAL 61440
 *	mem=1G		DMA 3998, NORMAL 225280, HIGHMEM 32768
 *	mem=2G		DMA 3998, NORMAL 225280, HIGHMEM 294912
 */
#include "testutil.h"

#include <pthread.h>
#include <sys/mman.h>

#define NORMAL_START_PFN	4096UL		/* 16 MiB */
#define HIGHMEM_START_PFN	229376UL	/* 896 MiB */

/*
 * e820: page 0 and [0x9fc00, 0x100000) are not RAM; memblock drops pfn 159
 * whole, and reserves the first MiB: its RAM, pfns 1-158, is not managed.
 */
#define DMA_PRESENT		(4096UL - 1 - 1 - 96)
#define DMA_LOW_RESERVED	158UL
#define DMA_MANAGED		(DMA_PRESENT - DMA_LOW_RESERVED)

/* no reporting at all: freed memory keeps what was written to it */
#define NO_REPORTING	"page_reporting_delay=60000 page_reporting_high=64G"

/* ---------------------------------------------------------- helpers -- */

static struct page *must_alloc(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	if (!page)
		fail_msg("alloc_pages(%#x, %u) failed: nr_free_pages %lu", gfp, order,
			 nr_free_pages());
	return page;
}

static unsigned long zone_managed(enum zone_type idx)
{
	return tu_zone(idx)->managed_pages;
}

/*
 * What the watermark checks count as free: the free lists and the
 * sections not onlined yet (a zone may end its life with an offline
 * section that its reserve never needed).
 */
static unsigned long zone_wmark_free(enum zone_type idx)
{
	return tu_zone_free(idx) + tu_zone(idx)->offline_pages;
}

/* Pages kalloc itself held when the test began (its own slabs). */
static unsigned long boot_in_use;

/* Bring the machine up and note what kalloc holds for itself. */
static void boot(void)
{
	nr_free_pages();
	boot_in_use = tu_pages_in_use();
}

/*
 * PA_TEST(name, options, timeout) { body }: a CHILD_TEST whose body runs
 * on a machine just booted by boot().
 */
#define PA_TEST(name, options, timeout_s)				\
	static void name##_run(void);					\
	CHILD_TEST(name, options, timeout_s)				\
	{								\
		boot();							\
		name##_run();						\
	}								\
	static void name##_run(void)

/*
 * Everything the test allocated came back: once this thread's pcp lists
 * are drained, the pages in use are those kalloc held at boot, and the
 * free lists are sound.
 */
static void assert_all_free(void)
{
	int i;

	drain_local_pages(NULL);
	for (i = 0; i < MAX_NR_ZONES; i++)
		assert_int_equal(zone_pcp_pages(tu_zone(i)), 0);
	assert_int_equal(tu_pages_in_use(), boot_in_use);
	tu_check_all_buddies();
}

static void snapshot_nr_free(unsigned long nr[MAX_NR_ZONES][NR_PAGE_ORDERS])
{
	int z, o;

	for (z = 0; z < MAX_NR_ZONES; z++)
		for (o = 0; o < NR_PAGE_ORDERS; o++)
			nr[z][o] = tu_zone(z)->free_area[o].nr_free;
}

/* A lowmem block as the kernel's linear map has it. */
static void assert_lowmem_block(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	void *addr = page_address(page);

	assert_int_equal(pfn & ((1UL << order) - 1), 0);
	assert_true(pfn + (1UL << order) <= max_low_pfn);
	assert_false(PageHighMem(page));
	assert_ptr_equal(addr, (void *)(PAGE_OFFSET + pfn * PAGE_SIZE));
	assert_ptr_equal(virt_to_page(addr), page);
	assert_int_equal(virt_to_pfn(addr), pfn);
	assert_true(virt_addr_valid(addr));
	assert_ptr_equal(pfn_to_page(pfn), page);
	assert_int_equal(page_count(page), 1);
}

static unsigned long count_pageblocks(enum zone_type idx, int migratetype)
{
	struct zone *zone = tu_zone(idx);
	unsigned long pfn, n = 0;

	for (pfn = zone->zone_start_pfn; pfn < zone_end_pfn(zone); pfn += pageblock_nr_pages)
		if (online_section_nr(pfn_to_section_nr(pfn)) &&
		    get_pfnblock_migratetype(pfn) == migratetype)
			n++;
	return n;
}

static unsigned long isqrt(unsigned long x)
{
	unsigned long r = 0;

	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

/* --------------------------------------------- every order, GFP_KERNEL -- */

static void alloc_every_order(struct page *pages[NR_PAGE_ORDERS], bool check)
{
	unsigned int order;

	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		pages[order] = must_alloc(GFP_KERNEL, order);
		if (!check)
			continue;
		assert_int_equal(page_zonenum(pages[order]), ZONE_NORMAL);
		assert_ptr_equal(page_zone(pages[order]), tu_zone(ZONE_NORMAL));
		assert_lowmem_block(pages[order], order);
		/* writable over the whole block */
		tu_fill(page_address(pages[order]), 1UL << order, 1000 + order, true);
	}
}

PA_TEST(test_every_order_gfp_kernel, "mem=2G", 30)
{
	unsigned long before[MAX_NR_ZONES][NR_PAGE_ORDERS], after[MAX_NR_ZONES][NR_PAGE_ORDERS];
	struct page *pages[NR_PAGE_ORDERS];
	unsigned long free_before;
	unsigned int order, other;

	/* Warm up: the first round onlines the sections it needs. */
	alloc_every_order(pages, false);
	for (order = 0; order <= MAX_PAGE_ORDER; order++)
		__free_pages(pages[order], order);
	drain_local_pages(NULL);
	free_before = nr_free_pages();
	snapshot_nr_free(before);
	assert_true(free_before > 0);

	alloc_every_order(pages, true);
	/* The blocks are disjoint and each kept its content. */
	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		unsigned long a = page_to_pfn(pages[order]);

		for (other = 0; other < order; other++) {
			unsigned long b = page_to_pfn(pages[other]);

			assert_true(a + (1UL << order) <= b || b + (1UL << other) <= a);
		}
		assert_null(tu_check_fill(page_address(pages[order]), 1UL << order,
					  1000 + order, true));
	}
	drain_local_pages(NULL);
	assert_int_equal(nr_free_pages(), free_before - (2 * MAX_ORDER_NR_PAGES - 1));

	for (order = 0; order <= MAX_PAGE_ORDER; order++)
		__free_pages(pages[order], order);
	drain_local_pages(NULL);
	assert_int_equal(nr_free_pages(), free_before);
	snapshot_nr_free(after);
	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		assert_int_equal(after[ZONE_DMA][order], before[ZONE_DMA][order]);
		assert_int_equal(after[ZONE_NORMAL][order], before[ZONE_NORMAL][order]);
		assert_int_equal(after[ZONE_HIGHMEM][order], before[ZONE_HIGHMEM][order]);
	}
	assert_all_free();
}

/* ------------------------------------------------------ buddy merging -- */

PA_TEST(test_buddy_merge_random_order, "mem=64M", 20)
{
	static struct page *block[MAX_ORDER_NR_PAGES];	/* by pfn - base */
	static struct page *others[16384];
	static unsigned int perm[MAX_ORDER_NR_PAGES];
	unsigned long before[MAX_NR_ZONES][NR_PAGE_ORDERS], after[MAX_NR_ZONES][NR_PAGE_ORDERS];
	unsigned long held = 0, nr_others = 0, i, tries, sections;
	struct page *big = must_alloc(GFP_KERNEL, MAX_PAGE_ORDER);
	unsigned long base = page_to_pfn(big);
	struct tu_rng rng;

	/* a whole free order-10 block: the region to cut up and put back */
	__free_pages(big, MAX_PAGE_ORDER);
	drain_local_pages(NULL);
	assert_true(PageBuddy(big));
	assert_int_equal(buddy_order(big), MAX_PAGE_ORDER);
	snapshot_nr_free(before);
	sections = tu_zone_online_sections(ZONE_NORMAL);

	/* Take every order-0 page of that block (others go aside). */
	for (tries = 0; held < MAX_ORDER_NR_PAGES; tries++) {
		struct page *page = must_alloc(GFP_KERNEL, 0);
		unsigned long pfn = page_to_pfn(page);

		assert_int_equal(page_zonenum(page), ZONE_NORMAL);
		if (pfn - base < MAX_ORDER_NR_PAGES) {
			assert_null(block[pfn - base]);	/* handed out twice? */
			block[pfn - base] = page;
			held++;
		} else {
			assert_true(nr_others < ARRAY_SIZE(others));
			others[nr_others++] = page;
		}
	}
	for (i = 0; i < nr_others; i++)
		__free_page(others[i]);
	drain_local_pages(NULL);
	tu_check_buddy(ZONE_NORMAL);
	for (i = 0; i < MAX_ORDER_NR_PAGES; i++)
		assert_false(PageBuddy(pfn_to_page(base + i)));

	/* Free them in random order; the free lists stay consistent. */
	tu_rng_init(&rng, 42);
	for (i = 0; i < MAX_ORDER_NR_PAGES; i++)
		perm[i] = i;
	for (i = MAX_ORDER_NR_PAGES - 1; i > 0; i--) {
		unsigned long j = tu_rand_below(&rng, i + 1);
		unsigned int t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < MAX_ORDER_NR_PAGES; i++) {
		__free_page(block[perm[i]]);
		if (i % 2)	/* half the frees reach the zone at once */
			drain_local_pages(NULL);
		if (i % 97 == 0)
			tu_check_buddy(ZONE_NORMAL);
	}
	drain_local_pages(NULL);

	/* One order-10 block again, and the buddyinfo of before. */
	assert_true(PageBuddy(pfn_to_page(base)));
	assert_int_equal(buddy_order(pfn_to_page(base)), MAX_PAGE_ORDER);
	snapshot_nr_free(after);
	for (i = 0; i < MAX_PAGE_ORDER; i++)
		assert_int_equal(after[ZONE_NORMAL][i], before[ZONE_NORMAL][i]);
	/* a pcp refill at the end may have onlined a section: it is whole again */
	sections = tu_zone_online_sections(ZONE_NORMAL) - sections;
	assert_int_equal(after[ZONE_NORMAL][MAX_PAGE_ORDER], before[ZONE_NORMAL][MAX_PAGE_ORDER] + sections);
	assert_all_free();
}

/* ---------------------------------------------------------- gfp zones -- */

PA_TEST(test_gfp_zones, "mem=2G", 20)
{
	static const unsigned int orders[] = { 0, 3, 5, 10 };
	struct page *page;
	unsigned long avail, addr;
	bool dma0_offline;
	unsigned int i;

	avail = tu_available();
	dma0_offline = !online_section_nr(0);
	for (i = 0; i < ARRAY_SIZE(orders); i++) {
		unsigned int o = orders[i];

		/* __GFP_DMA: ZONE_DMA, lowmem */
		page = must_alloc(GFP_KERNEL | __GFP_DMA, o);
		assert_int_equal(page_zonenum(page), ZONE_DMA);
		assert_true(page_to_pfn(page) + (1UL << o) <= NORMAL_START_PFN);
		assert_lowmem_block(page, o);
		memset(page_address(page), 0x5a, PAGE_SIZE << o);
		__free_pages(page, o);

		page = must_alloc(GFP_DMA, o);
		assert_int_equal(page_zonenum(page), ZONE_DMA);
		__free_pages(page, o);

		/* GFP_KERNEL: ZONE_NORMAL */
		page = must_alloc(GFP_KERNEL, o);
		assert_int_equal(page_zonenum(page), ZONE_NORMAL);
		assert_true(page_to_pfn(page) >= NORMAL_START_PFN);
		assert_true(page_to_pfn(page) + (1UL << o) <= HIGHMEM_START_PFN);
		assert_lowmem_block(page, o);
		__free_pages(page, o);

		/* GFP_HIGHUSER(_MOVABLE): ZONE_HIGHMEM, no permanent mapping */
		page = must_alloc(GFP_HIGHUSER, o);
		assert_int_equal(page_zonenum(page), ZONE_HIGHMEM);
		assert_ptr_equal(page_zone(page), tu_zone(ZONE_HIGHMEM));
		assert_true(PageHighMem(page));
		assert_null(page_address(page));
		assert_true(page_to_pfn(page) >= HIGHMEM_START_PFN);
		assert_true(page_to_pfn(page) < kalloc_max_pfn());
		assert_int_equal(page_to_pfn(page) & ((1UL << o) - 1), 0);
		assert_int_equal(page_count(page), 1);
		__free_pages(page, o);

		page = must_alloc(GFP_HIGHUSER_MOVABLE, o);
		assert_int_equal(page_zonenum(page), ZONE_HIGHMEM);
		assert_null(page_address(page));
		__free_pages(page, o);

		/* __get_free_pages() strips __GFP_HIGHMEM: lowmem, mapped */
		addr = __get_free_pages(GFP_HIGHUSER, o);
		assert_true(addr != 0);
		assert_int_equal(addr & (PAGE_SIZE - 1), 0);
		page = virt_to_page((void *)addr);
		assert_int_not_equal(page_zonenum(page), ZONE_HIGHMEM);
		assert_false(PageHighMem(page));
		assert_ptr_equal(page_address(page), (void *)addr);
		memset((void *)addr, 0x77, PAGE_SIZE << o);
		free_pages(addr, o);

		addr = __get_free_pages(GFP_KERNEL | __GFP_DMA, o);
		assert_int_equal(page_zonenum(virt_to_page((void *)addr)), ZONE_DMA);
		free_pages(addr, o);
	}
	addr = __get_free_page(GFP_HIGHUSER_MOVABLE);
	assert_int_equal(page_zonenum(virt_to_page((void *)addr)), ZONE_NORMAL);
	free_page(addr);

	/* Each zone has been onlined on demand and got everything back. */
	assert_true(zone_managed(ZONE_DMA) > 0);
	assert_true(zone_managed(ZONE_NORMAL) > 0);
	assert_true(zone_managed(ZONE_HIGHMEM) > 0);
	/* onlining DMA's first section showed its reserved first MiB */
	assert_int_equal(tu_available(), avail - (dma0_offline ? DMA_LOW_RESERVED : 0));
	assert_all_free();
}

/* ------------------------------------------------ fallback, watermarks -- */

/* The min mark GFP_ATOMIC sees: __GFP_HIGH halves it, no reclaim takes a quarter. */
static unsigned long atomic_min(unsigned long min)
{
	min -= min / 2;
	return min - min / 4;
}

PA_TEST(test_fallback_small_machine, "mem=32M", 20)
{
	static struct page *held[8192];
	struct zone *dma = tu_zone(ZONE_DMA), *normal = tu_zone(ZONE_NORMAL);
	unsigned long n = 0, n_dma = 0, n_normal = 0, i;
	long normal_free_at_first_dma = -1;
	unsigned long fallbacks0 = tu_zone_event(ZONE_NORMAL, PGALLOC_FALLBACK);
	struct page *page;

	assert_int_equal(kalloc_max_pfn(), 8192);
	assert_false(populated_zone(tu_zone(ZONE_HIGHMEM)));
	assert_int_equal(dma->lowmem_reserve[ZONE_NORMAL], (long)normal->present_pages / 256);
	assert_int_equal(dma->lowmem_reserve[ZONE_NORMAL], 16);

	/* No HIGHMEM: GFP_HIGHUSER falls back to NORMAL, mapped. */
	page = must_alloc(GFP_HIGHUSER, 0);
	assert_int_equal(page_zonenum(page), ZONE_NORMAL);
	assert_non_null(page_address(page));
	held[n++] = page;
	page = must_alloc(GFP_HIGHUSER_MOVABLE, 10);
	assert_int_equal(page_zonenum(page), ZONE_NORMAL);
	assert_lowmem_block(page, 10);
	__free_pages(page, 10);
	assert_int_equal(tu_zone_event(ZONE_NORMAL, PGALLOC_FALLBACK), fallbacks0 + 2);

	/* Exhaust NORMAL with GFP_KERNEL: then DMA, down to its protection. */
	for (;;) {
		errno = 0;
		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
		if (!page)
			break;
		assert_true(n < ARRAY_SIZE(held));
		held[n++] = page;
		assert_int_not_equal(page_zonenum(page), ZONE_HIGHMEM);
		if (page_zonenum(page) == ZONE_DMA) {
			if (!n_dma++)
				normal_free_at_first_dma = zone_page_state(normal, NR_FREE_PAGES) +
							   normal->offline_pages;
		} else {
			n_normal++;
		}
	}
	assert_int_equal(errno, ENOMEM);
	assert_true(n_dma > 0);
	assert_true(n_normal > 3000);
	/* DMA was used only once NORMAL was at its low mark. */
	assert_in_range(normal_free_at_first_dma, 0, low_wmark_pages(normal));
	drain_local_pages(NULL);
	assert_int_equal(zone_wmark_free(ZONE_NORMAL), min_wmark_pages(normal));
	assert_int_equal(zone_wmark_free(ZONE_DMA),
			 min_wmark_pages(dma) + dma->lowmem_reserve[ZONE_NORMAL]);
	assert_int_equal(nr_free_pages(), tu_zone_free(ZONE_DMA) + tu_zone_free(ZONE_NORMAL));
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	assert_true(tu_zone_event(ZONE_NORMAL, ALLOCSTALL_FAIL) >= 2);

	/* What GFP_KERNEL may not take from DMA, GFP_DMA may: down to min. */
	for (i = 0; (page = alloc_pages(GFP_KERNEL | __GFP_DMA | __GFP_NOWARN, 0)); i++) {
		assert_int_equal(page_zonenum(page), ZONE_DMA);
		assert_true(n < ARRAY_SIZE(held));
		held[n++] = page;
	}
	assert_int_equal(i, dma->lowmem_reserve[ZONE_NORMAL]);
	drain_local_pages(NULL);
	assert_int_equal(zone_wmark_free(ZONE_DMA), min_wmark_pages(dma));

	/* GFP_ATOMIC dips into the reserves below min, and stops there. */
	for (i = 0; (page = alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 0)); i++) {
		assert_true(n < ARRAY_SIZE(held));
		held[n++] = page;
	}
	assert_true(i > 0);
	drain_local_pages(NULL);
	assert_int_equal(zone_wmark_free(ZONE_NORMAL), atomic_min(min_wmark_pages(normal)));
	assert_int_equal(zone_wmark_free(ZONE_DMA),
			 atomic_min(min_wmark_pages(dma)) + dma->lowmem_reserve[ZONE_NORMAL]);

	/* Freeing gives everything back. */
	while (n)
		__free_page(held[--n]);
	drain_local_pages(NULL);
	assert_all_free();
	page = must_alloc(GFP_KERNEL, 10);
	assert_int_equal(page_zonenum(page), ZONE_NORMAL);
	__free_pages(page, 10);
}

/*
 * In a 2G machine GFP_KERNEL never touches DMA while NORMAL has room,
 * never onlines HIGHMEM, and leaves DMA exactly min + lowmem_reserve.
 */
PA_TEST(test_dma_protection_2g, "mem=2G", 30)
{
	static struct page *held[16384];
	struct zone *dma = tu_zone(ZONE_DMA), *normal = tu_zone(ZONE_NORMAL);
	unsigned long n_big = 0, n = 0, i;
	static struct page *big[256];
	bool seen_dma = false;
	struct page *page;

	for (;;) {
		unsigned long normal_free, o;
		bool normal_has_block = false;

		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER);
		if (!page)
			break;
		assert_true(n_big < ARRAY_SIZE(big));
		big[n_big++] = page;
		if (page_zonenum(page) == ZONE_NORMAL)
			continue;	/* at the min mark, NORMAL serves again first */
		assert_int_equal(page_zonenum(page), ZONE_DMA);
		if (seen_dma)
			continue;
		seen_dma = true;
		/* NORMAL could not serve it at the low mark */
		normal_free = zone_page_state(normal, NR_FREE_PAGES) + normal->offline_pages;
		for (o = MAX_PAGE_ORDER; o < NR_PAGE_ORDERS; o++)
			normal_has_block |= normal->free_area[o].nr_free > 0;
		assert_false((normal_has_block || normal->offline_pages) &&
			     normal_free - (MAX_ORDER_NR_PAGES - 1) > low_wmark_pages(normal));
	}
	assert_true(n_big > 200);
	for (;;) {
		page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0);
		if (!page)
			break;
		assert_true(n < ARRAY_SIZE(held));
		assert_int_not_equal(page_zonenum(page), ZONE_HIGHMEM);
		held[n++] = page;
	}
	drain_local_pages(NULL);
	assert_int_equal(zone_managed(ZONE_HIGHMEM), 0);	/* never onlined */
	assert_int_equal(dma->lowmem_reserve[ZONE_NORMAL], 880);
	assert_true(seen_dma);
	assert_int_equal(zone_wmark_free(ZONE_DMA),
			 min_wmark_pages(dma) + dma->lowmem_reserve[ZONE_NORMAL]);
	/* NORMAL ends at its min mark, give or take one pcp batch */
	assert_in_range(zone_wmark_free(ZONE_NORMAL),
			min_wmark_pages(normal) - normal->pcp_batch, min_wmark_pages(normal));

	while (n)
		__free_page(held[--n]);
	for (i = 0; i < n_big; i++)
		__free_pages(big[i], MAX_PAGE_ORDER);
	assert_all_free();
}

/*
 * In a 1G machine GFP_HIGHUSER takes HIGHMEM, then NORMAL down to
 * min + lowmem_reserve[HIGHMEM], then DMA down to its own.
 */
PA_TEST(test_highmem_fallback_protection, "mem=1G", 30)
{
	struct zone *dma = tu_zone(ZONE_DMA), *normal = tu_zone(ZONE_NORMAL);
	struct zone *high = tu_zone(ZONE_HIGHMEM);
	static struct page *held[300000];
	static unsigned char held_order[300000];
	unsigned long n = 0, n_high_big = 0;
	unsigned int order;
	struct page *page;

	for (order = MAX_PAGE_ORDER + 1; order-- > 0; ) {
		while ((page = alloc_pages(GFP_HIGHUSER | __GFP_NOWARN, order))) {
			assert_true(n < ARRAY_SIZE(held));
			held_order[n] = order;
			held[n++] = page;
			if (order == MAX_PAGE_ORDER && page_zonenum(page) == ZONE_HIGHMEM)
				n_high_big++;
		}
	}
	/* HIGHMEM's blocks but the last: its marks are below one block */
	assert_true(low_wmark_pages(high) < MAX_ORDER_NR_PAGES);
	assert_int_equal(n_high_big, 32768 / MAX_ORDER_NR_PAGES - 1);
	drain_local_pages(NULL);
	assert_int_equal(normal->lowmem_reserve[ZONE_HIGHMEM], 32768 / 32);
	assert_int_equal(dma->lowmem_reserve[ZONE_HIGHMEM], (225280 + 32768) / 256);
	assert_in_range(zone_wmark_free(ZONE_HIGHMEM), 0, min_wmark_pages(high));
	assert_in_range(zone_wmark_free(ZONE_NORMAL),
			min_wmark_pages(normal) + normal->lowmem_reserve[ZONE_HIGHMEM] - normal->pcp_batch,
			min_wmark_pages(normal) + normal->lowmem_reserve[ZONE_HIGHMEM]);
	assert_int_equal(zone_wmark_free(ZONE_DMA),
			 min_wmark_pages(dma) + dma->lowmem_reserve[ZONE_HIGHMEM]);
	while (n) {
		n--;
		__free_pages(held[n], held_order[n]);
	}
	assert_all_free();
}

/* ------------------------------------------- lowmem_reserve, watermarks -- */

struct machine {
	const char *options;
	unsigned long max_pfn;
	unsigned long present[MAX_NR_ZONES];
	unsigned long spanned[MAX_NR_ZONES];
};

static const struct machine machines[] = {
	{ "mem=4M", 1024, { 1024 - 1 - 1 - 96, 0, 0 }, { 1023, 0, 0 } },
	{ "mem=32M", 8192, { DMA_PRESENT, 4096, 0 }, { 4095, 4096, 0 } },
	{ "mem=64M", 16384, { DMA_PRESENT, 12288, 0 }, { 4095, 12288, 0 } },
	{ "mem=65M", 16384, { DMA_PRESENT, 12288, 0 }, { 4095, 12288, 0 } },	/* whole sections */
	{ "mem=896M", 229376, { DMA_PRESENT, 225280, 0 }, { 4095, 225280, 0 } },
	{ "mem=1G", 262144, { DMA_PRESENT, 225280, 32768 }, { 4095, 225280, 32768 } },
	{ "mem=2G", 524288, { DMA_PRESENT, 225280, 294912 }, { 4095, 225280, 294912 } },
	{ "mem=64G", 16777216, { DMA_PRESENT, 225280, 16547840 }, { 4095, 225280, 16547840 } },
};

static void check_machine(void *arg)
{
	const struct machine *m = arg;
	unsigned long managed[MAX_NR_ZONES], total = 0;
	static const int ratio[MAX_NR_ZONES] = { 256, 32, 0 };
	int i, j;

	assert_int_equal(kalloc_max_pfn(), m->max_pfn);
	assert_int_equal(max_low_pfn, m->max_pfn < HIGHMEM_START_PFN ? m->max_pfn : HIGHMEM_START_PFN);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = tu_zone(i);

		assert_int_equal(zone->spanned_pages, m->spanned[i]);
		assert_int_equal(zone->present_pages, m->present[i]);
		/* the first MiB is reserved */
		managed[i] = m->present[i] - (i == ZONE_DMA ? DMA_LOW_RESERVED : 0);
		total += managed[i];
	}
	/* totalram_pages(): present pages less the reserved first MiB */
	assert_int_equal(totalram_pages(), total);
	assert_int_equal(totalram_pages(), m->max_pfn - 256);
	assert_int_equal(totalhigh_pages(), managed[ZONE_HIGHMEM]);

	/* lowmem_reserve[j] of zone i: the zones above i up to j, / ratio[i] */
	for (i = 0; i < MAX_NR_ZONES; i++) {
		unsigned long upper = 0;

		for (j = 0; j <= i; j++)
			assert_int_equal(tu_zone(i)->lowmem_reserve[j], 0);
		for (j = i + 1; j < MAX_NR_ZONES; j++) {
			upper += managed[j];
			if (!ratio[i] || !managed[i])
				assert_int_equal(tu_zone(i)->lowmem_reserve[j], 0);
			else
				assert_int_equal(tu_zone(i)->lowmem_reserve[j], upper / ratio[i]);
		}
	}
	/* Watermarks: ordered in every populated zone, nothing in the others. */
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = tu_zone(i);

		if (!populated_zone(zone)) {
			/*
			 * an empty HIGHMEM keeps the floor of its min, as the
			 * kernel's, and so does MOVABLE while HIGHMEM is the
			 * highest populated zone (zone_movable_is_highmem())
			 */
			assert_int_equal(min_wmark_pages(zone),
					 i == ZONE_HIGHMEM || (i == ZONE_MOVABLE && m->present[ZONE_HIGHMEM]) ?
					 32 : 0);
			assert_int_equal(high_wmark_pages(zone), min_wmark_pages(zone));
			continue;
		}
		assert_true(min_wmark_pages(zone) > 0);
		assert_true(min_wmark_pages(zone) < low_wmark_pages(zone));
		assert_true(low_wmark_pages(zone) < high_wmark_pages(zone));
		/* low - min == high - low: the kernel's equal steps */
		assert_int_equal(low_wmark_pages(zone) - min_wmark_pages(zone),
				 high_wmark_pages(zone) - low_wmark_pages(zone));
	}
	/* The first MiB is reserved once DMA's first section is online. */
	{
		struct page *page = must_alloc(GFP_KERNEL | __GFP_DMA, 0);
		unsigned long pfn;

		assert_true(online_section_nr(0));
		assert_int_equal(zone_managed(ZONE_DMA), 1024 - 256);
		assert_int_equal(tu_zone(ZONE_DMA)->zone_start_pfn, 1);
		for (pfn = 0; pfn < 1024; pfn++) {
			bool hole = pfn < 256;

			assert_int_equal(PageReserved(pfn_to_page(pfn)), hole);
			if (hole)
				assert_int_equal(page_count(pfn_to_page(pfn)), 1);
		}
		__free_page(page);
	}
}

/*
 * Loading kalloc onlines nothing (lib/mm_init.c, design 2: a process that
 * allocates nothing pays for no struct page): right after the first call,
 * no section is online and every present page is offline.
 */
static void check_init_onlines_nothing(void *arg)
{
	const struct machine *m = arg;
	int i;

	assert_int_equal(kalloc_max_pfn(), m->max_pfn);
	assert_int_equal(tu_online_sections(0, m->max_pfn), 0);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		assert_int_equal(tu_zone(i)->managed_pages, 0);
		assert_int_equal(tu_zone(i)->offline_pages, tu_zone(i)->present_pages);
	}
	assert_int_equal(nr_free_pages(), 0);
}

static void test_init_onlines_nothing(void **state)
{
	(void)state;
	tu_run_child_ok(check_init_onlines_nothing, (void *)&machines[0], machines[0].options, 10);
	tu_run_child_ok(check_init_onlines_nothing, (void *)&machines[6], machines[6].options, 10);
}

static void test_machine_sizes(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(machines); i++) {
		static struct tu_child res;

		tu_run_child(check_machine, (void *)&machines[i], machines[i].options, 20, &res);
		if (res.timed_out || !WIFEXITED(res.status) || WEXITSTATUS(res.status))
			print_error("machine \"%s\":\n", machines[i].options);
		tu_assert_child_ok(&res);
	}
}

PA_TEST(test_watermarks_default, "mem=2G", 10)
{
	struct zone *dma = tu_zone(ZONE_DMA), *normal = tu_zone(ZONE_NORMAL);
	struct zone *high = tu_zone(ZONE_HIGHMEM);
	unsigned long lowmem = DMA_MANAGED + 225280;
	unsigned long pages_min, high_share;

	/* min_free_kbytes = sqrt(lowmem_kbytes * 16), the kernel's rule */
	assert_int_equal(min_free_kbytes, isqrt(lowmem * 4 * 16));
	assert_int_equal(min_free_kbytes, 3829);
	pages_min = min_free_kbytes / 4;
	/* shared among the lowmem zones by size */
	assert_int_equal(min_wmark_pages(dma), pages_min * DMA_MANAGED / lowmem);
	assert_int_equal(min_wmark_pages(normal), pages_min * 225280 / lowmem);
	/* HIGHMEM: a small fixed reserve */
	assert_int_equal(min_wmark_pages(high), 128);
	high_share = pages_min * 294912 / lowmem;
	/* the gap: max(min / 4, 0.1% of the zone) */
	assert_int_equal(low_wmark_pages(normal) - min_wmark_pages(normal),
			 min_wmark_pages(normal) / 4 > 225 ? min_wmark_pages(normal) / 4 : 225);
	/*
	 * HIGHMEM's step comes from its uncapped share of pages_min
	 * (__setup_per_zone_wmarks()), not from its capped min.
	 */
	assert_int_equal(high_share, 1231);
	assert_int_equal(low_wmark_pages(high) - min_wmark_pages(high), high_share / 4);
	assert_int_equal(high_wmark_pages(high) - low_wmark_pages(high), high_share / 4);
}

PA_TEST(test_watermarks_min_free_kbytes, "mem=2G min_free_kbytes=16384", 10)
{
	struct zone *dma = tu_zone(ZONE_DMA), *normal = tu_zone(ZONE_NORMAL);
	unsigned long lowmem = DMA_MANAGED + 225280;

	assert_int_equal(min_free_kbytes, 16384);
	assert_int_equal(min_wmark_pages(dma), 4096 * DMA_MANAGED / lowmem);
	assert_int_equal(min_wmark_pages(normal), 4096 * 225280 / lowmem);
	assert_in_range(min_wmark_pages(dma) + min_wmark_pages(normal), 4094, 4096);
	assert_true(min_wmark_pages(normal) > 3830 / 4);	/* above the default */
	assert_int_equal(low_wmark_pages(normal), min_wmark_pages(normal) + min_wmark_pages(normal) / 4);
	assert_int_equal(high_wmark_pages(normal), min_wmark_pages(normal) + 2 * (min_wmark_pages(normal) / 4));
}

/*
 * alloc_pages_zone() (vmalloc, brk and malloc's page blocks, which choose
 * the zone order themselves) checks a zone as the zonelist walk of its GFP
 * mask does: the low watermark plus lowmem_reserve[gfp_zone(gfp)] while
 * some zone of the zonelist still passes its low mark, the min watermark
 * (plus the same reserve) after that.
 */
static unsigned long take_zone(struct page **held, unsigned long n, unsigned long cap,
			       gfp_t gfp, enum zone_type idx)
{
	struct page *page;
	bool zeroed;

	while ((page = alloc_pages_zone(gfp | __GFP_NOWARN, 0, idx, &zeroed))) {
		assert_true(n < cap);
		assert_int_equal(page_zonenum(page), idx);
		held[n++] = page;
	}
	return n;
}

PA_TEST(test_alloc_pages_zone_watermarks, "mem=1G", 20)
{
	static struct page *held[262144];
	struct zone *dma = tu_zone(ZONE_DMA), *normal = tu_zone(ZONE_NORMAL);
	struct zone *high = tu_zone(ZONE_HIGHMEM);
	unsigned long n = 0;

	/* HIGHMEM is free: NORMAL and DMA give down to low + their reserve for HIGHMEM. */
	n = take_zone(held, n, ARRAY_SIZE(held), GFP_HIGHUSER, ZONE_NORMAL);
	assert_true(zone_wmark_free(ZONE_NORMAL) <= low_wmark_pages(normal) + normal->lowmem_reserve[ZONE_HIGHMEM]);
	assert_true(zone_wmark_free(ZONE_NORMAL) > min_wmark_pages(normal) + normal->lowmem_reserve[ZONE_HIGHMEM]);
	n = take_zone(held, n, ARRAY_SIZE(held), GFP_HIGHUSER, ZONE_DMA);
	assert_true(zone_wmark_free(ZONE_DMA) <= low_wmark_pages(dma) + dma->lowmem_reserve[ZONE_HIGHMEM]);
	assert_true(zone_wmark_free(ZONE_DMA) > min_wmark_pages(dma) + dma->lowmem_reserve[ZONE_HIGHMEM]);
	/* a request whose highest zone is NORMAL meets DMA's smaller reserve for NORMAL */
	assert_true(dma->lowmem_reserve[ZONE_NORMAL] < dma->lowmem_reserve[ZONE_HIGHMEM]);
	n = take_zone(held, n, ARRAY_SIZE(held), GFP_KERNEL, ZONE_DMA);
	assert_true(zone_wmark_free(ZONE_DMA) <= low_wmark_pages(dma) + dma->lowmem_reserve[ZONE_NORMAL]);

	/* HIGHMEM too goes down to its low mark while lowmem... */
	n = take_zone(held, n, ARRAY_SIZE(held), GFP_HIGHUSER, ZONE_HIGHMEM);
	/* ...and, with no zone above its low mark any more, on to min */
	assert_true(zone_wmark_free(ZONE_HIGHMEM) <= min_wmark_pages(high));
	n = take_zone(held, n, ARRAY_SIZE(held), GFP_HIGHUSER, ZONE_NORMAL);
	assert_true(zone_wmark_free(ZONE_NORMAL) <= min_wmark_pages(normal) + normal->lowmem_reserve[ZONE_HIGHMEM]);
	assert_true(zone_wmark_free(ZONE_NORMAL) > min_wmark_pages(normal));

	while (n)
		__free_page(held[--n]);
}

/* The watermark the option sets is the one allocation stops at. */
PA_TEST(test_min_free_kbytes_enforced, "mem=64M min_free_kbytes=8192", 10)
{
	static struct page *held[16384];
	unsigned long n = 0;
	struct page *page;

	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)))
		held[n++] = page;
	drain_local_pages(NULL);
	assert_int_equal(zone_wmark_free(ZONE_NORMAL), min_wmark_pages(tu_zone(ZONE_NORMAL)));
	assert_int_equal(min_wmark_pages(tu_zone(ZONE_NORMAL)), 2048 * 12288 / (DMA_MANAGED + 12288));
	assert_int_equal(zone_wmark_free(ZONE_DMA), min_wmark_pages(tu_zone(ZONE_DMA)) +
			 tu_zone(ZONE_DMA)->lowmem_reserve[ZONE_NORMAL]);
	while (n)
		__free_page(held[--n]);
	assert_all_free();
}

/* ---------------------------------------------------------- __GFP_ZERO -- */

PA_TEST(test_gfp_zero_every_order, "mem=256M " NO_REPORTING, 30)
{
	unsigned int order;

	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		unsigned int nr = order >= 8 ? 2 : 4, i, j, reused = 0;
		unsigned long dirty_pfn[4];
		struct page *pages[4];
		size_t len = PAGE_SIZE << order;

		for (i = 0; i < nr; i++) {
			pages[i] = must_alloc(GFP_KERNEL, order);
			dirty_pfn[i] = page_to_pfn(pages[i]);
			memset(page_address(pages[i]), 0xa5, len);
		}
		for (i = 0; i < nr; i++)
			__free_pages(pages[i], order);
		for (i = 0; i < nr; i++) {
			pages[i] = must_alloc(GFP_KERNEL | __GFP_ZERO, order);
			assert_lowmem_block(pages[i], order);
			if (!tu_is_zero(page_address(pages[i]), len))
				fail_msg("order %u block at pfn %lu not zeroed", order,
					 page_to_pfn(pages[i]));
			for (j = 0; j < nr; j++) {
				unsigned long a = page_to_pfn(pages[i]), b = dirty_pfn[j];

				reused += a < b + (1UL << order) && b < a + (1UL << order);
			}
		}
		/* The test means something only if dirty memory came back. */
		assert_true(reused > 0);
		for (i = 0; i < nr; i++)
			__free_pages(pages[i], order);
	}
	assert_all_free();
}

PA_TEST(test_get_zeroed_page, "mem=256M " NO_REPORTING, 10)
{
	unsigned long dirty[64], zeroed[64];
	unsigned int i, j, reused = 0;

	for (i = 0; i < 64; i++) {
		dirty[i] = __get_free_page(GFP_KERNEL);
		assert_true(dirty[i] != 0);
		memset((void *)dirty[i], 0xff, PAGE_SIZE);
	}
	for (i = 0; i < 64; i++)
		free_page(dirty[i]);
	for (i = 0; i < 64; i++) {
		zeroed[i] = get_zeroed_page(i % 2 ? GFP_KERNEL : GFP_HIGHUSER);
		assert_true(zeroed[i] != 0);
		assert_false(PageHighMem(virt_to_page((void *)zeroed[i])));
		assert_true(tu_is_zero((void *)zeroed[i], PAGE_SIZE));
		for (j = 0; j < 64; j++)
			reused += zeroed[i] == dirty[j];
	}
	assert_true(reused > 0);
	for (i = 0; i < 64; i++)
		free_page(zeroed[i]);
	assert_all_free();
}

/* ---------------------------------------------------- alloc_pages_exact -- */

static void check_exact(size_t size, gfp_t gfp)
{
	unsigned long nr = (size + PAGE_SIZE - 1) / PAGE_SIZE, i;
	unsigned long before = tu_available(), after;
	unsigned int order = 0;
	char *p;

	while ((1UL << order) < nr)
		order++;
	p = alloc_pages_exact(size, gfp);
	if (!p)
		fail_msg("alloc_pages_exact(%zu) failed", size);
	assert_int_equal((unsigned long)p & (PAGE_SIZE - 1), 0);
	assert_true(virt_addr_valid(p));
	assert_int_equal(page_zonenum(virt_to_page(p)), ZONE_NORMAL);
	assert_true(virt_to_pfn(p) + nr <= max_low_pfn);
	after = tu_available();
	if (before - after != nr)
		fail_msg("alloc_pages_exact(%zu) used %lu pages, expected %lu", size,
			 before - after, nr);
	/* each used page is its own allocation; the order's tail is free */
	for (i = 0; i < nr; i++)
		assert_int_equal(page_count(virt_to_page(p + i * PAGE_SIZE)), 1);
	if (nr < (1UL << order))
		assert_int_equal(page_count(virt_to_page(p + nr * PAGE_SIZE)), 0);
	if (gfp & __GFP_ZERO)
		assert_true(tu_is_zero(p, nr * PAGE_SIZE));
	tu_fill(p, nr, size, false);
	assert_null(tu_check_fill(p, nr, size, false));
	memset(p, 0xc3, nr * PAGE_SIZE);	/* dirty for the next, zeroed one */
	free_pages_exact(p, size);
	assert_int_equal(tu_available(), before);
}

PA_TEST(test_alloc_pages_exact, "mem=256M " NO_REPORTING, 30)
{
	static const size_t sizes[] = {
		1, 100, 4095, 4096, 4097, 8191, 8192, 8193, 3 * 4096, 3 * 4096 + 1,
		5 * 4096, 7 * 4096 + 17, 8 * 4096, 9 * 4096, 15 * 4096, 17 * 4096,
		100000, 131072, 200000, 1 << 20, (1 << 20) + 1, 3 << 20,
		(4 << 20) - 4096, (4 << 20) - 1, 4 << 20,
	};
	struct tu_rng rng;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		check_exact(sizes[i], GFP_KERNEL);
		check_exact(sizes[i], GFP_KERNEL | __GFP_ZERO);
		check_exact(sizes[i], GFP_HIGHUSER);	/* always lowmem */
	}
	tu_rng_init(&rng, 7);
	for (i = 0; i < 300; i++) {
		size_t max = (size_t)PAGE_SIZE << tu_rand_below(&rng, NR_PAGE_ORDERS);

		check_exact(1 + tu_rand_below(&rng, max), i % 3 ? GFP_KERNEL : GFP_KERNEL | __GFP_ZERO);
	}
	/* too small, too large */
	errno = 0;
	assert_null(alloc_pages_exact(0, GFP_KERNEL));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(alloc_pages_exact((4 << 20) + 1, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(alloc_pages_exact(SIZE_MAX, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(errno, ENOMEM);
	free_pages_exact(NULL, 4096);	/* allowed, like the kernel's */
	assert_all_free();
}

/* The tails alloc_pages_exact() gives back are what the next small allocations get. */
PA_TEST(test_alloc_pages_exact_tails_reused, "mem=64M", 10)
{
	static char *three[500];
	static struct page *single[2000];
	unsigned long i, j, n_single, tails = 0, order0_before;

	drain_local_pages(NULL);
	order0_before = tu_zone(ZONE_NORMAL)->free_area[0].nr_free;
	assert_true(order0_before + ARRAY_SIZE(three) <= ARRAY_SIZE(single));

	/* 3 pages of each order-2 block: the fourth page goes back */
	for (i = 0; i < ARRAY_SIZE(three); i++) {
		three[i] = alloc_pages_exact(3 * PAGE_SIZE, GFP_KERNEL);
		assert_non_null(three[i]);
		assert_int_equal(virt_to_pfn(three[i]) % 4, 0);
		assert_int_equal(page_count(virt_to_page(three[i] + 3 * PAGE_SIZE)), 0);
	}
	assert_int_equal(tu_zone(ZONE_NORMAL)->free_area[0].nr_free,
			 order0_before + ARRAY_SIZE(three));
	/* as many single pages as there are free order-0 blocks: all the tails */
	n_single = order0_before + ARRAY_SIZE(three);
	for (i = 0; i < n_single; i++) {
		unsigned long pfn;

		single[i] = must_alloc(GFP_KERNEL, 0);
		pfn = page_to_pfn(single[i]);
		for (j = 0; j < ARRAY_SIZE(three); j++)
			tails += pfn == virt_to_pfn(three[j]) + 3;
	}
	assert_int_equal(tails, ARRAY_SIZE(three));
	for (i = 0; i < ARRAY_SIZE(three); i++)
		free_pages_exact(three[i], 3 * PAGE_SIZE);
	for (i = 0; i < n_single; i++)
		__free_page(single[i]);
	assert_all_free();
}

/* ------------------------------------------------- compound, split_page -- */

PA_TEST(test_compound_pages, "mem=256M", 10)
{
	static const unsigned int orders[] = { 1, 2, 3, 4, 5, 9, 10 };
	unsigned int k;
	struct page *page;

	for (k = 0; k < ARRAY_SIZE(orders); k++) {
		unsigned int order = orders[k];
		unsigned long nr = 1UL << order, i, before = tu_available();

		page = must_alloc(GFP_KERNEL | __GFP_COMP, order);
		assert_true(PageHead(page));
		assert_false(PageTail(page));
		assert_int_equal(page_count(page), 1);
		for (i = 1; i < nr; i++) {
			assert_true(PageTail(page + i));
			assert_ptr_equal(compound_head(page + i), page);
			assert_int_equal(page_count(page + i), 1);
		}
		assert_int_equal(page[1].compound_order, order);
		tu_fill(page_address(page), nr, order, true);

		/* a reference through a tail page is the head's */
		get_page(page + nr - 1);
		assert_int_equal(page_count(page), 2);
		assert_int_equal(page_count(page + 1), 2);
		get_page(page);
		assert_int_equal(page_count(page + nr - 1), 3);
		put_page(page + 1);
		put_page(page + nr - 1);
		assert_int_equal(page_count(page), 1);
		assert_int_equal(tu_available(), before - nr);	/* still allocated */
		assert_null(tu_check_fill(page_address(page), nr, order, true));

		/* the last put frees the whole block */
		put_page(page + (nr > 2 ? 2 : 1));
		assert_int_equal(tu_available(), before);
		assert_false(PageHead(page));
		for (i = 1; i < nr; i++)
			assert_false(PageTail(page + i));

		/* __free_pages() of a compound page frees it whole as well */
		page = must_alloc(GFP_KERNEL | __GFP_COMP, order);
		__free_pages(page, order);
		assert_int_equal(tu_available(), before);
	}
	/* order 0 is never compound */
	page = must_alloc(GFP_KERNEL | __GFP_COMP, 0);
	assert_false(PageHead(page));
	put_page(page);
	assert_all_free();
}

PA_TEST(test_split_page, "mem=256M", 10)
{
	static const unsigned int orders[] = { 1, 3, 6, 10 };
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(orders); k++) {
		unsigned int order = orders[k];
		unsigned long nr = 1UL << order, i, before = tu_available();
		struct page *page = must_alloc(GFP_KERNEL, order);
		struct tu_rng rng;
		char *addr = page_address(page);
		bool *freed = calloc(nr, 1);

		split_page(page, order);
		for (i = 0; i < nr; i++) {
			assert_int_equal(page_count(page + i), 1);
			tu_fill(addr + i * PAGE_SIZE, 1, i, true);
		}
		/* free them one at a time, in random order: each one alone */
		tu_rng_init(&rng, order);
		for (i = 0; i < nr; i++) {
			unsigned long j = tu_rand_below(&rng, nr), t;

			while (freed[j])
				j = (j + 1) % nr;
			freed[j] = true;
			__free_page(page + j);
			assert_int_equal(tu_available(), before - nr + i + 1);
			for (t = 0; t < nr; t += 1 + nr / 16)
				if (!freed[t])
					assert_null(tu_check_fill(addr + t * PAGE_SIZE, 1, t, true));
		}
		free(freed);
		assert_int_equal(tu_available(), before);
	}
	assert_all_free();
}

/*
 * __free_pages() of a block that is not compound while another reference
 * to its first page is held: the caller's share, the other pages, is
 * freed now and the first page at the last put_page().  (mm/page_alloc.c
 * ___free_pages(); the kernel fixed the leak in e320d3012d25.)
 */
PA_TEST(test_free_pages_with_extra_reference, "mem=64M", 10)
{
	unsigned int order;

	for (order = 1; order <= MAX_PAGE_ORDER; order += 3) {
		struct page *page = must_alloc(GFP_KERNEL, order);
		unsigned long before;

		drain_local_pages(NULL);
		before = tu_available();
		get_page(page);			/* someone else's reference */
		__free_pages(page, order);	/* the owner lets go */
		assert_int_equal(page_count(page), 1);
		assert_int_equal(tu_available(), before + (1UL << order) - 1);
		put_page(page);			/* the last reference */
		assert_int_equal(tu_available(), before + (1UL << order));
	}
	assert_all_free();
}

/* ------------------------------------------------------ bad frees abort -- */

static void double_free_order0(void *arg)
{
	struct page *page = must_alloc(GFP_KERNEL, 0);

	(void)arg;
	__free_pages(page, 0);
	__free_pages(page, 0);
}

static void double_free_after_drain(void *arg)
{
	struct page *page = must_alloc(GFP_KERNEL, 0);

	(void)arg;
	__free_page(page);
	drain_local_pages(NULL);	/* now it is in the buddy */
	__free_page(page);
}

static void double_free_order5(void *arg)
{
	struct page *page = must_alloc(GFP_KERNEL, 5);

	(void)arg;
	__free_pages(page, 5);
	__free_pages(page, 5);
}

static void double_free_pages_addr(void *arg)
{
	unsigned long addr = __get_free_pages(GFP_KERNEL, 2);

	(void)arg;
	free_pages(addr, 2);
	free_pages(addr, 2);
}

static void double_put_page_compound(void *arg)
{
	struct page *page = must_alloc(GFP_KERNEL | __GFP_COMP, 3);

	(void)arg;
	put_page(page);
	put_page(page + 1);
}

static void free_never_allocated(void *arg)
{
	struct page *block = must_alloc(GFP_KERNEL, MAX_PAGE_ORDER);

	(void)arg;
	__free_pages(block, MAX_PAGE_ORDER);
	assert_int_equal(page_count(block + 5), 0);	/* inside a free block */
	__free_page(block + 5);
}

static void split_compound(void *arg)
{
	struct page *page = must_alloc(GFP_KERNEL | __GFP_COMP, 2);

	(void)arg;
	split_page(page, 2);
}

static void test_bad_frees_abort(void **state)
{
	static const struct {
		void (*fn)(void *);
		const char *name;
	} cases[] = {
		{ double_free_order0, "double free, order 0" },
		{ double_free_after_drain, "double free of a page in the buddy" },
		{ double_free_order5, "double free, order 5" },
		{ double_free_pages_addr, "double free_pages()" },
		{ double_put_page_compound, "put_page() after the last reference" },
		{ free_never_allocated, "free of a page never allocated" },
		{ split_compound, "split_page() of a compound page" },
	};
	static struct tu_child res;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		tu_run_child(cases[i].fn, NULL, "mem=64M", 10, &res);
		if (!WIFSIGNALED(res.status) || !strstr(res.err, "Bad page state"))
			print_error("case: %s\n", cases[i].name);
		tu_assert_child_aborted(&res, "Bad page state");
		tu_assert_child_aborted(&res, "kalloc: ");
	}
}

/*
 * Reserved frames (page 0, the ISA hole at 640 KiB - 1 MiB) are never the
 * buddy's: freeing one is a bad page (the kernel's PAGE_FLAGS_CHECK_AT_FREE
 * has PG_reserved), not a gift of a frame that must never be handed out.
 */
static void free_reserved_page(void *arg)
{
	unsigned long pfn = (unsigned long)arg;
	struct page *dma = must_alloc(GFP_KERNEL | __GFP_DMA, 0);	/* onlines section 0 */

	assert_true(PageReserved(pfn_to_page(pfn)));
	free_pages(PAGE_OFFSET + pfn * PAGE_SIZE, 0);
	__free_page(dma);
}

static void test_free_reserved_page_aborts(void **state)
{
	static const unsigned long pfns[] = { 0, 159, 200, 255 };
	static struct tu_child res;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(pfns); i++) {
		tu_run_child(free_reserved_page, (void *)pfns[i], "mem=64M", 10, &res);
		if (!WIFSIGNALED(res.status))
			print_error("free_pages() of reserved pfn %lu returned\n", pfns[i]);
		tu_assert_child_aborted(&res, "Bad page state");
	}
}

static void free_pages_heap(void *arg)
{
	char *heap = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	(void)arg;
	nr_free_pages();
	free_pages((unsigned long)heap, 0);
}

static void free_pages_stack(void *arg)
{
	char buf[64];

	(void)arg;
	nr_free_pages();
	free_pages((unsigned long)buf & PAGE_MASK, 0);
}

static void free_pages_unaligned(void *arg)
{
	unsigned long addr = __get_free_page(GFP_KERNEL);

	(void)arg;
	free_pages(addr + 8, 0);
}

static void free_pages_highmem_slot(void *arg)
{
	struct page *page = must_alloc(GFP_HIGHUSER, 0);

	(void)arg;
	assert_true(PageHighMem(page));
	/* where the frame would be, but HIGHMEM is not in the linear map */
	free_pages(PAGE_OFFSET + page_to_pfn(page) * PAGE_SIZE, 0);
}

static void free_pages_exact_heap(void *arg)
{
	char *heap = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);

	(void)arg;
	nr_free_pages();
	free_pages_exact(heap, 2 * PAGE_SIZE);
}

static void free_pages_before_init(void *arg)
{
	char *heap = aligned_alloc(PAGE_SIZE, PAGE_SIZE);

	(void)arg;
	free_pages((unsigned long)heap, 0);	/* kalloc's first call */
}

static void test_free_invalid_pointer_aborts(void **state)
{
	static const struct {
		void (*fn)(void *);
		const char *name;
	} cases[] = {
		{ free_pages_heap, "free_pages() of a malloc() block" },
		{ free_pages_stack, "free_pages() of the stack" },
		{ free_pages_unaligned, "free_pages() inside a page" },
		{ free_pages_highmem_slot, "free_pages() of a HIGHMEM slot" },
		{ free_pages_exact_heap, "free_pages_exact() of a malloc() block" },
		{ free_pages_before_init, "free_pages() before anything else" },
	};
	static struct tu_child res;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		tu_run_child(cases[i].fn, NULL, "mem=2G", 10, &res);
		if (!WIFSIGNALED(res.status) || !strstr(res.err, "invalid pointer"))
			print_error("case: %s\n", cases[i].name);
		tu_assert_child_aborted(&res, "invalid pointer");
	}
}

/* -------------------------------------------------------- migrate types -- */

PA_TEST(test_migratetypes, "mem=1G", 20)
{
	static struct page *unmov[3000], *mov[3000], *hmov[2000];
	unsigned long steals_before, i, unmov_blocks;

	/* HIGHUSER_MOVABLE: HIGHMEM, movable pageblocks */
	for (i = 0; i < ARRAY_SIZE(hmov); i++) {
		hmov[i] = must_alloc(GFP_HIGHUSER_MOVABLE, 0);
		assert_int_equal(page_zonenum(hmov[i]), ZONE_HIGHMEM);
		assert_int_equal(get_pfnblock_migratetype(page_to_pfn(hmov[i])), MIGRATE_MOVABLE);
	}
	assert_int_equal(count_pageblocks(ZONE_HIGHMEM, MIGRATE_UNMOVABLE), 0);

	/* Sections come online movable; unmovable allocations steal blocks. */
	steals_before = tu_zone_event(ZONE_NORMAL, PGSTEAL_MIGRATETYPE);
	for (i = 0; i < ARRAY_SIZE(unmov); i++) {
		unmov[i] = must_alloc(GFP_KERNEL, i % 4 ? 0 : 2);
		assert_int_equal(get_pfnblock_migratetype(page_to_pfn(unmov[i])), MIGRATE_UNMOVABLE);
	}
	unmov_blocks = count_pageblocks(ZONE_NORMAL, MIGRATE_UNMOVABLE);
	assert_true(unmov_blocks >= (2250 + 750 * 4) / pageblock_nr_pages);
	assert_true(tu_zone_event(ZONE_NORMAL, PGSTEAL_MIGRATETYPE) > steals_before);

	/* Movable allocations keep to movable pageblocks meanwhile. */
	for (i = 0; i < ARRAY_SIZE(mov); i++) {
		mov[i] = must_alloc(GFP_USER | __GFP_MOVABLE, 0);
		assert_int_equal(page_zonenum(mov[i]), ZONE_NORMAL);
		if (get_pfnblock_migratetype(page_to_pfn(mov[i])) != MIGRATE_MOVABLE)
			fail_msg("movable page %lu (#%lu) in a %s pageblock", page_to_pfn(mov[i]), i,
				 migratetype_names[get_pfnblock_migratetype(page_to_pfn(mov[i]))]);
	}
	for (i = 0; i < ARRAY_SIZE(unmov); i++)
		__free_pages(unmov[i], i % 4 ? 0 : 2);
	for (i = 0; i < ARRAY_SIZE(mov); i++)
		__free_page(mov[i]);
	for (i = 0; i < ARRAY_SIZE(hmov); i++)
		__free_page(hmov[i]);
	assert_all_free();
}

/* Unmovable allocations in a zone fragmented by movable ones still succeed. */
PA_TEST(test_migratetype_fallback_fragmented, "mem=32M", 20)
{
	static struct page *held[8192];
	unsigned long n = 0, i, kept = 0, steals_before, unmovable0;
	struct page *page;

	/* fill NORMAL with movable pages, then free every other one */
	while ((page = alloc_pages(GFP_USER | __GFP_MOVABLE | __GFP_NOWARN, 0))) {
		if (page_zonenum(page) != ZONE_NORMAL) {
			__free_page(page);
			break;
		}
		held[n++] = page;
	}
	assert_true(n > 3500);
	/* (the movable pages may have claimed kalloc's own unmovable blocks) */
	unmovable0 = count_pageblocks(ZONE_NORMAL, MIGRATE_UNMOVABLE);
	for (i = 0; i < n; i++) {
		if (page_to_pfn(held[i]) % 2)
			__free_page(held[i]);
		else
			held[kept++] = held[i];
	}
	drain_local_pages(NULL);

	steals_before = tu_zone_event(ZONE_NORMAL, PGSTEAL_MIGRATETYPE);
	for (i = 0; i < 1000; i++) {
		page = must_alloc(GFP_KERNEL, 0);
		held[kept++] = page;
	}
	assert_true(tu_zone_event(ZONE_NORMAL, PGSTEAL_MIGRATETYPE) > steals_before);
	/* half-free pageblocks were claimed whole for the unmovable type */
	assert_true(count_pageblocks(ZONE_NORMAL, MIGRATE_UNMOVABLE) >=
		    unmovable0 + 1000 / (pageblock_nr_pages / 2));
	tu_check_all_buddies();
	while (kept)
		__free_page(held[--kept]);
	assert_all_free();
}

/* ------------------------------------------------------- sparse onlining -- */

/*
 * Sections come online one at a time, each zone from its bottom up, when
 * the zone's free lists cannot serve a request.  (Whatever kalloc itself
 * onlined at boot is taken as the start; test_init_onlines_nothing checks
 * that it is nothing.)
 */
PA_TEST(test_sparse_onlining, "mem=2G", 10)
{
	struct zone *dma = tu_zone(ZONE_DMA), *normal = tu_zone(ZONE_NORMAL);
	struct zone *high = tu_zone(ZONE_HIGHMEM);
	unsigned long max = kalloc_max_pfn(), n0, normal0, frontier, events0, i;
	struct page *a, *b, *c, *e, *held[8];

	assert_int_equal(max, 524288);
	n0 = tu_online_sections(0, max);
	normal0 = tu_zone_online_sections(ZONE_NORMAL);
	events0 = tu_zone_event(ZONE_NORMAL, PGONLINE_SECTIONS);
	assert_int_equal(normal0, events0);
	assert_int_equal(zone_managed(ZONE_NORMAL), normal0 * PAGES_PER_SECTION);
	assert_int_equal(normal->online_pfn, NORMAL_START_PFN + normal0 * PAGES_PER_SECTION);

	/* HIGHMEM is untouched: one small allocation onlines its first section */
	assert_int_equal(zone_managed(ZONE_HIGHMEM), 0);
	assert_false(pfn_valid(HIGHMEM_START_PFN));
	a = must_alloc(GFP_HIGHUSER, 0);
	assert_int_equal(tu_online_sections(0, max), n0 + 1);
	assert_true(online_section_nr(HIGHMEM_START_PFN / PAGES_PER_SECTION));
	assert_true(pfn_valid(page_to_pfn(a)));
	assert_true(page_to_pfn(a) - HIGHMEM_START_PFN < PAGES_PER_SECTION);
	assert_int_equal(zone_managed(ZONE_HIGHMEM), PAGES_PER_SECTION);
	assert_int_equal(high->offline_pages, high->present_pages - PAGES_PER_SECTION);
	assert_int_equal(high->online_pfn, HIGHMEM_START_PFN + PAGES_PER_SECTION);
	assert_false(pfn_valid(HIGHMEM_START_PFN + PAGES_PER_SECTION));
	assert_int_equal(tu_zone_event(ZONE_HIGHMEM, PGONLINE_SECTIONS), 1);
	/* fresh memory from the host counts as reported (reads as zero) */
	assert_true(zone_page_state(high, NR_REPORTED_PAGES) > 0);

	/* an order-10 block no longer fits in it: the next section */
	b = must_alloc(GFP_HIGHUSER, MAX_PAGE_ORDER);
	assert_int_equal(page_to_pfn(b), HIGHMEM_START_PFN + PAGES_PER_SECTION);
	assert_int_equal(tu_zone_online_sections(ZONE_HIGHMEM), 2);
	assert_int_equal(zone_managed(ZONE_HIGHMEM), 2 * PAGES_PER_SECTION);

	/* DMA's first section: the reserved first MiB and the ISA hole excluded */
	if (!online_section_nr(0)) {
		c = must_alloc(GFP_KERNEL | __GFP_DMA, 0);
		assert_int_equal(tu_zone_online_sections(ZONE_DMA), 1);
		assert_int_equal(zone_managed(ZONE_DMA), PAGES_PER_SECTION - 256);
		assert_int_equal(dma->offline_pages, DMA_PRESENT - (PAGES_PER_SECTION - 1 - 1 - 96));
	} else {
		c = must_alloc(GFP_KERNEL | __GFP_DMA, 0);
	}

	/* NORMAL: take blocks until the zone must grow, exactly one section */
	frontier = normal->online_pfn;
	for (i = 0; normal->online_pfn == frontier; i++) {
		assert_true(i <= normal0);
		held[i] = must_alloc(GFP_KERNEL, MAX_PAGE_ORDER);
	}
	e = held[i - 1];
	assert_int_equal(normal->online_pfn, frontier + PAGES_PER_SECTION);
	assert_int_equal(page_to_pfn(e), frontier);
	assert_int_equal(tu_zone_online_sections(ZONE_NORMAL),
			 (frontier - NORMAL_START_PFN) / PAGES_PER_SECTION + 1);

	/* freeing does not offline */
	n0 = tu_online_sections(0, max);
	__free_page(a);
	__free_pages(b, MAX_PAGE_ORDER);
	__free_page(c);
	while (i)
		__free_pages(held[--i], MAX_PAGE_ORDER);
	assert_all_free();
	assert_int_equal(tu_online_sections(0, max), n0);
	/* only the struct pages of online sections were touched: 64 KiB each */
	assert_true(tu_rss_bytes() < 64UL << 20);
}

/* -------------------------------------------------------- page reporting -- */

#define REPORT_MB	64

static void **alloc_touched(unsigned long mb, gfp_t gfp, unsigned int order)
{
	unsigned long n = (mb << 20) / (PAGE_SIZE << order), i;
	void **blocks = calloc(n + 1, sizeof(*blocks));

	for (i = 0; i < n; i++) {
		blocks[i] = page_address(must_alloc(gfp, order));
		memset(blocks[i], 0x3c, PAGE_SIZE << order);
	}
	return blocks;
}

static void free_blocks(void **blocks, unsigned int order)
{
	unsigned long i;

	for (i = 0; blocks[i]; i++)
		free_pages((unsigned long)blocks[i], order);
	free(blocks);
}

static unsigned long reported_pages(void)
{
	return zone_page_state(tu_zone(ZONE_DMA), NR_REPORTED_PAGES) +
	       zone_page_state(tu_zone(ZONE_NORMAL), NR_REPORTED_PAGES) +
	       zone_page_state(tu_zone(ZONE_HIGHMEM), NR_REPORTED_PAGES);
}

PA_TEST(test_page_reporting_flush,
	   "mem=256M page_reporting_order=5 page_reporting_delay=0 page_reporting_high=0", 20)
{
	unsigned long rss0, rss1, rss2, rep0, rep1, given, i;
	void **blocks;

	rss0 = tu_rss_bytes();
	blocks = alloc_touched(REPORT_MB, GFP_KERNEL, 4);	/* 64 KiB blocks */
	rss1 = tu_rss_bytes();
	assert_true(rss1 - rss0 >= (REPORT_MB - 4) << 20);
	rep0 = reported_pages();
	free_blocks(blocks, 4);
	drain_local_pages(NULL);
	given = page_reporting_flush();
	rss2 = tu_rss_bytes();
	rep1 = reported_pages();
	if (rss1 - rss2 < (REPORT_MB * 7 / 8) << 20)
		fail_msg("RSS went from %lu to %lu KiB after freeing %d MiB (flush gave %lu pages)",
			 rss1 >> 10, rss2 >> 10, REPORT_MB, given);
	assert_true(rep1 >= rep0 + ((REPORT_MB * 7 / 8) << 8));
	assert_true(tu_zone_event(ZONE_NORMAL, PGREPORTED) >= (REPORT_MB * 7 / 8) << 8);
	tu_check_all_buddies();

	/* reported memory comes back zeroed */
	for (i = 0; i < 16; i++) {
		struct page *page = must_alloc(GFP_KERNEL | __GFP_ZERO, MAX_PAGE_ORDER);

		assert_true(tu_is_zero(page_address(page), PAGE_SIZE << MAX_PAGE_ORDER));
		__free_pages(page, MAX_PAGE_ORDER);
	}
	assert_all_free();
}

/* A zone-level free of one page: the decay tick of a running program. */
static void nudge_reporting(void)
{
	__free_pages(must_alloc(GFP_KERNEL, MAX_PAGE_ORDER), MAX_PAGE_ORDER);
	drain_local_pages(NULL);
}

static unsigned long report_calls(void)
{
	return tu_zone_event(ZONE_DMA, PGREPORT_CALLS) + tu_zone_event(ZONE_NORMAL, PGREPORT_CALLS) +
	       tu_zone_event(ZONE_HIGHMEM, PGREPORT_CALLS);
}

/*
 * Decay: memory just freed stays mapped however much of it there is; once
 * it has stayed free page_reporting_delay, the next zone-level free gives
 * it back, order-0 pages included.
 */
PA_TEST(test_page_reporting_decay, "mem=256M page_reporting_delay=400", 20)
{
	unsigned long rss1, rss2, rss3;
	void **blocks;

	assert_int_equal(page_reporting_order, 0);
	blocks = alloc_touched(REPORT_MB, GFP_KERNEL, 0);
	rss1 = tu_rss_bytes();
	free_blocks(blocks, 0);
	drain_local_pages(NULL);
	nudge_reporting();
	rss2 = tu_rss_bytes();
	if (rss2 < rss1 && rss1 - rss2 > (4UL << 20))	/* it may grow a little meanwhile */
		fail_msg("RSS went from %lu to %lu KiB at once: memory just freed was given back",
			 rss1 >> 10, rss2 >> 10);
	usleep(600 * 1000);
	nudge_reporting();
	rss3 = tu_rss_bytes();
	if (rss1 - rss3 < ((REPORT_MB - 8) << 20))	/* 8 MiB: what else the child maps meanwhile */
		fail_msg("RSS went from %lu to %lu KiB %d ms after freeing %d MiB of pages",
			 rss1 >> 10, rss3 >> 10, 600, REPORT_MB);
	tu_check_all_buddies();
	assert_all_free();
}

/* Memory freed and taken again within the delay is never given back. */
PA_TEST(test_page_reporting_reuse, "mem=256M", 30)
{
	unsigned long calls0, i;

	assert_int_equal(page_reporting_delay_ms, 2000);
	calls0 = report_calls();
	for (i = 0; i < 20; i++)
		free_blocks(alloc_touched(REPORT_MB, GFP_KERNEL, i % 5), i % 5);
	if (report_calls() - calls0 > 2)
		fail_msg("%lu madvise calls for memory reused at once", report_calls() - calls0);
	assert_all_free();
}

/* page_reporting_delay=0: everything goes back at the next zone-level free. */
PA_TEST(test_page_reporting_eager, "mem=256M page_reporting_delay=0", 20)
{
	unsigned long rss1, rss2;
	void **blocks;

	blocks = alloc_touched(REPORT_MB, GFP_KERNEL, 2);
	rss1 = tu_rss_bytes();
	free_blocks(blocks, 2);
	drain_local_pages(NULL);
	rss2 = tu_rss_bytes();
	if (rss1 - rss2 < ((REPORT_MB - 4) << 20))
		fail_msg("RSS went from %lu to %lu KiB after freeing %d MiB", rss1 >> 10,
			 rss2 >> 10, REPORT_MB);
	assert_all_free();
}

/*
 * Free pages that touch but are not buddies (pfn 1 and 2..3 between live
 * pages 0 and 4) are given back with one system call per run, not per block.
 */
PA_TEST(test_page_reporting_merges_runs, "mem=256M " NO_REPORTING, 20)
{
	struct page *base = must_alloc(GFP_KERNEL, MAX_PAGE_ORDER);
	unsigned long i, calls0, calls, rss1, rss2;

	split_page(base, MAX_PAGE_ORDER);
	for (i = 0; i < MAX_ORDER_NR_PAGES; i++)
		memset(page_address(base + i), 0x5a, PAGE_SIZE);
	rss1 = tu_rss_bytes();
	calls0 = report_calls();
	for (i = 0; i < MAX_ORDER_NR_PAGES; i++)
		if (i % 4)
			__free_page(base + i);
	page_reporting_flush();
	calls = report_calls() - calls0;
	rss2 = tu_rss_bytes();
	/* 256 runs of three pages (an order-0 and an order-1 block each) */
	if (calls > 256 + 8)
		fail_msg("%lu madvise calls to give back 256 runs of 3 pages", calls);
	if (!TU_SANITIZED && rss1 - rss2 < (MAX_ORDER_NR_PAGES * 3 / 4 - 64) * PAGE_SIZE)
		fail_msg("RSS went from %lu to %lu KiB", rss1 >> 10, rss2 >> 10);
	for (i = 0; i < MAX_ORDER_NR_PAGES; i += 4)
		__free_page(base + i);
	tu_check_all_buddies();
	assert_all_free();
}

/*
 * A block made of reported and dirtied parts is not reported: __GFP_ZERO
 * must clear it.  (No automatic reporting here; flushes are explicit.)
 */
PA_TEST(test_reported_state_merges, "mem=64M " NO_REPORTING, 10)
{
	struct page *block, *half = NULL, *other, *again, *held[64];
	unsigned long pfn, n = 0;

	block = must_alloc(GFP_KERNEL, MAX_PAGE_ORDER);
	pfn = page_to_pfn(block);
	memset(page_address(block), 0xee, PAGE_SIZE << MAX_PAGE_ORDER);
	__free_pages(block, MAX_PAGE_ORDER);
	assert_true(page_reporting_flush() >= MAX_ORDER_NR_PAGES);
	assert_true(PageReported(pfn_to_page(pfn)));

	/* half of the reported block: zero, and its other half stays reported */
	while (!half) {
		struct page *page = must_alloc(GFP_KERNEL, MAX_PAGE_ORDER - 1);

		if (page_to_pfn(page) - pfn < MAX_ORDER_NR_PAGES)
			half = page;
		else
			held[n++] = page;
		assert_true(n < ARRAY_SIZE(held));
	}
	other = pfn_to_page(page_to_pfn(half) ^ (MAX_ORDER_NR_PAGES / 2));
	assert_true(PageBuddy(other));
	assert_true(PageReported(other));
	assert_true(tu_is_zero(page_address(half), PAGE_SIZE << (MAX_PAGE_ORDER - 1)));

	/* dirtied and freed, it merges with the reported half: not reported */
	memset(page_address(half), 0x11, PAGE_SIZE);
	__free_pages(half, MAX_PAGE_ORDER - 1);
	assert_true(PageBuddy(pfn_to_page(pfn)));
	assert_int_equal(buddy_order(pfn_to_page(pfn)), MAX_PAGE_ORDER);
	assert_false(PageReported(pfn_to_page(pfn)));
	tu_check_all_buddies();

	again = must_alloc(GFP_KERNEL | __GFP_ZERO, MAX_PAGE_ORDER);
	assert_int_equal(page_to_pfn(again), pfn);
	assert_true(tu_is_zero(page_address(again), PAGE_SIZE << MAX_PAGE_ORDER));
	__free_pages(again, MAX_PAGE_ORDER);
	while (n)
		__free_pages(held[--n], MAX_PAGE_ORDER - 1);
	assert_all_free();
}

/* ---------------------------------------------------- the random model -- */

enum kind { K_PAGES, K_COMP, K_GFP, K_EXACT, NR_KINDS };

struct block {
	unsigned long pfn;
	unsigned long nr;	/* pages in use */
	size_t size;		/* K_EXACT: the size asked */
	uint64_t tag;
	unsigned char order;
	unsigned char kind;
	unsigned char mask;	/* index in zone_masks[] */
	bool lowmem;
};

struct model {
	struct block *live;
	unsigned long nr_live, live_pages, max_live;
	unsigned long mask_pages[3];	/* live pages per zone mask */
	unsigned long dma_budget;
	uint64_t *owner;	/* one bit per pfn */
	unsigned long failures, allocs, frees;
	struct tu_rng rng;
};

static const gfp_t zone_masks[] = { GFP_KERNEL | __GFP_DMA, GFP_KERNEL, GFP_HIGHUSER };

static void own(struct model *m, const struct block *b, bool take)
{
	unsigned long pfn;

	for (pfn = b->pfn; pfn < b->pfn + b->nr; pfn++) {
		uint64_t bit = 1ull << (pfn % 64), *w = &m->owner[pfn / 64];

		if (take && (*w & bit))
			fail_msg("pfn %lu handed out twice (block pfn %lu, %lu pages, kind %d)",
				 pfn, b->pfn, b->nr, b->kind);
		if (!take && !(*w & bit))
			fail_msg("pfn %lu freed but not owned", pfn);
		*w ^= bit;
	}
}

/*
 * A failed allocation is fine only if no zone of its zonelist could have
 * served it at the min mark (after the allocator drained our pcp lists).
 */
static void check_failure(gfp_t gfp, unsigned int order)
{
	enum zone_type highest = (gfp & __GFP_DMA) ? ZONE_DMA :
				 (gfp & __GFP_HIGHMEM) ? ZONE_HIGHMEM : ZONE_NORMAL;
	int z;

	for (z = highest; z >= 0; z--) {
		struct zone *zone = tu_zone(z);
		long free = zone_page_state(zone, NR_FREE_PAGES) + zone->offline_pages;
		bool block = zone->offline_pages > 0;
		unsigned int o;

		if (!populated_zone(zone))
			continue;
		for (o = order; o < NR_PAGE_ORDERS; o++)
			block |= zone->free_area[o].nr_free > 0;
		if (block && free - ((1L << order) - 1) >
			     (long)min_wmark_pages(zone) + zone->lowmem_reserve[highest])
			fail_msg("allocation of order %u (gfp %#x) failed although zone %s has "
				 "%ld free pages (min %lu, reserve %ld)", order, gfp, zone->name,
				 free, min_wmark_pages(zone), zone->lowmem_reserve[highest]);
	}
}

static unsigned int random_order(struct tu_rng *rng)
{
	/* geometric: order o with probability 2^-(o+1), mostly small blocks */
	unsigned int o = __builtin_ctzll(tu_rand(rng) | (1ull << MAX_PAGE_ORDER));

	return o;
}

static void model_alloc(struct model *m)
{
	struct block b = { 0 };
	bool zero = tu_rand_below(&m->rng, 8) == 0;
	unsigned int order = random_order(&m->rng);
	struct page *page = NULL;
	void *addr = NULL;
	gfp_t gfp;

	/* DMA is small: keep its share of the live memory to a quarter of it */
	b.mask = tu_rand_below(&m->rng, ARRAY_SIZE(zone_masks));
	if (b.mask == 0 && m->mask_pages[0] + (1UL << order) > m->dma_budget)
		b.mask = 1;
	gfp = zone_masks[b.mask];
	b.kind = tu_rand_below(&m->rng, NR_KINDS);
	b.order = order;
	b.nr = 1UL << order;
	if (zero)
		gfp |= __GFP_ZERO;
	switch (b.kind) {
	case K_PAGES:
		page = alloc_pages(gfp | __GFP_NOWARN, order);
		break;
	case K_COMP:
		page = alloc_pages(gfp | __GFP_COMP | __GFP_NOWARN, order);
		break;
	case K_GFP:
		gfp &= ~__GFP_HIGHMEM;
		addr = (void *)__get_free_pages(gfp | __GFP_NOWARN, order);
		page = addr ? virt_to_page(addr) : NULL;
		break;
	case K_EXACT:
		gfp &= ~__GFP_HIGHMEM;
		b.size = order ? ((PAGE_SIZE << order) >> 1) + 1 +
				 tu_rand_below(&m->rng, (PAGE_SIZE << order) >> 1)
			       : 1 + tu_rand_below(&m->rng, PAGE_SIZE);
		b.nr = (b.size + PAGE_SIZE - 1) / PAGE_SIZE;
		addr = alloc_pages_exact(b.size, gfp | __GFP_NOWARN);
		page = addr ? virt_to_page(addr) : NULL;
		break;
	}
	m->allocs++;
	if (!page) {
		m->failures++;
		check_failure(gfp, order);
		return;
	}
	b.pfn = page_to_pfn(page);
	b.lowmem = !PageHighMem(page);
	b.tag = tu_rand(&m->rng);
	if (b.kind != K_EXACT)
		assert_int_equal(b.pfn & (b.nr - 1), 0);
	if (gfp & __GFP_DMA)
		assert_int_equal(page_zonenum(page), ZONE_DMA);
	else if (!(gfp & __GFP_HIGHMEM))
		assert_int_not_equal(page_zonenum(page), ZONE_HIGHMEM);
	assert_true(b.pfn + b.nr <= kalloc_max_pfn());
	own(m, &b, true);
	if (b.lowmem) {
		void *p = page_address(page);

		if (zero && !tu_is_zero(p, b.nr * PAGE_SIZE))
			fail_msg("__GFP_ZERO block at pfn %lu (%lu pages) not zero", b.pfn, b.nr);
		tu_fill(p, b.nr, b.tag, false);
	}
	assert_true(m->nr_live < m->max_live);
	m->live[m->nr_live++] = b;
	m->live_pages += b.nr;
	m->mask_pages[b.mask] += b.nr;
}

static void model_free(struct model *m, unsigned long i)
{
	struct block b = m->live[i];
	struct page *page = pfn_to_page(b.pfn);
	void *addr = b.lowmem ? page_address(page) : NULL;

	if (b.lowmem && tu_check_fill(addr, b.nr, b.tag, false))
		fail_msg("block at pfn %lu (%lu pages, kind %d) was overwritten while live", b.pfn,
			 b.nr, b.kind);
	own(m, &b, false);
	m->live[i] = m->live[--m->nr_live];
	m->live_pages -= b.nr;
	m->mask_pages[b.mask] -= b.nr;
	m->frees++;
	switch (b.kind) {
	case K_PAGES:
		__free_pages(page, b.order);
		break;
	case K_COMP:	/* the last reference, through any page of it */
		put_page(page + tu_rand_below(&m->rng, b.nr));
		break;
	case K_GFP:
		free_pages((unsigned long)addr, b.order);
		break;
	case K_EXACT:
		free_pages_exact(addr, b.size);
		break;
	}
}

/* every page is free, kalloc's own since boot, or in the model */
static void model_check_accounting(struct model *m)
{
	drain_local_pages(NULL);
	assert_int_equal(tu_pages_in_use(), boot_in_use + m->live_pages);
	tu_check_all_buddies();
}

static void run_model(unsigned long ops, uint64_t seed)
{
	struct model m = { 0 };
	unsigned long op, budget;

	tu_rng_init(&m.rng, seed);
	budget = totalram_pages() / 2;	/* live pages kept under half of the machine */
	m.max_live = budget + 16;
	m.dma_budget = tu_zone(ZONE_DMA)->present_pages / 4;
	m.live = calloc(m.max_live, sizeof(*m.live));
	m.owner = calloc(kalloc_max_pfn() / 64 + 1, sizeof(uint64_t));
	assert_non_null(m.live);
	assert_non_null(m.owner);

	for (op = 0; op < ops; op++) {
		/* phases of growth and shrinkage, 20000 operations each */
		unsigned int p_alloc = (op / 20000) % 2 ? 40 : 60;

		if (m.nr_live && (m.live_pages + MAX_ORDER_NR_PAGES > budget ||
				  tu_rand_below(&m.rng, 100) >= p_alloc))
			model_free(&m, tu_rand_below(&m.rng, m.nr_live));
		else
			model_alloc(&m);
		if (op % 100000 == 99999)
			model_check_accounting(&m);
	}
	model_check_accounting(&m);
	while (m.nr_live)
		model_free(&m, tu_rand_below(&m.rng, m.nr_live));
	assert_all_free();
	/* failures are allowed only when the watermarks say so: rare here */
	assert_true(m.failures * 100 < m.allocs);
	assert_true(m.frees == m.allocs - m.failures);
	free(m.live);
	free(m.owner);
}

PA_TEST(test_random_model_256m, "mem=256M", 60)
{
	run_model(1000000, 256);
}

/* the same with a HIGHMEM zone (its blocks are checked by ownership only) */
PA_TEST(test_random_model_1g, "mem=1G", 60)
{
	run_model(200000, 1024);
}

/* A pageblock of type @mt whose every page is in held[0..n), or 0. */
static unsigned long held_pageblock(struct page **held, unsigned long n, int mt)
{
	unsigned long i, j, have;

	for (i = 0; i < n; i++) {
		unsigned long pfn = page_to_pfn(held[i]);

		if (pfn % pageblock_nr_pages || get_pfnblock_migratetype(pfn) != mt)
			continue;
		for (have = 0, j = 0; j < n; j++)
			have += page_to_pfn(held[j]) - pfn < pageblock_nr_pages;
		if (have == pageblock_nr_pages)
			return pfn;
	}
	return 0;
}

/*
 * Migrate-type claiming as the kernel does it: an unmovable request that
 * falls back to a MOVABLE pageblock claims it when its free pages and the
 * pages in use there that are not movable (all of them: kalloc has no
 * movable pages in use) make half of it, here with only 64 of its 512
 * pages free.  Every page of the machine is taken first, then 64 of one
 * MOVABLE pageblock freed: the fallback can only take those.
 */
CHILD_TEST(test_fallback_claims_alike_pageblock, "mem=64M", 30)
{
	unsigned long cap = totalram_pages(), n, i, block;
	struct page **held = malloc(cap * sizeof(*held)), *page;

	assert_non_null(held);
	n = tu_take_all_pages(held, cap, GFP_KERNEL | __GFP_MOVABLE);
	block = held_pageblock(held, n, MIGRATE_MOVABLE);
	if (!block)
		skip();	/* no whole MOVABLE pageblock on this machine's layout */
	for (i = 0; i < n; i++)
		if (page_to_pfn(held[i]) - block < 64) {
			__free_page(held[i]);
			held[i] = NULL;
		}
	drain_local_pages(NULL);
	page = alloc_pages(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN, 0);
	assert_non_null(page);
	assert_true(page_to_pfn(page) - block < 64);
	if (get_pfnblock_migratetype(block) != MIGRATE_UNMOVABLE)
		fail_msg("an unmovable fallback left the pageblock at pfn %#lx %s with 64 pages free "
			 "and 448 in use, none movable", block,
			 get_pfnblock_migratetype(block) == MIGRATE_MOVABLE ? "MOVABLE" : "unclaimed");
	__free_page(page);
	for (i = 0; i < n; i++)
		if (held[i])
			__free_page(held[i]);
	free(held);
}

/*
 * The other two rules of the fallback, in an UNMOVABLE pageblock that
 * this test holds whole (each request made by a new thread, whose pcp
 * list's first refill takes one page): a movable request that cannot claim a pageblock
 * takes the smallest block of another type (an order-0 one, not an
 * order-3 one), and a pageblock that is not claimed keeps its other free
 * blocks on its own type's lists (only the stolen order-6 block moves).
 */
/* An order-0 movable page taken by a new thread: its pcp list's first refill takes one page. */
static void *alloc_movable_thread(void *arg)
{
	*(struct page **)arg = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_MEMALLOC | __GFP_NOWARN, 0);
	return NULL;
}

static struct page *alloc_movable_fresh_thread(void)
{
	struct page *page = NULL;
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, alloc_movable_thread, &page), 0);
	pthread_join(t, NULL);
	return page;
}

CHILD_TEST(test_fallback_movable_smallest_no_claim, "mem=64M", 30)
{
	unsigned long cap = totalram_pages(), n, i, block;
	struct page **held = malloc(cap * sizeof(*held)), *page, *p;

	assert_non_null(held);
	n = tu_take_all_pages(held, cap, GFP_KERNEL);
	block = held_pageblock(held, n, MIGRATE_UNMOVABLE);
	if (!block)
		skip();
	/* free [0, 8) (order 3) and 100 (order 0: 101 is held) */
	for (i = 0; i < n; i++) {
		unsigned long off = page_to_pfn(held[i]) - block;

		if (off < 8 || off == 100) {
			__free_page(held[i]);
			held[i] = NULL;
		}
	}
	drain_local_pages(NULL);
	page = alloc_movable_fresh_thread();
	assert_non_null(page);
	if (page_to_pfn(page) != block + 100)
		fail_msg("a movable request that cannot claim took pfn %#lx, not the order-0 block %#lx",
			 page_to_pfn(page), block + 100);
	/* now free [256, 320) (order 6) and 101 (order 0: 100 is held) */
	for (i = 0; i < n; i++) {
		unsigned long off = held[i] ? page_to_pfn(held[i]) - block : ~0UL;

		if ((off >= 256 && off < 320) || off == 101) {
			__free_page(held[i]);
			held[i] = NULL;
		}
	}
	drain_local_pages(NULL);
	p = alloc_movable_fresh_thread();
	assert_non_null(p);
	if (page_to_pfn(p) - block < 256 || page_to_pfn(p) - block >= 320)
		fail_msg("the movable request took offset %ld of the pageblock, not the order-6 block",
			 (long)(page_to_pfn(p) - block));
	assert_int_equal(get_pfnblock_migratetype(block), MIGRATE_UNMOVABLE);
	if (!PageBuddy(pfn_to_page(block)) || pfn_to_page(block)->index != MIGRATE_UNMOVABLE ||
	    !PageBuddy(pfn_to_page(block + 101)) || pfn_to_page(block + 101)->index != MIGRATE_UNMOVABLE)
		fail_msg("the unclaimed pageblock's other free blocks left its type's lists");
	__free_page(page);
	__free_page(p);
	for (i = 0; i < n; i++)
		if (held[i])
			__free_page(held[i]);
	free(held);
}

/* ---------------------------------------------------------------- main -- */

/*
 * buddy_merge_likely(): a freed block whose buddy is in use but whose
 * buddy one order up is free goes to the tail of its free list (it will
 * probably merge soon).  Pages B..B+7 of an order-3 block split apart: B+6
 * and B+7 freed merge to an order-1 block; B+5 freed (its buddy B+4 in
 * use) has B+6's order-1 block as the higher buddy, so it must be the last
 * entry of the order-0 list, behind C+1 (freed before it, its higher buddy
 * in use), not the first.
 */
CHILD_TEST(test_buddy_merge_likely_to_tail, "mem=64M", 10)
{
	struct page *b = alloc_pages(GFP_KERNEL, 3), *c = alloc_pages(GFP_KERNEL, 3), *last;
	struct zone *zone;
	unsigned long pfn;
	int mt;
	unsigned int i;

	assert_non_null(b);
	assert_non_null(c);
	zone = page_zone(b);
	pfn = page_to_pfn(b);
	mt = get_pfnblock_migratetype(pfn + 5);
	assert_int_equal(get_pfnblock_migratetype(page_to_pfn(c)), mt);
	split_page(b, 3);
	split_page(c, 3);
	__free_page(c + 1);	/* another order-0 block on the list, at its head */
	drain_local_pages(zone);
	__free_page(b + 6);
	__free_page(b + 7);
	drain_local_pages(zone);
	assert_true(PageBuddy(b + 6));
	assert_int_equal(buddy_order(b + 6), 1);
	__free_page(b + 5);
	drain_local_pages(zone);
	assert_true(PageBuddy(b + 5));
	assert_int_equal(buddy_order(b + 5), 0);
	last = list_last_entry(&zone->free_area[0].free_list[mt], struct page, lru);
	if (last != b + 5)
		fail_msg("pfn %#lx went to the head of its free list: its higher buddy %#lx is free",
			 pfn + 5, pfn + 6);
	for (i = 0; i < 5; i++)
		__free_page(b + i);
	__free_page(c);
	for (i = 2; i < 8; i++)
		__free_page(c + i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_order_gfp_kernel),
		cmocka_unit_test(test_buddy_merge_likely_to_tail),
		cmocka_unit_test(test_fallback_claims_alike_pageblock),
		cmocka_unit_test(test_fallback_movable_smallest_no_claim),
		cmocka_unit_test(test_buddy_merge_random_order),
		cmocka_unit_test(test_gfp_zones),
		cmocka_unit_test(test_fallback_small_machine),
		cmocka_unit_test(test_dma_protection_2g),
		cmocka_unit_test(test_highmem_fallback_protection),
		cmocka_unit_test(test_init_onlines_nothing),
		cmocka_unit_test(test_machine_sizes),
		cmocka_unit_test(test_watermarks_default),
		cmocka_unit_test(test_watermarks_min_free_kbytes),
		cmocka_unit_test(test_min_free_kbytes_enforced),
		cmocka_unit_test(test_alloc_pages_zone_watermarks),
		cmocka_unit_test(test_gfp_zero_every_order),
		cmocka_unit_test(test_get_zeroed_page),
		cmocka_unit_test(test_alloc_pages_exact),
		cmocka_unit_test(test_alloc_pages_exact_tails_reused),
		cmocka_unit_test(test_compound_pages),
		cmocka_unit_test(test_split_page),
		cmocka_unit_test(test_bad_frees_abort),
		cmocka_unit_test(test_free_invalid_pointer_aborts),
		cmocka_unit_test(test_free_reserved_page_aborts),
		cmocka_unit_test(test_free_pages_with_extra_reference),
		cmocka_unit_test(test_migratetypes),
		cmocka_unit_test(test_migratetype_fallback_fragmented),
		cmocka_unit_test(test_sparse_onlining),
		cmocka_unit_test(test_page_reporting_flush),
		cmocka_unit_test(test_page_reporting_decay),
		cmocka_unit_test(test_page_reporting_reuse),
		cmocka_unit_test(test_page_reporting_eager),
		cmocka_unit_test(test_page_reporting_merges_runs),
		cmocka_unit_test(test_reported_state_merges),
		cmocka_unit_test(test_random_model_256m),
		cmocka_unit_test(test_random_model_1g),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
