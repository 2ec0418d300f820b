#!/usr/bin/env bash
# The command line as README documents it: --help, --version, usage errors,
# --fields, --stop-on exit/syscall, --break, --max-stops, where the records
# and the program's own stdout go, and the guided tour's missing demo.
. tests/lib.sh
need_memviz
need_ptrace
need_cmd nm

# --help: exit 0, on stdout, names every option README lists as implemented
timeout 10 "$MEMVIZ" --help </dev/null >"$T/help" 2>"$T/help.err"
assert_eq "$?" 0 "memviz --help status"
[ -s "$T/help.err" ] && fail "--help wrote to stderr: $(cat "$T/help.err")"
opts=$(sed -n '/^Implemented now:/,/^$/p' README.md | grep -oE '`-[-a-z]+' | tr -d '`' | sort -u)
[ "$(echo "$opts" | wc -l)" -ge 8 ] || fail "README's 'Implemented now' list not found: $opts"
for o in $opts; do
	grep -qE -- "(^|[ ,])$o([ ,=]|$)" "$T/help" || fail "--help does not mention $o (README says implemented)"
done
# and the implemented --stop-on kinds
for k in heap syscall signal exit; do
	grep -q -- "--stop-on.*$k" "$T/help" || fail "--help does not list --stop-on kind $k"
done

