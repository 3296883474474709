/*
 * tests/test_page_alloc_mt.c - the page allocator with threads and fork:
 * per-thread pcp lists, frees from other threads, lists handed back at
 * thread exit, and fork() while other threads allocate.
 *
 * Each case runs in a child process with its own machine (testutil.h);
 * a failed assertion in any thread aborts that child, and the parent
 * reports it.  Work is bounded by operation counts, never by time.
 *
 * Ownership: every frame handed out is marked in a shared bitmap with an
 * atomic test-and-set, and unmarked at free; a frame marked twice is a
 * block given to two owners at once.  Lowmem blocks also carry a pattern
 * (testutil.h) written at allocation and checked at free.
 */
#include "testutil.h"

#include <pthread.h>
#include <sys/mman.h>

#define MT_MACHINE	"mem=1G"	/* DMA, NORMAL and 128 MiB of HIGHMEM */
#define MAX_PFN_1G	262144UL

static uint64_t owner[MAX_PFN_1G / 64];

/* ------------------------------------------------------- ownership -- */

static void own(unsigned long pfn, unsigned long nr)
{
	unsigned long p;

	assert_true(pfn + nr <= MAX_PFN_1G);
	for (p = pfn; p < pfn + nr; p++) {
		uint64_t bit = 1ull << (p % 64);
		uint64_t old = __atomic_fetch_or(&owner[p / 64], bit, __ATOMIC_RELAXED);

		if (old & bit)
			fail_msg("pfn %lu handed out while another thread holds it "
				 "(block at pfn %lu, %lu pages)", p, pfn, nr);
	}
}

static void disown(unsigned long pfn, unsigned long nr)
{
	unsigned long p;

	for (p = pfn; p < pfn + nr; p++) {
		uint64_t bit = 1ull << (p % 64);
		uint64_t old = __atomic_fetch_and(&owner[p / 64], ~bit, __ATOMIC_RELAXED);

		if (!(old & bit))
			fail_msg("pfn %lu freed but not owned", p);
	}
}

/* ------------------------------------------------------ the workers -- */

struct held {
	struct page *page;
	uint64_t tag;
	unsigned int order;
};

struct worker {
	pthread_t thread;
	unsigned long ops;		/* operations to do */
	unsigned int max_held;		/* blocks held at most */
	uint64_t seed;
	volatile int *stop;		/* optional: stop early when set */
	unsigned long allocs, failures;	/* out */
};

static const gfp_t masks[] = { GFP_KERNEL, GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE,
			       GFP_KERNEL | __GFP_DMA };

static bool take_block(struct tu_rng *rng, struct held *h)
{
	unsigned int pick = tu_rand_below(rng, 16);
	gfp_t gfp = pick == 0 ? masks[3] : masks[pick % 3];
	unsigned int order = __builtin_ctzll(tu_rand(rng) | (1ull << MAX_PAGE_ORDER));

	if (gfp & __GFP_DMA)
		order = order > 2 ? 2 : order;	/* DMA is 16 MiB for all threads */
	h->page = alloc_pages(gfp | __GFP_NOWARN, order);
	if (!h->page)
		return false;
	h->order = order;
	h->tag = tu_rand(rng);
	if (gfp & __GFP_DMA)
		assert_int_equal(page_zonenum(h->page), ZONE_DMA);
	own(page_to_pfn(h->page), 1UL << order);
	if (!PageHighMem(h->page))
		tu_fill(page_address(h->page), 1UL << order, h->tag, false);
	return true;
}

static void give_block(struct held *h)
{
	unsigned long nr = 1UL << h->order;

	if (!PageHighMem(h->page) &&
	    tu_check_fill(page_address(h->page), nr, h->tag, false))
		fail_msg("block at pfn %lu (order %u) overwritten while held",
			 page_to_pfn(h->page), h->order);
	disown(page_to_pfn(h->page), nr);
	__free_pages(h->page, h->order);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct held *held = calloc(w->max_held, sizeof(*held));
	unsigned int n = 0;
	struct tu_rng rng;
	unsigned long op;

	assert_non_null(held);
	tu_rng_init(&rng, w->seed);
	for (op = 0; op < w->ops; op++) {
		if (w->stop && __atomic_load_n(w->stop, __ATOMIC_RELAXED))
			break;
		if (n == w->max_held || (n && tu_rand_below(&rng, 2))) {
			unsigned int i = tu_rand_below(&rng, n);

			give_block(&held[i]);
			held[i] = held[--n];
		} else {
			w->allocs++;
			if (take_block(&rng, &held[n]))
				n++;
			else
				w->failures++;
		}
	}
	while (n)
		give_block(&held[--n]);
	free(held);
	return NULL;
}

