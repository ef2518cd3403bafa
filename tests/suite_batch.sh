#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_batch.sh SENDERAUDIT: --batch FILE against NSD: JSON Lines, text
# blocks with a summary table, malformed lines, the exit status, one DNS
# cache for the whole batch; streaming (--order, input read as it comes,
# a window smaller than the batch), SIGINT/SIGTERM mid-batch, --resume.
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

# ---------------------------------------------------------------- streaming
# tests/fakedns.py: late.fault.test's MX answer comes after 2.5 s, ok's at once.
/usr/bin/python3 "$ROOT/tests/fakedns.py" 120 >"$TMP/fake.port" 2>"$TMP/fake.log" &
FAKE=$!
for _ in $(seq 1 50); do [ -s "$TMP/fake.port" ] && break; sleep 0.1; done
F="127.0.0.1#$(cat "$TMP/fake.port")"
printf '192.0.2.1 late.fault.test\n192.0.2.2 ok.fault.test\n' >"$TMP/lateok"

case_ "--order: input order waits for the slow sender; completion order does not"
"$BIN" --resolver "$F" --only mx.bounces --timeout 5 --format json --batch "$TMP/lateok" >"$TMP/in.out" 2>"$TMP/err"
[ "$(jq -r .target.domain "$TMP/in.out" | tr '\n' ' ')" = "late.fault.test ok.fault.test " ] && ok ||
	bad "$CASE: input order: $(jq -r .target.domain "$TMP/in.out" | tr '\n' ' ') $(head -c 300 "$TMP/err")"
"$BIN" --resolver "$F" --only mx.bounces --timeout 5 --format json --order completion --batch "$TMP/lateok" >"$TMP/co.out" 2>"$TMP/err"
[ "$(jq -r .target.domain "$TMP/co.out" | tr '\n' ' ')" = "ok.fault.test late.fault.test " ] && ok ||
	bad "$CASE: completion order: $(jq -r .target.domain "$TMP/co.out" | tr '\n' ' ') $(head -c 300 "$TMP/err")"
[ "$(jq -r .status "$TMP/co.out" | sort | tr '\n' ' ')" = "$(jq -r .status "$TMP/in.out" | sort | tr '\n' ' ')" ] && ok ||
	bad "$CASE: the order changed a verdict"

case_ "senders are read as they come: a report is out before the input ends"
mkfifo "$TMP/fifo"
"$BIN" --resolver "$R" --only rdns.ptr --format json --batch - <"$TMP/fifo" >"$TMP/fifo.out" 2>"$TMP/err" &
P=$!
exec 7>"$TMP/fifo"
echo "192.0.2.10 good.test" >&7
for _ in $(seq 1 100); do [ -s "$TMP/fifo.out" ] && break; sleep 0.05; done
[ "$(wc -l <"$TMP/fifo.out")" = 1 ] && ok || bad "$CASE: no report while the input is still open"
echo "2001:db8::25 good.test" >&7
exec 7>&-
wait $P
RC=$?
[ "$(wc -l <"$TMP/fifo.out")" = 2 ] && [ $RC = 0 ] && ok || bad "$CASE: $(wc -l <"$TMP/fifo.out") reports, exit $RC"

case_ "a window much smaller than the batch: every sender, in input order"
for i in $(seq 1 300); do echo "192.0.2.$((i % 250 + 1)) good.test"; done >"$TMP/many"
"$BIN" --resolver "$R" --only rdns.ptr --format json --jobs 2 --batch "$TMP/many" >"$TMP/many.out" 2>"$TMP/err"
[ "$(wc -l <"$TMP/many.out")" = 300 ] && ok || bad "$CASE: $(wc -l <"$TMP/many.out") reports of 300"
[ "$(jq -r .target.ip "$TMP/many.out" | md5sum)" = "$(awk '{print $1}' "$TMP/many" | md5sum)" ] && ok || bad "$CASE: not in input order"

