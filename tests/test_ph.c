/* SPDX-License-Identifier: GPL-2.0-only */
/* test_ph.c: the pH algorithm of ph.h driven on plain arrays (check suite). */
#include <linux/types.h>
#include <stddef.h>
#include <string.h>
#include <check.h>

#include "syscalls.h"
#include "ebph.h"

/* The context ph.h expects: a small row pool and a fake clock. */
#define POOL_ROWS	64

struct ph_ctx {
	struct ebph_row pool[POOL_ROWS];
	__u32 next;		/* next index handed out; 0 is never used */
	__u32 cap;		/* indices below this may be handed out */
	__u64 now;
	int rival;		/* another CPU publishes its row for the same call
				 * between this alloc and its publish */
	__u32 freed;		/* the last row given back */
	__u32 reads;		/* ph_now calls */
};

static struct ph_ctx cx;

static struct ebph_row *ph_row_get(struct ph_ctx *c, __u32 idx)
{
	if (idx == EBPH_NO_ROW || idx >= c->next)
		return NULL;
	return &c->pool[idx];
}

static void rival_publish(struct ph_ctx *c, struct ebph_profile *prof, __u32 call);

static __u32 ph_row_alloc(struct ph_ctx *c, struct ebph_profile *prof, __u32 call)
{
	if (c->next + !!c->rival >= c->cap)
		return EBPH_NO_ROW;
	if (c->rival) {
		c->rival = 0;
		rival_publish(c, prof, call);
	}
	memset(&c->pool[c->next], 0, sizeof(c->pool[0]));
	return c->next++;
}

static void ph_row_free(struct ph_ctx *c, __u32 idx)
{
	c->freed = idx;
}

static __u64 ph_now(struct ph_ctx *c)
{
	c->reads++;
	return c->now;
}

#include "ph.h"

/* A row for the other CPU, set up and published as ph.h does: the call's
 * row, or if it has one, that row's snapshot. */
static void rival_publish(struct ph_ctx *c, struct ebph_profile *prof, __u32 call)
{
	__u32 r = c->next++;
	struct ebph_row *row = &c->pool[r];

	memset(row, 0, sizeof(*row));
	row->tgen = prof->tgen;
	row->ngen = prof->ngen;
	row->call = call;
	row->test = EBPH_NO_ROW;
	if (prof->rows[call] == EBPH_NO_ROW) {
		prof->rows[call] = r;
		prof->nrows++;
	} else {
		ph_snap_fill(prof, &c->pool[prof->rows[call]], row);
		c->pool[prof->rows[call]].test = r;
		prof->ntest++;
	}
}

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define T0		1000ULL	/* fake clock at the start of each test */
#define WAIT		500ULL	/* normal_wait_ns of the tests */

static struct ph_params pp;
static struct ebph_profile prof;
static struct ebph_task task;
static __u32 cyc;		/* position in the 1..5 training cycle */
static __u8 saved[6][EBPH_ROW_BYTES];	/* rows 1..5 as normalised */

static void setup(void)
{
	int i;

	memset(&cx, 0xa5, sizeof(cx));
	cx.rival = 0;
	cx.freed = 0;
	cx.next = 1;
	cx.cap = POOL_ROWS;
	cx.now = T0;
	memset(&pp, 0, sizeof(pp));
	pp.normal_wait_ns = WAIT;
	pp.window = 9;
	pp.normal_factor = 128;
	pp.normal_factor_den = 32;
	pp.anomaly_limit = 30;
	pp.tolerize_limit = 12;
	pp.lfc_window = 128;
	pp.auto_tolerize = 1;
	memset(&prof, 0, sizeof(prof));
	memset(&task, 0, sizeof(task));
	for (i = 0; i < EBPH_FRAMES; i++)
		ph_hist_clear(&task.frame[i]);
	task.restart_nr = -1;
	cyc = 0;
	memset(saved, 0, sizeof(saved));
}

static void teardown(void)
{
}

/* One call, exactly as the BPF program does it: the per-syscall program
 * without allocation, and if that gives up, the one that allocates. */
static struct ph_result step(__u32 call)
{
	struct ph_result res = { 0 };

	if (ph_call(&cx, &pp, &prof, &task, &task.frame[0], call, &res, 0))
		ph_call(&cx, &pp, &prof, &task, &task.frame[0], call, &res, 1);
	return res;
}

/* Run calls; misses[i] = misses of call i if it was an anomaly, else 0. */
static __u32 run(const __u32 *calls, size_t n, __u32 *misses)
{
	__u32 anomalies = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct ph_result res = step(calls[i]);

		if (misses)
			misses[i] = res.anomaly ? res.misses : 0;
		anomalies += res.anomaly;
	}
	return anomalies;
}

static void expect_misses(const __u32 *got, const __u32 *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ck_assert_msg(got[i] == want[i], "call #%zu: misses %u, expected %u", i, got[i],
			      want[i]);
}

static void fresh_window(void)
{
	ph_hist_clear(&task.frame[0]);
}

static struct ebph_row *row_of(__u32 call)
{
	return ph_row_get(&cx, prof.rows[call]);
}

static const __u8 *train_of(__u32 call)
{
	return ph_train_bits(&prof, row_of(call));
}

static const __u8 *test_of(__u32 call)
{
	return ph_test_bits(&cx, &prof, row_of(call));
}

static __u32 nbits(const __u8 *bits)
{
	__u32 n = 0;
	int i;

	if (!bits)
		return 0;
	for (i = 0; i < EBPH_ROW_BYTES; i++)
		n += __builtin_popcount(bits[i]);
	return n;
}

/* Next call of the endless cycle 1 2 3 4 5 1 2 ... */
static struct ph_result cycle_step(void)
{
	__u32 call = cyc % 5 + 1;

	cyc++;
	return step(call);
}

/* The call k places before c in the 1..5 cycle. */
static __u32 cycle_prev(__u32 c, __u32 k)
{
	return (c - 1 + 5 * 2 - k) % 5 + 1;
}

/*
 * With window 9 and an empty start, the cycle learns on calls 2..13
 * (12 sequences) and nothing after: it freezes on call 53 (53 * 32 > 13 * 128)
 * and not on call 52 (52 * 32 == 13 * 128, exactly 3/4 without news).
 * Then normal_wait passes and call 54 (a 4) normalises. The window then ends
 * ..., 2, 3, 4. Rows 1..5 are saved as they were normalised.
 */
static void make_normal(void)
{
	struct ph_result res;
	int i;

	for (i = 0; i < 53; i++)
		cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_FROZEN);
	cx.now += WAIT;
	res = cycle_step();
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	ck_assert_uint_eq(prof.nrows, 5);
	for (i = 1; i <= 5; i++)
		memcpy(saved[i], row_of(i)->bits, EBPH_ROW_BYTES);
}

/* Window [1], then call 9: an anomaly with 1 miss once row 9 is newer than
 * the normalisation. One ph_step. */
static struct ph_result anomalous_call(void)
{
	fresh_window();
	ph_push(&task.frame[0], 1);
	return step(9);
}

/* A call in an empty window: no pairs, never an anomaly. One ph_step. */
static struct ph_result clean_call(void)
{
	fresh_window();
	return step(1);
}

/* ---- windows ---------------------------------------------------------- */

/*
 * The per-syscall program's fast path (ph_memo_hit, ph_fast_state,
 * ph_fast_step, ph_memo_fill), as ebph.bpf.c.in's on_sys_exit runs it on
 * one world; 1 if it took the call, 0 if it changed nothing (then the full
 * step runs).
 */
struct world {
	struct ph_ctx cx;
	struct ebph_profile prof;
	struct ebph_task task;
};

static int fast_call(struct world *wd, __u32 slot, __u32 call)
{
	struct ebph_task *t = &wd->task;
	struct ebph_hist *w = &t->frame[0];
	struct ebph_row *row = NULL;

	if (ph_memo_hit(t, &wd->prof, slot, w, call)) {
		if (!ph_fast_state(&pp, &wd->prof, t, w))
			return 0;
	} else {
		if (wd->prof.rows[call] != EBPH_NO_ROW)
			row = ph_row_get(&wd->cx, wd->prof.rows[call]);
		if (!ph_fast_step(&pp, &wd->prof, t, w, row))
			return 0;
		ph_memo_fill(t, &wd->prof, slot, w, call);
	}
	ph_push(w, call);
	return 1;
}

static struct ph_result full_call(struct world *wd, __u32 call)
{
	struct ph_result res = { 0 };

	if (ph_call(&wd->cx, &pp, &wd->prof, &wd->task, &wd->task.frame[0], call, &res, 0))
		ph_call(&wd->cx, &pp, &wd->prof, &wd->task, &wd->task.frame[0], call, &res, 1);
	return res;
}

static __u32 lcg(__u32 *seed)
{
	*seed = *seed * 1103515245U + 12345U;
	return *seed >> 8;
}

/*
 * The fast path agrees with ph_step: two copies of one profile and task run
 * the same random trace (loops with detours, new behaviour, exec-like fresh
 * windows, the clock, and the commands that change epochs: normalize,
 * sensitize, tolerize, delete), one through ph_call only, the other through
 * the fast path first. After every event both copies must be identical
 * (profile, rows, clock reads, task but for the memo), and a call the fast
 * path took must be one ph_step gives an empty result. The trace must reach
 * every state, raise anomalies, and take the fast path and the memo often.
 */
