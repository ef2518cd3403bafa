#!/usr/bin/env bash
# demo.sh SENDERAUDIT: a full audit against the bundled test zones, served by
# NSD on a loopback port. No internet needed.
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/nsd.sh"
nsd_start "$ROOT/testdata/zones" || exit 1
trap nsd_stop EXIT
R="127.0.0.1#$NSD_PORT"
echo "== NSD serves testdata/zones on $R"
echo
echo "== A well-run sender:"
echo "\$ senderaudit --resolver $R --helo mail.good.test 192.0.2.10 good.test"
"$BIN" --resolver "$R" --helo mail.good.test 192.0.2.10 good.test
echo "(exit status $?)"
echo
echo "== A sender on a dynamic address, with a bad HELO and a null MX for bounces:"
echo "\$ senderaudit --resolver $R --helo localhost --mail-from nullmx.test 192.0.2.17 good.test"
"$BIN" --resolver "$R" --helo localhost --mail-from nullmx.test 192.0.2.17 good.test
echo "(exit status $?)"
exit 0
