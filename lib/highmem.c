/*
 * lib/highmem.c - mapping HIGHMEM frames a while at a time (mm/highmem.c,
 * include/linux/highmem-internal.h): kmap() through the pkmap window,
 * kmap_local_page() and kmap_atomic() through the fixmap.
 *
 * A HIGHMEM frame has no permanent address (page_address() is NULL), as
 * on i386.  Lowmem frames, and the HIGHMEM frames that kalloc's slabs and
 * malloc's page blocks keep mapped at their own slots (PageHighMapped,
 * docs/architecture.md), are where they always are: every call below
 * returns their address and undoes nothing.
 *
 * pkmap (kmap(), kunmap(): kmap_high(), kunmap_high()).  LAST_PKMAP slots
 * at PKMAP_BASE, with the kernel's counts:
 *
 *	pkmap_count[nr] == 0	the slot is free and maps nothing
 *	pkmap_count[nr] == 1	the slot maps pkmap_page[nr], which nobody
 *				uses: the last kunmap() left it so
 *	pkmap_count[nr] == n+1	the slot is in use by n kmap()s
 *
 * and page->virtual == PKMAP_ADDR(nr) whenever pkmap_count[nr] >= 1.  So a
 * kmap() of a page kunmap()ed a moment ago finds its address in
 * page->virtual and costs no system call.  Slots are unmapped lazily:
 * map_new_virtual() hands out slots round the ring (last_pkmap_nr), and
 * each time it wraps back to slot 0, flush_all_zero_pkmaps() unmaps every
 * slot whose count is 1, in one pass (the kernel's one TLB flush).  When
 * every slot is in use, kmap() sleeps until a kunmap() brings a count
 * down to 1 (pkmap_map_wait, below); it never fails.
 *
 * What "mapped" means for the bytes.  phys=memfd: a slot is an alias of
 * the frame's page of the memfd, as a kernel pte is; nothing moves.
 * phys=anon: a frame's bytes live at one address at a time, so mapping a
 * frame moves its bytes from its own slot into the pkmap slot (mremap) and
 * unmapping moves them back.  A slot kept after the last kunmap() (count
 * 1) therefore still holds the frame's bytes, and whatever wants them
 * elsewhere must take them back first: vmap() of the page
 * (kmap_flush_unused_page(); vmap() refuses a frame in a fixmap slot,
 * kmap_local_holds()), and the free of the page.  kalloc unmaps a
 * page's kept slot when the page is freed (kmap_flush_freed(), from
 * free_pages_prepare()), in both backings, before the buddy can hand the
 * frame to a slab, a page block or a vmalloc area that expects its bytes
 * at their usual address and page->virtual to be theirs.  A page freed
 * while still kmap()ed (count above 1) is a bug of the caller, reported
 * as the kernel's "Bad page state".
 *
 * fixmap (kmap_local_page(), kmap_atomic(), kunmap_local()).  KM_MAX_IDX
 * (16) slots per CPU for NR_CPUS (32) CPUs, FIX_KMAP_BEGIN..FIX_KMAP_END
 * just above the pkmap window, going down from FIXADDR_TOP as on i386
 * (lib/mm.h).  The mappings of a CPU form a stack: kmap_local_page()
 * pushes, kunmap_local() pops, and unmapping out of order is the kernel's
 * WARN_ON_ONCE (the top mapping is undone, as the kernel does).  kalloc's
 * CPUs are threads; a thread takes one of the NR_CPUS stacks with its
 * first local mapping and gives it back with its last kunmap_local(), as
 * a kernel task is pinned to its CPU (migrate_disable()) while it holds
 * local mappings.  When all NR_CPUS stacks are taken, a thread waits for
 * one as kmap() waits for a slot.  A thread that exits with local
 * mappings keeps its stack.
 *
 * With phys=memfd a local mapping is an alias in the fixmap slot, as in
 * the kernel, whatever else maps the frame.  With phys=anon the bytes
 * must be at the address returned, so: a page that has a pkmap slot is
 * handed out at that slot, its count taken as kmap() would (ARM's
 * arch_kmap_local_high_get(), which exists for the same reason: a frame
 * that must not be seen at two addresses); a page the same thread has
 * already mapped locally is handed out at that mapping again; any other
 * page moves into the fixmap slot.  A frame in a fixmap slot cannot be
 * mapped anywhere else meanwhile: kmap() of it, or kmap_local_page() by
 * another thread, is reported and aborts (phys=memfd allows both).
 * Each of these still takes a stack entry, so that the order of
 * kunmap_local() is checked alike in both backings.
 *
 * Locking: pkmap_lock (the kernel's kmap_lock) protects pkmap_count[],
 * pkmap_page[], last_pkmap_nr, the page->virtual of HIGHMEM pages that
 * are not PageHighMapped, the fixmap stacks and which thread holds each,
 * and the counters.  The mapping work (mremap/mmap) runs under it: the
 * host takes the process's mmap lock for each of those calls anyway.  It
 * comes after vmap_area_lock in the global order (mm_init.c) and nothing
 * else is taken under it.  pkmap_map_wait is a futex word, a sequence
 * bumped under pkmap_lock whenever a slot or a stack may have come free
 * and someone waits (nr_waiters): a waiter reads it under the lock, drops
 * the lock and sleeps only while it is unchanged, so no wake-up is lost.
 * pkmap_nr_mapped (slots with a count) is written under the lock and read
 * without it by the free path, which takes the lock only when it is
 * non-zero and the page has a kept slot; fixmap_cpus_busy likewise by
 * vmap() (kmap_local_holds()), which takes it only when a stack is held.
 */
