/*
 * tests/test_vmalloc.c - the vmalloc layer (lib/vmalloc.c): vmalloc and
 * friends from 1 byte to 1 GiB, where the frames come from (HIGHMEM
 * first, in the largest orders, then NORMAL, then DMA), areas built from
 * frames scattered in pfn, /proc/vmallocinfo, guard pages, vrealloc
 * (growth in place and by moving the mapping, never copying; shrinking),
 * vmap/vunmap, kmap/kunmap/kmap_local_page, the kvmalloc family, fork, a
 * randomized model test, 10,000 live areas against vm.max_map_count, and
 * the host refusing a mapping.
 *
 * Every case runs in a forked child with a machine of its own
 * (testutil.h: CHILD_TEST, tu_run_child()); the runner never calls into
 * kalloc.  Cases that must die (a guard page read, an invalid vfree) do
 * it in a process of their own: probe() forks a grandchild that only
 * touches one address, and the invalid-pointer cases run through
 * tu_run_child() and expect SIGABRT.
 *
 * Only the default backing (phys=anon) is tested: an area's bytes are
 * fresh anonymous memory mapped at its address, so vmalloc() memory reads
 * as zero, and the frames of an area (vmalloc_to_page()) are bookkeeping
 * that must be consistent: distinct, held (refcount 1), of the zone the
 * policy says, taken in as few buddy blocks as the size allows.
 *
 * Page counts: pages_in_use() is what the buddy allocator has handed out
 * (managed - free - pcp, after drain_local_pages()), compared after
 * kmem_cache_shrink() of every cache (as tests/test_slab.c does), so that
 * empty slabs of kalloc's own caches (vmap_area, kmalloc-*) do not blur
 * it; onlining a section on demand changes managed and free alike, so the
 * count is exact across it.
 *
 * KALLOC_TEST_SEED=n replays the randomized case with another seed.
 */
#include "testutil.h"

#include "kalloc.h"
#include "slab.h"
#include "util.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/resource.h>

/* no page reporting: nothing runs behind the test's back */
#define NO_REPORTING	"page_reporting_delay=60000 page_reporting_high=64G"

#define SZ_64K		(64UL << 10)
#define SZ_2M		(2UL << 20)
#define SZ_4M		(4UL << 20)
#define SZ_8M		(8UL << 20)
#define SZ_16M		(16UL << 20)
#define SZ_32M		(32UL << 20)
#define SZ_64M		(64UL << 20)
#define SZ_256M		(256UL << 20)
#define SZ_512M		(512UL << 20)

#define WORDS_PER_PAGE	(PAGE_SIZE / sizeof(uint64_t))

/* ---------------------------------------------------------- helpers -- */

/*
 * vfree() and wait for the unmapping: with phys=memfd the area is freed
 * lazily and its range stays mapped until the purge (vmalloc_purge()).
 */
static void vfree_settled(const void *p)
{
	vfree(p);
	vmalloc_purge();
}

static unsigned long pages_of(unsigned long size)
{
	return (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/*
 * Pages handed out by the buddy allocator (to the test or to kalloc's own
 * layers), this thread's pcp lists drained: managed - free - pcp over the
 * zones.  Onlining a section adds as many managed as free pages, so the
 * count is exact across onlining (reserved pages included).
 */
static unsigned long pages_in_use(void)
{
	drain_local_pages(NULL);
	return tu_pages_in_use();
}

static struct vmalloc_stats vstats(void)
{
	struct vmalloc_stats vs;

	vmalloc_stats(&vs);
	return vs;
}

/*
 * Touch @addr in a grandchild process (a read, or a write of one byte):
 * 0 if it survived, else the signal that killed it.
 */
static int probe(const void *addr, bool write)
{
	int status;
	pid_t pid;

	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (write)
			*(volatile char *)addr = 1;
		else
			(void)*(const volatile char *)addr;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return WTERMSIG(status);
	return WEXITSTATUS(status) ? -1 : 0;
}

#define assert_faults(addr)	assert_int_equal(probe((addr), false), SIGSEGV)
#define assert_readable(addr)	assert_int_equal(probe((addr), false), 0)

/* The word stamped at word @w of page @i of an area tagged @tag. */
static inline uint64_t pat(uint64_t tag, unsigned long i, unsigned long w)
{
	return tu_pattern_word(tag, i, w);
}

/* Stamp the first and last word of pages [from, to) of the area at @p. */
static void stamp_pages(void *p, unsigned long from, unsigned long to, uint64_t tag)
{
	unsigned long i;

	for (i = from; i < to; i++) {
		uint64_t *w = (uint64_t *)((char *)p + i * PAGE_SIZE);

		w[0] = pat(tag, i, 0);
		w[WORDS_PER_PAGE - 1] = pat(tag, i, WORDS_PER_PAGE - 1);
	}
}

/* The first page in [from, to) whose stamp is wrong, or -1. */
static long check_stamps(const void *p, unsigned long from, unsigned long to, uint64_t tag)
{
	unsigned long i;

	for (i = from; i < to; i++) {
		const uint64_t *w = (const uint64_t *)((const char *)p + i * PAGE_SIZE);

		if (w[0] != pat(tag, i, 0) || w[WORDS_PER_PAGE - 1] != pat(tag, i, WORDS_PER_PAGE - 1))
			return (long)i;
	}
	return -1;
}

/* The first page in [from, to) whose first or last word is not zero, or -1. */
static long check_zero_stamps(const void *p, unsigned long from, unsigned long to)
{
	unsigned long i;

	for (i = from; i < to; i++) {
		const uint64_t *w = (const uint64_t *)((const char *)p + i * PAGE_SIZE);

		if (w[0] || w[WORDS_PER_PAGE - 1])
			return (long)i;
	}
	return -1;
}

#define assert_stamps(p, from, to, tag)						\
	do {									\
		long __bad = check_stamps((p), (from), (to), (tag));		\
		if (__bad >= 0)							\
			fail_msg("page %ld of the area at %p lost its content", __bad, (void *)(p)); \
	} while (0)

#define assert_zero_stamps(p, from, to)						\
	do {									\
		long __bad = check_zero_stamps((p), (from), (to));		\
		if (__bad >= 0)							\
			fail_msg("page %ld of the area at %p is not zero", __bad, (void *)(p)); \
	} while (0)

/* The number of runs of consecutive pfns among the area's pages. */
static unsigned long pfn_runs(const void *p, unsigned long nr_pages)
{
	unsigned long i, runs = 0, prev = 0;

	for (i = 0; i < nr_pages; i++) {
		unsigned long pfn = vmalloc_to_pfn((const char *)p + i * PAGE_SIZE);

		if (!i || pfn != prev + 1)
			runs++;
		prev = pfn;
	}
	return runs;
}

/* The buddy blocks an area of @nr pages takes in a roomy zone, at most. */
static unsigned long blocks_for(unsigned long nr)
{
	return (nr >> MAX_PAGE_ORDER) + (unsigned long)__builtin_popcountl(nr & (MAX_ORDER_NR_PAGES - 1));
}

static unsigned char *pfn_seen;	/* one bit per pfn of the machine */

/*
 * The frames of the area at @p (@nr_pages pages) as vmalloc_to_page()
 * tells them: one per page, the same for every address of the page,
 * matching vmalloc_to_pfn(), distinct, held (refcount 1, not free), of
 * zone @zone (or any zone if @zone is -1); none past the end (the guard).
 * Fills @pages if not NULL.
 */
static void check_area_frames(const void *p, unsigned long nr_pages, int zone, struct page **pages)
{
	unsigned long i, max = kalloc_max_pfn();

	if (!pfn_seen)
		pfn_seen = malloc(max / 8 + 1);
	assert_non_null(pfn_seen);
	memset(pfn_seen, 0, max / 8 + 1);
	for (i = 0; i < nr_pages; i++) {
		const char *a = (const char *)p + i * PAGE_SIZE;
		struct page *page = vmalloc_to_page(a);
		unsigned long pfn;

		if (!page)
			fail_msg("vmalloc_to_page(%p) (page %lu of %lu) is NULL", (void *)a, i, nr_pages);
		pfn = page_to_pfn(page);
		assert_true(pfn < max);
		assert_ptr_equal(vmalloc_to_page(a + 1 + (i * 37) % (PAGE_SIZE - 1)), page);
		assert_ptr_equal(vmalloc_to_page(a + PAGE_SIZE - 1), page);
		assert_int_equal(vmalloc_to_pfn(a), pfn);
		assert_ptr_equal(pfn_to_page(pfn), page);
		if (pfn_seen[pfn / 8] & (1u << (pfn % 8)))
			fail_msg("page %lu of the area at %p is frame %#lx, already used by the area",
				 i, p, pfn);
		pfn_seen[pfn / 8] |= 1u << (pfn % 8);
		if (page_count(page) != 1)
			fail_msg("frame %#lx of the area at %p has refcount %d", pfn, p, page_count(page));
		if (zone >= 0 && (int)page_zonenum(page) != zone)
			fail_msg("page %lu of the area at %p is frame %#lx of zone %d, expected zone %d",
				 i, p, pfn, (int)page_zonenum(page), zone);
		if (pages)
			pages[i] = page;
	}
	/* The guard page has no frame. */
	assert_null(vmalloc_to_page((const char *)p + nr_pages * PAGE_SIZE));
}

/* --------------------------------------------------------- reports -- */

static char report_text[1 << 21];

static const char *vmallocinfo_capture(void)
{
	return tu_report_capture(report_text, sizeof(report_text), "vmallocinfo");
}

struct vi_row {
	unsigned long start, end, size;
	char caller[128];
	long pages, n0;		/* -1: absent */
	bool vmalloc, vmap;
};

/* Parse every line of a vmallocinfo capture; returns the rows found. */
static int vmallocinfo_parse(const char *text, struct vi_row *rows, int cap)
{
	int n = 0;

	while (*text) {
		const char *eol = strchr(text, '\n');
		char line[512], *tok, *save;
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		struct vi_row *r = &rows[n];
		int consumed = 0;

		assert_true(len < sizeof(line));
		memcpy(line, text, len);
		line[len] = '\0';
		text += len + (eol ? 1 : 0);
		if (strstr(line, " unpurged vm_area"))
			continue;	/* a lazily freed range (show_purge_info()), no area */
		assert_true(n < cap);
		memset(r, 0, sizeof(*r));
		r->pages = r->n0 = -1;
		if (sscanf(line, "0x%lx-0x%lx %lu %n", &r->start, &r->end, &r->size, &consumed) != 3 ||
		    !consumed)
			fail_msg("vmallocinfo line not in the /proc format: \"%s\"", line);
		for (tok = strtok_r(line + consumed, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			if (!strncmp(tok, "pages=", 6))
				r->pages = strtol(tok + 6, NULL, 10);
			else if (!strncmp(tok, "N0=", 3))
				r->n0 = strtol(tok + 3, NULL, 10);
			else if (!strcmp(tok, "vmalloc"))
				r->vmalloc = true;
			else if (!strcmp(tok, "vmap"))
				r->vmap = true;
			else if (!r->caller[0])
				snprintf(r->caller, sizeof(r->caller), "%s", tok);
			else
				fail_msg("unexpected word \"%s\" in vmallocinfo line", tok);
		}
		n++;
	}
	return n;
}

static const struct vi_row *find_row(const struct vi_row *rows, int n, const void *addr)
{
	int i;

	for (i = 0; i < n; i++)
		if (rows[i].start == (unsigned long)addr)
			return &rows[i];
	return NULL;
}

/* ------------------------------------------------- host mappings -- */

static unsigned long count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long n = 0;
	int c;

	assert_non_null(f);
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static unsigned long read_max_map_count(void)
{
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	unsigned long n = 65530;

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 65530;
		fclose(f);
	}
	return n;
}

/*
 * The vmalloc window is covered by host mappings from end to end (the
 * PROT_NONE reservation or areas): a hole would let the host put a
 * foreign mapping there, which a later area would then map over.
 * Returns the start of the first hole, or 0.
 */
static unsigned long window_hole(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long cur = VMALLOC_START, hole = 0;
	char line[512];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx", &a, &b) != 2 || b <= VMALLOC_START || a >= VMALLOC_END)
			continue;
		if (a > cur && !hole)
			hole = cur;
		if (b > cur)
			cur = b;
	}
	fclose(f);
	if (!hole && cur < VMALLOC_END)
		hole = cur;
	return hole;
}

#define assert_no_window_hole()							\
	do {									\
		unsigned long __h = window_hole();				\
		if (__h)							\
			fail_msg("the vmalloc window has a hole at %#lx", __h);	\
	} while (0)

/* Host mappings that overlap [addr, addr + len). */
static unsigned long maps_in_range(const void *addr, unsigned long len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long s = (unsigned long)addr, e = s + len, n = 0;
	char line[512];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;

		if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a < e && b > s)
			n++;
	}
	fclose(f);
	return n;
}

/* Page faults this process has taken so far (a copy faults every page it writes). */
static long minor_faults(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_minflt;
}

/*
 * One growth step of the vrealloc tests: @p (@old_nr pages stamped with
 * @tag, their frames in pages[]) grows to @nr pages.  Nothing is copied:
 * the step writes no byte of the area (its page faults are at most those
 * of the new pages[] array), the old pages keep their content and their
 * frames, so no byte moved from frame to frame; the new pages read zero
 * (the old guard page too) and are then stamped, their frames recorded.
 * Returns the area's address.
 */
static char *vrealloc_step(char *p, unsigned long old_nr, unsigned long nr, struct page **pages,
			   uint64_t tag)
{
	long flt = minor_faults();
	char *q = vrealloc(p, nr * PAGE_SIZE, GFP_KERNEL);
	unsigned long i;

	flt = minor_faults() - flt;
	if (!q)
		fail_msg("vrealloc(%p, %lu pages) failed (errno %d)", p, nr, errno);
	if (!TU_SANITIZED && flt > (long)(old_nr / 8 + 64))	/* a sanitizer's shadow faults too */
		fail_msg("vrealloc(%lu -> %lu pages) took %ld page faults: it wrote the data", old_nr,
			 nr, flt);
	assert_int_equal(vmalloc_size(q), nr * PAGE_SIZE);
	assert_stamps(q, 0, old_nr, tag);
	for (i = 0; i < old_nr; i++)
		if (vmalloc_to_page(q + i * PAGE_SIZE) != pages[i])
			fail_msg("page %lu changed frame in vrealloc to %lu pages", i, nr);
	for (i = old_nr; i < nr; i++) {
		pages[i] = vmalloc_to_page(q + i * PAGE_SIZE);
		assert_non_null(pages[i]);
	}
	assert_zero_stamps(q, old_nr, nr);
	assert_true(tu_is_zero(q + old_nr * PAGE_SIZE, 2 * PAGE_SIZE));	/* the old guard */
	stamp_pages(q, old_nr, nr, tag);
	return q;
}

/* ------------------------------------------------------ sizes -- */

enum vkind { K_VMALLOC, K_VZALLOC, K_VMALLOC_USER, K_VMALLOC_GFP, NR_KINDS };
static const char *const kind_names[] = { "vmalloc", "vzalloc", "vmalloc_user", "__vmalloc" };

static void *valloc_kind(enum vkind k, unsigned long size)
{
	switch (k) {
	case K_VMALLOC:
		return vmalloc(size);
	case K_VZALLOC:
		return vzalloc(size);
	case K_VMALLOC_USER:
		return vmalloc_user(size);
	default:
		return __vmalloc(size, GFP_KERNEL);
	}
}

