#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_rdap.sh SENDERAUDIT: the rdap family against tests/rdap-server.py, a real
# HTTP (and WHOIS) server on loopback serving the RDAP fixtures of
# ../shared/fixtures/rdap (or $SA_SHARED/fixtures/rdap) through a bootstrap that
# points at it. One scenario per cell of the rdap table, the five RIRs, the
# redirect between "RIRs", 404, 429, a truncated, slow and oversized body, the
# bootstrap cache, and WHOIS. Nothing leaves 127.0.0.1: XDG_CACHE_HOME is a
# temporary directory and every run names its bootstrap.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
source "$ROOT/tests/rdapsrv.sh"
rdap_suite_start rdap
BOOT=http://127.0.0.1:$HP/boot/
WHOIS="127.0.0.1#$WP"
# DNS is not needed (only rdap checks run): a closed port makes any stray lookup fail fast.
R="127.0.0.1#$CP"

# audit ARGS...: a JSON audit of the rdap checks; sets RC, OUT, MS.
audit() {
	OUT=$TMP/out.json
	local t0
	t0=$(date +%s%N)
	"$BIN" --format json --resolver "$R" --timeout 1 --only rdap --rdap-bootstrap "$BOOT" --whois-server "$WHOIS" \
		"$@" >"$OUT" 2>"$TMP/err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
	if /usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema"; then
		ok
	else
		bad "$CASE: JSON report is not schema-valid: $(cat "$TMP/schema") (stderr: $(head -c 300 "$TMP/err"))"
	fi
}

# check ID FIELD: prints a field of the first finding with that id
field() { jq -r --arg id "$1" "[.checks[] | select(.id == \$id)][0].$2" "$OUT"; }

# ---------------------------------------------------------------- the five RIRs
for spec in "arin 74.125.225.229 arin-contact@google.com" "ripe 62.239.237.1 zzdnsr@bt.com" \
	"apnic 210.107.73.73 hostmaster@nic.or.kr" "lacnic 200.57.141.161 operacion.redes@triara.com" \
	"afrinic 196.11.240.215 abuse@mtnbusiness.co.za" "arin-v6 2001:4860:4860::8888 arin-contact@google.com" \
	"ripe-v6 2a00:2381:ffff::1 zzdnsr@bt.com"; do
	set -- $spec
	case_ "$1: abuse contact of $2"
	audit --only rdap.ip.abuse,rdap.ip.owner "$2" good.test
	expect rdap.ip.abuse pass
	expect_jq "[.checks[] | select(.id == \"rdap.ip.abuse\")][0].data.abuse_emails | index(\"$3\") != null" "abuse e-mail $3 found"
	expect rdap.domain.status skip
done
case_ "AFRINIC: the abuse mailbox comes from a remark"
audit --only rdap.ip.abuse 196.11.240.215 good.test
expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].data.abuse_source == "remark"'
case_ "RIPE address behind the ARIN bootstrap entry: redirect between RIRs"
grep -c '/rir/arin/ip/62.239.237.1' "$TMP/log" | grep -q '^[1-9]' && ok || bad "$CASE: ARIN was not asked"
grep -c '/rir/ripe/ip/62.239.237.1' "$TMP/log" | grep -q '^[1-9]' && ok || bad "$CASE: the redirect was not followed"
audit --only rdap.ip.abuse,rdap.ip.owner 62.239.237.1 bt.com
expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].data.rdap_url | test("/rir/ripe/ip/62.239.237.1$")' "the effective URL is RIPE's"

