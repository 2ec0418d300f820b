/* test_procfs.c - the maps/smaps parsers on tricky lines, the /proc
 * readers on this process and on a process that is gone, and the system's
 * memory (/proc/meminfo) against free(1) itself. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "procfs.h"

/* Parse line and check its path and deleted flag. */
static void check_path(const char *line, const char *path, bool deleted)
{
	struct maps_entry e;
	int rc = maps_parse_line(line, &e);

	CHECK(rc == 0);
	if (rc != 0)
		return;
	CHECK_STR(e.path, path);
	CHECK(e.deleted == deleted);
	free(e.path);
}

/* Every column of a full line. */
static void test_fields(void)
{
	struct maps_entry e;

	CHECK(maps_parse_line("55d0c1e00000-55d0c1e01000 r-xp 00001000 08:01 1234567"
			      "                    /usr/bin/prog\n", &e) == 0);
	CHECK_EQ_U(e.start, 0x55d0c1e00000ull);
	CHECK_EQ_U(e.end, 0x55d0c1e01000ull);
	CHECK_EQ_U(e.offset, 0x1000);
	CHECK_STR(e.perms, "r-xp");
	CHECK_EQ_U(e.dev_major, 8);
	CHECK_EQ_U(e.dev_minor, 1);
	CHECK_EQ_U(e.inode, 1234567);
	CHECK_STR(e.path, "/usr/bin/prog");
	CHECK(!e.deleted);
	free(e.path);
	CHECK(maps_parse_line("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
			      "                  [vsyscall]", &e) == 0);
	CHECK_EQ_U(e.start, 0xffffffffff600000ull);
	CHECK_STR(e.path, "[vsyscall]");
	free(e.path);
}

/* Paths with spaces, " (deleted)", "\012", none at all. */
static void test_paths(void)
{
	check_path("7f00-7f01 rw-p 00000000 00:00 0 ", "", false);
	check_path("7f00-7f01 rw-p 00000000 00:00 0", "", false);
	check_path("7f00-7f01 r--p 00000000 fd:00 42    /tmp/a b  c/x y", "/tmp/a b  c/x y", false);
	check_path("7f00-7f01 r--p 00000000 fd:00 42    /tmp/gone (deleted)", "/tmp/gone", true);
	check_path("7f00-7f01 r--p 00000000 fd:00 42    /tmp/new\\012line", "/tmp/new\nline", false);
	check_path("7f00-7f01 r--p 00000000 fd:00 42    /tmp/a\\012b (deleted)\n", "/tmp/a\nb", true);
	check_path("7f00-7f01 r--p 00000000 fd:00 42    /tmp/\xff\xfe", "/tmp/\xff\xfe", false);
	check_path("7f00-7f01 rw-p 00000000 00:00 0    [anon:my pool]", "[anon:my pool]", false);
	check_path("7f00-7f01 rw-s 00000000 00:01 7    /memfd:x (deleted)", "/memfd:x", true);
}

/* Malformed lines are rejected. */
static void test_malformed(void)
{
	static const char *bad[] = {
		"",
		"garbage",
		"7f00 7f01 rw-p 00000000 00:00 0",
		"7f00-7f01 rw-p",
		"7f00-7f01 rwxq 00000000 00:00 0",
		"7f00-7f01 rw-p 00000000 0000 0",
		"7f00-7f01 rw-p 00000000 00:00 x /a",
		"7f00-7f01 rw-p 00000000 00:00 12x /a",
		"7f01-7f00 rw-p 00000000 00:00 0",
		"7f00-7f00 rw-p 00000000 00:00 0",
		"10000000000000000-7f00 rw-p 00000000 00:00 0",
		"-7f00 rw-p 00000000 00:00 0",
		"7f00-7f01  rw-p 00000000 00:00 0",
		"7f00-7f01 rw-p 00000000 00:00 99999999999999999999999 /a",
	};
	struct maps_entry e;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = maps_parse_line(bad[i], &e);
		if (rc == 0) {
			fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
			free(e.path);
		}
		CHECK(rc == -1);
	}
}

/* maps_parse skips bad lines, sorts, and maps_find looks up. */
static void test_parse_find(void)
{
	static const char text[] =
		"3000-4000 r--p 00000000 00:00 0 /b\n"
		"bad line\n"
		"1000-2000 r-xp 00000000 08:01 5 /a\n"
		"5000-6000 rw-p 00000000 00:00 0";
	struct maps m = { 0 };

	maps_parse(text, sizeof(text) - 1, &m);
	CHECK_EQ_U(m.n, 3);
	CHECK_EQ_U(m.v[0].start, 0x1000);
	CHECK(maps_find(&m, 0x1fff) == &m.v[0]);
	CHECK(maps_find(&m, 0x2000) == NULL);
	CHECK(maps_find(&m, 0x3000) == &m.v[1]);
	CHECK(maps_find(&m, 0x5fff) == &m.v[2]);
	CHECK(maps_find(&m, 0x0) == NULL);
	CHECK(maps_find(&m, 0x6000) == NULL);
	maps_clear(&m);
	CHECK_EQ_U(m.n, 0);
	maps_free(&m);
}

