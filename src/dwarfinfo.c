/*
 * dwarfinfo.c - the DWARF of one ELF object, read with libdwarf (the
 * 20210528 API) and copied into the plain structs of dwarfinfo.h.
 *
 * libdwarf reads the file through dwobj (its object access interface,
 * served by libelf; see dwobj.h).
 *
 * Opening builds only an index: which compilation unit (CU) covers which
 * pcs.  A big object (libc's 4,000 units) takes it from .debug_aranges; a
 * small one, or one without aranges, from each CU DIE's low/high pc or
 * DW_AT_ranges.  The first query about a pc loads that one unit whole: its
 * line table, its functions (lexical blocks, variables, locations, call
 * sites, inlined functions), its globals, and every type they reach.
 * Measured on libc through libc6-dbg: open 40 ms, then func_at + line_at
 * of malloc 25 ms (mostly zlib: the sections are compressed).  Queries
 * about "everything" (dwarfinfo_funcs, _globals, _line_addrs) load all
 * units: for libc that is 2 s, for it libdwarf finds a DIE by offset with
 * a linear search over the units.
 *
 * Everything we keep lives in one arena freed at once by dwarfinfo_free;
 * libdwarf's own objects (DIEs, attributes, errors, location heads) are
 * released as soon as their content is copied.
 *
 * Types are one map for the whole object, keyed by DIE offset, so types
 * shared between units (DW_FORM_ref_addr) and cyclic types (struct node {
 * struct node *next; }) are one dw_type each.  A type is created as an
 * empty shell, entered in the map and queued; the queue is drained in a
 * loop, so no type graph makes us recurse.
 *
 * Where this follows gdb rather than the letter of DWARF, it says so: file
 * names as gdb prints them, the rows gdb keeps of a line table, the pc of
 * `break FUNC` (prologue analysis included), the pcs of `break FILE:LINE`,
 * the variables a concrete copy of an inline function inherits from its
 * abstract instance, and the type names of `whatis`.
 * tests/unit/test_dwarfinfo.c holds all of it against gdb itself.
 *
 * libdwarf 20210528 bugs worked around here.  Wrong results: a DWARF 5
 * line program's file register starts at 0 instead of 1 (gas never emits
 * DW_LNS_set_file 0, so in a unit whose producer is GNU a row of file 0 is
 * of file 1; clang does use file 0 and is taken as is); DW_OP_addrx and
 * DW_OP_constx come back uncooked (we look the index up in .debug_addr);
 * DW_FORM_implicit_const reads only as signed.  Crashes and hangs on
 * corrupt input, found by tests/fuzz/fuzz_dwarf.c, each avoided by
 * looking first: a double free on a bad .debug_rnglists/.debug_loclists
 * header (dwobj_list_headers_ok), a read past the section on a bad counted
 * expression in a list (list_attr_ok), an endless loop in
 * dwarf_siblingof_b on a DW_AT_sibling naming its own DIE (sibling_safe),
 * endless allocation on a line table header with fieldless file entries
 * (line_program_ok), and its ELF reader allocating whatever a section
 * header claims (we serve the sections with libelf instead).
 *
 * Limits (untrusted input never makes us loop or recurse without bound):
 * DIE nesting is followed MAX_DEPTH deep, DW_AT_abstract_origin and
 * DW_AT_specification chains MAX_HOPS long, an expression keeps MAX_OPS
 * operations, a list MAX_LIST entries, an array MAX_DIMS dimensions, a type
 * name MAX_TYPE_NAME bytes; a sibling that does not move forward ends a
 * DIE list.  Not read: type units (.debug_types, DW_FORM_ref_sig8: such a
 * type is DWT_OTHER "?"), split DWARF (.dwo), relocations of ET_REL
 * objects (code at address 0 is taken as discarded, as gdb does), a struct
 * declared in one unit and defined in another (it stays incomplete, size
 * 0), variable-length array bounds (count unknown), constants larger than
 * 8 bytes (no value), the variables of inlined subroutines (they are no
 * frames here; their code ranges and call sites are kept).
 */
#include <dwarf.h>
#include <libdwarf.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dwarfinfo.h"
#include "dwobj.h"
#include "util.h"

#define MAX_DEPTH 64              /* DIE nesting followed */
#define MAX_HOPS 8                /* abstract_origin / specification chain */
#define MAX_OPS 1024              /* operations kept in one expression */
#define MAX_LIST 65536            /* entries of a location or range list */
#define MAX_DIMS 16               /* array dimensions */
#define MAX_TYPE_DEPTH 64         /* type chains followed when printing */
#define MAX_TYPE_NAME 1024        /* bytes of a type name, then "..." */
#define SMALL_INFO (1u << 20)     /* below this .debug_info size, index by CU DIEs */

/* ---- arena: everything we hand out ---- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

struct arena {
	struct arena_chunk *head;
};

/* n zeroed bytes, aligned for any type, freed with the arena. */
static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;

	if (c == NULL || c->cap - c->used < need) {
		size_t cap = need > 65536 ? need : 65536;
		c = xmalloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += need;
	memset(p, 0, n);
	return p;
}

static void *arena_dup(struct arena *a, const void *p, size_t n)
{
	if (n == 0)
		return NULL;
	void *q = arena_alloc(a, n);
	memcpy(q, p, n);
	return q;
}

static char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_dup(a, s, strlen(s) + 1) : NULL;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;
		free(a->head);
		a->head = next;
	}
}

/* qsort, for arrays that may be empty (and NULL). */
static void sort_v(void *v, size_t n, size_t elem, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, elem, cmp);
}

/* Append one zeroed element to a growable array; returns it. */
static void *vec_push(void *vp, size_t *n, size_t *cap, size_t elem)
{
	void **v = vp;
	util_grow(v, cap, *n + 1, elem);
	void *e = (char *)*v + *n * elem;
	memset(e, 0, elem);
	(*n)++;
	return e;
}

/* ---- the object ---- */

/* A pc range of a unit, for finding the unit of a pc. */
struct cu_range {
	uint64_t lo, hi;
	size_t unit;
};

/* Every range of every function of a unit, sorted by lo. */
struct fn_range {
	uint64_t lo, hi;
	const struct dw_func *f;
};

struct unit {
	Dwarf_Off off;            /* the CU DIE in .debug_info */
	bool loaded;
	unsigned version;
	bool gnu;                 /* produced by GNU tools (gcc, gas) */
	bool clang;
	int gcc_major;            /* 0: not gcc */
	bool has_loclist;         /* a variable or frame base uses a list */
	uint64_t base;            /* DW_AT_low_pc: base of DWARF 4 range lists */
	unsigned addr_size, offset_size;
	uint64_t loclists_base, rnglists_base;  /* DWARF 5 index forms */
	const char *name, *comp_dir;
	const char **files;       /* gdb's name of each line-table file */
	const char **full;        /* the same made absolute with comp_dir */
	int64_t file_base;        /* index of files[0] in the line table */
	size_t nfiles;
	struct dw_line *lines;    /* sorted by address */
	size_t nlines;
	struct dw_func *funcs;
	size_t nfuncs;
	struct fn_range *fr;
	size_t nfr;
	struct dw_var **globals;  /* unit-level and function-static objects */
	size_t nglobals;
};

struct code_sec {                 /* an executable section, for prologues */
	uint64_t addr, size, offset;
};

struct type_slot {
	uint64_t off;
	struct dw_type *t;
};

struct pending {                  /* a type shell still to fill */
	struct dw_type *t;
	Dwarf_Off off;
};

/* The sections we check before libdwarf reads a list or a line program in
 * them. */
enum { RAW_LOCLISTS, RAW_RNGLISTS, RAW_LOC, RAW_RANGES, RAW_LINE, RAW_NSEC };
static const char *const raw_names[RAW_NSEC] = {
	".debug_loclists", ".debug_rnglists", ".debug_loc", ".debug_ranges", ".debug_line",
};

struct raw_sec {
	const uint8_t *p;
	size_t n;
	bool tried;
};

struct dwarfinfo {
	Dwarf_Debug dbg;
	int fd;                   /* the DWARF file (a memfd for memory) */
	struct dwobj obj;         /* the file, as libdwarf reads it */
	struct raw_sec raw[RAW_NSEC];     /* list sections, to check them */
	struct arena ar;
	struct unit *units;
	size_t nunits, capunits;
	struct cu_range *idx;
	size_t nidx, capidx;
	bool all_listed;          /* every CU of .debug_info is in units */
	bool all_loaded;
	bool file0_bug;           /* this libdwarf starts DWARF 5 files at 0 */

	struct type_slot *tmap;   /* open addressing, power-of-two size */
	size_t tmap_n, tmap_cap;
	struct pending *pend;
	size_t npend, cappend;
	struct dw_type **fresh;   /* types made since the last size pass */
	size_t nfresh, capfresh;

	const struct dw_func **funcs_all;
	size_t nfuncs_all;
	struct fn_range *fr_all;
	size_t nfr_all;
	const struct dw_var **globals_all;
	size_t nglobals_all;
	bool all_built;

	/* the machine code, for gdb's prologue analysis */
	struct code_sec *secs;
	size_t nsecs, capsecs;
	char *code_path;
	int code_fd;
	const uint8_t *mem;       /* dwarfinfo_open_memory's image */
	size_t memlen;
};

/* A function-static object already read, by the DIE that defines it (the
 * abstract instance of an inline function and its concrete copies both
 * name it). */
struct static_ref {
	Dwarf_Off off;
	struct dw_var *v;
};

/* While one unit loads: its functions and globals as they are found. */
struct loader {
	struct dwarfinfo *di;
	struct unit *u;
	struct dw_func *funcs;
	size_t nfuncs, capfuncs;
	struct dw_var **globals;
	size_t nglobals, capglobals;
	struct static_ref *sref;  /* function-statics read so far, by DIE */
	size_t nsref, capsref;
	/* the function being read: its call sites and inlined functions */
	struct dw_call_site *calls;
	size_t ncalls, capcalls;
	struct dw_inline *inl;
	size_t ninl, capinl;
};

/* ---- libdwarf helpers: every call gets an error slot, dropped at once ---- */

/* Did a libdwarf call succeed?  Frees the error of a failed one. */
static bool ok(struct dwarfinfo *di, int res, Dwarf_Error *e)
{
	if (res == DW_DLV_ERROR && *e != NULL) {
		dwarf_dealloc(di->dbg, *e, DW_DLA_ERROR);
		*e = NULL;
	}
	return res == DW_DLV_OK;
}

static Dwarf_Half die_tag(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Error e = NULL;
	Dwarf_Half tag = 0;

	return ok(di, dwarf_tag(die, &tag, &e), &e) ? tag : 0;
}

static Dwarf_Off die_off(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0;

	return ok(di, dwarf_dieoffset(die, &off, &e), &e) ? off : 0;
}

/* The offset of the CU DIE of the unit holding die. */
static Dwarf_Off die_unit(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0;

	return ok(di, dwarf_CU_dieoffset_given_die(die, &off, &e), &e) ? off : 0;
}

/* The DIE at a .debug_info offset, or NULL. */
static Dwarf_Die die_at(struct dwarfinfo *di, Dwarf_Off off)
{
	Dwarf_Error e = NULL;
	Dwarf_Die d = NULL;

	return ok(di, dwarf_offdie_b(di->dbg, off, true, &d, &e), &e) ? d : NULL;
}

static bool get_attr(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Half at, Dwarf_Attribute *a)
{
	Dwarf_Error e = NULL;

	return ok(di, dwarf_attr(die, at, a, &e), &e);
}

static Dwarf_Half attr_form(struct dwarfinfo *di, Dwarf_Attribute a)
{
	Dwarf_Error e = NULL;
	Dwarf_Half form = 0;

	return ok(di, dwarf_whatform(a, &form, &e), &e) ? form : 0;
}

static Dwarf_Die first_child(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Error e = NULL;
	Dwarf_Die c = NULL;

	return ok(di, dwarf_child(die, &c, &e), &e) ? c : NULL;
}

/* The DW_AT_sibling libdwarf would follow from this DIE (a unit-local
 * reference form; it ignores DW_FORM_ref_addr), as a .debug_info offset. */
static bool local_sibling(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Off *sib)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Half form;
	bool r;

	if (!get_attr(di, die, DW_AT_sibling, &a))
		return false;
	form = attr_form(di, a);
	r = (form == DW_FORM_ref1 || form == DW_FORM_ref2 || form == DW_FORM_ref4 ||
	     form == DW_FORM_ref8 || form == DW_FORM_ref_udata) &&
	    ok(di, dwarf_global_formref(a, sib, &e), &e);
	dwarf_dealloc_attribute(a);
	return r;
}

/* Will dwarf_siblingof_b(die) come back?  For a DIE with children and no
 * DW_AT_sibling it walks all the descendants, following their
 * DW_AT_sibling; libdwarf 20210528 stops on one that points back, but
 * loops forever on one that points at its own DIE.  So we walk first,
 * the same way (it is our own walk that is bounded), and look; on any
 * error in there we do not ask. */
static bool sibling_safe(struct dwarfinfo *di, Dwarf_Die die, int depth)
{
	Dwarf_Error e = NULL;
	Dwarf_Half kids = 0;
	Dwarf_Off sib;
	Dwarf_Die c;

	if (!ok(di, dwarf_die_abbrev_children_flag(die, &kids), &e) || !kids ||
	    local_sibling(di, die, &sib))
		return true;            /* no walk: a step, or one jump */
	if (depth > MAX_DEPTH)
		return false;
	for (c = first_child(di, die); c;) {
		Dwarf_Off at = die_off(di, c);
		Dwarf_Die n = NULL;
		if ((local_sibling(di, c, &sib) && sib == at) || !sibling_safe(di, c, depth + 1)) {
			dwarf_dealloc_die(c);
			return false;
		}
		int res = dwarf_siblingof_b(di->dbg, c, true, &n, &e);
		dwarf_dealloc_die(c);
		if (res == DW_DLV_NO_ENTRY)
			break;          /* the end of the list */
		if (!ok(di, res, &e))
			return false;   /* corrupt: libdwarf's own walk may differ (it
					   half-reads a bad abbreviation table) */
		if (die_off(di, n) <= at) {
			dwarf_dealloc_die(n);
			return false;
		}
		c = n;
	}
	return true;
}

/* The sibling after die, or NULL; frees die.  A sibling that does not
 * move forward (a corrupt DW_AT_sibling) ends the list, and so does one
 * libdwarf would never find (sibling_safe). */
static Dwarf_Die next_sibling(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Error e = NULL;
	Dwarf_Die s = NULL;
	Dwarf_Off at = die_off(di, die);
	int res;

	if (!sibling_safe(di, die, 0)) {
		dwarf_dealloc_die(die);
		return NULL;
	}
	res = dwarf_siblingof_b(di->dbg, die, true, &s, &e);

	dwarf_dealloc_die(die);
	if (!ok(di, res, &e))
		return NULL;
	if (die_off(di, s) <= at) {
		dwarf_dealloc_die(s);
		return NULL;
	}
	return s;
}

static bool has_attr(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Error e = NULL;
	Dwarf_Bool b = 0;

	return ok(di, dwarf_hasattr(die, at, &b, &e), &e) && b;
}

/* An unsigned constant attribute. */
static bool attr_u(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Half at, uint64_t *out)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Unsigned v = 0;
	bool r;

	if (!get_attr(di, die, at, &a))
		return false;
	if (attr_form(di, a) == DW_FORM_implicit_const) {
		/* this libdwarf reads DWARF 5 implicit constants only as signed */
		Dwarf_Signed s = 0;
		r = ok(di, dwarf_formsdata(a, &s, &e), &e);
		v = (Dwarf_Unsigned)s;
	} else {
		r = ok(di, dwarf_formudata(a, &v, &e), &e);
	}
	dwarf_dealloc_attribute(a);
	if (r)
		*out = v;
	return r;
}

static bool attr_flag(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Bool b = 0;
	bool r;

	if (!get_attr(di, die, at, &a))
		return false;
	r = ok(di, dwarf_formflag(a, &b, &e), &e);
	dwarf_dealloc_attribute(a);
	return r && b;
}

/* A string attribute, copied into the arena; NULL if absent. */
static char *attr_str(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Half at)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	char *s = NULL;
	char *r = NULL;

	if (!get_attr(di, die, at, &a))
		return NULL;
	if (ok(di, dwarf_formstring(a, &s, &e), &e))
		r = arena_strdup(&di->ar, s);
	dwarf_dealloc_attribute(a);
	return r;
}

/* A reference attribute as a .debug_info offset. */
static bool attr_ref(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Half at, Dwarf_Off *out)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0;
	bool r;

	if (!get_attr(di, die, at, &a))
		return false;
	r = ok(di, dwarf_global_formref(a, &off, &e), &e);
	dwarf_dealloc_attribute(a);
	if (r)
		*out = off;
	return r;
}

