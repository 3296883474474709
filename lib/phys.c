/*
 * lib/phys.c - the host memory behind the emulated frames: the physical
 * backing chosen with phys= (the part of arch/x86/mm/init_32.c that maps
 * RAM, and the host side of mm/page_reporting.c).
 *
 *	phys=anon (default)	a frame's bytes are private anonymous memory.
 *				A lowmem frame's are at its linear address; a
 *				byte is at one address only, so vmap() and
 *				kmap() move bytes (mremap) rather than alias
 *				them.  fork() gives the child a copy-on-write
 *				copy of everything, from the host.
 *
 *	phys=memfd		the frames are the pages of one memfd, frame
 *				pfn at file offset pfn * PAGE_SIZE, mapped
 *				MAP_SHARED wherever the frame is seen: the
 *				whole linear map at once, and vmalloc areas,
 *				vmap() and kmap() run by run at file offsets,
 *				so one frame can be at two addresses as in the
 *				kernel.  Giving memory back punches holes in the
 *				file (every alias then reads zero).
 *
 * Fork with phys=memfd: shared mappings stay shared in a child, so the
 * child makes its own copy before anything else runs in it.  The prepare
 * handler (every kalloc lock held) opens a pipe; in the child,
 * phys_fork_child() creates a new memfd, copies the data extents of the
 * old one into it (SEEK_DATA/SEEK_HOLE and copy_file_range(): no byte
 * passes through user space, holes stay holes), maps the new file over
 * every place the old one was mapped (the linear map, HIGHMEM sections
 * opened for slabs, then vmalloc.c's areas and pkmap slots), and closes
 * its end of the pipe.  The parent's handler waits for that EOF before it
 * releases a single lock, so the child copies memory that the forking
 * thread and the allocator have not changed since fork() (other threads
 * of the parent can only write to objects they own; a child of a
 * threaded process may not rely on those, as POSIX says).  The copy costs
 * time in proportion to the memory in use; vfork() and posix_spawn() run
 * no fork handlers and copy nothing.
 *
 * The memfd is opened with MFD_CLOEXEC: exec'd programs do not inherit it.
 * A program that closes every descriptor and then goes on allocating
 * (closefrom() without exec) makes new vmalloc areas and kmap() fail with
 * phys=memfd; the memory it already has stays mapped.
 *
 * Locking: none of its own.  kalloc_phys_fd is written once at start-up
 * and in a fork child, where only one thread runs.
 */
#include "slab.h"
#include "options.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC		0x0001U
#endif
#define PHYS_FALLOC_PUNCH	(0x01 /* KEEP_SIZE */ | 0x02 /* PUNCH_HOLE */)
#define PHYS_SEEK_DATA		3
#define PHYS_SEEK_HOLE		4

char phys_backing[8] = "anon";
int kalloc_phys_fd = -1;
static int fork_pipe[2] = { -1, -1 };

/*
 * A memfd as large as the machine.  Under a file size limit below that,
 * ftruncate() would raise SIGXFSZ (fatal by default): refuse first.
 */
static int phys_memfd_create(void)
{
	unsigned long long fsize;
	int fd;

	if (sys_getrlimit_cur(RLIMIT_FSIZE, &fsize) == 0 && fsize < kalloc_phys_size)
		return -EFBIG;
	fd = sys_memfd_create("kalloc-phys", MFD_CLOEXEC);

	if (fd < 0)
		return fd;
	if (sys_ftruncate(fd, (off_t)kalloc_phys_size)) {
		sys_close(fd);
		return -1;
	}
	return fd;
}

/* Map frames [pfn, pfn + nr) of the memfd at @addr. */
int phys_map(unsigned long addr, unsigned long pfn, unsigned long nr, int prot)
{
	void *p = sys_mmap((void *)addr, nr << PAGE_SHIFT, prot, MAP_SHARED | MAP_FIXED,
			   kalloc_phys_fd, (off_t)(pfn << PAGE_SHIFT));

	return IS_ERR_VALUE(p) ? -1 : 0;
}

/* Make the slots of frames [pfn, pfn + nr) readable and writable. */
int phys_open_slots(unsigned long pfn, unsigned long nr)
{
	if (phys_is_memfd())
		return phys_map((unsigned long)pfn_to_slot(pfn), pfn, nr, PROT_READ | PROT_WRITE);
	return sys_mprotect(pfn_to_slot(pfn), nr << PAGE_SHIFT, PROT_READ | PROT_WRITE);
}

