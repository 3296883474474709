/*
 * threadgen.c - generations of many short-lived threads sharing a pool.
 *
 * Each generation starts `threads` (64) threads at once - more than the
 * machine has cores, as a thread-per-request server or a parallel-for
 * without a pool does - and joins them.  Each thread allocates `objs` (300)
 * objects of 16 B .. 4 KiB (log-uniform), stamps them, keeps `keep` (16) of
 * them in a shared pool and checks and frees the rest, then exits.  The
 * pool region a thread fills is emptied - checked and freed - by another
 * thread of the next generation (thread t of generation g takes region
 * (t + g) mod threads), so those objects are freed by a thread other than
 * their allocator, after that thread has exited.
 *
 * Per-thread caches are created and destroyed 64 at a time, many times,
 * and every thread frees memory whose owner is gone: an allocator whose
 * per-thread state is costly, whose orphaned memory is not reused, or that
 * creates an arena per concurrent thread shows it in time and peak RSS.
 *
 *   threadgen [generations=300] [threads=64] [objs=300] [keep=16]
 */
#include "wl.h"

#include <pthread.h>

struct slot {
	void *p;
	uint32_t size;
	uint64_t tag;
};

static long nthreads, objs, keep, generation;
static struct slot *pool;	/* nthreads regions of `keep` slots */

struct job {
	pthread_t tid;
	long t;
	long bad;
};

static void *child(void *arg)
{
	struct job *j = arg;
	uint64_t rng = (uint64_t)(generation * nthreads + j->t + 1);
	struct slot *region = &pool[((j->t + generation) % nthreads) * keep];
	struct slot *mine = malloc(objs * sizeof(*mine));

	if (!mine)
		WL_FAIL("out of memory");
	for (long i = 0; i < objs; i++) {
		mine[i].size = (uint32_t)wl_size_log(&rng, 16, 4096);
		mine[i].tag = wl_rand(&rng);
		mine[i].p = malloc(mine[i].size);
		if (!mine[i].p)
			WL_FAIL("malloc(%u) failed", mine[i].size);
		wl_stamp(mine[i].p, mine[i].size, mine[i].tag);
	}
	/* empty the region an earlier generation's thread filled */
	for (long k = 0; k < keep; k++) {
		struct slot *s = &region[k];

		if (!s->p)
			continue;
		if (!wl_check(s->p, s->size, s->tag))
			j->bad++;
		free(s->p);
		s->p = NULL;
	}
	/* keep every (objs / keep)-th object, free the rest in random order */
	for (long k = 0; k < keep && k * (objs / keep) < objs; k++) {
		long i = k * (objs / keep);

		region[k] = mine[i];
		mine[i].p = NULL;
	}
	for (long i = objs - 1; i > 0; i--) {
		long r = (long)(wl_rand(&rng) % (uint64_t)(i + 1));
		struct slot tmp = mine[i];

		mine[i] = mine[r];
		mine[r] = tmp;
	}
	for (long i = 0; i < objs; i++) {
		if (!mine[i].p)
			continue;
		if (!wl_check(mine[i].p, mine[i].size, mine[i].tag))
			j->bad++;
		free(mine[i].p);
	}
	free(mine);
	return NULL;
}

int main(int argc, char **argv)
{
	long gens = wl_arg(argc, argv, 1, 300);
	struct job *jobs;
	long bad = 0, left = 0;

	nthreads = wl_arg(argc, argv, 2, 64);
	objs = wl_arg(argc, argv, 3, 300);
	keep = wl_arg(argc, argv, 4, 16);
	wl_name = "threadgen";
	if (keep > objs)
		WL_FAIL("keep %ld > objs %ld", keep, objs);
	pool = calloc(nthreads * keep, sizeof(*pool));
	jobs = calloc(nthreads, sizeof(*jobs));
	if (!pool || !jobs)
		WL_FAIL("setup");
	for (generation = 0; generation < gens; generation++) {
		for (long t = 0; t < nthreads; t++) {
			jobs[t].t = t;
			if (pthread_create(&jobs[t].tid, NULL, child, &jobs[t]))
				WL_FAIL("pthread_create (generation %ld, thread %ld)",
					generation, t);
		}
		for (long t = 0; t < nthreads; t++) {
			pthread_join(jobs[t].tid, NULL);
			bad += jobs[t].bad;
			jobs[t].bad = 0;
		}
	}
	for (long i = 0; i < nthreads * keep; i++) {
		if (!pool[i].p)
			continue;
		if (!wl_check(pool[i].p, pool[i].size, pool[i].tag))
			bad++;
		free(pool[i].p);
		left++;
	}
	free(pool);
	free(jobs);
	if (bad)
		WL_FAIL("%ld objects corrupted", bad);
	printf("threadgen: OK generations=%ld threads=%ld pool_left=%ld\n", gens,
	       nthreads, left);
	return 0;
}
