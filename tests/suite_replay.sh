#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_replay.sh SENDERAUDIT: --save-dns and --replay-dns. An audit and a
# batch recorded against NSD replay to the same report with NSD stopped; a
# question the file lacks is an error that names it; the file format is
# read back exactly; and the regression cases of testdata/replay/ (answers
# saved once, some written by hand) replay offline.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"
suite_start replay
# nothing here may reach a server once NSD is stopped: RDAP is left out
A=(--skip rdap --helo mail.good.test)
strip() { jq -S 'del(.started_at, .duration_ms)' "$1"; }

case_ "an audit recorded and replayed"
"$BIN" --resolver "$R" "${A[@]}" --format json --save-dns "$TMP/one.dns" 192.0.2.10 good.test >"$TMP/live.json" 2>"$TMP/err"
RC1=$?
printf '192.0.2.10 good.test mail.good.test\n192.0.2.17 good.test\n2001:db8::25 good.test mail6.good.test\n203.0.113.5 good.test\n' >"$TMP/senders"
"$BIN" --resolver "$R" --skip rdap --format json --save-dns "$TMP/batch.dns" --batch "$TMP/senders" >"$TMP/live.jsonl" 2>/dev/null
RC2=$?
nsd_stop
"$BIN" "${A[@]}" --format json --replay-dns "$TMP/one.dns" 192.0.2.10 good.test >"$TMP/replay.json" 2>"$TMP/err"
RC=$?
[ $RC = $RC1 ] && ok || bad "$CASE: exit $RC, recorded $RC1"
[ "$(jq -r .status "$TMP/live.json")" = pass ] && ok || bad "$CASE: the recorded audit did not pass: $(jq -c .counts "$TMP/live.json")"
if diff <(strip "$TMP/live.json") <(strip "$TMP/replay.json") >"$TMP/diff"; then ok; else bad "$CASE: the replay differs: $(head -c 600 "$TMP/diff")"; fi
"$BIN" --skip rdap --format json --replay-dns "$TMP/batch.dns" --batch "$TMP/senders" >"$TMP/replay.jsonl" 2>/dev/null
RC=$?
[ $RC = $RC2 ] && ok || bad "$CASE: batch exit $RC, recorded $RC2"
if diff <(jq -S -c 'del(.started_at, .duration_ms)' "$TMP/live.jsonl") <(jq -S -c 'del(.started_at, .duration_ms)' "$TMP/replay.jsonl") >"$TMP/diff"; then ok; else
	bad "$CASE: the batch replay differs: $(head -c 600 "$TMP/diff")"; fi
[ "$(jq -r .status "$TMP/live.jsonl" | tr '\n' ' ')" = "pass fail warn fail " ] && ok || bad "$CASE: the batch's statuses: $(jq -r .status "$TMP/live.jsonl" | tr '\n' ' ')"

case_ "the file format"
head -n 1 "$TMP/one.dns" | grep -q '^# senderaudit DNS answers (--save-dns), format 1' && ok || bad "$CASE: header"
grep -q '^servers 127\.0\.0\.1#' "$TMP/one.dns" && ok || bad "$CASE: servers line"
grep -q '^10\.2\.0\.192\.in-addr\.arpa PTR rr 300 mail\.good\.test$' "$TMP/one.dns" && ok || bad "$CASE: a PTR record"
grep -q '^good\.test TXT rr [0-9]* "v=spf1 ' "$TMP/one.dns" && ok || bad "$CASE: a TXT record"
grep -q '^good\.test MX rr [0-9]* [0-9]* [a-z.]*$' "$TMP/one.dns" && ok || bad "$CASE: an MX record"
grep -Eq '^[^ ]+ [A-Z0-9]+ status NXDOMAIN 3$' "$TMP/one.dns" && ok || bad "$CASE: a status line"
# the domain family's DNSSEC questions: their own flags, wire data as RFC 3597
grep -Eq '^good\.test SOA\+do rr [0-9]+ \\# [0-9]+ [0-9a-f]+$' "$TMP/one.dns" && ok || bad "$CASE: a +do question with RFC 3597 data"
# sorted by name (then type code), every line of one question together
qs=$(grep -v '^#' "$TMP/one.dns" | grep -v '^servers' | awk '{print $1}' | uniq)
[ "$qs" = "$(echo "$qs" | LC_ALL=C sort -u)" ] && ok || bad "$CASE: not sorted by question"
# read back exactly: saving a replay gives the same file
"$BIN" "${A[@]}" --format json --replay-dns "$TMP/one.dns" --save-dns "$TMP/again.dns" 192.0.2.10 good.test >/dev/null 2>&1
diff "$TMP/one.dns" "$TMP/again.dns" >"$TMP/diff" && ok || bad "$CASE: saved again, the file differs: $(head -c 400 "$TMP/diff")"

