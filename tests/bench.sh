#!/usr/bin/env bash
# tests/bench.sh - what one heap event costs under memviz, ltrace and gdb
# (run by `make bench`; prints figures, passes or fails nothing).
#
# The workload is demos/malloc_loop N: N malloc(32)+free pairs, 2N heap
# calls.  Each tool watches every malloc and free:
#   untraced   demos/malloc_loop N
#   bare       build/bench/bare_tracer demos/malloc_loop N: the mechanism
#              alone (a stop at every entry and every return, nothing kept)
#   memviz     ./memviz --json --fields event -o /dev/null --stop-on heap -- ...
#   ltrace     ltrace -e malloc+free -o /dev/null ...
#   gdb        gdb -batch -x tests/bench/gdb_malloc_free.gdb (silent
#              breakpoint commands that continue), on a smaller N because
#              it is slow; its startup (the same script on N=0) is
#              subtracted, so its events/s is not understated.
#
# Environment: BENCH_N (default 100000), BENCH_GDB_N (default 10000),
# MEMVIZ (default ./memviz).

set -u
cd "$(dirname "$0")/.." || exit 1

N=${BENCH_N:-100000}
GDB_N=${BENCH_GDB_N:-10000}
MEMVIZ=${MEMVIZ:-./memviz}
LOOP=demos/malloc_loop
GDB_SCRIPT=tests/bench/gdb_malloc_free.gdb
TMP=$(mktemp -d "${TMPDIR:-/tmp}/memviz-bench.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$LOOP" ]; then
	echo "bench: $LOOP is not built (make demos)" >&2
	exit 1
fi

# Print a float expression's value with %.3f (awk: no bc needed).
calc() {
	awk "BEGIN { printf \"%.3f\", $1 }"
}

# time_run NAME PAIRS CMD...: run CMD, check it printed "pairs PAIRS" and
# exited 0, and set SECS (wall seconds) or SECS="" when it failed.
time_run() {
	local name=$1 pairs=$2 t0 t1 rc
	shift 2
	t0=$(date +%s.%N)
	timeout -k 5 600 "$@" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	t1=$(date +%s.%N)
	if [ "$rc" -ne 0 ] || ! grep -qx "pairs $pairs" "$TMP/$name.out"; then
		echo "bench: $name failed (exit $rc):" >&2
		tail -n 5 "$TMP/$name.err" >&2
		SECS=
		return 1
	fi
	SECS=$(calc "$t1 - $t0")
}

# row NAME PAIRS SECS NOTE: one line of the table; sets EPS (events/s).
row() {
	local name=$1 pairs=$2 secs=$3 note=$4 events=$(($2 * 2))
	if [ -z "$secs" ]; then
		EPS=
		printf '%-10s %9s %9s %10s %12s  %s\n' "$name" "$pairs" "$events" "-" "n/a" "$note"
		return
	fi
	EPS=$(awk "BEGIN { s = $secs; if (s < 0.0005) s = 0.0005; printf \"%.0f\", $events / s }")
	printf '%-10s %9s %9s %10s %12s  %s\n' "$name" "$pairs" "$events" "$secs" "$EPS" "$note"
}

# ratio A B: A/B with two decimals, or n/a.
ratio() {
	if [ -z "$1" ] || [ -z "$2" ] || [ "$2" = 0 ]; then
		echo n/a
	else
		calc "$1 / $2" | awk '{ printf "%.2f", $1 }'
	fi
}

echo "memviz benchmark: $N malloc(32)+free pairs ($((N * 2)) heap calls), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r)"
echo

# untraced: best of 3, it is over in milliseconds
best=
for _ in 1 2 3; do
	time_run untraced "$N" "$LOOP" "$N" || break
	if [ -z "$best" ] || awk "BEGIN { exit !($SECS < $best) }"; then
		best=$SECS
	fi
done
untraced_s=$best

memviz_s='' memviz_note=''
if [ -x "$MEMVIZ" ]; then
	# how many events memviz reports for a small run: should be 2 per pair
	check_n=1000
	if timeout 120 "$MEMVIZ" --json --fields event -o "$TMP/check.jsonl" --stop-on heap -- \
		"$LOOP" "$check_n" </dev/null >/dev/null 2>"$TMP/check.err"; then
		seen=$(grep -Ec '"kind": ?"(malloc|free)"' "$TMP/check.jsonl")
		memviz_note="(check: $seen heap events for $check_n pairs, want $((check_n * 2)))"
	else
		memviz_note="(check run failed: $(tail -n 1 "$TMP/check.err"))"
	fi
	time_run memviz "$N" "$MEMVIZ" --json --fields event -o /dev/null --stop-on heap \
		-- "$LOOP" "$N"
	memviz_s=$SECS
else
	memviz_note="($MEMVIZ not built)"
fi

# the floor: the same mechanism with nothing recorded (tests/bench/bare_tracer.c)
bare_s='' bare_note='(int3 + emulated first insn + return trampoline, every call; no records)'
BARE=build/bench/bare_tracer
if [ -x "$BARE" ]; then
	time_run bare "$N" "$BARE" "$LOOP" "$N"
	bare_s=$SECS
