/* test_vars.c - the variables of every frame, and the globals, against
 * gdb at the very same stop.
 *
 * Two sample programs (below; compiled at test time into a scratch
 * directory): one at -O0 with variables of every kind of type gdb prints
 * specially (characters and their escapes, UTF-8, wide strings, repeats,
 * the 200-element limit, floats of every format, bit fields, enums and
 * flag enums, anonymous members, nesting past max-depth, flexible arrays,
 * pointers with <symbol>, strings running into unmapped memory, a value
 * past max-value-size ...) in nested blocks under a recursion; one at -O2
 * where parameters live in registers, in DW_OP_piece composites, or are
 * gone and come back as entry values through the caller's call site.
 * Each is run under ptrace to a breakpoint on the line marked STOP (the
 * address dwarfinfo_line_addrs picks, as gdb's `break FILE:LINE`); there
 * vars_frame reads every frame and vars_globals the executable's globals.
 * Then the child is detached into a group-stop and gdb attaches to the
 * same process: `info args` and `info locals` of each physical frame, and
 * for each variable its address, size, pointer value and whatis (Python),
 * and each global through format_string().  Every name and value text,
 * and those, must be gdb's, in gdb's order.  gdb runs in the C.UTF-8
 * locale, whose rules vars.c follows.  Cases: -O0 in the sample, -O2,
 * inside libc's malloc called from printf (libc6-dbg: -O2 library frames),
 * and in a signal handler (the trampoline, a frame interrupted by the
 * signal, a tail call).  Two differences are by design and counted, see
 * compare_frame.  Each case runs in a child process of its own.
 *
 * Also: vars_format's bounds on hand-built type graphs (a typedef cycle,
 * a struct holding itself anonymously, an array of 10^18 elements, the
 * text cap), and the time to unwind and read every variable of a
 * 1,000-deep recursion. */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "debuginfo.h"
#include "space.h"
#include "unwind.h"
#include "vars.h"

