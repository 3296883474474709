/*
 * lib/slab.h - the slab allocator's structures (mm/slab.h, and the
 * sheaves of mm/slub.c since Linux 6.18).
 *
 *	struct kmem_cache	one per object size/kind; read-mostly fields
 *				first, then the per-node list and barn
 *	struct slab		is struct page: a slab's state lives in its
 *				head page (slab_cache, freelist, inuse,
 *				objects); every page of a slab carries
 *				slab_cache so that free() finds the cache of
 *				any address with one load
 *	struct slab_sheaf	an array of free object pointers (Bonwick's
 *				magazine)
 *	struct node_barn	per-node store of full and empty sheaves
 *
 * Equations:
 *	objects in a slab = inuse + |slab freelist| + fresh
 *	node total_objects = sum over slabs of objects
 *	active objects (slabinfo) = total_objects - sum (|slab freelist| + fresh)
 *		(objects in sheaves count as active: the slab lent them)
 */
#ifndef KALLOC_SLAB_H
#define KALLOC_SLAB_H

#include "percpu.h"

#define SLAB_DEBUG_FLAGS	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | \
				 SLAB_POISON | SLAB_STORE_USER)
/* Flags that keep a cache from being merged with another (slab_common.c). */
#define SLAB_NEVER_MERGE	(SLAB_DEBUG_FLAGS | SLAB_TYPESAFE_BY_RCU | SLAB_NO_MERGE)
#define SLAB_MERGE_SAME		(SLAB_CACHE_DMA | SLAB_RECLAIM_ACCOUNT | SLAB_ACCOUNT | \
				 SLAB_KMALLOC)

/* Internal flags */
#define __SLAB_NO_SHEAVES	0x80000000u	/* every operation takes the locks */

struct slab_sheaf {
	unsigned int size;		/* objects held */
	unsigned int capacity;		/* 0 for the static empty sheaf */
	struct list_head barn_list;	/* on a barn list, under barn->lock */
	void *objects[];
};

struct node_barn {
	spinlock_t lock;
	unsigned long last_busy;	/* decay clock of the last exchange */
	struct list_head sheaves_full;
	struct list_head sheaves_empty;
	unsigned int nr_full;
	unsigned int nr_empty;
};

struct kmem_cache_node {
	spinlock_t list_lock;
	unsigned long nr_partial;
	struct list_head partial;
	struct list_head full;		/* SLAB_STORE_USER/F: every full slab */
	unsigned long nr_slabs;
	unsigned long total_objects;
	unsigned long free_objects;	/* on slab freelists */
	unsigned long last_busy;	/* decay clock of the last refill or flush */
};

struct track {
	unsigned long addr;		/* caller */
	depot_stack_handle_t handle;	/* the stack, stackdepot.c; 0: none */
	unsigned int cpu;
	int pid;
	unsigned long when;		/* ns since boot of kalloc */
};

enum track_item { TRACK_ALLOC, TRACK_FREE };

struct kmem_cache {
	/* Read on every fast path. */
	unsigned int cpu_index;		/* pcs slot, or SLUB_MAX_PCPU_CACHES */
	unsigned int size;		/* object stride, metadata included */
	unsigned int object_size;	/* what the user asked for */
	unsigned int reciprocal_size;	/* obj_to_index() without a divide */
	unsigned int offset;		/* free pointer offset in an object */
	unsigned int order;		/* slabs are 2^order pages, aligned */
	unsigned int objects;		/* per slab */
	unsigned int sheaf_capacity;
	slab_flags_t flags;
	unsigned long random;		/* freelist hardening */

	/* Read-mostly. */
	unsigned int inuse;		/* offset to the metadata */
	unsigned int align;
	unsigned int red_left_pad;
	gfp_t allocflags;		/* gfp for the slab's pages */
	void (*ctor)(void *);
	const char *name;
	char name_buf[32];
	int refcount;			/* aliases (merged caches) + 1 */
	unsigned long min_partial;
	unsigned int max_full_sheaves;	/* barn beyond this flushes to slabs */
	struct list_head list;		/* slab_caches, under slab_mutex */

	/* Written under their locks. */
	struct kmem_cache_node node __cacheline_aligned;
	struct node_barn barn __cacheline_aligned;
};

