#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_trust.sh SENDERAUDIT: one regression test per defect of the trust
# issue (#12), each a way a failed lookup, a disabled check or an unusual
# input form became a verdict. Every case failed before its fix.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/nsd.sh
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"

suite_start trust

# audit ARGS...: a JSON audit against NSD (no RDAP); sets RC and OUT.
audit() {
	OUT=$TMP/out.json
	"$BIN" --format json --resolver "$R" --timeout 2 --skip rdap "$@" >"$OUT" 2>"$TMP/err"
	RC=$?
	if /usr/bin/python3 "$ROOT/tests/validate-json.py" "$OUT" 2>"$TMP/schema"; then
		ok
	else
		bad "$CASE: rc=$RC, JSON report is not schema-valid: $(head -c 300 "$TMP/schema") (stderr: $(head -c 300 "$TMP/err"))"
	fi
	remedies_ok
}

# 1. Disabling dmarc.alignment left dmarc.record reading a walk that never ran.
case_ "1: --skip dmarc.alignment with another MAIL FROM domain"
audit --only dmarc --skip dmarc.alignment --mail-from other.test 192.0.2.10 good.test
expect dmarc.record pass
expect dmarc.alignment skip
case_ "1: --only dmarc.record with another MAIL FROM domain"
audit --only dmarc.record --mail-from other.test 192.0.2.10 good.test
expect dmarc.record pass
expect dmarc.policy skip

# 2. A partial tree cannot prove that ptr is absent.
case_ "2: an include that could not be read"
audit --only spf --mail-from inclfail.spf.test 192.0.2.10 good.test
expect spf.ptr error
expect spf.lookups error
expect spf.all pass

# 3. A redirect= target that could not be read has an unknown "all", not none.
case_ "3: a redirect= target that could not be read"
audit --only spf --mail-from redirfail.spf.test 192.0.2.10 good.test
expect spf.all error
expect_jq '[.checks[] | select(.id == "spf.all")][0].summary | test("has none") | not' "no claim of a missing all"

# 4. The record lookup itself failed: error, not "no SPF record to read".
case_ "4: the SPF record lookup failed"
audit --only spf --mail-from x.broken.test 192.0.2.10 good.test
for id in spf.record spf.pass spf.lookups spf.all spf.ptr; do
	expect $id error
done

# 5. The PTR name's domain was never asked about when the PTR lookup failed.
case_ "5: dnsbl.domain when the PTR lookup fails"
audit --only dnsbl.domain 203.0.113.5 good.test
expect_jq '[.checks[] | select(.id == "dnsbl.domain" and .subject != null)] | length > 0 and all(.status == "error")' \
	"every domain list is error"
expect_rc 3

# 6. An IPv4-mapped IPv6 address is the IPv4 sender.
case_ "6: ::ffff:192.0.2.200 is 192.0.2.200 (listed on ZEN)"
audit --only dnsbl.ip,rdns.ptr ::ffff:192.0.2.200 good.test
expect dnsbl.ip fail zen.spamhaus.org
expect_jq '.target.ip == "192.0.2.200" and .target.ip_given == "::ffff:192.0.2.200"' "target says how the IP was given"
expect_jq '[.checks[] | select(.id == "dnsbl.ip" and .status == "skip")] | length == 0' "no list skipped as IPv6-only"
case_ "6: ::ffff:192.0.2.10 resolves like 192.0.2.10"
audit --only rdns ::ffff:192.0.2.10 good.test
expect rdns.ptr pass
expect rdns.fcrdns pass
"$BIN" --resolver "$R" --only rdns.ptr ::ffff:192.0.2.10 good.test >"$TMP/text" 2>&1
if grep -q "192.0.2.10 (given as ::ffff:192.0.2.10" "$TMP/text"; then ok; else bad "$CASE: the text report does not say how the IP was given: $(head -c 200 "$TMP/text")"; fi

