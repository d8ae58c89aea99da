#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_limits.sh: saved profiles when a table or the disk is full (issue 10,
# items 2 and 8): a profile refused at load is never overwritten; a reload
# needs no more rows than the profile used live; a full state_dir is
# reported with a count, leaves no scratch file and no broken profile, makes
# the final save exit 1, and periodic saves retry; an oversized config.
# Run it under the shared lock: flock /tmp/ebph-e2e.lock sh tests/e2e_limits.sh
. tests/lib.sh
FX=tests/fixtures/bin
STATE=$T/state
MAXRUNS=40

note() { printf '#    %s\n' "$*"; }
# jqt FILTER FILE: the last value FILTER outputs is true
jqt() { [ "$(jq -c "$1" "$2" 2>/dev/null | tail -n 1)" = true ]; }
# Profile file name of an executable: "<kernel dev hex>-<ino hex>.prof".
kfile() {
	maj=$(stat -L -c %Hd "$1"); min=$(stat -L -c %Ld "$1"); ino=$(stat -L -c %i "$1")
	printf '%x-%x.prof' $(( (maj << 20) | min )) "$ino"
}
# rows_of OUT KEY: "rows snapshot_rows" of KEY in a -s summary (or profiles -j)
rows_of() {
	jq -r "select((.type == \"profile\" or .type == null) and .profile == \"$2\") |
		\"\(.rows) \(.snapshot_rows)\"" "$1" | tail -n 1
}
# run OUT ARGS...: ebph in the foreground; RC its exit status
run() { ro=$1; shift; "$EBPH" "$@" > "$ro" 2> "$ro.err"; RC=$?; }

