/*
 * tests/test_reports.c - the page allocator's reports (lib/vmstat.c):
 * kalloc_report() with "buddyinfo", "pagetypeinfo", "zoneinfo", "totals",
 * "all" and NULL, parsed back and checked against each other and against
 * allocations of known size made through the public API.
 *
 * The machine: unless KALLOC_OPTIONS is set, main() sets "mem=2G" and
 * re-executes itself, so that every zone, HIGHMEM included, has memory
 * whatever the host's RAM.  With KALLOC_OPTIONS set it runs as it is and
 * skips what needs HIGHMEM when the machine has none.  Two tests run the
 * program again as a fresh child (run_child()): mem=512M, to see an empty
 * HIGHMEM printed in full, and mem=2G, to see the pageblock types of a
 * zone that only the child has touched.
 *
 * Captures go to one fmemopen() stream over a static buffer, opened once
 * with a static stdio buffer (not open_memstream(), whose buffer grows by
 * realloc()): writing a report then allocates nothing, and neither does
 * the parsing, so the numbers of two captures differ only by what the test
 * itself did (malloc() is kalloc's own when the test links libkalloc).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "kalloc.h"

/* The emulated machine's constants (design 2, lib/mm.h). */
#define SECTION_PAGES	1024UL		/* 4 MiB sections */
#define DMA_END_PFN	4096UL		/* 16 MiB */
#define LOWMEM_END_PFN	229376UL	/* 896 MiB */
#define FREECOUNT_CAP	100000UL	/* pagetypeinfo stops counting a list here */

static const char *const zone_names[MAX_NR_ZONES] = { "DMA", "Normal", "HighMem", "Movable" };

/* ------------------------------------------------------------ capture -- */

#define OUTBUF_SIZE	(1UL << 20)
static char outbuf[OUTBUF_SIZE];
static char iobuf[1 << 16];
static FILE *cap;

static int group_setup(void **state)
{
	(void)state;
	cap = fmemopen(outbuf, sizeof(outbuf), "w");
	if (!cap)
		return -1;
	if (setvbuf(cap, iobuf, _IOFBF, sizeof(iobuf)))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (cap)
		fclose(cap);
	cap = NULL;
	return 0;
}

/*
 * Run kalloc_report(which) into outbuf; returns its return value and the
 * text (valid until the next capture) in *text.
 */
static int capture(const char *which, const char **text)
{
	long len;
	int rc, saved;

	rewind(cap);
	clearerr(cap);
	errno = 0;
	rc = kalloc_report(cap, which);
	saved = errno;
	assert_int_equal(fflush(cap), 0);
	len = ftell(cap);
	errno = saved;
	assert_true(len >= 0);
	assert_true((unsigned long)len < OUTBUF_SIZE - 1);	/* not truncated */
	outbuf[len] = '\0';
	*text = outbuf;
	return rc;
}

/* Print a mismatch with both values, then fail (jemalloc-style expect). */
#define expect_eq(zone, what, a, b) do {				\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (__a != __b) {						\
		print_error("%s:%d: zone %s: %s: %lld != %lld\n",	\
			    __FILE__, __LINE__, (zone), (what), __a, __b); \
		fail();							\
	}								\
} while (0)

#define expect_le(zone, what, a, b) do {				\
	long long __a = (long long)(a), __b = (long long)(b);		\
	if (!(__a <= __b)) {						\
		print_error("%s:%d: zone %s: %s: %lld > %lld\n",	\
			    __FILE__, __LINE__, (zone), (what), __a, __b); \
		fail();							\
	}								\
} while (0)

/* ------------------------------------------------------------ parsing -- */

#define MAX_TYPES	8
#define MAX_KEYS	64
#define LINE_MAX_LEN	512

struct keyval {
	char key[48];
	long long val;
	int has_val;
	char line[160];
};

struct zinfo {
	char name[16];

	/* buddyinfo */
	int have_buddy;
	unsigned long nr_free[NR_PAGE_ORDERS];

	/* pagetypeinfo */
	int ntypes;
	char types[MAX_TYPES][16];
	unsigned long type_free[MAX_TYPES][NR_PAGE_ORDERS];
	int capped[MAX_TYPES][NR_PAGE_ORDERS];	/* printed as ">N" */
	int have_blocks;
	unsigned long blocks[MAX_TYPES];

	/* zoneinfo: every "key value" line of the zone's block, in order */
	int have_zoneinfo;
	int nkeys;
	struct keyval kv[MAX_KEYS];
	int nprot;
	long protection[8];
	char protection_line[LINE_MAX_LEN];

	/* totals */
	int have_totals;
	unsigned long t_present, t_managed, t_pcp, sec_online, sec_total;
	long t_free, t_alloc, t_reported;
};

struct machine {
	struct zinfo z[MAX_NR_ZONES];
	int nbuddy, nzoneinfo, ntotals;

	/* pagetypeinfo */
	long pageblock_order, pages_per_block;
	int nblock_types;
	char block_types[MAX_TYPES][16];

	/* totals */
	struct zinfo total;
	long rss_kb, peak_kb;
};

/* strcpy() that fails the test instead of truncating. */
static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	assert_true(n < size);
	memcpy(dst, src, n + 1);
}

/* Copy the next line of *p (without '\n') into line; NULL at the end. */
static const char *next_line(const char **p, char *line, size_t size)
{
	const char *s = *p, *e;
	size_t n;

	if (!*s)
		return NULL;
	e = strchr(s, '\n');
	if (!e)
		e = s + strlen(s);
	n = (size_t)(e - s);
	assert_true(n < size);
	memcpy(line, s, n);
	line[n] = '\0';
	*p = *e ? e + 1 : e;
	return line;
}

static int zone_index(const char *name)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		if (!strcmp(name, zone_names[i]))
			return i;
	print_error("unknown zone name '%s'\n", name);
	fail();
	return -1;
}

