/*
 * tests/test_slub_debug.c - slub_debug (lib/slub_debug.c): red zones,
 * poisoning, consistency checks and caller tracking, which caches the
 * option selects, and the reports.
 *
 * Each case runs in a forked child whose KALLOC_OPTIONS carries the
 * slub_debug= under test (testutil.h, tu_run_child()); the parent checks
 * how the child ended - SIGABRT for a detected corruption, exit 0 when
 * nothing is to be detected - and the report it wrote on stderr (a pipe):
 * the kernel's words ("BUG kmalloc-64 (Not tainted): Right Redzone overwritten"), and every
 * line starting "kalloc:" or "BUG ".
 */
#include "testutil.h"

#include "kalloc.h"
#include "slab.h"
#include "util.h"

#include <ctype.h>
#include <pthread.h>

#define SLUB_DEBUG_ALL	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

static struct tu_child res;	/* 64 KiB: not on the stack */

static const unsigned int class_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192
};

static struct kmem_cache *kcache(size_t size)
{
	kfree(kmalloc(1, GFP_KERNEL));	/* kalloc is set up */
	return kmalloc_caches[kmalloc_index(size)];
}

/* Every line the child wrote is part of a report: "kalloc: ..." or "BUG <cache> (Not tainted): ...". */
static void assert_report_lines(const struct tu_child *r)
{
	const char *line = r->err;
	unsigned int n = 0;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (strncmp(line, "kalloc:", 7) && strncmp(line, "BUG ", 4)) {
			tu_dump_child_stderr(r);
			fail_msg("report line %u starts neither \"kalloc:\" nor \"BUG \": %.*s", n,
				 (int)len, line);
		}
		n++;
		line += len + (end ? 1 : 0);
	}
	assert_true(n > 0);
}

/* The child aborted with @words in its report, and every line is well-formed. */
static void expect_report(void (*fn)(void *), void *arg, const char *options, const char *words)
{
	tu_run_child(fn, arg, options, 10, &res);
	tu_assert_child_aborted(&res, words);
	assert_report_lines(&res);
}

/* The child exited 0 and wrote nothing. */
static void expect_silence(void (*fn)(void *), void *arg, const char *options)
{
	tu_run_child(fn, arg, options, 20, &res);
	tu_assert_child_ok(&res);
	if (res.err_len) {
		tu_dump_child_stderr(&res);
		fail_msg("with %s the child reported something", options ? options : "no options");
	}
}

static void expect_text(const char *words)
{
	if (!strstr(res.err, words)) {
		tu_dump_child_stderr(&res);
		fail_msg("the report does not say \"%s\"", words);
	}
}

/* Normal use of a cache: no false alarm (objects written in full, zeroed, reused). */
static void exercise(size_t size, unsigned int rounds)
{
	void *objs[64];
	unsigned int r, i;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 64; i++) {
			objs[i] = (i % 3) ? kmalloc(size, GFP_KERNEL) : kzalloc(size, GFP_KERNEL);
			assert_non_null(objs[i]);
			assert_true(ksize(objs[i]) >= size);
			memset(objs[i], (int)(r + i), size);
		}
		for (i = 0; i < 64; i++)
			kfree(objs[(i * 7 + r) % 64]);
	}
}

/* ------------------------------------------------------ red zones -- */

static void overflow_body(void *arg)
{
	size_t size = (size_t)(uintptr_t)arg;
	struct kmem_cache *s = kcache(size);
	unsigned char *p;

	assert_true(s->flags & SLAB_RED_ZONE);
	assert_int_equal(s->cpu_index, SLUB_MAX_PCPU_CACHES);	/* no sheaves */
	exercise(size, 50);
	p = kmalloc(size, GFP_KERNEL);
	assert_non_null(p);
	memset(p, 0x33, size);
	p[size] = 0x78;		/* one byte past the object */
	kfree(p);
	fail_msg("a one-byte overflow of a %zu-byte object went unnoticed", size);
}

/*
 * Padding (slub_debug=P): the bytes between an object's metadata and the
 * next object, and the slab's tail after its last object, keep the
 * POISON_INUSE the slab was filled with; a write there is caught at the
 * object's free ("Object padding overwritten") or when the slab goes back
 * to the buddy ("Padding overwritten").
 */
static void padding_body(void *arg)
{
	int slab_tail = arg != NULL;
	struct kmem_cache *c = slab_tail ? kmem_cache_create("pad_test", 1000, 0, SLAB_NO_MERGE, NULL)
					 : kmem_cache_create("pad_test", 24, 64, SLAB_NO_MERGE, NULL);
	unsigned char *p, *start;
	struct page *slab;

	assert_non_null(c);
	assert_true(c->flags & SLAB_POISON);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	memset(p, 0x11, c->object_size);
	if (!slab_tail) {
		assert_int_equal(c->size, 64);		/* 24 + free pointer, padded to 64 */
		p[40] = 0x22;
		kmem_cache_free(c, p);
	} else {
		slab = virt_to_slab(c, p);
		start = slab_address(slab);
		assert_true((size_t)c->objects * c->size < (PAGE_SIZE << c->order));
		start[(size_t)c->objects * c->size] = 0x22;
		kmem_cache_free(c, p);
		kmem_cache_destroy(c);
	}
	fail_msg("a write into the padding went unnoticed");
}

static void test_padding_overwritten(void **state)
{
	(void)state;
	expect_report(padding_body, NULL, "slub_debug=P,pad_test",
		      "BUG pad_test (Not tainted): Object padding overwritten");
	expect_text("First byte 0x22 instead of 0x5a");
	expect_report(padding_body, (void *)1, "slub_debug=P,pad_test",
		      "BUG pad_test (Not tainted): Padding overwritten. 0x");
	expect_text("Padding 0000");
}

