#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# install-deps.sh [--test] [--eval] [--no-headers] [--list]: install from
# the distribution's packages (Debian/Ubuntu) what ebph needs to build and
# run, with --test what its tests need too, with --eval what make eval runs;
# make kernel headers visible to bcc (not with --no-headers: a chroot that
# only builds). --list prints the package names and installs nothing.
# Idempotent; silent when all is in place.
set -eu

# Build and run: a C toolchain, bcc's and libbpf's development packages
# (pkg-config finds them), libyaml, zlib, libsystemd (the journal).
PKGS="build-essential pkg-config libbpfcc-dev libbpf-dev libyaml-dev zlib1g-dev libsystemd-dev procps"
# make test: check (unit tests), jq, bpftool, systemd (systemd-analyze),
# man-db, libxml2-utils (xmllint) and btrfs-progs; bpfcc-tools (syscount) and
# bpftrace: peers for make bench; dpkg-dev and debhelper: make test-deb;
# python3-jsonschema (docs/events.schema.json) and python3-prometheus-client
# (metrics_file's parser).
TEST_PKGS="check jq systemd man-db libxml2-utils btrfs-progs bpfcc-tools bpftrace dpkg-dev debhelper python3-jsonschema python3-prometheus-client"
# make eval: the binaries it copies and runs (eval/cases).
EVAL_PKGS="findutils tar mawk sed python3 perl coreutils git zip unzip make util-linux ed bash gzip"

test=0
eval=0
headers=1
list=0
for a in "$@"; do
	case $a in
	--test) test=1 ;;
	--eval) eval=1 ;;
	--no-headers) headers=0 ;;
	--list) list=1 ;;
	-h | --help)
		sed -n '3,8s/^# //p' "$0"
		exit 0
		;;
	*)
		echo "install-deps: unknown argument '$a' (--test, --eval, --no-headers, --list)" >&2
		exit 2
		;;
	esac
done
[ "$test" -eq 0 ] || PKGS="$PKGS $TEST_PKGS"
[ "$eval" -eq 0 ] || PKGS="$PKGS $EVAL_PKGS"
if [ "$list" -eq 1 ]; then
	echo $PKGS
	[ "$test" -eq 0 ] || echo bpftool
	exit 0
fi

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

# bpftool is a real package on Debian; on Ubuntu 24.04 a virtual one, whose
# /usr/sbin/bpftool (linux-tools-common) runs the kernel's own build from
# linux-tools-$(uname -r).
install_bpftool() {
	apt_update
	if apt-cache show --no-all-versions bpftool >/dev/null 2>&1; then
		say "installing bpftool"
		apt_install bpftool
	elif apt-cache show --no-all-versions "linux-tools-$kver" >/dev/null 2>&1; then
		say "bpftool is virtual here: installing linux-tools-common linux-tools-$kver"
		apt_install linux-tools-common "linux-tools-$kver"
	else
		say "no bpftool package for kernel $kver: skipped (the end-to-end tests need bpftool in PATH)"
	fi
}
if [ "$test" -eq 1 ] && ! bpftool version >/dev/null 2>&1; then
	install_bpftool
fi

[ "$headers" -eq 1 ] || exit 0
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
