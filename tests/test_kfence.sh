#!/bin/sh
# tests/test_kfence.sh - KFENCE for malloc (lib/kfence.c) under the preload,
# with tests/kfence_prog (every error case in a process of its own):
#
#  1. with kfence.sample_rate=1 (every slab-sized malloc sampled): a
#     one-byte overflow of malloc(40) at the right edge (the canary, at
#     free), a write into the right guard page, a read of the left one, a
#     use after free, a double free and an invalid free are each reported in
#     KFENCE's words with the allocation caller (and the free caller), and
#     the process aborts; with kfence.panic_on_warn=0 it goes on;
#  2. SIGSEGV: a fault that is not KFENCE's reaches the program's handler
#     installed before KFENCE started (SA_SIGINFO or not), or kills the
#     program with SIGSEGV when it has none; a handler installed after
#     KFENCE started works;
#  3. free, realloc (to normal memory and back), malloc_usable_size and
#     calloc of KFENCE objects; a full pool; a fork child freeing the
#     parent's objects; threads freeing each other's;
#  4. the stacks: with libgcc's unwinder in the process, the callers of the
#     allocation's caller too, through the signal frame for the fault;
#  5. the "kfence" and "kfence_objects" reports; KFENCE on by default, off
#     with kfence.sample_rate=0.
#
# Exit status: 0 all well, 77 (skip) if the programs are not built, 1 with
# what differed otherwise.
set -u
name=test_kfence progs="tests/kfence_prog tests/kfence_prog_unwind"
. "${srcdir:-.}/tests/preload_env.sh"
prog_unwind=$top_builddir/tests/kfence_prog_unwind

pass() {
	echo "ok: $*"
}

# run OPTIONS PROG CASE: stdout and stderr into $tmp/out and $tmp/err, the
# exit status (128 + signal when killed) into $rc.
run() {
	opts=$1
	shift
	(ulimit -c 0; [ -n "${vlimit:-}" ] && ulimit -v "$vlimit"
	 KALLOC_OPTIONS="$opts" LD_PRELOAD="$lib" timeout -s KILL 120 "$@" \
		>"$tmp/out" 2>"$tmp/err"; exit $?) 2>/dev/null
	rc=$?
}

# expect_report CASE RC PATTERN...: kfence_prog CASE under sample_rate=1
# ends with status RC and every grep -E PATTERN in its stderr.
expect_report() {
	what=$1
	want_rc=$2
	shift 2
	run "kfence.sample_rate=1" "$prog" "$what"
	ok=1
	[ "$rc" = "$want_rc" ] || { ok=0; fail "$what: exit status $rc, not $want_rc"; }
	for pat in "$@"; do
		grep -Eq -- "$pat" "$tmp/err" || { ok=0; fail "$what: no '$pat' in the report"; }
	done
	[ $ok = 1 ] && pass "$what reported" || sed 's/^/	/' "$tmp/err"
}

SIGABRT=134
hex='0x[0-9a-f]+'

# 0. under an address space limit (the sparse layout: free window ranges
#    are holes, the pool must still be a PROT_NONE mapping)
vlimit=204800
expect_report overflow40 $SIGABRT "^BUG: KFENCE: memory corruption in free_obj\+"
vlimit=

# 1. errors
expect_report overflow40 $SIGABRT \
	"^={66}$" \
	"^BUG: KFENCE: memory corruption in free_obj\+0x[0-9a-f]+/0x[0-9a-f]+$" \
	"^Corrupted memory at $hex \[ 0x78 \. \. \. \. \. \. \. \] \(in kfence-#[0-9]+\):$" \
	"^kfence-#[0-9]+: $hex-$hex, size=40, cache=malloc-48$" \
	"^allocated by task [0-9]+ on cpu [0-9]+ at [0-9]+\.[0-9]{6}s \([0-9]+\.[0-9]{6}s ago\):$" \
	"^ alloc_obj\+" "^freed by task [0-9]+ on cpu" "^ free_obj\+" \
	"^CPU: [0-9]+ PID: [0-9]+ Comm: kfence_prog$" "aborting"
expect_report oob-write $SIGABRT \
	"^BUG: KFENCE: out-of-bounds write in oob_write\+" \
	"^Out-of-bounds write at $hex \(48B right of kfence-#[0-9]+\):$" \
	"^ oob_write\+" "size=48, cache=malloc-48" "^ alloc_obj\+"
expect_report oob-read-left $SIGABRT \
	"^BUG: KFENCE: out-of-bounds read in oob_read_left\+" \
	"^Out-of-bounds read at $hex \(1B left of kfence-#[0-9]+\):$" "size=32, cache=kmalloc-32"
expect_report uaf $SIGABRT \
	"^BUG: KFENCE: use-after-free read in uaf\+" \
	"^Use-after-free read at $hex \(in kfence-#[0-9]+\):$" \
	"^allocated by task" "^ alloc_obj\+" "^freed by task" "^ free_obj\+"
expect_report double-free $SIGABRT \
	"^BUG: KFENCE: invalid free in free_obj\+" "^Invalid free of $hex \(in kfence-#[0-9]+\):$" \
	"^freed by task"
