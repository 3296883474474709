/*
 * tests/test_highmem.c - kmap() and kmap_local_page() (lib/highmem.c)
 * against the kernel's mm/highmem.c:
 *
 *	the pkmap slot a kunmap() leaves (count 1) is the one the next kmap()
 *	of the page finds, with no new mapping; the slots nobody uses are
 *	unmapped when the ring wraps (flush_all_zero_pkmaps()) and not
 *	before; a kmap() with every slot in use sleeps until a kunmap(); a
 *	page freed with a kept slot loses it, one freed while kmapped is a
 *	bug report;
 *	kmap_local_page() and kmap_atomic() take the thread's fixmap slots,
 *	16 deep, as a stack going down from its CPU's FIX_KMAP_BEGIN; each
 *	mapping's bytes are its frame's; kunmap_local() out of order is
 *	warned once; a 17th is a bug report; two threads have two stacks,
 *	and a thread past NR_CPUS waits for one; a frame mapped locally by
 *	one thread and kmap()ed by another is an alias with phys=memfd and a
 *	report with phys=anon; a fork child sees the forking thread's local
 *	mappings.
 *
 * tests/test_highmem_memfd.sh runs every case again with phys=memfd
 * (mappings are aliases there; with phys=anon the bytes move).  Every
 * case runs in a child of its own (testutil.h).
 */
#include "testutil.h"

#include "kalloc.h"
#include "slab.h"

#include <pthread.h>

#define NO_REPORTING	"page_reporting_delay=60000 page_reporting_high=64G"
#define MACHINE		"mem=2G " NO_REPORTING

static struct kmap_stats kstats(void)
{
	struct kmap_stats ks;

	kmap_stats(&ks);
	return ks;
}

static struct page *highpage(void)
{
	struct page *page = alloc_page(GFP_HIGHUSER);

	assert_non_null(page);
	assert_true(PageHighMem(page));
	return page;
}

static bool in_pkmap_window(const void *p)
{
	return (unsigned long)p - PKMAP_BASE < LAST_PKMAP * PAGE_SIZE;
}

static bool in_fixmap(const void *p)
{
	unsigned long a = (unsigned long)p;

	return a >= FIXADDR_START && a <= FIXADDR_TOP;
}

/* Stamp the first and last word of the page mapped at @p with @tag. */
static void stamp(void *p, uint64_t tag)
{
	uint64_t *w = p;

	w[0] = tag;
	w[PAGE_SIZE / sizeof(*w) - 1] = ~tag;
}

static void assert_stamp(const void *p, uint64_t tag)
{
	const uint64_t *w = p;

	assert_int_equal(w[0], tag);
	assert_int_equal(w[PAGE_SIZE / sizeof(*w) - 1], ~tag);
}

/* What kmap() shows of @page: its stamp is @tag. */
static void assert_page_stamp(struct page *page, uint64_t tag)
{
	void *k = kmap(page);

	assert_stamp(k, tag);
	kunmap(page);
}

/* ------------------------------------------------------------ pkmap -- */

/*
 * The last kunmap() leaves the slot mapped (count 1, page_address() still
 * the slot); the next kmap() of the page takes the same slot with no new
 * mapping; a kunmap() of a page whose slot nobody uses is a bug.
 */
CHILD_TEST(test_kmap_keeps_slot, MACHINE, 30)
{
	struct page *hp = highpage();
	struct kmap_stats s0, s1;
	char *a, *b;

	s0 = kstats();
	a = kmap(hp);
	assert_true(in_pkmap_window(a));
	strcpy(a, "kept");
	kunmap(hp);
	s1 = kstats();
	assert_int_equal(s1.kmap_new, s0.kmap_new + 1);
	assert_int_equal(s1.pkmap_used, 0);
	assert_int_equal(s1.pkmap_unused, 1);
	assert_ptr_equal(page_address(hp), a);
	assert_string_equal(a, "kept");		/* still mapped */

	b = kmap(hp);
	assert_ptr_equal(b, a);
	s0 = kstats();
	assert_int_equal(s0.kmap_new, s1.kmap_new);	/* no new mapping */
	assert_int_equal(s0.kmap_reuse, s1.kmap_reuse + 1);
	assert_int_equal(s0.pkmap_used, 1);
	assert_int_equal(s0.pkmap_unused, 0);
	assert_string_equal(b, "kept");
	kunmap(hp);

	/* kmap_flush_unused() drops it now; the bytes stay the page's. */
	kmap_flush_unused();
	assert_null(page_address(hp));
	s1 = kstats();
	assert_int_equal(s1.pkmap_unused, 0);
	assert_int_equal(s1.flushes, s0.flushes + 1);
	a = kmap(hp);
	assert_string_equal(a, "kept");
	kunmap(hp);
	__free_page(hp);
}

