/*
 * lib/kallsyms.c - addresses to names for reports (kernel/kallsyms.c's
 * sprint_symbol(), the %pS of printk).
 *
 *	sprint_symbol(buf, size, addr)	"name+0xoff/0xsize [object]"
 *
 * as the kernel prints a symbol: the function that holds @addr, the offset
 * into it, its size, and in brackets the shared object it lives in (the
 * kernel names the module; the program itself, like vmlinux, gets none).
 * An address in no known function prints as "0x<hex>".
 *
 *	sprint_backtrace_line(buf, size, addr)	"name+0xoff/0xsize [object] file.c:123"
 *	sprint_symbol_line(buf, size, addr)
 *	sprint_line(buf, size, addr, backtrace)	"file.c:123"
 *
 * add the source line where the object has a DWARF line table (read by
 * debug_line.c), as the kernel's scripts/decode_stacktrace.sh appends it
 * to a trace: the stacks of the reports (alloc_traces, heap_sites,
 * slub_debug's tracks and call trace, KFENCE's stacks, the " from
 * <caller>" of a one-line report).  A stack's frames are return
 * addresses: their line is the call's, looked up at the byte before
 * (sprint_backtrace_line(), as the kernel's %pB looks up its symbol); a
 * faulting pc is looked up as it is (sprint_symbol_line()).  The symbol
 * itself is printed as %pS prints it, whatever the line lookup finds, so
 * that the kernel's lines (vmallocinfo, a report's header) stay theirs.
 *
 * The dynamic linker knows the exported symbols (dladdr1()), but most of a
 * program's functions are not exported: main, static functions.  For those
 * the object's file is mapped read-only and its .symtab searched (the
 * kernel's kallsyms is built from the same table).  A stripped object has
 * only .dynsym, and then the nearest exported symbol is the best there is.
 *
 * Reports run just before abort(), perhaps with allocator locks held: no
 * allocation here, only raw system calls and stack buffers.  dladdr1()
 * takes the loader's lock, which is recursive, so a report made inside
 * dlopen() does not deadlock.
 */
#include "kernel.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>

struct ksym {
	const char *name;	/* points into the mapped file or the loader's tables */
	unsigned long offset, size;
};

/* The function of the ELF file @img (@len bytes) holding @rel, from .symtab. */
static bool symtab_lookup(const unsigned char *img, size_t len, unsigned long rel, struct ksym *ks)
{
	const ElfW(Ehdr) *eh = (const void *)img;
	const ElfW(Shdr) *sh;
	unsigned int i;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(*sh) ||
	    eh->e_shoff + (size_t)eh->e_shnum * sizeof(*sh) > len)
		return false;
	sh = (const void *)(img + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const ElfW(Sym) *sym;
		const char *str;
		size_t n, j;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset + sh[i].sh_size > len ||
		    sh[sh[i].sh_link].sh_offset + sh[sh[i].sh_link].sh_size > len)
			continue;
		sym = (const void *)(img + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		str = (const char *)img + sh[sh[i].sh_link].sh_offset;
		for (j = 0; j < n; j++) {
			if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC || !sym[j].st_size ||
			    rel - sym[j].st_value >= sym[j].st_size ||
			    sym[j].st_name >= sh[sh[i].sh_link].sh_size)
				continue;
			ks->name = str + sym[j].st_name;
			ks->offset = rel - sym[j].st_value;
			ks->size = sym[j].st_size;
			return true;
		}
	}
	return false;
}

/* The file of the object @info describes: the program's is /proc/self/exe. */
static const char *object_path(const Dl_info *info, bool is_exec)
{
	return is_exec ? "/proc/self/exe" : info->dli_fname;
}

/* @addr as the symbols of the ELF image @img give it: ET_DYN's are relative to the load base. */
static unsigned long object_addr(const unsigned char *img, unsigned long addr, const Dl_info *info)
{
	return ((const ElfW(Ehdr) *)img)->e_type == ET_DYN ? addr - (unsigned long)info->dli_fbase
							     : addr;
}

/*
 * Search the file of the object that @info describes, then format while
 * the file is still mapped (the name points into it).
 */
static int sprint_from_file(char *buf, size_t size, unsigned long addr, const Dl_info *info,
			    const char *obj, bool is_exec)
{
	size_t len;
	const unsigned char *img = map_file_ro(object_path(info, is_exec), &len);
	struct ksym ks;
	int n = -1;

	if (!img)
		return -1;
	if (symtab_lookup(img, len, object_addr(img, addr, info), &ks))
		n = snprintf(buf, size, "%s+%#lx/%#lx%s%s%s", ks.name, ks.offset, ks.size,
			     obj ? " [" : "", obj ? obj : "", obj ? "]" : "");
	sys_munmap((void *)img, len);
	return n;
}

