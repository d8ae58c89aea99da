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

/* Flags of an entry of PROG_MAPS. */
#define PROG_M_PIN	1	/* pinned for the sub-commands (admin.c), file name = name */
#define PROG_M_OPT	2	/* may be missing (in the program, or a running monitor's pins) */
#define PROG_M_PROG	4	/* a program, loaded by prog_attach, not a map */

/*
 * The one list of the BPF maps (and the command program) user space uses:
 * X(NAME, name, flags, key size, value size), sizes in bytes as the C
 * structs of ebph.h give them, 0 for not checked. It makes struct
 * ebph_prog's fd fields, enum prog_map and prog_maps[]: prog_compile finds
 * the maps by name, admin.c pins the PROG_M_PIN ones and checks a running
 * monitor's pins against the sizes. The sizes use ebph.h: expand it after
 * including ebph.h.
 */
#define PROG_MAPS(X)									\
	X(TASKS, tasks, PROG_M_PIN, sizeof(__u32), sizeof(struct ebph_task))		\
	X(PROFILES, profiles, PROG_M_PIN, sizeof(__u32), sizeof(struct ebph_profile))	\
	X(KEYS, keys, PROG_M_PIN, sizeof(struct ebph_key), sizeof(__u32))		\
	X(PATHS, paths, PROG_M_PIN, sizeof(__u32), EBPH_PATH_MAX)			\
	X(ROWS, rows, PROG_M_PIN, sizeof(__u32), sizeof(struct ebph_row))		\
	X(ALLOC, alloc, PROG_M_PIN, sizeof(__u32), sizeof(__u64))			\
	X(STATS, stats, PROG_M_PIN, 0, 0)						\
	X(INFO, info, PROG_M_PIN, sizeof(__u32), sizeof(struct ebph_info))		\
	X(CMD, cmd, PROG_M_PIN | PROG_M_PROG, 0, 0)	/* loaded, never attached */	\
	X(TSTORE, tstore, PROG_M_PIN | PROG_M_OPT, sizeof(__u32), sizeof(struct ebph_task)) \
	X(HELD, held, PROG_M_PIN | PROG_M_OPT, 0, 0)					\
	X(EVENTS, events, 0, 0, 0)							\
	X(EDGES, edges, 0, 0, 0)			/* the exec graph */		\
	X(INTERPS, interps, 0, 0, 0)	/* keys of the script interpreters */	\
	X(LOADERS, loaders, 0, 0, 0)	/* keys of the dynamic loaders */	\
	X(COLD, cold, 0, 0, 0)		/* the per-syscall program's cold parts */

#define PROG_MAP_ENUM(NAME, name, flags, key, value) PROG_MAP_##NAME,
enum prog_map { PROG_MAPS(PROG_MAP_ENUM) PROG_MAP_COUNT };
#undef PROG_MAP_ENUM

struct prog_map_info {
	const char *name;	/* in the BPF text; also the pin's file name */
	unsigned int flags;	/* PROG_M_* */
	size_t off;		/* of its fd in struct ebph_prog */
	__u32 key, value;	/* sizes in bytes, 0: not checked */
};

/* PROG_MAPS as a table, indexed by enum prog_map. */
extern const struct prog_map_info prog_maps[PROG_MAP_COUNT];

struct ring_buffer;

#define PROG_MAP_FD(NAME, name, flags, key, value) int name;

struct ebph_prog {
	void *mod;			/* bcc module */
	int nprobes;
	int prog_fd[PROG_MAX_PROBES];
	int link_fd[PROG_MAX_PROBES];
	PROG_MAPS(PROG_MAP_FD)		/* fds of the maps (-1: missing) and the command program */
	int cold_fd[PROG_MAX_COLD];			/* the per-syscall program's cold parts (EBPH_TC_*) */
	struct ring_buffer *rb;
	__u64 map_bytes;		/* memory of all maps as sized */
	__u32 sys_exit_btf_id;		/* vmlinux BTF id of btf_trace_sys_exit, 0 = none */
	const char *uring_off;		/* why io_uring operations are not seen, NULL if seen */
	__u32 fork_btf_id;		/* ... of btf_trace_sched_process_fork, 0 = none */
	int fork_btf;			/* sched_process_fork is attached as tp_btf */
	int no_btf;			/* EBPH_NO_TP_BTF: raw tracepoints only (tests) */
};

#undef PROG_MAP_FD

/* The fd of entry i (enum prog_map) of p, -1 if missing. */
static inline int prog_map_fd(const struct ebph_prog *p, unsigned int i)
{
	return *(const int *)((const char *)p + prog_maps[i].off);
}

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
