/*
 * lib/stackdepot.c - call stacks for reports: walking them
 * (kernel/stacktrace.c's stack_trace_save()) and keeping each distinct
 * one once (lib/stackdepot.c's stack_depot_save()/stack_depot_fetch()).
 *
 * Walking: libgcc's unwinder, when the process has it (_Unwind_Backtrace:
 * every C++ program, every program linked with libgcc_s).  kalloc takes it
 * as a weak symbol and never loads it from an allocation (loading
 * allocates and takes the loader's lock); when stacks are asked for
 * (slub_debug=U, page_owner=on), the preload's constructor loads it before
 * the program runs and hands it over (stack_trace_set_unwinder()), so that
 * a C program's stacks are whole too.  With glibc >= 2.35 and GCC >= 12 the unwinder finds
 * frames through _dl_find_object(), which takes no lock and allocates
 * nothing; stack_trace_prime() does its first-use work early.  Without it
 * a stack is the one frame the entry point knows: the program's return
 * address (stack_trace_save_user()).
 *
 * The depot: stacks are hashed into STACK_DEPOT_BUCKETS chains; a record
 * holds its hash, its size and its frames, carved from pools of host
 * memory mapped with raw system calls (never from kalloc's own machine:
 * a stack is saved inside its allocations).  A handle is the record's
 * offset in the depot + 1, 0 meaning "no stack".  Records are never freed,
 * as in the kernel's depot before 6.8: a program has few distinct stacks.
 *
 * Locking: depot_lock, a leaf, serialises saving; fetching reads a record
 * that is complete before its handle is published (release store of the
 * chain head, acquire load on lookup).  Fork: the child gets a fresh lock.
 */
#include "slab.h"

#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unwind.h>

/* libgcc's unwinder, if the process has it (or the preload loaded it: stack_trace_set_unwinder()) */
#pragma weak _Unwind_Backtrace
#pragma weak _Unwind_GetIP

/* ------------------------------------------------------------ walking -- */

struct unwind_state {
	unsigned long *entries;
	unsigned int nr, max;
};

typedef _Unwind_Reason_Code (*unwind_backtrace_fn)(_Unwind_Trace_Fn, void *);
typedef _Unwind_Ptr (*unwind_getip_fn)(struct _Unwind_Context *);

/* The unwinder in use: the process's own, or one the preload loaded. */
static unwind_backtrace_fn unwind_backtrace;
static unwind_getip_fn unwind_getip;

void stack_trace_set_unwinder(void *backtrace, void *getip)
{
	if (!backtrace || !getip)
		return;
	unwind_getip = (unwind_getip_fn)getip;
	__atomic_store_n(&unwind_backtrace, (unwind_backtrace_fn)backtrace, __ATOMIC_RELEASE);
}

bool stack_trace_has_unwinder(void)
{
	return __atomic_load_n(&unwind_backtrace, __ATOMIC_ACQUIRE) != NULL;
}

static _Unwind_Reason_Code unwind_one(struct _Unwind_Context *ctx, void *arg)
{
	struct unwind_state *st = arg;
	unsigned long ip = unwind_getip(ctx);

	if (!ip || st->nr >= st->max)
		return _URC_END_OF_STACK;
	st->entries[st->nr++] = ip;
	return _URC_NO_REASON;
}

/* stack_trace_save(): the calling thread's stack, this function's caller first; 0 without the unwinder. */
__noinline unsigned int stack_trace_save(unsigned long *entries, unsigned int max)
{
	struct unwind_state st = { entries, 0, max };
	unwind_backtrace_fn backtrace = __atomic_load_n(&unwind_backtrace, __ATOMIC_ACQUIRE);

	if (!backtrace)
		return 0;
	backtrace(unwind_one, &st);
	return st.nr;
}

/* Prime the unwinder, so that its first-use work is not done in an allocation or a report. */
void stack_trace_prime(void)
{
	unsigned long raw[4];

	stack_trace_save(raw, ARRAY_SIZE(raw));
}

/* kalloc's own code: frames to leave out of a program's stack */
static unsigned long kalloc_text_start, kalloc_text_end;

bool in_kalloc_text(unsigned long ip)
{
	return ip - kalloc_text_start < kalloc_text_end - kalloc_text_start;
}

/*
 * stack_trace_init_text(): the bounds of kalloc's code, its own ELF image's
 * executable segment; none when kalloc is linked into the program itself
 * (its frames cannot be told apart then).
 */
static void stack_trace_init_text(void)
{
	extern const ElfW(Ehdr) __ehdr_start __hidden;
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph;
	unsigned int i;

	/* the headers are the start of the mapped image, not one object of Ehdr's size */
	__asm__("" : "+r"(eh));
	ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	if ((unsigned long)getauxval(AT_PHDR) == (unsigned long)ph)
		return;
	for (i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X)) {
			kalloc_text_start = (unsigned long)eh + ph[i].p_vaddr;
			kalloc_text_end = kalloc_text_start + ph[i].p_memsz;
			break;
		}
}

