/*
 * lib/kernel.h - the small kernel vocabulary every lib/ file shares:
 * compiler hints, list_head, locks, BUG_ON/WARN_ON, printk and the raw
 * system calls kalloc makes.
 *
 * Rule: nothing here may call an interposable libc routine that can
 * allocate, and the memory system calls are made with the syscall
 * instruction itself, never through libc's mmap()/madvise() (another
 * preloaded library may hook those and call malloc back).
 */
#ifndef KALLOC_KERNEL_H
#define KALLOC_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include <string.h>
#include <pthread.h>
#include <sys/types.h>
#include <elf.h>

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#ifndef __always_inline
#define __always_inline	inline __attribute__((always_inline))
#endif
#define __noinline	__attribute__((noinline))
#define __cold		__attribute__((cold))
#define __hidden	__attribute__((visibility("hidden")))

/*
 * EXPORT_SYMBOL(): a function of the kernel-style API (include/kalloc.h)
 * is exported under its kernel name and under kalloc_<name>, the same
 * function: a program with a free_page() or kmap() of its own uses the
 * second (KALLOC_PREFIX_ONLY in kalloc.h), kernel code ported to user
 * space the first.  lib/libkalloc.map lists what the library exports.
 */
#define EXPORT_SYMBOL(sym) \
	extern __typeof__(sym) kalloc_##sym __attribute__((alias(#sym), visibility("default")))
#define __export	__attribute__((visibility("default")))
#define __cacheline_aligned	__attribute__((aligned(64)))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN(x, a)	(((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define BITS_PER_LONG	(8 * (int)sizeof(long))
#define BITS_TO_LONGS(n)	DIV_ROUND_UP(n, BITS_PER_LONG)
#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define SZ_1K	0x400UL
#define SZ_1M	0x100000UL
#define SZ_1G	0x40000000UL

/* -------------------------------------------------------- list_head -- */

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name)	{ &(name), &(name) }

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

static inline void __list_add(struct list_head *new, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = new;
	new->next = next;
	new->prev = prev;
	prev->next = new;
}

static inline void list_add(struct list_head *new, struct list_head *head)
{
	__list_add(new, head, head->next);
}

static inline void list_add_tail(struct list_head *new, struct list_head *head)
{
	__list_add(new, head->prev, head);
}

static inline void list_del(struct list_head *entry)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	entry->next = entry->prev = NULL;
}

static inline void list_move(struct list_head *entry, struct list_head *head)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	list_add(entry, head);
}

static inline void list_move_tail(struct list_head *entry, struct list_head *head)
{
	entry->next->prev = entry->prev;
	entry->prev->next = entry->next;
	list_add_tail(entry, head);
}

static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(head, type, member)	list_entry((head)->next, type, member)
#define list_last_entry(head, type, member)	list_entry((head)->prev, type, member)
/*
 * __list_of(pos, member): &pos->member without a member access.  The
 * "entry" a walk reaches at the head is no object (and mostly misaligned
 * for its type): C, and -fsanitize=alignment, allow pos->member only on a
 * real one.
 */
#define __list_of(pos, member) \
	((struct list_head *)((char *)(pos) + offsetof(__typeof__(*(pos)), member)))
/* list_entry_is_head(): has the walk come back to @head? */
#define list_entry_is_head(pos, head, member)	(__list_of(pos, member) == (head))
#define list_for_each(pos, head) \
	for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_entry((head)->next, __typeof__(*pos), member);	\
	     !list_entry_is_head(pos, head, member);			\
	     pos = list_entry(pos->member.next, __typeof__(*pos), member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_entry((head)->next, __typeof__(*pos), member),	\
	     n = list_entry(__list_of(pos, member)->next, __typeof__(*pos), member); \
	     !list_entry_is_head(pos, head, member);			\
	     pos = n, n = list_entry(__list_of(n, member)->next, __typeof__(*n), member))

/* ------------------------------------------------------------- locks -- */

/*
 * spinlock_t keeps the kernel's name, but it is a pthread mutex: a thread
 * that holds it may be descheduled, and spinning on two cores against a
 * descheduled owner wastes the machine.  It is glibc's adaptive kind: a
 * contended lock is retried a bounded number of times before the thread
 * sleeps, since kalloc's critical sections are short (two threads trading
 * sheaves: xthread_free/1K on 2 threads 41 -> 30 ns).  Never held on a
 * malloc/free fast path.
 */
