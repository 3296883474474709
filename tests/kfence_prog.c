/*
 * tests/kfence_prog.c - a program with memory errors for KFENCE, run under
 * the preload by tests/test_kfence.sh with kfence.sample_rate=1 (every
 * slab-sized malloc a thread makes after its first one is sampled).
 *
 *	kfence_prog CASE
 *
 * The error cases end in KFENCE's report and SIGABRT; the others exit 0
 * when every check held, and 1 with a message otherwise.  Built with
 * -rdynamic so that the report names alloc_obj() and free_obj(), and
 * -fno-builtin so that the compiler does not reason about malloc's
 * objects.  The program does not link kalloc: it finds kalloc_report()
 * with dlsym() for the "kfence" report.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE	4096UL

static int failures;

#define CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "kfence_prog: %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			failures++;						\
		}								\
	} while (0)

__attribute__((noinline)) void *alloc_obj(size_t n)
{
	void *p = malloc(n);

	__asm__ volatile("" : : "r"(p) : "memory");	/* not a tail call */
	return p;
}

__attribute__((noinline)) void free_obj(void *p)
{
	free(p);
	__asm__ volatile("" : : : "memory");
}

/*
 * The "kfence" report's counter @name, or -1.  The report goes to one
 * FILE opened at the first call and kept (with kfence.sample_rate=1 a
 * FILE of its own would be a KFENCE object live during the report).
 */
static long kfence_counter(const char *name)
{
	static int (*report)(FILE *, const char *);
	static char buf[4096];
	static FILE *f;
	char *at;
	long v = -1;

	if (!report)
		report = (int (*)(FILE *, const char *))dlsym(RTLD_DEFAULT, "kalloc_report");
	if (!f)
		f = fmemopen(buf, sizeof(buf) - 1, "w");
	if (!report || !f)
		return -1;
	memset(buf, 0, sizeof(buf));
	rewind(f);
	report(f, "kfence");
	fflush(f);
	at = strstr(buf, name);
	if (at && at[strlen(name)] == ':')
		v = strtol(at + strlen(name) + 1, NULL, 10);
	return v;
}

/* KFENCE objects live now, beyond those live at the last baseline() (stdio's, the report's FILE) */
static long live_base;

static void baseline(void)
{
	kfence_counter("currently allocated");
	printf("%s", "");
	live_base = kfence_counter("currently allocated");
}

static long live_objects(void)
{
	return kfence_counter("currently allocated") - live_base;
}

/* An object of @n bytes against the right edge of its page (a KFENCE one). */
/* An object of @n bytes at offset @want of its page (the pool puts it at an edge). */
static char *alloc_at(size_t n, unsigned long want, const char *edge)
{
	void *held[64];
	char *p = NULL;
	int i, k = 0;

	for (i = 0; i < 64; i++) {
		p = alloc_obj(n);
		if (((uintptr_t)p & (PAGE - 1)) == want)
			break;
		held[k++] = p;
		p = NULL;
	}
	while (k)
		free(held[--k]);
	if (!p) {
		fprintf(stderr, "kfence_prog: no object of %zu bytes at a %s edge\n", n, edge);
		exit(1);
	}
	return p;
}

static char *alloc_right(size_t n)
{
	return alloc_at(n, (PAGE - n) & ~15UL, "right");
}

static char *alloc_left(size_t n)
{
	return alloc_at(n, 0, "left");
}

static void warm_up(void)
{
	free(malloc(24));	/* the thread's first allocation is never sampled */
}

/* ------------------------------------------------------------ errors -- */

__attribute__((noinline)) int overflow40(void)
{
	volatile char *p = alloc_right(40);

	p[40] = 'x';		/* in the slack before the guard page: the canary */
	printf("wrote one byte past malloc(40)\n");
	fflush(stdout);
	free_obj((void *)p);
	return 0;
}

__attribute__((noinline)) int oob_write(void)
{
	volatile char *p = alloc_right(48);

	p[48] = 'x';		/* the guard page */
	return 0;
}

__attribute__((noinline)) int oob_read_left(void)
{
	volatile char *p = alloc_left(32);

	return p[-1];
}

__attribute__((noinline)) int uaf(void)
{
	volatile char *p = alloc_obj(40);

	free_obj((void *)p);
	return p[8];
}

__attribute__((noinline)) int double_free(void)
{
	void *p = alloc_obj(40);

	free_obj(p);
	free_obj(p);
	return 0;
}

__attribute__((noinline)) int invalid_free(void)
{
	char *p = alloc_obj(40);

	free_obj(p + 8);
	return 0;
}

/* kfence.panic_on_warn=0: reported, and the program goes on. */
__attribute__((noinline)) int oob_continue(void)
{
	volatile char *p = alloc_right(64);

	p[64] = 'x';
	p[65] = 'y';		/* the page is open now: no second report */
	free_obj((void *)p);
	CHECK(kfence_counter("total bugs") == 1, "total bugs %ld, not 1", kfence_counter("total bugs"));
	p = alloc_obj(64);
	free_obj((void *)p);
	printf("went on\n");
	return failures != 0;
}

/* ---------------------------------------------------------- handlers -- */

