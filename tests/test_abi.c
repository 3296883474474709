/*
 * tests/test_abi.c - the malloc ABI of libkalloc.so (preload/), run under
 * LD_PRELOAD=.libs/libkalloc.so by tests/test_preload.sh.
 *
 * Every entry point and edge case of design 5 and of the preload, with glibc
 * 2.36's answers as the reference (each was checked against glibc on the
 * development machine): malloc(0), free(NULL), the overflow and huge-size
 * errors, realloc's special cases and its growth and shrinking across the
 * layers (slab up to 8 KiB, page blocks up to 4 MiB, vmalloc beyond), the
 * alignment family for alignments 8 B..4 MiB and sizes 0..8 MiB, valloc
 * and pvalloc, malloc_usable_size's rules, foreign pointers (free, realloc,
 * malloc_usable_size of memory kalloc never handed out), mallopt,
 * mallinfo/mallinfo2, malloc_stats, malloc_info, malloc_trim, the __libc_*
 * names and C23's free_sized, threads, and fork in a threaded process.
 *
 * The program does not link libkalloc: it must be the preload that
 * serves it.  It finds kalloc's kernel-style API with dlsym() and checks
 * that the memory it gets lies in kalloc's windows and shows in its
 * reports; without the preload it fails at once, saying so.
 *
 * Sizes and pointers go through opaque() so that the compiler can neither
 * fold a malloc()/free() pair away nor reason about an impossible size.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kalloc.h"

#define KiB	1024UL
#define MiB	(1024UL * 1024UL)

/* ------------------------------------------------- kalloc, by dlsym -- */

static int (*k_report)(FILE *, const char *);
static unsigned long (*k_virt_to_pfn)(const void *);
static unsigned long (*k_max_pfn)(void);
static int (*k_is_vmalloc_addr)(const void *);

static void *opaque_ptr(void *p)
{
	__asm__ volatile("" : "+r"(p));
	return p;
}

static size_t opaque(size_t n)
{
	__asm__ volatile("" : "+r"(n));
	return n;
}

/*
 * realloc() and reallocarray() through pointers the compiler cannot see
 * through, for the calls that must fail and leave the block alive (gcc's
 * -Wuse-after-free would take them for frees).
 */
static void *(*volatile realloc_failing)(void *, size_t) = realloc;
static void *(*volatile reallocarray_failing)(void *, size_t, size_t) = reallocarray;

/* Is @p inside kalloc's windows: any frame's slot, or the vmalloc window? */
static bool kalloc_has(const void *p)
{
	return k_virt_to_pfn(p) < k_max_pfn() || k_is_vmalloc_addr(p);
}

#define assert_kalloc(p)						\
	do {								\
		const void *__p = (p);					\
		if (!kalloc_has(__p))					\
			fail_msg("%p (%s) is not kalloc's memory", __p, #p); \
	} while (0)

/* The text of kalloc_report(which), in a buffer of ours (free() it). */
static char *report(const char *which)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(k_report(f, which), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* active_objs of one cache in slabinfo, or -1 if it is not listed. */
static long slab_active_objs(const char *cache)
{
	char *text = report("slabinfo"), *line;
	long active = -1;
	size_t n = strlen(cache);

	for (line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, cache, n) && line[n] == ' ') {
			active = strtol(line + n, NULL, 10);
			break;
		}
	free(text);
	return active;
}

/* ------------------------------------------------------- patterns -- */

static unsigned char pat(uintptr_t tag, size_t i)
{
	return (unsigned char)((tag * 131u) ^ (i * 7u) ^ (i >> 9));
}

static void fill(void *p, size_t n, uintptr_t tag)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		c[i] = pat(tag, i);
}

/* First index where p differs from the pattern, or n. */
static size_t check(const void *p, size_t n, uintptr_t tag)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] != pat(tag, i))
			return i;
	return n;
}

#define assert_pattern(p, n, tag)					\
	do {								\
		size_t __n = (n), __at = check((p), __n, (tag));	\
		if (__at != __n)					\
			fail_msg("byte %zu of %zu at %p lost its contents", __at, __n, (void *)(p)); \
	} while (0)

/* Write every page (every byte up to 64 KiB) of [p, p + n). */
static void touch(void *p, size_t n)
{
	size_t i;

	if (n <= 64 * KiB) {
		memset(p, 0xa5, n);
		return;
	}
	for (i = 0; i < n; i += 4096)
		((volatile char *)p)[i] = 1;
	((volatile char *)p)[n - 1] = 1;
}

/* ------------------------------------------------------- the setup -- */

static void test_is_kalloc(void **state)
{
	void *sizes_p[8];
	static const size_t sizes[] = { 1, 64, 8 * KiB, 8 * KiB + 1, MiB, 4 * MiB,
					4 * MiB + 1, 64 * MiB };
	void *objs[1000];
	unsigned int i;
	long before, during;

	(void)state;
	for (i = 0; i < 8; i++) {
		sizes_p[i] = malloc(opaque(sizes[i]));
		assert_non_null(sizes_p[i]);
		assert_kalloc(sizes_p[i]);
		touch(sizes_p[i], sizes[i]);
	}
	for (i = 0; i < 8; i++)
		free(sizes_p[i]);

	/* 1000 live 64-byte objects show in kmalloc-64's active_objs. */
	before = slab_active_objs("kmalloc-64");
	assert_true(before >= 0);
	for (i = 0; i < 1000; i++) {
		objs[i] = malloc(opaque(64));
		assert_non_null(objs[i]);
		assert_kalloc(objs[i]);
	}
	during = slab_active_objs("kmalloc-64");
	if (during < 1000)
		fail_msg("kmalloc-64 shows %ld active objects with 1000 live (%ld before)",
			 during, before);
	for (i = 0; i < 1000; i++)
		free(objs[i]);
}

/* ---------------------------------------------------------- malloc -- */

