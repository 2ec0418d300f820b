/*
 * ui_space.c - the address-space pane: every region of the process, high
 * addresses at the top as the lecture draws it.
 *
 *   ┌ Address space (gaps compressed) ───────────────────────────────┐
 *   │▓ 0x7ffd89f1e000     [stack]              132 KiB rw- ██░░░░░░░░│
 *   │▓   ▼ sp 0x7ffd89f3cf78 · 8.1 KiB used                          │
 *   │  ·· 966 GiB gap ··                                             │
 *   │▓ 0x7f0c29c32000     libc.so.6            1.3 MiB r-x ██████░░░░│
 *   │▓   .text 1.3 MiB  .plt.got 16 B  .plt 864 B  +1 section        │
 *   │  ·· 41.4 TiB gap ··                                            │
 *   │█ 0x55a17a3e4000     [heap]               132 KiB rw- █░░░░░░░░░│
 *   │█   ▲ brk 0x55a17a405000 ◄ +132 KiB                             │
 *
 * Each row starts with a strip in the region's role color (solid and dark
 * by turns, so neighbours stay apart in monochrome); the bar at the right
 * is the region's RSS against its size, resident pages solid, the rest
 * light: pages never touched (demand paging).
 *
 * A 64-bit address space is almost all gap: no scale shows the gaps and
 * the regions at once, so in every scale a gap is one line saying its
 * size, and the scales differ in how tall a region is: proportional (rows
 * by bytes, the mapped bytes filling the pane, at least one row each), gaps
 * compressed (each region just its lines) and logarithmic (rows by log2 of
 * the size).  A region's first row is its header; below it come its marks
 * (sp, brk, a fault or a bad_deref bug's address, the linked address)
 * and its ELF sections, as many
 * lines of them as its rows leave room for (else on the header row).
 *
 * The pane walks the regions three times per draw (widths, layout,
 * drawing); it draws only the rows in view.  st->sel is a display index
 * (0 = the highest region); across stops it follows the region it
 * selected (by start address) unless a key moved it.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui_draw.h"

#define MAX_SP_MARKS 8            /* sp lines per region (threads) */
#define NAME_MAX_W 18

/* Everything a pass over the regions needs. */
struct sx {
	const struct ui_ctx *c;
	const struct space *sp;
	const struct snapshot *snap;
	int w, h;                 /* inside the box */
	int scale;
	int strip;                /* columns of the role strip (0 or 2) */
	int aw, nw;               /* address and name column widths */
	bool strip0x;             /* narrow: drop the "0x" of addresses */
	bool sec_sizes;           /* section tokens carry their size */
	bool fault;               /* a fault address to mark */
	uint64_t fault_addr;
	bool fault_sig;           /* ... of a signal (else of a bad_deref bug) */
	bool link;                /* highlight the region holding link->lo */
	uint64_t mapped;          /* bytes of all regions */
	double unit;              /* proportional: bytes per row */
	double logk;              /* log: rows per doubling */
	int heap_delta_sign;      /* [heap] end moved since the previous stop */
	uint64_t heap_prev_end;
	bool stack_grew;
	uint64_t stack_growth;
	int sel;                  /* display index, -1 none */
};

static enum ui_role kind_role(enum region_kind k)
{
	switch (k) {
	case RK_TEXT: return UR_TEXT;
	case RK_RODATA: return UR_RODATA;
	case RK_DATA: return UR_DATA;
	case RK_BSS: return UR_BSS;
	case RK_HEAP: return UR_HEAP;
	case RK_STACK: return UR_STACK;
	case RK_MMAP: return UR_MMAP;
	case RK_LIB: return UR_LIB;
	case RK_GUARD: return UR_DIM;
	default: return UR_OTHER;
	}
}