# 7. A resolver that denies every name made confident fails. denydns.py
# answers NXDOMAIN to everything except what its mode admits: "all" denies
# the root's NS too; "tld" answers the root's NS but denies the TLDs; "honest"
# answers the root's and every TLD's NS (so its NXDOMAINs stand).
cat >"$TMP/denydns.py" <<'PY'
import socket, sys
import dns.message, dns.rcode, dns.rdatatype, dns.rrset, dns.flags
mode = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    data, peer = s.recvfrom(4096)
    try:
        q = dns.message.from_wire(data)
    except Exception:
        continue
    r = dns.message.make_response(q)
    r.flags |= dns.flags.RA
    qn, qt = q.question[0].name, q.question[0].rdtype
    labels = len(qn.labels) - 1
    admit = qt == dns.rdatatype.NS and ((mode != "all" and labels == 0) or (mode == "honest" and labels == 1))
    if admit:
        r.answer.append(dns.rrset.from_text(qn, 300, "IN", "NS", "ns.example."))
    else:
        r.set_rcode(dns.rcode.NXDOMAIN)
    s.sendto(r.to_wire(), peer)
PY
deny_start() { # deny_start MODE: sets DENY ("127.0.0.1#PORT")
	/usr/bin/python3 "$TMP/denydns.py" "$1" >"$TMP/deny.$1" &
	for _ in $(seq 1 50); do [ -s "$TMP/deny.$1" ] && break; sleep 0.1; done
	DENY="127.0.0.1#$(cat "$TMP/deny.$1")"
}
deny_start all
DENY_ALL=$DENY
deny_start tld
DENY_TLD=$DENY
deny_start honest
DENY_HONEST=$DENY
for mode in all tld; do
	case_ "7: a resolver that denies every name ($mode)"
	[ $mode = all ] && D=$DENY_ALL || D=$DENY_TLD
	OUT=$TMP/out.json
	"$BIN" --format json --resolver "$D" --timeout 2 --skip rdap --helo mail.good.test --selector s1 \
		--mail-from other.test 192.0.2.10 good.test >"$OUT" 2>"$TMP/err"
	RC=$?
	expect_rc 3
	expect_jq '[.checks[] | select(.status == "fail")] | length == 0' "no fail"
	expect rdns.ptr error
	expect mx.bounces error
	expect spf.record error
	expect dmarc.record error
	expect_jq '[.checks[] | select(.id == "mx.bounces")][0].detail | test("UNTRUSTED") and test("denies names that exist")' \
		"the error says why the answer is not trusted"
done
case_ "7: a resolver whose canaries answer: its NXDOMAIN stands"
OUT=$TMP/out.json
"$BIN" --format json --resolver "$DENY_HONEST" --timeout 2 --only mx,rdns.ptr 192.0.2.10 good.test >"$OUT" 2>"$TMP/err"
RC=$?
expect mx.bounces fail
expect rdns.ptr fail
expect_rc 2

# 10. An empty batch is not a passing one.
case_ "10: --batch with a directory: usage error"
mkdir -p "$TMP/adir"
"$BIN" --resolver "$R" --batch "$TMP/adir" >"$TMP/out" 2>"$TMP/err"
RC=$?
expect_rc 64
grep -q "is a directory" "$TMP/err" && ok || bad "$CASE: stderr: $(head -c 200 "$TMP/err")"
for what in empty comments malformed; do
	case_ "10: --batch with a file of no sender ($what)"
	case $what in
	empty) : >"$TMP/batch" ;;
	comments) printf '# senders to come\n\n   \n' >"$TMP/batch" ;;
	malformed) printf '192.0.2.10\n' >"$TMP/batch" ;;
	esac
	"$BIN" --resolver "$R" --format json --batch "$TMP/batch" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	expect_rc 3
	grep -q "holds no sender" "$TMP/err" && ok || bad "$CASE: stderr: $(head -c 200 "$TMP/err")"
	[ ! -s "$TMP/out" ] && ok || bad "$CASE: something on stdout"
done