#include "slab.h"
#include "util.h"

#include <linux/futex.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define LAST_PKMAP_MASK	(LAST_PKMAP - 1)
#define PKMAP_NR(virt)	(((unsigned long)(virt) - PKMAP_BASE) >> PAGE_SHIFT)
#define PKMAP_ADDR(nr)	(PKMAP_BASE + ((unsigned long)(nr) << PAGE_SHIFT))

static spinlock_t pkmap_lock = __SPIN_LOCK_UNLOCKED;
static int pkmap_count[LAST_PKMAP];
static struct page *pkmap_page[LAST_PKMAP];	/* what each slot's "pte" maps */
static unsigned int last_pkmap_nr;
unsigned int pkmap_nr_mapped;			/* slots with pkmap_count >= 1 */
static unsigned int pkmap_map_wait;		/* futex: bumped to wake waiters */
static unsigned int nr_waiters;
static struct kmap_stats kmap_events;		/* the event counters */

/* How a local mapping holds its frame's bytes. */
enum kmap_local_kind {
	KMAP_LOCAL_FIXMAP,	/* mapped at its fixmap slot (moved there, phys=anon) */
	KMAP_LOCAL_SAME,	/* phys=anon: a mapping lower on the stack has the bytes */
	KMAP_LOCAL_PKMAP,	/* phys=anon: at the page's pkmap slot, its count taken */
};

struct kmap_local_entry {
	struct page *page;
	unsigned long vaddr;	/* what kmap_local_page() returned, page aligned */
	enum kmap_local_kind kind;
};

/* The kernel's task->kmap_ctrl, here one per fixmap CPU. */
struct kmap_ctrl {
	int idx;				/* entries on the stack */
	struct kmap_local_entry stack[KM_MAX_IDX];
};

static struct kmap_ctrl kmap_ctrl[NR_CPUS];
static unsigned int fixmap_cpus_busy;		/* bit n: a thread holds CPU n */
static __thread int kmap_local_cpu __attribute__((tls_model("initial-exec")));	/* CPU + 1, or 0 */

_Static_assert(NR_CPUS <= 32, "fixmap_cpus_busy is one word");

static inline unsigned long kmap_local_vaddr(unsigned int cpu, int idx)
{
	return __fix_to_virt(FIX_KMAP_BEGIN + idx + KM_MAX_IDX * cpu);
}

static inline bool in_pkmap(unsigned long addr)
{
	return addr - PKMAP_BASE < LAST_PKMAP * PAGE_SIZE;
}

static inline bool in_fixmap(unsigned long addr)
{
	return addr >= __fix_to_virt(FIX_KMAP_END) && addr <= __fix_to_virt(FIX_KMAP_BEGIN);
}

/* Pages mapped at their slot for good: page_address() is where they are. */
static inline bool page_mapped_for_good(const struct page *page)
{
	return !PageHighMem(page) || PageHighMapped(page);
}

/* ------------------------------------------------- the frames' bytes -- */

/*
 * set_pte_at() for one slot: phys=memfd maps the frame's page at @vaddr;
 * phys=anon moves its bytes there from the frame's own slot and puts the
 * reservation (or fresh memory, where slabs opened the section) back there.
 */
