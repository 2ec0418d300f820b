#!/usr/bin/env bash
# SIGINT, SIGTERM or SIGHUP to memviz: it detaches cleanly and the launched
# program runs on to its end with its own output and status.
. tests/lib.sh
need_memviz
need_ptrace

run_untraced sleeper 1.5
want=$(grep -c '^tick' "$OUT")
for sig in INT TERM HUP; do
	# no `timeout` wrapper: it would pass the signal to the program too
	"$MEMVIZ" --json -o "$T/$sig.jsonl" -- demos/sleeper 1.5 \
		</dev/null >"$T/$sig.out" 2>"$T/$sig.err" &
	mv=$!
	BG_PIDS=$mv
	wait_for_line "$T/$sig.out" '^tick 20$'
	kill -"$sig" "$mv"
	wait "$mv"
	st=$?
	assert_eq "$st" 0 "memviz status after SIG$sig (the program's own)"
	grep -q '^done ' "$T/$sig.out" || fail "SIG$sig: program did not run to its end"
	# ticks keep their 10 ms pace: about as many as untraced (a slow tracer
	# would show fewer), and in order
	got=$(grep -c '^tick' "$T/$sig.out")
	[ "$got" -ge $((want / 2)) ] || fail "SIG$sig: $got ticks, untraced $want"
	json_check "$T/$sig.jsonl"
	assert_eq "$(json_get "$T/$sig.jsonl" 'R[-1]["event"]["kind"]')" detach "SIG$sig: last record"
done

# Ctrl-C at a terminal signals the whole process group: then the program
# gets SIGINT too and dies of it, exactly as it would untraced (130).
# (a script's background jobs start with SIGINT ignored: reset it first)
setsid env --default-signal=INT "$MEMVIZ" --json -o "$T/grp.jsonl" -- demos/sleeper 5 \
	</dev/null >"$T/grp.out" 2>"$T/grp.err" &
BG_PIDS=$!
wait_for_line "$T/grp.out" '^tick 20$'
sleep 0.2
kill -INT -- -"$BG_PIDS"
wait "$BG_PIDS"
st=$?
assert_eq "$st" 130 "memviz status after a group SIGINT (the program's death by SIGINT)"
grep -q '^done ' "$T/grp.out" && fail "the program ignored a group SIGINT"

# ... and an ignored SIGINT stays ignored in the program memviz launches
setsid bash -c "trap '' INT; exec \"\$0\" --json -o '$T/ign.jsonl' -- demos/sleeper 1" "$MEMVIZ" \
	</dev/null >"$T/ign.out" 2>"$T/ign.err" &
BG_PIDS=$!
wait_for_line "$T/ign.out" '^tick 20$'
kill -INT -- -"$BG_PIDS"
wait "$BG_PIDS"
st=$?
assert_eq "$st" 0 "status when SIGINT is ignored (inherited by the program)"
grep -q '^done ' "$T/ign.out" || fail "the program died of a SIGINT it should ignore"
exit 0
