/* SPDX-License-Identifier: GPL-2.0-only */
/* prog.c: the BPF side's life cycle: compile the filled text with libbcc's
 * C API, load and attach the tracepoints with libbpf, find the maps, detach. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#if __has_include(<bpf/libbpf_version.h>)
#include <bpf/libbpf_version.h>
#endif

#include "syscalls.h"
#include "ebph.h"
#include "prog.h"

#define PROG_MAP_ROW(NAME, name, flags, key, value) \
	[PROG_MAP_##NAME] = { #name, flags, offsetof(struct ebph_prog, name), key, value },
const struct prog_map_info prog_maps[PROG_MAP_COUNT] = { PROG_MAPS(PROG_MAP_ROW) };
#undef PROG_MAP_ROW

static const struct {
	const char *fn;		/* function bcc generates for RAW_TRACEPOINT_PROBE */
	const char *tp;		/* raw tracepoint */
} probes[] = {
	{ "raw_tracepoint__sched_process_fork", "sched_process_fork" },
	{ "raw_tracepoint__sched_process_exec", "sched_process_exec" },
	{ "raw_tracepoint__sched_process_exit", "sched_process_exit" },
	{ "raw_tracepoint__signal_deliver", "signal_deliver" },
};

/* EBPH_VERIFIER_STATS=1 in the environment: print the verifier's summary
 * of every program loaded (developer notes in README.md). */
static int prog_stats_wanted(void)
{
	const char *v = getenv("EBPH_VERIFIER_STATS");

	return v && *v && strcmp(v, "0");
}

#define PROG_LOG_SIZE (1 << 16)

/*
 * BPF_PROG_LOAD of n instructions through libbpf: bpf_prog_load from libbpf
 * 0.7, bpf_load_program_xattr before (Debian 11). With level 0 libbpf asks
 * the kernel for the verifier's log (level 1, into log) only if it refuses
 * the program. Returns the fd, or a negative value with errno set.
 */
static int prog_load_insns(struct ebph_prog *p, const struct bpf_insn *insns, size_t n,
			   const char *name, __u32 btf_id, char *log, __u32 level)
{
	enum bpf_prog_type type = btf_id ? BPF_PROG_TYPE_TRACING : BPF_PROG_TYPE_RAW_TRACEPOINT;
	enum bpf_attach_type attach = btf_id ? BPF_TRACE_RAW_TP : 0;
#if defined(LIBBPF_MAJOR_VERSION) && (LIBBPF_MAJOR_VERSION > 0 || LIBBPF_MINOR_VERSION >= 7)
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = attach,
		    .attach_btf_id = btf_id, .kern_version = bpf_module_kern_version(p->mod),
		    .log_buf = log, .log_size = PROG_LOG_SIZE, .log_level = level);

	return bpf_prog_load(type, name, bpf_module_license(p->mod), insns, n, &o);
#else
	struct bpf_load_program_attr a = {
		.prog_type = type, .expected_attach_type = attach, .name = name,
		.insns = insns, .insns_cnt = n, .license = bpf_module_license(p->mod),
		.log_level = level,
	};

	if (btf_id)
		a.attach_btf_id = btf_id;
	else
		a.kern_version = bpf_module_kern_version(p->mod);
	return bpf_load_program_xattr(&a, log, PROG_LOG_SIZE);
#endif
}

/*
 * Load function fn of the module as a program: as a BTF-typed raw
 * tracepoint (tp_btf) of the tracepoint whose btf_trace_* type is btf_id,
 * or as a plain raw tracepoint if btf_id is 0. bcc's compiled instructions
 * go to libbpf (bcc's loader cannot do tp_btf: it looks up the wrong BTF
 * name). Returns the fd, or -1 with errno set; if the kernel refuses, the
 * verifier's last lines go to stderr.
 */
