#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_admin.sh: the sub-commands end to end on the real kernel: ps, profiles,
# show, normalize, sensitize, tolerize, delete, save and check against a live
# monitor with real processes and on saved profiles; pins, one monitor at a
# time, stale pins of a crashed monitor; 30 s of commands against a busy
# workload leave every profile consistent and every command in the event
# stream. Fixtures run from their own copies (one profile each).
# The test runs in a private mount namespace: its own /sys/fs/bpf, so other
# monitors on the host (other test runs) neither block it nor see its pins.
if [ -z "${EBPH_ADMIN_NS:-}" ]; then
	EBPH_ADMIN_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. tests/lib.sh
FX=tests/fixtures/bin
PIN=/sys/fs/bpf/ebph
STRESS=${STRESS:-30}	# seconds of commands against the busy workload

note() { printf '#    %s\n' "$*"; }
# jqt FILTER FILE: the last value FILTER outputs is true
jqt() { [ "$(jq -c "$1" "$2" 2>/dev/null | tail -n 1)" = true ]; }
# pj KEY FIELD [ARGS...]: FIELD of KEY's line in `ebph profiles -j ARGS`
pj() { k=$1; fld=$2; shift 2; "$EBPH" profiles -j "$@" | jq -r "select(.profile == \"$k\") | .$fld"; }
bpffs_mounted() { grep -q ' /sys/fs/bpf bpf ' /proc/mounts; }
# n_reason KEY REASON: profile_state events of KEY with that reason in $OUT
n_reason() { count "$OUT" ".type == \"profile_state\" and .profile == \"$1\" and .reason == \"$2\""; }
# The BPF programs process PID holds (from its fdinfo), added to PROG_IDS.
PROG_IDS=
note_progs() { PROG_IDS="$PROG_IDS $(cat /proc/"$1"/fdinfo/* 2>/dev/null | sed -n 's/^prog_id:[[:space:]]*//p' | sort -u | tr '\n' ' ')"; }
# Number of those programs still loaded.
progs_left() {
	i=0	# programs are freed shortly after their last reference goes
	while [ $i -lt 30 ]; do
		n=0
		for id in $PROG_IDS; do bpftool prog show id "$id" > /dev/null 2>&1 && n=$((n + 1)); done
		[ $n -gt 0 ] || break
		sleep 0.1; i=$((i + 1))
	done
	n=0
	for id in $PROG_IDS; do
		bpftool prog show id "$id" > /dev/null 2>&1 || continue
		n=$((n + 1)); note "still loaded: $(bpftool prog show id "$id" | head -n 1)" >&2
	done
	echo $n
}

while bpffs_mounted; do umount /sys/fs/bpf || break; done	# as on a fresh host
# the first session finds a bpffs it did not mount (as systemd hosts have)
mount -t bpf bpf /sys/fs/bpf

for n in p1 p2 p3 p4 p5; do cp "$FX/ph_calls" "$T/$n"; done
for n in idle b1 b2; do cp "$FX/admin_busy" "$T/$n"; done
K1=$(stat_key "$T/p1"); K2=$(stat_key "$T/p2"); K3=$(stat_key "$T/p3")
K4=$(stat_key "$T/p4"); K5=$(stat_key "$T/p5"); KI=$(stat_key "$T/idle")
KB1=$(stat_key "$T/b1"); KB2=$(stat_key "$T/b2")

# normal_wait 1h: nothing becomes normal unless normalized
write_config "$T/a.yaml" normal_wait=1h ringbuf_kb=16384 save_interval=0
OUT=$T/out
start_ebph "$OUT" -j -c "$T/a.yaml" || { fail "ebph starts"; summary; exit 1; }
MON=$EBPH_PID
note_progs "$MON"

# ---- pins ----
check "pins: $PIN is a directory of mode 0700" [ "$(stat -c %F:%a "$PIN")" = "directory:700" ]
check "pins: the maps and the command program are pinned" \
	[ "$(ls "$PIN" | grep -vx tstore | tr '\n' ' ')" = "alloc cmd held info keys paths profiles rows stats tasks " ]
