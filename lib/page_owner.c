/*
 * lib/page_owner.c - who allocated what is live: page_owner for malloc's
 * page blocks (mm/page_owner.c), SLUB's alloc_traces (the debugfs file of
 * mm/slub.c), and a heap profile of every live allocation that has a
 * stack, in the text format google-pprof reads.
 *
 *	page_owner=on	a page block that malloc hands out records the
 *			program's stack (stackdepot.c) in its head page,
 *			page->private (0: none), as the kernel's boot option
 *			of that name does for every page; a vmalloc area
 *			that malloc hands out, in vm_struct.owner
 *	slub_debug=U	every slab object's alloc track (slub_debug.c)
 *
 * Reports (kalloc_report(), KALLOC_STATS):
 *
 *	alloc_traces	per cache with U tracking, its live objects grouped by
 *			allocation stack, most objects first, as the kernel's
 *			/sys/kernel/debug/slab/<cache>/alloc_traces prints them
 *			("<count> <caller> age=<min>/<avg>/<max> pid=<a>-<b>
 *			cpus=<list>", then the stack), each cache under a
 *			"==> slab/<cache>/alloc_traces <==" title; ages in ms
 *	heap_sites	the same as text for a person: the sites with the most
 *			live bytes first (kB, share, objects, %pS), each with
 *			its stack; the first HEAP_SITES_SHOWN, then the rest
 *			summed
 *	heap_profile	slab objects of U caches, page blocks and vmalloc
 *			areas (with page_owner; without it, areas by their
 *			caller) that are live, grouped by
 *			stack: "<objects>: <bytes> [<objects>: <bytes>] @ <pc>
 *			<pc> ..." under the header "heap profile: ...  @
 *			heapprofile", then "MAPPED_LIBRARIES:" and the
 *			process's /proc/self/maps: gperftools' heap profile,
 *			which `google-pprof --text PROGRAM FILE` reads.  The
 *			figures are exact (every allocation is recorded, none
 *			sampled); bytes are what the program asked for where
 *			the cache keeps it (slub_debug's orig_size), else the
 *			object or block size.
 *
 * Locking: the walks hold slab_mutex and each cache's list_lock in turn
 * (slab_for_each_allocated()), or a zone's lock while they read the
 * mem_map of its online sections (a page block's head is written under no
 * lock, but page->private holds only a handle or 0 outside the zone lock,
 * and handles are never freed).  Nothing is allocated or printed with a
 * lock held: the table of locations is allocated first and bounded
 * (LOC_MAX); what does not fit is counted as lost and said so.
 */
#include "slab.h"
#include "options.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool page_owner_enabled;
unsigned long long page_owner_sample;

/*
 * page_owner_sampled(): is a block or area of @bytes one of the sample
 * (page_owner.sample=R: with probability min(1, @bytes / R), jemalloc's and
 * gperftools' rate for a request of that size), or is every one recorded?
 * A per-thread xorshift; the first draw of a thread is seeded from its
 * stack address and the clock.
 */
bool page_owner_sampled(unsigned long bytes)
{
	static __thread uint64_t rnd __attribute__((tls_model("initial-exec")));
	uint64_t r = page_owner_sampling() ? page_owner_sample : 0, x = rnd;

	if (!r || bytes >= r)
		return true;
	if (!x)
		x = (ktime_get_ns() ^ (uintptr_t)&x) * 0x9e3779b97f4a7c15ULL | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rnd = x;
	return x % r < bytes;
}

/*
 * Counts of allocations are kept in 1/COUNT_ONE: a sample stands for a
 * fraction of allocations too (a block of 40 KB sampled at 64 KB is 1.6).
 */
#define COUNT_SHIFT	10
#define COUNT_ONE	(1UL << COUNT_SHIFT)

static inline unsigned long count_of(unsigned long fixed)
{
	return (fixed + COUNT_ONE / 2) >> COUNT_SHIFT;
}

