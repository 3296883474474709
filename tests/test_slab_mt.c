/*
 * tests/test_slab_mt.c - the slab layer under threads (lib/slub.c): the
 * per-thread sheaves, the barn they trade through, frees from other
 * threads, thread exit, many short-lived threads, and fork() while other
 * threads allocate.
 *
 * Every case runs in a forked child with a fresh machine (testutil.h).
 * Threads report a failed check with cmocka's assert_*(), which abort the
 * child (CMOCKA_TEST_ABORT=1 there), so the parent sees the message.
 *
 * The bookkeeping the cases check at the end:
 *  - /proc/slabinfo (kalloc_report("slabinfo")): each kmalloc cache's
 *    active_objs is back at its value before the threads ran, once the
 *    threads are joined (their sheaves went to the barn or the slabs) and
 *    the main thread has shrunk every cache (the barn's sheaves go back).
 *  - "available pages": nr_free_pages() after drain_local_pages(NULL),
 *    plus pages of sections not onlined yet (onlining adds free pages
 *    without any being freed), after kmem_cache_shrink() of every cache
 *    on slab_caches, kalloc's own metadata caches included.
 *
 * Durations are bounded both by time and by operation counts, so a slow
 * machine does less work rather than time out.  KALLOC_TEST_SEED=n
 * changes the random choices.
 */
#include "testutil.h"

#include "kalloc.h"
#include "slab.h"

#include <pthread.h>

/* ---------------------------------------------------------- helpers -- */

static struct tu_child res_buf;	/* 64 KiB: not on the stack */

static const unsigned int class_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192
};

/*
 * An object holds @id's pattern in its first and last 512 bytes (all of it
 * when smaller), enough to see an object handed out twice or overwritten.
 */
#define pat_fill(p, len, id)		tu_pat_fill((p), (len), (id), 512)
#define assert_pattern(p, len, id)	tu_assert_pattern((p), (len), (id), 512)

/* The kmalloc caches' active_objs, from kalloc_report("slabinfo"). */
struct active_counts {
	unsigned long active[ARRAY_SIZE(class_sizes)];
	unsigned long num[ARRAY_SIZE(class_sizes)];
};

static char si_text[1 << 17];

static struct active_counts slabinfo_active(void)
{
	struct active_counts c;
	unsigned int i;
	char *line;

	memset(&c, 0, sizeof(c));
	tu_report_capture(si_text, sizeof(si_text), "slabinfo");
	assert_true(strncmp(si_text, "slabinfo - version: 2.1\n", 24) == 0);
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++) {
		char name[32];
		bool found = false;

		snprintf(name, sizeof(name), class_sizes[i] >= 1024 ? "kmalloc-%uk " : "kmalloc-%u ",
			 class_sizes[i] >= 1024 ? class_sizes[i] / 1024 : class_sizes[i]);
		for (line = si_text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
			char nm[40];
			unsigned long active, num;

			if (strncmp(line, name, strlen(name)))
				continue;
			assert_int_equal(sscanf(line, "%39s %lu %lu", nm, &active, &num), 3);
			c.active[i] = active;
			c.num[i] = num;
			found = true;
			break;
		}
		if (!found)
			fail_msg("no slabinfo line for %s", name);
	}
	return c;
}

static void assert_active_equal(const struct active_counts *before,
				const struct active_counts *after)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
		if (before->active[i] != after->active[i])
			fail_msg("kmalloc-%u: active_objs %lu, was %lu before the threads ran",
				 class_sizes[i], after->active[i], before->active[i]);
}

/* Allocate and free once in every kmalloc cache, then shrink: a baseline. */
static void warm_and_shrink(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
		kfree(kmalloc(class_sizes[i], GFP_KERNEL));
	kfree(kmalloc(30000, GFP_KERNEL));
	tu_shrink_all();
}

static uint64_t elapsed_ms(uint64_t since_ns)
{
	return (tu_now_ns() - since_ns) / 1000000;
}

/* ------------------------------------------------ producer/consumer -- */

#define PC_PRODUCERS	2
#define PC_CONSUMERS	2
#define PC_QUEUE	8192
#define PC_BATCH	32
#define PC_MAX_OPS	1500000		/* per producer */
#define PC_MS		2000

struct pc_item {
	void *p;
	size_t size;
	uint64_t id;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t not_empty, not_full;
	struct pc_item ring[PC_QUEUE];
	unsigned long head, tail;	/* tail - head items queued */
	int producers_left;
} pcq = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
};

