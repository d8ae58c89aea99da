/* SPDX-License-Identifier: GPL-2.0-only */
/* steer.c: the commands that change profiles: normalize, sensitize,
 * tolerize, delete, notolerize, autotolerize (live or saved) and prune. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"
#include "output.h"

/* What command did to a live profile: before it and after it (NULL: the
 * profile is gone); path is the caller's buffer. */
static void steer_live_change(struct admin_change *c, const char *command,
			      const struct ebph_profile *before,
			      const struct ebph_profile *after, const char *path)
{
	c->command = command;
	c->key = &before->key;
	c->path = path;
	c->source = "live";
	c->old_state = before->state;
	c->old_train_count = before->train_count;
	c->state = after ? after->state : before->state;
	c->train_count = after ? after->train_count : 0;
	c->file = -1;
	c->now = now_wall();
}

/* What command on the saved profile p starts from (the caller sets state
 * and train_count once it knows them). */
static void steer_saved_change(struct admin_change *c, const char *command,
			       const struct store_profile *p)
{
	c->command = command;
	c->key = &p->key;
	c->path = p->path;
	c->source = "saved";
	c->old_state = p->state;
	c->old_train_count = p->train_count;
	c->file = -1;
	c->now = now_wall();
}

static int cmd_steer_live(const struct admin_opts *o, const struct admin_live *l,
			  const struct ebph_config *cfg)
{
	struct admin_change c = { 0 };
	struct ebph_profile *before, *after;
	char path[EBPH_PATH_MAX], err[512];
	__u32 slot;
	int ret;

	if (live_target(o, l, &slot))
		return 1;
	before = live_profile(l, slot);
	if (!before) {
		out_warn("ebph: %s: the profile vanished",
			o->target ? o->target : "--pid");
		return 1;
	}
	if (o->cmd->id != ADM_DELETE && !live_unchanged(l, slot, o->cmd->op, &c.unchanged) &&
	    c.unchanged) {
		live_path(l, slot, path);
		steer_live_change(&c, o->cmd->name, before, before, path);
		admin_change_line(stdout, o->json, &c);
		free(before);
		return 0;
	}
	ret = live_command(l, o->cmd->op, slot);
	if (ret) {
		out_warn("ebph: %s %s: the running ebph (PID %d) refused: %s",
			o->cmd->name, o->target ? o->target : "--pid", (int)l->pid, strerror(-ret));
		free(before);
		return 1;
	}
	after = live_profile(l, slot);
	live_path(l, slot, path);
	steer_live_change(&c, o->cmd->name, before, after, path);
	if (o->cmd->id == ADM_DELETE) {
		ret = store_delete(cfg->state_dir, &before->key, err, sizeof(err));
		if (ret && ret != -ENOENT)
			out_warn("ebph: the profile was forgotten, but its saved file "
				"remains: %s", err);
		c.file = ret == 0;
	}
	admin_change_line(stdout, o->json, &c);
	free(before);
	free(after);
	return 0;
}

/* normalize --frozen / --stable-for on the running monitor: every frozen
 * profile (frozen for at least o->stable_for seconds). 0, or 1 if one failed. */
static int cmd_normalize_live(const struct admin_opts *o, const struct admin_live *l)
{
	__u32 n = maps_profile_slots(&l->m), slot, done = 0;
	__u64 boot = now_boot();
	char path[EBPH_PATH_MAX];
	int status = 0, ret;

	for (slot = 0; slot < n; slot++) {
		struct ebph_profile *before = live_profile(l, slot), *after;
		struct admin_change c = { 0 };

		if (!before)
			continue;
		if ((!before->key.dev && !before->key.ino) || before->state != EBPH_FROZEN ||
		    (o->stable_for && (!before->frozen_since ||
				       boot - before->frozen_since < o->stable_for * 1000000000ULL))) {
			free(before);
			continue;
		}
		ret = live_command(l, EBPH_CMD_NORMALIZE, slot);
		live_path(l, slot, path);
		if (ret) {
			out_warn("ebph: normalize %s: the running ebph (PID %d) refused: %s", path,
				 (int)l->pid, strerror(-ret));
			status = 1;
			free(before);
			continue;
		}
		after = live_profile(l, slot);
		steer_live_change(&c, o->cmd->name, before, after, path);
		admin_change_line(stdout, o->json, &c);
		done++;
		free(before);
		free(after);
	}
	if (!done && !status)
		fprintf(stderr, "ebph: normalize: no profile is frozen%s\n",
			o->stable_for ? " for that long" : "");
	return status;
}

