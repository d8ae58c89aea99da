#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_rowrace.sh: the row pool's accounting. 1. Threads of one program on
# both CPUs make the same new calls at the same moment, so that two CPUs
# want a row for the same call of one profile at once, in a new program
# each round (tests/fixtures/rowrace.c). Exactly one row is published per
# call and the loser's row goes back to the pool: "ebph check" finds every
# profile's nrows equal to the rows it has, and the pool's count of rows in
# use equals the rows the profiles hold. 2. The same after a saved profile
# failed to install.
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
check "1: $ROUNDS programs, each 2 threads making 170 new calls in lockstep" [ $? -eq 0 ]
"$EBPH" check > "$T/check.out" 2> "$T/check.err"
rc=$?
[ ! -s "$T/check.err" ] || note "$(head -n 3 "$T/check.err")"
check "1: ebph check: every profile's nrows is the number of its rows" [ "$rc" -eq 0 ]
stop_ebph
check "1: monitor: exit 0 after SIGINT" [ $? -eq 0 ]
n=$(count "$T/out" '.type == "new_profile" and (.path | test("/rowrace-[0-9]+$"))')
check "1: a profile per program ($n)" [ "$n" -eq "$ROUNDS" ]
held=$(jq -s '[.[] | select(.type == "profile") | .rows + .snapshot_rows] | add' "$T/out")
used=$(jq -s '[.[] | select(.type == "status" and .final) | .rows + .snapshot_rows] | add' "$T/out")
check "1: the rows in use ($used) are the rows the profiles hold ($held)" same "$held" "$used"

# 2. Rows of a profile whose install fails go back to the pool: a saved
# profile with more exec-graph edges (sh starting 20 programs) than the
# next run's max_edges allows is refused after its rows were taken; the
# rows in use are still exactly the rows the loaded profiles hold.
for i in $(seq 1 20); do cp "$FX/hello" "$T/h-$i"; done
write_config "$T/b.yaml" max_rows=65535
start_ebph "$T/out2" -j -c "$T/b.yaml" --no-load || { fail "ebph starts (save)"; summary; exit; }
sh -c "for i in \$(seq 1 20); do $T/h-\$i; done" > /dev/null
stop_ebph
check "2: the first run saved its profiles" grep -q "^ebph: saved [0-9]* profiles to $T/state (exit" "$T/out2.err"
write_config "$T/c.yaml" max_rows=65535 max_edges=16
start_ebph "$T/out3" -j -s -c "$T/c.yaml" --no-save || { fail "ebph starts (load)"; summary; exit; }
stop_ebph
n=$(grep -c '^ebph: cannot load the profile of ' "$T/out3.err")
note "$(grep '^ebph: cannot load the profile of ' "$T/out3.err" | head -n 2)"
check "2: a profile with more edges than max_edges is refused ($n)" [ "$n" -ge 1 ]
held=$(jq -s '[.[] | select(.type == "profile") | .rows + .snapshot_rows] | add' "$T/out3")
used=$(jq -s '[.[] | select(.type == "status" and .final) | .rows + .snapshot_rows] | add' "$T/out3")
check "2: the rows in use ($used) are the rows the loaded profiles hold ($held)" \
	same "$held" "$used"
summary
