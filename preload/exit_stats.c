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
 *	KALLOC_STATS=map		the picture of physical memory (SVG),
 *					not part of "all": in the stream like
 *					any report (alone in KALLOC_STATS_FILE:
 *					a file an SVG viewer opens)
 *	KALLOC_STATS_FORMAT=json	the reports as one JSON object, a
 *					member per report (kalloc_report()'s
 *					"json:" names; text is the default)
 *	KALLOC_STATS_MAP=path		the map to a file of its own (%p, %%
 *					and relative paths as above), with or
 *					without KALLOC_STATS; "map" in
 *					KALLOC_STATS then goes there too.  A
 *					live snapshot rewrites it
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
 * Live reports: with KALLOC_STATS_SIGNAL=USR2 (or USR1, or a number) the
 * reports (every one when KALLOC_STATS names none, at exit too) are
 * printed again whenever the process gets that signal: the
 * handler only writes a byte into a pipe, and a thread named kalloc-stats,
 * started by the constructor and blocking every signal, reads it and
 * prints them (with every lock free to take: never from the handler).
 * Each snapshot starts with a line naming the pid and the time since the
 * start; a file named by KALLOC_STATS_FILE gets the snapshots appended, and
 * then the exit's reports after them.  The thread ends when it is the
 * process's last one (a main thread that called pthread_exit() must not
 * wait for it).  A forked child does not answer the signal (the thread
 * is not copied; its pipe is closed and the handler does nothing), and a
 * program that installs its own handler for that signal replaces kalloc's.
 *
 * Reports on request: a woken kalloc-stats first answers the requests
 * waiting for this process in /tmp/kalloc-<euid> (any reports by name,
 * each answer written to a file of the requester's, then renamed into
 * place: "reports on request" below), and prints the snapshot only when
 * there was none.  kalloc top, report and map (tools/kalloc.in) ask that
 * way.
 *
 * The reports go through a FILE made with fopencookie() over the raw
 * write system call, with a static buffer: the FILE itself is the only
 * allocation (one kmalloc object, made before the reports take their
 * snapshots), and the output leaves in few large writes.  A file that
 * cannot be opened gets one line on stderr and the reports go to stderr.
 */
#include "glue.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define STATS_LIST_MAX	256
#define STATS_PATH_MAX	4096

static char stats_list[STATS_LIST_MAX];	/* what KALLOC_STATS names */
static char stats_path[STATS_PATH_MAX];	/* KALLOC_STATS_FILE, unexpanded */
static char stats_map_path[STATS_PATH_MAX];	/* KALLOC_STATS_MAP, unexpanded */
static bool stats_json;				/* KALLOC_STATS_FORMAT=json */
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

/* No report called @name: say so, with the names there are. */
static void no_such_report(FILE *out, const char *name)
{
	fprintf(out, "kalloc: KALLOC_STATS: no report called '%s' (reports: ", name);
	kalloc_report_names(out);
	fprintf(out, "; 1 is all)\n");
}

/*
 * Print the reports of @list ("all" or names separated by ',' or blanks),
 * with @json as one JSON object (its names checked before).
 */
static void print_reports(FILE *out, const char *list, bool json)
{
	const char *s = list;
	unsigned int nr = 0;
	bool several;

	if (json) {
		char which[STATS_LIST_MAX + 8];

		snprintf(which, sizeof(which), "json:%s", stats_all(list) ? "all" : list);
		kalloc_report(out, which);
		return;
	}
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
			if (kalloc_report(out, name) < 0 && errno == EINVAL)
				no_such_report(out, name);
		}
		s += n;
		s += strspn(s, ", \t");
	}
}

static int live_pipe[2] = { -1, -1 };	/* the signal's byte: handler -> thread */
static uint64_t live_start_ns;		/* the constructor's time: snapshots count from it */
static bool live_written;		/* a snapshot went to the file: exit appends */
static spinlock_t stats_lock = __SPIN_LOCK_UNLOCKED;	/* one printer at a time */

static struct stats_sink stats_sink;
static const cookie_io_functions_t stats_funcs = { .write = sink_write };