START_TEST(test_ph_fast_path_agrees_with_step)
{
	static struct world a, b;
	const __u32 slot = 3;
	__u32 seed = 12345, i, fast = 0, hits = 0, anomalies = 0, normal = 0, frozen = 0;

	pp.min_train_calls = 16;
	pp.normal_factor = 4;
	pp.normal_factor_den = 3;
	pp.normal_wait_ns = 40;
	pp.clock_mask = 3;
	pp.lfc_window = 16;
	memset(&a, 0, sizeof(a));
	a.cx = cx;
	a.prof = prof;
	a.task = task;
	for (i = 0; i < EBPH_NR_CALLS; i++)
		a.prof.rows[i] = EBPH_NO_ROW;
	b = a;
	for (i = 0; i < 40000; i++) {
		__u32 r = lcg(&seed) % 1000, call = 1 + (i % 7);
		struct ph_result ra = { 0 };

		if (r < 1) {
			ph_normalize(&a.prof, a.cx.now);
			ph_normalize(&b.prof, b.cx.now);
		} else if (r < 2) {
			ph_reset_training(&a.prof);
			ph_reset_training(&b.prof);
		} else if (r < 3) {
			ph_tolerize(&a.prof);
			ph_tolerize(&b.prof);
		} else if (r < 4) {
			ph_reset_training(&a.prof);
			ph_tolerize(&a.prof);
			a.prof.ngen++;
			a.prof.ngen_tgen = a.prof.tgen;
			ph_reset_training(&b.prof);
			ph_tolerize(&b.prof);
			b.prof.ngen++;
			b.prof.ngen_tgen = b.prof.tgen;
		} else if (r < 8) {
			ph_hist_clear(&a.task.frame[0]);	/* exec-like */
			ph_hist_clear(&b.task.frame[0]);
		} else {
			if (r < 12)
				call = 8 + lcg(&seed) % 3;	/* a detour, often the same */
			else if (r < 13)
				call = 20 + lcg(&seed) % 8;	/* new behaviour */
			a.cx.now += 1;
			b.cx.now += 1;
			ra = full_call(&a, call);
			if (ph_memo_hit(&b.task, &b.prof, slot, &b.task.frame[0], call))
				hits++;
			if (fast_call(&b, slot, call)) {
				fast++;
				ck_assert_msg(!(ra.anomaly | ra.nchanges | ra.tolerize | ra.calm |
						ra.full | ra.misses),
					      "event %u: the fast path took call %u, ph_step reports", i,
					      call);
			} else {
				struct ph_result rb = full_call(&b, call);

				ck_assert_msg(!memcmp(&ra, &rb, sizeof(ra)), "event %u: results differ",
					      i);
			}
			anomalies += ra.anomaly;
		}
		ck_assert_msg(!memcmp(&a.prof, &b.prof, sizeof(a.prof)),
			      "event %u: profiles differ (state %u/%u, train %llu/%llu)", i,
			      a.prof.state, b.prof.state, (unsigned long long)a.prof.train_count,
			      (unsigned long long)b.prof.train_count);
		ck_assert_msg(!memcmp(&a.task, &b.task, offsetof(struct ebph_task, memo_slot)),
			      "event %u: tasks differ", i);
		ck_assert_uint_eq(a.cx.next, b.cx.next);
		ck_assert_uint_eq(a.cx.reads, b.cx.reads);
		ck_assert(!memcmp(a.cx.pool, b.cx.pool, sizeof(a.cx.pool[0]) * a.cx.next));
		normal += a.prof.state == EBPH_NORMAL;
		frozen += a.prof.state == EBPH_FROZEN;
	}
	ck_assert_msg(fast > 10000 && hits > 5000 && anomalies > 50 && normal > 1000 &&
		      frozen > 100, "trace too tame: fast %u, memo hits %u, anomalies %u, "
		      "normal %u, frozen %u", fast, hits, anomalies, normal, frozen);
}
END_TEST

START_TEST(test_ph_hist_push_prev_across_words)
{
	struct ebph_hist w;
	__u32 d;

	ph_hist_clear(&w);
	ck_assert_uint_eq(w.h[0], ~0ULL);
	ck_assert_uint_eq(w.h[1], ~0ULL);
	for (d = 1; d <= 8; d++)
		ck_assert_uint_eq(ph_prev(&w, d), EBPH_EMPTY);

	for (d = 1; d <= 4; d++)
		ph_push(&w, d);
	ck_assert_uint_eq(w.h[0], 0x0001000200030004ULL);
	ck_assert_uint_eq(w.h[1], ~0ULL);
	ck_assert_uint_eq(ph_prev(&w, 1), 4);
	ck_assert_uint_eq(ph_prev(&w, 4), 1);
	ck_assert_uint_eq(ph_prev(&w, 5), EBPH_EMPTY);

	/* the fifth push moves the oldest call into the second word */
	ph_push(&w, 5);
	ck_assert_uint_eq(w.h[0], 0x0002000300040005ULL);
	ck_assert_uint_eq(w.h[1], 0xffffffffffff0001ULL);
	ck_assert_uint_eq(ph_prev(&w, 5), 1);
	ck_assert_uint_eq(ph_prev(&w, 6), EBPH_EMPTY);

	for (d = 6; d <= 9; d++)
		ph_push(&w, d);
	ck_assert_uint_eq(w.h[0], 0x0006000700080009ULL);
	ck_assert_uint_eq(w.h[1], 0x0002000300040005ULL);
	for (d = 1; d <= 8; d++)
		ck_assert_uint_eq(ph_prev(&w, d), 10 - d);	/* call 1 fell out */

	/* syscall 0 is a call, not an empty slot */
	ph_push(&w, 0);
	ck_assert_uint_eq(ph_prev(&w, 1), 0);
	ck_assert_uint_eq(ph_prev(&w, 8), 3);
}
END_TEST

/* ---- pairs ------------------------------------------------------------ */

START_TEST(test_ph_pairs_window9_bits)
{
	static const __u32 seq[] = { 0, 101, 102, 0 };
	__u8 want[EBPH_ROW_BYTES];
	__u32 c, k, i;

	run(seq, ARRAY_SIZE(seq), NULL);
	/* 101 after 0 (d1); 102 after 101 (d1), 0 (d2); 0 after 102, 101, 0
	 * (d1..d3) */
	ck_assert_uint_eq(prof.nrows, 3);
	ck_assert_uint_eq(prof.sequences, 3);
	ck_assert_uint_eq(prof.train_count, 4);
	ck_assert_uint_eq(prof.last_mod_count, 0);
	ck_assert_uint_eq(row_of(101)->call, 101);
	ck_assert_uint_eq(train_of(101)[0], 0x01);
	ck_assert_uint_eq(nbits(train_of(101)), 1);
	ck_assert_uint_eq(train_of(102)[101], 0x01);
	ck_assert_uint_eq(train_of(102)[0], 0x02);
	ck_assert_uint_eq(nbits(train_of(102)), 2);
	ck_assert_uint_eq(train_of(0)[102], 0x01);
	ck_assert_uint_eq(train_of(0)[101], 0x02);
	ck_assert_uint_eq(train_of(0)[0], 0x04);
	ck_assert_uint_eq(nbits(train_of(0)), 3);

	/* the same call at several distances: one byte, several bits */
	fresh_window();
	for (i = 0; i < 3; i++)
		step(105);
	ck_assert_uint_eq(train_of(105)[105], 0x03);
	ck_assert_uint_eq(nbits(train_of(105)), 2);

	/* a long run: distance 8 is bit 7, distance 9 is out of the window */
	fresh_window();
	for (i = 20; i <= 29; i++)
		step(i);
	for (i = 21; i <= 28; i++)
		ck_assert_uint_eq(train_of(29)[i], 1U << (28 - i));
	ck_assert_uint_eq(train_of(29)[21], 0x80);
	ck_assert_uint_eq(train_of(29)[20], 0);
	ck_assert_uint_eq(nbits(train_of(29)), 8);

	/* the steady-state 1..5 cycle: every row holds exactly its 8 pairs */
	fresh_window();
	for (i = 0; i < 20; i++)
		cycle_step();
	for (c = 1; c <= 5; c++) {
		memset(want, 0, sizeof(want));
		for (k = 1; k <= 8; k++)
			want[cycle_prev(c, k)] |= 1U << (k - 1);
		ck_assert_uint_eq(want[cycle_prev(c, 1)], 0x21);
		ck_assert_uint_eq(want[c], 0x10);
		ck_assert_mem_eq(train_of(c), want, EBPH_ROW_BYTES);
	}
}
END_TEST

START_TEST(test_ph_pairs_small_windows)
{
	static const __u32 seq[] = { 1, 2, 3, 1, 2 };
	__u32 i;

	pp.window = 2;
	run(seq, ARRAY_SIZE(seq), NULL);
	ck_assert_uint_eq(train_of(2)[1], 0x01);
	ck_assert_uint_eq(nbits(train_of(2)), 1);
	ck_assert_uint_eq(train_of(3)[2], 0x01);
	ck_assert_uint_eq(train_of(3)[1], 0);	/* (3, 1, 2) is beyond window 2 */
	ck_assert_uint_eq(nbits(train_of(3)), 1);
	ck_assert_uint_eq(train_of(1)[3], 0x01);
	ck_assert_uint_eq(nbits(train_of(1)), 1);
	ck_assert_uint_eq(prof.sequences, 3);
	ck_assert_uint_eq(prof.last_mod_count, 1);	/* the last 2 after 1 was known */

	pp.window = 4;
	fresh_window();
	for (i = 20; i <= 29; i++)
		step(i);
	ck_assert_uint_eq(train_of(29)[28], 0x01);
	ck_assert_uint_eq(train_of(29)[27], 0x02);
	ck_assert_uint_eq(train_of(29)[26], 0x04);
	ck_assert_uint_eq(train_of(29)[25], 0);
	ck_assert_uint_eq(nbits(train_of(29)), 3);
}
END_TEST

START_TEST(test_ph_pairs_empty_slots_form_none)
{
	/* the first call of a window forms no pair: nothing learned */
	step(7);
	ck_assert_uint_eq(prof.rows[7], EBPH_NO_ROW);
	ck_assert_uint_eq(prof.nrows, 0);
	ck_assert_uint_eq(prof.sequences, 0);
	ck_assert_uint_eq(prof.train_count, 1);
	ck_assert_uint_eq(prof.last_mod_count, 1);

	/* the second forms exactly one */
	step(8);
	ck_assert_uint_eq(prof.nrows, 1);
	ck_assert_uint_eq(train_of(8)[7], 0x01);
	ck_assert_uint_eq(nbits(train_of(8)), 1);
	ck_assert_uint_eq(prof.sequences, 1);
	ck_assert_uint_eq(prof.last_mod_count, 0);
}
END_TEST

START_TEST(test_ph_pairs_ignore_out_of_range_calls)
{
	struct ebph_profile before;
	struct ph_result res;
	static const struct ph_result zero;

	step(1);
	before = prof;
	res = step(EBPH_NR_CALLS);	/* ignored entirely: takes no slot */
	ck_assert_mem_eq(&res, &zero, sizeof(res));
	ck_assert_mem_eq(&prof, &before, sizeof(prof));
	ck_assert_uint_eq(task.lf_pos, 0);	/* not recorded in the locality frame */
	res = step(EBPH_NR_CALLS + 100);
	ck_assert_mem_eq(&res, &zero, sizeof(res));
	ck_assert_mem_eq(&prof, &before, sizeof(prof));
	ck_assert_uint_eq(task.lf_pos, 0);

	/* 2 pairs with 1 at distance 1: the ignored calls left no trace */
	step(2);
	ck_assert_uint_eq(train_of(2)[1], 0x01);
	ck_assert_uint_eq(nbits(train_of(2)), 1);

	/* the highest call is valid */
	fresh_window();
	step(EBPH_NR_SYSCALLS - 1);
	step(EBPH_NR_SYSCALLS - 1);
	ck_assert_uint_eq(train_of(EBPH_NR_SYSCALLS - 1)[EBPH_NR_SYSCALLS - 1], 0x01);
	ck_assert_uint_eq(nbits(train_of(EBPH_NR_SYSCALLS - 1)), 1);
}
END_TEST

/*
 * A call outside the alphabet whose low 16 bits are a valid syscall, e.g. an
 * x32 call (0x40000000 | nr), must not enter the window as syscall nr
 * (ph_call ignores it entirely). Found as a bug in an earlier ph.h.
 */
