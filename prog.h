/* SPDX-License-Identifier: GPL-2.0-only */
/* prog.h: compile the BPF program with libbcc, load, attach and detach it with libbpf. */
#ifndef EBPH_PROG_H
#define EBPH_PROG_H

#include <stddef.h>
#include <linux/types.h>

#include "bcc_api.h"

/* bcc_func_load gained a last argument, attach_type, after bcc 0.18 (gen/bcc_api.h
 * says which form the headers declare: scripts/probe-bcc.sh). */
#if EBPH_BCC_FUNC_LOAD_ARGS == 12
#define prog_func_load(...) bcc_func_load(__VA_ARGS__, 0)
#else
#define prog_func_load(...) bcc_func_load(__VA_ARGS__)
#endif

#define PROG_MAX_PROBES 8
#define PROG_MAX_COLD 8	/* >= EBPH_TC_COUNT */

struct ring_buffer;

struct ebph_prog {
	void *mod;			/* bcc module */
	int nprobes;
	int prog_fd[PROG_MAX_PROBES];
	int link_fd[PROG_MAX_PROBES];
	int tasks, profiles, keys, paths, rows, alloc, stats, events, info;	/* map fds */
	int edges;			/* map fd: the exec graph */
	int interps;			/* map fd: keys of the script interpreters */
	int loaders;			/* map fd: keys of the dynamic loaders */
	int cmd;			/* the command program (loaded, never attached) */
	int cold_fd[PROG_MAX_COLD];			/* the per-syscall program's cold parts (EBPH_TC_*) */
	struct ring_buffer *rb;
	__u64 map_bytes;		/* memory of all maps as sized */
	__u32 sys_exit_btf_id;		/* vmlinux BTF id of btf_trace_sys_exit, 0 = none */
	const char *uring_off;		/* why io_uring operations are not seen, NULL if seen */
	__u32 fork_btf_id;		/* ... of btf_trace_sched_process_fork, 0 = none */
	int fork_btf;			/* sched_process_fork is attached as tp_btf */
	int no_btf;			/* EBPH_NO_TP_BTF: raw tracepoints only (tests) */
};

/* Compile text (bcc prints compiler diagnostics on stderr). 0 or -errno. */
int prog_compile(struct ebph_prog *p, const char *text, char *err, size_t errlen);
/* Load every probe and attach it to its raw tracepoint; open the ring
 * buffer with cb. On failure everything attached so far is detached. */
int prog_attach(struct ebph_prog *p, int (*cb)(void *ctx, void *data, size_t size), void *ctx,
		char *err, size_t errlen);
/* Detach every probe (the maps, ring buffer and command program stay):
 * nothing changes the profiles afterwards but commands. */
void prog_detach(struct ebph_prog *p);
/* Detach and unload everything; safe on a partly set-up prog. */
void prog_close(struct ebph_prog *p);

#endif