/*
 * A FILE writing to @fd through stats_buf, the caller holding stats_lock;
 * NULL if there is no memory for it.
 */
static FILE *stats_fopen(int fd)
{
	FILE *out;

	stats_sink.fd = fd;
	out = fopencookie(&stats_sink, "w", stats_funcs);
	if (out)
		setvbuf(out, stats_buf, _IOFBF, sizeof(stats_buf));
	return out;
}

/*
 * Open the file @pattern names (%p expanded) for writing, or say on stderr
 * why not.  Returns the fd, or -1.
 */
static int open_report_file(const char *pattern, const char *var, int flags, const char *then)
{
	char path[STATS_PATH_MAX];
	int fd = -ENAMETOOLONG;

	if (expand_path(pattern, path, sizeof(path)))
		fd = sys_open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	if (fd < 0) {
		/* strerrordesc_np(): a constant string, no locale, no allocation */
		const char *why = strerrordesc_np(-fd);

		pr_err("%s: cannot open '%s': %s%s\n", var, pattern, why ? why : "unknown error",
		       then);
		return -1;
	}
	return fd;
}

/*
 * The map alone, to KALLOC_STATS_MAP's file: the latest picture replaces
 * the one before.  The caller holds stats_lock.
 */
static void kalloc_stats_print_map(void)
{
	int fd = open_report_file(stats_map_path, "KALLOC_STATS_MAP", O_TRUNC, "");
	FILE *out;

	if (fd < 0)
		return;
	out = stats_fopen(fd);
	if (out) {
		kalloc_report(out, "map");
		fclose(out);
	}
	sys_close(fd);
}

/* Print the reports of stats_list; @snapshot: a live one, with its heading. */
static void kalloc_stats_print(bool snapshot)
{
	int saved_errno = errno;
	int fd = stats_stderr >= 0 ? stats_stderr : 2;
	FILE *out;

	spin_lock(&stats_lock);
	if (stats_map_path[0])
		kalloc_stats_print_map();
	if (!stats_list[0])
		goto out;
	if (stats_path[0]) {
		int file = open_report_file(stats_path, "KALLOC_STATS_FILE",
					    O_APPEND | (snapshot || live_written ? 0 : O_TRUNC),
					    ": reports go to stderr");

		if (file >= 0)
			fd = file;
	}
	out = stats_fopen(fd);
	if (out) {
		if (snapshot && !stats_json) {	/* JSON: its "kalloc" member says it */
			uint64_t ns = ktime_get_ns() - live_start_ns;

			fprintf(out, "==> kalloc reports of pid %d, %llu.%03llu s after its start <==\n",
				sys_getpid(),
				(unsigned long long)(ns / 1000000000),
				(unsigned long long)(ns / 1000000 % 1000));
		}
		print_reports(out, stats_list, stats_json);
		fclose(out);
		if (snapshot && fd != 2 && fd != stats_stderr)
			live_written = true;
	} else {
		pr_err("KALLOC_STATS: out of memory for the report\n");
	}
	if (fd != 2 && fd != stats_stderr)
		sys_close(fd);
out:
	spin_unlock(&stats_lock);
	errno = saved_errno;
}

static void kalloc_stats_at_exit(void)
{
	kalloc_stats_print(false);
}

/* ------------------------------------------------------ live reports -- */

static void live_signal(int sig)
{
	int saved_errno = errno;
	char c = 1;

	(void)sig;
	if (live_pipe[1] >= 0)
		sys_write(live_pipe[1], &c, 1);	/* non-blocking: a full pipe has one pending */
	errno = saved_errno;
}

/*
 * A directory read with getdents64() into a buffer of its own, on the
 * reader's stack: kalloc-stats reads directories every second and at each
 * request, and opendir() would allocate 32 KiB each time (a page block:
 * the process's reports would move because kalloc looked).
 */
struct dir_reader {
	int fd;
	long len, off;
	char buf[4096] __attribute__((aligned(8)));
};

