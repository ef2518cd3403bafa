#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_rdap_batch.sh SENDERAUDIT: a --batch is a good citizen towards RDAP
# servers (lib/net/httpgate.c): however many audits run at once (--jobs), at most
# 2 requests are in flight to one server, a 429 seen by one audit holds back
# the others' requests for its Retry-After, and a request that cannot get a
# connection within its budget is an error that says so. Measured on the
# server's side: tests/rdap-server.py's /paced/ route counts the requests it
# is serving, /first429/ rate-limits one request. Nothing leaves 127.0.0.1.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
source "$ROOT/tests/rdapsrv.sh"
rdap_suite_start rdap_batch
R="127.0.0.1#$CP" # only rdap checks run: a stray DNS lookup fails fast

# 40 senders on three networks of the test "RIPE" (one server for all).
for i in $(seq 1 14); do
	echo "192.0.2.10 good.test"
	echo "192.0.2.30 good.test"
	[ "$i" -le 12 ] && echo "2001:db8::25 good.test"
done >"$TMP/senders"

# batch BOOTSTRAP-PREFIX [ARGS...]: the rdap.ip.abuse check of every sender,
# 16 at a time; sets RC, OUT (JSON Lines) and MS.
batch() {
	local prefix=$1 t0
	shift
	OUT=$TMP/out.jsonl
	: >"$TMP/log"
	t0=$(date +%s%N)
	"$BIN" --format json --resolver "$R" --only rdap.ip.abuse --jobs 16 --timeout 10 \
		--rdap-bootstrap "http://127.0.0.1:$HP$prefix/boot/" --batch "$TMP/senders" "$@" >"$OUT" 2>"$TMP/err"
	RC=$?
	MS=$((($(date +%s%N) - t0) / 1000000))
}
# all_reports N STATUS: N schema-valid reports, rdap.ip.abuse STATUS in each.
all_reports() {
	local n
	n=$(wc -l <"$OUT")
	[ "$n" = "$1" ] && ok || bad "$CASE: $n reports, want $1 (stderr: $(head -c 300 "$TMP/err"))"
	/usr/bin/python3 "$ROOT/tests/validate-json.py" --lines "$OUT" && ok || bad "$CASE: not schema-valid JSON Lines"
	n=$(jq -r '.checks[] | select(.id == "rdap.ip.abuse") | .status' "$OUT" | grep -c "^$2$")
	[ "$n" = "$1" ] && ok ||
		bad "$CASE: rdap.ip.abuse is $2 in $n reports, want $1: $(jq -r '.checks[] | select(.id == "rdap.ip.abuse" and .status != "'"$2"'") | .detail' "$OUT" | sort | uniq -c | head -3)"
}

case_ "40 senders, --jobs 16: at most 2 requests at once to the RDAP server"
batch /paced
all_reports 40 pass
[ "$RC" = 0 ] && ok || bad "$CASE: exit status $RC"
# 40 networks, every one through /paced/, and the bootstrap file at most once
# per audit (then from the cache)
n=$(grep -c '^paced .*/ip/' "$TMP/log")
[ "$n" = 40 ] && ok || bad "$CASE: $n paced network requests, want 40"
n=$(grep -c '^paced .*/boot/' "$TMP/log")
[ "$n" -ge 1 ] && [ "$n" -le 40 ] && ok || bad "$CASE: $n paced bootstrap requests, want 1 to 40"
max=$(awk '$1 == "paced" { if ($3 > m) m = $3 } END { print m + 0 }' "$TMP/log")
[ "$max" -le 2 ] && ok || bad "$CASE: $max requests were in flight at once to one server, want at most 2"
# and it did use both: 80 requests of 0.1 s one at a time would take 8 s
[ "$max" = 2 ] && ok || bad "$CASE: at the busiest moment $max requests were in flight, want 2"

case_ "the audits of a batch reuse each other's connections (keep-alive across audits)"
# Each audit's struct http borrows the multi handle (and its connection
# cache) an earlier audit gave back: far fewer connections than requests.
reqs=$(grep -c '^/' "$TMP/log")
conns=$(grep -c '^conn ' "$TMP/log")
echo "  $reqs requests over $conns connections"
[ "$conns" -ge 1 ] && [ $((conns * 2)) -le "$reqs" ] && ok ||
	bad "$CASE: $reqs requests over $conns connections, want at most half as many connections"

case_ "a 429 for one request holds back every audit's later requests for its Retry-After"
batch /paced/first429
all_reports 40 pass
t429=$(awk '$1 == "429" { print $2; exit }' "$TMP/log")
if [ -z "$t429" ]; then
	bad "$CASE: the server sent no 429"
else
	ok
	# A request already on its way when the 429 left may arrive just
	# after it (GRACE s; more under valgrind, which is slow to read the
	# 429); none may start after that until the second is over.
	grace=0.1
	[ -n "${SA_SLOW:-}" ] && grace=0.5
	during() { awk -v t="$t429" -v g="$grace" '$1 == "paced" && $2 > t + g && $2 < t + 0.95' "$TMP/log"; }
	early=$(during | wc -l)
	[ "$early" = 0 ] && ok || bad "$CASE: $early requests during the back-off: $(during | head -3)"
	later=$(awk -v t="$t429" '$1 == "paced" && $2 >= t + 0.95' "$TMP/log" | wc -l)
	[ "$later" -gt 0 ] && ok || bad "$CASE: no request after the back-off"
	grep -q '^paced .* /paced/first429/rir/ripe/ip/' "$TMP/log" && ok || bad "$CASE: the network requests did not go through /first429/"
fi
max=$(awk '$1 == "paced" { if ($3 > m) m = $3 } END { print m + 0 }' "$TMP/log")
[ "$max" -le 2 ] && ok || bad "$CASE: $max requests in flight at once"

case_ "no free connection within the budget: an error that says why"
# 198.51.100.16/28 is the server's /slow/ route (half an answer, then 30 s
# of silence): two senders hold both connections until their 2 s budget
# (--timeout 1) runs out; the other two wait for a connection meanwhile.
printf '198.51.100.17 good.test\n198.51.100.18 good.test\n198.51.100.19 good.test\n198.51.100.20 good.test\n' >"$TMP/slow"
"$BIN" --format json --resolver "$R" --only rdap.ip.abuse --jobs 4 --timeout 1 \
	--rdap-bootstrap "http://127.0.0.1:$HP/boot/" --batch "$TMP/slow" >"$TMP/out.jsonl" 2>"$TMP/err"
RC=$?
OUT=$TMP/out.jsonl
all_reports 4 error
[ "$RC" = 3 ] && ok || bad "$CASE: exit status $RC, want 3"
n=$(jq -r '.checks[] | select(.id == "rdap.ip.abuse") | .detail' "$OUT" | grep -c "free connection to http://127.0.0.1:$HP")
[ "$n" -ge 2 ] && ok || bad "$CASE: $n reports say they waited for a free connection, want at least 2: $(jq -r '.checks[] | select(.id == "rdap.ip.abuse") | .detail' "$OUT" | head -4)"

finish rdap_batch