#include "kasan.h"	/* its cache hooks need struct kmem_cache */

/* The slab of any address of one: the head page of its 2^order block. */
static inline struct page *virt_to_slab(const struct kmem_cache *s, const void *x)
{
	unsigned long off = ((unsigned long)x - page_offset_base) &
			    ~((PAGE_SIZE << s->order) - 1);

	return __pfn_to_page(off >> PAGE_SHIFT);
}

static inline void *slab_address(const struct page *slab)
{
	return pfn_to_slot(__page_to_pfn(slab));
}

/*
 * slab->counters: inuse 16 bits, objects 15 bits, frozen 1 bit, and fresh
 * 16 bits: the objects at the end of the slab that were never handed
 * out and are on no freelist (slub.c, allocate_slab()).
 */
static inline unsigned int slab_inuse(const struct page *slab)
{
	return slab->counters & 0xffff;
}

static inline unsigned int slab_objects(const struct page *slab)
{
	return (slab->counters >> 16) & 0x7fff;
}

static inline unsigned int slab_fresh(const struct page *slab)
{
	return (slab->counters >> 32) & 0xffff;
}

static inline void slab_set_counters(struct page *slab, unsigned int inuse,
				     unsigned int objects, unsigned int fresh)
{
	slab->counters = inuse | ((unsigned long)objects << 16) | ((unsigned long)fresh << 32);
}

#define PGTY_slab	0xf1000000u	/* page_type of every page of a slab (below) */
#define PGTY_slab_mask	0xff000000u

/*
 * The cache of a slab page, NULL for any other page.  slab_cache shares
 * its word with a free block's decay stamp (buddy_freed), so the page type
 * decides, not the word.
 */
static inline struct kmem_cache *page_slab_cache(const struct page *page)
{
	return (page->page_type & PGTY_slab_mask) == PGTY_slab ? page->slab_cache : NULL;
}

extern struct kmem_cache *kmalloc_caches[];
extern struct kmem_cache *kmalloc_dma_caches[];
extern struct list_head slab_caches;
extern spinlock_t slab_mutex;

/* Options (options.c) */
extern unsigned int slub_min_order, slub_max_order, slub_min_objects;
extern bool slab_nomerge;

/* slub_debug.c: the checks of slub_debug=FZPU and the reports */
#define SLUB_RED_INACTIVE	0xbb	/* red zone of a free object */
#define SLUB_RED_ACTIVE		0xcc	/* red zone of an allocated object */
#define POISON_FREE		0x6b	/* a free object's bytes */
#define POISON_END		0xa5	/* the last byte of a free object */
#define POISON_INUSE		0x5a	/* slab padding */

extern char slub_debug_string[256];	/* slub_debug= as given */
/* At boot: one warning for the letters of slub_debug= that mean nothing here. */
void slub_debug_check_letters(void) __hidden;
bool slub_debug_tracks_users(void) __hidden;
/* The debug flags slub_debug= gives the cache called @name, added to @flags. */
slab_flags_t kmem_cache_flags(const char *name, slab_flags_t flags) __hidden;
/* A new slab of a debug cache: poison its padding. */
void setup_slab_debug(struct kmem_cache *s, struct page *slab, void *addr) __hidden;
/* Red zones and poison of a free (SLUB_RED_INACTIVE) or live object. */
void init_object(struct kmem_cache *s, void *object, unsigned char val) __hidden;
void init_tracking(struct kmem_cache *s, void *object) __hidden;
/* A debug slab going back to the buddy: its tail padding is intact. */
void slab_pad_check(struct kmem_cache *s, struct page *slab) __hidden;

/*
 * orig_size: a kmalloc or malloc cache under Z or U keeps each object's
 * requested size after its tracks, and under Z the bytes between it and
 * the object size are red zone too ("kmalloc Redzone"), as the kernel's
 * slub_debug keeps orig_size for kmalloc caches.
 */
