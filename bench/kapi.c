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
	struct mb_shared *sh = st->shared;
	int pair = st->thread_index / 2;
	size_t size = st->size < sizeof(uint64_t) ? sizeof(uint64_t) : st->size;
	uint64_t seq = st->seq;

	if (!sh || (st->threads & 1 && st->thread_index == st->threads - 1)) {
		ka_kmalloc_pair(iters, st);
		return;
	}
	if (st->thread_index % 2 == 0) {
		for (uint64_t i = 0; i < iters; i++) {
			uint64_t *p = kmalloc(size, GFP_KERNEL);

			if (p)
				*p = seq;
			else
				st->failed = 1;
			seq++;
			mb_ring_push(sh, pair, p);
		}
	} else {
		for (uint64_t i = 0; i < iters; i++) {
			uint64_t *p = mb_ring_pop(sh, pair);

			if (!p || *p != seq)
				st->failed = 1;
			seq++;
			kfree(p);
		}
	}
	st->seq = seq;
}

void ka_vmalloc_touch(uint64_t iters, struct mb_state *st)
{
	size_t size = st->size;

	for (uint64_t i = 0; i < iters; i++) {
		unsigned char *p = vmalloc(size);

		if (!p) {
			st->failed = 1;
			return;
		}
		mb_touch(p, 0, size, (unsigned char)i);
		MB_ESCAPE(p);
		st->sink += p[size / 2];
		vfree(p);
	}
}

#define KA_MAGIC 0x6b616c6c6f632121ULL

void ka_vrealloc_double_touch(uint64_t iters, struct mb_state *st)
{
	size_t final = st->size;

	for (uint64_t i = 0; i < iters; i++) {
		size_t cur = 64;
		unsigned char *p = vrealloc(NULL, cur, GFP_KERNEL);
		uint64_t magic = KA_MAGIC ^ i, got;

		if (!p) {
			st->failed = 1;
			return;
		}
		memcpy(p, &magic, sizeof(magic));
		while (cur < final) {
			size_t next = cur * 2;
			unsigned char *q = vrealloc(p, next, GFP_KERNEL);

			if (!q) {
				vfree(p);
				st->failed = 1;
				return;
			}
			p = q;
			memcpy(&got, p, sizeof(got));
			if (got != magic)
				st->failed = 1;
			mb_touch(p, (cur + MB_PAGE - 1) & ~(size_t)(MB_PAGE - 1),
				 next, (unsigned char)i);
			cur = next;
		}
		MB_ESCAPE(p);
		st->sink += p[cur - 1];
		vfree(p);
	}
}