/*
 * What one recorded block or area of @bytes stands for: itself when every
 * one is recorded or it is at least the sampling rate R, else R / @bytes of
 * its kind (1 / the probability of its being sampled).  Returns the count
 * (in 1/COUNT_ONE) and sets *@est to the bytes (R: the estimate of what
 * its site holds).
 */
static unsigned long page_owner_weight(unsigned long bytes, unsigned long *est)
{
	unsigned long r = page_owner_sampling() ? (unsigned long)page_owner_sample : 0;

	if (!r || bytes >= r || !bytes) {
		*est = bytes;
		return COUNT_ONE;
	}
	*est = r;
	return ((r << COUNT_SHIFT) + bytes / 2) / bytes;
}

/* page_owner_stack(): the program's stack from @caller on, kept once in the depot. */
depot_stack_handle_t page_owner_stack(unsigned long caller)
{
	unsigned long entries[STACK_TRACE_MAX];
	unsigned int nr = stack_trace_save_user(entries, STACK_TRACE_MAX, caller);

	return stack_depot_save(entries, nr);
}

/* -------------------------------------------------- locations -- */

/* One allocation site: a stack (or a caller without one) in one cache. */
struct location {
	depot_stack_handle_t handle;
	unsigned long addr;
	unsigned int cache;		/* alloc_traces: the cache's index */
	unsigned long count, bytes;	/* count in 1/COUNT_ONE; 0: a free slot */
	uint64_t sum_time;		/* ms, over count */
	unsigned long min_time, max_time;
	int min_pid, max_pid;
	unsigned long cpus;		/* bit n: cpu n (n < 64) */
};

#define LOC_MAX		16384		/* a power of two */

struct loc_track {
	struct location *loc;		/* open addressing, LOC_MAX slots */
	unsigned int count;
	unsigned long lost;		/* allocations whose site did not fit */
	uint64_t now;			/* ktime_get_ns() of the walk */
};

static bool loc_track_alloc(struct loc_track *t)
{
	t->loc = kvmalloc(LOC_MAX * sizeof(*t->loc), GFP_KERNEL | __GFP_NOWARN);
	if (!t->loc)
		return false;
	memset(t->loc, 0, LOC_MAX * sizeof(*t->loc));
	t->count = 0;
	t->lost = 0;
	t->now = ktime_get_ns();
	return true;
}

/*
 * add_location(): count an allocation at its site, standing for @count
 * (1/COUNT_ONE) allocations of @bytes in all; no allocation, any lock held.
 */
static void add_location(struct loc_track *t, unsigned int cache, depot_stack_handle_t handle,
			 unsigned long addr, unsigned long count, unsigned long bytes,
			 const struct track *track)
{
	unsigned long key = (handle ? handle : addr) * 0x9e3779b97f4a7c15UL + cache;
	unsigned int i = (unsigned int)(key >> 40) & (LOC_MAX - 1), probes;
	struct location *l = NULL;

	for (probes = 0; probes < LOC_MAX; probes++, i = (i + 1) & (LOC_MAX - 1)) {
		l = &t->loc[i];
		if (!l->count || (l->handle == handle && l->addr == addr && l->cache == cache))
			break;
	}
	if (probes == LOC_MAX || (!l->count && t->count >= LOC_MAX / 2)) {
		t->lost++;
		return;
	}
	if (!l->count) {
		*l = (struct location){ .handle = handle, .addr = addr, .cache = cache,
					.min_time = ~0UL, .min_pid = -1 };
		t->count++;
	}
	l->count += count;
	l->bytes += bytes;
	if (track) {
		unsigned long age = (unsigned long)((t->now - track->when) / 1000000);

		l->sum_time += age * count;
		l->min_time = min(l->min_time, age);
		l->max_time = max(l->max_time, age);
		if (l->min_pid < 0 || track->pid < l->min_pid)
			l->min_pid = track->pid;
		l->max_pid = max(l->max_pid, track->pid);
		if (track->cpu < BITS_PER_LONG)
			l->cpus |= 1UL << track->cpu;
	}
}

