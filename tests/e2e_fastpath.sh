#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_fastpath.sh: the per-syscall program's fast path and memo (ph.h:
# ph_fast_step, ph_memo_hit) behave exactly like the full pH step. The same
# deterministic workloads run under two monitors, one with
# EBPH_NO_FAST_PATH=1 (every call through the full step) and one without,
# each with a fresh state_dir; the fixture profiles' anomalies (syscall,
# misses, missing, in order), profile_state transitions (state, reason) and
# final pairs (training and testing views) must be identical.
# Session A: training -> frozen -> normal, anomalies, anomaly_limit and
# renormalising, tolerize_limit, sensitize/tolerize/normalize, fork, exec of
# the same program, signal handlers. Session B: a profile slot reclaimed
# (max_profiles) and reused by a program a task execs while its memo still
# holds the old profile's windows.
# KEEP=DIR keeps a copy of the temp dir (ebph's output) for debugging.
. tests/lib.sh

# start_mode MODE OUT CFG: ebph on CFG, JSON into OUT; MODE full: without the
# fast path (EBPH_NO_FAST_PATH=1), every call through the full step
start_mode() {
	if [ "$1" = full ]; then
		EBPH_NO_FAST_PATH=1 start_ebph "$2" -j -c "$3"
	else
		start_ebph "$2" -j -c "$3"
	fi
}
FX=tests/fixtures/bin
MAXRUNS=40

for n in t1 t2 t3 t4 t5 t6 t7 x y z s; do cp "$FX/ph_calls" "$T/$n"; done
cp "$FX/ph_sigwin" "$T/sw"
i=1
while [ $i -le 24 ]; do cp "$FX/ph_calls" "$T/f$i"; i=$((i + 1)); done
for n in t1 t2 t3 t4 t5 t6 t7 sw x y z s; do
	eval "K_$n=$(stat_key "$T/$n")"
done
A_PROFS="t1 t2 t3 t4 t5 t6 t7 sw"

# key NAME: the profile key of fixture copy NAME
key() { eval "echo \$K_$1"; }

# until_state NAME STATE N CMD...: run CMD until NAME's profile has had N
# profile_state events into STATE in $OUT (at most MAXRUNS runs).
until_state() {
	us_k=$(key "$1"); us_s=$2; us_n=$3; shift 3
	r=0
	while [ "$(n_state "$us_k" "$us_s")" -lt "$us_n" ]; do
		[ $r -lt $MAXRUNS ] || return 1
		"$@" > /dev/null
		r=$((r + 1))
		sleep 0.05
	done
}

# train_all N: run every session-A workload until its profile has become
# normal N times (a pass runs each not yet there once).
train_all() {
	r=0
	while :; do
		left=0
		for tn in t1 t2 t3 t4 t5 t6 sw; do
			[ "$(n_state "$(key $tn)" normal)" -lt "$1" ] || continue
			left=1
			case $tn in
			t5) "$T/t5" fork > /dev/null ;;
			t6) "$T/t6" exec "$T/t6" run > /dev/null ;;
			sw) "$T/sw" handler > /dev/null ;;
			*) "$T/$tn" run > /dev/null ;;
			esac
		done
		[ $left -eq 1 ] || return 0
		r=$((r + 1))
		[ $r -lt $MAXRUNS ] || return 1
		sleep 0.05
	done
}

# cmd OP NAME: a command on NAME's live profile.
cmd() {
	"$EBPH" "$1" -c "$CFG" "$(key "$2")" > /dev/null 2>&1 || fail "$MODE: ebph $1 $2"
}

# digest PROFS: the fixture profiles' events and pairs, without times and ids
digest() {
	for dn in $1; do
		k=$(key "$dn")
		echo "== $dn"
		jq -c "select(.profile == \"$k\" and .type == \"anomaly\") | [.syscall, .misses, .missing]" "$OUT"
		jq -c "select(.profile == \"$k\" and .type == \"profile_state\") | [.state, .reason]" "$OUT"
		if "$EBPH" show -j --pairs -c "$CFG" "$k" > "$T/show" 2>&1; then
			jq -c 'select(.type == "pair") | [.view, .call, .prev, .distance]' "$T/show" | sort
		else
			echo "show failed: $(cat "$T/show")"
		fi
	done
}

