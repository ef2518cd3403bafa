#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_spf_conformance.sh SENDERAUDIT: the RFC 7208 test suite
# (../shared/conformance/spf/rfc7208-tests.yml), every scenario's zone data
# served by NSD, every test run through `senderaudit spf`. Prints
# "SPF conformance: N/M". A test that fails is a failure of this suite
# unless tests/spf-deviations.md lists it (as `scenario-index/test-name`).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"
SUITE=${SPF_SUITE:-${SA_SHARED:-$ROOT/../shared}/conformance/spf/rfc7208-tests.yml}
TMP=$(mktemp -d /tmp/senderaudit-spfconf.XXXXXX)
trap 'nsd_stop; rm -rf "$TMP"' EXIT

if [ ! -f "$SUITE" ]; then
	echo "suite_spf_conformance: $SUITE not found" >&2
	bad "the conformance suite is missing"
	finish spf_conformance
	exit 0
fi
/usr/bin/python3 "$ROOT/tests/spf-conformance.py" "$SUITE" "$TMP" || { bad "converting the suite"; finish spf_conformance; exit 1; }
DEV=$(grep -o '`[0-9][0-9]/[^`]*`' "$ROOT/tests/spf-deviations.md" 2>/dev/null | tr -d '`')
total=0 good=0 second=0
for dir in "$TMP"/[0-9][0-9]; do
	sc=$(basename "$dir")
	if ! nsd_start "$dir"; then
		bad "NSD for scenario $sc"
		continue
	fi
	while IFS=$'\x1f' read -r name host mailfrom helo want; do
		total=$((total + 1))
		args=(spf "$host" "$mailfrom" --format json --resolver "127.0.0.1#$NSD_PORT" --timeout 2 --retries 0)
		[ -n "$helo" ] && args+=(--helo "$helo")
		out=$("$BIN" "${args[@]}" 2>"$TMP/err")
		rc=$?
		got=$(printf '%s' "$out" | jq -r .result 2>/dev/null)
		[ -n "$got" ] || got="(rc $rc: $(head -c 200 "$TMP/err"))"
		case_ "spf conformance $sc/$name"
		got2=$(printf '%s' "$out" | jq -r '.libspf2.result // empty' 2>/dev/null)
		[[ -n "$got2" && ",$want," == *",$got2,"* ]] && second=$((second + 1))
		if [[ ",$want," == *",$got,"* ]]; then
			good=$((good + 1))
			ok
		elif grep -qxF "$sc/$name" <<<"$DEV"; then
			echo "  known deviation $sc/$name: got $got, suite wants $want"
			ok
		else
			bad "$sc/$name: got $got, suite wants $want"
		fi
		if grep -q 'AddressSanitizer\|runtime error' "$TMP/err"; then
			bad "$sc/$name: sanitizer report"
			cat "$TMP/err" >&2
		fi
	done <"$dir/tests.tsv"
	nsd_stop
done
echo "SPF conformance: $good/$total"
# libspf2's own verdicts on the same data, for the README's comparison
echo "SPF conformance of the libspf2 second opinion: $second/$total"
finish spf_conformance
