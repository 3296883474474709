/*
 * tests/test_slab.c - the slab layer (lib/slub.c): kmalloc size classes,
 * alignment, zeroing, krealloc, large kmalloc, kmem_cache_* (alignment,
 * constructors, merging, destroy), /proc/slabinfo, a randomized model
 * test, the checks that stay on without slub_debug (hardened free
 * pointers, double free in a row, invalid pointers), and malloc's own
 * size classes (lib/util.h: the classes, their caches in slabinfo,
 * realloc within a class, no merging, the totals).
 *
 * Every case runs in a forked child (testutil.h, CHILD_TEST and
 * tu_run_child()): each gets a fresh machine, a configuration of its own
 * (KALLOC_OPTIONS) where it needs one, and cases that must abort do so
 * without taking the runner with them.  The runner itself never calls
 * into kalloc.
 *
 * Page counts: "available" below is nr_free_pages() after
 * drain_local_pages(NULL), plus the pages of sections not onlined yet
 * (lib/sparse.c onlines a zone's memory section by section on demand, and
 * onlining adds free pages without anything having been freed).  It is
 * compared only after kmem_cache_shrink() of every cache on slab_caches,
 * kalloc's metadata caches (kmem_cache, slab_sheaf) included, so that no
 * empty slab kept for min_partial muddies the count.
 *
 * KALLOC_TEST_SEED=n replays the randomized cases with another seed.
 */
#include "testutil.h"

#include "kalloc.h"
#include "slab.h"
#include "util.h"
#include "kfence.h"

#include <limits.h>
#include <sys/mman.h>

/* ---------------------------------------------------------- helpers -- */

/* The kmalloc size classes, smallest first (kmalloc-8 ... kmalloc-8k). */
static const unsigned int class_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192
};

static unsigned int class_of(size_t size)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
		if (size <= class_sizes[i])
			return class_sizes[i];
	return 0;
}

static bool is_pow2(size_t x)
{
	return x && !(x & (x - 1));
}

static unsigned int order_of(size_t size)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

/* Every byte of an object holds its pattern (testutil.h). */
#define pat_fill(p, len, id)		tu_pat_fill((p), (len), (id), 0)
#define assert_pattern(p, len, id)	tu_assert_pattern((p), (len), (id), 0)

static bool bytes_are(const void *p, size_t len, unsigned char val)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != val)
			return false;
	return true;
}

/* --------------------------------------------------------- slabinfo -- */

struct si_row {
	char name[40];
	unsigned long active_objs, num_objs;
	unsigned int objsize, objperslab, pagesperslab;
	unsigned int limit, batchcount, sharedfactor;
	unsigned long active_slabs, num_slabs, sharedavail;
};

static char si_text[1 << 17];

/* Capture kalloc_report("slabinfo") and check its two header lines. */
static const char *slabinfo_capture(void)
{
	tu_report_capture(si_text, sizeof(si_text), "slabinfo");
	assert_true(strncmp(si_text, "slabinfo - version: 2.1\n", 24) == 0);
	assert_true(strncmp(si_text + 24, "# name", 6) == 0);
	return si_text;
}

/* Parse the row of cache @name from a capture; false if it has none. */
static bool slabinfo_row(const char *text, const char *name, struct si_row *r)
{
	const char *line = strchr(text, '\n');

	line = line ? strchr(line + 1, '\n') : NULL;	/* skip the two headers */
	while (line && line[1]) {
		int n;

		line++;
		memset(r, 0, sizeof(*r));
		n = sscanf(line, "%39s %lu %lu %u %u %u : tunables %u %u %u : slabdata %lu %lu %lu",
			   r->name, &r->active_objs, &r->num_objs, &r->objsize, &r->objperslab,
			   &r->pagesperslab, &r->limit, &r->batchcount, &r->sharedfactor,
			   &r->active_slabs, &r->num_slabs, &r->sharedavail);
		if (n != 12) {
			const char *end = strchr(line, '\n');

			fail_msg("malformed slabinfo line: %.*s", end ? (int)(end - line) : 80, line);
		}
		if (!strcmp(r->name, name))
			return true;
		line = strchr(line, '\n');
	}
	return false;
}

static struct si_row slabinfo_get(const char *name)
{
	struct si_row r;

	if (!slabinfo_row(slabinfo_capture(), name, &r))
		fail_msg("no slabinfo line for %s", name);
	return r;
}

/* A row's numbers agree with each other. */
static void check_row_consistent(const struct si_row *r)
{
	assert_true(r->objperslab > 0);
	assert_true(r->active_objs <= r->num_objs);
	assert_int_equal(r->num_objs % r->objperslab, 0);
	assert_int_equal(r->num_objs, r->num_slabs * r->objperslab);
	assert_true(r->active_slabs <= r->num_slabs);
	assert_true(is_pow2(r->pagesperslab));
	assert_true((unsigned long)r->objperslab * r->objsize <= r->pagesperslab * PAGE_SIZE);
}

/* ------------------------------------------------- kmalloc classes -- */

#define NSIZES	8192

/*
 * Every size 1..8192: ksize() is exactly the class, the alignment is as
 * promised, and all 8192 objects, live at once, keep their contents while
 * half of them are freed and allocated again.
 */
CHILD_TEST(test_kmalloc_every_size, NULL, 60)
{
	static void *objs[NSIZES + 1];
	size_t size;

	for (size = 1; size <= NSIZES; size++) {
		unsigned int cls = class_of(size);
		void *p = kmalloc(size, GFP_KERNEL);
		uintptr_t a = (uintptr_t)p;

		assert_non_null(p);
		assert_false(ZERO_OR_NULL_PTR(p));
		if (ksize(p) != cls)
			fail_msg("kmalloc(%zu): ksize %zu, expected the class size %u",
				 size, ksize(p), cls);
		assert_int_equal(kmalloc_size_roundup(size), cls);
		if (a % 8)
			fail_msg("kmalloc(%zu) = %p: not 8-byte aligned", size, p);
		if (size >= 16 && a % 16)
			fail_msg("kmalloc(%zu) = %p: not 16-byte aligned", size, p);
		if (is_pow2(size) && a % size)
			fail_msg("kmalloc(%zu) = %p: not naturally aligned", size, p);
		pat_fill(p, ksize(p), size);
		objs[size] = p;
	}
	for (size = 1; size <= NSIZES; size++)
		assert_pattern(objs[size], class_of(size), size);
	/* Free every other one, allocate them again, check everything. */
	for (size = 1; size <= NSIZES; size += 2)
		kfree(objs[size]);
	for (size = 1; size <= NSIZES; size += 2) {
		objs[size] = kmalloc(size, GFP_KERNEL);
		assert_non_null(objs[size]);
		assert_int_equal(ksize(objs[size]), class_of(size));
		pat_fill(objs[size], size, size + 100000);
	}
	for (size = 1; size <= NSIZES; size++) {
		if (size % 2)
			assert_pattern(objs[size], size, size + 100000);
		else
			assert_pattern(objs[size], class_of(size), size);
		kfree(objs[size]);
	}
}

/* Power-of-two classes stay naturally aligned over many objects. */
CHILD_TEST(test_kmalloc_alignment_many, NULL, 30)
{
	static void *objs[20000];
	unsigned int c, i;

	for (c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		unsigned int cls = class_sizes[c];
		unsigned int n = cls >= 2048 ? 300 : 2000;

		for (i = 0; i < n; i++) {
			uintptr_t a;

			objs[i] = kmalloc(cls, GFP_KERNEL);
			a = (uintptr_t)objs[i];
			assert_non_null(objs[i]);
			assert_int_equal(a % 8, 0);
			if (cls >= 16)
				assert_int_equal(a % 16, 0);
			if (is_pow2(cls) && a % cls)
				fail_msg("kmalloc(%u) object %u at %p not naturally aligned", cls, i,
					 objs[i]);
		}
		for (i = 0; i < n; i++)
			kfree(objs[i]);
	}
}

/*
 * Objects of many sizes, interleaved with allocations and frees of
 * others, keep their contents.
 */
CHILD_TEST(test_kmalloc_contents_survive, NULL, 30)
{
	enum { N = 4000 };
	static void *keep[N], *churn[N];
	static size_t keep_size[N];
	struct tu_rng rng;
	unsigned int i, round;

	tu_rng_init(&rng, 1);
	for (i = 0; i < N; i++) {
		keep_size[i] = 1 + tu_rand_below(&rng, 8192);
		keep[i] = kmalloc(keep_size[i], GFP_KERNEL);
		assert_non_null(keep[i]);
		pat_fill(keep[i], keep_size[i], i);
	}
	for (round = 0; round < 20; round++) {
		for (i = 0; i < N; i++) {
			size_t sz = 1 + tu_rand_below(&rng, 8192);

			churn[i] = kmalloc(sz, GFP_KERNEL);
			assert_non_null(churn[i]);
			memset(churn[i], 0xee, ksize(churn[i]));
		}
		for (i = 0; i < N; i++)
			kfree(churn[i]);
		for (i = round % 7; i < N; i += 7)
			assert_pattern(keep[i], keep_size[i], i);
	}
	for (i = 0; i < N; i++) {
		assert_pattern(keep[i], keep_size[i], i);
		kfree(keep[i]);
	}
}

