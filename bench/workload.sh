#!/bin/bash
# bench/workload.sh: the overhead of tracing on real work: a build of ebph
# from clean (make -j2) and a shell-script-heavy job, as % of elapsed and of
# system time, under ebph (training, normal) and syscount, against none.
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_DIR/tracer.sh"
ROOT=$(cd "$BENCH_DIR/.." && pwd)
EBPH=$ROOT/ebph
ROUNDS=3
OUT=$BENCH_DIR/workload.json
LOCK=
KEEP=0
CONFIGS="none ebph_train ebph_normal syscount"
SHELL_N=300
SYSCOUNT=${SYSCOUNT:-$(command -v syscount-bpfcc || command -v syscount || true)}

usage() {
	cat <<EOF
usage: bench/workload.sh [-r ROUNDS] [--ebph PATH] [-o FILE] [--lock FILE]
                         [--configs LIST] [--keep]
Time two real jobs under each configuration, rounds interleaved (order
rotated), and print the overhead over none as % of elapsed and of system
time (median of the rounds' differences with the same round's none, and
their spread):
  build   make -j2 ebph from clean, in a copy of this tree's sources
  shell   bench/shelljob.sh: a shell loop of short processes (sed, tr, expr, ...)
Each job runs once untimed first under every configuration (a monitor that
has run a while: the programs have profiles). Configurations: none,
ebph_train (normal_wait 7d), ebph_normal (normal_wait 1s, each job run once
more after a pause so that its stable programs' profiles turn normal),
syscount (if installed). Writes JSON (default bench/workload.json; schema in
bench/README.md). Takes a few minutes. Needs root; starts ebph monitors:
  --lock FILE   take FILE (flock) around each measurement, not the whole run
                (make bench-workload BENCH_LOCK=FILE)
  -r N          rounds (default 3)
  --configs L   comma-separated subset of none,ebph_train,ebph_normal,syscount
  --keep        keep the work directory
EXAMPLES
  make bench-workload BENCH_LOCK=/tmp/ebph-e2e.lock
  bench/workload.sh -r 5 --configs none,ebph_train --lock /tmp/ebph-e2e.lock
EOF
}

die() { printf 'workload: %s\n' "$1" >&2; exit "${2:-1}"; }
say() { printf 'workload: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	-r) ROUNDS=${2:-}; shift ;;
	--ebph) EBPH=${2:-}; shift ;;
	-o) OUT=${2:-}; shift ;;
	--lock) LOCK=${2:-}; shift ;;
	--configs) CONFIGS=$(echo "${2:-}" | tr , ' '); shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	*) printf "workload: unknown argument '%s'\n" "$1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
case $ROUNDS in ''|*[!0-9]*|0) die "-r must be a positive number" 2 ;; esac
for c in $CONFIGS; do
	case $c in none|ebph_train|ebph_normal|syscount) ;;
	*) die "--configs: unknown configuration '$c'" 2 ;;
	esac
done
case " $CONFIGS " in *" none "*) ;; *) die "--configs must include none (the reference)" 2 ;; esac
[ "$(id -u)" -eq 0 ] || die "needs root"
command -v jq > /dev/null || die "needs jq"
case " $CONFIGS " in *" ebph_"*) [ -x "$EBPH" ] || die "no $EBPH: build it or --ebph" ;; esac
if [ -z "$SYSCOUNT" ]; then
	case " $CONFIGS " in *" syscount "*)
		say "syscount not installed: skipped"
		CONFIGS=$(echo "$CONFIGS" | tr ' ' '\n' | grep -vx syscount | tr '\n' ' ') ;;
	esac
fi

WORK=$(mktemp -d /tmp/ebph-workload.XXXXXX) || die "cannot create a work directory"
TRACER_PID=
LOCKED=0
MOUNTED_TRACEFS=0
cleanup() {
	stop_tracer
	lock_drop
	[ "$MOUNTED_TRACEFS" = 1 ] && umount /sys/kernel/tracing 2> /dev/null
	[ "$KEEP" = 1 ] && say "work directory kept: $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lock_take() {
	[ -n "$LOCK" ] && [ "$LOCKED" = 0 ] || return 0
	exec 8>> "$LOCK" || die "cannot open the lock $LOCK"
	flock 8 || die "cannot take the lock $LOCK"
	LOCKED=1
}
lock_drop() {
	[ "$LOCKED" = 1 ] || return 0
	flock -u 8
	exec 8>&-
	LOCKED=0
}

