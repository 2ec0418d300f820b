#!/usr/bin/env bash
# The terminal UI under tmux (200x60): the pane titles and the status line
# at the first stop; stepping with n until the stack pane shows the frames
# of the demo's own functions, innermost at the bottom, and `r` flipping
# them; q asking, `r` letting the program run on to its end (its output
# whole, as untraced), and the terminal left as it was (cooked mode, the
# shell's screen back).
. tests/lib.sh
need_memviz
need_ptrace
need_cmd tmux

run_untraced stack_frames
plain_tail=$(tail -n 1 "$OUT")
plain_lines=$(wc -l <"$OUT")

mkdir "$T/tmp"
tmux_start 200 60 "sh -c 'stty -a >$T/stty.before; TMPDIR=$T/tmp $MEMVIZ demos/stack_frames; \
echo memviz-exit=\$?; stty -a >$T/stty.after; sleep 600'"
tmux_wait 'STOPPED'
screen=$(tmux_screen)
for title in 'Address space' 'Stack · thread' 'Heap' 'Events'; do
	grep -q -- "┌ $title" <<<"$screen" || fail "no pane titled '$title'"
done
grep -Eq '^ memviz +stack_frames +pid [0-9]+ +STOPPED +#0 start' <<<"$screen" ||
	fail "status line: $(head -n 1 <<<"$screen")"
grep -Eq 'VSZ [0-9.]+[KMG] RSS [0-9.]+[KMG] .*avail [0-9.]+[KMG]' <<<"$screen" ||
	fail "no VSZ/RSS/system memory on the status line"
grep -q '#0 main' <<<"$screen" || fail "stack pane: no frame #0 main at the start"

# Step until many_args is called: outer, middle, many_args are pushed.
tmux_step_until '#0 many_args' 12
screen=$(tmux_screen)
for f in '#1 middle' '#2 outer' '#3 main'; do
	grep -q -- "$f" <<<"$screen" || fail "stack pane: no frame '$f' under many_args"
done
# Innermost at the bottom: many_args is drawn below main.
row_main=$(grep -n '#3 main' <<<"$screen" | head -n 1 | cut -d: -f1)
row_inner=$(grep -n '#0 many_args' <<<"$screen" | head -n 1 | cut -d: -f1)
[ "$row_inner" -gt "$row_main" ] || fail "innermost frame not at the bottom ($row_inner <= $row_main)"
grep -q 'ret → middle+0x' <<<"$screen" || fail "no return-address slot of many_args"
grep -q 'saved rbp = 0x' <<<"$screen" || fail "no saved rbp slot"
grep -q 'call many_args' <<<"$screen" || fail "events strip: no 'call many_args'"

# r flips: innermost on top.
tmux_keys r
sleep 0.5
screen=$(tmux_screen)
row_main=$(grep -n '#3 main' <<<"$screen" | head -n 1 | cut -d: -f1)
row_inner=$(grep -n '#0 many_args' <<<"$screen" | head -n 1 | cut -d: -f1)
[ "$row_inner" -lt "$row_main" ] || fail "r did not put the innermost frame on top"

# Help overlay on ?, gone on Esc.
tmux_keys '?'
tmux_wait 'autoplay'
tmux_keys Escape
sleep 0.5

# q asks; r lets the program run on.
tmux_keys q
tmux_wait 'run on \(r\) or kill it \(k\)'
tmux_keys r
tmux_wait 'memviz-exit=' 20
code=$(tmux_screen | sed -n 's/.*memviz-exit=\([0-9]*\).*/\1/p' | head -n 1)
wait_nonempty "$T/stty.after"
assert_eq "$code" 0 "memviz exit status after q, r"
# The program's output: all of it, ending as untraced.
outf=$(ls "$T"/tmp/memviz-*.out 2>/dev/null | head -n 1)
[ -n "$outf" ] || fail "no program output file in TMPDIR"
for _ in $(seq 50); do
	grep -q "^${plain_tail%% *}" "$outf" && [ "$(wc -l <"$outf")" -ge "$plain_lines" ] && break
	sleep 0.1
done
assert_eq "$(tail -n 1 "$outf" | cut -d' ' -f1)" "${plain_tail%% *}" "last line the program printed"
assert_eq "$(wc -l <"$outf")" "$plain_lines" "lines the program printed"
# The terminal as it was: same stty settings, the shell's screen back.
diff "$T/stty.before" "$T/stty.after" >/dev/null ||
	fail "stty settings changed: $(diff "$T/stty.before" "$T/stty.after" | head -n 4)"
tmux_screen | grep -q 'STOPPED' && fail "the UI's screen is still shown after quitting"
exit 0