static void kunmap_unused(void *arg)
{
	struct page *hp = highpage();

	(void)arg;
	kmap(hp);
	kunmap(hp);
	kunmap(hp);		/* count 1 to 0: the kernel's BUG() */
}


/*
 * Slots are handed out round the ring from slot 1; the slots left with
 * count 1 are flushed, all in one pass, when it wraps to slot 0, and not
 * before.  The bytes written through a flushed slot are the page's.
 */
CHILD_TEST(test_kmap_flush_at_wrap, MACHINE, 60)
{
	static struct page *pages[LAST_PKMAP + 1];
	struct kmap_stats s0, s1;
	unsigned int i;
	char *a;

	for (i = 0; i <= LAST_PKMAP; i++)
		pages[i] = highpage();
	s0 = kstats();
	for (i = 0; i < LAST_PKMAP - 1; i++) {
		a = kmap(pages[i]);
		assert_ptr_equal(a, (void *)(PKMAP_BASE + (i + 1) * PAGE_SIZE));
		stamp(a, 0x1000 + i);
		kunmap(pages[i]);
	}
	s1 = kstats();
	assert_int_equal(s1.pkmap_unused, LAST_PKMAP - 1);
	assert_int_equal(s1.flushes, s0.flushes);
	for (i = 0; i < LAST_PKMAP - 1; i++)
		assert_ptr_equal(page_address(pages[i]), (void *)(PKMAP_BASE + (i + 1) * PAGE_SIZE));

	/* The next one wraps: every unused slot goes, then slot 0 is taken. */
	a = kmap(pages[LAST_PKMAP - 1]);
	assert_ptr_equal(a, (void *)PKMAP_BASE);
	s0 = kstats();
	assert_int_equal(s0.flushes, s1.flushes + 1);
	assert_int_equal(s0.flushed, s1.flushed + LAST_PKMAP - 1);
	assert_int_equal(s0.pkmap_unused, 0);
	assert_int_equal(s0.pkmap_used, 1);
	for (i = 0; i < LAST_PKMAP - 1; i++)
		assert_null(page_address(pages[i]));
	kunmap(pages[LAST_PKMAP - 1]);

	/* Each page kept its bytes; the next slot is slot 1 again. */
	a = kmap(pages[LAST_PKMAP]);
	assert_ptr_equal(a, (void *)(PKMAP_BASE + PAGE_SIZE));
	kunmap(pages[LAST_PKMAP]);
	for (i = 0; i < LAST_PKMAP - 1; i++)
		assert_page_stamp(pages[i], 0x1000 + i);
	for (i = 0; i <= LAST_PKMAP; i++)
		__free_page(pages[i]);
}

struct waiter {
	struct page *page;
	void *addr;
	int done;
};

static void *kmap_thread(void *arg)
{
	struct waiter *w = arg;

	w->addr = kmap(w->page);
	stamp(w->addr, 0xabcdef);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Every slot in use: another thread's kmap() sleeps (no slot, no
 * failure) until a kunmap() leaves a slot unused, then takes that slot.
 */
