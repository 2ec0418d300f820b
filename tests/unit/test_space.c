/* test_space.c - the address space of this process against `readelf -SW`
 * of its own executable: every allocated section at readelf's address plus
 * the bias, regions sorted and disjoint, one stack, at most one heap, main
 * in a text region, the big .bss tail; a forked child; the classifier. */
#include <elf.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "snapshot.h"
#include "space.h"

int main(void);

static char big_bss[1 << 20];     /* spills .bss into an anonymous mapping */

/* Sum of the lengths of the spans called name over the executable's regions. */
static uint64_t span_total(const struct space *sp, const char *name)
{
	uint64_t t = 0;

	for (size_t i = 0; i < sp->n; i++)
		if (sp->regions[i].mod == elfinfo_exe(&sp->elf))
			for (size_t k = 0; k < sp->regions[i].nsections; k++)
				if (strcmp(sp->regions[i].sections[k].name, name) == 0)
					t += sp->regions[i].sections[k].end -
					     sp->regions[i].sections[k].start;
	return t;
}

/* Does region r carry a span called name starting at start? */
static bool has_span(const struct region *r, const char *name, uint64_t start)
{
	for (size_t k = 0; r && k < r->nsections; k++)
		if (strcmp(r->sections[k].name, name) == 0 && r->sections[k].start == start)
			return true;
	return false;
}

/* Does r carry a span called name holding addr? */
static bool span_holds(const struct region *r, const char *name, uint64_t addr)
{
	for (size_t k = 0; k < r->nsections; k++)
		if (strcmp(r->sections[k].name, name) == 0 && r->sections[k].start <= addr &&
		    addr < r->sections[k].end)
			return true;
	return false;
}

/* Check one `readelf -SW` section line against the space; 1 if checked. */
static int check_readelf_line(const struct space *sp, uint64_t bias, const char *line)
{
	char name[256], type[64], flg[32];
	uint64_t addr, off, size;
	unsigned es;
	const char *p = strchr(line, ']');

	if (p == NULL || sscanf(p + 1, "%255s %63s %" SCNx64 " %" SCNx64 " %" SCNx64 " %x %31s",
				name, type, &addr, &off, &size, &es, flg) != 7)
		return 0;
	if (!strchr(flg, 'A') || (flg[0] >= '0' && flg[0] <= '9') || addr == 0 || size == 0)
		return 0;
	if (strchr(flg, 'T') && strcmp(type, "NOBITS") == 0) {
		CHECK_EQ_U(span_total(sp, name), 0);    /* .tbss takes no space */
		return 1;
	}
	const struct region *r = space_find(sp, addr + bias);
	if (!has_span(r, name, addr + bias) || span_total(sp, name) != size)
		fprintf(stderr, "section %s at 0x%" PRIx64 " size 0x%" PRIx64 " not found\n",
			name, addr + bias, size);
	CHECK(has_span(r, name, addr + bias));
	CHECK_EQ_U(span_total(sp, name), size);
	return 1;
}

/* The value of symbol `main` in `readelf -sW` of the executable, or 0. */
static uint64_t readelf_main(void)
{
	char cmd[64], line[512], name[256];
	uint64_t v, found = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "readelf -sW /proc/%d/exe 2>/dev/null", (int)getpid());
	f = popen(cmd, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %" SCNx64 " %*s %*s %*s %*s %*s %255s", &v, name) == 2 &&
		    strcmp(name, "main") == 0)
			found = v;
	if (f)
		pclose(f);
	return found;
}

