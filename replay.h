/* SPDX-License-Identifier: GPL-2.0-only */
/* replay.h: ebph replay: the pH algorithm of ph.h (or stide) over recorded
 * traces, and the evaluation of a detector on labelled sets. */
#ifndef EBPH_REPLAY_H
#define EBPH_REPLAY_H

#include <stdio.h>
#include <linux/types.h>

#include "config.h"
#include "trace.h"

enum replay_detector {
	RP_LOOKAHEAD = 0,	/* pH's lookahead pairs (ph.h) */
	RP_STIDE = 1,		/* stide: exact sequences of length k */
};

/* Virtual time of a call in a trace without times (ADFA-LD, UNM). */
#define RP_CALL_NS	1000000ULL

/* The option texts of ebph replay and ebph record --help (admin.c). */
extern const char replay_help_text[];
extern const char record_help_text[];

/* One trace's result in an evaluation. */
struct rp_trace_result {
	char *name;		/* file */
	int attack;		/* 1: from the attack set */
	__u64 calls;
	__u64 anomalies;
	__u32 max_lfc;
	__u64 first;		/* call number (from 1) of the first anomaly, 0 = none */
};

/* Totals of an evaluation. */
struct rp_eval {
	struct rp_trace_result *res;
	size_t n;
	size_t normal, attack;		/* traces of each set (parsed) */
	size_t skipped;			/* malformed traces left out */
	size_t detected, false_pos;	/* at the configured rule (max lfc > tolerize_limit) */
	double tpr, fpr;
	double auc_lfc, auc_count;	/* ROC areas of the sweeps on max lfc, anomaly count */
};

/* Options of an evaluation. */
struct rp_eval_opts {
	const struct ebph_config *cfg;
	int detector;		/* enum replay_detector */
	__u32 k;		/* stide: sequence length, 2..9 */
	int format;		/* enum trace_format */
	int strict;
	const char *profile;	/* traces without an exec: this profile */
	const char *train, *normal, *attack;	/* directories */
};

/* Train, normalise, test: fill ev (free with replay_eval_free). 0, 1 (a
 * runtime failure: message printed), 2 (bad input with --strict). */
int replay_evaluate(const struct rp_eval_opts *o, struct rp_eval *ev);
void replay_eval_free(struct rp_eval *ev);
/* The evaluation as a table or JSON lines; its ROC curves as SVG. */
void replay_eval_print(FILE *f, const struct rp_eval *ev, int json, __u32 tolerize_limit);
void replay_roc_svg(FILE *f, const struct rp_eval *ev);

/* ebph replay ARGS (argv[0] "replay"): the exit status. */
int replay_main(int argc, char **argv);
/* ebph record ARGS (argv[0] "record", record.c): the exit status. */
int record_main(int argc, char **argv);

#endif