static void test_malloc_edges(void **state)
{
	void *a, *b;
	size_t n;

	(void)state;
	/* malloc(0): unique, non-NULL, freeable */
	a = malloc(opaque(0));
	b = malloc(opaque(0));
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_kalloc(a);
	free(a);
	free(b);

	free(NULL);
	free(opaque_ptr(NULL));

	errno = 0;
	assert_null(malloc(opaque(SIZE_MAX)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(malloc(opaque((size_t)PTRDIFF_MAX + 1)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(malloc(opaque(PTRDIFF_MAX)));
	assert_int_equal(errno, ENOMEM);

	/* fundamental alignment: 16 bytes, or the size's own for tiny ones */
	for (n = 1; n <= 20000; n += (n < 300 ? 1 : 97)) {
		void *p = malloc(opaque(n));
		size_t want = n >= 16 ? 16 : (n > 8 ? 16 : 8);

		assert_non_null(p);
		if ((uintptr_t)p % want)
			fail_msg("malloc(%zu) = %p is not %zu-aligned", n, p, want);
		assert_true(malloc_usable_size(p) >= n);
		memset(p, 0x5a, malloc_usable_size(p));
		free(p);
	}
}

static void test_calloc_zero(void **state)
{
	static const size_t sizes[] = { 0, 1, 24, 100, 4096, 8 * KiB, 8 * KiB + 1, 100 * KiB,
					4 * MiB, 4 * MiB + 1, 8 * MiB };
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *p;
		size_t j;
		int round;

		for (round = 0; round < 3; round++) {
			/* dirty memory of that size first, so that recycled memory is seen */
			p = malloc(opaque(n));
			assert_non_null(p);
			memset(p, 0xee, n);
			free(p);
			p = calloc(opaque(1), opaque(n));
			assert_non_null(p);
			assert_kalloc(p);
			for (j = 0; j < n; j++)
				if (p[j])
					fail_msg("calloc(1, %zu): byte %zu is %#x", n, j, p[j]);
			free(p);
		}
		p = calloc(opaque(n), 1);
		assert_non_null(p);
		free(p);
	}
	errno = 0;
	assert_null(calloc(opaque(SIZE_MAX / 2), opaque(3)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(calloc(opaque((size_t)1 << 32), opaque((size_t)1 << 32)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(calloc(opaque(1), opaque(SIZE_MAX)));
	assert_int_equal(errno, ENOMEM);
}

/* ---------------------------------------------------------- realloc -- */

static void test_realloc_edges(void **state)
{
	char *p, *q;

	(void)state;
	/* realloc(NULL, n) is malloc(n) */
	p = realloc(NULL, opaque(100));
	assert_non_null(p);
	assert_kalloc(p);
	fill(p, 100, 1);

	/* failure: NULL, ENOMEM, the block untouched */
	errno = 0;
	assert_null(realloc_failing(p, opaque(SIZE_MAX)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(realloc_failing(p, opaque((size_t)PTRDIFF_MAX + 1)));
	assert_int_equal(errno, ENOMEM);
	assert_pattern(p, 100, 1);
	assert_true(malloc_usable_size(p) >= 100);

	/* realloc(p, 0): frees, returns NULL, errno untouched (glibc) */
	errno = EDOM;
	assert_null(realloc(p, opaque(0)));
	assert_int_equal(errno, EDOM);

	/* realloc(NULL, 0): a unique pointer, as malloc(0) */
	p = realloc(NULL, opaque(0));
	q = realloc(NULL, opaque(0));
	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	free(p);
	free(q);

	/* large blocks: same rules */
	p = malloc(opaque(16 * MiB));
	assert_non_null(p);
	errno = 0;
	assert_null(realloc_failing(p, opaque(SIZE_MAX - 4096)));
	assert_int_equal(errno, ENOMEM);
	assert_null(realloc(p, 0));
}

/* Grow then shrink one block through every layer boundary, keeping its bytes. */
static void test_realloc_layers(void **state)
{
	static const size_t steps[] = {
		1, 7, 8, 9, 16, 17, 95, 96, 97, 100, 192, 193, 1000, 4095, 4096, 4097,
		8 * KiB - 1, 8 * KiB, 8 * KiB + 1, 12 * KiB, 64 * KiB, 1 * MiB,
		4 * MiB - 1, 4 * MiB, 4 * MiB + 1, 6 * MiB, 8 * MiB, 33 * MiB,
	};
	const unsigned int nr = sizeof(steps) / sizeof(steps[0]);
	char *p = NULL;
	size_t have = 0;
	unsigned int i;
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		if (p)
			fill(p, have, 42 + round);
		/* up */
		for (i = 0; i < nr; i++) {
			size_t keep = have < steps[i] ? have : steps[i];
			char *q = realloc(p, opaque(steps[i]));

			assert_non_null(q);
			assert_kalloc(q);
			assert_pattern(q, keep, 42 + round);
			assert_true(malloc_usable_size(q) >= steps[i]);
			fill(q, steps[i], 42 + round);
			p = q;
			have = steps[i];
		}
		/* and down */
		for (i = nr; i-- > 0; ) {
			char *q = realloc(p, opaque(steps[i]));

			assert_non_null(q);
			assert_kalloc(q);
			assert_pattern(q, steps[i], 42 + round);
			assert_true(malloc_usable_size(q) >= steps[i]);
			p = q;
			have = steps[i];
		}
		/* jumps across several layers at once */
		for (i = 0; i < nr; i += 5) {
			size_t to = steps[nr - 1 - i];
			size_t keep = have < to ? have : to;
			char *q = realloc(p, opaque(to));

			assert_non_null(q);
			assert_pattern(q, keep, 42 + round);
			fill(q, to, 42 + round);
			p = q;
			have = to;
		}
	}
	free(p);
}

static void test_reallocarray(void **state)
{
	char *p, *q;

	(void)state;
	p = reallocarray(NULL, opaque(10), opaque(10));
	assert_non_null(p);
	assert_kalloc(p);
	fill(p, 100, 7);
	errno = 0;
	assert_null(reallocarray_failing(p, opaque(SIZE_MAX / 2), opaque(3)));
	assert_int_equal(errno, ENOMEM);
	assert_pattern(p, 100, 7);
	q = reallocarray(p, opaque(1000), opaque(100));
	assert_non_null(q);
	assert_pattern(q, 100, 7);
	/* zero elements: realloc(p, 0), which frees */
	errno = EDOM;
	assert_null(reallocarray(q, opaque(0), opaque(8)));
	assert_int_equal(errno, EDOM);
}

/* --------------------------------------------------------- alignment -- */

static void check_aligned(const char *fn, void *p, size_t align, size_t size)
{
	if (!p)
		fail_msg("%s(%zu, %zu) failed (errno %d)", fn, align, size, errno);
	if ((uintptr_t)p & (align - 1))
		fail_msg("%s(%zu, %zu) = %p: misaligned", fn, align, size, p);
	if (!kalloc_has(p))
		fail_msg("%s(%zu, %zu) = %p: not kalloc's memory", fn, align, size, p);
	if (malloc_usable_size(p) < size)
		fail_msg("%s(%zu, %zu) = %p: usable size %zu", fn, align, size, p,
			 malloc_usable_size(p));
	if (size)
		touch(p, size);
}

static void test_alignment_matrix(void **state)
{
	static const size_t sizes[] = {
		0, 1, 7, 8, 9, 15, 16, 17, 24, 100, 255, 256, 4095, 4096, 4097,
		8 * KiB, 8 * KiB + 1, 64 * KiB + 3, MiB, 4 * MiB - 5, 4 * MiB, 4 * MiB + 1,
		8 * MiB,
	};
	size_t align;
	unsigned int i;

	(void)state;
	for (align = 8; align <= 4 * MiB; align <<= 1) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			size_t size = sizes[i];
			void *p = NULL;

			assert_int_equal(posix_memalign(&p, opaque(align), opaque(size)), 0);
			check_aligned("posix_memalign", p, align, size);
			free(p);

			p = aligned_alloc(opaque(align), opaque(size));
			check_aligned("aligned_alloc", p, align, size);
			free(p);

			p = memalign(opaque(align), opaque(size));
			check_aligned("memalign", p, align, size);
			free(p);
		}
	}
}

/* Many live aligned blocks at once: alignment must not depend on luck. */
static void test_alignment_many(void **state)
{
	static void *blocks[2000];
	unsigned int i;

	(void)state;
	for (i = 0; i < 2000; i++) {
		size_t align = (size_t)16 << (i % 9);	/* 16 .. 4096 */
		size_t size = (i * 37) % 700;

		assert_int_equal(posix_memalign(&blocks[i], opaque(align), opaque(size)), 0);
		check_aligned("posix_memalign", blocks[i], align, size);
		fill(blocks[i], size, i);
	}
	for (i = 0; i < 2000; i++) {
		assert_pattern(blocks[i], (i * 37) % 700, i);
		free(blocks[i]);
	}
}

static void test_alignment_errors(void **state)
{
	static const size_t bad[] = { 0, 1, 2, 4, 12, 24, 48, 100, 4097, 3 * 4096 };
	void *p, *marker = (void *)0x1234;
	unsigned int i;

	(void)state;
	/* posix_memalign: EINVAL returned; errno and *memptr untouched */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = marker;
		errno = EDOM;
		assert_int_equal(posix_memalign(&p, opaque(bad[i]), 16), EINVAL);
		assert_int_equal(errno, EDOM);
		assert_ptr_equal(p, marker);
	}
	p = marker;
	assert_int_equal(posix_memalign(&p, opaque(SIZE_MAX / 2 + 1), 16), ENOMEM);	/* 2^63: valid, too large */
	assert_ptr_equal(p, marker);
	/* out of memory: ENOMEM returned, *memptr untouched */
	p = marker;
	assert_int_equal(posix_memalign(&p, 64, opaque(SIZE_MAX - 100)), ENOMEM);
	assert_ptr_equal(p, marker);
	p = marker;
	assert_int_equal(posix_memalign(&p, opaque((size_t)1 << 40), 10), ENOMEM);
	assert_ptr_equal(p, marker);

	/* memalign/aligned_alloc (the same in glibc 2.36): round up to a power of two */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t a = bad[i], want = 1;

		while (want < a)
			want <<= 1;
		if (want < 16)
			want = 16;
		p = memalign(opaque(a), 10);
		check_aligned("memalign", p, want, 10);
		free(p);
		p = aligned_alloc(opaque(a), 10);
		check_aligned("aligned_alloc", p, want, 10);
		free(p);
	}
	errno = 0;
	assert_null(memalign(opaque(SIZE_MAX), 10));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(aligned_alloc(opaque(SIZE_MAX / 2 + 2), 10));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(memalign(opaque((size_t)1 << 40), 10));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(memalign(64, opaque(SIZE_MAX)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(aligned_alloc(64, opaque(SIZE_MAX - 100)));
	assert_int_equal(errno, ENOMEM);
}

static void test_valloc_pvalloc(void **state)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 8 * KiB + 1, 5 * MiB };
	unsigned int i;
	void *p;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i], page = (n + 4095) & ~4095UL;

		p = valloc(opaque(n));
		check_aligned("valloc", p, 4096, n);
		free(p);
		p = pvalloc(opaque(n));
		check_aligned("pvalloc", p, 4096, page ? page : 4096);
		free(p);
	}
	errno = 0;
	assert_null(valloc(opaque(SIZE_MAX)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(pvalloc(opaque(SIZE_MAX)));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(pvalloc(opaque(SIZE_MAX - 4096)));
	assert_int_equal(errno, ENOMEM);
}

/* ------------------------------------------------- usable size -- */

/*
 * malloc's size classes through the ABI: from 129 bytes to 8 KiB the usable
 * size wastes at most 25% of it (12.5% above 1 KiB), and it is the same
 * for every request of the class.
 */
static void test_usable_size_classes(void **state)
{
	size_t n, prev = 0;

	(void)state;
	for (n = 129; n <= 8 * KiB; n++) {
		void *p = malloc(opaque(n));
		size_t usable = malloc_usable_size(p);

		assert_non_null(p);
		if (usable < n || (usable - n) * 4 > usable || (n > KiB && (usable - n) * 8 > usable))
			fail_msg("malloc_usable_size(malloc(%zu)) = %zu", n, usable);
		if (usable != prev && prev >= n)
			fail_msg("malloc(%zu): usable %zu, but malloc(%zu) had %zu", n, usable, n - 1,
				 prev);
		prev = usable;
		free(p);
	}
}

static void test_usable_size(void **state)
{
	static void *blocks[300];
	static size_t usable[300];
	unsigned int i, round;

	(void)state;
	assert_int_equal(malloc_usable_size(NULL), 0);
	for (i = 0; i < 300; i++) {
		size_t n = i < 200 ? i * 41 : (i - 199) * 13 * KiB;	/* up to 1.3 MiB, 66 MiB in all */

		blocks[i] = malloc(opaque(n));
		assert_non_null(blocks[i]);
		usable[i] = malloc_usable_size(blocks[i]);
		if (usable[i] < n)
			fail_msg("malloc_usable_size(malloc(%zu)) = %zu", n, usable[i]);
		memset(blocks[i], 0x11, usable[i]);	/* all of it is the program's */
	}
	/* constant for the object's life, whatever else happens */
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 300; i += 3) {
			void *x = malloc(opaque(i * 13 + round));

			free(x);
			assert_int_equal(malloc_usable_size(blocks[i]), usable[i]);
		}
		malloc_trim(0);
	}
	for (i = 0; i < 300; i++) {
		assert_int_equal(malloc_usable_size(blocks[i]), usable[i]);
		free(blocks[i]);
	}
}

/* ------------------------------------------------------ foreign -- */

static char static_area[8192] __attribute__((aligned(64)));

/* The "foreign pointers seen" figure of the totals report, or -1. */
static long foreign_seen(void)
{
	char *text = report("totals"), *at;
	long n = -1;

	at = strstr(text, "foreign");
	if (at) {
		at += strcspn(at, "0123456789\n");
		if (*at && *at != '\n')
			n = strtol(at, NULL, 10);
	}
	free(text);
	return n;
}

static void test_foreign(void **state)
{
	char stack_area[256];
	char *map, *q;
	long before, after;

	(void)state;
	before = foreign_seen();
	memset(static_area, 'S', sizeof(static_area));
	memset(stack_area, 'T', sizeof(stack_area));
	map = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(map != MAP_FAILED);
	memset(map, 'M', 2 * 4096);

	/* free(): counted and left alone */
	free(opaque_ptr(static_area + 64));
	free(opaque_ptr(stack_area));
	free(opaque_ptr(map + 16));
	free(opaque_ptr(map));
	assert_int_equal(static_area[64], 'S');
	assert_int_equal(stack_area[0], 'T');
	assert_int_equal(map[16], 'M');
	assert_int_equal(malloc_usable_size(opaque_ptr(static_area)), 0);
	assert_int_equal(malloc_usable_size(opaque_ptr(map + 100)), 0);
	assert_int_equal(malloc_usable_size(opaque_ptr(stack_area)), 0);

	/* realloc(): a new kalloc block with the bytes it could read */
	q = realloc(opaque_ptr(static_area + 128), opaque(1000));
	assert_non_null(q);
	assert_kalloc(q);
	assert_true(q < static_area || q >= static_area + sizeof(static_area));
	for (int i = 0; i < 1000; i++)
		assert_int_equal(q[i], 'S');
	free(q);

	/* the end of a mapping bounds the copy: 16 readable bytes, then nothing */
	assert_int_equal(mprotect(map + 4096, 4096, PROT_NONE), 0);
	q = realloc(opaque_ptr(map + 4096 - 16), opaque(3 * 4096));
	assert_non_null(q);
	assert_kalloc(q);
	for (int i = 0; i < 16; i++)
		assert_int_equal(q[i], 'M');
	memset(q, 0, 3 * 4096);
	free(q);
	assert_int_equal(munmap(map + 4096, 4096), 0);
	q = realloc(opaque_ptr(map + 4096 - 100), opaque(5 * MiB));	/* into vmalloc */
	assert_non_null(q);
	for (int i = 0; i < 100; i++)
		assert_int_equal(q[i], 'M');
	free(q);

	/* realloc(foreign, 0): nothing to free, NULL */
	assert_null(realloc(opaque_ptr(static_area), 0));
	assert_int_equal(static_area[0], 'S');
	assert_int_equal(munmap(map, 4096), 0);

	after = foreign_seen();
	if (before >= 0 && after >= 0 && after < before + 7)
		fail_msg("foreign pointers seen went from %ld to %ld after 7 of them", before, after);
}

/*
 * The fallbacks of realloc(foreign): where process_vm_readv is refused
 * (seccomp), the readable mappings of /proc/self/maps bound the copy;
 * where /proc cannot be opened either, the page the pointer lies in.
 * Each case runs in a child under a seccomp filter; the child says what
 * went wrong by its exit status.
 */
static int deny_syscalls(bool deny_open)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_process_vm_readv, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, deny_open ? __NR_openat : 0xfffff, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
	};
	struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static int foreign_fallback_child(bool deny_open)
{
	char *map = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *from = static_area + 128, *q;
	size_t expect = 1000, i;

	if (map == MAP_FAILED)
		return 10;
	memset(static_area, 'S', sizeof(static_area));
	memset(map, 'M', 2 * 4096);
	if (mprotect(map + 4096, 4096, PROT_NONE))
		return 11;
	if (deny_syscalls(deny_open))
		return 12;
	if (syscall(__NR_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0) != -1 || errno != EPERM)
		return 13;
	if (deny_open)	/* only up to the end of the pointer's page is known */
		expect = 4096 - ((uintptr_t)from & 4095) < expect ? 4096 - ((uintptr_t)from & 4095) : expect;
	q = realloc(opaque_ptr(from), opaque(1000));
	if (!q || !kalloc_has(q))
		return 14;
	for (i = 0; i < expect; i++)
		if (q[i] != 'S')
			return 15;
	free(q);
	q = realloc(opaque_ptr(map + 4096 - 16), opaque(3 * 4096));	/* must not fault */
	if (!q)
		return 16;
	for (i = 0; i < 16; i++)
		if (q[i] != 'M')
			return 17;
	memset(q, 0, 3 * 4096);
	free(q);
	return 0;
}

static void test_foreign_fallbacks(void **state)
{
	int deny_open;

	(void)state;
	for (deny_open = 0; deny_open < 2; deny_open++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(foreign_fallback_child(deny_open));
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("realloc(foreign) without process_vm_readv%s: child status %#x",
				 deny_open ? " and /proc" : "", status);
	}
}

/* --------------------------------------------------- introspection -- */

static void test_mallopt(void **state)
{
	static const int params[] = { M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD,
				      M_MMAP_MAX, M_ARENA_MAX, M_ARENA_TEST, M_PERTURB,
				      M_CHECK_ACTION, 0, 2, 3, 4, 12345, -100 };
	unsigned int i;

	(void)state;
	/* glibc 2.36 accepts every parameter, known or not... */
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		assert_int_equal(mallopt(params[i], 1), 1);
		assert_int_equal(mallopt(params[i], 1 << 30), 1);
		assert_int_equal(mallopt(params[i], -1), 1);
	}
	/* ...but M_MXFAST only within [0, 80 * sizeof(size_t) / 4] */
	assert_int_equal(mallopt(M_MXFAST, 0), 1);
	assert_int_equal(mallopt(M_MXFAST, 64), 1);
	assert_int_equal(mallopt(M_MXFAST, 160), 1);
	assert_int_equal(mallopt(M_MXFAST, 161), 0);
	assert_int_equal(mallopt(M_MXFAST, -1), 0);
	assert_int_equal(mallopt(M_MXFAST, 1000), 0);
	/* and malloc still works after all that */
	free(malloc(opaque(10)));

	/*
	 * Two have a kalloc meaning.  M_MMAP_THRESHOLD: above it, malloc
	 * takes a vmalloc area (a mapping of its own) instead of a page
	 * block; M_TRIM_THRESHOLD: page_reporting_high.
	 */
	{
		char *opts, *p;

		assert_int_equal(mallopt(M_MMAP_THRESHOLD, 64 << 10), 1);
		assert_int_equal(mallopt(M_TRIM_THRESHOLD, 1 << 20), 1);
		opts = report("options");
		assert_non_null(strstr(opts, "\nmmap_threshold=65536\n"));
		assert_non_null(strstr(opts, "\npage_reporting_high=1048576\n"));
		free(opts);
		p = malloc(opaque(100 << 10));
		assert_non_null(p);
		assert_true(k_is_vmalloc_addr(p));
		free(p);
		p = malloc(opaque(60 << 10));
		assert_non_null(p);
		assert_false(k_is_vmalloc_addr(p));
		free(p);
		/* out of range: clamped to 8 KiB .. 4 MiB; a negative trim threshold: no ceiling */
		assert_int_equal(mallopt(M_MMAP_THRESHOLD, 1 << 30), 1);
		assert_int_equal(mallopt(M_TRIM_THRESHOLD, -1), 1);
		opts = report("options");
		assert_non_null(strstr(opts, "\nmmap_threshold=4194304\n"));
		assert_non_null(strstr(opts, "\npage_reporting_high=0\n"));
		free(opts);
	}
}

