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
 * gcc 11 and later) or .debug_str (DW_FORM_strp).  Each unit's program is
 * run as the standard's state machine; the row that covers @pc is the
 * last one at an address <= @pc whose next row in the same sequence is
 * above it (what addr2line prints).  The name is the file's as the table
 * records it, relative to the compilation directory when it lies under it
 * (DWARF 5 records that directory as entry 0; a DWARF 2-4 table leaves it
 * out, and a file of the compilation directory is then its name alone).
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
 *    unit's length, header_length, a string's offset in .debug_line_str)
 *    is checked against its section before use: a malformed or
 *    truncated table ends the lookup of its unit, never reads outside the
 *    mapping;
 *  - a line is printed only from a unit whose program ran to its end
 *    without an error and from a sequence closed by DW_LNE_end_sequence,
 *    with a file entry that resolves; otherwise nothing is printed (no
 *    line rather than a wrong one);
 *  - the cost is bounded by the section's size: every step of a loop
 *    consumes at least one byte of the section, so one lookup is one pass
 *    over .debug_line at most (no index is built: that would allocate).
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
	DW_FORM_block = 0x09, DW_FORM_data1 = 0x0b, DW_FORM_data2 = 0x05, DW_FORM_data4 = 0x06,
	DW_FORM_data8 = 0x07, DW_FORM_data16 = 0x1e, DW_FORM_string = 0x08,
	DW_FORM_strp = 0x0e, DW_FORM_udata = 0x0f, DW_FORM_line_strp = 0x1f,
};

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
	if (!sec->data || off >= sec->size || !memchr(sec->data + off, 0, sec->size - off))
		return NULL;
	return (const char *)sec->data + off;
}

/* -------------------------------------------------------------- ELF -- */

/*
 * The contents of section @name of the ELF image @img, if it is there,
 * inside the image, holds bytes in the file and is not compressed.
 */
static bool elf_section(const unsigned char *img, size_t len, const char *name,
			struct dw_section *sec)
{
	const ElfW(Ehdr) *eh = (const void *)img;
	const ElfW(Shdr) *sh, *strtab;
	unsigned int i;

