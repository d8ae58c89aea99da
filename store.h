/* SPDX-License-Identifier: GPL-2.0-only */
/* store.h: profiles on disk under state_dir: one file per profile, written
 * atomically, versioned and checksummed. */
#ifndef EBPH_STORE_H
#define EBPH_STORE_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "syscalls.h"
#include "ebph.h"

#define STORE_HANDLE_MAX	128	/* MAX_HANDLE_SZ */

/* One row of pairs as saved: bits[p] bit d-1 <=> p came d calls before call. */
struct store_row {
	__u16 call;
	__u8 bits[EBPH_ROW_BYTES];
};

/* An edge of the exec graph as saved: the program started, and which views
 * have it (at least one; testing only in a normal profile). */
struct store_edge {
	struct ebph_key child;
	__u8 train;
	__u8 test;
};

/*
 * A profile as saved and loaded: its counters and its two pair views
 * (training and testing), independent of the BPF maps' copy-on-write layout.
 * Times are wall-clock nanoseconds since the epoch (0 = none).
 */
struct store_profile {
	struct ebph_key key;		/* kernel dev_t (major << 20 | minor), inode */
	__u64 train_count;
	__u64 last_mod_count;
	__u64 sequences;
	__u64 anomalies;
	__s64 normal_time;		/* frozen: when it becomes normal */
	__s64 normal_since;		/* normal: since when */
	__s64 frozen_since;		/* frozen: since when, 0 = unknown (not saved) */
	__u64 anomalies_total;		/* anomalies ever (never reset by pH's limits) */
	__s64 last_anomaly;		/* when the last anomaly happened, 0 = none */
	__u64 anomalies_lost;		/* in neither a line nor a summary */
	__u64 events_lost;		/* events the ring buffer could not take */
	__u32 state;			/* enum ebph_state */
	__u32 ntrain;			/* rows in train[] */
	__u32 ntest;			/* rows in test[] (normal profiles) */
	char path[EBPH_PATH_MAX];	/* see ebph(8), PATHS: "/..." names the file */
	__u64 fsid;			/* statfs(2) f_fsid of its file system, with the handle */
	__s32 handle_type;		/* name_to_handle_at(2) of the executable, */
	__u32 handle_len;		/* 0 = none (bytes in handle) */
	__u8 handle[STORE_HANDLE_MAX];
	struct store_row *train;	/* malloc'd, sorted by call, no duplicates */
	struct store_row *test;
	__u32 pflags;			/* EBPH_PF_* */
	__u32 nedges;			/* edges in edges[], at most EBPH_EDGES_MAX */
	__u64 episodes;			/* anomalous episodes since it became normal */
	__s64 episode_first;		/* when the first of them began (wall ns, 0 = none) */
	struct store_edge *edges;	/* malloc'd exec graph */
	char cgroup[EBPH_CGROUP_MAX];	/* key.scope's cgroup path, "" = not known */
	/* live profiles only (per-program settings, never saved): */
	__u64 normal_wait_ns;		/* its own normal_wait, 0 = the config's */
	struct ebph_limits lim;		/* its own limits */
};

void store_profile_free(struct store_profile *p);

/*
 * Check (and with create, make) state_dir: a directory, not a symlink, owned
 * by the effective user, not writable by group or others (created 0700).
 * 0 or -errno with one message in err naming the directory and the reason.
 */
int store_dir_check(const char *dir, int create, char *err, size_t errlen);

/* File name of a profile in state_dir: "<dev>-<ino>.prof" (hex kernel dev),
 * "<dev>-<ino>~s<script>.prof" for a script's profile, "~c<scope>" before
 * ".prof" for a scoped one (hex). */
void store_file_name(const struct ebph_key *key, char *buf, size_t len);

