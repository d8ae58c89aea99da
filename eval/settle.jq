# SPDX-License-Identifier: GPL-2.0-only
# eval/settle.jq: what a profile learned in each round of identical training
# (SETTLE=N sh eval/run.sh BIN): per round its state and counters, the
# pairs first seen in that round; then the round it froze for good.
(map(select(has("state")))) as $st
| (map(select(has("pair"))) | group_by(.pair) | map({pair: .[0].pair, first: (map(.round) | min)})) as $pairs
| ($st | map(.round) | max) as $n
| ([range(1; $n + 1) | . as $r
    | select(all($st[] | select(.round >= $r); .state != "training"))] | min) as $froze
| (if $froze then "\($bin): froze for good in round \($froze) of \($n)"
   else "\($bin): not frozen after \($n) rounds" end),
  ($st[] | . as $s | [$pairs[] | select(.first == $s.round) | .pair] as $new
	| "  round \(.round | tostring | if length < 2 then " " + . else . end): \(.state) train_count=\(.train_count) last_mod=\(.last_mod_count) new pairs=\($new | length)"
	  + (if ($new | length) > 0 and ($new | length) <= 12 and .round > 1 then " " + ($new | join(" ")) else "" end))
