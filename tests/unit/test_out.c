/* test_out.c - the JSON and text views on hand-built snapshots, and the
 * event kind names / --stop-on parser.  The JSON lines are also checked by
 * Python's json module (skipped if python3 is missing), including the
 * surrogateescape round trip of a path that is not UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "event.h"
#include "out.h"

/* The path of the start record: quote, backslash, a control byte, 0xff. */
static const char weird_path[] = "/tmp/a \"q\" \\ \x01 \xff/prog";

/* Two regions with sections, as space_read would leave them. */
struct fake {
	struct space sp;
	struct region regions[2];
	struct section_span text_secs[2], stack_secs[1];
};

/* Fill f with a text region (2 sections) and a stack region (1 section). */
static void fake_space(struct fake *f)
{
	memset(f, 0, sizeof *f);
	f->text_secs[0] = (struct section_span){ ".init", 0x555555555000, 0x55555555501b };
	f->text_secs[1] = (struct section_span){ ".text", 0x555555555040, 0x555555555200 };
	f->stack_secs[0] = (struct section_span){ "n\xffme", 0x7ffffffde000, 0x7ffffffdf000 };
	f->regions[0] = (struct region){
		.start = 0x555555555000, .end = 0x555555556000, .offset = 0x1000,
		.perms = "r-xp", .path = "/tmp/prog", .kind = RK_TEXT, .rss_kb = 4,
		.sections = f->text_secs, .nsections = 2,
	};
	f->regions[1] = (struct region){
		.start = 0x7ffffffde000, .end = 0x7ffffffff000, .offset = 0,
		.perms = "rw-p", .path = "", .kind = RK_STACK, .rss_kb = 12,
		.sections = f->stack_secs, .nsections = 1,
	};
	f->sp.regions = f->regions;
	f->sp.n = 2;
	f->sp.minflt = 120;
	f->sp.majflt = 1;
	f->sp.vsz_kb = 2560;
	f->sp.rss_kb = 1024;
}

/* A snapshot of malloc(24) returning 0x5555555592a0, called from main+0x1c. */
static void malloc_snap(struct snapshot *s, const struct space *sp, struct thread_state *th)
{
	memset(s, 0, sizeof *s);
	s->seq = 3;
	s->pid = 812;
	s->fields = FIELD_ALL;
	s->ev.kind = EV_MALLOC;
	s->ev.pid = s->ev.tid = 812;
	s->ev.fn = "malloc";
	s->ev.args[0] = 24;
	s->ev.nargs = 1;
	s->ev.has_ret = true;
	s->ev.ret = 0x5555555592a0;
	s->at = (struct code_loc){ "main", 0x1c, "demos/h.c", 21, "/tmp/prog" };
	s->space = sp;
	memset(th, 0, sizeof *th);
	th->tid = 812;
	th->pc = 0x7ffff7e5a0f0;
	th->sp = 0x7fffffffe3a8;
	s->threads = th;
	s->nthreads = 1;
}

/* Run a writer into a temp file; the text written (heap) or NULL. */
static char *render(int (*wr)(FILE *, const struct snapshot *, struct strbuf *),
		    const struct snapshot *s)
{
	struct strbuf sb = { 0 };
	FILE *f = tmpfile();
	char *buf = NULL;
	long n;

	if (!f || wr(f, s, &sb) != 0)
		return NULL;
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	sb_free(&sb);
	return buf;
}

/* CHECK that hay contains needle, saying which. */
#define HAS(hay, needle) do { if (!strstr((hay), (needle))) { \
	fprintf(stderr, "%s:%d: missing %s in\n%s\n", __FILE__, __LINE__, (needle), (hay)); \
	check_failures++; } } while (0)
#define HASNT(hay, needle) do { if (strstr((hay), (needle))) { \
	fprintf(stderr, "%s:%d: unexpected %s in\n%s\n", __FILE__, __LINE__, (needle), (hay)); \
	check_failures++; } } while (0)

