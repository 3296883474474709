#!/bin/sh
# tests/test_preload.sh - libkalloc.so as a drop-in malloc (design 5, 6):
#
#  1. tests/test_abi (every entry point of the malloc ABI) under the preload;
#  2. tests/test_cxx (operator new/delete, std::bad_alloc, the new-handler)
#     under the preload, once as it is and once on a 64 MiB machine where
#     the new-handler has to free memory for new to succeed; and C
#     programs calling the C++ operators without libstdc++;
#  3. real programs - python3, perl, bash, sort, sqlite3, gcc, git, each if
#     installed - run without and with the preload: stdout and the exit
#     status must be the same;
#  4. KALLOC_STATS: off prints nothing; =1 prints every report in the
#     kernel's formats on stderr; a list with KALLOC_STATS_FILE=...%p writes
#     one file per process, forked children included.
#
# Environment (automake's AM_TESTS_ENVIRONMENT): top_builddir, srcdir, CC,
# CXX.  KALLOC_TEST_QUICK=1 makes the real programs' data smaller.
# Exit status: 0 all well, 77 (skip) if the library is not built, 1 with
# what differed otherwise.
set -u
# make check-asan/check-tsan: a sanitizer's runtime must be the first
# library of the process and brings its own malloc; nothing is preloaded.
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "test_preload: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }

top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
lib=$top_builddir/.libs/libkalloc.so
case $lib in /*) ;; *) lib=$(pwd)/$lib ;; esac
[ -f "$lib" ] || { echo "test_preload: no $lib (build first)"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kalloc-preload.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
status=0
nr_checks=0

fail() {
	echo "FAIL: $*"
	status=1
}

pass() {
	nr_checks=$((nr_checks + 1))
	echo "ok: $*"
}

have() {
	command -v "$1" >/dev/null 2>&1
}

# run_limited SECONDS cmd...: the command, killed after SECONDS.
run_limited() {
	secs=$1
	shift
	if have timeout; then
		timeout -s KILL "$secs" "$@"
	else
		"$@"
	fi
}

# expect_out WHAT SECONDS EXPECTED cmd...: cmd (killed after SECONDS) must
# print exactly EXPECTED, stdout and stderr together.
expect_out() {
	what=$1
	limit=$2
	want=$3
	shift 3
	out=$(run_limited "$limit" "$@" 2>&1)
	if [ "$out" = "$want" ]; then
		pass "$what"
	else
		fail "$what: ${out:-(no output: hung?)}"
	fi
}

# --------------------------------------------------------------- 1. ABI --

abi=$top_builddir/tests/test_abi
if [ -x "$abi" ]; then
	if run_limited 300 env LD_PRELOAD="$lib" "$abi" >"$tmp/abi.out" 2>&1; then
		pass "test_abi under the preload"
	else
		cat "$tmp/abi.out"
		fail "test_abi under the preload"
	fi
else
	fail "no $abi (make check builds it)"
fi

# --------------------------------------------------------------- 2. C++ --

cxx_bin=$top_builddir/tests/test_cxx
if [ ! -x "$cxx_bin" ] && have "${CXX:-c++}"; then
	cxx_bin=$tmp/test_cxx
	${CXX:-c++} -std=c++17 -O2 -o "$cxx_bin" "$srcdir/tests/test_cxx.cc" -ldl ||
		fail "cannot build tests/test_cxx.cc with ${CXX:-c++}"
fi
if [ -x "$cxx_bin" ]; then
	for opts in "" "mem=64M"; do
		if run_limited 120 env LD_PRELOAD="$lib" KALLOC_OPTIONS="$opts" "$cxx_bin" \
			>"$tmp/cxx.out" 2>&1; then
			pass "test_cxx under the preload (KALLOC_OPTIONS='$opts')"
		else
			cat "$tmp/cxx.out"
			fail "test_cxx under the preload (KALLOC_OPTIONS='$opts')"
		fi
	done
else
	echo "skip: no C++ compiler for tests/test_cxx.cc"
fi

# A C program (no libstdc++) calling the operators: nothrow gives NULL,
# a throwing new that fails aborts with a message (nothing to throw with).
cat >"$tmp/cnew.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	void *(*_Znwm)(size_t) = dlsym(RTLD_DEFAULT, "_Znwm");
	void *(*_ZnwmRKSt9nothrow_t)(size_t, const void *) =
		dlsym(RTLD_DEFAULT, "_ZnwmRKSt9nothrow_t");
	void *(*_ZnamSt11align_val_tRKSt9nothrow_t)(size_t, size_t, const void *) =
		dlsym(RTLD_DEFAULT, "_ZnamSt11align_val_tRKSt9nothrow_t");
	void (*_ZdlPv)(void *) = dlsym(RTLD_DEFAULT, "_ZdlPv");
	void (*_ZdaPvSt11align_val_t)(void *, size_t) = dlsym(RTLD_DEFAULT, "_ZdaPvSt11align_val_t");
	volatile size_t huge = (size_t)1 << 62;
	char *p, *q;

	if (!_Znwm || !_ZnwmRKSt9nothrow_t || !_ZnamSt11align_val_tRKSt9nothrow_t || !_ZdlPv ||
	    !_ZdaPvSt11align_val_t)
		return 1;
	p = _Znwm(100);
	q = _ZnamSt11align_val_tRKSt9nothrow_t(100, 512, NULL);
	if (!p || !q || ((size_t)q & 511))
		return 2;
	memset(p, 1, 100);
	_ZdlPv(p);
	_ZdaPvSt11align_val_t(q, 512);
	if (_ZnwmRKSt9nothrow_t(huge, NULL))
		return 3;
	if (argc > 1 && !strcmp(argv[1], "delete-interior")) {
		p = _Znwm(100);
		_ZdlPv(p + 8);	/* aborts: the report names operator delete */
	}
	if (argc > 1 && !strcmp(argv[1], "delete-twice")) {
		p = _Znwm(70000);	/* a page block */
		_ZdlPv(p);
		_ZdlPv(p);
	}
	if (argc > 1)
		_Znwm(huge);	/* aborts */
	puts("cnew ok");
	return 0;
}
EOF
if ${CC:-cc} -O2 -o "$tmp/cnew" "$tmp/cnew.c" -ldl 2>"$tmp/cnew.err"; then
	expect_out "C program calling the C++ operators" 20 "cnew ok" \
		env LD_PRELOAD="$lib" "$tmp/cnew"
	LD_PRELOAD="$lib" "$tmp/cnew" abort >"$tmp/cnew.out" 2>&1
	rc=$?
	if [ $rc -eq 134 ] && grep -q "std::bad_alloc" "$tmp/cnew.out"; then
		pass "failing operator new without libstdc++ aborts with a message"
	else
		cat "$tmp/cnew.out"
		fail "failing operator new without libstdc++: exit $rc"
	fi
	# a bad pointer is reported in the name of the operator the program called
	for how in delete-interior delete-twice; do
		LD_PRELOAD="$lib" "$tmp/cnew" $how >"$tmp/cnew.out" 2>&1
		rc=$?
		if [ $rc -eq 134 ] && grep -q "^kalloc: operator delete: invalid pointer" "$tmp/cnew.out"; then
			pass "operator delete of a bad pointer ($how) is reported as operator delete's"
		else
			cat "$tmp/cnew.out"
			fail "operator delete of a bad pointer ($how): exit $rc"
		fi
	done
