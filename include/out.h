/*
 * out.h - headless views of a snapshot: JSON Lines (--json) and plain text
 * (--text).  Each writes one whole record per call with one fwrite; the
 * session flushes after each record when the output is a pipe, socket or
 * terminal, so a reader there sees each stop as it happens.
 */
#ifndef MEMVIZ_OUT_H
#define MEMVIZ_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "snapshot.h"
#include "util.h"

/* One JSON object on one line (DESIGN.md's record), only the parts in
 * s->fields (seq, pid, tid always).  sb is reused scratch. 0 / -1 (I/O). */
int out_json_write(FILE *f, const struct snapshot *s, struct strbuf *sb);
/* The panes as plain text: a header line for the event, then the address
 * space (high addresses first, sections indented under their region). */
int out_text_write(FILE *f, const struct snapshot *s, struct strbuf *sb);

#define OUT_RET (-1)
/* Argument i of ev (OUT_RET: its return value) as both views print it,
 * bare (no quotes): decimal for sizes, counts and ints ("24", "-1"), 0x hex
 * for pointers, flags and offsets, as ev->fn's (else the kind's) argument
 * table says.  false, appending nothing, if ev has no such value. */
bool out_event_value(struct strbuf *sb, const struct event *ev, int i);

/* Write a whole record: one fwrite, no flush (the session flushes each
 * record when a reader waits on a pipe or terminal).  -1 with errno. */
int out_write(FILE *f, const struct strbuf *sb);

#endif
