# SPDX-License-Identifier: ISC
# rdapsrv.sh: tests/rdap-server.py for the suites that ask RDAP. Sourced;
# needs bash.
#   rdap_suite_start NAME: a scratch directory TMP (removed on exit, with
#   every background job), then rdap_server_start NAME.
#   rdap_server_start NAME: a bootstrap cache of its own, and the server on
#   the shared RDAP fixtures; sets FIX and the ports HP (HTTP), WP (WHOIS)
#   and CP (a closed port). Prints the suite's failing result line and exits
#   when the fixtures are missing or the server does not start. Needs ROOT
#   and TMP.
rdap_suite_start() {
	TMP=$(mktemp -d "/tmp/senderaudit-$1.XXXXXX") || exit 1
	trap 'j=$(jobs -p); [ -n "$j" ] && kill $j 2>/dev/null; rm -rf "$TMP"' EXIT
	rdap_server_start "$1"
}

rdap_server_start() {
	local name=$1
	FIX=${SA_SHARED:-$ROOT/../shared}/fixtures/rdap
	if [ ! -f "$FIX/MANIFEST.tsv" ]; then
		echo "FAIL $name: RDAP fixtures not found in $FIX (set SA_SHARED to the shared folder)"
		echo "$name: 0 passed, 1 failed"
		exit 1
	fi
	export XDG_CACHE_HOME=$TMP/cache
	/usr/bin/python3 "$ROOT/tests/rdap-server.py" "$FIX" "$TMP/boot" "$TMP/ports" "$TMP/log" 2>"$TMP/server.err" &
	for _ in $(seq 1 100); do [ -s "$TMP/ports" ] && break; sleep 0.1; done
	if [ ! -s "$TMP/ports" ]; then
		echo "FAIL $name: the test server did not start: $(head -c 400 "$TMP/server.err")"
		echo "$name: 0 passed, 1 failed"
		exit 1
	fi
	read -r HP WP CP _ <"$TMP/ports"
}