CHILD_TEST(test_kmap_full_waits, MACHINE, 60)
{
	static struct page *pages[LAST_PKMAP];
	struct waiter w = { 0 };
	struct kmap_stats s;
	pthread_t t;
	void *freed;
	unsigned int i;

	for (i = 0; i < LAST_PKMAP; i++) {
		pages[i] = highpage();
		kmap(pages[i]);
	}
	s = kstats();
	assert_int_equal(s.pkmap_used, LAST_PKMAP);
	w.page = highpage();
	assert_int_equal(pthread_create(&t, NULL, kmap_thread, &w), 0);
	for (i = 0; i < 100 && kstats().waits == s.waits; i++)
		usleep(10000);
	assert_int_equal(kstats().waits, s.waits + 1);	/* asleep */
	usleep(100000);
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);

	freed = page_address(pages[7]);
	kunmap(pages[7]);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.done, 1);
	assert_ptr_equal(w.addr, freed);
	assert_null(page_address(pages[7]));	/* flushed to make room */
	assert_ptr_equal(page_address(w.page), freed);
	kunmap(w.page);
	assert_page_stamp(w.page, 0xabcdef);
	for (i = 0; i < LAST_PKMAP; i++)
		if (i != 7)
			kunmap(pages[i]);
	s = kstats();
	assert_int_equal(s.pkmap_used, 0);
}

/*
 * A page freed with a kept slot gives it up (its bytes go back to the
 * frame first with phys=anon), so that whoever takes the frame next finds
 * no slot and no page->virtual of kmap's.
 */
CHILD_TEST(test_kmap_free_drops_slot, MACHINE, 30)
{
	struct page *hp = highpage(), *again;
	struct kmap_stats s0, s1;
	char *a;

	a = kmap(hp);
	stamp(a, 42);
	kunmap(hp);
	s0 = kstats();
	assert_int_equal(s0.pkmap_unused, 1);
	__free_page(hp);
	s1 = kstats();
	assert_int_equal(s1.freed, s0.freed + 1);
	assert_int_equal(s1.pkmap_unused, 0);
	assert_null(page_address(hp));

	/* The frame again (this thread's page list is LIFO): a new mapping. */
	again = highpage();
	assert_ptr_equal(again, hp);
	assert_null(page_address(again));
	a = kmap(again);
	assert_int_equal(kstats().kmap_new, s1.kmap_new + 1);
	stamp(a, 43);
	kunmap(again);

	/* A block of 4 whose third page has a kept slot. */
	again = alloc_pages(GFP_HIGHUSER, 2);
	assert_non_null(again);
	kmap(again + 2);
	kunmap(again + 2);
	s0 = kstats();
	__free_pages(again, 2);
	assert_int_equal(kstats().freed, s0.freed + 1);
	assert_null(page_address(again + 2));
	__free_page(hp);
}

static void free_kmapped(void *arg)
{
	struct page *hp = highpage();

	(void)arg;
	kmap(hp);
	__free_page(hp);
}

/* The kernel's BUG()s, and a page freed while kmapped: reported, aborted. */
static void test_kmap_misuse(void **state)
{
	static struct tu_child res;

	(void)state;
	tu_run_child(kunmap_unused, NULL, MACHINE, 10, &res);
	tu_assert_child_aborted(&res, "is not kmapped");
	tu_run_child(free_kmapped, NULL, MACHINE, 10, &res);
	tu_assert_child_aborted(&res, "freeing a page that is still kmapped");
}

/* ----------------------------------------------------------- fixmap -- */

/*
 * 16 nested local mappings (kmap_local_page() and kmap_atomic() mixed):
 * fixmap slots going down from the CPU's FIX_KMAP_BEGIN, each showing its
 * own frame's bytes and writing into that frame; undone in reverse order,
 * after which the thread holds no fixmap CPU.  Pages with a kept pkmap
 * slot and pages mapped twice by the thread are mapped too.
 */
