#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_dns_layer.sh SENDERAUDIT: lib/dns itself, through tests/tools/dnsq,
# against the loopback fake server: identical lookups merge, retries and
# timeouts are counted, truncation goes to TCP, per-zone limits hold, the
# cache keeps answers for their TTL (negative ones for their SOA's) and
# holds its size.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DNSQ=${SA_TOOLS:-$(dirname "$BIN")/tests/tools}/dnsq
source "$ROOT/tests/harness.sh"
TMP=$(mktemp -d /tmp/senderaudit-dnsl.XXXXXX)
/usr/bin/python3 "$ROOT/tests/fakedns.py" 300 >"$TMP/port" 2>"$TMP/fakedns.log" &
FAKE_PID=$!
trap 'kill $FAKE_PID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
S="127.0.0.1#$(cat "$TMP/port")"
stat() { grep -oE "$1=[0-9]+" "$TMP/out" | cut -d= -f2; }
run() {
	local t0
	t0=$(date +%s%N)
	"$DNSQ" "$S" "$@" >"$TMP/out" 2>&1
	MS=$((($(date +%s%N) - t0) / 1000000))
}

case_ "identical lookups in flight merge into one query"
args=()
for i in $(seq 1 100); do args+=(ok.fault.test/MX); done
run "${args[@]}"
[ "$(grep -c '^ok.fault.test/MX OK 1$' "$TMP/out")" = 100 ] && ok || bad "$CASE: $(head -n 3 "$TMP/out")"
[ "$(stat sent)" = 1 ] && ok || bad "$CASE: sent $(stat sent)"
[ "$(stat lookups)" = 200 ] && [ "$(stat cache_hits)" = 199 ] && ok || bad "$CASE: cache hits $(stat cache_hits)"

case_ "retries, then TIMEOUT within the budget"
run -t 600 -r 2 silent.fault.test/A
grep -q '^silent.fault.test/A TIMEOUT 0$' "$TMP/out" && ok || bad "$CASE: $(cat "$TMP/out")"
[ "$(stat sent)" = 3 ] && [ "$(stat timeouts)" = 1 ] && ok || bad "$CASE: sent $(stat sent), timeouts $(stat timeouts)"
[ "$MS" -ge 550 ] && [ "$MS" -lt "$(budget 1500)" ] && ok || bad "$CASE: took $MS ms for a 600 ms budget"

case_ "a dropped query is answered on retry"
run -t 900 -r 2 x.dropfirst.fault.test/A
grep -q '^x.dropfirst.fault.test/A OK 1$' "$TMP/out" && ok || bad "$CASE: $(cat "$TMP/out")"

case_ "truncated over UDP: TCP"
run trunc.fault.test/MX bigmx.fault.test/MX
grep -q '^trunc.fault.test/MX OK 1$' "$TMP/out" && grep -q '^bigmx.fault.test/MX OK 300$' "$TMP/out" && ok || bad "$CASE: $(cat "$TMP/out")"
[ "$(stat tcp)" = 2 ] && ok || bad "$CASE: tcp $(stat tcp)"

case_ "all lookups in flight at once"
args=()
for i in $(seq 1 40); do args+=(n$i.slow.fault.test/A); done
run "${args[@]}"
[ "$(grep -c ' OK 1$' "$TMP/out")" = 40 ] && ok || bad "$CASE: answers"
[ "$(stat max_inflight)" = 40 ] && ok || bad "$CASE: at most $(stat max_inflight) in flight"
[ "$MS" -lt "$(budget 1200)" ] && ok || bad "$CASE: 40 lookups of 200 ms took $MS ms"

case_ "a per-zone limit holds"
run -l slow.fault.test 4 "${args[@]}"
[ "$(grep -c ' OK 1$' "$TMP/out")" = 40 ] && ok || bad "$CASE: answers"
[ "$(stat max_inflight)" -le 4 ] && ok || bad "$CASE: at most $(stat max_inflight) in flight, limit 4"
[ "$MS" -ge 1900 ] && ok || bad "$CASE: 40 lookups of 200 ms, 4 at a time, took only $MS ms"

case_ "invalid names never reach the wire"
long=$(printf 'a%.0s' $(seq 1 64))
run "$long.fault.test/A" "a..b.fault.test/A"
[ "$(grep -c ' MALFORMED 0$' "$TMP/out")" = 2 ] && ok || bad "$CASE: $(cat "$TMP/out")"
[ "$(stat sent)" = 0 ] && ok || bad "$CASE: sent $(stat sent)"

# ---------------------------------------------------------------- the cache
case_ "an answer is kept for its TTL: asked again after 1 s, not before"
run ttl1.fault.test/A ok.fault.test/A sleep:300 ttl1.fault.test/A ok.fault.test/A sleep:1200 ttl1.fault.test/A ok.fault.test/A
[ "$(grep -c ' OK 1$' "$TMP/out")" = 6 ] && ok || bad "$CASE: $(head -n 6 "$TMP/out")"
[ "$(stat sent)" = 3 ] && [ "$(stat expired)" = 1 ] && ok || bad "$CASE: sent $(stat sent), expired $(stat expired)"

