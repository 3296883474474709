/*
 * tests/test_debug_line.c - unit test of lib/debug_line.c, the source
 * lines of reports, on this test's own line table (it is built with -g):
 *
 *  1. a call's return address names this file and the line of the call
 *     (__LINE__ on the same line), through debug_line_sprint() on
 *     /proc/self/exe and through kallsyms.c's sprint_line() and
 *     sprint_backtrace_line() ("name+0xoff/0xsize file.c:N");
 *  2. the tables taken apart: .debug_line, .debug_line_str, .debug_str,
 *     .debug_aranges, .debug_info and .debug_abbrev copied into a small
 *     ELF image of their own, one of them last and ending at a PROT_NONE
 *     page, so that any read past it faults.  .debug_line cut at every
 *     length up to the end of the unit that holds the line (and at steps
 *     beyond): a lookup prints the exact line or nothing, never another
 *     line; the sections that say which unit holds an address cut at any
 *     length: the line all the same (every unit is run instead), or for
 *     .debug_aranges cut between its units, nothing;
 *  3. corruptions that a reader must catch print nothing: a unit length
 *     past the section, the reserved lengths, versions 1 and 6, a header
 *     length past the unit, a line_range of 0, an address size of 4, a
 *     line_strp offset past .debug_line_str, a program cut before its
 *     DW_LNE_end_sequence;
 *  4. every byte of that unit overwritten with 0x00, 0xff, 0x80 and its
 *     bits flipped, one at a time: no lookup reads out of bounds or fails
 *     to end (the line printed, if any, is whatever the altered table
 *     says); the same over .debug_aranges, and the start of .debug_info
 *     and .debug_abbrev: the right line or none.
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
	{
		char name[256];
		int n = sprint_symbol(name, sizeof(name), call_addr);

		/* one byte short of " file.c:N" after the name: the name alone */
		sprint_backtrace_line(sym, (size_t)n + 1 + strlen(buf), call_addr);
		assert_string_equal(sym, name);
		sprint_backtrace_line(sym, (size_t)n + 2 + strlen(buf), call_addr);
		assert_our_line(sym);
	}
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

/* The sections a lookup reads, in the order an image holds them (but for the one put last). */
enum { S_LINE_STR, S_STR, S_ABBREV, S_INFO, S_ARANGES, S_LINE, NR_SECTIONS };
static const char *const section_names[NR_SECTIONS] = {
	".debug_line_str", ".debug_str", ".debug_abbrev", ".debug_info", ".debug_aranges",
	".debug_line",
};

struct table {
	struct section_copy sec[NR_SECTIONS];
	unsigned long pc;
	char want[256];
	size_t unit, unit_end;	/* the line unit that holds the line: its offset and end */
};

/* An ELF file of the sections of @t, section @last last, cut to @last_len bytes. */
struct image {
	unsigned char *map;		/* the mapping: the image, then a PROT_NONE page */
	size_t map_len;
	unsigned char *img;		/* the image's first byte */
	size_t len;
};

/*
 * A new image of the sections of @t, each named in a .shstrtab, section
 * @last at the end and its last byte just before a PROT_NONE page: a read
 * past it faults.  Read-only, as a mapped file.
 */
static struct image make_image(const struct table *t, int last, size_t last_len)
{
	long page = sysconf(_SC_PAGESIZE);
	char names[256];
	size_t names_len = 1, name_at[NR_SECTIONS], at, len, rounded;
	int order[NR_SECTIONS], i, k = 0;
	struct image im;
	ElfW(Ehdr) *eh;
	ElfW(Shdr) *sh;

	names[0] = '\0';
	for (i = 0; i < NR_SECTIONS; i++) {
		name_at[i] = names_len;
		names_len += (size_t)sprintf(names + names_len, "%s", section_names[i]) + 1;
		if (i != last)
			order[k++] = i;
	}
	order[k] = last;
	memcpy(names + names_len, ".shstrtab", 10);
	at = sizeof(*eh) + (NR_SECTIONS + 2) * sizeof(*sh) + names_len + 10;
	len = at + last_len;
	for (i = 0; i < NR_SECTIONS; i++)
		len += i == last ? 0 : t->sec[i].size;
	at += (8 - len % 8) % 8;	/* padding: the image starts 8-aligned, as a mapping does */
	len += (8 - len % 8) % 8;
	rounded = (len + page - 1) / page * page;
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
	eh->e_shentsize = sizeof(*sh);
	eh->e_shnum = NR_SECTIONS + 2;
	eh->e_shstrndx = NR_SECTIONS + 1;
	sh = (ElfW(Shdr) *)(im.img + eh->e_shoff);
	memset(sh, 0, (NR_SECTIONS + 2) * sizeof(*sh));
	sh[NR_SECTIONS + 1] = (ElfW(Shdr)){ .sh_name = names_len, .sh_type = SHT_STRTAB,
					    .sh_offset = sizeof(*eh) + (NR_SECTIONS + 2) * sizeof(*sh),
					    .sh_size = names_len + 10 };
	memcpy(im.img + sh[NR_SECTIONS + 1].sh_offset, names, names_len + 10);
	for (k = 0; k < NR_SECTIONS; k++) {
		size_t n = order[k] == last ? last_len : t->sec[order[k]].size;

		sh[1 + order[k]] = (ElfW(Shdr)){ .sh_name = name_at[order[k]], .sh_type = SHT_PROGBITS,
						 .sh_offset = at, .sh_size = n };
		memcpy(im.img + at, t->sec[order[k]].data, n);
		at += n;
	}
	assert_int_equal(mprotect(im.map, rounded, PROT_READ), 0);
	return im;
}

