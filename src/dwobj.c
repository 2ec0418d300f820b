/*
 * dwobj.c - libdwarf's object access interface served by libelf (see
 * dwobj.h for why every libdwarf open in memviz goes through here).
 */
#include <dwarf.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "dwobj.h"
#include "util.h"

/* libdwarf 20210528 reads every DWARF 5 list section header when
 * .debug_info first loads, and on a bad one frees its list of them twice
 * (a missing return in internal_load_{rng,loc}lists_contexts): such a
 * section is refused instead.  Stricter than libdwarf: every header whole,
 * version 5, address size 2, 4 or 8, its offset array inside its unit. */
bool dwobj_list_headers_ok(const uint8_t *p, size_t size)
{
	size_t at = 0;

	while (at < size) {
		uint64_t len, hdr = 4;
		uint32_t l32, count;
		uint16_t ver;

		if (size - at < 4)
			return false;
		memcpy(&l32, p + at, 4);
		len = l32;
		if (l32 == 0xffffffffu) {
			if (size - at < 12)
				return false;
			memcpy(&len, p + at + 4, 8);
			hdr = 12;
		} else if (l32 >= 0xfffffff0u) {
			return false;
		}
		if (len < 8 || len > size - at - hdr)
			return false;
		memcpy(&ver, p + at + hdr, 2);
		memcpy(&count, p + at + hdr + 4, 4);
		uint8_t asz = p[at + hdr + 2];
		if (ver != 5 || (asz != 2 && asz != 4 && asz != 8) || (uint64_t)count * 8 > len - 8)
			return false;
		at += hdr + len;
	}
	return true;
}

static int ob_section_info(void *o, Dwarf_Half i, Dwarf_Obj_Access_Section *ret, int *err)
{
	struct dwobj *ob = o;
	Elf_Scn *scn = i < ob->nsec ? elf_getscn(ob->e, i) : NULL;
	GElf_Shdr sh;
	GElf_Chdr ch;

	(void)err;
	memset(ret, 0, sizeof(*ret));
	if (scn == NULL || gelf_getshdr(scn, &sh) == NULL)
		return DW_DLV_NO_ENTRY;
	ret->addr = sh.sh_addr;
	ret->type = sh.sh_type;
	ret->size = sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size;
	if ((sh.sh_flags & SHF_COMPRESSED) && ret->size)
		ret->size = gelf_getchdr(scn, &ch) ? ch.ch_size : 0;
	ret->name = elf_strptr(ob->e, ob->shstrndx, sh.sh_name);
	if (ret->name == NULL)
		ret->name = "";
	ret->link = sh.sh_link;
	ret->info = sh.sh_info;
	ret->entrysize = sh.sh_entsize;
	ob->size[i] = ret->size;
	return DW_DLV_OK;
}

static Dwarf_Endianness ob_order(void *o)
{
	return ((struct dwobj *)o)->order;
}

static Dwarf_Small ob_length_size(void *o)
{
	(void)o;
	return 4;                 /* 64-bit DWARF announces itself per unit */
}

static Dwarf_Small ob_ptr_size(void *o)
{
	return ((struct dwobj *)o)->ptr_size;
}

static Dwarf_Unsigned ob_count(void *o)
{
	return ((struct dwobj *)o)->nsec;
}