static bool attr_addr(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Half at, uint64_t *out)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Addr v = 0;
	bool r;

	if (!get_attr(di, die, at, &a))
		return false;
	r = ok(di, dwarf_formaddr(a, &v, &e), &e);
	dwarf_dealloc_attribute(a);
	if (r)
		*out = v;
	return r;
}

/* The raw bytes of an exprloc or block attribute (libdwarf's memory). */
static bool attr_block(struct dwarfinfo *di, Dwarf_Attribute a, const uint8_t **p, size_t *len)
{
	Dwarf_Error e = NULL;
	Dwarf_Unsigned n = 0;
	Dwarf_Ptr ptr = NULL;
	Dwarf_Block *b = NULL;
	Dwarf_Half form = attr_form(di, a);

	if (form == DW_FORM_exprloc) {
		if (!ok(di, dwarf_formexprloc(a, &n, &ptr, &e), &e))
			return false;
		*p = ptr;
		*len = n;
		return true;
	}
	if (!ok(di, dwarf_formblock(a, &b, &e), &e))
		return false;
	*p = b->bl_data;
	*len = b->bl_len;
	dwarf_dealloc(di->dbg, b, DW_DLA_BLOCK);
	return true;
}

static uint64_t uleb(const uint8_t *p, size_t len, size_t *used)
{
	uint64_t v = 0;
	unsigned shift = 0;
	size_t i = 0;

	while (i < len) {
		uint8_t b = p[i++];
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	*used = i;
	return v;
}

/* ---- guarding libdwarf's list readers ----
 *
 * libdwarf 20210528 reads location and range list entries without
 * checking that a counted expression stays inside the section (a corrupt
 * length makes it read far past it).  So before it reads a list, we walk
 * the list's entries ourselves, with bounds, up to its end-of-list entry;
 * a list that does not hold together is taken as absent. */

/* The bytes of one of the list sections (decompressed by libelf, the same
 * buffer libdwarf will get from obj_load), or NULL. */
static const uint8_t *raw_section(struct dwarfinfo *di, int which, size_t *n)
{
	struct raw_sec *r = &di->raw[which];

	if (!r->tried) {
		r->tried = true;
		r->p = dwobj_section(&di->obj, raw_names[which], &r->n);
	}
	*n = r->p ? r->n : 0;
	return r->p;
}

struct rd {                       /* a bounded cursor */
	const uint8_t *p;
	size_t n, at;
	bool bad;
};

static void rd_skip(struct rd *r, uint64_t k)
{
	if (r->bad || k > r->n - r->at)
		r->bad = true;
	else
		r->at += k;
}

static void rd_uleb(struct rd *r)
{
	while (!r->bad && r->at < r->n && (r->p[r->at] & 0x80))
		r->at++;
	rd_skip(r, 1);
}

static uint64_t rd_fixed(struct rd *r, unsigned size)
{
	uint64_t v = 0;

	if (r->bad || size > 8 || size > r->n - r->at) {
		r->bad = true;
		return 0;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)r->p[r->at + i] << (8 * i);
	r->at += size;
	return v;
}

/* A counted DWARF 5 location description: ULEB length, bytes. */
static void rd_expr(struct rd *r)
{
	size_t at = r->at;
	uint64_t len = 0;
	unsigned shift = 0;

	rd_uleb(r);
	for (size_t i = at; !r->bad && i < r->at && shift < 64; i++, shift += 7)
		len |= (uint64_t)(r->p[i] & 0x7f) << shift;
	rd_skip(r, len);
}

/* One DWARF 5 list entry (DW_LLE_* or DW_RLE_*); false at its end-of-list
 * entry or on a kind we do not know. */
static bool list5_entry(struct rd *r, unsigned asz, bool loc, bool *end)
{
	uint8_t kind = (uint8_t)rd_fixed(r, 1);

	*end = kind == 0;
	if (kind == 0 || r->bad)
		return !r->bad;
	if (!loc) {
		switch (kind) {
		case DW_RLE_base_addressx: rd_uleb(r); return true;
		case DW_RLE_startx_endx: case DW_RLE_startx_length: case DW_RLE_offset_pair:
			rd_uleb(r); rd_uleb(r); return true;
		case DW_RLE_base_address: rd_skip(r, asz); return true;
		case DW_RLE_start_end: rd_skip(r, 2 * asz); return true;
		case DW_RLE_start_length: rd_skip(r, asz); rd_uleb(r); return true;
		}
		return false;
	}
	switch (kind) {
	case DW_LLE_base_addressx: rd_uleb(r); return true;
	case DW_LLE_startx_endx: case DW_LLE_startx_length: case DW_LLE_offset_pair:
		rd_uleb(r); rd_uleb(r); rd_expr(r); return true;
	case DW_LLE_default_location: rd_expr(r); return true;
	case DW_LLE_base_address: rd_skip(r, asz); return true;
	case DW_LLE_start_end: rd_skip(r, 2 * asz); rd_expr(r); return true;
	case DW_LLE_start_length: rd_skip(r, asz); rd_uleb(r); rd_expr(r); return true;
	case 0x09:              /* DW_LLE_GNU_view_pair (gcc's location views) */
		rd_uleb(r); rd_uleb(r); return true;
	}
	return false;
}

/* Does the DWARF 5 list at off hold together up to its end-of-list? */
static bool list5_ok(const uint8_t *p, size_t n, uint64_t off, unsigned asz, bool loc)
{
	struct rd r = { p, n, 0, off > n };
	bool end = false;

	rd_skip(&r, off);
	for (unsigned k = 0; k < MAX_LIST && list5_entry(&r, asz, loc, &end) && !r.bad; k++)
		if (end)
			return true;
	return false;
}

/* The same for a DWARF 2-4 list (.debug_loc, .debug_ranges): address
 * pairs, a base selection (begin all ones), (0, 0) at the end; a location
 * list's entries carry a 2-byte counted expression. */
static bool list4_ok(const uint8_t *p, size_t n, uint64_t off, unsigned asz, bool loc)
{
	struct rd r = { p, n, 0, off > n || asz == 0 || asz > 8 };
	uint64_t ones = asz >= 8 ? UINT64_MAX : (1ull << (8 * asz)) - 1;

	rd_skip(&r, off);
	for (unsigned k = 0; k < MAX_LIST && !r.bad; k++) {
		uint64_t b = rd_fixed(&r, asz), e = rd_fixed(&r, asz);
		if (r.bad)
			return false;
		if (b == 0 && e == 0)
			return true;
		if (b != ones && loc)
			rd_skip(&r, rd_fixed(&r, 2));
	}
	return false;
}

/* The offset a DW_FORM_loclistx / rnglistx index stands for: the unit's
 * offset table at `base` (the header's entry count just before it). */
static bool index_offset(const uint8_t *p, size_t n, uint64_t base, uint64_t index,
			 unsigned offsz, uint64_t *off)
{
	struct rd r = { p, n, 0, base < 4 || base > n };
	uint64_t count;

	rd_skip(&r, base - 4);
	count = rd_fixed(&r, 4);
	if (r.bad || index >= count || offsz > 8 || index > (n - base) / (offsz ? offsz : 1))
		return false;
	rd_skip(&r, index * offsz);
	*off = base + rd_fixed(&r, offsz);
	return !r.bad;
}

/* May libdwarf read the list attribute a of a DIE of unit u?  Expression
 * forms always; list forms when the list holds together. */
static bool list_attr_ok(struct dwarfinfo *di, const struct unit *u, Dwarf_Attribute a, bool loc)
{
	Dwarf_Error e = NULL;
	Dwarf_Half form = attr_form(di, a);
	Dwarf_Unsigned val = 0;
	Dwarf_Off ref = 0;
	const uint8_t *p;
	size_t n = 0;
	uint64_t off;

	switch (form) {
	case DW_FORM_exprloc: case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4:
	case DW_FORM_block:
		return loc;
	case DW_FORM_loclistx: case DW_FORM_rnglistx:
		if (u == NULL || !ok(di, dwarf_formudata(a, &val, &e), &e))
			return false;
		p = raw_section(di, loc ? RAW_LOCLISTS : RAW_RNGLISTS, &n);
		return p && index_offset(p, n, loc ? u->loclists_base : u->rnglists_base, val,
					 u->offset_size, &off) &&
		       list5_ok(p, n, off, u->addr_size, loc);
	case DW_FORM_sec_offset: case DW_FORM_data4: case DW_FORM_data8:
		if (u == NULL || (form != DW_FORM_sec_offset && u->version >= 4) ||
		    !ok(di, dwarf_global_formref(a, &ref, &e), &e))
			return false;
		off = ref;
		if (u->version >= 5) {
			p = raw_section(di, loc ? RAW_LOCLISTS : RAW_RNGLISTS, &n);
			return p && list5_ok(p, n, off, u->addr_size, loc);
		}
		p = raw_section(di, loc ? RAW_LOC : RAW_RANGES, &n);
		return p && list4_ok(p, n, off, u->addr_size, loc);
	}
	return false;
}

/* The unit's layout: what reading its lists needs. */
static void unit_bases(struct dwarfinfo *di, struct unit *u, Dwarf_Die cu)
{
	Dwarf_Error e = NULL;
	Dwarf_Half ver = 0, offsz = 0, asz = 0;
	Dwarf_Off off;

	if (dwarf_get_version_of_die(cu, &ver, &offsz) == DW_DLV_OK) {
		u->version = ver;
		u->offset_size = offsz;
	}
	u->addr_size = ok(di, dwarf_get_die_address_size(cu, &asz, &e), &e) ? asz : 8;
	if (!attr_addr(di, cu, DW_AT_low_pc, &u->base))
		u->base = 0;
	if (attr_ref(di, cu, DW_AT_loclists_base, &off))
		u->loclists_base = off;
	if (attr_ref(di, cu, DW_AT_rnglists_base, &off))
		u->rnglists_base = off;
}

/* ---- guarding libdwarf's line program reader ----
 *
 * libdwarf 20210528 trusts a line program header: a DWARF 5 file table
 * whose entries have no fields at all (format count 0) and a huge count
 * makes it allocate without end, a line_range or maximum_operations of 0
 * divides by zero.  We read the header and the opcodes first, with
 * bounds. */

static void rd_cstr(struct rd *r)
{
	while (!r->bad && r->at < r->n && r->p[r->at] != 0)
		r->at++;
	rd_skip(r, 1);
}

static uint64_t rd_uleb_v(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (!r->bad) {
		uint8_t b = (uint8_t)rd_fixed(r, 1);
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	return v;
}

/* One field of a DWARF 5 directory or file entry, by its form. */
static bool line_form(struct rd *r, uint64_t form, unsigned offsz)
{
	switch (form) {
	case DW_FORM_string: rd_cstr(r); return true;
	case DW_FORM_line_strp: case DW_FORM_strp: case DW_FORM_sec_offset:
		rd_skip(r, offsz); return true;
	case DW_FORM_strx: case DW_FORM_udata: rd_uleb(r); return true;
	case DW_FORM_strx1: case DW_FORM_data1: rd_skip(r, 1); return true;
	case DW_FORM_strx2: case DW_FORM_data2: rd_skip(r, 2); return true;
	case DW_FORM_strx3: rd_skip(r, 3); return true;
	case DW_FORM_strx4: case DW_FORM_data4: rd_skip(r, 4); return true;
	case DW_FORM_data8: rd_skip(r, 8); return true;
	case DW_FORM_data16: rd_skip(r, 16); return true;
	case DW_FORM_block: rd_skip(r, rd_uleb_v(r)); return true;
	}
	return false;
}

/* A DWARF 5 directory or file table: its formats, then its entries (each
 * of which must take some bytes). */
static bool line_table5(struct rd *r, unsigned offsz)
{
	uint64_t forms[32];
	unsigned nf = (unsigned)rd_fixed(r, 1);
	uint64_t count;

	if (nf > 16)
		return false;
	for (unsigned i = 0; i < nf; i++) {
		rd_uleb(r);
		forms[i] = rd_uleb_v(r);
	}
	count = rd_uleb_v(r);
	if (r->bad || (nf == 0 && count) || count > r->n - r->at)
		return false;
	for (uint64_t k = 0; k < count && !r->bad; k++)
		for (unsigned i = 0; i < nf; i++)
			if (!line_form(r, forms[i], offsz))
				return false;
	return !r->bad;
}

/* What the opcodes of a line program need from its header. */
struct line_hdr {
	size_t prog, end;         /* the opcodes: [prog, end) */
	unsigned asz;             /* address size */
	unsigned base;            /* opcode_base */
	const uint8_t *lens;      /* standard_opcode_lengths[base - 1] */
};

/* The header of the line program at the cursor, up to its opcodes. */
static bool line_header_ok(struct rd *r, unsigned cu_asz, struct line_hdr *h)
{
	uint64_t len, hlen;
	unsigned offsz = 4, ver;

	len = rd_fixed(r, 4);
	if (len == 0xffffffffu) {
		len = rd_fixed(r, 8);
		offsz = 8;
	} else if (len >= 0xfffffff0u) {
		return false;
	}
	if (r->bad || len > r->n - r->at)
		return false;
	h->end = r->at + len;
	r->n = h->end;                  /* nothing of it reads past its unit */
	ver = (unsigned)rd_fixed(r, 2);
	h->asz = cu_asz;
	if (ver < 2 || ver > 5)
		return false;
	if (ver >= 5) {
		h->asz = (unsigned)rd_fixed(r, 1);
		rd_skip(r, 1);
	}
	hlen = rd_fixed(r, offsz);
	if (r->bad || hlen > r->n - r->at)
		return false;
	h->prog = r->at + hlen;
	r->n = h->prog;                 /* the tables stay in the header */
	rd_skip(r, 1);                  /* minimum_instruction_length */
	if (ver >= 4 && rd_fixed(r, 1) == 0)
		return false;           /* maximum_operations_per_instruction */
	rd_skip(r, 2);                  /* default_is_stmt, line_base */
	unsigned range = (unsigned)rd_fixed(r, 1);
	h->base = (unsigned)rd_fixed(r, 1);
	if (r->bad || range == 0 || h->base == 0 || (h->asz != 4 && h->asz != 8))
		return false;
	h->lens = r->p + r->at;
	rd_skip(r, h->base - 1);        /* standard_opcode_lengths */
	if (ver >= 5)
		return line_table5(r, offsz) && line_table5(r, offsz);
	while (!r->bad && r->at < r->n && r->p[r->at])
		rd_cstr(r);             /* include_directories */
	rd_skip(r, 1);
	while (!r->bad && r->at < r->n && r->p[r->at]) {
		rd_cstr(r);             /* file_names */
		rd_uleb(r);
		rd_uleb(r);
		rd_uleb(r);
	}
	rd_skip(r, 1);
	return !r->bad;
}

/* Does the line program at off hold together: header, then opcodes each
 * inside the unit? */
static bool line_program_ok(const uint8_t *p, size_t n, uint64_t off, unsigned cu_asz)
{
	struct rd r = { p, n, 0, off > n };
	struct line_hdr h;

	rd_skip(&r, off);
	if (!line_header_ok(&r, cu_asz, &h))
		return false;
	r.n = h.end;
	r.at = h.prog;
	while (!r.bad && r.at < h.end) {
		uint8_t op = (uint8_t)rd_fixed(&r, 1);
		if (op >= h.base)
			continue;       /* a special opcode */
		if (op == 0) {          /* extended: length, sub-opcode, operands */
			uint64_t len = rd_uleb_v(&r);
			if (r.bad || len == 0 || len > h.end - r.at)
				return false;
			if (r.p[r.at] == DW_LNE_set_address && len - 1 < h.asz)
				return false;
			rd_skip(&r, len);
			continue;
		}
		switch (op) {
		case DW_LNS_copy: case DW_LNS_negate_stmt: case DW_LNS_set_basic_block:
		case DW_LNS_const_add_pc: case DW_LNS_set_prologue_end:
		case DW_LNS_set_epilogue_begin:
			break;
		case DW_LNS_advance_pc: case DW_LNS_advance_line: case DW_LNS_set_file:
		case DW_LNS_set_column: case DW_LNS_set_isa:
			rd_uleb(&r);
			break;
		case DW_LNS_fixed_advance_pc:
			rd_skip(&r, 2);
			break;
		default:                /* unknown: its operands are ULEBs */
			for (unsigned i = 0; i < h.lens[op - 1]; i++)
				rd_uleb(&r);
			break;
		}
	}
	return !r.bad;
}

/* ---- pc ranges ---- */

struct rvec {
	struct dw_range *v;
	size_t n, cap;
};

static void rvec_add(struct rvec *r, uint64_t lo, uint64_t hi)
{
	/* gdb ignores code at 0 in objects without a section there, and so
	 * do we: it is what the linker leaves of discarded functions */
	if (lo == 0 || hi <= lo || r->n >= MAX_LIST)
		return;
	struct dw_range *x = vec_push(&r->v, &r->n, &r->cap, sizeof(*r->v));
	x->lo = lo;
	x->hi = hi;
}

/* DWARF 5 DW_AT_ranges: a .debug_rnglists list, cooked by libdwarf. */
static void rnglists(struct dwarfinfo *di, Dwarf_Attribute a, struct rvec *r)
{
	Dwarf_Error e = NULL;
	Dwarf_Half form = attr_form(di, a);
	Dwarf_Unsigned val = 0, count = 0, goff = 0;
	Dwarf_Off off = 0;
	Dwarf_Rnglists_Head head = NULL;

	if (form == DW_FORM_rnglistx) {
		if (!ok(di, dwarf_formudata(a, &val, &e), &e))
			return;
	} else {
		if (!ok(di, dwarf_global_formref(a, &off, &e), &e))
			return;
		val = off;
	}
	if (!ok(di, dwarf_rnglists_get_rle_head(a, form, val, &head, &count, &goff, &e), &e))
		return;
	for (Dwarf_Unsigned i = 0; i < count && i < MAX_LIST; i++) {
		unsigned len = 0, code = 0;
		Dwarf_Unsigned raw1 = 0, raw2 = 0, lo = 0, hi = 0;
		Dwarf_Bool unavail = 0;

		if (!ok(di, dwarf_get_rnglists_entry_fields_a(head, i, &len, &code, &raw1,
				&raw2, &unavail, &lo, &hi, &e), &e))
			break;
		if (unavail)
			continue;
		switch (code) {
		case DW_RLE_offset_pair: case DW_RLE_startx_endx: case DW_RLE_startx_length:
		case DW_RLE_start_end: case DW_RLE_start_length:
			rvec_add(r, lo, hi);
			break;
		}
	}
	dwarf_dealloc_rnglists_head(head);
}

/* DWARF 2-4 DW_AT_ranges: a .debug_ranges list, relative to the unit's
 * base address unless an entry selects another. */
static void debug_ranges(struct loader *L, Dwarf_Die die, Dwarf_Attribute a, struct rvec *r)
{
	struct dwarfinfo *di = L->di;
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0, real = 0;
	Dwarf_Ranges *rb = NULL;
	Dwarf_Signed n = 0;
	Dwarf_Unsigned bytes = 0;
	uint64_t base = L->u->base;

	if (!ok(di, dwarf_global_formref(a, &off, &e), &e))
		return;
	if (!ok(di, dwarf_get_ranges_b(di->dbg, off, die, &real, &rb, &n, &bytes, &e), &e))
		return;
	for (Dwarf_Signed i = 0; i < n && i < MAX_LIST; i++) {
		if (rb[i].dwr_type == DW_RANGES_ADDRESS_SELECTION)
			base = rb[i].dwr_addr2;
		else if (rb[i].dwr_type == DW_RANGES_ENTRY)
			rvec_add(r, base + rb[i].dwr_addr1, base + rb[i].dwr_addr2);
		else
			break;
	}
	dwarf_ranges_dealloc(di->dbg, rb, n);
}

/* The pcs of a DIE: DW_AT_low_pc/DW_AT_high_pc, or DW_AT_ranges.  *first
 * gets the first range as listed (the entry part of a split function).
 * Returns false if the DIE has no pc attribute at all. */
static bool die_ranges(struct loader *L, Dwarf_Die die, struct rvec *r, struct dw_range *first)
{
	struct dwarfinfo *di = L->di;
	Dwarf_Error e = NULL;
	Dwarf_Addr lo = 0, hi = 0;
	Dwarf_Half form = 0;
	enum Dwarf_Form_Class cls = DW_FORM_CLASS_UNKNOWN;
	Dwarf_Attribute a;
	size_t n0 = r->n;

	/* DW_AT_ranges first: a CU with ranges also has DW_AT_low_pc, as the
	 * base address of its lists (0 in gcc's -O2 units), and no high pc */
	if (get_attr(di, die, DW_AT_ranges, &a)) {
		if (!list_attr_ok(di, die_unit(di, die) == L->u->off ? L->u : NULL, a, false))
			;       /* a list that does not hold together: no pcs */
		else if (L->u->version >= 5)
			rnglists(di, a, r);
		else
			debug_ranges(L, die, a, r);
		dwarf_dealloc_attribute(a);
	} else if (ok(di, dwarf_lowpc(die, &lo, &e), &e)) {
		if (ok(di, dwarf_highpc_b(die, &hi, &form, &cls, &e), &e)) {
			if (cls != DW_FORM_CLASS_ADDRESS)
				hi += lo;
			rvec_add(r, lo, hi);
		}
	} else {
		return false;
	}
	if (r->n > n0 && first)
		*first = r->v[n0];
	return true;
}

static int range_cmp(const void *a, const void *b)
{
	const struct dw_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort a range list and move it into the arena. */
static struct dw_range *ranges_keep(struct dwarfinfo *di, struct rvec *r, size_t *n)
{
	struct dw_range *v;

	sort_v(r->v, r->n, sizeof(*r->v), range_cmp);
	v = arena_dup(&di->ar, r->v, r->n * sizeof(*r->v));
	*n = r->n;
	free(r->v);
	memset(r, 0, sizeof(*r));
	return v;
}

static bool in_ranges(const struct dw_range *r, size_t n, uint64_t pc)
{
	for (size_t i = 0; i < n; i++)
		if (pc >= r[i].lo && pc < r[i].hi)
			return true;
	return false;
}

/* ---- expressions ---- */

static bool op_has_block(uint8_t op)
{
	return op == DW_OP_implicit_value || op == DW_OP_entry_value ||
	       op == DW_OP_GNU_entry_value;
}

/* One operation from libdwarf's decoding into a dw_op (conventions in
 * dwarfinfo.h).  Block operands are copied into the arena; an index into
 * .debug_addr (DW_OP_addrx, DW_OP_constx: this libdwarf does not cook
 * them) is looked up through die's unit.  false if it cannot be. */
static bool op_convert(struct dwarfinfo *di, Dwarf_Die die, struct dw_op *o, Dwarf_Small atom,
		       Dwarf_Unsigned o1, Dwarf_Unsigned o2, Dwarf_Unsigned o3)
{
	Dwarf_Error e = NULL;
	Dwarf_Addr addr = 0;

	o->op = atom;
	o->a = o1;
	o->b = o2;
	if (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) {
		o->a = 0;
	} else if (op_has_block(atom)) {
		if (o2 && o1 <= MAX_LIST) {
			o->block = arena_dup(&di->ar, (const void *)(uintptr_t)o2, o1);
			o->blen = o1;
		}
		o->a = o->b = 0;
	} else if (atom == DW_OP_const_type || atom == DW_OP_GNU_const_type) {
		if (o3 && o2 <= 255) {
			o->block = arena_dup(&di->ar, (const void *)(uintptr_t)o3, o2);
			o->blen = o2;
		}
		o->b = 0;
	} else if (atom == DW_OP_addrx || atom == DW_OP_GNU_addr_index ||
		   atom == DW_OP_constx || atom == DW_OP_GNU_const_index) {
		if (!ok(di, dwarf_debug_addr_index_to_addr(die, o1, &addr, &e), &e))
			return false;
		o->op = atom == DW_OP_addrx || atom == DW_OP_GNU_addr_index ? DW_OP_addr
									   : DW_OP_const8u;
		o->a = addr;
		o->b = 0;
	} else if (atom == DW_OP_skip || atom == DW_OP_bra) {
		o->a = (uint64_t)(int64_t)(int16_t)(uint16_t)o1;
	}
	return true;
}

/* Resolve DW_OP_skip/DW_OP_bra targets to operation indexes, as
 * dwexpr_decode does; false if one lands inside an operation or outside
 * the expression (the expression is then malformed).  The end of the
 * expression is known only as "after the last operation". */
static bool branch_targets(struct dw_op *ops, const uint64_t *offs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ops[i].op != DW_OP_skip && ops[i].op != DW_OP_bra)
			continue;
		uint64_t to = offs[i] + 3 + ops[i].a;
		ops[i].b = UINT64_MAX;
		for (size_t k = 0; k < n; k++)
			if (offs[k] == to)
				ops[i].b = k;
		if (ops[i].b == UINT64_MAX && to > offs[n - 1] && to <= offs[n - 1] + 16)
			ops[i].b = n;
		if (ops[i].b == UINT64_MAX)
			return false;
	}
	return true;
}

/* The operations of one location description. */
static struct dw_op *desc_ops(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Locdesc_c desc,
			      Dwarf_Unsigned n, size_t *nops)
{
	struct dw_op *ops;
	uint64_t *offs;
	size_t k = 0;

	*nops = 0;
	if (n == 0)
		return NULL;
	if (n > MAX_OPS)
		n = MAX_OPS;
	ops = arena_alloc(&di->ar, n * sizeof(*ops));
	offs = xcalloc(n, sizeof(*offs));
	for (Dwarf_Unsigned j = 0; j < n; j++) {
		Dwarf_Error e = NULL;
		Dwarf_Small atom = 0;
		Dwarf_Unsigned o1 = 0, o2 = 0, o3 = 0, r1 = 0, r2 = 0, r3 = 0, boff = 0;

		if (!ok(di, dwarf_get_location_op_value_d(desc, j, &atom, &o1, &o2, &o3,
				&r1, &r2, &r3, &boff, &e), &e))
			break;
		if (!op_convert(di, die, &ops[k], atom, o1, o2, o3)) {
			k = 0;          /* an address we cannot know: no location */
			break;
		}
		offs[k++] = boff;
	}
	if (k && !branch_targets(ops, offs, k))
		k = 0;
	free(offs);
	*nops = k;
	return k ? ops : NULL;
}

/* Should this entry of a list be kept, and over which pcs? */
static bool entry_range(unsigned kind, Dwarf_Small lle, Dwarf_Bool unavail,
			Dwarf_Addr lo, Dwarf_Addr hi, struct dw_expr *x)
{
	if (kind == DW_LKIND_expression) {
		x->lo = 0;
		x->hi = UINT64_MAX;
		return true;
	}
	if (unavail)
		return false;
	if (kind == DW_LKIND_loclists && lle == DW_LLE_default_location) {
		x->lo = 0;
		x->hi = UINT64_MAX;
		return true;
	}
	if (kind == DW_LKIND_loclists && lle != DW_LLE_offset_pair &&
	    lle != DW_LLE_startx_endx && lle != DW_LLE_startx_length &&
	    lle != DW_LLE_start_end && lle != DW_LLE_start_length)
		return false;
	if (kind != DW_LKIND_loclists && (lle == DW_LLEX_end_of_list_entry ||
	    lle == DW_LLEX_base_address_selection_entry))
		return false;
	if (hi <= lo)
		return false;
	x->lo = lo;
	x->hi = hi;
	return true;
}

static int expr_default_last(const void *a, const void *b)
{
	const struct dw_expr *x = a, *y = b;
	bool dx = x->lo == 0 && x->hi == UINT64_MAX, dy = y->lo == 0 && y->hi == UINT64_MAX;

	if (dx != dy)
		return dx - dy;
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* A location attribute (exprloc, block or location list) into a dw_expr
 * list.  *is_list: it was a list (gdb's "has_loclist"). */
static struct dw_expr *read_loc(struct dwarfinfo *di, const struct unit *u, Dwarf_Die die,
			       Dwarf_Attribute a, size_t *n, bool *is_list)
{
	Dwarf_Error e = NULL;
	Dwarf_Loc_Head_c head = NULL;
	Dwarf_Unsigned count = 0;
	unsigned kind = DW_LKIND_unknown;
	struct dw_expr *v = NULL;
	size_t k = 0;

	*n = 0;
	if (!list_attr_ok(di, u, a, true) || !ok(di, dwarf_get_loclist_c(a, &head, &count, &e), &e))
		return NULL;
	if (!ok(di, dwarf_get_loclist_head_kind(head, &kind, &e), &e) || count == 0)
		goto out;
	if (is_list && kind != DW_LKIND_expression)
		*is_list = true;
	if (count > MAX_LIST)
		count = MAX_LIST;
	v = arena_alloc(&di->ar, count * sizeof(*v));
	for (Dwarf_Unsigned i = 0; i < count; i++) {
		Dwarf_Small lle = 0, src = 0;
		Dwarf_Unsigned rawlo = 0, rawhi = 0, nops = 0, exoff = 0, ldoff = 0;
		Dwarf_Bool unavail = 0;
		Dwarf_Addr lo = 0, hi = 0;
		Dwarf_Locdesc_c desc = NULL;

		if (!ok(di, dwarf_get_locdesc_entry_d(head, i, &lle, &rawlo, &rawhi, &unavail,
				&lo, &hi, &nops, &desc, &src, &exoff, &ldoff, &e), &e))
			break;
		if (!entry_range(kind, lle, unavail, lo, hi, &v[k]))
			continue;
		v[k].ops = desc_ops(di, die, desc, nops, &v[k].nops);
		k++;
	}
	sort_v(v, k, sizeof(*v), expr_default_last);
	*n = k;
out:
	dwarf_loc_head_c_dealloc(head);
	return k ? v : NULL;
}

/* The location attribute `at` of a DIE, or NULL. */
static struct dw_expr *die_loc(struct loader *L, Dwarf_Die die, Dwarf_Half at, size_t *n)
{
	Dwarf_Attribute a;
	struct dw_expr *v;
	bool list = false;

	*n = 0;
	if (!get_attr(L->di, die, at, &a))
		return NULL;
	/* a list is read with the bases of its own unit: we know ours */
	v = read_loc(L->di, die_unit(L->di, die) == L->u->off ? L->u : NULL, die, a, n, &list);
	dwarf_dealloc_attribute(a);
	if (list && at == DW_AT_location)
		L->u->has_loclist = true;       /* gdb counts variables' lists only */
	return v;
}

/* Does the DIE's attribute `at` use a location list (without reading it)? */
static bool is_loclist_form(struct dwarfinfo *di, Dwarf_Die die, Dwarf_Half at, unsigned version)
{
	Dwarf_Attribute a;
	Dwarf_Half form;

	if (!get_attr(di, die, at, &a))
		return false;
	form = attr_form(di, a);
	dwarf_dealloc_attribute(a);
	return form == DW_FORM_sec_offset || form == DW_FORM_loclistx ||
	       (version < 4 && (form == DW_FORM_data4 || form == DW_FORM_data8));
}

/* ---- types ---- */

static size_t tmap_hash(uint64_t off, size_t cap)
{
	return (size_t)((off * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static struct dw_type *tmap_find(struct dwarfinfo *di, uint64_t off)
{
	if (di->tmap_cap == 0)
		return NULL;
	for (size_t i = tmap_hash(off, di->tmap_cap);; i = (i + 1) & (di->tmap_cap - 1)) {
		if (di->tmap[i].t == NULL)
			return NULL;
		if (di->tmap[i].off == off)
			return di->tmap[i].t;
	}
}

static void tmap_put(struct dwarfinfo *di, uint64_t off, struct dw_type *t)
{
	if (2 * (di->tmap_n + 1) > di->tmap_cap) {
		struct type_slot *old = di->tmap;
		size_t oldcap = di->tmap_cap;

		di->tmap_cap = oldcap ? 2 * oldcap : 1024;
		di->tmap = xcalloc(di->tmap_cap, sizeof(*di->tmap));
		di->tmap_n = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].t)
				tmap_put(di, old[i].off, old[i].t);
		free(old);
	}
	size_t i = tmap_hash(off, di->tmap_cap);
	while (di->tmap[i].t)
		i = (i + 1) & (di->tmap_cap - 1);
	di->tmap[i].off = off;
	di->tmap[i].t = t;
	di->tmap_n++;
}

static struct dw_type *new_type(struct dwarfinfo *di, enum dw_type_kind kind)
{
	struct dw_type *t = arena_alloc(&di->ar, sizeof(*t));
	struct dw_type **slot = vec_push(&di->fresh, &di->nfresh, &di->capfresh, sizeof(*slot));

	t->kind = kind;
	*slot = t;
	return t;
}

/* The type at a DIE offset: made (as a shell, filled by drain_types) the
 * first time it is asked for. */
static struct dw_type *type_at(struct dwarfinfo *di, Dwarf_Off off)
{
	struct dw_type *t = tmap_find(di, off);

	if (t)
		return t;
	t = new_type(di, DWT_OTHER);
	tmap_put(di, off, t);
	struct pending *p = vec_push(&di->pend, &di->npend, &di->cappend, sizeof(*p));
	p->t = t;
	p->off = off;
	return t;
}

/* The DW_AT_type of a DIE; NULL means void. */
static const struct dw_type *die_type(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Off off;

	if (!has_attr(di, die, DW_AT_type))
		return NULL;
	if (!attr_ref(di, die, DW_AT_type, &off)) {
		/* a type unit signature (DW_FORM_ref_sig8) or a broken ref */
		struct dw_type *t = new_type(di, DWT_OTHER);
		t->name = arena_strdup(&di->ar, "?");
		return t;
	}
	return type_at(di, off);
}

/* A data_member_location: a constant, or DW_OP_plus_uconst N (DWARF 2). */
static uint64_t member_offset(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Attribute a;
	uint64_t v = 0;
	const uint8_t *p;
	size_t len, used;
	Dwarf_Half form;

	if (!get_attr(di, die, DW_AT_data_member_location, &a))
		return 0;
	form = attr_form(di, a);
	if (form == DW_FORM_exprloc || form == DW_FORM_block1 || form == DW_FORM_block2 ||
	    form == DW_FORM_block4 || form == DW_FORM_block) {
		if (attr_block(di, a, &p, &len) && len > 1 && p[0] == DW_OP_plus_uconst)
			v = uleb(p + 1, len - 1, &used);
	} else {
		Dwarf_Error e = NULL;
		Dwarf_Unsigned u = 0;
		if (ok(di, dwarf_formudata(a, &u, &e), &e))
			v = u;
	}
	dwarf_dealloc_attribute(a);
	return v;
}

/* One DW_TAG_member.  Bit fields become (byte offset, bit offset < 8). */
static void read_member(struct dwarfinfo *di, Dwarf_Die die, struct dw_member *m)
{
	uint64_t bits = 0, dbo = 0, bo = 0, bsize = 0;

	m->name = attr_str(di, die, DW_AT_name);
	m->type = die_type(di, die);
	m->offset = member_offset(di, die);
	if (!attr_u(di, die, DW_AT_bit_size, &bits) || bits == 0 || bits > 64)
		return;
	if (attr_u(di, die, DW_AT_data_bit_offset, &dbo)) {
		/* DWARF 4: bits from the start of the struct */
	} else if (attr_u(di, die, DW_AT_bit_offset, &bo)) {
		/* DWARF 2: from the most significant bit of a byte_size unit
		 * at data_member_location (little-endian target) */
		if (!attr_u(di, die, DW_AT_byte_size, &bsize))
			bsize = m->type ? m->type->size : 0;
		if (bsize * 8 < bo + bits)
			return;
		dbo = m->offset * 8 + bsize * 8 - bo - bits;
	} else {
		dbo = m->offset * 8;
	}
	m->offset = dbo / 8;
	m->bit_offset = (unsigned)(dbo % 8);
	m->bit_size = (unsigned)bits;
}

static void fill_members(struct dwarfinfo *di, Dwarf_Die die, struct dw_type *t)
{
	struct dw_member *v = NULL;
	size_t n = 0, cap = 0;

	for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c)) {
		if (die_tag(di, c) != DW_TAG_member || attr_flag(di, c, DW_AT_external) ||
		    attr_flag(di, c, DW_AT_declaration))
			continue;       /* C++ static members have no place here */
		read_member(di, c, vec_push(&v, &n, &cap, sizeof(*v)));
	}
	t->members = arena_dup(&di->ar, v, n * sizeof(*v));
	t->nmembers = n;
	free(v);
}

/* Is the type at a DIE offset (through typedefs and qualifiers) a signed
 * integer?  Decides how a constant's bytes extend to 64 bits.  Read from
 * the DIEs: the type shells may not be filled yet. */
static bool signed_at(struct dwarfinfo *di, Dwarf_Off off, int depth)
{
	bool r = true;

	for (int hop = 0; hop < MAX_HOPS && depth < MAX_HOPS; hop++) {
		Dwarf_Die t = die_at(di, off);
		uint64_t enc = DW_ATE_signed;
		Dwarf_Off next = 0;
		bool more = false;

		if (!t)
			break;
		switch (die_tag(di, t)) {
		case DW_TAG_base_type:
			if (attr_u(di, t, DW_AT_encoding, &enc))
				r = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
			break;
		case DW_TAG_enumeration_type:
			if (attr_ref(di, t, DW_AT_type, &next))
				r = signed_at(di, next, depth + 1);
			break;
		case DW_TAG_pointer_type:
			r = false;
			break;
		default:
			more = attr_ref(di, t, DW_AT_type, &off);
			break;
		}
		dwarf_dealloc_die(t);
		if (!more)
			break;
	}
	return r;
}

static bool signed_type(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Off off;

	return !attr_ref(di, die, DW_AT_type, &off) || signed_at(di, off, 0);
}

/* A constant attribute's value, extended to 64 bits by `sign`.  Blocks of
 * up to 8 bytes are taken little-endian. */
static bool const_attr(struct dwarfinfo *di, Dwarf_Attribute a, bool sign, int64_t *out)
{
	Dwarf_Error e = NULL;
	Dwarf_Half form = attr_form(di, a);
	Dwarf_Unsigned u = 0;
	Dwarf_Signed s = 0;
	unsigned size = 8;
	const uint8_t *p;
	size_t len;

	switch (form) {
	case DW_FORM_sdata: case DW_FORM_implicit_const:
		if (!ok(di, dwarf_formsdata(a, &s, &e), &e))
			return false;
		*out = s;
		return true;
	case DW_FORM_udata:
		if (!ok(di, dwarf_formudata(a, &u, &e), &e))
			return false;
		*out = (int64_t)u;
		return true;
	case DW_FORM_data1: size = 1; break;
	case DW_FORM_data2: size = 2; break;
	case DW_FORM_data4: size = 4; break;
	case DW_FORM_data8: size = 8; break;
	case DW_FORM_block1: case DW_FORM_block2: case DW_FORM_block4: case DW_FORM_block:
		if (!attr_block(di, a, &p, &len) || len == 0 || len > 8)
			return false;
		for (size_t i = 0; i < len; i++)
			u |= (uint64_t)p[i] << (8 * i);
		size = (unsigned)len;
		goto extend;
	default:
		return false;
	}
	if (!ok(di, dwarf_formudata(a, &u, &e), &e))
		return false;
extend:
	if (size < 8 && sign && (u >> (8 * size - 1)) & 1)
		u |= ~(uint64_t)0 << (8 * size);
	*out = (int64_t)u;
	return true;
}

static void fill_enum(struct dwarfinfo *di, Dwarf_Die die, struct dw_type *t)
{
	struct dw_enumerator *v = NULL;
	size_t n = 0, cap = 0;
	bool sign = signed_type(di, die);

	for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c)) {
		Dwarf_Attribute a;
		if (die_tag(di, c) != DW_TAG_enumerator)
			continue;
		struct dw_enumerator *x = vec_push(&v, &n, &cap, sizeof(*v));
		x->name = attr_str(di, c, DW_AT_name);
		if (get_attr(di, c, DW_AT_const_value, &a)) {
			const_attr(di, a, sign, &x->value);
			dwarf_dealloc_attribute(a);
		}
	}
	t->enums = arena_dup(&di->ar, v, n * sizeof(*v));
	t->nenums = n;
	free(v);
}

