#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_formats.sh SENDERAUDIT: the report formats, each for a single audit
# and a batch, validated by the tools their consumers use: JUnit XML by
# xmllint against testdata/junit/junit.xsd, Prometheus/OpenMetrics text by
# promtool (and the OpenMetrics parser of python3-prometheus-client), the
# HTML page by tidy and headless Chromium (its DOM holds every finding of the
# JSON report of the same audit; its screenshot is not blank), the Nagios
# line by the plugin guidelines' grammar. Also --baseline and --fail-on new.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"
suite_start formats
ONLY="rdns,helo,spf,mx,dnsbl"
A=(--resolver "$R" --only "$ONLY" --dnsbl zen.spamhaus.org,bl.spamcop.net)
cat >"$TMP/senders" <<'LIST'
192.0.2.10 good.test mail.good.test
192.0.2.17 good.test
2001:db8::25 good.test mail6.good.test
LIST

# The validators (scripts/deps.sh installs them); a case without its tool is
# counted as skipped, never dropped.
has() { command -v "$1" >/dev/null 2>&1; }
need() { has "$1" || { skip_ "$1 is not installed"; false; }; }
/usr/bin/python3 -c 'import prometheus_client.openmetrics.parser' 2>/dev/null && HAS_OM=1 || HAS_OM=

# run NAME FORMAT ARGS...: $TMP/NAME.FORMAT holds stdout, RC the exit status.
run() {
	local name=$1 fmt=$2
	shift 2
	"$BIN" "${A[@]}" --format "$fmt" "$@" >"$TMP/$name.$fmt" 2>"$TMP/$name.$fmt.err"
	RC=$?
}

# The JSON of each case first: what the other formats must agree with.
run one json --helo mail.good.test 192.0.2.17 good.test
ONE_RC=$RC
run batch json --batch "$TMP/senders"
BATCH_RC=$RC
mv "$TMP/batch.json" "$TMP/batch.jsonl"
[ "$ONE_RC" = 2 ] && [ "$BATCH_RC" = 2 ] && ok || bad "the audits to compare with: exit $ONE_RC and $BATCH_RC, want 2"

for c in one batch; do
	[ $c = one ] && args=(--helo mail.good.test 192.0.2.17 good.test) || args=(--batch "$TMP/senders")
	[ $c = one ] && json=$TMP/one.json || json=$TMP/batch.jsonl
	fails=$(jq -s '[.[].checks[] | select(.status == "fail")] | length' "$json")
	failures=$(jq -s '[.[].checks[] | select(.status == "fail" or .status == "warn")] | length' "$json")
	checks=$(jq -s '[.[].checks[]] | length' "$json")

	case_ "junit, $c"
	run $c junit "${args[@]}"
	[ "$RC" = 2 ] && ok || bad "$CASE: exit $RC, want 2 like the JSON report"
	if has xmllint; then
		if xmllint --noout --schema "$ROOT/testdata/junit/junit.xsd" "$TMP/$c.junit" 2>"$TMP/xmllint.err"; then ok; else bad "$CASE: not valid against junit.xsd: $(head -c 400 "$TMP/xmllint.err")"; fi
		got=$(xmllint --xpath 'string(/testsuites/@failures)' "$TMP/$c.junit")
		[ "$got" = "$failures" ] && ok || bad "$CASE: $got failures, the JSON has $failures fails and warnings"
		got=$(xmllint --xpath 'count(//testcase)' "$TMP/$c.junit")
		[ "$got" = "$checks" ] && ok || bad "$CASE: $got testcases for $checks checks"
		got=$(xmllint --xpath 'count(//testsuite)' "$TMP/$c.junit")
		want=$(jq -s '[.[] | [.checks[].category] | unique | length] | add' "$json")
		[ "$got" = "$want" ] && ok || bad "$CASE: $got testsuites, want one per category and sender ($want)"
	else
		skip_ "xmllint is not installed"
	fi

	case_ "prometheus, $c"
	run $c prometheus "${args[@]}"
	[ "$RC" = 2 ] && ok || bad "$CASE: exit $RC"
	if ! has promtool; then
		skip_ "promtool is not installed"
	elif promtool check metrics <"$TMP/$c.prometheus" >"$TMP/promtool.out" 2>&1; then ok; else bad "$CASE: promtool check metrics: $(head -c 400 "$TMP/promtool.out")"; fi
	if [ -z "$HAS_OM" ]; then
		skip_ "python3-prometheus-client is not installed"
	elif /usr/bin/python3 -c 'import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse
