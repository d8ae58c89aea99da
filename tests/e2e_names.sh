#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_names.sh: names and filters end to end. Processes renamed with a
# newline, an ESC sequence, UTF-8 and invalid bytes are shown with the same
# escaped bytes by ebph ps (text and JSON) and in the events (JSON, and text
# for a file name with a newline, UTF-8 and ESC); an executable
# whose path forges a line and clears the screen, made and run by an
# unprivileged user, cannot do either on ebph's stderr; -p PID refuses a
# missing process, --tree follows children and grandchildren, filtered text
# output leaves out the host-wide status lines; -T with -j is refused;
# tolerize on a training profile says nothing changed; ebph save names its
# requester. Runs in a private mount namespace (its own /sys/fs/bpf).
if [ -z "${EBPH_NAMES_NS:-}" ]; then
	EBPH_NAMES_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. tests/lib.sh
FX=tests/fixtures/bin
ESC=$(printf '\033')

while grep -q ' /sys/fs/bpf bpf ' /proc/mounts; do umount /sys/fs/bpf || break; done
mount -t bpf bpf /sys/fs/bpf

# ---- usage errors: no monitor needed ----
nopid=4194303
while [ -d "/proc/$nopid" ]; do nopid=$((nopid - 1)); done
"$EBPH" -d 2 -p "$nopid" > "$T/o" 2> "$T/e"; rc=$?
check "-p $nopid (no such process): exit 2, message names it" \
	sh -c "[ $rc -eq 2 ] && grep -q '^ebph: -p $nopid: no such process' '$T/e' && [ ! -s '$T/o' ]"
"$EBPH" -d 2 -j -T > /dev/null 2> "$T/e"; rc=$?
check "-T with -j: exit 2, names both options" \
	sh -c "[ $rc -eq 2 ] && grep -q -- '-T (--timestamp).*-j (--json)' '$T/e'"
"$EBPH" -d 2 --tree > /dev/null 2> "$T/e"; rc=$?
check "--tree without -p: exit 2" sh -c "[ $rc -eq 2 ] && grep -q -- '--tree needs -p PID' '$T/e'"
"$EBPH" ps --help > "$T/h"; rc=$?
check "ps --help: exit 0, usage once, every command named" sh -c "[ $rc -eq 0 ] &&
	[ \$(grep -c '^Usage:' '$T/h') -eq 1 ] && grep -q '^Commands:.* prune help replay record$' '$T/h'"
"$EBPH" help > "$T/h"; rc=$?
check "help: exit 0, the full usage with every command" sh -c "[ $rc -eq 0 ] &&
	grep -q '^  prune ' '$T/h' && grep -q '^  help ' '$T/h' && grep -q -- '--tree' '$T/h'"
"$EBPH" help tolerize > "$T/h"; rc=$?
check "help tolerize: exit 0, its usage" sh -c "[ $rc -eq 0 ] && grep -q '^Usage: ebph tolerize' '$T/h'"
for c in ps profiles show normalize sensitize tolerize delete save prune help; do
	"$EBPH" "$c" -h > "$T/h" 2>&1; rc=$?
	check "$c -h: exit 0, its usage" sh -c "[ $rc -eq 0 ] && grep -q '^Usage: ebph $c' '$T/h'"
done
"$EBPH" help bogus 2> "$T/e"; rc=$?
check "help bogus: exit 2" sh -c "[ $rc -eq 2 ] && grep -q \"unknown command 'bogus'\" '$T/e'"

