/* SPDX-License-Identifier: GPL-2.0-only */
/* saved.c: the saved profiles the commands act on when no monitor runs:
 * loading them, finding PROFILE, and an operator command on a profile's
 * store image (what it changes, or why it changes nothing). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"
#include "output.h"

/* The row of call in a sorted view, or NULL. */
static const struct store_row *admin_view_row(const struct store_row *rows, __u32 n, __u32 call)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (rows[i].call == call)
			return &rows[i];
	return NULL;
}

/* Rows a saved profile takes once loaded (as maps_add_profile lays it out). */
void admin_saved_rows(const struct store_profile *p, __u64 *rows, __u64 *snap)
{
	__u32 r, s;
	int split;

	store_rows_needed(p, &r, &s, &split);
	*rows = r;
	*snap = s;
}

/* The exec graph after a command: normalize (the training view becomes
 * the testing view) or sensitize (the training view is forgotten); edges in
 * no view are dropped. */
static void admin_edges_view(struct store_profile *p, int normalize)
{
	__u32 i, n = 0;

	for (i = 0; i < p->nedges; i++) {
		if (normalize)
			p->edges[i].test = p->edges[i].train;
		else
			p->edges[i].train = 0;
		if (p->edges[i].train || p->edges[i].test)
			p->edges[n++] = p->edges[i];
	}
	p->nedges = n;
}

/* A profile that is no longer normal has no testing view of its exec
 * graph: keep the edges in its training data, drop the others. */
static void admin_untest_edges(struct store_profile *p)
{
	__u32 i, n = 0;

	for (i = 0; i < p->nedges; i++) {
		p->edges[i].test = 0;
		if (p->edges[i].train)
			p->edges[n++] = p->edges[i];
	}
	p->nedges = n;
}

/*
 * An operator command on a saved profile, with the meanings the BPF program
 * gives them (ph.h): normalize copies training to testing, state normal,
 * anomalies 0, training counters restart; sensitize forgets the training
 * data and its counters (frozen goes back to training); tolerize stops
 * normal monitoring (training, anomalies 0). now is wall-clock ns.
 * 0, -ENOMEM or -EINVAL (unknown op); p is unchanged on error.
 */
int admin_apply_saved(struct store_profile *p, __u32 op, __s64 now)
{
	struct store_row *copy;

	switch (op) {
	case EBPH_CMD_NORMALIZE:
		copy = malloc((p->ntrain ? p->ntrain : 1) * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		if (p->ntrain)
			memcpy(copy, p->train, p->ntrain * sizeof(*copy));
		free(p->test);
		p->test = copy;
		p->ntest = p->ntrain;
		p->state = EBPH_NORMAL;
		p->normal_since = now;
		p->normal_time = 0;
		p->anomalies = 0;
		p->episodes = 0;
		p->episode_first = 0;
		admin_edges_view(p, 1);
		p->train_count = 0;
		p->last_mod_count = 0;
		return 0;
	case EBPH_CMD_SENSITIZE:
		admin_edges_view(p, 0);
		p->ntrain = 0;
		p->train_count = 0;
		p->last_mod_count = 0;
		p->sequences = 0;
		p->anomalies = 0;
		if (p->state == EBPH_FROZEN) {
			p->state = EBPH_TRAINING;
			p->normal_time = 0;
		}
		return 0;
	case EBPH_CMD_TOLERIZE:
		p->state = EBPH_TRAINING;
		p->anomalies = 0;
		p->ntest = 0;
		p->normal_time = 0;
		p->normal_since = 0;
		p->episodes = 0;
		p->episode_first = 0;
		admin_untest_edges(p);
		return 0;
	case EBPH_CMD_NO_TOLERIZE:
		p->pflags |= EBPH_PF_NO_TOLERIZE;
		return 0;
	case EBPH_CMD_AUTO_TOLERIZE:
		p->pflags &= ~EBPH_PF_NO_TOLERIZE;
		return 0;
	}
	return -EINVAL;
}

/* Why op would change nothing in profile p ("already training"), or NULL if
 * it changes something: tolerize on a training profile, sensitize with no
 * training data or counters to forget, normalize on a normal profile without
 * anomalies whose training pairs already are its testing pairs. */
const char *admin_unchanged(const struct store_profile *p, __u32 op)
{
	__u32 i;

	switch (op) {
	case EBPH_CMD_TOLERIZE:
		return p->state == EBPH_TRAINING ? "already training" : NULL;
	case EBPH_CMD_NO_TOLERIZE:
		return p->pflags & EBPH_PF_NO_TOLERIZE ? "already no_tolerize" : NULL;
	case EBPH_CMD_AUTO_TOLERIZE:
		return p->pflags & EBPH_PF_NO_TOLERIZE ? NULL : "anomaly_limit already applies";
	case EBPH_CMD_SENSITIZE:
		if (p->ntrain || p->train_count || p->last_mod_count || p->sequences ||
		    p->anomalies || p->state == EBPH_FROZEN)
			return NULL;
		return "no training data to forget";
	case EBPH_CMD_NORMALIZE:
		if (p->state != EBPH_NORMAL || p->anomalies || p->ntrain != p->ntest)
			return NULL;
		for (i = 0; i < p->ntrain; i++) {
			const struct store_row *t = admin_view_row(p->test, p->ntest,
								   p->train[i].call);

			if (!t || memcmp(t->bits, p->train[i].bits, EBPH_ROW_BYTES))
				return NULL;
		}
		return "already normal with these pairs";
	}
	return NULL;
}

static int saved_collect(struct store_profile *p, void *arg)
{
	struct saved_set *s = arg;
	struct store_profile *grown;

	if (s->only && memcmp(&p->key, s->only, sizeof(p->key))) {
		store_profile_free(p);
		return 0;
	}
	if (s->n == s->cap) {
		grown = realloc(s->p, (s->cap ? 2 * s->cap : 16) * sizeof(*grown));
		if (!grown) {
			store_profile_free(p);
			return -ENOMEM;
		}
		s->p = grown;
		s->cap = s->cap ? 2 * s->cap : 16;
	}
	s->p[s->n++] = *p;
	return 0;
}

void saved_free(struct saved_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		store_profile_free(&s->p[i]);
	free(s->p);
	s->p = NULL;
	s->n = s->cap = 0;
}

/* Load the saved profiles of cfg's state_dir (only key's if given). 0 or 1. */
int saved_load(const struct ebph_config *cfg, const struct ebph_key *key,
	       struct saved_set *s)
{
	char err[512];
	int ret;

	memset(s, 0, sizeof(*s));
	s->only = key;
	ret = store_load(cfg->state_dir, cfg->window, saved_collect, s, err, sizeof(err));
	if (ret < 0) {
		out_warn("ebph: no running ebph, and the saved profiles are unreadable: "
			"%s", err);
		saved_free(s);
		return 1;
	}
	return 0;
}

/* The saved profile PROFILE names, loaded into s (s->n == 1). 0, or 1. */
int saved_target(const struct admin_opts *o, const struct ebph_config *cfg,
		 struct ebph_key *key, struct saved_set *s)
{
	char k[80];

	if (o->pid) {
		fprintf(stderr, "ebph: --pid %ld: no running ebph monitor (--pid needs one)\n",
			o->pid);
		return 1;
	}
	if (target_key(o->target, key))
		return 1;
	if (saved_load(cfg, key, s))
		return 1;
	if (!s->n) {
		out_key_str(k, sizeof(k), key);
		out_warn("ebph: %s: no saved profile (key %s) in %s, and no running ebph",
			o->target, k, cfg->state_dir);
		saved_free(s);
		return 1;
	}
	return 0;
}
