#!/usr/bin/env bash
# Autoplay, speed, Korean narration and lecture mode under tmux:
#  - --play 16 runs through stack_frames without a key to the end
#    ("program exited (status 0)"), the status line showing the speed,
#    and the program's last line in the events strip;
#  - autoplay pauses at a fault, its address marked in the rodata region;
#  - p pauses autoplay, + doubles its speed;
#  - --lang ko narrates a malloc in Korean;
#  - --no-aslr --relative: two runs of the same demo in the same
#    environment show the same panes at the same stop (only the status
#    line, with pid and the system's memory, may differ), addresses
#    written as heap+0x.. and main+0x..
. tests/lib.sh
need_memviz
need_ptrace
need_cmd tmux

# ---- autoplay to the end ----------------------------------------------------
tmux_start 160 48 "env TMPDIR=$T $MEMVIZ --play 16 demos/stack_frames"
tmux_wait 'play 16/s'
tmux_wait 'program exited \(status 0\)' 30
tmux_wait 'program: result 758'
tmux_wait 'the program has exited: its memory is gone'
tmux_stop

# ---- autoplay stops at a fault, the fault marked in its region ------------------
tmux_start 160 40 "env TMPDIR=$T $MEMVIZ --play 16 demos/segfault rodata"
tmux_wait 'autoplay paused at the fault'
fault=$(tmux_screen | sed -n 's/.*program: fault \(0x[0-9a-f]*\) rodata.*/\1/p')
[ -n "$fault" ] || fail "the demo's fault line is not in the events strip"
tmux_wait "^ memviz .*STOPPED .*signal SIGSEGV at $fault"
tmux_wait "→ fault $fault  SIGSEGV"
sleep 1
tmux_screen | head -n 1 | grep -q "signal SIGSEGV at $fault" || fail "autoplay went on past the fault"
tmux_stop

# ---- p pauses, + speeds up ---------------------------------------------------
tmux_start 160 48 "env TMPDIR=$T $MEMVIZ --play 2 demos/heap_split_coalesce"
tmux_wait 'play 2/s'
tmux_keys p
tmux_wait 'paused'
seq1=$(tmux_screen | head -n 1 | sed -n 's/.* #\([0-9]*\) .*/\1/p')
sleep 1.5
seq2=$(tmux_screen | head -n 1 | sed -n 's/.* #\([0-9]*\) .*/\1/p')
assert_eq "$seq2" "$seq1" "stop number while paused"
tmux_keys +
tmux_wait 'autoplay speed 4 stops/s \(p starts it\)'
tmux_keys p
tmux_wait 'play 4/s'
tmux_wait "#$((seq1 + 3)) " 10
tmux_stop

# ---- Korean narration --------------------------------------------------------
tmux_start 200 50 "env TMPDIR=$T $MEMVIZ --lang ko demos/heap_split_coalesce"
tmux_wait '┌ Heap'
tmux_step_until '^ memviz .*malloc\(24\) = 0x'
tmux_wait '#[0-9]+ malloc\(24\) = 0x.*바이트'
tmux_stop

# ---- lecture mode: the same screen twice -------------------------------------
# The same environment for both runs (stack addresses depend on it).
lecture_run() {
	tmux_start 200 56 "env -i PATH=/usr/bin:/bin HOME=/ TMPDIR=$T LANG=C.UTF-8 TERM=xterm-256color \
$MEMVIZ --no-aslr --relative demos/heap_split_coalesce"
	tmux_wait '┌ Heap'
	tmux_step_until '^ memviz .* #9 '
	sleep 0.5
	tmux_screen | tail -n +2 >"$1"
	tmux_stop
}
lecture_run "$T/lecture1.txt"
lecture_run "$T/lecture2.txt"
if ! diff -u "$T/lecture1.txt" "$T/lecture2.txt" >"$T/lecture.diff"; then
	head -n 30 "$T/lecture.diff"
	fail "--no-aslr --relative: two runs differ at stop #9"
fi
grep -q 'heap+0x' "$T/lecture1.txt" || fail "--relative: no heap+0x.. address"
grep -Eq '(main|get|put)\+0x' "$T/lecture1.txt" || fail "--relative: no function+0x.. address"
exit 0
