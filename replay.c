/* SPDX-License-Identifier: GPL-2.0-only */
/* replay.c: ebph replay: ph.h's algorithm (or stide) run over recorded
 * traces with the monitor's task rules (fork, exec, signals, restarts),
 * printing the monitor's events; and the evaluation on labelled sets. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "syscalls.h"
#include "ebph.h"
#include "config.h"
#include "output.h"
#include "trace.h"
#include "replay.h"
#include "admin.h"

#define RP_CHUNK	1024	/* rows per allocation: row pointers stay valid */
#define RP_ERESTARTSYS		512
#define RP_ERESTARTNOHAND	514
#define RP_ERESTART_BLOCK	516

/* ph.h's context: the engine's rows, allocated in chunks (row pointers stay
 * valid), and its virtual clock. */
struct ph_ctx {
	struct ebph_row **chunks;
	__u32 nrows, max_rows;
	__u64 now;
};

static struct ebph_row *ph_row_get(struct ph_ctx *cx, __u32 idx)
{
	if (idx == EBPH_NO_ROW || idx > cx->nrows)
		return NULL;
	return &cx->chunks[idx / RP_CHUNK][idx % RP_CHUNK];
}

static __u32 ph_row_alloc(struct ph_ctx *cx, struct ebph_profile *prof, __u32 call)
{
	(void)prof;
	(void)call;
	__u32 idx = cx->nrows + 1;
	struct ebph_row **c;

	if (idx > cx->max_rows)
		return EBPH_NO_ROW;
	if (idx % RP_CHUNK == 0 || idx == 1) {
		size_t ci = idx / RP_CHUNK;

		if (!cx->chunks || !cx->chunks[ci]) {
			c = realloc(cx->chunks, (ci + 1) * sizeof(*c));
			if (!c)
				return EBPH_NO_ROW;
			cx->chunks = c;
			c[ci] = calloc(RP_CHUNK, sizeof(struct ebph_row));
			if (!c[ci])
				return EBPH_NO_ROW;
		}
	}
	cx->nrows = idx;
	memset(ph_row_get(cx, idx), 0, sizeof(struct ebph_row));
	return idx;
}

/* One thread: a row is never beaten, but give it back all the same. */
static void ph_row_free(struct ph_ctx *cx, __u32 idx)
{
	if (idx == cx->nrows)
		cx->nrows--;
}

static __u64 ph_now(struct ph_ctx *cx)
{
	return cx->now;
}

#include "ph.h"

/* A set of call sequences (stide's database): open addressing. */
struct rp_seq {
	__u64 h[2];		/* the k - 1 calls before, as ebph_hist, masked */
	__u32 call;		/* the call, + 1 (0: empty slot) */
	__u32 pad;
};

struct rp_seqset {
	struct rp_seq *s;
	size_t n, cap;
};

struct rp_prof {
	char *name;
	__u64 dev, ino;
	struct ebph_profile p;
	struct rp_seqset train, test;	/* stide */
};

struct rp_task {
	__u32 tid;
	__u32 prof;
	__u64 calls;		/* calls of this task counted */
	struct ebph_task t;
};

/* The engine: profiles, rows, tasks, the virtual clock. One at a time. */
struct rp_engine {
	struct ph_params par;
	int detector;
	__u32 k;
	struct rp_prof *profs;
	size_t nprofs;
	struct rp_task *tasks;
	size_t ntasks;
	struct ph_ctx ph;	/* rows and the virtual clock */
	const char *defname;	/* profile of tasks without an exec */
	/* the trace being replayed, for events */
	struct out_ctx *out;
	const char *file;
	__u64 calls;		/* calls counted in this trace */
	__u64 anomalies;
	__u32 max_lfc;
	__u64 first;
	__u64 lost;
	int testing;		/* evaluation: stide's databases are read only */
};

static struct rp_engine *rp;

static void rp_init(struct rp_engine *e, const struct ebph_config *cfg, int detector, __u32 k,
		    const char *defname)
{
	memset(e, 0, sizeof(*e));
	e->par.normal_wait_ns = cfg->normal_wait * 1000000000ULL;
	e->par.window = cfg->window;
	e->par.normal_factor = cfg->normal_factor;
	e->par.normal_factor_den = cfg->normal_factor_den;
	e->par.min_train_calls = cfg->min_train_calls;
	e->par.anomaly_limit = cfg->anomaly_limit;
	e->par.tolerize_limit = cfg->tolerize_limit;
	e->par.lfc_window = cfg->lfc_window;
	e->ph.max_rows = cfg->max_rows;
	e->detector = detector;
	e->k = k;
	e->defname = defname;
}

static void seqset_free(struct rp_seqset *s)
{
	free(s->s);
	memset(s, 0, sizeof(*s));
}

static void rp_free(struct rp_engine *e)
{
	size_t i;

	for (i = 0; i < e->nprofs; i++) {
		free(e->profs[i].name);
		seqset_free(&e->profs[i].train);
		seqset_free(&e->profs[i].test);
	}
	free(e->profs);
	free(e->tasks);
	for (i = 0; e->ph.chunks && i <= e->ph.nrows / RP_CHUNK; i++)
		free(e->ph.chunks[i]);
	free(e->ph.chunks);
	memset(e, 0, sizeof(*e));
}

/* stide ------------------------------------------------------------------ */

/* The sequence of length k ending with call: the k - 1 calls before it. */
static void seq_make(struct rp_seq *q, const struct ebph_hist *w, __u32 call, __u32 k)
{
	__u32 bits = (k - 1) * 16;

	q->h[0] = bits >= 64 ? w->h[0] : w->h[0] & ((1ULL << bits) - 1);
	q->h[1] = bits <= 64 ? 0 : (bits >= 128 ? w->h[1] : w->h[1] & ((1ULL << (bits - 64)) - 1));
	q->call = call + 1;
	q->pad = 0;
}

