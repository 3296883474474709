/*
 * lib/percpu.h - kalloc's "CPUs": one per thread.
 *
 * The kernel keeps its lockless fast paths per CPU (pcp page lists, SLUB's
 * kmem_cache_cpu); kalloc keeps them per thread, in a struct kalloc_pcpu
 * reached through one initial-exec TLS word.  this_cpu() costs a TLS load
 * and one test.
 *
 * Life cycle of the TLS word:
 *	NULL		the thread has not allocated yet: the first slow path
 *			gives it an area (pcpu_setup()).
 *	PCPU_DEAD	the thread has run its pthread-key destructor and
 *			handed its lists back; from now on it allocates and
 *			frees through the shared, locked paths and never
 *			creates a new area (a destructor of another library,
 *			or glibc itself, may still call free()).
 *	otherwise	the thread's area.
 *
 * Areas live outside the emulated machine, in host memory carved from
 * 64 KiB chunks (as the kernel's first percpu chunk comes from memblock,
 * not from the buddy), so setting one up never recurses into the page
 * allocator.  Every area is on all_pcpus (under pcpu_lock) so that reports
 * can sum counts and fork can tell the child's own area from orphans.
 *
 * Lock order: slab_mutex, pcpu_lock, a cache's barn and list locks, zone
 * locks in zone order (slub.c has the full list).  Nobody takes pcpu_lock
 * while holding a barn, list or zone lock.
 */
#ifndef KALLOC_PERCPU_H
#define KALLOC_PERCPU_H

#include "mm.h"

/*
 * The pcp lists: one per migrate type and order up to PCP_MAX_ORDER.  The
 * kernel keeps orders up to PAGE_ALLOC_COSTLY_ORDER (and the THP order);
 * kalloc goes up to order 7 (512 KiB), where malloc's page blocks live, so
 * that their allocation and free take no lock either.  A block counts its
 * pages against the list's high mark like any other.
 */
#define PCP_MAX_ORDER	7
#define NR_PCP_LISTS	(MIGRATE_PCPTYPES * (PCP_MAX_ORDER + 1))

static inline unsigned int order_to_pindex(int migratetype, unsigned int order)
{
	return order * MIGRATE_PCPTYPES + migratetype;
}

/* malloc's per-thread counters (util.c), summed by kalloc_malloc_stats(). */
enum malloc_event_item {
	MALLOC_PAGE_BLOCKS,		/* page block requests */
	MALLOC_PAGE_BLOCK_PAGES,	/* pages held by page blocks (+/-) */
	MALLOC_VMALLOC,			/* vmalloc requests */
	NR_MALLOC_EVENTS
};
extern long malloc_events_exited[NR_MALLOC_EVENTS] __hidden;

struct per_cpu_pages {
	int count;		/* pages on the lists */
	int high;		/* drain a batch when count reaches this */
	int batch;		/* chunk size of refills and drains */
	int free_pindex;	/* where the next bulk free starts looking */
	int alloc_factor;	/* refills take batch >> (PCP_SLOW_START - this) */
	struct list_head lists[NR_PCP_LISTS];
};

/*
 * Slow start: a thread's first refill of a pcp list or a sheaf takes 1/16
 * of a batch, each next one twice as much, up to whole batches from the
 * fifth on (the kernel's pcp->alloc_factor, 6.7; jemalloc's tcache fill
 * count), so that a short-lived thread holds little that it never uses
 * (64 threads that each allocate a few hundred objects of 40 classes would
 * otherwise hold ~20 MiB between them).  An idle drain starts it over.
 */
#define PCP_SLOW_START	4

/*
 * The slab layer's per-thread sheaves of one cache (slab.h).  The fast
 * paths use only top/bottom/end, a window onto main->objects[] kept here
 * so that they reach the objects without loading the sheaf first:
 *	bottom = main->objects, end = bottom + main->capacity,
 *	top = bottom + (objects held); main->size is brought up to date
 *	(pcs_sync()) whenever the slow path looks at the sheaf.
 */
struct slub_percpu_sheaves {
	void **top;			/* alloc pops *--top, free pushes *top++ */
	void **bottom;
	void **end;
	struct slab_sheaf *main;
};				/* 32 bytes: pcs[i] is a shift away */

#define SLUB_MAX_PCPU_CACHES	128	/* caches with per-thread sheaves */