static void kmap_set_pte(unsigned long vaddr, struct page *page)
{
	unsigned long pfn = __page_to_pfn(page);

	if (phys_is_memfd()) {
		if (phys_map(vaddr, pfn, 1, PROT_READ | PROT_WRITE))
			panic("kmap: the host refused to map frame %#lx", pfn);
		return;
	}
	if (move_bytes((unsigned long)pfn_to_slot(pfn), vaddr, PAGE_SIZE))
		panic("kmap: the host refused to move frame %#lx", pfn);
	sys_mprotect((void *)vaddr, PAGE_SIZE, PROT_READ | PROT_WRITE);
	refill_slot(pfn, 1);
}

/*
 * pte_clear() for one slot: phys=anon moves the bytes back to the frame's
 * own slot and re-reserves @vaddr at once (mremap leaves a hole there);
 * phys=memfd re-reserves @vaddr only if @reserve, else the caller does it
 * for a stretch of slots (the flush).
 */
static void kmap_clear_pte(unsigned long vaddr, struct page *page, bool reserve)
{
	unsigned long pfn = __page_to_pfn(page);

	if (!phys_is_memfd()) {
		if (move_bytes(vaddr, (unsigned long)pfn_to_slot(pfn), PAGE_SIZE))
			panic("kunmap: the host refused to move frame %#lx back", pfn);
		if (!slot_section_rw(pfn))
			sys_mprotect(pfn_to_slot(pfn), PAGE_SIZE, PROT_NONE);
		reserve = true;
	}
	if (reserve)
		reserve_range(vaddr, PAGE_SIZE);
}

/* ------------------------------------------------------ waiting -- */

/*
 * Sleep on pkmap_map_wait until a kunmap() or a last kunmap_local() may
 * have made room.  Called and returns with pkmap_lock held.
 */
static void pkmap_sleep(void)
{
	unsigned int seq = READ_ONCE(pkmap_map_wait);

	nr_waiters++;
	kmap_events.waits++;
	spin_unlock(&pkmap_lock);
	kalloc_syscall6(SYS_futex, (long)&pkmap_map_wait, FUTEX_WAIT_PRIVATE, seq, 0, 0, 0);
	spin_lock(&pkmap_lock);
	nr_waiters--;
}

/* wake_up(&pkmap_map_wait), under pkmap_lock: true if the caller must wake after unlocking. */
static bool pkmap_wake_prepare(void)
{
	if (!nr_waiters)
		return false;
	WRITE_ONCE(pkmap_map_wait, pkmap_map_wait + 1);
	return true;
}

static void pkmap_wake(void)
{
	kalloc_syscall6(SYS_futex, (long)&pkmap_map_wait, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 0, 0);
}

/* ---------------------------------------------------------- pkmap -- */

static void pkmap_drop_slot(unsigned int nr, bool reserve)
{
	struct page *page = pkmap_page[nr];

	kmap_clear_pte(PKMAP_ADDR(nr), page, reserve);
	pkmap_count[nr] = 0;
	pkmap_page[nr] = NULL;
	WRITE_ONCE(page->virtual, NULL);
	WRITE_ONCE(pkmap_nr_mapped, pkmap_nr_mapped - 1);
}

/*
 * flush_all_zero_pkmaps(): unmap every slot nobody uses (count 1), then
 * the kernel's one TLB flush, which here is one mmap() per stretch of
 * free slots that holds a slot just unmapped (phys=memfd; phys=anon has
 * re-reserved each slot as its bytes went back).  Caller holds pkmap_lock.
 */
static void flush_all_zero_pkmaps(void)
{
	unsigned int nr, start = 0, flushed = 0;
	bool stretch_flushed = false;

	for (nr = 0; nr <= LAST_PKMAP; nr++) {
		if (nr < LAST_PKMAP && pkmap_count[nr] == 1) {
			pkmap_drop_slot(nr, false);
			flushed++;
			stretch_flushed = true;
		}
		if (nr == LAST_PKMAP || pkmap_count[nr]) {	/* a stretch of free slots ends */
			if (stretch_flushed && phys_is_memfd())
				reserve_range(PKMAP_ADDR(start), (unsigned long)(nr - start) << PAGE_SHIFT);
			stretch_flushed = false;
			start = nr + 1;
		}
	}
	if (flushed) {
		kmap_events.flushes++;
		kmap_events.flushed += flushed;
	}
}

