#!/bin/sh
# bench/table.sh: print a bench results.json as readable tables.
# usage: sh bench/table.sh [bench/results.json]
set -eu
F=${1:-$(dirname "$0")/results.json}
[ -r "$F" ] || { echo "table: cannot read $F" >&2; exit 1; }

jq -r '"\(.machine.kernel), \(.machine.cpus) CPUs (\(.machine.cpu_model)), operations on CPU \(.machine.pinned_cpu); mode \(.mode): \(.rounds) rounds x \(.reps) per round"' "$F"
echo

jq -r 'if (.configs | length) == 0 then
	"no undisturbed measurements: rerun on a quiet machine, or with --no-exclude" else empty end' "$F"

# ns/op: median and the min..max spread in % of the median.
jq -r '.configs as $c |
	(["OPERATION", "EV/OP"] + $c | @tsv),
	(.ops | to_entries[] | .key as $op | .value as $v |
	 [$op, ($v.events_per_op // "-" | tostring)] +
	 [$c[] as $k | $v.configs[$k] |
	  if . == null then "-"
	  else "\(.median) ±\(if .median > 0 then ((.max - .min) / .median * 50 | round) else 0 end)%"
	  end] | @tsv)' "$F" |
awk -F'\t' -v m="$(jq -r '.metric // "wall"' "$F")" 'NR == 1 { printf "ns/op (%s time), median ±half the min..max range\n", m }
	{ printf "%-12s %6s", $1, $2; for (i = 3; i <= NF; i++) printf " %17s", $i; printf "\n" }'
echo

# Cost over none: ns added per syscall event and % over none.
jq -r '[.configs[] | select(. != "none")] as $c |
	if ($c | length) == 0 then empty else
	(["OPERATION"] + $c + ["THESIS"] | @tsv),
	(.ops | to_entries[] | .key as $op | .value as $v |
	 [$op] + [$c[] as $k | $v.configs[$k] |
	  if . == null or .added_ns_per_event == null then "-"
	  else "\(if .noisy then "~" else "" end)\(.added_ns_per_event) (\(if .pct_over_none >= 0 then "+" else "" end)\(.pct_over_none)%)"
	  end] + [if $v.thesis_pct_over_none then "+\($v.thesis_pct_over_none)%" else "-" end] | @tsv)
	end' "$F" |
awk -F'\t' 'NR == 1 { printf "end to end: ns added per syscall event (%% over none), median of the rounds'"'"' differences\nwith that round'"'"'s none; ~: the rounds'"'"' spread (IQR) exceeds the effect; THESIS: ebpH'"'"'s %% over none\n" }
	{ printf "%-12s", $1; for (i = 2; i < NF; i++) printf " %19s", $i; printf " %7s\n", $NF }'
echo

# In the kernel: the tracer's BPF run time per syscall event, and x empty_hook.
jq -r 'if .kernel == null then empty else
	[.configs[] | select(. != "none")] as $c |
	(["OPERATION"] + $c | @tsv),
	(.ops | to_entries[] | .key as $op | .value as $v |
	 [$op] + [$c[] as $k | $v.configs[$k].kernel |
	  if . == null then "-" else "\(.ns_per_event) (x\(.ratio_to_empty // "-"))" end] | @tsv)
	end' "$F" |
awk -F'\t' 'NR == 1 { printf "in the kernel: BPF run time per syscall event, ns (x empty_hook); median of the rounds\n" }
	{ printf "%-12s", $1; for (i = 2; i <= NF; i++) printf " %18s", $i; printf "\n" }'
echo

jq -r 'if .kernel == null then empty else
	"in-kernel ns per syscall (null op): " +
	([.kernel.ns_per_syscall | to_entries[] | select(.value != null) | .key as $k |
	  "\($k) \(.value)" + (if $k == "empty_hook" then "" else
	    " (x\($r[$k] // "-"))" end)] | join(", ")) +
	"\nin-kernel ratio to empty_hook, round by round: " +
	([.kernel.ratio_rounds | to_entries[] | select(.value != null and .key != "empty_hook") |
	  "\(.key) \(.value.min)..\(.value.max)"] | join(", ")) +
	"\nin-kernel ratio to a control (an empty program next to it, same calls), median [range] of the rounds: " +
	([(.kernel.ratio_to_control // {}) | to_entries[] | select(.value != null and .key != "empty_hook") |
	  "\(.key) \(.value.median) [\(.value.min)..\(.value.max)]"] | join(", "))
	end' --argjson r "$(jq -c '.kernel.ratio_to_empty // {}' "$F")" "$F"

jq -r '"added ns per syscall (null op): " +
	([.added_ns_per_syscall | to_entries[] | "\(.key) \(.value // "-")"] | join(", ")),
	"ratio ebph_train / empty_hook: \(.ratio_train_vs_hook // "-")" +
	"   ebph_normal / empty_hook: \(.ratios.normal_vs_hook // "-")" +
	"   syscount / empty_hook: \(.ratios.syscount_vs_hook // "-")",
	(if (.noisy // []) | length > 0 then "warning: end-to-end figures of \(.noisy | join(", ")) on null vary more between rounds than the cost they measure: trust the in-kernel figures" else empty end),
	(if .ebph_frozen then "ebph_frozen: \(.ebph_frozen.rounds_frozen)/\(.ebph_frozen.rounds | length) rounds frozen throughout" else empty end),
	(if .flood then .flood | "flood: \(.procs) processes x \(.seconds) s: \(.produced) anomaly events produced (\(.produced_per_s)/s), \(.reached_stdout) reached stdout (\(.reached_per_s)/s), \(.lost_events) lost (\(.lost_pct)%)" else empty end),
	(if .ebph_normal then
	  "ebph_normal: \(.ebph_normal.rounds_normal)/\(.ebph_normal.rounds | length) rounds reached normal; anomaly events during measurement: \(.ebph_normal.anomalies_ops) in the ops profile, \(.ebph_normal.anomalies) in all" +
	  (if .ebph_normal.anomalies > 0 then " (" + ([.ebph_normal.anomaly_paths | to_entries[] | "\(.key) \(.value)"] | join(", ")) + ")" else "" end)
	 else empty end),
	"startup ms (exec to attached, median [min..max] of n): " +
	([.startup_ms | to_entries[] | select(.value != null) |
	  "\(.key) \(.value.median) [\(.value.min)..\(.value.max)] n=\(.value.n)"] | join(", ") |
	  if . == "" then "-" else . end)' "$F"

jq -r '(.samples // {}) as $s |
	(if ($s.disturbed // 0) > 0 then "warning: \($s.disturbed) samples disturbed (\($s.foreign_tracer) with another tracer loaded, \($s.others_busy) with the other CPUs over \($s.busy_max * 100 | round)% busy); \($s.excluded) excluded" else empty end),
	(if (.leftover_programs // 0) > 0 then "warning: \(.leftover_programs) times BPF programs outlived their tracer" else empty end),
	(if (.machine.loadavg_start // 0) > 0.5 or (.machine.loadavg_end // 0) > 0.5 then "warning: load average \(.machine.loadavg_start) at start, \(.machine.loadavg_end) at end: other work ran, numbers are noisy" else empty end),
	(if (.machine.tracing_programs_at_start // 0) > 0 then "warning: \(.machine.tracing_programs_at_start) tracing programs were loaded before the bench" else empty end)' "$F"

jq -r 'if .memory == null then "memory: - (needs ebph)" else
	.memory as $m |
	"memory after \($m.passes) passes of the workload: \($m.profiles) profiles, pair storage \($m.pair_bytes_total) B in all (max \($m.pair_bytes_max) B), BPF maps \($m.map_bytes // "-") B; dense design: \($m.thesis_dense_bytes_per_profile) B per profile",
	"PROGRAM      PATH                                 STATE       ROWS  PAIR_BYTES  VS_DENSE",
	($m.programs[] | [.name, .path, (.state // "-"), (.rows // "-"), (.pair_bytes // "-"), (.vs_dense // "-")] | @tsv)
	end' "$F" |
awk -F'\t' 'NF == 6 { printf "%-12s %-36s %-9s %6s %11s %9s\n", $1, $2, $3, $4, $5, $6; next } { print }'
