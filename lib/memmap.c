/*
 * lib/memmap.c - the "map" report: a picture (SVG) of the emulated
 * machine's physical memory, frame by frame, coloured by what holds each
 * frame.  The kernel has no such file; the nearest are /proc/kpageflags
 * read by tools/mm/page-types.c and the page_owner dump.
 *
 * Each zone is a band of cells, 128 to a row; a cell is a power of two of
 * frames, chosen per zone so that a band has at most MAP_ZONE_CELLS cells
 * (DMA's 16 MiB: a frame per cell; a 64 GiB machine's HIGHMEM: 4096
 * frames, 16 MiB, per cell), so the picture stays the same size and the
 * file small whatever mem= is.  A cell takes the colour of the owner of
 * most of its frames (a majority vote for slab caches):
 *
 *	absent		its section is not online (no struct page yet), or a
 *			hole of the e820 map there
 *	reserved	PG_reserved: memblock's reservations (page 0, the ISA
 *			hole)
 *	free		on the buddy's free lists, shaded by the order of the
 *			largest free block met in the cell
 *	given back	free, and PG_reported: its host memory went back
 *	slab		a slab page (page_slab_cache()), coloured by cache:
 *			the eight caches with most pages have colours of
 *			their own, the others share one
 *	page block	the head of a malloc page block (PG_large, its frames
 *			in page->index) and its frames
 *	vmalloc		a frame in some vmalloc area (busy or lazily freed)
 *	brk		a frame below the emulated break
 *	other		allocated, none of the above: the kernel-style API's
 *			alloc_pages(), the per-thread pcp lists, vmalloc's
 *			and brk's page arrays while they are page blocks
 *
 * Each zone's band is headed by its pfn and MiB boundaries, the cell size,
 * and a bar of its free pages against its min/low/high watermarks (log
 * scale: the marks are a few hundred pages in zones of millions).
 *
 * Locking (the rules of vmstat.c: snapshot first, print after):
 *
 * 1. slab_mutex, alone: the caches' addresses and names are copied first.
 *    During the walk a page's slab_cache is only compared with them, never
 *    followed, so a cache destroyed meanwhile is harmless.
 *
 * 2. zone->lock, one online section at a time: the walk of the section's
 *    struct pages (PageBuddy and the block order are exact under it;
 *    slab_cache, PG_large and page->index are single words written by
 *    their owners outside it and read racily, clamped to the section).
 *    Taking the lock per 4 MiB section keeps the longest hold short on a
 *    64 GiB machine.
 *
 * 3. vmap_area_lock, then mm_brk_lock, each alone: the frames of the
 *    vmalloc areas and of the break move their cells' counts from "other"
 *    to "vmalloc" and "brk" (never below zero: a frame freed between the
 *    walks stays what the walk saw).
 *
 * Nothing is allocated through malloc while a lock is held: the snapshot
 * lives in one anonymous mapping made before any lock is taken (and not
 * in the emulated memory, which it would change), and the SVG is printed
 * from it after every lock is released.
 */
#include "slab.h"
#include "options.h"
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define MAP_COLUMNS	128		/* cells per row */
#define MAP_ZONE_CELLS	4096		/* cells per zone band, at most */
#define MAP_MAX_CACHES	512		/* caches told apart; more share "other" */
#define MAP_CACHE_COLOURS 8		/* caches with a colour of their own */
#define MAP_NO_CACHE	0xffff

enum map_owner {
	MAP_ABSENT,
	MAP_RESERVED,
	MAP_FREE,
	MAP_REPORTED,
	MAP_SLAB,
	MAP_PAGEBLOCK,
	MAP_VMALLOC,
	MAP_BRK,
	MAP_OTHER,
	NR_MAP_OWNERS
};

/* One cell: frames per owner, the slab cache of most of its slab frames. */
struct map_cell {
	unsigned int count[NR_MAP_OWNERS];
	unsigned int votes;		/* Boyer-Moore majority vote over slab frames */
	unsigned short cache;		/* the candidate, an index in caches[] */
	unsigned char max_order;	/* the largest free block met */
};

