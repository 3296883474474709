/*
 * lib/printk.c - kalloc's console: printk() and panic().
 *
 * Messages are formatted into a stack buffer with vsnprintf() (which does
 * not allocate for the conversions kalloc uses) and written to stderr with
 * one write system call, so that lines from several threads or processes
 * do not interleave.  Safe before initialisation and with locks held.
 */
#include "kernel.h"
#include "options.h"

#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <stdlib.h>

int console_loglevel = KERN_NOTICE;	/* warnings and errors */

static void console_write(const char *fmt, va_list ap)
{
	char buf[1024];
	int n;

	memcpy(buf, "kalloc: ", 8);
	n = vsnprintf(buf + 8, sizeof(buf) - 9, fmt, ap);
	if (n < 0)
		return;
	n += 8;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	if (buf[n - 1] != '\n')
		buf[n++] = '\n';
	sys_write(2, buf, n);
}

void vprintk(int level, const char *fmt, va_list ap)
{
	if (level >= console_loglevel)
		return;
	console_write(fmt, ap);
}

void printk(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(level, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_write(fmt, ap);
	va_end(ap);
	abort();
}
