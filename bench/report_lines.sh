#!/bin/sh
# bench/report_lines.sh [LIB] [REPEAT] - what symbolising costs a report:
# the CPU time of kalloc_report("alloc_traces") over 1000 distinct stacks.
#
# Writes a C program of 1000 functions f0 ... f999 of a few lines each,
# each keeping one malloc(24), builds it with -g (DWARF 5, gcc's default)
# and a copy without its debug sections (objcopy --strip-debug), and runs
# both under LIB (default .libs/libkalloc.so) with slub_debug=U: the
# program asks for the report REPEAT times (default 5) into /dev/null and
# prints the CPU time of each (CLOCK_THREAD_CPUTIME_ID: the system calls'
# time included, other processes' load left out).  Every stack is f<N>,
# main, libc's two frames and _start: 6000 frames to name, 2000 of them
# with a source line.  docs/stats.md has the figures.
set -eu
lib=${1:-.libs/libkalloc.so}
repeat=${2:-5}
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
[ -f "$lib" ] || { echo "$0: no $lib: build first" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/kalloc-lines.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM

# The functions, and their calls for main() on descriptor 3.
i=0
while [ $i -lt 1000 ]; do
	printf '__attribute__((noinline)) void *f%d(void)\n{\n\tvoid *p = malloc(24);\n\n' $i
	printf '\t__asm__ volatile("" : : "r"(p) : "memory");\n\treturn p;\n}\n\n'
	printf '\tkeep[%d] = f%d();\n' $i $i >&3
	i=$((i + 1))
done >"$dir/functions.c" 3>"$dir/calls.c"
{
	printf '#include <dlfcn.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <time.h>\n\n'
	printf 'static void *keep[1000];\n\n'
	cat "$dir/functions.c"
	cat <<'EOF'
int main(int argc, char **argv)
{
	int (*report)(FILE *, const char *) =
		(int (*)(FILE *, const char *))dlsym(RTLD_DEFAULT, "kalloc_report");
	FILE *out = fopen("/dev/null", "w");
	int i, n = atoi(argv[1]);
	struct timespec a, b;

EOF
	cat "$dir/calls.c"
	cat <<'EOF'
	if (!report || !out)
		return 1;
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
		report(out, "alloc_traces");
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
		printf(" %.0f", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	}
	printf(" ms\n");
	return keep[0] == keep[1];
}
EOF
} >"$dir/sites.c"
${CC:-cc} -O1 -g -fno-builtin "$dir/sites.c" -o "$dir/sites" -ldl
objcopy --strip-debug "$dir/sites" "$dir/sites-nodebug"
size=$(readelf -SW "$dir/sites" | awk '$2 == ".debug_line" { print $6 }')
echo "the program's .debug_line: $((0x${size:-0})) bytes, one unit"
printf 'alloc_traces of 1000 stacks, with line tables:   '
LD_PRELOAD="$lib" KALLOC_OPTIONS=slub_debug=U "$dir/sites" "$repeat"
printf 'alloc_traces of 1000 stacks, no debug sections:  '
LD_PRELOAD="$lib" KALLOC_OPTIONS=slub_debug=U "$dir/sites-nodebug" "$repeat"
