/*
 * tests/testutil.h - what kalloc's unit tests share.
 *
 * 1. Running a test case in a child process.
 *
 *    kalloc initialises itself on the first call into it, reading
 *    KALLOC_OPTIONS then, once: the machine (mem=, the watermarks, the
 *    reporting policy) is fixed for the life of the process.  So a test
 *    that needs a particular machine runs in a forked child that sets
 *    KALLOC_OPTIONS before its first call.  The test binary's own process
 *    never calls into kalloc; every case gets a fresh machine.
 *
 *	tu_run_child(fn, arg, options, timeout, &res)
 *		runs fn(arg) in a child with KALLOC_OPTIONS=options (NULL:
 *		unset), kills it after timeout seconds, and returns its wait
 *		status with everything it wrote to stderr in res.
 *	tu_assert_child_ok(&res)
 *		the child exited 0; otherwise its stderr is copied to ours and
 *		the test fails saying how the child ended.
 *	tu_run_child_ok(fn, arg, options, timeout)
 *		both in one.
 *	tu_assert_child_aborted(&res, "words")
 *		the child died of SIGABRT and said "words" on stderr.
 *	CHILD_TEST(name, options, timeout) { body }
 *		defines the cmocka test `name` that runs body in such a child
 *		and expects it to exit 0.
 *
 *    KALLOC_TEST_OPTIONS, when set, is added to every case's options: the
 *    same suite runs again on another machine (phys=memfd: the memfd
 *    backing; tests/run_memfd.sh).  KALLOC_TEST_TIMEOUT_SCALE=n gives
 *    every case n times its timeout (the sanitizer builds set it).
 *
 *    cmocka's assert_*() work in the child: tu_run_child() sets
 *    CMOCKA_TEST_ABORT=1 there, so a failed assertion prints its message
 *    (both values, file:line) and aborts the child instead of longjmp()ing
 *    into the copy of the runner the child inherited; the parent then
 *    reports the failure with the child's stderr.  That also makes
 *    assertions safe in the child's other threads.  The signal handlers
 *    cmocka installs around a test are put back to the default in the
 *    child, so a crash there is seen as the signal it is.
 *
 * 2. Small helpers: a seeded PRNG (KALLOC_TEST_SEED overrides the seed),
 *    the process's RSS, and monotonic time.
 *
 *    Object patterns for the slab tests: tu_pat_fill(), tu_pat_check().
 *
 * 3. Views of the page allocator's insides (lib/mm.h, lib/percpu.h):
 *    free and available page counts, online sections, and
 *    tu_check_buddy(zone), which walks a zone's free lists under its
 *    lock and checks every invariant of the buddy allocator.
 */
#ifndef KALLOC_TESTUTIL_H
#define KALLOC_TESTUTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "slab.h"
#include "options.h"

/* ------------------------------------------------- child processes -- */

struct tu_child {
	int status;		/* from waitpid() */
	bool timed_out;		/* killed by tu_run_child() after the timeout */
	char err[1 << 16];	/* the child's stderr (the start of it), NUL-terminated */
	size_t err_len;
};

static inline uint64_t tu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A case's timeout in seconds, times KALLOC_TEST_TIMEOUT_SCALE when that is
 * set: the sanitizer builds (make check-asan, check-tsan) run slower.
 */
static inline unsigned int tu_timeout(unsigned int timeout_s)
{
	const char *env = getenv("KALLOC_TEST_TIMEOUT_SCALE");
	unsigned long scale = env && *env ? strtoul(env, NULL, 10) : 1;

	return timeout_s * (unsigned int)(scale ? scale : 1);
}

/* In the child: a clean process for one test case. */
static inline void tu_child_setup(int err_fd, const char *options, unsigned int timeout_s)
{
	static const int sigs[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGSYS, SIGABRT };
	struct rlimit no_core = { 0, 0 };
	const char *extra = getenv("KALLOC_TEST_OPTIONS");
	unsigned int i;

	if (err_fd >= 0 && err_fd != 2) {
		dup2(err_fd, 2);
		close(err_fd);
	}
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	setrlimit(RLIMIT_CORE, &no_core);	/* expected aborts leave no cores */
	setenv("CMOCKA_TEST_ABORT", "1", 1);
	if (extra && *extra) {
		/* KALLOC_TEST_OPTIONS: words added to every case's (phys=memfd) */
		static char both[4096];

		snprintf(both, sizeof(both), "%s %s", options ? options : "", extra);
		options = both;
	}
	if (options)
		setenv("KALLOC_OPTIONS", options, 1);
	else
		unsetenv("KALLOC_OPTIONS");
	alarm(timeout_s);	/* the child's own deadline: SIGALRM */
}

