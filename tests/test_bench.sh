#!/bin/sh
# tests/test_bench.sh: the benchmark builds, its smoke run works and writes
# well-formed JSON, and it leaves no BPF programs behind. Run from anywhere.
set -u
cd "$(dirname "$0")/.." || exit 1

PASS=0
FAIL=0
TMP=$(mktemp -d /tmp/test_bench.XXXXXX) || exit 1
trap 'rm -rf "$TMP"' EXIT

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL $1"; }
check() {
	name=$1
	shift
	if "$@" > "$TMP/out" 2>&1; then ok "$name"; else bad "$name"; sed 's/^/     /' "$TMP/out" | tail -n 20; fi
}

# The schema every results.json must satisfy (bench/README.md); exit 1 if not.
SCHEMA='
def num: type == "number";
def numornull: . == null or type == "number";
(.rounds | num) and (.reps | num) and (.mode | type == "string") and
(.configs | type == "array" and index("none") != null) and
(.metric == "cpu" or .metric == "wall") and (.ops_alt.ops | type == "object") and
(.added_ns_per_syscall | type == "object" and
	(keys == ["ebph_normal", "ebph_train", "empty_hook", "syscount"]) and
	all(.[]; numornull)) and
(.ratio_train_vs_hook | numornull) and
(.ops | type == "object" and length > 0 and all(.[];
	(.events_per_op | numornull) and (.iters | num) and
	(.configs.none | (.median | num) and (.min | num) and (.max | num) and
		(.p25 | num) and (.p75 | num) and (.n | num)) and
	all(.configs | to_entries[] | select(.key != "none") | .value;
		(.median | num) and (.pct_over_none | num) and (.added_ns | num) and
		(.added_ns_per_event | numornull)))) and
(.samples | (.disturbed | num) and (.excluded | num) and (.foreign_tracer | num) and
	(.others_busy | num)) and
(has("memory")) and (.memory == null or (.memory.programs | type == "array")) and
(.startup_ms | type == "object" and has("ebph") and has("empty_hook") and has("syscount")) and
(.machine | (.cpus | num) and (.kernel | type == "string") and (.pinned_cpu | num))
'
valid() { jq -e "$SCHEMA" "$1" > /dev/null; }

tracing_ids() {
	bpftool prog show -j 2>/dev/null |
		jq -r '.[] | select(.type | test("tracepoint|tracing|kprobe|perf_event|lsm")) | .id' |
		sort -n
}

# Programs held through an fd by a live process.
held_ids() {
	grep -h '^prog_id:' /proc/[0-9]*/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un
}

# Tracing programs loaded after the list in $1 was taken and held by no live
# process: left behind (waits for deferred frees; other sessions' tracers hold theirs).
new_programs() {
	for i in $(seq 30); do
		held_ids > "$TMP/held"
		left=$(tracing_ids | comm -13 "$1" - | comm -23 - "$TMP/held")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "left loaded: $left"
	return 1
}

check "make bench-build" make -s bench-build
check "binaries built" test -x bench/bin/ops -a -x bench/bin/hook -a -x bench/bin/startup \
	-a -x bench/bin/hello
check "ops lists 12 operations" sh -c '[ "$(bench/bin/ops -l | wc -l)" -eq 12 ]'
check "ops rejects an unknown operation (exit 2)" sh -c \
	'bench/bin/ops -o nosuch -n 1 2>/dev/null; [ $? -eq 2 ]'
check "ops -j prints one JSON object per measurement" sh -c \
	'bench/bin/ops -o null,stat -n 100 -r 2 -j | jq -se "length == 4 and
		all(.[]; (.ns_per_op | type == \"number\") and .ns_per_op > 0 and .iters == 100 and
			(.cpu_ns_per_op | type == \"number\") and .cpu_ns_per_op > 0)"'
check "run rejects an unknown argument (exit 2)" sh -c 'bash bench/run --bogus 2>/dev/null; [ $? -eq 2 ]'

# The validator itself must reject broken results, or the checks below prove nothing.
cat > "$TMP/broken.json" <<'EOF'
{"rounds": 1, "reps": 1, "mode": "smoke", "configs": ["none"],
 "added_ns_per_syscall": {"empty_hook": "fast", "ebph_train": null, "ebph_normal": null, "syscount": null},
 "ratio_train_vs_hook": null, "ops": {}, "memory": null, "startup_ms": {},
 "machine": {"cpus": 2, "kernel": "x", "pinned_cpu": 1}}
EOF
check "the schema check rejects a broken results.json" sh -c "! jq -e '$SCHEMA' $TMP/broken.json >/dev/null"

if [ "$(id -u)" -ne 0 ]; then
	echo "skip the smoke run: needs root"
else
	tracing_ids > "$TMP/before"
	grep -c ' /sys/kernel/tracing ' /proc/mounts > "$TMP/mounts"
	check "bench/run --smoke" bash bench/run --smoke --no-exclude -o "$TMP/results.json"
	check "smoke results.json is valid JSON" jq -e . "$TMP/results.json"
	check "smoke results.json has the schema" valid "$TMP/results.json"
	check "smoke measured none and empty_hook on every operation" jq -e '
		.configs == ["none", "empty_hook"] and .rounds == 1 and
		(.ops | length == 12 and all(.[]; .configs.none.n == 1 and .configs.empty_hook.n == 1))' \
		"$TMP/results.json"
	check "the null operation makes one syscall event" jq -e \
		'.ops.null.events_per_op > 0.99 and .ops.null.events_per_op < 1.01' "$TMP/results.json"
	check "empty_hook headline is a number, the others null" jq -e \
		'(.added_ns_per_syscall.empty_hook | type == "number") and
		 .added_ns_per_syscall.ebph_train == null and .ratio_train_vs_hook == null' \
		"$TMP/results.json"
	check "empty_hook startup measured" jq -e '.startup_ms.empty_hook.median > 0' "$TMP/results.json"
	check "the table prints every operation" sh -c \
		"sh bench/table.sh $TMP/results.json | grep -c '^\(null\|unix\|fork_sh\) ' | grep -qx 6"
	check "no tracing programs left behind" new_programs "$TMP/before"
	check "no tracefs mount left behind" sh -c \
		"[ \$(grep -c ' /sys/kernel/tracing ' /proc/mounts) -eq $(cat "$TMP/mounts") ]"
	check "the counter attributes a process tree's events" sh -c \
		'echo "bench/bin/ops -o fork_exit -n 20 -w 0 -q" | bench/bin/hook -c |
		 awk -F"\t" "NR == 2 { exit !(\$1 >= 60) }"'
	check "no tracing programs left by the counter" new_programs "$TMP/before"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
