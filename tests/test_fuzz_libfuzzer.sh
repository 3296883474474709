#!/bin/sh
# tests/test_fuzz_libfuzzer.sh - the fuzz target of the malloc ABI
# (tests/fuzz_malloc.c) under libFuzzer for 20 s, LD_PRELOAD-ed to
# .libs/libkalloc.so, from a copy of tests/fuzz-corpus/ with a fixed seed.
#
# The target is built here with clang's -fsanitize=fuzzer ($CLANG, else
# clang); where that does not build or link, the test is skipped (the
# corpus is replayed without libFuzzer by tests/test_fuzz.sh anyway).
# libFuzzer's coverage is that of the target only: kalloc's code is not
# instrumented under the preload (docs/testing.md tells how to fuzz with
# kalloc itself instrumented).  A failing input is written to
# tests/fuzz-crash-* of the build tree; tests/fuzz_replay FILE runs it
# again without libFuzzer.
# Environment (automake's AM_TESTS_ENVIRONMENT): top_builddir, srcdir.
# Exit status: 0 all well, 77 (skip) without clang's libFuzzer or the
# library, 1 if libFuzzer found a failing input or did not run.
set -u
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "test_fuzz_libfuzzer: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }

top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
lib=$top_builddir/.libs/libkalloc.so
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
[ -f "$lib" ] || { echo "test_fuzz_libfuzzer: no $lib (build first)"; exit 77; }
clang=${CLANG:-clang}
crash_dir=$top_builddir/tests

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kalloc-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if ! "$clang" -g -O1 -fsanitize=fuzzer -I"$srcdir/include" "$srcdir/tests/fuzz_malloc.c" \
		-o "$tmp/fuzz_malloc" -ldl -pthread >"$tmp/cc.out" 2>&1; then
	echo "SKIP: $clang -fsanitize=fuzzer does not build the target:"
	sed 's/^/  /' "$tmp/cc.out" | head -5
	exit 77
fi

mkdir "$tmp/corpus" "$tmp/crash" &&
cp "$srcdir"/tests/fuzz-corpus/* "$tmp/corpus/" || exit 1
if command -v timeout >/dev/null 2>&1; then limit="timeout -s KILL 45"; else limit=; fi
$limit env LD_PRELOAD="$lib" "$tmp/fuzz_malloc" -max_total_time=20 -seed=1 -timeout=30 \
	-rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$tmp/crash/" \
	"$tmp/corpus" >"$tmp/fuzz.out" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/fuzz.out")
if [ $rc -eq 0 ] && [ -n "$runs" ]; then
	echo "ok: libFuzzer under the preload: $runs inputs in 20 s, corpus of $(ls "$tmp/corpus" | wc -l) inputs at the end"
	exit 0
fi
echo "FAIL: libFuzzer under the preload (exit $rc):"
grep -v '^"' "$tmp/fuzz.out" | tail -40
for f in "$tmp"/crash/*; do
	[ -f "$f" ] || continue
	cp "$f" "$crash_dir/fuzz-crash-$(basename "$f")" &&
		echo "input written to $crash_dir/fuzz-crash-$(basename "$f")"
done
exit 1
