/*
 * lib/debug_line.c - source lines for reports: the " file.c:123" that the
 * kernel's scripts/decode_stacktrace.sh appends to a "name+0xoff/0xsize"
 * frame, read here from the DWARF line table of the object holding the
 * address (kallsyms.c asks).
 *
 *	debug_line_sprint(buf, size, img, len, pc)	"dir/file.c:123"
 *
 * What it reads: .debug_line, the line number programs of DWARF versions
 * 2 to 5 (DWARF 5 section 6.2), 32- and 64-bit units, with their file
 * names inline (DW_FORM_string) or in .debug_line_str (DW_FORM_line_strp,
 * gcc 11 and later) or .debug_str (DW_FORM_strp).  Which unit holds @pc
 * is asked of .debug_aranges (address ranges -> compilation unit, DWARF 5
 * section 6.1.2) and .debug_info (that unit's DW_AT_stmt_list, read with
 * its abbreviation from .debug_abbrev); where they do not say (clang
 * writes no .debug_aranges by default), every unit is run, up to
 * DEBUG_LINE_SCAN_MAX bytes of them.  A unit's program is run as the
 * standard's state machine; the row that covers @pc is the
 * last one at an address <= @pc whose next row in the same sequence is
 * above it (what addr2line prints).  The name is the file's as the table
 * records it, relative to the compilation directory when it lies under it
 * (DWARF 5 records that directory as entry 0; a DWARF 2-4 table leaves it
 * out, and it is then the unit's DW_AT_comp_dir, read from .debug_info
 * with the unit below; a file of the compilation directory is its name
 * alone).
 * When the object has no .debug_line, its separate debug file is looked
 * for by build-id, as gdb does:
 * <debug_file_directory>/.build-id/xx/yyyy....debug, where xx is the
 * build-id's first byte in hex and the rest the other bytes; its
 * build-id must match.  Sections compressed with SHF_COMPRESSED (the
 * separate debug files Debian's -dbgsym packages install) are skipped:
 * inflating them needs memory this file does not take.
 *
 * Invariants:
 *  - every read goes through a struct dw_cursor that never moves past the
 *    end of the unit it reads, and every offset taken from the file (a
 *    unit's length, header_length, a string's offset in .debug_line_str,
 *    a unit's offset from .debug_aranges, its abbreviations' offset, its
 *    DW_AT_stmt_list) is checked against its section before use: a
 *    malformed or truncated table ends the lookup of its unit, never
 *    reads outside the mapping; a wrong answer of .debug_aranges or
 *    .debug_info only costs the scan of every unit;
 *  - a line is printed only from a unit whose program ran to its end
 *    without an error and from a sequence closed by DW_LNE_end_sequence,
 *    with a file entry that resolves; otherwise nothing is printed (no
 *    line rather than a wrong one);
 *  - the cost is bounded: every step of a loop consumes at least one byte
 *    of its section (a table entry that takes none ends the lookup), so a
 *    lookup is a pass over .debug_aranges, the first entry of one unit of
 *    .debug_info, and one unit's line program, or at most
 *    DEBUG_LINE_SCAN_MAX bytes of .debug_line (no index is built: that
 *    would allocate).
 *
 * No allocation: reports run just before abort(), maybe with allocator
 * locks held, so this file uses the caller's stack buffers, the file
 * mapped read-only by raw system calls (kallsyms.c's rule), and nothing
 * else.  It keeps no state between calls, so it takes no lock.
 */
#include "kernel.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* Where separate debug files are looked for (option debug_file_directory=). */
char debug_file_directory[128] = "/usr/lib/debug";

