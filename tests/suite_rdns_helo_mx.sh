#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_rdns_helo_mx.sh SENDERAUDIT: the built binary against a real NSD serving
# testdata/zones on a free loopback port. One scenario per rule of the
# rdns/helo/mx tables, plus failures of the DNS itself. Every JSON report is
# validated against report/senderaudit.schema.json.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/nsd.sh
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"

suite_start rdns_helo_mx
# This suite is about the rdns, helo and mx families: other families (and
# their lookups, some of them over HTTP) stay out of its reports.
ONLY="rdns,helo.syntax,helo.resolves,helo.matches,mx"

# audit ARGS...: a JSON audit against NSD; sets RC, OUT (file), MS (wall ms).
audit() {
	OUT=$TMP/out.json
	local t0 t1
	t0=$(date +%s%N)
	"$BIN" --format json --resolver "$R" --timeout 2 --only "$ONLY" "$@" >"$OUT" 2>"$TMP/err"
	RC=$?
	t1=$(date +%s%N)
	MS=$(((t1 - t0) / 1000000))
	if /usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema"; then
		ok
	else
		bad "$CASE: JSON report is not schema-valid: $(cat "$TMP/schema") (stderr: $(head -c 300 "$TMP/err"))"
	fi
}

# ---------------------------------------------------------------- rdns
case_ "healthy sender (IPv4)"
audit 192.0.2.10 good.test --helo mail.good.test
for id in rdns.ptr rdns.single rdns.syntax rdns.fcrdns rdns.generic rdns.domain helo.syntax helo.resolves helo.matches mx.bounces mx.rdns; do
	expect $id pass
done
expect_rc 0
expect_jq '.status == "pass" and .counts.pass == 11' "overall pass with 11 passes"
expect_jq '[.checks[] | select(.status == "skip") | .summary == "disabled by --only/--skip"] | all' "the other families are skip"
expect_jq '.target.ip == "192.0.2.10" and .target.domain == "good.test" and .target.helo == "mail.good.test"'
expect_jq '[.checks[] | select(.id == "rdns.ptr")][0].data.ptr == ["mail.good.test"]' "PTR in data, no trailing dot"
expect_jq '[.checks[].refs | length > 0] | all' "every finding cites its source"

case_ "spec example: 192.0.2.1 example.com"
audit 192.0.2.1 example.com
expect rdns.ptr pass
expect rdns.fcrdns pass
expect helo.syntax skip
expect_rc 0

case_ "no PTR (NXDOMAIN)"
audit 192.0.2.11 good.test
expect rdns.ptr fail
expect rdns.single skip
expect rdns.fcrdns skip
expect_rc 2
remedies_ok

case_ "two PTRs"
audit 192.0.2.12 good.test
expect rdns.ptr pass
expect rdns.single fail
expect_jq '[.checks[] | select(.id == "rdns.single")][0].data.count == 2'
expect rdns.fcrdns pass

case_ "PTR name with invalid syntax"
audit 192.0.2.13 good.test
expect rdns.syntax fail
case_ "single-label PTR name"
audit 192.0.2.24 good.test
expect rdns.syntax fail

case_ "PTR name that does not resolve"
audit 192.0.2.14 good.test
expect rdns.fcrdns fail
expect_jq '[.checks[] | select(.id == "rdns.fcrdns")][0].summary | test("does not resolve")'

case_ "PTR name resolving elsewhere"
audit 192.0.2.15 good.test
expect rdns.fcrdns fail
expect_jq '[.checks[] | select(.id == "rdns.fcrdns")][0].data.names[0].addresses == ["192.0.2.99"]'

case_ "CNAME in the forward chain (across zones)"
audit 192.0.2.19 good.test
expect rdns.fcrdns pass

case_ "CNAME loop in the forward chain"
audit 192.0.2.23 good.test
expect rdns.fcrdns error
expect_jq '[.checks[] | select(.id == "rdns.fcrdns")][0].detail | test("CNAME")'

