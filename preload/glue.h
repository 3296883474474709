/*
 * preload/glue.h - what the files of preload/ share: the one view they
 * have of lib/ and the few rules every entry point keeps.
 *
 * preload/ is the glue between a C library's allocation ABI and the
 * kernel-style stack, as musl's mallocng keeps its glue.h apart from the
 * allocator proper.  It sees lib/ only through
 *
 *	lib/util.h	kalloc_malloc() and friends: the routing (design 1),
 *			ownership of an address, usable sizes, the counters
 *	include/kalloc.h the public kernel-style API (reports)
 *	lib/kernel.h	raw system calls, printk(), panic()
 *	lib/options.h	kalloc_getenv()
 *
 * and lib/ never includes anything from here.
 *
 * The files:
 *	malloc.c	the C entry points (malloc ... free_aligned_sized, the
 *			__libc_* names) and the foreign-pointer rules
 *	mallinfo.c	introspection: mallopt, mallinfo, mallinfo2,
 *			malloc_stats, malloc_info, malloc_trim
 *	new.c		the C++ operator new/delete family, by mangled name
 *	exit_stats.c	KALLOC_STATS: the reports printed at exit
 *
 * Rules every entry point keeps:
 *
 *  1. Nothing before the first allocation.  lib/ initialises itself on the
 *     first call (kalloc_init_once(), thread-safe, raw system calls only),
 *     so an entry point never checks "set up yet?" itself, never calls
 *     dlsym() and never calls an interposable libc routine that may
 *     allocate on its way into lib/.
 *
 *  2. The fast paths add nothing: malloc() and free() are the inline
 *     kalloc_malloc_fast() and kalloc_free_fast() of lib/util.h (a hit in
 *     the thread's sheaf), falling back by tail call to kalloc_malloc()
 *     and kalloc_free(), which find the layer from the address and deal
 *     with NULL and foreign pointers themselves (lib/util.c).  No lock, no
 *     atomic read-modify-write, no system call, no test of a statistics
 *     switch.
 *
 *  3. Pointers kalloc did not hand out ("foreign": ld.so's early blocks,
 *     memory of another allocator) are never touched: free() counts them
 *     (kalloc_free() calls kalloc_count_foreign()) and leaves them alone;
 *     malloc_usable_size() says 0; realloc() asks kalloc_owns() first,
 *     counts them itself and copies what it can know into a new block
 *     (malloc.c, foreign_realloc()).  NULL is not foreign: free(NULL) is
 *     a no-op before, during and after initialisation.  A pointer inside
 *     kalloc's windows that is not a live allocation is lib/'s to judge:
 *     it aborts with the kernel's words ("invalid pointer").
 *
 *  4. Errors as glibc 2.36 reports them: NULL with errno ENOMEM for sizes
 *     that cannot be served (lib/ sets it), EINVAL for bad alignments
 *     where glibc says so; posix_memalign() returns its error.
 */
#ifndef KALLOC_PRELOAD_GLUE_H
#define KALLOC_PRELOAD_GLUE_H

#include "util.h"
#include "options.h"

#include <errno.h>
#include <stdint.h>

/* An entry point of the malloc ABI: exported whatever -fvisibility says. */
#define KALLOC_ABI	__attribute__((visibility("default")))
/*
 * A second exported name for the same function (__libc_malloc, ...), with
 * the target's attributes (malloc, alloc_size, nothrow, ...) copied.
 */
#define KALLOC_ALIAS(target)	\
	__attribute__((visibility("default"), alias(#target), copy(target)))

/*
 * glibc's MALLOC_ALIGNMENT on x86_64: what glibc's malloc() always gives.
 * kalloc's malloc() gives it from 9 bytes up (kmalloc-8 objects are
 * 8-aligned, enough for anything that fits in them); the memalign family
 * gives at least this much, as glibc does.
 */
#define MALLOC_ALIGNMENT	16UL

/* glibc's _mid_memalign() rules, shared by memalign/aligned_alloc/new. */
void *kalloc_memalign_glibc(size_t align, size_t size, unsigned long caller) __hidden;

#endif /* KALLOC_PRELOAD_GLUE_H */
