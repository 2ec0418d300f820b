#!/usr/bin/env bash
# --pure-heap: the launched program gets tcache and fastbins turned off
# through GLIBC_TUNABLES, merged with any value it already has; so a small
# free goes straight back to the bins and coalesces, as in the textbook.
. tests/lib.sh
need_memviz
need_ptrace

memviz_json --pure-heap --stop-on exit -- /usr/bin/env
assert_eq "$STATUS" 0 "env under --pure-heap"
assert_eq "$(grep '^GLIBC_TUNABLES=' "$OUT")" \
	"GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0" "the tunables set"
GLIBC_TUNABLES=glibc.malloc.check=0 memviz_json --pure-heap --stop-on exit -- /usr/bin/env
assert_eq "$(grep '^GLIBC_TUNABLES=' "$OUT")" \
	"GLIBC_TUNABLES=glibc.malloc.check=0:glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0" \
	"the tunables merged with the program's own"
memviz_json --stop-on exit -- /usr/bin/env
grep -q '^GLIBC_TUNABLES=' "$OUT" && fail "GLIBC_TUNABLES set without --pure-heap"

# The effect: without tcache, freeing the 24-byte block leaves a free chunk
# in a real bin (not tcache), and the 500-byte block freed next to a free
# neighbour coalesces at once.
memviz_json --pure-heap --fields event,heap -- heap_split_coalesce
json_check "$JSON"
assert_eq "$STATUS" 0 "heap_split_coalesce under --pure-heap"
heap_diff "$OUT" "$JSON"
tc=$(json_get "$JSON" 'sum(1 for r in R for a in r.get("heap", {}).get("arenas", [])
	for c in a["chunks"] if c["bin"] == "tcache")')
assert_eq "$tc" 0 "chunks in tcache under --pure-heap"
co=$(json_get "$JSON" 'sum(1 for r in R for c in r.get("heap", {}).get("changes", [])
	if c["kind"] == "coalesce")')
[ "$co" -ge 1 ] || fail "no coalesce under --pure-heap"
exit 0
