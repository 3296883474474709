/*
 * lib/options.c - KALLOC_OPTIONS: the command line of the emulated machine.
 *
 *	KALLOC_OPTIONS="mem=2G vmalloc=64G loglevel=7"
 *
 * The rules:
 *
 *  1. This runs before anything is set up (no memory map, no slab, perhaps
 *     from inside the process's first malloc()), so it allocates nothing,
 *     takes no lock and calls nothing that may allocate or be interposed:
 *     no getenv() (kalloc_getenv() walks environ, or reads
 *     /proc/self/environ with the raw system calls of lib/sys.c), no stdio
 *     (messages go through printk(), one write(2) per line), no malloc.
 *     The option string is read front to back, once, and never written.
 *
 *  2. kalloc_params[] is the one place options are named.  Each entry gives
 *     the name, the kind of value, the variable, the limits and the
 *     default.  The variables are defined here with the same defaults,
 *     except console_loglevel, which belongs to printk.c;
 *     kalloc_reset_options() puts them all back from the table.  A layer
 *     that wants an option declares its variable in options.h, defines it
 *     here, and adds one line to the table.
 *
 *  3. A word that cannot be used is ignored with exactly one line on
 *     stderr, and the option keeps the value it had: nothing is clamped,
 *     rounded or guessed.
 *	kalloc: ignoring unknown option 'foo=1'
 *	kalloc: ignoring malformed option 'mem=12Q'
 *	kalloc: ignoring option 'mem=1K': below the minimum 4M
 *     The word is shown as written, control characters as '?', cut after
 *     SHOW_MAX characters.  No input makes the parser crash.
 *
 * Syntax, as the kernel's parse_args() and next_arg() read a boot command
 * line:
 *
 *  - Words are separated by blanks (space, tab, newline, CR, VT, FF).
 *  - A word is "name" or "name=value".  A double quote turns quoting on and
 *    off; blanks inside quotes belong to the word.  A value that starts
 *    with a quote loses it and its closing quote (name="a b" gives a b), and
 *    so does a word that starts with one ("name=a b" is the same word).
 *    A quote left open makes the rest of the string one malformed word.
 *  - In names, '-' and '_' are the same character (parameq()).
 *  - Words are applied left to right; the last one given wins.  So `quiet`
 *    or `loglevel=` silences the warnings about the words after it, as it
 *    would on a kernel.
 *
 * Kinds of value:
 *
 *	PARAM_SIZE	bytes, memparse(): decimal or 0x hex with an optional
 *			K, M, G or T suffix.  unsigned long long.
 *	PARAM_UINT	decimal or 0x hex, no suffix.  unsigned int.
 *	PARAM_ULONG	the same into an unsigned long.
 *	PARAM_INT	the same into an int (never negative).
 *	PARAM_BOOL	a flag: "name" alone, or name=1/0/y/n/on/off (either
 *			case) sets or clears a bool.
 *	PARAM_LEVEL	a flag that stores .def into an int when set and does
 *			nothing when cleared: `debug` and `quiet` set
 *			console_loglevel, whose default is the loglevel= entry's.
 *	PARAM_STRING	text copied into a char array (the variable itself, so
 *			its size is known); .max is the longest text it takes.
 *			"name" alone stores the empty string.
 *
 * Numbers are checked against [.min, .max] (both inclusive, and .max must
 * fit the variable's type); PARAM_ZERO_OK lets 0 through below .min, for
 * the options where 0 means "automatic" (mem=0 is the host's RAM).
 */
#include "kernel.h"
#include "json.h"
#include "options.h"
#include "slab.h"
#include "kfence.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

extern char **environ;

#define SZ_1T	(1ULL << 40)

/* ----------------------------------------------------- the variables -- */

unsigned long long opt_mem;				/* 0: host RAM */
unsigned long long opt_vmalloc = 128 * (unsigned long long)SZ_1G;
unsigned long min_free_kbytes;				/* 0: computed */
unsigned int percpu_pagelist_high_fraction;		/* 0: kernel default */
unsigned int page_reporting_order;
unsigned int page_reporting_delay_ms = 2000;
unsigned long long page_reporting_high;

/* --------------------------------------------------------- the table -- */

enum param_kind {
	PARAM_SIZE,
	PARAM_UINT,
	PARAM_ULONG,
	PARAM_INT,
	PARAM_BOOL,
	PARAM_LEVEL,
	PARAM_STRING,
};

