/*
 * lib/vmstat.c - the page allocator's reports (mm/vmstat.c in the kernel)
 * and kalloc_report(), the one entry point of every layer's report.
 *
 *	buddyinfo	free blocks per order, per zone	   (/proc/buddyinfo)
 *	pagetypeinfo	the same per migrate type, and the
 *			pageblocks of each type		   (/proc/pagetypeinfo)
 *	zoneinfo	watermarks, sizes, reserves, counters (/proc/zoneinfo,
 *			the useful subset)
 *	totals		kalloc's own summary per zone, with the host's RSS
 *
 * The formats are the kernel's, field for field, so that the scripts people
 * keep for /proc read ours too.  The differences, all deliberate:
 *  - every zone of the machine is printed, populated or not, with all its
 *    lines (design 6a: a zone none of whose sections is online shows zeros);
 *  - zoneinfo leaves out what kalloc does not have (boost, promo, cma,
 *    per-node stats, NUMA events) and prints kalloc's own counters;
 *  - zoneinfo's "pagesets" is one aggregate set, because kalloc's pcp
 *    lists belong to threads, not CPUs;
 *  - "all" prints each report under a "==> name <==" title, as head(1)
 *    separates files, so that a script can cut them apart.
 *
 * Locking
 * -------
 *
 * 1. pcpu_lock, then zone->lock (the order of page_alloc.c and percpu.h).
 *    The per-thread sums, zone_pcp_pages() and zone_events_sum(), take
 *    pcpu_lock: they are called before the zone's lock, never under it.
 *
 * 2. zone->lock: every zone field this file reads that changes after boot
 *    (free_area[] and its lists, managed_pages, vm_stat[], and the
 *    mem_section[] online bits and pageblock types of the zone's sections)
 *    is written under it by page_alloc.c and sparse.c.
 *
 * 3. Nothing is printed with a lock held.  fprintf() may call malloc(),
 *    which in this library is the page allocator: it would take the same
 *    zone->lock again (a self-deadlock), or change the very numbers being
 *    printed.  So a report first copies what it needs, zone by zone, into a
 *    struct node_snapshot on the stack, under that zone's lock, drops the
 *    lock, and only then prints from the copy.  kalloc_report() takes one
 *    snapshot per call and hands it to every page allocator report it
 *    prints, so that "all" shows one consistent state even when printing
 *    itself allocates.
 *
 * 4. No lock of its own: two threads may report at once, each with its own
 *    snapshot.  page_alloc.c's fork handlers take pcpu_lock and every
 *    zone->lock, so a fork() waits for a snapshot in progress and the child
 *    never inherits a lock held by a report.
 *
 * The numbers of a snapshot are exact for the zone's own fields; the pcp
 * and event sums race with other threads' lockless fast paths, as the
 * kernel's per-cpu counters do.
 *
 * The host figures (RSS, its peak) are read from /proc/self with the raw
 * open/read system calls of sys.c, not stdio: the report may run from an
 * atexit() handler of the malloc replacement, where a FILE (which is
 * malloc()ed) is not welcome.
 */
#include "slab.h"
#include "kfence.h"
#include "options.h"
#include "util.h"
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------- the names -- */

/* The names of enum zone_stat_item in zoneinfo, kernel style. */
static const char *const zone_stat_names[] = {
	[NR_FREE_PAGES]		= "nr_free_pages",
	[NR_REPORTED_PAGES]	= "nr_reported_pages",
};
_Static_assert(ARRAY_SIZE(zone_stat_names) == NR_VM_ZONE_STAT_ITEMS,
	       "name every enum zone_stat_item");

/* The names of enum zone_event_item in zoneinfo, kernel style. */
static const char *const zone_event_names[] = {
	[PGALLOC]		= "pgalloc",
	[PGFREE]		= "pgfree",
	[PGALLOC_FALLBACK]	= "pgalloc_fallback",
	[PGSTEAL_MIGRATETYPE]	= "pgsteal_migratetype",
	[PGONLINE_SECTIONS]	= "sections_online",
	[PGREPORTED]		= "pgreported",
	[PGREPORT_CALLS]	= "pgreport_calls",
	[ALLOCSTALL_FAIL]	= "allocfail",
};
_Static_assert(ARRAY_SIZE(zone_event_names) == NR_ZONE_EVENTS,
	       "name every enum zone_event_item");

/* ------------------------------------------------------ snapshots -- */

/*
 * Free blocks counted on one free list before giving up, as the kernel's
 * pagetypeinfo_showfree_print() does: the walk holds zone->lock, and a
 * debugging report must not stall every allocating thread.  A count that
 * reached the cap is printed with a '>' in front.
 */
#define FREECOUNT_CAP	100000UL

/* What a report needs beyond the zone's fields and counters. */
#define SNAP_FREELISTS	0x1u	/* free blocks per migrate type (walks lists) */
#define SNAP_BLOCKS	0x2u	/* pageblocks per migrate type, sections */

/* One zone, copied under its lock. */
struct zone_snapshot {
	const char *name;
	unsigned long start_pfn;
	unsigned long spanned, present, managed;
	unsigned long watermark[NR_WMARK];
	long lowmem_reserve[MAX_NR_ZONES];
	int pcp_high, pcp_batch;

	unsigned long nr_free[NR_PAGE_ORDERS];
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
	unsigned long events[NR_ZONE_EVENTS];	/* every thread's, summed */
	unsigned long pcp;		/* pages on every thread's pcp lists */

	/* SNAP_FREELISTS */
	unsigned long type_free[MIGRATE_TYPES][NR_PAGE_ORDERS];
	bool type_free_capped[MIGRATE_TYPES][NR_PAGE_ORDERS];

	/* SNAP_BLOCKS */
	unsigned long blocks[MIGRATE_TYPES];
	unsigned long sections_online, sections_total;
};

/* The node: what one kalloc_report() call prints. */
struct node_snapshot {
	int node_id;
	struct zone_snapshot zones[MAX_NR_ZONES];
};

/*
 * Count the free blocks of each migrate type and order, the walk of
 * pagetypeinfo_showfree_print().  Caller holds zone->lock.
 */
static void __snapshot_free_lists(struct zone *zone, struct zone_snapshot *s)
{
	unsigned int order, type;

	for_each_migratetype_order(order, type) {
		struct list_head *head = &zone->free_area[order].free_list[type];
		struct list_head *curr;
		unsigned long count = 0;

		list_for_each(curr, head) {
			if (++count >= FREECOUNT_CAP) {
				s->type_free_capped[type][order] = true;
				break;
			}
		}
		s->type_free[type][order] = count;
	}
}

/*
 * Count the pageblocks of each migrate type in the online sections of the
 * zone, and the sections online of those the zone spans: the walk of
 * pagetypeinfo_showblockcount_print(), a section at a time instead of
 * pfn_to_online_page() per block.  Caller holds zone->lock.
 */
