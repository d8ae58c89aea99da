#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_store.sh: saved profiles end to end on the real kernel: a profile
# survives a restart with its state and counters and detects at once,
# SIGKILL during saves never leaves a missing or corrupt file, bad files are
# reported and skipped, state_dir permissions, --no-load, --no-save, prune.
. tests/lib.sh
FX=tests/fixtures/bin
STATE=$T/state
MAXRUNS=40	# bound on the runs to normal (about 0.25 s each)
KILLS=${KILLS:-100}	# SIGKILL cycles (each starts ebph: about 1.3 s)

note() { printf '#    %s\n' "$*"; }

# Profile file name of an executable: "<kernel dev hex>-<ino hex>.prof".
kfile() {
	maj=$(stat -L -c %Hd "$1"); min=$(stat -L -c %Ld "$1"); ino=$(stat -L -c %i "$1")
	printf '%x-%x.prof' $(( (maj << 20) | min )) "$ino"
}

# Only one ebph monitor runs per host: wait for another test's to end.
wait_idle() {
	i=0
	while pgrep -x ebph > /dev/null; do
		i=$((i + 1))
		[ $i -lt 600 ] || { echo "another ebph kept running" >&2; return 1; }
		sleep 0.5
	done
}

# Whether ERR (stderr of an ebph run) says it met another test's monitor, or
# a binary being rebuilt: then the run is tried again.
busy() { grep -q 'another ebph monitor is running\|a monitor is running\|Permission denied\|Text file busy' "$1"; }

# start OUT ARGS...: start_ebph once no other monitor runs. OUT is removed
# first: start_ebph would take an old banner in OUT.err for the new one.
start() {
	for attempt in 1 2 3 4 5; do
		rm -f "$1" "$1.err"
		wait_idle || return 1
		start_ebph "$@" 2>/dev/null && return 0
		busy "$1.err" || { cat "$1.err" >&2; return 1; }
		sleep 1
	done
	return 1
}

# run OUT ARGS...: ebph ARGS in the foreground, stdout to OUT, stderr to
# OUT.err; RC its exit status.
run() {
	ro=$1; shift
	for attempt in 1 2 3 4 5; do
		wait_idle || return 1
		"$EBPH" "$@" > "$ro" 2> "$ro.err"
		RC=$?
		busy "$ro.err" || return 0
		sleep 1
	done
}

# Counters of profile KEY in a -s summary: state and counters, one line.
summary_of() {
	jq -c "select(.type == \"profile\" and .profile == \"$2\") |
		[.path, .state, .train_count, .last_mod_count, .sequences, .anomalies,
		 .rows, .snapshot_rows]" "$1"
}



# Names of the profile files in state_dir, sorted.
prof_files() { (cd "$STATE" && ls -A | grep '\.prof$' | sort); }

# Everything about state_dir's entries: name, inode, size, mode, mtime, content.
snapshot() {
	(cd "$STATE" && for f in $(ls -A | sort); do
		stat -c '%n %i %s %a %Y' "$f"
		[ -f "$f" ] && md5sum < "$f"
	done)
}

# Set byte OFF of FILE to the octal escape BYTE (e.g. '\007').
poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

# A random number below $1.
rnd() { echo $(( $(od -An -N2 -tu2 /dev/urandom) % $1 )); }

cp "$FX/ph_calls" "$T/rt"
K=$(stat_key "$T/rt")
KF=$STATE/$(kfile "$T/rt")
write_config "$T/c.yaml" normal_wait=1s save_interval=0 anomaly_limit=100000

# ---- 1. round trip: normal before exit, the same after a restart ----
OUT=$T/o1
start "$OUT" -j -s -c "$T/c.yaml" || { fail "ebph starts"; summary; exit 1; }
check "1: start-up says it loaded 0 profiles from $STATE" \
	grep -q "^ebph: loaded 0 profiles from $STATE " "$OUT.err"
check "1: state_dir created with mode 0700" [ "$(stat -c %a "$STATE")" = 700 ]
if train "$K" "$T/rt" run; then
	ok "1: rt became normal after $RUNS runs"
else
	fail "1: rt became normal within $MAXRUNS runs"
fi
for i in 1 2 3; do "$T/rt" run; done
sleep 0.3
stop_ebph
check "1: exit status 0" [ $? -eq 0 ]
check "1: saved at exit" grep -q "^ebph: saved [0-9]* profiles to $STATE (exit" "$OUT.err"
S1=$(summary_of "$OUT" "$K")
note "before: $S1"
check "1: rt's summary before the restart says normal" \
	sh -c "echo '$S1' | jq -e '.[1] == \"normal\" and .[2] > 0 and .[6] > 0' > /dev/null"
