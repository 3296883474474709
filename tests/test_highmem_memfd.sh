#!/bin/sh
# Run tests/test_highmem with every case on a phys=memfd machine, where a
# kmap() or kmap_local_page() slot is an alias of the frame's page:
# testutil.h adds KALLOC_TEST_OPTIONS to each case's options.
KALLOC_TEST_OPTIONS=phys=memfd exec "${top_builddir:-.}/tests/$(basename "$0" _memfd.sh)"