/* Parse "Node 0, zone %8s" at the start of line; returns the zone index. */
static int parse_zone_head(const char *line, int *consumed)
{
	char name[16];
	int node = -1, n = 0;

	if (sscanf(line, "Node %d, zone %15s%n", &node, name, &n) != 2)
		return -1;
	assert_int_equal(node, 0);
	*consumed = n;
	return zone_index(name);
}

/*
 * buddyinfo: exactly one line per zone,
 *	"Node 0, zone %8s " then "%6lu " for each order,
 * checked byte for byte by printing the parsed numbers back.
 */
static void parse_buddyinfo(const char *text, struct machine *m)
{
	char line[LINE_MAX_LEN], expect[LINE_MAX_LEN];
	const char *p = text;

	m->nbuddy = 0;
	while (next_line(&p, line, sizeof(line))) {
		struct zinfo *z;
		const char *s;
		char *end;
		int zi, n, order, len;

		zi = parse_zone_head(line, &n);
		if (zi < 0) {
			print_error("buddyinfo: unexpected line '%s'\n", line);
			fail();
		}
		assert_int_equal(zi, m->nbuddy);	/* zone order */
		z = &m->z[zi];
		snprintf(z->name, sizeof(z->name), "%s", zone_names[zi]);
		s = line + n;
		for (order = 0; order < NR_PAGE_ORDERS; order++) {
			errno = 0;
			z->nr_free[order] = strtoul(s, &end, 10);
			assert_true(end != s && errno == 0);
			s = end;
		}
		while (*s == ' ')
			s++;
		assert_int_equal(*s, '\0');		/* 11 numbers, no more */

		len = snprintf(expect, sizeof(expect), "Node %d, zone %8s ", 0, z->name);
		for (order = 0; order < NR_PAGE_ORDERS; order++)
			len += snprintf(expect + len, sizeof(expect) - len, "%6lu ",
					z->nr_free[order]);
		assert_string_equal(line, expect);
		z->have_buddy = 1;
		m->nbuddy++;
	}
}

static unsigned long parse_count(const char **s, int *capped)
{
	char *end;
	unsigned long v;

	while (**s == ' ')
		(*s)++;
	if (**s == '>') {
		*capped = 1;
		(*s)++;
	}
	errno = 0;
	v = strtoul(*s, &end, 10);
	assert_true(end != *s && errno == 0);
	*s = end;
	return v;
}

/*
 * pagetypeinfo:
 *	Page block order: 9
 *	Pages per block:  512
 *
 *	Free pages count per migrate type at order      0 ...     10
 *	Node    0, zone      DMA, type    Unmovable      1 ...
 *	...
 *
 *	Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate
 *	Node 0, zone      DMA            1            1            0            0            0
 */
static void parse_pagetypeinfo(const char *text, struct machine *m)
{
	char line[LINE_MAX_LEN], expect[LINE_MAX_LEN];
	const char *p = text;
	int order, len, i, t;

	assert_non_null(next_line(&p, line, sizeof(line)));
	assert_int_equal(sscanf(line, "Page block order: %ld", &m->pageblock_order), 1);
	snprintf(expect, sizeof(expect), "Page block order: %ld", m->pageblock_order);
	assert_string_equal(line, expect);

	assert_non_null(next_line(&p, line, sizeof(line)));
	assert_int_equal(sscanf(line, "Pages per block: %ld", &m->pages_per_block), 1);
	snprintf(expect, sizeof(expect), "Pages per block:  %ld", m->pages_per_block);
	assert_string_equal(line, expect);

	assert_non_null(next_line(&p, line, sizeof(line)));
	assert_string_equal(line, "");

	assert_non_null(next_line(&p, line, sizeof(line)));
	len = snprintf(expect, sizeof(expect), "%-43s ",
		       "Free pages count per migrate type at order");
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		len += snprintf(expect + len, sizeof(expect) - len, "%6d ", order);
	assert_string_equal(line, expect);

	/* Free counts: one line per zone and type, zone by zone. */
	for (;;) {
		char zname[16], tname[16];
		struct zinfo *z;
		const char *s;
		int node, n = 0, zi;

		assert_non_null(next_line(&p, line, sizeof(line)));
		if (!line[0])
			break;
		if (sscanf(line, "Node %d, zone %15[^,], type %15s%n",
			   &node, zname, tname, &n) != 3) {
			print_error("pagetypeinfo: unexpected line '%s'\n", line);
			fail();
		}
		assert_int_equal(node, 0);
		{
			const char *zn = zname;

			while (*zn == ' ')
				zn++;
			zi = zone_index(zn);
		}
		z = &m->z[zi];
		assert_true(z->ntypes < MAX_TYPES);
		t = z->ntypes++;
		snprintf(z->types[t], sizeof(z->types[t]), "%s", tname);
		s = line + n;
		for (order = 0; order < NR_PAGE_ORDERS; order++)
			z->type_free[t][order] = parse_count(&s, &z->capped[t][order]);
		while (*s == ' ')
			s++;
		assert_int_equal(*s, '\0');

		len = snprintf(expect, sizeof(expect), "Node %4d, zone %8s, type %12s ",
			       0, zone_names[zi], tname);
		for (order = 0; order < NR_PAGE_ORDERS; order++)
			len += snprintf(expect + len, sizeof(expect) - len, "%s%6lu ",
					z->capped[t][order] ? ">" : "",
					z->type_free[t][order]);
		assert_string_equal(line, expect);
	}

	/* The block table's header names the types. */
	assert_non_null(next_line(&p, line, sizeof(line)));
	assert_int_equal(strncmp(line, "Number of blocks type ", 22), 0);
	{
		const char *s = line + 23;
		char name[16];
		int n;

		m->nblock_types = 0;
		while (sscanf(s, "%15s%n", name, &n) == 1) {
			assert_true(m->nblock_types < MAX_TYPES);
			snprintf(m->block_types[m->nblock_types++], 16, "%s", name);
			s += n;
		}
		len = snprintf(expect, sizeof(expect), "%-23s", "Number of blocks type ");
		for (i = 0; i < m->nblock_types; i++)
			len += snprintf(expect + len, sizeof(expect) - len, "%12s ",
					m->block_types[i]);
		assert_string_equal(line, expect);
	}

	for (i = 0; next_line(&p, line, sizeof(line)); i++) {
		struct zinfo *z;
		const char *s;
		int zi, n;

		zi = parse_zone_head(line, &n);
		if (zi < 0) {
			print_error("pagetypeinfo: unexpected line '%s'\n", line);
			fail();
		}
		assert_int_equal(zi, i);
		z = &m->z[zi];
		s = line + n;
		for (t = 0; t < m->nblock_types; t++) {
			int dummy = 0;

			z->blocks[t] = parse_count(&s, &dummy);
			assert_int_equal(dummy, 0);
		}
		while (*s == ' ')
			s++;
		assert_int_equal(*s, '\0');

		len = snprintf(expect, sizeof(expect), "Node %d, zone %8s ", 0, zone_names[zi]);
		for (t = 0; t < m->nblock_types; t++)
			len += snprintf(expect + len, sizeof(expect) - len, "%12lu ",
					z->blocks[t]);
		assert_string_equal(line, expect);
		z->have_blocks = 1;
	}
	assert_int_equal(i, MAX_NR_ZONES);
}

