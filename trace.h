/* SPDX-License-Identifier: GPL-2.0-only */
/* trace.h: recorded system-call traces (strace -f -ttt, ADFA-LD, UNM, ebph
 * record) parsed into one stream of task events for replay.c. */
#ifndef EBPH_TRACE_H
#define EBPH_TRACE_H

#include <stddef.h>
#include <linux/types.h>

enum trace_format {
	TF_AUTO = 0,
	TF_STRACE,	/* strace -f -ttt [-o FILE] */
	TF_ADFA,	/* whitespace-separated numbers, one process (ADFA-LD) */
	TF_UNM,		/* "PID NUMBER" per line (UNM) */
	TF_EBPH,	/* ebph record */
};

enum trace_kind {
	TR_CALL = 1,	/* a system call completed: nr as the kernel takes it, ret */
	TR_SIG,		/* a signal delivered to a handler */
	TR_FORK,	/* tid created child (a) of process (b); same_mm in flags */
	TR_EXEC,	/* tid exec'd path (dev a, ino b; old tid in nr if not tid) */
	TR_EXIT,	/* tid exited */
	TR_LOST,	/* the recorder lost nr records here */
	TR_NOP,		/* nothing (a call's start line that forked nothing) */
};

#define TR_F_ONSTACK	1	/* TR_SIG: the action has SA_ONSTACK */
#define TR_F_RESTART	2	/* TR_SIG: the action has SA_RESTART */
#define TR_F_SAME_MM	4	/* TR_FORK: a thread or vfork: the parent's memory */

/* One event. Field use by kind in the comments of enum trace_kind; sp, a, b,
 * c are TR_CALL's stack pointer and TR_SIG's sp, ss_sp, ss_size. */
struct trace_ev {
	__u64 ts;		/* ns; 0 when the trace has no time */
	__s64 nr;
	__s64 ret;
	__u64 sp;
	__u64 a, b, c;
	__u32 tid;
	__u32 line;		/* line in the file, from 1 */
	__u32 kind;		/* enum trace_kind */
	__u32 flags;		/* TR_F_* */
	__u32 ss_flags;		/* TR_SIG: the alternate stack's flags */
	__u32 pad;
	char *path;		/* TR_EXEC: the program (malloc'd) */
};

struct trace {
	struct trace_ev *ev;
	size_t n, cap;
	int format;		/* enum trace_format, as parsed */
	int timed;		/* events carry times */
	int has_sp;		/* calls carry stack pointers (ebph record) */
	__u32 nr_syscalls;	/* ebph record: the recorder's alphabet, 0 = unknown */
};

/* Format named by s ("strace", "adfa", "unm", "ebph", "auto"), or -1. */
int trace_format_parse(const char *s);
const char *trace_format_name(int fmt);

/* The format of a trace from its first lines (TF_ADFA, TF_UNM, TF_STRACE or
 * TF_EBPH), or TF_AUTO if none fits. */
int trace_detect(const char *text, size_t len);

/*
 * Parse text (len bytes, need not end in a newline) in format fmt (TF_AUTO:
 * detect) into t (zeroed by the caller, freed with trace_free). 0, or
 * -EINVAL with "LINE: what" in err for the first malformed line.
 */
int trace_parse(struct trace *t, const char *text, size_t len, int fmt, char *err,
		size_t errlen);
void trace_free(struct trace *t);

/* The first line of ebph's recording format, up to the version. */
#define TRACE_EBPH_MAGIC	"# ebph-record 1"

#endif
