/*
 * preload/malloc.c - the C library's allocation entry points (design 5):
 * malloc, free, calloc, realloc, reallocarray, memalign, aligned_alloc,
 * posix_memalign, valloc, pvalloc, malloc_usable_size, C23's free_sized
 * and free_aligned_sized, and the names glibc's own code calls
 * (__libc_malloc, __libc_free, ...).
 *
 * Each is a thin layer over lib/util.h's kvmalloc family; what it adds is
 * glibc 2.36's contract, checked against glibc on this machine:
 *
 *	malloc(0)		a unique pointer (lib/ gives one)
 *	malloc(n > PTRDIFF_MAX)	NULL, ENOMEM (lib/)
 *	free(NULL)		nothing, at any time
 *	calloc, reallocarray	n * size overflows: NULL, ENOMEM
 *	realloc(NULL, n)	malloc(n)
 *	realloc(p, 0)		frees p, returns NULL, errno untouched
 *	realloc fails		NULL, ENOMEM, p untouched
 *	memalign(a, n)		a <= 16: malloc(max(n, a)), so aligned to a
 *				(and to 16 from 9 bytes up, as glibc's);
 *				a not a power of two: rounded up to the next
 *				one; a > 2^63: NULL, EINVAL
 *	aligned_alloc		the same function as memalign in glibc 2.36 (it
 *				checks nothing more; 2.38 started rejecting
 *				non-powers of two)
 *	posix_memalign		a not a power-of-two multiple of sizeof(void *):
 *				returns EINVAL, errno and *memptr untouched;
 *				out of memory: returns ENOMEM (errno ENOMEM too,
 *				as glibc leaves it)
 *	valloc(n)		memalign(PAGE_SIZE, n)
 *	pvalloc(n)		n rounded up to a page, and at least one page
 *	malloc_usable_size	>= the request, constant for the object's life;
 *				0 for NULL and for foreign pointers
 *
 * Foreign pointers (glue.h rule 3) - realloc copies what it can know.
 * kalloc has no idea how large a block of another allocator is, and
 * reading a foreign header (glibc's chunk size) is exactly what crashed
 * systemd#25240.  What kalloc can know is which bytes after p are
 * readable: the new block gets min(new size, readable bytes from p).  Bytes
 * past the old object's end are copied too; they land in the new block's
 * tail, which the program may not read before writing anyway.  See
 * copy_readable().
 */
#include "glue.h"

#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <fcntl.h>

/* C23, not declared by glibc 2.36's headers. */
void free_sized(void *p, size_t size);
void free_aligned_sized(void *p, size_t alignment, size_t size);
void cfree(void *p);
void *__libc_malloc(size_t size);
void __libc_free(void *p);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t align, size_t size);
void *__libc_valloc(size_t size);
void *__libc_pvalloc(size_t size);

/* ------------------------------------------------------ bootstrap -- */

/*
 * Stacks for slub_debug=U and page_owner=on: a program that has not
 * loaded libgcc's unwinder (a C program) would get one frame each.  Load
 * it here, before the program runs and outside any allocation (dlopen()
 * allocates and takes the loader's lock), and prime it; RTLD_LOCAL, so
 * that the program's own symbol lookups do not change.
 */
static void load_unwinder(void)
{
	void *h = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return;
	stack_trace_set_unwinder(dlsym(h, "_Unwind_Backtrace"), dlsym(h, "_Unwind_GetIP"));
	stack_trace_prime();
}

/*
 * lib/ sets itself up on the first allocation, whenever that comes (even
 * inside ld.so, before any constructor).  This constructor only makes
 * sure it has happened by the time libkalloc's constructors run, because
 * set-up registers kalloc's fork handlers (pthread_atfork), and their
 * order matters: glibc runs prepare handlers in the reverse order of
 * registration, so a handler registered after kalloc's runs its prepare
 * before kalloc takes every allocator lock, and may allocate in it.  The
 * program's constructors and every library initialised after libkalloc
 * then register after it.  (A library initialised before libkalloc - a
 * sibling dependency - that registers a handler before the first malloc
 * and allocates in its prepare handler is not covered by this: lib/'s
 * fork handlers have to let the forking thread allocate.)
 */
__attribute__((constructor)) static void kalloc_preload_init(void)
{
	kalloc_init_once();
	if ((slub_debug_tracks_users() || page_owner_enabled) && !stack_trace_has_unwinder())
		load_unwinder();
}