static void test_mallinfo(void **state)
{
	struct mallinfo2 m0, m1, m2;
	struct mallinfo mi;
	char *big;
	size_t n = 48 * MiB;

	(void)state;
	malloc_trim(0);	/* no cached memory of earlier tests in the figures */
	m0 = mallinfo2();
	big = malloc(opaque(n));
	assert_non_null(big);
	touch(big, n);
	m1 = mallinfo2();
	if (m1.arena < m0.arena + n)
		fail_msg("mallinfo2().arena went from %zu to %zu after a %zu-byte block",
			 m0.arena, m1.arena, n);
	if (m1.uordblks < m0.uordblks + n)
		fail_msg("mallinfo2().uordblks went from %zu to %zu after a %zu-byte block",
			 m0.uordblks, m1.uordblks, n);
	assert_true(m1.uordblks <= m1.arena + m1.hblkhd);
	assert_int_equal(m1.usmblks, 0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	mi = mallinfo();	/* deprecated by glibc 2.33, still part of the ABI */
#pragma GCC diagnostic pop
	assert_true(mi.arena > 0);
	assert_true((size_t)mi.uordblks >= n);
	free(big);
	m2 = mallinfo2();
	if (m2.uordblks + n > m1.uordblks + MiB)
		fail_msg("mallinfo2().uordblks went from %zu to %zu after freeing %zu bytes",
			 m1.uordblks, m2.uordblks, n);
	/* the freed block may stay mapped for reuse until the decay; trim gives it back */
	malloc_trim(0);
	m2 = mallinfo2();
	assert_true(m2.arena < m1.arena);
}

/* Run fn() with stderr going to a file; returns what it wrote (free() it). */
static char *capture_stderr(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(2);
	char *text;
	long len;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), 2) >= 0);
	fn();
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	len = lseek(fileno(tmp), 0, SEEK_END);
	assert_true(len >= 0);
	text = calloc(1, len + 1);
	assert_non_null(text);
	assert_int_equal(pread(fileno(tmp), text, len, 0), len);
	fclose(tmp);
	return text;
}

