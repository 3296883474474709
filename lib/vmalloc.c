/*
 * lib/vmalloc.c - virtually contiguous areas of discontiguous frames
 * (mm/vmalloc.c).  kmap() and the pkmap window are in highmem.c.
 *
 * The vmalloc window [VMALLOC_START, VMALLOC_END) is part of kalloc's one
 * reservation and is PROT_NONE wherever no area lives.  Three trees
 * index it, treaps of struct vmap_area keyed by va_start (a treap keeps
 * the kernel's O(log n) bounds with a fraction of an rbtree's code):
 *
 *	free_vmap_area_root	free ranges, each node augmented with the
 *				largest free size in its subtree, so the
 *				lowest fitting range is found in O(log n)
 *				(the kernel's augmented free-space rbtree)
 *	vmap_area_root		busy areas: the area of any address in
 *				O(log n)
 *	purge_vmap_area_root	lazily freed areas (phys=memfd, below)
 *
 * Every area is followed by a guard page (va_end includes it).
 *
 * Frames and bytes (phys=anon, the default backing): an area's frames come
 * from the buddy, HIGHMEM first and in the largest orders it has, then
 * NORMAL, then DMA (__vmalloc_area_node()); they are recorded in
 * vm->pages[] and are what vmalloc_to_page() returns (a huge area's come
 * in unsplit 2 MiB blocks, vm->page_order: see vm_area_alloc_blocks()).
 * The area's bytes
 * are private anonymous memory mapped at the area's addresses in one
 * mapping, however many runs the frames form: with anonymous memory a
 * byte lives at one address only, so a frame owned by an area keeps no
 * bytes at its own slot (its slot is given back to the host when the
 * area takes it, and the frame returns to the buddy "reported").
 * vmap() of frames that already hold data moves their bytes from their
 * slots into the window with mremap(), run by run, and vunmap() moves them
 * back.  vrealloc() grows in place when the range after the area is free
 * (a new mapping there merges with the area's), and otherwise moves the
 * whole mapping with mremap(): never a copy.
 *
 * With phys=memfd (phys.c) a frame's bytes are a page of the memfd and
 * stay at the frame's own address too: an area maps its frames run by
 * run at file offsets (one mmap() per run of consecutive pfns), vmap()
 * and kmap() map the same pages again (aliases, nothing moves), vrealloc()
 * maps the new runs after the old ones, or moves the old runs' mappings
 * with mremap() (one call per run) and maps the new ones after them, and
 * freeing punches holes in the file.
 *
 * Lazy purge (phys=memfd): vfree() leaves the area's mappings and frames
 * as they are and puts the area on purge_vmap_area_root; once lazily
 * freed areas hold more than LAZY_MAX_PAGES, have waited longer than
 * page_reporting_delay, or a range or frames are wanted,
 * vmalloc_purge() unmaps them with one mmap() per stretch of
 * adjacent ranges and punches their frames with one fallocate() per
 * stretch of consecutive pfns (__purge_vmap_area_lazy()).  Their ranges
 * join the free tree and their frames the buddy only after that, so no
 * address or frame is handed out while an old mapping still reaches it.
 * With phys=anon the same batching would save no system call without
 * keeping the freed bytes in memory (they are anonymous memory at the
 * area's addresses): vfree() unmaps at once there.
 *
 * Host mappings: an area is one mapping (phys=memfd: one per run of
 * frames, and the buddy hands out the largest runs it has) plus the split
 * of the PROT_NONE reservation around it: about two per live area, so
 * 10,000 areas stay far below vm.max_map_count.  When the host refuses a
 * mapping, the call fails cleanly (NULL) and everything taken is given
 * back.
 *
 * Locking: vmap_area_lock protects the three trees, the busy areas'
 * fields and the lazy counters.  It is a leaf: nothing that allocates
 * (kmalloc, alloc_pages) and no system call runs under it.  An area's
 * range is reserved in the trees before it is mapped and unmapped before
 * it is returned to the free tree, so no address is handed out while
 * still mapped to old frames.
 */
#include "slab.h"
#include "util.h"
#include "options.h"
#include "json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct vm_struct {
	void *addr;
	unsigned long size;		/* guard page included */
	unsigned long flags;		/* VM_ALLOC, VM_MAP, VM_ALLOW_HUGE_VMAP */
	struct page **pages;
	unsigned int nr_pages;
	unsigned int pages_cap;		/* pages[] was allocated for this many entries */
	unsigned int page_order;	/* frames in unsplit blocks of this order,
					 * pages[] holding one entry per block */
	unsigned long caller;
	depot_stack_handle_t owner;	/* page_owner=on: malloc's stack; 0: none */
	int prot;			/* vmap(): PROT_READ, maybe PROT_WRITE */
};

#define VM_ALLOC	0x00000002u

/*
 * Huge vmalloc (vmalloc_huge(), VM_ALLOW_HUGE_VMAP): an area of at least
 * PMD_SIZE is aligned to PMD_SIZE and its size rounded up to it, as the
 * kernel's __vmalloc_node_range() does before it maps the area with PMD
 * entries.  PMD_SIZE is i386 PAE's large page and the host's transparent
 * huge page alike (2 MiB).  The host mapping of such an area is advised
 * MADV_HUGEPAGE (phys=anon), so that the host backs it with huge pages
 * where it can: one fault per 2 MiB instead of 512.  vrealloc() keeps the
 * alignment and the rounding.  "nohugevmalloc" turns it off, as the
 * kernel's boot parameter of that name does.
 */
#define PMD_SHIFT	21
#define PMD_SIZE	(1UL << PMD_SHIFT)
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE	14
#endif
bool nohugevmalloc;

static inline bool vm_huge(const struct vm_struct *vm)
{
	return vm->flags & VM_ALLOW_HUGE_VMAP;
}

/* Ask the host for huge pages under a huge area's bytes (a hint: errors are ignored). */
static void vm_advise_huge(unsigned long addr, unsigned long size)
{
	if (!phys_is_memfd())
		sys_madvise((void *)addr, size, MADV_HUGEPAGE);
}

struct vmap_area {
	unsigned long va_start;
	unsigned long va_end;
	unsigned long subtree_max_size;	/* free tree: largest free range below */
	unsigned long prio;		/* treap priority */
	struct vmap_area *left, *right;
	struct vm_struct *vm;		/* busy areas */
};

static spinlock_t vmap_area_lock = __SPIN_LOCK_UNLOCKED;
static struct vmap_area *vmap_area_root;	/* busy */
static struct vmap_area *free_vmap_area_root;	/* free */
static struct vmap_area *purge_vmap_area_root;	/* lazily freed (phys=memfd) */
static unsigned long nr_vmap_areas;
static unsigned long vmap_lazy_nr;		/* pages of the lazily freed areas */
static uint64_t vmap_lazy_since;		/* when the oldest was freed */
static unsigned long vmap_purges;

/* lazy_max_pages(): at most this much waits for a purge. */
#define LAZY_MAX_PAGES	((32UL << 20) >> PAGE_SHIFT)
static unsigned long vmap_prio_seed = 0x2545F4914F6CDD1DUL;
static struct kmem_cache *vmap_area_cachep;

/* Statistics for the totals report. */
static unsigned long vmalloc_nr_pages;	/* frames held by areas */
static unsigned long vmalloc_peak_pages;	/* the most they held at once */
static unsigned long vrealloc_in_place, vrealloc_moved;	/* atomics: counted unlocked */

static inline unsigned long va_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

/* The length of the run of consecutive pfns that starts at pages[i]. */
static inline unsigned int pfn_run_len(struct page **pages, unsigned int i, unsigned int nr)
{
	unsigned int len = 1;

	while (i + len < nr && __page_to_pfn(pages[i + len]) == __page_to_pfn(pages[i]) + len)
		len++;
	return len;
}

/* For each run of consecutive pfns in pages[]: the body sees i and len. */
#define for_each_pfn_run(pages, nr, i, len)					\
	for (i = 0; i < (nr) && ((len = pfn_run_len(pages, i, nr)), 1); i += len)

/* ------------------------------------------------------------ treaps -- */

static inline unsigned long subtree_max(const struct vmap_area *va)
{
	return va ? va->subtree_max_size : 0;
}

static inline void va_update(struct vmap_area *va)
{
	va->subtree_max_size = max(va_size(va), max(subtree_max(va->left), subtree_max(va->right)));
}

/* Split @t into keys < @key (*l) and >= @key (*r). */
static void treap_split(struct vmap_area *t, unsigned long key, struct vmap_area **l,
			struct vmap_area **r)
{
	if (!t) {
		*l = *r = NULL;
		return;
	}
	if (t->va_start < key) {
		treap_split(t->right, key, &t->right, r);
		*l = t;
	} else {
		treap_split(t->left, key, l, &t->left);
		*r = t;
	}
	va_update(t);
}