/* The malloc record: exact event, all parts in order, one line. */
static void test_json_malloc(const struct space *sp, FILE *all)
{
	struct snapshot s;
	struct thread_state th;
	char *j;

	malloc_snap(&s, sp, &th);
	j = render(out_json_write, &s);
	CHECK(j != NULL);
	if (!j)
		return;
	fputs(j, all);
	CHECK(strchr(j, '\n') == j + strlen(j) - 1);
	HAS(j, "{\"seq\":3,\"pid\":812,\"tid\":812,\"event\":{\"kind\":\"malloc\",\"fn\":\"malloc\","
	       "\"args\":[\"24\"],\"ret\":\"0x5555555592a0\",\"at\":{\"fn\":\"main\",\"off\":28,"
	       "\"file\":\"demos/h.c\",\"line\":21,\"object\":\"/tmp/prog\"}},\"space\":{\"regions\":[");
	HAS(j, "{\"start\":\"0x555555555000\",\"end\":\"0x555555556000\",\"perms\":\"r-xp\","
	       "\"offset\":\"0x1000\",\"path\":\"/tmp/prog\",\"kind\":\"text\",\"rss_kb\":4,"
	       "\"sections\":[{\"name\":\".init\",\"start\":\"0x555555555000\",\"end\":\"0x55555555501b\"},"
	       "{\"name\":\".text\",");
	HAS(j, "\"path\":\"\",\"kind\":\"stack\"");
	HAS(j, "\"name\":\"n\\udcffme\"");
	HAS(j, "],\"minflt\":120,\"majflt\":1,\"vsz_kb\":2560,\"rss_kb\":1024},"
	       "\"stack\":{\"threads\":[{\"tid\":812,\"pc\":\"0x7ffff7e5a0f0\",\"sp\":\"0x7fffffffe3a8\","
	       "\"frames\":[]}]},\"heap\":{\"model\":\"none\",\"arenas\":[],\"changes\":[]},"
	       "\"diagnostics\":[]}\n");
	free(j);

	/* an unknown location: "at" is empty, no "off" without "fn" */
	s.at = (struct code_loc){ 0 };
	s.fields = FIELD_EVENT;
	j = render(out_json_write, &s);
	CHECK(j && strstr(j, "\"at\":{}}}\n"));
	free(j);
}

/* --fields subsets leave the other parts out. */
static void test_json_fields(const struct space *sp)
{
	struct snapshot s;
	struct thread_state th;
	char *j;

	malloc_snap(&s, sp, &th);
	s.fields = FIELD_EVENT;
	j = render(out_json_write, &s);
	CHECK(j && strstr(j, "\"event\""));
	CHECK(j && !strstr(j, "\"space\":{") && !strstr(j, "\"stack\":{") &&
	      !strstr(j, "\"heap\":{") && !strstr(j, "\"diagnostics\":"));
	free(j);

	s.fields = FIELD_SPACE | FIELD_DIAG;
	j = render(out_json_write, &s);
	CHECK(j && !strstr(j, "\"event\":{") && strstr(j, "\"space\":{") &&
	      !strstr(j, "\"stack\":{") && strstr(j, "\"diagnostics\":[]}"));
	free(j);

	s.fields = FIELD_SPACE;               /* no space taken: omitted */
	s.space = NULL;
	j = render(out_json_write, &s);
	CHECK(j != NULL);
	if (j)
		CHECK_STR(j, "{\"seq\":3,\"pid\":812,\"tid\":812}\n");
	free(j);

	s.fields = 0;
	s.ev.tid = 0;                         /* unknown tid: the pid */
	j = render(out_json_write, &s);
	CHECK(j != NULL);
	if (j)
		CHECK_STR(j, "{\"seq\":3,\"pid\":812,\"tid\":812}\n");
	free(j);
}

/* Only the event part of s, as JSON, with the key "event" and braces. */
static char *event_json(struct snapshot *s)
{
	s->fields = FIELD_EVENT;
	return render(out_json_write, s);
}

