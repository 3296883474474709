/*
 * lib/slub_debug.c - slub_debug: red zones, poisoning, caller tracking and
 * consistency checks, with the kernel's reports (the CONFIG_SLUB_DEBUG part
 * of mm/slub.c).
 *
 * KALLOC_OPTIONS="slub_debug=<flags>[,<cache>...][;<flags>,<cache>...]"
 *	F  sanity checks (SLAB_CONSISTENCY_CHECKS): object starts, freelist
 *	   pointers, double frees found by walking the slab's freelist
 *	Z  red zones (SLAB_RED_ZONE): a word before and after each object,
 *	   0xbb while free, 0xcc while allocated
 *	P  poisoning (SLAB_POISON): free objects hold 0x6b, last byte 0xa5
 *	U  user tracking (SLAB_STORE_USER): last alloc and free caller
 * "slub_debug" alone means FZPU for every cache, "slub_debug=-" none;
 * a cache name may end in '*' to match a prefix ("kmalloc-*").
 *
 * A debug cache has no sheaves (slub.c): every allocation and free runs
 * alloc_debug_processing()/free_debug_processing() under the node's
 * list_lock, so the slab's freelist is the complete set of free objects
 * and a double free is always found.  A detected corruption prints a
 * report, each line starting "BUG <cache>:" or "kalloc:", and aborts.
 *
 * Layout of an object of a debug cache (calculate_sizes() in slub.c):
 *	[red_left_pad: 0xbb/0xcc][object_size bytes][right red zone up to
 *	inuse][free pointer][track alloc][track free][padding]
 */
#include "slab.h"
#include "options.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The host CPU this thread runs on (getcpu(2)); 0 if it cannot say. */
static unsigned int raw_smp_processor_id(void)
{
	unsigned int cpu = 0;

	kalloc_syscall6(SYS_getcpu, (long)&cpu, 0, 0, 0, 0, 0);
	return cpu;
}

char slub_debug_string[256] = "-";

static const struct {
	char letter;
	slab_flags_t flag;
} debug_letters[] = {
	{ 'F', SLAB_CONSISTENCY_CHECKS },
	{ 'Z', SLAB_RED_ZONE },
	{ 'P', SLAB_POISON },
	{ 'U', SLAB_STORE_USER },
};

#define SLUB_DEBUG_ALL	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

/* The flag of one letter of slub_debug= (either case), 0 if kalloc has none. */
static slab_flags_t debug_letter_flag(char letter)
{
	char c = letter & ~0x20;	/* upper case */
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(debug_letters); i++)
		if (c == debug_letters[i].letter)
			return debug_letters[i].flag;
	return 0;
}

/*
 * One ';'-separated block of slub_debug= at @p: its letters end at
 * *@letters_end, its ','-separated cache names (if any) at *@block_end.
 * Returns where the next block starts.
 */
static const char *debug_block(const char *p, const char **letters_end, const char **block_end)
{
	const char *be = strchr(p, ';'), *le = strchr(p, ',');

	if (!be)
		be = p + strlen(p);
	if (!le || le > be)
		le = be;
	*letters_end = le;
	*block_end = be;
	return *be ? be + 1 : be;
}

/*
 * slub_debug_check_letters(): once at boot, one line for the letters of
 * slub_debug= that kalloc does not act on: the kernel's T (tracing), A
 * (failslab) and O (off for high orders), and letters that mean nothing.
 */
void slub_debug_check_letters(void)
{
	const char *p = slub_debug_string, *next, *letters_end, *block_end, *q;
	char unknown[32];
	unsigned int n = 0;

	if (!strcmp(p, "-"))
		return;
	for (; *p; p = next) {
		next = debug_block(p, &letters_end, &block_end);
		for (q = p; q < letters_end; q++)
			if (*q != '-' && !debug_letter_flag(*q) && !memchr(unknown, *q, n) &&
			    n < sizeof(unknown))
				unknown[n++] = *q;
	}
	if (n)
		pr_warn("slub_debug: ignoring the letters '%.*s': kalloc knows F, Z, P and U\n",
			(int)n, unknown);
}

