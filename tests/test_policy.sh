#!/bin/sh
# tests/test_policy.sh - the free-memory policy seen from a real program
# (tests/policy_prog under LD_PRELOAD; lib/page_reporting.c, lib/vmscan.c):
#
#  1. after a program frees 256 MiB and goes on with light traffic, RSS
#     comes back near its start within seconds, without malloc_trim();
#  2. with KALLOC_OPTIONS=kswapd it does so with no traffic at all, and the
#     process has a thread named kswapd0 (a fork child starts its own when
#     it allocates) that does not keep it alive after the main thread's
#     pthread_exit(); without the option no thread is started;
#  3. page_reporting_delay=0 gives the memory back at once;
#  4. memory freed and reused at once is not given back: a reuse loop makes
#     almost no madvise calls (the totals report counts them);
#  5. a fork storm amid allocating threads with kswapd on does not hang;
#  6. running out of memory (ulimit -v, a small mem=) is NULL with ENOMEM;
#  7. free(p), free(q), free(p) aborts (the free key);
#  8. free() of a foreign pointer: counted, or aborted with free_check=strict;
#  9. realloc() grows a page block in place, and leaks nothing doing it.
# Timing bounds are generous (10 s for a 2 s decay): they fail only when
# memory is never given back, not when the machine is slow.
set -u
# make check-asan/check-tsan: a sanitizer's runtime must be the first
# library of the process and brings its own malloc; nothing is preloaded.
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "test_policy: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }

top_builddir=${top_builddir:-.}
lib=$top_builddir/.libs/libkalloc.so
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
prog=$top_builddir/tests/policy_prog
[ -f "$lib" ] && [ -x "$prog" ] || { echo "test_policy: build first"; exit 77; }
status=0

check() {	# check WHAT OUTPUT PATTERN
	case $2 in
	$3) echo "ok: $1" ;;
	*) echo "FAIL: $1: ${2:-(no output)}"; status=1 ;;
	esac
}

# check_num WHAT OUTPUT PREFIX MIN MAX: OUTPUT is PREFIX and a number in [MIN, MAX].
check_num() {
	v=${2#"$3"}
	if [ "$v" != "$2" ] && [ "$v" -eq "$v" ] 2>/dev/null && [ "$v" -ge "$4" ] && [ "$v" -le "$5" ]; then
		echo "ok: $1 ($v)"
	else
		echo "FAIL: $1: ${2:-(no output)}"; status=1
	fi
}

out=$(env LD_PRELOAD="$lib" "$prog" traffic 256 2>&1)
check "256 MiB freed, light traffic: RSS back without malloc_trim" "$out" "settled *"

out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS=kswapd "$prog" quiet 256 2>&1)
check "256 MiB freed, no traffic, kswapd: RSS back" "$out" "settled *"

out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS=kswapd "$prog" threads 2>&1)
check "kswapd: a thread named kswapd0" "$out" "*parent kswapd0*"
check "kswapd: the fork child starts its own" "$out" "*child kswapd0*"
start=$(date +%s)
timeout 20 env LD_PRELOAD="$lib" KALLOC_OPTIONS=kswapd "$prog" exit
rc=$?
if [ $rc -eq 0 ] && [ $(( $(date +%s) - start )) -le 5 ]; then
	echo "ok: kswapd does not keep a process alive after pthread_exit()"
else
	echo "FAIL: kswapd: pthread_exit() in main: exit status $rc after $(( $(date +%s) - start )) s"
	status=1
fi
out=$(env LD_PRELOAD="$lib" "$prog" threads 2>&1)
check "no kswapd unless asked" "$out" "parent policy_prog
child policy_prog"

out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS=page_reporting_delay=0 "$prog" now 256 2>&1)
check_num "page_reporting_delay=0 gives back at once (KiB left)" "$out" "freed " -1000000 65535