# --version: "memviz X.Y.Z", exit 0
ver=$(timeout 10 "$MEMVIZ" --version </dev/null 2>&1)
assert_eq "$?" 0 "memviz --version status"
[[ $ver =~ ^memviz\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version printed '$ver'"

# usage errors exit 2 and say so on stderr as memviz:
timeout 10 "$MEMVIZ" --bogus-option -- demos/tour </dev/null >"$T/o" 2>"$T/e"
assert_eq "$?" 2 "status for an unknown option"
grep -q -- '--bogus-option' "$T/e" || fail "unknown option: stderr does not name it: $(cat "$T/e")"
head -n 1 "$T/e" | grep -q '^memviz: ' || fail "unknown option: stderr does not start with 'memviz: ': $(head -n 1 "$T/e")"
timeout 10 "$MEMVIZ" -p "$$" -- demos/tour </dev/null >"$T/o" 2>"$T/e"
assert_eq "$?" 2 "status for -p with a program"
grep -q '^memviz: ' "$T/e" || fail "-p with a program: $(cat "$T/e")"
[ -s "$T/o" ] && fail "a usage error wrote to stdout: $(cat "$T/o")"

# --fields event: only seq,pid,tid,event
memviz_json --fields event -- heap_split_coalesce
assert_eq "$STATUS" 0 "--fields event status"
json_check "$JSON"
bad=$(json_get "$JSON" '[sorted(r) for r in R if sorted(r) != ["event", "pid", "seq", "tid"]]')
[ -z "$bad" ] || fail "--fields event records with other keys: $(echo "$bad" | head -3)"
heap_diff "$OUT" "$JSON"

# --fields space: no event, a space in every record but the exit one
memviz_json --fields space -- heap_split_coalesce
assert_eq "$STATUS" 0 "--fields space status"
json_check "$JSON"
bad=$(json_get "$JSON" '[sorted(r) for r in R if set(r) - {"seq", "pid", "tid", "space"}]')
[ -z "$bad" ] || fail "--fields space records with other keys: $(echo "$bad" | head -3)"
n=$(json_get "$JSON" 'len(R)')
ns=$(json_get "$JSON" 'sum(1 for r in R if r.get("space", {}).get("regions"))')
[ "$n" -ge 10 ] && [ "$ns" -ge $((n - 1)) ] || fail "--fields space: $ns of $n records have regions"

# --stop-on exit: start and exit, nothing else
memviz_json --stop-on exit -- heap_split_coalesce
assert_eq "$STATUS" 0 "--stop-on exit status"
assert_eq "$(json_kinds "$JSON" | tr '\n' ' ')" "start exit " "--stop-on exit records"
assert_eq "$(json_get "$JSON" 'R[-1]["event"]["status"]')" 0 "exit record status"

# --stop-on syscall on the tour: the mmap that serves its 200 KiB malloc,
# and a brk that grows the heap where its small blocks are
memviz_json --stop-on syscall --fields event -- tour
assert_eq "$STATUS" 0 "--stop-on syscall status"
json_check "$JSON"
big=$(awk '$1 == "malloc" && $2 == 204800 {print $4}' "$OUT")
small=$(awk '$1 == "malloc" && $2 == 24 {print $4; exit}' "$OUT")
[ -n "$big" ] && [ -n "$small" ] || fail "the tour printed no 200 KiB / 24-byte malloc"
kinds=$(json_kinds "$JSON" | sort -u | tr '\n' ' ')
[ -z "$(json_get "$JSON" '[k for k in (r["event"]["kind"] for r in R)
	if k not in ("start", "exit", "brk", "mmap", "munmap", "mremap")]')" ] ||
	fail "--stop-on syscall gave other kinds: $kinds"
got=$(json_get "$JSON" "[r['event']['ret'] for r in R if r['event']['kind'] == 'mmap'
	and int(r['event']['ret'], 16) <= $big < int(r['event']['ret'], 16) + int(r['event']['args'][1], 0)]")
[ -n "$got" ] || fail "no mmap event contains the tour's big block $big: $(grep -h mmap "$JSON" | head -3)"
got=$(json_get "$JSON" "[r['event']['ret'] for r in R if r['event']['kind'] == 'brk'
	and int(r['event']['args'][0], 0) > 0
	and int(r['event']['ret'], 16) <= $small < int(r['event']['ret'], 16) + int(r['event']['args'][0], 0)]")
[ -n "$got" ] || fail "no brk event grows the heap over the tour's block $small: $kinds"
got=$(json_get "$JSON" "[1 for r in R if r['event']['kind'] == 'munmap' and int(r['event']['args'][0], 16) <= $big]")
[ -n "$got" ] || fail "no munmap of the big block after its free"

# --break FUNC: one break event per call, named after the function.  The
# tour calls count_items once (source); heap_split_coalesce calls get() at
# every one of its `get(` lines, each once.
nm demos/tour | grep -q ' t count_items$' || fail "count_items is not a function of demos/tour"
want=$(grep -c 'count_items(bag' demos/tour.c)
memviz_json --break count_items --fields event,stack -- tour
assert_eq "$STATUS" 0 "--break count_items status"
assert_eq "$(json_count "$JSON" break)" "$want" "break events for count_items"
assert_eq "$(json_get "$JSON" '[r["event"]["fn"] for r in R if r["event"]["kind"] == "break"]' | sort -u)" \
	count_items "event.fn of the breaks"
# with debug info the stop is after the prologue, in count_items (as gdb's
# `break count_items`); its caller is the next frame
assert_eq "$(json_get "$JSON" '[r["event"]["at"]["fn"] for r in R if r["event"]["kind"] == "break"]')" \
	count_items "where the break stops"
assert_eq "$(json_get "$JSON" '[r["stack"]["threads"][0]["frames"][1]["fn"] for r in R
	if r["event"]["kind"] == "break"]')" pack_bag "caller of count_items"
want=$(grep -cE '^[[:space:]]*[a-z0-9]+ = get\(' demos/heap_split_coalesce.c)
[ "$want" -ge 5 ] || fail "counted only $want get() calls in the source"
memviz_json --break get --stop-on exit --fields event -- heap_split_coalesce
assert_eq "$STATUS" 0 "--break get status"
assert_eq "$(json_count "$JSON" break)" "$want" "break events for get"
assert_eq "$(grep -c '^malloc ' "$OUT")" "$want" "the demo's own malloc lines (one per get)"
assert_eq "$(json_get "$JSON" '[r["event"]["fn"] for r in R if r["event"]["kind"] == "break"]' | sort -u)" \
	get "event.fn of the breaks"

# --max-stops 3: three records, a detach, and the program's full output
run_untraced heap_split_coalesce
norm() { sed -E 's/0x[0-9a-f]+/0xX/g' "$1"; }
norm "$OUT" >"$T/plain.norm"
memviz_json --max-stops 3 -- heap_split_coalesce
assert_eq "$STATUS" 0 "--max-stops 3 status"
assert_eq "$(json_kinds "$JSON" | tr '\n' ' ')" "start malloc malloc detach " "--max-stops 3 records"
norm "$OUT" | diff -u "$T/plain.norm" - >"$T/d" || fail "output after --max-stops differs from an untraced run: $(head -20 "$T/d")"

# -o FILE: the program's stdout stays on stdout
timeout 30 "$MEMVIZ" --json -o "$T/f.jsonl" -- demos/heap_split_coalesce </dev/null >"$T/f.out" 2>"$T/f.err"
assert_eq "$?" 0 "-o FILE status"
json_check "$T/f.jsonl"
heap_diff "$T/f.out" "$T/f.jsonl"
grep -q '^malloc ' "$T/f.err" && fail "with -o FILE the program's stdout went to stderr"
# no -o: the records on stdout, the program's stdout on stderr
timeout 30 "$MEMVIZ" --json -- demos/heap_split_coalesce </dev/null >"$T/s.jsonl" 2>"$T/s.err"
assert_eq "$?" 0 "--json to stdout status"
json_check "$T/s.jsonl"
heap_diff "$T/s.err" "$T/s.jsonl"
# -o - is stdout too
timeout 30 "$MEMVIZ" --json -o - -- demos/heap_split_coalesce </dev/null >"$T/d.jsonl" 2>"$T/d.err"
assert_eq "$?" 0 "-o - status"
json_check "$T/d.jsonl"
heap_diff "$T/d.err" "$T/d.jsonl"

# no arguments: the tour beside the binary; missing, one line and exit 1
mkdir "$T/alone"
cp "$MEMVIZ" "$T/alone/memviz"
(cd "$T" && timeout 10 "$T/alone/memviz" </dev/null >"$T/t.out" 2>"$T/t.err")
assert_eq "$?" 1 "memviz without its tour"
assert_eq "$(wc -l <"$T/t.err")" 1 "stderr lines without the tour ($(cat "$T/t.err"))"
grep -q "^memviz: .*$T/alone/demos/tour" "$T/t.err" || fail "no tour: '$(cat "$T/t.err")'"
[ -s "$T/t.out" ] && fail "no tour: stdout not empty"
# and with it: the tour runs (text records on stdout, its own lines on stderr)
mv_abs=$(realpath "$MEMVIZ")
(cd "$T" && timeout 30 "$mv_abs" </dev/null >"$T/tour.out" 2>"$T/tour.err")
assert_eq "$?" 0 "memviz with no arguments"
grep -q 'start: .*demos/tour' "$T/tour.out" || fail "no tour start record: $(head -3 "$T/tour.out")"
grep -q '^# the end' "$T/tour.err" || fail "the tour did not finish: $(tail -2 "$T/tour.err")"
exit 0
