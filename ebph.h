/* ebph.h: the only definitions shared by user space and the BPF program. */
#ifndef EBPH_H
#define EBPH_H

/*
 * No #include here: this text is spliced into the BPF program as it is.
 * EBPH_NR_SYSCALLS (size of the syscall alphabet) must be defined first:
 * by gen/syscalls.h in user space, by the template filler in BPF.
 */
#ifndef EBPH_NR_SYSCALLS
#error "EBPH_NR_SYSCALLS must be defined before ebph.h"
#endif

#define EBPH_WINDOW_MAX		9	/* longest window: 8 previous calls */
#define EBPH_FRAMES		4	/* signal-handler window stack depth */
#define EBPH_LFC_MAX		128	/* longest locality frame */
#define EBPH_PATH_MAX		256	/* executable path kept per profile */
#define EBPH_COMM_LEN		16
#define EBPH_EMPTY		0xffff	/* empty window slot */
#define EBPH_NO_ROW		0	/* row index 0 is never allocated */
#define EBPH_ROW_BYTES		((EBPH_NR_SYSCALLS + 7) & ~7)
#define EBPH_ROWS_MAX		65535	/* row indices are 16 bits */

/* Profile states. */
enum ebph_state {
	EBPH_TRAINING = 0,
	EBPH_FROZEN = 1,
	EBPH_NORMAL = 2,
};

/* Why a profile changed state (profile_state events). */
enum ebph_reason {
	EBPH_R_STABLE = 0,		/* training -> frozen */
	EBPH_R_NORMAL_WAIT = 1,		/* frozen -> normal */
	EBPH_R_NEW_BEHAVIOUR = 2,	/* frozen -> training */
	EBPH_R_ANOMALY_LIMIT = 3,	/* normal -> training */
	EBPH_R_TOLERIZE_LIMIT = 4,	/* training data reset */
	EBPH_R_NORMALIZE = 5,		/* operator commands */
	EBPH_R_SENSITIZE = 6,
	EBPH_R_TOLERIZE = 7,
	EBPH_R_LOADED = 8,		/* restored from state_dir */
	EBPH_R_COUNT
};

/* Event kinds carried by the ring buffer. */
enum ebph_event_type {
	EBPH_EV_NEW_PROFILE = 1,
	EBPH_EV_ANOMALY = 2,
	EBPH_EV_PROFILE_STATE = 3,
	EBPH_EV_TOLERIZE_LIMIT = 4,
	EBPH_EV_PROFILE_REFUSED = 5,	/* an executable got no profile slot */
	EBPH_EV_ROWS_FULL = 6,		/* a profile could not learn a new row */
};

/* rows_full events: which limit (in ebph_event.reason) */
#define EBPH_FULL_CAP		1	/* the profile has max_rows_per_profile rows */
#define EBPH_FULL_POOL		2	/* the shared pool (max_rows) is used up */

#define EBPH_NO_PROFILE		0xffffffffU	/* task without a profile slot */

/* new_profile flags */
#define EBPH_F_PATH_PARTIAL	1	/* path is only the file's name (task ran before ebph) */

/* Counters in the per-CPU "stats" array. */
enum ebph_stat {
	EBPH_S_SYSCALLS = 0,	/* system calls processed */
	EBPH_S_LOST_EVENTS,	/* ring buffer full */
	EBPH_S_TASKS_FULL,	/* tasks not monitored: their state could not be stored */
	EBPH_S_PROFILES_FULL,	/* execs refused a profile (no slot free or reclaimable) */
	EBPH_S_ROWS_FULL,	/* profiles refused a row (cap or pool), once per episode */
	EBPH_S_ANOMALIES,	/* anomalies detected */
	EBPH_S_NEW_TASKS,	/* task states created */
	EBPH_S_DEAD_TASKS,	/* task states released */
	EBPH_S_RECLAIMED,	/* idle profiles whose slot and rows were reclaimed */
	EBPH_S_COUNT
};

/* Slots in the global "alloc" array (atomic allocators). */
enum ebph_alloc {
	EBPH_A_PROFILES = 0,	/* next free profile slot */
	EBPH_A_ROWS = 1,	/* next never-used row index (starts at 1) */
	EBPH_A_ROWS_USED = 2,	/* rows in use (allocated, not yet freed) */
	EBPH_A_HAND = 3,	/* where the next reclaim scan starts */
	EBPH_A_REFUSED_NS = 4,	/* boot-time ns of the last profile_refused event */
	EBPH_A_COUNT
};

/* Operator commands, carried out by the BPF program's command entry point
 * (a raw tracepoint program run with BPF_PROG_TEST_RUN, args[0] = op,
 * args[1] = profile slot); it returns 0 or -errno. */
enum ebph_cmd {
	EBPH_CMD_NORMALIZE = 1,	/* start normal monitoring now */
	EBPH_CMD_SENSITIZE = 2,	/* forget the training data */
	EBPH_CMD_TOLERIZE = 3,	/* stop normal monitoring */
	EBPH_CMD_FORGET = 4,	/* delete: forget training and testing data and counters */
	EBPH_CMD_RECLAIM = 5,	/* free an idle training profile's slot and rows */
};

