/* SPDX-License-Identifier: GPL-2.0-only */
/* ph.h: the pH algorithm as pure functions on plain data, shared by the BPF
 * program and user space (unit-tested on arrays). */
#ifndef PH_H
#define PH_H

/*
 * No #include: spliced into the BPF text after ebph.h. The includer defines,
 * before including this file, its hooks on a context of its own (struct
 * ph_ctx, passed through from the caller: where the rows and the clock are;
 * the BPF program has none and passes NULL):
 *   struct ebph_row *ph_row_get(cx, __u32 idx)   row by index, NULL if none
 *   __u32 ph_row_alloc(cx, prof, call)           fresh zeroed row for prof, 0
 *                                                if none (its cap, or the pool
 *                                                full)
 *   void ph_row_free(cx, __u32 idx)              give back a row from
 *                                                ph_row_alloc, never published
 *   __u64 ph_now(cx)                             boot-time nanoseconds
 * and may define PH_SET_BIT(bits, p, mask) (an atomic OR in BPF) and
 * PH_BARRIER(v). An includer that uses only the pure functions (the hashes)
 * defines PH_HOOKS_NONE instead: no rows, a clock at 0.
 *
 * CPUs may step one profile at once: a new row is published with a
 * compare-and-exchange (ph_claim), and the CPU that loses gives its row back.
 *
 * Pair storage is copy-on-write against two generations of the profile, so
 * that normalising, resetting training data and tolerizing are O(1) and never
 * walk a profile's rows on the per-syscall path:
 *  - the training view of a row is its bits if row->tgen == prof->tgen, else
 *    empty (a reset bumps prof->tgen);
 *  - the testing view of a row untouched since the last normalisation
 *    (row->ngen != prof->ngen) is what its training view was then: its bits
 *    if row->tgen == prof->ngen_tgen, else empty. The first training write to
 *    a row of a normal profile after a normalisation first copies that view
 *    into a snapshot row (row->test) and sets row->ngen = prof->ngen; from
 *    then on the testing view is the snapshot (empty if the row was created
 *    after the normalisation).
 */

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

struct ph_ctx;

/* Keeps the compiler from folding a bounds check into earlier arithmetic,
 * where the BPF verifier could no longer see it (BPF: an empty asm). */
#ifndef PH_BARRIER
#define PH_BARRIER(v) ((void)0)
#endif

/* Unrolling hint for clang (the BPF compiler); gcc needs none. */
#ifdef __clang__
#define PH_UNROLL _Pragma("unroll")
#else
#define PH_UNROLL
#endif

/* The window of the pair scans: the BPF program makes it its compile-time
 * constant, so that clang unrolls the scans fully (constant masks, no loop). */
#ifndef PH_WINDOW
#define PH_WINDOW(pp) ((pp)->window)
#endif

#ifndef PH_SET_BIT
#define PH_SET_BIT(bits, p, mask) ((bits)[(p)] |= (mask))
#endif

#ifdef PH_HOOKS_NONE
struct ph_ctx {
	int unused;
};

static inline struct ebph_row *ph_row_get(struct ph_ctx *cx, __u32 idx)
{
	(void)cx, (void)idx;
	return 0;
}

static inline __u32 ph_row_alloc(struct ph_ctx *cx, struct ebph_profile *prof, __u32 call)
{
	(void)cx, (void)prof, (void)call;
	return EBPH_NO_ROW;
}

static inline void ph_row_free(struct ph_ctx *cx, __u32 idx)
{
	(void)cx, (void)idx;
}

static inline __u64 ph_now(struct ph_ctx *cx)
{
	(void)cx;
	return 0;
}
#endif

/* Algorithm parameters, from the validated configuration. */
struct ph_params {
	__u64 normal_wait_ns;
	__u32 window;		/* 2..EBPH_WINDOW_MAX */
	__u32 normal_factor;
	__u32 normal_factor_den;
	__u32 anomaly_limit;
	__u32 tolerize_limit;
	__u32 lfc_window;	/* 1..EBPH_LFC_MAX */
	__u32 min_train_calls;	/* no freezing before this many training calls */
	__u32 auto_tolerize;	/* 0: anomaly_limit never ends normal monitoring */
	__u64 anomaly_period_ns;	/* anomaly_limit: the episodes must span this long */
	__u64 clock_mask;	/* frozen: the clock is read on a call whose last_mod_count
				 * & clock_mask is 0 or that starts a window (ph_due);
				 * 0: on every call */
};

/* What one call did, for the caller to report. */
struct ph_result {
	__u32 misses;		/* absent pairs against the testing data */
	__u8 anomaly;		/* the call was an anomaly */
	__u8 tolerize;		/* lfc crossed tolerize_limit with this call */
	__u8 full;		/* the row pool was full: pairs not learned */
	__u8 nchanges;		/* state changes below, in order */
	__u8 state[2];
	__u8 reason[2];
	__u8 missing;		/* anomaly: bit d-1 set when the pair at distance d was absent */
	__u8 unseen;		/* anomaly: the testing data has no pair for this call at all */
	__u8 calm;		/* the locality frame emptied with this call */
	__u8 pad;
};

