/*
 * cfi.c - call frame information through libdwarf's frame interface.
 *
 * WHERE IT COMES FROM.  .eh_frame is read from the object itself (ef->path):
 * libc6-dbg's debug files keep .eh_frame as NOBITS.  .debug_frame is read
 * from the object and from its separate debug file (ef->debug_path), and
 * is asked only where .eh_frame has no FDE for a pc (gcc puts everything in
 * .eh_frame on x86-64; .debug_frame appears with
 * -fno-asynchronous-unwind-tables).  Files are opened through dwobj, like
 * dwarfinfo's (dwobj.h says why there is one way); libdwarf 20210528 opens
 * an object that has .eh_frame and no .debug_* section (libc.so.6, a
 * stripped binary): checked on Debian 12's libc, whose 3713 FDEs load in a
 * few milliseconds, once per session.  An in-memory image (the fuzzers)
 * is written to a memfd first.
 *
 * THE REGISTER TABLE.  Before the first frame call every Dwarf_Debug is set
 * up for x86-64 as libdwarf.h asks: a rule table of CFI_TABLE_COLS columns
 * (every x86-64 DWARF register, 0..125, so a CFA program naming an xmm or
 * mask register does not make the FDE unreadable), the CFA as the separate
 * DW_FRAME_CFA_COL3 column, and "same value" as the initial rule, the psABI
 * convention for a register the CFI does not mention (gdb and libgcc read it
 * so); the unwinder decides what that means for caller-saved registers.
 *
 * ROWS.  dwarf_get_fde_at_pc (a binary search over the sorted FDEs) and
 * dwarf_get_fde_info_for_all_regs3 (runs the CIE's and FDE's programs up to
 * pc) cost a few microseconds; a row is then cached, compactly (rules and
 * the raw bytes of expression rules, which point into libdwarf's section
 * data and live as long as the cfi), in a direct-mapped table keyed by pc:
 * a 1,000-deep recursion costs one lookup per distinct pc.  A pc no FDE
 * covers is cached too.  Expression rules are decoded into dw_op arrays with
 * dwexpr_decode when a row is handed out.
 */
#include <fcntl.h>
#include <libdwarf.h>
#include <dwarf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfi.h"
#include "dwobj.h"
#include "util.h"

#define CFI_TABLE_COLS 128        /* libdwarf rule table: DWARF regs 0..127 */
#define CACHE_SLOTS 256           /* rows cached per object (direct-mapped) */

/* An open Dwarf_Debug and what it was opened from. */
struct handle {
	struct dwobj ob;          /* ob.dbg is the Dwarf_Debug */
	int fd;
};

/* The FDEs of one section (.eh_frame or .debug_frame) of one handle. */
struct fde_table {
	Dwarf_Debug dbg;
	Dwarf_Cie *cies;
	Dwarf_Signed ncies;
	Dwarf_Fde *fdes;
	Dwarf_Signed nfdes;
};

/* A rule as cached: expressions stay raw bytes until handed out. */
struct crule {
	uint8_t kind;             /* enum cfi_rule_kind */
	int16_t reg;
	int64_t off;
	const uint8_t *expr;
	uint32_t elen;
};

struct crow {
	uint64_t pc;              /* the pc asked for */
	bool used, found;
	bool signal_frame, cfa_is_expr;
	int16_t cfa_reg;
	int64_t cfa_off;
	const uint8_t *cfa_expr;
	uint32_t cfa_elen;
	uint64_t lo, hi;
	struct crule r[DW_NREGS];
};

struct cfi {
	struct handle h[2];       /* the object, its debug file */
	size_t nh;
	struct fde_table t[3];    /* .eh_frame first, then .debug_frames */
	size_t nt;
	struct crow *cache;       /* CACHE_SLOTS, allocated at the first find */
};

/* Free a libdwarf error (errors of a failed init belong to no dbg). */
static void drop_error(Dwarf_Debug dbg, Dwarf_Error *err)
{
	if (*err)
		dwarf_dealloc_error(dbg, *err);
	*err = NULL;
}