static sigjmp_buf jb;
static volatile sig_atomic_t own_handler_ran;
static volatile void *own_fault_addr;

static void own_sigaction(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)uc;
	own_handler_ran++;
	own_fault_addr = info->si_addr;
	siglongjmp(jb, 1);
}

static void own_handler(int sig)
{
	(void)sig;
	own_handler_ran++;
	siglongjmp(jb, 1);
}

/* A fault that is not KFENCE's: a page of the program's own, PROT_NONE. */
static bool program_fault(void)
{
	volatile char *page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int before = own_handler_ran;

	if (!sigsetjmp(jb, 1))
		page[5] = 1;
	munmap((void *)page, PAGE);
	return own_handler_ran == before + 1 && (own_fault_addr == NULL || own_fault_addr == page + 5);
}

static void install(bool siginfo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	if (siginfo) {
		sa.sa_sigaction = own_sigaction;
		sa.sa_flags = SA_SIGINFO;
	} else {
		sa.sa_handler = own_handler;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

static void *current_handler(void)
{
	struct sigaction cur;

	sigaction(SIGSEGV, NULL, &cur);
	return (cur.sa_flags & SA_SIGINFO) ? (void *)cur.sa_sigaction : (void *)cur.sa_handler;
}

/* The program's handler, installed before KFENCE's pool: a fault that is not KFENCE's reaches it. */
static int handler_before(bool siginfo)
{
	void *mine = siginfo ? (void *)own_sigaction : (void *)own_handler;
	void *p;

	install(siginfo);
	CHECK(current_handler() == mine, "KFENCE had started before main()");
	warm_up();
	p = alloc_obj(40);	/* KFENCE starts */
	CHECK(kfence_counter("total allocations") >= 1, "no KFENCE object");
	CHECK(current_handler() != mine, "KFENCE installed no handler");
	CHECK(program_fault(), "the program's own handler did not see its fault");
	CHECK(program_fault(), "... nor the second one");
	free_obj(p);
	printf("own handler ran %d times\n", (int)own_handler_ran);
	return failures != 0;
}

/* The program's handler, installed after KFENCE's: the program runs, its handler works. */
static int handler_after(void)
{
	volatile char *p;

	warm_up();
	p = alloc_right(48);
	install(true);
	CHECK(program_fault(), "the program's own handler did not see its fault");
	/* KFENCE's faults now go to the program's handler too (the documented limit) */
	if (!sigsetjmp(jb, 1))
		p[48] = 1;
	CHECK(own_fault_addr == p + 48, "the guard page fault did not reach the program's handler");
	free_obj((void *)p);
	printf("own handler ran %d times\n", (int)own_handler_ran);
	return failures != 0;
}

/* No handler of the program's: its own bad access still kills it with SIGSEGV. */
static int segv_default(void)
{
	volatile char *page = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	warm_up();
	free_obj(alloc_obj(40));	/* KFENCE starts */
	page[1] = 1;
	return 0;
}

/* ------------------------------------------------------------ the ABI -- */

static void fill(char *p, size_t n, int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (char)(i * 7 + seed);
}

static bool filled(const char *p, size_t n, int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (char)(i * 7 + seed))
			return false;
	return true;
}

static int abi(void)
{
	long before;
	char *p, *q;
	size_t us;
	int i;

	baseline();
	before = kfence_counter("total allocations");
	p = alloc_obj(40);
	CHECK(kfence_counter("total allocations") == before + 1, "malloc(40) was not KFENCE's");
	us = malloc_usable_size(p);
	CHECK(us >= 40 && us < PAGE, "malloc_usable_size %zu", us);
	CHECK(malloc_usable_size(p) == us, "malloc_usable_size changed");
	CHECK(((uintptr_t)p & 15) == 0, "%p not 16-aligned", (void *)p);
	fill(p, us, 1);

	/* grows across to normal memory (above a page: never KFENCE's) and back */
	q = realloc(p, 6000);
	CHECK(q && q != p, "realloc to 6000");
	CHECK(filled(q, us, 1), "realloc lost the bytes");
	CHECK(malloc_usable_size(q) >= 6000, "usable %zu", malloc_usable_size(q));
	fill(q, 6000, 2);
	p = realloc(q, 40);
	CHECK(p && filled(p, 40, 2), "realloc back to 40");
	CHECK(live_objects() == 1, "realloc back: not KFENCE's");
	q = realloc(p, 100);	/* KFENCE to KFENCE */
	CHECK(q && filled(q, 40, 2), "realloc 40 -> 100");
	CHECK(malloc_usable_size(q) >= 100, "usable %zu", malloc_usable_size(q));
	p = realloc(q, 20);	/* shrinking */
	CHECK(p && filled(p, 20, 2), "realloc 100 -> 20");
	free(p);
	CHECK(live_objects() == 0, "objects left");

	p = calloc(10, 30);
	CHECK(p, "calloc");
	for (i = 0; i < 300; i++)
		CHECK(!p[i], "calloc byte %d is %d", i, p[i]);
	free(p);
	p = realloc(NULL, 50);
	CHECK(p, "realloc(NULL, 50)");
	CHECK(realloc(p, 0) == NULL, "realloc(p, 0)");
	CHECK(posix_memalign((void **)&p, 16, 200) == 0, "posix_memalign");
	free(p);
	CHECK(malloc_usable_size(NULL) == 0, "usable(NULL)");
	free(NULL);

	/* a pool's worth and more: the pool runs out, malloc does not */
	{
		enum { N = 600 };
		static char *v[N];

		for (i = 0; i < N; i++) {
			v[i] = alloc_obj(1 + i % 500);
			CHECK(v[i], "malloc %d", i);
			fill(v[i], 1 + i % 500, i);
		}
		CHECK(kfence_counter("skipped allocations (capacity)") > 0, "the pool never ran out");
		for (i = 0; i < N; i++) {
			CHECK(filled(v[i], 1 + i % 500, i), "object %d changed", i);
			free_obj(v[i]);
		}
	}
	CHECK(kfence_counter("total bugs") == 0, "bugs reported");
	printf("abi checks done\n");
	return failures != 0;
}

/* A fork child frees the parent's KFENCE objects; so does the parent. */
static int fork_free(void)
{
	char *v[8];
	int i, status;
	pid_t pid;

	baseline();
	for (i = 0; i < 8; i++) {
		v[i] = alloc_obj(100 + i);
		fill(v[i], 100 + i, i);
	}
	CHECK(live_objects() == 8, "not 8 KFENCE objects");
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 8; i++) {
			if (!filled(v[i], 100 + i, i))
				_exit(2);
			free_obj(v[i]);
		}
		v[0] = alloc_obj(64);
		free_obj(v[0]);
		_exit(live_objects() == 0 ? 0 : 3);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child status %#x", status);
	for (i = 0; i < 8; i++) {
		CHECK(filled(v[i], 100 + i, i), "object %d changed in the parent", i);
		free_obj(v[i]);
	}
	CHECK(live_objects() == 0, "objects left");
	printf("fork checks done\n");
	return failures != 0;
}

