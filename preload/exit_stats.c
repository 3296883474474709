/*
 * preload/exit_stats.c - KALLOC_STATS: every layer's report at exit
 * (design 6).
 *
 *	KALLOC_STATS=1 or all		every report (kalloc_report(out, NULL))
 *	KALLOC_STATS=slabinfo,buddyinfo	those, each under a "==> name <=="
 *					title as "all" prints them (one name:
 *					no title, as its /proc file)
 *	KALLOC_STATS=0, empty or unset	nothing
 *	KALLOC_STATS_FILE=path		there instead of stderr; "%p" is the
 *					pid, "%%" a '%': one file per process;
 *					a relative path is taken from the
 *					directory the process started in
 *
 * The variables are read once, by a constructor, with kalloc_getenv()
 * (no getenv(), no allocation) and copied, so a program that edits its
 * environment later changes nothing.  When the reports are wanted the
 * constructor registers an atexit() handler; when they are not, nothing
 * else happens: the malloc paths never look at a statistics switch.
 *
 * Registered from a constructor, before __libc_start_main() registers the
 * dynamic linker's destructors, the handler runs after every destructor
 * and every later atexit() handler: the reports show the program's final
 * state, after its static destructors freed what they free.  A forked
 * child inherits the handler and prints its own reports when it calls
 * exit() (its own file, thanks to %p); _exit() and exec print nothing.
 *
 * Many programs close stderr on their way out (every gnulib program:
 * close_stdout() at exit closes fd 2 too, and it runs before kalloc's
 * handler), so for reports to stderr the constructor keeps a duplicate of
 * fd 2, close-on-exec, numbered high (just under RLIMIT_NOFILE's soft
 * limit, at most 1023) where programs that expect open() to return the
 * lowest free number do not meet it.  Only when KALLOC_STATS is set.
 *
 * The reports go through a FILE made with fopencookie() over the raw
 * write system call, with a static buffer: the FILE itself is the only
 * allocation (one kmalloc object, made before the reports take their
 * snapshots), and the output leaves in few large writes.  A file that
 * cannot be opened gets one line on stderr and the reports go to stderr.
 */
#include "glue.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#define STATS_LIST_MAX	256
#define STATS_PATH_MAX	4096

static char stats_list[STATS_LIST_MAX];	/* what KALLOC_STATS names */
static char stats_path[STATS_PATH_MAX];	/* KALLOC_STATS_FILE, unexpanded */
static char stats_buf[1 << 16];	/* the FILE's buffer */
static int stats_stderr = -1;		/* our duplicate of fd 2 */

struct stats_sink {
	int fd;
};

static ssize_t sink_write(void *cookie, const char *buf, size_t len)
{
	const struct stats_sink *sink = cookie;
	size_t done = 0;

	while (done < len) {
		ssize_t n = sys_write(sink->fd, buf + done, len - done);

		if (n == -EINTR)
			continue;
		if (n <= 0)
			return done ? (ssize_t)done : -1;
		done += n;
	}
	return done;
}

/* Expand %p (pid) and %% in @pattern into @out; false if it does not fit. */
static bool expand_path(const char *pattern, char *out, size_t size)
{
	size_t len = 0;
	const char *s;

	for (s = pattern; *s; s++) {
		char num[24];
		const char *piece = s;
		size_t n = 1;

		if (s[0] == '%' && s[1] == 'p') {
			snprintf(num, sizeof(num), "%d", sys_getpid());
			piece = num;
			n = strlen(num);
			s++;
		} else if (s[0] == '%' && s[1] == '%') {
			s++;
		}
		if (len + n >= size)
			return false;
		memcpy(out + len, piece, n);
		len += n;
	}
	out[len] = '\0';
	return true;
}