# ---------------------------------------------------------------- rdap.ip.abuse / rdap.ip.owner cells
case_ "own /29 with abuse-c"
audit 192.0.2.10 good.test
expect rdap.ip.abuse pass
expect rdap.ip.owner pass
expect_jq '[.checks[] | select(.id == "rdap.ip.owner")][0].data.network.cidr == "192.0.2.8/29"'
expect_jq '[.checks[] | select(.id == "rdap.ip.owner")][0].data.network.prefix_length == 29'
expect_rc 0
remedies_ok
case_ "holder related by a contact's e-mail domain"
audit --only rdap.ip.abuse,rdap.ip.owner 210.107.73.73 bora.net
expect rdap.ip.owner pass
expect_jq '[.checks[] | select(.id == "rdap.ip.owner")][0].data.related_by == "a contact e-mail address"'
case_ "abuse entity without e-mail; provider /24 not reassigned"
audit --only rdap.ip.abuse,rdap.ip.owner 192.0.2.20 good.test
expect rdap.ip.abuse fail
expect rdap.ip.owner warn
expect_rc 2
remedies_ok
case_ "provider block, shared IP"
audit --only rdap.ip.abuse,rdap.ip.owner 192.0.2.20 good.test --shared
expect rdap.ip.owner info
case_ "no abuse role at all (AFRINIC v6)"
audit --only rdap.ip.abuse,rdap.ip.owner 2001:43f8:7b0:: good.test
expect rdap.ip.abuse fail
case_ "abuse nested under the registrant; single unrelated address"
audit --only rdap.ip.abuse,rdap.ip.owner 192.0.2.30 good.test
expect rdap.ip.abuse pass
expect rdap.ip.owner info
case_ "answer for a network that does not hold the IP"
audit --only rdap.ip.abuse,rdap.ip.owner 192.0.2.40 good.test
expect rdap.ip.abuse error
expect rdap.ip.owner error
case_ "IPv6 /48 of the sender"
audit --only rdap.ip.abuse,rdap.ip.owner 2001:db8::25 good.test
expect rdap.ip.owner pass
case_ "address outside every bootstrap entry"
audit --only rdap.ip.abuse,rdap.ip.owner 203.0.113.9 good.test
expect rdap.ip.abuse error
expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].detail | test("names no")'

# ---------------------------------------------------------------- rdap.domain.status cells
case_ "registered, established"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 good.test
expect rdap.domain.status pass
expect rdap.domain.contact pass
expect_jq '[.checks[] | select(.id == "rdap.domain.status")][0].data.days_to_expiry > 300'
case_ "a subdomain is looked up as its registrable domain"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 mail.good.test
expect_jq '[.checks[] | select(.id == "rdap.domain.status")][0].data.domain == "good.test"'
expect rdap.domain.status pass
case_ "registered 5 days ago"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 new.test
expect rdap.domain.status warn
remedies_ok
case_ "expires in 10 days"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 expiring.test
expect rdap.domain.status warn
expect_jq '[.checks[] | select(.id == "rdap.domain.status")][0].data.days_to_expiry | . >= 9 and . <= 10'
case_ "dates with +0100, fractions and no zone"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 dates.test
expect rdap.domain.status pass
expect_jq '[.checks[] | select(.id == "rdap.domain.status")][0].data.registered == "2001-02-03T03:05:06Z"'
for d in hold redemption pending; do
	case_ "status of $d.test"
	audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 $d.test
	expect rdap.domain.status fail
	remedies_ok
done
case_ "not registered (404 from the registry)"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 gone.test
expect rdap.domain.status fail
expect rdap.domain.contact skip
expect_rc 2

# ---------------------------------------------------------------- rdap.domain.contact cells
case_ "Domains By Proxy registrant"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 dbp.test
expect rdap.domain.contact fail
expect_jq '[.checks[] | select(.id == "rdap.domain.contact")][0].data.registrant_kind == "proxy"'
remedies_ok
case_ "entity with the role proxy"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 proxyrole.test
expect rdap.domain.contact fail
case_ "WhoisGuard (real Namecheap answer)"
audit --only rdap.domain.contact 192.0.2.10 bitcoin.org
expect rdap.domain.contact fail
case_ "Withheld for Privacy (real Namecheap answer)"
audit --only rdap.domain.contact 192.0.2.10 deep.surf
expect rdap.domain.contact fail
case_ "RFC 9537 redaction (GDPR)"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 gdpr.test
expect rdap.domain.contact info
expect_jq '[.checks[] | select(.id == "rdap.domain.contact")][0].data.redacted | index("Registrant Name") != null'
remedies_ok
case_ "REDACTED FOR PRIVACY remarks (real .moscow answer)"
audit --only rdap.domain.contact 192.0.2.10 home.moscow
expect rdap.domain.contact info
case_ "RFC 9537 redaction (real ICANN example)"
audit --only rdap.domain.contact 192.0.2.10 example.com
expect rdap.domain.contact info
case_ "registrar without abuse contact"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 noabuse.test
expect rdap.domain.contact warn
remedies_ok
case_ "thin registry: registrant from the registrar's RDAP (related link)"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 thin.test
expect rdap.domain.contact pass
grep -q '/registrar/domain/thin.test' "$TMP/log" && ok || bad "$CASE: the registrar was not asked"
case_ "thin .com registry (real Verisign + MarkMonitor answers)"
audit --only rdap.domain.contact 74.125.225.229 google.com
expect rdap.domain.contact pass
expect_jq '[.checks[] | select(.id == "rdap.domain.contact")][0].data.registrant == "Google LLC"'
case_ "thin registry, registrar RDAP fails"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 thinbad.test
expect rdap.domain.contact error
expect rdap.domain.status pass