/*
 * zoneinfo: per zone, "Node 0, zone %8s" and then lines of "key value"
 * (the last blank-separated word is the value), "protection: (a, b, c)"
 * and the bare "pagesets".
 */
static void parse_zoneinfo(const char *text, struct machine *m)
{
	char line[LINE_MAX_LEN], expect[LINE_MAX_LEN];
	const char *p = text;
	struct zinfo *z = NULL;

	m->nzoneinfo = 0;
	while (next_line(&p, line, sizeof(line))) {
		struct keyval *kv;
		char *s, *last;
		int n, zi;

		if (!strncmp(line, "Node ", 5)) {
			zi = parse_zone_head(line, &n);
			assert_true(zi >= 0);
			assert_int_equal(zi, m->nzoneinfo);
			snprintf(expect, sizeof(expect), "Node %d, zone %8s", 0, zone_names[zi]);
			assert_string_equal(line, expect);
			z = &m->z[zi];
			z->have_zoneinfo = 1;
			m->nzoneinfo++;
			continue;
		}
		if (!z) {
			print_error("zoneinfo: line before the first zone: '%s'\n", line);
			fail();
		}
		s = line;
		while (*s == ' ')
			s++;
		if (!strncmp(s, "protection: (", 13)) {
			char *q = s + 13, *end;

			copy_str(z->protection_line, sizeof(z->protection_line), line);
			z->nprot = 0;
			for (;;) {
				assert_true(z->nprot < 8);
				z->protection[z->nprot++] = strtol(q, &end, 10);
				assert_true(end != q);
				q = end;
				if (*q == ')')
					break;
				assert_int_equal(*q, ',');
				q++;
			}
			assert_string_equal(q, ")");
			continue;
		}
		assert_true(z->nkeys < MAX_KEYS);
		kv = &z->kv[z->nkeys++];
		copy_str(kv->line, sizeof(kv->line), line);
		last = strrchr(s, ' ');
		if (last) {
			char *end;

			kv->val = strtoll(last + 1, &end, 10);
			kv->has_val = end != last + 1 && !*end;
		}
		if (kv->has_val) {
			while (last > s && last[-1] == ' ')
				last--;
			*last = '\0';
		}
		copy_str(kv->key, sizeof(kv->key), s);
	}
}

static const struct keyval *zone_key(const struct zinfo *z, const char *key, int *pos)
{
	int i;

	for (i = 0; i < z->nkeys; i++) {
		if (!strcmp(z->kv[i].key, key)) {
			if (pos)
				*pos = i;
			return &z->kv[i];
		}
	}
	print_error("zoneinfo: zone %s has no '%s' line\n", z->name, key);
	fail();
	return NULL;
}

static long long zone_val(const struct zinfo *z, const char *key)
{
	const struct keyval *kv = zone_key(z, key, NULL);

	assert_true(kv->has_val);
	return kv->val;
}

/*
 * totals:
 *	zone        present    managed       free  allocated        pcp   reported      sections
 *	DMA            3998 ...                                                          1/4
 *	...
 *	total ...
 *
 *	host rss:      1234 kB
 *	host rss peak: 5678 kB
 */
