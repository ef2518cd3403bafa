#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_docs.sh SENDERAUDIT: README, man/senderaudit.1 and --help describe the same
# options, checks and exit codes as the code (like curl's test1139).
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
MAN=$ROOT/man/senderaudit.1
README=$ROOT/README.md

same() { # same WHAT A B: two newline-separated sets are equal
	if [ "$2" = "$3" ]; then ok; else bad "$1 differ: $(diff <(echo "$2") <(echo "$3") | grep '^[<>]' | tr '\n' ' ')"; fi
}

# Options
help_opts=$("$BIN" --help | grep -oE '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u)
man_opts=$(grep -E '^\.It Fl ' "$MAN" | grep -oE 'Fl (\\-)?[a-z][a-z-]*' | sed -e 's/^Fl \\-/--/' -e 's/^Fl /-/' | sort -u)
readme_opts=$(sed -n '/^## Options/,/^## /p' "$README" | grep -E '^\| `-' | grep -oE '`--?[a-z][a-z-]*' | tr -d '`' | sort -u)
same "--help and man page options" "$help_opts" "$man_opts"
same "--help and README options" "$help_opts" "$readme_opts"
# every option the binary accepts is documented, and the reverse
for o in $help_opts; do
	case $o in -h | --help | --version | --list-checks) continue ;; esac
	out=$("$BIN" "$o" 2>&1 >/dev/null | grep -c "unknown option")
	[ "$out" = 0 ] && ok || bad "documented option $o is unknown to the binary"
done

# Checks
code_ids=$("$BIN" --list-checks | awk '{print $1}')
man_ids=$(sed -n '/^\.Sh CHECKS/,/^\.Sh /p' "$MAN" | grep -E '^\.It Cm [a-z]+\.[a-z_.]+' | awk '{print $3}')
readme_ids=$(grep -E '^\| `[a-z]+\.[a-z_.]+` \|' "$README" | grep -oE '^\| `[^`]+' | cut -c4-)
same "--list-checks and man page checks" "$code_ids" "$man_ids"
same "--list-checks and README checks" "$code_ids" "$readme_ids"

# Exit codes
man_codes=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$MAN" | grep -E '^\.It [0-9]+$' | awk '{print $2}' | sort -n | tr '\n' ' ')
readme_codes=$(sed -n '/^## Exit codes/,/^## /p' "$README" | grep -oE '^\| [0-9]+ ' | tr -d '| ' | sort -n | tr '\n' ' ')
help_codes=$("$BIN" --help | sed -n '/^Exit status/,$p' | grep -oE '\b(0|1|2|3|64)\b' | sort -un | tr '\n' ' ')
same "man page and README exit codes" "$man_codes" "$readme_codes"
same "man page and --help exit codes" "$man_codes" "$help_codes"
same "exit codes are the specified ones" "$man_codes" "0 1 2 3 64 "

# The version is one semantic version everywhere.
v=$("$BIN" --version | awk '{print $2}')
grep -q "^VERSION  = $v\$" "$ROOT/Makefile" && ok || bad "Makefile VERSION is not $v"
grep -q "^## \[$v\]" "$ROOT/CHANGELOG.md" && ok || bad "CHANGELOG.md has no [$v] section"

# The man page is clean mdoc.
lint=$(mandoc -Tlint -W warning "$MAN" 2>&1)
[ -z "$lint" ] && ok || bad "mandoc -Tlint: $lint"

finish docs
