#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_progress.sh SENDERAUDIT: make test shows the fuzz smoke as it runs
# (it was silent for minutes): fuzz/run.sh prints a line as each harness
# starts and ends, and tests/run.sh passes them on at once. Two stand-in
# harnesses, one at a time; the second looks at what was printed before it
# ran.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
TMP=$(mktemp -d /tmp/senderaudit-progress.XXXXXX)
trap 'rm -rf "$TMP" "$ROOT/build/fuzz/corpus/fake_one" "$ROOT/build/fuzz/corpus/fake_two" "$ROOT"/build/fuzz/fake_*.log' EXIT
mkdir -p "$TMP/bin"
# a harness that "runs" and ends with libFuzzer's last line
printf '#!/bin/sh\necho "Done 42 runs in 1 second(s)"\n' >"$TMP/bin/fake_one"
# the second checks that the first one's lines are out already
cat >"$TMP/bin/fake_two" <<'SH'
#!/bin/sh
grep -q '^fuzz \[1/2\] fake_one: ' "$SHOWN" && grep -q '^fake_one: 42 executions' "$SHOWN" && grep -q '^fuzz \[2/2\] fake_two: ' "$SHOWN" || exit 1
echo "Done 7 runs in 1 second(s)"
SH
chmod +x "$TMP/bin/fake_one" "$TMP/bin/fake_two"

case_ "fuzz/run.sh: a line per harness as it starts and ends"
SHOWN=$TMP/direct FUZZ_JOBS=1 bash "$ROOT/fuzz/run.sh" 1 "$TMP/bin/fake_one" "$TMP/bin/fake_two" >"$TMP/direct" 2>&1
RC=$?
expect_rc 0
grep -q '^fuzz: 2 passed, 0 failed$' "$TMP/direct" && ok || bad "$CASE: $(tail -n 3 "$TMP/direct")"

case_ "tests/run.sh passes the fuzz lines on as they come"
SHOWN=$TMP/runner FUZZ_JOBS=1 SA_SUITES=none FUZZERS="$TMP/bin/fake_one $TMP/bin/fake_two" FUZZ_SMOKE_SECONDS=1 \
	sh "$ROOT/tests/run.sh" "$BIN" >"$TMP/runner" 2>&1
RC=$?
expect_rc 0
tail -n 1 "$TMP/runner" | grep -qx '2 passed, 0 failed' && ok || bad "$CASE: $(tail -n 3 "$TMP/runner")"

finish progress
