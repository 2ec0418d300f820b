#!/usr/bin/env bash
# The bug detectors, headless, against the demos' own truth.
#
# demos/bugs KIND commits one bug and prints, just before it, the
# diagnostic memviz must give ("bug KIND addr 0x.. line N fn F",
# include/diagnose.h says what addr and line mean for each kind).  Under
#
#   memviz --json --stop-on heap,call,return,line,signal,exit -- demos/bugs SUB
#
# the records must hold exactly one diagnostic, that one: its kind, addr,
# at.fn and at.line; and the program must end as it does untraced (glibc's
# abort, SIGSEGV, or 0).  For double_free the diagnostic comes at free's
# entry ("entry":true), before the SIGABRT record of glibc's abort.
#
# The tour has two deliberate bugs and prints their truth lines too: it
# must yield those two and nothing else.  demos/dangling returns a local's
# address up 65 frames on purpose (to_popped): one dangling_stack_pointer,
# at the innermost return (popped_addr's call line in popped_addr), the
# value it printed.  The clean demos yield none.
#
# --text prints the diagnostics too; and without `diagnostics` in
# --fields there are no free-entry stops and no watchpoint stops.
. tests/lib.sh
need_memviz
need_ptrace
[ -x demos/bugs ] || skip "demos/bugs is not built (make)"
export LC_ALL=C
STOP=heap,call,return,line,signal,exit

# check_truth JSON OUT [EXTRA]: the records' diagnostics are exactly the
# truth lines OUT has ("bug ..."), plus EXTRA ("KIND ADDR FN LINE", one
# per line); for a double_free, before the SIGABRT record.
check_truth() {
	"$PY" - "$1" "$2" "${3:-}" <<'EOF'
import json, sys
jf, of, extra = sys.argv[1:4]
want = []
for l in open(of, errors="replace"):
    w = l.split()
    if len(w) == 8 and w[0] == "bug" and w[2] == "addr" and w[4] == "line" and w[6] == "fn":
        want.append((w[1], int(w[3], 16), w[7], int(w[5])))
for l in extra.splitlines():
    w = l.split()
    want.append((w[0], int(w[1], 16), w[2], int(w[3])))
R = [json.loads(l) for l in open(jf) if l.strip()]
got = [(i, d) for i, r in enumerate(R) for d in r.get("diagnostics", [])]
errs = []
for kind, addr, fn, line in want:
    hit = [(i, d) for i, d in got if d["kind"] == kind and int(d["addr"], 16) == addr and
           d["at"].get("fn") == fn and d["at"].get("line") == line]
    if len(hit) != 1:
        errs.append("want one %s at 0x%x in %s line %d, got %d" % (kind, addr, fn, line, len(hit)))
        continue
    i, d = hit[0]
    print("  ok %s 0x%x %s:%d (record %d, %s): %s" % (kind, addr, fn, line, R[i]["seq"],
          R[i]["event"]["kind"], d["message"]))
    if kind == "double_free":
        ev = R[i]["event"]
        if ev.get("kind") != "free" or ev.get("entry") is not True:
            errs.append("double_free: not in a free-entry record: %r" % ev)
        ab = [k for k, r in enumerate(R) if r["event"].get("kind") == "signal"
              and r["event"].get("signal") == "SIGABRT"]
        if not ab or ab[0] < i:
            errs.append("double_free: the SIGABRT record (%s) is not after it (%d)" % (ab, i))
if len(got) != len(want):
    errs.append("%d diagnostics, want %d:" % (len(got), len(want)))
    for i, d in got:
        errs.append("    %s %s %s:%s %s" % (d["kind"], d["addr"], d["at"].get("fn"),
                    d["at"].get("line"), d["message"]))
for e in errs:
    print("  " + e)
sys.exit(1 if errs else 0)
EOF
}

