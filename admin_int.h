/* SPDX-License-Identifier: GPL-2.0-only */
/* admin_int.h: what the rooms of the sub-commands share (admin.c, key.c,
 * view.c, saved.c, pin.c, live.c, inspect.c, steer.c, request.c) and no
 * other file uses: the command table's entries, the parsed options, the
 * running monitor's maps, the records the commands print. */
#ifndef EBPH_ADMIN_INT_H
#define EBPH_ADMIN_INT_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>

#include "syscalls.h"
#include "ebph.h"
#include "config.h"
#include "maps.h"
#include "show.h"
#include "store.h"
#include "prog.h"

enum admin_cmd_id {
	ADM_PS, ADM_PROFILES, ADM_SHOW, ADM_NORMALIZE, ADM_SENSITIZE, ADM_TOLERIZE, ADM_DELETE,
	ADM_SAVE, ADM_PRUNE, ADM_HELP, ADM_CHECK, ADM_REPLAY, ADM_RECORD, ADM_RELEASE,
	ADM_NO_TOLERIZE, ADM_AUTO_TOLERIZE, ADM_STATUS,
};

#define ADM_F_PROFILE	1	/* takes PROFILE or --pid */
#define ADM_F_HIDDEN	2	/* not in the usage (tests and debugging) */
#define ADM_F_NOJSON	4	/* no -j */
#define ADM_F_NOCONFIG	8	/* -c FILE means nothing to it (accepted, not listed) */
#define ADM_F_ARG	16	/* takes an optional argument (help COMMAND) */
#define ADM_F_PROCESS	32	/* asks the monitor process: its maps are not opened */
#define ADM_F_NOROOT	64	/* needs neither root nor the configuration */

struct admin_opts;
struct admin_ctx;

/* An entry of the command table (admin.c's admin_cmds). */
struct admin_cmd {
	const char *name;
	int id;
	__u32 op;		/* enum ebph_cmd, 0 for the read-only commands */
	int flags;
	const char *usage;
	const char *summary;	/* lines after the first start with a tab */
	const char *options;	/* its own options, for its --help (or NULL) */
	/* Carry it out, once parsed: its exit status (0, 1, 2). */
	int (*run)(const struct admin_opts *o, struct admin_ctx *x);
	/* Or parse its own arguments and run (argv[0] is its name). */
	int (*main)(int argc, char **argv);
};

struct admin_opts {
	const struct admin_cmd *cmd;
	const char *config;	/* -c FILE: whose state_dir (offline, delete) */
	char *overrides[CFG_OVERRIDES_MAX];	/* -o KEY=VALUE */
	size_t noverrides;
	const char *target;	/* PROFILE: a path or DEV:INO; help: COMMAND */
	long pid;		/* --pid PID, 0 = none */
	int json;		/* -j */
	int threads;		/* ps -t */
	int dry_run;		/* prune --dry-run */
	int all;		/* release --all */
	int frozen;		/* normalize --frozen (or --stable-for) */
	__u64 stable_for;	/* normalize --stable-for: seconds frozen, at least */
	enum show_mode mode;	/* show: compact, --pairs, --diff */
	const char *svg;	/* show --svg FILE */
	int help;		/* -h */
};

/* The freeze rule a profile is measured against (the running monitor's,
 * else the configuration's). */
struct admin_rule {
	__u32 factor, den, min;
};

/* One profile as ebph profiles and ebph show list it. */
struct admin_prof {
	const struct store_profile *p;	/* counters, views, wall-clock times, path */
	__u64 rows, snapshot_rows;	/* pair rows it takes in the maps */
	const char *source;		/* "live" or "saved" */
	__s64 now;			/* wall ns */
	struct admin_rule rule;		/* for the PROGRESS column */
};

/* Longest thread name /proc shows, with its NUL (a kernel thread's is
 * longer than TASK_COMM_LEN). */
#define ADMIN_COMM_MAX	64

/* One monitored task (or process) as ebph ps lists it. */
struct admin_task {
	__u32 pid, tid, threads;
	const char *comm;
	const char *path;
	const struct ebph_key *key;	/* NULL: no profile */
	__u32 state;
	__u64 train_count, last_mod_count, anomalies;
	__u64 anomalies_total;	/* the profile's anomalies ever */
	__u32 lfc, lfc_max;
	__s64 normal_time, normal_since, now;	/* wall ns */
	__s64 last_anomaly;	/* wall ns, 0 = none */
	__u32 held;		/* response: 0, 1 HELD (a delay), 2 SUSPENDED (execve) */
	__s64 held_until;	/* wall ns */
	__s64 frozen_since;	/* wall ns, 0 = unknown */
	const struct admin_rule *rule;
};

