/* SPDX-License-Identifier: GPL-2.0-only */
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

/*
 * The alphabet of calls a window holds: the system calls by number
 * (0..EBPH_NR_SYSCALLS-1, the build machine's table rounded up), then
 * pseudo-calls for behaviour that is system-call-equivalent but is not a
 * system call number of this table:
 *   EBPH_CALL_INVALID      a system call whose number is outside the table
 *                          (negative or too large: the kernel refuses it with
 *                          -ENOSYS, but it was made and breaks the window)
 *   EBPH_CALL_URING + op   an io_uring operation op (IORING_OP_*) submitted
 *                          by the task; op >= EBPH_URING_OTHER, which no
 *                          kernel has yet, counts as EBPH_URING_OTHER
 */
#define EBPH_CALL_INVALID	(EBPH_NR_SYSCALLS)
#define EBPH_CALL_URING		(EBPH_NR_SYSCALLS + 1)
#define EBPH_URING_OPS		63
#define EBPH_URING_OTHER	(EBPH_URING_OPS - 1)	/* "io_uring:other" */
#define EBPH_NR_CALLS		(EBPH_CALL_URING + EBPH_URING_OPS)
/*
 * Windows per task: the interrupted code's (frame 0), then one per signal
 * handler running, up to EBPH_FRAMES - 1 nested handlers; handlers nested
 * deeper share the innermost frame (see struct ebph_sigframe). A power of 2.
 */
#define EBPH_FRAMES		4
/* No signal handler runs within this many bytes below the stack pointer it
 * interrupted: x86-64's red zone (the kernel skips it before building the
 * signal frame); arm64 has none but its signal frame is larger. */
#define EBPH_SIG_REDZONE	128
#define EBPH_LFC_MAX		128	/* longest locality frame */
#define EBPH_PATH_MAX		256	/* executable path kept per profile */
/* Profile scope (ebph(8) PROFILE SCOPE): the cgroup path hashed is its
 * lowest EBPH_CGROUP_DEPTH levels that fit in EBPH_CGROUP_MAX bytes. */
#define EBPH_CGROUP_MAX		512
#define EBPH_CGROUP_DEPTH	32
#define EBPH_COMM_LEN		16
#define EBPH_EMPTY		0xffff	/* empty window slot */
#define EBPH_NO_ROW		0	/* row index 0 is never allocated */
#define EBPH_ROW_BYTES		((EBPH_NR_CALLS + 7) & ~7)
#define EBPH_CALL_WORDS		((EBPH_NR_CALLS + 63) / 64)	/* bitmap of calls */

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
	EBPH_R_DELETE = 8,		/* delete: training, testing data and counters forgotten */
	EBPH_R_COUNT
};

/* Event kinds carried by the ring buffer. */
enum ebph_event_type {
	EBPH_EV_NEW_PROFILE = 1,
	EBPH_EV_ANOMALY = 2,
	EBPH_EV_PROFILE_STATE = 3,
	EBPH_EV_TOLERIZE_LIMIT = 4,
	EBPH_EV_ANOMALY_SUMMARY = 5,	/* a task's burst: exact counts */
	EBPH_EV_LOADER_EXEC = 6,	/* ld.so PROG: charged to PROG's profile */
	EBPH_EV_ANON_EXEC = 7,		/* exec of a file without a stable identity */
	EBPH_EV_EXEC = 8,		/* a task exec'd a program: its command line */
	EBPH_EV_PROFILE_REFUSED = 9,	/* an executable got no profile slot */
	EBPH_EV_ROWS_FULL = 10,		/* a profile could not learn a new row */
	EBPH_EV_EXEC_ANOMALY = 11,	/* a normal profile started a program it never started */
	EBPH_EV_EDGES_FULL = 12,	/* a profile's exec graph is full: an exec not learned */
	EBPH_EV_REPLACED = 15,		/* user space: a new file at an old profile's path */
	EBPH_EV_RESPONSE = 18,		/* a task's delay episode starts or ends (user space) */
	EBPH_EV_SUSPEND = 19,		/* a task's execve is held (user space) */
	EBPH_EV_RELEASE = 20,		/* a held task is let go (user space) */
	EBPH_EV_RESPONSE_FAILED = 21,	/* a task could not be acted on (user space) */
};

