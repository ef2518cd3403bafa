#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# suite_docs.sh SENDERAUDIT: README, man/senderaudit.1 and --help describe the same
# options, checks and exit codes as the code (like curl's test1139).
set -u
BIN=$1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/tests/harness.sh"
TMP_ERR=$(mktemp /tmp/senderaudit-docs.XXXXXX)
TMP_HOME=$(mktemp -d /tmp/senderaudit-docs-home.XXXXXX)
trap 'rm -rf "$TMP_ERR" "$TMP_HOME"' EXIT
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
help_codes=$("$BIN" --help | sed -n '/^Exit status/,$p' | grep -oE '\b(0|1|2|3|64|130|143)\b' | sort -un | tr '\n' ' ')
same "man page and README exit codes" "$man_codes" "$readme_codes"
same "man page and --help exit codes" "$man_codes" "$help_codes"
same "exit codes are the specified ones" "$man_codes" "0 1 2 3 64 130 143 "

# The version is one semantic version everywhere.
v=$("$BIN" --version | awk '{print $2}')
grep -q "^VERSION  = $v\$" "$ROOT/Makefile" && ok || bad "Makefile VERSION is not $v"
grep -q "^## \[$v\]" "$ROOT/CHANGELOG.md" && ok || bad "CHANGELOG.md has no [$v] section"

# The man page is clean mdoc, for mandoc and for groff (Debian's man):
# groff's mdoc takes words such as "No" in a reference for macros, warns,
# and drops the rest of the page.
lint=$(mandoc -Tlint -W warning "$MAN" 2>&1)
[ -z "$lint" ] && ok || bad "mandoc -Tlint: $lint"
warn=$(groff -mandoc -ww -z -Tutf8 "$MAN" 2>&1)
[ -z "$warn" ] && ok || bad "groff -ww: $(echo "$warn" | head -n 4 | tr '\n' ' ')"
page=$(MANWIDTH=100 man --warnings -l "$MAN" 2>"$TMP_ERR")
[ ! -s "$TMP_ERR" ] && ok || bad "man --warnings: $(head -c 300 "$TMP_ERR")"
for want in 'RFC 7505, June 2015' 'RFC 8259 JSON with RFC 3339 timestamps' "$(sed -n 's/^\.Dd //p' "$MAN")"; do
	echo "$page" | grep -qF "$want" && ok || bad "man renders without: $want"
done

# The README names the Debian package of every library the binary links
# (the sanitizers of the test build aside).
for lib in $(objdump -p "$BIN" 2>/dev/null | awk '/NEEDED/ {print $2}'); do
	case $lib in libasan* | libubsan* | libm.so* | libc.so* | ld-linux*) continue ;; esac
	path=$(ldd "$BIN" | awk -v l="$lib" '$1 == l {print $3}')
	pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -n 1 | cut -d: -f1)
	[ -z "$pkg" ] && pkg=$(dpkg -S "$path" 2>/dev/null | head -n 1 | cut -d: -f1)
	grep -q "\`$pkg\`" "$README" && ok || bad "README's runtime libraries lack $pkg ($lib)"
done

# Every format is shown once in the README.
for fmt in json nagios junit prometheus html; do
	grep -q -- "--format $fmt" "$README" && ok || bad "README has no example of --format $fmt"
done
# The man page has an Icinga/Nagios command definition.
grep -q 'object CheckCommand' "$MAN" && grep -q 'define command' "$MAN" && ok || bad "man page: no Icinga/Nagios command definition"

# The completions name every option of --help, every check id and
# category; they parse, and bash's and fish's complete what they should.
ids=$("$BIN" --list-checks | awk '{print $1}')
cats=$("$BIN" --list-checks | awk '{print $2}' | sort -u)
for f in "$ROOT/completions/senderaudit.bash" "$ROOT/completions/_senderaudit" "$ROOT/completions/senderaudit.fish"; do
	missing=
	for o in $help_opts; do
		case $f in *.fish) pat="-l ${o#--}( |\$)" ;; *) pat="(^|[ '({,])$o([][ ')|=},]|\$)" ;; esac
		[ "${o#--}" = "$o" ] && case $f in *.fish) pat="-s ${o#-}( |\$)" ;; esac
		grep -Eq -- "$pat" "$f" || missing="$missing $o"
	done
	for i in $ids $cats; do
		grep -Eq "(^|[ ('=])$i([ )']|\$)" "$f" || missing="$missing $i"
	done
	[ -z "$missing" ] && ok || bad "$(basename "$f") misses:$missing (run scripts/completions.sh)"
done
bash -n "$ROOT/completions/senderaudit.bash" && ok || bad "bash -n completions/senderaudit.bash"
comp() { # comp WORDS...: what the bash completion offers for the last word
	bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _senderaudit; echo "${COMPREPLY[*]}"' _ "$ROOT/completions/senderaudit.bash" "$@"
}
[ "$(comp senderaudit --format n)" = nagios ] && ok || bad "bash: --format n: $(comp senderaudit --format n)"
[ "$(comp senderaudit --only rdns,dkim.k)" = "rdns,dkim.key" ] && ok || bad "bash: --only rdns,dkim.k: $(comp senderaudit --only rdns,dkim.k)"
[ "$(comp senderaudit --replay)" = "--replay-dns" ] && ok || bad "bash: --replay: $(comp senderaudit --replay)"
[ "$(comp senderaudit sp)" = spf ] && ok || bad "bash: sp: $(comp senderaudit sp)"
if command -v zsh >/dev/null; then zsh -n "$ROOT/completions/_senderaudit" && ok || bad "zsh -n completions/_senderaudit"; else skip_ "zsh is not installed"; fi
if command -v fish >/dev/null; then
	fish -n "$ROOT/completions/senderaudit.fish" && ok || bad "fish -n completions/senderaudit.fish"
	got=$(HOME=$TMP_HOME fish --no-config -c "source $ROOT/completions/senderaudit.fish; complete -C 'senderaudit --fail-on '" | awk '{print $1}' | tr '\n' ' ')
	[ "$got" = "fail new warn " ] || [ "$got" = "warn fail new " ] && ok || bad "fish: --fail-on: $got"
else
	skip_ "fish is not installed"
fi

finish docs
