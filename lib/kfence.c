/*
 * lib/kfence.c - KFENCE for malloc: a sampled guard-page allocator
 * (mm/kfence/core.c and mm/kfence/report.c).
 *
 * One slab-sized malloc in kfence.sample_rate (per thread, at a random
 * distance of mean sample_rate, so that no periodic pattern of a program's
 * allocations always hides from it) is served from the KFENCE pool instead
 * of a slab: an object alone on its page, against the page's right or left
 * edge at random, with a PROT_NONE guard page on both sides.  A read or
 * write past either end faults at once; free() makes the page PROT_NONE,
 * so a use after free faults too; the bytes of the page around the object
 * are a canary pattern that free() checks.  Each of these is reported in
 * the kernel's words and format, with the allocation and free stacks.
 *
 * The pool
 * --------
 *
 * kfence.num_objects object pages (default 255, CONFIG_KFENCE_NUM_OBJECTS),
 * laid out as the kernel's __kfence_pool:
 *
 *	page	0      1      2      3      4      5    ...  2n     2n+1
 *		guard  guard  obj 0  guard  obj 1  guard     obj n-1 guard
 *
 * so that object i's page is pool + (2i + 2) pages and an address's object
 * is (addr - pool) / (2 pages) - 1 (addr_to_metadata()); an odd page is a
 * guard page, whose objects are the ones on either side.  The pool is an
 * area of the vmalloc window with no frames (get_vm_area_caller(),
 * vmalloc.c), of host anonymous memory that stays PROT_NONE except for the
 * pages of live objects.  free(), realloc() and malloc_usable_size() find
 * it from the address alone in their vmalloc-window branch
 * (is_kfence_address(): one subtraction, one comparison), which a slab
 * object's free never reaches: the fast paths are untouched.  It is set up
 * by the first sample (kfence_init_pool()), so a process that samples
 * nothing has no pool, no metadata and no signal handler.
 *
 * Placement: at the left edge the object starts the page; at the right
 * edge it ends at the page's end rounded down to malloc's alignment (16
 * bytes, as glibc's malloc), so up to 15 bytes between the object and the
 * guard page are not guarded by the MMU.  They, like every byte of the
 * page the object does not cover, hold the canary pattern
 * (KFENCE_CANARY_PATTERN: 0xaa ^ (address & 7)), and free() reports a
 * changed byte as "memory corruption", as the kernel does for the unused
 * bytes of a KFENCE page.  An object's usable size (malloc_usable_size())
 * is the size asked for (the kernel's kfence_ksize()).
 *
 * Sampling
 * --------
 *
 * The kernel opens an allocation gate every kfence.sample_interval
 * milliseconds from a timer.  A process has no timer for that, and a
 * gate tested on the fast path would cost every allocation: here the
 * sampling rides on the slab fast path's existing countdown (percpu.h,
 * tick_countdown), which sends malloc to its slow path every
 * VMSCAN_TICK_EVERY allocations for the decay tick.  malloc_samples_due()
 * runs in that slow path (malloc_slab_slow(), util.c), counts the fast
 * allocations since the last visit from the countdown, and when the next
 * sample is nearer than the next tick it shortens the countdown's period
 * (tick_short), so that the sampled allocation is the very one that takes
 * the slow path.  The fast path is not one instruction longer; sampling
 * costs a few instructions per slow-path visit and, per sample, two
 * mprotect() calls and the page's canary.  A thread without its area (its
 * first allocation, or past its exit) is not sampled.  A sample whose size
 * KFENCE cannot take (0, or above a page) waits for the thread's next
 * allocation (kernel: "skipped allocations (incompatible)"); a sample that
 * finds no free object is lost ("skipped allocations (capacity)").
 *
 * Freed objects go to the tail of kfence_freelist and allocations take the
 * head (the kernel's FIFO), so a freed object's page stays protected, with
 * its metadata, for as long as possible: a late use after free is caught.
 *
 * Faults
 * ------
 *
 * The first sample installs a SIGSEGV handler (kfence_sigsegv()).  A fault
 * in the pool is KFENCE's (kfence_handle_page_fault()): on a guard page an
 * out-of-bounds access of the nearer live neighbour, on an object page a
 * use after free; it is reported, and then the process aborts (SIGABRT),
 * which is what a user-space program's users expect of a memory error.
 * kfence.panic_on_warn=0 makes it continue as the kernel does: the page is
 * made accessible and the access goes on (a guard page is protected again
 * when its object is freed).  Every other SIGSEGV goes to the handler that
 * was installed before (SA_SIGINFO or not, with its mask), or gets the
 * default action (the fault is taken again with SIG_DFL, so the process
 * dies of the SIGSEGV it caused), or is ignored if it was SIG_IGN and not a
 * fault.  A program that installs its own SIGSEGV handler after KFENCE
 * started replaces KFENCE's: its KFENCE faults then reach its handler, not
 * a report (ASan has the same limit).  Only the thread that faults runs
 * the handler, with an alternate stack if it set one (SA_ONSTACK).
 *
 * Stacks: the allocation and free stacks are the return address of the
 * entry point (malloc's caller), and, when the process has libgcc's
 * unwinder (_Unwind_Backtrace: every C++ program, every program linked
 * with libgcc_s; kalloc loads it only for slub_debug=U or page_owner=on,
 * stackdepot.c), up to
 * KFENCE_STACK_DEPTH frames from there.  With glibc 2.35 and GCC 12 the
 * unwinder finds frames through _dl_find_object(), which takes no lock and
 * allocates nothing; it is called once when the pool is set up, so its
 * first-use work is not done inside a report.  The faulting access's
 * frame is the pc of the signal's ucontext.  Reports symbolize with
 * sprint_symbol() (kallsyms.c), which allocates nothing either and names
 * static functions from the object's .symtab.
 *
 * Locking
 * -------
 *
 * kfence_lock protects kfence_freelist and every object's metadata (state,
 * addr, size, cache, tracks, unprotected_page).  It is a leaf, after every
 * other lock of the global order: nothing allocates or calls the host
 * under it but a report (which writes to stderr with write(2), symbolizes
 * with sprint_symbol() and allocates nothing).  kalloc's own code never touches a
 * protected page, so the fault handler never runs on a thread that holds
 * the lock.  A slot taken off the freelist belongs to its taker until it
 * publishes the object (ALLOCATED); a freed slot to its freer until it is
 * queued again: the page's protection changes outside the lock.  The
 * counters are atomic.  kfence_setup_lock serialises the pool's set-up,
 * which takes the vmalloc and slab locks under it: it comes first in the
 * global order (mm_init.c), and nobody takes it with a lock held (malloc's
 * slow path calls kfence_alloc() with none).  __kfence_pool and
 * kfence_pool_size are published with a release store and read without a
 * lock.  Fork: the forking thread holds kfence_lock;
 * the child, which has a copy of the pool and of the metadata, starts
 * with a fresh lock.
 */
