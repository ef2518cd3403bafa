#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_sweep_options.sh SENDERAUDIT: the option sweep. The clean sender
# (tests/sweep.sh) with --only and with --skip of every check id and every
# category of --list-checks, and every category with --only under each
# variant of the sender (shared, IPv6, IPv4-mapped, no HELO, MAIL FROM at
# the domain itself and at another organization). No run may crash or lose
# a check; the checks turned off are there, as skip, and only they.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/nsd.sh
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"
source "$ROOT/tests/rdapsrv.sh"
source "$ROOT/tests/sweep.sh"

sweep_start sweep_options
"$BIN" --list-checks | awk '{ print $1 }' >"$TMP/catalogue"
case_ "--list-checks"
if [ "$(wc -l <"$TMP/catalogue")" -ge 20 ]; then ok; else bad "$CASE: $(head -c 300 "$TMP/catalogue")"; fi
awk -F. '!seen[$1]++ { print $1 }' "$TMP/catalogue" >"$TMP/categories"

# The runs, one a line: only|skip, the list, the variant of the sender.
{
	for sel in $(cat "$TMP/catalogue" "$TMP/categories"); do
		echo "only $sel clean"
		echo "skip $sel clean"
	done
	for cat in $(cat "$TMP/categories"); do
		for v in shared ipv6 mapped no-helo mail-from-same mail-from-foreign; do
			echo "only $cat $v"
		done
	done
} >"$TMP/jobs"
# one W I only|skip LIST VARIANT: run I, straight to NSD.
one() {
	sweep_sender "$5" && sweep_audit "$2" "$R" "--$3" "$4" "${ARGS[@]}"
}
t0=$(now_ms)
sweep_parallel "$TMP/jobs" one
t1=$(now_ms)
echo "option sweep: $(wc -l <"$TMP/jobs") audits in $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s on $SWEEP_WORKERS workers"
sweep_judge options "$TMP/catalogue" "$TMP/jobs"

finish sweep_options