struct linux_dirent64 {	/* the system call's record */
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* The next name of the directory @r reads, "." and ".." left out; NULL at its end. */
static const char *next_dirent(struct dir_reader *r)
{
	for (;;) {
		while (r->off < r->len) {
			const struct linux_dirent64 *d = (const void *)(r->buf + r->off);

			r->off += d->d_reclen;
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				return d->d_name;
		}
		r->len = kalloc_syscall6(SYS_getdents64, r->fd, (long)r->buf, sizeof(r->buf), 0, 0, 0);
		r->off = 0;
		if (r->len <= 0)
			return NULL;
	}
}

/*
 * The process's live threads, from /proc/self/task (a main thread that
 * called pthread_exit() stays there as a zombie, state Z, not counted);
 * 0 if unknown.  Runs in kalloc-stats, allocating nothing.
 */
static long nr_live_threads(void)
{
	struct dir_reader d = { .fd = sys_open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) };
	const char *name;
	long n = 0;

	if (d.fd < 0)
		return 0;
	while ((name = next_dirent(&d))) {
		char path[300], buf[512];
		const char *state;
		ssize_t len;
		int fd;

		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", name);
		fd = sys_open(path, O_RDONLY | O_CLOEXEC, 0);
		len = fd >= 0 ? sys_read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			sys_close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		state = strrchr(buf, ')');	/* the name may hold blanks */
		if (state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X')
			n++;
	}
	sys_close(d.fd);
	return n;
}

/* ------------------------------------------------- reports on request -- */

/*
 * A request (docs/architecture.md, "Live reports and reports on request"): another process
 * of the same user writes <pid>.<id>.req into /tmp/kalloc-<euid> (the
 * directory as this process sees it: the requester reaches it through
 * /proc/<pid>/root) and sends the signal.  The file holds lines
 *
 *	start 123456		this process's start time, field 22 of
 *				/proc/<pid>/stat: a request for an earlier
 *				process with the same pid is not answered
 *	reports slabinfo,totals	what KALLOC_STATS would name
 *	format json		(or text, the default) as KALLOC_STATS_FORMAT
 *
 * (any other line is answered with an error: a word a later kalloc may
 * add must not be taken for a plain request).  The answer is
 * <pid>.<id>.out, the reports, or <pid>.<id>.err, one line saying what
 * was wrong; both written under <pid>.<id>.tmp and renamed,
 * so the requester never reads half an answer; then the request goes.
 * Only a directory owned by this process's effective uid and closed to
 * everyone else is read, only regular files of that uid, without
 * following a symbolic link; answers are made with O_EXCL, mode 0600.
 */
#define REQUEST_DIR	"/tmp/kalloc-%u"
#define REQUEST_MAX	4096	/* a request's bytes, at most */
#define REQUEST_ID_MAX	32	/* an id: [A-Za-z0-9_-], at most this long */

struct live_request {
	unsigned long long start;
	char reports[STATS_LIST_MAX];
	bool json;		/* "format json" */
	char why[160];		/* what is wrong with it, or "" */
};

static unsigned long long live_starttime;	/* our "start", read once */

/* The process's start time after boot, in clock ticks (/proc/self/stat's field 22); 0 if unknown. */
static unsigned long long read_starttime(void)
{
	char buf[1024];
	const char *p;
	int fd = sys_open("/proc/self/stat", O_RDONLY | O_CLOEXEC, 0);
	ssize_t len = fd >= 0 ? sys_read(fd, buf, sizeof(buf) - 1) : -1;
	int field;

	if (fd >= 0)
		sys_close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	p = strrchr(buf, ')');	/* the name may hold blanks and parentheses */
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* The lines of @buf into @req; what is wrong with them into req->why. */
static void parse_request(char *buf, struct live_request *req)
{
	char *line, *save;

	req->start = 0;
	req->reports[0] = req->why[0] = '\0';
	req->json = false;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "start ", 6))
			req->start = strtoull(line + 6, NULL, 10);
		else if (!strncmp(line, "reports ", 8) && strlen(line + 8) < sizeof(req->reports))
			strcpy(req->reports, line + 8);
		else if (!strcmp(line, "format json") || !strcmp(line, "format text"))
			req->json = line[7] == 'j';
		else if (!req->why[0])
			snprintf(req->why, sizeof(req->why),
				 "this kalloc does not know the request line '%.40s' (it knows start, reports and format json or text)",
				 line);
	}
	if (!req->why[0] && !req->reports[0])
		strcpy(req->why, "the request has no reports line");
}

