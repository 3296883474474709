/*
 * tests/demo_buddy.c - `make demo`: the buddy allocator on a workload
 * shaped like a kernel's: page-table and slab pages (unmovable, order 0),
 * network buffers (orders 1-3, atomic), page cache (movable, HIGHMEM),
 * and a few large contiguous buffers (order 9-10, DMA among them), with
 * frees interleaved so that the free lists fragment and merge.  Prints
 * buddyinfo, pagetypeinfo and zoneinfo before and after.
 */
#include <kalloc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NR_LIVE	20000

static struct {
	struct page *page;
	unsigned int order;
} live[NR_LIVE];

static unsigned long long rnd = 88172645463325252ULL;

static unsigned long xorshift(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return (unsigned long)rnd;
}

static void one_request(int slot)
{
	unsigned long r = xorshift() % 100;
	unsigned int order;
	gfp_t gfp;

	if (r < 45) {
		order = 0;
		gfp = GFP_KERNEL;			/* page tables, slabs */
	} else if (r < 60) {
		order = 1 + xorshift() % 3;
		gfp = GFP_ATOMIC;			/* skbs */
	} else if (r < 95) {
		order = 0;
		gfp = GFP_HIGHUSER_MOVABLE;		/* page cache, anon */
	} else if (r < 99) {
		order = 4 + xorshift() % 4;
		gfp = GFP_KERNEL | __GFP_RECLAIMABLE;	/* dentries, inodes */
	} else {
		order = 9 + xorshift() % 2;
		gfp = (xorshift() & 1 ? GFP_DMA : GFP_KERNEL) | __GFP_NOWARN;
	}
	live[slot].page = alloc_pages(gfp, order);
	live[slot].order = order;
	if (live[slot].page && page_address(live[slot].page))
		memset(page_address(live[slot].page), 0x5a, 64);
}

int main(void)
{
	unsigned long round, failed = 0;
	int i;

	printf("== kalloc: the emulated machine before the workload ==\n");
	kalloc_report(stdout, "buddyinfo");

	for (i = 0; i < NR_LIVE; i++)
		one_request(i);
	for (round = 0; round < 400000; round++) {
		int slot = xorshift() % NR_LIVE;

		if (live[slot].page)
			__free_pages(live[slot].page, live[slot].order);
		one_request(slot);
		failed += !live[slot].page;
	}

	printf("\n== after 400000 requests, %d blocks live, %lu failed ==\n", NR_LIVE, failed);
	kalloc_report(stdout, "buddyinfo");
	printf("\n");
	kalloc_report(stdout, "pagetypeinfo");
	printf("\n");
	kalloc_report(stdout, "zoneinfo");

	for (i = 0; i < NR_LIVE; i++)
		if (live[i].page)
			__free_pages(live[i].page, live[i].order);
	drain_local_pages(NULL);
	printf("\n== everything freed; %lu pages given back to the host ==\n",
	       page_reporting_flush());
	kalloc_report(stdout, "buddyinfo");
	kalloc_report(stdout, "totals");
	return 0;
}
