#!/usr/bin/env bash
# The guided tour tells its story under autoplay (tmux): `memviz --play 16
# demos/tour` runs to the end, and the screen, sampled every 0.2 s with
# the events strip zoomed (Tab z), shows over time
#  - the tour's chapter lines (what demos/tour prints as "# N. title",
#    taken from an untraced run) as headings without "program:", in
#    order, and the current one in the strip's title;
#  - narration for the stack (a call's new frame), the heap (tcache
#    reuse, a split) and mmap (a block above the threshold);
#  - the tour's bugs (its "bug KIND addr A line N fn F" lines): a "⚠"
#    line each with that kind, address, function and line, autoplay
#    pausing at one (p resumes), the count in the status line, and b
#    listing them;
# then the same in --lang ko, with Korean narration.
. tests/lib.sh
need_memviz
need_ptrace
need_cmd tmux

[ -x demos/tour ] || fail "demos/tour is not built (make)"

# The chapters and bugs the tour has, from an untraced run.
run_untraced tour
[ "$STATUS" = 0 ] || fail "demos/tour exits $STATUS untraced"
sed -n 's/^# \([0-9][0-9]*\. .*\)/\1/p' "$OUT" >"$T/chapters.txt"
[ "$(wc -l <"$T/chapters.txt")" -ge 5 ] || fail "demos/tour prints fewer than 5 chapter lines"
bug_kinds=$(sed -n 's/^bug \([a-z_]*\) .*/\1/p' "$OUT" | sort | tr '\n' ' ')
tour_has_bugs=0
grep -q 'bug ' demos/tour.c && tour_has_bugs=1

# run_tour OUTFILE [OPTION...]: autoplay the tour, the events strip
# zoomed, appending a sample of the screen every 0.2 s to OUTFILE (each
# after a "=== N" line) until the program has exited; where autoplay
# paused at a bug, p resumes it.
run_tour() {
	local out=$1 i now=$T/now.txt
	shift
	: >"$out"
	tmux_start 200 60 "env TMPDIR=$T $MEMVIZ --play 16 $* demos/tour"
	tmux_keys Tab z           # focus the events strip, zoom it: 50-odd lines in view
	for ((i = 0; i < 200; i++)); do
		tmux_screen >"$now"
		{ echo "=== $i"; cat "$now"; } >>"$out"
		grep -q 'program exited (status' "$now" && return 0
		if head -n 1 "$now" | grep -q ' paused' &&
			grep -q 'autoplay paused at a bug (p resumes)' "$now"; then
			tmux_keys p
			sleep 0.3
		fi
		sleep 0.2
	done
	tail -n 62 "$out" | sed 's/^/    | /'
	fail "the tour did not reach its end under --play 16 $*"
}