case_ "a window much smaller than the batch, in completion order: every sender once"
"$BIN" --resolver "$R" --only rdns.ptr --format json --jobs 2 --order completion --batch "$TMP/many" >"$TMP/many.out" 2>"$TMP/err"
[ "$(jq -r .target.ip "$TMP/many.out" | sort | md5sum)" = "$(awk '{print $1}' "$TMP/many" | sort | md5sum)" ] && ok || bad "$CASE: $(wc -l <"$TMP/many.out") reports, not the 300 senders"

case_ "no lookup waits for the DNS loop's timer: 600 senders answered at once, 4 times, each in under 9 s (one try of 60 s)"
# A wake-up of the loop that is lost leaves queued lookups until its next
# timer (the try's deadline: a minute here); answered at once, none
# should wait. (The lists of DNSBLs are left out: their rate cap paces.)
for i in $(seq 1 600); do echo "192.0.2.$((i % 250 + 1)) good.test mail.good.test"; done >"$TMP/quick"
for run in 1 2 3 4; do
	t0=$(date +%s)
	"$BIN" --resolver "$R" --skip rdap,dnsbl --timeout 60 --retries 0 --format json --batch "$TMP/quick" >"$TMP/quick.out" 2>"$TMP/err"
	took=$(($(date +%s) - t0))
	[ "$(wc -l <"$TMP/quick.out")" = 600 ] && [ "$took" -lt 9 ] && ok || bad "$CASE: run $run: $(wc -l <"$TMP/quick.out") reports in $took s"
done

# 2 senders answered at once, then 18 whose questions are never answered
# (silent.fault.test, --timeout 20): when the signal comes, 2 are done.
{ printf '192.0.2.1 ok.fault.test\n192.0.2.2 ok.fault.test\n'; for i in $(seq 3 20); do echo "192.0.2.$i silent.fault.test"; done; } >"$TMP/slow"
case_ "SIGINT mid-batch: what is done is written, JSON Lines stay valid, exit 130"
"$BIN" --resolver "$F" --only mx.bounces --timeout 20 --format json --jobs 2 --batch "$TMP/slow" >"$TMP/sig.out" 2>"$TMP/sig.err" &
P=$!
sleep 2
kill -INT $P
t0=$(date +%s%N)
wait $P
RC=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ $RC = 130 ] && ok || bad "$CASE: exit $RC, want 130"
[ $ms -lt 1500 ] && ok || bad "$CASE: it took $ms ms to stop"
n=$(wc -l <"$TMP/sig.out")
[ "$n" = 2 ] && ok || bad "$CASE: $n reports, want the 2 done ($(head -c 300 "$TMP/sig.err"))"
/usr/bin/python3 "$ROOT/tests/validate-json.py" --lines "$TMP/sig.out" && ok || bad "$CASE: not schema-valid JSON Lines"
grep -q "interrupted: stopped after $n senders\?;" "$TMP/sig.err" && ok || bad "$CASE: stderr: $(head -c 300 "$TMP/sig.err")"
! grep -qE 'Sanitizer|runtime error' "$TMP/sig.err" && ok || bad "$CASE: $(grep -m1 -E 'Sanitizer|runtime error' "$TMP/sig.err")"

case_ "SIGTERM, text: the blocks written so far and the closing table, exit 143"
"$BIN" --resolver "$F" --only mx.bounces --timeout 20 --jobs 2 --batch "$TMP/slow" >"$TMP/sig.txt" 2>"$TMP/sig.err" &
P=$!
sleep 2
kill -TERM $P
wait $P
RC=$?
[ $RC = 143 ] && ok || bad "$CASE: exit $RC"
n=$(grep -oE 'terminated: stopped after [0-9]+' "$TMP/sig.err" | grep -oE '[0-9]+')
rows=$(sed -n '/^sender  *status/,$p' "$TMP/sig.txt" | grep -c 'fault.test')
[ "$n" = 2 ] && [ "$rows" = 2 ] && ok || bad "$CASE: $rows table rows for '$n' senders: $(head -c 300 "$TMP/sig.err")"
kill $FAKE 2>/dev/null

