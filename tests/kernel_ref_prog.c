/*
 * tests/kernel_ref_prog.c - the kalloc side of tests/test_kernel_ref.sh.
 *
 * A kernel's reports are read after boot, when every page of the machine
 * has been handed to the buddy allocator (managed_pages, the pageblock
 * counts).  kalloc onlines its sections as zones need them, so this
 * program first takes every block it can from each zone (HIGHMEM, then
 * NORMAL, then DMA, order MAX_PAGE_ORDER down to 0), which onlines every
 * section, frees them all again, maps one vmalloc area so that
 * vmallocinfo has a line, and leaves the reports to KALLOC_STATS at exit.
 */
#include <kalloc.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_BLOCKS	(1UL << 16)

static struct page *blocks[MAX_BLOCKS];
static unsigned int orders[MAX_BLOCKS];

int main(void)
{
	static const gfp_t zones[] = { GFP_HIGHUSER, GFP_KERNEL, GFP_DMA | GFP_KERNEL };
	unsigned long nr = 0, i;
	unsigned int z;
	int order;
	void *area;

	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++)
		for (order = MAX_PAGE_ORDER; order >= 0; order--)
			while (nr < MAX_BLOCKS &&
			       (blocks[nr] = alloc_pages(zones[z] | __GFP_NOWARN, (unsigned int)order)))
				orders[nr++] = (unsigned int)order;
	if (nr == MAX_BLOCKS) {
		fprintf(stderr, "kernel_ref_prog: more than %lu blocks\n", MAX_BLOCKS);
		return 1;
	}
	for (i = 0; i < nr; i++)
		__free_pages(blocks[i], orders[i]);
	area = vmalloc(1UL << 20);
	if (!area) {
		fprintf(stderr, "kernel_ref_prog: vmalloc failed\n");
		return 1;
	}
	printf("%lu blocks taken and freed\n", nr);
	return 0;
}