# check_story FILE LANG: the chapters, in order, as headings.
check_story() {
	"$PY" - "$1" "$T/chapters.txt" <<'EOF' || fail "$2: the story's chapters (see above)"
import re, sys
samples, cur = [], None
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("=== "):
        cur = []
        samples.append(cur)
    elif cur is not None:
        cur.append(line.rstrip("\n"))
chapters = [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
first, titled, bad = {}, set(), []
for k, scr in enumerate(samples):
    for l in scr:
        m = re.match(r"│ (\d+\. .*?) ─+ *│$", l)
        if m and m.group(1) in chapters:
            first.setdefault(m.group(1), k)
        m = re.match(r"┌ Events · (\d+\. .*?) ─", l)
        if m:
            titled.add(m.group(1))
        if re.search(r"program: # \d+\. ", l):
            bad.append(l)
missing = [c for c in chapters if c not in first]
if missing:
    sys.exit("chapters never shown as headings: %s" % missing)
order = [first[c] for c in chapters]
if order != sorted(order):
    sys.exit("chapters out of order: %s" % list(zip(chapters, order)))
if not titled or not titled <= set(chapters) or chapters[-1] not in titled:
    sys.exit("the strip's title named %s, not the chapters (the last: %s)" % (titled, chapters[-1]))
if bad:
    sys.exit("a chapter line shown as program output: %s" % bad[0])
EOF
}

# seen FILE REGEX WHAT: some sample of FILE has a line matching REGEX.
seen() {
	grep -Eq -- "$2" "$1" || fail "never on screen: $3 (/$2/)"
}

# check_bugs FILE: each "bug KIND addr A line N fn F" the tour printed
# (read off the strip) has its "⚠ KIND A at F (tour.c:N)" line; the
# status line counts them; b lists them.
check_bugs() {
	local file=$1 truths kind addr line fn n
	truths=$(grep -Eo 'program: bug [a-z_]+ addr 0x[0-9a-f]+ line [0-9]+ fn [A-Za-z_0-9]+' "$file" |
		sort -u)
	n=$(printf '%s\n' "$truths" | grep -c 'bug ')
	[ "$n" -ge 2 ] || fail "the strip did not show the tour's two bug lines (saw $n)"
	while read -r _ _ kind _ addr _ line _ fn; do
		seen "$file" "⚠ $kind $addr at $fn \\(tour\\.c:$line\\)" "the $kind bug the tour printed"
	done <<<"$truths"
	seen "$file" 'autoplay paused at a bug \(p resumes\)' "autoplay pausing at a bug"
	tmux_screen | head -n 1 | grep -q "⚠ $n bugs" || {
		tmux_screen | head -n 1
		fail "the status line does not count $n bugs at the end"
	}
	tmux_keys b
	tmux_wait "Bugs found so far: $n"
	for kind in $bug_kinds; do
		tmux_screen | grep -Eq "kind +$kind\b" || fail "b: no $kind in the list of bugs"
	done
	tmux_keys Escape
}

# ---- English ------------------------------------------------------------------
run_tour "$T/en.txt"
check_story "$T/en.txt" en
seen "$T/en.txt" 'plan_trip called pack_bag\(days=5\): new [0-9]+-byte frame at 0x[0-9a-f]+' \
	"a call's new frame (stack)"
seen "$T/en.txt" 'malloc\(500\) reused the 512-byte chunk at 0x[0-9a-f]+ from tcache' \
	"a tcache reuse (heap)"
seen "$T/en.txt" 'malloc\(100\) split the free [0-9,]+-byte chunk' "a split (heap)"
seen "$T/en.txt" 'malloc\(204800\) is above the mmap threshold: its own [0-9,]+-byte mapping' \
	"a block above the mmap threshold"
[ "$tour_has_bugs" = 1 ] && check_bugs "$T/en.txt"
tmux_stop

# ---- Korean -------------------------------------------------------------------
run_tour "$T/ko.txt" --lang ko
check_story "$T/ko.txt" ko
seen "$T/ko.txt" 'plan_trip → pack_bag\(days=5\) 호출: 0x[0-9a-f]+에 [0-9]+바이트 스택 프레임이 생겼습니다' \
	"ko: a call's new frame"
seen "$T/ko.txt" 'malloc\(500\): tcache\[[0-9]+\]에 있던 0x[0-9a-f]+의 512바이트 청크를 재사용했습니다' \
	"ko: a tcache reuse"
seen "$T/ko.txt" 'malloc\(100\): 0x[0-9a-f]+의 [0-9,]+바이트 빈 청크를 분할했습니다' "ko: a split"
seen "$T/ko.txt" 'malloc\(204800\): mmap 임계값보다 커서 힙 밖의 0x[0-9a-f]+에 따로 [0-9,]+바이트 매핑' \
	"ko: a block above the mmap threshold"
if [ "$tour_has_bugs" = 1 ]; then
	check_bugs "$T/ko.txt"
	# the bugs are told in Korean too
	grep -Eq '(메모리 누수|댕글링 포인터|이중 해제|해제 후 사용|버퍼 오버플로)' "$T/ko.txt" ||
		fail "ko: no bug told in Korean"
fi
tmux_stop

[ "$tour_has_bugs" = 1 ] ||
	skip "demos/tour has no bugs yet (no 'bug ' line in demos/tour.c): the story passed, the bug part was not run"
exit 0
