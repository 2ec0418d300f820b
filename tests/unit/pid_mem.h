/*
 * pid_mem.h - a mem_reader callback over another process's memory, for
 * the tests that read a stopped child: ctx points at its pid_t.
 * Header-only (a static function).
 */
#ifndef MEMVIZ_TEST_PID_MEM_H
#define MEMVIZ_TEST_PID_MEM_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/* process_vm_readv of len bytes at addr in the process *(pid_t *)ctx. */
static int pid_mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	pid_t pid = *(pid_t *)ctx;
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

#endif