/* --------------------------------------------------------- malloc -- */

KALLOC_ABI void *malloc(size_t size)
{
	return kalloc_malloc_fast(size);
}
void *__libc_malloc(size_t size) KALLOC_ALIAS(malloc);

KALLOC_ABI void free(void *p)
{
	kalloc_free_fast(p);
}
void __libc_free(void *p) KALLOC_ALIAS(free);
/* glibc keeps cfree as a compatibility symbol; old binaries still call it. */
void cfree(void *p) KALLOC_ALIAS(free);

/*
 * C23: the size and alignment are promises the program makes; kalloc finds
 * the size from the address anyway, so they are not needed (and a wrong
 * one is not detected: C23 makes it undefined behaviour).
 */
KALLOC_ABI void free_sized(void *p, size_t size)
{
	(void)size;
	kalloc_free_fast(p);
}

KALLOC_ABI void free_aligned_sized(void *p, size_t alignment, size_t size)
{
	(void)alignment;
	(void)size;
	kalloc_free_fast(p);
}

KALLOC_ABI void *calloc(size_t n, size_t size)
{
	return kalloc_calloc(n, size, _RET_IP_);
}
void *__libc_calloc(size_t n, size_t size) KALLOC_ALIAS(calloc);

/* ------------------------------------------------ foreign pointers -- */

/*
 * Copy up to @n bytes from @src, a pointer kalloc does not own, to @dst,
 * stopping at the first byte that cannot be read.  Returns the bytes
 * copied.
 *
 * process_vm_readv(2) on our own pid reads through the kernel's page
 * tables: an unmapped, PROT_NONE or beyond-EOF page makes it stop with a
 * short count or EFAULT instead of a signal.  One call over the whole
 * range settles the common case (everything readable).  Otherwise the
 * range is read again one page per iovec, so that the count stops
 * exactly at the first page that fails, whatever granularity the kernel
 * reports partial transfers at (its manual promises only whole iovecs).
 *
 * Where process_vm_readv is refused (seccomp, ENOSYS), the bound comes
 * from the readable mappings of /proc/self/maps; where that is not there
 * either, from the page p lies in: a live object starts there, so that
 * page is readable.
 */
#define PVM_IOVECS	64

static long self_vm_readv(const struct iovec *local, const struct iovec *remote,
			  unsigned long nr_remote)
{
	return kalloc_syscall6(SYS_process_vm_readv, sys_getpid(), (long)local, 1,
			       (long)remote, (long)nr_remote, 0);
}

/* readable_end_from_maps()'s walk: the run of adjacent readable mappings holding addr. */
struct readable_run {
	unsigned long addr, end;
	bool in_run;
};

static bool readable_run_step(unsigned long lo, unsigned long hi, bool readable, void *arg)
{
	struct readable_run *r = arg;

	if (r->in_run) {
		if (lo != r->end || !readable)
			return false;
		r->end = hi;
	} else if (lo <= r->addr && r->addr < hi) {
		if (!readable)
			return false;
		r->in_run = true;
		r->end = hi;
	}
	return true;
}

/*
 * The end of the run of adjacent readable mappings that holds @addr, from
 * /proc/self/maps (for_each_mapping()); 0 if @addr is in no readable
 * mapping.  *known is false when the file cannot be read at all.
 */
static unsigned long readable_end_from_maps(unsigned long addr, bool *known)
{
	struct readable_run r = { .addr = addr };

	*known = for_each_mapping(readable_run_step, &r);
	return r.end;
}

static size_t copy_readable(void *dst, const void *src, size_t n)
{
	struct iovec local = { dst, n }, remote[PVM_IOVECS];
	unsigned long s = (unsigned long)src;
	size_t done = 0;
	long r;
	bool known;

	remote[0] = (struct iovec){ (void *)src, n };
	r = self_vm_readv(&local, remote, 1);
	if (r == (long)n)
		return n;
	if (r >= 0 || r == -EFAULT) {
		while (done < n) {
			size_t want = 0;
			unsigned int i;

			for (i = 0; i < PVM_IOVECS && done + want < n; i++) {
				unsigned long a = s + done + want;
				size_t chunk = min(n - done - want, PAGE_SIZE - (a & (PAGE_SIZE - 1)));

				remote[i] = (struct iovec){ (void *)a, chunk };
				want += chunk;
			}
			local = (struct iovec){ (char *)dst + done, want };
			r = self_vm_readv(&local, remote, i);
			if (r <= 0)
				break;
			done += r;
			if ((size_t)r < want)
				break;
		}
		return done;
	}

	/* process_vm_readv refused: the readable mappings, or p's own page. */
	{
		unsigned long end = readable_end_from_maps(s, &known);

		if (!known)
			end = ALIGN_DOWN(s, PAGE_SIZE) + PAGE_SIZE;
		done = end > s ? min(n, end - s) : 0;
	}
	memcpy(dst, src, done);
	return done;
}

