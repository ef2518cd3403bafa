# SPDX-License-Identifier: ISC
# posture.sh: what the domain family needs to be seen working, for
# suite_domain.sh and `make demo`. Sourced; needs bash and openssl. Both run
# it in network and mount namespaces of their own (unshare -n -m, root):
# the names of testdata/zones/posture.test.zone point at 127.0.0.1, where
# the HTTPS server listens on port 443.
#
#   posture_certs DIR: in DIR, a test CA (ca.pem), the HTTPS server's
#     certificate for every mta-sts.* and bimi.posture.test name (srv.pem),
#     one for mta-sts.tlsbad.posture.test that chains to nothing trusted
#     (untrusted.pem), and BIMI mark certificates for posture.test: issued
#     by the test CA (vmc.pem), by another CA (unknownca.pem), and expired
#     in 2021 (expired.pem).
#   posture_trust DIR: bind-mounts DIR/ca.pem over the system's trust bundle,
#     in the calling mount namespace only: libcurl and OpenSSL's default
#     paths then trust the test CA and nothing else. Nothing in senderaudit
#     trusts another CA or relaxes TLS.
#   posture_www DIR WWW: the files of the well-run posture.test in WWW (its
#     MTA-STS policy, its SVG logo, its mark certificate), and the same
#     policy for nomatch.posture.test, whose MX host it does not name.
#   posture_server_start DIR WWW: tests/https-server.py on 127.0.0.1:443;
#     sets POSTURE_PID; its log of requests is DIR/https.log.

POSTURE_STS_NAMES="testing nomatch big redirect many badtype invalid notfound slow tlsbad shortage none twotxt"
POSTURE_POLICY='version: STSv1\r\nmode: enforce\r\nmx: mail.posture.test\r\nmax_age: 604800\r\n'
POSTURE_SVG='<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 100 100">
<title>Posture Test</title>
<circle cx="50" cy="50" r="40" fill="#0a7"/>'

posture_certs() (
	set -e
	cd "$1"
	ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	mkcert() { openssl req $ec -subj "$2" -keyout "$1.key" -out "$1.csr"; }
	mkca() {
		openssl req -x509 $ec -days 30 -subj "/CN=$2" -addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign -keyout "$1.key" -out "$1.pem"
	}
	sign() { openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days "$4" -extfile "$3" -out "$1.pem"; }
	mkca ca "senderaudit test CA"
	mkca markca "senderaudit test mark CA"
	sans="DNS:mta-sts.posture.test,DNS:bimi.posture.test"
	for n in $POSTURE_STS_NAMES; do sans="$sans,DNS:mta-sts.$n.posture.test"; done
	printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$sans" >srv.ext
	mkcert srv /CN=mta-sts.posture.test
	sign srv ca srv.ext 2
	openssl req -x509 $ec -days 2 -subj /CN=mta-sts.tlsbad.posture.test \
		-addext subjectAltName=DNS:mta-sts.tlsbad.posture.test -keyout untrusted.key -out untrusted.pem
	# mark certificates: the BIMI key usage, the domain, a logotype extension
	printf 'extendedKeyUsage=1.3.6.1.5.5.7.3.31\nsubjectAltName=DNS:posture.test\nbasicConstraints=CA:FALSE\n1.3.6.1.5.5.7.1.12=DER:30:00\n' >vmc.ext
	mkcert vmc "/CN=Posture Test Brand"
	sign vmc ca vmc.ext 30
	mkcert unknownca "/CN=Posture Test Brand"
	sign unknownca markca vmc.ext 30
	# an expired one: openssl ca can date a certificate in the past
	mkdir -p newcerts && : >index.txt && echo 1000 >serial
	printf '[ca]\ndefault_ca=t\n[t]\ndir=.\ndatabase=index.txt\nnew_certs_dir=newcerts\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n' >ca.cnf
	mkcert expired "/CN=Posture Test Brand"
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem -notext \
		-startdate 20200101000000Z -enddate 20210101000000Z -extfile vmc.ext
) >"$1/certs.log" 2>&1

posture_trust() {
	mount --bind "$1/ca.pem" /etc/ssl/certs/ca-certificates.crt
}

posture_www() {
	local w=$2
	mkdir -p "$w/mta-sts.posture.test/.well-known" "$w/mta-sts.nomatch.posture.test/.well-known" "$w/bimi.posture.test"
	printf '%b' "$POSTURE_POLICY" >"$w/mta-sts.posture.test/.well-known/mta-sts.txt"
	printf '%b' "$POSTURE_POLICY" >"$w/mta-sts.nomatch.posture.test/.well-known/mta-sts.txt"
	printf '%s\n</svg>\n' "$POSTURE_SVG" >"$w/bimi.posture.test/logo.svg"
	cp "$1/vmc.pem" "$w/bimi.posture.test/vmc.pem"
}

posture_server_start() {
	local i
	rm -f "$1/https.port"
	/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/https-server.py" "$2" "$1/srv.pem" "$1/srv.key" \
		"$1/https.port" "$1/https.log" --sni mta-sts.tlsbad.posture.test "$1/untrusted.pem" "$1/untrusted.key" \
		2>"$1/https.err" &
	POSTURE_PID=$!
	for i in $(seq 1 100); do
		[ -s "$1/https.port" ] && return 0
		sleep 0.1
	done
	echo "the HTTPS server did not start: $(head -c 400 "$1/https.err")" >&2
	return 1
}
