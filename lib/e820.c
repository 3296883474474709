/*
 * lib/e820.c - the emulated BIOS memory map and memblock
 * (arch/x86/kernel/e820.c, mm/memblock.c).
 *
 * The machine's firmware reports a PC-like map:
 *
 *	[0x00000000, 0x0009fbff]  usable	conventional memory
 *	[0x0009fc00, 0x0009ffff]  reserved	extended BIOS data area
 *	[0x000f0000, 0x000fffff]  reserved	system ROM
 *	[0x00100000, mem - 1]     usable
 *
 * Then, as setup_arch() does, page 0 becomes reserved in the map itself
 * (e820__range_update(): the BIOS data page is not RAM for anyone), so the
 * node and ZONE_DMA start at pfn 1.  memblock takes the usable ranges,
 * page-aligned inwards (the partial page at 0x9f000 is dropped, as the
 * kernel's e820__memblock_setup() does), and reserves the whole first MiB
 * (x86 reserves it unconditionally since 5.13: BIOS corruption, the real
 * mode trampoline), so ZONE_DMA's managed pages start at 1 MiB.  The boot
 * log prints the firmware's map, then the update, as the kernel does.
 *
 * The tables are filled once, by kalloc_init() under its once-lock, and
 * only read after that: no locking.
 */
#include "mm.h"

#include <inttypes.h>
#include <string.h>

#define E820_MAX_ENTRIES	8
#define MEMBLOCK_MAX_REGIONS	8

enum e820_type {
	E820_TYPE_RAM = 1,
	E820_TYPE_RESERVED = 2,
};

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	enum e820_type type;
};

static struct e820_table {
	unsigned int nr_entries;
	struct e820_entry entries[E820_MAX_ENTRIES];
} e820_table, e820_table_firmware;	/* the kernel's, and the BIOS's as it gave it */

/* The first MiB, which x86 keeps from the buddy allocator (setup_arch()). */
#define LOW_RESERVE_PFNS	(SZ_1M >> PAGE_SHIFT)

/* memblock regions, in pfns [base, base + size) */
struct memblock_region {
	unsigned long base;
	unsigned long size;
};