static __always_inline void ph_hist_clear(struct ebph_hist *w)
{
	w->h[0] = ~0ULL;
	w->h[1] = ~0ULL;
}

/* The call d (1..8) calls back, or EBPH_EMPTY. */
static __always_inline __u32 ph_prev(const struct ebph_hist *w, __u32 d)
{
	__u32 i = d - 1;

	return (w->h[(i >> 2) & 1] >> ((i & 3) * 16)) & 0xffff;
}

static __always_inline void ph_push(struct ebph_hist *w, __u32 call)
{
	w->h[1] = (w->h[1] << 16) | (w->h[0] >> 48);
	w->h[0] = (w->h[0] << 16) | (call & 0xffff);
}

/* The pairs (call, prev, d) formed by the window that bits lacks (bits NULL
 * is an empty row; empty slots form no pair): a mask with bit d-1 set for
 * each. No branch per pair but the bounds check: bit d-1 of bits[p] is the
 * pair (call, p, d) itself. */
static __always_inline __u32 ph_miss_mask(const __u8 *bits, const struct ebph_hist *w,
					  __u32 window)
{
	__u32 r = 0;
	__u32 d;

PH_UNROLL
	for (d = 1; d < EBPH_WINDOW_MAX; d++) {
		__u64 p;	/* 64-bit: no zero-extended copy escapes the bounds check */

		if (d >= window)
			break;
		p = ph_prev(w, d);
		PH_BARRIER(p);
		if (p >= EBPH_NR_CALLS)
			continue;
		r |= (bits ? ~(__u32)bits[p] : ~0U) & (1U << (d - 1));
	}
	return r;
}

/* Bits set in an 8-bit mask (the BPF instruction set has no popcount). */
static __always_inline __u32 ph_popcount8(__u32 x)
{
	x = x - ((x >> 1) & 0x55);
	x = (x & 0x33) + ((x >> 2) & 0x33);
	return (x + (x >> 4)) & 0x0f;
}

/* Number of absent pairs. */
static __always_inline __u32 ph_misses(const __u8 *bits, const struct ebph_hist *w,
				       __u32 window)
{
	return ph_popcount8(ph_miss_mask(bits, w, window));
}

/* Add the window's pairs to bits; returns how many were new. */
static __always_inline __u32 ph_learn(__u8 *bits, const struct ebph_hist *w, __u32 window)
{
	__u32 added = 0;
	__u32 d;

PH_UNROLL
	for (d = 1; d < EBPH_WINDOW_MAX; d++) {
		__u64 p;	/* 64-bit: no zero-extended copy escapes the bounds check */

		if (d >= window)
			break;
		p = ph_prev(w, d);
		PH_BARRIER(p);
		if (p >= EBPH_NR_CALLS)
			continue;
		if (!(bits[p] & (1U << (d - 1)))) {
			PH_SET_BIT(bits, p, 1U << (d - 1));
			added++;
		}
	}
	return added;
}

/* The freeze rule: the profile went the last (1 - den/factor) of its
 * training life without news, and trained at least min calls. A profile that
 * has learned nothing yet (only empty windows) does not freeze. */
static __always_inline int ph_should_freeze(__u64 train_count, __u64 last_mod_count,
					    __u64 sequences, __u32 min, __u32 factor, __u32 den)
{
	if (!sequences || train_count < min)
		return 0;
	return train_count * den > (train_count - last_mod_count) * factor;
}

/* Training bits of a row, or NULL if it has none in the current epoch. */
static __always_inline const __u8 *ph_train_bits(const struct ebph_profile *prof,
						 const struct ebph_row *row)
{
	if (!row || row->tgen != prof->tgen)
		return 0;
	return row->bits;
}

/* Testing bits of a row of a normal profile, or NULL (empty). */
static __always_inline const __u8 *ph_test_bits(struct ph_ctx *cx,
						const struct ebph_profile *prof,
						const struct ebph_row *row)
{
	const struct ebph_row *snap;

	if (!row)
		return 0;
	if (row->ngen != prof->ngen)
		return row->tgen == prof->ngen_tgen ? row->bits : 0;
	if (row->test == EBPH_NO_ROW)
		return 0;
	snap = ph_row_get(cx, row->test);
	if (!snap)
		return 0;
	PH_BARRIER(snap);	/* no pointer arithmetic before the NULL check */
	return snap->bits;
}

static __always_inline void ph_change(struct ph_result *res, __u32 state, __u32 reason)
{
	__u32 i = res->nchanges;

	if (i < 2) {
		res->state[i & 1] = state;
		res->reason[i & 1] = reason;
		res->nchanges = i + 1;
	}
}

/* Whether a call of a frozen profile reads the clock to see if normal_wait
 * has passed: every clock_mask + 1 quiet calls of the profile, and the first
 * call of a window (after an exec, in a signal handler), so that the clock,
 * the dearest part of a frozen profile's step, is not read on every call. */
static __always_inline int ph_due(const struct ph_params *pp, const struct ebph_profile *prof,
				  const struct ebph_hist *w)
{
	return !(prof->last_mod_count & pp->clock_mask) || ph_prev(w, 1) == EBPH_EMPTY;
}

