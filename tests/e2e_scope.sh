#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_scope.sh: profile scope (issue 13 item 5, ebph(8) PROFILE SCOPE). With
# profile_scope: cgroup, one executable run in two cgroups keeps two
# profiles with distinct scopes and counts; a cgroup removed and made again
# at the same path (a service restart) gets its profile back; saved scoped
# profiles reload with their scope and cgroup path; PROFILE takes ~cHEX and
# ~c/CGROUP; the default (executable) scope keeps one profile, keys as before;
# the JSON "profile" is the key text output prints, and ebph show takes it.
. tests/lib.sh
FX=tests/fixtures/bin

note() { printf '#    %s\n' "$*"; }
# the cgroup v2 mount (hybrid hosts have it at /sys/fs/cgroup/unified)
CGM=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CGM" ] || { fail "a cgroup2 mount"; summary; exit 1; }
REL=/ebph-e2e-scope-$$
CGT=$CGM$REL
mkdir -p "$CGT/a" "$CGT/b" || { fail "cgroups made in $CGT"; summary; exit 1; }
scope_cleanup() {
	for c in a b; do [ -d "$CGT/$c" ] && rmdir "$CGT/$c"; done
	[ -d "$CGT" ] && rmdir "$CGT"
}
trap 'cleanup; scope_cleanup' EXIT
# in CG CMD...: run CMD in cgroup $CGT/CG (a shell moves itself there, then execs)
in_cg() { cg=$1; shift; sh -c "echo \$\$ > '$CGT/$cg/cgroup.procs' && exec \"\$@\"" sh "$@" > /dev/null; }
# pj KEY FIELD: FIELD of KEY's line in `ebph profiles -j`
pj() { "$EBPH" profiles -j | jq -r "select(.profile == \"$1\") | .$2"; }
# scope_of OUT PROFILE-PREFIX CGROUP: the scope of the new_profile event of the exec in CGROUP
new_scope() { jq -r "select(.type == \"new_profile\" and .path == \"$T/prog\" and .cgroup == \"$1\") | .scope" "$OUT" | head -n 1; }

cp "$FX/hello" "$T/prog"
K=$(stat_key "$T/prog")
write_config "$T/c.yaml" save_interval=0 profile_scope=cgroup
OUT=$T/out
start_ebph "$OUT" -j -c "$T/c.yaml" || { fail "ebph starts with profile_scope: cgroup"; summary; exit 1; }
in_cg a "$T/prog"; in_cg a "$T/prog"; in_cg b "$T/prog"
"$T/prog" > /dev/null	# the root cgroup: the executable's own profile
printf 'true\n' > "$T/s.sh"
in_cg a /bin/sh "$T/s.sh"	# a script: (interpreter, script, scope)
cp /bin/true "$T/dyn"
in_cg a /lib64/ld-linux-x86-64.so.2 "$T/dyn"	# ld.so PROG: PROG with the loader's scope
wait_for "$OUT" ".type == \"new_profile\" and .profile == \"$K\"" 5
SA=$(new_scope "$REL/a"); SB=$(new_scope "$REL/b")
note "scopes: $REL/a $SA, $REL/b $SB"
check "1: a profile per cgroup, each with a scope" \
	sh -c "[ -n '$SA' ] && [ '$SA' != null ] && [ -n '$SB' ] && [ '$SB' != null ] && [ '$SA' != '$SB' ]"
check "1: the new_profile keys say the scope ($K~c$SA, $K~c$SB)" \
	sh -c "[ \$(jq -c 'select(.type == \"new_profile\" and (.profile == \"$K~c$SA\" or .profile == \"$K~c$SB\"))' '$OUT' | wc -l) -eq 2 ]"
check "1: the root cgroup keeps the unscoped key $K (scope null)" \
	sh -c "[ \$(jq -c 'select(.type == \"new_profile\" and .profile == \"$K\" and .scope == null)' '$OUT' | wc -l) -eq 1 ]"
