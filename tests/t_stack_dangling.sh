#!/usr/bin/env bash
# Where each pointer of a live frame points (points_kind, points_to):
# demos/dangling holds, as locals of hold(), a pointer into a popped frame
# and one to a freed heap block (the two dangling ones), and pointers to a
# live heap block, a live local, globals in .data, .bss and .rodata, a
# string literal, a function, an anonymous mapping, NULL and 0x10.  It
# prints each value ("ptr NAME VALUE") and blocks; memviz attaches
# (-p, --fields stack,heap, --max-stops 1) and its start record must say:
#
#   to_popped      stack_popped  below the thread's sp: the frame that held
#                                it has returned (64 frames deep, so below
#                                every frame live at the stop)
#   to_freed       heap_freed    points_to names its chunk (VALUE - 0x10),
#                                which the heap model has free (tcache)
#   to_heap        heap          its chunk, in use in the heap model
#   to_stack       stack         hold's own `here`, in a live frame
#   to_data        global        g_data in .data, named in points_to
#   to_bss         global        g_bss in .bss, named
#   to_rodata      global        a string literal: no symbol of its own, but
#                                it is the executable's .rodata, which the
#                                issue counts among the globals (.data,
#                                .bss, .rodata); "other" is for memory that
#                                is none of heap, stack, globals or code
#   to_rodata_sym  global        ro_name, a named constant in .rodata, named
#   to_func        function      target() in .text, named
#   to_mmap        other         an anonymous mapping of the demo's own
#   to_null        null
#   to_wild        wild          nothing is mapped at 0x10
#
# and each variable's value text must start with the value the demo
# printed.  The executable's globals g_data, g_bss and ro_name must be in
# stack.globals at the addresses the demo printed.  When gdb is installed,
# hold's locals are also compared with gdb's `info locals` on the same stop
# (value, type, address): the pointer kinds print differently (<g_data>,
# a string, <error: Cannot access memory ...>); and the globals gdb knows
# (value, type, size, address, kind) with memviz's stack.globals.
. tests/lib.sh
need_memviz
need_attach
[ -x demos/dangling ] || fail "demos/dangling is not built (make)"
export LC_ALL=C

DO=$T/dangling.out MJ=$T/dangling.jsonl GJ=$T/dangling.gdb.json
demos/dangling wait </dev/null >"$DO" 2>"$T/dangling.err" &
pid=$!
BG_PIDS=$pid
wait_for_line "$DO" '^ready$' 20
# asleep in read(), not between its printf and the call
for ((i = 0; i < 200; i++)); do
	grep -q '^0 ' "/proc/$pid/syscall" 2>/dev/null && break
	sleep 0.05
done
timeout -k 5 "${MV_TIMEOUT:-60}" "$MEMVIZ" -p "$pid" --json --fields stack,heap --max-stops 1 \
	-o "$MJ" </dev/null >"$T/mv.out" 2>"$T/mv.err"
st=$?
[ "$st" = 0 ] || { tail -n 5 "$T/mv.err"; fail "memviz -p exited $st"; }
json_check "$MJ"
have_gdb=0
if command -v gdb >/dev/null 2>&1; then
	have_gdb=1
	# gdb prints strings in its locale's charset; memviz's values are UTF-8
	STACK_DUMP_GLOBALS=1 STACK_DUMP_OUT=$GJ LC_ALL=C.UTF-8 timeout -k 5 "${MV_TIMEOUT:-60}" gdb -batch -nx -q -p "$pid" \
		-x tests/gdb/stack_dump.py </dev/null >"$T/gdb.out" 2>"$T/gdb.err"
	[ -s "$GJ" ] || { tail -n 5 "$T/gdb.err"; fail "gdb wrote no JSON"; }
else
	echo "note: gdb not installed: hold's values not compared with gdb's"
fi
kill -USR1 "$pid"
wait "$pid"
st=$?
BG_PIDS=
assert_eq "$st" 0 "the demo's exit status after both tools left"

"$PY" - "$DO" "$MJ" "$GJ" "$have_gdb" <<'EOF' || fail "pointer classification differs (above)"
import json, sys

out_file, mv_file, gdb_file, have_gdb = sys.argv[1:5]
errs = []
err = errs.append

