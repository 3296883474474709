/*
 * tests/test_debug_line.c - unit test of lib/debug_line.c, the source
 * lines of reports, on this test's own line table (it is built with -g):
 *
 *  1. a call's return address names this file and the line of the call
 *     (__LINE__ on the same line), through debug_line_sprint() on
 *     /proc/self/exe and through kallsyms.c's sprint_line() and
 *     sprint_backtrace_line() ("name+0xoff/0xsize file.c:N");
 *  2. the table taken apart: .debug_line and .debug_line_str copied into a
 *     small ELF image of their own whose .debug_line ends at a PROT_NONE
 *     page, so that any read past the section faults.  Cut at every length
 *     up to the end of the unit that holds the line (and at steps beyond),
 *     a lookup prints the exact line or nothing, never another line;
 *  3. corruptions that a reader must catch print nothing: a unit length
 *     past the section, the reserved lengths, versions 1 and 6, a header
 *     length past the unit, a line_range of 0, an address size of 4, a
 *     line_strp offset past .debug_line_str, a program cut before its
 *     DW_LNE_end_sequence;
 *  4. every byte of that unit overwritten with 0x00, 0xff, 0x80 and its
 *     bits flipped, one at a time: no lookup reads out of bounds or fails
 *     to end (the line printed, if any, is whatever the altered table says).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel.h"

/* ------------------------------------------------ this file's lines -- */

static __attribute__((noinline)) unsigned long return_address(void)
{
	return (unsigned long)__builtin_return_address(0);
}

static unsigned long call_addr;	/* a return address in call_site() */
static int call_line;		/* the line of that call */

static __attribute__((noinline)) void call_site(void)
{
	call_addr = return_address(); call_line = __LINE__;
}

/* call_addr - 1 as this program's line table gives addresses (relative to its load base). */
static unsigned long call_pc(void)
{
	Dl_info info;

	call_site();
	assert_true(dladdr((void *)(call_addr - 1), &info));
	return call_addr - 1 - (unsigned long)info.dli_fbase;
}

/* "test_debug_line.c:N" ends @s, with this file's directory as the build names it before. */
static void assert_our_line(const char *s)
{
	char want[64];
	size_t n, w;

	snprintf(want, sizeof(want), "test_debug_line.c:%d", call_line);
	n = strlen(s);
	w = strlen(want);
	if (n < w || strcmp(s + n - w, want) || (n > w && s[n - w - 1] != '/' && s[n - w - 1] != ' '))
		fail_msg("'%s' does not end with '%s'", s, want);
}

static void test_own_line(void **state)
{
	unsigned long pc = call_pc();
	const unsigned char *img;
	char buf[256], sym[512];
	size_t len;

	(void)state;
	img = map_file_ro("/proc/self/exe", &len);
	assert_non_null(img);
	assert_true(debug_line_sprint(buf, sizeof(buf), img, len, pc) > 0);
	assert_our_line(buf);
	assert_non_null(strstr(buf, "tests/test_debug_line.c:"));	/* the build's path, relative */
	sys_munmap((void *)img, len);

	assert_true(sprint_line(sym, sizeof(sym), call_addr, true) > 0);
	assert_string_equal(sym, buf);
	assert_true(sprint_backtrace_line(sym, sizeof(sym), call_addr) > 0);
	assert_true(!strncmp(sym, "call_site+0x", 12));
	assert_our_line(sym);
	/* a buffer too small: no line rather than part of one */
	assert_int_equal(sprint_line(sym, 8, call_addr, true), 0);
	assert_string_equal(sym, "");
	/* an address in no object */
	assert_int_equal(sprint_line(sym, sizeof(sym), 16, false), 0);
}

/* ------------------------------------------- the table, taken apart -- */

struct section_copy {
	unsigned char *data;
	size_t size;
};

/* Section @name of this program's file, copied (malloc()). */
static struct section_copy copy_section(const char *name)
{
	struct section_copy c = { NULL, 0 };
	size_t len;
	const unsigned char *img = map_file_ro("/proc/self/exe", &len);
	const ElfW(Ehdr) *eh = (const void *)img;
	const ElfW(Shdr) *sh = (const void *)(img + eh->e_shoff);
	const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;
	int i;

