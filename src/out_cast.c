/*
 * out_cast.c - the asciicast v2 recorder (--record FILE).
 *
 * A header line, then one [time, "o", data] line per piece of output
 * (https://docs.asciinema.org/manual/asciicast/v2/).  The data is what the
 * terminal got, as a JSON string: control bytes escaped, and bytes that
 * are not UTF-8 replaced by U+FFFD the way asciinema's own recorder does
 * (Python's incremental UTF-8 decoder with errors="replace": each maximal
 * ill-formed subpart is one U+FFFD; a sequence cut by the end of a write
 * waits for the next write).  util.h's sb_json_strn does not fit: it
 * writes such bytes as \udcXX, lone surrogates that asciinema cannot
 * print.
 *
 * Why cast_tee hands out a pseudo-terminal and not a fopencookie stream:
 * ncurses (6.4) never writes through the FILE * newterm gets, it write(2)s
 * to fileno() of it, and sets the terminal modes and asks the window size
 * on that same fd.  A cookie stream has no fd (its bytes are lost), a pipe
 * has no modes.  So curses gets the slave of a pty that has term's modes
 * and size, and a relay thread copies what comes out of the master to term
 * and into the recording:
 *  - Modes: the slave has EXTPROC set and the master is in packet mode, so
 *    every tcsetattr curses does on the slave (cbreak, noecho, endwin's
 *    restore) reaches the thread as TIOCPKT_IOCTL; the thread copies the
 *    slave's input, output and local flags and control characters to term,
 *    where curses reads its keys.
 *  - Size: curses asks the slave.  A SIGWINCH handler of ours, chained in
 *    front of the one curses installs, first copies term's size to the pty.
 *  - End: the caller closes the stream (every slave fd gone), the thread
 *    reads the master until EIO, so cast_end returns after the last byte
 *    reached term; term gets back the modes it had before cast_tee.
 * The master's TCGETS/TIOCSWINSZ act on the slave, so the thread and the
 * signal handler never need the slave's fd (the caller's stream owns it).
 */
#include "out_cast.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define REPLACEMENT "\xef\xbf\xbd"        /* U+FFFD in UTF-8 */
#define QUIET_MS 100      /* cast_end with the stream still open: wait this long for more */

struct cast {
	FILE *rec;
	struct timespec t0;
	pthread_mutex_t lock;     /* rec, the buffers and tail: the thread and the caller */
	struct strbuf in, line;   /* scratch: input with the tail, the event line */
	unsigned char tail[4];    /* an incomplete UTF-8 sequence from the last write */
	size_t ntail;
	int w, h;                 /* the size last recorded */
	/* the tee */
	bool teeing;
	pthread_t thread;
	int master, term;
	int wake[2];              /* cast_end -> thread: finish */
	bool term_tty;
	struct termios term_orig; /* term's modes before cast_tee */
};

/* The SIGWINCH chain (one tee per process). */
static volatile sig_atomic_t winch_term = -1, winch_master = -1;
static struct sigaction winch_next;       /* the handler ours runs after */
static bool winch_wrapped;
static bool tee_active;

/* Seconds since cast_begin. */
static double elapsed(const struct cast *c)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - c->t0.tv_sec) + (double)(t.tv_nsec - c->t0.tv_nsec) / 1e9;
}

/*
 * The UTF-8 sequence at p[0..n): its length if it is well formed (1 for
 * ASCII), 0 if it is a well-formed beginning cut by the end of the buffer,
 * -k if its first k bytes are a maximal ill-formed subpart (Unicode 3.9,
 * "U+FFFD substitution of maximal subparts").
 */