/* Sections of the executable against readelf. */
static void test_readelf(const struct space *sp)
{
	const struct elf_module *exe = elfinfo_exe(&sp->elf);
	char cmd[64], line[512];
	uint64_t mainv = readelf_main();
	int checked = 0;
	FILE *f;

	CHECK(exe != NULL && mainv != 0);
	if (exe == NULL || mainv == 0)
		return;
	CHECK_EQ_U(exe->bias, (uint64_t)(uintptr_t)main - mainv);
	snprintf(cmd, sizeof(cmd), "readelf -SW /proc/%d/exe", (int)getpid());
	if ((f = popen(cmd, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f))
		checked += check_readelf_line(sp, exe->bias, line);
	pclose(f);
	CHECK(checked >= 10);
}

/* Regions sorted, disjoint; one stack, at most one heap; main in text. */
static void test_shape(const struct space *sp)
{
	const struct region *r;
	int stacks = 0, heaps = 0;

	for (size_t i = 0; i < sp->n; i++) {
		CHECK(sp->regions[i].start < sp->regions[i].end);
		if (i > 0)
			CHECK(sp->regions[i - 1].end <= sp->regions[i].start);
		stacks += sp->regions[i].kind == RK_STACK;
		heaps += sp->regions[i].kind == RK_HEAP;
	}
	CHECK(stacks == 1);
	CHECK(heaps <= 1);
	r = space_find(sp, (uint64_t)(uintptr_t)main);
	CHECK(r && r->kind == RK_TEXT && r->mod == elfinfo_exe(&sp->elf));
	CHECK(r && span_holds(r, ".text", (uint64_t)(uintptr_t)main));
	r = space_find(sp, (uint64_t)(uintptr_t)&stacks);
	CHECK(r && r->kind == RK_STACK && r->rss_kb > 0);
	r = space_find(sp, (uint64_t)(uintptr_t)&big_bss[sizeof(big_bss) - 1]);
	CHECK(r && r->kind == RK_BSS && r->mod == elfinfo_exe(&sp->elf) && r->path[0] == '\0');
	CHECK(r && r->nsections >= 1 && span_holds(r, ".bss", r->start));
	r = space_find(sp, (uint64_t)(uintptr_t)malloc);
	CHECK(r && (r->kind == RK_LIB || r->mod == elfinfo_exe(&sp->elf)));  /* static */
	CHECK(space_find(sp, 0) == NULL);
	CHECK(sp->vsz_kb > 0 && sp->rss_kb > 0 && sp->minflt > 0);
}

/* A second read of an unchanged process gives the same picture, files kept. */
static void test_reread(struct space *sp)
{
	const struct elf_file *ef = elfinfo_exe(&sp->elf)->ef;
	size_t n = sp->n;
	char *cause = NULL;

	CHECK(space_read(sp, getpid(), &cause) == 0);
	CHECK(elfinfo_exe(&sp->elf) && elfinfo_exe(&sp->elf)->ef == ef);
	CHECK(sp->n > 0 && n > 0);   /* ASan may map more in between */
}

/* Another process: a forked child, then gone. */
static void test_child(void)
{
	struct space sp;
	char *cause = NULL, want[64];
	pid_t pid = fork();
	const struct region *r;

	if (pid == 0) {
		pause();
		_exit(0);
	}
	space_init(&sp);
	CHECK(space_read(&sp, pid, &cause) == 0);
	r = space_find(&sp, (uint64_t)(uintptr_t)main);
	CHECK(r && r->kind == RK_TEXT && r->mod && r->mod->is_exe);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	snprintf(want, sizeof(want), "process %d is gone", (int)pid);
	CHECK(space_read(&sp, pid, &cause) == -1);
	CHECK_STR(cause, want);
	free(cause);
	space_free(&sp);
}

/* snapshot_locate on main, and the --fields parser. */
static void test_snapshot(const struct space *sp)
{
	struct code_loc at;
	unsigned mask = 0;
	char *bad = NULL;

	snapshot_locate(sp, NULL, (uint64_t)(uintptr_t)main + 4, false, &at);
	CHECK_STR(at.fn, "main");
	CHECK_EQ_U(at.off, 4);
	CHECK(at.object && elfinfo_exe(&sp->elf) && at.object == elfinfo_exe(&sp->elf)->ef->path);
	CHECK(at.file == NULL && at.line == 0);
	snapshot_locate(sp, NULL, 0, false, &at);
	CHECK(at.fn == NULL && at.object == NULL);
	CHECK(snapshot_parse_fields("event", &mask, &bad) == 0 && mask == FIELD_EVENT);
	CHECK(snapshot_parse_fields("space,heap,diagnostics", &mask, &bad) == 0);
	CHECK_EQ_U(mask, FIELD_SPACE | FIELD_HEAP | FIELD_DIAG);
	CHECK(snapshot_parse_fields("all", &mask, &bad) == 0 && mask == FIELD_ALL);
	CHECK(snapshot_parse_fields("event,stak", &mask, &bad) == -1);
	CHECK_STR(bad, "stak");
	free(bad);
	bad = NULL;
	CHECK(snapshot_parse_fields("event,", &mask, &bad) == -1);
	CHECK_STR(bad, "");
	free(bad);
}

/* The classifier on synthetic entries without a module. */
static void test_classify(void)
{
	static const struct { const char *perms, *path; enum region_kind k; } cases[] = {
		{ "rw-p", "[heap]", RK_HEAP }, { "rw-p", "[stack]", RK_STACK },
		{ "r-xp", "[vdso]", RK_VDSO }, { "r--p", "[vvar]", RK_VVAR },
		{ "--xp", "[vsyscall]", RK_VSYSCALL }, { "---p", "", RK_GUARD },
		{ "---p", "/lib/x.so", RK_GUARD }, { "rw-p", "", RK_MMAP },
		{ "r--s", "/tmp/data file", RK_MMAP }, { "rw-p", "[anon:pool]", RK_OTHER },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct maps_entry e = { .start = 0x1000, .end = 0x2000 };
		memcpy(e.perms, cases[i].perms, 5);
		e.path = (char *)cases[i].path;
		CHECK_STR(region_kind_name(space_classify(&e, NULL)), region_kind_name(cases[i].k));
	}
	CHECK_STR(region_kind_name(RK_TEXT), "text");
	CHECK_STR(region_kind_name(RK_VSYSCALL), "vsyscall");
	CHECK_STR(region_kind_name(RK_OTHER), "other");
}

int main(void)
{
	struct space sp;
	char *cause = NULL;
	void *p = malloc(100);

	big_bss[sizeof(big_bss) - 1] = 1;
	space_init(&sp);
	CHECK(space_read(&sp, getpid(), &cause) == 0);
	if (cause)
		fprintf(stderr, "%s\n", cause);
	test_readelf(&sp);
	test_shape(&sp);
	test_reread(&sp);
	test_snapshot(&sp);
	space_free(&sp);
	test_child();
	test_classify();
	free(p);
	CHECK_DONE();
}