/* Who let a held task go (release events, field reason). */
enum ebph_release {
	EBPH_REL_TIMER = 0,	/* its time passed */
	EBPH_REL_OPERATOR = 1,	/* ebph release */
	EBPH_REL_EXIT = 2,	/* ebph exits */
	EBPH_REL_GONE = 3,	/* the task died */
	EBPH_REL_COUNT
};

/* How an execve of a task with lfc >= suspend_execve is stopped (suspend
 * events: field reason; ebph_info.exec_mode): see ebph(8) RESPONSE. */
enum ebph_exec_mode {
	EBPH_EXEC_HOLD = 0,	/* held with ptrace before the new program runs */
	EBPH_EXEC_REFUSE = 1,	/* refused with -EPERM by the BPF LSM program */
	EBPH_EXEC_OFF = 2,	/* neither: response off, or suspend_execve 0 */
};
#define EBPH_EXEC_WHY_MAX	256	/* bytes of ebph_info.exec_why */
#define EBPH_CONFIG_MAX		2048	/* bytes of ebph_info.config */

/* rows_full events: which limit (in ebph_event.reason) */
#define EBPH_FULL_CAP		1	/* the profile has max_rows_per_profile rows */
#define EBPH_FULL_POOL		2	/* the shared pool (max_rows) is used up */

/* Why an anomaly_summary was sent (event field reason). */
enum ebph_burst_end {
	EBPH_B_CALM = 0,	/* the locality frame emptied (lfc back to 0) */
	EBPH_B_EXIT = 1,	/* the task exited */
	EBPH_B_EXEC = 2,	/* the task exec'd another program */
	EBPH_B_INTERVAL = 3,	/* summary_interval passed: the burst goes on */
	EBPH_B_ANOMALY_LIMIT = 4,	/* anomaly_limit: the profile went back to training */
	EBPH_B_COUNT
};

/* Pseudo-identities of executables without a stable file (anon_exec): a
 * dev no kernel dev_t (32 bits) can be, and the kind as the inode. */
#define EBPH_ANON_DEV		(1ULL << 32)
#define EBPH_ANON_MEMFD		1	/* memfd_create */
#define EBPH_ANON_UNLINKED	2	/* deleted file, O_TMPFILE */

/* Task profile slot with this bit set: the task exec'd the dynamic loader
 * (slot in the low bits); the first executable file it maps names the
 * program that runs (EBPH_LOADER_CALLS calls at most). */
#define EBPH_LOADER_BIT		0x80000000U
#define EBPH_LOADER_CALLS	256

#define EBPH_NO_PROFILE		0xffffffffU	/* task without a profile slot */

/* Exec graph: the programs a profile starts (ebph(8) EXEC GRAPH), at most
 * EBPH_EDGES_MAX per profile, in the shared "edges" hash (max_edges). */
#define EBPH_EDGES_MAX		64

/* Profile flags set by the operator (struct ebph_profile pflags). */
#define EBPH_PF_NO_TOLERIZE	1	/* anomaly_limit never ends its normal monitoring */

/* new_profile flags */
#define EBPH_F_PATH_PARTIAL	1	/* path is only the file's name (task ran before ebph) */
/* anomaly flags */
#define EBPH_F_UNSEEN		2	/* the profile's testing data never saw this call */
/* exec flags */
#define EBPH_F_CMDLINE_CUT	4	/* the command line is longer than path[] */
/* response, suspend flags */
#define EBPH_F_LOG_ONLY		8	/* response: log: the action was not taken */
#define EBPH_F_LATE		16	/* suspend: held after the exec, not before it */

