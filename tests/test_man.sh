#!/bin/sh
# man/kalloc.1, kalloc.3 and kalloc.7 render without warnings, their NAME
# sections name kalloc, kalloc.3 documents every function include/kalloc.h
# declares, and kalloc.7 every name of docs/options.md's tables.
# Renders with man -l, else groff, else nroff; skips (77) without any.
set -u
srcdir=${srcdir:-.}
hdr=$srcdir/include/kalloc.h
opts=$srcdir/docs/options.md

if command -v man >/dev/null 2>&1; then
	renderer="man -l"
elif command -v groff >/dev/null 2>&1; then
	renderer="groff -man -Tutf8"
elif command -v nroff >/dev/null 2>&1; then
	renderer="nroff -man"
else
	echo "skip: no man/groff/nroff"
	exit 77
fi
have_groff=false
command -v groff >/dev/null 2>&1 && have_groff=true

umask 077
tmp=${TMPDIR:-/tmp}/test_man.$$
rm -rf "$tmp"
mkdir "$tmp" || { echo "cannot create $tmp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

status=0
fail() {
	echo "FAIL: $*"
	status=1
}

# Rendered text without overstrikes (x BS x, _ BS x) or SGR colour codes.
bs=$(printf '\b')
esc=$(printf '\033')
plain() {
	sed -e "s/.$bs//g" -e "s/$esc\\[[0-9;]*m//g"
}

# The roff source as text: no comments, no font or spacing escapes, so
# that a name can be looked up between word boundaries.
source_text() {
	sed -e '/^\.\\"/d' -e "/^'\\\\\"/d" \
	    -e 's/\\f\[[^]]*\]//g' -e 's/\\f([A-Za-z][A-Za-z]//g' -e 's/\\f[A-Za-z1-4]//g' \
	    -e 's/\\-/-/g' -e 's/\\&//g' -e 's/\\%//g' -e 's/\\c$//' "$1"
}

# Is $1 a word of file $2?  A name ending in '=' needs no boundary after it.
has_word() {
	case $1 in
	*=) grep -Eq "(^|[^A-Za-z0-9_])$1" "$2" ;;
	*) grep -Eq "(^|[^A-Za-z0-9_])$1([^A-Za-z0-9_]|\$)" "$2" ;;
	esac
}

render() {
	case $renderer in
	man*) MANWIDTH=80 MANPAGER=cat PAGER=cat man -l "$1" ;;
	groff*) groff -man -Tutf8 "$1" ;;
	nroff*) nroff -man "$1" ;;
	esac
}

for page in kalloc.1 kalloc.3 kalloc.7; do
	src=$srcdir/man/$page
	if [ ! -f "$src" ]; then
		fail "$src: no such file"
		continue
	fi
	if ! render "$src" >"$tmp/$page.out" 2>"$tmp/$page.err"; then
		fail "$page: $renderer exited with an error"
	fi
	if [ -s "$tmp/$page.err" ]; then
		fail "$page: $renderer printed on stderr:"
		sed 's/^/	/' "$tmp/$page.err"
	fi
	if $have_groff; then
		groff -ww -z -man "$src" >"$tmp/$page.ww" 2>&1
		if [ -s "$tmp/$page.ww" ]; then
			fail "$page: groff -ww warns:"
			sed 's/^/	/' "$tmp/$page.ww"
		fi
	fi
	plain <"$tmp/$page.out" >"$tmp/$page.txt"
	if ! grep -q '[^[:space:]]' "$tmp/$page.txt"; then
		fail "$page: $renderer printed nothing"
		continue
	fi
	# The NAME section: from its heading to the next heading at column 0.
	awk '/^NAME[[:space:]]*$/ { on = 1; next } on && /^[^[:space:]]/ { exit } on' \
		"$tmp/$page.txt" >"$tmp/$page.name"
	grep -q kalloc "$tmp/$page.name" || fail "$page: its NAME section does not name kalloc"
	source_text "$src" >"$tmp/$page.src"
done

# Every function of the header, parsed as tests/test_exports.sh does.
nf=0
if [ -f "$tmp/kalloc.3.src" ]; then
	declared=$(sed -e 's,/\*.*\*/,,g' -e '/^[[:space:]]*\/\*/d' -e '/^#/d' -e '/^[[:space:]]*\*/d' \
			-e 's/KALLOC_API(\([a-zA-Z0-9_]*\))/\1/g' "$hdr" | tr '\n' ' ' | tr ';' '\n' |
		sed -n 's/^[[:space:]]*[a-z_][a-z_ ]*[ *]\([a-zA-Z_][a-zA-Z0-9_]*\)(.*)[[:space:]]*$/\1/p' | sort -u)
	for f in $declared; do
		nf=$((nf + 1))
		has_word "$f" "$tmp/kalloc.3.src" || fail "kalloc.3 does not document $f() of kalloc.h"
	done
	[ "$nf" -ge 30 ] || fail "parsed only $nf declarations from $hdr"
fi

# Every name in the first column of docs/options.md's tables: `mem=`,
# `kswapd`, and the variables (`KALLOC_STATS=1` counts as KALLOC_STATS=).
no=0
if [ -f "$tmp/kalloc.7.src" ]; then
	# shellcheck disable=SC2016 # the backquotes are markdown's
	names=$(sed -n 's/^|[[:space:]]*`\([^`]*\)`.*/\1/p' "$opts" | sed 's/=.*/=/' | sort -u)
	for o in $names; do
		no=$((no + 1))
		has_word "$o" "$tmp/kalloc.7.src" || fail "kalloc.7 does not document $o of docs/options.md"
	done
	[ "$no" -ge 15 ] || fail "parsed only $no option names from $opts"
fi

[ $status -eq 0 ] &&
	echo "man pages: kalloc.3 and kalloc.7 render cleanly with $renderer; $nf functions and $no options documented"
exit $status
