/*
 * lib/sparse.c - onlining memory sections on demand (mm/sparse.c,
 * mm/memory_hotplug.c, and deferred_grow_zone() in mm/mm_init.c).
 *
 * At start-up no section is online: zones have their spans and present
 * page counts from the e820 map, but no struct page is initialised and no
 * page is on a free list.  When a zone's free lists cannot serve a request
 * (__rmqueue()), the zone's next section is onlined: its pageblocks are
 * marked MIGRATE_MOVABLE, and its RAM is freed into the buddy as reported
 * (the host has never backed it, it reads as zero).  Its struct pages are
 * not written (a zeroed struct page is an unused page of the zone the pfn
 * says, mm.h): only the holes, and then the head page of each free block,
 * so a section costs memory in mem_map only where its frames are used,
 * and a process that allocates a few pages pays for a few struct pages,
 * not for the 64 GiB machine's map.
 *
 * Sections are onlined in address order from the bottom of each zone,
 * zone->online_pfn marking the frontier, as the kernel's deferred init
 * grows a zone from first_deferred_pfn upwards.
 *
 * Locking: grow_zone() is called with zone->lock held.  mem_section[].
 * section_mem_map is written with a release store after the section's
 * holes are marked, so that lockless readers (pfn_valid()) that see it
 * online also see them.
 */
#include "mm.h"

#include <string.h>
#include <sys/mman.h>

/* The pfn is RAM the buddy may have: in the e820 map and not reserved. */
static inline bool pfn_is_free_ram(unsigned long pfn)
{
	return memblock_is_memory_pfn(pfn) && !memblock_is_reserved_pfn(pfn);
}

/*
 * grow_zone(): online the next section of @zone; false when the whole zone
 * is online already.  Caller holds zone->lock.
 */
bool grow_zone(struct zone *zone)
{
	unsigned long start = zone->online_pfn;
	unsigned long nr = pfn_to_section_nr(start);
	/* to the section's end: a zone may start inside one (ZONE_DMA at pfn 1) */
	unsigned long end = min(section_nr_to_pfn(nr + 1), zone_end_pfn(zone));
	unsigned long pfn, present, managed = 0;
	unsigned int i;

	if (start >= zone_end_pfn(zone))
		return false;
	/* the sparse layout maps a section's slots as it comes online (mm_init.c) */
	if (kalloc_sparse_layout &&
	    IS_ERR_VALUE(sys_mmap(pfn_to_slot(start), (end - start) << PAGE_SHIFT,
				  PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
				  -1, 0)))
		return false;	/* the host refuses: the zone cannot grow */

	/*
	 * memmap_init_range() writes every struct page of the section; here
	 * a struct page that reads as zero is a valid, unused page of its
	 * zone (the zone comes from the pfn, mm.h), and a section's part of
	 * mem_map was never written before it comes online (sections never
	 * go offline), so only the holes are written: a section that a
	 * vmalloc area takes whole and never touches costs no memory.
	 */
	for (i = 0; i < PAGEBLOCKS_PER_SECTION; i++)
		mem_section[nr].pageblock_flags[i] = MIGRATE_MOVABLE;
	present = memblock_present_pages(start, end);
	/* the section's pfns before the zone's start are holes (page 0) */
	for (pfn = section_nr_to_pfn(nr); pfn < end; pfn++)
		if (!pfn_is_free_ram(pfn)) {
			SetPageReserved(__pfn_to_page(pfn));
			set_page_count(__pfn_to_page(pfn), 1);
		}
	__atomic_store_n(&mem_section[nr].section_mem_map, SECTION_ONLINE, __ATOMIC_RELEASE);

	/* __free_pages_core() of each run of free RAM */
	for (pfn = start; pfn < end; ) {
		unsigned long run;

		while (pfn < end && !pfn_is_free_ram(pfn))
			pfn++;
		run = pfn;
		while (run < end && pfn_is_free_ram(run))
			run++;
		if (run > pfn) {
			__free_pages_core_range(zone, pfn, run, true);
			managed += run - pfn;
		}
		pfn = run;
	}

	zone->online_pfn = end;
	WRITE_ONCE(zone->offline_pages, zone->offline_pages - present);
	WRITE_ONCE(zone->managed_pages, zone->managed_pages + managed);	/* read by note_held_peak() */
	pr_debug("onlined section %lu [mem %#018lx-%#018lx] to zone %s\n", nr,
		 start << PAGE_SHIFT, (end << PAGE_SHIFT) - 1, zone->name);
	return true;
}

/*
 * The sparse layout (mm_init.c) under an RLIMIT_AS: the frames that a
 * vmalloc area or the brk heap takes keep their bytes in the window, so
 * their slots in the linear map would only count against the limit a
 * second time.  sparse_release_slots() unmaps them when the frames are
 * taken; sparse_restore_slots() maps them again (fresh memory, zero) before
 * the frames go back to the buddy, false if the host refuses.
 */
void sparse_release_slots(unsigned long pfn, unsigned long nr)
{
	sys_munmap(pfn_to_slot(pfn), nr << PAGE_SHIFT);
}

bool sparse_restore_slots(unsigned long pfn, unsigned long nr)
{
	return !IS_ERR_VALUE(sys_mmap(pfn_to_slot(pfn), nr << PAGE_SHIFT, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
				      MAP_FIXED_NOREPLACE, -1, 0));
}