struct map_zone {
	const char *name;
	unsigned long start_pfn, end_pfn;
	unsigned long present, managed, free, offline;
	unsigned long watermark[NR_WMARK];
	unsigned int cell_shift;	/* frames per cell: 1 << cell_shift */
	unsigned int nr_cells;
	struct map_cell *cells;
	unsigned long pages[NR_MAP_OWNERS];	/* the zone's frames per owner */
};

struct map_cache {
	const struct kmem_cache *s;	/* compared, never followed */
	char name[32];
	unsigned long pages;
	int colour;			/* index in slab_colours[], or -1 */
};

struct map_snapshot {
	struct map_zone zones[MAX_NR_ZONES];
	struct map_cache caches[MAP_MAX_CACHES];
	unsigned int nr_caches;
	unsigned int last_cache;	/* the walk's last hit */
	struct map_cell cells[];	/* every zone's, one after the other */
};

/* ------------------------------------------------------- the colours -- */

static const char *const owner_colours[NR_MAP_OWNERS] = {
	[MAP_ABSENT]	= "#eceff1",
	[MAP_RESERVED]	= "#37474f",
	[MAP_FREE]	= NULL,			/* free_colours[] by order */
	[MAP_REPORTED]	= "#c6dbef",
	[MAP_SLAB]	= "#b07aa1",		/* the caches without a colour */
	[MAP_PAGEBLOCK]	= "#1f5fbf",
	[MAP_VMALLOC]	= "#7b3fb5",
	[MAP_BRK]	= "#00a3b4",
	[MAP_OTHER]	= "#8d8d8d",
};

static const char *const owner_names[NR_MAP_OWNERS] = {
	[MAP_ABSENT]	= "not online",
	[MAP_RESERVED]	= "reserved",
	[MAP_FREE]	= "free",
	[MAP_REPORTED]	= "free, given back to the host",
	[MAP_SLAB]	= "other slab caches",
	[MAP_PAGEBLOCK]	= "malloc page blocks",
	[MAP_VMALLOC]	= "vmalloc",
	[MAP_BRK]	= "brk",
	[MAP_OTHER]	= "other allocated",
};

/* Free frames, light (order 0) to dark (order 10). */
static const char *const free_colours[NR_PAGE_ORDERS] = {
	"#d9f0c8", "#c7e9b4", "#b2dfa0", "#9dd48c", "#86c978", "#6fbd66",
	"#58b056", "#41a047", "#2e8c3b", "#1f7630", "#135f26",
};

/* The caches with most pages, in that order: warm colours, apart from the rest. */
static const char *const slab_colours[MAP_CACHE_COLOURS] = {
	"#e4572e", "#f29e4c", "#d1345b", "#f1c453", "#a8552b", "#ff8fa3",
	"#c9a227", "#9c2c2c",
};

/* ------------------------------------------------------ the snapshot -- */

static unsigned int order_base_2_up(unsigned long n)
{
	unsigned int shift = 0;

	while ((1UL << shift) < n)
		shift++;
	return shift;
}

/* Frames [pfn, pfn + nr) of @z belong to @owner. */
static void map_add(struct map_zone *z, unsigned long pfn, unsigned long nr,
		    enum map_owner owner)
{
	unsigned long end = min(pfn + nr, z->end_pfn);

	if (pfn < z->start_pfn)
		pfn = z->start_pfn;
	while (pfn < end) {
		unsigned long cell = (pfn - z->start_pfn) >> z->cell_shift;
		unsigned long cell_end = z->start_pfn + ((cell + 1) << z->cell_shift);
		unsigned long n = min(end, cell_end) - pfn;

		z->cells[cell].count[owner] += n;
		z->pages[owner] += n;
		pfn += n;
	}
}

/* The index of cache @s in the snapshot, or MAP_NO_CACHE. */
static unsigned int map_cache_index(struct map_snapshot *snap, const struct kmem_cache *s)
{
	unsigned int i;

	if (snap->last_cache < snap->nr_caches && snap->caches[snap->last_cache].s == s)
		return snap->last_cache;
	for (i = 0; i < snap->nr_caches; i++)
		if (snap->caches[i].s == s)
			return snap->last_cache = i;
	return MAP_NO_CACHE;
}