#include "slab.h"
#include "util.h"
#include "json.h"
#include "kfence.h"
#include "options.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>


#define KFENCE_STACK_DEPTH		16
#define KFENCE_ALIGN			16UL	/* malloc's alignment (glibc's) */
#define KFENCE_CANARY_PATTERN(addr)	((unsigned char)0xaa ^ (unsigned char)((unsigned long)(addr) & 0x7))

unsigned long kfence_sample_rate = KFENCE_DEFAULT_SAMPLE_RATE;
unsigned int kfence_num_objects = 255;
bool kfence_panic_on_warn = true;

unsigned long __kfence_pool;
unsigned long kfence_pool_size;

enum kfence_object_state {
	KFENCE_OBJECT_UNUSED,		/* never handed out */
	KFENCE_OBJECT_ALLOCATED,
	KFENCE_OBJECT_FREED,		/* page protected, slot queued */
};

struct kfence_track {
	pid_t pid;			/* the thread's id, as the kernel's task pid */
	int cpu;
	uint64_t ts_nsec;		/* since kalloc started */
	unsigned int num_stack_entries;
	unsigned long stack_entries[KFENCE_STACK_DEPTH];
};

/* struct kfence_metadata: one per object page, under kfence_lock */
struct kfence_metadata {
	enum kfence_object_state state;
	unsigned int size;		/* bytes asked for */
	unsigned long addr;		/* object start; the page start while unused */
	const struct kmem_cache *cache;	/* malloc's class the request belongs to */
	unsigned long unprotected_page;	/* a guard page a continued fault opened */
	int next;			/* kfence_freelist link, -1 at the tail */
	struct kfence_track alloc_track;
	struct kfence_track free_track;
};

enum kfence_error_type {
	KFENCE_ERROR_OOB,
	KFENCE_ERROR_UAF,
	KFENCE_ERROR_CORRUPTION,
	KFENCE_ERROR_INVALID,
	KFENCE_ERROR_INVALID_FREE,
};

/* The counters of debugfs' kfence/stats, with the kernel's names. */
enum kfence_counter_id {
	KFENCE_COUNTER_ALLOCATED,
	KFENCE_COUNTER_ALLOCS,
	KFENCE_COUNTER_FREES,
	KFENCE_COUNTER_ZOMBIES,
	KFENCE_COUNTER_BUGS,
	KFENCE_COUNTER_SKIP_INCOMPAT,
	KFENCE_COUNTER_SKIP_CAPACITY,
	KFENCE_COUNTER_SKIP_COVERED,
	KFENCE_COUNTER_COUNT,
};
static long counters[KFENCE_COUNTER_COUNT];
static const char *const counter_names[] = {
	[KFENCE_COUNTER_ALLOCATED]	= "currently allocated",
	[KFENCE_COUNTER_ALLOCS]		= "total allocations",
	[KFENCE_COUNTER_FREES]		= "total frees",
	[KFENCE_COUNTER_ZOMBIES]	= "zombie allocations",
	[KFENCE_COUNTER_BUGS]		= "total bugs",
	[KFENCE_COUNTER_SKIP_INCOMPAT]	= "skipped allocations (incompatible)",
	[KFENCE_COUNTER_SKIP_CAPACITY]	= "skipped allocations (capacity)",
	[KFENCE_COUNTER_SKIP_COVERED]	= "skipped allocations (covered)",
};
_Static_assert(ARRAY_SIZE(counter_names) == KFENCE_COUNTER_COUNT, "one name per counter");

static inline void counter_add(enum kfence_counter_id id, long n)
{
	__atomic_fetch_add(&counters[id], n, __ATOMIC_RELAXED);
}

static struct kfence_metadata *kfence_metadata;
static unsigned int kfence_nr_objects;	/* the pool's, once set up */
static int kfence_freelist_head = -1, kfence_freelist_tail = -1;
static spinlock_t kfence_lock = __SPIN_LOCK_UNLOCKED;
static spinlock_t kfence_setup_lock = __SPIN_LOCK_UNLOCKED;
static bool kfence_setup_failed;
static pid_t kfence_setup_tid;		/* the thread setting the pool up */
static uint64_t kfence_boot_ns;
static unsigned int kfence_seed;
static struct sigaction kfence_old_sigsegv;
/* kalloc's own code, to leave its frames out of stacks (kfence_init()) */

/* ------------------------------------------------------- sampling -- */

static unsigned int kfence_random(struct kalloc_pcpu *cpu)
{
	unsigned int x = cpu->kfence_rnd;

	if (!x)
		x = kfence_seed ^ ((unsigned int)(uintptr_t)cpu * 0x9e3779b9u) ^ 0x6b43a9b5u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	cpu->kfence_rnd = x ? x : 1;
	return x;
}