static void parse_totals(const char *text, struct machine *m)
{
	char line[LINE_MAX_LEN];
	const char *p = text;
	int rows = 0;

	m->rss_kb = m->peak_kb = -1;
	assert_non_null(next_line(&p, line, sizeof(line)));
	{
		char w[8][16];

		assert_int_equal(sscanf(line, "%15s %15s %15s %15s %15s %15s %15s %15s",
					w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]), 8);
		assert_string_equal(w[0], "zone");
		assert_string_equal(w[1], "present");
		assert_string_equal(w[2], "managed");
		assert_string_equal(w[3], "free");
		assert_string_equal(w[4], "allocated");
		assert_string_equal(w[5], "pcp");
		assert_string_equal(w[6], "reported");
		assert_string_equal(w[7], "sections");
	}
	while (next_line(&p, line, sizeof(line))) {
		char name[16];
		struct zinfo t;
		int n = 0;

		if (!line[0])
			break;
		memset(&t, 0, sizeof(t));
		if (sscanf(line, "%15s %lu %lu %ld %ld %lu %ld %lu/%lu%n", name,
			   &t.t_present, &t.t_managed, &t.t_free, &t.t_alloc,
			   &t.t_pcp, &t.t_reported, &t.sec_online, &t.sec_total, &n) != 9) {
			print_error("totals: unexpected line '%s'\n", line);
			fail();
		}
		t.have_totals = 1;
		if (!strcmp(name, "total")) {
			snprintf(t.name, sizeof(t.name), "total");
			m->total = t;
		} else {
			int zi = zone_index(name);

			assert_int_equal(zi, rows);
			snprintf(t.name, sizeof(t.name), "%s", name);
			m->z[zi].have_totals = 1;
			m->z[zi].t_present = t.t_present;
			m->z[zi].t_managed = t.t_managed;
			m->z[zi].t_free = t.t_free;
			m->z[zi].t_alloc = t.t_alloc;
			m->z[zi].t_pcp = t.t_pcp;
			m->z[zi].t_reported = t.t_reported;
			m->z[zi].sec_online = t.sec_online;
			m->z[zi].sec_total = t.sec_total;
			rows++;
		}
	}
	m->ntotals = rows;
	while (next_line(&p, line, sizeof(line))) {
		char expect[LINE_MAX_LEN];
		long v;

		if (sscanf(line, "host rss peak: %ld", &v) == 1) {
			m->peak_kb = v;
			snprintf(expect, sizeof(expect), "%-14s %ld kB", "host rss peak:", v);
		} else if (sscanf(line, "host rss: %ld", &v) == 1) {
			m->rss_kb = v;
			snprintf(expect, sizeof(expect), "%-14s %ld kB", "host rss:", v);
		} else if (!line[0]) {
			continue;	/* the blank line before malloc's part */
		} else if (sscanf(line, "foreign frees: %ld", &v) == 1) {
			assert_true(v >= 0);
			continue;
		} else if (!strncmp(line, "slab:          ", 15) ||
			   !strncmp(line, "page blocks:   ", 15) ||
			   !strncmp(line, "vmalloc:       ", 15) ||
			   !strncmp(line, "reported:      ", 15) ||
			   !strncmp(line, "decay:         ", 15)) {
			/* malloc's part: each line starts with a number */
			assert_true(line[15] >= '0' && line[15] <= '9');
			continue;
		} else {
			print_error("totals: unexpected line '%s'\n", line);
			fail();
		}
		assert_string_equal(line, expect);
	}
}

/*
 * Cut the report called name out of the output of "all" into buf: the
 * text after its "==> name <==" line, up to the blank line before the
 * next title.  No malloc(): it would move the numbers being measured.
 */
static void section(const char *all, const char *name, char *buf, size_t size)
{
	char title[64];
	const char *s, *e;

	snprintf(title, sizeof(title), "==> %s <==\n", name);
	s = strstr(all, title);
	if (!s) {
		print_error("no '%s' title in the output of all\n", name);
		fail();
	}
	assert_true(s == all || s[-1] == '\n');
	s += strlen(title);
	e = strstr(s, "\n==> ");
	if (e)
		e++;			/* keep the report's last '\n' ... */
	else
		e = s + strlen(s);
	if (e > s && e[-1] == '\n' && (e - 1 == s || e[-2] == '\n'))
		e--;			/* ... but not the separating blank line */
	assert_true((size_t)(e - s) < size);
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
}

/* Parse the output of "all" (or NULL) completely. */
static void parse_all(const char *text, struct machine *m)
{
	static const char *const names[] = { "buddyinfo", "pagetypeinfo", "zoneinfo", "totals" };
	static char sec[4][OUTBUF_SIZE / 4];
	const char *prev = text;
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < 4; i++) {
		char title[64];
		const char *at;

		snprintf(title, sizeof(title), "==> %s <==\n", names[i]);
		at = strstr(text, title);
		assert_non_null(at);
		assert_true(at >= prev);	/* in this order */
		prev = at;
		section(text, names[i], sec[i], sizeof(sec[i]));
	}
	assert_true(strncmp(text, "==> summary <==\n", 16) == 0);	/* first */
	parse_buddyinfo(sec[0], m);
	parse_pagetypeinfo(sec[1], m);
	parse_zoneinfo(sec[2], m);
	parse_totals(sec[3], m);
}

/* One report alone, parsed into *m (cleared first). */
static void report_one(const char *which, struct machine *m)
{
	const char *text;

	memset(m, 0, sizeof(*m));
	assert_int_equal(capture(which, &text), 0);
	assert_null(strstr(text, "==> "));	/* no titles for one report */
	if (!strcmp(which, "buddyinfo"))
		parse_buddyinfo(text, m);
	else if (!strcmp(which, "pagetypeinfo"))
		parse_pagetypeinfo(text, m);
	else if (!strcmp(which, "zoneinfo"))
		parse_zoneinfo(text, m);
	else if (!strcmp(which, "totals"))
		parse_totals(text, m);
	else
		fail();
}

/* -------------------------------------------------------------- checks -- */

static unsigned long buddy_free_pages(const struct zinfo *z)
{
	unsigned long sum = 0;
	int order;

	for (order = 0; order < NR_PAGE_ORDERS; order++)
		sum += z->nr_free[order] << order;
	return sum;
}

