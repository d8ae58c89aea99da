/* SPDX-License-Identifier: GPL-2.0-only */
/* status.c: ebph status: what the running monitor is doing (PID, start,
 * configuration, response and execve modes, profiles by state, tasks
 * monitored and held, lost events, how full its maps are), read from the
 * pins through the live handle of live.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bcc/libbpf.h>
#include <bpf/libbpf.h>

#include "syscalls.h"
#include "ebph.h"
#include "admin.h"
#include "admin_int.h"
#include "output.h"
#include "status.h"

/* What ebph status reports, besides the info map. */
struct status_counts {
	__u64 profiles, state[3];	/* by enum ebph_state */
	__u64 tasks;			/* task states (created - released) */
	__u64 held_delay, held_suspend;	/* tasks held now, by kind */
	__u64 held;			/* entries of the held map */
	__u64 lost_events;		/* ring buffer full */
	__u64 rows;			/* pair rows in use */
};

/* A per-CPU counter of the stats map, summed. */
static __u64 status_stat(int fd, int ncpus, __u32 idx)
{
	__u64 *v = calloc((size_t)ncpus, sizeof(*v)), sum = 0;
	int i;

	if (v && !bpf_lookup_elem(fd, &idx, v))
		for (i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

/* Read the counts from the maps. 0 or -errno. */
static int status_read(const struct admin_live *l, struct status_counts *c)
{
	const struct ebph_info *in = &l->info;
	int prof = l->fd[PROG_MAP_PROFILES], stats = l->fd[PROG_MAP_STATS];
	int held = l->fd[PROG_MAP_HELD], alloc = l->fd[PROG_MAP_ALLOC];
	int ncpus = libbpf_num_possible_cpus();
	struct ebph_profile *p = malloc(sizeof(*p));
	__u32 slot, k, next, *key = NULL;
	struct ebph_hold h;
	__u64 born, dead;

	memset(c, 0, sizeof(*c));
	if (!p)
		return -ENOMEM;
	if (ncpus < 1) {
		free(p);
		return ncpus < 0 ? ncpus : -EINVAL;
	}
	for (slot = 0; slot < in->max_profiles; slot++) {
		if (bpf_lookup_elem(prof, &slot, p) || (!p->key.dev && !p->key.ino))
			continue;
		c->profiles++;
		if (p->state <= EBPH_NORMAL)
			c->state[p->state]++;
	}
	free(p);
	born = status_stat(stats, ncpus, EBPH_S_NEW_TASKS);
	dead = status_stat(stats, ncpus, EBPH_S_DEAD_TASKS);
	c->tasks = born > dead ? born - dead : 0;
	c->lost_events = status_stat(stats, ncpus, EBPH_S_LOST_EVENTS);
	k = EBPH_A_ROWS_USED;
	if (bpf_lookup_elem(alloc, &k, &c->rows))
		c->rows = 0;
	for (; held >= 0 && !bpf_get_next_key(held, key, &next); key = &k) {
		k = next;
		if (bpf_lookup_elem(held, &k, &h))
			continue;
		c->held++;
		c->held_delay += h.kind == 1;
		c->held_suspend += h.kind == 2;
	}
	return 0;
}

static const char *status_response(__u32 r)
{
	return r == 2 ? "act" : r == 1 ? "log" : "off";
}

static const char *status_exec(__u32 m)
{
	return m == EBPH_EXEC_REFUSE ? "refuse" : m == EBPH_EXEC_HOLD ? "hold" : "off";
}

static __s64 status_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One "used/max (N%)" of the maps line. */
static void status_fill(FILE *f, const char *name, __u64 used, __u64 max, const char *sep)
{
	fprintf(f, "%s %llu/%llu (%llu%%)%s", name, (unsigned long long)used,
		(unsigned long long)max, (unsigned long long)(max ? used * 100 / max : 0), sep);
}

static void status_text(FILE *f, const struct ebph_info *in, const struct status_counts *c,
			__s64 now)
{
	char when[32] = "?", ago[32] = "?";
	time_t secs = (time_t)(in->started / 1000000000);
	struct tm tm;

	if (in->started && gmtime_r(&secs, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (in->started && now >= in->started)
		admin_duration(ago, sizeof(ago), (__u64)(now - in->started) / 1000000000ULL);
	fprintf(f, "%-12s PID %llu, since %s (%s)\n", "monitor", (unsigned long long)in->pid,
		when, ago);
	fprintf(f, "%-12s ", "config");
	out_text_str(f, in->config[0] ? in->config : "(built-in defaults)", sizeof(in->config));
	fprintf(f, "\n%-12s ", "state_dir");
	out_text_str(f, in->state_dir, sizeof(in->state_dir));
	fprintf(f, "\n%-12s %s\n", "response", status_response(in->response));
	fprintf(f, "%-12s %s: ", "execve", status_exec(in->exec_mode));
	out_text_str(f, in->exec_why, sizeof(in->exec_why));
	fprintf(f, "\n%-12s %llu (training %llu, frozen %llu, normal %llu)\n", "profiles",
		(unsigned long long)c->profiles, (unsigned long long)c->state[EBPH_TRAINING],
		(unsigned long long)c->state[EBPH_FROZEN], (unsigned long long)c->state[EBPH_NORMAL]);
	fprintf(f, "%-12s %llu monitored; held %llu (delayed %llu, suspended %llu)\n", "tasks",
		(unsigned long long)c->tasks, (unsigned long long)c->held,
		(unsigned long long)c->held_delay, (unsigned long long)c->held_suspend);
	fprintf(f, "%-12s %llu\n", "lost_events", (unsigned long long)c->lost_events);
	fprintf(f, "%-12s ", "maps");
	status_fill(f, "profiles", c->profiles, in->max_profiles, ", ");
	status_fill(f, "tasks", c->tasks, in->max_tasks, ", ");
	status_fill(f, "rows", c->rows, in->max_rows, ", ");
	status_fill(f, "held", c->held, EBPH_HOLD_MAX, "\n");
}

static void status_json(FILE *f, const struct ebph_info *in, const struct status_counts *c,
			__s64 now)
{
	out_json_head(f, "monitor", now, NULL);
	fprintf(f, ",\"pid\":%llu", (unsigned long long)in->pid);
	out_json_time(f, "since", in->started);
	fputs(",\"config\":", f);
	if (in->config[0])
		out_json_str(f, in->config, sizeof(in->config));
	else
		fputs("null", f);
	fputs(",\"state_dir\":", f);
	out_json_str(f, in->state_dir, sizeof(in->state_dir));
	fprintf(f, ",\"response\":\"%s\",\"execve\":\"%s\",\"execve_why\":",
		status_response(in->response), status_exec(in->exec_mode));
	out_json_str(f, in->exec_why, sizeof(in->exec_why));
	fprintf(f, ",\"profiles\":%llu,\"training\":%llu,\"frozen\":%llu,\"normal\":%llu,"
		"\"tasks\":%llu,\"held\":%llu,\"held_delay\":%llu,\"held_suspend\":%llu,"
		"\"lost_events\":%llu,\"rows\":%llu,\"max_profiles\":%u,\"max_tasks\":%u,"
		"\"max_rows\":%u,\"max_held\":%u}\n",
		(unsigned long long)c->profiles, (unsigned long long)c->state[EBPH_TRAINING],
		(unsigned long long)c->state[EBPH_FROZEN], (unsigned long long)c->state[EBPH_NORMAL],
		(unsigned long long)c->tasks, (unsigned long long)c->held,
		(unsigned long long)c->held_delay, (unsigned long long)c->held_suspend,
		(unsigned long long)c->lost_events, (unsigned long long)c->rows, in->max_profiles,
		in->max_tasks, in->max_rows, EBPH_HOLD_MAX);
}

int cmd_status(const struct admin_opts *o, struct admin_ctx *x)
{
	const struct admin_live *l = x->l;
	struct status_counts c;
	int ret;

	if (!l) {
		fprintf(stderr, "ebph: no running ebph monitor\n");
		return 1;
	}
	ret = status_read(l, &c);
	if (ret) {
		fprintf(stderr, "ebph: cannot read the maps of the running ebph (PID %d): %s\n",
			(int)x->pid, strerror(-ret));
		return 1;
	}
	if (o->json)
		status_json(stdout, &l->info, &c, status_now());
	else
		status_text(stdout, &l->info, &c, status_now());
	return 0;
}