else
	cat "$tmp/cnew.err"
	fail "cannot build a C test program with ${CC:-cc}"
fi

# ------------------------------------------------ 2b. atfork handlers --
#
# Other code's pthread_atfork handlers may allocate in their prepare and
# child handlers (glibc's malloc allows it: it locks after every prepare
# handler).  kalloc's own handlers take every allocator lock, so whoever
# registered before kalloc runs its prepare handler after kalloc locked:
#  - the program's constructors register after libkalloc's constructor has
#    set kalloc up (preload/malloc.c);
#  - a library initialised before libkalloc (a sibling in the dependency
#    order) registers first: lib/'s fork handlers have to let the forking
#    thread allocate.
cat >"$tmp/atfork.c" <<'EOF'
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
static void *blk;
static void prep(void) { blk = malloc(1 << 20); memset(blk, 1, 4096); free(malloc(100)); }
static void parent(void) { free(blk); }
static void child(void) { free(blk); free(malloc(1 << 20)); free(malloc(100)); }
__attribute__((constructor)) static void register_early(void)
{
	pthread_atfork(prep, parent, child);
}
EOF
cat >"$tmp/forker.c" <<'EOF'
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
static void *spin(void *arg) { for (;;) free(malloc((size_t)arg)); return NULL; }
int main(void)
{
	pthread_t t;
	int i, st;

	for (i = 0; i < 4; i++)
		pthread_create(&t, NULL, spin, (void *)(size_t)(64 << (i * 4)));
	for (i = 0; i < 20; i++) {
		pid_t pid = fork();
		if (pid == 0) { free(malloc(1 << 20)); free(malloc(10)); _exit(0); }
		if (waitpid(pid, &st, 0) != pid || st != 0) { printf("child %d: %#x\n", i, st); return 1; }
	}
	puts("forks ok");
	return 0;
}
EOF
if ${CC:-cc} -O2 -pthread -o "$tmp/fork_ctor" "$tmp/forker.c" "$tmp/atfork.c" 2>"$tmp/af.err" &&
   ${CC:-cc} -O2 -shared -fPIC -o "$tmp/libatfork.so" "$tmp/atfork.c" 2>>"$tmp/af.err" &&
   ${CC:-cc} -O2 -pthread -o "$tmp/fork_lib" "$tmp/forker.c" -Wl,--no-as-needed "$tmp/libatfork.so" \
	-Wl,-rpath,"$tmp" 2>>"$tmp/af.err"; then
	for prog in fork_ctor fork_lib; do
		for phys in anon memfd; do
			expect_out "fork with allocating atfork handlers ($prog, phys=$phys)" 20 \
				"forks ok" env LD_PRELOAD="$lib" KALLOC_OPTIONS=phys=$phys "$tmp/$prog"
		done
	done