/* Signal, exit and start records; the argument kinds of syscalls. */
static void test_json_kinds(FILE *all)
{
	struct snapshot s;
	const char *notes[] = { "no debug info for /tmp/prog: degraded view" };
	char *argv[] = { (char *)weird_path, "x\ny", NULL };
	char *j;

	memset(&s, 0, sizeof s);
	s.seq = 7, s.pid = 812;
	s.ev.kind = EV_SIGNAL, s.ev.tid = 813;
	s.ev.signo = 11, s.ev.si_code = 1;
	s.ev.has_fault_addr = true, s.ev.fault_addr = 0;
	s.signal_region = "unmapped";
	s.at = (struct code_loc){ "main", 0x30, NULL, 0, NULL };
	j = event_json(&s);
	CHECK(j != NULL);
	if (j)
		CHECK_STR(j, "{\"seq\":7,\"pid\":812,\"tid\":813,\"event\":{\"kind\":\"signal\","
			  "\"signal\":\"SIGSEGV\",\"signo\":11,\"code\":1,\"addr\":\"0x0\","
			  "\"region\":\"unmapped\",\"at\":{\"fn\":\"main\",\"off\":48}}}\n");
	if (j)
		fputs(j, all);
	free(j);
	s.ev.signo = 40;
	j = event_json(&s);
	CHECK(j && strstr(j, "\"signal\":\"SIG40\",\"signo\":40"));
	free(j);

	memset(&s, 0, sizeof s);
	s.seq = 8, s.pid = 812;
	s.ev.kind = EV_EXIT;
	j = event_json(&s);
	CHECK(j && strstr(j, "{\"kind\":\"exit\",\"status\":0,\"at\":{}}"));
	if (j)
		fputs(j, all);
	free(j);
	s.ev.exited_by_signal = true, s.ev.exit_signal = 9;
	j = event_json(&s);
	CHECK(j && strstr(j, "{\"kind\":\"exit\",\"signal\":\"SIGKILL\",\"signo\":9,\"core\":false,"));
	free(j);

	memset(&s, 0, sizeof s);
	s.seq = 1, s.pid = 812;
	s.ev.kind = EV_START;
	s.program = weird_path;
	s.argv = argv;
	j = event_json(&s);
	CHECK(j && strstr(j, "{\"kind\":\"start\",\"v\":1,\"program\":"
			  "\"/tmp/a \\\"q\\\" \\\\ \\u0001 \\udcff/prog\",\"argv\":["
			  "\"/tmp/a \\\"q\\\" \\\\ \\u0001 \\udcff/prog\",\"x\\ny\"],\"notes\":[],"));
	if (j)
		fputs(j, all);
	free(j);
	s.notes = notes, s.nnotes = 1, s.argv = NULL;
	j = event_json(&s);
	CHECK(j && strstr(j, "\"argv\":[],\"notes\":[\"no debug info for /tmp/prog: degraded view\"]"));
	free(j);

	memset(&s, 0, sizeof s);
	s.ev.kind = EV_MMAP, s.ev.fn = "mmap", s.ev.nargs = 6;
	s.ev.args[1] = 4096, s.ev.args[2] = 3, s.ev.args[3] = 0x22;
	s.ev.args[4] = 0xffffffff, s.ev.has_ret = true, s.ev.ret = 0x7ffff7fbd000;
	j = event_json(&s);
	CHECK(j && strstr(j, "\"args\":[\"0x0\",\"4096\",\"0x3\",\"0x22\",\"-1\",\"0x0\"],"
			  "\"ret\":\"0x7ffff7fbd000\""));
	free(j);
	s.ev.kind = EV_BRK, s.ev.fn = "sbrk", s.ev.nargs = 1;
	s.ev.args[0] = (uint64_t)-4096, s.ev.ret = 0x555555559000;
	j = event_json(&s);
	CHECK(j && strstr(j, "\"args\":[\"-4096\"],\"ret\":\"0x555555559000\""));
	free(j);
	s.ev.fn = "brk", s.ev.args[0] = 0x55555557a000, s.ev.ret = (uint64_t)-1;
	j = event_json(&s);
	CHECK(j && strstr(j, "\"args\":[\"0x55555557a000\"],\"ret\":\"-1\""));
	free(j);
	s.ev.kind = EV_MEMALIGN, s.ev.fn = "posix_memalign", s.ev.nargs = 3;
	s.ev.args[0] = 0x7fffffffe3a0, s.ev.args[1] = 64, s.ev.args[2] = 100;
	s.ev.ret = 0x5555555596c0, s.ev.rc = 0;
	j = event_json(&s);
	CHECK(j && strstr(j, "\"args\":[\"0x7fffffffe3a0\",\"64\",\"100\"],"
			  "\"ret\":\"0x5555555596c0\",\"rc\":0,"));
	free(j);
	s.ev.kind = EV_FREE, s.ev.fn = NULL, s.ev.nargs = 1, s.ev.args[0] = 0x5555555592a0;
	j = event_json(&s);
	CHECK(j && strstr(j, "\"kind\":\"free\",\"args\":[\"0x5555555592a0\"],\"at\""));
	free(j);
}