/* stack_trace_init(): the process's own unwinder, if it has one, and kalloc's code bounds. */
void stack_trace_init(void)
{
	if (_Unwind_Backtrace && _Unwind_GetIP)
		stack_trace_set_unwinder((void *)_Unwind_Backtrace, (void *)_Unwind_GetIP);
	stack_trace_init_text();
}

/*
 * stack_trace_save_user(): the stack from the program's side of the
 * allocator: from @caller (the entry point's return address) if the
 * unwinder saw it, then past kalloc's own frames (calloc's call of malloc,
 * realloc's of free); just @caller without the unwinder (the kernel's
 * get_stack_skipnr()).
 */
unsigned int stack_trace_save_user(unsigned long *out, unsigned int max, unsigned long caller)
{
	unsigned long raw[STACK_TRACE_MAX + 8];
	unsigned int n = stack_trace_save(raw, min(max + 8, (unsigned int)ARRAY_SIZE(raw))), i, j;

	for (i = 0; i < n && raw[i] != caller; i++)
		;
	if (i == n)
		for (i = 0; i < n && in_kalloc_text(raw[i]); i++)
			;
	while (i + 1 < n && in_kalloc_text(raw[i]))
		i++;
	if (i >= n) {
		out[0] = caller;
		return caller ? 1 : 0;
	}
	for (j = 0; i < n && j < max; i++, j++)
		out[j] = raw[i];
	return j;
}

/* -------------------------------------------------------------- depot -- */

#define STACK_DEPOT_BUCKETS	4096
#define STACK_DEPOT_POOL	(256UL * 1024)	/* host memory mapped at a time */

struct stack_record {
	struct stack_record *next;	/* hash chain */
	unsigned int hash, size;
	unsigned long entries[];
};

static struct stack_record *depot_buckets[STACK_DEPOT_BUCKETS];
static char *depot_pool, *depot_pool_end;
static spinlock_t depot_lock = __SPIN_LOCK_UNLOCKED;

static unsigned int hash_stack(const unsigned long *entries, unsigned int nr)
{
	unsigned long h = 0x9e3779b97f4a7c15UL;
	unsigned int i;

	for (i = 0; i < nr; i++)
		h = (h ^ entries[i]) * 0xff51afd7ed558ccdUL;
	return (unsigned int)(h ^ (h >> 32));
}

static struct stack_record *find_stack(struct stack_record *r, const unsigned long *entries,
				       unsigned int nr, unsigned int hash)
{
	for (; r; r = r->next)
		if (r->hash == hash && r->size == nr &&
		    !memcmp(r->entries, entries, nr * sizeof(*entries)))
			return r;
	return NULL;
}

/* A handle is a record's address, offset so that 0 is "none". */
static inline depot_stack_handle_t record_handle(const struct stack_record *r)
{
	return (depot_stack_handle_t)(unsigned long)r;
}

/* stack_depot_save(): the handle of @entries[0..nr), saved once; 0 without memory. */
depot_stack_handle_t stack_depot_save(const unsigned long *entries, unsigned int nr)
{
	unsigned int hash, b;
	struct stack_record *r;
	size_t need;

	if (!nr)
		return 0;
	hash = hash_stack(entries, nr);
	b = hash % STACK_DEPOT_BUCKETS;
	r = find_stack(__atomic_load_n(&depot_buckets[b], __ATOMIC_ACQUIRE), entries, nr, hash);
	if (r)
		return record_handle(r);
	need = ALIGN(sizeof(*r) + nr * sizeof(*entries), sizeof(long));
	spin_lock(&depot_lock);
	r = find_stack(depot_buckets[b], entries, nr, hash);
	if (!r) {
		if ((size_t)(depot_pool_end - depot_pool) < need) {
			void *p = sys_mmap(NULL, STACK_DEPOT_POOL, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (IS_ERR_VALUE(p)) {
				spin_unlock(&depot_lock);
				return 0;
			}
			depot_pool = p;
			depot_pool_end = depot_pool + STACK_DEPOT_POOL;
		}
		r = (struct stack_record *)depot_pool;
		depot_pool += need;
		r->hash = hash;
		r->size = nr;
		memcpy(r->entries, entries, nr * sizeof(*entries));
		r->next = depot_buckets[b];
		__atomic_store_n(&depot_buckets[b], r, __ATOMIC_RELEASE);
	}
	spin_unlock(&depot_lock);
	return record_handle(r);
}

/* stack_depot_fetch(): the frames of @handle in *@entries; their number (0 for none). */
unsigned int stack_depot_fetch(depot_stack_handle_t handle, const unsigned long **entries)
{
	const struct stack_record *r = (const struct stack_record *)(unsigned long)handle;

	if (!r)
		return 0;
	*entries = r->entries;
	return r->size;
}

/* Fork: depot_lock is a leaf, taken last and released first (mm_init.c). */
void stack_depot_fork_prepare(void)
{
	spin_lock(&depot_lock);
}

void stack_depot_fork_parent(void)
{
	spin_unlock(&depot_lock);
}

void stack_depot_fork_child(void)
{
	spin_lock_init(&depot_lock);
}