/* Most allocations first within a cache, the caches in order. */
static int cmp_loc(const void *a, const void *b)
{
	const struct location *x = a, *y = b;

	if (!x->count != !y->count)
		return x->count ? -1 : 1;
	if (x->cache != y->cache)
		return x->cache < y->cache ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->bytes > y->bytes ? -1 : x->bytes < y->bytes;
}

/* ------------------------------------------------ the slab walk -- */

#define TRACE_CACHES_MAX	256

struct slab_walk {
	struct loc_track *t;
	unsigned int cache;
	unsigned long weight;		/* what one object stands for */
	char names[TRACE_CACHES_MAX][32];
	unsigned int nr_caches;
};

static void count_object(struct kmem_cache *s, void *object, void *arg)
{
	struct slab_walk *w = arg;
	const struct track *track = slab_alloc_track(s, object);

	if (!track->addr)
		return;		/* handed out by the kernel API without a caller: none */
	add_location(w->t, w->cache, track->handle, track->addr, w->weight << COUNT_SHIFT,
		     w->weight * slab_object_bytes(s, object), track);
}

/*
 * Every live object of every cache that tracks its callers; each cache
 * counts as one (cache index @by_cache) or all as cache 0.  With @weigh, an
 * object of a profiled twin cache counts as the one-in-N sample it is (the
 * kernel's alloc_traces counts what is there: @weigh false).
 */
static void collect_slab_objects(struct slab_walk *w, bool by_cache, bool weigh)
{
	struct kmem_cache *s;

	w->nr_caches = 0;
	spin_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		if (!(s->flags & SLAB_STORE_USER) || w->nr_caches == TRACE_CACHES_MAX)
			continue;
		w->cache = by_cache ? w->nr_caches : 0;
		w->weight = weigh && is_malloc_profiled_cache(s) ? page_owner_sample_objects() : 1;
		snprintf(w->names[w->nr_caches++], sizeof(w->names[0]), "%s", s->name);
		slab_for_each_allocated(s, count_object, w);
	}
	spin_unlock(&slab_mutex);
}

/* ------------------------------------------------- alloc_traces -- */

/* "0-1,3": the set bits of @mask, as the kernel's %*pbl prints a cpumask. */
static void print_cpus(FILE *out, unsigned long mask)
{
	const char *sep = "";
	int i = 0;

	while (i < BITS_PER_LONG) {
		int j;

		if (!(mask & (1UL << i))) {
			i++;
			continue;
		}
		for (j = i; j + 1 < BITS_PER_LONG && (mask & (1UL << (j + 1))); j++)
			;
		if (j > i)
			fprintf(out, "%s%d-%d", sep, i, j);
		else
			fprintf(out, "%s%d", sep, i);
		sep = ",";
		i = j + 1;
	}
}

static void print_stack_lines(FILE *out, depot_stack_handle_t handle, const char *indent)
{
	const unsigned long *entries;
	unsigned int nr = stack_depot_fetch(handle, &entries), i;
	char sym[448];

	for (i = 0; i < nr; i++) {
		sprint_backtrace_line(sym, sizeof(sym), entries[i]);
		fprintf(out, "%s%s\n", indent, sym);
	}
}

/* One location as slab_debugfs_show() prints it. */
static void print_location(FILE *out, const struct location *l)
{
	char sym[256];

	sprint_symbol(sym, sizeof(sym), l->addr);
	fprintf(out, "%7lu %s", count_of(l->count), sym);
	if (l->min_time != l->max_time)
		fprintf(out, " age=%lu/%llu/%lu", l->min_time,
			(unsigned long long)(l->sum_time / l->count), l->max_time);
	else
		fprintf(out, " age=%lu", l->min_time);
	if (l->min_pid != l->max_pid)
		fprintf(out, " pid=%d-%d", l->min_pid, l->max_pid);
	else
		fprintf(out, " pid=%d", l->min_pid);
	if (nr_cpu_ids > 1 && l->cpus) {
		fprintf(out, " cpus=");
		print_cpus(out, l->cpus);
	}
	fputc('\n', out);
	print_stack_lines(out, l->handle, "        ");
	fputc('\n', out);
}

