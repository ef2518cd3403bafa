#!/bin/sh
# SPDX-License-Identifier: ISC
# spdx.sh [--check]: every source file of the tree carries the licence's
# SPDX line (LICENSE: ISC). With --check, lists the files without it and
# fails; without, adds it (after a #! line, in the file's comment syntax).
LINE='SPDX-License-Identifier: ISC'
cd "$(dirname "$0")/.." || exit 1
missing=0
for f in $(git ls-files '*.c' '*.h' '*.inc' '*.def' '*.sh' '*.py' Makefile .ci/run); do
	head -n 3 "$f" | grep -q "$LINE" && continue
	if [ "${1:-}" = --check ]; then
		echo "no SPDX line: $f"
		missing=1
		continue
	fi
	case $f in
	*.c | *.h | *.inc | *.def) { printf '/* %s */\n' "$LINE"; cat "$f"; } >"$f.spdx" ;;
	*)
		if head -n 1 "$f" | grep -q '^#!'; then
			{ head -n 1 "$f"; printf '# %s\n' "$LINE"; tail -n +2 "$f"; } >"$f.spdx"
		else
			{ printf '# %s\n' "$LINE"; cat "$f"; } >"$f.spdx"
		fi
		;;
	esac
	cat "$f.spdx" >"$f" && rm -f "$f.spdx"
done
exit $missing