else
	bare_note="($BARE not built: make bench builds it)"
fi

ltrace_s='' ltrace_note=''
if command -v ltrace >/dev/null; then
	time_run ltrace "$N" ltrace -e malloc+free -o /dev/null "$LOOP" "$N"
	ltrace_s=$SECS
else
	ltrace_note="(ltrace not installed)"
fi

gdb_s='' gdb_note=''
if command -v gdb >/dev/null; then
	gdb_cmd=(gdb -q -batch -nx -x "$GDB_SCRIPT" --args "$LOOP")
	if time_run gdb0 0 "${gdb_cmd[@]}" 0; then
		gdb_start=$SECS
		if time_run gdb "$GDB_N" "${gdb_cmd[@]}" "$GDB_N"; then
			gdb_s=$(calc "$SECS - $gdb_start")
			gdb_note="(N=$GDB_N; ${SECS}s minus ${gdb_start}s startup; $N pairs would take ~$(calc "$gdb_s * $N / $GDB_N")s)"
		fi
	fi
else
	gdb_note="(gdb not installed)"
fi

printf '%-10s %9s %9s %10s %12s  %s\n' tool pairs events seconds events/s note
printf '%-10s %9s %9s %10s %12s  %s\n' ---------- --------- --------- ---------- ------------ ----
row untraced "$N" "$untraced_s" "(best of 3)"
row memviz "$N" "$memviz_s" "$memviz_note"
memviz_eps=$EPS
row bare "$N" "$bare_s" "$bare_note"
bare_eps=$EPS
row ltrace "$N" "$ltrace_s" "$ltrace_note"
ltrace_eps=$EPS
row gdb "$GDB_N" "$gdb_s" "$gdb_note"
gdb_eps=$EPS

echo
echo "memviz/ltrace events/s: $(ratio "$memviz_eps" "$ltrace_eps")   (goal: >= 5)"
echo "memviz/gdb    events/s: $(ratio "$memviz_eps" "$gdb_eps")"
if [ -n "$memviz_s" ] && [ -n "$untraced_s" ]; then
	echo "memviz cost per heap call: $(calc "($memviz_s - $untraced_s) * 1000000 / ($N * 2)") us"
fi
if [ -n "$bare_s" ] && [ -n "$untraced_s" ]; then
	echo "bare    cost per heap call: $(calc "($bare_s - $untraced_s) * 1000000 / ($N * 2)") us"
fi
echo "memviz/bare cost per call:  $(ratio "$memviz_s" "$bare_s")   (goal: <= 1.5)"
# ---- the heap model: read + walk + classify one snapshot ---------------
# demos/heap_many N builds N chunks (half free, none coalescable) and stops
# itself; build/bench/heap_walk times memviz's glibc model on it, and the
# gdb script of the tests (tests/gdb/heap_dump.py, libc6-dbg types) does
# the same walk on a tenth of the chunks.
HEAP_N=${BENCH_HEAP_N:-1000000}
GDB_HEAP_N=${BENCH_GDB_HEAP_N:-100000}

# start_stopped N [K]: run heap_many N K until it stops itself; sets HPID.
start_stopped() {
	demos/heap_many "$1" "${2:-7}" >"$TMP/heap_many.out" </dev/null &
	HPID=$!
	for _ in $(seq 1 600); do
		grep -q '^ready' "$TMP/heap_many.out" 2>/dev/null &&
			[ "$(awk '{print $3}' "/proc/$HPID/stat" 2>/dev/null)" = T ] && return 0
		sleep 0.1
	done
	return 1
}

