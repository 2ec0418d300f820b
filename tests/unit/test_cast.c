/*
 * test_cast.c - the asciicast v2 recorder.
 *
 *  - escaping: known bytes (escape sequences, quotes, control bytes, box
 *    characters split across writes, ill-formed UTF-8) recorded with
 *    cast_output; every line read back (header, [t, "o", data] events with
 *    non-decreasing times, each event valid UTF-8 on its own), the data
 *    equal to what was written with U+FFFD where asciinema puts one, and
 *    the same checked by Python's json module against Python's own
 *    decoder (errors="replace", what asciinema's recorder uses);
 *  - the tee: the same bytes through cast_tee's stream to a file: the file
 *    gets them exactly, the recording as above; cast_end with the stream
 *    still open returns soon, with what was written;
 *  - curses: newterm on the tee (term /dev/null): the size curses sees is
 *    the recording's, the strings drawn are in the recording;
 *  - a real terminal (a pty of the test's own as term): cbreak/noecho
 *    reach it, a key typed there reaches curses, a resize gives KEY_RESIZE
 *    with the new size, and cast_end puts its modes back;
 *  - `asciinema cat` (if installed, `make deps`) on the recordings prints
 *    exactly the expected bytes / the strings drawn.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "json_ref.h"
#include "out_cast.h"
#include "util.h"

#define F "\xef\xbf\xbd"          /* U+FFFD */

struct piece {
	const char *s;
	size_t n;
};
#define P(lit) { lit, sizeof(lit) - 1 }

/* What a program writes, in pieces (each one write). */
static const struct piece pieces[] = {
	P("plain \"quoted\" back\\slash\n"),
	P("\x1b[1;31mred\x1b[0m\r\n\t|\x01\x7f|"),
	P("\xe2\x94"),                      /* U+250C cut after 2 bytes */
	P("\x8c\xe2"),                      /* ... its end; U+2500 begins */
	P("\x94\x80\xe2\x94\x90"),          /* U+2500's end, U+2510 whole */
	P("bad:\xff|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|"),
	P("\xe2\x94"),                      /* cut, and then not continued */
	P("A"),
	P("\xf0"),                          /* U+1F600 cut after 1 byte */
	P("\x9f\x98\x80 ok"),
	P("end\xe2\x94"),                   /* cut by the end of the recording */
};

/* The text asciinema shows for them: each maximal ill-formed subpart is
 * one U+FFFD (0xc0 and 0xaf two; 0xed 0xa0 0x80 three: 0xed cannot be
 * followed by 0xa0; 0xf4 0x90 ... four: beyond U+10FFFF). */
static const char expect_text[] =
	"plain \"quoted\" back\\slash\n"
	"\x1b[1;31mred\x1b[0m\r\n\t|\x01\x7f|"
	"\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x90"
	"bad:" F "|" F F "|" F F F "|" F F F F "|"
	F "A"
	"\xf0\x9f\x98\x80 ok"
	"end" F;

/* All pieces as one byte string (heap). */
static char *all_pieces(size_t *len)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < ARRAY_LEN(pieces); i++)
		sb_putn(&sb, pieces[i].s, pieces[i].n);
	*len = sb.len;
	return sb.buf;
}

/* A recording read back. */
struct parsed {
	int width, height;
	int nout, nresize, bad;   /* events; lines that did not parse */
	struct strbuf out;        /* the "o" data, decoded, concatenated */
	char last_resize[32];
};

/* Check one event line [t, "x", "..."]; adds its data to p. */
static void parse_event(struct parsed *p, const char *line, size_t n, double *last_t)
{
	double t;
	char type = 0;
	int off = 0;
	uint8_t *dec;
	long m;

	if (sscanf(line, "[%lf, \"%c\", %n", &t, &type, &off) != 2 || off == 0 ||
	    n < (size_t)off + 2 || line[n - 2] != '"' || line[n - 1] != ']') {
		fprintf(stderr, "bad event line: %.*s\n", (int)n, line);
		p->bad++;
		return;
	}
	CHECK(t >= *last_t);
	*last_t = t;
	dec = malloc(n);
	m = ref_json_decode((const uint8_t *)line + off, n - (size_t)off - 1, dec);
	if (m < 0) {
		fprintf(stderr, "bad JSON string (or not UTF-8 on its own): %.*s\n", (int)n, line);
		p->bad++;
	} else if (type == 'o') {
		sb_putn(&p->out, (const char *)dec, (size_t)m);
		p->nout++;
	} else if (type == 'r') {
		snprintf(p->last_resize, sizeof(p->last_resize), "%.*s", (int)m, (const char *)dec);
		p->nresize++;
	} else {
		p->bad++;
	}
	free(dec);
}

