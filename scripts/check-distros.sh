#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# check-distros.sh [SUITE...]: build ebph and run its unit tests on other
# Debian releases, each in a chroot made with debootstrap from that release's
# own packages (default: bullseye, Debian 11 with bcc 0.18, and trixie,
# Debian 13). Set-up is the project's own: scripts/install-deps.sh --test
# --no-headers inside the chroot. Root; not part of make test.
# Environment: MIRROR (default: the first Debian archive in this machine's
# apt sources), CHROOT_DIR (default /var/tmp/ebph-distros), KEEP=1 keeps the
# chroots for a faster second run. Prints one line per suite and closes with
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
src=$(pwd)

say() { printf 'check-distros: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	say "must run as root (debootstrap, chroot)"
	exit 1
fi
command -v debootstrap >/dev/null 2>&1 || {
	say "needs debootstrap (apt-get install debootstrap)"
	exit 1
}

# The Debian archive this machine's apt already uses.
find_mirror() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -nE 's/^(deb[[:space:]]+(\[[^]]*\][[:space:]]+)?|URIs:[[:space:]]+)([a-z]+:\/\/[^[:space:]]*\/debian)\/?([[:space:]].*)?$/\3/p' |
		head -n 1
}
MIRROR=${MIRROR:-$(find_mirror)}
if [ -z "$MIRROR" ]; then
	say "no Debian archive in /etc/apt/sources*: set MIRROR"
	exit 1
fi
CHROOT_DIR=${CHROOT_DIR:-/var/tmp/ebph-distros}
[ $# -gt 0 ] || set -- bullseye trixie

root=
# Unmount what this script mounted in the current chroot (also on signals).
cleanup() {
	[ -n "$root" ] || return 0
	for m in "$root/sys" "$root/proc"; do
		if mountpoint -q "$m" 2>/dev/null; then
			umount "$m" || umount -l "$m"
		fi
	done
	if [ "${KEEP:-0}" != 1 ] && ! grep -q " $root/" /proc/mounts; then
		rm -rf --one-file-system "$root"
	fi
	root=
}
trap 'cleanup' EXIT
trap 'cleanup; exit 130' INT TERM HUP

passed=0
failed=0
for suite in "$@"; do
	root=$CHROOT_DIR/$suite
	log=$CHROOT_DIR/$suite.log
	mkdir -p "$CHROOT_DIR"
	t0=$(date +%s)
	: > "$log"
	if [ ! -x "$root/usr/bin/apt-get" ]; then
		rm -rf --one-file-system "$root"
		say "$suite: debootstrap from $MIRROR (log $log)"
		if ! debootstrap --variant=minbase "$suite" "$root" "$MIRROR" >> "$log" 2>&1; then
			say "$suite: debootstrap failed (see $log)"
			failed=$((failed + 1))
			cleanup
			continue
		fi
	fi
	t1=$(date +%s)
	# No service starts inside the chroot.
	printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
	chmod 0755 "$root/usr/sbin/policy-rc.d"
	mount -t proc proc "$root/proc"
	mount -t sysfs -o ro sysfs "$root/sys"
	rm -rf "$root/src"
	mkdir -p "$root/src"
	git ls-files -co --exclude-standard | grep -v '^debian/ebph/' |
		tar -cf - -T - | tar -xf - -C "$root/src"
	cat > "$root/src/.check-distro.sh" <<'IN'
set -eu
cd /src
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
s=$(date +%s)
sh scripts/install-deps.sh --test --no-headers
d=$(date +%s)
echo "bcc: $(dpkg-query -W -f='${Version}' libbpfcc-dev) libbpf: $(dpkg-query -W -f='${Version}' libbpf-dev) gcc: $(gcc -dumpversion) check: $(dpkg-query -W -f='${Version}' check)"
make -j2 ebph tests/unit
b=$(date +%s)
./ebph --version
CK_DEFAULT_TIMEOUT=60 ./tests/unit
u=$(date +%s)
echo "times: deps $((d - s)) s, build $((b - d)) s, unit $((u - b)) s"
IN
	say "$suite: install-deps, build, unit tests"
	if chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		sh /src/.check-distro.sh >> "$log" 2>&1; then
		res=ok
		passed=$((passed + 1))
	else
		res=FAIL
		failed=$((failed + 1))
	fi
	t2=$(date +%s)
	info=$(grep -E '^bcc: ' "$log" | tail -n 1)
	unit=$(grep -E '^[0-9]+%: Checks' "$log" | tail -n 1)
	times=$(grep -E '^times: ' "$log" | tail -n 1)
	printf '%s %s: %s; %s; debootstrap %d s, in chroot %d s (%s) [log %s]\n' \
		"$res" "$suite" "${info:-no versions}" "${unit:-no unit result}" \
		$((t1 - t0)) $((t2 - t1)) "${times#times: }" "$log"
	[ "$res" = ok ] || tail -n 20 "$log"
	cleanup
done
echo "check-distros: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