static unsigned long pc_produced, pc_consumed;
static uint64_t pc_start_ns;

static void *pc_producer(void *arg)
{
	unsigned long who = (unsigned long)(uintptr_t)arg, seq = 0, i;
	struct pc_item batch[PC_BATCH];
	struct tu_rng rng;

	tu_rng_init(&rng, 1000 + who);
	while (seq < PC_MAX_OPS && elapsed_ms(pc_start_ns) < PC_MS) {
		for (i = 0; i < PC_BATCH; i++, seq++) {
			struct pc_item *it = &batch[i];

			it->size = tu_mixed_size(&rng, 24000);
			it->id = (who << 40) | seq;
			it->p = kmalloc(it->size, GFP_KERNEL);
			assert_non_null(it->p);
			pat_fill(it->p, it->size, it->id);
		}
		pthread_mutex_lock(&pcq.lock);
		while (pcq.tail - pcq.head + PC_BATCH > PC_QUEUE)
			pthread_cond_wait(&pcq.not_full, &pcq.lock);
		for (i = 0; i < PC_BATCH; i++)
			pcq.ring[pcq.tail++ % PC_QUEUE] = batch[i];
		pthread_cond_broadcast(&pcq.not_empty);
		pthread_mutex_unlock(&pcq.lock);
		__atomic_fetch_add(&pc_produced, PC_BATCH, __ATOMIC_RELAXED);
	}
	pthread_mutex_lock(&pcq.lock);
	pcq.producers_left--;
	pthread_cond_broadcast(&pcq.not_empty);
	pthread_mutex_unlock(&pcq.lock);
	return NULL;
}

static void *pc_consumer(void *arg)
{
	struct pc_item batch[PC_BATCH];
	unsigned int n, i;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&pcq.lock);
		while (pcq.tail == pcq.head && pcq.producers_left)
			pthread_cond_wait(&pcq.not_empty, &pcq.lock);
		for (n = 0; n < PC_BATCH && pcq.head != pcq.tail; n++)
			batch[n] = pcq.ring[pcq.head++ % PC_QUEUE];
		pthread_cond_broadcast(&pcq.not_full);
		pthread_mutex_unlock(&pcq.lock);
		if (!n)
			break;	/* empty and no producer left */
		for (i = 0; i < n; i++) {
			struct pc_item *it = &batch[i];

			assert_pattern(it->p, it->size, it->id);
			if (ksize(it->p) < it->size)
				fail_msg("ksize(%p) = %zu < %zu", it->p, ksize(it->p), it->size);
			kfree(it->p);
		}
		__atomic_fetch_add(&pc_consumed, n, __ATOMIC_RELAXED);
	}
	return NULL;
}

CHILD_TEST(test_producer_consumer, NULL, 30)
{
	pthread_t prod[PC_PRODUCERS], cons[PC_CONSUMERS];
	struct active_counts before, after;
	unsigned long avail_before;
	int i;

	warm_and_shrink();
	before = slabinfo_active();
	avail_before = tu_avail_pages();
	pcq.producers_left = PC_PRODUCERS;
	pc_start_ns = tu_now_ns();
	for (i = 0; i < PC_CONSUMERS; i++)
		assert_int_equal(pthread_create(&cons[i], NULL, pc_consumer, NULL), 0);
	for (i = 0; i < PC_PRODUCERS; i++)
		assert_int_equal(pthread_create(&prod[i], NULL, pc_producer, (void *)(uintptr_t)(i + 1)), 0);
	for (i = 0; i < PC_PRODUCERS; i++)
		pthread_join(prod[i], NULL);
	for (i = 0; i < PC_CONSUMERS; i++)
		pthread_join(cons[i], NULL);

	assert_int_equal(pcq.head, pcq.tail);
	assert_int_equal(pc_produced, pc_consumed);
	assert_true(pc_produced >= 10000);	/* it did run */
	tu_shrink_all();
	after = slabinfo_active();
	assert_active_equal(&before, &after);
	assert_int_equal(tu_avail_pages(), avail_before);
}

/* ------------------------------------- mixed roles: the barn trades -- */