/* Python's json module parses every line, the keys come in order, and the
 * start record's program gives back the exact bytes via surrogateescape. */
static void test_json_python(const char *path)
{
	static const char script[] =
		"import json,sys\n"
		"want=bytes.fromhex(sys.argv[2])\n"
		"order=['seq','pid','tid','event','space','stack','heap','diagnostics']\n"
		"starts=0\n"
		"for raw in open(sys.argv[1],'rb'):\n"
		"    assert raw.endswith(b'\\n') and raw.count(b'\\n')==1\n"
		"    r=json.loads(raw.decode('utf-8'))\n"
		"    keys=list(r)\n"
		"    assert keys==[k for k in order if k in keys], keys\n"
		"    ev=r.get('event',{})\n"
		"    if ev.get('kind')=='start':\n"
		"        got=ev['program'].encode('utf-8','surrogateescape')\n"
		"        assert got==want,(got,want)\n"
		"        assert ev['argv'][0].encode('utf-8','surrogateescape')==want\n"
		"        starts+=1\n"
		"    if 'space' in r:\n"
		"        assert r['space']['regions'][1]['sections'][0]['name']"
		".encode('utf-8','surrogateescape')==b'n\\xffme'\n"
		"assert starts==1\n";
	char hex[2 * sizeof weird_path + 1], *cmd;
	size_t i;
	int rc;

	if (system("command -v python3 >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test_out: python3 missing, JSON parse check skipped\n");
		return;
	}
	for (i = 0; i < sizeof weird_path - 1; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)weird_path[i]);
	cmd = xasprintf("python3 -c \"$MEMVIZ_TEST_PY\" '%s' %s", path, hex);
	setenv("MEMVIZ_TEST_PY", script, 1);
	rc = system(cmd);
	CHECK(rc == 0);
	free(cmd);
}

/* Text view: header lines, high addresses first, sections indented, ASCII only. */
static void test_text(const struct space *sp)
{
	struct snapshot s;
	struct thread_state th;
	char *t, *p;

	malloc_snap(&s, sp, &th);
	t = render(out_text_write, &s);
	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(strncmp(t, "#3 malloc(24) = 0x5555555592a0  at main+0x1c (demos/h.c:21) (tid 812)\n",
		      70) == 0);
	HAS(t, "  7ffffffde000-7ffffffff000 rw-p   132K  rss    12K  stack\n");
	HAS(t, "      n\\xffme              7ffffffde000-7ffffffdf000     4K\n");
	HAS(t, "  555555555000-555555556000 r-xp     4K  rss     4K  text     /tmp/prog\n");
	HAS(t, "      .text                555555555040-555555555200   448B\n");
	HAS(t, "vsz 2.5M, rss 1M, faults 120 minor / 1 major");
	CHECK(strstr(t, "7ffffffde000-") < strstr(t, "555555555000-"));
	CHECK(strstr(t, ".text") < strstr(t, ".init"));
	CHECK(strlen(t) > 2 && strcmp(t + strlen(t) - 2, "\n\n") == 0);
	for (p = t; *p; p++)
		CHECK((*p >= 0x20 && *p < 0x7f) || *p == '\n');
	free(t);

	s.fields = FIELD_EVENT;
	s.ev.kind = EV_FREE, s.ev.fn = "free", s.ev.has_ret = false;
	t = render(out_text_write, &s);
	CHECK(t != NULL);
	if (t)
		CHECK_STR(t, "#3 free(0x18)  at main+0x1c (demos/h.c:21) (tid 812)\n\n");
	free(t);

	memset(&s, 0, sizeof s);
	s.fields = FIELD_ALL, s.seq = 9, s.pid = 5;
	s.ev.kind = EV_SIGNAL, s.ev.signo = 11, s.ev.has_fault_addr = true;
	s.signal_region = "unmapped";
	t = render(out_text_write, &s);
	CHECK(t != NULL);
	if (t)
		CHECK_STR(t, "#9 SIGSEGV at 0x0 (unmapped) (tid 5)\n\n");
	free(t);

	s.ev.kind = EV_EXIT, s.ev.exited_by_signal = true, s.ev.exit_signal = 9;
	t = render(out_text_write, &s);
	CHECK(t && strncmp(t, "#9 killed by SIGKILL (tid 5)\n", 29) == 0);
	free(t);
	s.ev.exited_by_signal = false, s.ev.exit_code = 3;
	t = render(out_text_write, &s);
	CHECK(t && strncmp(t, "#9 exited with status 3 (tid 5)\n", 32) == 0);
	free(t);

	s.ev.kind = EV_START, s.program = weird_path;
	t = render(out_text_write, &s);
	CHECK(t != NULL);
	if (t)
		CHECK_STR(t, "#9 start: /tmp/a \"q\" \\\\ \\x01 \\xff/prog (pid 5) (tid 5)\n\n");
	free(t);
}

