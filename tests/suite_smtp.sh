#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_smtp.sh SENDERAUDIT: the SMTP wire. `--smtp` against a real Postfix
# from Debian, started here from its own configuration directory on
# loopback (never the system service): an open relay with a certificate of
# a test CA, a locked-down one with a self-signed certificate; against
# misbehaving servers (tests/smtp-fake.py: a dropped connection, a stall, a
# tarpit, garbage, 10 MB of continuation lines, STARTTLS with no
# handshake, TLS 1.0 only, expired and expiring certificates). `receive`
# with swaks and with Postfix relaying to it (STARTTLS required, and
# without), and against hostile clients (tests/smtp-hostile.py): bounded
# time and memory, a clear outcome.
#
# The binary trusts the test CA through SSL_CERT_FILE, which OpenSSL's
# default verify paths honour (the product verifies against the system
# store; no option or mount is needed for tests).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"

suite_start smtp
PF_DIRS=()
pf_stop_all() {
	for d in "${PF_DIRS[@]}"; do
		postfix -c "$d/conf" stop >/dev/null 2>&1 || postfix -c "$d/conf" abort >/dev/null 2>&1
	done
	PF_DIRS=()
}
trap 'pf_stop_all; nsd_stop; j=$(jobs -p); [ -n "$j" ] && kill $j 2>/dev/null; rm -rf "$TMP"' EXIT
chmod 755 "$TMP"
# A TLS handshake under valgrind takes seconds.
T=1
[ -n "${SA_SLOW:-}" ] && T=10

# ---------------------------------------------------------------- certificates
# A test CA; certificates it signs for mta.loop.test and odd.loop.test, one
# that expired in 2020 and one that expires in 5 days; a self-signed one.
CERTS=$TMP/certs
mkdir -p "$CERTS"
(
	cd "$CERTS" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=senderaudit SMTP test CA" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout ca.key -out ca.pem
	for n in mta odd; do
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$n.loop.test" -keyout $n.key -out $n.csr
		printf 'subjectAltName=DNS:%s.loop.test\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' $n >$n.ext
		openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 20 -extfile $n.ext -out $n.pem
	done
	openssl x509 -req -in odd.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 5 -extfile odd.ext -out soon.pem
	# expired: openssl ca takes explicit dates
	mkdir -p db && : >db/index.txt && echo 1000 >db/serial
	cat >ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = $CERTS/db/index.txt
serial = $CERTS/db/serial
new_certs_dir = $CERTS/db
default_md = sha256
policy = any
copy_extensions = copy
[any]
commonName = supplied
CNF
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in odd.csr -extfile odd.ext \
		-startdate 20200101000000Z -enddate 20200201000000Z -out old.pem
	openssl req -x509 -newkey rsa:2048 -nodes -days 20 -subj /CN=mta.loop.test \
		-addext subjectAltName=DNS:mta.loop.test -keyout self.key -out self.pem
) >"$TMP/openssl.log" 2>&1 || {
	echo "FAIL smtp: the test certificates could not be made: $(tail -c 400 "$TMP/openssl.log")"
	echo "smtp: 0 passed, 1 failed"
	exit 1
}
export SSL_CERT_DIR=/nonexistent # only SSL_CERT_FILE counts where a case sets it

