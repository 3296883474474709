#!/bin/sh
# Stands in for the test suite when configure did not find cmocka.
echo "make check: the tests need cmocka, which configure did not find." >&2
echo "make check: run ./autogen.sh as root (it installs it), or apt-get install libcmocka-dev," >&2
echo "make check: then ./configure again." >&2
exit 1
