#!/usr/bin/env bash
# The address space memviz reports, checked against the kernel and the
# tools on the same running program: attach to a sleeper, take one record,
# detach; then compare its regions with /proc/PID/maps, gdb's `info proc
# mappings` and smaps, and the sections with `readelf -SW` at the load
# bias.  The sleeper must go on unharmed and end normally.
. tests/lib.sh
need_memviz
need_attach
need_cmd readelf
# gdb is the second opinion on the maps; without it that part is left out
have_gdb=0
command -v gdb >/dev/null 2>&1 && have_gdb=1

SECS=10
demos/sleeper "$SECS" >"$T/sleeper.out" 2>&1 </dev/null &
spid=$!
BG_PIDS=$spid
wait_for_line "$T/sleeper.out" '^tick 3$'

# One record while the maps are stable (equal before and after): retry once.
ok=0
for try in 1 2; do
	cat "/proc/$spid/maps" >"$T/maps.before" || fail "cannot read /proc/$spid/maps"
	rm -f "$T/a.jsonl"
	timeout 20 "$MEMVIZ" --json -o "$T/a.jsonl" --max-stops 1 -p "$spid" </dev/null 2>"$T/a.err"
	st=$?
	cat "/proc/$spid/maps" >"$T/maps.after"
	cat "/proc/$spid/smaps" >"$T/smaps"
	cat "/proc/$spid/stat" >"$T/stat"
	assert_eq "$st" 0 "memviz -p exit status ($(head -c 300 "$T/a.err"))"
	if cmp -s "$T/maps.before" "$T/maps.after"; then
		ok=1
		break
	fi
done
[ "$ok" = 1 ] || fail "the sleeper's maps changed around memviz twice"
json_check "$T/a.jsonl"
kill -0 "$spid" 2>/dev/null || fail "the sleeper died after memviz detached"

# gdb attaches after memviz has gone: the process must be intact.
if [ "$have_gdb" = 1 ]; then
	timeout 30 gdb -nx -batch -p "$spid" -ex 'info proc mappings' </dev/null >"$T/gdb.out" 2>"$T/gdb.err"
else
	echo "gdb is not installed: its part is left out" >&2
	echo NOGDB >"$T/gdb.out"
fi
cat "/proc/$spid/maps" >"$T/maps.gdb"
diff "$T/maps.after" "$T/maps.gdb" >"$T/maps.diff" || fail "the sleeper's maps changed while gdb looked: $(cat "$T/maps.diff")"
kill -0 "$spid" 2>/dev/null || fail "the sleeper died after gdb detached"
readelf -SW demos/sleeper >"$T/readelf.out" || fail "readelf -SW demos/sleeper"

"$PY" - "$T" "$(realpath demos/sleeper)" <<'PY' || fail "memviz's address space disagrees with the kernel or the tools (above)"
import json, os, re, sys
T, exe = sys.argv[1], sys.argv[2]
errs = []
def err(m):
    errs.append(m)

R = [json.loads(l) for l in open(T + "/a.jsonl", encoding="utf-8")]
start = R[0]
assert start["event"]["kind"] == "start", start["event"]
sp = start["space"]
regs = sp["regions"]
H = lambda s: int(s, 16)

MAPS = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) \S+ \d+ *(.*)$")
def parse_maps(path):
    out = []
    for l in open(path, encoding="utf-8", errors="surrogateescape"):
        m = MAPS.match(l.rstrip("\n"))
        if not m:
            err("unparsed maps line %r" % l)
            continue
        out.append((int(m[1], 16), int(m[2], 16), m[3], int(m[4], 16), m[5]))
    return out

# (a) regions = /proc/PID/maps, same count, same order
maps = parse_maps(T + "/maps.after")
starts = [H(r["start"]) for r in regs]
if starts != sorted(starts):
    err("regions not sorted by start")
if len(regs) != len(maps):
    err("%d regions, /proc maps has %d lines" % (len(regs), len(maps)))
for r, m in zip(regs, maps):
    got = (H(r["start"]), H(r["end"]), r["perms"], H(r["offset"]), r["path"])
    if got != m:
        err("region %r != maps line %r" % (got, m))

# (b) gdb's info proc mappings: start, end, offset, objfile (perms when shown)
gdb = []
for l in open(T + "/gdb.out", encoding="utf-8", errors="surrogateescape"):
    w = l.split()
    if len(w) < 4 or not all(re.fullmatch(r"0x[0-9a-f]+", x) for x in w[:4]):
        continue
    rest = w[4:]
    perms = None
    if rest and re.fullmatch(r"[r-][w-][x-][ps]", rest[0]):
        perms, rest = rest[0], rest[1:]
    gdb.append((int(w[0], 16), int(w[1], 16), int(w[2], 16), int(w[3], 16), perms, " ".join(rest)))
if open(T + "/gdb.out").read() == "NOGDB\n":
    gdb = []
elif not gdb:
    err("no mappings parsed from gdb: %r" % open(T + "/gdb.out").read()[-500:])
elif len(gdb) != len(regs):
    err("gdb shows %d mappings, memviz %d regions" % (len(gdb), len(regs)))