/* Merge @l and @r, every key of @l below every key of @r. */
static struct vmap_area *treap_merge(struct vmap_area *l, struct vmap_area *r)
{
	if (!l)
		return r;
	if (!r)
		return l;
	if (l->prio > r->prio) {
		l->right = treap_merge(l->right, r);
		va_update(l);
		return l;
	}
	r->left = treap_merge(l, r->left);
	va_update(r);
	return r;
}

static void treap_insert(struct vmap_area **root, struct vmap_area *va)
{
	struct vmap_area *l, *r;

	vmap_prio_seed ^= vmap_prio_seed << 13;
	vmap_prio_seed ^= vmap_prio_seed >> 7;
	vmap_prio_seed ^= vmap_prio_seed << 17;
	va->prio = vmap_prio_seed;
	va->left = va->right = NULL;
	va_update(va);
	treap_split(*root, va->va_start, &l, &r);
	/* purge_if_expired() tests purge_vmap_area_root without the lock */
	WRITE_ONCE(*root, treap_merge(treap_merge(l, va), r));
}

/* Remove and return the node with va_start == @key, or NULL. */
static struct vmap_area *treap_erase(struct vmap_area **root, unsigned long key)
{
	struct vmap_area *l, *m, *r;

	treap_split(*root, key, &l, &m);
	treap_split(m, key + 1, &m, &r);
	*root = treap_merge(l, r);
	if (m) {
		m->left = m->right = NULL;
		va_update(m);
	}
	return m;
}

/* The node with the largest va_start <= @addr. */
static struct vmap_area *treap_floor(struct vmap_area *t, unsigned long addr)
{
	struct vmap_area *best = NULL;

	while (t) {
		if (t->va_start <= addr) {
			best = t;
			t = t->right;
		} else {
			t = t->left;
		}
	}
	return best;
}

/* find_vmap_area(): the busy area holding @addr.  vmap_area_lock held. */
static struct vmap_area *__find_vmap_area(unsigned long addr)
{
	struct vmap_area *va = treap_floor(vmap_area_root, addr);

	return va && addr < va->va_end ? va : NULL;
}

/*
 * find_vmap_lowest_match(): the lowest free range that can hold @size at
 * @align.  Searching with size + align - PAGE_SIZE guarantees the fit.
 */
static struct vmap_area *find_vmap_lowest_match(unsigned long size, unsigned long align)
{
	unsigned long need = size + align - PAGE_SIZE;
	struct vmap_area *t = free_vmap_area_root;

	if (subtree_max(t) < need)
		return NULL;
	while (t) {
		if (subtree_max(t->left) >= need)
			t = t->left;
		else if (va_size(t) >= need)
			return t;
		else
			t = t->right;
	}
	return NULL;
}

/*
 * Carve [start, start + size) out of the free range @fva (removed from the
 * tree), putting the pieces around it back.  @spare1, @spare2 are nodes
 * the caller allocated for those pieces; used ones are set to NULL.  If the
 * range was used whole, its node is returned for the caller to free (after
 * dropping the lock); else NULL.
 */
static struct vmap_area *carve_free_range(struct vmap_area *fva, unsigned long start,
					  unsigned long size, struct vmap_area **spare1,
					  struct vmap_area **spare2)
{
	unsigned long end = start + size;
	unsigned long fstart = fva->va_start, fend = fva->va_end;

	treap_erase(&free_vmap_area_root, fstart);
	if (start > fstart) {
		fva->va_start = fstart;
		fva->va_end = start;
		treap_insert(&free_vmap_area_root, fva);
		fva = NULL;
	}
	if (end < fend) {
		struct vmap_area *rest = fva;

		if (!rest) {
			rest = *spare1 ? *spare1 : *spare2;
			if (rest == *spare1)
				*spare1 = NULL;
			else
				*spare2 = NULL;
		}
		rest->va_start = end;
		rest->va_end = fend;
		treap_insert(&free_vmap_area_root, rest);
		fva = NULL;
	}
	return fva;
}

/*
 * Return [start, end) to the free tree, merging with the free neighbours
 * (merge_or_add_vmap_area()).  @va is a node the range may use (NULL only
 * if the caller knows a neighbour merges).  Nodes left over are put in
 * spares[], their number returned, for the caller to free unlocked.
 */
static int merge_or_add_vmap_area(unsigned long start, unsigned long end,
				  struct vmap_area *va, struct vmap_area *spares[2])
{
	struct vmap_area *prev = treap_floor(free_vmap_area_root, start);
	struct vmap_area *next = treap_floor(free_vmap_area_root, end);
	int n = 0;

	if (prev && prev->va_end != start)
		prev = NULL;
	if (next && next->va_start != end)
		next = NULL;
	if (next) {
		treap_erase(&free_vmap_area_root, next->va_start);
		end = next->va_end;
	}
	if (prev) {
		treap_erase(&free_vmap_area_root, prev->va_start);
		start = prev->va_start;
	}
	if (prev) {
		if (va)
			spares[n++] = va;
		if (next)
			spares[n++] = next;
		va = prev;
	} else if (next) {
		if (va)
			spares[n++] = va;
		va = next;
	}
	BUG_ON(!va);
	va->va_start = start;
	va->va_end = end;
	treap_insert(&free_vmap_area_root, va);
	return n;
}

static void free_spares(struct vmap_area **spares, int n)
{
	while (n-- > 0)
		kmem_cache_free(vmap_area_cachep, spares[n]);
}

/* ----------------------------------------------------- host mappings -- */

/*
 * Put the PROT_NONE reservation back over [addr, addr + size).  A host
 * that refuses even that (RLIMIT_AS below what the process has) still
 * lets the range lose its access and its pages: no hole is left either way.
 */
int reserve_range(unsigned long addr, unsigned long size)
{
	void *p;

	if (kalloc_sparse_layout)	/* nothing is reserved: the range becomes a hole */
		return sys_munmap((void *)addr, size) ? -1 : 0;
	p = sys_mmap((void *)addr, size, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);

	if (!IS_ERR_VALUE(p))
		return 0;
	sys_mprotect((void *)addr, size, PROT_NONE);
	sys_madvise((void *)addr, size, MADV_DONTNEED);
	return -1;
}

