/* SPDX-License-Identifier: GPL-2.0-only */
/* filter.h: which events the monitor prints: -p PID (with --tree, and its
 * descendants) and -n COMM. */
#ifndef EBPH_FILTER_H
#define EBPH_FILTER_H

#include <stddef.h>
#include <linux/types.h>

/* A set of 64-bit keys (open addressing; 0 is never a key). */
struct filter_set {
	__u64 *keys;
	size_t cap, n;		/* cap: 0 or a power of two */
};

struct filter {
	__u32 root;		/* -p PID; 0 = every process */
	int tree;		/* --tree: and its descendants */
	const char *comm;	/* -n: the name contains it; NULL = any name */
	/* A process's parent: 0, or -errno (gone). filter_proc_parent by default. */
	int (*parent)(__u32 pid, __u32 *ppid);
	struct filter_set in;	/* processes known to be in the tree */
	struct filter_set out;	/* (pid, ppid) pairs known to be outside it */
};

/* The parent (PPid) of process pid from /proc/pid/stat. 0, -errno. */
int filter_proc_parent(__u32 pid, __u32 *ppid);

/* Does /proc/pid name a process (a thread group leader)? 0, -ESRCH (no
 * such process) or -EINVAL (a thread: *tgid names its process). */
int filter_proc_check(__u32 pid, __u32 *tgid);

/*
 * Is an event of process pid, whose parent was ppid when the event was made
 * (0 if unknown), with name comm, to be printed? With --tree a process is in
 * the tree if it is the root, if its event's parent is in the tree, or if
 * its parent's ancestry in /proc leads to the root; answers are remembered.
 * Not seen: a descendant whose parent made no event and exited (so the
 * descendant was reparented) before ebph read the descendant's event.
 * Returns 1 or 0 (also when out of memory: nothing is remembered then).
 */
int filter_match(struct filter *f, __u32 pid, __u32 ppid, const char *comm);

void filter_free(struct filter *f);

#endif
