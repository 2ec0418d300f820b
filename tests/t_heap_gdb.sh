#!/usr/bin/env bash
# memviz's glibc heap model agrees with gdb's, chunk for chunk (address,
# size, state, bin), on the heap states of demos/heap_bins: tcache-only
# frees, fastbins, unsorted, small and large bins, a split, coalescing with
# the previous, the next chunk and top, an mmapped chunk and 4 thread arenas.
#
# For each scenario memviz launches the demo with --stop-on signal
# --max-stops 2: the start record and the record of the demo's own SIGSTOP
# at its checkpoint; then memviz detaches, the SIGSTOP is delivered and the
# demo stays stopped while memviz waits for it.  gdb attaches and
# tests/gdb/heap_dump.py prints glibc's heap as libc6-dbg's types and
# main_arena describe it; then SIGCONT lets the demo end (status 0).
#
# Also checked, on gdb's side: every pointer the demo still holds is an
# in-use (or mmapped) chunk at p-0x10, every freed one lies in a free chunk
# or top, each scenario's state is the one it is meant to be (so a glibc
# that behaves differently is caught here, not blamed on memviz), and the
# chunk sizes of each arena sum to its span.  On memviz's side the same sum.
#
# HEAP_GDB_ONLY=1 checks gdb's half only; HEAP_GDB_SCENARIOS="a b" picks
# scenarios; VERBOSE=1 prints gdb's chunk list of each scenario.
. tests/lib.sh
need_memviz
need_cmd gdb
need_attach
[ -x demos/heap_bins ] || fail "demos/heap_bins is not built (make)"

GDB=(timeout -k 5 "${MV_TIMEOUT:-60}" gdb -batch -nx -q)

# libc6-dbg: gdb must know main_arena (a static symbol only the debug file has)
libc=$(ldd demos/heap_bins | awk '$1 ~ /^libc\.so/ { print $3 }')
[ -n "$libc" ] || skip "cannot find the libc of demos/heap_bins (ldd)"
"${GDB[@]}" -ex 'info address main_arena' "$libc" </dev/null 2>&1 |
	grep -q 'main_arena.* is ' ||
	skip "gdb does not know main_arena in $libc: libc debug symbols missing (apt-get install libc6-dbg)"

SCENARIOS=${HEAP_GDB_SCENARIOS:-"tcache fastbin unsorted sorted split coalesce_prev coalesce_next coalesce_top mmapped threads"}

# The checker: python3 check.py SCENARIO GDBJSON MEMVIZJSONL DEMOOUT
cat >"$T/check.py" <<'EOF'
import json, os, sys

scen, gdb_file, mv_file, out_file = sys.argv[1:5]
gdb_only = os.environ.get("HEAP_GDB_ONLY") == "1"
verbose = os.environ.get("VERBOSE") == "1"
errs = []


def err(msg):
    errs.append(msg)


def num(v):
    if isinstance(v, int):
        return v
    v = str(v).strip()
    return int(v, 16) if v.lower().startswith("0x") else int(v)


def binname(b):
    return None if b in (None, "", "null", "none") else b


def key(c):
    return (num(c["addr"]), num(c["size"]), c.get("state"), binname(c.get("bin")))


def show(k):
    return "0x%x 0x%x %s %s" % (k[0], k[1], k[2], k[3] or "-")


G = json.load(open(gdb_file))
if "error" in G:
    print("gdb: " + G["error"])
    sys.exit(1)

# ---- gdb's half ----------------------------------------------------------
if verbose:
    for a in G["arenas"]:
        print("  gdb arena %s %s..%s top %s" % (a["name"], a["start"], a["end"], a["top"]))
        for c in a["chunks"]:
            print("    " + show(key(c)))
    for c in G["mmapped"]:
        print("  gdb mmapped " + show(key(c)))
for n in G.get("notes", []):
    err("gdb script: " + n)
chunks = []                                     # (key, arena name)
for a in G["arenas"]:
    if not a["chunks"]:
        continue
    if sum(c["size"] for c in a["chunks"]) != num(a["end"]) - num(a["start"]):
        err("gdb: arena %s: chunk sizes do not sum to its span" % a["name"])
    chunks += [(key(c), a["name"]) for c in a["chunks"]]
mm = sorted(key(c) for c in G["mmapped"])
at = {k[0]: k for k, _ in chunks}
at.update({k[0]: k for k in mm})


def containing(addr):
    for k, _ in chunks:
        if k[0] <= addr < k[0] + k[1]:
            return k
    return None


# what the demo holds and what it freed, from its own lines
live, freed, big = {}, set(), {}
checkpoint = False
for line in open(out_file, errors="replace"):
    w = line.split()
    if w[:1] == ["malloc"] and len(w) == 4:
        p = num(w[3])
        live[p] = int(w[1])
        freed.discard(p)
    elif w[:1] == ["free"] and len(w) == 2:
        p = num(w[1])
        live.pop(p, None)
        freed.add(p)
    elif w[:2] == ["checkpoint", scen]:
        checkpoint = True
