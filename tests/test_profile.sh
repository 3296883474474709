#!/bin/sh
# tests/test_profile.sh - who allocated what is live (lib/page_owner.c):
# tests/profile_prog keeps 1000 objects of 100 B from make_small(), 200
# page blocks of 40000 B from make_big() and 3 areas of 8 MiB from
# make_huge(), and frees 500 more objects at once.
#
#  1. KALLOC_STATS=heap_profile with slub_debug=U page_owner=on: the
#     header and one line per site with exactly those counts and bytes,
#     then MAPPED_LIBRARIES; google-pprof (when installed) reads the file
#     and ranks the three functions by their bytes;
#  2. KALLOC_STATS=alloc_traces with slub_debug=U: the kernel's format,
#     "   1000 make_small+0x.../0x... age=... pid=..." with the stack, whole
#     (main() below make_small()) although the program is C;
#     without U, one line saying how to turn it on;
#  3. KALLOC_STATS=heap_sites: the same as text, most bytes first;
#  4. KALLOC_STATS=all prints none of them;
#  5. the sampled profile (page_owner.sample=64K) of "profile_prog many"
#     (200,000 small objects, 2000 page blocks, 3 areas): estimates near
#     the truth, from about one small object in 1024 (counted in the twin
#     cache malloc-prof-112's alloc_traces), every area of 8 MiB; nothing
#     of the freed objects, and no twin cache without page_owner=on;
#  6. the kalloc command: -p FILE (sampled), --sample=0 (exact), kalloc
#     profile FILE and PID, errors.
set -u
name=test_profile progs=tests/profile_prog
. "${srcdir:-.}/tests/preload_env.sh"
ok() { echo "ok: $1"; }

# site FUNCTION: the profile's line whose first frame is in FUNCTION.
addr_of() { nm "$prog" | awk -v f="$1" '$3 == f { print $1 }'; }
site() {
	start=$((0x$(addr_of "$1")))
	while read -r line; do
		case $line in *@\ 0x*) ;; *) continue ;; esac
		pc=${line#*@ }
		pc=${pc%% *}
		off=$(( pc - base - start ))
		[ $off -ge 0 ] && [ $off -lt 64 ] && { echo "$line"; return; }
	done < "$tmp/prof"
}

out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS="slub_debug=U page_owner=on" KALLOC_STATS=heap_profile \
	KALLOC_STATS_FILE="$tmp/prof" "$prog" 2>&1)
[ "$out" = "kept 1203" ] && ok "the program runs with the profile on" || fail "profile_prog: $out"
head -1 "$tmp/prof" | grep -Eq '^heap profile: +[0-9]+: +[0-9]+ \[ +[0-9]+: +[0-9]+\] @ heapprofile$' &&
	ok "heap_profile: gperftools' header" || fail "heap_profile header: $(head -1 "$tmp/prof")"
grep -q '^MAPPED_LIBRARIES:$' "$tmp/prof" && ok "heap_profile: MAPPED_LIBRARIES" ||
	fail "heap_profile: no MAPPED_LIBRARIES section"
# The program's load address: its first mapping in the profile's maps.
base=$((0x$(sed -n '/^MAPPED_LIBRARIES:/,$p' "$tmp/prof" | grep -m1 "$(basename "$prog")\$" | cut -d- -f1)))
[ "$(nm "$prog" | awk '$2 == "T" && $3 == "main"' | wc -l)" = 1 ] || base=0
for want in "make_small 1000 100000" "make_big 200 8192000" "make_huge 3 25165824"; do
	set -- $want
	line=$(site "$1")
	case $line in
	" "*"$2: "*"$3 ["*|"$2: "*"$3 ["*)
		n=$(echo "$line" | awk '{ sub(":", "", $1); print $1 " " $2 }')
		[ "$n" = "$2 $3" ] && ok "heap_profile: $1: $2 objects, $3 bytes" ||
			fail "heap_profile: $1: $line" ;;
	*) fail "heap_profile: $1: ${line:-no line} (want $2 objects, $3 bytes)" ;;
	esac
done
if command -v google-pprof >/dev/null 2>&1; then
	top=$(google-pprof --text "$prog" "$tmp/prof" 2>/dev/null | awk '$NF ~ /^make_/ { print $NF }' | head -3 | tr '\n' ' ')
	[ "$top" = "make_huge make_big make_small " ] && ok "google-pprof ranks the sites: $top" ||
		fail "google-pprof --text: '$top' (want make_huge make_big make_small)"
else
	echo "google-pprof not installed (package google-perftools): its check skipped"
fi