static void __snapshot_blocks(struct zone *zone, struct zone_snapshot *s)
{
	unsigned long start = zone->zone_start_pfn;
	unsigned long end = zone_end_pfn(zone);
	unsigned long nr, i;

	if (start >= end)
		return;

	for (nr = pfn_to_section_nr(start); nr <= pfn_to_section_nr(end - 1); nr++) {
		s->sections_total++;
		if (!online_section_nr(nr))
			continue;
		s->sections_online++;

		for (i = 0; i < PAGEBLOCKS_PER_SECTION; i++) {
			unsigned long pfn = section_nr_to_pfn(nr) + i * pageblock_nr_pages;
			unsigned int mt = mem_section[nr].pageblock_flags[i];

			/* a block the zone starts inside counts (ZONE_DMA at pfn 1) */
			if (pfn + pageblock_nr_pages <= start || pfn >= end)
				continue;
			if (mt < MIGRATE_TYPES)
				s->blocks[mt]++;
		}
	}
}

/*
 * Copy one zone.  The per-thread sums come first: zone_pcp_pages() and
 * zone_events_sum() take pcpu_lock, which ranks above zone->lock and must
 * not be taken under it.  Then the zone itself, under zone->lock.
 */
static void snapshot_zone(struct zone *zone, struct zone_snapshot *s,
			  unsigned int what)
{
	unsigned int order;

	memset(s, 0, sizeof(*s));
	s->pcp = zone_pcp_pages(zone);
	zone_events_sum(zone, s->events);

	/* Set at boot and never changed: no lock needed. */
	s->name = zone->name ? zone->name : "?";
	s->start_pfn = zone->zone_start_pfn;
	s->spanned = zone->spanned_pages;
	s->present = zone->present_pages;
	memcpy(s->watermark, zone->_watermark, sizeof(s->watermark));
	memcpy(s->lowmem_reserve, zone->lowmem_reserve, sizeof(s->lowmem_reserve));
	s->pcp_high = zone->pcp_high;
	s->pcp_batch = zone->pcp_batch;

	spin_lock(&zone->lock);
	s->managed = zone->managed_pages;
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		s->nr_free[order] = zone->free_area[order].nr_free;
	memcpy(s->vm_stat, zone->vm_stat, sizeof(s->vm_stat));
	if (what & SNAP_FREELISTS)
		__snapshot_free_lists(zone, s);
	if (what & SNAP_BLOCKS)
		__snapshot_blocks(zone, s);
	spin_unlock(&zone->lock);
}

/* Copy every zone of the node, one lock at a time. */
static void snapshot_node(struct node_snapshot *snap, unsigned int what)
{
	struct zone *zone;

	snap->node_id = contig_page_data.node_id;
	for_each_zone(zone)
		snapshot_zone(zone, &snap->zones[zone_idx(zone)], what);
}

/* ------------------------------------------------------- buddyinfo -- */

/*
 * One line per zone: the number of free blocks at each order.  Mirrors
 * frag_show_print(), walked over every zone as frag_show() does.
 */
static void frag_show(FILE *out, const struct node_snapshot *snap)
{
	unsigned int i, order;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone_snapshot *s = &snap->zones[i];

		fprintf(out, "Node %d, zone %8s ", snap->node_id, s->name);
		for (order = 0; order < NR_PAGE_ORDERS; order++)
			fprintf(out, "%6lu ", s->nr_free[order]);
		fputc('\n', out);
	}
}

/* ---------------------------------------------------- pagetypeinfo -- */

/* Free blocks per order for each migrate type of one zone. */
static void pagetypeinfo_showfree_print(FILE *out, int node_id,
					const struct zone_snapshot *s)
{
	unsigned int type, order;

	for (type = 0; type < MIGRATE_TYPES; type++) {
		fprintf(out, "Node %4d, zone %8s, type %12s ",
			node_id, s->name, migratetype_names[type]);
		for (order = 0; order < NR_PAGE_ORDERS; order++)
			fprintf(out, "%s%6lu ",
				s->type_free_capped[type][order] ? ">" : "",
				s->type_free[type][order]);
		fputc('\n', out);
	}
}

/* The header and the free counts of every zone; pagetypeinfo_showfree(). */
static void pagetypeinfo_showfree(FILE *out, const struct node_snapshot *snap)
{
	unsigned int i, order;

	fprintf(out, "%-43s ", "Free pages count per migrate type at order");
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		fprintf(out, "%6u ", order);
	fputc('\n', out);

	for (i = 0; i < MAX_NR_ZONES; i++)
		pagetypeinfo_showfree_print(out, snap->node_id, &snap->zones[i]);
}

/* Pageblocks of each migrate type in one zone. */
static void pagetypeinfo_showblockcount_print(FILE *out, int node_id,
					      const struct zone_snapshot *s)
{
	unsigned int type;

	fprintf(out, "Node %d, zone %8s ", node_id, s->name);
	for (type = 0; type < MIGRATE_TYPES; type++)
		fprintf(out, "%12lu ", s->blocks[type]);
	fputc('\n', out);
}

/* The header and the block counts of every zone; pagetypeinfo_showblockcount(). */
static void pagetypeinfo_showblockcount(FILE *out, const struct node_snapshot *snap)
{
	unsigned int i, type;

	fprintf(out, "\n%-23s", "Number of blocks type ");
	for (type = 0; type < MIGRATE_TYPES; type++)
		fprintf(out, "%12s ", migratetype_names[type]);
	fputc('\n', out);

	for (i = 0; i < MAX_NR_ZONES; i++)
		pagetypeinfo_showblockcount_print(out, snap->node_id, &snap->zones[i]);
}

/*
 * Grouping by mobility: the pageblock size, free blocks per type and order,
 * pageblocks per type.  Mirrors pagetypeinfo_show() (kalloc has no
 * PAGE_OWNER, so no "mixed blocks" table).
 */
static void pagetypeinfo_show(FILE *out, const struct node_snapshot *snap)
{
	fprintf(out, "Page block order: %d\n", pageblock_order);
	fprintf(out, "Pages per block:  %lu\n", pageblock_nr_pages);
	fputc('\n', out);
	pagetypeinfo_showfree(out, snap);
	pagetypeinfo_showblockcount(out, snap);
}

/* -------------------------------------------------------- zoneinfo -- */

/*
 * One zone's block of /proc/zoneinfo: free pages and watermarks, sizes,
 * lowmem_reserve ("protection"), the zone counters and events, the pcp
 * limits, start_pfn.  Mirrors zoneinfo_show_print(), without the fields
 * kalloc does not have (boost, promo, cma, per-node stats, NUMA events).
 */