# The sources to build: the tree's own files (git's list when there is one).
mkdir "$WORK/src"
if git -C "$ROOT" rev-parse --git-dir > /dev/null 2>&1; then
	(cd "$ROOT" && git ls-files | grep -v '^tests/\|^bench/' | tar -cf - -T -) | tar -xf - -C "$WORK/src"
else
	(cd "$ROOT" && tar -cf - --exclude=./tests --exclude=./bench --exclude=./ebph --exclude=./gen .) |
		tar -xf - -C "$WORK/src"
fi || die "cannot copy the sources"
make -s -C "$WORK/src" -j2 ebph > "$WORK/build.log" 2>&1 || { tail "$WORK/build.log" >&2; die "the build fails untraced"; }
SHELLJOB=$BENCH_DIR/shelljob.sh

# Time job $1 (build or shell): "elapsed user sys" in seconds, children included.
run_job() {
	local TIMEFORMAT='%R %U %S'
	case $1 in
	build)
		make -s -C "$WORK/src" clean > /dev/null 2>&1
		{ time make -s -C "$WORK/src" -j2 ebph > "$WORK/build.log" 2>&1; } 2> "$WORK/time"
		;;
	shell)
		{ time sh "$SHELLJOB" "$SHELL_N" > /dev/null 2>&1; } 2> "$WORK/time"
		;;
	esac
	tail -n 1 "$WORK/time"
}

ebph_cfg() {
	mkdir -p "$WORK/state-$2"
	printf 'normal_wait: %s\nstatus_interval: 0\nsave_interval: 0\nstate_dir: %s\n' "$1" \
		"$WORK/state-$2" > "$WORK/$2.yaml"
	echo "$WORK/$2.yaml"
}

start_tracer() {
	local name=$1 i
	case $name in
	ebph_train) set -- "$EBPH" -c "$(ebph_cfg 7d "$2")" -j ;;
	ebph_normal) set -- "$EBPH" -c "$(ebph_cfg 1s "$2")" -j ;;
	syscount) set -- "$SYSCOUNT"
		if [ ! -d /sys/kernel/tracing/events ]; then
			mount -t tracefs tracefs /sys/kernel/tracing && MOUNTED_TRACEFS=1
		fi ;;
	esac
	env --default-signal "$@" > "$WORK/t.out" 2> "$WORK/t.err" 8>&- &
	TRACER_PID=$!
	for i in $(seq 1200); do
		grep -q Tracing "$WORK/t.out" "$WORK/t.err" 2> /dev/null && return 0
		if ! kill -0 "$TRACER_PID" 2> /dev/null; then
			wait "$TRACER_PID"
			TRACER_PID=
			say "$name exited before attaching:"
			tail -n 5 "$WORK/t.err" >&2
			return 1
		fi
		sleep 0.05
	done
	stop_tracer
	say "$name did not attach within 60 s"
	return 1
}



: > "$WORK/samples.jsonl"
: > "$WORK/ebph.jsonl"
set -- $CONFIGS
NCFG=$#
for round in $(seq "$ROUNDS"); do
	order=
	for i in $(seq 0 $((NCFG - 1))); do
		j=$(((i + round - 1) % NCFG + 1))
		order="$order ${!j}"
	done
	say "round $round/$ROUNDS:$order"
	for cfg in $order; do
		lock_take
		if [ "$cfg" != none ]; then
			start_tracer "$cfg" "$round" || exit 1
			sleep 0.5
		fi
		# A monitor that has run a while: the jobs' programs have profiles
		# (and caches are warm for none too).
		run_job build > /dev/null
		run_job shell > /dev/null
		if [ "$cfg" = ebph_normal ]; then
			# Let the stable profiles wait out normal_wait and run the jobs
			# again: those profiles turn normal on their next call.
			sleep 1.2
			run_job build > /dev/null
			run_job shell > /dev/null
		fi
		m0=$EPOCHREALTIME
		for job in build shell; do
			t=$(run_job "$job")
			echo "$t" | awk -v c="$cfg" -v r="$round" -v j="$job" \
				'{ printf "{\"config\":\"%s\",\"round\":%d,\"job\":\"%s\",\"elapsed\":%s,\"user\":%s,\"sys\":%s}\n", c, r, j, $1, $2, $3 }' \
				>> "$WORK/samples.jsonl"
		done
		m1=$EPOCHREALTIME
		stop_tracer
		lock_drop
		case $cfg in ebph_*)
			jq -cnR --arg c "$cfg" --argjson r "$round" --argjson t0 "$m0" --argjson t1 "$m1" '
				[inputs | fromjson?] as $ev |
				([$ev[] | select(.type == "status" and .final == true)] | last) as $st |
				{config: $c, round: $r,
				 anomalies: ([$ev[] | select(.type == "anomaly" and .ts >= $t0 and .ts <= $t1)] | length),
				 normal_profiles: $st.normal, profiles: $st.profiles, lost_events: $st.lost_events}' \
				"$WORK/t.out" >> "$WORK/ebph.jsonl" ;;
		esac
	done
