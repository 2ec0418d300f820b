# tests/lib.sh - helpers for the shell tests.  A test is tests/t_NAME.sh,
# run by tests/run.sh from the repo root; it starts with
#
#     . tests/lib.sh
#
# and ends with exit 0 (pass), `skip "why"` (77) or `fail "what"` (1).
#
# What it gets:
#   MEMVIZ            the binary under test (./memviz unless set)
#   T                 a private temp dir, removed at exit (KEEP_TMP=1 keeps it)
#   fail MSG / skip MSG / need_cmd CMD... / need_memviz / need_ptrace / need_attach
#   memviz_json [OPTION...] -- DEMO [ARG...]
#                     run memviz --json on a demo; sets JSON, OUT, ERR, STATUS
#   run_untraced DEMO [ARG...]      sets OUT, ERR, STATUS for a plain run
#   json_check FILE   every line is one JSON object (strict UTF-8)
#   json_get FILE PYEXPR            evaluate PYEXPR over R (list of records)
#   json_kinds FILE                 the event kinds, one per line
#   json_count FILE KIND [PID]      how many records have that event kind
#   truth_heap FILE [TAG]           a demo's own heap lines, normalised
#   json_heap FILE [PID]            memviz's heap events, normalised alike
#   heap_diff OUTFILE JSONFILE [TAG [PID]]   fail unless the two agree
#   wait_for_line FILE REGEX [SECS] wait until a line of FILE matches
#   assert_eq GOT WANT MSG
#   tmux_start W H CMD...   run CMD in a private tmux server, one W x H pane
#   tmux_screen [-e]        the pane's text now (-e: with its SGR attributes)
#   tmux_wait REGEX [SECS]  wait until the screen matches; fail on timeout
#   tmux_keys KEY...        send-keys to the pane
#   tmux_stop               end the session
#   tmux_step_until REGEX [N]  press n (N times at most) until the screen matches
#   wait_nonempty FILE [SECS]  wait until FILE exists and is not empty

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
set -o pipefail

MEMVIZ=${MEMVIZ:-./memviz}
PY=${PYTHON:-python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/memviz-test.XXXXXX") || exit 1

# Remove the temp dir and any process a test left behind in BG_PIDS.
_lib_cleanup() {
	local p
	for p in ${BG_PIDS:-}; do
		kill "$p" 2>/dev/null
	done
	for p in "$T"/tmux.*.sock; do
		[ -S "$p" ] && tmux -S "$p" kill-server 2>/dev/null
	done
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap _lib_cleanup EXIT

# Fail the test with a message.
fail() {
	echo "FAIL: $*"
	exit 1
}

# Skip the test; the message is the last line of the log (run.sh shows it).
skip() {
	echo "skip: $*"
	exit 77
}

# Skip unless every command named is installed.
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed (make deps)"
	done
}

# Fail unless memviz is built.
need_memviz() {
	[ -x "$MEMVIZ" ] || fail "$MEMVIZ is not built (make)"
}

# Skip when this machine forbids ptrace altogether (Yama level 3, or a
# container without CAP_SYS_PTRACE where even a child cannot be traced).
need_ptrace() {
	local scope
	scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)
	[ "$scope" = 3 ] && skip "ptrace disabled (kernel.yama.ptrace_scope = 3)"
	return 0
}

# Skip unless we may attach to a process that is not our child
# (Yama ptrace_scope 0, or root / CAP_SYS_PTRACE at level 1).
need_attach() {
	local scope
	need_ptrace
	scope=$(cat /proc/sys/kernel/yama/ptrace_scope 2>/dev/null || echo 0)
	if [ "$scope" != 0 ] && [ "$(id -u)" != 0 ]; then
		skip "attach needs kernel.yama.ptrace_scope=0 or root (it is $scope)"
	fi
	return 0
}

