#!/usr/bin/env bash
# A program that runs system() (a vfork child that shares its memory, with
# memviz's int3s in it) and then execs itself: both behave as untraced, and
# the heap calls of the new image are traced too (memviz re-arms after exec).
. tests/lib.sh
need_memviz
need_ptrace

run_untraced spawner
want_out=$(grep -v 0x "$OUT")
assert_eq "$STATUS" 0 "untraced spawner"
memviz_json -- spawner
json_check "$JSON"
assert_eq "$STATUS" 0 "spawner under memviz"
assert_eq "$(grep -v 0x "$OUT")" "$want_out" "the program's output"
{ truth_heap "$OUT"; truth_heap "$OUT" after; } >"$T/truth"
json_heap "$JSON" >"$T/json"
diff -u "$T/truth" "$T/json" || fail "heap events across system() and exec differ from the truth"
assert_eq "$(json_get "$JSON" '[r["event"]["at"]["fn"] for r in R if r["event"]["kind"] == "malloc"][-1]')" \
	after_exec "function of the malloc after exec"
assert_eq "$(json_get "$JSON" 'R[-1]["event"]["status"]')" 0 "exit record"
exit 0
