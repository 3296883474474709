/*
 * lib/percpu.c - per-thread areas (mm/percpu.c in spirit: the kernel's
 * per-CPU areas, here one per thread).  See lib/percpu.h for the life
 * cycle of an area and the lock order.
 *
 * Locking:
 *	pcpu_lock protects all_pcpus, the free pool of areas, the chunk
 *	being carved, and the count of live areas with the pcp share derived
 *	from it.  An area's own fields are touched only by its thread,
 *	except that reports read its counters racily, fork's child handler
 *	walks the list while the forking thread holds pcpu_lock, and
 *	pcpu_set_live() rewrites every area's pcp high and batch
 *	(WRITE_ONCE, under pcpu_lock; the owner reads them with READ_ONCE).
 */
#include "slab.h"
#include "options.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

__thread struct kalloc_pcpu *kalloc_pcpu_area __attribute__((tls_model("initial-exec")));

spinlock_t pcpu_lock = __SPIN_LOCK_UNLOCKED;
struct list_head all_pcpus = LIST_HEAD_INIT(all_pcpus);

static struct list_head pcpu_free_pool = LIST_HEAD_INIT(pcpu_free_pool);
long malloc_events_exited[NR_MALLOC_EVENTS];	/* exited threads' counts, pcpu_lock */
static char *pcpu_chunk, *pcpu_chunk_end;
static unsigned int nr_pcpus_live;	/* areas on all_pcpus */
unsigned int pcp_share = 1;	/* live threads per CPU, rounded up */
unsigned int nr_cpu_ids = 1;
unsigned int possible_cpus;	/* possible_cpus=: 0 = the host's */
static pthread_key_t pcpu_key;

#define PCPU_CHUNK_SIZE	(64 * SZ_1K)
#define PCPU_AREA_SIZE	ALIGN(sizeof(struct kalloc_pcpu), 64)

static void pcpu_init_area(struct kalloc_pcpu *cpu)
{
	struct zone *zone;
	unsigned int i;

	memset(cpu, 0, sizeof(*cpu));
	for_each_zone(zone) {
		struct per_cpu_pages *pcp = &cpu->pageset[zone_idx(zone)];

		pageset_set_high_and_batch(pcp, zone, pcp_share);
		for (i = 0; i < NR_PCP_LISTS; i++)
			INIT_LIST_HEAD(&pcp->lists[i]);
	}
	slub_init_pcpu(cpu);
	cpu->tid = (pid_t)kalloc_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
}

/* pcpu_alloc(): an area from the pool, or carved from a fresh chunk */
static struct kalloc_pcpu *pcpu_alloc_area(void)
{
	struct kalloc_pcpu *cpu = NULL;

	if (!list_empty(&pcpu_free_pool)) {
		cpu = list_first_entry(&pcpu_free_pool, struct kalloc_pcpu, list);
		list_del(&cpu->list);
		return cpu;
	}
	if (pcpu_chunk_end - pcpu_chunk < (long)PCPU_AREA_SIZE) {
		void *p = sys_mmap(NULL, PCPU_CHUNK_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (IS_ERR_VALUE(p))
			return NULL;
		pcpu_chunk = p;
		pcpu_chunk_end = pcpu_chunk + PCPU_CHUNK_SIZE;
	}
	cpu = (struct kalloc_pcpu *)pcpu_chunk;
	pcpu_chunk += PCPU_AREA_SIZE;
	return cpu;
}

static void pcpu_thread_exit(void *arg);

/*
 * The kernel resizes every CPU's pcp lists when a CPU comes or goes
 * (zone_pcp_update()); a thread coming or going is that event here.
 * pcpu_lock held.
 */
static void pcpu_set_live(unsigned int nr)
{
	unsigned int share;
	struct kalloc_pcpu *cpu;
	struct zone *zone;

	nr_pcpus_live = nr;
	share = max((nr_pcpus_live + nr_cpu_ids - 1) / nr_cpu_ids, 1U);
	if (share == pcp_share)
		return;
	WRITE_ONCE(pcp_share, share);	/* read without the lock by alloc_empty_sheaf() */
	list_for_each_entry(cpu, &all_pcpus, list)
		for_each_zone(zone)
			pageset_set_high_and_batch(&cpu->pageset[zone_idx(zone)], zone, share);
}

/*
 * pcpu_setup(): the calling thread's first slow path.  Returns NULL (and
 * leaves the thread on the shared paths) if no memory could be had.
 */
struct kalloc_pcpu *pcpu_setup(void)
{
	struct kalloc_pcpu *cpu;