if not checkpoint:
    err("the demo never printed 'checkpoint %s'" % scen)
for p, n in sorted(live.items()):
    k = at.get(p - 0x10)
    if not k or k[2] not in ("inuse", "mmapped") or k[1] < n + 8:
        err("malloc(%d) -> 0x%x: gdb has no in-use chunk of %d+ bytes at 0x%x (%s)"
            % (n, p, n + 8, p - 0x10, show(k) if k else "none"))
for p in sorted(freed):
    k = containing(p - 0x10)
    if not k or k[2] not in ("free", "top"):
        err("free(0x%x): gdb has no free chunk or top there (%s)" % (p, show(k) if k else "none"))

# the state each scenario is meant to reach
main = [k for k, a in chunks if a == "main"]


def count(ks, bin=None, size=None, state=None):
    return sum(1 for k in ks if (bin is None or k[3] == bin) and
               (size is None or k[1] == size) and (state is None or k[2] == state))


def expect(cond, what):
    if not cond:
        err("gdb: %s: not the state the scenario is meant to make: %s" % (scen, what))


ours = [k for k in main if k[0] + 0x10 in live or k[0] + 0x10 in freed]
if scen == "tcache":
    expect(count(ours, "tcache") == 5 and count(ours, state="free") == 5, "5 frees in the tcache")
elif scen == "fastbin":
    expect(count(ours, "tcache", 0x30) == 7 and count(ours, "fast", 0x30) == 3,
           "7 chunks of 0x30 in the tcache, 3 in a fastbin")
elif scen == "unsorted":
    expect(count(main, "unsorted", 0x500) == 1, "a 0x500 chunk in the unsorted bin")
elif scen == "sorted":
    expect(count(main, "small", 0x110) == 1 and count(main, "large", 0x500) == 1
           and count(main, "unsorted") == 0, "0x110 in a small bin, 0x500 in a large bin")
elif scen == "split":
    expect(count(main, "unsorted", 0x3f0) == 1 and count(ours, size=0x110, state="inuse") == 1,
           "an in-use 0x110 chunk and its 0x3f0 remainder in the unsorted bin")
elif scen in ("coalesce_prev", "coalesce_next"):
    expect(count(main, "unsorted", 0xa00) == 1, "one 0xa00 chunk (two 0x500 merged) unsorted")
elif scen == "coalesce_top":
    top = [k for k in main if k[2] == "top"]
    expect(len(top) == 1 and top[0][0] + 0x10 in freed, "top starts at the freed chunk")
elif scen == "mmapped":
    expect(len(mm) == 1 and mm[0][0] + 0x10 in live and mm[0][1] >= 256 * 1024,
           "one mmapped chunk, the 256 KiB block")
elif scen == "threads":
    others = [a for a in G["arenas"] if a["name"] != "main"]
    expect(len(others) >= 4, "4 thread arenas (gdb sees %d)" % len(others))
    for a in others:
        ks = [key(c) for c in a["chunks"]]
        expect(count(ks, "unsorted", 0x500) == 1 and count(ks, "tcache") == 2,
               "arena %s: a 0x500 chunk unsorted and 2 in the tcache" % a["addr"])

# ---- memviz against gdb ---------------------------------------------------
if not gdb_only:
    R = [json.loads(l) for l in open(mv_file) if l.strip()]
    r = R[1] if len(R) > 1 else {}
    ev = r.get("event", {})
    h = r.get("heap") or {}
    if ev.get("kind") != "signal" or ev.get("signal") != "SIGSTOP":
        err("memviz record 2 is not the SIGSTOP: %s" % json.dumps(ev)[:200])
    elif h.get("model") != "glibc":
        err("memviz record 2: heap model %r, not glibc (no heap model yet?)" % h.get("model"))
    else:
        if h.get("degraded"):
            err("memviz: bin details off: %s" % h["degraded"])
        mv_arenas = {}
        for a in h.get("arenas", []):
            ks = [key(c) for c in a.get("chunks", [])]
            tot = sum(k[1] for k in ks)
            if tot != num(a["end"]) - num(a["start"]):
                err("memviz arena %s: chunk sizes sum to 0x%x, span %s..%s is 0x%x"
                    % (a.get("name"), tot, a["start"], a["end"], num(a["end"]) - num(a["start"])))
            mv_arenas[num(a["top"]) if a.get("top") else ks[-1][0] if ks else 0] = (a, ks)
        for a in G["arenas"]:
            if not a["chunks"]:
                continue
            m = mv_arenas.pop(num(a["top"]), None)
            if m is None:
                err("memviz has no arena with top %s (gdb's %s at %s); its tops: %s"
                    % (a["top"], a["name"], a["addr"],
                       " ".join("0x%x" % t for t in mv_arenas) or "none"))
                continue
            want = [key(c) for c in a["chunks"]]
            got = m[1]
            if want != got:
                diff = [("- " + show(k)) for k in want if k not in got] + \
                       [("+ " + show(k)) for k in got if k not in want]
                err("arena %s (gdb %s): %d chunks in gdb, %d in memviz; differ (- gdb, + memviz):\n    %s"
                    % (m[0].get("name"), a["name"], len(want), len(got), "\n    ".join(diff[:30])))
        for t, (a, ks) in mv_arenas.items():
            if ks:
                err("memviz arena %s (top 0x%x) is not one gdb knows" % (a.get("name"), t))
        if "mmapped" not in h and mm:
            err("memviz heap has no \"mmapped\" list; gdb: %s" % ", ".join(show(k) for k in mm))
        else:
            got = sorted(key(c) for c in h.get("mmapped", []))
            if got != mm:
                err("mmapped chunks: gdb [%s], memviz [%s]" % (", ".join(show(k) for k in mm),
                                                              ", ".join(show(k) for k in got)))