/* Counters in the per-CPU "stats" array. */
enum ebph_stat {
	EBPH_S_SYSCALLS = 0,	/* system calls processed (the tasks' counts, added per
				 * 64 calls and when a task's state is released) */
	EBPH_S_LOST_EVENTS,	/* ring buffer full */
	EBPH_S_TASKS_FULL,	/* tasks not monitored: their state could not be stored */
	EBPH_S_PROFILES_FULL,	/* execs refused a profile (no slot free or reclaimable) */
	EBPH_S_ROWS_FULL,	/* profiles refused a row (cap or pool), once per episode */
	EBPH_S_ANOMALIES,	/* anomalies detected */
	EBPH_S_NEW_TASKS,	/* task states created */
	EBPH_S_DEAD_TASKS,	/* task states released */
	EBPH_S_EDGES_FULL,	/* execs not learned: exec graph full */
	EBPH_S_RECLAIMED,	/* idle profiles whose slot and rows were reclaimed */
	EBPH_S_COUNT
};

/* Slots in the global "alloc" array (atomic allocators). */
enum ebph_alloc {
	EBPH_A_PROFILES = 0,	/* next free profile slot */
	EBPH_A_ROWS = 1,	/* next never-used row index (starts at 1) */
	EBPH_A_ROWS_USED = 2,	/* rows in use (allocated, not yet freed) */
	EBPH_A_HAND = 3,	/* where the next reclaim scan starts */
	EBPH_A_REFUSED_NS = 4,	/* boot-time ns the next profile_refused event is due */
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
	EBPH_CMD_SETTINGS = 6,	/* per-program settings: args[2] = normal_wait_ns (0 = the
				 * config's, EBPH_WAIT_NEVER = never normal) */
	EBPH_CMD_NO_TOLERIZE = 7,	/* set EBPH_PF_NO_TOLERIZE */
	EBPH_CMD_AUTO_TOLERIZE = 8,	/* clear it */
	EBPH_CMD_LIMITS = 9,	/* per-program limits (struct ebph_limits): args[2] = set,
				 * args[3..7] = anomaly_limit, tolerize_limit, alert_lfc,
				 * max_rows, anomaly_period_ns */
};

/* Arguments the command program reads (args[0..7]): every run passes them
 * all, as the kernel refuses a shorter context than the program reads. */
#define EBPH_CMD_ARGS		8

/* Which per-program limits of a profile are in force (struct ebph_limits set). */
#define EBPH_LIM_ANOMALY_LIMIT	1
#define EBPH_LIM_TOLERIZE_LIMIT	2
#define EBPH_LIM_ALERT_LFC	4
#define EBPH_LIM_MAX_ROWS	8
#define EBPH_LIM_ANOMALY_PERIOD	16

/*
 * A profile's own limits, from the programs entry matching its path (set by
 * the monitor with EBPH_CMD_LIMITS at new_profile; never saved): each one
 * whose EBPH_LIM_* bit is in set replaces the configuration's value for
 * this profile. Read only where the limit is checked (an anomaly, lfc above
 * 0, a new row), never on the per-call common path.
 */
struct ebph_limits {
	__u64 anomaly_period_ns;
	__u32 anomaly_limit;
	__u32 max_rows;		/* max_rows_per_profile */
	__u16 tolerize_limit;
	__u16 alert_lfc;	/* read by the monitor only (alert or notice) */
	__u32 set;		/* EBPH_LIM_* */
};

/* Bytes of the monitor's state_dir in its info (the config's limit). */
#define EBPH_STATE_DIR_MAX 4096
/* A profile's normal_wait_ns that never lets it become normal (ignore):
 * about 146 years, small enough to add to a boot or wall-clock time. */
#define EBPH_WAIT_NEVER		(1ULL << 62)

/*
 * The per-syscall program's rare paths, each a program of its own reached by
 * a tail call (index in the "cold" program array; prog.c loads them as the
 * same kind of program as sys_exit and fills the array by these indexes).
 * Append new ones before EBPH_TC_COUNT; keep the values.
 */
