/*
 * falseshare.c - small objects written by different threads (after the
 * "cache-thrash" and "cache-scratch" tests of Berger et al.'s Hoard paper;
 * written anew for kalloc).
 *
 * Phase "active": each thread allocates an 8-byte object, writes it many
 * times, frees it, again and again.  An allocator that gives threads
 * objects in one cache line makes their writes fight over the line.
 * Phase "passive": the main thread allocates one small object per thread,
 * all in a row, and hands them out; each thread frees its object and then
 * does as above.  An allocator that returns the freed object to the freeing
 * thread's cache hands each thread a line shared with the others.
 *
 * The writes are counted in the objects themselves and checked.
 *
 *   falseshare [threads=4] [objects=100000] [writes=1000] [size=8]
 */
#include "wl.h"

#include <pthread.h>

struct job {
	long objects, writes;
	size_t size;
	volatile uint64_t *first;	/* passive: the object handed over */
	long bad;
	pthread_t tid;
};

static void *thrash(void *arg)
{
	struct job *j = arg;

	if (j->first) {
		if (*j->first != 0)
			j->bad++;
		free((void *)j->first);
	}
	for (long i = 0; i < j->objects; i++) {
		volatile uint64_t *p = malloc(j->size);

		if (!p) {
			j->bad++;
			continue;
		}
		*p = 0;
		for (long w = 0; w < j->writes; w++)
			*p = *p + 1;
		if (*p != (uint64_t)j->writes)
			j->bad++;
		free((void *)p);
	}
	return NULL;
}

static double phase(struct job *jobs, long threads, int passive)
{
	double t0 = wl_now();

	for (long t = 0; t < threads; t++) {
		jobs[t].first = NULL;
		if (passive) {
			jobs[t].first = malloc(jobs[t].size);
			if (!jobs[t].first)
				WL_FAIL("out of memory");
			*jobs[t].first = 0;
		}
	}
	for (long t = 0; t < threads; t++)
		pthread_create(&jobs[t].tid, NULL, thrash, &jobs[t]);
	for (long t = 0; t < threads; t++)
		pthread_join(jobs[t].tid, NULL);
	return wl_now() - t0;
}

int main(int argc, char **argv)
{
	long threads = wl_arg(argc, argv, 1, 4);
	long objects = wl_arg(argc, argv, 2, 100000);
	long writes = wl_arg(argc, argv, 3, 1000);
	long size = wl_arg(argc, argv, 4, 8);
	struct job *jobs = calloc(threads, sizeof(*jobs));
	double active, passive;
	long bad = 0;

	wl_name = "falseshare";
	if (!jobs || size < 8)
		WL_FAIL("setup (size must be at least 8)");
	for (long t = 0; t < threads; t++) {
		jobs[t].objects = objects;
		jobs[t].writes = writes;
		jobs[t].size = (size_t)size;
	}
	active = phase(jobs, threads, 0);
	passive = phase(jobs, threads, 1);
	for (long t = 0; t < threads; t++)
		bad += jobs[t].bad;
	free(jobs);
	if (bad)
		WL_FAIL("%ld objects lost writes or were not allocated", bad);
	printf("falseshare: OK threads=%ld objects=%ld writes=%ld\n", threads,
	       objects, writes);
	printf("metric active_s=%.4f\nmetric passive_s=%.4f\n", active, passive);
	return 0;
}
