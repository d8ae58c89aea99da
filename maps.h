/* SPDX-License-Identifier: GPL-2.0-only */
/* maps.h: profiles in the live BPF maps, read and written as store images. */
#ifndef EBPH_MAPS_H
#define EBPH_MAPS_H

#include <stddef.h>
#include <linux/types.h>

#include "store.h"

/* The maps a profile lives in, and their sizes. */
struct maps_fds {
	int profiles, keys, paths, rows, alloc;
	int edges;		/* exec graph, -1: none */
	__u32 max_profiles, max_rows;
	__s64 boot_to_wall_ns;	/* add to boot-time ns for epoch ns */
};

/*
 * Run command op (enum ebph_cmd) of the BPF command program cmd_fd on
 * profile slot, with argument arg, once (BPF_PROG_TEST_RUN through libbpf).
 * Returns the program's result (0, or a positive code it defines), or
 * -errno if the kernel refused the run.
 */
int maps_command(int cmd_fd, __u32 op, __u32 slot, __u64 arg);
/* The same with args[0..n-1] = op, slot and the command's own arguments
 * (n at most EBPH_CMD_ARGS; the rest are 0). -EINVAL if n is larger. */
int maps_command_args(int cmd_fd, const __u64 *args, size_t n);

/* Number of profile slots handed out so far. */
__u32 maps_profile_slots(const struct maps_fds *m);

/*
 * Read slot's profile with its training and testing views. Consistent
 * without locking: pair bits only ever get set (atomic OR) and every change
 * of a profile's pairs or generations is followed, in the same BPF run, by a
 * change of its sequences/tgen/ngen/state; the header is read before and
 * after the rows and the read is retried when those moved. 0, -ENOENT
 * (unused slot), -EAGAIN (kept changing), -ENOMEM or -errno.
 */
int maps_read_profile(const struct maps_fds *m, __u32 slot, struct store_profile *p);

/*
 * Install a saved profile into the maps before the probes are attached:
 * a new slot, its key and path, rows for its views. 0, -EEXIST (its key is
 * there already), -ENOSPC (no slot or rows left), -errno.
 */
int maps_add_profile(const struct maps_fds *m, const struct store_profile *p);

/* An edge of a profile's exec graph and its views. */
struct maps_edge {
	struct ebph_key child;
	__u8 train;	/* in the training data */
	__u8 test;	/* in the testing data (normal profiles) */
};

/*
 * The exec graph of slot's profile: up to max edges into out, in the map's
 * order. Returns how many, or -errno.
 */
int maps_edges(const struct maps_fds *m, __u32 slot, struct maps_edge *out, size_t max);

/* Slot of a key, or -ENOENT. */
int maps_find(const struct maps_fds *m, const struct ebph_key *key, __u32 *slot);

/*
 * Check a live profile's internal invariants (row indices in range and
 * owned by their call, nrows matches, state valid, snapshot rows valid).
 * 0 or -EINVAL with a message in err.
 */
/* Thread tid's state in the task storage map fd ("tstore"), looked up by a
 * pidfd of the thread (PIDFD_THREAD: Linux 6.9 or later). 0, or -ENOENT if
 * it has none there, fd is -1 or the kernel cannot name a thread by pidfd. */
struct ebph_task;
int maps_tstore_lookup(int fd, __u32 tid, struct ebph_task *t);

int maps_check_profile(const struct maps_fds *m, __u32 slot, char *err, size_t errlen);

#endif