# heap_sites: the same for a person, most bytes first, each with its stack.
env LD_PRELOAD="$lib" KALLOC_OPTIONS="slub_debug=U page_owner=on" KALLOC_STATS=heap_sites \
	KALLOC_STATS_FILE="$tmp/sites" "$prog" >/dev/null 2>&1
sites=$(awk '$4 ~ /^make_/ { sub(/\+.*/, "", $4); print $4 ":" $1 ":" $3 }' "$tmp/sites" | tr '\n' ' ')
[ "$sites" = "make_huge:24576:3 make_big:8000:200 make_small:97:1000 " ] &&
	ok "heap_sites: most bytes first, in kB and objects: $sites" ||
	fail "heap_sites: '$sites'"
for f in make_huge make_big; do	# a vmalloc area and a page block: page_owner's stacks
	grep -A2 " $f+0x" "$tmp/sites" | grep -q '^ *main+0x' && ok "heap_sites: $f's stack" ||
		fail "heap_sites: no stack under $f"
done

# The sampled profile: R = 64 KiB, so one small object in 1024 and a page
# block of 40 KiB with probability 0.625.  The bounds are more than five
# standard deviations of the estimates wide (about 195 samples of small
# objects: 7 %; 1250 of page blocks: 2 %).
env LD_PRELOAD="$lib" KALLOC_OPTIONS="page_owner=on page_owner.sample=64K" \
	KALLOC_STATS=heap_sites,alloc_traces,slabinfo KALLOC_STATS_FILE="$tmp/sampled" "$prog" many >/dev/null 2>&1
head -2 "$tmp/sampled" | grep -q '^live: about [0-9]* kB in [0-9]* allocations at [0-9]* sites (estimated from a sample of one in 65536 bytes: page_owner.sample)$' &&
	ok "sampled heap_sites: says its figures are estimates" ||
	fail "sampled heap_sites header: $(head -2 "$tmp/sampled")"
in_range() { [ "${1:-0}" -ge "$2" ] && [ "${1:-0}" -le "$3" ]; }
for want in "make_small 11718 27343" "make_big 68000 92000" "make_huge 24576 24576"; do
	set -- $want
	kb=$(awk -v f="$1" '$4 ~ "^" f "\\+" { print $1; exit }' "$tmp/sampled")
	in_range "$kb" "$2" "$3" && ok "sampled heap_sites: $1 about $kb kB (within $2-$3)" ||
		fail "sampled heap_sites: $1 ${kb:-missing} kB, not within $2-$3"
done
n=$(sed -n '/^==> slab\/malloc-prof-112\/alloc_traces <==$/,/^==> /p' "$tmp/sampled" |
	awk '$2 ~ /^make_small\+/ { print $1; exit }')
in_range "$n" 65 585 && ok "sampled: $n of make_small's 200,000 objects recorded (malloc-prof-112)" ||
	fail "sampled: ${n:-no} make_small objects in malloc-prof-112's alloc_traces (want about 195)"
# 100,000 more came from make_small() and were freed: a second site if counted
n=$(sed -n '/^==> heap_sites <==$/,/^==> alloc_traces <==$/p' "$tmp/sampled" |
	grep -Ec '^ +[0-9]+ +[0-9]+% +[0-9]+  make_small\+')
[ "$n" = 1 ] && ok "sampled: the freed objects do not count" ||
	fail "sampled: $n sites at make_small (want 1: the freed ones count)"
env LD_PRELOAD="$lib" KALLOC_OPTIONS="page_owner.sample=64K" KALLOC_STATS=slabinfo \
	KALLOC_STATS_FILE="$tmp/nosample" "$prog" many >/dev/null 2>&1
grep -q '^malloc-112 ' "$tmp/nosample" && ! grep -q '^malloc-prof-' "$tmp/nosample" &&
	ok "page_owner.sample without page_owner=on samples nothing" ||
	fail "page_owner.sample alone: $(grep '^malloc-' "$tmp/nosample" | head -3)"

env LD_PRELOAD="$lib" KALLOC_OPTIONS="slub_debug=U" KALLOC_STATS=alloc_traces \
	KALLOC_STATS_FILE="$tmp/traces" "$prog" >/dev/null 2>&1
if grep -Eq '^ +1000 make_small\+0x[0-9a-f]+/0x[0-9a-f]+ .*age=[0-9/]+ pid=[0-9]+' "$tmp/traces"; then
	ok "alloc_traces: 1000 objects at make_small+off/size, with age and pid"
else
	fail "alloc_traces: no line for make_small's 1000 objects: $(grep make_small "$tmp/traces" | head -2)"