check "1: a script keeps the scope of its exec (~s..~c$SA)" \
	sh -c "jq -r 'select(.type == \"new_profile\") | .profile' '$OUT' | grep -q '~s[0-9a-f]*~c$SA\$'"
KD=$(stat_key "$T/dyn")
wait_for "$OUT" ".type == \"loader_exec\" and .program == \"dyn\"" 5
check "1: ld.so PROG: PROG's profile has the loader's scope ($KD~c$SA)" \
	[ "$(count "$OUT" ".type == \"loader_exec\" and .profile == \"$KD~c$SA\"")" -eq 1 ]
CA=$(pj "$K~c$SA" train_count); CB=$(pj "$K~c$SB" train_count); C0=$(pj "$K" train_count)
note "train_count: a $CA (2 runs), b $CB (1 run), root $C0 (1 run)"
check "1: distinct counts: a's is twice b's" sh -c "[ -n '$CA' ] && [ -n '$CB' ] && [ '$CB' -gt 0 ] && [ '$CA' -eq \$(( $CB * 2 )) ]"
check "1: profiles names the cgroup of a scope" [ "$(pj "$K~c$SA" cgroup)" = "$REL/a" ]
# user space hashes a path as the BPF program does: ~c/CGROUP finds the profile
got=$("$EBPH" show -j "$T/prog~c$REL/b" | head -n 1 | jq -r .profile)
check "2: show PATH~c/CGROUP is the scoped profile ($got)" [ "$got" = "$K~c$SB" ]
got=$("$EBPH" show -j "$K~c$SA" | head -n 1 | jq -r .train_count)
check "2: show DEV:INO~cHEX works ($got)" [ "$got" = "$CA" ]
"$EBPH" show "$K~c12g" > /dev/null 2> "$T/bad.err"; rc=$?
check "2: a bad scope is refused ($(cat "$T/bad.err"))" \
	sh -c "[ $rc -ne 0 ] && grep -q '^ebph: $K~c12g: bad scope' '$T/bad.err'"

# a service restart: its cgroup goes away and comes back at the same path
ida=$(stat -c %i "$CGT/a")
rmdir "$CGT/a" && mkdir "$CGT/a"
note "cgroup id of $REL/a: $ida, then $(stat -c %i "$CGT/a")"
check "3: the re-created cgroup is a new cgroup (new id)" [ "$(stat -c %i "$CGT/a")" != "$ida" ]
in_cg a "$T/prog"
sleep 0.5
check "3: same path, same profile: no new profile" \
	[ "$(count "$OUT" ".type == \"new_profile\" and .profile == \"$K~c$SA\"")" -eq 1 ]
check "3: ... and it went on counting" [ "$(pj "$K~c$SA" train_count)" -gt "$CA" ]
CA=$(pj "$K~c$SA" train_count)
"$EBPH" profiles -j > "$T/profiles.json"
stop_ebph
/usr/bin/python3 tests/validate_events.py docs/events.schema.json "$OUT" "$T/profiles.json" \
	> "$T/valid.out" 2>&1
check "4: events and profiles with scopes match docs/events.schema.json ($(tail -n 1 "$T/valid.out"))" \
	[ $? -eq 0 ]
