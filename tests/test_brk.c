/*
 * tests/test_brk.c - the emulated program break (lib/brk.c, preload/brk.c),
 * linked with libkalloc so that brk()/sbrk() and malloc are kalloc's.
 */
#include "testutil.h"

#include <kalloc.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_sbrk_grow_shrink(void **state)
{
	char *start = sbrk(0), *p;
	int i;

	(void)state;
	assert_non_null(start);
	assert_ptr_not_equal(start, (void *)-1);
	/* sbrk(n) returns the old break; the bytes are usable and kept */
	p = sbrk(3 * 4096 + 100);
	assert_ptr_equal(p, start);
	assert_ptr_equal(sbrk(0), start + 3 * 4096 + 100);
	memset(p, 0xab, 3 * 4096 + 100);
	for (i = 0; i < 10; i++) {
		char *q = sbrk(1 << 20);

		assert_ptr_not_equal(q, (void *)-1);
		memset(q, i, 1 << 20);
	}
	for (i = 0; i < 3 * 4096 + 100; i++)
		assert_int_equal((unsigned char)p[i], 0xab);
	/* shrink back: contents below the break are kept */
	assert_ptr_not_equal(sbrk(-(10 << 20)), (void *)-1);
	assert_ptr_equal(sbrk(0), start + 3 * 4096 + 100);
	for (i = 0; i < 3 * 4096 + 100; i++)
		assert_int_equal((unsigned char)p[i], 0xab);
	/* grow again: the new pages read as zero */
	p = sbrk(8192);
	assert_ptr_not_equal(p, (void *)-1);
	for (i = 4096 - 100; i < 8192; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(brk(start), 0);
	assert_ptr_equal(sbrk(0), start);
}

static void test_brk_invalid(void **state)
{
	char *start = sbrk(0);

	(void)state;
	errno = 0;
	assert_int_equal(brk(start - 4096), -1);	/* below start_brk */
	assert_int_equal(errno, ENOMEM);
	assert_ptr_equal(sbrk(0), start);
	errno = 0;
	assert_int_equal(brk((void *)-4096L), -1);	/* beyond the window */
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_ptr_equal(sbrk(INTPTR_MAX), (void *)-1);
	assert_int_equal(errno, ENOMEM);
	assert_ptr_equal(sbrk(0), start);
}

static void test_brk_mixed_with_malloc(void **state)
{
	char *start = sbrk(0), *heap;
	void *m[1000];
	int i;

	(void)state;
	heap = sbrk(1 << 20);
	memset(heap, 0x5a, 1 << 20);
	for (i = 0; i < 1000; i++) {
		m[i] = malloc(i * 37 + 1);
		assert_non_null(m[i]);
		/* malloc never hands out memory of the break */
		assert_true((char *)m[i] + i * 37 + 1 <= start || (char *)m[i] >= start + (1 << 20));
		memset(m[i], 0x11, i * 37 + 1);
	}
	for (i = 0; i < 1 << 20; i++)
		assert_int_equal((unsigned char)heap[i], 0x5a);
	for (i = 0; i < 1000; i++)
		free(m[i]);
	assert_int_equal(brk(start), 0);
}

static void brk_report(char *buf, size_t size)
{
	tu_report_capture(buf, size, "brk");
}

/* The break's frames come from the buddy allocator (HIGHMEM first) and go back. */
static void test_brk_frames(void **state)
{
	char *start = sbrk(0);
	char buf[4096];
	unsigned long pages, dma, normal, high;
	char *line;

	(void)state;
	assert_ptr_not_equal(sbrk(64 << 20), (void *)-1);
	brk_report(buf, sizeof(buf));
	line = strstr(buf, "pages:");
	assert_non_null(line);
	assert_int_equal(sscanf(line, "pages: %lu (DMA %lu, Normal %lu, HighMem %lu)", &pages, &dma,
				&normal, &high), 4);
	assert_int_equal(pages, (64 << 20) / 4096);
	assert_int_equal(high, pages);	/* GFP_HIGHUSER: HIGHMEM while it has room */
	assert_int_equal(brk(start), 0);
	brk_report(buf, sizeof(buf));
	assert_non_null(strstr(buf, "pages:       0 (DMA 0, Normal 0, HighMem 0)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sbrk_grow_shrink),
		cmocka_unit_test(test_brk_invalid),
		cmocka_unit_test(test_brk_mixed_with_malloc),
		cmocka_unit_test(test_brk_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