/*
 * One area of @size from @k: usable, zeroed, writable over the whole
 * size, its frames consistent and from @zone, in as few blocks as the
 * size allows (a roomy, unfragmented zone); vfree gives it all back.
 */
static void one_area(enum vkind k, unsigned long size, int zone)
{
	unsigned long nr = pages_of(size), i;
	struct vmalloc_stats v0 = vstats(), v1;
	unsigned char *p;
	uint64_t tag = size * 31 + k;

	p = valloc_kind(k, size);
	if (!p)
		fail_msg("%s(%lu) failed", kind_names[k], size);
	assert_true(is_vmalloc_addr(p));
	assert_true(is_vmalloc_addr(p + size - 1));
	assert_int_equal((unsigned long)p & (PAGE_SIZE - 1), 0);
	assert_int_equal(vmalloc_size(p), nr * PAGE_SIZE);
	v1 = vstats();
	assert_int_equal(v1.nr_areas, v0.nr_areas + 1);
	assert_int_equal(v1.nr_pages, v0.nr_pages + nr);

	/* Zeroed: fresh anonymous memory, the whole pages (slack too). */
	if (size <= SZ_64M) {
		if (!tu_is_zero(p, nr * PAGE_SIZE))
			fail_msg("%s(%lu) is not zeroed", kind_names[k], size);
	} else {
		assert_zero_stamps(p, 0, nr);
	}

	/* Frames: one per page, distinct, held, from the zone, few blocks. */
	check_area_frames(p, nr, zone, NULL);
	if (pfn_runs(p, nr) > blocks_for(nr))
		fail_msg("%s(%lu): %lu pfn runs, more than the %lu buddy blocks the size needs",
			 kind_names[k], size, pfn_runs(p, nr), blocks_for(nr));

	/* Writable over the whole size. */
	if (size < SZ_64K) {
		for (i = 0; i < size; i++)
			p[i] = (unsigned char)(i * 7 + k);
		for (i = 0; i < size; i++)
			if (p[i] != (unsigned char)(i * 7 + k))
				fail_msg("%s(%lu): byte %lu reads %#x", kind_names[k], size, i, p[i]);
	} else {
		stamp_pages(p, 0, nr, tag);
		assert_stamps(p, 0, nr, tag);
		p[size - 1] = 0x5a;
		p[size / 2] = 0xa5;
		assert_int_equal(p[size - 1], 0x5a);
		assert_int_equal(p[size / 2], 0xa5);
	}
	vfree(p);
	v1 = vstats();
	assert_int_equal(v1.nr_areas, v0.nr_areas);
	assert_int_equal(v1.nr_pages, v0.nr_pages);
}

static const unsigned long odd_sizes[] = {
	3, 4095, 4097, 8191, 12345, 65537, (1UL << 20) + 1, (5UL << 20) + 3,
	(33UL << 20) - 7, (100UL << 20) + 12345,
};

/* Sizes 1 byte .. 1 GiB (powers of 4 and odd ones): everything from HIGHMEM. */
CHILD_TEST(test_vmalloc_sizes, "mem=2G " NO_REPORTING, 60)
{
	unsigned long size, start;
	unsigned int i;
	int k;

	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();
	for (size = 1; size <= SZ_256M; size <<= 2)
		for (k = 0; k < NR_KINDS; k++)
			if (size <= SZ_64M || k == K_VMALLOC)
				one_area((enum vkind)k, size, ZONE_HIGHMEM);
	for (i = 0; i < ARRAY_SIZE(odd_sizes); i++)
		for (k = 0; k < NR_KINDS; k++)
			if (odd_sizes[i] <= SZ_64M || k == K_VZALLOC)
				one_area((enum vkind)k, odd_sizes[i], ZONE_HIGHMEM);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
}

/* 1 GiB: every page touched and checked with a pattern, then vfree. */
CHILD_TEST(test_vmalloc_1g, "mem=2G " NO_REPORTING, 60)
{
	unsigned long start;

	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();
	one_area(K_VMALLOC, 1UL << 30, ZONE_HIGHMEM);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
}

