#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_rowrace.sh: threads of one program on both CPUs make the same new
# calls at the same moment, so that two CPUs want a row for the same call
# of one profile at once, in a new program each round
# (tests/fixtures/rowrace.c). Exactly one row is published per call and the
# loser's row goes back to the pool: "ebph check" finds every profile's
# nrows equal to the rows it has, and the pool's count of rows in use equals
# the rows the profiles hold.
. tests/lib.sh
FX=tests/fixtures/bin
ROUNDS=${ROUNDS:-60}

NOBODY="setpriv --reuid 65534 --regid 65534 --clear-groups"
note() { printf '#    %s\n' "$*"; }
# same A B: both are the same whole number, greater than 0
same() { [ "$1" -gt 0 ] 2>/dev/null && [ "$1" -eq "$2" ]; }

chmod 755 "$T"
mkdir -p "$T/tmpfs"
mount -t tmpfs -o mode=1777 ebph-rowrace "$T/tmpfs"

write_config "$T/a.yaml" max_rows=65535
start_ebph "$T/out" -j -s -c "$T/a.yaml" --no-save --no-load || { fail "ebph starts"; summary; exit; }
$NOBODY "$FX/rowrace" "$T/tmpfs" "$ROUNDS" 200 2 < /dev/null
check "rowrace: $ROUNDS programs, each 2 threads making 170 new calls in lockstep" [ $? -eq 0 ]
"$EBPH" check > "$T/check.out" 2> "$T/check.err"
rc=$?
[ ! -s "$T/check.err" ] || note "$(head -n 3 "$T/check.err")"
check "ebph check: every profile's nrows is the number of its rows" [ "$rc" -eq 0 ]
stop_ebph
check "monitor: exit 0 after SIGINT" [ $? -eq 0 ]
n=$(count "$T/out" '.type == "new_profile" and (.path | test("/rowrace-[0-9]+$"))')
check "rowrace: a profile per program ($n)" [ "$n" -eq "$ROUNDS" ]
held=$(jq -s '[.[] | select(.type == "profile") | .rows + .snapshot_rows] | add' "$T/out")
used=$(jq -s '[.[] | select(.type == "status" and .final) | .rows + .snapshot_rows] | add' "$T/out")
check "pool: the rows in use ($used) are the rows the profiles hold ($held)" same "$held" "$used"
summary
