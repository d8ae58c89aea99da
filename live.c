/* SPDX-License-Identifier: GPL-2.0-only */
/* live.c: the running monitor as the commands see it: its pinned maps
 * (tasks, profiles) and its command program. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>
#include <bpf/bpf.h>
#if __has_include(<bpf/libbpf_version.h>)
#include <bpf/libbpf_version.h>
#endif

#include "bcc_api.h"
#include "admin.h"
#include "admin_int.h"
#include "output.h"
#include "scope.h"

#if !EBPH_BCC_LOOKUP_BATCH
/* bcc 0.18 (Debian 11) lacks bpf_lookup_batch: libbpf's call, no options. */
#define bpf_lookup_batch(fd, in, out, keys, values, count) \
	bpf_map_lookup_batch(fd, in, out, keys, values, count, NULL)
#endif

void live_close(struct admin_live *l)
{
	size_t i;

	for (i = 0; i < PROG_MAP_COUNT; i++) {
		if (l->fd[i] >= 0)
			close(l->fd[i]);
		l->fd[i] = -1;
	}
}

/* A map's type and max_entries, or -1. */
static int map_info(int fd, __u32 *max_entries)
{
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return -1;
	if (max_entries)
		*max_entries = mi.max_entries;
	return (int)mi.type;
}

/* Do the pinned maps hold other layouts than this binary's (another version
 * of ebph runs)? Reading them into our structs would overrun them. */
static int live_layout_differs(const struct admin_live *l)
{
	size_t i;

	for (i = 0; i < PROG_MAP_COUNT; i++) {
		struct bpf_map_info mi;
		__u32 len = sizeof(mi);

		if (!prog_maps[i].key || l->fd[i] < 0)
			continue;	/* not checked, or an optional map this program lacks */
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(l->fd[i], &mi, &len) ||
		    mi.key_size != prog_maps[i].key || mi.value_size != prog_maps[i].value)
			return 1;
	}
	return 0;
}

/* Open the pins of the monitor pid. 0 or -errno (message printed). */
int live_open(struct admin_live *l, pid_t pid)
{
	char path[128];
	__u32 k = 0;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->pid = pid;
	for (i = 0; i < PROG_MAP_COUNT; i++)
		l->fd[i] = -1;
	for (i = 0; i < PROG_MAP_COUNT; i++) {
		if (!PIN_WANTED(i))
			continue;
		pin_path(path, sizeof(path), prog_maps[i].name);
		l->fd[i] = bpf_obj_get(path);
		if (l->fd[i] < 0 && (prog_maps[i].flags & PROG_M_OPT) && errno == ENOENT)
			continue;
		if (l->fd[i] < 0) {
			int e = errno;

			out_warn("ebph: cannot open %s of the running ebph (PID %d): %s",
				path, (int)pid, strerror(e));
			live_close(l);
			return -e;
		}
	}
	if (live_layout_differs(l) || bpf_lookup_elem(l->fd[PROG_MAP_INFO], &k, &l->info) ||
	    l->info.nr_syscalls != EBPH_NR_CALLS) {
		fprintf(stderr, "ebph: the running ebph (PID %d) is another version (its info "
			"map does not match this binary)\n", (int)pid);
		live_close(l);
		return -EPROTO;
	}
	l->tasks_array = map_info(l->fd[PROG_MAP_TASKS], &l->task_slots) == BPF_MAP_TYPE_ARRAY;
	l->m.profiles = l->fd[PROG_MAP_PROFILES];
	l->m.keys = l->fd[PROG_MAP_KEYS];
	l->m.paths = l->fd[PROG_MAP_PATHS];
	l->m.rows = l->fd[PROG_MAP_ROWS];
	l->m.alloc = l->fd[PROG_MAP_ALLOC];
	l->m.edges = -1;
	l->m.max_profiles = l->info.max_profiles;
	l->m.max_rows = l->info.max_rows;
	l->m.boot_to_wall_ns = l->info.boot_to_wall_ns;
	return 0;
}

/* The freeze rule of the running monitor (l), else of cfg. */
struct admin_rule admin_rule_of(const struct admin_live *l, const struct ebph_config *cfg)
{
	struct admin_rule r = { 0 };

	if (l && l->info.normal_factor) {
		r.factor = l->info.normal_factor;
		r.den = l->info.normal_factor_den;
		r.min = l->info.min_train_calls;
	} else if (!l && cfg) {
		r.factor = cfg->normal_factor;
		r.den = cfg->normal_factor_den;
		r.min = cfg->min_train_calls;
	}
	return r;
}

__s64 now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

__u64 now_boot(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A slot's raw profile (malloc'd), or NULL if the slot is unused. */
struct ebph_profile *live_profile(const struct admin_live *l, __u32 slot)
{
	struct ebph_profile *prof = malloc(sizeof(*prof));

	if (prof && (bpf_lookup_elem(l->fd[PROG_MAP_PROFILES], &slot, prof) ||
		     (!prof->key.dev && !prof->key.ino))) {
		free(prof);
		prof = NULL;
	}
	return prof;
}