/* A frame with a saved register and two variables, one a pointer: the
 * stack contract's keys, exactly, in JSON and in the text view. */
static void test_stack_frame(const struct space *sp)
{
	struct snapshot s;
	struct thread_state th;
	struct uw_frame fr;
	struct var_info v[2];
	struct var_list vl = { v, 2, 2 };
	char *j;

	malloc_snap(&s, sp, &th);
	s.fields = FIELD_STACK;
	memset(&fr, 0, sizeof fr);
	fr.pc = 0x555555555189, fr.sp = 0x7fffffffe300, fr.cfa = 0x7fffffffe330;
	fr.ret_addr = 0x5555555551f0, fr.ret_slot = 0x7fffffffe328;
	fr.how = UW_CFI;
	fr.saved[0] = (struct uw_saved){ DW_REG_RBP, 0x7fffffffe320 };
	fr.nsaved = 1;
	fr.loc.fn = "middle", fr.loc.file = "demos/stack_frames.c", fr.loc.line = 68;
	memset(v, 0, sizeof v);
	v[0] = (struct var_info){ .name = "x", .kind = DWV_PARAM, .type = "int", .has_addr = true,
				  .addr = 0x7fffffffe31c, .reg = -1, .size = 4, .value = "111" };
	v[1] = (struct var_info){ .name = "p", .kind = DWV_LOCAL, .type = "char *", .reg = 0,
				  .size = 8, .value = "0x5555555592a0 \"hi\"", .is_ptr = true,
				  .ptr = 0x5555555592a0, .points_to = "heap chunk 0x555555559290 (in use)",
				  .points_kind = "heap" };
	th.has_stack = true;
	th.stack.frames = &fr;
	th.stack.n = 1;
	th.stack.end = "outermost";
	th.vars = &vl;
	j = render(out_json_write, &s);
	CHECK(j != NULL);
	if (j)
		HAS(j, "\"stack\":{\"threads\":[{\"tid\":812,\"pc\":\"0x7ffff7e5a0f0\","
		    "\"sp\":\"0x7fffffffe3a8\",\"end\":\"outermost\",\"frames\":[{\"fn\":\"middle\","
		    "\"file\":\"demos/stack_frames.c\",\"line\":68,\"object\":null,"
		    "\"pc\":\"0x555555555189\",\"sp\":\"0x7fffffffe300\",\"cfa\":\"0x7fffffffe330\","
		    "\"ret_addr\":\"0x5555555551f0\",\"ret_slot\":\"0x7fffffffe328\",\"how\":\"cfi\","
		    "\"saved\":[{\"reg\":\"rbp\",\"slot\":\"0x7fffffffe320\"}],"
		    "\"vars\":[{\"name\":\"x\",\"kind\":\"param\",\"type\":\"int\","
		    "\"addr\":\"0x7fffffffe31c\",\"size\":4,\"value\":\"111\"},"
		    "{\"name\":\"p\",\"kind\":\"local\",\"type\":\"char *\",\"addr\":null,"
		    "\"reg\":\"rax\",\"size\":8,\"value\":\"0x5555555592a0 \\\"hi\\\"\","
		    "\"points_to\":\"heap chunk 0x555555559290 (in use)\",\"points_kind\":\"heap\"}]}]}]}");
	free(j);
	j = render(out_text_write, &s);
	CHECK(j != NULL);
	if (j) {
		HAS(j, "    #0 middle (demos/stack_frames.c:68)  frame 0x7fffffffe300-0x7fffffffe330"
		    "  ret 0x5555555551f0 @0x7fffffffe328\n");
		HAS(j, "        saved rbp@0x7fffffffe320\n");
		HAS(j, "x = 111");
		HAS(j, "-> heap chunk 0x555555559290 (in use)");
	}
	free(j);
}

