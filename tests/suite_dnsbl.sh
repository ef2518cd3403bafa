#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_dnsbl.sh SENDERAUDIT: the dnsbl family against NSD serving fake copies
# of the blocklist zones (testdata/zones/zen.spamhaus.org.zone, ...) and
# test-only lists (wildcard.bl.test, dead.bl.test, generic.bl.test,
# many.bl.test; servfail.bl.test is in servfail.list). Listings used here:
# 192.0.2.200-214 and 2001:db8::200 (see the zone files).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/nsd.sh
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"

suite_start dnsbl

# audit ARGS...: a JSON audit of the dnsbl checks; sets RC, OUT, MS.
audit() {
	OUT=$TMP/out.json
	local t0
	t0=$(date +%s%N)
	"$BIN" --format json --resolver "${RES:-$R}" --timeout "${TMO:-2}" --only dnsbl "$@" >"$OUT" 2>"$TMP/err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	if /usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema"; then
		ok
	else
		bad "$CASE: JSON report is not schema-valid: $(cat "$TMP/schema") (stderr: $(head -c 300 "$TMP/err"))"
	fi
}
# field ID SUBJECT FILTER: FILTER applied to that finding prints true.
field() {
	expect_jq "[.checks[] | select(.id == \"$1\" and .subject == \"$2\")][0] | $3" "$1 [$2]: $3"
}
no_fail() {
	expect_jq '[.checks[] | .status != "fail"] | all' "no fail anywhere"
}

DEFAULT_IP="zen.spamhaus.org bl.spamcop.net b.barracudacentral.org psbl.surriel.com bl.mailspike.net dnsbl-1.uceprotect.net"
DEFAULT_DOM="dbl.spamhaus.org multi.surbl.org multi.uribl.com"

# ---------------------------------------------------------------- not listed
case_ "clean sender on the built-in lists"
audit 192.0.2.10 good.test
for z in $DEFAULT_IP; do expect dnsbl.ip pass "$z"; done
for z in $DEFAULT_DOM; do expect dnsbl.domain pass "$z"; done
expect_rc 0
expect_jq '[.checks[] | select(.id == "dnsbl.ip")] | length == 6' "one dnsbl.ip finding per IP list"
expect_jq '[.checks[] | select(.id == "dnsbl.domain")][0].data.domains | map(.domain) == ["good.test"]' \
	"PTR mail.good.test adds no second domain (same registrable domain)"
remedies_ok

# ---------------------------------------------------------------- listings
case_ "SBL listing with TXT reason"
audit 192.0.2.200 good.test
expect dnsbl.ip fail zen.spamhaus.org
expect dnsbl.ip pass bl.spamcop.net
expect_rc 2
field dnsbl.ip zen.spamhaus.org '.summary | test("SBL")'
field dnsbl.ip zen.spamhaus.org '.detail | test("Listed by SBL")'
field dnsbl.ip zen.spamhaus.org '.data.txt | test("SBL000000")'
field dnsbl.ip zen.spamhaus.org '.data.url == "https://check.spamhaus.org/" and (.remedy | test("check.spamhaus.org"))'
field dnsbl.ip zen.spamhaus.org '.data.codes == [{"answer":"127.0.0.2","kind":"listed","meaning":"SBL: a spam source or spam operation (Spamhaus Block List)"}]'
remedies_ok

for c in "201 CSS" "202 XBL" "206 DROP" "209 not documented"; do
	set -- $c
	case_ "ZEN code family: 192.0.2.$1 ($2)"
	audit "192.0.2.$1" good.test
	expect dnsbl.ip fail zen.spamhaus.org
	field dnsbl.ip zen.spamhaus.org ".summary | test(\"$2\")"
done

case_ "PBL policy listing"
audit 192.0.2.203 good.test
expect dnsbl.ip fail zen.spamhaus.org
field dnsbl.ip zen.spamhaus.org '.summary | test("relay through a smarthost")'
field dnsbl.ip zen.spamhaus.org '.data.policy == true and (.remedy | test("smarthost"))'
expect_rc 2

case_ "SBL and PBL at once: a real listing, with the PBL advice too"
audit 192.0.2.204 good.test
expect dnsbl.ip fail zen.spamhaus.org
field dnsbl.ip zen.spamhaus.org '.data.policy == false and (.summary | test("SBL")) and (.summary | test("PBL")) and (.remedy | test("smarthost"))'

