/*
 * preload/mallinfo.c - glibc's introspection and tuning entry points:
 * mallopt, mallinfo, mallinfo2, malloc_stats, malloc_info, malloc_trim.
 *
 * glibc describes one heap per arena; kalloc has one machine whose memory
 * is in zones.  The figures map like this (all in bytes, read without
 * locks except the per-thread pcp sum, so they race with other threads as
 * glibc's do not; a report never stops the allocator):
 *
 *	allocated	pages taken from the buddy: a zone's managed pages
 *			less its free pages and those on the threads' pcp
 *			lists.  Slabs, page blocks and vmalloc frames alike.
 *	in use		usable bytes of live allocations (lib/'s counter)
 *
 *	mallinfo2	glibc's meaning		kalloc's figure
 *	arena		sbrk'd system memory	allocated
 *	ordblks		free chunks		free blocks on the buddy lists
 *	smblks, fsmblks	fastbin chunks		0 (no fastbins)
 *	hblks, hblkhd	mmap'd chunks		0 (vmalloc areas are in arena)
 *	usmblks		always 0		0
 *	uordblks	allocated bytes		in use
 *	fordblks	free bytes in arena	allocated - in use: free
 *						objects, sheaves, slab tails
 *	keepcost	trimmable top		free buddy memory still held
 *						from the host: what
 *						malloc_trim(0) gives back
 *
 * mallinfo() has int fields; figures above INT_MAX are clamped there
 * (glibc truncates them), use mallinfo2().
 *
 * malloc_info() prints one <heap> per zone: its free blocks by size (the
 * buddy's free_area[], as glibc lists its free chunks), the pages on the
 * pcp lists as the "fast" total (the per-CPU fast lists, as glibc's
 * fastbins), the zone's allocated bytes as its system memory and its
 * onlined memory as its address space.
 *
 * mallopt() answers as glibc 2.36 does: 1 for every parameter, known or
 * not, except M_MXFAST with a value outside [0, 160] (0).  Two have a
 * kalloc meaning: M_MMAP_THRESHOLD sets mmap_threshold (the size above
 * which malloc takes a vmalloc area, a mapping of its own, instead of a
 * page block; clamped to 8 KiB .. 4 MiB), and M_TRIM_THRESHOLD sets
 * page_reporting_high (free memory in a zone beyond which all of it goes
 * back to the host at once: 0 gives back at once, a negative value turns
 * the ceiling off, as glibc's never trims).  The others change nothing.
 */
#include "glue.h"
#include "percpu.h"
#include "options.h"

#include <limits.h>
#include <malloc.h>
#include <stdio.h>

int __libc_mallopt(int param, int value);
struct mallinfo __libc_mallinfo(void);

/* ---------------------------------------------------------- mallopt -- */

#define MAX_FAST_SIZE	(80 * sizeof(size_t) / 4)	/* glibc's limit for M_MXFAST */

KALLOC_ABI int mallopt(int param, int value)
{
	switch (param) {
	case M_MXFAST:
		return (size_t)value <= MAX_FAST_SIZE;
	case M_MMAP_THRESHOLD:
		WRITE_ONCE(mmap_threshold, clamp((unsigned long long)max(value, 0),
						 (unsigned long long)KMALLOC_MAX_CACHE_SIZE,
						 (unsigned long long)MAX_ORDER_NR_PAGES << PAGE_SHIFT));
		return 1;
	case M_TRIM_THRESHOLD:
		WRITE_ONCE(page_reporting_high, value < 0 ? 0ULL : max((unsigned long long)value,
								    (unsigned long long)PAGE_SIZE));
		return 1;
	}
	return 1;
}
int __libc_mallopt(int param, int value) KALLOC_ALIAS(mallopt);

/* ---------------------------------------------------------- figures -- */

struct zone_figures {
	unsigned long managed, free, pcp, reported;	/* pages */
	unsigned long nr_free[NR_PAGE_ORDERS];		/* blocks per order */
};

struct malloc_figures {
	struct zone_figures zone[MAX_NR_ZONES];
	unsigned long allocated;	/* bytes, every zone */
	unsigned long free_blocks;	/* every zone */
	unsigned long keep;		/* bytes */
	struct kalloc_malloc_stats st;
};

static unsigned long zone_allocated(const struct zone_figures *z)
{
	long pages = (long)z->managed - (long)z->free - (long)z->pcp;

	return pages > 0 ? (unsigned long)pages << PAGE_SHIFT : 0;
}

static void read_figures(struct malloc_figures *f)
{
	unsigned int i, order;

	kalloc_init_once();
	memset(f, 0, sizeof(*f));
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &contig_page_data.node_zones[i];
		struct zone_figures *z = &f->zone[i];

		z->managed = READ_ONCE(zone->managed_pages);
		z->free = zone_page_state(zone, NR_FREE_PAGES);
		z->reported = zone_page_state(zone, NR_REPORTED_PAGES);
		z->pcp = zone_pcp_pages(zone);
		for (order = 0; order < NR_PAGE_ORDERS; order++) {
			z->nr_free[order] = READ_ONCE(zone->free_area[order].nr_free);
			f->free_blocks += z->nr_free[order];
		}
		f->allocated += zone_allocated(z);
		if (z->free > z->reported)
			f->keep += (z->free - z->reported) << PAGE_SHIFT;
	}
	kalloc_malloc_stats(&f->st);
}

KALLOC_ABI struct mallinfo2 mallinfo2(void)
{
	struct malloc_figures f;
	struct mallinfo2 mi;

	read_figures(&f);
	memset(&mi, 0, sizeof(mi));
	mi.arena = f.allocated;
	mi.ordblks = f.free_blocks;
	mi.uordblks = f.st.bytes_in_use;
	mi.fordblks = f.allocated > f.st.bytes_in_use ? f.allocated - f.st.bytes_in_use : 0;
	mi.keepcost = f.keep;
	return mi;
}