static void zoneinfo_show_print(FILE *out, int node_id,
				const struct zone_snapshot *s)
{
	unsigned int i;

	fprintf(out, "Node %d, zone %8s", node_id, s->name);
	fprintf(out,
		"\n  pages free     %ld"
		"\n        min      %lu"
		"\n        low      %lu"
		"\n        high     %lu"
		"\n        spanned  %lu"
		"\n        present  %lu"
		"\n        managed  %lu",
		s->vm_stat[NR_FREE_PAGES],
		s->watermark[WMARK_MIN],
		s->watermark[WMARK_LOW],
		s->watermark[WMARK_HIGH],
		s->spanned,
		s->present,
		s->managed);

	fprintf(out, "\n        protection: (%ld", s->lowmem_reserve[0]);
	for (i = 1; i < MAX_NR_ZONES; i++)
		fprintf(out, ", %ld", s->lowmem_reserve[i]);
	fputc(')', out);

	for (i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		fprintf(out, "\n      %-12s %ld", zone_stat_names[i], s->vm_stat[i]);
	fprintf(out, "\n      %-12s %lu", "nr_pcp_pages", s->pcp);
	for (i = 0; i < NR_ZONE_EVENTS; i++)
		fprintf(out, "\n      %-12s %lu", zone_event_names[i], s->events[i]);

	/*
	 * The kernel prints one set per online CPU.  kalloc's pcp lists
	 * belong to threads, which share one high/batch per zone: print that
	 * once, with the pages held on all of them as the count.
	 */
	fprintf(out,
		"\n  pagesets"
		"\n              count:    %lu"
		"\n              high:     %d"
		"\n              batch:    %d",
		s->pcp, s->pcp_high, s->pcp_batch);

	fprintf(out, "\n  start_pfn:           %lu", s->start_pfn);
	fputc('\n', out);
}

/* Every zone, populated or not, as zoneinfo_show() does. */
static void zoneinfo_show(FILE *out, const struct node_snapshot *snap)
{
	unsigned int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		zoneinfo_show_print(out, snap->node_id, &snap->zones[i]);
}

/* ------------------------------------------------------------ JSON -- */

/* buddyinfo as JSON: per zone, the free blocks of each order. */
static void frag_show_json(struct json *j, const struct node_snapshot *snap)
{
	unsigned int i, order;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		json_array(j, snap->zones[i].name, true);
		for (order = 0; order < NR_PAGE_ORDERS; order++)
			json_u64(j, NULL, snap->zones[i].nr_free[order]);
		json_close(j);
	}
}

/* pagetypeinfo as JSON: per zone and migrate type, free blocks per order; blocks per type. */
static void pagetypeinfo_show_json(struct json *j, const struct node_snapshot *snap)
{
	unsigned int i, type, order;

	json_u64(j, "page_block_order", pageblock_order);
	json_u64(j, "pages_per_block", pageblock_nr_pages);
	json_object(j, "free");
	for (i = 0; i < MAX_NR_ZONES; i++) {
		json_object(j, snap->zones[i].name);
		for (type = 0; type < MIGRATE_TYPES; type++) {
			json_array(j, migratetype_names[type], true);
			for (order = 0; order < NR_PAGE_ORDERS; order++)
				json_u64(j, NULL, snap->zones[i].type_free[type][order]);
			json_close(j);
		}
		json_close(j);
	}
	json_close(j);
	json_object(j, "blocks");
	for (i = 0; i < MAX_NR_ZONES; i++) {
		json_open(j, snap->zones[i].name, '{', true);
		for (type = 0; type < MIGRATE_TYPES; type++)
			json_u64(j, migratetype_names[type], snap->zones[i].blocks[type]);
		json_close(j);
	}
	json_close(j);
}

/* zoneinfo as JSON: per zone, the text's fields under their names. */
static void zoneinfo_show_json(struct json *j, const struct node_snapshot *snap)
{
	unsigned int i, k;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone_snapshot *s = &snap->zones[i];

		json_object(j, s->name);
		json_s64(j, "free", s->vm_stat[NR_FREE_PAGES]);
		json_u64(j, "min", s->watermark[WMARK_MIN]);
		json_u64(j, "low", s->watermark[WMARK_LOW]);
		json_u64(j, "high", s->watermark[WMARK_HIGH]);
		json_u64(j, "spanned", s->spanned);
		json_u64(j, "present", s->present);
		json_u64(j, "managed", s->managed);
		json_array(j, "protection", true);
		for (k = 0; k < MAX_NR_ZONES; k++)
			json_s64(j, NULL, s->lowmem_reserve[k]);
		json_close(j);
		for (k = 0; k < NR_VM_ZONE_STAT_ITEMS; k++)
			json_s64(j, zone_stat_names[k], s->vm_stat[k]);
		json_u64(j, "nr_pcp_pages", s->pcp);
		for (k = 0; k < NR_ZONE_EVENTS; k++)
			json_u64(j, zone_event_names[k], s->events[k]);
		json_open(j, "pagesets", '{', true);
		json_u64(j, "count", s->pcp);
		json_s64(j, "high", s->pcp_high);
		json_s64(j, "batch", s->pcp_batch);
		json_close(j);
		json_u64(j, "start_pfn", s->start_pfn);
		json_close(j);
	}
}

/* ---------------------------------------------------------- totals -- */

/*
 * Read a small file of /proc into buf (NUL-terminated) with raw system
 * calls.  Returns the length, or -1.
 */
static ssize_t read_proc_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd;

	fd = sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ssize_t n = sys_read(fd, buf + len, size - 1 - len);

		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	sys_close(fd);
	buf[len] = '\0';
	return len ? (ssize_t)len : -1;
}

/* Resident set of the process in kB (/proc/self/statm), or -1. */
static long host_rss_kb(void)
{
	char buf[256];
	unsigned long size, resident;
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;

	if (read_proc_file("/proc/self/statm", buf, sizeof(buf)) < 0 || page_kb <= 0)
		return -1;
	if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
		return -1;
	return resident * page_kb;
}

