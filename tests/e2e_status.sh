#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_status.sh: ebph status (issue 15) and the execve mode of the response:
# with no monitor it says so (status 1); a running monitor's PID, start,
# configuration, response and execve modes, counts and map sizes, in text
# and in JSON (valid by docs/events.schema.json); the start-up check's
# finding is the same in the banner, ebph status and status events. The BPF
# LSM program compiles with this bcc (EBPH_LSM_COMPILE=1) even where the
# kernel does not take it, and is then not loaded: hold (ptrace) is in force.
. tests/lib.sh
SCHEMA=docs/events.schema.json
# jqf FILE ARGS...: jq -e on FILE, which must hold a line (jq -e passes on none)
jqf() { f=$1; shift; [ -s "$f" ] && jq -e "$@" "$f" > /dev/null; }

"$EBPH" status > "$T/none" 2> "$T/none.err"
rc=$?
check "no monitor: ebph status exits 1" test $rc -eq 1
check "no monitor: and says so" grep -qx 'ebph: no running ebph monitor' "$T/none.err"
check "no monitor: nothing on stdout" test ! -s "$T/none"

# --ebpf: the LSM program is in the text only when asked for
check "--ebpf: the LSM program is left out by default" \
	sh -c "'$EBPH' --ebpf > '$T/plain.c' && grep -q '^#ifdef EBPH_LSM_REFUSE' '$T/plain.c' &&
	       ! grep -q '^#define EBPH_LSM_REFUSE' '$T/plain.c'"
check "--ebpf with EBPH_LSM_COMPILE=1: the LSM program on bprm_check_security is in" \
	sh -c "EBPH_LSM_COMPILE=1 '$EBPH' --ebpf > '$T/lsm.c' && grep -qx '#define EBPH_LSM_REFUSE 1' '$T/lsm.c' &&
	       grep -q '^LSM_PROBE(bprm_check_security' '$T/lsm.c'"
check "--ebpf with EBPH_LSM_COMPILE=1: its threshold is suspend_execve" \
	sh -c "EBPH_LSM_COMPILE=1 '$EBPH' --ebpf -o suspend_execve=7 | grep -qx '#define EBPH_SUSPEND_EXECVE 7'"

# what the kernel allows, found independently of ebph: the refuse mode needs
# the BPF LSM active (securityfs lists it, or the kernel config does) and a
# program of type lsm that loads; this test only expects hold where the
# trial load is refused or bpf is not an active LSM
OUT=$T/act
write_config "$T/act.yaml" response=act suspend_execve=4 suspend_execve_time=1h status_interval=1
EBPH_LSM_COMPILE=1 start_ebph "$OUT" --no-load --no-save -j -c "$T/act.yaml" ||
	{ summary; exit 1; }
check "act: the monitor starts with the LSM program compiled in (bcc compiles it)" kill -0 "$EBPH_PID"
banner=$(grep '^ebph: response: act' "$OUT.err")
printf '#    %s\n' "$banner"
MODE=$(printf '%s\n' "$banner" | sed -n 's/.*; execve: \([a-z]*\) .*/\1/p')
WHY=$(printf '%s\n' "$banner" | sed -n 's/.*; execve: [a-z]* at lfc >= 4 [^:]*: //p')
check "act: the banner names the execve mode and why" test -n "$MODE" -a -n "$WHY"
if [ "$MODE" = hold ]; then
	check "act: hold is said to be ptrace, held for suspend_execve_time" \
		sh -c "printf '%s' '$banner' | grep -q 'execve: hold at lfc >= 4 for 3600s (ptrace): '"
	check "act: why hold: the BPF LSM is not enabled or its program was refused" \
		sh -c "printf '%s' '$WHY' | grep -Eq '^(BPF LSM not enabled \(|BPF LSM program refused: |the kernel is built without CONFIG_BPF_LSM|cannot tell whether)'"
	check "act: no LSM program is loaded" \
		sh -c "! bpftool prog show 2>/dev/null | grep -q 'ebph_lsm_exec'"
else
	check "act: refuse: the LSM program is loaded" \
		sh -c "bpftool prog show 2>/dev/null | grep -q 'lsm.*ebph_lsm_exec'"
