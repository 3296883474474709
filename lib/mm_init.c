/*
 * lib/mm_init.c - bringing the machine up (init/main.c's start_kernel(),
 * arch/x86's setup_arch() and mm/mm_init.c's mm_core_init()).
 *
 * kalloc_init() runs once, on the first call into kalloc from any thread:
 *
 *	1. read KALLOC_OPTIONS (options.c)
 *	2. size the machine: mem= or the host's RAM, capped at 64 GiB
 *	3. build the e820 map and memblock (e820.c)
 *	4. reserve the virtual layout in one host mapping (see mm.h):
 *	   vmemmap, phys slots (linear map for lowmem), vmalloc, pkmap and
 *	   fixmap, brk
 *	5. zones, watermarks, reserves, pcp sizes (free_area_init())
 *	6. the thread-exit key (percpu.c)
 *
 * Nothing is onlined and no struct page is written here, so loading kalloc
 * into a program costs a handful of system calls.  Until it is done kalloc
 * makes only raw system calls: no libc routine that may allocate.
 *
 * Locking: init_lock serialises initialisation; kalloc_initialized is
 * published with a release store and read with an acquire load.  After
 * it, kalloc_init() registers the fork handlers (pthread_atfork() may
 * itself allocate, so it runs outside init_lock).
 *
 * Fork: the prepare handler takes every lock of the stack in the global
 * order (slab_mutex, pcpu_lock, each cache's barn and list locks, then the
 * zone locks in zone order); parent and child
 * handlers release them, and the child also forgets the other threads'
 * per-cpu areas (percpu.c).
 */
#include "slab.h"
#include "util.h"
#include "kfence.h"
#include "options.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>

int kalloc_initialized;

unsigned long max_pfn;
unsigned long max_low_pfn;
unsigned long kalloc_phys_size;
struct page *vmemmap_base;
unsigned long page_offset_base;
unsigned long vmalloc_base, vmalloc_end;
unsigned long pkmap_base;
unsigned long fixaddr_top;
unsigned long brk_window_base, brk_window_end;
unsigned long kalloc_reservation_start, kalloc_reservation_end;
bool kalloc_sparse_layout;

static spinlock_t init_lock = __SPIN_LOCK_UNLOCKED;
static int atfork_registered;
static pid_t init_owner;

#define MAX_MEM		(1ULL << (MAX_PHYSMEM_BITS))
#define MIN_MEM		(1ULL << SECTION_SIZE_BITS)
#define VMALLOC_OFFSET	(8 * SZ_1M)	/* the i386 gap before vmalloc */
#define LAYOUT_ALIGN	(4 * SZ_1M)
#define BRK_WINDOW_SIZE	(64ULL * SZ_1G)

/* The host's RAM from sysinfo(2), made with a raw system call. */
static unsigned long long host_ram_bytes(void)
{
	struct sysinfo si;

	if (kalloc_syscall6(SYS_sysinfo, (long)&si, 0, 0, 0, 0, 0) != 0)
		return 1ULL << 30;
	return (unsigned long long)si.totalram * (si.mem_unit ? si.mem_unit : 1);
}

static unsigned long long machine_mem_size(void)
{
	unsigned long long mem = opt_mem ? opt_mem : host_ram_bytes();

	mem = min(mem, MAX_MEM);
	mem &= ~(MIN_MEM - 1);
	return max(mem, MIN_MEM);
}

#define WINDOW_FLOOR	(16ULL * SZ_1M)
#define PKMAP_SIZE	ALIGN(PKMAP_FIXMAP_SIZE, LAYOUT_ALIGN)	/* pkmap and fixmap */

/* The vmemmap of @nr_pfn frames, whole LAYOUT_ALIGN units. */
static unsigned long vmemmap_bytes(unsigned long nr_pfn)
{
	return ALIGN(nr_pfn * sizeof(struct page), LAYOUT_ALIGN);
}

/* The reservation a layout of @nr_pfn frames and these windows needs (its alignment's slack included). */
static unsigned long long layout_bytes(unsigned long nr_pfn, unsigned long long vmalloc_size,
				       unsigned long long brk_size)
{
	return vmemmap_bytes(nr_pfn) + LAYOUT_ALIGN + ((unsigned long long)nr_pfn << PAGE_SHIFT) +
	       VMALLOC_OFFSET + vmalloc_size + LAYOUT_ALIGN + PKMAP_SIZE + LAYOUT_ALIGN +
	       brk_size + LAYOUT_ALIGN;
}

