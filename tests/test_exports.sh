#!/bin/sh
# Every routine include/kalloc.h declares is a real exported function of
# libkalloc.so (design 6a), and nothing of kalloc's internals leaks out.
set -u
lib=${top_builddir:-.}/.libs/libkalloc.so
hdr=${srcdir:-.}/include/kalloc.h
[ -f "$lib" ] || { echo "no $lib"; exit 1; }

# Function declarations, joined across lines: "type name(args);" at file level.
declared=$(sed -e 's,/\*.*\*/,,g' -e '/^[[:space:]]*\/\*/d' -e '/^#/d' -e '/^[[:space:]]*\*/d' \
		-e 's/KALLOC_API(\([a-zA-Z0-9_]*\))/\1/g' "$hdr" | tr '\n' ' ' | tr ';' '\n' |
	sed -n 's/^[[:space:]]*[a-z_][a-z_ ]*[ *]\([a-zA-Z_][a-zA-Z0-9_]*\)(.*)[[:space:]]*$/\1/p' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TW]$/ {print $3}' | sort -u)
status=0
n=0
for f in $declared; do
	n=$((n + 1))
	echo "$exported" | grep -qx "$f" || { echo "not exported: $f"; status=1; }
done
[ "$n" -ge 30 ] || { echo "parsed only $n declarations from $hdr"; status=1; }
# The rest must be the malloc ABI of glibc (preload/), by name.
abi="malloc free calloc realloc reallocarray memalign posix_memalign aligned_alloc valloc pvalloc
malloc_usable_size malloc_trim mallopt mallinfo mallinfo2 malloc_stats malloc_info cfree
__libc_malloc __libc_free __libc_calloc __libc_realloc __libc_memalign __libc_valloc __libc_pvalloc __libc_mallopt __libc_mallinfo
free_sized free_aligned_sized brk sbrk __brk __sbrk"
for f in $abi; do
	echo "$exported" | grep -qx "$f" || case $f in
		cfree|__libc_valloc|__libc_pvalloc) ;;
		*) echo "malloc ABI not exported: $f"; status=1 ;;
	esac
done
for f in _Znwm _Znam _ZdlPv _ZdaPv _ZdlPvm _ZdaPvm _ZnwmRKSt9nothrow_t _ZnwmSt11align_val_t _ZdlPvSt11align_val_t; do
	echo "$exported" | grep -qx "$f" || { echo "C++ operator not exported: $f"; status=1; }
done
# Each routine of the header also as kalloc_<name> (EXPORT_SYMBOL(), lib/kernel.h).
for f in $declared; do
	case $f in kalloc_*) continue ;; esac
	echo "$exported" | grep -qx "kalloc_$f" || { echo "not exported as kalloc_$f"; status=1; }
done
for f in $exported; do
	echo "$declared" | grep -qx "${f#kalloc_}" && continue
	echo "$declared" | grep -qx "$f" || echo "$abi" | tr ' ' '\n' | grep -qx "$f" || case $f in
		_init|_fini|_Z*) ;;
		*) echo "exported but not in kalloc.h: $f"; status=1 ;;
	esac
done
# The header compiles in C and C++, with and without _GNU_SOURCE, after libc headers.
for cc in "${CC:-cc} -x c -std=c99" "${CC:-cc} -x c -D_GNU_SOURCE" "${CXX:-c++} -x c++" "${CXX:-c++} -x c++ -D_GNU_SOURCE"; do
	printf '#include <stdlib.h>\n#include <string.h>\n#include <kalloc.h>\nint main(void){return alloc_pages(GFP_KERNEL,0)==0;}\n' |
		$cc -Wall -Werror -I"${srcdir:-.}/include" -fsyntax-only - || { echo "header fails with: $cc"; status=1; }
done
# Beside <sys/user.h> (its PAGE_SHIFT, PAGE_SIZE, PAGE_MASK), in either order: no redefinition.
for order in '#include <sys/user.h>\n#include <kalloc.h>' '#include <kalloc.h>\n#include <sys/user.h>'; do
	printf "$order\\nint main(void){return PAGE_MASK == 0;}\\n" |
		${CC:-cc} -x c -Wall -Werror -I"${srcdir:-.}/include" -fsyntax-only - ||
		{ echo "header clashes with <sys/user.h>"; status=1; }
done
# The exported set is what lib/libkalloc.map lists (its names and kalloc_*), nothing else.
map=${srcdir:-.}/lib/libkalloc.map
listed=$(sed -e 's,/\*.*\*/,,g' "$map" | sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);$/\1/p' | sort -u)
[ "$(echo "$listed" | wc -l)" -ge 120 ] || { echo "parsed only $(echo "$listed" | wc -l) names from $map"; status=1; }
for f in $exported; do
	case $f in kalloc_*|_init|_fini) continue ;; esac
	echo "$listed" | grep -qx "$f" || { echo "exported but not in libkalloc.map: $f"; status=1; }
done
for f in $listed; do
	echo "$exported" | grep -qx "$f" || case $f in
		cfree|__libc_valloc|__libc_pvalloc) ;;
		*) echo "in libkalloc.map but not exported: $f"; status=1 ;;
	esac
done
# KALLOC_PREFIX_ONLY: a program with a free_page() and a kmap() of its own
# includes the header, calls the kalloc_ names, links and runs.
cat >"${TMPDIR:-/tmp}/kalloc_prefix_$$.c" <<'PROG'
#define KALLOC_PREFIX_ONLY
#include <kalloc.h>
#include <string.h>
static int freed;
void free_page(unsigned long addr) { (void)addr; freed++; }
void *kmap(int x) { return x ? &freed : NULL; }
int main(void)
{
	unsigned long a = kalloc___get_free_page(GFP_KERNEL);
	char *p = kalloc_kmalloc(100, GFP_KERNEL);

	if (!a || !p)
		return 1;
	strcpy(p, "prefixed");
	kalloc_kfree(p);
	kalloc_free_page(a);
	free_page(a);		/* the program's own */
	return freed == 1 && kmap(1) == &freed ? 0 : 2;
}
PROG
# (not under a sanitizer: its runtime must be the program's first library)
if [ -n "${KALLOC_SANITIZER:-}" ]; then
	echo "KALLOC_PREFIX_ONLY program: skipped under $KALLOC_SANITIZER"
elif ${CC:-cc} -Wall -Werror -I"${srcdir:-.}/include" -o "${TMPDIR:-/tmp}/kalloc_prefix_$$" \
	"${TMPDIR:-/tmp}/kalloc_prefix_$$.c" -L"$(dirname "$lib")" -lkalloc; then
	LD_LIBRARY_PATH=$(dirname "$lib") "${TMPDIR:-/tmp}/kalloc_prefix_$$" ||
		{ echo "KALLOC_PREFIX_ONLY: the program failed ($?)"; status=1; }
else
	echo "KALLOC_PREFIX_ONLY: a program with its own free_page() and kmap() does not build"
	status=1
fi
rm -f "${TMPDIR:-/tmp}/kalloc_prefix_$$" "${TMPDIR:-/tmp}/kalloc_prefix_$$.c"
echo "$n declarations checked"
exit $status
