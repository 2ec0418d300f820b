/*
 * ui_draw.c - what the panes share: roles mapped to curses attributes
 * (256 colors, 8 colors, or monochrome with bold/reverse/dim/underline),
 * glyphs with an ASCII fallback, text clipped by display width, boxes,
 * sizes and addresses as people read them.
 *
 * Monochrome is a first-class case (a projector, NO_COLOR): the roles that
 * must be told apart there (in use / free / top, changed, selected, error)
 * get distinct combinations of bold, reverse, dim and underline.
 */
#include <curses.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui_draw.h"

static bool utf8_mode;
static int role_attr[UR_COUNT];

/* One role: 256-color fg/bg, 8-color fg/bg (-1 = the terminal's default),
 * extra attributes in color, and the monochrome attributes. */
struct role_style {
	short fg256, bg256;
	short fg8, bg8;
	int color_attr;           /* added in color modes */
	int mono;
};

#define DEF (-1)

static const struct role_style styles[UR_COUNT] = {
	[UR_NORMAL]       = { DEF, DEF, DEF, DEF, 0, A_NORMAL },
	[UR_DIM]          = { 244, DEF, DEF, DEF, 0, A_DIM },
	[UR_BOLD]         = { DEF, DEF, DEF, DEF, A_BOLD, A_BOLD },
	[UR_TITLE]        = { 252, DEF, DEF, DEF, A_BOLD, A_BOLD },
	[UR_TITLE_FOCUS]  = { 16, 117, COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD },
	[UR_STATUS]       = { 255, 24, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[UR_KEYS]         = { 16, 110, COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[UR_SELECT]       = { 16, 153, COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE },
	[UR_CHANGED]      = { 226, DEF, COLOR_YELLOW, DEF, A_BOLD, A_BOLD | A_UNDERLINE },
	[UR_LINKED]       = { 213, DEF, COLOR_MAGENTA, DEF, A_BOLD, A_UNDERLINE },
	[UR_ERROR]        = { 231, 160, COLOR_WHITE, COLOR_RED, A_BOLD,
			      A_REVERSE | A_BOLD | A_UNDERLINE },
	[UR_INUSE]        = { 114, DEF, COLOR_GREEN, DEF, 0, A_BOLD },
	[UR_FREE_TCACHE]  = { 81, DEF, COLOR_CYAN, DEF, 0, A_NORMAL },
	[UR_FREE_FAST]    = { 75, DEF, COLOR_BLUE, DEF, A_BOLD, A_NORMAL },
	[UR_FREE_BIN]     = { 69, DEF, COLOR_BLUE, DEF, 0, A_NORMAL },
	[UR_TOP]          = { 245, DEF, DEF, DEF, A_DIM, A_DIM },
	[UR_MMAPPED]      = { 179, DEF, COLOR_YELLOW, DEF, 0, A_UNDERLINE },
	[UR_CORRUPT]      = { 231, 160, COLOR_WHITE, COLOR_RED, A_BOLD,
			      A_REVERSE | A_BOLD | A_UNDERLINE },
	[UR_TEXT]         = { 209, DEF, COLOR_RED, DEF, 0, A_BOLD },
	[UR_RODATA]       = { 180, DEF, COLOR_YELLOW, DEF, 0, A_NORMAL },
	[UR_DATA]         = { 150, DEF, COLOR_GREEN, DEF, 0, A_NORMAL },
	[UR_BSS]          = { 116, DEF, COLOR_CYAN, DEF, 0, A_NORMAL },
	[UR_HEAP]         = { 114, DEF, COLOR_GREEN, DEF, A_BOLD, A_BOLD },
	[UR_STACK]        = { 141, DEF, COLOR_MAGENTA, DEF, A_BOLD, A_BOLD },
	[UR_MMAP]         = { 179, DEF, COLOR_YELLOW, DEF, 0, A_NORMAL },
	[UR_LIB]          = { 252, DEF, DEF, DEF, 0, A_NORMAL },
	[UR_OTHER]        = { 244, DEF, DEF, DEF, A_DIM, A_DIM },
	[UR_UNTOUCHED]    = { 240, DEF, DEF, DEF, A_DIM, A_DIM },
	[UR_RET]          = { 203, DEF, COLOR_RED, DEF, 0, A_BOLD },
	[UR_SAVED]        = { 180, DEF, COLOR_YELLOW, DEF, 0, A_NORMAL },
	[UR_PARAM]        = { 117, DEF, COLOR_CYAN, DEF, 0, A_NORMAL },
	[UR_LOCAL]        = { 252, DEF, DEF, DEF, 0, A_NORMAL },
	[UR_POINTER]      = { 177, DEF, COLOR_MAGENTA, DEF, 0, A_BOLD },
};

static const char *const glyphs_utf8[UG_COUNT] = {
	[UG_H] = "─", [UG_V] = "│", [UG_TL] = "┌", [UG_TR] = "┐",
	[UG_BL] = "└", [UG_BR] = "┘",
	[UG_FULL] = "█", [UG_DARK] = "▓", [UG_MEDIUM] = "▒", [UG_LIGHT] = "░",
	[UG_ARROW_R] = "→", [UG_ARROW_L] = "←", [UG_UP] = "▲", [UG_DOWN] = "▼",
	[UG_MARK] = "◄", [UG_GAP] = "··", [UG_WARN] = "⚠",
};

static const char *const glyphs_ascii[UG_COUNT] = {
	[UG_H] = "-", [UG_V] = "|", [UG_TL] = "+", [UG_TR] = "+",
	[UG_BL] = "+", [UG_BR] = "+",
	[UG_FULL] = "#", [UG_DARK] = "%", [UG_MEDIUM] = "+", [UG_LIGHT] = ".",
	[UG_ARROW_R] = "->", [UG_ARROW_L] = "<-", [UG_UP] = "^", [UG_DOWN] = "v",
	[UG_MARK] = "<", [UG_GAP] = "..", [UG_WARN] = "!!",
};

/* Set up roles and glyphs for this terminal (after initscr, and after
 * start_color when color is true). */
void ui_draw_init(bool utf8, bool color)
{
	bool c256 = color && COLORS >= 256 && COLOR_PAIRS >= UR_COUNT + 1;
	bool c8 = color && !c256 && COLORS >= 8 && COLOR_PAIRS >= UR_COUNT + 1;

	utf8_mode = utf8;
	for (int r = 0; r < UR_COUNT; r++) {
		const struct role_style *st = &styles[r];
		short fg = c256 ? st->fg256 : st->fg8;
		short bg = c256 ? st->bg256 : st->bg8;

		if (!c256 && !c8) {
			role_attr[r] = st->mono;
			continue;
		}
		if (fg == DEF && bg == DEF) {
			/* no color of its own: the monochrome look in color too,
			 * except a plain role stays plain */
			role_attr[r] = st->color_attr ? st->color_attr : st->mono;
			continue;
		}
		init_pair((short)(r + 1), fg, bg);
		role_attr[r] = (int)COLOR_PAIR(r + 1) | st->color_attr;
	}
	/* the selected row must show in every mode; reverse is safest where
	 * only 8 colors give no distinct background */
	if (c8)
		role_attr[UR_SELECT] = A_REVERSE;
}

bool ui_draw_utf8(void)
{
	return utf8_mode;
}

const char *ui_glyph(enum ui_glyph g)
{
	if ((unsigned)g >= UG_COUNT)
		return "?";
	return utf8_mode ? glyphs_utf8[g] : glyphs_ascii[g];
}

int ui_attr(enum ui_role r)
{
	if ((unsigned)r >= UR_COUNT)
		return A_NORMAL;
	return role_attr[r];
}

/*
 * Decode the next character of s: its byte length and display width.  A
 * byte that is not a valid character (or a control character, or any
 * non-ASCII byte when the locale is not UTF-8) counts as one byte shown as
 * '?', so nothing the program wrote can move the cursor.
 */
static size_t next_char(const char *s, mbstate_t *ps, int *width, bool *bad)
{
	wchar_t wc;
	size_t len;

	*bad = false;
	if ((unsigned char)*s < 0x80) {
		*width = 1;
		*bad = (unsigned char)*s < 0x20 || *s == 0x7f;
		return 1;
	}
	if (!utf8_mode) {
		*width = 1;
		*bad = true;
		return 1;
	}
	len = mbrtowc(&wc, s, MB_CUR_MAX, ps);
	if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
		memset(ps, 0, sizeof(*ps));
		*width = 1;
		*bad = true;
		return 1;
	}
	*width = wcwidth(wc);
	if (*width < 0) {
		*width = 1;
		*bad = true;
	}
	return len;
}

int ui_width(const char *s)
{
	mbstate_t ps;
	int w = 0, cw;
	bool bad;

	if (!s)
		return 0;
	memset(&ps, 0, sizeof(ps));
	while (*s) {
		s += next_char(s, &ps, &cw, &bad);
		w += cw;
	}
	return w;
}

/* Text at (row, col) of r, clipped to r by display width; a negative col
 * cuts that many columns off the front.  Returns the columns written. */
int ui_text(const struct ui_rect *r, int row, int col, enum ui_role role, const char *s)
{
	char buf[1024];
	size_t bl = 0;
	int room, used = 0, cw;
	mbstate_t ps;
	bool bad;

	if (!s || row < 0 || row >= r->h || col >= r->w || r->w <= 0)
		return 0;
	memset(&ps, 0, sizeof(ps));
	/* skip what lies left of the rectangle */
	while (col < 0 && *s) {
		size_t len = next_char(s, &ps, &cw, &bad);
		s += len;
		col += cw;
	}
	/* (a wide character cut by the left edge leaves col at 1) */
	room = r->w - col;
	while (*s && bl + 8 < sizeof(buf)) {
		size_t len = next_char(s, &ps, &cw, &bad);
		if (used + cw > room)
			break;
		if (bad) {
			buf[bl++] = '?';
		} else {
			memcpy(buf + bl, s, len);
			bl += len;
		}
		used += cw;
		s += len;
	}
	if (bl == 0)
		return 0;
	buf[bl] = '\0';
	attrset(ui_attr(role));
	mvaddnstr(r->y + row, r->x + col, buf, (int)bl);
	attrset(A_NORMAL);
	return used;
}

int ui_textf(const struct ui_rect *r, int row, int col, enum ui_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return ui_text(r, row, col, role, buf);
}

/* Fill row `row` of r with n copies of glyph g (NULL: blanks) from col;
 * n < 0 fills to the right edge.  Clipped to r. */
void ui_fill(const struct ui_rect *r, int row, int col, int n, enum ui_role role, const char *g)
{
	char buf[1024];
	size_t bl = 0, gl;
	int gw, end, x;

	if (row < 0 || row >= r->h || r->w <= 0)
		return;
	if (!g || !*g)
		g = " ";
	gl = strlen(g);
	gw = ui_width(g);
	if (gw <= 0)
		return;
	if (col < 0) {
		if (n >= 0)
			n += col;
		col = 0;
	}
	end = n < 0 || n > r->w - col ? r->w : col + n * gw;
	if (end > r->w)
		end = r->w;
	for (x = col; x + gw <= end && bl + gl < sizeof(buf); x += gw) {
		memcpy(buf + bl, g, gl);
		bl += gl;
	}
	if (bl == 0)
		return;
	attrset(ui_attr(role));
	mvaddnstr(r->y + row, r->x + col, buf, (int)bl);
	attrset(A_NORMAL);
}

/* A box around r, its title in the top border; returns the inside. */
struct ui_rect ui_box(const struct ui_rect *r, const char *title, bool focused)
{
	struct ui_rect in = { r->y + 1, r->x + 1, r->h - 2, r->w - 2 };
	struct ui_rect all = *r;
	enum ui_role border = focused ? UR_BOLD : UR_DIM;

	if (r->h < 2 || r->w < 2) {
		in.h = in.w = 0;
		return in;
	}
	ui_text(&all, 0, 0, border, ui_glyph(UG_TL));
	ui_fill(&all, 0, 1, r->w - 2, border, ui_glyph(UG_H));
	ui_text(&all, 0, r->w - 1, border, ui_glyph(UG_TR));
	for (int y = 1; y < r->h - 1; y++) {
		ui_text(&all, y, 0, border, ui_glyph(UG_V));
		ui_text(&all, y, r->w - 1, border, ui_glyph(UG_V));
	}
	ui_text(&all, r->h - 1, 0, border, ui_glyph(UG_BL));
	ui_fill(&all, r->h - 1, 1, r->w - 2, border, ui_glyph(UG_H));
	ui_text(&all, r->h - 1, r->w - 1, border, ui_glyph(UG_BR));
	if (title && *title && r->w > 4) {
		struct ui_rect top = { r->y, r->x + 1, 1, r->w - 2 };
		char t[256];

		snprintf(t, sizeof(t), " %s ", title);
		ui_text(&top, 0, 0, focused ? UR_TITLE_FOCUS : UR_TITLE, t);
	}
	return in;
}

/* Byte sizes as people read them: "512 B", "4 KiB", "1.5 KiB", "132 KiB". */
void ui_size(char *buf, size_t n, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	size_t u = 0;

	if (bytes < 1024) {
		snprintf(buf, n, "%" PRIu64 " B", bytes);
		return;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < ARRAY_LEN(units)) {
		v /= 1024;
		u++;
	}
	if (v >= 100 || v == (double)(uint64_t)v)
		snprintf(buf, n, "%.0f %s", v, units[u]);
	else
		snprintf(buf, n, "%.1f %s", v, units[u]);
}

/* The last part of a path. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* With --relative, the thread whose stack region holds addr: its index
 * (0 = the main thread's [stack]), or -1.  Indices are stable from run to
 * run where tids are not, so two recordings read the same. */
static int stack_thread(const struct snapshot *s, const struct region *rg)
{
	for (size_t i = 0; i < s->nthreads; i++) {
		uint64_t sp = s->threads[i].sp;
		if (sp >= rg->start && sp < rg->end)
			return (int)i;
	}
	return -1;
}

/*
 * An address as the user asked.  --relative: [heap] as heap+off from its
 * start; a stack as stack-off from its end (the top, where it starts to
 * grow down; another thread's as stack.N-off); code and data by symbol
 * (main+0x1c, counter); other mapped files by name (libc.so.6+0x98930);
 * anything else plain hex.
 */
void ui_addr(const struct ui_ctx *c, uint64_t addr, char *buf, size_t n)
{
	const struct snapshot *s = c ? c->snap : NULL;
	const struct space *sp = s ? s->space : NULL;
	const struct region *rg;
	const struct elf_module *mod = NULL;
	const char *name;
	uint64_t off;
	int ti;

	if (!c || !c->o || !c->o->relative || !sp || !(rg = space_find(sp, addr))) {
		snprintf(buf, n, "0x%" PRIx64, addr);
		return;
	}
	if (rg->kind == RK_HEAP) {
		snprintf(buf, n, "heap+0x%" PRIx64, addr - rg->start);
		return;
	}
	ti = stack_thread(s, rg);
	if (rg->kind == RK_STACK || ti > 0) {
		if (rg->kind == RK_STACK || ti <= 0)
			snprintf(buf, n, "stack-0x%" PRIx64, rg->end - addr);
		else
			snprintf(buf, n, "stack.%d-0x%" PRIx64, ti, rg->end - addr);
		return;
	}
	if (elfinfo_symbolize(&sp->elf, addr, &name, &off, &mod) == 0 && name && *name) {
		if (off == 0)
			snprintf(buf, n, "%s", name);
		else
			snprintf(buf, n, "%s+0x%" PRIx64, name, off);
		return;
	}
	if (!mod)
		mod = elfinfo_module_at(&sp->elf, addr);
	if (mod && mod->ef && mod->ef->path) {
		snprintf(buf, n, "%s+0x%" PRIx64, base_name(mod->ef->path), addr - mod->lo);
		return;
	}
	if (rg->path && rg->path[0] && rg->path[0] != '[') {
		snprintf(buf, n, "%s+0x%" PRIx64, base_name(rg->path),
			 addr - rg->start + rg->offset);
		return;
	}
	snprintf(buf, n, "0x%" PRIx64, addr);
}

const char *ui_gone_reason(const struct snapshot *s)
{
	if (!s)
		return NULL;
	if (s->ev.kind == EV_EXIT)
		return s->ev.exited_by_signal ? "the program was killed: its memory is gone"
					      : "the program has exited: its memory is gone";
	if (s->ev.kind == EV_DETACH)
		return "detached: memviz no longer sees the program";
	return NULL;
}

/* ---- diagnostics ---------------------------------------------------------- */

const char *ui_diag_name(enum diag_kind k)
{
	return diag_kind_name(k);
}

const struct diag *ui_diag_in(const struct snapshot *s, uint64_t lo, uint64_t hi,
			      unsigned mask)
{
	for (size_t i = 0; s && s->diags && i < s->ndiags; i++) {
		const struct diag *d = &s->diags[i];
		if ((unsigned)d->kind < DG__COUNT && (mask & UI_DIAG_BIT(d->kind)) &&
		    d->addr >= lo && d->addr < hi)
			return d;
	}
	return NULL;
}