	sec->data = NULL;
	sec->size = 0;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shentsize != sizeof(*sh) ||
	    eh->e_shoff > len || (size_t)eh->e_shnum * sizeof(*sh) > len - eh->e_shoff ||
	    eh->e_shstrndx >= eh->e_shnum)
		return false;
	sh = (const void *)(img + eh->e_shoff);
	strtab = &sh[eh->e_shstrndx];
	if (strtab->sh_offset > len || strtab->sh_size > len - strtab->sh_offset)
		return false;
	for (i = 0; i < eh->e_shnum; i++) {
		struct dw_section names = { img + strtab->sh_offset, strtab->sh_size };
		const char *n = section_str(&names, sh[i].sh_name);

		if (!n || strcmp(n, name))
			continue;
		if (sh[i].sh_type == SHT_NOBITS || (sh[i].sh_flags & SHF_COMPRESSED) ||
		    sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset)
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

/* One unit's header (DWARF 5 section 6.2.4), as far as a lookup needs it. */
struct line_header {
	unsigned int version, offset_size;
	unsigned int min_inst_len, line_range, opcode_base;
	int line_base;
	const unsigned char *std_lengths;	/* opcode_base - 1 argument counts */
	struct dw_cursor tables;		/* the directory and file tables */
	struct dw_cursor prog;			/* the line number program */
	const struct dw_section *line_str, *str;
};

/*
 * The header of the unit at @c (which ends where the section ends); @c
 * is left at the next unit.  False if the unit cannot be read, and then
 * @c->bad says whether the next unit can be found at all.
 */
static bool read_line_header(struct dw_cursor *c, struct line_header *h)
{
	uint64_t unit_len = dw_u(c, 4), hdr_len;
	struct dw_cursor u;

	h->offset_size = 4;
	if (unit_len == 0xffffffff) {
		unit_len = dw_u(c, 8);
		h->offset_size = 8;
	} else if (unit_len >= 0xfffffff0) {
		dw_fail(c);		/* reserved: the next unit is lost */
		return false;
	}
	if (c->bad || unit_len > (size_t)(c->end - c->p)) {
		dw_fail(c);
		return false;
	}
	u = (struct dw_cursor){ c->p, c->p + unit_len, false };
	c->p += unit_len;

	h->version = (unsigned int)dw_u(&u, 2);
	if (h->version < 2 || h->version > 5)
		return false;
	if (h->version >= 5 && (dw_u(&u, 1) != sizeof(long) || dw_u(&u, 1) != 0))
		return false;	/* address_size, segment_selector_size */
	hdr_len = dw_u(&u, h->offset_size);
	if (u.bad || hdr_len > (size_t)(u.end - u.p))
		return false;
	h->prog = (struct dw_cursor){ u.p + hdr_len, u.end, false };
	u.end = u.p + hdr_len;
	h->min_inst_len = (unsigned int)dw_u(&u, 1);
	if (h->version >= 4 && dw_u(&u, 1) != 1)
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
 * One attribute of a DWARF 5 directory or file entry, in form @form: a
 * string in @str or a number in @num.  False for a form a line table
 * does not use (every form read here takes at least one byte).
 */
static bool read_form(struct dw_cursor *c, uint64_t form, const struct line_header *h,
		      const char **str, uint64_t *num)
{
	*str = NULL;
	*num = 0;
	switch (form) {
	case DW_FORM_string:
		*str = dw_str(c);
		break;
	case DW_FORM_line_strp:
		*str = section_str(h->line_str, dw_u(c, h->offset_size));
		break;
	case DW_FORM_strp:
		*str = section_str(h->str, dw_u(c, h->offset_size));
		break;
	case DW_FORM_udata:
		*num = dw_uleb(c);
		break;
	case DW_FORM_data1:
		*num = dw_u(c, 1);
		break;
	case DW_FORM_data2:
		*num = dw_u(c, 2);
		break;
	case DW_FORM_data4:
		*num = dw_u(c, 4);
		break;
	case DW_FORM_data8:
		*num = dw_u(c, 8);
		break;
	case DW_FORM_data16:
		dw_skip(c, 16);
		break;
	case DW_FORM_block:
		dw_skip(c, dw_uleb(c));
		break;
	default:
		return false;
	}
	return !c->bad;
}

/*
 * DWARF 5: entry @index of the table at @c (its format, then its count
 * and entries), its path and directory index; @c is left after the whole
 * table.  False if the table cannot be read or has no such entry.
 */
static bool v5_entry(struct dw_cursor *c, const struct line_header *h, uint64_t index,
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
	const char *comp_dir = NULL, *dir = NULL, *name;
	uint64_t d;

	if (h->version >= 5) {
		struct dw_cursor dirs = c;
		uint64_t unused;

		if (!v5_entry(&dirs, h, 0, &comp_dir, &unused))
			return -1;
		c = dirs;
		if (!v5_entry(&c, h, file, &name, &d))
			return -1;
		dirs = h->tables;
		if (d && !v5_entry(&dirs, h, d, &dir, &unused))
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

/* The line of @pc in the .debug_line of @img: >0 printed, 0 none, -1 no table. */
static int sprint_line_of(char *buf, size_t size, const unsigned char *img, size_t len,
			  uint64_t pc)
{
	struct dw_section line, line_str, str;
	struct dw_cursor c;

	if (!elf_section(img, len, ".debug_line", &line))
		return -1;
	elf_section(img, len, ".debug_line_str", &line_str);
	elf_section(img, len, ".debug_str", &str);
	c = (struct dw_cursor){ line.data, line.data + line.size, false };
	while (c.p < c.end && !c.bad) {
		struct line_header h = { .line_str = &line_str, .str = &str };
		struct line_row row = { 0, 0, 0 };
		int n;

		if (!read_line_header(&c, &h) || !run_line_program(&h, pc, &row))
			continue;
		if (!row.line || row.line > INT_MAX)	/* code of no source line; garbage */
			return 0;
		n = sprint_file_line(buf, size, &h, row.file, row.line);
		return n > 0 && (size_t)n < size ? n : 0;
	}
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