static int prog_load(struct ebph_prog *p, const char *fn, const char *name, __u32 btf_id)
{
	static char log[PROG_LOG_SIZE];
	const struct bpf_insn *insns = bpf_function_start(p->mod, fn);
	size_t n = bpf_function_size(p->mod, fn) / sizeof(struct bpf_insn);
	int stats = prog_stats_wanted();
	const char *tail;
	int fd, e, lines = 0;

	if (!insns) {
		errno = ENOENT;
		return -1;
	}
	log[0] = 0;
	/* BPF_LOG_STATS (4): the verifier's summary only */
	fd = prog_load_insns(p, insns, n, name, btf_id, log, stats ? 4 : 0);
	if (fd >= 0 && stats) {
		tail = strstr(log, "processed ");
		fprintf(stderr, "ebph: verifier: %s (%s, %zu insns): %.*s\n", name,
			btf_id ? "tp_btf" : "raw_tp", n,
			tail ? (int)strcspn(tail, "\n") : 0, tail ? tail : "");
	}
	if (fd < 0 && stats) {
		/* once more for the refusal's log */
		log[0] = 0;
		fd = prog_load_insns(p, insns, n, name, btf_id, log, 0);
	}
	if (fd >= 0)
		return fd;
	e = errno;
	if (log[0]) {
		for (tail = log + strlen(log); tail > log && lines < 4; )
			lines += *--tail == '\n';
		fprintf(stderr, "ebph: %s refused as a %s (%s, %zu insns):%s\n", fn,
			btf_id ? "BTF-typed tracepoint" : "raw tracepoint", strerror(e), n, tail);
	}
	errno = e;
	return -1;
}

/* Attach a loaded program to raw tracepoint tp (NULL: its tp_btf target).
 * The link fd, or -1 (errno set). */
static int prog_link(int fd, const char *tp)
{
	int link = bpf_raw_tracepoint_open(tp, fd);

	return link < 0 ? -1 : link;
}

/*
 * Load and attach a program as a BTF-typed raw tracepoint (see prog_load).
 * Returns the link fd and sets *prog_fd, or -1 (errno set) if the kernel
 * refuses.
 */
static int prog_attach_btf(struct ebph_prog *p, const char *fn, __u32 btf_id, const char *name,
			   int *prog_fd)
{
	int fd, link, e;

	if (!btf_id || p->no_btf) {
		errno = ENOENT;
		return -1;
	}
	fd = prog_load(p, fn, name, btf_id);
	if (fd < 0)
		return -1;
	link = prog_link(fd, NULL);
	if (link < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	*prog_fd = fd;
	return link;
}

int prog_compile(struct ebph_prog *p, const char *text, char *err, size_t errlen)
{
	size_t i, n;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < PROG_MAX_PROBES; i++)
		p->prog_fd[i] = p->link_fd[i] = -1;
	for (i = 0; i < EBPH_TC_COUNT; i++)
		p->cold_fd[i] = -1;
	for (i = 0; i < PROG_MAP_COUNT; i++)
		*(int *)((char *)p + prog_maps[i].off) = -1;
	p->mod = bpf_module_create_c_from_string(text, 0, NULL, 0, true, NULL);
	if (!p->mod) {
		snprintf(err, errlen, "cannot compile the BPF program (see the compiler's "
			 "messages above; `ebph --ebpf` prints the program)");
		return -EINVAL;
	}
	n = bpf_num_tables(p->mod);
	for (i = 0; i < n; i++) {
		size_t entries = bpf_table_max_entries_id(p->mod, i);
		size_t key = bpf_table_key_size_id(p->mod, i);
		size_t leaf = bpf_table_leaf_size_id(p->mod, i);
		int type = bpf_table_type_id(p->mod, i);

		if (type == BPF_MAP_TYPE_RINGBUF)
			p->map_bytes += entries;
		else if (type == BPF_MAP_TYPE_PERCPU_ARRAY)
			p->map_bytes += entries * leaf * libbpf_num_possible_cpus();
		else
			p->map_bytes += entries * (key + leaf);
	}
	for (i = 0; i < PROG_MAP_COUNT; i++) {
		int *fd = (int *)((char *)p + prog_maps[i].off);

		if (prog_maps[i].flags & PROG_M_PROG)
			continue;
		*fd = bpf_table_fd(p->mod, prog_maps[i].name);
		if (*fd < 0 && !(prog_maps[i].flags & PROG_M_OPT)) {
			snprintf(err, errlen, "BPF program lacks its map %s", prog_maps[i].name);
			return -EINVAL;
		}
	}
	return 0;
}