fi
if [ -r /sys/kernel/security/lsm ] && ! grep -qw bpf /sys/kernel/security/lsm; then
	check "act: bpf is not an active LSM here: hold (BPF LSM not enabled)" \
		sh -c "[ '$MODE' = hold ] && printf '%s' '$WHY' | grep -q '^BPF LSM not enabled (lsm='"
fi

"$EBPH" status > "$T/st" 2> "$T/st.err"
check "status: exits 0" test $? -eq 0
sed 's/^/#    /' "$T/st"
check "status: the monitor's PID" grep -Eq "^monitor +PID $EBPH_PID, since " "$T/st"
check "status: the configuration file" grep -Eq "^config +$T/act.yaml\$" "$T/st"
check "status: response act" grep -Eq '^response +act$' "$T/st"
check "status: the execve mode and why, as in the banner" \
	grep -Fqx "execve       $MODE: $WHY" "$T/st"
check "status: profiles by state, tasks, lost events, maps" \
	sh -c "grep -Eq '^profiles +[0-9]+ \(training [0-9]+, frozen [0-9]+, normal [0-9]+\)$' '$T/st' &&
	       grep -Eq '^tasks +[0-9]+ monitored; held 0 \(delayed 0, suspended 0\)$' '$T/st' &&
	       grep -Eq '^lost_events +[0-9]+$' '$T/st' &&
	       grep -Eq '^maps +profiles [0-9]+/10240 \([0-9]+%\), tasks [0-9]+/[0-9]+ \([0-9]+%\), rows [0-9]+/[0-9]+ \([0-9]+%\), held 0/4096 \(0%\)$' '$T/st'"

"$EBPH" status -j > "$T/st.json"
check "status -j: one JSON object of type monitor" \
	sh -c "[ \$(wc -l < '$T/st.json') -eq 1 ] && jq -e '.type == \"monitor\"' '$T/st.json' > /dev/null"
check "status -j: pid, config, response, execve, execve_why" \
	jqf "$T/st.json" --arg c "$T/act.yaml" --arg m "$MODE" --arg w "$WHY" --argjson p "$EBPH_PID" \
	'.pid == $p and .config == $c and .response == "act" and .execve == $m and .execve_why == $w'
check "status -j: the states add up, tasks monitored, since the last minute" \
	jqf "$T/st.json" '.training + .frozen + .normal == .profiles and .profiles > 0 and
	       .tasks > 0 and .held == 0 and (now - .since) < 600 and .since <= now'
check "status -j: valid by the schema" /usr/bin/python3 tests/validate_events.py "$SCHEMA" "$T/st.json"
check "status events carry the execve mode" wait_for "$OUT" ".type == \"status\" and .execve == \"$MODE\"" 5
stop_ebph

# log: the same check, the same mode (the actions are only reported)
OUT=$T/log
write_config "$T/log.yaml" response=log suspend_execve=4
start_ebph "$OUT" --no-load --no-save -j -c "$T/log.yaml" || { summary; exit 1; }
check "log: the banner names the same execve mode" grep -q "^ebph: response: log .*; execve: $MODE at lfc >= 4" "$OUT.err"
"$EBPH" status -j > "$T/log.json"
check "log: status says response log, execve $MODE" \
	jqf "$T/log.json" --arg m "$MODE" '.response == "log" and .execve == $m'
stop_ebph

# off (the default): no check is made, execve off; no config file
OUT=$T/off
write_config "$T/off.yaml"
start_ebph "$OUT" --no-load --no-save -j -o status_interval=1 || { summary; exit 1; }
"$EBPH" status -j > "$T/off.json"
check "off: status says response off, execve off, config null" \
	jqf "$T/off.json" '.response == "off" and .execve == "off" and .execve_why == "response: off" and
	.config == null'
check "off: status text says built-in defaults" \
	sh -c "'$EBPH' status | grep -Eq '^config +\(built-in defaults\)$'"
check "off: status events say execve off" wait_for "$OUT" '.type == "status" and .execve == "off"' 5
stop_ebph
summary