for r, g in zip(regs, gdb):
    s, e, size, off, perms, obj = g
    if (H(r["start"]), H(r["end"]), H(r["offset"]), r["path"]) != (s, e, off, obj) or size != e - s \
            or (perms is not None and perms != r["perms"]):
        err("region %s-%s %s %s %r != gdb %r" % (r["start"], r["end"], r["perms"], r["offset"], r["path"], g))

# (c) readelf -SW: every allocated, non-empty section at addr + bias,
# covered exactly by its pieces in the demo's regions (and the anonymous
# bss right after them)
mine = [r for r in regs if r["path"] == exe]
if not mine:
    err("no region with the demo's path %s" % exe)
    mine = [regs[0]]
low = min(mine, key=lambda r: H(r["start"]))
if H(low["offset"]) != 0:
    err("lowest mapping of the demo has offset %s" % low["offset"])
bias = H(low["start"])
image = []
for r in regs:
    if r["path"] == exe or (image and r["path"] == "" and H(r["start"]) == H(image[-1]["end"])
                            and image[-1]["path"] == exe):
        image.append(r)
secs = []
for l in open(T + "/readelf.out"):
    m = re.match(r"^\s*\[\s*\d+\]\s+(.*)$", l)
    if not m:
        continue
    w = m[1].split()
    if len(w) not in (9, 10) or w[1] == "NULL":
        continue
    flags = w[6] if len(w) == 10 else ""
    name, addr, size = w[0], int(w[2], 16), int(w[4], 16)
    if "A" in flags and size:
        secs.append((name, addr, size))
if len(secs) < 10:
    err("only %d allocated sections parsed from readelf" % len(secs))
for name, addr, size in secs:
    want = (bias + addr, bias + addr + size)
    pieces = []
    for r in image:
        for s in r["sections"]:
            if s["name"] == name:
                a, b = H(s["start"]), H(s["end"])
                if not (H(r["start"]) <= a < b <= H(r["end"])):
                    err("%s piece %s-%s outside its region %s-%s" % (name, s["start"], s["end"], r["start"], r["end"]))
                pieces.append((a, b, r["kind"]))
    pieces.sort()
    if not pieces:
        err("section %s (%#x at %#x) missing" % (name, size, want[0]))
        continue
    cover = (pieces[0][0], pieces[-1][1])
    gaps = [(p[1], q[0]) for p, q in zip(pieces, pieces[1:]) if p[1] != q[0]]
    if cover != want or gaps:
        err("section %s pieces %s, want [%#x, %#x)" % (name, [(hex(a), hex(b)) for a, b, _ in pieces], *want))
    if name == ".bss" and not any(k in ("bss", "data") for _, _, k in pieces):
        err(".bss in no bss/data region: %r" % pieces)

# (d) kinds
for r in regs:
    if (r["path"] == "[heap]") != (r["kind"] == "heap"):
        err("heap kind/path mismatch: %r" % {k: r[k] for k in ("start", "path", "kind")})
    if r["path"] == "[stack]" and r["kind"] != "stack":
        err("[stack] has kind %s" % r["kind"])
    if r["path"] == exe and r["perms"] == "r-xp" and r["kind"] != "text":
        err("the demo's r-xp mapping has kind %s" % r["kind"])
    if os.path.basename(r["path"]).startswith("libc.so") and r["kind"] != "lib":
        err("libc mapping %s has kind %s" % (r["start"], r["kind"]))
if not any(r["path"] == exe and r["perms"] == "r-xp" for r in regs):
    err("no r-xp mapping of the demo")
if not any(r["path"] == "[stack]" for r in regs):
    err("no [stack]")

# (e) rss_kb = smaps Rss (stack and heap may move by 64 kB in between)
rss = {}
cur = None
for l in open(T + "/smaps", encoding="utf-8", errors="surrogateescape"):
    m = MAPS.match(l.rstrip("\n"))
    if m:
        cur = int(m[1], 16)
    elif l.startswith("Rss:"):
        rss[cur] = int(l.split()[1])
for r in regs:
    s = H(r["start"])
    if s not in rss:
        err("no smaps entry for %s" % r["start"])
        continue
    tol = 64 if r["path"] in ("[stack]", "[heap]") else 0
    if abs(r["rss_kb"] - rss[s]) > tol:
        err("rss_kb of %s %s: %d, smaps says %d" % (r["start"], r["path"], r["rss_kb"], rss[s]))

# faults: the record's counts cannot exceed what /proc/PID/stat says later
st = open(T + "/stat").read()
f = st[st.rindex(")") + 2:].split()        # f[0] is field 3 (state)
minflt, majflt = int(f[10 - 3]), int(f[12 - 3])
if not (0 < sp["minflt"] <= minflt):
    err("start minflt %d, /proc stat after: %d" % (sp["minflt"], minflt))
if not (sp["majflt"] <= majflt):
    err("start majflt %d, /proc stat after: %d" % (sp["majflt"], majflt))

for e in errs[:30]:
    print(e)
sys.exit(1 if errs else 0)
PY

wait "$spid"
st=$?
BG_PIDS=
assert_eq "$st" 0 "sleeper exit status after memviz and gdb"
grep -q '^done ' "$T/sleeper.out" || fail "sleeper did not finish: $(tail -2 "$T/sleeper.out")"
exit 0