/* Peak resident set in kB (VmHWM of /proc/self/status), or -1. */
static long host_rss_peak_kb(void)
{
	char buf[4096];
	const char *p;

	if (read_proc_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nVmHWM:");
	if (!p)
		return -1;
	return strtol(p + 7, NULL, 10);
}

/*
 * Where a zone's managed pages are: free in the buddy, on pcp lists, or
 * allocated (every other one; while page reporting has a block isolated
 * to give it back, that block counts here too).  The pcp sum is racy
 * against other threads, so the result may be off by their traffic.
 */
static long zone_snapshot_allocated(const struct zone_snapshot *s)
{
	return (long)s->managed - s->vm_stat[NR_FREE_PAGES] - (long)s->pcp;
}

/* The columns of a totals row, as the text's table has them. */
static const char *const totals_keys[] = {
	"present", "managed", "free", "allocated", "pcp", "reported",
	"sections_online", "sections_total",
};
#define NR_TOTALS_COLUMNS	ARRAY_SIZE(totals_keys)

static void totals_columns(const struct zone_snapshot *s, unsigned long *v)
{
	v[0] = s->present;
	v[1] = s->managed;
	v[2] = s->vm_stat[NR_FREE_PAGES];
	v[3] = zone_snapshot_allocated(s);
	v[4] = s->pcp;
	v[5] = s->vm_stat[NR_REPORTED_PAGES];
	v[6] = s->sections_online;
	v[7] = s->sections_total;
}

/* One row of the totals table; its values added to @sum if not NULL. */
static void totals_print_row(FILE *out, const char *name, const unsigned long *v,
			     unsigned long *sum)
{
	char sections[48];
	unsigned int k;

	snprintf(sections, sizeof(sections), "%lu/%lu", v[6], v[7]);
	fprintf(out, "%-8s %10lu %10lu %10ld %10ld %10lu %10ld %13s\n",
		name, v[0], v[1], (long)v[2], (long)v[3], v[4], (long)v[5], sections);
	for (k = 0; sum && k < NR_TOTALS_COLUMNS; k++)
		sum[k] += v[k];
}

static void print_kb(FILE *out, const char *label, long kb)
{
	if (kb < 0)
		fprintf(out, "%-14s unknown\n", label);
	else
		fprintf(out, "%-14s %ld kB\n", label, kb);
}

/*
 * kalloc's summary, in 4 KiB pages: per zone and for the machine, the
 * present pages, the managed (online, not reserved) ones, and where they
 * are: free in the buddy, allocated, on pcp lists; the free pages whose
 * memory went back to the host; sections online of those spanned.  Then
 * what the host sees: the process's RSS and its peak.  No kernel
 * counterpart; the nearest is show_free_areas() plus /proc/self/status.
 *
 *	free + allocated + pcp = managed	(per zone and in total)
 */
static void malloc_totals_show(FILE *out, const struct node_snapshot *snap);

static void totals_show(FILE *out, const struct node_snapshot *snap)
{
	unsigned long total[NR_TOTALS_COLUMNS] = { 0 }, v[NR_TOTALS_COLUMNS];
	unsigned int i;

	fprintf(out, "%-8s %10s %10s %10s %10s %10s %10s %13s\n", "zone",
		"present", "managed", "free", "allocated", "pcp", "reported",
		"sections");
	for (i = 0; i < MAX_NR_ZONES; i++) {
		totals_columns(&snap->zones[i], v);
		totals_print_row(out, snap->zones[i].name, v, total);
	}
	totals_print_row(out, "total", total, NULL);
	fputc('\n', out);
	print_kb(out, "host rss:", host_rss_kb());
	print_kb(out, "host rss peak:", host_rss_peak_kb());
	malloc_totals_show(out, snap);
}

/* malloc's part of the totals, copied from each layer's counters. */
struct malloc_totals {
	struct kalloc_malloc_stats st;
	struct vmalloc_stats vs;
	unsigned long slab_bytes, slab_objs, reported, calls;
	long pending;		/* free pages not given back yet */
};

static void malloc_totals_take(struct malloc_totals *t, const struct node_snapshot *snap)
{
	struct kmem_cache *s;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	kalloc_malloc_stats(&t->st);
	vmalloc_stats(&t->vs);
	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		struct slabinfo si;

		get_slabinfo(s, &si);
		t->slab_objs += si.active_objs;
		t->slab_bytes += si.num_slabs * (PAGE_SIZE << si.cache_order);
	}
	spin_unlock(&slab_mutex);
	for (i = 0; i < MAX_NR_ZONES; i++) {
		t->reported += snap->zones[i].events[PGREPORTED];
		t->calls += snap->zones[i].events[PGREPORT_CALLS];
		t->pending += snap->zones[i].vm_stat[NR_FREE_PAGES] -
			      snap->zones[i].vm_stat[NR_REPORTED_PAGES];
	}
	t->pending = max(t->pending, 0L);
}

/*
 * malloc's part of the totals: what each layer holds for it, what was
 * given back to the host, and the pointers it was handed that were not
 * its own.
 */
static void malloc_totals_show(FILE *out, const struct node_snapshot *snap)
{
	struct malloc_totals t;

	malloc_totals_take(&t, snap);
	fprintf(out, "\nslab:          %lu objects in use, %lu kB of slabs\n", t.slab_objs,
		t.slab_bytes >> 10);
	fprintf(out, "page blocks:   %lu requests\n", t.st.nr_pages);
	fprintf(out, "vmalloc:       %lu requests, %lu areas live, %lu kB; vrealloc %lu in place, %lu moved\n",
		t.st.nr_vmalloc, t.vs.nr_areas, t.vs.nr_pages << (PAGE_SHIFT - 10), t.vs.in_place,
		t.vs.moved);
	if (phys_is_memfd())
		fprintf(out, "vmap purge:    %lu kB lazily freed, %lu purges\n",
			t.vs.lazy_pages << (PAGE_SHIFT - 10), t.vs.purges);
	fprintf(out, "reported:      %lu kB given back in %lu %s calls\n",
		t.reported << (PAGE_SHIFT - 10), t.calls, phys_is_memfd() ? "fallocate" : "madvise");
	fprintf(out, "decay:         %lu kB free, not given back yet (page_reporting_delay=%u); kswapd %s, %lu wakeups\n",
		(unsigned long)t.pending << (PAGE_SHIFT - 10), page_reporting_delay_ms,
		kswapd_enabled ? "on" : "off", kswapd_nr_wakeups());
	fprintf(out, "foreign frees: %lu\n", t.st.foreign_frees);
}

/* One row as an object named @name; its values added to @sum if not NULL. */
static void totals_row_json(struct json *j, const char *name, const unsigned long *v,
			    unsigned long *sum)
{
	unsigned int k;

	json_open(j, name, '{', true);
	for (k = 0; k < NR_TOTALS_COLUMNS; k++) {
		json_s64(j, totals_keys[k], (long)v[k]);	/* allocated may dip below 0 */
		if (sum)
			sum[k] += v[k];
	}
	json_close(j);
}

/* The totals as JSON: the table's rows by zone, then the same lines' numbers (bytes). */
static void totals_show_json(struct json *j, const struct node_snapshot *snap)
{
	unsigned long total[NR_TOTALS_COLUMNS] = { 0 }, v[NR_TOTALS_COLUMNS];
	struct malloc_totals t;
	unsigned int i;

	json_object(j, "zones");
	for (i = 0; i < MAX_NR_ZONES; i++) {
		totals_columns(&snap->zones[i], v);
		totals_row_json(j, snap->zones[i].name, v, total);
	}
	json_close(j);
	totals_row_json(j, "total", total, NULL);
	json_s64(j, "host_rss_kb", host_rss_kb());
	json_s64(j, "host_rss_peak_kb", host_rss_peak_kb());
	malloc_totals_take(&t, snap);
	json_u64(j, "slab_objects", t.slab_objs);
	json_u64(j, "slab_bytes", t.slab_bytes);
	json_u64(j, "page_block_requests", t.st.nr_pages);
	json_u64(j, "vmalloc_requests", t.st.nr_vmalloc);
	json_u64(j, "vmalloc_areas", t.vs.nr_areas);
	json_u64(j, "vmalloc_bytes", t.vs.nr_pages << PAGE_SHIFT);
	json_u64(j, "vrealloc_in_place", t.vs.in_place);
	json_u64(j, "vrealloc_moved", t.vs.moved);
	if (phys_is_memfd()) {
		json_u64(j, "vmap_lazy_bytes", t.vs.lazy_pages << PAGE_SHIFT);
		json_u64(j, "vmap_purges", t.vs.purges);
	}
	json_u64(j, "reported_bytes", t.reported << PAGE_SHIFT);
	json_u64(j, "report_calls", t.calls);
	json_u64(j, "decay_pending_bytes", (unsigned long)t.pending << PAGE_SHIFT);
	json_u64(j, "page_reporting_delay", page_reporting_delay_ms);
	json_bool(j, "kswapd", kswapd_enabled);
	json_u64(j, "kswapd_wakeups", kswapd_nr_wakeups());
	json_u64(j, "foreign_frees", t.st.foreign_frees);
}

