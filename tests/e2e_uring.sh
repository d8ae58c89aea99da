#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_uring.sh: io_uring operations are pseudo-calls of the task that
# submits them, learned and tested like system calls (issue 9, item 3).
# tests/fixtures/uring.c drives a ring with raw system calls: NOP, READ,
# NOP in training, NOP, READ, OPENAT of /etc/shadow after: the same system
# calls (so ebph 0.1 saw nothing), only the third operation differs. SQPOLL
# rings are submitted by the kernel's iou-sqp thread, attributed to the ring
# owner's profile in a window of their own.
. tests/lib.sh
FX=tests/fixtures/bin
MAXRUNS=30
OUT=$T/out

for n in u1 u2 u3 u4; do cp "$FX/uring" "$T/$n"; done
K1=$(stat_key "$T/u1"); K2=$(stat_key "$T/u2"); K3=$(stat_key "$T/u3"); K4=$(stat_key "$T/u4")
note() { printf '#    %s\n' "$*"; }
# jqt FILTER FILE: the last value FILTER outputs is true
jqt() { [ "$(jq -c "$1" "$2" 2>/dev/null | tail -n 1)" = true ]; }
# pair FILE CALL PREV D: the show -j output has the training pair
pair() { [ "$(count "$1" ".type == \"pair\" and .view == \"training\" and .call == \"$2\" and .prev == \"$3\" and .distance == $4")" -eq 1 ]; }

write_config "$T/a.yaml" normal_wait=1s anomaly_limit=100000 ringbuf_kb=16384
start_ebph "$OUT" -j -c "$T/a.yaml" || { fail "ebph starts"; summary; exit 1; }

"$T/u1" nop > /dev/null
rc=$?
if [ "$rc" -eq 3 ]; then
	# this kernel refuses io_uring (kernel.io_uring_disabled): nothing to see
	note "io_uring is refused here: only the banner is checked"
	check "ebph runs and its banner names what it sees" grep -q '^Tracing system calls' "$OUT.err"
	stop_ebph
	summary
	exit
fi
check "the fixture runs a ring" [ "$rc" -eq 0 ]
check "banner: ebph sees io_uring operations" \
	grep -q '^Tracing system calls and io_uring operations of all processes' "$OUT.err"
check "no 'not seen' warning" sh -c "! grep -q 'io_uring operations are not seen' '$OUT.err'"

# ---- 1. a normal profile, then IORING_OP_OPENAT: an anomaly names it ----
if train "$K1" "$T/u1" nop; then
	ok "1: u1 (ring with nop, read, nop) became normal after $RUNS runs"
else
	fail "1: u1 became normal within $MAXRUNS runs"
fi
for i in 1 2; do "$T/u1" nop > /dev/null; done
sleep 0.3
check "1: no anomaly for u1's trained behaviour" \
	[ "$(count "$OUT" ".type == \"anomaly\" and .profile == \"$K1\"")" -eq 0 ]
"$T/u1" openat /etc/shadow > "$T/u1.res" &
P=$!
wait "$P"
check "1: the fixture opened /etc/shadow through io_uring" grep -q '^openat [0-9]' "$T/u1.res"
if wait_for "$OUT" ".type == \"anomaly\" and .pid == $P and .syscall == \"io_uring:openat\"" 5; then
	F=$T/first1
	jq -c "select(.type == \"anomaly\" and .pid == $P)" "$OUT" | head -n 1 > "$F"
	note "$(cat "$F")"
	check "1: the run's first anomaly is io_uring:openat (its system calls are the trained ones)" \
		jqt '.syscall == "io_uring:openat"' "$F"
	check "1: the anomaly is u1's, in the submitting thread" \
		jqt ".profile == \"$K1\" and .tid == $P and .comm == \"u1\"" "$F"
	check "1: its sequence ends with io_uring:openat after the trained ring calls" \
		jqt '.sequence[-1] == "io_uring:openat" and (.sequence | index("io_uring:read")) != null' "$F"
else
	fail "1: an anomaly io_uring:openat for u1 (pid $P)"
	jq -c "select(.pid == $P)" "$OUT" | head -n 5
fi

# ---- 2. work punted to io-wq (IOSQE_ASYNC) is seen once, at submission ----
"$T/u1" openat /etc/shadow async > /dev/null &
P=$!
wait "$P"
if wait_for "$OUT" ".type == \"anomaly\" and .pid == $P and .syscall == \"io_uring:openat\"" 5; then
	ok "2: IOSQE_ASYNC openat: an anomaly io_uring:openat"
else
	fail "2: IOSQE_ASYNC openat: an anomaly io_uring:openat (pid $P)"
fi
check "2: every event of that run is the submitting thread's (none from the io-wq worker)" \
	[ "$(count "$OUT" ".pid == $P and .tid != $P")" -eq 0 ]

# ---- 3. training with io_uring operations: they are in the profile ----
"$T/u2" openat /etc/shadow > /dev/null
sleep 0.3
"$EBPH" show -j --pairs "$T/u2" > "$T/show2.json"
check "3: show -j u2: exit 0" [ $? -eq 0 ]
check "3: pair (io_uring:nop after openat, distance 1)" pair "$T/show2.json" io_uring:nop openat 1
check "3: pair (io_uring_enter after io_uring:nop, 1)" pair "$T/show2.json" io_uring_enter io_uring:nop 1
check "3: pair (io_uring:openat after close, 1)" pair "$T/show2.json" io_uring:openat close 1
check "3: pair (io_uring:openat after io_uring:read, 4)" pair "$T/show2.json" io_uring:openat io_uring:read 4
"$EBPH" show "$T/u2" > "$T/show2.txt"
check "3: show (text) names io_uring:read" grep -q 'io_uring:read' "$T/show2.txt"

# ---- 4. SQPOLL: the kernel thread's submissions, in the owner's profile ----
"$T/u3" sqpoll /etc/shadow > "$T/u3.res" &
P=$!
wait "$P"
check "4: the fixture opened /etc/shadow through an SQPOLL ring" grep -q '^openat [0-9]' "$T/u3.res"
sleep 0.3
"$EBPH" show -j --pairs "$T/u3" > "$T/show3.json"
check "4: SQPOLL ops, in a window of their own: (io_uring:read after io_uring:nop, 1)" \
	pair "$T/show3.json" io_uring:read io_uring:nop 1
check "4: ... (io_uring:openat after io_uring:read, 1)" \
	pair "$T/show3.json" io_uring:openat io_uring:read 1
check "4: ... (io_uring:openat after io_uring:nop, 2)" \
	pair "$T/show3.json" io_uring:openat io_uring:nop 2
check "4: no new profile for the kernel thread" \
	[ "$(count "$OUT" ".type == \"new_profile\" and .pid == $P")" -eq 1 ]

# ---- 5. SQPOLL: the kernel thread's submissions are tested too ----
if train "$K4" "$T/u4" sqpoll; then
	ok "5: u4 (SQPOLL ring with nop, read, nop) became normal after $RUNS runs"
	"$T/u4" sqpoll /etc/shadow > /dev/null &
	P=$!
	wait "$P"
	if wait_for "$OUT" ".type == \"anomaly\" and .pid == $P and .syscall == \"io_uring:openat\"" 5; then
		F=$T/first5
		jq -c "select(.type == \"anomaly\" and .pid == $P and .syscall == \"io_uring:openat\")" \
			"$OUT" | head -n 1 > "$F"
		note "$(cat "$F")"
		check "5: the anomaly is u4's, from its iou-sqp thread, after nop and read" \
			jqt ".profile == \"$K4\" and .tid != $P and .comm == \"iou-sqp-$P\" and
			     .sequence[-3:] == [\"io_uring:nop\", \"io_uring:read\", \"io_uring:openat\"]" "$F"
	else
		fail "5: an anomaly io_uring:openat for u4's SQPOLL ring (pid $P)"
	fi
else
	fail "5: u4 became normal within $MAXRUNS runs"
fi

stop_ebph
check "ebph exits 0" [ $? -eq 0 ]
summary
