#!/usr/bin/env bash
# A forking demo: the child inherits memviz's int3s and must not die of
# them; memviz follows the parent; both run as they would untraced.
. tests/lib.sh
need_memviz
need_ptrace

run_untraced forker
assert_eq "$STATUS" 0 "untraced forker"
memviz_json -- forker
json_check "$JSON"
assert_eq "$STATUS" 0 "forker under memviz"
grep -q '^child ok$' "$OUT" || fail "the child did not finish: $(cat "$OUT")"
grep -q '^parent child status 0$' "$OUT" || fail "the parent saw the child fail: $(cat "$OUT")"
ppid=$(awk '$1 == "parent" && $2 == "pid" {print $3}' "$OUT")
heap_diff "$OUT" "$JSON" parent "$ppid"
# no record comes from the child's pid
cpid=$(awk '$1 == "child" && $2 == "pid" {print $3}' "$OUT")
assert_eq "$(json_get "$JSON" "sum(1 for r in R if r['pid'] == $cpid)")" 0 "records of the child"
exit 0
