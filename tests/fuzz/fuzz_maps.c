/* fuzz_maps.c - libFuzzer harness: the maps and smaps parsers on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse data as maps, then as smaps against those maps, then each line alone. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct maps m = { 0 };
	uint64_t *rss;
	char *line;

	maps_parse((const char *)data, size, &m);
	rss = calloc(m.n ? m.n : 1, sizeof(*rss));
	if (rss != NULL)
		procfs_parse_smaps((const char *)data, size, &m, rss);
	for (size_t i = 1; i < m.n; i++)
		if (m.v[i - 1].start > m.v[i].start)
			abort();        /* maps_parse must leave them sorted */
	for (size_t i = 0; i < m.n; i++)
		if (maps_find(&m, m.v[i].start) == NULL || strlen(m.v[i].perms) != 4)
			abort();
	free(rss);
	maps_free(&m);
	line = malloc(size + 1);
	if (line != NULL) {
		struct maps_entry e;
		memcpy(line, data, size);
		line[size] = '\0';
		if (maps_parse_line(line, &e) == 0)
			free(e.path);
		free(line);
	}
	return 0;
}
