#!/usr/bin/env bash
# Detach from a program whose four threads are all calling malloc and free:
# at each random stop some threads sit on a breakpoint, inside malloc with a
# hijacked return address, or on the trampoline.  After the detach the
# program must finish exactly as untraced (same totals and checksum, exit 0).
. tests/lib.sh
need_memviz
need_ptrace

K=400
run_untraced threads "$K"
assert_eq "$STATUS" 0 "untraced threads"
want=$(grep -E '^(total|checksum|threads|per_thread|regs_bad)' "$OUT")

RANDOM=777
for i in $(seq 1 12); do
	n=$((RANDOM % 1500 + 2))
	memviz_json --max-stops "$n" -- threads "$K"
	assert_eq "$STATUS" 0 "exit status after detaching at stop $n"
	assert_eq "$(grep -E '^(total|checksum|threads|per_thread|regs_bad)' "$OUT")" "$want" \
		"the threads' totals after detaching at stop $n"
	assert_eq "$(json_get "$JSON" 'R[-1]["event"]["kind"]')" detach "last record at stop $n"
done

# attach to the same program while its four threads run flat out, and
# detach again (200M pairs: about a second untraced).  4,000 stops (~80 ms):
# fewer can all fall in one thread's scheduler time slice.
demos/threads 200000000 >"$T/live.out" 2>&1 </dev/null &
tp=$!
BG_PIDS=$tp
sleep 0.2
timeout 20 "$MEMVIZ" --json --fields event -o "$T/live.jsonl" --max-stops 4000 -p "$tp" </dev/null 2>"$T/live.err"
assert_eq "$?" 0 "memviz -p on a running multi-threaded program"
wait "$tp"
assert_eq "$?" 0 "threads after attach and detach"
n=$(json_get "$T/live.jsonl" 'len({r["tid"] for r in R if r["event"]["kind"] == "malloc"})')
[ "$n" -ge 2 ] || fail "attached to 4 running threads but saw mallocs from $n"
grep -q '^total mallocs 800000001$' "$T/live.out" || fail "attached program's totals: $(tail -3 "$T/live.out")"
grep -q '^regs_bad 0$' "$T/live.out" || fail "callee-saved registers changed across traced calls: $(grep regs_bad "$T/live.out")"
exit 0