/* Read the request file @name of the directory @dfd into @req; false if it is not one of ours. */
static bool read_request(int dfd, const char *name, uid_t uid, struct live_request *req)
{
	char buf[REQUEST_MAX + 1];
	struct stat st;
	ssize_t len = -1;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == uid && st.st_size <= REQUEST_MAX)
		len = sys_read(fd, buf, REQUEST_MAX);
	sys_close(fd);
	if (len < 0)
		return false;
	buf[len] = '\0';
	parse_request(buf, req);
	return true;
}

/*
 * The names of @list that are no reports, quoted and ", "-separated, into
 * @bad (of @size bytes); false if there is one.
 */
static bool check_report_names(const char *list, char *bad, size_t size)
{
	const char *s = list;

	bad[0] = '\0';
	while (*s) {
		size_t n = strcspn(s, ", \t"), len = strlen(bad);
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)min(n, sizeof(name) - 1), s);
		if (n && (n >= sizeof(name) || (!stats_all(name) && !kalloc_report_exists(name))))
			snprintf(bad + len, size - len, "%s'%s'", len ? ", " : "", name);
		s += n;
		s += strspn(s, ", \t");
	}
	return !bad[0];
}

/*
 * Write the reports @req asks for into @fd; false if it holds instead why
 * not (one line).  kalloc-stats only.
 */
static bool write_answer(int fd, const struct live_request *req)
{
	static const char oom[] = "out of memory for the report\n";
	char bad[256];
	bool done = false;
	FILE *out;

	if (req->why[0]) {
		sys_write(fd, req->why, strlen(req->why));
		sys_write(fd, "\n", 1);
		return false;
	}
	spin_lock(&stats_lock);
	out = stats_fopen(fd);
	if (out && check_report_names(req->reports, bad, sizeof(bad))) {
		print_reports(out, req->reports, req->json);
		done = true;
	} else if (out) {
		fprintf(out, "no report called %s (reports: ", bad);
		kalloc_report_names(out);
		fprintf(out, ")\n");
	} else {
		sys_write(fd, oom, sizeof(oom) - 1);
	}
	if (out)
		fclose(out);
	spin_unlock(&stats_lock);
	return done;
}

/*
 * Answer the request <pid>.<id>.req of the directory @dfd (kalloc-stats
 * only): the reports into <pid>.<id>.out, or into <pid>.<id>.err what is
 * wrong with it, through <pid>.<id>.tmp; then remove the request.
 */
static void answer_request(int dfd, uid_t uid, int pid, const char *id)
{
	char req_name[64], tmp_name[64], ans_name[64];
	struct live_request req;
	bool failed;
	int fd;

	snprintf(req_name, sizeof(req_name), "%d.%s.req", pid, id);
	snprintf(tmp_name, sizeof(tmp_name), "%d.%s.tmp", pid, id);
	if (!read_request(dfd, req_name, uid, &req) || req.start != live_starttime) {
		unlinkat(dfd, req_name, 0);	/* not ours, or for an earlier process with our pid */
		return;
	}
	unlinkat(dfd, tmp_name, 0);	/* left by a process with our pid that died writing it */
	fd = openat(dfd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		unlinkat(dfd, req_name, 0);
		return;
	}
	failed = !write_answer(fd, &req);
	sys_close(fd);
	snprintf(ans_name, sizeof(ans_name), "%d.%s.%s", pid, id, failed ? "err" : "out");
	renameat(dfd, tmp_name, dfd, ans_name);
	unlinkat(dfd, req_name, 0);
}