static void fill_func(struct dwarfinfo *di, Dwarf_Die die, struct dw_type *t)
{
	const struct dw_type **v = NULL;
	size_t n = 0, cap = 0;

	t->target = die_type(di, die);
	t->prototyped = attr_flag(di, die, DW_AT_prototyped);
	for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c)) {
		Dwarf_Half tag = die_tag(di, c);
		if (tag == DW_TAG_unspecified_parameters)
			t->varargs = true;
		else if (tag == DW_TAG_formal_parameter)
			*(const struct dw_type **)vec_push(&v, &n, &cap, sizeof(*v)) = die_type(di, c);
	}
	t->params = arena_dup(&di->ar, v, n * sizeof(*v));
	t->nparams = n;
	free(v);
}

/* The element count of one DW_TAG_subrange_type; false if unknown. */
static bool subrange_count(struct dwarfinfo *di, Dwarf_Die die, uint64_t *count)
{
	int64_t lo = 0, hi = 0;
	uint64_t c = 0;
	Dwarf_Attribute a;

	if (attr_u(di, die, DW_AT_count, &c)) {
		*count = c;
		return true;
	}
	if (!get_attr(di, die, DW_AT_upper_bound, &a))
		return false;
	/* bounds extend by the subrange's type (gcc: sizetype, unsigned) */
	bool sign = signed_type(di, die);
	bool konst = const_attr(di, a, sign, &hi);
	dwarf_dealloc_attribute(a);
	if (!konst)             /* a VLA: an expression or a variable */
		return false;
	if (get_attr(di, die, DW_AT_lower_bound, &a)) {
		const_attr(di, a, sign, &lo);
		dwarf_dealloc_attribute(a);
	}
	if (hi < lo - 1)
		return false;
	*count = (uint64_t)(hi - lo + 1);
	return true;
}