static slab_flags_t parse_debug_letters(const char *p, const char *end)
{
	slab_flags_t flags = 0;

	if (p == end)
		return SLUB_DEBUG_ALL;
	for (; p < end; p++) {
		if (*p == '-')
			return 0;
		flags |= debug_letter_flag(*p);
	}
	return flags;
}

/* Does slub_debug= give some cache U (user tracking, with stacks)? */
bool slub_debug_tracks_users(void)
{
	const char *p = slub_debug_string, *letters_end, *block_end;

	if (!strcmp(p, "-"))
		return false;
	if (!*p)
		return true;	/* bare slub_debug: FZPU */
	while (*p) {
		const char *next = debug_block(p, &letters_end, &block_end);

		if (parse_debug_letters(p, letters_end) & SLAB_STORE_USER)
			return true;
		p = next;
	}
	return false;
}

static bool cache_name_matches(const char *pat, size_t len, const char *name)
{
	if (len && pat[len - 1] == '*')
		return strncmp(pat, name, len - 1) == 0;
	return strlen(name) == len && strncmp(pat, name, len) == 0;
}

/*
 * kmem_cache_flags(): the debug flags slub_debug= gives the cache @name.
 * Each ';'-separated block is "<letters>[,<cache>,...]"; a block without
 * caches applies to every cache.
 */
slab_flags_t kmem_cache_flags(const char *name, slab_flags_t flags)
{
	const char *p = slub_debug_string;

	if (flags & __SLAB_NO_SHEAVES)
		return flags;	/* kalloc's own metadata caches */
	if (!strcmp(p, "-"))
		return flags;
	if (!*p)
		return flags | SLUB_DEBUG_ALL;
	while (*p) {
		const char *letters_end, *block_end, *next = debug_block(p, &letters_end, &block_end);
		slab_flags_t f = parse_debug_letters(p, letters_end);

		if (letters_end == block_end) {
			flags |= f;
		} else {
			const char *c = letters_end + 1;

			while (c < block_end) {
				const char *ce = memchr(c, ',', block_end - c);

				if (!ce)
					ce = block_end;
				if (cache_name_matches(c, ce - c, name))
					flags |= f;
				c = ce + 1;
			}
		}
		p = next;
	}
	return flags;
}

/* ------------------------------------------------------------ tracks -- */

/*
 * What follows an object (calculate_sizes()): the free pointer when it is
 * outside the object, the two tracks (U), orig_size (kmalloc caches under Z
 * or U), then padding up to the next object.
 */
static unsigned int get_info_end(const struct kmem_cache *s)
{
	return s->offset >= s->inuse ? s->offset + sizeof(void *) : s->inuse;
}

static unsigned int orig_size_offset(const struct kmem_cache *s)
{
	return get_info_end(s) + (s->flags & SLAB_STORE_USER ? 2 * sizeof(struct track) : 0);
}

static unsigned int metadata_end(const struct kmem_cache *s)
{
	return orig_size_offset(s) + (slub_debug_orig_size(s) ? sizeof(unsigned long) : 0);
}

static struct track *get_track(struct kmem_cache *s, void *object, enum track_item alloc)
{
	return (struct track *)((char *)object + get_info_end(s)) + alloc;
}

/* set_track()'s stack: the program's, from @addr on, kept once in the depot. */
static depot_stack_handle_t save_track_stack(unsigned long addr)
{
	unsigned long entries[STACK_TRACE_MAX];
	unsigned int nr = stack_trace_save_user(entries, STACK_TRACE_MAX, addr);

	return stack_depot_save(entries, nr);
}

static void set_track(struct kmem_cache *s, void *object, enum track_item alloc,
		      unsigned long addr)
{
	struct track *t;

	if (!(s->flags & SLAB_STORE_USER))
		return;
	t = get_track(s, object, alloc);
	t->addr = addr;
	t->handle = save_track_stack(addr);
	t->cpu = raw_smp_processor_id();
	t->pid = sys_getpid();
	t->when = ktime_get_ns();
}

/*
 * init_tracking(): an object of a new slab has no tracks yet (the kernel
 * zeroes them when it sets up a slab), so that a report on an object never
 * freed prints no "Freed in" line (print_track() skips an empty track)
 * instead of the poison the slab was filled with.
 */