static size_t seq_hash(const struct rp_seq *q)
{
	__u64 h = q->h[0] * 0x9e3779b97f4a7c15ULL ^ q->h[1] * 0xc2b2ae3d27d4eb4fULL ^ q->call;

	h ^= h >> 29;
	return (size_t)(h * 0xbf58476d1ce4e5b9ULL >> 17);
}

static int seqset_has(const struct rp_seqset *s, const struct rp_seq *q)
{
	size_t i;

	if (!s->cap)
		return 0;
	for (i = seq_hash(q) & (s->cap - 1); s->s[i].call; i = (i + 1) & (s->cap - 1))
		if (s->s[i].call == q->call && s->s[i].h[0] == q->h[0] && s->s[i].h[1] == q->h[1])
			return 1;
	return 0;
}

/* Add q: 1 if it was new, 0 if known, -ENOMEM. */
static int seqset_add(struct rp_seqset *s, const struct rp_seq *q)
{
	size_t i;

	if (seqset_has(s, q))
		return 0;
	if (2 * (s->n + 1) > s->cap) {
		struct rp_seqset g = { 0 };
		size_t j;

		g.cap = s->cap ? 2 * s->cap : 256;
		g.s = calloc(g.cap, sizeof(*g.s));
		if (!g.s)
			return -ENOMEM;
		for (j = 0; j < s->cap; j++)
			if (s->s[j].call)
				seqset_add(&g, &s->s[j]);
		free(s->s);
		*s = g;
	}
	for (i = seq_hash(q) & (s->cap - 1); s->s[i].call; i = (i + 1) & (s->cap - 1))
		;
	s->s[i] = *q;
	s->n++;
	return 1;
}

static int seqset_copy(struct rp_seqset *to, const struct rp_seqset *from)
{
	seqset_free(to);
	if (!from->cap)
		return 0;
	to->s = malloc(from->cap * sizeof(*to->s));
	if (!to->s)
		return -ENOMEM;
	memcpy(to->s, from->s, from->cap * sizeof(*to->s));
	to->n = from->n;
	to->cap = from->cap;
	return 0;
}

/*
 * stide (Forrest 1996, Warrender 1999) in pH's frame: training adds the
 * sequence of length k ending with the call to the database (news resets
 * last_mod_count; the same freeze rule and normal_wait); once normal, a
 * sequence missing from the database taken at normalisation is an anomaly
 * (misses 1), counted in the same locality frame. No tolerize/anomaly
 * limits: stide is measured as a detector.
 */
static void stide_step(const struct ph_params *pp, struct rp_prof *rpf, struct ebph_task *t,
		       const struct ebph_hist *w, __u32 call, __u32 k, struct ph_result *res)
{
	struct ebph_profile *prof = &rpf->p;
	struct rp_seq q;
	int added;

	seq_make(&q, w, call, k);
	prof->train_count++;
	added = rp->testing ? 0 : seqset_add(&rpf->train, &q);
	if (added > 0)
		prof->sequences++;
	ph_train_news(&rp->ph, pp, prof, added > 0, res);
	if (ph_wait_over(&rp->ph, prof, res))
		seqset_copy(&rpf->test, &rpf->train);
	if (prof->state == EBPH_NORMAL && !seqset_has(&rpf->test, &q)) {
		res->anomaly = 1;
		res->misses = 1;
		prof->anomalies++;
	}
	res->calm = ph_lf_record(t, res->anomaly, pp->lfc_window);
}

/* Engine ----------------------------------------------------------------- */

/* Print event e of trace event ev as the monitor would, with the trace
 * file, its line and the trace's call count added. */
static void rp_emit(struct ebph_event *e, const struct trace_ev *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	struct out_ctx o;
	const char *path = NULL;

	if (!rp->out)
		return;
	if (e->profile < rp->nprofs)
		path = rp->profs[e->profile].name;
	e->ts = rp->ph.now;
	if (!e->comm[0] && path) {	/* the task's name: its program's (traces have none) */
		const char *b = strrchr(path, '/');

		strncpy(e->comm, b ? b + 1 : path, sizeof(e->comm) - 1);
	}
	if (!e->pid)
		e->pid = ev->tid;
	if (!e->tid)
		e->tid = ev->tid;
	m = open_memstream(&buf, &len);
	if (!m)
		return;
	o = *rp->out;
	o.f = m;
	out_event(&o, e, path);
	fclose(m);
	if (len && buf[len - 1] == '\n')
		len--;
	if (o.json && len && buf[len - 1] == '}') {
		fwrite(buf, 1, len - 1, rp->out->f);
		fputs(",\"trace\":", rp->out->f);
		out_json_str(rp->out->f, rp->file, PATH_MAX);
		fprintf(rp->out->f, ",\"line\":%u,\"call\":%llu}\n", ev->line,
			(unsigned long long)rp->calls);
	} else if (len) {
		fwrite(buf, 1, len, rp->out->f);
		fputs(" at ", rp->out->f);
		out_text_str(rp->out->f, rp->file, PATH_MAX);
		fprintf(rp->out->f, ":%u call %llu\n", ev->line, (unsigned long long)rp->calls);
	}
	free(buf);
}

/* Profile by key (named profiles: dev 0 and their name): its index,
 * created on first sight (new_profile event); -ENOMEM. */
