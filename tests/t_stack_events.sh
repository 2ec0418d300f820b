#!/usr/bin/env bash
# Source-level events from the program's DWARF: `call` and `return` for its
# own functions, `line` steps, `--break FILE:LINE` and `--break FUNC`, and
# the file:line of every event's `at`.  Oracles: gdb's `step` sequence and
# `break` addresses, the demo's source text, and the result it prints.
. tests/lib.sh
need_memviz
need_ptrace

src=demos/stack_frames.c
line_of() {   # the line number of the first source line containing $1
	grep -nF -- "$1" "$src" | head -1 | cut -d: -f1
}

# ---- call and return -------------------------------------------------------
memviz_json --fields event --stop-on call,return -- stack_frames 3
json_check "$JSON"
assert_eq "$STATUS" 0 "stack_frames under --stop-on call,return"
result=$(sed -n 's/^result //p' "$OUT")
[ -n "$result" ] || fail "the demo printed no result"
"$PY" - "$JSON" "$result" "$(line_of 'result = outer(depth);')" <<'EOF' || fail "call/return sequence"
import json, sys
R = [json.loads(l) for l in open(sys.argv[1])]
result, outer_line = int(sys.argv[2]), int(sys.argv[3])
ev = [r["event"] for r in R if r["event"]["kind"] in ("call", "return")]
stack = []
for e in ev:
    if e["kind"] == "call":
        stack.append(e["fn"])
    else:
        if not stack or stack[-1] != e["fn"]:
            sys.exit("return %s does not match the open calls %s" % (e["fn"], stack))
        stack.pop()
if stack:
    sys.exit("calls never returned: %s" % stack)
calls = [e["fn"] for e in ev if e["kind"] == "call"]
if calls[0] != "main":
    sys.exit("first call is %s, not main" % calls[0])
want = ["outer", "middle", "many_args", "recurse", "recurse", "recurse", "recurse"]
got = [c for c in calls if c in ("outer", "middle", "many_args", "recurse")]
if got != want:
    sys.exit("calls %s, want %s" % (got, want))
ret_outer = [e for e in ev if e["kind"] == "return" and e["fn"] == "outer"][0]
if int(ret_outer["ret"], 0) != result:
    sys.exit("return outer = %s, the program printed result %d" % (ret_outer["ret"], result))
call_outer = [e for e in ev if e["kind"] == "call" and e["fn"] == "outer"][0]
for e, what in ((call_outer, "call outer"), (ret_outer, "return outer")):
    at = e["at"]
    if at.get("fn") != "main" or not at.get("file", "").endswith("stack_frames.c") \
            or at.get("line") != outer_line:
        sys.exit("%s at %s, want main at stack_frames.c:%d" % (what, at, outer_line))
print("call/return: %d events, balanced; outer returned %d" % (len(ev), result))
EOF

# A call stops after the prologue, where gdb's `break FUNC` stops: the new
# frame is in place and its line is gdb's.
gdb_break_line() {   # FUNC -> the line gdb's `break FUNC` reports
	gdb -batch -nx -ex "break $1" demos/stack_frames 2>/dev/null |
		sed -n 's/^Breakpoint 1 at .*line \([0-9]*\)\.$/\1/p'
}
if command -v gdb >/dev/null; then
	memviz_json --fields event,stack --stop-on call --max-stops 12 -- stack_frames 3
	for fn in outer middle many_args recurse; do
		want=$(gdb_break_line "$fn")
		got=$(json_get "$JSON" "[r['stack']['threads'][0]['frames'][0]['line'] for r in R
			if r['event']['kind'] == 'call' and r['event']['fn'] == '$fn'][0]")
		assert_eq "$got" "$want" "line of the new frame at call $fn (gdb: break $fn)"
	done
fi

# ---- line steps, against gdb's `step` --------------------------------------
if command -v gdb >/dev/null; then
	memviz_json --fields event --stop-on line -- stack_frames 1
	json_check "$JSON"
	assert_eq "$STATUS" 0 "stack_frames under --stop-on line"
	json_get "$JSON" '["%s:%d" % (r["event"]["at"]["file"], r["event"]["at"]["line"])
		for r in R if r["event"]["kind"] == "line"]' >"$T/ours"
	steps=()
	for _ in $(seq "$(($(wc -l <"$T/ours") + 5))"); do steps+=(-ex step); done
	# gdb steps into libc too (libc6-dbg has its lines); memviz keeps to
	# the program's own code, so gdb is told to skip libc's files.
	timeout 120 gdb -batch -nx -ex 'skip -gfi ./*/*' -ex 'skip -gfi ./*/*/*' \
		-ex 'skip -gfi ../*/*' -ex 'skip -gfi ../*/*/*' -ex 'skip -gfi ../*/*/*/*' \
		-ex 'break main' -ex run "${steps[@]}" --args demos/stack_frames 1 \
		</dev/null >"$T/gdb.out" 2>&1
	"$PY" - "$T/gdb.out" >"$T/theirs" <<'EOF'