void alloc_traces_show(FILE *out)
{
	struct slab_walk *w;
	struct loc_track t;
	unsigned int i;
	int last = -1;

	kalloc_init_once();
	w = kvmalloc(sizeof(*w), GFP_KERNEL | __GFP_NOWARN);
	if (!w || !loc_track_alloc(&t)) {
		kvfree(w);
		fprintf(out, "# alloc_traces: no memory for the table\n");
		return;
	}
	w->t = &t;
	collect_slab_objects(w, true, false);
	if (!w->nr_caches)
		fprintf(out, "# no cache tracks its callers: run with slub_debug=U\n");
	qsort(t.loc, LOC_MAX, sizeof(*t.loc), cmp_loc);
	for (i = 0; i < t.count; i++) {
		const struct location *l = &t.loc[i];

		if ((int)l->cache != last) {
			fprintf(out, "==> slab/%s/alloc_traces <==\n", w->names[l->cache]);
			last = (int)l->cache;
		}
		print_location(out, l);
	}
	if (t.lost)
		fprintf(out, "# %lu objects of sites beyond the first %u not shown\n", t.lost,
			LOC_MAX / 2);
	kvfree(t.loc);
	kvfree(w);
}

/* ------------------------------------------------- heap profile -- */

/* Page blocks with an owner: walk the mem_map of each zone's online sections. */
static void collect_page_blocks(struct loc_track *t)
{
	struct zone *zone;

	for_each_zone(zone) {
		unsigned long pfn, end;

		spin_lock(&zone->lock);
		end = zone_end_pfn(zone);
		for (pfn = zone->zone_start_pfn; pfn < end; ) {
			struct page *page;

			if (!pfn_valid(pfn)) {
				pfn = ALIGN(pfn + 1, PAGES_PER_SECTION);
				continue;
			}
			page = __pfn_to_page(pfn);
			if (PageLarge(page) && page->private) {
				unsigned long nr = max(page->index, 1UL);
				const unsigned long *entries;
				unsigned long est, count = page_owner_weight(nr << PAGE_SHIFT, &est);

				if (stack_depot_fetch(page->private, &entries))
					add_location(t, 0, page->private, entries[0], count, est, NULL);
				pfn += nr;
				continue;
			}
			pfn++;
		}
		spin_unlock(&zone->lock);
	}
}

static void count_area(unsigned long start, unsigned long caller, depot_stack_handle_t owner,
		       unsigned long bytes, void *arg)
{
	unsigned long est, count = page_owner_weight(bytes, &est);

	/* page_owner=on: the areas it recorded (all, or a sample); else each by its caller */
	if (caller && (owner || !page_owner_enabled) && !area_cache_contains((void *)start))
		add_location(arg, 0, owner, caller, count, est, NULL);
}

