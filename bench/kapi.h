/*
 * kapi.h - benchmark bodies for kalloc's kernel-style API (issues 3 and 4):
 * kmalloc/kfree, kmem_cache_alloc/free, vmalloc/vfree, vrealloc.  Same
 * calling convention as micro_bodies.h; kapi.c links with -lkalloc.
 */
#ifndef KALLOC_BENCH_KAPI_H
#define KALLOC_BENCH_KAPI_H

#include "micro_bodies.h"

#ifdef __cplusplus
extern "C" {
#endif

/* kmalloc(size, GFP_KERNEL) + kfree: the twin of mb_malloc_pair. */
mb_body ka_kmalloc_pair;
/* kmem_cache_alloc + kmem_cache_free on st->ctx (ka_cache_create()). */
mb_body ka_kmem_cache_pair;
/* kmalloc n objects, kfree them in st->order: the twin of mb_batch. */
mb_body ka_kmalloc_batch;
/* Even threads kmalloc into a ring, odd threads kfree: mb_xthread_free. */
mb_body ka_kmalloc_xthread;
/* vmalloc(size), write every page, vfree: mb_malloc_pair_touch. */
mb_body ka_vmalloc_touch;
/* vrealloc from 64 B doubling to st->size, writing every new page, then
 * vfree: the twin of mb_realloc_double with touch. */
mb_body ka_vrealloc_double_touch;

/* A kmem_cache of `size` bytes for ka_kmem_cache_pair (NULL on failure). */
void *ka_cache_create(unsigned int size);
void ka_cache_destroy(void *cache);

#ifdef __cplusplus
}
#endif

#endif /* KALLOC_BENCH_KAPI_H */