static void alloc_one_body(void *arg)
{
	(void)arg;
	kfree(kmalloc(64, GFP_KERNEL));
	exit(0);
}

/*
 * Letters of slub_debug= that kalloc does not act on (the kernel's T, A,
 * O; typos) are named in one warning at boot; the known ones still work.
 */
static void test_unknown_letters_warned(void **state)
{
	(void)state;
	tu_run_child(alloc_one_body, NULL, "slub_debug=FZPUT", 10, &res);
	tu_assert_child_ok(&res);
	expect_text("slub_debug: ignoring the letters 'T'");
	tu_run_child(alloc_one_body, NULL, "slub_debug=Fq,kmalloc-64;QZ", 10, &res);
	tu_assert_child_ok(&res);
	expect_text("slub_debug: ignoring the letters 'qQ'");
	expect_silence(alloc_one_body, NULL, "slub_debug=fzpu");
}

/* An object of a new slab, never freed, overflowed and freed: its report. */
static void fresh_overflow_body(void *arg)
{
	struct kmem_cache *c = kmem_cache_create("fresh_test", 64, 0, SLAB_NO_MERGE, NULL);
	unsigned char *p;

	(void)arg;
	assert_non_null(c);
	p = kmem_cache_alloc(c, GFP_KERNEL);
	assert_non_null(p);
	p[64] = 0x78;
	kmem_cache_free(c, p);
	fail_msg("a one-byte overflow went unnoticed");
}

/*
 * The tracks of an object that was never freed: "Allocated in" its caller,
 * and no "Freed in" line (it printed the slab's poison as a caller, an age
 * and a pid: "Freed in 0x5a5a5a5a5a5a5a5a ... pid=1515870810").
 */
static void test_tracks_of_never_freed_object(void **state)
{
	(void)state;
	expect_report(fresh_overflow_body, NULL, "slub_debug=FZPU,fresh_test",
		      "BUG fresh_test (Not tainted): Right Redzone overwritten");
	expect_text("Allocated in");
	if (strstr(res.err, "Freed in") || strstr(res.err, "5a5a5a5a")) {
		tu_dump_child_stderr(&res);
		fail_msg("a never-freed object's report prints a free track");
	}
}

static void test_redzone_overflow(void **state)
{
	(void)state;
	expect_report(overflow_body, (void *)64, "slub_debug=Z,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Right Redzone overwritten");
	expect_text("First byte 0x78 instead of 0xcc");
	expect_report(overflow_body, (void *)64, "slub_debug=FZPU,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Right Redzone overwritten");
	expect_report(overflow_body, (void *)96, "slub_debug=Z,kmalloc-96",
		      "BUG kmalloc-96 (Not tainted): Right Redzone overwritten");
	expect_report(overflow_body, (void *)8, "slub_debug=ZP,kmalloc-8",
		      "BUG kmalloc-8 (Not tainted): Right Redzone overwritten");
	expect_report(overflow_body, (void *)8192, "slub_debug=Z,kmalloc-8k",
		      "BUG kmalloc-8k (Not tainted): Right Redzone overwritten");
}

static void underflow_body(void *arg)
{
	unsigned char *p;

	(void)arg;
	assert_true(kcache(64)->flags & SLAB_RED_ZONE);
	p = kmalloc(64, GFP_KERNEL);
	p[-1] = 0x79;		/* one byte before the object */
	kfree(p);
	fail_msg("a one-byte underflow went unnoticed");
}

static void test_redzone_underflow(void **state)
{
	(void)state;
	expect_report(underflow_body, NULL, "slub_debug=Z,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Left Redzone overwritten");
}

/* A user cache whose size is not a multiple of 8: the red zone starts right after it. */
static void odd_cache_overflow_body(void *arg)
{
	struct kmem_cache *c = kmem_cache_create("rz60", 60, 0, 0, NULL);
	unsigned char *p;
	unsigned int i;

	(void)arg;
	assert_non_null(c);
	assert_true(c->flags & SLAB_RED_ZONE);
	for (i = 0; i < 200; i++) {
		p = kmem_cache_alloc(c, GFP_KERNEL);
		memset(p, 0x21, 60);
		kmem_cache_free(c, p);
	}
	p = kmem_cache_alloc(c, GFP_KERNEL);
	p[60] = 0;
	kmem_cache_free(c, p);
	fail_msg("an overflow into the tail of a 60-byte object went unnoticed");
}

static void test_redzone_odd_size_cache(void **state)
{
	(void)state;
	expect_report(odd_cache_overflow_body, NULL, "slub_debug=Z,rz60",
		      "BUG rz60 (Not tainted): Right Redzone overwritten");
}

/*
 * malloc's own caches (lib/util.h) take slub_debug= by name like any
 * other: a one-byte overflow of a malloc-1152 object is caught, with the
 * cache named alone or with every cache debugged; naming one leaves the
 * next class alone.
 */