/* Allocations to the next sample: uniform in [1, 2N - 1], mean N (N = 1: every one). */
static int sample_interval(struct kalloc_pcpu *cpu, unsigned long n)
{
	if (n <= 1)
		return 1;
	n = min(n, (unsigned long)INT_MAX / 2);
	return 1 + (int)(kfence_random(cpu) % (2 * n - 1));
}

/*
 * One sampler's countdown (@left: the allocations to its next sample, 0
 * before the thread's first visit) after @used allocations; true if this
 * one is its sample.  The next interval is drawn at once.
 */
static bool sample_countdown(struct kalloc_pcpu *cpu, int *left, unsigned long rate, int used)
{
	int n = *left ? *left - used : sample_interval(cpu, rate) - 1;
	bool due = n <= 0;

	*left = due ? sample_interval(cpu, rate) : n;
	return due;
}

/*
 * malloc_samples_due(): what the kernel's toggle_allocation_gate() timer
 * and the gate test of kfence_alloc() do, by count instead of time, for
 * KFENCE and for the sampled heap profile (page_owner.sample=,
 * page_owner.c) alike: each keeps its own countdown, and the fast path's
 * one countdown runs out at the nearer of their samples.
 *
 * The fast path counted down tick_countdown from tick_period(): it made
 * period + 1 allocations when it sent this one here (the countdown ran
 * out), period - countdown when this one came for a refill (which the
 * countdown did not count), plus this one.  A page block weighs more (it
 * counts VMSCAN_BLOCK_WEIGHT), so the count is a bound, not exact: a
 * program of page blocks is sampled a little earlier.
 */
unsigned int malloc_samples_due(struct kalloc_pcpu *cpu)
{
	unsigned long kfence_rate = READ_ONCE(kfence_sample_rate);
	int period = tick_period(cpu), used, next = INT_MAX;
	unsigned int due = 0;

	if (cpu->tick_countdown < 0)
		used = period + 1;
	else
		used = max(period - cpu->tick_countdown, 0) + 1;
	if (kfence_rate) {
		if (sample_countdown(cpu, &cpu->kfence_countdown, kfence_rate, used))
			due |= SAMPLE_KFENCE;
		next = cpu->kfence_countdown;
	}
	if (page_owner_sampling()) {
		if (sample_countdown(cpu, &cpu->profile_countdown, page_owner_sample_objects(), used))
			due |= SAMPLE_PROFILE;
		next = min(next, cpu->profile_countdown);
	}
	/*
	 * The next-th allocation from now must find the countdown out, and
	 * the decay tick keeps its turn: a slow path taken for another reason
	 * (an empty sheaf) must not start its countdown again, or a program
	 * whose sheaves run empty often would seldom tick (pagerepl's peak
	 * RSS: 77.6 MiB without KFENCE, 84-93 MiB with it before this).
	 */
	period = min(next - 1, cpu->tick_countdown < 0 ? VMSCAN_TICK_EVERY : cpu->tick_countdown);
	cpu->tick_short = period == VMSCAN_TICK_EVERY ? 0 : period + 1;
	cpu->tick_countdown = period;
	return due;
}

/* A sample that cannot be served now: the thread's next allocation is one. */
static void kfence_sample_again(struct kalloc_pcpu *cpu)
{
	cpu->kfence_countdown = 1;
	cpu->tick_short = 1;
	cpu->tick_countdown = 0;
}

/* --------------------------------------------------------- stacks -- */

/* The stack from the program's side (stackdepot.c), at most KFENCE_STACK_DEPTH frames. */
static unsigned int kfence_save_stack(unsigned long *out, unsigned long caller)
{
	return stack_trace_save_user(out, KFENCE_STACK_DEPTH, caller);
}

/* The thread's id: its area knows it (fork's child updates it), else ask. */
static inline pid_t kfence_gettid(void)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;

	if ((uintptr_t)cpu > (uintptr_t)PCPU_DEAD && cpu->tid)
		return cpu->tid;
	return (pid_t)kalloc_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

static inline int kfence_getcpu(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? 0 : cpu;
}

/* metadata_update_state(): the track of the new state, under kfence_lock */
static void metadata_update_state(struct kfence_metadata *meta, enum kfence_object_state next,
				  const unsigned long *stack, unsigned int nr)
{
	struct kfence_track *track = next == KFENCE_OBJECT_FREED ? &meta->free_track
								 : &meta->alloc_track;

	memcpy(track->stack_entries, stack, nr * sizeof(*stack));
	track->num_stack_entries = nr;
	track->pid = kfence_gettid();
	track->cpu = kfence_getcpu();
	track->ts_nsec = ktime_get_ns() - kfence_boot_ns;
	WRITE_ONCE(meta->state, next);
}

/* ----------------------------------------------------------- pool -- */

static inline unsigned long metadata_to_pageaddr(const struct kfence_metadata *meta)
{
	return __kfence_pool + (((unsigned long)(meta - kfence_metadata) + 1) << (PAGE_SHIFT + 1));
}

/* The object whose page (or whose following guard page) holds @addr, or NULL. */
static struct kfence_metadata *addr_to_metadata(unsigned long addr)
{
	long index;

	if (!is_kfence_address((void *)addr))
		return NULL;
	index = (long)((addr - __kfence_pool) >> (PAGE_SHIFT + 1)) - 1;
	if (index < 0 || index >= (long)kfence_nr_objects)
		return NULL;
	return &kfence_metadata[index];
}

static bool kfence_protect(unsigned long addr)
{
	return !sys_mprotect((void *)ALIGN_DOWN(addr, PAGE_SIZE), PAGE_SIZE, PROT_NONE);
}