/* A close-on-exec duplicate of fd 2 with a high number, or -1. */
static int dup_stderr_high(void)
{
	struct rlimit rl;
	long lo = 3, fd;

	if (!kalloc_syscall6(SYS_getrlimit, RLIMIT_NOFILE, (long)&rl, 0, 0, 0, 0) &&
	    rl.rlim_cur > 64)
		lo = (long)min(rl.rlim_cur, (rlim_t)1024) - 32;
	fd = kalloc_syscall6(SYS_fcntl, 2, F_DUPFD_CLOEXEC, lo, 0, 0, 0);
	if (fd < 0 && lo > 3)
		fd = kalloc_syscall6(SYS_fcntl, 2, F_DUPFD_CLOEXEC, 3, 0, 0, 0);
	return fd < 0 ? -1 : (int)fd;
}

static bool stats_all(const char *list)
{
	return !strcmp(list, "1") || !strcmp(list, "all");
}

/* Print the reports of @list ("all" or names separated by ',' or blanks). */
static void print_reports(FILE *out, const char *list)
{
	const char *s = list;
	unsigned int nr = 0;
	bool several;

	if (stats_all(list)) {
		kalloc_report(out, NULL);
		return;
	}
	several = strpbrk(list, ", \t") != NULL;
	while (*s) {
		char name[64];
		size_t n = strcspn(s, ", \t");

		if (n && n < sizeof(name)) {
			memcpy(name, s, n);
			name[n] = '\0';
			if (several)
				fprintf(out, "%s==> %s <==\n", nr++ ? "\n" : "", name);
			if (kalloc_report(out, name) < 0 && errno == EINVAL) {
				fprintf(out, "kalloc: KALLOC_STATS: no report called '%s' (reports: ", name);
				kalloc_report_names(out);
				fprintf(out, "; or 1 or all for every one)\n");
			}
		}
		s += n;
		s += strspn(s, ", \t");
	}
}

static void kalloc_stats_at_exit(void)
{
	static struct stats_sink sink;
	static const cookie_io_functions_t funcs = { .write = sink_write };
	char path[STATS_PATH_MAX];
	int saved_errno = errno;
	FILE *out;

	sink.fd = stats_stderr >= 0 ? stats_stderr : 2;
	if (stats_path[0]) {
		int fd = -ENAMETOOLONG;

		if (expand_path(stats_path, path, sizeof(path)))
			fd = sys_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			sink.fd = fd;
		} else {
			/* strerrordesc_np(): a constant string, no locale, no allocation */
			const char *why = strerrordesc_np(-fd);

			pr_err("KALLOC_STATS_FILE: cannot open '%s': %s: reports go to stderr\n",
			       stats_path, why ? why : "unknown error");
		}
	}
	out = fopencookie(&sink, "w", funcs);
	if (out) {
		setvbuf(out, stats_buf, _IOFBF, sizeof(stats_buf));
		print_reports(out, stats_list);
		fclose(out);
	} else {
		pr_err("KALLOC_STATS: out of memory for the report\n");
	}
	if (sink.fd != 2 && sink.fd != stats_stderr)
		sys_close(sink.fd);
	errno = saved_errno;
}

__attribute__((constructor)) static void kalloc_stats_init(void)
{
	const char *list = kalloc_getenv("KALLOC_STATS");
	const char *path = kalloc_getenv("KALLOC_STATS_FILE");

	if (!list || !*list || !strcmp(list, "0"))
		return;
	if (strlen(list) >= sizeof(stats_list)) {
		pr_err("KALLOC_STATS: value too long, ignored\n");
		return;
	}
	strcpy(stats_list, list);
	if (path && *path) {
		size_t len = 0;

		/* relative to where the process started, not where it ends */
		if (path[0] != '/' &&
		    kalloc_syscall6(SYS_getcwd, (long)stats_path, sizeof(stats_path), 0, 0, 0, 0) > 0) {
			len = strlen(stats_path);
			if (len + 1 < sizeof(stats_path) && stats_path[len - 1] != '/')
				stats_path[len++] = '/';
		}
		if (len + strlen(path) >= sizeof(stats_path)) {
			pr_err("KALLOC_STATS_FILE: path too long: reports go to stderr\n");
			stats_path[0] = '\0';
		} else {
			strcpy(stats_path + len, path);
		}
	}
	if (!stats_path[0])
		stats_stderr = dup_stderr_high();
	atexit(kalloc_stats_at_exit);
}