case_ "generic name: IP embedded, no dynamic keyword"
audit 192.0.2.16 good.test
expect rdns.generic warn
expect_jq '[.checks[] | select(.id == "rdns.generic")][0].data.names[0].octets == 4'
case_ "generic name: IP and dynamic keyword"
audit 192.0.2.17 good.test
expect rdns.generic fail
expect_jq '[.checks[] | select(.id == "rdns.generic")][0].detail | length > 10' "generic detail says which rule fired"
case_ "generic name: keyword only"
audit 192.0.2.20 good.test
expect rdns.generic warn

case_ "PTR in another domain, dedicated"
audit 192.0.2.18 good.test
expect rdns.domain warn
expect_rc 1
case_ "PTR in another domain, shared"
audit 192.0.2.18 good.test --shared
expect rdns.domain info

case_ "forward lookup REFUSED"
audit 192.0.2.21 good.test
expect rdns.fcrdns error
expect_jq '[.checks[] | select(.id == "rdns.fcrdns")][0].data.lookup_error.status == "REFUSED"'
expect_rc 3
remedies_ok
case_ "forward lookup SERVFAIL"
audit 192.0.2.22 good.test
expect rdns.fcrdns error
expect_jq '[.checks[] | select(.id == "rdns.fcrdns")][0].data.lookup_error.status == "SERVFAIL"'

case_ "reverse zone SERVFAIL"
audit 203.0.113.5 good.test
for id in rdns.ptr rdns.single rdns.syntax rdns.fcrdns rdns.generic rdns.domain; do expect $id error; done
expect mx.bounces pass
expect_rc 3
case_ "reverse zone REFUSED"
audit 198.51.100.7 good.test
expect rdns.ptr error
expect_jq '[.checks[] | select(.id == "rdns.ptr")][0].data.lookup_error.status == "REFUSED"'

case_ "60 PTRs: truncated over UDP, complete over TCP"
audit 192.0.2.30 good.test
expect rdns.single fail
expect_jq '[.checks[] | select(.id == "rdns.single")][0].data.count == 60'

case_ "IPv6 sender"
audit 2001:db8::25 good.test --helo mail6.good.test
expect rdns.ptr pass
expect rdns.fcrdns pass
expect helo.resolves pass
expect helo.matches pass
expect_jq '[.checks[] | select(.id == "rdns.ptr")][0].data.reverse_name == "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"'
case_ "IPv6 sender whose PTR name has only an A record"
audit 2001:db8::26 good.test
expect rdns.fcrdns fail

case_ "resolver given as an IPv6 address"
R6="::1#$NSD_PORT"
"$BIN" --format json --resolver "$R6" --only "$ONLY" 192.0.2.10 good.test >"$TMP/out.json" 2>"$TMP/err"
RC=$?
OUT=$TMP/out.json
expect_rc 0
expect rdns.fcrdns pass

# ---------------------------------------------------------------- helo
case_ "no --helo"
audit 192.0.2.10 good.test
expect helo.syntax skip
expect helo.resolves skip
expect helo.matches skip
expect_jq '[.checks[] | select(.category == "helo") | .remedy == null] | all'

case_ "HELO address literal"
audit 192.0.2.10 good.test --helo '[192.0.2.10]'
expect helo.syntax fail
expect helo.resolves fail
expect helo.matches fail
case_ "HELO localhost"
audit 192.0.2.10 good.test --helo localhost
expect helo.syntax fail
case_ "HELO bare word"
audit 192.0.2.10 good.test --helo mailserver
expect helo.syntax fail
case_ "HELO that does not resolve"
audit 192.0.2.10 good.test --helo nowhere.good.test
expect helo.syntax pass
expect helo.resolves fail
case_ "HELO resolving elsewhere, dedicated"
audit 192.0.2.10 good.test --helo other.good.test
expect helo.resolves fail
case_ "HELO resolving elsewhere, shared"
audit 192.0.2.10 good.test --helo other.good.test --shared
expect helo.resolves warn
expect helo.matches pass
case_ "HELO resolves to the IP but differs from the PTR, dedicated"
audit 192.0.2.10 good.test --helo mx2.good.test
expect helo.resolves pass
expect helo.matches fail
case_ "HELO in the PTR's domain, shared"
audit 192.0.2.18 good.test --helo out.esp.test --shared
expect helo.matches pass
expect helo.resolves pass
case_ "HELO in the PTR's domain, dedicated"
audit 192.0.2.18 good.test --helo out.esp.test
expect helo.matches fail
case_ "HELO outside the PTR's domain, shared"
audit 192.0.2.18 good.test --helo mail.good.test --shared
expect helo.matches fail
case_ "HELO lookup SERVFAIL"
audit 192.0.2.10 good.test --helo mail.broken.test
expect helo.resolves error
case_ "HELO with no PTR to match"
audit 192.0.2.11 good.test --helo mail.good.test
expect helo.matches fail