static long rp_profile(const char *name, __u64 dev, __u64 ino, const struct trace_ev *ev)
{
	struct ebph_event e = { 0 };
	struct rp_prof *p;
	size_t i;

	for (i = 0; i < rp->nprofs; i++) {
		p = &rp->profs[i];
		if (dev ? p->dev == dev && p->ino == ino : !p->dev && !strcmp(p->name, name))
			return (long)i;
	}
	p = realloc(rp->profs, (rp->nprofs + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	rp->profs = p;
	p = &rp->profs[rp->nprofs];
	memset(p, 0, sizeof(*p));
	p->name = strdup(name);
	if (!p->name)
		return -ENOMEM;
	p->dev = dev;
	p->ino = dev ? ino : rp->nprofs + 1;
	p->p.key.dev = p->dev;
	p->p.key.ino = p->ino;
	p->p.tgen = 1;	/* a fresh row (tgen 0) belongs to no epoch */
	rp->nprofs++;
	e.type = EBPH_EV_NEW_PROFILE;
	e.dev = p->dev;
	e.ino = p->ino;
	e.profile = (__u32)(rp->nprofs - 1);
	snprintf(e.path, sizeof(e.path), "%s", name);
	if (ev)
		rp_emit(&e, ev);
	return (long)rp->nprofs - 1;
}

static void task_clear(struct ebph_task *t)
{
	int i;

	for (i = 0; i < EBPH_FRAMES; i++)
		ph_hist_clear(&t->frame[i]);
	ph_lf_clear(t);
	t->depth = 0;
	t->over = 0;
	t->over_tolerize = 0;
	t->restart_nr = -1;
	t->restart_code = 0;
}

static struct rp_task *rp_task_find(__u32 tid)
{
	size_t i;

	for (i = rp->ntasks; i-- > 0;)
		if (rp->tasks[i].tid == tid)
			return &rp->tasks[i];
	return NULL;
}

/* A new task state for tid (replacing one it had), in profile prof. */
static struct rp_task *rp_task_new(__u32 tid, __u32 prof)
{
	struct rp_task *t = rp_task_find(tid);

	if (!t) {
		size_t i;

		for (i = 0; i < rp->ntasks && rp->tasks[i].tid; i++)
			;
		if (i == rp->ntasks) {
			t = realloc(rp->tasks, (rp->ntasks + 1) * sizeof(*t));
			if (!t)
				return NULL;
			rp->tasks = t;
			rp->ntasks++;
		}
		t = &rp->tasks[i];
	}
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->prof = prof;
	t->t.pid = tid;
	task_clear(&t->t);
	return t;
}

/* The task of an event: a task without a fork or exec in the trace (it ran
 * before the trace began) gets the default profile. */
static struct rp_task *rp_task(const struct trace_ev *ev)
{
	struct rp_task *t = rp_task_find(ev->tid);
	long p;

	if (t)
		return t;
	p = rp_profile(rp->defname, 0, 0, ev);
	return p < 0 ? NULL : rp_task_new(ev->tid, (__u32)p);
}

/* Report what one call did, as the BPF program's report() does (every
 * anomaly on its own line: no bursts). */
static void rp_report(const struct ph_result *res, struct rp_task *rt, const struct ebph_hist *w,
		      __u32 call, const struct trace_ev *ev)
{
	struct ebph_profile *prof = &rp->profs[rt->prof].p;
	struct ebph_event e;
	__u32 i, win = rp->par.window;

	if (res->anomaly) {
		rp->anomalies++;
		prof->anomalies_total++;
		if (!rp->first)
			rp->first = rp->calls;
		memset(&e, 0, sizeof(e));
		e.type = EBPH_EV_ANOMALY;
		e.profile = rt->prof;
		e.dev = prof->key.dev;
		e.ino = prof->key.ino;
		e.syscall = call;
		e.misses = res->misses;
		e.missing = res->missing;
		e.flags = res->unseen ? EBPH_F_UNSEEN : 0;
		e.lfc = rt->t.lfc;
		e.count = prof->anomalies;
		e.seq_len = win;
		for (i = 0; i < win - 1; i++)
			e.seq[i] = ph_prev(w, win - 1 - i);
		e.seq[win - 1] = call;
		rp_emit(&e, ev);
	}
	for (i = 0; i < res->nchanges && i < 2; i++) {
		memset(&e, 0, sizeof(e));
		e.type = EBPH_EV_PROFILE_STATE;
		e.profile = rt->prof;
		e.dev = prof->key.dev;
		e.ino = prof->key.ino;
		e.state = res->state[i];
		e.reason = res->reason[i];
		e.count = prof->train_count;
		rp_emit(&e, ev);
	}
	if (res->tolerize) {
		memset(&e, 0, sizeof(e));
		e.type = EBPH_EV_TOLERIZE_LIMIT;
		e.profile = rt->prof;
		e.dev = prof->key.dev;
		e.ino = prof->key.ino;
		e.lfc = rt->t.lfc;
		e.state = prof->state;
		e.reason = EBPH_R_TOLERIZE_LIMIT;
		rp_emit(&e, ev);
	}
}

/* One call of a task: on_call() of the BPF program. */
static void rp_call(struct rp_task *rt, __u32 call, const struct trace_ev *ev)
{
	struct rp_prof *rpf = &rp->profs[rt->prof];
	struct ebph_task *t = &rt->t;
	struct ph_result res = { 0 };
	struct ebph_hist *w = &t->frame[t->depth & (EBPH_FRAMES - 1)], hist = *w;
	const struct ph_params *pp = &rp->par;

	rp->calls++;
	rt->calls++;
	if (rp->detector == RP_STIDE) {
		if (call < EBPH_NR_CALLS) {
			stide_step(pp, rpf, t, w, call, rp->k, &res);
			ph_push(w, call);
		}
	} else {
		ph_call(&rp->ph, pp, &rpf->p, t, w, call, &res, 1);
	}
	if (t->lfc_max > rp->max_lfc)
		rp->max_lfc = t->lfc_max;
	if (res.anomaly | res.nchanges | res.tolerize)
		rp_report(&res, rt, &hist, call, ev);
	t->count++;
}

/* A handler window without stack pointers (strace, UNM): push on delivery,
 * pop at rt_sigreturn; deeper handlers share the top frame. */
static void rp_sig_push(struct ebph_task *t)
{
	if (t->depth + 1 < EBPH_FRAMES)
		t->depth++;
	else if (t->over < 0xffff)
		t->over++;
	ph_hist_clear(&t->frame[t->depth & (EBPH_FRAMES - 1)]);
}

static int rp_sig_pop(struct ebph_task *t)
{
	if (t->over) {
		t->over--;
		ph_hist_clear(&t->frame[t->depth & (EBPH_FRAMES - 1)]);
		return 1;
	}
	if (!t->depth)
		return 0;
	t->depth--;
	return 1;
}

/* Replay one parsed trace: the BPF program's rules for each event. */
static int rp_run(const struct trace *tr, const char *file)
{
	__u64 t0 = 0, base = rp->ph.now;
	size_t i;

	rp->file = file;
	rp->calls = 0;
	rp->anomalies = 0;
	rp->max_lfc = 0;
	rp->first = 0;
	rp->lost = 0;
	rp->ntasks = 0;	/* tasks do not outlive their trace */
	for (i = 0; i < tr->n; i++) {
		const struct trace_ev *ev = &tr->ev[i];
		struct rp_task *rt, *c;
		struct ebph_task *t;
		__s64 nr;
		long p;

		if (tr->timed && ev->ts) {
			if (!t0)
				t0 = ev->ts;
			if (ev->ts >= t0 && base + (ev->ts - t0) > rp->ph.now)
				rp->ph.now = base + (ev->ts - t0);
		}
		switch (ev->kind) {
		case TR_CALL:
			if (!tr->timed)
				rp->ph.now += RP_CALL_NS;
			rt = rp_task(ev);
			if (!rt)
				return -ENOMEM;
			t = &rt->t;
			nr = ev->nr;
			if (tr->has_sp) {
				if (t->depth && ph_sig_leave(t, ev->sp, nr, ev->ret))
					break;
			} else if (nr == -1 && rp_sig_pop(t)) {
				break;
			}
			if (nr < 0 || nr >= EBPH_NR_SYSCALLS ||
			    (tr->nr_syscalls && nr >= tr->nr_syscalls))
				nr = EBPH_CALL_INVALID;
			if (t->restart_code) {
				if (nr == syscall_number("restart_syscall") &&
				    t->restart_code == RP_ERESTART_BLOCK)
					nr = t->restart_nr;
				t->restart_code = 0;
			}
			if (ev->ret <= -RP_ERESTARTSYS && ev->ret >= -RP_ERESTART_BLOCK) {
				t->restart_nr = (__s32)nr;
				t->restart_code = (__u16)-ev->ret;
				break;
			}
			rp_call(rt, (__u32)nr, ev);
			break;
		case TR_SIG:
			rt = rp_task_find(ev->tid);
			if (!rt)
				break;	/* the live program ignores it too */
			t = &rt->t;
			if (tr->has_sp)
				ph_sig_leave(t, ev->sp, 0, 0);
			if (t->restart_code) {
				__u32 code = t->restart_code;

				if (code == RP_ERESTARTNOHAND || code == RP_ERESTART_BLOCK ||
				    (code == RP_ERESTARTSYS && !(ev->flags & TR_F_RESTART)))
					rp_call(rt, (__u32)t->restart_nr, ev);
				t->restart_code = 0;
			}
			if (tr->has_sp)
				ph_sig_enter(t, ev->sp, !!(ev->flags & TR_F_ONSTACK), ev->a, ev->b,
					     ev->ss_flags);
			else
				rp_sig_push(t);
			break;
		case TR_FORK: {
			struct ebph_task pt;
			__u32 prof;

			rt = rp_task(ev);
			if (!rt)
				return -ENOMEM;
			pt = rt->t;
			prof = rt->prof;
			c = rp_task_new((__u32)ev->a, prof);
			if (!c)
				return -ENOMEM;
			c->t.pid = (__u32)ev->b;
			c->t.frame[0] = pt.frame[pt.depth & (EBPH_FRAMES - 1)];
			if (pt.depth && !(ev->flags & TR_F_SAME_MM)) {
				memcpy(c->t.frame, pt.frame, sizeof(pt.frame));
				memcpy(c->t.sig, pt.sig, sizeof(pt.sig));
				c->t.depth = pt.depth;
				c->t.over = pt.over;
			}
			break;
		}
		case TR_EXEC:
			if (ev->nr && (__u32)ev->nr != ev->tid) {
				rt = rp_task_find((__u32)ev->nr);
				if (rt)
					rt->tid = 0;
			}
			p = rp_profile(ev->path ? ev->path : "?", ev->a, ev->b, ev);
			if (p < 0 || !rp_task_new(ev->tid, (__u32)p))
				return -ENOMEM;
			break;
		case TR_EXIT:
			rt = rp_task_find(ev->tid);
			if (rt)
				rt->tid = 0;
			break;
		case TR_LOST:
			rp->lost += (__u64)ev->nr;
			break;
		}
	}
	return 0;
}

/* Files ------------------------------------------------------------------ */

/* The whole file into *buf (malloc'd): 0 or -errno. */
static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 65536, n = 0, r;
	char *b;

	if (!f)
		return -errno;
	b = malloc(cap);
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (!b) {
		fclose(f);
		return -ENOMEM;
	}
	if (ferror(f)) {
		r = errno;
		fclose(f);
		free(b);
		return -(int)r;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

/* Parse a trace file: 0; 1 when it is malformed or unreadable (message
 * printed: the trace is skipped); -ENOMEM. */
static int rp_load(const char *path, int fmt, struct trace *tr)
{
	char err[256];
	char *buf = NULL;
	size_t len = 0;
	int ret;

	memset(tr, 0, sizeof(*tr));
	ret = read_all(path, &buf, &len);
	if (ret) {
		out_warn("ebph: cannot read %s: %s", path, strerror(-ret));
		return 1;
	}
	ret = trace_parse(tr, buf, len, fmt, err, sizeof(err));
	free(buf);
	if (ret) {
		trace_free(tr);
		if (ret == -ENOMEM)
			return -ENOMEM;
		out_warn("ebph: %s:%s", path, err);
		return 1;
	}
	return 0;
}

struct rp_files {
	char **v;
	size_t n;
};

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files under dir, recursively, sorted: 0 or -errno. */
static int rp_list(const char *dir, struct rp_files *fl)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t first = fl->n;
	int ret = 0;

	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		struct stat st;
		char *p;

		if (d->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, d->d_name) < 0) {
			ret = -ENOMEM;
			break;
		}
		if (stat(p, &st)) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			ret = rp_list(p, fl);
			free(p);
			if (ret)
				break;
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (!(fl->n & (fl->n + 1)) || !fl->v) {
			char **v = realloc(fl->v, (2 * fl->n + 2) * sizeof(*v));

			if (!v) {
				free(p);
				ret = -ENOMEM;
				break;
			}
			fl->v = v;
		}
		fl->v[fl->n++] = p;
	}
	closedir(dp);
	if (!ret)
		qsort(fl->v + first, fl->n - first, sizeof(*fl->v), name_cmp);
	return ret;
}

