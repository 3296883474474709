/*
 * pagerepl.c - page-sized and larger blocks replaced at random: page faults.
 *
 * A working set of `live` blocks (200) of 4 KiB .. 1 MiB, log-uniform, is
 * kept and replaced at random, as a program's buffers, caches and arrays are
 * over its life.  Half of the sizes are exact page multiples (a page, an
 * array of pages), the others are not; one step in four is a temporary
 * buffer allocated, used and freed at once.  Every page of every block is
 * written (one word per 4 KiB) and checked before the free.
 *
 * What is measured is what the allocator does with a freed block of this
 * size: keep its pages for the next request (no fault), or give them back
 * and fault them in again (glibc maps blocks above its mmap threshold;
 * others purge on a timer or at once).  Time and the minor faults tell.
 *
 *   pagerepl [steps=200000] [live=200] [min=4k] [max=1M]
 *
 * Metrics: minflt (minor page faults of the whole run, getrusage()).
 */
#include "wl.h"

#include <sys/resource.h>

#define PAGE 4096

struct blk {
	unsigned char *p;
	size_t size;
	uint64_t tag;
};

/* one word per page (and the last byte): every page is written */
static void fill(unsigned char *p, size_t size, uint64_t tag)
{
	for (size_t off = 0; off + 8 <= size; off += PAGE) {
		uint64_t v = tag ^ off;

		memcpy(p + off, &v, 8);
	}
	p[size - 1] = (unsigned char)(tag >> 56);
}

static int check(const unsigned char *p, size_t size, uint64_t tag)
{
	for (size_t off = 0; off + 8 <= size; off += PAGE) {
		uint64_t v;

		memcpy(&v, p + off, 8);
		if (v != (tag ^ off))
			return 0;
	}
	return p[size - 1] == (unsigned char)(tag >> 56);
}

static size_t pick_size(uint64_t *rng, size_t min, size_t max)
{
	size_t n = wl_size_log(rng, min, max);

	if (wl_rand(rng) & 1) {			/* an exact page multiple */
		n = (n + PAGE - 1) & ~(size_t)(PAGE - 1);
		if (n > max)
			n = max & ~(size_t)(PAGE - 1);
		if (n < PAGE)
			n = PAGE;
	}
	return n;
}

int main(int argc, char **argv)
{
	long steps = wl_arg(argc, argv, 1, 200000);
	long live = wl_arg(argc, argv, 2, 200);
	long long min = wl_arg(argc, argv, 3, 4 << 10);
	long long max = wl_arg(argc, argv, 4, 1 << 20);
	struct blk *set;
	uint64_t rng = 4242;
	long long pages = 0;
	long temps = 0;

	wl_name = "pagerepl";
	if (min > max)
		WL_FAIL("min %lld > max %lld", min, max);
	set = calloc(live, sizeof(*set));
	if (!set)
		WL_FAIL("setup");
	for (long s = 0; s < steps; s++) {
		struct blk *b, tmp;

		if (wl_rand(&rng) % 4 == 0) {
			/* a temporary buffer: allocate, use, free at once */
			tmp.size = pick_size(&rng, (size_t)min, (size_t)max);
			tmp.tag = wl_rand(&rng);
			tmp.p = malloc(tmp.size);
			if (!tmp.p)
				WL_FAIL("malloc(%zu) failed", tmp.size);
			fill(tmp.p, tmp.size, tmp.tag);
			if (!check(tmp.p, tmp.size, tmp.tag))
				WL_FAIL("temporary of %zu bytes corrupted", tmp.size);
			free(tmp.p);
			pages += (long long)(tmp.size + PAGE - 1) / PAGE;
			temps++;
			continue;
		}
		b = &set[wl_rand(&rng) % (uint64_t)live];
		if (b->p) {
			if (!check(b->p, b->size, b->tag))
				WL_FAIL("block of %zu bytes corrupted", b->size);
			free(b->p);
		}
		b->size = pick_size(&rng, (size_t)min, (size_t)max);
		b->tag = wl_rand(&rng);
		b->p = malloc(b->size);
		if (!b->p)
			WL_FAIL("malloc(%zu) failed", b->size);
		fill(b->p, b->size, b->tag);
		pages += (long long)(b->size + PAGE - 1) / PAGE;
	}
	for (long i = 0; i < live; i++) {
		if (set[i].p && !check(set[i].p, set[i].size, set[i].tag))
			WL_FAIL("block of %zu bytes corrupted", set[i].size);
		free(set[i].p);
	}
	free(set);
	printf("pagerepl: OK steps=%ld temporaries=%ld pages_written=%lld\n", steps,
	       temps, pages);
	printf("metric minflt=%ld\n", wl_minflt());
	return 0;
}