/* Read the recording at path: header, then events. */
static void parse_cast(const char *path, struct parsed *p)
{
	size_t len = 0;
	char *text = util_read_file(path, &len), *s, *nl;
	double last_t = 0;

	memset(p, 0, sizeof(*p));
	sb_puts(&p->out, "");
	CHECK(text != NULL && len > 0 && text[len - 1] == '\n');
	if (text == NULL)
		return;
	nl = strchr(text, '\n');
	CHECK(nl != NULL && sscanf(text, "{\"version\": 2, \"width\": %d, \"height\": %d, "
				  "\"timestamp\": ", &p->width, &p->height) == 2);
	CHECK(nl != NULL && strstr(text, "\"env\": {\"SHELL\": ") < nl && nl[-1] == '}');
	for (s = nl ? nl + 1 : text + len; s < text + len; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			break;
		parse_event(p, s, (size_t)(nl - s), &last_t);
	}
	free(text);
}

/* A temp file path (heap); the file exists, empty. */
static char *temp_path(const char *tag)
{
	char *path = xasprintf("%s/memviz-cast-%s.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", tag);
	int fd = mkstemp(path);

	if (fd < 0) {
		perror("mkstemp");
		exit(1);
	}
	close(fd);
	return path;
}

/* Python's json module reads every line, the header has the size, times
 * do not go back, and the "o" data is Python's own decoding of raw. */
static void check_python(const char *path, const char *raw, size_t n, int w, int h)
{
	static const char script[] =
		"import json,sys\n"
		"raw=bytes.fromhex(sys.argv[2])\n"
		"lines=open(sys.argv[1],'rb').read().split(b'\\n')\n"
		"assert lines[-1]==b''\n"
		"h=json.loads(lines[0].decode('utf-8'))\n"
		"assert h['version']==2 and h['width']==int(sys.argv[3]) and h['height']==int(sys.argv[4])\n"
		"assert isinstance(h['timestamp'],int) and set(h['env'])=={'SHELL','TERM'}\n"
		"t=0.0\n"
		"out=''\n"
		"for l in lines[1:-1]:\n"
		"    e=json.loads(l.decode('utf-8'))\n"
		"    assert isinstance(e,list) and len(e)==3 and isinstance(e[0],float) and e[0]>=t,e\n"
		"    t=e[0]\n"
		"    if e[1]=='o': out+=e[2]\n"
		"want=raw.decode('utf-8','replace')\n"
		"assert out==want,(out,want)\n";
	char *hex = xmalloc(2 * n + 1), *cmd;

	if (system("command -v python3 >/dev/null 2>&1") != 0) {
		printf("python3 missing: JSON check by Python skipped\n");
		free(hex);
		return;
	}
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)raw[i]);
	hex[2 * n] = '\0';
	setenv("MEMVIZ_TEST_PY", script, 1);
	cmd = xasprintf("python3 -c \"$MEMVIZ_TEST_PY\" '%s' %s %d %d", path, hex, w, h);
	CHECK(system(cmd) == 0);
	free(cmd);
	free(hex);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A pty pair; 0 or -1. */
static int pty_pair(int *m, int *s)
{
	*m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*m < 0 || grantpt(*m) || unlockpt(*m))
		return -1;
	*s = open(ptsname(*m), O_RDWR | O_NOCTTY | O_CLOEXEC);
	return *s < 0 ? -1 : 0;
}

static bool have_asciinema(void)
{
	return system("command -v asciinema >/dev/null 2>&1") == 0;
}

/*
 * `asciinema cat path`: its stdout (heap, *len), or NULL.  It opens
 * /dev/tty, so it runs in a session of its own with a pty as controlling
 * terminal; its stdout is a file, so the bytes are not touched by a tty.
 */