case_ "a question not in the file"
"$BIN" --format json --only rdns.ptr --replay-dns "$TMP/one.dns" 192.0.2.99 good.test >"$TMP/out" 2>/dev/null
RC=$?
OUT=$TMP/out
expect_rc 3
expect rdns.ptr error
expect_jq '(.checks[0].detail | contains("99.2.0.192.in-addr.arpa/PTR is not in the DNS answers of"))' "the error names the question"
grep -q NXDOMAIN "$OUT" && bad "$CASE: reported as NXDOMAIN" || ok

case_ "the spf subcommand records and replays"
printf 'servers 127.0.0.1#53\nspf.test TXT status OK 0\nspf.test TXT rr 60 "v=spf1 ip4:192.0.2.0/24 -all"\n' >"$TMP/spf.dns"
"$BIN" spf --replay-dns "$TMP/spf.dns" 192.0.2.7 spf.test >"$TMP/out" 2>&1
RC=$?
expect_rc 0
head -n 1 "$TMP/out" | grep -qx pass && ok || bad "$CASE: $(head -c 200 "$TMP/out")"
"$BIN" spf --replay-dns "$TMP/spf.dns" 198.51.100.1 spf.test >/dev/null 2>&1
RC=$?
expect_rc 2

case_ "malformed files are usage errors"
for bad_line in 'x.test A rr 60 192.0.2.1' 'x.test A status MAYBE 0' 'x.test BOGUS status OK 0' 'x.test TXT status OK 0\nx.test TXT rr 60 "unterminated' \
	'x.test A status OK 0\nx.test A rr 60 not-an-address' 'x.test MX status OK 0\nx.test MX rr 60 10'; do
	printf "$bad_line\n" >"$TMP/bad.dns"
	"$BIN" --replay-dns "$TMP/bad.dns" 192.0.2.10 good.test >/dev/null 2>"$TMP/err"
	RC=$?
	[ $RC = 64 ] && grep -q -- "--replay-dns: $TMP/bad.dns:[12]: " "$TMP/err" && ok || bad "$CASE: '$bad_line': exit $RC, $(cat "$TMP/err")"
done
"$BIN" --replay-dns "$TMP/none.dns" 192.0.2.10 good.test >/dev/null 2>&1
RC=$?
expect_rc 64
"$BIN" --save-dns /nonexistent/dir/x.dns --resolver 127.0.0.1#9 192.0.2.10 good.test >/dev/null 2>"$TMP/err"
RC=$?
[ $RC = 64 ] && grep -q -- '--save-dns: cannot write' "$TMP/err" && ok || bad "$CASE: unwritable --save-dns: exit $RC, $(cat "$TMP/err")"

case_ "a batch over a file without its senders' answers stays flat"
# Each question the file lacks gets a made-up answer (an error that names
# it), held while an audit reads it: memory grew by every sender's questions
# (125 MB more for 10,000 senders than for 1,000).
printf '%s\n%s\n' '# senderaudit DNS answers (--save-dns), format 1' 'servers 127.0.0.1#53' >"$TMP/empty.dns"
for n in 1000 10000; do
	seq 0 $((n - 1)) | awk '{ printf "10.0.%d.%d d%d.example mail.d%d.example\n", int($1 / 256), $1 % 256, $1, $1 }' >"$TMP/many.$n"
