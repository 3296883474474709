/*
 * lib/sys.c - the raw system calls kalloc makes, issued with the syscall
 * instruction itself.
 *
 * kalloc never calls libc's mmap()/munmap()/madvise()/open(): another
 * preloaded library may interpose them and call malloc back while kalloc is
 * still setting itself up (jemalloc#329, #443).  errno is left alone:
 * errors come back as -errno (or as (void *)-errno for the mapping calls).
 */
#include "kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

long kalloc_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define SC(nr, a, b, c, d, e, f) \
	kalloc_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

void *sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return (void *)SC(SYS_mmap, addr, len, prot, flags, fd, off);
}

int sys_munmap(void *addr, size_t len)
{
	return SC(SYS_munmap, addr, len, 0, 0, 0, 0);
}

int sys_mprotect(void *addr, size_t len, int prot)
{
	return SC(SYS_mprotect, addr, len, prot, 0, 0, 0);
}

int sys_madvise(void *addr, size_t len, int advice)
{
	return SC(SYS_madvise, addr, len, advice, 0, 0, 0);
}

void *sys_mremap(void *old, size_t old_len, size_t new_len, int flags, void *new_addr)
{
	return (void *)SC(SYS_mremap, old, old_len, new_len, flags, new_addr, 0);
}

ssize_t sys_write(int fd, const void *buf, size_t len)
{
	return SC(SYS_write, fd, buf, len, 0, 0, 0);
}

ssize_t sys_read(int fd, void *buf, size_t len)
{
	return SC(SYS_read, fd, buf, len, 0, 0, 0);
}

int sys_open(const char *path, int flags, int mode)
{
	return SC(SYS_openat, -100 /* AT_FDCWD */, path, flags, mode, 0, 0);
}

int sys_close(int fd)
{
	return SC(SYS_close, fd, 0, 0, 0, 0, 0);
}

int sys_getpid(void)
{
	return SC(SYS_getpid, 0, 0, 0, 0, 0, 0);
}

/* phys=memfd (phys.c) */
int sys_memfd_create(const char *name, unsigned int flags)
{
	return SC(SYS_memfd_create, name, flags, 0, 0, 0, 0);
}

int sys_ftruncate(int fd, off_t len)
{
	return SC(SYS_ftruncate, fd, len, 0, 0, 0, 0);
}

int sys_fallocate(int fd, int mode, off_t off, off_t len)
{
	return SC(SYS_fallocate, fd, mode, off, len, 0, 0);
}

off_t sys_lseek(int fd, off_t off, int whence)
{
	return SC(SYS_lseek, fd, off, whence, 0, 0, 0);
}

ssize_t sys_copy_file_range(int fd_in, off_t *off_in, int fd_out, off_t *off_out, size_t len)
{
	return SC(SYS_copy_file_range, fd_in, off_in, fd_out, off_out, len, 0);
}

int sys_pipe2(int fds[2], int flags)
{
	return SC(SYS_pipe2, fds, flags, 0, 0, 0, 0);
}

/* getrlimit(2) through prlimit64: the soft limit of @resource, -errno on error. */
int sys_getrlimit_cur(int resource, unsigned long long *cur)
{
	unsigned long long lim[2];
	int ret = SC(SYS_prlimit64, 0, resource, NULL, lim, 0, 0);

	if (!ret)
		*cur = lim[0];
	return ret;
}

/* clock_gettime() is answered by the vDSO: no system call, no allocation. */
uint64_t ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

/* A hexadecimal number at *s, up to the first non-hex character. */
static unsigned long parse_hex(const char **s)
{
	unsigned long v = 0;

	for (;; (*s)++) {
		char c = **s;

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned long)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + (unsigned long)((c | 0x20) - 'a' + 10);
		else
			return v;
	}
}

/*
 * for_each_mapping(): each line "lo-hi perms ..." of /proc/self/maps, in
 * address order, to @fn(lo, hi, readable, @arg) until it returns false;
 * read with raw system calls into a stack buffer (no allocation).  False
 * when the file cannot be read.
 */
bool for_each_mapping(bool (*fn)(unsigned long lo, unsigned long hi, bool readable, void *arg),
		      void *arg)
{
	char buf[4096];
	size_t len = 0;
	int fd = sys_open("/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0)
		return false;
	for (;;) {
		char *nl, *line = buf;
		ssize_t r = sys_read(fd, buf + len, sizeof(buf) - 1 - len);

		if (r == -EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
		while ((nl = memchr(line, '\n', buf + len - line))) {
			const char *c = line;
			unsigned long lo, hi;

			lo = parse_hex(&c);
			c += *c == '-';
			hi = parse_hex(&c);
			c += *c == ' ';
			if (!fn(lo, hi, *c == 'r', arg))
				goto out;
			line = nl + 1;
		}
		len = buf + len - line;
		memmove(buf, line, len);
		if (len == sizeof(buf) - 1)	/* a line longer than the buffer */
			len = 0;
	}
out:
	sys_close(fd);
	return true;
}
