/*
 * tests/live_prog.c - a program for tests/test_live.sh and test_top.sh
 * to ask through kalloc's request channel: it allocates COUNT objects of
 * SIZE bytes (written, so that their pages are resident), says
 * "ready PID" on stdout, and waits for a signal to end it.
 *
 *	live_prog COUNT SIZE [MODE]
 *
 * MODE: chdir (goes to / first), fork (a child that waits too: "ready
 * PID CHILD"), handler (installs its own SIGUSR2 handler over kalloc's),
 * ignore (ignores SIGUSR2).  Run under LD_PRELOAD, never linked with kalloc.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void own_handler(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 3 ? argv[3] : "";
	long count = argc > 1 ? atol(argv[1]) : 0, i;
	size_t size = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
	char **objs = calloc(count ? count : 1, sizeof(*objs));
	pid_t child = 0;

	if (!objs)
		return 1;
	for (i = 0; i < count; i++) {
		objs[i] = malloc(size);
		if (!objs[i])
			return 1;
		memset(objs[i], 0x5a, size);
	}
	if (!strcmp(mode, "chdir") && chdir("/"))
		return 1;
	if (!strcmp(mode, "handler"))
		signal(SIGUSR2, own_handler);
	if (!strcmp(mode, "ignore"))
		signal(SIGUSR2, SIG_IGN);
	if (!strcmp(mode, "fork")) {
		child = fork();
		if (child < 0)
			return 1;
		if (child == 0) {
			for (;;)
				pause();
		}
		printf("ready %d %d\n", (int)getpid(), (int)child);
	} else {
		printf("ready %d\n", (int)getpid());
	}
	fflush(stdout);
	for (;;)
		pause();	/* kalloc's signal wakes it: wait again */
}