static bool kfence_unprotect(unsigned long addr)
{
	return !sys_mprotect((void *)ALIGN_DOWN(addr, PAGE_SIZE), PAGE_SIZE,
			     PROT_READ | PROT_WRITE);
}

/* Take the head of kfence_freelist (the slot freed longest ago), or NULL (kfence_guarded_alloc()'s first step). */
static struct kfence_metadata *kfence_freelist_pop(void)
{
	struct kfence_metadata *meta = NULL;

	spin_lock(&kfence_lock);
	if (kfence_freelist_head >= 0) {
		meta = &kfence_metadata[kfence_freelist_head];
		kfence_freelist_head = meta->next;
		if (kfence_freelist_head < 0)
			kfence_freelist_tail = -1;
		meta->next = -1;
	}
	spin_unlock(&kfence_lock);
	return meta;
}

/* Queue a slot at the tail.  Under kfence_lock. */
static void __kfence_freelist_push(struct kfence_metadata *meta)
{
	int i = (int)(meta - kfence_metadata);

	meta->next = -1;
	if (kfence_freelist_tail >= 0)
		kfence_metadata[kfence_freelist_tail].next = i;
	else
		kfence_freelist_head = i;
	kfence_freelist_tail = i;
}

static void kfence_sigsegv(int sig, siginfo_t *info, void *uctx);


/*
 * kfence_init_pool(): the pool, its metadata (host memory, outside the
 * emulated machine, as the kernel's comes from memblock), the free list,
 * and the SIGSEGV handler.  Under kfence_setup_lock; false if the host
 * refuses, and KFENCE stays off.
 */
static bool kfence_init_pool(void)
{
	unsigned int n = kfence_num_objects, i;
	unsigned long size = ((unsigned long)n + 1) * 2 * PAGE_SIZE;
	size_t meta_size = ALIGN(n * sizeof(struct kfence_metadata), PAGE_SIZE);
	struct sigaction sa;
	void *pool, *meta;

	pool = get_vm_area_caller(size, VM_KFENCE, 0);
	if (!pool)
		return false;
	meta = sys_mmap(NULL, meta_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (IS_ERR_VALUE(meta))
		return false;		/* the area stays reserved, unused */
	/* PROT_NONE, no pages: a mapping even in the sparse layout, whose free ranges are holes */
	if (IS_ERR_VALUE(sys_mmap(pool, size, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0))) {
		sys_munmap(meta, meta_size);
		return false;		/* the area stays reserved, unused */
	}
	kfence_metadata = meta;
	kfence_nr_objects = n;
	for (i = 0; i < n; i++) {
		struct kfence_metadata *m = &kfence_metadata[i];

		m->state = KFENCE_OBJECT_UNUSED;
		m->addr = (unsigned long)pool + (((unsigned long)i + 1) << (PAGE_SHIFT + 1));
		m->next = i + 1 < n ? (int)i + 1 : -1;
	}
	kfence_freelist_head = 0;
	kfence_freelist_tail = n - 1;
	stack_trace_prime();

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = kfence_sigsegv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &kfence_old_sigsegv))
		return false;

	WRITE_ONCE(__kfence_pool, (unsigned long)pool);
	__atomic_store_n(&kfence_pool_size, size, __ATOMIC_RELEASE);
	pr_info("KFENCE: initialized - using %lu bytes for %u objects at 0x%p-0x%p\n", size, n,
		pool, (char *)pool + size);
	return true;
}

/* The pool, set up by the first sample; false while it is not (yet) there. */
static bool kfence_pool_ready(void)
{
	bool ok;

	if (likely(__atomic_load_n(&kfence_pool_size, __ATOMIC_ACQUIRE)))
		return true;
	if (READ_ONCE(kfence_setup_failed))
		return false;
	/* an allocation of the set-up itself (sigaction() interposed, say) */
	if (READ_ONCE(kfence_setup_tid) && READ_ONCE(kfence_setup_tid) == kfence_gettid())
		return false;
	spin_lock(&kfence_setup_lock);
	WRITE_ONCE(kfence_setup_tid, kfence_gettid());
	ok = kfence_pool_size || (!kfence_setup_failed && kfence_init_pool());
	if (!ok && !kfence_setup_failed) {
		kfence_setup_failed = true;
		WRITE_ONCE(kfence_sample_rate, 0);
		pr_warn("KFENCE: cannot set up the pool of %u objects: KFENCE is off\n",
			kfence_num_objects);
	}
	WRITE_ONCE(kfence_setup_tid, 0);
	spin_unlock(&kfence_setup_lock);
	return ok;
}

/*
 * The canary: every byte of the object's page that the object does not
 * cover holds KFENCE_CANARY_PATTERN(its address); eight bytes from an
 * 8-aligned address are the word CANARY_WORD.  for_each_canary() in the
 * kernel goes byte by byte; words make a sample's alloc and free cheaper.
 */
#define CANARY_WORD	0xadacafaea9a8abaaUL

static void set_canary_range(unsigned long a, unsigned long end)
{
	for (; a < end && (a & 7); a++)
		*(unsigned char *)a = KFENCE_CANARY_PATTERN(a);
	for (; a + 8 <= end; a += 8)
		*(unsigned long *)a = CANARY_WORD;
	for (; a < end; a++)
		*(unsigned char *)a = KFENCE_CANARY_PATTERN(a);
}

/* The first byte of [a, end) that lost its canary, or 0. */
static unsigned long check_canary_range(unsigned long a, unsigned long end)
{
	for (; a < end && (a & 7); a++)
		if (*(unsigned char *)a != KFENCE_CANARY_PATTERN(a))
			return a;
	for (; a + 8 <= end; a += 8)
		if (*(unsigned long *)a != CANARY_WORD)
			break;
	for (; a < end; a++)
		if (*(unsigned char *)a != KFENCE_CANARY_PATTERN(a))
			return a;
	return 0;
}