static void map_add_slab(struct map_snapshot *snap, struct map_zone *z, unsigned long pfn,
			 const struct kmem_cache *s)
{
	struct map_cell *c = &z->cells[(pfn - z->start_pfn) >> z->cell_shift];
	unsigned int idx = map_cache_index(snap, s);

	map_add(z, pfn, 1, MAP_SLAB);
	if (idx == MAP_NO_CACHE)
		return;
	snap->caches[idx].pages++;
	if (!c->votes) {
		c->cache = idx;
		c->votes = 1;
	} else if (c->cache == idx) {
		c->votes++;
	} else {
		c->votes--;
	}
}

/*
 * The struct pages of one online section's part of @zone, as their owners
 * left them.  Caller holds zone->lock.  A free block is on one list at its
 * head, its other pages untouched (a buddy block never crosses a section:
 * MAX_PAGE_ORDER is a section).
 */
static void __map_walk_section(struct map_snapshot *snap, struct map_zone *z,
			       unsigned long pfn, unsigned long end)
{
	while (pfn < end) {
		struct page *page = __pfn_to_page(pfn);
		unsigned long flags = READ_ONCE(page->flags);	/* owners write it unlocked */
		const struct kmem_cache *s;
		unsigned long nr = 1;

		if (flags & (1UL << PG_reserved)) {
			map_add(z, pfn, 1, MAP_RESERVED);
		} else if (PageBuddy(page)) {
			unsigned int order = min(buddy_order(page), (unsigned int)MAX_PAGE_ORDER);
			struct map_cell *c = &z->cells[(pfn - z->start_pfn) >> z->cell_shift];

			nr = min(1UL << order, end - pfn);
			map_add(z, pfn, nr, (flags & (1UL << PG_reported)) ? MAP_REPORTED : MAP_FREE);
			if (!(flags & (1UL << PG_reported)))
				c->max_order = max(c->max_order, (unsigned char)order);
		} else if ((s = page_slab_cache(page))) {
			map_add_slab(snap, z, pfn, s);
		} else if (flags & (1UL << PG_large)) {
			nr = clamp(READ_ONCE(page->index), 1UL, end - pfn);
			map_add(z, pfn, nr, MAP_PAGEBLOCK);
		} else {
			map_add(z, pfn, 1, MAP_OTHER);
		}
		pfn += nr;
	}
}

/* One zone: its fields, then its sections one lock at a time. */
static void map_walk_zone(struct map_snapshot *snap, struct zone *zone, struct map_zone *z)
{
	unsigned long pfn, end = z->end_pfn;

	z->name = zone->name ? zone->name : "?";
	z->present = zone->present_pages;
	memcpy(z->watermark, zone->_watermark, sizeof(z->watermark));
	spin_lock(&zone->lock);
	z->managed = zone->managed_pages;
	z->free = zone->vm_stat[NR_FREE_PAGES];
	z->offline = zone->offline_pages;
	spin_unlock(&zone->lock);

	for (pfn = z->start_pfn; pfn < end; ) {
		unsigned long next = min(section_nr_to_pfn(pfn_to_section_nr(pfn) + 1), end);

		if (!online_section_nr(pfn_to_section_nr(pfn))) {
			map_add(z, pfn, next - pfn, MAP_ABSENT);
		} else {
			spin_lock(&zone->lock);
			__map_walk_section(snap, z, pfn, next);
			spin_unlock(&zone->lock);
		}
		pfn = next;
	}
}

/* A run of frames that some layer holds: from "other" to @arg's owner. */
struct map_claim {
	struct map_snapshot *snap;
	enum map_owner owner;
};

