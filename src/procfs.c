/*
 * procfs.c - readers of /proc/PID: maps, smaps (RSS per mapping), stat (page
 * faults), status (VSZ/RSS), auxv, task/ and the exe link; and of
 * /proc/meminfo (the system's memory as free(1) shows it).
 *
 * The maps parser follows strace's mmap_cache.c: every line is parsed by
 * hand with a field check, anything unexpected makes the line malformed and
 * it is skipped.  The path is everything after the inode column's padding;
 * it may hold spaces and any byte, the kernel writes '\n' as "\012", and a
 * file that was unlinked gets " (deleted)" appended.
 *
 * A process that vanished under us (ENOENT, ESRCH) is not an error of
 * memviz: the cause says "process N is gone" so the caller can tell.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"
#include "util.h"

#define DELETED_SUFFIX " (deleted)"
#define MAX_TASKS (1u << 22)      /* bound on the task/ directory walk */

/* Value of hex digit c, or -1. */
static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse 1..16 hex digits at *p (not past end); advances *p. 0 or -1. */
static int parse_hex(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int d, n = 0;

	while (s < end && n < 17 && (d = hex_val(*s)) >= 0) {
		x = (x << 4) | (uint64_t)d;
		s++;
		n++;
	}
	if (n == 0 || n > 16)
		return -1;
	*p = s;
	*v = x;
	return 0;
}

/* Parse 1..20 decimal digits at *p; advances *p. 0 or -1 (also on overflow). */
static int parse_dec(const char **p, const char *end, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int n = 0;

	while (s < end && *s >= '0' && *s <= '9' && n < 21) {
		unsigned d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
		s++;
		n++;
	}
	if (n == 0 || n > 20)
		return -1;
	*p = s;
	*v = x;
	return 0;
}

/* Consume the character c at *p; 0 or -1. */
static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

/* Parse the perms column "r-xp" into perms; 0 or -1. */
static int parse_perms(const char **p, const char *end, char perms[5])
{
	static const char allowed[4][3] = { "r-", "w-", "x-", "ps" };
	const char *s = *p;

	if (end - s < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		if (s[i] != allowed[i][0] && s[i] != allowed[i][1])
			return -1;
		perms[i] = s[i];
	}
	perms[4] = '\0';
	*p = s + 4;
	return 0;
}

/* A heap copy of the path bytes s[0..n) with "\012" turned back into '\n'. */
static char *unescape_path(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t j = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && n - i >= 4 && memcmp(s + i, "\\012", 4) == 0) {
			out[j++] = '\n';
			i += 3;
		} else {
			out[j++] = s[i];
		}
	}
	out[j] = '\0';
	return out;
}

/* Fill e->path and e->deleted from the path bytes s[0..n). */
static void set_path(struct maps_entry *e, const char *s, size_t n)
{
	size_t sl = sizeof(DELETED_SUFFIX) - 1;

	e->deleted = n > sl && memcmp(s + n - sl, DELETED_SUFFIX, sl) == 0;
	if (e->deleted)
		n -= sl;
	e->path = unescape_path(s, n);
}

/*
 * Parse one maps line s[0..n) (a trailing '\n' is allowed) into *out.
 * 0 on success (out->path is a heap string), -1 if malformed (out untouched
 * apart from scratch fields; nothing to free).
 */
static int parse_line_n(const char *s, size_t n, struct maps_entry *out)
{
	const char *p = s, *end = s + n;
	struct maps_entry e;
	uint64_t maj, min;

	memset(&e, 0, sizeof(e));
	if (n > 0 && end[-1] == '\n')
		end--;
	if (memchr(s, '\0', (size_t)(end - s)) || memchr(s, '\n', (size_t)(end - s)))
		return -1;
	if (parse_hex(&p, end, &e.start) || expect(&p, end, '-') ||
	    parse_hex(&p, end, &e.end) || expect(&p, end, ' ') ||
	    parse_perms(&p, end, e.perms) || expect(&p, end, ' ') ||
	    parse_hex(&p, end, &e.offset) || expect(&p, end, ' ') ||
	    parse_hex(&p, end, &maj) || expect(&p, end, ':') ||
	    parse_hex(&p, end, &min) || expect(&p, end, ' ') ||
	    parse_dec(&p, end, &e.inode))
		return -1;
	if (e.end <= e.start || maj > UINT_MAX || min > UINT_MAX)
		return -1;
	if (p < end && *p != ' ')
		return -1;              /* garbage glued to the inode */
	while (p < end && *p == ' ')
		p++;
	e.dev_major = (unsigned)maj;
	e.dev_minor = (unsigned)min;
	set_path(&e, p, (size_t)(end - p));
	*out = e;
	return 0;
}

