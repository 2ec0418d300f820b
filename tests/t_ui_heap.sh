#!/usr/bin/env bash
# The heap pane under tmux: step heap_split_coalesce to its malloc(500);
# the pane lists the 0x200-byte chunk in use with its request and where
# it was allocated, at the address the demo itself then prints minus the
# 16-byte header; `/` finds the pointer in that chunk; Enter shows its
# header decoded and its bytes; q then k kills the program (gone, memviz
# exits 128+9) and the terminal is restored.
. tests/lib.sh
need_memviz
need_ptrace
need_cmd tmux

mkdir "$T/tmp"
tmux_start 200 60 "sh -c 'stty -a >$T/stty.before; TMPDIR=$T/tmp $MEMVIZ demos/heap_split_coalesce; \
echo memviz-exit=\$?; stty -a >$T/stty.after; sleep 600'"
tmux_wait 'STOPPED'
pid=$(tmux_screen | sed -n 's/.* pid \([0-9]*\) .*/\1/p' | head -n 1)
[ -n "$pid" ] || fail "no pid on the status line"
tmux_step_until '^ memviz .*malloc\(500\) = 0x'
ptr=$(tmux_screen | head -n 1 | sed -n 's/.*malloc(500) = \(0x[0-9a-f]*\).*/\1/p')
chunk=$(printf '0x%x' $((ptr - 16)))
screen=$(tmux_screen)
grep -q '┌ Heap · main arena' <<<"$screen" || fail "heap pane title"
row=$(grep -o "$chunk  *0x200 P--  *in use .*" <<<"$screen")
[ -n "$row" ] || fail "no in-use 0x200 chunk at $chunk in the heap pane"
grep -Eq ' 500 get:[0-9]+' <<<"$row" || fail "chunk row lacks request 500 and site get:LINE: $row"
grep -Eq '0x[0-9a-f]+ +0x[0-9a-f]+ +P-- +top' <<<"$screen" || fail "no top chunk listed"
grep -Eq 'in use [0-9.]+ [KMG]?i?B \([0-9]+\) · free .* · top .* · frag' <<<"$screen" ||
	fail "no heap totals line"

# The demo prints the pointer after malloc returns: the same one.
tmux_keys n
tmux_wait "program: malloc 500 -> $ptr"

# / finds the pointer: the heap pane selects its chunk.
tmux_keys /
sleep 0.3
tmux_keys -l "$ptr"
tmux_keys Enter
tmux_wait "$ptr: in the heap chunk at $chunk \\(in use\\)"
tmux_keys Enter
tmux_wait "Chunk $chunk \\(512 B, in use\\)"
screen=$(tmux_screen)
grep -q 'size .*0x200 = 512 bytes' <<<"$screen" || fail "detail: size field not decoded"
grep -q 'requested  *500 bytes' <<<"$screen" || fail "detail: no requested size"
grep -Eq "${chunk} +[0-9a-f]{2} [0-9a-f]{2} .*\\|" <<<"$screen" || fail "detail: no hexdump row at $chunk"
tmux_keys Escape
sleep 0.3

# q, k: the program is killed.
tmux_keys q
tmux_wait 'run on \(r\) or kill it \(k\)'
tmux_keys k
tmux_wait 'memviz-exit=' 20
code=$(tmux_screen | sed -n 's/.*memviz-exit=\([0-9]*\).*/\1/p' | head -n 1)
assert_eq "$code" 137 "memviz exit status after q, k"
kill -0 "$pid" 2>/dev/null && fail "the program (pid $pid) still runs after q, k"
wait_nonempty "$T/stty.after"
diff "$T/stty.before" "$T/stty.after" >/dev/null || fail "stty settings changed"
exit 0