/* Read what is there on fd into res->err without blocking for long. */
static inline bool tu_child_read(int fd, struct tu_child *res, int wait_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char discard[4096];
	ssize_t n;

	if (poll(&pfd, 1, wait_ms) <= 0)
		return true;
	if (res->err_len < sizeof(res->err) - 1)
		n = read(fd, res->err + res->err_len, sizeof(res->err) - 1 - res->err_len);
	else
		n = read(fd, discard, sizeof(discard));	/* keep the start, drop the rest */
	if (n > 0 && res->err_len < sizeof(res->err) - 1)
		res->err_len += (size_t)n;
	res->err[res->err_len] = '\0';
	return n > 0 || (n < 0 && errno == EINTR);
}

/*
 * Run fn(arg) in a child process whose KALLOC_OPTIONS is @options (NULL:
 * unset), with stderr caught in res->err.  The child exits 0 when fn
 * returns.  After @timeout_s seconds (its own SIGALRM; a few seconds
 * later SIGKILL from here) it is killed.  Returns the wait status.
 */
static inline int tu_run_child(void (*fn)(void *), void *arg, const char *options,
			       unsigned int timeout_s, struct tu_child *res)
{
	uint64_t deadline;
	bool open_pipe = true;
	int fds[2];
	pid_t pid;

	timeout_s = tu_timeout(timeout_s);
	deadline = tu_now_ns() + (uint64_t)(timeout_s + 5) * 1000000000u;

	memset(res, 0, sizeof(*res));
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);
		close(fds[0]);
		tu_child_setup(fds[1], options, timeout_s);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	for (;;) {
		pid_t r;

		if (open_pipe)
			open_pipe = tu_child_read(fds[0], res, 20);
		else
			usleep(20000);
		r = waitpid(pid, &res->status, WNOHANG);
		if (r == pid)
			break;
		if (tu_now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &res->status, 0);
			res->timed_out = true;
			break;
		}
	}
	/* Its leftover children (the child leads a process group) go too. */
	kill(-pid, SIGKILL);
	/* What the child wrote just before it died. */
	while (open_pipe) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };

		if (poll(&pfd, 1, 0) <= 0)
			break;
		open_pipe = tu_child_read(fds[0], res, 0);
	}
	close(fds[0]);
	return res->status;
}