/* int a[2][3]: the array type of the DIE is [2] of a made-up [3] of int. */
static void fill_array(struct dwarfinfo *di, Dwarf_Die die, struct dw_type *t)
{
	struct dw_type *dims[MAX_DIMS];
	size_t n = 0;
	const struct dw_type *elem = die_type(di, die);

	for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c)) {
		Dwarf_Half tag = die_tag(di, c);
		if ((tag != DW_TAG_subrange_type && tag != DW_TAG_enumeration_type) || n == MAX_DIMS)
			continue;
		struct dw_type *d = n == 0 ? t : new_type(di, DWT_ARRAY);
		d->kind = DWT_ARRAY;
		d->count_known = subrange_count(di, c, &d->count);
		dims[n++] = d;
	}
	if (n == 0)
		dims[n++] = t;          /* no subrange: int a[] */
	for (size_t i = 0; i + 1 < n; i++)
		dims[i]->target = dims[i + 1];
	dims[n - 1]->target = elem;
	t->size = 0;                    /* from count x element (size_pass) */
}

/* Fill a type shell from its DIE. */
static void fill_type(struct dwarfinfo *di, struct dw_type *t, Dwarf_Die die)
{
	uint64_t v = 0;
	Dwarf_Half tag = die_tag(di, die);

	t->name = attr_str(di, die, DW_AT_name);
	if (attr_u(di, die, DW_AT_byte_size, &v))
		t->size = v;
	switch (tag) {
	case DW_TAG_base_type:
		t->kind = t->name && strcmp(t->name, "void") == 0 ? DWT_VOID : DWT_BASE;
		if (attr_u(di, die, DW_AT_encoding, &v))
			t->encoding = (unsigned)v;
		break;
	case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
		t->kind = DWT_POINTER;
		if (t->size == 0)
			t->size = 8;
		t->target = die_type(di, die);
		break;
	case DW_TAG_array_type:
		t->kind = DWT_ARRAY;
		fill_array(di, die, t);
		break;
	case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
		t->kind = tag == DW_TAG_union_type ? DWT_UNION : DWT_STRUCT;
		fill_members(di, die, t);
		break;
	case DW_TAG_enumeration_type:
		t->kind = DWT_ENUM;
		t->target = die_type(di, die);
		fill_enum(di, die, t);
		break;
	case DW_TAG_typedef:
		t->kind = DWT_TYPEDEF;
		t->target = die_type(di, die);
		break;
	case DW_TAG_const_type: case DW_TAG_volatile_type:
		t->kind = tag == DW_TAG_const_type ? DWT_CONST : DWT_VOLATILE;
		t->target = die_type(di, die);
		break;
	case DW_TAG_restrict_type: case DW_TAG_atomic_type:
		t->kind = DWT_QUAL;
		t->name = arena_strdup(&di->ar, tag == DW_TAG_restrict_type ? "restrict" : "_Atomic");
		t->target = die_type(di, die);
		break;
	case DW_TAG_subroutine_type:
		t->kind = DWT_FUNC;
		fill_func(di, die, t);
		break;
	default:
		t->kind = DWT_OTHER;
		if (t->name == NULL)
			t->name = arena_strdup(&di->ar, "?");
		break;
	}
}

/* The size of a type that takes it from another: qualifiers, typedefs,
 * arrays (count x element).  Depth-bounded: a corrupt graph may cycle. */
static uint64_t type_size(struct dw_type *t, int depth)
{
	if (t == NULL || depth > MAX_TYPE_DEPTH)
		return 0;
	if (t->size)
		return t->size;
	switch (t->kind) {
	case DWT_TYPEDEF: case DWT_CONST: case DWT_VOLATILE: case DWT_QUAL:
		t->size = type_size((struct dw_type *)t->target, depth + 1);
		break;
	case DWT_ARRAY:
		if (t->count_known) {
			uint64_t e = type_size((struct dw_type *)t->target, depth + 1);
			if (e && t->count <= UINT64_MAX / e)
				t->size = t->count * e;
		}
		break;
	default:
		break;
	}
	return t->size;
}

/* Fill every queued type shell (filling queues more), then give the new
 * types their derived sizes. */
static void drain_types(struct dwarfinfo *di)
{
	while (di->npend) {
		struct pending p = di->pend[--di->npend];
		Dwarf_Die die = die_at(di, p.off);

		if (die == NULL) {
			p.t->name = arena_strdup(&di->ar, "?");
			continue;
		}
		fill_type(di, p.t, die);
		dwarf_dealloc_die(die);
	}
	for (size_t i = 0; i < di->nfresh; i++)
		type_size(di->fresh[i], 0);
	di->nfresh = 0;
}

/* ---- the line table ---- */

static bool is_abs(const char *p)
{
	return p && p[0] == '/';
}

static char *join(struct dwarfinfo *di, const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *s = arena_alloc(&di->ar, a + b + 2);

	memcpy(s, dir, a);
	s[a] = '/';
	memcpy(s + a + 1, name, b + 1);
	return s;
}

/* gdb's name for a file of the line table (what `bt` and `break` print):
 * the name if absolute, else joined to its directory entry (DWARF 5's
 * entry 0 too; DWARF 4's 0 means none); a name that is then the unit's
 * comp_dir/DW_AT_name is written as DW_AT_name, as gdb matches it to the
 * unit's primary file. */
static const char *file_display(struct dwarfinfo *di, struct unit *u, const char *dir,
				const char *name)
{
	const char *s = name;

	if (!is_abs(name) && dir)
		s = join(di, dir, name);
	if (is_abs(s) && u->name && !is_abs(u->name) && u->comp_dir) {
		size_t c = strlen(u->comp_dir);
		if (strncmp(s, u->comp_dir, c) == 0 && s[c] == '/' && strcmp(s + c + 1, u->name) == 0)
			return u->name;
	}
	return s == name ? arena_strdup(&di->ar, name) : s;
}

/* The file table of a line context into u->files (and u->full). */
static void load_files(struct dwarfinfo *di, struct unit *u, Dwarf_Line_Context ctx)
{
	Dwarf_Error e = NULL;
	Dwarf_Signed base = 0, count = 0, end = 0;

	if (!ok(di, dwarf_srclines_files_indexes(ctx, &base, &count, &end, &e), &e) ||
	    end <= base || end - base > MAX_LIST)
		return;
	u->file_base = base;
	u->nfiles = (size_t)(end - base);
	u->files = arena_alloc(&di->ar, u->nfiles * sizeof(*u->files));
	u->full = arena_alloc(&di->ar, u->nfiles * sizeof(*u->full));
	for (Dwarf_Signed i = base; i < end; i++) {
		const char *name = NULL, *dir = NULL;
		Dwarf_Unsigned dirno = 0, mtime = 0, flen = 0;
		Dwarf_Form_Data16 *md5 = NULL;
		const char **f = &u->files[i - base];

		if (!ok(di, dwarf_srclines_files_data_b(ctx, i, &name, &dirno, &mtime, &flen,
				&md5, &e), &e) || name == NULL)
			continue;
		if (!ok(di, dwarf_srclines_include_dir_data(ctx, (Dwarf_Signed)dirno, &dir, &e), &e))
			dir = NULL;
		*f = file_display(di, u, dir, name);
		if (is_abs(*f) || !u->comp_dir)
			u->full[i - base] = *f;
		else
			u->full[i - base] = join(di, u->comp_dir, *f);
	}
}

/* The file name of a line-table (or DW_AT_decl_file) index, or NULL. */
static const char *unit_file(const struct unit *u, uint64_t idx)
{
	if ((int64_t)idx < u->file_base || idx - (uint64_t)u->file_base >= u->nfiles)
		return NULL;
	return u->files[idx - (uint64_t)u->file_base];
}

