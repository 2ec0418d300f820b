#!/usr/bin/env bash
# --record under tmux: the file is asciicast v2 (a header with the
# terminal's size, then [time, "o", data] events in time order), and
# `asciinema cat` of it, in a second terminal of the same size, leaves the
# same screen text the UI shows at that moment (the recording is written
# as it goes).  After q the recording ends with curses closed.
. tests/lib.sh
need_memviz
need_ptrace
need_cmd tmux asciinema

cast=$T/session.cast
tmux_start 132 40 "sh -c 'TMPDIR=$T $MEMVIZ --record $cast demos/heap_split_coalesce; echo memviz-exit=\$?; sleep 600'"
tmux_wait '┌ Heap'
tmux_step_until '^ memviz .* #8 '
sleep 1                                   # the recorder's thread writes behind
tmux_screen >"$T/live.txt"
first=$TMUX_SOCK

# The recording so far, replayed in a terminal of the same size.
cp "$cast" "$T/part.cast"
tmux_start 132 40 "sh -c 'asciinema cat $T/part.cast; sleep 600'"
tmux_wait '#8 '
sleep 0.5
tmux_screen >"$T/replay.txt"
tmux_stop
if ! diff -u "$T/live.txt" "$T/replay.txt" >"$T/replay.diff"; then
	head -n 30 "$T/replay.diff"
	fail "asciinema cat of the recording does not show the screen the UI showed"
fi
grep -q '┌ Heap' "$T/replay.txt" || fail "replay: no heap pane"

# Quit; the finished file is asciicast v2.
TMUX_SOCK=$first
tmux_keys q
tmux_wait 'run on \(r\) or kill it \(k\)'
tmux_keys k
tmux_wait 'memviz-exit=' 20
"$PY" - "$cast" <<'EOF' || fail "$cast is not a whole asciicast v2 recording"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = json.loads(lines[0])
assert h["version"] == 2, h
assert (h["width"], h["height"]) == (132, 40), h
assert isinstance(h.get("timestamp"), int), h
t0, out = 0.0, ""
for l in lines[1:]:
    t, kind, data = json.loads(l)
    assert kind == "o" and isinstance(data, str), l[:80]
    assert t >= t0, "time goes back: %s" % l[:80]
    t0 = t
    out += data
assert len(lines) > 10, "only %d events" % len(lines)
assert "\x1b[?1049h" in out, "no switch to the alternate screen"
assert out.rstrip().endswith("\x1b[?1049l") or "\x1b[?1049l" in out[-200:], \
    "the recording does not end with curses closed: %r" % out[-80:]
EOF
exit 0