/* Parse one line (without or with its '\n'); 0 on success, -1 if malformed. */
int maps_parse_line(const char *line, struct maps_entry *out)
{
	if (line == NULL)
		return -1;
	return parse_line_n(line, strlen(line), out);
}

/* Entries are in address order? (the kernel's always are) */
static bool maps_sorted(const struct maps *m)
{
	for (size_t i = 1; i < m->n; i++)
		if (m->v[i].start < m->v[i - 1].start)
			return false;
	return true;
}

/* qsort order: by start address. */
static int entry_cmp(const void *a, const void *b)
{
	const struct maps_entry *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Parse a whole maps text into m (appending); lines that fail are skipped. */
void maps_parse(const char *text, size_t len, struct maps *m)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct maps_entry e;

		if (le > p && parse_line_n(p, (size_t)(le - p), &e) == 0) {
			util_grow((void **)&m->v, &m->cap, m->n + 1, sizeof(*m->v));
			m->v[m->n++] = e;
		}
		p = nl ? nl + 1 : end;
	}
	if (!maps_sorted(m))
		qsort(m->v, m->n, sizeof(*m->v), entry_cmp);
}

/* The cause for a failed open/read of /proc/PID/<what>; returns -1. */
static int proc_cause(char **cause, pid_t pid, const char *what, int err)
{
	if (err == ENOENT || err == ESRCH)
		return util_cause(cause, "process %d is gone", (int)pid);
	return util_cause(cause, "cannot read /proc/%d/%s: %s", (int)pid, what,
			  strerror(err));
}

/* Read /proc/PID/<what> into a heap buffer, or NULL with *cause. */
static char *proc_read(pid_t pid, const char *what, size_t *len, char **cause)
{
	char path[64];
	char *buf;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	buf = util_read_file(path, len);
	if (buf == NULL)
		proc_cause(cause, pid, what, errno);
	return buf;
}

/* Read /proc/PID/maps; -1 with *cause on failure (ESRCH/ENOENT: process gone). */
int maps_read(pid_t pid, struct maps *m, char **cause)
{
	size_t len = 0;
	char *text = proc_read(pid, "maps", &len, cause);

	if (text == NULL)
		return -1;
	maps_clear(m);
	maps_parse(text, len, m);
	free(text);
	return 0;
}

/* Frees the entries' paths, keeps the array. */
void maps_clear(struct maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	m->n = 0;
}

/* Frees everything m holds. */
void maps_free(struct maps *m)
{
	maps_clear(m);
	free(m->v);
	m->v = NULL;
	m->cap = 0;
}

/* Index of the last entry with start <= addr, or -1. */
static long maps_index_le(const struct maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* The entry containing addr, or NULL. */
const struct maps_entry *maps_find(const struct maps *m, uint64_t addr)
{
	long i = maps_index_le(m, addr);

	if (i < 0 || addr >= m->v[i].end)
		return NULL;
	return &m->v[i];
}

/* Is s[0..n) a smaps header ("start-end ...")? Sets *start. */
static bool smaps_header(const char *s, const char *end, uint64_t *start)
{
	const char *p = s;

	return parse_hex(&p, end, start) == 0 && p < end && *p == '-';
}

/* Parse the kB number after "Rss:" in s..end; 0 or -1. */
static int smaps_rss_value(const char *s, const char *end, uint64_t *kb)
{
	const char *p = s + 4;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return parse_dec(&p, end, kb);
}

/* Parse smaps text: Rss of each mapping into rss_kb (0 where absent). */
void procfs_parse_smaps(const char *text, size_t len, const struct maps *m, uint64_t *rss_kb)
{
	const char *p = text, *end = text + len;
	long cur = -1;

	if (m->n > 0)
		memset(rss_kb, 0, m->n * sizeof(*rss_kb));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		uint64_t start, kb;

		if (smaps_header(p, le, &start)) {
			cur = maps_index_le(m, start);
			if (cur >= 0 && m->v[cur].start != start)
				cur = -1;
		} else if (cur >= 0 && le - p > 4 && memcmp(p, "Rss:", 4) == 0 &&
			   smaps_rss_value(p, le, &kb) == 0) {
			rss_kb[cur] = kb;
		}
		p = nl ? nl + 1 : end;
	}
}

