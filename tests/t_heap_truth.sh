#!/usr/bin/env bash
# malloc/free events against the pointers the demos print themselves.
. tests/lib.sh
need_memviz
need_ptrace

for demo in heap_split_coalesce tour; do
	memviz_json -- "$demo"
	json_check "$JSON"
	heap_diff "$OUT" "$JSON"
	run_untraced "$demo"
	assert_eq "$(json_get "$JSON" 'R[-1]["event"]["kind"]')" exit "$demo: last record"
done

# The same demo linked statically (malloc in the executable itself, no
# libc mapped) and as a non-PIE executable (no load bias).
need_cmd gcc
for how in -static -no-pie; do
	gcc -g -O0 $how -Idemos -o "$T/hsc$how" demos/heap_split_coalesce.c ||
		fail "cannot build the demo with $how"
	memviz_json -- "$T/hsc$how"
	json_check "$JSON"
	assert_eq "$STATUS" 0 "memviz on a $how build"
	heap_diff "$OUT" "$JSON"
done

# Every heap event's `at` names the demo function that called it.
memviz_json -- heap_split_coalesce
bad=$(json_get "$JSON" '[r["event"]["at"].get("fn") for r in R
	if r["event"]["kind"] in ("malloc", "free") and r["event"]["at"].get("fn") not in ("get", "put")]')
[ -z "$bad" ] || fail "heap events located outside get/put: $bad"
exit 0
