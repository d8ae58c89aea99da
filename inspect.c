/* SPDX-License-Identifier: GPL-2.0-only */
/* inspect.c: the commands that read: ps, profiles, show and the hidden
 * check, on the running monitor or the saved profiles. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>

#include "bcc_api.h"
#include "admin_int.h"
#include "output.h"

/* A thread's name as the kernel keeps it: every byte, newlines included
 * (only the newline /proc adds at the end is dropped). */
static void proc_comm(__u32 pid, __u32 tid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	buf[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = 0;
}

/* Profiles read for ps, by slot (each read once). */
struct prof_cache {
	struct ebph_profile **prof;
	char **path;
	__u32 n;
};

static const struct ebph_profile *cache_get(struct prof_cache *c, const struct admin_live *l,
					    __u32 slot, const char **path)
{
	char buf[EBPH_PATH_MAX];

	*path = "";
	if (slot >= c->n)
		return NULL;
	if (!c->prof[slot]) {
		c->prof[slot] = live_profile(l, slot);
		if (!c->prof[slot])
			return NULL;
		live_path(l, slot, buf);
		c->path[slot] = strdup(buf);
	}
	*path = c->path[slot] ? c->path[slot] : "";
	return c->prof[slot];
}

static int ps_tasks(const struct admin_opts *o, const struct admin_live *l)
{
	struct admin_rule rule = admin_rule_of(l, NULL);
	struct prof_cache cache = { 0 };
	struct live_task *all = NULL;
	size_t n = 0, i, j, k;
	__u64 boot = now_boot();
	__s64 now = (__s64)boot + l->info.boot_to_wall_ns;
	int ret;

	ret = live_tasks(l, &all, &n);
	if (ret) {
		out_warn("ebph: cannot read the tasks of the running ebph: %s",
			strerror(-ret));
		return 1;
	}
	cache.n = l->info.max_profiles;
	cache.prof = calloc(cache.n ? cache.n : 1, sizeof(*cache.prof));
	cache.path = calloc(cache.n ? cache.n : 1, sizeof(*cache.path));
	if (!cache.prof || !cache.path) {
		fprintf(stderr, "ebph: out of memory\n");
		ret = 1;
		goto out;
	}
	if (!o->json)
		admin_task_header(stdout, o->threads);
	for (i = 0; i < n; i = j) {
		struct live_task *rep = &all[i];
		struct admin_task t = { 0 };
		const struct ebph_profile *prof;
		char comm[ADMIN_COMM_MAX];
		const char *path;

		/* the threads of one process: all[i..j) */
		t.lfc = all[i].t.lfc;
		t.lfc_max = all[i].t.lfc_max;
		for (j = i + 1; !o->threads && j < n && all[j].t.pid == all[i].t.pid; j++) {
			if (all[j].tid == all[j].t.pid)
				rep = &all[j];
			if (all[j].t.lfc > t.lfc)
				t.lfc = all[j].t.lfc;
			if (all[j].t.lfc_max > t.lfc_max)
				t.lfc_max = all[j].t.lfc_max;
		}
		t.threads = (__u32)(j - i);
		t.pid = rep->t.pid;
		t.tid = rep->tid;
		proc_comm(t.pid, t.tid, comm, sizeof(comm));
		t.comm = comm;
		t.now = now;
		prof = rep->t.profile != EBPH_NO_PROFILE ?
			cache_get(&cache, l, rep->t.profile & ~EBPH_LOADER_BIT, &path) : NULL;
		t.path = "";
		if (prof) {
			t.key = &prof->key;
			t.path = path;
			t.state = prof->state;
			t.train_count = prof->train_count;
			t.last_mod_count = prof->last_mod_count;
			t.anomalies = prof->anomalies;
			t.anomalies_total = prof->anomalies_total;
			if (prof->last_anomaly)
				t.last_anomaly = (__s64)prof->last_anomaly +
						 l->info.boot_to_wall_ns;
			if (prof->normal_time)
				t.normal_time = (__s64)prof->normal_time + l->info.boot_to_wall_ns;
			if (prof->normal_since)
				t.normal_since = (__s64)prof->normal_since +
						 l->info.boot_to_wall_ns;
			if (prof->frozen_since && prof->state == EBPH_FROZEN)
				t.frozen_since = (__s64)prof->frozen_since +
						 l->info.boot_to_wall_ns;
			t.rule = &rule;
		}
		for (k = i; k < j; k++) {
			struct ebph_hold h;
			__u32 id = all[k].tid;

			if (l->fd[PROG_MAP_HELD] >= 0 &&
			    !bpf_lookup_elem(l->fd[PROG_MAP_HELD], &id, &h) && h.kind > t.held) {
				t.held = h.kind;
				t.held_until = (__s64)h.until + l->info.boot_to_wall_ns;
			}
		}
		admin_task_line(stdout, o->json, o->threads, &t);
	}
	ret = 0;
out:
	for (i = 0; i < cache.n && cache.prof && cache.path; i++) {
		free(cache.prof[i]);
		free(cache.path[i]);
	}
	free(cache.prof);
	free(cache.path);
	free(all);
	return ret;
}

/* ebph ps: needs the running monitor. */
int cmd_ps(const struct admin_opts *o, struct admin_ctx *x)
{
	if (!x->l) {
		fprintf(stderr, "ebph: no running ebph monitor: no tasks are monitored\n");
		return 1;
	}
	return ps_tasks(o, x->l);
}

int cmd_profiles(const struct admin_opts *o, struct admin_ctx *x)
{
	const struct admin_live *l = x->l;
	const struct ebph_config *cfg = &x->cfg;
	struct admin_prof a = { 0 };
	int status = 0;

	a.now = now_wall();
	a.rule = admin_rule_of(l, cfg);
	if (!o->json)
		admin_profile_header(stdout);
	if (l) {
		__u32 n = maps_profile_slots(&l->m), slot;

		a.source = "live";
		for (slot = 0; slot < n; slot++) {
			struct store_profile p;
			int ret = live_read(l, slot, &p, &a.rows, &a.snapshot_rows);

			if (ret == -ENOENT)
				continue;
			if (ret) {
				out_warn("ebph: cannot read profile slot %u: %s", slot,
					strerror(-ret));
				status = 1;
				continue;
			}
			a.p = &p;
			admin_profile_line(stdout, o->json, &a);
			store_profile_free(&p);
		}
	} else {
		struct saved_set s;
		size_t i;

		if (saved_load(cfg, NULL, &s))
			return 1;
		a.source = "saved";
		for (i = 0; i < s.n; i++) {
			a.p = &s.p[i];
			admin_saved_rows(a.p, &a.rows, &a.snapshot_rows);
			admin_profile_line(stdout, o->json, &a);
		}
		saved_free(&s);
	}
	return status;
}

int cmd_show(const struct admin_opts *o, struct admin_ctx *x)
{
	const struct admin_live *l = x->l;
	const struct ebph_config *cfg = &x->cfg;
	struct admin_prof a = { 0 };
	struct store_profile p;
	struct saved_set s;
	struct ebph_key key;
	__u32 slot;
	int ret;

	a.now = now_wall();
	a.rule = admin_rule_of(l, cfg);
	if (l) {
		if (live_target(o, l, &slot))
			return 1;
		ret = live_read(l, slot, &p, &a.rows, &a.snapshot_rows);
		if (ret) {
			out_warn("ebph: %s: cannot read the profile: %s",
				o->target ? o->target : "--pid", strerror(-ret));
			return 1;
		}
		a.source = "live";
		a.p = &p;
		ret = admin_show(stdout, o, &a);
		store_profile_free(&p);
		return ret;
	}
	if (saved_target(o, cfg, &key, &s))
		return 1;
	a.source = "saved";
	a.p = &s.p[0];
	admin_saved_rows(a.p, &a.rows, &a.snapshot_rows);
	ret = admin_show(stdout, o, &a);
	saved_free(&s);
	return ret;
}

/* A live slot's invariants, retried: a reader can catch a profile between
 * two field updates of one BPF run; a violation that persists is real. */
static int check_slot(const struct admin_live *l, __u32 slot, char *err, size_t errlen)
{
	struct store_profile p;
	int tries, ret = 0;

	for (tries = 0; tries < 5; tries++) {
		ret = maps_check_profile(&l->m, slot, err, errlen);
		if (!ret) {
			ret = maps_read_profile(&l->m, slot, &p);
			if (ret == -ENOENT)
				return 0;
			if (!ret) {
				store_profile_free(&p);
				return 0;
			}
			snprintf(err, errlen, "slot %u: cannot be read: %s", slot, strerror(-ret));
		}
		usleep(2000);
	}
	return ret;
}

/* Hidden: check every profile (tests). Exit 1 on any violation. */
int cmd_check(const struct admin_opts *o, struct admin_ctx *x)
{
	const struct admin_live *l = x->l;
	const struct ebph_config *cfg = &x->cfg;
	unsigned int bad = 0, checked = 0, tasks = 0;
	char err[512];

	if (l) {
		__u32 n = maps_profile_slots(&l->m), slot, found;
		struct live_task *all = NULL;
		size_t nt = 0, i;

		for (slot = 0; slot < n; slot++) {
			struct ebph_profile *prof = live_profile(l, slot);

			if (!prof)
				continue;
			checked++;
			if (check_slot(l, slot, err, sizeof(err))) {
				out_warn("ebph: check: %s", err);
				bad++;
			} else if (maps_find(&l->m, &prof->key, &found) || found != slot) {
				fprintf(stderr, "ebph: check: slot %u: its key maps to another "
					"slot\n", slot);
				bad++;
			}
			free(prof);
		}
		if (live_tasks(l, &all, &nt)) {
			fprintf(stderr, "ebph: check: cannot read the tasks\n");
			bad++;
		}
		n = maps_profile_slots(&l->m);	/* after the tasks: new ones count */
		for (i = 0; i < nt; i++)
			if (all[i].t.profile != EBPH_NO_PROFILE && all[i].t.profile >= n) {
				fprintf(stderr, "ebph: check: task %u: profile slot %u out of "
					"range\n", all[i].tid, all[i].t.profile);
				bad++;
			}
		tasks = (unsigned int)nt;
		free(all);
	} else {
		struct saved_set s;
		struct dirent *de;
		unsigned int files = 0;
		size_t len;
		DIR *d;

		if (saved_load(cfg, NULL, &s))
			return 1;
		checked = (unsigned int)s.n;
		saved_free(&s);
		d = opendir(cfg->state_dir);
		while (d && (de = readdir(d))) {
			len = strlen(de->d_name);
			files += len > 5 && !strcmp(de->d_name + len - 5, ".prof");
		}
		if (d)
			closedir(d);
		if (files != checked) {
			fprintf(stderr, "ebph: check: %u of %u saved profiles are unusable\n",
				files - checked, files);
			bad++;
		}
	}
	if (o->json) {
		admin_json_head(stdout, "check", now_wall());
		printf(",\"source\":\"%s\",\"profiles\":%u,\"tasks\":%u,\"violations\":%u}\n",
		       l ? "live" : "saved", checked, tasks, bad);
	} else {
		printf("%s: %u profiles, %u tasks checked, %u violations\n", l ? "live" : "saved",
		       checked, tasks, bad);
	}
	return bad ? 1 : 0;
}
