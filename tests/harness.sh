# SPDX-License-Identifier: ISC
# harness.sh: counting assertions for the shell tests. Sourced.
PASS=0
FAIL=0
SKIPPED=0
CASE=
case_() { CASE="$*"; }
ok() { PASS=$((PASS + 1)); }
bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL $*"
}
# skip_ WHY: a case that could not run here (a missing tool): counted and
# shown, never silently gone. `make test` installs what the suites need.
skip_() {
	SKIPPED=$((SKIPPED + 1))
	echo "SKIP $CASE: $*"
}
# finish SUITE: the closing line the runner adds up; exit 1 on failures.
finish() {
	if [ "$SKIPPED" != 0 ]; then
		echo "$1: $PASS passed, $FAIL failed, $SKIPPED skipped"
	else
		echo "$1: $PASS passed, $FAIL failed"
	fi
	[ "$FAIL" = 0 ]
}
# budget MS: a time limit in milliseconds, stretched under valgrind.
budget() {
	if [ -n "${SA_SLOW:-}" ]; then echo $(($1 * 10 + 3000)); else echo "$1"; fi
}
# peak_rss_kb CMD...: the command's peak RSS in KB (GNU time), its output
# to $TMP/rss.out. ASan keeps no freed memory back (no quarantine, global or
# per thread: the latter grows with the threads that ran), so the figure is
# what the process holds.
peak_rss_kb() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0:thread_local_quarantine_size_kb=0 \
		/usr/bin/time -f '%M' "$@" 2>&1 >"$TMP/rss.out" | tail -n 1
}

# No test may reach the internet: every host name an audit connects to (the
# RDAP and WHOIS servers too) is resolved through --resolver, the suites'
# NSD, which knows no name outside testdata; the bootstrap cache directory is
# the tests' own.
export XDG_CACHE_HOME=/tmp/senderaudit-test-cache

# The checks of a JSON report in $OUT (for the suites' audit() helpers).
# expect ID STATUS [SUBJECT]: the first finding with that id (and subject)
# has that status.
expect() {
	local got sel='[.checks[] | select(.id == $id and ($s == "" or .subject == $s))][0]'
	got=$(jq -r --arg id "$1" --arg s "${3:-}" "$sel.status // \"missing\"" "$OUT" 2>/dev/null)
	if [ "$got" = "$2" ]; then ok; else bad "$CASE: $1${3:+ [$3]} is $got, want $2 ($(jq -r --arg id "$1" --arg s "${3:-}" "$sel | .summary + \" / \" + (.detail // \"\")" "$OUT" 2>/dev/null))"; fi
}
# expect_jq FILTER [DESCRIPTION]: the filter over the report prints true.
expect_jq() {
	local got
	got=$(jq -r "$1" "$OUT" 2>&1)
	if [ "$got" = "true" ]; then ok; else bad "$CASE: ${2:-$1} (got: $(echo "$got" | head -c 200))"; fi
}
expect_rc() {
	if [ "$RC" = "$1" ]; then ok; else bad "$CASE: exit status $RC, want $1"; fi
}
# Every problem says what to change; nothing else carries a remedy. The
# report's stand-in for a missing remedy ("See the detail above.") is none.
remedies_ok() {
	expect_jq '[.checks[] | select(.status == "warn" or .status == "fail" or .status == "error") | .remedy | type == "string" and length > 20 and . != "See the detail above."] | all' \
		"every warn/fail/error carries a remedy of its own"
	expect_jq '[.checks[] | select(.status == "pass" or .status == "info" or .status == "skip") | .remedy == null] | all' \
		"no remedy on pass/info/skip"
}