/* Section i's bytes, decompressed; no more than ob_section_info said. */
static const uint8_t *section_data(struct dwobj *ob, size_t i, GElf_Shdr *sh)
{
	Elf_Scn *scn = i < ob->nsec ? elf_getscn(ob->e, i) : NULL;
	Elf_Data *d;

	if (scn == NULL || gelf_getshdr(scn, sh) == NULL || sh->sh_type == SHT_NOBITS)
		return NULL;
	if ((sh->sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0)
		return NULL;
	d = elf_getdata(scn, NULL);
	if (d == NULL || d->d_buf == NULL)
		return NULL;
	sh->sh_size = d->d_size;  /* what there is to read */
	return d->d_buf;
}

static int ob_load(void *o, Dwarf_Half i, Dwarf_Small **data, int *err)
{
	struct dwobj *ob = o;
	GElf_Shdr sh;
	const uint8_t *p = i < ob->nsec && ob->size[i] ? section_data(ob, i, &sh) : NULL;
	const char *name;

	*err = DW_DLE_ELF_SECT_ERR;
	if (p == NULL || sh.sh_size < ob->size[i])
		return DW_DLV_ERROR;
	name = elf_strptr(ob->e, ob->shstrndx, sh.sh_name);
	if (name && (strcmp(name, ".debug_rnglists") == 0 || strcmp(name, ".debug_loclists") == 0) &&
	    !dwobj_list_headers_ok(p, ob->size[i]))
		return DW_DLV_ERROR;
	*data = (Dwarf_Small *)(uintptr_t)p;
	return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods ob_methods = {
	ob_section_info, ob_order, ob_length_size, ob_ptr_size, ob_count, ob_load, NULL,
};

const uint8_t *dwobj_section(struct dwobj *ob, const char *name, size_t *len)
{
	for (size_t i = 1; i < ob->nsec; i++) {
		GElf_Shdr sh;
		const char *n;
		const uint8_t *p;

		if (gelf_getshdr(elf_getscn(ob->e, i), &sh) == NULL ||
		    (n = elf_strptr(ob->e, ob->shstrndx, sh.sh_name)) == NULL || strcmp(n, name) != 0)
			continue;
		if ((p = section_data(ob, i, &sh)) == NULL)
			return NULL;
		*len = sh.sh_size;
		return p;
	}
	return NULL;
}

void dwobj_close(struct dwobj *ob)
{
	Dwarf_Error e = NULL;

	if (ob->dbg)
		dwarf_object_finish(ob->dbg, &e);
	if (ob->e)
		elf_end(ob->e);
	free(ob->size);
	memset(ob, 0, sizeof(*ob));
}

int dwobj_open(struct dwobj *ob, int fd, char **cause)
{
	GElf_Ehdr eh;
	Dwarf_Error e = NULL;
	int res;

	memset(ob, 0, sizeof(*ob));
	elf_version(EV_CURRENT);
	/* ELF_C_READ, not _MMAP: a mapping of libc.so.6 in memviz's own
	 * address space would be one more libc in its /proc/self/maps, and
	 * the tests that read their own maps would see two */
	ob->e = elf_begin(fd, ELF_C_READ, NULL);
	if (ob->e == NULL || elf_kind(ob->e) != ELF_K_ELF || gelf_getehdr(ob->e, &eh) == NULL ||
	    elf_getshdrnum(ob->e, &ob->nsec) != 0 || elf_getshdrstrndx(ob->e, &ob->shstrndx) != 0 ||
	    ob->nsec > 65535) {
		util_cause(cause, "not an ELF file with sections");
		dwobj_close(ob);
		return -1;
	}
	ob->order = eh.e_ident[EI_DATA] == ELFDATA2MSB ? DW_OBJECT_MSB : DW_OBJECT_LSB;
	ob->ptr_size = eh.e_ident[EI_CLASS] == ELFCLASS32 ? 4 : 8;
	ob->size = xcalloc(ob->nsec + 1, sizeof(*ob->size));
	ob->iface.object = ob;
	ob->iface.methods = &ob_methods;
	res = dwarf_object_init_b(&ob->iface, NULL, NULL, DW_GROUPNUMBER_ANY, &ob->dbg, &e);
	if (res != DW_DLV_OK) {
		if (res == DW_DLV_ERROR)
			util_cause(cause, "libdwarf: %s", e ? dwarf_errmsg(e) : "error");
		else
			util_cause(cause, "no DWARF sections");
		if (e)
			dwarf_dealloc(ob->dbg, e, DW_DLA_ERROR);
		ob->dbg = NULL;
		dwobj_close(ob);
		return -1;
	}
	return 0;
}
