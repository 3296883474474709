#!/bin/sh
# tests/test_json.sh - the reports as JSON (kalloc_report(out, "json:..."),
# KALLOC_STATS_FORMAT=json), with tests/stats_prog under the preload:
#
#  1. kalloc_report(f, "all") and kalloc_report(f, "json:all") from one
#     state: the JSON parses, has a member per report in the text's order
#     and the same numbers (tests/json_check.py), on a program with slab
#     objects, page blocks, vmalloc and brk; again with phys=memfd;
#  2. KALLOC_STATS_FORMAT=json at exit: one document (python3 -m
#     json.tool), "1" holding every report but the map; a list holding
#     those named, in order; an unknown name said on stderr and left out
#     of a document that stays valid; the map's numbers (its kmalloc-64
#     frames) agree with slabinfo's in the same document; an unknown
#     format is said and text printed; kalloc -j sets it; with
#     KALLOC_STATS_SIGNAL each snapshot is one more object.
#
# Exit status: 0 all well, 77 (skip) before the build, 1 with what differed.
set -u
name=test_json progs=tests/stats_prog run_options=mem=1G
. "${srcdir:-.}/tests/preload_env.sh"

# --- 1. the same numbers ------------------------------------------------
for opts in mem=1G "mem=1G phys=memfd"; do
	run_options=$opts run "$prog" churn64 30 slab64 20 blocks 4 brk 1 report "$tmp" ||
		fail "stats_prog report ($opts) exited with $?"
	python3 "$srcdir/tests/json_check.py" "$tmp/all.txt" "$tmp/all.json" ||
		fail "the JSON reports differ from the text ones ($opts, above)"
done
run_options=mem=1G

# --- 2. at exit ------------------------------------------------------------
keys() {	# the top-level members of a JSON file, comma-separated
	python3 -c 'import json, sys; print(",".join(json.load(open(sys.argv[1]))))' "$1"
}
run KALLOC_STATS=1 KALLOC_STATS_FORMAT=json KALLOC_STATS_FILE="$tmp/exit.json" "$prog" slab64 1 ||
	fail "exit status $?"
python3 -m json.tool "$tmp/exit.json" >/dev/null || fail "KALLOC_STATS=1 KALLOC_STATS_FORMAT=json is not JSON"
[ "$(keys "$tmp/exit.json")" = "kalloc,summary,buddyinfo,pagetypeinfo,zoneinfo,slabinfo,vmallocinfo,brk,kfence,kfence_objects,options,meminfo,vmstat,totals" ] ||
	fail "KALLOC_STATS=1 in JSON has the members $(keys "$tmp/exit.json")"

run KALLOC_STATS=slabinfo,bogus,map KALLOC_STATS_FORMAT=json "$prog" slab64 8 \
	>/dev/null 2>"$tmp/err" || fail "exit status $?"
grep -q "^kalloc: KALLOC_STATS: no report called 'bogus': left out$" "$tmp/err" ||
	fail "the unknown name is not said: $(head -2 "$tmp/err")"
grep -v '^kalloc: ' "$tmp/err" >"$tmp/list.json"
[ "$(keys "$tmp/list.json")" = "kalloc,slabinfo,map" ] ||
	fail "KALLOC_STATS=slabinfo,bogus,map in JSON has the members $(keys "$tmp/list.json")"
python3 - "$tmp/list.json" <<'PY' || fail "the map's kmalloc-64 frames differ from slabinfo's (above)"
import json, sys
d = json.load(open(sys.argv[1]))
slab = [c["num_slabs"] * c["pagesperslab"] for c in d["slabinfo"]["caches"] if c["name"] == "kmalloc-64"]
mapped = [c["pages"] for c in d["map"]["caches"] if c["name"] == "kmalloc-64"]
ok = slab and slab == mapped and slab[0] >= 2048
ok = ok and sum(d["map"]["zones"][z]["pages"]["slab"] for z in d["map"]["zones"]) >= slab[0]
print("test_json: kmalloc-64: slabinfo %s pages, the map %s" % (slab, mapped))
sys.exit(0 if ok else 1)
PY

run KALLOC_STATS=brk KALLOC_STATS_FORMAT=yaml "$prog" slab64 1 2>"$tmp/yaml" || fail "exit status $?"
grep -q "KALLOC_STATS_FORMAT=yaml: not a format (text or json): text" "$tmp/yaml" &&
	grep -q '^start_brk:' "$tmp/yaml" || fail "an unknown format: $(head -3 "$tmp/yaml")"

# live snapshots: one object per snapshot, the exit's after them
env LD_PRELOAD="$lib" KALLOC_OPTIONS="$run_options" KALLOC_STATS=brk KALLOC_STATS_FORMAT=json \
	KALLOC_STATS_SIGNAL=USR2 KALLOC_STATS_FILE="$tmp/live.json" "$prog" slab64 1 sleep 30 &
pid=$!
wait_live $pid
n=0
until [ -s "$tmp/live.json" ] || [ $n -ge 50 ]; do
	kill -USR2 $pid 2>/dev/null
	sleep 0.1
	n=$((n + 1))
done
wait $pid || fail "the live program exited with $?"
python3 - "$tmp/live.json" <<'PY' || fail "the live snapshots are not a series of JSON objects (above)"
import json, sys
text, dec, pos, docs = open(sys.argv[1]).read(), json.JSONDecoder(), 0, []
while text[pos:].strip():
    obj, end = dec.raw_decode(text, pos + len(text[pos:]) - len(text[pos:].lstrip()))
    docs.append(obj)
    pos = end
ok = len(docs) >= 2 and all(list(d) == ["kalloc", "brk"] for d in docs)
print("test_json: %d objects in the live file" % len(docs))
sys.exit(0 if ok else 1)
PY

# kalloc(1)'s -j
if [ -x "$top_builddir/kalloc" ]; then
	"$top_builddir/kalloc" -O mem=1G -j -s brk,summary -o "$tmp/cli.json" "$prog" slab64 1 ||
		fail "kalloc -j: exit status $?"
	[ "$(keys "$tmp/cli.json" 2>/dev/null)" = "kalloc,brk,summary" ] || fail "kalloc -j -s brk,summary wrote no such JSON"
fi

exit $status