/* kzalloc(), kcalloc() and kmem_cache_zalloc() hand out zeroed memory, even recycled. */
CHILD_TEST(test_kzalloc_kcalloc_zeroed, NULL, 30)
{
	static const size_t sizes[] = { 1, 7, 8, 13, 16, 24, 40, 64, 72, 96, 100, 128, 150,
					192, 200, 256, 300, 512, 777, 1024, 2000, 2048, 4000,
					4096, 5000, 8192, 8193, 12288, 20000, 65536 };
	enum { N = 100 };
	void *objs[N];
	unsigned int s, i;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t size = sizes[s];

		/* Dirty a batch of objects of this class and give them back. */
		for (i = 0; i < N; i++) {
			objs[i] = kmalloc(size, GFP_KERNEL);
			assert_non_null(objs[i]);
			memset(objs[i], 0xa5, ksize(objs[i]));
		}
		for (i = 0; i < N; i++)
			kfree(objs[i]);
		for (i = 0; i < N; i++) {
			if (i % 3 == 0)
				objs[i] = kzalloc(size, GFP_KERNEL);
			else if (i % 3 == 1)
				objs[i] = kcalloc(1, size, GFP_KERNEL);
			else
				objs[i] = kmalloc(size, GFP_KERNEL | __GFP_ZERO);
			assert_non_null(objs[i]);
			if (!bytes_are(objs[i], size, 0))
				fail_msg("zeroed allocation %u of %zu bytes at %p is not zero", i, size,
					 objs[i]);
		}
		for (i = 0; i < N; i++)
			kfree(objs[i]);
	}

	/* kcalloc(n, size): n * size zero bytes. */
	for (i = 0; i < N; i++) {
		objs[i] = kmalloc(24 * 10, GFP_KERNEL);
		memset(objs[i], 0x5a, 240);
	}
	for (i = 0; i < N; i++)
		kfree(objs[i]);
	for (i = 0; i < N; i++) {
		objs[i] = kcalloc(10, 24, GFP_KERNEL);
		assert_non_null(objs[i]);
		assert_true(ksize(objs[i]) >= 240);
		assert_true(bytes_are(objs[i], 240, 0));
	}
	for (i = 0; i < N; i++)
		kfree(objs[i]);

	/* kmem_cache_zalloc() */
	{
		struct kmem_cache *c = kmem_cache_create("zalloc_test", 136, 0, SLAB_NO_MERGE, NULL);

		assert_non_null(c);
		for (i = 0; i < N; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			memset(objs[i], 0x77, 136);
		}
		for (i = 0; i < N; i++)
			kmem_cache_free(c, objs[i]);
		for (i = 0; i < N; i++) {
			objs[i] = kmem_cache_zalloc(c, GFP_KERNEL);
			assert_non_null(objs[i]);
			assert_true(bytes_are(objs[i], 136, 0));
		}
		for (i = 0; i < N; i++)
			kmem_cache_free(c, objs[i]);
		kmem_cache_destroy(c);
	}
}

/* Size overflows give NULL with ENOMEM, never a short object. */
CHILD_TEST(test_kcalloc_overflow, NULL, 10)
{
	errno = 0;
	assert_null(kcalloc(SIZE_MAX / 2 + 1, 2, GFP_KERNEL));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(kcalloc(2, SIZE_MAX / 2 + 1, GFP_KERNEL));
	assert_int_equal(errno, ENOMEM);
	assert_null(kcalloc(1UL << 32, 1UL << 32, GFP_KERNEL));	/* product wraps to 0 */
	assert_null(kcalloc((SIZE_MAX / 8) + 2, 8, GFP_KERNEL));	/* wraps to 8 */
	assert_null(kmalloc_array(SIZE_MAX / 16 + 1, 16, GFP_KERNEL));	/* wraps to 0 */
	assert_null(kmalloc_array(SIZE_MAX, SIZE_MAX, GFP_KERNEL));
	assert_null(kmalloc(SIZE_MAX, GFP_KERNEL));
	assert_null(kmalloc(KMALLOC_MAX_SIZE + 1, GFP_KERNEL));
	assert_null(kzalloc(SIZE_MAX - 7, GFP_KERNEL));
	/* Products that fit are fine. */
	{
		void *p = kcalloc(1000, 8, GFP_KERNEL);

		assert_non_null(p);
		assert_true(ksize(p) >= 8000);
		kfree(p);
	}
}

