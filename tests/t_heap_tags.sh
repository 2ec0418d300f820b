#!/usr/bin/env bash
# The boundary-tag teaching allocator (demos/lib): memviz traces its
# tags_malloc/tags_free like malloc/free, and --heap-model auto picks the
# tags model, whose blocks match what the demo printed, under every fit and
# coalescing policy.
. tests/lib.sh
need_memviz
need_ptrace

for fit in first next best; do
	for co in immediate deferred; do
		memviz_json --fields event,heap,diagnostics -- fit_strategies "$fit" "$co"
		json_check "$JSON"
		assert_eq "$STATUS" 0 "fit_strategies $fit $co"
		heap_diff "$OUT" "$JSON" tags
		assert_eq "$(json_get "$JSON" '{r["heap"]["model"] for r in R[:-1]} == {"tags"}')" true \
			"model of every record ($fit $co)"
		# every pointer tags_malloc returned is an in-use block, 8 bytes past its header,
		# in the record of that call
		bad=$(json_get "$JSON" '[e["ret"] for r in R for e in [r["event"]]
			if e["kind"] == "malloc" and e["ret"] != "0x0" and not any(
				c["addr"] == "0x%x" % (int(e["ret"], 16) - 8) and c["state"] == "inuse"
				for a in r["heap"]["arenas"] for c in a["chunks"])]')
		[ -z "$bad" ] || fail "$fit $co: no in-use block for $bad"
		# the blocks tile the arena: sizes add up to its span
		json_get "$JSON" '[r["seq"] for r in R[:-1] for a in r["heap"]["arenas"]
			if sum(c["size"] for c in a["chunks"]) != int(a["end"], 16) - int(a["start"], 16)]' \
			>"$T/gaps"
		[ -s "$T/gaps" ] && fail "$fit $co: block sizes do not add up in records $(cat "$T/gaps")"
		assert_eq "$(json_get "$JSON" 'sum(len(r["diagnostics"]) for r in R)')" 0 "diagnostics ($fit $co)"
	done
done
# immediate coalescing shows coalesce changes; the heap grows at least once
memviz_json --fields event,heap -- fit_strategies first immediate
[ "$(json_get "$JSON" 'sum(1 for r in R for c in r["heap"]["changes"] if c["kind"] == "coalesce")')" -ge 1 ] ||
	fail "no coalesce under immediate coalescing"
# --heap-model glibc on the same program shows glibc's heap instead
memviz_json --fields event,heap --heap-model glibc -- fit_strategies
assert_eq "$(json_get "$JSON" 'R[0]["heap"]["model"]')" glibc "forced glibc model"
exit 0