	for (i = 0; i < eh->e_shnum && !c.data; i++) {
		if (strcmp(names + sh[i].sh_name, name))
			continue;
		assert_false(sh[i].sh_flags & SHF_COMPRESSED);
		c.size = sh[i].sh_size;
		c.data = malloc(c.size);
		memcpy(c.data, img + sh[i].sh_offset, c.size);
	}
	sys_munmap((void *)img, len);
	assert_non_null(c.data);
	return c;
}

/* An ELF file of three sections: the names, .debug_line_str, then .debug_line last. */
struct image {
	unsigned char *map;		/* the mapping: the image, then a PROT_NONE page */
	size_t map_len;
	unsigned char *img;		/* the image's first byte */
	size_t len;
};

static const char image_names[] = "\0.shstrtab\0.debug_line_str\0.debug_line";

/*
 * @line_len bytes of @line as the .debug_line of a new image, its last
 * byte just before a PROT_NONE page, @str as its .debug_line_str.
 */
static struct image make_image(const struct section_copy *line, size_t line_len,
			       const struct section_copy *str)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t hdrs = sizeof(ElfW(Ehdr)) + 4 * sizeof(ElfW(Shdr));
	size_t names_at = hdrs, str_at = names_at + sizeof(image_names);
	size_t line_at = str_at + str->size, len = line_at + line_len;
	size_t rounded = (len + page - 1) / page * page;
	struct image im;
	ElfW(Ehdr) *eh;
	ElfW(Shdr) *sh;

	im.map_len = rounded + page;
	im.map = mmap(NULL, im.map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(im.map != MAP_FAILED);
	assert_int_equal(mprotect(im.map + rounded, page, PROT_NONE), 0);
	im.img = im.map + rounded - len;
	im.len = len;
	eh = (ElfW(Ehdr) *)im.img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_DYN;
	eh->e_shoff = sizeof(*eh);
	eh->e_shentsize = sizeof(ElfW(Shdr));
	eh->e_shnum = 4;
	eh->e_shstrndx = 1;
	sh = (ElfW(Shdr) *)(im.img + eh->e_shoff);
	memset(sh, 0, 4 * sizeof(*sh));
	sh[1] = (ElfW(Shdr)){ .sh_name = 1, .sh_type = SHT_STRTAB, .sh_offset = names_at,
			      .sh_size = sizeof(image_names) };
	sh[2] = (ElfW(Shdr)){ .sh_name = 11, .sh_type = SHT_PROGBITS, .sh_offset = str_at,
			      .sh_size = str->size };
	sh[3] = (ElfW(Shdr)){ .sh_name = 27, .sh_type = SHT_PROGBITS, .sh_offset = line_at,
			      .sh_size = line_len };
	memcpy(im.img + names_at, image_names, sizeof(image_names));
	memcpy(im.img + str_at, str->data, str->size);
	memcpy(im.img + line_at, line->data, line_len);
	assert_int_equal(mprotect(im.map, rounded, PROT_READ), 0);	/* as a mapped file */
	return im;
}

static void drop_image(struct image *im)
{
	munmap(im->map, im->map_len);
}

/* The line of @pc in @line_len bytes of @line: "" when none. */
static const char *lookup(const struct section_copy *line, size_t line_len,
			  const struct section_copy *str, unsigned long pc)
{
	static char buf[256];
	struct image im = make_image(line, line_len, str);

	debug_line_sprint(buf, sizeof(buf), im.img, im.len, pc);
	drop_image(&im);
	return buf;
}

struct table {
	struct section_copy line, str;
	unsigned long pc;
	char want[256];
	size_t unit, unit_end;	/* the unit that holds the line: its offset and end */
};

/*
 * This program's table, the line of call_pc(), and the unit that holds it:
 * the first whose end, as the section's end, gives the line.
 */
static void load_table(struct table *t)
{
	size_t off = 0;

	t->pc = call_pc();
	t->line = copy_section(".debug_line");
	t->str = copy_section(".debug_line_str");
	snprintf(t->want, sizeof(t->want), "%s", lookup(&t->line, t->line.size, &t->str, t->pc));
	assert_our_line(t->want);
	while (off + 4 <= t->line.size) {
		uint32_t len;

		memcpy(&len, t->line.data + off, 4);
		assert_true(len < 0xfffffff0);	/* gcc writes 32-bit DWARF */
		t->unit = off;
		off += 4 + len;
		if (!strcmp(lookup(&t->line, off, &t->str, t->pc), t->want))
			break;
	}
	t->unit_end = off;
	assert_true(t->unit_end <= t->line.size);
}

