#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_attr.sh: events say who did it (issue 11, item 1): a normal program
# made to start a shell yields anomalies naming its parent, user, login uid,
# command line, cgroup (id and path) and the host; its exec and the exec of
# the shell it started are printed; events are attributed after the process
# exited. Text output shows the exec lines too.
. tests/lib.sh
FX=tests/fixtures/bin
MAXRUNS=30
# lt A B: both numbers given and A < B
lt() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]; }

cgroot=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -z "$cgroot" ]; then
	fail "a cgroup2 file system is mounted (needed for cgroup ids)"
	summary; exit 1
fi
CG=$cgroot/ebph-e2e-$$
mkdir "$CG" || { fail "create a test cgroup under $cgroot"; summary; exit 1; }
cleanup_cg() { [ -d "$CG" ] && { cat "$CG/cgroup.procs" 2>/dev/null | while read -r p; do echo "$p" > "$cgroot/cgroup.procs"; done; rmdir "$CG"; }; }
trap 'cleanup_cg; cleanup' EXIT

cp "$FX/ph_calls" "$T/w"
K=$(stat_key "$T/w")
OUT=$T/out
write_config "$T/c.yaml" normal_wait=1s anomaly_limit=100000 ringbuf_kb=16384
start_ebph "$OUT" -j -c "$T/c.yaml" --no-load --no-save || { fail "ebph starts"; summary; exit 1; }
train "$K" "$T/w" run || { fail "w becomes normal in $MAXRUNS runs"; summary; exit 1; }
ok "w normal after $RUNS runs"

# In the test cgroup, as a login session of uid 0 would be: w spawns a shell.
sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" spawn /bin/sh -c "exit 0"' sh "$CG" "$T/w" &
PS=$!
wait "$PS"
sleep 0.5
CGID=$(stat -c %i "$CG")
CGPATH=${CG#$cgroot}
jq -c "select(.type == \"anomaly\" and .profile == \"$K\")" "$OUT" > "$T/anom.json"
check "w's anomalies are reported ($(wc -l < "$T/anom.json"))" [ -s "$T/anom.json" ]
a=$(head -n 1 "$T/anom.json")
printf '#    %s\n' "$a" | cut -c1-400
check "anomaly: pid is w's ($PS)" [ "$(echo "$a" | jq -r .pid)" = "$PS" ]
check "anomaly: ppid is the test shell ($$)" [ "$(echo "$a" | jq -r .ppid)" = "$$" ]
check "anomaly: uid 0, login_uid as /proc says" \
	[ "$(echo "$a" | jq -r '"\(.uid) \(.login_uid // 4294967295)"')" = "0 $(cat /proc/self/loginuid)" ]
check "anomaly: the command line captured at exec" \
	[ "$(echo "$a" | jq -r '"\(.cmdline) \(.cmdline_cut)"')" = "$T/w spawn /bin/sh -c exit 0 false" ]
check "anomaly: the cgroup id and path ($CGID $CGPATH)" \
	[ "$(echo "$a" | jq -r '"\(.cgroup_id) \(.cgroup)"')" = "$CGID $CGPATH" ]
check "anomaly: the host's name" [ "$(echo "$a" | jq -r .hostname)" = "$(hostname)" ]
# (the line numbers of w's exec and of its first anomaly)
lx=$(jq -r "select(.type == \"exec\" and .pid == $PS) | .cmdline" "$OUT" | grep -nx "$T/w spawn /bin/sh -c exit 0" | head -n 1)
check "w's exec: printed, with its command line" [ -n "$lx" ]
nx=$(jq -c 'select(.type != "status")' "$OUT" | grep -n "\"type\":\"exec\".*\"pid\":$PS,.*w spawn" | head -n 1 | cut -d: -f1)
na=$(jq -c 'select(.type != "status")' "$OUT" | grep -n "\"type\":\"anomaly\".*\"profile\":\"$K\"" | head -n 1 | cut -d: -f1)
check "w's exec comes before w's first anomaly (lines $nx, $na)" lt "$nx" "$na"
sh_line=$(jq -c "select(.type == \"exec\" and .ppid == $PS)" "$OUT")
printf '#    %s\n' "$sh_line" | cut -c1-300
check "the shell w started: an exec event naming w as its parent" \
	sh -c "echo '$sh_line' | jq -e 'select(.path == \"/usr/bin/dash\" or .path == \"/bin/dash\" or (.path | endswith(\"sh\"))) | .cmdline == \"/bin/sh -c exit 0\"' > /dev/null"
check "the shell's exec: in the test cgroup" \
	[ "$(echo "$sh_line" | jq -r .cgroup)" = "$CGPATH" ]
# Text, with normal_wait 1h (only what is normalized by hand can have
# anomalies): exec lines for w, which is made normal and spawns a shell,
# and none for a fresh program (training) that starts w doing its usual run.
stop_ebph
write_config "$T/c2.yaml" normal_wait=1h anomaly_limit=100000 ringbuf_kb=16384
start_ebph "$T/text" -c "$T/c2.yaml" --no-load --no-save || fail "ebph starts (text)"
for i in 1 2 3; do "$T/w" run > /dev/null; done
"$EBPH" normalize "$K" > /dev/null 2>&1
sleep 0.2
cp "$FX/ph_calls" "$T/p"
"$T/p" spawn "$T/w" run
"$T/w" spawn /bin/sh -c "exit 0"
sleep 0.5
stop_ebph
sed -n '1,40p' "$T/text" | grep -v '^status' | sed 's/^/#    /' | cut -c1-160
check "text: an exec line for w, then for the shell it started, with command lines" \
	sh -c "grep -Eq '^exec +[0-9]+ .*/w ppid=[0-9]+ uid=0: .*/w spawn /bin/sh -c exit 0\$' '$T/text' &&
	grep -Eq '^exec +[0-9]+ .* ppid=[0-9]+ uid=0: /bin/sh -c exit 0\$' '$T/text'"
check "text: no exec line for the program without anomalies, nor for w it started" \
	sh -c "! grep -q ' spawn .*/w run' '$T/text' && ! grep -Eq 'uid=0: [^ ]*/w run\$' '$T/text'"
summary
