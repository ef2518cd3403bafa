#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_hardening.sh SENDERAUDIT: the hostile-data leftovers of the fault
# matrix (issue #8), on loopback only. HTTP: RDAP JSON nested 10,000 deep,
# 50 MB bodies (Content-Length, chunked, a gzip bomb), bodies that stall or
# are cut mid-chunk or drip, an https->http redirect (of an RDAP URL and of
# the bootstrap) with its positive control, by tests/rdap-server.py. DNS:
# 60 KB TXT sets over TCP, TXT bytes NUL/ESC/0xff at DMARC and DKIM names,
# names with NUL and dots inside labels, 253-character names and a DNAME that
# overflows (YXDOMAIN), by tests/fakedns.py.
#
# Every case asserts: the affected checks are `error` (or a `fail` that says
# why) with a reason, the other checks still report, the run ends within its
# budget, the exit code is a report's (0-3, never a signal or sanitizer
# abort), the JSON report is valid UTF-8 and schema-valid, and the text report
# carries no raw control character.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
TMP=$(mktemp -d /tmp/senderaudit-hardening.XXXXXX)
FAKE_PID=
SRV_PID=
cleanup() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
export XDG_CACHE_HOME=$TMP/cache

# ---------------------------------------------------------------- servers
# A test CA and a certificate for 127.0.0.1 signed by it, for the https server.
TLS=
if command -v openssl >/dev/null 2>&1; then
	(
		cd "$TMP" &&
			openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=senderaudit test CA" \
				-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
				-keyout ca.key -out ca.pem &&
			openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout srv.key -out srv.csr &&
			printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext &&
			openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out srv.pem
	) >/dev/null 2>&1 && TLS="$TMP/srv.pem $TMP/srv.key"
fi
# The hostile routes need no fixtures; the server wants the directory anyway.
FIX=${SA_SHARED:-$ROOT/../shared}/fixtures/rdap
[ -d "$FIX" ] || FIX=$TMP
# shellcheck disable=SC2086
/usr/bin/python3 "$ROOT/tests/rdap-server.py" "$FIX" "$TMP/boot" "$TMP/ports" "$TMP/log" $TLS 2>"$TMP/server.err" &
SRV_PID=$!
/usr/bin/python3 "$ROOT/tests/fakedns.py" 1800 >"$TMP/dnsport" 2>"$TMP/fakedns.log" &
FAKE_PID=$!
for _ in $(seq 1 100); do [ -s "$TMP/ports" ] && [ -s "$TMP/dnsport" ] && break; sleep 0.1; done
if [ ! -s "$TMP/ports" ] || [ ! -s "$TMP/dnsport" ]; then
	echo "FAIL hardening: a test server did not start: $(head -c 400 "$TMP/server.err" "$TMP/fakedns.log")"
	echo "hardening: 0 passed, 1 failed"
	exit 1
fi
read -r HP _ CP TP <"$TMP/ports"
BOOT=http://127.0.0.1:$HP/boot/
FAKE="127.0.0.1#$(cat "$TMP/dnsport")"
# A closed port: the rdap runs need no DNS, and stray lookups fail fast.
CLOSED="127.0.0.1#$CP"