# 11. A report (or help) that cannot be written is not a success.
echo "192.0.2.10 good.test" >"$TMP/senders"
for args in "--help" "--version" "--list-checks" "--only rdns.ptr --resolver $R 192.0.2.10 good.test" \
	"spf --resolver $R 192.0.2.10 good.test" "--only rdns.ptr --resolver $R --batch $TMP/senders"; do
	case_ "11: senderaudit $args, stdout to /dev/full"
	# shellcheck disable=SC2086
	"$BIN" $args >/dev/full 2>"$TMP/err"
	RC=$?
	[ "$RC" != 0 ] && grep -q "cannot write" "$TMP/err" && ok || bad "$CASE: exit $RC, stderr: $(head -c 200 "$TMP/err")"
	case_ "11: senderaudit $args, stdout closed"
	# shellcheck disable=SC2086
	"$BIN" $args >&- 2>"$TMP/err"
	RC=$?
	[ "$RC" != 0 ] && grep -q "cannot write" "$TMP/err" && ok || bad "$CASE: exit $RC, stderr: $(head -c 200 "$TMP/err")"
done

# 12. Arguments echoed in error messages are escaped and marked when cut.
case_ "12: escape sequences and newlines in an argument"
"$BIN" --resolver "$R" $'192.0.2.1\e[31mRED\nsecond' good.test >/dev/null 2>"$TMP/err"
RC=$?
expect_rc 64
[ "$(wc -l <"$TMP/err")" = 1 ] && ok || bad "$CASE: the message is $(wc -l <"$TMP/err") lines"
grep -q $'\e' "$TMP/err" && bad "$CASE: a raw escape reached stderr" || ok
grep -qF '\x1b[31mRED\x0asecond' "$TMP/err" && ok || bad "$CASE: not shown escaped: $(cat -v "$TMP/err")"
for args in "--format X 1.2.3.4 good.test" "--only X 1.2.3.4 good.test" "--resolver X 1.2.3.4 good.test" \
	"--helo X 1.2.3.4 good.test" "--selector X 1.2.3.4 good.test" "--mail-from X 1.2.3.4 good.test" \
	"--whois-server X 1.2.3.4 good.test" "--timeout X 1.2.3.4 good.test" "X good.test" "192.0.2.1 X"; do
	case_ "12: a long, hostile value for: $args"
	long=$'\e]0;title\a'$(printf 'a%.0s' $(seq 1 120))
	# shellcheck disable=SC2086
	set -- ${args//X/LONGVALUE}
	"$BIN" "${@//LONGVALUE/$long}" >/dev/null 2>"$TMP/err"
	RC=$?
	expect_rc 64
	[ "$(wc -l <"$TMP/err")" = 1 ] && ! grep -q $'[\e\a]' "$TMP/err" && ok || bad "$CASE: $(cat -v "$TMP/err")"
	grep -q '…' "$TMP/err" && ok || bad "$CASE: a value cut without an ellipsis: $(cat -v "$TMP/err")"
done
case_ "12: the --resolver message names the option"
"$BIN" --resolver '127.0.0.1#99999' 192.0.2.1 good.test >/dev/null 2>"$TMP/err"
grep -q '^senderaudit: --resolver: ' "$TMP/err" && ok || bad "$CASE: $(cat "$TMP/err")"

# 13. A provider's customer zone in the PSL's private section hides the IP.
for ip in 192.0.2.41 192.0.2.42; do
	case_ "13: rdns.generic below a private-section suffix ($ip)"
	audit --only rdns.generic $ip good.test
	expect_jq '[.checks[] | select(.id == "rdns.generic")][0] | (.status == "warn" or .status == "fail") and (.detail | test("octets"))' \
		"the octets below the ICANN registrable domain count"
done

# 14. A HELO that is no host name is fixed in the greeting, not in DNS.
for h in localhost '[192.0.2.10]'; do
	case_ "14: helo.spf remedy for HELO $h"
	audit --only helo.spf --helo "$h" 192.0.2.10 good.test
	expect_jq '[.checks[] | select(.id == "helo.spf")][0] | (.status == "warn" or .status == "fail") and (.remedy | test("greet")) and (.remedy | test("at localhost|at \\[") | not)' \
		"the remedy points at the HELO name, not a record at it"
done

finish trust