/* Threads allocate, check and free; each frees some of its neighbour's objects. */
#define NR_THREADS	4
#define ROUNDS		3000

static char *exchange[NR_THREADS][16];
static pthread_barrier_t barrier;

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg, i, bad = 0;
	unsigned int seed = t * 7919 + 1;

	for (i = 0; i < ROUNDS; i++) {
		size_t n = 1 + rand_r(&seed) % 700;
		char *p = alloc_obj(n);

		fill(p, n, t + i);
		if (!filled(p, n, t + i))
			bad++;
		free_obj(p);
	}
	for (i = 0; i < 16; i++) {
		exchange[t][i] = alloc_obj(32 + i);
		fill(exchange[t][i], 32 + i, t);
	}
	pthread_barrier_wait(&barrier);
	for (i = 0; i < 16; i++) {
		char *p = exchange[(t + 1) % NR_THREADS][i];

		if (!filled(p, 32 + i, (t + 1) % NR_THREADS))
			bad++;
		free_obj(p);
	}
	return (void *)(intptr_t)bad;
}

static int threads(void)
{
	pthread_t th[NR_THREADS];
	void *ret;
	int i;

	baseline();
	pthread_barrier_init(&barrier, NULL, NR_THREADS);
	for (i = 0; i < NR_THREADS; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(th[i], &ret);
		CHECK(!ret, "thread %d saw %ld bad objects", i, (long)(intptr_t)ret);
	}
	CHECK(kfence_counter("total allocations") > NR_THREADS * 100, "few KFENCE objects: %ld",
	      kfence_counter("total allocations"));
	/* glibc keeps a few allocations of each thread it created (its TLS vector) */
	CHECK(live_objects() <= NR_THREADS, "objects left: %ld", live_objects());
	CHECK(kfence_counter("total bugs") == 0, "bugs reported");
	printf("thread checks done\n");
	return failures != 0;
}

/* A few objects live at exit, for KALLOC_STATS=kfence,kfence_objects. */
static int live(void)
{
	static void *keep[3];
	int i;

	warm_up();
	for (i = 0; i < 3; i++)
		keep[i] = alloc_obj(10 + i);
	free_obj(keep[2]);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "overflow40", overflow40 }, { "oob-write", oob_write },
		{ "oob-read-left", oob_read_left }, { "uaf", uaf },
		{ "double-free", double_free }, { "invalid-free", invalid_free },
		{ "oob-continue", oob_continue }, { "handler-after", handler_after },
		{ "segv-default", segv_default }, { "abi", abi }, { "fork", fork_free },
		{ "threads", threads }, { "live", live },
	};
	unsigned int i;

	if (argc == 2 && !strcmp(argv[1], "handler-before"))
		return handler_before(true);
	if (argc == 2 && !strcmp(argv[1], "handler-before-plain"))
		return handler_before(false);
	for (i = 0; argc == 2 && i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!strcmp(argv[1], cases[i].name)) {
			if (strcmp(argv[1], "handler-after"))
				warm_up();
			return cases[i].fn();
		}
	}
	fprintf(stderr, "usage: kfence_prog CASE\n");
	return 2;
}