/* What a steering command did to one profile. */
struct admin_change {
	const char *command;
	const struct ebph_key *key;
	const char *path;
	const char *source;	/* "live" or "saved" */
	__u32 old_state, state;	/* ADMIN_STATE_GONE: the saved file was deleted */
	__u64 old_train_count, train_count;
	int file;		/* delete: 1 removed, 0 there was none, -1 not touched */
	const char *unchanged;	/* why nothing changed (admin_unchanged), or NULL */
	__s64 now;
};

#define ADMIN_STATE_GONE 0xffffffffU

/* What admin_pin pins: the PROG_M_PIN entries of prog_maps[] (prog.h), the
 * maps the commands use and the command program; PROG_M_OPT ones only if
 * the program has them (task layouts differ). */
#define PIN_WANTED(i)	(prog_maps[i].flags & PROG_M_PIN)

/* The running monitor's maps and command program, from the pins. */
struct admin_live {
	pid_t pid;
	int fd[PROG_MAP_COUNT];	/* by enum prog_map; -1: not pinned, or a missing optional pin */
	int tasks_array;	/* tasks: an array indexed by tid & (slots - 1) + task storage */
	__u32 task_slots;	/* tasks: its max_entries */
	struct ebph_info info;
	struct maps_fds m;
};

/* A task and its TID, as collected from the tasks map. */
struct live_task {
	__u32 tid;
	__u32 pad;
	struct ebph_task t;
};

/* What a command runs against: the configuration (a running monitor's
 * state_dir and window win over -c), the monitor's PID (0: none runs) and
 * its maps (NULL: none runs, or ADM_F_PROCESS). */
struct admin_ctx {
	struct ebph_config cfg;
	pid_t pid;
	const struct admin_live *l;
};

/* Saved profiles, collected by store_load. */
struct saved_set {
	struct store_profile *p;
	size_t n, cap;
	const struct ebph_key *only;	/* keep only this key (NULL: all) */
};


/* key.c */
int target_key(const char *target, struct ebph_key *key);

/* view.c */
/* "3d4h", "2h5m", "4m10s", "12s": a duration in seconds, for text output. */
void admin_duration(char *buf, size_t len, __u64 secs);
void admin_json_head(FILE *f, const char *type, __s64 now);
void admin_profile_header(FILE *f);
void admin_profile_line(FILE *f, int json, const struct admin_prof *a);
int admin_show(FILE *f, const struct admin_opts *o, const struct admin_prof *a);
void admin_task_header(FILE *f, int threads);
void admin_task_line(FILE *f, int json, int threads, const struct admin_task *t);
void admin_change_line(FILE *f, int json, const struct admin_change *c);

/* saved.c */
void admin_saved_rows(const struct store_profile *p, __u64 *rows, __u64 *snap);
int admin_apply_saved(struct store_profile *p, __u32 op, __s64 now);
const char *admin_unchanged(const struct store_profile *p, __u32 op);
void saved_free(struct saved_set *s);
int saved_load(const struct ebph_config *cfg, const struct ebph_key *key,
	       struct saved_set *s);
int saved_target(const struct admin_opts *o, const struct ebph_config *cfg,
		 struct ebph_key *key, struct saved_set *s);

/* pin.c */
void pin_path(char *buf, size_t len, const char *name);

/* live.c */
void live_close(struct admin_live *l);
int live_open(struct admin_live *l, pid_t pid);
struct admin_rule admin_rule_of(const struct admin_live *l, const struct ebph_config *cfg);
__s64 now_wall(void);
__u64 now_boot(void);
struct ebph_profile *live_profile(const struct admin_live *l, __u32 slot);
void live_path(const struct admin_live *l, __u32 slot, char *buf);
int live_tasks(const struct admin_live *l, struct live_task **out, size_t *n);
int live_task(const struct admin_live *l, __u32 tid, struct ebph_task *t);
int live_read(const struct admin_live *l, __u32 slot, struct store_profile *p,
	      __u64 *rows, __u64 *snap);
int live_target(const struct admin_opts *o, const struct admin_live *l, __u32 *slot);
int live_command(const struct admin_live *l, __u32 op, __u32 slot);
int live_unchanged(const struct admin_live *l, __u32 slot, __u32 op, const char **why);
void admin_live_config(struct ebph_config *cfg, const struct admin_live *l,
		       const char *config);

/* inspect.c */
int cmd_ps(const struct admin_opts *o, struct admin_ctx *x);
int cmd_profiles(const struct admin_opts *o, struct admin_ctx *x);
int cmd_show(const struct admin_opts *o, struct admin_ctx *x);
int cmd_check(const struct admin_opts *o, struct admin_ctx *x);

/* steer.c */
int cmd_steer(const struct admin_opts *o, struct admin_ctx *x);
int cmd_prune(const struct admin_opts *o, struct admin_ctx *x);

/* request.c */
int cmd_release(const struct admin_opts *o, struct admin_ctx *x);
int cmd_save(const struct admin_opts *o, struct admin_ctx *x);

#endif