/* --------------------------------------------------------- summary -- */

/*
 * The summary: what the program has in use and what the allocator holds
 * for it, in bytes, layer by layer, now and at the peak.  Every byte figure
 * is a multiple of the unit it is counted in: objects (their cache's object
 * size, the size class), frames (4 KiB), the break (bytes).
 *
 *	slabs = slab objects + kalloc's own objects + free objects in slabs
 *	        + objects in sheaves + metadata, padding and slab tails
 *	held  = slabs + page blocks + vmalloc + brk + other
 *	        (frames out of the buddy's free lists: managed - free)
 *
 * Peaks are kept where the layers' slow paths already are, never on the
 * malloc fast path: objects out of their slabs (in use or in a sheaf) when
 * a sheaf is refilled or flushed; slab pages when a slab is made; vmalloc
 * frames under vmap_area_lock; the break's frames; the frames held, each
 * time a zone hands out pages under its lock (a pcp batch at a time).
 * Page blocks keep no peak of their own (per-thread counters, no atomics):
 * the held peak covers them.
 */
struct summary {
	/* in use by the program, bytes */
	unsigned long slab_objects, slab_out_peak;
	unsigned long page_blocks;
	unsigned long vmalloc, vmalloc_peak;
	unsigned long brk, brk_peak;
	/* held from the buddy, bytes */
	unsigned long slab_pages, slab_pages_peak;
	unsigned long vmalloc_held, brk_held;
	unsigned long held, held_peak;
	/* overhead, bytes */
	unsigned long slab_free, slab_sheaves, slab_meta, slab_own;
	unsigned long area_cache, pcp, buddy_unreported, mem_map;
	/* the host */
	long rss_kb, rss_peak_kb;
	unsigned long reported, given_back, given_back_calls;
};

/* Bytes of mem_map (struct pages of online sections) in host memory, by mincore(). */
static unsigned long mem_map_resident(void)
{
	unsigned char vec[256];
	unsigned long nr, bytes = 0;

	for (nr = 0; nr < pfn_to_section_nr(max_pfn + PAGES_PER_SECTION - 1); nr++) {
		unsigned long start = (unsigned long)__pfn_to_page(section_nr_to_pfn(nr));
		unsigned long len = PAGES_PER_SECTION * sizeof(struct page), i;

		if (!online_section_nr(nr) || len / PAGE_SIZE > sizeof(vec))
			continue;
		if (kalloc_syscall6(SYS_mincore, (long)start, (long)len, (long)vec, 0, 0, 0))
			continue;
		for (i = 0; i < len / PAGE_SIZE; i++)
			bytes += (vec[i] & 1) * PAGE_SIZE;
	}
	return bytes;
}

/* Every slab cache: objects in use, free, in sheaves, metadata.  Takes slab_mutex. */
static void summary_slabs(struct summary *sum)
{
	struct kmem_cache *s;

	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		struct slabinfo si;
		unsigned long sheaf, used, bytes;

		get_slabinfo(s, &si);
		sheaf = min(slub_sheaf_objects(s), si.active_objs);
		used = si.active_objs - sheaf;
		if ((s->flags & SLAB_KMALLOC) || is_malloc_cache(s))
			sum->slab_objects += used * s->object_size;
		else
			sum->slab_own += used * s->object_size;
		sum->slab_free += (si.num_objs - si.active_objs) * s->size;
		sum->slab_sheaves += sheaf * s->size;
		bytes = si.num_slabs * (PAGE_SIZE << si.cache_order);
		sum->slab_meta += bytes - si.num_objs * s->size +
				  si.active_objs * (s->size - s->object_size);
	}
	spin_unlock(&slab_mutex);
}

static void summary_take(struct summary *sum, const struct node_snapshot *snap)
{
	struct kalloc_malloc_stats st;
	struct vmalloc_stats vs;
	unsigned long brk_pages, brk_peak, now, peak;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	summary_slabs(sum);
	slab_bytes_out_read(&now, &sum->slab_out_peak);
	slab_pages_read(&now, &peak);
	sum->slab_pages = now << PAGE_SHIFT;
	sum->slab_pages_peak = peak << PAGE_SHIFT;

	kalloc_malloc_stats(&st);
	vmalloc_stats(&vs);
	sum->page_blocks = st.page_block_pages << PAGE_SHIFT;
	sum->area_cache = min(st.area_cache_bytes, vs.nr_pages << PAGE_SHIFT);
	sum->vmalloc_held = vs.nr_pages << PAGE_SHIFT;
	sum->vmalloc = sum->vmalloc_held - sum->area_cache;
	sum->vmalloc_peak = vs.peak_pages << PAGE_SHIFT;
	brk_stats(&sum->brk, &brk_pages, &brk_peak);
	sum->brk_held = brk_pages << PAGE_SHIFT;
	sum->brk_peak = brk_peak << PAGE_SHIFT;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone_snapshot *z = &snap->zones[i];

		sum->held += (z->managed - z->vm_stat[NR_FREE_PAGES]) << PAGE_SHIFT;
		sum->pcp += z->pcp << PAGE_SHIFT;
		sum->reported += z->vm_stat[NR_REPORTED_PAGES] << PAGE_SHIFT;
		sum->buddy_unreported += max(z->vm_stat[NR_FREE_PAGES] - z->vm_stat[NR_REPORTED_PAGES], 0L)
					 << PAGE_SHIFT;
		sum->given_back += z->events[PGREPORTED] << PAGE_SHIFT;
		sum->given_back_calls += z->events[PGREPORT_CALLS];
	}
	sum->held_peak = max(READ_ONCE(held_pages_peak) << PAGE_SHIFT, sum->held);
	sum->mem_map = mem_map_resident();
	sum->rss_kb = host_rss_kb();
	sum->rss_peak_kb = host_rss_peak_kb();
}

/* The held frames that none of the four layers counts: pcp lists, the kernel API's pages. */
static unsigned long summary_held_other(const struct summary *sum)
{
	unsigned long layers = sum->slab_pages + sum->page_blocks + sum->vmalloc_held + sum->brk_held;

	return sum->held > layers ? sum->held - layers : 0;
}

/* The summary's rows, for the text and the JSON alike. */
enum summary_section { SUM_IN_USE, SUM_HELD, SUM_OVERHEAD, SUM_HOST };

static const char *const summary_titles[][2] = {
	[SUM_IN_USE]	= { "in use by the program", "in_use" },
	[SUM_HELD]	= { "held from the buddy", "held" },
	[SUM_OVERHEAD]	= { "allocator overhead", "overhead" },
	[SUM_HOST]	= { "host", "host" },
};

