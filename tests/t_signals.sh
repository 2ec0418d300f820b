#!/usr/bin/env bash
# Signals reach the program exactly as untraced; its exit code passes
# through memviz; each delivery is a `signal` event.
. tests/lib.sh
need_memviz
need_ptrace

run_untraced signals
want_out=$(grep -v 0x "$OUT")   # pointers differ from run to run (ASLR)
want_status=$STATUS
memviz_json -- signals
json_check "$JSON"
assert_eq "$STATUS" "$want_status" "exit status through memviz"
assert_eq "$(grep -v 0x "$OUT")" "$want_out" "the demo's output"
sent=$(awk '$1 == "delivered" {print $2}' "$OUT")
assert_eq "$(json_get "$JSON" "sum(1 for r in R if r['event'].get('signal') == 'SIGUSR1' and r['event']['kind'] == 'signal')")" "$sent" "SIGUSR1 events"
assert_eq "$(json_get "$JSON" 'R[-1]["event"]["status"]')" "$want_status" "exit record status"
exit 0
