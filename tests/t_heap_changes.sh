#!/usr/bin/env bash
# heap.changes on the lecture's sequence (demos/heap_split_coalesce: split, and
# coalescing with the previous, the next and the top chunk) under
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
alloc:top
alloc:top
alloc:top
free:unsorted
coalesce:next
coalesce:top
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
# Without libc's debug file, main_arena is found through libc's relocations:
# the same bins and the same story.
cp "$T/got" "$T/got.dbg"
MEMVIZ_DEBUG_DIR=/nonexistent memviz_json --fields event,heap,diagnostics -- heap_split_coalesce
json_get "$JSON" '[" ".join(c["kind"] + ":" + c.get("detail", "") for c in r["heap"]["changes"])
	for r in R if r["event"]["kind"] in ("malloc", "free")]' >"$T/got"
diff -u "$T/got.dbg" "$T/got" || fail "changes differ without the debug file"
assert_eq "$(json_get "$JSON" '{r["heap"]["bins_known"] for r in R[1:-1]} == {True}')" true \
	"bins known without the debug file"

# The other kinds: the change list of the heap record of each call, per demo.
# changes DEMO ARGS...: "kind args -> kind/detail,..." per heap event
changes() {
	memviz_json --fields event,heap -- "$@"
	assert_eq "$STATUS" 0 "$*"
	heap_diff "$OUT" "$JSON"
	json_get "$JSON" '[r["event"]["kind"] + " " + ",".join(c["kind"] + "/" + c.get("detail", "")
		for c in r["heap"]["changes"]) for r in R if r["event"]["kind"] in ("malloc", "free")]'
}
expect_change() {   # expect_change WANT-LINE GOT-TEXT WHAT
	grep -qx -- "$1" <<<"$2" || fail "$3: no record '$1' in: $(tr '\n' '|' <<<"$2")"
}
got=$(changes heap_story)
expect_change "malloc consolidate/fast,alloc/top" "$got" "malloc_consolidate"
expect_change "malloc mmap/mmap" "$got" "mmapped block"
expect_change "free munmap/munmap" "$got" "munmap at free"
expect_change "malloc alloc/top,grow/brk" "$got" "brk grows"
expect_change "free coalesce/top,shrink/brk" "$got" "trim: brk shrinks"
expect_change "free free/fast" "$got" "free to a fastbin"
got=$(changes heap_bins coalesce_next nostop)
expect_change "free coalesce/next" "$got" "coalesce with the next chunk"
got=$(changes heap_bins coalesce_top nostop)
expect_change "free coalesce/top" "$got" "coalesce with top"
exit 0