n = sum(len(f.samples) for f in parse(open(sys.argv[1]).read()) if f.name == "senderaudit_check_status")
sys.exit(0 if n == int(sys.argv[2]) else "%d check samples, want %s" % (n, sys.argv[2]))' "$TMP/$c.prometheus" "$checks" 2>"$TMP/om.err"; then ok; else bad "$CASE: OpenMetrics parser: $(tail -c 300 "$TMP/om.err")"; fi
	for ip in $(jq -r .target.ip "$json"); do
		grep -q "^senderaudit_status{ip=\"$ip\",domain=\"good.test\"} [0-3]\$" "$TMP/$c.prometheus" && ok || bad "$CASE: no senderaudit_status for $ip"
	done
	tail -n 1 "$TMP/$c.prometheus" | grep -qx '# EOF' && ok || bad "$CASE: no # EOF at the end"

	case_ "nagios, $c"
	run $c nagios "${args[@]}"
	[ "$RC" = 2 ] && ok || bad "$CASE: exit $RC"
	[ "$(wc -l <"$TMP/$c.nagios")" = 1 ] && ok || bad "$CASE: $(wc -l <"$TMP/$c.nagios") lines, want 1"
	# SERVICE STATE - text | 'label'=value[UOM];[warn];[crit];[min];[max] ...
	if grep -Eq '^SENDERAUDIT CRITICAL - [^|]+ \|( [a-z_]+=[0-9.]+(s)?;[0-9.]*;[0-9.]*;[0-9.]*(;[0-9.]*)?)+$' "$TMP/$c.nagios"; then ok; else bad "$CASE: not a plugin line: $(head -c 300 "$TMP/$c.nagios")"; fi
	grep -q " fail=$fails;" "$TMP/$c.nagios" && grep -q " lookups=[1-9][0-9]*;" "$TMP/$c.nagios" && grep -q " duration=[0-9.]*s;" "$TMP/$c.nagios" &&
		ok || bad "$CASE: perfdata: $(cut -d'|' -f2 "$TMP/$c.nagios")"
	grep -q 'FAIL rdns.generic: ' "$TMP/$c.nagios" && ok || bad "$CASE: the worst problem is not named"

	case_ "html, $c"
	run $c html "${args[@]}"
	[ "$RC" = 2 ] && ok || bad "$CASE: exit $RC"
	if ! has tidy; then
		skip_ "tidy is not installed"
	elif tidy -q -e "$TMP/$c.html" >"$TMP/tidy.out" 2>&1; then ok; else bad "$CASE: tidy: $(head -c 400 "$TMP/tidy.out")"; fi
	# self-contained: nothing loaded from elsewhere, no script
	! grep -Eiq '<script|<link|src=|url\(|@import' "$TMP/$c.html" && ok || bad "$CASE: the page loads something or runs a script"
	if ! command -v chromium >/dev/null; then
		skip_ "chromium is not installed"
		continue
	fi
	CHR=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
		--disable-component-update --disable-sync --user-data-dir="$TMP/chromium-$c")
	timeout 60 "${CHR[@]}" --dump-dom "file://$TMP/$c.html" >"$TMP/$c.dom" 2>"$TMP/chromium.err"
	if /usr/bin/python3 "$ROOT/tests/html-findings.py" "$TMP/$c.dom" "$json" >"$TMP/dom.out" 2>&1; then ok; else bad "$CASE: the rendered DOM: $(head -c 400 "$TMP/dom.out")"; fi
	timeout 60 "${CHR[@]}" --screenshot="$TMP/$c.png" --window-size=1024,1400 "file://$TMP/$c.html" >/dev/null 2>&1
	read -r w h colours < <(/usr/bin/python3 "$ROOT/tests/png-colours.py" "$TMP/$c.png" 2>&1)
	[ "${w:-0}" = 1024 ] && [ "${colours:-0}" -gt 20 ] 2>/dev/null && ok || bad "$CASE: screenshot ${w:-?}x${h:-?} with ${colours:-?} colours (blank?)"
	# it prints: a print style, and Chromium makes a PDF of pages from it
	grep -q '@media print' "$TMP/$c.html" && ok || bad "$CASE: no print style"
	timeout 60 "${CHR[@]}" --no-pdf-header-footer --print-to-pdf="$TMP/$c.pdf" "file://$TMP/$c.html" >/dev/null 2>&1
	pages=$(grep -ac '/Type */Page\b' "$TMP/$c.pdf" 2>/dev/null)
	[ "$(head -c 5 "$TMP/$c.pdf" 2>/dev/null)" = "%PDF-" ] && [ "${pages:-0}" -ge 1 ] && ok || bad "$CASE: printing to PDF gave ${pages:-no} pages"