static void rp_files_free(struct rp_files *fl)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		free(fl->v[i]);
	free(fl->v);
	memset(fl, 0, sizeof(*fl));
}

/* Evaluation ------------------------------------------------------------- */

/* The engine's learned state after normalisation, restored before each
 * test trace so that traces are scored independently. */
struct rp_snap {
	struct rp_prof *profs;
	size_t nprofs;
	struct ebph_row *rows;
	__u32 nrows;
};

static int rp_snap_take(struct rp_snap *s)
{
	__u32 i;

	s->nprofs = rp->nprofs;
	s->profs = malloc((rp->nprofs + 1) * sizeof(*s->profs));
	s->nrows = rp->ph.nrows;
	s->rows = malloc(((size_t)rp->ph.nrows + 1) * sizeof(*s->rows));
	if (!s->profs || !s->rows)
		return -ENOMEM;
	memcpy(s->profs, rp->profs, rp->nprofs * sizeof(*s->profs));
	for (i = 1; i <= rp->ph.nrows; i++)
		s->rows[i] = *ph_row_get(&rp->ph, i);
	return 0;
}

/* Back to the snapshot: profiles created since are dropped; stide's
 * training sets are not touched while testing (rp->testing). */
static void rp_snap_restore(const struct rp_snap *s)
{
	size_t i;
	__u32 r;

	for (i = s->nprofs; i < rp->nprofs; i++) {
		free(rp->profs[i].name);
		seqset_free(&rp->profs[i].train);
		seqset_free(&rp->profs[i].test);
	}
	for (i = 0; i < s->nprofs; i++) {
		rp->profs[i].p = s->profs[i].p;
	}
	rp->nprofs = s->nprofs;
	for (r = 1; r <= s->nrows; r++)
		*ph_row_get(&rp->ph, r) = s->rows[r];
	rp->ph.nrows = s->nrows;
}