static void test_malloc_stats(void **state)
{
	static const char *const lines[] = {
		"Arena 0:\n", "system bytes     = ", "in use bytes     = ",
		"Total (incl. mmap):\n", "max mmap regions = ", "max mmap bytes   = ",
	};
	char *text = capture_stderr(malloc_stats);
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		if (!strstr(text, lines[i]))
			fail_msg("malloc_stats() printed no \"%s\":\n%s", lines[i], text);
	free(text);
}

/*
 * Well-formed enough: one <malloc version="1"> ... </malloc> root, every
 * line one element, open and close tags balanced and matching.
 */
static void check_xml(const char *xml)
{
	char stack[16][32];
	int depth = 0;
	const char *s = xml;

	if (strncmp(xml, "<malloc version=\"1\">\n", 21))
		fail_msg("malloc_info() does not start with <malloc version=\"1\">:\n%s", xml);
	while (*s) {
		const char *end = strchr(s, '\n');
		const char *lt = s + strspn(s, " ");
		char name[32];
		size_t n;

		if (!end)
			fail_msg("malloc_info(): last line not terminated:\n%s", xml);
		if (*lt != '<' || end[-1] != '>')
			fail_msg("malloc_info(): not an element: %.*s", (int)(end - s), s);
		if (lt[1] == '/') {
			n = strcspn(lt + 2, ">");
			if (depth == 0 || n != strlen(stack[depth - 1]) ||
			    strncmp(lt + 2, stack[depth - 1], n))
				fail_msg("malloc_info(): unbalanced %.*s", (int)(end - s), s);
			depth--;
		} else {
			n = strcspn(lt + 1, " />");
			assert_true(n < sizeof(name));
			memcpy(name, lt + 1, n);
			name[n] = '\0';
			if (end[-2] != '/') {
				assert_true(depth < 16);
				strcpy(stack[depth++], name);
			}
		}
		for (const char *q = lt; q < end; q++)	/* quotes balanced */
			if (*q == '&')
				fail_msg("malloc_info(): stray '&': %.*s", (int)(end - s), s);
		s = end + 1;
		if (depth == 0)
			break;
	}
	if (depth || *s)
		fail_msg("malloc_info(): the root does not close at the end:\n%s", xml);
}