/* The load base of the program itself: the object holding its program headers. */
static void *main_program_base(void)
{
	static void *base;
	Dl_info info;

	if (!base && dladdr((void *)getauxval(AT_PHDR), &info))
		base = info.dli_fbase;
	return base;
}

static bool is_main_program(const Dl_info *info)
{
	return !info->dli_fname || !info->dli_fname[0] || info->dli_fbase == main_program_base();
}

/* " from <caller>" for a report, or "" when the caller is not known. */
const char *sprint_caller(char *buf, size_t size, unsigned long addr)
{
	int n;

	buf[0] = '\0';
	if (addr && size > 7) {
		memcpy(buf, " from ", 7);
		n = sprint_backtrace_line(buf + 6, size - 6, addr);
		if (n < 0)
			buf[0] = '\0';
	}
	return buf;
}

int sprint_symbol(char *buf, size_t size, unsigned long addr)
{
	const ElfW(Sym) *sym = NULL;
	Dl_info info;
	const char *obj = NULL;
	bool is_exec;
	int n;

	if (!addr || !dladdr1((void *)addr, &info, (void **)&sym, RTLD_DL_SYMENT))
		return snprintf(buf, size, "%#lx", addr);
	is_exec = is_main_program(&info);
	if (!is_exec) {
		obj = strrchr(info.dli_fname, '/');
		obj = obj ? obj + 1 : info.dli_fname;
	}
	if (info.dli_sname && sym && sym->st_size &&
	    addr - (unsigned long)info.dli_saddr < sym->st_size)
		return snprintf(buf, size, "%s+%#lx/%#lx%s%s%s", info.dli_sname,
				addr - (unsigned long)info.dli_saddr, (unsigned long)sym->st_size,
				obj ? " [" : "", obj ? obj : "", obj ? "]" : "");
	n = sprint_from_file(buf, size, addr, &info, obj, is_exec);
	if (n >= 0)
		return n;
	if (info.dli_sname)	/* stripped: the nearest exported symbol */
		return snprintf(buf, size, "%s+%#lx%s%s%s", info.dli_sname,
				addr - (unsigned long)info.dli_saddr, obj ? " [" : "",
				obj ? obj : "", obj ? "]" : "");
	return snprintf(buf, size, "%#lx%s%s%s", addr, obj ? " [" : "", obj ? obj : "",
			obj ? "]" : "");
}

/*
 * sprint_line(): "file.c:123", the source line of @addr from the DWARF
 * line table of its object (debug_line.c), or "" (returns 0) when none is
 * known.  @backtrace: @addr is a return address, and the line is the
 * call's, the one of the byte before it (the kernel's %pB looks its
 * symbol up the same way).
 */
int sprint_line(char *buf, size_t size, unsigned long addr, bool backtrace)
{
	unsigned long pc = backtrace && addr ? addr - 1 : addr;
	const unsigned char *img;
	Dl_info info;
	size_t len;
	int n;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (!pc || !dladdr((void *)pc, &info) || !info.dli_fbase)
		return 0;
	img = map_file_ro(object_path(&info, is_main_program(&info)), &len);
	if (!img)
		return 0;
	n = debug_line_sprint(buf, size, img, len, object_addr(img, pc, &info));
	sys_munmap((void *)img, len);
	return n;
}

/* The symbol of @addr, then " file:line" as decode_stacktrace.sh appends it. */
static int sprint_symbol_and_line(char *buf, size_t size, unsigned long addr, bool backtrace)
{
	char line[192];
	int n = sprint_symbol(buf, size, addr);

	if (n < 0 || (size_t)n >= size || sprint_line(line, sizeof(line), addr, backtrace) <= 0)
		return n;
	return n + snprintf(buf + n, size - (size_t)n, " %s", line);
}

/* "name+0xoff/0xsize [object] file.c:123" for the instruction at @addr (a faulting pc). */
int sprint_symbol_line(char *buf, size_t size, unsigned long addr)
{
	return sprint_symbol_and_line(buf, size, addr, false);
}

/* The same for a return address of a stack: the line of the call. */
int sprint_backtrace_line(char *buf, size_t size, unsigned long addr)
{
	return sprint_symbol_and_line(buf, size, addr, true);
}