enum ebph_tail {
	EBPH_TC_SYS_EXIT = 0,	/* the per-syscall program itself (after ADOPT) */
	EBPH_TC_ADOPT = 1,	/* a task without a state: pending move, adoption */
	EBPH_TC_LOADER = 2,	/* a task running ld.so PROG (EBPH_LOADER_BIT) */
	EBPH_TC_CALL = 3,	/* a call whose pH step needs a new row */
	EBPH_TC_REPORT = 4,	/* events about a call (anomaly, state change, ...) */
	EBPH_TC_STEP = 5,	/* a call the per-syscall program does not take (no fast path) */
	EBPH_TC_COUNT
};

/* ebph_profile.refs: set while the slot is being reclaimed */
#define EBPH_REFS_DEAD		0x40000000U

/* ebph_profile.flags: a rows_full event was sent (until a row is granted) */
#define EBPH_PF_CAP_REPORTED	1
#define EBPH_PF_POOL_REPORTED	2
#define EBPH_PF_CAP_PENDING	4	/* refused at its cap: to report with this call */
#define EBPH_PF_POOL_PENDING	8	/* refused by the full pool: likewise */

/* The running monitor, in the one-entry "info" array (pinned for admin commands). */
struct ebph_info {
	__u64 pid;		/* the monitor's PID */
	__s64 boot_to_wall_ns;	/* add to boot-time ns for epoch ns */
	__u32 window;
	__u32 max_profiles;
	__u32 max_tasks;
	__u32 max_rows;
	__u32 nr_syscalls;	/* calls in the alphabet (EBPH_NR_CALLS) */
	__u32 lfc_window;
	char state_dir[EBPH_STATE_DIR_MAX];	/* the monitor's, for the commands */
	__u32 normal_factor;	/* the freeze rule, for progress in ps and profiles */
	__u32 normal_factor_den;
	__u32 min_train_calls;
	__u32 pad;
	__s64 started;		/* wall-clock ns the monitor started */
	__u32 response;		/* the response in force (0 off, 1 log, 2 act) */
	__u32 exec_mode;	/* enum ebph_exec_mode */
	char exec_why[EBPH_EXEC_WHY_MAX];	/* why that execve mode */
	char config[EBPH_CONFIG_MAX];	/* the configuration file, "" = none (cut to fit) */
};
/* struct ebph_info stays within 8 KiB: the single-instance check of every
 * ebph version reads the info value into a buffer of that size. */

/* A task held by the response, in the "held" hash by TID: written by the
 * monitor (user space) for ebph ps; no BPF program uses it. */
struct ebph_hold {
	__u64 until;		/* boot-time ns it is held until */
	__u32 kind;		/* 1: a delayed call, 2: a suspended execve */
	__u32 pid;
};
#define EBPH_HOLD_MAX		4096	/* tasks held at once, at most */

/* Identity of a profile: the executable's kernel dev_t (major << 20 | minor)
 * and inode; script and scope are 0 unless the profile is a script's
 * (see ebph(8) SCRIPTS) or scoped to a cgroup (PROFILE SCOPE). */
struct ebph_key {
	__u64 dev;
	__u64 ino;
	__u64 script;	/* identity of the script an interpreter runs, 0 = none */
	__u64 scope;	/* cgroup scope (stable across service restarts), 0 = none */
};

/* An edge of the exec graph: profile slot parent started the program child. */
struct ebph_edge_key {
	struct ebph_key child;
	__u32 parent;
	__u32 pad;
};

/* Its views, copy-on-write like a row's (see ph.h): in the training data
 * while tgen is the profile's; in the testing data per ph_edge_tested. */