/* kmalloc(0) is ZERO_SIZE_PTR; kfree() of it or of NULL does nothing. */
CHILD_TEST(test_kmalloc_zero_and_null, NULL, 10)
{
	void *p;
	unsigned long before;

	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kzalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kcalloc(0, 16, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kcalloc(16, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
	assert_int_equal(ksize(NULL), 0);
	before = tu_avail_pages();
	kfree(ZERO_SIZE_PTR);
	kfree(NULL);
	kfree_sensitive(NULL);
	kfree_sensitive(ZERO_SIZE_PTR);
	kmem_cache_free(kmalloc_caches[kmalloc_index(64)], NULL);
	assert_int_equal(tu_avail_pages(), before);
	/* The allocator still works afterwards. */
	p = kmalloc(1, GFP_KERNEL);
	assert_non_null(p);
	assert_false(ZERO_OR_NULL_PTR(p));
	kfree(p);
}

/* krealloc() keeps the contents when it grows and when it shrinks. */
CHILD_TEST(test_krealloc, NULL, 20)
{
	static const size_t steps[] = { 10, 24, 64, 100, 192, 500, 1000, 4096, 5000, 8192,
					8193, 20000, 100000, 1 << 20, 3000000, 40000, 8000,
					2000, 130, 50, 9, 1 };
	size_t prev = 0, i;
	unsigned char *p = NULL;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		size_t size = steps[i], keep = min(prev, size);
		unsigned char *q = krealloc(p, size, GFP_KERNEL);

		assert_non_null(q);
		assert_false(ZERO_OR_NULL_PTR(q));
		if (ksize(q) < size)
			fail_msg("krealloc to %zu: ksize %zu", size, ksize(q));
		if (keep)
			assert_pattern(q, keep, 7);
		/* Extend the pattern over the new size. */
		pat_fill(q, size, 7);
		p = q;
		prev = size;
	}
	/* krealloc(p, 0) frees and returns ZERO_SIZE_PTR. */
	assert_ptr_equal(krealloc(p, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	/* krealloc(NULL) and krealloc(ZERO_SIZE_PTR) allocate. */
	p = krealloc(NULL, 40, GFP_KERNEL);
	assert_non_null(p);
	assert_true(ksize(p) >= 40);
	kfree(p);
	p = krealloc(ZERO_SIZE_PTR, 300, GFP_KERNEL);
	assert_non_null(p);
	assert_false(ZERO_OR_NULL_PTR(p));
	assert_true(ksize(p) >= 300);
	pat_fill(p, 300, 9);
	/* Growing with __GFP_ZERO keeps the old bytes and zeroes beyond the old object. */
	{
		size_t old_usable = ksize(p);

		p = krealloc(p, 3000, GFP_KERNEL | __GFP_ZERO);
		assert_non_null(p);
		assert_pattern(p, 300, 9);
		assert_true(bytes_are(p + old_usable, 3000 - old_usable, 0));
	}
	kfree(p);
}

/*
 * kmalloc() above KMALLOC_MAX_CACHE_SIZE takes a block of pages of the
 * order that fits (ksize() says so) and kfree() gives it back.
 */
CHILD_TEST(test_kmalloc_large, NULL, 20)
{
	static const size_t sizes[] = { 8193, 12288, 16384, 16385, 32768, 40000, 65536,
					100000, 1 << 20, (1 << 20) + 1, 3 << 20, 4 << 20 };
	unsigned long start, before, during;
	unsigned int i;
	void *p;

	/* Warm up: page-allocator lists and sections the test will use. */
	p = kmalloc(4 << 20, GFP_KERNEL);
	kfree(p);
	tu_shrink_all();	/* whatever kalloc's own start-up left in sheaves */
	start = tu_avail_pages();
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t size = sizes[i];
		unsigned int order = order_of(size);

		before = tu_avail_pages();
		p = kmalloc(size, GFP_KERNEL);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
		if (ksize(p) != PAGE_SIZE << order)
			fail_msg("kmalloc(%zu): ksize %zu, expected %lu (order %u)", size, ksize(p),
				 PAGE_SIZE << order, order);
		assert_int_equal(kmalloc_size_roundup(size), PAGE_SIZE << order);
		assert_null(page_slab_cache(virt_to_page(p)));
		pat_fill(p, ksize(p), size);
		during = tu_avail_pages();
		if (before - during != 1UL << order)
			fail_msg("kmalloc(%zu) took %lu pages, expected %lu", size,
				 before - during, 1UL << order);
		assert_pattern(p, ksize(p), size);
		kfree(p);
		assert_int_equal(tu_avail_pages(), before);
	}
	/* A slab object at the boundary: 8192 stays in kmalloc-8k. */
	p = kmalloc(KMALLOC_MAX_CACHE_SIZE, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), KMALLOC_MAX_CACHE_SIZE);
	assert_non_null(page_slab_cache(virt_to_page(p)));
	kfree(p);
	/* Many large blocks at once, freed in another order. */
	{
		enum { N = 64 };
		void *blk[N];

		for (i = 0; i < N; i++) {
			blk[i] = kmalloc(8193 + i * 1000, GFP_KERNEL);
			assert_non_null(blk[i]);
			pat_fill(blk[i], 8193 + i * 1000, i);
		}
		for (i = 0; i < N; i += 2) {
			assert_pattern(blk[i], 8193 + i * 1000, i);
			kfree(blk[i]);
		}
		for (i = 1; i < N; i += 2) {
			assert_pattern(blk[i], 8193 + i * 1000, i);
			kfree(blk[i]);
		}
	}
	tu_shrink_all();
	assert_int_equal(tu_avail_pages(), start);
}

/* ----------------------------------------------------- kmem_cache -- */

/* create, alloc, zalloc, free, shrink, destroy; the pages come back. */
CHILD_TEST(test_cache_lifecycle, NULL, 20)
{
	enum { N = 3000 };
	static void *objs[N];
	struct kmem_cache *c;
	unsigned long start;
	unsigned int i, round;

	/* Warm the metadata caches with one create/destroy. */
	c = kmem_cache_create("warm", 200, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(c);
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	kmem_cache_destroy(c);
	tu_shrink_all();
	start = tu_avail_pages();

	for (round = 0; round < 3; round++) {
		struct si_row r;

		c = kmem_cache_create("test_obj", 200, 0, SLAB_NO_MERGE, NULL);
		assert_non_null(c);
		assert_int_equal(kmem_cache_size(c), 200);
		assert_string_equal(kmem_cache_name(c), "test_obj");
		for (i = 0; i < N; i++) {
			objs[i] = i % 2 ? kmem_cache_alloc(c, GFP_KERNEL) :
					  kmem_cache_zalloc(c, GFP_KERNEL);
			assert_non_null(objs[i]);
			assert_int_equal((uintptr_t)objs[i] % 8, 0);
			assert_int_equal(ksize(objs[i]), 200);
			if (i % 2 == 0)
				assert_true(bytes_are(objs[i], 200, 0));
			pat_fill(objs[i], 200, i + round * N);
		}
		r = slabinfo_get("test_obj");
		check_row_consistent(&r);
		assert_true(r.active_objs >= N);
		assert_int_equal(r.objsize, 200);
		for (i = 0; i < N; i++) {
			assert_pattern(objs[i], 200, i + round * N);
			kmem_cache_free(c, objs[i]);
		}
		assert_int_equal(kmem_cache_shrink(c), 0);
		r = slabinfo_get("test_obj");
		assert_int_equal(r.active_objs, 0);
		assert_int_equal(r.num_slabs, 0);
		kmem_cache_destroy(c);
		assert_false(slabinfo_row(slabinfo_capture(), "test_obj", &r));
		tu_shrink_all();
		assert_int_equal(tu_avail_pages(), start);
	}
	kmem_cache_destroy(NULL);
}

/* SLAB_HWCACHE_ALIGN: objects above 32 bytes start on a 64-byte line; align= is honoured. */
CHILD_TEST(test_cache_hwcache_align, NULL, 20)
{
	static const unsigned int sizes[] = { 33, 40, 48, 56, 63, 64, 65, 72, 100, 129, 200,
					      1000, 1500, 3000, 5000 };
	enum { N = 300 };
	void *objs[N];
	unsigned int s, i;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		char name[32];
		struct kmem_cache *c;

		snprintf(name, sizeof(name), "hw%u", sizes[s]);
		c = kmem_cache_create(name, sizes[s], 0, SLAB_HWCACHE_ALIGN, NULL);
		assert_non_null(c);
		for (i = 0; i < N; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			assert_non_null(objs[i]);
			if ((uintptr_t)objs[i] % 64)
				fail_msg("%s (SLAB_HWCACHE_ALIGN): object %u at %p not 64-byte aligned",
					 name, i, objs[i]);
			memset(objs[i], 0x3c, sizes[s]);
		}
		for (i = 0; i < N; i++)
			kmem_cache_free(c, objs[i]);
		kmem_cache_destroy(c);
	}
	/* An explicit alignment argument. */
	for (s = 0; s < 3; s++) {
		unsigned int align = 128u << s;
		struct kmem_cache *c = kmem_cache_create("aligned", 100 + s * 200, align, 0, NULL);

		assert_non_null(c);
		for (i = 0; i < N; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			assert_non_null(objs[i]);
			if ((uintptr_t)objs[i] % align)
				fail_msg("align=%u: object %u at %p misaligned", align, i, objs[i]);
		}
		for (i = 0; i < N; i++)
			kmem_cache_free(c, objs[i]);
		kmem_cache_destroy(c);
	}
}

/* The constructor: once per object when its slab is made, never on reuse. */
static unsigned long ctor_calls;
static unsigned long ctor_on_live;

#define CTOR_SIZE	100
#define CTOR_BYTE	0xc7
#define LIVE_BYTE	0x11

static void test_ctor(void *p)
{
	unsigned char *b = p;

	if (b[0] == LIVE_BYTE && b[CTOR_SIZE - 1] == LIVE_BYTE)
		ctor_on_live++;	/* constructing an object someone holds */
	memset(p, CTOR_BYTE, CTOR_SIZE);
	ctor_calls++;
}

CHILD_TEST(test_cache_ctor, NULL, 20)
{
	enum { N = 2000 };
	static unsigned char *objs[N];
	struct kmem_cache *c = kmem_cache_create("ctor_test", CTOR_SIZE, 0, 0, test_ctor);
	struct si_row r;
	unsigned long calls;
	unsigned int i;

	assert_non_null(c);
	assert_int_equal(ctor_calls, 0);
	for (i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(objs[i]);
		/* Constructed state, whole object (no free pointer inside it). */
		if (!bytes_are(objs[i], CTOR_SIZE, CTOR_BYTE))
			fail_msg("object %u at %p is not in its constructed state", i, objs[i]);
		memset(objs[i], LIVE_BYTE, CTOR_SIZE);
	}
	r = slabinfo_get("ctor_test");
	check_row_consistent(&r);
	/* Every object of every slab was constructed once, no more. */
	if (ctor_calls != r.num_objs)
		fail_msg("ctor ran %lu times for %lu objects in %lu slabs of %u", ctor_calls,
			 r.num_objs, r.num_slabs, r.objperslab);
	assert_true(r.num_objs >= N);

	/* Give every other object back in its constructed state and take them again. */
	calls = ctor_calls;
	for (i = 0; i < N; i += 2) {
		memset(objs[i], CTOR_BYTE, CTOR_SIZE);
		kmem_cache_free(c, objs[i]);
	}
	for (i = 0; i < N; i += 2) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_non_null(objs[i]);
		if (!bytes_are(objs[i], CTOR_SIZE, CTOR_BYTE))
			fail_msg("reused object %u at %p lost its constructed state", i, objs[i]);
		memset(objs[i], LIVE_BYTE, CTOR_SIZE);
	}
	assert_int_equal(ctor_calls, calls);	/* reuse does not construct again */
	assert_int_equal(ctor_on_live, 0);

	/* A new slab constructs exactly its objects. */
	{
		void *more[512];
		unsigned int n = r.objperslab * 3;

		assert_true(n <= 512);
		calls = ctor_calls;
		for (i = 0; i < n; i++) {
			more[i] = kmem_cache_alloc(c, GFP_KERNEL);
			assert_non_null(more[i]);
		}
		r = slabinfo_get("ctor_test");
		assert_int_equal(ctor_calls, r.num_objs);
		assert_int_equal((ctor_calls - calls) % r.objperslab, 0);
		for (i = 0; i < n; i++)
			kmem_cache_free(c, more[i]);
	}
	for (i = 0; i < N; i++) {
		memset(objs[i], CTOR_BYTE, CTOR_SIZE);
		kmem_cache_free(c, objs[i]);
	}
	kmem_cache_shrink(c);
	kmem_cache_destroy(c);
}