check "1: rt's profile file exists with mode 0600" [ "$(stat -c %a "$KF" 2>/dev/null)" = 600 ]
check "1: every entry of state_dir is a regular root-owned 0600 file" \
	[ -z "$(find "$STATE" -mindepth 1 \( ! -type f -o ! -perm 600 -o ! -user root \) -print)" ]
check "1: no temporary file left" [ -z "$(ls -A "$STATE" | grep '\.tmp')" ]
NF=$(prof_files | wc -l)
OUT=$T/o2
start "$OUT" -j -s -c "$T/c.yaml" || fail "1: ebph restarts"
stop_ebph
check "1: restart loaded all $NF saved profiles" grep -q "^ebph: loaded $NF profiles from $STATE " "$OUT.err"
check "1: restart reported no bad file" sh -c "! grep -q '^ebph: $STATE/' '$OUT.err'"
S2=$(summary_of "$OUT" "$K")
check "1: after the restart, the same state and counters ($S2)" [ -n "$S1" -a "$S1" = "$S2" ]

# ---- 2. detection right after a restart; --no-save touches nothing ----
SNAP=$(snapshot)
OUT=$T/o3
start "$OUT" -j -c "$T/c.yaml" --no-save || fail "2: ebph --no-save starts"
"$T/rt" write > /dev/null &
P=$!
wait "$P"
if wait_for "$OUT" ".type == \"anomaly\" and .pid == $P" 5; then
	check "2: the first run after the restart is an anomaly of rt, the extra write" \
		[ "$(count "$OUT" ".type == \"anomaly\" and .pid == $P and .profile == \"$K\" and .syscall == \"write\"")" -ge 1 ]
else
	fail "2: anomaly for rt's extra write right after the restart (pid $P)"
fi
"$T/rt" run > /dev/null &
P=$!
wait "$P"
sleep 0.3
check "2: a normal run after the restart: no anomaly" [ "$(count "$OUT" ".type == \"anomaly\" and .pid == $P")" -eq 0 ]
check "2: no retraining: no profile_state event for rt" \
	[ "$(count "$OUT" ".type == \"profile_state\" and .profile == \"$K\"")" -eq 0 ]
kill -USR1 "$EBPH_PID"
sleep 0.5
stop_ebph
check "2: --no-save: SIGUSR1 says it does not save" grep -q 'SIGUSR1 from PID [0-9]*: not saving (--no-save)' "$OUT.err"
check "2: --no-save: state_dir unchanged (names, inodes, modes, times, contents)" \
	[ "$(snapshot)" = "$SNAP" ]
write_config "$T/none.yaml" "state_dir=$T/nostate"
run "$T/o3b" -c "$T/none.yaml" --no-save -d 1
check "2: --no-save with a missing state_dir: exit 0, not created" \
	sh -c "[ $RC -eq 0 ] && [ ! -e '$T/nostate' ]"

# ---- 3. --no-load: starts empty, leaves the files of what did not run ----
SUMK=$(md5sum < "$KF")
run "$T/o4" -c "$T/c.yaml" --no-load -j -s -d 2
check "3: --no-load: exit 0" [ $RC -eq 0 ]
check "3: --no-load: nothing loaded" sh -c "! grep -q '^ebph: loaded' '$T/o4.err'"
check "3: --no-load: rt not in the summary" [ "$(count "$T/o4" ".type == \"profile\" and .profile == \"$K\"")" -eq 0 ]
check "3: --no-load: rt's saved file unchanged" [ "$(md5sum < "$KF")" = "$SUMK" ]

