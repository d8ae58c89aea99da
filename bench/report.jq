# bench/report.jq: the bench's samples, counts, memory and startup -> results.json (see README.md).

# Linear-interpolated quantile of an array of numbers; null when empty.
def quant($q):
  sort as $a | ($a | length) as $n |
  if $n == 0 then null
  else (($n - 1) * $q) as $pos | ($pos | floor) as $lo | ($pos | ceil) as $hi |
    $a[$lo] + ($a[$hi] - $a[$lo]) * ($pos - $lo)
  end;

def r1: if . == null then null else (. * 10 | round) / 10 end;
def r3: if . == null then null else (. * 1000 | round) / 1000 end;

def stats:
  if length == 0 then null
  else {median: (quant(0.5) | r1), p25: (quant(0.25) | r1), p75: (quant(0.75) | r1),
        min: (min | r1), max: (max | r1), n: length}
  end;

def traced: ["empty_hook", "ebph_train", "ebph_frozen", "ebph_normal", "syscount", "bpftrace"];

# ebpH's own lmbench figures (Findlay 2020), % over untraced, for comparison.
def thesis: {"null": 614, "stat": 66, "sig_deliver": 39, "fork_exit": 2.7, "fork_exec": 8,
             "fork_sh": 10, "pipe": 28, "unix": 18};

