/* SPDX-License-Identifier: GPL-2.0-only */
/* attr.c: what the monitor knows of the processes behind events: the exec
 * that started each, and cgroup v2 ids resolved to paths. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"

/* The table being filled by a scan (nftw has no user argument). */
static struct attr_table *attr_scanning;

static __u64 attr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Where the cgroup2 file system is mounted ("" if nowhere). */
static void attr_find_root(struct attr_table *t)
{
	struct mntent *m;
	FILE *f = setmntent("/proc/self/mounts", "r");

	t->root[0] = 0;
	if (!f)
		return;
	while ((m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "cgroup2") && strlen(m->mnt_dir) < sizeof(t->root)) {
			strcpy(t->root, m->mnt_dir);
			break;
		}
	}
	endmntent(f);
}

int attr_init(struct attr_table *t)
{
	memset(t, 0, sizeof(*t));
	t->execs = calloc(ATTR_EXECS, sizeof(*t->execs));
	t->cgroups = calloc(ATTR_CGROUPS, sizeof(*t->cgroups));
	t->flagged = calloc(ATTR_EXECS, sizeof(*t->flagged));
	if (!t->execs || !t->cgroups || !t->flagged) {
		attr_free(t);
		return -ENOMEM;
	}
	attr_find_root(t);
	return 0;
}

static void attr_cgroups_clear(struct attr_table *t)
{
	size_t i;

	for (i = 0; i < ATTR_CGROUPS; i++) {
		free(t->cgroups[i].path);
		t->cgroups[i].path = NULL;
		t->cgroups[i].id = 0;
	}
}

void attr_free(struct attr_table *t)
{
	if (t->cgroups)
		attr_cgroups_clear(t);
	free(t->cgroups);
	free(t->execs);
	free(t->flagged);
	t->cgroups = NULL;
	t->execs = NULL;
	t->flagged = NULL;
}

static int attr_flagged(const struct attr_table *t, __u32 pid)
{
	return pid && t->flagged[pid % ATTR_EXECS] == pid;
}

int attr_exec(struct attr_table *t, const struct ebph_event *e)
{
	struct attr_exec *x = &t->execs[e->pid % ATTR_EXECS];
	int now = attr_flagged(t, e->pid) || attr_flagged(t, e->ppid);

	x->ev = *e;
	x->printed = now;
	t->flagged[e->pid % ATTR_EXECS] = now ? e->pid : 0;
	return now;
}

void attr_flag(struct attr_table *t, __u32 pid, void (*print)(const struct ebph_event *, void *),
	       void *arg)
{
	size_t i;

	if (!pid || attr_flagged(t, pid))
		return;
	t->flagged[pid % ATTR_EXECS] = pid;
	for (i = 0; i < ATTR_EXECS; i++) {
		struct attr_exec *x = &t->execs[i];

		if (x->ev.pid && x->ev.ppid == pid && !x->printed) {
			x->printed = 1;
			t->flagged[x->ev.pid % ATTR_EXECS] = x->ev.pid;
			print(&x->ev, arg);
		}
	}
}

static struct attr_exec *attr_find_exec(struct attr_table *t, __u32 pid)
{
	struct attr_exec *x = &t->execs[pid % ATTR_EXECS];

	return x->ev.pid == pid && pid ? x : NULL;
}

const struct ebph_event *attr_take_exec(struct attr_table *t, __u32 pid)
{
	struct attr_exec *x = attr_find_exec(t, pid);

	if (!x || x->printed)
		return NULL;
	x->printed = 1;
	return &x->ev;
}

/* Slot of cgroup id in the cache: its own, or the empty one it would take;
 * NULL if the cache is full. */
static struct attr_cgroup *attr_cgroup_slot(struct attr_table *t, __u64 id)
{
	size_t i, h = (size_t)(id * 0x9e3779b97f4a7c15ULL >> 40);

	for (i = 0; i < ATTR_CGROUPS; i++) {
		struct attr_cgroup *c = &t->cgroups[(h + i) % ATTR_CGROUPS];

		if (c->id == id || !c->id)
			return c;
	}
	return NULL;
}

static int attr_scan_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct attr_table *t = attr_scanning;
	struct attr_cgroup *c;
	size_t n = strlen(t->root);

	(void)ftw;
	if (flag != FTW_D)
		return 0;
	c = attr_cgroup_slot(t, st->st_ino);
	if (!c)
		return 1;	/* full: the rest stays unknown */
	if (c->id)
		return 0;
	c->path = strdup(path[n] ? path + n : "/");
	if (c->path)
		c->id = st->st_ino;
	return 0;
}

/* Rebuild the cache from the cgroup tree (at most once a second). */
static void attr_scan(struct attr_table *t)
{
	__u64 now = attr_now();

	if (!t->root[0] || (t->scan_ns && now - t->scan_ns < 1000000000ULL))
		return;
	t->scan_ns = now;
	attr_cgroups_clear(t);
	attr_scanning = t;
	nftw(t->root, attr_scan_one, 16, FTW_PHYS | FTW_MOUNT);
	attr_scanning = NULL;
}

static const char *attr_cgroup_path(struct attr_table *t, __u64 id)
{
	struct attr_cgroup *c;

	if (!id)
		return NULL;
	c = attr_cgroup_slot(t, id);
	if (!c || !c->id) {
		attr_scan(t);
		c = attr_cgroup_slot(t, id);
	}
	return c && c->id == id ? c->path : NULL;
}

/* /proc/PID/cmdline into t->cmdline; its length, 0 if unreadable or empty. */
static __u32 attr_proc_cmdline(struct attr_table *t, __u32 pid, int *cut)
{
	char name[32];
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "/proc/%u/cmdline", pid);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, t->cmdline, sizeof(t->cmdline));
	close(fd);
	if (n <= 0)
		return 0;
	*cut = n == (ssize_t)sizeof(t->cmdline);
	return (__u32)(*cut ? n - 1 : n);
}

void attr_fill(struct attr_table *t, __u32 pid, __u64 cgroup, struct out_attr *a)
{
	struct attr_exec *x = attr_find_exec(t, pid);

	memset(a, 0, sizeof(*a));
	if (x) {
		a->cmdline = x->ev.path;
		a->cmdline_len = x->ev.seq_len < sizeof(x->ev.path) ? x->ev.seq_len : 0;
		a->cmdline_cut = !!(x->ev.flags & EBPH_F_CMDLINE_CUT);
	} else {
		a->cmdline_len = attr_proc_cmdline(t, pid, &a->cmdline_cut);
		a->cmdline = a->cmdline_len ? t->cmdline : NULL;
	}
	a->cgroup = attr_cgroup_path(t, cgroup);
}