static void test_malloc_info(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	errno = EDOM;
	assert_int_equal(malloc_info(1, stderr), EINVAL);
	assert_int_equal(errno, EDOM);

	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(malloc_info(0, f), 0);
	assert_int_equal(fclose(f), 0);
	check_xml(text);
	if (!strstr(text, "<heap nr=\"0\"") || !strstr(text, "<total type=\"rest\"") ||
	    !strstr(text, "<system type=\"current\"") || !strstr(text, "<aspace type=\"total\""))
		fail_msg("malloc_info() lacks glibc's elements:\n%s", text);
	free(text);
}

static void test_malloc_trim(void **state)
{
	static void *blocks[64];
	unsigned int i;

	(void)state;
	for (i = 0; i < 64; i++) {
		blocks[i] = malloc(opaque(i % 2 ? MiB : 64 * KiB));
		assert_non_null(blocks[i]);
		touch(blocks[i], i % 2 ? MiB : 64 * KiB);
	}
	for (i = 0; i < 64; i++)
		free(blocks[i]);
	assert_int_equal(malloc_trim(0), 1);
	/* malloc works after a trim */
	blocks[0] = malloc(opaque(MiB));
	assert_non_null(blocks[0]);
	touch(blocks[0], MiB);
	free(blocks[0]);
}