# ---------------------------------------------------------------- helpers
# run NAME ARGS...: a JSON audit (OUT, RC, MS, RSS in KiB); asserts an
# exit code of a report, no sanitizer report, a schema-valid report.
run() {
	local name=$1 t0
	shift
	OUT=$TMP/$name.json
	ERR=$TMP/$name.err
	t0=$(date +%s%N)
	/usr/bin/python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[3:], stdout=open(sys.argv[1], "wb"), stderr=open(sys.argv[2], "wb"))
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$OUT" "$ERR" "$BIN" --format json --resolver "$R" "$@" >"$TMP/rc"
	MS=$((($(date +%s%N) - t0) / 1000000))
	read -r RC RSS <"$TMP/rc"
	case $RC in 0 | 1 | 2 | 3) ok ;; *) bad "$CASE: exit status $RC: $(head -c 300 "$ERR")" ;; esac
	if ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$ERR"; then ok; else
		bad "$CASE: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$ERR")"
	fi
	if /usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema"; then ok; else
		bad "$CASE: JSON report is not schema-valid: $(head -c 300 "$TMP/schema") (stderr: $(head -c 200 "$ERR"))"
	fi
}
probe() { # probe NAME IP PORT [ARGS]: the smtp checks with --smtp against IP:PORT
	local n=$1 ip=$2 port=$3
	shift 3
	run "$n" --timeout $T --only smtp --smtp --smtp-port "$port" "$@" "$ip" loop.test
}
within() { [ "$MS" -le "$(budget "$1")" ] && ok || bad "$CASE: took $MS ms, budget $(budget "$1") ms"; }
why() { # why ID REGEX: the finding's summary and detail match
	local t
	t=$(jq -r --arg id "$1" '[.checks[] | select(.id == $id)][0] | .summary + " / " + (.detail // "")' "$OUT" 2>/dev/null)
	[[ "$t" =~ $2 ]] && ok || bad "$CASE: $1 says '$(echo "$t" | head -c 300)', want /$2/"
}
port_up() { # port_up ADDR PORT: waits up to 30 s for a listener (valgrind starts slowly)
	/usr/bin/python3 -c 'import socket, sys, time
for _ in range(300):
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)' "$1" "$2"
}

# fake MODE [CERT KEY]: a misbehaving server on 127.0.0.5 (FAKE_PORT, FAKE_LOG)
FAKE_PID=
fake() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
	rm -f "$TMP/fake.port"
	FAKE_LOG=$TMP/fake-$1.log
	/usr/bin/python3 "$ROOT/tests/smtp-fake.py" 127.0.0.5 "$TMP/fake.port" "$@" 2>"$FAKE_LOG" &
	FAKE_PID=$!
	for _ in $(seq 1 50); do [ -s "$TMP/fake.port" ] && break; sleep 0.1; done
	FAKE_PORT=$(cat "$TMP/fake.port")
}

# ---------------------------------------------------------------- Postfix
# pf_start NAME ADDR EXTRA...: a Postfix of its own (config, queue and data
# directories under $TMP/pf-NAME) with smtpd on ADDR and a free port
# (PF_PORT); EXTRA lines go into main.cf. Needs root (the master runs as
# root and drops to the postfix user).
have_postfix() { [ "$(id -u)" = 0 ] && command -v postfix >/dev/null && [ -x /usr/lib/postfix/sbin/master ]; }
pf_start() {
	local name=$1 addr=$2 d
	shift 2
	d=$TMP/pf-$name
	mkdir -p "$d/conf" "$d/queue" "$d/data"
	chown postfix "$d/data"
	PF_PORT=$(free_port)
	{
		cat <<CF
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
maillog_file = $d/maillog
maillog_file_prefixes = $TMP
CF
		printf '%s\n' "$@"
	} >"$d/conf/main.cf"
	cat >"$d/conf/master.cf" <<MF
$addr:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
MF
	PF_DIRS+=("$d")
	if ! postfix -c "$d/conf" start >"$d/start.log" 2>&1 || ! port_up "$addr" "$PF_PORT"; then
		bad "Postfix $name did not start: $(tail -c 400 "$d/start.log" "$d/maillog" 2>/dev/null)"
		return 1
	fi
}
pf_stop() { # pf_stop NAME
	postfix -c "$TMP/pf-$1/conf" stop >/dev/null 2>&1
	local keep=()
	for d in "${PF_DIRS[@]}"; do [ "$d" != "$TMP/pf-$1" ] && keep+=("$d"); done
	PF_DIRS=("${keep[@]}")
}
C=$CERTS

# ---------------------------------------------------------------- without --smtp
case_ "without --smtp: every smtp check is skip, and nothing connects"
fake stall
run nosmtp --only smtp 127.0.0.5 loop.test
for id in smtp.banner smtp.starttls smtp.relay smtp.auth smtp.mx_tls; do expect $id skip; done
why smtp.banner 'no --smtp given'
expect_rc 0
sleep 0.3
[ ! -s "$FAKE_LOG" ] && ok || bad "$CASE: the server saw a connection: $(head -c 200 "$FAKE_LOG")"

