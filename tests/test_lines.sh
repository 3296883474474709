#!/bin/sh
# tests/test_lines.sh - the source lines of reports (lib/debug_line.c,
# lib/kallsyms.c): a frame reads "name+0xoff/0xsize dir/file.c:N" where the
# object has a DWARF line table.  The expected lines are found in the
# sources with grep -n, never written here.
#
#  1. tests/profile_prog (built with -g): alloc_traces, heap_sites, the
#     JSON vmallocinfo's "line", a slub_debug report (its alloc track and
#     call trace) and a one-line invalid free name the exact line of each
#     call; tests/kfence_prog: a KFENCE report names the faulting line
#     (the pc itself, not a return address) and the allocation's line;
#  2. the same program built by $CC with DWARF 2, 3, 4, 5 and 64-bit DWARF 5:
#     the same line, the file named the same;
#  3. a stripped copy still names the functions (.dynsym: -rdynamic), with
#     no line; its debug file found by build-id under debug_file_directory=
#     brings the lines back; the same file with another build-id does not;
#  4. copies whose .debug_line is overwritten at its offset in the file
#     (readelf -S, dd): the program runs, the functions are named, and no
#     line is printed; a copy whose .symtab size wraps past the end of the
#     file: no wrong name (a function is named right or by its address).
set -u
name=test_lines progs="tests/profile_prog tests/kfence_prog"
. "${srcdir:-.}/tests/preload_env.sh"
ok() { echo "ok: $1"; }
src=$srcdir/tests/profile_prog.c
ksrc=$srcdir/tests/kfence_prog.c
kprog=$top_builddir/tests/kfence_prog

# line_in FILE FUNCTION TEXT: the number of the first line holding TEXT in
# FUNCTION's body (from its definition, at most 12 lines on).
line_in() {
	grep -n -A12 "^[^ ].*[ *]$2(" "$1" | grep -F -- "$3" | head -1 | sed 's/^\([0-9]*\)[-:].*/\1/'
}
small=$(line_in "$src" make_small "malloc(n)")
big=$(line_in "$src" make_big "malloc(n)")
huge=$(line_in "$src" make_huge "malloc(n)")
main_small=$(grep -n "keep\[k++\] = make_small(100, 1)" "$src" | cut -d: -f1)
overflow_alloc=$(line_in "$src" memory_error "p = make_small(100, 5)")
overflow_free=$(line_in "$src" memory_error "free(p);")
bad_free=$(line_in "$src" memory_error "free(p + 4096)")
for v in small big huge main_small overflow_alloc overflow_free bad_free; do
	eval "[ -n \"\$$v\" ]" || { fail "no line for $v in $src"; exit 1; }
done
sym='\+0x[0-9a-f]+/0x[0-9a-f]+'
# at FUNCTION FILE LINE: a frame's text, the file with whatever directory the build gave it
at() { echo "$1$sym ([^ ]*/)?$2:$3"; }

show() { head -40 "$1" | sed 's/^/	/'; }

# expect WHAT FILE PATTERN...: every grep -E PATTERN in FILE
expect() {
	what=$1 file=$2
	shift 2
	for pat in "$@"; do
		grep -Eq -- "$pat" "$file" || { fail "$what: no '$pat' in:"; show "$file"; return; }
	done
	ok "$what"
}

# 1. the reports
run_traces() {	# PROGRAM OUT: alloc_traces of PROGRAM (with OPTIONS) into OUT; its stdout in $out
	out=$(env LD_PRELOAD="$lib" KALLOC_OPTIONS="slub_debug=U ${opts:-}" KALLOC_STATS=alloc_traces \
		KALLOC_STATS_FILE="$2" "$1" 2>&1)
}
run_traces "$prog" "$tmp/traces"
expect "alloc_traces: make_small's malloc() at profile_prog.c:$small, its call in main at :$main_small" \
	"$tmp/traces" "^        $(at make_small profile_prog.c "$small")\$" \
	"^        $(at main profile_prog.c "$main_small")\$" "^ +1000 make_small$sym age="
env LD_PRELOAD="$lib" KALLOC_OPTIONS="slub_debug=U page_owner=on" KALLOC_STATS=heap_sites \
	KALLOC_STATS_FILE="$tmp/sites" "$prog" >/dev/null 2>&1
expect "heap_sites: the sites of make_big (a page block, :$big) and make_huge (a vmalloc area, :$huge)" \
	"$tmp/sites" "^ +8000 +[0-9]+% +200  $(at make_big profile_prog.c "$big")\$" \
	"^ {28}$(at make_huge profile_prog.c "$huge")\$"
env LD_PRELOAD="$lib" KALLOC_STATS=vmallocinfo KALLOC_STATS_FORMAT=json \
	KALLOC_STATS_FILE="$tmp/vmalloc.json" "$prog" >/dev/null 2>&1
expect "vmallocinfo (JSON): \"line\" beside make_huge's \"caller\"" "$tmp/vmalloc.json" \
	"\"caller\": \"make_huge$sym\", .*\"line\": \"([^\"]*/)?profile_prog.c:$huge\""
