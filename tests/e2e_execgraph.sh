#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_execgraph.sh: issue 12 end to end on the real kernel: the exec graph
# (a wrapper trained to start /bin/true starting /bin/sh, exec in place and
# from a forked child), alert levels and --alerts, an anomaly_limit that
# scattered single anomalies of separate processes cannot reach, and the
# exec graph saved and loaded. Every fixture runs from its own copy (its own
# profile); events are selected by profile key: other processes do not matter.
# KEEP=DIR keeps a copy of the temp dir (ebph's output) for debugging.
. tests/lib.sh
FX=tests/fixtures/bin
MAXRUNS=40
ALERT_LFC=5

for n in wrap spawn lv sc; do cp "$FX/ph_calls" "$T/$n"; done
KW=$(stat_key "$T/wrap"); KS=$(stat_key "$T/spawn"); KL=$(stat_key "$T/lv")
KC=$(stat_key "$T/sc"); KSH=$(stat_key /bin/sh); KTRUE=$(stat_key /bin/true)
now() { date +%s.%N | cut -c1-14; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
note() { printf '#    %s\n' "$*"; }
n_type() { count "$OUT" ".type == \"$1\" and .profile == \"$2\" ${3:+and $3}"; }

# ---- session A: learn, detect, levels, the limit ----
OUT=$T/out
write_config "$T/a.yaml" normal_wait=1s anomaly_limit=3 anomaly_period=6s ringbuf_kb=16384 \
	anomaly_lines=0 output_rate=0 alert_lfc=$ALERT_LFC
start_ebph "$OUT" -j -c "$T/a.yaml" || { fail "ebph starts"; summary; exit 1; }

# train the four together until all are normal
t0=$(now); runs=0
while [ $runs -lt $MAXRUNS ]; do
	"$T/wrap" exec /bin/true
	"$T/spawn" spawn /bin/true
	"$T/lv" run
	"$T/sc" run
	runs=$((runs + 1)); sleep 0.2
	[ "$(n_state "$KW" normal)" -ge 1 ] && [ "$(n_state "$KS" normal)" -ge 1 ] &&
		[ "$(n_state "$KL" normal)" -ge 1 ] && [ "$(n_state "$KC" normal)" -ge 1 ] && break
done
check "the four fixtures became normal ($runs runs, $(elapsed "$t0") s)" \
	[ "$(n_state "$KW" normal)" -ge 1 -a "$(n_state "$KS" normal)" -ge 1 -a \
	  "$(n_state "$KL" normal)" -ge 1 -a "$(n_state "$KC" normal)" -ge 1 ]

# 2. scripts: a "#!" script runs under (interpreter, script), one profile
# per script; an interpreter started with a FILE too; -c stays on the
# interpreter's profile
printf '#!/bin/sh\ntrue\n' > "$T/a.sh"
printf '#!/bin/sh\nexit 0\n' > "$T/b.sh"
printf 'true\n' > "$T/c.sh"
chmod +x "$T/a.sh" "$T/b.sh"
"$T/a.sh"; "$T/b.sh"; "$T/a.sh"; /bin/sh "$T/c.sh"; /bin/sh -c true
np() { jq -r "select(.type == \"new_profile\" and (.path | endswith(\" $1\"))) | .profile" "$OUT"; }
wait_for "$OUT" ".type == \"new_profile\" and (.path | endswith(\" $T/c.sh\"))" 5
PA=$(np "$T/a.sh"); PB=$(np "$T/b.sh"); PC=$(np "$T/c.sh")
check "a #! script gets its own profile, once ($PA)" [ "$(echo "$PA" | grep -c .)" -eq 1 ]
check "it is keyed by the interpreter and the script ($KSH~s...)" sh -c "case '$PA' in '$KSH~s'*) true;; *) false;; esac"
check "another script on the same interpreter: another profile ($PB)" \
	[ -n "$PB" -a "$(echo "$PB" | grep -c .)" -eq 1 -a "$PA" != "$PB" ]
check "its path names both: the interpreter and the script" \
	[ "$(count "$OUT" ".type == \"new_profile\" and .profile == \"$PA\" and (.path | split(\" \") | .[0] | test(\"sh\"))")" -eq 1 ]
check "sh FILE: the profile of (sh, FILE) ($PC)" sh -c "case '$PC' in '$KSH~s'*) true;; *) false;; esac"
check "sh -c: no script profile" [ "$(count "$OUT" '.type == "new_profile" and (.path | test(" -c"))')" -eq 0 ]

# 1. exec graph: exec in place
"$T/wrap" exec /bin/true
sleep 0.3
check "wrapper exec'ing /bin/true (learned): no exec_anomaly" [ "$(n_type exec_anomaly "$KW")" -eq 0 ]
"$T/wrap" exec /bin/sh -c true
wait_for "$OUT" ".type == \"exec_anomaly\" and .profile == \"$KW\"" 5
check "wrapper exec'ing /bin/sh: one exec_anomaly of the wrapper's profile" \
	[ "$(n_type exec_anomaly "$KW")" -eq 1 ]
check "it names the child (/bin/sh's profile $KSH) and says alert" \
	[ "$(n_type exec_anomaly "$KW" ".child_profile == \"$KSH\" and .level == \"alert\" and (.child | length > 0)")" -eq 1 ]
check "it explains: the one program the wrapper starts, /bin/true's" \
	[ "$(n_type exec_anomaly "$KW" "(.known | startswith(\"1:\")) and (.known | test(\"true\"))")" -eq 1 ]
check "no syscall anomaly of the wrapper (its calls did not change)" [ "$(n_type anomaly "$KW")" -eq 0 ]

# 1b. exec graph: a forked child that execs
"$T/spawn" spawn /bin/true
sleep 0.3
check "spawn of /bin/true (learned): no exec_anomaly" [ "$(n_type exec_anomaly "$KS")" -eq 0 ]
"$T/spawn" spawn /bin/sh -c true
wait_for "$OUT" ".type == \"exec_anomaly\" and .profile == \"$KS\"" 5
check "forked child exec'ing /bin/sh: exec_anomaly of the parent's profile" \
	[ "$(n_type exec_anomaly "$KS" ".child_profile == \"$KSH\"")" -eq 1 ]

# 3. levels: one per anomaly, from the task's LFC
"$T/lv" write
"$T/lv" burst 40
wait_for "$OUT" ".type == \"anomaly_summary\" and .profile == \"$KL\" and .lfc_max >= 12" 5
check "every anomaly carries level alert iff lfc >= $ALERT_LFC" \
	[ "$(n_type anomaly "$KL" "(.level == \"alert\") != (.lfc >= $ALERT_LFC)")" -eq 0 ]
check "a single anomaly (write) is a notice" [ "$(n_type anomaly "$KL" ".level == \"notice\"")" -ge 1 ]
check "the burst's anomalies reach alert" [ "$(n_type anomaly "$KL" ".level == \"alert\"")" -ge 1 ]
check "summaries carry the level of their lfc_max" \
	[ "$(n_type anomaly_summary "$KL" "(.level == \"alert\") != (.lfc_max >= $ALERT_LFC)")" -eq 0 ]
check "other events carry no level" [ "$(count "$OUT" '(.type == "new_profile" or .type == "profile_state") and has("level")')" -eq 0 ]

# 4. anomaly_limit 3 over 6 s: six processes with scattered anomalies at once
t_sc=$(now)
for i in 1 2 3 4 5 6; do "$T/sc" write; done
sleep 0.3
check "six separate processes with anomalies: $(n_type anomaly "$KC") anomalies, more than anomaly_limit" \
	[ "$(n_type anomaly "$KC")" -gt 3 ]
[ "$(n_type profile_state "$KC" ".state == \"training\"")" -eq 0 ] || jq -c "select(.profile == \"$KC\" and (.type == \"profile_state\" or .type == \"anomaly\")) | [.type,.state,.reason,.lfc,.pid,.ts]" "$OUT" | sed "s/^/#    /"
check "scattered anomalies do not end normal monitoring" \
	[ "$(n_type profile_state "$KC" ".state == \"training\"")" -eq 0 ]
pl=$(jq -r "select(.type == \"anomaly\" and .profile == \"$KC\") | .pid" "$OUT" | tail -n 1)
check "the last process's anomalies are still reported" [ -n "$pl" ]
# persisting: more than 3 episodes over 6 s end it, prominently
sleep "$(awk -v a="$t_sc" -v b="$(now)" 'BEGIN { d = 6.5 - (b - a); print (d > 0 ? d : 0) }')"
"$T/sc" write
wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$KC\" and .state == \"training\"" 5
check "episodes persisting over anomaly_period: back to training (anomaly_limit)" \
	[ "$(n_type profile_state "$KC" ".state == \"training\" and .reason == \"anomaly_limit\"")" -eq 1 ]
stop_ebph
check "session A: ebph exits 0" [ $? -eq 0 ]
check "session A: no event lost" \
	[ "$(count "$OUT" '.type == "status" and .final and .lost_events == 0')" -eq 1 ]

# ---- session B: --alerts, with the profiles (and graph) saved by A ----
OUT=$T/outb
write_config "$T/b.yaml" normal_wait=1s anomaly_limit=100 ringbuf_kb=16384 anomaly_lines=0 \
	output_rate=0 alert_lfc=$ALERT_LFC
start_ebph "$OUT" -j --alerts -c "$T/b.yaml" || { fail "ebph --alerts starts"; summary; exit 1; }
"$T/wrap" exec /bin/true
"$T/lv" write
sleep 0.3
"$T/wrap" exec /bin/sh -c true
"$T/lv" burst 40
wait_for "$OUT" ".type == \"exec_anomaly\" and .profile == \"$KW\"" 5
wait_for "$OUT" ".type == \"anomaly_summary\" and .profile == \"$KL\"" 5
stop_ebph
check "session B: ebph exits 0" [ $? -eq 0 ]
check "loaded graph: exec of /bin/true is known, of /bin/sh an exec_anomaly" \
	[ "$(n_type exec_anomaly "$KW")" -eq 1 -a "$(n_type exec_anomaly "$KW" ".child_profile == \"$KTRUE\"")" -eq 0 ]
check "--alerts: the burst's alert-level anomalies and summary are printed" \
	[ "$(n_type anomaly "$KL" '.level == "alert"')" -ge 1 -a "$(n_type anomaly_summary "$KL" '.level == "alert"')" -ge 1 ]
check "--alerts: no notice-level line" [ "$(count "$OUT" '.level == "notice"')" -eq 0 ]
check "--alerts: nothing but alerts, their processes' execs and the final status" \
	[ "$(count "$OUT" '(.type | IN("anomaly", "anomaly_summary", "exec_anomaly", "exec", "edges_full", "tolerize_limit", "status") | not) and (.type != "profile_state" or .reason != "anomaly_limit")')" -eq 0 ]
check "--alerts: the normal profile's single anomaly (lfc 1) is left out" \
	[ "$(n_type anomaly "$KL" '.lfc < '$ALERT_LFC)" -eq 0 ]

[ -z "${KEEP:-}" ] || cp -r "$T" "$KEEP"
summary