/* Load one raw tracepoint program of the module; fd or -1 (err says why). */
static int prog_load_fn(struct ebph_prog *p, const char *fn, char *err, size_t errlen)
{
	const char *name = strncmp(fn, "raw_tracepoint__", 16) ? fn : fn + 16;
	int fd = prog_load(p, fn, name, 0);

	if (fd < 0)
		snprintf(err, errlen, "cannot load %s: %s%s", fn, strerror(errno),
			 errno == EPERM ? " (run as root; BPF needs CAP_BPF and CAP_PERFMON)" :
			 errno == ENOENT ? " (not in the BPF program)" : "");
	return fd;
}

/*
 * Attach the io_uring submission probe where the kernel has it; without it
 * (no io_uring, or only 5.x's io_uring_submit_sqe) ebph runs without seeing
 * io_uring operations, and p->uring_off says why. 0, or -1 if the program
 * is there but the kernel refuses to load it (err says why).
 */
static int prog_attach_uring(struct ebph_prog *p, char *err, size_t errlen)
{
	const char *fn = "raw_tracepoint__io_uring_submit_req";
	int fd, link;

	if (!bpf_function_start(p->mod, fn)) {
		p->uring_off = "the kernel's BTF has no struct io_kiocb.opcode";
		return 0;
	}
	fd = prog_load_fn(p, fn, err, errlen);
	if (fd < 0)
		return -1;
	link = prog_link(fd, "io_uring_submit_req");
	if (link < 0) {
		p->uring_off = errno == ENOENT ? "the kernel has no tracepoint io_uring_submit_req"
					       : "cannot attach to tracepoint io_uring_submit_req";
		close(fd);
		return 0;
	}
	p->prog_fd[p->nprobes] = fd;
	p->link_fd[p->nprobes++] = link;
	p->uring_off = NULL;
	return 0;
}

/* The per-syscall program's cold parts (enum ebph_tail), by index. */
_Static_assert(EBPH_TC_COUNT <= PROG_MAX_COLD, "prog.h: PROG_MAX_COLD too small");

static const char *const cold_progs[EBPH_TC_COUNT] = {
	[EBPH_TC_ADOPT] = "ebph_tc_adopt",
	[EBPH_TC_LOADER] = "ebph_tc_loader",
	[EBPH_TC_CALL] = "ebph_tc_call",
	[EBPH_TC_REPORT] = "ebph_tc_report",
	[EBPH_TC_STEP] = "ebph_tc_step",
};

/*
 * Load the per-syscall program (as tp_btf if the kernel takes it, else as a
 * plain raw tracepoint) and its cold parts as the same kind of program (a
 * tail call needs that: same type, same attach target), put them in the
 * "cold" program array, then attach it. 0, or -1 (err says why).
 */