int map_anon_range(unsigned long addr, unsigned long size)
{
	void *p = sys_mmap((void *)addr, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	return IS_ERR_VALUE(p) ? -1 : 0;
}

/* ---------------------------------------------------- area life cycle -- */

static bool vmalloc_setup(void);

static struct vmap_area *alloc_va_node(void)
{
	if (unlikely(!__atomic_load_n(&vmap_area_cachep, __ATOMIC_ACQUIRE)) && !vmalloc_setup())
		return NULL;
	return kmem_cache_alloc(vmap_area_cachep, GFP_KERNEL | __GFP_NOWARN);
}

/*
 * alloc_vmap_area(): reserve @size bytes (guard included) at @align in the
 * window and record the busy area.  NULL if the window is full.
 */
static struct vmap_area *alloc_vmap_area(unsigned long size, unsigned long align)
{
	struct vmap_area *va = alloc_va_node();
	struct vmap_area *s1 = alloc_va_node(), *s2 = NULL;
	struct vmap_area *fva;
	unsigned long start;

	if (!va || !s1) {
		if (va)
			kmem_cache_free(vmap_area_cachep, va);
		if (s1)
			kmem_cache_free(vmap_area_cachep, s1);
		return NULL;
	}
	s2 = alloc_va_node();
	spin_lock(&vmap_area_lock);
	fva = find_vmap_lowest_match(size, align);
	while (!fva && purge_vmap_area_root) {
		spin_unlock(&vmap_area_lock);
		vmalloc_purge();
		spin_lock(&vmap_area_lock);
		fva = find_vmap_lowest_match(size, align);
	}
	if (!fva) {
		spin_unlock(&vmap_area_lock);
		kmem_cache_free(vmap_area_cachep, va);
		kmem_cache_free(vmap_area_cachep, s1);
		if (s2)
			kmem_cache_free(vmap_area_cachep, s2);
		return NULL;
	}
	start = ALIGN(fva->va_start, align);
	fva = carve_free_range(fva, start, size, &s1, &s2);
	va->va_start = start;
	va->va_end = start + size;
	va->vm = NULL;
	treap_insert(&vmap_area_root, va);
	nr_vmap_areas++;
	spin_unlock(&vmap_area_lock);
	if (fva)
		kmem_cache_free(vmap_area_cachep, fva);
	if (s1)
		kmem_cache_free(vmap_area_cachep, s1);
	if (s2)
		kmem_cache_free(vmap_area_cachep, s2);
	return va;
}

/* free_vmap_area(): the range goes back to the free tree (already unmapped) */
static void free_vmap_area(struct vmap_area *va)
{
	struct vmap_area *spares[2];
	int n;

	spin_lock(&vmap_area_lock);
	treap_erase(&vmap_area_root, va->va_start);
	nr_vmap_areas--;
	n = merge_or_add_vmap_area(va->va_start, va->va_end, va, spares);
	spin_unlock(&vmap_area_lock);
	free_spares(spares, n);
}

static unsigned int fls_order(unsigned long nr)
{
	return 63 - __builtin_clzl(nr);
}

/*
 * Frames for an area: HIGHMEM first, then NORMAL, then DMA, each in the
 * largest order the zone can give (vm_area_alloc_pages()).  The zones are
 * walked twice, as __alloc_pages() walks a zonelist: the first time each
 * gives down to its low watermark (alloc_pages_zone()), the second, once
 * no zone is above its low mark, down to its min.  Frames whose
 * slots hold host memory are given back to the host now: the area's bytes
 * live in the window.  Returns the frames taken.
 */
unsigned int vm_area_alloc_pages(gfp_t gfp, struct page **pages, unsigned int nr_pages)
{
	static const enum zone_type order_of_zones[] = { ZONE_HIGHMEM, ZONE_NORMAL, ZONE_DMA,
							 ZONE_HIGHMEM, ZONE_NORMAL, ZONE_DMA };
	unsigned int done = 0, z;
	gfp_t zgfp = (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_NOWARN;	/* zone bits kept: the highest zone */

	for (z = 0; z < ARRAY_SIZE(order_of_zones) && done < nr_pages; z++) {
		enum zone_type zone = order_of_zones[z];
		unsigned int order = min(fls_order(nr_pages - done), (unsigned int)MAX_PAGE_ORDER);

		if ((gfp & __GFP_DMA) && zone != ZONE_DMA)
			continue;
		if (!(gfp & __GFP_HIGHMEM) && zone == ZONE_HIGHMEM)
			continue;
		while (done < nr_pages) {
			bool zeroed;
			struct page *page;
			unsigned int i;

			order = min(order, fls_order(nr_pages - done));
			page = alloc_pages_zone(zgfp, order, zone, &zeroed);
			if (!page) {
				if (!order)
					break;		/* this zone is empty: next one */
				order--;
				continue;
			}
			/*
			 * phys=anon: the bytes will be fresh memory in the
			 * window, give the slot's back.  phys=memfd: the frame's
			 * page is the area's byte; clear it when asked to.
			 */
			if (kalloc_sparse_layout)
				sparse_release_slots(__page_to_pfn(page), 1UL << order);
			else if (!zeroed && (!phys_is_memfd() || (gfp & __GFP_ZERO)))
				kalloc_discard(__page_to_pfn(page), 1UL << order);
			split_page(page, order);
			for (i = 0; i < (1U << order); i++)
				pages[done++] = page + i;
		}
	}
	return done;
}

/*
 * Frames whose slots the host would not map again (the sparse layout at
 * its RLIMIT_AS): kept out of the buddy, where a write to them would
 * fault, and said once.
 */
static __cold void vm_frames_lost(unsigned long nr)
{
	static unsigned long lost;

	if (!__atomic_fetch_add(&lost, nr, __ATOMIC_RELAXED))
		pr_warn("vmalloc: the host refused to map %lu freed frames again (RLIMIT_AS): they stay out of use\n",
			nr);
}

/*
 * Give an area's frames [pfn, pfn + nr) back clean: with phys=anon their
 * slots hold nothing; with phys=memfd their pages are punched first.
 */
static void vm_free_frames(unsigned long pfn, unsigned long nr)
{
	if (phys_is_memfd())
		kalloc_discard(pfn, nr);
	if (kalloc_sparse_layout && !sparse_restore_slots(pfn, nr)) {
		vm_frames_lost(nr);
		return;
	}
	free_pfn_range(pfn, pfn + nr, true);
}

/* Give frames back in runs of contiguous pfns. */
void vm_area_free_pages(struct page **pages, unsigned int nr)
{
	unsigned int i, len;

	for_each_pfn_run(pages, nr, i, len)
		vm_free_frames(__page_to_pfn(pages[i]), len);
}

/*
 * Frames of a huge area, phys=anon (vm->page_order): blocks of
 * HUGE_VMAP_ORDER pages (2 MiB, the PMD) that are not split.  Only a
 * block's head page is written (refcount 1; the other pages keep 0, as in
 * any high-order page allocated without __GFP_COMP): the kernel splits
 * them (split_page() in vm_area_alloc_pages() since 5.18), which writes
 * every struct page, and 64 bytes of mem_map per 4 KiB page is 32 MiB for
 * the 2 GiB buffer that GNU sort allocates and mostly never touches.
 * For the same reason pages[] holds one entry per block, the block's
 * first page (the kernel keeps one per page: 4 MiB for that buffer), and
 * vm_page() finds a page from it.  Blocks are taken as order 10 while two
 * fit (one head write per 4 MiB).  All or nothing: on a shortage the
 * caller falls back to split pages.
 */
#define HUGE_VMAP_ORDER		(PMD_SHIFT - PAGE_SHIFT)
#define HUGE_VMAP_NR		(1U << HUGE_VMAP_ORDER)

/* Give back @nr blocks, blocks[i] the first page of each, in runs of consecutive pfns. */
static void vm_area_free_blocks(struct page **blocks, unsigned int nr)
{
	unsigned int i = 0, n;

	while (i < nr) {
		unsigned long pfn = __page_to_pfn(blocks[i]);

		for (n = 1; i + n < nr &&
		     __page_to_pfn(blocks[i + n]) == pfn + ((unsigned long)n << HUGE_VMAP_ORDER); n++)
			if (blocks[i + n]->_refcount)	/* a head holds the reference */
				blocks[i + n]->_refcount = 0;
		i += n;
		if (kalloc_sparse_layout &&
		    !sparse_restore_slots(pfn, (unsigned long)n << HUGE_VMAP_ORDER)) {
			vm_frames_lost((unsigned long)n << HUGE_VMAP_ORDER);
			continue;
		}
		free_block_range(pfn, pfn + ((unsigned long)n << HUGE_VMAP_ORDER), true);
	}
}

/* The page at index @idx of an area whose pages[] is @pages. */
static inline struct page *vm_page(const struct vm_struct *vm, struct page **pages,
				   unsigned long idx)
{
	if (vm->page_order)
		return pages[idx >> vm->page_order] + (idx & ((1UL << vm->page_order) - 1));
	return pages[idx];
}

/* pages[] entries for @nr pages of @vm */
static inline unsigned int vm_entries(const struct vm_struct *vm, unsigned int nr)
{
	return nr >> vm->page_order;
}

static unsigned int vm_area_alloc_blocks(gfp_t gfp, struct page **pages, unsigned int nr_pages)
{
	/* twice: down to the low watermarks, then to min (vm_area_alloc_pages()) */
	static const enum zone_type order_of_zones[] = { ZONE_HIGHMEM, ZONE_NORMAL,
							 ZONE_HIGHMEM, ZONE_NORMAL };
	gfp_t zgfp = (gfp & ~(__GFP_ZERO | __GFP_COMP)) | __GFP_NOWARN;	/* zone bits kept: the highest zone */
	unsigned int done = 0, z, i;

	for (z = 0; z < ARRAY_SIZE(order_of_zones) && done < nr_pages; z++) {
		unsigned int order = HUGE_VMAP_ORDER + 1;

		if (!(gfp & __GFP_HIGHMEM) && order_of_zones[z] == ZONE_HIGHMEM)
			continue;
		while (done < nr_pages) {
			struct page *page;
			bool zeroed;

			if (nr_pages - done < (2U << HUGE_VMAP_ORDER))
				order = HUGE_VMAP_ORDER;
			page = alloc_pages_zone(zgfp, order, order_of_zones[z], &zeroed);
			if (!page) {
				if (order == HUGE_VMAP_ORDER)
					break;		/* this zone is short: next one */
				order = HUGE_VMAP_ORDER;
				continue;
			}
			if (kalloc_sparse_layout)
				sparse_release_slots(__page_to_pfn(page), 1UL << order);
			else if (!zeroed)
				kalloc_discard(__page_to_pfn(page), 1UL << order);
			for (i = 0; i < (1U << order); i += HUGE_VMAP_NR, done += HUGE_VMAP_NR)
				pages[done >> HUGE_VMAP_ORDER] = page + i;
		}
	}
	if (done < nr_pages) {
		vm_area_free_blocks(pages, done >> HUGE_VMAP_ORDER);
		return 0;
	}
	return done;
}

/* Frames for an area, purging lazily freed areas when the buddy is short. */
static unsigned int vm_area_alloc_pages_purging(gfp_t gfp, struct page **pages,
						unsigned int nr_pages)
{
	unsigned int done = vm_area_alloc_pages(gfp, pages, nr_pages);

	if (done < nr_pages && READ_ONCE(purge_vmap_area_root)) {
		vmalloc_purge();
		done += vm_area_alloc_pages(gfp, pages + done, nr_pages - done);
	}
	return done;
}

static void **alloc_pages_array(unsigned int nr);
static void free_pages_array(void *a, unsigned int nr);

/*
 * A block area that must grow and finds no block: split_page() of every
 * block, and pages[] with one entry per page.  False without memory for
 * the new array (nothing changed then).
 */
static bool vm_split_blocks(struct vm_struct *vm)
{
	struct page **pages = (struct page **)alloc_pages_array(vm->nr_pages), **old;
	unsigned int i, old_cap;

	if (!pages)
		return false;
	for (i = 0; i < vm->nr_pages; i++) {
		pages[i] = vm_page(vm, vm->pages, i);
		set_page_count(pages[i], 1);
	}
	spin_lock(&vmap_area_lock);
	old = vm->pages;
	old_cap = vm->pages_cap;
	vm->pages = pages;
	vm->pages_cap = vm->nr_pages;
	vm->page_order = 0;
	spin_unlock(&vmap_area_lock);
	free_pages_array(old, old_cap);
	return true;
}

/* Give back the frames of pages [@first, @first + @nr) of @vm, whose pages[] is @pages. */
static void vm_free_frames_of(const struct vm_struct *vm, struct page **pages,
			      unsigned int first, unsigned int nr)
{
	if (vm->page_order)
		vm_area_free_blocks(pages + vm_entries(vm, first), vm_entries(vm, nr));
	else
		vm_area_free_pages(pages + first, nr);
}

/*
 * Map an area's bytes for pages[0..nr) at @addr: fresh anonymous memory
 * (phys=anon), or the frames' pages of the memfd run by run.  On failure
 * the caller puts the reservation back over the range.
 */
static int map_area_bytes(unsigned long addr, struct page **pages, unsigned int nr, int prot)
{
	unsigned int i, len;

	if (!phys_is_memfd())
		return map_anon_range(addr, (unsigned long)nr << PAGE_SHIFT);
	for_each_pfn_run(pages, nr, i, len)
		if (phys_map(addr + ((unsigned long)i << PAGE_SHIFT), __page_to_pfn(pages[i]), len, prot))
			return -1;
	return 0;
}

/*
 * An area's pages[]: a kmalloc object, a lowmem block, or, when lowmem has
 * no block that large (it may be all single pages while HIGHMEM is free),
 * an area of its own, as __vmalloc_area_node() takes a large array with
 * __vmalloc_node() (kvmalloc()'s fallback).  Each smaller by 512 times.
 */
static void **alloc_pages_array(unsigned int nr)
{
	size_t bytes = (size_t)nr * sizeof(struct page *);
	void **a;

	if (bytes <= KMALLOC_MAX_CACHE_SIZE) {
		a = kmalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
		if (a || bytes <= PAGE_SIZE)
			return a;
	} else if (bytes <= (MAX_ORDER_NR_PAGES << PAGE_SHIFT)) {
		a = alloc_pages_exact(bytes, GFP_KERNEL | __GFP_NOWARN);
		if (a)
			return a;
	}
	return vmalloc(bytes);
}

static void free_pages_array(void *a, unsigned int nr)
{
	size_t bytes = (size_t)nr * sizeof(struct page *);

	if (!a)
		return;
	if (is_vmalloc_addr(a))
		vfree(a);
	else if (bytes <= KMALLOC_MAX_CACHE_SIZE)
		kfree(a);
	else
		free_pages_exact(a, bytes);
}

/*
 * __vmalloc_node_range(): reserve the range, take the frames, map the
 * bytes.  @align is a power of two, at least PAGE_SIZE.
 */
static void purge_if_expired(void);

void *__vmalloc_node_range(unsigned long size, unsigned long align, gfp_t gfp,
			   unsigned long vm_flags, unsigned long caller)
{
	struct vm_struct *vm;
	struct vmap_area *va;
	unsigned int nr_pages;

	kalloc_init_once();
	if (!size || size > VMALLOC_END - VMALLOC_START) {	/* before ALIGN() can wrap */
		errno = ENOMEM;
		return NULL;
	}
	if (nohugevmalloc || size < PMD_SIZE)
		vm_flags &= ~VM_ALLOW_HUGE_VMAP;
	if (vm_flags & VM_ALLOW_HUGE_VMAP) {
		size = ALIGN(size, PMD_SIZE);
		align = max(align, PMD_SIZE);
	}
	size = ALIGN(size, PAGE_SIZE);
	if (size > VMALLOC_END - VMALLOC_START || size >> PAGE_SHIFT > (1UL << 31)) {
		errno = ENOMEM;
		return NULL;
	}
	purge_if_expired();
	nr_pages = size >> PAGE_SHIFT;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL | __GFP_NOWARN);
	if (!vm)
		goto fail;
	if ((vm_flags & VM_ALLOW_HUGE_VMAP) && !phys_is_memfd())
		vm->page_order = HUGE_VMAP_ORDER;
	vm->pages_cap = vm_entries(vm, nr_pages);
	vm->pages = (struct page **)alloc_pages_array(vm->pages_cap);
	if (!vm->pages)
		goto fail_vm;
	va = alloc_vmap_area(size + PAGE_SIZE, max(align, PAGE_SIZE));
	if (!va)
		goto fail_pages;
	if (vm->page_order && !vm_area_alloc_blocks(gfp, vm->pages, nr_pages)) {
		/* no blocks: an entry per page, split pages */
		free_pages_array(vm->pages, vm->pages_cap);
		vm->page_order = 0;
		vm->pages_cap = nr_pages;
		vm->pages = (struct page **)alloc_pages_array(nr_pages);
		if (!vm->pages) {
			free_vmap_area(va);
			goto fail_vm;
		}
	}
	vm->nr_pages = vm->page_order ? nr_pages :
					vm_area_alloc_pages_purging(gfp, vm->pages, nr_pages);
	if (vm->nr_pages < nr_pages)
		goto fail_frames;
	if (map_area_bytes(va->va_start, vm->pages, nr_pages, PROT_READ | PROT_WRITE)) {
		reserve_range(va->va_start, size);
		goto fail_frames;
	}
	vm->addr = (void *)va->va_start;
	vm->size = size + PAGE_SIZE;
	vm->flags = VM_ALLOC | (vm_flags & VM_ALLOW_HUGE_VMAP);
	if (vm_huge(vm))
		vm_advise_huge(va->va_start, size);
	vm->caller = caller;
	vm->prot = PROT_READ | PROT_WRITE;
	spin_lock(&vmap_area_lock);
	va->vm = vm;
	WRITE_ONCE(vmalloc_nr_pages, vmalloc_nr_pages + nr_pages);
	vmalloc_peak_pages = max(vmalloc_peak_pages, vmalloc_nr_pages);
	spin_unlock(&vmap_area_lock);
	return vm->addr;

fail_frames:
	vm_free_frames_of(vm, vm->pages, 0, vm->nr_pages);
	free_vmap_area(va);
fail_pages:
	free_pages_array(vm->pages, vm->pages_cap);
fail_vm:
	kfree(vm);
fail:
	if (!(gfp & __GFP_NOWARN))
		pr_warn("vmalloc error: size %lu, allocation failure\n", size);
	errno = ENOMEM;
	return NULL;
}

/*
 * get_vm_area_caller(): reserve @size bytes of the window (a guard page
 * follows, as for every area) and map nothing: the range stays PROT_NONE
 * and has no frames, and the caller maps into it what it wants.  The area
 * is never freed.  kfence.c's pool is one (the kernel's comes from
 * memblock; here free() must find it from the address alone, and the
 * vmalloc window's branch of free() is one that slab frees never take).
 * Returns the area's address, or NULL.
 */
void *get_vm_area_caller(unsigned long size, unsigned long flags, unsigned long caller)
{
	struct vm_struct *vm;
	struct vmap_area *va;

	kalloc_init_once();
	size = ALIGN(size, PAGE_SIZE);
	if (!size || size > VMALLOC_END - VMALLOC_START)
		return NULL;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL | __GFP_NOWARN);
	if (!vm)
		return NULL;
	va = alloc_vmap_area(size + PAGE_SIZE, PAGE_SIZE);
	if (!va) {
		kfree(vm);
		return NULL;
	}
	vm->addr = (void *)va->va_start;
	vm->size = size + PAGE_SIZE;
	vm->flags = flags;
	vm->caller = caller;
	vm->prot = PROT_NONE;
	spin_lock(&vmap_area_lock);
	va->vm = vm;
	spin_unlock(&vmap_area_lock);
	return vm->addr;
}

