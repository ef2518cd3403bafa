# SPDX-License-Identifier: ISC
# nsd.sh: start and stop a real NSD serving testdata/zones on a free loopback
# port. Sourced by the tests and by `make demo`; needs bash.
#   nsd_start ZONEDIR  -> sets NSD_PORT, NSD_DIR; returns non-zero on failure
#   nsd_stop

free_port() {
	# A port free for both UDP and TCP (NSD listens on both); retried,
	# since another process may hold the TCP side of a free UDP port.
	/usr/bin/python3 -c 'import socket
for _ in range(50):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break'
}

nsd_start() {
	local zonedir tries=0
	zonedir=$(cd "$1" && pwd) || return 1
	NSD_DIR=$(mktemp -d /tmp/senderaudit-nsd.XXXXXX) || return 1
	while :; do
		NSD_PORT=$(free_port) || return 1
		{
			cat <<CONF
server:
	ip-address: 127.0.0.1@$NSD_PORT
	ip-address: ::1@$NSD_PORT
	port: $NSD_PORT
	username: ""
	chroot: ""
	zonesdir: "$zonedir"
	database: ""
	zonelistfile: "$NSD_DIR/zone.list"
	xfrdfile: "$NSD_DIR/xfrd.state"
	xfrdir: "$NSD_DIR"
	pidfile: "$NSD_DIR/nsd.pid"
	logfile: "$NSD_DIR/nsd.log"
	server-count: 1
	verbosity: 1
	hide-version: yes
	# NSD answers one client about 200 times a second by default; an
	# audit's burst of queries must not be dropped.
	rrl-ratelimit: 0
remote-control:
	control-enable: no
CONF
			for z in "$zonedir"/*.zone; do
				n=$(basename "$z" .zone)
				[ "$n" = root ] && n=.   # root.zone: the root zone
				printf 'zone:\n\tname: "%s"\n\tzonefile: "%s"\n' "$n" "$z"
			done
			if [ -f "$zonedir/servfail.list" ]; then
				grep -v '^#' "$zonedir/servfail.list" | while read -r n; do
					[ -n "$n" ] && printf 'zone:\n\tname: "%s"\n\tzonefile: "%s/missing-%s.zone"\n' "$n" "$NSD_DIR" "$n"
				done
			fi
		} > "$NSD_DIR/nsd.conf"
		/usr/sbin/nsd -c "$NSD_DIR/nsd.conf" -P "$NSD_DIR/nsd.pid" 2>>"$NSD_DIR/nsd.log"
		# Wait until it answers for one of its zones (they load in a
		# fraction of a second).
		local i probe
		probe=$(basename "$(ls "$zonedir"/*.zone | head -n 1)" .zone)
		for i in $(seq 1 50); do
			# ... and it is ours: two suites may have drawn the same free
			# port, and then the answer came from the other one's NSD
			# (ours failed to bind and is gone)
			if [ -n "$(dig +short +tries=1 +time=1 -p "$NSD_PORT" @127.0.0.1 SOA "$probe" 2>/dev/null)" ] &&
				[ -s "$NSD_DIR/nsd.pid" ] && kill -0 "$(cat "$NSD_DIR/nsd.pid")" 2>/dev/null; then
				return 0
			fi
			sleep 0.1
		done
		nsd_stop
		tries=$((tries + 1))
		if [ $tries -ge 3 ]; then
			echo "nsd did not start; its log:" >&2
			cat "$NSD_DIR/nsd.log" >&2 2>/dev/null
			return 1
		fi
		NSD_DIR=$(mktemp -d /tmp/senderaudit-nsd.XXXXXX) || return 1
	done
}

nsd_stop() {
	if [ -n "${NSD_DIR:-}" ] && [ -f "$NSD_DIR/nsd.pid" ]; then
		local pid
		pid=$(cat "$NSD_DIR/nsd.pid")
		kill "$pid" 2>/dev/null
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	[ -n "${NSD_DIR:-}" ] && rm -rf "$NSD_DIR"
	NSD_DIR=
}

# suite_start NAME: the usual set-up of a suite run from tests/: NSD on
# testdata/zones (R = its address), a scratch directory TMP, and an EXIT
# trap that stops NSD and every background job and removes TMP. Exits with
# the suite's result line when NSD does not start. Needs ROOT.
suite_start() {
	TMP=$(mktemp -d "/tmp/senderaudit-$1.XXXXXX") || exit 1
	trap 'nsd_stop; j=$(jobs -p); [ -n "$j" ] && kill $j 2>/dev/null; rm -rf "$TMP"' EXIT
	if ! nsd_start "$ROOT/testdata/zones"; then
		echo "$1: 0 passed, 1 failed"
		exit 1
	fi
	R="127.0.0.1#$NSD_PORT"
}

# silent_resolver_start: a UDP port on 127.0.0.1 that receives queries and
# never answers (for timeouts); sets SILENT ("127.0.0.1#PORT") and
# SILENT_PID. Needs TMP.
silent_resolver_start() {
	/usr/bin/python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
time.sleep(120)' >"$TMP/silent.port" &
	SILENT_PID=$!
	for _ in $(seq 1 50); do [ -s "$TMP/silent.port" ] && break; sleep 0.1; done
	SILENT="127.0.0.1#$(cat "$TMP/silent.port")"
}