/* smaps Rss matched by start address. */
static void test_smaps(void)
{
	static const char maps_text[] =
		"1000-2000 r-xp 00000000 08:01 5 /a\n"
		"3000-5000 rw-p 00000000 00:00 0\n"
		"9000-a000 rw-p 00000000 00:00 0\n";
	static const char smaps[] =
		"1000-2000 r-xp 00000000 08:01 5 /a\n"
		"Size:                  4 kB\n"
		"Rss:                   4 kB\n"
		"AnonHugePages:         0 kB\n"
		"3000-5000 rw-p 00000000 00:00 0\n"
		"Size:                  8 kB\n"
		"Rss:                   8 kB\n"
		"7000-8000 rw-p 00000000 00:00 0\n"
		"Rss:                  99 kB\n";
	struct maps m = { 0 };
	uint64_t rss[3] = { 7, 7, 7 };

	maps_parse(maps_text, sizeof(maps_text) - 1, &m);
	procfs_parse_smaps(smaps, sizeof(smaps) - 1, &m, rss);
	CHECK_EQ_U(rss[0], 4);
	CHECK_EQ_U(rss[1], 8);
	CHECK_EQ_U(rss[2], 0);
	maps_free(&m);
}

/* The readers on this very process. */
static void test_self(void)
{
	struct maps m = { 0 };
	char *cause = NULL, *exe;
	uint64_t a = 0, b = 0, *rss;
	pid_t *tids;
	size_t n;
	int stack_var = 0;

	CHECK(maps_read(getpid(), &m, &cause) == 0);
	CHECK(m.n > 5);
	CHECK(maps_find(&m, (uint64_t)(uintptr_t)&stack_var) != NULL);
	CHECK(maps_find(&m, (uint64_t)(uintptr_t)test_self) != NULL);
	rss = calloc(m.n, sizeof(*rss));
	CHECK(procfs_rss(getpid(), &m, rss, &cause) == 0);
	const struct maps_entry *st = maps_find(&m, (uint64_t)(uintptr_t)&stack_var);
	CHECK(st && rss[st - m.v] > 0);
	free(rss);
	maps_free(&m);
	CHECK(procfs_faults(getpid(), &a, &b, &cause) == 0);
	CHECK(a > 0);
	CHECK(procfs_mem(getpid(), &a, &b, &cause) == 0);
	CHECK(a > 0 && b > 0 && a >= b);
	CHECK(procfs_auxv(getpid(), AT_ENTRY, &a) == 0);
	CHECK_EQ_U(a, getauxval(AT_ENTRY));
	CHECK(procfs_auxv(getpid(), 0x7fffffff, &a) == -1);
	CHECK(procfs_tasks(getpid(), &tids, &n, &cause) == 0);
	CHECK(n == 1 && tids[0] == getpid());
	free(tids);
	exe = procfs_exe(getpid());
	CHECK(exe != NULL && exe[0] == '/');
	free(exe);
	CHECK(procfs_alive(getpid()));
}

/* A process that exited and was reaped: "process N is gone". */
static void test_gone(void)
{
	pid_t pid = fork();
	struct maps m = { 0 };
	char *cause = NULL, want[64];
	uint64_t a, b;

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	snprintf(want, sizeof(want), "process %d is gone", (int)pid);
	CHECK(!procfs_alive(pid));
	CHECK(maps_read(pid, &m, &cause) == -1);
	CHECK_STR(cause, want);
	free(cause);
	cause = NULL;
	CHECK(procfs_faults(pid, &a, &b, &cause) == -1);
	CHECK_STR(cause, want);
	free(cause);
	CHECK(procfs_exe(pid) == NULL);
	maps_free(&m);
}

