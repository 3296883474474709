/*
 * lib/page_reporting.c - giving free memory back to the host after it has
 * stayed free a while (mm/page_reporting.c, free page reporting, whose
 * delayed work waits PAGE_REPORTING_DELAY, 2 s, before it reports).
 *
 * A free block that still holds host memory is "pending" (counted in
 * zone->reporting_pending when its order is >= page_reporting_order, 0 by
 * default: every order).  It carries page->buddy_freed, the decay clock
 * when its bytes were last in use; a merge keeps the youngest part's time.
 * A pass over a zone reports (kalloc_discard(): madvise(MADV_DONTNEED) of
 * the slots, or with phys=memfd a hole punched in the memfd; PG_reported
 * then marks the block, which reads as zero) every pending block that has
 * been free for page_reporting_delay (2000 ms) or longer, and no other:
 *
 *	- memory freed and taken again within the delay is never given back,
 *	  however much of it there is (a program that replaces its buffers
 *	  keeps them mapped);
 *	- memory left free longer is given back, however little of it there
 *	  is, order-0 pages included; blocks that touch are given back with
 *	  one system call (a pass sorts what it took by pfn and merges runs).
 *
 * Blocks expire one by one, at their own age, so what a program gives back
 * follows what it stopped using: a smooth curve, not a cliff.  Passes run
 * from the paths a running program takes anyway (zone-level frees, pcp
 * refills and drains, sheaf refills and flushes: vmscan.c's decay tick) and
 * from kswapd when it is on; a pass over a zone starts only when its oldest
 * pending block is due (zone->pending_oldest, a lower bound kept on every
 * free and made exact by each pass), at most once per 1/8 of the delay.
 *
 * page_reporting_delay=0 gives everything back at the next zone-level free
 * (the eager policy).  page_reporting_high, when set, is a ceiling: a zone
 * whose pending memory exceeds it gives everything back at once.
 * page_reporting_flush() (malloc_trim()) drains this thread's pcp lists and
 * reports everything now.
 *
 * Locking: blocks are isolated (taken off the free lists, no longer
 * PageBuddy, so nothing merges with them) under zone->lock, reported with
 * the lock dropped, and freed back under the lock as reported blocks, so no
 * system call is made with a zone lock held.  zone->reporting_active lets
 * one thread report a zone at a time, and guards that zone's report_buf.
 */
#include "percpu.h"
#include "options.h"

#include <sys/mman.h>
#include <time.h>

/* Blocks isolated per lock hold: a pass over a big zone takes several. */
#define REPORTING_BATCH	2048

/* An isolated block: pfn << 8 | order << 4 | migratetype (sorts by pfn). */
static unsigned long report_buf[MAX_NR_ZONES][REPORTING_BATCH];

unsigned long decay_clock;

unsigned long decay_clock_update(void)
{
	struct timespec ts;
	unsigned long now;

	/* the vDSO answers: no system call, a few nanoseconds */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (unsigned long)ts.tv_sec * 1000 + (unsigned long)ts.tv_nsec / 1000000;
	WRITE_ONCE(decay_clock, now);
	return now;
}

static inline unsigned long decay_interval(void)
{
	return page_reporting_delay_ms / 8 + 1;
}

/*
 * Isolate up to REPORTING_BATCH pending blocks that are due at @now (or
 * all of them).  Sets *@oldest to the free time of the oldest pending block
 * left when the walk saw every block (returns < REPORTING_BATCH).
 */
static unsigned int isolate_due(struct zone *zone, unsigned long *buf, unsigned long now,
				bool all, unsigned long *oldest)
{
	unsigned long delay = page_reporting_delay_ms;
	bool left = false;
	unsigned int n = 0;
	int order, mt;

	for (order = MAX_PAGE_ORDER; order >= (int)page_reporting_order; order--) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *list = &zone->free_area[order].free_list[mt];
			struct list_head *pos = list->next;

			while (pos != list) {
				struct page *page = list_entry(pos, struct page, lru);

				pos = pos->next;
				if (PageReported(page))
					continue;
				if (!all && time_after(page->buddy_freed + delay, now)) {
					if (!left || time_before(page->buddy_freed, *oldest))
						*oldest = page->buddy_freed;
					left = true;
					continue;
				}
				if (n == REPORTING_BATCH)
					return n;
				buf[n++] = __page_to_pfn(page) << 8 | (unsigned long)order << 4 | mt;
				list_del(&page->lru);
				__ClearPageBuddy(page);
				WRITE_ONCE(zone->free_area[order].nr_free, zone->free_area[order].nr_free - 1);
				__mod_zone_page_state(zone, NR_FREE_PAGES, -(1L << order));
				WRITE_ONCE(zone->reporting_pending, zone->reporting_pending - (1UL << order));
			}
		}
	}
	if (!left)
		*oldest = now;
	return n;
}

