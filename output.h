/* SPDX-License-Identifier: GPL-2.0-only */
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

/* The JSON schema version every object carries as "schema" (docs/events.schema.json):
 * raised when a key changes meaning or goes away, not when one is added. */
#define OUT_SCHEMA	1

/* Bytes of a buffer that holds max untrusted bytes escaped by either rule
 * (at most 6 per byte, \u00XX) and a NUL. */
#define OUT_ESC_LEN(max)	(6 * (max) + 1)

/* One object as the sinks besides stdout receive it (ebph.c's sink_emit). */
struct out_emitted {
	const char *type;	/* "anomaly", "status", ... */
	const char *json;	/* the JSON line, with its newline */
	const char *text;	/* the text line (no TIME column), with its newline */
	__u32 pid;		/* the event's process, 0: none */
	const char *comm;	/* NULL: none */
	const char *profile;	/* the key as out_key_str prints it, NULL: none */
	const char *path;	/* NULL: none */
};
#define OUT_EDGES_MAX	1024	/* bytes of out_ctx.edges printed */

struct out_ctx {
	FILE *f;		/* stdout (text or JSON), NULL: not printed there */
	int json;		/* JSON lines instead of text */
	int timestamps;		/* text: print a TIME column */
	__s64 boot_to_wall_ns;	/* add to a boot-time ns stamp for epoch ns */
	const char *hostname;	/* JSON: "hostname" of every event, NULL: none */
	const struct out_attr *attr;	/* the next event's process, NULL: none */
	/* the journal and the events file: each object as JSON and text, NULL: none */
	void (*emit)(void *arg, const struct out_emitted *x);
	void *emit_arg;
	__u32 alert_lfc;	/* anomalies at this LFC and above are alerts */
	const char *child_path;	/* exec_anomaly, edges_full: the program's path, NULL: unknown */
	const char *edges;	/* exec_anomaly: the programs the profile starts, NULL: unknown */
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
	__u64 edges_full;	/* execs not learned: exec graph full */
	__u64 reclaimed;	/* idle profiles reclaimed */
	__u64 anomalies_lost;	/* anomalies in neither a line nor a summary, all profiles */
	__u64 suppressed;	/* event lines left out by output_rate */
	__u64 held, traced;	/* response: tasks held now, and traced */
	const char *execve;	/* the execve mode: "hold", "refuse", "off" (NULL: off) */
	int final;		/* the last status, at exit */
};

/* One profile for the exit summary (-s) and the admin commands. */
struct out_profile {
	__u64 ts;		/* boot ns (monitor), or 0: wall_ts */
	__s64 wall_ts;		/* wall ns, when ts is 0 (commands) */
	const char *source;	/* "live" or "saved" */
	__s64 train_pairs, test_pairs;	/* pairs learnt, -1: not counted (null) */
	__s64 normal_time;	/* frozen: when it turns normal, wall ns, 0 = none */
	__s64 normal_since;	/* normal: since when, wall ns, 0 = none */
	struct ebph_key key;	/* as in the maps (kernel dev_t) */
	__u64 train_count, last_mod_count, sequences, anomalies;
	__u64 anomalies_total, anomalies_lost, events_lost;
	__s64 last_anomaly;	/* wall ns, 0 = none */
	__u64 rows, snapshot_rows, pair_bytes;
	__u64 freeze_at;	/* training: last_mod_count at which it freezes, 0 = unknown */
	__s64 frozen_since;	/* frozen: since when, wall ns, 0 = unknown */
	__u32 state;
	int progress;		/* freeze_at and frozen_since are known (commands) */
	const char *path;
	const char *cgroup;	/* scope's cgroup path, NULL: none or not known */
	/* per-program settings in force ("overrides"): */
	__u64 normal_wait_ns;	/* 0 = the config's, EBPH_WAIT_NEVER = mode ignore */
	__u32 pflags;		/* EBPH_PF_NO_TOLERIZE: auto_tolerize false */
	const struct ebph_limits *lim;	/* NULL: none */
};

/* Kernel dev_t (major << 20 | minor) to the st_dev stat(2) reports. */
__u64 out_user_dev(__u64 kdev);

/* Bytes that always hold a key as out_key_str prints it, with its NUL. */
#define OUT_KEY_LEN	80
/* A profile's key as every output and command prints it (and PROFILE takes
 * it): "DEV:INO" (DEV as stat(2)'s st_dev, decimal), then "~sHEX" for a
 * script's profile and "~cHEX" for a scoped one. */
void out_key_str(char *buf, size_t len, const struct ebph_key *key);

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
 * OUT_ESC_LEN(max) bytes always suffice. */
const char *out_text_buf(char *buf, size_t len, const char *s, size_t max);

/* One message line on stderr: the formatted text (give it the "ebph: "
 * prefix), escaped by the text rule as a whole, then a newline. For every
 * message that may contain an untrusted name. */
void out_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The cached host name ("" if unknown): "hostname" of objects with no out_ctx. */
const char *out_hostname(void);
/* The fields every JSON object starts with: {"type", "schema", "ts" (epoch
 * seconds), "time" (ISO 8601 UTC), "hostname" (NULL: out_hostname()). The
 * caller writes the rest and the closing brace. */
void out_json_head(FILE *f, const char *type, __s64 wall_ns, const char *hostname);
/* A wall-clock time as epoch seconds with microseconds, or null if 0. */
void out_json_time(FILE *f, const char *name, __s64 wall_ns);

void out_header(struct out_ctx *o);
/* path: the profile's path, or NULL if unknown. */
void out_event(struct out_ctx *o, const struct ebph_event *e, const char *path);
void out_status(struct out_ctx *o, const struct out_status *s);
void out_profile(struct out_ctx *o, const struct out_profile *p);
/* Lines of one profile (key; all zero: none) that output_rate left out, and
 * the anomalies they carried (ts boot ns). */
void out_suppressed(struct out_ctx *o, __u64 ts, const struct ebph_key *key, const char *path,
		    __u64 lines, __u64 anomalies);
/*
 * The level of an event that reports anomalies: "alert" for an anomaly or
 * summary whose LFC reached alert_lfc and for an exec anomaly, else
 * "notice"; NULL for other events.
 */
const char *out_event_level(const struct out_ctx *o, const struct ebph_event *e);
/* 1 if the event needs a human (alerts_only prints only these): alert-level
 * anomalies and summaries, exec anomalies, a full exec graph, a profile
 * leaving normal by anomaly_limit, a tolerize_limit reset. */
int out_event_alert(const struct out_ctx *o, const struct ebph_event *e);

/* Anomalies an event carries: 1 for an anomaly, the count of a summary that
 * no anomaly line of its own covered, else 0. */
__u64 out_event_anomalies(const struct ebph_event *e);
/* The figures of s in the Prometheus text format (metrics_file). */
void out_metrics(FILE *f, const struct out_status *s);

/* A replaced event: the executable at path is a new file (key new, its own
 * profile); the old file's profile (key old) is kept until keep_until (boot
 * ns) for a rollback, then pruned. */
void out_replaced(struct out_ctx *o, __u64 ts, const struct ebph_key *old,
		  const struct ebph_key *new, const char *path, __u64 keep_until);

#endif