/* ebph_profile.refs: set while the slot is being reclaimed */
#define EBPH_REFS_DEAD		0x40000000U

/* ebph_profile.flags: a rows_full event was sent (until a row is granted) */
#define EBPH_PF_CAP_REPORTED	1
#define EBPH_PF_POOL_REPORTED	2

/* The running monitor, in the one-entry "info" array (pinned for admin commands). */
struct ebph_info {
	__u64 pid;		/* the monitor's PID */
	__s64 boot_to_wall_ns;	/* add to boot-time ns for epoch ns */
	__u32 window;
	__u32 max_profiles;
	__u32 max_tasks;
	__u32 max_rows;
	__u32 nr_syscalls;
	__u32 lfc_window;
};

/* Identity of an executable: kernel dev_t (major << 20 | minor) and inode. */
struct ebph_key {
	__u64 dev;
	__u64 ino;
};

/*
 * One row of lookahead pairs: bits[p] bit d-1 set <=> call p was seen d calls
 * before the row's call. Rows are copy-on-write against two generations of
 * their profile (see ph.h): tgen names the training epoch the bits belong to,
 * ngen the normalisation after which the row was first written, and test the
 * row holding the bits it had at that normalisation.
 */
struct ebph_row {
	__u32 tgen;
	__u32 ngen;
	__u32 test;
	__u32 call;
	__u8 bits[EBPH_ROW_BYTES];
};

/* A profile: one per executable, in the "profiles" array, indexed by slot. */
struct ebph_profile {
	struct ebph_key key;
	__u64 train_count;	/* calls seen while training */
	__u64 last_mod_count;	/* calls since the training data changed */
	__u64 sequences;	/* times the training data changed */
	__u64 normal_time;	/* frozen: boot-time ns when it becomes normal */
	__u64 normal_since;	/* normal: boot-time ns when it became normal */
	__u64 anomalies;	/* anomalies since it became normal */
	__u64 last_used;	/* boot-time ns of the last exec of it (0: not this run) */
	__u64 refs;		/* tasks using it (+ EBPH_REFS_DEAD while reclaimed) */
	__u32 flags;		/* EBPH_PF_* */
	__u32 pad;
	__u32 state;		/* enum ebph_state */
	__u32 tgen;		/* training epoch (bumped by a reset) */
	__u32 ngen;		/* normalisation count (bumped when normalised) */
	__u32 ngen_tgen;	/* tgen in force at the last normalisation */
	__u32 nrows;		/* training rows allocated */
	__u32 ntest;		/* snapshot rows allocated */
	__u16 rows[EBPH_ROW_BYTES];	/* row index per current call, 0 = none */
};

/* Recent calls of one window, u16 each, newest in the low bits of h[0]. */
struct ebph_hist {
	__u64 h[2];
};

/* Per-thread state: in the "tasks" array at slot tid & (slots - 1) when that
 * slot is free or its own, else in task-local storage ("tstore"). */
struct ebph_task {
	struct ebph_hist frame[EBPH_FRAMES];	/* window stack (signals) */
	__u64 lf[EBPH_LFC_MAX / 64];	/* locality frame: 1 = anomalous call */
	__u64 count;		/* calls seen by this task */
	__u32 profile;		/* profile slot */
	__u32 pid;		/* thread group id */
	__s32 restart_nr;	/* call that returned -ERESTART*, or -1 */
	__u16 depth;		/* current frame */
	__u16 lfc;		/* anomalies in the locality frame */
	__u16 lfc_max;		/* highest lfc seen */
	__u16 lf_pos;		/* next locality frame slot */
	__u16 over_tolerize;	/* lfc is above tolerize_limit (report once) */
	__u16 restart_code;	/* -ret of that call (512..516), 0 if none */
	__u32 tid;		/* owner of this slot of the tasks array, 0 = free */
	__u32 pad;
};

/* Everything that crosses the ring buffer. Fields unused by a type are 0. */
struct ebph_event {
	__u64 ts;		/* bpf_ktime_get_boot_ns() */
	__u64 dev;		/* profile key */
	__u64 ino;
	__u64 count;		/* anomaly: the profile's anomalies; state: train_count */
	__u32 type;		/* enum ebph_event_type */
	__u32 pid;
	__u32 tid;
	__u32 profile;		/* profile slot */
	__u32 syscall;		/* anomaly: the call */
	__u32 misses;		/* anomaly: absent pairs */
	__u32 lfc;		/* anomaly, tolerize_limit */
	__u32 state;		/* profile_state: the new state */
	__u32 reason;		/* profile_state: enum ebph_reason */
	__u32 flags;		/* new_profile: EBPH_F_* */
	__u16 seq[EBPH_WINDOW_MAX + 1];	/* anomaly: window, oldest first, EBPH_EMPTY pads */
	__u32 seq_len;
	char comm[EBPH_COMM_LEN];
	char path[EBPH_PATH_MAX];	/* new_profile only */
};

#endif /* EBPH_H */
