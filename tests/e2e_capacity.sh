#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_capacity.sh: an unprivileged user (uid 65534) fills ebph's tables with
# small map sizes: threads, executables, pair rows. ebph must keep watching
# the programs that matter: every new task monitored, a new program profiled
# (or named in a profile_refused event), a normal profile loaded before an
# attacker's, a victim still learning pair rows.
. tests/lib.sh
FX=tests/fixtures/bin

NOBODY="setpriv --reuid 65534 --regid 65534 --clear-groups"
# prof OUT PATH FIELD: FIELD of PATH's profile in the -s summary (empty if none)
prof() { jq -r "select(.type == \"profile\" and .path == \"$2\") | .$3" "$1" | head -n 1; }

# the per-syscall programs loaded before (of other tools; none of ebph's)
hot_progs() { bpftool prog show 2>/dev/null | grep -c 'name \(ebph_sys_exit\|tc_adopt\|tc_loader\|tc_call\|tc_report\|tc_step\) ' || true; }
# a program of a monitor that just stopped (the test before) stays listed
# until the kernel frees it, up to about a second: let those go first
i=0
while [ "$(hot_progs)" -gt 0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
hot_before=$(hot_progs)

chmod 755 "$T"
mkdir -p "$T/tmpfs"
mount -t tmpfs -o mode=1777 ebph-cap "$T/tmpfs"

# 1. Thread flood: 600 sleeping threads with max_tasks 64, then 20 new
# processes: every one of them is monitored (its profile counts its calls).
write_config "$T/tasks.yaml" max_tasks=64 max_profiles=256
start_ebph "$T/out1" -j -s -c "$T/tasks.yaml" --no-save --no-load || fail "ebph starts (tasks)"
$NOBODY "$FX/threads" 600 8 &
flood=$!
i=0
while [ "$(awk '/^Threads:/ {print $2}' /proc/$flood/status 2>/dev/null || echo 0)" -lt 601 ] &&
	[ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "thread flood: 600 threads sleeping" [ "$(awk '/^Threads:/ {print $2}' /proc/$flood/status)" -ge 601 ]
for i in $(seq 1 20); do cp "$FX/hello" "$T/task-$i"; done
for i in $(seq 1 20); do $NOBODY "$T/task-$i"; done
stop_ebph
kill $flood 2>/dev/null; wait $flood 2>/dev/null
n=0
for i in $(seq 1 20); do
	c=$(prof "$T/out1" "$T/task-$i" train_count)
	[ -n "$c" ] && [ "$c" -gt 0 ] && n=$((n + 1))
done
check "thread flood: 20 of 20 new processes monitored (got $n)" [ "$n" -eq 20 ]
check "thread flood: no task left unmonitored (tasks_full 0)" \
	[ "$(count "$T/out1" '.type == "status" and .final and .tasks_full == 0')" -eq 1 ]

# 2. Profile flood: 150 copies of /bin/true on a tmpfs with max_profiles 64,
# then a new program gets a profile; after a restart with room for 16, the
# victim's normal profile is loaded before the attacker's training ones.
# (min_train_calls as by default in spirit: one run of an attacker's copy is
# too little training to freeze, so its idle profile stays reclaimable; the
# victim trains over many runs)
write_config "$T/prof.yaml" max_profiles=64 normal_wait=0 min_train_calls=200 output_rate=0
cp "$FX/hello" "$T/victim"
cp "$FX/threads" "$T/newcomer"
start_ebph "$T/out2" -j -s -c "$T/prof.yaml" || fail "ebph starts (profiles)"
OUT=$T/out2
train "$(stat_key "$T/victim")" "$T/victim"
check "profile flood: the victim is normal" [ "$(n_state "$(stat_key "$T/victim")" normal)" -ge 1 ]
$NOBODY sh -c "for i in \$(seq 1 150); do cp /bin/true $T/tmpfs/a-\$i && $T/tmpfs/a-\$i; done"
"$T/newcomer" 1 4 &	# still running at the summary: its slot is in use
newcomer=$!
"$T/victim"
check "profile flood: the new program gets a profile" \
	wait_for "$OUT" ".type == \"new_profile\" and .path == \"$T/newcomer\"" 3
stop_ebph
wait $newcomer
check "profile flood: the new program is monitored" \
	[ "$(prof "$OUT" "$T/newcomer" train_count)" -gt 0 ] 2>/dev/null
check "profile flood: idle attacker profiles reclaimed" \
	[ "$(count "$OUT" '.type == "status" and .final and .reclaimed > 0')" -eq 1 ]
check "profile flood: more saved profiles than the restart has room for" \
	[ "$(ls "$T/state" | wc -l)" -gt 16 ]
write_config "$T/prof16.yaml" max_profiles=16 normal_wait=0
start_ebph "$T/out3" -j -s -c "$T/prof16.yaml" --no-save || fail "ebph restarts (profiles)"
"$T/victim"
stop_ebph
check "restart: the victim's normal profile is loaded first" \
	[ "$(prof "$T/out3" "$T/victim" state)" = normal ]
check "restart: the victim is not re-created" \
	[ "$(count "$T/out3" ".type == \"new_profile\" and .path == \"$T/victim\"")" -eq 0 ]

# 3. Slots held by live processes: start programs that keep running (each
# its own executable) until one cannot get a profile, as nothing is idle to
# reclaim: it is named in a profile_refused event at once. (Other programs
# on the machine hold slots too: how many holders it takes varies.)
write_config "$T/held.yaml" max_profiles=4
start_ebph "$T/out4" -j -c "$T/held.yaml" --no-save --no-load || fail "ebph starts (held)"
holders=
named=
for i in $(seq 1 12); do
	cp "$FX/threads" "$T/tmpfs/hold-$i"
	$NOBODY "$T/tmpfs/hold-$i" 1 30 & holders="$holders $!"
	if wait_for "$T/out4" ".type == \"profile_refused\" and .path == \"$T/tmpfs/hold-$i\"" 1; then
		named=$i
		break
	fi
done
stop_ebph
kill $holders 2>/dev/null; wait $holders 2>/dev/null
check "held slots: a program refused a profile is named in profile_refused (hold-$named)" \
	[ -n "$named" ]
check "held slots: the refused program got no profile" \
	[ "$(count "$T/out4" ".type == \"new_profile\" and .path == \"$T/tmpfs/hold-$named\"")" -eq 0 ]

# 4. Row flood: 20 programs making ~480 distinct calls each, with a pool of
# 4096 rows and a cap of 128 rows per profile: a victim still learns, and
# each attacker is named once when it reaches its cap.
write_config "$T/rows.yaml" max_rows=4096 max_rows_per_profile=128
start_ebph "$T/out5" -j -s -c "$T/rows.yaml" --no-save --no-load || fail "ebph starts (rows)"
$NOBODY sh -c "for i in \$(seq 1 20); do cp $FX/rowflood $T/tmpfs/r-\$i && $T/tmpfs/r-\$i </dev/null; done"
cp "$FX/hello" "$T/learner"
"$T/learner"
stop_ebph
check "row flood: the victim learns pair rows" \
	[ "$(prof "$T/out5" "$T/learner" rows)" -gt 0 ] 2>/dev/null
check "row flood: each attacker named once at its cap (20 rows_full events)" \
	[ "$(count "$T/out5" '.type == "rows_full" and .limit == "max_rows_per_profile" and (.path | test("/r-[0-9]+$"))')" -eq 20 ]
check "row flood: the pool never ran out" \
	[ "$(count "$T/out5" '.type == "rows_full" and .limit == "max_rows"')" -eq 0 ]

# 5. Row flood past the pool (1024 rows, 20 x 128 wanted) by programs that
# have exited: the monitor reclaims their idle profiles, a victim learns.
write_config "$T/pool.yaml" max_rows=1024 max_rows_per_profile=128
start_ebph "$T/out6" -j -s -c "$T/pool.yaml" --no-save --no-load || fail "ebph starts (pool)"
$NOBODY sh -c "for i in \$(seq 1 20); do $T/tmpfs/r-\$i </dev/null; done"
check "pool flood: the pool ran out" \
	wait_for "$T/out6" '.type == "rows_full" and .limit == "max_rows"' 5
sleep 2
cp "$FX/hello" "$T/learner2"
"$T/learner2"
stop_ebph
check "pool flood: the victim learns pair rows" \
	[ "$(prof "$T/out6" "$T/learner2" rows)" -gt 0 ] 2>/dev/null
check "pool flood: idle profiles reclaimed for their rows" \
	[ "$(count "$T/out6" '.type == "status" and .final and .reclaimed > 0')" -eq 1 ]

# 6. ld.so PROG, 30 times: each task leaves ld.so's profile for PROG's and
# gives back its reference on ld.so's: once they have exited, ld.so's
# profile is idle, and reclaimed when slots run out (heavier programs then
# take every slot; a leaked reference kept it forever). Nothing freezes
# here: frozen profiles are reclaimed after every training one.
cp /bin/true "$T/dyn"	# a dynamically linked program
LDSO=$(file -L "$T/dyn" | sed -n 's/.*interpreter \([^,]*\),.*/\1/p')
[ -n "$LDSO" ] || LDSO=/lib64/ld-linux-x86-64.so.2
KL=$(stat_key "$LDSO")
write_config "$T/ld.yaml" max_profiles=10 normal_factor=1000000 normal_factor_den=1
start_ebph "$T/out7" -j -s -c "$T/ld.yaml" --no-save --no-load || fail "ebph starts (ld.so)"
for i in $(seq 1 30); do $NOBODY "$LDSO" "$T/dyn"; done
check "ld.so: 30 runs charged to the program (loader_exec)" \
	[ "$(count "$T/out7" '.type == "loader_exec" and .program == "dyn"')" -eq 30 ]
$NOBODY sh -c "for i in \$(seq 1 20); do $T/tmpfs/r-\$i </dev/null; done"
stop_ebph
check "ld.so: its idle profile was reclaimed (no leaked references)" \
	[ "$(count "$T/out7" ".type == \"profile\" and .profile == \"$KL\"")" -eq 0 ]

# 7. Raw tracepoints (kernels without tp_btf; forced here): the per-syscall
# program and its cold parts load as raw tracepoints and work the same.
write_config "$T/raw.yaml" max_profiles=64
export EBPH_NO_TP_BTF=1 EBPH_VERIFIER_STATS=1
start_ebph "$T/out8" -j -s -c "$T/raw.yaml" --no-save --no-load ||
	fail "ebph starts (raw tracepoints)"
unset EBPH_NO_TP_BTF EBPH_VERIFIER_STATS
cp "$FX/hello" "$T/rawhello"
$NOBODY "$T/rawhello"
$NOBODY "$LDSO" "$T/dyn"
stop_ebph
check "raw tp: sys_exit and its cold parts loaded as raw tracepoints" \
	[ "$(grep -c 'verifier: \(ebph_sys_exit\|tc_adopt\|tc_loader\|tc_call\|tc_report\|tc_step\) (raw_tp' "$T/out8.err")" -eq 6 ]
check "raw tp: a new program is monitored" \
	[ "$(prof "$T/out8" "$T/rawhello" train_count)" -gt 0 ] 2>/dev/null
check "raw tp: ld.so PROG is charged to PROG" \
	[ "$(count "$T/out8" '.type == "loader_exec" and .program == "dyn"')" -eq 1 ]

# No program of the per-syscall path is left behind (the "cold" program
# array holds the per-syscall program itself: the kernel must still free it).
i=0
while [ "$(hot_progs)" -gt "$hot_before" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "no per-syscall program left loaded" [ "$(hot_progs)" -eq "$hot_before" ]

summary
