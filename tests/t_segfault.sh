#!/usr/bin/env bash
# A demo that segfaults: a `signal` event with the fault address and the
# region it falls in, then `exit` killed by SIGSEGV; memviz exits 128+11
# like the shell reports for the untraced program.
. tests/lib.sh
need_memviz
need_ptrace

for mode in null rodata munmap; do
	run_untraced segfault "$mode"
	want=$STATUS
	assert_eq "$want" 139 "untraced segfault $mode status"
	memviz_json -- segfault "$mode"
	json_check "$JSON"
	assert_eq "$STATUS" "$want" "memviz status for segfault $mode"
	fault=$(awk '$1 == "fault" {print $2}' "$OUT")
	[ -n "$fault" ] || fail "segfault $mode printed no fault line"
	sig=$(json_get "$JSON" '[r["event"] for r in R if r["event"]["kind"] == "signal"][0]')
	[ -n "$sig" ] || fail "no signal event for $mode"
	got=$("$PY" -c 'import json,sys; e=json.loads(sys.argv[1]); print(e["signal"], e["addr"], e["region"])' "$sig")
	case $mode in
	rodata) want_region=rodata ;;
	*) want_region=unmapped ;;
	esac
	assert_eq "$got" "SIGSEGV $fault $want_region" "signal event for $mode"
	assert_eq "$(json_get "$JSON" 'R[-1]["event"]["kind"]')" exit "last record ($mode)"
	assert_eq "$(json_get "$JSON" 'R[-1]["event"].get("signal")')" SIGSEGV "exit signal ($mode)"
done
exit 0
