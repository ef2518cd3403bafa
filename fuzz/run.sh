#!/usr/bin/env bash
# run.sh SECONDS FUZZER...: runs each libFuzzer harness for SECONDS on its
# corpus (build/fuzz/corpus/NAME, seeded by fuzz/seeds.py), after replaying
# fuzz/regressions/NAME (inputs that once crashed). Crashes are written to
# build/fuzz/crashes/. Ends with "fuzz: N passed, N failed".
set -u
secs=$1
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/fuzz
mkdir -p "$OUT/corpus" "$OUT/crashes"
/usr/bin/python3 "$ROOT/fuzz/seeds.py" "$OUT/seeds" || exit 1
pass=0
fail=0
n=0
for f in "$@"; do
	name=$(basename "$f")
	n=$((n + 1))
	# a line as each harness starts: make test is otherwise silent for minutes
	echo "fuzz [$n/$#] $name: ${secs} s..."
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
		echo "$name: $(grep -oE '#[0-9]+' "$OUT/$name.log" | tail -n 1 | tr -d '#') executions in ${secs} s"
	else
		fail=$((fail + 1))
		echo "FAIL $name: $(grep -m1 -E 'ERROR|SUMMARY' "$OUT/$name.log")"
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
