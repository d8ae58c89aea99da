#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_outputs.sh: where events go (issue 14 items 2-5): the JSON contract
# (schema, ts, time, hostname) checked against docs/events.schema.json with
# Debian's python3-jsonschema, on real output of the monitor, of its events
# file and of the commands; the events file's size rotation keeps N files;
# SIGHUP reopens it (logrotate) and does not kill the monitor; metrics_file
# parses as Prometheus text (python3-prometheus-client's parser); commands
# without -c act on the running monitor's state_dir; the journal output.
# KEEP=DIR keeps a copy of the temp dir (ebph's output) for debugging.
. tests/lib.sh
FX=tests/fixtures/bin
SCHEMA=docs/events.schema.json
MAXRUNS=30

note() { printf '#    %s\n' "$*"; }
# jqe FILTER FILE...: jq -e, quiet: true if its last output is true (jq 1.6
# judges the last input's result: no select() over many lines, use -s)
jqe() { jf=$1; shift; jq -e "$jf" "$@" > /dev/null 2>&1; }
# validate NAME FILE...: every line of the files is valid against the schema
validate() {
	n=$1; shift
	if /usr/bin/python3 tests/validate_events.py "$SCHEMA" "$@" > "$T/validate.out" 2>&1; then
		ok "$n ($(tail -n 1 "$T/validate.out"))"
	else
		fail "$n" "$(head -n 5 "$T/validate.out")"
	fi
}

for n in t1 t2; do cp "$FX/ph_calls" "$T/$n"; done
K1=$(stat_key "$T/t1")
K2=$(stat_key "$T/t2")
HOST=$(hostname)

# ---- the validator itself: it refuses what the schema lacks ----
printf '{"type":"no_such_event","schema":1}\n' > "$T/bogus.json"
/usr/bin/python3 tests/validate_events.py "$SCHEMA" "$T/bogus.json" > "$T/bogus.out" 2>&1
check "validator: an event type the schema lacks fails, naming it" \
	grep -q "event type 'no_such_event' is not in $SCHEMA" "$T/bogus.out"
printf '{"type":"exec","schema":1,"ts":1.5,"time":"1970-01-01T00:00:01.500000Z","hostname":"h","pid":1,"tid":1,"ppid":0,"uid":0,"login_uid":null,"cgroup_id":1,"comm":"x","profile":"1:2","path":"/x","new_key":1}\n' > "$T/bogus2.json"
/usr/bin/python3 tests/validate_events.py "$SCHEMA" "$T/bogus2.json" > "$T/bogus2.out" 2>&1
check "validator: a key the schema lacks fails, naming it" grep -q "'new_key' was unexpected" "$T/bogus2.out"

# ---- usage: -T with -j; bad output keys ----
"$EBPH" -T -j > /dev/null 2> "$T/tj.err"
check "-T -j is a usage error (exit 2)" [ $? -eq 2 ]
printf 'journal: yes\n' > "$T/badbool.yaml"
"$EBPH" --print-config -c "$T/badbool.yaml" > /dev/null 2> "$T/badbool.err"
rc=$?
check "journal: yes is a config error naming the key (exit $rc)" \
	sh -c "[ $rc -eq 2 ] && grep -q 'badbool.yaml:1:10: journal: expected true or false' '$T/badbool.err'"
printf 'events_file: rel/path\n' > "$T/badpath.yaml"
"$EBPH" --print-config -c "$T/badpath.yaml" > /dev/null 2> "$T/badpath.err"
check "events_file must be absolute" grep -q 'events_file: .rel/path. is not an absolute path' "$T/badpath.err"

# ---- journal: true where no journald runs: one clear message, exit 1 ----
# (then, if this machine has no journald, the test runs one of its own for
# the sessions below, removed at the end with what it created)
JD_PID=
if [ -S /run/systemd/journal/socket ]; then
	note "journald runs here (systemctl is-system-running: $(systemctl is-system-running 2>&1))"
