#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_lint.sh SENDERAUDIT: the tree is kept clean: every C file formatted
# by the root's .clang-format, every source file with its SPDX line, the
# man page without mandoc warnings (what `make lint` checks, counted here).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
cd "$ROOT" || exit 1

case_ "clang-format: every C file as .clang-format wants it"
if command -v clang-format >/dev/null; then
	files=$(ls cli/*.[ch] checks/*.[ch] report/*.[ch] lib/*/*.[ch] tests/*.[ch] tests/*/*.[ch] fuzz/*.c bench/*.c 2>/dev/null)
	out=$(clang-format --dry-run $files 2>&1 | grep 'warning:' | cut -d: -f1 | sort -u | head -n 10 | tr '\n' ' ')
	[ -z "$out" ] && ok || bad "$CASE: not formatted: $out(run clang-format -i on them)"
else
	skip_ "clang-format is not installed"
fi

case_ "an SPDX line in every source file"
out=$(sh scripts/spdx.sh --check 2>&1)
[ $? = 0 ] && ok || bad "$CASE: $(echo "$out" | head -n 5 | tr '\n' ' ')"

case_ "the man page: no mandoc warnings"
out=$(mandoc -Tlint -W warning man/senderaudit.1 2>&1 | grep -v 'makewhatis')
[ -z "$out" ] && ok || bad "$CASE: $(echo "$out" | head -n 5 | tr '\n' ' ')"

finish lint