/* The role of an ELF section by its name. */
static enum ui_role section_role(const char *name)
{
	static const struct { const char *prefix; enum ui_role role; } map[] = {
		{ ".text", UR_TEXT }, { ".plt", UR_TEXT }, { ".init", UR_TEXT },
		{ ".fini", UR_TEXT }, { ".rodata", UR_RODATA }, { ".eh_frame", UR_RODATA },
		{ ".bss", UR_BSS }, { ".tbss", UR_BSS }, { ".data", UR_DATA },
		{ ".got", UR_DATA }, { ".tdata", UR_DATA }, { ".dynamic", UR_DATA },
	};

	for (size_t i = 0; name && i < ARRAY_LEN(map); i++)
		if (strncmp(name, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].role;
	return UR_DIM;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* "[heap]", "libc.so.6", the executable's name for its .bss tail, "[anon]". */
static const char *region_name(const struct region *rg)
{
	if (rg->path && *rg->path)
		return rg->path[0] == '[' ? rg->path : base_name(rg->path);
	if (rg->mod && rg->mod->ef && rg->mod->ef->path)
		return base_name(rg->mod->ef->path);
	return "[anon]";
}

static bool is_heap(const struct region *rg)
{
	return rg->kind == RK_HEAP;
}

static bool is_main_stack(const struct region *rg)
{
	return rg->path && strcmp(rg->path, "[stack]") == 0;
}

/* The address as ui_addr writes it, without "0x" in a narrow pane. */
static void addr_str(const struct sx *x, uint64_t a, char *buf, size_t n)
{
	ui_addr(x->c, a, buf, n);
	if (x->strip0x && buf[0] == '0' && buf[1] == 'x')
		memmove(buf, buf + 2, strlen(buf + 2) + 1);
}

/* A region's start: with --relative a module's mapping is "+0x26000"
 * from the module's first byte (its name is in the next column; ui_addr
 * would name the symbol that happens to start there), the heap's end is
 * "heap+0x21000" (one past the region, where ui_addr finds no region). */
static void region_addr(const struct sx *x, const struct region *rg, uint64_t a, char *buf,
			size_t n)
{
	bool rel = x->c->o && x->c->o->relative;

	if (rel && a == rg->start && rg->mod && rg->mod->lo <= a)
		snprintf(buf, n, "+0x%" PRIx64, a - rg->mod->lo);
	else if (rel && a == rg->end && is_heap(rg))
		snprintf(buf, n, "heap+0x%" PRIx64, a - rg->start);
	else
		addr_str(x, a, buf, n);
}

static int ilog2(uint64_t v)
{
	return v ? 63 - __builtin_clzll(v) : 0;
}

/* Rows of log scale before the factor: 1 for a page, +1 per doubling. */
static int log_units(uint64_t bytes)
{
	int u = ilog2(bytes) - 11;

	return u < 1 ? 1 : u;
}

/* The threads' stack pointers, sorted, so that the layout passes count
 * a region's in log time (a program may have many threads and regions). */
static uint64_t *sps;
static size_t sps_n, sps_cap;

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void sort_sps(const struct snapshot *s)
{
	util_grow((void **)&sps, &sps_cap, s->nthreads, sizeof(*sps));
	for (size_t t = 0; t < s->nthreads; t++)
		sps[t] = s->threads[t].sp;
	sps_n = s->nthreads;
	if (sps_n)
		qsort(sps, sps_n, sizeof(*sps), cmp_u64);
}

/* Index of the first sorted sp >= a. */
static size_t sp_lower(uint64_t a)
{
	size_t lo = 0, hi = sps_n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (sps[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* How many threads' stack pointers lie in rg. */
static int sp_count(const struct region *rg)
{
	return (int)(sp_lower(rg->end) - sp_lower(rg->start));
}

static bool in_region(const struct region *rg, uint64_t a)
{
	return a >= rg->start && a < rg->end;
}

/* The linked address gets a line of its own unless the link is the whole
 * region (this pane's own selection). */
static bool link_mark(const struct sx *x, const struct region *rg)
{
	const struct ui_link *l = x->c->link;

	return x->link && in_region(rg, l->lo) && !(l->lo == rg->start && l->hi == rg->end);
}

/* Lines of marks under a region's header: sp (capped, plus one "more"
 * line), brk, the fault, the linked address. */
static int mark_count(const struct sx *x, const struct region *rg)
{
	int n = sp_count(rg);

	if (n > MAX_SP_MARKS)
		n = MAX_SP_MARKS + 1;
	if (is_heap(rg))
		n++;
	if (x->fault && in_region(rg, x->fault_addr))
		n++;
	if (link_mark(x, rg))
		n++;
	return n;
}

/* The sections worth a label: code, constants, data, bss, the GOT/PLT
 * and unwind tables.  The rest (.dynsym, .gnu.hash, .note.*, .rela.* ...)
 * are counted in one "+N sections" token, so libc's 60-odd sections do
 * not bury the picture. */
static bool major_section(const char *name)
{
	static const char *const major[] = {
		".text", ".plt", ".init", ".fini", ".rodata", ".eh_frame", ".data", ".bss",
		".tbss", ".tdata", ".got", ".dynamic",
	};

	for (size_t i = 0; name && i < ARRAY_LEN(major); i++) {
		size_t n = strlen(major[i]);
		if (strncmp(name, major[i], n) == 0 && (name[n] == '\0' || name[n] == '.' ||
							name[n] == '_'))
			return true;
	}
	return false;
}

/* One token of a section line, on the next line if it does not fit. */
static void put_token(const struct sx *x, const char *tok, enum ui_role role, int *col,
		      int *line, int want, const struct ui_rect *in, int row)
{
	int indent = x->strip + 2, tw = ui_width(tok);

	if (*col > indent && *col + tw > x->w) {
		(*line)++;
		*col = indent;
	}
	if (in && *line == want)
		ui_text(in, row, *col, role, tok);
	*col += tw + 2;
}

/* Pack the sections of rg (high first, the major ones, then "+N
 * sections") into lines of the pane's width.  Returns the line count;
 * draws line `want` at row `row` of in when in is not NULL. */
static int section_lines(const struct sx *x, const struct region *rg, int want,
			 const struct ui_rect *in, int row)
{
	int col = x->strip + 2, line = 0, minor = 0;
	char tok[96], size[32];

	if (rg->nsections == 0)
		return 0;
	for (size_t k = rg->nsections; k-- > 0;) {
		const char *name = rg->sections[k].name;

		if (!major_section(name)) {
			minor++;
			continue;
		}
		if (x->sec_sizes) {
			ui_size(size, sizeof size, rg->sections[k].end - rg->sections[k].start);
			snprintf(tok, sizeof tok, "%s %s", name, size);
		} else {
			snprintf(tok, sizeof tok, "%s", name);
		}
		put_token(x, tok, section_role(name), &col, &line, want, in, row);
	}
	if (minor) {
		snprintf(tok, sizeof tok, "+%d section%s", minor, minor == 1 ? "" : "s");
		put_token(x, tok, UR_DIM, &col, &line, want, in, row);
	}
	return line + 1;
}

/* Rows a region takes at the pane's scale; *nmarks, *nsec: its mark lines
 * and section lines (0 when the sections go on the header row). */
static int region_rows(const struct sx *x, const struct region *rg, int *nmarks, int *nsec)
{
	int m = mark_count(x, rg), s = section_lines(x, rg, -1, NULL, 0);
	int natural = 1 + m + s, rows;
	uint64_t bytes = rg->end - rg->start;

	if (x->scale == 1)
		rows = natural;
	else if (x->scale == 2)
		rows = (int)(log_units(bytes) * x->logk + 0.5);
	else
		rows = x->unit > 0 ? (int)((double)bytes / x->unit + 0.5) : 1;
	if (rows > 100000)
		rows = 100000;
	if (rows < 1 + m)
		rows = 1 + m;
	*nmarks = m;
	*nsec = rows >= natural ? s : 0;
	return rows;
}

/* The gap above display item d (between region i and the one above it),
 * as [lo, hi); false if there is none to draw.  Above the highest region
 * and below the lowest, a gap is drawn only to hold the fault address. */
static bool gap_above(const struct sx *x, size_t i, uint64_t *lo, uint64_t *hi)
{
	const struct region *r = x->sp->regions;

	*lo = r[i].end;
	*hi = i + 1 < x->sp->n ? r[i + 1].start : UINT64_MAX;
	if (*hi <= *lo)
		return false;
	return i + 1 < x->sp->n || (x->fault && x->fault_addr >= *lo);
}

static bool gap_below_all(const struct sx *x)
{
	return x->fault && x->fault_addr < x->sp->regions[0].start;
}

static int gap_rows(const struct sx *x, uint64_t lo, uint64_t hi)
{
	return 1 + (x->fault && x->fault_addr >= lo && (x->fault_addr < hi || hi == UINT64_MAX));
}

/* ---- drawing ----------------------------------------------------------- */

/* "→ fault 0x10  SIGSEGV", "→ fault 0x10  ⚠ bad_deref" */
static void draw_fault(const struct sx *x, const struct ui_rect *in, int row, int col)
{
	char a[64];
	const char *sig = sigabbrev_np(x->snap->ev.signo);

	addr_str(x, x->fault_addr, a, sizeof a);
	if (x->fault_sig)
		ui_textf(in, row, col, UR_ERROR, "%s fault %s  SIG%s", ui_glyph(UG_ARROW_R), a,
			 sig ? sig : "?");
	else
		ui_textf(in, row, col, UR_ERROR, "%s fault %s  %s %s", ui_glyph(UG_ARROW_R), a,
			 ui_glyph(UG_WARN), ui_diag_name(DG_BAD_DEREF));
}

static void draw_gap(const struct sx *x, const struct ui_rect *in, int row, int sub,
		     uint64_t lo, uint64_t hi)
{
	char size[32];

	if (sub == 0) {
		ui_size(size, sizeof size, hi - lo);
		ui_textf(in, row, x->strip, UR_DIM, "%s %s gap %s", ui_glyph(UG_GAP), size,
			 ui_glyph(UG_GAP));
	} else {
		draw_fault(x, in, row, x->strip + 2);
	}
}

/* One mark line: sp of a thread, brk, the fault, the linked address.
 * Marks are ordered by address, high first. */
struct mark {
	uint64_t addr;
	int kind;                 /* 0 sp, 1 more sp, 2 brk, 3 fault, 4 link */
	pid_t tid;
};

static int marks_of(const struct sx *x, const struct region *rg, struct mark *m)
{
	int n = 0, nsp = 0;

	for (size_t t = 0; t < x->snap->nthreads; t++) {
		const struct thread_state *ts = &x->snap->threads[t];
		if (!in_region(rg, ts->sp))
			continue;
		if (nsp++ < MAX_SP_MARKS)
			m[n++] = (struct mark){ ts->sp, 0, ts->tid };
	}
	if (nsp > MAX_SP_MARKS)
		m[n++] = (struct mark){ 0, 1, (pid_t)(nsp - MAX_SP_MARKS) };
	if (is_heap(rg))
		m[n++] = (struct mark){ rg->end, 2, 0 };
	if (x->fault && in_region(rg, x->fault_addr))
		m[n++] = (struct mark){ x->fault_addr, 3, 0 };
	if (link_mark(x, rg))
		m[n++] = (struct mark){ x->c->link->lo, 4, 0 };
	for (int i = 1; i < n; i++)          /* insertion sort, high first */
		for (int j = i; j > 0 && m[j].addr > m[j - 1].addr; j--) {
			struct mark t = m[j];
			m[j] = m[j - 1];
			m[j - 1] = t;
		}
	return n;
}

static void draw_mark(const struct sx *x, const struct region *rg, const struct mark *m,
		      const struct ui_rect *in, int row)
{
	int col = x->strip + 2;
	char a[64], d[32];

	region_addr(x, rg, m->addr, a, sizeof a);
	switch (m->kind) {
	case 0:
		ui_size(d, sizeof d, rg->end - m->addr);
		col += ui_textf(in, row, col, x->stack_grew && is_main_stack(rg) ? UR_CHANGED
				: UR_STACK, "%s sp %s", ui_glyph(UG_DOWN), a);
		if (x->snap->nthreads > 1)
			col += ui_textf(in, row, col, UR_DIM, " thread %d", (int)m->tid);
		col += ui_textf(in, row, col, UR_DIM, " %s %s used", ui_draw_utf8() ? "·" : "-", d);
		if (x->stack_grew && is_main_stack(rg)) {
			ui_size(d, sizeof d, x->stack_growth);
			ui_textf(in, row, col, UR_CHANGED, " %s grew %s", ui_glyph(UG_MARK), d);
		}
		break;
	case 1:
		ui_textf(in, row, col, UR_DIM, "%s sp of %d more threads", ui_glyph(UG_DOWN),
			 (int)m->tid);
		break;
	case 2:
		col += ui_textf(in, row, col, x->heap_delta_sign ? UR_CHANGED : UR_HEAP,
				"%s brk %s", ui_glyph(UG_UP), a);
		if (x->heap_delta_sign && x->heap_prev_end) {
			uint64_t delta = x->heap_delta_sign > 0 ? rg->end - x->heap_prev_end
				: x->heap_prev_end - rg->end;
			ui_size(d, sizeof d, delta);
			ui_textf(in, row, col, UR_CHANGED, " %s %c%s", ui_glyph(UG_MARK),
				 x->heap_delta_sign > 0 ? '+' : '-', d);
		} else if (x->heap_delta_sign) {
			ui_textf(in, row, col, UR_CHANGED, " %s new", ui_glyph(UG_MARK));
		}
		break;
	case 3:
		draw_fault(x, in, row, col);
		break;
	default:
		ui_textf(in, row, col, UR_LINKED, "%s %s %s", ui_glyph(UG_MARK), a,
			 x->c->link->what);
		break;
	}
}

/* The RSS bar: resident cells solid, the rest light (not yet touched:
 * demand paging), then the resident size.  Returns the columns used. */
static int draw_rss(const struct region *rg, const struct ui_rect *in, int row, int col,
		    int width, enum ui_role role)
{
	uint64_t size = rg->end - rg->start, rss = rg->rss_kb * 1024;
	int bw = width < 10 ? width : 10, full;
	char s[32];

	if (bw < 4)
		return 0;
	full = rss >= size ? bw : (int)((rss * (uint64_t)bw + size - 1) / size);
	ui_fill(in, row, col, full, role, ui_glyph(UG_FULL));
	ui_fill(in, row, col + full, bw - full, UR_UNTOUCHED, ui_glyph(UG_LIGHT));
	ui_size(s, sizeof s, rss);
	if (width - bw - 1 < ui_width(s))
		return bw;
	return bw + 1 + ui_text(in, row, col + bw + 1, UR_DIM, s);
}

/* Section names on the header row, after col, as far as they fit. */
static void draw_inline_sections(const struct region *rg, const struct ui_rect *in, int row,
				 int col)
{
	for (size_t k = rg->nsections; k-- > 0 && col < in->w;) {
		const char *name = rg->sections[k].name;
		if (!major_section(name))
			continue;
		if (col + ui_width(name) > in->w)
			break;
		col += ui_text(in, row, col, section_role(name), name) + 1;
	}
}

/* The header row: address, name, size, perms, RSS bar, and the sections
 * when they have no lines of their own. */
static void draw_header(const struct sx *x, const struct region *rg, int d, bool inline_sec,
			const struct ui_rect *in, int row)
{
	bool sel = d == x->sel;
	bool linked = x->link && in_region(rg, x->c->link->lo);
	enum ui_role kr = kind_role(rg->kind);
	enum ui_role base = sel ? UR_SELECT : linked ? UR_LINKED : UR_NORMAL;
	enum ui_role sz_role = base;
	char a[64], size[32], perms[4];
	int col = x->strip;

	if (sel || linked)
		ui_fill(in, row, x->strip, -1, base, " ");
	if ((is_heap(rg) && x->heap_delta_sign) || (is_main_stack(rg) && x->stack_grew))
		sz_role = UR_CHANGED;
	region_addr(x, rg, rg->start, a, sizeof a);
	ui_size(size, sizeof size, rg->end - rg->start);
	memcpy(perms, rg->perms, 3);
	perms[3] = '\0';
	{
		/* the address may run into the name column ([vsyscall]'s is
		 * not counted in its width), never further */
		struct ui_rect ar = *in, nr = *in;
		int name_col = col + x->aw + 1, aw;

		ar.w = name_col + x->nw - 1 < in->w ? name_col + x->nw - 1 : in->w;
		aw = ui_text(&ar, row, col, base, a);
		nr.w = name_col + x->nw < in->w ? name_col + x->nw : in->w;
		ui_text(&nr, row, col + aw + 1 > name_col ? col + aw + 1 : name_col,
			sel ? UR_SELECT : linked ? UR_LINKED : kr, region_name(rg));
		col = name_col + x->nw + 1;
	}
	ui_textf(in, row, col + 8 - ui_width(size), sz_role, "%s", size);
	col += 9;
	ui_text(in, row, col, base, perms);
	col += 4;
	if (col < in->w)
		col += draw_rss(rg, in, row, col, in->w - col, kr) + 2;
	if (inline_sec && col < in->w)
		draw_inline_sections(rg, in, row, col);
}

/* The role strip at the left of every row of a region: its kind's color,
 * alternating solid and dark so neighbours stay apart in monochrome. */
static void draw_strip(const struct sx *x, const struct region *rg, int d,
		       const struct ui_rect *in, int row)
{
	if (x->strip)
		ui_text(in, row, 0, kind_role(rg->kind), ui_glyph(d % 2 ? UG_DARK : UG_FULL));
}

/* Draw the rows of region rg (display index d) that lie in view; y is its
 * first virtual row. */
static void draw_region(const struct sx *x, const struct region *rg, int d, int y, int rows,
			int nmarks, int nsec, int scroll, const struct ui_rect *in)
{
	struct mark m[MAX_SP_MARKS + 5];
	int nm = 0;

	if (nmarks)
		nm = marks_of(x, rg, m);
	for (int k = 0; k < rows; k++) {
		int row = y + k - scroll;
		if (row < 0)
			continue;
		if (row >= in->h)
			break;
		draw_strip(x, rg, d, in, row);
		if (k == 0)
			draw_header(x, rg, d, nsec == 0 && rg->nsections, in, row);
		else if (k - 1 < nm)
			draw_mark(x, rg, &m[k - 1], in, row);
		else if (k - 1 - nm < nsec)
			section_lines(x, rg, k - 1 - nm, in, row);
	}
}

/* ---- layout ------------------------------------------------------------ */

/* Widths, totals and what changed since the previous stop. */
static void setup(struct sx *x, const struct ui_rect *in, const struct ui_pane_state *st)
{
	const struct space *sp = x->sp;
	const struct ui_prev *pv = x->c->prev;
	double logsum = 0;
	char a[64];

	x->w = in->w;
	x->h = in->h;
	x->scale = st->scale >= 0 && st->scale <= 2 ? st->scale : 0;
	x->strip = x->w >= 40 ? 2 : 0;
	x->strip0x = x->w < 40;
	x->sec_sizes = x->w >= 50;
	x->fault = x->fault_sig = x->snap->ev.kind == EV_SIGNAL && x->snap->ev.has_fault_addr;
	x->fault_addr = x->snap->ev.fault_addr;
	if (!x->fault) {          /* a bad dereference found without its signal */
		const struct diag *d = ui_diag_in(x->snap, 0, UINT64_MAX,
						  UI_DIAG_BIT(DG_BAD_DEREF));
		x->fault = d != NULL;
		x->fault_addr = d ? d->addr : 0;
	}
	x->link = !x->c->focused && x->c->link && x->c->link->active;
	x->aw = 0;
	x->mapped = 0;
	for (size_t i = 0; i < sp->n; i++) {
		const struct region *rg = &sp->regions[i];
		int aw;

		region_addr(x, rg, rg->start, a, sizeof a);
		aw = ui_width(a);
		if (aw > x->aw && rg->kind != RK_VSYSCALL)
			x->aw = aw;
		x->mapped += rg->end - rg->start;
		logsum += log_units(rg->end - rg->start);
		if (is_heap(rg) && pv && pv->valid && pv->heap_end != rg->end) {
			x->heap_delta_sign = rg->end > pv->heap_end ? 1 : -1;
			x->heap_prev_end = pv->heap_end;
		}
		if (is_main_stack(rg) && pv && pv->valid && pv->stack_start &&
		    rg->start < pv->stack_start) {
			x->stack_grew = true;
			x->stack_growth = pv->stack_start - rg->start;
		}
	}
	if (x->aw > x->w * 2 / 5)             /* a long --relative name is cut */
		x->aw = x->w * 2 / 5;
	/* address, name, size (8), perms (3), then the RSS bar (10): the
	 * name gives way to the bar down to 8 columns */
	x->nw = x->w - x->strip - x->aw - 15 - 11;
	if (x->nw < 8)
		x->nw = x->w - x->strip - x->aw - 15 < 8 ? x->w - x->strip - x->aw - 15 : 8;
	x->nw = x->nw > NAME_MAX_W ? NAME_MAX_W : x->nw < 4 ? 4 : x->nw;
	x->unit = x->h > 0 ? (double)x->mapped / x->h : 0;
	x->logk = logsum > x->h && logsum > 0 ? x->h / logsum : 1.0;
}

/* Walk the display items, top first: for each region (and gap) its
 * virtual row and row count.  With draw, draw what is in view; else note
 * the selected region's rows and which region holds virtual row `hit`. */
struct walk {
	int total;                /* rows of everything */
	int sel_y, sel_rows;      /* the selected region's rows */
	int hit;                  /* virtual row to find, -1 none */
	int hit_d;                /* the region there, -1 none */
};

static void walk(const struct sx *x, struct walk *w, bool draw, int scroll,
		 const struct ui_rect *in)
{
	const struct space *sp = x->sp;
	int y = 0;
	uint64_t lo, hi;

	w->sel_y = w->sel_rows = 0;
	w->hit_d = -1;
	for (size_t d = 0; d < sp->n; d++) {
		size_t i = sp->n - 1 - d;
		const struct region *rg = &sp->regions[i];
		int nm, ns, rows;

		if (gap_above(x, i, &lo, &hi)) {
			rows = gap_rows(x, lo, hi);
			for (int k = 0; draw && k < rows; k++)
				if (y + k >= scroll && y + k - scroll < in->h)
					draw_gap(x, in, y + k - scroll, k, lo, hi);
			y += rows;
		}
		if (draw && y >= scroll + in->h)
			break;
		rows = region_rows(x, rg, &nm, &ns);
		if (draw && y + rows > scroll)
			draw_region(x, rg, (int)d, y, rows, nm, ns, scroll, in);
		if ((int)d == x->sel) {
			w->sel_y = y;
			w->sel_rows = rows;
		}
		if (w->hit >= y && w->hit < y + rows)
			w->hit_d = (int)d;
		y += rows;
	}
	if (sp->n && gap_below_all(x)) {
		int rows = gap_rows(x, 0, sp->regions[0].start);
		for (int k = 0; draw && k < rows; k++)
			if (y + k >= scroll && y + k - scroll < in->h)
				draw_gap(x, in, y + k - scroll, k, 0, sp->regions[0].start);
		y += rows;
	}
	w->total = y;
}

/* What the pane remembers between draws, to follow its selection. */
static struct {
	const struct ui_pane_state *st;
	unsigned long seq;
	int sel, scale;
	uint64_t sel_start;
	const struct snapshot *snap;
} last;

/* Keep the selection on the same region across stops (a new mapping above
 * it shifts display indexes), unless a key moved it since. */
static void follow_selection(struct ui_pane_state *st, const struct sx *x)
{
	const struct space *sp = x->sp;

	if (last.st != st || st->sel != last.sel || st->sel < 0 || last.seq == x->snap->seq)
		return;
	for (size_t i = 0; i < sp->n; i++)
		if (sp->regions[i].start == last.sel_start) {
			st->sel = (int)(sp->n - 1 - i);
			return;
		}
}

/* Format into link->what, cut to its size. */
static void __attribute__((format(printf, 2, 3))) what_printf(struct ui_link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->what, sizeof l->what, fmt, ap);
	va_end(ap);
}

static void set_link(const struct sx *x, const struct region *rg)
{
	struct ui_link *l = x->c->link;
	char a[64], b[64];

	ui_addr(x->c, rg->start, a, sizeof a);
	ui_addr(x->c, rg->end, b, sizeof b);
	l->active = true;
	l->lo = rg->start;
	l->hi = rg->end;
	what_printf(l, "region %s %s-%s", region_name(rg), a, b);
}

static const char *scale_name(int s)
{
	return s == 1 ? "gaps compressed" : s == 2 ? "log" : "proportional";
}

void ui_space_draw(const struct ui_rect *r, struct ui_pane_state *st, const struct ui_ctx *c)
{
	struct sx x = { .c = c, .snap = c->snap };
	struct walk w = { .hit = -1 };
	struct ui_rect in;
	char title[64];
	bool moved;

	if (r->h < 3 || r->w < 10)
		return;
	x.sp = c->snap ? c->snap->space : NULL;
	snprintf(title, sizeof title, "Address space (%s)", scale_name(st->scale));
	in = ui_box(r, title, c->focused);
	for (int row = 0; row < in.h; row++)
		ui_fill(&in, row, 0, -1, UR_NORMAL, " ");
	if (!x.sp || x.sp->n == 0) {
		st->nitems = 0;
		st->click_y = st->click_x = -1;
		if (c->focused && c->link)
			c->link->active = false;
		const char *gone = ui_gone_reason(c->snap);
		ui_text(&in, 0, 1, UR_DIM, gone ? gone : "no address space at this stop");
		return;
	}
	setup(&x, &in, st);
	sort_sps(c->snap);
	follow_selection(st, &x);
	st->nitems = (int)x.sp->n;
	if (st->sel >= st->nitems)
		st->sel = st->nitems - 1;
	if (st->sel < -1)
		st->sel = -1;
	/* a click picks the region on that row of the last draw */
	if (st->click_y >= in.y && st->click_y < in.y + in.h) {
		x.sel = st->sel;
		w.hit = st->scroll + (st->click_y - in.y);
		walk(&x, &w, false, 0, &in);
		if (w.hit_d >= 0)
			st->sel = w.hit_d;
		w.hit = -1;
	}
	st->click_y = st->click_x = -1;
	x.sel = st->sel;
	moved = last.st != st || st->sel != last.sel || last.seq != c->snap->seq ||
		last.scale != st->scale || last.snap != c->snap;
	walk(&x, &w, false, 0, &in);
	if (moved && st->sel >= 0) {          /* bring the selection into view */
		if (w.sel_y < st->scroll)
			st->scroll = w.sel_y;
		else if (w.sel_y + (w.sel_rows < in.h ? w.sel_rows : 1) > st->scroll + in.h)
			st->scroll = w.sel_y + (w.sel_rows < in.h ? w.sel_rows : 1) - in.h;
	}
	if (st->scroll > w.total - in.h)
		st->scroll = w.total - in.h;
	if (st->scroll < 0)
		st->scroll = 0;
	walk(&x, &w, true, st->scroll, &in);
	if (c->focused && c->link) {
		if (st->sel >= 0)
			set_link(&x, &x.sp->regions[x.sp->n - 1 - (size_t)st->sel]);
		else
			c->link->active = false;
	}
	last.st = st;
	last.seq = c->snap->seq;
	last.snap = c->snap;
	last.sel = st->sel;
	last.scale = st->scale;
	last.sel_start = st->sel >= 0 ? x.sp->regions[x.sp->n - 1 - (size_t)st->sel].start : 0;
}