static void set_canary(const struct kfence_metadata *meta)
{
	unsigned long page = ALIGN_DOWN(meta->addr, PAGE_SIZE);

	set_canary_range(page, meta->addr);
	set_canary_range(meta->addr + meta->size, page + PAGE_SIZE);
}

/* The first byte of the page around the object that lost its canary, or 0. */
static unsigned long find_corrupted_canary(const struct kfence_metadata *meta)
{
	unsigned long page = ALIGN_DOWN(meta->addr, PAGE_SIZE), bad;

	bad = check_canary_range(page, meta->addr);
	if (!bad)
		bad = check_canary_range(meta->addr + meta->size, page + PAGE_SIZE);
	return bad;
}

static void kfence_report_error(unsigned long address, bool is_write,
				const unsigned long *stack, unsigned int nr,
				const struct kfence_metadata *meta, enum kfence_error_type type);
static void kfence_report_done(void);

/*
 * kfence_guarded_alloc(): a free slot, its page opened, the object placed
 * against the right or the left edge at random, the rest of the page
 * canary.
 */
static void *kfence_guarded_alloc(struct kalloc_pcpu *cpu, struct kmem_cache *s, size_t size,
				  unsigned long caller)
{
	unsigned long stack[KFENCE_STACK_DEPTH];
	unsigned int nr = kfence_save_stack(stack, caller);
	struct kfence_metadata *meta;
	unsigned long page;

	meta = kfence_freelist_pop();
	if (!meta) {
		counter_add(KFENCE_COUNTER_SKIP_CAPACITY, 1);
		return NULL;
	}
	page = metadata_to_pageaddr(meta);
	/* every page of the pool is PROT_NONE but those of live objects */
	if (!kfence_unprotect(page)) {
		spin_lock(&kfence_lock);
		__kfence_freelist_push(meta);
		spin_unlock(&kfence_lock);
		counter_add(KFENCE_COUNTER_SKIP_CAPACITY, 1);
		return NULL;
	}
	/* the slot is ours until it is ALLOCATED: the fields change under the lock for readers */
	spin_lock(&kfence_lock);
	meta->addr = page;
	if (kfence_random(cpu) & 1)
		meta->addr = ALIGN_DOWN(page + PAGE_SIZE - size, KFENCE_ALIGN);
	meta->size = (unsigned int)size;
	meta->cache = s;
	metadata_update_state(meta, KFENCE_OBJECT_ALLOCATED, stack, nr);
	spin_unlock(&kfence_lock);
	set_canary(meta);
	counter_add(KFENCE_COUNTER_ALLOCATED, 1);
	counter_add(KFENCE_COUNTER_ALLOCS, 1);
	return (void *)meta->addr;
}

/* __kfence_alloc(): the sampled allocation, past the gate */
void *kfence_alloc(struct kalloc_pcpu *cpu, struct kmem_cache *s, size_t size, unsigned long caller)
{
	if (unlikely(!size || size > PAGE_SIZE)) {
		/* the kernel checks the size before the gate: the next allocation is the sample */
		counter_add(KFENCE_COUNTER_SKIP_INCOMPAT, 1);
		kfence_sample_again(cpu);
		return NULL;
	}
	if (!kfence_pool_ready())
		return NULL;
	return kfence_guarded_alloc(cpu, s, size, caller);
}

/*
 * __kfence_free() and kfence_guarded_free(): a live object's start, its canary intact, its
 * page protected and the slot queued at the tail.  Anything else is an
 * invalid free (a double free among them), reported.
 */
void kfence_free(void *addr, unsigned long caller)
{
	unsigned long stack[KFENCE_STACK_DEPTH];
	unsigned int nr = kfence_save_stack(stack, caller);
	struct kfence_metadata *meta = addr_to_metadata((unsigned long)addr);
	unsigned long bad, guard;

	spin_lock(&kfence_lock);
	if (!meta || meta->state != KFENCE_OBJECT_ALLOCATED || meta->addr != (unsigned long)addr) {
		counter_add(KFENCE_COUNTER_BUGS, 1);
		kfence_report_error((unsigned long)addr, false, stack, nr, meta,
				    KFENCE_ERROR_INVALID_FREE);
		spin_unlock(&kfence_lock);
		kfence_report_done();
		return;		/* kfence.panic_on_warn=0: left alone */
	}
	metadata_update_state(meta, KFENCE_OBJECT_FREED, stack, nr);
	guard = meta->unprotected_page;
	meta->unprotected_page = 0;
	spin_unlock(&kfence_lock);

	bad = find_corrupted_canary(meta);
	if (bad) {
		counter_add(KFENCE_COUNTER_BUGS, 1);
		spin_lock(&kfence_lock);
		kfence_report_error(bad, false, stack, nr, meta, KFENCE_ERROR_CORRUPTION);
		spin_unlock(&kfence_lock);
		kfence_report_done();
	}
	if (guard) {		/* a continued out-of-bounds access opened it */
		memset((void *)ALIGN_DOWN(guard, PAGE_SIZE), 0, PAGE_SIZE);
		kfence_protect(guard);
	}
	kfence_protect(meta->addr);
	spin_lock(&kfence_lock);
	__kfence_freelist_push(meta);
	spin_unlock(&kfence_lock);
	counter_add(KFENCE_COUNTER_ALLOCATED, -1);
	counter_add(KFENCE_COUNTER_FREES, 1);
}

/* kfence_ksize() */
size_t kfence_ksize(const void *addr)
{
	const struct kfence_metadata *meta = addr_to_metadata((unsigned long)addr);
	size_t size = 0;

	if (!meta)
		return 0;
	spin_lock(&kfence_lock);
	if (meta->state == KFENCE_OBJECT_ALLOCATED && meta->addr == (unsigned long)addr)
		size = meta->size;
	spin_unlock(&kfence_lock);
	return size;
}