struct summary_item {
	enum summary_section section;
	const char *label, *key;	/* the text's, the JSON's */
	unsigned long now, peak;	/* bytes */
	bool has_peak;
};

#define NR_SUMMARY_ITEMS	24

static unsigned int summary_items(const struct summary *sum, struct summary_item *it)
{
	unsigned int n = 0;

#define ITEM(sec, l, k, v, p, hp) \
	(it[n++] = (struct summary_item){ .section = sec, .label = l, .key = k, .now = v, \
					  .peak = p, .has_peak = hp })
	ITEM(SUM_IN_USE, "slab objects", "slab_objects", sum->slab_objects, sum->slab_out_peak, true);
	ITEM(SUM_IN_USE, "page blocks", "page_blocks", sum->page_blocks, 0, false);
	ITEM(SUM_IN_USE, "vmalloc", "vmalloc", sum->vmalloc, sum->vmalloc_peak, true);
	ITEM(SUM_IN_USE, "brk", "brk", sum->brk, sum->brk_peak, true);
	ITEM(SUM_IN_USE, "total", "total",
	     sum->slab_objects + sum->page_blocks + sum->vmalloc + sum->brk, 0, false);
	ITEM(SUM_HELD, "slabs", "slabs", sum->slab_pages, sum->slab_pages_peak, true);
	ITEM(SUM_HELD, "page blocks", "page_blocks", sum->page_blocks, 0, false);
	ITEM(SUM_HELD, "vmalloc", "vmalloc", sum->vmalloc_held, sum->vmalloc_peak, true);
	ITEM(SUM_HELD, "brk", "brk", sum->brk_held, sum->brk_peak, true);
	ITEM(SUM_HELD, "other", "other", summary_held_other(sum), 0, false);
	ITEM(SUM_HELD, "total", "total", sum->held, sum->held_peak, true);
	ITEM(SUM_OVERHEAD, "slab: free objects in slabs", "slab_free_objects", sum->slab_free, 0, false);
	ITEM(SUM_OVERHEAD, "slab: objects in sheaves", "slab_sheaves", sum->slab_sheaves, 0, false);
	ITEM(SUM_OVERHEAD, "slab: metadata, padding, tails", "slab_metadata", sum->slab_meta, 0, false);
	ITEM(SUM_OVERHEAD, "slab: kalloc's own objects", "slab_kalloc_objects", sum->slab_own, 0, false);
	ITEM(SUM_OVERHEAD, "vmalloc: areas kept for reuse", "vmalloc_area_cache", sum->area_cache, 0, false);
	ITEM(SUM_OVERHEAD, "pcp lists", "pcp_lists", sum->pcp, 0, false);
	ITEM(SUM_OVERHEAD, "free, not given back yet", "free_not_given_back", sum->buddy_unreported, 0, false);
	ITEM(SUM_OVERHEAD, "mem_map (resident)", "mem_map_resident", sum->mem_map, 0, false);
	ITEM(SUM_HOST, "rss", "rss", (unsigned long)max(sum->rss_kb, 0L) << 10,
	     (unsigned long)max(sum->rss_peak_kb, 0L) << 10, true);
	ITEM(SUM_HOST, "given back, free now", "given_back_free_now", sum->reported, 0, false);
	ITEM(SUM_HOST, "given back since the start", "given_back_total", sum->given_back, 0, false);
#undef ITEM
	BUG_ON(n > NR_SUMMARY_ITEMS);
	return n;
}

/*
 * The summary as text (@j NULL) or JSON: in JSON an object per section; a
 * row of "in_use" and "held", or one with a peak, is {"now": bytes,
 * "peak": bytes}, any other row a number of bytes.
 */
static void summary_print(FILE *out, struct json *j, const struct node_snapshot *snap)
{
	struct summary_item items[NR_SUMMARY_ITEMS];
	struct summary sum;
	unsigned int n, i;

	summary_take(&sum, snap);
	n = summary_items(&sum, items);
	for (i = 0; i < n; i++) {
		const struct summary_item *it = &items[i];
		bool new_section = !i || it->section != items[i - 1].section;

		if (j && new_section) {
			if (i)
				json_close(j);
			json_object(j, summary_titles[it->section][1]);
		}
		if (j && (it->has_peak || it->section <= SUM_HELD)) {
			json_open(j, it->key, '{', true);
			json_u64(j, "now", it->now);
			if (it->has_peak)
				json_u64(j, "peak", it->peak);
			json_close(j);
		} else if (j) {
			json_u64(j, it->key, it->now);
		}
		if (j)
			continue;
		if (new_section)
			fprintf(out, i ? "%s\n" : "%-34s %15s %15s\n", summary_titles[it->section][0],
				"now", "peak");
		fprintf(out, "  %-32s %12lu kB", it->label, it->now >> 10);
		if (it->has_peak)
			fprintf(out, " %12lu kB", it->peak >> 10);
		if (!strcmp(it->key, "given_back_total"))	/* and by how many calls */
			fprintf(out, " in %lu %s calls", sum.given_back_calls,
				phys_is_memfd() ? "fallocate" : "madvise");
		fputc('\n', out);
	}
	if (j) {
		json_u64(j, "given_back_calls", sum.given_back_calls);
		json_close(j);
	}
}

static void summary_show(FILE *out, const struct node_snapshot *snap)
{
	summary_print(out, NULL, snap);
}

static void summary_show_json(struct json *j, const struct node_snapshot *snap)
{
	summary_print(NULL, j, snap);
}

/* kfence_objects as JSON: its text, whole (each object is printed in the report format). */
static void kfence_objects_show_json(struct json *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	kfence_objects_show(f);
	fclose(f);
	json_str(j, "text", text);
	free(text);
}

/* ------------------------------------------------ meminfo, vmstat -- */

/* One line of meminfo or vmstat: a name and its value. */
struct stat_line {
	const char *name;
	unsigned long value;
};

#define MEMINFO_LINES	12
#define VMSTAT_LINES	(2 + 3 * MAX_NR_ZONES + 4 + 10)

static bool zone_is_highmem(unsigned int idx)
{
	return idx == ZONE_HIGHMEM || idx == ZONE_MOVABLE;	/* is_highmem_idx() */
}

/*
 * meminfo_proc_show()'s lines that kalloc has, in kB: the zones' managed
 * and free pages, low and high, the slabs and the vmalloc window.  The
 * kernel's other lines (page cache, swap, anonymous memory, ...) are of
 * what kalloc does not emulate, and are left out.
 */
static unsigned int meminfo_lines(const struct node_snapshot *snap, struct stat_line *l)
{
	unsigned long total = 0, free_pages = 0, high = 0, high_free = 0, slab, peak;
	struct vmalloc_stats vs;
	unsigned int i, n = 0;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone_snapshot *z = &snap->zones[i];
		unsigned long f = (unsigned long)max(z->vm_stat[NR_FREE_PAGES], 0L);

		total += z->managed;
		free_pages += f;
		if (zone_is_highmem(i)) {
			high += z->managed;
			high_free += f;
		}
	}
	slab_pages_read(&slab, &peak);
	vmalloc_stats(&vs);