else
	cat "$tmp/af.err"
	fail "cannot build the atfork test programs"
fi

# -------------------------------------------- 2c. fork amid threads --
#
# Four threads allocate, grow and free blocks of 1 B .. 16 MiB (each page
# stamped and checked) while the main thread forks 40 times; each child
# checks a 32 MiB buffer written before fork(), overwrites it, allocates,
# and exits; the parent must still see its own bytes.  On both backings:
# with phys=memfd each child copies the memfd.
cat >"$tmp/fork_threads.c" <<'EOF'
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
static volatile int stop;
static uint64_t rnd(uint64_t *s) { *s ^= *s << 13; *s ^= *s >> 7; *s ^= *s << 17; return *s; }
static void stamp(unsigned char *p, size_t n) { for (size_t k = 0; k < n; k += 4096) p[k] = (unsigned char)n; }
static void check(const unsigned char *p, size_t n)
{
	for (size_t k = 0; k < n; k += 4096)
		if (p[k] != (unsigned char)n) { fprintf(stderr, "corrupt block\n"); abort(); }
}
static void *worker(void *arg)
{
	uint64_t s = (uintptr_t)arg * 7919 + 1;
	unsigned char *slot[64] = { 0 };
	size_t sz[64] = { 0 };
	int i;

	while (!stop) {
		size_t n = 1 + rnd(&s) % (1UL << (rnd(&s) % 24));

		i = (int)(rnd(&s) % 64);
		if (slot[i]) {
			check(slot[i], sz[i]);
			if (rnd(&s) % 2) { free(slot[i]); slot[i] = NULL; continue; }
			slot[i] = realloc(slot[i], n);
		} else {
			slot[i] = malloc(n);
		}
		if (!slot[i]) abort();
		sz[i] = n;
		stamp(slot[i], n);
	}
	for (i = 0; i < 64; i++)
		free(slot[i]);
	return NULL;
}
int main(void)
{
	size_t big = 32 << 20, k;
	unsigned char *b = malloc(big);
	pthread_t t[4];
	long i;
	int f, st;

	memset(b, 0x5a, big);
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, (void *)(i + 1));
	for (f = 0; f < 40; f++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (k = 0; k < big; k += 4096)
				if (b[k] != 0x5a) _exit(3);
			memset(b, 0x11, big);
			for (k = 0; k < 2000; k++) free(malloc(1 + k * 37 % 300000));
			free(memset(malloc(20 << 20), 1, 20 << 20));
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || st) { printf("child %d: %#x\n", f, st); return 1; }
		for (k = 0; k < big; k += 4096)
			if (b[k] != 0x5a) { puts("the parent sees the child's writes"); return 1; }
	}
	stop = 1;
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	puts("fork amid threads ok");
	return 0;
}
EOF
if ${CC:-cc} -O2 -pthread -o "$tmp/fork_threads" "$tmp/fork_threads.c" 2>"$tmp/ft.err"; then
	for phys in anon memfd; do
		expect_out "fork amid allocating threads (phys=$phys)" 120 "fork amid threads ok" \
			env LD_PRELOAD="$lib" KALLOC_OPTIONS=phys=$phys "$tmp/fork_threads"
	done
else
	cat "$tmp/ft.err"
	fail "cannot build the fork-amid-threads test program"
fi

# ---------------------------------------------------- 3. real programs --

quick=${KALLOC_TEST_QUICK:-0}

