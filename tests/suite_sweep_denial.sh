#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_sweep_denial.sh SENDERAUDIT: the denial sweep. The clean sender
# and its variants (tests/sweep.sh: shared, IPv6, IPv4-mapped, other
# --mail-from domains), through tests/faultdns.py answering NXDOMAIN to every
# question: a resolver that denies every name (captive portal, broken
# filter, split horizon) must not produce a single `fail`, and the audit
# exits 3 (nothing could be determined).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/nsd.sh
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"
source "$ROOT/tests/rdapsrv.sh"
source "$ROOT/tests/sweep.sh"

sweep_start sweep_denial
faultdns_start 0
echo '* * nxdomain' >"${RULES[0]}"

# The audits, one a line: the variants of the clean sender.
printf '%s\n' clean shared ipv6 mapped mail-from-same mail-from-foreign >"$TMP/jobs"
# one W I VARIANT: run I.
one() {
	sweep_sender "$3" && sweep_audit "$2" "${FWD[0]}" "${ARGS[@]}"
}
sweep_parallel "$TMP/jobs" one
sweep_judge denial "$TMP/jobs"

finish sweep_denial
