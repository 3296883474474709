#!/bin/sh
# tests/test_map.sh - the "map" report (lib/memmap.c): the SVG picture of
# physical memory, with tests/stats_prog under the preload:
#
#  1. KALLOC_STATS=map with KALLOC_STATS_FILE: the file is one SVG document
#     that rsvg-convert renders to a PNG that is not blank;
#  2. a known state, 100 MiB of 64-byte objects kept until exit (mem=1G):
#     the legend's kmalloc-64 entry holds the pages slabinfo gives the
#     cache, and in the rendered PNG the kmalloc-64 colour covers the
#     share of the Normal band's online cells that those pages are of the
#     Normal zone's online sections (totals), within 4 points;
#  3. KALLOC_STATS_MAP=path: the map in a file of its own (%p expanded),
#     the text reports of KALLOC_STATS unchanged beside it, and alone
#     without KALLOC_STATS; "all" has no map; kalloc_report(out, "map")
#     is the same document; kalloc -m FILE writes it.
#
# Exit status: 0 all well, 77 (skip) without rsvg-convert (Debian package
# librsvg2-bin, which autogen.sh installs) or before the build, 1 with what
# differed otherwise.
set -u
command -v rsvg-convert >/dev/null 2>&1 || { echo "test_map: rsvg-convert not found (apt-get install librsvg2-bin)"; exit 77; }
name=test_map progs=tests/stats_prog run_options=mem=1G
. "${srcdir:-.}/tests/preload_env.sh"

# --- 1. the document renders -------------------------------------------
run KALLOC_STATS=map KALLOC_STATS_FILE="$tmp/small.svg" "$prog" slab64 1 ||
	fail "stats_prog slab64 1 exited with $?"
head -1 "$tmp/small.svg" | grep -q '^<?xml version="1.0"' || fail "the map does not start as an XML document"
tail -1 "$tmp/small.svg" | grep -q '^</svg>$' || fail "the map does not end with </svg>"
rsvg-convert -f png -o "$tmp/small.png" "$tmp/small.svg" || fail "rsvg-convert cannot render the map"
python3 "$srcdir/tests/png_colours.py" "$tmp/small.png" >"$tmp/small.colours" ||
	fail "the PNG cannot be read"
awk 'NR == 1 { total = $2 * $3; next } $1 != "#ffffff" { ink += $2 } END {
	if (total < 300 * 300 || ink < total / 10 || NR < 12) exit 1 }' "$tmp/small.colours" ||
	fail "the rendered map is blank or tiny: $(head -3 "$tmp/small.colours" | tr '\n' ' ')"

# --- 2. a known state ----------------------------------------------------
run KALLOC_STATS=slabinfo,totals KALLOC_STATS_FILE="$tmp/text" KALLOC_STATS_MAP="$tmp/map-%p.svg" \
	"$prog" slab64 100 || fail "stats_prog slab64 100 exited with $?"
map=$(ls "$tmp"/map-*.svg 2>/dev/null | head -1)
if [ -z "$map" ]; then
	fail "KALLOC_STATS_MAP=$tmp/map-%p.svg wrote no file"