/* "exited with status 3", "killed by signal 6 (Aborted)", "timed out" */
static inline const char *tu_describe_status(const struct tu_child *res, char *buf, size_t len)
{
	if (res->timed_out || (WIFSIGNALED(res->status) && WTERMSIG(res->status) == SIGALRM))
		snprintf(buf, len, "timed out (hung?)");
	else if (WIFEXITED(res->status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(res->status));
	else if (WIFSIGNALED(res->status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(res->status),
			 strsignal(WTERMSIG(res->status)));
	else
		snprintf(buf, len, "wait status %#x", res->status);
	return buf;
}

static inline void tu_dump_child_stderr(const struct tu_child *res)
{
	if (res->err_len) {
		fprintf(stderr, "----- child's stderr -----\n%s", res->err);
		if (res->err[res->err_len - 1] != '\n')
			fputc('\n', stderr);
		fprintf(stderr, "--------------------------\n");
	}
}

#define tu_assert_child_ok(res)						\
	do {								\
		const struct tu_child *__r = (res);			\
		char __why[128];					\
		if (__r->timed_out || !WIFEXITED(__r->status) ||	\
		    WEXITSTATUS(__r->status) != 0) {			\
			tu_dump_child_stderr(__r);			\
			fail_msg("the test's child process %s",		\
				 tu_describe_status(__r, __why, sizeof(__why))); \
		}							\
	} while (0)

/* The child died of SIGABRT and its stderr holds @words. */
#define tu_assert_child_aborted(res, words)				\
	do {								\
		const struct tu_child *__r = (res);			\
		char __why[128];					\
		if (__r->timed_out || !WIFSIGNALED(__r->status) ||	\
		    WTERMSIG(__r->status) != SIGABRT) {			\
			tu_dump_child_stderr(__r);			\
			fail_msg("expected the child to abort, but it %s", \
				 tu_describe_status(__r, __why, sizeof(__why))); \
		}							\
		if (!strstr(__r->err, (words))) {			\
			tu_dump_child_stderr(__r);			\
			fail_msg("the child aborted without saying \"%s\"", (words)); \
		}							\
	} while (0)

/* Run fn(arg) in a child (see tu_run_child()) and expect it to exit 0. */
#define tu_run_child_ok(fn, arg, options, timeout_s)			\
	do {								\
		static struct tu_child __res;	/* 64 KiB: not on the stack */ \
		tu_run_child((fn), (arg), (options), (timeout_s), &__res); \
		tu_assert_child_ok(&__res);				\
	} while (0)

/*
 * CHILD_TEST(test_x, "mem=64M", 10) { ... } defines the cmocka test
 * test_x whose body runs in a child on a machine with those options.
 */
#define CHILD_TEST(name, options, timeout_s)				\
	static void name##_body(void *arg);				\
	static void name(void **state)					\
	{								\
		(void)state;						\
		tu_run_child_ok(name##_body, NULL, (options), (timeout_s)); \
	}								\
	static void name##_body(void *arg __attribute__((unused)))

/*
 * Take every page the machine has with @gfp (its reserves too:
 * __GFP_MEMALLOC), order 0, into held[]; returns how many.
 */
static inline unsigned long tu_take_all_pages(struct page **held, unsigned long cap, gfp_t gfp)
{
	unsigned long n = 0;
	struct page *page;

	while ((page = alloc_pages(gfp | __GFP_MEMALLOC | __GFP_NOWARN, 0))) {
		assert_true(n < cap);
		held[n++] = page;
	}
	return n;
}

/* ------------------------------------------------------------ misc -- */

/* kalloc_report(@which) into buf[size] (NUL-terminated); returns buf. */
static inline const char *tu_report_capture(char *buf, size_t size, const char *which)
{
	FILE *f;

	memset(buf, 0, size);
	f = fmemopen(buf, size - 1, "w");
	assert_non_null(f);
	assert_int_equal(kalloc_report(f, which), 0);
	fclose(f);
	return buf;
}

/* xorshift64*: reproducible; KALLOC_TEST_SEED=n replays a run. */
struct tu_rng {
	uint64_t s;
};

static inline void tu_rng_init(struct tu_rng *r, uint64_t seed)
{
	const char *env = getenv("KALLOC_TEST_SEED");

	if (env && *env)
		seed ^= strtoull(env, NULL, 0);
	r->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static inline uint64_t tu_rand(struct tu_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* uniform in [0, n) */
static inline uint64_t tu_rand_below(struct tu_rng *r, uint64_t n)
{
	return n ? tu_rand(r) % n : 0;
}

/*
 * A kmalloc request size as programs make them: 60 % up to 256 bytes, 30 %
 * up to 2 KiB, 9 % up to 8 KiB, 1 % from the page allocator (8 KiB + 1 to
 * 8 KiB + @large).
 */
static inline size_t tu_mixed_size(struct tu_rng *rng, size_t large)
{
	uint64_t r = tu_rand_below(rng, 1000);

	if (r < 600)
		return 1 + tu_rand_below(rng, 256);
	if (r < 900)
		return 1 + tu_rand_below(rng, 2048);
	if (r < 990)
		return 1 + tu_rand_below(rng, 8192);
	return 8193 + tu_rand_below(rng, large);
}

/*
 * TU_SANITIZED: built with AddressSanitizer or ThreadSanitizer (make
 * check-asan, check-tsan).  The process's RSS then holds the sanitizer's
 * own memory too (shadow, per-thread state, quarantine), which grows with
 * every thread whether kalloc keeps anything or not, and whose shadow of
 * pages kalloc gives back with its own madvise() stays: bounds on RSS
 * growth over many threads, or on a small fall, hold only without one.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TU_SANITIZED	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TU_SANITIZED	1
#endif
#endif
#ifndef TU_SANITIZED
#define TU_SANITIZED	0
#endif

/* The process's resident set in bytes (/proc/self/statm, field 2). */
static inline unsigned long tu_rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
	fclose(f);
	return resident * (unsigned long)sysconf(_SC_PAGESIZE);
}

/* ------------------------------------- the page allocator's insides -- */

static inline struct zone *tu_zone(enum zone_type idx)
{
	return &contig_page_data.node_zones[idx];
}

static inline unsigned long tu_zone_free(enum zone_type idx)
{
	return (unsigned long)zone_page_state(tu_zone(idx), NR_FREE_PAGES);
}

/*
 * Pages the zone could still hand out: on its free lists, on the threads'
 * pcp lists, or not onlined yet.  Allocating n pages lowers it by n and
 * freeing raises it, whichever list the pages travel through.
 */
static inline unsigned long tu_zone_available(enum zone_type idx)
{
	struct zone *zone = tu_zone(idx);

	return tu_zone_free(idx) + zone_pcp_pages(zone) + READ_ONCE(zone->offline_pages);
}

static inline unsigned long tu_available(void)
{
	return tu_zone_available(ZONE_DMA) + tu_zone_available(ZONE_NORMAL) +
	       tu_zone_available(ZONE_HIGHMEM);
}

/*
 * Pages handed out by the buddy allocator to anyone (the test, or kalloc's
 * own layers, such as the slabs of its caches): managed pages that are
 * neither on a free list nor on a pcp list.  Pages being reported are
 * briefly in neither: call it only when no thread is freeing.
 */
static inline unsigned long tu_pages_in_use(void)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = tu_zone(i);

		n += zone->managed_pages - zone_page_state(zone, NR_FREE_PAGES) -
		     zone_pcp_pages(zone);
	}
	return n;
}

/*
 * Pages the machine can still hand out: free (after draining this thread's
 * lists) plus those of sections not yet online.
 */
static inline unsigned long tu_avail_pages(void)
{
	unsigned long offline = 0;
	int z;

	drain_local_pages(NULL);
	for (z = 0; z < MAX_NR_ZONES; z++)
		offline += READ_ONCE(tu_zone(z)->offline_pages);
	return nr_free_pages() + offline;
}

/*
 * kmem_cache_shrink() every cache, twice: shrinking frees sheaves into
 * slab_sheaf, which the second pass shrinks.  Only with other threads joined.
 */
static inline void tu_shrink_all(void)
{
	struct kmem_cache *s;
	int pass;

	vmalloc_purge();	/* phys=memfd: lazily freed vmalloc areas */
	for (pass = 0; pass < 2; pass++)
		list_for_each_entry(s, &slab_caches, list)
			kmem_cache_shrink(s);
}

/* Online sections among those that hold pfns [start_pfn, end_pfn). */
static inline unsigned long tu_online_sections(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long nr, n = 0;

	if (end_pfn <= start_pfn)
		return 0;
	for (nr = pfn_to_section_nr(start_pfn); nr <= pfn_to_section_nr(end_pfn - 1); nr++)
		n += online_section_nr(nr);
	return n;
}

static inline unsigned long tu_zone_online_sections(enum zone_type idx)
{
	struct zone *zone = tu_zone(idx);

	return tu_online_sections(zone->zone_start_pfn, zone_end_pfn(zone));
}

/* Events of the zone, summed over the live threads and the dead ones. */
static inline unsigned long tu_zone_event(enum zone_type idx, enum zone_event_item item)
{
	unsigned long ev[NR_ZONE_EVENTS];

	zone_events_sum(tu_zone(idx), ev);
	return ev[item];
}

struct tu_buddy_stats {
	unsigned long nr_free[NR_PAGE_ORDERS];	/* blocks per order, counted */
	unsigned long free_pages;		/* pages in them */
	unsigned long reported_pages;		/* of those, PG_reported */
	unsigned long pending_pages;		/* unreported, order >= reporting order */
};

/*
 * Walk @zone's free lists under its lock and check the buddy allocator's
 * invariants (mm/page_alloc.c, page_is_buddy() and __free_one_page()):
 *
 *  - each block on free_area[o].free_list[mt] is PageBuddy, of order o,
 *    with its migrate type in page->index, refcount 0, pfn aligned to
 *    2^o, inside the zone, in online sections, and overlaps no other
 *    free block;
 *  - no free block has its buddy free with the same order (a missed merge);
 *  - the blocks counted match free_area[o].nr_free, their pages match
 *    NR_FREE_PAGES, the reported ones NR_REPORTED_PAGES and the
 *    unreported large ones reporting_pending.
 *
 * Only for a quiescent zone (no other thread allocating or freeing).
 * Returns what it counted.
 */
static inline struct tu_buddy_stats tu_check_buddy(enum zone_type idx)
{
	struct zone *zone = tu_zone(idx);
	unsigned long start = zone->zone_start_pfn, span = zone->spanned_pages;
	unsigned char *seen = calloc(span / 8 + 1, 1);
	struct tu_buddy_stats st;
	char why[256] = "";
	unsigned long nr_free[NR_PAGE_ORDERS];
	long vm_free, vm_reported;
	unsigned long pending;
	unsigned int order, mt;

	memset(&st, 0, sizeof(st));
	assert_non_null(seen);
	spin_lock(&zone->lock);
	for (order = 0; order < NR_PAGE_ORDERS && !why[0]; order++) {
		nr_free[order] = zone->free_area[order].nr_free;
		for (mt = 0; mt < MIGRATE_TYPES && !why[0]; mt++) {
			struct list_head *list = &zone->free_area[order].free_list[mt];
			struct list_head *pos;

			list_for_each(pos, list) {
				struct page *page = list_entry(pos, struct page, lru);
				unsigned long pfn = __page_to_pfn(page), i;
				unsigned long nr = 1UL << order;

				if (!PageBuddy(page) || buddy_order(page) != order ||
				    page->index != mt || page->_refcount != 0) {
					snprintf(why, sizeof(why),
						 "pfn %lu on free_area[%u] list %u: buddy %d order %u mt %lu refcount %d",
						 pfn, order, mt, PageBuddy(page), buddy_order(page),
						 page->index, page->_refcount);
					break;
				}
				if (pfn & (nr - 1) || pfn < start || pfn + nr > start + span ||
				    !online_section_nr(pfn_to_section_nr(pfn)) ||
				    !online_section_nr(pfn_to_section_nr(pfn + nr - 1))) {
					snprintf(why, sizeof(why),
						 "free block pfn %lu order %u misplaced (zone %s [%lu, %lu))",
						 pfn, order, zone->name, start, start + span);
					break;
				}
				for (i = pfn - start; i < pfn - start + nr; i++) {
					if (seen[i / 8] & (1u << (i % 8))) {
						snprintf(why, sizeof(why),
							 "free block pfn %lu order %u overlaps another free block at pfn %lu",
							 pfn, order, i + start);
						break;
					}
					seen[i / 8] |= 1u << (i % 8);
				}
				if (why[0])
					break;
				if (order < MAX_PAGE_ORDER) {
					unsigned long bpfn = pfn ^ nr;
					struct page *buddy = __pfn_to_page(bpfn);

					if (zone_spans_pfn(zone, bpfn) &&
					    online_section_nr(pfn_to_section_nr(bpfn)) &&
					    PageBuddy(buddy) && buddy_order(buddy) == order) {
						snprintf(why, sizeof(why),
							 "free blocks pfn %lu and its buddy %lu, both order %u, not merged",
							 pfn, bpfn, order);
						break;
					}
				}
				st.nr_free[order]++;
				st.free_pages += nr;
				if (PageReported(page))
					st.reported_pages += nr;
				else if (order >= page_reporting_order)
					st.pending_pages += nr;
			}
		}
	}
	vm_free = zone_page_state(zone, NR_FREE_PAGES);
	vm_reported = zone_page_state(zone, NR_REPORTED_PAGES);
	pending = zone->reporting_pending;
	spin_unlock(&zone->lock);
	free(seen);

	if (why[0])
		fail_msg("zone %s: %s", zone->name, why);
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		if (st.nr_free[order] != nr_free[order])
			fail_msg("zone %s: free_area[%u].nr_free is %lu but %lu blocks are on its lists",
				 zone->name, order, nr_free[order], st.nr_free[order]);
	assert_int_equal(vm_free, st.free_pages);
	assert_int_equal(vm_reported, st.reported_pages);
	assert_int_equal(pending, st.pending_pages);
	return st;
}

static inline void tu_check_all_buddies(void)
{
	tu_check_buddy(ZONE_DMA);
	tu_check_buddy(ZONE_NORMAL);
	tu_check_buddy(ZONE_HIGHMEM);
}

/* ---------------------------------------------------------- patterns -- */

/* The word expected at word @i of frame @pfn for a block tagged @tag. */
static inline uint64_t tu_pattern_word(uint64_t tag, unsigned long pfn, unsigned long i)
{
	uint64_t x = tag * 0x9e3779b97f4a7c15ull ^ ((uint64_t)pfn << 20) ^ i;

	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ull;
}

/*
 * Fill (or check) the lowmem block of @nr_pages frames at @addr: every
 * word when @full, else the first and last word of each page.  Returns
 * the address of the first bad word, or NULL.
 */
static inline void tu_fill(void *addr, unsigned long nr_pages, uint64_t tag, bool full)
{
	unsigned long pfn = virt_to_pfn(addr), p, i;
	const unsigned long words = PAGE_SIZE / 8;

	for (p = 0; p < nr_pages; p++) {
		uint64_t *w = (uint64_t *)((char *)addr + p * PAGE_SIZE);

		if (full) {
			for (i = 0; i < words; i++)
				w[i] = tu_pattern_word(tag, pfn + p, i);
		} else {
			w[0] = tu_pattern_word(tag, pfn + p, 0);
			w[words - 1] = tu_pattern_word(tag, pfn + p, words - 1);
		}
	}
}

static inline const uint64_t *tu_check_fill(const void *addr, unsigned long nr_pages,
					    uint64_t tag, bool full)
{
	unsigned long pfn = virt_to_pfn(addr), p, i;
	const unsigned long words = PAGE_SIZE / 8;

	for (p = 0; p < nr_pages; p++) {
		const uint64_t *w = (const uint64_t *)((const char *)addr + p * PAGE_SIZE);

		if (full) {
			for (i = 0; i < words; i++)
				if (w[i] != tu_pattern_word(tag, pfn + p, i))
					return &w[i];
		} else {
			if (w[0] != tu_pattern_word(tag, pfn + p, 0))
				return &w[0];
			if (w[words - 1] != tu_pattern_word(tag, pfn + p, words - 1))
				return &w[words - 1];
		}
	}
	return NULL;
}

/*
 * Object patterns (the slab tests): byte i of object @id's pattern.
 * tu_pat_fill() writes the pattern into the first and last @edge bytes of
 * [p, p + len) (all of it when @edge is 0 or the object is no larger than
 * 2 * @edge); tu_pat_check() returns the offset of the first of those
 * bytes that is wrong, or -1.
 */
static inline uint64_t tu_pat_word(uint64_t id, size_t i)
{
	uint64_t x = (id + 1) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)i * 0xbf58476d1ce4e5b9ull);

	x ^= x >> 31;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 29);
}