env LD_PRELOAD="$lib" KALLOC_STATS=vmallocinfo KALLOC_STATS_FILE="$tmp/vmalloc.txt" "$prog" >/dev/null 2>&1
if grep -q 'profile_prog\.c' "$tmp/vmalloc.txt"; then
	fail "vmallocinfo (text) has a source line: it is /proc/vmallocinfo's format"
else
	ok "vmallocinfo (text) keeps /proc/vmallocinfo's format"
fi

(ulimit -c 0; env LD_PRELOAD="$lib" KALLOC_OPTIONS=slub_debug=FZPU "$prog" overflow >/dev/null 2>"$tmp/overflow") 2>/dev/null
expect "slub_debug report: the alloc track at :$overflow_alloc, the call trace at free(), :$overflow_free" \
	"$tmp/overflow" "kmalloc Redzone overwritten" "^kalloc: Allocated in make_small$sym age=" \
	"^kalloc:  $(at make_small profile_prog.c "$small")\$" \
	"^kalloc:  $(at main profile_prog.c "$overflow_alloc")\$" \
	"^kalloc:  $(at main profile_prog.c "$overflow_free")\$"
(ulimit -c 0; env LD_PRELOAD="$lib" "$prog" invalid-free >/dev/null 2>"$tmp/badfree") 2>/dev/null
expect "an invalid free's one line: from main at :$bad_free" "$tmp/badfree" \
	"^kalloc: free\(\): invalid pointer 0x[0-9a-f]+ from $(at main profile_prog.c "$bad_free"): pfn "

oob=$(line_in "$ksrc" oob_write "p[48] = 'x';")
obj=$(line_in "$ksrc" alloc_obj "malloc(n)")
(ulimit -c 0; env LD_PRELOAD="$lib" KALLOC_OPTIONS=kfence.sample_rate=1 "$kprog" oob-write >/dev/null 2>"$tmp/kfence") 2>/dev/null
expect "KFENCE: the faulting write at kfence_prog.c:$oob, the allocation at :$obj" "$tmp/kfence" \
	"^BUG: KFENCE: out-of-bounds write in oob_write$sym\$" \
	"^ $(at oob_write kfence_prog.c "$oob")\$" "^ $(at alloc_obj kfence_prog.c "$obj")\$"

# 2. DWARF versions
# The source by its absolute path, so that the tables name the file by its
# directory: made relative to the compilation directory (here) when under it.
abs_src=$(cd "$(dirname "$src")" && pwd)/$(basename "$src")
if ${CC:-cc} -O1 -g -fno-builtin -rdynamic "$abs_src" -o "$tmp/v" 2>/dev/null; then
	first=
	for v in "-gdwarf-5" "-gdwarf-2" "-gdwarf-3" "-gdwarf-4" "-gdwarf-5 -gdwarf64"; do
		${CC:-cc} -O1 -g $v -fno-builtin -rdynamic "$abs_src" -o "$tmp/v" 2>/dev/null ||
			{ echo "${CC:-cc} $v: not supported, skipped"; continue; }
		run_traces "$tmp/v" "$tmp/v.traces"
		expect "$v: make_small's line $small" "$tmp/v.traces" "^        $(at make_small profile_prog.c "$small")\$"
		# the same file name whatever the version (DWARF 2-4 name the directory apart)
		frame=$(grep -m1 "^        make_small+" "$tmp/v.traces")
		[ "$frame" = "${first:=$frame}" ] || fail "$v names the file otherwise: '$frame', not '$first'"
	done
else
	echo "no C compiler (\$CC): the DWARF versions' check skipped"
fi