import re, sys
file = None
for l in open(sys.argv[1], errors="replace"):
    m = re.search(r" at (\S+):(\d+)$", l.rstrip("\n"))
    if m:
        file = m.group(1)
        continue
    m = re.match(r"(\d+)\t", l)
    if m and file:
        if not file.startswith("demos/"):
            break          # main returned into libc: the program's lines end
        print("%s:%s" % (file, m.group(1)))
EOF
	[ -s "$T/theirs" ] || fail "gdb stepped nowhere: $(tail -3 "$T/gdb.out")"
	if ! diff "$T/theirs" "$T/ours" >"$T/line.diff"; then
		head -20 "$T/line.diff"
		fail "line steps differ from gdb's step (< gdb, > memviz)"
	fi
	echo "line: $(wc -l <"$T/ours") steps, the same as gdb's"

	# lines and calls together: the same lines, and each call followed
	# at once by its function's first line
	memviz_json --fields event --stop-on line,call -- stack_frames 1
	"$PY" - "$JSON" "$T/ours" <<'EOF2' || fail "--stop-on line,call"
import json, sys
R = [json.loads(l)["event"] for l in open(sys.argv[1])]
lines = ["%s:%d" % (e["at"]["file"], e["at"]["line"]) for e in R if e["kind"] == "line"]
if lines != open(sys.argv[2]).read().split():
    sys.exit("the lines differ from --stop-on line alone")
for i, e in enumerate(R):
    if e["kind"] == "call" and (R[i + 1]["kind"] != "line" or R[i + 1]["at"]["fn"] != e["fn"]):
        sys.exit("call %s is followed by %s" % (e["fn"], R[i + 1]))
EOF2
fi

# ---- --break FILE:LINE and FUNC ------------------------------------------
l=$(line_of 'below = recurse(n - 1);')
memviz_json --fields event,stack --break "stack_frames.c:$l" -- stack_frames 4
json_check "$JSON"
assert_eq "$STATUS" 0 "stack_frames under --break stack_frames.c:$l"
assert_eq "$(json_count "$JSON" break)" 4 "stops at line $l (4 levels recurse on)"
assert_eq "$(json_get "$JSON" '",".join(sorted({"%s:%d" % (r["event"]["at"]["fn"], r["event"]["at"]["line"])
	for r in R if r["event"]["kind"] == "break"}))')" "recurse:$l" "at of the FILE:LINE stops"
# the n of each stop: 4, 3, 2, 1 (the program's own recursion)
assert_eq "$(json_get "$JSON" '" ".join(v["value"] for r in R if r["event"]["kind"] == "break"
	for v in r["stack"]["threads"][0]["frames"][0]["vars"] if v["name"] == "n")')" "4 3 2 1" \
	"n at each stop"

if command -v gdb >/dev/null; then
	# FUNC: after the prologue, at gdb's address (both runs without ASLR)
	want=$(gdb -batch -nx -ex 'break many_args' -ex run -ex 'p/x $pc' \
		--args demos/stack_frames 1 2>/dev/null | sed -n 's/^\$1 = //p')
	memviz_json --no-aslr --fields event --break many_args -- stack_frames 1
	assert_eq "$(json_get "$JSON" '[r["event"]["pc"] for r in R if r["event"]["kind"] == "break"][0]')" \
		"$want" "--break many_args stops where gdb's break many_args does"
fi

# a line without code moves to the next line with code, as in gdb; no
# line at all is a clear error
memviz_json --fields event --break "stack_frames.c:99999" -- stack_frames 1
assert_eq "$STATUS" 1 "--break at a line past the end fails"
grep -q "no code at that line" "$ERR" || fail "no clear error: $(cat "$ERR")"

# ---- at: file and line of heap events -------------------------------------
memviz_json --fields event -- stack_frames 2
l=$(line_of 'char *p = malloc(16);')
assert_eq "$(json_get "$JSON" '[("%s %s:%d" % (r["event"]["at"]["fn"], r["event"]["at"]["file"], r["event"]["at"]["line"]))
	for r in R if r["event"]["kind"] == "malloc" and r["event"]["args"] == ["16"]][0]')" \
	"recurse demos/stack_frames.c:$l" "at of malloc(16)"
exit 0