START_TEST(test_ph_pairs_ignored_call_does_not_alias)
{
	step(1);
	step(0x40000000U | 2);
	step(3);
	ck_assert_msg(train_of(3)[2] == 0,
		      "ignored call 0x40000002 entered the window as 2: "
		      "row[3].bits[2] = %#x, expected 0", train_of(3)[2]);
	ck_assert_uint_eq(train_of(3)[1], 0x01);
	ck_assert_uint_eq(nbits(train_of(3)), 1);
}
END_TEST

/* ---- misses ----------------------------------------------------------- */

START_TEST(test_ph_misses_counts)
{
	struct ebph_hist w;
	__u8 bits[EBPH_ROW_BYTES];
	__u32 i;

	ph_hist_clear(&w);
	ck_assert_uint_eq(ph_misses(NULL, &w, 9), 0);

	ph_push(&w, 10);
	ph_push(&w, 11);
	ph_push(&w, 12);	/* d1 = 12, d2 = 11, d3 = 10 */
	ck_assert_uint_eq(ph_misses(NULL, &w, 9), 3);
	ck_assert_uint_eq(ph_misses(NULL, &w, 3), 2);
	ck_assert_uint_eq(ph_misses(NULL, &w, 2), 1);

	memset(bits, 0, sizeof(bits));
	bits[12] = 0x01;	/* (12, d1) present */
	bits[10] = 0x04;	/* (10, d3) present */
	bits[11] = 0x01;	/* 11 at the wrong distance does not count */
	ck_assert_uint_eq(ph_misses(bits, &w, 9), 1);
	ck_assert_uint_eq(ph_misses(bits, &w, 2), 0);
	bits[11] = 0x02;
	ck_assert_uint_eq(ph_misses(bits, &w, 9), 0);

	/* a full window 9 has 8 pairs; an out-of-range slot has none */
	for (i = 0; i < 8; i++)
		ph_push(&w, 100 + i);
	ck_assert_uint_eq(ph_misses(NULL, &w, 9), 8);
	ck_assert_uint_eq(ph_misses(NULL, &w, 4), 3);
	ph_push(&w, EBPH_NR_CALLS);
	ck_assert_uint_eq(ph_misses(NULL, &w, 9), 7);
	ck_assert_uint_eq(ph_misses(NULL, &w, 2), 0);
}
END_TEST

/* ---- freezing --------------------------------------------------------- */

START_TEST(test_ph_freeze_formula_boundary)
{
	struct ph_result res;
	int i;

	ck_assert_int_eq(ph_should_freeze(52, 39, 12, 0, 128, 32), 0);	/* exactly 3/4 */
	ck_assert_int_eq(ph_should_freeze(53, 40, 12, 0, 128, 32), 1);	/* one past */
	ck_assert_int_eq(ph_should_freeze(128, 96, 1, 0, 128, 32), 0);
	ck_assert_int_eq(ph_should_freeze(128, 97, 1, 0, 128, 32), 1);

	for (i = 0; i < 52; i++) {
		res = cycle_step();
		ck_assert_uint_eq(res.nchanges, 0);
	}
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(prof.train_count, 52);
	ck_assert_uint_eq(prof.last_mod_count, 39);
	ck_assert_uint_eq(prof.sequences, 12);

	cx.now = T0 + 7;
	res = cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_FROZEN);
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.state[0], EBPH_FROZEN);
	ck_assert_uint_eq(res.reason[0], EBPH_R_STABLE);
	ck_assert_uint_eq(prof.normal_time, T0 + 7 + WAIT);
	ck_assert_uint_eq(res.anomaly, 0);
}
END_TEST

/* min_train_calls: the same cycle that froze at 53 calls waits for the
 * minimum; at freezing, frozen_since is now and a per-profile normal_wait_ns
 * (set by EBPH_CMD_SETTINGS) replaces the configured one. */
START_TEST(test_ph_freeze_min_train_calls)
{
	struct ph_result res;
	int i;

	ck_assert_int_eq(ph_should_freeze(99, 90, 12, 100, 128, 32), 0);
	ck_assert_int_eq(ph_should_freeze(100, 90, 12, 100, 128, 32), 1);
	ck_assert_int_eq(ph_should_freeze(100, 90, 0, 100, 128, 32), 0);

	pp.min_train_calls = 100;
	prof.normal_wait_ns = 7;
	for (i = 0; i < 99; i++) {
		res = cycle_step();
		ck_assert_uint_eq(res.nchanges, 0);
		ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	}
	ck_assert_uint_eq(prof.train_count, 99);
	cx.now = T0 + 3;
	res = cycle_step();
	ck_assert_uint_eq(prof.train_count, 100);
	ck_assert_uint_eq(prof.state, EBPH_FROZEN);
	ck_assert_uint_eq(res.reason[0], EBPH_R_STABLE);
	ck_assert_uint_eq(prof.frozen_since, T0 + 3);
	ck_assert_uint_eq(prof.normal_time, T0 + 3 + 7);
	cx.now = T0 + 10;
	res = cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	ck_assert_uint_eq(res.reason[0], EBPH_R_NORMAL_WAIT);
}
END_TEST

START_TEST(test_ph_freeze_not_before_learning)
{
	struct ph_result res;
	int i;

	/* only empty windows: counters grow, nothing is learned, no freeze */
	for (i = 0; i < 20; i++) {
		fresh_window();
		res = step(i + 1);
		ck_assert_uint_eq(res.nchanges, 0);
	}
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(prof.train_count, 20);
	ck_assert_uint_eq(prof.last_mod_count, 20);
	ck_assert_uint_eq(prof.sequences, 0);
	ck_assert_uint_eq(prof.nrows, 0);
	ck_assert_int_eq(ph_should_freeze(20, 20, 0, 0, 128, 32), 0);
	ck_assert_int_eq(ph_should_freeze(20, 19, 1, 0, 128, 32), 1);
}
END_TEST

START_TEST(test_ph_frozen_new_behaviour_trains)
{
	struct ph_result res;
	int i;

	for (i = 0; i < 53; i++)
		cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_FROZEN);

	res = step(9);	/* 8 new pairs */
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.state[0], EBPH_TRAINING);
	ck_assert_uint_eq(res.reason[0], EBPH_R_NEW_BEHAVIOUR);
	ck_assert_uint_eq(res.anomaly, 0);
	ck_assert_uint_eq(prof.sequences, 13);
	ck_assert_uint_eq(prof.last_mod_count, 0);
	ck_assert_uint_eq(prof.train_count, 54);
	ck_assert_uint_eq(nbits(train_of(9)), 8);
}
END_TEST

START_TEST(test_ph_frozen_becomes_normal_after_wait)
{
	struct ph_result res;
	int i;

	for (i = 0; i < 53; i++)
		cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_FROZEN);
	ck_assert_uint_eq(prof.normal_time, T0 + WAIT);
	prof.anomalies = 7;	/* left over from an earlier normal period */

	cx.now = T0 + WAIT - 1;
	res = cycle_step();
	ck_assert_uint_eq(res.nchanges, 0);
	ck_assert_uint_eq(prof.state, EBPH_FROZEN);
	ck_assert_uint_eq(prof.train_count, 54);

	cx.now = T0 + WAIT;
	res = cycle_step();
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.state[0], EBPH_NORMAL);
	ck_assert_uint_eq(res.reason[0], EBPH_R_NORMAL_WAIT);
	ck_assert_uint_eq(res.anomaly, 0);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	ck_assert_uint_eq(prof.normal_since, T0 + WAIT);
	ck_assert_uint_eq(prof.train_count, 0);
	ck_assert_uint_eq(prof.last_mod_count, 0);
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_uint_eq(prof.ngen, 1);
	ck_assert_uint_eq(prof.ngen_tgen, prof.tgen);
	ck_assert_uint_eq(prof.sequences, 12);
	ck_assert_ptr_eq(test_of(3), row_of(3)->bits);
}
END_TEST

START_TEST(test_ph_freeze_and_normal_same_call_when_no_wait)
{
	struct ph_result res;
	int i;

	pp.normal_wait_ns = 0;
	for (i = 0; i < 52; i++)
		cycle_step();
	res = cycle_step();
	ck_assert_uint_eq(res.nchanges, 2);
	ck_assert_uint_eq(res.state[0], EBPH_FROZEN);
	ck_assert_uint_eq(res.reason[0], EBPH_R_STABLE);
	ck_assert_uint_eq(res.state[1], EBPH_NORMAL);
	ck_assert_uint_eq(res.reason[1], EBPH_R_NORMAL_WAIT);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	ck_assert_uint_eq(prof.normal_time, T0);
	ck_assert_uint_eq(res.anomaly, 0);
}
END_TEST

/*
 * With clock_mask (the BPF program's 63), a frozen profile reads the clock
 * only when last_mod_count & clock_mask is 0 or the call starts a window:
 * past normal_time it stays frozen until such a call, which normalises it.
 */
START_TEST(test_ph_frozen_clock_on_coarse_trigger)
{
	struct ph_result res;
	__u32 reads;
	int i;

	pp.clock_mask = 63;
	for (i = 0; i < 53; i++)
		cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_FROZEN);
	ck_assert_uint_eq(prof.last_mod_count, 40);	/* 53 calls, the last news on call 13 */
	cx.now = T0 + WAIT;
	reads = cx.reads;
	for (i = 0; i < 23; i++) {	/* last_mod_count 41..63 */
		res = cycle_step();
		ck_assert_uint_eq(res.nchanges, 0);
		ck_assert_uint_eq(prof.state, EBPH_FROZEN);
	}
	ck_assert_uint_eq(cx.reads, reads);
	res = cycle_step();		/* last_mod_count 64 */
	ck_assert_uint_eq(cx.reads, reads + 1);
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.state[0], EBPH_NORMAL);
	ck_assert_uint_eq(res.reason[0], EBPH_R_NORMAL_WAIT);
	ck_assert_uint_eq(prof.normal_since, T0 + WAIT);
}
END_TEST

/* The first call of a window (a task's first after an exec) reads the clock
 * at once; the freezing call does too (normal_wait 0: normal at once). */
START_TEST(test_ph_frozen_clock_at_window_start)
{
	struct ph_result res;
	int i;

	pp.clock_mask = 63;
	for (i = 0; i < 53; i++)
		cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_FROZEN);
	cx.now = T0 + WAIT;
	res = cycle_step();
	ck_assert_uint_eq(res.nchanges, 0);
	fresh_window();
	res = cycle_step();
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.state[0], EBPH_NORMAL);

	setup();
	pp.clock_mask = 63;
	pp.normal_wait_ns = 0;
	for (i = 0; i < 52; i++)
		cycle_step();
	res = cycle_step();
	ck_assert_uint_eq(res.nchanges, 2);
	ck_assert_uint_eq(res.state[1], EBPH_NORMAL);
}
END_TEST

