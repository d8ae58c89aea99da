#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_install.sh: make install / uninstall (PREFIX, DESTDIR), the systemd unit
# (systemd-analyze verify; its ExecStart line run under the unit's capability
# bounding set) and the installed configuration (issue 14.1).
. tests/lib.sh

# install_tree ARGS...: make install with ARGS; output in $T/install.out.
install_tree() { make -s install "$@" > "$T/install.out" 2>&1; }

# 1. PREFIX: a tree whose paths are real, so systemd-analyze can check them.
P=$T/prefix
check "make install PREFIX=... SYSCONFDIR=..." install_tree PREFIX="$P/usr" SYSCONFDIR="$P/etc"
unit=$P/usr/lib/systemd/system/ebph.service
for f in "$P/usr/sbin/ebph" "$P/usr/share/man/man8/ebph.8" "$unit" \
	"$P/usr/share/bash-completion/completions/ebph" "$P/etc/ebph/ebph.yaml"; do
	check "installed ${f#"$P"/}" [ -s "$f" ]
done
check "installed binary runs" sh -c "'$P/usr/sbin/ebph' --version | grep -q ebph"
check "the installed configuration is config/ebph.yaml" cmp -s config/ebph.yaml "$P/etc/ebph/ebph.yaml"
check "the unit runs PREFIX's sbin/ebph with SYSCONFDIR's config" \
	grep -qx "ExecStart=$P/usr/sbin/ebph -c $P/etc/ebph/ebph.yaml" "$unit"
check "no @...@ left in the unit" sh -c "! grep -q '@[A-Z]*@' '$unit'"
check "unit: Restart=on-failure" grep -qx 'Restart=on-failure' "$unit"
check "unit: ExecStopPost runs ebph" grep -q "^ExecStopPost=-$P/usr/sbin/ebph " "$unit"
systemd-analyze verify --man=no "$unit" > "$T/verify" 2>&1
rc=$?
check "systemd-analyze verify: exit 0" [ "$rc" -eq 0 ]
check "systemd-analyze verify: says nothing" [ ! -s "$T/verify" ]
[ ! -s "$T/verify" ] || cat "$T/verify"
# The check can fail: a misspelt key is reported.
sed 's/^ProtectClock=/ProtectClok=/' "$unit" > "$T/bad.service"
systemd-analyze verify --man=no "$T/bad.service" > "$T/verify" 2>&1
check "systemd-analyze verify reports a misspelt key" grep -q "Unknown key 'ProtectClok'" "$T/verify"

# The ExecStart line, as root but with only the unit's capabilities (bounding
# set, no new privileges), loads, attaches and stops cleanly.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
check "unit: a capability bounding set" [ -n "$caps" ]
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
before=$(bpf_progs)
setpriv --bounding-set=-all,"$caps" --inh-caps=-all --no-new-privs \
	$exec_start --no-load --no-save -j -d 3 > "$T/svc.out" 2> "$T/svc.err"
rc=$?
check "ExecStart under the unit's capabilities: exit 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || cat "$T/svc.err"
check "ExecStart under the unit's capabilities: attached" grep -q '^Tracing' "$T/svc.err"
check "ExecStart under the unit's capabilities: a final status" \
	sh -c "jq -e 'select(.type == \"status\" and .final)' '$T/svc.out' >/dev/null"
check "ExecStart: no BPF program left behind" [ "$(bpf_progs)" -eq "$before" ]
# ProtectSystem=strict and PrivateNetwork, approximated (systemd may not be
# PID 1 here): in a private mount namespace whose / is read-only (the API
# file systems /proc, /sys, /dev stay writable), with no network, and the
# unit's capabilities only, the same line loads, pins and stops cleanly.
unshare -m -n sh -c 'mount --make-rprivate / && mount -o remount,bind,ro / && exec "$@"' sh \
	setpriv --bounding-set=-all,"$caps" --inh-caps=-all --no-new-privs \
	$exec_start --no-load --no-save -j -d 3 > "$T/svc.out" 2> "$T/svc.err"
rc=$?
check "ExecStart, read-only /, no network, the unit's capabilities: exit 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || cat "$T/svc.err"
check "ExecStart, read-only /, no network: a final status" \
	sh -c "jq -e 'select(.type == \"status\" and .final)' '$T/svc.out' >/dev/null"
check "ExecStart: no BPF program left behind (read-only /)" [ "$(bpf_progs)" -eq "$before" ]
# Without CAP_BPF and CAP_SYS_ADMIN the same line fails with exit 1.
setpriv --bounding-set=-all,+perfmon,+sys_resource --inh-caps=-all --no-new-privs \
	$exec_start --no-load --no-save -d 3 > /dev/null 2> "$T/svc.err"
rc=$?
check "ExecStart without CAP_BPF/CAP_SYS_ADMIN: exit 1" [ "$rc" -eq 1 ]
ExecStopPost=$(sed -n 's/^ExecStopPost=-//p' "$unit")
$ExecStopPost > /dev/null 2>&1
check "ExecStopPost's command runs (exit 0 or 1, not a usage error)" [ $? -le 1 ]

make -s uninstall PREFIX="$P/usr" SYSCONFDIR="$P/etc" > /dev/null 2>&1
check "make uninstall removes every file" [ -z "$(find "$P" -type f)" ]
check "make uninstall removes /etc/ebph" [ ! -e "$P/etc/ebph" ]

# 2. DESTDIR with PREFIX=/usr: a package's staging tree.
D=$T/dest
check "make install DESTDIR=... PREFIX=/usr" install_tree DESTDIR="$D" PREFIX=/usr
check "DESTDIR: binary in /usr/sbin" [ -x "$D/usr/sbin/ebph" ]
check "DESTDIR: unit in /usr/lib/systemd/system" [ -s "$D/usr/lib/systemd/system/ebph.service" ]
check "DESTDIR: the unit names /usr/sbin/ebph and /etc/ebph/ebph.yaml, not DESTDIR" \
	grep -qx 'ExecStart=/usr/sbin/ebph -c /etc/ebph/ebph.yaml' "$D/usr/lib/systemd/system/ebph.service"
check "DESTDIR: configuration in /etc/ebph" cmp -s config/ebph.yaml "$D/etc/ebph/ebph.yaml"
# An edited configuration survives install and uninstall.
echo 'anomaly_limit: 5' >> "$D/etc/ebph/ebph.yaml"
cp "$D/etc/ebph/ebph.yaml" "$T/edited.yaml"
install_tree DESTDIR="$D" PREFIX=/usr
check "make install keeps an edited configuration" cmp -s "$T/edited.yaml" "$D/etc/ebph/ebph.yaml"
check "make install says it kept it" grep -q 'kept .*ebph.yaml' "$T/install.out"
make -s uninstall DESTDIR="$D" PREFIX=/usr > "$T/uninstall.out" 2>&1
check "make uninstall keeps an edited configuration" cmp -s "$T/edited.yaml" "$D/etc/ebph/ebph.yaml"
check "make uninstall removes the rest" [ "$(find "$D" -type f)" = "$D/etc/ebph/ebph.yaml" ]

summary
