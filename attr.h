/* SPDX-License-Identifier: GPL-2.0-only */
/* attr.h: what the monitor knows of the processes behind events: the exec
 * that started each (its command line, parent, user), and cgroup paths. */
#ifndef EBPH_ATTR_H
#define EBPH_ATTR_H

#include <linux/types.h>

#include "syscalls.h"
#include "ebph.h"
#include "output.h"

#define ATTR_EXECS	4096	/* processes whose exec is remembered (by PID) */
#define ATTR_CGROUPS	1024	/* cgroup paths cached */

struct attr_exec {
	struct ebph_event ev;	/* the exec event (ev.pid 0: empty) */
	int printed;		/* already printed before an event of its process */
};

struct attr_cgroup {
	__u64 id;		/* cgroup v2 id: the directory's inode, 0: empty */
	char *path;		/* relative to the cgroup2 mount, "/" for the root */
};

struct attr_table {
	struct attr_exec *execs;	/* ATTR_EXECS, slot = pid % ATTR_EXECS */
	__u32 *flagged;		/* ATTR_EXECS PIDs that had anomalies, by pid % ATTR_EXECS */
	struct attr_cgroup *cgroups;	/* ATTR_CGROUPS, open addressing by id */
	char root[256];		/* where cgroup2 is mounted, "" if it is not */
	__u64 scan_ns;		/* last scan of the cgroup tree (monotonic ns) */
	char cmdline[EBPH_PATH_MAX];	/* /proc/PID/cmdline of the last lookup */
};

/* Allocate the tables and find the cgroup2 mount. 0 or -ENOMEM. */
int attr_init(struct attr_table *t);
void attr_free(struct attr_table *t);

/*
 * Remember an exec event (type EBPH_EV_EXEC) for its process. Returns 1 if
 * it is to be printed now: the process or its parent had anomalies (see
 * attr_flag); the process is then flagged too, so everything an anomalous
 * process starts, and what that starts, is shown as it happens.
 */
int attr_exec(struct attr_table *t, const struct ebph_event *e);

/*
 * Flag process pid: it had an anomaly. Its children's execs remembered and
 * not yet printed are handed to print (then marked printed), oldest slot
 * first. A PID reused by another process after the flagged one exited is
 * taken for it until its own exec is seen without a flagged parent.
 */
void attr_flag(struct attr_table *t, __u32 pid, void (*print)(const struct ebph_event *, void *),
	       void *arg);

/*
 * The exec event of process pid if it is remembered and was not yet
 * printed (then marked printed), else NULL: printed once, before the first
 * event of that process that is printed, so a reader sees who started it.
 */
const struct ebph_event *attr_take_exec(struct attr_table *t, __u32 pid);

/*
 * Fill a for an event of process pid in cgroup cgroup: the command line from
 * its exec (or /proc/PID/cmdline for a process older than ebph; NULL if
 * neither is there) and the cgroup's path (NULL if it cannot be found; the
 * cgroup tree is rescanned at most once a second). Pointers stay valid until
 * the next call.
 */
void attr_fill(struct attr_table *t, __u32 pid, __u64 cgroup, struct out_attr *a);

#endif