#define K(pages)	((pages) << (PAGE_SHIFT - 10))
	l[n++] = (struct stat_line){ "MemTotal", K(total) };
	l[n++] = (struct stat_line){ "MemFree", K(free_pages) };
	l[n++] = (struct stat_line){ "HighTotal", K(high) };
	l[n++] = (struct stat_line){ "HighFree", K(high_free) };
	l[n++] = (struct stat_line){ "LowTotal", K(total - high) };
	l[n++] = (struct stat_line){ "LowFree", K(free_pages - high_free) };
	l[n++] = (struct stat_line){ "Slab", K(slab) };
	l[n++] = (struct stat_line){ "SReclaimable", 0 };
	l[n++] = (struct stat_line){ "SUnreclaim", K(slab) };
	l[n++] = (struct stat_line){ "VmallocTotal", (VMALLOC_END - VMALLOC_START) >> 10 };
	l[n++] = (struct stat_line){ "VmallocUsed", K(vs.nr_pages) };
	l[n++] = (struct stat_line){ "VmallocChunk", 0 };	/* as the kernel since 5.3 */
#undef K
	return n;
}

/* kmap's lines (highmem.c): the pkmap slots in use and kept, and its events. */
static unsigned int vmstat_kmap_lines(struct stat_line *l, unsigned int n)
{
	struct kmap_stats ks;

	kmap_stats(&ks);
	l[n++] = (struct stat_line){ "nr_pkmap_used", ks.pkmap_used };
	l[n++] = (struct stat_line){ "nr_pkmap_unused", ks.pkmap_unused };
	l[n++] = (struct stat_line){ "kmap_new", ks.kmap_new };
	l[n++] = (struct stat_line){ "kmap_reuse", ks.kmap_reuse };
	l[n++] = (struct stat_line){ "kmap_flush", ks.flushes };
	l[n++] = (struct stat_line){ "kmap_flush_slots", ks.flushed };
	l[n++] = (struct stat_line){ "kmap_flush_free", ks.freed };
	l[n++] = (struct stat_line){ "kmap_wait", ks.waits };
	l[n++] = (struct stat_line){ "kmap_local", ks.local };
	l[n++] = (struct stat_line){ "kmap_local_out_of_order", ks.local_out_of_order };
	return n;
}

/*
 * /proc/vmstat's lines that kalloc counts: free pages, pages allocated
 * per zone (pgalloc_<zone>, by the zone that served them), pages freed,
 * and kalloc's own counters under names of the same style.
 */
static unsigned int vmstat_lines(const struct node_snapshot *snap, struct stat_line *l)
{
	static const char *const pgalloc[MAX_NR_ZONES] = {
		"pgalloc_dma", "pgalloc_normal", "pgalloc_high", "pgalloc_movable" };
	static const char *const fallback[MAX_NR_ZONES] = {
		"pgalloc_fallback_dma", "pgalloc_fallback_normal", "pgalloc_fallback_high",
		"pgalloc_fallback_movable" };
	static const char *const online[MAX_NR_ZONES] = {
		"sections_online_dma", "sections_online_normal", "sections_online_high",
		"sections_online_movable" };
	unsigned long free_pages = 0, freed = 0, reported = 0, calls = 0, steal = 0;
	unsigned int i, n = 0;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		free_pages += (unsigned long)max(snap->zones[i].vm_stat[NR_FREE_PAGES], 0L);
		freed += snap->zones[i].events[PGFREE];
		reported += snap->zones[i].events[PGREPORTED];
		calls += snap->zones[i].events[PGREPORT_CALLS];
		steal += snap->zones[i].events[PGSTEAL_MIGRATETYPE];
	}
	l[n++] = (struct stat_line){ "nr_free_pages", free_pages };
	for (i = 0; i < MAX_NR_ZONES; i++)
		l[n++] = (struct stat_line){ pgalloc[i], snap->zones[i].events[PGALLOC] };
	l[n++] = (struct stat_line){ "pgfree", freed };
	for (i = 0; i < MAX_NR_ZONES; i++)
		l[n++] = (struct stat_line){ fallback[i], snap->zones[i].events[PGALLOC_FALLBACK] };
	l[n++] = (struct stat_line){ "pgsteal_migratetype", steal };
	l[n++] = (struct stat_line){ "pgreported", reported };
	l[n++] = (struct stat_line){ "pgreport_calls", calls };
	for (i = 0; i < MAX_NR_ZONES; i++)
		l[n++] = (struct stat_line){ online[i], snap->zones[i].events[PGONLINE_SECTIONS] };
	return vmstat_kmap_lines(l, n);
}

/* "MemTotal:        1012220 kB", as show_val_kb() pads it */
static void meminfo_show(FILE *out, const struct node_snapshot *snap)
{
	struct stat_line l[MEMINFO_LINES];
	unsigned int n = meminfo_lines(snap, l), i;

	for (i = 0; i < n; i++) {
		char label[20];

		snprintf(label, sizeof(label), "%s:", l[i].name);
		fprintf(out, "%-16s%8lu kB\n", label, l[i].value);
	}
}

static void vmstat_show(FILE *out, const struct node_snapshot *snap)
{
	struct stat_line l[VMSTAT_LINES];
	unsigned int n = vmstat_lines(snap, l), i;

	for (i = 0; i < n; i++)
		fprintf(out, "%s %lu\n", l[i].name, l[i].value);
}

static void stat_lines_json(struct json *j, const struct stat_line *l, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		json_u64(j, l[i].name, l[i].value);
}

static void meminfo_show_json(struct json *j, const struct node_snapshot *snap)
{
	struct stat_line l[MEMINFO_LINES];

	json_str(j, "unit", "kB");
	stat_lines_json(j, l, meminfo_lines(snap, l));
}

static void vmstat_show_json(struct json *j, const struct node_snapshot *snap)
{
	struct stat_line l[VMSTAT_LINES];

	stat_lines_json(j, l, vmstat_lines(snap, l));
}

/* -------------------------------------------------- kalloc_report() -- */

static void slabinfo_show_report(FILE *out)
{
	slabinfo_show(out);
}

/*
 * The reports kalloc_report() knows, in the order "all" prints them:
 * the summary first, the one a person reads first.  Those marked
 * named_only are printed only when named: the map, page_owner.c's
 * alloc_traces (it needs slub_debug=U), heap_sites and heap_profile
 * (a file for google-pprof).
 *
 * This table is the one place a layer adds its report.  The page
 * allocator's reports take the node snapshot kalloc_report() made for the
 * call (.show_zones, with .needs saying what it must hold).  Every other
 * layer's report takes its own snapshot under its own locks, by the same
 * rule (no printing with a lock held), and has .show: slub.c adds
 * { "slabinfo", .show = slabinfo_show } after zoneinfo, vmalloc.c
 * { "vmallocinfo", .show = vmallocinfo_show } after it, brk.c
 * { "brk", .show = brk_show } and options.c { "options", .show =
 * kalloc_options_show } before "totals", which stays last of "all".
 * memmap.c's { "map", .show = memmap_show } comes after it, .named_only:
 * an SVG picture has no place amid the text of "all".
 */
