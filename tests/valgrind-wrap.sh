#!/bin/sh
# SPDX-License-Identifier: ISC
# valgrind-wrap.sh ARGS...: the binary under test, run by valgrind (for
# `make check-valgrind`); each process logs to $SA_VALGRIND_LOG.
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	--log-file="${SA_VALGRIND_LOG:-/tmp}/sa.%p.log" "$SA_VALGRIND_BIN" "$@"
