#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_domain.sh SENDERAUDIT: the domain family (MTA-STS, TLS-RPT, BIMI,
# DNSSEC, DANE) end to end. NSD serves a scratch copy of testdata/zones
# (posture.test: one subdomain per MTA-STS, BIMI and DANE scenario) plus the
# sec.test zones signed here with ldns-signzone (tests/dnssec.sh, keys made
# on every run); a validating Unbound started here sits in front of NSD for
# the DNSSEC cases; tests/https-server.py serves the MTA-STS policies, logos
# and mark certificates, made here with openssl, hostile ones included (a
# 10 MB policy, a redirect, 1,000 mx lines, a stalling server, an untrusted
# certificate, an SVG with a script element, an expired certificate).
#
# MTA-STS policies live at https://mta-sts.DOMAIN/ on port 443, which no
# option may change. So the suite runs in network and mount namespaces of
# its own (unshare -n -m, as root): port 443 and 127.0.0.1 are its own and
# nothing leaves the machine, and the test CA is bind-mounted over the
# system's trust bundle (/etc/ssl/certs/ca-certificates.crt, read by libcurl
# and by OpenSSL's default paths) for the suite's processes only. The
# binary has no switch that trusts another CA or relaxes TLS.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"

if [ -z "${SA_DOMAIN_NS:-}" ]; then
	if [ "$(id -u)" = 0 ] && unshare -n -m true 2>/dev/null; then
		SA_DOMAIN_NS=1 exec unshare -n -m bash "$0" "$@"
	fi
	case_ "the domain family over HTTPS, NSD and Unbound"
	skip_ "needs root and unshare -n -m (a network namespace of its own for port 443, the test CA mounted)"
	finish domain
	exit
fi
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/dnssec.sh"
source "$ROOT/tests/posture.sh"
ip link set lo up

TMP=$(mktemp -d /tmp/senderaudit-domain.XXXXXX)
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	unbound_stop
	nsd_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
export XDG_CACHE_HOME=$TMP/cache
die() {
	echo "FAIL domain: $*"
	echo "domain: 0 passed, 1 failed"
	exit 1
}
for tool in openssl ldns-keygen ldns-signzone /usr/sbin/unbound dig; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (make test installs it: scripts/deps.sh)"
done

# ---------------------------------------------------------------- zones
cp -r "$ROOT/testdata/zones" "$TMP/zones"
dnssec_zones "$TMP/zones" "$TMP/keys" >"$TMP/sign.log" 2>&1 || die "signing the zones: $(tail -c 400 "$TMP/sign.log")"

# ---------------------------------------------------------------- certificates
posture_certs "$TMP" || die "making certificates: $(tail -c 400 "$TMP/certs.log")"
# The suite's processes trust the test CA, and only it.
posture_trust "$TMP" || die "cannot mount the test CA"

# ---------------------------------------------------------------- files served
W=$TMP/www
posture_www "$TMP" "$W"
policy() { # policy NAME BODY [META]: the MTA-STS policy of NAME.posture.test
	local host=mta-sts.${1:+$1.}posture.test
	mkdir -p "$W/$host/.well-known"
	printf '%b' "$2" >"$W/$host/.well-known/mta-sts.txt"
	[ -n "${3:-}" ] && printf '%s' "$3" >"$W/$host/.well-known/mta-sts.txt.meta"
	return 0
}
GOOD=$POSTURE_POLICY
policy testing 'version: STSv1\nmode: testing\nmx: mail.posture.test\nmax_age: 604800\n'
policy big "" '{"stream_mb": 10}'
policy redirect "$GOOD" '{"status": 301, "location": "https://bimi.posture.test/redirected-policy.txt"}'
many='version: STSv1\nmode: enforce\nmax_age: 604800\n'
for i in $(seq 1 999); do many="${many}mx: mx$i.posture.test\n"; done
policy many "${many}mx: *.posture.test\n"
policy badtype "$GOOD" '{"type": "text/html"}'
policy invalid 'version: STSv1\nmode: enforce\nmx: mail.posture.test\n'
mkdir -p "$W/mta-sts.notfound.posture.test"
policy slow "$GOOD" '{"stall": 30}'
policy tlsbad "$GOOD"
policy shortage 'version: STSv1\nmode: enforce\nmx: mail.posture.test\nmax_age: 3600\n'
policy none 'version: STSv1\nmode: none\nmax_age: 86400\n'
policy twotxt "$GOOD"
B=$W/bimi.posture.test
mkdir -p "$B"
printf '%b' "$GOOD" >"$B/redirected-policy.txt"
TINY=$POSTURE_SVG
printf '%s\n<script>alert(document.cookie)</script>\n</svg>\n' "$TINY" >"$B/script.svg"
{
	printf '%s\n' "$TINY"
	for i in $(seq 1 800); do printf '<circle cx="%d" cy="50" r="1" fill="#0a7"/>\n' $((i % 100)); done
	printf '</svg>\n'
} >"$B/big.svg"
cp "$TMP/expired.pem" "$B/expired.pem"
cp "$TMP/unknownca.pem" "$B/unknownca.pem"