static int utf8_seq(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	int need;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		lo = c == 0xe0 ? 0xa0 : 0x80;      /* no overlongs */
		hi = c == 0xed ? 0x9f : 0xbf;      /* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;      /* nothing past U+10FFFF */
	} else {
		return -1;
	}
	for (int i = 1; i <= need; i++) {
		if ((size_t)i >= n)
			return 0;
		if (p[i] < lo || p[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* One ASCII byte that JSON wants escaped. */
static void json_escape_byte(struct strbuf *sb, unsigned char b)
{
	switch (b) {
	case '"': sb_putn(sb, "\\\"", 2); break;
	case '\\': sb_putn(sb, "\\\\", 2); break;
	case '\n': sb_putn(sb, "\\n", 2); break;
	case '\r': sb_putn(sb, "\\r", 2); break;
	case '\t': sb_putn(sb, "\\t", 2); break;
	default: sb_printf(sb, "\\u%04x", b); break;
	}
}

/*
 * The JSON string body (no quotes) of the bytes p[0..n) into sb.  Returns
 * how many bytes at the end were not used: a well-formed beginning of a
 * sequence cut by the end, kept for the next write (0 when final: then it
 * is one U+FFFD, as Python's decoder says at the end).
 */
static size_t json_utf8(struct strbuf *sb, const unsigned char *p, size_t n, bool final)
{
	size_t i = 0;

	while (i < n) {
		size_t run = i;
		int len;

		while (i < n && p[i] >= 0x20 && p[i] <= 0x7f && p[i] != '"' && p[i] != '\\')
			i++;
		if (i > run)
			sb_putn(sb, (const char *)p + run, i - run);
		if (i == n)
			break;
		len = utf8_seq(p + i, n - i);
		if (len == 0 && !final)
			return n - i;
		if (len <= 0) {
			sb_putn(sb, REPLACEMENT, 3);
			i += len < 0 ? (size_t)-len : n - i;
		} else if (len == 1) {
			json_escape_byte(sb, p[i++]);
		} else {
			sb_putn(sb, (const char *)p + i, (size_t)len);
			i += (size_t)len;
		}
	}
	return 0;
}

/* A JSON string literal of the C string s (U+FFFD for what is not UTF-8),
 * null for NULL. */
static void json_str(struct strbuf *sb, const char *s)
{
	if (s == NULL) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '"');
	json_utf8(sb, (const unsigned char *)s, strlen(s), true);
	sb_putc(sb, '"');
}

/* Write c->line to the recording, now (a crash loses nothing written). */
static void put_line(struct cast *c)
{
	fwrite(c->line.buf, 1, c->line.len, c->rec);
	fflush(c->rec);
}

/* The "o" event of the bytes p[0..n) after the kept tail (lock held). */
static void output_locked(struct cast *c, const unsigned char *p, size_t n, bool final)
{
	size_t start, left;

	sb_reset(&c->in);
	sb_putn(&c->in, (const char *)c->tail, c->ntail);
	if (n > 0)
		sb_putn(&c->in, (const char *)p, n);
	c->ntail = 0;
	if (c->in.len == 0)
		return;
	sb_reset(&c->line);
	sb_printf(&c->line, "[%.6f, \"o\", \"", elapsed(c));
	start = c->line.len;
	left = json_utf8(&c->line, (const unsigned char *)c->in.buf, c->in.len, final);
	memcpy(c->tail, c->in.buf + c->in.len - left, left);
	c->ntail = left;
	if (c->line.len == start)
		return;           /* only a cut sequence so far */
	sb_puts(&c->line, "\"]\n");
	put_line(c);
}

struct cast *cast_begin(FILE *rec, int w, int h)
{
	struct cast *c = xcalloc(1, sizeof(*c));

	c->rec = rec;
	c->w = w;
	c->h = h;
	c->master = c->term = -1;
	c->wake[0] = c->wake[1] = -1;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	pthread_mutex_init(&c->lock, NULL);
	sb_printf(&c->line, "{\"version\": 2, \"width\": %d, \"height\": %d, \"timestamp\": %lld, "
		  "\"env\": {\"SHELL\": ", w, h, (long long)time(NULL));
	json_str(&c->line, getenv("SHELL"));
	sb_puts(&c->line, ", \"TERM\": ");
	json_str(&c->line, getenv("TERM"));
	sb_puts(&c->line, "}}\n");
	put_line(c);
	return c;
}

void cast_output(struct cast *c, const void *buf, size_t n)
{
	if (n == 0)
		return;
	pthread_mutex_lock(&c->lock);
	output_locked(c, buf, n, false);
	pthread_mutex_unlock(&c->lock);
}

void cast_resize(struct cast *c, int w, int h)
{
	pthread_mutex_lock(&c->lock);
	c->w = w;
	c->h = h;
	if (c->teeing && !c->term_tty) {
		/* no terminal to follow (tests, benchmarks): the pty takes the size */
		struct winsize ws = { .ws_row = (unsigned short)h, .ws_col = (unsigned short)w };
		ioctl(c->master, TIOCSWINSZ, &ws);
	}
	sb_reset(&c->line);
	sb_printf(&c->line, "[%.6f, \"r\", \"%dx%d\"]\n", elapsed(c), w, h);
	put_line(c);
	pthread_mutex_unlock(&c->lock);
}

/* All of buf to fd: partial writes, EINTR, a non-blocking fd.  0 or -1. */
static int write_all(int fd, const unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = { .fd = fd, .events = POLLOUT };
			poll(&pf, 1, 1000);
			continue;
		}
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Curses changed the slave's modes: term gets them (not its line settings). */
static void mirror_modes(struct cast *c)
{
	struct termios s, t;

	if (!c->term_tty || tcgetattr(c->master, &s) != 0 || tcgetattr(c->term, &t) != 0)
		return;
	t.c_iflag = s.c_iflag;
	t.c_oflag = s.c_oflag;
	t.c_lflag = s.c_lflag & ~(tcflag_t)EXTPROC;
	memcpy(t.c_cc, s.c_cc, sizeof(t.c_cc));
	tcsetattr(c->term, TCSANOW, &t);
}

/* SIGWINCH: the pty takes term's size, then whoever was there before us
 * (curses) runs and asks the pty. */
static void winch(int sig, siginfo_t *si, void *uc)
{
	int e = errno;
	struct winsize ws;

	if (winch_term >= 0 && ioctl(winch_term, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		ioctl(winch_master, TIOCSWINSZ, &ws);
	errno = e;
	if (winch_next.sa_flags & SA_SIGINFO) {
		if (winch_next.sa_sigaction != NULL)
			winch_next.sa_sigaction(sig, si, uc);
	} else if (winch_next.sa_handler != SIG_DFL && winch_next.sa_handler != SIG_IGN) {
		winch_next.sa_handler(sig);
	}
}

/*
 * Put our SIGWINCH handler in front of the one there now, once curses has
 * installed its own (in newterm, which comes after cast_tee: curses only
 * installs one over SIG_DFL, so ours cannot go first).  Checked after
 * every read of the master until it is done.
 */
static void winch_wrap(void)
{
	struct sigaction cur, ours;

	if (winch_wrapped || sigaction(SIGWINCH, NULL, &cur) != 0)
		return;
	if (!(cur.sa_flags & SA_SIGINFO) &&
	    (cur.sa_handler == SIG_DFL || cur.sa_handler == SIG_IGN))
		return;
	winch_next = cur;
	ours = cur;
	ours.sa_flags |= SA_SIGINFO;
	ours.sa_sigaction = winch;
	if (sigaction(SIGWINCH, &ours, NULL) == 0)
		winch_wrapped = true;
}

/* Take our handler out of the chain if it is still the one installed. */
static void winch_unwrap(void)
{
	struct sigaction cur;

	if (winch_wrapped && sigaction(SIGWINCH, NULL, &cur) == 0 &&
	    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == winch)
		sigaction(SIGWINCH, &winch_next, NULL);
	winch_wrapped = false;
	winch_term = winch_master = -1;
}

/*
 * The relay: master -> term + recording, modes -> term.  Ends at EIO
 * (every slave fd closed and all read), or when cast_end asks and the
 * master has been quiet for QUIET_MS.
 */
static void *relay(void *arg)
{
	struct cast *c = arg;
	unsigned char buf[1 + 16384];
	bool ending = false;

	for (;;) {
		struct pollfd pf[2] = {
			{ .fd = c->master, .events = POLLIN },
			{ .fd = c->wake[0], .events = POLLIN },
		};
		ssize_t n;
		int r = poll(pf, ending ? 1 : 2, ending ? QUIET_MS : -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!ending && (pf[1].revents & POLLIN))
			ending = true;
		if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(c->master, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (buf[0] == TIOCPKT_DATA && n > 1) {
			write_all(c->term, buf + 1, (size_t)n - 1);
			cast_output(c, buf + 1, (size_t)n - 1);
		} else if (buf[0] & TIOCPKT_IOCTL) {
			mirror_modes(c);
		}
		winch_wrap();
	}
	return NULL;
}

/* Open a pty master and its slave (both close-on-exec); 0 or -1. */
static int open_pty(int *master, int *slave)
{
	char name[128];
	int one = 1;

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*master < 0)
		return -1;
	if (grantpt(*master) != 0 || unlockpt(*master) != 0 ||
	    ptsname_r(*master, name, sizeof(name)) != 0 ||
	    (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
	    ioctl(*master, TIOCPKT, &one) != 0) {
		close(*master);
		return -1;
	}
	return 0;
}

/* The slave starts as term is (or the pty's defaults without output
 * processing), EXTPROC set so its mode changes are reported; its size is
 * term's, else the recording's. */
static void setup_slave(struct cast *c)
{
	struct termios t;
	struct winsize ws = { .ws_row = (unsigned short)c->h, .ws_col = (unsigned short)c->w };
	struct winsize tw;

	c->term_tty = tcgetattr(c->term, &c->term_orig) == 0;
	if (c->term_tty) {
		t = c->term_orig;
	} else {
		tcgetattr(c->master, &t);
		t.c_oflag &= ~(tcflag_t)OPOST;  /* no terminal: bytes pass as written */
	}
	t.c_lflag |= EXTPROC;
	tcsetattr(c->master, TCSANOW, &t);
	if (ioctl(c->term, TIOCGWINSZ, &tw) == 0 && tw.ws_row > 0 && tw.ws_col > 0)
		ws = tw;
	ioctl(c->master, TIOCSWINSZ, &ws);
}

FILE *cast_tee(struct cast *c, int term)
{
	sigset_t all, old;
	FILE *f;
	int slave;

	if (c->teeing || tee_active)
		return NULL;
	if (open_pty(&c->master, &slave) != 0)
		return NULL;
	c->term = term;
	setup_slave(c);
	f = fdopen(slave, "w");
	if (f == NULL || pipe2(c->wake, O_CLOEXEC) != 0)
		goto fail;
	/* signals go to the main thread (curses' handlers, the tracer) */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&c->thread, NULL, relay, c) != 0) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		goto fail;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	winch_term = term;
	winch_master = c->master;
	c->teeing = tee_active = true;
	return f;
fail:
	if (f != NULL)
		fclose(f);
	else
		close(slave);
	for (int i = 0; i < 2; i++)
		if (c->wake[i] >= 0)
			close(c->wake[i]);
	close(c->master);
	c->master = c->wake[0] = c->wake[1] = -1;
	return NULL;
}

/* Stop the relay (see relay), put term's modes back, close the pty. */
static void tee_end(struct cast *c)
{
	ssize_t r;

	do
		r = write(c->wake[1], "", 1);
	while (r < 0 && errno == EINTR);
	pthread_join(c->thread, NULL);
	winch_unwrap();
	if (c->term_tty)
		tcsetattr(c->term, TCSANOW, &c->term_orig);
	close(c->master);
	close(c->wake[0]);
	close(c->wake[1]);
	c->teeing = tee_active = false;
}

void cast_end(struct cast *c)
{
	if (c == NULL)
		return;
	if (c->teeing)
		tee_end(c);
	pthread_mutex_lock(&c->lock);
	output_locked(c, NULL, 0, true);   /* a cut sequence left: U+FFFD */
	fflush(c->rec);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_destroy(&c->lock);
	sb_free(&c->in);
	sb_free(&c->line);
	free(c);
}