cid=$(bpftool prog show pinned "$PIN/cmd" 2> /dev/null | sed -n 's/^\([0-9]*\):.*/\1/p')
check "pins: cmd is the monitor's command program (id $cid)" \
	sh -c "[ -n '$cid' ] && echo ' $PROG_IDS ' | grep -q ' $cid ' && bpftool prog show id '$cid' | grep -q ebph_command"

# ---- profiles and show, live ----
for i in 1 2 3 4 5; do "$T/p1" run; "$T/p2" run; "$T/p4" run; "$T/p5" run; done
sleep 0.2
"$EBPH" profiles -j > "$T/prof.json"
check "profiles -j: exit 0" [ $? -eq 0 ]
check "profiles -j: every line is a profile object, type, schema, ts, time, hostname first" \
	sh -c "[ -s '$T/prof.json' ] && ! grep -v '^{\"type\":\"profile\",\"schema\":1,\"ts\":[0-9]*\.[0-9]\{6\},\"time\":\"[0-9T:.-]*Z\",\"hostname\":\"[^\"]*\",\"profile\":\"[0-9]*:[0-9]*\",' '$T/prof.json'"
check "profiles -j: p1 is live, training or frozen, with counts and pairs" \
	jqt "select(.profile == \"$K1\") | .path == \"$T/p1\" and .source == \"live\" and
	(.state == \"training\" or .state == \"frozen\") and .train_count > 0 and
	.last_mod_count <= .train_count and .train_pairs > 0 and .test_pairs == 0 and .rows > 0 and
	.pair_bytes > 0 and .normal_since == null" "$T/prof.json"
"$EBPH" profiles > "$T/prof.txt"
check "profiles: text header" [ "$(head -n 1 "$T/prof.txt" | awk '{print $1, $2, $3, $NF}')" = "KEY STATE TRAIN_COUNT PATH" ]
check "profiles: text line of p1 has its key and path" \
	sh -c "grep '^$K1 ' '$T/prof.txt' | grep -q ' $T/p1\$'"

"$EBPH" show -j --pairs "$T/p1" > "$T/show.json"
check "show -j: exit 0" [ $? -eq 0 ]
check "show -j: the profile first" sh -c "head -n 1 '$T/show.json' | jq -e '.type == \"profile\"' > /dev/null"
tp=$(jq -r 'select(.type == "profile") | .train_pairs' "$T/show.json")
np=$(count "$T/show.json" '.type == "pair" and .view == "training"')
check "show -j: one pair line per training pair ($np of $tp)" [ "$np" -eq "$tp" ]
check "show -j: p1's body pair (write, read, 1) is there" \
	[ "$(count "$T/show.json" '.type == "pair" and .call == "write" and .prev == "read" and .distance == 1')" -eq 1 ]
check "show -j: distances are 1..8" \
	[ "$(count "$T/show.json" '.type == "pair" and (.distance < 1 or .distance > 8)')" -eq 0 ]
"$EBPH" show -j --pairs "$K1" | sed 's/"ts":[0-9.]*,"time":"[^"]*",//' > "$T/showk.json"
sed 's/"ts":[0-9.]*,"time":"[^"]*",//' "$T/show.json" > "$T/showp.json"
check "show by key DEV:INO = show by path" cmp -s "$T/showk.json" "$T/showp.json"
"$EBPH" show --pairs "$T/p1" > "$T/show.txt"
check "show: text has the profile and the pair table" \
	sh -c "grep -q '^KEY ' '$T/show.txt' && grep -q '^VIEW  *CALL  *PREV  *DISTANCE' '$T/show.txt' &&
	grep -Eq '^training +write +read +1\$' '$T/show.txt'"

# ---- ps ----
"$T/idle" idle 120 3 &
PI=$!
STARTED_PIDS="$STARTED_PIDS $PI"
sleep 0.5
"$EBPH" ps -j > "$T/ps.json"
check "ps -j: exit 0" [ $? -eq 0 ]
check "ps -j: the idle process with its comm, profile, path and 3 threads" \
	jqt "select(.pid == $PI) | .type == \"task\" and .comm == \"idle\" and .profile == \"$KI\" and
	.path == \"$T/idle\" and .threads == 3 and .state == \"training\" and .lfc == 0" "$T/ps.json"
check "ps -j: one line per process" [ "$(count "$T/ps.json" ".pid == $PI")" -eq 1 ]
"$EBPH" ps -t -j > "$T/pst.json"
check "ps -t -j: one line per thread of the idle process, tid = pid among them" \
	sh -c "[ \$(jq -r 'select(.pid == $PI) | .tid' '$T/pst.json' | sort -u | wc -l) -eq 3 ] &&
	[ \$(jq -r 'select(.pid == $PI and .tid == $PI) | .tid' '$T/pst.json' | wc -l) -eq 1 ]"
"$EBPH" ps > "$T/ps.txt"
check "ps: text header and the idle process's line" \
	sh -c "head -n 1 '$T/ps.txt' | grep -q '^ *PID COMM  *STATE  *TRAIN_COUNT' &&
	grep -Eq '^ *$PI idle +training .* $T/idle\$' '$T/ps.txt'"
"$EBPH" ps -t > "$T/pst.txt"
check "ps -t: text has a TID column" sh -c "head -n 1 '$T/pst.txt' | grep -q '^ *PID  *TID COMM'"

# ---- normalize: detection at once ----
check "p1 is not normal yet" [ "$(pj "$K1" state)" != normal ]
"$EBPH" normalize -j "$T/p1" > "$T/cmd.json"
check "normalize: exit 0" [ $? -eq 0 ]
check "normalize -j: says what changed" \
	jqt ".type == \"command\" and .command == \"normalize\" and .profile == \"$K1\" and
	.source == \"live\" and .old_state != \"normal\" and .state == \"normal\" and
	.old_train_count > 0 and .train_count == 0" "$T/cmd.json"
check "normalize: the monitor prints profile_state normal (reason normalize)" \
	wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$K1\" and .state == \"normal\" and .reason == \"normalize\"" 5
check "normalize: the profile is normal, testing = training pairs" \
	jqt "select(.profile == \"$K1\") | .state == \"normal\" and .test_pairs == .train_pairs and .normal_since != null" \
	"$("$EBPH" profiles -j > "$T/p.json"; echo "$T/p.json")"
"$T/p1" run; "$T/p1" run
sleep 0.3
check "normalize: identical runs raise no anomaly" [ "$(count "$OUT" ".type == \"anomaly\" and .profile == \"$K1\"")" -eq 0 ]
"$T/p1" write &
P=$!; wait $P
check "normalize: an extra write is an anomaly at once" \
	wait_for "$OUT" ".type == \"anomaly\" and .profile == \"$K1\" and .pid == $P and .syscall == \"write\"" 5

# ---- tolerize: detection stops ----
"$EBPH" tolerize "$T/p1" > "$T/cmd.txt"
check "tolerize: exit 0 and text 'normal -> training'" \
	grep -q "^tolerize $T/p1 ($K1, live): normal -> training" "$T/cmd.txt"
check "tolerize: profile_state training (reason tolerize)" \
	wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$K1\" and .state == \"training\" and .reason == \"tolerize\"" 5
"$T/p1" write &
P=$!; wait $P
sleep 0.5
check "tolerize: the same extra write is no anomaly" [ "$(count "$OUT" ".type == \"anomaly\" and .pid == $P")" -eq 0 ]

# ---- sensitize: training restarts ----
check "p1 has training data before sensitize" [ "$(pj "$K1" train_pairs)" -gt 0 ]
"$EBPH" sensitize -j "$T/p1" > "$T/cmd.json"
check "sensitize -j: exit 0, train_count -> 0" \
	jqt ".command == \"sensitize\" and .train_count == 0 and .state == \"training\"" "$T/cmd.json"
check "sensitize: profiles -j shows train_count, sequences and pairs 0" \
	jqt "select(.profile == \"$K1\") | .train_count == 0 and .sequences == 0 and .train_pairs == 0" \
	"$("$EBPH" profiles -j > "$T/p.json"; echo "$T/p.json")"
check "sensitize: profile_state (reason sensitize)" \
	wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$K1\" and .reason == \"sensitize\"" 5
"$T/p1" run
check "sensitize: training starts again from the next run" [ "$(pj "$K1" train_pairs)" -gt 0 ]

# ---- --pid ----
"$EBPH" normalize -j --pid "$PI" > "$T/cmd.json"
check "normalize --pid: the process's profile" \
	jqt ".profile == \"$KI\" and .state == \"normal\"" "$T/cmd.json"
check "ps: the idle process is now normal" \
	jqt "select(.pid == $PI) | .state == \"normal\" and .normal_since != null" \
	"$("$EBPH" ps -j > "$T/ps.json"; echo "$T/ps.json")"
"$EBPH" show --pid "$PI" > /dev/null
check "show --pid: exit 0" [ $? -eq 0 ]

# ---- bad input: one message, exit 1 or 2, nothing changed ----
mine() { "$EBPH" profiles -j | jq -r "select(.profile == \"$K1\" or .profile == \"$K2\" or .profile == \"$K4\" or .profile == \"$K5\" or .profile == \"$KI\") | \"\\(.profile) \\(.state) \\(.train_pairs)\"" | sort; }
mine > "$T/states.before"
"$EBPH" normalize "$T/nonexistent" 2> "$T/e"; rc=$?
check "unknown path: exit 1, message names it" sh -c "[ $rc -eq 1 ] && grep -q '$T/nonexistent' '$T/e'"
"$EBPH" normalize 1:1 2> "$T/e"; rc=$?
check "unknown key: exit 1, 'no profile'" sh -c "[ $rc -eq 1 ] && grep -q '^ebph: 1:1: no profile' '$T/e'"
"$EBPH" tolerize "$T/a.yaml" 2> "$T/e"; rc=$?
check "a file without a profile: exit 1" sh -c "[ $rc -eq 1 ] && grep -q 'no profile' '$T/e'"
"$EBPH" sensitize --pid 4194000 2> "$T/e"; rc=$?
check "unknown pid: exit 1, message names it" sh -c "[ $rc -eq 1 ] && grep -q 'PID 4194000' '$T/e'"
"$EBPH" normalize 2> "$T/e"; rc=$?
check "no PROFILE: exit 2 with usage" sh -c "[ $rc -eq 2 ] && grep -q '^Usage: ebph normalize' '$T/e'"
"$EBPH" normalize --pid abc 2> "$T/e"; rc=$?
check "bad PID: exit 2" sh -c "[ $rc -eq 2 ] && grep -q \"bad PID 'abc'\" '$T/e'"
"$EBPH" normalize "$T/p1" "$T/p2" 2> "$T/e"; rc=$?
check "two PROFILEs: exit 2" sh -c "[ $rc -eq 2 ] && grep -q 'unexpected argument' '$T/e'"
"$EBPH" ps -x 2> "$T/e"; rc=$?
check "unknown option: exit 2" sh -c "[ $rc -eq 2 ] && grep -q \"unknown option '-x'\" '$T/e'"
"$EBPH" profiles -c "$T/none.yaml" 2> "$T/e"; rc=$?
check "unreadable config: exit 2" [ $rc -eq 2 ]
if id nobody > /dev/null 2>&1 && command -v setpriv > /dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$EBPH" normalize "$T/p1" 2> "$T/e"; rc=$?
	check "not root: exit 1, says so" sh -c "[ $rc -eq 1 ] && grep -q 'must be run as root' '$T/e'"
fi
mine > "$T/states.after"
check "bad input changed no profile (states, pairs)" sh -c "[ -s '$T/states.before' ] && cmp -s '$T/states.before' '$T/states.after'"

# ---- a second monitor is refused ----
"$EBPH" -c "$T/a.yaml" > "$T/second" 2> "$T/second.err"; rc=$?
check "second monitor: exit 1, names the first's PID $MON" \
	sh -c "[ $rc -eq 1 ] && grep -q 'another ebph monitor is running (PID $MON)' '$T/second.err'"
check "second monitor: the first's pins stay" [ -e "$PIN/cmd" ]
"$EBPH" ps > /dev/null
check "second monitor: the first still answers" [ $? -eq 0 ]

# ---- save and delete, live ----
"$EBPH" save > "$T/save.out"
check "save: names the monitor (PID $MON)" grep -q "^asked the running ebph (PID $MON) to save" "$T/save.out"
i=0
until grep -q 'saved .* (SIGUSR1' "$OUT.err"; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1; done
check "save: the monitor saved" grep -q 'saved .* (SIGUSR1' "$OUT.err"
f2=$(ls "$T/state" | grep -- "-$(printf %x "${K2#*:}").prof\$")
check "save: p2's profile file exists" [ -n "$f2" ]
"$EBPH" delete -j -c "$T/a.yaml" "$T/p2" > "$T/cmd.json"
check "delete: exit 0, forgotten, file removed" \
	jqt ".command == \"delete\" and .profile == \"$K2\" and .file_removed == true and .train_count == 0" "$T/cmd.json"
check "delete: the saved file is gone" [ ! -e "$T/state/$f2" ]
check "delete: profile_state (reason delete, not sensitize)" \
	wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$K2\" and .reason == \"delete\"" 5
check "delete: no training data left" \
	jqt "select(.profile == \"$K2\") | .train_count == 0 and .train_pairs == 0 and .test_pairs == 0" \
	"$("$EBPH" profiles -j > "$T/p.json"; echo "$T/p.json")"

# ---- 30 s of commands against a busy workload ----
# the workload outlives the commands (--pid needs its process)
"$T/b1" busy $((STRESS + 3)) 2 & PB1=$!
"$T/b2" busy $((STRESS + 3)) 1 & PB2=$!
(
	end=$(($(date +%s) + STRESS + 3))
	while [ "$(date +%s)" -lt "$end" ]; do "$T/p3" run; "$T/p3" write; "$T/p3" fork > /dev/null; done
) &
PL=$!
STARTED_PIDS="$STARTED_PIDS $PB1 $PB2 $PL"
sleep 0.3
okc=0; badc=0; samec=0; rounds=0; checks_bad=0; sane_bad=0
end=$(($(date +%s) + STRESS))
while [ "$(date +%s)" -lt "$end" ]; do
	for t in "$T/b1" "$T/b2" "$T/p3" "--pid $PB2"; do
		for c in normalize sensitize normalize tolerize; do
			# shellcheck disable=SC2086
			if cout=$("$EBPH" "$c" $t 2>> "$T/stress.err"); then
				okc=$((okc + 1))
				case $cout in *"nothing changed"*) samec=$((samec + 1)) ;; esac
			else
				badc=$((badc + 1))
			fi
		done
	done
	rounds=$((rounds + 1))
	if [ $((rounds % 2)) -eq 0 ]; then
		"$EBPH" check > /dev/null 2>> "$T/check.err" || checks_bad=$((checks_bad + 1))
		"$EBPH" profiles -j > "$T/sp.json" 2>> "$T/stress.err"
		jq -e -s "map(select(.profile == \"$KB1\" or .profile == \"$KB2\" or .profile == \"$K3\")) |
			length == 3 and all(.last_mod_count <= .train_count and
			(.state == \"training\" or .state == \"frozen\" or .state == \"normal\") and
			(.state == \"normal\" or .test_pairs == 0) and .rows >= 1 and
			(.train_pairs == 0 or .sequences > 0))" \
			"$T/sp.json" > /dev/null || { sane_bad=$((sane_bad + 1)); cp "$T/sp.json" "$T/sp.bad.$rounds"; }
	fi
done
wait "$PB1" "$PB2" "$PL"
note "$okc commands in $rounds rounds, $badc failed; $((rounds / 2)) checks"
[ ! -s "$T/stress.err" ] || note "$(sort "$T/stress.err" | uniq -c | head -n 5)"
[ ! -s "$T/check.err" ] || note "$(sort "$T/check.err" | uniq -c | head -n 5)"
check "stress: every command succeeded ($badc of $((okc + badc)) failed)" sh -c "[ $badc -eq 0 ] && [ $okc -ge $((STRESS * 3)) ]"
check "stress: ebph check passed every time during the load ($checks_bad failed)" [ "$checks_bad" -eq 0 ]
check "stress: counters sane in every profiles -j ($sane_bad bad)" [ "$sane_bad" -eq 0 ]
"$EBPH" check > "$T/check.out" 2>&1
check "stress: ebph check passes afterwards" [ $? -eq 0 ]
for k in "$KB1" "$KB2" "$K3"; do
	"$EBPH" show -j --pairs "$k" > "$T/s.json"
	tp=$(jq -r 'select(.type == "profile") | .train_pairs + .test_pairs' "$T/s.json")
	np=$(count "$T/s.json" '.type == "pair"')
	check "stress: $k: show lists every pair ($np of $tp), distances 1..8" \
		sh -c "[ '$np' -eq '$tp' ] && [ \$(jq -c 'select(.type == \"pair\" and (.distance < 1 or .distance > 8))' '$T/s.json' | wc -l) -eq 0 ]"
done

stop_ebph
check "monitor: exit 0 after SIGINT" [ $? -eq 0 ]
evs=0
for k in "$KB1" "$KB2" "$K3"; do
	for r in normalize sensitize tolerize; do evs=$((evs + $(n_reason "$k" "$r"))); done
done
check "stress: no event lost" jqt 'select(.type == "status" and .final) | .lost_events == 0' "$OUT"
check "stress: one profile_state event per command that changed something ($evs events, $okc commands, $samec changed nothing)" [ "$evs" -eq $((okc - samec)) ]
check "stop: the pins are gone" [ ! -e "$PIN" ]
check "stop: a bpffs ebph did not mount stays mounted" bpffs_mounted
check "stop: none of the monitor's programs is left" [ "$(progs_left)" -eq 0 ]
umount /sys/fs/bpf	# from now on ebph mounts it

# ---- offline: the saved profiles ----
"$EBPH" ps 2> "$T/e"; rc=$?
check "offline ps: exit 1, no monitor" sh -c "[ $rc -eq 1 ] && grep -q 'no running ebph' '$T/e'"
"$EBPH" save 2> "$T/e"; rc=$?
check "offline save: exit 1, no monitor" sh -c "[ $rc -eq 1 ] && grep -q 'no running ebph' '$T/e'"
"$EBPH" normalize -c "$T/a.yaml" --pid $$ 2> "$T/e"; rc=$?
check "offline --pid: exit 1, needs a monitor" sh -c "[ $rc -eq 1 ] && grep -q 'needs one' '$T/e'"
"$EBPH" profiles -j -c "$T/a.yaml" > "$T/off.json"
check "offline profiles: exit 0, every line saved" \
	sh -c "[ -s '$T/off.json' ] && [ \$(jq -c 'select(.source != \"saved\")' '$T/off.json' | wc -l) -eq 0 ]"
check "offline profiles: p4 as saved (training data, not normal)" \
	jqt "select(.profile == \"$K4\") | .path == \"$T/p4\" and .train_pairs > 0 and .state != \"normal\"" "$T/off.json"
tp4=$(jq -r "select(.profile == \"$K4\") | .train_pairs" "$T/off.json")
"$EBPH" show -j --pairs -c "$T/a.yaml" "$T/p4" > "$T/s.json"
check "offline show: every training pair" [ "$(count "$T/s.json" '.type == "pair" and .view == "training"')" -eq "$tp4" ]
(cd "$T/state" && md5sum *) > "$T/md5.before"
"$EBPH" normalize -c "$T/a.yaml" "$T/nonexistent" 2> /dev/null; rc1=$?
"$EBPH" tolerize -c "$T/a.yaml" 1:1 2> "$T/e"; rc2=$?
check "offline unknown profile: exit 1, message, no file changed" \
	sh -c "[ $rc1 -eq 1 ] && [ $rc2 -eq 1 ] && grep -q 'no saved profile' '$T/e' &&
	(cd '$T/state' && md5sum *) | cmp -s - '$T/md5.before'"

"$EBPH" normalize -j -c "$T/a.yaml" "$T/p4" > "$T/cmd.json"
check "offline normalize: -> normal (saved)" \
	jqt ".source == \"saved\" and .state == \"normal\" and .old_state != \"normal\" and .train_count == 0" "$T/cmd.json"
check "offline normalize: saved as normal, testing = the training pairs" \
	jqt "select(.profile == \"$K4\") | .state == \"normal\" and .test_pairs == $tp4 and .train_pairs == $tp4 and .train_count == 0 and .normal_since != null" \
	"$("$EBPH" profiles -j -c "$T/a.yaml" > "$T/p.json"; echo "$T/p.json")"
"$EBPH" normalize -c "$T/a.yaml" "$T/p5" > /dev/null
"$EBPH" tolerize -j -c "$T/a.yaml" "$T/p5" > "$T/cmd.json"
check "offline tolerize: normal -> training, no testing data" \
	sh -c "jq -e '.old_state == \"normal\" and .state == \"training\"' '$T/cmd.json' > /dev/null &&
	[ \"\$('$EBPH' profiles -j -c '$T/a.yaml' | jq -r 'select(.profile == \"$K5\") | \"\(.state) \(.test_pairs) \(.anomalies)\"')\" = 'training 0 0' ]"
"$EBPH" sensitize -c "$T/a.yaml" "$K5" > "$T/cmd.txt"
check "offline sensitize: text names what changed" grep -q "^sensitize $T/p5 ($K5, saved): training -> training, train_count 0 -> 0" "$T/cmd.txt"
check "offline sensitize: no training data, counters 0" \
	jqt "select(.profile == \"$K5\") | .train_pairs == 0 and .train_count == 0 and .sequences == 0" \
	"$("$EBPH" profiles -j -c "$T/a.yaml" > "$T/p.json"; echo "$T/p.json")"
f1=$(ls "$T/state" | grep -- "-$(printf %x "${K1#*:}").prof\$")
"$EBPH" delete -c "$T/a.yaml" "$T/p1" > "$T/cmd.txt"
check "offline delete: the file is gone" sh -c "[ -n '$f1' ] && [ ! -e '$T/state/$f1' ]"
"$EBPH" show -c "$T/a.yaml" "$T/p1" 2> "$T/e"; rc=$?
check "offline delete: show then fails (exit 1)" sh -c "[ $rc -eq 1 ] && grep -q 'no saved profile' '$T/e'"
"$EBPH" check -c "$T/a.yaml" > "$T/check.out"
check "offline check: exit 0" [ $? -eq 0 ]
check "saved files are 0600" [ "$(stat -c %a "$T/state/"*.prof | sort -u)" = 600 ]

# ---- the next monitor loads the offline changes; then it crashes ----
start_ebph "$OUT.2" -j -c "$T/a.yaml" || fail "second session starts"
M2=$EBPH_PID
note_progs "$M2"
check "ebph mounts bpffs when it is not mounted" bpffs_mounted
"$T/p4" run
"$T/p4" write &
P=$!; wait $P
check "offline normalize took effect: p4 detects after loading" \
	wait_for "$OUT.2" ".type == \"anomaly\" and .profile == \"$K4\" and .pid == $P" 5
kill -9 "$M2"; wait "$M2" 2> /dev/null; EBPH_PID=
check "kill -9: the pins stay" [ -e "$PIN/info" ]
"$EBPH" ps 2> "$T/e"; rc=$?
check "kill -9: a dead monitor's pins do not count as running (ps: exit 1)" [ $rc -eq 1 ]
"$EBPH" profiles -j -c "$T/a.yaml" > /dev/null
check "kill -9: commands fall back to the saved profiles" [ $? -eq 0 ]
start_ebph "$OUT.3" -j -c "$T/a.yaml" || fail "third session starts"
note_progs "$EBPH_PID"
check "restart: stale pins removed with a message naming PID $M2" \
	grep -q "^ebph: removed stale pins of a crashed ebph (PID $M2)\$" "$OUT.3.err"
"$EBPH" ps -j > /dev/null
check "restart: the new monitor answers" [ $? -eq 0 ]
check "restart: the pins name the new monitor" \
	sh -c "'$EBPH' save | grep -q '^asked the running ebph (PID $EBPH_PID) to save'"
stop_ebph
check "end: pins gone" [ ! -e "$PIN" ]
check "end: the bpffs mounted by the crashed monitor is unmounted" sh -c '! grep -q " /sys/fs/bpf bpf " /proc/mounts'
check "end: none of the three monitors' programs is left (the crashed one's included)" [ "$(progs_left)" -eq 0 ]

summary
