/*
 * tests/profile_prog.c - allocations with known sites, kept live at exit,
 * for the heap_profile and alloc_traces reports (tests/test_profile.sh):
 * 1000 objects of 100 bytes from make_small(), 200 page blocks of 40000
 * bytes from make_big(), 3 vmalloc areas of 8 MiB from make_huge(); 500
 * more objects from make_small() are freed at once and must not count.
 * "profile_prog many" makes 200 times as many small objects (200,000, and
 * 100,000 freed at once) and 10 times as many page blocks (2000), for the
 * sampled profile's estimates.
 *
 * With another argument, one memory error instead, for the source lines
 * of reports (tests/test_lines.sh): "overflow" writes a byte past a
 * make_small() object of 100 bytes and frees it (slub_debug's kmalloc
 * Redzone), "invalid-free" frees the second page of a make_big() block.
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

static int memory_error(const char *what)
{
	char *p;

	if (!strcmp(what, "overflow")) {
		p = make_small(100, 5);
		p[100] = 'x';		/* past the request, inside the object */
		free(p);
	} else if (!strcmp(what, "invalid-free")) {
		p = make_big(40000, 6);
		free(p + 4096);		/* not the start of the block */
	}
	printf("%s: not caught\n", what);
	return 1;
}

int main(int argc, char **argv)
{
	volatile int huge = 3;	/* a loop the compiler keeps: one call site */
	int many = argc > 1 && !strcmp(argv[1], "many");
	int small = many ? 200000 : 1000, big = many ? 2000 : 200;
	int i, k = 0;

	if (argc > 1 && !many)
		return memory_error(argv[1]);

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
