/*
 * tests/test_kasan.c - KASAN for user space (lib/kasan.h): kalloc built
 * with AddressSanitizer (make check-asan) tells ASan which bytes a
 * program may touch, and ASan reports the rest.  Each case runs in a
 * forked child (testutil.h) and the parent reads the child's stderr:
 *
 *	- a read one byte past a kmalloc(40) (inside its kmalloc-64 object)
 *	  and past a malloc(40) (inside its 48-byte class);
 *	- a read of an object after kfree() and after free(), and of a freed
 *	  malloc page block;
 *	- a correct program using the same routines: no report at all, with
 *	  ksize()/malloc_usable_size() handing over the whole object and
 *	  realloc() within a class moving the limit.
 *
 * ASan ends the child with exit status 1 after its report (ASAN_OPTIONS
 * from make check-asan: abort_on_error=0).  Without AddressSanitizer the
 * program has nothing to test and exits 77 (skipped).
 */
#include "testutil.h"

#include "kalloc.h"
#include "slab.h"
#include "util.h"

#ifdef CONFIG_KASAN

/* Keep the compiler from dropping or narrowing a read it can see through. */
static unsigned char read_byte(const void *p)
{
	return *(const volatile unsigned char *)p;
}

enum kasan_case {
	KMALLOC_OOB,		/* kmalloc(40), read byte 40 */
	MALLOC_OOB,		/* malloc(40), read byte 40 */
	KFREE_UAF,		/* kmalloc(40), kfree(), read byte 0 */
	FREE_UAF,		/* malloc(100), free(), read byte 8 */
	PAGE_BLOCK_UAF,		/* malloc(64 KiB), free(), read a byte */
	KMEM_CACHE_UAF,		/* kmem_cache_alloc(), kmem_cache_free(), read */
	REALLOC_SHRUNK,		/* malloc(47), realloc(33) in place, read byte 40 */
};

static void bad_access_body(void *arg)
{
	enum kasan_case which = (enum kasan_case)(uintptr_t)arg;
	struct kmem_cache *s;
	unsigned char *p;

	switch (which) {
	case KMALLOC_OOB:
		p = kmalloc(40, GFP_KERNEL);
		assert_non_null(p);
		assert_int_equal(page_slab_cache(virt_to_page(p))->object_size, 64);
		memset(p, 1, 40);
		read_byte(p + 40);
		break;
	case MALLOC_OOB:
		p = kalloc_malloc(40);
		assert_non_null(p);
		memset(p, 1, 40);
		read_byte(p + 40);
		break;
	case KFREE_UAF:
		p = kmalloc(40, GFP_KERNEL);
		memset(p, 1, 40);
		kfree(p);
		read_byte(p);
		break;
	case FREE_UAF:
		p = kalloc_malloc(100);
		memset(p, 1, 100);
		kalloc_free(p);
		read_byte(p + 8);
		break;
	case PAGE_BLOCK_UAF:
		p = kalloc_malloc(64 << 10);
		memset(p, 1, 64 << 10);
		kalloc_free(p);
		read_byte(p + 4096);
		break;
	case KMEM_CACHE_UAF:
		s = kmem_cache_create("kasan_test", 72, 0, 0, NULL);
		p = kmem_cache_alloc(s, GFP_KERNEL);
		memset(p, 1, 72);
		kmem_cache_free(s, p);
		read_byte(p + 64);
		break;
	case REALLOC_SHRUNK:
		p = kalloc_malloc(47);
		memset(p, 1, 47);
		p = kalloc_realloc(p, 33, 0);
		read_byte(p + 40);
		break;
	}
	exit(0);	/* not reached when ASan saw it */
}

/* The child ran into an ASan report saying @words. */
static void expect_asan_report(enum kasan_case which, const char *words)
{
	static struct tu_child res;
	char why[128];

	tu_run_child(bad_access_body, (void *)(uintptr_t)which, NULL, 30, &res);
	if (!strstr(res.err, "ERROR: AddressSanitizer") || !strstr(res.err, words)) {
		tu_dump_child_stderr(&res);
		fail_msg("case %d: no AddressSanitizer report saying \"%s\" (the child %s)", which,
			 words, tu_describe_status(&res, why, sizeof(why)));
	}
	if (WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0)
		fail_msg("case %d: the child exited 0 after the bad access", which);
}

static void test_kmalloc_out_of_bounds(void **state)
{
	(void)state;
	expect_asan_report(KMALLOC_OOB, "use-after-poison");
	expect_asan_report(MALLOC_OOB, "use-after-poison");
	expect_asan_report(REALLOC_SHRUNK, "use-after-poison");
}

static void test_use_after_free(void **state)
{
	(void)state;
	expect_asan_report(KFREE_UAF, "use-after-poison");
	expect_asan_report(FREE_UAF, "use-after-poison");
	expect_asan_report(KMEM_CACHE_UAF, "use-after-poison");
	expect_asan_report(PAGE_BLOCK_UAF, "use-after-poison");
}

/*
 * A correct program: every size class through both APIs, objects reused
 * after free, whole objects after ksize()/malloc_usable_size(), realloc()
 * in place and moving, calloc, memalign, page blocks and vmalloc areas
 * (the area cache), and the sheaves flushed to the slabs and back.
 */
CHILD_TEST(test_correct_program_is_silent, NULL, 60)
{
	static void *objs[2][1024];
	unsigned int round, i;
	size_t size;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < 1024; i++) {
			size = 1 + (i * 37 + round * 11) % KMALLOC_MAX_CACHE_SIZE;
			objs[0][i] = kmalloc(size, GFP_KERNEL);
			objs[1][i] = kalloc_malloc(size);
			assert_non_null(objs[0][i]);
			assert_non_null(objs[1][i]);
			memset(objs[0][i], 0x5a, size);
			memset(objs[1][i], 0xa5, size);
		}
		for (i = 0; i < 1024; i++) {
			memset(objs[0][i], 0x11, ksize(objs[0][i]));
			memset(objs[1][i], 0x22, kalloc_usable_size(objs[1][i]));
			kfree(objs[0][i]);
			objs[1][i] = kalloc_realloc(objs[1][i], 1 + i * 13, 0);
			memset(objs[1][i], 0x33, 1 + i * 13);
			kalloc_free(objs[1][i]);
		}
		tu_shrink_all();
	}
	for (size = 1; size < (8 << 20); size = size * 3 + 1) {
		unsigned char *p = kalloc_calloc(1, size, 0), *q;

		assert_non_null(p);
		assert_true(tu_is_zero(p, size));
		memset(p, 0x44, size);
		q = kalloc_memalign(64, size, 0);
		assert_non_null(q);
		memset(q, 0x55, size);
		p = kalloc_realloc(p, size * 2, 0);
		assert_non_null(p);
		memset(p, 0x66, size * 2);
		kalloc_free(q);
		kalloc_free(p);
		p = krealloc(kmalloc(size, GFP_KERNEL), size / 2 + 1, GFP_KERNEL);
		if (size <= KMALLOC_MAX_SIZE / 4) {
			assert_non_null(p);
			memset(p, 0x77, size / 2 + 1);
		}
		kfree(p);
	}
	kalloc_trim();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmalloc_out_of_bounds),
		cmocka_unit_test(test_use_after_free),
		cmocka_unit_test(test_correct_program_is_silent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !CONFIG_KASAN */

int main(void)
{
	printf("test_kasan: kalloc is not built with AddressSanitizer (make check-asan runs this)\n");
	return 77;
}

#endif /* CONFIG_KASAN */