void init_tracking(struct kmem_cache *s, void *object)
{
	if (s->flags & SLAB_STORE_USER)
		memset(get_track(s, object, TRACK_ALLOC), 0, 2 * sizeof(struct track));
}

static unsigned long *get_orig_size_ptr(struct kmem_cache *s, void *object)
{
	return (unsigned long *)((char *)object + orig_size_offset(s));
}

static unsigned long get_orig_size(struct kmem_cache *s, void *object)
{
	return slub_debug_orig_size(s) ? *get_orig_size_ptr(s, object) : s->object_size;
}

void __set_orig_size(struct kmem_cache *s, void *x, size_t size)
{
	if (size > s->object_size)
		return;
	*get_orig_size_ptr(s, x) = size;
	if (s->flags & SLAB_RED_ZONE)
		memset((char *)x + size, SLUB_RED_ACTIVE, s->object_size - size);
}

void skip_orig_size_check(struct kmem_cache *s, void *x)
{
	if (slub_debug_orig_size(s))
		*get_orig_size_ptr(s, x) = s->object_size;
}

/* The alloc track of @object, or NULL when @s does not track (no U). */
const struct track *slab_alloc_track(struct kmem_cache *s, void *object)
{
	return (s->flags & SLAB_STORE_USER) ? get_track(s, object, TRACK_ALLOC) : NULL;
}

/* What the program asked for, where the cache keeps it; else the object size. */
size_t slab_object_bytes(struct kmem_cache *s, void *object)
{
	return slub_debug_orig_size(s) ? get_orig_size(s, object) : s->object_size;
}

/* stack_depot_print(): one frame a line, as stack_trace_print() indents them */
static void print_stack(depot_stack_handle_t handle)
{
	const unsigned long *entries;
	unsigned int nr = stack_depot_fetch(handle, &entries), i;
	char sym[448];

	if (!nr) {
		pr_err("object allocation/free stack trace missing\n");
		return;
	}
	for (i = 0; i < nr; i++) {
		sprint_backtrace_line(sym, sizeof(sym), entries[i]);
		pr_err(" %s\n", sym);
	}
}

/*
 * print_track(): "Allocated in <caller> age=<ms> cpu=<cpu> pid=<pid>", the
 * caller as %pS prints it (kallsyms.c).  The kernel's age is in jiffies;
 * kalloc's clock ticks in milliseconds (HZ=1000).  Then its stack, one
 * frame a line (the program's: from the caller on, as deep as the unwinder
 * reaches, stackdepot.c).  An empty track (a new object never freed)
 * prints nothing.
 */
static void print_track(const char *s, const struct track *t, uint64_t now)
{
	char sym[256];

	if (!t->addr)
		return;
	sprint_symbol(sym, sizeof(sym), t->addr);
	pr_err("%s in %s age=%llu cpu=%u pid=%d\n", s, sym,
	       (unsigned long long)((now - t->when) / 1000000), t->cpu, t->pid);
	print_stack(t->handle);
}

/* ----------------------------------------------------------- reports -- */

/*
 * The caller of the allocation or free being checked (the program's return
 * address): the one frame of the "Call Trace:" that ends a report.
 */
static __thread unsigned long debug_caller;

/*
 * slab_bug(): the header of every report, in the kernel's words.  kalloc
 * aborts after its first report, so the process is never tainted by an
 * earlier one: "Not tainted" (the kernel prints "Tainted: G    B" from
 * its second report on).
 */
void slab_bug(struct kmem_cache *s, const char *reason)
{
	char buf[192];
	int n;

	pr_err("=============================================================================\n");
	n = snprintf(buf, sizeof(buf), "BUG %s (Not tainted): %s\n", s ? s->name : "<unknown>",
		     reason);
	if (n > 0)
		sys_write(2, buf, min((size_t)n, sizeof(buf) - 1));
	pr_err("-----------------------------------------------------------------------------\n");
	pr_err("\n");
}