/* The process's address space now, from /proc/self/statm (0 if unknown). */
static unsigned long long vm_size_now(void)
{
	char buf[64];
	unsigned long long pages = 0;
	int fd = sys_open("/proc/self/statm", O_RDONLY | O_CLOEXEC, 0);
	ssize_t n, i;

	if (fd < 0)
		return 0;
	n = sys_read(fd, buf, sizeof(buf) - 1);
	sys_close(fd);
	for (i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		pages = pages * 10 + (unsigned long long)(buf[i] - '0');
	return pages << PAGE_SHIFT;
}

/*
 * Under an RLIMIT_AS (ulimit -v), size the layout to what is left of it
 * before asking: 7/8 of it (at least 16 MiB stay for the program's own
 * mappings), the brk window WINDOW_FLOOR / 2, the vmalloc window half of
 * the rest and the machine what then fits (its areas take their frames
 * from the machine, and the largest area is about the size of either).
 * A reservation counts against the limit whether or not it is touched.
 */
static void fit_to_rlimit_as(unsigned long long *vmalloc_size, unsigned long long *brk_size,
			     bool sparse_ok)
{
	unsigned long long lim, used, budget, slack, fixed;

	if (sys_getrlimit_cur(RLIMIT_AS, &lim) || lim == RLIM_INFINITY)
		return;
	used = vm_size_now();
	if (lim <= used)
		return;
	budget = lim - used;
	slack = max(budget / 8, 16ULL * SZ_1M);
	budget = budget > slack ? budget - slack : 0;
	if (sparse_ok && !phys_is_memfd()) {
		/*
		 * The sparse layout (reserve_sparse_layout()): the windows cost
		 * nothing until used, and the host's refusal is what ends the
		 * machine's memory, so the machine is all that the limit leaves,
		 * in lowmem (no HIGHMEM: its slots would be mappings too).
		 */
		kalloc_sparse_layout = true;
		max_pfn = min(max_pfn, (unsigned long)max(ALIGN((lim - used) >> PAGE_SHIFT,
								 PAGES_PER_SECTION),
							   MIN_MEM >> PAGE_SHIFT));
		max_pfn = min(max_pfn, MAXLOW_PFN);
		max_low_pfn = max_pfn;
		pr_info("RLIMIT_AS of %llu MiB (%llu MiB in use): a machine of %lu MiB, its windows mapped as used\n",
			lim >> 20, used >> 20, max_pfn >> (20 - PAGE_SHIFT));
		return;
	}
	*brk_size = min(*brk_size, WINDOW_FLOOR / 2);
	fixed = layout_bytes(0, 0, *brk_size);
	*vmalloc_size = min(*vmalloc_size, max(ALIGN_DOWN(budget > fixed ? (budget - fixed) / 2 : 0,
							  LAYOUT_ALIGN), WINDOW_FLOOR / 2));
	while (max_pfn > (MIN_MEM >> PAGE_SHIFT) &&
	       layout_bytes(max_pfn, *vmalloc_size, *brk_size) > budget) {
		/* each frame less saves its page and its struct page */
		unsigned long over = (layout_bytes(max_pfn, *vmalloc_size, *brk_size) - budget) /
				     (PAGE_SIZE + sizeof(struct page));

		max_pfn -= min(ALIGN(over + 1, PAGES_PER_SECTION), max_pfn - (MIN_MEM >> PAGE_SHIFT));
		max_low_pfn = min(max_pfn, MAXLOW_PFN);
	}
	pr_info("RLIMIT_AS of %llu MiB (%llu MiB in use): a machine of %lu MiB, %llu MiB of vmalloc, %llu MiB of brk\n",
		lim >> 20, used >> 20, max_pfn >> (20 - PAGE_SHIFT), *vmalloc_size >> 20, *brk_size >> 20);
}

/* Half of @x, not below @floor; never more than @x. */
static unsigned long long halve_to(unsigned long long x, unsigned long long floor)
{
	return x > floor ? max(x / 2, floor) : x;
}

static void halve_machine(unsigned long floor_pfn)
{
	max_pfn = max(ALIGN_DOWN(max_pfn / 2, PAGES_PER_SECTION), floor_pfn);
	max_low_pfn = min(max_pfn, MAXLOW_PFN);
}

/*
 * One step down when the host refuses the reservation: the vmalloc and brk
 * windows halve down to 256 MiB, then the machine down to 256 MiB, then
 * all of them together down to WINDOW_FLOOR and a machine of one section.
 * False when nothing can shrink any more.
 */
static bool shrink_layout(unsigned long long *vmalloc_size, unsigned long long *brk_size)
{
	const unsigned long long big = 256ULL * SZ_1M;
	const unsigned long min_pfn = MIN_MEM >> PAGE_SHIFT;

	if (*vmalloc_size > big || *brk_size > big) {
		*vmalloc_size = halve_to(*vmalloc_size, big);
		*brk_size = halve_to(*brk_size, big);
		return true;
	}
	if (max_pfn > (big >> PAGE_SHIFT)) {
		halve_machine(big >> PAGE_SHIFT);
		return true;
	}
	if (*vmalloc_size > WINDOW_FLOOR || *brk_size > WINDOW_FLOOR || max_pfn > min_pfn) {
		*vmalloc_size = halve_to(*vmalloc_size, WINDOW_FLOOR);
		*brk_size = halve_to(*brk_size, WINDOW_FLOOR);
		halve_machine(min_pfn);
		return true;
	}
	return false;
}

/* find_layout_hole()'s walk: the largest hole below the 47-bit limit, above 1 GiB. */
struct layout_hole {
	unsigned long prev_end, best, best_len;
};

static bool layout_hole_step(unsigned long lo, unsigned long hi, bool readable, void *arg)
{
	struct layout_hole *h = arg;

	(void)readable;
	if (lo < (1UL << 47) && lo > h->prev_end && lo - h->prev_end > h->best_len) {
		h->best = h->prev_end;
		h->best_len = lo - h->prev_end;
	}
	h->prev_end = max(h->prev_end, hi);
	return true;
}

/*
 * The start of the largest hole of the address space that can hold @size
 * bytes aligned to LAYOUT_ALIGN, placed in its middle; 0 if none.
 */
static unsigned long find_layout_hole(unsigned long size)
{
	struct layout_hole h = { .prev_end = SZ_1G };

	if (!for_each_mapping(layout_hole_step, &h) || h.best_len < size + 2 * LAYOUT_ALIGN)
		return 0;
	return ALIGN(h.best + (h.best_len - size) / 2, LAYOUT_ALIGN);
}

/*
 * Under an RLIMIT_AS every mapping counts against the limit, touched or
 * not, so one reservation of the whole layout would spend most of a small
 * limit on address space that no allocation uses (the gaps, the vmalloc
 * and brk windows, the slots of free frames).  The sparse layout maps only
 * what is in use, as a C library's malloc does: the vmemmap (1/64 of the
 * machine) at once, a section's slots when it comes online (grow_zone()),
 * vmalloc and brk memory while it lives (reserve_range() unmaps).  The
 * layout is placed in the middle of the largest hole of the address
 * space, terabytes from where the program's own mappings grow, and every
 * mapping into it is MAP_FIXED_NOREPLACE or over kalloc's own.  False if
 * no hole fits or the vmemmap cannot be mapped (then the one-reservation
 * layout is tried).
 */
static bool reserve_sparse_layout(unsigned long long vmalloc_size, unsigned long long brk_size)
{
	unsigned long vmemmap_size = vmemmap_bytes(max_pfn);
	unsigned long total = layout_bytes(max_pfn, vmalloc_size, brk_size) - LAYOUT_ALIGN;
	unsigned long base = find_layout_hole(total);
	void *p;

	if (!base)
		return false;
	p = sys_mmap((void *)base, vmemmap_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
	if (IS_ERR_VALUE(p) || (unsigned long)p != base) {
		if (!IS_ERR_VALUE(p))
			sys_munmap(p, vmemmap_size);
		return false;
	}
	kalloc_reservation_start = base;
	kalloc_reservation_end = base + total;
	vmemmap_base = (struct page *)base;
	page_offset_base = base + vmemmap_size + LAYOUT_ALIGN;
	vmalloc_base = page_offset_base + (max_pfn << PAGE_SHIFT) + VMALLOC_OFFSET;
	vmalloc_end = vmalloc_base + vmalloc_size;
	pkmap_base = vmalloc_end + LAYOUT_ALIGN;
	fixaddr_top = pkmap_base + PKMAP_FIXMAP_SIZE - PAGE_SIZE;
	brk_window_base = pkmap_base + PKMAP_SIZE + LAYOUT_ALIGN;
	brk_window_end = brk_window_base + brk_size;
	return true;
}

/*
 * setup_arch(): one PROT_NONE reservation holds the whole layout; the
 * vmemmap and the linear map become readable and writable (host memory
 * comes only when touched).  If the host refuses the size (ulimit -v, an
 * RLIMIT_AS), the layout shrinks (shrink_layout()) until it fits, and then
 * one step more, so that the program keeps room for its own mappings
 * (stacks, libraries, files): a reservation counts against RLIMIT_AS
 * whether or not it is ever touched.
 */
static bool reserve_layout(void)
{
	unsigned long vmemmap_size, phys_size;
	unsigned long long vmalloc_size = ALIGN(opt_vmalloc, PAGE_SIZE);
	unsigned long long brk_size = BRK_WINDOW_SIZE;
	unsigned long pkmap_size = PKMAP_SIZE;
	unsigned long full_pfn = max_pfn;
	bool cut = false, backed_off = false;

	fit_to_rlimit_as(&vmalloc_size, &brk_size, true);
	if (kalloc_sparse_layout) {
		if (reserve_sparse_layout(vmalloc_size, brk_size))
			return true;
		kalloc_sparse_layout = false;
		max_pfn = full_pfn;
		max_low_pfn = min(max_pfn, MAXLOW_PFN);
		fit_to_rlimit_as(&vmalloc_size, &brk_size, false);
	}
	for (;;) {
		unsigned long total, base;
		void *p;

		vmemmap_size = vmemmap_bytes(max_pfn);
		phys_size = max_pfn << PAGE_SHIFT;
		total = layout_bytes(max_pfn, vmalloc_size, brk_size) - LAYOUT_ALIGN;
		p = sys_mmap(NULL, total + LAYOUT_ALIGN, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (IS_ERR_VALUE(p)) {
			cut = true;
			if (!shrink_layout(&vmalloc_size, &brk_size))
				return false;
			continue;
		}
		if (cut && !backed_off) {
			/* It fits now: leave the program room beside it. */
			backed_off = true;
			if (shrink_layout(&vmalloc_size, &brk_size)) {
				sys_munmap(p, total + LAYOUT_ALIGN);
				continue;
			}
		}
		kalloc_reservation_start = (unsigned long)p;
		kalloc_reservation_end = (unsigned long)p + total + LAYOUT_ALIGN;
		base = ALIGN((unsigned long)p, LAYOUT_ALIGN);
		vmemmap_base = (struct page *)base;
		page_offset_base = base + vmemmap_size + LAYOUT_ALIGN;
		vmalloc_base = page_offset_base + phys_size + VMALLOC_OFFSET;
		vmalloc_end = vmalloc_base + vmalloc_size;
		pkmap_base = vmalloc_end + LAYOUT_ALIGN;
		fixaddr_top = pkmap_base + PKMAP_FIXMAP_SIZE - PAGE_SIZE;
		brk_window_base = pkmap_base + pkmap_size + LAYOUT_ALIGN;
		brk_window_end = brk_window_base + brk_size;
		break;
	}
	if (cut)
		pr_warn("address space cut to %lu MiB of memory, %llu MiB of vmalloc, %llu MiB of brk: the host refused more\n",
			max_pfn >> (20 - PAGE_SHIFT), vmalloc_size >> 20, brk_size >> 20);
	if (sys_mprotect(vmemmap_base, vmemmap_size, PROT_READ | PROT_WRITE) ||
	    sys_mprotect((void *)page_offset_base, max_low_pfn << PAGE_SHIFT,
			 PROT_READ | PROT_WRITE))
		return false;
	return true;
}

static void print_layout(void)
{
	pr_info("Linux-style memory layout of an i386 PAE machine with %lu MiB:\n",
		max_pfn >> (20 - PAGE_SHIFT));
	e820__print_table();
	pr_info("  vmemmap : %#014lx - %#014lx\n", (unsigned long)vmemmap_base,
		(unsigned long)(vmemmap_base + max_pfn));
	pr_info("  lowmem  : %#014lx - %#014lx (%lu MiB linear map)\n", page_offset_base,
		page_offset_base + (max_low_pfn << PAGE_SHIFT), max_low_pfn >> (20 - PAGE_SHIFT));
	pr_info("  highmem : %#014lx - %#014lx\n", page_offset_base + (max_low_pfn << PAGE_SHIFT),
		page_offset_base + (max_pfn << PAGE_SHIFT));
	pr_info("  vmalloc : %#014lx - %#014lx (%lu MiB)\n", vmalloc_base, vmalloc_end,
		(vmalloc_end - vmalloc_base) >> 20);
	pr_info("  pkmap   : %#014lx - %#014lx\n", pkmap_base, pkmap_base + LAST_PKMAP * PAGE_SIZE);
	pr_info("  fixmap  : %#014lx - %#014lx\n", FIXADDR_START, FIXADDR_TOP + PAGE_SIZE);
	pr_info("  brk     : %#014lx - %#014lx\n", brk_window_base, brk_window_end);
	pr_info("Zone ranges:\n");
}

/* mm_core_init() */
static void mm_core_init(void)
{
	const char *options = kalloc_getenv("KALLOC_OPTIONS");
	unsigned long long mem;

	if (options)
		kalloc_parse_options(options);
	mem = machine_mem_size();
	max_pfn = mem >> PAGE_SHIFT;
	max_low_pfn = min(max_pfn, MAXLOW_PFN);
	if (!reserve_layout())
		panic("cannot reserve the address space for %llu MiB of memory", mem >> 20);
	e820__memory_setup((unsigned long long)max_pfn << PAGE_SHIFT);
	kalloc_phys_size = max_pfn << PAGE_SHIFT;
	phys_init();
	print_layout();
	decay_clock_update();
	free_area_init();
	pcpu_init();
	kmem_cache_init();
	malloc_classes_init();
	vmalloc_init();
	stack_trace_init();
	kfence_init();
}

/*
 * The global lock order: malloc_caches_lock, area_cache_lock, mm_brk_lock, vmap_area_lock, pkmap_lock, slab_mutex, pcpu_lock,
 * each cache's barn and list locks, zone locks, with kfence_setup_lock before them all (the
 * pool's set-up takes the vmalloc and slab locks under it) and kfence_lock, a leaf, after it;
 * the stack depot's depot_lock last of all.
 */
int kalloc_fork_active;
pthread_t kalloc_fork_owner;

static void kalloc_fork_prepare(void)
{
	kfence_fork_prepare();
	malloc_caches_fork_prepare();
	area_cache_fork_prepare();
	brk_fork_prepare();
	vmalloc_fork_prepare();
	kmap_fork_prepare();
	slub_fork_prepare();
	page_alloc_fork_prepare();
	phys_fork_prepare();
	stack_depot_fork_prepare();
	/* From here the forking thread passes through the locks it holds. */
	WRITE_ONCE(kalloc_fork_owner, pthread_self());
	__atomic_store_n(&kalloc_fork_active, 1, __ATOMIC_RELEASE);	/* kernel.h */
}

static void kalloc_fork_parent(void)
{
	__atomic_store_n(&kalloc_fork_active, 0, __ATOMIC_RELEASE);
	stack_depot_fork_parent();
	phys_fork_parent();	/* phys=memfd: the child has its copy */
	page_alloc_fork_parent();
	slub_fork_parent();
	kmap_fork_parent();
	vmalloc_fork_parent();
	brk_fork_parent();
	area_cache_fork_parent();
	malloc_caches_fork_parent();
	kfence_fork_parent();
}

static void kalloc_fork_child(void)
{
	__atomic_store_n(&kalloc_fork_active, 0, __ATOMIC_RELEASE);
	phys_fork_child();	/* first: before the child writes to any frame */
	page_alloc_fork_child();
	slub_fork_child();
	vmalloc_fork_child();
	kmap_fork_child();
	brk_fork_child();
	area_cache_fork_child();
	vmscan_fork_child();
	malloc_caches_fork_child();
	kfence_fork_child();
	stack_depot_fork_child();
}

/*
 * kalloc_init(): once.  The initialising thread itself calls back in (the
 * boot caches allocate through the normal paths): it sees init_owner and
 * goes on with the half-built machine, which is ready for what it does.
 */
void kalloc_init(void)
{
	int expected = 0;
	pid_t tid = (pid_t)kalloc_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);

	if (READ_ONCE(init_owner) == tid)
		return;
	spin_lock(&init_lock);
	if (!kalloc_initialized) {
		WRITE_ONCE(init_owner, tid);
		mm_core_init();
		__atomic_store_n(&kalloc_initialized, 1, __ATOMIC_RELEASE);
		WRITE_ONCE(init_owner, 0);
	}
	spin_unlock(&init_lock);

	if (__atomic_compare_exchange_n(&atfork_registered, &expected, 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		pthread_atfork(kalloc_fork_prepare, kalloc_fork_parent, kalloc_fork_child);
}
