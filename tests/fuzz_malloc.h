/*
 * tests/fuzz_malloc.h - what tests/fuzz_malloc.c (the fuzz target of the
 * malloc ABI) offers its drivers: libFuzzer's entry point, and the
 * counters tests/fuzz_replay.c prints.
 */
#ifndef KALLOC_FUZZ_MALLOC_H
#define KALLOC_FUZZ_MALLOC_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input: decodes it into operations, checks each, frees all. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Operations decoded and run so far, over every input. */
extern unsigned long long fuzz_malloc_nr_ops;
/* Bytes handed out by those operations (the requests), over every input. */
extern unsigned long long fuzz_malloc_nr_bytes;

#endif /* KALLOC_FUZZ_MALLOC_H */