expect_report invalid-free $SIGABRT \
	"^BUG: KFENCE: invalid free in free_obj\+" "^Invalid free of $hex \(in kfence-#[0-9]+\):$"
if grep -q "^freed by" "$tmp/err"; then fail "invalid-free: a free stack for a live object"; fi

run "kfence.sample_rate=1 kfence.panic_on_warn=0" "$prog" oob-continue
if [ "$rc" = 0 ] && grep -q "^went on$" "$tmp/out" &&
   [ "$(grep -c '^BUG: KFENCE: out-of-bounds write' "$tmp/err")" = 1 ] &&
   ! grep -q aborting "$tmp/err"; then
	pass "kfence.panic_on_warn=0: one report, and the program goes on"
else
	fail "kfence.panic_on_warn=0: status $rc"
	sed 's/^/	/' "$tmp/err"
fi

# 2. signal handlers
for c in handler-before handler-before-plain handler-after; do
	run "kfence.sample_rate=1" "$prog" $c
	if [ "$rc" = 0 ] && grep -q "^own handler ran 2 times$" "$tmp/out" &&
	   ! grep -q KFENCE "$tmp/err"; then
		pass "$c: the program's SIGSEGV handler sees its faults"
	else
		fail "$c: status $rc"
		sed 's/^/	/' "$tmp/out" "$tmp/err"
	fi
done
run "kfence.sample_rate=1" "$prog" segv-default
if [ "$rc" = 139 ] && ! grep -q KFENCE "$tmp/err"; then
	pass "a fault that is not KFENCE's still kills with SIGSEGV"
else
	fail "segv-default: status $rc, not 139 (SIGSEGV)"
	sed 's/^/	/' "$tmp/err"
fi

# 3. the ABI, fork, threads
for c in abi fork threads; do
	run "kfence.sample_rate=1" "$prog" $c
	if [ "$rc" = 0 ] && [ ! -s "$tmp/err" ]; then
		pass "$c with KFENCE objects"
	else
		fail "$c: status $rc"
		sed 's/^/	/' "$tmp/err"
	fi
done
run "kfence.sample_rate=1 phys=memfd" "$prog" fork
[ "$rc" = 0 ] && [ ! -s "$tmp/err" ] && pass "fork with phys=memfd" ||
	{ fail "fork with phys=memfd: status $rc"; sed 's/^/	/' "$tmp/err"; }

# 4. deeper stacks with the unwinder
if [ -x "$prog_unwind" ]; then
	run "kfence.sample_rate=1" "$prog_unwind" uaf
	# the fault, the allocation and the free each go on to libc's start
	n=$(grep -c "^ __libc_start_main+" "$tmp/err")
	m=$(grep -c "^ uaf+" "$tmp/err")
	if [ "$rc" = $SIGABRT ] && [ "$n" = 3 ] && [ "$m" = 3 ]; then
		pass "stacks through the unwinder reach __libc_start_main()"
	else
		fail "unwinder stacks: status $rc, uaf() in $m stacks, __libc_start_main() in $n, not 3"
		sed 's/^/	/' "$tmp/err"
	fi
fi

# 5. reports
KALLOC_STATS=kfence,kfence_objects KALLOC_OPTIONS=kfence.sample_rate=1 LD_PRELOAD="$lib" \
	"$prog" live >/dev/null 2>"$tmp/err"
ok=1
for pat in "^==> kfence <==$" "^enabled: 1$" "^currently allocated: [0-9]+$" \
	"^total allocations: [0-9]+$" "^total frees: [0-9]+$" "^zombie allocations: 0$" \
	"^total bugs: 0$" "^skipped allocations \(incompatible\): [0-9]+$" \
	"^skipped allocations \(capacity\): [0-9]+$" "^==> kfence_objects <==$" \
	"^kfence-#[0-9]+: $hex-$hex, size=10, cache=kmalloc-16$" "^-{33}$"; do
	grep -Eq -- "$pat" "$tmp/err" || { ok=0; fail "KALLOC_STATS=kfence: no '$pat'"; }
done
[ $ok = 1 ] && pass "the kfence and kfence_objects reports" || sed 's/^/	/' "$tmp/err"

KALLOC_STATS=kfence LD_PRELOAD="$lib" "$prog" live >/dev/null 2>"$tmp/err"
grep -q "^enabled: 1$" "$tmp/err" && pass "KFENCE is on by default" ||
	{ fail "KFENCE not on by default"; cat "$tmp/err"; }
KALLOC_STATS=kfence,vmallocinfo KALLOC_OPTIONS=kfence.sample_rate=0 LD_PRELOAD="$lib" \
	"$prog" live >/dev/null 2>"$tmp/err"
if grep -q "^enabled: 0$" "$tmp/err" && grep -q "^total allocations: 0$" "$tmp/err" &&
   ! grep -q " kfence$" "$tmp/err"; then
	pass "kfence.sample_rate=0: off, no pool"
else
	fail "kfence.sample_rate=0"
	cat "$tmp/err"
fi

exit $status