typedef struct {
	pthread_mutex_t m;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED	{ PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP }

/*
 * Between fork()'s prepare handler, which takes every kalloc lock, and the
 * parent/child handlers, the forking thread owns them all; a prepare
 * handler registered before kalloc's runs after it and may allocate, so
 * the owner passes through the locks it already holds.
 *
 * kalloc_fork_owner is stored before kalloc_fork_active is set with a
 * release store (mm_init.c), and read after an acquire load of the flag
 * has seen it set: a thread that sees the flag sees the owner who set it.
 * Both are atomics besides, since another fork may set the owner while a
 * thread that saw the previous one's flag reads it (it is then not the
 * owner either way).  On x86 both loads are plain moves.
 */
extern int kalloc_fork_active;
extern pthread_t kalloc_fork_owner;

static inline bool fork_owner_passes(void)
{
	return unlikely(__atomic_load_n(&kalloc_fork_active, __ATOMIC_ACQUIRE)) &&
	       pthread_equal(READ_ONCE(kalloc_fork_owner), pthread_self());
}

static inline void spin_lock_init(spinlock_t *l)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&l->m, &attr);
	pthread_mutexattr_destroy(&attr);
}

static inline void spin_lock(spinlock_t *l)
{
	if (fork_owner_passes())
		return;
	pthread_mutex_lock(&l->m);
}

static inline void spin_unlock(spinlock_t *l)
{
	if (fork_owner_passes())
		return;
	pthread_mutex_unlock(&l->m);
}

static inline int spin_trylock(spinlock_t *l)
{
	if (fork_owner_passes())
		return 1;
	return pthread_mutex_trylock(&l->m) == 0;
}

/* ------------------------------------------------------ diagnostics -- */

#define KERN_EMERG	0
#define KERN_ERR	3
#define KERN_WARNING	4
#define KERN_NOTICE	5
#define KERN_INFO	6
#define KERN_DEBUG	7

/*
 * printk(): messages of a level below the console loglevel (option
 * loglevel=, default 5: errors and warnings) go to stderr, prefixed
 * "kalloc: ".  Formats with vsnprintf into a stack buffer and writes with
 * the write system call; safe before and during initialisation.
 */
void printk(int level, const char *fmt, ...) __printf(2, 3) __hidden;
void vprintk(int level, const char *fmt, va_list ap) __hidden;
#define pr_err(...)	printk(KERN_ERR, __VA_ARGS__)
#define pr_warn(...)	printk(KERN_WARNING, __VA_ARGS__)
#define pr_notice(...)	printk(KERN_NOTICE, __VA_ARGS__)
#define pr_info(...)	printk(KERN_INFO, __VA_ARGS__)
#define pr_debug(...)	printk(KERN_DEBUG, __VA_ARGS__)

/* Print "kalloc: <message>" and abort the process (SIGABRT). */
__attribute__((noreturn)) void panic(const char *fmt, ...) __printf(1, 2) __hidden;

#define BUG()	panic("kernel BUG at %s:%d!", __FILE__, __LINE__)
#define BUG_ON(cond)	do { if (unlikely(cond)) BUG(); } while (0)
#define WARN_ON(cond) ({						\
	int __ret_warn_on = !!(cond);					\
	if (unlikely(__ret_warn_on))					\
		pr_warn("WARNING: at %s:%d\n", __FILE__, __LINE__);	\
	unlikely(__ret_warn_on);					\
})

#ifdef CONFIG_DEBUG_VM
#define VM_BUG_ON(cond)	BUG_ON(cond)
#else
#define VM_BUG_ON(cond)	do { (void)sizeof(cond); } while (0)
#endif

/*
 * *@peak = max(*@peak, @v), for the high-water marks of the summary
 * report.  Slow paths only: a compare-and-swap when @v is a new peak.
 */