# ---------------------------------------------------------------- mx
case_ "MX hosts resolve"
audit 192.0.2.10 good.test --only mx
expect mx.bounces pass
expect mx.rdns pass
expect_jq '[.checks[] | select(.id == "mx.rdns")][0].data.addresses | length == 2 and all(.fcrdns)' "both addresses of mail.good.test confirmed"
expect rdns.ptr skip
expect_jq '[.checks[] | select(.category != "mx") | .status == "skip"] | all' "--only leaves the rest skip"
case_ "implicit MX"
audit 192.0.2.10 good.test --mail-from nomx.test --only mx
expect mx.bounces warn
expect_jq '.target.mail_from_domain == "nomx.test"'
case_ "null MX"
audit 192.0.2.10 nullmx.test --only mx
expect mx.bounces fail
expect_jq '[.checks[] | select(.id == "mx.bounces")][0].data.null_mx == true'
case_ "neither MX nor address"
audit 192.0.2.10 nothing.test --only mx
expect mx.bounces fail
case_ "MX host does not resolve"
audit 192.0.2.10 badmx.test --only mx
expect mx.bounces fail
case_ "one of two MX hosts does not resolve"
audit 192.0.2.10 halfmx.test --only mx
expect mx.bounces warn
# the host that resolves (192.0.2.43) has no PTR
expect mx.rdns warn
expect_jq '[.checks[] | select(.id == "mx.rdns")][0].detail | test("mx1.halfmx.test \\(192.0.2.43\\) has no PTR record")'
remedies_ok
case_ "MX host whose PTR name does not resolve back"
audit 192.0.2.10 mxrdns.test --only mx
expect mx.bounces pass
expect mx.rdns warn
expect_jq '[.checks[] | select(.id == "mx.rdns")][0].detail | test("nowhere.good.test does not resolve back")'
expect_rc 1
case_ "MX host whose reverse zone answers SERVFAIL"
audit 192.0.2.10 mxrdnsfail.test --only mx
expect mx.bounces pass
expect mx.rdns error
expect_jq '[.checks[] | select(.id == "mx.rdns")][0].data.lookup_error.status == "SERVFAIL"'
expect_rc 3
remedies_ok
case_ "null MX: no host to check"
audit 192.0.2.10 nullmx.test --only mx.rdns
expect mx.rdns skip
case_ "MAIL FROM domain does not exist"
audit 192.0.2.10 good.test --mail-from user@gone.good.test --only mx
expect mx.bounces fail
case_ "MX lookup SERVFAIL"
audit 192.0.2.10 broken.test --only mx
expect mx.bounces error
expect_rc 3

# ---------------------------------------------------------------- selection and exit codes
case_ "--skip a category and an id"
audit 192.0.2.10 good.test --skip rdns,mx.bounces --helo mail.good.test
expect rdns.ptr skip
expect mx.bounces skip
expect helo.matches pass
case_ "--fail-on fail: warnings exit 0"
audit 192.0.2.18 good.test --fail-on fail --only rdns
expect_rc 0
case_ "--fail-on fail: errors still exit 3"
audit 192.0.2.21 good.test --fail-on fail --only rdns
expect_rc 3

# ---------------------------------------------------------------- a resolver that fails
case_ "resolver port closed"
CLOSED=$(free_port)
t0=$(date +%s%N)
"$BIN" --format json --resolver "127.0.0.1#$CLOSED" --timeout 2 --only "$ONLY" --helo mail.good.test 192.0.2.10 good.test >"$TMP/out.json" 2>/dev/null
RC=$?
OUT=$TMP/out.json
expect_rc 3
expect_jq '[.checks[] | select(.id != "helo.syntax") | .status == "error" or .status == "skip"] | all' "only error/skip when nothing answers (helo.syntax needs no lookup)"
expect_jq '[.checks[] | select(.id == "rdns.ptr")][0].data.lookup_error.status == "NETWORK"'