done

case_ "every format exits as the JSON report does"
for fmt in text json nagios junit prometheus html; do
	"$BIN" --resolver "$R" --only dmarc.policy --format $fmt 192.0.2.10 dm-none.test >"$TMP/w.$fmt" 2>/dev/null
	RC=$?
	[ $RC = 1 ] && ok || bad "$CASE: $fmt exits $RC for a warning, want 1"
done
grep -q '^SENDERAUDIT WARNING - ' "$TMP/w.nagios" && ok || bad "$CASE: nagios says $(head -c 100 "$TMP/w.nagios")"
need xmllint && { [ "$(xmllint --xpath 'string(/testsuites/@failures)' "$TMP/w.junit")" = 1 ] && ok || bad "$CASE: a warning that fails the run is a JUnit failure"; }
"$BIN" --resolver "$R" --only dmarc.policy --format nagios --fail-on fail 192.0.2.10 dm-none.test >"$TMP/w2" 2>/dev/null
RC=$?
[ $RC = 0 ] && grep -q '^SENDERAUDIT OK - ' "$TMP/w2" && ok || bad "$CASE: --fail-on fail: exit $RC, $(head -c 100 "$TMP/w2")"
"$BIN" --resolver "$R" --only dmarc.policy --format junit --fail-on fail 192.0.2.10 dm-none.test >"$TMP/w3" 2>/dev/null
need xmllint && { [ "$(xmllint --xpath 'string(/testsuites/@failures)' "$TMP/w3")" = 0 ] && ok || bad "$CASE: --fail-on fail: a warning is no JUnit failure"; }
"$BIN" --resolver 127.0.0.1#9 --timeout 0.3 --retries 0 --only rdns.ptr --format nagios 192.0.2.10 good.test >"$TMP/e" 2>/dev/null
RC=$?
[ $RC = 3 ] && grep -q '^SENDERAUDIT UNKNOWN - 192.0.2.10 good.test: 1 problem: ERROR rdns.ptr' "$TMP/e" && ok || bad "$CASE: an error: exit $RC, $(head -c 150 "$TMP/e")"
"$BIN" --resolver 127.0.0.1#9 --timeout 0.3 --retries 0 --only rdns.ptr --format junit 192.0.2.10 good.test >"$TMP/e2" 2>/dev/null
need xmllint && { [ "$(xmllint --xpath 'count(//testcase/error)' "$TMP/e2")" = 1 ] && [ "$(xmllint --xpath 'count(//testcase/skipped)' "$TMP/e2")" -gt 20 ] && ok ||
	bad "$CASE: error is <error>, skip is <skipped>"; }

case_ "outside data cannot break a document"
# a HELO name (shown in every report) with bytes that are markup in XML and
# HTML, and the '|' that starts a plugin's perfdata
for fmt in junit html nagios; do
	"$BIN" --resolver "$R" --only rdns,helo --helo 'a<b>&"c|d.good.test' --format $fmt 192.0.2.10 good.test >"$TMP/x.$fmt" 2>/dev/null
