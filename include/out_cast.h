/*
 * out_cast.h - the asciicast v2 recorder (--record FILE): a header line
 * {"version": 2, "width": W, "height": H, "timestamp": T, "env": {...}},
 * then one [time, "o", data] line per piece of output (time: seconds since
 * cast_begin, CLOCK_MONOTONIC), data the exact bytes curses wrote as a JSON
 * string (control bytes as \u00XX, or \n \r \t; what is not UTF-8 as
 * U+FFFD, the way asciinema's own recorder does; a UTF-8 character cut
 * between two writes is kept whole).  `asciinema play FILE` replays the
 * session.
 *
 * The UI opens curses on the stream cast_tee returns: every byte goes to
 * the terminal and to the recording.
 */
#ifndef MEMVIZ_OUT_CAST_H
#define MEMVIZ_OUT_CAST_H

#include <stddef.h>
#include <stdio.h>

struct cast;

/* Start a recording into rec (written as it goes; the caller closes rec
 * after cast_end) of a terminal of w x h cells. */
struct cast *cast_begin(FILE *rec, int w, int h);
/*
 * A stream that writes to fd `term` and records what it writes; NULL on
 * failure.  Closing it does not close term.
 *
 * It is the slave of a pseudo-terminal (curses writes to fileno() of its
 * stream and sets modes and asks the size there, so a stdio-only stream
 * would not do): it starts with term's modes and size; a thread copies
 * its output to term and into the recording, and the modes curses sets on
 * it (cbreak, noecho, endwin) to term, where curses reads the keys
 * (newterm(NULL, tee, stdin)).  On SIGWINCH the pty takes term's size
 * before curses' handler runs, so KEY_RESIZE works as usual.  When term is
 * not a terminal (tests), the size is the recording's (cast_resize).
 * One tee per process.
 *
 * Close the stream (after endwin/delscreen) before cast_end: cast_end
 * then returns once the last byte has reached term, and puts term's
 * modes back as they were before cast_tee.
 */
FILE *cast_tee(struct cast *c, int term);
/* The terminal was resized: recorded as an "r" event ("WxH"). */
void cast_resize(struct cast *c, int w, int h);
/* Record bytes the terminal got (cast_tee's thread does, for every read;
 * also for output that does not go through the tee).  A UTF-8 sequence
 * cut at the end waits for the next call. */
void cast_output(struct cast *c, const void *buf, size_t n);
/* Stop the tee (see cast_tee), flush and free; rec stays open. */
void cast_end(struct cast *c);

#endif
