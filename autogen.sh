#!/bin/sh
# autogen.sh - install what the build and the tests need (when run as root
# on Debian), then generate the build system.
set -e
cd "$(dirname "$0")"

# The build and `make check` (the real programs the tests run under the
# preload among them); the benchmarks' peers come with `make bench`
# (bench/setup).  librsvg2-bin's rsvg-convert renders the map report in
# tests/test_map.sh; tests/test_top.sh runs kalloc top in tmux;
# google-pprof (google-perftools) reads the heap profile in
# tests/test_profile.sh.
PACKAGES="autoconf automake libtool pkg-config make gcc g++ \
libcmocka-dev python3 perl sqlite3 git librsvg2-bin tmux google-perftools"

missing=""
if command -v dpkg-query >/dev/null 2>&1; then
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing="$missing $p"
	done
fi
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "autogen.sh: installing:$missing"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
	else
		echo "autogen.sh: missing Debian packages:$missing" >&2
		echo "autogen.sh: run me as root to install them, or install them yourself" >&2
	fi
fi

command -v autoreconf >/dev/null 2>&1 || {
	echo "autogen.sh: autoreconf not found (apt-get install autoconf automake libtool)" >&2
	exit 1
}
autoreconf -fi
