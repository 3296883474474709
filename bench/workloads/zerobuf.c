/*
 * zerobuf.c - large zero-filled buffers: malloc + memset(0), as C++
 * `new char[n]()` (value-initialised arrays, std::vector<char>(n)) does.
 *
 * `count` buffers (2000) of 5 .. 25 MiB, uniform, are allocated and cleared
 * with memset; `live` (20) of them are alive at a time, a random one is
 * replaced at each step.  Each buffer is checked for zeros at a few places
 * right after the memset, gets a tag in a few places, and is checked again
 * before its free.  The memset writes every page: a block whose pages the
 * allocator gave back is faulted in again, page by page; one whose pages it
 * kept is only cleared.  (calloc could skip the clearing of fresh pages;
 * malloc + memset cannot, which is what such programs do.)
 *
 *   zerobuf [count=2000] [live=20] [min=5M] [max=25M]
 *
 * Metrics: minflt (minor page faults of the whole run, getrusage()).
 */
#include "wl.h"

#include <sys/resource.h>

#define NPROBE 8

struct buf {
	unsigned char *p;
	size_t size;
	uint64_t tag;
};

/* probe positions: the ends, and six spread over the buffer */
static size_t probe(size_t size, int i)
{
	if (i == 0)
		return 0;
	if (i == NPROBE - 1)
		return size - 8;
	return size / NPROBE * (size_t)i & ~(size_t)7;
}

static void check_zero(const unsigned char *p, size_t size)
{
	for (int i = 0; i < NPROBE; i++) {
		uint64_t v;

		memcpy(&v, p + probe(size, i), 8);
		if (v)
			WL_FAIL("buffer of %zu bytes not zero at %zu", size, probe(size, i));
	}
}

static void tag_buf(unsigned char *p, size_t size, uint64_t tag)
{
	/* the odd probes carry the tag; the even ones stay zero */
	for (int i = 1; i < NPROBE; i += 2) {
		uint64_t v = tag ^ (uint64_t)i;

		memcpy(p + probe(size, i), &v, 8);
	}
}

static void check_buf(const unsigned char *p, size_t size, uint64_t tag)
{
	for (int i = 0; i < NPROBE; i++) {
		uint64_t v, want = i % 2 ? tag ^ (uint64_t)i : 0;

		memcpy(&v, p + probe(size, i), 8);
		if (v != want)
			WL_FAIL("buffer of %zu bytes corrupted at %zu", size, probe(size, i));
	}
}

int main(int argc, char **argv)
{
	long count = wl_arg(argc, argv, 1, 2000);
	long live = wl_arg(argc, argv, 2, 20);
	long long min = wl_arg(argc, argv, 3, 5 << 20);
	long long max = wl_arg(argc, argv, 4, 25 << 20);
	struct buf *set;
	uint64_t rng = 2024;
	long long bytes = 0;

	wl_name = "zerobuf";
	if (min > max || min < 64)
		WL_FAIL("bad sizes %lld .. %lld", min, max);
	set = calloc(live, sizeof(*set));
	if (!set)
		WL_FAIL("setup");
	for (long n = 0; n < count; n++) {
		/* fill the set first, then replace a random one */
		struct buf *b = &set[n < live ? n : (long)(wl_rand(&rng) % (uint64_t)live)];

		if (b->p) {
			check_buf(b->p, b->size, b->tag);
			free(b->p);
		}
		b->size = wl_size(&rng, (size_t)min, (size_t)max);
		b->tag = wl_rand(&rng) | 1;
		b->p = malloc(b->size);
		if (!b->p)
			WL_FAIL("malloc(%zu) failed", b->size);
		/* hide the pointer's origin: the compiler would turn malloc +
		 * memset(0) into calloc, which operator new[] never becomes */
		__asm__ volatile("" : "+r"(b->p));
		memset(b->p, 0, b->size);
		check_zero(b->p, b->size);
		tag_buf(b->p, b->size, b->tag);
		bytes += (long long)b->size;
	}
	for (long i = 0; i < live; i++) {
		if (set[i].p)
			check_buf(set[i].p, set[i].size, set[i].tag);
		free(set[i].p);
	}
	free(set);
	printf("zerobuf: OK buffers=%ld bytes_cleared=%lld\n", count, bytes);
	printf("metric minflt=%ld\n", wl_minflt());
	return 0;
}