/* The zoneinfo fields of one zone, in the kernel's order and layout. */
static void check_zoneinfo_layout(const struct zinfo *z)
{
	static const struct {
		const char *key;
		const char *fmt;	/* NULL: a counter, "      %-12s %lld" */
	} fields[] = {
		{ "pages free",	"  pages free     %lld" },
		{ "min",	"        min      %lld" },
		{ "low",	"        low      %lld" },
		{ "high",	"        high     %lld" },
		{ "spanned",	"        spanned  %lld" },
		{ "present",	"        present  %lld" },
		{ "managed",	"        managed  %lld" },
		{ "nr_free_pages",	NULL },
		{ "nr_reported_pages",	NULL },
		{ "nr_pcp_pages",	NULL },
		{ "pgalloc",		NULL },
		{ "pgfree",		NULL },
		{ "pgalloc_fallback",	NULL },
		{ "pgsteal_migratetype", NULL },
		{ "sections_online",	NULL },
		{ "pgreported",		NULL },
		{ "pgreport_calls",	NULL },
		{ "allocfail",		NULL },
		{ "count:",	"              count:    %lld" },
		{ "high:",	"              high:     %lld" },
		{ "batch:",	"              batch:    %lld" },
		{ "start_pfn:",	"  start_pfn:           %lld" },
	};
	char expect[LINE_MAX_LEN];
	int pos, managed_pos = -1, pagesets_pos = -1, prev = -1;
	unsigned int i;

	assert_true(z->have_zoneinfo);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const struct keyval *kv = zone_key(z, fields[i].key, &pos);

		assert_true(kv->has_val);
		if (fields[i].fmt)
			snprintf(expect, sizeof(expect), fields[i].fmt, kv->val);
		else
			snprintf(expect, sizeof(expect), "      %-12s %lld", kv->key, kv->val);
		assert_string_equal(kv->line, expect);
		if (i <= 6) {			/* the head, in order */
			assert_true(pos > prev);
			prev = pos;
		}
		if (!strcmp(fields[i].key, "managed"))
			managed_pos = pos;
	}
	zone_key(z, "pagesets", &pagesets_pos);
	assert_false(z->kv[pagesets_pos].has_val);
	assert_true(pagesets_pos > managed_pos);
	assert_true(pagesets_pos < z->nkeys - 1);
	assert_true(zone_key(z, "count:", &pos) && pos > pagesets_pos);
	/* start_pfn is the last line */
	assert_string_equal(z->kv[z->nkeys - 1].key, "start_pfn:");

	/* protection: one number per zone */
	assert_int_equal(z->nprot, MAX_NR_ZONES);
	{
		int len = snprintf(expect, sizeof(expect), "        protection: (%ld",
				   z->protection[0]);

		for (i = 1; i < MAX_NR_ZONES; i++)
			len += snprintf(expect + len, sizeof(expect) - len, ", %ld",
					z->protection[i]);
		snprintf(expect + len, sizeof(expect) - len, ")");
		assert_string_equal(z->protection_line, expect);
	}
}

/*
 * Everything one "all" output must agree with, zone by zone.  The test is
 * single-threaded, so after drain_local_pages() no page is on a pcp list.
 */