fi
# A C program has no unwinder of its own: the preload loads libgcc's, so
# the stack goes on past make_small() to main().
grep -A2 '^ *1000 make_small+' "$tmp/traces" | grep -q '^        main+0x' &&
	ok "alloc_traces: the whole stack (make_small, then main)" ||
	fail "alloc_traces: the stack stops at make_small: $(grep -A3 '^ *1000 make_small+' "$tmp/traces")"
grep -Eq '^==> slab/malloc-[0-9]+/alloc_traces <==$' "$tmp/traces" && ok "alloc_traces: a title per cache" ||
	fail "alloc_traces: no title"
env LD_PRELOAD="$lib" KALLOC_STATS=alloc_traces KALLOC_STATS_FILE="$tmp/none" "$prog" >/dev/null 2>&1
grep -q "slub_debug=U" "$tmp/none" && ok "alloc_traces without U says how to turn it on" ||
	fail "alloc_traces without U: $(cat "$tmp/none")"
env LD_PRELOAD="$lib" KALLOC_STATS=all KALLOC_STATS_FILE="$tmp/all" "$prog" >/dev/null 2>&1
if grep -q '^==> \(heap_profile\|heap_sites\|alloc_traces\) <==' "$tmp/all"; then
	fail "KALLOC_STATS=all prints heap_profile, heap_sites or alloc_traces"
else
	ok "KALLOC_STATS=all prints none of heap_profile, heap_sites, alloc_traces"
fi
# The kalloc command: -p FILE writes the profile at exit, kalloc profile
# FILE reads it through google-pprof, kalloc profile PID asks a program
# started with -p -L for heap_sites.
cmd=$top_builddir/kalloc
"$cmd" -p "$tmp/cmd.prof" "$prog" >/dev/null 2>&1
head -1 "$tmp/cmd.prof" 2>/dev/null | grep -q '^heap profile: ' && ok "kalloc -p FILE writes a heap profile (sampled)" ||
	fail "kalloc -p FILE: $(head -1 "$tmp/cmd.prof" 2>&1)"
if command -v google-pprof >/dev/null 2>&1; then
	first=$("$cmd" profile "$tmp/cmd.prof" 2>"$tmp/pprof.err" | awk '$NF ~ /^make_/ { print $NF; exit }')
	[ "$first" = make_huge ] && [ ! -s "$tmp/pprof.err" ] &&
		ok "kalloc profile FILE: google-pprof's ranking, without its chatter" ||
		fail "kalloc profile FILE: first '$first', stderr: $(cat "$tmp/pprof.err")"
fi
err=$("$cmd" profile "$tmp/traces" 2>&1)
[ $? = 1 ] && [ "$err" = "kalloc profile: $tmp/traces is not a heap profile (kalloc -p FILE writes one)" ] &&
	ok "kalloc profile of a file that is not a profile says so" || fail "kalloc profile NOTAPROFILE: $err"
"$cmd" -p "$tmp/x" -s slabinfo "$prog" >/dev/null 2>"$tmp/usage.err"
[ $? = 2 ] && grep -q "^kalloc: -p writes the heap profile as the reports' file: not with -s or -o$" "$tmp/usage.err" &&
	ok "kalloc -p with -s: a usage error" || fail "kalloc -p -s: $(cat "$tmp/usage.err")"
"$cmd" -p "$tmp/x" --sample=lots "$prog" >/dev/null 2>"$tmp/usage.err"
[ $? = 2 ] && grep -q "^kalloc: --sample needs a size in bytes (512K, 1M, 0), not 'lots'$" "$tmp/usage.err" &&
	ok "kalloc --sample=lots: a usage error" || fail "kalloc --sample=lots: $(cat "$tmp/usage.err")"
live=$top_builddir/tests/live_prog
if [ -x "$live" ]; then
	"$cmd" -p "$tmp/live.prof" --sample=0 -L "$live" 20000 700 >"$tmp/ready" 2>/dev/null &
	i=0
	while ! grep -q '^ready' "$tmp/ready" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	pid=$(sed -n 's/^ready //p' "$tmp/ready")
	sites=$("$cmd" profile "$pid" 2>&1)
	kill "$pid" 2>/dev/null
	echo "$sites" | awk 'NR == 3' | grep -Eq '^ +[0-9]+ +[0-9]+% +20000  main\+0x' &&
		ok "kalloc profile PID: the program's 20000 objects at main first" ||
		fail "kalloc profile PID: $(echo "$sites" | head -4)"
fi
[ $status = 0 ] && echo "test_profile: all passed"
exit $status