done

jq -n --slurpfile s "$WORK/samples.jsonl" --slurpfile e "$WORK/ebph.jsonl" \
	--argjson rounds "$ROUNDS" --arg configs "$CONFIGS" --argjson n "$SHELL_N" '
	def quant($q): sort as $a | ($a | length) as $k | if $k == 0 then null
		else (($k - 1) * $q) as $p | ($p | floor) as $lo | ($p | ceil) as $hi |
			$a[$lo] + ($a[$hi] - $a[$lo]) * ($p - $lo) end;
	def r2: if . == null then null else . * 100 | round / 100 end;
	def r1: if . == null then null else . * 10 | round / 10 end;
	def st: {median: (quant(0.5) | r2), min: (min | r2), max: (max | r2)};
	($configs | split(" ") | map(select(. != ""))) as $cfgs |
	# % over the same round'"'"'s none, round by round: median, IQR, noisy.
	def pct($job; $c; $f):
		[$s[] | select(.job == $job and .config == $c) | . as $x |
		 ([$s[] | select(.job == $job and .config == "none" and .round == $x.round)] | first) as $n |
		 select($n != null and $n[$f] > 0) | ($x[$f] - $n[$f]) / $n[$f] * 100] as $d |
		if ($d | length) == 0 then null else
		{median: ($d | quant(0.5) | r1), p25: ($d | quant(0.25) | r1), p75: ($d | quant(0.75) | r1),
		 noisy: (if ($d | length) < 2 then null
			 else ($d | quant(0.75)) - ($d | quant(0.25)) > ($d | quant(0.5) | fabs) end)} end;
	{rounds: $rounds,
	 jobs: ({build: "make -j2 ebph from clean", shell: "bench/shelljob.sh \($n)"} | with_entries(
		.key as $job | .value = {desc: .value, configs: ([$cfgs[] as $c |
		  [$s[] | select(.job == $job and .config == $c)] as $x |
		  {key: $c, value: ({elapsed_s: ([$x[].elapsed] | st), sys_s: ([$x[].sys] | st),
				     user_s: ([$x[].user] | st), n: ($x | length)} +
			(if $c == "none" then {} else
			 {elapsed_pct: pct($job; $c; "elapsed"), sys_pct: pct($job; $c; "sys")} end))}]
		  | from_entries)})),
	 ebph: $e}' > "$WORK/workload.json" || die "cannot build the results"
cp "$WORK/workload.json" "$OUT" || die "cannot write $OUT"
jq -r '.jobs | to_entries[] | .key as $j | .value.desc as $d | .value.configs | to_entries[] |
	select(.key != "none") |
	"\($j) (\($d)), \(.key): elapsed \(if .value.elapsed_pct.noisy then "~" else "" end)\(.value.elapsed_pct.median // "-")% [\(.value.elapsed_pct.p25 // "-")..\(.value.elapsed_pct.p75 // "-")], system time \(if .value.sys_pct.noisy then "~" else "" end)\(.value.sys_pct.median // "-")% [\(.value.sys_pct.p25 // "-")..\(.value.sys_pct.p75 // "-")]"' "$OUT"
jq -r '"none: build \(.jobs.build.configs.none.elapsed_s.median) s elapsed, \(.jobs.build.configs.none.sys_s.median) s system; shell \(.jobs.shell.configs.none.elapsed_s.median) s, \(.jobs.shell.configs.none.sys_s.median) s system" ,
	"(over none, median of the rounds [IQR]; ~: the spread exceeds the effect)"' "$OUT"
say "results: $OUT"
