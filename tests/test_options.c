/*
 * tests/test_options.c - unit test of lib/options.c: memparse(), the
 * KALLOC_OPTIONS parser (every option, its limits, quotes, names, flags,
 * the warnings word for word, the count of ignored words), a fuzz loop,
 * and kalloc_getenv() over environ and over /proc/self/environ.
 *
 * Warnings are caught by pointing fd 2 at a temporary file around the
 * call, since printk() writes with the write system call.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "options.h"

extern char **environ;

#define K	(1ULL << 10)
#define M	(1ULL << 20)
#define G	(1ULL << 30)
#define T	(1ULL << 40)

/* ---------------------------------------------------------- helpers -- */

static char err[1 << 16];	/* what the last parse() wrote to stderr */

/* Parse STR with stderr caught in err[]; returns the parser's count. */
static int parse(const char *str)
{
	int saved, fd, ret;
	char path[] = "/tmp/test_options.XXXXXX";
	ssize_t n;

	fflush(stderr);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(fd, 2) == 2);
	ret = kalloc_parse_options(str);
	assert_true(dup2(saved, 2) == 2);
	close(saved);
	assert_true(lseek(fd, 0, SEEK_SET) == 0);
	n = read(fd, err, sizeof(err) - 1);
	assert_true(n >= 0);
	err[n] = '\0';
	close(fd);
	return ret;
}

/* STR is applied without a word of complaint. */
#define assert_parse_ok(str)			\
	do {					\
		assert_int_equal(parse(str), 0);\
		assert_string_equal(err, "");	\
	} while (0)

/* STR is refused with exactly the line MSG (without "kalloc: " and '\n'). */
#define assert_parse_warns(str, msg)				\
	do {							\
		assert_int_equal(parse(str), 1);		\
		assert_string_equal(err, "kalloc: " msg "\n");	\
	} while (0)

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The documented defaults, written out independently of options.c. */
static void assert_defaults(void)
{
	assert_int_equal(opt_mem, 0);
	assert_int_equal(opt_vmalloc, 128 * G);
	assert_int_equal(console_loglevel, 5);
	assert_int_equal(min_free_kbytes, 0);
	assert_int_equal(percpu_pagelist_high_fraction, 0);
	assert_int_equal(page_reporting_order, 0);
	assert_int_equal(page_reporting_delay_ms, 2000);
	assert_int_equal(page_reporting_high, 0);
}

static int reset(void **state)
{
	(void)state;
	kalloc_reset_options();
	return 0;
}

/* The variables as the program started, before any test touched them. */
static struct {
	unsigned long long mem, vmalloc, high;
	unsigned long min_free;
	unsigned int fraction, order, delay;
	int loglevel;
} initial;

static void save_initial(void)
{
	initial.mem = opt_mem;
	initial.vmalloc = opt_vmalloc;
	initial.high = page_reporting_high;
	initial.min_free = min_free_kbytes;
	initial.fraction = percpu_pagelist_high_fraction;
	initial.order = page_reporting_order;
	initial.delay = page_reporting_delay_ms;
	initial.loglevel = console_loglevel;
}

/* ---------------------------------------------------------- memparse -- */

static unsigned long long mp(const char *s)
{
	unsigned long long v = 0xdeadbeef;

	assert_int_equal(memparse(s, strlen(s), &v), 0);
	return v;
}

static void assert_memparse_fails(const char *s)
{
	unsigned long long v = 0xdeadbeef;

	assert_int_equal(memparse(s, s ? strlen(s) : 0, &v), -1);
	assert_int_equal(v, 0xdeadbeef);	/* untouched */
}

static void test_memparse_decimal(void **state)
{
	(void)state;
	assert_int_equal(mp("0"), 0);
	assert_int_equal(mp("1"), 1);
	assert_int_equal(mp("4096"), 4096);
	assert_int_equal(mp("007"), 7);		/* decimal, not octal */
	assert_int_equal(mp("18446744073709551615"), ULLONG_MAX);
}

static void test_memparse_suffixes(void **state)
{
	(void)state;
	assert_int_equal(mp("1K"), K);
	assert_int_equal(mp("1k"), K);
	assert_int_equal(mp("2M"), 2 * M);
	assert_int_equal(mp("2m"), 2 * M);
	assert_int_equal(mp("3G"), 3 * G);
	assert_int_equal(mp("3g"), 3 * G);
	assert_int_equal(mp("4T"), 4 * T);
	assert_int_equal(mp("4t"), 4 * T);
	assert_int_equal(mp("0K"), 0);
	assert_int_equal(mp("16777215T"), 16777215ULL << 40);
}