struct row_tmp {
	struct dw_line l;
	size_t order;
	uint64_t discriminator;
};

/* By address; at one address an end of sequence first (it ends the
 * previous sequence, as in gdb), then in table order. */
static int row_cmp(const void *a, const void *b)
{
	const struct row_tmp *x = a, *y = b;

	if (x->l.addr != y->l.addr)
		return x->l.addr < y->l.addr ? -1 : 1;
	if (x->l.end_seq != y->l.end_seq)
		return x->l.end_seq ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* One row of libdwarf's table; false if it is to be skipped. */
static bool read_row(struct dwarfinfo *di, struct unit *u, Dwarf_Line ln, bool fix0,
		     struct row_tmp *r)
{
	struct dw_line *l = &r->l;
	Dwarf_Error e = NULL;
	Dwarf_Addr addr = 0;
	Dwarf_Unsigned lineno = 0, fileno = 0, isa = 0, disc = 0;
	Dwarf_Bool stmt = 0, end = 0, pend = 0, ebegin = 0;

	if (!ok(di, dwarf_lineaddr(ln, &addr, &e), &e) ||
	    !ok(di, dwarf_lineno(ln, &lineno, &e), &e) ||
	    !ok(di, dwarf_line_srcfileno(ln, &fileno, &e), &e) ||
	    !ok(di, dwarf_linebeginstatement(ln, &stmt, &e), &e) ||
	    !ok(di, dwarf_lineendsequence(ln, &end, &e), &e))
		return false;
	if (ok(di, dwarf_prologue_end_etc(ln, &pend, &ebegin, &isa, &disc, &e), &e))
		r->discriminator = disc;
	if (fix0 && fileno == 0)
		fileno = 1;
	l->addr = addr;
	l->line = lineno > INT32_MAX ? 0 : (int)lineno;
	l->is_stmt = stmt;
	l->end_seq = end;
	l->file = unit_file(u, fileno);
	return end || l->file != NULL;
}

/* Keep the rows gdb's line reader keeps (lnp_state_machine::record_line),
 * in table order, one sequence at a time.  It drops a row of line 0 (no
 * line: the code before it keeps its line); a row repeating the last
 * kept file and line once the line has had a nonzero discriminator (the
 * basic blocks of one loop line); a row switching file at an address
 * where an is_stmt row already is, when it is not is_stmt itself.  And a
 * switch of file at an address ends the old file there, dropping its rows
 * at that very address. */
static size_t rows_as_gdb(struct row_tmp *r, size_t n)
{
	const char *last_file = NULL, *file_reg = NULL;
	int last_line = 0, line_reg = 1;
	bool disc = false, stmt_here = false, first = true;
	uint64_t last_addr = 0;
	size_t k = 0, seq = 0;

	for (size_t i = 0; i < n; i++) {
		const struct dw_line *l = &r[i].l;

		if (l->end_seq) {
			r[k++] = r[i];
			seq = k;
			last_file = file_reg = NULL;
			last_line = 0;
			line_reg = 1;
			disc = stmt_here = false;
			first = true;
			continue;
		}
		/* a new line (or file) starts a new discriminator history */
		if (l->line != line_reg || l->file != file_reg)
			disc = r[i].discriminator != 0;
		else
			disc |= r[i].discriminator != 0;
		line_reg = l->line;
		file_reg = l->file;
		bool changed = l->file != last_file;
		bool same_addr = !first && l->addr == last_addr;
		bool ignore = l->line == 0 || (changed && same_addr && !l->is_stmt && stmt_here);
		if (changed && !ignore && last_file)
			while (k > seq && r[k - 1].l.addr == l->addr && r[k - 1].l.file == last_file)
				k--;
		if (!ignore && (changed || l->line != last_line || !disc)) {
			last_file = l->file;
			last_line = l->line;
			r[k++] = r[i];
		}
		if (first || l->addr != last_addr) {
			stmt_here = false;
			last_addr = l->addr;
			first = false;
		}
		stmt_here |= l->is_stmt;
	}
	return k;
}

/* Drop the rows at the very address their sequence ends at (they cover
 * nothing; gdb deletes them too), then sort. */
static size_t rows_tidy(struct row_tmp *r, size_t n)
{
	uint64_t end = UINT64_MAX;
	size_t k = n;

	for (size_t i = n; i-- > 0;) {
		if (r[i].l.end_seq)
			end = r[i].l.addr;
		else if (r[i].l.addr >= end)
			r[i].l.line = -1;       /* mark */
	}
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (r[i].l.line != -1)
			r[k++] = r[i];
	sort_v(r, k, sizeof(*r), row_cmp);
	return k;
}

/* Is the unit's line program (DW_AT_stmt_list) one libdwarf may read? */
static bool line_ok(struct dwarfinfo *di, const struct unit *u, Dwarf_Die cu)
{
	Dwarf_Off off;
	const uint8_t *p;
	size_t n = 0;

	uint64_t v;

	if (attr_ref(di, cu, DW_AT_stmt_list, &off))
		v = off;
	else if (!attr_u(di, cu, DW_AT_stmt_list, &v))     /* DWARF 2/3: data4 */
		return false;
	p = raw_section(di, RAW_LINE, &n);
	return p && line_program_ok(p, n, v, u->addr_size);
}

static void load_lines(struct dwarfinfo *di, struct unit *u, Dwarf_Die cu)
{
	Dwarf_Error e = NULL;
	Dwarf_Unsigned ver = 0;
	Dwarf_Small tables = 0;
	Dwarf_Line_Context ctx = NULL;
	Dwarf_Line *lines = NULL;
	Dwarf_Signed n = 0;
	struct row_tmp *r;
	size_t k = 0;

	if (!line_ok(di, u, cu) || !ok(di, dwarf_srclines_b(cu, &ver, &tables, &ctx, &e), &e))
		return;
	load_files(di, u, ctx);
	if (tables != 1 || !ok(di, dwarf_srclines_from_linecontext(ctx, &lines, &n, &e), &e) ||
	    n <= 0) {
		dwarf_srclines_dealloc_b(ctx);
		return;
	}
	bool fix0 = di->file0_bug && ver >= 5 && u->gnu;
	r = xcalloc((size_t)n, sizeof(*r));
	for (Dwarf_Signed i = 0; i < n; i++) {
		if (read_row(di, u, lines[i], fix0, &r[k])) {
			r[k].order = k;
			k++;
		}
	}
	dwarf_srclines_dealloc_b(ctx);
	k = rows_as_gdb(r, k);
	k = rows_tidy(r, k);
	u->lines = arena_alloc(&di->ar, k * sizeof(*u->lines) + 1);
	for (size_t i = 0; i < k; i++)
		u->lines[i] = r[i].l;
	u->nlines = k;
	free(r);
}

/* The index of the last row with addr <= pc, or -1. */
static ptrdiff_t row_before(const struct unit *u, uint64_t pc)
{
	size_t lo = 0, hi = u->nlines;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u->lines[mid].addr <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ptrdiff_t)lo - 1;
}

/* The row holding pc as gdb's find_pc_line picks it: the last row at or
 * before pc, or an is_stmt row at the same address before it; NULL in a
 * gap (after an end of sequence) or on line 0. */
static const struct dw_line *unit_line_at(const struct unit *u, uint64_t pc)
{
	ptrdiff_t i = row_before(u, pc);

	if (i < 0 || u->lines[i].end_seq || u->lines[i].line == 0)
		return NULL;
	while (!u->lines[i].is_stmt && i > 0 && u->lines[i - 1].addr == u->lines[i].addr &&
	       !u->lines[i - 1].end_seq && u->lines[i - 1].line != 0)
		i--;
	if (!u->lines[i].is_stmt) {
		/* no is_stmt row there: gdb keeps the row it landed on */
		i = row_before(u, pc);
	}
	return &u->lines[i];
}

/* The address of the first row after pc (gdb's sal.end), or 0. */
static uint64_t row_end(const struct unit *u, uint64_t pc)
{
	ptrdiff_t i = row_before(u, pc);

	return (size_t)(i + 1) < u->nlines ? u->lines[i + 1].addr : 0;
}

/* ---- functions, their scopes and variables; globals ---- */

/* What a DIE says of itself, or through DW_AT_abstract_origin and
 * DW_AT_specification (an out-of-line copy of an inline function, a
 * definition of an extern declaration). */
struct decl {
	char *name;
	const struct dw_type *type;
	Dwarf_Off type_off;
	bool has_type, has_line, external;
	uint64_t file, line;
	bool has_file;
};

static void decl_take(struct dwarfinfo *di, Dwarf_Die d, struct decl *x, bool same_unit)
{
	if (!x->name)
		x->name = attr_str(di, d, DW_AT_name);
	if (!x->has_type && has_attr(di, d, DW_AT_type)) {
		x->has_type = true;
		x->type = die_type(di, d);
		attr_ref(di, d, DW_AT_type, &x->type_off);
	}
	/* a file index means something only in its own unit's line table */
	if (!x->has_file && same_unit)
		x->has_file = attr_u(di, d, DW_AT_decl_file, &x->file);
	if (!x->has_line)
		x->has_line = attr_u(di, d, DW_AT_decl_line, &x->line);
	if (!x->external)
		x->external = attr_flag(di, d, DW_AT_external);
}

static void read_decl(struct loader *L, Dwarf_Die die, struct decl *x)
{
	struct dwarfinfo *di = L->di;
	Dwarf_Die cur = die;

	memset(x, 0, sizeof(*x));
	for (int hop = 0; cur && hop <= MAX_HOPS; hop++) {
		Dwarf_Off next = 0;

		decl_take(di, cur, x, hop == 0 || die_unit(di, cur) == L->u->off);
		bool more = attr_ref(di, cur, DW_AT_abstract_origin, &next) ||
			    attr_ref(di, cur, DW_AT_specification, &next);
		if (cur != die)
			dwarf_dealloc_die(cur);
		cur = more ? die_at(di, next) : NULL;
	}
	if (cur && cur != die)
		dwarf_dealloc_die(cur);
}

/* Is this location a fixed address (DW_OP_addr ...) over all pcs? */
static bool fixed_address(const struct dw_var *v)
{
	return v->nloc >= 1 && v->loc[0].lo == 0 && v->loc[0].hi == UINT64_MAX &&
	       v->loc[0].nops >= 1 && v->loc[0].ops[0].op == DW_OP_addr;
}

/* A variable or parameter DIE; false for a declaration (no object). */
static bool read_var(struct loader *L, Dwarf_Die die, enum dw_var_kind kind, struct dw_var *v)
{
	struct dwarfinfo *di = L->di;
	struct decl d;
	Dwarf_Attribute a;

	if (attr_flag(di, die, DW_AT_declaration))
		return false;
	read_decl(L, die, &d);
	v->name = d.name;
	/* a unit-level object without DW_AT_external is a file-scope
	 * static: gdb keeps it in the static block, not the global one */
	v->kind = kind == DWV_GLOBAL && !d.external ? DWV_STATIC : kind;
	v->type = d.type;
	v->decl_line = d.has_line && d.line <= INT32_MAX ? (int)d.line : 0;
	v->loc = die_loc(L, die, DW_AT_location, &v->nloc);
	if (v->nloc == 0 && get_attr(di, die, DW_AT_const_value, &a)) {
		bool sign = !d.has_type || signed_at(di, d.type_off, 0);
		v->has_const = const_attr(di, a, sign, &v->const_value);
		dwarf_dealloc_attribute(a);
	}
	return true;
}

/* Keep a global or static object; returns it, in the arena. */
static struct dw_var *add_global(struct loader *L, const struct dw_var *v)
{
	struct dw_var *g = arena_dup(&L->di->ar, v, sizeof(*v));

	*(struct dw_var **)vec_push(&L->globals, &L->nglobals, &L->capglobals,
				    sizeof(*L->globals)) = g;
	return g;
}

/* The function-static object a DIE defines (read once per DIE), or NULL
 * if it defines none (no fixed address, no name). */
static struct dw_var *static_known(struct loader *L, Dwarf_Off off)
{
	for (size_t i = 0; i < L->nsref; i++)
		if (L->sref[i].off == off)
			return L->sref[i].v;
	return NULL;
}

/* Keep v (read from the DIE at off) as a function-static, once. */
static struct dw_var *static_keep(struct loader *L, Dwarf_Off off, struct dw_var *v)
{
	struct dw_var *known = static_known(L, off);
	struct static_ref *r;

	if (known || !v->name)
		return known;
	v->kind = DWV_STATIC;
	r = vec_push(&L->sref, &L->nsref, &L->capsref, sizeof(*r));
	r->off = off;
	r->v = add_global(L, v);
	return r->v;
}

static struct dw_var *static_at(struct loader *L, Dwarf_Die die)
{
	Dwarf_Off off = die_off(L->di, die);
	struct dw_var v = {0};

	if (static_known(L, off))
		return static_known(L, off);
	if (!read_var(L, die, DWV_STATIC, &v) || !fixed_address(&v))
		return NULL;
	return static_keep(L, off, &v);
}

/* A DW_TAG_variable at unit level: a global (DWV_GLOBAL) or a file-scope
 * static (DWV_STATIC) object. */
static void read_global(struct loader *L, Dwarf_Die die)
{
	struct dw_var v = {0};

	if (read_var(L, die, DWV_GLOBAL, &v) && v.name && fixed_address(&v))
		add_global(L, &v);
}

/* The DWARF register of a call site parameter's DW_AT_location
 * (DW_OP_regN, DW_OP_regx), or -1 (a stack slot). */
static int param_reg(struct dwarfinfo *di, Dwarf_Die die)
{
	Dwarf_Attribute a;
	const uint8_t *p;
	size_t len, used;
	int reg = -1;

	if (!get_attr(di, die, DW_AT_location, &a))
		return -1;
	if (attr_block(di, a, &p, &len) && len >= 1) {
		if (len == 1 && p[0] >= DW_OP_reg0 && p[0] <= DW_OP_reg31)
			reg = p[0] - DW_OP_reg0;
		else if (p[0] == DW_OP_regx) {
			uint64_t r = uleb(p + 1, len - 1, &used);
			if (used == len - 1 && r < 4096)
				reg = (int)r;
		}
	}
	dwarf_dealloc_attribute(a);
	return reg;
}

/* DW_TAG_call_site (DWARF 5) or DW_TAG_GNU_call_site: its return address,
 * the register values the caller set up, and for an indirect call the
 * expression of its target. */
static void read_call_site(struct loader *L, Dwarf_Die die)
{
	struct dwarfinfo *di = L->di;
	struct dw_call_param *v = NULL;
	size_t n = 0, cap = 0;
	uint64_t ret = 0;

	if (!attr_addr(di, die, DW_AT_call_return_pc, &ret) &&
	    !attr_addr(di, die, DW_AT_low_pc, &ret))
		return;
	for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c)) {
		Dwarf_Half tag = die_tag(di, c);
		int reg;
		size_t nx = 0;
		struct dw_expr *x;

		if (tag != DW_TAG_call_site_parameter && tag != DW_TAG_GNU_call_site_parameter)
			continue;
		if ((reg = param_reg(di, c)) < 0)
			continue;
		x = die_loc(L, c, DW_AT_call_value, &nx);
		if (nx == 0)
			x = die_loc(L, c, DW_AT_GNU_call_site_value, &nx);
		if (nx == 0)
			continue;
		struct dw_call_param *p = vec_push(&v, &n, &cap, sizeof(*v));
		p->reg = reg;
		p->value = x[0].ops;
		p->nvalue = x[0].nops;
	}
	size_t nt = 0;
	struct dw_expr *t = die_loc(L, die, DW_AT_call_target, &nt);
	if (nt == 0)
		t = die_loc(L, die, DW_AT_GNU_call_site_target, &nt);
	struct dw_call_site *cs = vec_push(&L->calls, &L->ncalls, &L->capcalls, sizeof(*cs));
	cs->ret_pc = ret;
	cs->target = nt ? t[0].ops : NULL;
	cs->ntarget = nt ? t[0].nops : 0;
	cs->params = arena_dup(&di->ar, v, n * sizeof(*v));
	cs->nparams = n;
	free(v);
}

/* A scope as it is read: params and locals apart (params come first). */
struct scope_build {
	struct dw_var *params, *locals;
	size_t np, capp, nl, capl;
	struct dw_scope *blocks;
	size_t nb, capb;
	struct dw_scope_static *statics;
	size_t ns, caps;
};

/* A function-static declared here: a pointer to it, and its place among
 * the scope's variables. */
static void scope_static(struct scope_build *sb, const struct dw_var *g)
{
	struct dw_scope_static *x;

	for (size_t i = 0; g && i < sb->ns; i++)
		if (sb->statics[i].var == g)
			return;
	if (g == NULL)
		return;
	x = vec_push(&sb->statics, &sb->ns, &sb->caps, sizeof(*x));
	x->var = g;
	x->pos = sb->np + sb->nl;
}

