#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_dkim_conformance.sh SENDERAUDIT: the signed messages of
# ../shared/conformance/dkim/ (stalwartlabs/mail-auth's six, the two bundles
# derived from dkimpy's data) verified by lib/message/dkimverify with their
# key records served by NSD, and dkimpy's bad key records (wrong version,
# unknown k=, corrupt key, s=tlsrpt; the implicit k=rsa one that must pass)
# served in turn for the RFC 8463 example's RSA signature. Prints
# "DKIM conformance: N/M". x= is judged at the vectors' own verification
# time (1667843664, 2022-11-07, as mail-auth's tests do); the same messages
# also go through the binary (--message) on the real clock, where mail-auth
# 005's signature has expired. A signature that does not get its expected
# result fails the suite unless tests/dkim-deviations.md lists it.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
source "$ROOT/tests/harness.sh"
DKIM=${SA_SHARED:-$ROOT/../shared}/conformance/dkim
TOOL=${SA_TOOLS:-$ROOT/build/asan/tests/tools}/dkimv
NOW=1667843664
TMP=$(mktemp -d /tmp/senderaudit-dkimconf.XXXXXX)
trap 'nsd_stop; rm -rf "$TMP"' EXIT

if [ ! -d "$DKIM" ] || [ ! -x "$TOOL" ]; then
	bad "the DKIM vectors ($DKIM) or the dkimv tool ($TOOL) are missing"
	finish dkim_conformance
	exit 1
fi
DEV=$(grep -o '`[a-z0-9_./-]*#[0-9]*`' "$ROOT/tests/dkim-deviations.md" 2>/dev/null | tr -d '`')

# zones DIR FILE...: the key record lines of the bundles (or "name record"
# files) as one zone per signing domain.
zones() {
	local dir=$1
	shift
	mkdir -p "$dir"
	/usr/bin/python3 - "$dir" "$@" <<'PY'
import sys, collections
out, files = sys.argv[1], sys.argv[2:]
recs = collections.OrderedDict()
for f in files:
    for line in open(f, encoding="utf-8", errors="replace").read().split("\n"):
        if not line.strip():
            break
        name, _, value = line.rstrip("\r").partition(" ")
        recs[name.lower()] = value
zones = collections.defaultdict(list)
for name, value in recs.items():
    sel, _, dom = name.partition("._domainkey.")
    chunks = [value[i:i + 250] for i in range(0, len(value), 250)] or [""]
    txt = " ".join('"%s"' % c.replace("\\", "\\\\").replace('"', '\\"') for c in chunks)
    zones[dom].append("%s._domainkey IN TXT %s" % (sel, txt))
for dom, lines in zones.items():
    with open("%s/%s.zone" % (out, dom), "w") as z:
        z.write("$ORIGIN %s.\n$TTL 300\n@ IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300\n@ IN NS ns.test.\n" % dom)
        z.write("\n".join(lines) + "\n")
PY
}

total=0 good=0
# check NAME FILE FIELD WANT: the signature in field FIELD of FILE has result WANT.
check() {
	local name=$1 file=$2 field=$3 want=$4 got why
	total=$((total + 1))
	case_ "dkim conformance $name#$field"
	got=$(awk -F'\t' -v f="$field" '$1 == f {print $4}' "$TMP/out.$name")
	why=$(awk -F'\t' -v f="$field" '$1 == f {print $5}' "$TMP/out.$name")
	if [ "$got" = "$want" ]; then
		good=$((good + 1))
		ok
	elif grep -qxF "$name#$field" <<<"$DEV"; then
		echo "  known deviation $name#$field: got ${got:-nothing} ($why), want $want"
		ok
	else
		bad "$name#$field: got ${got:-nothing} ($why), want $want"
	fi
}
run_tool() { # run_tool NAME FILE: verify FILE against the running NSD
	"$TOOL" "127.0.0.1#$NSD_PORT" "$NOW" "$2" >"$TMP/out.$1" 2>"$TMP/err.$1"
	if grep -q 'Sanitizer\|runtime error' "$TMP/err.$1"; then bad "$1: sanitizer report: $(head -c 300 "$TMP/err.$1")"; fi
}

# ------------------------------------------------ the signed messages
BUNDLES=("$DKIM"/mail-auth/*.txt "$DKIM"/derived/*.txt)
zones "$TMP/zones" "${BUNDLES[@]}"
if ! nsd_start "$TMP/zones"; then
	bad "NSD did not start"
	finish dkim_conformance
	exit 1
fi
for f in "${BUNDLES[@]}"; do
	name=$(basename "$(dirname "$f")")/$(basename "$f" .txt)
	key=${name//\//_}
	run_tool "$key" "$f"
	n=$(grep -c '^DKIM-Signature:' "$f")
	for i in $(seq 1 "$n"); do
		total_before=$total
		check "$key" "$f" "$i" pass
		[ $total = $total_before ] && bad "no result for $name#$i"
	done
done

# The binary on the same messages, on the real clock: every signature's
# result in message.dkim, and 005's expired signature a permerror (fail).
for f in "${BUNDLES[@]}"; do
	key=$(basename "$(dirname "$f")")_$(basename "$f" .txt)
	case_ "senderaudit --message $key"
	sed '1,/^\r\?$/d' "$f" >"$TMP/msg.eml"
	"$BIN" --format json --resolver "127.0.0.1#$NSD_PORT" --timeout 2 --only message.dkim \
		--message "$TMP/msg.eml" 192.0.2.10 example.com >"$TMP/bin.json" 2>"$TMP/bin.err"
	n=$(grep -c '^DKIM-Signature:' "$f")
	got=$(jq -r '[.checks[] | select(.id == "message.dkim") | .data.result] | join(",")' "$TMP/bin.json" 2>/dev/null)
	want=$(for _ in $(seq 1 "$n"); do printf 'pass,'; done)
	want=${want%,}
	[ "$key" = mail-auth_005 ] && want=permerror
	if [ "$got" = "$want" ]; then ok; else bad "$CASE: results '$got', want '$want' ($(head -c 300 "$TMP/bin.err"))"; fi
done
nsd_stop

# ------------------------------------------------ dkimpy's key records
# The RSA signature (field 2) of the RFC 8463 example (mail-auth 001),
# verified against each of dkimpy's variants of its key.
variant() { # variant FILE WANT
	local v=$1 want=$2 name
	name=dkimpy_$(basename "$v" .txt)
	rm -rf "$TMP/vz"
	printf 'test._domainkey.football.example.com %s\n\n' "$(tr -d '\r\n' <"$v")" >"$TMP/var.txt"
	zones "$TMP/vz" "$TMP/var.txt"
	printf 'brisbane._domainkey.football.example.com v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n\n' >"$TMP/var2.txt"
	if ! nsd_start "$TMP/vz"; then
		bad "NSD for $name"
		return
	fi
	run_tool "$name" "$DKIM/mail-auth/001.txt"
	check "$name" "$DKIM/mail-auth/001.txt" 2 "$want"
	nsd_stop
}
variant "$DKIM/dkimpy/test.txt" pass
variant "$DKIM/dkimpy/test2.txt" pass
variant "$DKIM/dkimpy/badversion.txt" permerror
variant "$DKIM/dkimpy/badk.txt" permerror
variant "$DKIM/dkimpy/test_bad.txt" permerror
variant "$DKIM/dkimpy/test_tlsrpt.txt" permerror

echo "DKIM conformance: $good/$total"
finish dkim_conformance