static void test_memparse_hex(void **state)
{
	(void)state;
	assert_int_equal(mp("0x10"), 16);
	assert_int_equal(mp("0XfF"), 255);
	assert_int_equal(mp("0x10K"), 16 * K);
	assert_int_equal(mp("0x1g"), G);
	assert_int_equal(mp("0xffffffffffffffff"), ULLONG_MAX);
	assert_memparse_fails("0x");
	assert_memparse_fails("0xg");
	assert_memparse_fails("0x-1");
	assert_memparse_fails("x10");
}

static void test_memparse_uses_len(void **state)
{
	unsigned long long v = 0;

	(void)state;
	assert_int_equal(memparse("1G junk", 2, &v), 0);
	assert_int_equal(v, G);
	assert_int_equal(memparse("123", 1, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(memparse("123", 0, &v), -1);
	assert_int_equal(memparse("1\0" "0", 3, &v), -1);	/* NUL inside */
}

static void test_memparse_rejects_junk(void **state)
{
	(void)state;
	assert_memparse_fails(NULL);
	assert_memparse_fails("");
	assert_memparse_fails("12Q");
	assert_memparse_fails("-1");
	assert_memparse_fails("+1");
	assert_memparse_fails(" 1");
	assert_memparse_fails("1 ");
	assert_memparse_fails("1KK");
	assert_memparse_fails("1KB");
	assert_memparse_fails("1P");
	assert_memparse_fails("K");
	assert_memparse_fails("1.5G");
	assert_memparse_fails("1,000");
}

static void test_memparse_overflow(void **state)
{
	(void)state;
	assert_memparse_fails("99999999999T");
	assert_memparse_fails("18446744073709551616");
	assert_memparse_fails("16777216T");		/* exactly 2^64 */
	assert_memparse_fails("17179869184G");		/* 2^64 again */
	assert_memparse_fails("0x10000000000000000");
	assert_memparse_fails("99999999999999999999999999999999");
}

/* ----------------------------------------------------------- defaults -- */

static void test_defaults_and_reset(void **state)
{
	(void)state;
	assert_defaults();
	assert_parse_ok("mem=2G vmalloc=1G loglevel=7 min_free_kbytes=1024 "
			"percpu_pagelist_high_fraction=8 page_reporting_order=3 "
			"page_reporting_delay=5 page_reporting_high=1M");
	assert_int_equal(opt_mem, 2 * G);
	assert_int_equal(page_reporting_high, M);
	kalloc_reset_options();
	assert_defaults();
}

/* The table's defaults are the ones the variables start with. */
static void test_reset_matches_initial_values(void **state)
{
	(void)state;
	kalloc_reset_options();
	assert_int_equal(opt_mem, initial.mem);
	assert_int_equal(opt_vmalloc, initial.vmalloc);
	assert_int_equal(page_reporting_high, initial.high);
	assert_int_equal(min_free_kbytes, initial.min_free);
	assert_int_equal(percpu_pagelist_high_fraction, initial.fraction);
	assert_int_equal(page_reporting_order, initial.order);
	assert_int_equal(page_reporting_delay_ms, initial.delay);
	assert_int_equal(console_loglevel, initial.loglevel);
}

/* ------------------------------------------------------------ options -- */

static void test_mem(void **state)
{
	(void)state;
	assert_parse_ok("mem=2G");
	assert_int_equal(opt_mem, 2 * G);
	assert_parse_ok("mem=4M");
	assert_int_equal(opt_mem, 4 * M);
	assert_parse_ok("mem=64G");
	assert_int_equal(opt_mem, 64 * G);
	assert_parse_ok("mem=0x40000000");
	assert_int_equal(opt_mem, G);
	assert_parse_ok("mem=0");			/* host RAM */
	assert_int_equal(opt_mem, 0);

	assert_parse_ok("mem=3G");
	assert_parse_warns("mem=1K", "ignoring option 'mem=1K': below the minimum 4M");
	assert_parse_warns("mem=4194303",
			   "ignoring option 'mem=4194303': below the minimum 4M");
	assert_parse_warns("mem=65G", "ignoring option 'mem=65G': above the maximum 64G");
	assert_parse_warns("mem=68719476737",
			   "ignoring option 'mem=68719476737': above the maximum 64G");
	assert_parse_warns("mem=12Q", "ignoring malformed option 'mem=12Q'");
	assert_parse_warns("mem=", "ignoring malformed option 'mem='");
	assert_parse_warns("mem", "ignoring malformed option 'mem'");
	assert_parse_warns("mem=99999999999T",
			   "ignoring malformed option 'mem=99999999999T'");
	assert_int_equal(opt_mem, 3 * G);		/* kept throughout */
}

static void test_vmalloc(void **state)
{
	(void)state;
	assert_parse_ok("vmalloc=16M");
	assert_int_equal(opt_vmalloc, 16 * M);
	assert_parse_ok("vmalloc=64T");
	assert_int_equal(opt_vmalloc, 64 * T);
	assert_parse_ok("vmalloc=256m");
	assert_int_equal(opt_vmalloc, 256 * M);
	assert_parse_warns("vmalloc=0", "ignoring option 'vmalloc=0': below the minimum 16M");
	assert_parse_warns("vmalloc=15M", "ignoring option 'vmalloc=15M': below the minimum 16M");
	assert_parse_warns("vmalloc=65T", "ignoring option 'vmalloc=65T': above the maximum 64T");
	assert_parse_warns("vmalloc=1G1", "ignoring malformed option 'vmalloc=1G1'");
	assert_int_equal(opt_vmalloc, 256 * M);
}

static void test_loglevel(void **state)
{
	(void)state;
	assert_parse_ok("loglevel=0");
	assert_int_equal(console_loglevel, 0);
	assert_parse_ok("loglevel=8");
	assert_int_equal(console_loglevel, 8);
	assert_parse_ok("loglevel=7");
	assert_int_equal(console_loglevel, 7);
	assert_parse_warns("loglevel=9", "ignoring option 'loglevel=9': above the maximum 8");
	assert_parse_warns("loglevel=-1", "ignoring malformed option 'loglevel=-1'");
	assert_parse_warns("loglevel=4K", "ignoring malformed option 'loglevel=4K'");
	assert_parse_warns("loglevel=4294967297",
			   "ignoring option 'loglevel=4294967297': above the maximum 8");
	assert_int_equal(console_loglevel, 7);
}

static void test_debug_and_quiet(void **state)
{
	(void)state;
	assert_parse_ok("debug");
	assert_int_equal(console_loglevel, 8);
	kalloc_reset_options();
	assert_int_equal(console_loglevel, 5);		/* reset restores it */
	assert_parse_ok("quiet");
	assert_int_equal(console_loglevel, 4);
	assert_parse_ok("debug=1");
	assert_int_equal(console_loglevel, 8);
	assert_parse_ok("quiet=on");
	assert_int_equal(console_loglevel, 4);
	assert_parse_ok("debug=Y");
	assert_int_equal(console_loglevel, 8);
	assert_parse_ok("quiet=0 quiet=n quiet=off quiet=OFF");	/* no-ops */
	assert_int_equal(console_loglevel, 8);
	assert_parse_ok("loglevel=6 debug=off");
	assert_int_equal(console_loglevel, 6);
	assert_parse_warns("debug=maybe", "ignoring malformed option 'debug=maybe'");
	assert_parse_warns("debug=", "ignoring malformed option 'debug='");
	assert_parse_warns("debug=yes", "ignoring malformed option 'debug=yes'");
	assert_parse_warns("debug=\x11", "ignoring malformed option 'debug=?'");
	assert_int_equal(console_loglevel, 6);
	assert_parse_ok("debug loglevel=3");		/* last wins */
	assert_int_equal(console_loglevel, 3);
}

static void test_min_free_kbytes(void **state)
{
	(void)state;
	assert_parse_ok("min_free_kbytes=1024");
	assert_int_equal(min_free_kbytes, 1024);
	assert_parse_ok("min_free_kbytes=1048576");
	assert_int_equal(min_free_kbytes, 1048576);
	assert_parse_ok("min_free_kbytes=0");
	assert_int_equal(min_free_kbytes, 0);
	assert_parse_ok("min_free_kbytes=2048");
	assert_parse_warns("min_free_kbytes=1048577",
			   "ignoring option 'min_free_kbytes=1048577': above the maximum 1048576");
	assert_parse_warns("min_free_kbytes=1M", "ignoring malformed option 'min_free_kbytes=1M'");
	assert_int_equal(min_free_kbytes, 2048);
}

/* possible_cpus=: the machine's CPU count, 0 for the host's. */
static void test_possible_cpus(void **state)
{
	(void)state;
	assert_int_equal(possible_cpus, 0);
	assert_parse_ok("possible_cpus=1");
	assert_int_equal(possible_cpus, 1);
	assert_parse_ok("possible_cpus=4096");
	assert_int_equal(possible_cpus, 4096);
	assert_parse_ok("possible_cpus=0");
	assert_int_equal(possible_cpus, 0);
	assert_parse_ok("possible-cpus=2");
	assert_parse_warns("possible_cpus=4097",
			   "ignoring option 'possible_cpus=4097': above the maximum 4096");
	assert_parse_warns("possible_cpus=two", "ignoring malformed option 'possible_cpus=two'");
	assert_int_equal(possible_cpus, 2);
}

static void test_percpu_pagelist_high_fraction(void **state)
{
	(void)state;
	assert_parse_ok("percpu_pagelist_high_fraction=8");
	assert_int_equal(percpu_pagelist_high_fraction, 8);
	assert_parse_ok("percpu_pagelist_high_fraction=1000");
	assert_int_equal(percpu_pagelist_high_fraction, 1000);
	assert_parse_ok("percpu_pagelist_high_fraction=0");
	assert_int_equal(percpu_pagelist_high_fraction, 0);
	assert_parse_ok("percpu_pagelist_high_fraction=100");
	assert_parse_warns("percpu_pagelist_high_fraction=1",
			   "ignoring option 'percpu_pagelist_high_fraction=1': below the minimum 8");
	assert_parse_warns("percpu_pagelist_high_fraction=7",
			   "ignoring option 'percpu_pagelist_high_fraction=7': below the minimum 8");
	assert_parse_warns("percpu_pagelist_high_fraction=1001",
			   "ignoring option 'percpu_pagelist_high_fraction=1001': above the maximum 1000");
	assert_int_equal(percpu_pagelist_high_fraction, 100);
}

static void test_page_reporting_order(void **state)
{
	(void)state;
	assert_parse_ok("page_reporting_order=0");
	assert_int_equal(page_reporting_order, 0);
	assert_parse_ok("page_reporting_order=10");
	assert_int_equal(page_reporting_order, 10);
	assert_parse_ok("page_reporting_order=0x9");
	assert_int_equal(page_reporting_order, 9);
	assert_parse_warns("page_reporting_order=11",
			   "ignoring option 'page_reporting_order=11': above the maximum 10");
	assert_int_equal(page_reporting_order, 9);
}

static void test_page_reporting_delay(void **state)
{
	(void)state;
	assert_parse_ok("page_reporting_delay=0");
	assert_int_equal(page_reporting_delay_ms, 0);
	assert_parse_ok("page_reporting_delay=600000");
	assert_int_equal(page_reporting_delay_ms, 600000);
	assert_parse_ok("page_reporting_delay=250");
	assert_parse_warns("page_reporting_delay=600001",
			   "ignoring option 'page_reporting_delay=600001': above the maximum 600000");
	/* the option is named after the kernel's knob, not the variable */
	assert_parse_warns("page_reporting_delay_ms=5",
			   "ignoring unknown option 'page_reporting_delay_ms=5'");
	assert_int_equal(page_reporting_delay_ms, 250);
}

static void test_page_reporting_high(void **state)
{
	(void)state;
	assert_parse_ok("page_reporting_high=0");
	assert_int_equal(page_reporting_high, 0);
	assert_parse_ok("page_reporting_high=64G");
	assert_int_equal(page_reporting_high, 64 * G);
	assert_parse_ok("page_reporting_high=512K");
	assert_int_equal(page_reporting_high, 512 * K);
	assert_parse_warns("page_reporting_high=65537M",
			   "ignoring option 'page_reporting_high=65537M': above the maximum 64G");
	assert_int_equal(page_reporting_high, 512 * K);
}

/* ------------------------------------------------------------- syntax -- */

static void test_quoted_value(void **state)
{
	(void)state;
	assert_parse_ok("mem=\"2G\"");
	assert_int_equal(opt_mem, 2 * G);
	assert_parse_ok("vmalloc=\"1G\" loglevel=\"7\"");
	assert_int_equal(opt_vmalloc, G);
	assert_int_equal(console_loglevel, 7);
}

static void test_quoted_word(void **state)
{
	(void)state;
	assert_parse_ok("\"mem=2G\"");
	assert_int_equal(opt_mem, 2 * G);
	assert_parse_ok("\"vmalloc=1G\" \"page_reporting_order=2\"");
	assert_int_equal(opt_vmalloc, G);
	assert_int_equal(page_reporting_order, 2);
}

/* Blanks inside quotes belong to the word, and the next word still counts. */
static void test_blank_inside_quotes(void **state)
{
	(void)state;
	assert_int_equal(parse("mem=\"2 G\" vmalloc=1G"), 1);
	assert_string_equal(err, "kalloc: ignoring malformed option 'mem=\"2 G\"'\n");
	assert_int_equal(opt_mem, 0);
	assert_int_equal(opt_vmalloc, G);

	assert_int_equal(parse("\"foo=a b\" mem=2G"), 1);
	assert_string_equal(err, "kalloc: ignoring unknown option '\"foo=a b\"'\n");
	assert_int_equal(opt_mem, 2 * G);
}

static void test_unterminated_quote(void **state)
{
	(void)state;
	assert_parse_warns("mem=\"2G vmalloc=1G",
			   "ignoring malformed option 'mem=\"2G vmalloc=1G'");
	assert_int_equal(opt_mem, 0);
	assert_int_equal(opt_vmalloc, 128 * G);
	assert_parse_warns("loglevel=7 \"", "ignoring malformed option '\"'");
	assert_int_equal(console_loglevel, 7);
	assert_parse_warns("\"mem=1G", "ignoring malformed option '\"mem=1G'");
	assert_int_equal(opt_mem, 0);
}

static void test_dash_underscore(void **state)
{
	(void)state;
	assert_parse_ok("page-reporting-order=3");
	assert_int_equal(page_reporting_order, 3);
	assert_parse_ok("percpu-pagelist_high-fraction=8");
	assert_int_equal(percpu_pagelist_high_fraction, 8);
	assert_parse_ok("min-free-kbytes=16");
	assert_int_equal(min_free_kbytes, 16);
	/* only in names: "-" in a value is still a minus sign */
	assert_parse_warns("page-reporting-order=-3",
			   "ignoring malformed option 'page-reporting-order=-3'");
	assert_int_equal(page_reporting_order, 3);
}

static void test_names_are_exact(void **state)
{
	(void)state;
	assert_parse_warns("me=1G", "ignoring unknown option 'me=1G'");
	assert_parse_warns("memm=1G", "ignoring unknown option 'memm=1G'");
	assert_parse_warns("MEM=1G", "ignoring unknown option 'MEM=1G'");
	assert_parse_warns("=1G", "ignoring unknown option '=1G'");
	assert_parse_warns("debugx", "ignoring unknown option 'debugx'");
	assert_parse_warns("mem.=1G", "ignoring unknown option 'mem.=1G'");
	assert_defaults();
}

static void test_blanks(void **state)
{
	(void)state;
	assert_parse_ok("\tmem=2G\n  vmalloc=1G \r\n\v\fpage_reporting_order=1  ");
	assert_int_equal(opt_mem, 2 * G);
	assert_int_equal(opt_vmalloc, G);
	assert_int_equal(page_reporting_order, 1);
}

static void test_empty_and_null(void **state)
{
	(void)state;
	assert_parse_ok("");
	assert_parse_ok(" \t\n ");
	assert_int_equal(kalloc_parse_options(NULL), 0);
	assert_defaults();
}

static void test_last_word_wins(void **state)
{
	(void)state;
	assert_parse_ok("mem=1G mem=2G");
	assert_int_equal(opt_mem, 2 * G);
	assert_parse_warns("mem=1G mem=1K",
			   "ignoring option 'mem=1K': below the minimum 4M");
	assert_int_equal(opt_mem, G);
}

/* ------------------------------------------------------- bad words -- */

static void test_unknown_word_keeps_defaults(void **state)
{
	(void)state;
	assert_parse_warns("foo=1", "ignoring unknown option 'foo=1'");
	assert_defaults();
	assert_parse_warns("foo", "ignoring unknown option 'foo'");
	assert_defaults();
}

static void test_return_counts_ignored_words(void **state)
{
	(void)state;
	assert_int_equal(parse("foo mem=1K bar=2 mem=12Q loglevel=3 vmalloc=1G"), 4);
	assert_string_equal(err,
		"kalloc: ignoring unknown option 'foo'\n"
		"kalloc: ignoring option 'mem=1K': below the minimum 4M\n"
		"kalloc: ignoring unknown option 'bar=2'\n"
		"kalloc: ignoring malformed option 'mem=12Q'\n");
	assert_int_equal(console_loglevel, 3);
	assert_int_equal(opt_vmalloc, G);
	assert_int_equal(opt_mem, 0);
}

/* Options apply left to right: quiet silences the words after it only. */
static void test_quiet_silences_later_warnings(void **state)
{
	(void)state;
	assert_int_equal(parse("foo=1 quiet bar=2"), 2);
	assert_string_equal(err, "kalloc: ignoring unknown option 'foo=1'\n");
}

static void test_long_word_is_one_short_line(void **state)
{
	size_t len = 1 << 20;
	char *s = malloc(len + 1);
	const char *prefix = "kalloc: ignoring malformed option 'mem=aaaa";

	(void)state;
	assert_non_null(s);
	memcpy(s, "mem=", 4);
	memset(s + 4, 'a', len - 4);
	s[len] = '\0';
	assert_int_equal(parse(s), 1);
	assert_int_equal(count_lines(err), 1);
	assert_memory_equal(err, prefix, strlen(prefix));
	assert_true(strlen(err) < 300);
	assert_non_null(strstr(err, "aaa...'\n"));
	assert_int_equal(opt_mem, 0);

	s[0] = 'x';					/* an unknown name */
	s[len / 2] = '=';
	assert_int_equal(parse(s), 1);
	assert_int_equal(count_lines(err), 1);
	free(s);
}

static void test_control_characters_stay_on_one_line(void **state)
{
	(void)state;
	assert_parse_warns("\"foo=a\nb\x1b[31m\"",
			   "ignoring unknown option '\"foo=a?b?[31m\"'");
	assert_parse_warns("mem=\"1\nG\"", "ignoring malformed option 'mem=\"1?G\"'");
	assert_int_equal(opt_mem, 0);
}

/* -------------------------------------------------------------- fuzz -- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;			/* xorshift64 */
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Whatever the input, no option may hold a value outside its range. */
static bool all_in_range(void)
{
	return (opt_mem == 0 || (opt_mem >= 4 * M && opt_mem <= 64 * G)) &&
	       opt_vmalloc >= 16 * M && opt_vmalloc <= 64 * T &&
	       console_loglevel >= 0 && console_loglevel <= 8 &&
	       min_free_kbytes <= 1048576 &&
	       (percpu_pagelist_high_fraction == 0 ||
		(percpu_pagelist_high_fraction >= 8 &&
		 percpu_pagelist_high_fraction <= 1000)) &&
	       page_reporting_order <= 10 &&
	       page_reporting_delay_ms <= 600000 &&
	       page_reporting_high <= 64 * G;
}

/*
 * Parse RUNS strings made by FILL, stderr thrown away (failures are
 * reported once it is back); each must leave every option in range and
 * count no more ignored words than the string can hold.
 */
static void fuzz(size_t (*fill)(char *buf, size_t size), int runs)
{
	char buf[512];
	int devnull, saved, i, ret = 0;
	size_t len = 0;

	devnull = open("/dev/null", O_WRONLY);
	assert_true(devnull >= 0);
	fflush(stderr);
	saved = dup(2);
	assert_true(saved >= 0);
	assert_true(dup2(devnull, 2) == 2);
	for (i = 0; i < runs; i++) {
		len = fill(buf, sizeof(buf));
		buf[len] = '\0';
		kalloc_reset_options();
		ret = kalloc_parse_options(buf);
		if (ret < 0 || (size_t)ret > len / 2 + 1 || !all_in_range())
			break;
	}
	dup2(saved, 2);
	close(saved);
	close(devnull);
	if (i < runs)
		fail_msg("run %d: returned %d, options out of range: %d; input: '%s'",
			 i, ret, !all_in_range(), buf);
}

static size_t random_bytes(char *buf, size_t size)
{
	size_t len = next_rand() % (size - 1), i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(1 + next_rand() % 255);		/* no NUL */
	return len;
}

static size_t random_tokens(char *buf, size_t size)
{
	static const char *const pieces[] = {
		"mem", "vmalloc", "loglevel", "debug", "quiet", "min_free_kbytes",
		"percpu_pagelist_high_fraction", "page-reporting-order",
		"page_reporting_delay", "page_reporting_high", "foo",
		"=", "=", "=", "\"", "\"", " ", " ", "\t", "\n", "-", "_",
		"0", "1", "7", "9", "12", "1000", "0x", "ff", "99999999999",
		"K", "M", "G", "T", "k", "Q", "on", "off", "y", "n",
	};
	size_t len = 0, n = next_rand() % 24, i, l;

	for (i = 0; i < n; i++) {
		const char *p = pieces[next_rand() % ARRAY_SIZE(pieces)];

		l = strlen(p);
		if (len + l >= size)
			break;
		memcpy(buf + len, p, l);
		len += l;
	}
	return len;
}

static void test_fuzz_random_bytes(void **state)
{
	(void)state;
	fuzz(random_bytes, 100000);
}

static void test_fuzz_random_tokens(void **state)
{
	(void)state;
	fuzz(random_tokens, 50000);
}

/* ------------------------------------------------------------ getenv -- */

static void test_getenv_environ(void **state)
{
	const char *v;

	(void)state;
	assert_int_equal(setenv("KALLOC_TEST_VAR", "a b=c", 1), 0);
	assert_int_equal(setenv("KALLOC_TEST_VARX", "other", 1), 0);
	unsetenv("KALLOC_TEST_MISSING");
	v = kalloc_getenv("KALLOC_TEST_VAR");
	assert_non_null(v);
	assert_string_equal(v, "a b=c");
	assert_ptr_equal(v, getenv("KALLOC_TEST_VAR"));
	assert_string_equal(kalloc_getenv("KALLOC_TEST_VARX"), "other");
	assert_null(kalloc_getenv("KALLOC_TEST_MISSING"));
	assert_null(kalloc_getenv("KALLOC_TEST_VA"));	/* a prefix */
	assert_null(kalloc_getenv("KALLOC_TEST_VAR="));
	assert_null(kalloc_getenv(""));
	assert_null(kalloc_getenv(NULL));
	assert_int_equal(setenv("KALLOC_TEST_EMPTY", "", 1), 0);
	assert_string_equal(kalloc_getenv("KALLOC_TEST_EMPTY"), "");
	unsetenv("KALLOC_TEST_VAR");
	assert_null(kalloc_getenv("KALLOC_TEST_VAR"));
}

/* An empty (but present) environ is the answer: no fallback to /proc. */
static void test_getenv_empty_environ(void **state)
{
	char **saved = environ;
	char *empty[] = { NULL };
	char *one[] = { "KALLOC_A=1", "KALLOC_B=2", NULL };

	(void)state;
	environ = empty;
	assert_null(kalloc_getenv("PATH"));
	environ = one;
	assert_string_equal(kalloc_getenv("KALLOC_B"), "2");
	assert_null(kalloc_getenv("PATH"));
	environ = saved;
}

/*
 * Without environ, the answer is the environment the process started
 * with, as /proc/self/environ (read here with stdio) shows it.
 */
static void test_getenv_proc_self_environ(void **state)
{
	static char data[64 * 1024];
	char **saved = environ;
	size_t n, i;
	FILE *f;
	int checked = 0;

	(void)state;
	f = fopen("/proc/self/environ", "r");
	if (!f)
		skip();
	n = fread(data, 1, sizeof(data) - 1, f);
	fclose(f);
	while (n && data[n - 1] != '\0')	/* keep whole strings only */
		n--;

	environ = NULL;
	assert_null(kalloc_getenv("KALLOC_TEST_SURELY_NOT_SET_ANYWHERE"));
	for (i = 0; i < n; i += strlen(data + i) + 1) {
		char *entry = data + i, *eq = strchr(entry, '=');
		char name[256];
		const char *got;
		size_t j;

		if (!eq || eq == entry || (size_t)(eq - entry) >= sizeof(name))
			continue;
		memcpy(name, entry, eq - entry);
		name[eq - entry] = '\0';
		/* the first of duplicate names is the one found */
		for (j = 0; j < i; j += strlen(data + j) + 1)
			if (!strncmp(data + j, name, eq - entry) &&
			    data[j + (eq - entry)] == '=')
				break;
		if (j < i)
			continue;
		got = kalloc_getenv(name);
		if (!got) {
			environ = saved;
			fail_msg("%s is in /proc/self/environ but not found", name);
		}
		if (strcmp(got, eq + 1)) {
			environ = saved;
			fail_msg("%s: got '%s', want '%s'", name, got, eq + 1);
		}
		checked++;
	}
	environ = saved;
	if (!checked)
		skip();			/* started with an empty environment */
}

/*
 * The "options" report: every option once, in KALLOC_OPTIONS syntax, with
 * the value in effect; what it prints parses back to the same settings.
 */
static void test_options_report(void **state)
{
	char buf[8192], again[8192];
	FILE *f;

	(void)state;
	kalloc_reset_options();
	assert_int_equal(parse("kswapd page_reporting_delay=500 slub_debug=FZ,kmalloc-64 phys=memfd"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	kalloc_options_show(f);
	fclose(f);
	assert_non_null(strstr(buf, "\nkswapd=1\n"));
	assert_non_null(strstr(buf, "\npage_reporting_delay=500\n"));
	assert_non_null(strstr(buf, "\nslub_debug=FZ,kmalloc-64\n"));
	assert_non_null(strstr(buf, "phys=memfd\n"));
	assert_non_null(strstr(buf, "\nnohugevmalloc=0\n"));
	assert_null(strstr(buf, "\ndebug="));	/* an alias of loglevel= */
	/* Parse it back (one line = one word): the same report. */
	kalloc_reset_options();
	for (char *w = buf, *nl; (nl = strchr(w, '\n')); w = nl + 1) {
		*nl = '\0';
		assert_int_equal(parse(w), 0);
		*nl = '\n';
	}
	f = fmemopen(again, sizeof(again), "w");
	kalloc_options_show(f);
	fclose(f);
	assert_string_equal(again, buf);
	kalloc_reset_options();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memparse_decimal),
		cmocka_unit_test(test_memparse_suffixes),
		cmocka_unit_test(test_memparse_hex),
		cmocka_unit_test(test_memparse_uses_len),
		cmocka_unit_test(test_memparse_rejects_junk),
		cmocka_unit_test(test_memparse_overflow),
		cmocka_unit_test_setup(test_defaults_and_reset, reset),
		cmocka_unit_test(test_reset_matches_initial_values),
		cmocka_unit_test(test_options_report),
		cmocka_unit_test_setup(test_mem, reset),
		cmocka_unit_test_setup(test_vmalloc, reset),
		cmocka_unit_test_setup(test_loglevel, reset),
		cmocka_unit_test_setup(test_debug_and_quiet, reset),
		cmocka_unit_test_setup(test_min_free_kbytes, reset),
		cmocka_unit_test_setup(test_percpu_pagelist_high_fraction, reset),
		cmocka_unit_test_setup(test_possible_cpus, reset),
		cmocka_unit_test_setup(test_page_reporting_order, reset),
		cmocka_unit_test_setup(test_page_reporting_delay, reset),
		cmocka_unit_test_setup(test_page_reporting_high, reset),
		cmocka_unit_test_setup(test_quoted_value, reset),
		cmocka_unit_test_setup(test_quoted_word, reset),
		cmocka_unit_test_setup(test_blank_inside_quotes, reset),
		cmocka_unit_test_setup(test_unterminated_quote, reset),
		cmocka_unit_test_setup(test_dash_underscore, reset),
		cmocka_unit_test_setup(test_names_are_exact, reset),
		cmocka_unit_test_setup(test_blanks, reset),
		cmocka_unit_test_setup(test_empty_and_null, reset),
		cmocka_unit_test_setup(test_last_word_wins, reset),
		cmocka_unit_test_setup(test_unknown_word_keeps_defaults, reset),
		cmocka_unit_test_setup(test_return_counts_ignored_words, reset),
		cmocka_unit_test_setup(test_quiet_silences_later_warnings, reset),
		cmocka_unit_test_setup(test_long_word_is_one_short_line, reset),
		cmocka_unit_test_setup(test_control_characters_stay_on_one_line, reset),
		cmocka_unit_test_setup(test_fuzz_random_bytes, reset),
		cmocka_unit_test_setup(test_fuzz_random_tokens, reset),
		cmocka_unit_test(test_getenv_environ),
		cmocka_unit_test(test_getenv_empty_environ),
		cmocka_unit_test(test_getenv_proc_self_environ),
	};

	save_initial();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
