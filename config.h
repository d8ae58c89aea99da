/* SPDX-License-Identifier: GPL-2.0-only */
/* config.h: ebph's configuration: defaults, YAML loading, validation. */
#ifndef EBPH_CONFIG_H
#define EBPH_CONFIG_H

#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#define CFG_STATE_DIR_MAX 4096
#define CFG_FILE_MAX (1U << 20)	/* bytes of a configuration file, at most */
#define CFG_EXEMPT_MAX 4096	/* bytes of response_exempt: its paths, each NUL-ended */

/* response: what ebph does to anomalous tasks (see response.h). */
enum cfg_response {
	CFG_RESPONSE_OFF = 0,	/* nothing */
	CFG_RESPONSE_LOG = 1,	/* report what it would do */
	CFG_RESPONSE_ACT = 2,	/* delay calls, suspend execve */
};

#define CFG_PROGRAMS_MAX 64	/* entries of the programs list */
#define CFG_PATTERN_MAX 256	/* bytes of a program's path or glob, with its NUL */

/* What ebph does with a program (programs: mode). */
enum cfg_mode {
	CFG_MODE_MONITOR = 0,	/* learn, then detect (the default) */
	CFG_MODE_IGNORE = 1,	/* learn, never become normal: no anomalies */
};

/* What a profile's identity includes (profile_scope). */
enum cfg_scope {
	CFG_SCOPE_EXECUTABLE = 0,	/* the executable (and script) only */
	CFG_SCOPE_CGROUP = 1,		/* ... and the cgroup v2 path it was exec'd in */
};


/* The keys a programs entry sets (struct cfg_program set). */
enum cfg_pkey {
	CFG_P_NORMAL_WAIT = 1 << 0,
	CFG_P_MODE = 1 << 1,
	CFG_P_AUTO_TOLERIZE = 1 << 2,
	CFG_P_ANOMALY_LIMIT = 1 << 3,
	CFG_P_ANOMALY_PERIOD = 1 << 4,
	CFG_P_TOLERIZE_LIMIT = 1 << 5,
	CFG_P_ALERT_LFC = 1 << 6,
	CFG_P_MAX_ROWS_PER_PROFILE = 1 << 7,
};

/*
 * One entry of the programs list: settings of the executables whose path
 * matches (fnmatch(3) with FNM_PATHNAME); the first matching entry wins.
 * Besides path and mode, its keys are top-level keys (same names, units
 * and ranges) given for the profiles it matches; a key the entry does not
 * set (its CFG_P_* bit clear in set) keeps the top-level value.
 */
struct cfg_program {
	char path[CFG_PATTERN_MAX];	/* absolute path or glob */
	__u64 normal_wait;		/* seconds */
	__u64 anomaly_period;		/* seconds */
	__u32 mode;			/* enum cfg_mode */
	__u32 auto_tolerize;		/* 0: anomaly_limit never ends its normal monitoring */
	__u32 anomaly_limit;
	__u32 tolerize_limit;		/* below the top-level lfc_window */
	__u32 alert_lfc;
	__u32 max_rows_per_profile;
	__u32 set;			/* enum cfg_pkey: the keys the entry sets */
	__u32 pad;
};

struct ebph_config {
	__u64 normal_wait;	/* seconds */
	__u64 status_interval;	/* seconds, 0 = no periodic status */
	__u64 save_interval;	/* seconds, 0 = save only at exit */
	__u32 window;		/* 2..9 */
	__u32 normal_factor;
	__u32 normal_factor_den;
	__u32 anomaly_limit;
	__u32 tolerize_limit;
	__u32 lfc_window;	/* 1..128 */
	__u32 max_profiles;
	__u32 max_tasks;
	__u32 max_rows;		/* pair-row pool size, <= 65535 */
	__u32 max_rows_per_profile;	/* rows one profile may take from the pool */
	__u32 ringbuf_kb;	/* ring buffer size in KiB, power of two */
	__u32 anomaly_lines;	/* anomalies of a task's burst sent one by one, 0 = all */
	__u64 summary_interval;	/* seconds: a longer burst is summarised on its next anomaly */
	__u32 output_rate;	/* event lines per second on stdout, 0 = no limit */
	__u32 min_train_calls;	/* no freezing before this many training calls */
	__u64 retired_keep;	/* seconds a replaced executable's profile is kept */
	char state_dir[CFG_STATE_DIR_MAX];
	__u32 response;		/* enum cfg_response */
	__u32 delay_factor;	/* ms per call at lfc 0 (x 2^lfc), 0 = no delays */
	__u32 max_delay;	/* ms: longest delay of one call */
	__u32 suspend_execve;	/* lfc at which execve is held, 0 = never */
	__u64 suspend_execve_time;	/* seconds */
	char response_exempt[CFG_EXEMPT_MAX];	/* paths, each NUL-ended; "" ends the list */
	__u32 stdout;		/* print events and status on stdout */
	__u32 journal;		/* ... and send them to the systemd journal */
	__u32 events_file_kb;	/* rotate events_file before it grows past this */
	__u32 events_file_keep;	/* rotated events files kept (.1 newest) */
	char events_file[CFG_STATE_DIR_MAX];	/* JSON lines appended here, "" = none */
	char metrics_file[CFG_STATE_DIR_MAX];	/* Prometheus text, "" = none */
	__u32 nprograms;
	struct cfg_program programs[CFG_PROGRAMS_MAX];
	__u64 anomaly_period;	/* seconds: anomaly_limit's episodes must span this long */
	__u32 auto_tolerize;	/* 0: anomaly_limit never ends normal monitoring */
	__u32 max_edges;	/* exec-graph edges, all profiles */
	__u32 alert_lfc;	/* LFC at which anomalies are alerts */
	__u32 alerts_only;	/* print only what needs a human (--alerts) */
	char script_interpreters[256];	/* names or paths, space-separated */
	__u32 profile_scope;	/* enum cfg_scope */
};

/* The first entry of cfg's programs list matching path, or NULL. */
const struct cfg_program *cfg_program_of(const struct ebph_config *cfg, const char *path);

/* Fill cfg with the built-in defaults. */
void cfg_defaults(struct ebph_config *cfg);

/*
 * Load YAML from a file or a string over the defaults already in cfg.
 * On error return -EINVAL (bad content) or -errno (unreadable), leave cfg
 * untouched and write one message into err, "NAME:LINE:COL: ..." naming the
 * key where there is one, e.g. "ebph.yaml:3:1: unknown key 'windw'".
 */
int cfg_load_file(struct ebph_config *cfg, const char *path, char *err, size_t errlen);
int cfg_load_string(struct ebph_config *cfg, const char *text, size_t len, const char *name,
		    char *err, size_t errlen);

/* Most -o KEY=VALUE options on one command line. */
#define CFG_OVERRIDES_MAX 64

/*
 * Apply -o KEY=VALUE overrides (n of them, in order; a later one of a key
 * wins) over cfg, validated like the file: 0, or -EINVAL, cfg untouched and
 * one message naming -o, the override and the key, e.g. "-o 'window=12':
 * window: 12 is out of range (2..9)".
 */
int cfg_load_overrides(struct ebph_config *cfg, char *const *kv, size_t n, char *err,
		       size_t errlen);

/* "90", "90s", "15m", "2h", "7d", "1w" -> seconds. 0 or -EINVAL. */
int cfg_parse_duration(const char *s, __u64 *secs);

/* Write cfg as YAML (every key, one per line), e.g. for --print-config. */
void cfg_write(FILE *f, const struct ebph_config *cfg);

#endif