done
need xmllint && { xmllint --noout --schema "$ROOT/testdata/junit/junit.xsd" "$TMP/x.junit" 2>/dev/null && ok || bad "$CASE: junit"; }
need tidy && { tidy -q -e "$TMP/x.html" >/dev/null 2>&1 && ok || bad "$CASE: html"; }
[ "$(tr -cd '|' <"$TMP/x.nagios" | wc -c)" = 1 ] && ok || bad "$CASE: nagios: a '|' of the data reached the line"

# --baseline: the problems of an earlier report are unchanged, those it
# lacks are new, those that now pass are fixed; --fail-on new fails only on
# new ones.
case_ "one-document formats keep a batch's reports out of memory"
# JUnit, HTML and OpenMetrics are one document each: what comes before the
# head (or with its metric) waits in temporary files, so memory does not
# grow with the batch (it did by about 12 KB a sender). Audits that ask
# nothing (helo.syntax) over an empty answer file (peak_rss_kb). A run's
# peak moved by up to ~10 MB with the machine's load (threads started,
# allocator caches), so the batches differ by 9,000 senders and the bound is
# 2.5 KB a sender: the old growth was 74 to 264 MB here.
printf '# senderaudit DNS answers (--save-dns), format 1\nservers 127.0.0.1#53\n' >"$TMP/none.dns"
for n in 1000 10000; do
	seq 0 $((n - 1)) | awk '{ printf "10.0.%d.%d d%d.example mail.d%d.example\n", int($1 / 256), $1 % 256, $1, $1 }' >"$TMP/many.$n"
done
rss_of() { # rss_of FORMAT N: peak RSS in KB
	peak_rss_kb "$BIN" --replay-dns "$TMP/none.dns" --only helo.syntax --format "$1" --batch "$TMP/many.$2"
}
for fmt in junit html prometheus text; do
	small=$(rss_of "$fmt" 1000)
	big=$(rss_of "$fmt" 10000)
	[ $((big - small)) -lt 22500 ] && ok || bad "$CASE: $fmt: peak RSS $small KB for 1,000 senders, $big KB for 10,000"
done
[ "$(grep -c '<testcase ' "$TMP/rss.out" 2>/dev/null)" = 0 ] && grep -q 'd9999.example' "$TMP/rss.out" && ok ||
	bad "$CASE: the last report lacks senders"

case_ "baseline: the same audit again"
"$BIN" "${A[@]}" --format json --baseline "$TMP/one.json" --fail-on new --helo mail.good.test 192.0.2.17 good.test >"$TMP/b1" 2>"$TMP/b1.err"
RC=$?
OUT=$TMP/b1
expect_rc 0
expect_jq '.baseline.new == 0 and .baseline.unchanged == 5 and (.baseline.fixed | length) == 0' "5 unchanged problems"
expect_jq '[.checks[] | select(.status == "fail") | .baseline == "unchanged"] | all' "each fail marked unchanged"
expect_jq '[.checks[] | select(.status == "pass") | has("baseline") | not] | all' "no mark on a pass"
/usr/bin/python3 "$ROOT/tests/validate-json.py" "$TMP/b1" >/dev/null 2>&1 && ok || bad "$CASE: not schema-valid"
"$BIN" "${A[@]}" --baseline "$TMP/one.json" --helo mail.good.test 192.0.2.17 good.test >/dev/null 2>&1
RC=$?
expect_rc 2

case_ "baseline: a new problem, a fixed one"
# the baseline said rdns.ptr failed and did not have rdns.generic's fail
jq '(.checks[] | select(.id == "rdns.ptr")) |= (.status = "fail" | .summary = "no PTR") | del(.checks[] | select(.id == "rdns.generic"))' \
	"$TMP/one.json" >"$TMP/base2.json"