CHILD_TEST(test_kmap_local_stack, MACHINE, 30)
{
	struct page *pages[KM_MAX_IDX];
	void *addr[KM_MAX_IDX];
	struct kmap_stats s;
	int i;

	for (i = 0; i < KM_MAX_IDX; i++) {
		pages[i] = highpage();
		stamp(kmap(pages[i]), 0x500 + i);
		kunmap(pages[i]);
	}
	kmap_flush_unused();
	for (i = 0; i < KM_MAX_IDX; i++) {
		addr[i] = (i & 1) ? kmap_atomic(pages[i]) : kmap_local_page(pages[i]);
		assert_true(in_fixmap(addr[i]));
		if (i)
			assert_ptr_equal(addr[i], (char *)addr[i - 1] - PAGE_SIZE);
		assert_null(page_address(pages[i]));
		assert_stamp(addr[i], 0x500 + i);
	}
	assert_int_equal(((unsigned long)FIXADDR_TOP - (unsigned long)addr[0]) % (KM_MAX_IDX * PAGE_SIZE), 0);
	s = kstats();
	assert_int_equal(s.local_cpus, 1);
	assert_int_equal(s.local_mapped, KM_MAX_IDX);
	for (i = 0; i < KM_MAX_IDX; i++)
		stamp(addr[i], 0x600 + i);
	for (i = KM_MAX_IDX - 1; i >= 0; i--) {
		if (i & 1)
			kunmap_atomic((char *)addr[i] + 123);	/* anywhere in the page */
		else
			kunmap_local(addr[i]);
	}
	s = kstats();
	assert_int_equal(s.local_cpus, 0);
	assert_int_equal(s.local_mapped, 0);
	assert_int_equal(s.local_out_of_order, 0);
	for (i = 0; i < KM_MAX_IDX; i++)
		assert_page_stamp(pages[i], 0x600 + i);

	/* A page kmap()ed meanwhile, and the same page twice. */
	{
		char *k = kmap(pages[0]), *l1, *l2;

		l1 = kmap_local_page(pages[0]);
		l2 = kmap_local_page(pages[0]);
		assert_string_equal(strcpy(l2 + 8, "both"), "both");
		assert_string_equal(l1 + 8, "both");
		assert_string_equal(k + 8, "both");
		kunmap_local(l2);
		kunmap_local(l1);
		kunmap(pages[0]);
		assert_int_equal(kstats().local_mapped, 0);
	}
	for (i = 0; i < KM_MAX_IDX; i++)
		__free_page(pages[i]);
}

/*
 * vmap() of a frame mapped locally: phys=memfd maps it again (the same
 * bytes); phys=anon refuses (NULL), its bytes being in the fixmap slot.
 */
CHILD_TEST(test_vmap_of_local, MACHINE, 30)
{
	struct page *page = highpage();
	char *l = kmap_local_page(page), *v;

	strcpy(l, "local");
	v = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (phys_is_memfd()) {
		assert_non_null(v);
		assert_string_equal(v, "local");
		strcpy(v, "vmap");
		assert_string_equal(l, "vmap");
		vunmap(v);
	} else {
		assert_null(v);
	}
	kunmap_local(l);
	v = vmap(&page, 1, VM_MAP, PAGE_KERNEL);	/* unmapped: both backings */
	assert_non_null(v);
	assert_string_equal(v, phys_is_memfd() ? "vmap" : "local");
	vunmap(v);
}

/* Out of order: warned once, the top mapping is the one undone. */
static void local_out_of_order(void *arg)
{
	struct page *a = highpage(), *b = highpage();
	char *pa, *pb;
	struct kmap_stats s;

	(void)arg;
	pa = kmap_local_page(a);
	pb = kmap_local_page(b);
	stamp(pa, 1);
	stamp(pb, 2);
	kunmap_local(pa);
	s = kstats();
	assert_int_equal(s.local_out_of_order, 1);
	assert_int_equal(s.local_mapped, 1);
	assert_stamp(pa, 1);			/* still there: b's went */
	kunmap_local(pb);
	s = kstats();
	assert_int_equal(s.local_out_of_order, 2);
	assert_int_equal(s.local_mapped, 0);
	assert_page_stamp(a, 1);
	assert_page_stamp(b, 2);
}

static void local_17(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i <= KM_MAX_IDX; i++)
		kmap_local_page(highpage());
}

static void local_unmap_unmapped(void *arg)
{
	(void)arg;
	__free_page(highpage());	/* the machine is up: the fixmap has its place */
	kunmap_local((void *)__fix_to_virt(FIX_KMAP_BEGIN + 3));
}