# ---------------------------------------------------------------- helpers
# run NAME ARGS...: a JSON audit (OUT, RC, MS, RSS in KiB); asserts a report
# exit code, no sanitizer report, UTF-8 and schema-valid JSON.
run() {
	local name=$1 t0
	shift
	OUT=$TMP/$name.json
	TXT=$TMP/$name.txt
	t0=$(date +%s%N)
	/usr/bin/python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[3:], stdout=open(sys.argv[1], "wb"), stderr=open(sys.argv[2], "wb"))
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$OUT" "$TMP/$name.err" "$BIN" --format json "$@" >"$TMP/rc"
	MS=$((($(date +%s%N) - t0) / 1000000))
	read -r RC RSS <"$TMP/rc"
	case $RC in
	0 | 1 | 2 | 3) ok ;;
	*) bad "$CASE: exit status $RC (signal or abort): $(head -c 300 "$TMP/$name.err")" ;;
	esac
	if ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$TMP/$name.err"; then ok; else
		bad "$CASE: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$TMP/$name.err")"
	fi
	if iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null 2>&1 &&
		/usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema"; then ok; else
		bad "$CASE: JSON report not valid UTF-8 or not schema-valid: $(head -c 300 "$TMP/schema")"
	fi
}
# text ARGS...: the same audit as verbose text (TXT): UTF-8, no raw control
# character (C0 but tab and newline, DEL, C1 as UTF-8: U+009B is a CSI too).
CTL_RE='[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]'
text() {
	"$BIN" --color never -v "$@" >"$TXT" 2>"$TXT.err"
	if ! LC_ALL=C grep -qaP "$CTL_RE" "$TXT" "$TXT.err"; then ok; else
		bad "$CASE: raw control character in the text report: $(LC_ALL=C grep -m1 -haP "$CTL_RE" "$TXT" "$TXT.err" | od -c | head -3)"
	fi
	iconv -f UTF-8 -t UTF-8 "$TXT" >/dev/null 2>&1 && ok || bad "$CASE: text report not valid UTF-8"
}
within() { # within MS: the last run took at most MS (stretched under valgrind)
	[ "$MS" -le "$(budget "$1")" ] && ok || bad "$CASE: took $MS ms, budget $(budget "$1") ms"
}
# why ID REGEX: the finding's summary/detail/reason matches.
why() {
	local t
	t=$(jq -r --arg id "$1" '[.checks[] | select(.id == $id)][0] | [.summary, .detail // "", .data.lookup_error.reason // ""] | join(" / ")' "$OUT" 2>/dev/null)
	[[ "$t" =~ $2 ]] && ok || bad "$CASE: $1 says '$(echo "$t" | head -c 300)', want /$2/"
}
rdap() { # rdap NAME IP DOMAIN [ARGS]: the rdap checks against the test bootstrap
	local n=$1 ip=$2 dom=$3
	shift 3
	run "$n" --resolver "$CLOSED" --timeout 1 --only rdap --rdap-bootstrap "$BOOT" "$@" "$ip" "$dom"
}

