/*
 * lib/brk.c - the emulated program break, mm->brk (the brk system call of
 * mm/mmap.c).
 *
 * The break belongs to the program, as the kernel's mm->brk belongs to the
 * process: malloc never uses it.  It lives in the brk window of kalloc's
 * reservation: mm->start_brk is the window's base and the break grows up
 * from there, never into anything else (the window is reserved whole).
 * Every page below the (page-aligned) break has a frame from the buddy
 * allocator, GFP_HIGHUSER as the kernel gives user pages, recorded in
 * brk_pages[]; as with vmalloc, the bytes live at the window address
 * (private anonymous memory, so fork() gets copy-on-write) and the
 * frame's own slot holds nothing.  Shrinking frees the frames and gives
 * the bytes back to the host.
 *
 * kalloc_sys_brk() has the system call's contract: it returns the new
 * break, or the unchanged break when the request cannot be met (below
 * start_brk, beyond the window, or no memory).
 *
 * Locking: mm_brk_lock (mmap_lock's role) protects everything here; it is
 * taken after every other kalloc lock is released (it calls the page
 * allocator and kvmalloc under it: nothing of theirs takes it).
 */
#include "slab.h"
#include "json.h"

#include <stdio.h>
#include <string.h>

static struct mm_brk {
	unsigned long start_brk;
	unsigned long brk;
	struct page **pages;		/* one frame per page below PAGE_ALIGN(brk) */
	unsigned long nr_pages;
	unsigned long capacity;		/* of pages[] */
	unsigned long peak_pages;
} mm;

static spinlock_t mm_brk_lock = __SPIN_LOCK_UNLOCKED;

static bool brk_grow_pages(unsigned long nr)
{
	if (nr > mm.capacity) {
		unsigned long cap = max(nr, max(mm.capacity * 2, 64UL));
		struct page **p = kvmalloc(cap * sizeof(*p), GFP_KERNEL | __GFP_NOWARN);

		if (!p)
			return false;
		if (mm.pages)
			memcpy(p, mm.pages, mm.nr_pages * sizeof(*p));
		kvfree(mm.pages);
		mm.pages = p;
		mm.capacity = cap;
	}
	return true;
}

/* do_brk_flags() / the shrinking half of sys_brk() */
unsigned long kalloc_sys_brk(unsigned long brk)
{
	unsigned long newpages, oldend, newend, got;

	kalloc_init_once();
	spin_lock(&mm_brk_lock);
	if (!mm.start_brk)
		mm.start_brk = mm.brk = brk_window_base;
	if (brk < mm.start_brk || brk > brk_window_end)
		goto out;
	oldend = ALIGN(mm.brk, PAGE_SIZE);
	newend = ALIGN(brk, PAGE_SIZE);
	newpages = (newend - mm.start_brk) >> PAGE_SHIFT;
	if (newend > oldend) {
		unsigned long add = newpages - mm.nr_pages;

		if (!brk_grow_pages(newpages))
			goto out;
		got = vm_area_alloc_pages(GFP_HIGHUSER | __GFP_NOWARN, mm.pages + mm.nr_pages, add);
		if (got < add) {
			vm_area_free_pages(mm.pages + mm.nr_pages, got);
			goto out;
		}
		if (map_anon_range(oldend, newend - oldend)) {
			vm_area_free_pages(mm.pages + mm.nr_pages, add);
			goto out;
		}
		mm.nr_pages = newpages;
		mm.peak_pages = max(mm.peak_pages, mm.nr_pages);
	} else if (newend < oldend) {
		reserve_range(newend, oldend - newend);
		vm_area_free_pages(mm.pages + newpages, mm.nr_pages - newpages);
		mm.nr_pages = newpages;
	}
	mm.brk = brk;
out:
	brk = mm.brk;
	spin_unlock(&mm_brk_lock);
	return brk;
}

/* The break, its frames by zone: copied under mm_brk_lock, printed after. */
static void brk_snapshot(struct mm_brk *snap, unsigned long zones[MAX_NR_ZONES])
{
	unsigned long i;

	kalloc_init_once();
	spin_lock(&mm_brk_lock);
	*snap = mm;
	if (!snap->start_brk)
		snap->start_brk = snap->brk = brk_window_base;
	for (i = 0; i < mm.nr_pages; i++)
		zones[__page_zonenum(mm.pages[i])]++;
	spin_unlock(&mm_brk_lock);
}

/* kalloc's "brk" report */
void brk_show(FILE *out)
{
	struct mm_brk snap;
	unsigned long zones[MAX_NR_ZONES] = { 0 };

	brk_snapshot(&snap, zones);
	fprintf(out, "start_brk:   0x%016lx\n", snap.start_brk);
	fprintf(out, "brk:         0x%016lx\n", snap.brk);
	fprintf(out, "window_end:  0x%016lx\n", brk_window_end);
	fprintf(out, "size:        %lu bytes\n", snap.brk - snap.start_brk);
	fprintf(out, "pages:       %lu (DMA %lu, Normal %lu, HighMem %lu)\n", snap.nr_pages,
		zones[ZONE_DMA], zones[ZONE_NORMAL], zones[ZONE_HIGHMEM]);
	fprintf(out, "peak pages:  %lu\n", snap.peak_pages);
}

void brk_show_json(struct json *j)
{
	struct mm_brk snap;
	unsigned long zones[MAX_NR_ZONES] = { 0 };
	unsigned int i;

	brk_snapshot(&snap, zones);
	{
		const struct { const char *key; unsigned long v; } f[] = {
			{ "start_brk", snap.start_brk }, { "brk", snap.brk },
			{ "window_end", brk_window_end }, { "size", snap.brk - snap.start_brk },
			{ "pages", snap.nr_pages },
		};

		for (i = 0; i < ARRAY_SIZE(f); i++)
			json_u64(j, f[i].key, f[i].v);
	}
	json_open(j, "pages_by_zone", '{', true);
	for (i = 0; i < MAX_NR_ZONES; i++)
		json_u64(j, contig_page_data.node_zones[i].name, zones[i]);
	json_close(j);
	json_u64(j, "peak_pages", snap.peak_pages);
}

/* The break's size in bytes, its frames now and at most (the summary report). */
void brk_stats(unsigned long *bytes, unsigned long *pages, unsigned long *peak_pages)
{
	spin_lock(&mm_brk_lock);
	*bytes = mm.brk - mm.start_brk;
	*pages = mm.nr_pages;
	*peak_pages = mm.peak_pages;
	spin_unlock(&mm_brk_lock);
}

/* Every frame below the break to @fn, under mm_brk_lock (memmap.c: @fn neither allocates nor locks). */
void brk_for_each_frame(frame_run_fn fn, void *arg)
{
	unsigned long i;

	spin_lock(&mm_brk_lock);
	for (i = 0; i < mm.nr_pages; i++)
		fn(__page_to_pfn(mm.pages[i]), 1, arg);
	spin_unlock(&mm_brk_lock);
}

void brk_fork_prepare(void)
{
	spin_lock(&mm_brk_lock);
}

void brk_fork_parent(void)
{
	spin_unlock(&mm_brk_lock);
}

void brk_fork_child(void)
{
	spin_lock_init(&mm_brk_lock);
}
