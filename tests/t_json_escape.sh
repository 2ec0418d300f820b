#!/usr/bin/env bash
# Paths and arguments are bytes, not text: a program in a directory whose
# name holds a quote, a backslash, a tab, a newline, \x01, invalid UTF-8 (\xff\xfe) and
# valid multibyte UTF-8 must come out as strict JSON that gives back the
# exact bytes (invalid bytes as U+DC80..U+DCFF, Python's surrogateescape),
# and --text must print it as pure ASCII.
. tests/lib.sh
need_memviz
need_ptrace

# The names are built in Python so every byte is exactly what we say.
"$PY" - "$T" <<'PY' || fail "cannot make the odd directory"
import os, shutil, sys
T = os.fsencode(sys.argv[1])
d = T + b'/we"ird\\dir\t\n\x01\xff\xfe \xc3\xa9\xed\x95\x9c'
os.mkdir(d)
shutil.copy(b"demos/heap_split_coalesce", d + b"/prog")
open(T + b"/dir.name", "wb").write(d)
PY
dir=$(cat "$T/dir.name"; echo .)
dir=${dir%.}
prog=$dir/prog
[ -x "$prog" ] || fail "the copy is not there"
# arg1: the same bytes; arg2: the hard cases of UTF-8 validation (an encoded
# surrogate, an overlong '/', a 4-byte emoji, DEL, > U+10FFFF, a truncated
# sequence at the end, \x1f and \x7f)
arg1=$(printf 'a"b\\c\t\001\377\376 \303\251\355\225\234')
arg2=$(printf '\355\240\200|\300\257|\360\237\230\200|\177|\364\220\200\200|\037|\342\202')

timeout 30 "$MEMVIZ" --json -o "$T/o.jsonl" -- "$prog" "$arg1" "$arg2" </dev/null >"$T/out" 2>"$T/err"
st=$?
assert_eq "$st" 0 "memviz --json status ($(head -c 300 "$T/err"))"
grep -q '^malloc ' "$T/out" || fail "the program did not run: $(head -c 300 "$T/out")"

"$PY" - "$T/o.jsonl" "$prog" "$arg1" "$arg2" <<'PY' || fail "JSON does not give back the bytes (above)"
import json, os, sys
jf = sys.argv[1]
prog, arg1, arg2 = (os.fsencode(a) for a in sys.argv[2:5])
real = os.fsencode(os.path.realpath(prog))
B = lambda s: s.encode("utf-8", "surrogateescape")
errs = []
R = []
with open(jf, "rb") as f:
    for i, raw in enumerate(f, 1):
        try:
            # strict: the bytes are UTF-8, no raw control character in strings
            R.append(json.loads(raw.decode("utf-8"), strict=True))
        except Exception as e:
            sys.exit("line %d: %s: %r" % (i, e, raw[:300]))
ev = R[0]["event"]
if ev["kind"] != "start":
    sys.exit("first record is %s" % ev["kind"])
def same(what, got, want):
    try:
        g = B(got)
    except Exception as e:
        errs.append("%s: %r does not encode back: %s" % (what, got, e))
        return
    if g != want:
        errs.append("%s: %r, want %r" % (what, g, want))
same("program", ev["program"], prog)
if len(ev["argv"]) != 3:
    errs.append("argv has %d items: %r" % (len(ev["argv"]), ev["argv"]))
for i, w in enumerate((prog, arg1, arg2)):
    if i < len(ev["argv"]):
        same("argv[%d]" % i, ev["argv"][i], w)
exe = [r for r in R[0]["space"]["regions"] if r["kind"] == "text" and r["perms"] == "r-xp"
       and not r["path"].startswith("[")]
if len(exe) != 1:
    errs.append("%d text regions: %r" % (len(exe), [r["path"] for r in exe]))
for r in exe:
    same("text region path", r["path"], real)
# every record's own copy of the path, wherever it appears
for r in R:
    obj = (r.get("event", {}).get("at") or {}).get("object")
    if obj is not None and B(obj).endswith(b"/prog"):
        same("seq %s at.object" % r["seq"], obj, real)
n = sum(1 for r in R[0]["space"]["regions"] if B(r["path"]) == real)
if n < 3:
    errs.append("only %d regions carry the program's path" % n)
for e in errs:
    print(e)
sys.exit(1 if errs else 0)
PY

timeout 30 "$MEMVIZ" --text -o "$T/o.txt" -- "$prog" "$arg1" "$arg2" </dev/null >"$T/out2" 2>"$T/err2"
st=$?
assert_eq "$st" 0 "memviz --text status ($(head -c 300 "$T/err2"))"
"$PY" - "$T/o.txt" <<'PY' || fail "--text output is not plain ASCII (above)"
import sys
data = open(sys.argv[1], "rb").read()
if b"start" not in data or b"/prog" not in data:
    sys.exit("no start record naming the program in --text output")
# the newline in the directory name is escaped, not a line break: every
# line naming the program names the whole directory too
for line in data.split(b"\n"):
    if b"/prog" in line and b"we\"ird" not in line:
        sys.exit("a path was split across lines: %r" % line[:200])
for i, line in enumerate(data.split(b"\n"), 1):
    bad = [c for c in line if not 0x20 <= c < 0x7f]
    if bad:
        sys.exit("line %d has raw bytes %r: %r" % (i, bytes(bad), line[:200]))
PY
exit 0