unsigned long kfence_bytes_in_use(void)
{
	unsigned long bytes = 0;
	unsigned int i;

	if (!__atomic_load_n(&kfence_pool_size, __ATOMIC_ACQUIRE))
		return 0;
	spin_lock(&kfence_lock);
	for (i = 0; i < kfence_nr_objects; i++)
		if (kfence_metadata[i].state == KFENCE_OBJECT_ALLOCATED)
			bytes += kfence_metadata[i].size;
	spin_unlock(&kfence_lock);
	return bytes;
}

/* ------------------------------------------------------- printing -- */

/*
 * A report line goes out with one write(2) from a stack buffer (no stdio,
 * no allocation: the fault handler prints too); the objects report prints
 * to its FILE.
 */
struct kfence_out {
	FILE *file;		/* NULL: stderr, with write(2) */
	char buf[512];
	size_t len;
};

static void out_flush(struct kfence_out *o)
{
	if (o->len && !o->file)
		sys_write(2, o->buf, o->len);
	else if (o->len)
		fwrite(o->buf, 1, o->len, o->file);
	o->len = 0;
}

static __attribute__((format(printf, 2, 3))) void out_printf(struct kfence_out *o,
							      const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->len = min(o->len + (size_t)n, sizeof(o->buf) - 1);
	if (o->len && o->buf[o->len - 1] == '\n')
		out_flush(o);
}

/* %pS (kallsyms.c) */
static void out_symbol(struct kfence_out *o, unsigned long ip)
{
	char sym[256];

	sprint_symbol(sym, sizeof(sym), ip);
	out_printf(o, "%s", sym);
}

/*
 * A stack, one frame a line with its source line (kallsyms.c): the
 * frames are return addresses, but for a fault's stack whose first frame
 * (@pc_first) is the faulting instruction itself.
 */
static void out_stack(struct kfence_out *o, const unsigned long *stack, unsigned int nr,
		      bool pc_first)
{
	char sym[448];
	unsigned int i;

	for (i = 0; i < nr; i++) {
		if (!i && pc_first)
			sprint_symbol_line(sym, sizeof(sym), stack[i]);
		else
			sprint_backtrace_line(sym, sizeof(sym), stack[i]);
		out_printf(o, " %s\n", sym);
	}
}

/* kfence_print_stack(): "allocated by task ..." and the stack */
static void kfence_print_stack(struct kfence_out *o, const struct kfence_metadata *meta,
			       bool show_alloc, uint64_t now)
{
	const struct kfence_track *track = show_alloc ? &meta->alloc_track : &meta->free_track;
	uint64_t ago = now > track->ts_nsec ? now - track->ts_nsec : 0;

	out_printf(o, "%s by task %d on cpu %d at %lu.%06lus (%lu.%06lus ago):\n",
		   show_alloc ? "allocated" : "freed", track->pid, track->cpu,
		   (unsigned long)(track->ts_nsec / 1000000000u),
		   (unsigned long)(track->ts_nsec % 1000000000u / 1000),
		   (unsigned long)(ago / 1000000000u), (unsigned long)(ago % 1000000000u / 1000));
	if (track->num_stack_entries)
		out_stack(o, track->stack_entries, track->num_stack_entries, false);
	else
		out_printf(o, " no %s stack\n", show_alloc ? "allocation" : "deallocation");
}

static const char *kfence_cache_name(const struct kfence_metadata *meta)
{
	return meta->cache && meta->cache->name ? meta->cache->name : "<destroyed>";
}

/* kfence_print_object(): object number @index's line and its stacks */
static void kfence_print_object(struct kfence_out *o, const struct kfence_metadata *meta,
				long index, uint64_t now)
{

	if (meta->state == KFENCE_OBJECT_UNUSED) {
		out_printf(o, "kfence-#%ld unused\n", index);
		return;
	}
	out_printf(o, "kfence-#%ld: 0x%lx-0x%lx, size=%u, cache=%s\n\n", index, meta->addr,
		   meta->addr + meta->size - 1, meta->size, kfence_cache_name(meta));
	kfence_print_stack(o, meta, true, now);
	if (meta->state == KFENCE_OBJECT_FREED) {
		out_printf(o, "\n");
		kfence_print_stack(o, meta, false, now);
	}
}

/* print_diff_canary(): up to 16 bytes from @address, '.' where the canary holds */
static void print_diff_canary(struct kfence_out *o, unsigned long address,
			      const struct kfence_metadata *meta)
{
	unsigned long end = address < meta->addr ? min(address + 16, meta->addr)
						  : min(address + 16, ALIGN(address + 1, PAGE_SIZE));
	const unsigned char *cur;

	out_printf(o, "[");
	for (cur = (const unsigned char *)address; cur < (const unsigned char *)end; cur++) {
		if (*cur == KFENCE_CANARY_PATTERN(cur))
			out_printf(o, " .");
		else
			out_printf(o, " 0x%02x", *cur);
	}
	out_printf(o, " ]");
}

static const char *get_access_type(bool is_write)
{
	return is_write ? "write" : "read";
}

/*
 * kfence_report_error(): the kernel's report, field for field: the
 * header naming the first frame of @stack, the access, the stack, the
 * object with its stacks, the task.  Under kfence_lock (the metadata stay
 * still); the caller drops it and calls kfence_report_done().
 */
