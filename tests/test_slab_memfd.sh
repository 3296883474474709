#!/bin/sh
# tests/test_slab on phys=memfd: see tests/test_vmalloc_memfd.sh.
KALLOC_TEST_OPTIONS=phys=memfd exec "${top_builddir:-.}/tests/$(basename "$0" _memfd.sh)"