/* Writing to a full device reports the error: at once on an unbuffered
 * stream, at the flush on a buffered one (the session flushes). */
static void test_write_error(const struct space *sp)
{
	struct snapshot s;
	struct thread_state th;
	struct strbuf sb = { 0 };
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		return;
	malloc_snap(&s, sp, &th);
	CHECK(out_json_write(f, &s, &sb) == 0);
	CHECK(fflush(f) != 0);
	fclose(f);
	f = fopen("/dev/full", "w");
	if (!f)
		return;
	setvbuf(f, NULL, _IONBF, 0);
	CHECK(out_json_write(f, &s, &sb) == -1);
	CHECK(out_text_write(f, &s, &sb) == -1);
	fclose(f);
	sb_free(&sb);
}

/* Kind names, classes, and the --stop-on parser. */
static void test_event(void)
{
	unsigned mask = 0;
	char *bad = NULL;

	CHECK_STR(event_kind_name(EV_START), "start");
	CHECK_STR(event_kind_name(EV_MEMALIGN), "memalign");
	CHECK_STR(event_kind_name(EV_MREMAP), "mremap");
	CHECK_STR(event_kind_name(EV_DETACH), "detach");
	CHECK_EQ_U(event_kind_class(EV_CALLOC), STOP_HEAP);
	CHECK_EQ_U(event_kind_class(EV_RETURN), STOP_RETURN);
	CHECK_EQ_U(event_kind_class(EV_MUNMAP), STOP_SYSCALL);
	CHECK_EQ_U(event_kind_class(EV_EXIT), STOP_EXIT);
	CHECK_EQ_U(event_kind_class(EV_BREAK), 0);
	CHECK(event_parse_stop_on("heap,signal,exit", &mask, &bad) == 0);
	CHECK_EQ_U(mask, STOP_HEAP | STOP_SIGNAL | STOP_EXIT);
	CHECK(event_parse_stop_on("all", &mask, &bad) == 0);
	CHECK_EQ_U(mask, 0x7f);
	CHECK(event_parse_stop_on("syscall", &mask, &bad) == 0);
	CHECK_EQ_U(mask, STOP_SYSCALL);
	CHECK(event_parse_stop_on("heap,bogus", &mask, &bad) == -1);
	CHECK_STR(bad, "bogus");
	free(bad);
	CHECK(event_parse_stop_on("heap,,exit", &mask, &bad) == -1);
	CHECK_STR(bad, "");
	free(bad);
	CHECK(event_parse_stop_on("", &mask, &bad) == -1);
	free(bad);
	CHECK(event_parse_stop_on("heaps", &mask, &bad) == -1);
	CHECK_STR(bad, "heaps");
	free(bad);
}

int main(void)
{
	struct fake fk;
	char path[] = "/tmp/memviz_test_out_XXXXXX";
	int fd = mkstemp(path);
	FILE *all = fd >= 0 ? fdopen(fd, "w") : NULL;

	CHECK(all != NULL);
	if (!all)
		CHECK_DONE();
	fake_space(&fk);
	test_event();
	test_json_malloc(&fk.sp, all);
	test_json_fields(&fk.sp);
	test_json_kinds(all);
	fclose(all);
	test_json_python(path);
	unlink(path);
	test_text(&fk.sp);
	test_stack_frame(&fk.sp);
	test_write_error(&fk.sp);
	CHECK_DONE();
}
