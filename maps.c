/* SPDX-License-Identifier: GPL-2.0-only */
/* maps.c: converts between the BPF maps' copy-on-write profile layout and
 * store images (training and testing views), for saving, loading and the
 * admin commands. The views are computed by ph.h, as in the BPF program. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <bcc/libbpf.h>
#include <bpf/bpf.h>
#if __has_include(<bpf/libbpf_version.h>)
#include <bpf/libbpf_version.h>
#endif

#include "syscalls.h"
#include "ebph.h"
#include "maps.h"
#include "scope.h"

/* ph.h's hooks in user space: rows come from the rows map, one at a time,
 * into the context's buffer (valid until the next ph_row_get). */
struct ph_ctx {
	int rows_fd;
	struct ebph_row buf;
};

/* ph_claim's 64-bit words (ph.h): four row indices, and a row's test + call. */
_Static_assert(__builtin_offsetof(struct ebph_profile, rows) % 8 == 0, "ebph_profile.rows");
_Static_assert(__builtin_offsetof(struct ebph_row, test) == 8, "ebph_row.test");

static struct ebph_row *ph_row_get(struct ph_ctx *cx, __u32 idx)
{
	if (bpf_lookup_elem(cx->rows_fd, &idx, &cx->buf))
		return NULL;
	return &cx->buf;
}

static __u32 ph_row_alloc(struct ph_ctx *cx, struct ebph_profile *prof, __u32 call)
{
	(void)cx;
	(void)prof;
	(void)call;
	return EBPH_NO_ROW;	/* user space never trains */
}

static void ph_row_free(struct ph_ctx *cx, __u32 idx)
{
	(void)cx;
	(void)idx;
}

static __u64 ph_now(struct ph_ctx *cx)
{
	(void)cx;
	return 0;
}

#include "ph.h"

static int row_empty(const __u8 *bits)
{
	size_t i;

	for (i = 0; i < EBPH_ROW_BYTES; i++)
		if (bits[i])
			return 0;
	return 1;
}

__u32 maps_profile_slots(const struct maps_fds *m)
{
	__u32 k = EBPH_A_PROFILES;
	__u64 v = 0;

	bpf_lookup_elem(m->alloc, &k, &v);
	return v < m->max_profiles ? (__u32)v : m->max_profiles;
}

/* What must not change while a profile's rows are read. */
static int same_shape(const struct ebph_profile *a, const struct ebph_profile *b)
{
	return a->sequences == b->sequences && a->tgen == b->tgen && a->ngen == b->ngen &&
	       a->ngen_tgen == b->ngen_tgen && a->state == b->state && a->nrows == b->nrows &&
	       a->ntest == b->ntest;
}

static __s64 to_wall(const struct maps_fds *m, __u64 boot)
{
	return boot ? (__s64)boot + m->boot_to_wall_ns : 0;
}

static __u64 to_boot(const struct maps_fds *m, __s64 wall)
{
	__s64 b;

	if (!wall)
		return 0;
	b = wall - m->boot_to_wall_ns;
	return b > 1 ? (__u64)b : 1;	/* in the past: due at once */
}

/* One attempt at reading slot's views into p (rows arrays preallocated). */
static int read_views(const struct maps_fds *m, const struct ebph_profile *prof,
		      struct store_profile *p)
{
	struct ph_ctx cx = { .rows_fd = m->rows };
	__u32 c;

	p->ntrain = p->ntest = 0;
	for (c = 0; c < EBPH_NR_CALLS; c++) {
		struct ebph_row row;
		const __u8 *bits;
		__u32 idx = prof->rows[c];

		if (idx == EBPH_NO_ROW)
			continue;
		if (idx > m->max_rows || bpf_lookup_elem(m->rows, &idx, &row))
			return -EIO;
		bits = ph_train_bits(prof, &row);
		if (bits && !row_empty(bits)) {
			p->train[p->ntrain].call = c;
			memcpy(p->train[p->ntrain].bits, bits, EBPH_ROW_BYTES);
			p->ntrain++;
		}
		if (prof->state != EBPH_NORMAL)
			continue;
		bits = ph_test_bits(&cx, prof, &row);	/* may read the snapshot row */
		if (bits && !row_empty(bits)) {
			p->test[p->ntest].call = c;
			memcpy(p->test[p->ntest].bits, bits, EBPH_ROW_BYTES);
			p->ntest++;
		}
	}
	return 0;
}

