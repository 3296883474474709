/*
 * lifemix.c - long-lived and short-lived objects mixed.
 *
 * Each thread keeps a pool of long-lived objects (sizes 16 B .. 4 KiB,
 * log-uniform: a program's tables, caches, trees) and, between touches of
 * the pool, makes and drops bursts of short-lived temporaries (8 .. 256 B,
 * freed in LIFO order, like the scratch strings and nodes of a request).
 * Now and then a long-lived object is replaced.  The short-lived churn must
 * not fragment the memory the long-lived objects sit in, nor slow them.
 *
 *   lifemix [threads=2] [pool=100000] [steps=300000] [burst=16]
 */
#include "wl.h"

#include <pthread.h>

struct lived {
	void *p;
	uint32_t size;
	uint64_t tag;
};

struct job {
	long pool, steps, burst;
	uint64_t rng;
	long bad;
	pthread_t tid;
};

static void *run(void *arg)
{
	struct job *j = arg;
	struct lived *pool = calloc(j->pool, sizeof(*pool));
	void *tmp[256];
	uint32_t tsz[256];
	uint64_t ttag[256];

	if (!pool)
		WL_FAIL("out of memory");
	for (long i = 0; i < j->pool; i++) {
		pool[i].size = (uint32_t)wl_size_log(&j->rng, 16, 4096);
		pool[i].tag = wl_rand(&j->rng);
		pool[i].p = malloc(pool[i].size);
		if (!pool[i].p)
			WL_FAIL("out of memory");
		wl_stamp(pool[i].p, pool[i].size, pool[i].tag);
	}
	for (long s = 0; s < j->steps; s++) {
		long n = 1 + (long)(wl_rand(&j->rng) % (uint64_t)j->burst);
		struct lived *l = &pool[wl_rand(&j->rng) % (uint64_t)j->pool];

		for (long k = 0; k < n; k++) {
			tsz[k] = (uint32_t)wl_size(&j->rng, 8, 256);
			ttag[k] = wl_rand(&j->rng);
			tmp[k] = malloc(tsz[k]);
			if (!tmp[k])
				WL_FAIL("out of memory");
			wl_stamp(tmp[k], tsz[k], ttag[k]);
		}
		/* read a long-lived object; replace one in 16 */
		if (!wl_check(l->p, l->size, l->tag))
			j->bad++;
		if ((s & 15) == 0) {
			free(l->p);
			l->size = (uint32_t)wl_size_log(&j->rng, 16, 4096);
			l->tag = wl_rand(&j->rng);
			l->p = malloc(l->size);
			if (!l->p)
				WL_FAIL("out of memory");
			wl_stamp(l->p, l->size, l->tag);
		}
		while (n-- > 0) {
			if (!wl_check(tmp[n], tsz[n], ttag[n]))
				j->bad++;
			free(tmp[n]);
		}
	}
	for (long i = 0; i < j->pool; i++) {
		if (!wl_check(pool[i].p, pool[i].size, pool[i].tag))
			j->bad++;
		free(pool[i].p);
	}
	free(pool);
	return NULL;
}

int main(int argc, char **argv)
{
	long threads = wl_arg(argc, argv, 1, 2);
	long pool = wl_arg(argc, argv, 2, 100000);
	long steps = wl_arg(argc, argv, 3, 300000);
	long burst = wl_arg(argc, argv, 4, 16);
	struct job *jobs = calloc(threads, sizeof(*jobs));
	long bad = 0;

	wl_name = "lifemix";
	if (!jobs || burst > 256)
		WL_FAIL("setup (burst at most 256)");
	for (long t = 0; t < threads; t++) {
		jobs[t] = (struct job){ pool, steps, burst, 0x5eed + t, 0, 0 };
		pthread_create(&jobs[t].tid, NULL, run, &jobs[t]);
	}
	for (long t = 0; t < threads; t++) {
		pthread_join(jobs[t].tid, NULL);
		bad += jobs[t].bad;
	}
	free(jobs);
	if (bad)
		WL_FAIL("%ld objects corrupted", bad);
	printf("lifemix: OK threads=%ld pool=%ld steps=%ld\n", threads, pool, steps);
	return 0;
}
