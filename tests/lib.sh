# SPDX-License-Identifier: GPL-2.0-only
# lib.sh: shared helpers for ebph's end-to-end tests (sourced; POSIX sh + jq).
# Each test script sets EBPH (binary) and uses a private temp dir $T.

EBPH=${EBPH:-$(pwd)/ebph}
PASSED=${PASSED:-0}
FAILED=${FAILED:-0}
T=$(mktemp -d /tmp/ebph-e2e.XXXXXX)
EBPH_PID=
STARTED_PIDS=

ok() { PASSED=$((PASSED + 1)); printf 'ok   %s\n' "$1"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL %s\n' "$1"; [ -z "${2:-}" ] || printf '     %s\n' "$2"; }
# check NAME COMMAND...: pass if the command succeeds
check() { n=$1; shift; if "$@"; then ok "$n"; else fail "$n" "$*"; fi; }

# Number of ebph's BPF programs loaded now (its life-cycle probes' names are
# its own; tests/e2e.sh also compares the count of all raw tracepoints).
bpf_progs() { bpftool prog show 2>/dev/null | grep -c 'sched_process_\|signal_deliver\|ebph_fork' || true; }

# write_config FILE KEY=VALUE...: a YAML config with status off and no
# minimum training (tests train fixtures in a few runs) unless given.
write_config() {
	f=$1; shift
	: > "$f"
	printf 'status_interval: 0\nstate_dir: %s/state\nmin_train_calls: 0\n' "$T" >> "$f"
	for kv in "$@"; do
		k=${kv%%=*}; v=${kv#*=}
		grep -v "^$k:" "$f" > "$f.tmp" || true
		mv "$f.tmp" "$f"
		printf '%s: %s\n' "$k" "$v" >> "$f"
	done
}

# start_ebph OUT ARGS...: start ebph in the background, stdout to OUT,
# stderr to OUT.err; wait until attached (banner). Sets EBPH_PID.
start_ebph() {
	out=$1; shift
	rm -f "$out" "$out.err"	# never mistake an earlier run's banner for this one's
	"$EBPH" "$@" > "$out" 2> "$out.err" &
	EBPH_PID=$!
	i=0
	while ! grep -q '^Tracing' "$out.err" 2>/dev/null; do
		if ! kill -0 "$EBPH_PID" 2>/dev/null; then
			echo "ebph exited early:" >&2; cat "$out.err" >&2
			EBPH_PID=
			return 1
		fi
		i=$((i + 1))
		[ $i -lt 1200 ] || { echo "ebph did not attach in 120 s" >&2; return 1; }
		sleep 0.1
	done
}

# stop_ebph: SIGINT, wait; returns ebph's exit status.
stop_ebph() {
	[ -n "$EBPH_PID" ] || return 1
	kill -INT "$EBPH_PID" 2>/dev/null
	wait "$EBPH_PID"
	rc=$?
	EBPH_PID=
	return $rc
}

# wait_for OUT JQ-FILTER [SECS]: until a line of OUT matches the jq filter.
wait_for() {
	i=0; lim=$(( ${3:-10} * 10 ))
	while [ $i -lt $lim ]; do
		[ "$(jq -c "select($2)" "$1" 2>/dev/null | head -n 1)" ] && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# count OUT JQ-FILTER: number of lines matching.
count() { jq -c "select($2)" "$1" 2>/dev/null | wc -l; }

# n_state KEY STATE: profile_state events of profile KEY into STATE in $OUT.
n_state() { count "$OUT" ".type == \"profile_state\" and .profile == \"$1\" and .state == \"$2\""; }

# train KEY CMD...: run CMD (stdout to /dev/null) until KEY's profile has
# become normal in $OUT, 0.2 s apart, at most MAXRUNS (30) times; RUNS =
# runs it took.
train() {
	tk=$1; shift
	RUNS=0
	while [ "$RUNS" -lt "${MAXRUNS:-30}" ]; do
		"$@" > /dev/null
		RUNS=$((RUNS + 1))
		sleep 0.2
		[ "$(n_state "$tk" normal)" -eq 0 ] || return 0
	done
	return 1
}

# Kernel-side dev/ino of a file as stat prints them.
stat_key() { stat -L -c '%d:%i' "$1"; }

cleanup() {
	[ -z "$EBPH_PID" ] || { kill -INT "$EBPH_PID" 2>/dev/null; wait "$EBPH_PID" 2>/dev/null; }
	for p in $STARTED_PIDS; do kill "$p" 2>/dev/null; done
	mountpoint -q "$T/tmpfs" 2>/dev/null && umount "$T/tmpfs"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# summary: the closing line; exit status
summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