/* The program's name, from /proc/self/comm (the kernel's current->comm). */
static void get_comm(char *comm, size_t size)
{
	int fd = sys_open("/proc/self/comm", O_RDONLY | O_CLOEXEC, 0);
	ssize_t n = fd >= 0 ? sys_read(fd, comm, size - 1) : -1;

	if (fd >= 0)
		sys_close(fd);
	if (n <= 0)
		n = 0;
	if (n && comm[n - 1] == '\n')
		n--;
	comm[n] = '\0';
}

/*
 * dump_stack(): the kernel's header line and call trace: the program's
 * side of the stack, from its call into the allocator (stackdepot.c; that
 * one frame without an unwinder).
 */
static void dump_stack(void)
{
	char comm[32], sym[448];
	unsigned long entries[STACK_TRACE_MAX];
	unsigned int nr, i;

	get_comm(comm, sizeof(comm));
	pr_err("CPU: %u PID: %d Comm: %s Not tainted kalloc %s\n", raw_smp_processor_id(),
	       sys_getpid(), comm, KALLOC_VERSION);
	pr_err("Call Trace:\n");
	pr_err(" <TASK>\n");
	nr = stack_trace_save_user(entries, STACK_TRACE_MAX, debug_caller);
	for (i = 0; i < nr; i++) {
		sprint_backtrace_line(sym, sizeof(sym), entries[i]);
		pr_err(" %s\n", sym);
	}
	pr_err(" </TASK>\n");
}

void slab_abort(void)
{
	abort();
}

/*
 * print_section(): print_hex_dump(DUMP_PREFIX_ADDRESS, 16 bytes a row,
 * groups of one, with ASCII): "<text><address>: xx xx ...  <ascii>", the
 * ASCII column at the same place on a short last row.
 */
static void print_section(const char *text, const unsigned char *addr, unsigned int length)
{
	unsigned int i, j;

	for (i = 0; i < length; i += 16) {
		char line[128];
		int n = 0;

		for (j = 0; j < 16 && i + j < length; j++)
			n += snprintf(line + n, sizeof(line) - n, j ? " %02x" : "%02x", addr[i + j]);
		while (n < 16 * 3 + 1)
			line[n++] = ' ';
		for (j = 0; j < 16 && i + j < length; j++) {
			unsigned char c = addr[i + j];

			line[n++] = (c >= 0x20 && c < 0x7f) ? c : '.';
		}
		line[n] = 0;
		pr_err("%s%016lx: %s\n", text, (unsigned long)(addr + i), line);
	}
}

/* The names of a page's flags, as %pGp prints them: "0x..(name|...|node=0|zone=N)". */
static void print_slab_info(const struct page *slab)
{
	static const char *const names[__NR_PAGEFLAGS] = {
		[PG_reserved] = "reserved", [PG_head] = "head", [PG_reported] = "reported",
		[PG_slab] = "slab", [PG_highmapped] = "highmapped", [PG_large] = "large",
	};
	char flags[128];
	unsigned int i;
	int n = 0;

	for (i = 0; i < __NR_PAGEFLAGS; i++)
		if (slab->flags & (1UL << i))
			n += snprintf(flags + n, sizeof(flags) - n, "%s|", names[i]);
	snprintf(flags + n, sizeof(flags) - n, "node=0|zone=%u", __page_zonenum(slab));
	pr_err("Slab 0x%016lx objects=%u used=%u fp=0x%016lx flags=%#lx(%s)\n",
	       (unsigned long)slab, slab_objects(slab), slab_inuse(slab),
	       (unsigned long)slab->freelist, slab->flags, flags);
}

/* The free pointer word of @p as get_freepointer() decodes it (garbage while allocated). */
static unsigned long freepointer_of(const struct kmem_cache *s, const unsigned char *p)
{
	unsigned long addr = (unsigned long)p + s->offset;

	return *(unsigned long *)addr ^ s->random ^ __builtin_bswap64(addr);
}

/*
 * print_trailer(): the tracks, the slab, the object's line, then its bytes
 * with what surrounds them: the left red zone (or the 16 bytes before it),
 * the object, the right red zone, and the padding after the metadata.
 */
