/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * response.c: pH's responses, carried out by the monitor with ptrace.
 *
 * A task of a normal profile whose first anomaly of a burst arrives (lfc > 0)
 * is seized (PTRACE_SEIZE, invisible to it and its parent) and from then on
 * stops at every system call's entry and exit (PTRACE_SYSCALL). At each
 * exit ebph reads the task's lfc from the BPF task state and leaves it
 * stopped for delay_factor x 2^lfc ms (at most max_delay); at an execve
 * entry with lfc >= suspend_execve it leaves it stopped for
 * suspend_execve_time. When its lfc is back to 0 it is let go (detached).
 *
 * Why ptrace rather than SIGSTOP/SIGCONT: a ptrace stop is not a job-control
 * stop, so SIGCONT from anyone does not end it, a shell does not see its
 * foreground job "Stopped", only the anomalous thread is held (ptrace and
 * lfc are per thread), and when the monitor dies, even by SIGKILL, the
 * kernel detaches and resumes every tracee: nothing stays held. The cost of
 * the stops falls only on the tasks being delayed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <bcc/libbpf.h>

#include "maps.h"
#include "response.h"

enum { HOLD_NONE = 0, HOLD_DELAY = 1, HOLD_SUSPEND = 2 };

struct resp_task {
	pid_t tid;
	int traced;		/* seized by this monitor */
	int stopped;		/* in a ptrace stop this monitor has not ended */
	int listening;		/* in a job-control stop (PTRACE_LISTEN) */
	int held;		/* HOLD_*: stopped on purpose until `until` */
	int pending_suspend;	/* hold at its next stop (exec seen late) */
	int late;		/* that hold comes after the exec */
	int exec_ok;		/* its execve was held and let go: not again */
	int detach;		/* let go at its next stop */
	int pardoned;		/* released by the operator: left alone this burst */
	int logged;		/* log: the would-be episode was reported */
	__u64 until;		/* CLOCK_BOOTTIME ns */
	__u64 held_since;
	__u64 calls;		/* calls delayed in this episode */
	__u64 delay_ms;		/* their delays, in all */
	struct ebph_event ev;	/* who it is: pid, tid, comm, profile, key */
};

/* Release requests from the signal handler: PIDs, 0 = all. */
#define RESP_REQ_MAX 64
static volatile sig_atomic_t req_pid[RESP_REQ_MAX];
static volatile sig_atomic_t req_head, req_tail;

void resp_request(pid_t pid)
{
	int next = (req_head + 1) % RESP_REQ_MAX;

	if (next == req_tail)
		return;	/* full: the operator's command times out and says so */
	req_pid[req_head] = pid;
	req_head = next;
}

static __u64 boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* Kernel dev_t (major << 20 | minor) of a stat(2) st_dev. */
static __u64 kernel_dev(dev_t d)
{
	return ((__u64)major(d) << 20) | minor(d);
}

int resp_init(struct resp *r, const struct ebph_config *cfg, int tasks_fd, int tstore_fd,
	      int held_fd,
	      __u32 task_slots, void (*emit)(void *, const struct ebph_event *), void *ctx)
{
	const char *s;
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	r->tasks_fd = tasks_fd;
	r->tstore_fd = tstore_fd;
	r->held_fd = held_fd;
	r->task_slots = task_slots;
	r->self = getpid();
	r->emit = emit;
	r->ctx = ctx;
	for (s = cfg->response_exempt; *s; s += strlen(s) + 1) {
		struct ebph_key *k;

		if (stat(s, &st)) {
			fprintf(stderr, "ebph: response_exempt: %s: %s (not exempted)\n", s,
				strerror(errno));
			continue;
		}
		k = realloc(r->exempt, (r->nexempt + 1) * sizeof(*k));
		if (!k)
			return -ENOMEM;
		r->exempt = k;
		k[r->nexempt].dev = kernel_dev(st.st_dev);
		k[r->nexempt].ino = st.st_ino;
		r->nexempt++;
	}
	return 0;
}

/* The lfc of a task: from its slot of the tasks array, or from task storage
 * when another task holds that slot (tids equal modulo max_tasks); 0 when it
 * has no state. */
static __u32 resp_lfc(struct resp *r, pid_t tid)
{
	struct ebph_task t;
	__u32 k = (__u32)tid & (r->task_slots - 1), id = (__u32)tid;

	if (!bpf_lookup_elem(r->tasks_fd, &k, &t) && t.tid == id)
		return t.lfc;
	if (!maps_tstore_lookup(r->tstore_fd, id, &t))
		return t.lfc;
	return 0;
}

