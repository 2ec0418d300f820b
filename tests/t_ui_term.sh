#!/usr/bin/env bash
# The terminal UI and its terminal, under tmux: resized to 60x20 it says
# it needs 80x24 instead of drawing a broken layout, and back at 120x40
# draws the panes again; with NO_COLOR no color is sent (bold and reverse
# only), on an 8-color terminal only its 8 colors; with LANG=C every character on the screen is ASCII; TERM=dumb
# is refused with one line; Ctrl-C leaves the terminal as it was.
. tests/lib.sh
need_memviz
need_ptrace
need_cmd tmux

# ---- resize -------------------------------------------------------------
tmux_start 120 40 "$MEMVIZ demos/stack_frames"
tmux_wait '┌ Address space'
tmux -S "$TMUX_SOCK" resize-window -t ui -x 60 -y 20 || fail "tmux resize-window"
tmux_wait 'memviz needs at least 80x24 \(now 60x20\)'
tmux_screen | grep -q '┌ Address space' && fail "a pane is still drawn at 60x20"
tmux -S "$TMUX_SOCK" resize-window -t ui -x 120 -y 40
tmux_wait '┌ Address space'
tmux_wait '┌ Stack'
# still answering keys after the resizes
tmux_keys n
tmux_wait '#1 '
tmux_stop

# ---- NO_COLOR: no SGR color (30-38, 40-48, 90-107; 39/49 are "default") ------
tmux_start 120 40 "NO_COLOR=1 $MEMVIZ demos/heap_split_coalesce"
tmux_wait '┌ Heap'
tmux_step_until '^ memviz .* #6 '
sgr=$(tmux_screen -e | grep -o $'\e\\[[0-9;]*m' | sort -u)
colors=$(printf '%s\n' "$sgr" | tr -d '\033[m' | tr ';' '\n' | grep -E '^(3[0-8]|4[0-8]|9[0-7]|10[0-7])$' || true)
[ -z "$colors" ] || fail "NO_COLOR: color attributes on the screen: $(echo $colors)"
printf '%s\n' "$sgr" | grep -Eq $'\e\\[(1|7)m' || fail "NO_COLOR: no bold or reverse either ($(echo $sgr | cat -v))"
# ...and with colors, there are some (the check above can fail).
tmux_stop
tmux_start 120 40 "$MEMVIZ demos/heap_split_coalesce"
tmux_wait '┌ Heap'
tmux_screen -e | grep -Eq $'\e\\[(3[0-7]|38;5;[0-9]+)m' || fail "no colors without NO_COLOR"
tmux_stop
# An 8-color terminal: colors, none of them from the 256-color palette.
UI_TERM=xterm tmux_start 120 40 "$MEMVIZ demos/heap_split_coalesce"
tmux_wait '┌ Heap'
tmux_screen -e | grep -Eq $'\e\\[(3[0-7]|4[0-7])m' || fail "TERM=xterm: no colors"
tmux_screen -e | grep -q $'\e\\[[34]8;5;' && fail "TERM=xterm: a 256-color code on an 8-color terminal"
tmux_stop

# ---- LANG=C: ASCII only ------------------------------------------------------
UI_LANG=C tmux_start 120 40 "$MEMVIZ demos/heap_split_coalesce"
tmux_wait '\+[-=]* ?Heap'
tmux_step_until '^ memviz .* #6 '
tmux_screen >"$T/ascii.txt"
if LC_ALL=C grep -q -P '[^\x00-\x7f]' "$T/ascii.txt"; then
	LC_ALL=C grep -n -P '[^\x00-\x7f]' "$T/ascii.txt" | head -n 3
	fail "LANG=C: non-ASCII characters on the screen"
fi
grep -q 'Stack' "$T/ascii.txt" || fail "LANG=C: no stack pane"
tmux_stop
unset UI_LANG

# ---- TERM=dumb: a clear error, nothing drawn -------------------------------
UI_TERM=dumb tmux_start 120 40 "sh -c '$MEMVIZ demos/stack_frames; echo memviz-exit=\$?; sleep 600'"
tmux_wait 'memviz-exit='
screen=$(tmux_screen)
grep -q '^memviz: .*TERM' <<<"$screen" || fail "TERM=dumb: no one-line error naming TERM: $screen"
assert_eq "$(sed -n 's/.*memviz-exit=\([0-9]*\).*/\1/p' <<<"$screen")" 1 "TERM=dumb exit status"
tmux_stop

# ---- Ctrl-C: memviz ends, the terminal is as it was --------------------------
# (the shell catches SIGINT so it lives on to report; caught, not ignored,
# so memviz and the program get the default disposition)
tmux_start 120 40 "bash -c 'trap : INT; stty -a >$T/stty.before; TMPDIR=$T $MEMVIZ demos/sleeper 20; \
echo memviz-exit=\$?; stty -a >$T/stty.after; sleep 600'"
tmux_wait '┌ Stack'
tmux_keys C-c
tmux_wait 'memviz-exit=' 20
# The program got the SIGINT too, as it would have untraced: 128+2.
assert_eq "$(tmux_screen | sed -n 's/.*memviz-exit=\([0-9]*\).*/\1/p' | head -n 1)" 130 "status after Ctrl-C"
wait_nonempty "$T/stty.after"
diff "$T/stty.before" "$T/stty.after" >/dev/null || fail "Ctrl-C: stty settings changed"
tmux_screen | grep -q '┌ Stack' && fail "Ctrl-C: the UI's screen is still shown"
exit 0