static void map_claim_run(unsigned long pfn, unsigned long nr, void *arg)
{
	struct map_claim *claim = arg;
	unsigned long end = pfn + nr;
	unsigned int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct map_zone *z = &claim->snap->zones[i];

		while (pfn < end && pfn >= z->start_pfn && pfn < z->end_pfn) {
			struct map_cell *c = &z->cells[(pfn - z->start_pfn) >> z->cell_shift];
			unsigned long cell_end = z->start_pfn +
				((((pfn - z->start_pfn) >> z->cell_shift) + 1) << z->cell_shift);
			unsigned long n = min(min(end, cell_end), z->end_pfn) - pfn;

			n = min(n, (unsigned long)c->count[MAP_OTHER]);
			c->count[MAP_OTHER] -= n;
			c->count[claim->owner] += n;
			z->pages[MAP_OTHER] -= n;
			z->pages[claim->owner] += n;
			pfn = min(min(end, cell_end), z->end_pfn);
		}
	}
}

/* The caches' names and addresses, under slab_mutex. */
static void map_copy_caches(struct map_snapshot *snap)
{
	struct kmem_cache *s;

	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		struct map_cache *mc;

		if (snap->nr_caches >= MAP_MAX_CACHES)
			break;
		mc = &snap->caches[snap->nr_caches++];
		mc->s = s;
		snprintf(mc->name, sizeof(mc->name), "%s", s->name ? s->name : "?");
	}
	spin_unlock(&slab_mutex);
}

/* The caches with most pages get the colours. */
static void map_rank_caches(struct map_snapshot *snap)
{
	unsigned int i, j, given;

	for (i = 0; i < snap->nr_caches; i++)
		snap->caches[i].colour = -1;
	for (given = 0; given < MAP_CACHE_COLOURS; given++) {
		int best = -1;

		for (j = 0; j < snap->nr_caches; j++)
			if (snap->caches[j].colour < 0 && snap->caches[j].pages &&
			    (best < 0 || snap->caches[j].pages > snap->caches[best].pages))
				best = j;
		if (best < 0)
			break;
		snap->caches[best].colour = given;
	}
}

/* The cells' layout, then the walks. */
static size_t map_snapshot_size(void)
{
	size_t cells = 0;
	struct zone *zone;

	for_each_zone(zone)
		cells += min((unsigned long)MAP_ZONE_CELLS, zone->spanned_pages);
	return sizeof(struct map_snapshot) + cells * sizeof(struct map_cell);
}

static void map_take_snapshot(struct map_snapshot *snap)
{
	struct map_cell *cells = snap->cells;
	struct map_claim claim = { .snap = snap };
	struct zone *zone;

	map_copy_caches(snap);
	for_each_zone(zone) {
		struct map_zone *z = &snap->zones[zone_idx(zone)];

		z->start_pfn = zone->zone_start_pfn;
		z->end_pfn = zone_end_pfn(zone);
		z->cell_shift = order_base_2_up(DIV_ROUND_UP(zone->spanned_pages, MAP_ZONE_CELLS));
		z->nr_cells = DIV_ROUND_UP(zone->spanned_pages, 1UL << z->cell_shift);
		z->cells = cells;
		cells += z->nr_cells;
		map_walk_zone(snap, zone, z);
	}
	claim.owner = MAP_VMALLOC;
	vmalloc_for_each_frame(map_claim_run, &claim);
	claim.owner = MAP_BRK;
	brk_for_each_frame(map_claim_run, &claim);
	map_rank_caches(snap);
}

/* --------------------------------------------------------- the SVG -- */

#define CELL_PX		6
#define LEFT_PX		84	/* the row labels */
#define RIGHT_PX	16
#define GRID_PX		(MAP_COLUMNS * CELL_PX)
#define WIDTH_PX	(LEFT_PX + GRID_PX + RIGHT_PX)

/* @s with XML's five characters escaped. */
static void svg_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, out);
		}
	}
}

/* A size in pages as "12.3 MiB" (or KiB, GiB). */
static void fmt_pages(char *buf, size_t size, unsigned long pages)
{
	unsigned long long kb = (unsigned long long)pages << (PAGE_SHIFT - 10);

	if (kb >= 10ULL << 20)
		snprintf(buf, size, "%.1f GiB", kb / 1048576.0);
	else if (kb >= 1024)
		snprintf(buf, size, "%.1f MiB", kb / 1024.0);
	else
		snprintf(buf, size, "%llu KiB", kb);
}