case_ "--resume: the senders an earlier run reported are skipped; a cut-short line is removed"
printf '192.0.2.10 good.test\n192.0.2.11 good.test\n' >"$TMP/first"
printf '192.0.2.10 good.test\n192.0.2.11 good.test\n192.0.2.12 good.test\n2001:db8::25 good.test\n' >"$TMP/all"
"$BIN" --resolver "$R" --only rdns.ptr --format json --batch "$TMP/first" >"$TMP/res.jsonl" 2>/dev/null
printf '{"schema_version": 1, "target": {"ip": "192.0.2.12", "dom' >>"$TMP/res.jsonl"
"$BIN" --resolver "$R" --only rdns.ptr --format json --resume "$TMP/res.jsonl" --batch "$TMP/all" >>"$TMP/res.jsonl" 2>"$TMP/err"
RC=$?
[ "$(wc -l <"$TMP/res.jsonl")" = 4 ] && ok || bad "$CASE: $(wc -l <"$TMP/res.jsonl") lines, want 4"
/usr/bin/python3 "$ROOT/tests/validate-json.py" --lines "$TMP/res.jsonl" && ok || bad "$CASE: not JSON Lines after the resume"
[ "$(jq -r .target.ip "$TMP/res.jsonl" | tr '\n' ' ')" = "192.0.2.10 192.0.2.11 192.0.2.12 2001:db8::25 " ] && ok || bad "$CASE: $(jq -r .target.ip "$TMP/res.jsonl" | tr '\n' ' ')"
grep -q "2 senders already reported, skipped" "$TMP/err" && grep -q "line 3 was cut short; removed" "$TMP/err" && ok || bad "$CASE: stderr: $(head -c 400 "$TMP/err")"
[ $RC = 0 ] && ok || bad "$CASE: exit $RC"
"$BIN" --resolver "$R" --only rdns.ptr --format json --resume "$TMP/res.jsonl" --batch "$TMP/all" >>"$TMP/res.jsonl" 2>"$TMP/err"
RC=$?
[ "$(wc -l <"$TMP/res.jsonl")" = 4 ] && [ $RC = 0 ] && ok || bad "$CASE: a finished batch resumed again: $(wc -l <"$TMP/res.jsonl") lines, exit $RC"
# a sender twice in the input and once in the file: audited once more
printf '192.0.2.10 good.test\n192.0.2.10 good.test\n' >"$TMP/twice"
"$BIN" --resolver "$R" --only rdns.ptr --format json --resume "$TMP/res.jsonl" --batch "$TMP/twice" >"$TMP/twice.out" 2>/dev/null
[ "$(wc -l <"$TMP/twice.out")" = 1 ] && ok || bad "$CASE: a repeated sender: $(wc -l <"$TMP/twice.out") reports, want 1"
# a missing file: nothing done yet
"$BIN" --resolver "$R" --only rdns.ptr --format json --resume "$TMP/new.jsonl" --batch "$TMP/first" >"$TMP/new.out" 2>/dev/null
[ "$(wc -l <"$TMP/new.out")" = 2 ] && ok || bad "$CASE: a missing --resume file"

case_ "usage errors"
echo "not json" >"$TMP/notjson"
"$BIN" --format json --resume "$TMP/notjson" --batch "$TMP/all" >/dev/null 2>"$TMP/err"; [ $? = 64 ] && grep -q "line 1 is not a senderaudit JSON report" "$TMP/err" && ok || bad "$CASE: --resume of a file that is not reports: $(cat "$TMP/err")"
"$BIN" --resume "$TMP/res.jsonl" --batch "$TMP/all" >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: --resume without --format json"
"$BIN" --format json --resume "$TMP/res.jsonl" 192.0.2.1 good.test >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: --resume without --batch"
"$BIN" --order completion 192.0.2.1 good.test >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: --order without --batch"
"$BIN" --order random --batch "$TMP/all" >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: --order random"
"$BIN" --batch "$TMP/senders" 192.0.2.1 good.test >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: positional with --batch"
"$BIN" --batch "$TMP/none" >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: missing file"
"$BIN" --batch "$TMP/senders" --jobs 0 >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: --jobs 0"
"$BIN" --batch "$TMP/senders" --jobs 1000 >/dev/null 2>&1; [ $? = 64 ] && ok || bad "$CASE: --jobs 1000"

finish batch