struct kalloc_pcpu {
	/*
	 * Calls to the next decay tick (vmscan.c): malloc's fast path counts
	 * one, a page block VMSCAN_BLOCK_WEIGHT, so that a program whose
	 * allocations all hit its sheaves or pcp lists still ticks every
	 * VMSCAN_TICK_EVERY calls.  Padded to one pcs[] entry.
	 */
	int tick_countdown;
	/*
	 * The countdown's period + 1, or 0 for VMSCAN_TICK_EVERY: shorter
	 * while the thread's next KFENCE or profile sample is nearer (tick_period(),
	 * kfence.c), so that the sampled allocation is the one that finds
	 * the countdown run out and takes the slow path.
	 */
	int tick_short;
	int kfence_countdown;		/* slab-sized mallocs to the next sample; 0: not set */
	int profile_countdown;		/* the same for the heap profile (page_owner.sample=) */
	unsigned int kfence_rnd;	/* the thread's sampling PRNG (xorshift32) */
	int pad_[3];
	/*
	 * Indexed by kmem_cache->cpu_index; the kmalloc caches have their
	 * kmalloc index and malloc's own caches the slots after them
	 * (slab.h, PCPU_RESERVED_SLOTS), so malloc finds its sheaf from the
	 * size alone.  The
	 * extra last entry belongs to every cache without sheaves (debug,
	 * kalloc's own) and stays the empty sheaf: its fast paths always
	 * fall through to the slow ones.
	 */
	struct slub_percpu_sheaves pcs[SLUB_MAX_PCPU_CACHES + 1];
	struct slab_sheaf *pcs_spare[SLUB_MAX_PCPU_CACHES + 1];	/* NULL, or a spare sheaf */
	struct per_cpu_pages pageset[MAX_NR_ZONES];
	unsigned long vm_events[MAX_NR_ZONES][NR_ZONE_EVENTS];
	long malloc_events[NR_MALLOC_EVENTS];	/* util.c's counters, no atomics */
	unsigned long drain_seq;	/* last drain_all_pages() seen */
	/* vmscan.c: the thread's decay tick (see there) */
	unsigned long vmscan_next;	/* decay clock of the next tick */
	bool in_vmscan;			/* the tick is running on this thread */
	int pcp_seen[MAX_NR_ZONES];	/* pcp count at the last tick, + 1 */
	unsigned short pcs_seen[SLUB_MAX_PCPU_CACHES];	/* sheaf fill at the last tick, + 1 */
	unsigned char pcs_refills[SLUB_MAX_PCPU_CACHES];	/* slow start, up to PCP_SLOW_START */
	struct list_head list;		/* on all_pcpus, under pcpu_lock */
	pid_t tid;			/* owner, for fork */
};

#define PCPU_DEAD	((struct kalloc_pcpu *)1)
#define VMSCAN_TICK_EVERY	1024
#define VMSCAN_BLOCK_WEIGHT	32	/* a page block counts as this many calls */

extern __thread struct kalloc_pcpu *kalloc_pcpu_area
	__attribute__((tls_model("initial-exec"))) __hidden;

extern spinlock_t pcpu_lock __hidden;
extern struct list_head all_pcpus __hidden;

struct kalloc_pcpu *pcpu_setup(void) __hidden;
extern unsigned int nr_cpu_ids __hidden;	/* the possible CPUs: possible_cpus= or the host's */
extern unsigned int pcp_share __hidden;
void pageset_set_high_and_batch(struct per_cpu_pages *pcp, const struct zone *zone,
				unsigned int share) __hidden;
void drain_idle_pages(struct kalloc_pcpu *cpu) __hidden;	/* page_alloc.c */

/* The countdown's period: VMSCAN_TICK_EVERY, or less before a KFENCE sample. */
static inline int tick_period(const struct kalloc_pcpu *cpu)
{
	return cpu->tick_short ? cpu->tick_short - 1 : VMSCAN_TICK_EVERY;
}

/*
 * vmscan_tick_count(): count @weight calls against the thread's
 * tick_countdown and run the decay tick when it runs out (paths too hot to
 * read the clock each time).  A thread past its exit ticks every time.
 */
static inline void vmscan_tick_count(int weight)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;

	if ((uintptr_t)cpu > (uintptr_t)PCPU_DEAD) {
		cpu->tick_countdown -= weight;
		if (cpu->tick_countdown >= 0)
			return;
		cpu->tick_countdown = tick_period(cpu);
	}
	vmscan_tick();
}
void pcpu_init(void) __hidden;
void pcpu_fork_child(void) __hidden;

/*
 * this_cpu(): the calling thread's area, set up on first use; NULL for a
 * thread that has exited its caches (use the shared paths).
 */
static __always_inline struct kalloc_pcpu *this_cpu(void)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;

	if (likely((uintptr_t)cpu > (uintptr_t)PCPU_DEAD))
		return cpu;
	if (cpu == PCPU_DEAD)
		return NULL;
	return pcpu_setup();
}

/* count_zone_event(): per-thread counter, or the zone's (atomically) */
static inline void count_zone_events(struct kalloc_pcpu *cpu, struct zone *zone,
				     enum zone_event_item item, unsigned long n)
{
	if (likely(cpu))
		WRITE_ONCE(cpu->vm_events[zone_idx(zone)][item], cpu->vm_events[zone_idx(zone)][item] + n);
	else
		__atomic_fetch_add(&zone->events[item], n, __ATOMIC_RELAXED);
}

#endif /* KALLOC_PERCPU_H */