static void test_kmap_local_misuse(void **state)
{
	static struct tu_child res;
	const char *first;

	(void)state;
	tu_run_child(local_out_of_order, NULL, MACHINE, 10, &res);
	tu_assert_child_ok(&res);
	first = strstr(res.err, "out of order");
	if (!first)
		fail_msg("no warning for kunmap_local() out of order: %s", res.err);
	assert_null(strstr(first + 1, "out of order"));	/* once */
	tu_run_child(local_17, NULL, MACHINE, 10, &res);
	tu_assert_child_aborted(&res, "more than 16 local mappings");
	tu_run_child(local_unmap_unmapped, NULL, MACHINE, 10, &res);
	tu_assert_child_aborted(&res, "no local mapping");
}

struct local_thread {
	struct page *page;
	void *addr;
	int mapped, release;
};

static void *local_thread(void *arg)
{
	struct local_thread *lt = arg;

	lt->addr = kmap_local_page(lt->page);
	stamp(lt->addr, 77);
	__atomic_store_n(&lt->mapped, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&lt->release, __ATOMIC_ACQUIRE))
		usleep(1000);
	kunmap_local(lt->addr);
	return NULL;
}

/* Two threads, two CPUs' stacks: distinct slots, each its own frame. */
CHILD_TEST(test_kmap_local_threads, MACHINE, 30)
{
	struct local_thread lt = { .page = highpage() };
	struct page *mine = highpage();
	pthread_t t;
	char *p;

	p = kmap_local_page(mine);
	stamp(p, 76);
	assert_int_equal(pthread_create(&t, NULL, local_thread, &lt), 0);
	while (!__atomic_load_n(&lt.mapped, __ATOMIC_ACQUIRE))
		usleep(1000);
	assert_true(in_fixmap(lt.addr));
	assert_int_not_equal((FIXADDR_TOP - (unsigned long)lt.addr) / (KM_MAX_IDX * PAGE_SIZE),
			     (FIXADDR_TOP - (unsigned long)p) / (KM_MAX_IDX * PAGE_SIZE));
	assert_int_equal(kstats().local_cpus, 2);
	assert_stamp(p, 76);
	__atomic_store_n(&lt.release, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	kunmap_local(p);
	assert_int_equal(kstats().local_cpus, 0);
	assert_page_stamp(lt.page, 77);
	assert_page_stamp(mine, 76);
}

struct cpu_holder {
	struct page *page;
	int mapped, release, done;
};

static void *hold_cpu(void *arg)
{
	struct cpu_holder *h = arg;
	void *p = kmap_local_page(h->page);

	__atomic_store_n(&h->mapped, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&h->release, __ATOMIC_ACQUIRE))
		usleep(1000);
	kunmap_local(p);
	__atomic_store_n(&h->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * NR_CPUS threads each hold a stack: the next thread's first local
 * mapping waits until one of them gives its stack back.
 */
CHILD_TEST(test_kmap_local_waits_for_cpu, MACHINE, 60)
{
	static struct cpu_holder h[NR_CPUS + 1];
	static pthread_t t[NR_CPUS + 1];
	unsigned long waits;
	int i;

	for (i = 0; i <= NR_CPUS; i++)
		h[i].page = highpage();
	for (i = 0; i < NR_CPUS; i++) {
		assert_int_equal(pthread_create(&t[i], NULL, hold_cpu, &h[i]), 0);
		while (!__atomic_load_n(&h[i].mapped, __ATOMIC_ACQUIRE))
			usleep(1000);
	}
	assert_int_equal(kstats().local_cpus, NR_CPUS);
	waits = kstats().waits;
	assert_int_equal(pthread_create(&t[NR_CPUS], NULL, hold_cpu, &h[NR_CPUS]), 0);
	for (i = 0; i < 100 && kstats().waits == waits; i++)
		usleep(10000);
	assert_int_equal(kstats().waits, waits + 1);
	usleep(50000);
	assert_int_equal(__atomic_load_n(&h[NR_CPUS].mapped, __ATOMIC_ACQUIRE), 0);
	__atomic_store_n(&h[5].release, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t[5], NULL), 0);
	while (!__atomic_load_n(&h[NR_CPUS].mapped, __ATOMIC_ACQUIRE))
		usleep(1000);
	assert_int_equal(kstats().local_cpus, NR_CPUS);
	for (i = 0; i <= NR_CPUS; i++) {
		__atomic_store_n(&h[i].release, 1, __ATOMIC_RELEASE);
		if (i != 5)
			assert_int_equal(pthread_join(t[i], NULL), 0);
	}
	assert_int_equal(kstats().local_cpus, 0);
}

static void *kmap_other_threads_local(void *arg)
{
	struct page *page = arg;
	char *k = kmap(page);

	strcpy(k + 16, "from kmap");
	kunmap(page);
	return NULL;
}

/*
 * A frame another thread maps locally: phys=memfd maps it again (an
 * alias, the same bytes); phys=anon cannot, and says so.
 */
static void mapped_twice(void *arg)
{
	struct page *page = highpage();
	char *l = kmap_local_page(page);
	pthread_t t;

	(void)arg;
	strcpy(l, "local");
	assert_int_equal(pthread_create(&t, NULL, kmap_other_threads_local, page), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_string_equal(l + 16, "from kmap");
	kunmap_local(l);
}

static void test_kmap_local_mapped_twice(void **state)
{
	static struct tu_child res;
	const char *extra = getenv("KALLOC_TEST_OPTIONS");

	(void)state;
	tu_run_child(mapped_twice, NULL, MACHINE, 10, &res);
	if (extra && strstr(extra, "phys=memfd"))
		tu_assert_child_ok(&res);
	else
		tu_assert_child_aborted(&res, "is mapped by kmap_local_page() already");
}

/*
 * fork() with local mappings held: the child sees them, writes its own
 * copy, undoes them; the parent's bytes are untouched.
 */
CHILD_TEST(test_kmap_local_fork, MACHINE, 30)
{
	struct page *a = highpage(), *b = highpage();
	char *pa, *pb;
	int status;
	pid_t pid;

	pa = kmap_local_page(a);
	pb = kmap(b);
	strcpy(pa, "parent a");
	strcpy(pb, "parent b");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (strcmp(pa, "parent a") || strcmp(pb, "parent b"))
			_exit(2);
		strcpy(pa, "child a");
		strcpy(pb, "child b");
		kunmap_local(pa);
		kunmap(b);
		pa = kmap(a);
		_exit(strcmp(pa, "child a") ? 3 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(pa, "parent a");
	assert_string_equal(pb, "parent b");
	kunmap_local(pa);
	kunmap(b);
	pa = kmap(a);
	assert_string_equal(pa, "parent a");
	kunmap(a);
}

/* The counters in the vmstat report. */
CHILD_TEST(test_kmap_vmstat, MACHINE, 30)
{
	static char buf[1 << 16];
	struct page *hp = highpage();

	kmap(hp);
	kunmap(hp);
	kmap(hp);
	kunmap(hp);
	kunmap_local(kmap_local_page(highpage()));
	tu_report_capture(buf, sizeof(buf), "vmstat");
	assert_non_null(strstr(buf, "\nnr_pkmap_unused 1\n"));
	assert_non_null(strstr(buf, "\nnr_pkmap_used 0\n"));
	assert_non_null(strstr(buf, "\nkmap_new 1\n"));
	assert_non_null(strstr(buf, "\nkmap_reuse 1\n"));
	assert_non_null(strstr(buf, "\nkmap_local 1\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmap_keeps_slot),
		cmocka_unit_test(test_kmap_flush_at_wrap),
		cmocka_unit_test(test_kmap_full_waits),
		cmocka_unit_test(test_kmap_free_drops_slot),
		cmocka_unit_test(test_kmap_misuse),
		cmocka_unit_test(test_kmap_local_stack),
		cmocka_unit_test(test_vmap_of_local),
		cmocka_unit_test(test_kmap_local_misuse),
		cmocka_unit_test(test_kmap_local_threads),
		cmocka_unit_test(test_kmap_local_waits_for_cpu),
		cmocka_unit_test(test_kmap_local_mapped_twice),
		cmocka_unit_test(test_kmap_local_fork),
		cmocka_unit_test(test_kmap_vmstat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
