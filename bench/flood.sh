#!/bin/bash
# bench/flood.sh: event throughput: how many of a host-wide flood of anomaly
# events ebph gets to stdout per second, and how many it loses.
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BIN=$BENCH_DIR/bin
EBPH=$ROOT/ebph
DUR=3
PROCS=$(getconf _NPROCESSORS_ONLN)
OUT=
EXTRA=
KEEP=0

usage() {
	cat <<EOF
usage: bench/flood.sh [-d SECS] [-P PROCS] [--ebph PATH] [-o FILE] [--yaml LINE] [--keep]
Measure ebph's event throughput under an anomaly flood: start ebph
(normal_wait 0, JSON to a file), train bench/bin/flood's profile until it is
normal, then run PROCS flood processes (default one per CPU, each pinned to
one) for SECS seconds (default 3), each making an anomalous system call as
fast as it can. Prints one line and writes JSON (-o): events produced (the
kernel's anomaly count), reaching stdout, lost (ebph's lost_events), the
rates per second, and how long ebph took to drain after the flood. Needs
root; starts an ebph monitor: run it under the e2e lock.
  --yaml LINE   append LINE to ebph's config (e.g. 'ringbuf_kb: 4096'); repeatable
  --keep        keep the work directory (ebph's output)
EXAMPLES
  flock /tmp/ebph-e2e.lock make bench-flood
  flock /tmp/ebph-e2e.lock bench/flood.sh -d 5 -P 1 -o /tmp/flood.json
EOF
}

die() { printf 'flood: %s\n' "$1" >&2; exit "${2:-1}"; }

while [ $# -gt 0 ]; do
	case $1 in
	-d) DUR=${2:-}; shift ;;
	-P) PROCS=${2:-}; shift ;;
	--ebph) EBPH=${2:-}; shift ;;
	-o) OUT=${2:-}; shift ;;
	--yaml) EXTRA="$EXTRA${2:-}
"; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	*) printf "flood: unknown argument '%s'\n" "$1" >&2; usage >&2; exit 2 ;;
	esac
	shift
done
case $DUR in ''|*[!0-9]*|0) die "-d must be a positive number of seconds" 2 ;; esac
case $PROCS in ''|*[!0-9]*|0) die "-P must be a positive number" 2 ;; esac
[ "$(id -u)" -eq 0 ] || die "needs root"
[ -x "$EBPH" ] || die "no $EBPH: build it or --ebph"
[ -x "$BIN/flood" ] || die "$BIN/flood missing: run make bench-build"
command -v jq > /dev/null || die "needs jq"
FLOOD=$(readlink -f "$BIN/flood")
NCPU=$(getconf _NPROCESSORS_ONLN)

WORK=$(mktemp -d /tmp/ebph-flood.XXXXXX) || die "cannot create a work directory"
EPID=
cleanup() {
	if [ -n "$EPID" ]; then
		kill -INT "$EPID" 2> /dev/null
		wait "$EPID" 2> /dev/null
	fi
	[ "$KEEP" = 1 ] && printf 'flood: work directory %s\n' "$WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$WORK/state"
{
	printf 'normal_wait: 0\nstatus_interval: 0\nsave_interval: 0\nstate_dir: %s\n' "$WORK/state"
	printf '%s' "$EXTRA"
} > "$WORK/ebph.yaml"
SPAWN=
env --default-signal true 2> /dev/null && SPAWN="env --default-signal"
$SPAWN "$EBPH" -c "$WORK/ebph.yaml" -j > "$WORK/ebph.out" 2> "$WORK/ebph.err" &
EPID=$!
for i in $(seq 600); do
	grep -q Tracing "$WORK/ebph.err" && break
	kill -0 "$EPID" 2> /dev/null || { cat "$WORK/ebph.err" >&2; EPID=; die "ebph exited"; }
	sleep 0.1
done
grep -q Tracing "$WORK/ebph.err" || die "ebph did not attach within 60 s"

# The flood's profile: trained on getppid until normal (normal_wait 0: at once).
t0=$SECONDS
until grep -F '"type":"profile_state"' "$WORK/ebph.out" | grep -F "\"path\":\"$FLOOD\"" |
	grep -qF '"state":"normal"'; do
	[ $((SECONDS - t0)) -lt 30 ] || die "the flood's profile did not become normal within 30 s"
	"$FLOOD" train 20000 || die "flood train failed"
done
sleep 0.5

# The flood: one process per CPU (pinned), all at once.
size0=$(stat -c %s "$WORK/ebph.out")
lines0=$(wc -l < "$WORK/ebph.out")
start=$EPOCHREALTIME
for i in $(seq 0 $((PROCS - 1))); do
	taskset -c $((i % NCPU)) "$FLOOD" burst "$DUR" > "$WORK/burst.$i" &
done
wait $(jobs -p | grep -vx "$EPID")
end=$EPOCHREALTIME
# Drain: until stdout stops growing for half a second (at most 60 s).
last=$EPOCHREALTIME
prev=-1
for i in $(seq 600); do
	s=$(stat -c %s "$WORK/ebph.out")
	if [ "$s" != "$prev" ]; then
		prev=$s
		last=$EPOCHREALTIME
	elif awk -v a="$last" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a >= 0.5) }'; then
		break
	fi
	sleep 0.1
done
kill -INT "$EPID"
wait "$EPID"
EPID=

calls=$(cat "$WORK"/burst.* | awk '{ n += $1 } END { print n + 0 }')
tail -n +"$((lines0 + 1))" "$WORK/ebph.out" > "$WORK/flood.out"
RESULT=$(jq -nR --arg p "$FLOOD" --argjson t0 "$start" --argjson t1 "$end" --argjson tl "$last" \
	--argjson calls "$calls" --argjson procs "$PROCS" --argjson dur "$DUR" --argjson base "$size0" '
	def r1: . * 10 | round / 10;
	[inputs | fromjson?] as $ev |
	([$ev[] | select(.type == "status" and .final == true)] | last) as $st |
	([$ev[] | select(.type == "anomaly")] | length) as $reached |
	([$ev[] | select(.type == "anomaly" and .path == $p)] | length) as $own |
	($t1 - $t0) as $d | ($tl - $t0) as $dl |
	{seconds: ($d * 1000 | round / 1000), procs: $procs, flood_calls: $calls,
	 produced: $st.anomalies, reached_stdout: $reached, reached_stdout_flood: $own,
	 lost_events: $st.lost_events,
	 lost_pct: (if ($st.anomalies // 0) > 0 then ($st.lost_events / $st.anomalies * 1000 | round / 10) else null end),
	 produced_per_s: (if $st.anomalies then $st.anomalies / $d | round else null end),
	 reached_per_s: ($reached / (if $dl > $d then $dl else $d end) | round),
	 drain_s: (($dl - $d) * 1000 | round / 1000),
	 ringbuf_kb: null, status: $st}' "$WORK/flood.out")
RB=$(printf '%s' "$EXTRA" | awk -F': *' '$1 == "ringbuf_kb" { print $2 }' | tail -n 1)
RESULT=$(echo "$RESULT" | jq -c --arg rb "${RB:-1024}" '.ringbuf_kb = ($rb | tonumber)')
[ -n "$OUT" ] && echo "$RESULT" | jq . > "$OUT"
echo "$RESULT" | jq -r '"flood: \(.procs) processes x \(.seconds) s: \(.produced) anomaly events produced (\(.produced_per_s)/s), \(.reached_stdout) reached stdout (\(.reached_per_s)/s, drained \(.drain_s) s after), \(.lost_events) lost (\(.lost_pct)%); ring buffer \(.ringbuf_kb) KiB"'