/* Milliseconds one call of a task with this lfc is delayed. */
static __u64 resp_delay_ms(const struct ebph_config *cfg, __u32 lfc)
{
	__u64 d = cfg->delay_factor;

	if (!d || !lfc)
		return 0;
	if (lfc >= 32 || (d << lfc) > cfg->max_delay)
		return cfg->max_delay;
	return d << lfc;
}

static int resp_exempt(const struct resp *r, const struct ebph_event *e)
{
	size_t i;

	if (e->pid == (__u32)r->self || e->pid == 1 || !e->pid)
		return 1;
	for (i = 0; i < r->nexempt; i++)
		if (r->exempt[i].dev == e->dev && r->exempt[i].ino == e->ino)
			return 1;
	return 0;
}

static struct resp_task *resp_find(struct resp *r, pid_t tid)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->t[i].tid == tid)
			return &r->t[i];
	return NULL;
}

/* The record of the thread of process pid whose execve was held or let go:
 * after the exec it has the process's PID as its TID (the kernel's
 * de_thread), and it is the only thread left. */
static struct resp_task *resp_find_exec(struct resp *r, pid_t pid)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if ((pid_t)r->t[i].ev.pid == pid && r->t[i].tid != pid &&
		    (r->t[i].exec_ok || r->t[i].pardoned)) {
			r->t[i].tid = pid;
			return &r->t[i];
		}
	return NULL;
}

static struct resp_task *resp_add(struct resp *r, const struct ebph_event *e)
{
	struct resp_task *t;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;

		t = realloc(r->t, cap * sizeof(*t));
		if (!t)
			return NULL;
		r->t = t;
		r->cap = cap;
	}
	t = &r->t[r->n++];
	memset(t, 0, sizeof(*t));
	t->tid = (pid_t)e->tid;
	t->ev = *e;
	t->ev.path[0] = 0;
	return t;
}

/* Publish t's hold (or its end) in the held map, for ebph ps. */
static void resp_publish(struct resp *r, const struct resp_task *t)
{
	__u32 id = (__u32)t->tid;
	struct ebph_hold h = { .until = t->until, .kind = (__u32)t->held, .pid = t->ev.pid };

	if (r->held_fd < 0)
		return;
	if (t->held)
		bpf_update_elem(r->held_fd, &id, &h, BPF_ANY);
	else
		bpf_delete_elem(r->held_fd, &id);
}

static void resp_unhold(struct resp *r, struct resp_task *t)
{
	if (!t->held)
		return;
	t->held = HOLD_NONE;
	resp_publish(r, t);
}

static void resp_remove(struct resp *r, struct resp_task *t)
{
	size_t i = (size_t)(t - r->t);

	resp_unhold(r, t);
	r->t[i] = r->t[--r->n];
}

/* Send an event of type about task t. */
static void resp_emit(struct resp *r, const struct resp_task *t, __u32 type,
		      void (*fill)(struct ebph_event *, const struct resp_task *, __u64), __u64 arg)
{
	struct ebph_event e = t->ev;

	e.type = type;
	e.ts = boot_ns();
	e.lfc = e.misses = e.flags = e.reason = e.state = e.shown = 0;
	e.count = e.since = 0;
	e.seq_len = 0;
	e.path[0] = 0;
	if (fill)
		fill(&e, t, arg);
	if (r->emit)
		r->emit(r->ctx, &e);
}

/* response start: arg = lfc | delay_ms << 32 | log flag in bit 31 */
static void fill_start(struct ebph_event *e, const struct resp_task *t, __u64 arg)
{
	(void)t;
	e->lfc = arg & 0x7fffffff;
	e->flags = arg & 0x80000000U ? EBPH_F_LOG_ONLY : 0;
	e->misses = (__u32)(arg >> 32);
}

/* response end: calls and total delay of the episode; arg = lfc (log: lfc_max) | log flag */
static void fill_end(struct ebph_event *e, const struct resp_task *t, __u64 arg)
{
	e->reason = 1;
	e->lfc = arg & 0x7fffffff;
	e->flags = arg & 0x80000000U ? EBPH_F_LOG_ONLY : 0;
	e->count = t->calls;
	e->since = t->delay_ms;
}