/* Two compatible caches without a constructor are one cache ... */
CHILD_TEST(test_cache_merge, NULL, 10)
{
	struct kmem_cache *a = kmem_cache_create("merge_a", 100, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("merge_b", 100, 0, 0, NULL);
	struct kmem_cache *c = kmem_cache_create("merge_c", 100, 0, 0, test_ctor);
	struct kmem_cache *d = kmem_cache_create("merge_d", 100, 0, SLAB_NO_MERGE, NULL);
	struct kmem_cache *e = kmem_cache_create("merge_e", 100, 0, SLAB_CACHE_DMA, NULL);
	void *p, *q;

	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_equal(a, b);
	assert_ptr_not_equal(c, a);	/* a constructor keeps a cache apart */
	assert_ptr_not_equal(d, a);	/* so does SLAB_NO_MERGE */
	assert_ptr_not_equal(e, a);	/* and another zone */
	/* The alias works and outlives the destroy of one name. */
	p = kmem_cache_alloc(b, GFP_KERNEL);
	assert_non_null(p);
	memset(p, 1, 100);
	kmem_cache_destroy(b);
	q = kmem_cache_alloc(a, GFP_KERNEL);
	assert_non_null(q);
	memset(q, 2, 100);
	kmem_cache_free(a, p);
	kmem_cache_free(a, q);
	kmem_cache_destroy(a);
	kmem_cache_destroy(c);
	kmem_cache_destroy(d);
	kmem_cache_destroy(e);
}

/* ... unless slab_nomerge says otherwise. */
CHILD_TEST(test_cache_nomerge_option, "slab_nomerge", 10)
{
	struct kmem_cache *a = kmem_cache_create("merge_a", 100, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("merge_b", 100, 0, 0, NULL);
	struct kmem_cache *c = kmem_cache_create("merge_64", 64, 0, 0, NULL);
	void *p, *q;

	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_string_equal(kmem_cache_name(a), "merge_a");
	assert_string_equal(kmem_cache_name(b), "merge_b");
	assert_ptr_not_equal(c, kmalloc_caches[kmalloc_index(64)]);
	assert_string_equal(kmem_cache_name(c), "merge_64");
	p = kmem_cache_alloc(a, GFP_KERNEL);
	q = kmem_cache_alloc(b, GFP_KERNEL);
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_equal(page_slab_cache(virt_to_page(p)), a);
	assert_ptr_equal(page_slab_cache(virt_to_page(q)), b);
	kmem_cache_free(a, p);
	kmem_cache_free(b, q);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	kmem_cache_destroy(c);
}

/* kmem_cache_destroy() of a cache with live objects warns and carries on. */
static void destroy_live_body(void *arg)
{
	struct kmem_cache *c = kmem_cache_create("leaky_cache", 80, 0, SLAB_NO_MERGE, NULL);
	struct kmem_cache *c2;
	void *objs[10], *p;
	unsigned int i;

	(void)arg;
	assert_non_null(c);
	for (i = 0; i < 10; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (i = 0; i < 3; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);	/* 7 objects still live */
	/* Their memory stays valid: the cache is leaked, not freed. */
	for (i = 3; i < 10; i++)
		memset(objs[i], 0x42, 80);
	/* Life goes on. */
	c2 = kmem_cache_create("after_leak", 80, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(c2);
	for (i = 0; i < 100; i++) {
		p = kmem_cache_alloc(c2, GFP_KERNEL);
		assert_non_null(p);
		memset(p, 1, 80);
		kmem_cache_free(c2, p);
	}
	kmem_cache_destroy(c2);
	p = kmalloc(80, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
}

static void destroy_clean_body(void *arg)
{
	struct kmem_cache *c = kmem_cache_create("clean_cache", 80, 0, SLAB_NO_MERGE, NULL);
	void *objs[10];
	unsigned int i;

	(void)arg;
	for (i = 0; i < 10; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (i = 0; i < 10; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
}

static void test_cache_destroy_with_objects(void **state)
{
	static struct tu_child res;

	(void)state;
	tu_run_child(destroy_live_body, NULL, NULL, 10, &res);
	tu_assert_child_ok(&res);
	if (!strstr(res.err, "Slab cache still has objects") || !strstr(res.err, "leaky_cache")) {
		tu_dump_child_stderr(&res);
		fail_msg("kmem_cache_destroy() with live objects did not warn");
	}
	/* No warning when nothing is live. */
	tu_run_child(destroy_clean_body, NULL, NULL, 10, &res);
	tu_assert_child_ok(&res);
	if (strstr(res.err, "still has objects")) {
		tu_dump_child_stderr(&res);
		fail_msg("kmem_cache_destroy() of an empty cache warned");
	}
}

/* ------------------------------------------------------- slabinfo -- */

CHILD_TEST(test_slabinfo_kmalloc64, NULL, 10)
{
	enum { N = 1000 };
	static void *objs[N];
	struct kmem_cache *s;
	struct si_row r0, r;
	unsigned int i;

	r0 = slabinfo_get("kmalloc-64");	/* the first call: kalloc sets itself up */
	s = kmalloc_caches[kmalloc_index(64)];
	assert_non_null(s);
	check_row_consistent(&r0);
	assert_int_equal(r0.objsize, 64);
	for (i = 0; i < N; i++) {
		objs[i] = kmalloc(33 + i % 32, GFP_KERNEL);	/* all kmalloc-64 */
		assert_non_null(objs[i]);
	}
	r = slabinfo_get("kmalloc-64");
	check_row_consistent(&r);
	if (r.active_objs < r0.active_objs + N)
		fail_msg("kmalloc-64 active_objs %lu after %u allocations (was %lu)", r.active_objs,
			 N, r0.active_objs);
	/* Objects lent to this thread's sheaves count too, but no more than two sheaves. */
	assert_true(r.active_objs <= r0.active_objs + N + 2 * s->sheaf_capacity);
	assert_int_equal(r.objsize, 64);
	assert_int_equal(r.objperslab, (r.pagesperslab * PAGE_SIZE) / 64);
	assert_int_equal(r.objperslab, s->objects);
	assert_int_equal(r.pagesperslab, 1u << s->order);
	assert_true(r.num_slabs * r.objperslab >= N);
	assert_int_equal(r.limit + r.batchcount + r.sharedfactor + r.sharedavail, 0);
	for (i = 0; i < N; i++)
		kfree(objs[i]);
	kmem_cache_shrink(s);
	r = slabinfo_get("kmalloc-64");
	check_row_consistent(&r);
	assert_int_equal(r.active_objs, r0.active_objs);
	assert_int_equal(r.num_slabs, 0);
	/* Every kmalloc cache has its line. */
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++) {
		char name[32];

		snprintf(name, sizeof(name), class_sizes[i] >= 1024 ? "kmalloc-%uk" : "kmalloc-%u",
			 class_sizes[i] >= 1024 ? class_sizes[i] / 1024 : class_sizes[i]);
		r = slabinfo_get(name);
		check_row_consistent(&r);
		assert_int_equal(r.objsize, class_sizes[i]);
	}
}

/* slub_min_order= and slub_max_order= shape the slabs slabinfo shows. */
static void slab_orders_body(void *arg)
{
	unsigned int min_order = (unsigned int)(uintptr_t)arg >> 8;
	unsigned int max_order = (unsigned int)(uintptr_t)arg & 0xff;
	const char *text;
	unsigned int i;

	text = slabinfo_capture();
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++) {
		char name[32];
		struct si_row r;
		unsigned int pages_needed = (class_sizes[i] + PAGE_SIZE - 1) / PAGE_SIZE;

		snprintf(name, sizeof(name), class_sizes[i] >= 1024 ? "kmalloc-%uk" : "kmalloc-%u",
			 class_sizes[i] >= 1024 ? class_sizes[i] / 1024 : class_sizes[i]);
		if (!slabinfo_row(text, name, &r))
			fail_msg("no line for %s", name);
		check_row_consistent(&r);
		if (r.pagesperslab < (1u << min_order))
			fail_msg("%s: %u pages per slab, below slub_min_order=%u", name,
				 r.pagesperslab, min_order);
		if (r.pagesperslab > (1u << max_order) && r.pagesperslab > pages_needed)
			fail_msg("%s: %u pages per slab, above slub_max_order=%u", name,
				 r.pagesperslab, max_order);
		assert_int_equal(r.objperslab, r.pagesperslab * PAGE_SIZE / class_sizes[i]);
	}
	/* The caches work with those slabs. */
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++) {
		void *p = kmalloc(class_sizes[i], GFP_KERNEL);

		assert_non_null(p);
		memset(p, 0x12, class_sizes[i]);
		kfree(p);
	}
}

static void test_slab_order_options(void **state)
{
	(void)state;
	tu_run_child_ok(slab_orders_body, (void *)(uintptr_t)((0 << 8) | 3), NULL, 10);
	tu_run_child_ok(slab_orders_body, (void *)(uintptr_t)((2 << 8) | 3), "slub_min_order=2", 10);
	tu_run_child_ok(slab_orders_body, (void *)(uintptr_t)((3 << 8) | 3), "slub_min_order=3", 10);
	tu_run_child_ok(slab_orders_body, (void *)(uintptr_t)((0 << 8) | 0), "slub_max_order=0", 10);
	tu_run_child_ok(slab_orders_body, (void *)(uintptr_t)((0 << 8) | 1),
			"slub_max_order=1 slub_min_objects=64", 10);
}

/* --------------------------------------------------- random model -- */

/*
 * A model of the allocator's contract: two million random operations over
 * kmalloc sizes (large ones included) and two user caches, every live
 * object holding its own pattern, checked at free; now and then all live
 * objects are sorted by address and must not overlap.  At the end
 * everything is freed and every page comes back.
 */
#define MODEL_OPS	2000000
#define MODEL_MAX_LIVE	20000
#define MODEL_CHECK_EVERY 50000

enum { K_KMALLOC, K_CACHE_A, K_CACHE_B };

struct model_obj {
	unsigned char *p;
	size_t size;		/* what was asked */
	size_t usable;		/* ksize() at allocation */
	uint64_t id;
	int kind;
};

static struct model_obj model_live[MODEL_MAX_LIVE];
static struct model_obj model_sorted[MODEL_MAX_LIVE];

#define CACHE_A_SIZE	56
#define CACHE_B_SIZE	300

static unsigned long model_ctor_calls;

static void model_ctor(void *p)
{
	memset(p, 0xcb, CACHE_B_SIZE);
	model_ctor_calls++;
}

static int cmp_obj_addr(const void *a, const void *b)
{
	const struct model_obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

static void model_check_all(unsigned int nr_live)
{
	unsigned int i;

	memcpy(model_sorted, model_live, nr_live * sizeof(model_live[0]));
	qsort(model_sorted, nr_live, sizeof(model_sorted[0]), cmp_obj_addr);
	for (i = 0; i < nr_live; i++) {
		const struct model_obj *o = &model_sorted[i];

		assert_pattern(o->p, o->size, o->id);
		if (o->kind == K_KMALLOC && ksize(o->p) != o->usable)
			fail_msg("ksize(%p) changed from %zu to %zu", (void *)o->p, o->usable,
				 ksize(o->p));
		if (i + 1 < nr_live && o->p + o->usable > model_sorted[i + 1].p)
			fail_msg("live objects overlap: %p+%zu (id %llu) and %p (id %llu)",
				 (void *)o->p, o->usable, (unsigned long long)o->id,
				 (void *)model_sorted[i + 1].p,
				 (unsigned long long)model_sorted[i + 1].id);
	}
}

CHILD_TEST(test_random_model, NULL, 60)
{
	struct kmem_cache *ca, *cb, *used[ARRAY_SIZE(class_sizes) + 2];
	unsigned int nr_live = 0, i, nr_used = 0;
	unsigned long start, op, allocs = 0, frees = 0;
	uint64_t next_id = 1;
	struct tu_rng rng;

	tu_rng_init(&rng, 0x5eed);
	ca = kmem_cache_create("model_a", CACHE_A_SIZE, 0, SLAB_NO_MERGE, NULL);
	cb = kmem_cache_create("model_b", CACHE_B_SIZE, 0, SLAB_HWCACHE_ALIGN, model_ctor);
	assert_non_null(ca);
	assert_non_null(cb);
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
		used[nr_used++] = kmalloc_caches[kmalloc_index(class_sizes[i])];
	used[nr_used++] = ca;
	used[nr_used++] = cb;

	/* Warm every cache once, then take the baseline. */
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
		kfree(kmalloc(class_sizes[i], GFP_KERNEL));
	kfree(kmalloc(60000, GFP_KERNEL));
	kmem_cache_free(ca, kmem_cache_alloc(ca, GFP_KERNEL));
	kmem_cache_free(cb, kmem_cache_alloc(cb, GFP_KERNEL));
	tu_shrink_all();
	start = tu_avail_pages();

	for (op = 0; op < MODEL_OPS; op++) {
		uint64_t r = tu_rand_below(&rng, 100);
		/* Keep the live set around a target that wanders over time. */
		unsigned int target = 2000 + (unsigned int)((op / 100000) % 4) * 4000;
		bool do_alloc = nr_live == 0 ||
				(nr_live < MODEL_MAX_LIVE && r < (nr_live < target ? 60 : 40));

		if (do_alloc) {
			struct model_obj *o = &model_live[nr_live];
			uint64_t k = tu_rand_below(&rng, 10);

			o->id = next_id++;
			if (k < 7) {
				o->kind = K_KMALLOC;
				o->size = tu_mixed_size(&rng, 60000);
				o->p = tu_rand_below(&rng, 8) ? kmalloc(o->size, GFP_KERNEL) :
								 kzalloc(o->size, GFP_KERNEL);
				assert_non_null(o->p);
				o->usable = ksize(o->p);
				if (o->usable < o->size)
					fail_msg("kmalloc(%zu): ksize %zu", o->size, o->usable);
			} else if (k < 9) {
				o->kind = K_CACHE_A;
				o->size = o->usable = CACHE_A_SIZE;
				o->p = kmem_cache_alloc(ca, GFP_KERNEL);
				assert_non_null(o->p);
			} else {
				o->kind = K_CACHE_B;
				o->size = o->usable = CACHE_B_SIZE;
				o->p = kmem_cache_alloc(cb, GFP_KERNEL);
				assert_non_null(o->p);
				if (!bytes_are(o->p, CACHE_B_SIZE, 0xcb))
					fail_msg("model_b object %p not in its constructed state",
						 (void *)o->p);
				assert_int_equal((uintptr_t)o->p % 64, 0);
			}
			pat_fill(o->p, o->size, o->id);
			nr_live++;
			allocs++;
		} else if (r < 95 || nr_live == 0) {
			unsigned int idx = (unsigned int)tu_rand_below(&rng, nr_live);
			struct model_obj *o = &model_live[idx];

			assert_pattern(o->p, o->size, o->id);
			if (o->kind == K_KMALLOC) {
				kfree(o->p);
			} else if (o->kind == K_CACHE_A) {
				kmem_cache_free(ca, o->p);
			} else {
				memset(o->p, 0xcb, CACHE_B_SIZE);	/* back to its constructed state */
				kmem_cache_free(cb, o->p);
			}
			model_live[idx] = model_live[--nr_live];
			frees++;
		} else {
			/* krealloc a kmalloc object */
			unsigned int idx = (unsigned int)tu_rand_below(&rng, nr_live);
			struct model_obj *o = &model_live[idx];
			size_t ns;
			unsigned char *np;

			if (o->kind != K_KMALLOC)
				goto next;
			ns = tu_mixed_size(&rng, 60000);
			assert_pattern(o->p, o->size, o->id);
			np = krealloc(o->p, ns, GFP_KERNEL);
			assert_non_null(np);
			assert_pattern(np, min(ns, o->size), o->id);
			o->p = np;
			o->size = ns;
			o->usable = ksize(np);
			assert_true(o->usable >= ns);
			o->id = next_id++;
			pat_fill(np, ns, o->id);
		}
next:
		if ((op + 1) % MODEL_CHECK_EVERY == 0)
			model_check_all(nr_live);
	}
	model_check_all(nr_live);
	assert_true(allocs > MODEL_OPS / 3);
	assert_true(frees > MODEL_OPS / 3);

	while (nr_live) {
		struct model_obj *o = &model_live[--nr_live];

		assert_pattern(o->p, o->size, o->id);
		if (o->kind == K_KMALLOC)
			kfree(o->p);
		else if (o->kind == K_CACHE_A)
			kmem_cache_free(ca, o->p);
		else
			kmem_cache_free(cb, o->p);
	}
	for (i = 0; i < nr_used; i++)
		kmem_cache_shrink(used[i]);
	tu_shrink_all();
	{
		unsigned long end = tu_avail_pages();

		if (end != start)
			fail_msg("available pages %lu at the end, %lu at the start (%+ld)", end, start,
				 (long)end - (long)start);
	}
	kmem_cache_destroy(ca);
	kmem_cache_destroy(cb);
}

/* ----------------------------------------------- lazy slab freelists -- */

static unsigned int resident_pages(const void *addr, unsigned int nr)
{
	unsigned char vec[64];
	unsigned int i, n = 0;

	assert_true(nr <= sizeof(vec));
	assert_int_equal(mincore((void *)addr, (size_t)nr * PAGE_SIZE, vec), 0);
	for (i = 0; i < nr; i++)
		n += vec[i] & 1;
	return n;
}

/*
 * A new slab's objects are on no freelist: they are handed out in address
 * order, so a slab's pages become memory only as its objects are used
 * (SLUB would write a free pointer into every object when the slab is
 * made).  One object of a new 8-page slab: one page resident.  Objects
 * freed back to the slab come out again before the never used ones.
 */
CHILD_TEST(test_new_slab_pages_untouched, NULL, 30)
{
	struct kmem_cache *c = kmem_cache_create("lazy_test", 2048, 0, 0, NULL);
	void *objs[16], *again = NULL;
	struct page *slab;
	char *base;
	unsigned int i;

	assert_non_null(c);
	assert_int_equal(c->order, 3);
	objs[0] = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(objs[0]);
	slab = virt_to_slab(c, objs[0]);
	base = slab_address(slab);
	assert_ptr_equal(objs[0], base);
	memset(objs[0], 0x11, 2048);
	if (resident_pages(base, 8) != 1)
		fail_msg("%u of the new slab's 8 pages are resident after one object",
			 resident_pages(base, 8));
	for (i = 1; i < 16; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		assert_ptr_equal(objs[i], base + i * 2048);	/* address order */
	}
	kmem_cache_free(c, objs[5]);
	kmem_cache_shrink(c);	/* to the slab's freelist */
	/* the next refill takes it first, before the never used objects */
	for (i = 0; i < c->sheaf_capacity; i++) {
		again = kmem_cache_alloc(c, GFP_KERNEL);
		if (again == objs[5])
			break;
	}
	if (i == c->sheaf_capacity)
		fail_msg("a freed object did not come back in a sheaf's worth of allocations");
	kmem_cache_destroy(c);	/* with its objects: the slab goes at once */
}

/* ---------------------------------------- always-on hardening checks -- */

/*
 * A free object's stored free pointer, overwritten with the raw address
 * of a live object (what an attacker with a use-after-free write would
 * try): the allocator must not follow it.  slub_debug=F makes the cache
 * one without sheaves, so the freed object is the head of its slab's
 * freelist and the next allocation reads its free pointer.
 */
static void fp_corrupt_debug_body(void *arg)
{
	struct kmem_cache *c = kmem_cache_create("fp_test", 64, 0, 0, NULL);
	uint64_t *a, *b, *victim;
	unsigned int i;

	(void)arg;
	assert_non_null(c);
	assert_true(c->flags & SLAB_CONSISTENCY_CHECKS);
	a = kmem_cache_alloc(c, GFP_KERNEL);
	b = kmem_cache_alloc(c, GFP_KERNEL);
	victim = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	kmem_cache_free(c, b);
	for (i = 0; i < 64 / 8; i++)
		b[i] = (uintptr_t)victim;	/* a use-after-free write */
	for (i = 0; i < 100; i++) {
		void *p = kmem_cache_alloc(c, GFP_KERNEL);

		if (p == victim)
			fail_msg("the allocator followed a forged free pointer to a live object");
	}
	(void)a;
}

/*
 * The same without slub_debug: kmalloc-8 takes this thread's objects from
 * a slab of 512; 3 sheaves' worth of them are freed and shrunk back to
 * the slab's freelist (a new slab's objects are on none), whose head is
 * overwritten with a live object's raw address.  Refilling
 * the sheaf must catch it.
 */
static void fp_corrupt_default_body(void *arg)
{
	uint64_t *p = kmalloc(8, GFP_KERNEL);	/* the first call: kalloc sets itself up */
	struct kmem_cache *s = kmalloc_caches[kmalloc_index(8)];
	void *freed[3 * 64];
	struct page *slab;
	unsigned char *head;
	unsigned int i;

	(void)arg;
	assert_non_null(p);
	assert_true(3 * s->sheaf_capacity <= ARRAY_SIZE(freed));
	for (i = 0; i < 3 * s->sheaf_capacity; i++)
		freed[i] = kmalloc(8, GFP_KERNEL);
	for (i = 0; i < 3 * s->sheaf_capacity; i++)
		kfree(freed[i]);
	kmem_cache_shrink(s);	/* this thread's sheaves and the barn's, to the slab */
	slab = virt_to_slab(s, p);
	head = slab->freelist;
	assert_non_null(head);
	assert_true(s->objects > s->sheaf_capacity);
	/* a use-after-free write (unchecked: KASAN would report it first) */
	kasan_metadata_store(head + s->offset, (uintptr_t)p);
	for (i = 0; i < 4 * s->objects; i++) {
		void *q = kmalloc(8, GFP_KERNEL);

		if (q == p)
			fail_msg("the allocator followed a forged free pointer to a live object");
	}
}

static void test_freepointer_corrupt(void **state)
{
	static struct tu_child res;

	(void)state;
	tu_run_child(fp_corrupt_debug_body, NULL, "slub_debug=F,fp_test", 10, &res);
	tu_assert_child_aborted(&res, "Freepointer corrupt");
	tu_assert_child_aborted(&res, "BUG fp_test (Not tainted): Freepointer corrupt");
	tu_run_child(fp_corrupt_default_body, NULL, NULL, 10, &res);
	tu_assert_child_aborted(&res, "BUG kmalloc-8 (Not tainted): Freepointer corrupt");
}

/*
 * Double free in a row, without slub_debug.  The case runs after @arg
 * objects have been allocated (so the thread's sheaf is at every kind of
 * fill level: 1 fills it to capacity again with the first free).
 */
static void double_free_body(void *arg)
{
	unsigned int n = (unsigned int)(uintptr_t)arg, i;
	void *objs[200];
	void *p, *q;

	for (i = 0; i < n; i++) {
		objs[i] = kmalloc(64, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	p = objs[n - 1];
	kfree(p);
	kfree(p);	/* must abort */
	/* Had it not: the object would now be handed out twice. */
	q = kmalloc(64, GFP_KERNEL);
	if (q == p && kmalloc(64, GFP_KERNEL) == p)
		fail_msg("double free of %p went unnoticed and kmalloc returned it twice", p);
	fail_msg("double free of %p went unnoticed", p);
}

static void double_free_cache_body(void *arg)
{
	struct kmem_cache *c = kmem_cache_create("df_cache", 48, 0, SLAB_NO_MERGE, NULL);
	void *a = kmem_cache_alloc(c, GFP_KERNEL);
	void *b = kmem_cache_alloc(c, GFP_KERNEL);

	(void)arg;
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_free(c, b);	/* must abort */
	fail_msg("double free of %p went unnoticed", b);
}

static void test_double_free_in_a_row(void **state)
{
	static const unsigned int counts[] = { 2, 10, 33, 64, 1, 65, 129 };
	static struct tu_child res;
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		tu_run_child(double_free_body, (void *)(uintptr_t)counts[i], NULL, 10, &res);
		if (!WIFSIGNALED(res.status) || WTERMSIG(res.status) != SIGABRT ||
		    !strstr(res.err, "Object already free")) {
			tu_dump_child_stderr(&res);
			fail_msg("kfree() twice in a row after %u kmalloc(64) calls was not caught "
				 "as \"Object already free\"", counts[i]);
		}
		tu_assert_child_aborted(&res, "BUG kmalloc-64 (Not tainted): Object already free");
	}
	tu_run_child(double_free_cache_body, NULL, NULL, 10, &res);
	tu_assert_child_aborted(&res, "BUG df_cache (Not tainted): Object already free");
}

/* kfree() of a pointer that is not the start of an object */
static void bad_free_body(void *arg)
{
	int which = (int)(uintptr_t)arg;
	unsigned char *p;

	switch (which) {
	case 0:		/* the middle of a kmalloc-64 object */
		p = kmalloc(64, GFP_KERNEL);
		kfree(p + 8);
		break;
	case 1:		/* inside a kmalloc-96 object */
		p = kmalloc(96, GFP_KERNEL);
		kfree(p + 48);
		break;
	case 2:		/* one byte in, in a user cache */
	{
		struct kmem_cache *c = kmem_cache_create("bad_free", 200, 0, SLAB_NO_MERGE, NULL);

		p = kmem_cache_alloc(c, GFP_KERNEL);
		kmem_cache_free(c, p + 1);
		break;
	}
	case 3:		/* the second page of a large kmalloc */
		p = kmalloc(20000, GFP_KERNEL);
		kfree(p + PAGE_SIZE);
		break;
	case 4:		/* inside the first page of a large kmalloc */
		p = kmalloc(20000, GFP_KERNEL);
		kfree(p + 64);
		break;
	case 5:		/* the middle of a kmalloc-8k object */
		p = kmalloc(8192, GFP_KERNEL);
		kfree(p + 4096);
		break;
	case 6:		/* an address kalloc never handed out */
	{
		int on_stack;

		kfree(kmalloc(8, GFP_KERNEL));
		kfree(&on_stack);
		break;
	}
	case 7:		/* a large kmalloc freed twice */
		p = kmalloc(20000, GFP_KERNEL);
		kfree(p);
		kfree(p);
		break;
	}
	fail_msg("kfree() of an address inside an object (case %d) went unnoticed", which);
}

static void test_kfree_invalid_pointer(void **state)
{
	static struct tu_child res;
	int i;

	(void)state;
	for (i = 0; i <= 7; i++) {
		tu_run_child(bad_free_body, (void *)(uintptr_t)i, NULL, 10, &res);
		if (!WIFSIGNALED(res.status) || WTERMSIG(res.status) != SIGABRT ||
		    !strstr(res.err, "invalid pointer")) {
			tu_dump_child_stderr(&res);
			fail_msg("case %d: expected an abort saying \"invalid pointer\"", i);
		}
	}
}

/*
 * The report names the function the program called: free() and realloc()
 * of an address inside a malloc'd object say so, and name the cache; so
 * does free(p), free(q), free(p) ("Object already free", the free key).
 */
static void bad_malloc_free_body(void *arg)
{
	int which = (int)(uintptr_t)arg;
	char *p = kalloc_malloc(64), *q = kalloc_malloc(64);

	switch (which) {
	case 0:
		kalloc_free(p + 8);
		break;
	case 1:
		kalloc_realloc(p + 8, 100, (unsigned long)bad_malloc_free_body + 1);
		break;
	case 2:
		kalloc_free_fast(p);
		kalloc_free_fast(q);
		kalloc_free_fast(p);
		break;
	}
	exit(0);
}

static void test_malloc_invalid_free_names(void **state)
{
	static const char *const words[] = {
		"free(): invalid pointer", "realloc(): invalid pointer", "Object already free",
	};
	static struct tu_child res;
	unsigned int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		tu_run_child(bad_malloc_free_body, (void *)(uintptr_t)i, NULL, 10, &res);
		tu_assert_child_aborted(&res, words[i]);
		if (i < 2)
			tu_assert_child_aborted(&res, "(kmalloc-64, objects of 64 bytes) from bad_malloc_free_body+");
	}
}

/*
 * KFENCE's sampling shares the slab fast path's countdown with the decay
 * tick (malloc_samples_due()): a slow path taken for another reason (an
 * empty sheaf) must leave the tick its turn, not start the countdown over
 * (before, a program whose sheaves ran empty often seldom ticked: pagerepl
 * kept 10 MiB more).
 */
CHILD_TEST(test_kfence_sampling_keeps_the_tick, "kfence.sample_rate=100000", 10)
{
	struct kalloc_pcpu *cpu;
	int i;

	kfree(kmalloc(64, GFP_KERNEL));
	cpu = kalloc_pcpu_area;
	assert_true((uintptr_t)cpu > (uintptr_t)PCPU_DEAD);
	for (i = 0; i < 100; i++) {
		int before = 100 + i;

		cpu->tick_countdown = before;	/* the tick is 100+i allocations away */
		malloc_samples_due(cpu);
		assert_true(cpu->tick_countdown <= before);
	}
}

/* kmem_cache_free() into another cache than the object's */
static void wrong_cache_body(void *arg)
{
	struct kmem_cache *a = kmem_cache_create("cache_a", 64, 0, SLAB_NO_MERGE, NULL);
	struct kmem_cache *b = kmem_cache_create("cache_b", 64, 0, SLAB_NO_MERGE, NULL);
	void *p = kmem_cache_alloc(a, GFP_KERNEL);

	(void)arg;
	assert_ptr_not_equal(a, b);
	kmem_cache_free(b, p);
	fail_msg("freeing a cache_a object into cache_b went unnoticed");
}

static void test_kmem_cache_free_wrong_cache(void **state)
{
	static struct tu_child res;

	(void)state;
	tu_run_child(wrong_cache_body, NULL, NULL, 10, &res);
	tu_assert_child_aborted(&res, "Wrong slab cache");
}

/* kmem_cache_create() refuses what it cannot make. */
CHILD_TEST(test_cache_create_invalid, NULL, 10)
{
	errno = 0;
	assert_null(kmem_cache_create("zero", 0, 0, 0, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(kmem_cache_create(NULL, 64, 0, 0, NULL));
	assert_null(kmem_cache_create("align3", 64, 3, 0, NULL));
	assert_null(kmem_cache_create("align48", 64, 48, 0, NULL));
	assert_null(kmem_cache_create("huge", KMALLOC_MAX_SIZE + 1, 0, 0, NULL));
}

/* Caches of every kind of size: tiny, odd, page-sized, beyond kmalloc's classes. */
CHILD_TEST(test_cache_sizes, NULL, 30)
{
	static const unsigned int sizes[] = { 1, 2, 7, 8, 9, 12, 24, 100, 1000, 4095, 4096,
					      4097, 10000, 100000, 1 << 20, 4 << 20 };
	enum { N = 40 };
	void *objs[N];
	unsigned long start;
	unsigned int s, i;

	kfree(kmalloc(1, GFP_KERNEL));
	tu_shrink_all();
	start = tu_avail_pages();
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		unsigned int size = sizes[s], n = size > 100000 ? 3 : N;
		struct kmem_cache *c = kmem_cache_create("sized", size, 0, SLAB_NO_MERGE, NULL);

		assert_non_null(c);
		assert_int_equal(kmem_cache_size(c), size);
		for (i = 0; i < n; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			assert_non_null(objs[i]);
			assert_int_equal((uintptr_t)objs[i] % sizeof(void *), 0);
			assert_ptr_equal(page_slab_cache(virt_to_page(objs[i])), c);
			pat_fill(objs[i], size, s * 1000 + i);
		}
		for (i = 0; i < n; i++) {
			assert_pattern(objs[i], size, s * 1000 + i);
			kmem_cache_free(c, objs[i]);
		}
		kmem_cache_destroy(c);
	}
	tu_shrink_all();
	assert_int_equal(tu_avail_pages(), start);
}

/*
 * More caches than threads have sheaf slots for (SLUB_MAX_PCPU_CACHES):
 * every one works, and a cache that inherits the slot of a destroyed one
 * never sees that one's objects.
 */
#define MANY_CACHES	160

CHILD_TEST(test_many_caches, NULL, 30)
{
	static struct kmem_cache *caches[MANY_CACHES];
	enum { N = 50 };
	void *objs[N];
	unsigned long start;
	unsigned int round, c, i;

	kfree(kmalloc(1, GFP_KERNEL));
	tu_shrink_all();
	start = tu_avail_pages();
	for (round = 0; round < 2; round++) {
		for (c = 0; c < MANY_CACHES; c++) {
			char name[32];

			snprintf(name, sizeof(name), "many_%u_%u", round, c);
			caches[c] = kmem_cache_create(name, 24 + 8 * c + round * 4, 0, SLAB_NO_MERGE, NULL);
			assert_non_null(caches[c]);
		}
		for (c = 0; c < MANY_CACHES; c++) {
			unsigned int size = kmem_cache_size(caches[c]);

			for (i = 0; i < N; i++) {
				objs[i] = kmem_cache_alloc(caches[c], GFP_KERNEL);
				assert_non_null(objs[i]);
				if (page_slab_cache(virt_to_page(objs[i])) != caches[c])
					fail_msg("%s handed out %p, an object of %s",
						 kmem_cache_name(caches[c]), objs[i],
						 page_slab_cache(virt_to_page(objs[i]))->name);
				pat_fill(objs[i], size, c * 100 + i);
			}
			for (i = 0; i < N; i++) {
				assert_pattern(objs[i], size, c * 100 + i);
				kmem_cache_free(caches[c], objs[i]);	/* into this thread's sheaf */
			}
		}
		for (c = 0; c < MANY_CACHES; c++)
			kmem_cache_destroy(caches[c]);
	}
	tu_shrink_all();
	assert_int_equal(tu_avail_pages(), start);
}

/* /proc/slabinfo lists every cache, however many there are. */
CHILD_TEST(test_slabinfo_lists_every_cache, NULL, 10)
{
	static struct kmem_cache *caches[MANY_CACHES];
	const char *text;
	unsigned int c, missing = 0;
	struct si_row r;

	for (c = 0; c < MANY_CACHES; c++) {
		char name[32];

		snprintf(name, sizeof(name), "listed_%u", c);
		caches[c] = kmem_cache_create(name, 40 + 8 * c, 0, SLAB_NO_MERGE, NULL);
		assert_non_null(caches[c]);
	}
	text = slabinfo_capture();
	for (c = 0; c < MANY_CACHES; c++) {
		char name[32];

		snprintf(name, sizeof(name), "listed_%u", c);
		if (!slabinfo_row(text, name, &r))
			missing++;
	}
	if (missing)
		fail_msg("slabinfo leaves out %u of %u caches (first missing: the newest)", missing,
			 MANY_CACHES);
	for (c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		char name[32];

		snprintf(name, sizeof(name), class_sizes[c] >= 1024 ? "kmalloc-%uk" : "kmalloc-%u",
			 class_sizes[c] >= 1024 ? class_sizes[c] / 1024 : class_sizes[c]);
		assert_true(slabinfo_row(text, name, &r));
	}
	for (c = 0; c < MANY_CACHES; c++)
		kmem_cache_destroy(caches[c]);
}

/* GFP_DMA and SLAB_CACHE_DMA: the memory comes from ZONE_DMA, as on the kernel. */
CHILD_TEST(test_dma_allocations, NULL, 10)
{
	static const size_t sizes[] = { 8, 64, 100, 1024, 8192, 8193, 100000 };
	struct kmem_cache *c;
	unsigned int i;
	void *p;

	c = kmem_cache_create("dma_cache", 128, 0, SLAB_CACHE_DMA, NULL);
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(page_zonenum(virt_to_page(p)), ZONE_DMA);
	kmem_cache_free(c, p);
	kmem_cache_destroy(c);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		p = kmalloc(sizes[i], GFP_KERNEL | GFP_DMA);
		assert_non_null(p);
		if (page_zonenum(virt_to_page(p)) != ZONE_DMA)
			fail_msg("kmalloc(%zu, GFP_DMA) = %p is in zone %d, not ZONE_DMA", sizes[i], p,
				 page_zonenum(virt_to_page(p)));
		kfree(p);
	}
}

/* ------------------------------------------- malloc's size classes -- */

/* The cache an object of malloc lives in. */
static struct kmem_cache *cache_of(const void *p)
{
	return page_slab_cache(virt_to_page(p));
}

/* Is @size one of the kmalloc sizes? */
static bool is_kmalloc_size(size_t size)
{
	return class_of(size) == size;
}

/*
 * Every size 1..8192: malloc_usable_size() is exactly the object size of
 * the cache the object lives in, constant, at least the request and within
 * the waste bound (25% from 129 bytes, 12.5% above 1 KiB); the class is
 * the smallest that holds the size (a new class begins right after the
 * previous one ends); a class that is a kmalloc size is the kmalloc cache
 * itself, any other is "malloc-<size>".
 */
CHILD_TEST(test_malloc_every_size, NULL, 60)
{
	size_t size, prev = 0, classes = 0;

	for (size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		void *p = kalloc_malloc(size);
		struct kmem_cache *s;
		size_t usable;

		assert_non_null(p);
		s = cache_of(p);
		assert_non_null(s);
		usable = kalloc_usable_size(p);
		if (usable != s->object_size || usable < size)
			fail_msg("malloc(%zu): usable size %zu in %s (object size %u)", size, usable,
				 s->name, s->object_size);
		if ((size > 128 && (usable - size) * 4 > usable) ||
		    (size > 1024 && (usable - size) * 8 > usable))
			fail_msg("malloc(%zu): class %zu wastes %zu bytes", size, usable, usable - size);
		if (usable != prev) {
			if (usable < prev || (prev && prev != size - 1))
				fail_msg("malloc(%zu): class %zu after class %zu", size, usable, prev);
			classes++;
			prev = usable;
		}
		if ((uintptr_t)p % (size >= 16 ? 16 : 8))
			fail_msg("malloc(%zu) = %p: not aligned", size, p);
		if (is_kmalloc_size(usable)) {
			assert_ptr_equal(s, kmalloc_caches[kmalloc_index(usable)]);
		} else {
			char name[32];

			snprintf(name, sizeof(name), "malloc-%zu", usable);
			assert_string_equal(s->name, name);
			assert_true(s->flags & SLAB_NO_MERGE);
		}
		assert_ptr_equal(malloc_caches[malloc_index(size)], s);
		memset(p, 0x5a, usable);
		assert_int_equal(kalloc_usable_size(p), usable);
		kalloc_free(p);
	}
	/* 8..128 by 16, four per power of two to 1 KiB, eight to 8 KiB */
	assert_int_equal(classes, 9 + 12 + 24);
}

/*
 * malloc's own caches are in slabinfo under their names, count their
 * objects, lose at most 1/16 of a slab to its tail, and take the requests
 * that kmalloc-2k and kmalloc-8k took before; the totals (mallinfo) count
 * their objects as bytes in use.
 */
CHILD_TEST(test_malloc_caches_slabinfo, NULL, 20)
{
	enum { N = 200 };
	static void *a[N], *b[N];
	struct kalloc_malloc_stats st0, st;
	struct si_row r, k2, k8, k2_0, k8_0;
	const char *text, *line;
	unsigned int i, rows = 0;

	kalloc_malloc_stats(&st0);
	k2_0 = slabinfo_get("kmalloc-2k");
	k8_0 = slabinfo_get("kmalloc-8k");
	for (i = 0; i < N; i++) {
		a[i] = kalloc_malloc(1033);
		b[i] = kalloc_malloc(4400);
		assert_non_null(a[i]);
		assert_non_null(b[i]);
	}
	text = slabinfo_capture();
	assert_true(slabinfo_row(text, "malloc-1088", &r));
	check_row_consistent(&r);
	assert_int_equal(r.objsize, 1088);
	assert_true(r.active_objs >= N);
	assert_true(slabinfo_row(text, "malloc-4608", &r));
	check_row_consistent(&r);
	assert_int_equal(r.objsize, 4608);
	assert_true(r.active_objs >= N);
	assert_true(slabinfo_row(text, "kmalloc-2k", &k2));
	assert_true(slabinfo_row(text, "kmalloc-8k", &k8));
	assert_true(k2.active_objs < k2_0.active_objs + N);
	assert_true(k8.active_objs < k8_0.active_objs + N);
	/* every malloc-* line: consistent, and its slabs' tails small */
	for (line = strstr(text, "\nmalloc-"); line; line = strstr(line + 1, "\nmalloc-")) {
		char name[40];

		assert_int_equal(sscanf(line + 1, "%39s", name), 1);
		assert_true(slabinfo_row(text, name, &r));
		check_row_consistent(&r);
		if ((unsigned long)r.objperslab * r.objsize < r.pagesperslab * PAGE_SIZE / 16 * 15)
			fail_msg("%s: %u objects of %u bytes in %u pages", name, r.objperslab,
				 r.objsize, r.pagesperslab);
		rows++;
	}
	assert_true(rows >= 2);
	/* a sheaf of malloc's own caches holds about 8 KiB, at least 2 objects */
	for (i = PCPU_MALLOC_FIRST; i < PCPU_RESERVED_SLOTS; i++) {
		struct kmem_cache *s = malloc_caches[i];

		if (s && s->sheaf_capacity > 2 && s->sheaf_capacity * s->size > 8192)
			fail_msg("%s: sheaves of %u objects", s->name, s->sheaf_capacity);
	}
	kalloc_malloc_stats(&st);
	if (st.bytes_in_use < st0.bytes_in_use + N * (1088 + 4608))
		fail_msg("bytes in use %lu, was %lu before %u objects of 1088 and 4608", st.bytes_in_use,
			 st0.bytes_in_use, N);
	for (i = 0; i < N; i++) {
		kalloc_free(a[i]);
		kalloc_free(b[i]);
	}
	kmem_cache_shrink(malloc_caches[malloc_index(1033)]);
	r = slabinfo_get("malloc-1088");
	assert_int_equal(r.active_objs, 0);
	assert_int_equal(r.num_slabs, 0);
}

/* realloc() stays in the object while the new size maps to its class, and moves otherwise. */
CHILD_TEST(test_malloc_realloc_in_class, NULL, 10)
{
	static const size_t steps[][4] = {
		/* first, still in its class (up, down), the next class up */
		{ 1100, 1152, 1089, 1153 },
		{ 200, 224, 193, 225 },
		{ 40, 48, 33, 49 },
		{ 4400, 4608, 4353, 4609 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		unsigned char *p = kalloc_malloc(steps[i][0]), *q;
		size_t usable = kalloc_usable_size(p);

		assert_int_equal(usable, steps[i][1]);
		pat_fill(p, steps[i][0], i);
		assert_ptr_equal(kalloc_realloc(p, steps[i][1], 0), p);
		assert_ptr_equal(kalloc_realloc(p, steps[i][2], 0), p);
		assert_int_equal(kalloc_usable_size(p), usable);
		q = kalloc_realloc(p, steps[i][3], 0);
		assert_non_null(q);
		assert_ptr_not_equal(q, p);
		assert_true(kalloc_usable_size(q) > usable);
		assert_pattern(q, steps[i][2], i);
		/* shrinking below the class moves too, to the smaller class */
		p = kalloc_realloc(q, steps[i][2] - 1, 0);
		assert_ptr_not_equal(p, q);
		assert_true(kalloc_usable_size(p) < usable);
		assert_pattern(p, steps[i][2] - 1, i);
		kalloc_free(p);
	}
}

/* No cache becomes an alias of one of malloc's, whatever its size. */
CHILD_TEST(test_malloc_caches_no_merge, NULL, 10)
{
	struct kmem_cache *mine, *s;
	void *p = kalloc_malloc(1100), *q;

	mine = cache_of(p);
	assert_string_equal(mine->name, "malloc-1152");
	s = kmem_cache_create("like_malloc_1152", 1152, 16, 0, NULL);
	assert_non_null(s);
	assert_ptr_not_equal(s, mine);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(cache_of(q), mine);
	kmem_cache_free(s, q);
	kmem_cache_destroy(s);
	assert_int_equal(mine->refcount, 1);
	kalloc_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmalloc_every_size),
		cmocka_unit_test(test_kmalloc_alignment_many),
		cmocka_unit_test(test_kmalloc_contents_survive),
		cmocka_unit_test(test_kzalloc_kcalloc_zeroed),
		cmocka_unit_test(test_kcalloc_overflow),
		cmocka_unit_test(test_kmalloc_zero_and_null),
		cmocka_unit_test(test_krealloc),
		cmocka_unit_test(test_kmalloc_large),
		cmocka_unit_test(test_cache_lifecycle),
		cmocka_unit_test(test_cache_hwcache_align),
		cmocka_unit_test(test_cache_ctor),
		cmocka_unit_test(test_cache_merge),
		cmocka_unit_test(test_cache_nomerge_option),
		cmocka_unit_test(test_cache_destroy_with_objects),
		cmocka_unit_test(test_slabinfo_kmalloc64),
		cmocka_unit_test(test_slab_order_options),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_new_slab_pages_untouched),
		cmocka_unit_test(test_freepointer_corrupt),
		cmocka_unit_test(test_double_free_in_a_row),
		cmocka_unit_test(test_kfree_invalid_pointer),
		cmocka_unit_test(test_malloc_invalid_free_names),
		cmocka_unit_test(test_kfence_sampling_keeps_the_tick),
		cmocka_unit_test(test_kmem_cache_free_wrong_cache),
		cmocka_unit_test(test_cache_create_invalid),
		cmocka_unit_test(test_cache_sizes),
		cmocka_unit_test(test_many_caches),
		cmocka_unit_test(test_slabinfo_lists_every_cache),
		cmocka_unit_test(test_dma_allocations),
		cmocka_unit_test(test_malloc_every_size),
		cmocka_unit_test(test_malloc_caches_slabinfo),
		cmocka_unit_test(test_malloc_realloc_in_class),
		cmocka_unit_test(test_malloc_caches_no_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
