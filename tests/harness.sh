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
# No test may reach the internet: an audit that runs the rdap checks without
# --rdap-bootstrap asks a closed loopback port instead of IANA (and WHOIS
# referrals go there too), with a bootstrap cache directory of the tests' own.
export SENDERAUDIT_IANA_BOOTSTRAP=http://127.0.0.1:9/
export SENDERAUDIT_WHOIS_SERVER='127.0.0.1#9'
export XDG_CACHE_HOME=/tmp/senderaudit-test-cache