/* Replay each trace of a directory; with res, record each trace's result
 * (attack: its label) and restore snap before it. */
static int rp_eval_dir(const struct rp_eval_opts *o, const char *dir, struct rp_eval *ev,
		       int attack, const struct rp_snap *snap)
{
	struct rp_files fl = { 0 };
	size_t i;
	int ret;

	ret = rp_list(dir, &fl);
	if (ret) {
		out_warn("ebph: cannot read directory %s: %s", dir, strerror(-ret));
		return 1;
	}
	if (!fl.n)
		fprintf(stderr, "ebph: %s: no traces\n", dir);
	for (i = 0; i < fl.n; i++) {
		struct trace tr;
		struct rp_trace_result *r;

		ret = rp_load(fl.v[i], o->format, &tr);
		if (ret < 0)
			goto nomem;
		if (ret) {
			ev->skipped++;
			if (o->strict) {
				rp_files_free(&fl);
				return 2;
			}
			continue;
		}
		if (snap)
			rp_snap_restore(snap);
		ret = rp_run(&tr, fl.v[i]);
		trace_free(&tr);
		if (ret)
			goto nomem;
		if (rp->lost)
			fprintf(stderr, "ebph: %s: %llu records were lost when it was recorded\n",
				fl.v[i], (unsigned long long)rp->lost);
		if (!snap)
			continue;
		r = realloc(ev->res, (ev->n + 1) * sizeof(*r));
		if (!r)
			goto nomem;
		ev->res = r;
		r = &ev->res[ev->n++];
		r->name = strdup(fl.v[i]);
		r->attack = attack;
		r->calls = rp->calls;
		r->anomalies = rp->anomalies;
		r->max_lfc = rp->max_lfc;
		r->first = rp->first;
		if (attack)
			ev->attack++;
		else
			ev->normal++;
	}
	rp_files_free(&fl);
	return 0;
nomem:
	rp_files_free(&fl);
	fprintf(stderr, "ebph: out of memory\n");
	return 1;
}

/* ROC area of a score (Mann-Whitney: P(attack > normal) + P(tie) / 2),
 * which is the area under the full step curve of the sweep. */
static double rp_auc(const struct rp_eval *ev, int by_count)
{
	double sum = 0;
	size_t i, j;

	if (!ev->attack || !ev->normal)
		return 0;
	for (i = 0; i < ev->n; i++) {
		double a;

		if (!ev->res[i].attack)
			continue;
		a = by_count ? (double)ev->res[i].anomalies : ev->res[i].max_lfc;
		for (j = 0; j < ev->n; j++) {
			double b;

			if (ev->res[j].attack)
				continue;
			b = by_count ? (double)ev->res[j].anomalies : ev->res[j].max_lfc;
			sum += a > b ? 1 : a == b ? 0.5 : 0;
		}
	}
	return sum / ((double)ev->attack * ev->normal);
}

