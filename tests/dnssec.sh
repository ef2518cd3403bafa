# SPDX-License-Identifier: ISC
# dnssec.sh: signed test zones and a validating Unbound in front of NSD, for
# suite_domain.sh and `make demo`. Sourced; needs bash, ldnsutils (ldns-keygen,
# ldns-signzone), unbound and dig. Keys are generated on every run.
#
#   dnssec_zones ZONEDIR KEYDIR: writes the sec.test zones into ZONEDIR (and
#     adds broken.sec.test to its servfail.list); KEYDIR gets the keys and
#     KEYDIR/anchor.key, the trust anchor (the DNSKEY of sec.test's KSK).
#   unbound_start NSD_PORT KEYDIR: a validating Unbound on a free loopback
#     port that forwards everything to NSD and trusts only KEYDIR/anchor.key;
#     sets UNBOUND_PORT, UNBOUND_PID. Never the system service.
#   unbound_stop
#
# The zones (every child delegated from sec.test, which is signed):
#   signed.sec.test    signed, DS at the parent; MX host with TLSA 3 1 1
#   expired.sec.test   signed, DS at the parent, signatures expired in 2020
#   wrongds.sec.test   signed, but the parent's DS is for another key
#   island.sec.test    signed, no DS at the parent
#   unsigned.sec.test  not signed, no DS
#   dsnokey.sec.test   a DS at the parent, but the zone is not signed
#   broken.sec.test    a DS at the parent; NSD cannot load the zone (SERVFAIL)
#   danepkix.sec.test  signed; its MX host's only TLSA is PKIX-EE (1 1 1)
#   danehalf.sec.test  signed; two MX hosts, TLSA for one

DNSSEC_TLSA_HASH=8755cdaa8fe24ef16cc0f2c918063185e433faaf1415664911d9e30a924138c4

# dnssec_keys KEYDIR NAME -> "KSKBASE ZSKBASE" (file names without .key)
dnssec_keys() {
	local ksk zsk
	ksk=$(cd "$1" && ldns-keygen -a ECDSAP256SHA256 -k "$2") || return 1
	zsk=$(cd "$1" && ldns-keygen -a ECDSAP256SHA256 "$2") || return 1
	echo "$1/$ksk $1/$zsk"
}

dnssec_child() { # dnssec_child ZONEDIR NAME BODY: an unsigned child zone file
	{
		printf '$ORIGIN %s.\n$TTL 300\n@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n@ IN NS ns.test.\n' "$2"
		printf '%s\n' "$3"
	} >"$1/$2.zone"
}

