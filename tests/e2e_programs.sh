#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_programs.sh: per-program limits (issue 13, item 4): a programs entry's
# anomaly_limit, tolerize_limit, alert_lfc and max_rows_per_profile apply to
# the profile it matches and to no other, in one run: each limited fixture
# is a copy of the same program as "glob", which runs under the global
# values. ebph profiles -j and show -j give each profile's overrides.
. tests/lib.sh
FX=tests/fixtures/bin
NOBODY="setpriv --reuid 65534 --regid 65534 --clear-groups"
note() { printf '#    %s\n' "$*"; }
# pj KEY FILTER: FILTER on KEY's line of `ebph profiles -j`
pj() { "$EBPH" profiles -j | jq -c "select(.profile == \"$1\") | $2"; }
n_type() { count "$OUT" ".type == \"$1\" and .profile == \"$2\" ${3:+and $3}"; }

# rowflood refuses root: its copies live where uid 65534 can run them
chmod 711 "$T"
mkdir -p "$T/pub" && chmod 755 "$T/pub"
for n in glob lim tol alert; do cp "$FX/ph_calls" "$T/$n"; done
for n in rcap rfree; do cp "$FX/rowflood" "$T/pub/$n"; done
KG=$(stat_key "$T/glob"); KL=$(stat_key "$T/lim"); KT=$(stat_key "$T/tol")
KA=$(stat_key "$T/alert"); KRC=$(stat_key "$T/pub/rcap"); KRF=$(stat_key "$T/pub/rfree")

# Global values the fixtures never reach: anomaly_limit 100000, tolerize_limit
# 12 (a burst of 6 stays below), alert_lfc 20, 1024 rows a profile (rowflood
# wants about 480).
write_config "$T/c.yaml" normal_wait=1s anomaly_limit=100000 anomaly_period=0s \
	tolerize_limit=12 alert_lfc=20 max_rows_per_profile=1024 ringbuf_kb=16384 \
	anomaly_lines=0 output_rate=0 save_interval=0
cat >> "$T/c.yaml" <<EOC
programs:
  - path: $T/lim
    anomaly_limit: 1
  - path: $T/tol
    tolerize_limit: 2
  - path: $T/alert
    alert_lfc: 1
  - path: $T/pub/rcap
    max_rows_per_profile: 16
EOC

# --print-config writes each entry's keys back
"$EBPH" -c "$T/c.yaml" --print-config > "$T/printed.yaml" 2> "$T/printed.err"
check "0: --print-config shows each entry's limit" sh -c \
	"grep -A2 -x '  - path: $T/lim' '$T/printed.yaml' | grep -qx '    anomaly_limit: 1' &&
	 grep -A2 -x '  - path: $T/tol' '$T/printed.yaml' | grep -qx '    tolerize_limit: 2' &&
	 grep -A2 -x '  - path: $T/alert' '$T/printed.yaml' | grep -qx '    alert_lfc: 1' &&
	 grep -A2 -x '  - path: $T/pub/rcap' '$T/printed.yaml' | grep -qx '    max_rows_per_profile: 16'"
# a bad value in an entry: refused like the top-level key, naming the place
printf 'programs:\n  - path: /x\n    tolerize_limit: 0\n' > "$T/bad.yaml"
"$EBPH" -c "$T/bad.yaml" --print-config > /dev/null 2> "$T/bad.err"; rc=$?
check "0: tolerize_limit 0 in an entry refused, status 2 ($(cat "$T/bad.err"))" sh -c \
	"[ $rc -eq 2 ] && grep -qx 'ebph: $T/bad.yaml:3:21: programs: tolerize_limit: 0 is out of range (1..128)' '$T/bad.err'"

OUT=$T/out
start_ebph "$OUT" -j -c "$T/c.yaml" --no-load || { fail "ebph starts"; summary; exit 1; }

# ---- the four copies of ph_calls become normal together ----
runs=0
while [ $runs -lt 40 ]; do
	for n in glob lim tol alert; do "$T/$n" run > /dev/null; done
	runs=$((runs + 1)); sleep 0.2
	[ "$(n_state "$KG" normal)" -ge 1 ] && [ "$(n_state "$KL" normal)" -ge 1 ] &&
		[ "$(n_state "$KT" normal)" -ge 1 ] && [ "$(n_state "$KA" normal)" -ge 1 ] && break
done
check "1: glob, lim, tol and alert became normal ($runs runs)" \
	[ "$(n_state "$KG" normal)" -ge 1 -a "$(n_state "$KL" normal)" -ge 1 -a \
	  "$(n_state "$KT" normal)" -ge 1 -a "$(n_state "$KA" normal)" -ge 1 ]

# ---- profiles -j: the overrides of each ----
check "2: profiles -j: lim's overrides are its anomaly_limit ($(pj "$KL" .overrides))" \
	[ "$(pj "$KL" .overrides)" = '{"anomaly_limit":1}' ]
