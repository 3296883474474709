#!/bin/sh
# tests/test_kernel_ref.sh - kalloc's reports against a real i386 kernel's.
#
# tests/kernel-ref/m<MEM>-c<CPUS>.txt hold what Linux 6.1 (i386, PAE)
# printed on a machine of MEM MiB and CPUS CPUs (tests/kernel-ref/capture.sh,
# `make kernel-ref`).  For each, tests/kernel_ref_prog runs on kalloc's
# machine with the same mem= and possible_cpus= (every section onlined, so
# that managed is the kernel's after boot), and tests/kernel-ref/normalize.awk
# turns both sides into "key<TAB>value" lines: the e820 map, the zone
# ranges, each zone's start_pfn, spanned, present, managed, min, low, high,
# protection, pcp high and batch, the kmalloc caches' objsize, objperslab and
# pagesperslab, the rows and columns of buddyinfo, pagetypeinfo and
# zoneinfo, the shape of a vmallocinfo line, meminfo's totals.
#
# Every key must have the same value on both sides, or match a row of the
# table of deliberate differences in docs/fidelity.md (its first column, a
# glob over the keys).  A difference no row lists fails, and so does a row
# that no longer matches any difference (the table must stay true).
# KREF_VERBOSE=1 also prints each listed difference with both values.
set -u
top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
ref=$srcdir/tests/kernel-ref
table=$srcdir/docs/fidelity.md
prog=$top_builddir/tests/kernel_ref_prog
[ -x "$prog" ] || { echo "test_kernel_ref: no $prog (build first)"; exit 77; }
ls "$ref"/m*-c*.txt >/dev/null 2>&1 || { echo "test_kernel_ref: no reference in $ref"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kalloc-kref.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# The table's keys: the first cell of each row under "## Deliberate differences".
sed -n '/^## Deliberate differences/,/^## [^D]/p' "$table" |
	sed -n 's/^| `\([^`]*\)` |.*/\1/p' >"$tmp/listed"
[ -s "$tmp/listed" ] || { echo "test_kernel_ref: no table of deliberate differences in $table"; exit 1; }

status=0
: >"$tmp/used"
for f in "$ref"/m*-c*.txt; do
	m=${f##*/m}
	mem=${m%%-c*}
	cpus=${m#*-c}
	cpus=${cpus%.txt}
	rm -f "$tmp/stats"
	if ! KALLOC_OPTIONS="mem=${mem}M possible_cpus=$cpus loglevel=7" KALLOC_STATS=all \
		KALLOC_STATS_FILE="$tmp/stats" "$prog" >"$tmp/out" 2>"$tmp/err"; then
		cat "$tmp/out" "$tmp/err"
		echo "FAIL: m$mem-c$cpus: kernel_ref_prog failed"
		status=1
		continue
	fi
	{ cat "$tmp/stats"; echo "==> dmesg <=="; sed 's/^kalloc: //' "$tmp/err"; } >"$tmp/kalloc.txt"
	awk -f "$ref/normalize.awk" "$f" >"$tmp/kernel.kv"
	awk -f "$ref/normalize.awk" "$tmp/kalloc.txt" >"$tmp/kalloc.kv"
	awk -F'\t' -v machine="m$mem-c$cpus" -v used="$tmp/used" '
		function glob_re(g) {
			gsub(/[.+^$(){}|\[\]\\]/, "\\\\&", g); gsub(/\*/, ".*", g); gsub(/\?/, ".", g)
			return "^" g "$"
		}
		FILENAME == ARGV[1] { re[++nre] = glob_re($0); glob[nre] = $0; next }
		FILENAME == ARGV[2] { kern[$1] = $2; keys[$1] = 1; next }
		{ kal[$1] = $2; keys[$1] = 1 }
		END {
			for (k in keys) {
				# slabinfo: the kmalloc caches kalloc has, no others
				if (k ~ /^slabinfo:/ && !(k in kal))
					continue
				kv = (k in kern) ? kern[k] : "(none)"
				av = (k in kal) ? kal[k] : "(none)"
				if (kv == av) { same++; continue }
				hit = 0
				for (i = 1; i <= nre; i++)
					if (k ~ re[i]) { print glob[i] >>used; hit = 1; if (ENVIRON["KREF_VERBOSE"] != "") printf "listed: %s: %s: kernel %s, kalloc %s\n", machine, k, kv, av }
				if (hit) { listed++; continue }
				printf "FAIL: %s: %s: kernel %s, kalloc %s (not in docs/fidelity.md)\n", machine, k, kv, av
				bad++
			}
			printf "%s: %d fields the same, %d deliberate differences, %d not listed\n", machine, same, listed, bad
			exit bad > 0
		}' "$tmp/listed" "$tmp/kernel.kv" "$tmp/kalloc.kv" || status=1
done

# A row that matched nothing is a difference that is gone: drop it.
sort -u "$tmp/used" >"$tmp/used.sorted"
while IFS= read -r g; do
	grep -qxF -- "$g" "$tmp/used.sorted" ||
		{ echo "FAIL: docs/fidelity.md lists \`$g\`, which no machine differs in any more"; status=1; }
done <"$tmp/listed"

[ $status -eq 0 ] && echo "test_kernel_ref: every field the same or a listed difference"
exit $status