static char *asciinema_cat(const char *path, size_t *len)
{
	char *out = temp_path("cat"), *text;
	int m, s, status = -1;
	pid_t pid;

	if (pty_pair(&m, &s) != 0)
		return NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_TRUNC);
		setsid();
		int t = open(ptsname(m), O_RDWR);      /* the controlling tty now */
		if (fd < 0 || t < 0)
			_exit(126);
		dup2(t, 0);
		dup2(fd, 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execlp("asciinema", "asciinema", "cat", path, (char *)NULL);
		_exit(127);
	}
	close(s);
	for (int i = 0; i < 600 && waitpid(pid, &status, WNOHANG) == 0; i++) {
		struct pollfd pf = { .fd = m, .events = POLLIN };
		char junk[4096];
		if (poll(&pf, 1, 50) > 0 && read(m, junk, sizeof(junk)) < 0)
			usleep(50000);
	}
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	close(m);
	text = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? util_read_file(out, len) : NULL;
	if (text == NULL)
		fprintf(stderr, "asciinema cat %s failed (status 0x%x)\n", path, status);
	unlink(out);
	free(out);
	return text;
}

/* asciinema cat path prints exactly want[0..n). */
static void check_asciinema_exact(const char *path, const char *want, size_t n)
{
	size_t len = 0;
	char *got;

	if (!have_asciinema()) {
		printf("asciinema not installed: asciinema cat check skipped (make deps)\n");
		return;
	}
	got = asciinema_cat(path, &len);
	CHECK(got != NULL && len == n && memcmp(got, want, n) == 0);
	if (got && (len != n || memcmp(got, want, n) != 0))
		fprintf(stderr, "asciinema cat: %zu bytes, want %zu\n", len, n);
	free(got);
}

/* The escaping, with cast_output called once per piece. */
static void test_escape(void)
{
	char *path = temp_path("esc"), *raw;
	FILE *rec = fopen(path, "w");
	struct cast *c;
	struct parsed p;
	size_t n;

	CHECK(rec != NULL);
	if (rec == NULL)
		return;
	c = cast_begin(rec, 132, 40);
	for (size_t i = 0; i < ARRAY_LEN(pieces); i++) {
		cast_output(c, pieces[i].s, pieces[i].n);
		if (i == 4)
			cast_resize(c, 100, 30);
	}
	cast_end(c);
	fclose(rec);
	parse_cast(path, &p);
	CHECK(p.width == 132 && p.height == 40);
	CHECK(p.bad == 0);
	/* one event per piece but the three that are only a cut sequence,
	 * plus the final U+FFFD of the sequence cut by the end */
	CHECK_EQ_U(p.nout, ARRAY_LEN(pieces) - 3 + 1);
	CHECK_EQ_U(p.nresize, 1);
	CHECK_STR(p.last_resize, "100x30");
	CHECK_EQ_U(p.out.len, sizeof(expect_text) - 1);
	CHECK(p.out.len == sizeof(expect_text) - 1 &&
	      memcmp(p.out.buf, expect_text, p.out.len) == 0);
	raw = all_pieces(&n);
	check_python(path, raw, n, 132, 40);
	check_asciinema_exact(path, expect_text, sizeof(expect_text) - 1);
	free(raw);
	sb_free(&p.out);
	unlink(path);
	free(path);
}

/* The same bytes through the tee's stream to a file. */
static void test_tee_file(void)
{
	char *path = temp_path("tee"), *tpath = temp_path("term"), *raw, *got;
	FILE *rec = fopen(path, "w"), *tee;
	int term = open(tpath, O_WRONLY | O_TRUNC);
	struct cast *c;
	struct parsed p;
	size_t n, len = 0;

	CHECK(rec != NULL && term >= 0);
	if (rec == NULL || term < 0)
		return;
	c = cast_begin(rec, 80, 24);
	tee = cast_tee(c, term);
	CHECK(tee != NULL);
	if (tee == NULL)
		return;
	CHECK(cast_tee(c, term) == NULL);           /* one tee at a time */
	for (size_t i = 0; i < ARRAY_LEN(pieces); i++) {
		fwrite(pieces[i].s, 1, pieces[i].n, tee);
		fflush(tee);
		usleep(10000);    /* so the thread reads them one by one (mostly) */
	}
	fclose(tee);
	cast_end(c);          /* returns once every byte reached term */
	fclose(rec);
	close(term);
	raw = all_pieces(&n);
	got = util_read_file(tpath, &len);
	CHECK(got != NULL && len == n && memcmp(got, raw, n) == 0);
	parse_cast(path, &p);
	CHECK(p.bad == 0 && p.nout >= 2);
	CHECK(p.out.len == sizeof(expect_text) - 1 &&
	      memcmp(p.out.buf, expect_text, p.out.len) == 0);
	printf("tee: %zu bytes to term, %d output events\n", len, p.nout);
	check_python(path, raw, n, 80, 24);
	free(raw);
	free(got);
	sb_free(&p.out);
	unlink(path);
	unlink(tpath);
	free(path);
	free(tpath);
}

