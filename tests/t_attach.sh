#!/usr/bin/env bash
# Attach to a demo that is already running, see its heap calls, detach:
# it must go on ticking and end normally, as if nothing happened.
. tests/lib.sh
need_memviz
need_attach

demos/sleeper 4 >"$T/sleeper.out" 2>&1 </dev/null &
spid=$!
BG_PIDS=$spid
wait_for_line "$T/sleeper.out" '^tick 3$'

timeout 20 "$MEMVIZ" --json -o "$T/a.jsonl" --max-stops 6 -p "$spid" </dev/null 2>"$T/a.err"
st=$?
assert_eq "$st" 0 "memviz -p exit status"
json_check "$T/a.jsonl"
assert_eq "$(json_get "$T/a.jsonl" 'R[0]["event"]["kind"]')" start "first record"
assert_eq "$(json_get "$T/a.jsonl" 'R[-1]["event"]["kind"]')" detach "last record"
n=$(json_get "$T/a.jsonl" 'sum(1 for r in R if r["event"]["kind"] in ("malloc", "free"))')
[ "$n" -ge 4 ] || fail "only $n heap events while attached"
# the sleeper asks for 64 + n % 256 bytes: every size seen is one of those
bad=$(json_get "$T/a.jsonl" '[a for r in R if r["event"]["kind"] == "malloc"
	for a in r["event"]["args"] if not 64 <= int(a) < 320]')
[ -z "$bad" ] || fail "malloc sizes the sleeper never asks for: $bad"

wait "$spid"
st=$?
assert_eq "$st" 0 "sleeper exit status after detach"
grep -q '^done ' "$T/sleeper.out" || fail "sleeper did not finish: $(tail -2 "$T/sleeper.out")"
# no tick was lost or repeated: ticks are 1..N in order
"$PY" - "$T/sleeper.out" <<'PY' || fail "sleeper ticks out of order after detach"
import sys
t = [int(l.split()[1]) for l in open(sys.argv[1]) if l.startswith("tick ")]
sys.exit(0 if t == list(range(1, len(t) + 1)) else 1)
PY
exit 0