static const char sample_O0[] =
	"/* memviz test_vars sample: variables of many types, stopped at STOP. */\n"
	"#include <complex.h>\n"
	"#include <math.h>\n"
	"#include <signal.h>\n"
	"#include <stdbool.h>\n"
	"#include <stdint.h>\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"#include <string.h>\n"
	"#include <sys/mman.h>\n"
	"#include <uchar.h>\n"
	"#include <wchar.h>\n"
	"\n"
	"enum color { RED, GREEN, BLUE };\n"
	"enum flags { FA = 1, FB = 2, FC = 4 };\n"
	"enum mixed { MA = 1, MB = 3 };\n"
	"enum neg { NA = -1, NB = 5 };\n"
	"enum dup { D1 = 1, D1B = 1, D2 = 2 };\n"
	"enum big { BIGV = 0x80000000u };\n"
	"struct inner { int x; short y; };\n"
	"struct outer { struct inner in; const char *name; char tag[4]; double d; int *p; };\n"
	"union u { int i; float f; char c[4]; };\n"
	"struct bits { unsigned a : 3; signed b : 5; unsigned c : 1; int d : 12; bool e : 1;\n"
	"\t      enum color col : 2; char ch : 4; unsigned char uch : 4; long l : 40; };\n"
	"struct anon { int k; union { int ui; float uf; }; struct { short s1, s2; }; };\n"
	"struct an2 { union { struct { union { int deep; }; }; }; };\n"
	"struct flex { int n; char name[]; };\n"
	"struct iflex { int n; int data[]; };\n"
	"struct empty { };\n"
	"struct node { int v; struct node *next; };\n"
	"struct with_p { char *p; int *q; };\n"
	"struct d0 { int v; };\n"
	"struct d1 { struct d0 a; }; struct d2 { struct d1 a; }; struct d3 { struct d2 a; };\n"
	"struct d4 { struct d3 a; }; struct d5 { struct d4 a; }; struct d6 { struct d5 a; };\n"
	"struct d7 { struct d6 a; }; struct d8 { struct d7 a; }; struct d9 { struct d8 a; };\n"
	"struct d10 { struct d9 a; }; struct d11 { struct d10 a; }; struct d12 { struct d11 a; };\n"
	"struct d13 { struct d12 a; }; struct d14 { struct d13 a; }; struct d15 { struct d14 a; };\n"
	"struct d16 { struct d15 a; }; struct d17 { struct d16 a; }; struct d18 { struct d17 a; };\n"
	"struct d19 { struct d18 a; }; struct d20 { struct d19 a; }; struct d21 { struct d20 a; };\n"
	"struct d22 { struct d21 a; int arr[2]; char s[3]; };\n"
	"typedef int myint;\n"
	"typedef struct inner inner_t;\n"
	"typedef const char *cstr;\n"
	"\n"
	"int counter = 7;\n"
	"int garr[10] = { 1, 2, 3 };\n"
	"char gbuf[32] = \"global buf\";\n"
	"static int sfile = 3;\n"
	"const int cglob = 99;\n"
	"double gdbl = 2.5;\n"
	"const char *gstr = \"gs\";\n"
	"enum color gcol = BLUE;\n"
	"struct outer gout = { { 5, 6 }, \"go\", \"xyz\", 1.25, &counter };\n"
	"struct flex gflex = { 4 };\n"
	"int (*gfp)(int);\n"
	"char gbig[100000];\n"
	"struct node gnodes[3] = { { 1, &gnodes[1] }, { 2, &gnodes[2] }, { 3, NULL } };\n"
	"float gfarr[4] = { 0.5f, 1, 1, 1 };\n"
	"unsigned char gbytes[40];\n"
	"long gneg = -5;\n"
	"\n"
	"/* minimal symbols gdb shows Ada-decoded: my.var, foo, bar[cold] ... */\n"
	"int v1 __asm__(\"my__var\") = 1;\n"
	"int v2 __asm__(\"fooB\") = 2;\n"
	"int v3 __asm__(\"bar.cold\") = 3;\n"
	"int v4 __asm__(\"baz.isra.0\") = 4;\n"
	"int v5 __asm__(\"Abc.1\") = 5;\n"
	"int v6 __asm__(\"q$12\") = 6;\n"
	"int v7 __asm__(\"w__12\") = 7;\n"
	"int v8 __asm__(\"x___y\") = 8;\n"
	"int v9 __asm__(\"a.b.c\") = 9;\n"
	"int v10 __asm__(\"zzN\") = 10;\n"
	"\n"
	"int helper(int a) { return a + 1; }\n"
	"static int shelper(int a) { return a * 2; }\n"
	"\n"
	"static void __attribute__((noinline)) stop_here(void)\n"
	"{\n"
	"\t__asm__ volatile(\"\" ::: \"memory\");\n"
	"}\n"
	"\n"
	"static int __attribute__((noinline))\n"
	"inner(int a, char c, double d, const char *s, struct inner in, struct outer *op,\n"
	"      enum color col, inner_t it, cstr cs2)\n"
	"{\n"
	"\tstatic int slocal = 9;\n"
	"\tchar c1 = 'A', c2 = '\\n', c3 = 0, c4 = (char)0xff, c5 = '\\'', c6 = '\\\\', c7 = '\"';\n"
	"\tchar c8 = 127, c9 = (char)0xe9, c10 = '\\a', c11 = 27;\n"
	"\tsigned char sc = -5; unsigned char uc = 200;\n"
	"\tint8_t i8 = 65; uint8_t u8 = 66;\n"
	"\tshort sh = -300; unsigned short ush = 65000;\n"
	"\tint i = -42; unsigned u = 4000000000u; long l = -1234567890123L;\n"
	"\tunsigned long ul = 18446744073709551615UL; long long ll = -9223372036854775807LL - 1;\n"
	"\t__int128 i128 = -((__int128)1 << 100); unsigned __int128 u128 = (unsigned __int128)1 << 127;\n"
	"\tbool b0 = 0, b1 = 1, b2;\n"
	"\tfloat f1 = 3.14f, f2 = 0.1f, f3 = 1e30f, f4 = -0.0f, f5 = INFINITY, f6 = NAN, f9 = 1e-40f;\n"
	"\tdouble d1 = 3.14, d2 = 0.1, d3 = 1e100, d5 = -INFINITY, d6 = -NAN, d8 = 1e16, d9 = 5e-324;\n"
	"\tlong double ld1 = 3.14L, ld3 = 0.1L, ld4, ld5 = -INFINITY, ld6 = NAN;\n"
	"\tdouble complex z = 1.0 + 2.0 * I; float complex zf = 1.5f - 2.5f * I;\n"
	"\t_Float128 q = 3.14; _Float16 h = 3.14f; unsigned short bf;\n"
	"\tint *np = NULL, *ip = &i, *gp = &counter, *gp2 = &garr[3], *gp3 = garr + 10;\n"
	"\tconst int *cgp = &cglob;\n"
	"\tchar *str = \"hello\", *ns = NULL, *bad = (char *)0x1234, *gs = gbuf, *gs2 = gbuf + 3;\n"
	"\tconst char *esc = \"wor\\\"ld\\n\\t\\\\x\\001\" \"1\" \"\\033x\\177\\200\";\n"
	"\tunsigned char *us = (unsigned char *)\"\\xc3\\xa9t\\xc3\\xa9\";\n"
	"\tsigned char *ss = (signed char *)\"abc\";\n"
	"\tchar *longs = malloc(300), *longs2 = malloc(300), *exact = malloc(201);\n"
	"\tchar *rep = \"abcxxxxxxxxxxxxxxxxxdef\", *rep10 = \"abxxxxxxxxxxcd\", *rep11 = \"abxxxxxxxxxxxcd\";\n"
	"\tchar *utf = \"h\\xc3\\xa9llo \\xe2\\x82\\xac \\xf0\\x9f\\x98\\x80\", *inval = \"a\\xff\\xfe\" \"b\\xc3\";\n"
	"\tchar *ovl = \"\\xe0\\x80\\x80|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80|\\xc0\\xaf\";\n"
	"\tvoid *vp = &counter, *vnull = 0, *text_mid = (char *)helper + 4, *sl = &slocal, *sf = &sfile;\n"
	"\tvoid *past = &garr[10], *heapp, *stackp = &i;\n"
	"\tvoid (*fp)(void) = (void (*)(void))helper; int (*fp2)(int) = shelper, (*fpn)(int) = 0;\n"
	"\tchar arr1[8] = \"hi\", arr2[5] = \"hello\", arr3[20] = \"abc\", arr4[3] = { 0 };\n"
	"\tchar arr5[4] = { 'a', 'b', 'c', 'd' }, arr6[30], arr7[12] = \"ab\\0cd\";\n"
	"\tunsigned char uarr[4] = { 1, 2, 3, 255 };\n"
	"\tint ia[3] = { 1, 2, 3 }, ia2[20] = { 0 }, ia3[15] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2 };\n"
	"\tint ia4[11] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 }, ia5[300], m2[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };\n"
	"\tint rep_ia[25];\n"
	"\tdouble da[3] = { 1.5, 2.25, -0.0 };\n"
	"\tstruct inner sin = { 1, 2 }, ina[2] = { { 1, 2 }, { 3, 4 } }, inrep[12];\n"
	"\tstruct outer sout = { { 3, 4 }, \"nm\", \"ab\", 2.5, &i };\n"
	"\tunion u un;\n"
	"\tstruct bits bt = { 5, -3, 1, -100, 1, BLUE, 5, 9, -3 };\n"
	"\tstruct anon an = { 1, { 2 }, { 3, 4 } };\n"
	"\tstruct an2 ann;\n"
	"\tenum color ecol = GREEN, ecol2 = (enum color)3, ecol3 = (enum color)7;\n"
	"\tenum flags fl = FA | FC, fl2 = (enum flags)8, fl3 = (enum flags)0, fl4 = (enum flags)(FB | 16);\n"
	"\tenum mixed mx = (enum mixed)2; enum neg ng = (enum neg)-7; enum dup dp = (enum dup)3;\n"
	"\tenum big bg = (enum big)0x80000001u;\n"
	"\tmyint mi = 5; inner_t itl = { 7, 8 };\n"
	"\tconst int ci = 3; volatile int vi = 4; const char *const ccp = \"cc\";\n"
	"\twchar_t wc = L'A', *ws = L\"wide\", warr[6] = L\"wa\", wc2 = 0x85, wc3 = 0x1F600, wc4 = -1;\n"
	"\twchar_t wbig[4] = { 0x1F600, 0x7ffffff, 0x300, 'a' }, whex[4] = { 0x200000, 'a', 'g', 0 };\n"
	"\tchar16_t c16 = u'B', *s16 = u\"s16\", s16a[4] = { 0xd83d, 0xde00, 'x', 0 };\n"
	"\tchar16_t s16b[4] = { 'a', 0xdc00, 'b', 0xd800 };\n"
	"\tchar32_t c32 = U'C', *s32 = U\"s32\";\n"
	"\tstruct empty em;\n"
	"\tstruct iflex *fx = malloc(sizeof(struct iflex) + 8);\n"
	"\tstruct iflex fxs = { 3 };\n"
	"\tint zlen[0];\n"
	"\tstruct empty zarr[3];\n"
	"\tchar *pp_str[2] = { \"one\", \"two\" }, **ppc = pp_str;\n"
	"\tFILE *fo = stdout;\n"
	"\tint *wild = (int *)0x10;\n"
	"\tstruct d22 deep;\n"
	"\tstruct node *list = gnodes;\n"
	"\tchar a199[210], a200[205], qq[15], q1[15], bs[15], mixnul[20] = \"ab\", endnul[4] = { 'a', 0, 0, 0 };\n"
	"\tchar allz[30] = { 0 }, hi_uni[8] = \"\\xc3\\xa9\\xc3\\xa9\", inc1[3] = { 'a', 'b', '\\xc3' };\n"
	"\tchar inc2[4] = { 'a', '\\xe2', '\\x82', 0 }, inv2[4] = { 'a', '\\xc3', 'x', 0 }, rep_inv[14];\n"
	"\tchar ctl[6] = \"\\x85\\xc2\\x85z\", nbsp[4] = \"\\xc2\\xa0z\";\n"
	"\tchar big[70000], ok64[65536];\n"
	"\tstruct with_p wp = { (char *)1, (int *)2 };\n"
	"\tchar *edge_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);\n"
	"\tchar *edge = edge_page + 4093;  /* \"abc\", then an unmapped page */\n"
	"\n"
	"\tmemset(&b2, 2, 1);\n"
	"\tmemset(&ld4, 0x11, sizeof(ld4));\n"
	"\tmemset(&bf, 0x40, sizeof(bf));\n"
	"\tmemset(longs, 'a', 299); longs[299] = 0;\n"
	"\tfor (int k = 0; k < 299; k++) longs2[k] = (char)('a' + k % 26);\n"
	"\tlongs2[299] = 0;\n"
	"\tfor (int k = 0; k < 200; k++) exact[k] = (char)('a' + k % 26);\n"
	"\texact[200] = 0;\n"
	"\theapp = longs;\n"
	"\tmemset(arr6, 'x', 30);\n"
	"\tfor (int k = 0; k < 300; k++) ia5[k] = k;\n"
	"\tfor (int k = 0; k < 25; k++) rep_ia[k] = k < 12 ? 7 : k;\n"
	"\tmemset(inrep, 0, sizeof(inrep));\n"
	"\tun.i = 0x41424344;\n"
	"\tann.deep = 5;\n"
	"\tfx->n = 2; fx->data[0] = 1;\n"
	"\tmemset(&deep, 0, sizeof(deep));\n"
	"\tfor (int k = 0; k < 199; k++) a199[k] = (char)('a' + k % 26);\n"
	"\ta199[199] = 'y'; a199[200] = 'y'; a199[201] = 'q'; memset(a199 + 202, 'k', 8);\n"
	"\tfor (int k = 0; k < 195; k++) a200[k] = (char)('a' + k % 26);\n"
	"\tmemset(a200 + 195, 'z', 10);\n"
	"\tmemset(qq, '\"', 15); qq[14] = 0;\n"
	"\tmemset(q1, '\\'', 15); q1[14] = 0;\n"
	"\tmemset(bs, '\\\\', 15); bs[14] = 0;\n"
	"\tmixnul[15] = 'x'; mixnul[16] = '1';\n"
	"\tmemset(rep_inv, 0xff, 14);\n"
	"\tmemset(big, 1, sizeof(big));\n"
	"\tmemset(ok64, 2, sizeof(ok64));\n"
	"\tgfp = helper;\n"
	"\tmunmap(edge_page + 4096, 4096);\n"
	"\tmemcpy(edge, \"abc\", 3);\n"
	"\t{\n"
	"\t\tint alpha = 100, gamma = 101, delta = 102, epsilon = 103, zeta = 104;\n"
	"\t\tint eta = 105, theta = 106, iota = 107, kappa = 108, lambda = 109, mu = 110;\n"
	"\t\t{\n"
	"\t\t\tint a = 1000, nu = 111, xi = 112;\n"
	"\t\t\tstop_here(); /* STOP */\n"
	"\t\t\tprintf(\"%d %d %d %d %d %d %d %d %d %d %d %d %d %d\\n\", alpha, gamma, delta,\n"
	"\t\t\t       epsilon, zeta, eta, theta, iota, kappa, lambda, mu, a, nu, xi);\n"
	"\t\t}\n"
	"\t}\n"
	"\treturn a + c + (int)d + s[0] + in.x + op->in.x + col + it.x + cs2[0] + slocal + c1 + i8 + (int)l;\n"
	"}\n"
	"\n"
	"static void on_sig(int sig)\n"
	"{\n"
	"\tvolatile int in_handler = sig * 2;\n"
	"\tvoid *names[10] = { &v1, &v2, &v3, &v4, &v5, &v6, &v7, &v8, &v9, &v10 };\n"
	"\n"
	"\tstop_here(); /* STOP2 */\n"
	"\t(void)in_handler;\n"
	"\t(void)names;\n"
	"}\n"
	"\n"
	"static int __attribute__((noinline)) middle(int depth, const char *tag)\n"
	"{\n"
	"\tstruct inner in = { depth, 2 };\n"
	"\tstruct outer o = { { 3, 4 }, tag, \"ab\", 0.5, &counter };\n"
	"\tinner_t it = { 9, 10 };\n"
	"\tint r;\n"
	"\n"
	"\t{\n"
	"\t\tint blockvar = depth * 2;\n"
	"\t\tr = inner(depth, 'm', 1.5, tag, in, &o, GREEN, it, \"cs2\");\n"
	"\t\tr += blockvar;\n"
	"\t}\n"
	"\treturn r;\n"
	"}\n"
	"\n"
	"static int __attribute__((noinline)) recurse(int n)\n"
	"{\n"
	"\tvolatile long here = n * 3L;\n"
	"\n"
	"\tif (n <= 0)\n"
	"\t\treturn middle(3, \"mid\");\n"
	"\treturn recurse(n - 1) + (int)here;\n"
	"}\n"
	"\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tint depth = argc > 1 ? atoi(argv[1]) : 2;\n"
	"\n"
	"\tif (argc > 1 && strcmp(argv[1], \"sig\") == 0) {\n"
	"\t\tsignal(SIGUSR1, on_sig);\n"
	"\t\traise(SIGUSR1);\n"
	"\t\treturn 0;\n"
	"\t}\n"
	"\treturn recurse(depth) & 1;\n"
	"}\n";

