#!/usr/bin/env bash
# A corrupted heap (demos/off_by_one: a string's NUL overwrites the next
# chunk's size field) is shown, never fatal to memviz: a header_overwrite
# diagnostic at the damaged header, the walk going on past it, and the
# program dying of glibc's abort exactly as it does untraced.
. tests/lib.sh
need_memviz
need_ptrace

run_untraced off_by_one
want=$STATUS
assert_eq "$want" 134 "untraced off_by_one (glibc aborts)"
memviz_json --fields event,heap,diagnostics -- off_by_one
json_check "$JSON"
assert_eq "$STATUS" "$want" "memviz status on off_by_one"
bad=$(awk '$1 == "overwrite" {print $2}' "$OUT")
[ -n "$bad" ] || fail "the demo printed no overwrite line"
# before the overwrite: no diagnostic; after it: header_overwrite at $bad
assert_eq "$(json_get "$JSON" '[len(r["diagnostics"]) for r in R if r["event"]["kind"] == "malloc"][:3]')" \
	"$(printf '0\n0\n0')" "diagnostics before the overwrite"
got=$(json_get "$JSON" '[d["kind"] + " " + d["addr"] for r in R if r["event"]["kind"] == "malloc"
	for d in r["diagnostics"]][0]')
assert_eq "$got" "header_overwrite $bad" "diagnostic after the overwrite"
# the damaged chunk is marked, and the chunks after it are still walked
json_get "$JSON" '[(c["addr"], c["state"]) for r in R if r["event"]["kind"] == "signal"
	for a in r["heap"]["arenas"] for c in a["chunks"]]' >"$T/chunks"
grep -q "\"$bad\", \"corrupt\"" "$T/chunks" || fail "no corrupt chunk at $bad: $(cat "$T/chunks")"
grep -q '"top"' "$T/chunks" || fail "the walk did not reach top past the damage"
assert_eq "$(json_get "$JSON" '[r["event"].get("signal") for r in R if r["event"]["kind"] == "signal"][0]')" \
	SIGABRT "the program's own abort"
exit 0