/* Sizes that are no area: NULL and ENOMEM; vfree(NULL) is nothing. */
CHILD_TEST(test_vmalloc_bad_sizes, "mem=256M vmalloc=1G", 10)
{
	struct vmalloc_stats v0;
	unsigned long window;

	vfree(NULL);
	vfree(vmalloc(1));
	window = VMALLOC_END - VMALLOC_START;
	assert_int_equal(window, 1UL << 30);
	v0 = vstats();
	assert_null(vmalloc(0));
	assert_null(vzalloc(0));
	errno = 0;
	assert_null(__vmalloc(window / 2 + PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(__vmalloc(ULONG_MAX, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(__vmalloc(ULONG_MAX - 2 * PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(errno, ENOMEM);
	/* More than the machine has: 512 MiB of frames on a 256 MiB machine. */
	errno = 0;
	assert_null(__vmalloc(SZ_512M, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(vstats().nr_areas, v0.nr_areas);
	assert_int_equal(vstats().nr_pages, v0.nr_pages);
	assert_no_window_hole();
}

/* ------------------------------------------ where the frames come from -- */

/* No HIGHMEM: NORMAL first, DMA only when NORMAL is down to its low watermark. */
CHILD_TEST(test_vmalloc_no_highmem, "mem=256M " NO_REPORTING, 30)
{
	unsigned long start, nr_normal, nr, i, dma = 0;
	bool seen_dma = false;
	unsigned char *a, *b;

	assert_int_equal(totalhigh_pages(), 0);
	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();
	one_area(K_VMALLOC, SZ_64M, ZONE_NORMAL);
	one_area(K_VZALLOC, (5UL << 20) + 1, ZONE_NORMAL);

	a = vmalloc(SZ_16M);
	assert_non_null(a);
	check_area_frames(a, SZ_16M >> PAGE_SHIFT, ZONE_NORMAL, NULL);

	/* More than NORMAL has left: the rest from DMA, after NORMAL's frames. */
	nr_normal = tu_zone_available(ZONE_NORMAL);
	nr = nr_normal + 1024;
	b = vmalloc(nr * PAGE_SIZE);
	if (!b)
		fail_msg("vmalloc of %lu pages failed (NORMAL %lu available, DMA %lu)", nr, nr_normal,
			 tu_zone_available(ZONE_DMA));
	check_area_frames(b, nr, -1, NULL);
	for (i = 0; i < nr; i++) {
		enum zone_type z = page_zonenum(vmalloc_to_page(b + i * PAGE_SIZE));

		assert_int_not_equal(z, ZONE_HIGHMEM);
		if (z == ZONE_DMA) {
			seen_dma = true;
			dma++;
		} else if (seen_dma) {
			fail_msg("page %lu is NORMAL after a DMA page: NORMAL was not used first", i);
		}
	}
	assert_true(dma >= 1024);
	/*
	 * NORMAL gave down to its low watermark, not to min: DMA, still above
	 * its low mark and its reserve, then served the rest (the zonelist
	 * walk at the low watermarks; the walk at min comes only once no zone
	 * passes its low one).
	 */
	assert_true(tu_zone_free(ZONE_NORMAL) + tu_zone(ZONE_NORMAL)->offline_pages <=
		    low_wmark_pages(tu_zone(ZONE_NORMAL)));
	assert_true(tu_zone_free(ZONE_NORMAL) + tu_zone(ZONE_NORMAL)->offline_pages >
		    min_wmark_pages(tu_zone(ZONE_NORMAL)));
	assert_true(tu_zone_free(ZONE_DMA) + tu_zone(ZONE_DMA)->offline_pages >
		    low_wmark_pages(tu_zone(ZONE_DMA)) + tu_zone(ZONE_DMA)->lowmem_reserve[ZONE_HIGHMEM]);
	stamp_pages(b, 0, nr, 7);
	stamp_pages(a, 0, SZ_16M >> PAGE_SHIFT, 8);
	assert_stamps(b, 0, nr, 7);
	assert_stamps(a, 0, SZ_16M >> PAGE_SHIFT, 8);
	vfree(b);
	vfree(a);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
}

/* HIGHMEM first while it has room, then NORMAL: in that order in the area. */
CHILD_TEST(test_vmalloc_highmem_then_normal, "mem=1G " NO_REPORTING, 30)
{
	unsigned long hi, nr = SZ_256M >> PAGE_SHIFT, i, nr_hi = 0;
	bool seen_normal = false;
	unsigned char *p;

	vfree(vmalloc(1));
	hi = tu_zone_available(ZONE_HIGHMEM);
	assert_true(hi > 30000 && hi < nr);
	p = vmalloc(SZ_256M);
	assert_non_null(p);
	check_area_frames(p, nr, -1, NULL);
	for (i = 0; i < nr; i++) {
		enum zone_type z = page_zonenum(vmalloc_to_page(p + i * PAGE_SIZE));

		if (z == ZONE_HIGHMEM) {
			if (seen_normal)
				fail_msg("page %lu is HIGHMEM after a NORMAL page", i);
			nr_hi++;
		} else {
			assert_int_equal(z, ZONE_NORMAL);
			seen_normal = true;
		}
	}
	/* HIGHMEM gave all it had down to its min watermark. */
	if (nr_hi + tu_zone(ZONE_HIGHMEM)->_watermark[WMARK_MIN] + 64 < hi)
		fail_msg("only %lu of HIGHMEM's %lu available pages were used", nr_hi, hi);
	assert_true(seen_normal);
	stamp_pages(p, 0, nr, 3);
	assert_stamps(p, 0, nr, 3);
	vfree(p);
}

/* Give back what a test held page by page; then as many pages are in use as at @start. */
static void free_held_pages(struct page **held, unsigned long n, unsigned long start)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (held[i])
			__free_page(held[i]);
	free(held);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
}

/*
 * A huge area's frames are unsplit 2 MiB blocks (phys=anon): each 2 MiB of
 * the area is 512 consecutive frames, aligned, whose struct pages stay
 * unwritten but for a block's head, so a large area that is never touched
 * costs next to nothing in mem_map (64 bytes per page split: 16 MiB for
 * 1 GiB).  Shrinking and growing keep the count of frames exact.
 */
/*
 * The area's frames, and a slab or two: its pages[] array holds an entry
 * per 2 MiB block (8 bytes per 512 pages: a kmalloc-4k object for 1 GiB,
 * in a slab of 8 pages), not per page (512 pages for 1 GiB).
 */
static void check_area_in_use(unsigned long start, unsigned long nr_pages)
{
	unsigned long used = pages_in_use() - start;

	if (used < nr_pages || used > nr_pages + 16)
		fail_msg("%lu pages in use for an area of %lu pages", used, nr_pages);
}

static void check_block_frames(const unsigned char *p, unsigned long nr_pages)
{
	unsigned long i;

	for (i = 0; i < nr_pages; i++) {
		struct page *page = vmalloc_to_page(p + i * PAGE_SIZE);
		unsigned long pfn = page_to_pfn(page);

		if (i % 512 == 0 && pfn % 512)
			fail_msg("2 MiB unit %lu of the area starts at frame %#lx", i / 512, pfn);
		if (i % 512 && pfn != vmalloc_to_pfn(p + (i - 1) * PAGE_SIZE) + 1)
			fail_msg("page %lu of the area is frame %#lx, not the next of its block", i, pfn);
		assert_true(page_count(page) == 0 || page_count(page) == 1);
		if (i % 512 && page_count(page))
			fail_msg("page %lu of a 2 MiB block (frame %#lx) has a reference", i, pfn);
	}
}

CHILD_TEST(test_vmalloc_huge_blocks, "mem=3G " NO_REPORTING, 60)
{
	unsigned long start, rss0, grew, nr = SZ_1G >> PAGE_SHIFT;
	unsigned char *p;

	vfree(vmalloc_huge(SZ_2M, GFP_KERNEL));
	if (phys_is_memfd()) {
		/* blocks are phys=anon's: a memfd area maps its frames run by run */
		p = vmalloc_huge(SZ_16M, GFP_KERNEL);
		check_area_frames(p, SZ_16M >> PAGE_SHIFT, -1, NULL);	/* split: refcount 1 each */
		vfree(p);
		return;
	}
	tu_shrink_all();
	start = pages_in_use();
	rss0 = tu_rss_bytes();
	p = vmalloc_huge(SZ_1G, GFP_KERNEL);
	assert_non_null(p);
	grew = tu_rss_bytes() - rss0;
	/* a head per 4 MiB block (128 pages of mem_map) and a 4 KiB pages[]: not 16 MiB of
	 * mem_map, nor 2 MiB of pages[] */
	if (!TU_SANITIZED && grew > SZ_2M)
		fail_msg("an untouched 1 GiB huge area made RSS grow by %lu KiB", grew >> 10);
	check_block_frames(p, nr);
	check_area_in_use(start, nr);
	p[0] = 1;
	p[SZ_1G - 1] = 2;

	p = vrealloc(p, SZ_256M + 1, GFP_KERNEL);	/* to 258 MiB, in place */
	assert_non_null(p);
	assert_int_equal(p[0], 1);
	check_area_in_use(start, (SZ_256M + SZ_2M) >> PAGE_SHIFT);
	check_block_frames(p, (SZ_256M + SZ_2M) >> PAGE_SHIFT);
	p = vrealloc(p, SZ_512M + SZ_4M, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(p[0], 1);
	check_area_in_use(start, (SZ_512M + SZ_4M) >> PAGE_SHIFT);
	check_block_frames(p, (SZ_512M + SZ_4M) >> PAGE_SHIFT);
	vfree(p);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
	tu_check_all_buddies();
}

/*
 * When the buddy has no 2 MiB blocks left, a huge area takes single
 * frames (split, each with its reference), and a block area that must
 * grow then splits its blocks first.
 */
CHILD_TEST(test_vmalloc_huge_no_blocks, "mem=256M " NO_REPORTING, 60)
{
	unsigned long cap = 256UL << (20 - PAGE_SHIFT), n = 0, i, start, nr;
	struct page **held = malloc(cap * sizeof(*held));
	unsigned char *p, *q;

	assert_non_null(held);
	vfree(vmalloc_huge(SZ_2M, GFP_KERNEL));
	if (phys_is_memfd()) {
		free(held);
		return;		/* no blocks to run out of (above) */
	}
	tu_shrink_all();
	start = pages_in_use();
	p = vmalloc_huge(SZ_8M, GFP_KERNEL);	/* while blocks exist */
	assert_non_null(p);
	check_block_frames(p, SZ_8M >> PAGE_SHIFT);
	memset(p, 0x5a, SZ_8M);
	/* every free page, then every other one back: no block of 2 MiB is left */
	for (;;) {
		struct page *page = alloc_pages(GFP_HIGHUSER | __GFP_NOWARN, 0);

		if (!page)
			break;
		assert_true(n < cap);
		held[n++] = page;
	}
	for (i = 0; i < n; i++)
		if (page_to_pfn(held[i]) & 1) {
			__free_page(held[i]);
			held[i] = NULL;
		}
	q = vmalloc_huge(SZ_4M, GFP_KERNEL);
	assert_non_null(q);
	for (i = 0; i < SZ_4M >> PAGE_SHIFT; i++)
		assert_int_equal(page_count(vmalloc_to_page(q + i * PAGE_SIZE)), 1);
	p = vrealloc(p, SZ_16M, GFP_KERNEL);
	assert_non_null(p);
	nr = SZ_16M >> PAGE_SHIFT;
	for (i = 0; i < nr; i++) {
		assert_int_equal(page_count(vmalloc_to_page(p + i * PAGE_SIZE)), 1);
		if (i < (SZ_8M >> PAGE_SHIFT) && p[i * PAGE_SIZE] != 0x5a)
			fail_msg("page %lu of the grown area reads %#x", i, p[i * PAGE_SIZE]);
	}
	vfree(q);
	vfree(p);
	free_held_pages(held, n, start);
	tu_check_all_buddies();
}

/*
 * Frames scattered in pfn: HIGHMEM allocated page by page, every other
 * page freed; an area then takes those and still reads and writes as one
 * range.
 */
CHILD_TEST(test_vmalloc_fragmented, "mem=1G " NO_REPORTING, 30)
{
	unsigned long cap = totalhigh_pages() + 16, n = 0, i, nr, runs, start;
	struct page **held = malloc(cap * sizeof(*held));
	unsigned char *p, *q;

	assert_non_null(held);
	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();
	for (;;) {
		struct page *page = alloc_pages(GFP_HIGHUSER, 0);

		assert_non_null(page);
		if (page_zonenum(page) != ZONE_HIGHMEM) {
			__free_page(page);
			break;
		}
		assert_true(n < cap);
		held[n++] = page;
	}
	assert_true(n > 30000);
	/* Free the frames of odd pfn: HIGHMEM is then all single pages. */
	for (i = 0; i < n; i++)
		if (page_to_pfn(held[i]) & 1) {
			__free_page(held[i]);
			held[i] = NULL;
		}
	nr = SZ_16M >> PAGE_SHIFT;
	p = vmalloc(SZ_16M);
	assert_non_null(p);
	check_area_frames(p, nr, ZONE_HIGHMEM, NULL);
	runs = pfn_runs(p, nr);
	if (runs < nr / 2)
		fail_msg("%lu pfn runs in %lu pages: the area was not built from scattered frames",
			 runs, nr);
	/* One range: a pattern across every page boundary, and copies across them. */
	for (i = 0; i < SZ_16M / 4; i++)
		((uint32_t *)p)[i] = (uint32_t)(i * 2654435761u);
	for (i = 0; i < SZ_16M / 4; i++)
		if (((uint32_t *)p)[i] != (uint32_t)(i * 2654435761u))
			fail_msg("word %lu of the fragmented area reads wrong", i);
	q = malloc(3 * PAGE_SIZE + 100);
	assert_non_null(q);
	memcpy(q, p + PAGE_SIZE - 50, 3 * PAGE_SIZE + 100);
	memmove(p + 5 * PAGE_SIZE + 17, p + PAGE_SIZE - 50, 3 * PAGE_SIZE + 100);
	assert_memory_equal(p + 5 * PAGE_SIZE + 17, q, 3 * PAGE_SIZE + 100);
	free(q);
	vfree(p);
	free_held_pages(held, n, start);
}

/*
 * Lowmem in single pages: every lowmem frame taken, those of odd pfn freed.
 * A vmalloc() of HIGHMEM frames must still work: its pages[] array (16 KiB
 * here) cannot be one lowmem block and comes from vmalloc itself, as the
 * kernel's __vmalloc_area_node() allocates a large array.
 */
CHILD_TEST(test_vmalloc_lowmem_fragmented, "mem=1G " NO_REPORTING, 30)
{
	unsigned long cap = totalram_pages(), n, i, start;
	struct page **held = malloc(cap * sizeof(*held));
	unsigned char *p;

	assert_non_null(held);
	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();
	n = tu_take_all_pages(held, cap, GFP_KERNEL);	/* the reserves below the min mark too */
	assert_true(n > 100000);
	for (i = 0; i < n; i++)
		if (page_to_pfn(held[i]) & 1) {
			__free_page(held[i]);
			held[i] = NULL;
		}
	p = vmalloc(SZ_8M);
	if (!p)
		fail_msg("vmalloc(8 MiB) failed with lowmem in single free pages and HIGHMEM free");
	check_area_frames(p, SZ_8M >> PAGE_SHIFT, ZONE_HIGHMEM, NULL);
	memset(p, 0x5a, SZ_8M);
	vfree(p);
	free_held_pages(held, n, start);
}

/* ------------------------------------------------------ vmallocinfo -- */

static void check_row(const struct vi_row *r, const void *addr, unsigned long nr_pages, bool vmapped)
{
	Dl_info here, there;

	if (!r)
		fail_msg("no vmallocinfo line for the area at %p", addr);
	assert_int_equal(r->start, (unsigned long)addr);
	assert_int_equal(r->size, (nr_pages + 1) * PAGE_SIZE);	/* guard page included */
	assert_int_equal(r->end - r->start, r->size);
	assert_true(r->caller[0] != '\0');
	if (!strncmp(r->caller, "0x", 2)) {
		/* no symbol: the address is in this test program (its caller) */
		unsigned long c = strtoul(r->caller, NULL, 16);

		assert_true(dladdr((void *)check_row, &here) != 0);
		assert_true(dladdr((void *)c, &there) != 0);
		assert_string_equal(here.dli_fname, there.dli_fname);
	} else {
		assert_non_null(strstr(r->caller, "+0x"));
	}
	if (vmapped) {
		assert_true(r->vmap);
		assert_false(r->vmalloc);
		if (r->pages >= 0)
			assert_int_equal(r->pages, nr_pages);
	} else {
		assert_true(r->vmalloc);
		assert_false(r->vmap);
		assert_int_equal(r->pages, nr_pages);
		assert_int_equal(r->n0, -1);	/* no N0=: i386's kernel has no NUMA */
	}
}

CHILD_TEST(test_vmallocinfo, "mem=2G " NO_REPORTING, 30)
{
	static struct vi_row rows[64];
	struct page *lp[3];
	void *a, *b, *c, *d;
	int n, i;

	vfree(vmalloc(1));
	n = vmallocinfo_parse(vmallocinfo_capture(), rows, 64);
	assert_int_equal(n, 0);
	assert_int_equal(vstats().nr_areas, 0);

	a = vmalloc(1);
	b = vzalloc((5UL << 20) + 1);
	c = __vmalloc(SZ_64K, GFP_KERNEL);
	for (i = 0; i < 3; i++) {
		lp[i] = alloc_page(GFP_KERNEL);
		assert_non_null(lp[i]);
	}
	d = vmap(lp, 3, VM_MAP, PAGE_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(d);

	n = vmallocinfo_parse(vmallocinfo_capture(), rows, 64);
	assert_int_equal(n, 4);
	assert_int_equal(vstats().nr_areas, 4);
	for (i = 1; i < n; i++)
		assert_true(rows[i].start >= rows[i - 1].end);	/* by address, disjoint */
	check_row(find_row(rows, n, a), a, 1, false);
	check_row(find_row(rows, n, b), b, 1281, false);
	check_row(find_row(rows, n, c), c, 16, false);
	check_row(find_row(rows, n, d), d, 3, true);
	assert_int_equal(vstats().nr_pages, 1 + 1281 + 16);

	/* A line follows its area through vrealloc. */
	b = vrealloc(b, 9UL << 20, GFP_KERNEL);
	assert_non_null(b);
	n = vmallocinfo_parse(vmallocinfo_capture(), rows, 64);
	assert_int_equal(n, 4);
	check_row(find_row(rows, n, b), b, 2304, false);

	vfree(a);
	vfree(c);
	n = vmallocinfo_parse(vmallocinfo_capture(), rows, 64);
	assert_int_equal(n, 2);
	assert_null(find_row(rows, n, a));
	assert_null(find_row(rows, n, c));
	check_row(find_row(rows, n, b), b, 2304, false);
	check_row(find_row(rows, n, d), d, 3, true);
	vfree(b);
	vunmap(d);
	n = vmallocinfo_parse(vmallocinfo_capture(), rows, 64);
	assert_int_equal(n, 0);
	assert_int_equal(vstats().nr_areas, 0);
	assert_int_equal(vstats().nr_pages, 0);
	for (i = 0; i < 3; i++)
		__free_page(lp[i]);
}

/* ------------------------------------------------------ guard pages -- */

CHILD_TEST(test_guard_pages, "mem=2G " NO_REPORTING, 30)
{
	struct page *lp[2], *hp;
	struct vmalloc_stats v0;
	char *a, *b, *c, *d, *v, *k;

	a = vmalloc(1);
	b = vmalloc(3 * PAGE_SIZE);
	c = vmalloc(PAGE_SIZE);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	memset(b, 1, 3 * PAGE_SIZE);
	assert_readable(a);
	assert_readable(a + PAGE_SIZE - 1);
	assert_faults(a + PAGE_SIZE);		/* right after a 1-byte area */
	assert_readable(b + 3 * PAGE_SIZE - 1);
	assert_faults(b + 3 * PAGE_SIZE);	/* right after b */
	assert_true(c >= b + 4 * PAGE_SIZE);	/* the guard is no other area's */
	assert_faults(c + PAGE_SIZE);

	/* Growth in place moves the guard to the new end. */
	d = vmalloc(2 * PAGE_SIZE);
	assert_non_null(d);
	v0 = vstats();
	assert_ptr_equal(vrealloc(d, 6 * PAGE_SIZE, GFP_KERNEL), d);
	assert_int_equal(vstats().in_place, v0.in_place + 1);
	assert_readable(d + 2 * PAGE_SIZE);	/* the old guard is the area's now */
	assert_readable(d + 6 * PAGE_SIZE - 1);
	assert_faults(d + 6 * PAGE_SIZE);
	/* Shrinking too: the tail is gone. */
	assert_ptr_equal(vrealloc(d, 100, GFP_KERNEL), d);
	assert_readable(d + PAGE_SIZE - 1);
	assert_faults(d + PAGE_SIZE);
	assert_faults(d + 3 * PAGE_SIZE);

	/* vmap areas have one as well; PAGE_KERNEL_RO is read-only. */
	lp[0] = alloc_page(GFP_KERNEL);
	lp[1] = alloc_page(GFP_KERNEL);
	v = vmap(lp, 2, VM_MAP, PAGE_KERNEL_RO);
	assert_non_null(v);
	assert_readable(v + 2 * PAGE_SIZE - 1);
	assert_faults(v + 2 * PAGE_SIZE);
	assert_int_equal(probe(v, true), SIGSEGV);
	vunmap(v);
	assert_faults(v);			/* a vunmap()ed area is gone */

	/* A vfree()d area is no longer mapped (phys=memfd: once purged). */
	vfree_settled(a);
	assert_faults(a);
	vfree_settled(b);
	assert_faults(b + PAGE_SIZE);

	/*
	 * A kunmap()ed pkmap slot stays mapped until the slots nobody uses
	 * are flushed; then its address no longer maps the page.
	 */
	hp = alloc_page(GFP_HIGHUSER);
	assert_non_null(hp);
	assert_int_equal(page_zonenum(hp), ZONE_HIGHMEM);
	k = kmap(hp);
	assert_non_null(k);
	k[10] = 'x';
	assert_readable(k);
	kunmap(hp);
	assert_readable(k);
	kmap_flush_unused();
	assert_faults(k);

	vfree(c);
	vfree(d);
	__free_page(lp[0]);
	__free_page(lp[1]);
	__free_page(hp);
}

/* vfree of an address that is not the start of a live area aborts. */
static void vfree_interior(void *arg)
{
	char *p = vmalloc(4 * PAGE_SIZE);

	(void)arg;
	vfree(p + PAGE_SIZE);
}

static void vfree_twice(void *arg)
{
	char *p = vmalloc(4 * PAGE_SIZE);

	(void)arg;
	vfree(p);
	vfree(p);
}

static void test_vfree_invalid(void **state)
{
	static struct tu_child res;

	(void)state;
	tu_run_child(vfree_interior, NULL, "mem=256M", 10, &res);
	tu_assert_child_aborted(&res, "invalid pointer");
	tu_run_child(vfree_twice, NULL, "mem=256M", 10, &res);
	tu_assert_child_aborted(&res, "invalid pointer");
}

/* ------------------------------------------------------------ vrealloc -- */

/*
 * Growth from 8 MiB to 512 MiB by steps of 8 MiB, with nothing after the
 * area: every step in place (same address, in_place + 1), the content and
 * the frames kept, the new part zero, nothing copied (vrealloc_step()).
 */
CHILD_TEST(test_vrealloc_grow_in_place, "mem=2G " NO_REPORTING, 60)
{
	unsigned long nr_max = SZ_512M >> PAGE_SHIFT, size, old_nr, nr;
	struct page **pages = malloc(nr_max * sizeof(*pages));
	struct vmalloc_stats v0, v1;
	char *p;

	assert_non_null(pages);
	p = vmalloc(SZ_8M);
	assert_non_null(p);
	old_nr = SZ_8M >> PAGE_SHIFT;
	stamp_pages(p, 0, old_nr, 1);
	check_area_frames(p, old_nr, ZONE_HIGHMEM, pages);
	for (size = 2 * SZ_8M; size <= SZ_512M; size += SZ_8M) {
		nr = size >> PAGE_SHIFT;
		v0 = vstats();
		assert_ptr_equal(vrealloc_step(p, old_nr, nr, pages, 1), p);
		v1 = vstats();
		assert_int_equal(v1.in_place, v0.in_place + 1);
		assert_int_equal(v1.moved, v0.moved);
		assert_int_equal(v1.nr_pages, v0.nr_pages + (nr - old_nr));
		old_nr = nr;
	}
	check_area_frames(p, nr_max, ZONE_HIGHMEM, NULL);
	assert_faults(p + SZ_512M);
	vfree(p);
	free(pages);
}

/*
 * Growth by doubling from 8 MiB to 512 MiB with the range after the area
 * always busy: every step moves the mapping (moved + 1, a new address),
 * keeps the content and the frames, copies nothing (vrealloc_step()).  The
 * old range of each step is filled with an area of its size, and a
 * blocker is put right after the area.
 */
CHILD_TEST(test_vrealloc_grow_moving, "mem=2G " NO_REPORTING, 60)
{
	unsigned long nr_max = SZ_512M >> PAGE_SHIFT, size, old_nr, nr;
	struct page **pages = malloc(nr_max * sizeof(*pages));
	void *fill[8], *block[8];
	unsigned int nf = 0, nb = 0;
	struct vmalloc_stats v0, v1;
	char *p, *q;

	assert_non_null(pages);
	p = vmalloc(SZ_8M);
	assert_non_null(p);
	old_nr = SZ_8M >> PAGE_SHIFT;
	stamp_pages(p, 0, old_nr, 2);
	check_area_frames(p, old_nr, ZONE_HIGHMEM, pages);
	for (size = 2 * SZ_8M; size <= SZ_512M; size *= 2) {
		block[nb] = vmalloc(PAGE_SIZE);
		assert_non_null(block[nb]);
		assert_ptr_equal(block[nb], p + (old_nr + 1) * PAGE_SIZE);	/* right after p */
		nb++;
		nr = size >> PAGE_SHIFT;
		v0 = vstats();
		q = vrealloc_step(p, old_nr, nr, pages, 2);
		v1 = vstats();
		assert_ptr_not_equal(q, p);
		assert_int_equal(v1.moved, v0.moved + 1);
		assert_int_equal(v1.in_place, v0.in_place);
		assert_null(vmalloc_to_page(p));
		assert_faults(p);		/* the old range is given back */
		/* Fill the old range exactly so that the next blocker lands after q. */
		fill[nf] = vmalloc(old_nr * PAGE_SIZE);
		assert_ptr_equal(fill[nf], p);
		nf++;
		p = q;
		old_nr = nr;
	}
	check_area_frames(p, nr_max, ZONE_HIGHMEM, NULL);
	vfree(p);
	while (nf)
		vfree(fill[--nf]);
	while (nb)
		vfree(block[--nb]);
	free(pages);
}

/*
 * An area that was moved, then grew in place, must still be able to move
 * again: after the first move its host mapping keeps the page offset of
 * its old address, so the piece mapped in place does not merge with it
 * and the area is two host mappings (mremap() refuses to resize a range
 * that spans several; the area must still move).
 */
CHILD_TEST(test_vrealloc_move_after_growth_in_place, "mem=2G " NO_REPORTING, 30)
{
	struct vmalloc_stats v0;
	char *p, *q, *b1, *fill, *b2;

	p = vmalloc(SZ_8M);
	assert_non_null(p);
	stamp_pages(p, 0, SZ_8M >> PAGE_SHIFT, 5);
	b1 = vmalloc(PAGE_SIZE);			/* right after p */
	v0 = vstats();
	q = vrealloc(p, SZ_16M, GFP_KERNEL);		/* moved */
	assert_non_null(q);
	assert_int_equal(vstats().moved, v0.moved + 1);
	stamp_pages(q, SZ_8M >> PAGE_SHIFT, SZ_16M >> PAGE_SHIFT, 5);
	p = q;
	q = vrealloc(p, 3 * SZ_8M, GFP_KERNEL);		/* in place */
	assert_ptr_equal(q, p);
	assert_int_equal(vstats().in_place, v0.in_place + 1);
	stamp_pages(p, SZ_16M >> PAGE_SHIFT, (3 * SZ_8M) >> PAGE_SHIFT, 5);
	fill = vmalloc(SZ_8M);				/* p's first range */
	b2 = vmalloc(PAGE_SIZE);			/* right after p */
	assert_ptr_equal(b2, p + 3 * SZ_8M + PAGE_SIZE);
	errno = 0;
	q = vrealloc(p, SZ_32M, GFP_KERNEL);		/* must move */
	if (!q)
		fail_msg("vrealloc(%p, 32 MiB) of an area moved then grown in place failed (errno %d); the area spans %lu host mappings",
			 p, errno, maps_in_range(p, 3 * SZ_8M));
	assert_int_equal(vstats().moved, v0.moved + 2);
	assert_stamps(q, 0, (3 * SZ_8M) >> PAGE_SHIFT, 5);
	assert_zero_stamps(q, (3 * SZ_8M) >> PAGE_SHIFT, SZ_32M >> PAGE_SHIFT);
	vfree(q);
	vfree(fill);
	vfree(b1);
	vfree(b2);
}

/*
 * Shrinking keeps the head, gives the tail's frames back and moves the
 * guard down; growing again works; whatever vrealloc did, vfree gives
 * every page back (also the area's pages[] array, whichever allocator
 * served it: kmalloc up to 8 KiB, alloc_pages_exact up to 4 MiB).
 */
CHILD_TEST(test_vrealloc_shrink, "mem=2G " NO_REPORTING, 30)
{
	unsigned long start, before, nr = SZ_64M >> PAGE_SHIFT, nr8 = SZ_8M >> PAGE_SHIFT;
	struct vmalloc_stats v0;
	char *p, *q;

	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();

	p = vmalloc(SZ_64M);
	assert_non_null(p);
	stamp_pages(p, 0, nr, 9);
	v0 = vstats();
	before = pages_in_use();
	assert_ptr_equal(vrealloc(p, SZ_8M, GFP_KERNEL), p);
	assert_int_equal(vstats().nr_pages, v0.nr_pages - (nr - nr8));
	assert_int_equal(vmalloc_size(p), SZ_8M);
	assert_true(pages_in_use() <= before - (nr - nr8));
	assert_stamps(p, 0, nr8, 9);
	assert_null(vmalloc_to_page(p + SZ_8M));
	assert_faults(p + SZ_8M);
	check_area_frames(p, nr8, ZONE_HIGHMEM, NULL);

	/* Same number of pages: nothing moves. */
	assert_ptr_equal(vrealloc(p, SZ_8M - 100, GFP_KERNEL), p);
	assert_int_equal(vmalloc_size(p), SZ_8M);
	/* Down to 2 pages, then up to 16 MiB again. */
	assert_ptr_equal(vrealloc(p, 5000, GFP_KERNEL), p);
	assert_stamps(p, 0, 2, 9);
	assert_faults(p + 2 * PAGE_SIZE);
	q = vrealloc(p, SZ_16M, GFP_KERNEL);
	assert_non_null(q);
	assert_stamps(q, 0, 2, 9);
	assert_zero_stamps(q, 2, SZ_16M >> PAGE_SHIFT);
	vfree(q);
	tu_shrink_all();
	if (pages_in_use() != start)
		fail_msg("after vrealloc shrink + grow + vfree: %lu pages in use, %lu at the start (%+ld)",
			 pages_in_use(), start, (long)pages_in_use() - (long)start);

	/* Shrink then vfree, each size class of the area's pages[] array. */
	{
		static const unsigned long from[] = { SZ_64M, SZ_4M, SZ_16M + PAGE_SIZE, 1UL << 30 };
		static const unsigned long to[] = { PAGE_SIZE, PAGE_SIZE, SZ_8M, SZ_2M };
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(from); i++) {
			p = vmalloc(from[i]);
			assert_non_null(p);
			assert_ptr_equal(vrealloc(p, to[i], GFP_KERNEL), p);
			vfree(p);
			tu_shrink_all();
			if (pages_in_use() != start)
				fail_msg("vrealloc(%lu -> %lu) then vfree: %lu pages in use, %lu at the start (%+ld)",
					 from[i], to[i], pages_in_use(), start,
					 (long)pages_in_use() - (long)start);
		}
	}

}

/*
 * vrealloc(NULL, n) allocates; vrealloc(p, 0) frees; a size that cannot
 * be served (more than the machine's frames, more than the window, or a
 * size_t so large that rounding it up to pages wraps around) fails with
 * ENOMEM and leaves the area as it was.
 */
CHILD_TEST(test_vrealloc_null_zero_and_failures, "mem=256M " NO_REPORTING, 30)
{
	unsigned long start, nr = (SZ_4M >> PAGE_SHIFT) + 1;
	static const size_t bad[] = {
		SZ_512M,			/* more frames than the machine has */
		SIZE_MAX / 2,			/* more than the window */
		SIZE_MAX - 3 * PAGE_SIZE,	/* more than the window */
		SIZE_MAX - PAGE_SIZE + 2,	/* rounds up to 0 */
		SIZE_MAX,			/* rounds up to 0 */
	};
	struct vmalloc_stats v0;
	unsigned int i;
	char *p;

	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();
	v0 = vstats();
	p = vrealloc(NULL, SZ_4M + 1, GFP_KERNEL);
	assert_non_null(p);
	assert_true(is_vmalloc_addr(p));
	assert_int_equal(vmalloc_size(p), nr * PAGE_SIZE);
	assert_int_equal(vstats().nr_areas, v0.nr_areas + 1);
	assert_true(tu_is_zero(p, nr * PAGE_SIZE));
	stamp_pages(p, 0, nr, 4);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *q;

		errno = 0;
		q = vrealloc(p, bad[i], GFP_KERNEL | __GFP_NOWARN);
		if (q)
			fail_msg("vrealloc(p, %#zx) returned %p (area now %lu bytes), expected NULL",
				 bad[i], (void *)q, vmalloc_size(q));
		assert_int_equal(errno, ENOMEM);
		assert_int_equal(vmalloc_size(p), nr * PAGE_SIZE);
		assert_int_equal(vstats().nr_pages, v0.nr_pages + nr);
		assert_stamps(p, 0, nr, 4);
		assert_readable(p + nr * PAGE_SIZE - 1);
	}
	assert_null(vrealloc(p, 0, GFP_KERNEL));
	assert_int_equal(vstats().nr_areas, v0.nr_areas);
	assert_int_equal(vstats().nr_pages, v0.nr_pages);
	vmalloc_purge();
	assert_faults(p);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
}

/* A full window: NULL without taking frames; an exact fit still works. */
CHILD_TEST(test_window_full, "mem=1G vmalloc=64M " NO_REPORTING, 30)
{
	unsigned long start, in_use;
	char *a, *b, *c;

	vfree(vmalloc(1));
	assert_int_equal(VMALLOC_END - VMALLOC_START, SZ_64M);
	tu_shrink_all();
	start = pages_in_use();
	a = vmalloc(SZ_32M);
	assert_non_null(a);
	tu_shrink_all();
	in_use = pages_in_use();
	errno = 0;
	b = __vmalloc(SZ_32M, GFP_KERNEL | __GFP_NOWARN);	/* 32 MiB + guard: 4 KiB short */
	assert_null(b);
	assert_int_equal(errno, ENOMEM);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), in_use);
	c = vmalloc(SZ_32M - 2 * PAGE_SIZE);			/* the rest of the window, exactly */
	assert_non_null(c);
	assert_ptr_equal(c, a + SZ_32M + PAGE_SIZE);
	assert_null(__vmalloc(1, GFP_KERNEL | __GFP_NOWARN));
	assert_null(vrealloc(a, SZ_32M + PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN));
	assert_int_equal(vmalloc_size(a), SZ_32M);
	vfree(c);
	vfree(a);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
}

/* Live objects of kalloc's vmap_area cache (kmem_cache_shrink()ed). */
static unsigned long vmap_area_objects(void)
{
	struct kmem_cache *s;

	tu_shrink_all();
	list_for_each_entry(s, &slab_caches, list) {
		if (!strcmp(s->name, "vmap_area")) {
			struct slabinfo si;

			get_slabinfo(s, &si);
			return si.active_objs;
		}
	}
	fail_msg("no vmap_area cache");
	return 0;
}

/*
 * The free-range nodes (struct vmap_area) are not leaked when an area
 * takes a free range whole: an exact fit in vmalloc, and a growth in
 * place that takes the whole free range after the area.
 */
CHILD_TEST(test_vmap_area_nodes, "mem=2G " NO_REPORTING, 30)
{
	unsigned long nodes0, nodes;
	struct vmalloc_stats v0;
	int round;

	vfree(vmalloc(1));
	nodes0 = vmap_area_objects();
	for (round = 0; round < 200; round++) {
		char *a, *x, *b, *c;

		/* Exact fit: c takes the range a left, guard included. */
		a = vmalloc(SZ_64K);
		b = vmalloc(PAGE_SIZE);
		vfree_settled(a);
		c = vmalloc(SZ_64K);
		assert_ptr_equal(c, a);
		vfree(c);
		vfree(b);

		/* Growth in place into the whole free range after the area. */
		a = vmalloc(4 * PAGE_SIZE);
		x = vmalloc(3 * PAGE_SIZE);
		b = vmalloc(PAGE_SIZE);
		assert_ptr_equal(x, a + 5 * PAGE_SIZE);
		vfree_settled(x);
		v0 = vstats();
		assert_ptr_equal(vrealloc(a, 8 * PAGE_SIZE, GFP_KERNEL), a);
		assert_int_equal(vstats().in_place, v0.in_place + 1);
		assert_ptr_equal(b, a + 9 * PAGE_SIZE);	/* a's new guard is right before b */
		vfree(a);
		vfree(b);
	}
	vmalloc_purge();
	nodes = vmap_area_objects();
	if (nodes != nodes0)
		fail_msg("%lu vmap_area objects live after 200 rounds of exact fits, %lu before (%+ld)",
			 nodes, nodes0, (long)nodes - (long)nodes0);
}

/* ------------------------------------------------------------ vmap -- */

CHILD_TEST(test_vmap_lowmem, "mem=2G " NO_REPORTING, 30)
{
	struct page *pages[4];
	unsigned long start;
	char *v;
	int i;

	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();
	for (i = 0; i < 4; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		assert_non_null(pages[i]);
		assert_false(PageHighMem(pages[i]));
		tu_fill(page_address(pages[i]), 1, 100 + i, true);
		snprintf(page_address(pages[i]), 64, "page %d", i);
	}
	v = vmap(pages, 4, VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	assert_true(is_vmalloc_addr(v));
	assert_int_equal((unsigned long)v & (PAGE_SIZE - 1), 0);
	for (i = 0; i < 4; i++) {
		char want[64];
		const uint64_t *w = (const uint64_t *)(v + i * PAGE_SIZE);
		unsigned long pfn = page_to_pfn(pages[i]), j;

		snprintf(want, sizeof(want), "page %d", i);
		assert_string_equal(v + i * PAGE_SIZE, want);
		for (j = 8; j < WORDS_PER_PAGE; j++)
			if (w[j] != tu_pattern_word(100 + i, pfn, j))
				fail_msg("word %lu of vmapped page %d reads wrong", j, i);
		assert_ptr_equal(vmalloc_to_page(v + i * PAGE_SIZE), pages[i]);
		assert_ptr_equal(vmalloc_to_page(v + i * PAGE_SIZE + 123), pages[i]);
		assert_int_equal(vmalloc_to_pfn(v + i * PAGE_SIZE), pfn);
	}
	assert_null(vmalloc_to_page(v + 4 * PAGE_SIZE));
	/* Writes through the vmap address are the pages' after vunmap. */
	for (i = 0; i < 4; i++)
		snprintf(v + i * PAGE_SIZE, 64, "written through vmap %d", i);
	memset(v + 3 * PAGE_SIZE + 2000, 0xab, 100);
	vunmap(v);
	for (i = 0; i < 4; i++) {
		char want[64];

		snprintf(want, sizeof(want), "written through vmap %d", i);
		assert_string_equal((char *)page_address(pages[i]), want);
	}
	{
		const unsigned char *b = (const unsigned char *)page_address(pages[3]) + 2000;

		for (i = 0; i < 100; i++)
			assert_int_equal(b[i], 0xab);
		assert_int_equal(b[100], 0xff & (tu_pattern_word(103, page_to_pfn(pages[3]), 262) >> 32));
	}
	assert_int_equal(vstats().nr_areas, 0);
	for (i = 0; i < 4; i++)
		__free_page(pages[i]);
	assert_null(vmap(NULL, 1, VM_MAP, PAGE_KERNEL));
	assert_null(vmap(pages, 0, VM_MAP, PAGE_KERNEL));
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
}

/* vmap of frames not contiguous in pfn, out of order, one run of two. */
CHILD_TEST(test_vmap_scattered, "mem=2G " NO_REPORTING, 30)
{
	static const int pick[] = { 6, 1, 4, 2, 3, 7 };	/* runs: 6 | 1 | 4 | 2 3 | 7 */
	struct page *block, *pages[ARRAY_SIZE(pick)];
	char *v;
	unsigned int i;

	block = alloc_pages(GFP_KERNEL, 3);
	assert_non_null(block);
	split_page(block, 3);
	for (i = 0; i < 8; i++)
		tu_fill(page_address(block + i), 1, 55, true);
	for (i = 0; i < ARRAY_SIZE(pick); i++)
		pages[i] = block + pick[i];
	v = vmap(pages, ARRAY_SIZE(pick), VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	assert_int_equal(pfn_runs(v, ARRAY_SIZE(pick)), 5);
	for (i = 0; i < ARRAY_SIZE(pick); i++) {
		unsigned long pfn = page_to_pfn(pages[i]), j;
		uint64_t *w = (uint64_t *)(v + i * PAGE_SIZE);

		assert_int_equal(vmalloc_to_pfn(v + i * PAGE_SIZE), pfn);
		for (j = 0; j < WORDS_PER_PAGE; j++)
			if (w[j] != tu_pattern_word(55, pfn, j))
				fail_msg("vmapped page %u (pfn %#lx) word %lu reads wrong", i, pfn, j);
		/* rewrite it through v with another tag */
		for (j = 0; j < WORDS_PER_PAGE; j++)
			w[j] = tu_pattern_word(56, pfn, j);
	}
	/* One range: a write across every page boundary. */
	for (i = 1; i < ARRAY_SIZE(pick); i++)
		memcpy(v + i * PAGE_SIZE - 4, "ABCDEFGH", 8);
	vunmap(v);
	for (i = 0; i < ARRAY_SIZE(pick); i++) {
		unsigned char *a = page_address(pages[i]);
		unsigned long pfn = page_to_pfn(pages[i]), j;
		const uint64_t *w = (const uint64_t *)a;

		for (j = 1; j < WORDS_PER_PAGE - 1; j++)
			if (w[j] != tu_pattern_word(56, pfn, j))
				fail_msg("page %u (pfn %#lx) word %lu lost a write through vmap", i, pfn, j);
		if (i > 0)
			assert_memory_equal(a, "EFGH", 4);
		if (i + 1 < ARRAY_SIZE(pick))
			assert_memory_equal(a + PAGE_SIZE - 4, "ABCD", 4);
	}
	/* Pages 0 and 5 were not vmapped: untouched. */
	assert_null(tu_check_fill(page_address(block + 0), 1, 55, true));
	assert_null(tu_check_fill(page_address(block + 5), 1, 55, true));
	for (i = 0; i < 8; i++)
		__free_page(block + i);
}

/* vmap of HIGHMEM frames: what kmap wrote is there, and the reverse. */
CHILD_TEST(test_vmap_highmem, "mem=2G " NO_REPORTING, 30)
{
	struct page *pages[3];
	char *v, *k;
	int i;

	for (i = 0; i < 3; i++) {
		pages[i] = alloc_page(GFP_HIGHUSER);
		assert_non_null(pages[i]);
		assert_int_equal(page_zonenum(pages[i]), ZONE_HIGHMEM);
		k = kmap(pages[i]);
		snprintf(k, 64, "high %d", i);
		kunmap(pages[i]);
	}
	v = vmap(pages, 3, VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	for (i = 0; i < 3; i++) {
		char want[64];

		snprintf(want, sizeof(want), "high %d", i);
		assert_string_equal(v + i * PAGE_SIZE, want);
		assert_ptr_equal(vmalloc_to_page(v + i * PAGE_SIZE), pages[i]);
		snprintf(v + i * PAGE_SIZE, 64, "via vmap %d", i);
	}
	vunmap(v);
	for (i = 0; i < 3; i++) {
		char want[64];

		snprintf(want, sizeof(want), "via vmap %d", i);
		k = kmap(pages[i]);
		assert_string_equal(k, want);
		kunmap(pages[i]);
		__free_page(pages[i]);
	}
}

/* ------------------------------------------------------------ kmap -- */

CHILD_TEST(test_kmap, "mem=2G " NO_REPORTING, 30)
{
	enum { N = 100 };
	struct page *hp, *lp, *many[N];
	char *a, *b, *l;
	int i;

	hp = alloc_page(GFP_HIGHUSER);
	assert_non_null(hp);
	assert_int_equal(page_zonenum(hp), ZONE_HIGHMEM);
	assert_true(PageHighMem(hp));
	assert_null(page_address(hp));		/* i386: no permanent mapping */

	a = kmap(hp);
	assert_non_null(a);
	assert_int_equal((unsigned long)a & (PAGE_SIZE - 1), 0);
	assert_ptr_equal(page_address(hp), a);
	strcpy(a, "through kmap");
	memset(a + PAGE_SIZE - 16, 0x77, 16);
	kunmap(hp);
	assert_ptr_equal(page_address(hp), a);	/* kept until a flush */
	kmap_flush_unused();
	assert_null(page_address(hp));
	b = kmap(hp);
	assert_string_equal(b, "through kmap");
	assert_int_equal((unsigned char)b[PAGE_SIZE - 1], 0x77);

	/* Nested: the same address, mapped until the last kunmap and after. */
	a = kmap(hp);
	assert_ptr_equal(a, b);
	kunmap(hp);
	assert_ptr_equal(page_address(hp), b);
	assert_string_equal(b, "through kmap");
	strcpy(b + 100, "still mapped");
	kunmap(hp);
	kmap_flush_unused();
	assert_null(page_address(hp));
	a = kmap(hp);
	assert_string_equal(a + 100, "still mapped");
	kunmap(hp);
	kmap_flush_unused();

	/* kmap_local_page / kunmap_local, with an address inside the page. */
	a = kmap_local_page(hp);
	assert_non_null(a);
	assert_null(page_address(hp));		/* a local mapping is no page address */
	strcpy(a + 200, "local");
	kunmap_local(a + 300);
	assert_null(page_address(hp));
	a = kmap_local_page(hp);
	assert_string_equal(a + 200, "local");
	assert_string_equal(a, "through kmap");
	kunmap_local(a);

	/* Lowmem: kmap is page_address, kunmap nothing. */
	lp = alloc_page(GFP_KERNEL);
	assert_non_null(lp);
	assert_false(PageHighMem(lp));
	l = kmap(lp);
	assert_ptr_equal(l, page_address(lp));
	strcpy(l, "low");
	kunmap(lp);
	assert_string_equal((char *)page_address(lp), "low");
	assert_ptr_equal(kmap_local_page(lp), page_address(lp));
	kunmap_local(page_address(lp));
	assert_string_equal((char *)page_address(lp), "low");

	/* Many at once: distinct addresses; each page keeps its own bytes. */
	for (i = 0; i < N; i++) {
		many[i] = alloc_page(GFP_HIGHUSER);
		assert_non_null(many[i]);
		assert_true(PageHighMem(many[i]));
		a = kmap(many[i]);
		snprintf(a, 32, "many %d", i);
		a[PAGE_SIZE - 1] = (char)i;
	}
	for (i = 0; i < N; i++) {
		int j;

		for (j = 0; j < i; j++)
			assert_ptr_not_equal(page_address(many[i]), page_address(many[j]));
	}
	for (i = 0; i < N; i++)
		kunmap(many[i]);
	for (i = N - 1; i >= 0; i--) {
		char want[32];

		a = kmap(many[i]);
		snprintf(want, sizeof(want), "many %d", i);
		assert_string_equal(a, want);
		assert_int_equal(a[PAGE_SIZE - 1], (char)i);
		kunmap(many[i]);
		__free_page(many[i]);
	}
	__free_page(hp);
	__free_page(lp);
}

/* ---------------------------------------------------------- kvmalloc -- */

/*
 * What promises zero is zero even when the frames held data: a machine
 * without HIGHMEM whose NORMAL frames were written and freed without being
 * reported (with phys=memfd a frame's old bytes are what a new mapping of
 * it shows, unless they are cleared).
 */
CHILD_TEST(test_zeroed_over_dirty_frames, "mem=256M " NO_REPORTING, 30)
{
	static const size_t sizes[] = { SZ_2M + 12345, SZ_8M, SZ_16M + 1 };
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (k = 0; k < 4; k++) {
			size_t size = sizes[i];
			unsigned char *dirty[48], *p = NULL;
			unsigned int d;

			/* Dirty most of NORMAL with blocks freed back unreported. */
			for (d = 0; d < ARRAY_SIZE(dirty); d++) {
				dirty[d] = alloc_pages_exact(SZ_4M, GFP_KERNEL | __GFP_NOWARN);
				if (dirty[d])
					memset(dirty[d], 0xa5, SZ_4M);
			}
			assert_non_null(dirty[ARRAY_SIZE(dirty) - 1]);
			for (d = 0; d < ARRAY_SIZE(dirty); d++)
				if (dirty[d])
					free_pages_exact(dirty[d], SZ_4M);
			switch (k) {
			case 0: p = vzalloc(size); break;
			case 1: p = kvzalloc(size, GFP_KERNEL); break;
			case 2: p = kvcalloc(size / 8, 8, GFP_KERNEL); size = size / 8 * 8; break;
			case 3: p = kalloc_calloc(1, size, 0); break;
			}
			assert_non_null(p);
			if (!tu_is_zero(p, size))
				fail_msg("kind %u, %zu bytes: not zero over frames that held data", k, size);
			if (k == 3)
				kalloc_free(p);
			else
				kvfree(p);
		}
	}
}

/*
 * malloc's area cache (lib/util.c): an area malloc freed stays mapped for
 * the next request of its size down to half of it (trimmed in place, the
 * same address, no page faults); a request more than twice smaller trims
 * it (to whole 2 MiB: malloc's areas are huge vmalloc areas); the cache
 * holds a quarter of the live areas (here a 160 MiB area never written
 * keeps 40 MiB of room), and a bigger area goes back at once; malloc_trim() empties the cache, and an area
 * waits no longer than page_reporting_delay.
 */
CHILD_TEST(test_malloc_area_cache, "mem=2G page_reporting_delay=300", 30)
{
	unsigned char *p, *q, *big, *hold;
	unsigned long areas0;
	long flt;

	kalloc_free(kalloc_malloc(SZ_8M));
	kalloc_trim();
	vmalloc_purge();
	hold = kalloc_malloc(160UL << 20);
	assert_non_null(hold);
	areas0 = vstats().nr_areas;

	p = kalloc_malloc(SZ_16M + SZ_4M);
	assert_non_null(p);
	memset(p, 0x33, SZ_16M + SZ_4M);
	kalloc_free(p);
	assert_int_equal(vstats().nr_areas, areas0 + 1);		/* kept mapped */
	flt = minor_faults();
	q = kalloc_malloc(SZ_16M);				/* 16 of 20 MiB: kept whole */
	assert_ptr_equal(q, p);
	memset(q, 0x44, SZ_16M);
	if (minor_faults() - flt > 64)
		fail_msg("%ld page faults writing a reused 16 MiB area", minor_faults() - flt);
	assert_int_equal(vmalloc_size(q), SZ_16M + SZ_4M);
	kalloc_free(q);

	/* calloc over a cached area is zero. */
	q = kalloc_calloc(1, SZ_8M + SZ_4M, 0);
	assert_ptr_equal(q, p);
	assert_true(tu_is_zero(q, SZ_8M + SZ_4M));
	kalloc_free(q);

	/* More than twice the request: the area is trimmed to it, in whole PMDs. */
	q = kalloc_malloc(SZ_4M + SZ_1M);
	assert_ptr_equal(q, p);
	assert_int_equal(vmalloc_size(q), SZ_4M + SZ_2M);
	kalloc_free(q);

	/* Bigger than the cached area: it grows; its old pages are not faulted again. */
	flt = minor_faults();
	q = kalloc_malloc(SZ_8M);
	assert_ptr_equal(q, p);		/* grown in place: the range after it is free */
	memset(q, 0x55, SZ_8M);
	if (minor_faults() - flt > (long)((SZ_8M - SZ_4M - SZ_2M) / PAGE_SIZE) + 64)
		fail_msg("%ld page faults writing an 8 MiB area grown from 6 MiB",
			 minor_faults() - flt);
	kalloc_free(q);

	/* malloc_trim() empties the cache. */
	kalloc_trim();
	vmalloc_purge();
	assert_int_equal(vstats().nr_areas, areas0);

	/* An area of any size is kept, within a quarter of what malloc's live areas hold. */
	big = kalloc_malloc(SZ_32M + SZ_4M);
	assert_non_null(big);
	kalloc_free(big);
	assert_int_equal(vstats().nr_areas, areas0 + 1);
	kalloc_trim();
	big = kalloc_malloc(SZ_64M + SZ_64M);
	kalloc_free(big);
	vmalloc_purge();
	assert_int_equal(vstats().nr_areas, areas0);	/* 128 MiB > 160 MiB / 4 */
	/* Nothing live: no room, a freed area goes at once (no floor). */
	kalloc_free(hold);
	vmalloc_purge();
	assert_int_equal(vstats().nr_areas, areas0 - 1);
	hold = kalloc_malloc(160UL << 20);
	assert_non_null(hold);

	/* An area waits page_reporting_delay at most: the decay tick lets it go. */
	p = kalloc_malloc(SZ_16M);
	q = kalloc_malloc(SZ_8M + SZ_4M);
	kalloc_free(p);
	assert_int_equal(vstats().nr_areas, areas0 + 2);
	usleep(400 * 1000);
	kalloc_free(q);					/* p expired; q is kept */
	assert_int_equal(vstats().nr_areas, areas0 + 1);
	kalloc_free(hold);
	kalloc_trim();
}

/* malloc set up (its first area made and freed), its area cache empty: the areas there are. */
static unsigned long areas_with_an_empty_area_cache(void)
{
	kalloc_free(kalloc_malloc(SZ_4M));
	kalloc_trim();
	vmalloc_purge();
	return vstats().nr_areas;
}

/*
 * One big buffer allocated, written and freed in a loop, with no other
 * area live: the first free finds no room in the cache (a quarter of
 * nothing), but the buffer wanted again at once raises the cache's cap to
 * its size, so that from then on it is kept and not faulted in again each
 * time (as glibc raises its mmap threshold).  The raised cap lasts while
 * it is used: after page_reporting_delay without such a reuse, a freed
 * buffer goes at once again.
 */
CHILD_TEST(test_malloc_area_reuse_loop, "mem=2G page_reporting_delay=300", 30)
{
	unsigned long areas0;
	long flt = 0;
	unsigned int i;

	areas0 = areas_with_an_empty_area_cache();
	for (i = 0; i < 10; i++) {
		unsigned char *p = kalloc_malloc(SZ_8M);

		assert_non_null(p);
		if (i == 2)
			flt = minor_faults();
		memset(p, (int)i, SZ_8M);
		if (i == 2 && minor_faults() - flt > 2)	/* a fresh area: 4 (huge pages) or 2048 */
			fail_msg("%ld page faults writing an 8 MiB buffer freed and taken again",
				 minor_faults() - flt);
		kalloc_free(p);
	}
	assert_int_equal(vstats().nr_areas, areas0 + 1);	/* kept for the next round */
	usleep(400 * 1000);
	area_cache_decay();			/* the decay tick lets it go */
	vmalloc_purge();
	assert_int_equal(vstats().nr_areas, areas0);
	kalloc_free(kalloc_malloc(SZ_8M));	/* and the cap has fallen: not kept */
	vmalloc_purge();
	assert_int_equal(vstats().nr_areas, areas0);
}

/*
 * Two buffers of a size in a loop (a buffer and its copy, largebuf's
 * pattern): each reuse raises the cap by the size wanted again, up to two
 * areas of it, so that from the third round neither is faulted in again.
 * With the cap raised to one area, the second buffer was a fresh area in
 * every round.
 */
CHILD_TEST(test_malloc_area_reuse_pair, "mem=2G page_reporting_delay=1000", 30)
{
	unsigned long areas0;
	unsigned int i;

	areas0 = areas_with_an_empty_area_cache();
	for (i = 0; i < 6; i++) {
		unsigned char *p = kalloc_malloc(SZ_8M), *q = kalloc_malloc(SZ_8M);
		long flt = minor_faults();

		assert_non_null(p);
		assert_non_null(q);
		memset(p, (int)i, SZ_8M);
		memcpy(q, p, SZ_8M);
		if (i >= 3 && minor_faults() - flt > 2)	/* a fresh area: 4 (huge pages) or 2048 */
			fail_msg("round %u: %ld page faults writing two 8 MiB buffers freed and taken again",
				 i, minor_faults() - flt);
		kalloc_free(q);
		kalloc_free(p);
	}
	assert_int_equal(vstats().nr_areas, areas0 + 2);	/* both kept for the next round */
	kalloc_trim();
}

/*
 * The host mapping that holds @addr is advised MADV_HUGEPAGE: "hg" in its
 * VmFlags line of /proc/self/smaps.
 */
static bool mapping_advised_huge(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long a = (unsigned long)addr, s, e;
	bool in = false, hg = false;
	char line[512];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = s <= a && a < e;
		else if (in && !strncmp(line, "VmFlags:", 8))
			hg = strstr(line, " hg") != NULL;
	}
	fclose(f);
	return hg;
}

/* Transparent huge pages exist on this host (MADV_HUGEPAGE is accepted). */
static bool host_has_thp(void)
{
	return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

static void check_huge_area(const void *p, unsigned long size, bool huge)
{
	assert_non_null(p);
	assert_int_equal(vmalloc_size(p), huge ? ALIGN(size, SZ_2M) : ALIGN(size, PAGE_SIZE));
	if (huge)
		assert_int_equal((unsigned long)p & (SZ_2M - 1), 0);
	if (host_has_thp() && !phys_is_memfd())
		assert_int_equal(mapping_advised_huge(p), huge);
}

/*
 * Huge vmalloc (vmalloc_huge(), malloc's own areas): an area of at least
 * PMD_SIZE (2 MiB) is aligned to it and rounded up to whole PMDs, and its
 * host mapping (phys=anon) is advised MADV_HUGEPAGE, so that the host
 * backs it with huge pages: one fault per 2 MiB.  vrealloc() keeps both,
 * growing in place or moving; vmalloc() does neither, nor does a huge
 * area smaller than PMD_SIZE, nor anything under nohugevmalloc.
 */
static void huge_vmalloc_cases(bool huge)
{
	unsigned char *p, *q;

	p = vmalloc_huge(SZ_2M + 12345, GFP_KERNEL);
	check_huge_area(p, SZ_2M + 12345, huge);
	q = vrealloc(p, SZ_8M + 1, GFP_KERNEL);		/* grows, in place or moved */
	check_huge_area(q, SZ_8M + 1, huge);
	q = vrealloc(q, SZ_4M + 1, GFP_KERNEL);		/* shrinks in place */
	check_huge_area(q, SZ_4M + 1, huge);
	vfree(q);

	p = vmalloc(SZ_2M + 12345);			/* no VM_ALLOW_HUGE_VMAP */
	check_huge_area(p, SZ_2M + 12345, false);
	vfree(p);
	p = vmalloc_huge(SZ_1M, GFP_KERNEL);		/* below PMD_SIZE */
	check_huge_area(p, SZ_1M, false);
	vfree(p);

	/* malloc's areas: malloc_usable_size() tells the rounded size. */
	p = kalloc_malloc(SZ_16M + 1);
	check_huge_area(p, SZ_16M + 1, huge);
	assert_int_equal(kalloc_usable_size(p), vmalloc_size(p));
	memset(p, 0x5a, SZ_16M + 1);
	kalloc_free(p);
	kalloc_trim();
}

CHILD_TEST(test_vmalloc_huge, "mem=2G " NO_REPORTING, 30)
{
	huge_vmalloc_cases(true);
}

CHILD_TEST(test_vmalloc_nohuge, "mem=2G nohugevmalloc " NO_REPORTING, 30)
{
	huge_vmalloc_cases(false);
}

/*
 * Double and invalid frees of malloc's large allocations abort with a
 * report: a freed area waits in malloc's area cache as a live vmalloc area,
 * and a second free() (at once, or once the decay has let it go), a
 * realloc() of it, or an interior pointer must not reach the cache or be
 * handed out twice.
 */
enum bad_large_free {
	AREA_FREE_TWICE, AREA_FREE_TWICE_LATER, AREA_REALLOC_FREED, AREA_INTERIOR,
	AREA_FREE_TWICE_UNCACHED, BLOCK_FREE_TWICE, BLOCK_REALLOC_FREED,
};

static void bad_large_free(void *arg)
{
	enum bad_large_free k = (enum bad_large_free)(uintptr_t)arg;
	unsigned char *p, *q;

	/* live areas, so that the cache has room (a quarter of them) */
	assert_non_null(kalloc_malloc(SZ_64M));
	p = kalloc_malloc(k >= BLOCK_FREE_TWICE ? 80 * 1024 : SZ_8M);
	assert_non_null(p);
	memset(p, 1, 4096);
	switch (k) {
	case AREA_FREE_TWICE:
	case BLOCK_FREE_TWICE:
		kalloc_free(p);
		kalloc_free(p);
		break;
	case AREA_FREE_TWICE_LATER:
		q = kalloc_malloc(SZ_8M);
		kalloc_free(p);
		usleep(300 * 1000);	/* past page_reporting_delay */
		kalloc_free(q);		/* p leaves the cache, q enters it */
		kalloc_free(p);
		break;
	case AREA_FREE_TWICE_UNCACHED:
		kalloc_free(p);
		kalloc_trim();		/* the cache lets p go */
		kalloc_free(p);
		break;
	case AREA_REALLOC_FREED:
	case BLOCK_REALLOC_FREED:
		kalloc_free(p);
		q = kalloc_realloc(p, SZ_16M, 0);
		print_message("realloc of a freed block gave %p\n", (void *)q);
		break;
	case AREA_INTERIOR:
		kalloc_free(p + SZ_1M);
		break;
	}
	print_message("not caught\n");
	exit(0);
}

static void test_bad_large_free(void **state)
{
	static const struct { enum bad_large_free k; const char *words; } cases[] = {
		{ AREA_FREE_TWICE, "free(): double free of" },
		{ AREA_FREE_TWICE_LATER, "not the start of a live vmalloc area" },
		{ AREA_FREE_TWICE_UNCACHED, "not the start of a live vmalloc area" },
		{ AREA_REALLOC_FREED, "realloc(): use after free of" },
		{ AREA_INTERIOR, "free(): invalid pointer" },
		{ BLOCK_FREE_TWICE, "is not the first page of a live page block" },
		{ BLOCK_REALLOC_FREED, "realloc(): invalid pointer" },
	};
	static struct tu_child res;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		tu_run_child(bad_large_free, (void *)(uintptr_t)cases[i].k,
			     "mem=2G page_reporting_delay=200", 30, &res);
		tu_assert_child_aborted(&res, cases[i].words);
	}
}

CHILD_TEST(test_kvmalloc, "mem=2G " NO_REPORTING, 30)
{
	static const size_t kmalloc_sizes[] = { 1, 100, 4096, 8192, 8193, 65536, 1UL << 20, SZ_4M };
	unsigned long start;
	unsigned char *p, *q;
	unsigned int i;
	size_t j;

	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();

	/* Up to what kmalloc serves (KMALLOC_MAX_SIZE): kmalloc memory. */
	for (i = 0; i < ARRAY_SIZE(kmalloc_sizes); i++) {
		size_t s = kmalloc_sizes[i];

		p = kvmalloc(s, GFP_KERNEL);
		assert_non_null(p);
		if (is_vmalloc_addr(p))
			fail_msg("kvmalloc(%zu) gave vmalloc memory", s);
		assert_true(virt_addr_valid(p));
		memset(p, 0x11, s);
		kvfree(p);
		p = kvzalloc(s, GFP_KERNEL);
		assert_non_null(p);
		assert_false(is_vmalloc_addr(p));
		if (!tu_is_zero(p, s & ~7UL) || (s < 8 && p[0]))
			fail_msg("kvzalloc(%zu) is not zeroed", s);
		kvfree(p);
	}
	/* Beyond: vmalloc. */
	p = kvmalloc(SZ_4M + 1, GFP_KERNEL);
	assert_non_null(p);
	assert_true(is_vmalloc_addr(p));
	kvfree(p);
	p = kvmalloc(SZ_16M, GFP_KERNEL);
	assert_non_null(p);
	assert_true(is_vmalloc_addr(p));
	assert_int_equal(vstats().nr_areas, 1);
	memset(p, 0x22, SZ_16M);
	kvfree(p);
	assert_int_equal(vstats().nr_areas, 0);
	p = kvzalloc(SZ_16M, GFP_KERNEL);
	assert_non_null(p);
	assert_true(is_vmalloc_addr(p));
	assert_true(tu_is_zero(p, SZ_16M));
	kvfree(p);
	p = kvcalloc(1024, 16 * 1024, GFP_KERNEL);	/* 16 MiB */
	assert_non_null(p);
	assert_true(is_vmalloc_addr(p));
	assert_true(tu_is_zero(p, SZ_16M));
	kvfree(p);
	errno = 0;
	assert_null(kvcalloc(SIZE_MAX / 2, 3, GFP_KERNEL));
	assert_int_equal(errno, ENOMEM);
	kvfree(NULL);

	/* kvrealloc: kmalloc -> bigger kmalloc -> vmalloc -> bigger vmalloc. */
	p = kvrealloc(NULL, 100, GFP_KERNEL);
	assert_non_null(p);
	for (j = 0; j < 100; j++)
		p[j] = (unsigned char)j;
	q = kvrealloc(p, 5000, GFP_KERNEL);
	assert_non_null(q);
	assert_false(is_vmalloc_addr(q));
	for (j = 0; j < 100; j++)
		assert_int_equal(q[j], (unsigned char)j);
	memset(q + 100, 0x33, 4900);
	p = kvrealloc(q, SZ_16M, GFP_KERNEL);
	assert_non_null(p);
	assert_true(is_vmalloc_addr(p));
	for (j = 0; j < 100; j++)
		assert_int_equal(p[j], (unsigned char)j);
	for (j = 100; j < 5000; j++)
		assert_int_equal(p[j], 0x33);
	p[SZ_16M - 1] = 0x44;
	q = kvrealloc(p, SZ_32M, GFP_KERNEL);
	assert_non_null(q);
	assert_true(is_vmalloc_addr(q));
	for (j = 0; j < 100; j++)
		assert_int_equal(q[j], (unsigned char)j);
	assert_int_equal(q[SZ_16M - 1], 0x44);
	assert_true(tu_is_zero(q + SZ_16M, SZ_16M));
	kvfree(q);
	assert_int_equal(vstats().nr_areas, 0);
	tu_shrink_all();
	assert_int_equal(pages_in_use(), start);
}

/* ------------------------------------------------------------ fork -- */

static void must_read(int fd)
{
	char c;

	assert_int_equal(read(fd, &c, 1), 1);
}

static void must_write(int fd)
{
	assert_int_equal(write(fd, "x", 1), 1);
}

/* fork() with a pipe each way for the two to take turns. */
static pid_t fork_with_pipes(int to_child[2], int to_parent[2])
{
	pid_t pid;

	assert_int_equal(pipe(to_child), 0);
	assert_int_equal(pipe(to_parent), 0);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	return pid;
}

static void wait_child_ok(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("the fork()ed child failed (status %#x)", status);
}

static bool all_bytes(const unsigned char *p, size_t len, unsigned char val)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != val)
			return false;
	return true;
}

/*
 * Parent and child write different bytes into the same area (allocated
 * before fork()) and each reads its own; the child's vfree, vmalloc and
 * vrealloc leave the parent alone.
 */
CHILD_TEST(test_fork_private_areas, "mem=2G " NO_REPORTING, 30)
{
	size_t size = SZ_16M;
	int to_child[2], to_parent[2];
	unsigned char *p, *other;
	pid_t pid;

	p = vmalloc(size);
	other = vmalloc(SZ_4M);
	assert_non_null(p);
	assert_non_null(other);
	memset(p, 'A', size);
	memset(other, 'O', SZ_4M);
	pid = fork_with_pipes(to_child, to_parent);
	if (pid == 0) {
		unsigned char *q;

		memset(p, 'C', size);
		must_write(to_parent[1]);
		must_read(to_child[0]);		/* the parent has written too */
		if (!all_bytes(p, size, 'C'))
			fail_msg("the child sees the parent's writes");
		assert_true(all_bytes(other, SZ_4M, 'O'));
		vfree(p);
		q = vmalloc(size);
		assert_non_null(q);
		assert_true(tu_is_zero(q, size));
		memset(q, 'D', size);
		vfree(q);
		q = vrealloc(other, SZ_8M, GFP_KERNEL);
		assert_non_null(q);
		assert_true(all_bytes(q, SZ_4M, 'O'));
		memset(q, 'E', SZ_8M);
		vfree(q);
		_exit(0);
	}
	must_read(to_parent[0]);		/* the child has written */
	memset(p, 'P', size);
	must_write(to_child[1]);
	if (!all_bytes(p, size, 'P'))
		fail_msg("the parent sees the child's writes");
	wait_child_ok(pid);
	assert_true(all_bytes(p, size, 'P'));
	assert_true(all_bytes(other, SZ_4M, 'O'));
	assert_int_equal(vmalloc_size(other), SZ_4M);
	assert_int_equal(vstats().nr_areas, 2);
	vfree(p);
	vfree(other);
}

/*
 * In a fork()ed child, an area inherited from the parent grows in place
 * and then has to move: the child's host mapping of the area carries the
 * parent's anon_vma, so the piece mapped in place does not merge with it
 * (mremap() then refuses to resize across both); the growth must still
 * work.
 */
CHILD_TEST(test_fork_child_vrealloc, "mem=2G " NO_REPORTING, 30)
{
	int status;
	char *p;
	pid_t pid;

	p = vmalloc(SZ_8M);
	assert_non_null(p);
	stamp_pages(p, 0, SZ_8M >> PAGE_SHIFT, 12);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *q, *b;

		q = vrealloc(p, SZ_16M, GFP_KERNEL);	/* in place: nothing after p */
		assert_ptr_equal(q, p);
		stamp_pages(q, SZ_8M >> PAGE_SHIFT, SZ_16M >> PAGE_SHIFT, 12);
		b = vmalloc(PAGE_SIZE);			/* right after it */
		assert_ptr_equal(b, q + SZ_16M + PAGE_SIZE);
		errno = 0;
		q = vrealloc(q, SZ_64M, GFP_KERNEL);	/* must move */
		if (!q)
			fail_msg("in a fork()ed child, vrealloc(16 MiB -> 64 MiB) of an area grown in place failed (errno %d); the area spans %lu host mappings",
				 errno, maps_in_range(b - SZ_16M - PAGE_SIZE, SZ_16M));
		assert_stamps(q, 0, SZ_16M >> PAGE_SHIFT, 12);
		vfree(q);
		vfree(b);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_stamps(p, 0, SZ_8M >> PAGE_SHIFT, 12);
	vfree(p);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("the fork()ed child failed (status %#x)", status);
}

/* -------------------------------------------------- randomized model -- */

#define MODEL_SLOTS	12
#define MODEL_OPS	20000
#define MODEL_MAX_PAGES	((64UL << 20) >> PAGE_SHIFT)

struct model_area {
	char *p;
	unsigned long nr;	/* pages */
	uint64_t tag;
};

/* The pages of an area the model stamps: the first, the last, and up to 14 between. */
static unsigned long model_stride(unsigned long nr)
{
	return nr > 16 ? nr / 15 : 1;
}

static void model_stamp(struct model_area *a, unsigned long from)
{
	unsigned long i, st = model_stride(a->nr);

	for (i = from - from % st; i < a->nr; i += st)
		if (i >= from)
			stamp_pages(a->p, i, i + 1, a->tag);
	if (a->nr - 1 >= from)
		stamp_pages(a->p, a->nr - 1, a->nr, a->tag);
}

/* Check the stamps of pages [0, upto) of area @a stamped while it had @nr pages. */
static void model_check(const struct model_area *a, unsigned long nr, unsigned long upto, int op)
{
	unsigned long i, st = model_stride(nr);

	for (i = 0; i < upto; i += st)
		if (check_stamps(a->p, i, i + 1, a->tag) >= 0)
			fail_msg("op %d: area %p (%lu pages) page %lu lost its content", op, a->p, a->nr, i);
	if (nr - 1 < upto && check_stamps(a->p, nr - 1, nr, a->tag) >= 0)
		fail_msg("op %d: area %p last page %lu lost its content", op, a->p, nr - 1);
}

static unsigned long model_size(struct tu_rng *rng)
{
	/* log-uniform in pages 1 .. 16384 (4 KiB .. 64 MiB), minus a few bytes at times */
	unsigned long bits = tu_rand_below(rng, 15);
	unsigned long nr = (1UL << bits) + tu_rand_below(rng, 1UL << bits);
	unsigned long size;

	if (nr > MODEL_MAX_PAGES)
		nr = MODEL_MAX_PAGES;
	size = nr * PAGE_SIZE;
	if (tu_rand_below(rng, 4) == 0)
		size -= tu_rand_below(rng, PAGE_SIZE - 1);
	return size;
}

static void model_check_report(const struct model_area *areas, int op)
{
	static struct vi_row rows[MODEL_SLOTS + 8];
	unsigned long live = 0, pages = 0;
	struct vmalloc_stats v = vstats();
	int n, i;

	n = vmallocinfo_parse(vmallocinfo_capture(), rows, MODEL_SLOTS + 8);
	for (i = 0; i < MODEL_SLOTS; i++) {
		const struct vi_row *r;

		if (!areas[i].p)
			continue;
		live++;
		pages += areas[i].nr;
		r = find_row(rows, n, areas[i].p);
		if (!r || r->size != (areas[i].nr + 1) * PAGE_SIZE || r->pages != (long)areas[i].nr)
			fail_msg("op %d: vmallocinfo does not show area %p of %lu pages right", op,
				 areas[i].p, areas[i].nr);
	}
	assert_int_equal(n, live);
	assert_int_equal(v.nr_areas, live);
	assert_int_equal(v.nr_pages, pages);
}

CHILD_TEST(test_random_model, "mem=3G vmalloc=2G " NO_REPORTING, 60)
{
	struct model_area areas[MODEL_SLOTS];
	unsigned long start, window;
	struct tu_rng rng;
	char *a, *b;
	int op, i;

	tu_rng_init(&rng, 0x766d616c6cULL);
	memset(areas, 0, sizeof(areas));
	vfree(vmalloc(1));
	window = VMALLOC_END - VMALLOC_START;
	assert_int_equal(window, 2UL << 30);
	tu_shrink_all();
	start = pages_in_use();

	for (op = 0; op < MODEL_OPS; op++) {
		struct model_area *m = &areas[tu_rand_below(&rng, MODEL_SLOTS)];
		unsigned int what = (unsigned int)tu_rand_below(&rng, 100);

		if (!m->p) {
			unsigned long size = model_size(&rng);
			int k = (int)tu_rand_below(&rng, NR_KINDS);

			m->p = valloc_kind((enum vkind)k, size);
			if (!m->p)
				fail_msg("op %d: %s(%lu) failed", op, kind_names[k], size);
			m->nr = pages_of(size);
			m->tag = tu_rand(&rng);
			assert_true(is_vmalloc_addr(m->p));
			assert_int_equal(vmalloc_size(m->p), m->nr * PAGE_SIZE);
			assert_zero_stamps(m->p, 0, 1);
			assert_zero_stamps(m->p, m->nr - 1, m->nr);
			model_stamp(m, 0);
		} else if (what < 40) {
			model_check(m, m->nr, m->nr, op);
			vfree(m->p);
			m->p = NULL;
		} else if (what < 85) {
			unsigned long size = model_size(&rng), nr = pages_of(size), old_nr = m->nr;
			char *q;

			q = vrealloc(m->p, size, GFP_KERNEL);
			if (!q)
				fail_msg("op %d: vrealloc(%p, %lu pages -> %lu) failed (errno %d); the area spans %lu host mappings",
					 op, m->p, old_nr, nr, errno, maps_in_range(m->p, old_nr * PAGE_SIZE));
			m->p = q;
			m->nr = nr;
			assert_int_equal(vmalloc_size(q), nr * PAGE_SIZE);
			model_check(m, old_nr, min(old_nr, nr), op);
			if (nr > old_nr) {
				assert_zero_stamps(q, old_nr, old_nr + 1);
				assert_zero_stamps(q, nr - 1, nr);
			}
			m->tag = tu_rand(&rng);
			model_stamp(m, 0);
		} else {
			model_check(m, m->nr, m->nr, op);
		}
		if (op % 2000 == 1999)
			model_check_report(areas, op);
	}
	model_check_report(areas, op);
	for (i = 0; i < MODEL_SLOTS; i++) {
		if (areas[i].p) {
			model_check(&areas[i], areas[i].nr, areas[i].nr, op);
			vfree(areas[i].p);
		}
	}
	assert_int_equal(vmallocinfo_parse(vmallocinfo_capture(), NULL, 0), 0);
	assert_int_equal(vstats().nr_areas, 0);
	assert_int_equal(vstats().nr_pages, 0);
	tu_shrink_all();
	if (pages_in_use() != start)
		fail_msg("pages in use %lu at the end, %lu at the start (%+ld)", pages_in_use(), start,
			 (long)pages_in_use() - (long)start);
	assert_no_window_hole();
	assert_int_equal(maps_in_range((void *)VMALLOC_START, window), 1);
	tu_check_all_buddies();

	/* The window is one free range again: two halves fill it exactly. */
	a = vmalloc(window / 2);
	b = vmalloc(window / 2 - 2 * PAGE_SIZE);
	assert_ptr_equal(a, (void *)VMALLOC_START);
	assert_ptr_equal(b, (void *)(VMALLOC_START + window / 2 + PAGE_SIZE));
	assert_null(__vmalloc(PAGE_SIZE, GFP_KERNEL | __GFP_NOWARN));
	vfree(a);
	vfree(b);
}

/* ---------------------------------------------------- phys=memfd -- */

/*
 * phys=memfd: a frame is seen at every address that maps it.  Bytes
 * written through a vmalloc area are read back through kmap() of each of
 * its frames (HIGHMEM) or their linear address (lowmem), and the reverse;
 * vmap() of frames already in an area or kmap()ed aliases them again.
 */
CHILD_TEST(test_memfd_aliases, "mem=2G phys=memfd " NO_REPORTING, 30)
{
	enum { NR = 300 };
	struct page *pages[4];
	unsigned char *p, *v, *k;
	unsigned long i;

	p = vmalloc(NR * PAGE_SIZE);
	assert_non_null(p);
	assert_true(phys_is_memfd());
	for (i = 0; i < NR; i++) {
		struct page *page = vmalloc_to_page(p + i * PAGE_SIZE);

		assert_true(PageHighMem(page));
		p[i * PAGE_SIZE + (i % 4000)] = (unsigned char)(i + 1);
		k = kmap(page);
		assert_ptr_not_equal(k, p + i * PAGE_SIZE);
		if (k[i % 4000] != (unsigned char)(i + 1))
			fail_msg("page %lu: kmap() shows %#x, the area wrote %#x", i, k[i % 4000],
				 (unsigned)(unsigned char)(i + 1));
		k[PAGE_SIZE - 1] = (unsigned char)(i ^ 0x5a);
		kunmap(page);
		assert_int_equal(p[i * PAGE_SIZE + PAGE_SIZE - 1], (unsigned char)(i ^ 0x5a));
	}


	/* vmap() of frames that are in an area, and kmap()ed at the same time. */
	for (i = 0; i < 4; i++)
		pages[i] = vmalloc_to_page(p + (3 - i) * PAGE_SIZE);	/* reversed */
	k = kmap(pages[0]);
	v = vmap(pages, 4, VM_MAP, PAGE_KERNEL);
	assert_non_null(v);
	for (i = 0; i < 4; i++)
		assert_int_equal(v[i * PAGE_SIZE + PAGE_SIZE - 1], (unsigned char)((3 - i) ^ 0x5a));
	strcpy((char *)v + 8, "through vmap");
	assert_string_equal((char *)k + 8, "through vmap");
	assert_string_equal((char *)p + 3 * PAGE_SIZE + 8, "through vmap");
	vunmap(v);
	kunmap(pages[0]);
	assert_string_equal((char *)p + 3 * PAGE_SIZE + 8, "through vmap");	/* nothing moved */
	vfree(p);
	tu_shrink_all();
}

/* phys=memfd without HIGHMEM: an area's frames are at their linear address too. */
CHILD_TEST(test_memfd_lowmem_aliases, "mem=512M phys=memfd " NO_REPORTING, 30)
{
	enum { NR = 300 };
	unsigned char *low;
	unsigned long i;

	low = vmalloc(NR * PAGE_SIZE);
	assert_non_null(low);
	for (i = 0; i < NR; i++) {
		struct page *page = vmalloc_to_page(low + i * PAGE_SIZE);
		unsigned char *lin = page_address(page);

		assert_false(PageHighMem(page));
		assert_ptr_equal(kmap(page), lin);
		low[i * PAGE_SIZE] = (unsigned char)i;
		assert_int_equal(lin[0], (unsigned char)i);
		lin[1] = (unsigned char)~i;
		assert_int_equal(low[i * PAGE_SIZE + 1], (unsigned char)~i);
		kunmap(page);
	}
	vfree(low);
}

/*
 * phys=memfd fork: the child gets its own copy of every frame, seen at
 * every alias: the vmalloc address, the pkmap slot and the linear map.
 */
CHILD_TEST(test_memfd_fork_aliases, "mem=2G phys=memfd " NO_REPORTING, 30)
{
	int to_child[2], to_parent[2];
	unsigned char *p, *k, *low;
	struct page *page;
	pid_t pid;

	p = vmalloc(SZ_4M);
	low = kmalloc(PAGE_SIZE, GFP_KERNEL);
	assert_non_null(p);
	assert_non_null(low);
	memset(p, 'A', SZ_4M);
	memset(low, 'L', PAGE_SIZE);
	page = vmalloc_to_page(p + SZ_2M);
	k = kmap(page);
	assert_true(all_bytes(k, PAGE_SIZE, 'A'));
	pid = fork_with_pipes(to_child, to_parent);
	if (pid == 0) {
		assert_true(all_bytes(k, PAGE_SIZE, 'A'));
		memset(k, 'k', PAGE_SIZE);			/* through the pkmap slot */
		memset(p, 'C', SZ_1M);				/* through the area */
		memset(low, 'c', PAGE_SIZE);			/* through the linear map */
		must_write(to_parent[1]);
		must_read(to_child[0]);				/* the parent has written */
		assert_true(all_bytes(p + SZ_2M, PAGE_SIZE, 'k'));
		assert_true(all_bytes(p, SZ_1M, 'C'));
		assert_true(all_bytes(p + SZ_1M, SZ_1M, 'A'));
		assert_true(all_bytes(k, PAGE_SIZE, 'k'));
		assert_true(all_bytes(low, PAGE_SIZE, 'c'));
		kunmap(page);
		vfree(p);
		kfree(low);
		_exit(0);
	}
	must_read(to_parent[0]);				/* the child has written */
	assert_true(all_bytes(p, SZ_4M, 'A'));
	assert_true(all_bytes(k, PAGE_SIZE, 'A'));
	assert_true(all_bytes(low, PAGE_SIZE, 'L'));
	memset(p + SZ_1M, 'P', SZ_1M);
	must_write(to_child[1]);
	wait_child_ok(pid);
	assert_true(all_bytes(p, SZ_1M, 'A'));
	assert_true(all_bytes(p + SZ_1M, SZ_1M, 'P'));
	assert_true(all_bytes(k, PAGE_SIZE, 'A'));
	kunmap(page);
	vfree(p);
	kfree(low);
}

/*
 * phys=memfd lazy purge: a vfree()d area waits, mapped, on the purge
 * list ("unpurged vm_area" in vmallocinfo); its range is not handed out
 * again before the purge; purges come once per LAZY_MAX (32 MiB) of
 * freed areas, not once per area; a large area is purged at once and
 * its memory goes back to the host.
 */
CHILD_TEST(test_memfd_lazy_purge, "mem=2G phys=memfd " NO_REPORTING, 30)
{
	struct vmalloc_stats v0;
	unsigned char *a, *b, *big;
	unsigned long rss0, rss1, i;
	const char *text;

	vfree_settled(vmalloc(1));
	v0 = vstats();
	a = vmalloc(SZ_64K);
	assert_non_null(a);
	memset(a, 0x11, SZ_64K);
	vfree(a);
	assert_int_equal(vstats().lazy_pages, SZ_64K >> PAGE_SHIFT);
	assert_int_equal(vstats().purges, v0.purges);
	assert_int_equal(vstats().nr_areas, v0.nr_areas);
	text = vmallocinfo_capture();
	{
		char want[128];

		snprintf(want, sizeof(want), "0x%016lx-0x%016lx %7lu unpurged vm_area\n",
			 (unsigned long)a, (unsigned long)a + SZ_64K + PAGE_SIZE, SZ_64K + PAGE_SIZE);
		if (!strstr(text, want))
			fail_msg("vmallocinfo has no line \"%s\":\n%s", want, text);
	}
	b = vmalloc(SZ_64K);
	assert_non_null(b);
	assert_ptr_not_equal(b, a);		/* a's range is still mapped */
	assert_true(b >= a + SZ_64K + PAGE_SIZE || b + SZ_64K + PAGE_SIZE <= a);
	vfree(b);
	vmalloc_purge();
	assert_int_equal(vstats().lazy_pages, 0);
	assert_int_equal(vstats().purges, v0.purges + 1);
	assert_faults(a);
	assert_int_equal(maps_in_range((void *)VMALLOC_START, VMALLOC_END - VMALLOC_START), 1);

	/* 2000 areas of 64 KiB (125 MiB): a purge per 32 MiB, not per area. */
	v0 = vstats();
	for (i = 0; i < 2000; i++) {
		a = vmalloc(SZ_64K);
		assert_non_null(a);
		a[i % SZ_64K] = 1;
		vfree(a);
	}
	if (vstats().purges - v0.purges > 2000 * 16 / 8192 + 1)
		fail_msg("%lu purges for 2000 vfree()s of 16 pages", vstats().purges - v0.purges);
	assert_true(vstats().purges - v0.purges >= 3);
	vmalloc_purge();

	/* An area bigger than LAZY_MAX goes at once; RSS falls. */
	big = vmalloc(SZ_64M);
	assert_non_null(big);
	memset(big, 0x22, SZ_64M);
	rss0 = tu_rss_bytes();
	vfree(big);
	rss1 = tu_rss_bytes();
	assert_int_equal(vstats().lazy_pages, 0);
	if (rss0 - rss1 < SZ_32M + SZ_16M)
		fail_msg("RSS %lu MiB before vfree of 64 MiB, %lu MiB after", rss0 >> 20, rss1 >> 20);
	assert_faults(big);
}

/* Lazily freed areas wait page_reporting_delay at most: the next vmalloc purges. */
CHILD_TEST(test_memfd_lazy_expiry, "mem=2G phys=memfd page_reporting_delay=400", 30)
{
	struct vmalloc_stats v0;
	char *a, *b;

	vfree_settled(vmalloc(1));
	v0 = vstats();
	a = vmalloc(SZ_64K);
	assert_non_null(a);
	vfree(a);
	b = vmalloc(SZ_64K);		/* at once: a still waits */
	assert_non_null(b);
	assert_int_equal(vstats().lazy_pages, SZ_64K >> PAGE_SHIFT);
	assert_int_equal(vstats().purges, v0.purges);
	usleep(500 * 1000);
	vfree(b);			/* the oldest has waited: both go */
	assert_int_equal(vstats().lazy_pages, 0);
	assert_int_equal(vstats().purges, v0.purges + 1);
	a = vmalloc(SZ_64K);
	vfree(a);
	usleep(500 * 1000);
	b = vmalloc(SZ_64K);		/* a vmalloc purges what has waited, too */
	assert_non_null(b);
	assert_int_equal(vstats().lazy_pages, 0);
	assert_int_equal(vstats().purges, v0.purges + 2);
	vfree(b);
}

/* phys= other than anon or memfd: a warning, and anonymous memory. */
static void phys_bogus(void *arg)
{
	char *p;

	(void)arg;
	p = vmalloc(SZ_64K);
	assert_non_null(p);
	assert_false(phys_is_memfd());
	vfree(p);
	assert_int_equal(vstats().lazy_pages, 0);
}

/* A file size limit below the machine: phys=memfd cannot be; anon it is. */
static void phys_memfd_fsize(void *arg)
{
	struct rlimit fsize = { 1UL << 20, 1UL << 20 };
	char *p;

	(void)arg;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &fsize), 0);
	p = vmalloc(SZ_64K);
	assert_non_null(p);
	assert_false(phys_is_memfd());
	memset(p, 1, SZ_64K);
	vfree(p);
}

static void test_phys_option(void **state)
{
	struct tu_child res;

	const char *extra = getenv("KALLOC_TEST_OPTIONS");
	char *saved = extra ? strdup(extra) : NULL;

	(void)state;
	unsetenv("KALLOC_TEST_OPTIONS");	/* its phys= would come last and win */
	tu_run_child(phys_bogus, NULL, "mem=256M phys=bogus", 10, &res);
	if (saved)
		setenv("KALLOC_TEST_OPTIONS", saved, 1);
	free(saved);
	tu_assert_child_ok(&res);
	if (!strstr(res.err, "ignoring phys=bogus"))
		fail_msg("no warning for phys=bogus: \"%s\"", res.err);
	tu_run_child(phys_memfd_fsize, NULL, "mem=256M phys=memfd", 10, &res);
	tu_assert_child_ok(&res);
	if (!strstr(res.err, "phys=memfd: "))
		fail_msg("no warning under RLIMIT_FSIZE: \"%s\"", res.err);
}

/* ------------------------------------------------------------ threads -- */

#define MT_THREADS	4
#define MT_OPS		1500
#define MT_SLOTS	6

static void *mt_worker(void *arg)
{
	struct model_area areas[MT_SLOTS];
	struct tu_rng rng;
	int op, i;

	tu_rng_init(&rng, 0x1234 + (uintptr_t)arg);
	memset(areas, 0, sizeof(areas));
	for (op = 0; op < MT_OPS; op++) {
		struct model_area *m = &areas[tu_rand_below(&rng, MT_SLOTS)];
		unsigned long nr = 1 + tu_rand_below(&rng, 2048);	/* up to 8 MiB */

		if (!m->p) {
			m->p = vmalloc(nr * PAGE_SIZE);
			if (!m->p)
				fail_msg("thread %lu op %d: vmalloc(%lu pages) failed", (unsigned long)(uintptr_t)arg,
					 op, nr);
			m->nr = nr;
			m->tag = tu_rand(&rng);
			assert_zero_stamps(m->p, 0, 1);
			model_stamp(m, 0);
		} else if (tu_rand_below(&rng, 2)) {
			model_check(m, m->nr, m->nr, op);
			vfree(m->p);
			m->p = NULL;
		} else {
			unsigned long old_nr = m->nr;
			char *q = vrealloc(m->p, nr * PAGE_SIZE, GFP_KERNEL);

			if (!q)
				fail_msg("thread %lu op %d: vrealloc(%lu -> %lu pages) failed (errno %d); the area spans %lu host mappings",
					 (unsigned long)(uintptr_t)arg, op, old_nr, nr, errno,
					 maps_in_range(m->p, old_nr * PAGE_SIZE));
			m->p = q;
			m->nr = nr;
			model_check(m, old_nr, min(old_nr, nr), op);
			m->tag = tu_rand(&rng);
			model_stamp(m, 0);
		}
	}
	for (i = 0; i < MT_SLOTS; i++)
		if (areas[i].p) {
			model_check(&areas[i], areas[i].nr, areas[i].nr, op);
			vfree(areas[i].p);
		}
	return NULL;
}

/* Threads allocating, growing and freeing areas at once; all comes back. */
CHILD_TEST(test_threads, "mem=2G " NO_REPORTING, 60)
{
	pthread_t th[MT_THREADS];
	unsigned long start;
	uintptr_t i;

	vfree(vmalloc(1));
	tu_shrink_all();
	start = pages_in_use();
	for (i = 0; i < MT_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, mt_worker, (void *)i), 0);
	for (i = 0; i < MT_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(vstats().nr_areas, 0);
	assert_int_equal(vstats().nr_pages, 0);
	assert_int_equal(vmallocinfo_parse(vmallocinfo_capture(), NULL, 0), 0);
	vmalloc_purge();
	assert_no_window_hole();
	assert_int_equal(maps_in_range((void *)VMALLOC_START, VMALLOC_END - VMALLOC_START), 1);
	tu_shrink_all();
	if (pages_in_use() != start)
		fail_msg("pages in use %lu after the threads, %lu before (%+ld)", pages_in_use(), start,
			 (long)pages_in_use() - (long)start);
}

/* ----------------------------------------------- many areas, host limits -- */

/*
 * 10,000 live areas of 5 MiB (not touched: frames are bookkeeping, no
 * RSS) stay far below vm.max_map_count: about two host mappings each.
 */
#define MANY_AREAS	10000

CHILD_TEST(test_many_areas_map_count, "mem=64G " NO_REPORTING, 60)
{
	unsigned long maps1, limit = read_max_map_count(), i;
	char **p = malloc(MANY_AREAS * sizeof(*p));

	assert_non_null(p);
	vfree_settled(vmalloc(1));
	assert_int_equal(maps_in_range((void *)VMALLOC_START, VMALLOC_END - VMALLOC_START), 1);
	for (i = 0; i < MANY_AREAS; i++) {
		p[i] = vmalloc(5UL << 20);
		if (!p[i])
			fail_msg("vmalloc of area %lu (5 MiB) failed", i);
		if (i % 1000 == 0)
			p[i][i] = 1;	/* a few are touched */
	}
	maps1 = count_maps();
	assert_int_equal(vstats().nr_areas, MANY_AREAS);
	assert_int_equal(vstats().nr_pages, MANY_AREAS * 1280UL);
	if (maps1 >= limit)
		fail_msg("%lu host mappings for %d areas: vm.max_map_count is %lu", maps1, MANY_AREAS,
			 limit);
	/* phys=memfd: one mapping per run of frames, here 4 MiB + 1 MiB. */
	if (maps_in_range((void *)VMALLOC_START, VMALLOC_END - VMALLOC_START) >
	    (phys_is_memfd() ? 3 : 2) * MANY_AREAS + 1)
		fail_msg("%lu host mappings in the window for %d areas: more than %d each",
			 maps_in_range((void *)VMALLOC_START, VMALLOC_END - VMALLOC_START), MANY_AREAS,
			 phys_is_memfd() ? 3 : 2);
	for (i = 0; i < MANY_AREAS; i += 1000)
		assert_int_equal(p[i][i], 1);
	for (i = 0; i < MANY_AREAS; i++)
		vfree(p[i]);
	vmalloc_purge();
	assert_int_equal(vstats().nr_areas, 0);
	/* The window is one PROT_NONE reservation again. */
	assert_int_equal(maps_in_range((void *)VMALLOC_START, VMALLOC_END - VMALLOC_START), 1);
	assert_no_window_hole();
	free(p);
}

/*
 * The host refuses mappings: RLIMIT_AS is lowered below what the process
 * already has (kalloc's reservation is counted in it), so that every
 * mmap() or mremap() that needs address space fails.  (A MAP_FIXED
 * mapping over the reservation needs no new address space, so a limit
 * just above the current size would refuse nothing.)  vmalloc and
 * vrealloc return NULL cleanly: no frame, no area, no hole in the window
 * is left behind; the areas that exist are untouched; once the limit is
 * back, everything works.
 */
CHILD_TEST(test_host_refuses_mapping, "mem=2G " NO_REPORTING, 30)
{
	struct rlimit old, low;
	unsigned long before, nr1 = (1UL << 20) >> PAGE_SHIFT;
	struct vmalloc_stats v0;
	char *a, *b, *blocker, *p, *q, *r;
	int e_p, e_q, e_r;

	/* Warm up: sections online, caches created, out of the limit's way. */
	vfree(vmalloc(SZ_64M));
	b = vmalloc(1UL << 20);		/* followed by a blocker: grows by moving */
	blocker = vmalloc(PAGE_SIZE);
	a = vmalloc(1UL << 20);		/* the last area: grows in place */
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(blocker);
	assert_ptr_equal(blocker, b + (1UL << 20) + PAGE_SIZE);
	stamp_pages(a, 0, nr1, 21);
	stamp_pages(b, 0, nr1, 22);
	tu_shrink_all();
	before = pages_in_use();
	v0 = vstats();

	assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
	low = old;
	low.rlim_cur = 1UL << 20;
	assert_int_equal(setrlimit(RLIMIT_AS, &low), 0);
	errno = 0;
	p = __vmalloc(SZ_64M, GFP_KERNEL | __GFP_NOWARN);
	e_p = errno;
	errno = 0;
	q = vrealloc(a, SZ_16M, GFP_KERNEL | __GFP_NOWARN);
	e_q = errno;
	errno = 0;
	r = vrealloc(b, SZ_16M, GFP_KERNEL | __GFP_NOWARN);
	e_r = errno;
	assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);

	assert_null(p);
	assert_int_equal(e_p, ENOMEM);
	assert_null(q);
	assert_int_equal(e_q, ENOMEM);
	assert_null(r);
	assert_int_equal(e_r, ENOMEM);
	/* Nothing was left behind, and the live areas are as they were. */
	assert_int_equal(vstats().nr_areas, v0.nr_areas);
	assert_int_equal(vstats().nr_pages, v0.nr_pages);
	assert_int_equal(vmalloc_size(a), 1UL << 20);
	assert_int_equal(vmalloc_size(b), 1UL << 20);
	assert_stamps(a, 0, nr1, 21);
	assert_stamps(b, 0, nr1, 22);
	assert_faults(a + (1UL << 20));
	assert_faults(b + (1UL << 20));
	assert_no_window_hole();
	tu_shrink_all();
	assert_int_equal(pages_in_use(), before);

	/* The limit is back: everything works again. */
	p = vmalloc(SZ_64M);
	assert_non_null(p);
	stamp_pages(p, 0, SZ_64M >> PAGE_SHIFT, 23);
	assert_stamps(p, 0, SZ_64M >> PAGE_SHIFT, 23);
	q = vrealloc(a, SZ_16M, GFP_KERNEL);
	assert_non_null(q);
	assert_stamps(q, 0, nr1, 21);
	r = vrealloc(b, SZ_16M, GFP_KERNEL);
	assert_non_null(r);
	assert_stamps(r, 0, nr1, 22);
	vfree(p);
	vfree(q);
	vfree(r);
	vfree(blocker);
	assert_no_window_hole();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmalloc_sizes),
		cmocka_unit_test(test_vmalloc_1g),
		cmocka_unit_test(test_vmalloc_bad_sizes),
		cmocka_unit_test(test_vmalloc_no_highmem),
		cmocka_unit_test(test_vmalloc_highmem_then_normal),
		cmocka_unit_test(test_vmalloc_fragmented),
		cmocka_unit_test(test_vmalloc_lowmem_fragmented),
		cmocka_unit_test(test_vmallocinfo),
		cmocka_unit_test(test_guard_pages),
		cmocka_unit_test(test_vfree_invalid),
		cmocka_unit_test(test_vrealloc_grow_in_place),
		cmocka_unit_test(test_vrealloc_grow_moving),
		cmocka_unit_test(test_vrealloc_move_after_growth_in_place),
		cmocka_unit_test(test_vrealloc_shrink),
		cmocka_unit_test(test_vrealloc_null_zero_and_failures),
		cmocka_unit_test(test_window_full),
		cmocka_unit_test(test_vmap_area_nodes),
		cmocka_unit_test(test_vmap_lowmem),
		cmocka_unit_test(test_vmap_scattered),
		cmocka_unit_test(test_vmap_highmem),
		cmocka_unit_test(test_kmap),
		cmocka_unit_test(test_kvmalloc),
		cmocka_unit_test(test_malloc_area_cache),
		cmocka_unit_test(test_malloc_area_reuse_pair),
		cmocka_unit_test(test_malloc_area_reuse_loop),
		cmocka_unit_test(test_vmalloc_huge),
		cmocka_unit_test(test_vmalloc_huge_blocks),
		cmocka_unit_test(test_vmalloc_huge_no_blocks),
		cmocka_unit_test(test_vmalloc_nohuge),
		cmocka_unit_test(test_bad_large_free),
		cmocka_unit_test(test_zeroed_over_dirty_frames),
		cmocka_unit_test(test_fork_private_areas),
		cmocka_unit_test(test_fork_child_vrealloc),
		cmocka_unit_test(test_memfd_aliases),
		cmocka_unit_test(test_memfd_lowmem_aliases),
		cmocka_unit_test(test_memfd_fork_aliases),
		cmocka_unit_test(test_memfd_lazy_purge),
		cmocka_unit_test(test_memfd_lazy_expiry),
		cmocka_unit_test(test_phys_option),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_many_areas_map_count),
		cmocka_unit_test(test_host_refuses_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