/* Room in p for the views of prof's rows (at most one per row index). */
static int views_alloc(const struct ebph_profile *prof, struct store_profile *p, __u32 *cap)
{
	struct store_row *t, *x;
	__u32 c, n = 0;

	for (c = 0; c < EBPH_NR_CALLS; c++)
		n += prof->rows[c] != EBPH_NO_ROW;
	if (n <= *cap && p->train)
		return 0;
	t = realloc(p->train, (n ? n : 1) * sizeof(*t));
	if (t)
		p->train = t;
	x = realloc(p->test, (n ? n : 1) * sizeof(*x));
	if (x)
		p->test = x;
	if (!t || !x)
		return -ENOMEM;
	*cap = n;
	return 0;
}

/* The exec graph of slot into p (none without the edges map). 0 or -errno. */
static int graph_read(const struct maps_fds *m, __u32 slot, struct store_profile *p)
{
	struct maps_edge ed[EBPH_EDGES_MAX];
	int i, n;

	if (m->edges < 0)
		return 0;
	n = maps_edges(m, slot, ed, EBPH_EDGES_MAX);
	if (n <= 0)
		return n;
	p->edges = calloc(n, sizeof(*p->edges));
	if (!p->edges)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		p->edges[i].child = ed[i].child;
		p->edges[i].train = ed[i].train;
		p->edges[i].test = ed[i].test;
	}
	p->nedges = n;
	return 0;
}

int maps_command_args(int cmd_fd, const __u64 *args, size_t n)
{
	/* the kernel refuses a context shorter than the program reads */
	__u64 ctx[EBPH_CMD_ARGS] = { 0 };
#if defined(LIBBPF_MAJOR_VERSION) && (LIBBPF_MAJOR_VERSION > 0 || LIBBPF_MINOR_VERSION >= 7)
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = sizeof(ctx));
	int ret;
#else	/* libbpf before 0.7 (Debian 11) */
	struct bpf_prog_test_run_attr opts = {
		.prog_fd = cmd_fd, .ctx_in = ctx, .ctx_size_in = sizeof(ctx),
	};
	int ret;
#endif

	if (n > EBPH_CMD_ARGS)
		return -EINVAL;
	memcpy(ctx, args, n * sizeof(*args));
#if defined(LIBBPF_MAJOR_VERSION) && (LIBBPF_MAJOR_VERSION > 0 || LIBBPF_MINOR_VERSION >= 7)
	ret = bpf_prog_test_run_opts(cmd_fd, &opts);
#else
	ret = bpf_prog_test_run_xattr(&opts);
#endif
	return ret < 0 ? -errno : (int)opts.retval;
}

int maps_command(int cmd_fd, __u32 op, __u32 slot, __u64 arg)
{
	__u64 args[3] = { op, slot, arg };

	return maps_command_args(cmd_fd, args, 3);
}

