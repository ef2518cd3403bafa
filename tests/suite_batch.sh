#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_batch.sh SENDERAUDIT: --batch FILE against NSD: JSON Lines, text
# blocks with a summary table, malformed lines, the exit status, and one DNS
# cache for the whole batch.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"
nsd_start "$ROOT/testdata/zones" || { echo "batch: 0 passed, 1 failed"; exit 1; }
TMP=$(mktemp -d /tmp/senderaudit-batch.XXXXXX)
trap 'nsd_stop; rm -rf "$TMP"' EXIT
R="127.0.0.1#$NSD_PORT"
ONLY="rdns,helo.syntax,helo.resolves,helo.matches,mx"

cat >"$TMP/senders" <<'LIST'
# IP DOMAIN [HELO]
192.0.2.10 good.test mail.good.test

192.0.2.17   good.test	# a dynamic address
this line is not a sender
192.0.2.300 good.test
2001:db8::25 good.test mail6.good.test
LIST

case_ "JSON Lines"
"$BIN" --resolver "$R" --only "$ONLY" --format json --batch "$TMP/senders" >"$TMP/out" 2>"$TMP/err"
RC=$?
[ "$(wc -l <"$TMP/out")" = 3 ] && ok || bad "$CASE: $(wc -l <"$TMP/out") lines, want 3"
/usr/bin/python3 "$ROOT/tests/validate-json.py" --lines "$TMP/out" && ok || bad "$CASE: not schema-valid JSON Lines"
[ "$(jq -r .target.ip "$TMP/out" | tr '\n' ' ')" = "192.0.2.10 192.0.2.17 2001:db8::25 " ] && ok || bad "$CASE: not in input order"
[ "$(jq -r .status "$TMP/out" | tr '\n' ' ')" = "pass fail pass " ] && ok || bad "$CASE: statuses $(jq -r .status "$TMP/out" | tr '\n' ' ')"
[ "$(jq -r .target.helo "$TMP/out" | tr '\n' ' ')" = "mail.good.test null mail6.good.test " ] && ok || bad "$CASE: HELO per line"
[ $RC = 2 ] && ok || bad "$CASE: exit $RC, want 2 (the worst sender fails)"
grep -q "senders:5: .*line skipped" "$TMP/err" && grep -q "senders:6: '192.0.2.300' is not a valid IPv4 address; line skipped" "$TMP/err" && ok ||
	bad "$CASE: malformed lines not reported with their numbers: $(cat "$TMP/err")"

case_ "malformed lines make an otherwise clean batch exit 3"
printf '192.0.2.10 good.test mail.good.test\n192.0.2.10\n' >"$TMP/one"
"$BIN" --resolver "$R" --only "$ONLY" --format json --batch "$TMP/one" >"$TMP/out" 2>"$TMP/err"
RC=$?
[ $RC = 3 ] && ok || bad "$CASE: exit $RC"
[ "$(jq -r .status "$TMP/out")" = pass ] && ok || bad "$CASE: the good sender still runs"

# The rule the man page and README state: a malformed line counts as an
# error (exit 3 unless a sender fails: 2); a file with no sender exits 3.
case_ "malformed lines: the documented exit status"
printf '192.0.2.17 good.test\nnot a sender\n' >"$TMP/failbad"
"$BIN" --resolver "$R" --only "$ONLY" --format json --batch "$TMP/failbad" >/dev/null 2>&1
RC=$?
[ $RC = 2 ] && ok || bad "$CASE: a failing sender and a malformed line: exit $RC, want 2"
printf '# nothing\n\n' >"$TMP/empty"
"$BIN" --resolver "$R" --only "$ONLY" --batch "$TMP/empty" >/dev/null 2>"$TMP/err"
RC=$?
[ $RC = 3 ] && grep -q 'holds no sender' "$TMP/err" && ok || bad "$CASE: no sender: exit $RC, want 3"
printf 'bad line here too\n' >"$TMP/allbad"
"$BIN" --resolver "$R" --only "$ONLY" --batch "$TMP/allbad" >/dev/null 2>&1
RC=$?
[ $RC = 3 ] && ok || bad "$CASE: only malformed lines: exit $RC, want 3"
grep -q 'exit status is 3 unless a sender fails (2)' "$ROOT/man/senderaudit.1" 2>/dev/null ||
	sed -n '/^\.It Fl \\-batch/,/^\.It Fl/p' "$ROOT/man/senderaudit.1" | tr '\n' ' ' | grep -q 'the exit status is 3 unless a sender fails (2)' && ok || bad "$CASE: the man page states another rule"
