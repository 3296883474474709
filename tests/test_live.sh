#!/bin/sh
# tests/test_live.sh - reports of a running process on request
# (docs/architecture.md, "Live reports and reports on request"):
#
#  1. the channel itself, written to as its documentation says: a request
#     file in /tmp/kalloc-<euid>, the signal, the answer renamed into
#     place and the request gone; two requests at once; a request for an
#     earlier process with the same pid, a symbolic link, an unknown
#     report; without a request the signal prints the snapshot as before;
#     a forked child does not answer; a directory open to others is not
#     read (as root only: the process runs as another user, and root is
#     told to ask as that user);
#  2. kalloc report and kalloc map (tools/kalloc.in) on a program started
#     under kalloc -L that holds 20000 objects of 700 bytes, and every
#     error a newcomer meets: no such process, a process without kalloc,
#     kalloc without live reports, a forked child, a process that does
#     not answer, one that ignores the signal, bad arguments.
#
# kalloc top has its own test (tests/test_top.sh, under tmux).
set -u
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "test_live: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }
top=${top_builddir:-.}
case $top in /*) ;; *) top=$(pwd)/$top ;; esac
cmd=$top/kalloc
prog=$top/tests/live_prog
[ -x "$cmd" ] && [ -x "$prog" ] || { echo "test_live: no $cmd or $prog (build first)"; exit 1; }
tmp=$(mktemp -d) || exit 1
pids=
cleanup() {
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill $pids 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
status=0
nstart=0
as=
fail() { echo "FAIL: $*"; status=1; }
pass() { echo "ok: $*"; }

# Start live_prog under kalloc ("$@": kalloc's options, then --, then
# live_prog's arguments), as the user $as says (a command: setpriv ...);
# its pid (and a forked child's) in $ready.
start() {
	nstart=$((nstart + 1))
	out=$tmp/ready.$nstart
	$as "$cmd" "$@" >"$out" 2>>"$tmp/stderr" &
	wait_ready "$out"
}

# Wait up to 10 s for live_prog's "ready PID..." in the file $1; $ready.
wait_ready() {
	i=0
	while ! grep -q '^ready' "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ready=$(sed -n 's/^ready //p' "$1")
	[ -n "$ready" ] || { echo "FAIL: live_prog did not start"; exit 1; }
	pids="$pids $ready"
}

# The answer file $1 appears within 5 s.
appears() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e "$1" ]
}

# ------------------------------------------------------ the channel --
# (the program goes to / first: paths do not depend on its directory)
start -L -s totals -- "$prog" 20000 700 chdir
pid=$ready
uid=$(id -u)
dir=/tmp/kalloc-$uid
mkdir -p -m 700 "$dir"
starttime=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)
req() {	# req ID START REPORTS: a request file, written then renamed in
	printf 'start %s\nreports %s\n' "$2" "$3" >"$dir/$pid.$1.new" &&
		mv "$dir/$pid.$1.new" "$dir/$pid.$1.req"
}

req t$$a "$starttime" slabinfo
req t$$b "$starttime" totals,buddyinfo
kill -USR2 "$pid"
if appears "$dir/$pid.t$$a.out" && appears "$dir/$pid.t$$b.out" &&
   awk '$1 == "malloc-768" && $2 >= 20000 { found = 1 } END { exit !found }' "$dir/$pid.t$$a.out" &&
   grep -q '^==> totals <==' "$dir/$pid.t$$b.out" && grep -q '^==> buddyinfo <==' "$dir/$pid.t$$b.out" &&
   ! grep -q '^==>' "$dir/$pid.t$$a.out"; then
	pass "two requests, one signal: both answered (one report bare, two under titles)"
else
	ls -l "$dir"
	fail "two requests at once"
fi
sleep 0.2
[ ! -e "$dir/$pid.t$$a.req" ] && [ ! -e "$dir/$pid.t$$a.tmp" ] && [ ! -e "$dir/$pid.t$$b.req" ] &&
	ls -l "$dir/$pid.t$$a.out" | grep -q '^-rw-------' &&
	pass "the requests removed, the answers mode 0600" || { ls -l "$dir"; fail "after the answer"; }
rm -f "$dir/$pid.t$$a.out" "$dir/$pid.t$$b.out"

# a request for an earlier process with this pid (another start time), a
# symbolic link, a report that does not exist
req t$$c "$((starttime + 1))" slabinfo
ln -s /etc/hostname "$dir/$pid.t$$d.req"
req t$$e "$starttime" slabinfo,nosuchreport
printf 'start %s\nformat yaml\nreports slabinfo\n' "$starttime" >"$dir/$pid.t$$f.new" &&
	mv "$dir/$pid.t$$f.new" "$dir/$pid.t$$f.req"
kill -USR2 "$pid"
if appears "$dir/$pid.t$$e.err" &&
   grep -q "^no report called 'nosuchreport' (reports: .*buddyinfo.*slabinfo.*; or all for every one but alloc_traces, heap_sites, heap_profile, map)$" \
	"$dir/$pid.t$$e.err"; then
	pass "an unknown report: the answer is an error naming the reports"
else
	cat "$dir/$pid.t$$e.err" 2>/dev/null
	fail "an unknown report"
fi
sleep 0.3
[ ! -e "$dir/$pid.t$$c.req" ] && [ ! -e "$dir/$pid.t$$c.out" ] && [ ! -e "$dir/$pid.t$$c.err" ] &&
	pass "a request for an earlier process with this pid: removed, not answered" ||
	{ ls -l "$dir"; fail "a stale request"; }
[ ! -e "$dir/$pid.t$$d.req" ] && [ ! -e "$dir/$pid.t$$d.out" ] &&
	pass "a symbolic link for a request: not followed, removed" || { ls -l "$dir"; fail "a symbolic link"; }
appears "$dir/$pid.t$$f.err" &&
	grep -qx "this kalloc does not know the request line 'format yaml' (it knows start, reports and format json or text)" \
		"$dir/$pid.t$$f.err" && pass "a request line this kalloc does not know: an error, not a plain answer" ||
	{ cat "$dir/$pid.t$$f.err"; fail "an unknown request line"; }
rm -f "$dir/$pid.t$$e.err" "$dir/$pid.t$$f.err"
! grep -q "kalloc reports of pid" "$tmp/stderr" && pass "requests answered: no snapshot on stderr" ||
	fail "a snapshot was printed for a request"

# no request: the signal prints the snapshot as it always did
kill -USR2 "$pid"
i=0
while ! grep -q "^==> kalloc reports of pid $pid," "$tmp/stderr" && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q "^==> kalloc reports of pid $pid," "$tmp/stderr" && grep -q "^zone  *present" "$tmp/stderr" &&
	pass "no request: the snapshot on stderr, as before" || { cat "$tmp/stderr"; fail "no request: no snapshot"; }

# ---------------------------------------------------- kalloc report --
"$cmd" report "$pid" slabinfo >"$tmp/out" 2>"$tmp/err" &&
	awk '$1 == "malloc-768" && $2 >= 20000 && $4 == 768 { f = 1 } END { exit !f }' "$tmp/out" &&
	[ ! -s "$tmp/err" ] && pass "kalloc report PID slabinfo: 20000 objects in malloc-768" ||
	{ cat "$tmp/out" "$tmp/err"; fail "kalloc report slabinfo"; }
# a report added after the channel: asked by its name, nothing else to change
"$cmd" report "$pid" summary >"$tmp/out" 2>"$tmp/err" &&
	awk '$1 == "slab" && $2 == "objects" && $3 >= 20000 * 700 / 1024 { f = 1 } END { exit !f }' "$tmp/out" &&
	pass "kalloc report PID summary: $(grep -m1 'slab objects' "$tmp/out" | tr -s ' ')" ||
	{ cat "$tmp/out" "$tmp/err"; fail "kalloc report summary"; }
# looking does not move what is looked at: kalloc-stats, waking every
# second and answering, allocates no page block (opendir() did, 32 KiB)
pb1=$("$cmd" report "$pid" totals | grep '^page blocks:')
sleep 2.5
pb2=$("$cmd" report "$pid" totals | grep '^page blocks:')
[ -n "$pb1" ] && [ "$pb1" = "$pb2" ] && pass "an idle process asked twice, 2.5 s apart: $pb2 both times" ||
	fail "page blocks moved while the process was idle: '$pb1', then '$pb2'"
# as JSON: one object, a member per report (the request's "format json")
"$cmd" report "$pid" summary slabinfo --json >"$tmp/out" 2>"$tmp/err"
rc=$?
if ! command -v python3 >/dev/null 2>&1; then
	[ $rc -eq 0 ] && grep -q '"name": "malloc-768", "active_objs": [0-9]' "$tmp/out" &&
		pass "kalloc report PID --json (no python3: grep)" || { cat "$tmp/err"; fail "--json"; }
elif [ $rc -eq 0 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = [c for c in d["slabinfo"]["caches"] if c["name"] == "malloc-768"][0]
sys.exit(not (list(d) == ["kalloc", "summary", "slabinfo"] and c["active_objs"] >= 20000 and
	      d["summary"]["in_use"]["slab_objects"]["now"] >= 20000 * 700))' "$tmp/out"; then
	pass "kalloc report PID summary slabinfo --json: one JSON object, malloc-768 with 20000 objects"
else
	cat "$tmp/out" "$tmp/err"
	fail "kalloc report --json"
fi
"$cmd" report "$pid" totals buddyinfo -o "$tmp/two" 2>"$tmp/err" &&
	grep -q '^==> totals <==' "$tmp/two" && grep -q '^Node 0, zone   Normal' "$tmp/two" &&
	pass "kalloc report PID NAME NAME -o FILE" || { cat "$tmp/err"; fail "kalloc report -o"; }
"$cmd" report "$pid" >"$tmp/out" 2>&1 && grep -q '^==> vmallocinfo <==' "$tmp/out" &&
	grep -q '^==> options <==' "$tmp/out" && pass "kalloc report PID: every report" ||
	fail "kalloc report PID"
# several requesters at once, and the files of one that died (an answer it
# never read, a request it never saw answered): removed by the next one
gone=$(awk '{ print $1 + 1000 }' /proc/sys/kernel/pid_max)
: >"$dir/$pid.$gone.out"
: >"$dir/$pid.$gone.req"
"$cmd" report "$pid" slabinfo >"$tmp/r1" 2>&1 &
r1=$!
"$cmd" report "$pid" totals >"$tmp/r2" 2>&1 &
r2=$!
"$cmd" report "$pid" buddyinfo >"$tmp/r3" 2>&1
wait $r1 && wait $r2 && grep -q malloc-768 "$tmp/r1" && grep -q '^host rss' "$tmp/r2" &&
	grep -q '^Node 0' "$tmp/r3" && pass "three kalloc report at once" ||
	{ cat "$tmp/r1" "$tmp/r2" "$tmp/r3"; fail "three requesters"; }
if ls "$dir" | grep -q "^$pid\."; then
	ls -l "$dir"
	fail "files left in $dir"
else
	pass "nothing left in $dir, a dead requester's files neither"
fi

"$cmd" report "$pid" nosuchreport >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "^kalloc report: process $pid (live_prog): no report called 'nosuchreport' (reports: .*buddyinfo" "$tmp/out" &&
	pass "an unknown report: said, with the reports' names, status 1" || { cat "$tmp/out"; fail "unknown report"; }

# ------------------------------------------------- kalloc top, plain --
"$cmd" top "$pid" --once >"$tmp/out" 2>"$tmp/err" </dev/null
if [ $? -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$(grep -c '^kalloc top - pid' "$tmp/out")" -eq 1 ] &&
   awk '/OBJS  ACTIVE/ { getline; exit !($NF == "malloc-768" && $1 >= 20000) }' "$tmp/out" &&
   ! grep -q "$(printf '\033')" "$tmp/out" && ! grep -q 'q quits' "$tmp/out"; then
	pass "kalloc top PID --once: one plain screen, malloc-768 first"
else
	cat "$tmp/out" "$tmp/err"
	fail "kalloc top --once"
fi
"$cmd" top "$pid" -n 2 -d 0.2 >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && [ "$(grep -c '^kalloc top - pid' "$tmp/out")" -eq 2 ] &&
	pass "kalloc top PID -n 2 -d 0.2: two screens" || { cat "$tmp/out" "$tmp/err"; fail "kalloc top -n 2"; }

# ------------------------------------------------------- kalloc map --
"$cmd" map "$pid" -o "$tmp/map.svg" >"$tmp/out" 2>&1
[ $? -eq 0 ] && grep -q "^kalloc map: the map of process $pid (live_prog) is in $tmp/map.svg$" "$tmp/out" &&
	grep -q '<svg' "$tmp/map.svg" && grep -q '</svg>' "$tmp/map.svg" &&
	pass "kalloc map PID -o FILE: an SVG, and where it is" || { cat "$tmp/out"; fail "kalloc map"; }
if command -v rsvg-convert >/dev/null 2>&1; then
	rsvg-convert "$tmp/map.svg" >"$tmp/map.png" && [ -s "$tmp/map.png" ] &&
		pass "the map renders (rsvg-convert)" || fail "rsvg-convert cannot read the map"
elif command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$tmp/map.svg" && pass "the map is well-formed XML (xmllint)" || fail "xmllint: the map"
fi
# the map shows the 20000 objects: malloc-768 has a colour of its own, named in the legend
grep -q 'malloc-768' "$tmp/map.svg" && pass "the map names malloc-768" || fail "malloc-768 not in the map"
(cd "$tmp" && "$cmd" map "$pid" >out 2>&1) && [ -s "$tmp/kalloc-map.$pid.svg" ] &&
	pass "kalloc map PID: kalloc-map.PID.svg by default" || { cat "$tmp/out"; fail "kalloc map's default file"; }
"$cmd" map "$pid" -o - 2>"$tmp/err" | grep -q '<svg' && [ ! -s "$tmp/err" ] &&
	pass "kalloc map PID -o -: on stdout" || fail "kalloc map -o -"

# ------------------------------------------------------------ errors --
expect() {	# expect STATUS PATTERN COMMAND...: the status and a line of stderr
	want=$1 pattern=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq "$want" ] && grep -q -- "$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then
		pass "$(echo "$*" | sed "s|$top/||g"): $(head -n 1 "$tmp/err")"
	else
		cat "$tmp/out" "$tmp/err"
		fail "$*: status $rc"
	fi
}
# a pid no process has
nopid=$(awk '{ print $1 + 1000 }' /proc/sys/kernel/pid_max)
expect 1 "^kalloc top: no process $nopid$" "$cmd" top $nopid
expect 1 "^kalloc report: no process $nopid$" "$cmd" report $nopid slabinfo
# a process without kalloc
sleep 30 &
plain=$!
pids="$pids $plain"
i=0
while [ "$(cat /proc/$plain/comm)" != sleep ] && [ $i -lt 50 ]; do	# exec'd yet?
	sleep 0.1
	i=$((i + 1))
done
expect 1 "^kalloc top: process $plain (sleep) does not run kalloc (no libkalloc in /proc/$plain/maps); start it under kalloc: kalloc -L PROGRAM" \
	"$cmd" top $plain
# kalloc without live reports
start -s totals -- "$prog" 10 100
expect 1 "^kalloc report: process $ready (live_prog) runs kalloc without live reports; start it with: kalloc -L PROGRAM" \
	"$cmd" report "$ready" slabinfo
kill "$ready"
# KALLOC_STATS_SIGNAL alone, without KALLOC_STATS: live reports all the
# same, every report by default, as kalloc -L gives (before, nothing at all)
env LD_PRELOAD="$top/.libs/libkalloc.so" KALLOC_STATS_SIGNAL=USR2 "$prog" 10 100 >"$tmp/sigonly" 2>>"$tmp/stderr" &
wait_ready "$tmp/sigonly"
if "$cmd" report "$ready" slabinfo 2>"$tmp/err" | grep -q '^slabinfo - version: 2.1$'; then
	pass "KALLOC_STATS_SIGNAL without KALLOC_STATS: kalloc report answers"
else
	fail "KALLOC_STATS_SIGNAL without KALLOC_STATS: $(cat "$tmp/err")"
fi
kill "$ready"
# a forked child of a process with live reports
start -L -- "$prog" 10 100 fork
child=${ready#* }
expect 1 "^kalloc map: process $child (live_prog) runs kalloc without live reports: it has no kalloc-stats thread (a forked child" \
	"$cmd" map "$child"
kill -0 "$child" 2>/dev/null && pass "the forked child was not signalled" || fail "the forked child is gone"
# asked by hand all the same: the child's handler does nothing, no answer
printf 'start %s\nreports slabinfo\n' "$(sed 's/.*) //' "/proc/$child/stat" | cut -d' ' -f20)" \
	>"$dir/$child.t$$.req"
kill -USR2 "$child"
sleep 1
[ ! -e "$dir/$child.t$$.out" ] && [ ! -e "$dir/$child.t$$.err" ] && kill -0 "$child" 2>/dev/null &&
	pass "a forked child signalled by hand: no answer, still running" || fail "the forked child answered"
rm -f "$dir/$child.t$$.req"
kill $ready	# the parent and the child
# a process whose own handler took the signal: no answer
start -L -- "$prog" 10 100 handler
expect 1 "^kalloc report: process $ready (live_prog) did not answer within 1 s" \
	"$cmd" report "$ready" slabinfo --timeout=1
[ -z "$(ls "$dir" | grep "^$ready\.")" ] && pass "no answer: the request removed" || { ls -l "$dir"; fail "request left"; }
kill "$ready"
# a process that ignores the signal now: not signalled (it would die of its default action otherwise)
start -L -- "$prog" 10 100 ignore
expect 1 "^kalloc top: process $ready (live_prog) does not handle signal USR2 any more" "$cmd" top "$ready"
kill "$ready"
# bad arguments
expect 2 "^kalloc top: which process? (kalloc top PID)" "$cmd" top
expect 2 "^kalloc report: 'abc' is not a process id (kalloc report PID)" "$cmd" report abc
expect 2 "^kalloc top: unknown option '--bogus'" "$cmd" top "$pid" --bogus
expect 2 "^kalloc top: the delay 'x' is not a number of seconds" "$cmd" top "$pid" -d x
expect 2 "^kalloc top: the number of screens '0' is not a positive number" "$cmd" top "$pid" -n 0
expect 2 "^kalloc top: option '-o' is not one of kalloc top's" "$cmd" top "$pid" -o f
expect 2 "^kalloc map: unexpected argument 'slabinfo' (kalloc map PID)" "$cmd" map "$pid" slabinfo
expect 2 "^kalloc report: option '--timeout' needs a value" "$cmd" report "$pid" --timeout
expect 2 "^kalloc top: option '--json' is not one of kalloc top's" "$cmd" top "$pid" --json
grep -q "Try 'kalloc --help'" "$tmp/err" && pass "a usage error points to --help" || fail "no --help hint"

# ------------------------------ a directory open to others (as root) --
if [ "$uid" = 0 ] && command -v setpriv >/dev/null 2>&1 && [ ! -e /tmp/kalloc-65534 ] &&
   setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$cmd" -a -x "$prog" -a -r "$top/.libs/libkalloc.so"; then
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	start -L -- "$prog" 10 100
	as=
	mkdir -m 755 /tmp/kalloc-65534 && chown 65534 /tmp/kalloc-65534
	printf 'start %s\nreports slabinfo\n' "$(sed 's/.*) //' "/proc/$ready/stat" | cut -d' ' -f20)" \
		>/tmp/kalloc-65534/"$ready".t$$.req
	chown 65534 /tmp/kalloc-65534/"$ready".t$$.req
	kill -USR2 "$ready"
	sleep 1
	[ ! -e /tmp/kalloc-65534/"$ready".t$$.out ] && grep -q "/tmp/kalloc-65534 is not private to uid 65534" "$tmp/stderr" &&
		pass "a request directory open to others: not read, said once" || { ls -l /tmp/kalloc-65534; fail "open directory"; }
	# root asks as that user: it writes nothing into another user's directory
	rm -rf /tmp/kalloc-65534
	expect 1 "^kalloc report: process $ready (live_prog) runs as uid 65534: ask as that user (sudo -u '#65534' kalloc report $ready)" \
		"$cmd" report "$ready" slabinfo
	[ ! -e /tmp/kalloc-65534 ] && pass "nothing made for another user" || fail "/tmp/kalloc-65534 made"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$cmd" report "$ready" slabinfo >"$tmp/out" 2>&1 &&
		grep -q '^malloc-' "$tmp/out" && ls -ldn /tmp/kalloc-65534 | grep -q '^drwx------ [0-9]* 65534 ' &&
		pass "asked as its user: answered, the directory that user's, mode 0700" ||
		{ cat "$tmp/out"; ls -ldn /tmp/kalloc-65534; fail "asking as uid 65534"; }
	chmod 755 /tmp/kalloc-65534
	as="setpriv --reuid=65534 --regid=65534 --clear-groups"
	expect 1 "^kalloc report: /proc/$ready/root/tmp/kalloc-65534 is not private to uid 65534 (owner 65534, drwxr-xr-x): process $ready answers no request there; remove it" \
		$as "$cmd" report "$ready" slabinfo
	as=
	kill "$ready"
	rm -rf /tmp/kalloc-65534
else
	echo "skip: a directory open to others (needs root, setpriv, no /tmp/kalloc-65534)"
fi
exit $status