static void malloc_overflow_body(void *arg)
{
	struct kmem_cache *s, *next;
	unsigned char *p, *q[64];
	size_t usable;
	unsigned int i;

	p = kalloc_malloc(1100);
	assert_non_null(p);
	s = page_slab_cache(virt_to_page(p));
	assert_string_equal(s->name, "malloc-1152");
	assert_true(s->flags & SLAB_RED_ZONE);
	assert_int_equal(s->cpu_index, SLUB_MAX_PCPU_CACHES);	/* no sheaves */
	usable = kalloc_usable_size(p);
	assert_int_equal(usable, 1152);
	assert_int_equal((uintptr_t)p % 16, 0);
	for (i = 0; i < 64; i++) {	/* normal use first: no false alarm */
		q[i] = kalloc_malloc(1089 + i);
		assert_int_equal((uintptr_t)q[i] % 16, 0);
		memset(q[i], (int)i, kalloc_usable_size(q[i]));
	}
	for (i = 0; i < 64; i++)
		kalloc_free(q[i]);
	q[0] = kalloc_malloc(1200);
	next = page_slab_cache(virt_to_page(q[0]));
	assert_string_equal(next->name, "malloc-1248");
	if (arg) {	/* only malloc-1152 is debugged */
		assert_false(next->flags & SLAB_DEBUG_FLAGS);
		assert_true(next->cpu_index < SLUB_MAX_PCPU_CACHES);
	}
	kalloc_free(q[0]);
	memset(p, 0x33, usable);
	p[usable] = 0x78;	/* one byte past the object */
	kalloc_free(p);
	fail_msg("a one-byte overflow of a malloc-1152 object went unnoticed");
}

static void test_redzone_malloc_cache(void **state)
{
	(void)state;
	expect_report(malloc_overflow_body, (void *)1, "slub_debug=FZ,malloc-1152",
		      "BUG malloc-1152 (Not tainted): Right Redzone overwritten");
	expect_text("First byte 0x78 instead of 0xcc");
	expect_report(malloc_overflow_body, NULL, "slub_debug=FZPU",
		      "BUG malloc-1152 (Not tainted): Right Redzone overwritten");
}

/*
 * orig_size: under Z a kmalloc or malloc object keeps its requested size,
 * and a write between it and the object's size is caught at the free
 * ("kmalloc Redzone overwritten", the kernel's words since 6.2): bytes
 * 40..47 of a malloc(40) in its 48-byte class, byte 40 of a kmalloc(40) in
 * kmalloc-64.  malloc_usable_size() (ksize()) hands the whole object over,
 * and realloc() within the class moves the limit.
 */
static void slack_overflow_body(void *arg)
{
	int which = (int)(uintptr_t)arg;
	unsigned char *p, *q;

	switch (which) {
	case 0:
		p = kalloc_malloc(40);
		assert_non_null(p);
		memset(p, 0x11, 40);
		p[44] = 0x78;
		kalloc_free(p);
		break;
	case 1:
		p = kmalloc(40, GFP_KERNEL);
		assert_non_null(p);
		p[40] = 0x78;
		kfree(p);
		break;
	case 2:		/* none of this is an error */
		p = kalloc_malloc(40);
		memset(p, 0x22, kalloc_usable_size(p));
		kalloc_free(p);
		q = kmalloc(40, GFP_KERNEL);
		memset(q, 0x22, ksize(q));
		kfree(q);
		p = kalloc_malloc(33);
		p = kalloc_realloc(p, 47, 0);	/* stays in malloc-48 */
		memset(p, 0x33, 47);
		kalloc_free(p);
		q = kmalloc(10, GFP_KERNEL);
		q = krealloc(q, 16, GFP_KERNEL);
		memset(q, 0x44, 16);
		kfree(q);
		exit(0);
	case 3:		/* realloc() within the class moves the limit down too */
		p = kalloc_malloc(47);
		p = kalloc_realloc(p, 33, 0);
		p[40] = 0x78;
		kalloc_free(p);
		break;
	}
	fail_msg("a write past the requested size went unnoticed (case %d)", which);
}

static void test_kmalloc_redzone_slack(void **state)
{
	(void)state;
	expect_report(slack_overflow_body, (void *)0, "slub_debug=Z",
		      "kmalloc Redzone overwritten");
	expect_text("First byte 0x78 instead of 0xcc");
	expect_report(slack_overflow_body, (void *)1, "slub_debug=FZPU,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): kmalloc Redzone overwritten");
	expect_silence(slack_overflow_body, (void *)2, "slub_debug=FZPU");
	expect_report(slack_overflow_body, (void *)3, "slub_debug=Z",
		      "kmalloc Redzone overwritten");
}

/* Every malloc size under full debugging: the classes, 16-byte alignment, no report. */
static void malloc_every_size_body(void *arg)
{
	static void *objs[KMALLOC_MAX_CACHE_SIZE + 1];
	size_t size;

	(void)arg;
	for (size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		struct kmem_cache *s;

		objs[size] = kalloc_malloc(size);
		assert_non_null(objs[size]);
		s = page_slab_cache(virt_to_page(objs[size]));
		assert_true(s->flags & SLAB_RED_ZONE);
		assert_int_equal(kalloc_usable_size(objs[size]), s->object_size);
		assert_true(s->object_size >= size);
		if (size >= 16 && (uintptr_t)objs[size] % 16)
			fail_msg("malloc(%zu) = %p in %s: not 16-byte aligned", size, objs[size],
				 s->name);
		memset(objs[size], 0x44, s->object_size);
	}
	for (size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++)
		kalloc_free(objs[size]);
}

static void test_debug_malloc_every_size(void **state)
{
	(void)state;
	expect_silence(malloc_every_size_body, NULL, "slub_debug=FZPU");
}

/* --------------------------------------------------------- poison -- */

