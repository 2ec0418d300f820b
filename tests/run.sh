#!/usr/bin/env bash
# tests/run.sh - run the suite: every C unit test build/tests/test_* and every
# shell test tests/t_*.sh, one at a time, from the repo root.
#
#   tests/run.sh [FILTER]     only the tests whose name contains FILTER
#
# A test passes with exit 0, is skipped with 77, fails otherwise (a timeout
# is a failure).  Its stdout+stderr go to tests/out/NAME.log; on failure the
# last 20 lines are shown, on skip the last line is the reason.  Builds
# nothing (`make test` builds first).  Ends with "N passed, N failed, N
# skipped"; exit status 1 if any failed.
#
# Environment: TEST_TIMEOUT (seconds per test, default 120).

set -u
cd "$(dirname "$0")/.." || exit 1

filter=${1:-}
timeout_s=${TEST_TIMEOUT:-120}
outdir=tests/out
mkdir -p "$outdir" || exit 1

pass=0 fail=0 skip=0
failed_names=()

# Run one test: name, then the command; print its verdict and count it.
run_one() {
	local name=$1 log="$outdir/$1.log" rc
	shift
	timeout -k 10 "$timeout_s" "$@" </dev/null >"$log" 2>&1
	rc=$?
	case $rc in
	0)
		echo "PASS $name"
		pass=$((pass + 1))
		;;
	77)
		echo "SKIP $name ($(tail -n 1 "$log"))"
		skip=$((skip + 1))
		;;
	*)
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			echo "timed out after ${timeout_s}s" >>"$log"
		fi
		echo "FAIL $name (exit $rc, log $log)"
		tail -n 20 "$log" | sed 's/^/    /'
		fail=$((fail + 1))
		failed_names+=("$name")
		;;
	esac
}

tests=()
for t in build/tests/test_*; do
	[ -f "$t" ] && [ -x "$t" ] && tests+=("$t")
done
for t in tests/t_*.sh; do
	[ -f "$t" ] && tests+=("$t")
done

ran=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	if [ -n "$filter" ] && [[ $name != *"$filter"* ]]; then
		continue
	fi
	ran=$((ran + 1))
	case $t in
	*.sh) run_one "$name" bash "$t" ;;
	*) run_one "$name" "$t" ;;
	esac
done

if [ -n "$filter" ] && [ "$ran" -eq 0 ]; then
	echo "run.sh: no test name contains \"$filter\"" >&2
	echo "0 passed, 0 failed, 0 skipped"
	exit 1
fi
if [ "$fail" -gt 0 ]; then
	echo "failed: ${failed_names[*]}"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
