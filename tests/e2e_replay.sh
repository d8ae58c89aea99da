#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_replay.sh: ebph record captures a fixture's run live while a monitor
# watches it; ebph replay of that recording with the same configuration
# gives the same anomalies (threads, calls, windows, misses, lfc, in order)
# as the live monitor (issue 16). Run under the e2e lock.
. tests/lib.sh
FX=tests/fixtures/bin

cp "$FX/ph_calls" "$T/rp"
K=$(stat_key "$T/rp")
OUT=$T/out
write_config "$T/c.yaml" normal_wait=0s anomaly_limit=100000 ringbuf_kb=16384 \
	anomaly_lines=0 output_rate=0
start_ebph "$OUT" -j --no-load --no-save -c "$T/c.yaml" || { fail "ebph starts"; summary; exit 1; }

cat > "$T/run.sh" <<EOS
i=0
while [ \$i -lt 20 ]; do "$T/rp" run > /dev/null; i=\$((i + 1)); done
"$T/rp" write > /dev/null
"$T/rp" burst 5 > /dev/null
"$T/rp" fork > /dev/null
EOS
"$EBPH" record -o "$T/rec" -- sh "$T/run.sh" 2> "$T/rec.err"
check "record exits 0" [ $? -eq 0 ]
check "record reports no lost records" grep -q ' 0 lost$' "$T/rec.err"
check "the recording starts with its magic line" sh -c "head -n 1 '$T/rec' | grep -q '^# ebph-record 1 '"
sleep 1
stop_ebph
live=$(jq -c "select(.type == \"anomaly\" and .profile == \"$K\") | [.tid, .syscall, .sequence, .misses, .lfc]" "$OUT")
check "the live monitor saw anomalies of the fixture" [ -n "$live" ]

"$EBPH" replay -j -c "$T/c.yaml" "$T/rec" > "$T/rp.out" 2> "$T/rp.err"
check "replay exits 0" [ $? -eq 0 ]
rep=$(jq -c "select(.type == \"anomaly\" and .profile == \"$K\") | [.tid, .syscall, .sequence, .misses, .lfc]" "$T/rp.out")
check "replay gives the live monitor's anomalies ($(echo "$live" | grep -c .) of them)" [ "$live" = "$rep" ]
[ "$live" = "$rep" ] || { echo "live:"; echo "$live"; echo "replay:"; echo "$rep"; }
check "replay's anomalies name the trace, line and call" \
	sh -c "jq -e 'select(.type == \"anomaly\") | .trace and .line > 0 and .call > 0' '$T/rp.out' > /dev/null"
live_st=$(jq -c "select(.type == \"profile_state\" and .profile == \"$K\") | [.state, .reason]" "$OUT")
rep_st=$(jq -c "select(.type == \"profile_state\" and .profile == \"$K\") | [.state, .reason]" "$T/rp.out")
check "replay gives the live profile's state changes" [ "$live_st" = "$rep_st" ]

# a malformed line: one message with file:line, the trace skipped, exit 1;
# --strict: exit 2
sed '5s/.*/garbage/' "$T/rec" > "$T/bad"
"$EBPH" replay "$T/bad" "$T/rec" > /dev/null 2> "$T/bad.err"
rc=$?
check "malformed trace: exit 1" [ $rc -eq 1 ]
check "malformed trace: one message naming file:line" \
	sh -c "[ \$(grep -c \"$T/bad:5:\" '$T/bad.err') -eq 1 ]"
check "malformed trace: the next trace is replayed" grep -q 'replayed 1 traces (1 skipped)' "$T/bad.err"
"$EBPH" replay --strict "$T/bad" "$T/rec" > /dev/null 2>&1
check "--strict: a malformed trace fails the run (exit 2)" [ $? -eq 2 ]

# --max-size bounds the file
"$EBPH" record -o "$T/small" --max-size 300 -- "$T/rp" run > /dev/null 2> "$T/small.err"
check "--max-size: file within the bound" [ "$(stat -c %s "$T/small")" -le 300 ]
check "--max-size: says it stopped" grep -q 'reached --max-size' "$T/small.err"
"$EBPH" replay "$T/small" > /dev/null 2>&1
check "a recording cut by --max-size still replays" [ $? -eq 0 ]
check "no ebph BPF program left behind" [ "$(bpf_progs)" -eq 0 ]
summary
