#!/bin/sh
# tests/test_top.sh - kalloc top PID in a terminal, under tmux: a program
# started under kalloc -L holds 20000 objects of 700 bytes; kalloc top runs
# in a tmux pane, and the screen must show malloc-768 as the largest
# cache with those objects, the zones' free pages, memory in use and RSS
# of plausible sizes, and refresh itself; q ends it with status 0, Ctrl-C
# with 130, the program's end with 1 and a message, and each time the
# terminal's settings are what they were before.  Skips (77) without tmux
# (Debian's tmux package; autogen.sh installs it).
set -u
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "test_top: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }
command -v tmux >/dev/null 2>&1 || { echo "test_top: skipped: no tmux (apt-get install tmux)"; exit 77; }
top=${top_builddir:-.}
case $top in /*) ;; *) top=$(pwd)/$top ;; esac
cmd=$top/kalloc
prog=$top/tests/live_prog
[ -x "$cmd" ] && [ -x "$prog" ] || { echo "test_top: no $cmd or $prog (build first)"; exit 1; }
unset TMUX	# run inside a tmux session too: these servers are our own
tmp=$(mktemp -d) || exit 1
sock=
nsock=0
pid=
cleanup() {
	[ -z "$sock" ] || tmux -L "$sock" kill-server 2>/dev/null
	[ -z "$pid" ] || kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
status=0
fail() { echo "FAIL: $*"; status=1; }
pass() { echo "ok: $*"; }

# COND within 10 s (a shell command); false if not
within() {
	i=0
	while ! eval "$1" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	eval "$1"
}

start_prog() {
	"$cmd" -L -s totals -- "$prog" 20000 700 >"$tmp/ready" 2>"$tmp/prog.err" &
	within "grep -q '^ready' '$tmp/ready'" || { echo "FAIL: live_prog did not start"; exit 1; }
	pid=$(sed -n 's/^ready //p' "$tmp/ready")
	rm -f "$tmp/ready"
}

screen() {
	tmux -L "$sock" capture-pane -p -t top >"$tmp/screen"
}

# Run kalloc top in a new pane (100 x 40), between two snapshots of the
# terminal's settings; its status goes into $tmp/status.
run_top() {
	rm -f "$tmp/status" "$tmp/before" "$tmp/after"
	[ -z "$sock" ] || tmux -L "$sock" kill-server 2>/dev/null
	nsock=$((nsock + 1))
	sock=kalloc-test-top-$$-$nsock	# a server of its own each time
	tmux -L "$sock" -f /dev/null new-session -d -s top -x 100 -y 40 \
		"stty -g >'$tmp/before'; '$cmd' top $pid $*; echo \$? >'$tmp/status'; stty -g >'$tmp/after'; exec sleep 60"
}

start_prog
run_top
if within "screen && grep -q 'malloc-768' '$tmp/screen'"; then
	pass "kalloc top shows its screen in a terminal"
else
	cat "$tmp/screen"
	fail "no screen from kalloc top"
fi
# the largest cache first: malloc-768 with the 20000 objects of 700 bytes
first=$(awk '/OBJS  ACTIVE/ { getline; print; exit }' "$tmp/screen")
echo "$first" | awk '$NF == "malloc-768" && $1 >= 20000 && $2 >= 20000 && $4 == "0.75K" &&
	$7 + 0 >= 20000 * 768 / 1024 && $7 + 0 < 20000 * 768 / 1024 * 1.2 { ok = 1 } END { exit !ok }' &&
	pass "the largest cache first: $first" || { cat "$tmp/screen"; fail "the first cache: '$first'"; }
grep -q "^kalloc top - pid $pid (live_prog) - [0-9:]*, every 1 s, q quits" "$tmp/screen" &&
	pass "the title: pid, name, time, refresh, q" || fail "title"
# 20000 x 768 bytes: 14.6 MiB of slabs; in use and RSS at least that, and not absurd
awk '/^in use:/ { u = $3 } /^host rss:/ { r = $3 }
	END { exit !(u >= 14.6 && u < 64 && r >= 14.6 && r < 256) }' "$tmp/screen" &&
	pass "in use and RSS: $(grep -e '^in use:' -e '^host rss:' "$tmp/screen" | tr -s ' ' | tr '\n' ';')" ||
	{ cat "$tmp/screen"; fail "in use / RSS"; }
[ "$(grep -c -E '^   (DMA|Normal|HighMem) +([0-9]+ +){10}[0-9]+$' "$tmp/screen")" -eq 3 ] &&
	grep -q '^ Free pages by order     0     1 .*    10$' "$tmp/screen" &&
	pass "free pages by order, one line per zone" || { cat "$tmp/screen"; fail "buddyinfo table"; }
# it refreshes: the clock of the title moves
t1=$(sed -n 's/.* - \([0-9:]*\), every.*/\1/p' "$tmp/screen")
within "screen && ! grep -q ' - $t1, every' '$tmp/screen'" && pass "it refreshes ($t1, then later)" ||
	fail "no refresh after $t1"
# kalloc top ended with status $1 and left the terminal's settings as they
# were; $2 says how it was ended
ended() {
	if within "[ -s '$tmp/after' ]" && [ "$(cat "$tmp/status")" = "$1" ] &&
	   cmp -s "$tmp/before" "$tmp/after"; then
		pass "$2: status $1, the terminal's settings as before"
	else
		cat "$tmp/status" "$tmp/before" "$tmp/after" 2>/dev/null
		fail "after $2"
	fi
}

tmux -L "$sock" send-keys -t top q
ended 0 q
screen
! grep -q 'OBJS  ACTIVE' "$tmp/screen" && pass "q: the screen as it was (its own screen left)" ||
	fail "kalloc top's screen is still shown"
kill -0 "$pid" && pass "the program still runs" || fail "the program was stopped"

# Ctrl-C, with screens every 0.3 s
run_top -d 0.3
within "screen && grep -q 'malloc-768' '$tmp/screen'"
tmux -L "$sock" send-keys -t top C-c
ended 130 Ctrl-C

# the program ends while kalloc top watches it: said on the restored screen
run_top
within "screen && grep -q 'malloc-768' '$tmp/screen'"
kill "$pid"
ended 1 "the program's end"
screen
grep -q "^kalloc top: process $pid has exited" "$tmp/screen" &&
	pass "the program's end: said on the restored screen" || { cat "$tmp/screen"; fail "no message"; }
pid=
exit $status