# ---- names in ps and events ----
write_config "$T/n.yaml" normal_wait=1h save_interval=0
cp "$FX/names" "$T/names"
KN=$(stat_key "$T/names")
# An executable whose path forges a line and clears the screen, created and
# run by an unprivileged user.
U=$T/u	# removed with $T; $T must let nobody through to it
mkdir "$U"
chmod 711 "$T"
chmod 755 "$U"
chown nobody "$U"
EVIL="$U/evil
ebph: forged line${ESC}[2J"
EVIL_X="$U/evil\\x0aebph: forged line\\x1b[2J"
asnobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
asnobody cp /bin/ls "$EVIL"
KE=$(stat_key "$EVIL")

OUT=$T/out
start_ebph "$OUT" -j -c "$T/n.yaml" --no-load || { fail "ebph starts"; summary; exit 1; }
MON=$EBPH_PID
for i in 1 2 3; do asnobody "$EVIL" / > /dev/null; done

N1=$(printf 'a\nb'); N2=$(printf '\033[31mred'); N3=$(printf 'caf\303\251'); N4=$(printf 'x\377\376y')
J1='a\u000ab'; J2='\u001b[31mred'; J3=$N3; J4='x\udcff\udcfey'
X1='a\x0ab'; X2='\x1b[31mred'; X3=$N3; X4='x\xff\xfey'
"$T/names" "$N1" "$T/go" & P1=$!
"$T/names" "$N2" "$T/go" & P2=$!
"$T/names" "$N3" "$T/go" & P3=$!
"$T/names" "$N4" "$T/go" & P4=$!
STARTED_PIDS="$P1 $P2 $P3 $P4"
i=0
while [ "$(cat /proc/$P4/comm 2>/dev/null)" != "$N4" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
"$EBPH" ps -j > "$T/ps.json"
"$EBPH" ps > "$T/ps.txt"
for i in 1 2 3 4; do
	eval "p=\$P$i; n=\$N$i; j=\$J$i; x=\$X$i"
	check "ps -j: name $i whole and escaped ($j)" \
		sh -c "grep -F '\"pid\":$p,' '$T/ps.json' | grep -qF '\"comm\":\"$j\"'"
	check "ps: name $i whole and escaped ($x)" \
		sh -c "grep -E '^ *$p ' '$T/ps.txt' | grep -qF ' $x '"
done
for i in 1 2 3; do
	eval "p=\$P$i; n=\$N$i"
	check "ps -j: jq decodes name $i to the process's bytes" \
		[ "$(jq -r "select(.pid == $p) | .comm" "$T/ps.json")" = "$n" ]
done
check "ps: no raw ESC, one line per process" sh -c "! grep -q '$ESC' '$T/ps.txt' &&
	[ \$(grep -c 'names' '$T/ps.txt') -eq 4 ]"

"$EBPH" normalize --pid "$P1" > /dev/null
check "names: normalized" wait_for "$OUT" ".type == \"profile_state\" and .profile == \"$KN\" and .state == \"normal\"" 5
touch "$T/go"
wait "$P1" "$P2" "$P3" "$P4"
STARTED_PIDS=
for k in 1 2 3 4; do	# (wait_for uses i)
	eval "p=\$P$k; j=\$J$k"
	check "anomaly of name $k in the events" wait_for "$OUT" ".type == \"anomaly\" and .pid == $p" 5
	check "event: name $k escaped as in ps ($j)" \
		sh -c "grep -F '\"type\":\"anomaly\"' '$OUT' | grep -F '\"pid\":$p,' | grep -qF '\"comm\":\"$j\"'"
done
check "event: é passes as UTF-8 (no \\u00c3)" sh -c "! grep -q 'u00c3' '$OUT'"

# ---- commands that change nothing say so (tolerize twice) ----
"$EBPH" tolerize "$T/names" > "$T/t1"; rc1=$?
"$EBPH" tolerize "$T/names" > "$T/t2"; rc2=$?
"$EBPH" tolerize -j "$T/names" > "$T/t3"; rc3=$?
check "tolerize: normal -> training" sh -c "[ $rc1 -eq 0 ] && grep -q 'normal -> training' '$T/t1'"
check "tolerize again: exit 0, 'already training: nothing changed'" \
	sh -c "[ $rc2 -eq 0 ] && grep -q '^tolerize $T/names ($KN, live): already training: nothing changed\$' '$T/t2'"
check "tolerize -j again: changed false" \
	sh -c "[ $rc3 -eq 0 ] && jq -e '.changed == false and .state == \"training\"' '$T/t3' > /dev/null"
sleep 0.5
check "tolerize: one profile_state event, not three" \
	[ "$(count "$OUT" ".type == \"profile_state\" and .profile == \"$KN\" and .reason == \"tolerize\"")" -eq 1 ]

# ---- save names the requester, the command names the monitor ----
sh -c 'echo $$ > "$1"; exec "$2" save' sh "$T/savepid" "$EBPH" > "$T/save.out"
check "save: the command names the monitor (PID $MON)" grep -q "(PID $MON)" "$T/save.out"
i=0
until grep -q 'saved .*(SIGUSR1' "$OUT.err"; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1; done
check "save: the monitor names the requester (PID $(cat "$T/savepid"))" \
	grep -q "saved .*(SIGUSR1 from PID $(cat "$T/savepid")," "$OUT.err"
check "ppid: every event carries the parent's PID" \
	[ "$(count "$OUT" '.type != "status" and (.ppid | type) != "number"')" -eq 0 ]
check "ppid: the names processes' parent is this shell" \
	[ "$(count "$OUT" ".type == \"anomaly\" and .pid == $P1 and .ppid == $$")" -gt 0 ]
stop_ebph
check "monitor: exit 0" [ $? -eq 0 ]

# ---- stderr: an untrusted path is escaped (a profile that cannot load) ----
# its file: state_dir/<kernel dev_t, major << 20 | minor>-<inode>.prof, in hex
d=${KE%%:*}
kf=$(printf '%x-%x.prof' $(( ((d >> 8) & 0xfff) << 20 | (d & 0xff) | ((d >> 12) & 0xfff00) )) "${KE#*:}")
check "the unprivileged user's profile was saved" [ -f "$T/state/$kf" ]
find "$T/state" -type f ! -name "$kf" -delete
write_config "$T/small.yaml" max_rows=16
start_ebph "$T/out2" -j -c "$T/small.yaml" --no-save || fail "ebph starts (max_rows 16)"
stop_ebph
check "stderr: the path is named, escaped" grep -qF "$EVIL_X" "$T/out2.err"
check "stderr: no forged line" sh -c "! grep -q '^ebph: forged' '$T/out2.err'"
check "stderr: no raw ESC" sh -c "! grep -q '$ESC' '$T/out2.err'"

# ---- -p, --tree, and status lines in filtered text output ----
write_config "$T/t.yaml" status_interval=1 save_interval=0
for h in h1 h2 h3 h4; do cp "$FX/hello" "$T/$h"; done
mkfifo "$T/gofifo"
sh -c "read x < '$T/gofifo'; '$T/h1'; sh -c '\"$T/h2\"; sleep 1'; sleep 1" &
ROOT=$!
STARTED_PIDS=$ROOT
start_ebph "$T/out3" -j -c "$T/t.yaml" --no-save -p "$ROOT" --tree || fail "ebph -p --tree starts"
"$T/h3"
echo go > "$T/gofifo"
wait "$ROOT"
sleep 1.5
stop_ebph
STARTED_PIDS=
check "--tree: the child's event (parent $ROOT)" \
	[ "$(count "$T/out3" ".type == \"new_profile\" and .path == \"$T/h1\" and .ppid == $ROOT")" -eq 1 ]
check "--tree: the grandchild's event (parent an inner sh)" \
	[ "$(count "$T/out3" ".type == \"new_profile\" and .path == \"$T/h2\" and .ppid != $ROOT")" -eq 1 ]
check "--tree: no event of a process outside the tree" \
	[ "$(count "$T/out3" ".type == \"new_profile\" and .path == \"$T/h3\"")" -eq 0 ]
check "-p, JSON: status lines kept" [ "$(count "$T/out3" '.type == "status"')" -ge 1 ]

W="n
$(printf 'caf\303\251\033[1m')"	# a file name with a newline, UTF-8 and ESC
WX='n\x0acafé\x1b[1m'
cp "$FX/hello" "$T/$W"
sh -c "read x < '$T/gofifo'; '$T/h4'; sleep 1; exec \"\$0\"" "$T/$W" &
ROOT=$!
STARTED_PIDS=$ROOT
start_ebph "$T/out4" -c "$T/t.yaml" --no-save -p "$ROOT" || fail "ebph -p starts (text)"
echo go > "$T/gofifo"
wait "$ROOT"
sleep 1.5
stop_ebph
STARTED_PIDS=
check "-p without --tree: the child's event is not printed" sh -c "! grep -q '$T/h4' '$T/out4'"
check "-p, text: no host-wide status line" sh -c "! grep -q '^status' '$T/out4'"
check "-p, text: the header is printed" grep -q '^EVENT ' "$T/out4"
check "text event: the name and path escaped as in ps" \
	grep -qF "new_profile    $(printf '%7s' "$ROOT") $WX $T/$WX (" "$T/out4"
check "text event: no raw ESC, no line cut" sh -c "! grep -q '$ESC' '$T/out4' && ! grep -q '^caf' '$T/out4'"

summary
