/* fuzz_meminfo.c - libFuzzer harness: the /proc/meminfo parser on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse data (NUL-terminated copy) and check free(1)'s invariants. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sysmem m;
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (procfs_parse_meminfo(text, &m) == 0) {
		if (m.used_kb > m.total_kb)
			abort();        /* used = total - available, never wraps */
		if (m.avail_kb <= m.total_kb && m.used_kb + m.avail_kb != m.total_kb)
			abort();
	} else if (m.total_kb != 0) {
		abort();                /* a failure leaves nothing half-filled */
	}
	free(text);
	return 0;
}
