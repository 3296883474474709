/*
 * larson.c - a larson-style server (after Larson and Krishnan's benchmark of
 * a multi-threaded server; written anew for kalloc).
 *
 * Each of T worker threads owns an array of S slots holding live objects of
 * random sizes.  A worker replaces random slots: it checks and frees the
 * object there and puts a fresh one of a random size in its place.  After
 * each round the workers exit and new threads take over the arrays, as a
 * server hands connections to new threads: objects allocated by one thread
 * are freed by another, and each thread's cache meets a heap shaped by
 * others.  Time: fixed work (T * rounds * ops replacements).
 *
 *   larson [threads=4] [slots=2000] [rounds=20] [ops=100000] [min=8] [max=1000]
 */
#include "wl.h"

#include <pthread.h>

struct obj_slot {
	void *p;
	uint32_t size;
	uint64_t tag;
};

struct worker {
	struct obj_slot *slots;
	size_t nslots;
	long ops;
	size_t min, max;
	uint64_t rng;
	long bad;
	pthread_t tid;
};

static void *work(void *arg)
{
	struct worker *w = arg;

	for (long i = 0; i < w->ops; i++) {
		struct obj_slot *s = &w->slots[wl_rand(&w->rng) % w->nslots];
		size_t size = wl_size(&w->rng, w->min, w->max);
		uint64_t tag = wl_rand(&w->rng);

		if (s->p) {
			if (!wl_check(s->p, s->size, s->tag))
				w->bad++;
			free(s->p);
		}
		s->p = malloc(size);
		if (!s->p) {
			w->bad++;
			continue;
		}
		wl_stamp(s->p, size, tag);
		s->size = (uint32_t)size;
		s->tag = tag;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long threads = wl_arg(argc, argv, 1, 4);
	long nslots = wl_arg(argc, argv, 2, 2000);
	long rounds = wl_arg(argc, argv, 3, 20);
	long ops = wl_arg(argc, argv, 4, 100000);
	long min = wl_arg(argc, argv, 5, 8), max = wl_arg(argc, argv, 6, 1000);
	struct worker *w = calloc(threads, sizeof(*w));
	long bad = 0, live = 0;

	wl_name = "larson";
	if (!w || min > max)
		WL_FAIL("setup");
	for (long t = 0; t < threads; t++) {
		w[t].slots = calloc(nslots, sizeof(*w[t].slots));
		if (!w[t].slots)
			WL_FAIL("out of memory");
		w[t].nslots = nslots;
		w[t].ops = ops;
		w[t].min = min;
		w[t].max = max;
		w[t].rng = 0x1234 + t;
	}
	for (long r = 0; r < rounds; r++) {
		for (long t = 0; t < threads; t++)
			if (pthread_create(&w[t].tid, NULL, work, &w[t]))
				WL_FAIL("pthread_create");
		for (long t = 0; t < threads; t++)
			pthread_join(w[t].tid, NULL);
		/* hand each array to the next worker: new thread, other heap */
		struct obj_slot *first = w[0].slots;
		for (long t = 0; t + 1 < threads; t++)
			w[t].slots = w[t + 1].slots;
		w[threads - 1].slots = first;
	}
	for (long t = 0; t < threads; t++) {
		bad += w[t].bad;
		for (long i = 0; i < nslots; i++) {
			struct obj_slot *s = &w[t].slots[i];

			if (!s->p)
				continue;
			live++;
			if (!wl_check(s->p, s->size, s->tag))
				bad++;
			free(s->p);
		}
		free(w[t].slots);
	}
	free(w);
	if (bad)
		WL_FAIL("%ld objects corrupted or not allocated", bad);
	printf("larson: OK threads=%ld slots=%ld rounds=%ld ops=%ld live_at_end=%ld\n",
	       threads, nslots, rounds, ops, live);
	return 0;
}
