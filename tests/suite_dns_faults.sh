#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_dns_faults.sh SENDERAUDIT: the DNS fault matrix. A misbehaving server
# (tests/fakedns.py, loopback) answers MX/A questions under fault.test; each
# fault must make mx.bounces `error` with the right grade and reason, within
# the lookup budget, with a schema-valid report and no crash.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
TMP=$(mktemp -d /tmp/senderaudit-faults.XXXXXX)
/usr/bin/python3 "$ROOT/tests/fakedns.py" 300 >"$TMP/port" 2>"$TMP/fakedns.log" &
FAKE_PID=$!
trap 'kill $FAKE_PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
R="127.0.0.1#$(cat "$TMP/port")"

# fault NAME WANT_STATUS WANT_GRADE REASON_REGEX MAX_MS
fault() {
	case_ "$1"
	local t0 ms rc out=$TMP/$1.json
	t0=$(date +%s%N)
	"$BIN" --format json --resolver "$R" --timeout 1 --only mx.bounces 192.0.2.1 "$1.fault.test" >"$out" 2>"$TMP/err"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	local st grade why
	st=$(jq -r '.checks[] | select(.id == "mx.bounces") | .status' "$out" 2>/dev/null)
	grade=$(jq -r '.checks[] | select(.id == "mx.bounces") | .data.lookup_error.status // "-"' "$out" 2>/dev/null)
	why=$(jq -r '.checks[] | select(.id == "mx.bounces") | .data.lookup_error.reason // ""' "$out" 2>/dev/null)
	[ "$st" = "$2" ] && ok || bad "$CASE: status $st, want $2 (stderr: $(head -c 200 "$TMP/err"))"
	[ "$grade" = "$3" ] && ok || bad "$CASE: graded $grade, want $3"
	[[ "$why" =~ $4 ]] && ok || bad "$CASE: reason '$why' does not match /$4/"
	[ "$ms" -le "$(budget "$5")" ] && ok || bad "$CASE: took $ms ms, budget $(budget "$5") ms"
	case $2 in
	error) [ $rc = 3 ] && ok || bad "$CASE: exit $rc, want 3" ;;
	pass) [ $rc = 0 ] && ok || bad "$CASE: exit $rc, want 0" ;;
	fail) [ $rc = 2 ] && ok || bad "$CASE: exit $rc, want 2" ;;
	esac
	/usr/bin/python3 "$ROOT/tests/validate-json.py" "$out" 2>/dev/null && ok || bad "$CASE: report not schema-valid"
}

fault ok pass - '^$' 1500
fault servfail error SERVFAIL 'answered SERVFAIL' 1500
fault refused error REFUSED 'refused the query' 1500
fault formerr error SERVFAIL 'answered FORMERR' 1500
fault notimp error SERVFAIL 'answered NOTIMP' 1500
fault wrongid error TIMEOUT 'wrong ID' 1800
fault wrongq error TIMEOUT 'another question' 1800
fault garbage error MALFORMED 'unparseable' 1500
fault silent error TIMEOUT 'no answer .* within 1.0 s \(3 tries' 1800
fault late error TIMEOUT 'no answer' 1800
fault trunc pass - '^$' 1500
fault trunctcpclose error NETWORK 'truncated and TCP failed' 1500
fault bigmx pass - '^$' 3000
fault cnameloop error MALFORMED 'CNAME loop' 1500
fault longchain error MALFORMED 'CNAME chain' 1500
fault dropfirst pass - '^$' 1800
fault binaryname fail - '^$' 1500

case_ "hostile names reach the terminal escaped"
"$BIN" --resolver "$R" --timeout 1 --only mx.bounces --color never -v 192.0.2.1 binaryname.fault.test >"$TMP/out.txt" 2>&1
if ! grep -q $'\033' "$TMP/out.txt"; then ok; else bad "$CASE: raw escape character in the text report"; fi

case_ "the fake server itself stayed healthy"
if ! grep -q Traceback "$TMP/fakedns.log"; then ok; else bad "$CASE: $(head -c 300 "$TMP/fakedns.log")"; fi

finish dns_faults