case_ "nothing listening (connection refused): info, not fail"
CLOSED=$(free_port)
probe closed 127.0.0.2 "$CLOSED"
for id in smtp.banner smtp.starttls smtp.relay smtp.auth; do expect $id info; done
why smtp.banner 'nothing listens on 127.0.0.2 port [0-9]+ \(connection refused\)'
expect_jq '[.checks[] | select(.id == "smtp.banner")][0].data.connect == "refused"'
# an MX host must listen: that is no verdict on TLS, but an error
expect smtp.mx_tls error
why smtp.mx_tls 'mta.loop.test: cannot connect'
expect_rc 3
within 3000

if have_postfix; then
	# ------------------------------------------------------------ Postfix: open relay, test CA
	# Open to all (not through mynetworks): every recipient is OK before
	# the reject_unauth_destination Postfix insists on.
	pf_start open 127.0.0.2 "myhostname = mta.loop.test" "mynetworks = 127.0.0.9/32" \
		"smtpd_relay_restrictions = check_recipient_access static:OK, reject_unauth_destination" \
		"smtpd_tls_security_level = may" "smtpd_tls_cert_file = $C/mta.pem" "smtpd_tls_key_file = $C/mta.key"
	P=$PF_PORT

	case_ "Postfix open relay, test-CA certificate, CA trusted (SSL_CERT_FILE)"
	SSL_CERT_FILE=$C/ca.pem probe open 127.0.0.2 "$P"
	expect smtp.banner pass
	expect smtp.starttls pass
	expect smtp.relay fail
	expect smtp.auth pass
	expect smtp.mx_tls pass
	expect_rc 2
	remedies_ok
	why smtp.relay 'open relay.*relay-test@example.org.*relay-test@example.net'
	expect_jq '[.checks[] | select(.id == "smtp.starttls")][0].data.tls.version | test("^TLSv1\\.[23]$")' "TLS version in data"
	expect_jq '[.checks[] | select(.id == "smtp.starttls")][0].data.tls.certificate.chain_verified == true'
	expect_jq '[.checks[] | select(.id == "smtp.starttls")][0].data.name_matched == "mta.loop.test"'
	expect_jq '[.checks[] | select(.id == "smtp.banner")][0].data.likely_helo == "mta.loop.test"' "the greeting's name is the likely HELO"
	expect_jq '[.checks[] | select(.id == "smtp.relay")][0].data.transcript | map(select(startswith("C: DATA"))) | length == 0' "never DATA"
	expect_jq '[.checks[] | select(.id == "smtp.relay")][0].data.transcript | any(. == "C: QUIT")' "QUIT sent"
	expect_jq '[.checks[] | select(.id == "smtp.mx_tls")][0].data.hosts[0].host == "mta.loop.test"'

	case_ "the same server, the test CA not trusted: the chain does not verify"
	probe open-untrusted 127.0.0.2 "$P"
	expect smtp.starttls warn
	why smtp.starttls 'chain does not verify'
	expect smtp.mx_tls warn
	expect_rc 2

	case_ "--helo other than the greeting's name: smtp.banner warns"
	SSL_CERT_FILE=$C/ca.pem probe open-helo 127.0.0.2 "$P" --helo out.loop.test
	expect smtp.banner warn
	why smtp.banner 'names mta.loop.test, not the HELO name'
	pf_stop open

	# ------------------------------------------------------------ Postfix: locked down, self-signed
	pf_start locked 127.0.0.2 "myhostname = mta.loop.test" "mynetworks = 127.0.0.9/32" \
		"smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
		"smtpd_tls_security_level = may" "smtpd_tls_cert_file = $C/self.pem" "smtpd_tls_key_file = $C/self.key"
	P=$PF_PORT
	case_ "Postfix locked down, self-signed certificate"
	SSL_CERT_FILE=$C/ca.pem probe locked 127.0.0.2 "$P"
	expect smtp.banner pass
	expect smtp.starttls warn
	why smtp.starttls 'self-signed'
	expect smtp.relay pass
	why smtp.relay 'refuses to relay.*554.*RCPT TO'
	expect smtp.auth pass
	expect smtp.mx_tls warn
	why smtp.mx_tls 'mta.loop.test: a self-signed certificate'
	expect_rc 1
	remedies_ok
	pf_stop locked

	# ------------------------------------------------------------ Postfix relays to receive
	for mode in encrypt none; do
		case_ "Postfix relays a message to senderaudit receive (smtp_tls_security_level = $mode)"
		RPORT=$(free_port)
		"$BIN" receive --listen 127.0.0.1:"$RPORT" --timeout 40 --format json --resolver "$R" \
			--skip rdap,dnsbl --save "$TMP/rx-$mode.eml" >"$TMP/rx-$mode.json" 2>"$TMP/rx-$mode.err" &
		RX=$!
		port_up 127.0.0.1 "$RPORT" || bad "$CASE: receive does not listen"
		pf_start "out-$mode" 127.0.0.3 "myhostname = out.loop.test" "mynetworks = 127.0.0.0/8" \
			"relayhost = [127.0.0.1]:$RPORT" "smtp_bind_address = 127.0.0.3" \
			"smtp_tls_security_level = $mode" "smtpd_relay_restrictions = permit_mynetworks, reject"
		swaks --server 127.0.0.3:"$PF_PORT" --helo client.loop.test --from bounces@loop.test \
			--to someone@elsewhere.test --header "From: Sender <news@loop.test>" \
			--header "Subject: wire test $mode" --body "Hello over the wire." >"$TMP/swaks-$mode.log" 2>&1 ||
			bad "$CASE: swaks could not hand the message to Postfix: $(tail -c 300 "$TMP/swaks-$mode.log")"
		for _ in $(seq 1 300); do kill -0 $RX 2>/dev/null || break; sleep 0.1; done
		kill $RX 2>/dev/null
		wait $RX
		RC=$?
		OUT=$TMP/rx-$mode.json
		/usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema" && ok ||
			bad "$CASE: report not schema-valid: $(head -c 300 "$TMP/schema") (stderr: $(head -c 300 "$TMP/rx-$mode.err"); postfix: $(tail -c 300 "$TMP/pf-out-$mode/maillog"))"
		expect_jq '.received.client_ip == "127.0.0.3" and .target.ip == "127.0.0.3"' "the client's IP is the audited IP"
		expect_jq '.received.helo == "out.loop.test" and .target.helo == "out.loop.test"' "Postfix's EHLO name is the HELO"
		expect_jq '.received.mail_from == "bounces@loop.test" and .target.mail_from_domain == "loop.test"'
		expect_jq '.target.domain == "loop.test"' "the From: domain is the audited domain"
		if [ $mode = encrypt ]; then
			expect_jq '.received.starttls == true and (.received.tls_version | test("^TLSv1\\.[23]$"))' "STARTTLS and its version"
		else
			expect_jq '.received.starttls == false and .received.tls_version == null' "no STARTTLS"
		fi
		for id in rdns.ptr rdns.fcrdns helo.syntax helo.resolves helo.matches spf.pass; do expect $id pass; done
		expect_jq '[.checks[] | select(.category == "rdap" or .category == "dnsbl") | .status] | all(. == "skip")'
		# the message itself is audited as --message audits one
		expect_jq '.target.message.file == "(received over SMTP)" and .target.message.from_domain == "loop.test"' "the message audit's target"
		expect_jq '.target.sources.ip == "smtp" and .target.sources.helo == "smtp" and .target.sources.mail_from == "smtp" and .target.sources.domain == "from"' "the sources: the wire, and From: for DOMAIN"
		for id in message.from message.msgid message.date message.lines message.headers; do expect $id pass; done
		expect_jq '[.checks[] | select(.id == "message.dkim" or .id == "message.dmarc") | .status] | all(. != "skip")' "DKIM and DMARC of the message judged"
		grep -q "^Subject: wire test $mode" "$TMP/rx-$mode.eml" && ok || bad "$CASE: --save did not write the message"
		grep -q "^Received: from client.loop.test" "$TMP/rx-$mode.eml" && ok || bad "$CASE: the saved message is not Postfix's"
		case $RC in 0 | 1 | 2 | 3) ok ;; *) bad "$CASE: exit status $RC" ;; esac
		pf_stop "out-$mode"
	done
