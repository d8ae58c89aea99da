#!/bin/sh
# install-deps.sh: install ebph's build, run and test dependencies from the
# distribution's packages (Debian/Ubuntu), and make kernel headers visible to
# bcc. Idempotent; silent when everything is already in place.
set -eu

# bpfcc-tools (syscount) and bpftrace: peers for make bench; libxml2-utils
# (xmllint) and btrfs-progs: tests.
PKGS="build-essential pkg-config libbpfcc-dev bpfcc-tools libyaml-dev check jq bpftool procps libxml2-utils btrfs-progs bpftrace"

say() { printf 'install-deps: %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
else
	SUDO=
fi

if ! command -v apt-get >/dev/null 2>&1; then
	say "no apt-get: install by hand: $PKGS, and kernel headers for $(uname -r)"
	exit 1
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done

kver=$(uname -r)
moddir=/lib/modules/$kver
need_headers=0
[ -e "$moddir/build/include/linux/kconfig.h" ] ||
	[ -e "$moddir/source/include/linux/kconfig.h" ] || need_headers=1

updated=0
apt_update() {
	if [ "$updated" -eq 0 ]; then
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
		updated=1
	fi
}
apt_install() {
	apt_update
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ -n "$missing" ]; then
	say "installing:$missing"
	apt_install $missing
fi

[ "$need_headers" -eq 1 ] || exit 0

# Prefer the headers package that matches the running kernel.
apt_update
if apt-cache show "linux-headers-$kver" >/dev/null 2>&1; then
	say "installing linux-headers-$kver"
	apt_install "linux-headers-$kver"
	exit 0
fi

# No match (custom kernel): use the distribution's generic headers and point
# /lib/modules/$kver/{build,source} at them, as bcc looks there.
generic=linux-headers-amd64
case "$(uname -m)" in
aarch64) generic=linux-headers-arm64 ;;
esac
if apt-cache show "$generic" >/dev/null 2>&1; then
	dpkg-query -W -f='${Status}' "$generic" 2>/dev/null | grep -q 'install ok installed' ||
		{ say "no headers package for $kver: installing $generic"; apt_install "$generic"; }
elif apt-cache show linux-headers-generic >/dev/null 2>&1; then
	say "no headers package for $kver: installing linux-headers-generic"
	apt_install linux-headers-generic
fi

build=$(ls -d /usr/src/linux-headers-*-amd64 /usr/src/linux-headers-*-arm64 \
	/usr/src/linux-headers-*-generic 2>/dev/null | sort -V | tail -n 1)
if [ -z "$build" ]; then
	say "could not find generic kernel headers under /usr/src"
	exit 1
fi
source=$(echo "$build" | sed -E 's/-(amd64|arm64)$/-common/')
[ -d "$source" ] || source=$build
$SUDO mkdir -p "$moddir"
$SUDO ln -sfn "$build" "$moddir/build"
$SUDO ln -sfn "$source" "$moddir/source"
say "kernel $kver has no headers package: linked $moddir/build -> $build and source -> $source"
say "(ebph reads kernel struct layouts from BTF, so mismatched headers are safe)"
