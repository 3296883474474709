/*
 * quiet.c - after a peak, the program goes quiet: when does RSS come down?
 *
 * Allocates `total` bytes (1 GiB) in objects of `min` .. `max` bytes
 * (64 B .. 1 MiB, log-uniform), every byte written, then frees ALL of it
 * (checked first) - a program that loaded a large input, computed and
 * dropped everything, and now waits for the next request.  Then it keeps
 * running with light allocator traffic: every 100 ms, 300 malloc/free of
 * 16 .. 256 B in a ring of 64 slots (a timer, a log line, a poll), and
 * samples RSS (/proc/self/statm) every 500 ms, for up to `seconds` (15).
 * It stops at the first sample within `target` (128 MiB) of the RSS it had
 * before allocating: from then on the memory is back.  Nothing calls
 * malloc_trim() unless the last argument is the word `trim` (then it is
 * called once right after the frees).
 *
 * An allocator that gives back at once settles at 0 ms; one that purges on
 * a timer or a decay curve settles later; one that keeps freed memory for
 * reuse never does (-1).  Small objects (the quiet-small variant, 16 .. 512 B)
 * test whether slabs or runs emptied by the frees go back, not only large
 * blocks.
 *
 *   quiet [seconds=15] [min=64] [max=1M] [target=128M] [total=1G] [trim]
 *
 * Metrics: rss_start_kb (before allocating), rss_full_kb (all allocated),
 * rss_freed_kb (just after the frees, and the trim if asked), rss_end_kb
 * (the last sample), settle_ms (time from the end of the frees to the first
 * sample within `target` of rss_start_kb; -1 if none within `seconds`).
 */
#include "wl.h"

#include <malloc.h>

#define RING 64
#define TICK_MS 100
#define SAMPLE_TICKS 5
#define OPS_PER_TICK 300

/*
 * The objects form a list through their first word (no bookkeeping array
 * to skew the RSS figures); the rest of each object is stamped with its
 * index.  Sizes are drawn again from the same seed when freeing.
 */
#define SEED 1234

int main(int argc, char **argv)
{
	long long seconds = wl_arg(argc, argv, 1, 15);
	long long min = wl_arg(argc, argv, 2, 64);
	long long max = wl_arg(argc, argv, 3, 1 << 20);
	long long target = wl_arg(argc, argv, 4, 128 << 20);
	long long total = wl_arg(argc, argv, 5, 1LL << 30);
	int trim = argc > 6 && strcmp(argv[6], "trim") == 0;
	uint64_t rng = SEED, trng = 77;
	long long bytes = 0;
	size_t n = 0;
	void *head = NULL, *tail = NULL;
	void *ring[RING] = { 0 };
	uint32_t rsize[RING];
	uint64_t rtag[RING];
	long rss_start, rss_full, rss_freed, rss_end, rss_now;
	long settle_ms = -1, ops = 0;
	double t0, deadline, now;
	struct timespec next;

	wl_name = "quiet";
	if (min < 16 || min > max)
		WL_FAIL("bad sizes %lld .. %lld (min 16)", min, max);
	if (argc > 6 && !trim)
		WL_FAIL("last argument '%s': only 'trim'", argv[6]);
	rss_start = wl_rss_kb();

	while (bytes < total) {
		size_t s = wl_size_log(&rng, (size_t)min, (size_t)max);
		unsigned char *p = malloc(s);

		if (!p)
			WL_FAIL("malloc(%zu) failed after %lld bytes", s, bytes);
		memset(p, 0, 8);
		wl_stamp(p + 8, s - 8, n);
		if (tail)
			memcpy(tail, &p, sizeof(p));
		else
			head = p;
		tail = p;
		bytes += (long long)s;
		n++;
	}
	rss_full = wl_rss_kb();

	rng = SEED;
	for (size_t i = 0; i < n; i++) {
		size_t s = wl_size_log(&rng, (size_t)min, (size_t)max);
		unsigned char *p = head;

		if (!p)
			WL_FAIL("list ends at object %zu of %zu", i, n);
		if (!wl_check(p + 8, s - 8, i))
			WL_FAIL("object %zu (%zu bytes) corrupted", i, s);
		memcpy(&head, p, sizeof(head));
		free(p);
	}
	if (head)
		WL_FAIL("list longer than %zu objects", n);
	if (trim)
		malloc_trim(0);
	t0 = wl_now();
	rss_freed = rss_end = wl_rss_kb();
	if (rss_freed <= rss_start + target / 1024)
		settle_ms = 0;

	/* quiet: light traffic every tick, RSS every SAMPLE_TICKS ticks */
	deadline = t0 + (double)seconds;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long tick = 1; settle_ms < 0; tick++) {
		for (int k = 0; k < OPS_PER_TICK; k++) {
			int i = (int)(wl_rand(&trng) % RING);

			if (ring[i]) {
				if (!wl_check(ring[i], rsize[i], rtag[i]))
					WL_FAIL("small object of %u bytes corrupted", rsize[i]);
				free(ring[i]);
			}
			rsize[i] = (uint32_t)wl_size(&trng, 16, 256);
			rtag[i] = wl_rand(&trng);
			ring[i] = malloc(rsize[i]);
			if (!ring[i])
				WL_FAIL("malloc(%u) failed", rsize[i]);
			wl_stamp(ring[i], rsize[i], rtag[i]);
			ops++;
		}
		next.tv_nsec += TICK_MS * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
		if (tick % SAMPLE_TICKS)
			continue;
		now = wl_now();
		rss_now = wl_rss_kb();
		rss_end = rss_now;
		if (rss_now <= rss_start + target / 1024)
			settle_ms = (long)((now - t0) * 1e3 + 0.5);
		if (now >= deadline)
			break;
	}
	for (int i = 0; i < RING; i++) {
		if (!ring[i])
			continue;
		if (!wl_check(ring[i], rsize[i], rtag[i]))
			WL_FAIL("small object of %u bytes corrupted", rsize[i]);
		free(ring[i]);
	}
	printf("quiet: OK objects=%zu bytes=%lld quiet_ops=%ld%s\n", n, bytes, ops,
	       trim ? " malloc_trim" : "");
	printf("metric rss_start_kb=%ld\nmetric rss_full_kb=%ld\n"
	       "metric rss_freed_kb=%ld\nmetric rss_end_kb=%ld\n"
	       "metric settle_ms=%ld\n",
	       rss_start, rss_full, rss_freed, rss_end, settle_ms);
	return 0;
}
