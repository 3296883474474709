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
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

struct ksym {
	const char *name;	/* points into the mapped file or the loader's tables */
	unsigned long offset, size;
};

/* The function of the ELF file @img (@len bytes) holding @rel, from .symtab. */
static bool symtab_lookup(const unsigned char *img, size_t len, unsigned long rel, struct ksym *ks)
{
	const ElfW(Shdr) *sh;
	unsigned int i, nr;

	sh = elf_shdrs(img, len, &nr);
	if (!sh)
		return false;
	for (i = 0; i < nr; i++) {
		const ElfW(Sym) *sym;
		const char *str;
		size_t n, j, strsz;

		/* every offset from the file checked: a truncated or damaged object is no crash */
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= nr || !elf_in_image(&sh[i], len) ||
		    (sh[i].sh_offset & (sizeof(long) - 1)) || !elf_in_image(&sh[sh[i].sh_link], len))
			continue;
		sym = (const void *)(img + sh[i].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		str = (const char *)img + sh[sh[i].sh_link].sh_offset;
		strsz = sh[sh[i].sh_link].sh_size;
		for (j = 0; j < n; j++) {
			if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC || !sym[j].st_size ||
			    rel - sym[j].st_value >= sym[j].st_size || sym[j].st_name >= strsz ||
			    !memchr(str + sym[j].st_name, 0, strsz - sym[j].st_name))
				continue;
			ks->name = str + sym[j].st_name;
			ks->offset = rel - sym[j].st_value;
			ks->size = sym[j].st_size;
			return true;
		}
	}
	return false;
}

/*
 * The object that holds an address, as dladdr() describes it, and its
 * file mapped read-only when first needed (kobj_image()), for the symbol
 * and the line of one frame; kobj_put() unmaps it.
 */
struct kobj {
	Dl_info info;
	bool is_exec;		/* the program itself: its file is /proc/self/exe */
	bool mapped;		/* mapping tried */
	const unsigned char *img;
	size_t len;
};

static const unsigned char *kobj_image(struct kobj *o)
{
	if (!o->mapped) {
		o->mapped = true;
		o->img = map_file_ro(o->is_exec ? "/proc/self/exe" : o->info.dli_fname, &o->len);
	}
	return o->img;
}

static void kobj_put(struct kobj *o)
{
	if (o->img)
		sys_munmap((void *)o->img, o->len);
}

/* @addr as the symbols of the object's file give it: ET_DYN's are relative to the load base. */
static unsigned long kobj_addr(const struct kobj *o, unsigned long addr)
{
	return ((const ElfW(Ehdr) *)o->img)->e_type == ET_DYN ?
		       addr - (unsigned long)o->info.dli_fbase : addr;
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

/* The object holding @addr, its exported symbol in *@sym when it has one; false if none. */
static bool kobj_get(struct kobj *o, unsigned long addr, const ElfW(Sym) **sym)
{
	*sym = NULL;
	o->mapped = false;
	o->img = NULL;
	if (!addr || !dladdr1((void *)addr, &o->info, (void **)sym, RTLD_DL_SYMENT))
		return false;
	o->is_exec = !o->info.dli_fname || !o->info.dli_fname[0] ||
		     o->info.dli_fbase == main_program_base();
	return true;
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

/* %pS of @addr in the object @o holds (kobj_get()), @sym its exported symbol or NULL. */
static int __sprint_symbol(char *buf, size_t size, unsigned long addr, struct kobj *o,
			   const ElfW(Sym) *sym)
{
	const Dl_info *info = &o->info;
	const char *obj = NULL;
	struct ksym ks;

	if (!o->is_exec) {
		obj = strrchr(info->dli_fname, '/');
		obj = obj ? obj + 1 : info->dli_fname;
	}
	if (info->dli_sname && sym && sym->st_size &&
	    addr - (unsigned long)info->dli_saddr < sym->st_size)
		return snprintf(buf, size, "%s+%#lx/%#lx%s%s%s", info->dli_sname,
				addr - (unsigned long)info->dli_saddr, (unsigned long)sym->st_size,
				obj ? " [" : "", obj ? obj : "", obj ? "]" : "");
	/* not exported (main, static functions): the file's .symtab */
	if (kobj_image(o) && symtab_lookup(o->img, o->len, kobj_addr(o, addr), &ks))
		return snprintf(buf, size, "%s+%#lx/%#lx%s%s%s", ks.name, ks.offset, ks.size,
				obj ? " [" : "", obj ? obj : "", obj ? "]" : "");
	if (info->dli_sname)	/* stripped: the nearest exported symbol */
		return snprintf(buf, size, "%s+%#lx%s%s%s", info->dli_sname,
				addr - (unsigned long)info->dli_saddr, obj ? " [" : "",
				obj ? obj : "", obj ? "]" : "");
	return snprintf(buf, size, "%#lx%s%s%s", addr, obj ? " [" : "", obj ? obj : "",
			obj ? "]" : "");
}

int sprint_symbol(char *buf, size_t size, unsigned long addr)
{
	const ElfW(Sym) *sym;
	struct kobj o;
	int n;

	if (!kobj_get(&o, addr, &sym))
		return snprintf(buf, size, "%#lx", addr);
	n = __sprint_symbol(buf, size, addr, &o, sym);
	kobj_put(&o);
	return n;
}

/* The line of @pc in the object @o holds: "file.c:123", or "" and 0. */
static int __sprint_line(char *buf, size_t size, unsigned long pc, struct kobj *o)
{
	buf[0] = '\0';
	if (!o->info.dli_fbase || !kobj_image(o))
		return 0;
	return debug_line_sprint(buf, size, o->img, o->len, kobj_addr(o, pc));
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
	const ElfW(Sym) *sym;
	struct kobj o;
	int n;

	if (!size)
		return 0;
	buf[0] = '\0';
	if (!kobj_get(&o, pc, &sym))
		return 0;
	n = __sprint_line(buf, size, pc, &o);
	kobj_put(&o);
	return n;
}

/*
 * The symbol of @addr, then " file:line" as decode_stacktrace.sh appends
 * it: one dladdr1() and one mapping of the object's file for both (a
 * return address and the call before it are in the same object).
 */
static int sprint_symbol_and_line(char *buf, size_t size, unsigned long addr, bool backtrace)
{
	const ElfW(Sym) *sym;
	char line[192];
	struct kobj o;
	int n;

	if (!kobj_get(&o, addr, &sym))
		return snprintf(buf, size, "%#lx", addr);
	n = __sprint_symbol(buf, size, addr, &o, sym);
	/* the whole line or none: "file.c:12" cut from "file.c:123" would be a wrong line */
	if (n >= 0 && (size_t)n < size &&
	    __sprint_line(line, sizeof(line), backtrace ? addr - 1 : addr, &o) > 0 &&
	    (size_t)n + 1 + strlen(line) < size)
		n += snprintf(buf + n, size - (size_t)n, " %s", line);
	kobj_put(&o);
	return n;
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