WANT = {
    "to_popped": "stack_popped", "to_freed": "heap_freed", "to_heap": "heap",
    "to_stack": "stack", "to_data": "global", "to_bss": "global",
    "to_rodata": "global", "to_rodata_sym": "global", "to_func": "function",
    "to_mmap": "other", "to_null": "null", "to_wild": "wild",
}
# a name points_to must mention, where the target has one
NAMED = {"to_data": "g_data", "to_bss": "g_bss", "to_rodata_sym": "ro_name",
         "to_func": "target"}

ptr, glob = {}, {}
for line in open(out_file):
    w = line.split()
    if len(w) == 3 and w[0] == "ptr":
        ptr[w[1]] = int(w[2], 16)
    elif len(w) == 4 and w[0] == "global":
        glob[w[1]] = int(w[2], 16)
if sorted(ptr) != sorted(WANT):
    err("the demo printed pointers %s, want %s" % (sorted(ptr), sorted(WANT)))

R = [json.loads(l) for l in open(mv_file) if l.strip()]
rec = R[0]
stack = rec.get("stack") or {}
th = [t for t in stack.get("threads", []) if t.get("tid") == rec.get("pid")]
frames = th[0].get("frames") or [] if th else []
hold = [f for f in frames if f.get("fn") == "hold"]
if not hold:
    err("memviz: no frame of hold() in the main thread (frames: %s, end %r)"
        % ([f.get("fn") for f in frames], th[0].get("end") if th else None))
    hv = {}
else:
    hv = {v.get("name"): v for v in hold[0].get("vars") or []}

chunks = {}
for a in (rec.get("heap") or {}).get("arenas", []):
    for c in a.get("chunks", []):
        chunks[int(c["addr"], 16)] = c.get("state")

for name, kind in sorted(WANT.items()):
    v = hv.get(name)
    if v is None:
        if hv:
            err("%s: not among hold's vars %s" % (name, sorted(hv)))
        continue
    val = (v.get("value") or "").split(" ")[0]
    want_val = "0x%x" % ptr.get(name, -1)
    if val != want_val:
        err("%s: value %r, the demo printed %s" % (name, v.get("value"), want_val))
    got = v.get("points_kind")
    pt = v.get("points_to") or ""
    if got != kind:
        err("%s = %s: points_kind %r (points_to %r), want %r" % (name, want_val, got, pt, kind))
    if name in NAMED and NAMED[name] not in pt:
        err("%s: points_to %r does not name %s" % (name, pt, NAMED[name]))
    if kind in ("heap", "heap_freed"):
        chunk = ptr[name] - 0x10
        if "0x%x" % chunk not in pt:
            err("%s: points_to %r does not name its chunk 0x%x" % (name, pt, chunk))
        want_state = "inuse" if kind == "heap" else "free"
        if chunks.get(chunk) != want_state:
            err("%s: the heap model has chunk 0x%x %s, want %s"
                % (name, chunk, chunks.get(chunk), want_state))
    print("  %-14s %-16s %-13s %s" % (name, want_val, got, pt))

# the executable's globals
gl = {g.get("name"): g for g in stack.get("globals") or []}
for name, addr in sorted(glob.items()):
    g = gl.get(name)
    if g is None:
        err("global %s: not in stack.globals (%d globals)" % (name, len(gl)))
    elif g.get("addr") is None or int(g["addr"], 16) != addr:
        err("global %s: addr %s, the demo printed 0x%x" % (name, g.get("addr"), addr))
    elif g.get("kind") != "global":
        err("global %s: kind %r, want global" % (name, g.get("kind")))

# hold's locals against gdb's, same process, same stop
if have_gdb == "1" and hv:
    G = json.load(open(gdb_file))
    gf = [f for t in G["threads"] for f in t["frames"] if f["fn"] == "hold"]
    if not gf:
        err("gdb: no frame of hold()")
    else:
        for w in gf[0]["args"] + gf[0]["locals"]:
            v = hv.get(w["name"])
            if v is None:
                err("%s: gdb has it, memviz does not" % w["name"])
                continue
            for key in ("value", "type", "addr"):
                if key in w and v.get(key) != w[key]:
                    err("%s: %s %r, gdb %r" % (w["name"], key, v.get(key), w[key]))
    for w in G.get("globals", []):
        g = gl.get(w["name"])
        if g is None:
            continue   # reported above for the three the demo prints
        for key in ("kind", "type", "size", "addr", "value"):
            if g.get(key) != w[key]:
                err("global %s: %s %r, gdb %r" % (w["name"], key, g.get(key), w[key]))

for e in errs:
    print("  " + e)
sys.exit(1 if errs else 0)
EOF
exit 0
