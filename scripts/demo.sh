#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# demo.sh SENDERAUDIT: full audits against the bundled test zones, served by
# NSD on a loopback port, with registration data from the RDAP test server
# (tests/rdap-server.py) on loopback. No internet needed.
#
# As root, it runs in network and mount namespaces of its own (as
# tests/suite_domain.sh does) to show the domain family too: MTA-STS and
# BIMI files from tests/https-server.py on 127.0.0.1:443 with a test CA
# mounted over the trust bundle for the demo's processes only, and DNSSEC
# through a validating Unbound in front of NSD, with zones signed here.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${SA_DEMO_NS:-}" ] && [ "$(id -u)" = 0 ] && unshare -n -m true 2>/dev/null; then
	SA_DEMO_NS=1 exec unshare -n -m bash "$0" "$@"
fi
[ -n "${SA_DEMO_NS:-}" ] && ip link set lo up
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/dnssec.sh"
source "$ROOT/tests/posture.sh"
TMP=$(mktemp -d /tmp/senderaudit-demo.XXXXXX)
SRV_PID=
POSTURE_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	[ -n "$POSTURE_PID" ] && kill "$POSTURE_PID" 2>/dev/null
	unbound_stop
	nsd_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
cp -r "$ROOT/testdata/zones" "$TMP/zones"
# The domain family's servers (root only: port 443, the test CA mounted).
POSTURE=
if [ -n "${SA_DEMO_NS:-}" ] && mkdir "$TMP/posture" && posture_certs "$TMP/posture" && posture_trust "$TMP/posture" &&
	posture_www "$TMP/posture" "$TMP/www" && posture_server_start "$TMP/posture" "$TMP/www" 2>/dev/null; then
	POSTURE=1
	dnssec_zones "$TMP/zones" "$TMP/keys" >/dev/null 2>&1 || POSTURE=
fi
nsd_start "$TMP/zones" || exit 1
R="127.0.0.1#$NSD_PORT"
UR=
[ -n "$POSTURE" ] && unbound_start "$NSD_PORT" "$TMP/keys" 2>/dev/null && UR="127.0.0.1#$UNBOUND_PORT"
export XDG_CACHE_HOME=$TMP/cache

# Registration data: the RDAP server of the tests, serving the real registry
# answers of ../shared/fixtures/rdap and synthetic ones for the test domains.
RDAP=(--skip rdap)
FIX=${SA_SHARED:-$ROOT/../shared}/fixtures/rdap
if [ -d "$FIX" ]; then
	/usr/bin/python3 "$ROOT/tests/rdap-server.py" "$FIX" "$TMP/boot" "$TMP/ports" "$TMP/log" 2>/dev/null &
	SRV_PID=$!
	for _ in $(seq 1 100); do [ -s "$TMP/ports" ] && break; sleep 0.1; done
	if [ -s "$TMP/ports" ]; then
		read -r HP WP _ <"$TMP/ports"
		RDAP=(--rdap-bootstrap "http://127.0.0.1:$HP/boot/" --whois-server "127.0.0.1#$WP")
	fi
fi
[ "${RDAP[0]}" = --skip ] && echo "(no ../shared/fixtures/rdap here: registration checks left out)"

show() {
	echo "\$ senderaudit $*"
	"$BIN" "$@"
	echo "(exit status $?)"
	echo
}
echo "== NSD serves testdata/zones on $R"
echo
echo "== A well-run sender:"
show --resolver "$R" "${RDAP[@]}" --helo mail.good.test --selector s1 192.0.2.10 good.test
echo "== A sender in a provider's dynamic range, with a bad HELO and a null MX for bounces:"
show --resolver "$R" "${RDAP[@]}" -q --helo localhost --mail-from nullmx.test 192.0.2.20 good.test
if [ -z "$POSTURE" ]; then
	echo "(the domain family's HTTPS and DNSSEC servers need root and unshare -n -m: left out)"
	exit 0
fi
echo "== A domain that publishes MTA-STS, TLS-RPT and BIMI (the policy, logo and mark certificate"
echo "   come from the HTTPS test server on 127.0.0.1:443, the certificate from a test CA):"
show --resolver "$R" --only domain,dmarc.destinations,mx.rdns 192.0.2.31 posture.test
echo "== An MTA-STS policy whose MX host does not match, and a BIMI record under DMARC p=none:"
show --resolver "$R" -q --only domain.mtasts 192.0.2.31 nomatch.posture.test
show --resolver "$R" -q --only domain.bimi 192.0.2.31 bimi-none.posture.test
if [ -n "$UR" ]; then
	echo "== DNSSEC and DANE through a validating resolver (Unbound on $UR, in front of NSD):"
	show --resolver "$UR" --only domain.dnssec,domain.dane 192.0.2.31 signed.sec.test
	echo "== A zone whose signatures expired: the resolver says SERVFAIL, the data it refused is checked:"
	show --resolver "$UR" --only domain.dnssec 192.0.2.31 expired.sec.test
fi
exit 0
