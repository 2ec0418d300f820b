#!/usr/bin/env bash
# Four threads all calling malloc: no event is lost, each carries its tid.
. tests/lib.sh
need_memviz
need_ptrace

K=500
memviz_json -- threads "$K"
json_check "$JSON"
assert_eq "$STATUS" 0 "threads under memviz"
want=$(awk '$1 == "total" && $2 == "mallocs" {print $3}' "$OUT")
assert_eq "$want" $((4 * K + 1)) "the demo's own count"
assert_eq "$(grep '^regs_bad' "$OUT")" "regs_bad 0" "callee-saved registers across traced calls"
# calls made by the demo's own code (libc also frees per-thread data at exit)
own() {
	json_get "$JSON" "sum(1 for r in R if r['event']['kind'] == '$1'
		and r['event']['at'].get('object', '').endswith('/demos/threads'))"
}
assert_eq "$(own malloc)" "$want" "malloc events"
assert_eq "$(own free)" "$(awk '$1 == "total" && $2 == "frees" {print $3}' "$OUT")" "free events"
ntid=$(json_get "$JSON" 'len({r["tid"] for r in R if r["event"]["kind"] == "malloc"})')
assert_eq "$ntid" 5 "distinct tids making mallocs (main + 4)"
# the checksum the threads compute is the same as untraced
run_untraced threads "$K"
want_sum=$(grep '^checksum' "$OUT")
memviz_json -- threads "$K"
assert_eq "$(grep '^checksum' "$OUT")" "$want_sum" "checksum under memviz"
# with stacks asked for, every thread is stopped for the record: each one
# has its registers (the five of them while the workers run)
memviz_json --fields event,stack -- threads 200
assert_eq "$STATUS" 0 "threads with --fields event,stack"
bad=$(json_get "$JSON" '[r["seq"] for r in R if r["event"]["kind"] == "malloc"
	and any(t["pc"] == "0x0" for t in r["stack"]["threads"])]')
[ -z "$bad" ] || fail "records with a thread without registers: $(head -c 200 <<<"$bad")"
n=$(json_get "$JSON" 'max(len(r["stack"]["threads"]) for r in R if r["event"]["kind"] == "malloc")')
assert_eq "$n" 5 "threads in the stack part while the workers run"
exit 0