static void use_after_free_body(void *arg)
{
	struct kmem_cache *s = kcache(64);
	unsigned char *p;
	unsigned int i;

	(void)arg;
	assert_true(s->flags & SLAB_POISON);
	exercise(64, 50);
	p = kmalloc(64, GFP_KERNEL);
	memset(p, 1, 64);
	kfree(p);
	p[10] = 0x42;		/* a write after free */
	for (i = 0; i < 1000; i++)
		assert_non_null(kmalloc(64, GFP_KERNEL));
	fail_msg("a write into a freed object went unnoticed");
}

static void test_poison_use_after_free(void **state)
{
	(void)state;
	expect_report(use_after_free_body, NULL, "slub_debug=P,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Poison overwritten");
	expect_text("First byte 0x42 instead of 0x6b");
	expect_report(use_after_free_body, NULL, "slub_debug=FZPU,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Poison overwritten");
}

/*
 * Whole reports (the test program has no unwinder: each stack is the one
 * frame of the program's call), as the kernel's format strings print them (mm/slub.c:
 * slab_bug(), print_track(), print_slab_info(), print_trailer(),
 * check_bytes_and_report(), print_hex_dump(); dump_stack()'s header),
 * with what changes from run to run masked: addresses, ages, CPUs, pids,
 * offsets and sizes of functions, source lines (exact ones are
 * tests/test_lines.sh's).
 */

/*
 * A frame's " dir/file.c:123" (kallsyms.c's source line): " file.c:(line)", the
 * directory left out (it depends on where the build ran) and the line masked.
 */
static bool mask_source_line(const char **in, char *out, size_t size, size_t *n)
{
	const char *tok = *in + 1, *end = tok + strcspn(tok, " \n"), *colon, *base, *d;

	for (colon = end; colon > tok && colon[-1] != ':'; colon--)
		;
	if (colon <= tok + 2 || colon == end || strncmp(colon - 3, ".c:", 3))
		return false;
	for (d = colon; d < end; d++)
		if (!isdigit((unsigned char)*d))
			return false;
	for (base = colon; base > tok && base[-1] != '/'; base--)
		;
	*n += (size_t)snprintf(out + *n, size - *n, " %.*s(line)", (int)(colon - base), base);
	*in = end;
	return true;
}

/* Mask @in into @out: 16-digit hex -> "(ptr)", the numbers after age=, cpu=, pid=, "CPU: ",
 * "PID: ", "zone=" -> "N", "+0x../0x.." -> "+(off)/(size)". */
static void mask_report(const char *in, char *out, size_t size)
{
	static const char *const numbered[] = { "age=", "cpu=", "pid=", "CPU: ", "PID: ", "zone=" };
	size_t n = 0, i, k;

	while (*in && n + 16 < size) {
		for (k = 0; k < 16 && isxdigit((unsigned char)in[k]); k++)
			;
		if (k == 16 && !isxdigit((unsigned char)in[16])) {
			n += (size_t)snprintf(out + n, size - n, "(ptr)");
			in += 16;
			continue;
		}
		if (!strncmp(in, "+0x", 3) && strchr(in, '/') && strchr(in, '/') < strchr(in, '\n')) {
			n += (size_t)snprintf(out + n, size - n, "+(off)/(size)");
			in = strchr(in, '/') + 3;
			while (isxdigit((unsigned char)*in))
				in++;
			continue;
		}
		if (*in == ' ' && mask_source_line(&in, out, size, &n))
			continue;
		for (i = 0; i < ARRAY_SIZE(numbered); i++) {
			size_t l = strlen(numbered[i]);

			if (!strncmp(in, numbered[i], l) && isdigit((unsigned char)in[l])) {
				n += (size_t)snprintf(out + n, size - n, "%sN", numbered[i]);
				in += l;
				while (isdigit((unsigned char)*in))
					in++;
				break;
			}
		}
		if (i == ARRAY_SIZE(numbered))
			out[n++] = *in++;
	}
	out[n] = '\0';
}

/*
 * Keep the first frame of each stack only: how deep a stack goes depends on
 * whether the process has libgcc's unwinder (a sanitizer's runtime brings
 * it), the layout does not.
 */
static void first_frames_only(char *text)
{
	char *in = text, *out = text;
	bool prev_frame = false;

	while (*in) {
		char *end = strchr(in, '\n');
		size_t len = end ? (size_t)(end - in) + 1 : strlen(in);
		bool frame = !strncmp(in, "kalloc:  ", 9) && strncmp(in, "kalloc:  <TASK>", 15) &&
			     strncmp(in, "kalloc:  </TASK>", 16);

		if (!(frame && prev_frame)) {
			memmove(out, in, len);
			out += len;
		}
		prev_frame = frame;
		in += len;
	}
	*out = '\0';
}

static void expect_whole_report(const char *want)
{
	static char got[1 << 16];

	mask_report(res.err, got, sizeof(got));
	first_frames_only(got);
	if (strcmp(got, want)) {
		tu_dump_child_stderr(&res);
		fail_msg("the report differs from the kernel's layout; masked, it reads:\n%s\n"
			 "and the kernel's would read:\n%s", got, want);
	}
}

static void whole_report_body(void *arg)
{
	unsigned char *p = kalloc_malloc(40);

	assert_non_null(p);
	memset(p, 0x11, 40);
	if (arg) {
		kalloc_free(p);
		kalloc_free(p);
	} else {
		p[40] = 'x';
		kalloc_free(p);
	}
	fail_msg("not caught");
}

#define REPORT_HEADER(what)								\
	"kalloc: =============================================================================\n" \
	"BUG malloc-48 (Not tainted): " what "\n"					\
	"kalloc: -----------------------------------------------------------------------------\n" \
	"kalloc: \n"