# ---- 4. bad files: one message each, good ones load, ebph runs ----
G=$(basename "$KF")
SIZE=$(stat -c %s "$KF")
B=$STATE/bad
head -c 100 "$KF" > "$B-trunc.prof"
head -c 20 "$KF" > "$B-trunc-header.prof"
for k in flip magic version window alphabet arch groupw owner name; do cp "$KF" "$B-$k.prof"; done
last=$(od -An -tu1 -j $((SIZE - 1)) -N1 "$KF" | tr -d ' ')
poke "$B-flip.prof" $((SIZE - 1)) "\\$(printf %o $((last ^ 255)))"
poke "$B-magic.prof" 0 'X'
poke "$B-version.prof" 8 '\007'
poke "$B-window.prof" 16 '\005'
poke "$B-alphabet.prof" 20 '\300\001'
poke "$B-arch.prof" 28 '\267'
chmod 620 "$B-groupw.prof"
chown 65534:65534 "$B-owner.prof"
: > "$B-empty.prof"
mkdir "$B-dir.prof"
ln -s "$G" "$B-link.prof"
mkfifo "$B-fifo.prof"
cat > "$T/bad.expect" <<EOF
ebph: $B-alphabet.prof: alphabet 448 calls, this ebph has 576
ebph: $B-arch.prof: architecture 183, this machine is 62
ebph: $B-dir.prof: is a directory
ebph: $B-empty.prof: empty file
ebph: $B-fifo.prof: not a regular file
ebph: $B-flip.prof: checksum mismatch
ebph: $B-groupw.prof: writable by group or others
ebph: $B-link.prof: is a symbolic link
ebph: $B-magic.prof: not an ebph profile (bad magic)
ebph: $B-name.prof: file name does not match its profile ($G)
ebph: $B-owner.prof: owned by uid 65534, not by uid 0
ebph: $B-trunc-header.prof: truncated (20 of at least 48 bytes)
ebph: $B-trunc.prof: truncated (100 of $SIZE bytes)
ebph: $B-version.prof: format version 7, this ebph reads 1 to 2
ebph: $B-window.prof: window 5, this ebph uses 9
EOF
NBAD=$(wc -l < "$T/bad.expect")
NGOOD=$(prof_files | grep -vc '^bad-')
OUT=$T/o5
if start "$OUT" -j -c "$T/c.yaml"; then
	ok "4: ebph starts with $NBAD bad files in state_dir"
	grep "^ebph: $STATE/" "$OUT.err" | sort > "$T/bad.got"
	check "4: one message per bad file, naming it, with its reason" cmp -s "$T/bad.expect" "$T/bad.got"
	cmp -s "$T/bad.expect" "$T/bad.got" || diff "$T/bad.expect" "$T/bad.got" | sed 's/^/#    /'
	check "4: the $NGOOD good profiles loaded" grep -q "^ebph: loaded $NGOOD profiles from $STATE " "$OUT.err"
	"$T/rt" write > /dev/null &
	P=$!
	wait "$P"
	check "4: ebph keeps running and detects with the loaded profile" \
		wait_for "$OUT" ".type == \"anomaly\" and .pid == $P and .profile == \"$K\"" 5
	stop_ebph
	check "4: exit status 0" [ $? -eq 0 ]
else
	fail "4: ebph starts with bad files in state_dir"
fi
check "4: the bad files are left as they were" [ "$(ls -A "$STATE" | grep -c '^bad-')" -eq "$NBAD" ]
rm -rf "$STATE"/bad-*

# ---- 5. state_dir permissions ----
# refused: exit 1 with the message, nothing attached
refused() {
	run "$T/o6" -c "$1" -d 5
	check "5: $3: exit 1" [ $RC -eq 1 ]
	check "5: $3: says '$2'" grep -Fxq "ebph: $2" "$T/o6.err"
	check "5: $3: not started" sh -c "! grep -q '^Tracing' '$T/o6.err'"
}
chmod 770 "$STATE"
refused "$T/c.yaml" "$STATE: writable by group or others (chmod 700 it)" "group-writable state_dir"
chmod 700 "$STATE"
chown 65534 "$STATE"
refused "$T/c.yaml" "$STATE: owned by uid 65534, not by uid 0 (chown it)" "state_dir of another user"
chown 0 "$STATE"
ln -s "$STATE" "$T/statelink"
write_config "$T/link.yaml" normal_wait=1s "state_dir=$T/statelink"
refused "$T/link.yaml" "$T/statelink: is a symbolic link (state_dir must be the directory itself)" \
	"state_dir that is a symlink"

