#!/bin/sh
# kalloc(1), the command (tools/kalloc.in): its help and version, a program
# run under kalloc with its reports, options, the program's exit status,
# and the errors a newcomer meets (an unknown option, no program, a
# program that does not exist).
set -u
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "test_cli: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }
top=${top_builddir:-.}
cmd=$top/kalloc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
pass() { echo "ok: $*"; }

[ -x "$cmd" ] || { echo "no $cmd"; exit 1; }

"$cmd" --help >"$tmp/out" 2>&1 && grep -q "^Usage: kalloc \[OPTION\]... PROGRAM" "$tmp/out" &&
	grep -qF -- "--stats[=LIST]" "$tmp/out" && pass "--help" || { cat "$tmp/out"; fail "--help"; }
[ "$("$cmd" --version)" = "kalloc ${PACKAGE_VERSION:-}" ] && pass "--version" ||
	fail "--version says '$("$cmd" --version)'"

# a program under kalloc: its output, then the report asked for
out=$("$cmd" -s totals sh -c 'echo under kalloc; ls / >/dev/null' 2>"$tmp/err")
[ "$out" = "under kalloc" ] && grep -q "^zone  *present  *managed" "$tmp/err" &&
	pass "-s totals: the program's output, then the report" ||
	{ cat "$tmp/err"; fail "-s totals"; }
# the long names: --stats alone is every report, --stats-file, --options with several words
"$cmd" --stats --stats-file="$tmp/long" --options="mem=64M slub_min_order=1" true 2>"$tmp/err"
if grep -q "^==> summary <==" "$tmp/long" && grep -q "^==> totals <==" "$tmp/long" &&
   grep -qx "mem=67108864" "$tmp/long" && grep -qx "slub_min_order=1" "$tmp/long"; then
	pass "--stats, --stats-file=, --options=: every report, in the file, with both options"
else
	cat "$tmp/err"; fail "--stats --stats-file --options"
fi
# options, in the order given, after the environment's; the report in a file per process
KALLOC_OPTIONS=page_reporting_delay=50 "$cmd" -O mem=64M --option=slub_min_order=1 -s options \
	-o "$tmp/st.%p" ls / >/dev/null 2>"$tmp/err"
f=$(ls "$tmp"/st.* 2>/dev/null | head -n 1)
if [ -n "$f" ] && grep -qx "mem=67108864" "$f" && grep -qx "slub_min_order=1" "$f" &&
   grep -qx "page_reporting_delay=50" "$f"; then
	pass "-O and -o: the options in effect, in a file named by %p"
else
	cat "$tmp/err" "$f" 2>/dev/null
	fail "-O/-o"
fi
# the program's exit status is the command's
"$cmd" sh -c 'exit 3'
[ $? -eq 3 ] && pass "the program's exit status" || fail "exit status not passed on"

# -d: a double free is caught and reported
cat >"$tmp/df.c" <<'PROG'
#include <stdlib.h>
int main(void)
{
	char *volatile p = malloc(40), *volatile q = malloc(40);

	free(p);
	free(q);
	free(p);
	return 0;
}
PROG
if ${CC:-cc} -O1 -o "$tmp/df" "$tmp/df.c" 2>/dev/null; then
	"$cmd" -d "$tmp/df" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 134 ] && grep -q "Object already free" "$tmp/err" && pass "-d catches a double free" ||
		{ cat "$tmp/err"; fail "-d: exit $rc"; }
fi

# -L: a snapshot whenever the program gets SIGUSR2, then the exit's reports;
# a forked child ignores the signal; a main thread that calls pthread_exit()
# does not wait for kalloc-stats
cat >"$tmp/live.c" <<'PROG'
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static void *late(void *arg) { (void)arg; usleep(200000); return NULL; }
int main(int argc, char **argv)
{
	char *volatile p = malloc(1000);
	pthread_t t;
	int st;

	if (argc > 1 && !strcmp(argv[1], "exit")) {
		pthread_create(&t, NULL, late, NULL);
		pthread_exit(NULL);
	}
	raise(SIGUSR2);
	usleep(300000);
	if (fork() == 0) {
		raise(SIGUSR2);
		_exit(7);
	}
	wait(&st);
	free(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}
PROG
if ${CC:-cc} -O1 -pthread -o "$tmp/live" "$tmp/live.c" 2>/dev/null; then
	"$cmd" -L -s totals "$tmp/live" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 7 ] && grep -q "^==> kalloc reports of pid [0-9]*, [0-9.]* s after its start <==" "$tmp/err" &&
	   [ "$(grep -c "^zone  *present" "$tmp/err")" -eq 2 ]; then
		pass "-L: a snapshot on SIGUSR2, the exit's reports, a child that ignores the signal"
	else
		cat "$tmp/err"
		fail "-L: exit $rc"
	fi
	start=$(date +%s)
	timeout 20 "$cmd" -L "$tmp/live" exit 2>/dev/null
	rc=$?
	[ $rc -eq 0 ] && [ $(( $(date +%s) - start )) -le 5 ] &&
		pass "-L: pthread_exit() in main: the process ends" || fail "-L: pthread_exit() in main: exit $rc"
fi

# errors, as a newcomer meets them: a message and a status
"$cmd" --bogus ls >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "unknown option '--bogus'" "$tmp/out" && grep -q "Try 'kalloc --help'" "$tmp/out" &&
	pass "an unknown option: said, status 2" || { cat "$tmp/out"; fail "unknown option: $rc"; }
"$cmd" >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q "no program to run" "$tmp/out" && pass "no program: said, status 2" ||
	{ cat "$tmp/out"; fail "no program"; }
"$cmd" -s totals /no/such/program >"$tmp/out" 2>&1
[ $? -eq 127 ] && grep -q "/no/such/program: command not found" "$tmp/out" &&
	pass "a program that does not exist: said, status 127" || { cat "$tmp/out"; fail "missing program"; }
"$cmd" -s >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q "option '-s' needs a value" "$tmp/out" && pass "an option without its value: said" ||
	{ cat "$tmp/out"; fail "-s without a value"; }
exit $status
