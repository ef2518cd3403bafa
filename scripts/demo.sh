#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# demo.sh SENDERAUDIT: full audits against the bundled test zones, served by
# NSD on a loopback port, with registration data from the RDAP test server
# (tests/rdap-server.py) on loopback. No internet needed.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
TMP=$(mktemp -d /tmp/senderaudit-demo.XXXXXX)
SRV_PID=
cleanup() {
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	nsd_stop
	rm -rf "$TMP"
}
trap cleanup EXIT
nsd_start "$ROOT/testdata/zones" || exit 1
R="127.0.0.1#$NSD_PORT"
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
exit 0
