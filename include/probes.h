/*
 * probes.h - where the tracer stops for source-level events, from the
 * executable's DWARF: its functions (entry and first line after the
 * prologue) for `call` and `return`, FILE:LINE for --break, and the
 * statement starts for line stepping.  It answers the tracer's questions
 * (struct tracer_src), so the tracer itself reads no DWARF.
 */
#ifndef MEMVIZ_PROBES_H
#define MEMVIZ_PROBES_H

#include "debuginfo.h"
#include "tracer.h"

struct probes;

struct probes *probes_new(struct debuginfo *dbg);
void probes_free(struct probes *p);
/* The callbacks for tracer_opts.src; valid while p lives. */
const struct tracer_src *probes_src(struct probes *p);

#endif