static void print_trailer(struct kmem_cache *s, struct page *slab, unsigned char *p)
{
	unsigned char *addr = slab_address(slab);
	uint64_t now = ktime_get_ns();
	unsigned int off = metadata_end(s), end = s->size - s->red_left_pad;

	if (s->flags & SLAB_STORE_USER) {
		print_track("Allocated", get_track(s, p, TRACK_ALLOC), now);
		print_track("Freed", get_track(s, p, TRACK_FREE), now);
	}
	print_slab_info(slab);
	pr_err("Object 0x%016lx @offset=%lu fp=0x%016lx\n", (unsigned long)p,
	       (unsigned long)(p - addr), freepointer_of(s, p));
	pr_err("\n");
	if (s->flags & SLAB_RED_ZONE)
		print_section("Redzone  ", p - s->red_left_pad, s->red_left_pad);
	else if (p > addr + 16)
		print_section("Bytes b4 ", p - 16, 16);
	print_section("Object   ", p, min(s->object_size, 4096u));
	if (s->flags & SLAB_RED_ZONE)
		print_section("Redzone  ", p + s->object_size, s->inuse - s->object_size);
	if (off < end)
		print_section("Padding  ", p + off, end - off);
	dump_stack();
}

static __attribute__((noreturn)) void object_err(struct kmem_cache *s, struct page *slab,
						 void *object, const char *reason)
{
	slab_bug(s, reason);
	print_trailer(s, slab, object);
	slab_abort();
}

/*
 * check_bytes_and_report(): every byte of [start, start + bytes) must be
 * @value; otherwise report the first wrong byte and abort.
 */
static void check_bytes_and_report(struct kmem_cache *s, struct page *slab, unsigned char *object,
				   const char *what, unsigned char *start, unsigned int value,
				   unsigned int bytes)
{
	unsigned char *fault = NULL, *end;
	unsigned int i;
	char reason[64];

	for (i = 0; i < bytes; i++)
		if (start[i] != value) {
			fault = start + i;
			break;
		}
	if (!fault)
		return;
	end = start + bytes;
	while (end > fault && end[-1] == value)
		end--;
	snprintf(reason, sizeof(reason), "%s overwritten", what);
	slab_bug(s, reason);
	pr_err("0x%016lx-0x%016lx @offset=%lu. First byte 0x%x instead of 0x%x\n",
	       (unsigned long)fault, (unsigned long)(end - 1),
	       (unsigned long)(fault - (unsigned char *)slab_address(slab)), *fault, value);
	print_trailer(s, slab, object);
	slab_abort();
}

/*
 * check_pad_bytes(): the padding between an object's metadata and the
 * next object still holds the POISON_INUSE the slab was filled with.
 */
static void check_pad_bytes(struct kmem_cache *s, struct page *slab, unsigned char *p)
{
	unsigned int off = metadata_end(s), end = s->size - s->red_left_pad;

	if ((s->flags & SLAB_POISON) && off < end)
		check_bytes_and_report(s, slab, p, "Object padding", p + off, POISON_INUSE,
				       end - off);
}

/*
 * slab_pad_check(): the slab's tail after its last object still holds
 * POISON_INUSE when the slab goes back to the buddy ("Padding overwritten").
 */
void slab_pad_check(struct kmem_cache *s, struct page *slab)
{
	unsigned char *start = slab_address(slab), *end = start + (PAGE_SIZE << s->order);
	unsigned char *pad = start + (size_t)slab_objects(slab) * s->size, *fault;
	char reason[112];

	if (!(s->flags & SLAB_POISON))
		return;
	for (fault = pad; fault < end && *fault == POISON_INUSE; fault++)
		;
	if (fault == end)
		return;
	while (end > fault && end[-1] == POISON_INUSE)
		end--;
	snprintf(reason, sizeof(reason), "Padding overwritten. 0x%016lx-0x%016lx @offset=%lu",
		 (unsigned long)fault, (unsigned long)(end - 1), (unsigned long)(fault - start));
	slab_bug(s, reason);
	print_slab_info(slab);
	dump_stack();
	print_section("Padding ", pad, (unsigned int)(start + (PAGE_SIZE << s->order) - pad));
	slab_abort();
}