#define REPORT_STACK									\
	"kalloc: CPU: N PID: N Comm: test_slub_debug Not tainted kalloc " KALLOC_VERSION "\n" \
	"kalloc: Call Trace:\n"								\
	"kalloc:  <TASK>\n"								\
	"kalloc:  whole_report_body+(off)/(size) test_slub_debug.c:(line)\n"	\
	"kalloc:  </TASK>\n"

static void test_whole_reports(void **state)
{
	(void)state;
	expect_report(whole_report_body, NULL, "slub_debug=FZPU,malloc-48",
		      "kmalloc Redzone overwritten");
	expect_whole_report(
		REPORT_HEADER("kmalloc Redzone overwritten")
		"kalloc: 0x(ptr)-0x(ptr) @offset=56. First byte 0x78 instead of 0xcc\n"
		"kalloc: Allocated in whole_report_body+(off)/(size) age=N cpu=N pid=N\n"
		"kalloc:  whole_report_body+(off)/(size) test_slub_debug.c:(line)\n"
		"kalloc: Slab 0x(ptr) objects=25 used=1 fp=0x(ptr) flags=0x8(slab|node=0|zone=N)\n"
		"kalloc: Object 0x(ptr) @offset=16 fp=0x(ptr)\n"
		"kalloc: \n"
		"kalloc: Redzone  (ptr): cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc cc  ................\n"
		"kalloc: Object   (ptr): 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11  ................\n"
		"kalloc: Object   (ptr): 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11  ................\n"
		"kalloc: Object   (ptr): 11 11 11 11 11 11 11 11 78 cc cc cc cc cc cc cc  ........x.......\n"
		"kalloc: Redzone  (ptr): cc cc cc cc cc cc cc cc                          ........\n"
		"kalloc: Padding  (ptr): 5a 5a 5a 5a 5a 5a 5a 5a                          ZZZZZZZZ\n"
		REPORT_STACK);
	/* the free track of an object freed once; no "Freed in" for one never freed (above) */
	expect_report(whole_report_body, (void *)1, "slub_debug=FZPU,malloc-48",
		      "Object already free");
	expect_whole_report(
		REPORT_HEADER("Object already free")
		"kalloc: Allocated in whole_report_body+(off)/(size) age=N cpu=N pid=N\n"
		"kalloc:  whole_report_body+(off)/(size) test_slub_debug.c:(line)\n"
		"kalloc: Freed in whole_report_body+(off)/(size) age=N cpu=N pid=N\n"
		"kalloc:  whole_report_body+(off)/(size) test_slub_debug.c:(line)\n"
		"kalloc: Slab 0x(ptr) objects=25 used=0 fp=0x(ptr) flags=0x8(slab|node=0|zone=N)\n"
		"kalloc: Object 0x(ptr) @offset=16 fp=0x(ptr)\n"
		"kalloc: \n"
		"kalloc: Redzone  (ptr): bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb bb  ................\n"
		"kalloc: Object   (ptr): 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk\n"
		"kalloc: Object   (ptr): 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b  kkkkkkkkkkkkkkkk\n"
		"kalloc: Object   (ptr): 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b 6b a5  kkkkkkkkkkkkkkk.\n"
		"kalloc: Redzone  (ptr): bb bb bb bb bb bb bb bb                          ........\n"
		"kalloc: Padding  (ptr): 5a 5a 5a 5a 5a 5a 5a 5a                          ZZZZZZZZ\n"
		REPORT_STACK);
}

/* A freed object reads as poison: 0x6b, the last byte 0xa5. */
static void poison_bytes_body(void *arg)
{
	unsigned char *p;
	unsigned int i;

	(void)arg;
	p = kmalloc(128, GFP_KERNEL);
	memset(p, 0, 128);
	kfree(p);
	for (i = 0; i < 127; i++)
		if (p[i] != POISON_FREE)
			fail_msg("freed byte %u is %#x, not %#x", i, p[i], POISON_FREE);
	assert_int_equal(p[127], POISON_END);
}

static void test_poison_pattern(void **state)
{
	(void)state;
	expect_silence(poison_bytes_body, NULL, "slub_debug=P,kmalloc-128");
}

/* ---------------------------------------------------- double free -- */

static void double_free_aba_body(void *arg)
{
	void *a, *b;

	(void)arg;
	assert_true(kcache(64)->flags & SLAB_CONSISTENCY_CHECKS);
	exercise(64, 20);
	a = kmalloc(64, GFP_KERNEL);
	b = kmalloc(64, GFP_KERNEL);
	kfree(a);
	kfree(b);
	kfree(a);	/* not in a row */
	fail_msg("the double free of %p went unnoticed", a);
}

static void test_double_free_not_in_a_row(void **state)
{
	(void)state;
	expect_report(double_free_aba_body, NULL, "slub_debug=F,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Object already free");
	expect_report(double_free_aba_body, NULL, "slub_debug=FZPU,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Object already free");
}

/* --------------------------------------------------- caller track -- */

__attribute__((noinline)) static void overflow_here(void)
{
	unsigned char *p = kmalloc(64, GFP_KERNEL);

	assert_non_null(p);
	p[64] = 1;
	kfree(p);
	__asm__ volatile("" ::: "memory");	/* no tail call */
}

static void track_alloc_body(void *arg)
{
	(void)arg;
	assert_true(kcache(64)->flags & SLAB_STORE_USER);
	overflow_here();
	fail_msg("overflow not caught");
}

__attribute__((noinline)) static void free_here(void *p)
{
	kfree(p);
	__asm__ volatile("" ::: "memory");
}