static void read_function(struct loader *L, Dwarf_Die die, int depth);
static void walk_scope(struct loader *L, Dwarf_Die die, struct scope_build *sb, int depth);

/* The static of its abstract origin a variable without a location of its
 * own stands for (the out-of-line copy of an inline function names the
 * static its abstract instance defines), or NULL. */
static const struct dw_var *origin_static(struct loader *L, Dwarf_Die die)
{
	struct dwarfinfo *di = L->di;
	const struct dw_var *r = NULL;
	Dwarf_Off off;

	if (!attr_ref(di, die, DW_AT_abstract_origin, &off))
		return NULL;
	for (int hop = 0; hop < MAX_HOPS && !r; hop++) {
		Dwarf_Die o = die_at(di, off);
		bool more;

		if (o == NULL)
			break;
		r = static_at(L, o);
		more = !r && !has_attr(di, o, DW_AT_location) &&
		       attr_ref(di, o, DW_AT_abstract_origin, &off);
		dwarf_dealloc_die(o);
		if (!more)
			break;
	}
	return r;
}

static void scope_var(struct loader *L, Dwarf_Die die, struct scope_build *sb,
		      enum dw_var_kind kind)
{
	struct dw_var v = {0};
	const struct dw_var *st;

	if (!read_var(L, die, kind, &v))
		return;
	if (v.nloc == 0 && !v.has_const && (st = origin_static(L, die)) != NULL) {
		scope_static(sb, st);   /* kept once, from the abstract instance */
		return;
	}
	if (kind == DWV_LOCAL && fixed_address(&v)) {
		/* a function-static: not in the frame */
		scope_static(sb, static_keep(L, die_off(L->di, die), &v));
		return;
	}
	if (kind == DWV_PARAM)
		*(struct dw_var *)vec_push(&sb->params, &sb->np, &sb->capp, sizeof(v)) = v;
	else
		*(struct dw_var *)vec_push(&sb->locals, &sb->nl, &sb->capl, sizeof(v)) = v;
}

/* Move a built scope's arrays into the arena. */
static void scope_keep(struct dwarfinfo *di, struct scope_build *sb, struct dw_scope *s)
{
	s->nvars = sb->np + sb->nl;
	if (s->nvars) {
		s->vars = arena_alloc(&di->ar, s->nvars * sizeof(*s->vars));
		if (sb->np)
			memcpy(s->vars, sb->params, sb->np * sizeof(*s->vars));
		if (sb->nl)
			memcpy(s->vars + sb->np, sb->locals, sb->nl * sizeof(*s->vars));
	}
	s->blocks = arena_dup(&di->ar, sb->blocks, sb->nb * sizeof(*sb->blocks));
	s->nblocks = sb->nb;
	s->statics = arena_dup(&di->ar, sb->statics, sb->ns * sizeof(*sb->statics));
	s->nstatics = sb->ns;
	free(sb->params);
	free(sb->locals);
	free(sb->blocks);
	free(sb->statics);
}

/* A DW_TAG_lexical_block: a nested scope with its own pcs.  Without pc
 * attributes its children belong to the enclosing scope; with an empty
 * range it holds no code and is dropped, as gdb does. */
static void read_block(struct loader *L, Dwarf_Die die, struct scope_build *sb, int depth)
{
	struct rvec r = {0};
	struct scope_build inner = {0};

	if (!die_ranges(L, die, &r, NULL)) {
		walk_scope(L, die, sb, depth + 1);
		return;
	}
	walk_scope(L, die, &inner, depth + 1);
	if (r.n == 0) {
		free(r.v);
		scope_keep(L->di, &inner, &(struct dw_scope){0});
		return;
	}
	struct dw_scope *s = vec_push(&sb->blocks, &sb->nb, &sb->capb, sizeof(*s));
	s->ranges = ranges_keep(L->di, &r, &s->nranges);
	scope_keep(L->di, &inner, s);
}

static void read_inline(struct loader *L, Dwarf_Die die, int depth, unsigned idepth);

/* The children of a DW_TAG_inlined_subroutine (or of a block in one): not
 * a frame of its own here.  Its call sites are the enclosing function's;
 * its variables only tell (as for gdb) whether the unit uses location
 * lists. */
static void walk_inlined(struct loader *L, Dwarf_Die die, int depth, unsigned idepth)
{
	struct dwarfinfo *di = L->di;

	if (depth > MAX_DEPTH)
		return;
	for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c)) {
		switch (die_tag(di, c)) {
		case DW_TAG_call_site: case DW_TAG_GNU_call_site:
			read_call_site(L, c);
			break;
		case DW_TAG_lexical_block:
			walk_inlined(L, c, depth + 1, idepth);
			break;
		case DW_TAG_inlined_subroutine:
			read_inline(L, c, depth + 1, idepth + 1);
			break;
		case DW_TAG_formal_parameter: case DW_TAG_variable:
			if (is_loclist_form(di, c, DW_AT_location, L->u->version))
				L->u->has_loclist = true;
			break;
		}
	}
}

/* A DW_TAG_inlined_subroutine: where its code is, what it is, where it
 * was inlined; then its children. */
static void read_inline(struct loader *L, Dwarf_Die die, int depth, unsigned idepth)
{
	struct dwarfinfo *di = L->di;
	struct rvec r = {0};
	struct decl d;
	uint64_t file = 0, line = 0;

	if (die_ranges(L, die, &r, NULL) && r.n) {
		struct dw_inline *x = vec_push(&L->inl, &L->ninl, &L->capinl, sizeof(*x));
		read_decl(L, die, &d);
		x->name = d.name ? d.name : arena_strdup(&di->ar, "??");
		x->ranges = ranges_keep(di, &r, &x->nranges);
		if (attr_u(di, die, DW_AT_call_file, &file))
			x->call_file = unit_file(L->u, file);
		if (attr_u(di, die, DW_AT_call_line, &line) && line <= INT32_MAX)
			x->call_line = (int)line;
		x->depth = idepth;
	}
	free(r.v);
	walk_inlined(L, die, depth + 1, idepth);
}

/* The children of a function or block. */
/* gdb's inherit_abstract_dies: the children of a concrete instance's
 * abstract origin that none of its own children stand for (by their
 * DW_AT_abstract_origin) belong to it too: variables the optimizer
 * dropped (gdb shows them as <optimized out>), blocks of them. */
static void inherit(struct loader *L, Dwarf_Die die, struct scope_build *sb, int depth,
		    const Dwarf_Off *refs, size_t nrefs)
{
	struct dwarfinfo *di = L->di;
	Dwarf_Off off;
	Dwarf_Die o;

	if (!attr_ref(di, die, DW_AT_abstract_origin, &off) || (o = die_at(di, off)) == NULL)
		return;
	for (Dwarf_Die c = first_child(di, o); c; c = next_sibling(di, c)) {
		Dwarf_Off at = die_off(di, c);
		bool used = false;

		for (size_t i = 0; i < nrefs && !used; i++)
			used = refs[i] == at;
		if (used)
			continue;
		switch (die_tag(di, c)) {
		case DW_TAG_formal_parameter:
			scope_var(L, c, sb, DWV_PARAM);
			break;
		case DW_TAG_variable:
			scope_var(L, c, sb, DWV_LOCAL);
			break;
		case DW_TAG_lexical_block:
			read_block(L, c, sb, depth);
			break;
		}
	}
	dwarf_dealloc_die(o);
}

static void walk_scope(struct loader *L, Dwarf_Die die, struct scope_build *sb, int depth)
{
	struct dwarfinfo *di = L->di;
	Dwarf_Off *refs = NULL, ref;
	size_t nrefs = 0, caprefs = 0;

	if (depth > MAX_DEPTH)
		return;
	for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c)) {
		if (attr_ref(di, c, DW_AT_abstract_origin, &ref))
			*(Dwarf_Off *)vec_push(&refs, &nrefs, &caprefs, sizeof(*refs)) = ref;
		switch (die_tag(di, c)) {
		case DW_TAG_formal_parameter:
			scope_var(L, c, sb, DWV_PARAM);
			break;
		case DW_TAG_variable:
			scope_var(L, c, sb, DWV_LOCAL);
			break;
		case DW_TAG_lexical_block:
			read_block(L, c, sb, depth);
			break;
		case DW_TAG_inlined_subroutine:
			read_inline(L, c, depth + 1, 0);
			break;
		case DW_TAG_call_site: case DW_TAG_GNU_call_site:
			read_call_site(L, c);
			break;
		case DW_TAG_subprogram:         /* a GNU C nested function */
			read_function(L, c, depth + 1);
			break;
		}
	}
	inherit(L, die, sb, depth, refs, nrefs);
	free(refs);
}

/* A function without code (a declaration, the abstract instance of an
 * inline function) may still define function-static objects. */
static void walk_statics(struct loader *L, Dwarf_Die die, int depth)
{
	struct dwarfinfo *di = L->di;

	if (depth > MAX_DEPTH)
		return;
	for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c)) {
		Dwarf_Half tag = die_tag(di, c);

		if (tag == DW_TAG_lexical_block || tag == DW_TAG_subprogram)
			walk_statics(L, c, depth + 1);
		else if (tag == DW_TAG_variable)
			static_at(L, c);
	}
}

static int call_cmp(const void *a, const void *b)
{
	const struct dw_call_site *x = a, *y = b;

	return x->ret_pc < y->ret_pc ? -1 : x->ret_pc > y->ret_pc;
}

/* The entry range of a function: the range holding DW_AT_entry_pc if it
 * says, else the first one listed (gcc lists a split function's hot part
 * first). */
static struct dw_range entry_range_of(struct loader *L, Dwarf_Die die, const struct rvec *r,
				      struct dw_range first)
{
	uint64_t entry = 0;

	if (attr_addr(L->di, die, DW_AT_entry_pc, &entry))
		for (size_t i = 0; i < r->n; i++)
			if (entry >= r->v[i].lo && entry < r->v[i].hi)
				return (struct dw_range){ entry, r->v[i].hi };
	return first;
}

/* The children of a function with code: its scope, and its own lists of
 * call sites and inlined functions (a nested function has its own: the
 * loader's lists are set aside meanwhile). */
static void read_body(struct loader *L, Dwarf_Die die, int depth, struct dw_func *f,
		      struct scope_build *sb)
{
	struct dwarfinfo *di = L->di;
	struct loader saved = *L;

	L->calls = NULL;
	L->ncalls = L->capcalls = 0;
	L->inl = NULL;
	L->ninl = L->capinl = 0;
	walk_scope(L, die, sb, depth + 1);
	sort_v(L->calls, L->ncalls, sizeof(*L->calls), call_cmp);
	f->calls = arena_dup(&di->ar, L->calls, L->ncalls * sizeof(*L->calls));
	f->ncalls = L->ncalls;
	f->inlines = arena_dup(&di->ar, L->inl, L->ninl * sizeof(*L->inl));
	f->ninlines = L->ninl;
	free(L->calls);
	free(L->inl);
	L->calls = saved.calls;
	L->ncalls = saved.ncalls;
	L->capcalls = saved.capcalls;
	L->inl = saved.inl;
	L->ninl = saved.ninl;
	L->capinl = saved.capinl;
}

/* A DW_TAG_subprogram.  With code it becomes a dw_func; without, only
 * its statics are kept. */
static void read_function(struct loader *L, Dwarf_Die die, int depth)
{
	struct dwarfinfo *di = L->di;
	struct rvec r = {0};
	struct dw_range first = {0}, ent;
	struct dw_func f = {0};
	struct decl d;
	struct scope_build sb = {0};

	if (depth > MAX_DEPTH)
		return;
	if (!die_ranges(L, die, &r, &first) || r.n == 0) {
		free(r.v);
		walk_statics(L, die, depth + 1);
		return;
	}
	read_decl(L, die, &d);
	f.name = d.name ? d.name : arena_strdup(&di->ar, "??");
	f.ret_type = d.type;
	f.file = d.has_file ? unit_file(L->u, d.file) : NULL;
	f.line = d.has_line && d.line <= INT32_MAX ? (int)d.line : 0;
	f.external = d.external;
	ent = entry_range_of(L, die, &r, first);
	f.lo = ent.lo;
	f.hi = ent.hi;
	f.frame_base = die_loc(L, die, DW_AT_frame_base, &f.nframe_base);
	read_body(L, die, depth, &f, &sb);
	f.ranges = ranges_keep(di, &r, &f.nranges);
	f.scope.ranges = f.ranges;
	f.scope.nranges = f.nranges;
	scope_keep(di, &sb, &f.scope);
	*(struct dw_func *)vec_push(&L->funcs, &L->nfuncs, &L->capfuncs, sizeof(f)) = f;
}

/* A child of the CU DIE (namespaces are walked through). */
static void walk_top(struct loader *L, Dwarf_Die die, int depth)
{
	struct dwarfinfo *di = L->di;

	if (depth > MAX_DEPTH)
		return;
	switch (die_tag(di, die)) {
	case DW_TAG_subprogram:
		read_function(L, die, depth);
		break;
	case DW_TAG_variable:
		read_global(L, die);
		break;
	case DW_TAG_namespace: case DW_TAG_module:
		for (Dwarf_Die c = first_child(di, die); c; c = next_sibling(di, c))
			walk_top(L, c, depth + 1);
		break;
	}
}

/* ---- gdb's post-prologue pc ---- */

/* Up to len bytes of machine code at a link-time address, from the
 * object's executable sections; returns how many were read. */
static size_t read_code(struct dwarfinfo *di, uint64_t pc, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < di->nsecs; i++) {
		const struct code_sec *s = &di->secs[i];
		if (pc < s->addr || pc - s->addr >= s->size)
			continue;
		size_t n = s->size - (pc - s->addr) < len ? s->size - (pc - s->addr) : len;
		uint64_t off = s->offset + (pc - s->addr);
		if (di->mem) {
			if (off > di->memlen || n > di->memlen - off)
				return 0;
			memcpy(buf, di->mem + off, n);
			return n;
		}
		if (di->code_fd < 0 && di->code_path)
			di->code_fd = open(di->code_path, O_RDONLY | O_CLOEXEC);
		ssize_t got = di->code_fd >= 0 ? pread(di->code_fd, buf, n, (off_t)off) : -1;
		return got > 0 ? (size_t)got : 0;
	}
	return 0;
}

/* gdb's amd64_analyze_prologue: the pc after `[endbr64] push %rbp; mov
 * %rsp,%rbp` (movq or movl, both encodings); pc itself when the function
 * sets up no frame pointer ("frameless"). */
static uint64_t prologue_end(struct dwarfinfo *di, uint64_t pc)
{
	static const uint8_t endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };
	uint8_t b[8];
	size_t n = read_code(di, pc, b, sizeof(b)), i = 0;

	if (n >= 4 && memcmp(b, endbr64, 4) == 0)
		i = 4;
	if (i >= n || b[i] != 0x55)             /* push %rbp */
		return pc;
	if (i + 4 <= n && b[i + 1] == 0x48 && ((b[i + 2] == 0x89 && b[i + 3] == 0xe5) ||
					       (b[i + 2] == 0x8b && b[i + 3] == 0xec)))
		return pc + i + 4;
	if (i + 3 <= n && ((b[i + 1] == 0x89 && b[i + 2] == 0xe5) ||
			   (b[i + 1] == 0x8b && b[i + 2] == 0xec)))
		return pc + i + 3;
	return pc;
}

/* gdb's locations_valid: code from gcc >= 4.5 whose unit has a location
 * list says exactly where variables live at every pc, so `break FUNC`
 * stops at the very entry. */
static bool locations_valid(const struct unit *u)
{
	return u->gcc_major >= 5 && u->has_loclist;
}

/* gdb's skip_prologue_using_sal, which it trusts for clang's code: two
 * rows at the entry mean an empty prologue (lo); else the end of the
 * entry's row, unless that row covers the whole function (0: analyze the
 * instructions instead). */
static uint64_t clang_prologue(const struct unit *u, uint64_t lo, uint64_t bend)
{
	ptrdiff_t i = row_before(u, lo);
	uint64_t end;

	while (i > 0 && u->lines[i - 1].addr == lo)
		i--;
	if (i >= 0 && u->lines[i].addr == lo && !u->lines[i].end_seq &&
	    (size_t)i + 1 < u->nlines && u->lines[i + 1].addr == lo &&
	    !u->lines[i + 1].end_seq && u->lines[i + 1].line != 0)
		return lo;
	end = row_end(u, lo);
	return end > lo && end < bend ? end : 0;
}