for e in errs:
    print(e)
sys.exit(1 if errs else 0)
EOF

# run_scenario NAME: memviz + the stopped demo + gdb; sets GJ, MJ, DO.
# Returns 1 (with a message) when it could not get both pictures.
run_scenario() {
	local s=$1 fifo=$T/$1.fifo mv catp pid="" st="" i
	MJ=$T/$s.jsonl DO=$T/$s.out GJ=$T/$s.gdb.json
	# memviz flushes a record at once only to a pipe, socket or terminal;
	# to a regular file at its end: read its -o through a FIFO
	mkfifo "$fifo" || fail "mkfifo"
	: >"$MJ"
	cat "$fifo" >"$MJ" &
	catp=$!
	"$MEMVIZ" --json --stop-on signal --max-stops 2 -o "$fifo" -- demos/heap_bins "$s" \
		</dev/null >"$DO" 2>"$T/$s.err" &
	mv=$!
	BG_PIDS="$mv $catp"
	for ((i = 0; i < 400; i++)); do
		if [ -z "$pid" ] && [ "$(wc -l <"$MJ")" -ge 2 ]; then
			pid=$(json_get "$MJ" 'R[1]["pid"]')
			BG_PIDS="$mv $catp $pid"
		fi
		if [ -n "$pid" ]; then
			# the state letter after the ")" closing the command name:
			# T = stopped by its SIGSTOP with no tracer (t while traced)
			st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)
			[ "$st" = T ] && break
		fi
		kill -0 "$mv" 2>/dev/null || break
		sleep 0.05
	done
	if [ "$st" != T ]; then
		echo "$s: the demo did not stop at its checkpoint under memviz" \
			"(pid '${pid}', state '$st'); memviz said:"
		tail -n 5 "$T/$s.err"
		kill -9 ${pid:+"$pid"} "$mv" 2>/dev/null
		wait "$mv" 2>/dev/null
		return 1
	fi
	"${GDB[@]}" -p "$pid" -x tests/gdb/heap_dump.py </dev/null >"$T/$s.gdb.out" 2>"$T/$s.gdb.err"
	grep -E '^\{"(arenas|error)"' "$T/$s.gdb.out" | tail -n 1 >"$GJ"
	# let the demo run to its end; memviz, still its parent, then exits
	kill -CONT "$pid" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		kill -0 "$mv" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$mv" 2>/dev/null; then
		echo "$s: memviz still running 10 s after SIGCONT to the demo"
		kill -9 "$pid" "$mv" 2>/dev/null
		wait "$mv" 2>/dev/null
		return 1
	fi
	wait "$mv"
	st=$?
	wait "$catp"
	BG_PIDS=
	if [ ! -s "$GJ" ]; then
		echo "$s: gdb printed no JSON:"
		tail -n 5 "$T/$s.gdb.err" "$T/$s.gdb.out"
		return 1
	fi
	if [ "$st" != 0 ]; then
		echo "$s: memviz exited $st after the demo went on (want the demo's 0)"
		tail -n 5 "$T/$s.err"
		return 1
	fi
	return 0
}

failed=""
for s in $SCENARIOS; do
	echo "== $s"
	if ! run_scenario "$s"; then
		failed="$failed $s"
		continue
	fi
	if ! "$PY" "$T/check.py" "$s" "$GJ" "$MJ" "$DO"; then
		failed="$failed $s"
	fi
done
[ -z "$failed" ] || fail "heap differs from gdb's, or could not be checked, in:$failed"
exit 0