int replay_evaluate(const struct rp_eval_opts *o, struct rp_eval *ev)
{
	struct rp_engine e;
	struct rp_snap snap = { 0 };
	size_t i;
	int ret;

	memset(ev, 0, sizeof(*ev));
	rp_init(&e, o->cfg, o->detector, o->k, o->profile);
	rp = &e;
	/* 1. train: nothing becomes normal by itself */
	e.par.normal_wait_ns = ~0ULL >> 2;
	ret = rp_eval_dir(o, o->train, ev, 0, NULL);
	if (ret)
		goto out;
	/* 2. normalise every profile */
	for (i = 0; i < e.nprofs; i++) {
		ph_normalize(&e.profs[i].p, e.ph.now);
		if (seqset_copy(&e.profs[i].test, &e.profs[i].train)) {
			ret = 1;
			goto out;
		}
	}
	e.testing = 1;
	if (rp_snap_take(&snap)) {
		fprintf(stderr, "ebph: out of memory\n");
		ret = 1;
		goto out;
	}
	/* 3. test each trace from the normalised state */
	ret = rp_eval_dir(o, o->normal, ev, 0, &snap);
	if (!ret)
		ret = rp_eval_dir(o, o->attack, ev, 1, &snap);
	if (ret)
		goto out;
	for (i = 0; i < ev->n; i++) {
		int flagged = ev->res[i].max_lfc > o->cfg->tolerize_limit;

		if (ev->res[i].attack)
			ev->detected += flagged;
		else
			ev->false_pos += flagged;
	}
	ev->tpr = ev->attack ? (double)ev->detected / ev->attack : 0;
	ev->fpr = ev->normal ? (double)ev->false_pos / ev->normal : 0;
	ev->auc_lfc = rp_auc(ev, 0);
	ev->auc_count = rp_auc(ev, 1);
out:
	free(snap.profs);
	free(snap.rows);
	rp_free(&e);
	rp = NULL;
	return ret;
}

void replay_eval_free(struct rp_eval *ev)
{
	size_t i;

	for (i = 0; i < ev->n; i++)
		free(ev->res[i].name);
	free(ev->res);
	memset(ev, 0, sizeof(*ev));
}

static int score_cmp(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* The sweep of one score: for each distinct value t (and one above the
 * highest), the rates of traces with score >= t. fn gets each point. */
static void rp_sweep(const struct rp_eval *ev, int by_count,
		     void (*fn)(void *arg, __u64 t, double tpr, double fpr), void *arg)
{
	__u64 *v = malloc((ev->n + 1) * sizeof(*v));
	size_t i, j, n = 0;

	if (!v)
		return;
	for (i = 0; i < ev->n; i++)
		v[n++] = by_count ? ev->res[i].anomalies : ev->res[i].max_lfc;
	v[n++] = 0;
	qsort(v, n, sizeof(*v), score_cmp);
	for (i = 0; i <= n; i++) {
		__u64 t = i < n ? v[i] : v[n - 1] + 1;
		size_t tp = 0, fp = 0;

		if (i && i < n && v[i] == v[i - 1])
			continue;
		for (j = 0; j < ev->n; j++) {
			__u64 s = by_count ? ev->res[j].anomalies : ev->res[j].max_lfc;

			if (s >= t) {
				if (ev->res[j].attack)
					tp++;
				else
					fp++;
			}
		}
		fn(arg, t, ev->attack ? (double)tp / ev->attack : 0,
		   ev->normal ? (double)fp / ev->normal : 0);
	}
	free(v);
}

struct sweep_print {
	FILE *f;
	int json;
	const char *score;
};

static void sweep_print_point(void *arg, __u64 t, double tpr, double fpr)
{
	struct sweep_print *sp = arg;

	if (sp->json)
		fprintf(sp->f, "{\"type\":\"roc\",\"score\":\"%s\",\"threshold\":%llu,"
			"\"tpr\":%.6f,\"fpr\":%.6f}\n", sp->score, (unsigned long long)t, tpr, fpr);
	else
		fprintf(sp->f, "%-10s %9llu %8.4f %8.4f\n", sp->score, (unsigned long long)t, tpr,
			fpr);
}

void replay_eval_print(FILE *f, const struct rp_eval *ev, int json, __u32 tolerize_limit)
{
	struct sweep_print sp = { f, json, "max_lfc" };
	size_t i;

	if (!json)
		fprintf(f, "%-6s %9s %9s %7s %9s %s\n", "SET", "CALLS", "ANOMALIES", "MAX_LFC",
			"FIRST", "TRACE");
	for (i = 0; i < ev->n; i++) {
		const struct rp_trace_result *r = &ev->res[i];

		if (json) {
			fprintf(f, "{\"type\":\"trace\",\"set\":\"%s\",\"trace\":",
				r->attack ? "attack" : "normal");
			out_json_str(f, r->name, PATH_MAX);
			fprintf(f, ",\"calls\":%llu,\"anomalies\":%llu,\"max_lfc\":%u,\"first\":",
				(unsigned long long)r->calls, (unsigned long long)r->anomalies,
				r->max_lfc);
			if (r->first)
				fprintf(f, "%llu}\n", (unsigned long long)r->first);
			else
				fputs("null}\n", f);
			continue;
		}
		fprintf(f, "%-6s %9llu %9llu %7u ", r->attack ? "attack" : "normal",
			(unsigned long long)r->calls, (unsigned long long)r->anomalies, r->max_lfc);
		if (r->first)
			fprintf(f, "%9llu ", (unsigned long long)r->first);
		else
			fprintf(f, "%9s ", "-");
		out_text_str(f, r->name, PATH_MAX);
		fputc('\n', f);
	}
	if (json) {
		fprintf(f, "{\"type\":\"evaluation\",\"normal\":%zu,\"attack\":%zu,\"skipped\":%zu,"
			"\"rule\":\"max_lfc > %u\",\"detected\":%zu,\"false_positives\":%zu,"
			"\"detection_rate\":%.6f,\"false_positive_rate\":%.6f,\"auc_max_lfc\":%.6f,"
			"\"auc_anomalies\":%.6f}\n", ev->normal, ev->attack, ev->skipped,
			tolerize_limit, ev->detected, ev->false_pos, ev->tpr, ev->fpr, ev->auc_lfc,
			ev->auc_count);
	} else {
		fprintf(f, "\nnormal traces %zu, attack traces %zu, skipped %zu\n", ev->normal,
			ev->attack, ev->skipped);
		fprintf(f, "rule max_lfc > %u (tolerize_limit): detection rate %.4f (%zu/%zu), "
			"false-positive rate %.4f (%zu/%zu)\n", tolerize_limit, ev->tpr,
			ev->detected, ev->attack, ev->fpr, ev->false_pos, ev->normal);
		fprintf(f, "AUC: max_lfc %.4f, anomalies %.4f\n\n", ev->auc_lfc, ev->auc_count);
		fprintf(f, "%-10s %9s %8s %8s\n", "SCORE", "THRESHOLD", "TPR", "FPR");
	}
	rp_sweep(ev, 0, sweep_print_point, &sp);
	sp.score = "anomalies";
	rp_sweep(ev, 1, sweep_print_point, &sp);
}

struct svg_line {
	FILE *f;
	int first;
};

static void svg_point(void *arg, __u64 t, double tpr, double fpr)
{
	struct svg_line *l = arg;

	(void)t;
	fprintf(l->f, "%s%.1f,%.1f", l->first ? "" : " ", 50 + fpr * 400, 450 - tpr * 400);
	l->first = 0;
}

void replay_roc_svg(FILE *f, const struct rp_eval *ev)
{
	static const char *const colour[2] = { "#c0392b", "#2471a3" };
	struct svg_line l = { f, 1 };
	int s, i;

	fputs("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"500\" height=\"500\" "
	      "font-family=\"sans-serif\" font-size=\"12\">\n"
	      "<rect width=\"500\" height=\"500\" fill=\"white\"/>\n"
	      "<rect x=\"50\" y=\"50\" width=\"400\" height=\"400\" fill=\"none\" "
	      "stroke=\"black\"/>\n"
	      "<line x1=\"50\" y1=\"450\" x2=\"450\" y2=\"50\" stroke=\"#aaa\" "
	      "stroke-dasharray=\"4\"/>\n", f);
	for (i = 0; i <= 4; i++)
		fprintf(f, "<text x=\"%d\" y=\"466\" text-anchor=\"middle\">%.2f</text>\n"
			"<text x=\"44\" y=\"%d\" text-anchor=\"end\">%.2f</text>\n",
			50 + i * 100, i / 4.0, 454 - i * 100, i / 4.0);
	fputs("<text x=\"250\" y=\"488\" text-anchor=\"middle\">false-positive rate</text>\n"
	      "<text x=\"14\" y=\"250\" text-anchor=\"middle\" transform=\"rotate(-90 14 250)\">"
	      "detection rate</text>\n", f);
	for (s = 0; s < 2; s++) {
		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
			colour[s]);
		l.first = 1;
		rp_sweep(ev, s, svg_point, &l);
		fputs("\"/>\n", f);
		fprintf(f, "<text x=\"300\" y=\"%d\" fill=\"%s\">%s (AUC %.4f)</text>\n",
			400 + 18 * s, colour[s], s ? "anomalies" : "max LFC",
			s ? ev->auc_count : ev->auc_lfc);
	}
	fputs("<text x=\"250\" y=\"30\" text-anchor=\"middle\" font-size=\"14\">"
	      "ebph replay: ROC</text>\n</svg>\n", f);
}