# compare NAME cmd...: run cmd without and with the preload (stdin from
# $tmp/stdin if it exists); stdout and the exit status must be equal.
# $kopts, if set, is KALLOC_OPTIONS under the preload.
compare() {
	name=$1
	shift
	stdin=/dev/null
	[ -f "$tmp/stdin.$name" ] && stdin=$tmp/stdin.$name
	(cd "$tmp/work" && run_limited 600 "$@") <"$stdin" >"$tmp/$name.glibc" 2>"$tmp/$name.glibc.err"
	rc_glibc=$?
	reset_work
	(cd "$tmp/work" && run_limited 600 env LD_PRELOAD="$lib" KALLOC_OPTIONS="${kopts:-}" "$@") <"$stdin" \
		>"$tmp/$name.kalloc" 2>"$tmp/$name.kalloc.err"
	rc_kalloc=$?
	reset_work
	if [ $rc_glibc -ne $rc_kalloc ]; then
		fail "$name: exit status $rc_kalloc under kalloc, $rc_glibc under glibc"
		echo "--- $name: stderr under kalloc (end) ---"
		tail -n 20 "$tmp/$name.kalloc.err"
	elif ! cmp -s "$tmp/$name.glibc" "$tmp/$name.kalloc"; then
		fail "$name: stdout differs under kalloc"
		diff "$tmp/$name.glibc" "$tmp/$name.kalloc" | head -n 20
		echo "--- $name: stderr under kalloc (end) ---"
		tail -n 20 "$tmp/$name.kalloc.err"
	elif grep -q "^kalloc:\|^BUG " "$tmp/$name.kalloc.err"; then
		fail "$name: kalloc complained"
		grep "^kalloc:\|^BUG " "$tmp/$name.kalloc.err" | head -n 20
	else
		pass "$name: same output and exit status ($rc_glibc) as under glibc"
	fi
}

reset_work() {
	rm -rf "$tmp/work"
	mkdir "$tmp/work"
}
reset_work

# Prefer a real python3 binary over a version manager's shim script.
python=
for p in /usr/bin/python3 /usr/local/bin/python3 python3; do
	if have "$p"; then
		python=$p
		break
	fi
done
if [ -n "$python" ]; then
	if [ "$quick" = 1 ]; then pyn=50000; else pyn=400000; fi
	compare python "$python" -c "
