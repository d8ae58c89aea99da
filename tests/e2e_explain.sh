#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# e2e_explain.sh: anomalies explain themselves (issue 11, item 2): each
# anomaly names the lookahead pairs that were missing from the profile's
# testing data (the previous call and its distance) and says when the call
# itself was never made; checked against the testing pairs `ebph show -j`
# reports for the same profile. Also the uid of the task (attribution).
. tests/lib.sh
FX=tests/fixtures/bin
MAXRUNS=30

cp "$FX/ph_calls" "$T/x1"
K=$(stat_key "$T/x1")
OUT=$T/out
write_config "$T/c.yaml" normal_wait=1s anomaly_limit=100000 ringbuf_kb=16384
start_ebph "$OUT" -j -c "$T/c.yaml" --no-load || { fail "ebph starts"; summary; exit 1; }
chmod 711 "$T"		# x1 runs as nobody too

if ! train "$K" "$T/x1" run; then
	fail "x1 becomes normal in $MAXRUNS runs"
	summary; exit 1
fi
ok "x1 normal after $RUNS runs"
"$T/x1" write > /dev/null		# one extra write: known call, new pairs
"$T/x1" fork > /dev/null		# fork + wait4: calls never made
setpriv --reuid 65534 --regid 65534 --clear-groups "$T/x1" write > /dev/null
sleep 0.5
"$EBPH" show -j --pairs "$K" > "$T/show.json" 2> "$T/show.err"
check "show -j of the normal profile: exit 0" [ $? -eq 0 ]
jq -c "select(.type == \"anomaly\" and .profile == \"$K\")" "$OUT" > "$T/anom.json"
n=$(wc -l < "$T/anom.json")
check "anomalies reported for x1 ($n)" [ "$n" -gt 0 ]
check "every anomaly has a missing list as long as its misses" \
	[ "$(jq -c 'select((.missing | length) != .misses)' "$T/anom.json" | wc -l)" -eq 0 ]
check "every anomaly carries the uid of its task (root's and nobody's)" \
	[ "$(jq -c 'select(.uid != 0 and .uid != 65534)' "$T/anom.json" | wc -l)" -eq 0 ]
check "nobody's run is attributed to uid 65534" \
	[ "$(jq -c 'select(.uid == 65534 and .syscall == "write")' "$T/anom.json" | wc -l)" -ge 1 ]

# Every (call, prev, distance) an anomaly names as missing is absent from the
# testing pairs, and every other pair its window formed is present.
jq -r '. as $a | [.sequence | length] as [$n] | range(1; $n) as $d |
	[$a.syscall, $a.sequence[$n - 1 - $d], $d,
	 (if ([$a.missing[] | select(.distance == $d)] | length) > 0 then "missing" else "present" end)]
	| @tsv' "$T/anom.json" | sort -u > "$T/claims.tsv"
jq -r 'select(.type == "pair" and .view == "testing") | [.call, .prev, .distance] | @tsv' \
	"$T/show.json" | sort -u > "$T/testing.tsv"
nt=$(wc -l < "$T/testing.tsv")
check "show -j lists the testing pairs ($nt)" [ "$nt" -gt 0 ]
bad=0; nm=0; np=0
while IFS='	' read -r call prev d what; do
	if grep -qx "$call	$prev	$d" "$T/testing.tsv"; then have=present; else have=missing; fi
	[ "$what" = missing ] && nm=$((nm + 1)) || np=$((np + 1))
	if [ "$have" != "$what" ]; then
		bad=$((bad + 1)); printf '#    %s after %s at %s: anomaly says %s, show says %s\n' \
			"$call" "$prev" "$d" "$what" "$have"
	fi
done < "$T/claims.tsv"
check "missing pairs match show -j's testing data ($nm missing, $np present, $bad wrong)" \
	[ "$bad" -eq 0 ] && [ "$nm" -gt 0 ] && [ "$np" -gt 0 ]

check "fork, never made by x1, is reported as a new call" \
	[ "$(jq -c 'select(.syscall == "fork" and .new_call == true)' "$T/anom.json" | wc -l)" -ge 1 ]
check "a known call with new pairs is not a new call" \
	[ "$(jq -c 'select(.syscall == "write" and .new_call == false)' "$T/anom.json" | wc -l)" -ge 1 ]