dnssec_zones() {
	local zd=$1 kd=$2 name keys ksk zsk stranger
	mkdir -p "$kd" || return 1
	local mx='@ IN MX 10 mx
@ IN TXT "v=spf1 -all"
mx IN A 192.0.2.31'
	dnssec_child "$zd" signed.sec.test "$mx
_25._tcp.mx IN TLSA 3 1 1 $DNSSEC_TLSA_HASH"
	dnssec_child "$zd" expired.sec.test "$mx"
	dnssec_child "$zd" wrongds.sec.test "$mx"
	dnssec_child "$zd" island.sec.test "$mx"
	dnssec_child "$zd" unsigned.sec.test "$mx"
	dnssec_child "$zd" dsnokey.sec.test "$mx"
	dnssec_child "$zd" danepkix.sec.test "$mx
_25._tcp.mx IN TLSA 1 1 1 $DNSSEC_TLSA_HASH"
	dnssec_child "$zd" danehalf.sec.test '@ IN MX 10 mx1
@ IN MX 20 mx2
mx1 IN A 192.0.2.31
mx2 IN A 192.0.2.31
_25._tcp.mx1 IN TLSA 3 1 1 '"$DNSSEC_TLSA_HASH"
	local parent="$zd/sec.test.zone"
	printf '$ORIGIN sec.test.\n$TTL 300\n@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n@ IN NS ns.test.\n' >"$parent"
	for name in signed expired wrongds island unsigned dsnokey broken danepkix danehalf; do
		echo "$name IN NS ns.test." >>"$parent"
	done
	for name in signed expired wrongds island danepkix danehalf; do
		keys=$(dnssec_keys "$kd" $name.sec.test) || return 1
		read -r ksk zsk <<<"$keys"
		if [ $name = expired ]; then
			ldns-signzone -i 20200101000000 -e 20200201000000 -f "$zd/$name.sec.test.zone.signed" \
				"$zd/$name.sec.test.zone" "$ksk" "$zsk" || return 1
		else
			ldns-signzone -f "$zd/$name.sec.test.zone.signed" "$zd/$name.sec.test.zone" "$ksk" "$zsk" || return 1
		fi
		mv "$zd/$name.sec.test.zone.signed" "$zd/$name.sec.test.zone"
		case $name in
		island) ;;
		wrongds)
			stranger=$(dnssec_keys "$kd" $name.sec.test) || return 1
			cat "${stranger%% *}.ds" >>"$parent"
			;;
		*) cat "$ksk.ds" >>"$parent" ;;
		esac
	done
	# DS records for zones that are not signed (or cannot be loaded)
	for name in dsnokey broken; do
		keys=$(dnssec_keys "$kd" $name.sec.test) || return 1
		cat "${keys%% *}.ds" >>"$parent"
	done
	echo broken.sec.test >>"$zd/servfail.list"
	keys=$(dnssec_keys "$kd" sec.test) || return 1
	read -r ksk zsk <<<"$keys"
	ldns-signzone -f "$parent.signed" "$parent" "$ksk" "$zsk" || return 1
	mv "$parent.signed" "$parent"
	cp "$ksk.key" "$kd/anchor.key"
}

unbound_start() {
	local nsd_port=$1 kd=$2 i
	UNBOUND_DIR=$(mktemp -d /tmp/senderaudit-unbound.XXXXXX) || return 1
	UNBOUND_PORT=$(free_port) || return 1
	cat >"$UNBOUND_DIR/unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: $UNBOUND_PORT
	do-ip6: no
	username: ""
	chroot: ""
	directory: "$UNBOUND_DIR"
	pidfile: "$UNBOUND_DIR/unbound.pid"
	logfile: "$UNBOUND_DIR/unbound.log"
	use-syslog: no
	do-daemonize: no
	verbosity: 1
	val-log-level: 2
	access-control: 127.0.0.0/8 allow
	# NSD is on loopback, and the test names are in unbound's default
	# local zones (test., the TEST-NET reverse zones)
	do-not-query-localhost: no
	local-zone: "test." nodefault
	local-zone: "2.0.192.in-addr.arpa." nodefault
	trust-anchor-file: "$kd/anchor.key"
	# answers change between cases: no caching of failures for long
	infra-host-ttl: 1
	val-bogus-ttl: 1
forward-zone:
	name: "."
	forward-addr: 127.0.0.1@$nsd_port
remote-control:
	control-enable: no
CONF
	/usr/sbin/unbound -c "$UNBOUND_DIR/unbound.conf" 2>>"$UNBOUND_DIR/unbound.err" &
	UNBOUND_PID=$!
	for i in $(seq 1 50); do
		if [ -n "$(dig +short +tries=1 +time=1 -p "$UNBOUND_PORT" @127.0.0.1 SOA sec.test 2>/dev/null)" ]; then
			return 0
		fi
		sleep 0.1
	done
	echo "unbound did not start: $(head -c 600 "$UNBOUND_DIR"/unbound.{log,err} 2>/dev/null)" >&2
	return 1
}

unbound_stop() {
	[ -n "${UNBOUND_PID:-}" ] && kill "$UNBOUND_PID" 2>/dev/null && wait "$UNBOUND_PID" 2>/dev/null
	[ -n "${UNBOUND_DIR:-}" ] && rm -rf "$UNBOUND_DIR"
	UNBOUND_PID=
	UNBOUND_DIR=
}