static void check_machine(const struct machine *m, int drained)
{
	unsigned long end_pfn = kalloc_max_pfn();
	unsigned long present = 0, managed = 0, pcp = 0, online = 0, sections = 0;
	long free = 0, alloc = 0, reported = 0;
	int zi, t, order;

	assert_int_equal(m->nbuddy, MAX_NR_ZONES);
	assert_int_equal(m->nzoneinfo, MAX_NR_ZONES);
	assert_int_equal(m->ntotals, MAX_NR_ZONES);
	assert_true(m->total.have_totals);
	assert_int_equal(m->pageblock_order, 9);
	assert_int_equal(m->pages_per_block, 1L << m->pageblock_order);
	assert_int_equal(m->nblock_types, 5);
	assert_string_equal(m->block_types[0], "Unmovable");
	assert_string_equal(m->block_types[1], "Movable");
	assert_string_equal(m->block_types[2], "Reclaimable");
	assert_string_equal(m->block_types[3], "HighAtomic");
	assert_string_equal(m->block_types[4], "Isolate");

	for (zi = 0; zi < MAX_NR_ZONES; zi++) {
		const struct zinfo *z = &m->z[zi];
		const char *zn = zone_names[zi];
		unsigned long nblocks = 0, zone_end, start;
		long long pages_free, spanned;

		assert_true(z->have_buddy && z->have_blocks && z->have_totals);
		check_zoneinfo_layout(z);

		/* pagetypeinfo: the same types for every zone, summing to buddyinfo */
		assert_int_equal(z->ntypes, m->nblock_types);
		for (t = 0; t < z->ntypes; t++)
			assert_string_equal(z->types[t], m->block_types[t]);
		for (order = 0; order < NR_PAGE_ORDERS; order++) {
			unsigned long sum = 0;
			int capped = 0;

			for (t = 0; t < z->ntypes; t++) {
				sum += z->type_free[t][order];
				if (z->capped[t][order]) {
					/* the kernel's cap on a free list walk */
					expect_eq(zn, "capped free count", z->type_free[t][order],
						  FREECOUNT_CAP);
					capped = 1;
				}
			}
			if (capped)
				expect_le(zn, "capped free blocks by type vs buddyinfo", sum,
					  z->nr_free[order]);
			else
				expect_eq(zn, "free blocks by type vs buddyinfo", sum,
					  z->nr_free[order]);
		}

		/* zoneinfo against buddyinfo and itself */
		pages_free = zone_val(z, "pages free");
		expect_eq(zn, "pages free vs buddyinfo", pages_free, buddy_free_pages(z));
		expect_eq(zn, "nr_free_pages", zone_val(z, "nr_free_pages"), pages_free);
		expect_le(zn, "nr_reported_pages <= free",
			  zone_val(z, "nr_reported_pages"), pages_free);
		expect_le(zn, "min <= low", zone_val(z, "min"), zone_val(z, "low"));
		expect_le(zn, "low <= high", zone_val(z, "low"), zone_val(z, "high"));
		spanned = zone_val(z, "spanned");
		expect_le(zn, "present <= spanned", zone_val(z, "present"), spanned);
		expect_le(zn, "managed <= present", zone_val(z, "managed"),
			  zone_val(z, "present"));
		expect_le(zn, "free <= managed", pages_free, zone_val(z, "managed"));
		expect_eq(zn, "pagesets count", zone_val(z, "count:"),
			  zone_val(z, "nr_pcp_pages"));
		assert_true(zone_val(z, "batch:") >= 0);
		expect_le(zn, "pcp batch <= high", zone_val(z, "batch:"), zone_val(z, "high:"));

		/* protection: nothing against its own or lower zones, growing */
		for (t = 0; t < MAX_NR_ZONES; t++) {
			if (t <= zi)
				expect_eq(zn, "protection against a lower zone", z->protection[t], 0);
			else
				expect_le(zn, "protection grows", z->protection[t - 1],
					  z->protection[t]);
		}

		/* the i386 layout: DMA from pfn 1 (page 0 is not RAM), zones back to back up to max_pfn */
		start = (unsigned long)zone_val(z, "start_pfn:");
		zone_end = start + (unsigned long)spanned;
		if (zi == ZONE_DMA)
			expect_eq(zn, "start_pfn", start, 1);
		else
			expect_eq(zn, "start_pfn", start,
				  zone_val(&m->z[zi - 1], "start_pfn:") +
				  zone_val(&m->z[zi - 1], "spanned"));
		if (zi == ZONE_DMA)
			expect_eq(zn, "end", zone_end, end_pfn < DMA_END_PFN ? end_pfn : DMA_END_PFN);
		else if (zi == ZONE_NORMAL)
			expect_eq(zn, "end", zone_end,
				  end_pfn < LOWMEM_END_PFN ?
				  (end_pfn > DMA_END_PFN ? end_pfn : DMA_END_PFN) : LOWMEM_END_PFN);
		else
			expect_eq(zn, "end", zone_end, end_pfn > LOWMEM_END_PFN ? end_pfn : LOWMEM_END_PFN);

		/* totals against zoneinfo */
		expect_eq(zn, "totals present", z->t_present, zone_val(z, "present"));
		expect_eq(zn, "totals managed", z->t_managed, zone_val(z, "managed"));
		expect_eq(zn, "totals free", z->t_free, pages_free);
		expect_eq(zn, "totals pcp", z->t_pcp, zone_val(z, "nr_pcp_pages"));
		expect_eq(zn, "totals reported", z->t_reported, zone_val(z, "nr_reported_pages"));
		expect_eq(zn, "free + allocated + pcp = managed",
			  z->t_free + z->t_alloc + (long)z->t_pcp, (long)z->t_managed);
		assert_true(z->t_alloc >= 0);
		if (drained)
			expect_eq(zn, "pcp pages after drain", z->t_pcp, 0);

		/* sections: spanned ones, and the online ones hold the pageblocks */
		expect_eq(zn, "sections spanned", z->sec_total,
			  spanned ? (zone_end + SECTION_PAGES - 1) / SECTION_PAGES -
				    start / SECTION_PAGES : 0);
		expect_le(zn, "sections online <= spanned", z->sec_online, z->sec_total);
		for (t = 0; t < m->nblock_types; t++)
			nblocks += z->blocks[t];
		expect_le(zn, "managed pages lie in counted pageblocks",
			  zone_val(z, "managed"), nblocks * m->pages_per_block);
		expect_le(zn, "pageblocks lie in online sections",
			  nblocks * m->pages_per_block, z->sec_online * SECTION_PAGES);
		if (!z->sec_online)
			expect_eq(zn, "managed with no section online", z->t_managed, 0);
		/* sections never go offline: online = onlined */
		expect_eq(zn, "sections online vs sections_online events", z->sec_online,
			  zone_val(z, "sections_online"));
		/* an online section's pages are managed, but for holes and reserves */
		expect_le(zn, "managed pages lie in online sections", z->t_managed,
			  z->sec_online * SECTION_PAGES);
		expect_le(zn, "online sections hold managed pages",
			  z->sec_online * SECTION_PAGES,
			  z->t_managed + (spanned - zone_val(z, "present")) + m->pages_per_block);

		present += z->t_present;
		managed += z->t_managed;
		free += z->t_free;
		alloc += z->t_alloc;
		pcp += z->t_pcp;
		reported += z->t_reported;
		online += z->sec_online;
		sections += z->sec_total;
	}

	expect_eq("total", "present", m->total.t_present, present);
	expect_eq("total", "managed", m->total.t_managed, managed);
	expect_eq("total", "free", m->total.t_free, free);
	expect_eq("total", "allocated", m->total.t_alloc, alloc);
	expect_eq("total", "pcp", m->total.t_pcp, pcp);
	expect_eq("total", "reported", m->total.t_reported, reported);
	expect_eq("total", "sections online", m->total.sec_online, online);
	expect_eq("total", "sections", m->total.sec_total, sections);
	expect_eq("total", "sections", sections, (end_pfn + SECTION_PAGES - 1) / SECTION_PAGES);

	/* the host's view */
	assert_true(m->rss_kb > 0);
	assert_true(m->peak_kb >= m->rss_kb);
}

/* A drained "all" capture, parsed and checked. */
static void snapshot(struct machine *m)
{
	const char *text;

	drain_local_pages(NULL);
	assert_int_equal(capture("all", &text), 0);
	parse_all(text, m);
	check_machine(m, 1);
}

/* --------------------------------------------------------------- tests -- */

static void test_unknown_report(void **state)
{
	static const char *const bad[] = {
		"nosuch", "", "Buddyinfo", "buddyinfo ", "buddy", "ALL", "/proc/zoneinfo",
		"json:nosuch", "json:summary,nosuch", "json:buddy", "JSON:summary", "json",
		"buddyinfo,zoneinfo",	/* a list only in JSON */
	};
	const char *text;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(capture(bad[i], &text), -1);
		assert_int_equal(errno, EINVAL);
		assert_string_equal(text, "");		/* nothing printed */
	}
}

static void test_buddyinfo(void **state)
{
	struct machine m;
	int zi;

	(void)state;
	report_one("buddyinfo", &m);
	assert_int_equal(m.nbuddy, MAX_NR_ZONES);
	for (zi = 0; zi < MAX_NR_ZONES; zi++)
		assert_string_equal(m.z[zi].name, zone_names[zi]);
}