# ---------------------------------------------------------------- RDAP failures are errors
for spec in "slow 198.51.100.20 x.slow" "ratelimit 198.51.100.40 x.ratelimit" "truncated 198.51.100.50 x.trunc" \
	"oversized 198.51.100.70 x.big" "404-for-the-network 198.51.100.90 x.rdaperr" "malformed 198.51.100.100 x.badjson" \
	"redirect-loop 198.51.100.120 x.rdaperr" "unreachable 198.51.100.2 x.down"; do
	set -- $spec
	case_ "RDAP $1"
	audit "$2" "$3"
	for id in rdap.ip.abuse rdap.ip.owner rdap.domain.status rdap.domain.contact; do expect $id error; done
	expect_rc 3
	remedies_ok
	expect_jq '[.checks[] | select(.category == "rdap") | .data.lookup_error.reason | type == "string"] | all' "reasons in data"
done
case_ "RDAP error object from the registry"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 errobj.test
expect rdap.domain.status error
case_ "slow servers for IP and domain: both questions run at once"
audit 198.51.100.20 x.slow
# --timeout 1 gives each request 2 s; one after the other would be 4 s
if [ "$MS" -lt "$(budget 3500)" ]; then ok; else bad "$CASE: took $MS ms"; fi
expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].detail | test("within 2000 ms")'
case_ "429 then success: Retry-After honoured once"
audit --only rdap.ip.abuse,rdap.ip.owner 198.51.100.130 good.test
expect rdap.ip.abuse pass
if [ "$MS" -ge 900 ]; then ok; else bad "$CASE: did not wait for Retry-After ($MS ms)"; fi
case_ "429 twice: error that says so"
audit --only rdap.ip.abuse,rdap.ip.owner 198.51.100.40 good.test
expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].detail | test("429")'

# ---------------------------------------------------------------- WHOIS fallback
case_ "TLD without RDAP: WHOIS with a referral from the (test) IANA server"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 good.whoistld
expect rdap.domain.status pass
expect rdap.domain.contact pass
expect_jq '[.checks[] | select(.id == "rdap.domain.status")][0].data.source == "whois"'
expect_jq '[.checks[] | select(.id == "rdap.domain.status")][0].detail | test("lower confidence")'
case_ "WHOIS: Domains By Proxy"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 dbp.whoistld
expect rdap.domain.contact fail
case_ "WHOIS: clientHold, redacted registrant"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 hold.whoistld
expect rdap.domain.status fail
expect rdap.domain.contact info
case_ "WHOIS: no match"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 gone.whoistld
expect rdap.domain.status fail
case_ "WHOIS: no referral for the TLD"
audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 x.norefer
expect rdap.domain.status error
case_ "WHOIS server down"
WHOIS="127.0.0.1#$CP" audit --only rdap.domain.status,rdap.domain.contact 192.0.2.10 good.whoistld
expect rdap.domain.status error
expect_rc 3

