#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_core.sh: ebph end to end on the real kernel: new_profile identities,
# clean start and stop, errors that must not load anything.
. tests/lib.sh
FX=tests/fixtures/bin

progs_before=$(bpf_progs)

# new_profile for a program on the root filesystem and one on a tmpfs
mkdir -p "$T/tmpfs"
mount -t tmpfs ebph-test "$T/tmpfs"
cp "$FX/hello" "$T/tmpfs/hello-tmpfs"
cp "$FX/hello" "$T/hello-root"
write_config "$T/c.yaml"
start_ebph "$T/out" -j -c "$T/c.yaml" || { fail "ebph starts"; summary; exit 1; }
ok "ebph starts and prints the banner on stderr"
"$T/hello-root"
"$T/tmpfs/hello-tmpfs"
for f in "$T/hello-root" "$T/tmpfs/hello-tmpfs"; do
	key=$(stat_key "$f")
	dev=${key%%:*}; ino=${key#*:}
	if wait_for "$T/out" ".type == \"new_profile\" and .path == \"$f\"" 10; then
		got=$(jq -r "select(.type == \"new_profile\" and .path == \"$f\") | \"\(.dev):\(.ino):\(.profile)\"" "$T/out" | head -n 1)
		check "new_profile $f has stat's dev:ino ($key)" [ "$got" = "$dev:$ino:$dev:$ino" ]
	else
		fail "new_profile event for $f"
	fi
done
check "tmpfs and root file systems have different devices" \
	[ "$(stat -c %d "$T/hello-root")" != "$(stat -c %d "$T/tmpfs/hello-tmpfs")" ]
check "every stdout line is a JSON object with type first, then schema, ts, time, hostname" \
	sh -c "! grep -v '^{\"type\":\"[a-z_]*\",\"schema\":1,\"ts\":[0-9]*\.[0-9]\{6\},\"time\":\"[0-9T:.-]*Z\",\"hostname\":\"' '$T/out'"
check "stderr: the banner and ebph: messages only" [ "$(grep -vc '^Tracing\|^ebph: ' "$T/out.err")" -eq 0 ]
check "stdout carries no banner or message" sh -c "! grep -q 'Tracing\|^ebph:' '$T/out'"
check "programs are loaded while running" [ "$(bpf_progs)" -ge $((progs_before + 4)) ]
stop_ebph
check "SIGINT: exit status 0" [ $? -eq 0 ]
check "final status printed" [ "$(count "$T/out" '.type == "status" and .final == true')" -eq 1 ]
check "status has the documented fields" sh -c "jq -se '[.[] | select(.type == \"status\")] |
	length == 1 and all(.[]; [.profiles, .training, .frozen, .normal, .tasks, .syscalls,
	.anomalies, .lost_events, .map_bytes, .pair_bytes, .tasks_full, .profiles_full,
	.rows_full, .reclaimed] | all(type == \"number\"))' '$T/out' >/dev/null"
check "BPF programs back to where they were" [ "$(bpf_progs)" -eq "$progs_before" ]
umount "$T/tmpfs"

# SIGTERM and --duration stop cleanly too
start_ebph "$T/out2" -c "$T/c.yaml" || fail "ebph starts (text)"
kill -TERM "$EBPH_PID"; wait "$EBPH_PID"; rc=$?; EBPH_PID=
check "SIGTERM: exit status 0" [ $rc -eq 0 ]
check "text output has a header line" [ "$(head -n 1 "$T/out2" | awk '{print $1, $2, $3}')" = "EVENT PID COMM" ]
check "text status line at exit" grep -q '^status ' "$T/out2"
"$EBPH" -d 2 -j -c "$T/c.yaml" > "$T/out3" 2>/dev/null
check "--duration 2: exit 0" [ $? -eq 0 ]
check "--duration: final status" [ "$(count "$T/out3" '.type == "status" and .final')" -eq 1 ]
check "no programs left after --duration" [ "$(bpf_progs)" -eq "$progs_before" ]

# live: | grep sees lines while ebph runs (stdout to a pipe is line-buffered)
mkfifo "$T/pipe"
grep --line-buffered new_profile < "$T/pipe" > "$T/grep.out" &
gp=$!
"$EBPH" -c "$T/c.yaml" > "$T/pipe" 2> "$T/pipe.err" &
EBPH_PID=$!
i=0
while ! grep -q '^Tracing' "$T/pipe.err" && [ $i -lt 1200 ]; do sleep 0.1; i=$((i + 1)); done
cp "$FX/hello" "$T/hello-piped"
"$T/hello-piped"
i=0
while ! grep -q hello-piped "$T/grep.out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "piped output reaches grep while ebph runs" grep -q hello-piped "$T/grep.out"
stop_ebph
wait $gp

# -p filter: only events of that process
start_ebph "$T/out4" -j -c "$T/c.yaml" -p 1 || fail "ebph -p starts"
"$FX/hello"; sleep 0.5
stop_ebph
check "-p 1 hides other processes' events" [ "$(count "$T/out4" '.type != "status" and .pid != 1')" -eq 0 ]

# full maps: counted and reported, ebph keeps running (64 task slots, 4
# profiles, 16 pair rows)
write_config "$T/small.yaml" max_tasks=64 max_profiles=4 max_rows=16
start_ebph "$T/out5" -j -c "$T/small.yaml" --no-save || fail "ebph starts with small maps"
sleepers=
for i in $(seq 1 200); do sleep 5 & sleepers="$sleepers $!"; done
for i in 1 2 3 4 5 6; do cp "$FX/hello" "$T/hello-$i"; "$T/hello-$i"; done
check "small maps: ebph still running" kill -0 "$EBPH_PID"
stop_ebph
check "small maps: exit 0" [ $? -eq 0 ]
kill $sleepers 2>/dev/null; wait $sleepers 2>/dev/null
check "small maps: every task monitored, rows_full reported" \
	[ "$(count "$T/out5" '.type == "status" and .final and .tasks_full == 0 and .rows_full > 0 and .profiles <= 4 and .rows <= 16')" -eq 1 ]
n=0
for i in 1 2 3 4 5 6; do
	[ "$(count "$T/out5" "(.type == \"new_profile\" or .type == \"profile_refused\") and .path == \"$T/hello-$i\"")" -ge 1 ] && n=$((n + 1))
done
check "small maps: each new program got a profile or a profile_refused event" [ "$n" -eq 6 ]

# bad input: message, exit 2, nothing loaded
printf 'windw: 9\n' > "$T/bad.yaml"
"$EBPH" -c "$T/bad.yaml" > "$T/o" 2> "$T/e"; rc=$?
check "unknown key: exit 2" [ $rc -eq 2 ]
check "unknown key: message names file, line, column, key" \
	grep -q "^ebph: $T/bad.yaml:1:1: unknown key 'windw'" "$T/e"
check "bad config: nothing on stdout" [ ! -s "$T/o" ]
"$EBPH" --bogus 2> "$T/e"; rc=$?
check "unknown option: exit 2" [ $rc -eq 2 ]
check "unknown option: message" grep -q "unknown option '--bogus'" "$T/e"
"$EBPH" -c "$T/none.yaml" 2> "$T/e"; rc=$?
check "missing config file: exit 2 and message" sh -c "[ $rc -eq 2 ] && grep -q 'cannot read' '$T/e'"
check "no programs left after errors" [ "$(bpf_progs)" -eq "$progs_before" ]

# not root: one message, exit 1
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$EBPH" 2> "$T/e"; rc=$?
	check "not root: exit 1" [ $rc -eq 1 ]
	check "not root: says so" grep -q 'must be run as root' "$T/e"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$EBPH" --ebpf > "$T/prog.c" 2> "$T/e"
	check "--ebpf works without root" grep -q 'RAW_TRACEPOINT_PROBE(sys_exit)' "$T/prog.c"
fi
"$EBPH" --ebpf > "$T/prog.c"
check "--ebpf: template filled, no placeholder left" sh -c "grep -q '^#define EBPH_WINDOW 9$' '$T/prog.c' && ! grep -q '#include \"' '$T/prog.c'"

summary
