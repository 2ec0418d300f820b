/*
 * out.c - what the headless views share: writing a finished record.
 */
#include <errno.h>

#include "out.h"

int out_write(FILE *f, const struct strbuf *sb)
{
	errno = 0;
	if (fwrite(sb->buf, 1, sb->len, f) != sb->len) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