#define PARAM_ZERO_OK	0x1	/* 0 is accepted below .min ("automatic") */

struct kalloc_param {
	const char *name;
	enum param_kind kind;
	unsigned int flags;
	union {				/* one member per kind, typed so that */
		unsigned long long *ull;	/* the table's macros check */
		unsigned int *uint;		/* the variable's type */
		unsigned long *ulong;
		int *sint;
		bool *flag;
		char *str;
	} var;
	unsigned long long min;
	unsigned long long max;		/* PARAM_STRING: longest text */
	unsigned long long def;		/* PARAM_LEVEL: the level it sets */
	const char *str_def;		/* PARAM_STRING: default, NULL = "" */
};

#define SIZE_PARAM(_name, _var, _min, _max, _def, _flags)		\
	{ .name = _name, .kind = PARAM_SIZE, .flags = _flags,		\
	  .var.ull = &(_var), .min = _min, .max = _max, .def = _def }
#define UINT_PARAM(_name, _var, _min, _max, _def, _flags)		\
	{ .name = _name, .kind = PARAM_UINT, .flags = _flags,		\
	  .var.uint = &(_var), .min = _min, .max = _max, .def = _def }
#define ULONG_PARAM(_name, _var, _min, _max, _def, _flags)		\
	{ .name = _name, .kind = PARAM_ULONG, .flags = _flags,		\
	  .var.ulong = &(_var), .min = _min, .max = _max, .def = _def }
#define INT_PARAM(_name, _var, _min, _max, _def, _flags)		\
	{ .name = _name, .kind = PARAM_INT, .flags = _flags,		\
	  .var.sint = &(_var), .min = _min, .max = _max, .def = _def }
#define BOOL_PARAM(_name, _var, _def)					\
	{ .name = _name, .kind = PARAM_BOOL,				\
	  .var.flag = &(_var), .max = 1, .def = _def }
#define LEVEL_PARAM(_name, _var, _level)				\
	{ .name = _name, .kind = PARAM_LEVEL,				\
	  .var.sint = &(_var), .def = _level }
#define STRING_PARAM(_name, _array, _def)				\
	{ .name = _name, .kind = PARAM_STRING,				\
	  .var.str = (_array), .max = sizeof(_array) - 1, .str_def = _def }

static const struct kalloc_param kalloc_params[] = {
	/* the machine */
	SIZE_PARAM("mem", opt_mem, 4 * SZ_1M, 64 * SZ_1G, 0, PARAM_ZERO_OK),
	SIZE_PARAM("vmalloc", opt_vmalloc, 16 * SZ_1M, 64 * SZ_1T,
		   128 * (unsigned long long)SZ_1G, 0),
	STRING_PARAM("phys", phys_backing, "anon"),	/* anon or memfd (phys.c) */
	UINT_PARAM("possible_cpus", possible_cpus, 1, 4096, 0, PARAM_ZERO_OK),

	/* the console (console_loglevel is printk.c's) */
	INT_PARAM("loglevel", console_loglevel, 0, 8, KERN_NOTICE, 0),
	LEVEL_PARAM("debug", console_loglevel, 8),
	LEVEL_PARAM("quiet", console_loglevel, KERN_WARNING),

	/* the page allocator */
	ULONG_PARAM("min_free_kbytes", min_free_kbytes, 0, SZ_1G / SZ_1K, 0, 0),
	UINT_PARAM("percpu_pagelist_high_fraction",
		   percpu_pagelist_high_fraction, 8, 1000, 0, PARAM_ZERO_OK),
	UINT_PARAM("page_reporting_order", page_reporting_order, 0, 10, 0, 0),
	UINT_PARAM("page_reporting_delay", page_reporting_delay_ms,
		   0, 600000, 2000, 0),
	SIZE_PARAM("page_reporting_high", page_reporting_high,
		   0, 64 * SZ_1G, 0, 0),

	/* the slab allocator ("slub_debug" alone: FZPU everywhere; "-": off) */
	STRING_PARAM("slub_debug", slub_debug_string, "-"),
	UINT_PARAM("slub_min_order", slub_min_order, 0, 3, 0, 0),
	UINT_PARAM("slub_max_order", slub_max_order, 0, MAX_PAGE_ORDER, 3, 0),
	UINT_PARAM("slub_min_objects", slub_min_objects, 0, 32767, 0, 0),
	BOOL_PARAM("slab_nomerge", slab_nomerge, 0),
	/* malloc's page blocks record their allocation stacks (page_owner.c) */
	BOOL_PARAM("page_owner", page_owner_enabled, 0),
	/* ... of a sample: one in this many bytes on average; 0: every one */
	SIZE_PARAM("page_owner.sample", page_owner_sample, 0, SZ_1G, 0, 0),

	/* malloc: a free() of a pointer kalloc did not hand out (util.c) */
	STRING_PARAM("free_check", free_check_string, "count"),
	/* malloc: above this, a vmalloc area instead of a page block (util.c) */
	SIZE_PARAM("mmap_threshold", mmap_threshold, KMALLOC_MAX_CACHE_SIZE,
		   MAX_ORDER_NR_PAGES << PAGE_SHIFT, MAX_ORDER_NR_PAGES << PAGE_SHIFT, 0),

	/* the vmalloc layer */
	BOOL_PARAM("nohugevmalloc", nohugevmalloc, 0),

	/* KFENCE (kfence.c): one slab-sized malloc in N per thread; 0: off */
	ULONG_PARAM("kfence.sample_rate", kfence_sample_rate, 0, 1UL << 30, KFENCE_DEFAULT_SAMPLE_RATE, 0),
	UINT_PARAM("kfence.num_objects", kfence_num_objects, 1, 65535, 255, 0),
	BOOL_PARAM("kfence.panic_on_warn", kfence_panic_on_warn, 1),

	/* reports: where separate debug files are (debug_line.c), as gdb's debug-file-directory */
	STRING_PARAM("debug_file_directory", debug_file_directory, "/usr/lib/debug"),

	/* giving memory back (vmscan.c) */
	BOOL_PARAM("kswapd", kswapd_enabled, 0),
};

