/*
 * tests/profile_prog.c - allocations with known sites, kept live at exit,
 * for the heap_profile and alloc_traces reports (tests/test_profile.sh):
 * 1000 objects of 100 bytes from make_small(), 200 page blocks of 40000
 * bytes from make_big(), 3 vmalloc areas of 8 MiB from make_huge(); 500
 * more objects from make_small() are freed at once and must not count.
 * "profile_prog many" makes 200 times as many small objects (200,000, and
 * 100,000 freed at once) and 10 times as many page blocks (2000), for the
 * sampled profile's estimates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *keep[202003];

__attribute__((noinline)) void *make_small(size_t n, int c)
{
	void *p = malloc(n);	/* not a tail call: the caller is this function */

	return p ? memset(p, c, n) : NULL;
}

__attribute__((noinline)) void *make_big(size_t n, int c)
{
	void *p = malloc(n);	/* not a tail call: the caller is this function */

	return p ? memset(p, c, n) : NULL;
}

__attribute__((noinline)) void *make_huge(size_t n, int c)
{
	void *p = malloc(n);	/* not a tail call: the caller is this function */

	return p ? memset(p, c, n) : NULL;
}

int main(int argc, char **argv)
{
	volatile int huge = 3;	/* a loop the compiler keeps: one call site */
	int many = argc > 1 && !strcmp(argv[1], "many");
	int small = many ? 200000 : 1000, big = many ? 2000 : 200;
	int i, k = 0;

	for (i = 0; i < small; i++)
		keep[k++] = make_small(100, 1);
	for (i = 0; i < big; i++)
		keep[k++] = make_big(40000, 2);
	for (i = 0; i < huge; i++)
		keep[k++] = make_huge(8 << 20, 3);
	for (i = 0; i < small / 2; i++)
		free(make_small(100, 4));
	printf("kept %d\n", k);
	return 0;
}