/* Caller holds pkmap_lock: does a fixmap slot (of a CPU other than @except_cpu) hold @page's bytes? */
static bool fixmap_holds_page(const struct page *page, int except_cpu)
{
	unsigned int cpu;
	int i;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		if (!(fixmap_cpus_busy & (1u << cpu)) || (int)cpu == except_cpu)
			continue;
		for (i = 0; i < kmap_ctrl[cpu].idx; i++)
			if (kmap_ctrl[cpu].stack[i].page == page &&
			    kmap_ctrl[cpu].stack[i].kind == KMAP_LOCAL_FIXMAP)
				return true;
	}
	return false;
}

static __cold __attribute__((noreturn)) void anon_double_map(const struct page *page, const char *who)
{
	panic("%s: frame %#lx is mapped by kmap_local_page() already, and with phys=anon a frame's bytes are at one address at a time (phys=memfd maps it at both)",
	      who, __page_to_pfn(page));
}

/*
 * map_new_virtual(): a free slot for @page, round the ring from
 * last_pkmap_nr, flushing the unused slots each time it wraps; when there
 * is none, sleep until a kunmap() and look again.  Returns the address,
 * which another thread may have given the page while this one slept.
 * Caller holds pkmap_lock.
 */
static unsigned long map_new_virtual(struct page *page)
{
	unsigned int count;
	unsigned long vaddr;

start:
	count = LAST_PKMAP;
	for (;;) {
		last_pkmap_nr = (last_pkmap_nr + 1) & LAST_PKMAP_MASK;
		if (!last_pkmap_nr) {
			flush_all_zero_pkmaps();
			count = LAST_PKMAP;
		}
		if (!pkmap_count[last_pkmap_nr])
			break;
		if (--count)
			continue;
		pkmap_sleep();
		vaddr = (unsigned long)page->virtual;
		if (vaddr)
			return vaddr;
		goto start;
	}
	vaddr = PKMAP_ADDR(last_pkmap_nr);
	kmap_set_pte(vaddr, page);
	pkmap_count[last_pkmap_nr] = 1;
	pkmap_page[last_pkmap_nr] = page;
	WRITE_ONCE(page->virtual, (void *)vaddr);
	WRITE_ONCE(pkmap_nr_mapped, pkmap_nr_mapped + 1);
	kmap_events.kmap_new++;
	return vaddr;
}

/* kmap_high(): the page's slot, mapped now or kept from before; one more user. */
static void *kmap_high(struct page *page)
{
	unsigned long vaddr;
	unsigned int nr;

	spin_lock(&pkmap_lock);
	vaddr = (unsigned long)page->virtual;
	if (!vaddr) {
		if (!phys_is_memfd() && fixmap_holds_page(page, -1)) {
			spin_unlock(&pkmap_lock);
			anon_double_map(page, "kmap");
		}
		vaddr = map_new_virtual(page);
	} else if (pkmap_count[PKMAP_NR(vaddr)] == 1) {
		kmap_events.kmap_reuse++;
	}
	nr = PKMAP_NR(vaddr);
	pkmap_count[nr]++;
	BUG_ON(pkmap_count[nr] < 2);
	spin_unlock(&pkmap_lock);
	return (void *)vaddr;
}

/* kunmap_high(): one user fewer; the last leaves the slot mapped (count 1). */
static void kunmap_high(struct page *page)
{
	unsigned long vaddr;
	bool wake = false;

	spin_lock(&pkmap_lock);
	vaddr = (unsigned long)page->virtual;
	if (!vaddr || !in_pkmap(vaddr) || pkmap_count[PKMAP_NR(vaddr)] < 2) {
		spin_unlock(&pkmap_lock);
		panic("kunmap: page %#lx is not kmapped", __page_to_pfn(page));
	}
	if (--pkmap_count[PKMAP_NR(vaddr)] == 1)
		wake = pkmap_wake_prepare();
	spin_unlock(&pkmap_lock);
	if (wake)
		pkmap_wake();
}

/* Where a page mapped for good is: its linear address, or its own slot. */
static inline void *page_address_for_good(struct page *page)
{
	return PageHighMem(page) ? page->virtual : lowmem_page_address(page);
}

void *kmap(struct page *page)
{
	if (page_mapped_for_good(page))
		return page_address_for_good(page);
	return kmap_high(page);
}
EXPORT_SYMBOL(kmap);

