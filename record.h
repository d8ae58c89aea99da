/* SPDX-License-Identifier: GPL-2.0-only */
/* record.h: ebph record's records, shared by record.c and the BPF program
 * record.bpf.c.in (spliced in: no #include). */
#ifndef EBPH_RECORD_H
#define EBPH_RECORD_H

enum rec_kind {
	REC_CALL = 'c',
	REC_SIG = 's',
	REC_FORK = 'f',
	REC_EXEC = 'x',
	REC_EXIT = 'e',
};

/* targets map values */
#define REC_ON		1	/* recorded */
#define REC_AT_EXEC	2	/* recorded from its next exec on (-- CMD) */

/* One record of the ring buffer; exec records carry path[] after it. */
struct rec_ev {
	__u64 ts;		/* bpf_ktime_get_boot_ns() */
	__s64 a, b, c, d, e;	/* call: nr, ret, sp; sig: sp, flags, ss_sp, ss_size,
				 * ss_flags; fork: child tid, child pid, same mm;
				 * exec: old tid, dev, ino */
	__u32 tid;
	__u32 kind;		/* enum rec_kind */
};

#define REC_PATH_MAX	256

struct rec_exec {
	struct rec_ev ev;
	char path[REC_PATH_MAX];
};

/* The process name -n matches at exec (REC_COMM_LEN with the NUL). */
#define REC_COMM_LEN	16
struct rec_match {
	char comm[REC_COMM_LEN];
	__u32 on;
	__u32 pad;
};

#endif
