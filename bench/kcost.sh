#!/bin/bash
# bench/kcost.sh: the in-kernel cost per run of ebph's sys_exit program (BPF
# run-time statistics) under a getppid loop, next to an empty program: quick
# before/after figures for hot-path changes. Run it under the e2e lock.
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/tracer.sh"
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BIN=$BENCH_DIR/bin
EBPH=$ROOT/ebph
ROUNDS=3
N=300000
CHUNKS=10
CPU=
PID=
JSON=0
CONFIGS="empty_hook ebph_train ebph_frozen ebph_normal"
ATTACH_TIMEOUT=60
WARM_TIMEOUT=30

usage() {
	cat <<EOF
usage: bench/kcost.sh [-r ROUNDS] [-n CALLS] [--ebph PATH] [--cpu N] [-j]
                      [--configs LIST] [-p PID]
Measure the in-kernel cost per run of the sys_exit programs (BPF run-time
statistics, on only while it runs) over a loop of CALLS getppid calls, ROUNDS
rounds, each configuration started afresh each round in rotated order:
  empty_hook   an empty program on the sys_exit raw tracepoint (the floor)
  ebph_train   ebph, the loop's profile training (it never freezes)
  ebph_frozen  ebph, the profile frozen (stable, waiting out normal_wait)
  ebph_normal  ebph, the profile normal (the detection path)
  syscount     bcc's syscount (peer, if installed)
  bpftrace     bpftrace 'tracepoint:raw_syscalls:sys_exit { @[pid] = count(); }'
Prints ns per run (median [min..max] of the rounds), the ratio of the
medians to empty_hook, and the ratio to a control: an empty program attached
next to each tracer and measured over the same calls (median of the pieces,
then of the rounds), which cancels what the machine's state (other work,
caches) does to both and is the steadier figure on a shared machine. Takes about 30 s. Needs root; starts ebph monitors, so
run it under the e2e lock: flock /tmp/ebph-e2e.lock bench/kcost.sh
  -r N          rounds (default 3)
  -n N          getppid calls per measurement (default 300000), in 10 pieces:
                a round's figure is the median of its pieces
  --ebph PATH   the ebph binary (default ./ebph of this tree)
  --cpu N       the CPU the loop runs on (default the last one)
  --configs L   comma-separated configurations (default
                empty_hook,ebph_train,ebph_frozen,ebph_normal)
  -p PID        measure the programs of a running tracer (e.g. an ebph you
                started) instead: no tracer is started; every program of PID
                that ran is listed
  -j            JSON: one object per configuration and round, then a summary
EXAMPLES
  flock /tmp/ebph-e2e.lock make bench-kernel
  flock /tmp/ebph-e2e.lock bench/kcost.sh --configs empty_hook,ebph_train,syscount,bpftrace
  bench/kcost.sh -p \$(pidof ebph) -r 5
EOF
}

die() { printf 'kcost: %s\n' "$1" >&2; exit "${2:-1}"; }

while [ $# -gt 0 ]; do
	case $1 in
	-r) ROUNDS=${2:-}; shift ;;
	-n) N=${2:-}; shift ;;
	--ebph) EBPH=${2:-}; shift ;;
	--cpu) CPU=${2:-}; shift ;;
	--configs) CONFIGS=$(echo "${2:-}" | tr , ' '); shift ;;
	-p) PID=${2:-}; shift ;;
	-j) JSON=1 ;;
	-h|--help) usage; exit 0 ;;
	*) printf "kcost: unknown argument '%s'\n" "$1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
case $ROUNDS in ''|*[!0-9]*|0) die "-r must be a positive number" 2 ;; esac
case $N in ''|*[!0-9]*) die "-n must be a number" 2 ;; esac
[ "$N" -ge 1000 ] || die "-n must be at least 1000" 2
[ -z "$PID" ] || case $PID in *[!0-9]*) die "-p '$PID': not a process id" 2 ;; esac
for c in $CONFIGS; do
	case $c in empty_hook|ebph_train|ebph_frozen|ebph_normal|syscount|bpftrace) ;;
	*) die "--configs: unknown configuration '$c'" 2 ;;
	esac
done
[ -n "$CONFIGS" ] || die "--configs: empty" 2
NCPU=$(getconf _NPROCESSORS_ONLN)
[ -z "$CPU" ] && CPU=$((NCPU - 1))
case $CPU in ''|*[!0-9]*) die "--cpu must be a CPU number" 2 ;; esac
[ "$CPU" -lt "$NCPU" ] || die "--cpu $CPU: there are $NCPU CPUs" 2
[ "$(id -u)" -eq 0 ] || die "needs root"
command -v jq > /dev/null || die "needs jq"
for b in ops hook kstat; do
	[ -x "$BIN/$b" ] || die "$BIN/$b missing: run make bench-build"
