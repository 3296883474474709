#!/bin/sh
# tests/test_vmalloc_memfd.sh - every vmalloc and kmap case again on the
# phys=memfd backing (issue 4: "all vmalloc tests run in both backings").
# testutil.h adds KALLOC_TEST_OPTIONS to each case's KALLOC_OPTIONS.
KALLOC_TEST_OPTIONS=phys=memfd exec "${top_builddir:-.}/tests/test_vmalloc"
