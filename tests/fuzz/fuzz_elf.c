/* fuzz_elf.c - libFuzzer harness: elf_file_from_memory on any bytes, then
 * symbol lookups by name and by address over everything it found. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elfinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read data as an ELF file and look up each symbol both ways. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_file *ef = elf_file_from_memory(data, size, NULL);
	size_t n;

	if (ef == NULL)
		return 0;
	n = ef->nsymbols < 256 ? ef->nsymbols : 256;
	for (size_t i = 0; i < n; i++) {
		const struct elf_symbol *s = ef->symbols + i;
		const struct elf_symbol *at = elf_file_symbol_at(ef, s->value);
		if (elf_file_symbol(ef, s->name) == NULL || (at && at->value > s->value))
			__builtin_trap();
		elf_file_symbol_at(ef, s->value + s->size);
	}
	for (size_t i = 0; i < ef->nsections; i++)
		elf_file_symbol_at(ef, ef->sections[i].addr + ef->sections[i].size / 2);
	elf_file_symbol_at(ef, 0);
	elf_file_symbol_at(ef, UINT64_MAX);
	elf_file_symbol(ef, "main");
	elf_file_free(ef);
	return 0;
}