else
	write_config "$T/j.yaml" journal=true
	"$EBPH" -c "$T/j.yaml" --no-load --no-save -d 5 > "$T/j.out" 2> "$T/j.err"
	rc=$?
	check "journal: true without journald: exit 1 before loading (got $rc)" \
		sh -c "[ $rc -eq 1 ] && grep -q 'journal: true, but the journal does not run here' '$T/j.err' && [ ! -e /sys/fs/bpf/ebph ]"
	note "no journald on this machine (systemctl is-system-running: $(systemctl is-system-running 2>&1)): starting one for this test"
	[ -e /run/log/journal ] && JD_LOGDIR=0 || JD_LOGDIR=1
	/lib/systemd/systemd-journald > "$T/journald.log" 2>&1 &
	JD_PID=$!
	i=0
	until [ -S /run/systemd/journal/socket ]; do
		i=$((i + 1)); [ $i -lt 50 ] || break; sleep 0.1
	done
	journal_stop() {
		[ -n "$JD_PID" ] || return 0
		kill "$JD_PID" 2>/dev/null; wait "$JD_PID" 2>/dev/null
		JD_PID=
		rm -rf /run/systemd/journal
		[ "$JD_LOGDIR" -eq 0 ] || rm -rf /run/log/journal
	}
	trap 'journal_stop; cleanup' EXIT
fi
if [ -S /run/systemd/journal/socket ]; then HAVE_JOURNAL=1; else HAVE_JOURNAL=0; fi

# ---- session A: stdout, a rotated events file, metrics, SIGHUP ----
OUT=$T/out
EV=$T/events.json
MET=$T/metrics.prom
write_config "$T/a.yaml" normal_wait=1s status_interval=1 events_file="$EV" events_file_kb=8 \
	events_file_keep=2 metrics_file="$MET" anomaly_limit=100000 output_rate=0 \
	journal=$([ "$HAVE_JOURNAL" -eq 1 ] && echo true || echo false)
start_ebph "$OUT" -j -s -c "$T/a.yaml" || { fail "ebph starts with events_file and metrics_file"; summary; exit 1; }
PIDA=$EBPH_PID
if train "$K1" "$T/t1" run; then ok "t1 became normal after $RUNS runs"; else fail "t1 became normal"; fi
"$T/t1" write > /dev/null
wait_for "$OUT" ".type == \"anomaly\" and .profile == \"$K1\"" 5
check "an anomaly of t1" [ "$(count "$OUT" ".type == \"anomaly\" and .profile == \"$K1\"")" -ge 1 ]
wait_for "$OUT" '.type == "status"' 3

# commands without -c act on the monitor's state_dir ($T/state, not the default)
"$EBPH" save -j > "$T/cmd.json" 2> "$T/save.err"
i=0
until grep -q "saved [0-9]* profiles to $T/state (SIGUSR1" "$OUT.err"; do
	i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1