grep -q 'count as an `error` (exit status 3 unless a sender fails)' "$ROOT/README.md" && ok || bad "$CASE: README states another rule"

case_ "text blocks and a summary table, from stdin"
"$BIN" --resolver "$R" --only "$ONLY" --color never --batch - <"$TMP/senders" >"$TMP/out" 2>"$TMP/err"
[ "$(grep -c '^senderaudit .*: ' "$TMP/out")" = 3 ] && ok || bad "$CASE: report blocks"
grep -Eq '^sender +status +pass +warn +fail +error +skip +info$' "$TMP/out" && ok || bad "$CASE: no summary header"
grep -Eq '^192\.0\.2\.17 good\.test +fail ' "$TMP/out" && ok || bad "$CASE: summary row"
grep -q 'stdin:5: ' "$TMP/err" && ok || bad "$CASE: stdin line numbers"

case_ "one DNS cache for the whole batch"
one=$("$BIN" --resolver "$R" --only "$ONLY" -v --format json 192.0.2.10 good.test 2>&1 >/dev/null | grep -oE '[0-9]+ packets sent' | awk '{print $1}')
for i in $(seq 1 40); do echo "192.0.2.10 good.test"; done >"$TMP/same"
many=$("$BIN" --resolver "$R" --only "$ONLY" -v --format json --jobs 8 --batch "$TMP/same" 2>&1 >"$TMP/out" | grep -oE '[0-9]+ packets sent' | awk '{print $1}')
[ "$(wc -l <"$TMP/out")" = 40 ] && ok || bad "$CASE: 40 reports"
[ -n "$one" ] && [ "$one" = "$many" ] && ok || bad "$CASE: one audit sent $one packets, 40 identical senders sent $many"

case_ "DNSBL test points are asked once per batch"
# 30 different senders against 3 lists, through a forwarder that logs every
# question it relays: each list's two RFC 5782 test points reach the server
# once, and so does each sender's own question.
: >"$TMP/qlog"
DELAYFWD_LOG=$TMP/qlog /usr/bin/python3 "$ROOT/bench/delayfwd.py" "$NSD_PORT" 0 60 >"$TMP/fwd.port" &
FWD=$!
for _ in $(seq 1 50); do [ -s "$TMP/fwd.port" ] && break; sleep 0.1; done
for i in $(seq 100 129); do echo "192.0.2.$i good.test"; done >"$TMP/thirty"
"$BIN" --resolver "127.0.0.1#$(cat "$TMP/fwd.port")" --only dnsbl.ip --dnsbl zen.spamhaus.org,bl.spamcop.net,psbl.surriel.com \
	--format json --jobs 16 --batch "$TMP/thirty" >"$TMP/out" 2>"$TMP/err"
kill "$FWD" 2>/dev/null
[ "$(wc -l <"$TMP/out")" = 30 ] && ok || bad "$CASE: 30 reports ($(head -c 300 "$TMP/err"))"
[ "$(jq -r '[.checks[] | select(.id == "dnsbl.ip")] | map(.status) | unique | join(",")' "$TMP/out" | sort -u | tr '\n' ' ')" = "pass " ] &&
	ok || bad "$CASE: every list answered for every sender"
for z in zen.spamhaus.org bl.spamcop.net psbl.surriel.com; do
	for tp in 2.0.0.127 1.0.0.127; do
		n=$(grep -c "^$tp\.$z 1\$" "$TMP/qlog")
		[ "$n" = 1 ] && ok || bad "$CASE: $tp.$z asked $n times"
	done
done
dups=$(sort "$TMP/qlog" | uniq -d | head -n 3 | tr '\n' ' ')
[ -z "$dups" ] && ok || bad "$CASE: questions asked twice: $dups"

case_ "usage errors"
"$BIN" --batch "$TMP/senders" 192.0.2.1 good.test >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: positional with --batch"
"$BIN" --batch "$TMP/none" >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: missing file"
"$BIN" --batch "$TMP/senders" --jobs 0 >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: --jobs 0"
"$BIN" --batch "$TMP/senders" --jobs 1000 >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: --jobs 1000"

finish batch