static void *__vmalloc_caller(unsigned long size, gfp_t gfp, unsigned long caller)
{
	return __vmalloc_node_range(size, PAGE_SIZE, gfp, 0, caller);
}

void *vmalloc(unsigned long size)
{
	return __vmalloc_caller(size, GFP_KERNEL | __GFP_HIGHMEM,
				(unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(vmalloc);

void *vzalloc(unsigned long size)
{
	/* Fresh anonymous memory: always zero. */
	return __vmalloc_caller(size, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO,
				(unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(vzalloc);

void *vmalloc_user(unsigned long size)
{
	return __vmalloc_caller(size, GFP_KERNEL | __GFP_HIGHMEM | __GFP_ZERO,
				(unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(vmalloc_user);

/* vmalloc_huge(): an area that may be mapped with huge pages (above). */
void *vmalloc_huge(unsigned long size, gfp_t gfp)
{
	return __vmalloc_node_range(size, PAGE_SIZE, gfp | __GFP_HIGHMEM, VM_ALLOW_HUGE_VMAP,
				    (unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(vmalloc_huge);

void *__vmalloc(unsigned long size, gfp_t gfp)
{
	return __vmalloc_caller(size, gfp | __GFP_HIGHMEM,
				(unsigned long)__builtin_return_address(0));
}
EXPORT_SYMBOL(__vmalloc);

static struct vmap_area *find_vmap_area_checked(const void *addr, const char *who)
{
	struct vmap_area *va;

	spin_lock(&vmap_area_lock);
	va = __find_vmap_area((unsigned long)addr);
	spin_unlock(&vmap_area_lock);
	if (!va || !va->vm || va->va_start != (unsigned long)addr)
		panic("%s: invalid pointer %p (not the start of a vmalloc area)", who, addr);
	return va;
}

/* Bytes of the area holding @addr, 0 if none (malloc_usable_size). */
unsigned long vmalloc_size(const void *addr)
{
	struct vmap_area *va;
	unsigned long size = 0;

	spin_lock(&vmap_area_lock);
	va = __find_vmap_area((unsigned long)addr);
	if (va && va->vm && va->va_start == (unsigned long)addr)
		size = va->vm->size - PAGE_SIZE;
	spin_unlock(&vmap_area_lock);
	return size;
}

/* Move the bytes of vmap()ed frames back to their slots. */
static void vunmap_move_back(struct vm_struct *vm);

/* ------------------------------------------------------- lazy purge -- */

/* In-order list of a detached tree, linked through ->right. */
static struct vmap_area *treap_to_list(struct vmap_area *t, struct vmap_area *tail)
{
	struct vmap_area *left;

	if (!t)
		return tail;
	tail = treap_to_list(t->right, tail);
	left = t->left;
	t->left = NULL;
	t->right = tail;
	return treap_to_list(left, t);
}

/*
 * __purge_vmap_area_lazy(): unmap every lazily freed area, one mmap() per
 * stretch of adjacent ranges; punch their frames, one fallocate() per
 * stretch of consecutive pfns, and give them to the buddy; then give the
 * ranges to the free tree.
 */
void vmalloc_purge(void)
{
	struct vmap_area *list, *va, *next, *spares[2];
	unsigned long start = 0, end = 0, run_pfn = 0, run_len = 0;
	bool again = false;
	int n;

	spin_lock(&vmap_area_lock);
	list = treap_to_list(purge_vmap_area_root, NULL);
	WRITE_ONCE(purge_vmap_area_root, NULL);
	vmap_lazy_nr = 0;
	if (list)
		vmap_purges++;
	spin_unlock(&vmap_area_lock);
	if (!list)
		return;

	for (va = list; va; va = va->right) {
		if (va->va_start != end) {
			if (end)
				reserve_range(start, end - start);
			start = va->va_start;
		}
		end = va->va_end;
	}
	reserve_range(start, end - start);

	for (va = list; va; va = va->right) {
		struct vm_struct *vm = va->vm;
		unsigned int i, len;

		for_each_pfn_run(vm->pages, vm->nr_pages, i, len) {
			unsigned long pfn = __page_to_pfn(vm->pages[i]);

			if (run_len && pfn == run_pfn + run_len) {
				run_len += len;
				continue;
			}
			if (run_len)
				vm_free_frames(run_pfn, run_len);
			run_pfn = pfn;
			run_len = len;
		}
	}
	if (run_len)
		vm_free_frames(run_pfn, run_len);

	for (va = list; va; va = next) {
		struct vm_struct *vm = va->vm;

		next = va->right;
		va->right = NULL;
		va->vm = NULL;
		again |= is_vmalloc_addr(vm->pages);
		free_pages_array(vm->pages, vm->pages_cap);
		kfree(vm);
		spin_lock(&vmap_area_lock);
		n = merge_or_add_vmap_area(va->va_start, va->va_end, va, spares);
		spin_unlock(&vmap_area_lock);
		free_spares(spares, n);
	}
	if (again)	/* a pages[] that was an area of its own went lazily too */
		vmalloc_purge();
}

static inline bool lazy_expired(uint64_t now)
{
	return now - READ_ONCE(vmap_lazy_since) >= (uint64_t)page_reporting_delay_ms * 1000000u;
}

/* A purge is due when the oldest lazily freed area has waited long enough. */
static void purge_if_expired(void)
{
	if (READ_ONCE(purge_vmap_area_root) && lazy_expired(ktime_get_ns()))
		vmalloc_purge();
}

unsigned long vmalloc_nr_pages_read(void)
{
	return READ_ONCE(vmalloc_nr_pages);
}

/* The decay tick (vmscan.c): lazily freed areas that waited long enough. */
void vmalloc_decay(void)
{
	purge_if_expired();
}

/*
 * free_vmap_area_noflush(): the area leaves the busy tree for the purge
 * tree with its mappings and frames; purge when enough has gathered or
 * the oldest has waited page_reporting_delay.
 */
static void free_vmap_area_noflush(struct vmap_area *va)
{
	uint64_t now = ktime_get_ns();
	bool purge;

	spin_lock(&vmap_area_lock);
	treap_erase(&vmap_area_root, va->va_start);
	nr_vmap_areas--;
	WRITE_ONCE(vmalloc_nr_pages, vmalloc_nr_pages - va->vm->nr_pages);
	if (!purge_vmap_area_root)
		WRITE_ONCE(vmap_lazy_since, now);
	treap_insert(&purge_vmap_area_root, va);
	vmap_lazy_nr += va->vm->nr_pages;
	purge = vmap_lazy_nr > LAZY_MAX_PAGES || lazy_expired(now);
	spin_unlock(&vmap_area_lock);
	if (purge)
		vmalloc_purge();
}

void vfree(const void *addr)
{
	struct vmap_area *va;
	struct vm_struct *vm;

	if (!addr)
		return;
	va = find_vmap_area_checked(addr, "vfree");
	vm = va->vm;
	if (phys_is_memfd() && !(vm->flags & VM_MAP)) {
		free_vmap_area_noflush(va);
		return;
	}
	if (vm->flags & VM_MAP) {
		vunmap_move_back(vm);
	} else {
		/* The bytes go back to the host; the range stays reserved. */
		reserve_range(va->va_start, vm->size - PAGE_SIZE);
		vm_free_frames_of(vm, vm->pages, 0, vm->nr_pages);
	}
	spin_lock(&vmap_area_lock);
	va->vm = NULL;
	if (!(vm->flags & VM_MAP))
		WRITE_ONCE(vmalloc_nr_pages, vmalloc_nr_pages - vm->nr_pages);
	spin_unlock(&vmap_area_lock);
	free_vmap_area(va);
	if (!(vm->flags & VM_MAP))
		free_pages_array(vm->pages, vm->pages_cap);
	else
		kfree(vm->pages);
	kfree(vm);
}
EXPORT_SYMBOL(vfree);

/*
 * vrealloc(): grow in place when the range after the area is free (the new
 * bytes are a mapping that merges with the area's), otherwise move the
 * whole mapping with mremap().  Shrinking gives the tail back in place.
 * No byte is copied.
 */
void *vrealloc(const void *p, size_t size, gfp_t gfp)
{
	struct vmap_area *va, *fva, *node, *s1 = NULL, *s2 = NULL, *spares[2];
	struct vm_struct *vm;
	unsigned long old_size, new_size, delta, old_end;
	unsigned int old_nr, new_nr, got, old_cap;
	struct page **pages, **old_pages;
	int n;

	if (!p)
		return __vmalloc_caller(size, gfp | __GFP_HIGHMEM,
					(unsigned long)__builtin_return_address(0));
	if (!size) {
		vfree(p);
		return NULL;
	}
	if (size > (VMALLOC_END - VMALLOC_START) / 2) {	/* before ALIGN() can wrap */
		errno = ENOMEM;
		return NULL;
	}
	va = find_vmap_area_checked(p, "vrealloc");
	vm = va->vm;
	if (vm->flags & VM_MAP)
		panic("vrealloc: %p is a vmap() area", p);
	old_size = vm->size - PAGE_SIZE;
	new_size = ALIGN(size, vm_huge(vm) ? PMD_SIZE : PAGE_SIZE);
	if (new_size > (VMALLOC_END - VMALLOC_START) / 2 || new_size >> PAGE_SHIFT > (1UL << 31)) {
		errno = ENOMEM;
		return NULL;
	}
	old_nr = vm->nr_pages;
	new_nr = new_size >> PAGE_SHIFT;
	if (new_size == old_size)
		return (void *)p;

	if (new_size < old_size) {
		/* Shrink: the tail's bytes and frames go back; the guard moves down. */
		node = alloc_va_node();
		reserve_range(va->va_start + new_size, old_size - new_size);
		vm_free_frames_of(vm, vm->pages, new_nr, old_nr - new_nr);
		spin_lock(&vmap_area_lock);
		vm->nr_pages = new_nr;
		vm->size = new_size + PAGE_SIZE;
		WRITE_ONCE(vmalloc_nr_pages, vmalloc_nr_pages - (old_nr - new_nr));
		old_end = va->va_end;
		va->va_end = va->va_start + new_size + PAGE_SIZE;
		n = 0;
		if (node)
			n = merge_or_add_vmap_area(va->va_end, old_end, node, spares);
		else
			va->va_end = old_end;	/* no node: the tail stays reserved in the area */
		spin_unlock(&vmap_area_lock);
		free_spares(spares, n);
		return (void *)p;
	}

	/* Grow: frames first, then the range. */
	delta = new_size - old_size;
	pages = NULL;
	got = 0;
	if (vm->page_order) {
		pages = (struct page **)alloc_pages_array(vm_entries(vm, new_nr));
		if (!pages)
			goto enomem;
		memcpy(pages, vm->pages, vm_entries(vm, old_nr) * sizeof(*pages));
		got = vm_area_alloc_blocks(gfp | __GFP_HIGHMEM, pages + vm_entries(vm, old_nr),
					   new_nr - old_nr);
		if (!got) {	/* no blocks left: the area becomes split pages */
			free_pages_array(pages, vm_entries(vm, new_nr));
			pages = NULL;
			if (!vm_split_blocks(vm))
				goto enomem;
		}
	}
	if (!pages) {
		pages = (struct page **)alloc_pages_array(new_nr);
		if (!pages)
			goto enomem;
		memcpy(pages, vm->pages, old_nr * sizeof(*pages));
		got = vm_area_alloc_pages_purging(gfp | __GFP_HIGHMEM, pages + old_nr, new_nr - old_nr);
		if (got < new_nr - old_nr)
			goto free_new_frames;
	}

	s1 = alloc_va_node();
	s2 = alloc_va_node();
	spin_lock(&vmap_area_lock);
	old_end = va->va_end;
	fva = treap_floor(free_vmap_area_root, old_end);
	if (fva && fva->va_start == old_end && va_size(fva) >= delta && s1 && s2) {
		fva = carve_free_range(fva, old_end, delta, &s1, &s2);
		va->va_end = old_end + delta;
		spin_unlock(&vmap_area_lock);
		if (fva)
			kmem_cache_free(vmap_area_cachep, fva);
		/* The old guard page and the new range become the area's bytes. */
		if (map_area_bytes(old_end - PAGE_SIZE, pages + vm_entries(vm, old_nr), new_nr - old_nr,
				   PROT_READ | PROT_WRITE)) {
			reserve_range(old_end - PAGE_SIZE, delta);
			spin_lock(&vmap_area_lock);
			va->va_end = old_end;
			node = s1 ? s1 : s2;
			if (node == s1)
				s1 = NULL;
			else
				s2 = NULL;
			n = merge_or_add_vmap_area(old_end, old_end + delta, node, spares);
			spin_unlock(&vmap_area_lock);
			free_spares(spares, n);
			goto free_new_frames;
		}
		__atomic_fetch_add(&vrealloc_in_place, 1, __ATOMIC_RELAXED);
	} else {
		struct vmap_area *nva;
		void *moved;

		spin_unlock(&vmap_area_lock);
		nva = alloc_vmap_area(new_size + PAGE_SIZE, vm_huge(vm) ? PMD_SIZE : PAGE_SIZE);
		if (!nva)
			goto free_new_frames;
		if (phys_is_memfd()) {
			unsigned int i, len;

			/* The new frames first: the one step that may fail. */
			if (map_area_bytes(nva->va_start + old_size, pages + old_nr, new_nr - old_nr,
					   PROT_READ | PROT_WRITE)) {
				reserve_range(nva->va_start + old_size, delta);
				free_vmap_area(nva);
				goto free_new_frames;
			}
			/*
			 * Then each run's mapping moves, page tables and all
			 * (a run is one host mapping); if the host will not move
			 * one, the new range maps its frames again: an alias
			 * of the same bytes.
			 */
			for_each_pfn_run(pages, old_nr, i, len) {
				unsigned long off = (unsigned long)i << PAGE_SHIFT;
				unsigned long bytes = (unsigned long)len << PAGE_SHIFT;

				moved = sys_mremap((void *)(va->va_start + off), bytes, bytes,
						   MREMAP_MAYMOVE | MREMAP_FIXED,
						   (void *)(nva->va_start + off));
				if (IS_ERR_VALUE(moved) &&
				    phys_map(nva->va_start + off, __page_to_pfn(pages[i]), len,
					     PROT_READ | PROT_WRITE))
					panic("vrealloc: the host refused to map an area's frames");
			}
		} else {
			/* The mapping moves and grows at once. */
			moved = sys_mremap((void *)va->va_start, old_size, new_size,
					   MREMAP_MAYMOVE | MREMAP_FIXED, (void *)nva->va_start);
			if (moved == (void *)-EFAULT) {
				/*
				 * The area is more than one host mapping (it grew
				 * in place after a move, or lives in a forked
				 * child): move the bytes mapping by mapping, then
				 * map the tail.
				 */
				if (move_bytes(va->va_start, nva->va_start, old_size) ||
				    map_anon_range(nva->va_start + old_size, delta))
					panic("vrealloc: the host refused to move an area");
				moved = (void *)nva->va_start;
			}
			if (IS_ERR_VALUE(moved)) {
				free_vmap_area(nva);
				goto free_new_frames;
			}
		}
		/* The old range is a hole (anon) or an alias (memfd): reserve it again, then free it. */
		reserve_range(va->va_start, old_size);
		spin_lock(&vmap_area_lock);
		va->vm = NULL;
		nva->vm = vm;
		spin_unlock(&vmap_area_lock);
		free_vmap_area(va);
		vm->addr = (void *)nva->va_start;
		__atomic_fetch_add(&vrealloc_moved, 1, __ATOMIC_RELAXED);
	}
	if (vm_huge(vm))	/* the grown part is a new host mapping */
		vm_advise_huge((unsigned long)vm->addr, new_size);
	spin_lock(&vmap_area_lock);
	old_pages = vm->pages;
	old_cap = vm->pages_cap;
	vm->pages = pages;
	vm->pages_cap = vm_entries(vm, new_nr);
	vm->nr_pages = new_nr;
	vm->size = new_size + PAGE_SIZE;
	WRITE_ONCE(vmalloc_nr_pages, vmalloc_nr_pages + (new_nr - old_nr));
	vmalloc_peak_pages = max(vmalloc_peak_pages, vmalloc_nr_pages);
	spin_unlock(&vmap_area_lock);
	free_pages_array(old_pages, old_cap);
	if (s1)
		kmem_cache_free(vmap_area_cachep, s1);
	if (s2)
		kmem_cache_free(vmap_area_cachep, s2);
	return vm->addr;

free_new_frames:
	vm_free_frames_of(vm, pages, old_nr, got);
	free_pages_array(pages, vm_entries(vm, new_nr));
	if (s1)
		kmem_cache_free(vmap_area_cachep, s1);
	if (s2)
		kmem_cache_free(vmap_area_cachep, s2);
enomem:
	errno = ENOMEM;
	return NULL;
}
EXPORT_SYMBOL(vrealloc);

/* ------------------------------------------------------- vmap/vunmap -- */

bool slot_section_rw(unsigned long pfn)
{
	return READ_ONCE(__pfn_to_section(pfn)->section_mem_map) & SECTION_SLOTS_RW;
}

/* Re-establish a frame slot's reservation after its bytes moved away. */
void refill_slot(unsigned long pfn, unsigned long nr)
{
	if (pfn < max_low_pfn || slot_section_rw(pfn))
		map_anon_range((unsigned long)pfn_to_slot(pfn), nr << PAGE_SHIFT);
	else
		reserve_range((unsigned long)pfn_to_slot(pfn), nr << PAGE_SHIFT);
}

/*
 * Move the bytes of [from, from + size) to [to, to + size).  mremap() moves
 * one host mapping at a time: if the range spans several, it is halved
 * until each piece lies in one.
 */
int move_bytes(unsigned long from, unsigned long to, unsigned long size)
{
	unsigned long half;

	if (!IS_ERR_VALUE(sys_mremap((void *)from, size, size, MREMAP_MAYMOVE | MREMAP_FIXED,
				     (void *)to)))
		return 0;
	if (size <= PAGE_SIZE)
		return -1;
	half = ALIGN_DOWN(size / 2, PAGE_SIZE);
	if (move_bytes(from, to, half))
		return -1;
	return move_bytes(from + half, to + half, size - half);
}

/*
 * vmap(): map frames that hold data at consecutive addresses.  phys=anon:
 * their bytes move from their slots into the window, run by run
 * (mremap()), and while vmap()ed a frame's bytes are at the area's address
 * only.  phys=memfd: the window maps the frames' pages too, as the kernel
 * does, and the frames stay where they were (any frame may be vmap()ed,
 * kmap()ed or in another area at the same time).
 */
/* phys=anon: move the bytes of frames that hold data to [addr, ...), run by run. */
static void vmap_move_in(unsigned long addr, struct page **pages, unsigned int count, int prot)
{
	unsigned int i, len;

	for_each_pfn_run(pages, count, i, len) {
		unsigned long pfn = __page_to_pfn(pages[i]);

		if (move_bytes((unsigned long)pfn_to_slot(pfn), addr + ((unsigned long)i << PAGE_SHIFT),
			       (unsigned long)len << PAGE_SHIFT))
			panic("vmap: the host refused to move frame %#lx", pfn);
		refill_slot(pfn, len);
	}
	sys_mprotect((void *)addr, (unsigned long)count << PAGE_SHIFT, prot);
}

void *vmap(struct page **pages, unsigned int count, unsigned long flags, pgprot_t prot)
{
	struct vmap_area *va = NULL;
	struct vm_struct *vm;
	unsigned long size = (unsigned long)count << PAGE_SHIFT;
	unsigned int i;

	(void)flags;
	kalloc_init_once();
	if (!pages || !count)
		return NULL;
	for (i = 0; i < count; i++) {
		if (!pages[i])
			return NULL;
		if (phys_is_memfd())
			continue;
		kmap_flush_unused_page(pages[i]);	/* a kept pkmap slot gives the bytes back */
		if (PageHighMapped(pages[i]) || pages[i]->virtual || kmap_local_holds(pages[i]))
			return NULL;	/* phys=anon: its bytes are elsewhere already */
	}
	vm = kzalloc(sizeof(*vm), GFP_KERNEL | __GFP_NOWARN);
	if (!vm)
		return NULL;
	vm->pages = kmalloc_array(count, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (vm->pages)
		va = alloc_vmap_area(size + PAGE_SIZE, PAGE_SIZE);
	if (!va)
		goto fail;
	memcpy(vm->pages, pages, count * sizeof(*pages));
	vm->prot = (prot.pgprot & 2) ? PROT_READ | PROT_WRITE : PROT_READ;
	if (!phys_is_memfd())
		vmap_move_in(va->va_start, pages, count, vm->prot);
	else if (map_area_bytes(va->va_start, vm->pages, count, vm->prot)) {
		reserve_range(va->va_start, size);
		free_vmap_area(va);
		goto fail;
	}
	vm->addr = (void *)va->va_start;
	vm->size = size + PAGE_SIZE;
	vm->nr_pages = count;
	vm->flags = VM_MAP;
	vm->caller = (unsigned long)__builtin_return_address(0);
	spin_lock(&vmap_area_lock);
	va->vm = vm;
	spin_unlock(&vmap_area_lock);
	return vm->addr;

fail:
	kfree(vm->pages);
	kfree(vm);
	return NULL;
}
EXPORT_SYMBOL(vmap);

static void vunmap_move_back(struct vm_struct *vm)
{
	unsigned int i, len;
	unsigned long base = (unsigned long)vm->addr;

	if (phys_is_memfd()) {		/* aliases: the frames never left */
		reserve_range(base, (unsigned long)vm->nr_pages << PAGE_SHIFT);
		return;
	}
	sys_mprotect(vm->addr, (unsigned long)vm->nr_pages << PAGE_SHIFT, PROT_READ | PROT_WRITE);
	for_each_pfn_run(vm->pages, vm->nr_pages, i, len) {
		unsigned long pfn = __page_to_pfn(vm->pages[i]);

		if (move_bytes(base + ((unsigned long)i << PAGE_SHIFT), (unsigned long)pfn_to_slot(pfn),
			       (unsigned long)len << PAGE_SHIFT))
			panic("vunmap: the host refused to move frame %#lx back", pfn);
		if (pfn >= max_low_pfn && !slot_section_rw(pfn))
			sys_mprotect(pfn_to_slot(pfn), (unsigned long)len << PAGE_SHIFT, PROT_NONE);
	}
	reserve_range(base, (unsigned long)vm->nr_pages << PAGE_SHIFT);
}

void vunmap(const void *addr)
{
	struct vmap_area *va;

	if (!addr)
		return;
	va = find_vmap_area_checked(addr, "vunmap");
	if (!(va->vm->flags & VM_MAP))
		panic("vunmap: %p is a vmalloc() area (use vfree)", addr);
	vfree(addr);
}
EXPORT_SYMBOL(vunmap);

struct page *vmalloc_to_page(const void *addr)
{
	struct vmap_area *va;
	struct page *page = NULL;

	spin_lock(&vmap_area_lock);
	va = __find_vmap_area((unsigned long)addr);
	if (va && va->vm) {
		unsigned long idx = ((unsigned long)addr - va->va_start) >> PAGE_SHIFT;

		if (idx < va->vm->nr_pages)
			page = vm_page(va->vm, va->vm->pages, idx);
	}
	spin_unlock(&vmap_area_lock);
	return page;
}
EXPORT_SYMBOL(vmalloc_to_page);

unsigned long vmalloc_to_pfn(const void *addr)
{
	struct page *page = vmalloc_to_page(addr);

	return page ? __page_to_pfn(page) : 0;
}
EXPORT_SYMBOL(vmalloc_to_pfn);

int is_vmalloc_addr(const void *x)
{
	unsigned long addr = (unsigned long)x;

	return kalloc_initialized && addr >= VMALLOC_START && addr < VMALLOC_END;
}
EXPORT_SYMBOL(is_vmalloc_addr);

/* ------------------------------------------------------ vmallocinfo -- */

struct vmallocinfo_row {
	unsigned long start, end, size, caller, flags;
	depot_stack_handle_t owner;
	unsigned int nr_pages;
	bool unpurged;
};

static unsigned int collect_rows(struct vmap_area *t, struct vmallocinfo_row *rows,
				 unsigned int n, unsigned int cap, bool unpurged)
{
	if (!t || n >= cap)
		return n;
	n = collect_rows(t->left, rows, n, cap, unpurged);
	if (n < cap && t->vm) {
		rows[n].start = t->va_start;
		rows[n].end = unpurged ? t->va_end : t->va_start + t->vm->size;
		rows[n].size = rows[n].end - rows[n].start;
		rows[n].caller = t->vm->caller;
		rows[n].owner = t->vm->owner;
		rows[n].flags = t->vm->flags;
		rows[n].nr_pages = t->vm->nr_pages;
		rows[n].unpurged = unpurged;
		n++;
	}
	return collect_rows(t->right, rows, n, cap, unpurged);
}

static unsigned long count_nodes(const struct vmap_area *t)
{
	return t ? 1 + count_nodes(t->left) + count_nodes(t->right) : 0;
}

/*
 * Every area and lazily freed area, copied under vmap_area_lock into a
 * kvmalloc()ed array (freed by the caller): the printers allocate.
 * Returns the number of rows.
 */
static unsigned int vmallocinfo_collect(struct vmallocinfo_row **out)
{
	struct vmallocinfo_row *rows;
	unsigned long cap;
	unsigned int n;

	kalloc_init_once();
	spin_lock(&vmap_area_lock);
	cap = nr_vmap_areas + count_nodes(purge_vmap_area_root) + 64;
	spin_unlock(&vmap_area_lock);
	rows = kvmalloc(cap * sizeof(*rows), GFP_KERNEL | __GFP_NOWARN);
	*out = rows;
	if (!rows)
		return 0;
	spin_lock(&vmap_area_lock);
	n = collect_rows(vmap_area_root, rows, 0, cap, false);
	n = collect_rows(purge_vmap_area_root, rows, n, cap, true);	/* show_purge_info() */
	spin_unlock(&vmap_area_lock);
	return n;
}

/*
 * vmalloc_for_each_area(): @fn on every live vmalloc() area (not vmap(),
 * not lazily freed, not KFENCE's pool) with its start, caller, owner's
 * stack and size without the guard page, from a copy: no lock is held
 * when @fn runs.
 */
void vmalloc_for_each_area(void (*fn)(unsigned long start, unsigned long caller,
				      depot_stack_handle_t owner, unsigned long bytes, void *arg),
			   void *arg)
{
	struct vmallocinfo_row *rows;
	unsigned int n = vmallocinfo_collect(&rows), i;

	for (i = 0; i < n; i++)
		if (!rows[i].unpurged && (rows[i].flags & VM_ALLOC) && !(rows[i].flags & VM_KFENCE))
			fn(rows[i].start, rows[i].caller, rows[i].owner, rows[i].size - PAGE_SIZE, arg);
	kvfree(rows);
}

/* vmalloc_set_owner(): the stack that malloc()ed the area at @addr (page_owner.c). */
void vmalloc_set_owner(const void *addr, depot_stack_handle_t owner)
{
	struct vmap_area *va;

	spin_lock(&vmap_area_lock);
	va = __find_vmap_area((unsigned long)addr);
	if (va && va->vm && va->va_start == (unsigned long)addr)
		va->vm->owner = owner;
	spin_unlock(&vmap_area_lock);
}

/* vmalloc_info_show(): /proc/vmallocinfo */
void vmallocinfo_show(FILE *out)
{
	struct vmallocinfo_row *rows;
	unsigned int n = vmallocinfo_collect(&rows), i;

	for (i = 0; i < n; i++) {
		const struct vmallocinfo_row *r = &rows[i];
		char sym[256];

		if (r->unpurged) {
			fprintf(out, "0x%016lx-0x%016lx %7lu unpurged vm_area\n", r->start, r->end,
				r->size);
			continue;
		}
		fprintf(out, "0x%016lx-0x%016lx %7lu", r->start, r->end, r->size);
		if (r->caller) {
			sprint_symbol(sym, sizeof(sym), r->caller);	/* %pS */
			fprintf(out, " %s", sym);
		}
		if (r->nr_pages)
			fprintf(out, " pages=%u", r->nr_pages);
		if (r->flags & VM_ALLOC)
			fprintf(out, " vmalloc");
		if (r->flags & VM_MAP)
			fprintf(out, " vmap");
		if (r->flags & VM_KFENCE)
			fprintf(out, " kfence");
		fputc('\n', out);	/* no N0=: an i386 kernel is built without NUMA */
	}
	kvfree(rows);
}

/* The same as JSON: one object per area, the text's fields as members. */
void vmallocinfo_show_json(struct json *j)
{
	struct vmallocinfo_row *rows;
	unsigned int n = vmallocinfo_collect(&rows), i;

	json_array(j, "areas", false);
	for (i = 0; i < n; i++) {
		const struct vmallocinfo_row *r = &rows[i];
		char sym[256] = "", line[192] = "";

		json_open(j, NULL, '{', true);
		json_u64(j, "start", r->start);
		json_u64(j, "end", r->end);
		json_u64(j, "size", r->size);
		if (r->unpurged) {
			json_bool(j, "unpurged", true);
			json_close(j);
			continue;
		}
		if (r->caller) {
			sprint_symbol(sym, sizeof(sym), r->caller);
			sprint_line(line, sizeof(line), r->caller, true);
		}
		json_str(j, "caller", sym);
		json_str(j, "line", line);
		json_u64(j, "pages", r->nr_pages);
		json_bool(j, "vmalloc", r->flags & VM_ALLOC);
		json_bool(j, "vmap", r->flags & VM_MAP);
		json_bool(j, "kfence", r->flags & VM_KFENCE);
		json_close(j);
	}
	json_close(j);
	kvfree(rows);
}

/* Each frame of the areas under @t to @fn, one call per page (or huge block). */
static void walk_area_frames(const struct vmap_area *t, frame_run_fn fn, void *arg)
{
	for (; t; t = t->right) {
		const struct vm_struct *vm = t->vm;
		unsigned int i;

		walk_area_frames(t->left, fn, arg);
		if (!vm || !vm->pages)
			continue;
		for (i = 0; i < vm_entries(vm, vm->nr_pages); i++)
			if (vm->pages[i])
				fn(__page_to_pfn(vm->pages[i]), 1UL << vm->page_order, arg);
	}
}

/*
 * Every frame that a vmalloc area holds, busy or lazily freed, to @fn
 * (the memory map report, memmap.c).  @fn runs under vmap_area_lock: it
 * must neither allocate nor take a lock.
 */
void vmalloc_for_each_frame(frame_run_fn fn, void *arg)
{
	spin_lock(&vmap_area_lock);
	walk_area_frames(vmap_area_root, fn, arg);
	walk_area_frames(purge_vmap_area_root, fn, arg);
	spin_unlock(&vmap_area_lock);
}

void vmalloc_stats(struct vmalloc_stats *vs)
{
	spin_lock(&vmap_area_lock);
	vs->nr_areas = nr_vmap_areas;
	vs->nr_pages = vmalloc_nr_pages;
	vs->peak_pages = vmalloc_peak_pages;
	vs->in_place = READ_ONCE(vrealloc_in_place);
	vs->moved = READ_ONCE(vrealloc_moved);
	vs->lazy_pages = vmap_lazy_nr;
	vs->purges = vmap_purges;
	spin_unlock(&vmap_area_lock);
}

/* ------------------------------------------------------ fork, memfd -- */

static void remap_areas(struct vmap_area *t)
{
	if (!t)
		return;
	remap_areas(t->left);
	if (t->vm && map_area_bytes(t->va_start, t->vm->pages, t->vm->nr_pages, t->vm->prot))
		panic("fork: cannot map the child's vmalloc area at %#lx", t->va_start);
	remap_areas(t->right);
}

/*
 * phys=memfd, in a fork child that has just made its own memfd (phys.c):
 * map it wherever an area, a lazily freed area, a pkmap or a fixmap slot
 * (highmem.c) maps a frame.  The forking thread holds every lock.
 */
void vmalloc_phys_remap(void)
{
	remap_areas(vmap_area_root);
	remap_areas(purge_vmap_area_root);
	kmap_phys_remap();
}

/* ------------------------------------------------------------- boot -- */

/*
 * vmalloc_init(): at boot, nothing: the first area creates the vmap_area
 * cache and makes the whole window one free range (vmalloc_setup()), so
 * that start-up allocates no memory.
 */
void vmalloc_init(void)
{
}

/*
 * vmalloc_init(), at the first area: the vmap_area cache and the node of
 * the whole free window.  Out of memory then, the request fails (false),
 * not the process; the next one tries again.
 */
static bool vmalloc_setup(void)
{
	static spinlock_t setup_lock = __SPIN_LOCK_UNLOCKED;
	static struct kmem_cache *cachep;	/* made, not yet published */
	struct vmap_area *va = NULL;

	spin_lock(&setup_lock);
	if (vmap_area_cachep) {
		spin_unlock(&setup_lock);
		return true;
	}
	if (!cachep)
		cachep = kmem_cache_create("vmap_area", sizeof(struct vmap_area), 0,
					   SLAB_NO_MERGE, NULL);
	if (cachep)
		va = kmem_cache_alloc(cachep, GFP_KERNEL | __GFP_NOWARN);
	if (!va) {
		spin_unlock(&setup_lock);
		return false;
	}
	va->va_start = VMALLOC_START;
	va->va_end = VMALLOC_END;
	spin_lock(&vmap_area_lock);
	treap_insert(&free_vmap_area_root, va);
	spin_unlock(&vmap_area_lock);
	__atomic_store_n(&vmap_area_cachep, cachep, __ATOMIC_RELEASE);
	spin_unlock(&setup_lock);
	return true;
}

void vmalloc_fork_prepare(void)
{
	spin_lock(&vmap_area_lock);
}

void vmalloc_fork_parent(void)
{
	spin_unlock(&vmap_area_lock);
}

void vmalloc_fork_child(void)
{
	spin_lock_init(&vmap_area_lock);
}