done
PF=$(ls "$T/state"/*-"$(printf %x "${K1#*:}")".prof 2>/dev/null | head -n 1)
check "ebph save without -c: t1 saved to the monitor's state_dir" [ -s "$PF" ]
"$EBPH" profiles -j >> "$T/cmd.json" 2>> "$T/cmd.err"
"$EBPH" show -j "$T/t1" >> "$T/cmd.json" 2>> "$T/cmd.err"
"$EBPH" show -j --pairs "$T/t1" >> "$T/cmd.json" 2>> "$T/cmd.err"
"$EBPH" show -j --diff "$T/t1" >> "$T/cmd.json" 2>> "$T/cmd.err"
"$EBPH" ps -j >> "$T/cmd.json" 2>> "$T/cmd.err"
"$EBPH" check -j >> "$T/cmd.json" 2>> "$T/cmd.err"
"$EBPH" tolerize -j "$T/t1" >> "$T/cmd.json" 2>> "$T/cmd.err"
"$EBPH" delete -j "$T/t1" > "$T/delete.json" 2>> "$T/cmd.err"
rc=$?
cat "$T/delete.json" >> "$T/cmd.json"
note "delete: $(cat "$T/delete.json")"
check "delete without -c (exit $rc) removed t1's file in the monitor's state_dir" \
	sh -c "[ $rc -eq 0 ] && jq -e '.file_removed == true and .source == \"live\"' '$T/delete.json' > /dev/null"
check "... and it is gone from $T/state" sh -c "[ -n \"$PF\" ] && [ ! -e \"$PF\" ]"

# SIGHUP: logrotate moves the file, then HUP: ebph lives on, writes a new one
mv "$EV" "$T/moved.json"
kill -HUP "$EBPH_PID"
sleep 0.3
check "SIGHUP: the monitor is still running" kill -0 "$EBPH_PID"
"$T/t2" run > /dev/null
wait_for "$OUT" ".type == \"new_profile\" and .profile == \"$K2\"" 5
sleep 0.2
check "SIGHUP: stderr says the events file was reopened" grep -q "SIGHUP: reopened $EV" "$OUT.err"
# (the new file may have been rotated since: it or its rotated copies)
cat "$EV.2" "$EV.1" "$EV" > "$T/after_hup.json" 2>/dev/null
# t2's lines can fill the 8 KiB file and both rotated copies at once (its
# new_profile may be rotated out): the new files get objects from then on
TS2=$(jq -r "select(.type == \"new_profile\" and .profile == \"$K2\") | .ts" "$OUT" | head -n 1)
check "SIGHUP: a new events file, with objects from t2's new_profile on ($TS2)" \
	jqe "any(.[]; .ts >= ${TS2:-1e18})" -s "$T/after_hup.json"
check "SIGHUP: the moved file does not get it" \
	sh -c "! grep -q '\"profile\":\"$K2\"' '$T/moved.json'"
# more lines, for rotation: status every second, and a few new profiles
for n in 1 2 3 4 5 6 7 8; do cp "$FX/hello" "$T/h$n"; "$T/h$n" > /dev/null; done
sleep 2.5
stop_ebph
rc=$?
check "after SIGHUP, stopped by SIGINT: exit 0 (got $rc)" [ "$rc" -eq 0 ]
check "after SIGHUP: the final save happened" grep -q "saved [0-9]* profiles to $T/state (exit" "$OUT.err"
check "no pins left" [ ! -e /sys/fs/bpf/ebph ]
cp "$OUT" "$T/outa"

# the JSON contract, on stdout
check "stdout: every line has schema 1 and hostname $HOST" \
	sh -c "[ \$(jq -c 'select(.schema != 1 or .hostname != \"$HOST\")' '$OUT' | wc -l) -eq 0 ]"
check "stdout: time is ts in ISO 8601 UTC, on every line" \
	sh -c "[ \$(jq -c 'select(.time[0:19] + \"Z\" != (.ts | floor | todate) or (.time | endswith(\"Z\") | not))' '$OUT' | wc -l) -eq 0 ]"
validate "schema: stdout of the monitor" "$OUT"
for t in new_profile anomaly profile_state status profile exec; do
	check "stdout has a $t object to check" [ "$(count "$OUT" ".type == \"$t\"")" -ge 1 ]
done
validate "schema: the commands' -j output (save profiles show ps check tolerize delete)" "$T/cmd.json"
for t in save profile call pair task check command; do
	check "commands: a $t object checked" [ "$(count "$T/cmd.json" ".type == \"$t\"")" -ge 1 ]
done

# the events file: rotated at 8 KiB, two rotated files kept, same lines as stdout
ls -l "$T" | grep events > "$T/ls.txt"
note "$(tr '\n' ';' < "$T/ls.txt")"
check "rotation: events.json.1 and .2 exist, .3 does not" \
	sh -c "[ -s '$EV.1' ] && [ -s '$EV.2' ] && [ ! -e '$EV.3' ]"
big=$(for f in "$EV" "$EV.1" "$EV.2"; do [ "$(stat -c %s "$f")" -le 8192 ] || echo "$f"; done)
check "rotation: no file over events_file_kb (8 KiB) ${big:+($big)}" [ -z "$big" ]
cat "$EV.2" "$EV.1" "$EV" > "$T/kept.json"
kept=$(wc -l < "$T/kept.json")
check "events file: the $kept lines kept are stdout's last $kept lines" \
	sh -c "tail -n $kept '$OUT' | cmp -s - '$T/kept.json'"
validate "schema: the events files" "$EV" "$EV.1" "$EV.2" "$T/moved.json"

# metrics_file: Prometheus text, figures of the final status
cat > "$T/prom.py" <<'EOF'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
v = {}
for f in fams.values():
    for s in f.samples:
        key = s.name + "".join("{%s=%s}" % kv for kv in sorted(s.labels.items()))
        v[key] = s.value
print(" ".join("%s=%d" % (k, v[k]) for k in sorted(v)))
EOF
if /usr/bin/python3 "$T/prom.py" "$MET" > "$T/prom.out" 2>&1; then
	ok "metrics_file parses as Prometheus text (prometheus_client.parser)"
else
	fail "metrics_file parses as Prometheus text" "$(tail -n 2 "$T/prom.out")"
fi
note "$(cat "$T/prom.out")"
fin=$(jq -c 'select(.type == "status" and .final)' "$OUT")
for pair in "ebph_syscalls_total syscalls" "ebph_anomalies_total anomalies" \
	"ebph_lost_events_total lost_events" "ebph_map_bytes map_bytes" \
	"ebph_profiles{state=training} training" "ebph_profiles{state=normal} normal" \
	"ebph_map_full_total{map=rows} rows_full"; do
	m=${pair% *}; k=${pair#* }
	got=$(tr ' ' '\n' < "$T/prom.out" | grep -F "$m=" | head -n 1 | cut -d= -f2- | sed 's/.*=//')
	want=$(echo "$fin" | jq ".$k")
	check "metrics: $m = final status $k ($got = $want)" [ "$got" = "$want" ]
done
check "metrics: ebph_held_tasks is 0" grep -q '^ebph_held_tasks 0$' "$MET"
check "metrics: no temporary file left" sh -c "! ls '$T' | grep -q 'metrics.prom.tmp'"

# ---- session B: stdout: false: only the events file ----
OUT=$T/outb
write_config "$T/b.yaml" stdout=false status_interval=1 events_file="$T/b.json"
start_ebph "$OUT" -j --no-load --no-save -c "$T/b.yaml" || { fail "ebph starts with stdout: false"; summary; exit 1; }
sleep 1.5
stop_ebph
check "stdout: false: nothing on stdout" [ ! -s "$OUT" ]
check "stdout: false: status lines in the events file" \
	[ "$(count "$T/b.json" '.type == "status"')" -ge 1 ]

# ---- the journal: session A's objects, read back with journalctl -o json ----
if [ "$HAVE_JOURNAL" -eq 1 ]; then
	# journald takes the datagrams in its own time (on a busy machine, and
	# traced by the monitor): wait until it has them all, up to 20 s
	i=0
	while :; do
		journalctl --no-pager --all -o json SYSLOG_IDENTIFIER=ebph _PID="$PIDA" > "$T/journal.raw"
		[ "$(wc -l < "$T/journal.raw")" -lt "$(wc -l < "$T/outa")" ] && [ $i -lt 200 ] || break
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(wc -l < "$T/journal.raw")" -eq "$(wc -l < "$T/outa")" ] ||
		note "journal: after $i waits, stdout objects not in the journal: $(jq -r '.EBPH_JSON' "$T/journal.raw" | grep -vxF -f - "$T/outa" | head -c 600)"
	jq -r '.EBPH_JSON' "$T/journal.raw" > "$T/journal.json"
	validate "journal: the EBPH_JSON field of every entry" "$T/journal.json"
	check "journal: an entry per object on stdout ($(wc -l < "$T/journal.json") = $(wc -l < "$T/outa"))" \
		cmp -s "$T/journal.json" "$T/outa"
	check "journal: anomalies at priority 4 (warning) with EBPH_PROFILE, EBPH_COMM" \
		jqe "[.[] | select(.EBPH_TYPE == \"anomaly\" and .EBPH_PROFILE == \"$K1\")] |
			length > 0 and all(.PRIORITY == \"4\" and .EBPH_COMM == \"t1\")" -s "$T/journal.raw"
	check "journal: status at priority 6 (info), MESSAGE the text line" \
		jqe '[.[] | select(.EBPH_TYPE == "status")] | length > 0 and
			all(.PRIORITY == "6" and (.MESSAGE | startswith("status ")))' -s "$T/journal.raw"
	journal_stop 2>/dev/null || true
fi

[ -z "${KEEP:-}" ] || cp -r "$T" "$KEEP"
summary