static void kfence_report_error(unsigned long address, bool is_write,
				const unsigned long *stack, unsigned int nr,
				const struct kfence_metadata *meta, enum kfence_error_type type)
{
	struct kfence_out o = { .file = NULL, .len = 0 };
	uint64_t now = ktime_get_ns() - kfence_boot_ns;
	long index = meta ? meta - kfence_metadata : -1;
	char comm[17] = "";
	int saved_errno = errno;

	prctl(PR_GET_NAME, (unsigned long)comm, 0, 0, 0);
	out_printf(&o, "==================================================================\n");
	switch (type) {
	case KFENCE_ERROR_OOB: {
		bool left = address < meta->addr;

		out_printf(&o, "BUG: KFENCE: out-of-bounds %s in ", get_access_type(is_write));
		out_symbol(&o, stack[0]);
		out_printf(&o, "\n\n");
		out_printf(&o, "Out-of-bounds %s at 0x%lx (%luB %s of kfence-#%ld):\n",
			   get_access_type(is_write), address,
			   left ? meta->addr - address : address - meta->addr,
			   left ? "left" : "right", index);
		break;
	}
	case KFENCE_ERROR_UAF:
		out_printf(&o, "BUG: KFENCE: use-after-free %s in ", get_access_type(is_write));
		out_symbol(&o, stack[0]);
		out_printf(&o, "\n\n");
		out_printf(&o, "Use-after-free %s at 0x%lx (in kfence-#%ld):\n",
			   get_access_type(is_write), address, index);
		break;
	case KFENCE_ERROR_CORRUPTION:
		out_printf(&o, "BUG: KFENCE: memory corruption in ");
		out_symbol(&o, stack[0]);
		out_printf(&o, "\n\n");
		out_printf(&o, "Corrupted memory at 0x%lx ", address);
		print_diff_canary(&o, address, meta);
		out_printf(&o, " (in kfence-#%ld):\n", index);
		break;
	case KFENCE_ERROR_INVALID:
		out_printf(&o, "BUG: KFENCE: invalid %s in ", get_access_type(is_write));
		out_symbol(&o, stack[0]);
		out_printf(&o, "\n\n");
		out_printf(&o, "Invalid %s at 0x%lx:\n", get_access_type(is_write), address);
		break;
	case KFENCE_ERROR_INVALID_FREE:
		out_printf(&o, "BUG: KFENCE: invalid free in ");
		out_symbol(&o, stack[0]);
		out_printf(&o, "\n\n");
		if (meta)
			out_printf(&o, "Invalid free of 0x%lx (in kfence-#%ld):\n", address, index);
		else
			out_printf(&o, "Invalid free of 0x%lx:\n", address);
		break;
	}
	out_stack(&o, stack, nr, type == KFENCE_ERROR_OOB || type == KFENCE_ERROR_UAF ||
				 type == KFENCE_ERROR_INVALID);
	if (meta) {
		out_printf(&o, "\n");
		kfence_print_object(&o, meta, index, now);
	}
	out_printf(&o, "\n");
	out_printf(&o, "CPU: %d PID: %d Comm: %s\n", kfence_getcpu(), kfence_gettid(), comm);
	out_printf(&o, "==================================================================\n");
	errno = saved_errno;
}

/*
 * After a report, with kfence_lock dropped: abort(), the end a program's
 * users expect of a memory error, or with kfence.panic_on_warn=0 go on as
 * the kernel does.
 */
static void kfence_report_done(void)
{
	if (!READ_ONCE(kfence_panic_on_warn))
		return;
	pr_err("KFENCE: aborting on the memory error above (kfence.panic_on_warn=0 reports and goes on)\n");
	abort();
}

/* ---------------------------------------------------------- faults -- */

struct fault_stack {
	unsigned long entries[KFENCE_STACK_DEPTH];
	unsigned int nr;
};

/* The faulting context's stack: the pc, then its callers if the unwinder goes through the signal frame. */
static void fault_stack_save(struct fault_stack *fs, unsigned long pc)
{
	unsigned long raw[KFENCE_STACK_DEPTH + 8];
	unsigned int n = stack_trace_save(raw, ARRAY_SIZE(raw)), i, j;

	for (i = 0; i < n && raw[i] != pc; i++)
		;
	fs->entries[0] = pc;
	fs->nr = 1;
	for (j = i + 1; j < n && fs->nr < KFENCE_STACK_DEPTH; j++)
		fs->entries[fs->nr++] = raw[j];
}

/*
 * kfence_handle_page_fault(): a fault at @addr in the pool.  A guard page:
 * out of bounds of the nearer live object beside it; an object page: a use
 * after free (or an access through a stale pointer to a slot in use again,
 * reported the same way, as the kernel does).  Returns true when the
 * access may go on (kfence.panic_on_warn=0: the page is opened).
 */
static bool kfence_handle_page_fault(unsigned long addr, bool is_write, const ucontext_t *uc)
{
	const long page_index = (long)((addr - __kfence_pool) >> PAGE_SHIFT);
	struct kfence_metadata *to_report = NULL;
	enum kfence_error_type error_type;
	struct fault_stack fs;

	fault_stack_save(&fs, (unsigned long)uc->uc_mcontext.gregs[REG_RIP]);
	spin_lock(&kfence_lock);
	if (page_index % 2) {
		/* a guard page: an out-of-bounds access of a neighbour */
		struct kfence_metadata *meta;
		unsigned long distance = 0;

		meta = addr >= PAGE_SIZE ? addr_to_metadata(addr - PAGE_SIZE) : NULL;
		if (meta && meta->state == KFENCE_OBJECT_ALLOCATED) {
			to_report = meta;
			distance = addr - (meta->addr + meta->size);
		}
		meta = addr_to_metadata(addr + PAGE_SIZE);
		if (meta && meta->state == KFENCE_OBJECT_ALLOCATED &&
		    (!to_report || distance > meta->addr - addr))
			to_report = meta;
		error_type = KFENCE_ERROR_OOB;
		if (to_report)
			to_report->unprotected_page = addr;
	} else {
		to_report = addr_to_metadata(addr);
		error_type = KFENCE_ERROR_UAF;
	}
	counter_add(KFENCE_COUNTER_BUGS, 1);
	/* This may be an out-of-bounds access or a use after free, but nobody can tell. */
	kfence_report_error(addr, is_write, fs.entries, fs.nr, to_report,
			    to_report ? error_type : KFENCE_ERROR_INVALID);
	spin_unlock(&kfence_lock);
	kfence_report_done();
	return kfence_unprotect(addr);
}