/*
 * Give the host memory behind frames [pfn, pfn + nr_pages) back: their
 * bytes read as zero afterwards, at every address they are seen.
 */
int kalloc_discard(unsigned long pfn, unsigned long nr_pages)
{
	if (phys_is_memfd())
		return sys_fallocate(kalloc_phys_fd, PHYS_FALLOC_PUNCH, (off_t)(pfn << PAGE_SHIFT),
				     (off_t)(nr_pages << PAGE_SHIFT)) ? -1 : 0;
	return sys_madvise(pfn_to_slot(pfn), nr_pages << PAGE_SHIFT, MADV_DONTNEED);
}

/*
 * phys_init(): after the reservation is made and before any frame is
 * used.  With phys=memfd the linear map becomes the first max_low_pfn
 * pages of the memfd; if the host has no memfd, kalloc says so and stays
 * with anonymous memory.
 */
void phys_init(void)
{
	int fd;

	if (!strcmp(phys_backing, "anon"))
		return;
	if (strcmp(phys_backing, "memfd")) {
		pr_warn("ignoring phys=%s: the backings are anon and memfd\n", phys_backing);
		return;
	}
	fd = phys_memfd_create();
	if (fd < 0) {
		pr_warn("phys=memfd: no memfd of %lu MiB (error %d): frames are anonymous memory\n",
			kalloc_phys_size >> 20, -fd);
		return;
	}
	kalloc_phys_fd = fd;
	if (phys_map(page_offset_base, 0, max_low_pfn, PROT_READ | PROT_WRITE))
		panic("phys=memfd: cannot map the linear map");
	pr_info("phys=memfd: frames are pages of memfd %d (%lu MiB)\n", fd,
		kalloc_phys_size >> 20);
}

/* Copy the data extents of @from into @to, holes left as holes. */
static int copy_extents(int from, int to)
{
	off_t off = 0;

	for (;;) {
		off_t data = sys_lseek(from, off, PHYS_SEEK_DATA);
		off_t hole, in, out;

		if (data < 0)
			return data == -ENXIO ? 0 : -1;	/* ENXIO: no data after off */
		hole = sys_lseek(from, data, PHYS_SEEK_HOLE);
		if (hole < 0)
			return -1;
		in = out = data;
		while (in < hole) {
			ssize_t n = sys_copy_file_range(from, &in, to, &out, (size_t)(hole - in));

			if (n == -EINTR)
				continue;
			if (n <= 0)
				return -1;
		}
		off = hole;
	}
}

void phys_fork_prepare(void)
{
	if (phys_is_memfd() && sys_pipe2(fork_pipe, O_CLOEXEC))
		fork_pipe[0] = fork_pipe[1] = -1;
}

/* The parent waits, every lock still held, until the child has its copy. */
void phys_fork_parent(void)
{
	char c;

	if (fork_pipe[0] < 0)
		return;
	sys_close(fork_pipe[1]);
	while (sys_read(fork_pipe[0], &c, 1) == -EINTR)
		;
	sys_close(fork_pipe[0]);
	fork_pipe[0] = fork_pipe[1] = -1;
}

/*
 * The child's own copy of every frame (see the top of the file).  Runs
 * first in the child's handler: nothing of kalloc's memory has been
 * written by the child before it.
 */
void phys_fork_child(void)
{
	int old = kalloc_phys_fd, fd;
	unsigned long pfn;

	if (!phys_is_memfd())
		return;
	fd = phys_memfd_create();
	if (fd < 0 || copy_extents(old, fd))
		panic("fork: cannot give the child its own copy of memory (phys=memfd)");
	kalloc_phys_fd = fd;
	if (phys_map(page_offset_base, 0, max_low_pfn, PROT_READ | PROT_WRITE))
		panic("fork: cannot map the child's linear map");
	for (pfn = ALIGN(max_low_pfn, PAGES_PER_SECTION); pfn < max_pfn; pfn += PAGES_PER_SECTION)
		if (READ_ONCE(__pfn_to_section(pfn)->section_mem_map) & SECTION_SLOTS_RW &&
		    phys_open_slots(pfn, PAGES_PER_SECTION))
			panic("fork: cannot map the child's HIGHMEM slots");
	vmalloc_phys_remap();
	sys_close(old);
	if (fork_pipe[0] >= 0) {
		sys_close(fork_pipe[0]);
		sys_close(fork_pipe[1]);
		fork_pipe[0] = fork_pipe[1] = -1;
	}
}