static inline void peak_update(unsigned long *peak, unsigned long v)
{
	unsigned long old = __atomic_load_n(peak, __ATOMIC_RELAXED);

	while (v > old &&
	       !__atomic_compare_exchange_n(peak, &old, v, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* -------------------------------------------------- raw system calls -- */

long kalloc_syscall6(long nr, long a, long b, long c, long d, long e, long f) __hidden;

void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) __hidden;
int sys_munmap(void *addr, size_t len) __hidden;
int sys_mprotect(void *addr, size_t len, int prot) __hidden;
int sys_madvise(void *addr, size_t len, int advice) __hidden;
void *sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr) __hidden;
ssize_t sys_write(int fd, const void *buf, size_t len) __hidden;
ssize_t sys_read(int fd, void *buf, size_t len) __hidden;
int sys_open(const char *path, int flags, int mode) __hidden;
int sys_close(int fd) __hidden;
int sys_getpid(void) __hidden;
int sys_memfd_create(const char *name, unsigned int flags) __hidden;
int sys_ftruncate(int fd, off_t len) __hidden;
int sys_fallocate(int fd, int mode, off_t off, off_t len) __hidden;
off_t sys_lseek(int fd, off_t off, int whence) __hidden;
ssize_t sys_copy_file_range(int fd_in, off_t *off_in, int fd_out, off_t *off_out,
			    size_t len) __hidden;
int sys_pipe2(int fds[2], int flags) __hidden;
int sys_getrlimit_cur(int resource, unsigned long long *cur) __hidden;
/* Each mapping of /proc/self/maps to @fn until it returns false; false if unreadable. */
bool for_each_mapping(bool (*fn)(unsigned long lo, unsigned long hi, bool readable, void *arg),
		      void *arg) __hidden;
/* Monotonic time in nanoseconds. */
uint64_t ktime_get_ns(void) __hidden;
/* kallsyms.c: "name+0xoff/0xsize [object]" for a code address, as %pS prints */
int sprint_symbol(char *buf, size_t size, unsigned long addr) __hidden;
const char *sprint_caller(char *buf, size_t size, unsigned long addr) __hidden;
/* ... with " file.c:123" where the object has a line table: of a pc, of a return address */
int sprint_symbol_line(char *buf, size_t size, unsigned long addr) __hidden;
int sprint_backtrace_line(char *buf, size_t size, unsigned long addr) __hidden;
/* "file.c:123" alone, "" when unknown (@backtrace: @addr is a return address) */
int sprint_line(char *buf, size_t size, unsigned long addr, bool backtrace) __hidden;

/* debug_line.c: source lines from an object's DWARF line table (or its build-id debug file) */
extern char debug_file_directory[128] __hidden;
const unsigned char *map_file_ro(const char *path, size_t *len) __hidden;
int debug_line_sprint(char *buf, size_t size, const unsigned char *img, size_t len,
		      unsigned long pc) __hidden;
/* The section headers of a 64-bit ELF image, checked to lie inside it, or NULL */
const Elf64_Shdr *elf_shdrs(const unsigned char *img, size_t len, unsigned int *nr) __hidden;
/* Does section @sh's contents lie whole inside an image of @len bytes? */
static inline bool elf_in_image(const Elf64_Shdr *sh, size_t len)
{
	return sh->sh_offset <= len && sh->sh_size <= len - sh->sh_offset;
}

/* stackdepot.c: call stacks for reports, and the depot that keeps each once */
#define STACK_TRACE_MAX	16
typedef unsigned long depot_stack_handle_t;	/* 0: no stack */
unsigned int stack_trace_save(unsigned long *entries, unsigned int max) __hidden;
unsigned int stack_trace_save_user(unsigned long *out, unsigned int max, unsigned long caller) __hidden;
void stack_trace_prime(void) __hidden;
void stack_trace_init(void) __hidden;
void stack_trace_set_unwinder(void *backtrace, void *getip) __hidden;
bool stack_trace_has_unwinder(void) __hidden;
bool in_kalloc_text(unsigned long ip) __hidden;
depot_stack_handle_t stack_depot_save(const unsigned long *entries, unsigned int nr) __hidden;
unsigned int stack_depot_fetch(depot_stack_handle_t handle, const unsigned long **entries) __hidden;
void stack_depot_fork_prepare(void) __hidden;
void stack_depot_fork_parent(void) __hidden;
void stack_depot_fork_child(void) __hidden;

/* sys_mmap() returns a pointer; an error comes back as (void *)-errno. */
#define IS_ERR_VALUE(x)	((unsigned long)(x) >= (unsigned long)-4095)

#endif /* KALLOC_KERNEL_H */