# (a decay longer than the loop can take on a loaded machine: memory
# reused within the decay stays mapped, however slowly the loop runs)
out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS=page_reporting_delay=30000 "$prog" reuse 64 2>&1)
check_num "reuse loop under the decay: madvise calls" "$out" "calls " 0 16
out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS=page_reporting_delay=0 "$prog" reuse 64 2>&1)
check_num "the same loop with page_reporting_delay=0 counts its calls" "$out" "calls " 101 100000000
# 5. fork storm while threads allocate and kswapd and the ticks run every 7 ms:
#    one global lock order, no deadlock in parent or child.
if command -v python3 >/dev/null 2>&1; then
	out=$(KALLOC_OPTIONS="kswapd page_reporting_delay=50" LD_PRELOAD="$lib" timeout 120 python3 -c "
import os, threading
stop = False
def churn():
    while not stop:
        x = [bytearray(i % 5000 + 1) for i in range(2000)]
ts = [threading.Thread(target=churn) for _ in range(3)]
[t.start() for t in ts]
for i in range(200):
    pid = os.fork()
    if pid == 0:
        y = [bytearray(100) for _ in range(1000)]
        os._exit(7)
    _, st = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(st) == 7
stop = True
[t.join() for t in ts]
print('ok')" 2>&1)
	check "fork storm with kswapd and a 50 ms decay" "$out" "ok"
fi

# 7. a slab double free with other frees between (p, q, p) is caught; an
#    object whose first word happens to hold the free key is not reported.
for size in 16 64 200 1000 5000; do
	out=$(env LD_PRELOAD="$lib" "$prog" pqp $size 2>&1)
	check "free(p) free(q) free(p) of $size bytes aborts" "$out" "*Object already free*freed twice*"
done
# ... also once p has left the thread's sheaf: for its spare sheaf, for the
# barn or its slab's freelist (the first free in a thread that then exited),
# or its slab back in the buddy; never handed out twice.
for size in 16 64 1000 5000; do
	for how in "1000" "10 thread" "1000 thread"; do
		out=$(env LD_PRELOAD="$lib" "$prog" pqp-flush $size $how 2>&1)
		check "p freed, $how frees, p freed again ($size bytes) aborts" "$out" "*freed twice*"
	done
done
out=$(env LD_PRELOAD="$lib" "$prog" storekey 2>&1)
check "an object that holds the free key is freed normally" "$out" "storekey ok"

# 8. a pointer kalloc did not hand out: left alone and counted by default,
#    reported and aborted under free_check=strict (for free() and realloc()).
out=$(env LD_PRELOAD="$lib" "$prog" foreign 2>&1)
check "free()/realloc() of a stack address go on by default" "$out" "foreign went on: foreign bytes"
out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS=free_check=strict "$prog" foreign 2>&1)
check "free_check=strict aborts at free() of a stack address" "$out" "*free(): invalid pointer*not an allocation of kalloc*"

# 6. out of memory is NULL with ENOMEM, never an abort: under an address
#    space limit (the layout maps only what is in use under RLIMIT_AS) and
#    on small machines, blocks of each layer (slab, page block, vmalloc)
#    until NULL, all freed, again, and the program goes on.  Under the
#    limit the blocks add up to at least 60% of it, as a C library's
#    malloc gets about 90% (glibc: 61, 197 and 397 MiB of 64 KiB blocks).
for size in 100 65536 8388608; do
	for lim in 65536 204800 409600; do
		out=$( (ulimit -v $lim && env LD_PRELOAD="$lib" KALLOC_OPTIONS=quiet "$prog" oom $size) 2>&1)
		check "ulimit -v $lim, blocks of $size until NULL, twice" "$out" "oom [1-9]* ok"
		n=$(echo "$out" | sed -n 's/^oom \([0-9]*\) .*/\1/p')
		got=$(( ${n:-0} * size / 1024 ))
		if [ $got -lt $(( lim * 60 / 100 )) ]; then
			echo "FAIL: ulimit -v $lim: $got KiB in blocks of $size, less than 60% of the limit"
			status=1
		else
			echo "ok: ulimit -v $lim: $got KiB in blocks of $size (60% is $(( lim * 60 / 100 )))"
		fi
	done
	for mem in 64M 128M 512M; do
		out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS="mem=$mem" "$prog" oom $size 2>&1)
		check "mem=$mem, blocks of $size until NULL, twice" "$out" "oom [1-9]* ok"
	done
done
# 9. realloc() grows a page block in place when the pages after it are
#    free: eight strings grown a page at a time, interleaved, move at most
#    three times in four (every time, when each growth moved the block).
out=$(env LD_PRELOAD="$lib" "$prog" strgrow 2>&1)
check "realloc() of page blocks keeps the bytes" "$out" "strgrow moves * 0 bad"
moves=$(echo "$out" | sed -n 's/^strgrow moves \([0-9]*\) of \([0-9]*\).*/\1/p')
steps=$(echo "$out" | sed -n 's/^strgrow moves \([0-9]*\) of \([0-9]*\).*/\2/p')
if [ -n "$moves" ] && [ "$moves" -le $(( ${steps:-0} * 3 / 4 )) ]; then
	echo "ok: realloc() grows page blocks in place ($moves moves in $steps growths)"
else
	echo "FAIL: realloc() of page blocks: ${out:-(no output)}"; status=1
fi
#    Objects handed from one thread to others (Hoard's cache-scratch):
#    each thread frees the object it was given and allocates one; the
#    threads' new objects seldom share a cache line (before: all 300 pairs
#    did, the freed object coming straight back to its new owner).
out=$(env LD_PRELOAD="$lib" "$prog" handover 2>&1)
shared=$(echo "$out" | sed -n 's/^shared \([0-9]*\) of 300$/\1/p')
if [ -n "$shared" ] && [ "$shared" -le 150 ]; then
	echo "ok: objects handed to threads: $shared of 300 pairs share a cache line"
else
	echo "FAIL: objects handed to threads: ${out:-(no output)} (at most 150 pairs may share a line)"; status=1
fi
#    Blocks resized at random (1 B to 2 MiB) and then freed leave no pages
#    behind (the slab objects and per-thread lists they fed stay: a few
#    hundred pages).
out=$(env LD_PRELOAD="$lib" "$prog" resize 2>&1)
check_num "realloc() to random sizes, then free(): pages left" "$out" "resize left " -1000 2048
exit $status
