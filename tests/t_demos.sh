#!/usr/bin/env bash
# Every demo runs to its end under `memviz --json` as it does untraced: the
# same stdout and the same exit status (a crash included: the same signal).
# Addresses differ between two runs (ASLR, the environment), so both
# outputs are compared with every 0x-number of 6 digits or more written
# 0xADDR, pids as N and the process's RSS (demos/paging) as N; everything
# else (sizes, counts, checksums, brk moves, a bug's line...) must match.
# Every executable in demos/ must be listed below, run or skipped with a
# reason, so a new demo cannot be forgotten.
# The bugs and the tour run a second time with every stop kind the
# detectors use.  Then, for paging: memviz's rss_kb of the block's region
# grows step by step exactly as much as the demo's own count of resident
# pages (mincore).
. tests/lib.sh
need_memviz
need_ptrace

# DEMO ARGS..., one run per line (arguments keep each run short)
CASES='
tour
heap_split_coalesce
stack_frames
stack_frames_O2
brk_mmap
memory_pool
paging
heap_story
threads 200
threads 200 3
fit_strategies first
fit_strategies next deferred
fit_strategies best
heap_bins sorted nostop
heap_bins mmapped nostop
malloc_loop 2000
forker
spawner
signals
detach_target
dangling
sleeper 0
segfault null
segfault rodata
off_by_one
bugs dangling_return
bugs pointer_arith
bugs bad_deref
bugs uninit_read
bugs use_after_free
bugs off_by_one
bugs stack_overflow
bugs leak
bugs double_free
'
# NAME: why it is not run here
SKIPPED='
heap_many: stops itself with SIGSTOP and waits for a SIGCONT (tests/bench.sh)
'

norm() {
	sed -E -e 's/0x[0-9a-f]{6,}/0xADDR/g' -e 's/\<pid [0-9]+/pid N/g' \
		-e 's/^rss [0-9]+ KiB$/rss N KiB/' "$1"
}

# ---- every demo is covered -------------------------------------------------
missing=
for f in demos/*; do
	if [ ! -f "$f" ] || [ ! -x "$f" ]; then continue; fi
	name=${f#demos/}
	grep -q "^$name\( \|$\)" <<<"$CASES" || grep -q "^$name:" <<<"$SKIPPED" ||
		missing="$missing $name"
done
[ -z "$missing" ] || fail "demos neither run nor skipped here:$missing (add them to t_demos.sh)"

# ---- each run: untraced, then under memviz ---------------------------------
bad=0
# same_run "MEMVIZ OPTIONS" DEMO [ARG...]: the demo untraced and under
# memviz --json OPTIONS; counts a difference in bad.
same_run() {
	local mv_opts=$1 demo=$2 what want_status
	shift 2
	what="$demo${*:+ $*}${mv_opts:+ ($mv_opts)}"
	run_untraced "$demo" "$@"
	want_status=$STATUS
	norm "$OUT" >"$T/want"
	# shellcheck disable=SC2086  # OPTIONS are words
	memviz_json $mv_opts -- "$demo" "$@"
	norm "$OUT" >"$T/got"
	if [ "$STATUS" != "$want_status" ]; then
		echo "$what: exit status $STATUS under memviz, $want_status untraced"
		tail -n 3 "$ERR" | sed 's/^/    | /'
		bad=$((bad + 1))
	elif ! diff -u "$T/want" "$T/got" >"$T/diff"; then
		echo "$what: stdout differs under memviz (- untraced, + memviz)"
		head -n 20 "$T/diff" | sed 's/^/    | /'
		bad=$((bad + 1))
	elif [ "$(json_get "$JSON" 'R[-1]["event"]["kind"] if R else "none"')" != exit ]; then
		echo "$what: the last JSON record is not the exit"
		bad=$((bad + 1))
	elif [ ! -s "$T/want" ]; then
		echo "$what: printed nothing"
		bad=$((bad + 1))
	else
		echo "ok  $what: status $STATUS, $(wc -l <"$T/got") lines"
	fi
}
while read -r demo args; do
	# shellcheck disable=SC2086  # ARGS are words
	[ -z "$demo" ] || same_run "--fields event" "$demo" $args
done <<<"$CASES"
# The bugs and the tour also as the detectors' test runs them: every stop
# kind but syscall, every part of the record (watchpoints, line steps).
while read -r demo args; do
	case $demo in
	bugs | tour)
		# shellcheck disable=SC2086
		same_run "--stop-on heap,call,return,line,signal,exit" "$demo" $args ;;
	esac
done <<<"$CASES"
[ "$bad" = 0 ] || fail "$bad demo runs differ under memviz"

# ---- paging: memviz's RSS of the region, step by step ------------------------
# show_rss runs after each step (the first before any touch): at each of its
# breaks memviz's rss_kb of the region that holds the block must have grown
# since the previous one by what the demo's mincore count grew.
memviz_json --fields event,space --break show_rss -- paging
assert_eq "$STATUS" 0 "paging under --break show_rss"
block=$(awk '$1 == "malloc" { print $4 }' "$OUT")
[ -n "$block" ] || fail "paging printed no malloc"
awk '$1 == "touched" { print $5 }' "$OUT" >"$T/demo.rss"
json_get "$JSON" "[next((g['rss_kb'] for g in r['space']['regions']
	if int(g['start'], 16) <= $block < int(g['end'], 16)), -1)
	for r in R if r['event']['kind'] == 'break']" >"$T/memviz.rss"
assert_eq "$(wc -l <"$T/memviz.rss")" 5 "breaks at show_rss"
assert_eq "$(wc -l <"$T/demo.rss")" 5 "the demo's region_rss lines"
"$PY" - "$T/demo.rss" "$T/memviz.rss" <<'EOF' || fail "memviz's RSS of the paging block's region"
import sys
d = [int(x) for x in open(sys.argv[1])]
m = [int(x) for x in open(sys.argv[2])]
if min(m) < 0:
    sys.exit("no region holds the block at some break: %s" % m)
dd = [b - a for a, b in zip(d, d[1:])]
dm = [b - a for a, b in zip(m, m[1:])]
if dd != dm or dd != [2048] * 4:
    sys.exit("RSS growth per step: demo %s, memviz %s (want 2048 KiB each)" % (dd, dm))
if any(x < y for x, y in zip(m, d)):
    sys.exit("memviz's region RSS %s is below the demo's resident pages %s" % (m, d))
print("paging: region RSS %s KiB (demo: %s)" % (m, d))
EOF
exit 0