static inline bool slub_debug_orig_size(const struct kmem_cache *s)
{
	return (s->flags & SLAB_KMALLOC) && (s->flags & (SLAB_RED_ZONE | SLAB_STORE_USER));
}
void __set_orig_size(struct kmem_cache *s, void *x, size_t size) __hidden;
/* The object @x was asked for @size bytes (kmalloc(), malloc(), realloc() in place). */
static inline void set_orig_size(struct kmem_cache *s, void *x, size_t size)
{
	if (unlikely(slub_debug_orig_size(s)))
		__set_orig_size(s, x, size);
}
/* ksize(), malloc_usable_size(): the caller may use the whole object now. */
void skip_orig_size_check(struct kmem_cache *s, void *x) __hidden;
/* Checks at allocation and free; false when the object must not be used. */
bool alloc_debug_processing(struct kmem_cache *s, struct page *slab, void *object,
			    unsigned long addr) __hidden;
bool free_debug_processing(struct kmem_cache *s, struct page *slab, void *object,
			   unsigned long addr) __hidden;
/* "BUG <cache>: <reason>" and the banner lines of a slab report. */
void slab_bug(struct kmem_cache *s, const char *reason) __hidden;
__attribute__((noreturn)) void slab_abort(void) __hidden;

/*
 * Sheaf slots (kmem_cache->cpu_index) fixed at boot, so that malloc finds
 * its cache's sheaf from the size alone: pcs[0..KMALLOC_SHIFT_HIGH] for the
 * kmalloc caches at their kmalloc index, the next NR_MALLOC_OWN_CACHES for
 * malloc's own caches (util.c).  kmem_cache_create() hands out the rest.
 */
#define PCPU_MALLOC_FIRST	(KMALLOC_SHIFT_HIGH + 1)
#define NR_MALLOC_OWN_CACHES	32
#define PCPU_RESERVED_SLOTS	(PCPU_MALLOC_FIRST + NR_MALLOC_OWN_CACHES)

/*
 * struct kmem_cache_args (include/linux/slab.h, 6.12): what
 * __kmem_cache_create_args() takes besides name, size and flags.  The
 * kernel's callers set align, ctor and sheaf_capacity (6.18; there 0 means
 * no sheaves, here a capacity by object size); cpu_index and order are
 * kalloc's, for a cache whose sheaf slot was reserved at boot and whose
 * slab order its creator chooses.
 */
struct kmem_cache_args {
	unsigned int align;
	void (*ctor)(void *);
	unsigned int sheaf_capacity;	/* objects per sheaf; 0: by object size */
	int cpu_index;		/* a sheaf slot reserved at boot, or -1 */
	unsigned int order;	/* slab order; 0: calculate_order() chooses */
};

/* slub.c */
struct kmem_cache *__kmem_cache_create_args(const char *name, unsigned int size,
					    const struct kmem_cache_args *args,
					    slab_flags_t flags) __hidden;
void kmem_cache_init(void) __hidden;
void slub_init_pcpu(struct kalloc_pcpu *cpu) __hidden;
void slub_thread_exit(struct kalloc_pcpu *cpu) __hidden;
/* vmscan.c's work in the slab layer */
void slub_drain_idle(struct kalloc_pcpu *cpu) __hidden;
void slub_shrink_idle(unsigned long now) __hidden;
void slub_fork_prepare(void) __hidden;
void slub_fork_parent(void) __hidden;
void slub_fork_child(void) __hidden;
extern const unsigned char size_index[25] __hidden;

/* kmalloc_index(): the kmalloc cache of @size (<= KMALLOC_MAX_CACHE_SIZE) */
static __always_inline unsigned int kmalloc_index(size_t size)
{
	if (size <= 192)
		return size_index[(size + 7) >> 3];
	return 64 - __builtin_clzl(size - 1);
}
struct kmem_cache *kmalloc_slab(size_t size) __hidden;
void kfree_slab_object(struct kmem_cache *s, struct page *page, void *x) __hidden;
/* Snapshot of one cache for /proc/slabinfo. */
struct slabinfo {
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned long active_slabs;
	unsigned long num_slabs;
	unsigned int objects_per_slab;
	unsigned int cache_order;
};
void get_slabinfo(struct kmem_cache *s, struct slabinfo *sinfo) __hidden;
unsigned long slub_sheaf_objects(struct kmem_cache *s) __hidden;
void slab_pages_read(unsigned long *now, unsigned long *peak) __hidden;
void slab_bytes_out_read(unsigned long *now, unsigned long *peak) __hidden;
int slabinfo_show(FILE *out) __hidden;
struct json;
void slabinfo_show_json(struct json *j) __hidden;