# ---------------------------------------------------------------- servers
posture_server_start "$TMP" "$W" 2>"$TMP/server.start" || die "$(cat "$TMP/server.start")"
SRV_PID=$POSTURE_PID
nsd_start "$TMP/zones" || die "NSD did not start"
R="127.0.0.1#$NSD_PORT"
unbound_start "$NSD_PORT" "$TMP/keys" || die "Unbound did not start"
UR="127.0.0.1#$UNBOUND_PORT"

# A TLS handshake under valgrind takes seconds.
T=2
[ -n "${SA_SLOW:-}" ] && T=10

# ---------------------------------------------------------------- helpers
# run NAME RESOLVER ONLY DOMAIN: a JSON audit (OUT, RC, MS, RSS in KiB);
# asserts a report's exit code, no sanitizer report, a schema-valid report
# and a remedy on every problem.
run() {
	local name=$1 res=$2 only=$3 dom=$4 t0
	OUT=$TMP/$name.json
	t0=$(date +%s%N)
	/usr/bin/python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[3:], stdout=open(sys.argv[1], "wb"), stderr=open(sys.argv[2], "wb"))
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$OUT" "$TMP/$name.err" \
		"$BIN" --format json --resolver "$res" --timeout "$T" --only "$only" 192.0.2.31 "$dom" >"$TMP/rc"
	MS=$((($(date +%s%N) - t0) / 1000000))
	read -r RC RSS <"$TMP/rc"
	case $RC in
	0 | 1 | 2 | 3) ok ;;
	*) bad "$CASE: exit status $RC (signal or abort): $(head -c 300 "$TMP/$name.err")" ;;
	esac
	if ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/$name.err"; then ok; else
		bad "$CASE: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$TMP/$name.err")"
	fi
	if /usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema"; then ok; else
		bad "$CASE: report not schema-valid: $(head -c 300 "$TMP/schema")"
	fi
	remedies_ok
}
within() { # within MS: the last run took at most MS (stretched under valgrind)
	[ "$MS" -le "$(budget "$1")" ] && ok || bad "$CASE: took $MS ms, budget $(budget "$1") ms"
}
why() { # why ID REGEX: the finding's summary, detail or lookup reason matches
	local t
	t=$(jq -r --arg id "$1" '[.checks[] | select(.id == $id)][0] | [.summary, .detail // "", .data.lookup_error.reason // ""] | join(" / ")' "$OUT" 2>/dev/null)
	[[ "$t" =~ $2 ]] && ok || bad "$CASE: $1 says '$(echo "$t" | head -c 300)', want /$2/"
}
served() { # served HOST PATH: the HTTPS server was asked for it
	grep -qx "$1 $2" "$TMP/https.log" && ok || bad "$CASE: $1$2 was not requested"
}
STS=/.well-known/mta-sts.txt

# ---------------------------------------------------------------- a well-run domain
case_ "posture.test: MTA-STS, TLS-RPT, BIMI with a mark certificate, report mailboxes, MX reverse DNS"
run posture "$R" domain,dmarc.destinations,mx.rdns posture.test
expect domain.mtasts pass
expect domain.tlsrpt pass
expect domain.bimi pass
expect domain.bimi.logo pass
expect domain.bimi.vmc pass
expect domain.dnssec info
expect domain.dane info
expect dmarc.destinations pass
expect mx.rdns pass
expect_rc 0
expect_jq '[.checks[] | select(.id == "domain.mtasts")][0].data | .policy.mode == "enforce" and .policy.max_age == 604800 and .mx_hosts == [{"host": "mail.posture.test", "pattern": "mail.posture.test"}] and .policy_fetch.content_type == "text/plain"'
expect_jq '[.checks[] | select(.id == "domain.bimi.vmc")][0].data | .chain == "verified" and .bimi_eku and .dns_names == ["posture.test"]'
expect_jq '[.checks[] | select(.id == "domain.tlsrpt")][0].data.rua | length == 2'
served mta-sts.posture.test $STS
served bimi.posture.test /logo.svg
served bimi.posture.test /vmc.pem
BASE_RSS=$RSS
"$BIN" --color never --resolver "$R" --timeout "$T" --only domain 192.0.2.31 posture.test >"$TMP/text" 2>&1
grep -q '^Domain policies (MTA-STS, TLS-RPT, BIMI, DNSSEC, DANE)$' "$TMP/text" && ok || bad "$CASE: no category heading in the text report"