/* check_object(): red zones and poison as @val says they should be */
static void check_object(struct kmem_cache *s, struct page *slab, void *object, unsigned char val)
{
	unsigned char *p = object;

	if (s->flags & SLAB_RED_ZONE) {
		check_bytes_and_report(s, slab, p, "Left Redzone", p - s->red_left_pad, val,
				       s->red_left_pad);
		check_bytes_and_report(s, slab, p, "Right Redzone", p + s->object_size, val,
				       s->inuse - s->object_size);
		if (val == SLUB_RED_ACTIVE) {
			unsigned long orig = get_orig_size(s, object);

			if (orig < s->object_size)
				check_bytes_and_report(s, slab, p, "kmalloc Redzone", p + orig, val,
						       s->object_size - orig);
		}
	} else if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
		check_bytes_and_report(s, slab, p, "Alignment padding", p + s->object_size,
				       POISON_INUSE, s->inuse - s->object_size);
	}
	if ((s->flags & SLAB_POISON) && val == SLUB_RED_INACTIVE) {
		check_bytes_and_report(s, slab, p, "Poison", p, POISON_FREE, s->object_size - 1);
		check_bytes_and_report(s, slab, p, "End Poison", p + s->object_size - 1, POISON_END,
				       1);
	}
	check_pad_bytes(s, slab, p);
}

void init_object(struct kmem_cache *s, void *object, unsigned char val)
{
	unsigned char *p = object;

	if (s->flags & SLAB_RED_ZONE) {
		memset(p - s->red_left_pad, val, s->red_left_pad);
		memset(p + s->object_size, val, s->inuse - s->object_size);
	}
	if ((s->flags & SLAB_POISON) && val == SLUB_RED_INACTIVE) {
		memset(p, POISON_FREE, s->object_size - 1);
		p[s->object_size - 1] = POISON_END;
	}
}

void setup_slab_debug(struct kmem_cache *s, struct page *slab, void *addr)
{
	(void)slab;
	if (s->flags & SLAB_POISON)
		memset(addr, POISON_INUSE, PAGE_SIZE << s->order);
}

/* on_freelist(): is @object already on the slab's freelist? */
static bool on_freelist(struct kmem_cache *s, struct page *slab, void *object)
{
	unsigned long addr;
	void *fp = slab->freelist;
	unsigned int nr = 0;

	while (fp && nr <= slab_objects(slab)) {
		if (fp == object)
			return true;
		addr = (unsigned long)fp + s->offset;
		fp = (void *)(*(unsigned long *)addr ^ s->random ^ __builtin_bswap64(addr));
		nr++;
	}
	return false;
}

static bool check_valid_object(struct kmem_cache *s, struct page *slab, const void *object)
{
	unsigned long off = (unsigned long)object - (unsigned long)slab_address(slab) -
			    s->red_left_pad;

	return off < (unsigned long)s->objects * s->size && off % s->size == 0;
}

bool alloc_debug_processing(struct kmem_cache *s, struct page *slab, void *object,
			    unsigned long addr)
{
	debug_caller = addr;
	if ((s->flags & SLAB_CONSISTENCY_CHECKS) && !check_valid_object(s, slab, object))
		object_err(s, slab, object, "Freelist Pointer check fails");
	check_object(s, slab, object, SLUB_RED_INACTIVE);
	set_track(s, object, TRACK_ALLOC, addr);
	init_object(s, object, SLUB_RED_ACTIVE);
	skip_orig_size_check(s, object);	/* until kmalloc()/malloc() says the size */
	return true;
}

bool free_debug_processing(struct kmem_cache *s, struct page *slab, void *object,
			   unsigned long addr)
{
	debug_caller = addr;
	if (!check_valid_object(s, slab, object))
		object_err(s, slab, object, "Invalid object pointer");
	if (on_freelist(s, slab, object))
		object_err(s, slab, object, "Object already free");
	check_object(s, slab, object, SLUB_RED_ACTIVE);
	set_track(s, object, TRACK_FREE, addr);
	init_object(s, object, SLUB_RED_INACTIVE);
	return true;
}