int maps_read_profile(const struct maps_fds *m, __u32 slot, struct store_profile *p)
{
	struct ebph_profile *a, *b;
	int tries, ret = -EAGAIN;
	__u32 cap = 0;

	memset(p, 0, sizeof(*p));
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	if (!a || !b) {
		ret = -ENOMEM;
		goto out;
	}
	for (tries = 0; tries < 100; tries++) {
		if (bpf_lookup_elem(m->profiles, &slot, a)) {
			ret = -errno;
			goto out;
		}
		if (!a->key.dev && !a->key.ino) {
			ret = -ENOENT;
			goto out;
		}
		ret = views_alloc(a, p, &cap);
		if (ret)
			goto out;
		ret = read_views(m, a, p);
		if (ret)
			goto out;
		if (bpf_lookup_elem(m->profiles, &slot, b)) {
			ret = -errno;
			goto out;
		}
		if (same_shape(a, b)) {
			ret = 0;
			break;
		}
		ret = -EAGAIN;
	}
	if (ret)
		goto out;
	p->key = b->key;
	p->train_count = b->train_count;
	p->last_mod_count = b->last_mod_count;
	p->sequences = b->sequences;
	p->anomalies = b->anomalies;
	p->anomalies_total = b->anomalies_total;
	p->last_anomaly = to_wall(m, b->last_anomaly);
	p->anomalies_lost = b->anomalies_lost;
	p->events_lost = b->events_lost;
	p->state = b->state;
	p->normal_time = b->state == EBPH_FROZEN ? to_wall(m, b->normal_time) : 0;
	p->normal_since = b->state == EBPH_NORMAL ? to_wall(m, b->normal_since) : 0;
	p->frozen_since = b->state == EBPH_FROZEN ? to_wall(m, b->frozen_since) : 0;
	if (bpf_lookup_elem(m->paths, &slot, p->path))
		p->path[0] = 0;
	p->path[EBPH_PATH_MAX - 1] = 0;
	if (p->key.scope && scope_path(p->key.scope))
		snprintf(p->cgroup, sizeof(p->cgroup), "%s", scope_path(p->key.scope));
	p->pflags = b->pflags;
	p->normal_wait_ns = b->normal_wait_ns;
	p->lim = b->lim;
	p->episodes = b->state == EBPH_NORMAL ? b->episodes : 0;
	p->episode_first = p->episodes ? to_wall(m, b->episode_first) : 0;
	ret = graph_read(m, slot, p);
out:
	free(a);
	free(b);
	if (ret)
		store_profile_free(p);
	return ret;
}

/* Install p's exec graph for prof (slot): each edge's views as ph.h reads
 * them, against prof's generations. 0 or -errno. */
static int graph_install(const struct maps_fds *m, __u32 slot, const struct store_profile *p,
			 struct ebph_profile *prof)
{
	struct ebph_edge_key k;
	struct ebph_edge e;
	__u32 i;

	if (m->edges < 0 || !p->nedges)
		return 0;
	for (i = 0; i < p->nedges; i++) {
		memset(&k, 0, sizeof(k));
		memset(&e, 0, sizeof(e));
		k.child = p->edges[i].child;
		k.parent = slot;
		e.ngen = prof->ngen;
		e.test = p->edges[i].test && prof->state == EBPH_NORMAL;
		e.tgen = p->edges[i].train ? prof->tgen : prof->tgen - 1;
		if (bpf_update_elem(m->edges, &k, &e, BPF_NOEXIST))
			return -errno;
	}
	prof->nedges = p->nedges;
	return 0;
}

int maps_find(const struct maps_fds *m, const struct ebph_key *key, __u32 *slot)
{
	return bpf_lookup_elem(m->keys, (void *)key, slot) ? -ENOENT : 0;
}

/* Take n rows from the pool (user space, before attaching: no race); *used
 * receives the count before, for rows_give_back. */
static int rows_take(const struct maps_fds *m, __u32 n, __u32 *first, __u64 *used)
{
	__u32 k = EBPH_A_ROWS;
	__u64 now;

	*used = 0;
	bpf_lookup_elem(m->alloc, &k, used);
	if (*used + n > m->max_rows)
		return -ENOSPC;
	*first = (__u32)*used + 1;
	now = *used + n;
	if (bpf_update_elem(m->alloc, &k, &now, BPF_ANY))
		return -errno;
	k = EBPH_A_ROWS_USED;	/* before attaching: nothing frees rows yet */
	return bpf_update_elem(m->alloc, &k, &now, BPF_ANY) ? -errno : 0;
}

/* Undo rows_take after a failed install: the pool's count as it was. */
static void rows_give_back(const struct maps_fds *m, __u64 used)
{
	__u32 k = EBPH_A_ROWS;

	bpf_update_elem(m->alloc, &k, &used, BPF_ANY);
	k = EBPH_A_ROWS_USED;
	bpf_update_elem(m->alloc, &k, &used, BPF_ANY);
}

/* Write the rows of call c: the row itself at *idx, its snapshot next when
 * it needs one (layout: see maps_add_profile). 0 or -errno. */
