#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_cli.sh SENDERAUDIT: argument handling. Every invalid argument is rejected
# with exit 64 and one line on stderr, before any lookup (a resolver that
# never answers would make a lookup take seconds).
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
TMP=$(mktemp -d /tmp/senderaudit-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# usage_error DESCRIPTION ARGS...: exit 64, exactly one line on stderr that
# points at --help, nothing on stdout, and no time spent on lookups.
usage_error() {
	local what=$1
	shift
	local t0 ms
	t0=$(date +%s%N)
	"$BIN" --resolver 127.0.0.1#9 --timeout 5 "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ $rc = 64 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -Eq -- '\(see senderaudit (--help|--list-checks|spf --help)\)$' "$TMP/err" && [ ! -s "$TMP/out" ] &&
		[ $ms -lt "$(budget 2000)" ]; then
		ok
	else
		bad "$what: rc=$rc, ${ms} ms, stderr: $(head -c 300 "$TMP/err")"
	fi
}

usage_error "no arguments"
usage_error "one argument" 192.0.2.1
usage_error "three arguments" 192.0.2.1 example.com extra
usage_error "invalid IPv4" 192.0.2.256 example.com
usage_error "IPv4 with leading zeros" 192.0.02.1 example.com
usage_error "invalid IPv6" 2001:db8:::1 example.com
usage_error "IP with prefix" 192.0.2.0/24 example.com
usage_error "a name as IP" mail.example.com example.com
usage_error "domain with underscore" 192.0.2.1 ex_ample.com
usage_error "single-label domain" 192.0.2.1 localhost
usage_error "domain too long" 192.0.2.1 "$(printf 'a%.0s' $(seq 1 64)).com"
usage_error "domain that is an IP" 192.0.2.1 192.0.2.1
usage_error "unknown option" --frobnicate 192.0.2.1 example.com
usage_error "unknown short option" -x 192.0.2.1 example.com
usage_error "option without value" 192.0.2.1 example.com --helo
usage_error "unknown check id" --only rdns.nope 192.0.2.1 example.com
usage_error "unknown category" --skip nope 192.0.2.1 example.com
usage_error "bad --format" --format xml 192.0.2.1 example.com
usage_error "--fail-on new without --baseline" --fail-on new 192.0.2.1 example.com
usage_error "--baseline missing" --baseline /nonexistent 192.0.2.1 example.com
usage_error "--replay-dns missing" --replay-dns /nonexistent 192.0.2.1 example.com
usage_error "--replay-dns with --resolver" --replay-dns /dev/null 192.0.2.1 example.com
usage_error "empty --only" --only , 192.0.2.1 example.com
usage_error "bad --format" --format xml 192.0.2.1 example.com
usage_error "bad --fail-on" --fail-on error 192.0.2.1 example.com
usage_error "bad --color" --color sometimes 192.0.2.1 example.com
usage_error "--timeout not a number" --timeout soon 192.0.2.1 example.com
usage_error "--timeout zero" --timeout 0 192.0.2.1 example.com
usage_error "--timeout too large" --timeout 1e9 192.0.2.1 example.com
usage_error "--retries fraction" --retries 1.5 192.0.2.1 example.com
usage_error "--resolver not an address" --resolver dns.example 192.0.2.1 example.com
usage_error "--resolver bad port" --resolver '127.0.0.1#99999' 192.0.2.1 example.com
usage_error "four resolvers" --resolver 127.0.0.1 --resolver 127.0.0.2 --resolver 127.0.0.3 192.0.2.1 example.com
usage_error "--mail-from not a domain" --mail-from 'not a domain' 192.0.2.1 example.com
usage_error "--helo with a control character" --helo $'mail\x1b[31m.example.com' 192.0.2.1 example.com
usage_error "--helo empty" --helo '' 192.0.2.1 example.com

# Internationalised domains are accepted and converted to A-labels.
"$BIN" --format json --resolver 127.0.0.1#1 --timeout 0.2 --retries 0 --only mx 192.0.2.1 'bücher.example' >"$TMP/out" 2>/dev/null
if [ "$(jq -r .target.domain "$TMP/out")" = "xn--bcher-kva.example" ]; then ok; else bad "IDN domain not converted: $(head -c 200 "$TMP/out")"; fi

# --help, --version, --list-checks
"$BIN" --help >"$TMP/out" 2>&1 && grep -q '^Usage: senderaudit' "$TMP/out" && ok || bad "--help"
"$BIN" -h >"$TMP/out" 2>&1 && grep -q '^Usage: senderaudit' "$TMP/out" && ok || bad "-h"
if "$BIN" --version >"$TMP/out" 2>&1 && grep -Eq '^senderaudit [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"; then ok; else bad "--version: $(cat "$TMP/out")"; fi
if "$BIN" --list-checks >"$TMP/out" 2>&1 && grep -q '^rdns.ptr ' "$TMP/out" && grep -q '^mx.bounces ' "$TMP/out"; then ok; else bad "--list-checks"; fi
# the catalogue order of checks.md
if [ "$(awk '{print $1}' "$TMP/out" | head -n 1)" = "rdns.ptr" ]; then ok; else bad "--list-checks order"; fi

# The rough edges a new user found (issue 17), one test each.
case_ "values that are not plain decimals"
usage_error "--timeout 0x10" --timeout 0x10 192.0.2.1 example.com
usage_error "--timeout 1e1" --timeout 1e1 192.0.2.1 example.com
usage_error "--timeout ' 5'" --timeout ' 5' 192.0.2.1 example.com
usage_error "--retries 0x1" --retries 0x1 192.0.2.1 example.com
usage_error "--jobs +3" --jobs +3 --batch /dev/null
"$BIN" --timeout 0.5 --retries 1 --help >/dev/null 2>&1 && ok || bad "$CASE: --timeout 0.5 --retries 1 refused"

case_ "--dnsbl none with zones"
usage_error "--dnsbl zen.spamhaus.org,none" --dnsbl zen.spamhaus.org,none 192.0.2.1 example.com
usage_error "--dnsbl none,+zen" --dnsbl none,+zen.spamhaus.org 192.0.2.1 example.com
"$BIN" --dnsbl zen.spamhaus.org,none 192.0.2.1 example.com 2>&1 | grep -q 'none disables every list' && ok || bad "$CASE: message"

case_ "an unknown check id: one hint"
"$BIN" --only nothing 192.0.2.1 example.com >/dev/null 2>"$TMP/err"
RC=$?
expect_rc 64
[ "$(grep -o '(see ' "$TMP/err" | wc -l)" = 1 ] && grep -q "unknown check or category 'nothing' (see senderaudit --list-checks)$" "$TMP/err" && ok ||
	bad "$CASE: $(cat "$TMP/err")"

case_ "--resolver's message names the option"
"$BIN" --resolver '127.0.0.1#99999' 192.0.2.1 example.com >/dev/null 2>"$TMP/err"
RC=$?
expect_rc 64
grep -q '^senderaudit: --resolver: ' "$TMP/err" && ok || bad "$CASE: $(cat "$TMP/err")"

case_ "senderaudit help"
"$BIN" help >"$TMP/out" 2>"$TMP/err"
RC=$?
expect_rc 0
head -n 1 "$TMP/out" | grep -q '^Usage: senderaudit' && [ ! -s "$TMP/err" ] && ok || bad "$CASE: $(head -c 200 "$TMP/err")"
"$BIN" help spf | head -n 1 | grep -q '^Usage: senderaudit spf ' && ok || bad "$CASE: help spf"

case_ "senderaudit spf --help"
"$BIN" spf --help >"$TMP/out" 2>&1
RC=$?
expect_rc 0
head -n 1 "$TMP/out" | grep -q '^Usage: senderaudit spf \[OPTIONS\] IP SENDER$' && ok || bad "$CASE: $(head -n 1 "$TMP/out")"
for o in --helo --format --resolver --timeout --retries --save-dns --replay-dns; do
	grep -q -- "^  $o " "$TMP/out" && ok || bad "$CASE: $o missing from spf --help"
done
! grep -q -- '--only\|--batch' "$TMP/out" && ok || bad "$CASE: audit options in spf --help"
"$BIN" --help | sed -n '/senderaudit spf/,/--list-checks/p' >"$TMP/syn"
grep -q -- '--timeout SECONDS' "$TMP/syn" && grep -q -- '--retries N' "$TMP/syn" && ok || bad "$CASE: the --help synopsis of spf lacks --timeout/--retries"

case_ "spf rejects the audit's options"
for o in "--only rdns" "-q" "--color never" "--skip spf" "--selector s1" "--dnsbl none" "--fail-on fail" "--shared" "--jobs 2" "--baseline /dev/null" "--format nagios"; do
	# shellcheck disable=SC2086
	"$BIN" spf $o 192.0.2.1 example.com >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ $rc = 64 ] && [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q '(see senderaudit spf --help)$' "$TMP/err" && ok || bad "$CASE: spf $o: rc=$rc, $(cat "$TMP/err")"
done
"$BIN" spf --timeout 0.2 --retries 0 --resolver 127.0.0.1#9 192.0.2.1 example.com >/dev/null 2>&1
RC=$?
expect_rc 3

case_ "--skip given more than once adds up, each --only narrows"
# (the last one used to win: a second --skip re-enabled what the first skipped)
"$BIN" --resolver 127.0.0.1#9 --timeout 0.2 --retries 0 --format json --only rdns,helo,spf.record,dnsbl \
	--only rdns.ptr,helo.syntax,spf,dnsbl.ip --skip helo --skip dnsbl 192.0.2.1 example.com >"$TMP/out" 2>/dev/null
/usr/bin/python3 - "$TMP/out" <<'PY' && ok || bad "$CASE: $(head -c 300 "$TMP/out")"
import json, sys
d = json.load(open(sys.argv[1]))
st = {}
for f in d["checks"]:
    st.setdefault(f["id"], set()).add(f["status"])
ran = {i for i, s in st.items() if s != {"skip"}}
sys.exit(0 if ran == {"rdns.ptr", "spf.record"} else 1)
PY
usage_error "--only lists with no check in common" --only rdns --only spf 192.0.2.1 example.com
usage_error "--skip 33 times" $(for _ in $(seq 33); do printf -- '--skip rdns '; done) 192.0.2.1 example.com

case_ "--list-checks is aligned"
"$BIN" --list-checks >"$TMP/out"
[ "$(awk '{ print index($0, " " $2 " ") }' "$TMP/out" | sort -u | wc -l)" = 1 ] && ok || bad "$CASE: the category column moves: $(grep rdap.domain.contact "$TMP/out")"

case_ "1 lookup, not 1 lookups"
"$BIN" -v --resolver 127.0.0.1#9 --timeout 0.2 --retries 0 --only rdns.ptr 192.0.2.1 example.com >/dev/null 2>"$TMP/err"
! grep -Eq '(^|[^0-9])1 (lookups|packets)' "$TMP/err" && ok || bad "$CASE: $(grep -E '1 (lookups|packets)' "$TMP/err")"

finish cli