void kunmap(struct page *page)
{
	if (page_mapped_for_good(page))
		return;
	kunmap_high(page);
}
EXPORT_SYMBOL(kunmap);

/* kmap_flush_unused(): unmap every pkmap slot that nobody uses, now. */
void kmap_flush_unused(void)
{
	spin_lock(&pkmap_lock);
	flush_all_zero_pkmaps();
	spin_unlock(&pkmap_lock);
}
EXPORT_SYMBOL(kmap_flush_unused);

/*
 * The page's kept pkmap slot, if it has one nobody uses, unmapped now
 * (phys=anon: its bytes back at the frame's own slot): vmap() moves them.
 */
void kmap_flush_unused_page(struct page *page)
{
	unsigned long vaddr;

	if (page_mapped_for_good(page) || !READ_ONCE(page->virtual))
		return;
	spin_lock(&pkmap_lock);
	vaddr = (unsigned long)page->virtual;
	if (vaddr && in_pkmap(vaddr) && pkmap_count[PKMAP_NR(vaddr)] == 1) {
		pkmap_drop_slot(PKMAP_NR(vaddr), true);
		kmap_events.flushed++;
	}
	spin_unlock(&pkmap_lock);
}

/* Is @page's frame in a fixmap slot (phys=anon: its bytes are there)?  vmap() asks. */
bool kmap_local_holds(const struct page *page)
{
	bool held;

	if (page_mapped_for_good(page) || !READ_ONCE(fixmap_cpus_busy))
		return false;
	spin_lock(&pkmap_lock);
	held = fixmap_holds_page(page, -1);
	spin_unlock(&pkmap_lock);
	return held;
}

/*
 * free_pages_prepare() of a HIGHMEM block while some slot is mapped: each
 * page's kept slot goes (kmap_flush_freed(), mm.h); a page still in use
 * by kmap() is a bug of the caller.  Caller holds no kalloc lock, or a
 * zone lock while onlining, when no page of the block has a slot.
 */
void __kmap_flush_freed(struct page *page, unsigned int order)
{
	unsigned long i;

	for (i = 0; i < (1UL << order); i++) {
		struct page *p = page + i;
		unsigned long vaddr;
		unsigned int nr;

		if (!READ_ONCE(p->virtual) || PageHighMapped(p))
			continue;
		spin_lock(&pkmap_lock);
		vaddr = (unsigned long)p->virtual;
		if (vaddr && in_pkmap(vaddr)) {
			nr = PKMAP_NR(vaddr);
			if (pkmap_count[nr] > 1) {
				int users = pkmap_count[nr] - 1;

				spin_unlock(&pkmap_lock);
				panic("BUG: Bad page state: pfn:%#lx: freeing a page that is still kmapped (%d kunmap() missing)",
				      __page_to_pfn(p), users);
			}
			pkmap_drop_slot(nr, true);
			kmap_events.freed++;
		}
		spin_unlock(&pkmap_lock);
	}
}

/* --------------------------------------------------------- fixmap -- */

/*
 * The calling thread's fixmap CPU, taken if it has none (the kernel's
 * migrate_disable() at the first local mapping), waiting while all
 * NR_CPUS are held.  Caller holds pkmap_lock.
 */
static unsigned int kmap_local_get_cpu(void)
{
	unsigned int cpu;

	if (kmap_local_cpu)
		return kmap_local_cpu - 1;
	while (fixmap_cpus_busy == (NR_CPUS == 32 ? ~0u : (1u << NR_CPUS) - 1))
		pkmap_sleep();
	cpu = __builtin_ctz(~fixmap_cpus_busy);
	WRITE_ONCE(fixmap_cpus_busy, fixmap_cpus_busy | 1u << cpu);
	kmap_ctrl[cpu].idx = 0;
	kmap_local_cpu = cpu + 1;
	return cpu;
}

/* kmap_local_idx_push(): the next entry of the CPU's stack. */
static struct kmap_local_entry *kmap_local_idx_push(struct kmap_ctrl *ctrl, unsigned int cpu,
						    struct page *page, enum kmap_local_kind kind,
						    unsigned long vaddr)
{
	struct kmap_local_entry *e;

	if (ctrl->idx >= KM_MAX_IDX) {
		spin_unlock(&pkmap_lock);
		panic("kmap_local_page: more than %d local mappings in one thread (KM_MAX_IDX)",
		      KM_MAX_IDX);
	}
	e = &ctrl->stack[ctrl->idx];
	e->page = page;
	e->kind = kind;
	e->vaddr = vaddr ? vaddr : kmap_local_vaddr(cpu, ctrl->idx);
	ctrl->idx++;
	return e;
}