case_ "SpamCop and Mailspike listings"
audit 192.0.2.210 good.test
expect dnsbl.ip fail bl.spamcop.net
field dnsbl.ip bl.spamcop.net '.detail | test("spamcop.net/bl.shtml")'
audit 192.0.2.211 good.test
expect dnsbl.ip fail bl.mailspike.net
field dnsbl.ip bl.mailspike.net '.summary | test("L4")'

# ---------------------------------------------------------------- error codes
case_ "Spamhaus error code 127.255.255.254 (public resolver)"
audit 192.0.2.205 good.test
expect dnsbl.ip error zen.spamhaus.org
field dnsbl.ip zen.spamhaus.org '.summary | test("public or open resolver")'
field dnsbl.ip zen.spamhaus.org '.remedy | test("own recursive resolver")'
expect_rc 3
no_fail
remedies_ok

case_ "Spamhaus error code 127.255.255.255 (over limit)"
audit 192.0.2.208 good.test
expect dnsbl.ip error zen.spamhaus.org
field dnsbl.ip zen.spamhaus.org '.summary | test("excessive")'
expect_rc 3

case_ "answer outside 127/8"
audit 192.0.2.207 good.test
expect dnsbl.ip error zen.spamhaus.org
field dnsbl.ip zen.spamhaus.org '.summary | test("outside 127.0.0.0/8")'
expect_rc 3
no_fail

case_ "URIBL 127.0.0.1: query refused"
audit 192.0.2.10 refused.example
expect dnsbl.domain error multi.uribl.com
field dnsbl.domain multi.uribl.com '.summary | test("refused")'
expect_rc 3
no_fail

case_ "DBL 127.0.1.255: IP queried on a domain list"
audit 192.0.2.10 ipquery.example
expect dnsbl.domain error dbl.spamhaus.org
expect_rc 3

# ---------------------------------------------------------------- broken lists
case_ "wildcard zone"
audit --dnsbl wildcard.bl.test 192.0.2.10 good.test
expect dnsbl.ip error wildcard.bl.test
field dnsbl.ip wildcard.bl.test '.summary | test("list dead, blocked, or wildcarding")'
field dnsbl.ip wildcard.bl.test '.detail | test("1.0.0.127.wildcard.bl.test")'
field dnsbl.ip wildcard.bl.test '.data.test_point == "1.0.0.127.wildcard.bl.test"'
expect_rc 3
no_fail
remedies_ok

case_ "dead zone (no test point)"
audit --dnsbl dead.bl.test 192.0.2.10 good.test
expect dnsbl.ip error dead.bl.test
field dnsbl.ip dead.bl.test '.summary | test("list dead, blocked, or wildcarding")'
field dnsbl.ip dead.bl.test '.data.test_point == "2.0.0.127.dead.bl.test"'
expect_rc 3

case_ "zone that answers SERVFAIL"
audit --dnsbl servfail.bl.test,zen.spamhaus.org 192.0.2.10 good.test
expect dnsbl.ip error servfail.bl.test
expect dnsbl.ip pass zen.spamhaus.org
field dnsbl.ip servfail.bl.test '.data.lookup_error.status == "SERVFAIL"'
expect_rc 3

case_ "lists that time out"
silent_resolver_start
RES="$SILENT" TMO=1 audit 192.0.2.200 spammy.example
for z in $DEFAULT_IP; do expect dnsbl.ip error "$z"; done
for z in $DEFAULT_DOM; do expect dnsbl.domain error "$z"; done
field dnsbl.ip zen.spamhaus.org '.data.lookup_error.status == "TIMEOUT"'
expect_rc 3
no_fail
if [ "$MS" -lt "$(budget 2500)" ]; then ok; else bad "$CASE: took $MS ms with --timeout 1"; fi
kill "$SILENT_PID" 2>/dev/null

# ---------------------------------------------------------------- decoding
case_ "generic rules for an unknown list"
audit --dnsbl generic.bl.test 192.0.2.212 good.test
expect dnsbl.ip fail generic.bl.test
field dnsbl.ip generic.bl.test '.summary | test("127.0.0.5")'
audit --dnsbl generic.bl.test 192.0.2.213 good.test
expect dnsbl.ip error generic.bl.test
expect_rc 3

case_ "bitmask decoding (SURBL 127.0.0.24 = PH + MW)"
audit 192.0.2.10 bits.example
expect dnsbl.domain fail multi.surbl.org
field dnsbl.domain multi.surbl.org '[.data.codes[].meaning] == ["SURBL PH: phishing site", "SURBL MW: malware site"]'
audit 192.0.2.10 grey.example
expect dnsbl.domain fail multi.uribl.com
field dnsbl.domain multi.uribl.com '.summary | test("grey")'