else
	case_ "Postfix cases"
	skip_ "they need root and Postfix (make test installs it)"
fi

# ---------------------------------------------------------------- misbehaving servers
case_ "connection dropped after the greeting"
fake drop
probe drop 127.0.0.5 "$FAKE_PORT"
expect smtp.banner pass
for id in smtp.starttls smtp.relay smtp.auth; do expect $id error; done
why smtp.starttls 'stopped at the EHLO'
within 3000
remedies_ok

case_ "a server that accepts and never greets: error, within the step time"
fake stall
probe stall 127.0.0.5 "$FAKE_PORT" --timeout 0.5
for id in smtp.banner smtp.starttls smtp.relay smtp.auth; do expect $id error; done
why smtp.banner 'No greeting.*time limit'
within 6000
expect_rc 3

case_ "a tarpit (greeting after 2 s) is waited for, within the step time (6 x 0.5 s)"
fake tarpit
probe tarpit 127.0.0.5 "$FAKE_PORT" --timeout 0.5
expect smtp.banner pass
expect smtp.starttls warn
expect smtp.relay pass
expect smtp.auth pass

case_ "a garbage greeting: not SMTP"
fake garbage
probe garbage 127.0.0.5 "$FAKE_PORT"
expect smtp.banner fail
why smtp.banner 'does not speak SMTP.*not an SMTP reply'
for id in smtp.starttls smtp.relay smtp.auth; do expect $id error; done