static const char sample_O2[] =
	"/* memviz test_vars -O2 sample: parameters in registers, on the stack of\n"
	" * the caller, gone (entry values through the caller's call site), and\n"
	" * optimized out; stopped at STOP. */\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"\n"
	"#define NOINLINE __attribute__((noinline, noclone))\n"
	"\n"
	"volatile int sink;\n"
	"struct pair { long a, b; };\n"
	"\n"
	"static NOINLINE void stop_here(void) { __asm__ volatile(\"\" ::: \"memory\"); }\n"
	"static NOINLINE void clobber(int x) { sink = x; }\n"
	"\n"
	"static NOINLINE int leaf(int n, long k, const char *s, struct pair p, double d, int unused)\n"
	"{\n"
	"\tint local = n * 2;\n"
	"\n"
	"\tclobber(n);\n"
	"\tstop_here(); /* STOP */\n"
	"\tsink = local + s[0] + (int)p.a + (int)d;\n"
	"\treturn (int)k;\n"
	"}\n"
	"\n"
	"static NOINLINE int mid(int n, const char *s)\n"
	"{\n"
	"\tstruct pair p = { n, 2 * n };\n"
	"\tint r = leaf(3, 40, s, p, 2.5, 0);\n"
	"\n"
	"\tr += leaf(n + 1, n, s, p, 1.5, 7);\n"
	"\treturn r + n;\n"
	"}\n"
	"\n"
	"static NOINLINE int outer(int depth, const char *s)\n"
	"{\n"
	"\tif (depth > 0)\n"
	"\t\treturn outer(depth - 1, s) + depth;\n"
	"\treturn mid(depth + 5, s);\n"
	"}\n"
	"\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\treturn outer(argc + 1, argv[0] ? \"str\" : \"x\") & 1;\n"
	"}\n";

