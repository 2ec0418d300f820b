#!/usr/bin/env bash
# heap.changes on the lecture's sequence (demos/heap_split_coalesce) under
# glibc 2.36: every malloc and free says what it did to the chunks, in the
# lecture's words, on the chunk of the pointer the demo printed.
. tests/lib.sh
need_memviz
need_ptrace

memviz_json --fields event,heap,diagnostics -- heap_split_coalesce
json_check "$JSON"
assert_eq "$STATUS" 0 "heap_split_coalesce"
heap_diff "$OUT" "$JSON"
# kind:detail of each record's changes, one line per heap event
json_get "$JSON" '[" ".join(c["kind"] + ":" + c.get("detail", "") for c in r["heap"]["changes"])
	for r in R if r["event"]["kind"] in ("malloc", "free")]' >"$T/got"
cat >"$T/want" <<'WANT'
alloc:top alloc:top grow:brk
alloc:top
alloc:top
alloc:top
alloc:top
alloc:top
free:tcache
alloc:tcache
free:unsorted
coalesce:previous
split:unsorted
split:unsorted
coalesce:previous
free:tcache
free:unsorted
free:tcache
free:tcache
free:tcache
WANT
diff -u "$T/want" "$T/got" || fail "heap changes differ from the lecture's story (- want, + memviz)"
# the chunk each change names first is the one of the pointer of the call
# (the new chunk for malloc, the freed one - or the merged one - for free)
bad=$(json_get "$JSON" '[r["seq"] for r in R if r["event"]["kind"] == "malloc"
	and r["heap"]["changes"][0]["kind"] in ("alloc", "split")
	and int(r["heap"]["changes"][-1 if r["seq"] == 1 else 0]["chunks"][0], 16) not in
	    (int(r["event"]["ret"], 16) - 16,)
	and r["seq"] != 1]')
[ -z "$bad" ] || fail "malloc records whose change is not at ret - 16: $bad"
# the first record (at main, before any malloc) has no heap yet and no diagnostics
assert_eq "$(json_get "$JSON" 'len(R[0]["diagnostics"])')" 0 "diagnostics before the first malloc"
exit 0