/*
 * Every thread both allocates and frees, in bursts, objects that other
 * threads allocated: sheaves fill and empty on every thread and move
 * through the barn all the time.  The first word of each live object
 * holds a tag set with an atomic exchange at allocation: finding a tag
 * already there means the object was handed out twice.
 */
#define MX_THREADS	4
#define MX_POOL		(1 << 15)
#define MX_MS		1500
#define MX_MAX_ROUNDS	200000
#define MX_LIVE_MAGIC	0x4c49564500000000ull	/* "LIVE" */

static struct {
	pthread_mutex_t lock;
	void *objs[MX_POOL];
	size_t sizes[MX_POOL];
	unsigned int n;
} mxp = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t mx_start_ns;
static unsigned long mx_dups, mx_bad, mx_ops;

static void *mx_thread(void *arg)
{
	unsigned long who = (unsigned long)(uintptr_t)arg, round;
	static __thread void *mine[320];
	static __thread size_t mine_size[320];
	struct tu_rng rng;

	tu_rng_init(&rng, 77 + who);
	for (round = 0; round < MX_MAX_ROUNDS && elapsed_ms(mx_start_ns) < MX_MS; round++) {
		unsigned int n = 1 + (unsigned int)tu_rand_below(&rng, 300), m, i;

		for (i = 0; i < n; i++) {
			/* three classes: 16..64 bytes, so few caches carry all the traffic */
			size_t size = 16 + 8 * tu_rand_below(&rng, 7);
			uint64_t *p = kmalloc(size, GFP_KERNEL), old;

			assert_non_null(p);
			old = __atomic_exchange_n(p, MX_LIVE_MAGIC | (uint64_t)size, __ATOMIC_RELAXED);
			if ((old & 0xffffffff00000000ull) == MX_LIVE_MAGIC)
				__atomic_fetch_add(&mx_dups, 1, __ATOMIC_RELAXED);
			mine[i] = p;
			mine_size[i] = size;
		}
		pthread_mutex_lock(&mxp.lock);
		for (i = 0; i < n && mxp.n < MX_POOL; i++) {
			mxp.objs[mxp.n] = mine[i];
			mxp.sizes[mxp.n++] = mine_size[i];
		}
		/* what did not fit is freed here */
		for (m = 0; i < n; i++, m++) {
			mine[m] = mine[i];
			mine_size[m] = mine_size[i];
		}
		n = m;
		m = 1 + (unsigned int)tu_rand_below(&rng, 300);
		while (m-- && mxp.n && n < 320) {
			unsigned int k = (unsigned int)tu_rand_below(&rng, mxp.n);

			mine[n] = mxp.objs[k];
			mine_size[n++] = mxp.sizes[k];
			mxp.objs[k] = mxp.objs[--mxp.n];
			mxp.sizes[k] = mxp.sizes[mxp.n];
		}
		pthread_mutex_unlock(&mxp.lock);
		for (i = 0; i < n; i++) {
			uint64_t *p = mine[i];
			uint64_t old = __atomic_exchange_n(p, 0, __ATOMIC_RELAXED);

			if (old != (MX_LIVE_MAGIC | (uint64_t)mine_size[i]))
				__atomic_fetch_add(&mx_bad, 1, __ATOMIC_RELAXED);
			kfree(p);
		}
		__atomic_fetch_add(&mx_ops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

CHILD_TEST(test_mixed_roles_exchange, NULL, 30)
{
	pthread_t t[MX_THREADS];
	struct active_counts before, after;
	unsigned long avail_before;
	unsigned int i;

	warm_and_shrink();
	before = slabinfo_active();
	avail_before = tu_avail_pages();
	mx_start_ns = tu_now_ns();
	for (i = 0; i < MX_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, mx_thread, (void *)(uintptr_t)i), 0);
	for (i = 0; i < MX_THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(mx_dups, 0);
	assert_int_equal(mx_bad, 0);
	assert_true(mx_ops >= 100);
	/* The pool's leftovers are freed by the main thread. */
	for (i = 0; i < mxp.n; i++) {
		uint64_t *p = mxp.objs[i];

		assert_int_equal(*p, MX_LIVE_MAGIC | (uint64_t)mxp.sizes[i]);
		kfree(p);
	}
	tu_shrink_all();
	after = slabinfo_active();
	assert_active_equal(&before, &after);
	assert_int_equal(tu_avail_pages(), avail_before);
}

/* ---------------------------------------------------- thread exit -- */

/*
 * A thread allocates objects of many sizes from kmalloc and a user cache,
 * frees half of them (they sit in its sheaves and the barn) and exits
 * with the other half live.  Nothing is lost: the live objects keep their
 * contents and are never handed out again while live, the main thread
 * frees them, and every page comes back.
 */
#define TE_N	6000
#define TE_CACHE_SIZE	200

struct te_obj {
	void *p;
	size_t size;
	uint64_t id;
	bool cache;
};

static struct te_obj te_objs[TE_N];
static struct kmem_cache *te_cache;

static void *te_thread(void *arg)
{
	struct tu_rng rng;
	unsigned int i;

	(void)arg;
	tu_rng_init(&rng, 4242);
	for (i = 0; i < TE_N; i++) {
		struct te_obj *o = &te_objs[i];

		o->id = i + 1;
		o->cache = i % 5 == 0;
		if (o->cache) {
			o->size = TE_CACHE_SIZE;
			o->p = kmem_cache_alloc(te_cache, GFP_KERNEL);
		} else {
			o->size = tu_mixed_size(&rng, 24000);
			o->p = kmalloc(o->size, GFP_KERNEL);
		}
		assert_non_null(o->p);
		pat_fill(o->p, o->size, o->id);
	}
	/* Free every other one: this thread's sheaves fill up. */
	for (i = 0; i < TE_N; i += 2) {
		struct te_obj *o = &te_objs[i];

		assert_pattern(o->p, o->size, o->id);
		if (o->cache)
			kmem_cache_free(te_cache, o->p);
		else
			kfree(o->p);
		o->p = NULL;
	}
	/* And leave a few more in a half-full sheaf. */
	for (i = 0; i < 10; i++) {
		void *p = kmalloc(64, GFP_KERNEL);

		assert_non_null(p);
		kfree(p);
	}
	return NULL;	/* exits with the odd objects live */
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

CHILD_TEST(test_thread_exit_with_objects, NULL, 30)
{
	static uintptr_t live_sorted[TE_N];
	static void *again[TE_N];
	unsigned long avail_before;
	struct active_counts before, after;
	unsigned int i, nlive = 0;
	struct tu_rng rng;
	pthread_t t;

	te_cache = kmem_cache_create("te_cache", TE_CACHE_SIZE, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(te_cache);
	kmem_cache_free(te_cache, kmem_cache_alloc(te_cache, GFP_KERNEL));
	warm_and_shrink();
	before = slabinfo_active();
	avail_before = tu_avail_pages();

	assert_int_equal(pthread_create(&t, NULL, te_thread, NULL), 0);
	pthread_join(t, NULL);

	for (i = 0; i < TE_N; i++)
		if (te_objs[i].p)
			live_sorted[nlive++] = (uintptr_t)te_objs[i].p;
	assert_int_equal(nlive, TE_N / 2);
	qsort(live_sorted, nlive, sizeof(live_sorted[0]), cmp_ptr);

	/* Allocate as much again here: nothing live may come back. */
	tu_rng_init(&rng, 4242);
	for (i = 0; i < TE_N; i++) {
		size_t size = i % 5 == 0 ? TE_CACHE_SIZE : 1 + tu_rand_below(&rng, 2048);
		uintptr_t key;

		again[i] = i % 5 == 0 ? kmem_cache_alloc(te_cache, GFP_KERNEL) :
					kmalloc(size, GFP_KERNEL);
		assert_non_null(again[i]);
		key = (uintptr_t)again[i];
		if (bsearch(&key, live_sorted, nlive, sizeof(live_sorted[0]), cmp_ptr))
			fail_msg("%p, live in the exited thread's objects, was handed out again",
				 again[i]);
		memset(again[i], 0x6e, size);
	}
	for (i = 0; i < TE_N; i++) {
		struct te_obj *o = &te_objs[i];

		if (!o->p)
			continue;
		assert_pattern(o->p, o->size, o->id);
		if (o->cache)
			kmem_cache_free(te_cache, o->p);
		else
			kfree(o->p);
	}
	for (i = 0; i < TE_N; i++) {
		if (i % 5 == 0)
			kmem_cache_free(te_cache, again[i]);
		else
			kfree(again[i]);
	}
	tu_shrink_all();
	after = slabinfo_active();
	assert_active_equal(&before, &after);
	assert_int_equal(tu_avail_pages(), avail_before);
	kmem_cache_destroy(te_cache);
}

/* Thread exit with only sheaves (no live objects), many caches touched. */
static void *te_sheaves_only(void *arg)
{
	void *objs[200];
	unsigned int c, i;

	(void)arg;
	for (c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		for (i = 0; i < 200; i++) {
			objs[i] = kmalloc(class_sizes[c], GFP_KERNEL);
			assert_non_null(objs[i]);
		}
		for (i = 0; i < 200; i++)
			kfree(objs[i]);
	}
	return NULL;
}

CHILD_TEST(test_thread_exit_sheaves_only, NULL, 20)
{
	struct active_counts before, after;
	unsigned long avail_before;
	int round;

	warm_and_shrink();
	before = slabinfo_active();
	avail_before = tu_avail_pages();
	for (round = 0; round < 20; round++) {
		pthread_t t;

		assert_int_equal(pthread_create(&t, NULL, te_sheaves_only, NULL), 0);
		pthread_join(t, NULL);
	}
	tu_shrink_all();
	after = slabinfo_active();
	assert_active_equal(&before, &after);
	assert_int_equal(tu_avail_pages(), avail_before);
}

/* -------------------------------- after the thread's caches went back -- */

/*
 * glibc runs pthread-key destructors in key order, and other libraries'
 * destructors (glibc's own too) may allocate and free after kalloc's has
 * handed the thread's caches back.  Those calls must work through the
 * shared paths, and must not quietly set up a new per-thread area that
 * nobody would ever hand back.
 */
static pthread_key_t late_key;
static struct kmem_cache *late_cache;
static void *late_objs[400];
static int late_was_dead;

static void late_destructor(void *arg)
{
	unsigned int i;
	void *tmp[300];

	(void)arg;
	late_was_dead = kalloc_pcpu_area == PCPU_DEAD;
	for (i = 0; i < 300; i++) {
		tmp[i] = i % 3 ? kmalloc(1 + i * 37 % 3000, GFP_KERNEL) :
				 kmem_cache_alloc(late_cache, GFP_KERNEL);
		assert_non_null(tmp[i]);
		memset(tmp[i], 0x4d, i % 3 ? 1 + i * 37 % 3000 : 88);
	}
	for (i = 0; i < 300; i++) {
		if (i % 3)
			kfree(tmp[i]);
		else
			kmem_cache_free(late_cache, tmp[i]);
	}
	/* Free what the thread allocated while it had its caches. */
	for (i = 0; i < 400; i++) {
		assert_pattern(late_objs[i], 88, i);
		if (i % 2)
			kfree(late_objs[i]);
		else
			kmem_cache_free(late_cache, late_objs[i]);
	}
	/* Large ones go through the page allocator's shared path. */
	kfree(kmalloc(30000, GFP_KERNEL));
	assert_true(kalloc_pcpu_area == PCPU_DEAD);	/* no new area */
}

static void *late_thread(void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < 400; i++) {
		late_objs[i] = i % 2 ? kmalloc(88, GFP_KERNEL) : kmem_cache_alloc(late_cache, GFP_KERNEL);
		assert_non_null(late_objs[i]);
		pat_fill(late_objs[i], 88, i);
	}
	pthread_setspecific(late_key, (void *)1);
	return NULL;
}

static unsigned int nr_pcpu_areas(void)
{
	struct kalloc_pcpu *cpu;
	unsigned int n = 0;

	spin_lock(&pcpu_lock);
	list_for_each_entry(cpu, &all_pcpus, list)
		n++;
	spin_unlock(&pcpu_lock);
	return n;
}

CHILD_TEST(test_alloc_after_thread_exit, NULL, 20)
{
	struct active_counts before, after;
	unsigned long avail_before;
	unsigned int areas, round;

	late_cache = kmem_cache_create("late_cache", 88, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(late_cache);
	/* Created after kalloc set itself up: runs after kalloc's destructor. */
	assert_int_equal(pthread_key_create(&late_key, late_destructor), 0);
	kmem_cache_free(late_cache, kmem_cache_alloc(late_cache, GFP_KERNEL));
	warm_and_shrink();
	before = slabinfo_active();
	avail_before = tu_avail_pages();
	areas = nr_pcpu_areas();
	for (round = 0; round < 20; round++) {
		pthread_t t;

		late_was_dead = 0;
		assert_int_equal(pthread_create(&t, NULL, late_thread, NULL), 0);
		pthread_join(t, NULL);
		assert_true(late_was_dead);	/* the case ran where it should */
		assert_int_equal(nr_pcpu_areas(), areas);
	}
	tu_shrink_all();
	after = slabinfo_active();
	assert_active_equal(&before, &after);
	assert_int_equal(tu_avail_pages(), avail_before);
	kmem_cache_destroy(late_cache);
}

/* ------------------------- destroy while other threads hold sheaves -- */

/*
 * Another thread, alive but idle, holds objects of cache C in its sheaves
 * when C is destroyed: they go back with C (no "still has objects"), and
 * a cache created next - which may inherit C's sheaf slot - hands that
 * thread only its own objects.
 */
static pthread_barrier_t dt_barrier;
static struct kmem_cache *dt_c, *dt_d;

static void *dt_thread(void *arg)
{
	void *objs[100];
	unsigned int i;

	(void)arg;
	for (i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(dt_c, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	for (i = 0; i < 100; i++)
		kmem_cache_free(dt_c, objs[i]);	/* into this thread's sheaves */
	pthread_barrier_wait(&dt_barrier);	/* main destroys C, creates D */
	pthread_barrier_wait(&dt_barrier);
	for (i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(dt_d, GFP_KERNEL);
		assert_non_null(objs[i]);
		if (page_slab_cache(virt_to_page(objs[i])) != dt_d)
			fail_msg("cache D handed out %p, which is not one of its objects", objs[i]);
		memset(objs[i], 0x2e, 72);
	}
	for (i = 0; i < 100; i++)
		kmem_cache_free(dt_d, objs[i]);
	return NULL;
}

static void destroy_other_sheaves_body(void *arg)
{
	unsigned long avail_before;
	pthread_t t;

	(void)arg;
	kfree(kmalloc(1, GFP_KERNEL));
	assert_int_equal(pthread_barrier_init(&dt_barrier, NULL, 2), 0);
	dt_c = kmem_cache_create("dt_c", 72, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(dt_c);
	assert_int_equal(pthread_create(&t, NULL, dt_thread, NULL), 0);
	pthread_barrier_wait(&dt_barrier);
	kmem_cache_destroy(dt_c);
	dt_d = kmem_cache_create("dt_d", 72, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(dt_d);
	pthread_barrier_wait(&dt_barrier);
	pthread_join(t, NULL);
	tu_shrink_all();
	avail_before = tu_avail_pages();
	kmem_cache_destroy(dt_d);
	tu_shrink_all();
	assert_true(tu_avail_pages() >= avail_before);
}

static void test_destroy_with_other_threads_sheaves(void **state)
{
	(void)state;
	tu_run_child(destroy_other_sheaves_body, NULL, NULL, 20, &res_buf);
	tu_assert_child_ok(&res_buf);
	if (strstr(res_buf.err, "still has objects")) {
		tu_dump_child_stderr(&res_buf);
		fail_msg("objects in another thread's sheaves were taken for live ones");
	}
}

/* ----------------------------------------- many short-lived threads -- */

#define ST_THREADS	2000
#define ST_WAVE		4
#define ST_WARM		200
#define ST_OBJS		300

static void *st_thread(void *arg)
{
	uint64_t base = (uint64_t)(uintptr_t)arg * 1000;
	unsigned int order[ST_OBJS];
	void *objs[ST_OBJS];
	size_t sizes[ST_OBJS];
	struct tu_rng rng;
	unsigned int i, k;

	tu_rng_init(&rng, base + 1);
	for (i = 0; i < ST_OBJS; i++) {
		sizes[i] = 1 + tu_rand_below(&rng, i % 10 ? 512 : 8192);
		objs[i] = kmalloc(sizes[i], GFP_KERNEL);
		assert_non_null(objs[i]);
		pat_fill(objs[i], sizes[i], base + i);
		order[i] = i;
	}
	/* Free in a shuffled order. */
	for (i = ST_OBJS - 1; i > 0; i--) {
		unsigned int j = (unsigned int)tu_rand_below(&rng, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (k = 0; k < ST_OBJS; k++) {
		i = order[k];
		assert_pattern(objs[i], sizes[i], base + i);
		kfree(objs[i]);
	}
	return NULL;
}

static void st_run(unsigned int from, unsigned int to)
{
	unsigned int i, k;

	for (i = from; i < to; i += ST_WAVE) {
		pthread_t t[ST_WAVE];

		for (k = 0; k < ST_WAVE && i + k < to; k++)
			assert_int_equal(pthread_create(&t[k], NULL, st_thread,
							(void *)(uintptr_t)(i + k)), 0);
		for (k = 0; k < ST_WAVE && i + k < to; k++)
			pthread_join(t[k], NULL);
	}
}

CHILD_TEST(test_many_short_threads, NULL, 60)
{
	unsigned long rss0, rss1, avail0, avail1, rss_growth;
	long used_growth;
	struct active_counts warm, end;
	unsigned int i;

	/* Warm up: thread stacks cached by glibc, per-thread areas, barns. */
	st_run(0, ST_WARM);
	rss0 = tu_rss_bytes();
	avail0 = tu_avail_pages();
	warm = slabinfo_active();
	st_run(ST_WARM, ST_THREADS);
	rss1 = tu_rss_bytes();
	avail1 = tu_avail_pages();
	end = slabinfo_active();

	rss_growth = rss1 > rss0 ? rss1 - rss0 : 0;
	used_growth = (long)avail0 - (long)avail1;
	/*
	 * A thread that leaked its sheaves, its per-thread area or its pcp
	 * pages would cost kilobytes each: 1800 threads would grow these by
	 * megabytes.  What may vary is what the barns and partial slabs hold.
	 */
	if (!TU_SANITIZED && rss_growth > 2 * SZ_1M)
		fail_msg("RSS grew by %lu KiB over %u short-lived threads", rss_growth >> 10,
			 ST_THREADS - ST_WARM);
	if (used_growth > 256)
		fail_msg("pages in use grew by %ld over %u short-lived threads", used_growth,
			 ST_THREADS - ST_WARM);
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
		if (end.active[i] > warm.active[i] + 8 * 64 + 128)
			fail_msg("kmalloc-%u: active_objs grew from %lu to %lu", class_sizes[i],
				 warm.active[i], end.active[i]);
}

/* ---------------------------------- sheaves of many threads per CPU -- */

/*
 * With more than 4 live threads per CPU a thread's new sheaves hold less
 * (alloc_empty_sheaf(): the kernel keeps one set of sheaves per CPU).
 * 8 threads per CPU, all alive while each frees its objects: every
 * thread's main sheaf holds at most half of the cache's capacity.
 */
#define SS_OBJS	100

static struct kmem_cache *ss_cache;
static pthread_barrier_t ss_start, ss_done;
static unsigned int ss_capacity[256];

static void *ss_thread(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, i;
	void *objs[SS_OBJS];

	kfree(kmalloc(16, GFP_KERNEL));	/* this thread's area, before anyone allocates */
	pthread_barrier_wait(&ss_start);
	for (i = 0; i < SS_OBJS; i++) {
		objs[i] = kmem_cache_alloc(ss_cache, GFP_KERNEL);
		assert_non_null(objs[i]);
	}
	for (i = 0; i < SS_OBJS; i++)
		kmem_cache_free(ss_cache, objs[i]);
	ss_capacity[id] = kalloc_pcpu_area->pcs[ss_cache->cpu_index].main->capacity;
	pthread_barrier_wait(&ss_done);
	return NULL;
}

CHILD_TEST(test_sheaves_shrink_with_threads_per_cpu, NULL, 30)
{
	pthread_t t[ARRAY_SIZE(ss_capacity)];
	unsigned int n, i;

	ss_cache = kmem_cache_create("ss_cache", 64, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(ss_cache);
	n = min(8 * nr_cpu_ids, (unsigned int)ARRAY_SIZE(ss_capacity));	/* known once booted */
	assert_int_equal(ss_cache->sheaf_capacity, 64);
	pthread_barrier_init(&ss_start, NULL, n);
	pthread_barrier_init(&ss_done, NULL, n);
	for (i = 0; i < n; i++)
		assert_int_equal(pthread_create(&t[i], NULL, ss_thread, (void *)(uintptr_t)i), 0);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < n; i++)
		if (ss_capacity[i] < 2 || ss_capacity[i] > 32)
			fail_msg("thread %u of %u on %u CPUs: a sheaf of %u objects (the cache's: 64)",
				 i, n, nr_cpu_ids, ss_capacity[i]);
	kmem_cache_destroy(ss_cache);
}

/* ------------------------------------------ fork with busy threads -- */

#define FK_THREADS	4
#define FK_FORKS	50
#define FK_CHILD_TIMEOUT_MS	10000

static volatile int fk_stop;
static unsigned long fk_loops[FK_THREADS];

static void *fk_thread(void *arg)
{
	unsigned long who = (unsigned long)(uintptr_t)arg;
	void *objs[64];
	size_t sizes[64];
	struct tu_rng rng;
	unsigned int i;

	tu_rng_init(&rng, 99 + who);
	while (!__atomic_load_n(&fk_stop, __ATOMIC_RELAXED)) {
		unsigned int n = 1 + (unsigned int)tu_rand_below(&rng, 64);

		for (i = 0; i < n; i++) {
			sizes[i] = tu_mixed_size(&rng, 24000);
			objs[i] = kmalloc(sizes[i], GFP_KERNEL);
			assert_non_null(objs[i]);
			pat_fill(objs[i], sizes[i], who << 32 | i);
		}
		for (i = 0; i < n; i++) {
			assert_pattern(objs[i], sizes[i], who << 32 | i);
			kfree(objs[i]);
		}
		fk_loops[who]++;
	}
	return NULL;
}

/* In the forked child: the allocator works; a cache can be made and used. */
static int fk_child(unsigned int nfork)
{
	enum { N = 2000 };
	static void *objs[N];
	static size_t sizes[N];
	struct kmem_cache *c;
	struct tu_rng rng;
	unsigned int i;
	FILE *devnull;

	tu_rng_init(&rng, 5 + nfork);
	for (i = 0; i < N; i++) {
		sizes[i] = tu_mixed_size(&rng, 24000);
		objs[i] = kmalloc(sizes[i], GFP_KERNEL);
		if (!objs[i])
			return 2;
		pat_fill(objs[i], sizes[i], i);
	}
	for (i = 0; i < N; i++) {
		if (tu_pat_check(objs[i], sizes[i], i, 512) >= 0)
			return 3;
		kfree(objs[i]);
	}
	c = kmem_cache_create("fork_child", 72, 0, SLAB_NO_MERGE, NULL);
	if (!c)
		return 4;
	for (i = 0; i < 200; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		if (!objs[i])
			return 5;
	}
	for (i = 0; i < 200; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_destroy(c);
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
		kmem_cache_shrink(kmalloc_caches[kmalloc_index(class_sizes[i])]);
	devnull = fopen("/dev/null", "w");
	if (!devnull || kalloc_report(devnull, "slabinfo") != 0)
		return 6;
	fclose(devnull);
	return 0;
}

CHILD_TEST(test_fork_with_threads, NULL, 120)
{
	pthread_t t[FK_THREADS];
	unsigned int i, f;

	kfree(kmalloc(1, GFP_KERNEL));	/* kalloc is set up (fork handlers too) */
	for (i = 0; i < FK_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fk_thread, (void *)(uintptr_t)i), 0);
	for (f = 0; f < FK_FORKS; f++) {
		uint64_t start;
		int status = 0;
		pid_t pid, r;

		usleep(2000 + (f % 5) * 1000);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(fk_child(f));
		start = tu_now_ns();
		while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
			if (elapsed_ms(start) > FK_CHILD_TIMEOUT_MS) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				__atomic_store_n(&fk_stop, 1, __ATOMIC_RELAXED);
				fail_msg("fork %u: the child hung (killed after %d ms)", f,
					 FK_CHILD_TIMEOUT_MS);
			}
			usleep(1000);
		}
		assert_int_equal(r, pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			__atomic_store_n(&fk_stop, 1, __ATOMIC_RELAXED);
			fail_msg("fork %u: the child ended with status %#x", f, status);
		}
	}
	__atomic_store_n(&fk_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < FK_THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_true(fk_loops[i] > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_producer_consumer),
		cmocka_unit_test(test_thread_exit_with_objects),
		cmocka_unit_test(test_thread_exit_sheaves_only),
		cmocka_unit_test(test_alloc_after_thread_exit),
		cmocka_unit_test(test_destroy_with_other_threads_sheaves),
		cmocka_unit_test(test_many_short_threads),
		cmocka_unit_test(test_sheaves_shrink_with_threads_per_cpu),
		cmocka_unit_test(test_fork_with_threads),
		cmocka_unit_test(test_mixed_roles_exchange),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
