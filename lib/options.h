/*
 * lib/options.h - KALLOC_OPTIONS, in kernel command-line syntax.
 *
 *	KALLOC_OPTIONS="mem=2G vmalloc=64G loglevel=7"
 *
 * Each option is a global variable with the kernel's name where the kernel
 * has one; options.c holds the one table that names them, their types,
 * their limits and their defaults.  The words are read once, at start-up,
 * before anything else is set up: the parser allocates nothing and calls
 * nothing that may allocate.
 *
 * Unknown or malformed words get one line on stderr and leave the default:
 *	kalloc: ignoring unknown option 'foo=1'
 *	kalloc: ignoring malformed option 'mem=12Q'
 *	kalloc: ignoring option 'mem=1K': below the minimum 4M
 */
#ifndef KALLOC_OPTIONS_H
#define KALLOC_OPTIONS_H

#include <stdio.h>
#include "kernel.h"

/* mem=: end of the emulated physical memory in bytes; 0 = host RAM, capped at 64 GiB. */
extern unsigned long long opt_mem;
/* vmalloc=: size of the vmalloc window in bytes. */
extern unsigned long long opt_vmalloc;
/* loglevel=: console loglevel; messages of a lower level are printed (default 5: errors and warnings). */
extern int console_loglevel;
/* min_free_kbytes=: 0 = computed as the kernel does from lowmem. */
extern unsigned long min_free_kbytes;
/* percpu_pagelist_high_fraction=: 0 = the kernel's default pcp high. */
extern unsigned int percpu_pagelist_high_fraction;
/* page_reporting_order=: free blocks of this order and above are given back. */
extern unsigned int page_reporting_order;
/* page_reporting_delay=: milliseconds a free block may stay cold before it is given back. */
extern unsigned int page_reporting_delay_ms;
/* page_reporting_high=: 0, or bytes of free memory not yet given back per zone beyond which all of it is given back at once. */
extern unsigned long long page_reporting_high;
/* free_check=: "count" (default) or "strict" (util.c). */
extern char free_check_string[8];
/* mmap_threshold=: malloc requests above it take a vmalloc area (util.c); mallopt(M_MMAP_THRESHOLD). */
extern unsigned long long mmap_threshold;
/* nohugevmalloc: no huge-page mapping for VM_ALLOW_HUGE_VMAP areas (vmalloc.c). */
extern bool nohugevmalloc;
/* possible_cpus=: the emulated machine's CPUs (slab orders, pcp shares); 0 = the host's (percpu.c). */
extern unsigned int possible_cpus;
/* kswapd: a thread gives memory back when the program stops allocating (vmscan.c). */
extern bool kswapd_enabled;

/*
 * Parse one option string (the value of KALLOC_OPTIONS).  Words are
 * separated by blanks; a value may be double-quoted.  Returns the number
 * of words ignored (unknown, malformed or out of range).
 */
int kalloc_parse_options(const char *str) __hidden;

/*
 * Find NAME in the process environment without libc's getenv(): walks
 * environ when it is set, else reads /proc/self/environ with raw system
 * calls into a static buffer.  Returns NULL when absent.
 */
const char *kalloc_getenv(const char *name) __hidden;

/*
 * Parse a size with an optional K, M, G or T suffix (binary multiples,
 * either case) into *out.  Returns 0, or -1 when malformed or when it
 * overflows.
 */
int memparse(const char *s, size_t len, unsigned long long *out) __hidden;

/* Put every option back to its default (for tests). */
void kalloc_reset_options(void) __hidden;
/* The "options" report: every option's value now, in KALLOC_OPTIONS syntax. */
void kalloc_options_show(FILE *out) __hidden;
struct json;
void kalloc_options_show_json(struct json *j) __hidden;
void kalloc_report_names(FILE *out) __hidden;	/* vmstat.c: "a, b, ...; or all for every one but x, y" */
bool kalloc_report_exists(const char *name) __hidden;	/* vmstat.c */

#endif /* KALLOC_OPTIONS_H */
