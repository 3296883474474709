/*
 * tests/stats_prog.c - a program whose memory is known, for the reports'
 * tests (tests/test_map.sh), run under LD_PRELOAD:
 *
 *	stats_prog mix		a bit of every layer, some of it freed again
 *				(the picture in README.md)
 *	stats_prog WHAT N ...	in that order, each N MiB of:
 *	  slab64		64-byte objects, kept until exit
 *	  churn64		64-byte objects, all freed again
 *	  blocks		64 KiB page blocks, kept
 *	  brk			the break, moved up with sbrk()
 *	  sleep			(N tenths of a second) a pause, for signals
 *	stats_prog ... report DIR	then every report twice, from the same
 *				state: as text into DIR/all.txt
 *				(kalloc_report(f, "all")) and as JSON into
 *				DIR/all.json ("json:all"), found with dlsym()
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int slab64(unsigned long mib)
{
	unsigned long n = (mib << 20) / 64, i;
	void **keep = malloc(n * sizeof(*keep));

	if (!keep)
		return 1;
	for (i = 0; i < n; i++) {
		keep[i] = malloc(64);
		if (!keep[i])
			return 1;
		memset(keep[i], 0x5a, 64);
	}
	/* kept: the reports at exit see them */
	return 0;
}

/* @mib MiB of @size-byte objects; every @gap-th one freed again (0: none). */
static void objects(size_t size, unsigned long mib, unsigned long gap)
{
	unsigned long n = (mib << 20) / size, i;
	void **p = malloc(n * sizeof(*p));

	for (i = 0; p && i < n; i++) {
		p[i] = malloc(size);
		if (p[i])
			memset(p[i], 1, size);
	}
	for (i = 0; p && gap && i < n; i += gap)
		free(p[i]);
}

static int mix(void)
{
	unsigned long i;

	objects(64, 40, 2);
	objects(1000, 24, 0);
	objects(200, 12, 3);
	objects(64 << 10, 16, 3);	/* page blocks */
	objects(600 << 10, 30, 4);
	for (i = 0; i < 3; i++)	/* vmalloc */
		memset(malloc(12 << 20), 1, 12 << 20);
	if (sbrk(6 << 20) != (void *)-1)	/* brk */
		memset(sbrk(0) - (6 << 20), 1, 6 << 20);
	objects(3000, 20, 2);
	return 0;
}

/*
 * The reports as text and as JSON, one after the other: both files open
 * and buffered (static buffers) before either report, and both printed
 * once before to /dev/null, so that the reports' own transient
 * allocations (their row arrays) find slabs and sheaves already there
 * and the second pair sees the state the first saw.
 */
static int report(const char *dir)
{
	static char buf_text[1 << 20], buf_json[1 << 20];
	int (*kalloc_report)(FILE *, const char *) =
		(int (*)(FILE *, const char *))dlsym(RTLD_DEFAULT, "kalloc_report");
	char path[4096];
	FILE *text, *json;
	int rc;

	if (!kalloc_report)
		return 1;
	snprintf(path, sizeof(path), "%s/all.txt", dir);
	text = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/all.json", dir);
	json = fopen(path, "w");
	if (!text || !json)
		return 1;
	setvbuf(text, buf_text, _IOFBF, sizeof(buf_text));
	setvbuf(json, buf_json, _IOFBF, sizeof(buf_json));
	for (rc = 0; rc < 2; rc++) {
		FILE *null = fopen("/dev/null", "w");

		if (!null)
			return 1;
		setvbuf(null, buf_text, _IOFBF, sizeof(buf_text));
		kalloc_report(null, "all");
		kalloc_report(null, "json:all");
		fclose(null);
	}
	rc = kalloc_report(text, "all") || kalloc_report(json, "json:all");
	return fclose(text) || fclose(json) || rc;
}

int main(int argc, char **argv)
{
	int i;

	if (argc == 2 && !strcmp(argv[1], "mix"))
		return mix();
	for (i = 1; i + 1 < argc; i += 2) {
		unsigned long mib = strtoul(argv[i + 1], NULL, 0);

		if (!strcmp(argv[i], "slab64")) {
			if (slab64(mib))
				return 1;
		} else if (!strcmp(argv[i], "churn64")) {
			objects(64, mib, 1);
		} else if (!strcmp(argv[i], "blocks")) {
			objects(64 << 10, mib, 0);
		} else if (!strcmp(argv[i], "sleep")) {	/* the whole time, signals or not */
			struct timespec ts = { (time_t)(mib / 10), (long)(mib % 10) * 100000000L };

			while (nanosleep(&ts, &ts))
				;
		} else if (!strcmp(argv[i], "report")) {
			if (report(argv[i + 1]))
				return 1;
		} else if (!strcmp(argv[i], "brk")) {
			if (sbrk(mib << 20) == (void *)-1)
				return 1;
		} else {
			break;
		}
	}
	if (argc > 1 && i >= argc)
		return 0;
	fprintf(stderr, "usage: stats_prog mix | [slab64|churn64|blocks|brk MIB]...\n");
	return 2;
}