/* Start normal monitoring: the training data becomes the testing data. */
static __always_inline void ph_normalize(struct ebph_profile *prof, __u64 now)
{
	prof->ngen++;
	prof->ngen_tgen = prof->tgen;
	prof->state = EBPH_NORMAL;
	prof->normal_since = now;
	prof->anomalies = 0;
	prof->episodes = 0;
	prof->train_count = 0;
	prof->last_mod_count = 0;
}

/* Forget the training data (sensitize, tolerize_limit): its pairs and its
 * counters, so that an emptied profile cannot freeze before relearning. */
static __always_inline void ph_reset_training(struct ebph_profile *prof)
{
	prof->tgen++;
	prof->train_count = 0;
	prof->last_mod_count = 0;
	prof->sequences = 0;
	prof->anomalies = 0;
	if (prof->state == EBPH_FROZEN)
		prof->state = EBPH_TRAINING;
}

/* Stop normal monitoring; training goes on (its counters run on since the
 * normalisation) and will freeze and normalise again once stable. */
static __always_inline void ph_tolerize(struct ebph_profile *prof)
{
	prof->state = EBPH_TRAINING;
	prof->anomalies = 0;
	prof->episodes = 0;
}

static __always_inline void ph_lf_clear(struct ebph_task *t)
{
	t->lf[0] = 0;
	t->lf[1] = 0;
	t->lfc = 0;
	t->lf_pos = 0;
}

/* Record whether this call was anomalous in the locality frame. Returns 1
 * when this call emptied the frame (lfc back to 0: a burst ended), else 0. */
static __always_inline __u32 ph_lf_record(struct ebph_task *t, __u32 anomalous,
					  __u32 lfc_window)
{
	__u32 pos = t->lf_pos, calm = 0;
	__u64 bit = 1ULL << (pos & 63);
	__u32 old;

	if (!anomalous && !t->lfc)
		return 0;	/* frame all clear: where it starts does not matter */
	old = (t->lf[(pos >> 6) & 1] & bit) != 0;
	if (old != anomalous) {
		t->lf[(pos >> 6) & 1] ^= bit;
		if (anomalous)
			t->lfc++;
		else
			calm = !--t->lfc;
	}
	if (t->lfc > t->lfc_max)
		t->lfc_max = t->lfc;
	pos++;
	t->lf_pos = pos >= lfc_window ? 0 : pos;
	return calm;
}

/*
 * Identity of a script (ebph(8) SCRIPTS): a 64-bit FNV-1a hash of its name
 * as the kernel got it (name[], up to a NUL or EBPH_PATH_MAX bytes; the
 * caller drops a leading "./"); a relative name is taken in the task's
 * working directory, whose identity (cwd_dev, cwd_ino) goes first. Never 0.
 * Branch-free over the whole buffer, so that the BPF verifier walks it once.
 */
#define PH_FNV_OFFSET	0xcbf29ce484222325ULL
#define PH_FNV_PRIME	0x100000001b3ULL

static __always_inline __u64 ph_script_id(const char *name, __u64 cwd_dev, __u64 cwd_ino)
{
	__u64 h = PH_FNV_OFFSET, live = 1, mask, c;
	__u32 i;

	if (name[0] != '/') {
		for (i = 0; i < 8; i++)
			h = (h ^ ((cwd_dev >> (i * 8)) & 0xff)) * PH_FNV_PRIME;
		for (i = 0; i < 8; i++)
			h = (h ^ ((cwd_ino >> (i * 8)) & 0xff)) * PH_FNV_PRIME;
	}
	for (i = 0; i < EBPH_PATH_MAX; i++) {
		c = (__u8)name[i];
		live &= (c | (0 - c)) >> 63;	/* 0 from the first NUL on */
		mask = 0 - live;
		h = (h & ~mask) | (((h ^ c) * PH_FNV_PRIME) & mask);
	}
	return h ? h : 1;
}

/*
 * Scope of a profile (ebph(8) PROFILE SCOPE): a 64-bit hash of a cgroup v2
 * path as the root cgroup namespace sees it, e.g. "/system.slice/a.service"
 * (no trailing '/'), or 0 for the root cgroup. The path is right-aligned in
 * a buffer of EBPH_CGROUP_MAX bytes whose other bytes are 0 (start: where
 * it begins, EBPH_CGROUP_MAX for the root); the hash takes the buffer as
 * EBPH_CGROUP_MAX / 8 little-endian 64-bit words w, from h = PH_FNV_OFFSET:
 * h = (h ^ w) * PH_FNV_PRIME, then h ^= h >> 29, for each; then MurmurHash3's
 * fmix64 of h (so that every byte moves every bit); 1 if it ends 0.
 * A path longer than EBPH_CGROUP_MAX bytes or EBPH_CGROUP_DEPTH levels is
 * hashed by its lowest levels that fit (whole names, with their '/').
 * Word by word, with no branch on the path, so that the BPF verifier's
 * walk of it is short (64 steps).
 */