/* DWARF 5, section 7: the codes this file reads. */
enum {
	DW_LNS_copy = 1, DW_LNS_advance_pc, DW_LNS_advance_line, DW_LNS_set_file,
	DW_LNS_set_column, DW_LNS_negate_stmt, DW_LNS_set_basic_block, DW_LNS_const_add_pc,
	DW_LNS_fixed_advance_pc, DW_LNS_set_prologue_end, DW_LNS_set_epilogue_begin,
	DW_LNS_set_isa,
	DW_LNE_end_sequence = 1, DW_LNE_set_address,
	DW_LNCT_path = 1, DW_LNCT_directory_index,
	DW_FORM_addr = 0x01, DW_FORM_block2 = 0x03, DW_FORM_block4, DW_FORM_data2, DW_FORM_data4,
	DW_FORM_data8, DW_FORM_string, DW_FORM_block, DW_FORM_block1, DW_FORM_data1, DW_FORM_flag,
	DW_FORM_sdata, DW_FORM_strp, DW_FORM_udata, DW_FORM_ref_addr, DW_FORM_ref1, DW_FORM_ref2,
	DW_FORM_ref4, DW_FORM_ref8, DW_FORM_ref_udata, DW_FORM_indirect, DW_FORM_sec_offset,
	DW_FORM_exprloc, DW_FORM_flag_present, DW_FORM_strx, DW_FORM_addrx, DW_FORM_ref_sup4,
	DW_FORM_strp_sup, DW_FORM_data16, DW_FORM_line_strp, DW_FORM_ref_sig8,
	DW_FORM_implicit_const, DW_FORM_loclistx, DW_FORM_rnglistx, DW_FORM_ref_sup8,
	DW_FORM_strx1, DW_FORM_strx2, DW_FORM_strx3, DW_FORM_strx4, DW_FORM_addrx1,
	DW_FORM_addrx2, DW_FORM_addrx3, DW_FORM_addrx4,
	DW_FORM_GNU_ref_alt = 0x1f20, DW_FORM_GNU_strp_alt,
	DW_AT_stmt_list = 0x10, DW_AT_comp_dir = 0x1b,
	DW_UT_compile = 0x01, DW_UT_partial = 0x03,
};

/* A lookup that finds no unit through .debug_aranges reads at most this much of .debug_line. */
#define DEBUG_LINE_SCAN_MAX	(16UL << 20)

/* ----------------------------------------------------------- reading -- */

/* A bounded reader: a read past @end sets @bad and yields zero. */
struct dw_cursor {
	const unsigned char *p, *end;
	bool bad;
};

struct dw_section {
	const unsigned char *data;
	size_t size;
};

static void dw_fail(struct dw_cursor *c)
{
	c->bad = true;
	c->p = c->end;
}

static void dw_skip(struct dw_cursor *c, uint64_t n)
{
	if (n > (size_t)(c->end - c->p))
		dw_fail(c);
	else
		c->p += n;
}

