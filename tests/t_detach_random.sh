#!/usr/bin/env bash
# Detach at 24 random stops of a demo: its output and exit status must equal
# those of an untraced run (the program runs on unharmed after --max-stops).
. tests/lib.sh
need_memviz
need_ptrace

run_untraced detach_target
want_out=$(cat "$OUT")
want_status=$STATUS
assert_eq "$want_status" 7 "untraced detach_target status"

memviz_json -- detach_target
total=$(json_get "$JSON" 'len(R)')
[ "$total" -gt 100 ] || fail "only $total stops in a full run"

RANDOM=4242
for i in $(seq 1 24); do
	n=$((RANDOM % (total - 2) + 1))
	# syscall stops too, so some detaches land inside malloc's brk/mmap calls
	memviz_json --max-stops "$n" --stop-on heap,syscall,signal,exit -- detach_target
	assert_eq "$STATUS" "$want_status" "exit status after detaching at stop $n"
	assert_eq "$(cat "$OUT")" "$want_out" "output after detaching at stop $n"
	assert_eq "$(json_get "$JSON" 'len(R)')" "$((n + 1))" "records at --max-stops $n (+ detach)"
	assert_eq "$(json_get "$JSON" 'R[-1]["event"]["kind"]')" detach "last record at stop $n"
done
exit 0