/* normalize --frozen on the saved profiles (no monitor running). */
static int cmd_normalize_saved(const struct admin_opts *o, const struct ebph_config *cfg)
{
	struct saved_set s;
	char err[512];
	size_t i, done = 0;
	int status = 0, ret;

	if (o->stable_for) {
		out_warn("ebph: normalize --stable-for: needs the running monitor (saved "
			 "profiles do not record when they froze); use --frozen");
		return 1;
	}
	if (saved_load(cfg, NULL, &s))
		return 1;
	for (i = 0; i < s.n; i++) {
		struct store_profile *p = &s.p[i];
		struct admin_change c = { 0 };

		if (p->state != EBPH_FROZEN)
			continue;
		steer_saved_change(&c, o->cmd->name, p);
		ret = admin_apply_saved(p, EBPH_CMD_NORMALIZE, c.now);
		if (!ret)
			ret = store_save(cfg->state_dir, cfg->window, p, 1, NULL, err, sizeof(err));
		else
			snprintf(err, sizeof(err), "%s", strerror(-ret));
		if (ret) {
			out_warn("ebph: normalize %s: nothing changed: %s", p->path, err);
			status = 1;
			continue;
		}
		c.state = p->state;
		c.train_count = p->train_count;
		admin_change_line(stdout, o->json, &c);
		done++;
	}
	if (!done && !status)
		fprintf(stderr, "ebph: normalize: no saved profile is frozen\n");
	saved_free(&s);
	return status;
}

static int cmd_steer_saved(const struct admin_opts *o, const struct ebph_config *cfg)
{
	struct admin_change c = { 0 };
	struct store_profile *p;
	struct saved_set s;
	struct ebph_key key;
	char err[512];
	int ret;

	if (saved_target(o, cfg, &key, &s))
		return 1;
	p = &s.p[0];
	steer_saved_change(&c, o->cmd->name, p);
	if (o->cmd->id == ADM_DELETE) {
		ret = store_delete(cfg->state_dir, &key, err, sizeof(err));
		if (ret) {
			out_warn("ebph: cannot delete: %s", err);
			saved_free(&s);
			return 1;
		}
		c.state = ADMIN_STATE_GONE;
		c.file = 1;
	} else if ((c.unchanged = admin_unchanged(p, o->cmd->op))) {
		c.state = p->state;
		c.train_count = p->train_count;
	} else {
		ret = admin_apply_saved(p, o->cmd->op, c.now);
		if (!ret) {
			ret = store_save(cfg->state_dir, cfg->window, p, 1, NULL, err, sizeof(err));
			if (ret) {
				out_warn("ebph: %s: nothing changed: %s", o->target, err);
				saved_free(&s);
				return 1;
			}
		} else {
			out_warn("ebph: %s: %s", o->target, strerror(-ret));
			saved_free(&s);
			return 1;
		}
		c.state = p->state;
		c.train_count = p->train_count;
	}
	admin_change_line(stdout, o->json, &c);
	saved_free(&s);
	return 0;
}

/* The steering commands: on PROFILE (or --pid), or normalize --frozen (or
 * --stable-for); on the running monitor if there is one, else saved. */
int cmd_steer(const struct admin_opts *o, struct admin_ctx *x)
{
	if (o->frozen)
		return x->l ? cmd_normalize_live(o, x->l) : cmd_normalize_saved(o, &x->cfg);
	return x->l ? cmd_steer_live(o, x->l, &x->cfg) : cmd_steer_saved(o, &x->cfg);
}

/* Before a saved profile is pruned: the running monitor forgets it (its
 * BPF command program), so that its next save does not write it again. */
static int prune_forget(const struct ebph_key *key, void *arg)
{
	const struct admin_live *l = arg;
	__u32 slot;
	int ret;

	if (maps_find(&l->m, key, &slot))
		return 0;	/* not loaded in the monitor */
	ret = live_command(l, EBPH_CMD_FORGET, slot);
	if (ret && ret != -ENOENT) {
		out_warn("ebph: prune %llu:%llu: the running ebph (PID %d) refused to forget "
			 "it: %s; its file is kept", (unsigned long long)out_user_dev(key->dev),
			 (unsigned long long)key->ino, (int)l->pid, strerror(-ret));
		return ret;
	}
	return 0;
}

/* ebph prune: delete the saved profiles of executables that no longer
 * exist; a running monitor forgets them first (prune_forget). */
int cmd_prune(const struct admin_opts *o, struct admin_ctx *x)
{
	const struct ebph_config *cfg = &x->cfg;
	pid_t pid = x->pid;
	struct admin_live live;
	char err[512];
	int ret;

	if (pid && live_open(&live, pid))
		return 1;
	ret = store_dir_check(cfg->state_dir, 0, err, sizeof(err));
	if (!ret)
		ret = store_prune_with(cfg->state_dir, o->dry_run, stdout,
				       pid ? prune_forget : NULL, &live, err, sizeof(err));
	if (pid)
		live_close(&live);
	if (ret < 0) {
		out_warn("ebph: %s", err);
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