else
	grep -q '<svg' "$tmp/text" && fail "the map went into KALLOC_STATS_FILE too"
	grep -q '^kmalloc-64 ' "$tmp/text" || fail "the text reports are missing beside the map"
	# slabinfo: name active num objsize objperslab pagesperslab : tunables ... : slabdata active num shared
	slab_pages=$(awk '$1 == "kmalloc-64" { print $15 * $6 }' "$tmp/text")
	online=$(awk '$1 == "Normal" && $8 ~ /\// { split($8, s, "/"); print s[1] * 1024 }' "$tmp/text")
	fill=$(sed -n 's/.*class="swatch"[^>]* fill="\(#[0-9a-f]*\)"[^>]* data-name="kmalloc-64" data-pages="\([0-9]*\)".*/\1 \2/p' "$map")
	absent=$(sed -n 's/.*fill="\(#[0-9a-f]*\)"[^>]* data-owner="absent".*/\1/p' "$map")
	band=$(sed -n 's/.*class="band" data-zone="Normal" x="\([0-9]*\)" y="\([0-9]*\)" width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2 \3 \4/p' "$map")
	set -- $fill
	if [ $# -ne 2 ] || [ -z "$absent" ] || [ -z "$band" ] || [ -z "$slab_pages" ] || [ -z "$online" ]; then
		fail "cannot read the map's legend/band or the text reports: fill='$fill' absent='$absent' band='$band' slab='$slab_pages' online='$online'"
	else
		colour=$1
		[ "$2" = "$slab_pages" ] || fail "the map counts $2 pages of kmalloc-64, slabinfo $slab_pages"
		[ "$slab_pages" -gt 25000 ] || fail "kmalloc-64 has $slab_pages pages for 100 MiB of objects"
		set -- $band
		rsvg-convert -f png -o "$tmp/map.png" "$map" || fail "rsvg-convert cannot render $map"
		# inside the band's frame: the cells only
		python3 "$srcdir/tests/png_colours.py" "$tmp/map.png" $(($1 + 1)) $(($2 + 1)) \
			$(($1 + $3 - 1)) $(($2 + $4 - 1)) >"$tmp/band.colours" || fail "the PNG cannot be read"
		awk -v slab="$colour" -v absent="$absent" -v pages="$slab_pages" -v online="$online" '
			NR == 1 { next }
			$1 == slab { s = $2 } $1 != absent && $1 != "#ffffff" { on += $2 }
			END {
				want = 100 * pages / online; got = on ? 100 * s / on : 0
				printf "test_map: kmalloc-64 covers %.1f%% of the Normal band'"'"'s online cells, %.1f%% of its online pages\n", got, want
				if (got < want - 4 || got > want + 4) exit 1
			}' "$tmp/band.colours" || fail "the kmalloc-64 colour's share of the Normal band is off (above)"
	fi
fi

# --- 3. where the map goes ----------------------------------------------
run KALLOC_STATS_MAP="$tmp/alone.svg" "$prog" slab64 1 2>"$tmp/alone.err" || fail "exit status $?"
[ -s "$tmp/alone.svg" ] && [ ! -s "$tmp/alone.err" ] ||
	fail "KALLOC_STATS_MAP alone: no map, or something on stderr: $(head -2 "$tmp/alone.err")"
run KALLOC_STATS=1 "$prog" slab64 1 2>"$tmp/all.err" || fail "exit status $?"
grep -q '==> totals <==' "$tmp/all.err" || fail "KALLOC_STATS=1 printed no totals"
grep -q '<svg\|==> map <==' "$tmp/all.err" && fail "KALLOC_STATS=1 printed the map"
run KALLOC_STATS=buddyinfo,map "$prog" slab64 1 2>"$tmp/both.err" || fail "exit status $?"
grep -q '^==> map <==$' "$tmp/both.err" && grep -q '^</svg>$' "$tmp/both.err" ||
	fail "KALLOC_STATS=buddyinfo,map: the map is not in the stream under its title"
run KALLOC_STATS_MAP="$tmp/no/such/dir/m.svg" "$prog" slab64 1 2>"$tmp/bad.err"
grep -q "KALLOC_STATS_MAP: cannot open '$tmp/no/such/dir/m.svg': No such file or directory" "$tmp/bad.err" ||
	fail "an unwritable KALLOC_STATS_MAP is not reported: $(cat "$tmp/bad.err")"

# a live snapshot writes the map while the program runs
env LD_PRELOAD="$lib" KALLOC_OPTIONS="$run_options" KALLOC_STATS_MAP="$tmp/live.svg" \
	KALLOC_STATS_SIGNAL=USR2 "$prog" slab64 4 sleep 30 &
pid=$!
wait_live $pid
n=0
until grep -q '</svg>' "$tmp/live.svg" 2>/dev/null || [ $n -ge 50 ]; do
	kill -USR2 $pid 2>/dev/null
	sleep 0.1
	n=$((n + 1))
done
kill -0 $pid 2>/dev/null || fail "no live map before the program's end"
grep -q '</svg>' "$tmp/live.svg" 2>/dev/null || fail "KALLOC_STATS_SIGNAL wrote no map"
wait $pid || fail "the live program exited with $?"
[ "$(grep -c '</svg>' "$tmp/live.svg")" = 1 ] || fail "the live map file holds more than one picture"

# kalloc(1)'s -m
if [ -x "$top_builddir/kalloc" ]; then
	"$top_builddir/kalloc" -O mem=1G -m "$tmp/cli.svg" "$prog" slab64 1 || fail "kalloc -m: exit status $?"
	grep -q 'data-name="kmalloc-64"' "$tmp/cli.svg" 2>/dev/null || fail "kalloc -m FILE wrote no map"
fi

exit $status