/* suspend: lfc, until; arg = lfc | log flag | refuse mode (bit 30) */
static void fill_suspend(struct ebph_event *e, const struct resp_task *t, __u64 arg)
{
	e->lfc = arg & 0x3fffffff;
	e->reason = arg & 0x40000000U ? EBPH_EXEC_REFUSE : EBPH_EXEC_HOLD;
	e->flags = (arg & 0x80000000U ? EBPH_F_LOG_ONLY : 0) | (t->late ? EBPH_F_LATE : 0);
	e->since = t->until;
}

/* release: by whom (arg), what was held, for how long */
static void fill_release(struct ebph_event *e, const struct resp_task *t, __u64 arg)
{
	e->reason = (__u32)arg;
	e->state = (__u32)t->held;
	e->count = (boot_ns() - t->held_since) / 1000000;
}

static void fill_failed(struct ebph_event *e, const struct resp_task *t, __u64 arg)
{
	(void)t;
	e->misses = (__u32)arg;
}

static void resp_resume(struct resp_task *t, int sig)
{
	if (ptrace(PTRACE_SYSCALL, t->tid, 0, (void *)(long)sig) == 0)
		t->stopped = 0;
}

/* Keep task t stopped, of kind, until ms from now. */
static void resp_hold(struct resp *r, struct resp_task *t, int kind, __u64 ms)
{
	t->held = kind;
	t->held_since = boot_ns();
	t->until = t->held_since + ms * 1000000ULL;
	r->held_total++;
	resp_publish(r, t);	/* two map writes a delayed call: microseconds against ms */
}

/* Seize task tid and stop it (PTRACE_INTERRUPT); 0 or -errno. */
static int resp_seize(struct resp_task *t)
{
	if (ptrace(PTRACE_SEIZE, t->tid, 0, (void *)(long)PTRACE_O_TRACESYSGOOD))
		return -errno;
	t->traced = 1;
	if (ptrace(PTRACE_INTERRUPT, t->tid, 0, 0))
		return -errno;
	return 0;
}

/* Stop tracing t (stopped, or detach at its next stop); sig goes with it. */
static void resp_detach(struct resp_task *t, int sig)
{
	if (!t->traced)
		return;
	if (t->stopped && !t->listening) {
		if (ptrace(PTRACE_DETACH, t->tid, 0, (void *)(long)sig) == 0 || errno == ESRCH) {
			t->traced = 0;
			t->stopped = 0;
		}
		return;
	}
	t->detach = 1;
	ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
}

/* Start tracing a task whose anomaly or exec was just reported. */
static struct resp_task *resp_start(struct resp *r, const struct ebph_event *e, __u32 lfc)
{
	struct resp_task *t = resp_add(r, e);
	int ret;

	if (!t)
		return NULL;
	ret = resp_seize(t);
	if (ret) {
		if (ret != -ESRCH)
			resp_emit(r, t, EBPH_EV_RESPONSE_FAILED, fill_failed, (__u64)-ret);
		if (t->traced)
			ptrace(PTRACE_DETACH, t->tid, 0, 0);
		resp_remove(r, t);
		return NULL;
	}
	resp_emit(r, t, EBPH_EV_RESPONSE, fill_start,
		  lfc | resp_delay_ms(r->cfg, lfc) << 32);
	return t;
}