/* An unsigned little-endian number of @n bytes (n <= 8). */
static uint64_t dw_u(struct dw_cursor *c, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	if (n > (size_t)(c->end - c->p)) {
		dw_fail(c);
		return 0;
	}
	for (i = 0; i < n; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

/* A LEB128 number's bits; *@shift: how many it had, *@last: its last byte. */
static uint64_t dw_leb(struct dw_cursor *c, unsigned int *shift, unsigned char *last)
{
	uint64_t v = 0;

	*shift = 0;
	while (c->p < c->end) {
		unsigned char b = *c->p++;

		if (*shift < 64)
			v |= (uint64_t)(b & 0x7f) << *shift;
		*shift += 7;
		if (!(b & 0x80)) {
			*last = b;
			return v;
		}
	}
	dw_fail(c);
	return 0;
}

static uint64_t dw_uleb(struct dw_cursor *c)
{
	unsigned int shift;
	unsigned char last;

	return dw_leb(c, &shift, &last);
}

static int64_t dw_sleb(struct dw_cursor *c)
{
	unsigned int shift;
	unsigned char last = 0;
	uint64_t v = dw_leb(c, &shift, &last);

	if (shift < 64 && (last & 0x40))
		v |= ~0ULL << shift;
	return (int64_t)v;
}

/* A string stored in place, NUL-terminated before the cursor's end. */
static const char *dw_str(struct dw_cursor *c)
{
	const unsigned char *s = c->p, *nul = c->bad ? NULL : memchr(s, 0, c->end - s);

	if (!nul) {
		dw_fail(c);
		return NULL;
	}
	c->p = nul + 1;
	return (const char *)s;
}

/* The string at @off of @sec, NULL if it does not end inside the section. */
static const char *section_str(const struct dw_section *sec, uint64_t off)
{
	if (!sec || !sec->data || off >= sec->size || !memchr(sec->data + off, 0, sec->size - off))
		return NULL;
	return (const char *)sec->data + off;
}

/*
 * The unit at @c (DWARF 5 section 7.4: a 32-bit length, or 0xffffffff and
 * a 64-bit one): its contents after the length in @u, the size of its
 * offsets in @offset_size; @c moves past it.  False, with @c->bad, when
 * its length is reserved or runs past the section: the next unit is lost.
 */
static bool dw_unit(struct dw_cursor *c, struct dw_cursor *u, unsigned int *offset_size)
{
	uint64_t len = dw_u(c, 4);

	*offset_size = 4;
	if (len == 0xffffffff) {
		len = dw_u(c, 8);
		*offset_size = 8;
	} else if (len >= 0xfffffff0) {
		dw_fail(c);
		return false;
	}
	if (c->bad || len > (size_t)(c->end - c->p)) {
		dw_fail(c);
		return false;
	}
	*u = (struct dw_cursor){ c->p, c->p + len, false };
	c->p += len;
	return true;
}

/* -------------------------------------------------------------- ELF -- */

/*
 * The contents of section @name of the ELF image @img, if it is there,
 * inside the image, holds bytes in the file and is not compressed.
 */
/*
 * elf_shdrs(): the section headers of the 64-bit ELF image @img (@len
 * bytes), checked to lie whole and aligned inside it, and their number in
 * *@nr; NULL if the image is not one.  Shared with kallsyms.c.
 */
const ElfW(Shdr) *elf_shdrs(const unsigned char *img, size_t len, unsigned int *nr)
{
	const ElfW(Ehdr) *eh = (const void *)img;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(ElfW(Shdr)) ||
	    eh->e_shoff > len || (eh->e_shoff & (sizeof(long) - 1)) ||
	    (size_t)eh->e_shnum * sizeof(ElfW(Shdr)) > len - eh->e_shoff)
		return NULL;
	*nr = eh->e_shnum;
	return (const void *)(img + eh->e_shoff);
}

static bool elf_section(const unsigned char *img, size_t len, const char *name,
			struct dw_section *sec)
{
	const ElfW(Ehdr) *eh = (const void *)img;
	const ElfW(Shdr) *sh, *strtab;
	unsigned int i, nr;

	sec->data = NULL;
	sec->size = 0;
	sh = elf_shdrs(img, len, &nr);
	if (!sh || eh->e_shstrndx >= nr)
		return false;
	strtab = &sh[eh->e_shstrndx];
	if (!elf_in_image(strtab, len))
		return false;
	for (i = 0; i < nr; i++) {
		struct dw_section names = { img + strtab->sh_offset, strtab->sh_size };
		const char *n = section_str(&names, sh[i].sh_name);

		if (!n || strcmp(n, name))
			continue;
		if (sh[i].sh_type == SHT_NOBITS || (sh[i].sh_flags & SHF_COMPRESSED) ||
		    !elf_in_image(&sh[i], len))
			return false;
		sec->data = img + sh[i].sh_offset;
		sec->size = sh[i].sh_size;
		return true;
	}
	return false;
}

/* The GNU build-id note of @img: its bytes and their number, 0 if none. */
static size_t elf_build_id(const unsigned char *img, size_t len, const unsigned char **id)
{
	struct dw_section sec;
	struct dw_cursor c;

	if (!elf_section(img, len, ".note.gnu.build-id", &sec))
		return 0;
	c = (struct dw_cursor){ sec.data, sec.data + sec.size, false };
	while (!c.bad && c.p < c.end) {
		uint32_t namesz = (uint32_t)dw_u(&c, 4), descsz = (uint32_t)dw_u(&c, 4);
		uint32_t type = (uint32_t)dw_u(&c, 4);
		const unsigned char *name = c.p, *desc;

		dw_skip(&c, ALIGN((uint64_t)namesz, 4));
		desc = c.p;
		dw_skip(&c, ALIGN((uint64_t)descsz, 4));
		if (c.bad)
			break;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && !memcmp(name, "GNU", 4) && descsz) {
			*id = desc;
			return descsz;
		}
	}
	return 0;
}

