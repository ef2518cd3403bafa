#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_install.sh SENDERAUDIT: `make install` honours PREFIX and DESTDIR,
# `make uninstall` removes what it installed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
TMP=$(mktemp -d /tmp/senderaudit-install.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cd "$ROOT" || exit 1

if make -s install PREFIX="$TMP/x" >"$TMP/log" 2>&1; then ok; else bad "make install PREFIX: $(tail -n 5 "$TMP/log")"; fi
[ -x "$TMP/x/bin/senderaudit" ] && ok || bad "bin/senderaudit not installed"
[ -f "$TMP/x/share/man/man1/senderaudit.1" ] && ok || bad "share/man/man1/senderaudit.1 not installed"
for f in share/bash-completion/completions/senderaudit share/zsh/site-functions/_senderaudit share/fish/vendor_completions.d/senderaudit.fish; do
	[ -f "$TMP/x/$f" ] && ok || bad "$f not installed"
done
if "$TMP/x/bin/senderaudit" --version | grep -Eq '^senderaudit [0-9]+\.[0-9]+\.[0-9]+$'; then ok; else bad "installed binary does not run"; fi
make -s uninstall PREFIX="$TMP/x" >/dev/null 2>&1
[ -z "$(find "$TMP/x" -type f)" ] && ok || bad "make uninstall left files: $(find "$TMP/x" -type f | tr '\n' ' ')"

make -s install PREFIX=/usr DESTDIR="$TMP/stage" >/dev/null 2>&1
[ -x "$TMP/stage/usr/bin/senderaudit" ] && [ -f "$TMP/stage/usr/share/man/man1/senderaudit.1" ] &&
	[ -f "$TMP/stage/usr/share/bash-completion/completions/senderaudit" ] && ok || bad "DESTDIR not honoured"

finish install