/* A physical address as "16 MiB" or "1.5 GiB". */
static void fmt_addr(char *buf, size_t size, unsigned long pfn)
{
	unsigned long long mib = ((unsigned long long)pfn << PAGE_SHIFT) >> 20;

	if (mib >= 4096 && mib % 1024 == 0)
		snprintf(buf, size, "%llu GiB", mib >> 10);
	else if (mib >= 4096)
		snprintf(buf, size, "%.2f GiB", mib / 1024.0);
	else
		snprintf(buf, size, "%llu MiB", mib);
}

/* The fill of a cell: its majority owner's colour. */
static const char *cell_colour(const struct map_snapshot *snap, const struct map_cell *c)
{
	unsigned int best = MAP_ABSENT, i;

	for (i = 0; i < NR_MAP_OWNERS; i++)
		if (c->count[i] > c->count[best])
			best = i;
	if (best == MAP_FREE)
		return free_colours[c->max_order];
	if (best == MAP_SLAB && c->cache < snap->nr_caches && c->votes &&
	    snap->caches[c->cache].colour >= 0)
		return slab_colours[snap->caches[c->cache].colour];
	return owner_colours[best];
}

/* log2(1 + x) scaled to [0, 1] of log2(1 + max): where the watermark bar puts x. */
static double log_pos(unsigned long x, unsigned long max)
{
	double lx = 0, lm = 0;
	unsigned long v;

	for (v = x + 1; v > 1; v >>= 1)
		lx++;
	lx += (double)(x + 1) / (1UL << (unsigned int)lx) - 1;
	for (v = max + 1; v > 1; v >>= 1)
		lm++;
	lm += (double)(max + 1) / (1UL << (unsigned int)lm) - 1;
	return lm > 0 ? min(lx / lm, 1.0) : 0;
}

/* The band of one zone, from @y; returns the y after it. */
static int map_show_zone(FILE *out, const struct map_snapshot *snap, const struct map_zone *z,
			 int y)
{
	static const char *const mark_names[NR_WMARK] = { "min", "low", "high" };
	static const char *const mark_colours[NR_WMARK] = { "#c62828", "#ef6c00", "#f9a825" };
	char a[32], b[32], c[32], d[32];
	unsigned long scale = max(z->present, 1UL), free_all = z->free + z->offline;
	unsigned int rows = DIV_ROUND_UP(z->nr_cells, MAP_COLUMNS), row, i;

	fmt_addr(a, sizeof(a), z->start_pfn);
	fmt_addr(b, sizeof(b), z->end_pfn);
	fmt_pages(c, sizeof(c), 1UL << z->cell_shift);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"zone\">%s</text>\n", LEFT_PX, y + 14, z->name);
	fprintf(out, "<text x=\"%d\" y=\"%d\">pfn %lu \u2013 %lu \u00b7 %s \u2013 %s \u00b7 1 cell = %lu page%s (%s)</text>\n",
		LEFT_PX + 80, y + 14, z->start_pfn, z->end_pfn, a, b, 1UL << z->cell_shift,
		z->cell_shift ? "s" : "", c);
	y += 22;

	/* Free pages (those not online count, as the watermark check counts them) against the marks. */
	fmt_pages(a, sizeof(a), z->free);
	fmt_pages(b, sizeof(b), z->offline);
	fmt_pages(c, sizeof(c), z->managed);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"small\" text-anchor=\"end\">free</text>\n",
		LEFT_PX - 6, y + 9);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"10\" fill=\"#f5f5f5\" stroke=\"#bbb\" stroke-width=\"0.5\"/>\n",
		LEFT_PX, y, GRID_PX);
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"10\" fill=\"%s\" opacity=\"0.8\"/>\n",
		LEFT_PX, y, GRID_PX * log_pos(free_all, scale), free_colours[4]);
	for (i = 0; i < NR_WMARK; i++) {
		double x = LEFT_PX + GRID_PX * log_pos(z->watermark[i], scale);

		fprintf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"><title>%s</title></line>\n",
			x, y - 2, x, y + 12, mark_colours[i], mark_names[i]);
	}
	y += 12;
	{
		char m[3][32];

		for (i = 0; i < NR_WMARK; i++)
			fmt_pages(m[i], sizeof(m[i]), z->watermark[i]);
		fmt_pages(d, sizeof(d), z->present);
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"small\">free %s + %s not online, of %s managed (%s present) \u00b7 "
			"<tspan fill=\"%s\">min %s</tspan> \u00b7 <tspan fill=\"%s\">low %s</tspan> \u00b7 "
			"<tspan fill=\"%s\">high %s</tspan> \u00b7 log scale</text>\n",
			LEFT_PX, y + 10, a, b, c, d, mark_colours[0], m[0], mark_colours[1], m[1],
			mark_colours[2], m[2]);
	}
	y += 16;

	fprintf(out, "<rect class=\"band\" data-zone=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%u\" fill=\"none\"/>\n",
		z->name, LEFT_PX, y, GRID_PX, rows * CELL_PX);
	for (row = 0; row < rows; row++) {
		unsigned int first = row * MAP_COLUMNS;
		unsigned int last = min(first + MAP_COLUMNS, z->nr_cells);
		unsigned int col = first;

		if (row % 4 == 0) {
			fmt_addr(a, sizeof(a), z->start_pfn + ((unsigned long)first << z->cell_shift));
			fprintf(out, "<text x=\"%d\" y=\"%u\" class=\"small\" text-anchor=\"end\">%s</text>\n",
				LEFT_PX - 6, y + row * CELL_PX + 6, a);
		}
		/* Runs of one colour are one rectangle. */
		while (col < last) {
			const char *fill = cell_colour(snap, &z->cells[col]);
			unsigned int run = col + 1;

			while (run < last && cell_colour(snap, &z->cells[run]) == fill)
				run++;
			fprintf(out, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%d\" fill=\"%s\"/>\n",
				LEFT_PX + (col - first) * CELL_PX, y + row * CELL_PX,
				(run - col) * CELL_PX, CELL_PX, fill);
			col = run;
		}
	}
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%u\" fill=\"none\" stroke=\"#90a4ae\" stroke-width=\"0.5\"/>\n",
		LEFT_PX, y, GRID_PX, rows * CELL_PX);
	return y + rows * CELL_PX + 18;
}