/* ------------------------------------------------------ fast paths -- */

/* obj_to_index() with a multiply: exact for every offset in a slab */
static inline unsigned int __obj_to_index(const struct kmem_cache *s, unsigned long offset)
{
	return (unsigned int)((offset * s->reciprocal_size) >> 32);
}

/*
 * check_valid_pointer(): is @object the start of an object of its slab?
 * Slabs are aligned to their size, so the offset is a mask away.  Used on
 * every free and on every freelist pointer read.
 */
static inline bool check_valid_pointer(const struct kmem_cache *s, const void *object)
{
	unsigned long off = (((unsigned long)object - page_offset_base) &
			     ((PAGE_SIZE << s->order) - 1)) - s->red_left_pad;

	return __obj_to_index(s, off) * s->size == off && off < (unsigned long)s->objects * s->size;
}

void *__slab_alloc_slow(struct kmem_cache *s, gfp_t gfp, unsigned long addr) __hidden;
void __slab_free_slow(struct kmem_cache *s, void *x, unsigned long addr) __hidden;
bool map_highmem_block(struct page *page, unsigned int order) __hidden;
__attribute__((noreturn, cold)) void slab_invalid_free(struct kmem_cache *s, const void *x) __hidden;
/* The same report naming the function the program called ("free()", "realloc()"). */
__attribute__((noreturn, cold)) void slab_invalid_free_by(const char *who, struct kmem_cache *s,
							  const void *x, unsigned long caller) __hidden;
__attribute__((noreturn, cold)) void slab_double_free(struct kmem_cache *s, const void *x) __hidden;

/*
 * slab_alloc(): pop from this thread's main sheaf; anything else (no
 * sheaf yet, empty sheaf, a debug cache, an exited thread) goes slow.
 */
static __always_inline void *slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long addr)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;
	void *object;

	if (likely((uintptr_t)cpu > (uintptr_t)PCPU_DEAD)) {
		struct slub_percpu_sheaves *pcs = &cpu->pcs[s->cpu_index];
		void **top = pcs->top;

		if (likely(top != pcs->bottom)) {
			object = *--top;
			pcs->top = top;
			goto out;
		}
	}
	object = __slab_alloc_slow(s, gfp, addr);
out:
	kasan_slab_alloc(s, object);
	if (unlikely(gfp & __GFP_ZERO) && object)
		memset(object, 0, s->object_size);
	return object;
}

/* Push @x onto the thread's sheaf of slot @cpu_index, or take the slow path. */
static __always_inline void __slab_free_push(struct kmem_cache *s, unsigned int cpu_index,
					     void *x, unsigned long addr)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;

	kasan_slab_free(s, x);
	if (likely((uintptr_t)cpu > (uintptr_t)PCPU_DEAD)) {
		struct slub_percpu_sheaves *pcs = &cpu->pcs[cpu_index];
		void **top = pcs->top;

		if (likely(top != pcs->end)) {
			if (unlikely(top != pcs->bottom && top[-1] == x))
				slab_double_free(s, x);
			*top = x;
			pcs->top = top + 1;
			return;
		}
	}
	__slab_free_slow(s, x, addr);
}

/*
 * slab_free(): push onto this thread's main sheaf.  @x must be an object
 * start of its slab (checked: a free of an interior pointer aborts), and not
 * the object freed just before (the kernel's naive double-free check).
 */
static __always_inline void __slab_free(struct kmem_cache *s, unsigned int cpu_index, void *x,
					unsigned long addr)
{
	if (unlikely(!check_valid_pointer(s, x)))
		slab_invalid_free(s, x);
	__slab_free_push(s, cpu_index, x, addr);
}

static __always_inline void slab_free(struct kmem_cache *s, void *x, unsigned long addr)
{
	__slab_free(s, s->cpu_index, x, addr);
}

/*
 * A slab page's page_type, for free()'s sake: the tag, the cache's sheaf
 * slot, and for a cache whose objects are a power of two with no red zone
 * size - 1, so that free() checks "object start" with a mask and reaches
 * the sheaf without loading the cache.
 *
 *	[31:24] PGTY_slab tag   [23:8] size - 1, or 0   [7:0] cpu_index
 */

