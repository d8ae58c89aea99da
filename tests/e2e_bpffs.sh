#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_bpffs.sh: ebph's pin directory on a hostile bpffs (issue 10, item 7):
# on a world-writable bpffs root (1777, what a plain `mount -t bpf` gives)
# another user's /sys/fs/bpf/ebph, a symbolic link to another tool's pins,
# a pin named ebph, a directory of the wrong mode are refused with a message
# saying what to remove, nothing in them is touched, and ebph warns about the
# root; entries that are not ebph's in its own directory are left alone.
# The test runs in a private mount namespace with its own bpffs; run it under
# the shared lock: flock /tmp/ebph-e2e.lock sh tests/e2e_bpffs.sh
if [ -z "${EBPH_BPFFS_NS:-}" ]; then
	EBPH_BPFFS_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. tests/lib.sh
BPFFS=/sys/fs/bpf
PIN=$BPFFS/ebph
NOBODY=65534

bpffs_mounted() { grep -q " $BPFFS bpf " /proc/mounts; }
as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"; }
# run ARGS...: ebph briefly in the foreground; RC its exit status, E its stderr
run() { "$EBPH" "$@" > "$T/out" 2> "$T/err"; RC=$?; E=$(cat "$T/err"); }
# refused WHAT: the last run exited 1 naming $PIN, WHAT, and what to remove
refused() {
	check "$1: exit 1" [ "$RC" -eq 1 ]
	check "$1: says '$2' and what to remove" \
		grep -q "^ebph: $PIN $2 (uid [0-9]*, mode [0-7]*): not ebph's pin directory, left as it is; if no other tool uses it, remove it (rm -r $PIN) and start ebph again\$" "$T/err"
	check "$1: not started" sh -c "! grep -q '^Tracing' '$T/err'"
}

while bpffs_mounted; do umount $BPFFS || break; done
mount -t bpf bpf $BPFFS
write_config "$T/c.yaml" save_interval=0
ARGS="-c $T/c.yaml --no-load --no-save -d 1"
check "a plain bpffs mount is world-writable (1777)" [ "$(stat -c %a $BPFFS)" = 1777 ]

# ---- another user's pin directory, holding an entry ----
as_nobody mkdir $PIN
as_nobody mkdir $PIN/x
run $ARGS
refused "another user's $PIN" "is owned by another user"
check "another user's $PIN: warns that the bpffs root is world-writable" \
	grep -q "^ebph: warning: $BPFFS is writable by every user (mode 1777)" "$T/err"
check "another user's $PIN: nothing removed" [ -d $PIN/x ]
rm -r $PIN	# what the message says
run $ARGS
check "once removed as the message says, ebph runs (exit 0)" [ "$RC" -eq 0 ]
check "... and leaves no pin directory" [ ! -e $PIN ]

# ---- a symbolic link to another tool's pins ----
mkdir $BPFFS/othertool
bpftool map create $BPFFS/othertool/stats type array key 4 value 4 entries 1 name other_stats
as_nobody ln -s othertool $PIN
run $ARGS
refused "$PIN -> othertool" "is a symbolic link"
check "$PIN -> othertool: the other tool's 'stats' pin survives" [ -e $BPFFS/othertool/stats ]
check "$PIN -> othertool: the link survives" [ -L $PIN ]
"$EBPH" ps > /dev/null 2> "$T/ps.err"
check "$PIN -> othertool: ps does not take it for a monitor (exit 1, no monitor)" \
	grep -q 'no running ebph' "$T/ps.err"
rm $PIN

# ---- a pin named ebph ----
bpftool map create $PIN type array key 4 value 4 entries 1 name not_a_dir
run $ARGS
refused "a pin named ebph" "is not a directory"
check "a pin named ebph: it survives" [ -e $PIN ]
rm $PIN

# ---- root's directory of another mode ----
mkdir -m 0755 $PIN
bpftool map create $PIN/stats type array key 4 value 4 entries 1 name mode_stats
run $ARGS
refused "$PIN of mode 0755" "is not mode 0700"
check "$PIN of mode 0755: its 'stats' survives" [ -e $PIN/stats ]
rm -r $PIN

# ---- ebph's own kind of directory with an entry that is not ebph's ----
mkdir -m 0700 $PIN
mkdir $PIN/x
start_ebph "$T/o" -j -c "$T/c.yaml" --no-load --no-save || fail "$PIN with a foreign entry: ebph starts"
check "$PIN with a foreign entry: ebph runs and says it leaves the entry" \
	grep -q "^ebph: $PIN holds entries that are not ebph's pins: left as they are\$" "$T/o.err"
check "$PIN with a foreign entry: its pins are there beside it" [ -e $PIN/info -a -d $PIN/x ]
"$EBPH" ps > /dev/null 2>&1
check "$PIN with a foreign entry: commands reach the monitor" [ $? -eq 0 ]
stop_ebph
check "$PIN with a foreign entry: exit 0" [ $? -eq 0 ]
check "$PIN with a foreign entry: ebph's pins removed, the entry kept" \
	sh -c "[ -d $PIN/x ] && [ \"\$(ls -A $PIN)\" = x ]"
rm -r $PIN $BPFFS/othertool
umount $BPFFS

summary
