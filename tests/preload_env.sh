# tests/preload_env.sh - the start of the scripts that run programs under
# the preload, sourced with $name (the script's) and $progs (the programs
# it runs, from the build tree) set: skips (77) under a sanitizer (its
# runtime must be the first library of a process) or before the build;
# sets $lib, $prog (the first of $progs), $srcdir, $top_builddir, a
# temporary directory $tmp removed at exit, $status, fail() and run().
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "$name: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }
top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
lib=$top_builddir/.libs/libkalloc.so
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
[ -f "$lib" ] || { echo "$name: build first"; exit 77; }
prog=
for p in $progs; do
	[ -x "$top_builddir/$p" ] || { echo "$name: build first ($p)"; exit 77; }
	prog=${prog:-$top_builddir/$p}
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kalloc-$name.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0

fail() {
	echo "FAIL: $*"
	status=1
}

# run VAR=value... program args: under the preload, with KALLOC_OPTIONS=$run_options
run() {
	env LD_PRELOAD="$lib" KALLOC_OPTIONS="${run_options:-}" "$@"
}

# wait_live PID: until the process has its kalloc-stats thread (its
# KALLOC_STATS_SIGNAL handler is then installed), at most 5 s
wait_live() {
	n=0
	until grep -qs '^kalloc-stats$' /proc/"$1"/task/*/comm || [ $n -ge 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	sleep 0.1
}
