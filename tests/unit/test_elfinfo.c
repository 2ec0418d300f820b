/* test_elfinfo.c - elf_file_open on /bin/ls, on a non-ELF and a missing
 * file, libc's symbols (and main_arena from libc6-dbg when installed),
 * elf_file_from_memory, and the modules of this very process. */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "elfinfo.h"
#include "util.h"

#define LIBC "/lib/x86_64-linux-gnu/libc.so.6"

int main(void);

/* The section called name, or NULL. */
static const struct elf_section *section(const struct elf_file *ef, const char *name)
{
	for (size_t i = 0; i < ef->nsections; i++)
		if (strcmp(ef->sections[i].name, name) == 0)
			return &ef->sections[i];
	return NULL;
}

/* Symbols sorted by value, no duplicate (value, name). */
static void check_sorted(const struct elf_file *ef)
{
	for (size_t i = 1; i < ef->nsymbols; i++) {
		const struct elf_symbol *a = &ef->symbols[i - 1], *b = &ef->symbols[i];
		CHECK(a->value < b->value || (a->value == b->value && strcmp(a->name, b->name) < 0));
	}
}

/* /bin/ls: sections, segments, build-id, dynamic symbols. */
static void test_ls(void)
{
	char *cause = NULL;
	struct elf_file *ef = elf_file_open("/bin/ls", &cause);

	CHECK(ef != NULL);
	if (ef == NULL)
		return;
	CHECK(ef->e_type == ET_DYN || ef->e_type == ET_EXEC);
	CHECK(ef->entry != 0);
	CHECK(section(ef, ".text") != NULL);
	CHECK(section(ef, ".dynsym") != NULL);
	CHECK(ef->nsegments >= 2);
	CHECK(ef->build_id != NULL && strlen(ef->build_id) == 40);
	CHECK(ef->nsymbols > 0);
	check_sorted(ef);
	CHECK(elf_is_elf("/bin/ls"));
	elf_file_free(ef);
}

/* A text file and a missing file fail with a cause. */
static void test_errors(void)
{
	char path[] = "/tmp/memviz_test_elfXXXXXX";
	int fd = mkstemp(path);
	char *cause = NULL;

	CHECK(fd >= 0);
	CHECK(write(fd, "#!/bin/sh\necho hello\n", 21) == 21);
	close(fd);
	CHECK(elf_file_open(path, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "not an ELF file") != NULL);
	CHECK(!elf_is_elf(path));
	free(cause);
	cause = NULL;
	unlink(path);
	CHECK(elf_file_open("/nonexistent/memviz", &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, strerror(ENOENT)) != NULL);
	free(cause);
	cause = NULL;
	CHECK(elf_file_from_memory("garbage garbage", 15, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "not an ELF file") != NULL);
	free(cause);
}

/* libc: malloc is a function; main_arena comes from the debug file. */
static void test_libc(void)
{
	char *cause = NULL, *dbg;
	struct elf_file *ef = elf_file_open(LIBC, &cause);
	const struct elf_symbol *s, *at;
	struct stat st;

	CHECK(ef != NULL);
	if (ef == NULL)
		return;
	s = elf_file_symbol(ef, "malloc");
	CHECK(s != NULL && s->type == STT_FUNC && s->size > 0);
	if (s) {
		at = elf_file_symbol_at(ef, s->value + 1);
		CHECK(at != NULL && at->value == s->value);
		CHECK(at && strcmp(at->name, "malloc") == 0);
	}
	check_sorted(ef);
	dbg = ef->build_id ? xasprintf("/usr/lib/debug/.build-id/%.2s/%s.debug", ef->build_id,
				       ef->build_id + 2) : NULL;
	if (getenv("MEMVIZ_DEBUG_DIR") == NULL && dbg && stat(dbg, &st) == 0) {
		CHECK_STR(ef->debug_path, dbg);
		CHECK(elf_file_symbol(ef, "main_arena") != NULL);
		CHECK(elf_file_symbol(ef, "_int_malloc") != NULL);
		CHECK(ef->has_debug_info);
	} else {
		fprintf(stderr, "no libc debug file: main_arena check skipped\n");
	}
	free(dbg);
	elf_file_free(ef);
}