/* ---- normal monitoring ------------------------------------------------ */

/* After make_normal the window ends ..., 3, 4; PREFIX brings it to ..., 3. */
static const __u32 PREFIX[] = { 5, 1, 2, 3 };
/* 7 inserted into the cycle: 7 is unknown (8 misses), then each later call
 * misses 7 and the shifted calls beyond it: 9 - j for the j-th call. The
 * window ends ..., 2, 3 again, so INSERT can be replayed. */
static const __u32 INSERT[] = { 7, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3 };
static const __u32 INSERT_MISSES[] = { 8, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0 };

START_TEST(test_ph_normal_known_sequence_no_anomaly)
{
	__u64 seq;
	int i;

	make_normal();
	seq = prof.sequences;
	for (i = 0; i < 40; i++) {
		struct ph_result res = cycle_step();

		ck_assert_uint_eq(res.anomaly, 0);
		ck_assert_uint_eq(res.misses, 0);
		ck_assert_uint_eq(res.nchanges, 0);
	}
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_uint_eq(task.lfc, 0);
	ck_assert_uint_eq(prof.sequences, seq);
	ck_assert_uint_eq(prof.ntest, 0);	/* nothing written: no snapshot */
	ck_assert_uint_eq(prof.train_count, 40);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
}
END_TEST

START_TEST(test_ph_normal_extra_call_anomaly_misses)
{
	__u32 got[ARRAY_SIZE(INSERT)];
	__u32 n;

	make_normal();
	ck_assert_uint_eq(run(PREFIX, ARRAY_SIZE(PREFIX), NULL), 0);
	n = run(INSERT, ARRAY_SIZE(INSERT), got);
	expect_misses(got, INSERT_MISSES, ARRAY_SIZE(INSERT));
	ck_assert_uint_eq(n, 9);
	ck_assert_uint_eq(prof.anomalies, 9);
	ck_assert_uint_eq(task.lfc, 9);
	ck_assert_uint_eq(task.lfc_max, 9);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
}
END_TEST

/* An anomaly says which pairs were absent (bit d-1 for distance d) and
 * whether the testing data had never seen the call at all. */
START_TEST(test_ph_normal_anomaly_explained)
{
	struct ph_result res;

	make_normal();
	ck_assert_uint_eq(run(PREFIX, ARRAY_SIZE(PREFIX), NULL), 0);
	res = step(7);		/* never made: every pair absent */
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.misses, 8);
	ck_assert_uint_eq(res.missing, 0xff);
	ck_assert_uint_eq(res.unseen, 1);
	res = step(4);		/* 7 at distance 1, the cycle shifted beyond it */
	ck_assert_uint_eq(res.misses, 8);
	ck_assert_uint_eq(res.missing, 0xff);
	ck_assert_uint_eq(res.unseen, 0);
	res = step(5);		/* 4 at distance 1 is known, the rest shifted */
	ck_assert_uint_eq(res.misses, 7);
	ck_assert_uint_eq(res.missing, 0xfe);
	ck_assert_uint_eq(res.unseen, 0);
	res = step(1);
	ck_assert_uint_eq(res.misses, 6);
	ck_assert_uint_eq(res.missing, 0xfc);
	res = clean_call();	/* no anomaly: nothing to explain */
	ck_assert_uint_eq(res.anomaly, 0);
	ck_assert_uint_eq(res.missing, 0);
	ck_assert_uint_eq(res.unseen, 0);
	/* window 4: only distances 1..3 exist */
	fresh_window();
	pp.window = 4;
	ck_assert_uint_eq(run(PREFIX, ARRAY_SIZE(PREFIX), NULL), 0);
	res = step(7);
	ck_assert_uint_eq(res.misses, 3);
	ck_assert_uint_eq(res.missing, 0x7);
}
END_TEST

START_TEST(test_ph_normal_training_copy_on_write)
{
	__u32 got[ARRAY_SIZE(INSERT)];
	__u32 c;

	pp.tolerize_limit = 127;	/* keep the training data through 18 anomalies */
	make_normal();
	run(PREFIX, ARRAY_SIZE(PREFIX), NULL);
	ck_assert_uint_eq(cx.next, 6);
	run(INSERT, ARRAY_SIZE(INSERT), got);
	expect_misses(got, INSERT_MISSES, ARRAY_SIZE(INSERT));

	/* learned in training: row 4 got (7,d1) (7,d6) and 7 more pairs */
	ck_assert_uint_eq(train_of(4)[7], 0x21);
	ck_assert_uint_eq(nbits(train_of(4)), 17);
	/* rows 1..5 were written after normalisation: snapshots keep the
	 * testing view as it was */
	ck_assert_uint_eq(prof.nrows, 6);
	ck_assert_uint_eq(prof.ntest, 5);
	ck_assert_uint_eq(cx.next, 1 + 5 + 1 + 5);
	for (c = 1; c <= 5; c++) {
		ck_assert_uint_ne(row_of(c)->test, EBPH_NO_ROW);
		ck_assert_uint_eq(row_of(c)->ngen, prof.ngen);
		ck_assert_mem_eq(test_of(c), saved[c], EBPH_ROW_BYTES);
		ck_assert_uint_eq(nbits(test_of(c)), 8);
		ck_assert_uint_gt(nbits(train_of(c)), 8);
	}
	/* row 7, created after normalisation: empty testing view; its training
	 * pairs are those 4 has in the cycle */
	ck_assert_ptr_null(test_of(7));
	ck_assert_mem_eq(train_of(7), saved[4], EBPH_ROW_BYTES);

	/* so the same insertion is still anomalous, and learns nothing new */
	run(INSERT, ARRAY_SIZE(INSERT), got);
	expect_misses(got, INSERT_MISSES, ARRAY_SIZE(INSERT));
	ck_assert_uint_eq(prof.anomalies, 18);
	ck_assert_uint_eq(prof.ntest, 5);
	ck_assert_uint_eq(prof.last_mod_count, 2 + ARRAY_SIZE(INSERT));

	/* normalising again takes the new pairs into the testing view */
	cx.now += 1;
	ph_normalize(&prof, cx.now);
	ck_assert_uint_eq(prof.ngen, 2);
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_uint_eq(prof.normal_since, cx.now);
	ck_assert_mem_eq(test_of(4), train_of(4), EBPH_ROW_BYTES);
	ck_assert_mem_eq(test_of(7), saved[4], EBPH_ROW_BYTES);
	ck_assert_uint_eq(run(INSERT, ARRAY_SIZE(INSERT), NULL), 0);
	ck_assert_uint_eq(prof.anomalies, 0);
}
END_TEST

/* A row left over from before a reset is empty in the testing view of the
 * next normalisation, and stays empty once training writes it. */
START_TEST(test_ph_normal_stale_row_snapshot_is_empty)
{
	static const __u32 two[] = { 1, 2 };
	static const __u32 twothree[] = { 2, 3 };
	struct ph_result res;
	int i;

	for (i = 0; i < 30; i++)
		cycle_step();
	ph_reset_training(&prof);
	fresh_window();
	run(two, 2, NULL);	/* row 2 relearned in epoch 1, row 3 stale */
	cx.now += 1;
	ph_normalize(&prof, cx.now);
	ck_assert_uint_eq(prof.ngen_tgen, 1);
	ck_assert_uint_eq(nbits(test_of(2)), 1);
	ck_assert_ptr_null(test_of(3));
	ck_assert_uint_eq(nbits(row_of(3)->bits), 8);	/* old bits still there */

	fresh_window();
	ck_assert_uint_eq(step(twothree[0]).anomaly, 0);
	res = step(twothree[1]);	/* (3, 2, 1) was learned in epoch 0 only */
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.misses, 1);
	/* its testing view was empty: no snapshot row is spent on it */
	ck_assert_uint_eq(prof.ntest, 0);
	ck_assert_ptr_null(test_of(3));
	ck_assert_uint_eq(train_of(3)[2], 0x01);
	ck_assert_uint_eq(nbits(train_of(3)), 1);
	res = step(3);	/* still anomalous: the testing view stays empty */
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.misses, 2);
}
END_TEST

START_TEST(test_ph_anomaly_limit_returns_to_training)
{
	static const __u32 three[] = { 7, 4, 5 };
	struct ph_result res;
	__u64 tc;
	int i;

	pp.anomaly_limit = 3;
	make_normal();
	run(PREFIX, ARRAY_SIZE(PREFIX), NULL);
	/* one task's burst of three anomalies is one episode */
	ck_assert_uint_eq(run(three, ARRAY_SIZE(three), NULL), 3);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	ck_assert_uint_eq(prof.anomalies, 3);
	ck_assert_uint_eq(prof.episodes, 1);
	ck_assert_uint_eq(task.lfc, 3);
	res = step(1);	/* 4th anomalous call, same episode: still normal */
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.nchanges, 0);
	ck_assert_uint_eq(prof.episodes, 1);
	/* single anomalies of separate tasks (their frames empty): one each */
	for (i = 2; i <= 3; i++) {
		ph_lf_clear(&task);
		res = anomalous_call();
		ck_assert_uint_eq(res.anomaly, 1);
		ck_assert_uint_eq(res.nchanges, 0);
		ck_assert_uint_eq(prof.episodes, i);
	}
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);

	ph_lf_clear(&task);
	tc = prof.train_count;
	res = anomalous_call();	/* 4th episode: 4 > limit, period 0 */
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.state[0], EBPH_TRAINING);
	ck_assert_uint_eq(res.reason[0], EBPH_R_ANOMALY_LIMIT);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_uint_eq(prof.episodes, 0);
	/* training counters run on from the normalisation: it re-freezes by the rule */
	ck_assert_uint_eq(prof.train_count, tc + 1);
	ck_assert_uint_eq(prof.tgen, 0);	/* training data kept */
	/* the frame was cleared, then this call (step 5) recorded in it */
	ck_assert_uint_eq(task.lfc, 1);
	ck_assert_uint_eq(task.lf_pos, 1);
	ck_assert_uint_eq(task.lf[0], 1);
	ck_assert_uint_eq(task.lf[1], 0);
	/* no longer monitored: the next shifted call is not an anomaly */
	res = step(2);
	ck_assert_uint_eq(res.anomaly, 0);
	ck_assert_uint_eq(prof.anomalies, 0);
}
END_TEST

/* anomaly_period: the episodes must span that long before the profile
 * leaves normal; scattered noise in a short time does not end it. */
START_TEST(test_ph_anomaly_limit_needs_period)
{
	struct ph_result res;
	int i;

	pp.anomaly_limit = 3;
	pp.anomaly_period_ns = 10 * WAIT;
	make_normal();
	for (i = 1; i <= 6; i++) {
		ph_lf_clear(&task);
		res = anomalous_call();
		ck_assert_uint_eq(res.anomaly, 1);
		ck_assert_uint_eq(res.nchanges, 0);
		cx.now += WAIT;	/* 6 episodes over 6 WAIT < 10 WAIT */
	}
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	ck_assert_uint_eq(prof.episodes, 6);
	cx.now += 4 * WAIT;	/* the first is now 10 WAIT old */
	ph_lf_clear(&task);
	res = anomalous_call();
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.reason[0], EBPH_R_ANOMALY_LIMIT);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
}
END_TEST

