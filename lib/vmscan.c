/*
 * lib/vmscan.c - the periodic work that gives idle memory back, and kswapd.
 *
 * The kernel spreads this work over several places: vmstat_update() (every
 * second, per CPU) drains the per-cpu page lists a CPU left alone, cache
 * shrinkers and kmem_cache_shrink() give empty slabs back, page reporting's
 * delayed work reports free pages that stayed free, the vmap purge frees
 * lazily freed areas.  kalloc runs all of it from one decay tick:
 *
 *	per thread, once per page_reporting_delay (the thread's own caches,
 *	which only the thread may touch):
 *		slub_drain_idle()	sheaves that did not move since the
 *					last tick go to the barn or the slabs
 *		drain_idle_pages()	pcp lists that did not move go back to
 *					their zones
 *	global, once per 1/8 of page_reporting_delay, one thread at a time
 *	(shrink_node()):
 *		slub_shrink_idle()	caches untouched for a delay give their
 *					barn's sheaves and empty slabs back
 *		area_cache_decay()	malloc's cached vmalloc areas that
 *					waited a delay are freed
 *		vmalloc_decay()		lazily freed areas (phys=memfd) purged
 *		page_reporting		zones report the free blocks that
 *					stayed free a delay (page_reporting.c)
 *
 * Who runs the tick: the end of every slab slow path (sheaf refill and
 * flush; they hold no lock there), vmalloc-sized mallocs and frees, and a
 * per-thread countdown (percpu.h, vmscan_tick_count()): malloc's fast path
 * counts one call, a page block 32, and the tick runs every 1024.  It reads
 * the coarse clock (a few ns, no system call) and returns at once when
 * nothing is due; zone-level frees run page reporting's check themselves.  A
 * program that stops calling malloc stops ticking: with the option
 * `kswapd`, a thread named kswapd0 runs the global part every 1/8 of the
 * delay.  It is started by the first tick (never in a process that
 * allocates nothing), blocks every signal, has no per-thread caches of its
 * own, is started again in a fork child only when the child ticks, and
 * exits when no thread with caches is left (so that it never keeps a
 * process whose main thread called pthread_exit() alive).  A thread that
 * blocks for good keeps its own sheaves and pcp lists (bounded); nothing
 * else may touch them without a lock on the fast path.
 *
 * Locking: the tick runs with no lock held; slub_*_idle() take slab_mutex
 * only if it is free (a tick inside kmem_cache_create() skips them), then
 * the barn, list and zone locks in the global order.  cpu->in_vmscan keeps
 * a tick from running inside itself (a flush frees, a free may tick).
 */
#include "util.h"
#include "options.h"

#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

bool kswapd_enabled;			/* the option "kswapd" */

static unsigned long vmscan_global_next;	/* decay clock */
static int kswapd_started;		/* 0, 1: running (or starting) */
static unsigned long kswapd_wakeups;

static inline unsigned long vmscan_interval(void)
{
	return page_reporting_delay_ms / 8 + 1;
}

/* balance_pgdat()/shrink_node() of the one node: the global part. */
static void shrink_node(unsigned long now)
{
	unsigned long next = READ_ONCE(vmscan_global_next);

	if (time_before(now, next))
		return;
	/* one thread per period: the winner moves the date */
	if (!__atomic_compare_exchange_n(&vmscan_global_next, &next, now + vmscan_interval(),
					 false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	slub_shrink_idle(now);
	area_cache_decay();
	vmalloc_decay();
	decay_clock_update();
	page_reporting_notify_free(NULL);
}

static void *kswapd(void *arg)
{
	struct timespec ts;

	(void)arg;
	prctl(PR_SET_NAME, "kswapd0", 0, 0, 0);
	/* no caches of its own: what it frees goes to the shared lists */
	kalloc_pcpu_area = PCPU_DEAD;
	for (;;) {
		unsigned long ms = clamp(vmscan_interval(), 10UL, 1000UL);

		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
		nanosleep(&ts, NULL);
		if (list_empty(&all_pcpus)) {	/* racy read: only the last thread leaves it empty */
			__atomic_store_n(&kswapd_started, 0, __ATOMIC_RELAXED);
			return NULL;
		}
		WRITE_ONCE(kswapd_wakeups, kswapd_wakeups + 1);
		shrink_node(decay_clock_update());
	}
}

/* Start kswapd once; every signal blocked in it, so the program's land elsewhere. */
static __cold void kswapd_run(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int expected = 0;

	if (!__atomic_compare_exchange_n(&kswapd_started, &expected, 1, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (pthread_create(&t, &attr, kswapd, NULL))
		pr_warn("cannot start kswapd: memory is given back only while the program allocates\n");
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void vmscan_tick(void)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;
	unsigned long now = decay_clock_update();

	if ((uintptr_t)cpu > (uintptr_t)PCPU_DEAD) {
		if (cpu->in_vmscan)
			return;
		if (time_before(now, cpu->vmscan_next) &&
		    time_before(now, READ_ONCE(vmscan_global_next)))
			return;
		cpu->in_vmscan = true;
		if (!time_before(now, cpu->vmscan_next)) {
			cpu->vmscan_next = now + page_reporting_delay_ms + 1;
			slub_drain_idle(cpu);
			drain_idle_pages(cpu);
		}
		shrink_node(now);
		cpu->in_vmscan = false;
	} else {
		shrink_node(now);
	}
	if (unlikely(kswapd_enabled) && !READ_ONCE(kswapd_started) && cpu != PCPU_DEAD)
		kswapd_run();
}

unsigned long kswapd_nr_wakeups(void)
{
	return READ_ONCE(kswapd_wakeups);
}

/* The child has no kswapd: the child's first tick starts its own. */
void vmscan_fork_child(void)
{
	kswapd_started = 0;
	vmscan_global_next = 0;
}
