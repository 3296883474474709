/*
 * giveback.c - is memory given back after the program frees it?
 *
 * Allocates `total` bytes (1 GiB) in small objects (16 .. 256 B), frees 90%
 * of them - nine blocks of 1000 consecutive allocations out of every ten,
 * as a program drops a phase's data - without calling malloc_trim(), then
 * sleeps 2 s (an allocator may give memory back from a background thread or
 * on a timer) and reports RSS from /proc/self/statm at each point.  The
 * survivors are checked at the end.  What a program keeps is 10% of the
 * bytes; what RSS shows beyond that is what the allocator holds.
 *
 *   giveback [total=1G] [sleep_s=2]
 *
 * Metrics: rss_full_kb (all allocated), rss_freed_kb (just after the
 * frees), rss_after_sleep_kb (after the sleep), live_kb (what is still
 * allocated, in requested bytes, the surviving objects and this program's
 * two bookkeeping arrays).
 */
#include "wl.h"

#define BLOCK 1000

int main(int argc, char **argv)
{
	long long total = wl_arg(argc, argv, 1, 1LL << 30);
	long long sleep_s = wl_arg(argc, argv, 2, 2);
	uint64_t rng = 99;
	long long bytes = 0, live = 0;
	size_t cap = (size_t)(total / 100), n = 0;
	void **obj;
	uint16_t *size;
	long rss_full, rss_freed, rss_after;

	wl_name = "giveback";
	obj = malloc(cap * sizeof(*obj));
	size = malloc(cap * sizeof(*size));
	if (!obj || !size)
		WL_FAIL("out of memory");
	while (bytes < total) {
		size_t s = wl_size(&rng, 16, 256);

		if (n == cap) {
			cap *= 2;
			obj = realloc(obj, cap * sizeof(*obj));
			size = realloc(size, cap * sizeof(*size));
			if (!obj || !size)
				WL_FAIL("out of memory");
		}
		obj[n] = malloc(s);
		if (!obj[n])
			WL_FAIL("malloc(%zu) failed after %lld bytes", s, bytes);
		wl_stamp(obj[n], s, n);
		size[n] = (uint16_t)s;
		bytes += (long long)s;
		n++;
	}
	rss_full = wl_rss_kb();
	for (size_t i = 0; i < n; i++) {
		if ((i / BLOCK) % 10 == 9) {
			live += size[i];
			continue;	/* one block in ten survives */
		}
		if (!wl_check(obj[i], size[i], i))
			WL_FAIL("object %zu corrupted before free", i);
		free(obj[i]);
		obj[i] = NULL;
	}
	rss_freed = wl_rss_kb();
	live += (long long)(cap * (sizeof(*obj) + sizeof(*size)));	/* the arrays */
	sleep((unsigned)sleep_s);
	rss_after = wl_rss_kb();
	for (size_t i = 0; i < n; i++) {
		if (!obj[i])
			continue;
		if (!wl_check(obj[i], size[i], i))
			WL_FAIL("surviving object %zu corrupted", i);
		free(obj[i]);
	}
	free(obj);
	free(size);
	printf("giveback: OK objects=%zu bytes=%lld\n", n, bytes);
	printf("metric rss_full_kb=%ld\nmetric rss_freed_kb=%ld\n"
	       "metric rss_after_sleep_kb=%ld\nmetric live_kb=%lld\n",
	       rss_full, rss_freed, rss_after, live / 1024);
	return 0;
}