done
OPS=$(readlink -f "$BIN/ops")
SYSCOUNT=${SYSCOUNT:-$(command -v syscount-bpfcc || command -v syscount || true)}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || true)}
case " $CONFIGS " in *" ebph_"*) [ -n "$PID" ] || [ -x "$EBPH" ] || die "no $EBPH: build it or --ebph" ;; esac
case " $CONFIGS " in *" syscount "*) [ -n "$SYSCOUNT" ] || [ -n "$PID" ] || die "syscount not installed" ;; esac
case " $CONFIGS " in *" bpftrace "*) [ -n "$BPFTRACE" ] || [ -n "$PID" ] || die "bpftrace not installed" ;; esac

# The loop on CPU; everything else (this script, the tracers) away from it.
AWAY=
if [ "$NCPU" -gt 1 ] && command -v taskset > /dev/null; then
	AWAY="taskset -c $(seq 0 $((NCPU - 1)) | grep -vx "$CPU" | paste -sd,)"
	taskset -p -c "$(seq 0 $((NCPU - 1)) | grep -vx "$CPU" | paste -sd,)" $$ > /dev/null
fi
# Tracers must see SIGINT: a background job of a script starts with it ignored.
SPAWN=
env --default-signal true 2> /dev/null && SPAWN="env --default-signal"

WORK=$(mktemp -d /tmp/ebph-kcost.XXXXXX) || die "cannot create a work directory"
TRACER_PID=
CONTROL_PID=
MOUNTED_TRACEFS=0
cleanup() {
	stop_tracer
	stop_control
	[ "$MOUNTED_TRACEFS" = 1 ] && umount /sys/kernel/tracing 2> /dev/null
	[ -n "${KCOST_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# syscount and bpftrace need tracefs (others may unmount it meanwhile).
ensure_tracefs() {
	[ -d /sys/kernel/tracing/events ] && return 0
	mount -t tracefs tracefs /sys/kernel/tracing && MOUNTED_TRACEFS=1
}

# Start tracer $1, output in $WORK/t.{out,err}; wait until it says it is attached.
start_tracer() {
	local name=$1 pat=Tracing i
	case $name in
	empty_hook) set -- "$BIN/hook"; pat=ready ;;
	ebph_train) set -- "$EBPH" -c "$(ebph_cfg 7d 'normal_factor: 1000000' 'normal_factor_den: 1')" -j ;;
	ebph_frozen) set -- "$EBPH" -c "$(ebph_cfg 7d)" -j ;;
	ebph_normal) set -- "$EBPH" -c "$(ebph_cfg 1s)" -j ;;
	syscount) set -- "$SYSCOUNT"; ensure_tracefs ;;
	bpftrace) set -- "$BPFTRACE" -e 'tracepoint:raw_syscalls:sys_exit { @[pid] = count(); }'
		pat=Attaching; ensure_tracefs ;;
	esac
	$SPAWN $AWAY "$@" > "$WORK/t.out" 2> "$WORK/t.err" &
	TRACER_PID=$!
	for i in $(seq $((ATTACH_TIMEOUT * 20))); do
		grep -q "$pat" "$WORK/t.out" "$WORK/t.err" 2> /dev/null && return 0
		if ! kill -0 "$TRACER_PID" 2> /dev/null; then
			wait "$TRACER_PID"
			TRACER_PID=
			printf 'kcost: %s exited before attaching:\n' "$name" >&2
			tail -n 5 "$WORK/t.err" >&2
			return 1
		fi
		sleep 0.05
	done
	printf 'kcost: %s did not attach within %ss\n' "$name" "$ATTACH_TIMEOUT" >&2
	stop_tracer
	return 1
}

# The control: an empty program on sys_exit next to the tracer measured, so
# that both are measured over the same calls at the same time; their ratio
# leaves out what the machine's state does to both (other work on the
# CPUs, caches), which moves the absolute figures by up to 2x between runs.
start_control() {
	local i
	$AWAY "$BIN/hook" > "$WORK/c.out" 2>&1 &
	CONTROL_PID=$!
	for i in $(seq 400); do
		grep -q ready "$WORK/c.out" && return 0
		kill -0 "$CONTROL_PID" 2> /dev/null || break
		sleep 0.05
	done
	printf 'kcost: the control hook did not attach\n' >&2
	stop_control
	return 1
}

stop_control() {
	[ -n "$CONTROL_PID" ] || return 0
	kill -INT "$CONTROL_PID" 2> /dev/null
	wait "$CONTROL_PID" 2> /dev/null
	CONTROL_PID=
}