/* /proc/meminfo text to free(1)'s figures, worked by hand. */
static void test_meminfo_text(void)
{
	static const char text[] =
		"MemTotal:       16000000 kB\n"
		"MemFree:         9000000 kB\n"
		"MemAvailable:   12000000 kB\n"
		"Buffers:          100000 kB\n"
		"Cached:          2000000 kB\n"
		"SwapCached:        55555 kB\n"     /* not Cached */
		"garbage line without a colon\n"
		"MemFreeX:              1 kB\n"     /* not MemFree */
		"Active(file):     500000 kB\n"
		"SReclaimable:     300000 kB\n"
		"HugePages_Total:       0\n"
		"DirectMap1G:    99999999 kB";      /* no final newline */
	struct sysmem m;

	CHECK(procfs_parse_meminfo(text, &m) == 0);
	CHECK_EQ_U(m.total_kb, 16000000);
	CHECK_EQ_U(m.free_kb, 9000000);
	CHECK_EQ_U(m.avail_kb, 12000000);
	CHECK_EQ_U(m.buff_cache_kb, 100000 + 2000000 + 300000);
	CHECK_EQ_U(m.used_kb, 16000000 - 12000000);
	/* a kernel before 3.14: no MemAvailable, free(1) shows MemFree */
	CHECK(procfs_parse_meminfo("MemTotal: 1000 kB\nMemFree: 300 kB\nCached: 50 kB\n", &m) == 0);
	CHECK_EQ_U(m.avail_kb, 300);
	CHECK_EQ_U(m.used_kb, 700);
	CHECK_EQ_U(m.buff_cache_kb, 50);
	/* a container's view: available above total is not believed */
	CHECK(procfs_parse_meminfo("MemTotal: 1000 kB\nMemFree: 200 kB\nMemAvailable: 5000 kB\n", &m) == 0);
	CHECK_EQ_U(m.avail_kb, 200);
	CHECK_EQ_U(m.used_kb, 800);
	/* nonsense: free above total; used does not wrap */
	CHECK(procfs_parse_meminfo("MemTotal: 100 kB\nMemFree: 5000 kB\n", &m) == 0);
	CHECK_EQ_U(m.used_kb, 0);
	CHECK(procfs_parse_meminfo("MemFree: 300 kB\nMemAvailable: 400 kB\n", &m) == -1);
	CHECK(procfs_parse_meminfo("MemTotal: x kB\n", &m) == -1);
	CHECK(procfs_parse_meminfo("", &m) == -1);
	CHECK(procfs_parse_meminfo("MemTotal:\t77 kB", &m) == 0 && m.total_kb == 77);
}

/* free -k's "Mem:" line: total used free shared buff/cache available. */
static int free_k(struct sysmem *f)
{
	FILE *p = popen("free -k 2>/dev/null", "r");
	char line[512];
	uint64_t shared;
	int found = 0;

	if (p == NULL)
		return -1;
	while (fgets(line, sizeof(line), p))
		if (sscanf(line, "Mem: %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
			   " %" SCNu64, &f->total_kb, &f->used_kb, &f->free_kb, &shared,
			   &f->buff_cache_kb, &f->avail_kb) == 6)
			found = 1;
	return pclose(p) == 0 && found ? 0 : -1;
}

/* |a - b| <= tol */
static bool near(uint64_t a, uint64_t b, uint64_t tol)
{
	return (a > b ? a - b : b - a) <= tol;
}

/*
 * procfs_sysmem against free -k, read back to back.  Memory moves while
 * free runs (free itself is a process), so: total must always match;
 * used, free and buff/cache within 64 MiB; and available and used must
 * match exactly in at least one of the tries, when free's figure equals
 * ours from just before or just after it ran (a wrong formula, such as
 * procps 3.3's used, never does).
 */
static void test_sysmem_vs_free(void)
{
	const uint64_t tol = 64 * 1024;
	struct sysmem a, b, f;
	int exact = 0, tries = 0;

	if (free_k(&f) != 0) {
		printf("free -k not available: sysmem compared with nothing (make deps)\n");
		CHECK(procfs_sysmem(&a) == 0 && a.total_kb > 0);
		return;
	}
	for (tries = 0; tries < 50 && exact < 3; tries++) {
		CHECK(procfs_sysmem(&a) == 0);
		CHECK(free_k(&f) == 0);
		CHECK(procfs_sysmem(&b) == 0);
		CHECK_EQ_U(a.total_kb, f.total_kb);
		CHECK(near(a.used_kb, f.used_kb, tol) && near(b.used_kb, f.used_kb, tol));
		CHECK(near(a.free_kb, f.free_kb, tol));
		CHECK(near(a.buff_cache_kb, f.buff_cache_kb, tol));
		CHECK(near(a.avail_kb, f.avail_kb, tol));
		for (int i = 0; i < 2; i++) {
			const struct sysmem *o = i ? &b : &a;
			if (o->avail_kb == f.avail_kb) {
				CHECK_EQ_U(o->used_kb, f.used_kb);
				exact++;
				break;
			}
		}
	}
	printf("sysmem: total %" PRIu64 " used %" PRIu64 " free %" PRIu64 " buff/cache %" PRIu64
	       " available %" PRIu64 " kB; free -k: used %" PRIu64 " buff/cache %" PRIu64
	       " available %" PRIu64 "; exact in %d of %d tries\n", a.total_kb, a.used_kb,
	       a.free_kb, a.buff_cache_kb, a.avail_kb, f.used_kb, f.buff_cache_kb, f.avail_kb,
	       exact, tries);
	CHECK(exact > 0);
}

int main(void)
{
	test_fields();
	test_paths();
	test_malformed();
	test_parse_find();
	test_smaps();
	test_self();
	test_gone();
	test_meminfo_text();
	test_sysmem_vs_free();
	CHECK_DONE();
}
