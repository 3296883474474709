/*
 * wl.h - what the macro workloads share: a deterministic generator, object
 * stamping and checking, RSS from /proc/self/statm, argument parsing.
 *
 * Every workload is an ordinary C program that uses malloc/free the way a
 * real program would; bench/compare runs it under each allocator with
 * LD_PRELOAD and times it from outside.  A workload checks the data it put
 * in its objects and exits 1 (with a line on stderr) on any mismatch, so a
 * wrong allocator cannot win by being fast.  It prints `metric NAME=VALUE`
 * lines for figures the runner records beside time and peak RSS.
 */
#ifndef KALLOC_BENCH_WL_H
#define KALLOC_BENCH_WL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

#define WL_FAIL(...) do {						\
	fprintf(stderr, "%s: FAIL: ", wl_name);				\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	exit(1);							\
} while (0)

static const char *wl_name = "workload";

/* splitmix64: one state word, good enough spread, cheap. */
static inline uint64_t wl_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A size in [lo, hi], uniform. */
static inline size_t wl_size(uint64_t *s, size_t lo, size_t hi)
{
	return lo + (size_t)(wl_rand(s) % (hi - lo + 1));
}

/* A size in [lo, hi], log-uniform (as many small as large ones). */
static inline size_t wl_size_log(uint64_t *s, size_t lo, size_t hi)
{
	double a = __builtin_log((double)lo), b = __builtin_log((double)hi);
	double u = (double)(wl_rand(s) >> 11) / (double)(1ULL << 53);
	size_t n = (size_t)__builtin_exp(a + (b - a) * u);

	return n < lo ? lo : n > hi ? hi : n;
}

/*
 * Stamp an object of `size` bytes with `tag`: the whole object is written
 * (programs use what they allocate); the first word, the last byte and one
 * word in the middle carry the tag so that wl_check() is O(1).
 */
static inline void wl_stamp(void *p, size_t size, uint64_t tag)
{
	unsigned char *c = p;

	memset(c, (int)(tag & 0xff), size);
	if (size >= 8)
		memcpy(c, &tag, 8);
	if (size >= 24)
		memcpy(c + (size / 2 & ~(size_t)7), &tag, 8);
}

static inline int wl_check(const void *p, size_t size, uint64_t tag)
{
	const unsigned char *c = p;
	uint64_t w;

	if (c[size - 1] != (unsigned char)(tag & 0xff) && size != 8)
		return 0;
	if (size >= 8) {
		memcpy(&w, c, 8);
		if (w != tag)
			return 0;
	} else if (c[0] != (unsigned char)(tag & 0xff)) {
		return 0;
	}
	if (size >= 24) {
		memcpy(&w, c + (size / 2 & ~(size_t)7), 8);
		if (w != tag)
			return 0;
	}
	return 1;
}

/* Resident set size now, in KiB, from /proc/self/statm (field 2). */
/* Minor page faults of the whole run so far (getrusage()). */
static inline long wl_minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? -1 : ru.ru_minflt;
}

static inline long wl_rss_kb(void)
{
	long pages_total = 0, pages_res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages_total, &pages_res) != 2)
		pages_res = -1;
	fclose(f);
	return pages_res < 0 ? -1 : pages_res * (sysconf(_SC_PAGESIZE) / 1024);
}

static inline double wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Positional argument i (1-based) as a number with suffixes k, M, G. */
static inline long long wl_arg(int argc, char **argv, int i, long long def)
{
	char *end;
	long long v;

	if (i >= argc)
		return def;
	v = strtoll(argv[i], &end, 0);
	switch (*end) {
	case 'k': case 'K': v <<= 10; break;
	case 'm': case 'M': v <<= 20; break;
	case 'g': case 'G': v <<= 30; break;
	default: break;
	}
	if (v <= 0) {
		fprintf(stderr, "%s: bad argument %d '%s'\n", wl_name, i, argv[i]);
		exit(2);
	}
	return v;
}

#endif /* KALLOC_BENCH_WL_H */