static inline unsigned int slab_page_type(const struct kmem_cache *s)
{
	unsigned int mask = 0;

	if (!(s->size & (s->size - 1)) && !s->red_left_pad && s->size == s->object_size &&
	    s->size <= 0x10000)
		mask = s->size - 1;
	return PGTY_slab | (mask << 8) | s->cpu_index;
}

static __always_inline unsigned int page_slab_cpu_index(unsigned int page_type)
{
	return page_type & 0xff;
}

static __always_inline unsigned long page_slab_align_mask(unsigned int page_type)
{
	return (page_type >> 8) & 0xffff;
}

/*
 * slab_free_page(): kfree()/free() of an address on a slab page whose
 * page_type is @type.  The common case needs neither the cache nor a
 * division.
 */
static __always_inline bool slab_page_object_start(const struct page *page, unsigned int type,
						   const void *x)
{
	unsigned long mask = page_slab_align_mask(type);

	if (likely(mask))
		return !((unsigned long)x & mask);
	return check_valid_pointer(page->slab_cache, x);
}

static __always_inline void slab_free_page(const struct page *page, unsigned int type, void *x,
					   unsigned long addr)
{
	if (unlikely(!slab_page_object_start(page, type, x)))
		slab_invalid_free(page->slab_cache, x);
	__slab_free_push(page->slab_cache, page_slab_cpu_index(type), x, addr);
}

/*
 * kmalloc_sheaf_pop(): an object of kmalloc cache @idx from this thread's
 * sheaf, or NULL (the caller takes its slow path; so it does once every
 * VMSCAN_TICK_EVERY calls, for the decay tick).
 */
static __always_inline void *kmalloc_sheaf_pop(unsigned int idx)
{
	struct kalloc_pcpu *cpu = kalloc_pcpu_area;

	if (likely((uintptr_t)cpu > (uintptr_t)PCPU_DEAD)) {
		struct slub_percpu_sheaves *pcs = &cpu->pcs[idx];
		void **top = pcs->top;

		if (likely(top != pcs->bottom && --cpu->tick_countdown >= 0)) {
			pcs->top = --top;
			return *top;
		}
	}
	return NULL;
}

/*
 * The free key (glibc's tcache key, for SLUB's sheaves): free() writes this
 * per-process secret into the first word of an object it puts in a sheaf,
 * and malloc() clears it when it hands the object out.  A free() that finds
 * the key takes the slow path, which looks for the object in the thread's
 * sheaf: found, it is a double free (p, q, p); not found, the program had
 * stored the key itself or never wrote a word of an object it got another
 * way (memalign, the kernel API), and the free goes on.  Only objects that
 * free() puts in a sheaf carry it: not those of debug caches (they have no
 * sheaves), nor of caches with constructors (kmem_cache_free()).
 */
extern unsigned long malloc_free_key __hidden;
__attribute__((noreturn, cold)) void slab_double_free_sheaf(const char *who, struct kmem_cache *s,
							    const void *x, unsigned int ago,
							    unsigned long caller) __hidden;
__attribute__((noreturn, cold)) void slab_double_free_at(const char *who, struct kmem_cache *s,
							 const void *x, const char *where,
							 unsigned long caller) __hidden;
const char *slab_object_free_where(struct kmem_cache *s, unsigned int idx, const void *x) __hidden;

/*
 * slab_free_fast(): free @p if it is an object start of a slab cache (a
 * power-of-two cache checks it with the mask in its page's page_type, any
 * other with check_valid_pointer()'s multiply), there is room in this
 * thread's sheaf, it is not the object freed just before, and it does not
 * carry the free key.  False: the caller takes its full path, which checks
 * everything.
 */