static int put_row(const struct maps_fds *m, struct ebph_profile *prof, __u32 c,
		   const struct store_row *t, const struct store_row *s, int split, __u32 *idx)
{
	int same = t && s && !memcmp(t->bits, s->bits, EBPH_ROW_BYTES);
	struct ebph_row row = { .call = c };
	__u32 me = (*idx)++;

	row.tgen = t ? prof->tgen : prof->ngen_tgen;
	if (t || (s && split))
		memcpy(row.bits, t ? t->bits : s->bits, EBPH_ROW_BYTES);
	if (!t && !split)
		row.tgen = ~0U;		/* no view in any epoch: a stale row */
	if (prof->state == EBPH_NORMAL && (t || !split) && !(same && !split)) {
		/* testing differs from what the row holds: its own view */
		row.ngen = prof->ngen;
		if (s) {
			struct ebph_row snap = { .call = c };

			memcpy(snap.bits, s->bits, EBPH_ROW_BYTES);
			row.test = (*idx)++;
			prof->ntest++;
			if (bpf_update_elem(m->rows, &row.test, &snap, BPF_ANY))
				return -errno;
		}
	}
	if (bpf_update_elem(m->rows, &me, &row, BPF_ANY))
		return -errno;
	prof->rows[c] = (__u16)me;
	prof->nrows++;
	return 0;
}

/*
 * Layout of a loaded profile (ph.h's copy-on-write rules): ngen 1 if
 * normal, else 0; ngen_tgen 0; tgen 0, or 1 for a normal profile laid out
 * split (store_rows_needed chooses). Same epoch: a row whose testing view
 * equals its training view is "untouched since the normalisation" (ngen 0);
 * one that differs gets ngen 1 and a snapshot if its testing view is not
 * empty; a testing view alone is a stale row (tgen ~0) with a snapshot.
 * Split: a testing view alone is an untouched row of the old epoch (tgen 0,
 * ngen 0); a row with training data has tgen 1, ngen 1 and a snapshot if
 * it has a testing view. Rows and the slot are given back on failure.
 */
int maps_add_profile(const struct maps_fds *m, const struct store_profile *p)
{
	__u32 slot, k = EBPH_A_PROFILES, idx, nrows, nsnap, i = 0, j = 0;
	const struct store_row *t, *s;
	struct ebph_profile *prof;
	__u64 used = 0, rows_used;
	int split, ret;

	if (!maps_find(m, &p->key, &slot))
		return -EEXIST;
	store_rows_needed(p, &nrows, &nsnap, &split);
	bpf_lookup_elem(m->alloc, &k, &used);
	if (used >= m->max_profiles)
		return -ENOSPC;
	slot = (__u32)used;
	ret = rows_take(m, nrows + nsnap, &idx, &rows_used);
	if (ret)
		return ret;
	prof = calloc(1, sizeof(*prof));
	if (!prof) {
		rows_give_back(m, rows_used);
		return -ENOMEM;
	}
	prof->key = p->key;
	prof->train_count = p->train_count;
	prof->last_mod_count = p->last_mod_count;
	prof->sequences = p->sequences;
	prof->anomalies = p->anomalies;
	prof->anomalies_total = p->anomalies_total;
	prof->last_anomaly = to_boot(m, p->last_anomaly);
	prof->anomalies_lost = p->anomalies_lost;
	prof->events_lost = p->events_lost;
	prof->state = p->state;
	prof->normal_time = p->state == EBPH_FROZEN ? to_boot(m, p->normal_time) : 0;
	prof->normal_since = p->state == EBPH_NORMAL ? to_boot(m, p->normal_since) : 0;
	prof->ngen = p->state == EBPH_NORMAL;
	prof->tgen = split;
	prof->pflags = p->pflags;
	prof->episodes = p->state == EBPH_NORMAL ? p->episodes : 0;
	prof->episode_first = prof->episodes ? to_boot(m, p->episode_first) : 0;
	while (!ret && store_next_rows(p, &i, &j, &t, &s))
		ret = put_row(m, prof, t ? t->call : s->call, t, s, split, &idx);
	if (!ret)
		ret = graph_install(m, slot, p, prof);
	if (!ret && (bpf_update_elem(m->profiles, &slot, prof, BPF_ANY) ||
		     bpf_update_elem(m->paths, &slot, (void *)p->path, BPF_ANY) ||
		     bpf_update_elem(m->keys, (void *)&p->key, &slot, BPF_NOEXIST)))
		ret = -errno;
	used = slot + 1;
	if (!ret && bpf_update_elem(m->alloc, &k, &used, BPF_ANY))
		ret = -errno;
	if (ret) {
		struct ebph_profile empty = { 0 };

		bpf_delete_elem(m->keys, (void *)&p->key);
		bpf_update_elem(m->profiles, &slot, &empty, BPF_ANY);
		for (i = 0; m->edges >= 0 && i < p->nedges; i++) {
			struct ebph_edge_key ek = { .child = p->edges[i].child, .parent = slot };

			bpf_delete_elem(m->edges, &ek);
		}
		rows_give_back(m, rows_used);
	}
	free(prof);
	return ret;
}

