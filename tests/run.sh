#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# run.sh SENDERAUDIT UNITBIN...: the whole suite. Runs every unit-test
# binary, then the shell suites (tests/suite_*.sh SENDERAUDIT) SA_TEST_JOBS
# at a time (default 4, 2 under valgrind), then the fuzz smoke; adds up their
# "N passed, N failed" lines and ends with the total on a line of its own.
# Each suite writes to a log of its own, printed whole when the suite ends.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
BIN=$1
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
total_p=0
total_f=0
total_s=0
skipped=""
LOGS=$(mktemp -d /tmp/senderaudit-test.XXXXXX)
log=$LOGS/unit.log

count() { # count NAME RC: adds the last "N passed, N failed" line of $log
	# local: its callers loop over s
	local line p f s
	line=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=${line%% passed*}
	f=${line#*passed, }
	f=${f%% failed*}
	if [ -z "$line" ]; then
		echo "$1: no result line (crashed?)"
		p=0
		f=1
	elif [ "$2" != 0 ] && [ "$f" = 0 ]; then
		echo "$1: exited $2 with no failure counted"
		f=1
	fi
	total_p=$((total_p + p))
	total_f=$((total_f + f))
	# cases that could not run here (a missing tool) are said, not hidden
	s=$(grep -oE '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' "$log" | tail -n 1 | grep -oE '[0-9]+ skipped')
	if [ -n "$s" ]; then
		total_s=$((total_s + ${s%% *}))
		skipped="$skipped $1"
	fi
}

# Under `make check-valgrind` every program runs under valgrind, and each
# process's valgrind log must come out empty.
VGLOG=
UNIT_RUNNER=
jobs=${SA_TEST_JOBS:-4}
if [ -n "${SA_VALGRIND_BIN:-}" ]; then
	VGLOG=$(mktemp -d /tmp/senderaudit-vg.XXXXXX)
	export SA_VALGRIND_LOG=$VGLOG
	UNIT_RUNNER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$VGLOG/unit.%p.log"
	jobs=${SA_TEST_JOBS:-2}
fi
for u in "$@"; do
	$UNIT_RUNNER "$u" >"$log" 2>&1
	rc=$?
	grep -E '^(FAIL|     |note)|passed, ' "$log"
	count "$u" $rc
done

# Every tests/suite_*.sh, $jobs at a time. A suite that ends has its log
# printed (so logs never interleave) and counted. Each suite leaves its exit
# status in a file: bash 5.2's `wait -n -p` leaves the pid unset for a child
# that ended before the wait, so the files, not the pid, say which ended.
running=""
suite_done() {
	local s rc still="" none=0
	wait -n 2>/dev/null
	[ $? = 127 ] && none=1 # no child left: a suite with no status was killed
	for s in $running; do
		if [ -f "$LOGS/$(basename "$s").rc" ] || [ $none = 1 ]; then
			rc=$(cat "$LOGS/$(basename "$s").rc" 2>/dev/null || echo 137)
			log=$LOGS/$(basename "$s").log
			cat "$log"
			echo "-- $s: $(($(date +%s) - $(cat "$LOGS/$(basename "$s").t0"))) s"
			count "$s" "$rc"
		else
			still="$still $s"
		fi
	done
	running=$still
}
# The longest suites start first, so that none of them ends last alone.
long="tests/suite_spf_conformance.sh tests/suite_rdap.sh tests/suite_hardening.sh"
# SA_SUITES=NAMES (e.g. "cli docs", or "none") runs only those.
for s in $(printf '%s\n' $long tests/suite_*.sh | awk '!seen[$0]++'); do
	[ -f "$s" ] || continue
	if [ -n "${SA_SUITES:-}" ]; then
		n=${s#tests/suite_}
		[[ " $SA_SUITES " == *" ${n%.sh} "* ]] || continue
	fi
	while [ "$(echo $running | wc -w)" -ge "$jobs" ]; do suite_done; done
	b=$LOGS/$(basename "$s")
	date +%s >"$b.t0"
	(
		bash "$s" "$BIN" >"$b.log" 2>&1 </dev/null
		echo $? >"$b.rc.tmp" && mv "$b.rc.tmp" "$b.rc"
	) &
	running="$running $s"
done
while [ -n "${running// /}" ]; do suite_done; done

if [ -n "$VGLOG" ]; then
	n=0
	for l in "$VGLOG"/*.log; do
		[ -s "$l" ] || continue
		n=$((n + 1))
		echo "FAIL valgrind: $(head -c 600 "$l")"
	done
	echo "valgrind logs: $(ls "$VGLOG" | wc -l) processes, $n with findings"
	[ $n = 0 ] && total_p=$((total_p + 1)) || total_f=$((total_f + n))
	rm -rf "$VGLOG"
fi
# The fuzz smoke: each harness a few seconds, and its regression inputs;
# one harness per core, after the suites (whose time limits need the CPU).
if [ -n "${FUZZERS:-}" ]; then
	log=$LOGS/fuzz.log
	# its lines as they come (a harness a line as it starts and ends), not
	# after the minutes the whole smoke takes
	set -o pipefail
	FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)} bash fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-15}" $FUZZERS 2>&1 | tee "$log"
	rc=$?
	set +o pipefail
	count fuzz $rc
fi
rm -rf "$LOGS"
[ "$total_s" != 0 ] && echo "$total_s skipped (a tool missing here), in:$skipped"
echo "$total_p passed, $total_f failed"
[ "$total_f" = 0 ]