/* Set up dbg's frame interface for x86-64 (see the top comment). */
static void frame_setup(Dwarf_Debug dbg)
{
	dwarf_set_frame_rule_table_size(dbg, CFI_TABLE_COLS);
	dwarf_set_frame_rule_initial_value(dbg, DW_FRAME_SAME_VAL);
	dwarf_set_frame_cfa_value(dbg, DW_FRAME_CFA_COL3);
	dwarf_set_frame_same_value(dbg, DW_FRAME_SAME_VAL);
	dwarf_set_frame_undefined_value(dbg, DW_FRAME_UNDEFINED_VAL);
}

/* Open the file on fd as a new handle of c, which then owns fd; 0 on
 * success, else fd is closed. */
static int open_fd(struct cfi *c, int fd)
{
	struct handle *h = &c->h[c->nh];

	if (fd < 0)
		return -1;
	if (dwobj_open(&h->ob, fd, NULL) != 0) {
		close(fd);
		return -1;
	}
	h->fd = fd;
	frame_setup(h->ob.dbg);
	c->nh++;
	return 0;
}

static int open_path(struct cfi *c, const char *path)
{
	return open_fd(c, open(path, O_RDONLY | O_CLOEXEC));
}

/* An ELF image in memory as a new handle of c; 0 on success. */
static int open_memory(struct cfi *c, const void *buf, size_t len)
{
	return open_fd(c, util_memfd("cfi", buf, len));
}

/* Add dbg's .eh_frame (eh) or .debug_frame FDEs as a table, if it has any. */
static void add_table(struct cfi *c, Dwarf_Debug dbg, bool eh)
{
	struct fde_table *t = &c->t[c->nt];
	Dwarf_Error err = NULL;
	int rc;

	if (eh)
		rc = dwarf_get_fde_list_eh(dbg, &t->cies, &t->ncies, &t->fdes, &t->nfdes, &err);
	else
		rc = dwarf_get_fde_list(dbg, &t->cies, &t->ncies, &t->fdes, &t->nfdes, &err);
	drop_error(dbg, &err);
	if (rc != DW_DLV_OK)
		return;
	if (t->nfdes <= 0) {
		dwarf_fde_cie_list_dealloc(dbg, t->cies, t->ncies, t->fdes, t->nfdes);
		return;
	}
	t->dbg = dbg;
	c->nt++;
}

void cfi_free(struct cfi *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nt; i++)
		dwarf_fde_cie_list_dealloc(c->t[i].dbg, c->t[i].cies, c->t[i].ncies,
					   c->t[i].fdes, c->t[i].nfdes);
	for (size_t i = 0; i < c->nh; i++) {
		dwobj_close(&c->h[i].ob);
		close(c->h[i].fd);
	}
	free(c->cache);
	free(c);
}

/* c with no FDE table is useless: free it and say so. */
static struct cfi *finish_open(struct cfi *c, const char *what, char **cause)
{
	if (c->nt > 0)
		return c;
	cfi_free(c);
	util_cause(cause, "%s: no .eh_frame or .debug_frame", what);
	return NULL;
}

struct cfi *cfi_open(const struct elf_file *ef, char **cause)
{
	struct cfi *c = xcalloc(1, sizeof(*c));

	if (open_path(c, ef->path) == 0) {
		add_table(c, c->h[0].ob.dbg, true);
		add_table(c, c->h[0].ob.dbg, false);
	}
	if (ef->debug_path && open_path(c, ef->debug_path) == 0)
		add_table(c, c->h[c->nh - 1].ob.dbg, false);
	return finish_open(c, ef->path, cause);
}

struct cfi *cfi_open_memory(const void *buf, size_t len, char **cause)
{
	struct cfi *c = xcalloc(1, sizeof(*c));