/* Shell sort: no allocation (qsort() may call malloc) and n is small. */
static void sort_blocks(unsigned long *a, unsigned int n)
{
	static const unsigned int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	unsigned int g, i, j;

	for (g = 0; g < ARRAY_SIZE(gaps); g++) {
		unsigned int gap = gaps[g];

		for (i = gap; i < n; i++) {
			unsigned long v = a[i];

			for (j = i; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
	}
}

static inline unsigned long blk_pfn(unsigned long b) { return b >> 8; }
static inline unsigned int blk_order(unsigned long b) { return (b >> 4) & 0xf; }
static inline int blk_mt(unsigned long b) { return b & 0xf; }

/* Give the host the memory of @n isolated blocks: one call per run of frames. */
static unsigned long discard_blocks(unsigned long *buf, unsigned int n)
{
	unsigned long calls = 0;
	unsigned int i = 0;

	sort_blocks(buf, n);
	while (i < n) {
		unsigned long start = blk_pfn(buf[i]);
		unsigned long end = start + (1UL << blk_order(buf[i]));

		for (i++; i < n && blk_pfn(buf[i]) == end; i++)
			end += 1UL << blk_order(buf[i]);
		kalloc_discard(start, end - start);
		calls++;
	}
	return calls;
}

/*
 * zone_report_pages(): report the pending blocks of @zone that are due
 * (or all of them).  Returns the pages given back.
 */
unsigned long zone_report_pages(struct zone *zone, bool all)
{
	unsigned long *buf = report_buf[zone_idx(zone)];
	struct kalloc_pcpu *cpu = this_cpu();
	unsigned long total = 0, now = decay_clock_update();

	for (;;) {
		unsigned long oldest = now, calls;
		unsigned int i, n;

		spin_lock(&zone->lock);
		if (zone->reporting_active) {
			spin_unlock(&zone->lock);
			break;
		}
		n = isolate_due(zone, buf, now, all, &oldest);
		if (n < REPORTING_BATCH) {
			WRITE_ONCE(zone->pending_oldest, oldest);
			WRITE_ONCE(zone->decay_next, now + decay_interval());
		}
		if (!n) {
			spin_unlock(&zone->lock);
			break;
		}
		zone->reporting_active = true;
		spin_unlock(&zone->lock);

		calls = discard_blocks(buf, n);

		spin_lock(&zone->lock);
		for (i = 0; i < n; i++) {
			unsigned long pfn = blk_pfn(buf[i]);

			__free_one_page(__pfn_to_page(pfn), pfn, zone, blk_order(buf[i]),
					blk_mt(buf[i]), true);
			total += 1UL << blk_order(buf[i]);
		}
		zone->reporting_active = false;
		spin_unlock(&zone->lock);
		count_zone_events(cpu, zone, PGREPORT_CALLS, calls);
		if (n < REPORTING_BATCH)
			break;
	}
	if (total)
		count_zone_events(cpu, zone, PGREPORTED, total);
	return total;
}

/* Is a pass over @zone due at @now?  Lockless reads: a stale one only delays. */
static bool zone_reporting_due(struct zone *zone, unsigned long now)
{
	unsigned long pending = READ_ONCE(zone->reporting_pending);

	if (!pending)
		return false;
	if (page_reporting_high && pending > (page_reporting_high >> PAGE_SHIFT))
		return true;
	if (!page_reporting_delay_ms)
		return true;
	return time_after_eq(now, READ_ONCE(zone->pending_oldest) + page_reporting_delay_ms) &&
	       time_after_eq(now, READ_ONCE(zone->decay_next));
}

static void zone_reporting_check(struct zone *zone, unsigned long now)
{
	unsigned long pending;

	if (!zone_reporting_due(zone, now))
		return;
	pending = READ_ONCE(zone->reporting_pending);
	zone_report_pages(zone, !page_reporting_delay_ms ||
			  (page_reporting_high && pending > (page_reporting_high >> PAGE_SHIFT)));
}

/*
 * page_reporting_notify_free(): called after a zone-level free, with no
 * lock held; @zone NULL checks every zone.  Also the decay tick's work.
 */
void page_reporting_notify_free(struct zone *zone)
{
	unsigned long now = READ_ONCE(decay_clock);
	struct zone *z;

	if (zone) {
		zone_reporting_check(zone, now);
		return;
	}
	for_each_zone(z)
		zone_reporting_check(z, now);
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
EXPORT_SYMBOL(page_reporting_flush);