/* -------------------------------------------------------- checks -- */

static unsigned long nr_pcpu_areas(void)
{
	struct kalloc_pcpu *cpu;
	unsigned long n = 0;

	spin_lock(&pcpu_lock);
	list_for_each_entry(cpu, &all_pcpus, list)
		n++;
	spin_unlock(&pcpu_lock);
	return n;
}

static unsigned long managed_total(void)
{
	return tu_zone(ZONE_DMA)->managed_pages + tu_zone(ZONE_NORMAL)->managed_pages +
	       tu_zone(ZONE_HIGHMEM)->managed_pages;
}

/* Pages kalloc held for itself (its slabs) once warmed up. */
static unsigned long boot_in_use;

/*
 * Nothing the test allocated is left, no thread but this one is alive:
 * after this thread drains, no pcp list holds a page, the pages in use
 * are kalloc's own of the start, and nr_free_pages() is its start value
 * plus whatever the run onlined.
 */
static void assert_all_back(unsigned long start_free, unsigned long start_managed)
{
	int z;

	drain_local_pages(NULL);
	for (z = 0; z < MAX_NR_ZONES; z++)
		assert_int_equal(zone_pcp_pages(tu_zone(z)), 0);
	assert_int_equal(tu_pages_in_use(), boot_in_use);
	assert_int_equal(nr_free_pages(), start_free + managed_total() - start_managed);
	tu_check_all_buddies();
}

