/* SPDX-License-Identifier: GPL-2.0-only */
/* show.h: a profile's lookahead pairs for a person (ebph show). */
#ifndef EBPH_SHOW_H
#define EBPH_SHOW_H

#include <stdio.h>

#include "store.h"

enum show_mode {
	SHOW_COMPACT = 0,	/* a line per call: previous calls with their distances */
	SHOW_PAIRS = 1,		/* a line per pair (call, previous call, distance) */
	SHOW_DIFF = 2,		/* what a normalize would change: training minus
				 * testing ("added"), testing minus training ("removed") */
};

struct show_profile {
	const struct store_profile *p;
	const char *key;	/* "DEV:INO" as ebph prints it */
	__s64 now;		/* JSON: the objects' time, wall ns */
	int json;
};

/*
 * The pairs of s->p in a mode, after its profile line: text (a header line,
 * then a line per call or per pair) or JSON lines ("type" "call" or "pair").
 * Compact and pair modes show the training view, and the testing view of a
 * normal profile; the diff mode shows both differences.
 */
void show_pairs(FILE *f, const struct show_profile *s, enum show_mode mode);

/*
 * The profile as an SVG heat map (current call x previous call, a cell's
 * colour the number of distances seen; testing and training side by side
 * for a normal profile, pairs training has and testing lacks outlined).
 * 0, or -1 if it could not be written (memory, a write error).
 */
int show_svg(FILE *f, const struct show_profile *s);

#endif