case_ "resolver that never answers"
silent_resolver_start
t0=$(date +%s%N)
"$BIN" --format json --resolver "$SILENT" --timeout 1 --only "$ONLY" --helo mail.good.test 192.0.2.10 good.test >"$TMP/out.json" 2>/dev/null
RC=$?
MS=$((($(date +%s%N) - t0) / 1000000))
OUT=$TMP/out.json
expect_rc 3
expect_jq '[.checks[] | select(.id != "helo.syntax") | .status == "error" or .status == "skip"] | all' "only error/skip on timeouts"
expect_jq '[.checks[] | select(.id == "rdns.ptr")][0].data.lookup_error.status == "TIMEOUT"'
# Independent lookups run at once: the whole audit takes about one lookup's
# budget (1 s), not one per lookup.
if [ "$MS" -lt "$(budget 2500)" ]; then ok; else bad "$CASE: took $MS ms with --timeout 1"; fi
kill "$SILENT_PID" 2>/dev/null

# ---------------------------------------------------------------- text report
case_ "text report"
"$BIN" --resolver "$R" --only "$ONLY" --color never --helo mail.good.test 192.0.2.17 good.test >"$TMP/out.txt" 2>&1
RC=$?
expect_rc 2
if grep -q '^Reverse and forward DNS$' "$TMP/out.txt" && grep -q '^  FAIL   rdns.generic: ' "$TMP/out.txt" &&
	grep -q '^         fix: ' "$TMP/out.txt" && ! grep -q $'\033' "$TMP/out.txt"; then ok; else bad "$CASE: layout: $(head -c 400 "$TMP/out.txt")"; fi
if tail -n 1 "$TMP/out.txt" | grep -Eq '^[0-9]+ pass, [0-9]+ warn, [0-9]+ fail, [0-9]+ error, [0-9]+ skip, [0-9]+ info: FAIL'; then ok; else bad "$CASE: summary line: $(tail -n 1 "$TMP/out.txt")"; fi
case_ "text report -q shows only problems"
"$BIN" --resolver "$R" --only "$ONLY" --color never -q --helo mail.good.test 192.0.2.17 good.test >"$TMP/out.txt" 2>&1
if ! grep -q '^  PASS' "$TMP/out.txt" && grep -q '^  FAIL' "$TMP/out.txt"; then ok; else bad "$CASE"; fi
case_ "text report -v shows data and refs"
"$BIN" --resolver "$R" --only "$ONLY" --color never -v 192.0.2.10 good.test >"$TMP/out.txt" 2>"$TMP/err"
if grep -q '^         data: ' "$TMP/out.txt" && grep -q '^         refs: ' "$TMP/out.txt" && grep -q 'dns: .* lookups' "$TMP/err"; then ok; else bad "$CASE"; fi
case_ "--color always colours, NO_COLOR does not override it"
NO_COLOR=1 "$BIN" --resolver "$R" --only "$ONLY" --color always 192.0.2.10 good.test >"$TMP/out.txt" 2>&1
if grep -q $'\033\[32m' "$TMP/out.txt"; then ok; else bad "$CASE"; fi
case_ "--color auto with NO_COLOR under a terminal"
if command -v script >/dev/null 2>&1; then
	NO_COLOR=1 script -qec "$BIN --resolver $R --only $ONLY 192.0.2.10 good.test" /dev/null >"$TMP/out.txt" 2>&1
	if ! grep -q $'\033\[32m' "$TMP/out.txt" && grep -q 'PASS' "$TMP/out.txt"; then ok; else bad "$CASE"; fi
	script -qec "$BIN --resolver $R --only $ONLY 192.0.2.10 good.test" /dev/null >"$TMP/out.txt" 2>&1
	if grep -q $'\033\[32m' "$TMP/out.txt"; then ok; else bad "$CASE: no colour on a terminal"; fi
else
	skip_ "no script command (bsdutils)"
fi

finish rdns_helo_mx
