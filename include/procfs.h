/*
 * procfs.h - readers of /proc/PID text files: maps, smaps (RSS), stat
 * (page faults), auxv, task/.  Parsers check their field counts and skip
 * lines they do not understand (STYLE.md #8).
 */
#ifndef MEMVIZ_PROCFS_H
#define MEMVIZ_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * One line of /proc/PID/maps:
 *   55d0c1e00000-55d0c1e01000 r--p 00000000 08:01 1234567   /usr/bin/prog
 *   start        end          perms offset  dev   inode     path (may be empty,
 *                                                            "[heap]", "... (deleted)")
 * The kernel writes a newline inside a path as "\012"; maps_parse_line turns
 * it back into '\n' so the path can be opened.
 */
struct maps_entry {
	uint64_t start, end, offset;
	char perms[5];            /* "r-xp" */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	char *path;               /* heap string, "" for anonymous */
	bool deleted;             /* path had " (deleted)"; it is stripped from path */
};

struct maps {
	struct maps_entry *v;
	size_t n, cap;
};

/* Parse one line (without or with its '\n'); 0 on success, -1 if malformed. */
int maps_parse_line(const char *line, struct maps_entry *out);
/* Parse a whole maps text into m (appending); lines that fail are skipped. */
void maps_parse(const char *text, size_t len, struct maps *m);
/* Read /proc/PID/maps; -1 with *cause on failure (ESRCH/ENOENT: process gone). */
int maps_read(pid_t pid, struct maps *m, char **cause);
void maps_clear(struct maps *m);             /* frees entries, keeps storage */
void maps_free(struct maps *m);
/* The entry containing addr, or NULL. Entries are sorted by address. */
const struct maps_entry *maps_find(const struct maps *m, uint64_t addr);

/* Rss: of each mapping from /proc/PID/smaps, in kB, into rss_kb[i] for m->v[i]
 * (matched by start address; 0 where absent). -1 with *cause on failure. */
int procfs_rss(pid_t pid, const struct maps *m, uint64_t *rss_kb, char **cause);
/* Parse smaps text (for the fuzzer and tests); same contract as procfs_rss. */
void procfs_parse_smaps(const char *text, size_t len, const struct maps *m, uint64_t *rss_kb);

/* Minor and major page faults of the process (/proc/PID/stat fields 10, 12). */
int procfs_faults(pid_t pid, uint64_t *minflt, uint64_t *majflt, char **cause);
/* VSZ and RSS of the process in kB (/proc/PID/status VmSize, VmRSS). */
int procfs_mem(pid_t pid, uint64_t *vsz_kb, uint64_t *rss_kb, char **cause);
/* Value of auxv entry `type` (AT_ENTRY, AT_BASE...); -1 if absent/unreadable. */
int procfs_auxv(pid_t pid, uint64_t type, uint64_t *val);
/* The system's memory as free(1) of procps-ng 4 shows it (kB): available =
 * MemAvailable (MemFree if the kernel has none), used = total - available,
 * buff/cache = Buffers + Cached + SReclaimable.  (procps 3.3 had used =
 * total - free - buff/cache.) */
struct sysmem {
	uint64_t total_kb, used_kb, free_kb, buff_cache_kb, avail_kb;
};
int procfs_sysmem(struct sysmem *m);
/* The same from the text of /proc/meminfo; -1 if MemTotal is missing. */
int procfs_parse_meminfo(const char *text, struct sysmem *m);
/* The thread ids in /proc/PID/task, sorted; *tids is a heap array. */
int procfs_tasks(pid_t pid, pid_t **tids, size_t *n, char **cause);
/* The arguments of pid from /proc/PID/cmdline, a NULL-terminated heap
 * array (free with procfs_argv_free); NULL if unreadable or empty. */
char **procfs_cmdline(pid_t pid);
void procfs_argv_free(char **argv);
/* readlink /proc/PID/exe into a heap string (NULL on failure). */
char *procfs_exe(pid_t pid);
/* The process exists (kill(pid, 0) == 0 or EPERM). */
bool procfs_alive(pid_t pid);

#endif
