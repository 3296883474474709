/*
 * tests/fuzz_replay.c - runs the fuzz target of tests/fuzz_malloc.c
 * without libFuzzer: over the files of a corpus, or over random inputs.
 *
 *	fuzz_replay [options] PATH...	every file named, and every regular
 *					file of every directory named (in
 *					name order)
 *	fuzz_replay --random N [--seed S] [options]
 *					N random inputs; input k of seed S is
 *					the same on every machine, so
 *					--first k --random 1 runs it alone
 * Options:
 *	--seed S	the random inputs' seed (1)
 *	--first K	start at random input K (0)
 *	--max-len L	random inputs are 1..L bytes long (1024)
 *	--time SECS	stop after SECS seconds (the inputs run so far are a
 *			prefix of the N asked for)
 *	--write DIR	write each random input to DIR/random-S-K
 *	--crash-dir DIR	an input that crashes is written to DIR/fuzz-crash-NAME
 *	--progress SECS	a line on stderr every SECS seconds
 *	--any-malloc	do not insist that malloc is kalloc's
 *
 * The program is run under LD_PRELOAD=.libs/libkalloc.so (the target
 * checks that it is, tests/test_fuzz.sh).  At the end it prints the
 * inputs, the operations and the bytes requested.  A crash (a violation
 * aborts) is reported with the input's name before the signal takes the
 * process down: its file, or its seed and index.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_malloc.h"

static const char *crash_dir;

/* The input being run, for the crash handler. */
static char cur_name[512];	/* for the message */
static char cur_file[256];	/* for the copy: a file name */
static const uint8_t *cur_data;
static size_t cur_size;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_str(int fd, const char *s)
{
	ssize_t n = write(fd, s, strlen(s));

	(void)n;
}

static void write_all(int fd, const uint8_t *data, size_t size)
{
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n <= 0)
			return;
		data += n;
		size -= n;
	}
}

/* Async-signal-safe: names the input, saves it, and lets the signal kill. */
static void crash_handler(int sig)
{
	write_str(2, "fuzz_replay: crashed on input ");
	write_str(2, cur_name);
	write_str(2, "\n");
	if (crash_dir && cur_data) {
		char path[1024];
		int fd;

		if ((size_t)snprintf(path, sizeof(path), "%s/fuzz-crash-%s", crash_dir, cur_file) < sizeof(path) &&
		    (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
			write_all(fd, cur_data, cur_size);
			close(fd);
			write_str(2, "fuzz_replay: input written to ");
			write_str(2, path);
			write_str(2, "\n");
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run(const char *name, const uint8_t *data, size_t size)
{
	const char *base = strrchr(name, '/');

	snprintf(cur_name, sizeof(cur_name), "%s", name);
	snprintf(cur_file, sizeof(cur_file), "%s", base ? base + 1 : name);
	cur_data = data;
	cur_size = size;
	LLVMFuzzerTestOneInput(data, size);
	cur_data = NULL;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (size == cap) {
			cap = cap ? 2 * cap : 4096;
			data = realloc(data, cap);
			if (!data) {
				fprintf(stderr, "fuzz_replay: %s: out of memory\n", path);
				exit(1);
			}
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n);
	fclose(f);
	run(path, data, size);
	free(data);
	return 0;
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* A file, or every regular file of a directory; returns the inputs run. */
static long run_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	long nr = 0;
	int i, n;

	if (stat(path, &st)) {
		fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path) ? -1 : 1;
	n = scandir(path, &names, skip_dots, alphasort);
	if (n < 0) {
		fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char file[4096];

		snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
		if (!stat(file, &st) && S_ISREG(st.st_mode)) {
			if (run_file(file))
				return -1;
			nr++;
		}
		free(names[i]);
	}
	free(names);
	return nr;
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Random input @k of @seed: 1..@max_len bytes, into @buf. */
static size_t random_input(uint64_t seed, uint64_t k, size_t max_len, uint8_t *buf)
{
	uint64_t x = seed * 0xd1342543de82ef95ULL + k, w = 0;
	size_t len, i;

	splitmix64(&x);
	len = 1 + splitmix64(&x) % max_len;
	for (i = 0; i < len; i++) {
		if (!(i & 7))
			w = splitmix64(&x);
		buf[i] = w >> (8 * (i & 7));
	}
	return len;
}

static void usage(void)
{
	fprintf(stderr, "usage: fuzz_replay [options] PATH...\n"
		"       fuzz_replay --random N [--seed S] [--first K] [--max-len L] [options]\n"
		"options: --time SECS --write DIR --crash-dir DIR --progress SECS --any-malloc\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "random", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "first", required_argument, NULL, 'f' },
		{ "max-len", required_argument, NULL, 'l' },
		{ "time", required_argument, NULL, 't' },
		{ "write", required_argument, NULL, 'w' },
		{ "crash-dir", required_argument, NULL, 'c' },
		{ "progress", required_argument, NULL, 'p' },
		{ "any-malloc", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long long nr_random = 0, seed = 1, first = 0, k;
	size_t max_len = 1024;
	double time_limit = 0, progress = 0, start, last;
	const char *write_dir = NULL;
	long nr_inputs = 0;
	int c, i, sigs[] = { SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE };

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': nr_random = strtoull(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'f': first = strtoull(optarg, NULL, 0); break;
		case 'l': max_len = strtoull(optarg, NULL, 0); break;
		case 't': time_limit = atof(optarg); break;
		case 'w': write_dir = optarg; break;
		case 'c': crash_dir = optarg; break;
		case 'p': progress = atof(optarg); break;
		case 'a': setenv("KALLOC_FUZZ_ANY_MALLOC", "1", 1); break;
		default: usage();
		}
	}
	if ((!nr_random && optind == argc) || !max_len)
		usage();
	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		signal(sigs[i], crash_handler);

	start = last = now();
	for (; optind < argc; optind++) {
		long n = run_path(argv[optind]);

		if (n < 0)
			return 1;
		nr_inputs += n;
	}
	if (nr_random) {
		uint8_t *buf = malloc(max_len);

		if (!buf)
			return 1;
		for (k = first; k < first + nr_random; k++) {
			size_t len = random_input(seed, k, max_len, buf);
			char name[128];

			snprintf(name, sizeof(name), "random-%llu-%llu", seed, k);
			if (write_dir) {
				char path[4096];
				FILE *f;

				snprintf(path, sizeof(path), "%s/%s", write_dir, name);
				f = fopen(path, "wb");
				if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
					fprintf(stderr, "fuzz_replay: %s: %s\n", path, strerror(errno));
					return 1;
				}
			}
			snprintf(cur_name, sizeof(cur_name), "%s (--seed %llu --first %llu --random 1)",
				 name, seed, k);
			snprintf(cur_file, sizeof(cur_file), "%s", name);
			cur_data = buf;
			cur_size = len;
			LLVMFuzzerTestOneInput(buf, len);
			cur_data = NULL;
			nr_inputs++;
			if (time_limit || progress) {
				double t = now();

				if (progress && t - last >= progress) {
					fprintf(stderr, "fuzz_replay: %ld inputs, %llu operations, %.0f s\n",
						nr_inputs, fuzz_malloc_nr_ops, t - start);
					last = t;
				}
				if (time_limit && t - start >= time_limit) {
					printf("fuzz_replay: stopped at the time limit, after input %llu\n", k);
					break;
				}
			}
		}
		free(buf);
	}
	printf("fuzz_replay: %ld inputs, %llu operations, %llu bytes requested, %.1f s\n",
	       nr_inputs, fuzz_malloc_nr_ops, fuzz_malloc_nr_bytes, now() - start);
	return 0;
}
