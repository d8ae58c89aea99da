# SPDX-License-Identifier: GPL-2.0-only
# eval/table.jq: the results JSON as a table (detection rate over abuse
# techniques, false-positive rate over held-out legitimate invocations).
def pct($a; $b): if $b == 0 then "-" else ((100 * $a / $b + 0.5) | floor | tostring) + "%" end;
def pad($n): tostring | if length >= $n then . else . + (" " * ($n - length)) end;
def lpad($n): tostring | if length >= $n then . else (" " * ($n - length)) + . end;
def row($name; $frz; $r):
	($name | pad(9)) + ($frz | lpad(4)) + " " +
	([$r[] | (pct(.detected; .abuse) | lpad(5)) + (pct(.false_positives; .legit) | lpad(5))]
	 | join("  "));

"ebph eval: \(.version) on Linux \(.machine.kernel), \(.machine.cpus) CPUs, \(.rounds) training rounds, monitors ran \([.binaries[].seconds] | add) s (\(.seconds) s in all)",
"det = abuse techniques flagged, fp = held-out legitimate invocations flagged;",
"frz = training round in which the profile froze (- = never)",
"",
("" | pad(9)) + "     " + ([.total.rates[].rule | pad(10) | lpad(12)] | join("")),
("binary" | pad(9)) + " frz " + ([.total.rates[] | "  det   fp"] | join("  ")),
(.binaries[] | row(.binary; (.froze_round // "-"); .rates)
	+ "   (\(.rates[0].abuse) abuse, \(.rates[0].legit) legit)"),
row("total"; ""; .total.rates)
	+ "   (\(.total.rates[0].abuse) abuse, \(.total.rates[0].legit) legit)"