/* ------------------------------------------------ the other names -- */

static const char *const abi_names[] = {
	"malloc", "free", "calloc", "realloc", "reallocarray", "memalign",
	"posix_memalign", "aligned_alloc", "valloc", "pvalloc", "malloc_usable_size",
	"malloc_trim", "mallopt", "mallinfo", "mallinfo2", "malloc_stats", "malloc_info",
	"__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc",
	"__libc_memalign", "__libc_valloc", "__libc_pvalloc", "free_sized",
	"free_aligned_sized", "cfree",
	"_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t",
	"_ZnwmSt11align_val_t", "_ZnamSt11align_val_t",
	"_ZnwmSt11align_val_tRKSt9nothrow_t", "_ZnamSt11align_val_tRKSt9nothrow_t",
	"_ZdlPv", "_ZdaPv", "_ZdlPvm", "_ZdaPvm", "_ZdlPvRKSt9nothrow_t",
	"_ZdaPvRKSt9nothrow_t", "_ZdlPvSt11align_val_t", "_ZdaPvSt11align_val_t",
	"_ZdlPvmSt11align_val_t", "_ZdaPvmSt11align_val_t",
	"_ZdlPvSt11align_val_tRKSt9nothrow_t", "_ZdaPvSt11align_val_tRKSt9nothrow_t",
};

/* Every name of the ABI resolves to libkalloc, first in the lookup order. */
static void test_names_resolve_to_kalloc(void **state)
{
	unsigned int i;

	Dl_info kalloc_info;

	(void)state;
	assert_true(dladdr((void *)k_report, &kalloc_info) && kalloc_info.dli_fbase);
	for (i = 0; i < sizeof(abi_names) / sizeof(abi_names[0]); i++) {
		void *sym = dlsym(RTLD_DEFAULT, abi_names[i]);
		Dl_info info;

		if (!sym)
			fail_msg("%s is not defined", abi_names[i]);
		if (!dladdr(sym, &info) || info.dli_fbase != kalloc_info.dli_fbase)
			fail_msg("%s resolves to %s, not to kalloc's %s", abi_names[i],
				 info.dli_fname ? info.dli_fname : "?", kalloc_info.dli_fname);
	}
}

