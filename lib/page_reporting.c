/*
 * lib/page_reporting.c - giving free memory back to the host
 * (mm/page_reporting.c: free page reporting, as a balloon driver does it).
 *
 * A free block of order >= page_reporting_order that still holds host
 * memory is "pending".  Pending blocks are reported (kalloc_discard():
 * their slots madvise(MADV_DONTNEED)ed, or with phys=memfd holes punched
 * in the memfd, so the host frees the memory and the block
 * reads as zero; PG_reported marks them) when either
 *
 *	- a zone's pending memory exceeds page_reporting_high (default
 *	  16 MiB): the coldest blocks are reported until half of it is left,
 *	  so a program that frees a lot sees its RSS fall at once while the
 *	  memory it is most likely to reuse stays mapped; or
 *	- pending memory has waited page_reporting_delay (default 1 s): all
 *	  of it is reported, the next time the zone frees pages.
 *
 * Smaller blocks and the per-thread pcp lists are the hot memory the
 * policy keeps.  page_reporting_flush() (malloc_trim()) drains this
 * thread's pcp lists and reports everything at once.
 *
 * There is no reporting thread: the checks run on zone-level frees (pcp
 * drains, large frees), after zone->lock is dropped.
 *
 * Locking: blocks are isolated (taken off the free lists) under
 * zone->lock, reported with the lock dropped, and freed back under the
 * lock, so no system call is made with a zone lock held.
 * zone->reporting_active lets one thread report a zone at a time.
 */
#include "percpu.h"
#include "options.h"

#include <sys/mman.h>

#define REPORTING_BATCH	32

struct reported_block {
	struct page *page;
	unsigned int order;
	int migratetype;
};

/*
 * Isolate up to REPORTING_BATCH pending blocks, coldest first (list tails,
 * largest orders first), stopping once pending memory is down to @target.
 */
static unsigned int isolate_pending(struct zone *zone, struct reported_block *batch,
				    unsigned long target)
{
	unsigned int n = 0;
	int order, mt;

	for (order = MAX_PAGE_ORDER; order >= (int)page_reporting_order; order--) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *list = &zone->free_area[order].free_list[mt];
			struct list_head *pos = list->prev;

			while (pos != list) {
				struct page *page = list_entry(pos, struct page, lru);

				pos = pos->prev;
				if (PageReported(page))
					continue;
				if (n == REPORTING_BATCH || zone->reporting_pending <= target)
					return n;
				batch[n].page = page;
				batch[n].order = order;
				batch[n].migratetype = mt;
				/* Off the list; not PageBuddy, so nothing merges with it. */
				list_del(&page->lru);
				__ClearPageBuddy(page);
				zone->free_area[order].nr_free--;
				__mod_zone_page_state(zone, NR_FREE_PAGES, -(1L << order));
				zone->reporting_pending -= 1UL << order;
				n++;
			}
		}
	}
	return n;
}

/*
 * zone_report_pages(): report pending blocks of @zone, all of them or down
 * to half of page_reporting_high.  Returns the pages given back.
 */
unsigned long zone_report_pages(struct zone *zone, bool all)
{
	unsigned long target = all ? 0 : (page_reporting_high >> PAGE_SHIFT) / 2;
	struct reported_block batch[REPORTING_BATCH];
	struct kalloc_pcpu *cpu = this_cpu();
	unsigned long total = 0;

	for (;;) {
		unsigned int i, n;

		spin_lock(&zone->lock);
		if (zone->reporting_active) {
			spin_unlock(&zone->lock);
			break;
		}
		n = isolate_pending(zone, batch, target);
		if (!n) {
			if (!zone->reporting_pending)
				zone->pending_since_ns = 0;
			spin_unlock(&zone->lock);
			break;
		}
		zone->reporting_active = true;
		spin_unlock(&zone->lock);

		for (i = 0; i < n; i++)
			kalloc_discard(__page_to_pfn(batch[i].page), 1UL << batch[i].order);

		spin_lock(&zone->lock);
		for (i = 0; i < n; i++) {
			__free_one_page(batch[i].page, __page_to_pfn(batch[i].page), zone,
					batch[i].order, batch[i].migratetype, true);
			total += 1UL << batch[i].order;
		}
		zone->reporting_active = false;
		spin_unlock(&zone->lock);
		count_zone_events(cpu, zone, PGREPORT_CALLS, n);
	}
	if (total)
		count_zone_events(cpu, zone, PGREPORTED, total);
	return total;
}

static void zone_reporting_check(struct zone *zone)
{
	unsigned long pending = READ_ONCE(zone->reporting_pending);
	uint64_t now, since;

	if (!pending)
		return;
	if (pending > (page_reporting_high >> PAGE_SHIFT)) {
		zone_report_pages(zone, false);
		return;
	}
	/* The first check that sees memory pending starts its clock. */
	now = ktime_get_ns();
	since = READ_ONCE(zone->pending_since_ns);
	if (!since) {
		WRITE_ONCE(zone->pending_since_ns, now);
		return;
	}
	if (now - since >= page_reporting_delay_ms * 1000000ull)
		zone_report_pages(zone, true);
}

/*
 * page_reporting_notify_free(): called after a zone-level free, with no
 * lock held; @zone NULL checks every zone.
 */
void page_reporting_notify_free(struct zone *zone)
{
	struct zone *z;

	if (zone) {
		zone_reporting_check(zone);
		return;
	}
	for_each_zone(z)
		zone_reporting_check(z);
}

unsigned long page_reporting_flush(void)
{
	unsigned long total = 0;
	struct zone *zone;

	kalloc_init_once();
	drain_local_pages(NULL);
	for_each_zone(zone)
		total += zone_report_pages(zone, true);
	return total;
}