# demos/NAME for a bare name, the argument itself for a path.
_demo_path() {
	case $1 in
	*/*) echo "$1" ;;
	*) echo "demos/$1" ;;
	esac
}

# memviz_json [OPTION...] -- DEMO [ARG...]
# Run `memviz --json -o FILE OPTION... -- demos/DEMO ARG...` with a timeout
# (MV_TIMEOUT, default 60 s).  Sets JSON (the records), OUT (the program's
# stdout), ERR (stderr of both), STATUS (memviz's exit status).  Returns 0
# whatever the status: the test decides.  Files are named after the demo
# and a counter, so several runs in one test do not collide.
memviz_json() {
	local opts=() prog base
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	[ "${1:-}" = -- ] || fail "memviz_json: missing -- before the program"
	shift
	[ $# -gt 0 ] || fail "memviz_json: no program"
	prog=$(_demo_path "$1")
	shift
	_MV_RUNS=$((${_MV_RUNS:-0} + 1))
	base="$T/$(basename "$prog").$_MV_RUNS"
	JSON=$base.jsonl OUT=$base.out ERR=$base.err
	timeout -k 5 "${MV_TIMEOUT:-60}" "$MEMVIZ" --json -o "$JSON" "${opts[@]}" -- \
		"$prog" "$@" </dev/null >"$OUT" 2>"$ERR"
	STATUS=$?
	return 0
}

# run_untraced DEMO [ARG...]: the same program without memviz; sets OUT,
# ERR, STATUS like memviz_json (STATUS = 128+N when signal N killed it).
run_untraced() {
	local prog base
	prog=$(_demo_path "$1")
	shift
	_MV_RUNS=$((${_MV_RUNS:-0} + 1))
	base="$T/$(basename "$prog").plain.$_MV_RUNS"
	OUT=$base.out ERR=$base.err
	# braces + 2>/dev/null: no "Segmentation fault" note from bash itself
	{ timeout -k 5 "${MV_TIMEOUT:-60}" "$prog" "$@" </dev/null >"$OUT" 2>"$ERR"; } 2>/dev/null
	STATUS=$?
	return 0
}

# Fail unless every line of FILE is a JSON object (UTF-8, nothing else).
json_check() {
	"$PY" - "$1" <<'EOF' || fail "$1: not JSON Lines"
import json, sys
n = 0
with open(sys.argv[1], "rb") as f:
    for i, raw in enumerate(f, 1):
        try:
            r = json.loads(raw.decode("utf-8"))
        except Exception as e:
            sys.exit("line %d: %s: %r" % (i, e, raw[:200]))
        if not isinstance(r, dict):
            sys.exit("line %d: not an object" % i)
        n += 1
if n == 0:
    sys.exit("no records")
EOF
}

# json_get FILE PYEXPR: evaluate PYEXPR with R = the list of records (and
# json, re available).  A string prints as is, a list one item per line,
# anything else as JSON.  Example: json_get "$JSON" 'R[0]["event"]["kind"]'
json_get() {
	"$PY" - "$1" "$2" <<'EOF'
import json, re, sys
with open(sys.argv[1], encoding="utf-8") as f:
    R = [json.loads(l) for l in f if l.strip()]
v = eval(sys.argv[2], {"R": R, "json": json, "re": re})
def show(x):
    print(x if isinstance(x, str) else json.dumps(x))
if isinstance(v, (list, tuple)):
    for x in v:
        show(x)
elif v is not None:
    show(v)
EOF
}

# The event kind of every record, one per line.
json_kinds() {
	json_get "$1" '[r.get("event", {}).get("kind", "") for r in R]'
}

# json_count FILE KIND [PID]: records whose event kind is KIND.
json_count() {
	json_get "$1" "sum(1 for r in R if r.get('event', {}).get('kind') == '$2'
		and ('${3:-}' == '' or str(r.get('pid')) == '${3:-}'))"
}

# The normal form both heap helpers print, one call per line, every number
# as lowercase 0x-hex:  malloc 0x18 -> 0x55...  |  free 0x55...  |
# calloc N S -> P  |  realloc OLD S -> P  |  memalign A S -> P
_HEAP_NORM='
def num(t):
    t = str(t).strip()
    v = int(t, 16) if t.lower().startswith("0x") else int(t)
    return "0x%x" % v
def line(kind, args, ret):
    s = " ".join([kind] + [num(a) for a in args])
    if kind != "free":
        s += " -> " + num(ret if ret is not None else 0)
    return s
HEAP = ("malloc", "calloc", "realloc", "free", "memalign")
'

# truth_heap FILE [TAG]: the heap lines a demo printed (truth.h format),
# only those starting with "TAG " when TAG is given.
truth_heap() {
	"$PY" - "$1" "${2:-}" <<EOF
import sys
$_HEAP_NORM
tag = sys.argv[2]
for l in open(sys.argv[1], encoding="utf-8", errors="replace"):
    w = l.split()
    if tag:
        if not w or w[0] != tag:
            continue
        w = w[1:]
    if not w or w[0] not in HEAP:
        continue
    if "->" in w:
        i = w.index("->")
        print(line(w[0], w[1:i], w[i + 1]))
    else:
        print(line(w[0], w[1:], None))
EOF
}

# json_heap FILE [PID]: memviz's heap events (in record order), same form.
json_heap() {
	"$PY" - "$1" "${2:-}" <<EOF
import json, sys
$_HEAP_NORM
pid = sys.argv[2]
for l in open(sys.argv[1], encoding="utf-8"):
    if not l.strip():
        continue
    r = json.loads(l)
    e = r.get("event") or {}
    if e.get("kind") not in HEAP or (pid and str(r.get("pid")) != pid):
        continue
    print(line(e["kind"], e.get("args", []), e.get("ret")))
EOF
}

# heap_diff OUTFILE JSONFILE [TAG [PID]]: fail unless the demo's own heap
# lines and memviz's heap events are the same calls in the same order.
heap_diff() {
	truth_heap "$1" "${3:-}" >"$T/truth.heap" || fail "truth_heap $1"
	json_heap "$2" "${4:-}" >"$T/json.heap" || fail "json_heap $2"
	[ -s "$T/truth.heap" ] || fail "$1: no heap lines"
	if ! diff -u "$T/truth.heap" "$T/json.heap" >"$T/heap.diff"; then
		head -n 40 "$T/heap.diff"
		fail "heap events differ from what the demo printed (- demo, + memviz)"
	fi
}

# wait_for_line FILE REGEX [SECS]: wait (default 10 s) until a line of FILE
# matches the extended REGEX; fail on timeout.
wait_for_line() {
	local i n=$((${3:-10} * 20))
	for ((i = 0; i < n; i++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "no line matching /$2/ in $1 after ${3:-10}s"
}

# assert_eq GOT WANT MSG
assert_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# ---- the terminal UI under tmux ----------------------------------------
# One private server (its socket in $T, no user config), one session "ui"
# of a fixed size; the pane runs CMD through sh and stays after it ends
# (remain-on-exit) so the screen it left can still be read.

tmux_start() {
	local w=$1 h=$2
	shift 2
	need_cmd tmux
	_TMUX_N=$((${_TMUX_N:-0} + 1))   # a server per start: a killed one takes a moment to go
	TMUX_SOCK=$T/tmux.$_TMUX_N.sock
	tmux -S "$TMUX_SOCK" -f /dev/null new-session -d -s ui -x "$w" -y "$h" \
		-e "LANG=${UI_LANG:-C.UTF-8}" -e "TERM=${UI_TERM:-xterm-256color}" "sleep 3600" ||
		fail "tmux new-session"
	tmux -S "$TMUX_SOCK" set-option -g remain-on-exit on >/dev/null
	# the pane's own environment: LANG/TERM as the test chose, nothing of ours
	tmux -S "$TMUX_SOCK" respawn-pane -k -t ui \
		"env LANG=${UI_LANG:-C.UTF-8} LC_ALL= TERM=${UI_TERM:-xterm-256color} $*" ||
		fail "tmux respawn-pane"
}

tmux_screen() {
	tmux -S "$TMUX_SOCK" capture-pane -p ${1:+"$1"} -t ui
}

tmux_keys() {
	tmux -S "$TMUX_SOCK" send-keys -t ui "$@"
}

# tmux_wait REGEX [SECS]: wait (default 15 s) until the screen has a line
# matching the extended REGEX; on timeout show the screen and fail.
tmux_wait() {
	local i n=$((${2:-15} * 10))
	for ((i = 0; i < n; i++)); do
		tmux_screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	tmux_screen | sed 's/^/    | /'
	fail "the screen never showed /$1/ in ${2:-15}s"
}

# tmux_step_until REGEX [N]: step (n) until the screen has a line matching
# the extended REGEX, pressing n at most N times (default 20); then as
# tmux_wait (fail, showing the screen, if it never does).
tmux_step_until() {
	local i
	for ((i = 0; i < ${2:-20}; i++)); do
		tmux_screen | grep -Eq -- "$1" && return 0
		tmux_keys n
		sleep 0.3
	done
	tmux_wait "$1" 5
}

# wait_nonempty FILE [SECS]: wait (default 5 s) until FILE has something in it.
wait_nonempty() {
	local i n=$((${2:-5} * 10))
	for ((i = 0; i < n; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	fail "$1 is still empty after ${2:-5}s"
}

# End the session (its program gets SIGHUP).
tmux_stop() {
	tmux -S "$TMUX_SOCK" kill-server 2>/dev/null
	return 0
}

# The pane's process has ended (remain-on-exit keeps the pane).
tmux_dead() {
	[ "$(tmux -S "$TMUX_SOCK" display-message -p -t ui '#{pane_dead}')" = 1 ]
}
