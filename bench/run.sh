#!/usr/bin/env bash
# run.sh BUILDDIR: `make bench`. Starts NSD on loopback with the test zones
# and a forwarder that delays every answer, then runs the measurements.
set -u
B=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
nsd_start "$ROOT/testdata/zones" || exit 1
FWD_PID=
trap 'nsd_stop; [ -n "$FWD_PID" ] && kill $FWD_PID 2>/dev/null' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo
echo "== DNS layer: distinct lookups straight against NSD"
"$B/bench/dnsbench" "127.0.0.1#$NSD_PORT" 2000
PORTFILE=$(mktemp)
/usr/bin/python3 "$ROOT/bench/delayfwd.py" "$NSD_PORT" 50 300 >"$PORTFILE" &
FWD_PID=$!
for _ in $(seq 1 50); do [ -s "$PORTFILE" ] && break; sleep 0.1; done
echo
echo "== DNS layer: distinct lookups behind a forwarder adding 50 ms to every answer"
"$B/bench/dnsbench" "127.0.0.1#$(cat "$PORTFILE")" 200
rm -f "$PORTFILE"