static char dir[64] = "/tmp/memviz_test_vars_XXXXXX";

static int pid_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	pid_t pid = (pid_t)(intptr_t)ctx;
	struct iovec l = { buf, len }, r = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &l, 1, &r, 1, 0) == (ssize_t)len ? 0 : -1;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The line of text holding marker (1-based), 0 if none. */
static int marker_line(const char *text, const char *marker)
{
	const char *m = strstr(text, marker);
	int line = 1;

	if (m == NULL)
		return 0;
	for (const char *p = text; p < m; p++)
		line += *p == '\n';
	return line;
}

/* A child stopped by ptrace at a breakpoint, unwound. */
struct stop {
	pid_t pid;
	struct space sp;
	struct debuginfo *dbg;
	struct mem_reader mem;
	struct uw_input in;
	struct uw_stack st;
	const struct elf_module *exe;
	struct dwarfinfo *di;
	struct user_fpregs_struct fp;
};

static void stop_free(struct stop *s)
{
	int status;

	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
	}
	uw_stack_free(&s->st);
	space_free(&s->sp);
	if (s->dbg)
		debuginfo_free(s->dbg);
	memset(s, 0, sizeof(*s));
}

/* Put an int3 at bp, continue (handing the program its own signals), and
 * come back to bp: the thread's registers there in *regs.  0 or -1. */
