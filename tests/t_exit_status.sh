#!/usr/bin/env bash
# memviz exits with the launched program's own status, as strace does:
# its exit code (0, 3, 7), 128+N when signal N killed it (a segfault, a
# SIGKILL from outside), also after a detach; the exit record says the same.
. tests/lib.sh
need_memviz
need_ptrace

# check DEMO ARGS... : untraced status == memviz status == the exit record's
check() {
	local want got
	run_untraced "$@"
	want=$STATUS
	memviz_json --fields event -- "$@"
	json_check "$JSON"
	assert_eq "$STATUS" "$want" "memviz status for $*"
	assert_eq "$(json_get "$JSON" 'R[-1]["event"]["kind"]')" exit "last record for $*"
	if [ "$want" -lt 128 ]; then
		got=$(json_get "$JSON" 'R[-1]["event"].get("status")')
	else
		got=$((128 + $(json_get "$JSON" 'R[-1]["event"].get("signo")')))
	fi
	assert_eq "$got" "$want" "exit record status for $*"
	# after a detach (one stop, then the program runs on), the same status
	memviz_json --max-stops 1 --fields event -- "$@"
	assert_eq "$STATUS" "$want" "memviz --max-stops 1 status for $*"
	assert_eq "$(json_kinds "$JSON" | tr '\n' ' ')" "start detach " "records with --max-stops 1 for $*"
	WANT=$want
}

check heap_split_coalesce
assert_eq "$WANT" 0 "untraced status of heap_split_coalesce"
check signals
assert_eq "$WANT" 3 "untraced status of signals"
check detach_target
assert_eq "$WANT" 7 "untraced status of detach_target"
check segfault null
assert_eq "$WANT" 139 "untraced status of segfault"
# --text exits the same way
timeout 60 "$MEMVIZ" --text -o "$T/t.txt" -- demos/detach_target </dev/null >/dev/null 2>&1
assert_eq "$?" 7 "memviz --text status for detach_target"

# SIGKILL from outside: the sleeper's pid from memviz's start record (a
# FIFO as -o, so records come out as they are taken), kill -9, status 137
mkfifo "$T/fifo" || fail "mkfifo"
cat "$T/fifo" >"$T/k.jsonl" &
catpid=$!
timeout -k 5 60 "$MEMVIZ" --json -o "$T/fifo" --fields event -- demos/sleeper 20 \
	</dev/null >"$T/k.out" 2>"$T/k.err" &
mvpid=$!
BG_PIDS="$mvpid $catpid"
wait_for_line "$T/k.jsonl" '"kind":"start"'
spid=$(json_get "$T/k.jsonl" 'R[0]["pid"]')
[ -n "$spid" ] && [ "$spid" != "$mvpid" ] || fail "no sleeper pid in the start record"
wait_for_line "$T/k.out" '^tick 2$'
assert_eq "$(awk '$1 == "pid" {print $2}' "$T/k.out")" "$spid" "the sleeper's own pid line"
kill -9 "$spid" || fail "cannot kill the sleeper $spid"
wait "$mvpid"
st=$?
wait "$catpid"
BG_PIDS=
assert_eq "$st" 137 "memviz status when its program is killed by SIGKILL ($(head -c 300 "$T/k.err"))"
json_check "$T/k.jsonl"
assert_eq "$(json_get "$T/k.jsonl" 'R[-1]["event"]["kind"]')" exit "last record after SIGKILL"
assert_eq "$(json_get "$T/k.jsonl" 'R[-1]["event"].get("signal")')" SIGKILL "exit record signal"
assert_eq "$(json_get "$T/k.jsonl" 'R[-1]["event"].get("signo")')" 9 "exit record signo"
grep -q '^done' "$T/k.out" && fail "the sleeper finished although it was killed"
kill -0 "$spid" 2>/dev/null && fail "the sleeper $spid is still there"
exit 0