/* One legend entry at (@x, @y): a swatch and its words. */
static void legend_entry(FILE *out, int x, int y, const char *fill, const char *owner,
			 const char *name, unsigned long pages)
{
	char size[32];

	fmt_pages(size, sizeof(size), pages);
	fprintf(out, "<rect class=\"swatch\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"#777\" stroke-width=\"0.5\" data-owner=\"%s\" data-name=\"",
		x, y, fill, owner);
	svg_text(out, name);
	fprintf(out, "\" data-pages=\"%lu\"/>\n<text x=\"%d\" y=\"%d\" class=\"small\">", pages, x + 17, y + 10);
	svg_text(out, name);
	fprintf(out, " (%s)</text>\n", size);
}

static const char *const owner_keys[NR_MAP_OWNERS] = {
	[MAP_ABSENT] = "absent", [MAP_RESERVED] = "reserved", [MAP_FREE] = "free",
	[MAP_REPORTED] = "reported", [MAP_SLAB] = "slab", [MAP_PAGEBLOCK] = "pageblock",
	[MAP_VMALLOC] = "vmalloc", [MAP_BRK] = "brk", [MAP_OTHER] = "other",
};

/* The slab entries of the legend: the caches with a colour, and "other" if any. */
static unsigned int map_slab_entries(const struct map_snapshot *snap)
{
	unsigned long pages = 0, coloured = 0;
	unsigned int i, n = 0;

	for (i = 0; i < MAX_NR_ZONES; i++)
		pages += snap->zones[i].pages[MAP_SLAB];
	for (i = 0; i < snap->nr_caches; i++)
		if (snap->caches[i].colour >= 0) {
			coloured += snap->caches[i].pages;
			n++;
		}
	return n + (pages > coloured || !n);
}