done
small=$(peak_rss_kb "$BIN" --replay-dns "$TMP/empty.dns" --only rdns,helo,mx --format json --batch "$TMP/many.1000")
big=$(peak_rss_kb "$BIN" --replay-dns "$TMP/empty.dns" --only rdns,helo,mx --format json --batch "$TMP/many.10000")
[ $((big - small)) -lt 22500 ] && ok || bad "$CASE: peak RSS $small KB for 1,000 senders, $big KB for 10,000"
[ "$(wc -l <"$TMP/rss.out")" = 10000 ] && jq -e 'select(.target.domain == "d9999.example") | .checks[] |
	select(.id == "rdns.ptr") | .status == "error" and (.detail | contains("15.39.0.10.in-addr.arpa/PTR is not in the DNS answers"))' \
	"$TMP/rss.out" >/dev/null && ok || bad "$CASE: the last sender's rdns.ptr: $(tail -n 1 "$TMP/rss.out" | head -c 300)"

# Regression cases: answers saved (or written) once, replayed offline.
case_ "testdata/replay/good.test.dns: the whole audit of a good sender"
"$BIN" "${A[@]}" --format json --replay-dns "$ROOT/testdata/replay/good.test.dns" 192.0.2.10 good.test >"$TMP/out" 2>/dev/null
RC=$?
OUT=$TMP/out
expect_rc 0
expect_jq '.counts.pass >= 20 and .counts.error == 0 and .counts.fail == 0' "every check passes"
expect dkim.key pass s1

case_ "testdata/replay/rdns-servfail.dns: -q says a failed lookup's errors once"
"$BIN" -q --color never --only rdns --replay-dns "$ROOT/testdata/replay/rdns-servfail.dns" 203.0.113.5 good.test >"$TMP/out" 2>/dev/null
RC=$?
expect_rc 3
[ "$(grep -c 'ERROR' "$TMP/out")" = 2 ] && ok || bad "$CASE: $(grep -c ERROR "$TMP/out") ERROR lines, want the entry and the count line"
grep -q '^  ERROR  rdns.ptr, rdns.single, rdns.syntax, rdns.fcrdns, rdns.generic, rdns.domain: Could not check reverse DNS: ' "$TMP/out" &&
	ok || bad "$CASE: $(head -c 400 "$TMP/out")"
[ "$(grep -c '^         fix: ' "$TMP/out")" = 1 ] && ok || bad "$CASE: the fix is repeated"
"$BIN" --color never --only rdns --replay-dns "$ROOT/testdata/replay/rdns-servfail.dns" 203.0.113.5 good.test >"$TMP/out" 2>/dev/null
[ "$(grep -c '^  ERROR  rdns\.' "$TMP/out")" = 6 ] && ok || bad "$CASE: without -q every check keeps its line"

case_ "testdata/replay/idn.dns: text shows an IDN in Unicode, JSON keeps the A-label"
"$BIN" --color never --only rdns,helo.syntax --helo mail.bücher.test --replay-dns "$ROOT/testdata/replay/idn.dns" 192.0.2.10 bücher.test >"$TMP/out" 2>/dev/null
RC=$?
expect_rc 0
head -n 1 "$TMP/out" | grep -q '192.0.2.10 sending for bücher.test (HELO mail.bücher.test, dedicated IP)' && ok || bad "$CASE: $(head -n 1 "$TMP/out")"
grep -q 'rdns.ptr: 192.0.2.10 has PTR mail.bücher.test$' "$TMP/out" && ok || bad "$CASE: $(grep rdns.ptr "$TMP/out")"
! grep -q 'xn--' "$TMP/out" && ok || bad "$CASE: an A-label in the text: $(grep xn-- "$TMP/out" | head -n 2)"
"$BIN" --format json --only rdns,helo.syntax --helo mail.bücher.test --replay-dns "$ROOT/testdata/replay/idn.dns" 192.0.2.10 bücher.test >"$TMP/out" 2>/dev/null
OUT=$TMP/out
expect_jq '.target.domain == "xn--bcher-kva.test" and .target.helo == "mail.xn--bcher-kva.test"' "A-labels in the JSON target"
expect_jq '(.checks[0].summary | contains("mail.xn--bcher-kva.test"))' "A-labels in the JSON findings"

finish replay
