/* SPDX-License-Identifier: GPL-2.0-only */
/* response.h: pH's responses, in the monitor: delay the system calls of
 * anomalous tasks and hold their execve (response: act), or report what
 * would be done (response: log). The mechanism is ptrace, see response.c. */
#ifndef EBPH_RESPONSE_H
#define EBPH_RESPONSE_H

#include <signal.h>
#include <sys/types.h>
#include <linux/types.h>

#include "config.h"
#include "syscalls.h"
#include "ebph.h"

struct resp_task;

struct resp {
	const struct ebph_config *cfg;
	int tasks_fd;			/* the BPF tasks array: lfc of a task */
	int tstore_fd;			/* task storage: lfc of a task whose array
					 * slot another task holds (-1: none) */
	int held_fd;			/* the held map: what ebph ps shows */
	__u32 task_slots;
	pid_t self;
	struct resp_task *t;		/* tasks being traced, or pardoned */
	size_t n, cap;
	struct ebph_key *exempt;	/* response_exempt, as kernel keys */
	size_t nexempt;
	void (*emit)(void *ctx, const struct ebph_event *e);
	void *ctx;
	__u64 held_total;		/* tasks held so far */
	int refuse;			/* execve mode refuse: the BPF LSM program stops
					 * execve (set by the monitor after resp_init) */
};

/* Resolve response_exempt (a path that does not exist is reported and
 * skipped). 0 or -ENOMEM. */
int resp_init(struct resp *r, const struct ebph_config *cfg, int tasks_fd, int tstore_fd,
	      int held_fd,
	      __u32 task_slots, void (*emit)(void *, const struct ebph_event *), void *ctx);

/* An event from the BPF program: anomalies start delays, execs with a high
 * lfc are held. */
void resp_event(struct resp *r, const struct ebph_event *e);

/* Handle the traced tasks' stops, release those whose time has come and
 * carry out ebph release requests; returns the milliseconds until the next
 * thing is due (-1: nothing is). */
int resp_poll(struct resp *r);

/* From the signal handler of RESP_RELEASE_SIG: queue a release request. */
void resp_request(pid_t pid);

/* Let a task go now (tid, or every task of process tid; 0 = all): by
 * EBPH_REL_*. Returns the number of tasks released. */
int resp_release(struct resp *r, pid_t tid, __u32 by);

/* Tasks held (stopped by ebph) now, and traced in all. */
void resp_counts(const struct resp *r, __u64 *held, __u64 *traced);

/* Release everything and stop tracing (the monitor exits). */
void resp_stop(struct resp *r);

/* The realtime signal ebph release sends the monitor: value = PID, 0 = all. */
#define RESP_RELEASE_SIG (SIGRTMIN + 1)

#endif
