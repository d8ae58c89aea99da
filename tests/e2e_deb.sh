#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_deb.sh: make deb builds a Debian package with dpkg-buildpackage; it
# installs with dpkg -i (binary, man page, unit, configuration as a
# conffile, completion), and dpkg -r and -P remove it cleanly (issue 14.7).
# Root (dpkg -i); about 10 s; also make test-deb. Where ebph is installed
# already (the package, /usr/sbin/ebph or /etc/ebph) it fails without
# touching that installation.
. tests/lib.sh

if dpkg-query -W ebph >/dev/null 2>&1 || [ -e /usr/sbin/ebph ] || [ -e /etc/ebph ]; then
	fail "ebph is installed here already (package, /usr/sbin/ebph or /etc/ebph): not touched"
	summary
	exit 1
fi
make -s deb > "$T/deb.log" 2>&1
rc=$?
check "make deb: exit 0" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || tail -n 20 "$T/deb.log"
deb=$(ls build-deb/ebph_"$(cat VERSION)"_*.deb 2>/dev/null | head -n 1)
check "make deb: build-deb/ebph_$(cat VERSION)_ARCH.deb" [ -n "$deb" ]
[ -n "$deb" ] || { summary; exit 1; }
check "debian/changelog's version is VERSION" \
	[ "$(dpkg-parsechangelog -l debian/changelog -S Version)" = "$(cat VERSION)" ]
had_state=0
[ ! -d /var/lib/ebph ] || had_state=1

FILES="/usr/sbin/ebph /usr/share/man/man8/ebph.8.gz /lib/systemd/system/ebph.service
/etc/ebph/ebph.yaml /usr/share/bash-completion/completions/ebph /usr/share/doc/ebph/copyright"

check "dpkg -i installs the package" sh -c "dpkg -i '$deb' > '$T/dpkg.out' 2>&1"
check "dpkg says it is installed" sh -c "dpkg-query -W -f='\${Status}' ebph | grep -q 'install ok installed'"
for f in $FILES; do
	check "installed $f" [ -s "$f" ]
	check "dpkg -L lists $f" sh -c "dpkg -L ebph | grep -qx '$f'"
done
check "/usr/sbin/ebph runs" sh -c "/usr/sbin/ebph --version | grep -q 'ebph $(cat VERSION)'"
check "/etc/ebph/ebph.yaml is the documented default file" cmp -s config/ebph.yaml /etc/ebph/ebph.yaml
check "/etc/ebph/ebph.yaml is a conffile" \
	sh -c "dpkg-query -W -f='\${Conffiles}' ebph | grep -q '^ /etc/ebph/ebph.yaml '"
check "the installed configuration loads" sh -c "/usr/sbin/ebph -c /etc/ebph/ebph.yaml --print-config >/dev/null"
check "the unit runs /usr/sbin/ebph with /etc/ebph/ebph.yaml" \
	grep -qx 'ExecStart=/usr/sbin/ebph -c /etc/ebph/ebph.yaml' /lib/systemd/system/ebph.service
systemd-analyze verify --man=no /lib/systemd/system/ebph.service > "$T/verify" 2>&1
check "systemd-analyze verify: the installed unit, silently" [ $? -eq 0 ] && [ ! -s "$T/verify" ]
check "the man page renders" sh -c "man -l /usr/share/man/man8/ebph.8.gz 2>/dev/null | grep -q SYNOPSIS"
check "the completion loads" bash -c '. /usr/share/bash-completion/completions/ebph && complete -p ebph | grep -q _ebph'
check "enabled for multi-user.target" [ -L /etc/systemd/system/multi-user.target.wants/ebph.service ]

# Remove: the package's files go, the edited conffile stays.
echo 'anomaly_limit: 5' >> /etc/ebph/ebph.yaml
check "dpkg -r removes the package" sh -c "dpkg -r ebph > '$T/dpkg.out' 2>&1"
for f in $FILES; do
	[ "$f" = /etc/ebph/ebph.yaml ] && continue
	check "dpkg -r: $f is gone" [ ! -e "$f" ]
done
check "dpkg -r keeps the configuration" grep -q '^anomaly_limit: 5' /etc/ebph/ebph.yaml
check "dpkg -r: state rc" sh -c "dpkg-query -W -f='\${Status}' ebph | grep -q 'deinstall ok config-files'"

# Purge: the configuration goes too; saved profiles never.
check "dpkg -P purges the package" sh -c "dpkg -P ebph > '$T/dpkg.out' 2>&1"
check "dpkg -P: /etc/ebph is gone" [ ! -e /etc/ebph ]
check "dpkg -P: the unit's enablement is gone" [ ! -e /etc/systemd/system/multi-user.target.wants/ebph.service ]
check "dpkg -P: dpkg forgot the package" sh -c "! dpkg-query -W ebph >/dev/null 2>&1"
if [ "$had_state" -eq 1 ]; then
	check "dpkg -P keeps saved profiles in /var/lib/ebph" [ -d /var/lib/ebph ]
else
	check "dpkg -P: no /var/lib/ebph left" [ ! -e /var/lib/ebph ]
fi

summary
