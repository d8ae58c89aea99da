/* output.h: ebph's events and status as text columns or JSON lines. */
#ifndef EBPH_OUTPUT_H
#define EBPH_OUTPUT_H

#include <stdio.h>
#include <linux/types.h>

#include "syscalls.h"
#include "ebph.h"

struct out_ctx {
	FILE *f;
	int json;		/* JSON lines instead of text */
	int timestamps;		/* text: print a TIME column */
	__s64 boot_to_wall_ns;	/* add to a boot-time ns stamp for epoch ns */
};

/* Status figures, gathered from the maps by the caller. */
struct out_status {
	__u64 ts;		/* boot-time ns */
	__u64 profiles, training, frozen, normal;
	__u64 tasks, syscalls, anomalies, lost_events;
	__u64 rows, snapshot_rows;	/* pair rows in use */
	__u64 map_bytes;	/* memory of all maps, as sized at load */
	__u64 pair_bytes;	/* memory of the rows in use */
	__u64 tasks_full;	/* tasks not monitored */
	__u64 profiles_full;	/* execs refused a profile */
	__u64 rows_full;	/* profiles refused a row (once per episode) */
	__u64 reclaimed;	/* idle profiles reclaimed */
	int final;		/* the last status, at exit */
};

/* One profile for the exit summary (-s) and the admin commands. */
struct out_profile {
	__u64 ts;
	__u64 dev, ino;		/* user-space dev_t, inode */
	__u64 train_count, last_mod_count, sequences, anomalies;
	__u64 rows, snapshot_rows, pair_bytes;
	__u32 state;
	const char *path;
};

/* Kernel dev_t (major << 20 | minor) to the st_dev stat(2) reports. */
__u64 out_user_dev(__u64 kdev);

const char *out_state_name(__u32 state);
const char *out_reason_name(__u32 reason);

/* JSON string with quotes; escapes ", \ and every byte outside 0x20..0x7e. */
void out_json_str(FILE *f, const char *s, size_t max);
/* Text: the same escaping without quotes (untrusted names stay one line). */
void out_text_str(FILE *f, const char *s, size_t max);

/* The same into buf, for a text column; returns buf ("?" if it cannot). */
const char *out_text_buf(char *buf, size_t len, const char *s, size_t max);

void out_header(struct out_ctx *o);
/* path: the profile's path, or NULL if unknown. */
void out_event(struct out_ctx *o, const struct ebph_event *e, const char *path);
void out_status(struct out_ctx *o, const struct out_status *s);
void out_profile(struct out_ctx *o, const struct out_profile *p);

#endif
