#!/usr/bin/env bash
# Linked panes and the mouse, under tmux (xterm's SGR mouse reports sent
# as the terminal would): at heap_split_coalesce's third malloc, a click
# on main's pointer variable p2 in the stack pane lights up (bold) the
# chunk it points to in the heap pane, and no other chunk row; a click on
# that chunk's row selects it and the heap pane says where it was
# allocated (function, file and line) and who points at it (main's p2).
. tests/lib.sh
need_memviz
need_ptrace
need_cmd tmux

# click ROW COL (0-based screen cells): press and release of button 1.
click() {
	tmux_keys -l $'\e'"[<0;$(($2 + 1));$(($1 + 1))M"
	tmux_keys -l $'\e'"[<0;$(($2 + 1));$(($1 + 1))m"
	sleep 0.4
}
# row_of REGEX: the 0-based screen row of the first line matching.
row_of() {
	tmux_screen | grep -n -E -m 1 -- "$1" | cut -d: -f1 | awk '{print $1 - 1}'
}
# col_of ROW TEXT: the 0-based column (in characters) where TEXT starts.
col_of() {
	tmux_screen | sed -n "$(($1 + 1))p" | "$PY" -c 'import sys; print(sys.stdin.read().index(sys.argv[1]))' "$2"
}

tmux_start 200 60 "env TMPDIR=$T $MEMVIZ demos/heap_split_coalesce"
tmux_wait '┌ Heap'
tmux_step_until '^ memviz .*#14 malloc\(2000\)'
tmux_wait 'p2 = 0x[0-9a-f]+ .*heap chunk'
p2=$(tmux_screen | sed -n 's/.* p2 = \(0x[0-9a-f]*\) .*/\1/p' | head -n 1)
chunk=$(printf '0x%x' $((p2 - 16)))

# Click p2 in the stack pane.
r=$(row_of " p2 = $p2")
click "$r" "$(col_of "$r" "p2 =")"
row=$(tmux_screen -e | grep -E -- "$chunk +0x200 P--") || fail "no chunk row $chunk"
grep -qE $'\e\\[1m(\e\\[[0-9;]*m)*'"$chunk" <<<"$row" ||
	fail "the chunk p2 points to is not lit up: $(cat -v <<<"$row" | head -c 300)"
lit=$(tmux_screen -e | grep -cE $'\e\\[1m(\e\\[[0-9;]*m)*0x[0-9a-f]+ +0x[0-9a-f]+ P--')
assert_eq "$lit" 1 "chunk rows lit up by selecting p2"

# Click the chunk's row in the heap pane.
r=$(row_of "$chunk +0x200 P--")
click "$r" "$(col_of "$r" "$chunk")"
tmux_wait 'allocated at get \(demos/heap_split_coalesce\.c:22\)'
tmux_wait 'pointed at by: main: p2 \(frame #1'
exit 0