/* realloc() of a pointer kalloc did not hand out: count it, leave it alone. */
static __noinline __cold void *foreign_realloc(void *p, size_t size, unsigned long caller)
{
	void *new;

	kalloc_count_foreign("realloc()", p);
	if (!size)
		return NULL;
	new = kalloc_malloc_caller(size, caller);
	if (new)
		copy_readable(new, p, size);
	return new;
}

/* -------------------------------------------------------- realloc -- */

KALLOC_ABI void *realloc(void *p, size_t size)
{
	if (!p)
		return kalloc_malloc_fast(size);
	if (unlikely(!kalloc_owns(p)))
		return foreign_realloc(p, size, _RET_IP_);
	if (unlikely(!size)) {
		kalloc_free_by(p, "realloc()", _RET_IP_);
		return NULL;
	}
	return kalloc_realloc(p, size, _RET_IP_);
}
void *__libc_realloc(void *p, size_t size) KALLOC_ALIAS(realloc);

KALLOC_ABI void *reallocarray(void *p, size_t n, size_t size)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes))) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, bytes);
}

/* ------------------------------------------------------ alignment -- */

/*
 * memalign() as glibc's _mid_memalign(): an alignment up to malloc's own
 * is malloc's; one above 2^63 cannot be rounded to a power of two (EINVAL);
 * any other is rounded up to a power of two.  lib/ takes it from there
 * (ENOMEM when it cannot, as for 2^40).
 */
void *kalloc_memalign_glibc(size_t align, size_t size, unsigned long caller)
{
	/*
	 * glibc serves these with malloc(), 16-aligned.  kalloc's kmalloc-8
	 * objects are only 8-aligned, so a request smaller than its alignment
	 * asks for the class of the alignment (a power-of-two kmalloc class is
	 * aligned to its size).
	 */
	if (align <= MALLOC_ALIGNMENT)
		return kalloc_malloc_caller(size < align ? align : size, caller);
	if (unlikely(align > SIZE_MAX / 2 + 1)) {
		errno = EINVAL;
		return NULL;
	} else if (unlikely(align & (align - 1)))
		align = 1UL << (64 - __builtin_clzl(align));
	return kalloc_memalign(align, size, caller);
}

KALLOC_ABI void *memalign(size_t align, size_t size)
{
	return kalloc_memalign_glibc(align, size, _RET_IP_);
}
void *__libc_memalign(size_t align, size_t size) KALLOC_ALIAS(memalign);
/* glibc 2.36: aligned_alloc is memalign (no extra checks until 2.38). */
void *aligned_alloc(size_t align, size_t size) KALLOC_ALIAS(memalign);

KALLOC_ABI int posix_memalign(void **memptr, size_t align, size_t size)
{
	void *p;

	if (align % sizeof(void *) || align == 0 ||
	    (align & (align - 1)))	/* power of two times sizeof(void *) */
		return EINVAL;
	p = kalloc_memalign_glibc(align, size, _RET_IP_);
	if (!p)
		return ENOMEM;
	*memptr = p;
	return 0;
}

KALLOC_ABI void *valloc(size_t size)
{
	return kalloc_memalign_glibc(PAGE_SIZE, size, _RET_IP_);
}
void *__libc_valloc(size_t size) KALLOC_ALIAS(valloc);

KALLOC_ABI void *pvalloc(size_t size)
{
	size_t rounded;

	if (unlikely(__builtin_add_overflow(size, PAGE_SIZE - 1, &rounded))) {
		errno = ENOMEM;
		return NULL;
	}
	rounded &= PAGE_MASK;
	return kalloc_memalign_glibc(PAGE_SIZE, rounded ? rounded : PAGE_SIZE, _RET_IP_);
}
void *__libc_pvalloc(size_t size) KALLOC_ALIAS(pvalloc);

KALLOC_ABI size_t malloc_usable_size(void *p)
{
	return kalloc_usable_size(p);
}