check "no new_call for a call the testing data has" \
	[ "$(jq -r 'select(.new_call) | .syscall' "$T/anom.json" | while read -r c; do
		grep -q "^$c	" "$T/testing.tsv" && echo "$c"; done | wc -l)" -eq 0 ]

# ---- ebph show: compact view, --diff, --svg (issue 11, item 5) ----
"$EBPH" show -j "$K" > "$T/compact.json"
jq -r 'select(.type == "pair") | [.view, .call, .prev, .distance] | @tsv' "$T/show.json" |
	sort > "$T/pairs.tsv"
jq -r 'select(.type == "call") | .view as $v | .call as $c | .prev[] | .call as $p |
	.distances[] | [$v, $c, $p, .] | @tsv' "$T/compact.json" | sort > "$T/compact.tsv"
check "show (compact): the same pairs as --pairs ($(wc -l < "$T/pairs.tsv"))" \
	sh -c "[ -s '$T/pairs.tsv' ] && cmp -s '$T/pairs.tsv' '$T/compact.tsv'"
check "show (compact): one line per call and view" \
	[ "$(jq -r 'select(.type == "call") | "\(.view) \(.call)"' "$T/compact.json" | sort | uniq -d | wc -l)" -eq 0 ]
"$EBPH" show -j --diff "$K" > "$T/diff.json"
jq -r 'select(.type == "call") | .view as $v | .call as $c | .prev[] | .call as $p |
	.distances[] | [$v, $c, $p, .] | @tsv' "$T/diff.json" | sort > "$T/diff.tsv"
grep '^training' "$T/pairs.tsv" | cut -f2- | sort > "$T/tr.tsv"
grep '^testing' "$T/pairs.tsv" | cut -f2- | sort > "$T/te.tsv"
comm -23 "$T/tr.tsv" "$T/te.tsv" | sed 's/^/added	/' > "$T/want.tsv"
comm -13 "$T/tr.tsv" "$T/te.tsv" | sed 's/^/removed	/' >> "$T/want.tsv"
sort -o "$T/want.tsv" "$T/want.tsv"
check "show --diff: training minus testing, and the reverse ($(grep -c '^added' "$T/diff.tsv") added)" \
	cmp -s "$T/want.tsv" "$T/diff.tsv"
check "show --diff: the extra write's pair (write after write, distance 1) is added" \
	grep -qx 'added	write	write	1' "$T/diff.tsv"
check "show --diff: fork, never made before normal, is added" grep -q '^added	fork	' "$T/diff.tsv"
"$EBPH" show --diff "$K" > "$T/diff.txt"
check "show --diff (text): one line per call, PREV(DISTANCES)" \
	grep -Eq '^  added +write +.*write\(1[,)]' "$T/diff.txt"
"$EBPH" show --svg "$T/x1.svg" "$K"
check "show --svg: exit 0, a well-formed SVG file" \
	sh -c "xmllint --noout '$T/x1.svg' && grep -q '<svg ' '$T/x1.svg' && grep -q 'stroke=\"red\"' '$T/x1.svg'"
"$EBPH" show --svg /nonexistent/dir/x.svg "$K" 2> "$T/svg.err"
check "show --svg into a missing directory: exit 1, named" \
	sh -c "[ $? -eq 1 ] && grep -q '/nonexistent/dir/x.svg' '$T/svg.err'"
"$EBPH" show --pairs --diff "$K" 2> "$T/both.err"
check "show --pairs --diff: usage error (exit 2)" [ $? -eq 2 ]

# The same explanation in text mode, after a restart that loads the saved
# normal profile: on the anomaly's line, the missing pairs as prev@distance.
stop_ebph; check "ebph exits 0 (and saves)" [ $? -eq 0 ]
start_ebph "$T/text" -c "$T/c.yaml" || fail "ebph starts (text)"
"$T/x1" write > /dev/null
sleep 0.3
stop_ebph
line=$(grep "^anomaly .*/x1 level=[a-z]* write misses=" "$T/text" | head -n 1)
printf '#    %s\n' "$line"
check "text: the anomaly line names the missing pairs" \
	sh -c "echo '$line' | grep -Eq ' misses=[0-9]+ lfc=[0-9]+ missing=([a-z0-9_]+@[1-8],?)+ seq='"
summary