# 3. stripped, and the build-id debug file
if command -v objcopy >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1; then
	# expect_no_line WHAT PROGRAM: it runs, its alloc_traces name make_small, with no line of a test program
	expect_no_line() {
		run_traces "$2" "$tmp/none.traces"
		if [ "$out" = "kept 1203" ] && grep -Eq "^        make_small$sym\$" "$tmp/none.traces" &&
		   ! grep -q '_prog\.c:' "$tmp/none.traces"; then
			ok "$1: no line, the functions named"
		else
			fail "$1 (the program said '$out'):"
			show "$tmp/none.traces"
		fi
	}
	objcopy --strip-all "$prog" "$tmp/stripped"
	expect_no_line "stripped" "$tmp/stripped"
	id=$(readelf -n "$prog" | sed -n 's/^ *Build ID: *//p')
	if [ -n "$id" ]; then
		dir=$tmp/debug/.build-id/$(echo "$id" | cut -c1-2)
		mkdir -p "$dir"
		objcopy --only-keep-debug "$prog" "$dir/$(echo "$id" | cut -c3-).debug"
		opts="debug_file_directory=$tmp/debug"
		run_traces "$tmp/stripped" "$tmp/bid.traces"
		expect "stripped, with its debug file found by build-id: the lines again" "$tmp/bid.traces" \
			"^        $(at make_small profile_prog.c "$small")\$" \
			"^        $(at main profile_prog.c "$main_small")\$"
		# the same file with another build-id (its first byte changed): not the program's
		debug=$dir/$(echo "$id" | cut -c3-).debug
		note=$(readelf -SW "$debug" 2>/dev/null |
			sed -n 's/.*\] \.note\.gnu\.build-id  *NOTE  *[0-9a-f]*  *\([0-9a-f]*\) .*/\1/p')
		[ -n "$note" ] || fail "no .note.gnu.build-id in $debug"
		printf "\\$(printf %03o $(( (0x$(echo "$id" | cut -c1-2) + 1) % 256 )))" >"$tmp/byte"
		dd if="$tmp/byte" of="$debug" bs=1 seek=$((0x${note:-0} + 16)) conv=notrunc 2>/dev/null
		expect_no_line "a debug file of another build-id at the build-id's path" "$tmp/stripped"
		opts=
	else
		echo "$prog has no build-id: the debug file's check skipped"
	fi

	# 4. corrupted line tables: dd over .debug_line at its offset in the file
	set -- $(readelf -SW "$prog" | sed -n 's/.*\] \.debug_line  *PROGBITS  *[0-9a-f]*  *\([0-9a-f]*\)  *\([0-9a-f]*\) .*/\1 \2/p')
	if [ $# = 2 ]; then
		off=$((0x$1)) size=$((0x$2))
		corrupt() {	# WHAT AT: a copy of the program, $tmp/bytes written at the section's offset + AT
			cp "$prog" "$tmp/bad"
			dd if="$tmp/bytes" of="$tmp/bad" bs=1 seek=$((off + $2)) conv=notrunc 2>/dev/null
			expect_no_line "corrupted .debug_line ($1)" "$tmp/bad"
		}
		printf '\377\377\377\177' >"$tmp/bytes"
		corrupt "a unit length past the section" 0
		printf '\011\000' >"$tmp/bytes"
		corrupt "version 9" 4
		printf '\377\377\377\017' >"$tmp/bytes"
		corrupt "a header length past the unit" 8
		head -c "$size" /dev/zero >"$tmp/bytes"
		corrupt "the whole section zeros" 0
		tr '\0' '\377' <"$tmp/bytes" >"$tmp/bytes.ff" && mv "$tmp/bytes.ff" "$tmp/bytes"
		corrupt "the whole section 0xff" 0
	else
		fail "no .debug_line in $prog (built without -g?)"
	fi

	# 5. a damaged symbol table: .symtab's section header says it starts 8
	#    bytes before the end of the file and its size is 2^64 less that,
	#    so that offset + size wraps to 0 (before, kallsyms.c took that sum
	#    for "inside the file", read symbols from past the end and named
	#    make_small "_dummy+0x1106/0x8500000000")
	#    The program is built without -rdynamic, so that its functions are
	#    named from .symtab alone.
	nodyn=$tmp/nodyn
	${CC:-cc} -O1 -g -fno-builtin "$abs_src" -o "$nodyn" 2>/dev/null || nodyn=
	shoff=$(readelf -hW "${nodyn:-$prog}" | sed -n 's/.*Start of section headers: *\([0-9]*\).*/\1/p')
	idx=$(readelf -SW "${nodyn:-$prog}" | sed -n 's/.*\[ *\([0-9]*\)\] \.symtab .*/\1/p')
	if [ -z "$nodyn" ]; then
		echo "no C compiler (\$CC): the damaged .symtab's check skipped"
	elif [ -n "$shoff" ] && [ -n "$idx" ]; then
		le64() {	# N: its 8 bytes, little-endian, into $tmp/bytes
			v=$(printf '%016x' "$1")
			: >"$tmp/bytes"
			i=16
			while [ $i -gt 0 ]; do
				printf "\\$(printf %03o $((0x$(echo "$v" | cut -c$((i - 1))-$i))))" >>"$tmp/bytes"
				i=$((i - 2))
			done
		}
		cp "$nodyn" "$tmp/badsym"
		at=$(( $(wc -c <"$nodyn") - 8 ))
		le64 "$at"
		dd if="$tmp/bytes" of="$tmp/badsym" bs=1 seek=$((shoff + idx * 64 + 24)) conv=notrunc 2>/dev/null
		le64 $(( -at ))
		dd if="$tmp/bytes" of="$tmp/badsym" bs=1 seek=$((shoff + idx * 64 + 32)) conv=notrunc 2>/dev/null
		run_traces "$tmp/badsym" "$tmp/badsym.traces"
		# make_small's objects: named right, or by their address, never by another name
		if [ "$out" = "kept 1203" ] && grep -Eq "^ +1000 (make_small$sym|0x[0-9a-f]+) " "$tmp/badsym.traces"; then
			ok ".symtab's size wrapping past the file's end: no wrong name, the report whole"
		else
			fail ".symtab's size wrapping past the file's end (the program said '$out'):"
			show "$tmp/badsym.traces"
		fi
	else
		fail "no .symtab in $prog"
	fi
else
	echo "objcopy or readelf missing (binutils): the stripped and corrupted copies skipped"
fi

[ $status = 0 ] && echo "test_lines: all passed"
exit $status