/* __kmap_local_page_prot(): a mapping of @page for this thread, on its stack. */
void *kmap_local_page(struct page *page)
{
	struct kmap_local_entry *e;
	struct kmap_ctrl *ctrl;
	unsigned int cpu;
	unsigned long vaddr;
	int i;

	if (page_mapped_for_good(page))
		return page_address_for_good(page);
	spin_lock(&pkmap_lock);
	cpu = kmap_local_get_cpu();
	ctrl = &kmap_ctrl[cpu];
	kmap_events.local++;
	if (!phys_is_memfd()) {
		vaddr = (unsigned long)page->virtual;
		if (vaddr) {		/* arch_kmap_local_high_get() */
			if (pkmap_count[PKMAP_NR(vaddr)] == 1)
				kmap_events.kmap_reuse++;
			pkmap_count[PKMAP_NR(vaddr)]++;
			e = kmap_local_idx_push(ctrl, cpu, page, KMAP_LOCAL_PKMAP, vaddr);
			goto out;
		}
		for (i = ctrl->idx - 1; i >= 0; i--)
			if (ctrl->stack[i].page == page && ctrl->stack[i].kind == KMAP_LOCAL_FIXMAP) {
				e = kmap_local_idx_push(ctrl, cpu, page, KMAP_LOCAL_SAME,
							ctrl->stack[i].vaddr);
				goto out;
			}
		if (fixmap_holds_page(page, cpu)) {
			spin_unlock(&pkmap_lock);
			anon_double_map(page, "kmap_local_page");
		}
	}
	e = kmap_local_idx_push(ctrl, cpu, page, KMAP_LOCAL_FIXMAP, 0);
	kmap_set_pte(e->vaddr, page);
out:
	spin_unlock(&pkmap_lock);
	return (void *)e->vaddr;
}
EXPORT_SYMBOL(kmap_local_page);

/* Undo the top entry of @ctrl's stack (kmap_local_idx_pop()); true if a waiter must be woken. */
static bool kmap_local_pop(struct kmap_ctrl *ctrl)
{
	struct kmap_local_entry *e = &ctrl->stack[--ctrl->idx];
	bool wake = false;

	switch (e->kind) {
	case KMAP_LOCAL_FIXMAP:
		kmap_clear_pte(e->vaddr, e->page, true);
		break;
	case KMAP_LOCAL_PKMAP:
		if (--pkmap_count[PKMAP_NR(e->vaddr)] == 1)
			wake = pkmap_wake_prepare();
		break;
	case KMAP_LOCAL_SAME:
		break;
	}
	e->page = NULL;
	return wake;
}

/* The calling thread's last local mapping is gone: its CPU is free (migrate_enable()). */
static bool kmap_local_put_cpu(unsigned int cpu)
{
	WRITE_ONCE(fixmap_cpus_busy, fixmap_cpus_busy & ~(1u << cpu));
	kmap_local_cpu = 0;
	return pkmap_wake_prepare();
}

static bool warned_out_of_order;

/*
 * kunmap_local_indexed(): undo this thread's last local mapping, which
 * @addr (anywhere in its page) should be.  Addresses that are no local
 * mapping (lowmem, a page mapped for good, a kmap() slot) are left alone,
 * as the kernel does.
 */