static void track_free_body(void *arg)
{
	unsigned char *p;
	unsigned int i;

	(void)arg;
	p = kmalloc(64, GFP_KERNEL);
	free_here(p);
	p[3] = 0;
	for (i = 0; i < 1000; i++)
		kmalloc(64, GFP_KERNEL);
	fail_msg("use after free not caught");
}

/*
 * The report line "<what> in <where>" names @fn: by its symbol
 * ("overflow_here+0x1c") when the executable exports it, else by an
 * address inside the function.
 */
static void expect_track(const char *what, const char *fn_name, uintptr_t fn)
{
	char key[32];
	const char *at, *where;
	uintptr_t addr;
	char *end;

	snprintf(key, sizeof(key), "%s in ", what);
	at = strstr(res.err, key);
	if (!at) {
		tu_dump_child_stderr(&res);
		fail_msg("the report has no \"%s\" line", key);
	}
	where = at + strlen(key);
	if (!strncmp(where, fn_name, strlen(fn_name)) && where[strlen(fn_name)] == '+')
		return;
	if (strncmp(where, "0x", 2)) {
		tu_dump_child_stderr(&res);
		fail_msg("\"%s\" names neither %s nor an address", key, fn_name);
	}
	addr = (uintptr_t)strtoull(where, &end, 16);
	if (addr <= fn || addr >= fn + 0x400) {
		tu_dump_child_stderr(&res);
		fail_msg("\"%s\" gives %#lx, not an address in %s (%#lx)", key, (unsigned long)addr,
			 fn_name, (unsigned long)fn);
	}
}

static void test_store_user(void **state)
{
	(void)state;
	expect_report(track_alloc_body, NULL, "slub_debug=ZU,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Right Redzone overwritten");
	expect_track("Allocated", "overflow_here", (uintptr_t)overflow_here);
	expect_report(track_free_body, NULL, "slub_debug=PU,kmalloc-64",
		      "BUG kmalloc-64 (Not tainted): Poison overwritten");
	expect_track("Freed", "free_here", (uintptr_t)free_here);
	/* Without U there is no track. */
	tu_run_child(overflow_body, (void *)32, "slub_debug=Z,kmalloc-32", 10, &res);
	tu_assert_child_aborted(&res, "BUG kmalloc-32 (Not tainted): Right Redzone overwritten");
	if (strstr(res.err, "Allocated in")) {
		tu_dump_child_stderr(&res);
		fail_msg("a cache without slub_debug=U reports an allocation track");
	}
}

/* ------------------------------------------- which caches are debugged -- */

static void no_debug_body(void *arg)
{
	const char *listed = arg;
	unsigned char *p;
	unsigned int i;

	kfree(kmalloc(1, GFP_KERNEL));
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++) {
		struct kmem_cache *s = kmalloc_caches[kmalloc_index(class_sizes[i])];
		bool want = listed && !strcmp(s->name, listed);

		if (!!(s->flags & SLAB_DEBUG_FLAGS) != want)
			fail_msg("%s: debug flags %#x", s->name, s->flags & SLAB_DEBUG_FLAGS);
		if (!want)
			assert_true(s->cpu_index < SLUB_MAX_PCPU_CACHES);	/* sheaves on */
	}
	/*
	 * The overflow of kmalloc-64 and a write after free go unnoticed
	 * (but for KASAN, make check-asan: tests/test_kasan.c).
	 */
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
#ifndef CONFIG_KASAN
	p[64] = 0x78;
#endif
	kfree(p);
#ifndef CONFIG_KASAN
	p[5] = 0x11;
#endif
	for (i = 0; i < 200; i++)
		kfree(kmalloc(64, GFP_KERNEL));
}

static void test_debug_off(void **state)
{
	(void)state;
	expect_silence(no_debug_body, NULL, "slub_debug=-");
	expect_silence(no_debug_body, NULL, NULL);
	/* Another cache listed: kmalloc-64 is left alone ... */
	expect_silence(no_debug_body, "kmalloc-128", "slub_debug=Z,kmalloc-128");
	/* ... while the listed one is checked. */
	expect_report(overflow_body, (void *)128, "slub_debug=Z,kmalloc-128",
		      "BUG kmalloc-128 (Not tainted): Right Redzone overwritten");
}

static void bare_flags_body(void *arg)
{
	struct kmem_cache *c;
	unsigned int i;

	(void)arg;
	kfree(kmalloc(1, GFP_KERNEL));
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++) {
		struct kmem_cache *s = kmalloc_caches[kmalloc_index(class_sizes[i])];

		if ((s->flags & SLUB_DEBUG_ALL) != SLUB_DEBUG_ALL)
			fail_msg("%s: flags %#x lack some of FZPU", s->name, s->flags);
		assert_int_equal(s->cpu_index, SLUB_MAX_PCPU_CACHES);
	}
	c = kmem_cache_create("any_cache", 100, 0, 0, NULL);
	assert_non_null(c);
	assert_int_equal(c->flags & SLUB_DEBUG_ALL, SLUB_DEBUG_ALL);
	for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
		exercise(class_sizes[i], 5);
	kmem_cache_destroy(c);
}

static void bare_uaf_body(void *arg)
{
	unsigned char *p = kmalloc(96, GFP_KERNEL);
	unsigned int i;

	(void)arg;
	kfree(p);
	p[95] = 0;
	for (i = 0; i < 1000; i++)
		kmalloc(96, GFP_KERNEL);
	fail_msg("use after free not caught");
}

static void bare_double_free_body(void *arg)
{
	struct kmem_cache *c = kmem_cache_create("any_cache", 100, 0, 0, NULL);
	void *a = kmem_cache_alloc(c, GFP_KERNEL), *b = kmem_cache_alloc(c, GFP_KERNEL);

	(void)arg;
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_free(c, a);
	fail_msg("double free not caught");
}