/* Online some of every zone and leave it free: the start state. */
static void warm_up(void)
{
	struct page *a = alloc_pages(GFP_KERNEL, 0);
	struct page *b = alloc_pages(GFP_HIGHUSER, 0);
	struct page *c = alloc_pages(GFP_KERNEL | __GFP_DMA, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	__free_page(a);
	__free_page(b);
	__free_page(c);
	drain_local_pages(NULL);
	boot_in_use = tu_pages_in_use();
}

/* ------------------------------------------------------------ stress -- */

static void stress(unsigned int nthreads, unsigned long total_ops)
{
	struct worker *w = calloc(nthreads, sizeof(*w));
	unsigned long start_free, start_managed, allocs = 0, failures = 0;
	unsigned int i;

	memset(owner, 0, sizeof(owner));
	warm_up();
	start_free = nr_free_pages();
	start_managed = managed_total();
	for (i = 0; i < nthreads; i++) {
		w[i].ops = total_ops / nthreads;
		w[i].max_held = 256;
		w[i].seed = 1000 * nthreads + i;
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
	}
	for (i = 0; i < nthreads; i++) {
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
		allocs += w[i].allocs;
		failures += w[i].failures;
	}
	/* the exited threads handed their lists back */
	assert_int_equal(nr_pcpu_areas(), 1);
	assert_all_back(start_free, start_managed);
	for (i = 0; i < MAX_PFN_1G / 64; i++)
		assert_int_equal(owner[i], 0);
	/* a few failures are allowed when other threads hold the pcp pages */
	assert_true(failures * 1000 < allocs);
	free(w);
}

CHILD_TEST(test_stress_2_threads, MT_MACHINE, 60)
{
	stress(2, 6000000);
}

CHILD_TEST(test_stress_4_threads, MT_MACHINE, 60)
{
	stress(4, 6000000);
}

CHILD_TEST(test_stress_8_threads, MT_MACHINE, 60)
{
	stress(8, 6000000);
}

/* -------------------------------------------------- cross-thread free -- */

#define XFER	2000

static struct {
	pthread_barrier_t allocated, freed, checked;
	struct held blocks[XFER];
	unsigned long avail_allocated;	/* read by A before B may free */
} xfer;

static void *xfer_allocator(void *arg)
{
	struct tu_rng rng;
	unsigned int i;

	(void)arg;
	tu_rng_init(&rng, 99);
	for (i = 0; i < XFER; i++) {
		struct held *h = &xfer.blocks[i];

		h->order = i % 5 ? tu_rand_below(&rng, PAGE_ALLOC_COSTLY_ORDER + 1)
				 : tu_rand_below(&rng, NR_PAGE_ORDERS);
		h->page = alloc_pages(i % 2 ? GFP_KERNEL : GFP_HIGHUSER, h->order);
		assert_non_null(h->page);
		h->tag = i;
		own(page_to_pfn(h->page), 1UL << h->order);
		if (!PageHighMem(h->page))
			tu_fill(page_address(h->page), 1UL << h->order, h->tag, false);
	}
	xfer.avail_allocated = tu_available();
	pthread_barrier_wait(&xfer.allocated);
	pthread_barrier_wait(&xfer.freed);	/* the other thread freed them */
	pthread_barrier_wait(&xfer.checked);
	return NULL;
}

static void *xfer_freer(void *arg)
{
	unsigned int i;

	(void)arg;
	pthread_barrier_wait(&xfer.allocated);
	for (i = 0; i < XFER; i++)
		give_block(&xfer.blocks[i]);
	pthread_barrier_wait(&xfer.freed);
	pthread_barrier_wait(&xfer.checked);	/* alive while main counts */
	return NULL;
}

CHILD_TEST(test_cross_thread_free, MT_MACHINE, 30)
{
	unsigned long start_free, start_managed, start_avail, pcp_main;
	pthread_t a, b;

	memset(owner, 0, sizeof(owner));
	warm_up();
	/* what A will need, onlined now, so that availability is exact */
	start_free = nr_free_pages();
	start_managed = managed_total();
	start_avail = tu_available();
	pcp_main = zone_pcp_pages(tu_zone(ZONE_NORMAL));
	assert_int_equal(pthread_barrier_init(&xfer.allocated, NULL, 3), 0);
	assert_int_equal(pthread_barrier_init(&xfer.freed, NULL, 3), 0);
	assert_int_equal(pthread_barrier_init(&xfer.checked, NULL, 3), 0);
	assert_int_equal(pthread_create(&a, NULL, xfer_allocator, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, xfer_freer, NULL), 0);

	pthread_barrier_wait(&xfer.allocated);
	/* (B frees as soon as the barrier opens: A measured before it) */
	assert_true(xfer.avail_allocated < start_avail - XFER);
	pthread_barrier_wait(&xfer.freed);
	/* every page is back: on the free lists or on one of the pcp lists */
	assert_int_equal(tu_available(), start_avail);
	/* B's lists hold pages A allocated */
	assert_true(zone_pcp_pages(tu_zone(ZONE_NORMAL)) > pcp_main);
	pthread_barrier_wait(&xfer.checked);

	assert_int_equal(pthread_join(a, NULL), 0);
	assert_int_equal(pthread_join(b, NULL), 0);
	assert_int_equal(nr_pcpu_areas(), 1);
	assert_all_back(start_free, start_managed);
}

/* ------------------------------------------ thread exit returns lists -- */

static struct {
	pthread_barrier_t filled, counted;
	unsigned long pcp_pages;	/* the thread's own count */
} exiting;

static void *exiting_thread(void *arg)
{
	static struct page *pages[200];
	struct kalloc_pcpu *cpu;
	unsigned int i;

	(void)arg;
	for (i = 0; i < 200; i++)
		pages[i] = alloc_pages(i % 3 ? GFP_KERNEL : GFP_HIGHUSER, i % 4 ? 0 : 1);
	for (i = 0; i < 200; i++)
		__free_pages(pages[i], i % 4 ? 0 : 1);
	cpu = kalloc_pcpu_area;
	exiting.pcp_pages = cpu->pageset[ZONE_NORMAL].count + cpu->pageset[ZONE_HIGHMEM].count;
	pthread_barrier_wait(&exiting.filled);
	pthread_barrier_wait(&exiting.counted);
	return NULL;	/* with its lists full */
}

CHILD_TEST(test_thread_exit_returns_pcp, MT_MACHINE, 20)
{
	unsigned long normal0, high0, start_free, start_managed;
	pthread_t t;

	warm_up();
	start_free = nr_free_pages();
	start_managed = managed_total();
	normal0 = zone_pcp_pages(tu_zone(ZONE_NORMAL));
	high0 = zone_pcp_pages(tu_zone(ZONE_HIGHMEM));
	assert_int_equal(pthread_barrier_init(&exiting.filled, NULL, 2), 0);
	assert_int_equal(pthread_barrier_init(&exiting.counted, NULL, 2), 0);
	assert_int_equal(pthread_create(&t, NULL, exiting_thread, NULL), 0);
	pthread_barrier_wait(&exiting.filled);
	assert_true(exiting.pcp_pages >= 100);
	assert_int_equal(zone_pcp_pages(tu_zone(ZONE_NORMAL)) + zone_pcp_pages(tu_zone(ZONE_HIGHMEM)),
			 normal0 + high0 + exiting.pcp_pages);
	assert_int_equal(nr_pcpu_areas(), 2);
	pthread_barrier_wait(&exiting.counted);
	assert_int_equal(pthread_join(t, NULL), 0);

	/* back to this thread's own counts, without draining anything */
	assert_int_equal(zone_pcp_pages(tu_zone(ZONE_NORMAL)), normal0);
	assert_int_equal(zone_pcp_pages(tu_zone(ZONE_HIGHMEM)), high0);
	assert_int_equal(nr_pcpu_areas(), 1);
	/* its events were folded into the zones */
	assert_true(tu_zone_event(ZONE_NORMAL, PGFREE) >= 133);
	assert_all_back(start_free, start_managed);
}

/* ------------------------------------------ many short-lived threads -- */

static void *short_lived(void *arg)
{
	struct page *pages[18];
	unsigned int i, seed = (unsigned int)(uintptr_t)arg;

	for (i = 0; i < 18; i++) {
		pages[i] = alloc_pages((seed + i) % 3 ? GFP_KERNEL : GFP_HIGHUSER, i < 16 ? 0 : 3);
		assert_non_null(pages[i]);
	}
	for (i = 0; i < 18; i++)
		__free_pages(pages[i], i < 16 ? 0 : 3);
	return NULL;
}

CHILD_TEST(test_many_short_lived_threads, MT_MACHINE, 60)
{
	unsigned long start_free, start_managed, rss0 = 0, rss1;
	unsigned int round, i;

	warm_up();
	start_free = nr_free_pages();
	start_managed = managed_total();
	for (round = 0; round < 125; round++) {
		pthread_t t[8];

		for (i = 0; i < 8; i++)
			assert_int_equal(pthread_create(&t[i], NULL, short_lived,
							(void *)(uintptr_t)(round * 8 + i)), 0);
		for (i = 0; i < 8; i++)
			assert_int_equal(pthread_join(t[i], NULL), 0);
		if (round == 4)
			rss0 = tu_rss_bytes();	/* stacks and areas of 8 threads exist */
		assert_int_equal(nr_pcpu_areas(), 1);
	}
	rss1 = tu_rss_bytes();
	/* 1000 threads' areas would be this much if they were not reused */
	if (!TU_SANITIZED && rss1 > rss0 + 1000 * sizeof(struct kalloc_pcpu) / 4)
		fail_msg("RSS grew from %lu to %lu KiB over 1000 threads", rss0 >> 10, rss1 >> 10);
	assert_all_back(start_free, start_managed);
	/* the sections onlined stayed the same: no pages went missing */
	assert_int_equal(managed_total(), start_managed);
}

/* ------------------------------------- many threads share the budget -- */

#define CROWD	64

static pthread_barrier_t crowd_started, crowd_freed, crowd_counted;

static void *crowd_thread(void *arg)
{
	struct page *pages[200];
	unsigned int i;

	(void)arg;
	(void)this_cpu();	/* counted among the live threads */
	pthread_barrier_wait(&crowd_started);
	for (i = 0; i < 200; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		assert_non_null(pages[i]);
	}
	for (i = 0; i < 200; i++)
		__free_pages(pages[i], 0);
	pthread_barrier_wait(&crowd_freed);	/* alive, lists as they are */
	pthread_barrier_wait(&crowd_counted);
	return NULL;
}

/*
 * 64 live threads, more than the CPUs of most machines, all working at
 * once, each with its pcp lists filled by 200 frees: together they hold about what the CPUs'
 * lists would (zone_highsize() divides the budget among the CPUs, kalloc
 * among the threads when they outnumber the CPUs), not a full list each.
 */
CHILD_TEST(test_pcp_budget_shared_by_threads, MT_MACHINE, 60)
{
	struct zone *normal = tu_zone(ZONE_NORMAL);
	unsigned long start_free, start_managed, held, budget;
	pthread_t t[CROWD];
	unsigned int i;

	warm_up();
	start_free = nr_free_pages();
	start_managed = managed_total();
	assert_int_equal(pthread_barrier_init(&crowd_started, NULL, CROWD), 0);
	assert_int_equal(pthread_barrier_init(&crowd_freed, NULL, CROWD + 1), 0);
	assert_int_equal(pthread_barrier_init(&crowd_counted, NULL, CROWD + 1), 0);
	for (i = 0; i < CROWD; i++)
		assert_int_equal(pthread_create(&t[i], NULL, crowd_thread, NULL), 0);
	pthread_barrier_wait(&crowd_freed);
	held = zone_pcp_pages(normal);
	/* each thread may round its share up by a few pages */
	budget = max((unsigned long)nr_cpu_ids, 1UL) * normal->pcp_high + (CROWD + 1) * 4;
	if (held > budget)
		fail_msg("%u threads hold %lu pages on their pcp lists; the budget is %lu "
			 "(%u CPUs, high %d)", CROWD, held, budget, nr_cpu_ids, normal->pcp_high);
	pthread_barrier_wait(&crowd_counted);
	for (i = 0; i < CROWD; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	/* the main thread's own lists are sized for one thread again */
	assert_int_equal(kalloc_pcpu_area->pageset[ZONE_NORMAL].high, normal->pcp_high);
	assert_all_back(start_free, start_managed);
}

/* ------------------------------------------------------------- fork -- */

static int child_exercise(volatile unsigned char *shared, unsigned char expect)
{
	unsigned int order;

	if (*shared != expect)
		return 10;	/* the child's copy is the one at fork time */
	*shared = 'C';
	for (order = 0; order <= MAX_PAGE_ORDER; order++) {
		struct page *k = alloc_pages(GFP_KERNEL | __GFP_NOWARN, order);
		struct page *h = alloc_pages(GFP_HIGHUSER | __GFP_NOWARN, order);
		struct page *d = alloc_pages(GFP_KERNEL | __GFP_DMA | __GFP_NOWARN, order % 4);

		if (!k || !h || !d)
			return 20 + order;
		memset(page_address(k), 0x42, PAGE_SIZE << order);
		memset(page_address(d), 0x43, PAGE_SIZE << (order % 4));
		__free_pages(k, order);
		__free_pages(h, order);
		__free_pages(d, order % 4);
	}
	drain_local_pages(NULL);
	/* one thread: only this thread's area is left */
	if (nr_pcpu_areas() > 1)
		return 40;
	if (*shared != 'C')
		return 50;
	return 0;
}

/* tu_check_buddy() fails through cmocka, which aborts here: fine */
static int child_after_fork(volatile unsigned char *shared, unsigned char expect)
{
	int rc;

	alarm(10);	/* alarms are not inherited: a hang dies of SIGALRM */
	rc = child_exercise(shared, expect);
	if (!rc)
		tu_check_all_buddies();
	return rc;
}

CHILD_TEST(test_fork_while_allocating, MT_MACHINE, 120)
{
	struct worker w[4];
	volatile int stop = 0;
	volatile unsigned char *shared;
	unsigned long addr;
	unsigned int i, iter;

	memset(owner, 0, sizeof(owner));
	warm_up();
	addr = __get_free_page(GFP_KERNEL);	/* allocated before any fork */
	assert_true(addr != 0);
	shared = (volatile unsigned char *)addr;
	memset(w, 0, sizeof(w));
	for (i = 0; i < 4; i++) {
		w[i].ops = 50000000;	/* bound; stopped after the forks */
		w[i].max_held = 64;
		w[i].seed = 77 + i;
		w[i].stop = &stop;
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
	}
	for (iter = 0; iter < 50; iter++) {
		unsigned char mine = (unsigned char)(iter * 3 + 1);
		uint64_t deadline;
		int status = 0;
		pid_t pid, r;

		*shared = mine;
		usleep(1000);	/* let the workers get into the allocator */
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(child_after_fork(shared, mine));
		*shared = (unsigned char)~mine;	/* the parent's own write */
		deadline = tu_now_ns() + 15ull * 1000000000u;
		while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
			if (tu_now_ns() > deadline) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				fail_msg("fork %u: the child hung", iter);
			}
			usleep(1000);
		}
		assert_int_equal(r, pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("fork %u: the child %s %d%s", iter,
				 WIFEXITED(status) ? "exited with" : "died of signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
				 WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM ?
				 " (SIGALRM: it hung)" : "");
		/* the child's writes stayed in the child */
		assert_int_equal(*shared, (unsigned char)~mine);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	free_page(addr);
	assert_int_equal(nr_pcpu_areas(), 1);
	drain_local_pages(NULL);
	assert_int_equal(tu_pages_in_use(), boot_in_use);
	tu_check_all_buddies();
}

/* ---------------------------------------------------------------- main -- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_2_threads),
		cmocka_unit_test(test_stress_4_threads),
		cmocka_unit_test(test_stress_8_threads),
		cmocka_unit_test(test_cross_thread_free),
		cmocka_unit_test(test_thread_exit_returns_pcp),
		cmocka_unit_test(test_many_short_lived_threads),
		cmocka_unit_test(test_pcp_budget_shared_by_threads),
		cmocka_unit_test(test_fork_while_allocating),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