int maps_check_profile(const struct maps_fds *m, __u32 slot, char *err, size_t errlen)
{
	struct ebph_profile *prof = malloc(sizeof(*prof));
	struct ebph_row row;
	__u32 c, n = 0, nsnap = 0;
	int ret = -EINVAL;

	if (!prof)
		return -ENOMEM;
	if (bpf_lookup_elem(m->profiles, &slot, prof)) {
		snprintf(err, errlen, "slot %u: cannot read", slot);
		goto out;
	}
	if (prof->state > EBPH_NORMAL) {
		snprintf(err, errlen, "slot %u: state %u", slot, prof->state);
		goto out;
	}
	if (prof->state == EBPH_NORMAL && !prof->ngen) {
		snprintf(err, errlen, "slot %u: normal without a normalisation", slot);
		goto out;
	}
	if (prof->last_mod_count > prof->train_count) {
		snprintf(err, errlen, "slot %u: last_mod_count %llu > train_count %llu", slot,
			 (unsigned long long)prof->last_mod_count,
			 (unsigned long long)prof->train_count);
		goto out;
	}
	for (c = 0; c < EBPH_NR_CALLS; c++) {
		__u32 idx = prof->rows[c];

		if (idx == EBPH_NO_ROW)
			continue;
		n++;
		if (idx > m->max_rows || bpf_lookup_elem(m->rows, &idx, &row) || row.call != c) {
			snprintf(err, errlen, "slot %u: row %u of call %u is not its own", slot,
				 idx, c);
			goto out;
		}
		if (row.test != EBPH_NO_ROW) {
			struct ebph_row snap;

			nsnap++;
			if (row.test > m->max_rows || row.test == idx ||
			    bpf_lookup_elem(m->rows, &row.test, &snap) || snap.call != c) {
				snprintf(err, errlen, "slot %u: snapshot %u of call %u is invalid",
					 slot, row.test, c);
				goto out;
			}
		}
	}
	if (n != prof->nrows || nsnap > prof->ntest) {
		snprintf(err, errlen, "slot %u: %u rows (nrows %u), %u snapshots (ntest %u)", slot,
			 n, prof->nrows, nsnap, prof->ntest);
		goto out;
	}
	ret = 0;
out:
	free(prof);
	return ret;
}

int maps_edges(const struct maps_fds *m, __u32 slot, struct maps_edge *out, size_t max)
{
	struct ebph_edge_key k, next;
	struct ebph_profile prof;
	struct ebph_edge e;
	size_t n = 0;
	void *prev = NULL;

	if (m->edges < 0)
		return -ENOENT;
	if (bpf_lookup_elem(m->profiles, &slot, &prof))
		return -errno;
	while (n < max && !bpf_get_next_key(m->edges, prev, &next)) {
		k = next;
		prev = &k;
		if (k.parent != slot || bpf_lookup_elem(m->edges, &k, &e))
			continue;
		out[n].child = k.child;
		out[n].train = ph_edge_trained(&prof, &e);
		out[n].test = prof.state == EBPH_NORMAL && ph_edge_tested(&prof, &e);
		if (out[n].train || out[n].test)
			n++;
	}
	return (int)n;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int maps_tstore_lookup(int fd, __u32 tid, struct ebph_task *t)
{
	int pfd, ret;

	if (fd < 0)
		return -ENOENT;
	pfd = (int)syscall(SYS_pidfd_open, (pid_t)tid, PIDFD_THREAD);
	if (pfd < 0)
		return -ENOENT;
	ret = bpf_lookup_elem(fd, &pfd, t) ? -ENOENT : 0;
	close(pfd);
	return ret;
}