static __always_inline bool slab_free_fast(const void *p)
{
	unsigned long off = (unsigned long)p - page_offset_base;

	if (likely(off < kalloc_phys_size)) {
		const struct page *page = vmemmap_base + (off >> PAGE_SHIFT);
		unsigned int type = page->page_type;
		struct kalloc_pcpu *cpu = kalloc_pcpu_area;

		if (likely((type & PGTY_slab_mask) == PGTY_slab &&
			   slab_page_object_start(page, type, p) &&
			   (uintptr_t)cpu > (uintptr_t)PCPU_DEAD)) {
			struct slub_percpu_sheaves *pcs = &cpu->pcs[page_slab_cpu_index(type)];
			void **top = pcs->top;

			if (likely(top != pcs->end && (top == pcs->bottom || top[-1] != p) &&
				   kasan_metadata_load(p) != malloc_free_key)) {
				kasan_metadata_store((void *)p, malloc_free_key);
				kasan_slab_free(page->slab_cache, p);
				*top = (void *)p;
				pcs->top = top + 1;
				return true;
			}
		}
	}
	return false;
}

/* vmalloc.c */
void vmalloc_init(void) __hidden;
void vmalloc_fork_prepare(void) __hidden;
void vmalloc_fork_parent(void) __hidden;
void vmalloc_fork_child(void) __hidden;
void vmallocinfo_show(FILE *out) __hidden;
void vmallocinfo_show_json(struct json *j) __hidden;
void vmalloc_phys_remap(void) __hidden;
void vmalloc_purge(void) __hidden;
void vmalloc_decay(void) __hidden;
unsigned long vmalloc_nr_pages_read(void) __hidden;	/* frames held by areas */
void *__vmalloc_node_range(unsigned long size, unsigned long align, gfp_t gfp,
			   unsigned long vm_flags, unsigned long caller) __hidden;
unsigned long vmalloc_size(const void *addr) __hidden;
/* An area with no frames, left PROT_NONE for its owner to map (kfence.c). */
#define VM_KFENCE	0x01000000u
void *get_vm_area_caller(unsigned long size, unsigned long flags, unsigned long caller) __hidden;
/* Shared with brk.c and highmem.c: frames whose bytes live at window addresses. */
int reserve_range(unsigned long addr, unsigned long size) __hidden;
int map_anon_range(unsigned long addr, unsigned long size) __hidden;
int move_bytes(unsigned long from, unsigned long to, unsigned long size) __hidden;
void refill_slot(unsigned long pfn, unsigned long nr) __hidden;
bool slot_section_rw(unsigned long pfn) __hidden;

/* highmem.c: kmap(), the pkmap window and the fixmap */
void kmap_phys_remap(void) __hidden;
void kmap_fork_prepare(void) __hidden;
void kmap_fork_parent(void) __hidden;
void kmap_fork_child(void) __hidden;
void kmap_flush_unused_page(struct page *page) __hidden;
bool kmap_local_holds(const struct page *page) __hidden;
/* kmap's counters: the vmstat report and the tests */
struct kmap_stats {
	unsigned long pkmap_used;	/* pkmap slots in use (count >= 2) */
	unsigned long pkmap_unused;	/* kept after their last kunmap() (count 1) */
	unsigned long kmap_new;		/* slots mapped (map_new_virtual()) */
	unsigned long kmap_reuse;	/* mappings that found their page's slot kept (count 1) */
	unsigned long flushes;		/* flush_all_zero_pkmaps() passes that unmapped slots */
	unsigned long flushed;		/* slots they (or vmap()) unmapped */
	unsigned long freed;		/* kept slots unmapped because their page was freed */
	unsigned long waits;		/* sleeps on pkmap_map_wait (kmap() or a fixmap CPU) */
	unsigned long local;		/* kmap_local_page() and kmap_atomic() of HIGHMEM pages */
	unsigned long local_out_of_order;	/* kunmap_local() not of the last mapping */
	unsigned long local_cpus;	/* fixmap CPUs held by threads now */
	unsigned long local_mapped;	/* local mappings now */
};
void kmap_stats(struct kmap_stats *ks) __hidden;
unsigned int vm_area_alloc_pages(gfp_t gfp, struct page **pages, unsigned int nr_pages) __hidden;
void vm_area_free_pages(struct page **pages, unsigned int nr) __hidden;
/* vmalloc's counters, for the totals report and the tests */
struct vmalloc_stats {
	unsigned long nr_areas;		/* busy areas */
	unsigned long nr_pages;		/* frames they hold */
	unsigned long peak_pages;	/* the most they held at once */
	unsigned long in_place, moved;	/* vrealloc growths */
	unsigned long lazy_pages;	/* frames of lazily freed areas (phys=memfd) */
	unsigned long purges;
};
void vmalloc_stats(struct vmalloc_stats *vs) __hidden;
/* Frames held, run by run, for the memory map (memmap.c); @fn runs under a leaf lock */
typedef void (*frame_run_fn)(unsigned long pfn, unsigned long nr, void *arg);
void vmalloc_for_each_frame(frame_run_fn fn, void *arg) __hidden;