# ---------------------------------------------------------------- HTTP
# Each hostile answer, first for the IP network (the domain is good.test,
# whose checks must still pass), then for the domain (the IP is 192.0.2.10,
# whose checks must still report). HOSTILE_IPS in rdap-server.py. PEAK: the
# peak RSS (KiB) of each IP run.
declare -A PEAK
for spec in "145 deep nested.10,000.deep.inside.a.valid.network 1500 not.valid.JSON" \
	"146 deeparr a.bare.10,000-deep.array 1500 not.valid.JSON" \
	"148 hugecl 50.MB.with.Content-Length 1500 larger.than.2097152.bytes" \
	"149 hugechunk 50.MB.chunked 2500 larger.than.2097152.bytes" \
	"150 gzipbomb 50.MB.gzipped.to.50.KB 3500 larger.than.2097152.bytes" \
	"151 stallchunk a.chunked.body.that.stalls 3500 no.complete.answer.within.2000.ms" \
	"152 cutchunk a.chunked.body.cut.mid-chunk 1500 connection.closed.before.the.whole.answer" \
	"153 cutclose a.close-delimited.body.cut.mid-JSON 1500 not.valid.JSON" \
	"154 drip a.byte.every.0.2.s 3500 no.complete.answer.within.2000.ms"; do
	set -- $spec
	ip=198.51.100.$1 how=$2 what=${3//./ } ms=$4 reason=${5//./ }
	case_ "RDAP $how ($what), for the IP"
	rdap "ip-$how" "$ip" good.test
	within "$ms"
	for id in rdap.ip.abuse rdap.ip.owner; do
		expect $id error
		why $id "$reason"
	done
	expect rdap.domain.status pass
	expect rdap.domain.contact pass
	expect_rc 3
	remedies_ok
	PEAK[$how]=$RSS
	case_ "RDAP $how ($what), for the domain"
	rdap "dom-$how" 192.0.2.10 "$how.hostile"
	within "$ms"
	for id in rdap.domain.status rdap.domain.contact; do
		expect $id error
		why $id "$reason"
	done
	expect rdap.ip.abuse pass
	expect rdap.ip.owner warn # Good Test Ltd's /29 is unrelated to *.hostile
	expect_rc 3
done

case_ "RDAP 50 MB bodies: memory stays bounded by the 2 MiB cap"
# Against a small answer's peak: buffering 50 MB (or growing the buffer a
# piece at a time under ASan's quarantine) would add far more than 40 MB.
base=${PEAK[deep]}
for how in hugecl hugechunk gzipbomb; do
	r=${PEAK[$how]}
	if [ "$r" -le $((base + 40 * 1024)) ]; then ok; else bad "$CASE: $how peaked at $r KiB (a small answer: $base KiB)"; fi
done

case_ "RDAP names with ESC, BEL, DEL, U+009B and NUL"
rdap ctl 198.51.100.155 ctl.hostile
text --resolver "$CLOSED" --timeout 1 --only rdap --rdap-bootstrap "$BOOT" 198.51.100.155 ctl.hostile
within 1500
expect_jq '[.checks[] | select(.category == "rdap") | .status] | all(. != "error")' "no rdap error"
expect_jq '[.checks[] | select(.id == "rdap.ip.owner")][0].data.network.holder | test("^Evil\u001b\\[31m\u009b2J")' "JSON keeps the characters, escaped"
grep -q 'Evil\\x1b\[31m\\xc2\\x9b2J' "$TXT" && ok || bad "$CASE: the text report does not show the holder escaped"
# "abuse\x1b[31m@hostile.example" is no address: cutting "31m@hostile.example"
# out of it would pass on an address nobody published
expect rdap.ip.abuse fail

case_ "RDAP entities nested 450 deep (just under cJSON's depth limit): walked, no crash"
rdap ip-deepent 198.51.100.147 deepent.hostile
within 1500
expect rdap.ip.abuse fail
expect rdap.domain.status pass
expect_jq '[.checks[] | select(.category == "rdap") | .status] | all(. != "error")' "no rdap error"

# ---------------------------------------------------------------- https -> http
# The binary must trust the test CA: in a private mount namespace, the test CA
# is bind-mounted over the system bundle libcurl reads. Root only (CI is).
tls_ok() {
	[ -n "$TLS" ] && [ -n "${TP:-}" ] && [ "$(id -u)" = 0 ] &&
		unshare -m sh -c "mount --bind '$TMP/ca.pem' /etc/ssl/certs/ca-certificates.crt" 2>/dev/null
}
if tls_ok; then
	# A TLS handshake under valgrind takes seconds.
	TLS_TIMEOUT=1
	[ -n "${SA_SLOW:-}" ] && TLS_TIMEOUT=10
	trusted() { # trusted NAME BOOTSTRAP IP DOMAIN: an rdap audit trusting the test CA
		local n=$1 b=$2
		shift 2
		run "$n" --resolver "$CLOSED" --timeout $TLS_TIMEOUT --only rdap --rdap-bootstrap "$b" "$@"
	}
	BIN_REAL=$BIN
	BIN=$TMP/trusting
	cat >"$BIN" <<EOF
#!/bin/sh
exec unshare -m sh -c 'mount --bind "\$0" /etc/ssl/certs/ca-certificates.crt && exec "\$@"' "$TMP/ca.pem" "$BIN_REAL" "\$@"
EOF
	chmod +x "$BIN"
	TB=https://127.0.0.1:$TP

	case_ "https positive control: the test server is trusted and answers"
	trusted tls-ok "$TB/tlsboot/" 192.0.2.10 good.test
	within 3000
	for id in rdap.ip.abuse rdap.ip.owner rdap.domain.status rdap.domain.contact; do expect $id pass; done
	expect_rc 0
	grep -q '^tls:/rir/ripe/ip/192.0.2.10$' "$TMP/log" && ok || bad "$CASE: the https server was not asked"

	case_ "https batch: a new connection resumes the TLS session an earlier audit got"
	# /close/ closes every connection after its answer, so each request
	# needs a new one; the run's share handle keeps the session for it.
	printf '192.0.2.10 good.test\n192.0.2.30 good.test\n192.0.2.10 good.test\n' >"$TMP/tlsbatch"
	n0=$(wc -l <"$TMP/log")
	"$BIN" --format json --resolver "$CLOSED" --timeout $TLS_TIMEOUT --only rdap.ip.abuse --jobs 1 \
		--rdap-bootstrap "$TB/close/tlsboot/" --batch "$TMP/tlsbatch" >"$TMP/tlsbatch.out" 2>"$TMP/tlsbatch.err"
	n=$(jq -r '.checks[].status' "$TMP/tlsbatch.out" | grep -c '^pass$')
	[ "$n" = 3 ] && ok || bad "$CASE: $n of 3 audits pass: $(head -c 300 "$TMP/tlsbatch.err")"
	conns=$(tail -n +$((n0 + 1)) "$TMP/log" | grep -c '^conn .* tls:')
	resumed=$(tail -n +$((n0 + 1)) "$TMP/log" | grep -c '^conn .* tls: resumed')
	[ "$conns" -ge 3 ] && [ "$resumed" -ge $((conns - 1)) ] && ok ||
		bad "$CASE: $resumed of $conns TLS connections resumed a session, want all but the first"

	case_ "https RDAP URL redirecting to http: refused"
	trusted tls-plain "$TB/tlsplain/" 192.0.2.10 good.test
	within 3000
	for id in rdap.ip.abuse rdap.ip.owner rdap.domain.status rdap.domain.contact; do
		expect $id error
		why $id 'redirect to a scheme other than https was refused'
	done
	expect_rc 3
	remedies_ok
	grep -q '^tls:/toplain/rir/ripe/ip/192.0.2.10$' "$TMP/log" && ok || bad "$CASE: the redirect was not served"

	case_ "https bootstrap redirecting to http: refused"
	trusted tls-bootplain "$TB/bootplain/" 192.0.2.10 good.test
	within 3000
	for id in rdap.ip.abuse rdap.ip.owner rdap.domain.status rdap.domain.contact; do
		expect $id error
		why $id 'bootstrap.*redirect to a scheme other than https was refused'
	done
	expect_rc 3
	grep -q '^tls:/bootplain/' "$TMP/log" && ok || bad "$CASE: the redirect was not served"

	case_ "the plain http server never got a redirected request"
	if ! grep -q '/plainonly/' "$TMP/log"; then ok; else bad "$CASE: $(grep -m3 '/plainonly/' "$TMP/log")"; fi
	# ... though it serves and logs that path (so the check above can fail).
	/usr/bin/python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \
		"http://127.0.0.1:$HP/plainonly/boot/ipv4.json" 2>/dev/null
	grep -q '^/plainonly/boot/ipv4.json$' "$TMP/log" && ok || bad "$CASE: the plain server does not log /plainonly/"
	BIN=$BIN_REAL
else
	case_ "https->http redirects"
	skip_ "these cases need root, unshare -m and openssl"
fi

# ---------------------------------------------------------------- DNS: TXT
# dns NAME ARGS...: an audit against the misbehaving DNS server, JSON and text.
dns() {
	local n=$1
	shift
	run "$n" --resolver "$FAKE" --timeout 1 "$@"
	text --resolver "$FAKE" --timeout 1 "$@"
}
case_ "300 TXT records (~55 KB, TCP only) at the DMARC and DKIM names"
dns bigtxt --only dkim,dmarc,mx --selector s1 192.0.2.1 bigtxt.fault.test
within 3000
expect dkim.key fail
why dkim.key '300 TXT records'
expect dmarc.record fail
why dmarc.record '300 DMARC records'
expect mx.bounces pass
expect_rc 2
remedies_ok
case_ "one 60 KB TXT record (236 strings) at the DMARC and DKIM names"
dns hugetxt --only dkim,dmarc,mx --selector s1 192.0.2.1 hugetxt.fault.test
within 3000
expect dkim.key fail
why dkim.key 'not valid base64'
expect dmarc.record pass
expect dmarc.reporting fail
why dmarc.reporting 'invalid report URI'
# A 60 KB value is shown shortened, not whole.
expect_jq '[.checks[] | select(.id == "dmarc.reporting")][0].summary | length < 400' "the summary is short"
expect mx.bounces pass
case_ "NUL, ESC, BEL, CR/LF and 0xff bytes in DMARC and DKIM tag values"
dns badtxt --only dkim,dmarc,mx --selector s1 192.0.2.1 badtxt.fault.test
within 3000
expect dkim.key fail
why dkim.key 'control or non-ASCII character'
expect dmarc.record fail
expect mx.bounces pass
expect_rc 2
# The record reaches JSON escaped (\u001b) with invalid bytes replaced.
expect_jq '[.checks[] | select(.id == "dmarc.record")][0].data.record | test("\u001b\\[31mevil")' "ESC kept as \\u001b in JSON"
expect_jq '[.checks[] | select(.id == "dmarc.record")][0].data.record | test("\ufffd")' "0xff replaced by U+FFFD"
grep -q 'dkim.key' "$TXT" && ok || bad "$CASE: dkim.key missing from the text report"
case_ "the same bytes inside v=: not a DMARC/DKIM record"
dns badtxtv --only dkim,dmarc,mx --selector s1 192.0.2.1 badtxtv.fault.test
within 3000
expect dkim.key fail
# Neither record is DMARC, so the walk goes on up to _dmarc.test, which the
# fake server refuses: that is an error, never a pass.
expect dmarc.record error
why dmarc.record '_dmarc\.test.*REFUSED'
expect mx.bounces pass

# ---------------------------------------------------------------- DNS: names
case_ "MX host with NUL and dot inside a 63-octet label"
dns dotname --only mx 192.0.2.1 dotname.fault.test
within 1500
# Only the exact name lacks an address: a resolver that turned "\." into a
# label break or cut at the NUL would ask another name, find one and pass.
expect mx.bounces fail
why mx.bounces 'x\\000y\\\.zb+\.dotname\.fault\.test has no A or AAAA'
case_ "MX host of 253 characters"
dns longmx --only mx 192.0.2.1 longmx.fault.test
within 1500
expect mx.bounces pass
expect_rc 0
case_ "DNAME whose substitution overflows: YXDOMAIN"
dns yxdomain --only mx 192.0.2.1 x.yxdomain.fault.test
within 1500
expect mx.bounces error
why mx.bounces 'answered YXDOMAIN'
expect_rc 3
case_ "PTR with NUL and dot inside a 63-octet label"
dns ptrbin --only rdns 198.51.100.1 ptrbin.fault.test
within 1500
expect rdns.ptr pass
# It resolves back only under its exact name.
expect rdns.fcrdns pass
expect rdns.syntax fail
expect_jq '[.checks[] | select(.id == "rdns.ptr")][0].summary | test("x\\\\000y\\\\.zb")' "the name is shown in presentation format"
case_ "PTR of 253 characters"
dns ptrlong --only rdns 198.51.100.2 longmx.fault.test
within 1500
for id in rdns.ptr rdns.syntax rdns.fcrdns; do expect $id pass; done

case_ "the test servers stayed healthy"
if ! grep -q Traceback "$TMP/fakedns.log" "$TMP/server.err"; then ok; else
	bad "$CASE: $(grep -h -A3 Traceback "$TMP/fakedns.log" "$TMP/server.err" | head -c 400)"
fi

finish hardening