static void test_each_report_alone(void **state)
{
	struct machine m;
	int zi;

	(void)state;
	report_one("pagetypeinfo", &m);
	assert_int_equal(m.pageblock_order, 9);
	for (zi = 0; zi < MAX_NR_ZONES; zi++) {
		assert_int_equal(m.z[zi].ntypes, 5);
		assert_true(m.z[zi].have_blocks);
	}

	report_one("zoneinfo", &m);
	assert_int_equal(m.nzoneinfo, MAX_NR_ZONES);
	for (zi = 0; zi < MAX_NR_ZONES; zi++) {
		snprintf(m.z[zi].name, sizeof(m.z[zi].name), "%s", zone_names[zi]);
		check_zoneinfo_layout(&m.z[zi]);
	}

	report_one("totals", &m);
	assert_int_equal(m.ntotals, MAX_NR_ZONES);
	assert_true(m.total.have_totals);
	assert_true(m.rss_kb > 0);
}

/* The reports of one "all" call agree with each other. */
static void test_all_consistent(void **state)
{
	struct machine m;

	(void)state;
	snapshot(&m);
}

/* NULL and "all" print the four reports, titled, in order. */
static void test_all_and_null(void **state)
{
	struct machine m;
	const char *text;

	(void)state;
	assert_int_equal(capture(NULL, &text), 0);
	parse_all(text, &m);
	check_machine(&m, 0);

	assert_int_equal(capture("all", &text), 0);
	parse_all(text, &m);
	check_machine(&m, 0);
}

/* Allocations of known size move exactly that many pages to "allocated". */
static void check_alloc_delta(gfp_t gfp, unsigned int order, unsigned int count,
			      enum zone_type want)
{
	static struct machine before, hot, after, back;
	struct page *pages[256];
	unsigned long nr = (unsigned long)count << order;
	const char *zn = zone_names[want];
	const char *text;
	unsigned int i;

	assert_true(count <= 256);
	snapshot(&before);

	for (i = 0; i < count; i++) {
		pages[i] = alloc_pages(gfp, order);
		assert_non_null(pages[i]);
		assert_int_equal(page_zonenum(pages[i]), want);
		assert_int_equal(!!PageHighMem(pages[i]), want == ZONE_HIGHMEM);
	}

	/* Before draining: the rest of a pcp refill is on pcp, not allocated. */
	assert_int_equal(capture("all", &text), 0);
	parse_all(text, &hot);
	check_machine(&hot, 0);
	expect_eq(zn, "allocated grows by the pages allocated (pcp not drained)",
		  hot.z[want].t_alloc - before.z[want].t_alloc, nr);

	snapshot(&after);
	expect_eq(zn, "allocated grows by the pages allocated",
		  after.z[want].t_alloc - before.z[want].t_alloc, nr);
	/* free pages fall by as much, plus what newly onlined sections brought */
	expect_eq(zn, "free falls by the pages allocated",
		  after.z[want].t_free - before.z[want].t_free,
		  (long)(after.z[want].t_managed - before.z[want].t_managed) - (long)nr);
	assert_true(zone_val(&after.z[want], "pgalloc") -
		    zone_val(&before.z[want], "pgalloc") >= (long long)nr);
	for (i = 0; i < MAX_NR_ZONES; i++)
		if (i != want)
			expect_eq(zone_names[i], "other zone's allocated",
				  after.z[i].t_alloc, before.z[i].t_alloc);

	for (i = 0; i < count; i++)
		__free_pages(pages[i], order);
	snapshot(&back);
	expect_eq(zn, "allocated back after freeing",
		  back.z[want].t_alloc, before.z[want].t_alloc);
	expect_eq(zn, "free back after freeing",
		  back.z[want].t_free - before.z[want].t_free,
		  (long)(back.z[want].t_managed - before.z[want].t_managed));
	assert_true(zone_val(&back.z[want], "pgfree") -
		    zone_val(&after.z[want], "pgfree") >= (long long)nr);
}

static int machine_has_highmem(void)
{
	struct machine m;

	report_one("totals", &m);
	return m.z[ZONE_HIGHMEM].t_present != 0;
}

static void test_alloc_highmem(void **state)
{
	(void)state;
	if (!machine_has_highmem())
		skip();
	check_alloc_delta(GFP_HIGHUSER, 0, 100, ZONE_HIGHMEM);
	/* more than a batch, and a block bigger than the pcp orders */
	check_alloc_delta(GFP_HIGHUSER_MOVABLE, 0, 256, ZONE_HIGHMEM);
	check_alloc_delta(GFP_HIGHUSER, PAGE_ALLOC_COSTLY_ORDER + 1, 3, ZONE_HIGHMEM);
}

static void test_alloc_normal(void **state)
{
	(void)state;
	check_alloc_delta(GFP_KERNEL, 3, 4, ZONE_NORMAL);
	check_alloc_delta(GFP_KERNEL, 0, 10, ZONE_NORMAL);
	check_alloc_delta(GFP_KERNEL, MAX_PAGE_ORDER, 1, ZONE_NORMAL);
}

static void test_alloc_dma(void **state)
{
	(void)state;
	check_alloc_delta(GFP_KERNEL | __GFP_DMA, 2, 3, ZONE_DMA);
	check_alloc_delta(GFP_DMA, 0, 5, ZONE_DMA);
}

/*
 * Run this program again as a child with KALLOC_OPTIONS=options; it does
 * what child_main() says for mode and prints kalloc_report("all").  The
 * output goes to buf, parsed into *m.
 */