# An ebph config: normal_wait $1, then extra lines; a fresh state directory.
ebph_cfg() {
	local dir f
	dir=$(mktemp -d "$WORK/state.XXXXXX")
	f=$dir.yaml
	{
		printf 'normal_wait: %s\nstatus_interval: 0\nsave_interval: 0\nstate_dir: %s\n' "$1" "$dir"
		shift
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} > "$f"
	echo "$f"
}

# ebph reported the profile of executable $1 in state $2 (grep: quick on a
# big output, and without programs that a normal profile finds anomalous).
has_state() {
	grep -F '"type":"profile_state"' "$WORK/t.out" | grep -F "\"path\":\"$1\"" |
		grep -qF "\"state\":\"$2\""
}

# Run the loop (as measured) until ebph reports the loop's profile in state $1.
warm_until() {
	local t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "$WARM_TIMEOUT" ]; do
		"$OPS" -c "$CPU" -o null -n $((N / CHUNKS)) -q || return 1
		has_state "$OPS" "$1" && return 0
	done
	return 1
}

# One measurement: kstat over the loop, in CHUNKS pieces (a median of the
# pieces leaves out a piece slowed by an interruption); one JSON line per
# program that ran and piece.
measure() {
	local cfg=$1 round=$2 pids=$3 i
	for i in $(seq "$CHUNKS"); do
		echo "$OPS -c $CPU -o null -n $((N / CHUNKS)) -q"
	done > "$WORK/k.cmds"
	if ! "$BIN/kstat" $pids -c < "$WORK/k.cmds" > "$WORK/k.out"; then
		printf 'kcost: round %s: %s: the measurement failed\n' "$round" "$cfg" >&2
		return 1
	fi
	jq -c --arg c "$cfg" --argjson r "$round" --arg ctl " ${4:-} " 'select(.run_cnt > 0) |
		{config: $c, round: $r, chunk: .seq, id, name, tp, run_cnt, ns_per_run,
		 control: (.id as $i | $ctl | contains(" \($i) "))}' \
		"$WORK/k.out" >> "$WORK/all.jsonl"
}

# Busy and total jiffies of all CPUs: how busy the machine was meanwhile.
jiffies() { awk '/^cpu / { for (i = 2; i <= NF; i++) t += $i; print $2 + $3 + $4 + $7 + $8 + $9, t }' /proc/stat; }
J0=$(jiffies)
: > "$WORK/all.jsonl"
if [ -n "$PID" ]; then
	kill -0 "$PID" 2> /dev/null || die "-p $PID: no such process" 2
	for round in $(seq "$ROUNDS"); do
		measure "pid_$PID" "$round" "-p $PID" || exit 1
	done
	CONFIGS=pid_$PID
else
	set -- $CONFIGS
	NCFG=$#
	for round in $(seq "$ROUNDS"); do
		for i in $(seq 0 $((NCFG - 1))); do
			j=$(((i + round - 1) % NCFG + 1))
			cfg=${!j}
			start_tracer "$cfg" || exit 1
			case $cfg in
			ebph_frozen) warm_until frozen || { stop_tracer; die "$cfg: the loop's profile never froze within ${WARM_TIMEOUT}s"; } ;;
			ebph_normal) warm_until normal || { stop_tracer; die "$cfg: the loop's profile never became normal within ${WARM_TIMEOUT}s"; } ;;
			ebph_train) "$OPS" -c "$CPU" -o null -n $((N / CHUNKS)) -q ;;	# a profile exists, rows allocated
			esac
			if [ "$cfg" = empty_hook ]; then
				measure "$cfg" "$round" "-p $TRACER_PID" || exit 1
			else
				start_control || exit 1
				measure "$cfg" "$round" "-p $TRACER_PID -p $CONTROL_PID" \
					"$(grep -h '^prog_id:' /proc/$CONTROL_PID/fdinfo/* | awk '{ print $2 }' | tr '\n' ' ')" || exit 1
				stop_control
			fi
			case $cfg in ebph_*)
				if grep -F '"type":"anomaly"' "$WORK/t.out" | grep -qF "\"path\":\"$OPS\""; then
					printf 'kcost: round %s: %s: anomalies in the loop'"'"'s profile\n' "$round" "$cfg" >&2
				fi ;;
			esac
			stop_tracer
		done
	done
fi

