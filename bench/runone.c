/*
 * runone.c - run one command and report its wall time, peak RSS and CPU
 * time, for bench/compare.
 *
 *   runone RESULT_FILE TIMEOUT_S COMMAND [ARGS...]
 *
 * Forks, execs COMMAND (stdin, stdout, stderr and the environment are
 * passed through; RUNONE_PRELOAD, when set, becomes COMMAND's LD_PRELOAD,
 * so that the allocator under test is not loaded into this helper), waits
 * for it with wait4() and writes one line to RESULT_FILE:
 *
 *   wall_s=<float> maxrss_kb=<int> user_s=<float> sys_s=<float> status=<int>
 *
 * status is the exit code, or -SIGNAL when the command was killed (-9 after
 * TIMEOUT_S seconds).  Exits 0 when the line was written.
 *
 * Why a C helper rather than os.wait4() in the Python runner: Linux keeps a
 * process's peak RSS across fork() and execve() (the new program's
 * ru_maxrss starts at the RSS of the process that forked it), so a child
 * forked straight from Python never reports less than the runner's own
 * ~20 MiB.  This helper is a few hundred KiB, so the floor it leaves is
 * that of GNU time's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;

static void on_alarm(int sig)
{
	(void)sig;
	if (child_pid > 0)
		kill(-child_pid, SIGKILL);	/* its process group */
}

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status = 0, code;
	pid_t pid;
	long timeout;
	FILE *out;

	if (argc < 4) {
		fprintf(stderr, "usage: runone RESULT_FILE TIMEOUT_S COMMAND [ARGS...]\n");
		return 2;
	}
	timeout = strtol(argv[2], NULL, 10);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("runone: fork");
		return 2;
	}
	if (pid == 0) {
		/* The allocator under test is for COMMAND only, not for us. */
		const char *pre = getenv("RUNONE_PRELOAD");

		if (pre) {
			if (*pre)
				setenv("LD_PRELOAD", pre, 1);
			else
				unsetenv("LD_PRELOAD");
			unsetenv("RUNONE_PRELOAD");
		}
		setpgid(0, 0);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "runone: %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	child_pid = pid;
	if (timeout > 0) {
		signal(SIGALRM, on_alarm);
		alarm((unsigned)timeout);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("runone: wait4");
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	code = WIFEXITED(status) ? WEXITSTATUS(status) :
	       WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
	out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 2;
	}
	fprintf(out, "wall_s=%.6f maxrss_kb=%ld user_s=%.6f sys_s=%.6f status=%d\n",
		(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9,
		ru.ru_maxrss, tv(ru.ru_utime), tv(ru.ru_stime), code);
	return fclose(out) ? 2 : 0;
}
