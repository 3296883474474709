#!/bin/sh
# What `make install` puts in place, used as a program that installed
# kalloc would use it: the library, the header (with its version, beside
# system headers, -Wall -Werror), kalloc.pc, through which a program
# builds against the kernel API and runs, the man pages and the docs.
set -u
# make check-asan/check-tsan: a sanitizer's runtime must be the first
# library of the process and brings its own malloc; nothing is preloaded.
[ -z "${KALLOC_SANITIZER:-}" ] || { echo "test_install: skipped under $KALLOC_SANITIZER (LD_PRELOAD)"; exit 77; }
top=$(cd "${top_builddir:-.}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

# make check installs into a temporary DESTDIR; make installcheck
# (KALLOC_INSTALLED=1) looks at what `make install` put in place, under
# its DESTDIR if it had one.
if [ -n "${KALLOC_INSTALLED:-}" ]; then
	root=${DESTDIR:-}
else
	${MAKE:-make} -C "$top" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1 ||
		{ cat "$tmp/install.log"; echo "FAIL: make install"; exit 1; }
	root=$tmp/root
fi
prefix=$(sed -n 's/^prefix=//p' "$top/kalloc.pc")
libdir=$(sed -n 's/^libdir=//p' "$top/kalloc.pc" | sed "s|\${exec_prefix}|$prefix|")
for f in "$libdir/libkalloc.so" "$prefix/include/kalloc.h" "$libdir/pkgconfig/kalloc.pc" \
	"${KALLOC_MANDIR:-$prefix/share/man}/man1/kalloc.1" \
	"${KALLOC_MANDIR:-$prefix/share/man}/man3/kalloc.3" "${KALLOC_MANDIR:-$prefix/share/man}/man7/kalloc.7" \
	"$(sed -n 's/^exec_prefix=//p' "$top/kalloc.pc" | sed "s|\${prefix}|$prefix|")/bin/kalloc" \
	"${KALLOC_DOCDIR:-$prefix/share/doc/kalloc}/README.md" \
	"${KALLOC_DOCDIR:-$prefix/share/doc/kalloc}/architecture.md" \
	"${KALLOC_DOCDIR:-$prefix/share/doc/kalloc}/options.md"; do
	[ -e "$root$f" ] || fail "make install did not install $f"
done

export PKG_CONFIG_PATH="$root$libdir/pkgconfig"
pc() { pkg-config --define-variable=prefix="$root$prefix" "$@" kalloc; }
[ "$(pc --modversion)" = "${PACKAGE_VERSION:-}" ] ||
	fail "pkg-config --modversion says $(pc --modversion), configure says ${PACKAGE_VERSION:-?}"

cat >"$tmp/prog.c" <<'PROG'
#include <sys/user.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <kalloc.h>

int main(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);
	char *p = kmalloc(100, GFP_KERNEL);

	if (!page || !p)
		return 1;
	memset(page_address(page), 1, 4 * PAGE_SIZE);
	strcpy(p, "kmalloc");
	__free_pages(page, 2);
	kfree(p);
	if (strcmp(kalloc_version(), KALLOC_VERSION))
		return 2;
	printf("%s %d.%d.%d\n", KALLOC_VERSION, KALLOC_VERSION_MAJOR,
	       KALLOC_VERSION_MINOR, KALLOC_VERSION_PATCH);
	return 0;
}
PROG
# shellcheck disable=SC2046
${CC:-cc} -Wall -Wextra -Werror -o "$tmp/prog" "$tmp/prog.c" $(pc --cflags --libs) 2>"$tmp/cc.log" ||
	{ cat "$tmp/cc.log"; fail "a program does not build with pkg-config --cflags --libs kalloc"; }
if [ -x "$tmp/prog" ]; then
	out=$(LD_LIBRARY_PATH="$root$libdir" "$tmp/prog") || fail "the program linked with -lkalloc failed"
	v=${PACKAGE_VERSION:-}
	case $v in
	*.*.*) want="$v $v" ;;
	*) want="$v $v.0" ;;
	esac
	[ "$out" = "$want" ] || fail "the program printed '$out', expected '$want'"
	# the installed command finds the installed library
	bindir=$(sed -n 's/^exec_prefix=//p' "$top/kalloc.pc" | sed "s|\${prefix}|$prefix|")/bin
	if [ -z "${KALLOC_INSTALLED:-}" ]; then
		[ "$("$root$bindir/kalloc" --lib="$root$libdir/libkalloc.so" sh -c 'echo cmd ok')" = "cmd ok" ] ||
			fail "the installed kalloc command does not run a program"
	else
		[ "$("$bindir/kalloc" sh -c 'echo cmd ok')" = "cmd ok" ] ||
			fail "the installed kalloc command does not run a program"
	fi
	# the installed library as a preload: a real program's output unchanged
	[ "$(LD_PRELOAD="$root$libdir/libkalloc.so" sh -c 'echo preload ok')" = "preload ok" ] ||
		fail "the installed library does not preload"
fi
[ "$status" = 0 ] && echo "install: library, header $(pc --modversion), kalloc.pc, man pages, docs, a program built through pkg-config"
exit $status