#define for_each_param(p) \
	for (p = kalloc_params; p < kalloc_params + ARRAY_SIZE(kalloc_params); p++)

/*
 * The "options" report: every option and its value now, one per line in
 * KALLOC_OPTIONS syntax (flags as 1 or 0, sizes in bytes, 0 where the
 * default is computed: docs/options.md), so that a run says how it was set.
 */
/* Every option's value, for kalloc_options_show() and its JSON. */
static void options_show(FILE *out, struct json *j)
{
	const struct kalloc_param *p;

	for_each_param(p) {
		long long v = 0;

		switch (p->kind) {
		case PARAM_LEVEL:	/* another entry's variable, shown there */
			continue;
		case PARAM_STRING:
			if (j)
				json_str(j, p->name, p->var.str);
			else
				fprintf(out, "%s=%s\n", p->name, p->var.str);
			continue;
		case PARAM_SIZE:	v = (long long)*p->var.ull; break;
		case PARAM_UINT:	v = *p->var.uint; break;
		case PARAM_ULONG:	v = (long long)*p->var.ulong; break;
		case PARAM_INT:		v = *p->var.sint; break;
		case PARAM_BOOL:	v = *p->var.flag; break;
		}
		if (j)
			json_s64(j, p->name, v);
		else
			fprintf(out, "%s=%lld\n", p->name, v);
	}
}

void kalloc_options_show(FILE *out)
{
	options_show(out, NULL);
}

/* The same as JSON: "name": value, a string for the string options. */
void kalloc_options_show_json(struct json *j)
{
	options_show(NULL, j);
}

void kalloc_reset_options(void)
{
	const struct kalloc_param *p;
	size_t len;

	for_each_param(p) {
		switch (p->kind) {
		case PARAM_SIZE:
			*p->var.ull = p->def;
			break;
		case PARAM_UINT:
			*p->var.uint = (unsigned int)p->def;
			break;
		case PARAM_ULONG:
			*p->var.ulong = (unsigned long)p->def;
			break;
		case PARAM_INT:
			*p->var.sint = (int)p->def;
			break;
		case PARAM_BOOL:
			*p->var.flag = p->def != 0;
			break;
		case PARAM_LEVEL:	/* the variable's default is another entry's */
			break;
		case PARAM_STRING:
			len = p->str_def ? strlen(p->str_def) : 0;
			if (len > p->max)
				len = p->max;
			memcpy(p->var.str, p->str_def ? p->str_def : "", len);
			p->var.str[len] = '\0';
			break;
		}
	}
}

/* ----------------------------------------------------------- values -- */

/*
 * Decimal, or hex after "0x"; with SUFFIX, one of K, M, G, T (either case)
 * may follow.  All LEN characters must be used.
 */