# ---------------------------------------------------------------- IPv6
case_ "IPv6 sender: nibbles on ZEN, skip on IPv4-only lists"
audit 2001:db8::200 good.test
expect dnsbl.ip fail zen.spamhaus.org
field dnsbl.ip zen.spamhaus.org '.data.query == "0.0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org"'
field dnsbl.ip zen.spamhaus.org '.summary | test("XBL")'
for z in bl.spamcop.net b.barracudacentral.org psbl.surriel.com bl.mailspike.net dnsbl-1.uceprotect.net; do
	expect dnsbl.ip skip "$z"
done
audit 2001:db8::25 good.test
expect dnsbl.ip pass zen.spamhaus.org
expect_rc 0

# ---------------------------------------------------------------- domains
case_ "audited domain listed on DBL"
audit 192.0.2.10 spammy.example
expect dnsbl.domain fail dbl.spamhaus.org
field dnsbl.domain dbl.spamhaus.org '.summary | test("spammy.example")'
field dnsbl.domain dbl.spamhaus.org '.data.txt | test("spammy.example")'
expect dnsbl.domain pass multi.uribl.com

case_ "PTR name's registrable domain listed on DBL"
audit 192.0.2.214 good.test
expect dnsbl.domain fail dbl.spamhaus.org
field dnsbl.domain dbl.spamhaus.org '.summary | test("ptrlisted.test")'
field dnsbl.domain dbl.spamhaus.org '.data.domains == [{"domain":"good.test","result":"not listed"},{"domain":"ptrlisted.test","result":"listed"}]'
expect dnsbl.domain pass multi.surbl.org
field dnsbl.domain multi.surbl.org '.summary | test("good.test and ptrlisted.test")'

# ---------------------------------------------------------------- --dnsbl
case_ "--dnsbl replaces the list"
audit --dnsbl zen.spamhaus.org 192.0.2.200 good.test
expect_jq '[.checks[] | select(.id | startswith("dnsbl.")) | .subject] == ["zen.spamhaus.org", null]' "only zen, and dnsbl.domain skip"
expect dnsbl.domain skip
expect dnsbl.ip fail zen.spamhaus.org

case_ "--dnsbl +zone adds to it"
audit --dnsbl +generic.bl.test 192.0.2.212 good.test
expect dnsbl.ip fail generic.bl.test
for z in $DEFAULT_IP; do expect dnsbl.ip pass "$z"; done
expect_jq '[.checks[] | select(.id == "dnsbl.ip")] | length == 7'

case_ "--dnsbl none"
audit --dnsbl none 192.0.2.200 spammy.example
expect dnsbl.ip skip
expect dnsbl.domain skip
expect_jq '[.checks[] | select(.id | startswith("dnsbl.")) | .summary == "disabled by --dnsbl none"] | all'
expect_rc 0

case_ "--dnsbl rejects a bad zone"
"$BIN" --dnsbl 'bad zone!' 192.0.2.10 good.test >/dev/null 2>"$TMP/err"
RC=$?
expect_rc 64
grep -q -- "--dnsbl" "$TMP/err" && ok || bad "$CASE: stderr names the option: $(cat "$TMP/err")"

case_ "--only dnsbl.ip: no domain lookups"
audit --only dnsbl.ip 192.0.2.10 spammy.example
expect dnsbl.domain skip
expect dnsbl.ip pass zen.spamhaus.org

case_ "text report"
"$BIN" --resolver "$R" --only dnsbl --color never 192.0.2.203 good.test >"$TMP/out.txt" 2>&1
RC=$?
expect_rc 2
grep -q "FAIL   dnsbl.ip \[zen.spamhaus.org\]: 192.0.2.203 is listed on Spamhaus ZEN as end-user/dynamic space: relay through a smarthost" "$TMP/out.txt" && ok || bad "$CASE: $(grep dnsbl "$TMP/out.txt" | head -3)"