# ---------------------------------------------------------------- bootstrap sources and the cache
case_ "--rdap-bootstrap DIR"
BOOT=$TMP/boot audit 192.0.2.10 good.test
expect rdap.ip.abuse pass
expect rdap.domain.status pass
case_ "--rdap-bootstrap URL without the trailing slash"
BOOT=http://127.0.0.1:$HP/boot audit --only rdap.ip.abuse,rdap.ip.owner 192.0.2.10 good.test
expect rdap.ip.abuse pass
case_ "bootstrap URL that fails"
BOOT=http://127.0.0.1:$HP/e404/ audit 192.0.2.10 good.test
for id in rdap.ip.abuse rdap.ip.owner rdap.domain.status rdap.domain.contact; do expect $id error; done
expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].detail | test("bootstrap")'

case_ "https bootstrap with a certificate that does not verify: error"
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout "$TMP/key.pem" \
		-out "$TMP/cert.pem" >/dev/null 2>&1
	/usr/bin/python3 -c 'import http.server, ssl, sys, functools
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.HTTPServer(("127.0.0.1", 0), h)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(sys.argv[2], sys.argv[3])
s.socket = c.wrap_socket(s.socket, server_side=True)
print(s.server_address[1], flush=True)
s.serve_forever()' "$TMP/boot" "$TMP/cert.pem" "$TMP/key.pem" >"$TMP/tls.port" 2>/dev/null &
	TLS_PID=$!
	for _ in $(seq 1 50); do [ -s "$TMP/tls.port" ] && break; sleep 0.1; done
	BOOT=https://127.0.0.1:$(cat "$TMP/tls.port")/ audit 192.0.2.10 good.test
	kill "$TLS_PID" 2>/dev/null
	for id in rdap.ip.abuse rdap.domain.status; do expect $id error; done
	expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].detail | test("TLS|certificate"; "i")' "the reason names TLS"
else
	skip_ "no openssl command"
fi

# Bootstrap files fetched over HTTP go through the cache (IANA's, or a URL's
# as here): /iana/ answers 503 while $TMP/boot.down exists.
iana() {
	OUT=$TMP/out.json
	"$BIN" --format json --resolver "$R" --timeout 1 --only rdap --rdap-bootstrap "$IANA" --whois-server "$WHOIS" \
		"$@" >"$OUT" 2>"$TMP/err"
	RC=$?
	/usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>/dev/null && ok || bad "$CASE: not schema-valid"
}
IANA=http://127.0.0.1:$HP/iana/
CACHE=$XDG_CACHE_HOME/senderaudit
cached() { find "${1:-$CACHE}" -name "$2" -path '*_iana_*' 2>/dev/null | head -n 1; }
case_ "empty cache: fetched and cached"
iana 192.0.2.10 good.test
expect rdap.ip.abuse pass
expect rdap.domain.contact pass
[ -s "$(cached "" ipv4.json)" ] && [ -s "$(cached "" dns.json)" ] && ok || bad "$CASE: cache files missing: $(find "$CACHE" 2>&1)"
case_ "fresh cache: the server not asked"
n0=$(grep -c '^/iana/' "$TMP/log")
iana 192.0.2.10 good.test
expect rdap.ip.abuse pass
[ "$(grep -c '^/iana/' "$TMP/log")" = "$n0" ] && ok || bad "$CASE: the bootstrap server asked again"
case_ "stale cache, server failing: stale copy used, with a note"
touch -d '2 days ago' "$(cached "" ipv4.json)" "$(cached "" dns.json)"
touch "$TMP/boot.down"
iana 192.0.2.20 good.test
expect rdap.ip.abuse fail
expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].detail | test("cached copy")' "the note says a stale copy was used"
rm -f "$TMP/boot.down"
case_ "stale cache, server back: refreshed"
iana 192.0.2.10 good.test
expect rdap.ip.abuse pass
if [ -n "$(find "$(cached "" ipv4.json)" -mmin -5)" ]; then ok; else bad "$CASE: cache not refreshed"; fi
case_ "no cache, server failing: error"
rm -rf "$CACHE"
touch "$TMP/boot.down"
iana 192.0.2.10 good.test
for id in rdap.ip.abuse rdap.domain.status; do expect $id error; done
expect_rc 3
rm -f "$TMP/boot.down"
case_ "cache directory under HOME when XDG_CACHE_HOME is unset"
mkdir -p "$TMP/home"
(unset XDG_CACHE_HOME; HOME=$TMP/home iana 192.0.2.10 good.test)
[ -s "$(cached "$TMP/home/.cache/senderaudit" ipv4.json)" ] && ok || bad "$CASE: no ipv4.json under ~/.cache/senderaudit"
case_ "no environment variable changes where the bootstrap or WHOIS come from"
if grep -aq 'SENDERAUDIT_' "$BIN"; then bad "$CASE: the binary reads $(grep -ao 'SENDERAUDIT_[A-Z_]*' "$BIN" | head -n 2 | tr '\n' ' ')"; else ok; fi