import threading, hashlib
def work(seed, out):
    d = {}
    for i in range($pyn // 8):
        d[(seed, i)] = str(i * seed) * (i % 7)
    l = [v for v in d.values() if len(v) % 3 == 0]
    out[seed] = (len(d), len(l), sum(map(len, l)))
    del d, l
out = {}
ts = [threading.Thread(target=work, args=(s, out)) for s in range(1, 9)]
for t in ts: t.start()
for t in ts: t.join()
print(sorted(out.items()))
big = {i: [i] * (i % 50) for i in range($pyn)}
print(sum(len(v) for v in big.values()))
del big
s = ''.join(chr(65 + i % 26) for i in range(10**6))
print(hashlib.sha256((s * 20).encode()).hexdigest())
b = bytearray(64 << 20); b[-1] = 1; print(len(b), sum(b[-10:]))
del b
import sys; sys.exit(3)
"
else
	echo "skip: no python3"
fi

if have perl; then
	if [ "$quick" = 1 ]; then pn=50000; else pn=500000; fi
	compare perl perl -e "
my %h;
for my \$i (1..$pn) { \$h{\"k\$i\"} = [\$i, \"v\" x (\$i % 13)]; }
my \$n = 0; \$n += length(\$h{\$_}[1]) for keys %h;
delete \$h{\"k\$_\"} for grep { \$_ % 3 } 1..$pn;
my @s = sort { \$a cmp \$b } keys %h;
print scalar(keys %h), \" \$n \$s[0] \$s[-1]\n\";
my \$str = join(',', map { \$_ * 7 } 1..100000);
print length(\$str), \"\n\";
"
else
	echo "skip: no perl"
fi

if have bash; then
	compare bash bash -c '
sum=0
for i in $(seq 1 300); do
	x=$( (echo $((i * 3)); echo $i) | tail -n 1 )
	sum=$((sum + x))
done
echo "sum $sum"
declare -A h
for i in $(seq 1 5000); do h[k$i]=$((i * i)); done
echo "${#h[@]} ${h[k4000]}"
a=$(printf "%s\n" {1..20000} | sort -n | tail -n 1)
echo "$a"
exit 7
'
else
	echo "skip: no bash"
fi

# ~50 MB of generated lines (~8 MB with KALLOC_TEST_QUICK=1)
if have sort && have awk; then
	if [ "$quick" = 1 ]; then lines=300000; else lines=2000000; fi
	awk -v n=$lines 'BEGIN { x = 12345; for (i = 0; i < n; i++) {
		x = (x * 1103515245 + 12345) % 2147483648;
		printf "%010d line %d %s\n", x, i, substr("abcdefghijklmnopqrstuvwxyz", 1 + x % 26) } }' \
		>"$tmp/stdin.sort"
	compare sort sort -S 64M
	cp "$tmp/stdin.sort" "$tmp/stdin.sortk"
	compare sortk sort -k3,3 -k1,1nr --parallel=4
	rm -f "$tmp/stdin.sort" "$tmp/stdin.sortk"
else
	echo "skip: no sort/awk"
fi

if have sqlite3; then
	if [ "$quick" = 1 ]; then rows=20000; else rows=100000; fi
	cat >"$tmp/stdin.sqlite" <<EOF
create table t(id integer primary key, k text, v integer);
with recursive c(x) as (select 1 union all select x + 1 from c where x < $rows)
insert into t(k, v) select 'key' || (x * 7919 % $rows), x % 1000 from c;
create index t_k on t(k);
select count(*), sum(v), min(k), max(k) from t;
select v, count(*) from t group by v order by count(*) desc, v limit 5;
select count(*) from t a join t b on a.k = b.k where a.v < 10;
EOF
	compare sqlite sqlite3 db.sqlite
else
	echo "skip: no sqlite3"
fi

if have "${CC:-cc}"; then
	awk 'BEGIN { print "#include <stdio.h>";
		for (i = 0; i < 400; i++)
			printf "static int f%d(int x) { int a[8] = {%d}; for (int i = 0; i < 8; i++) a[i] += x * i; return a[%d %% 8] + %d; }\n", i, i, i, i;
		print "int main(void) { long s = 0;";
		for (i = 0; i < 400; i++) printf "s += f%d(%d);\n", i, i;
		print "printf(\"%ld\\n\", s); return 0; }" }' >"$tmp/gen.c"
	compare gcc sh -c "${CC:-cc} -O2 -o prog '$tmp/gen.c' && ./prog && ${CC:-cc} -O0 -S -o - '$tmp/gen.c' | grep -c call"
fi

# A program that exports functions of its own named like kalloc's API
# (kmalloc, alloc_pages, page_address, ...): kalloc keeps calling its own.
interpose=$(cd "$top_builddir" && pwd)/tests/interpose_prog
if [ -x "$interpose" ]; then
	compare interpose "$interpose"
else
	fail "no $interpose (make check builds it)"
fi

if have git; then
	compare git sh -c '
export GIT_AUTHOR_NAME=k GIT_AUTHOR_EMAIL=k@example.org GIT_COMMITTER_NAME=k \
	GIT_COMMITTER_EMAIL=k@example.org GIT_AUTHOR_DATE="2024-01-01T00:00:00Z" \
	GIT_COMMITTER_DATE="2024-01-01T00:00:00Z" HOME=$PWD GIT_CONFIG_NOSYSTEM=1
git init -q -b main repo && cd repo || exit 1
i=0
while [ $i -lt 300 ]; do
	mkdir -p d$((i % 17))
	seq $i $((i * 3)) >d$((i % 17))/f$i
	i=$((i + 1))
done
git add . && git commit -q -m first && git fsck --full 2>&1 && git log --format=%H && git count-objects -v | grep -v size
'
else
	echo "skip: no git"
fi

# The phys=memfd backing under programs that fork, thread and spawn: each
# fork()ed child copies the memfd, and every write after it stays on its
# own side.
if [ -n "$python" ]; then
	kopts=phys=memfd compare python-memfd "$python" -c "
import os, threading, subprocess, hashlib
d = {i: str(i) * (i % 9) for i in range(100000)}
big = bytearray(b'p' * (24 << 20))
def churn(n):
    l = []
    for i in range(n):
        l.append(bytes(i % 3000))
        if len(l) > 500: l = l[250:]
ts = [threading.Thread(target=churn, args=(20000,)) for _ in range(3)]
for t in ts: t.start()
kids = []
for k in range(4):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        d[k] = 'child%d' % k
        big[k] = ord('c')
        churn(3000)
        x = [bytes(64 << 10) for _ in range(50)]
        os.write(w, ('%s %s %d %s' % (d[k], chr(big[k]), len(d), hashlib.md5(big).hexdigest())).encode())
        os._exit(0)
    os.close(w)
    kids.append((pid, r))
for pid, r in kids:
    print(os.read(r, 200).decode()); os.waitpid(pid, 0)
for t in ts: t.join()
print(d[0][:5], d[1][:5], chr(big[0]), hashlib.md5(big).hexdigest())
print(subprocess.run(['echo', 'spawned'], capture_output=True).stdout.decode().strip())
"
fi
if have bash; then
	kopts=phys=memfd compare bash-memfd bash -c '
declare -A h
for i in $(seq 1 3000); do h[k$i]=$((i * i)); done
sum=0
for i in $(seq 1 100); do
	x=$( h[k1]=$i; echo ${h[k1]} )
	sum=$((sum + x))
done
echo "sum $sum ${h[k1]} ${#h[@]}"
'
fi

# ------------------------------------------------------- 4. KALLOC_STATS --

# Off: nothing on stderr.
LD_PRELOAD="$lib" /bin/echo quiet >"$tmp/off.out" 2>"$tmp/off.err"
if [ "$(cat "$tmp/off.out")" = quiet ] && [ ! -s "$tmp/off.err" ]; then
	pass "KALLOC_STATS unset: nothing printed"
else
	cat "$tmp/off.err"
	fail "KALLOC_STATS unset: stray output"
fi

# =1: every report, in the kernel's formats, on stderr; stdout untouched.
st0=$status
KALLOC_STATS=1 LD_PRELOAD="$lib" /bin/echo hello >"$tmp/all.out" 2>"$tmp/all.err"
[ "$(cat "$tmp/all.out")" = hello ] || fail "KALLOC_STATS=1 changed stdout"
for want in "==> buddyinfo <==" "==> pagetypeinfo <==" "==> zoneinfo <==" "==> slabinfo <==" \
	"==> totals <==" "slabinfo - version: 2.1" "Node 0, zone      DMA" "Node 0, zone   Normal" \
	"Node 0, zone  HighMem" "Page block order:" "Free pages count per migrate type at order" \
	"Number of blocks type" "  pages free" "kmalloc-64 "; do
	grep -qF -- "$want" "$tmp/all.err" || fail "KALLOC_STATS=1: no '$want' on stderr"
done
# buddyinfo lines: "Node 0, zone <name>" then 11 counts
bad=$(sed -n '/^==> buddyinfo <==/,/^$/p' "$tmp/all.err" | grep '^Node' |
	awk '{ if (NF != 15) print }')
[ -z "$bad" ] || fail "KALLOC_STATS=1: malformed buddyinfo lines: $bad"
# slabinfo rows: name, 5 numbers, ": tunables" 3, ": slabdata" 3
bad=$(sed -n '/^slabinfo - version/,/^$/p' "$tmp/all.err" | grep -v '^slabinfo\|^#\|^$' |
	awk '{ if (NF != 16 || $7 != ":" || $8 != "tunables" || $12 != ":" || $13 != "slabdata") print }')
[ -z "$bad" ] || fail "KALLOC_STATS=1: malformed slabinfo rows: $bad"
# meminfo: "Name:" padded to 16, the value to 8, " kB"; the totals add up
bad=$(sed -n '/^==> meminfo <==/,/^$/p' "$tmp/all.err" | grep -v '^==>\|^$' |
	grep -v '^[A-Za-z]*: *[0-9]* kB$' | head -3)
[ -z "$bad" ] || fail "KALLOC_STATS=1: malformed meminfo lines: $bad"
sed -n '/^==> meminfo <==/,/^$/p' "$tmp/all.err" | awk '{ v[$1] = $2 }
	END { exit !(v["MemTotal:"] > 0 && v["MemTotal:"] == v["LowTotal:"] + v["HighTotal:"] &&
		     v["MemFree:"] == v["LowFree:"] + v["HighFree:"] && v["MemFree:"] < v["MemTotal:"] &&
		     v["Slab:"] == v["SReclaimable:"] + v["SUnreclaim:"] && v["VmallocTotal:"] > 0) }' ||
	fail "KALLOC_STATS=1: meminfo's totals do not add up"
# vmstat: "name value" lines; pages were allocated from some zone
sed -n '/^==> vmstat <==/,/^$/p' "$tmp/all.err" | awk '/^pgalloc_(dma|normal|high|movable) / { a += $2 }
	/^nr_free_pages / { f = $2 } END { exit !(a > 0 && f > 0) }' ||
	fail "KALLOC_STATS=1: vmstat has no pgalloc_* or nr_free_pages"
[ $status -eq $st0 ] && pass "KALLOC_STATS=1 prints every report in the kernel's formats"

# A list, to one file per process (%p): the shell, its children, a forked child.
st0=$status
mkdir "$tmp/stats"
KALLOC_STATS=slabinfo,buddyinfo KALLOC_STATS_FILE="$tmp/stats/k.%p" LD_PRELOAD="$lib" \
	sh -c '/bin/true; /bin/echo x >/dev/null; /bin/true' 2>"$tmp/list.err"
nfiles=$(ls "$tmp/stats" | wc -l)
[ "$nfiles" -ge 3 ] || fail "KALLOC_STATS_FILE=...%p: $nfiles files for 4 processes"
for f in "$tmp"/stats/k.*; do
	[ -f "$f" ] || continue
	pid=${f##*.}
	case $pid in *[!0-9]*) fail "KALLOC_STATS_FILE: %p not expanded: $f" ;; esac
	grep -q "^==> slabinfo <==" "$f" && grep -q "^==> buddyinfo <==" "$f" &&
		grep -q "^slabinfo - version: 2.1" "$f" && grep -q "^Node 0, zone" "$f" ||
		fail "KALLOC_STATS_FILE: $f lacks a report"
	grep -q "zoneinfo\|pagetypeinfo" "$f" && fail "KALLOC_STATS_FILE: $f has reports not asked for"
done
[ -s "$tmp/list.err" ] && { cat "$tmp/list.err"; fail "KALLOC_STATS_FILE set, but stderr got output"; }
# An unknown report name: the names there are, in one line.
KALLOC_STATS=totals,help LD_PRELOAD="$lib" /bin/echo x >/dev/null 2>"$tmp/help.err"
grep -q "^kalloc: KALLOC_STATS: no report called 'help' (reports: summary, buddyinfo, pagetypeinfo, zoneinfo, slabinfo, vmallocinfo, brk, kfence, kfence_objects, alloc_traces, heap_sites, heap_profile, options, meminfo, vmstat, totals, map; or all for every one but alloc_traces, heap_sites, heap_profile, map; 1 is all)$" \
	"$tmp/help.err" && grep -q "^host rss:" "$tmp/help.err" ||
	{ cat "$tmp/help.err"; fail "KALLOC_STATS=totals,help: no list of the reports, or no totals"; }
# A file that cannot be opened: the reason in words, the reports on stderr.
KALLOC_STATS=totals KALLOC_STATS_FILE="$tmp/no/such/dir/k" LD_PRELOAD="$lib" /bin/true 2>"$tmp/nofile.err"
grep -q "KALLOC_STATS_FILE: cannot open '$tmp/no/such/dir/k': No such file or directory: reports go to stderr" \
	"$tmp/nofile.err" && grep -q "^host rss:" "$tmp/nofile.err" ||
	{ cat "$tmp/nofile.err"; fail "KALLOC_STATS_FILE that cannot be opened: no reason in words, or no report"; }
if [ -n "$python" ]; then
	rm -f "$tmp"/stats/*
	KALLOC_STATS=slabinfo KALLOC_STATS_FILE="$tmp/stats/py.%p" LD_PRELOAD="$lib" "$python" -c '
import os, sys
pid = os.fork()
if pid == 0:
    x = [bytes(100) for _ in range(1000)]
    sys.exit(0)
os.waitpid(pid, 0)
print(os.getpid())
' >"$tmp/py.out"
	nfiles=$(ls "$tmp/stats" | wc -l)
	[ "$nfiles" -ge 2 ] || fail "KALLOC_STATS_FILE: $nfiles file(s) for python and its forked child"
	[ -f "$tmp/stats/py.$(cat "$tmp/py.out")" ] || fail "KALLOC_STATS_FILE: no file for the parent's pid"
	for f in "$tmp"/stats/py.*; do
		[ "$(head -n 1 "$f")" = "slabinfo - version: 2.1" ] ||
			fail "KALLOC_STATS=slabinfo: $f does not start with the slabinfo header"
	done
fi
# An unknown report name is said, not fatal.
KALLOC_STATS=nosuch LD_PRELOAD="$lib" /bin/true 2>"$tmp/bad.err" || fail "KALLOC_STATS=nosuch: exit status"
grep -q "nosuch" "$tmp/bad.err" || fail "KALLOC_STATS=nosuch: not reported"
[ $status -eq $st0 ] && pass "KALLOC_STATS lists and KALLOC_STATS_FILE=%p: one file per process"

# ---------------------------------------------------- 5. the caller --
#
# Reports name the program's function that called the allocator, as the
# kernel's %pS does: vmallocinfo's caller of a malloc()ed area, and the
# tracks of slub_debug=U for malloc(), calloc(), realloc() and free().
cat >"$tmp/caller.c" <<'EOF'
#include <stdlib.h>
#include <string.h>
__attribute__((noinline)) void *make_big(void) { return malloc(10 << 20); }
__attribute__((noinline)) void *make_small(void) { return calloc(1, 40); }
__attribute__((noinline)) void drop(void *p) { free(p); }
int main(int argc, char **argv)
{
	char *volatile big = make_big(), *volatile p = make_small();

	memset(big, 1, 4096);
	if (argc > 1 && argv[1][0] == 'i')	/* an interior pointer: the report names drop() */
		drop(p + 8);
	if (argc > 1) {		/* a double free: the report has both tracks */
		drop(p);
		drop(p);
	}
	return 0;
}
EOF
# (no sibling calls: make_big() would jump to malloc(), and its caller be main)
if ${CC:-cc} -O2 -fno-optimize-sibling-calls -o "$tmp/caller" "$tmp/caller.c" 2>"$tmp/caller.err"; then
	KALLOC_STATS=vmallocinfo LD_PRELOAD="$lib" "$tmp/caller" 2>"$tmp/caller.out"
	if grep -q "^0x[0-9a-f]*-0x[0-9a-f]* *10489856 make_big+0x[0-9a-f]*/0x[0-9a-f]* pages=2560 vmalloc" "$tmp/caller.out"; then
		pass "vmallocinfo names the program's function that malloc()ed an area"
	else
		cat "$tmp/caller.out"
		fail "vmallocinfo: the caller of a malloc()ed area is not the program's function"
	fi
	KALLOC_OPTIONS=slub_debug=FZPU LD_PRELOAD="$lib" "$tmp/caller" twice >"$tmp/caller.out" 2>&1
	rc=$?
	if [ $rc -eq 134 ] && grep -q "^kalloc: Allocated in make_small+0x[0-9a-f]*/0x[0-9a-f]* age=" "$tmp/caller.out" &&
	   grep -q "^kalloc: Freed in drop+0x[0-9a-f]*/0x[0-9a-f]* age=" "$tmp/caller.out" &&
	   grep -q "^kalloc:  drop+0x" "$tmp/caller.out"; then
		pass "slub_debug=U: malloc's tracks name the program's functions"
	else
		cat "$tmp/caller.out"
		fail "slub_debug=U: malloc's tracks (exit $rc)"
	fi
	# with libgcc's unwinder in the process the tracks hold the stacks
	if ${CC:-cc} -O2 -fno-optimize-sibling-calls -o "$tmp/caller_unwind" "$tmp/caller.c" \
		-Wl,--no-as-needed -lgcc_s 2>/dev/null; then
		KALLOC_OPTIONS=slub_debug=FZPU LD_PRELOAD="$lib" "$tmp/caller_unwind" twice >"$tmp/caller.out" 2>&1
		if grep -A2 "^kalloc: Allocated in make_small+" "$tmp/caller.out" | grep -q "^kalloc:  main+0x" &&
		   grep -A2 "^kalloc: Freed in drop+" "$tmp/caller.out" | grep -q "^kalloc:  main+0x"; then
			pass "slub_debug=U: the tracks hold the program's stacks (libgcc's unwinder)"
		else
			cat "$tmp/caller.out"
			fail "slub_debug=U: no stack after the tracks with libgcc's unwinder"
		fi
	fi
	LD_PRELOAD="$lib" "$tmp/caller" interior >"$tmp/caller.out" 2>&1
	rc=$?
	if [ $rc -eq 134 ] && grep -q "^kalloc: free(): invalid pointer 0x[0-9a-f]* (malloc-48, objects of 48 bytes) from drop+0x[0-9a-f]*/0x[0-9a-f]*: not the start of an object" "$tmp/caller.out"; then
		pass "an invalid free() is reported with the program's function that called free()"
	else
		cat "$tmp/caller.out"
		fail "an invalid free(): the report (exit $rc)"
	fi
else
	cat "$tmp/caller.err"
	fail "cannot build a C test program with ${CC:-cc}"
fi

# possible_cpus=: calculate_order()'s min_objects = 4 * (fls(cpus) + 1), so
# kmalloc-2k takes order 2 (8 objects) on one CPU and order 3 (16) on two
# or three, as a kernel booted with -smp 1 and -smp 2 prints.
slab_2k() {
	KALLOC_OPTIONS="possible_cpus=$1" KALLOC_STATS=slabinfo LD_PRELOAD="$lib" /bin/true 2>&1 |
		awk '$1 == "kmalloc-2k" { print $5, $6 }'
}
if [ "$(slab_2k 1)" = "8 4" ] && [ "$(slab_2k 2)" = "16 8" ] && [ "$(slab_2k 16)" = "16 8" ]; then
	pass "possible_cpus=: kmalloc-2k's objects and pages per slab follow the CPU count"
else
	fail "possible_cpus=: kmalloc-2k is '$(slab_2k 1)' on 1 CPU, '$(slab_2k 2)' on 2, '$(slab_2k 16)' on 16"
fi

echo "$nr_checks checks passed"
[ $status -eq 0 ] || echo "test_preload: FAILED"
exit $status