void resp_event(struct resp *r, const struct ebph_event *e)
{
	const struct ebph_config *cfg = r->cfg;
	int log = cfg->response == CFG_RESPONSE_LOG;
	struct resp_task *t;

	if (cfg->response == CFG_RESPONSE_OFF)
		return;
	t = resp_find(r, (pid_t)e->tid);
	switch (e->type) {
	case EBPH_EV_ANOMALY:
		if (t || !e->lfc || resp_exempt(r, e))
			return;
		if (log) {
			t = resp_add(r, e);
			if (!t)
				return;
			t->logged = 1;
			resp_emit(r, t, EBPH_EV_RESPONSE, fill_start, e->lfc | 0x80000000ULL |
				  resp_delay_ms(cfg, e->lfc) << 32);
			return;
		}
		if (cfg->delay_factor || cfg->suspend_execve)
			resp_start(r, e, e->lfc);
		return;
	case EBPH_EV_ANOMALY_SUMMARY:
		if (!t || e->reason == EBPH_B_INTERVAL || t->traced)
			return;
		if (t->pardoned && e->reason == EBPH_B_EXEC)
			return;	/* the pardon covers the exec: its event comes next */
		if (t->logged)	/* the burst is over: the would-be episode too */
			resp_emit(r, t, EBPH_EV_RESPONSE, fill_end, e->lfc | 0x80000000ULL);
		resp_remove(r, t);	/* logged or pardoned: a new burst starts afresh */
		return;
	case EBPH_EV_EXEC:
		if (!cfg->suspend_execve || e->lfc < cfg->suspend_execve || resp_exempt(r, e))
			return;
		if (log) {
			struct resp_task lt = { .tid = (pid_t)e->tid, .ev = *e };

			lt.until = r->refuse ? 0 : boot_ns() + cfg->suspend_execve_time * 1000000000ULL;
			resp_emit(r, &lt, EBPH_EV_SUSPEND, fill_suspend, e->lfc | 0x80000000ULL |
				  (r->refuse ? 0x40000000ULL : 0));
			return;
		}
		if (r->refuse)
			return;	/* the BPF LSM program refuses such an execve */
		if (!t)
			t = resp_find_exec(r, (pid_t)e->pid);	/* a thread's exec */
		if (t && t->pardoned && !t->traced) {
			resp_remove(r, t);	/* released by the operator: the new program starts afresh */
			return;
		}
		if (t && (t->exec_ok || t->pardoned)) {
			t->exec_ok = 0;	/* held at its execve already */
			return;
		}
		if (!t)
			t = resp_start(r, e, e->lfc);
		else
			ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
		if (t) {
			t->pending_suspend = 1;
			t->late = 1;
			t->ev.lfc = e->lfc;
		}
		return;
	}
}

/* Hold task t's execve for suspend_execve_time. */
static void resp_suspend(struct resp *r, struct resp_task *t, __u32 lfc)
{
	resp_hold(r, t, HOLD_SUSPEND, r->cfg->suspend_execve_time * 1000ULL);
	t->pending_suspend = 0;
	t->exec_ok = 1;
	resp_emit(r, t, EBPH_EV_SUSPEND, fill_suspend, lfc);
}

/* End task t's episode and let it go (it is stopped). */
static void resp_end(struct resp *r, struct resp_task *t)
{
	resp_emit(r, t, EBPH_EV_RESPONSE, fill_end, 0);
	resp_detach(t, 0);
}

/* A system-call stop of task t: hold it or let it run. */
static void resp_syscall_stop(struct resp *r, struct resp_task *t)
{
	struct __ptrace_syscall_info si;
	__u32 lfc;
	__u64 ms;

	memset(&si, 0, sizeof(si));
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, (void *)sizeof(si), &si) <= 0) {
		resp_resume(t, 0);
		return;
	}
	if (si.op == PTRACE_SYSCALL_INFO_ENTRY) {
		if ((si.entry.nr == __NR_execve || si.entry.nr == __NR_execveat) &&
		    r->cfg->suspend_execve && !t->exec_ok && !r->refuse) {
			lfc = resp_lfc(r, t->tid);
			if (lfc >= r->cfg->suspend_execve) {
				t->ev.lfc = lfc;
				resp_suspend(r, t, lfc);
				return;
			}
		}
		resp_resume(t, 0);
		return;
	}
	lfc = resp_lfc(r, t->tid);
	if (!lfc) {
		resp_end(r, t);
		return;
	}
	ms = resp_delay_ms(r->cfg, lfc);
	if (!ms) {
		resp_resume(t, 0);
		return;
	}
	t->calls++;
	t->delay_ms += ms;
	resp_hold(r, t, HOLD_DELAY, ms);
}

/* What waitpid reported for task t. */
static void resp_status(struct resp *r, struct resp_task *t, int st)
{
	int sig, event;

	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		if (t->held == HOLD_SUSPEND)
			resp_emit(r, t, EBPH_EV_RELEASE, fill_release, EBPH_REL_GONE);
		if (!t->detach)
			resp_emit(r, t, EBPH_EV_RESPONSE, fill_end, 0);
		resp_remove(r, t);
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	t->stopped = 1;
	t->listening = 0;
	sig = WSTOPSIG(st);
	event = (unsigned)st >> 16;
	if (t->detach) {
		int pass = sig == (SIGTRAP | 0x80) || event ? 0 : sig;

		if (event == PTRACE_EVENT_STOP)
			pass = 0;
		resp_detach(t, pass);
		if (!t->traced)
			resp_remove(r, t);
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		resp_syscall_stop(r, t);
		if (!t->traced && !t->pardoned)
			resp_remove(r, t);
		return;
	}
	if (event == PTRACE_EVENT_STOP) {
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
			/* a job-control stop: it stays stopped for whoever stopped it */
			if (ptrace(PTRACE_LISTEN, t->tid, 0, 0) == 0)
				t->listening = 1;
			t->stopped = 0;
			return;
		}
		if (t->pending_suspend) {
			resp_suspend(r, t, t->ev.lfc);
			return;
		}
		resp_resume(t, 0);
		return;
	}
	if (event) {
		resp_resume(t, 0);
		return;
	}
	resp_resume(t, sig);	/* signal-delivery-stop: deliver it */
}