/* Where gdb's `break FUNC` puts the breakpoint (skip_prologue_sal). */
static uint64_t body_pc(struct dwarfinfo *di, const struct unit *u, const struct dw_func *f)
{
	uint64_t bend = f->hi, pc, end;
	const struct dw_line *l;

	for (size_t i = 0; i < f->nranges; i++)
		if (f->ranges[i].hi > bend)
			bend = f->ranges[i].hi;
	if (locations_valid(u))
		return f->lo;
	if (u->clang && (pc = clang_prologue(u, f->lo, bend)) != 0)
		return pc;
	pc = prologue_end(di, f->lo);
	if (pc == f->lo)
		return pc;
	l = unit_line_at(u, pc);
	if (l == NULL || l->addr == pc)
		return pc;
	/* mid-line: on to the next row, if still inside the function */
	end = row_end(u, pc);
	return end >= f->lo && end < bend ? end : pc;
}

/* ---- units ---- */

/* The producer's family and gcc's major version ("GNU C17 12.2.0 ..."). */
static void read_producer(struct unit *u, const char *p)
{
	if (p == NULL)
		return;
	u->clang = strstr(p, "clang") != NULL;
	if (strncmp(p, "GNU ", 4) != 0)
		return;
	u->gnu = true;
	p += 4;
	while (*p && *p != ' ')
		p++;
	int major = 0, minor = 0;
	if (sscanf(p, " %d.%d", &major, &minor) == 2 && major >= 4 &&
	    (major > 4 || minor >= 5))
		u->gcc_major = major > 4 ? major : 5;
}

/* What the CU DIE says about the whole unit. */
static void unit_attrs(struct dwarfinfo *di, struct unit *u, Dwarf_Die cu)
{
	unit_bases(di, u, cu);
	u->name = attr_str(di, cu, DW_AT_name);
	u->comp_dir = attr_str(di, cu, DW_AT_comp_dir);
	read_producer(u, attr_str(di, cu, DW_AT_producer));
}

