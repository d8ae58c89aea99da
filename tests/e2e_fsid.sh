#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_fsid.sh: every executable its own profile, keyed as stat(2) reports it,
# on real file systems: btrfs subvolumes and a snapshot (one superblock, the
# same inode number 257); overlayfs with two tmpfs lowers and an upper
# (different programs at the same inode number), lower only, with xino, and
# with every layer on one file system; tmpfs; a memfd run with fexecve. For
# each: one profile whose key is stat's DEV:INO, and `ebph show PATH` finds it.
. tests/lib.sh
FX=$(pwd)/tests/fixtures/bin
LOOP=
MOUNTS=

# mnt ARGS... DIR: mount, remembered for the cleanup (last mounted first).
mnt() {
	for last; do :; done
	mkdir -p "$last"
	mount "$@" && MOUNTS="$last $MOUNTS"
}

fs_cleanup() {
	[ -z "$EBPH_PID" ] || { kill -INT "$EBPH_PID" 2>/dev/null; wait "$EBPH_PID" 2>/dev/null; }
	EBPH_PID=
	for p in $STARTED_PIDS; do kill "$p" 2>/dev/null; done
	STARTED_PIDS=
	for m in $MOUNTS; do umount "$m" 2>/dev/null || umount -l "$m"; done
	[ -z "$LOOP" ] || losetup -d "$LOOP"
	cleanup
}
trap fs_cleanup EXIT

command -v mkfs.btrfs > /dev/null || { fail "mkfs.btrfs is installed (scripts/install-deps.sh)"; summary; exit; }

# btrfs: two subvolumes and a snapshot of the first, each with its program
# as the first file (inode 257).
truncate -s 300M "$T/btrfs.img"
LOOP=$(losetup -f --show "$T/btrfs.img")
mkfs.btrfs -q "$LOOP" > /dev/null
mnt "$LOOP" "$T/b"
btrfs -q subvolume create "$T/b/sv1" > /dev/null
btrfs -q subvolume create "$T/b/sv2" > /dev/null
cp "$FX/exec_via" "$T/b/sv1/prog"
cp "$FX/hello" "$T/b/sv2/prog"
btrfs -q subvolume snapshot "$T/b/sv1" "$T/b/snap1" > /dev/null
sync

# overlayfs on three tmpfs: lowers l1 and l2 (a different program as the
# first file of each), upper u; p3 is created in the overlay (upper), p1c a
# lower file copied up by chmod, h1 one with two hard links.
mnt -t tmpfs tmpfs "$T/l1"
mnt -t tmpfs tmpfs "$T/l2"
mnt -t tmpfs tmpfs "$T/u"
cp "$FX/exec_via" "$T/l1/p1"
cp "$FX/hello" "$T/l2/p2"
cp "$FX/hello" "$T/l1/p1c"
cp "$FX/hello" "$T/l1/h1"
ln "$T/l1/h1" "$T/l1/h2"
mkdir -p "$T/u/upper" "$T/u/work"
mnt -t overlay overlay -o "lowerdir=$T/l1:$T/l2,upperdir=$T/u/upper,workdir=$T/u/work" "$T/ov"
cp "$FX/exec_via" "$T/ov/p3"
chmod 700 "$T/ov/p1c"
chmod 700 "$T/ov/h1"	# a hard-linked lower file copied up: the upper's number

# overlayfs with every layer on one tmpfs.
mnt -t tmpfs tmpfs "$T/s"
mkdir -p "$T/s/lower" "$T/s/upper" "$T/s/work"
cp "$FX/exec_via" "$T/s/lower/q1"
mnt -t overlay overlay -o "lowerdir=$T/s/lower,upperdir=$T/s/upper,workdir=$T/s/work" "$T/so"
cp "$FX/hello" "$T/so/q2"

# a lower-only overlay of two tmpfs (no upper: read-only).
mnt -t overlay overlay -o "lowerdir=$T/l2:$T/l1" "$T/ro"

# the same lowers with xino: the overlay's device, the layer in the inode number's high bits.
mnt -t overlay overlay -o "lowerdir=$T/l1:$T/l2,xino=on" "$T/xo"

# plain tmpfs
mnt -t tmpfs tmpfs "$T/tmpfs"
cp "$FX/hello" "$T/tmpfs/t1"

PROGS="$T/b/sv1/prog $T/b/sv2/prog $T/b/snap1/prog $T/ov/p1 $T/ov/p2 $T/ov/p3 $T/ov/p1c $T/ov/h1 \
$T/so/q1 $T/so/q2 $T/ro/p1 $T/ro/p2 $T/xo/p1 $T/xo/p2 $T/tmpfs/t1"

ino=$(stat -c %i "$T/b/sv1/prog") i2=$(stat -c %i "$T/b/sv2/prog") i3=$(stat -c %i "$T/b/snap1/prog")
check "btrfs: the three programs are inode 257 ($ino $i2 $i3)" \
	test "$ino $i2 $i3" = "257 257 257"
check "overlay: the lowers' programs share an inode number" \
	test "$(stat -c %i "$T/l1/p1")" = "$(stat -c %i "$T/l2/p2")"

write_config "$T/cfg.yaml"
OUT=$T/out.json
start_ebph "$OUT" -c "$T/cfg.yaml" --no-load --no-save -j || { fail "ebph starts"; summary; exit; }
for p in $PROGS; do "$p" sleep 0 > /dev/null 2>&1; done
# memfd: keep it running so that stat and show can name it
"$FX/exec_via" memfd "$FX/exec_via" sleep 5 &
MPID=$!
STARTED_PIDS="$MPID"
sleep 0.5
wait_for "$OUT" ".type == \"anon_exec\" and .pid == $MPID" 5
MKEY=$(jq -r "select(.type == \"anon_exec\" and .pid == $MPID) | .profile" "$OUT" | head -n 1)

keys=
for p in $PROGS; do
	k=$(stat_key "$p")
	keys="$keys $k"
	n=$(count "$OUT" ".type == \"new_profile\" and .profile == \"$k\" and .path == \"$p\"")
	check "$p: one profile, keyed $k as stat says" test "$n" -eq 1
	"$EBPH" show -j "$p" > "$T/show.json" 2> "$T/show.err"
	check "$p: ebph show PATH finds it" \
		test "$(jq -r 'select(.type == "profile") | .profile' "$T/show.json" 2>/dev/null | head -n 1)" = "$k"
done
# (a file with no link left shares the profile of its kind: issue 10, item 6)
check "memfd: its exec is an anon_exec, in the one memfd profile ($MKEY)" \
	test "$(jq -r "select(.type == \"anon_exec\" and .pid == $MPID) | \"\\(.kind) \\(.path)\"" "$OUT" | head -n 1)" = "memfd [memfd]"
"$EBPH" show -j "/proc/$MPID/exe" > "$T/show.json" 2> "$T/show.err"
check "memfd: ebph show /proc/PID/exe finds the memfd profile by the same rule" \
	test "$(jq -r 'select(.type == "profile") | .profile' "$T/show.json" 2>/dev/null | head -n 1)" = "$MKEY"
ndist=$(printf '%s\n' $keys $MKEY | sort -u | wc -l)
check "every executable its own key ($ndist distinct of 16)" test "$ndist" -eq 16
kill "$MPID" 2>/dev/null; wait "$MPID" 2>/dev/null
STARTED_PIDS=
stop_ebph
summary
