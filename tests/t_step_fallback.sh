#!/usr/bin/env bash
# A breakpoint on a function whose first instruction the emulator does not
# know (Debian 12's clock_gettime begins with a rip-relative load): memviz
# single-steps it instead.  Every call is seen and the program is unharmed.
. tests/lib.sh
need_memviz
need_ptrace

memviz_json --fields event --break clock_gettime -- sleeper 0.3
json_check "$JSON"
assert_eq "$STATUS" 0 "sleeper under --break clock_gettime"
ticks=$(grep -c '^tick' "$OUT")
grep -q "^done $ticks$" "$OUT" || fail "sleeper did not finish: $(tail -2 "$OUT")"
# now() runs once before the loop and once per loop test: ticks + 2 calls
assert_eq "$(json_count "$JSON" break)" $((ticks + 2)) "clock_gettime calls seen"
assert_eq "$(json_get "$JSON" '",".join(sorted({r["event"]["at"].get("fn", "") for r in R if r["event"]["kind"] == "break"}))')" \
	now "caller of clock_gettime"
exit 0