"$BIN" "${A[@]}" --format json --baseline "$TMP/base2.json" --fail-on new --helo mail.good.test 192.0.2.17 good.test >"$TMP/b2" 2>/dev/null
RC=$?
OUT=$TMP/b2
expect_rc 2
expect_jq '.baseline.new == 1 and .baseline.unchanged == 4' "1 new, 4 unchanged"
expect_jq '(.checks[] | select(.id == "rdns.generic") | .baseline) == "new"' "rdns.generic is new"
expect_jq '.baseline.fixed == [{"id": "rdns.ptr", "subject": null, "status": "fail", "summary": "no PTR"}]' "rdns.ptr fixed"
"$BIN" "${A[@]}" --baseline "$TMP/base2.json" --color never --helo mail.good.test 192.0.2.17 good.test >"$TMP/b2.txt" 2>/dev/null
grep -q 'rdns.generic: .*  \[new\]$' "$TMP/b2.txt" && grep -q '^Fixed since the baseline$' "$TMP/b2.txt" &&
	grep -q '^  was fail  rdns.ptr: no PTR$' "$TMP/b2.txt" && grep -q '^baseline: 1 new, 4 unchanged, 1 fixed$' "$TMP/b2.txt" &&
	ok || bad "$CASE: text marks: $(grep -E 'new|baseline|was' "$TMP/b2.txt" | head -c 400)"
for fmt in nagios junit html prometheus; do
	"$BIN" "${A[@]}" --baseline "$TMP/base2.json" --fail-on new --format $fmt --helo mail.good.test 192.0.2.17 good.test >"$TMP/b2.$fmt" 2>/dev/null
done
grep -q '^SENDERAUDIT CRITICAL - 192.0.2.17 good.test: 5 problems (1 new): FAIL rdns.generic (new): ' "$TMP/b2.nagios" && grep -q ' new=1;;;0' "$TMP/b2.nagios" && ok ||
	bad "$CASE: nagios: $(head -c 200 "$TMP/b2.nagios")"
need xmllint && { [ "$(xmllint --xpath 'string(/testsuites/@failures)' "$TMP/b2.junit")" = 1 ] && ok || bad "$CASE: junit: only the new problem is a failure"; }
need tidy && { grep -q 'Fixed since the baseline' "$TMP/b2.html" && tidy -q -e "$TMP/b2.html" >/dev/null 2>&1 && ok || bad "$CASE: html"; }
grep -q '^senderaudit_baseline_new_problems{ip="192.0.2.17",domain="good.test"} 1$' "$TMP/b2.prometheus" && ok || bad "$CASE: prometheus"

case_ "baseline: a JSON Lines batch"
"$BIN" "${A[@]}" --format json --baseline "$TMP/batch.jsonl" --fail-on new --batch "$TMP/senders" >"$TMP/b3" 2>/dev/null
RC=$?
expect_rc 0
[ "$(jq -r '.baseline.sender_known' "$TMP/b3" | sort -u)" = true ] && [ "$(jq -s '[.[].baseline.new] | add' "$TMP/b3")" = 0 ] && ok ||
	bad "$CASE: every sender known, nothing new"
# a sender the baseline lacks: all its problems are new
"$BIN" "${A[@]}" --format json --baseline "$TMP/batch.jsonl" --fail-on new 192.0.2.17 other.test >"$TMP/b4" 2>/dev/null
RC=$?
OUT=$TMP/b4
[ $RC != 0 ] && ok || bad "$CASE: a sender the baseline lacks passed --fail-on new"
expect_jq '.baseline.sender_known == false and .baseline.unchanged == 0' "an unknown sender's problems are all new"

case_ "baseline: usage errors"
"$BIN" --fail-on new 192.0.2.10 good.test >/dev/null 2>"$TMP/err"; RC=$?
expect_rc 64
echo 'not json' >"$TMP/notjson"
"$BIN" --baseline "$TMP/notjson" 192.0.2.10 good.test >/dev/null 2>"$TMP/err"; RC=$?
expect_rc 64
grep -q -- '--baseline: .*not JSON' "$TMP/err" && ok || bad "$CASE: $(cat "$TMP/err")"
"$BIN" --baseline "$TMP/missing" 192.0.2.10 good.test >/dev/null 2>&1; RC=$?
expect_rc 64

finish formats