# session_a MODE: session A's workloads; its digest in $T/MODE.a
session_a() {
	MODE=$1
	OUT=$T/$MODE.a.out
	CFG=$T/$MODE.a.yaml
	write_config "$CFG" normal_wait=1s anomaly_limit=6 anomaly_period=0 tolerize_limit=10 \
		ringbuf_kb=16384 anomaly_lines=0 output_rate=0
	sed -i "s|^state_dir:.*|state_dir: $T/$MODE.a.state|" "$CFG"
	start_mode "$MODE" "$OUT" "$CFG" || { fail "$MODE: ebph starts"; return 1; }
	# a task's memo across a new epoch: t7 learns its loop, a second run
	# (memo filled) waits on a FIFO while t7 is sensitized, then runs the
	# same loop again: every window is new to the new epoch
	rm -f "$T/fifo7"; mkfifo "$T/fifo7"
	"$T/t7" loop 4 /dev/null > /dev/null
	"$T/t7" loop 4 "$T/fifo7" > /dev/null &
	P=$!
	STARTED_PIDS="$STARTED_PIDS $P"
	i=0
	until [ "$(readlink "/proc/$P/exe" 2>/dev/null)" = "$T/t7" ] &&
		grep -q '^State:[[:space:]]*S' "/proc/$P/status" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.05
	done
	cmd sensitize t7
	echo > "$T/fifo7"
	wait "$P"
	check "$MODE: every workload became normal (training, frozen, normal)" train_all 1
	# anomalies in normal; a fork's child; exec of the same program; a
	# signal handler's own window (nested handlers are new)
	"$T/t1" write > /dev/null
	"$T/t1" run > /dev/null
	"$T/t5" forkwrite > /dev/null
	"$T/t6" exec "$T/t6" write > /dev/null
	"$T/sw" nested 3 > /dev/null
	"$T/sw" handler > /dev/null
	# anomaly_limit: back to training, then normal again
	check "$MODE: t3 reaches anomaly_limit (training)" until_state t3 training 1 "$T/t3" write
	# tolerize_limit: a burst longer than it resets the training data
	"$T/t2" burst 20 > /dev/null
	"$T/t2" run > /dev/null
	# commands on a live normal profile
	cmd sensitize t4
	"$T/t4" run > /dev/null
	"$T/t4" write > /dev/null
	cmd tolerize t4
	"$T/t4" run > /dev/null
	cmd normalize t4
	"$T/t4" write > /dev/null
	"$T/t4" run > /dev/null
	check "$MODE: t3 normal again after anomaly_limit" until_state t3 normal 2 "$T/t3" write
	"$T/t3" run > /dev/null
	sleep 0.3
	digest "$A_PROFS" > "$T/$MODE.a"
	stop_ebph || fail "$MODE: session A ebph exits 0"
}

# session_b MODE: a slot reused under a task's memo; digest in $T/MODE.b.
# max_profiles 16: 24 other static programs, frozen (stolen last), take
# every slot; the helpers the script runs and s get theirs; x, trained a
# little (then the least trained idle profile), runs "x exec y blockexec
# FIFO z block FIFO2": x fills the memo, y (new: steals s) waits, x goes
# idle, z (new) steals x's slot (tgen 0 again) and runs x's first calls,
# then waits (holding its profile) while its pairs are read.
session_b() {
	MODE=$1
	OUT=$T/$MODE.b.out
	CFG=$T/$MODE.b.yaml
	write_config "$CFG" max_profiles=16 normal_wait=1h
	sed -i "s|^state_dir:.*|state_dir: $T/$MODE.b.state|" "$CFG"
	start_mode "$MODE" "$OUT" "$CFG" || { fail "$MODE: ebph starts"; return 1; }
	i=1
	while [ $i -le 24 ]; do
		for r in 1 2 3 4 5 6; do "$T/f$i" run > /dev/null; done
		i=$((i + 1))
	done
	rm -f "$T/fifo" "$T/fifo2"; mkfifo "$T/fifo" "$T/fifo2"
	wait_for "$OUT" '.type == "new_profile"' 1; count "$OUT" '.x' > /dev/null
	sleep 0.01; "$EBPH" show -j --pairs -c "$CFG" "$K_s" 2> /dev/null | jq -c . | sort > /dev/null
	for r in 1 2 3; do "$T/s" run > /dev/null; done
	"$T/x" run > /dev/null
	"$T/x" run > /dev/null
	"$T/x" exec "$T/y" blockexec "$T/fifo" "$T/z" block "$T/fifo2" > /dev/null &
	P=$!
	STARTED_PIDS="$STARTED_PIDS $P"
	wait_for "$OUT" ".type == \"new_profile\" and .profile == \"$K_y\"" 5
	echo > "$T/fifo"
	wait_for "$OUT" ".type == \"new_profile\" and .profile == \"$K_z\"" 5
	check "$MODE: z has a profile" \
		[ "$(count "$OUT" ".type == \"new_profile\" and .profile == \"$K_z\"")" -eq 1 ]
	sleep 0.1
	digest z > "$T/$MODE.b"
	echo > "$T/fifo2"
	wait "$P"
	stop_ebph || fail "$MODE: session B ebph exits 0"
}

# same WHAT: the digests of both modes agree
same() {
	if cmp -s "$T/full.$1" "$T/fast.$1"; then
		ok "session $1: fast path and full step agree ($(grep -vc '^==' "$T/full.$1") lines)"
	else
		fail "session $1: fast path and full step differ" \
			"$(diff "$T/full.$1" "$T/fast.$1" | head -n 20 | tr '\n' '|')"
	fi
}

for m in full fast; do session_a $m; done
same a
check "session a: anomalies were raised" [ "$(grep -c '^\[' "$T/full.a")" -gt 10 ]
check "session a: t3 went back to training on anomaly_limit" grep -q 'training","anomaly_limit' "$T/full.a"
for m in full fast; do session_b $m; done
same b
[ -z "${KEEP:-}" ] || cp -r "$T" "$KEEP"
summary