void vmalloc_for_each_area(void (*fn)(unsigned long start, unsigned long caller,
				      depot_stack_handle_t owner, unsigned long bytes, void *arg),
			   void *arg) __hidden;
void vmalloc_set_owner(const void *addr, depot_stack_handle_t owner) __hidden;
bool area_cache_contains(const void *p) __hidden;	/* util.c: malloc's freed areas */

/* slub.c, slub_debug.c: the live objects of a cache, and their tracks */
void slab_for_each_allocated(struct kmem_cache *s,
			     void (*fn)(struct kmem_cache *s, void *object, void *arg),
			     void *arg) __hidden;
const struct track *slab_alloc_track(struct kmem_cache *s, void *object) __hidden;
size_t slab_object_bytes(struct kmem_cache *s, void *object) __hidden;

/*
 * page_owner.c: page_owner=on records the stack of each malloc page block
 * in its head page (page->private: a stack depot handle, 0 for none), and
 * of each vmalloc area malloc hands out in its vm_struct.  With
 * page_owner.sample=R (bytes), only a sample is recorded: a block or area
 * of s bytes with probability min(1, s / R), and one slab-sized malloc in
 * R / PROFILE_OBJECT_BYTES, which goes to its class's profiled twin cache
 * (malloc_profiled_cache(), util.c); reports weigh each sample by what it
 * stands for (page_owner_weight()).
 */
extern bool page_owner_enabled;
extern unsigned long long page_owner_sample;
#define PROFILE_OBJECT_BYTES	64
static inline bool page_owner_sampling(void)
{
	return page_owner_enabled && page_owner_sample;
}
/* One slab-sized malloc in this many is a sample (page_owner.sample= on). */
static inline unsigned long page_owner_sample_objects(void)
{
	return max(page_owner_sample / PROFILE_OBJECT_BYTES, 1ULL);
}
depot_stack_handle_t page_owner_stack(unsigned long caller) __hidden;
bool page_owner_sampled(unsigned long bytes) __hidden;
bool is_malloc_profiled_cache(const struct kmem_cache *s) __hidden;	/* util.c */
static inline void set_page_owner(struct page *page, unsigned long caller, unsigned long bytes)
{
	if (unlikely(page_owner_enabled))
		page->private = page_owner_sampled(bytes) ? page_owner_stack(caller) : 0;
}
/* The same for a vmalloc area that malloc() hands out (vm_struct.owner). */
static inline void set_vmalloc_owner(const void *addr, unsigned long caller, unsigned long bytes)
{
	if (unlikely(page_owner_enabled))
		vmalloc_set_owner(addr, page_owner_sampled(bytes) ? page_owner_stack(caller) : 0);
}
static inline void reset_page_owner(struct page *page)
{
	page->private = 0;
}
void alloc_traces_show(FILE *out) __hidden;
void heap_profile_show(FILE *out) __hidden;
void heap_sites_show(FILE *out) __hidden;

/* brk.c: the emulated mm->brk */
unsigned long kalloc_sys_brk(unsigned long brk) __hidden;
void brk_show(FILE *out) __hidden;
void brk_show_json(struct json *j) __hidden;
void brk_for_each_frame(frame_run_fn fn, void *arg) __hidden;
void brk_stats(unsigned long *bytes, unsigned long *pages, unsigned long *peak_pages) __hidden;

/* memmap.c: the picture of physical memory (the "map" report) */
void memmap_show(FILE *out) __hidden;
void memmap_show_json(struct json *j) __hidden;
void brk_fork_prepare(void) __hidden;
void brk_fork_parent(void) __hidden;
void brk_fork_child(void) __hidden;

#endif /* KALLOC_SLAB_H */
