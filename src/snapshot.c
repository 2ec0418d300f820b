/*
 * snapshot.c - the parts of a snapshot that are plain lookups: where an
 * address is (function, offset, ELF object), and the --fields list.
 */
#include <string.h>

#include "snapshot.h"
#include "util.h"

struct field_name {
	const char *name;
	unsigned bit;
};

static const struct field_name field_names[] = {
	{ "event", FIELD_EVENT }, { "space", FIELD_SPACE }, { "stack", FIELD_STACK },
	{ "heap", FIELD_HEAP }, { "diagnostics", FIELD_DIAG }, { "all", FIELD_ALL },
};

/* The bit of the field word s[0..n), or 0 if it is not one. */
static unsigned field_bit(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(field_names); i++)
		if (strlen(field_names[i].name) == n && memcmp(field_names[i].name, s, n) == 0)
			return field_names[i].bit;
	return 0;
}

/* Parse a --fields list ("event,space"); -1 with *bad = the bad word. */
int snapshot_parse_fields(const char *list, unsigned *mask, char **bad)
{
	const char *p = list ? list : "";
	unsigned m = 0;

	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned bit = field_bit(p, n);
		if (bit == 0) {
			if (bad) {
				*bad = xmalloc(n + 1);
				memcpy(*bad, p, n);
				(*bad)[n] = '\0';
			}
			return -1;
		}
		m |= bit;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	*mask = m;
	return 0;
}

/* Resolve an address to a code_loc through the space's ELF modules. */
void snapshot_locate(const struct space *sp, uint64_t addr, struct code_loc *out)
{
	const struct elf_module *mod = NULL;
	const char *name = NULL;
	uint64_t off = 0;

	memset(out, 0, sizeof(*out));
	if (sp == NULL)
		return;
	if (elfinfo_symbolize(&sp->elf, addr, &name, &off, &mod) == 0) {
		out->fn = name;
		out->off = off;
		out->object = mod->ef->path;
		return;
	}
	mod = elfinfo_module_at(&sp->elf, addr);
	if (mod != NULL)
		out->object = mod->ef->path;
}