# Per configuration and round: in each piece, the program attached to the
# sys_exit raw tracepoint, or else the programs that ran at least half as
# often as the busiest (syscount: sys_enter + sys_exit), summed: the cost per
# system call; the round's figure is the median of its pieces.
BUSY=$(echo "$J0 $(jiffies)" | awk '{ t = $4 - $2; printf "%.2f", (t > 0 ? ($3 - $1) / t : 0) }')
SUMMARY=$(jq -sc --arg order "$CONFIGS" --argjson busy "$BUSY" --argjson load "$(cut -d' ' -f1 /proc/loadavg)" '
	def med: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
	def r1: . * 10 | round / 10;
	($order | split(" ") | map(select(. != ""))) as $cfgs |
	. as $all |
	[$cfgs[] as $c | [.[] | select(.config == $c and (.control | not))] as $rows |
	 [$all[] | select(.config == $c and .control)] as $ctl |
	 ($rows | map(select(.tp == "sys_exit")) | if length > 0 then . else
		($rows | group_by([.round, .chunk]) | map((map(.run_cnt) | max) as $m |
			map(select(.run_cnt * 2 >= $m))) | add) end) as $sel |
	 ($sel | group_by(.id) | map(.[0].name) | unique) as $names |
	 ($sel | group_by(.round) | map(group_by(.chunk) | map(map(.ns_per_run) | add) | med)) as $per |
	 # Per piece: the tracer over the control measured at the same time.
	 ($sel | group_by(.round) | map(group_by(.chunk) | map(.[0] as $x |
		([$ctl[] | select(.round == $x.round and .chunk == $x.chunk)] | first) as $k |
		if $k and $k.ns_per_run > 0 then (map(.ns_per_run) | add) / $k.ns_per_run
		else empty end) | med) | map(select(. != null))) as $rat |
	 {config: $c, programs: $names, rounds: ($per | length),
	  ratio_to_control: (if $c == "empty_hook" then 1 else ($rat | med |
		if . then . * 100 | round / 100 else null end) end),
	  ratio_to_control_min: ($rat | min | if . then . * 100 | round / 100 else null end),
	  ratio_to_control_max: ($rat | max | if . then . * 100 | round / 100 else null end),
	  ns_per_run: ($per | med | if . then r1 else null end),
	  min: ($per | min | if . then r1 else null end), max: ($per | max | if . then r1 else null end),
	  runs: ($sel | map(.run_cnt) | add)}] as $s |
	($s | map(select(.config == "empty_hook")) | first | .ns_per_run) as $floor |
	{calls: '"$N"', rounds: '"$ROUNDS"', chunks: '"$CHUNKS"', machine_busy: $busy, loadavg: $load,
	 configs: [$s[] | . + {ratio_to_empty: (if $floor and .ns_per_run then
		(.ns_per_run / $floor * 100 | round / 100) else null end)}]}' "$WORK/all.jsonl")

if [ "$JSON" = 1 ]; then
	cat "$WORK/all.jsonl"
	echo "$SUMMARY"
	exit 0
fi
printf 'in-kernel ns per run of the sys_exit program, %s getppid calls in %s pieces, %s rounds (CPU %s)\n' \
	"$N" "$CHUNKS" "$ROUNDS" "$CPU"
printf '%-12s %8s %15s %8s %10s %15s  %s\n' CONFIG NS/RUN "[MIN..MAX]" X_EMPTY X_CONTROL "[MIN..MAX]" PROGRAM
echo "$SUMMARY" | jq -r '.configs[] | [.config, (.ns_per_run // "-"), "[\(.min // "-")..\(.max // "-")]",
	(.ratio_to_empty // "-"), (.ratio_to_control // "-"),
	"[\(.ratio_to_control_min // "-")..\(.ratio_to_control_max // "-")]", (.programs | join("+"))] | @tsv' |
	awk -F'\t' '{ printf "%-12s %8s %15s %8s %10s %15s  %s\n", $1, $2, $3, $4, $5, $6, $7 }'
echo "X_EMPTY: over empty_hook run on its own; X_CONTROL: over an empty program attached"
echo "next to it, measured over the same calls (steadier: the machine's state cancels out)"
echo "$SUMMARY" | jq -r '"machine \(.machine_busy * 100 | round)% busy meanwhile (all CPUs, this run included), load average \(.loadavg)" +
	(if .machine_busy > 0.6 then ": other work ran, figures are higher and noisier than on a quiet machine" else "" end)'
if [ -n "$PID" ]; then
	echo "every program of $PID that ran during the loop (median ns per run):"
	jq -sr 'group_by(.id)[] | "  id \(.[0].id) \(.[0].name) \(.[0].tp): \(map(.ns_per_run) | sort | .[(length - 1) / 2 | floor]) ns (median of pieces), \(map(.run_cnt) | add) runs"' "$WORK/all.jsonl"
fi