static int run_to(pid_t pid, uint64_t bp, struct user_regs_struct *regs)
{
	int status, sig = 0;
	long word;

	errno = 0;
	word = ptrace(PTRACE_PEEKTEXT, pid, (void *)(uintptr_t)bp, 0);
	if (errno != 0 ||
	    ptrace(PTRACE_POKETEXT, pid, (void *)(uintptr_t)bp, (void *)((word & ~0xffL) | 0xcc)) != 0)
		return -1;
	for (int i = 0; i < 16; i++) {
		if (ptrace(PTRACE_CONT, pid, 0, (void *)(intptr_t)sig) != 0 ||
		    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
			return -1;
		if ((sig = WSTOPSIG(status)) == SIGTRAP)
			break;
	}
	if (sig != SIGTRAP || ptrace(PTRACE_GETREGS, pid, 0, regs) != 0 || regs->rip != bp + 1)
		return -1;
	regs->rip = bp;
	if (ptrace(PTRACE_SETREGS, pid, 0, regs) != 0 ||
	    ptrace(PTRACE_POKETEXT, pid, (void *)(uintptr_t)bp, (void *)word) != 0)
		return -1;
	return 0;
}

/* Run exe (with arg) to the breakpoint gdb would put on file:line (then,
 * if then_fn, on to the next call of that library function), and unwind
 * its thread there.  0, or -1 with a message. */
static int stop_at(struct stop *s, const char *exe, const char *arg, const char *file, int line,
		   const char *then_fn)
{
	struct user_regs_struct regs;
	uint64_t addrs[4];
	char *cause = NULL;
	int status, found;

	memset(s, 0, sizeof(*s));
	space_init(&s->sp);
	s->pid = fork();
	if (s->pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execl(exe, exe, arg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(s->pid, &status, 0) != s->pid || !WIFSTOPPED(status) ||
	    space_read(&s->sp, s->pid, &cause) != 0) {
		fprintf(stderr, "%s: did not start: %s\n", exe, cause ? cause : "");
		free(cause);
		return -1;
	}
	s->dbg = debuginfo_new();
	s->exe = elfinfo_exe(&s->sp.elf);
	s->di = s->exe ? debuginfo_dwarf(s->dbg, s->exe) : NULL;
	if (s->di == NULL || dwarfinfo_line_addrs(s->di, file, line, addrs, 4, &found) == 0) {
		fprintf(stderr, "%s: %s\n", exe, s->di ? "no line-table row for STOP" : "no DWARF");
		return -1;
	}
	if (run_to(s->pid, addrs[0] + s->exe->bias, &regs) != 0) {
		fprintf(stderr, "%s: did not stop at the breakpoint\n", exe);
		return -1;
	}
	/* now with the libraries; the module list is rebuilt */
	if (space_read(&s->sp, s->pid, &cause) != 0 || (s->exe = elfinfo_exe(&s->sp.elf)) == NULL) {
		free(cause);
		return -1;
	}
	s->di = debuginfo_dwarf(s->dbg, s->exe);
	if (then_fn && run_to(s->pid, elfinfo_resolve(&s->sp.elf, then_fn), &regs) != 0) {
		fprintf(stderr, "%s: did not stop in %s\n", exe, then_fn);
		return -1;
	}
	if (ptrace(PTRACE_GETFPREGS, s->pid, 0, &s->fp) != 0)
		return -1;
	s->mem.ctx = (void *)(intptr_t)s->pid;
	s->mem.read = pid_read;
	s->in = (struct uw_input){ .space = &s->sp, .dbg = s->dbg, .mem = &s->mem };
	unwind_thread(&s->in, &regs, &s->st);
	return 0;
}

/* ---- gdb's side ---- */

#define MAXV 512
#define MAXF 24                   /* frames compared */

struct gvar {
	char *name, *value;
};

/* Where gdb has a variable: its address (0: none), size, pointer value
 * (has_ptr), whatis. */
struct gwhere {
	char *name, *type;
	uint64_t addr, size, ptr;
	bool has_addr, has_ptr;
};

struct gframe {
	char *fn;
	bool tail;                /* reached by a tail call (gdb's TAILCALL_FRAME) */
	struct gvar v[MAXV];
	int n;
	struct gwhere w[MAXV];
	int nw;
};

struct gdb_view {
	struct gframe f[MAXF];
	int nf;
	struct gvar g[MAXV];
	int ng;
};

static void gdb_view_free(struct gdb_view *g)
{
	for (int i = 0; i < g->nf; i++) {
		free(g->f[i].fn);
		for (int k = 0; k < g->f[i].n; k++)
			free(g->f[i].v[k].name), free(g->f[i].v[k].value);
		for (int k = 0; k < g->f[i].nw; k++)
			free(g->f[i].w[k].name), free(g->f[i].w[k].type);
	}
	for (int k = 0; k < g->ng; k++)
		free(g->g[k].name), free(g->g[k].value);
	memset(g, 0, sizeof(*g));
}

/* "name = value" into v; false for anything else ("No locals."). */
static bool split_var(char *line, struct gvar *v)
{
	char *eq = strstr(line, " = ");

	if (eq == NULL)
		return false;
	*eq = '\0';
	v->name = strdup(line);
	v->value = strdup(eq + 3);
	return true;
}

/* Attach gdb to the group-stopped pid; its args and locals of the first
 * nframes frames (to main), and the value of each global in globals. */
static int gdb_view(pid_t pid, int nframes, const struct var_list *globals, struct gdb_view *g)
{
	char script[128], out[128], cmd[512], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	memset(g, 0, sizeof(*g));
	snprintf(script, sizeof(script), "%s/view.py", dir);
	snprintf(out, sizeof(out), "%s/view.txt", dir);
	f = fopen(script, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "import gdb\n"
		"out = open('%s', 'w')\n"
		"LOCS = (gdb.SYMBOL_LOC_CONST, gdb.SYMBOL_LOC_LOCAL, gdb.SYMBOL_LOC_REGISTER,\n"
		"        gdb.SYMBOL_LOC_STATIC, gdb.SYMBOL_LOC_COMPUTED, gdb.SYMBOL_LOC_OPTIMIZED_OUT)\n"
		"def is_label(s, b):\n"
		"    return str(s.type) == '__CORE_ADDR' and \\\n"
		"        gdb.lookup_symbol(s.name, b, gdb.SYMBOL_LABEL_DOMAIN)[0] is not None\n"
		"def syms(f):\n"
		"    try:\n"
		"        b = f.block()\n"
		"    except RuntimeError:\n"
		"        return []\n"
		"    fb = b\n"
		"    while fb.function is None:\n"
		"        fb = fb.superblock\n"
		"    out = [s for s in fb if s.is_argument]\n"
		"    while True:\n"
		"        out += [s for s in b if not s.is_argument and s.addr_class in LOCS\n"
		"                and not is_label(s, b)]\n"
		"        if b.function is not None:\n"
		"            return out\n"
		"        b = b.superblock\n"
		"def where(s, f):\n"
		"    a = p = '-'\n"
		"    try:\n"
		"        v = s.value(f)\n"
		"        if v.address is not None:\n"
		"            a = '%%x' %% int(v.address)\n"
		"        if v.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:\n"
		"            p = '%%x' %% int(v)\n"
		"    except gdb.error:\n"
		"        pass\n"
		"    return '@where %%s %%s %%d %%s %%s\\n' %% (s.name, a, s.type.sizeof, p, s.type)\n"
		"def labels(f):\n"
		"    try:\n"
		"        b = f.block()\n"
		"    except RuntimeError:\n"
		"        return []\n"
		"    out = []\n"
		"    while b is not None:\n"
		"        out += [s.name for s in b if is_label(s, b)]\n"
		"        if b.function is not None:\n"
		"            return out\n"
		"        b = b.superblock\n"
		"    return out\n"
		"gdb.execute('set backtrace past-main on')\n"
		"f = gdb.newest_frame()\n"
		"k = 0\n"
		"while f is not None and k < %d:\n"
		"    if f.type() in (gdb.INLINE_FRAME, gdb.TAILCALL_FRAME):\n"
		"        f = f.older()\n"
		"        continue\n"
		"    f.select()\n"
		"    o = f.older()\n"
		"    tail = o is not None and o.type() == gdb.TAILCALL_FRAME\n"
		"    out.write('@frame%%s %%s\\n' %% (' tail' if tail else '', f.name()))\n"
		"    out.write(gdb.execute('info args', to_string=True))\n"
		"    out.write(gdb.execute('info locals', to_string=True))\n"
		"    for s in syms(f):\n"
		"        out.write(where(s, f))\n"
		"    for s in labels(f):\n"
		"        out.write('@label %%s\\n' %% s)\n"
		"    f = f.older()\n"
		"    k += 1\n"
		"def value(name):\n"
		"    f = gdb.newest_frame()\n"
		"    while True:\n"
		"        f.select()\n"
		"        try:\n"
		"            return gdb.parse_and_eval(name).format_string()\n"
		"        except gdb.error as e:\n"
		"            if 'No symbol' not in str(e):\n"
		"                return '<error reading variable %%s (%%s)>' %% (name, e)\n"
		"            if f.older() is None:\n"
		"                return None\n"
		"        f = f.older()\n"
		"for name in [", out, nframes);
	for (size_t i = 0; globals && i < globals->n; i++)
		fprintf(f, "'%s', ", globals->v[i].name);
	fprintf(f, "]:\n"
		"    v = value(name)\n"
		"    if v is not None:\n"
		"        out.write('@global %%s = %%s\\n' %% (name, v))\n"
		"out.close()\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "LC_ALL=C.UTF-8 timeout -k 5 60 gdb -batch -nx -q -p %d -x %s >%s/gdb.log 2>&1",
		 (int)pid, script, dir);
	if (system(cmd) != 0 || (f = fopen(out, "r")) == NULL)
		return -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (strncmp(line, "@frame tail ", 12) == 0 && g->nf < MAXF) {
			g->f[g->nf].tail = true;
			g->f[g->nf++].fn = strdup(line + 12);
		} else if (strncmp(line, "@frame ", 7) == 0 && g->nf < MAXF) {
			g->f[g->nf++].fn = strdup(line + 7);
		} else if (strncmp(line, "@where ", 7) == 0 && g->nf > 0 && g->f[g->nf - 1].nw < MAXV) {
			struct gframe *fr = &g->f[g->nf - 1];
			struct gwhere *w = &fr->w[fr->nw];
			char name[256], a[32], p[32];
			int off = 0;

			if (sscanf(line + 7, "%255s %31s %" SCNu64 " %31s %n", name, a, &w->size, p,
				   &off) == 4 && off > 0) {
				w->name = strdup(name);
				w->type = strdup(line + 7 + off);
				w->has_addr = strcmp(a, "-") != 0;
				w->addr = w->has_addr ? strtoull(a, NULL, 16) : 0;
				w->has_ptr = strcmp(p, "-") != 0;
				w->ptr = w->has_ptr ? strtoull(p, NULL, 16) : 0;
				fr->nw++;
			}
		} else if (strncmp(line, "@label ", 7) == 0 && g->nf > 0) {
			/* info locals lists a C label without an address
			 * (type __CORE_ADDR, in the label domain): no variable */
			struct gframe *fr = &g->f[g->nf - 1];
			int k = 0;
			for (int j = 0; j < fr->n; j++) {
				if (strcmp(fr->v[j].name, line + 7) == 0) {
					free(fr->v[j].name);
					free(fr->v[j].value);
				} else {
					fr->v[k++] = fr->v[j];
				}
			}
			fr->n = k;
		} else if (strncmp(line, "@global ", 8) == 0 && g->ng < MAXV) {
			g->ng += split_var(line + 8, &g->g[g->ng]);
		} else if (g->nf > 0 && g->f[g->nf - 1].n < MAXV) {
			struct gframe *fr = &g->f[g->nf - 1];
			fr->n += split_var(line, &fr->v[fr->n]);
		}
	}
	free(line);
	fclose(f);
	return g->nf > 0 ? 0 : -1;
}

/* ---- comparison ---- */

static const char *cut(const char *s)
{
	static char buf[2][200];
	static int k;

	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s", s ? s : "(null)");
	return buf[k];
}

/* The n-th (0-based) variable named name in l, or NULL. */
static const struct var_info *nth_named(const struct var_list *l, const char *name, int n)
{
	for (size_t k = 0; k < l->n; k++)
		if (strcmp(l->v[k].name, name) == 0 && n-- == 0)
			return &l->v[k];
	return NULL;
}

/* A register a call clobbers (System V): rax rdx rcx rsi rdi r8-r11,
 * and the vector and x87 ones. */
static bool clobbered(int reg)
{
	return reg == 0 || reg == 1 || reg == 2 || reg == 4 || reg == 5 ||
	       (reg >= 8 && reg <= 11) || reg >= 17;
}

static int known, known_tail;     /* the accepted differences, counted */

/* Our variables of frame i and gdb's: the same names in the same order,
 * and each the same value text.  Two differences are by design, and
 * counted: a variable a caller keeps in a call-clobbered register is
 * <optimized out> for us, where gdb (for which such a register without a
 * CFI rule keeps its value up the stack) shows the callee's register; and
 * a parameter of a function reached by a tail call, known only as an entry
 * value, is <optimized out> for us, where gdb rebuilds the tail call from
 * call-site attributes dwarfinfo does not keep (call_reaches in vars.c). */
static int compare_frame(const char *what, size_t i, const struct var_list *l, const struct gframe *g)
{
	int bad = 0;
	bool order = l->n == (size_t)g->n;

	for (size_t k = 0; order && k < l->n; k++)
		order = strcmp(l->v[k].name, g->v[k].name) == 0;
	if (!order) {
		fprintf(stderr, "%s frame %zu (%s): not gdb's variables or order\n  ours:", what, i, g->fn);
		for (size_t k = 0; k < l->n; k++)
			fprintf(stderr, " %s", l->v[k].name);
		fprintf(stderr, "\n  gdb: ");
		for (int k = 0; k < g->n; k++)
			fprintf(stderr, " %s", g->v[k].name);
		fprintf(stderr, "\n");
		bad++;
	}
	for (int k = 0; k < g->nw; k++) {
		const struct gwhere *w = &g->w[k];
		const struct var_info *o;
		int nth = 0;

		for (int j = 0; j < k; j++)
			nth += strcmp(g->w[j].name, w->name) == 0;
		if ((o = nth_named(l, w->name, nth)) == NULL)
			continue;        /* reported below */
		if (i > 0 && clobbered(o->reg) && strcmp(o->value, "<optimized out>") == 0)
			continue;        /* gdb reads the callee's register (counted below) */
		if (o->has_addr != w->has_addr || o->addr != w->addr || o->size != w->size ||
		    o->is_ptr != w->has_ptr || o->ptr != w->ptr || strcmp(o->type, w->type) != 0) {
			fprintf(stderr, "%s frame %zu (%s) %s:\n  ours addr %s%" PRIx64 " size %" PRIu64
				" ptr %s%" PRIx64 " type %s\n  gdb  addr %s%" PRIx64 " size %" PRIu64
				" ptr %s%" PRIx64 " type %s\n", what, i, g->fn, w->name,
				o->has_addr ? "" : "-", o->addr, o->size, o->is_ptr ? "" : "-", o->ptr,
				o->type, w->has_addr ? "" : "-", w->addr, w->size, w->has_ptr ? "" : "-",
				w->ptr, w->type);
			bad++;
		}
	}
	if (g->nw != g->n) {
		fprintf(stderr, "%s frame %zu: gdb's symbols (%d) are not its info lines (%d)\n", what,
			i, g->nw, g->n);
		bad++;
	}
	for (int k = 0; k < g->n; k++) {
		const struct var_info *o;
		int nth = 0;

		for (int j = 0; j < k; j++)
			nth += strcmp(g->v[j].name, g->v[k].name) == 0;
		o = nth_named(l, g->v[k].name, nth);
		if (o && strcmp(o->value, g->v[k].value) == 0)
			continue;
		if (o && i > 0 && clobbered(o->reg) && strcmp(o->value, "<optimized out>") == 0) {
			known++;         /* gdb: the callee's register, "same value" */
			continue;
		}
		if (o && g->tail && strcmp(o->value, "<optimized out>") == 0) {
			known_tail++;    /* gdb: an entry value through the tail call */
			continue;
		}
		fprintf(stderr, "%s frame %zu (%s) %s:\n  ours %s\n  gdb  %s\n", what, i, g->fn,
			g->v[k].name, o ? cut(o->value) : "(none)", cut(g->v[k].value));
		bad++;
	}
	return bad;
}

/* Each global gdb knows by its name has gdb's value.  (gdb cannot look
 * up one whose assembler name differs, `int v __asm__("x")`: skipped.) */
static int compare_globals(const char *what, const struct var_list *l, const struct gdb_view *g,
			   int *skipped)
{
	int bad = 0;

	for (size_t k = 0; k < l->n; k++) {
		const char *gv = NULL;

		for (int j = 0; j < g->ng; j++)
			if (strcmp(g->g[j].name, l->v[k].name) == 0)
				gv = g->g[j].value;
		if (gv == NULL)
			++*skipped;
		if (gv == NULL || strcmp(gv, l->v[k].value) == 0)
			continue;
		fprintf(stderr, "%s global %s:\n  ours %s\n  gdb  %s\n", what, l->v[k].name,
			cut(l->v[k].value), gv ? cut(gv) : "-");
		bad++;
	}
	return bad;
}

/* Stop exe at its STOP line (and then in then_fn), read every frame (to
 * main) and the globals, hand the same stop to gdb, compare.  Returns the
 * frames compared. */
static int against_gdb(const char *what, const char *exe, const char *arg, int line,
		       const char *then_fn)
{
	struct stop s;
	struct gdb_view g;
	struct var_list fl[MAXF], gl = { 0 };
	struct vars_opts o = { 0 };
	size_t nf = 0, nvars = 0;
	int bad = 0, status, skipped = 0;

	memset(fl, 0, sizeof(fl));
	if (stop_at(&s, exe, arg, "sample.c", line, then_fn) != 0) {
		CHECK(!"stopped at STOP");
		stop_free(&s);
		return 0;
	}
	o.mem = &s.mem;
	o.elf = &s.sp.elf;
	o.max_value = 1u << 20;      /* gdb does not cut */
	o.xmm = (const uint8_t *)s.fp.xmm_space;
	o.dbg = s.dbg;
	for (; nf < s.st.n && nf < MAXF; nf++) {
		vars_frame(&s.in, &s.st, nf, &o, &fl[nf]);
		if (s.st.frames[nf].loc.fn && strcmp(s.st.frames[nf].loc.fn, "main") == 0) {
			nf++;
			break;
		}
	}
	vars_globals(s.di, s.exe, &o, &gl);
	ptrace(PTRACE_DETACH, s.pid, 0, SIGSTOP);
	if (gdb_view(s.pid, (int)nf, &gl, &g) != 0) {
		fprintf(stderr, "%s: gdb could not attach (see %s/gdb.log)\n", what, dir);
		check_failures++;
	} else {
		CHECK_EQ_U(g.nf, nf);
		for (size_t i = 0; i < nf && i < (size_t)g.nf; i++) {
			/* names of libc's functions differ (gdb: a linkage
			 * name like __GI___libc_malloc) */
			if (s.st.frames[i].loc.mod && s.st.frames[i].loc.mod->is_exe)
				CHECK_STR(s.st.frames[i].loc.fn, g.f[i].fn);
			bad += compare_frame(what, i, &fl[i], &g.f[i]);
		}
		bad += compare_globals(what, &gl, &g, &skipped);
		for (size_t i = 0; i < nf; i++)
			nvars += fl[i].n;
		printf("%s: %zu variables of %zu frames and %zu globals compared with gdb, %d differ"
		       " (by design: %d in call-clobbered registers of callers, %d entry values"
		       " past a tail call; %d globals gdb cannot name)\n", what, nvars, nf,
		       gl.n - (size_t)skipped, bad, known, known_tail, skipped);
		CHECK((size_t)skipped < gl.n);
		check_failures += bad;
	}
	for (size_t i = 0; i < MAXF; i++)
		var_list_free(&fl[i]);
	var_list_free(&gl);
	gdb_view_free(&g);
	stop_free(&s);
	(void)status;
	return (int)nf;
}

/* ---- time: unwind and every variable of 1,000 frames ---- */

static void deep_timing(const char *exe, const char *text)
{
	struct stop s;
	struct vars_opts o = { 0 };
	struct var_list l = { 0 };
	struct user_regs_struct regs;
	double best = 1e9;
	size_t nvars = 0;

	if (stop_at(&s, exe, "1000", "sample.c", marker_line(text, "/* STOP */"), NULL) != 0) {
		CHECK(!"deep stop");
		stop_free(&s);
		return;
	}
	o.mem = &s.mem;
	o.elf = &s.sp.elf;
	ptrace(PTRACE_GETREGS, s.pid, 0, &regs);
	for (int round = 0; round < 5; round++) {
		double t0 = now_ms();

		unwind_thread(&s.in, &regs, &s.st);
		nvars = 0;
		for (size_t i = 0; i < s.st.n; i++) {
			nvars += vars_frame(&s.in, &s.st, i, &o, &l);
			var_list_clear(&l);
		}
		if (now_ms() - t0 < best)
			best = now_ms() - t0;
	}
	printf("unwind + %zu variables of %zu frames: %.2f ms\n", nvars, s.st.n, best);
	CHECK(s.st.n > 1000);
	CHECK(nvars > 2000);
	var_list_free(&l);
	stop_free(&s);
}

/* ---- bounds on hand-built types ---- */

static void bounds(void)
{
	static struct dw_type ty_int = { .kind = DWT_BASE, .name = "int", .size = 4,
					 .encoding = 0x05 /* DW_ATE_signed */ };
	struct dw_type cyc = { .kind = DWT_TYPEDEF, .name = "loop" }, self = { .kind = DWT_STRUCT,
								       .size = 8 };
	struct dw_member m[2] = { { NULL, 0, 0, 0, &self }, { "x", 4, 0, 0, &ty_int } };
	struct dw_type huge = { .kind = DWT_ARRAY, .target = &ty_int, .count = 1000000000000000000ull,
				.count_known = true };
	struct dw_type ch = { .kind = DWT_BASE, .name = "char", .size = 1, .encoding = 0x06 };
	struct dw_type str = { .kind = DWT_ARRAY, .target = &ch, .count = 5000, .count_known = true,
			       .size = 5000 };
	uint8_t bytes[5000];
	struct vars_opts o = { 0 };
	struct strbuf sb = { 0 };

	memset(bytes, 'a', sizeof(bytes));
	for (int i = 0; i < 5000; i += 7)
		bytes[i] = 'b';
	cyc.target = &cyc;
	vars_format(&cyc, bytes, 8, &o, &sb);
	CHECK_STR(sb.buf, "void");
	sb_reset(&sb);

	self.members = m;
	self.nmembers = 2;
	vars_format(&self, bytes, 8, &o, &sb);
	CHECK(sb.len > 0 && sb.len <= 4096 + 3);
	sb_reset(&sb);

	memcpy(bytes, (const int[]){ -1, 7 }, 8);
	vars_format(&huge, bytes, 8, &o, &sb);     /* two elements there, then cut */
	CHECK_STR(sb.buf, "{-1, 7...}");
	sb_reset(&sb);

	o.max_value = 100;
	o.max_elems = 1000;
	vars_format(&str, bytes, sizeof(bytes), &o, &sb);
	CHECK(sb.len == 103 && strcmp(sb.buf + 100, "...") == 0);
	sb_free(&sb);
}

/* Run one case in a child process of its own, so each starts with fresh
 * libdwarf and libelf state; its failures become ours. */
static void in_child(void (*fn)(const char *, const char *), const char *exe, const char *text)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		check_failures = 0;
		fn(exe, text);
		exit(check_failures ? 1 : 0);     /* exit: a leak checker runs here too */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s: case failed (status 0x%x)\n", exe, status);
		check_failures++;
	}
}