/* @id, up to its '.', is a request id: [A-Za-z0-9_-]{1,REQUEST_ID_MAX}. */
static size_t request_id_len(const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return n && n <= REQUEST_ID_MAX && id[n] == '.' ? n : 0;
}

/*
 * Answer every request for this process in /tmp/kalloc-<euid>; how many
 * there were (0 when there is no such directory, or when it is not
 * private to the user: then the signal prints the snapshot as before).
 */
static unsigned int answer_requests(void)
{
	static bool said;
	char dir[32], prefix[16], id[REQUEST_ID_MAX + 1];
	uid_t uid = geteuid();	/* each time: a server may drop its privileges */
	int pid = sys_getpid(), dfd, plen;
	struct dir_reader d;
	unsigned int nr = 0;
	const char *name;
	struct stat st;

	snprintf(dir, sizeof(dir), REQUEST_DIR, (unsigned int)uid);
	dfd = sys_open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (dfd < 0)
		return 0;
	if (fstat(dfd, &st) || st.st_uid != uid || (st.st_mode & 077)) {
		if (!said)
			pr_err("%s is not private to uid %u (owner %u, mode %03o): its requests are not answered\n",
			       dir, (unsigned int)uid, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 0777));
		said = true;
		sys_close(dfd);
		return 0;
	}
	if (!live_starttime)
		live_starttime = read_starttime();
	plen = snprintf(prefix, sizeof(prefix), "%d.", pid);
	d.fd = dfd;
	d.len = d.off = 0;
	while ((name = next_dirent(&d))) {
		size_t n;

		if (strncmp(name, prefix, plen))
			continue;
		n = request_id_len(name + plen);
		if (!n || strcmp(name + plen + n, ".req"))
			continue;
		memcpy(id, name + plen, n);
		id[n] = '\0';
		answer_request(dfd, uid, pid, id);
		nr++;
	}
	sys_close(dfd);
	return nr;
}

/*
 * The thread kalloc-stats: per wake-up (bytes in the pipe), the requests
 * waiting for this process, or without any a snapshot.
 */
static void *live_thread(void *arg)
{
	struct pollfd pfd = { .fd = live_pipe[0], .events = POLLIN };
	char bytes[64];

	(void)arg;
	prctl(PR_SET_NAME, (unsigned long)"kalloc-stats", 0, 0, 0);
	for (;;) {
		int r = poll(&pfd, 1, 1000);

		if (r > 0 && sys_read(live_pipe[0], bytes, sizeof(bytes)) > 0) {
			if (!answer_requests())
				kalloc_stats_print(true);
		}
		else if (nr_live_threads() == 1)	/* the last thread: let the process end */
			return NULL;
	}
}

/* The child of fork() has no kalloc-stats thread: the signal does nothing there. */
static void live_fork_child(void)
{
	if (live_pipe[0] >= 0)
		sys_close(live_pipe[0]);
	if (live_pipe[1] >= 0)
		sys_close(live_pipe[1]);
	live_pipe[0] = live_pipe[1] = -1;
	spin_lock_init(&stats_lock);
}

/* A signal's number from "USR2", "SIGUSR1", "12"; 0 if none. */
static int parse_signal(const char *s)
{
	if (!strncmp(s, "SIG", 3))
		s += 3;
	if (!strcmp(s, "USR1"))
		return SIGUSR1;
	if (!strcmp(s, "USR2"))
		return SIGUSR2;
	if (*s >= '1' && *s <= '9' && atoi(s) < SIGRTMAX)
		return atoi(s);
	return 0;
}