# ---------------------------------------------------------------- MTA-STS
sts() { # sts NAME STATUS REGEX: the MTA-STS scenario NAME.posture.test
	run "sts-$1" "$R" domain.mtasts "$1.posture.test"
	expect domain.mtasts "$2"
	why domain.mtasts "$3"
}
case_ "MTA-STS in testing mode"
sts testing warn 'mode testing'
expect_rc 1
case_ "MTA-STS enforce, an MX host that matches no pattern"
sts nomatch fail '1 MX host of nomatch.posture.test matches no mx: pattern of the policy \(mx.other.test\)'
case_ "MTA-STS policy of 10 MB: cut at 64 KiB, time and memory bounded"
sts big fail 'larger than 65536 bytes'
within 4000
[ "$RSS" -le $((BASE_RSS + 30 * 1024)) ] && ok || bad "$CASE: peaked at $RSS KiB (posture.test: $BASE_RSS KiB)"
case_ "MTA-STS policy URL that redirects: not followed"
sts redirect fail 'answered HTTP 301, a redirect'
if ! grep -q 'redirected-policy' "$TMP/https.log"; then ok; else bad "$CASE: the redirect was followed"; fi
case_ "MTA-STS policy with 1,000 mx lines"
sts many pass 'every MX host matches'
within 4000
expect_jq '[.checks[] | select(.id == "domain.mtasts")][0].data | .policy.mx_patterns == 1000 and .mx_hosts[0].pattern == "*.posture.test"'
case_ "MTA-STS policy served as text/html"
sts badtype fail 'served as text/html, not text/plain'
case_ "MTA-STS policy without max_age; TLS-RPT with an http: URI"
run sts-invalid "$R" domain.mtasts,domain.tlsrpt invalid.posture.test
expect domain.mtasts fail
why domain.mtasts 'the policy is invalid: no max_age'
expect domain.tlsrpt fail
why domain.tlsrpt 'neither a mailto: nor an https: URI'
case_ "MTA-STS policy not found"
sts notfound fail 'HTTP 404'
case_ "MTA-STS record without a policy host"
sts nohost fail 'mta-sts.nohost.posture.test has no address record'
case_ "MTA-STS server that stalls: error, within the time limit"
sts slow error 'no complete answer within'
within $((4 * T * 1000 + 1500))
expect_rc 3
case_ "MTA-STS server with an untrusted certificate: error (no TLS is relaxed)"
sts tlsbad error 'TLS|certificate'
served mta-sts.posture.test $STS # the positive control ran over the same server
case_ "no environment variable makes the binary trust another CA"
# libcurl reads the bundle it was built with, not SSL_CERT_FILE or
# CURL_CA_BUNDLE: the untrusted certificate stays untrusted.
SSL_CERT_FILE=$TMP/untrusted.pem CURL_CA_BUNDLE=$TMP/untrusted.pem SSL_CERT_DIR=$TMP \
	"$BIN" --format json --resolver "$R" --timeout "$T" --only domain.mtasts 192.0.2.31 tlsbad.posture.test >"$TMP/env.json" 2>/dev/null
OUT=$TMP/env.json
expect domain.mtasts error
why domain.mtasts 'TLS failed'
case_ "MTA-STS policy with max_age of an hour"
sts shortage warn 'max_age 3600 is under a day'
case_ "MTA-STS mode none"
sts none info 'mode none'
case_ "two MTA-STS records"
sts twotxt fail '2 MTA-STS records'
if ! grep -q '^mta-sts.twotxt' "$TMP/https.log"; then ok; else bad "$CASE: the policy was fetched anyway"; fi

case_ "every lookup fails (a zone that answers SERVFAIL): error, never a verdict"
run broken "$R" domain broken.test
for id in domain.mtasts domain.tlsrpt domain.bimi domain.dnssec domain.dane; do expect $id error; done
expect domain.bimi.logo skip
expect_rc 3

# ---------------------------------------------------------------- BIMI
bimi() { # bimi NAME ID STATUS REGEX
	run "bimi-$1" "$R" domain.bimi,domain.bimi.logo,domain.bimi.vmc "$1.posture.test"
	expect "$2" "$3"
	why "$2" "$4"
}
case_ "BIMI under DMARC p=none"
bimi bimi-none domain.bimi fail 'p=none'
case_ "BIMI logo with a script element"
bimi script domain.bimi.logo fail 'not SVG Tiny PS: it holds a script'
expect domain.bimi pass
case_ "BIMI logo over 32 KB"
bimi bigsvg domain.bimi.logo fail 'more than the 32768'
case_ "BIMI with an expired mark certificate"
bimi expired domain.bimi.vmc fail 'expired on 2021-01-01'
case_ "BIMI mark certificate from an issuer this system does not trust"
bimi unknownca domain.bimi.vmc info 'cannot be checked here'
expect_jq '[.checks[] | select(.id == "domain.bimi.vmc")][0].data.chain == "unknown issuer"'
case_ "BIMI without a mark certificate"
bimi noa domain.bimi warn 'without a mark certificate'
expect domain.bimi.vmc skip
expect domain.bimi.logo pass
case_ "a subdomain without a BIMI record of its own: the organizational domain's applies"
run bimi-org "$R" domain.bimi testing.posture.test
expect domain.bimi pass
expect_jq '[.checks[] | select(.id == "domain.bimi")][0].data.record_name == "default._bimi.posture.test"'