/*
 * A SIGSEGV that is not KFENCE's goes where it would have gone without
 * KFENCE: the handler installed before, with its flags and mask, or the
 * default action.
 */
static void kfence_chain_sigsegv(int sig, siginfo_t *info, void *uctx)
{
	const struct sigaction *old = &kfence_old_sigsegv;
	bool fault = info->si_code > 0;		/* sent by the kernel for an access */
	struct sigaction dfl;
	sigset_t saved;
	int mask;

	if (!(old->sa_flags & SA_SIGINFO) &&
	    (old->sa_handler == SIG_DFL || old->sa_handler == SIG_IGN)) {
		if (old->sa_handler == SIG_IGN && !fault)
			return;
		/*
		 * The default action: a fault is taken again when the handler
		 * returns, and kills; a signal sent by kill() is sent again
		 * and delivered once the handler returns.
		 */
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, NULL);
		if (!fault)
			raise(sig);
		return;
	}
	if (old->sa_flags & SA_RESETHAND) {
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		sigemptyset(&dfl.sa_mask);
		sigaction(sig, &dfl, NULL);
	}
	/* the mask the old handler asked for: its sa_mask, and @sig unless SA_NODEFER */
	mask = sigisemptyset(&old->sa_mask) ? 0 : 1;
	if (mask)
		pthread_sigmask(SIG_BLOCK, &old->sa_mask, &saved);
	if (old->sa_flags & SA_NODEFER) {
		sigset_t self;

		sigemptyset(&self);
		sigaddset(&self, sig);
		pthread_sigmask(SIG_UNBLOCK, &self, mask ? NULL : &saved);
		mask = 1;
	}
	if (old->sa_flags & SA_SIGINFO)
		old->sa_sigaction(sig, info, uctx);
	else
		old->sa_handler(sig);
	if (mask)
		pthread_sigmask(SIG_SETMASK, &saved, NULL);
}

static void kfence_sigsegv(int sig, siginfo_t *info, void *uctx)
{
	const ucontext_t *uc = uctx;
	unsigned long addr = (unsigned long)info->si_addr;
	int saved_errno = errno;

	if (info->si_code > 0 && is_kfence_address((void *)addr) &&
	    kfence_handle_page_fault(addr, uc->uc_mcontext.gregs[REG_ERR] & 2, uc)) {
		errno = saved_errno;
		return;
	}
	errno = saved_errno;
	kfence_chain_sigsegv(sig, info, uctx);
}

/* -------------------------------------------------------- reports -- */

/* stats_show(): debugfs' kfence/stats */
void kfence_stats_show(FILE *out)
{
	unsigned int i;

	fprintf(out, "enabled: %i\n", READ_ONCE(kfence_sample_rate) && !READ_ONCE(kfence_setup_failed));
	for (i = 0; i < KFENCE_COUNTER_COUNT; i++)
		fprintf(out, "%s: %ld\n", counter_names[i], READ_ONCE(counters[i]));
}

/* The same as JSON: the debugfs file's names as keys. */
void kfence_stats_show_json(struct json *j)
{
	unsigned int i;

	json_bool(j, "enabled", READ_ONCE(kfence_sample_rate) && !READ_ONCE(kfence_setup_failed));
	for (i = 0; i < KFENCE_COUNTER_COUNT; i++)
		json_s64(j, counter_names[i], READ_ONCE(counters[i]));
}

/*
 * show_object(): debugfs' kfence/objects, every object that was ever handed out, each
 * followed by a line of dashes.  The metadata are copied under the lock
 * and printed from the copy (printing allocates).
 */
void kfence_objects_show(FILE *out)
{
	struct kfence_out o = { .file = out, .len = 0 };
	struct kfence_metadata *copy;
	uint64_t now = ktime_get_ns() - kfence_boot_ns;
	unsigned int i, n;
	size_t bytes;

	if (!__atomic_load_n(&kfence_pool_size, __ATOMIC_ACQUIRE))
		return;
	n = kfence_nr_objects;
	bytes = n * sizeof(*copy);
	copy = kvmalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
	if (!copy)
		return;
	spin_lock(&kfence_lock);
	memcpy(copy, kfence_metadata, bytes);
	spin_unlock(&kfence_lock);
	for (i = 0; i < n; i++) {
		if (copy[i].state == KFENCE_OBJECT_UNUSED)
			continue;
		kfence_print_object(&o, &copy[i], i, now);
		out_printf(&o, "---------------------------------\n");
	}
	kvfree(copy);
}

/* ----------------------------------------------------------- boot -- */

/*
 * kfence_init(): at boot, no allocation: the clock's origin and the
 * sampling seed.  The pool waits for the first sample.
 */
void kfence_init(void)
{
	kfence_boot_ns = ktime_get_ns();
	kfence_seed = (unsigned int)(kfence_boot_ns ^ (kfence_boot_ns >> 32)) ^
		      (unsigned int)sys_getpid() * 0x9e3779b9u;
}

/* ----------------------------------------------------------- fork -- */

void kfence_fork_prepare(void)
{
	spin_lock(&kfence_setup_lock);
	spin_lock(&kfence_lock);
}

void kfence_fork_parent(void)
{
	spin_unlock(&kfence_lock);
	spin_unlock(&kfence_setup_lock);
}

void kfence_fork_child(void)
{
	spin_lock_init(&kfence_lock);
	spin_lock_init(&kfence_setup_lock);
}
