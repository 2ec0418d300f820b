#!/usr/bin/env bash
# A short pass of every fuzzer (make fuzz) on its seed corpus: the parsers
# and walkers of bytes memviz does not own (maps/smaps text, ELF files, code
# bytes for the emulator, strings for the JSON escaper) must not crash,
# leak or hit undefined behaviour.  New inputs go to build/fuzz/corpus_NAME,
# so the seed dirs stay as they are.  FUZZ_SECS sets the time per fuzzer.
. tests/lib.sh

secs=${FUZZ_SECS:-8}
found=0
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	found=1
	n=${f##*/fuzz_}
	scratch=build/fuzz/corpus_$n
	seed=tests/fuzz/corpus_$n
	mkdir -p "$scratch"
	[ -d "$seed" ] || seed=
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		"$f" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="build/fuzz/$n-" "$scratch" $seed 2>"$T/$n.log" || {
		tail -n 40 "$T/$n.log"
		fail "fuzz_$n found a problem (artifact in build/fuzz/)"
	}
	echo "fuzz_$n: $(grep -E '^stat::number_of_executed_units' "$T/$n.log" | awk '{print $2}') runs in ${secs}s"
done
[ "$found" = 1 ] || skip "no fuzzer built (make fuzz needs clang)"
exit 0