/* The file at @path mapped read-only (*@len bytes), or NULL. */
const unsigned char *map_file_ro(const char *path, size_t *len)
{
	int fd = sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	off_t n;
	void *img;

	if (fd < 0)
		return NULL;
	n = sys_lseek(fd, 0, SEEK_END);
	img = n > 0 ? sys_mmap(NULL, (size_t)n, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	sys_close(fd);
	if (!img || IS_ERR_VALUE(img))
		return NULL;
	*len = (size_t)n;
	return img;
}

/* -------------------------------------------------- the line table -- */

/* What reading a form needs to know of its unit. */
struct form_ctx {
	unsigned int version, offset_size, address_size;
	const struct dw_section *line_str, *str;
};

/* One unit's header (DWARF 5 section 6.2.4), as far as a lookup needs it. */
struct line_header {
	struct form_ctx form;			/* version, sizes, string sections */
	unsigned int min_inst_len, line_range, opcode_base;
	int line_base;
	const unsigned char *std_lengths;	/* opcode_base - 1 argument counts */
	struct dw_cursor tables;		/* the directory and file tables */
	struct dw_cursor prog;			/* the line number program */
	const char *comp_dir;			/* DWARF 2-4: the unit's, from .debug_info */
};

/*
 * The header of the unit at @c (which ends where the section ends); @c
 * is left at the next unit.  False if the unit cannot be read, and then
 * @c->bad says whether the next unit can be found at all.
 */
static bool read_line_header(struct dw_cursor *c, struct line_header *h)
{
	uint64_t hdr_len;
	struct dw_cursor u;

	if (!dw_unit(c, &u, &h->form.offset_size))
		return false;
	h->form.version = (unsigned int)dw_u(&u, 2);
	h->form.address_size = sizeof(long);
	if (h->form.version < 2 || h->form.version > 5)
		return false;
	if (h->form.version >= 5 && (dw_u(&u, 1) != sizeof(long) || dw_u(&u, 1) != 0))
		return false;	/* address_size, segment_selector_size */
	hdr_len = dw_u(&u, h->form.offset_size);
	if (u.bad || hdr_len > (size_t)(u.end - u.p))
		return false;
	h->prog = (struct dw_cursor){ u.p + hdr_len, u.end, false };
	u.end = u.p + hdr_len;
	h->min_inst_len = (unsigned int)dw_u(&u, 1);
	if (h->form.version >= 4 && dw_u(&u, 1) != 1)
		return false;	/* maximum_operations_per_instruction: VLIW only */
	dw_u(&u, 1);		/* default_is_stmt */
	h->line_base = (signed char)dw_u(&u, 1);
	h->line_range = (unsigned int)dw_u(&u, 1);
	h->opcode_base = (unsigned int)dw_u(&u, 1);
	if (u.bad || !h->line_range || !h->opcode_base)
		return false;
	h->std_lengths = u.p;
	dw_skip(&u, h->opcode_base - 1);
	h->tables = u;
	return !u.bad;
}

/*
 * One attribute value in form @form at @c: a string in @str (NULL if it
 * is not one or its offset is out of its section), a number in @num, or
 * skipped.  False for a form this file does not know.
 */
static bool read_form(struct dw_cursor *c, uint64_t form, const struct form_ctx *x,
		      const char **str, uint64_t *num)
{
	static const unsigned char fixed[] = {	/* bytes of the fixed-size forms */
		[DW_FORM_data1] = 1, [DW_FORM_flag] = 1, [DW_FORM_ref1] = 1, [DW_FORM_strx1] = 1,
		[DW_FORM_addrx1] = 1, [DW_FORM_data2] = 2, [DW_FORM_ref2] = 2, [DW_FORM_strx2] = 2,
		[DW_FORM_addrx2] = 2, [DW_FORM_strx3] = 3, [DW_FORM_addrx3] = 3, [DW_FORM_data4] = 4,
		[DW_FORM_ref4] = 4, [DW_FORM_strx4] = 4, [DW_FORM_addrx4] = 4, [DW_FORM_ref_sup4] = 4,
		[DW_FORM_data8] = 8, [DW_FORM_ref8] = 8, [DW_FORM_ref_sig8] = 8, [DW_FORM_ref_sup8] = 8,
		[DW_FORM_data16] = 16,
	};

	*str = NULL;
	*num = 0;
	switch (form) {
	case DW_FORM_string:
		*str = dw_str(c);
		break;
	case DW_FORM_line_strp:
		*str = section_str(x->line_str, dw_u(c, x->offset_size));
		break;
	case DW_FORM_strp:
		*str = section_str(x->str, dw_u(c, x->offset_size));
		break;
	case DW_FORM_sec_offset: case DW_FORM_strp_sup: case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		*num = dw_u(c, x->offset_size);
		break;
	case DW_FORM_ref_addr:		/* an address's size in DWARF 2 */
		*num = dw_u(c, x->version == 2 ? x->address_size : x->offset_size);
		break;
	case DW_FORM_addr:
		*num = dw_u(c, x->address_size);
		break;
	case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
	case DW_FORM_loclistx: case DW_FORM_rnglistx:
		*num = dw_uleb(c);
		break;
	case DW_FORM_sdata:
		*num = (uint64_t)dw_sleb(c);
		break;
	case DW_FORM_block: case DW_FORM_exprloc:
		dw_skip(c, dw_uleb(c));
		break;
	case DW_FORM_block1:
		dw_skip(c, dw_u(c, 1));
		break;
	case DW_FORM_block2:
		dw_skip(c, dw_u(c, 2));
		break;
	case DW_FORM_block4:
		dw_skip(c, dw_u(c, 4));
		break;
	case DW_FORM_flag_present: case DW_FORM_implicit_const:	/* no bytes here */
		break;
	default:
		if (form >= ARRAY_SIZE(fixed) || !fixed[form])
			return false;
		*num = fixed[form] <= 8 ? dw_u(c, fixed[form]) : (dw_skip(c, fixed[form]), 0);
		break;
	}
	return !c->bad;
}

/*
 * DWARF 5: entry @index of the table at @c (its format, then its count
 * and entries), its path and directory index; @c is left after the whole
 * table.  False if the table cannot be read or has no such entry.
 */
static bool v5_entry(struct dw_cursor *c, const struct form_ctx *h, uint64_t index,
		     const char **path, uint64_t *dir)
{
	unsigned int nformats = (unsigned int)dw_u(c, 1), k;
	struct dw_cursor formats = *c;
	uint64_t count, e;
	bool found = false;

	for (k = 0; k < nformats; k++) {
		dw_uleb(c);
		dw_uleb(c);
	}
	count = dw_uleb(c);
	if (c->bad || (count && !nformats))
		return false;
	*path = NULL;
	*dir = 0;
	for (e = 0; e < count && !c->bad; e++) {
		struct dw_cursor f = formats;
		const unsigned char *start = c->p;

		for (k = 0; k < nformats; k++) {
			uint64_t content = dw_uleb(&f), form = dw_uleb(&f), num;
			const char *str;

			if (!read_form(c, form, h, &str, &num))
				return false;
			if (e != index)
				continue;
			found = true;
			if (content == DW_LNCT_path)
				*path = str;
			else if (content == DW_LNCT_directory_index)
				*dir = num;
		}
		if (c->p == start)	/* an entry of no bytes: the count could be any */
			return false;
	}
	return found && *path && !c->bad;
}

/* DWARF 2-4: string @index (from 0) of the include_directories list at @c. */
static const char *v4_dir(struct dw_cursor c, uint64_t index)
{
	const char *s;

	while ((s = dw_str(&c)) && *s)
		if (!index--)
			return s;
	return NULL;
}

/* @path less the directory @dir and its '/', when it is under @dir. */
static const char *under_dir(const char *path, const char *dir)
{
	size_t n = dir ? strlen(dir) : 0;

	if (!n || strncmp(path, dir, n))
		return path;
	if (!path[n])
		return "";
	if (path[n] == '/')
		return path + n + 1;
	return path;
}

/*
 * "dir/name:line" for file @file of the unit @h, the directory made
 * relative to the compilation directory when it is under it.  -1 if the
 * file is not in the tables.
 */
static int sprint_file_line(char *buf, size_t size, const struct line_header *h,
			    uint64_t file, uint64_t line)
{
	struct dw_cursor c = h->tables;
	const char *comp_dir = h->comp_dir, *dir = NULL, *name;
	uint64_t d;

	if (h->form.version >= 5) {
		struct dw_cursor dirs = c;
		uint64_t unused;

		if (!v5_entry(&dirs, &h->form, 0, &comp_dir, &unused))
			return -1;
		c = dirs;
		if (!v5_entry(&c, &h->form, file, &name, &d))
			return -1;
		dirs = h->tables;
		if (d && !v5_entry(&dirs, &h->form, d, &dir, &unused))
			return -1;
	} else {
		const char *s;

		if (!file)
			return -1;
		while ((s = dw_str(&c)) && *s)		/* include_directories */
			;
		for (;;) {
			if (!(name = dw_str(&c)) || !*name)
				return -1;
			d = dw_uleb(&c);
			dw_uleb(&c);		/* mtime */
			dw_uleb(&c);		/* length */
			if (c.bad)
				return -1;
			if (!--file)
				break;
		}
		if (d && !(dir = v4_dir(h->tables, d - 1)))
			return -1;
	}
	if (name[0] == '/') {
		dir = "";
		name = under_dir(name, comp_dir);
	} else if (dir) {
		dir = under_dir(dir, comp_dir);
	}
	if (dir && (!strcmp(dir, ".") || !*dir))
		dir = NULL;
	while (dir && !strncmp(dir, "./", 2))
		dir += 2;
	while (!dir && !strncmp(name, "./", 2))
		name += 2;
	return snprintf(buf, size, "%s%s%s:%llu", dir ? dir : "", dir ? "/" : "", name,
			(unsigned long long)line);
}

struct line_row {
	uint64_t addr, file, line;
};

/*
 * Run the program of unit @h; true with the row covering @pc in @found
 * if the whole program ran without an error, the row in a sequence that
 * ended.
 */
static bool run_line_program(const struct line_header *h, uint64_t pc, struct line_row *found)
{
	struct dw_cursor c = h->prog;
	struct line_row r = { 0, 1, 1 }, prev = { 0, 0, 0 }, cand = { 0, 0, 0 };
	bool have_prev = false, have_cand = false, hit = false;

	while (c.p < c.end && !c.bad) {
		unsigned int op = (unsigned int)dw_u(&c, 1);
		bool emit = false, end_seq = false;

		if (op >= h->opcode_base) {			/* special opcode */
			op -= h->opcode_base;
			r.addr += (uint64_t)(op / h->line_range) * h->min_inst_len;
			r.line += (int64_t)h->line_base + op % h->line_range;
			emit = true;
		} else if (op == 0) {				/* extended opcode */
			uint64_t n = dw_uleb(&c);
			struct dw_cursor e;

			if (c.bad || !n || n > (size_t)(c.end - c.p))
				return false;
			e = (struct dw_cursor){ c.p, c.p + n, false };
			c.p += n;
			switch (dw_u(&e, 1)) {
			case DW_LNE_end_sequence:
				emit = end_seq = true;
				break;
			case DW_LNE_set_address:
				if (n - 1 != sizeof(long))
					return false;
				r.addr = dw_u(&e, sizeof(long));
				break;
			default:	/* define_file, set_discriminator, vendors' */
				break;
			}
		} else {
			switch (op) {
			case DW_LNS_copy:
				emit = true;
				break;
			case DW_LNS_advance_pc:
				r.addr += dw_uleb(&c) * h->min_inst_len;
				break;
			case DW_LNS_advance_line:
				r.line += (uint64_t)dw_sleb(&c);
				break;
			case DW_LNS_set_file:
				r.file = dw_uleb(&c);
				break;
			case DW_LNS_const_add_pc:
				r.addr += (uint64_t)((255 - h->opcode_base) / h->line_range) *
					  h->min_inst_len;
				break;
			case DW_LNS_fixed_advance_pc:
				r.addr += dw_u(&c, 2);
				break;
			default: {	/* skip its ULEB arguments, as the header counts them */
				unsigned int k;

				for (k = 0; k < h->std_lengths[op - 1]; k++)
					dw_uleb(&c);
			}
			}
		}
		if (!emit)
			continue;
		if (have_prev && !have_cand && prev.addr <= pc && pc < r.addr) {
			cand = prev;
			have_cand = true;
		}
		prev = r;
		have_prev = !end_seq;
		if (end_seq) {
			if (have_cand && !hit) {
				*found = cand;
				hit = true;
			}
			have_cand = false;
			r = (struct line_row){ 0, 1, 1 };
		}
	}
	return hit && !c.bad;
}

/* ------------------------------------ which unit: .debug_aranges -- */

/*
 * The offset in .debug_info of the compilation unit whose address ranges
 * (.debug_aranges, DWARF 5 section 6.1.2) hold @pc: 1, or 0 when the
 * whole section reads well and no unit does, -1 when it does not read.
 */
static int aranges_lookup(const struct dw_section *ar, uint64_t pc, uint64_t *info_off)
{
	struct dw_cursor c = { ar->data, ar->data + ar->size, false }, u;
	unsigned int osize;

	while (c.p < c.end && dw_unit(&c, &u, &osize)) {
		const unsigned char *set = u.p - (osize == 8 ? 12 : 4);
		uint64_t cu, start, len;

		if (dw_u(&u, 2) != 2)
			continue;
		cu = dw_u(&u, osize);
		if (dw_u(&u, 1) != sizeof(long) || dw_u(&u, 1) != 0)
			continue;	/* address_size, segment_selector_size */
		dw_skip(&u, (2 * sizeof(long) - (size_t)(u.p - set) % (2 * sizeof(long))) %
				    (2 * sizeof(long)));
		while (!u.bad) {
			start = dw_u(&u, sizeof(long));
			len = dw_u(&u, sizeof(long));
			if (u.bad || (!start && !len))
				break;
			if (pc - start < len) {
				*info_off = cu;
				return 1;
			}
		}
		if (u.bad)
			return -1;
	}
	return c.bad ? -1 : 0;
}

/*
 * The DW_AT_stmt_list of the unit at @off of .debug_info: the offset of
 * its line table; and its DW_AT_comp_dir in *@comp_dir, if it has one
 * (DWARF 2-4 line tables leave it out).  Its first entry
 * (DW_TAG_compile_unit) is decoded with its abbreviation from
 * .debug_abbrev, the attributes it does not need skipped by their form.
 */
static bool unit_stmt_list(const struct dw_section *info, const struct dw_section *abbrev,
			   const struct form_ctx *strings, uint64_t off, uint64_t *stmt_list,
			   const char **comp_dir)
{
	struct dw_cursor c, u, a;
	struct form_ctx x = { .line_str = strings->line_str, .str = strings->str };
	uint64_t abbrev_off, code, acode;
	const char *str;
	bool found = false;

	if (off >= info->size)
		return false;
	c = (struct dw_cursor){ info->data + off, info->data + info->size, false };
	if (!dw_unit(&c, &u, &x.offset_size))
		return false;
	x.version = (unsigned int)dw_u(&u, 2);
	if (x.version < 2 || x.version > 5)
		return false;
	if (x.version >= 5) {
		uint64_t type = dw_u(&u, 1);

		if (type != DW_UT_compile && type != DW_UT_partial)
			return false;
		x.address_size = (unsigned int)dw_u(&u, 1);
		abbrev_off = dw_u(&u, x.offset_size);
	} else {
		abbrev_off = dw_u(&u, x.offset_size);
		x.address_size = (unsigned int)dw_u(&u, 1);
	}
	code = dw_uleb(&u);
	if (u.bad || x.address_size != sizeof(long) || abbrev_off >= abbrev->size || !code)
		return false;
	a = (struct dw_cursor){ abbrev->data + abbrev_off, abbrev->data + abbrev->size, false };
	while ((acode = dw_uleb(&a)) != code) {		/* the abbreviation @code */
		uint64_t at, form;

		dw_uleb(&a);	/* tag */
		dw_u(&a, 1);	/* children */
		do {
			at = dw_uleb(&a);
			form = dw_uleb(&a);
			if (form == DW_FORM_implicit_const)
				dw_sleb(&a);
		} while (!a.bad && (at || form));
		if (a.bad || !acode)
			return false;
	}
	dw_uleb(&a);
	dw_u(&a, 1);
	for (;;) {	/* its attributes, their values in the entry */
		uint64_t at = dw_uleb(&a), form = dw_uleb(&a), num;

		if (a.bad || (!at && !form))
			return found;
		if (form == DW_FORM_implicit_const) {
			dw_sleb(&a);
			continue;
		}
		if (form == DW_FORM_indirect)
			form = dw_uleb(&u);
		if (!read_form(&u, form, &x, &str, &num))
			return found;
		if (at == DW_AT_comp_dir)
			*comp_dir = str;
		if (at == DW_AT_stmt_list) {
			*stmt_list = num;
			found = form == DW_FORM_sec_offset || form == DW_FORM_data4 ||
				form == DW_FORM_data8;
		}
	}
}

/* --------------------------------------------------------- lookup -- */

/* The line of @pc in unit @h, if it has a row for @pc: >0 printed, 0 no line, -1 no row. */
static int sprint_unit_line(char *buf, size_t size, const struct line_header *h, uint64_t pc)
{
	struct line_row row = { 0, 0, 0 };
	int n;

	if (!run_line_program(h, pc, &row))
		return -1;
	if (!row.line || row.line > INT_MAX)	/* code of no source line; garbage */
		return 0;
	n = sprint_file_line(buf, size, h, row.file, row.line);
	return n > 0 && (size_t)n < size ? n : 0;
}

/*
 * The line of @pc in the .debug_line of @img: >0 printed, 0 none, -1 no
 * table.  The unit comes from .debug_aranges and .debug_info where they
 * say it (gcc writes both); an address that a well-formed .debug_aranges
 * gives to no unit has no line (code of objects built without -g: crt1's
 * _start); else every unit is run, up to DEBUG_LINE_SCAN_MAX bytes of
 * them.
 */
static int sprint_line_of(char *buf, size_t size, const unsigned char *img, size_t len,
			  uint64_t pc)
{
	struct dw_section line, line_str, str, aranges, info, abbrev;
	struct line_header h = { .form = { .line_str = &line_str, .str = &str } };
	struct dw_cursor c;
	uint64_t off = 0, stmt_list = 0;
	int n;

	if (!elf_section(img, len, ".debug_line", &line))
		return -1;
	elf_section(img, len, ".debug_line_str", &line_str);
	elf_section(img, len, ".debug_str", &str);
	n = elf_section(img, len, ".debug_aranges", &aranges) && aranges.size ?
		    aranges_lookup(&aranges, pc, &off) : -1;
	if (!n)
		return 0;
	if (n > 0 && elf_section(img, len, ".debug_info", &info) &&
	    elf_section(img, len, ".debug_abbrev", &abbrev) &&
	    unit_stmt_list(&info, &abbrev, &h.form, off, &stmt_list, &h.comp_dir) &&
	    stmt_list < line.size) {
		c = (struct dw_cursor){ line.data + stmt_list, line.data + line.size, false };
		if (read_line_header(&c, &h) && (n = sprint_unit_line(buf, size, &h, pc)) >= 0)
			return n;
	}
	h.comp_dir = NULL;	/* unknown for a unit found by the scan */
	c = (struct dw_cursor){ line.data, line.data + min(line.size, DEBUG_LINE_SCAN_MAX), false };
	while (c.p < c.end && !c.bad)
		if (read_line_header(&c, &h) && (n = sprint_unit_line(buf, size, &h, pc)) >= 0)
			return n;
	return 0;
}

/* The separate debug file of @img by its build-id, mapped; NULL if none. */
static const unsigned char *map_debug_file(const unsigned char *img, size_t len, size_t *dlen)
{
	const unsigned char *id, *dimg, *did;
	size_t n = elf_build_id(img, len, &id), i, pos;
	char path[sizeof(debug_file_directory) + 96];

	if (n < 2 || n > 32 || !debug_file_directory[0])
		return NULL;
	pos = (size_t)snprintf(path, sizeof(path), "%s/.build-id/%02x/", debug_file_directory,
			       id[0]);
	for (i = 1; i < n; i++)
		pos += (size_t)snprintf(path + pos, sizeof(path) - pos, "%02x", id[i]);
	snprintf(path + pos, sizeof(path) - pos, ".debug");
	dimg = map_file_ro(path, dlen);
	if (dimg && (elf_build_id(dimg, *dlen, &did) != n || memcmp(did, id, n))) {
		sys_munmap((void *)dimg, *dlen);
		return NULL;
	}
	return dimg;
}

/*
 * "file:line" of @pc (an address as the object's symbols give it) from
 * the ELF image @img of @len bytes, else from its separate debug file.
 * Returns the length printed, 0 (and "") when no line is known.
 */
int debug_line_sprint(char *buf, size_t size, const unsigned char *img, size_t len,
		      unsigned long pc)
{
	const unsigned char *dimg;
	size_t dlen;
	int n;

	if (!size)
		return 0;
	buf[0] = '\0';
	n = sprint_line_of(buf, size, img, len, pc);
	if (n < 0 && (dimg = map_debug_file(img, len, &dlen))) {
		n = sprint_line_of(buf, size, dimg, dlen, pc);
		sys_munmap((void *)dimg, dlen);
	}
	if (n <= 0)
		buf[0] = '\0';
	return n > 0 ? n : 0;
}