# ---------------------------------------------------------------- DANE (unsigned)
case_ "TLSA in a zone that is not signed"
run dane-unsigned "$R" domain.dane daneunsigned.posture.test
expect domain.dane warn
why domain.dane 'carries no signature'

# ---------------------------------------------------------------- lib/dns flags
DNSQ=${SA_TOOLS:-$(dirname "$BIN")/tests/tools}/dnsq
case_ "lib/dns: DO keeps the signatures, AD comes from the validating resolver, CD is its own question"
if [ -x "$DNSQ" ]; then
	"$DNSQ" "$R" signed.sec.test/DNSKEY signed.sec.test/DNSKEY/do >"$TMP/dnsq" 2>&1
	grep -qx 'signed.sec.test/DNSKEY OK 2' "$TMP/dnsq" && grep -qx 'signed.sec.test/DNSKEY/do OK 2 ad=0 sigs=1' "$TMP/dnsq" &&
		ok || bad "$CASE: through NSD: $(head -c 300 "$TMP/dnsq")"
	"$DNSQ" "$UR" signed.sec.test/DNSKEY/do expired.sec.test/SOA/do expired.sec.test/SOA/docd >"$TMP/dnsq" 2>&1
	grep -qx 'signed.sec.test/DNSKEY/do OK 2 ad=1 sigs=1' "$TMP/dnsq" &&
		grep -qx 'expired.sec.test/SOA/do SERVFAIL 0 ad=0 sigs=0' "$TMP/dnsq" &&
		grep -qx 'expired.sec.test/SOA/docd OK 1 ad=0 sigs=1' "$TMP/dnsq" &&
		grep -q 'cache_hits=3 sent=3 ' "$TMP/dnsq" && ok || bad "$CASE: through Unbound: $(head -c 400 "$TMP/dnsq")"
else
	skip_ "no dnsq tool at $DNSQ"
fi

# ---------------------------------------------------------------- DNSSEC
dnssec() { # dnssec NAME RESOLVER DNSSEC-STATUS DANE-STATUS REGEX
	run "dnssec-$1-${2##*#}" "$2" domain.dnssec,domain.dane "$1.sec.test"
	expect domain.dnssec "$3"
	expect domain.dane "$4"
	why domain.dnssec "$5"
}
case_ "signed zone through the validating resolver"
dnssec signed "$UR" pass pass 'validated it \(AD\)'
expect_rc 0
case_ "signed zone through NSD (no validation): signatures checked here"
dnssec signed "$R" info info 'signatures verify here'
case_ "expired signatures through the validating resolver: bogus, proven with checking disabled"
dnssec expired "$UR" fail error 'expired on 2020-02-01'
why domain.dnssec 'checking disabled'
expect_jq '[.checks[] | select(.id == "domain.dnssec")][0].data.bogus == "proven"'
expect_rc 2
case_ "expired signatures through NSD: bogus, checked here"
dnssec expired "$R" fail info 'expired on 2020-02-01'
case_ "a DS at the parent for another key"
dnssec wrongds "$UR" fail error 'no DNSKEY of wrongds.sec.test matches the DS'
case_ "a DS at the parent, the zone unsigned"
dnssec dsnokey "$UR" fail error 'publishes a DS'
case_ "signed zone without a DS at the parent (an island)"
dnssec island "$UR" warn info 'no DS for it'
case_ "unsigned zone under a signed parent"
dnssec unsigned "$UR" info info 'unsigned.sec.test is not signed'
case_ "a zone the validator cannot reach (SERVFAIL with and without checking): error, bogus not proven"
dnssec broken "$UR" error error 'fails as well'
expect_jq '[.checks[] | select(.id == "domain.dnssec")][0].data.bogus == "not proven"'
expect_rc 3
case_ "DANE: a PKIX-EE TLSA record only"
dnssec danepkix "$UR" pass warn 'validated'
why domain.dane 'PKIX-EE\(1\) is unusable for SMTP'
case_ "DANE: TLSA for one of two MX hosts"
dnssec danehalf "$UR" pass warn 'validated'
why domain.dane '1 of 2 MX hosts have TLSA records'

case_ "the test servers stayed healthy"
if ! grep -q Traceback "$TMP/https.err"; then ok; else bad "$CASE: $(grep -A3 Traceback "$TMP/https.err" | head -c 400)"; fi

finish domain