static int parse_number(const char *s, size_t len, bool suffix,
			unsigned long long *out)
{
	unsigned long long val = 0;
	unsigned int base = 10, shift = 0, digit;
	size_t i = 0, first;

	if (!s || !out)
		return -1;
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (first = i; i < len; i++) {
		unsigned char c = s[i];

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			digit = (c | 0x20) - 'a' + 10;
		else
			break;
		if (val > (ULLONG_MAX - digit) / base)
			return -1;			/* overflow */
		val = val * base + digit;
	}
	if (i == first)
		return -1;				/* no digits */
	if (suffix && i < len) {
		switch (s[i] | 0x20) {
		case 'k': shift = 10; break;
		case 'm': shift = 20; break;
		case 'g': shift = 30; break;
		case 't': shift = 40; break;
		default: return -1;
		}
		i++;
	}
	if (i != len)
		return -1;				/* trailing junk */
	if (shift && val > (ULLONG_MAX >> shift))
		return -1;
	*out = val << shift;
	return 0;
}

int memparse(const char *s, size_t len, unsigned long long *out)
{
	return parse_number(s, len, true, out);
}

static bool word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];

		if (!word[i] || c != word[i])
			return false;
	}
	return !word[i];
}

/* 1, y, on: true; 0, n, off: false; either case. */
static int parse_bool(const char *s, size_t len, bool *out)
{
	if (word_is(s, len, "1") || word_is(s, len, "y") || word_is(s, len, "on"))
		*out = true;
	else if (word_is(s, len, "0") || word_is(s, len, "n") || word_is(s, len, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

/* ------------------------------------------------------ diagnostics -- */

#define SHOW_MAX	128

/*
 * Copy the word for a message: at most SHOW_MAX characters, then "...";
 * control characters become '?' so that the message stays one line.
 */
static const char *show(char *buf, const char *word, size_t len)
{
	size_t i, n = min(len, (size_t)SHOW_MAX);

	for (i = 0; i < n; i++) {
		unsigned char c = word[i];

		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (len > n) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static int ignore(const char *why, const char *word, size_t len)
{
	char buf[SHOW_MAX + 4];

	pr_warn("ignoring %s option '%s'", why, show(buf, word, len));
	return 1;
}

/* "4M" rather than "4194304" where the limit is a whole number of units. */
static int ignore_limit(const struct kalloc_param *p, const char *word,
			size_t len, const char *which, unsigned long long limit)
{
	static const char units[] = "KMGT";
	char buf[SHOW_MAX + 4];
	const char *unit = "";
	int i;

	if (p->kind == PARAM_SIZE && limit) {
		for (i = 3; i >= 0; i--) {
			if (!(limit & ((1ULL << (10 * (i + 1))) - 1))) {
				limit >>= 10 * (i + 1);
				unit = &units[i];
				break;
			}
		}
	}
	pr_warn("ignoring option '%s': %s %llu%.1s", show(buf, word, len),
		which, limit, unit);
	return 1;
}

/* ---------------------------------------------------------- parsing -- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\v' || c == '\f';
}

/* parameq(): '-' and '_' are the same character in names. */
static bool param_eq(const char *name, size_t len, const char *param)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char a = name[i] == '-' ? '_' : name[i];

		if (!param[i] || a != param[i])
			return false;
	}
	return !param[i];
}

static const struct kalloc_param *find_param(const char *name, size_t len)
{
	const struct kalloc_param *p;

	for_each_param(p)
		if (param_eq(name, len, p->name))
			return p;
	return NULL;
}

/* Returns 1 when the word is ignored, 0 when it was applied. */
static int set_param(const struct kalloc_param *p, const char *val,
		     size_t vlen, const char *word, size_t len)
{
	unsigned long long v;
	bool on = true;

	switch (p->kind) {
	case PARAM_BOOL:
	case PARAM_LEVEL:
		if (val && parse_bool(val, vlen, &on))
			return ignore("malformed", word, len);
		if (p->kind == PARAM_BOOL)
			*p->var.flag = on;
		else if (on)
			*p->var.sint = (int)p->def;
		return 0;
	case PARAM_STRING:
		if (!val)
			vlen = 0;
		if (vlen > p->max) {
			char buf[SHOW_MAX + 4];

			pr_warn("ignoring option '%s': longer than %llu characters",
				show(buf, word, len), p->max);
			return 1;
		}
		if (vlen)
			memcpy(p->var.str, val, vlen);
		p->var.str[vlen] = '\0';
		return 0;
	default:
		break;
	}

	if (!val || parse_number(val, vlen, p->kind == PARAM_SIZE, &v))
		return ignore("malformed", word, len);
	if (!(v == 0 && (p->flags & PARAM_ZERO_OK))) {
		if (v < p->min)
			return ignore_limit(p, word, len, "below the minimum", p->min);
		if (v > p->max)
			return ignore_limit(p, word, len, "above the maximum", p->max);
	}

	switch (p->kind) {
	case PARAM_SIZE:
		*p->var.ull = v;
		break;
	case PARAM_UINT:
		*p->var.uint = (unsigned int)v;
		break;
	case PARAM_ULONG:
		*p->var.ulong = (unsigned long)v;
		break;
	case PARAM_INT:
		*p->var.sint = (int)v;
		break;
	default:
		break;
	}
	return 0;
}

/*
 * One word, as cut by kalloc_parse_options(): strip the quotes, split at
 * the first '=', find the entry and set it.
 */
static int parse_word(const char *word, size_t len, bool open_quote)
{
	const char *name = word, *val = NULL, *eq;
	size_t nlen = len, vlen = 0;
	const struct kalloc_param *p;

	if (open_quote)
		return ignore("malformed", word, len);

	if (nlen && name[0] == '"') {		/* "name=value" */
		name++;
		nlen--;
		if (nlen && name[nlen - 1] == '"')
			nlen--;
	}
	eq = memchr(name, '=', nlen);
	if (eq) {
		val = eq + 1;
		vlen = name + nlen - val;
		nlen = eq - name;
		if (vlen && val[0] == '"') {	/* name="value" */
			val++;
			vlen--;
			if (vlen && val[vlen - 1] == '"')
				vlen--;
		}
	}

	p = find_param(name, nlen);
	if (!p)
		return ignore("unknown", word, len);
	return set_param(p, val, vlen, word, len);
}

int kalloc_parse_options(const char *str)
{
	int ignored = 0;

	if (!str)
		return 0;
	for (;;) {
		const char *word;
		bool open_quote = false;

		while (is_blank(*str))
			str++;
		if (!*str)
			break;
		for (word = str; *str; str++) {
			if (*str == '"')
				open_quote = !open_quote;
			else if (!open_quote && is_blank(*str))
				break;
		}
		if (parse_word(word, str - word, open_quote) && ignored < INT_MAX)
			ignored++;
	}
	return ignored;
}

/* ------------------------------------------------------ environment -- */

/*
 * Without environ (a program that cleared it, or a call before libc has
 * set it), the environment the process started with is still in
 * /proc/self/environ: NAME=value strings, each ending in a NUL.  It is read
 * once into proc_environ; an environment larger than the buffer loses its
 * tail, never half a string.  Called only while the process is still
 * single-threaded, like the rest of this file.
 */
static char proc_environ[64 * 1024];
static size_t proc_environ_len;
static bool proc_environ_read;

static void read_proc_environ(void)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = sys_open("/proc/self/environ", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	while (len < sizeof(proc_environ) - 1) {
		n = sys_read(fd, proc_environ + len, sizeof(proc_environ) - 1 - len);
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	sys_close(fd);
	if (len == sizeof(proc_environ) - 1)	/* full: the last may be cut */
		while (len && proc_environ[len - 1] != '\0')
			len--;
	proc_environ[len] = '\0';
	proc_environ_len = len;
	proc_environ_read = true;
}

static const char *proc_getenv(const char *name, size_t len)
{
	const char *s = proc_environ, *end;

	if (!proc_environ_read)
		read_proc_environ();
	end = proc_environ + proc_environ_len;
	while (s < end) {
		const char *nul = memchr(s, '\0', end - s);
		size_t slen = nul ? (size_t)(nul - s) : (size_t)(end - s);

		if (slen > len && s[len] == '=' && !memcmp(s, name, len))
			return s + len + 1;
		s += slen + 1;
	}
	return NULL;
}

const char *kalloc_getenv(const char *name)
{
	char **ep = environ;
	size_t len;

	if (!name || !*name || strchr(name, '='))
		return NULL;
	len = strlen(name);
	if (!ep)
		return proc_getenv(name, len);
	for (; *ep; ep++)
		if (!strncmp(*ep, name, len) && (*ep)[len] == '=')
			return *ep + len + 1;
	return NULL;
}