static int fr_cmp(const void *a, const void *b)
{
	const struct fn_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Move what a unit's walk found into the unit, and index its functions. */
static void unit_keep(struct loader *L)
{
	struct dwarfinfo *di = L->di;
	struct unit *u = L->u;
	size_t k = 0;

	u->funcs = arena_dup(&di->ar, L->funcs, L->nfuncs * sizeof(*L->funcs));
	u->nfuncs = L->nfuncs;
	free(L->funcs);
	u->globals = arena_dup(&di->ar, L->globals, L->nglobals * sizeof(*L->globals));
	free(L->sref);
	u->nglobals = L->nglobals;
	free(L->globals);
	for (size_t i = 0; i < u->nfuncs; i++) {
		u->funcs[i].body_pc = body_pc(di, u, &u->funcs[i]);
		u->nfr += u->funcs[i].nranges;
	}
	u->fr = arena_alloc(&di->ar, u->nfr * sizeof(*u->fr) + 1);
	for (size_t i = 0; i < u->nfuncs; i++)
		for (size_t j = 0; j < u->funcs[i].nranges; j++)
			u->fr[k++] = (struct fn_range){ u->funcs[i].ranges[j].lo,
						       u->funcs[i].ranges[j].hi, &u->funcs[i] };
	sort_v(u->fr, u->nfr, sizeof(*u->fr), fr_cmp);
}

/* Read a unit whole, the first time it is needed. */
static void load_unit(struct dwarfinfo *di, struct unit *u)
{
	struct loader L = { .di = di, .u = u };
	Dwarf_Die cu;

	if (u->loaded)
		return;
	u->loaded = true;
	if ((cu = die_at(di, u->off)) == NULL)
		return;
	unit_attrs(di, u, cu);
	load_lines(di, u, cu);
	for (Dwarf_Die c = first_child(di, cu); c; c = next_sibling(di, c))
		walk_top(&L, c, 1);
	dwarf_dealloc_die(cu);
	drain_types(di);
	unit_keep(&L);
}

/* ---- the unit index ---- */

static size_t new_unit(struct dwarfinfo *di, Dwarf_Off off)
{
	struct unit *u = vec_push(&di->units, &di->nunits, &di->capunits, sizeof(*u));

	u->off = off;
	return di->nunits - 1;
}

static void index_add(struct dwarfinfo *di, uint64_t lo, uint64_t hi, size_t unit)
{
	if (lo == 0 || hi <= lo)
		return;
	struct cu_range *r = vec_push(&di->idx, &di->nidx, &di->capidx, sizeof(*r));
	r->lo = lo;
	r->hi = hi;
	r->unit = unit;
}

static int cu_range_cmp(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* The offset of the current CU's DIE while iterating CU headers, or 0
 * for a unit that is not a compile/partial unit (a type unit...). */
static Dwarf_Off cu_die(struct dwarfinfo *di, Dwarf_Die *out)
{
	Dwarf_Error e = NULL;
	Dwarf_Die cu = NULL;
	Dwarf_Half tag;

	*out = NULL;
	if (!ok(di, dwarf_siblingof_b(di->dbg, NULL, true, &cu, &e), &e))
		return 0;
	tag = die_tag(di, cu);
	if (tag != DW_TAG_compile_unit && tag != DW_TAG_partial_unit) {
		dwarf_dealloc_die(cu);
		return 0;
	}
	*out = cu;
	return die_off(di, cu);
}

/* A unit's pcs from its CU DIE (low/high pc or DW_AT_ranges) into the
 * index. */
static void index_cu(struct dwarfinfo *di, size_t ui, Dwarf_Die cu)
{
	struct unit *u = &di->units[ui];
	struct loader L = { .di = di, .u = u };
	struct rvec r = {0};

	unit_bases(di, u, cu);
	die_ranges(&L, cu, &r, NULL);
	for (size_t i = 0; i < r.n; i++)
		index_add(di, r.v[i].lo, r.v[i].hi, ui);
	free(r.v);
}

static int off_cmp(const void *a, const void *b)
{
	const Dwarf_Off *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Visit every CU header once; units not yet known are added, and with
 * `ranges` their pcs go in the index.  Stops at the first error. */
static void list_units(struct dwarfinfo *di, bool ranges)
{
	Dwarf_Off *known = xcalloc(di->nunits + 1, sizeof(*known));
	size_t nknown = di->nunits;

	for (size_t i = 0; i < nknown; i++)
		known[i] = di->units[i].off;
	sort_v(known, nknown, sizeof(*known), off_cmp);
	di->all_listed = true;
	for (;;) {
		Dwarf_Error e = NULL;
		Dwarf_Unsigned hlen = 0, toff = 0, next = 0;
		Dwarf_Half ver = 0, asz = 0, lsz = 0, esz = 0, utype = 0;
		Dwarf_Off abbr = 0, off;
		Dwarf_Sig8 sig;
		Dwarf_Die cu;

		if (!ok(di, dwarf_next_cu_header_d(di->dbg, true, &hlen, &ver, &abbr, &asz, &lsz,
				&esz, &sig, &toff, &next, &utype, &e), &e))
			break;
		if ((off = cu_die(di, &cu)) == 0)
			continue;
		if (!bsearch(&off, known, nknown, sizeof(*known), off_cmp)) {
			size_t ui = new_unit(di, off);
			if (ranges)
				index_cu(di, ui, cu);
		}
		dwarf_dealloc_die(cu);
	}
	free(known);
}

static int unit_off_cmp(const void *key, const void *elem)
{
	const Dwarf_Off *k = key;
	const struct unit *u = elem;

	return *k < u->off ? -1 : *k > u->off;
}

/* The index from .debug_aranges; false if there is none.  Units are made
 * in offset order, one per CU DIE the aranges name. */
static bool index_aranges(struct dwarfinfo *di)
{
	Dwarf_Error e = NULL;
	Dwarf_Arange *ar = NULL;
	Dwarf_Signed n = 0;
	struct cu_range *tmp;
	Dwarf_Off *offs;
	size_t k = 0;

	if (!ok(di, dwarf_get_aranges(di->dbg, &ar, &n, &e), &e))
		return false;
	tmp = xcalloc((size_t)n + 1, sizeof(*tmp));
	offs = xcalloc((size_t)n + 1, sizeof(*offs));
	for (Dwarf_Signed i = 0; i < n; i++) {
		Dwarf_Unsigned seg = 0, segsz = 0, len = 0;
		Dwarf_Addr start = 0;
		Dwarf_Off off = 0;

		if (ok(di, dwarf_get_arange_info_b(ar[i], &seg, &segsz, &start, &len, &off, &e), &e) &&
		    start && len && start + len > start) {
			tmp[k] = (struct cu_range){ start, start + len, 0 };
			offs[k++] = off;
		}
		dwarf_dealloc(di->dbg, ar[i], DW_DLA_ARANGE);
	}
	dwarf_dealloc(di->dbg, ar, DW_DLA_LIST);
	for (size_t i = 0; i < k; i++)
		tmp[i].unit = (size_t)offs[i];  /* the offset, until units exist */
	sort_v(offs, k, sizeof(*offs), off_cmp);
	for (size_t i = 0; i < k; i++)
		if (i == 0 || offs[i] != offs[i - 1])
			new_unit(di, offs[i]);
	for (size_t i = 0; i < k; i++) {
		Dwarf_Off off = tmp[i].unit;
		struct unit *u = bsearch(&off, di->units, di->nunits, sizeof(*di->units), unit_off_cmp);
		index_add(di, tmp[i].lo, tmp[i].hi, (size_t)(u - di->units));
	}
	free(tmp);
	free(offs);
	return k > 0;
}

/* The unit index: .debug_aranges for a big object when it has them (one
 * read of a small section), else every CU DIE (exact, and cheap for a
 * small object). */
static void build_index(struct dwarfinfo *di)
{
	Dwarf_Error e = NULL;
	Dwarf_Addr addr = 0;
	Dwarf_Unsigned size = 0;
	bool big = ok(di, dwarf_get_section_info_by_name(di->dbg, ".debug_info", &addr, &size, &e),
		      &e) && size >= SMALL_INFO;

	if (!big || !index_aranges(di)) {
		di->nunits = di->nidx = 0;
		list_units(di, true);
	}
	sort_v(di->idx, di->nidx, sizeof(*di->idx), cu_range_cmp);
}

/* The unit whose index ranges hold pc, or NULL. */
static struct unit *unit_for(struct dwarfinfo *di, uint64_t pc)
{
	size_t lo = 0, hi = di->nidx;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (di->idx[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ranges of different units should not overlap; look a little back
	 * in case they do */
	for (size_t i = lo, n = 0; i-- > 0 && n < 16; n++)
		if (pc < di->idx[i].hi)
			return &di->units[di->idx[i].unit];
	return NULL;
}

/* Every unit, loaded. */
static void load_all(struct dwarfinfo *di)
{
	if (di->all_loaded)
		return;
	if (!di->all_listed)
		list_units(di, false);
	for (size_t i = 0; i < di->nunits; i++)
		load_unit(di, &di->units[i]);
	di->all_loaded = true;
}

/* ---- opening and closing ---- */

/* libdwarf releases named by date (20210528 and before) start a DWARF 5
 * line program's file register at 0; later ones (0.x.y) at 1, as DWARF 5
 * says. */
static bool libdwarf_file0_bug(void)
{
	const char *v = dwarf_package_version();
	size_t n = 0;

	while (v && v[n] >= '0' && v[n] <= '9')
		n++;
	return v && n == 8 && v[n] == '\0';
}

static struct dwarfinfo *open_fd(int fd, char **cause)
{
	struct dwarfinfo *di = xcalloc(1, sizeof(*di));

	di->fd = fd;
	di->code_fd = -1;
	if (dwobj_open(&di->obj, fd, cause) != 0)
		goto fail;
	di->dbg = di->obj.dbg;
	di->file0_bug = libdwarf_file0_bug();
	build_index(di);
	if (di->nunits == 0) {
		util_cause(cause, "no DWARF debug info");
		goto fail;
	}
	return di;
fail:
	di->fd = -1;                    /* the caller closes it */
	dwarfinfo_free(di);
	return NULL;
}

/* The executable sections of an ELF file, for prologue analysis. */
static void keep_code_sections(struct dwarfinfo *di, const struct elf_file *ef)
{
	for (size_t i = 0; i < ef->nsections; i++) {
		const struct elf_section *s = &ef->sections[i];
		if (s->type != SHT_PROGBITS || !(s->flags & SHF_EXECINSTR))
			continue;
		*(struct code_sec *)vec_push(&di->secs, &di->nsecs, &di->capsecs,
					     sizeof(*di->secs)) =
			(struct code_sec){ s->addr, s->size, s->offset };
	}
}

struct dwarfinfo *dwarfinfo_open(const struct elf_file *ef, char **cause)
{
	const char *path = ef->debug_path ? ef->debug_path : ef->path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct dwarfinfo *di;

	if (fd < 0) {
		util_cause(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((di = open_fd(fd, cause)) == NULL) {
		close(fd);
		return NULL;
	}
	keep_code_sections(di, ef);
	di->code_path = xstrdup(ef->path);
	return di;
}

struct dwarfinfo *dwarfinfo_open_memory(const void *buf, size_t len, char **cause)
{
	int fd = util_memfd("dwarfinfo", buf, len);
	struct dwarfinfo *di;
	struct elf_file *ef;

	if (fd < 0) {
		util_cause(cause, "memfd: %s", strerror(errno));
		return NULL;
	}
	if ((di = open_fd(fd, cause)) == NULL) {
		close(fd);
		return NULL;
	}
	di->mem = buf;
	di->memlen = len;
	if ((ef = elf_file_from_memory(buf, len, NULL)) != NULL) {
		keep_code_sections(di, ef);
		elf_file_free(ef);
	}
	return di;
}

void dwarfinfo_free(struct dwarfinfo *di)
{
	if (di == NULL)
		return;
	dwobj_close(&di->obj);
	if (di->fd >= 0)
		close(di->fd);
	if (di->code_fd >= 0)
		close(di->code_fd);
	free(di->code_path);
	free(di->secs);
	free(di->units);
	free(di->idx);
	free(di->tmap);
	free(di->pend);
	free(di->fresh);
	free(di->funcs_all);
	free(di->fr_all);
	free(di->globals_all);
	arena_free(&di->ar);
	free(di);
}

/* ---- queries ---- */

/* The function of a sorted range list holding pc. */
static const struct dw_func *fr_find(const struct fn_range *fr, size_t n, uint64_t pc)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fr[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo, k = 0; i-- > 0 && k < 16; k++)
		if (pc < fr[i].hi)
			return fr[i].f;
	return NULL;
}

/* The unit that holds pc, loaded; after load_all, any unit whose
 * functions or lines hold it even if the index does not say so. */
static struct unit *unit_of_pc(struct dwarfinfo *di, uint64_t pc)
{
	struct unit *u = unit_for(di, pc);

	if (u) {
		load_unit(di, u);
		return u;
	}
	if (!di->all_loaded)
		return NULL;
	for (size_t i = 0; i < di->nunits; i++) {
		u = &di->units[i];
		if (fr_find(u->fr, u->nfr, pc) || unit_line_at(u, pc))
			return u;
	}
	return NULL;
}

const struct dw_func *dwarfinfo_func_at(struct dwarfinfo *di, uint64_t pc)
{
	struct unit *u;

	if (di->all_built)
		return fr_find(di->fr_all, di->nfr_all, pc);
	u = unit_of_pc(di, pc);
	return u ? fr_find(u->fr, u->nfr, pc) : NULL;
}

const struct dw_line *dwarfinfo_line_at(struct dwarfinfo *di, uint64_t pc, bool *exact)
{
	struct unit *u = unit_of_pc(di, pc);
	const struct dw_line *l = u ? unit_line_at(u, pc) : NULL;

	if (exact)
		*exact = l && l->addr == pc;
	return l;
}

bool dwarfinfo_is_stmt(struct dwarfinfo *di, uint64_t pc)
{
	struct unit *u = unit_of_pc(di, pc);

	if (u == NULL)
		return false;
	for (ptrdiff_t i = row_before(u, pc); i >= 0 && u->lines[i].addr == pc; i--)
		if (u->lines[i].is_stmt && !u->lines[i].end_seq && u->lines[i].line > 0)
			return true;
	return false;
}

static int func_lo_cmp(const void *a, const void *b)
{
	const struct dw_func *x = *(const struct dw_func *const *)a;
	const struct dw_func *y = *(const struct dw_func *const *)b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static uint64_t var_addr(const struct dw_var *v)
{
	return v->nloc && v->loc[0].nops ? v->loc[0].ops[0].a : 0;
}

static int var_name_cmp(const void *a, const void *b)
{
	const struct dw_var *x = *(const struct dw_var *const *)a;
	const struct dw_var *y = *(const struct dw_var *const *)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return var_addr(x) < var_addr(y) ? -1 : var_addr(x) > var_addr(y);
}

/* Load everything and build the object-wide tables. */
static void build_all(struct dwarfinfo *di)
{
	size_t nf = 0, nr = 0, ng = 0;

	if (di->all_built)
		return;
	load_all(di);
	for (size_t i = 0; i < di->nunits; i++) {
		nf += di->units[i].nfuncs;
		nr += di->units[i].nfr;
		ng += di->units[i].nglobals;
	}
	di->funcs_all = xcalloc(nf + 1, sizeof(*di->funcs_all));
	di->fr_all = xcalloc(nr + 1, sizeof(*di->fr_all));
	di->globals_all = xcalloc(ng + 1, sizeof(*di->globals_all));
	for (size_t i = 0; i < di->nunits; i++) {
		struct unit *u = &di->units[i];
		for (size_t j = 0; j < u->nfuncs; j++)
			di->funcs_all[di->nfuncs_all++] = &u->funcs[j];
		memcpy(di->fr_all + di->nfr_all, u->fr, u->nfr * sizeof(*u->fr));
		di->nfr_all += u->nfr;
		for (size_t j = 0; j < u->nglobals; j++)
			di->globals_all[di->nglobals_all++] = u->globals[j];
	}
	sort_v(di->funcs_all, di->nfuncs_all, sizeof(*di->funcs_all), func_lo_cmp);
	sort_v(di->fr_all, di->nfr_all, sizeof(*di->fr_all), fr_cmp);
	sort_v(di->globals_all, di->nglobals_all, sizeof(*di->globals_all), var_name_cmp);
	di->all_built = true;
}

size_t dwarfinfo_funcs(struct dwarfinfo *di, const struct dw_func *const **out)
{
	build_all(di);
	*out = di->funcs_all;
	return di->nfuncs_all;
}

size_t dwarfinfo_globals(struct dwarfinfo *di, const struct dw_var *const **out)
{
	build_all(di);
	*out = di->globals_all;
	return di->nglobals_all;
}

size_t dwarfinfo_scopes_at(const struct dw_func *f, uint64_t pc,
			   const struct dw_scope **out, size_t max)
{
	const struct dw_scope *s = &f->scope;
	size_t n = 0;

	while (s && n < max) {
		const struct dw_scope *in = NULL;
		out[n++] = s;
		for (size_t i = 0; i < s->nblocks && !in; i++)
			if (in_ranges(s->blocks[i].ranges, s->blocks[i].nranges, pc))
				in = &s->blocks[i];
		s = in;
	}
	return n;
}

const struct dw_inline *dwarfinfo_inline_at(const struct dw_func *f, uint64_t pc)
{
	const struct dw_inline *best = NULL;

	for (size_t i = 0; i < f->ninlines; i++)
		if ((best == NULL || f->inlines[i].depth >= best->depth) &&
		    in_ranges(f->inlines[i].ranges, f->inlines[i].nranges, pc))
			best = &f->inlines[i];
	return best;
}

const struct dw_call_site *dwarfinfo_call_site(const struct dw_func *f, uint64_t ret_pc)
{
	size_t lo = 0, hi = f->ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->calls[mid].ret_pc < ret_pc)
			lo = mid + 1;
		else if (f->calls[mid].ret_pc > ret_pc)
			hi = mid;
		else
			return &f->calls[mid];
	}
	return NULL;
}

/* gdb's compare_filenames_for_search: does `search` name this file (all
 * of it, or a tail starting after a '/')? */
static bool file_matches(const char *name, const char *search)
{
	size_t n, m;

	if (name == NULL)
		return false;
	n = strlen(name);
	m = strlen(search);
	if (n < m || strcmp(name + n - m, search) != 0)
		return false;
	return n == m || (!is_abs(search) && name[n - m - 1] == '/');
}

/* The file names (as the rows hold them) of a unit that `search` names;
 * returns how many, at most max. */
static size_t unit_matching_files(const struct unit *u, const char *search, const char **out,
				  size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < u->nfiles && n < max; i++)
		if (file_matches(u->files[i], search) || file_matches(u->full[i], search))
			out[n++] = u->files[i];
	return n;
}

static bool row_in(const struct dw_line *l, const char **files, size_t n)
{
	if (l->end_seq || !l->is_stmt || l->line <= 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (l->file == files[i])
			return true;
	return false;
}

/* The innermost block holding pc as gdb sees blocks (an inlined
 * function's code, else a lexical scope), or NULL. */
static const void *block_of(struct dwarfinfo *di, uint64_t pc)
{
	const struct dw_func *f = dwarfinfo_func_at(di, pc);
	const struct dw_scope *s[MAX_DEPTH];
	const struct dw_inline *in;
	size_t n;

	if (f == NULL)
		return NULL;
	if ((in = dwarfinfo_inline_at(f, pc)) != NULL)
		return in;
	n = dwarfinfo_scopes_at(f, pc, s, MAX_DEPTH);
	return n ? s[n - 1] : NULL;
}

static int u64_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* The rows picked for a `break FILE:LINE`, one per block. */
struct line_pick {
	struct dwarfinfo *di;
	uint64_t *pcs;
	const void **blocks;
	size_t n, cap;
};

static void pick_row(struct line_pick *p, uint64_t pc)
{
	const void *b = block_of(p->di, pc);

	/* gdb keeps one pc per block: the first in table order */
	for (size_t i = 0; b && i < p->n; i++)
		if (p->blocks[i] == b)
			return;
	util_grow((void **)&p->pcs, &p->cap, p->n + 1, sizeof(*p->pcs));
	p->blocks = xrealloc(p->blocks, p->cap * sizeof(*p->blocks));
	p->pcs[p->n] = pc;
	p->blocks[p->n++] = b;
}

/* The line to break at: `line` if some row has it, else the smallest
 * line after it that has one (0: none). */
static int line_target(struct dwarfinfo *di, const char *file, int line)
{
	const char *files[256];
	int best = 0;

	for (size_t i = 0; i < di->nunits; i++) {
		const struct unit *u = &di->units[i];
		size_t nf = unit_matching_files(u, file, files, 256);
		for (size_t j = 0; nf && j < u->nlines; j++) {
			const struct dw_line *l = &u->lines[j];
			if (!row_in(l, files, nf) || l->line < line)
				continue;
			if (l->line == line)
				return line;
			if (best == 0 || l->line < best)
				best = l->line;
		}
	}
	return best;
}

/* Move the picked pcs that lie in a function's prologue to its body_pc,
 * as `break` does for a function's first line; returns the line gdb then
 * reports: the one at the lowest pc if that one moved, else `line`. */
static int past_prologues(struct dwarfinfo *di, struct line_pick *p, int line)
{
	uint64_t low = UINT64_MAX;
	bool low_moved = false;
	const struct dw_line *l;

	for (size_t i = 0; i < p->n; i++) {
		const struct dw_func *f = dwarfinfo_func_at(di, p->pcs[i]);
		bool moved = f && p->pcs[i] < f->body_pc;
		if (moved)
			p->pcs[i] = f->body_pc;
		if (p->pcs[i] < low) {
			low = p->pcs[i];
			low_moved = moved;
		}
	}
	if (low_moved && (l = dwarfinfo_line_at(di, low, NULL)) != NULL)
		return l->line;
	return line;
}

size_t dwarfinfo_line_addrs(struct dwarfinfo *di, const char *file, int line,
			    uint64_t *out, size_t max, int *found_line)
{
	const char *files[256];
	struct line_pick p = { .di = di };
	size_t n = 0;
	int target;

	build_all(di);
	if (found_line)
		*found_line = 0;
	if (line <= 0 || (target = line_target(di, file, line)) == 0)
		return 0;
	for (size_t i = 0; i < di->nunits; i++) {
		const struct unit *u = &di->units[i];
		size_t nf = unit_matching_files(u, file, files, 256);
		for (size_t j = 0; nf && j < u->nlines; j++)
			if (row_in(&u->lines[j], files, nf) && u->lines[j].line == target)
				pick_row(&p, u->lines[j].addr);
	}
	target = past_prologues(di, &p, target);
	sort_v(p.pcs, p.n, sizeof(*p.pcs), u64_cmp);
	for (size_t i = 0; i < p.n && n < max; i++)
		if (n == 0 || out[n - 1] != p.pcs[i])
			out[n++] = p.pcs[i];
	free(p.pcs);
	free(p.blocks);
	if (found_line)
		*found_line = target;
	return n;
}

/* ---- type names, as gdb's whatis prints them (c-typeprint.c) ---- */

enum { Q_CONST = 1, Q_VOLATILE = 2, Q_RESTRICT = 4, Q_ATOMIC = 8 };

/* Skip qualifiers, collecting them. */
static const struct dw_type *peel(const struct dw_type *t, unsigned *q)
{
	*q = 0;
	for (int i = 0; t && i < MAX_TYPE_DEPTH; i++) {
		if (t->kind == DWT_CONST)
			*q |= Q_CONST;
		else if (t->kind == DWT_VOLATILE)
			*q |= Q_VOLATILE;
		else if (t->kind == DWT_QUAL)
			*q |= t->name && strcmp(t->name, "restrict") == 0 ? Q_RESTRICT : Q_ATOMIC;
		else
			return t;
		t = t->target;
	}
	return t && t->kind != DWT_CONST && t->kind != DWT_VOLATILE && t->kind != DWT_QUAL ? t : NULL;
}

/* Is this a type gdb prints by name (no declarator around it)? */
static bool named(const struct dw_type *t)
{
	switch (t->kind) {
	case DWT_POINTER: case DWT_FUNC: case DWT_ARRAY:
		return false;
	default:
		return true;
	}
}

/* c_type_print_modifier */
static void put_quals(struct strbuf *sb, unsigned q, bool pre, bool post)
{
	static const char *const names[] = { "const", "volatile", "restrict", "_Atomic" };
	bool any = false;

	for (unsigned i = 0; i < 4; i++) {
		if (!(q & (1u << i)))
			continue;
		if (any || pre)
			sb_putc(sb, ' ');
		sb_puts(sb, names[i]);
		any = true;
	}
	if (any && post)
		sb_putc(sb, ' ');
}

/* A base type's name in gdb's (C++ canonical) spelling: "long unsigned
 * int" is "unsigned long", "short int" is "short"; names that are not
 * spelled with these words ("__int128 unsigned", "double") stay. */
static void put_base_name(struct strbuf *sb, const char *name)
{
	char buf[64];
	int nunsigned = 0, nsigned = 0, nshort = 0, nlong = 0, nint = 0, nchar = 0;
	char *save = NULL;

	if (name == NULL || strlen(name) >= sizeof(buf)) {
		sb_puts(sb, name ? name : "?");
		return;
	}
	strcpy(buf, name);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (!strcmp(w, "unsigned")) nunsigned++;
		else if (!strcmp(w, "signed")) nsigned++;
		else if (!strcmp(w, "short")) nshort++;
		else if (!strcmp(w, "long")) nlong++;
		else if (!strcmp(w, "int")) nint++;
		else if (!strcmp(w, "char")) nchar++;
		else {
			sb_puts(sb, name);      /* not an integer spelling */
			return;
		}
	}
	if (nunsigned)
		sb_puts(sb, "unsigned ");
	else if (nsigned && nchar)
		sb_puts(sb, "signed ");
	if (nshort)
		sb_puts(sb, "short");
	else if (nlong == 1)
		sb_puts(sb, "long");
	else if (nlong >= 2)
		sb_puts(sb, "long long");
	else if (nchar)
		sb_puts(sb, "char");
	else
		sb_puts(sb, "int");
}

/* c_type_print_base: the innermost named type, with its qualifiers (an
 * array's qualifiers belong to its elements). */
static void put_base(struct strbuf *sb, const struct dw_type *t, unsigned extra, int depth)
{
	unsigned q;
	const struct dw_type *u = peel(t, &q);

	q |= extra;
	if (depth > MAX_TYPE_DEPTH) {
		sb_puts(sb, "?");
		return;
	}
	if (u && (u->kind == DWT_POINTER || u->kind == DWT_FUNC)) {
		put_base(sb, u->target, 0, depth + 1);
		return;
	}
	if (u && u->kind == DWT_ARRAY) {
		put_base(sb, u->target, q, depth + 1);
		return;
	}
	put_quals(sb, q, false, true);
	if (u == NULL || u->kind == DWT_VOID) {
		sb_puts(sb, "void");
		return;
	}
	switch (u->kind) {
	case DWT_BASE:
		put_base_name(sb, u->name);
		return;
	case DWT_STRUCT: case DWT_UNION: case DWT_ENUM:
		sb_puts(sb, u->kind == DWT_STRUCT ? "struct " : u->kind == DWT_UNION ? "union " : "enum ");
		sb_puts(sb, u->name ? u->name : "{...}");
		return;
	default:
		sb_puts(sb, u->name ? u->name : "?");
		return;
	}
}

/* c_type_print_varspec_prefix: the stars and opening parentheses. */
static void put_prefix(struct strbuf *sb, const struct dw_type *t, bool ptr, bool post, int depth)
{
	unsigned q;
	const struct dw_type *u = peel(t, &q);

	if (u == NULL || named(u) || depth > MAX_TYPE_DEPTH)
		return;
	switch (u->kind) {
	case DWT_POINTER:
		put_prefix(sb, u->target, true, true, depth + 1);
		sb_putc(sb, '*');
		put_quals(sb, q, true, post);
		break;
	case DWT_FUNC:
		put_prefix(sb, u->target, false, false, depth + 1);
		if (ptr)
			sb_putc(sb, '(');
		break;
	case DWT_ARRAY:
		put_prefix(sb, u->target, false, post, depth + 1);
		if (ptr)
			sb_putc(sb, '(');
		break;
	default:
		break;
	}
}

static void put_type(struct strbuf *sb, const struct dw_type *t, int depth, size_t limit);

/* c_type_print_args */
static void put_args(struct strbuf *sb, const struct dw_type *f, int depth, size_t limit)
{
	sb_putc(sb, '(');
	for (size_t i = 0; i < f->nparams; i++) {
		if (i)
			sb_puts(sb, ", ");
		if (sb->len > limit) {
			sb_puts(sb, "...");
			break;
		}
		put_type(sb, f->params[i], depth + 1, limit);
	}
	if (f->nparams && f->varargs)
		sb_puts(sb, ", ...");
	else if (f->nparams == 0 && f->prototyped)
		sb_puts(sb, "void");
	sb_putc(sb, ')');
}

/* c_type_print_varspec_suffix: closing parentheses, [N], (args). */
static void put_suffix(struct strbuf *sb, const struct dw_type *t, bool ptr, int depth,
		       size_t limit)
{
	unsigned q;
	const struct dw_type *u = peel(t, &q);

	if (u == NULL || named(u) || depth > MAX_TYPE_DEPTH)
		return;
	switch (u->kind) {
	case DWT_ARRAY:
		if (ptr)
			sb_putc(sb, ')');
		if (u->count_known)
			sb_printf(sb, "[%llu]", (unsigned long long)u->count);
		else
			sb_puts(sb, "[]");
		put_suffix(sb, u->target, false, depth + 1, limit);
		break;
	case DWT_POINTER:
		put_suffix(sb, u->target, true, depth + 1, limit);
		break;
	case DWT_FUNC:
		if (ptr)
			sb_putc(sb, ')');
		put_args(sb, u, depth, limit);
		put_suffix(sb, u->target, ptr, depth + 1, limit);
		break;
	default:
		break;
	}
}

/* c_print_type with an empty variable name. */
static void put_type(struct strbuf *sb, const struct dw_type *t, int depth, size_t limit)
{
	unsigned q;
	const struct dw_type *u = peel(t, &q);

	if (depth > MAX_TYPE_DEPTH) {
		sb_puts(sb, "?");
		return;
	}
	put_base(sb, t, 0, depth + 1);
	if (u && !named(u))
		sb_putc(sb, ' ');
	put_prefix(sb, t, false, false, depth + 1);
	put_suffix(sb, t, false, depth + 1, limit);
}

void dwarfinfo_type_name(const struct dw_type *t, struct strbuf *sb)
{
	/* a corrupt graph (a function type that takes itself twice...) could
	 * make a name of exponential length: stop at MAX_TYPE_NAME bytes */
	put_type(sb, t, 0, sb->len + MAX_TYPE_NAME);
}

const struct dw_type *dwarfinfo_type_strip(const struct dw_type *t)
{
	for (int i = 0; t && i < MAX_TYPE_DEPTH; i++) {
		if (t->kind != DWT_TYPEDEF && t->kind != DWT_CONST && t->kind != DWT_VOLATILE &&
		    t->kind != DWT_QUAL)
			return t;
		t = t->target;
	}
	return NULL;
}