/* Command line ------------------------------------------------------------ */

const char replay_help_text[] =
	"  -c, --config FILE  the algorithm's keys (window, normal_wait, ...) from FILE\n"
	"  -j, --json         one JSON object per line\n"
	"  -f, --format FMT   strace, adfa, unm, ebph or auto (the default: detected)\n"
	"  -P, --profile NAME the profile of traces without an exec (default: trace)\n"
	"      --strict       a malformed trace fails the run (default: skipped)\n"
	"  -D, --detector D   lookahead (pH, the default) or stide\n"
	"  -k, --length K     stide's sequence length, 2..9 (default 6)\n"
	"      --train DIR    evaluation: train on the traces under DIR, normalise,\n"
	"      --normal DIR   then test each trace under the normal and the attack\n"
	"      --attack DIR   directories: detection and false-positive rates, ROC, AUC\n"
	"      --roc FILE     evaluation: draw the ROC curves into FILE (SVG)\n";

const char record_help_text[] =
	"  -o, --output FILE  write the recording to FILE (required)\n"
	"  -p, --pid PID      record process PID (all its threads) and its descendants\n"
	"  -n, --name COMM    record processes that exec a program named COMM, and\n"
	"                     their descendants\n"
	"  -m, --max-size N   stop writing at N bytes (K, M, G suffixes; default 1G)\n"
	"  -d, --duration S   stop after S seconds (default: when the command or\n"
	"                     the recorded processes end, or Ctrl-C)\n"
	"  -- CMD ARGS        run CMD and record it and its descendants\n";

/* ebph help replay: admin.c prints the usage, then these options. */
enum {
	OPT_STRICT = 256, OPT_TRAIN, OPT_NORMAL, OPT_ATTACK, OPT_ROC,
};

struct replay_opts {
	const char *config;
	int json, format, strict, detector, help;
	__u32 k;
	const char *profile, *train, *normal, *attack, *roc;
};

/* Parse replay's arguments (argv[0] "replay"): optind of the first trace,
 * or -1 with err. */
