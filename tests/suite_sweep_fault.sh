#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_sweep_fault.sh SENDERAUDIT: the fault sweep. A recording run of the
# clean sender (tests/sweep.sh) through tests/faultdns.py lists every DNS
# question a full audit asks; then each question in turn is answered
# SERVFAIL (and, on a sample, dropped and REFUSED; every one of them with
# SA_SWEEP=full) while the rest is answered as before. Every check must keep
# its status or become `error`, and only keep it when its verdict does not
# rest on that question: a lookup that failed is never a verdict.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/nsd.sh
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"
source "$ROOT/tests/rdapsrv.sh"
source "$ROOT/tests/sweep.sh"

sweep_start sweep_fault
for ((w = 0; w < SWEEP_WORKERS; w++)); do faultdns_start $w; done

# The recording run, which is also the baseline every other run is held to.
sweep_sender clean
sweep_audit baseline "${FWD[0]}" "${ARGS[@]}"
sort -u "${QLOG[0]}" >"$TMP/questions"
case_ "the baseline: the clean sender is clean"
OUT=$RUNS/baseline.json
expect_jq '[.checks[] | .status | IN("pass", "info", "skip")] | all' \
	"only pass/info/skip: $(jq -c '[.checks[] | select(.status | IN("pass", "info", "skip") | not) | {id, subject, status, summary}]' "$OUT" 2>/dev/null | head -c 600)"
n=$(wc -l <"$TMP/questions")
if [ "$n" -ge 50 ]; then ok; else bad "$CASE: only $n questions recorded"; fi

# Every question gets SERVFAIL; timeout and REFUSED every K-th question
# (about 15 each, at other offsets), or every question with SA_SWEEP=full.
# Under valgrind, a smaller sample of each. Every question is also answered
# once with no record (NOERROR, no answer): a check whose status that
# changes rests on the question, and the other faults must make it error.
k=$(((n + 14) / 15))
ks=1
if [ -n "${SA_SLOW:-}" ]; then ks=$(((n + 9) / 10)); k=$(((n + 4) / 5)); fi
[ "${SA_SWEEP:-}" = full ] && { k=1; ks=1; }
{
	awk -v k=$ks 'NR % k == 0 { print $1, $2, "nodata" }' "$TMP/questions"
	awk -v k=$ks 'NR % k == 0 { print $1, $2, "servfail" }' "$TMP/questions"
	awk -v k="$k" 'NR % k == 0 { print $1, $2, "timeout" }' "$TMP/questions"
	awk -v k="$k" -v o=$((k / 2)) 'NR % k == o % k { print $1, $2, "refused" }' "$TMP/questions"
} >"$TMP/jobs"

# one W I QNAME QTYPE FAULT: run I, through worker W's forwarder.
one() {
	echo "$3 $4 $5" >"${RULES[$1]}"
	sweep_audit "$2" "${FWD[$1]}" "${ARGS[@]}"
}
t0=$(now_ms)
sweep_parallel "$TMP/jobs" one
t1=$(now_ms)
echo "fault sweep: $(wc -l <"$TMP/jobs") audits in $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s on $SWEEP_WORKERS workers"
sweep_judge fault baseline "$TMP/questions" "$TMP/jobs"

case_ "the forwarders stayed healthy"
if ! grep -q Traceback "$TMP"/fwd.*.err; then ok; else bad "$CASE: $(grep -h -A3 Traceback "$TMP"/fwd.*.err | head -c 400)"; fi

finish sweep_fault
