#!/bin/sh
# tests/test_stats.sh - the summary report (lib/vmstat.c) with
# tests/stats_prog under the preload, on a program whose memory is known:
# 50 MiB of 64-byte objects allocated and freed, then 20 MiB of them kept,
# 16 MiB of 64 KiB page blocks kept, the break moved 3 MiB up.
#
#  1. in use now: slab objects 20 MiB (and the few kB of the program's
#     stdio), page blocks 16 MiB plus the 2.5 MiB pointer array, brk 3 MiB;
#  2. peaks: slab objects at least the freed 50 MiB, held at least that,
#     the break's 3 MiB; no peak below its now;
#  3. the slabs' equation: slabs = objects + kalloc's own + free + in
#     sheaves + metadata (to the kB the rows are rounded to);
#  4. the summary comes first in KALLOC_STATS=1.
#
# Exit status: 0 all well, 77 (skip) before the build, 1 with what differed.
set -u
name=test_stats progs=tests/stats_prog run_options=mem=1G
. "${srcdir:-.}/tests/preload_env.sh"

run KALLOC_STATS=summary KALLOC_STATS_FILE="$tmp/summary" "$prog" churn64 50 slab64 20 blocks 16 brk 3 ||
	fail "stats_prog exited with $?"

# "section label now [peak]" for every row, from the text report
awk '/^[a-z]/ { sec = $1 } /^  / {
	line = $0; sub(/^  /, "", line); split(line, f, / +[0-9]+ kB/)
	n = split(line, nums, / +/); now = ""; peak = ""
	for (i = 1; i <= n; i++) if (nums[i] == "kB") { if (now == "") now = nums[i - 1]; else if (peak == "") peak = nums[i - 1] }
	print sec "|" f[1] "|" now "|" peak }' "$tmp/summary" >"$tmp/rows"

val() {	# val SECTION LABEL now|peak
	awk -F'|' -v s="$1" -v l="$2" -v c="$3" '$1 == s && $2 == l { print (c == "now" ? $3 : $4); exit }' "$tmp/rows"
}
between() {	# between WHAT VALUE LOW HIGH
	[ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || fail "$1 is '$2' kB, not in [$3, $4]"
}

between "slab objects in use" "$(val in "slab objects" now)" 20480 20544
between "page blocks in use" "$(val in "page blocks" now)" 18944 18944
between "brk in use" "$(val in brk now)" 3072 3072
between "brk peak" "$(val in brk peak)" 3072 3072
between "slab objects peak" "$(val in "slab objects" peak)" 51200 51328
slab_held=$(val held slabs now)
between "slab pages peak" "$(val held slabs peak)" 51200 53248
between "held peak" "$(val held total peak)" "$(val held slabs peak)" 200000
between "held now" "$(val held total now)" "$(val in total now)" "$(val held total peak)"
between "rss peak" "$(val host rss peak)" "$(val host rss now)" 1000000
parts=$(( $(val in "slab objects" now) + $(val allocator "slab: kalloc's own objects" now) +
	$(val allocator "slab: free objects in slabs" now) + $(val allocator "slab: objects in sheaves" now) +
	$(val allocator "slab: metadata, padding, tails" now) ))
between "the slabs' parts (objects, own, free, sheaves, metadata)" "$parts" $((slab_held - 6)) "$slab_held"

run KALLOC_STATS=1 "$prog" slab64 1 2>"$tmp/all" || fail "exit status $?"
head -1 "$tmp/all" | grep -q '^==> summary <==$' || fail "KALLOC_STATS=1 does not start with the summary"

exit $status