static void case_O0(const char *exe, const char *text)
{
	CHECK(against_gdb("-O0", exe, NULL, marker_line(text, "/* STOP */"), NULL) >= 6);
}

/* In a signal handler: below it the trampoline (a signal frame), then
 * libc's raise interrupted at its syscall (its pc is no return address). */
static void case_signal(const char *exe, const char *text)
{
	CHECK(against_gdb("signal", exe, "sig", marker_line(text, "/* STOP2 */"), NULL) >= 5);
}

static void case_O2(const char *exe, const char *text)
{
	CHECK(against_gdb("-O2", exe, NULL, marker_line(text, "/* STOP */"), NULL) >= 3);
}

/* Inside libc's malloc, called from printf after STOP: -O2 frames of
 * libc with location lists, entry values and inlined code (libc6-dbg). */
static void case_libc(const char *exe, const char *text)
{
	CHECK(against_gdb("libc", exe, NULL, marker_line(text, "/* STOP */"), "malloc") >= 8);
}

int main(void)
{
	char src0[128], src2[128], exe0[160], exe2[160], cmd[1024];

	bounds();
	if (system("command -v gdb >/dev/null 2>&1 && command -v cc >/dev/null 2>&1") != 0) {
		printf("test_vars: gdb or cc missing, gdb comparisons skipped\n");
		return check_failures ? 1 : 77;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* both samples are sample.c (the breakpoint's file name) in a
	 * directory of their own */
	snprintf(src0, sizeof(src0), "%s/O0", dir);
	snprintf(src2, sizeof(src2), "%s/O2", dir);
	if (mkdir(src0, 0700) != 0 || mkdir(src2, 0700) != 0) {
		perror("mkdir");
		return 1;
	}
	snprintf(exe0, sizeof(exe0), "%s/sample", src0);
	snprintf(exe2, sizeof(exe2), "%s/sample", src2);
	strcat(src0, "/sample.c");
	strcat(src2, "/sample.c");
	CHECK(write_file(src0, sample_O0) == 0);
	CHECK(write_file(src2, sample_O2) == 0);
	snprintf(cmd, sizeof(cmd), "cc -g -O0 -w -o %s %s -lm && cc -g -O2 -fomit-frame-pointer -w -o %s %s",
		 exe0, src0, exe2, src2);
	CHECK(system(cmd) == 0);
	in_child(case_O0, exe0, sample_O0);
	in_child(deep_timing, exe0, sample_O0);
	in_child(case_O2, exe2, sample_O2);
	in_child(case_libc, exe0, sample_O0);
	in_child(case_signal, exe0, sample_O0);

	if (check_failures == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	} else {
		fprintf(stderr, "scratch left in %s\n", dir);
	}
	CHECK_DONE();
}