/* The legend, from @y; returns the y after it. */
static int map_show_legend(FILE *out, const struct map_snapshot *snap, int y)
{
	static const enum map_owner order[] = {
		MAP_PAGEBLOCK, MAP_VMALLOC, MAP_BRK, MAP_OTHER, MAP_REPORTED, MAP_RESERVED, MAP_ABSENT,
	};
	unsigned long pages[NR_MAP_OWNERS] = { 0 }, other_slab;
	unsigned int i, j, n = 0;
	int col_w = GRID_PX / 3;

	for (i = 0; i < MAX_NR_ZONES; i++)
		for (j = 0; j < NR_MAP_OWNERS; j++)
			pages[j] += snap->zones[i].pages[j];

	/* free: a swatch per order */
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"small\" text-anchor=\"end\">free, by order</text>\n",
		LEFT_PX - 6, y + 10);
	for (i = 0; i < NR_PAGE_ORDERS; i++) {
		fprintf(out, "<rect class=\"swatch\" x=\"%u\" y=\"%d\" width=\"22\" height=\"12\" fill=\"%s\" data-owner=\"free\" data-name=\"order %u\"/>\n",
			LEFT_PX + i * 24, y, free_colours[i], i);
		fprintf(out, "<text x=\"%u\" y=\"%d\" class=\"tiny\" text-anchor=\"middle\">%u</text>\n",
			LEFT_PX + i * 24 + 11, y + 22, i);
	}
	{
		char size[32];

		fmt_pages(size, sizeof(size), pages[MAP_FREE]);
		fprintf(out, "<text x=\"%u\" y=\"%d\" class=\"small\">free (%s; the shade: the largest free block in the cell)</text>\n",
			LEFT_PX + NR_PAGE_ORDERS * 24 + 6, y + 10, size);
	}
	y += 32;

	/* the slab caches with colours, then the others */
	other_slab = pages[MAP_SLAB];
	for (i = 0; i < MAP_CACHE_COLOURS; i++)
		for (j = 0; j < snap->nr_caches; j++)
			if (snap->caches[j].colour == (int)i) {
				legend_entry(out, LEFT_PX + (n % 3) * col_w, y + (n / 3) * 18,
					     slab_colours[i], "slab", snap->caches[j].name,
					     snap->caches[j].pages);
				other_slab -= min(other_slab, snap->caches[j].pages);
				n++;
			}
	if (n < map_slab_entries(snap)) {
		legend_entry(out, LEFT_PX + (n % 3) * col_w, y + (n / 3) * 18,
			     owner_colours[MAP_SLAB], "slab", owner_names[MAP_SLAB], other_slab);
		n++;
	}
	if (n)
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"small\" text-anchor=\"end\">slab</text>\n",
			LEFT_PX - 6, y + 10);
	y += DIV_ROUND_UP(n, 3) * 18 + 6;

	n = 0;
	for (i = 0; i < ARRAY_SIZE(order); i++, n++)
		legend_entry(out, LEFT_PX + (n % 3) * col_w, y + (n / 3) * 18,
			     owner_colours[order[i]], owner_keys[order[i]], owner_names[order[i]],
			     pages[order[i]]);
	return y + DIV_ROUND_UP(n, 3) * 18;
}

/* The title: the program, its pid, the time. */
static void map_show_title(FILE *out)
{
	struct timespec ts;
	struct tm tm;
	char when[64] = "";

	if (!clock_gettime(CLOCK_REALTIME, &ts) && gmtime_r(&ts.tv_sec, &tm))
		snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d:%02d UTC",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
	fprintf(out, "<text x=\"%d\" y=\"24\" class=\"title\">Physical memory of ", LEFT_PX);
	svg_text(out, program_invocation_short_name);
	fprintf(out, " (pid %d)</text>\n", sys_getpid());
	fprintf(out, "<text x=\"%d\" y=\"42\" class=\"small\">kalloc %s \u00b7 %s \u00b7 mem=%lu MiB, %lu pages of 4 KiB \u00b7 a cell has the colour of the owner of most of its pages</text>\n",
		LEFT_PX, KALLOC_VERSION, when, (max_pfn << PAGE_SHIFT) >> 20, max_pfn);
}

/*
 * The "map" report: the SVG document.  It starts with the XML declaration
 * and ends with </svg>, so a file holding the report alone opens in a
 * browser as it is.
 */