# ---------------------------------------------------------------- concurrency
# Twenty lists behind a forwarder that delays every answer by 200 ms: all
# their queries (real, TXT, two test points each) are on the wire at once,
# so the audit takes about one delay, not twenty.
case_ "20 zones in about one round trip"
ZONES=$(seq -s, -f 'z%g.many.bl.test' 1 20)
/usr/bin/python3 "$ROOT/bench/delayfwd.py" "$NSD_PORT" 200 60 >"$TMP/fwd.port" &
HELPER_PID=$!
for _ in $(seq 1 50); do [ -s "$TMP/fwd.port" ] && break; sleep 0.1; done
RES="127.0.0.1#$(cat "$TMP/fwd.port")" audit --only dnsbl.ip --dnsbl "$ZONES" 192.0.2.10 good.test
expect_jq '[.checks[] | select(.id == "dnsbl.ip") | .status == "pass"] | length == 20 and all' "20 zones pass"
if [ "$MS" -lt "$(budget 600)" ]; then ok; else bad "$CASE: took $MS ms for 20 zones with 200 ms per answer (want < 3 delays)"; fi
"$BIN" -v --format json --resolver "127.0.0.1#$(cat "$TMP/fwd.port")" --only dnsbl.ip \
	--dnsbl "$ZONES" 192.0.2.10 good.test 2>"$TMP/err" >/dev/null
inflight=$(grep -oE 'at most [0-9]+ in flight' "$TMP/err" | awk '{print $3}')
if [ "${inflight:-0}" -ge 60 ]; then ok; else bad "$CASE: at most ${inflight:-?} lookups in flight, want >= 60 (stderr: $(head -c 300 "$TMP/err"))"; fi
kill "$HELPER_PID" 2>/dev/null
HELPER_PID=

# ---------------------------------------------------------------- operators' own test entries
# A domain list that carries its operator's documented test entry
# (dbltest.com on DBL) but not RFC 5782's "test" is still trusted; one
# with neither is dead. A second NSD serves edited copies of the zones.
case_ "DBL answers its own test entry, not RFC 5782's: trusted"
mkdir -p "$TMP/z2"
cp "$ROOT"/testdata/zones/*.zone "$ROOT"/testdata/zones/servfail.list "$TMP/z2/"
sed -i 's/^test IN A 127.0.1.2$/dbltest.com IN A 127.0.1.2/' "$TMP/z2/dbl.spamhaus.org.zone"
sed -i '/^test IN A /d' "$TMP/z2/multi.uribl.com.zone"
nsd_stop
if nsd_start "$TMP/z2"; then
	RES="127.0.0.1#$NSD_PORT" audit 192.0.2.10 spammy.example
	expect dnsbl.domain fail dbl.spamhaus.org
	case_ "URIBL without any listed test entry: dead, error"
	expect dnsbl.domain error multi.uribl.com
	field dnsbl.domain multi.uribl.com '.summary + (.detail // "") | test("dead|test point")'
else
	bad "$CASE: NSD did not start on the edited zones"
fi

# ---------------------------------------------------------------- politeness
# 40 senders on Spamhaus ZEN and DBL (one operator): 80 questions and the
# test points. With --rate 20 (a burst of 20, then 20 a second) they take at
# least 3 s; with no cap, a fraction of that.
# (the NSD serving now is the second one, on the edited zones)
for i in $(seq 1 40); do echo "192.0.2.$((100 + i)) good.test"; done >"$TMP/rate.txt"
rate_batch() {
	local t0
	t0=$(date +%s%N)
	"$BIN" --format json --resolver "127.0.0.1#$NSD_PORT" --timeout 5 --only dnsbl --dnsbl zen.spamhaus.org,dbl.spamhaus.org \
		--batch "$TMP/rate.txt" "$@" >"$TMP/rate.out" 2>"$TMP/rate.err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	# every list answered: a dead server would fail fast and prove nothing
	local errs
	errs=$(jq -r '.checks[] | select(.status == "error") | .id' "$TMP/rate.out" | wc -l)
	[ "$errs" = 0 ] && ok || bad "$CASE: $errs checks are error: $(jq -r '.checks[] | select(.status == "error") | .detail' "$TMP/rate.out" | head -n 1)"
}
case_ "--rate caps the queries to one list operator"
rate_batch --rate 20
[ "$(wc -l <"$TMP/rate.out")" = 40 ] && ok || bad "$CASE: $(wc -l <"$TMP/rate.out") reports"
[ "$MS" -ge 3000 ] && ok || bad "$CASE: 80 queries at 20 a second took only $MS ms"
case_ "--rate 0: no cap"
rate_batch --rate 0
[ "$(wc -l <"$TMP/rate.out")" = 40 ] && ok || bad "$CASE: $(wc -l <"$TMP/rate.out") reports"
[ "$MS" -lt "$(budget 2500)" ] && ok || bad "$CASE: took $MS ms"

finish dnsbl
