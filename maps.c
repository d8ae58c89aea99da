/* maps.c: converts between the BPF maps' copy-on-write profile layout and
 * store images (training and testing views), for saving, loading and the
 * admin commands. The views are computed by ph.h, as in the BPF program. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bcc/libbpf.h>

#include "syscalls.h"
#include "ebph.h"
#include "maps.h"

/* ph.h's hooks in user space: rows come from the map, one at a time. */
static int ph_rows_fd = -1;
static struct ebph_row ph_row_buf;

static struct ebph_row *ph_row_get(__u32 idx)
{
	if (bpf_lookup_elem(ph_rows_fd, &idx, &ph_row_buf))
		return NULL;
	return &ph_row_buf;
}

static __u32 ph_row_alloc(struct ebph_profile *prof, __u32 call)
{
	(void)prof;
	(void)call;
	return EBPH_NO_ROW;	/* user space never trains */
}

static __u64 ph_now(void)
{
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
	__u32 c;

	p->ntrain = p->ntest = 0;
	for (c = 0; c < EBPH_NR_SYSCALLS; c++) {
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
		bits = ph_test_bits(prof, &row);	/* may read the snapshot row */
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

	for (c = 0; c < EBPH_NR_SYSCALLS; c++)
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
	ph_rows_fd = m->rows;
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
	p->state = b->state;
	p->normal_time = b->state == EBPH_FROZEN ? to_wall(m, b->normal_time) : 0;
	p->normal_since = b->state == EBPH_NORMAL ? to_wall(m, b->normal_since) : 0;
	if (bpf_lookup_elem(m->paths, &slot, p->path))
		p->path[0] = 0;
	p->path[EBPH_PATH_MAX - 1] = 0;
out:
	free(a);
	free(b);
	if (ret)
		store_profile_free(p);
	return ret;
}

int maps_find(const struct maps_fds *m, const struct ebph_key *key, __u32 *slot)
{
	return bpf_lookup_elem(m->keys, (void *)key, slot) ? -ENOENT : 0;
}

/* Take n rows from the pool (user space, before attaching: no race). */
static int rows_take(const struct maps_fds *m, __u32 n, __u32 *first)
{
	__u32 k = EBPH_A_ROWS;
	__u64 used = 0;

	bpf_lookup_elem(m->alloc, &k, &used);
	if (used + n > m->max_rows)
		return -ENOSPC;
	*first = (__u32)used + 1;
	used += n;
	if (bpf_update_elem(m->alloc, &k, &used, BPF_ANY))
		return -errno;
	k = EBPH_A_ROWS_USED;	/* before attaching: nothing frees rows yet */
	return bpf_update_elem(m->alloc, &k, &used, BPF_ANY) ? -errno : 0;
}

static const __u8 *view_of(const struct store_row *rows, __u32 n, __u32 call)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (rows[i].call == call)
			return rows[i].bits;
	return NULL;
}

/*
 * Layout of a loaded profile: tgen 0; a normal one has ngen 1 and
 * ngen_tgen 0. A row whose testing view equals its training view is left
 * "untouched since the normalisation" (ngen 0); one that differs gets a
 * snapshot row (or none if its testing view is empty) and ngen 1. A row with
 * no training view has tgen ~0 (stale).
 */
int maps_add_profile(const struct maps_fds *m, const struct store_profile *p)
{
	struct ebph_profile *prof;
	struct ebph_row row;
	__u32 slot, k = EBPH_A_PROFILES, c, idx, nrows = 0, nsnap = 0, ntotal = 0;
	int normal = p->state == EBPH_NORMAL;
	__u64 used = 0;
	int ret;

	if (!maps_find(m, &p->key, &slot))
		return -EEXIST;
	/* rows needed: one per call with any view, plus snapshots */
	for (c = 0; c < EBPH_NR_SYSCALLS; c++) {
		const __u8 *t = view_of(p->train, p->ntrain, c);
		const __u8 *s = normal ? view_of(p->test, p->ntest, c) : NULL;

		if (!t && !s)
			continue;
		ntotal++;
		if (s && !(t && !memcmp(t, s, EBPH_ROW_BYTES)))
			ntotal++;
	}
	bpf_lookup_elem(m->alloc, &k, &used);
	if (used >= m->max_profiles)
		return -ENOSPC;
	slot = (__u32)used;
	ret = rows_take(m, ntotal, &idx);
	if (ret)
		return ret;
	prof = calloc(1, sizeof(*prof));
	if (!prof)
		return -ENOMEM;
	prof->key = p->key;
	prof->train_count = p->train_count;
	prof->last_mod_count = p->last_mod_count;
	prof->sequences = p->sequences;
	prof->anomalies = p->anomalies;
	prof->state = p->state;
	prof->normal_time = p->state == EBPH_FROZEN ? to_boot(m, p->normal_time) : 0;
	prof->normal_since = normal ? to_boot(m, p->normal_since) : 0;
	prof->ngen = normal ? 1 : 0;
	for (c = 0; c < EBPH_NR_SYSCALLS; c++) {
		const __u8 *t = view_of(p->train, p->ntrain, c);
		const __u8 *s = normal ? view_of(p->test, p->ntest, c) : NULL;
		__u32 me;

		if (!t && !s)
			continue;
		memset(&row, 0, sizeof(row));
		me = idx++;
		row.call = c;
		row.tgen = t ? 0 : ~0U;
		if (t)
			memcpy(row.bits, t, EBPH_ROW_BYTES);
		if (normal && !(t && s && !memcmp(t, s, EBPH_ROW_BYTES)) && (t || s)) {
			row.ngen = 1;
			if (s) {
				struct ebph_row snap = { .call = c };

				memcpy(snap.bits, s, EBPH_ROW_BYTES);
				row.test = idx++;
				nsnap++;
				if (bpf_update_elem(m->rows, &row.test, &snap, BPF_ANY))
					goto fail;
			}
		}
		if (bpf_update_elem(m->rows, &me, &row, BPF_ANY))
			goto fail;
		prof->rows[c] = (__u16)me;
		nrows++;
	}
	prof->nrows = nrows;
	prof->ntest = nsnap;
	if (bpf_update_elem(m->profiles, &slot, prof, BPF_ANY) ||
	    bpf_update_elem(m->paths, &slot, (void *)p->path, BPF_ANY) ||
	    bpf_update_elem(m->keys, (void *)&p->key, &slot, BPF_NOEXIST))
		goto fail;
	used = slot + 1;
	if (bpf_update_elem(m->alloc, &k, &used, BPF_ANY))
		goto fail;
	free(prof);
	return 0;
fail:
	ret = -errno;
	free(prof);
	return ret ? ret : -EIO;
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
	for (c = 0; c < EBPH_NR_SYSCALLS; c++) {
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