# ---- 1. a profile refused at load (no rows left) is kept byte for byte ----
cp "$FX/ph_calls" "$T/p1"
cp "$FX/ph_calls" "$T/p2"
write_config "$T/c.yaml" normal_wait=1h save_interval=0 min_train_calls=1000000
OUT=$T/o1
start_ebph "$OUT" -j -c "$T/c.yaml" || { fail "1: ebph starts"; summary; exit 1; }
# training profiles load the most trained first (ebph(8), SECURITY): F more
# trained, V (the victim) less, so that V is the one without room
F=$T/p1; V=$T/p2
for m in run fork burst write "sleep 1"; do "$F" $m > /dev/null; done
"$V" run > /dev/null
sleep 0.3
stop_ebph
check "1: first session: exit 0" [ $? -eq 0 ]
FF=$STATE/$(kfile "$F"); VF=$STATE/$(kfile "$V")
KV=$(stat_key "$V")
(cd "$STATE" && for f in *; do [ "$f" = "${FF##*/}" ] || [ "$f" = "${VF##*/}" ] || rm -f "$f"; done)
"$EBPH" profiles -j -c "$T/c.yaml" > "$T/saved.json"
rf=$(rows_of "$T/saved.json" "$(stat_key "$F")"); rv=$(rows_of "$T/saved.json" "$KV")
need_f=$(( ${rf% *} + ${rf#* } )); need_v=$(( ${rv% *} + ${rv#* } ))
rows=$((need_f + need_v - 1)); [ $rows -ge 16 ] || rows=16
note "F needs $need_f rows, V $need_v: max_rows $rows"
write_config "$T/small.yaml" normal_wait=1h save_interval=0 max_rows=$rows min_train_calls=1000000
SUM=$(md5sum < "$VF")
OUT=$T/o2
start_ebph "$OUT" -j -s -c "$T/small.yaml" || fail "1: second session starts"
check "1: V refused at load, with a message saying its file is kept" \
	grep -q "^ebph: cannot load the profile of $V: no room (raise max_profiles or max_rows); its file is kept as it is\$" "$OUT.err"
check "1: start-up counts the profile not loaded" \
	grep -q '^ebph: 1 saved profiles not loaded: their files are kept and not overwritten' "$OUT.err"
for m in run burst run; do "$V" $m > /dev/null; done
sleep 0.3
stop_ebph
check "1: exit 0" [ $? -eq 0 ]
check "1: V ran as a new profile in that session" jqt "select(.type == \"profile\" and .profile == \"$KV\") | .train_count > 0" "$OUT"
check "1: the save says it kept V's file" grep -q '^ebph: 1 saved profiles that were not loaded kept as saved (not overwritten)$' "$OUT.err"
check "1: V's file is byte-identical afterwards" [ "$(md5sum < "$VF")" = "$SUM" ]
# the operator deletes the file: the live profile is saved again
OUT=$T/o3
start_ebph "$OUT" -j -c "$T/small.yaml" || fail "1: third session starts"
"$V" run > /dev/null
rm "$VF"
sleep 0.3
stop_ebph
check "1: once its file is deleted, V's live profile is saved" [ -f "$VF" ]

# ---- 2. a reload needs no more rows than the profile used live ----
cp "$FX/ph_calls" "$T/r"
KR=$(stat_key "$T/r")
write_config "$T/n.yaml" normal_wait=1s save_interval=0 anomaly_limit=100000
OUT=$T/o4
start_ebph "$OUT" -j -s -c "$T/n.yaml" || fail "2: ebph starts"
both() { "$T/r" run; "$T/r" fork; "$T/r" burst 3; }
if train "$KR" both; then ok "2: r normal after $RUNS runs"; else fail "2: r becomes normal"; fi
# training forgotten (a reset, as tolerize_limit does), testing kept: every
# row is its own testing view, untouched
"$EBPH" sensitize "$KR" > /dev/null
sleep 0.3
stop_ebph
live=$(rows_of "$OUT" "$KR")
RF=$STATE/$(kfile "$T/r")
sum=$(md5sum < "$RF")
OUT=$T/o5
start_ebph "$OUT" -j -s -c "$T/n.yaml" || fail "2: ebph restarts"
stop_ebph
again=$(rows_of "$OUT" "$KR")
check "2: after a reset, the reloaded profile saves back byte for byte (same views)" \
	[ "$(md5sum < "$RF")" = "$sum" ]
note "rows snapshot_rows of r after a reset: live $live, after the reload $again"
# le A B: rows + snapshots of A <= those of B
le() { [ -n "$1" ] && [ -n "$2" ] && [ $(( ${1% *} + ${1#* } )) -le $(( ${2% *} + ${2#* } )) ]; }
check "2: after a reset, rows + snapshots after the reload ($again) <= live ($live)" le "$again" "$live"
check "2: ... the same rows" [ "${again% *}" = "${live% *}" ]
OUT=$T/o5b
start_ebph "$OUT" -j -s -c "$T/n.yaml" || fail "2: ebph restarts again"
"$T/r" run > /dev/null	# a few rows trained again: snapshots for them
sleep 0.3
stop_ebph
live=$(rows_of "$OUT" "$KR")
sum=$(md5sum < "$RF")
OUT=$T/o5c
start_ebph "$OUT" -j -s -c "$T/n.yaml" || fail "2: ebph restarts a third time"
stop_ebph
again=$(rows_of "$OUT" "$KR")
check "2: some rows retrained: the reloaded profile saves back byte for byte" \
	[ "$(md5sum < "$RF")" = "$sum" ]
note "rows snapshot_rows of r, some rows retrained: live $live, after the reload $again"
check "2: some rows retrained: rows + snapshots after the reload ($again) <= live ($live)" le "$again" "$live"

# ---- 3. a full state_dir (64 KiB tmpfs) ----
mkdir "$T/tmpfs"
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$T/tmpfs"
FULL=$T/tmpfs/state
write_config "$T/f.yaml" normal_wait=1h save_interval=2s "state_dir=$FULL"
i=0; while [ $i -lt 40 ]; do i=$((i + 1)); cp "$FX/ph_calls" "$T/w$i"; done
OUT=$T/o6
start_ebph "$OUT" -j -c "$T/f.yaml" || fail "3: ebph starts"
i=0; while [ $i -lt 40 ]; do i=$((i + 1)); "$T/w$i" burst $i > /dev/null; done
i=0
until grep -q '^ebph: [0-9]* of [0-9]* profiles not saved to .* (save_interval)' "$OUT.err"; do
	i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1
done
check "3: a periodic save on a full disk says how many profiles were not saved" \
	grep -q "^ebph: [0-9]* of [0-9]* profiles not saved to $FULL (save_interval): $FULL/.*No space left on device" "$OUT.err"
check "3: ... and the monitor keeps running" kill -0 "$EBPH_PID"
check "3: ... no scratch file is left behind" [ -z "$(ls -A "$FULL" | grep '\.prev$')" ]
mount -o remount,size=4m "$T/tmpfs"
i=0
until grep -q "^ebph: saved [0-9]* profiles to $FULL (save_interval" "$OUT.err"; do
	i=$((i + 1)); [ $i -lt 60 ] || break; sleep 0.1
done
check "3: with room again, the next periodic save saves everything" \
	grep -q "^ebph: saved [0-9]* profiles to $FULL (save_interval" "$OUT.err"
ls "$FULL" | grep '\.prof$' | sort > "$T/had"
mount -o remount,size=64k "$T/tmpfs" 2> /dev/null || true	# refused if it holds more
dd if=/dev/zero of="$T/tmpfs/fill" bs=4k count=1024 2> /dev/null	# fill what is left
i=0; while [ $i -lt 40 ]; do i=$((i + 1)); "$T/w$i" fork > /dev/null; done
sleep 0.3
stop_ebph
rc=$?
note "$(grep -c . "$T/had") profile files before the final save; $(grep 'not saved' "$OUT.err" | tail -n 2 | tr '\n' ' ')"
check "3: a final save that fails: exit 1" [ $rc -eq 1 ]
check "3: ... and a message naming how many profiles were not saved" \
	grep -q '^ebph: the final save failed: [1-9][0-9]* profiles not saved$' "$OUT.err"
check "3: ... no scratch file is left behind" [ -z "$(ls -A "$FULL" | grep '\.prev$')" ]
ls "$FULL" | grep '\.prof$' | sort > "$T/have"
check "3: ... every profile file saved before is still there" [ -z "$(comm -23 "$T/had" "$T/have")" ]
rm -f "$T/tmpfs/fill"
"$EBPH" profiles -j -c "$T/f.yaml" > "$T/p.json" 2> "$T/p.err"
check "3: ... and every one of them loads (no bad file)" \
	sh -c "[ ! -s '$T/p.err' ] && [ \$(jq -c 'select(.source == \"saved\")' '$T/p.json' | wc -l) -eq $(grep -c . "$T/have") ]"
umount "$T/tmpfs"

# ---- 4. an oversized configuration ----
run "$T/o7" -c /dev/zero --print-config
check "4: -c /dev/zero: exit 2, one message" \
	sh -c "[ $RC -eq 2 ] && [ \"\$(cat '$T/o7.err')\" = 'ebph: /dev/zero: too large (a configuration file has at most 1048576 bytes)' ]"
head -c 2000000 /dev/zero | tr '\0' '#' > "$T/big.yaml"
run "$T/o8" -c "$T/big.yaml" --print-config
check "4: a 2 MB file: exit 2, nothing printed" sh -c "[ $RC -eq 2 ] && [ ! -s '$T/o8' ] && grep -q 'too large' '$T/o8.err'"

summary