case_ "a greeting of 10 MB of continuation lines: bounded"
fake flood
probe flood 127.0.0.5 "$FAKE_PORT"
expect smtp.banner fail
why smtp.banner 'more than 200 lines'
within 3000
FLOOD_RSS=$RSS
case_ "an EHLO reply of 10 MB of continuation lines: bounded"
fake floodehlo
probe floodehlo 127.0.0.5 "$FAKE_PORT"
expect smtp.banner pass
expect smtp.starttls error
why smtp.starttls 'more than 200 lines'
within 3000
case_ "the floods cost no more memory than a small answer"
fake refuse
probe refuse 127.0.0.5 "$FAKE_PORT"
[ "$FLOOD_RSS" -le $((RSS + 20 * 1024)) ] && ok || bad "$CASE: flood peaked at $FLOOD_RSS KiB, a short answer at $RSS KiB"

case_ "a greeting of 554: fail, the other checks could not run"
expect smtp.banner fail
why smtp.banner 'refuses every session.*554'
for id in smtp.starttls smtp.relay smtp.auth; do expect $id error; done

case_ "a greeting of 421: error (try later)"
fake busy
probe busy 127.0.0.5 "$FAKE_PORT"
expect smtp.banner error
expect_rc 3

case_ "STARTTLS accepted, then no handshake: error with the reason, in time"
fake notls
probe notls 127.0.0.5 "$FAKE_PORT" --timeout 0.5
expect smtp.starttls error
why smtp.starttls 'no TLS handshake'
expect smtp.banner pass
within 8000

case_ "TLS 1.0 only: warn"
fake tls10 "$C/odd.pem" "$C/odd.key"
SSL_CERT_FILE=$C/ca.pem probe tls10 127.0.0.5 "$FAKE_PORT"
expect smtp.starttls warn
why smtp.starttls 'TLSv1 only'
expect_jq '[.checks[] | select(.id == "smtp.starttls")][0].data.tls.version == "TLSv1"'

case_ "an expired certificate: fail"
fake tls "$C/old.pem" "$C/odd.key"
SSL_CERT_FILE=$C/ca.pem probe expired 127.0.0.5 "$FAKE_PORT"
expect smtp.starttls fail
why smtp.starttls 'expired on 2020-02-01'
expect smtp.relay pass

case_ "a certificate that expires in 5 days: warn"
fake tls "$C/soon.pem" "$C/odd.key"
SSL_CERT_FILE=$C/ca.pem probe soon 127.0.0.5 "$FAKE_PORT"
expect smtp.starttls warn
why smtp.starttls 'expires in [45] days'

case_ "a valid certificate on the misbehaving server's own name: pass (positive control)"
fake tls "$C/odd.pem" "$C/odd.key"
SSL_CERT_FILE=$C/ca.pem probe goodtls 127.0.0.5 "$FAKE_PORT"
expect smtp.starttls pass
case_ "MX hosts: one valid, one without an address (not counted)"
SSL_CERT_FILE=$C/ca.pem run mxok --timeout $T --only smtp.mx_tls --smtp --smtp-port "$FAKE_PORT" 127.0.0.5 odd-mx.loop.test
expect smtp.mx_tls pass
expect_jq '[.checks[] | select(.id == "smtp.mx_tls")][0].data.hosts | map(.verdict) == ["valid", "no address"]'