void live_path(const struct admin_live *l, __u32 slot, char *buf)
{
	if (bpf_lookup_elem(l->fd[PROG_MAP_PATHS], &slot, buf))
		buf[0] = 0;
	buf[EBPH_PATH_MAX - 1] = 0;
}

static int task_cmp(const void *a, const void *b)
{
	const struct live_task *x = a, *y = b;

	if (x->t.pid != y->t.pid)
		return x->t.pid < y->t.pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Append the tasks of one map to *all: an array's slots name their owner
 * (tid 0: free), a hash is keyed by TID. The batch lookup walks a hash
 * bucket by bucket, so tasks exiting meanwhile do not restart it. */
static int tasks_read_map(int fd, struct live_task **all, size_t *n)
{
	__u32 cap = 0, got = 0, batch = 0, count, i;
	int type = map_info(fd, &cap), ret = 0, first = 1;
	struct ebph_task *vals;
	struct live_task *grown;
	__u32 *keys;

	if (type < 0)
		return -EIO;
	cap = cap ? cap : 1;
	vals = malloc(cap * sizeof(*vals));
	keys = malloc(cap * sizeof(*keys));
	if (!vals || !keys) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = cap - got;
		if (!count)
			break;
		ret = bpf_lookup_batch(fd, first ? NULL : &batch, &batch, keys + got, vals + got,
				       &count);
		first = 0;
		if (ret < 0 && errno != ENOENT) {
			ret = -errno;
			goto out;
		}
		got += count;
		if (ret < 0)
			break;	/* ENOENT: that was the last batch */
	}
	ret = 0;
	grown = realloc(*all, (*n + got + 1) * sizeof(**all));
	if (!grown) {
		ret = -ENOMEM;
		goto out;
	}
	*all = grown;
	for (i = 0; i < got; i++) {
		__u32 tid = type == BPF_MAP_TYPE_ARRAY ? vals[i].tid : keys[i];

		if (!tid)
			continue;
		grown[*n].tid = tid;
		grown[*n].pad = 0;
		grown[*n].t = vals[i];
		(*n)++;
	}
out:
	free(vals);
	free(keys);
	return ret;
}

/* Append the threads kept in task storage (every thread in /proc with a
 * state there). */
static int tasks_read_tstore(int fd, struct live_task **all, size_t *n)
{
	DIR *proc = opendir("/proc"), *task;
	struct dirent *p, *d;
	char path[300];
	size_t cap = *n;

	if (!proc)
		return -errno;
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		task = opendir(path);
		if (!task)
			continue;
		while ((d = readdir(task))) {
			struct ebph_task t;
			__u32 tid = (__u32)strtoul(d->d_name, NULL, 10);

			if (!tid || maps_tstore_lookup(fd, tid, &t))
				continue;
			if (*n + 1 >= cap) {
				struct live_task *g = realloc(*all, (cap * 2 + 64) * sizeof(**all));

				if (!g) {
					closedir(task);
					closedir(proc);
					return -ENOMEM;
				}
				*all = g;
				cap = cap * 2 + 64;
			}
			(*all)[*n].tid = tid;
			(*all)[*n].pad = 0;
			(*all)[*n].t = t;
			(*n)++;
		}
		closedir(task);
	}
	closedir(proc);
	return 0;
}

/* Every monitored task, sorted by pid, tid, each once. */
int live_tasks(const struct admin_live *l, struct live_task **out, size_t *n)
{
	struct live_task *all = NULL;
	size_t got = 0, i, j;
	int ret;

	ret = tasks_read_map(l->fd[PROG_MAP_TASKS], &all, &got);
	if (!ret && l->fd[PROG_MAP_TSTORE] >= 0)
		ret = tasks_read_tstore(l->fd[PROG_MAP_TSTORE], &all, &got);
	if (ret) {
		free(all);
		return ret;
	}
	if (!all && !(all = calloc(1, sizeof(*all))))
		return -ENOMEM;
	qsort(all, got, sizeof(*all), task_cmp);
	for (i = j = 0; i < got; i++)	/* a TID seen in both maps (moved meanwhile) */
		if (!j || all[j - 1].tid != all[i].tid)
			all[j++] = all[i];
	*out = all;
	*n = j;
	return 0;
}

/* The state of task tid. 0 or -ENOENT. */
int live_task(const struct admin_live *l, __u32 tid, struct ebph_task *t)
{
	__u32 k = tid;

	if (l->tasks_array) {
		k = tid & (l->task_slots - 1);
		if (!bpf_lookup_elem(l->fd[PROG_MAP_TASKS], &k, t) && t->tid == tid)
			return 0;
		if (l->fd[PROG_MAP_TSTORE] >= 0 && !maps_tstore_lookup(l->fd[PROG_MAP_TSTORE], tid, t))
			return 0;
		return -ENOENT;
	}
	return bpf_lookup_elem(l->fd[PROG_MAP_TASKS], &k, t) ? -ENOENT : 0;
}