/* A snapshot in a mapping of its own (@size for the munmap()), or NULL. */
static struct map_snapshot *map_snapshot_get(size_t *size)
{
	struct map_snapshot *snap;

	kalloc_init_once();
	*size = ALIGN(map_snapshot_size(), PAGE_SIZE);
	snap = sys_mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (IS_ERR_VALUE(snap))
		return NULL;
	map_take_snapshot(snap);
	return snap;
}

void memmap_show(FILE *out)
{
	size_t size;
	struct map_snapshot *snap = map_snapshot_get(&size);
	int y, height;
	unsigned int i;

	if (!snap) {
		fprintf(out, "<!-- kalloc: no memory for the map -->\n");
		return;
	}

	/* Height: the title, the bands, the legend. */
	height = 56;
	for (i = 0; i < MAX_NR_ZONES; i++)
		height += 50 + DIV_ROUND_UP(snap->zones[i].nr_cells, MAP_COLUMNS) * CELL_PX + 18;
	height += 32 + DIV_ROUND_UP(map_slab_entries(snap), 3) * 18 + 6 + 3 * 18 + 16;

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n",
		WIDTH_PX, height, WIDTH_PX, height);
	fprintf(out, "<style>text{font-family:DejaVu Sans,Verdana,sans-serif;font-size:11px;fill:#263238}"
		".title{font-size:16px;font-weight:bold}.zone{font-size:13px;font-weight:bold}"
		".small{font-size:10px}.tiny{font-size:8px;fill:#607d8b}</style>\n");
	fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	map_show_title(out);
	y = 56;
	for (i = 0; i < MAX_NR_ZONES; i++)
		y = map_show_zone(out, snap, &snap->zones[i], y);
	map_show_legend(out, snap, y);
	fprintf(out, "</svg>\n");
	sys_munmap(snap, size);
}

/*
 * The map as JSON: no picture, its numbers.  Per zone its bounds, the
 * frames per cell and the frames of each owner; the caches with their
 * slab frames (those with any); the cells themselves as one string per
 * zone, a character per cell naming its majority owner (the legend's
 * first letters: . absent, R reserved, f free, g given back, s slab,
 * p page block, v vmalloc, b brk, o other).
 */
void memmap_show_json(struct json *j)
{
	static const char cell_chars[NR_MAP_OWNERS] = ".Rfgspvbo";
	size_t size;
	struct map_snapshot *snap = map_snapshot_get(&size);
	unsigned int i, k;

	if (!snap)
		return;
	json_object(j, "zones");
	for (i = 0; i < MAX_NR_ZONES; i++) {
		const struct map_zone *z = &snap->zones[i];
		char line[MAP_COLUMNS + 1];

		json_object(j, z->name);
		json_u64(j, "start_pfn", z->start_pfn);
		json_u64(j, "end_pfn", z->end_pfn);
		json_u64(j, "pages_per_cell", 1UL << z->cell_shift);
		json_open(j, "pages", '{', true);
		for (k = 0; k < NR_MAP_OWNERS; k++)
			json_u64(j, owner_keys[k], z->pages[k]);
		json_close(j);
		json_array(j, "cells", false);
		for (k = 0; k < z->nr_cells; k++) {
			const struct map_cell *c = &z->cells[k];
			unsigned int o, best = MAP_ABSENT;

			for (o = 0; o < NR_MAP_OWNERS; o++)
				if (c->count[o] > c->count[best])
					best = o;
			line[k % MAP_COLUMNS] = cell_chars[best];
			if (k % MAP_COLUMNS == MAP_COLUMNS - 1 || k + 1 == z->nr_cells) {
				line[k % MAP_COLUMNS + 1] = '\0';
				json_str(j, NULL, line);
			}
		}
		json_close(j);
		json_close(j);
	}
	json_close(j);
	json_array(j, "caches", false);
	for (i = 0; i < snap->nr_caches; i++) {
		if (!snap->caches[i].pages)
			continue;
		json_open(j, NULL, '{', true);
		json_str(j, "name", snap->caches[i].name);
		json_u64(j, "pages", snap->caches[i].pages);
		json_close(j);
	}
	json_close(j);
	sys_munmap(snap, size);
}
