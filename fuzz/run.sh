#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# run.sh SECONDS FUZZER...: runs each libFuzzer harness for SECONDS on its
# corpus (build/fuzz/corpus/NAME, seeded by fuzz/seeds.py), after replaying
# fuzz/regressions/NAME (inputs that once crashed). Crashes are written to
# build/fuzz/crashes/. FUZZ_JOBS harnesses run at once (default 1). Ends
# with "fuzz: N passed, N failed".
set -u
secs=$1
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/fuzz
mkdir -p "$OUT/corpus" "$OUT/crashes"
/usr/bin/python3 "$ROOT/fuzz/seeds.py" "$OUT/seeds" || exit 1
# fuzz_one FUZZER: its regression replay and its run; prints their lines
# and leaves "PASSED FAILED" in $OUT/NAME.count.
fuzz_one() {
	local f=$1 name pass=0 fail=0
	name=$(basename "$f")
	mkdir -p "$OUT/corpus/$name" "$OUT/seeds/$name"
	reg=$ROOT/fuzz/regressions/$name
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
		if "$f" "$reg"/* >"$OUT/$name.replay.log" 2>&1; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "FAIL $name: a regression input crashes again ($OUT/$name.replay.log)"
		fi
	fi
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		-artifact_prefix="$OUT/crashes/$name-" "$OUT/corpus/$name" "$OUT/seeds/$name" >"$OUT/$name.log" 2>&1; then
		pass=$((pass + 1))
		echo "$name: $(grep -oE '^Done [0-9]+ runs' "$OUT/$name.log" | tail -n 1 | tr -dc '0-9') executions in ${secs} s"
	else
		fail=$((fail + 1))
		echo "FAIL $name: $(grep -m1 -E 'ERROR|SUMMARY' "$OUT/$name.log")"
	fi
	echo "$pass $fail" >"$OUT/$name.count"
}
# FUZZ_JOBS harnesses at once (default 1: `make fuzz` gives each a core).
# A line as each starts (fuzz_one prints one as it ends): make test would
# otherwise be silent for minutes.
running=0
n=0
for f in "$@"; do
	if [ "$running" -ge "${FUZZ_JOBS:-1}" ]; then
		wait -n
		running=$((running - 1))
	fi
	rm -f "$OUT/$(basename "$f").count"
	n=$((n + 1))
	echo "fuzz [$n/$#] $(basename "$f"): ${secs} s..."
	fuzz_one "$f" &
	running=$((running + 1))
done
wait
pass=0
fail=0
for f in "$@"; do
	p=0
	n=1
	[ -s "$OUT/$(basename "$f").count" ] && read -r p n <"$OUT/$(basename "$f").count"
	pass=$((pass + p))
	fail=$((fail + n))
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