	if (open_memory(c, buf, len) == 0) {
		add_table(c, c->h[0].ob.dbg, true);
		add_table(c, c->h[0].ob.dbg, false);
	}
	return finish_open(c, "ELF image", cause);
}

/* One libdwarf rule as a cached rule. */
static void rule_from(const Dwarf_Regtable_Entry3 *e, struct crule *r)
{
	memset(r, 0, sizeof(*r));
	switch (e->dw_value_type) {
	case DW_EXPR_OFFSET:
		if (e->dw_offset_relevant) {
			r->kind = CFI_OFFSET;
			r->off = (int64_t)e->dw_offset_or_block_len;
		} else if (e->dw_regnum == DW_FRAME_SAME_VAL) {
			r->kind = CFI_SAME;
		} else if (e->dw_regnum < DW_NREGS) {
			r->kind = CFI_REG;
			r->reg = (int16_t)e->dw_regnum;
		} else {
			/* undefined, or a register we do not track */
			r->kind = CFI_UNDEF;
		}
		break;
	case DW_EXPR_VAL_OFFSET:
		r->kind = CFI_VAL_OFFSET;
		r->off = (int64_t)e->dw_offset_or_block_len;
		break;
	case DW_EXPR_EXPRESSION:
	case DW_EXPR_VAL_EXPRESSION:
		r->kind = e->dw_value_type == DW_EXPR_EXPRESSION ? CFI_EXPR : CFI_VAL_EXPR;
		r->expr = e->dw_block_ptr;
		r->elen = (uint32_t)e->dw_offset_or_block_len;
		if (!r->expr || e->dw_offset_or_block_len > UINT32_MAX)
			r->kind = CFI_UNDEF, r->expr = NULL, r->elen = 0;
		break;
	default:
		r->kind = CFI_UNDEF;
	}
}

/* Is the FDE's CIE a signal frame's ('S' in its augmentation)?  Also
 * gives its return address column. */
static bool cie_of(Dwarf_Debug dbg, Dwarf_Fde fde, Dwarf_Half *ra)
{
	Dwarf_Cie cie;
	Dwarf_Error err = NULL;
	Dwarf_Unsigned bytes, caf, ilen;
	Dwarf_Small ver;
	Dwarf_Signed daf;
	Dwarf_Half osz;
	Dwarf_Ptr instr;
	char *aug = NULL;

	*ra = DW_REG_RIP;
	if (dwarf_get_cie_of_fde(fde, &cie, &err) != DW_DLV_OK ||
	    dwarf_get_cie_info_b(cie, &bytes, &ver, &aug, &caf, &daf, ra, &instr, &ilen,
				 &osz, &err) != DW_DLV_OK) {
		drop_error(dbg, &err);
		*ra = DW_REG_RIP;
		return false;
	}
	return aug && aug[0] == 'z' && strchr(aug, 'S') != NULL;
}