/* The line of @t->pc with section @last cut to @last_len bytes: "" when none. */
static const char *lookup(const struct table *t, int last, size_t last_len)
{
	static char buf[256];
	struct image im = make_image(t, last, last_len);

	debug_line_sprint(buf, sizeof(buf), im.img, im.len, t->pc);
	munmap(im.map, im.map_len);
	return buf;
}

/*
 * This program's sections, the line of call_pc(), and the line unit that
 * holds it: the first whose end, as the section's end, gives the line.
 */
static void load_table(struct table *t)
{
	size_t off = 0;
	int i;

	t->pc = call_pc();
	for (i = 0; i < NR_SECTIONS; i++)
		t->sec[i] = copy_section(section_names[i]);
	snprintf(t->want, sizeof(t->want), "%s", lookup(t, S_LINE, t->sec[S_LINE].size));
	assert_our_line(t->want);
	while (off + 4 <= t->sec[S_LINE].size) {
		uint32_t len;

		memcpy(&len, t->sec[S_LINE].data + off, 4);
		assert_true(len < 0xfffffff0);	/* gcc writes 32-bit DWARF */
		t->unit = off;
		off += 4 + len;
		if (!strcmp(lookup(t, S_LINE, off), t->want))
			break;
	}
	t->unit_end = off;
	assert_true(t->unit_end <= t->sec[S_LINE].size);
}

static void free_table(struct table *t)
{
	int i;

	for (i = 0; i < NR_SECTIONS; i++)
		free(t->sec[i].data);
}

static void test_truncated(void **state)
{
	struct table t;
	size_t k;
	int i;

	(void)state;
	load_table(&t);
	for (k = 0; k <= t.sec[S_LINE].size; k += k < t.unit_end + 64 ? 1 : 61) {
		const char *got = lookup(&t, S_LINE, k);

		if (k < t.unit_end && *got)
			fail_msg("cut at %zu of %zu (the unit ends at %zu): '%s'", k,
				 t.sec[S_LINE].size, t.unit_end, got);
		if (k >= t.unit_end && strcmp(got, t.want))
			fail_msg("cut at %zu, after the unit: '%s', not '%s'", k, got, t.want);
	}
	/*
	 * The sections that say which unit: cut inside a unit, the lookup
	 * runs every unit and finds the line all the same; .debug_aranges cut
	 * between its units may lose the one that holds the address, and the
	 * names cut may lose the file's: then nothing.
	 */
	for (i = 0; i < NR_SECTIONS; i++) {
		for (k = 0; i != S_LINE && k <= t.sec[i].size; k += k < 4096 ? 1 : 61) {
			const char *got = lookup(&t, i, k);

			if (strcmp(got, t.want) && ((i != S_LINE_STR && i != S_ARANGES) || *got))
				fail_msg("%s cut at %zu of %zu: '%s', not '%s'", section_names[i], k,
					 t.sec[i].size, got, t.want);
		}
	}
	free_table(&t);
}

/* The line with @n bytes at @at of section @sec replaced by @bytes. */
static const char *patched(struct table *t, int sec, size_t at, const void *bytes, size_t n)
{
	unsigned char save[8];
	const char *got;

	assert_true(n <= sizeof(save) && at + n <= t->sec[sec].size);
	memcpy(save, t->sec[sec].data + at, n);
	memcpy(t->sec[sec].data + at, bytes, n);
	got = lookup(t, sec, t->sec[sec].size);
	memcpy(t->sec[sec].data + at, save, n);
	return got;
}

/* Bytes at @at of the line unit of @t: no line. */
#define EXPECT_NO_LINE(t, at, ...)						\
	do {									\
		const unsigned char b_[] = { __VA_ARGS__ };			\
		const char *got_ = patched(t, S_LINE, (t)->unit + (at), b_, sizeof(b_)); \
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
	p = t.sec[S_LINE].data + t.unit;
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
	got = patched(&t, S_LINE, t.unit, &len, 4);
	if (*got)
		fail_msg("a unit one byte short: '%s'", got);
	free_table(&t);
}

/*
 * Each byte of [@from, @to) of section @sec overwritten in turn, with
 * each of 0x00, 0xff, 0x80 and its bits flipped; with @exact, the line
 * found must be the right one or none.  Returns the lookups that found one.
 */
static size_t mutate(struct table *t, int sec, size_t from, size_t to, bool exact)
{
	static const int values[] = { 0x00, 0xff, 0x80, -1 };
	size_t at, v, lines = 0;

	for (at = from; at < to && at < t->sec[sec].size; at++) {
		for (v = 0; v < ARRAY_SIZE(values); v++) {
			unsigned char b = values[v] < 0 ? t->sec[sec].data[at] ^ 0xff
							: (unsigned char)values[v];
			const char *got = patched(t, sec, at, &b, 1);

			if (exact && *got && strcmp(got, t->want))
				fail_msg("%s: byte %zu as %#x: '%s', not '%s'", section_names[sec], at, b,
					 got, t->want);
			lines += *got != '\0';
		}
	}
	print_message("%s [%zu, %zu) changed a byte at a time: %zu lookups found a line\n",
		      section_names[sec], from, to, lines);
	return lines;
}

static void test_mutated(void **state)
{
	struct table t;

	(void)state;
	load_table(&t);
	/* the line unit: whatever the altered table says, but never out of bounds */
	mutate(&t, S_LINE, t.unit, t.unit_end, false);
	/* which unit: a wrong answer is caught, and every unit run */
	assert_true(mutate(&t, S_ARANGES, 0, 4096, true) > 0);
	assert_true(mutate(&t, S_INFO, 0, 1024, true) > 0);
	assert_true(mutate(&t, S_ABBREV, 0, 1024, true) > 0);
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