case_ "negative answers are kept for their SOA's minimum (RFC 2308), not at all without an SOA"
run a.negttl1.fault.test/A a.negttl300.fault.test/A a.nosoa.fault.test/A sleep:1200 \
	a.negttl1.fault.test/A a.negttl300.fault.test/A a.nosoa.fault.test/A
[ "$(grep -c ' NXDOMAIN 0$' "$TMP/out")" = 6 ] && ok || bad "$CASE: $(head -n 6 "$TMP/out")"
# asked again: the 1 s one and the one without SOA
[ "$(stat sent)" = 5 ] && [ "$(stat expired)" = 2 ] && ok || bad "$CASE: sent $(stat sent), expired $(stat expired)"

case_ "failures are kept a few seconds, not for good"
run servfail.fault.test/A sleep:10 servfail.fault.test/A
[ "$(stat sent)" = 1 ] && ok || bad "$CASE: sent $(stat sent)"

case_ "the cache holds its size: the least recently used idle answers go"
run -C 3 a1.ok.fault.test/A a2.ok.fault.test/A a3.ok.fault.test/A sleep:0 a4.ok.fault.test/A a5.ok.fault.test/A \
	sleep:0 a5.ok.fault.test/A a1.ok.fault.test/A
[ "$(grep -c ' OK 1$' "$TMP/out")" = 7 ] && ok || bad "$CASE: $(head -n 7 "$TMP/out")"
# a5 from the cache, a1 asked again
[ "$(stat sent)" = 6 ] && [ "$(stat evicted)" -ge 2 ] && ok || bad "$CASE: sent $(stat sent), evicted $(stat evicted)"

case_ "answers held by a phase are not evicted under it"
args=()
for i in $(seq 1 30); do args+=(h$i.ok.fault.test/A); done
run -C 2 "${args[@]}"
[ "$(grep -c ' OK 1$' "$TMP/out")" = 30 ] && ok || bad "$CASE: $(grep -vc ' OK 1$' "$TMP/out") not OK"
[ "$(stat sent)" = 30 ] && ok || bad "$CASE: sent $(stat sent)"

# ---------------------------------------------------------------- the socket pool
case_ "UDP sockets are reused: 200 lookups, a pool of sockets"
args=()
for i in $(seq 1 200); do args+=(p$i.ok.fault.test/A); done
run "${args[@]}"
[ "$(grep -c ' OK 1$' "$TMP/out")" = 200 ] && ok || bad "$CASE: $(grep -vc ' OK 1$' "$TMP/out") not OK"
[ "$(stat sent)" = 200 ] && [ "$(stat sockets)" -le 8 ] && ok || bad "$CASE: sent $(stat sent) from $(stat sockets) sockets"

case_ "a socket's port is replaced after 256 queries (source ports stay unpredictable)"
args=()
for i in $(seq 1 2200); do args+=(r$i.ok.fault.test/A); done
# 32 at a time, so the Python server keeps up
run -t 5000 -l ok.fault.test 32 "${args[@]}"
[ "$(grep -c ' OK 1$' "$TMP/out")" = 2200 ] && ok || bad "$CASE: $(grep -vc ' OK 1$' "$TMP/out") not OK"
[ "$(stat sockets)" -gt 8 ] && ok || bad "$CASE: only $(stat sockets) sockets for $(stat sent) queries"

case_ "an answer from another source port is not accepted"
run -t 600 -r 0 othersource.fault.test/A
grep -q '^othersource.fault.test/A TIMEOUT 0$' "$TMP/out" && ok || bad "$CASE: $(head -n 1 "$TMP/out")"

case_ "answers with a wrong ID or for another question are not accepted, and said"
run -t 600 -r 0 wrongid.fault.test/A wrongq.fault.test/A ok.fault.test/A
grep -q '^wrongid.fault.test/A TIMEOUT 0$' "$TMP/out" && grep -q '^wrongq.fault.test/A TIMEOUT 0$' "$TMP/out" &&
	grep -q '^ok.fault.test/A OK 1$' "$TMP/out" && ok || bad "$CASE: $(head -n 3 "$TMP/out")"

case_ "a closed port fails at once, for every query that was on its way"
run -t 3000 -r 1 c1.ok.fault.test/A c2.ok.fault.test/A c3.ok.fault.test/A 2>/dev/null
S_SAVE=$S
S="127.0.0.1#9"
run -t 3000 -r 1 c1.ok.fault.test/A c2.ok.fault.test/A c3.ok.fault.test/A
S=$S_SAVE
[ "$(grep -c ' NETWORK 0$' "$TMP/out")" = 3 ] && ok || bad "$CASE: $(head -n 3 "$TMP/out")"
[ "$MS" -lt "$(budget 1000)" ] && ok || bad "$CASE: took $MS ms"

case_ "the fake server stayed healthy"
if ! grep -q Traceback "$TMP/fakedns.log"; then ok; else bad "$CASE: $(head -c 300 "$TMP/fakedns.log")"; fi

finish dns_layer
