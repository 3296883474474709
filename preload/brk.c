/*
 * preload/brk.c - brk() and sbrk() of the program, served from kalloc's
 * emulated mm->brk (lib/brk.c) instead of the process's real break.
 *
 * glibc's contract: brk(addr) returns 0, or -1 with errno ENOMEM;
 * sbrk(incr) returns the old break, or (void *)-1 with errno ENOMEM;
 * sbrk(0) returns the current break.  __brk and __sbrk are glibc's
 * internal names for the same functions.
 */
#include "glue.h"
#include "slab.h"

#include <errno.h>
#include <stdint.h>

KALLOC_ABI int brk(void *addr)
{
	unsigned long want = (unsigned long)addr;

	if (kalloc_sys_brk(want) != want) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

KALLOC_ABI void *sbrk(intptr_t increment)
{
	unsigned long old = kalloc_sys_brk(0);	/* below start_brk: reads the break */
	unsigned long want = old + (unsigned long)increment;

	if (increment == 0)
		return (void *)old;
	if ((increment > 0 && want < old) || (increment < 0 && want > old) ||
	    kalloc_sys_brk(want) != want) {
		errno = ENOMEM;
		return (void *)-1;
	}
	return (void *)old;
}

KALLOC_ABI int __brk(void *addr) KALLOC_ALIAS(brk);
KALLOC_ABI void *__sbrk(intptr_t increment) KALLOC_ALIAS(sbrk);