static int replay_parse(int argc, char **argv, struct replay_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "profile", required_argument, NULL, 'P' },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "detector", required_argument, NULL, 'D' },
		{ "length", required_argument, NULL, 'k' },
		{ "train", required_argument, NULL, OPT_TRAIN },
		{ "normal", required_argument, NULL, OPT_NORMAL },
		{ "attack", required_argument, NULL, OPT_ATTACK },
		{ "roc", required_argument, NULL, OPT_ROC },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *end;
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->k = 6;
	o->profile = "trace";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:c:jf:P:D:k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'j': o->json = 1; break;
		case 'f':
			o->format = trace_format_parse(optarg);
			if (o->format < 0) {
				snprintf(err, errlen, "--format: unknown format '%s' (strace, adfa, "
					 "unm, ebph, auto)", optarg);
				return -1;
			}
			break;
		case 'P': o->profile = optarg; break;
		case OPT_STRICT: o->strict = 1; break;
		case 'D':
			if (!strcmp(optarg, "lookahead")) {
				o->detector = RP_LOOKAHEAD;
			} else if (!strcmp(optarg, "stide")) {
				o->detector = RP_STIDE;
			} else {
				snprintf(err, errlen, "--detector: '%s' is neither lookahead nor stide",
					 optarg);
				return -1;
			}
			break;
		case 'k':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 2 || v > EBPH_WINDOW_MAX) {
				snprintf(err, errlen, "--length: '%s' is not a length in 2..%d",
					 optarg, EBPH_WINDOW_MAX);
				return -1;
			}
			o->k = (__u32)v;
			break;
		case OPT_TRAIN: o->train = optarg; break;
		case OPT_NORMAL: o->normal = optarg; break;
		case OPT_ATTACK: o->attack = optarg; break;
		case OPT_ROC: o->roc = optarg; break;
		case 'h': o->help = 1; break;
		case ':':
			snprintf(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
	}
	if (o->help)
		return optind;
	if (o->train || o->normal || o->attack) {
		if (!o->train || !o->normal || !o->attack) {
			snprintf(err, errlen, "an evaluation needs --train, --normal and --attack");
			return -1;
		}
		if (optind < argc) {
			snprintf(err, errlen, "an evaluation takes no TRACE arguments ('%s')",
				 argv[optind]);
			return -1;
		}
	} else {
		if (o->roc) {
			snprintf(err, errlen, "--roc needs an evaluation (--train, --normal, --attack)");
			return -1;
		}
		if (optind >= argc) {
			snprintf(err, errlen, "no TRACE given");
			return -1;
		}
	}
	return optind;
}

/* ebph replay TRACE...: the events, then a summary on stderr. */
static int replay_traces(const struct replay_opts *o, const struct ebph_config *cfg, int argc,
			 char **argv, int first)
{
	struct out_ctx out = { 0 };
	struct rp_engine e;
	size_t traces = 0, skipped = 0, p;
	__u64 calls = 0, anomalies = 0;
	int i, ret = 0;

	out.f = stdout;
	out.json = o->json;
	rp_init(&e, cfg, o->detector, o->k, o->profile);
	e.out = &out;
	rp = &e;
	out_header(&out);
	for (i = first; i < argc; i++) {
		struct rp_files fl = { 0 };
		struct stat st;
		size_t j;

		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode)) {
			ret = rp_list(argv[i], &fl);
			if (ret) {
				out_warn("ebph: cannot read directory %s: %s", argv[i],
					 strerror(-ret));
				ret = 1;
				break;
			}
		} else {
			fl.v = malloc(sizeof(*fl.v));
			if (!fl.v || !(fl.v[0] = strdup(argv[i]))) {
				free(fl.v);
				ret = 1;
				break;
			}
			fl.n = 1;
		}
		for (j = 0; j < fl.n; j++) {
			struct trace tr;

			ret = rp_load(fl.v[j], o->format, &tr);
			if (ret > 0) {
				skipped++;
				if (o->strict) {
					ret = 2;
					break;
				}
				ret = 0;
				continue;
			}
			if (!ret)
				ret = rp_run(&tr, fl.v[j]);
			trace_free(&tr);
			if (ret) {
				fprintf(stderr, "ebph: out of memory\n");
				ret = 1;
				break;
			}
			traces++;
			calls += e.calls;
			anomalies += e.anomalies;
			if (e.lost)
				out_warn("ebph: %s: %llu records were lost when it was recorded",
					 fl.v[j], (unsigned long long)e.lost);
		}
		rp_files_free(&fl);
		if (ret)
			break;
	}
	fprintf(stderr, "ebph: replayed %zu traces (%zu skipped): %llu calls, %llu anomalies, "
		"%zu profiles", traces, skipped, (unsigned long long)calls,
		(unsigned long long)anomalies, e.nprofs);
	for (p = 0; p < e.nprofs; p++)
		fprintf(stderr, "%s%s", p ? " " : ": ", out_state_name(e.profs[p].p.state));
	fputc('\n', stderr);
	rp_free(&e);
	rp = NULL;
	if (!ret && skipped)
		ret = 1;
	return ret;
}

int replay_main(int argc, char **argv)
{
	struct replay_opts o;
	struct ebph_config cfg;
	char err[512];
	int first, ret;

	first = replay_parse(argc, argv, &o, err, sizeof(err));
	if (first < 0) {
		out_warn("ebph: replay: %s", err);
		fputs("Try 'ebph help replay' for more information.\n", stderr);
		return 2;
	}
	if (o.help) {
		admin_help(stdout, "replay");
		return 0;
	}
	cfg_defaults(&cfg);
	if (o.config && cfg_load_file(&cfg, o.config, err, sizeof(err))) {
		out_warn("ebph: %s", err);
		return 2;
	}
	setlinebuf(stdout);
	if (o.train) {
		struct rp_eval_opts eo = {
			.cfg = &cfg, .detector = o.detector, .k = o.k, .format = o.format,
			.strict = o.strict, .profile = o.profile, .train = o.train,
			.normal = o.normal, .attack = o.attack,
		};
		struct rp_eval ev;

		ret = replay_evaluate(&eo, &ev);
		if (!ret) {
			replay_eval_print(stdout, &ev, o.json, cfg.tolerize_limit);
			if (o.roc) {
				FILE *f = fopen(o.roc, "w");

				if (!f) {
					out_warn("ebph: cannot write %s: %s", o.roc, strerror(errno));
					ret = 1;
				} else {
					replay_roc_svg(f, &ev);
					if (fclose(f)) {
						out_warn("ebph: cannot write %s: %s", o.roc,
							 strerror(errno));
						ret = 1;
					}
				}
			}
		}
		replay_eval_free(&ev);
		return ret;
	}
	return replay_traces(&o, &cfg, argc, argv, first);
}