FA=$(ls "$T/state" | grep "^[0-9a-f]*-$(printf %x "${K#*:}")~c$SA\.prof\$")
check "4: the saved file's name has the scope ($FA)" [ -n "$FA" ]
check "4: the file records the cgroup path (trailer)" grep -qa "$REL/a" "$T/state/$FA"
check "4: the root cgroup's profile file is named as before" \
	sh -c "ls '$T/state' | grep -v '~' | grep -q ."

# reload: the cgroups are gone; the profiles come back with scope and path
rmdir "$CGT/a" "$CGT/b"
start_ebph "$OUT" -j -c "$T/c.yaml" || { fail "ebph restarts"; summary; exit 1; }
check "5: the scoped profile reloads with its count" [ "$(pj "$K~c$SA" train_count)" = "$CA" ]
check "5: ... its scope and cgroup path (from the file)" \
	[ "$("$EBPH" profiles -j | jq -r "select(.profile == \"$K~c$SA\") | .scope + \" \" + .cgroup")" = "$SA $REL/a" ]
mkdir "$CGT/a" "$CGT/b"
in_cg a "$T/prog"
sleep 0.5
check "5: an exec in the re-made cgroup uses the reloaded profile" \
	sh -c "[ \$(jq -c 'select(.type == \"new_profile\" and .profile == \"$K~c$SA\")' '$OUT' | wc -l) -eq 0 ] &&
	       [ \$('$EBPH' profiles -j | jq -r 'select(.profile == \"$K~c$SA\") | .train_count') -gt $CA ]"
stop_ebph

# the default scope: one profile for the executable wherever it runs
write_config "$T/d.yaml" save_interval=0 state_dir="$T/state2"
start_ebph "$OUT" -j -c "$T/d.yaml" || { fail "ebph starts with the default scope"; summary; exit 1; }
in_cg a "$T/prog"; in_cg b "$T/prog"
sleep 0.5
check "6: executable scope: one profile, key $K, in both cgroups" \
	sh -c "[ \$(jq -c 'select(.type == \"new_profile\" and .path == \"$T/prog\")' '$OUT' | wc -l) -eq 1 ] &&
	       [ \$(jq -r 'select(.type == \"new_profile\" and .path == \"$T/prog\") | .profile' '$OUT') = '$K' ]"
check "6: ... which counts both runs" [ "$(pj "$K" train_count)" -eq $((CB * 2)) ]
stop_ebph

# one key text everywhere: text output (stdout) and the events file (JSON) of
# one run name the script's scoped profile alike, ebph show finds it by that
# text, and the -s summary's profile object (events file) names it so too
EV=$T/events.json
write_config "$T/k.yaml" save_interval=0 profile_scope=cgroup state_dir="$T/state3" \
	events_file="$EV"
start_ebph "$T/text" -s -c "$T/k.yaml" || { fail "ebph starts with text output"; summary; exit 1; }
in_cg a /bin/sh "$T/s.sh"
wait_for "$EV" '.type == "new_profile" and (.profile | test("~s[0-9a-f]+~c"))' 5
KJ=$(jq -r 'select(.type == "new_profile" and (.profile | test("~s[0-9a-f]+~c"))) | .profile' \
	"$EV" | head -n 1)
KT=$(sed -n 's/^new_profile .* (\([0-9]*:[0-9]*~s[0-9a-f]*~c[0-9a-f]*\))$/\1/p' "$T/text" | head -n 1)
note "script key: JSON $KJ, text $KT"
check "7: JSON profile of the script's new_profile is the key text output prints" \
	sh -c "[ -n '$KJ' ] && [ '$KJ' = '$KT' ] && [ '${KJ%%~*}' = '$(stat_key /bin/sh)' ]"
check "7: ... and ebph profiles lists it by that key" \
	sh -c "'$EBPH' profiles | awk '{ print \$1 }' | grep -qxF '$KJ'"
got=$("$EBPH" show -j "$KJ" | head -n 1 | jq -r '.profile + " " + .path')
check "7: ebph show <JSON profile> finds that profile ($got)" \
	[ "$got" = "$KJ $(jq -r "select(.type == \"new_profile\" and .profile == \"$KJ\") | .path" "$EV" | head -n 1)" ]
stop_ebph
check "7: the -s summary's profile object has the whole key" \
	[ "$(count "$EV" ".type == \"profile\" and .profile == \"$KJ\"")" -eq 1 ]
/usr/bin/python3 tests/validate_events.py docs/events.schema.json "$EV" > "$T/valid7.out" 2>&1
rc=$?
check "7: the events file matches docs/events.schema.json ($(tail -n 1 "$T/valid7.out"))" \
	[ $rc -eq 0 ]
summary