static void test_debug_bare(void **state)
{
	(void)state;
	expect_silence(bare_flags_body, NULL, "slub_debug");
	expect_report(overflow_body, (void *)8192, "slub_debug", "BUG kmalloc-8k (Not tainted): Right Redzone overwritten");
	expect_text("Allocated in");	/* U */
	expect_report(overflow_body, (void *)16, "slub_debug", "BUG kmalloc-16 (Not tainted): Right Redzone overwritten");
	expect_report(bare_uaf_body, NULL, "slub_debug", "BUG kmalloc-96 (Not tainted): End Poison overwritten");
	expect_report(bare_double_free_body, NULL, "slub_debug", "BUG any_cache (Not tainted): Object already free");
}

/* slub_debug= with several blocks, a prefix pattern, lower-case letters */
struct flags_case {
	const char *options;
	const char *cache;
	slab_flags_t want;
};

static const struct flags_case flags_cases[] = {
	{ "slub_debug=Z,kmalloc-*", "kmalloc-8", SLAB_RED_ZONE },
	{ "slub_debug=Z,kmalloc-*", "kmalloc-8k", SLAB_RED_ZONE },
	{ "slub_debug=Z,kmalloc-*", "user_cache", 0 },
	{ "slub_debug=F,kmalloc-64;P,kmalloc-128", "kmalloc-64", SLAB_CONSISTENCY_CHECKS },
	{ "slub_debug=F,kmalloc-64;P,kmalloc-128", "kmalloc-128", SLAB_POISON },
	{ "slub_debug=F,kmalloc-64;P,kmalloc-128", "kmalloc-256", 0 },
	{ "slub_debug=FZ,kmalloc-32,user_cache", "user_cache", SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE },
	{ "slub_debug=FZ,kmalloc-32,user_cache", "kmalloc-32", SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE },
	{ "slub_debug=FZ,kmalloc-32,user_cache", "kmalloc-64", 0 },
	{ "slub_debug=zu,kmalloc-64", "kmalloc-64", SLAB_RED_ZONE | SLAB_STORE_USER },
	{ "slub_debug=U", "kmalloc-512", SLAB_STORE_USER },
	{ "slub_debug=U", "user_cache", SLAB_STORE_USER },
	{ "slub_debug=,user_cache", "user_cache", SLUB_DEBUG_ALL },
	{ "slub_debug=,user_cache", "kmalloc-64", 0 },
};

static void flags_body(void *arg)
{
	const struct flags_case *fc = arg;
	struct kmem_cache *s = NULL;
	unsigned int i;
	void *objs[100];

	kfree(kmalloc(1, GFP_KERNEL));
	if (!strcmp(fc->cache, "user_cache")) {
		s = kmem_cache_create("user_cache", 100, 0, SLAB_NO_MERGE, NULL);
	} else {
		for (i = 0; i < ARRAY_SIZE(class_sizes); i++)
			if (!strcmp(kmalloc_caches[kmalloc_index(class_sizes[i])]->name, fc->cache))
				s = kmalloc_caches[kmalloc_index(class_sizes[i])];
	}
	assert_non_null(s);
	if ((s->flags & SLUB_DEBUG_ALL) != fc->want)
		fail_msg("%s with %s: debug flags %#x, expected %#x", fc->cache, fc->options,
			 s->flags & SLUB_DEBUG_ALL, fc->want);
	/* Debug caches have no sheaves; the others do. */
	assert_int_equal(s->cpu_index == SLUB_MAX_PCPU_CACHES, fc->want != 0);
	for (i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
		memset(objs[i], 0x5c, kmem_cache_size(s));
	}
	for (i = 0; i < 100; i++)
		kmem_cache_free(s, objs[i]);
}

static void test_debug_selection(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(flags_cases); i++)
		expect_silence(flags_body, (void *)&flags_cases[i], flags_cases[i].options);
}

/* ------------------------------------------------- constructors -- */

#define CTOR_SIZE	64

static void ctor_fill(void *p)
{
	memset(p, 0xc7, CTOR_SIZE);
}

/*
 * A cache with a constructor under slub_debug: objects come out in their
 * constructed state and no check reports a false corruption (the kernel
 * does not poison the objects of caches with a constructor).
 */
static void ctor_debug_body(void *arg)
{
	struct kmem_cache *c = kmem_cache_create("ctor_dbg", CTOR_SIZE, 0, 0, ctor_fill);
	unsigned char *objs[50];
	unsigned int i, j, r;

	(void)arg;
	assert_non_null(c);
	for (r = 0; r < 3; r++) {
		for (i = 0; i < 50; i++) {
			objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
			assert_non_null(objs[i]);
			for (j = 0; j < CTOR_SIZE; j++)
				if (objs[i][j] != 0xc7)
					fail_msg("round %u object %u byte %u is %#x: not constructed",
						 r, i, j, objs[i][j]);
		}
		for (i = 0; i < 50; i++)
			kmem_cache_free(c, objs[i]);	/* freed in the constructed state */
	}
	kmem_cache_destroy(c);
}

static void test_debug_ctor_cache(void **state)
{
	(void)state;
	expect_silence(ctor_debug_body, NULL, "slub_debug=FZU");
	expect_silence(ctor_debug_body, NULL, "slub_debug=P,ctor_dbg");
	expect_silence(ctor_debug_body, NULL, "slub_debug");
}

/* ------------------------------------- no false alarms under load -- */