struct memblock_type {
	unsigned int cnt;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

static struct memblock {
	struct memblock_type memory;
	struct memblock_type reserved;
} memblock;

/* e820__range_add() */
static void e820__range_add(uint64_t start, uint64_t size, enum e820_type type)
{
	struct e820_entry *e;

	BUG_ON(e820_table.nr_entries >= E820_MAX_ENTRIES);
	e = &e820_table.entries[e820_table.nr_entries++];
	e->addr = start;
	e->size = size;
	e->type = type;
}

static void memblock_add_region(struct memblock_type *type, unsigned long base,
				unsigned long size)
{
	BUG_ON(type->cnt >= MEMBLOCK_MAX_REGIONS);
	type->regions[type->cnt].base = base;
	type->regions[type->cnt].size = size;
	type->cnt++;
}

/* e820__memblock_setup(): usable ranges, trimmed to whole pages */
static void e820__memblock_setup(void)
{
	unsigned int i;

	for (i = 0; i < e820_table.nr_entries; i++) {
		const struct e820_entry *e = &e820_table.entries[i];
		unsigned long start, end;

		if (e->type != E820_TYPE_RAM)
			continue;
		start = DIV_ROUND_UP(e->addr, PAGE_SIZE);
		end = (e->addr + e->size) >> PAGE_SHIFT;
		if (end > start)
			memblock_add_region(&memblock.memory, start, end - start);
	}
	/* The first MiB is never given to the buddy. */
	memblock_add_region(&memblock.reserved, 0, LOW_RESERVE_PFNS);
}

/*
 * e820__memory_setup(): build the firmware map for a machine whose memory
 * ends at mem_end bytes (a multiple of the section size, at least 4 MiB).
 */
void e820__memory_setup(unsigned long long mem_end)
{
	e820_table.nr_entries = 0;
	memblock.memory.cnt = 0;
	memblock.reserved.cnt = 0;

	e820__range_add(0, 0x9fc00, E820_TYPE_RAM);
	e820__range_add(0x9fc00, 0x400, E820_TYPE_RESERVED);
	e820__range_add(0xf0000, 0x10000, E820_TYPE_RESERVED);
	e820__range_add(0x100000, mem_end - 0x100000, E820_TYPE_RAM);
	e820_table_firmware = e820_table;
	/*
	 * e820__range_update(0, PAGE_SIZE, RAM, RESERVED): the first entry,
	 * usable from 0, gives its first page to a reserved entry of its own.
	 */
	BUG_ON(e820_table.entries[0].addr != 0 || e820_table.entries[0].type != E820_TYPE_RAM);
	memmove(&e820_table.entries[1], &e820_table.entries[0],
		e820_table.nr_entries * sizeof(e820_table.entries[0]));
	e820_table.nr_entries++;
	e820_table.entries[0].size = PAGE_SIZE;
	e820_table.entries[0].type = E820_TYPE_RESERVED;
	e820_table.entries[1].addr = PAGE_SIZE;
	e820_table.entries[1].size -= PAGE_SIZE;
	e820__memblock_setup();
}

/*
 * e820__print_table(): the boot log's "BIOS-e820:" lines, the firmware's
 * map, then setup_arch()'s update of page 0.
 */
void e820__print_table(void)
{
	unsigned int i;

	pr_info("BIOS-provided physical RAM map:\n");
	for (i = 0; i < e820_table_firmware.nr_entries; i++) {
		const struct e820_entry *e = &e820_table_firmware.entries[i];

		pr_info("BIOS-e820: [mem 0x%016" PRIx64 "-0x%016" PRIx64 "] %s\n",
			e->addr, e->addr + e->size - 1,
			e->type == E820_TYPE_RAM ? "usable" : "reserved");
	}
	pr_info("e820: update [mem 0x00000000-0x%08lx] usable ==> reserved\n", PAGE_SIZE - 1);
}

/* memblock_start_of_DRAM(), as a pfn: where the node and ZONE_DMA begin */
unsigned long memblock_start_pfn(void)
{
	return memblock.memory.cnt ? memblock.memory.regions[0].base : 0;
}

static bool memblock_type_contains(const struct memblock_type *type, unsigned long pfn)
{
	unsigned int i;

	for (i = 0; i < type->cnt; i++)
		if (pfn - type->regions[i].base < type->regions[i].size)
			return true;
	return false;
}

/* memblock_is_memory(): the pfn is RAM according to the firmware */
bool memblock_is_memory_pfn(unsigned long pfn)
{
	return memblock_type_contains(&memblock.memory, pfn);
}

/* memblock_is_reserved(): the pfn is RAM that the buddy must not get */
bool memblock_is_reserved_pfn(unsigned long pfn)
{
	return memblock_type_contains(&memblock.reserved, pfn);
}

static unsigned long memblock_type_overlap(const struct memblock_type *type,
					   unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < type->cnt; i++) {
		unsigned long s = max(start_pfn, type->regions[i].base);
		unsigned long e = min(end_pfn, type->regions[i].base + type->regions[i].size);

		if (e > s)
			n += e - s;
	}
	return n;
}

/* absent_pages_in_range(), inverted: RAM pages in [start_pfn, end_pfn) */
unsigned long memblock_present_pages(unsigned long start_pfn, unsigned long end_pfn)
{
	return memblock_type_overlap(&memblock.memory, start_pfn, end_pfn);
}

/* RAM pages in [start_pfn, end_pfn) that memblock reserves (reserved and memory) */
unsigned long memblock_reserved_pages(unsigned long start_pfn, unsigned long end_pfn)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < memblock.reserved.cnt; i++) {
		const struct memblock_region *r = &memblock.reserved.regions[i];
		unsigned long s = max(start_pfn, r->base);
		unsigned long e = min(end_pfn, r->base + r->size);

		if (e > s)
			n += memblock_type_overlap(&memblock.memory, s, e);
	}
	return n;
}