echo
echo "heap model: one snapshot (read + walk + classify) of a heap of N chunks, half free"
# heap_mib PID: the size of the [heap] mapping in MiB
heap_mib() {
	local range
	range=$(awk '$6 == "[heap]" { print $1 }' "/proc/$1/maps")
	echo $(( (16#${range#*-} - 16#${range%-*}) / 1048576 ))
}
for k in 2 7; do
	if [ -x build/bench/heap_walk ] && start_stopped "$HEAP_N" "$k"; then
		printf '%-10s %9s  %s\n' memviz "$HEAP_N" "$(build/bench/heap_walk "$HPID" 7)  ($k sizes, 32-$((16 + 16 * k)) B chunks, heap $(heap_mib "$HPID") MiB; goal: <= 50 ms)"
		kill -CONT "$HPID"; wait "$HPID"
	else
		echo "memviz: build/bench/heap_walk not built or heap_many did not start"
	fi
done
if command -v gdb >/dev/null && start_stopped "$GDB_HEAP_N"; then
	t0=$(date +%s.%N)
	n=$(gdb -q -batch -nx -p "$HPID" -x tests/gdb/heap_dump.py 2>/dev/null |
		"${PYTHON:-python3}" -c 'import json,sys
d = json.loads([l for l in sys.stdin.read().splitlines() if l.startswith("{")][-1])
print(sum(len(a["chunks"]) for a in d.get("arenas", [])))' 2>/dev/null)
	t1=$(date +%s.%N)
	printf '%-10s %9s  chunks %s in %s ms (the gdb Python script, attach included)\n' gdb \
		"$GDB_HEAP_N" "${n:-?}" "$(calc "($t1 - $t0) * 1000")"
	kill -CONT "$HPID"; wait "$HPID"
else
	echo "gdb: not installed or heap_many did not start"
fi

# ---- the stack model: unwind + every variable of a deep stack -----------
# build/bench/stack_walk runs demos/stack_frames DEPTH wait (a recursion
# DEPTH deep, blocked in read() at the bottom) and times unwind_thread +
# vars_frame of every frame: cold (the first picture, DWARF and CFI
# loading included) and warm (the same debuginfo again: every later stop).
# gdb's `bt full` on the same process, attach included, minus gdb's attach
# alone, is the comparison.
STACK_DEPTH=${BENCH_STACK_DEPTH:-1000}
echo
echo "stack model: unwind + every variable of a ${STACK_DEPTH}-deep recursion (demos/stack_frames $STACK_DEPTH wait)"
# median3 CMD...: the median wall time of 3 runs of CMD, in ms
median3() {
	local i t0 t1 ts=()
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		timeout -k 5 300 "$@" </dev/null >"$TMP/median3.out" 2>&1
		t1=$(date +%s.%N)
		ts+=("$(calc "($t1 - $t0) * 1000")")
	done
	printf '%s\n' "${ts[@]}" | sort -n | sed -n 2p
}
SW=build/bench/stack_walk
if [ -x "$SW" ] && line=$("$SW" -k "$STACK_DEPTH" 20) && [ -n "$line" ]; then
	# frames N vars N cold_ms X warm_best_ms X warm_median_ms X unwind_best_ms X end E pid N
	set -- $line
	sw_frames=$2 sw_vars=$4 sw_cold=$6 sw_best=$8 sw_med=${10} sw_unwind=${12} sw_end=${14} spid=${16}
	printf '%-10s frames %s (end: %s), vars %s: cold %s ms (DWARF loading included), warm best %s ms, median %s ms (unwind alone %s ms)  (goal: <= 10 ms)\n' \
		memviz "$sw_frames" "$sw_end" "$sw_vars" "$sw_cold" "$sw_best" "$sw_med" "$sw_unwind"
	if command -v gdb >/dev/null; then
		gdb_bt=$(median3 gdb -q -batch -nx -p "$spid" -ex 'bt full')
		gdb_frames=$(grep -c '^#[0-9]' "$TMP/median3.out")
		gdb_attach=$(median3 gdb -q -batch -nx -p "$spid")
		gdb_diff=$(calc "$gdb_bt - $gdb_attach")
		printf '%-10s bt full: %s ms, attach alone: %s ms, difference %s ms (%s frames printed, to main; median of 3 each)\n' \
			gdb "$gdb_bt" "$gdb_attach" "$gdb_diff" "$gdb_frames"
		echo "gdb bt full / memviz warm median: $(ratio "$gdb_diff" "$sw_med")   gdb / memviz cold: $(ratio "$gdb_diff" "$sw_cold")"
	else
		echo "gdb: not installed"
	fi
	kill -USR1 "$spid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.05
	done
else
	echo "memviz: $SW not built or the demo did not start (make bench builds it)"
fi
# ---- the UI: one full frame ----------------------------------------------
# build/bench/ui_draw draws a hand-built stop (10,000 heap chunks, a
# 100-frame stack with 4 variables a frame, 33 regions with sections, 40
# event lines) at 200x60 on a headless curses screen with ui.c itself
# (ui_open on a scratch file, ui_redraw: erase, the focused heap pane, the
# address-space, stack and events panes, status and key lines, doupdate);
# every draw is a new stop
# (the panes' per-stop caches rebuilt).  "frame": curses sends what
# differs from the screen before (a step); "repaint": every cell is sent
# (after a resize or Ctrl-L), the most a frame costs.  The terminal's own
# time to show the bytes is not in it.
UI_DRAWS=${BENCH_UI_DRAWS:-200}
echo
echo "ui: one full frame at 200x60 with 10,000 chunks and 100 frames (best and median of $UI_DRAWS draws)"
UD=build/bench/ui_draw
if [ -x "$UD" ] && line=$("$UD" "$UI_DRAWS") && [ -n "$line" ]; then
	# draws N chunks N frames N regions N best_ms X median_ms X repaint_best_ms X
	# repaint_median_ms X repaint_bytes N frame_bytes N
	set -- $line
	printf '%-10s chunks %s, frames %s, regions %s: frame best %s ms, median %s ms (%s bytes sent); full repaint best %s ms, median %s ms (%s bytes)  (goal: <= 5 ms)\n' \
		memviz "$4" "$6" "$8" "${10}" "${12}" "${20}" "${14}" "${16}" "${18}"
else
	echo "memviz: $UD not built or failed (make bench builds it)"
fi
exit 0