/*
 * Everything checked (bare slub_debug): a random mix of kmalloc sizes,
 * kzalloc, krealloc and a user cache, from two threads that also free
 * each other's objects.  Nothing may be reported; every object keeps its
 * contents.
 */
#define LD_OPS		60000
#define LD_LIVE		2000

struct ld_obj {
	unsigned char *p;
	size_t size;
	unsigned char fill;
	bool cache;
};

static struct {
	pthread_mutex_t lock;
	struct ld_obj objs[LD_LIVE];
	unsigned int n;
} ldp = { .lock = PTHREAD_MUTEX_INITIALIZER };

#define LD_CACHE_SIZE	120
static struct kmem_cache *ld_cache;

static bool filled(const unsigned char *p, size_t n, unsigned char v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

static void ld_free(const struct ld_obj *o)
{
	if (o->cache)
		kmem_cache_free(ld_cache, o->p);
	else
		kfree(o->p);
}

static void *ld_thread(void *arg)
{
	struct tu_rng rng;
	unsigned int op;

	tu_rng_init(&rng, 31 + (uintptr_t)arg);
	for (op = 0; op < LD_OPS; op++) {
		uint64_t r = tu_rand_below(&rng, 100);
		struct ld_obj o;

		pthread_mutex_lock(&ldp.lock);
		if (ldp.n && (r < 45 || ldp.n == LD_LIVE)) {
			unsigned int k = (unsigned int)tu_rand_below(&rng, ldp.n);

			o = ldp.objs[k];
			ldp.objs[k] = ldp.objs[--ldp.n];
			pthread_mutex_unlock(&ldp.lock);
			if (!filled(o.p, o.size, o.fill))
				fail_msg("object %p (%zu bytes) lost its contents", (void *)o.p, o.size);
			if (r < 5 && !o.cache) {
				size_t ns = 1 + tu_rand_below(&rng, 3000);
				unsigned char *np = krealloc(o.p, ns, GFP_KERNEL);

				assert_non_null(np);
				if (!filled(np, min(ns, o.size), o.fill))
					fail_msg("krealloc lost the contents");
				memset(np, o.fill, ns);
				o.p = np;
				o.size = ns;
				pthread_mutex_lock(&ldp.lock);
				if (ldp.n < LD_LIVE) {
					ldp.objs[ldp.n++] = o;
					o.p = NULL;
				}
				pthread_mutex_unlock(&ldp.lock);
				if (o.p)
					ld_free(&o);
			} else {
				ld_free(&o);
			}
			continue;
		}
		pthread_mutex_unlock(&ldp.lock);
		o.fill = (unsigned char)(1 + tu_rand_below(&rng, 250));
		o.cache = r < 60;
		if (o.cache) {
			o.size = LD_CACHE_SIZE;
			o.p = kmem_cache_alloc(ld_cache, GFP_KERNEL);
		} else {
			o.size = 1 + (r < 97 ? tu_rand_below(&rng, 1024) : tu_rand_below(&rng, 20000));
			o.p = r % 2 ? kmalloc(o.size, GFP_KERNEL) : kzalloc(o.size, GFP_KERNEL);
		}
		assert_non_null(o.p);
		if (!o.cache && r % 2 == 0 && !filled(o.p, o.size, 0))
			fail_msg("kzalloc(%zu) not zeroed", o.size);
		memset(o.p, o.fill, o.size);
		pthread_mutex_lock(&ldp.lock);
		if (ldp.n < LD_LIVE) {
			ldp.objs[ldp.n++] = o;
			o.p = NULL;
		}
		pthread_mutex_unlock(&ldp.lock);
		if (o.p)
			ld_free(&o);
	}
	return NULL;
}

static void load_body(void *arg)
{
	pthread_t t[2];
	unsigned int i;

	(void)arg;
	ld_cache = kmem_cache_create("ld_cache", LD_CACHE_SIZE, 0, 0, NULL);
	assert_non_null(ld_cache);
	assert_true(ld_cache->flags & SLAB_RED_ZONE);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, ld_thread, (void *)(uintptr_t)i), 0);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < ldp.n; i++) {
		if (!filled(ldp.objs[i].p, ldp.objs[i].size, ldp.objs[i].fill))
			fail_msg("object %p lost its contents", (void *)ldp.objs[i].p);
		ld_free(&ldp.objs[i]);
	}
	kmem_cache_destroy(ld_cache);
}

static void test_debug_no_false_alarms(void **state)
{
	(void)state;
	expect_silence(load_body, NULL, "slub_debug");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracks_of_never_freed_object),
		cmocka_unit_test(test_kmalloc_redzone_slack),
		cmocka_unit_test(test_whole_reports),
		cmocka_unit_test(test_padding_overwritten),
		cmocka_unit_test(test_unknown_letters_warned),
		cmocka_unit_test(test_redzone_overflow),
		cmocka_unit_test(test_redzone_underflow),
		cmocka_unit_test(test_redzone_odd_size_cache),
		cmocka_unit_test(test_redzone_malloc_cache),
		cmocka_unit_test(test_debug_malloc_every_size),
		cmocka_unit_test(test_poison_use_after_free),
		cmocka_unit_test(test_poison_pattern),
		cmocka_unit_test(test_double_free_not_in_a_row),
		cmocka_unit_test(test_store_user),
		cmocka_unit_test(test_debug_off),
		cmocka_unit_test(test_debug_bare),
		cmocka_unit_test(test_debug_selection),
		cmocka_unit_test(test_debug_no_false_alarms),
		cmocka_unit_test(test_debug_ctor_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