/* Rss of each mapping from /proc/PID/smaps, in kB, into rss_kb[i]. */
int procfs_rss(pid_t pid, const struct maps *m, uint64_t *rss_kb, char **cause)
{
	size_t len = 0;
	char *text = proc_read(pid, "smaps", &len, cause);

	if (text == NULL)
		return -1;
	procfs_parse_smaps(text, len, m, rss_kb);
	free(text);
	return 0;
}

/*
 * Minor and major faults from /proc/PID/stat.  The comm field "(...)" may
 * hold spaces and ')', so fields are counted from the LAST ')'.
 */
int procfs_faults(pid_t pid, uint64_t *minflt, uint64_t *majflt, char **cause)
{
	char *text = proc_read(pid, "stat", NULL, cause);
	char *rp;
	int n;

	if (text == NULL)
		return -1;
	rp = strrchr(text, ')');
	n = rp ? sscanf(rp + 1, " %*c %*d %*d %*d %*d %*d %*u %" SCNu64 " %*u %" SCNu64,
			minflt, majflt) : 0;
	free(text);
	if (n != 2)
		return util_cause(cause, "cannot parse /proc/%d/stat", (int)pid);
	return 0;
}

/* The kB value of the status line "key:   123 kB" in text, 0 if absent. */
static uint64_t status_kb(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;
	uint64_t v = 0;

	while (p && *p) {
		if (strncmp(p, key, kl) == 0) {
			sscanf(p + kl, " %" SCNu64, &v);
			return v;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

/* VSZ and RSS in kB from /proc/PID/status (0 for a zombie, which has none). */
int procfs_mem(pid_t pid, uint64_t *vsz_kb, uint64_t *rss_kb, char **cause)
{
	char *text = proc_read(pid, "status", NULL, cause);

	if (text == NULL)
		return -1;
	*vsz_kb = status_kb(text, "VmSize:");
	*rss_kb = status_kb(text, "VmRSS:");
	free(text);
	return 0;
}

/* Value of auxv entry `type`; 0, or -1 if absent or unreadable. */
int procfs_auxv(pid_t pid, uint64_t type, uint64_t *val)
{
	size_t len = 0;
	char *buf = proc_read(pid, "auxv", &len, NULL);
	int rc = -1;

	if (buf == NULL)
		return -1;
	for (size_t off = 0; off + 16 <= len; off += 16) {
		uint64_t kv[2];
		memcpy(kv, buf + off, sizeof(kv));
		if (kv[0] == 0)
			break;          /* AT_NULL */
		if (kv[0] == type) {
			*val = kv[1];
			rc = 0;
			break;
		}
	}
	free(buf);
	return rc;
}

/* The /proc/meminfo fields free(1) uses, and where they go. */
enum meminfo_key { MI_TOTAL, MI_FREE, MI_AVAIL, MI_BUFFERS, MI_CACHED, MI_SRECLAIM, MI_COUNT };
static const char *const meminfo_keys[MI_COUNT] = {
	"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SReclaimable",
};

/* Which meminfo_key the line key s[0..n) is (the whole key: "SwapCached"
 * is not "Cached"), or MI_COUNT. */
static enum meminfo_key meminfo_key_of(const char *s, size_t n)
{
	for (int k = 0; k < MI_COUNT; k++)
		if (strlen(meminfo_keys[k]) == n && memcmp(s, meminfo_keys[k], n) == 0)
			return (enum meminfo_key)k;
	return MI_COUNT;
}

/* a + b, saturated (the input may be anything: the fuzzer's). */
static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * The figures of free(1) from procps-ng 4 (library/meminfo.c): available is
 * MemAvailable, or MemFree where the kernel has none (before 3.14) or where
 * it exceeds MemTotal (a container's view); used = total - available
 * (procps 3.3 said total - free - buff/cache; 4.0 changed it, and Debian 12
 * ships 4.0.2); buff/cache = Buffers + Cached + SReclaimable.
 * Lines are "Key:   123 kB"; a line that does not parse is skipped.
 */
int procfs_parse_meminfo(const char *text, struct sysmem *m)
{
	uint64_t v[MI_COUNT] = { 0 };
	bool seen_total = false;
	const char *p = text;

	memset(m, 0, sizeof(*m));
	while (p != NULL && *p != '\0') {
		const char *nl = strchr(p, '\n');
		const char *le = nl ? nl : p + strlen(p);
		const char *colon = memchr(p, ':', (size_t)(le - p));
		enum meminfo_key k = colon ? meminfo_key_of(p, (size_t)(colon - p)) : MI_COUNT;
		const char *q = colon ? colon + 1 : NULL;
		uint64_t x;

		if (k != MI_COUNT) {
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			if (parse_dec(&q, le, &x) == 0) {
				v[k] = x;
				seen_total |= k == MI_TOTAL;
			}
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!seen_total)
		return -1;
	if (v[MI_AVAIL] == 0 || v[MI_AVAIL] > v[MI_TOTAL])
		v[MI_AVAIL] = v[MI_FREE];
	m->total_kb = v[MI_TOTAL];
	m->free_kb = v[MI_FREE];
	m->avail_kb = v[MI_AVAIL];
	m->buff_cache_kb = add_sat(add_sat(v[MI_BUFFERS], v[MI_CACHED]), v[MI_SRECLAIM]);
	m->used_kb = v[MI_TOTAL] > v[MI_AVAIL] ? v[MI_TOTAL] - v[MI_AVAIL] : 0;
	return 0;
}

/* The system's memory as free(1) shows it; -1 if /proc/meminfo is unreadable. */
int procfs_sysmem(struct sysmem *m)
{
	char *text = util_read_file("/proc/meminfo", NULL);
	int rc;

	if (text == NULL) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	rc = procfs_parse_meminfo(text, m);
	free(text);
	return rc;
}

/* qsort order for pid_t. */
static int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* A task/ directory entry name as a tid, or 0 if it is not a number. */
static pid_t tid_of(const char *name)
{
	const char *p = name;
	uint64_t v;

	if (parse_dec(&p, name + strlen(name), &v) || *p != '\0' || v == 0 ||
	    v > INT_MAX)
		return 0;
	return (pid_t)v;
}

/* The thread ids in /proc/PID/task, sorted; *tids is a heap array. */
int procfs_tasks(pid_t pid, pid_t **tids, size_t *n, char **cause)
{
	char path[64];
	struct dirent *d;
	size_t cap = 0;
	DIR *dir;

	*tids = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return proc_cause(cause, pid, "task", errno);
	while ((d = readdir(dir)) != NULL && *n < MAX_TASKS) {
		pid_t t = tid_of(d->d_name);
		if (t == 0)
			continue;
		util_grow((void **)tids, &cap, *n + 1, sizeof(**tids));
		(*tids)[(*n)++] = t;
	}
	closedir(dir);
	if (*n > 1)
		qsort(*tids, *n, sizeof(**tids), pid_cmp);
	return 0;
}

/* readlink /proc/PID/exe into a heap string (NULL on failure). */
char *procfs_exe(pid_t pid)
{
	char link[64];
	size_t cap = 256;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	for (int tries = 0; tries < 8; tries++, cap *= 4) {
		char *buf = xmalloc(cap);
		ssize_t r = readlink(link, buf, cap);
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)r < cap) {
			buf[r] = '\0';
			return buf;
		}
		free(buf);
	}
	return NULL;
}

/* The process exists (kill(pid, 0) == 0 or EPERM). */
bool procfs_alive(pid_t pid)
{
	if (pid <= 0)
		return false;
	return kill(pid, 0) == 0 || errno == EPERM;
}

char **procfs_cmdline(pid_t pid)
{
	char path[64];
	size_t len = 0, n = 0;
	char *text, **argv;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	text = util_read_file(path, &len);
	if (!text || len == 0) {
		free(text);
		return NULL;
	}
	for (size_t i = 0; i < len; i++)      /* arguments are NUL-separated */
		n += text[i] == '\0';
	if (text[len - 1] != '\0')
		n++;                          /* last one unterminated (rewritten argv) */
	argv = xcalloc(n + 2, sizeof(*argv));
	argv[0] = text;                       /* owns the whole buffer */
	n = 1;
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '\0')
			argv[n++] = text + i + 1;
	return argv;
}

void procfs_argv_free(char **argv)
{
	if (argv)
		free(argv[0]);
	free(argv);
}
