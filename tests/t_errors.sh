#!/usr/bin/env bash
# Bad input gets one clear line on stderr and the right exit status.
. tests/lib.sh
need_memviz
need_ptrace

# expect STATUS REGEX -- ARGS...: memviz ARGS exits STATUS, stderr is one
# line "memviz: ..." matching REGEX.
expect() {
	local want=$1 re=$2 st
	shift 3
	timeout 20 "$MEMVIZ" "$@" </dev/null >"$T/o" 2>"$T/e"
	st=$?
	assert_eq "$st" "$want" "exit status of memviz $*"
	assert_eq "$(wc -l <"$T/e")" 1 "lines on stderr for memviz $* ($(cat "$T/e"))"
	grep -Eq "^memviz: $re" "$T/e" || fail "memviz $*: stderr '$(cat "$T/e")' does not match /$re/"
}

# no such process: a pid that cannot exist (above pid_max)
expect 1 'no such process: 4194999' -- -p 4194999
# program missing, not executable, not ELF, a directory
expect 1 '.*nonexistent.*No such file' -- --json -o /dev/null -- "$T/nonexistent"
printf '#!/bin/sh\necho hi\n' >"$T/script.sh"
chmod -x "$T/script.sh"
expect 1 '.*script.sh: not executable' -- --json -o /dev/null -- "$T/script.sh"
chmod +x "$T/script.sh"
expect 1 '.*script.sh: not an ELF file' -- --json -o /dev/null -- "$T/script.sh"
expect 1 '.*: is a directory' -- --json -o /dev/null -- "$T"
expect 1 'nosuchcommand-xyz: command not found' -- --json -o /dev/null -- nosuchcommand-xyz
# usage errors exit 2
expect 2 '--stop-on: unknown kind .bogus.' -- --stop-on bogus -- demos/tour
expect 2 '--fields: unknown part .bogus.' -- --fields bogus -- demos/tour
expect 2 '--max-stops: .x. is not a positive number' -- --max-stops x -- demos/tour
expect 1 '--break nofile.c:3: no code at that line' -- --json -o /dev/null --break nofile.c:3 -- demos/tour
expect 1 '--break no_such_function_xyz: no function of that name' -- --json -o /dev/null --break no_such_function_xyz -- demos/tour

# permission denied: an unprivileged user attaching to a process it does not own
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	demos/sleeper 10 >"$T/s.out" 2>&1 </dev/null &
	BG_PIDS=$!
	wait_for_line "$T/s.out" '^pid '
	chmod 755 "$T"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$MEMVIZ" --json -o /dev/null -p "$BG_PIDS" \
		</dev/null >"$T/o" 2>"$T/e"
	st=$?
	assert_eq "$st" 1 "exit status for EPERM"
	grep -q "^memviz: cannot attach to $BG_PIDS: permission denied" "$T/e" ||
		fail "EPERM message: $(cat "$T/e")"
	kill -0 "$BG_PIDS" || fail "the sleeper died of a refused attach"
fi

# no debug info: a stripped copy works, says the view is degraded, once
cp demos/heap_split_coalesce "$T/stripped"
strip "$T/stripped"
timeout 20 "$MEMVIZ" --json -o "$T/s.jsonl" -- "$T/stripped" </dev/null >"$T/o" 2>"$T/e"
st=$?
assert_eq "$st" 0 "status on a stripped program"
grep -q 'has no debug info' "$T/e" || fail "no degraded-view message: $(cat "$T/e")"
assert_eq "$(wc -l <"$T/e")" 1 "stderr lines for a stripped program"
json_check "$T/s.jsonl"
json_get "$T/s.jsonl" 'R[0]["event"]["notes"][0]' | grep -q 'no debug info' || fail "no note in the start record"
heap_diff "$T/o" "$T/s.jsonl"
exit 0
