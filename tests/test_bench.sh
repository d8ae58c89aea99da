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
def cfgkeys: ["bpftrace", "ebph_frozen", "ebph_normal", "ebph_train", "empty_hook", "syscount"];
(.schema == 2) and
(.rounds | num) and (.reps | num) and (.mode | type == "string") and
(.configs | type == "array" and index("none") != null) and
(.metric == "cpu" or .metric == "wall") and (.ops_alt.ops | type == "object") and
(.added_ns_per_syscall | type == "object" and (keys == cfgkeys) and all(.[]; numornull)) and
(.noisy | type == "array") and
(.kernel == null or (.kernel |
	(.ns_per_syscall | type == "object" and keys == cfgkeys and all(.[]; numornull)) and
	(.ratio_to_empty | type == "object" and keys == cfgkeys and all(.[]; numornull)) and
	(.ratio_to_control | type == "object" and keys == cfgkeys) and
	(.programs | type == "object" and all(.[]; type == "array" and all(.[];
		(.name | type == "string") and (.runs | num) and (.ns_per_run | numornull)))))) and
(has("flood") and has("workload") and has("ebph_frozen")) and
(.flood == null or (.flood | (.produced | num) and (.reached_stdout | num) and
	(.lost_events | num) and (.reached_per_s | num))) and
(.ratio_train_vs_hook | numornull) and
(.ops | type == "object" and length > 0 and all(.[];
	(.events_per_op | numornull) and (.iters | num) and
	(.configs.none | (.median | num) and (.min | num) and (.max | num) and
		(.p25 | num) and (.p75 | num) and (.n | num)) and
	all(.configs | to_entries[] | select(.key != "none") | .value;
		(.median | num) and (.pct_over_none | num) and (.added_ns | num) and
		(.added_ns_per_event | numornull) and (.noisy == null or (.noisy | type == "boolean")) and
		(.added_ns_per_event_rounds == null or (.added_ns_per_event_rounds |
			(.median | num) and (.p25 | num) and (.p75 | num))) and
		(.kernel == null or (.kernel | (.ns_per_event | num) and (.ratio_to_empty | numornull)))))) and
(.samples | (.disturbed | num) and (.excluded | num) and (.foreign_tracer | num) and
	(.others_busy | num)) and
(has("memory")) and (.memory == null or (.memory.programs | type == "array")) and
(.startup_ms | type == "object" and has("ebph") and has("empty_hook") and has("syscount") and
	has("bpftrace")) and
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
	-a -x bench/bin/hello -a -x bench/bin/kstat -a -x bench/bin/flood
check "ops lists 12 operations" sh -c '[ "$(bench/bin/ops -l | wc -l)" -eq 12 ]'
check "ops rejects an unknown operation (exit 2)" sh -c \
	'bench/bin/ops -o nosuch -n 1 2>/dev/null; [ $? -eq 2 ]'
check "ops -j prints one JSON object per measurement" sh -c \
	'bench/bin/ops -o null,stat -n 100 -r 2 -j | jq -se "length == 4 and
		all(.[]; (.ns_per_op | type == \"number\") and .ns_per_op > 0 and .iters == 100 and
			(.cpu_ns_per_op | type == \"number\") and .cpu_ns_per_op > 0)"'
check "run rejects an unknown argument (exit 2)" sh -c 'bash bench/run --bogus 2>/dev/null; [ $? -eq 2 ]'
for t in "bench/bin/kstat -i 1 -s 0" "bench/bin/kstat -p x true" "bench/bin/kstat" \
	"bash bench/kcost.sh -n 10" "bash bench/kcost.sh --configs nosuch" \
	"bash bench/flood.sh -d 0" "bash bench/workload.sh --configs ebph_train" \
	"bench/bin/flood sing 1" "bench/bin/ops -k 1,x -o null"; do
	check "rejects bad arguments (exit 2): $t" sh -c "$t 2>/dev/null; [ \$? -eq 2 ]"
done

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
	check "in-kernel cost of the empty hook measured on every operation" jq -e '
		.kernel.ns_per_syscall.empty_hook > 0 and .kernel.ratio_to_empty.empty_hook == 1 and
		.kernel.ns_per_syscall.ebph_train == null and
		(.kernel.programs.empty_hook | length == 1 and .[0].name == "hook_exit" and
			.[0].tp == "sys_exit" and .[0].runs > 0) and
		(.ops | all(.[]; .configs.empty_hook.kernel.ns_per_event > 0))' "$TMP/results.json"
	check "one round: the spread cannot be judged (noisy null)" jq -e \
		'.ops.null.configs.empty_hook | has("noisy") and .noisy == null' "$TMP/results.json"
	check "the table prints the in-kernel figures" sh -c \
		"sh bench/table.sh $TMP/results.json | grep -q '^in-kernel ns per syscall (null op): empty_hook [0-9]'"
	check "the tables print every operation (ns/op, added, in the kernel)" sh -c \
		"sh bench/table.sh $TMP/results.json | grep -c '^\(null\|unix\|fork_sh\) ' | grep -qx 9"
	check "no tracing programs left behind" new_programs "$TMP/before"
	check "no tracefs mount left behind" sh -c \
		"[ \$(grep -c ' /sys/kernel/tracing ' /proc/mounts) -eq $(cat "$TMP/mounts") ]"
	check "the counter attributes a process tree's events" sh -c \
		'echo "bench/bin/ops -o fork_exit -n 20 -w 0 -q" | bench/bin/hook -c |
		 awk -F"\t" "NR == 2 { exit !(\$1 >= 60) }"'
	check "no tracing programs left by the counter" new_programs "$TMP/before"
	# kstat measures what a program costs over a command: the hook's sys_exit
	# program runs at least once per getppid of the loop.
	bench/bin/hook > "$TMP/hook.out" 2>&1 &
	hp=$!
	for i in $(seq 100); do grep -q ready "$TMP/hook.out" && break; sleep 0.1; done
	check "kstat counts the runs of a tracer's program over a command" sh -c \
		"bench/bin/kstat -p $hp -- bench/bin/ops -o null -n 20000 -w 0 -q |
		 jq -e 'select(.tp == \"sys_exit\") | .run_cnt >= 20000 and .ns_per_run > 0'"
	check "ops -k reports the runs of the given programs" sh -c \
		"bench/bin/kstat -p $hp -- bench/bin/ops -o null -n 20000 -j -k \$(grep -h '^prog_id:' /proc/$hp/fdinfo/* | awk '{ print \$2 }' | paste -sd,) |
		 jq -se '[.[] | select(.op)] | .[0].kernel_runs >= 20000 and .[0].kernel_ns > 0'"
	# Off again once kstat exited (unless someone else turned them on):
	# the program's run time no longer grows.
	if [ "$(sysctl -n kernel.bpf_stats_enabled)" = 0 ]; then
		hid=$(grep -h '^prog_id:' /proc/$hp/fdinfo/* | awk '{ print $2 }' | head -n 1)
		rt() { bpftool prog show id "$hid" -j | jq '.run_time_ns // 0'; }
		t0=$(rt)
		bench/bin/ops -o null -n 20000 -q
		check "the BPF statistics are off once kstat exited" test "$(rt)" = "$t0"
	fi
	kill -INT "$hp"
	wait "$hp"
	check "no tracing programs left by kstat" new_programs "$TMP/before"
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