/* $MEMVIZ_DEBUG_DIR pointing nowhere: no debug file, no local symbols. */
static void test_debug_dir(void)
{
	struct elf_file *ef;

	setenv("MEMVIZ_DEBUG_DIR", "/nonexistent", 1);
	ef = elf_file_open(LIBC, NULL);
	unsetenv("MEMVIZ_DEBUG_DIR");
	CHECK(ef != NULL);
	if (ef == NULL)
		return;
	CHECK(ef->debug_path == NULL);
	CHECK(elf_file_symbol(ef, "main_arena") == NULL);
	CHECK(elf_file_symbol(ef, "malloc") != NULL);
	elf_file_free(ef);
}

/* The bytes of /bin/ls in memory read as the file does. */
static void test_memory(void)
{
	size_t len = 0;
	char *buf = util_read_file("/bin/ls", &len);
	struct elf_file *a, *b;

	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	a = elf_file_from_memory(buf, len, NULL);
	b = elf_file_open("/bin/ls", NULL);
	CHECK(a != NULL && b != NULL);
	if (a && b) {
		CHECK_EQ_U(a->nsections, b->nsections);
		CHECK_EQ_U(a->nsymbols, b->nsymbols);
		CHECK_STR(a->build_id, b->build_id);
	}
	/* truncated copies must fail or succeed, never crash */
	for (size_t cut = 1; cut < len; cut = cut * 3 + 7)
		elf_file_free(elf_file_from_memory(buf, cut, NULL));
	elf_file_free(a);
	elf_file_free(b);
	free(buf);
}

/* This process: exe, libc, loader; resolve and symbolize. */
static void test_process(void)
{
	struct maps m = { 0 };
	struct elfinfo ei = { 0 };
	const struct elf_module *exe, *mod = NULL;
	const char *name = NULL;
	uint64_t off = 0, fn = (uint64_t)(uintptr_t)test_process;
	int loaders = 0;

	CHECK(maps_read(getpid(), &m, NULL) == 0);
	CHECK(elfinfo_load(&ei, getpid(), &m, NULL) == 0);
	exe = elfinfo_exe(&ei);
	CHECK(exe != NULL);
	CHECK(elfinfo_module_at(&ei, fn) == exe);
	if (elfinfo_resolve(&ei, "__asan_init") == 0)   /* ASan has its own malloc */
		CHECK(elfinfo_resolve(&ei, "malloc") == (uint64_t)(uintptr_t)malloc);
	CHECK(elfinfo_resolve(&ei, "main") == (uint64_t)(uintptr_t)main);
	CHECK(elfinfo_resolve(&ei, "no_such_function_anywhere") == 0);
	CHECK(elfinfo_symbolize(&ei, fn + 3, &name, &off, &mod) == 0);
	CHECK_STR(name, "test_process");
	CHECK_EQ_U(off, 3);
	CHECK(mod == exe);
	CHECK(elfinfo_symbolize(&ei, elfinfo_resolve(&ei, "malloc") + 1, &name, &off, &mod) == 0);
	CHECK_STR(name, "malloc");
	CHECK_EQ_U(off, 1);
	for (size_t i = 0; i < ei.n; i++) {
		loaders += ei.mods[i].is_loader;
		CHECK(ei.mods[i].lo < ei.mods[i].hi);
		if (i > 0)
			CHECK(ei.mods[i - 1].hi <= ei.mods[i].lo);
	}
	CHECK(loaders == 1);
	/* a second load reuses the open files */
	struct elf_file *first = ei.mods[0].ef;
	CHECK(elfinfo_load(&ei, getpid(), &m, NULL) == 0);
	CHECK(ei.mods[0].ef == first);
	CHECK(elfinfo_exe(&ei) != NULL);
	elfinfo_free(&ei);
	maps_free(&m);
}

int main(void)
{
	test_ls();
	test_errors();
	test_libc();
	test_debug_dir();
	test_memory();
	test_process();
	CHECK_DONE();
}