static void run_child(const char *mode, const char *options, char *buf, size_t size,
		      struct machine *m)
{
	size_t len = 0;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "test_reports", "--child", (char *)mode, NULL };

		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		setenv("KALLOC_OPTIONS", options, 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		ssize_t n = read(fds[0], buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fds[0]);
	buf[len] = '\0';
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	parse_all(buf, m);
}

static int child_main(const char *mode)
{
	if (!strcmp(mode, "movable")) {
		int i;

		/* A fresh HIGHMEM section is onlined as Movable pageblocks ... */
		for (i = 0; i < 10; i++)
			if (!alloc_pages(GFP_HIGHUSER_MOVABLE, 0))
				return 2;
		/* ... and an unmovable pageblock-sized request claims one. */
		if (!alloc_pages(GFP_HIGHUSER, 9))
			return 2;
		drain_local_pages(NULL);
	} else if (strcmp(mode, "report")) {
		return 2;
	}
	if (kalloc_report(stdout, "all"))
		return 1;
	return fflush(stdout) ? 1 : 0;
}

/*
 * A machine with no HIGHMEM (mem=512M): the zone still has all its
 * lines, with zeros (design 6a).
 */
static void test_empty_zone_printed(void **state)
{
	static char child_out[1 << 18];
	static struct machine m;
	const struct zinfo *h;
	int order, t;

	(void)state;
	run_child("report", "mem=512M", child_out, sizeof(child_out), &m);
	h = &m.z[ZONE_HIGHMEM];
	assert_true(h->have_buddy && h->have_blocks && h->have_zoneinfo && h->have_totals);
	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		assert_int_equal(h->nr_free[order], 0);
		for (t = 0; t < h->ntypes; t++)
			assert_int_equal(h->type_free[t][order], 0);
	}
	for (t = 0; t < m.nblock_types; t++)
		assert_int_equal(h->blocks[t], 0);
	check_zoneinfo_layout(h);
	assert_int_equal(zone_val(h, "pages free"), 0);
	assert_int_equal(zone_val(h, "spanned"), 0);
	assert_int_equal(zone_val(h, "present"), 0);
	assert_int_equal(zone_val(h, "managed"), 0);
	assert_int_equal(h->t_present, 0);
	assert_int_equal(h->sec_total, 0);
	assert_int_equal(zone_val(&m.z[ZONE_NORMAL], "start_pfn:") +
			 zone_val(&m.z[ZONE_NORMAL], "spanned"), (512UL << 20) >> 12);
	assert_int_equal(m.total.sec_total, (512UL << 20) >> 22);
}

/*
 * Pageblock types: in a fresh child, HIGHMEM's online sections are
 * Movable until an unmovable pageblock-sized allocation claims a block.
 */
static void test_pageblock_types(void **state)
{
	static char child_out[1 << 18];
	static struct machine m;
	const struct zinfo *h;
	int t_unmov = -1, t_mov = -1, t_recl = -1, t;

	(void)state;
	run_child("movable", "mem=2G", child_out, sizeof(child_out), &m);
	for (t = 0; t < m.nblock_types; t++) {
		if (!strcmp(m.block_types[t], "Unmovable"))
			t_unmov = t;
		else if (!strcmp(m.block_types[t], "Movable"))
			t_mov = t;
		else if (!strcmp(m.block_types[t], "Reclaimable"))
			t_recl = t;
	}
	assert_true(t_unmov >= 0 && t_mov >= 0 && t_recl >= 0);
	h = &m.z[ZONE_HIGHMEM];
	assert_true(h->sec_online >= 1);
	expect_le("HighMem", "Unmovable pageblocks", 1, h->blocks[t_unmov]);
	expect_le("HighMem", "Movable pageblocks", 1, h->blocks[t_mov]);
	expect_eq("HighMem", "Reclaimable pageblocks", h->blocks[t_recl], 0);
	expect_eq("HighMem", "pageblocks of the online sections",
		  h->blocks[t_unmov] + h->blocks[t_mov],
		  h->sec_online * (SECTION_PAGES / m.pages_per_block));
	expect_le("HighMem", "pages allocated", 10 + 512, h->t_alloc);
}

/* Many free blocks on the lists: the per-type walk still sums right. */
static void test_fragmented_free_lists(void **state)
{
	static struct machine m;
	struct page *pages[256];
	unsigned long blocks0 = 0;
	int i, t;

	(void)state;
	for (i = 0; i < 256; i++) {
		pages[i] = alloc_pages(GFP_KERNEL, 0);
		assert_non_null(pages[i]);
	}
	for (i = 0; i < 256; i += 2)
		__free_pages(pages[i], 0);
	snapshot(&m);			/* drains, checks the sums */
	for (t = 0; t < m.z[ZONE_NORMAL].ntypes; t++)
		blocks0 += m.z[ZONE_NORMAL].type_free[t][0];
	expect_le("Normal", "order-0 free blocks", 2, blocks0);
	for (i = 1; i < 256; i += 2)
		__free_pages(pages[i], 0);
	snapshot(&m);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_report),
		cmocka_unit_test(test_buddyinfo),
		cmocka_unit_test(test_each_report_alone),
		cmocka_unit_test(test_all_consistent),
		cmocka_unit_test(test_all_and_null),
		cmocka_unit_test(test_alloc_highmem),
		cmocka_unit_test(test_alloc_normal),
		cmocka_unit_test(test_alloc_dma),
		cmocka_unit_test(test_fragmented_free_lists),
		cmocka_unit_test(test_empty_zone_printed),
		cmocka_unit_test(test_pageblock_types),
	};

	/* The children of run_child(). */
	if (argc == 3 && !strcmp(argv[1], "--child"))
		return child_main(argv[2]);

	/* A machine with HIGHMEM whatever the host: mem=2G, unless told. */
	if (!getenv("KALLOC_OPTIONS")) {
		setenv("KALLOC_OPTIONS", "mem=2G", 1);
		execv("/proc/self/exe", argv);
		/* no /proc: go on with the default machine */
	}

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