# Disturbed samples do not count: taken while someone else's tracer was
# loaded, or while the other CPUs were busy.
def foreign: (.foreign // 0) > 0;
def busy: (.others_busy // -1) >= $busymax;
([$samples[] | select(foreign)] | length) as $nforeign |
([$samples[] | select(busy)] | length) as $nbusy |
([$samples[] | select(foreign or busy)] | length) as $disturbed |
(if $exclude == 1 then $disturbed else 0 end) as $excluded |
[$samples[] | select($exclude == 0 or ((foreign or busy) | not))] as $samples |

($configs | map(select(. as $c | $samples | any(.config == $c)))) as $measured |

# ops.OP.configs.CFG: stats of the field $f (ns/op), and for traced configurations
# the cost over none.
def opsfor($f; $samples; $measured):
([$opsinfo[] as $o |
  ([$counts[] | select(.op == $o.op)] | first) as $cnt |
  ($cnt.events_per_op // null) as $ev |
  [$samples[] | select(.op == $o.op)] as $s |
  ([$s[] | select(.config == "none") | .[$f]] | quant(0.5)) as $none |
  # Per round: the round's median for a configuration.
  (reduce $s[] as $x ({}; .[$x.config][$x.round | tostring] += [$x[$f]])
   | map_values(map_values(quant(0.5)))) as $byround |
  {key: $o.op,
   value: {
     desc: $o.desc,
     iters: (([$s[] | .iters] | first) // null),
     events_per_op: ($ev | r3),
     thesis_pct_over_none: (thesis[$o.op] // null),
     configs: ([$measured[] as $c |
       ([$s[] | select(.config == $c) | .[$f]]) as $v |
       ($v | quant(0.5)) as $m |
       # The added cost round by round: the round's median, paired with the
       # same round's none (the machine changes between rounds, not within).
       [($byround[$c] // {}) | to_entries[] | .key as $r |
        select($byround["none"][$r] != null) | (.value - $byround["none"][$r])] as $d |
       ($d | quant(0.5)) as $dm |
       {key: $c, value: (($v | stats) +
         (if $c == "none" or $none == null or $dm == null then {}
          else {
            pct_over_none: ($dm / $none * 100 | r1),
            added_ns: ($dm | r1),
            added_ns_per_event: (if $ev and $ev > 0 then $dm / $ev | r1 else null end),
            added_ns_per_event_rounds: (
              if ($ev // 0) <= 0 then null
              else ($d | map(. / $ev)) as $e |
                {median: ($e | quant(0.5) | r1), p25: ($e | quant(0.25) | r1),
                 p75: ($e | quant(0.75) | r1), min: ($e | min | r1), max: ($e | max | r1),
                 n: ($e | length)}
              end),
            # The spread of the rounds (interquartile range) exceeds the effect:
            # the figure says little (null: one round, cannot be judged).
            noisy: (if ($d | length) < 2 then null
                    else (($d | quant(0.75)) - ($d | quant(0.25))) > ($dm | fabs) end)
          } end))}] | from_entries)
   }}] | from_entries);

# In-kernel cost (BPF run-time statistics) per op and configuration: per round,
# the smallest of the round's measurements of the tracer's run time per
# sys_exit event (its busiest program's runs; syscount: sys_enter + sys_exit),
# then the median of the rounds, and the ratio to empty_hook.
def kernel_ops:
  [$ksamples[] | select(.kernel_runs > 0)] as $k |
  (reduce $k[] as $x ({}; .[$x.op][$x.config][$x.round | tostring] +=
      [$x.kernel_ns / $x.kernel_runs])
   | map_values(map_values(map_values(min)))) as $by |
  $by | map_values(. as $cfgs |
    (($cfgs.empty_hook // {}) | [.[]] | quant(0.5)) as $floor |
    with_entries(.value as $rv | [$rv[]] as $v | ($v | quant(0.5)) as $m |
      .value = {
        ns_per_event: ($m | r1), min: ($v | min | r1), max: ($v | max | r1), n: ($v | length),
        ratio_to_empty: (if $floor and $floor > 0 then $m / $floor | r3 else null end),
        # the ratio round by round (with the same round's empty_hook): its spread
        ratio_rounds: ([$rv | to_entries[] | .key as $r |
            select(($cfgs.empty_hook // {})[$r] != null) | .value / $cfgs.empty_hook[$r]] |
          if length == 0 then null else {min: (min | r3), max: (max | r3)} end)}));

kernel_ops as $kops |
(if $metric == "wall" then "ns_per_op" else "cpu_ns_per_op" end) as $pf |
(if $metric == "wall" then "cpu_ns_per_op" else "ns_per_op" end) as $af |
opsfor($pf; $samples; $measured) as $ops0 |
# Each op's configurations get their in-kernel figures as "kernel".
($ops0 | with_entries(.key as $op | .value.configs |= with_entries(
   .value += {kernel: ($kops[$op][.key] // null)}))) as $ops |
([traced[] | {key: ., value: ($ops["null"].configs[.].added_ns_per_event // null)}]
 | from_entries) as $added |

def ratio($a; $b): if $a == null or $b == null or $b <= 0 then null else ($a / $b) | r3 end;

def startup_stats($t):
  [$startup[] | select(.tool == $t)] as $r |
  if ($r | length) == 0 then null
  else ([$r[].attach_ms] | stats) + {exit_ms: ([$r[].exit_ms] | quant(0.5) | r1)}
  end;

{
  schema: 2,
  mode: $mode,
  rounds: $rounds,
  reps: $reps,
  scale: $scale,
  configs: $measured,
  added_ns_per_syscall: $added,
  ratio_train_vs_hook: ratio($added.ebph_train; $added.empty_hook),
  ratios: {
    train_vs_hook: ratio($added.ebph_train; $added.empty_hook),
    normal_vs_hook: ratio($added.ebph_normal; $added.empty_hook),
    syscount_vs_hook: ratio($added.syscount; $added.empty_hook),
    train_vs_syscount: ratio($added.ebph_train; $added.syscount)
  },
  noisy: [traced[] as $c | select($ops["null"].configs[$c].noisy == true) | $c],
  kernel: (if ($kops | length) == 0 then null else {
    ns_per_syscall: ([traced[] | {key: ., value: ($kops["null"][.].ns_per_event // null)}]
                     | from_entries),
    ratio_to_empty: ([traced[] | {key: ., value: ($kops["null"][.].ratio_to_empty // null)}]
                     | from_entries),
    ratio_rounds: ([traced[] | {key: ., value: ($kops["null"][.].ratio_rounds // null)}]
                   | from_entries),
    # Each tracer's programs over the whole in-kernel run of the operations
    # (median of the rounds): which programs, how often they ran, their cost.
    # Per round over the whole in-kernel run: the tracer's run time per run
    # of its busiest program, over the control's (an empty program attached
    # next to it, same calls, same time); median and range of the rounds.
    ratio_to_control: ([traced[] as $c | {key: $c, value: (
      [$kprogs[] | select(.config == $c)] | group_by(.round) |
      map([.[] | select(.control | not)] as $t | [.[] | select(.control)] as $k |
        if ($k | length) == 0 or ($t | length) == 0 or $k[0].run_cnt == 0 then empty
        else (([$t[].run_time_ns] | add) / ([$t[].run_cnt] | max)) /
             ($k[0].run_time_ns / $k[0].run_cnt) end) |
      if length == 0 then (if $c == "empty_hook" and ($kops | length) > 0 then
        {median: 1, min: 1, max: 1} else null end)
      else {median: (quant(0.5) | r3), min: (min | r3), max: (max | r3)} end)}]
      | from_entries),
    programs: (reduce ($kprogs[] | select(.control | not)) as $p ({}; .[$p.config][$p.id | tostring] += [$p])
      | map_values([.[] | {name: .[0].name, type: .[0].type, tp: .[0].tp,
          runs: ([.[].run_cnt] | quant(0.5) | floor),
          ns_per_run: ([.[] | select(.run_cnt > 0) | .run_time_ns / .run_cnt] | quant(0.5) | r1)}]
        | sort_by(-.runs))),
    method: "BPF_ENABLE_STATS; run_time_ns / run_cnt"
  } end),
  metric: $metric,
  ops: $ops,
  ops_alt: {metric: (if $metric == "wall" then "cpu" else "wall" end),
            ops: opsfor($af; $samples; $measured)},
  ebph_normal: (if ($configs | index("ebph_normal")) == null then null
    else {
      rounds: $normal,
      rounds_normal: ([$normal[] | select(.reached_normal)] | length),
      anomalies: ([$normal[].anomalies // 0] | add // 0),
      anomalies_ops: ([$normal[].anomalies_ops // 0] | add // 0),
      anomaly_paths: (reduce ($normal[].anomaly_paths // {} | to_entries[]) as $e
                      ({}; .[$e.key] += $e.value))
    } end),
  ebph_frozen: (if ($configs | index("ebph_frozen")) == null then null
    else {rounds: $frozen,
          rounds_frozen: ([$frozen[] | select(.reached_frozen and .stayed_frozen)] | length)}
    end),
  flood: $flood[0],
  workload: $workload[0],
  ebph_status: [$status[] | {config, round, syscalls: .status.syscalls,
                             lost_events: .status.lost_events, profiles: .status.profiles,
                             map_bytes: .status.map_bytes}],
  memory: $memory[0],
  startup_ms: {
    ebph: startup_stats("ebph"),
    empty_hook: startup_stats("empty_hook"),
    syscount: startup_stats("syscount"),
    bpftrace: startup_stats("bpftrace")
  },
  leftover_programs: $leftovers,
  samples: {foreign_tracer: $nforeign, others_busy: $nbusy, disturbed: $disturbed,
            excluded: $excluded, busy_max: $busymax},
  machine: $machine[0]
}
