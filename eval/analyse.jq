# SPDX-License-Identifier: GPL-2.0-only
# eval/analyse.jq: one binary's result from its monitor's events ($ev),
# its profile ($meta: "BIN<TAB>KEY<TAB>SOURCE") and its invocation log
# ($log: "BIN<TAB>KIND<TAB>ROUND<TAB>NAME<TAB>START<TAB>END" per line) and
# how long its monitor ran ($secs).

# An exec anomaly, however the monitor under test names it: an anomaly
# flagged as about an exec, or an event type with "exec" in its name other
# than the informational exec, loader_exec and anon_exec lines.
def is_exec_anomaly:
	(.type == "anomaly" and ((.exec? == true) or (.kind? == "exec")
		or (.anomaly_kind? == "exec") or has("child_profile")))
	or ((.type | test("exec")) and
		((.type | IN("exec", "loader_exec", "anon_exec")) | not));

def of_profile($k):
	.profile == $k or .parent_profile? == $k or (.parent?.profile?) == $k;

($meta | rtrimstr("\n") | split("\t")) as [$bin, $key, $src]
| [$log | split("\n")[] | select(length > 0) | split("\t")
	| {kind: .[1], round: (.[2] | tonumber), name: .[3],
	   t0: (.[4] | tonumber), t1: (.[5] | tonumber)}] as $inv
| [$ev[] | select(of_profile($key))] as $mine
| ($inv | map(select(.kind == "train"))) as $train
| ([$inv[] | select(.kind != "train") | .t0] | min) as $test_start
| [$mine[] | select(.type == "profile_state" and .ts < $test_start
	and .state != "normal")] as $states
| {
	binary: $bin, profile: $key, source: $src, seconds: ($secs | tonumber),
	train_invocations: ($train | map(select(.round == 1)) | length),
	rounds: ($train | map(.round) | max),
	# the training round in which the profile last froze for good (null:
	# still training when normalised), and how often it thawed again
	froze_round: (
		if ($states | length) > 0 and ($states | last | .state) == "frozen"
		then ($states | last | .ts) as $t
			| [$train[] | select(.t0 <= $t + 0.002) | .round] | max
		else null end),
	thawed: ([$states[] | select(.state == "training")] | length),
	normalized: ([$mine[] | select(.type == "profile_state" and .state == "normal")] | length > 0),
	# an invocation's events: from its start to the next one's (a burst's
	# summary can be printed after the invocation's end)
	invocations: [range(0; $inv | length) as $j | $inv[$j] | select(.kind != "train")
		| . as $i | (($inv[$j + 1].t0) // 1e12) as $next
		| [$mine[] | select(.ts >= $i.t0 and .ts < $next)] as $e
		| [$e[] | select(is_exec_anomaly)] as $x
		| [$e[] | select(.type == "anomaly" and (is_exec_anomaly | not))] as $a
		| [$e[] | select(.type == "anomaly_summary")] as $s
		| {kind, name,
		   anomalies: (($a | length) + ([$s[].counted // 0] | add // 0)),
		   exec_anomalies: ($x | length),
		   lfc_max: ([0, ($a[].lfc // 0), ($s[].lfc_max // 0), ($x[].lfc // 0)] | max),
		   calls: ([$a[].syscall] | unique)}]
}