static void live_init(const char *name)
{
	struct sigaction sa;
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int sig = parse_signal(name);

	live_start_ns = ktime_get_ns();
	if (!sig || sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV) {
		pr_err("KALLOC_STATS_SIGNAL=%s: not a signal kalloc can use (USR1, USR2 or a number): no live reports\n",
		       name);
		return;
	}
	if (kalloc_syscall6(SYS_pipe2, (long)live_pipe, O_CLOEXEC, 0, 0, 0, 0)) {
		pr_err("KALLOC_STATS_SIGNAL: no pipe: no live reports\n");
		return;
	}
	kalloc_syscall6(SYS_fcntl, live_pipe[1], F_SETFL, O_NONBLOCK, 0, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = live_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	pthread_atfork(NULL, NULL, live_fork_child);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);	/* the thread blocks every signal */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, live_thread, NULL)) {
		pr_err("KALLOC_STATS_SIGNAL: no thread: no live reports\n");
		sys_close(live_pipe[0]);
		sys_close(live_pipe[1]);
		live_pipe[0] = live_pipe[1] = -1;
	} else {
		sigaction(sig, &sa, NULL);
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * @path made absolute from the directory the process starts in, into
 * @out (STATS_PATH_MAX); false, said on stderr, if it does not fit.
 */
static bool stats_path_from_start(const char *path, char *out, const char *var,
				  const char *then)
{
	size_t len = 0;

	if (path[0] != '/' &&
	    kalloc_syscall6(SYS_getcwd, (long)out, STATS_PATH_MAX, 0, 0, 0, 0) > 0) {
		len = strlen(out);
		if (len + 1 < STATS_PATH_MAX && out[len - 1] != '/')
			out[len++] = '/';
	}
	if (len + strlen(path) >= STATS_PATH_MAX) {
		pr_err("%s: path too long: %s\n", var, then);
		out[0] = '\0';
		return false;
	}
	strcpy(out + len, path);
	return true;
}

/*
 * Take out of @list "map" when @drop_map (KALLOC_STATS_MAP gives it a
 * file of its own), and with KALLOC_STATS_FORMAT=json the names that are
 * no report, said now on stderr: a message inside the document would
 * spoil it.
 */
static void stats_list_filter(char *list, bool drop_map)
{
	char kept[STATS_LIST_MAX];
	const char *s = list;
	size_t len = 0;

	while (*s) {
		size_t n = strcspn(s, ", \t");
		char name[64];

		snprintf(name, sizeof(name), "%.*s", (int)min(n, sizeof(name) - 1), s);
		if (stats_json && n && !stats_all(name) && !kalloc_report_exists(name)) {
			pr_err("KALLOC_STATS: no report called '%s': left out\n", name);
		} else if (n && (!drop_map || strcmp(name, "map"))) {
			if (len)
				kept[len++] = ',';
			memcpy(kept + len, s, n);
			len += n;
		}
		s += n;
		s += strspn(s, ", \t");
	}
	kept[len] = '\0';
	strcpy(list, kept);
}

__attribute__((constructor)) static void kalloc_stats_init(void)
{
	const char *list = kalloc_getenv("KALLOC_STATS");
	const char *path = kalloc_getenv("KALLOC_STATS_FILE");
	const char *map = kalloc_getenv("KALLOC_STATS_MAP");
	const char *format = kalloc_getenv("KALLOC_STATS_FORMAT");

	const char *signal = kalloc_getenv("KALLOC_STATS_SIGNAL");
	bool live = signal && *signal && strcmp(signal, "0");

	stats_json = format && !strcmp(format, "json");
	if (map && *map)
		stats_path_from_start(map, stats_map_path, "KALLOC_STATS_MAP", "no map");
	if (!list || !strcmp(list, "0"))
		list = live ? "all" : "";	/* live reports alone: every one, as kalloc -L asks */
	if (strlen(list) >= sizeof(stats_list)) {
		pr_err("KALLOC_STATS: value too long, ignored\n");
		list = "";
	}
	strcpy(stats_list, list);
	stats_list_filter(stats_list, stats_map_path[0]);
	if (!stats_list[0] && !stats_map_path[0])
		return;
	if (format && *format && !stats_json && strcmp(format, "text"))
		pr_err("KALLOC_STATS_FORMAT=%s: not a format (text or json): text\n", format);
	if (stats_list[0] && path && *path)
		stats_path_from_start(path, stats_path, "KALLOC_STATS_FILE", "reports go to stderr");
	if (stats_list[0] && !stats_path[0])
		stats_stderr = dup_stderr_high();
	atexit(kalloc_stats_at_exit);
	if (live)
		live_init(signal);
}
