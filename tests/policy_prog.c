/*
 * tests/policy_prog.c - a program whose memory the tests of the free-memory
 * policy watch (tests/test_policy.sh runs it under the preload).
 *
 *   policy_prog MODE [MiB=256]
 *
 *	traffic	allocate MiB in objects of 64 B .. 64 KiB (every byte written),
 *		free all of it, then light traffic (300 malloc/free of
 *		16 .. 256 B every 100 ms); prints "settled MS" at the first
 *		RSS sample within MiB/4 of the start, or "never" after 10 s
 *	quiet	the same with no traffic at all after the frees (sleeps)
 *	now	the same, but prints the RSS above the start right after the
 *		frees: "freed KiB"
 *	pqp-flush SIZE N [thread]  the same with N other frees between the
 *		two (the first ones in a thread that then exits)
 *	reuse	allocates and frees MiB of mixed objects 40 times, then prints
 *		the number of madvise calls of the totals report: "calls N"
 *	threads	prints the names of the process's threads, one per line,
 *		after allocating and freeing a little, then again in a forked
 *		child after it did the same
 *	handover  50 rounds of Hoard's cache-scratch: the main thread
 *		allocates 4 objects of 8 bytes in a row and hands one to each
 *		of 4 new threads, which frees it and allocates one of the same
 *		size; prints "shared N of 300": the pairs of threads whose
 *		objects were in one 64-byte line
 *	exit	allocates, starts a thread that allocates and sleeps 300 ms,
 *		and ends the main thread with pthread_exit(): the process must
 *		end when that thread does
 *
 * Everything it writes it checks; a mismatch exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long rss_kb(void)
{
	long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f || fscanf(f, "%ld %ld", &size, &res) != 2)
		exit(2);
	fclose(f);
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static uint64_t rng = 12345;

static size_t rand_size(size_t lo, size_t hi)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return lo + rng % (hi - lo + 1);
}

struct obj {
	struct obj *next;
	size_t size;
};

/* MiB of objects of lo .. hi bytes, each filled with its size's low byte. */
static struct obj *fill(long mib, size_t lo, size_t hi)
{
	struct obj *head = NULL;
	long bytes = 0;

	while (bytes < mib << 20) {
		size_t s = rand_size(lo, hi);
		struct obj *o = malloc(s);

		if (!o) {
			fprintf(stderr, "malloc(%zu) failed\n", s);
			exit(1);
		}
		memset(o, (int)(s & 0xff), s);
		o->next = head;
		o->size = s;
		head = o;
		bytes += (long)s;
	}
	return head;
}

