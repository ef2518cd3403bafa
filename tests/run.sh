#!/bin/sh
# run.sh SENDERAUDIT UNITBIN...: the whole suite. Runs every unit-test
# binary and every shell suite (tests/suite_*.sh SENDERAUDIT), adds up their "N passed, N failed" lines and
# ends with the total on a line of its own.
BIN=$1
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
total_p=0
total_f=0
log=$(mktemp /tmp/senderaudit-test.XXXXXX)

count() { # count NAME: adds the last "N passed, N failed" line of $log
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
}

# Under `make check-valgrind` every program runs under valgrind, and each
# process's valgrind log must come out empty.
VGLOG=
UNIT_RUNNER=
if [ -n "${SA_VALGRIND_BIN:-}" ]; then
	VGLOG=$(mktemp -d /tmp/senderaudit-vg.XXXXXX)
	export SA_VALGRIND_LOG=$VGLOG
	UNIT_RUNNER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$VGLOG/unit.%p.log"
fi
for u in "$@"; do
	$UNIT_RUNNER "$u" >"$log" 2>&1
	rc=$?
	grep -E '^(FAIL|     |note)|passed, ' "$log"
	count "$u" $rc
done
# Every tests/suite_*.sh, the docs drift suite last; SA_SUITES=NAMES (e.g.
# "cli docs", or "none") runs only those.
suites=$(ls tests/suite_*.sh | grep -v suite_docs.sh)
suites="$suites tests/suite_docs.sh"
if [ -n "${SA_SUITES:-}" ]; then
	suites=
	for n in $SA_SUITES; do
		[ -f "tests/suite_$n.sh" ] && suites="$suites tests/suite_$n.sh"
	done
fi
for s in $suites; do
	bash "$s" "$BIN" >"$log" 2>&1
	rc=$?
	cat "$log"
	count "$s" $rc
done
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
# The fuzz smoke: each harness a few seconds, and its regression inputs.
# Its lines are shown as they come (a harness a line as it starts and ends),
# not after the minutes the whole smoke takes.
if [ -n "${FUZZERS:-}" ]; then
	{
		bash fuzz/run.sh "${FUZZ_SMOKE_SECONDS:-15}" $FUZZERS 2>&1
		echo $? >"$log.rc"
	} | tee "$log"
	rc=$(cat "$log.rc" 2>/dev/null || echo 1)
	rm -f "$log.rc"
	count fuzz "$rc"
fi
rm -f "$log"
echo "$total_p passed, $total_f failed"
[ "$total_f" = 0 ]