check "2: tol's are its tolerize_limit" [ "$(pj "$KT" .overrides)" = '{"tolerize_limit":2}' ]
check "2: alert's are its alert_lfc" [ "$(pj "$KA" .overrides)" = '{"alert_lfc":1}' ]
check "2: glob has none ($(pj "$KG" .overrides))" [ "$(pj "$KG" .overrides)" = '{}' ]
"$EBPH" show -j "$T/lim" | head -n 1 > "$T/show.json"
check "2: show -j gives them too" [ "$(jq -c .overrides "$T/show.json")" = '{"anomaly_limit":1}' ]
"$EBPH" profiles -j > "$T/profiles.json"
check "2: profiles -j agrees with docs/events.schema.json" \
	/usr/bin/python3 tests/validate_events.py docs/events.schema.json "$T/profiles.json" "$T/show.json"

# ---- anomaly_limit 1: lim leaves normal at its 2nd episode, glob never ----
for i in 1 2; do "$T/lim" write > /dev/null; "$T/glob" write > /dev/null; sleep 0.2; done
check "3: lim: two episodes (anomaly_limit 1 in its entry): back to training" \
	wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$KL\" and .state == \"training\" and .reason == \"anomaly_limit\"" 5
check "3: glob: the same two episodes, anomalies ($(n_type anomaly "$KG")) but still normal" \
	[ "$(n_type anomaly "$KG")" -ge 2 -a "$(n_type profile_state "$KG" '.state == "training"')" -eq 0 ]

# ---- tolerize_limit 2: a burst of 6 crosses it in tol, not in glob ----
"$T/tol" burst 6 > /dev/null
"$T/glob" burst 6 > /dev/null
check "4: tol: a burst of 6 crosses its tolerize_limit 2: one tolerize_limit event" \
	wait_for "$OUT" ".type == \"tolerize_limit\" and .profile == \"$KT\" and .lfc == 3" 5
sleep 0.3
lg=$(jq -s "[.[] | select(.type == \"anomaly\" and .profile == \"$KG\") | .lfc] | max" "$OUT")
check "4: glob: the same burst (lfc up to $lg) crosses no tolerize_limit (12)" \
	[ "$(n_type tolerize_limit "$KG")" -eq 0 -a "$lg" -ge 3 ]

# ---- alert_lfc 1: every anomaly of alert is an alert, glob's are notices ----
"$T/alert" write > /dev/null
check "5: alert: its anomalies are alerts (alert_lfc 1 in its entry)" \
	wait_for "$OUT" ".type == \"anomaly\" and .profile == \"$KA\" and .level == \"alert\" and .lfc == 1" 5
sleep 0.3
check "5: alert: all of them ($(n_type anomaly "$KA"))" \
	[ "$(n_type anomaly "$KA" '.level != "alert"')" -eq 0 ]
check "5: glob: every anomaly a notice (lfc below alert_lfc 20)" \
	[ "$(n_type anomaly "$KG" '.level != "notice"')" -eq 0 ]

# ---- max_rows_per_profile 16: rcap is capped, rfree (same program) not ----
# The monitor applies an entry when it sees the new profile: a first run as
# root (rowflood then exits at once, a few calls) creates both profiles and
# lets their settings apply before the flood.
"$T/pub/rcap"; "$T/pub/rfree"
i=0; while [ "$(pj "$KRC" .overrides)" != '{"max_rows_per_profile":16}' ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1)); done
check "6: rcap's overrides" [ "$(pj "$KRC" .overrides)" = '{"max_rows_per_profile":16}' ]
note "rows before the flood: rcap $(pj "$KRC" .rows), rfree $(pj "$KRF" .rows)"
$NOBODY "$T/pub/rcap" < /dev/null
$NOBODY "$T/pub/rfree" < /dev/null
check "6: rcap: one rows_full at its cap (max_rows_per_profile 16 in its entry)" \
	wait_for "$OUT" ".type == \"rows_full\" and .profile == \"$KRC\" and .limit == \"max_rows_per_profile\"" 5
sleep 0.3
check "6: only one" [ "$(n_type rows_full "$KRC")" -eq 1 ]
rc=$(pj "$KRC" .rows); rf=$(pj "$KRF" .rows)
note "rows: rcap $rc, rfree $rf"
check "6: rcap holds 16 rows ($rc)" [ "$rc" -eq 16 ]
check "6: rfree, the same program under the global 1024: no rows_full, $rf rows" \
	[ "$(n_type rows_full "$KRF")" -eq 0 -a "$rf" -gt 16 ]

stop_ebph
check "ebph exits 0" [ $? -eq 0 ]
check "no event lost" [ "$(count "$OUT" '.type == "status" and .final and .lost_events == 0')" -eq 1 ]
summary