static void drop(struct obj *head)
{
	while (head) {
		struct obj *next = head->next;
		unsigned char *c = (unsigned char *)head;

		if (c[head->size - 1] != (unsigned char)(head->size & 0xff)) {
			fprintf(stderr, "object of %zu bytes overwritten\n", head->size);
			exit(1);
		}
		free(head);
		head = next;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void light_traffic(void **ring)
{
	int i;

	for (i = 0; i < 300; i++) {
		unsigned int k = (unsigned int)rand_size(0, 63);

		free(ring[k]);
		ring[k] = malloc(rand_size(16, 256));
		memset(ring[k], 1, 16);
	}
}

static void print_threads(const char *who)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[64], name[32] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (f && fgets(name, sizeof(name), f))
			printf("%s %s", who, name);
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
}

static void *napper(void *arg)
{
	(void)arg;
	drop(fill(1, 64, 1024));
	sleep_ms(300);
	return NULL;
}

/*
 * Allocate blocks of @size until malloc() says NULL (ENOMEM), chained
 * through their first word; then free them all.  Returns how many it got,
 * -1 if the NULL came without ENOMEM.
 */
static long fill_until_null(size_t size)
{
	void *head = NULL, *p;
	long n = 0;

	errno = 0;
	while ((p = malloc(size)) != NULL) {
		memcpy(p, &head, sizeof(head));
		head = p;
		n++;
	}
	if (errno != ENOMEM)
		n = -1;
	while (head) {
		memcpy(&p, head, sizeof(p));
		free(head);
		head = p;
	}
	return n;
}

/* free p, then n others: p leaves the sheaf (to the spare, the barn, the slab) */
struct flush_job {
	void *p;
	void **others;
	long n;
};

static void *free_then_flush(void *arg)
{
	struct flush_job *job = arg;
	long i;

	free(job->p);
	for (i = 0; i < job->n; i++)
		free(job->others[i]);
	return NULL;
}

/* kalloc's totals report, as text (empty without kalloc). */
static const char *totals_report(void)
{
	int (*report)(FILE *, const char *) =
		(int (*)(FILE *, const char *))dlsym(RTLD_DEFAULT, "kalloc_report");
	static char buf[8192];
	FILE *f;

	memset(buf, 0, sizeof(buf));
	if (!report)
		return buf;
	f = fmemopen(buf, sizeof(buf) - 1, "w");
	report(f, "totals");
	fclose(f);
	return buf;
}

/* Pages the zones have handed out: the "allocated" column of the total row. */
static long allocated_pages(void)
{
	const char *row = strstr(totals_report(), "\ntotal ");
	long present, managed, free_pages, allocated;

	if (!row || sscanf(row, "\ntotal %ld %ld %ld %ld", &present, &managed, &free_pages,
			   &allocated) != 4)
		return -1;
	return allocated;
}

/* handover: free the object handed over, take one of the same size, wait for the others */
struct handover {
	void *given, *got;
	pthread_barrier_t *done;
};

static void *take_over(void *arg)
{
	struct handover *h = arg;

	free(h->given);
	h->got = malloc(8);
	pthread_barrier_wait(h->done);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "traffic";
	long mib = argc > 2 ? atol(argv[2]) : 256;
	long start = rss_kb(), t;
	void *ring[64] = { 0 };

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(mode, "oom")) {	/* oom SIZE: out of memory twice, then on */
		size_t size = argc > 2 ? strtoul(argv[2], NULL, 0) : 100;
		long a = fill_until_null(size), b = fill_until_null(size);
		void *p = malloc(100);

		printf("oom %ld %ld %s\n", a, b, a >= 0 && b >= a - a / 10 && p ? "ok" : "wrong");
		free(p);
		return 0;
	}
	if (!strcmp(mode, "pqp")) {	/* pqp SIZE: a double free with a free between */
		size_t size = argc > 2 ? strtoul(argv[2], NULL, 0) : 64;
		char *volatile p = malloc(size), *volatile q = malloc(size);

		free(p);
		free(q);
		free(p);
		printf("not caught\n");
		return 0;
	}
	if (!strcmp(mode, "pqp-flush")) {	/* pqp-flush SIZE N [thread] */
		size_t size = argc > 2 ? strtoul(argv[2], NULL, 0) : 64;
		long n = argc > 3 ? atol(argv[3]) : 1000, i;
		struct flush_job job = { malloc(size), calloc((size_t)n, sizeof(void *)), n };
		pthread_t t;

		for (i = 0; i < n; i++)
			job.others[i] = malloc(size);
		if (argc > 4) {		/* the first free in a thread that exits */
			pthread_create(&t, NULL, free_then_flush, &job);
			pthread_join(t, NULL);
		} else {
			free_then_flush(&job);
		}
		free(job.p);
		printf("not caught\n");
		return 0;
	}
	if (!strcmp(mode, "foreign")) {	/* free and realloc of a stack address */
		char buf[64] = "foreign bytes";
		char *volatile q;

		free(buf + 8);
		q = realloc(buf, 32);
		printf("foreign went on: %s\n", q ? q : "(null)");
		free(q);
		return 0;
	}
	if (!strcmp(mode, "storekey")) {	/* a program that stores the free key itself */
		volatile unsigned long key;
		unsigned long *volatile p = malloc(64), *volatile q;
		int i;

		free(p);
		key = p[0];		/* what free() left in the first word */
		if (!key) {		/* malloc() cleared it: free() wrote none */
			printf("free() wrote no key\n");
			return 0;
		}
		for (i = 0; i < 1000; i++) {
			q = malloc(64);
			q[0] = key;	/* as if by chance */
			free(q);
			free(malloc(64));	/* a never-written object: no key either */
		}
		printf("storekey ok\n");
		return 0;
	}
	if (!strcmp(mode, "strgrow")) {	/* strings grown a page at a time by realloc() */
		enum { NSTR = 8, STEPS = 120 };
		unsigned char *str[NSTR] = { 0 };
		size_t len[NSTR] = { 0 };
		long moves = 0, steps = 0, bad = 0;
		int i, k;

		for (k = 0; k < STEPS; k++)
			for (i = 0; i < NSTR; i++) {
				size_t n = 12288 + (size_t)k * 4096;
				unsigned char *q = realloc(str[i], n);

				if (!q)
					return 2;
				moves += str[i] && q != str[i];
				steps += str[i] != NULL;
				memset(q + len[i], (unsigned char)(i + k), n - len[i]);
				str[i] = q;
				len[i] = n;
			}
		for (i = 0; i < NSTR; i++) {
			for (k = 0; k < STEPS; k++) {
				size_t from = k ? 12288 + (size_t)(k - 1) * 4096 : 0;

				bad += str[i][from] != (unsigned char)(i + k) ||
				       str[i][12288 + (size_t)k * 4096 - 1] != (unsigned char)(i + k);
			}
			free(str[i]);
		}
		printf("strgrow moves %ld of %ld, %ld bad\n", moves, steps, bad);
		return 0;
	}
	if (!strcmp(mode, "handover")) {
		enum { T = 4, ROUNDS = 50 };
		struct handover job[T];
		pthread_barrier_t done;
		pthread_t t[T];
		int r, i, j, shared = 0;

		pthread_barrier_init(&done, NULL, T);
		for (r = 0; r < ROUNDS; r++) {
			for (i = 0; i < T; i++) {
				job[i].given = malloc(8);
				job[i].done = &done;
			}
			for (i = 0; i < T; i++)
				if (pthread_create(&t[i], NULL, take_over, &job[i]))
					return 2;
			for (i = 0; i < T; i++)
				pthread_join(t[i], NULL);
			for (i = 0; i < T; i++)
				for (j = i + 1; j < T; j++)
					shared += (uintptr_t)job[i].got / 64 == (uintptr_t)job[j].got / 64;
			for (i = 0; i < T; i++)
				free(job[i].got);
		}
		printf("shared %d of %d\n", shared, ROUNDS * T * (T - 1) / 2);
		return 0;
	}
	if (!strcmp(mode, "reuse")) {
		const char *at;
		int i;

		for (i = 0; i < 40; i++)
			drop(fill(mib, 64, 256 << 10));
		at = strstr(totals_report(), "given back in ");
		printf("calls %ld\n", at ? atol(at + strlen("given back in ")) : -1L);
		return 0;
	}
	if (!strcmp(mode, "resize")) {	/* realloc() to random sizes, then free all */
		void *slot[64] = { 0 };
		long before = allocated_pages(), i;
		int k;

		for (i = 0; i < 20000; i++) {
			k = (int)(rand_size(0, 63));
			if (slot[k] && rand_size(0, 1)) {
				free(slot[k]);
				slot[k] = NULL;
				continue;
			}
			slot[k] = realloc(slot[k], rand_size(1, (size_t)1 << rand_size(0, 21)));
			if (!slot[k])
				return 2;
			memset(slot[k], 1, 64);
		}
		for (k = 0; k < 64; k++)
			free(slot[k]);
		printf("resize left %ld\n", allocated_pages() - before);
		return 0;
	}
	if (!strcmp(mode, "exit")) {
		pthread_t t;

		drop(fill(8, 64, 1024));
		if (pthread_create(&t, NULL, napper, NULL))
			return 2;
		pthread_exit(NULL);
	}
	if (!strcmp(mode, "threads")) {
		pid_t pid;
		int st;

		drop(fill(4, 64, 1024));
		sleep_ms(100);
		print_threads("parent");
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			drop(fill(4, 64, 1024));
			sleep_ms(100);
			print_threads("child");
			_exit(0);
		}
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	drop(fill(mib, 64, 64 << 10));
	if (!strcmp(mode, "now")) {
		printf("freed %ld\n", rss_kb() - start);
		return 0;
	}
	for (t = 0; t <= 10000; t += 100) {
		if (rss_kb() - start <= (mib << 10) / 4) {
			printf("settled %ld\n", t);
			return 0;
		}
		if (!strcmp(mode, "traffic"))
			light_traffic(ring);
		sleep_ms(100);
	}
	printf("never (%ld KiB above the start)\n", rss_kb() - start);
	return 0;
}