static void test_libc_names(void **state)
{
	void *(*l_malloc)(size_t) = dlsym(RTLD_DEFAULT, "__libc_malloc");
	void (*l_free)(void *) = dlsym(RTLD_DEFAULT, "__libc_free");
	void *(*l_calloc)(size_t, size_t) = dlsym(RTLD_DEFAULT, "__libc_calloc");
	void *(*l_realloc)(void *, size_t) = dlsym(RTLD_DEFAULT, "__libc_realloc");
	void *(*l_memalign)(size_t, size_t) = dlsym(RTLD_DEFAULT, "__libc_memalign");
	void *(*l_valloc)(size_t) = dlsym(RTLD_DEFAULT, "__libc_valloc");
	void *(*l_pvalloc)(size_t) = dlsym(RTLD_DEFAULT, "__libc_pvalloc");
	void (*f_sized)(void *, size_t) = dlsym(RTLD_DEFAULT, "free_sized");
	void (*f_aligned_sized)(void *, size_t, size_t) = dlsym(RTLD_DEFAULT, "free_aligned_sized");
	void (*c_free)(void *) = dlsym(RTLD_DEFAULT, "cfree");
	char *p, *q;
	unsigned int i;

	(void)state;
	assert_non_null(l_malloc);
	assert_non_null(l_free);
	assert_non_null(f_sized);
	assert_non_null(f_aligned_sized);
	assert_non_null(c_free);

	/* glibc's internal names and the public ones share one heap */
	p = l_malloc(100);
	assert_kalloc(p);
	fill(p, 100, 3);
	q = realloc(p, 10000);
	assert_pattern(q, 100, 3);
	p = l_realloc(q, 20);
	assert_pattern(p, 20, 3);
	free(p);
	p = malloc(50);
	l_free(p);
	p = l_calloc(10, 10);
	assert_kalloc(p);
	for (i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	l_free(p);
	p = l_memalign(256, 10);
	check_aligned("__libc_memalign", p, 256, 10);
	c_free(p);
	p = l_valloc(10);
	check_aligned("__libc_valloc", p, 4096, 10);
	free(p);
	p = l_pvalloc(10);
	check_aligned("__libc_pvalloc", p, 4096, 4096);
	free(p);
	l_free(NULL);
	c_free(NULL);

	/* C23 */
	p = malloc(opaque(123));
	f_sized(p, 123);
	p = aligned_alloc(64, opaque(640));
	f_aligned_sized(p, 64, 640);
	p = malloc(opaque(9 * MiB));
	f_sized(p, 9 * MiB);
	f_sized(NULL, 0);
	f_aligned_sized(NULL, 64, 0);
}

/* --------------------------------------------------------- threads -- */

#define NR_THREADS	8
#define SLOTS		512

struct exchange {
	pthread_mutex_t lock;
	void *slot[SLOTS];
	size_t size[SLOTS];
};

static struct exchange xchg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static size_t random_size(uint64_t *rng)
{
	uint64_t r = xorshift(rng);

	switch (r % 16) {
	case 0:
		return (r >> 8) % (256 * KiB);
	case 1:
		return (r >> 8) % 64 == 0 ? (r >> 16) % (6 * MiB) : 300;
	default:
		return (r >> 8) % 1024;
	}
}

/* Each thread allocates, checks its own blocks, and frees other threads'. */
static void *thread_worker(void *arg)
{
	uint64_t rng = (uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
	void *mine[64] = { 0 };
	size_t mysize[64] = { 0 };
	unsigned int i;

	for (i = 0; i < 20000; i++) {
		unsigned int k = xorshift(&rng) % 64;
		uint64_t op = xorshift(&rng) % 8;

		if (mine[k]) {
			if (check(mine[k], mysize[k] < 64 ? mysize[k] : 64, (uintptr_t)mine[k]) !=
			    (mysize[k] < 64 ? mysize[k] : 64))
				return "a block lost its contents";
			if (malloc_usable_size(mine[k]) < mysize[k])
				return "usable size below the request";
		}
		if (op == 0 && mine[k]) {
			/* hand it to another thread through the exchange */
			unsigned int s = xorshift(&rng) % SLOTS;
			void *old;

			pthread_mutex_lock(&xchg.lock);
			old = xchg.slot[s];
			xchg.slot[s] = mine[k];
			xchg.size[s] = mysize[k];
			pthread_mutex_unlock(&xchg.lock);
			free(old);
			mine[k] = NULL;
		} else if (op == 1 && mine[k]) {
			size_t n = random_size(&rng);
			void *q = realloc(mine[k], n ? n : 1);

			if (!q)
				return "realloc failed";
			mine[k] = q;
			mysize[k] = n ? n : 1;
			fill(q, mysize[k] < 64 ? mysize[k] : 64, (uintptr_t)q);
		} else {
			size_t n = random_size(&rng);
			void *q;

			free(mine[k]);
			if (op == 2) {
				if (posix_memalign(&q, (size_t)32 << (xorshift(&rng) % 8), n))
					return "posix_memalign failed";
			} else if (op == 3) {
				q = calloc(1, n);
			} else {
				q = malloc(n);
			}
			if (!q)
				return "allocation failed";
			mine[k] = q;
			mysize[k] = n;
			fill(q, n < 64 ? n : 64, (uintptr_t)q);
		}
	}
	for (i = 0; i < 64; i++)
		free(mine[i]);
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[NR_THREADS];
	unsigned int i;

	(void)state;
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_worker, (void *)(uintptr_t)(i + 1)), 0);
	for (i = 0; i < NR_THREADS; i++) {
		void *err;

		assert_int_equal(pthread_join(t[i], &err), 0);
		if (err)
			fail_msg("thread %u: %s", i, (const char *)err);
	}
	for (i = 0; i < SLOTS; i++) {
		free(xchg.slot[i]);
		xchg.slot[i] = NULL;
	}
}

/* Short-lived threads: each allocates a little and exits, 2000 times. */
static void *short_thread(void *arg)
{
	void *p = malloc(64), *q = malloc(5000), *r = malloc(100 * KiB);

	(void)arg;
	if (!p || !q || !r)
		return "allocation failed";
	memset(r, 1, 100 * KiB);
	free(p);
	free(q);
	free(r);
	return malloc(32);	/* freed by the joiner: a cross-thread free after exit */
}