static int clamp_int(size_t v)
{
	return v > INT_MAX ? INT_MAX : (int)v;
}

KALLOC_ABI struct mallinfo mallinfo(void)
{
	struct mallinfo2 m2 = mallinfo2();
	struct mallinfo mi;

	mi.arena = clamp_int(m2.arena);
	mi.ordblks = clamp_int(m2.ordblks);
	mi.smblks = clamp_int(m2.smblks);
	mi.hblks = clamp_int(m2.hblks);
	mi.hblkhd = clamp_int(m2.hblkhd);
	mi.usmblks = clamp_int(m2.usmblks);
	mi.fsmblks = clamp_int(m2.fsmblks);
	mi.uordblks = clamp_int(m2.uordblks);
	mi.fordblks = clamp_int(m2.fordblks);
	mi.keepcost = clamp_int(m2.keepcost);
	return mi;
}
/* glibc 2.33 deprecated mallinfo(); kalloc still has to provide it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
struct mallinfo __libc_mallinfo(void) KALLOC_ALIAS(mallinfo);
#pragma GCC diagnostic pop

/* ----------------------------------------------------- malloc_stats -- */

/* glibc's layout: one "Arena" (kalloc has one machine), then the totals. */
KALLOC_ABI void malloc_stats(void)
{
	struct mallinfo2 mi = mallinfo2();

	fprintf(stderr, "Arena 0:\n");
	fprintf(stderr, "system bytes     = %10zu\n", mi.arena);
	fprintf(stderr, "in use bytes     = %10zu\n", mi.uordblks);
	fprintf(stderr, "Total (incl. mmap):\n");
	fprintf(stderr, "system bytes     = %10zu\n", mi.arena + mi.hblkhd);
	fprintf(stderr, "in use bytes     = %10zu\n", mi.uordblks + mi.hblkhd);
	fprintf(stderr, "max mmap regions = %10zu\n", mi.hblks);
	fprintf(stderr, "max mmap bytes   = %10zu\n", mi.hblkhd);
}

/* ------------------------------------------------------ malloc_info -- */

static void print_totals(FILE *fp, unsigned long fast_count, unsigned long fast_size,
			 unsigned long rest_count, unsigned long rest_size)
{
	fprintf(fp, "<total type=\"fast\" count=\"%lu\" size=\"%lu\"/>\n", fast_count, fast_size);
	fprintf(fp, "<total type=\"rest\" count=\"%lu\" size=\"%lu\"/>\n", rest_count, rest_size);
}

static void print_system(FILE *fp, unsigned long current, unsigned long max,
			 unsigned long aspace)
{
	fprintf(fp, "<system type=\"current\" size=\"%lu\"/>\n", current);
	fprintf(fp, "<system type=\"max\" size=\"%lu\"/>\n", max);
	fprintf(fp, "<aspace type=\"total\" size=\"%lu\"/>\n", aspace);
	fprintf(fp, "<aspace type=\"mprotect\" size=\"%lu\"/>\n", aspace);
}

/*
 * glibc's XML, one <heap> per zone.  The "max" of the machine is the larger
 * of what is allocated now and the peak of bytes in use (kalloc keeps no
 * peak of allocated pages); a zone's "max" is its current figure.
 */
KALLOC_ABI int malloc_info(int options, FILE *fp)
{
	struct malloc_figures f;
	unsigned long fast = 0, rest_count = 0, rest_size = 0, aspace = 0;
	unsigned int i, order;

	if (options != 0 || !fp)
		return EINVAL;
	read_figures(&f);

	fputs("<malloc version=\"1\">\n", fp);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone_figures *z = &f.zone[i];
		unsigned long count = 0, size = 0;

		fprintf(fp, "<heap nr=\"%u\" name=\"%s\">\n<sizes>\n", i,
			contig_page_data.node_zones[i].name ? contig_page_data.node_zones[i].name : "");
		for (order = 0; order < NR_PAGE_ORDERS; order++) {
			unsigned long bytes = PAGE_SIZE << order;

			if (!z->nr_free[order])
				continue;
			fprintf(fp, "  <size from=\"%lu\" to=\"%lu\" total=\"%lu\" count=\"%lu\"/>\n",
				bytes, bytes, bytes * z->nr_free[order], z->nr_free[order]);
			count += z->nr_free[order];
			size += bytes * z->nr_free[order];
		}
		fputs("</sizes>\n", fp);
		print_totals(fp, z->pcp, z->pcp << PAGE_SHIFT, count, size);
		print_system(fp, zone_allocated(z), zone_allocated(z), z->managed << PAGE_SHIFT);
		fputs("</heap>\n", fp);
		fast += z->pcp;
		rest_count += count;
		rest_size += size;
		aspace += z->managed << PAGE_SHIFT;
	}
	print_totals(fp, fast, fast << PAGE_SHIFT, rest_count, rest_size);
	fprintf(fp, "<total type=\"mmap\" count=\"0\" size=\"0\"/>\n");
	print_system(fp, f.allocated, max(f.allocated, f.st.peak_bytes_in_use), aspace);
	fputs("</malloc>\n", fp);
	return 0;
}

/* ------------------------------------------------------ malloc_trim -- */

/*
 * Everything kalloc can give back goes back now (kalloc_trim(): empty
 * slabs to the buddy, free buddy memory to the host); @pad has no meaning
 * without a heap top.  1 if memory went back, as glibc.
 */
KALLOC_ABI int malloc_trim(size_t pad)
{
	(void)pad;
	return kalloc_trim() != 0;
}