/*
 * Save n profiles into dir, their pairs those of lookahead window window
 * (written into each file's header), each atomically (scratch file, one syncfs,
 * exchange, fsync of the directory): after a crash every profile file is
 * either its previous or its new version, complete. Files 0600, never
 * through symlinks. A profile that cannot be written does not stop the
 * others; its scratch file is removed. 0 or the first -errno (err names its
 * file); *failed (if not NULL) receives the number of profiles not saved.
 */
int store_save(const char *dir, __u32 window, const struct store_profile *profiles, size_t n,
	       size_t *failed, char *err, size_t errlen);

/* Is there an entry named like key's profile file in dir (any type)?
 * 1, 0 or -errno. */
int store_has_file(const char *dir, const struct ebph_key *key);

/* Delete a profile's file. 0, -ENOENT or -errno. */
int store_delete(const char *dir, const struct ebph_key *key, char *err, size_t errlen);

/*
 * Load every profile file of dir. Each good one is passed to fn (which takes
 * ownership of it, and returns 0 to go on or -errno to stop); each bad file
 * (unreadable, a symlink or directory, wrong owner or mode, truncated, wrong
 * magic, version, window, alphabet, architecture or checksum, inconsistent
 * content) is skipped with one line on stderr "ebph: DIR/FILE: reason".
 * Returns the number loaded, or -errno if dir itself is unusable.
 */
int store_load(const char *dir, __u32 window, int (*fn)(struct store_profile *p, void *arg),
	       void *arg, char *err, size_t errlen);

/*
 * 1 if p's executable is proven gone: its file handle no longer opens
 * (ESTALE) on the file system it was recorded on, reached through the
 * nearest existing directory of its path. 0 when it exists or nothing proves
 * it gone (no handle, the path names another file or none, another file system).
 */
int store_stale(const struct store_profile *p);

/* Record p's file handle and file system from path, if it is p's file
 * (same dev and inode). 0 or -errno (no handle: the file system has none). */
int store_set_handle(struct store_profile *p, const char *path);

/*
 * Delete the saved profiles of executables proven gone (store_stale), printing
 * "pruned DEV:INO PATH" (or "would prune ..." with dry_run) for each to out.
 * Returns the number pruned, or -errno (err says why).
 */
int store_prune(const char *dir, int dry_run, FILE *out, char *err, size_t errlen);
/* The same, calling forget(key, arg) first for each (not with dry_run): a
 * running monitor forgets the profile, so that it does not save it again. A
 * profile whose forget fails is kept (forget says why). */
int store_prune_with(const char *dir, int dry_run, FILE *out,
		     int (*forget)(const struct ebph_key *key, void *arg), void *arg,
		     char *err, size_t errlen);

/*
 * Pair rows a saved profile takes in the maps once loaded (maps_add_profile):
 * *rows, one per call with a training or testing view, and *snap, snapshot
 * rows for testing views the row itself cannot hold. A normal profile is
 * laid out one of two ways, the cheaper one (*split): testing and training
 * in one epoch (a row whose views are equal costs one row, a testing view
 * alone two), or training in a later epoch than testing, as after a reset
 * (a testing view alone costs one row, equal views two). Either way a
 * profile never needs more rows than it used live.
 */
void store_rows_needed(const struct store_profile *p, __u32 *rows, __u32 *snap, int *split);

/*
 * Walk a profile's views together in call order (both are sorted by call):
 * the next call's training row *t and testing row *s, either NULL where
 * that view has none (a profile that is not normal has no testing view).
 * *i and *j are the positions, both 0 at the start. Returns 0 at the end.
 */
int store_next_rows(const struct store_profile *p, __u32 *i, __u32 *j,
		    const struct store_row **t, const struct store_row **s);

/* Serialise / parse one profile (the file format, for tests and tools). */
int store_encode(const struct store_profile *p, __u32 window, void **buf, size_t *len);
int store_decode(const void *buf, size_t len, __u32 window, struct store_profile *p,
		 char *err, size_t errlen);

#endif