/* auto_tolerize 0, or the profile's no_tolerize flag: never leaves normal. */
START_TEST(test_ph_anomaly_limit_off)
{
	struct ph_result res;
	int i, pass;

	pp.anomaly_limit = 1;
	make_normal();
	for (pass = 0; pass < 2; pass++) {
		pp.auto_tolerize = pass == 0 ? 0 : 1;
		prof.pflags = pass == 0 ? 0 : EBPH_PF_NO_TOLERIZE;
		for (i = 0; i < 5; i++) {
			ph_lf_clear(&task);
			res = anomalous_call();
			ck_assert_uint_eq(res.anomaly, 1);
			ck_assert_uint_eq(res.nchanges, 0);
		}
		ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	}
	prof.pflags = 0;
	ph_lf_clear(&task);
	res = anomalous_call();
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
}
END_TEST

/* The tolerize_limit reset (which zeroes the anomaly count) does not zero
 * the episodes: a burst cannot hide the profile's earlier ones. */
START_TEST(test_ph_episodes_survive_tolerize_limit)
{
	int i;

	pp.anomaly_limit = 100;
	pp.tolerize_limit = 2;
	make_normal();
	ph_lf_clear(&task);
	anomalous_call();
	for (i = 0; i < 5; i++) {
		fresh_window();
		ph_push(&task.frame[0], 1);
		step(9);
	}
	ck_assert_uint_eq(prof.anomalies, 0);	/* reset by tolerize_limit */
	ck_assert_uint_eq(prof.episodes, 1);
}
END_TEST

/* A profile's own limits (programs entry, struct ebph_limits): each one set
 * replaces the parameter for that profile only; unset ones keep pp's. */
START_TEST(test_ph_profile_limits)
{
	struct ph_result res;
	int i;

	pp.anomaly_limit = 30;
	pp.anomaly_period_ns = 0;
	pp.tolerize_limit = 12;
	make_normal();
	/* its own anomaly_limit 1: the 2nd episode ends normal monitoring */
	prof.lim.set = EBPH_LIM_ANOMALY_LIMIT;
	prof.lim.anomaly_limit = 1;
	ph_lf_clear(&task);
	res = anomalous_call();
	ck_assert_uint_eq(res.nchanges, 0);
	ph_lf_clear(&task);
	res = anomalous_call();
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.reason[0], EBPH_R_ANOMALY_LIMIT);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);

	/* its own anomaly_period: episodes must span it, pp's 0 does not apply */
	setup();
	pp.anomaly_limit = 1;
	make_normal();
	prof.lim.set = EBPH_LIM_ANOMALY_PERIOD;
	prof.lim.anomaly_period_ns = 10 * WAIT;
	for (i = 0; i < 4; i++) {
		ph_lf_clear(&task);
		res = anomalous_call();
		ck_assert_uint_eq(res.nchanges, 0);
		cx.now += WAIT;
	}
	cx.now += 6 * WAIT;
	ph_lf_clear(&task);
	res = anomalous_call();
	ck_assert_uint_eq(res.reason[0], EBPH_R_ANOMALY_LIMIT);

	/* its own tolerize_limit 1: lfc 2 resets its training data */
	setup();
	pp.anomaly_limit = 1000;
	make_normal();
	prof.lim.set = EBPH_LIM_TOLERIZE_LIMIT;
	prof.lim.tolerize_limit = 1;
	res = anomalous_call();
	ck_assert_uint_eq(res.tolerize, 0);
	res = anomalous_call();
	ck_assert_uint_eq(task.lfc, 2);
	ck_assert_uint_eq(res.tolerize, 1);
	ck_assert_uint_eq(prof.tgen, 1);

	/* the same calls under pp's limits (set clear, values ignored) */
	setup();
	pp.anomaly_limit = 1000;
	make_normal();
	prof.lim.tolerize_limit = 1;
	prof.lim.anomaly_limit = 0;
	for (i = 0; i < 12; i++) {
		res = anomalous_call();
		ck_assert_uint_eq(res.tolerize, 0);
		ck_assert_uint_eq(res.nchanges, 0);
	}
	res = anomalous_call();	/* lfc 13 > 12 */
	ck_assert_uint_eq(res.tolerize, 1);
}
END_TEST

/* A script's identity: its name, a relative one in its directory. */
START_TEST(test_ph_script_id)
{
	char a[EBPH_PATH_MAX] = "/tmp/x/a.sh", b[EBPH_PATH_MAX] = "/tmp/x/b.sh";
	char r[EBPH_PATH_MAX] = "a.sh", tail[EBPH_PATH_MAX] = "/tmp/x/a.sh\0junk";
	__u64 ha = ph_script_id(a, 1, 2), h = PH_FNV_OFFSET;
	const char *p;

	for (p = a; *p; p++)	/* FNV-1a of the name */
		h = (h ^ (__u8)*p) * PH_FNV_PRIME;
	ck_assert_uint_eq(ha, h);
	ck_assert_uint_eq(ha, ph_script_id(a, 9, 9));	/* absolute: cwd unused */
	ck_assert_uint_eq(ha, ph_script_id(tail, 1, 2));	/* ends at the NUL */
	ck_assert_uint_ne(ha, ph_script_id(b, 1, 2));
	ck_assert_uint_ne(ph_script_id(r, 1, 2), ph_script_id(r, 1, 3));
	ck_assert_uint_ne(ph_script_id(r, 1, 2), 0);
}
END_TEST

/* Exec graph: learned while training, tested once normal, copy-on-write
 * against resets like rows. */
START_TEST(test_ph_exec_edges)
{
	struct ebph_edge a = { 0 }, b = { 0 };
	struct ph_result res = { 0 };
	__u64 seq;

	/* training: a new edge is learned and is news */
	prof.last_mod_count = 40;
	prof.train_count = 50;
	seq = prof.sequences;
	ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, &a, 1, &res), 0);
	ck_assert_uint_eq(prof.sequences, seq + 1);
	ck_assert_uint_eq(prof.last_mod_count, 0);
	ck_assert(ph_edge_trained(&prof, &a));
	/* known: no news */
	prof.last_mod_count = 7;
	ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, &a, 0, &res), 0);
	ck_assert_uint_eq(prof.last_mod_count, 7);
	/* a frozen profile starting something new trains again */
	prof.state = EBPH_FROZEN;
	ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, &b, 1, &res), 0);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(res.nchanges, 1);
	ck_assert_uint_eq(res.reason[0], EBPH_R_NEW_BEHAVIOUR);

	/* normal: a and b are its testing data; c is not */
	ph_normalize(&prof, cx.now);
	ck_assert(ph_edge_tested(&prof, &a) && ph_edge_tested(&prof, &b));
	memset(&res, 0, sizeof(res));
	ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, &a, 0, &res), 0);
	{
		struct ebph_edge c = { 0 };

		ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, &c, 1, &res), 1);
		ck_assert_uint_eq(res.anomaly, 1);
		ck_assert_uint_eq(prof.anomalies, 1);
		ck_assert_uint_eq(prof.episodes, 1);
		ck_assert(ph_edge_trained(&prof, &c));
		/* learned, but not tested until the next normalisation */
		ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, &c, 0, &res), 1);
		ph_normalize(&prof, cx.now);
		ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, &c, 0, &res), 0);
	}
	/* a training reset while normal: a stays tested, also once relearned */
	ph_reset_training(&prof);
	ck_assert(!ph_edge_trained(&prof, &a));
	ck_assert(ph_edge_tested(&prof, &a));
	ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, &a, 0, &res), 0);
	ck_assert(ph_edge_trained(&prof, &a));
	ck_assert(ph_edge_tested(&prof, &a));
	/* b, not relearned, is in the testing data, not the training data */
	ck_assert(ph_edge_tested(&prof, &b) && !ph_edge_trained(&prof, &b));
	/* no room (NULL): an anomaly all the same, news, reported as full */
	memset(&res, 0, sizeof(res));
	ck_assert_int_eq(ph_exec_step(&cx, &pp, &prof, &task, NULL, 0, &res), 1);
	ck_assert_uint_eq(res.full, 1);
}
END_TEST

/* ---- locality frame --------------------------------------------------- */

START_TEST(test_ph_lfc_sliding_window)
{
	static const __u8 rec[] = { 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0 };
	static const __u16 want[] = { 1, 1, 1, 1, 1, 0, 1, 2, 2, 3, 3, 2, 1, 1, 0 };
	size_t i;

	/* lfc_window 5: an anomaly leaves after exactly 5 later calls */
	for (i = 0; i < ARRAY_SIZE(rec); i++) {
		ph_lf_record(&task, rec[i], 5);
		ck_assert_msg(task.lfc == want[i], "record #%zu: lfc %u, expected %u", i,
			      task.lfc, want[i]);
	}
	ck_assert_uint_eq(task.lfc_max, 3);
	ck_assert_uint_eq(task.lf[0], 0);

	/* a clear frame does not move: where it starts does not matter */
	task.lf_pos = 3;
	ph_lf_record(&task, 0, 5);
	ck_assert_uint_eq(task.lf_pos, 3);

	/* lfc_window 128: slot 70 lives in the second word */
	memset(task.lf, 0, sizeof(task.lf));
	task.lfc = task.lfc_max = task.lf_pos = 0;
	ph_lf_record(&task, 1, 128);	/* slot 0 */
	for (i = 1; i < 70; i++)
		ph_lf_record(&task, 0, 128);
	ck_assert_uint_eq(task.lf_pos, 70);
	ph_lf_record(&task, 1, 128);	/* slot 70 */
	ck_assert_uint_eq(task.lf[0], 1);
	ck_assert_uint_eq(task.lf[1], 1ULL << 6);
	ck_assert_uint_eq(task.lfc, 2);
	for (i = 0; i < 57; i++)
		ph_lf_record(&task, 0, 128);	/* up to slot 127 */
	ck_assert_uint_eq(task.lfc, 2);
	ph_lf_record(&task, 0, 128);	/* wraps to slot 0: the first leaves */
	ck_assert_uint_eq(task.lfc, 1);
	ck_assert_uint_eq(task.lf[0], 0);
	for (i = 0; i < 69; i++)
		ph_lf_record(&task, 0, 128);
	ck_assert_uint_eq(task.lfc, 1);
	ck_assert_uint_eq(task.lf_pos, 70);
	ph_lf_record(&task, 0, 128);	/* 128 calls after it: the second leaves */
	ck_assert_uint_eq(task.lfc, 0);
	ck_assert_uint_eq(task.lf[1], 0);
	ck_assert_uint_eq(task.lfc_max, 2);
}
END_TEST