	kalloc_init_once();
	spin_lock(&pcpu_lock);
	cpu = pcpu_alloc_area();
	if (cpu) {
		pcpu_set_live(nr_pcpus_live + 1);
		pcpu_init_area(cpu);
		list_add(&cpu->list, &all_pcpus);
	}
	spin_unlock(&pcpu_lock);
	if (!cpu)
		return NULL;
	kalloc_pcpu_area = cpu;
	/* The destructor runs at thread exit only for a non-NULL value. */
	pthread_setspecific(pcpu_key, cpu);
	return cpu;
}

/*
 * The pthread-key destructor: hand the thread's lists back, fold its
 * counters into the zones, and leave the thread on the shared paths.
 */
static void pcpu_thread_exit(void *arg)
{
	struct kalloc_pcpu *cpu = arg;
	unsigned int i;

	if (!cpu || cpu == PCPU_DEAD)
		return;
	slub_thread_exit(cpu);
	page_alloc_thread_exit();
	kalloc_pcpu_area = PCPU_DEAD;
	spin_lock(&pcpu_lock);
	for (i = 0; i < NR_MALLOC_EVENTS; i++)
		malloc_events_exited[i] += cpu->malloc_events[i];
	list_del(&cpu->list);
	list_add(&cpu->list, &pcpu_free_pool);
	pcpu_set_live(nr_pcpus_live - 1);
	spin_unlock(&pcpu_lock);
}

/* num_possible_cpus(): the CPUs /sys/devices/system/cpu/possible lists */
static unsigned int num_possible_cpus(void)
{
	char buf[64];
	int fd = sys_open("/sys/devices/system/cpu/possible", O_RDONLY | O_CLOEXEC, 0);
	ssize_t n;
	unsigned int nr = 0;
	char *p;

	if (fd < 0)
		return 1;
	n = sys_read(fd, buf, sizeof(buf) - 1);
	sys_close(fd);
	if (n <= 0)
		return 1;
	buf[n] = 0;
	/* "0-1" or "0,2-5": count every listed cpu */
	for (p = buf; *p && *p != '\n'; ) {
		unsigned int a = 0, b;

		while (*p >= '0' && *p <= '9')
			a = a * 10 + (*p++ - '0');
		b = a;
		if (*p == '-') {
			p++;
			b = 0;
			while (*p >= '0' && *p <= '9')
				b = b * 10 + (*p++ - '0');
		}
		nr += b >= a ? b - a + 1 : 1;
		if (*p == ',')
			p++;
		else
			break;
	}
	return nr ? nr : 1;
}

void pcpu_init(void)
{
	/* possible_cpus= (arch/x86's setup_possible_cpus) stands for the host's */
	nr_cpu_ids = possible_cpus ? possible_cpus : num_possible_cpus();
	pthread_key_create(&pcpu_key, pcpu_thread_exit);
}

/*
 * After fork() the child has one thread.  Areas of the other threads may
 * have been in the middle of a lockless update when the parent forked, so
 * the child never touches their lists: it forgets them (their pages stay
 * allocated in the child; at most a few pcp batches per thread).  Called
 * with pcpu_lock held.
 */
void pcpu_fork_child(void)
{
	struct kalloc_pcpu *cpu, *n;
	struct kalloc_pcpu *self = kalloc_pcpu_area;

	list_for_each_entry_safe(cpu, n, &all_pcpus, list) {
		if (cpu == self)
			continue;
		list_del(&cpu->list);
	}
	pcpu_set_live((uintptr_t)self > (uintptr_t)PCPU_DEAD);
	if ((uintptr_t)self > (uintptr_t)PCPU_DEAD)
		self->tid = (pid_t)kalloc_syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
}
