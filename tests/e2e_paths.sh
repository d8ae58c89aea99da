#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_paths.sh: a profile's path names its executable's file (resolved,
# absolute, from the host's root) or is marked: execveat(fd, "",
# AT_EMPTY_PATH), a symbolic link, a chroot, a path longer than 255 bytes, a
# process that ran before ebph, a memfd. After a restart none is reported
# gone and `ebph prune` deletes none of them; a deleted executable is pruned.
. tests/lib.sh
FX=$(pwd)/tests/fixtures/bin
B=$T/bin
mkdir -p "$B" "$T/root/bin"
for f in early early2 viafd target inchroot doomed; do cp "$FX/exec_via" "$B/$f"; done
ln -s "$B/target" "$B/link"
mv "$B/inchroot" "$T/root/bin/inchroot"
LONG=$T/l
while [ ${#LONG} -lt 300 ]; do LONG=$LONG/dddddddddddddddddddddddddddddddddddddddd; done
mkdir -p "$LONG"
cp "$FX/exec_via" "$LONG/longprog"
LONG=$LONG/longprog

# path_of KEY: the path of KEY's new_profile event in $OUT
path_of() { jq -r "select(.type == \"new_profile\" and .profile == \"$1\") | .path" "$OUT" | head -n 1; }

write_config "$T/cfg.yaml"
OUT=$T/out.json
# a process already running when ebph starts: it ticks for 30 s (stopped below)
"$B/early" tick 300 &
EARLY=$!
# and one whose file is deleted: no path names it any more
"$B/early2" tick 300 &
EARLY2=$!
STARTED_PIDS="$EARLY $EARLY2"
sleep 0.2
rm "$B/early2"
start_ebph "$OUT" -c "$T/cfg.yaml" -j || { fail "ebph starts"; summary; exit; }
"$FX/exec_via" fd "$B/viafd" sleep 1 &
"$B/link" sleep 1 &
chroot "$T/root" /bin/inchroot sleep 1 &
"$LONG" sleep 1 &
"$FX/exec_via" memfd "$FX/exec_via" sleep 1 &
"$B/doomed" sleep 0
wait_for "$OUT" ".type == \"new_profile\" and .profile == \"$(stat_key "$B/early")\"" 5
sleep 1.5
check "execveat AT_EMPTY_PATH: the file's path, not /dev/fd/N" \
	test "$(path_of "$(stat_key "$B/viafd")")" = "$B/viafd"
check "symbolic link: the file's path, not the link's" \
	test "$(path_of "$(stat_key "$B/target")")" = "$B/target"
check "chroot: the path from the host's root" \
	test "$(path_of "$(stat_key "$T/root/bin/inchroot")")" = "$T/root/bin/inchroot"
lp=$(path_of "$(stat_key "$LONG")")
check "path of ${#LONG} bytes: marked cut ('...' and its last 252 bytes)" \
	test "$lp" = "...$(printf '%s' "$LONG" | tail -c 252)"
check "ran before ebph: the full path, not the bare name" \
	test "$(path_of "$(stat_key "$B/early")")" = "$B/early"
check "ran before ebph, file deleted: the kernel's bare name, marked '?'" \
	test "$(jq -r "select(.type == \"new_profile\" and .pid == $EARLY2) | .path" "$OUT" | head -n 1)" = "?early2"
mp=$(jq -r 'select(.type == "anon_exec" and .kind == "memfd") | .path' "$OUT" | head -n 1)
check "memfd: no path names it: the profile of its kind, [memfd] ($mp)" test "$mp" = "[memfd]"
"$EBPH" ps -j > "$T/ps.json"
check "ebph ps shows the resolved path of the early process" \
	test "$(jq -r "select(.pid == $EARLY) | .path" "$T/ps.json" | head -n 1)" = "$B/early"
"$EBPH" profiles -j > "$T/profiles.json"
check "ebph profiles lists the same path" \
	test "$(jq -r "select(.profile == \"$(stat_key "$B/viafd")\") | .path" "$T/profiles.json")" = "$B/viafd"
kill "$EARLY" "$EARLY2"; wait "$EARLY" "$EARLY2" 2>/dev/null
STARTED_PIDS=
stop_ebph

KEYS="$(stat_key "$B/viafd") $(stat_key "$B/target") $(stat_key "$T/root/bin/inchroot") \
$(stat_key "$LONG") $(stat_key "$B/early")"
KD=$(stat_key "$B/doomed")
rm "$B/doomed"
start_ebph "$OUT.2" -c "$T/cfg.yaml" -j || fail "ebph starts again"
"$EBPH" profiles -j > "$T/profiles2.json"
stop_ebph
check "after a restart: loaded paths are resolved" \
	test "$(jq -r "select(.profile == \"$(stat_key "$B/target")\") | .path" "$T/profiles2.json")" = "$B/target"
"$EBPH" prune -c "$T/cfg.yaml" --dry-run > "$T/dry" 2>&1
for k in $KEYS; do
	check "prune --dry-run keeps $k" sh -c "! grep -q ' $k ' '$T/dry'"
done
"$EBPH" prune -c "$T/cfg.yaml" > "$T/prune" 2>&1
check "prune deletes the deleted executable's profile ($KD)" grep -Fxq "pruned $KD $B/doomed" "$T/prune"
check "... and only that one of this test's" \
	test "$(grep -c "$T" "$T/prune")" -eq 1
summary