# ---- each bug of demos/bugs --------------------------------------------
for sub in dangling_return pointer_arith bad_deref uninit_read use_after_free off_by_one \
	stack_overflow leak double_free; do
	echo "bugs $sub"
	run_untraced bugs "$sub"
	want=$STATUS
	memviz_json --stop-on "$STOP" -- bugs "$sub"
	json_check "$JSON"
	[ "$(grep -c '^bug ' "$OUT")" = 1 ] || fail "bugs $sub printed no truth line"
	assert_eq "$STATUS" "$want" "bugs $sub: memviz's status (untraced: $want)"
	check_truth "$JSON" "$OUT" || fail "bugs $sub: diagnostics differ from the truth (above)"
done

# ---- --text: the diagnostic's line -----------------------------------------
timeout -k 5 60 "$MEMVIZ" --text --stop-on heap,signal,exit -o "$T/df.txt" -- demos/bugs double_free \
	</dev/null >"$T/df.out" 2>&1
p=$(awk '$1 == "bug" {print $4}' "$T/df.out")
grep -q "^  ! double_free $p: .*a second time" "$T/df.txt" || fail "--text: no '! double_free $p' line"
grep -q "^#[0-9]* free($p) (entry)" "$T/df.txt" || fail "--text: no free-entry header"

# ---- without the diagnostics field: no entry stops, no watchpoints --------
memviz_json --fields event,heap --stop-on "$STOP" -- bugs use_after_free
json_check "$JSON"
n=$(json_get "$JSON" 'sum(1 for r in R if r["event"].get("entry") or r["event"]["kind"] == "watch"
	or "diagnostics" in r)')
assert_eq "$n" 0 "entry/watch records or diagnostics with --fields event,heap"
memviz_json --fields event,heap,diagnostics --stop-on "$STOP" -- bugs use_after_free
assert_eq "$(json_get "$JSON" 'sum(1 for r in R if r["event"]["kind"] == "watch")')" 1 \
	"watch records with --fields event,heap,diagnostics"

# ---- the tour: its two bugs, nothing else -----------------------------------
echo "tour"
memviz_json --stop-on "$STOP" -- tour
json_check "$JSON"
assert_eq "$STATUS" 0 "tour's status"
assert_eq "$(grep -c '^bug ' "$OUT")" 2 "the tour's truth lines"
check_truth "$JSON" "$OUT" || fail "tour: diagnostics differ from its truth (above)"

# ---- demos/dangling: the returned local, once -------------------------------
echo "dangling"
memviz_json --stop-on "$STOP" -- dangling
json_check "$JSON"
popped=$(awk '$1 == "ptr" && $2 == "to_popped" {print $3}' "$OUT")
line=$(grep -n 'return popped_addr(n - 1)' demos/dangling.c | cut -d: -f1)
[ -n "$popped" ] && [ -n "$line" ] || fail "dangling: no to_popped line or no recursive call"
check_truth "$JSON" "$OUT" "dangling_stack_pointer $popped popped_addr $line" ||
	fail "dangling: diagnostics differ (above)"

# ---- the clean demos: none --------------------------------------------------
for d in heap_split_coalesce stack_frames threads brk_mmap memory_pool paging fit_strategies \
	heap_story forker signals; do
	[ -x "demos/$d" ] || { echo "$d: not built, not checked"; continue; }
	echo "$d"
	stop=$STOP
	# tens of thousands of line stops in their loops: too slow for the
	# test's time, and their lines are the other demos' kind of code
	case $d in threads | paging) stop=heap,call,return,signal,exit ;; esac
	memviz_json --stop-on "$stop" -- "$d"
	json_check "$JSON"
	n=$(json_get "$JSON" 'sum(len(r.get("diagnostics", [])) for r in R)')
	[ "$n" = 0 ] || { json_get "$JSON" '[d["kind"] + " " + d["message"] for r in R
		for d in r.get("diagnostics", [])]'; fail "$d: $n diagnostics, want none"; }
done
exit 0