/* cast_end while the stream is still open (a caller that forgot to close
 * it, or a forked child holding the pty): it still returns, soon, with
 * what was written recorded; the stream is then dead but harmless. */
static void test_end_open(void)
{
	char *path = temp_path("open");
	FILE *rec = fopen(path, "w"), *tee;
	int term = open("/dev/null", O_WRONLY);
	struct cast *c = cast_begin(rec, 80, 24);
	struct parsed p;
	double t0;

	tee = cast_tee(c, term);
	CHECK(tee != NULL);
	if (tee == NULL)
		return;
	fputs("still open\n", tee);
	fflush(tee);
	t0 = now_s();
	cast_end(c);
	CHECK(now_s() - t0 < 2.0);
	fputs("after the end\n", tee);
	fclose(tee);                  /* EIO inside, nothing else */
	fclose(rec);
	close(term);
	parse_cast(path, &p);
	CHECK(p.bad == 0);
	CHECK_STR(p.out.buf, "still open\n");
	sb_free(&p.out);
	unlink(path);
	free(path);
}

static const char *const drawn[] = { "memviz cast test", "\xe2\x94\x8c\xe2\x94\x80\xe2\x94\x90 heap",
				     "bold words", "0x55d0c2a4b2c0" };

/* Curses on the tee, term /dev/null: size, and the strings recorded. */
static void test_curses(void)
{
	char *path = temp_path("curses"), *cat;
	FILE *rec = fopen(path, "w"), *tee, *in = fopen("/dev/null", "r");
	int term = open("/dev/null", O_WRONLY);
	struct cast *c;
	struct parsed p;
	SCREEN *scr;
	size_t len;

	CHECK(rec && in && term >= 0);
	c = cast_begin(rec, 100, 30);
	tee = cast_tee(c, term);
	CHECK(tee != NULL);
	if (tee == NULL)
		return;
	scr = newterm("xterm-256color", tee, in);
	CHECK(scr != NULL);
	if (scr == NULL)
		return;
	CHECK(LINES == 30 && COLS == 100);    /* the pty's size: the recording's */
	mvaddstr(1, 2, drawn[0]);
	mvaddstr(5, 10, drawn[1]);
	attron(A_BOLD);
	mvaddstr(10, 40, drawn[2]);
	attroff(A_BOLD);
	mvaddstr(29, 80, drawn[3]);
	refresh();
	endwin();
	delscreen(scr);
	fclose(tee);
	cast_end(c);
	fclose(rec);
	fclose(in);
	close(term);
	parse_cast(path, &p);
	CHECK(p.bad == 0 && p.nout >= 1 && p.width == 100 && p.height == 30);
	for (size_t i = 0; i < ARRAY_LEN(drawn); i++)
		if (strstr(p.out.buf, drawn[i]) == NULL) {
			fprintf(stderr, "not in the recording: %s\n", drawn[i]);
			CHECK(0);
		}
	CHECK(strstr(p.out.buf, "\x1b[?1049h") != NULL);       /* smcup: it is curses' */
	if (have_asciinema()) {
		cat = asciinema_cat(path, &len);
		CHECK(cat != NULL);
		for (size_t i = 0; cat && i < ARRAY_LEN(drawn); i++)
			if (strstr(cat, drawn[i]) == NULL) {
				fprintf(stderr, "not in asciinema cat's output: %s\n", drawn[i]);
				CHECK(0);
			}
		free(cat);
	}
	sb_free(&p.out);
	unlink(path);
	free(path);
}

/* What the test's "terminal" (a pty master) received. */
struct drain {
	int fd;
	pthread_mutex_t lock;
	struct strbuf got;
};