/* /proc/self/maps, copied as it is. */
static void print_maps(FILE *out)
{
	char buf[4096];
	int fd = sys_open("/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
	long n;

	if (fd < 0)
		return;
	while ((n = sys_read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, out);
	sys_close(fd);
}

/* Most bytes first. */
static int cmp_loc_bytes(const void *a, const void *b)
{
	const struct location *x = a, *y = b;

	if (!x->count != !y->count)
		return x->count ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return x->count > y->count ? -1 : x->count < y->count;
}

/*
 * Every live allocation with a stack, by site, into @t (allocated here;
 * kvfree(t->loc)), sorted by @cmp; their number and bytes in all.
 */
static bool collect_heap(struct loc_track *t, int (*cmp)(const void *, const void *),
			 unsigned long *objs, unsigned long *bytes)
{
	struct slab_walk *w;
	unsigned int i;

	kalloc_init_once();
	w = kvmalloc(sizeof(*w), GFP_KERNEL | __GFP_NOWARN);
	if (!w || !loc_track_alloc(t)) {
		kvfree(w);
		return false;
	}
	w->t = t;
	collect_slab_objects(w, false, true);
	kvfree(w);
	collect_page_blocks(t);
	vmalloc_for_each_area(count_area, t);
	qsort(t->loc, LOC_MAX, sizeof(*t->loc), cmp);
	*objs = *bytes = 0;
	for (i = 0; i < t->count; i++) {
		*objs += count_of(t->loc[i].count);
		*bytes += t->loc[i].bytes;
	}
	return true;
}


#define HEAP_SITES_SHOWN	50

/*
 * heap_sites: the heap profile as text for a person (kalloc profile): the
 * sites with the most live bytes first, each with its stack.
 */
void heap_sites_show(FILE *out)
{
	unsigned long objs, bytes, rest = 0;
	struct loc_track t;
	unsigned int i;

	if (!collect_heap(&t, cmp_loc_bytes, &objs, &bytes))
		return;
	if (page_owner_sampling())
		fprintf(out, "live: about %lu kB in %lu allocations at %u sites (estimated from a "
			"sample of one in %llu bytes: page_owner.sample)\n", bytes >> 10, objs, t.count,
			page_owner_sample);
	else
		fprintf(out, "live: %lu kB in %lu allocations at %u sites (with a stack: slub_debug=U, "
			"page_owner=on)\n", bytes >> 10, objs, t.count);
	fprintf(out, "%10s %6s %8s  %s\n", "kB", "%", "objects", "site");
	for (i = 0; i < t.count; i++) {
		const struct location *l = &t.loc[i];
		char sym[448];

		if (i == HEAP_SITES_SHOWN) {
			for (; i < t.count; i++)
				rest += t.loc[i].bytes;
			fprintf(out, "%10lu %5lu%% %8s  (%u more sites)\n", rest >> 10,
				bytes ? rest * 100 / bytes : 0, "", t.count - HEAP_SITES_SHOWN);
			break;
		}
		sprint_backtrace_line(sym, sizeof(sym), l->addr);
		fprintf(out, "%10lu %5lu%% %8lu  %s\n", l->bytes >> 10,
			bytes ? l->bytes * 100 / bytes : 0, count_of(l->count), sym);
		print_stack_lines(out, l->handle, "                            ");
	}
	if (t.lost)
		fprintf(out, "# %lu allocations of sites beyond the first %u not counted\n", t.lost,
			LOC_MAX / 2);
	kvfree(t.loc);
}

void heap_profile_show(FILE *out)
{
	unsigned long objs, bytes;
	struct loc_track t;
	unsigned int i;

	if (!collect_heap(&t, cmp_loc, &objs, &bytes))
		return;
	fprintf(out, "heap profile: %6lu: %8lu [%6lu: %8lu] @ heapprofile\n", objs, bytes, objs,
		bytes);
	for (i = 0; i < t.count; i++) {
		const struct location *l = &t.loc[i];
		const unsigned long *entries;
		unsigned int nr = stack_depot_fetch(l->handle, &entries), j;

		fprintf(out, "%6lu: %8lu [%6lu: %8lu] @", count_of(l->count), l->bytes,
			count_of(l->count), l->bytes);
		if (!nr)
			fprintf(out, " 0x%016lx", l->addr);
		for (j = 0; j < nr; j++)
			fprintf(out, " 0x%016lx", entries[j]);
		fputc('\n', out);
	}
	fprintf(out, "\nMAPPED_LIBRARIES:\n");
	print_maps(out);
	kvfree(t.loc);
}
