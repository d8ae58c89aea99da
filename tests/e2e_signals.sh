#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_signals.sh: every system call the kernel runs is seen with the number
# the kernel uses, and a signal handler's window is its own (issue 9, items
# 1, 2 and 4): call numbers with the upper 32 bits of rax set, syscall(-1)
# in main code and in a handler, handlers left with siglongjmp (with and
# without an alternate signal stack), handlers nested deeper than ebph's
# window stack. Pairs are read with `ebph show -j` from the running monitor.
# Fixture: tests/fixtures/ph_sigwin.c, one copy (one profile) per case.
. tests/lib.sh
FX=tests/fixtures/bin
MAXRUNS=30

for n in up inv hnd frk jmp alt nst; do cp "$FX/ph_sigwin" "$T/$n"; done
KU=$(stat_key "$T/up")

note() { printf '#    %s\n' "$*"; }

# pairs NAME: the training pairs of $T/NAME's profile, one JSON line each
pairs() { "$EBPH" show -j --pairs -c "$T/c.yaml" "$T/$1" | jq -c 'select(.type == "pair")'; }

# has_pair FILE CALL PREV D: the pair (CALL, PREV at distance D) is in FILE
has_pair() {
	[ "$(jq -c "select(.call == \"$2\" and .prev == \"$3\" and .distance == $4)" "$1" | wc -l)" -ge 1 ]
}

# dists FILE CALL PREV: the distances of the pairs (CALL, PREV), sorted
dists() {
	jq -r "select(.call == \"$2\" and .prev == \"$3\") | .distance" "$1" | sort -n | tr '\n' ' ' |
		sed 's/ $//'
}

# mixed FILE CALLS PREVS: pairs of FILE whose call is one of CALLS and whose
# previous call is one of PREVS (JSON arrays), as "call<-prev/d" words
mixed() {
	jq -r --argjson c "$2" --argjson p "$3" \
		'select((.call as $x | $c | index($x)) and (.prev as $y | $p | index($y))) |
		"\(.call)<-\(.prev)/\(.distance)"' "$1" | sort -u | tr '\n' ' '
}

# anomalies PID: "getpid:seq,..." of each anomaly of PID that is a getpid
# call, in order (the program's start-up calls vary a little run to run)
anomalies() {
	jq -r "select(.type == \"anomaly\" and .pid == $1 and .syscall == \"getpid\") |
		\"\(.syscall):\(.sequence | join(\",\"))\"" "$OUT"
}

OUT=$T/out
write_config "$T/c.yaml" normal_wait=1s anomaly_limit=100000 tolerize_limit=100 ringbuf_kb=16384
start_ebph "$OUT" -j -c "$T/c.yaml" --no-load --no-save || { fail "ebph starts"; summary; exit 1; }

# ---- 1. call numbers as the kernel takes them: the low 32 bits of rax ----
if train "$KU" "$T/up" run; then
	ok "1: up became normal after $RUNS runs"
else
	fail "1: up became normal within $MAXRUNS runs"
fi
for m in plain hi neg; do
	"$T/up" $m &
	p=$!
	wait "$p"
	check "1: up $m: the fixture ran getpid three times (exit 0)" [ $? -eq 0 ]
	eval "P_$m=$p"
done
sleep 0.5
anomalies "$P_plain" > "$T/an.plain"
anomalies "$P_hi" > "$T/an.hi"
anomalies "$P_neg" > "$T/an.neg"
np=$(wc -l < "$T/an.plain"); nh=$(wc -l < "$T/an.hi"); nn=$(wc -l < "$T/an.neg")
note "anomalies: plain $np, rax 0x100000027 $nh, rax 0xffffffff00000027 $nn"
check "1: the three extra plain getpid calls are anomalies ($np)" [ "$np" -eq 3 ]
check "1: with rax = 0x100000027: the same anomalies as plain ($nh, same sequences)" \
	cmp "$T/an.plain" "$T/an.hi"
check "1: with rax = 0xffffffff00000027: the same anomalies as plain ($nn, same sequences)" \
	cmp "$T/an.plain" "$T/an.neg"

# ---- 2. syscall(-1) is a call (syscall:invalid), not a signal return ----
"$T/inv" invalid
sleep 0.3
pairs inv > "$T/p.inv"
check "2: main code: getppid follows syscall:invalid (distance 1)" \
	has_pair "$T/p.inv" getppid syscall:invalid 1
check "2: main code: syscall:invalid follows getpid (distance 1)" \
	has_pair "$T/p.inv" syscall:invalid getpid 1
check "2: main code: getppid <- getpid only at distance 2 (got: $(dists "$T/p.inv" getppid getpid))" \
	[ "$(dists "$T/p.inv" getppid getpid)" = "2" ]

"$T/hnd" handler
sleep 0.3
pairs hnd > "$T/p.hnd"
check "2: in a handler: getgid follows syscall:invalid (distance 1) in the handler's window" \
	has_pair "$T/p.hnd" getgid syscall:invalid 1
check "2: ... and getuid (distance 2)" has_pair "$T/p.hnd" getgid getuid 2
bad=$(mixed "$T/p.hnd" '["getgid","syscall:invalid","getuid"]' '["kill","getpid","rt_sigaction"]')
check "2: no handler call is paired with main's calls (got: $bad)" [ -z "$bad" ]
check "2: after the handler returns, main's getppid follows main's kill (distance 1)" \
	has_pair "$T/p.hnd" getppid kill 1
bad=$(mixed "$T/p.hnd" '["getppid"]' '["getgid","syscall:invalid","getuid"]')
check "2: main's getppid is paired with no handler call (got: $bad)" [ -z "$bad" ]

"$T/frk" forkh
sleep 0.3
pairs frk > "$T/p.frk"
bad=$(mixed "$T/p.frk" '["getppid"]' '["getgid","getuid","fork","wait4","syscall:invalid"]')
check "2: a process forked in a handler returns through it: main's getppid is paired with no handler call (got: $bad)" \
	[ -z "$bad" ]
check "2: ... and follows main's kill (distance 1)" has_pair "$T/p.frk" getppid kill 1

# ---- 4. handlers left with siglongjmp, nested handlers ----
MAIN='["getpid","kill","getppid","getpgrp"]'
HAND='["getuid","getgid"]'
for c in jmp alt; do
	m=longjmp; [ $c = alt ] && m=altjmp
	"$T/$c" $m
	check "4: $m: the fixture ran (exit 0)" [ $? -eq 0 ]
	sleep 0.3
	pairs $c > "$T/p.$c"
	bad=$(mixed "$T/p.$c" "$MAIN" "$HAND")
	check "4: $m: after 4 handlers left with siglongjmp, no main call is paired with a handler's (got: $bad)" \
		[ -z "$bad" ]
	check "4: $m: main's getppid follows main's kill (distance 1)" has_pair "$T/p.$c" getppid kill 1
	check "4: $m: the handlers' own pairs are learned (getgid <- getuid)" \
		has_pair "$T/p.$c" getgid getuid 1
done

"$T/nst" nested 6
sleep 0.3
pairs nst > "$T/p.nst"
bad=$(mixed "$T/p.nst" '["getppid","getpgrp"]' '["getuid","getgid","kill"]')
check "4: 6 nested handlers: main's calls after them are paired with no handler call (got: $bad)" \
	[ -z "$bad" ]
check "4: 6 nested handlers: main's getppid follows main's tgkill (distance 1)" \
	has_pair "$T/p.nst" getppid tgkill 1
check "4: 6 nested handlers: getpgrp <- getppid, tgkill, gettid at 1, 2, 3 (main's own window)" \
	[ "$(dists "$T/p.nst" getpgrp getppid) $(dists "$T/p.nst" getpgrp tgkill) $(dists "$T/p.nst" getpgrp gettid)" = "1 2 3" ]
bad=$(mixed "$T/p.nst" '["getuid"]' '["tgkill","gettid"]')
check "4: 6 nested handlers: no handler call is paired with main's (got: $bad)" [ -z "$bad" ]

stop_ebph
check "ebph exits 0" [ $? -eq 0 ]
summary
