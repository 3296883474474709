/*
 * largebuf.c - large buffers: allocate, fill, copy, check, free.
 *
 * Sizes 64 KiB .. 64 MiB, log-uniform (image rows, file buffers, matrices).
 * A few buffers stay alive across steps (a working set) so that the heap is
 * not empty between requests.  Whether the allocator keeps, caches, maps or
 * remaps large blocks (glibc's mmap threshold, jemalloc's extents, kalloc's
 * buddy blocks up to 4 MiB and vmalloc above) decides page faults and time.
 *
 *   largebuf [steps=200] [min=64k] [max=64M] [keep=4]
 */
#include "wl.h"

struct big {
	unsigned char *p;
	size_t size;
	uint64_t tag;
};

static void fill(struct big *b)
{
	/* one word per 512 bytes, the rest memset: cheap but every page is
	 * written and the checks see the positions */
	memset(b->p, (int)(b->tag & 0xff), b->size);
	for (size_t off = 0; off + 8 <= b->size; off += 512) {
		uint64_t v = b->tag ^ off;

		memcpy(b->p + off, &v, 8);
	}
}

static int check(const unsigned char *p, size_t size, uint64_t tag)
{
	for (size_t off = 0; off + 8 <= size; off += 4096) {
		uint64_t v;

		memcpy(&v, p + off, 8);
		if (v != (tag ^ off))
			return 0;
	}
	return p[size - 1] == (unsigned char)(tag & 0xff) || (size - 1) % 512 < 8;
}

int main(int argc, char **argv)
{
	long steps = wl_arg(argc, argv, 1, 200);
	long long min = wl_arg(argc, argv, 2, 64 << 10);
	long long max = wl_arg(argc, argv, 3, 64 << 20);
	long keep = wl_arg(argc, argv, 4, 4);
	struct big *set = calloc(keep, sizeof(*set));
	uint64_t rng = 7;
	long long bytes = 0;

	wl_name = "largebuf";
	if (!set)
		WL_FAIL("setup");
	for (long s = 0; s < steps; s++) {
		struct big *b = &set[wl_rand(&rng) % (uint64_t)keep];
		struct big copy;

		if (b->p) {
			if (!check(b->p, b->size, b->tag))
				WL_FAIL("buffer of %zu bytes corrupted", b->size);
			free(b->p);
		}
		b->size = wl_size_log(&rng, (size_t)min, (size_t)max);
		b->tag = wl_rand(&rng);
		b->p = malloc(b->size);
		if (!b->p)
			WL_FAIL("malloc(%zu) failed", b->size);
		fill(b);
		/* a temporary copy of the same size: allocate, copy, check, free */
		copy.size = b->size;
		copy.p = malloc(copy.size);
		if (!copy.p)
			WL_FAIL("malloc(%zu) failed", copy.size);
		memcpy(copy.p, b->p, copy.size);
		if (!check(copy.p, copy.size, b->tag))
			WL_FAIL("copy of %zu bytes corrupted", copy.size);
		free(copy.p);
		bytes += (long long)b->size * 2;
	}
	for (long i = 0; i < keep; i++) {
		if (set[i].p && !check(set[i].p, set[i].size, set[i].tag))
			WL_FAIL("buffer of %zu bytes corrupted", set[i].size);
		free(set[i].p);
	}
	free(set);
	printf("largebuf: OK steps=%ld bytes_written=%lld\n", steps, bytes);
	return 0;
}