case_ "AUTH PLAIN LOGIN before STARTTLS: warn"
fake auth "$C/odd.pem" "$C/odd.key"
probe auth 127.0.0.5 "$FAKE_PORT"
expect smtp.auth warn
why smtp.auth 'AUTH PLAIN LOGIN before STARTTLS'

case_ "MX host that drops the connection: error, not pass"
fake drop
run mxdrop --timeout $T --only smtp.mx_tls --smtp --smtp-port "$FAKE_PORT" 127.0.0.5 odd-mx.loop.test
expect smtp.mx_tls error
expect_rc 3
[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null

# ---------------------------------------------------------------- receive
# rx_start NAME ARGS: receive in the background (RX, RPORT); rx_wait: its end (RC, MS, RSS)
rx_start() {
	local n=$1
	shift
	RPORT=$(free_port)
	RXOUT=$TMP/rx-$n.json
	RXERR=$TMP/rx-$n.err
	RX_T0=$(date +%s%N)
	/usr/bin/python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[4:], stdout=open(sys.argv[1], "wb"), stderr=open(sys.argv[2], "wb"))
open(sys.argv[3], "w").write("%d %d\n" % (rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))' \
		"$RXOUT" "$RXERR" "$TMP/rx-$n.rc" "$BIN" receive --listen 127.0.0.1:"$RPORT" --resolver "$R" \
		--format json --skip rdap,dnsbl "$@" &
	RX=$!
	port_up 127.0.0.1 "$RPORT" || bad "$CASE: receive does not listen"
}
rx_wait() {
	wait $RX
	MS=$((($(date +%s%N) - RX_T0) / 1000000))
	read -r RC RSS <"$TMP/rx-$1.rc"
	OUT=$RXOUT
	if ! grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$RXERR"; then ok; else
		bad "$CASE: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$RXERR")"
	fi
}

case_ "receive: swaks with STARTTLS"
rx_start swaks --timeout 20 --save "$TMP/swaks.eml"
swaks --server 127.0.0.1:"$RPORT" --tls --helo out.loop.test --from bounces@loop.test --to x@y.test \
	--header "From: <news@loop.test>" >"$TMP/swaks.log" 2>&1 || bad "$CASE: swaks failed: $(tail -c 300 "$TMP/swaks.log")"
rx_wait swaks
/usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema" && ok || bad "$CASE: not schema-valid: $(head -c 300 "$TMP/schema") $(head -c 300 "$RXERR")"
expect_jq '.received.starttls and .received.helo == "out.loop.test" and .received.client_ip == "127.0.0.1" and .received.rcpt_count == 1'
expect_jq '.target.helo == "out.loop.test" and .target.domain == "loop.test"'
expect helo.syntax pass
grep -q '^From: <news@loop.test>' "$TMP/swaks.eml" && ok || bad "$CASE: --save wrote no message"
grep -q 'never relayed' "$TMP/swaks.log" && ok || bad "$CASE: the greeting does not say it never relays"
within 20000

case_ "receive: swaks without STARTTLS, HELO, a null sender; text report"
RPORT=$(free_port)
mkdir "$TMP/cwd"
(cd "$TMP/cwd" && exec "$BIN" receive --listen 127.0.0.1:"$RPORT" --timeout 20 --resolver "$R" --only rdns,helo.syntax) \
	>"$TMP/rx-text.txt" 2>"$TMP/rx-text.err" &
RX=$!
port_up 127.0.0.1 "$RPORT" || bad "$CASE: receive does not listen"
swaks --server 127.0.0.1:"$RPORT" --protocol SMTP --helo out.loop.test --from '<>' --to x@y.test \
	--header "From: <news@loop.test>" >"$TMP/swaks2.log" 2>&1 || bad "$CASE: swaks failed: $(tail -c 300 "$TMP/swaks2.log")"
wait $RX
grep -q '^received .* from 127.0.0.1 port [0-9]*: HELO out.loop.test, no STARTTLS, MAIL FROM <>, 1 recipient' "$TMP/rx-text.txt" && ok ||
	bad "$CASE: text report: $(head -3 "$TMP/rx-text.txt")"
