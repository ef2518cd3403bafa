# SPDX-License-Identifier: ISC
# sweep.sh: what the sweeps (tests/suite_sweep_*.sh) share. Sourced after
# nsd.sh, harness.sh and rdapsrv.sh; needs bash, ROOT and BIN. The sweeps
# run many audits of one clean sender and let tests/sweep.py judge them all
# at the end; SA_SWEEP=full runs every case where `make test` runs a sample.

# sweep_sender VARIANT: ARGS = the clean sender, where every family has
# something to look up and nothing to complain about (good.test, with the
# bounce domain bounces.good.test and the sweep2 key: see their zone files),
# or one of its variants: shared, ipv6 (2001:db8::25, HELO mail6.good.test),
# mapped (::ffff:192.0.2.10), no-helo, mail-from-same (good.test),
# mail-from-foreign (espmail.test, another organization's).
sweep_sender() {
	local ip=192.0.2.10 helo=(--helo mail.good.test) from=bounces.good.test more=()
	case $1 in
	clean) ;;
	shared) more=(--shared) ;;
	ipv6) ip=2001:db8::25 helo=(--helo mail6.good.test) ;;
	mapped) ip=::ffff:192.0.2.10 ;;
	no-helo) helo=() ;;
	mail-from-same) from=good.test ;;
	mail-from-foreign) from=espmail.test ;;
	*) echo "sweep_sender: no variant $1" >&2; return 1 ;;
	esac
	ARGS=("$ip" good.test "${helo[@]}" --selector s1 --selector sweep2 --mail-from "$from" "${more[@]}")
}
# A question that gets no answer costs one --timeout: 1 s is short, yet long
# enough for the ones that do get an answer while other suites load the CPU
# (under valgrind, 3 s). No retries: loopback loses nothing.
SWEEP_TIMEOUT=${SWEEP_TIMEOUT:-1}
SWEEP_WORKERS=${SWEEP_WORKERS:-2}
if [ -n "${SA_SLOW:-}" ]; then SWEEP_TIMEOUT=3; fi

# sweep_start NAME: NSD and the RDAP server in a scratch directory TMP; RUNS
# is where the runs leave their reports. The bootstrap (BOOT, a directory)
# names the RDAP server rdap-host.good.test, which only the suites' NSD
# resolves: the servers' names are questions of the audit like any other.
sweep_start() {
	SUITE=$1
	suite_start "$1"
	rdap_server_start "$1"
	BOOT=$TMP/byname
	mkdir -p "$BOOT"
	for f in ipv4.json ipv6.json dns.json; do
		sed "s#//127.0.0.1:$HP/#//rdap-host.good.test:$HP/#g" "$TMP/boot/$f" >"$BOOT/$f"
	done
	RUNS=$TMP/runs
	mkdir -p "$RUNS"
}

# faultdns_start N: tests/faultdns.py number N in front of NSD, with its
# rule file RULES[N] (empty), its question log QLOG[N] and its address FWD[N].
RULES=()
QLOG=()
FWD=()
faultdns_start() {
	RULES[$1]=$TMP/rules.$1
	QLOG[$1]=$TMP/questions.$1
	: >"${RULES[$1]}"
	/usr/bin/python3 "$ROOT/tests/faultdns.py" "$NSD_PORT" "${RULES[$1]}" "${QLOG[$1]}" 3600 \
		>"$TMP/fwd.$1" 2>"$TMP/fwd.$1.err" &
	for _ in $(seq 1 50); do [ -s "$TMP/fwd.$1" ] && break; sleep 0.1; done
	if [ ! -s "$TMP/fwd.$1" ]; then
		echo "FAIL $SUITE: faultdns.py did not start: $(head -c 400 "$TMP/fwd.$1.err")"
		echo "$SUITE: 0 passed, 1 failed"
		exit 1
	fi
	FWD[$1]="127.0.0.1#$(cat "$TMP/fwd.$1")"
}

# sweep_audit NAME RESOLVER ARGS...: one JSON audit; leaves $RUNS/NAME.json,
# .err and .rc (the exit status) for sweep.py.
sweep_audit() {
	local name=$1 res=$2
	shift 2
	"$BIN" --format json --resolver "$res" --timeout "$SWEEP_TIMEOUT" --retries 0 \
		--rdap-bootstrap "$BOOT" --whois-server "whois-host.good.test#$WP" "$@" >"$RUNS/$name.json" \
		2>"$RUNS/$name.err" </dev/null
	echo $? >"$RUNS/$name.rc"
}

# sweep_parallel JOBS FUNC: FUNC W I WORDS... for line I (from 1) of the
# file JOBS, split into WORDS, on SWEEP_WORKERS workers (W = 0, 1, ...)
# that each take the next line no other worker has taken.
sweep_parallel() {
	local w claims pids=()
	claims=$(mktemp -d "$TMP/claims.XXXXXX")
	for ((w = 0; w < SWEEP_WORKERS; w++)); do
		(
			i=0
			while read -r -a words; do
				i=$((i + 1))
				mkdir "$claims/$i" 2>/dev/null && "$2" "$w" "$i" "${words[@]}"
			done <"$1"
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
}

# sweep_judge MODE ARGS...: tests/sweep.py over the runs; prints its lines
# and adds its counts to the suite's.
sweep_judge() {
	rm -f "$TMP/counts"
	/usr/bin/python3 "$ROOT/tests/sweep.py" "$@" "$RUNS" "$TMP/counts"
	local p=0 f=1
	[ -s "$TMP/counts" ] && read -r p f <"$TMP/counts"
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
}

# now_ms: the wall clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