START_TEST(test_ph_lfc_sliding_window_through_step)
{
	static const __u32 known[] = { 2, 3, 4, 5 };
	__u32 i;

	pp.lfc_window = 4;
	make_normal();
	run(PREFIX, ARRAY_SIZE(PREFIX), NULL);
	step(7);	/* anomaly */
	ck_assert_uint_eq(task.lfc, 1);
	/* 4, 5, 1 are anomalies too (8, 7, 6 misses); then the cycle is known
	 * again from the 9th call after 7 on */
	run(INSERT + 1, 8, NULL);
	ck_assert_uint_eq(task.lfc, 4);
	ck_assert_uint_eq(task.lfc_max, 4);
	for (i = 0; i < ARRAY_SIZE(known); i++) {
		ck_assert_uint_eq(step(known[i]).anomaly, 0);
		ck_assert_uint_eq(task.lfc, 3 - i);
	}
	ck_assert_uint_eq(task.lfc_max, 4);
}
END_TEST

START_TEST(test_ph_lfc_clear_not_stale)
{
	int i;

	ph_lf_record(&task, 1, 5);
	ph_lf_record(&task, 1, 5);
	ph_lf_record(&task, 1, 5);
	ck_assert_uint_eq(task.lfc, 3);
	ph_lf_clear(&task);
	ck_assert_uint_eq(task.lfc, 0);
	ck_assert_uint_eq(task.lf_pos, 0);
	ck_assert_uint_eq(task.lf[0], 0);
	ck_assert_uint_eq(task.lf[1], 0);
	ck_assert_uint_eq(task.lfc_max, 3);	/* the highest ever seen stays */

	/* slots 1 and 2 held anomalies before the clear: passing them must not
	 * decrement */
	ph_lf_record(&task, 1, 5);
	for (i = 0; i < 4; i++) {
		ph_lf_record(&task, 0, 5);
		ck_assert_uint_eq(task.lfc, 1);
	}
	ph_lf_record(&task, 0, 5);
	ck_assert_uint_eq(task.lfc, 0);
	for (i = 0; i < 10; i++)
		ph_lf_record(&task, 0, 5);
	ck_assert_uint_eq(task.lfc, 0);
	ck_assert_uint_eq(task.lf[0], 0);
}
END_TEST

/* ---- tolerize_limit --------------------------------------------------- */

START_TEST(test_ph_tolerize_limit_once_per_crossing)
{
	static const __u16 drain[] = { 4, 4, 4, 4, 3, 2, 1, 0 };
	struct ph_result res;
	__u32 c, i, tgen;

	pp.lfc_window = 8;
	pp.tolerize_limit = 2;
	pp.anomaly_limit = 1000;
	make_normal();

	res = anomalous_call();
	ck_assert_uint_eq(res.misses, 1);
	ck_assert_uint_eq(res.tolerize, 0);
	res = anomalous_call();
	ck_assert_uint_eq(res.tolerize, 0);
	ck_assert_uint_eq(task.lfc, 2);
	ck_assert_uint_eq(prof.anomalies, 2);

	res = anomalous_call();	/* lfc 3 > 2: crossing */
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.tolerize, 1);
	ck_assert_uint_eq(task.lfc, 3);
	ck_assert_uint_eq(task.over_tolerize, 1);
	ck_assert_uint_eq(prof.tgen, 1);
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_uint_eq(prof.train_count, 0);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	for (c = 1; c <= 5; c++) {
		ck_assert_ptr_null(train_of(c));
		ck_assert_mem_eq(test_of(c), saved[c], EBPH_ROW_BYTES);
	}
	ck_assert_ptr_null(train_of(9));
	ck_assert_ptr_null(test_of(9));

	res = anomalous_call();	/* still above: not reported again */
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.tolerize, 0);
	ck_assert_uint_eq(task.lfc, 4);
	/* while above the limit the training data is reset on every call, as in
	 * pH: nothing of the burst is learned, anomalies stay 0 */
	ck_assert_uint_eq(prof.tgen, 2);
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_ptr_null(train_of(9));

	tgen = prof.tgen;
	for (i = 0; i < ARRAY_SIZE(drain); i++) {
		res = clean_call();
		ck_assert_uint_eq(res.anomaly, 0);
		ck_assert_uint_eq(res.tolerize, 0);
		ck_assert_uint_eq(task.lfc, drain[i]);
		ck_assert_uint_eq(task.over_tolerize, drain[i] > 2);
		tgen += drain[i] > 2;
		ck_assert_uint_eq(prof.tgen, tgen);
	}

	res = anomalous_call();
	ck_assert_uint_eq(res.tolerize, 0);
	res = anomalous_call();
	ck_assert_uint_eq(res.tolerize, 0);
	res = anomalous_call();	/* second crossing */
	ck_assert_uint_eq(res.tolerize, 1);
	ck_assert_uint_eq(task.lfc, 3);
	ck_assert_uint_eq(prof.tgen, tgen + 1);
	ck_assert_uint_eq(task.lfc_max, 4);

	/* the testing view survived both resets: the cycle is still normal,
	 * while training relearns it (snapshotting the rows it writes) */
	fresh_window();
	cyc = 0;
	for (i = 0; i < 7; i++) {	/* 1 2 3 4 5 1 2 */
		res = cycle_step();
		ck_assert_uint_eq(res.anomaly, 0);
	}
	ck_assert_uint_eq(prof.ntest, 5);
	for (c = 1; c <= 5; c++)
		ck_assert_mem_eq(test_of(c), saved[c], EBPH_ROW_BYTES);
	ck_assert_uint_eq(nbits(train_of(2)), 6);
}
END_TEST

/* ---- row pool --------------------------------------------------------- */

START_TEST(test_ph_pool_full_new_row)
{
	static const __u32 seq[] = { 1, 2 };
	static const __u32 seq2[] = { 1, 3 };
	struct ph_result res;

	cx.cap = 3;	/* rows 1 and 2 only */
	run(seq, 2, NULL);
	fresh_window();
	run(seq2, 2, NULL);
	ck_assert_uint_eq(prof.nrows, 2);
	fresh_window();
	step(1);
	ck_assert_uint_eq(prof.last_mod_count, 1);

	res = step(4);
	ck_assert_uint_eq(res.full, 1);
	ck_assert_uint_eq(res.nchanges, 0);
	ck_assert_uint_eq(prof.rows[4], EBPH_NO_ROW);
	ck_assert_uint_eq(prof.nrows, 2);
	ck_assert_uint_eq(prof.sequences, 2);	/* nothing learned */
	ck_assert_uint_eq(prof.last_mod_count, 0);	/* but it was news: no freezing */
	ck_assert_uint_eq(prof.train_count, 6);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(cx.next, 3);
	/* the rows that exist are intact */
	ck_assert_uint_eq(train_of(2)[1], 0x01);
	ck_assert_uint_eq(nbits(train_of(2)), 1);
	ck_assert_uint_eq(train_of(3)[1], 0x01);
	ck_assert_uint_eq(nbits(train_of(3)), 1);
}
END_TEST

START_TEST(test_ph_pool_full_snapshot_writes_nothing)
{
	struct ph_result res;
	__u64 seq;

	make_normal();
	ck_assert_uint_eq(cx.next, 6);
	cx.cap = cx.next;	/* pool exhausted */
	seq = prof.sequences;

	res = step(7);	/* needs a new row */
	ck_assert_uint_eq(res.full, 1);
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.misses, 8);
	ck_assert_uint_eq(prof.rows[7], EBPH_NO_ROW);
	ck_assert_uint_eq(prof.nrows, 5);

	res = step(5);	/* needs a snapshot of row 5 before writing it */
	ck_assert_uint_eq(res.full, 1);
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.misses, 8);
	ck_assert_mem_eq(row_of(5)->bits, saved[5], EBPH_ROW_BYTES);
	ck_assert_uint_eq(row_of(5)->test, EBPH_NO_ROW);
	ck_assert_uint_eq(row_of(5)->ngen, 0);
	ck_assert_uint_eq(prof.ntest, 0);
	ck_assert_uint_eq(prof.sequences, seq);
	ck_assert_uint_eq(prof.train_count, 2);

	/* after a reset, a snapshot is needed before clearing row 1: when it
	 * cannot be had the row is not cleared either */
	ph_reset_training(&prof);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	seq = prof.sequences;
	res = step(1);
	ck_assert_uint_eq(res.full, 1);
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.misses, 7);
	ck_assert_uint_eq(row_of(1)->tgen, 0);
	ck_assert_mem_eq(row_of(1)->bits, saved[1], EBPH_ROW_BYTES);
	ck_assert_mem_eq(test_of(1), saved[1], EBPH_ROW_BYTES);
	ck_assert_ptr_null(train_of(1));
	ck_assert_uint_eq(cx.next, 6);
	ck_assert_uint_eq(prof.sequences, seq);

	/* with room again: snapshot, then clear and learn */
	cx.cap = POOL_ROWS;
	res = step(2);
	ck_assert_uint_eq(res.full, 0);
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(res.misses, 6);
	ck_assert_uint_eq(prof.ntest, 1);
	ck_assert_uint_eq(row_of(2)->test, 6);
	ck_assert_uint_eq(row_of(2)->tgen, 1);
	ck_assert_mem_eq(test_of(2), saved[2], EBPH_ROW_BYTES);
	ck_assert_uint_eq(nbits(train_of(2)), 8);
	ck_assert_uint_eq(train_of(2)[7], 0x04);	/* 7 was 3 calls back */
	ck_assert_uint_eq(prof.sequences, seq + 1);
}
END_TEST

/* Two CPUs want a row for the same new call at once, and the other one
 * publishes its row between this one's alloc and publish: the call has
 * exactly one row, the other's, this CPU's goes back, and the pairs it
 * learns go into the other's row. */
START_TEST(test_ph_row_race_loser_gives_back)
{
	static const __u32 seq[] = { 1, 2 };
	struct ph_result res;

	run(seq, 2, NULL);
	ck_assert_uint_eq(prof.nrows, 1);
	ck_assert_uint_eq(cx.next, 2);
	cx.rival = 1;
	res = step(3);
	ck_assert_uint_eq(res.full, 0);
	ck_assert_uint_eq(prof.rows[3], 2);	/* the other CPU's */
	ck_assert_uint_eq(cx.freed, 3);		/* this CPU's, given back */
	ck_assert_uint_eq(prof.nrows, 2);
	ck_assert_uint_eq(nbits(train_of(3)), 2);
	ck_assert_uint_eq(train_of(3)[2], 0x01);
	ck_assert_uint_eq(train_of(3)[1], 0x02);
	ck_assert_uint_eq(prof.sequences, 2);
}
END_TEST

/* The same for the snapshot a normal profile's row takes before its first
 * training write: one snapshot (the other CPU's), this one's goes back. */
