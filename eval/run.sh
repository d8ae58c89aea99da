#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# eval/run.sh: detection and false-positive rates of the real monitor on
# common binaries. Each binary runs from a private copy (its own inode, so
# its own profile), is trained on legitimate invocations (ROUNDS rounds),
# normalised with `ebph normalize`, then tested on held-out legitimate
# invocations and on public abuse techniques. See eval/README.md.
#
# usage: sh eval/run.sh [BINARY...]      (default: every file in eval/cases)
# env:   EBPH (binary under test, default ./ebph), ROUNDS (6),
#        OUT (results JSON, default eval/results.json),
#        EVAL_LOCK (flock file held while a monitor runs, /tmp/ebph-e2e.lock),
#        EVAL_CHECK=1 (run the cases without a monitor, print failures),
#        SETTLE=N (N training rounds, print what each taught the profile),
#        EVAL_KEEP=1 (keep the temporary directory)
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
EBPH=${EBPH:-$(pwd)/ebph}
ROUNDS=${ROUNDS:-6}
OUT=${OUT:-$HERE/results.json}
EVAL_LOCK=${EVAL_LOCK:-/tmp/ebph-e2e.lock}
CASES=$HERE/cases

die() { printf 'eval: %s\n' "$1" >&2; exit "${2:-1}"; }
[ "$(id -u)" -eq 0 ] || die "needs root (it runs the real monitor)"
[ -x "$EBPH" ] || die "no ebph binary at $EBPH (make ebph, or EBPH=path)" 2
command -v jq >/dev/null || die "needs jq"
case $ROUNDS in ''|*[!0-9]*) die "ROUNDS=$ROUNDS: not a number" 2 ;; esac
[ "$ROUNDS" -ge 1 ] || die "ROUNDS=$ROUNDS: at least 1" 2
case ${SETTLE:-1} in ''|*[!0-9]*|0) die "SETTLE=$SETTLE: a number of rounds, at least 1" 2 ;; esac
case $EBPH in /*) ;; *) EBPH=$(pwd)/$EBPH ;; esac

if [ $# -eq 0 ]; then
	set -- $(ls "$CASES")
fi
for b in "$@"; do
	[ -f "$CASES/$b" ] || die "no case file $CASES/$b" 2
done

TOP=
MON=
cleanup() {
	[ -z "$MON" ] || { kill -INT "$MON" 2>/dev/null; wait "$MON" 2>/dev/null; }
	[ -z "$TOP" ] || if [ -n "${EVAL_KEEP:-}" ]; then echo "eval: kept $TOP" >&2; else rm -rf "$TOP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }

# cases_of FILE KIND: "NAME<TAB>COMMAND" lines of that kind.
cases_of() { awk -F '\t' -v k="$2" '$1 == k { print $2 "\t" $3 }' "$1"; }

# setup_dir: a fresh work directory D from the case file's setup lines,
# made with the system's binaries (never the private copy).
setup_dir() {
	rm -rf "$D" && mkdir -p "$D/data/sub"
	(cd "$D" && printf 'alice 10\nbob 20\ncarol 30\n' > t.txt && seq 1 300 > n.txt &&
		printf 'a,b,c\n1,2,3\n' > c.csv && printf '{"a": [1, 2]}\n' > j.json &&
		seq 1 2000 > data/a.txt && seq 1 50 > data/sub/b.txt &&
		printf 'log\n' > data/c.log && ln -s a.txt data/link &&
		echo secret-token > secret)
	cases_of "$CF" setup | while IFS='	' read -r n cmd; do
		(cd "$D" && sh -c "$cmd") </dev/null >/dev/null 2>&1 ||
			echo "eval: $BIN: setup '$n' failed" >&2
	done
}

# run_set KIND ROUND: run every invocation of KIND in D, logging
# binary, kind, round, name, start and end (epoch s) to $LOG.
run_set() {
	cases_of "$CF" "$1" > "$W/set"
	while IFS='	' read -r n cmd; do
		t0=$(now)
		(cd "$D" && timeout -k 2 10 sh -c "$cmd") </dev/null >/dev/null 2>&1
		t1=$(now)
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$BIN" "$1" "$2" "$n" "$t0" "$t1" >> "$LOG"
	done < "$W/set"
}

# start_mon: the monitor, JSON lines to $W/events; waits for its banner.
start_mon() {
	"$EBPH" -c "$W/ebph.yaml" --no-load --no-save -j > "$W/events" 2> "$W/events.err" &
	MON=$!
	i=0
	until grep -q '^Tracing' "$W/events.err" 2>/dev/null; do
		kill -0 "$MON" 2>/dev/null || { MON=; cat "$W/events.err" >&2; return 1; }
		i=$((i + 1)); [ $i -lt 600 ] || return 1
		sleep 0.1
	done
}

stop_mon() {
	sleep 0.5
	kill -INT "$MON" 2>/dev/null
	wait "$MON"
	MON=
}

# eval_binary: one binary from start to end of its monitor; run under the
# lock (this script re-enters itself with EVAL_ONE set).
eval_binary() {
	src=$(awk -F '\t' '$1 == "binary" { print $3; exit }' "$CF")
	[ -x "$src" ] || { echo "eval: $BIN: $src not installed: skipped" >&2; return 0; }
	cp "$src" "$W/bin/$BIN" || return 1
	KEY=$(stat -L -c '%d:%i' "$W/bin/$BIN")
	printf '%s\t%s\t%s\n' "$BIN" "$KEY" "$src" > "$W/meta"
	t_mon=$(date +%s)
	start_mon || { echo "eval: $BIN: the monitor did not start" >&2; return 1; }
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		setup_dir
		run_set train "$r"
		r=$((r + 1))
	done
	sleep 0.3
	"$EBPH" normalize -j -c "$W/ebph.yaml" "$KEY" > "$W/normalize" 2>&1 ||
		echo "eval: $BIN: normalize failed: $(cat "$W/normalize")" >&2
	sleep 0.3
	setup_dir
	run_set test 0
	setup_dir
	run_set abuse 0
	stop_mon
	echo $(( $(date +%s) - t_mon )) > "$W/secs"
	echo "eval: $BIN: monitor ran $(cat "$W/secs") s" >&2
}

# check_binary: every invocation once with the system's binary, no
# monitor: a case that fails to run or an abuse that leaves no trace shows.
check_binary() {
	src=$(awk -F '\t' '$1 == "binary" { print $3; exit }' "$CF")
	cp "$src" "$W/bin/$BIN" || return 1
	for k in train test abuse; do
		setup_dir
		cases_of "$CF" $k > "$W/set"
		while IFS='	' read -r n cmd; do
			(cd "$D" && timeout -k 2 10 sh -c "$cmd") </dev/null > "$W/o" 2>&1
			rc=$?
			[ $rc -eq 0 ] || printf '%s %s %s: exit %s: %s\n' "$BIN" $k "$n" $rc "$(head -c 160 "$W/o" | tr '\n' ' ')"
		done < "$W/set"
	done
}

# settle_binary: the training set SETTLE times, the profile's counters and
# training pairs after each round (settle.jq tells what each round learned).
settle_binary() {
	src=$(awk -F '\t' '$1 == "binary" { print $3; exit }' "$CF")
	[ -x "$src" ] || { echo "eval: $BIN: $src not installed: skipped" >&2; return 0; }
	cp "$src" "$W/bin/$BIN" || return 1
	KEY=$(stat -L -c '%d:%i' "$W/bin/$BIN")
	printf '%s\t%s\t%s\n' "$BIN" "$KEY" "$src" > "$W/meta"
	start_mon || { echo "eval: $BIN: the monitor did not start" >&2; return 1; }
	r=1
	while [ "$r" -le "$SETTLE" ]; do
		setup_dir
		run_set train "$r"
		sleep 0.2
		{ "$EBPH" profiles -j -c "$W/ebph.yaml" | jq -c --arg k "$KEY" --argjson r "$r" \
			'select(.profile == $k) | {round: $r, state, train_count, last_mod_count, sequences}'
		  "$EBPH" show -j --pairs -c "$W/ebph.yaml" "$KEY" | jq -c --argjson r "$r" \
			'select(.type == "pair" and .view == "training") | {round: $r, pair: "\(.call)<-\(.prev)@\(.distance)"}'
		} >> "$W/rounds"
		r=$((r + 1))
	done
	stop_mon
}

if [ -n "${EVAL_ONE:-}" ]; then
	BIN=$EVAL_ONE; CF=$CASES/$BIN; W=$EVAL_DIR; D=$W/work; LOG=$W/log
	B=$W/bin/$BIN; PORT=1
	export B D PORT
	export HOME="$W/home" LC_ALL=C GIT_CONFIG_NOSYSTEM=1
	export GIT_AUTHOR_NAME=eval GIT_AUTHOR_EMAIL=eval@localhost
	export GIT_COMMITTER_NAME=eval GIT_COMMITTER_EMAIL=eval@localhost
	if [ -n "${EVAL_CHECK:-}" ]; then check_binary
	elif [ -n "${SETTLE:-}" ]; then settle_binary
	else eval_binary; fi
	exit $?
fi

TOP=$(mktemp -d /tmp/ebph-eval.XXXXXX)
t_start=$(date +%s)
for BIN in "$@"; do
	W=$TOP/$BIN
	mkdir -p "$W/bin" "$W/home" "$W/state"
	printf 'status_interval: 0\nstate_dir: %s\nanomaly_limit: 1000000\noutput_rate: 0\n' \
		"$W/state" > "$W/ebph.yaml"
	printf 'eval: %s ...\n' "$BIN" >&2
	if [ -n "${EVAL_CHECK:-}" ]; then
		EVAL_ONE=$BIN EVAL_DIR=$W sh "$0"
		continue
	fi
	EVAL_ONE=$BIN EVAL_DIR=$W EBPH=$EBPH ROUNDS=$ROUNDS \
		flock "$EVAL_LOCK" sh "$0" || echo "eval: $BIN failed" >&2
	[ -z "${SETTLE:-}" ] || [ ! -f "$W/rounds" ] ||
		jq -s -r --arg bin "$BIN" -f "$HERE/settle.jq" "$W/rounds"
done
[ -z "${EVAL_CHECK:-}${SETTLE:-}" ] || exit 0
secs=$(( $(date +%s) - t_start ))

# One JSON document: per binary its invocations with the anomalies they
# raised (events of the binary's profile between an invocation's start and
# end), then the table.
for BIN in "$@"; do
	W=$TOP/$BIN
	[ -f "$W/meta" ] && [ -f "$W/log" ] || continue
	jq -n -R --arg rounds "$ROUNDS" --arg secs "$(cat "$W/secs" 2>/dev/null || echo 0)" \
		--slurpfile ev "$W/events" \
		--rawfile meta "$W/meta" --rawfile log "$W/log" \
		-f "$HERE/analyse.jq"
done | jq -s --arg ebph "$EBPH" --arg rounds "$ROUNDS" --arg secs "$secs" \
	--arg kernel "$(uname -r)" --arg cpus "$(nproc)" \
	--arg cpu "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg version "$("$EBPH" -V 2>/dev/null | head -n 1)" \
	-f "$HERE/totals.jq" > "$OUT" || die "analysis failed"
jq -r -f "$HERE/table.jq" "$OUT"
printf 'eval: results in %s (%s s)\n' "$OUT" "$secs" >&2