/* The process's resident set, in KiB, from /proc/self/statm. */
static long resident_kb(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 10,000 short-lived threads: their caches go back, memory does not grow. */
static void test_short_threads(void **state)
{
	unsigned int i;
	long rss_warm = 0;

	(void)state;
	for (i = 0; i < 10000; i++) {
		pthread_t t;
		void *ret;

		if (i == 1000)
			rss_warm = resident_kb();
		assert_int_equal(pthread_create(&t, NULL, short_thread, NULL), 0);
		assert_int_equal(pthread_join(t, &ret), 0);
		assert_non_null(ret);
		assert_kalloc(ret);
		free(ret);
	}
	if (resident_kb() > rss_warm + 4096)
		fail_msg("RSS grew from %ld kB to %ld kB over 9000 short threads", rss_warm,
			 resident_kb());
}

/* ------------------------------------------------------------ fork -- */

static volatile int fork_stop;

static void *fork_busy(void *arg)
{
	uint64_t rng = (uintptr_t)arg;
	void *keep[32] = { 0 };

	while (!__atomic_load_n(&fork_stop, __ATOMIC_RELAXED)) {
		unsigned int k = xorshift(&rng) % 32;

		free(keep[k]);
		keep[k] = malloc(random_size(&rng));
	}
	for (unsigned int k = 0; k < 32; k++)
		free(keep[k]);
	return NULL;
}

/* Wait for @pid at most @seconds; kill it if it is still there. */
static int wait_bounded(pid_t pid, int seconds)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int status, i;

	for (i = 0; i < seconds * 200; i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static void test_fork_threads(void **state)
{
	pthread_t t[NR_THREADS];
	char *parent_block;
	unsigned int i;

	(void)state;
	parent_block = malloc(opaque(1000));
	fill(parent_block, 1000, 77);
	fork_stop = 0;
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fork_busy, (void *)(uintptr_t)(i + 11)), 0);
	for (i = 0; i < 100; i++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			/* the child: its own heap at once, with the parent's data */
			void *blocks[100];
			unsigned int j;

			alarm(20);
			for (j = 0; j < 100; j++) {
				blocks[j] = malloc(j * 97);
				if (!blocks[j] && j)
					_exit(2);
			}
			if (check(parent_block, 1000, 77) != 1000)
				_exit(3);
			memset(parent_block, 0, 1000);	/* copy-on-write: parent unaffected */
			free(parent_block);
			for (j = 0; j < 100; j++)
				free(blocks[j]);
			blocks[0] = malloc(6 * MiB);
			if (!blocks[0])
				_exit(4);
			memset(blocks[0], 1, 6 * MiB);
			free(blocks[0]);
			_exit(0);
		}
		status = wait_bounded(pid, 20);
		if (status == -1)
			fail_msg("fork %u: the child hung", i);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("fork %u: the child ended with status %#x", i, status);
	}
	__atomic_store_n(&fork_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_pattern(parent_block, 1000, 77);
	free(parent_block);
}

/* --------------------------------------------- before anything else -- */

/*
 * The program's own first calls, before main() and before the test has
 * asked kalloc for anything: free(NULL), foreign frees, usable sizes.
 */
static int early_ok = -1;

__attribute__((constructor)) static void early_calls(void)
{
	static char early_static[64];
	void *p;

	free(NULL);
	if (malloc_usable_size(NULL) != 0) {
		early_ok = 0;
		return;
	}
	if (!dlsym(RTLD_DEFAULT, "kalloc_report"))
		return;		/* not under kalloc: main() says so */
	free(opaque_ptr(early_static));
	if (malloc_usable_size(early_static) != 0) {
		early_ok = 0;
		return;
	}
	p = realloc(NULL, 10);
	if (!p) {
		early_ok = 0;
		return;
	}
	free(p);
	early_ok = 1;
}

static void test_early_calls(void **state)
{
	(void)state;
	assert_int_equal(early_ok, 1);
}

/* ------------------------------------------------------------- main -- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_early_calls),
		cmocka_unit_test(test_is_kalloc),
		cmocka_unit_test(test_names_resolve_to_kalloc),
		cmocka_unit_test(test_malloc_edges),
		cmocka_unit_test(test_calloc_zero),
		cmocka_unit_test(test_realloc_edges),
		cmocka_unit_test(test_realloc_layers),
		cmocka_unit_test(test_reallocarray),
		cmocka_unit_test(test_alignment_matrix),
		cmocka_unit_test(test_alignment_many),
		cmocka_unit_test(test_alignment_errors),
		cmocka_unit_test(test_valloc_pvalloc),
		cmocka_unit_test(test_usable_size),
		cmocka_unit_test(test_usable_size_classes),
		cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_foreign_fallbacks),
		cmocka_unit_test(test_mallopt),
		cmocka_unit_test(test_mallinfo),
		cmocka_unit_test(test_malloc_stats),
		cmocka_unit_test(test_malloc_info),
		cmocka_unit_test(test_malloc_trim),
		cmocka_unit_test(test_libc_names),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_short_threads),
		cmocka_unit_test(test_fork_threads),
	};

	k_report = (int (*)(FILE *, const char *))dlsym(RTLD_DEFAULT, "kalloc_report");
	k_virt_to_pfn = (unsigned long (*)(const void *))dlsym(RTLD_DEFAULT, "virt_to_pfn");
	k_max_pfn = (unsigned long (*)(void))dlsym(RTLD_DEFAULT, "kalloc_max_pfn");
	k_is_vmalloc_addr = (int (*)(const void *))dlsym(RTLD_DEFAULT, "is_vmalloc_addr");
	if (!k_report || !k_virt_to_pfn || !k_max_pfn || !k_is_vmalloc_addr) {
		fprintf(stderr, "test_abi: kalloc's API is not there: "
				"run me with LD_PRELOAD=.libs/libkalloc.so (tests/test_preload.sh)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