static void free_table(struct table *t)
{
	free(t->line.data);
	free(t->str.data);
}

static void test_truncated(void **state)
{
	struct table t;
	size_t k;

	(void)state;
	load_table(&t);
	for (k = 0; k <= t.line.size; k += k < t.unit_end + 64 ? 1 : 61) {
		const char *got = lookup(&t.line, k, &t.str, t.pc);

		if (k < t.unit_end && *got)
			fail_msg("cut at %zu of %zu (the unit ends at %zu): '%s'", k, t.line.size,
				 t.unit_end, got);
		if (k >= t.unit_end && strcmp(got, t.want))
			fail_msg("cut at %zu, after the unit: '%s', not '%s'", k, got, t.want);
	}
	free_table(&t);
}

/* The unit of @t with @n bytes at @at (from the unit's start) replaced by @bytes: its line. */
static const char *patched(struct table *t, size_t at, const void *bytes, size_t n)
{
	unsigned char save[8];
	const char *got;

	assert_true(n <= sizeof(save) && t->unit + at + n <= t->line.size);
	memcpy(save, t->line.data + t->unit + at, n);
	memcpy(t->line.data + t->unit + at, bytes, n);
	got = lookup(&t->line, t->line.size, &t->str, t->pc);
	memcpy(t->line.data + t->unit + at, save, n);
	return got;
}

#define EXPECT_NO_LINE(t, at, ...)						\
	do {									\
		const unsigned char b_[] = { __VA_ARGS__ };			\
		const char *got_ = patched(t, at, b_, sizeof(b_));		\
		if (*got_)							\
			fail_msg("%s at %d: '%s', not nothing", #__VA_ARGS__, at, got_); \
	} while (0)

static void test_corrupted(void **state)
{
	struct table t;
	uint16_t version;
	uint32_t len;
	const unsigned char *p;
	const char *got;

	(void)state;
	load_table(&t);
	p = t.line.data + t.unit;
	memcpy(&version, p + 4, 2);
	assert_int_equal(version, 5);		/* gcc 12's default */

	EXPECT_NO_LINE(&t, 0, 0xff, 0xff, 0xff, 0x7f);		/* unit_length past the section */
	EXPECT_NO_LINE(&t, 0, 0xf0, 0xff, 0xff, 0xff);		/* reserved */
	EXPECT_NO_LINE(&t, 0, 0xff, 0xff, 0xff, 0xff);		/* 64-bit, its length garbage */
	EXPECT_NO_LINE(&t, 4, 1, 0);				/* version 1 */
	EXPECT_NO_LINE(&t, 4, 6, 0);				/* version 6 */
	EXPECT_NO_LINE(&t, 6, 4);				/* address_size 4 */
	EXPECT_NO_LINE(&t, 8, 0xff, 0xff, 0xff, 0x0f);		/* header_length past the unit */
	EXPECT_NO_LINE(&t, 16, 0);				/* line_range 0 */
	/* the first directory's line_strp (entry 0: format count, DW_LNCT_path, form, count) */
	assert_int_equal(p[30], 1);
	assert_int_equal(p[31], 1);	/* DW_LNCT_path */
	assert_int_equal(p[32], 0x1f);	/* DW_FORM_line_strp */
	EXPECT_NO_LINE(&t, 34, 0xff, 0xff, 0xff, 0x7f);
	/* the program cut before its end: the unit's length shortened by one */
	memcpy(&len, p, 4);
	len--;
	got = patched(&t, 0, &len, 4);
	if (*got)
		fail_msg("a unit one byte short: '%s'", got);
	free_table(&t);
}

static void test_mutated(void **state)
{
	static const int values[] = { 0x00, 0xff, 0x80, -1 };
	struct table t;
	size_t at, v, lines = 0, lookups = 0;

	(void)state;
	load_table(&t);
	for (at = 0; t.unit + at < t.unit_end; at++) {
		for (v = 0; v < ARRAY_SIZE(values); v++) {
			unsigned char b = values[v] < 0 ? t.line.data[t.unit + at] ^ 0xff
							: (unsigned char)values[v];

			lines += *patched(&t, at, &b, 1) != '\0';
			lookups++;
		}
	}
	print_message("%zu lookups of a unit changed a byte at a time, %zu found a line\n", lookups,
		      lines);
	assert_true(lookups > 100);
	free_table(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_line),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_mutated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
