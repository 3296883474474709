/*
 * kapi.c - the kernel-API benchmark bodies (see kapi.h).
 *
 * The patterns are those of micro_bodies.c, with kalloc's kernel-style
 * calls instead of malloc: bench/compare puts each figure beside the same
 * pattern through malloc under glibc, jemalloc, ... (the twin benchmark of
 * bench/micro).  This program is linked with -lkalloc, so its malloc is
 * kalloc's too; the malloc twins therefore come from bench/micro.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "kapi.h"

#include <string.h>

#include <kalloc.h>

/* The kernel API as malloc-shaped functions, for the bodies micro_bodies.h shares. */
static void *ka_kmalloc(size_t size)
{
	return kmalloc(size, GFP_KERNEL);
}

static void ka_kfree(void *p)
{
	kfree(p);
}

static void *ka_vmalloc(size_t size)
{
	return vmalloc(size);
}

static void *ka_vrealloc(void *p, size_t size)
{
	return vrealloc(p, size, GFP_KERNEL);
}

static void ka_vfree(void *p)
{
	vfree(p);
}

void ka_kmalloc_pair(uint64_t iters, struct mb_state *st)
{
	size_t size = st->size;
	uintptr_t sink = 0;

	for (uint64_t i = 0; i < iters; i++) {
		void *p = kmalloc(size, GFP_KERNEL);

		MB_ESCAPE(p);
		sink ^= (uintptr_t)p;
		kfree(p);
	}
	st->sink ^= sink;
}

void *ka_cache_create(unsigned int size)
{
	return kmem_cache_create("bench-cache", size, 0, SLAB_HWCACHE_ALIGN, NULL);
}

void ka_cache_destroy(void *cache)
{
	if (cache)
		kmem_cache_destroy(cache);
}

void ka_kmem_cache_pair(uint64_t iters, struct mb_state *st)
{
	struct kmem_cache *s = st->ctx;
	uintptr_t sink = 0;

	for (uint64_t i = 0; i < iters; i++) {
		void *p = kmem_cache_alloc(s, GFP_KERNEL);

		MB_ESCAPE(p);
		sink ^= (uintptr_t)p;
		kmem_cache_free(s, p);
	}
	st->sink ^= sink;
}

static void ka_batch_once(struct mb_state *st, size_t n, int order)
{
	void **slots = st->slots;
	size_t size = st->size;
	unsigned bad = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char *p = kmalloc(size, GFP_KERNEL);

		if (!p) {
			st->failed = 1;
			n = i;
			break;
		}
		p[0] = (unsigned char)i;
		slots[i] = p;
	}
	MB_CLOBBER();
	for (size_t k = 0; k < n; k++) {
		size_t i = order == MB_SAME ? k :
			   order == MB_REVERSE ? n - 1 - k : st->perm[k];
		unsigned char *p = slots[i];

		bad |= p[0] ^ (unsigned char)i;
		kfree(p);
	}
	if (bad)
		st->failed = 1;
}

void ka_kmalloc_batch(uint64_t iters, struct mb_state *st)
{
	while (iters >= st->n) {
		ka_batch_once(st, st->n, st->order);
		iters -= st->n;
	}
	if (iters)
		ka_batch_once(st, (size_t)iters, MB_SAME);
}

void ka_kmalloc_xthread(uint64_t iters, struct mb_state *st)
{
	mb_xthread_on(iters, st, ka_kmalloc, ka_kfree, ka_kmalloc_pair);
}

void ka_vmalloc_touch(uint64_t iters, struct mb_state *st)
{
	mb_pair_touch_on(iters, st, ka_vmalloc, ka_vfree);
}

void ka_vrealloc_double_touch(uint64_t iters, struct mb_state *st)
{
	mb_realloc_double_on(iters, st, 1, ka_vmalloc, ka_vrealloc, ka_vfree);
}