static __always_inline __u64 ph_scope_hash(const __u64 *buf, __u32 start)
{
	__u64 h = PH_FNV_OFFSET;
	__u32 i;

	if (start >= EBPH_CGROUP_MAX)
		return 0;
	for (i = 0; i < EBPH_CGROUP_MAX / 8; i++) {
		h = (h ^ buf[i]) * PH_FNV_PRIME;
		h ^= h >> 29;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1;
}

/*
 * anomaly_limit counts anomalous episodes, not calls: a task's burst (from
 * its first anomaly until its locality frame is empty again) or an exec
 * anomaly counts once. A normal profile returns to training when it has had
 * more than anomaly_limit episodes since it became normal AND the first of
 * them is at least anomaly_period old (the anomalies persisted), unless
 * auto_tolerize is off or the profile has EBPH_PF_NO_TOLERIZE. Both limits
 * are the profile's own where its lim sets them. Returns 1 if it did (then
 * the task's frame is cleared).
 */
static __always_inline int ph_episode(struct ph_ctx *cx, const struct ph_params *pp,
				      struct ebph_profile *prof, struct ebph_task *t,
				      struct ph_result *res)
{
	__u64 now = ph_now(cx);
	__u64 period = prof->lim.set & EBPH_LIM_ANOMALY_PERIOD ? prof->lim.anomaly_period_ns :
								pp->anomaly_period_ns;
	__u32 limit = prof->lim.set & EBPH_LIM_ANOMALY_LIMIT ? prof->lim.anomaly_limit :
							      pp->anomaly_limit;

	if (!prof->episodes)
		prof->episode_first = now;
	prof->episodes++;
	if (prof->episodes <= limit || now - prof->episode_first < period ||
	    !pp->auto_tolerize || (prof->pflags & EBPH_PF_NO_TOLERIZE))
		return 0;
	ph_tolerize(prof);
	if (t)
		ph_lf_clear(t);
	ph_change(res, EBPH_TRAINING, EBPH_R_ANOMALY_LIMIT);
	return 1;
}

/*
 * Exec graph (ebph(8) EXEC GRAPH): an edge's training view is its own
 * (tgen == prof->tgen); its testing view is what the training view was at
 * the profile's last normalisation, kept in test by the first write after
 * it (copy-on-write, as for rows).
 */
static __always_inline int ph_edge_trained(const struct ebph_profile *prof,
					   const struct ebph_edge *e)
{
	return e && e->tgen == prof->tgen;
}

static __always_inline int ph_edge_tested(const struct ebph_profile *prof,
					  const struct ebph_edge *e)
{
	if (!e)
		return 0;
	if (e->ngen != prof->ngen)
		return e->tgen == prof->ngen_tgen;
	return e->test != 0;
}

/* Put edge e into the training data (fresh: a new, zeroed entry). */
static __always_inline void ph_edge_learn(const struct ebph_profile *prof, struct ebph_edge *e,
					  int fresh)
{
	if (fresh) {
		e->test = 0;
		e->ngen = prof->ngen;
	} else if (e->ngen != prof->ngen) {
		e->test = ph_edge_tested(prof, e);
		e->ngen = prof->ngen;
	}
	e->tgen = prof->tgen;
}

/*
 * A task of prof starts a program (exec): e is the edge to it (NULL: not in
 * the graph and no room for it), fresh when it was just created (zeroed).
 * Train: an edge not in the training data is learned and is news (no
 * freezing; a frozen profile trains again). Test, if normal: an edge not in
 * the testing data is an anomaly and an episode (ph_episode; t may be NULL).
 * Returns 1 for an anomaly.
 */
static __always_inline int ph_exec_step(struct ph_ctx *cx, const struct ph_params *pp,
					struct ebph_profile *prof, struct ebph_task *t,
					struct ebph_edge *e, int fresh, struct ph_result *res)
{
	int tested = ph_edge_tested(prof, fresh ? 0 : e);

	if (fresh || !ph_edge_trained(prof, e)) {
		if (e) {
			ph_edge_learn(prof, e, fresh);
			prof->sequences++;
		} else {
			res->full = 1;
		}
		prof->last_mod_count = 0;
		if (prof->state == EBPH_FROZEN) {
			prof->state = EBPH_TRAINING;
			ph_change(res, EBPH_TRAINING, EBPH_R_NEW_BEHAVIOUR);
		}
	}
	if (prof->state != EBPH_NORMAL || tested)
		return 0;
	res->anomaly = 1;
	prof->anomalies++;
	ph_episode(cx, pp, prof, t, res);
	return 1;
}

/* Whether learning in row (NULL: none yet) takes a new row from
 * ph_row_alloc: the call has none, or ph_row_prepare must snapshot it. */
static __always_inline int ph_row_wanted(const struct ebph_profile *prof,
					 const struct ebph_row *row)
{
	return !row || (prof->state == EBPH_NORMAL && row->ngen != prof->ngen &&
			row->test == EBPH_NO_ROW && row->tgen == prof->ngen_tgen);
}

/* Byte order of a lane of a 64-bit word: lane i (of n) of bits bits each. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define PH_LANE(i, n, bits)	(((n) - 1 - (i)) * (bits))
#else
#define PH_LANE(i, n, bits)	((i) * (bits))
#endif

/*
 * Set the lane (mask << shift) of *word from EBPH_NO_ROW to idx, unless it
 * is set already, with a 64-bit compare-and-exchange (the BPF target has
 * none narrower). Returns the lane's value then: idx if this CPU set it.
 * Each failed exchange means another lane of the word was set meanwhile,
 * which can happen three times at most.
 */
static __always_inline __u32 ph_claim(__u64 *word, __u32 shift, __u64 mask, __u32 idx)
{
	__u64 old = *word, seen;
	__u32 i;

PH_UNROLL
	for (i = 0; i < 4; i++) {
		if (((old >> shift) & mask) != EBPH_NO_ROW)
			break;
		seen = __sync_val_compare_and_swap(word, old, old | ((__u64)idx << shift));
		if (seen == old)
			return idx;
		old = seen;
	}
	return (__u32)((old >> shift) & mask);
}

/* Publish row idx (from ph_row_alloc, set up) as prof's row of call. If
 * another CPU published one first, idx goes back and theirs is returned
 * (EBPH_NO_ROW only if the exchange kept failing). prof->rows[] is u16, four
 * to an aligned word (ebph.h). */
static __always_inline __u32 ph_row_publish(struct ph_ctx *cx, struct ebph_profile *prof,
					    __u64 call, __u32 idx)
{
	__u64 word = call >> 2;	/* the shift keeps the bound the verifier checks */
	__u32 got;

	PH_BARRIER(word);
	got = ph_claim((__u64 *)&prof->rows[word << 2], PH_LANE(call & 3, 4, 16), 0xffff, idx);
	if (got == idx)
		__sync_fetch_and_add(&prof->nrows, 1);
	else
		ph_row_free(cx, idx);
	return got;
}

/* Publish snapshot row idx as row->test (the aligned word of test and call,
 * ebph.h), as ph_row_publish does. */
static __always_inline __u32 ph_snap_publish(struct ph_ctx *cx, struct ebph_profile *prof,
					     struct ebph_row *row, __u32 idx)
{
	__u32 got = ph_claim((__u64 *)&row->test, PH_LANE(0, 2, 32), 0xffffffff, idx);

	if (got == idx)
		__sync_fetch_and_add(&prof->ntest, 1);
	else
		ph_row_free(cx, idx);
	return got;
}

/* A new row for call, which prof had none of when its step began: a fresh
 * one, or the one another CPU published meanwhile; NULL if none. */
static __always_inline struct ebph_row *ph_row_new(struct ph_ctx *cx, struct ebph_profile *prof,
						   __u64 call)
{
	struct ebph_row *row;
	__u32 idx = ph_row_alloc(cx, prof, call);

	if (idx == EBPH_NO_ROW)
		return 0;
	row = ph_row_get(cx, idx);
	if (!row)
		return 0;
	row->tgen = prof->tgen;
	row->ngen = prof->ngen;
	row->test = EBPH_NO_ROW;
	row->call = call;
	idx = ph_row_publish(cx, prof, call, idx);
	return idx == EBPH_NO_ROW ? 0 : ph_row_get(cx, idx);
}

/* Fill snapshot snap with row's testing view as of the last normalisation. */
static __always_inline void ph_snap_fill(const struct ebph_profile *prof,
					 const struct ebph_row *row, struct ebph_row *snap)
{
	if (row->tgen == prof->ngen_tgen)
		__builtin_memcpy(snap->bits, row->bits, sizeof(snap->bits));
	else
		__builtin_memset(snap->bits, 0, sizeof(snap->bits));
	snap->call = row->call;
}

/* Make row writable in the current training epoch; snapshot its testing
 * view first if the profile is normal. Returns 0, or -1 if a snapshot row
 * was needed and none was left or alloc is 0 (then nothing may be written). */
static __always_inline int ph_row_prepare(struct ph_ctx *cx, struct ebph_profile *prof,
					  struct ebph_row *row, int alloc)
{
	if (prof->state == EBPH_NORMAL && row->ngen != prof->ngen) {
		struct ebph_row *snap;
		__u32 idx = row->test;

		if (idx == EBPH_NO_ROW && row->tgen != prof->ngen_tgen) {
			/* its testing view is empty: nothing to keep */
			row->ngen = prof->ngen;
			goto epoch;
		}
		if (idx == EBPH_NO_ROW) {
			if (!alloc)
				return -1;
			idx = ph_row_alloc(cx, prof, row->call);
			if (idx == EBPH_NO_ROW)
				return -1;
			snap = ph_row_get(cx, idx);
			if (!snap)
				return -1;
			ph_snap_fill(prof, row, snap);
			if (ph_snap_publish(cx, prof, row, idx) == EBPH_NO_ROW)
				return -1;
		} else {
			snap = ph_row_get(cx, idx);
			if (!snap)
				return -1;
			ph_snap_fill(prof, row, snap);
		}
		row->ngen = prof->ngen;
	}
epoch:
	if (row->tgen != prof->tgen) {
		__builtin_memset(row->bits, 0, sizeof(row->bits));
		row->tgen = prof->tgen;
	}
	return 0;
}

/* Step 2's bookkeeping once a call's pairs are learned: news (the training
 * data changed, or would have but for a full pool) resets last_mod_count
 * and makes a frozen profile train again; no news may freeze a training
 * profile (the freeze rule). */
static __always_inline void ph_train_news(struct ph_ctx *cx, const struct ph_params *pp,
					  struct ebph_profile *prof, int news,
					  struct ph_result *res)
{
	if (news) {
		prof->last_mod_count = 0;
		if (prof->state == EBPH_FROZEN) {
			prof->state = EBPH_TRAINING;
			ph_change(res, EBPH_TRAINING, EBPH_R_NEW_BEHAVIOUR);
		}
		return;
	}
	/* Counters are plain increments (CPUs running one program may lose
	 * a few); keep last_mod_count <= train_count all the same. */
	if (++prof->last_mod_count > prof->train_count)
		prof->last_mod_count = prof->train_count;
	if (prof->state == EBPH_TRAINING &&
	    ph_should_freeze(prof->train_count, prof->last_mod_count, prof->sequences,
			     pp->min_train_calls, pp->normal_factor, pp->normal_factor_den)) {
		__u64 wait = prof->normal_wait_ns ?: pp->normal_wait_ns;

		prof->state = EBPH_FROZEN;
		prof->frozen_since = ph_now(cx);
		prof->normal_time = prof->frozen_since + wait;
		ph_change(res, EBPH_FROZEN, EBPH_R_STABLE);
	}
}

/* Step 3: a frozen profile whose normal_wait is over becomes normal.
 * Returns 1 if it did. */
static __always_inline int ph_wait_over(struct ph_ctx *cx, struct ebph_profile *prof,
					struct ph_result *res)
{
	__u64 now;

	if (prof->state != EBPH_FROZEN)
		return 0;
	now = ph_now(cx);
	if (now < prof->normal_time)
		return 0;
	ph_normalize(prof, now);
	ph_change(res, EBPH_NORMAL, EBPH_R_NORMAL_WAIT);
	return 1;
}

/* The tolerize_limit of prof: its own (programs entry) or the configuration's. */
static __always_inline __u32 ph_tolerize_limit(const struct ph_params *pp,
					       const struct ebph_profile *prof)
{
	return prof->lim.set & EBPH_LIM_TOLERIZE_LIMIT ? prof->lim.tolerize_limit :
							pp->tolerize_limit;
}

/* Train on call (pairs with the window w), then test: steps 2-6 of the
 * algorithm. The caller pushes call onto w afterwards. alloc 0: never take
 * a row (the BPF per-syscall program, whose allocation is a separate
 * program); if learning needs one, return -1 having changed nothing. */
static __always_inline int ph_step(struct ph_ctx *cx, const struct ph_params *pp,
				   struct ebph_profile *prof, struct ebph_task *t,
				   const struct ebph_hist *w, __u64 call, struct ph_result *res,
				   int alloc)
{
	struct ebph_row *row = 0;
	const __u8 *bits, *tbits;
	__u32 idx, mask, tmask;

	PH_BARRIER(call);
	if (call >= EBPH_NR_CALLS)
		return 0;
	idx = prof->rows[call];
	if (idx != EBPH_NO_ROW)
		row = ph_row_get(cx, idx);
	tbits = ph_train_bits(prof, row);
	/* the test needs which pairs are absent, not how many: the count
	 * only when an anomaly is reported */
	tmask = ph_miss_mask(tbits, w, PH_WINDOW(pp));
	if (tmask && !alloc && ph_row_wanted(prof, row))
		return -1;

	/* 2. train */
	prof->train_count++;
	if (tmask) {
		if (!row && alloc)
			row = ph_row_new(cx, prof, call);
		if (!row || ph_row_prepare(cx, prof, row, alloc)) {
			res->full = 1;	/* not learned, but still news: no freezing */
		} else {
			ph_learn(row->bits, w, PH_WINDOW(pp));
			prof->sequences++;
		}
	}
	ph_train_news(cx, pp, prof, tmask != 0, res);

	/* 3. frozen long enough: normal (the clock read only when ph_due) */
	if (prof->state == EBPH_FROZEN && (res->nchanges || ph_due(pp, prof, w)))
		ph_wait_over(cx, prof, res);

	/* 4. test (a row untouched since the normalisation is its own testing
	 * data: no second scan) */
	if (prof->state == EBPH_NORMAL) {
		bits = ph_test_bits(cx, prof, row);
		mask = bits && bits == tbits ? tmask : ph_miss_mask(bits, w, PH_WINDOW(pp));
		if (mask) {
			res->anomaly = 1;
			res->misses = ph_popcount8(mask);
			res->missing = mask;
			res->unseen = !bits;
			prof->anomalies++;
			if (!t->lfc)	/* the task's frame was clear: a new episode */
				ph_episode(cx, pp, prof, t, res);
		}
	}

	/* 5. locality frame */
	res->calm = ph_lf_record(t, res->anomaly, pp->lfc_window);

	/* 6. tolerize_limit (the profile's own where its lim sets it, read only
	 * while lfc is above 0): while above it nothing is learned (the training
	 * data is reset on every call, as in pH, which also keeps anomaly_limit
	 * from kicking in); the crossing is reported once */
	if (t->lfc && t->lfc > ph_tolerize_limit(pp, prof)) {
		ph_reset_training(prof);
		if (!t->over_tolerize) {
			t->over_tolerize = 1;
			res->tolerize = 1;
		}
	} else {
		t->over_tolerize = 0;
	}
	return 0;
}

/* Whether bits (a row's training data, not NULL) has every pair the window
 * forms with the call (empty slots form none): ph_miss_mask(bits, w, window)
 * == 0, with an early exit and no NULL test per pair. */
static __always_inline int ph_all_present(const __u8 *bits, const struct ebph_hist *w,
					  __u32 window)
{
	__u64 h0 = w->h[0], h1 = w->h[1];
	__u32 d;

PH_UNROLL
	for (d = 1; d < EBPH_WINDOW_MAX; d++) {
		__u64 p = ((d <= 4 ? h0 : h1) >> (((d - 1) & 3) * 16)) & 0xffff;

		if (d >= window)
			break;
		PH_BARRIER(p);
		if (p < EBPH_NR_CALLS && !(bits[p] & (1U << (d - 1))))
			return 0;
	}
	return 1;
}

/*
 * The per-syscall path's common case, in three parts that do what ph_step
 * does when a call brings nothing new and changes no state, with fewer
 * loads and branches (tests/test_ph.c checks they agree with ph_step):
 *   ph_fast_state  the step's counters, when the window is known complete;
 *   ph_fast_step   a window checked against the call's row, then the same;
 *   ph_memo_hit    the window found complete before (ph_memo_fill), so that
 *                  neither the row nor its pairs are read again.
 */

/* Steps 2-6 of ph_step for a call whose pairs are all in the training data
 * (and, for a normal profile, in the testing data): if the step changes no
 * state (no freezing, no clock due), the task's locality frame is clear and
 * so stays, advance train_count and last_mod_count as ph_step does and
 * return 1; else change nothing and return 0 (ph_step must run). */
static __always_inline int ph_fast_state(const struct ph_params *pp, struct ebph_profile *prof,
					 struct ebph_task *t, const struct ebph_hist *w)
{
	__u64 train, lmc;
	__u32 state = prof->state;

	if (t->lfc)
		return 0;
	train = prof->train_count + 1;
	lmc = prof->last_mod_count + 1;
	if (lmc > train)
		lmc = train;
	if (state == EBPH_TRAINING) {
		if (ph_should_freeze(train, lmc, prof->sequences, pp->min_train_calls,
				     pp->normal_factor, pp->normal_factor_den))
			return 0;
	} else if (state == EBPH_FROZEN) {
		if (!(lmc & pp->clock_mask) || ph_prev(w, 1) == EBPH_EMPTY)
			return 0;	/* ph_due */
	} else if (state != EBPH_NORMAL) {
		return 0;
	}
	prof->train_count = train;
	prof->last_mod_count = lmc;
	t->over_tolerize = 0;
	return 1;
}

/* ph_fast_state for a call whose row (prof's row of the call, or NULL) has
 * every pair of the window w in the current training data; for a normal
 * profile the row must be untouched since the normalisation, so that its
 * training bits are its testing bits (ph_test_bits). 1 if it did the step. */
static __always_inline int ph_fast_step(const struct ph_params *pp, struct ebph_profile *prof,
					struct ebph_task *t, const struct ebph_hist *w,
					const struct ebph_row *row)
{
	if (!row || row->tgen != prof->tgen)
		return 0;
	if (prof->state == EBPH_NORMAL &&
	    (row->ngen == prof->ngen || row->tgen != prof->ngen_tgen))
		return 0;
	if (!ph_all_present(row->bits, w, PH_WINDOW(pp)))
		return 0;
	return ph_fast_state(pp, prof, t, w);
}

/* The memo entry of (window, call): direct-mapped by the call and the one
 * before it. */
static __always_inline struct ebph_memo *ph_memo_at(struct ebph_task *t,
						    const struct ebph_hist *w, __u64 call)
{
	return &t->memo[(call ^ w->h[0]) & (EBPH_MEMO - 1)];
}

/*
 * Whether ph_fast_step found this window complete for call before, in the
 * task's current profile (slot) and training epoch (tgen). Sound because
 * within one tgen pairs are only ever added: the training data grows (a
 * reset, sensitize, delete or tolerize_limit starts a new tgen), and the
 * testing data a normalisation makes (ngen) holds every pair the training
 * data had then, as does a snapshot (ph_row_prepare), while a normal
 * profile never adds a window under a tgen it was not normalised in
 * (ph_fast_step); a slot is only reused, and its rows freed, once no task
 * holds it. So a later normalisation needs no new memo.
 */
static __always_inline int ph_memo_hit(struct ebph_task *t, const struct ebph_profile *prof,
				       __u32 slot, const struct ebph_hist *w, __u64 call)
{
	const struct ebph_memo *m = ph_memo_at(t, w, call);

	return t->memo_slot == slot && t->memo_tgen == prof->tgen &&
	       m->call == (call | EBPH_MEMO_VALID) && m->h[0] == w->h[0] && m->h[1] == w->h[1];
}

/* Remember that ph_fast_step found window w complete for call in slot's
 * profile; entries of another profile or epoch are dropped first. */
static __always_inline void ph_memo_fill(struct ebph_task *t, const struct ebph_profile *prof,
					 __u32 slot, const struct ebph_hist *w, __u64 call)
{
	struct ebph_memo *m = ph_memo_at(t, w, call);
	__u32 i;

	if (t->memo_slot != slot || t->memo_tgen != prof->tgen) {
PH_UNROLL
		for (i = 0; i < EBPH_MEMO; i++)
			t->memo[i].call = 0;
		t->memo_slot = slot;
		t->memo_tgen = prof->tgen;
	}
	m->h[0] = w->h[0];
	m->h[1] = w->h[1];
	m->call = (__u32)call | EBPH_MEMO_VALID;
}

/*
 * Signal-handler windows. pH gives a handler a fresh window while it runs
 * and returns to the interrupted code's window at its rt_sigreturn (Amai et
 * al.). A handler left with siglongjmp never returns through rt_sigreturn,
 * so a frame is also dropped as soon as a call is made outside the stack
 * region its handler runs in (struct ebph_sigframe in ebph.h).
 */
#define PH_ENOSYS		38
#define PH_SS_AUTODISARM	(1U << 31)	/* sigaltstack(2) flag */

/*
 * Drop the windows of the handlers that code running at user stack pointer
 * sp is not in: they have returned or were left with siglongjmp. nr and ret
 * are the call's number (as the kernel takes it) and return value. Returns 1
 * if the call is a handler's rt_sigreturn, which ends its window and is no
 * call of its own: nr -1 (rt_sigreturn restores orig_ax as -1) resuming code
 * outside the handler that either did not return -ENOSYS (syscall(-1)
 * always does) or restored exactly the stack pointer the handler
 * interrupted. Inside a top frame shared by deeper handlers (over > 0), nr
 * -1 is taken as the return of one of them and clears the frame.
 */
static __always_inline int ph_sig_leave(struct ebph_task *t, __u64 sp, __s64 nr, __s64 ret)
{
	__u32 i, d, popped = 0, exact = 0;

PH_UNROLL
	for (i = 1; i < EBPH_FRAMES; i++) {
		const struct ebph_sigframe *f;

		d = t->depth;
		if (!d)
			break;
		f = &t->sig[d & (EBPH_FRAMES - 1)];
		if (sp >= f->lo && sp < f->hi)
			break;
		exact |= sp == f->sp;
		t->depth = d - 1;
		t->over = 0;
		popped = 1;
	}
	if (nr != -1)
		return 0;
	if (popped)
		return ret != -PH_ENOSYS || exact;
	if (t->over) {
		t->over--;
		ph_hist_clear(&t->frame[t->depth & (EBPH_FRAMES - 1)]);
		return 1;
	}
	return 0;
}

/*
 * A signal handler starts: the signal interrupted code at user stack
 * pointer sp. The handler runs on the alternate stack [ss_sp, ss_sp +
 * ss_size) if it switches to it (the kernel's sigsp(): onstack = the action
 * has SA_ONSTACK, the task has an alternate stack and is not on it, or it
 * is SS_AUTODISARM), else below sp. It gets a fresh window; handlers nested
 * deeper than EBPH_FRAMES - 1 share the top frame, cleared for each.
 */
static __always_inline void ph_sig_enter(struct ebph_task *t, __u64 sp, __u32 onstack,
					 __u64 ss_sp, __u64 ss_size, __u32 ss_flags)
{
	struct ebph_sigframe *f;
	__u64 lo, hi;
	__u32 d;

	ph_sig_leave(t, sp, 0, 0);	/* handlers the interrupted code is not in are over */
	d = t->depth;
	if (onstack && ss_size &&
	    ((ss_flags & PH_SS_AUTODISARM) || !(sp > ss_sp && sp - ss_sp <= ss_size))) {
		lo = ss_sp;
		hi = ss_sp + ss_size;
	} else {
		lo = d ? t->sig[d & (EBPH_FRAMES - 1)].lo : 0;
		hi = sp > EBPH_SIG_REDZONE ? sp - EBPH_SIG_REDZONE : 0;
	}
	if (d + 1 < EBPH_FRAMES) {
		d++;
		t->depth = d;
		f = &t->sig[d & (EBPH_FRAMES - 1)];
		f->sp = sp;
		f->lo = lo;
		f->hi = hi;
	} else if (t->over < 0xffff) {
		t->over++;
	}
	ph_hist_clear(&t->frame[d & (EBPH_FRAMES - 1)]);
}

/* One system call of a task: train and test (ph_step), then append it to
 * the window. Calls outside the alphabet are ignored entirely. alloc: see
 * ph_step; returns -1, nothing done, if the call needs a row and alloc is 0. */
static __always_inline int ph_call(struct ph_ctx *cx, const struct ph_params *pp,
				   struct ebph_profile *prof, struct ebph_task *t,
				   struct ebph_hist *w, __u64 call, struct ph_result *res, int alloc)
{
	PH_BARRIER(call);
	if (call >= EBPH_NR_CALLS)
		return 0;
	if (ph_step(cx, pp, prof, t, w, call, res, alloc))
		return -1;
	ph_push(w, call);
	return 0;
}

#endif /* PH_H */