/* A live profile's store image plus its row counts. 0 or -errno. */
int live_read(const struct admin_live *l, __u32 slot, struct store_profile *p,
	      __u64 *rows, __u64 *snap)
{
	struct ebph_profile *prof;
	int ret = maps_read_profile(&l->m, slot, p);

	if (ret)
		return ret;
	*rows = *snap = 0;
	prof = live_profile(l, slot);
	if (prof) {
		*rows = prof->nrows;
		*snap = prof->ntest;
		free(prof);
	}
	return 0;
}

/* The task's (or, failing that, any of the process's threads') profile slot. */
static int live_pid_slot(const struct admin_live *l, long pid, __u32 *slot)
{
	struct live_task *all = NULL;
	struct ebph_task t;
	__u32 tid = (__u32)pid;
	size_t n = 0, i;
	int ret = -ESRCH;

	if (!live_task(l, tid, &t)) {
		*slot = t.profile;
		return t.profile == EBPH_NO_PROFILE ? -ENOENT : 0;
	}
	if (live_tasks(l, &all, &n))
		return -ESRCH;
	for (i = 0; i < n; i++) {
		if (all[i].t.pid == (__u32)pid) {
			*slot = all[i].t.profile;
			ret = all[i].t.profile == EBPH_NO_PROFILE ? -ENOENT : 0;
			break;
		}
	}
	free(all);
	return ret;
}

/* The live slot PROFILE or --pid names. 0, or 1 with a message. */
int live_target(const struct admin_opts *o, const struct admin_live *l, __u32 *slot)
{
	struct ebph_key key;
	char k[80];
	int ret;

	if (o->pid) {
		ret = live_pid_slot(l, o->pid, slot);
		if (ret == -ESRCH)
			fprintf(stderr, "ebph: PID %ld: not monitored by the running ebph (no such "
				"process, or not seen yet)\n", o->pid);
		else if (ret)
			fprintf(stderr, "ebph: PID %ld: has no profile (profile slots were full)\n",
				o->pid);
		return ret ? 1 : 0;
	}
	if (target_key(o->target, &key))
		return 1;
	if (maps_find(&l->m, &key, slot)) {
		out_key_str(k, sizeof(k), &key);
		out_warn("ebph: %s: no profile (key %s) in the running ebph (PID %d)",
			o->target, k, (int)l->pid);
		return 1;
	}
	return 0;
}

/*
 * Consistency of commands on a live profile. User space never writes a live
 * profile: the command is carried out by the BPF program's own command entry
 * point (ebph_command in ebph.bpf.c.in), run once with BPF_PROG_TEST_RUN. It
 * changes the profile in place with the same field-level updates as the
 * per-syscall path (ph.h: ph_normalize, ph_reset_training, ph_tolerize). A
 * reset or a normalisation is a generation bump (O(1): no row is copied or
 * cleared), rows are copy-on-write against those generations and pair bits
 * are only ever set with an atomic OR, so a system call running at the same
 * time on another CPU sees the pairs of the old or of the new generation,
 * never a mix, and no pair it learns is lost. Nothing is read, modified and
 * written back from user space, so nothing the BPF program does is lost to a
 * stale copy, and the command's profile_state event enters the monitor's
 * ring buffer in order with the events around it. The race left is the one
 * two CPUs running one program already have with each other: a plain counter
 * increment (train_count, last_mod_count) racing with a command may overwrite
 * the command's reset of that counter, as two CPUs' increments may overwrite
 * each other; counters are approximate under such contention, the pairs,
 * generations and states are not. Readers (ps, profiles, show, the monitor's
 * saves) use maps_read_profile, which retries until the profile's
 * generations and counters did not move while its rows were read. Saved
 * profiles (no monitor) are changed in memory and replaced atomically by
 * store_save. "ebph check" verifies the invariants (maps_check_profile).
 */
int live_command(const struct admin_live *l, __u32 op, __u32 slot)
{
	return maps_command(l->fd[PROG_MAP_CMD], op, slot, 0);
}

/* Would op change nothing in live slot (*why says why)? 0, or -errno if the
 * profile cannot be read (then the command is just carried out). */
int live_unchanged(const struct admin_live *l, __u32 slot, __u32 op, const char **why)
{
	struct store_profile p;
	int ret = maps_read_profile(&l->m, slot, &p);

	*why = NULL;
	if (ret)
		return ret;
	*why = admin_unchanged(&p, op);
	store_profile_free(&p);
	return 0;
}

/* A running monitor's settings win over -c and the defaults: the
 * commands act on its state_dir and window (its info map carries them). */
void admin_live_config(struct ebph_config *cfg, const struct admin_live *l,
		       const char *config)
{
	char dir[EBPH_STATE_DIR_MAX];

	memcpy(dir, l->info.state_dir, sizeof(dir));
	dir[sizeof(dir) - 1] = 0;
	if (!dir[0])
		return;
	if (config && strcmp(dir, cfg->state_dir))
		out_warn("ebph: note: the running monitor's state_dir %s is used, not %s's %s",
			 dir, config, cfg->state_dir);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", dir);
	cfg->window = l->info.window;
	scope_set_dir(cfg->state_dir);	/* cgroup paths of scopes from saved files */
}
