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

# Every heap event's `at` names the demo function that called it.
memviz_json -- heap_split_coalesce
bad=$(json_get "$JSON" '[r["event"]["at"].get("fn") for r in R
	if r["event"]["kind"] in ("malloc", "free") and r["event"]["at"].get("fn") not in ("get", "put")]')
[ -z "$bad" ] || fail "heap events located outside get/put: $bad"
exit 0