void kunmap_local(const void *addr)
{
	unsigned long a = (unsigned long)addr & ~(PAGE_SIZE - 1);
	struct kmap_ctrl *ctrl;
	unsigned int cpu;
	bool wake, on_stack = false;
	int i;

	if (!kalloc_initialized || (!in_fixmap(a) && !in_pkmap(a)))
		return;
	spin_lock(&pkmap_lock);
	if (!kmap_local_cpu) {
		spin_unlock(&pkmap_lock);
		if (in_pkmap(a))
			return;
		panic("kunmap_local: %p: this thread has no local mapping", addr);
	}
	cpu = kmap_local_cpu - 1;
	ctrl = &kmap_ctrl[cpu];
	for (i = 0; i < ctrl->idx; i++)
		on_stack |= ctrl->stack[i].vaddr == a;
	if (!on_stack && in_pkmap(a)) {		/* a kmap() address */
		spin_unlock(&pkmap_lock);
		return;
	}
	if (ctrl->stack[ctrl->idx - 1].vaddr != a &&
	    !__atomic_exchange_n(&warned_out_of_order, true, __ATOMIC_RELAXED))
		pr_warn("WARNING: at lib/highmem.c: kunmap_local(%p) out of order: the thread's last kmap_local_page() is %#lx, and it is the one undone\n",
			addr, ctrl->stack[ctrl->idx - 1].vaddr);
	if (ctrl->stack[ctrl->idx - 1].vaddr != a)
		kmap_events.local_out_of_order++;
	wake = kmap_local_pop(ctrl);
	if (!ctrl->idx)
		wake |= kmap_local_put_cpu(cpu);
	spin_unlock(&pkmap_lock);
	if (wake)
		pkmap_wake();
}
EXPORT_SYMBOL(kunmap_local);

/* kmap_atomic(): a local mapping (no preemption or page faults to disable here). */
void *kmap_atomic(struct page *page)
{
	return kmap_local_page(page);
}
EXPORT_SYMBOL(kmap_atomic);

void kunmap_atomic(const void *addr)
{
	kunmap_local(addr);
}
EXPORT_SYMBOL(kunmap_atomic);

/* ------------------------------------------------------ counters -- */

void kmap_stats(struct kmap_stats *ks)
{
	unsigned int nr;

	spin_lock(&pkmap_lock);
	*ks = kmap_events;
	ks->pkmap_used = ks->pkmap_unused = 0;
	for (nr = 0; nr < LAST_PKMAP; nr++) {
		if (pkmap_count[nr] == 1)
			ks->pkmap_unused++;
		else if (pkmap_count[nr] > 1)
			ks->pkmap_used++;
	}
	ks->local_cpus = __builtin_popcount(fixmap_cpus_busy);
	ks->local_mapped = 0;
	for (nr = 0; nr < NR_CPUS; nr++)
		if (fixmap_cpus_busy & (1u << nr))
			ks->local_mapped += kmap_ctrl[nr].idx;
	spin_unlock(&pkmap_lock);
}

/* ---------------------------------------------------------- fork -- */

/*
 * phys=memfd, in a fork child that has just made its own memfd (phys.c):
 * map it at every pkmap slot with a count and every fixmap slot of the
 * forking thread.  The other threads' fixmap slots go in
 * kmap_fork_child().  The forking thread holds every lock.
 */
void kmap_phys_remap(void)
{
	unsigned int nr;
	int i;

	for (nr = 0; nr < LAST_PKMAP; nr++)
		if (pkmap_page[nr] &&
		    phys_map(PKMAP_ADDR(nr), __page_to_pfn(pkmap_page[nr]), 1, PROT_READ | PROT_WRITE))
			panic("fork: cannot map the child's pkmap slot %u", nr);
	if (!kmap_local_cpu)
		return;
	for (i = 0; i < kmap_ctrl[kmap_local_cpu - 1].idx; i++) {
		const struct kmap_local_entry *e = &kmap_ctrl[kmap_local_cpu - 1].stack[i];

		if (e->kind == KMAP_LOCAL_FIXMAP &&
		    phys_map(e->vaddr, __page_to_pfn(e->page), 1, PROT_READ | PROT_WRITE))
			panic("fork: cannot map the child's fixmap slot at %#lx", e->vaddr);
	}
}

void kmap_fork_prepare(void)
{
	spin_lock(&pkmap_lock);
}

void kmap_fork_parent(void)
{
	spin_unlock(&pkmap_lock);
}

/*
 * The child has one thread: the other threads' waits and fixmap stacks
 * are gone.  Their local mappings are undone (phys=anon: the bytes go
 * back to their frames), their CPUs freed.
 */
void kmap_fork_child(void)
{
	unsigned int cpu;

	spin_lock_init(&pkmap_lock);
	nr_waiters = 0;
	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct kmap_ctrl *ctrl = &kmap_ctrl[cpu];

		if (!(fixmap_cpus_busy & (1u << cpu)) || (int)cpu == kmap_local_cpu - 1)
			continue;
		while (ctrl->idx)
			kmap_local_pop(ctrl);
		fixmap_cpus_busy &= ~(1u << cpu);
	}
}