START_TEST(test_ph_snapshot_race_loser_gives_back)
{
	struct ph_result res;

	make_normal();
	ck_assert_uint_eq(cx.next, 6);
	fresh_window();
	ph_push(&task.frame[0], 1);
	cx.rival = 1;
	res = step(3);	/* (3, 1, 1) is new: learned in row 3, snapshot first */
	ck_assert_uint_eq(res.full, 0);
	ck_assert_uint_eq(res.anomaly, 1);
	ck_assert_uint_eq(row_of(3)->test, 6);	/* the other CPU's */
	ck_assert_uint_eq(cx.freed, 7);
	ck_assert_uint_eq(prof.ntest, 1);
	ck_assert_mem_eq(test_of(3), saved[3], EBPH_ROW_BYTES);
	ck_assert_uint_eq(train_of(3)[1] & 0x01, 0x01);
	ck_assert_uint_eq(nbits(train_of(3)), nbits(saved[3]) + 1);
}
END_TEST

/* ---- operator commands ------------------------------------------------ */

START_TEST(test_ph_reset_training_sensitize)
{
	static const __u32 two[] = { 1, 2 };
	__u32 c, i;

	for (i = 0; i < 30; i++)
		cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(nbits(train_of(2)), 8);

	ph_reset_training(&prof);
	ck_assert_uint_eq(prof.tgen, 1);
	ck_assert_uint_eq(prof.train_count, 0);
	ck_assert_uint_eq(prof.last_mod_count, 0);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(prof.nrows, 5);
	for (c = 1; c <= 5; c++)
		ck_assert_ptr_null(train_of(c));

	/* the first write clears the old bits: only the new pair remains */
	fresh_window();
	run(two, 2, NULL);
	ck_assert_uint_eq(train_of(2)[1], 0x01);
	ck_assert_uint_eq(nbits(train_of(2)), 1);
	ck_assert_uint_eq(prof.nrows, 5);

	/* frozen -> training */
	prof.state = EBPH_FROZEN;
	ph_reset_training(&prof);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(prof.tgen, 2);
}
END_TEST

START_TEST(test_ph_reset_training_keeps_normal_testing)
{
	__u32 c;

	make_normal();
	run(PREFIX, ARRAY_SIZE(PREFIX), NULL);
	step(7);
	ck_assert_uint_eq(prof.anomalies, 1);
	ph_reset_training(&prof);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_uint_eq(prof.tgen, 1);
	for (c = 1; c <= 5; c++) {
		ck_assert_ptr_null(train_of(c));
		ck_assert_mem_eq(test_of(c), saved[c], EBPH_ROW_BYTES);
	}
	ck_assert_ptr_null(train_of(7));
	ck_assert_ptr_null(test_of(7));
}
END_TEST

/*
 * BUG (ph.h, ph_reset_training / ph_should_freeze): the "nothing learned
 * yet" guard is prof->sequences, which ph_reset_training does not clear.
 * After a reset the training data is empty, yet the first call with an
 * empty window (first call after execve, first call in a signal handler)
 * gives train_count 1, last_mod_count 1: 1*32 > 0*128 and sequences > 0, so
 * the profile freezes with no training data (and with a short normal_wait
 * becomes normal with an empty testing view). Expected: still training.
 */
START_TEST(test_ph_reset_training_no_freeze_before_relearning)
{
	struct ph_result res;
	int i;

	for (i = 0; i < 30; i++)
		cycle_step();
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ph_reset_training(&prof);

	fresh_window();
	res = step(1);
	ck_assert_msg(prof.state == EBPH_TRAINING && res.nchanges == 0,
		      "BUG ph.h: profile froze with empty training data after "
		      "ph_reset_training (state %u, nchanges %u, sequences %llu)",
		      prof.state, res.nchanges, (unsigned long long)prof.sequences);
}
END_TEST

START_TEST(test_ph_tolerize_command)
{
	/* INSERT with 8 instead of 7 */
	static const __u32 other[] = { 8, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3 };
	__u64 seq, tc, lm;

	make_normal();
	run(PREFIX, ARRAY_SIZE(PREFIX), NULL);
	ck_assert_uint_eq(run(INSERT, ARRAY_SIZE(INSERT), NULL), 9);
	ck_assert_uint_eq(prof.anomalies, 9);

	tc = prof.train_count;
	lm = prof.last_mod_count;
	ph_tolerize(&prof);
	ck_assert_uint_eq(prof.state, EBPH_TRAINING);
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_uint_eq(prof.train_count, tc);	/* counters run on */
	ck_assert_uint_eq(prof.last_mod_count, lm);
	ck_assert_uint_eq(prof.tgen, 0);	/* training data kept */
	ck_assert_uint_eq(prof.ngen, 1);
	ck_assert_mem_eq(train_of(7), saved[4], EBPH_ROW_BYTES);

	/* not monitored: new behaviour is learned, not reported */
	seq = prof.sequences;
	ck_assert_uint_eq(run(other, ARRAY_SIZE(other), NULL), 0);
	ck_assert_uint_eq(prof.sequences, seq + 9);
	ck_assert_uint_eq(nbits(train_of(8)), 8);
	ck_assert_uint_eq(prof.anomalies, 0);
	ck_assert_uint_eq(task.lfc, 9);

	/* normalising again accepts what was learned meanwhile */
	ph_normalize(&prof, cx.now);
	ck_assert_uint_eq(prof.state, EBPH_NORMAL);
	ck_assert_uint_eq(prof.ngen, 2);
	ck_assert_uint_eq(prof.ngen_tgen, 0);
	ck_assert_uint_eq(run(other, ARRAY_SIZE(other), NULL), 0);
	ck_assert_uint_eq(run(INSERT, ARRAY_SIZE(INSERT), NULL), 0);
	ck_assert_uint_eq(prof.anomalies, 0);
}
END_TEST

/* ---- signal-handler windows (ph_sig_enter, ph_sig_leave) ---- */

#define MAIN_SP		0x7fff0000ULL	/* stack pointer of the interrupted main code */
#define ALT_LO		0x10000ULL	/* an alternate signal stack below the main stack */
#define ALT_SIZE	0x8000ULL

/* A handler starts after a signal interrupted code at sp, on the main stack. */
static void sig_enter(__u64 sp)
{
	ph_sig_enter(&task, sp, 0, 0, 0, 0);
}

/* A call at sp: 1 if it was a handler's rt_sigreturn. */
static int sig_call(__u64 sp, __s64 nr, __s64 ret)
{
	return ph_sig_leave(&task, sp, nr, ret);
}

START_TEST(test_ph_sig_return_pops_and_keeps_main_window)
{
	ph_push(&task.frame[0], 7);
	sig_enter(MAIN_SP);
	ck_assert_uint_eq(task.depth, 1);
	ph_push(&task.frame[1], 9);
	ck_assert_int_eq(sig_call(MAIN_SP - 4096, 102, 0), 0);	/* a call in the handler */
	ck_assert_uint_eq(task.depth, 1);
	ck_assert_int_eq(sig_call(MAIN_SP, -1, 0), 1);		/* its rt_sigreturn */
	ck_assert_uint_eq(task.depth, 0);
	ck_assert_uint_eq(ph_prev(&task.frame[0], 1), 7);
	ck_assert_uint_eq(ph_prev(&task.frame[0], 2), EBPH_EMPTY);
	/* the handler's window starts fresh next time */
	sig_enter(MAIN_SP);
	ck_assert_uint_eq(ph_prev(&task.frame[1], 1), EBPH_EMPTY);
}
END_TEST

START_TEST(test_ph_sig_minus1_is_a_call_unless_a_return)
{
	/* syscall(-1) in the handler: a call, the handler's window goes on */
	sig_enter(MAIN_SP);
	ck_assert_int_eq(sig_call(MAIN_SP - 4096, -1, -PH_ENOSYS), 0);
	ck_assert_uint_eq(task.depth, 1);
	/* ... even when the handler's registers happen to hold -ENOSYS: only
	 * the stack pointer tells */
	ck_assert_int_eq(sig_call(MAIN_SP - 200, -1, 0), 0);
	ck_assert_uint_eq(task.depth, 1);
	/* the return restores the interrupted sp, whatever rax it restores */
	ck_assert_int_eq(sig_call(MAIN_SP, -1, -PH_ENOSYS), 1);
	ck_assert_uint_eq(task.depth, 0);
	/* syscall(-1) with no handler running: a call */
	ck_assert_int_eq(sig_call(MAIN_SP, -1, 0), 0);
	ck_assert_int_eq(sig_call(MAIN_SP, -1, -PH_ENOSYS), 0);
	/* a handler left with siglongjmp, then syscall(-1) in main code
	 * elsewhere: the frame is dropped and the call counted */
	sig_enter(MAIN_SP);
	ck_assert_int_eq(sig_call(MAIN_SP + 512, -1, -PH_ENOSYS), 0);
	ck_assert_uint_eq(task.depth, 0);
	/* a return to a context the handler changed (another sp, as Go's
	 * preemption does) is still a return: syscall(-1) returns -ENOSYS */
	sig_enter(MAIN_SP);
	ck_assert_int_eq(sig_call(MAIN_SP - 8, -1, 0), 1);
	ck_assert_uint_eq(task.depth, 0);
}
END_TEST

START_TEST(test_ph_sig_longjmp_drops_frames)
{
	int i;

	ph_push(&task.frame[0], 7);
	for (i = 0; i < 4; i++) {
		sig_enter(MAIN_SP - 2048);	/* interrupted deep below main */
		ck_assert_uint_eq(task.depth, 1);
		ck_assert_int_eq(sig_call(MAIN_SP - 8192, 102, 0), 0);
		ck_assert_uint_eq(task.depth, 1);
		/* siglongjmp to main, which calls from higher up */
		ck_assert_int_eq(sig_call(MAIN_SP - 64, 14, 0), 0);
		ck_assert_uint_eq(task.depth, 0);
	}
	/* within the red zone below the interrupted sp is not the handler */
	sig_enter(MAIN_SP);
	ck_assert_int_eq(sig_call(MAIN_SP - EBPH_SIG_REDZONE, 39, 0), 0);
	ck_assert_uint_eq(task.depth, 0);
	sig_enter(MAIN_SP);
	ck_assert_int_eq(sig_call(MAIN_SP - EBPH_SIG_REDZONE - 8, 39, 0), 0);
	ck_assert_uint_eq(task.depth, 1);
	/* a signal delivered to main code after a siglongjmp: the dead frame
	 * goes before the new one is pushed */
	sig_enter(MAIN_SP + 4096);
	ck_assert_uint_eq(task.depth, 1);
	ck_assert_uint_eq(task.sig[1].sp, MAIN_SP + 4096);
	ck_assert_uint_eq(ph_prev(&task.frame[0], 1), 7);
}
END_TEST

