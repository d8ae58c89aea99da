#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_progress.sh: from install to detection (issue 13). The one-program
# scenario of README "Getting to detection" with its commands (the fixture
# in the place of the program) detects a new behaviour in under 2 minutes;
# progress in ps and profiles; min_train_calls; -o KEY=VALUE; normalize
# --frozen and --stable-for; a programs entry's normal_wait. Fixtures run
# from their own copies (one profile each).
. tests/lib.sh
FX=tests/fixtures/bin

note() { printf '#    %s\n' "$*"; }
# pj KEY FIELD: FIELD of KEY's line in `ebph profiles -j`
pj() { "$EBPH" profiles -j | jq -r "select(.profile == \"$1\") | .$2"; }
# state_of KEY: the profile's state now
state_of() { pj "$1" state; }
# until_state KEY STATE [SECS]: wait for KEY's profile_state event into STATE
# wait_file FILE: until it exists (5 s at most)
wait_file() { i=0; while [ ! -f "$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done; [ -f "$1" ]; }
until_state() { wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$1\" and .state == \"$2\"" "${3:-10}"; }

for n in prog other fast slow tiny up gone; do cp "$FX/ph_calls" "$T/$n"; done
KP=$(stat_key "$T/prog"); KO=$(stat_key "$T/other")
KF=$(stat_key "$T/fast"); KS=$(stat_key "$T/slow"); KT=$(stat_key "$T/tiny")

# -o: bad overrides are refused before anything starts, naming -o and the key
"$EBPH" -o window=12 --print-config > "$T/o.out" 2> "$T/o.err"; rc=$?
check "1: -o window=12 refused with status 2" [ "$rc" -eq 2 ]
check "1: the message names -o and the key ($(cat "$T/o.err"))" \
	grep -q "^ebph: -o 'window=12': window: 12 is out of range (2..9)$" "$T/o.err"
"$EBPH" profiles -o min_train_calls=x > /dev/null 2> "$T/o.err"; rc=$?
check "1: a command refuses a bad -o too ($(cat "$T/o.err"))" \
	sh -c "[ $rc -eq 2 ] && grep -q \"^ebph: -o 'min_train_calls=x': min_train_calls: expected an integer\" '$T/o.err'"
check "1: --print-config shows -o over the file" \
	sh -c "'$EBPH' -c /dev/null -o normal_wait=90s -o min_train_calls=7 --print-config | grep -qx 'normal_wait: 90s' &&
	       '$EBPH' -o min_train_calls=7 --print-config | grep -qx 'min_train_calls: 7'"

# The monitor as the README starts it (-o normal_wait=1h over the file's
# default 7d; min_train_calls at its default); the programs entry gives
# "fast" 1s.
write_config "$T/c.yaml" save_interval=0 retired_keep=4s min_train_calls=1024
cat >> "$T/c.yaml" <<EOC
programs:
  - path: $T/fast
    normal_wait: 1s
EOC
OUT=$T/out
t0=$(date +%s)
start_ebph "$OUT" -j -c "$T/c.yaml" -o normal_wait=1h --no-load ||
	{ fail "ebph starts"; summary; exit 1; }

# --- the one-program scenario (README, Getting to detection, 1) ----------
# 2. exercise it
for i in $(seq 60); do "$T/prog" > /dev/null; done
# 3. look where it stands
"$EBPH" profiles > "$T/profiles.txt"
line=$(grep " $T/prog\$" "$T/profiles.txt")
note "profiles: $line"
check "2: profiles has a PROGRESS column" grep -q '^KEY .* LAST_MOD PROGRESS ' "$T/profiles.txt"
st=$(state_of "$KP")
check "2: its line shows its state and progress ($st)" sh -c "echo '$line' | grep -Eq ' (training +[0-9]+ +[0-9]+ [0-9]+/[0-9]+|frozen +[0-9]+ +[0-9]+ [0-9]+[smhd]) '"
# 4. detect from now on
"$EBPH" normalize "$T/prog" > "$T/norm.txt"
check "2: normalize makes it normal" [ "$(state_of "$KP")" = normal ]
# 5. provoke it: a behaviour it never showed
"$T/prog" fork > /dev/null
check "2: the new behaviour is an anomaly" \
	wait_for "$OUT" ".type == \"anomaly\" and .profile == \"$KP\"" 10
el=$(( $(date +%s) - t0 ))
note "one-program scenario: ${el}s from start to detection"
check "2: under 2 minutes (${el}s)" [ "$el" -lt 120 ]

# --- min_train_calls: a profile with fewer training calls does not freeze
"$T/tiny" > /dev/null; "$T/tiny" > /dev/null
sleep 0.3
tc=$(pj "$KT" train_count); fa=$(pj "$KT" freeze_at)
note "tiny: train_count $tc, freeze_at $fa"
check "3: two runs ($tc calls) do not freeze (min_train_calls 1024)" \
	[ "$(state_of "$KT")" = training ]
check "3: freeze_at says when it would ($fa: train_count reaches 1024 by then)" \
	sh -c "[ '$fa' != null ] && [ \$(( $fa + $tc - $(pj "$KT" last_mod_count) )) -ge 1024 ]"
ps_line=$("$EBPH" ps -j | jq -c 'select(.profile != null) | [.freeze_at, .frozen_since]' | head -n 1)
check "3: ps -j has freeze_at and frozen_since ($ps_line)" [ -n "$ps_line" ]

# --- a programs entry: fast goes normal after 1s, slow stays frozen ------
for i in $(seq 250); do "$T/fast" > /dev/null; "$T/slow" > /dev/null; done
check "4: fast froze" until_state "$KF" frozen 5
check "4: slow froze" until_state "$KS" frozen 5
sleep 1.5
"$T/fast" > /dev/null; "$T/slow" > /dev/null	# the next call after normal_time
check "4: fast (normal_wait 1s in its entry) became normal" until_state "$KF" normal 5
check "4: by its normal wait" [ "$(count "$OUT" ".type == \"profile_state\" and .profile == \"$KF\" and .reason == \"normal_wait_elapsed\"")" -ge 1 ]
check "4: slow (normal_wait 1h by -o) stays frozen" [ "$(state_of "$KS")" = frozen ]
ni=$(pj "$KS" normal_in)
check "4: slow is normal in about 1h, not the default 7d ($ni s)" \
	sh -c "[ '$ni' -gt 3000 ] && [ '$ni' -le 3600 ]"
fs=$(pj "$KS" frozen_since)
check "4: profiles -j gives frozen_since ($fs)" [ "$fs" != null ]
pl=$("$EBPH" profiles | grep " $T/slow\$")
check "4: PROGRESS of a frozen profile is the time since it froze ($pl)" \
	sh -c "echo '$pl' | grep -Eq ' frozen +[0-9]+ +[0-9]+ [0-9][0-9a-z]*s '"

# --- normalize --frozen / --stable-for ------------------------------------
for i in $(seq 250); do "$T/other" > /dev/null; done
check "5: other froze" until_state "$KO" frozen 5
"$EBPH" normalize --stable-for 1h -j > "$T/sf.out" 2> "$T/sf.err"; rc=$?
check "5: --stable-for 1h normalizes nothing ($(cat "$T/sf.err"))" \
	sh -c "[ $rc -eq 0 ] && [ ! -s '$T/sf.out' ] && [ '$(state_of "$KO")' = frozen ]"
"$EBPH" normalize --frozen -j > "$T/nf.out"; rc=$?
check "5: normalize --frozen exits 0" [ "$rc" -eq 0 ]
check "5: it normalized other and slow" \
	sh -c "jq -r 'select(.changed) | .profile' '$T/nf.out' | grep -qx '$KO' &&
	       jq -r 'select(.changed) | .profile' '$T/nf.out' | grep -qx '$KS'"
check "5: only frozen profiles (the host's others included), each now normal" \
	sh -c "[ -s '$T/nf.out' ] && [ \"\$(jq -c 'select(.old_state != \"frozen\" or .state != \"normal\")' '$T/nf.out' | wc -l)\" -eq 0 ]"
check "5: both are normal now" sh -c "[ '$(state_of "$KO")' = normal ] && [ '$(state_of "$KS")' = normal ]"
check "5: tiny (training) was left alone" [ "$(state_of "$KT")" = training ]
"$EBPH" normalize --frozen x > /dev/null 2>&1; rc=$?
check "5: --frozen with a PROFILE is a usage error" [ "$rc" -eq 2 ]

# --- an upgrade: a new file at the path (cp + mv) ---------------------------
# prof_file FILE: the saved profile's name of FILE (kernel dev_t, inode, hex)
prof_file() {
	d=$(stat -L -c '%d' "$1"); i=$(stat -L -c '%i' "$1")
	printf '%s/state/%x-%x.prof' "$T" $(( ((d >> 8) & 0xfff) << 20 | ((d & 0xff) | ((d >> 12) & 0xfff00)) )) "$i"
}
KU_OLD=$(stat_key "$T/up"); OLDF=$(prof_file "$T/up")
for i in $(seq 5); do "$T/up" > /dev/null; done
"$EBPH" save > /dev/null 2>&1
check "6: the old file's profile is saved ($OLDF)" wait_file "$OLDF"
cp "$FX/ph_calls" "$T/up.new" && mv "$T/up.new" "$T/up"
KU_NEW=$(stat_key "$T/up")
check "6: mv gave the path a new inode ($KU_OLD -> $KU_NEW)" [ "$KU_OLD" != "$KU_NEW" ]
"$T/up" > /dev/null; "$T/up" > /dev/null
check "6: one replaced event names both keys" 	wait_for "$OUT" ".type == \"replaced\" and .profile == \"$KU_NEW\" and .old_profile == \"$KU_OLD\" and .path == \"$T/up\"" 5
check "6: only one" [ "$(count "$OUT" '.type == "replaced"')" -eq 1 ]
check "6: the new file trains its own profile" [ "$(state_of "$KU_NEW")" = training ]
check "6: the old profile is kept meanwhile" sh -c "[ -f '$OLDF' ] && [ -n \"\$('$EBPH' profiles -j | jq -r 'select(.profile == \"$KU_OLD\") | .profile')\" ]"
i=0; while [ -f "$OLDF" ] && [ $i -lt 80 ]; do sleep 0.1; i=$((i + 1)); done
check "6: retired_keep (4s) later the running monitor pruned the old file" [ ! -f "$OLDF" ]
check "6: and said so" grep -q "pruned the retired profile $KU_OLD of $T/up" "$OUT.err"
"$EBPH" save > /dev/null 2>&1
sleep 1
check "6: a later save does not write it back" [ ! -f "$OLDF" ]

# --- ebph prune while the monitor runs -----------------------------------
KG=$(stat_key "$T/gone"); GF=$(prof_file "$T/gone")
"$T/gone" > /dev/null
"$EBPH" save > /dev/null 2>&1
check "7: gone's profile is saved" wait_file "$GF"
rm "$T/gone"
"$EBPH" prune -c "$T/c.yaml" > "$T/prune.out" 2> "$T/prune.err"; rc=$?
check "7: prune with the monitor running exits 0 ($(cat "$T/prune.err"))" [ "$rc" -eq 0 ]
check "7: it pruned gone ($(cat "$T/prune.out"))" grep -Fxq "pruned $KG $T/gone" "$T/prune.out"
check "7: its file is gone" [ ! -f "$GF" ]
"$EBPH" save > /dev/null 2>&1
sleep 1
check "7: the monitor does not save it again" [ ! -f "$GF" ]

stop_ebph
check "8: ebph exits 0" [ $? -eq 0 ]
summary