/* The row of pc from table t into r; false if no FDE covers pc. */
static bool lookup(struct fde_table *t, uint64_t pc, struct crow *r)
{
	Dwarf_Regtable_Entry3 cols[CFI_TABLE_COLS];
	Dwarf_Regtable3 rt = { .rt3_reg_table_size = CFI_TABLE_COLS, .rt3_rules = cols };
	Dwarf_Error err = NULL;
	Dwarf_Fde fde;
	Dwarf_Addr lo, hi, row_pc, next_pc;
	Dwarf_Small vt;
	Dwarf_Signed orel, reg, off;
	Dwarf_Ptr blk;
	Dwarf_Bool more;
	Dwarf_Half ra;

	memset(cols, 0, sizeof(cols));
	if (dwarf_get_fde_at_pc(t->fdes, pc, &fde, &lo, &hi, &err) != DW_DLV_OK ||
	    dwarf_get_fde_info_for_all_regs3(fde, pc, &rt, &row_pc, &err) != DW_DLV_OK) {
		drop_error(t->dbg, &err);
		return false;
	}
	r->signal_frame = cie_of(t->dbg, fde, &ra);
	r->lo = row_pc;
	r->hi = hi;
	/* the row's end: where the next row starts, if any */
	if (dwarf_get_fde_info_for_cfa_reg3_b(fde, pc, &vt, &orel, &reg, &off, &blk, &row_pc,
					      &more, &next_pc, &err) == DW_DLV_OK) {
		if (more && next_pc > r->lo && next_pc < r->hi)
			r->hi = next_pc;
	}
	drop_error(t->dbg, &err);
	r->cfa_is_expr = rt.rt3_cfa_rule.dw_value_type != DW_EXPR_OFFSET;
	if (r->cfa_is_expr) {
		r->cfa_expr = rt.rt3_cfa_rule.dw_block_ptr;
		r->cfa_elen = (uint32_t)rt.rt3_cfa_rule.dw_offset_or_block_len;
	} else {
		r->cfa_reg = (int16_t)rt.rt3_cfa_rule.dw_regnum;
		r->cfa_off = rt.rt3_cfa_rule.dw_offset_relevant ?
			(int64_t)rt.rt3_cfa_rule.dw_offset_or_block_len : 0;
	}
	for (int i = 0; i < DW_REG_RIP; i++)
		rule_from(&cols[i], &r->r[i]);
	/* the return address column (16 on x86-64) is the caller's rip */
	if (ra < CFI_TABLE_COLS)
		rule_from(&cols[ra], &r->r[DW_REG_RIP]);
	else
		r->r[DW_REG_RIP].kind = CFI_UNDEF;
	return true;
}

/* Fill cache slot r for pc from the first table with an FDE for it. */
static void fill(struct cfi *c, uint64_t pc, struct crow *r)
{
	memset(r, 0, sizeof(*r));
	r->used = true;
	r->pc = pc;
	for (size_t i = 0; i < c->nt && !r->found; i++)
		r->found = lookup(&c->t[i], pc, r);
}

/* Decode a cached expression into ops; false if it does not decode. */
static bool decode(const uint8_t *p, uint32_t len, struct dw_op *ops, size_t *n)
{
	return p && dwexpr_decode(p, len, ops, CFI_MAX_OPS, n) == 0;
}

/* Hand out cached row r as a cfi_row; -1 if its CFA is unusable. */
static int expand(const struct crow *r, struct cfi_row *row)
{
	row->lo = r->lo;
	row->hi = r->hi;
	row->signal_frame = r->signal_frame;
	row->bad_expr = false;
	row->cfa_is_expr = r->cfa_is_expr;
	row->cfa_reg = r->cfa_reg;
	row->cfa_off = r->cfa_off;
	row->cfa_nops = 0;
	if (r->cfa_is_expr && !decode(r->cfa_expr, r->cfa_elen, row->cfa_ops, &row->cfa_nops))
		return -1;
	for (int i = 0; i < DW_NREGS; i++) {
		const struct crule *cr = &r->r[i];
		struct cfi_rule *o = &row->regs[i];
		o->kind = cr->kind;
		o->reg = cr->reg;
		o->off = cr->off;
		o->nops = 0;
		if ((cr->kind == CFI_EXPR || cr->kind == CFI_VAL_EXPR) &&
		    !decode(cr->expr, cr->elen, o->ops, &o->nops)) {
			o->kind = CFI_UNDEF;
			row->bad_expr = true;
		}
	}
	return 0;
}

int cfi_find(struct cfi *c, uint64_t pc, struct cfi_row *row)
{
	struct crow *r;

	if (!c)
		return -1;
	if (!c->cache)
		c->cache = xcalloc(CACHE_SLOTS, sizeof(*c->cache));
	/* Fibonacci hashing: nearby pcs spread over the slots */
	r = &c->cache[((pc * 0x9e3779b97f4a7c15ull) >> 56) & (CACHE_SLOTS - 1)];
	if (!r->used || r->pc != pc)
		fill(c, pc, r);
	if (!r->found)
		return -1;
	return expand(r, row);
}