[ -z "$(ls -A "$TMP/cwd")" ] && ok || bad "$CASE: receive left files without --save: $(ls -A "$TMP/cwd")"

case_ "receive: hostile clients while a good one delivers: bounded time and memory, each a clear outcome"
rx_start hostile --timeout 30
HOSTILE="longline rcpts junk dataend slow tlsreset"
for m in $HOSTILE; do
	/usr/bin/python3 "$ROOT/tests/smtp-hostile.py" $m 127.0.0.1 "$RPORT" >"$TMP/h-$m.log" 2>&1 &
done
sleep 3
swaks --server 127.0.0.1:"$RPORT" --helo out.loop.test --from bounces@loop.test --to x@y.test \
	--header "From: <news@loop.test>" >"$TMP/swaks3.log" 2>&1 || bad "$CASE: the good client failed: $(tail -c 300 "$TMP/swaks3.log")"
rx_wait hostile
wait
within 15000
case $RC in 0 | 1 | 2 | 3) ok ;; *) bad "$CASE: exit status $RC" ;; esac
expect_jq '.received.helo == "out.loop.test"' "the good message was audited"
grep -q 'Line too long\|line longer' "$TMP/h-longline.log" "$RXERR" && ok || bad "$CASE: longline: $(cat "$TMP/h-longline.log")"
grep -q 'too many errors' "$RXERR" && ok || bad "$CASE: the 100,000 RCPTs did not end in 'too many errors': $(cat "$TMP/h-rcpts.log")"
grep -q 'in DATA, after 10485760 bytes' "$RXERR" && ok || bad "$CASE: the endless DATA was not cut at 10 MiB: $(cat "$RXERR")"
for m in $HOSTILE; do
	grep -q '^closed after' "$TMP/h-$m.log" && ok || bad "$CASE: $m did not end: $(cat "$TMP/h-$m.log")"
done
# resets after STARTTLS must not kill it with SIGPIPE (OpenSSL writes without MSG_NOSIGNAL)
grep -q '20 resets sent' "$TMP/h-tlsreset.log" && ok || bad "$CASE: tlsreset: $(cat "$TMP/h-tlsreset.log")"
[ "$RSS" -le $((400 * 1024)) ] && ok || bad "$CASE: receive peaked at $RSS KiB"

case_ "receive: only hostile clients: no message, exit 3, within --timeout"
rx_start only-hostile --timeout 4
/usr/bin/python3 "$ROOT/tests/smtp-hostile.py" slow 127.0.0.1 "$RPORT" >"$TMP/h-slow2.log" 2>&1 &
/usr/bin/python3 "$ROOT/tests/smtp-hostile.py" dataend 127.0.0.1 "$RPORT" >"$TMP/h-data2.log" 2>&1 &
rx_wait only-hostile
wait
expect_rc 3
within 8000
grep -q 'no message received within 4 s' "$RXERR" && ok || bad "$CASE: $(cat "$RXERR")"
grep -q 'the receive time is over' "$RXERR" && ok || bad "$CASE: sessions not closed at the end: $(cat "$RXERR")"

case_ "receive: usage errors and a port in use"
"$BIN" receive 192.0.2.1 example.com >/dev/null 2>"$TMP/u1"
RC=$?
expect_rc 64
"$BIN" --listen 127.0.0.1:25 192.0.2.1 example.com >/dev/null 2>"$TMP/u2"
RC=$?
expect_rc 64
grep -q 'option of the receive subcommand' "$TMP/u2" && ok || bad "$CASE: $(cat "$TMP/u2")"
"$BIN" receive --tls-cert "$C/mta.pem" >/dev/null 2>&1
RC=$?
expect_rc 64
"$BIN" receive --listen localhost:25 >/dev/null 2>&1
RC=$?
expect_rc 64
/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1); print(s.getsockname()[1], flush=True); time.sleep(10)' >"$TMP/busy.port" &
for _ in $(seq 1 50); do [ -s "$TMP/busy.port" ] && break; sleep 0.1; done
"$BIN" receive --listen 127.0.0.1:"$(cat "$TMP/busy.port")" --timeout 2 >/dev/null 2>"$TMP/u3"
RC=$?
expect_rc 3
grep -q 'cannot listen on 127.0.0.1 port' "$TMP/u3" && ok || bad "$CASE: $(cat "$TMP/u3")"

finish smtp