static int prog_attach_sys_exit(struct ebph_prog *p, char *err, size_t errlen)
{
	__u32 btf_id = p->no_btf ? 0 : p->sys_exit_btf_id;
	int cold = p->cold;
	const char *fn;
	int fd, link, i, k;

retry:
	fn = btf_id ? "ebph_sys_exit_btf" : "raw_tracepoint__sys_exit";
	fd = prog_load(p, fn, "ebph_sys_exit", btf_id);
	if (fd < 0 && btf_id) {
		btf_id = 0;
		goto retry;
	}
	if (fd < 0) {
		snprintf(err, errlen, "cannot load %s: %s", fn, strerror(errno));
		return -1;
	}
	p->prog_fd[p->nprobes++] = fd;
	k = EBPH_TC_SYS_EXIT;
	if (bpf_update_elem(cold, &k, &fd, BPF_ANY)) {
		snprintf(err, errlen, "cannot fill the program array: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < EBPH_TC_COUNT; i++) {
		if (!cold_progs[i])
			continue;
		fd = prog_load(p, cold_progs[i], cold_progs[i] + 5, btf_id);
		if (fd < 0) {
			snprintf(err, errlen, "cannot load %s: %s", cold_progs[i], strerror(errno));
			return -1;
		}
		p->cold_fd[i] = fd;
		if (bpf_update_elem(cold, &i, &fd, BPF_ANY)) {
			snprintf(err, errlen, "cannot put %s in the program array: %s",
				 cold_progs[i], strerror(errno));
			return -1;
		}
	}
	link = prog_link(p->prog_fd[p->nprobes - 1], btf_id ? NULL : "sys_exit");
	if (link < 0) {
		snprintf(err, errlen, "cannot attach to tracepoint sys_exit: %s", strerror(errno));
		return -1;
	}
	p->link_fd[p->nprobes - 1] = link;
	return 0;
}

int prog_attach(struct ebph_prog *p, int (*cb)(void *ctx, void *data, size_t size), void *ctx,
		char *err, size_t errlen)
{
	size_t i;
	int fd;

	p->no_btf = getenv("EBPH_NO_TP_BTF") && strcmp(getenv("EBPH_NO_TP_BTF"), "0");
	p->cmd = prog_load_fn(p, "raw_tracepoint__ebph_command", err, errlen);
	if (p->cmd < 0)
		goto fail;
	/* fork as tp_btf if the kernel takes it: a child gets task storage */
	fd = prog_attach_btf(p, "ebph_fork_btf", p->fork_btf_id, "ebph_fork",
			     &p->prog_fd[p->nprobes]);
	if (fd >= 0) {
		p->fork_btf = 1;
		p->link_fd[p->nprobes++] = fd;
	}
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (p->fork_btf && !strcmp(probes[i].tp, "sched_process_fork"))
			continue;
		fd = prog_load_fn(p, probes[i].fn, err, errlen);
		if (fd < 0)
			goto fail;
		p->prog_fd[p->nprobes] = fd;
		p->nprobes++;
		fd = prog_link(fd, probes[i].tp);
		if (fd < 0) {
			snprintf(err, errlen, "cannot attach to raw tracepoint %s: %s",
				 probes[i].tp, strerror(errno));
			goto fail;
		}
		p->link_fd[p->nprobes - 1] = fd;
	}
	if (prog_attach_uring(p, err, errlen))
		goto fail;
	/* the per-syscall path last, once the life-cycle probes are in place */
	if (prog_attach_sys_exit(p, err, errlen))
		goto fail;
	p->rb = bpf_new_ringbuf(p->events, cb, ctx);
	if (!p->rb) {
		snprintf(err, errlen, "cannot open the ring buffer");
		goto fail;
	}
	return 0;
fail:
	prog_close(p);
	return -EINVAL;
}

void prog_detach(struct ebph_prog *p)
{
	int i;

	for (i = 0; i < PROG_MAX_PROBES; i++) {
		if (p->link_fd[i] >= 0)
			close(p->link_fd[i]);
		p->link_fd[i] = -1;
	}
}

void prog_close(struct ebph_prog *p)
{
	int i;

	for (i = 0; i < PROG_MAX_PROBES; i++) {
		if (p->link_fd[i] >= 0)
			close(p->link_fd[i]);
		if (p->prog_fd[i] >= 0)
			close(p->prog_fd[i]);
		p->link_fd[i] = p->prog_fd[i] = -1;
	}
	p->nprobes = 0;
	for (i = 0; i < EBPH_TC_COUNT; i++) {
		if (p->cold_fd[i] >= 0)
			close(p->cold_fd[i]);
		p->cold_fd[i] = -1;
	}
	if (p->cmd >= 0)
		close(p->cmd);
	p->cmd = -1;
	if (p->rb) {
		bpf_free_ringbuf(p->rb);
		p->rb = NULL;
	}
	if (p->mod) {
		bpf_module_destroy(p->mod);
		p->mod = NULL;
	}
}