int resp_release(struct resp *r, pid_t pid, __u32 by)
{
	size_t i = 0;
	int n = 0;

	while (i < r->n) {
		struct resp_task *t = &r->t[i];

		if (pid && t->tid != pid && (pid_t)t->ev.pid != pid) {
			i++;
			continue;
		}
		if (t->held)
			resp_emit(r, t, EBPH_EV_RELEASE, fill_release, by);
		if (t->traced) {
			resp_emit(r, t, EBPH_EV_RESPONSE, fill_end, 0);
			n++;
		}
		resp_unhold(r, t);
		resp_detach(t, 0);
		if (by == EBPH_REL_OPERATOR)
			t->pardoned = 1;
		if (!t->traced && !t->pardoned) {
			resp_remove(r, t);
			continue;
		}
		i++;
	}
	return n;
}

int resp_poll(struct resp *r)
{
	__u64 now, next = 0;
	size_t i;
	int st;

	while (req_tail != req_head) {
		pid_t pid = req_pid[req_tail];

		req_tail = (req_tail + 1) % RESP_REQ_MAX;
		resp_release(r, pid, EBPH_REL_OPERATOR);
	}
	i = 0;
	while (i < r->n) {
		struct resp_task *t = &r->t[i];
		size_t n = r->n;
		pid_t w;

		if (!t->traced) {
			if (kill(t->tid, 0) && errno == ESRCH)
				resp_remove(r, t);	/* a logged or pardoned task that is gone */
			else
				i++;
			continue;
		}
		w = waitpid(t->tid, &st, __WALL | WNOHANG);
		if (w == t->tid) {
			resp_status(r, t, st);
			if (r->n < n)
				continue;	/* removed: slot i holds another task now */
		} else if (w < 0 && errno == ECHILD) {
			resp_remove(r, t);	/* no longer ours */
			continue;
		}
		i++;
	}
	now = boot_ns();
	for (i = 0; i < r->n; i++) {
		struct resp_task *t = &r->t[i];

		if (!t->held)
			continue;
		if (t->until <= now) {
			if (t->held == HOLD_SUSPEND)
				resp_emit(r, t, EBPH_EV_RELEASE, fill_release, EBPH_REL_TIMER);
			resp_unhold(r, t);
			resp_resume(t, 0);
			continue;
		}
		if (!next || t->until < next)
			next = t->until;
	}
	/* running tracees: their stops interrupt the poll (SIGCHLD); look
	 * again soon all the same, in case one came just before it */
	for (i = 0; i < r->n; i++)
		if (r->t[i].traced && !r->t[i].held && (!next || next > now + 10000000ULL))
			next = now + 10000000ULL;
	if (!next)
		return -1;
	return (int)((next - now + 999999) / 1000000);
}

void resp_counts(const struct resp *r, __u64 *held, __u64 *traced)
{
	size_t i;

	*held = *traced = 0;
	for (i = 0; i < r->n; i++) {
		*held += r->t[i].held != HOLD_NONE;
		*traced += r->t[i].traced != 0;
	}
}

void resp_stop(struct resp *r)
{
	int tries, st;
	size_t i;

	resp_release(r, 0, EBPH_REL_EXIT);
	/* the running ones stop at our PTRACE_INTERRUPT and are let go then;
	 * any left when ebph exits the kernel detaches and resumes */
	for (tries = 0; tries < 50; tries++) {
		int traced = 0, seen = 0;

		for (i = 0; i < r->n; i++) {
			struct resp_task *t = &r->t[i];

			if (!t->traced)
				continue;
			traced = 1;
			if (waitpid(t->tid, &st, __WALL | WNOHANG) == t->tid) {
				resp_status(r, t, st);
				seen = 1;
				break;
			}
		}
		if (!traced)
			break;
		if (!seen)
			usleep(2000);
	}
	free(r->t);
	free(r->exempt);
	r->t = NULL;
	r->exempt = NULL;
	r->n = r->cap = 0;
}