static inline long tu_pat_walk(unsigned char *b, size_t len, uint64_t id, size_t edge, bool fill)
{
	size_t i = 0;

	while (i < len) {
		uint64_t w = tu_pat_word(id, i / 8);
		size_t end = min(len, (i | 7) + 1);

		for (; i < end; i++) {
			unsigned char v = (unsigned char)(w >> (8 * (i % 8)));

			if (fill)
				b[i] = v;
			else if (b[i] != v)
				return (long)i;
		}
		if (edge && len > 2 * edge && i >= edge && i < len - edge)
			i = len - edge;
	}
	return -1;
}

static inline void tu_pat_fill(void *p, size_t len, uint64_t id, size_t edge)
{
	tu_pat_walk(p, len, id, edge, true);
}

static inline long tu_pat_check(const void *p, size_t len, uint64_t id, size_t edge)
{
	return tu_pat_walk((unsigned char *)p, len, id, edge, false);
}

#define tu_assert_pattern(p, len, id, edge)					\
	do {									\
		long __bad = tu_pat_check((p), (len), (id), (edge));		\
		if (__bad >= 0)							\
			fail_msg("object %p (id %#llx, %zu bytes): byte %ld overwritten", \
				 (void *)(p), (unsigned long long)(id), (size_t)(len), __bad); \
	} while (0)

/* Every byte of [addr, addr + len) is zero. */
static inline bool tu_is_zero(const void *addr, size_t len)
{
	const uint64_t *w = addr;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i])
			return false;
	return true;
}

#endif /* KALLOC_TESTUTIL_H */