START_TEST(test_ph_sig_nested_longjmp_to_outer_handler)
{
	sig_enter(MAIN_SP);
	sig_enter(MAIN_SP - 4096);	/* interrupts the first handler */
	ck_assert_uint_eq(task.depth, 2);
	ck_assert_uint_eq(task.sig[2].lo, 0);
	/* the second handler longjmps into the first: a call there drops it */
	ck_assert_int_eq(sig_call(MAIN_SP - 1024, 39, 0), 0);
	ck_assert_uint_eq(task.depth, 1);
	/* the first returns */
	ck_assert_int_eq(sig_call(MAIN_SP, -1, 0), 1);
	ck_assert_uint_eq(task.depth, 0);
}
END_TEST

START_TEST(test_ph_sig_altstack)
{
	/* SA_ONSTACK with an alternate stack below the main stack: the handler
	 * runs in [ALT_LO, ALT_LO + ALT_SIZE) */
	ph_sig_enter(&task, MAIN_SP, 1, ALT_LO, ALT_SIZE, 0);
	ck_assert_uint_eq(task.depth, 1);
	ck_assert_uint_eq(task.sig[1].lo, ALT_LO);
	ck_assert_uint_eq(task.sig[1].hi, ALT_LO + ALT_SIZE);
	ck_assert_int_eq(sig_call(ALT_LO + ALT_SIZE - 2048, 102, 0), 0);
	ck_assert_uint_eq(task.depth, 1);
	/* a nested handler on the same stack runs below the sp it interrupted,
	 * still on the alternate stack */
	ph_sig_enter(&task, ALT_LO + 0x4000, 1, ALT_LO, ALT_SIZE, 0);
	ck_assert_uint_eq(task.depth, 2);
	ck_assert_uint_eq(task.sig[2].lo, ALT_LO);
	ck_assert_uint_eq(task.sig[2].hi, ALT_LO + 0x4000 - EBPH_SIG_REDZONE);
	/* siglongjmp to code on a stack below the alternate one: both gone */
	ck_assert_int_eq(sig_call(ALT_LO - 0x1000, 39, 0), 0);
	ck_assert_uint_eq(task.depth, 0);
	/* an alternate stack above the main stack: main code is below it, and
	 * still outside the handler */
	ph_sig_enter(&task, MAIN_SP - 0x100000, 1, MAIN_SP, ALT_SIZE, 0);
	ck_assert_int_eq(sig_call(MAIN_SP + 64, 102, 0), 0);
	ck_assert_uint_eq(task.depth, 1);
	ck_assert_int_eq(sig_call(MAIN_SP - 0x100000 + 64, 39, 0), 0);
	ck_assert_uint_eq(task.depth, 0);
	/* without SA_ONSTACK, or without an alternate stack: the main stack */
	ph_sig_enter(&task, MAIN_SP, 0, ALT_LO, ALT_SIZE, 0);
	ck_assert_uint_eq(task.sig[1].hi, MAIN_SP - EBPH_SIG_REDZONE);
	ck_assert_int_eq(sig_call(MAIN_SP, -1, 0), 1);
	ph_sig_enter(&task, MAIN_SP, 1, 0, 0, 0);
	ck_assert_uint_eq(task.sig[1].hi, MAIN_SP - EBPH_SIG_REDZONE);
	ck_assert_int_eq(sig_call(MAIN_SP, -1, 0), 1);
	/* SS_AUTODISARM: the kernel switches even when sp is on the stack */
	ph_sig_enter(&task, ALT_LO + 0x4000, 1, ALT_LO, ALT_SIZE, PH_SS_AUTODISARM);
	ck_assert_uint_eq(task.sig[1].hi, ALT_LO + ALT_SIZE);
}
END_TEST

START_TEST(test_ph_sig_nested_beyond_frames)
{
	const __u32 n = EBPH_FRAMES + 3;	/* nested handlers */
	__u32 i;

	ph_push(&task.frame[0], 7);
	for (i = 0; i < n; i++) {
		sig_enter(MAIN_SP - i * 4096);
		ph_push(&task.frame[task.depth], 100 + i);
	}
	ck_assert_uint_eq(task.depth, EBPH_FRAMES - 1);
	ck_assert_uint_eq(task.over, n - (EBPH_FRAMES - 1));
	/* the handlers return, innermost first */
	for (i = n - 1; i > 0; i--) {
		ck_assert_int_eq(sig_call(MAIN_SP - i * 4096, -1, 0), 1);
		if (i >= EBPH_FRAMES - 1) {
			/* returns into a handler sharing the top frame: cleared */
			ck_assert_uint_eq(task.depth, EBPH_FRAMES - 1);
			ck_assert_uint_eq(ph_prev(&task.frame[EBPH_FRAMES - 1], 1), EBPH_EMPTY);
		} else {
			ck_assert_uint_eq(task.depth, i);
			ck_assert_uint_eq(ph_prev(&task.frame[i], 1), 100 + i - 1);
		}
	}
	ck_assert_int_eq(sig_call(MAIN_SP, -1, 0), 1);
	ck_assert_uint_eq(task.depth, 0);
	ck_assert_uint_eq(task.over, 0);
	ck_assert_uint_eq(ph_prev(&task.frame[0], 1), 7);
	ck_assert_uint_eq(ph_prev(&task.frame[0], 2), EBPH_EMPTY);

	/* deep handlers left with siglongjmp to main: all dropped at once */
	for (i = 0; i < n; i++)
		sig_enter(MAIN_SP - 8192 - i * 4096);
	ck_assert_int_eq(sig_call(MAIN_SP, 39, 0), 0);
	ck_assert_uint_eq(task.depth, 0);
	ck_assert_uint_eq(task.over, 0);
}
END_TEST

/* Without allocation, a call that needs a new row (none yet, or a normal
 * profile's snapshot) gives up and changes nothing; one that has its row
 * goes through. */
START_TEST(test_ph_call_no_alloc_changes_nothing)
{
	struct ebph_profile p0;
	struct ebph_task t0;
	struct ph_result res = { 0 };
	__u32 i;

	step(1);
	step(2);
	p0 = prof;
	t0 = task;
	ck_assert_int_eq(ph_call(&cx, &pp, &prof, &task, &task.frame[0], 3, &res, 0), -1);
	ck_assert_int_eq(memcmp(&p0, &prof, sizeof(prof)), 0);
	ck_assert_int_eq(memcmp(&t0, &task, sizeof(task)), 0);
	ck_assert_int_eq(res.nchanges | res.anomaly | res.full, 0);
	for (i = 0; i < 3; i++) {
		fresh_window();
		step(1);
		step(2);
	}
	fresh_window();
	step(1);
	ck_assert_int_eq(ph_call(&cx, &pp, &prof, &task, &task.frame[0], 2, &res, 0), 0);
	/* normal: the first new pair of a row needs its snapshot row */
	ph_normalize(&prof, cx.now);
	fresh_window();
	step(2);
	p0 = prof;
	ck_assert_int_eq(ph_call(&cx, &pp, &prof, &task, &task.frame[0], 2, &res, 0), -1);
	ck_assert_int_eq(memcmp(&p0, &prof, sizeof(prof)), 0);
	ck_assert_int_eq(ph_call(&cx, &pp, &prof, &task, &task.frame[0], 2, &res, 1), 0);
	ck_assert_uint_ne(row_of(2)->test, EBPH_NO_ROW);
}
END_TEST

Suite *ph_suite(void)
{
	Suite *s = suite_create("ph");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ph_hist_push_prev_across_words);
	tcase_add_test(tc, test_ph_call_no_alloc_changes_nothing);
	tcase_add_test(tc, test_ph_pairs_window9_bits);
	tcase_add_test(tc, test_ph_pairs_small_windows);
	tcase_add_test(tc, test_ph_pairs_empty_slots_form_none);
	tcase_add_test(tc, test_ph_pairs_ignore_out_of_range_calls);
	tcase_add_test(tc, test_ph_pairs_ignored_call_does_not_alias);
	tcase_add_test(tc, test_ph_misses_counts);
	tcase_add_test(tc, test_ph_freeze_formula_boundary);
	tcase_add_test(tc, test_ph_freeze_not_before_learning);
	tcase_add_test(tc, test_ph_freeze_min_train_calls);
	tcase_add_test(tc, test_ph_frozen_new_behaviour_trains);
	tcase_add_test(tc, test_ph_frozen_becomes_normal_after_wait);
	tcase_add_test(tc, test_ph_freeze_and_normal_same_call_when_no_wait);
	tcase_add_test(tc, test_ph_frozen_clock_on_coarse_trigger);
	tcase_add_test(tc, test_ph_frozen_clock_at_window_start);
	tcase_add_test(tc, test_ph_normal_known_sequence_no_anomaly);
	tcase_add_test(tc, test_ph_normal_extra_call_anomaly_misses);
	tcase_add_test(tc, test_ph_normal_anomaly_explained);
	tcase_add_test(tc, test_ph_normal_training_copy_on_write);
	tcase_add_test(tc, test_ph_normal_stale_row_snapshot_is_empty);
	tcase_add_test(tc, test_ph_anomaly_limit_returns_to_training);
	tcase_add_test(tc, test_ph_anomaly_limit_needs_period);
	tcase_add_test(tc, test_ph_anomaly_limit_off);
	tcase_add_test(tc, test_ph_episodes_survive_tolerize_limit);
	tcase_add_test(tc, test_ph_profile_limits);
	tcase_add_test(tc, test_ph_exec_edges);
	tcase_add_test(tc, test_ph_script_id);
	tcase_add_test(tc, test_ph_lfc_sliding_window);
	tcase_add_test(tc, test_ph_lfc_sliding_window_through_step);
	tcase_add_test(tc, test_ph_lfc_clear_not_stale);
	tcase_add_test(tc, test_ph_tolerize_limit_once_per_crossing);
	tcase_add_test(tc, test_ph_pool_full_new_row);
	tcase_add_test(tc, test_ph_pool_full_snapshot_writes_nothing);
	tcase_add_test(tc, test_ph_row_race_loser_gives_back);
	tcase_add_test(tc, test_ph_snapshot_race_loser_gives_back);
	tcase_add_test(tc, test_ph_reset_training_sensitize);
	tcase_add_test(tc, test_ph_reset_training_keeps_normal_testing);
	tcase_add_test(tc, test_ph_reset_training_no_freeze_before_relearning);
	tcase_add_test(tc, test_ph_tolerize_command);
	tcase_add_test(tc, test_ph_sig_return_pops_and_keeps_main_window);
	tcase_add_test(tc, test_ph_sig_minus1_is_a_call_unless_a_return);
	tcase_add_test(tc, test_ph_sig_longjmp_drops_frames);
	tcase_add_test(tc, test_ph_sig_nested_longjmp_to_outer_handler);
	tcase_add_test(tc, test_ph_sig_altstack);
	tcase_add_test(tc, test_ph_sig_nested_beyond_frames);
	tcase_add_test(tc, test_ph_fast_path_agrees_with_step);
	suite_add_tcase(s, tc);
	return s;
}
