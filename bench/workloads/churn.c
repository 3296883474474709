/*
 * churn.c - thread churn: many short-lived threads.
 *
 * Waves of `width` threads; each thread allocates `objs` objects of random
 * sizes (8 B .. 2 KiB), frees half of them itself and hands the other half
 * back to its creator, which checks and frees them after the join (so they
 * are freed by a thread other than their allocator, after that thread's
 * exit).  Thread caches are set up and torn down thousands of times: an
 * allocator whose per-thread state is costly to create, or leaks at thread
 * exit, shows it here in time and in peak RSS.
 *
 *   churn [threads=4000] [width=4] [objs=200]
 */
#include "wl.h"

#include <pthread.h>

struct result {
	long n;
	void **p;
	uint32_t *size;
	uint64_t *tag;
	long bad;
};

static long objs;

static void *child(void *arg)
{
	uint64_t rng = (uint64_t)(uintptr_t)arg;
	struct result *r = malloc(sizeof(*r));
	void **mine = malloc(objs * sizeof(void *));
	uint32_t *msz = malloc(objs * sizeof(uint32_t));
	uint64_t *mtag = malloc(objs * sizeof(uint64_t));

	if (!r || !mine || !msz || !mtag)
		WL_FAIL("out of memory");
	r->n = objs / 2;
	r->bad = 0;
	r->p = malloc(r->n * sizeof(void *));
	r->size = malloc(r->n * sizeof(uint32_t));
	r->tag = malloc(r->n * sizeof(uint64_t));
	if (!r->p || !r->size || !r->tag)
		WL_FAIL("out of memory");
	for (long i = 0; i < objs; i++) {
		msz[i] = (uint32_t)wl_size_log(&rng, 8, 2048);
		mtag[i] = wl_rand(&rng);
		mine[i] = malloc(msz[i]);
		if (!mine[i])
			WL_FAIL("out of memory");
		wl_stamp(mine[i], msz[i], mtag[i]);
	}
	for (long i = 0; i < objs; i++) {
		if (i % 2 && i / 2 < r->n) {
			r->p[i / 2] = mine[i];
			r->size[i / 2] = msz[i];
			r->tag[i / 2] = mtag[i];
			continue;
		}
		if (!wl_check(mine[i], msz[i], mtag[i]))
			r->bad++;
		free(mine[i]);
	}
	free(mine);
	free(msz);
	free(mtag);
	return r;
}

int main(int argc, char **argv)
{
	long total = wl_arg(argc, argv, 1, 4000);
	long width = wl_arg(argc, argv, 2, 4);
	pthread_t *tid;
	long bad = 0, handed = 0;

	objs = wl_arg(argc, argv, 3, 200);
	wl_name = "churn";
	tid = calloc(width, sizeof(*tid));
	if (!tid)
		WL_FAIL("setup");
	for (long started = 0; started < total; started += width) {
		long n = total - started < width ? total - started : width;

		for (long t = 0; t < n; t++)
			if (pthread_create(&tid[t], NULL, child,
					   (void *)(uintptr_t)(started + t + 1)))
				WL_FAIL("pthread_create");
		for (long t = 0; t < n; t++) {
			struct result *r;

			pthread_join(tid[t], (void **)&r);
			bad += r->bad;
			for (long i = 0; i < r->n; i++) {
				if (!wl_check(r->p[i], r->size[i], r->tag[i]))
					bad++;
				free(r->p[i]);
			}
			handed += r->n;
			free(r->p);
			free(r->size);
			free(r->tag);
			free(r);
		}
	}
	free(tid);
	if (bad)
		WL_FAIL("%ld objects corrupted", bad);
	printf("churn: OK threads=%ld width=%ld objects_handed_back=%ld\n", total,
	       width, handed);
	return 0;
}
