#!/bin/sh
# tests/test_fuzz.sh - the fuzz target of the malloc ABI (tests/fuzz_malloc.c)
# driven by tests/fuzz_replay under LD_PRELOAD=.libs/libkalloc.so:
#
#  1. without the preload the driver refuses to run: it cannot test
#     glibc's malloc by mistake;
#  2. every input of tests/fuzz-corpus/ (hand-made ones for each layer and
#     realloc across them, and minimised random ones);
#  3. 2000 random inputs of seed 1, the same on every run, stopped after
#     15 s on a slow machine (the inputs run are then a prefix of them).
#
# Each run is killed after 30 s and 25 s: the test takes under a minute.
#
# An input that fails is written to tests/fuzz-crash-* of the build tree
# and named in the output; tests/fuzz_replay FILE runs it again.
# tests/test_fuzz_libfuzzer.sh runs the same target under libFuzzer.
# Environment (automake's AM_TESTS_ENVIRONMENT): top_builddir, srcdir.
# Exit status: 0 all well, 77 (skip) if the library is not built, 1 if an
# input failed.
set -u
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "test_fuzz: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }

top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
lib=$top_builddir/.libs/libkalloc.so
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
replay=$top_builddir/tests/fuzz_replay
corpus=$srcdir/tests/fuzz-corpus
[ -f "$lib" ] && [ -x "$replay" ] || { echo "test_fuzz: build first"; exit 77; }
crash_dir=$top_builddir/tests
status=0

run_limited() {	# run_limited SECONDS cmd...
	secs=$1
	shift
	if command -v timeout >/dev/null 2>&1; then
		timeout -s KILL "$secs" "$@"
	else
		"$@"
	fi
}

out=$("$replay" "$corpus" 2>&1)
case $? in
2)	echo "ok: without the preload: refused ($out)" ;;
*)	echo "FAIL: without the preload the driver ran: $out"; status=1 ;;
esac

nr=$(ls "$corpus" | wc -l)
if [ "$nr" -lt 20 ]; then
	echo "FAIL: $corpus holds $nr inputs"
	status=1
fi
if out=$(run_limited 30 env LD_PRELOAD="$lib" "$replay" --crash-dir "$crash_dir" "$corpus" 2>&1); then
	echo "ok: corpus: $out"
else
	echo "FAIL: corpus: $out"
	status=1
fi

if out=$(run_limited 25 env LD_PRELOAD="$lib" "$replay" --crash-dir "$crash_dir" \
		--random 2000 --seed 1 --time 15 2>&1); then
	echo "ok: random: $out"
else
	echo "FAIL: random: $out"
	status=1
fi
exit $status
