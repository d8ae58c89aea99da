/* SPDX-License-Identifier: GPL-2.0-only */
/* filter.c: selects the events the monitor prints (-p, --tree, -n). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

#define FILTER_DEPTH	64		/* ancestors walked in /proc per question */
#define FILTER_OUT_MAX	(1 << 16)	/* remembered outsiders before forgetting them all */

static size_t set_slot(const struct filter_set *s, __u64 key)
{
	__u64 h = key * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (s->cap - 1);
}

static int set_has(const struct filter_set *s, __u64 key)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = set_slot(s, key); s->keys[i]; i = (i + 1) & (s->cap - 1))
		if (s->keys[i] == key)
			return 1;
	return 0;
}

/* Add key (not 0). 0 or -ENOMEM. */
static int set_add(struct filter_set *s, __u64 key)
{
	size_t i;

	if (set_has(s, key))
		return 0;
	if (2 * (s->n + 1) > s->cap) {
		struct filter_set g = { .cap = s->cap ? 2 * s->cap : 64 };

		g.keys = calloc(g.cap, sizeof(*g.keys));
		if (!g.keys)
			return -ENOMEM;
		for (i = 0; i < s->cap; i++)
			if (s->keys[i])
				set_add(&g, s->keys[i]);
		free(s->keys);
		*s = g;
	}
	for (i = set_slot(s, key); s->keys[i]; i = (i + 1) & (s->cap - 1))
		;
	s->keys[i] = key;
	s->n++;
	return 0;
}

static void set_free(struct filter_set *s)
{
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

/* "Name:\tvalue" of /proc/pid/status. 0, -errno. */
static int proc_status_field(__u32 pid, const char *name, __u32 *val)
{
	char path[64], line[256];
	size_t len = strlen(name);
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':') {
			ret = sscanf(line + len + 1, "%u", val) == 1 ? 0 : -EINVAL;
			break;
		}
	fclose(f);
	return ret;
}

int filter_proc_parent(__u32 pid, __u32 *ppid)
{
	return proc_status_field(pid, "PPid", ppid);
}

int filter_proc_check(__u32 pid, __u32 *tgid)
{
	int ret = proc_status_field(pid, "Tgid", tgid);

	if (ret)
		return -ESRCH;
	return *tgid == pid ? 0 : -EINVAL;
}

/* Is pid, whose parent is ppid, a descendant of the root (or the root)? */
static int filter_in_tree(struct filter *f, __u32 pid, __u32 ppid)
{
	__u32 chain[FILTER_DEPTH], a = ppid;
	__u64 key = (__u64)pid << 32 | ppid;
	int n = 0, i;

	if (pid == f->root || set_has(&f->in, pid))
		return 1;
	if (ppid && (ppid == f->root || set_has(&f->in, ppid))) {
		set_add(&f->in, pid);
		return 1;
	}
	if (set_has(&f->out, key))
		return 0;
	chain[n++] = pid;
	while (a > 1 && n < FILTER_DEPTH) {
		if (a == f->root || set_has(&f->in, a)) {
			for (i = 0; i < n; i++)
				set_add(&f->in, chain[i]);
			return 1;
		}
		chain[n++] = a;
		if (f->parent(a, &a))
			break;
	}
	if (f->out.n >= FILTER_OUT_MAX)
		set_free(&f->out);
	set_add(&f->out, key);
	return 0;
}

int filter_match(struct filter *f, __u32 pid, __u32 ppid, const char *comm)
{
	if (f->root && pid != f->root && (!f->tree || !filter_in_tree(f, pid, ppid)))
		return 0;
	return !f->comm || strstr(comm, f->comm) != NULL;
}

void filter_free(struct filter *f)
{
	set_free(&f->in);
	set_free(&f->out);
}