/* Read the master until it ends (the slave closed) or fd is closed. */
static void *drain_main(void *arg)
{
	struct drain *d = arg;
	char buf[4096];

	for (;;) {
		ssize_t n = read(d->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		pthread_mutex_lock(&d->lock);
		sb_putn(&d->got, buf, (size_t)n);
		pthread_mutex_unlock(&d->lock);
	}
	return NULL;
}

/* term's lflag ICANON and ECHO both off, within 2 s? */
static bool wait_raw(int term)
{
	struct termios t;

	for (int i = 0; i < 200; i++) {
		if (tcgetattr(term, &t) == 0 && !(t.c_lflag & (ICANON | ECHO)))
			return true;
		usleep(10000);
	}
	return false;
}

/* A real terminal as term: modes, keys, resize, and the modes put back. */
static void test_terminal(void)
{
	char *path = temp_path("tty");
	FILE *rec = fopen(path, "w"), *tee, *in;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct termios orig, t;
	struct sigaction sa;
	sigset_t mask, old_mask;
	struct drain d = { .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t th;
	struct parsed p;
	struct cast *c;
	SCREEN *scr;
	int term, key;

	if (pty_pair(&d.fd, &term) != 0) {
		printf("no pty: terminal test skipped\n");
		return;
	}
	ioctl(d.fd, TIOCSWINSZ, &ws);
	tcgetattr(term, &orig);
	/* the SIGWINCH raised below is for the main thread, where curses is */
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &mask, &old_mask);
	pthread_create(&th, NULL, drain_main, &d);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	c = cast_begin(rec, 80, 24);
	tee = cast_tee(c, term);
	in = fdopen(dup(term), "r");
	CHECK(tee != NULL && in != NULL);
	if (tee == NULL || in == NULL)
		return;
	scr = newterm("xterm-256color", tee, in);
	CHECK(scr != NULL);
	if (scr == NULL)
		return;
	CHECK(LINES == 24 && COLS == 80);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	mvaddstr(2, 2, "on a terminal");
	refresh();
	/* cbreak and noecho, done on the pty, reach the terminal */
	CHECK(wait_raw(term));
	tcgetattr(term, &t);
	CHECK(!(t.c_lflag & EXTPROC));
	CHECK(!(t.c_oflag & ONLCR));          /* curses' prog mode */
	/* a key typed on the terminal reaches getch without Enter */
	CHECK(write(d.fd, "x", 1) == 1);
	timeout(2000);
	key = getch();
	CHECK_EQ_U(key, 'x');
	/* the terminal grows; the process gets SIGWINCH (raised here: the pty
	 * is not our controlling terminal) and curses the new size */
	ws = (struct winsize){ .ws_row = 40, .ws_col = 120 };
	ioctl(d.fd, TIOCSWINSZ, &ws);
	kill(getpid(), SIGWINCH);
	key = getch();
	CHECK_EQ_U(key, KEY_RESIZE);
	CHECK(LINES == 40 && COLS == 120);
	cast_resize(c, COLS, LINES);
	mvaddstr(39, 100, "bottom right");
	refresh();
	endwin();
	delscreen(scr);
	fclose(tee);
	fclose(in);
	cast_end(c);
	fclose(rec);
	/* the terminal's modes as they were; our SIGWINCH handler gone */
	tcgetattr(term, &t);
	CHECK(t.c_lflag == orig.c_lflag && t.c_iflag == orig.c_iflag && t.c_oflag == orig.c_oflag);
	CHECK(sigaction(SIGWINCH, NULL, &sa) == 0 && !(sa.sa_flags & SA_SIGINFO));
	close(term);
	pthread_join(th, NULL);
	close(d.fd);
	/* what the terminal showed is what was recorded */
	parse_cast(path, &p);
	CHECK(p.bad == 0 && p.nresize == 1);
	CHECK_STR(p.last_resize, "120x40");
	CHECK(strstr(p.out.buf, "on a terminal") && strstr(p.out.buf, "bottom right"));
	sb_putc(&d.got, '\0');
	CHECK(d.got.len == p.out.len + 1 && memcmp(d.got.buf, p.out.buf, p.out.len) == 0);
	printf("terminal: %zu bytes shown, %zu recorded in %d events\n", d.got.len - 1,
	       p.out.len, p.nout);
	sb_free(&d.got);
	sb_free(&p.out);
	unlink(path);
	free(path);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	test_escape();
	test_tee_file();
	test_end_open();
	test_curses();
	test_terminal();
	CHECK_DONE();
}