struct ebph_edge {
	__u32 tgen;
	__u32 ngen;
	__u32 test;	/* testing view at normalisation ngen */
	__u32 pad;
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
	__u32 test;	/* snapshot row; with call, one 8-aligned word (ph.h ph_claim) */
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
	__u64 anomalies_total;	/* anomalies ever (never reset by pH's limits) */
	__u64 last_anomaly;	/* boot-time ns of the last anomaly, 0 = none */
	__u64 anomalies_lost;	/* anomalies in neither a line nor a summary (ring full) */
	__u64 events_lost;	/* events about it that did not fit the ring buffer */
	__u64 frozen_since;	/* frozen: boot-time ns when it froze */
	__u64 normal_wait_ns;	/* per-program normal_wait, 0 = the config's (set by
				 * user space at new_profile: EBPH_CMD_SETTINGS) */
	__u64 last_used;	/* boot-time ns of the last exec of it (0: not this run) */
	__u64 refs;		/* tasks using it (+ EBPH_REFS_DEAD while reclaimed) */
	__u32 flags;		/* EBPH_PF_CAP_*, EBPH_PF_POOL_* (rows_full reports; this run only) */
	__u32 pad;
	__u32 state;		/* enum ebph_state */
	__u32 tgen;		/* training epoch (bumped by a reset) */
	__u32 ngen;		/* normalisation count (bumped when normalised) */
	__u32 ngen_tgen;	/* tgen in force at the last normalisation */
	__u32 nrows;		/* training rows allocated */
	__u32 ntest;		/* snapshot rows allocated */
	__u32 nedges;		/* exec-graph edges allocated */
	__u32 pflags;		/* EBPH_PF_NO_TOLERIZE (saved with the profile) */
	__u64 episodes;		/* anomalous episodes since it became normal */
	__u64 episode_first;	/* boot ns of the first of them */
	__u64 edges_full;	/* execs not learned: its exec graph was full */
	struct ebph_limits lim;	/* per-program limits (EBPH_CMD_LIMITS) */
	__u16 rows[EBPH_ROW_BYTES];	/* row index per current call, 0 = none; 8-aligned:
					 * set by a 64-bit compare-and-exchange (ph.h) */
};

/* Recent calls of one window, u16 each, newest in the low bits of h[0]. */
struct ebph_hist {
	__u64 h[2];
};

/*
 * Where the handler of frame d (1..EBPH_FRAMES-1) runs, recorded when its
 * signal is delivered: its calls are made at a stack pointer in [lo, hi),
 * below the stack pointer it interrupted (hi = sp - EBPH_SIG_REDZONE, lo
 * that of the frame it interrupted when it runs inside it, else 0), or on
 * the alternate signal stack it switched to (lo, hi = its bounds). A call
 * made outside [lo, hi) means the handler has returned or was left with
 * siglongjmp: its window is dropped (ph_sig_leave in ph.h).
 */
struct ebph_sigframe {
	__u64 sp;	/* user stack pointer it interrupted: rt_sigreturn restores it */
	__u64 lo;
	__u64 hi;
};

/* Per-thread state: in the "tasks" array at slot tid & (slots - 1) when that
 * slot is free or its own, else in task-local storage ("tstore"). */
/*
 * A window the per-syscall path found complete: every pair that window
 * (h, the calls before) forms with call is in the task's profile, at the
 * epoch the task's memo tag names (ph.h: ph_memo_hit).
 */
#define EBPH_MEMO		16	/* windows remembered per task (a power of 2) */
#define EBPH_MEMO_VALID		0x10000	/* in call: the entry is set */
struct ebph_memo {
	__u64 h[2];		/* struct ebph_hist's words */
	__u32 call;		/* the call | EBPH_MEMO_VALID, 0 if unset */
	__u32 pad;
	__u64 pad2;		/* 32 bytes: an entry never spans two cache lines */
};

