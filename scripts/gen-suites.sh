#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# gen-suites.sh: list the check suites defined in tests/test_*.c, so that a
# new suite file needs no edit elsewhere. Each file defines "Suite *X_suite(void)".
for f in "$@"; do
	sed -n 's/^Suite \*\([a-z_0-9]*_suite\)(void)$/\1/p' "$f"
done | sort -u | while read -r s; do
	printf 'SUITE(%s)\n' "$s"
done
