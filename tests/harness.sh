# harness.sh: counting assertions for the shell tests. Sourced.
PASS=0
FAIL=0
CASE=
case_() { CASE="$*"; }
ok() { PASS=$((PASS + 1)); }
bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL $*"
}
# finish SUITE: the closing line the runner adds up; exit 1 on failures.
finish() {
	echo "$1: $PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
}
# budget MS: a time limit in milliseconds, stretched under valgrind.
budget() {
	if [ -n "${SA_SLOW:-}" ]; then echo $(($1 * 10 + 3000)); else echo "$1"; fi
}
