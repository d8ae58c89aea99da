# SPDX-License-Identifier: GPL-2.0-only
# eval/totals.jq: the per-binary results (an array on input) with rates per
# decision rule, per binary and in total.

# The decision rules: flag an invocation when ...
def rules: ["any", "lfc>=1", "lfc>=5", "lfc>=13", "exec"];
def flagged($rule):
	if $rule == "any" then .anomalies > 0 or .exec_anomalies > 0
	elif $rule == "exec" then .exec_anomalies > 0
	else .lfc_max >= ($rule | ltrimstr("lfc>=") | tonumber) end;

def rates($inv):
	($inv | map(select(.kind == "abuse"))) as $ab
	| ($inv | map(select(.kind == "test"))) as $te
	| [rules[] as $r | {rule: $r,
		detected: ([$ab[] | select(flagged($r))] | length), abuse: ($ab | length),
		false_positives: ([$te[] | select(flagged($r))] | length), legit: ($te | length)}];

{
	machine: {kernel: $kernel, cpus: ($cpus | tonumber), cpu: $cpu},
	ebph: $ebph, version: $version, date: $date,
	rounds: ($rounds | tonumber), seconds: ($secs | tonumber),
	binaries: map(. + {rates: rates(.invocations)}),
	total: {rates: rates([.[].invocations[]])}
}
