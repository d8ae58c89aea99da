#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e.sh: run every end-to-end test script (tests/e2e_*.sh) as root against
# the real kernel, then print one closing line "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
	echo "e2e: must run as root (the tests load BPF programs)" >&2
	exit 1
fi
make -s tests-fixtures || exit 1
before=$(bpftool prog show 2>/dev/null | grep -c 'raw_tracepoint' || true)
passed=0
failed=0
for t in tests/e2e_*.sh tests/test_bench.sh; do
	echo "== $t"
	out=$(mktemp)
	sh "$t" 2>&1 | tee "$out"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $t: no result line"
		failed=$((failed + 1))
	else
		passed=$((passed + ${line%% passed*}))
		f=${line#*passed, }
		failed=$((failed + ${f%% failed*}))
	fi
	rm -f "$out"
done
after=$(bpftool prog show 2>/dev/null | grep -c 'raw_tracepoint' || true)
if [ "$after" -ne "$before" ]; then
	echo "FAIL e2e: $before raw tracepoint programs before the tests, $after after"
	failed=$((failed + 1))
else
	passed=$((passed + 1))
fi
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