struct kalloc_report_op {
	const char *name;
	void (*show)(FILE *out);
	void (*show_zones)(FILE *out, const struct node_snapshot *snap);
	void (*json)(struct json *j);
	void (*json_zones)(struct json *j, const struct node_snapshot *snap);
	unsigned int needs;		/* SNAP_* for show_zones */
	bool named_only;		/* not part of "all": printed only when named */
};

static const struct kalloc_report_op kalloc_reports[] = {
	{ "summary",		.show_zones = summary_show, .json_zones = summary_show_json },
	{ "buddyinfo",		.show_zones = frag_show, .json_zones = frag_show_json },
	{ "pagetypeinfo",	.show_zones = pagetypeinfo_show, .json_zones = pagetypeinfo_show_json,
				.needs = SNAP_FREELISTS | SNAP_BLOCKS },
	{ "zoneinfo",		.show_zones = zoneinfo_show, .json_zones = zoneinfo_show_json },
	{ "slabinfo",		.show = slabinfo_show_report, .json = slabinfo_show_json },
	{ "vmallocinfo",	.show = vmallocinfo_show, .json = vmallocinfo_show_json },
	{ "brk",		.show = brk_show, .json = brk_show_json },
	{ "kfence",		.show = kfence_stats_show, .json = kfence_stats_show_json },
	{ "kfence_objects",	.show = kfence_objects_show, .json = kfence_objects_show_json },
	{ "alloc_traces",	.show = alloc_traces_show, .named_only = true },
	{ "heap_sites",		.show = heap_sites_show, .named_only = true },
	{ "heap_profile",	.show = heap_profile_show, .named_only = true },
	{ "options",		.show = kalloc_options_show, .json = kalloc_options_show_json },
	{ "meminfo",		.show_zones = meminfo_show, .json_zones = meminfo_show_json },
	{ "vmstat",		.show_zones = vmstat_show, .json_zones = vmstat_show_json },
	{ "totals",		.show_zones = totals_show, .json_zones = totals_show_json,
				.needs = SNAP_BLOCKS },
	{ "map",		.show = memmap_show, .json = memmap_show_json, .named_only = true },
};

#define JSON_PREFIX	"json:"

/*
 * The reports @which names, into @ops in the order to print them: NULL
 * or "all" every one but the named_only ones (and "" with @list); else
 * one name, or with @list names separated by commas or blanks.  Returns
 * how many, 0 if a name is unknown.
 */
static unsigned int select_reports(const char *which, bool list,
				   const struct kalloc_report_op **ops)
{
	unsigned int nr = 0, i;

	if (!which || (list && !*which) || !strcmp(which, "all")) {
		for (i = 0; i < ARRAY_SIZE(kalloc_reports); i++)
			if (!kalloc_reports[i].named_only)
				ops[nr++] = &kalloc_reports[i];
		return nr;
	}
	if (!*which)
		return 0;
	while (*which) {
		size_t n = list ? strcspn(which, ", \t") : strlen(which);

		for (i = 0; n && i < ARRAY_SIZE(kalloc_reports); i++)
			if (strlen(kalloc_reports[i].name) == n &&
			    !strncmp(which, kalloc_reports[i].name, n))
				break;
		if (n && i == ARRAY_SIZE(kalloc_reports))
			return 0;
		if (n && nr < ARRAY_SIZE(kalloc_reports))
			ops[nr++] = &kalloc_reports[i];
		which += n;
		which += strspn(which, ", \t");
	}
	return nr;
}

/* The JSON document's first member: who and when. */
static void json_header(struct json *j)
{
	struct timespec ts = { 0, 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	json_open(j, "kalloc", '{', true);
	json_str(j, "version", KALLOC_VERSION);
	json_s64(j, "pid", sys_getpid());
	json_str(j, "program", program_invocation_short_name);
	json_s64(j, "time", ts.tv_sec);
	json_u64(j, "page_size", PAGE_SIZE);
	json_close(j);
}

/*
 * Print the report named like its /proc file, or with NULL or "all" every
 * report, each under a "==> name <==" title (as head(1) separates files)
 * and separated by a blank line.  "json:" before the names, a list of
 * them ("json:summary,slabinfo"; "json:" or "json:all" for every one)
 * prints one JSON object instead, a member per report (docs/stats.md).
 * Returns 0; -1 with errno EINVAL for an unknown name (nothing printed);
 * -1 with stdio's errno if writing failed.
 */
__export int kalloc_report(FILE *out, const char *which)
{
	const struct kalloc_report_op *ops[ARRAY_SIZE(kalloc_reports)];
	struct node_snapshot snap;
	bool json = which && !strncmp(which, JSON_PREFIX, strlen(JSON_PREFIX));
	bool titles = !which || !strcmp(which, "all");
	bool zones = false;
	unsigned int needs = 0, nr, i;

	if (json)
		which += strlen(JSON_PREFIX);
	nr = out ? select_reports(which, json, ops) : 0;
	if (!nr) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nr; i++) {
		needs |= ops[i]->needs;
		zones |= ops[i]->show_zones != NULL;
	}

	kalloc_init_once();
	if (zones)
		snapshot_node(&snap, needs);

	if (json) {
		struct json j = { .out = out };

		json_object(&j, NULL);
		json_header(&j);
		for (i = 0; i < nr; i++) {
			json_object(&j, ops[i]->name);
			if (ops[i]->json_zones)
				ops[i]->json_zones(&j, &snap);
			else if (ops[i]->json)
				ops[i]->json(&j);
			else	/* a format of its own (heap_profile) or text only */
				json_str(&j, "error", "no JSON form: ask for this report as text");
			json_close(&j);
		}
		json_close(&j);
		fputc('\n', out);
		return ferror(out) ? -1 : 0;
	}
	for (i = 0; i < nr; i++) {
		if (titles)
			fprintf(out, "%s==> %s <==\n", i ? "\n" : "", ops[i]->name);
		if (ops[i]->show_zones)
			ops[i]->show_zones(out, &snap);
		else
			ops[i]->show(out);
	}
	return ferror(out) ? -1 : 0;
}

/* Is there a report called @name? */
bool kalloc_report_exists(const char *name)
{
	const struct kalloc_report_op *ops[ARRAY_SIZE(kalloc_reports)];

	return *name && select_reports(name, false, ops) == 1;
}

/* The names kalloc_report() knows, for a message: "buddyinfo, ..., totals". */
void kalloc_report_names(FILE *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(kalloc_reports); i++)
		fprintf(out, "%s%s", i ? ", " : "", kalloc_reports[i].name);
	fprintf(out, "; or all for every one but ");
	for (i = 0; i < ARRAY_SIZE(kalloc_reports); i++)
		if (kalloc_reports[i].named_only)
			fprintf(out, "%s%s", n++ ? ", " : "", kalloc_reports[i].name);
}

/* kalloc_version(): the KALLOC_VERSION this library was built with */
__export const char *kalloc_version(void)
{
	return KALLOC_VERSION;
}
