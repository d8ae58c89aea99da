#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_response.sh: pH's responses on the real kernel (issue 15): delays
# that grow with lfc (act), the same run at full speed with the actions
# reported (log), a sibling's SIGCONT, execve held and released by the
# operator, exempt paths, SIGINT/SIGTERM/SIGKILL leave nothing held, the
# default config holds nothing. Every fixture runs from its own copy (its own
# profile); window 2 makes its anomalies exact: K odd calls, 2K anomalies.
# Nothing stays stopped even when a test fails: the EXIT trap kills the
# fixtures and the monitor (the kernel detaches a dead tracer's tracees).
. tests/lib.sh
FX=tests/fixtures/bin
N=40		# timed calls of a loop run
SLEEP=400	# ms the fixture sleeps before its timed calls: the monitor takes hold

for n in d ex exm; do cp "$FX/delayed" "$T/$n"; done
KD=$(stat_key "$T/d"); KX=$(stat_key "$T/ex"); KM=$(stat_key "$T/exm")

# jq on the last matching line
last() { jq -c "select($2)" "$1" 2>/dev/null | tail -n 1; }
# stopped PID: the process (any thread) is stopped or traced-stopped now
stopped() { grep -q '^State:[[:space:]]*[tT]' /proc/"$1"/task/*/status 2>/dev/null; }
# tracer PID: its TracerPid
tracer() { sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null; }
# within A B LO HI: LO <= A/B <= HI (B > 0)
within() { awk -v a="$1" -v b="$2" -v lo="$3" -v hi="$4" \
	'BEGIN { r = a / b; exit !(b > 0 && r >= lo && r <= hi) }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
note() { printf '#    %s\n' "$*"; }

# teach FILE ARGS...: three K = 0 runs of FILE, then ebph normalize it. Only
# the fixtures become normal (normal_wait is 1h): no other program on the
# host can be anomalous, so none is delayed or held by these tests.
teach() {
	tf=$1; shift
	for i in 1 2 3; do "$tf" "$@" > /dev/null; done
	sleep 0.3
	"$EBPH" normalize "$tf" > /dev/null &&
		wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$(stat_key "$tf")\" and .state == \"normal\"" 5
}
train_all() {
	teach "$T/d" loop 0 $N 0 && teach "$T/ex" exec 0 0 && teach "$T/exm" exec 0 0
}

# ---- session 1: response act (normal_wait 1h: only what ebph normalize makes normal) ----
OUT=$T/out
write_config "$T/act.yaml" normal_wait=1h window=2 anomaly_limit=100000 response=act \
	delay_factor=1 max_delay=2000 suspend_execve=4 suspend_execve_time=1h \
	"response_exempt=[$T/exm]" ringbuf_kb=16384
start_ebph "$OUT" --no-load --no-save -j -c "$T/act.yaml" || { summary; exit 1; }
check "act: the banner says response act" grep -q 'response: act' "$OUT.err"
check "training: the fixtures' profiles become normal" train_all

# identical runs: K = 1 (lfc 2: 4 ms a call), K = 2 (lfc 4: 16 ms a call);
# the unheld reference is the same fixture with K = 0 (no anomaly)
u0=$("$T/d" loop 0 $N $SLEEP)
u1=$("$T/d" loop 1 $N $SLEEP)
u2=$("$T/d" loop 2 $N $SLEEP)
note "timed $N calls: K=0 $(ms "$u0") ms, K=1 $(ms "$u1") ms, K=2 $(ms "$u2") ms"
# the formula: N x delay_factor x 2^lfc ms added
check "act: K=1 (lfc 2) adds N x 4 ms within 10%/50%" within "$((u1 - u0))" $((N * 4000)) 0.9 1.5
check "act: K=2 (lfc 4) adds N x 16 ms within 10%/50%" within "$((u2 - u0))" $((N * 16000)) 0.9 1.5
check "act: the delay grows with lfc as 2^lfc (K=2 vs K=1: x4 within 25%)" \
	within "$((u2 - u0))" "$((u1 - u0))" 3 5
# an episode starts at the burst's first anomaly (lfc 1: 2 ms a call)
check "act: two response start events (lfc 1, delay_ms 2)" \
	test "$(count "$OUT" ".type == \"response\" and .profile == \"$KD\" and .episode == \"start\" and .action == \"act\" and .lfc == 1 and .delay_ms == 2")" -eq 2
e=$(last "$OUT" ".type == \"response\" and .profile == \"$KD\" and .episode == \"end\"")
check "act: the episode end counts its calls and total delay ($e)" \
	test "$(echo "$e" | jq '.calls_delayed >= '$N' and .total_delay_ms >= '$((N * 16)))" = true

# a sibling's SIGCONT: sent 30 times during a K=2 run, shortens nothing
"$T/d" loop 2 $N $SLEEP > "$T/sc" &
P=$!
STARTED_PIDS="$STARTED_PIDS $P"
sh -c 'sleep 0.5; i=0; while [ $i -lt 30 ]; do kill -CONT '$P' 2>/dev/null; sleep 0.02; i=$((i + 1)); done' &
PS=$!
wait "$P"
wait "$PS"	# (never a bare wait: ebph runs in the background too)
us=$(cat "$T/sc")
note "K=2 with 30 SIGCONTs: $(ms "$us") ms"
check "act: a sibling's SIGCONT does not shorten the delay (at least 90% of N x 16 ms)" \
	within "$((us - u0))" $((N * 16000)) 0.9 2

# execve of a task with lfc >= 4 (K=2: 5, the exec run's training has no
# getppid after getppid) is held until released
"$T/ex" exec 2 $SLEEP > "$T/exo" &
PX=$!
STARTED_PIDS="$STARTED_PIDS $PX"
check "act: suspend event for the exec (lfc 5), held before it" \
	wait_for "$OUT" ".type == \"suspend\" and .pid == $PX and .action == \"act\" and .lfc == 5 and .late == false" 10
sleep 1
held_by_ebph() { kill -0 "$1" && stopped "$1" && [ "$(tracer "$1")" = "$EBPH_PID" ]; }
check "act: the held task is still there, traced-stopped by ebph, 1 s later" held_by_ebph "$PX"
note "suspend: $(last "$OUT" ".type == \"suspend\" and .pid == $PX" | jq -c '[.lfc, .late, .action]' 2>/dev/null)"
check "act: ebph ps shows it SUSPENDED" sh -c "'$EBPH' ps | grep -q '^ *$PX .*SUSPENDED'"
check "act: ebph release PID lets it go" "$EBPH" release "$PX"
i=0; while kill -0 "$PX" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
note "after release: $(grep -E '^(State|TracerPid)' /proc/$PX/status 2>/dev/null | tr '\n' ' ')"
check "act: released, it exec'd and finished (printed done)" grep -qx done "$T/exo"
check "act: release event by operator" \
	wait_for "$OUT" ".type == \"release\" and .pid == $PX and .by == \"operator\" and .held == \"suspend\"" 5
check "act: a released task is not held again at its exec" \
	test "$(count "$OUT" ".type == \"suspend\" and .pid == $PX")" -eq 1

# a delayed foreground job of an interactive shell: the shell sees no stop
( sleep 0.5; echo "'$T/d' loop 2 $N $SLEEP > '$T/shloop'; echo EXIT=\$?"; sleep 3
  echo 'jobs; echo JOBS-END; exit' ) | script -qfc "bash --norc -i" /dev/null 2>&1 |
	tr -d '\r' > "$T/sh.out"
us=$(cat "$T/shloop" 2>/dev/null)
note "interactive shell, K=2: $(ms "${us:-0}") ms"
check "shell: the job finished with status 0, in the foreground" grep -q 'EXIT=0$' "$T/sh.out"
check "shell: no 'Stopped' job, nothing in jobs" sh -c "! grep -q 'Stopped' '$T/sh.out' && ! grep -q '^\[1\]' '$T/sh.out'"
check "shell: the job was delayed all the same" within "$((${us:-0} - u0))" $((N * 16000)) 0.9 2

# an exempt path is never held
"$T/exm" exec 2 $SLEEP > "$T/exmo"
check "act: the exempt program ran through (done)" grep -qx done "$T/exmo"
check "act: no response, suspend for the exempt program" \
	test "$(count "$OUT" "(.type == \"response\" or .type == \"suspend\") and .profile == \"$KM\"")" -eq 0
check "act: it had anomalies all the same" test "$(count "$OUT" ".type == \"anomaly\" and .profile == \"$KM\"")" -gt 0

# stop with SIGINT while a task is held: it goes free
"$T/ex" exec 2 $SLEEP > "$T/exo2" &
PX=$!
STARTED_PIDS="$STARTED_PIDS $PX"
check "SIGINT: a task is held" wait_for "$OUT" ".type == \"suspend\" and .pid == $PX" 10
check "SIGINT: ebph exits 0" stop_ebph
i=0; while kill -0 "$PX" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGINT: the held task went free and finished" grep -qx done "$T/exo2"
check "SIGINT: release event by exit" \
	test "$(count "$OUT" ".type == \"release\" and .pid == $PX and .by == \"exit\"")" -eq 1

# SIGTERM and SIGKILL: the same (SIGKILL: the kernel detaches every tracee)
BASE=$OUT
for s in TERM KILL; do
	OUT=$BASE.$s
	start_ebph "$OUT" --no-load --no-save -j -c "$T/act.yaml" || break
	teach "$T/ex" exec 0 0	# the profile again (--no-load)
	"$T/ex" exec 2 $SLEEP > "$T/exo.$s" &
	PX=$!
	STARTED_PIDS="$STARTED_PIDS $PX"
	check "SIG$s: a task is held" wait_for "$OUT" ".type == \"suspend\" and .pid == $PX" 10
	kill -"$s" "$EBPH_PID"
	wait "$EBPH_PID"
	EBPH_PID=
	i=0; while kill -0 "$PX" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	check "SIG$s: the held task went free and finished" grep -qx done "$T/exo.$s"
done

# ---- session 2: response log: full speed, the actions reported ----
OUT=$T/log
write_config "$T/log.yaml" normal_wait=1h window=2 anomaly_limit=100000 response=log \
	delay_factor=1 suspend_execve=4 ringbuf_kb=16384
start_ebph "$OUT" --no-load --no-save -j -c "$T/log.yaml" || { summary; exit 1; }
check "log: the banner says response log" grep -q 'response: log' "$OUT.err"
check "log: training" train_all
l0=$("$T/d" loop 0 $N $SLEEP)
l2=$("$T/d" loop 2 $N $SLEEP)
note "log: K=0 $(ms "$l0") ms, K=2 $(ms "$l2") ms"
check "log: K=2 runs at full speed (under N x 16 ms / 4 more)" test $((l2 - l0)) -lt $((N * 4000))
check "log: the would-be episode is reported: start (lfc 1, 2 ms a call)" \
	wait_for "$OUT" ".type == \"response\" and .profile == \"$KD\" and .action == \"log\" and .episode == \"start\" and .lfc == 1 and .delay_ms == 2" 5
check "log: and its end (lfc_max 4)" \
	wait_for "$OUT" ".type == \"response\" and .profile == \"$KD\" and .action == \"log\" and .episode == \"end\" and .lfc_max == 4" 5
"$T/ex" exec 2 0 > "$T/exl"
check "log: the exec runs through" grep -qx done "$T/exl"
check "log: the would-be execve hold is reported" \
	wait_for "$OUT" ".type == \"suspend\" and .action == \"log\" and .lfc >= 4" 5
check "log: nothing was traced" test "$(count "$OUT" ".type == \"status\" and .traced > 0")" -eq 0
stop_ebph

# ---- session 3: the default config (response off) holds nothing ----
OUT=$T/off
write_config "$T/off.yaml" normal_wait=1h window=2 anomaly_limit=100000 ringbuf_kb=16384
start_ebph "$OUT" --no-load --no-save -j -c "$T/off.yaml" || { summary; exit 1; }
check "off: no response line in the banner" sh -c "! grep -q 'response:' '$OUT.err'"
check "off: training" teach "$T/d" loop 0 $N 0
o0=$("$T/d" loop 0 $N 0)
o2=$("$T/d" loop 2 $N 0)
note "off: K=0 $(ms "$o0") ms, K=2 $(ms "$o2") ms"
check "off: the anomalous run has its anomalies" \
	test "$(count "$OUT" ".type == \"anomaly\" and .profile == \"$KD\"")" -gt 0
check "off: and runs at full speed" test $((o2 - o0)) -lt $((N * 4000))
check "off: no response events" \
	test "$(count "$OUT" ".type == \"response\" or .type == \"suspend\" or .type == \"release\"")" -eq 0
stop_ebph

# ---- session 4: a task whose array slot another task holds (max_tasks 64,
# 80 sleepers started under ebph take every slot: the fixture's state lives
# in task storage) is delayed all the same: the response reads its lfc from
# task storage too (before, it read 0 and let the task run at full speed) ----
OUT=$T/full
write_config "$T/full.yaml" normal_wait=1h window=2 anomaly_limit=100000 response=act \
	delay_factor=1 max_delay=2000 suspend_execve=0 max_tasks=64 ringbuf_kb=16384
start_ebph "$OUT" --no-load --no-save -j -c "$T/full.yaml" || { summary; exit 1; }
SLEEPERS=
i=0
while [ $i -lt 80 ]; do
	sleep 120 &
	SLEEPERS="$SLEEPERS $!"
	i=$((i + 1))
done
STARTED_PIDS="$STARTED_PIDS $SLEEPERS"
check "full: training" teach "$T/d" loop 0 $N 0
f0=$("$T/d" loop 0 $N $SLEEP)
f2=$("$T/d" loop 2 $N $SLEEP)
note "full: K=0 $(ms "$f0") ms, K=2 $(ms "$f2") ms; tasks_full $(last "$OUT" '.type == "status"' | jq .tasks_full)"
check "full: the task slots were all taken (tasks live in task storage)" \
	sh -c "'$EBPH' ps -j | jq -s 'length' | awk '{ exit !(\$1 > 64) }'"
check "full: K=2 (lfc 4) still adds N x 16 ms within 10%/50%" within "$((f2 - f0))" $((N * 16000)) 0.9 1.5
for p in $SLEEPERS; do kill "$p" 2>/dev/null; done
for p in $SLEEPERS; do wait "$p" 2>/dev/null; done
stop_ebph

[ -z "${KEEP:-}" ] || cp -r "$T" "$KEEP"
# nothing of ours is left stopped
left=0
for p in $STARTED_PIDS; do stopped "$p" && left=$((left + 1)); done
check "no fixture is left stopped" test "$left" -eq 0
summary
