# SPDX-License-Identifier: GPL-2.0-only
# gen-labelled.awk: a synthetic labelled trace set for ebph replay's
# evaluation (ADFA-LD layout, -f adfa): a "program" is a Markov chain over 30
# calls, each with two successors (p 0.8 and 0.2); train/ and normal/ hold
# walks of 400 calls, attack/ the same walks with 6 calls drawn uniformly
# injected in the middle. Run in an empty directory:
#   mkdir train normal attack && awk -v seed=7 -v ntrain=20 -f gen-labelled.awk
function walk(n, inj,   i, j, s, out) {
	s = 0
	out = ""
	for (i = 0; i < n; i++) {
		if (inj && i == int(n / 2))
			for (j = 0; j < 6; j++)
				out = out " " int(rand() * 30)
		out = out " " s
		s = (rand() < 0.8) ? a[s] : b[s]
	}
	return out
}
BEGIN {
	srand(seed)
	for (s = 0; s < 30; s++) {
		a[s] = int(rand() * 30)
		b[s] = int(rand() * 30)
	}
	for (t = 0; t < ntrain; t++)
		print walk(400, 0) > ("train/" t)
	for (t = 0; t < 100; t++)
		print walk(400, 0) > ("normal/" t)
	for (t = 0; t < 100; t++)
		print walk(400, 1) > ("attack/" t)
}
