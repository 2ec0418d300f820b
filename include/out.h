/*
 * out.h - headless views of a snapshot: JSON Lines (--json) and plain text
 * (--text).  Each writes one whole record per call and flushes, so a reader
 * on a pipe sees each stop as it happens.
 */
#ifndef MEMVIZ_OUT_H
#define MEMVIZ_OUT_H

#include <stdio.h>

#include "snapshot.h"
#include "util.h"

/* One JSON object on one line (DESIGN.md's record), only the parts in
 * s->fields (seq, pid, tid always).  sb is reused scratch. 0 / -1 (I/O). */
int out_json_write(FILE *f, const struct snapshot *s, struct strbuf *sb);
/* The panes as plain text: a header line for the event, then the address
 * space (high addresses first, sections indented under their region). */
int out_text_write(FILE *f, const struct snapshot *s, struct strbuf *sb);

#endif
