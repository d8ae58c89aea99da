/* output.h: ebph's events and status as text columns or JSON lines. */
#ifndef EBPH_OUTPUT_H
#define EBPH_OUTPUT_H

#include <stdio.h>
#include <linux/types.h>

#include "syscalls.h"
#include "ebph.h"

/* What the monitor knows of an event's process beyond the event itself:
 * its command line (captured at its exec) and its cgroup's path. */
struct out_attr {
	const char *cmdline;	/* arguments, NUL-separated; NULL: not known */
	__u32 cmdline_len;	/* bytes of cmdline */
	int cmdline_cut;	/* longer than what was captured */
	const char *cgroup;	/* "/system.slice/ssh.service"; NULL: not known */
};

struct out_ctx {
	FILE *f;
	int json;		/* JSON lines instead of text */
	int timestamps;		/* text: print a TIME column */
	__s64 boot_to_wall_ns;	/* add to a boot-time ns stamp for epoch ns */
	const char *hostname;	/* JSON: "hostname" of every event, NULL: none */
	const struct out_attr *attr;	/* the next event's process, NULL: none */
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
	__u64 anomalies_lost;	/* anomalies in neither a line nor a summary, all profiles */
	__u64 suppressed;	/* event lines left out by output_rate */
	int final;		/* the last status, at exit */
};

/* One profile for the exit summary (-s) and the admin commands. */
struct out_profile {
	__u64 ts;
	__u64 dev, ino;		/* user-space dev_t, inode */
	__u64 train_count, last_mod_count, sequences, anomalies;
	__u64 anomalies_total, anomalies_lost, events_lost;
	__s64 last_anomaly;	/* wall ns, 0 = none */
	__u64 rows, snapshot_rows, pair_bytes;
	__u32 state;
	const char *path;
};

/* Kernel dev_t (major << 20 | minor) to the st_dev stat(2) reports. */
__u64 out_user_dev(__u64 kdev);

const char *out_state_name(__u32 state);
const char *out_reason_name(__u32 reason);

/*
 * Untrusted bytes (process names, paths, file names) are printed by one rule,
 * up to max bytes or a NUL: valid UTF-8 passes through unchanged, except
 * the code points a name may never print raw (C0 controls, DEL, C1 controls,
 * U+2028, U+2029 and the bidirectional controls). Lossless both ways:
 *   JSON: " and \ as \" and \\, those code points as \uXXXX, and each byte
 *         that is not part of valid UTF-8 (RFC 3629: overlong forms and
 *         encoded surrogates are invalid) as \udcXX, XX the byte (PEP 383's
 *         "surrogateescape"; Python decodes it back with
 *         errors="surrogateescape", jq 1.6 shows U+FFFD).
 *   text: \ as \\, and each byte of those code points or of invalid UTF-8
 *         as \xXX; so a name cannot move the cursor, end a line or set
 *         colours.
 */
/* A JSON string, with its quotes. */
void out_json_str(FILE *f, const char *s, size_t max);
/* Text without quotes; "-" for an empty string. */
void out_text_str(FILE *f, const char *s, size_t max);

/* out_text_str into buf, for a text column; returns buf ("?" if it cannot).
 * 4 * max + 1 bytes always suffice. */
const char *out_text_buf(char *buf, size_t len, const char *s, size_t max);

/* One message line on stderr: the formatted text (give it the "ebph: "
 * prefix), escaped by the text rule as a whole, then a newline. For every
 * message that may contain an untrusted name. */
void out_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void out_header(struct out_ctx *o);
/* path: the profile's path, or NULL if unknown. */
void out_event(struct out_ctx *o, const struct ebph_event *e, const char *path);
void out_status(struct out_ctx *o, const struct out_status *s);
void out_profile(struct out_ctx *o, const struct out_profile *p);
/* Lines of one profile that output_rate left out, and the anomalies they
 * carried (ts boot ns, dev user-space dev_t). */
void out_suppressed(struct out_ctx *o, __u64 ts, __u64 dev, __u64 ino, const char *path,
		    __u64 lines, __u64 anomalies);
/* Anomalies an event carries: 1 for an anomaly, the count of a summary that
 * no anomaly line of its own covered, else 0. */
__u64 out_event_anomalies(const struct ebph_event *e);

#endif