# ---------------------------------------------------------------- servers by name
# Every host an audit connects to is resolved through --resolver (lib/dns),
# never the system's resolver: bootstrap URLs, redirects between "RIRs", the
# WHOIS server. rdap-host.good.test and whois-host.good.test exist only in
# the suite's NSD.
source "$ROOT/tests/nsd.sh"
trap 'nsd_stop; j=$(jobs -p); [ -n "$j" ] && kill $j 2>/dev/null; rm -rf "$TMP"' EXIT
if nsd_start "$ROOT/testdata/zones"; then
	NSD="127.0.0.1#$NSD_PORT"
	mkdir -p "$TMP/byname"
	for f in ipv4.json ipv6.json dns.json; do
		sed "s#//127.0.0.1:$HP/#//rdap-host.good.test:$HP/#g" "$TMP/boot/$f" >"$TMP/byname/$f"
	done
	byname() {
		OUT=$TMP/out.json
		"$BIN" --format json --resolver "$1" --timeout 1 --only rdap --rdap-bootstrap "$TMP/byname" \
			--whois-server "whois-host.good.test#$WP" "${@:2}" >"$OUT" 2>"$TMP/err"
		RC=$?
	}
	case_ "RDAP servers named in the bootstrap are resolved through --resolver"
	byname "$NSD" 192.0.2.10 good.test
	expect rdap.ip.abuse pass
	expect rdap.domain.status pass
	case_ "a redirect to another RIR by name: each hop resolved through --resolver"
	byname "$NSD" 62.239.237.1 bt.com
	expect rdap.ip.abuse pass
	expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].data.rdap_url | test("^http://rdap-host.good.test:[0-9]+/rir/ripe/ip/62.239.237.1$")' \
		"the answer came from the redirect's host"
	case_ "the WHOIS server by name, resolved through --resolver"
	byname "$NSD" 192.0.2.10 good.whoistld
	expect rdap.domain.status pass
	case_ "a resolver that cannot resolve the servers' names: error, with the reason"
	byname "127.0.0.1#$CP" 192.0.2.10 good.test
	for id in rdap.ip.abuse rdap.domain.status; do expect $id error; done
	expect_jq '[.checks[] | select(.id == "rdap.ip.abuse")][0].detail | test("cannot resolve rdap-host.good.test")' \
		"the reason names the lookup"
	byname "127.0.0.1#$CP" 192.0.2.10 good.whoistld
	expect rdap.domain.status error
	expect_jq '[.checks[] | select(.id == "rdap.domain.status")][0].detail | test("whois-host.good.test")' \
		"the WHOIS reason names the server"
else
	bad "NSD did not start"
fi

# ---------------------------------------------------------------- nothing leaves loopback
case_ "every connection goes to 127.0.0.1"
if command -v strace >/dev/null 2>&1 && [ -z "${SA_VALGRIND_BIN:-}" ]; then
	strace -f -qq -e trace=connect -o "$TMP/strace" "$BIN" --format json --resolver "$R" --timeout 1 \
		--rdap-bootstrap "$BOOT" 62.239.237.1 google.com >/dev/null 2>&1
	others=$(grep -E 'sin6?_(addr|port)' "$TMP/strace" | grep -vE 'inet_addr\("127\.0\.0\.1"\)|inet_pton\(AF_INET6, "::1"' | head -3)
	if [ -z "$others" ] && grep -q 'inet_addr("127.0.0.1")' "$TMP/strace"; then ok; else bad "$CASE: $others"; fi
elif [ -n "${SA_VALGRIND_BIN:-}" ]; then
	skip_ "strace does not trace under valgrind"
else
	skip_ "no strace command"
fi

finish rdap