struct ebph_task {
	/* what the per-syscall fast path reads: one cache line with frame[0] */
	__u32 tid;		/* owner of this slot of the tasks array, 0 = free */
	__u32 profile;		/* profile slot */
	__u64 count;		/* calls seen by this task */
	__u16 depth;		/* current frame */
	__u16 lfc;		/* anomalies in the locality frame */
	__u16 restart_code;	/* -ret of that call (512..516), 0 if none */
	__u16 over_tolerize;	/* lfc is above tolerize_limit (report once) */
	/* Windows known to be complete (ph.h: ph_memo_hit), valid while the
	 * task's profile is memo_slot in training epoch memo_tgen */
	__u32 memo_slot;
	__u32 memo_tgen;
	struct ebph_hist frame[EBPH_FRAMES];	/* window stack (signals) */
	struct ebph_sigframe sig[EBPH_FRAMES];	/* sig[d]: handler of frame d (d >= 1) */
	__u64 lf[EBPH_LFC_MAX / 64];	/* locality frame: 1 = anomalous call */
	__u32 pid;		/* thread group id */
	__s32 restart_nr;	/* call that returned -ERESTART*, or -1 */
	__u16 lfc_max;		/* highest lfc seen */
	__u16 lf_pos;		/* next locality frame slot */
	__u16 over;		/* handlers nested beyond the top frame, sharing it */
	__u16 loader_calls;	/* calls since the exec of the dynamic loader */
	__u32 burst_count;	/* anomalies since burst_since (the burst's span) */
	__u32 burst_lines;	/* anomaly events sent in the whole burst */
	__u64 burst_since;	/* boot ns of the span's first anomaly */
	__u64 burst_calls[EBPH_CALL_WORDS];	/* anomalous calls of the span */
	__u32 burst_shown;	/* anomaly events sent in this span */
	__u32 burst_lost;	/* anomaly events of the span that did not fit */
	__u16 burst_lfc;	/* highest lfc of the span */
	__u16 pad;
	__u32 pad2;
	__u64 pad3[7];		/* the memo starts on a cache line */
	struct ebph_memo memo[EBPH_MEMO];
};

/* Everything that crosses the ring buffer. Fields unused by a type are 0. */
struct ebph_event {
	__u64 ts;		/* bpf_ktime_get_boot_ns() */
	__u64 dev;		/* profile key */
	__u64 ino;
	__u64 count;		/* anomaly: the profile's anomalies; state: train_count;
				 * summary: anomalies of the span */
	__u64 since;		/* summary: boot ns of the span's first anomaly */
	__u64 cgroup;		/* cgroup v2 id of the task (the cgroup directory's inode) */
	__u32 type;		/* enum ebph_event_type */
	__u32 pid;
	__u32 tid;
	__u32 ppid;		/* the process's parent (real_parent's thread group id) */
	__u32 profile;		/* profile slot */
	__u32 syscall;		/* anomaly: the call */
	__u32 misses;		/* anomaly: absent pairs */
	__u32 lfc;		/* anomaly, tolerize_limit; summary: highest lfc;
				 * exec: the task's lfc before it */
	__u32 state;		/* profile_state: the new state */
	__u32 reason;		/* profile_state: enum ebph_reason; summary: ebph_burst_end */
	__u32 flags;		/* new_profile: EBPH_F_*; anomaly: EBPH_F_UNSEEN; anon_exec: EBPH_ANON_* */
	__u32 missing;		/* anomaly: bit d-1 set when the pair with the call d back was absent */
	__u32 uid;		/* real uid of the task */
	__u32 shown;		/* summary: anomaly events sent in the span */
	__u32 lost;		/* summary: anomaly events of the span not delivered */
	__u32 login_uid;	/* the task's audit login uid, 0xffffffff if unset or unknown */
	struct ebph_key child;	/* exec_anomaly, edges_full: the program started */
	__u32 child_profile;	/* its profile slot */
	__u32 edges;		/* exec_anomaly, edges_full: edges the profile has */
	__u64 script;		/* the profile key's script (0: none) */
	__u64 scope;		/* the profile key's cgroup scope (0: none) */
	__u64 calls[EBPH_CALL_WORDS];	/* summary: the anomalous calls */
	__u16 seq[EBPH_WINDOW_MAX + 1];	/* anomaly: window, oldest first, EBPH_EMPTY pads */
	__u32 seq_len;
	char comm[EBPH_COMM_LEN];
	char path[EBPH_PATH_MAX];	/* new_profile; loader_exec, anon_exec: the file's name;
					 * exec: the command line (arguments NUL-separated) */
};

#endif /* EBPH_H */
