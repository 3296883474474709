#!/bin/sh
# Run tests/<name> (this script's name without _memfd.sh) with every case on
# a phys=memfd machine: testutil.h adds KALLOC_TEST_OPTIONS to each case's
# options: every vmalloc test runs in both backings.
KALLOC_TEST_OPTIONS=phys=memfd exec "${top_builddir:-.}/tests/$(basename "$0" _memfd.sh)"