# ---- 6. SIGKILL during saves ----
# Each cycle: start ebph (its start-up load checks what the last kill left:
# no bad file, every file loaded), run 20 programs of their own so that
# profiles change, then SIGUSR1 (a save) three times, 0-99 ms apart, and
# SIGKILL 0-4 ms after the last (while it saves, or just before or after). No profile file that existed before the
# cycle may be missing afterwards.
i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	cp "$FX/ph_calls" "$T/w$i"
done
write_config "$T/k.yaml" normal_wait=1h save_interval=0
c=0; interrupted=0; bad=0; missing=0; total_ms=0; nsaves=0
# loaded_all N: the start-up in $T/k.err loaded N profiles and named no bad file
loaded_all() {
	! grep -q "^ebph: $STATE/" "$T/k.err" && grep -q "^ebph: loaded $1 profiles from $STATE " "$T/k.err"
}
t0=$(date +%s)
while [ $c -le "$KILLS" ]; do
	prof_files > "$T/before"
	nf=$(wc -l < "$T/before")
	start "$T/k" -j -c "$T/k.yaml" || { fail "6: ebph starts (cycle $c)"; break; }
	if [ $c -gt 0 ] && ! loaded_all "$nf"; then
		bad=$((bad + 1))
		note "after kill $c: $(grep '^ebph: ' "$T/k.err" | head -n 3)"
	fi
	[ $c -lt "$KILLS" ] || break
	c=$((c + 1))
	i=0
	while [ $i -lt 20 ]; do
		i=$((i + 1))
		"$T/w$i" burst $((c + i)) > /dev/null
	done
	"$T/rt" run > /dev/null
	j=0
	while [ $j -lt 3 ]; do
		j=$((j + 1))
		kill -USR1 "$EBPH_PID"
		[ $j -lt 3 ] && sleep "0.0$(rnd 10)$(rnd 10)"
	done
	sleep "0.00$((c % 5))"	# 0-4 ms, in turn: a save of these takes 3-15 ms
	kill -KILL "$EBPH_PID"
	wait "$EBPH_PID" 2>/dev/null
	EBPH_PID=
	[ "$(grep -c '^ebph: saved .*(SIGUSR1' "$T/k.err")" -lt 3 ] && interrupted=$((interrupted + 1))
	for ms in $(sed -n 's/^ebph: saved .*(SIGUSR1, \([0-9.]*\) ms)$/\1/p' "$T/k.err"); do
		total_ms=$(awk -v a="$total_ms" -v b="$ms" 'BEGIN { print a + b }')
		nsaves=$((nsaves + 1))
	done
	prof_files > "$T/after"
	if [ -n "$(comm -23 "$T/before" "$T/after")" ]; then
		missing=$((missing + 1))
		note "kill $c: missing $(comm -23 "$T/before" "$T/after" | head -n 3)"
	fi
done
stop_ebph
note "$c SIGKILL cycles in $(( $(date +%s) - t0 )) s; $interrupted killed before their last" \
	"save finished; $nsaves saves completed, $(awk -v a="$total_ms" -v n="$nsaves" \
	'BEGIN { printf "%.1f", n ? a / n : 0 }') ms each on average"
check "6: $c SIGKILLs during saves: every profile file loads after each" [ "$bad" -eq 0 -a "$c" -eq "$KILLS" ]
check "6: ... and no profile file went missing" [ "$missing" -eq 0 ]
check "6: ... some kills came before the last save finished ($interrupted of $c)" [ "$interrupted" -gt 0 ]
check "6: ... the workload's profiles were saved" [ -f "$STATE/$(kfile "$T/w1")" ]

# ---- 7. prune ----
cp "$FX/ph_calls" "$T/gone"
KG=$(stat_key "$T/gone")
GF=$STATE/$(kfile "$T/gone")
OUT=$T/o7
start "$OUT" -j -c "$T/c.yaml" || fail "7: ebph starts"
"$T/gone" run > /dev/null
sleep 0.3
"$EBPH" prune -c "$T/c.yaml" > "$T/p1" 2> "$T/p1.err"
check "7: prune while a monitor runs: exit 0 (the monitor forgets what is pruned)" [ $? -eq 0 ]
check "7: ... and deleting nothing (gone's file still exists)" [ ! -s "$T/p1" ]
stop_ebph
check "7: gone's profile saved" [ -f "$GF" ]
rm "$T/gone"
OUT=$T/o8
start "$OUT" -j -c "$T/c.yaml" || fail "7: ebph starts again"
stop_ebph
check "7: start-up warns about profiles of executables that no longer exist" \
	grep -q "^ebph: [0-9]* saved profiles belong to executables that no longer exist" "$OUT.err"
run "$T/p2" prune -c "$T/c.yaml" --dry-run
check "7: prune --dry-run: exit 0" [ $RC -eq 0 ]
check "7: ... lists 'would prune $KG $T/gone'" grep -Fxq "would prune $KG $T/gone" "$T/p2"
check "7: ... and deletes nothing" [ -f "$GF" ]
run "$T/p3" prune -c "$T/c.yaml"
check "7: prune: exit 0" [ $RC -eq 0 ]
check "7: ... prints 'pruned $KG $T/gone'" grep -Fxq "pruned $KG $T/gone" "$T/p3"
check "7: ... deletes its file" [ ! -e "$GF" ]
check "7: ... keeps the live rt's" [ -f "$KF" ]
live=0
while read -r word key path; do
	[ "$word" = pruned ] || { live=$((live + 1)); continue; }
	[ -e "$path" ] && [ "$(stat_key "$path")" = "$key" ] && live=$((live + 1))
done < "$T/p3"
check "7: every pruned line names an executable that is gone" [ "$live" -eq 0 ]
run "$T/p4" prune -c "$T/c.yaml"
check "7: pruning again finds nothing" [ ! -s "$T/p4" -a ! -s "$T/p4.err" ]

summary
