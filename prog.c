/* prog.c: the BPF side's life cycle through libbcc's C API: compile the
 * filled text, load and attach the raw tracepoints, find the maps, detach. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>

#include "prog.h"

#include <sys/syscall.h>

static const struct {
	const char *fn;		/* function bcc generates for RAW_TRACEPOINT_PROBE */
	const char *tp;		/* raw tracepoint */
} probes[] = {
	{ "raw_tracepoint__sched_process_fork", "sched_process_fork" },
	{ "raw_tracepoint__sched_process_exec", "sched_process_exec" },
	{ "raw_tracepoint__sched_process_exit", "sched_process_exit" },
	{ "raw_tracepoint__signal_deliver", "signal_deliver" },
};

/*
 * Load and attach a program as a BTF-typed raw tracepoint (btf_id: the
 * tracepoint's btf_trace_* type). bcc's loader cannot (it looks up the
 * wrong BTF name), so this is a plain BPF_PROG_LOAD of bcc's compiled
 * instructions. Returns the link fd and sets *prog_fd, or -1 (errno set) if
 * the kernel refuses.
 */
static int prog_attach_btf(struct ebph_prog *p, const char *fn, __u32 btf_id, const char *name,
			   int *prog_fd)
{
	const void *insns = bpf_function_start(p->mod, fn);
	size_t size = bpf_function_size(p->mod, fn);
	union bpf_attr a;
	int fd, link;

	if (!insns || !btf_id) {
		errno = ENOENT;
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_TRACING;
	a.expected_attach_type = BPF_TRACE_RAW_TP;
	a.attach_btf_id = btf_id;
	a.insns = (unsigned long)insns;
	a.insn_cnt = (__u32)(size / sizeof(struct bpf_insn));
	a.license = (unsigned long)bpf_module_license(p->mod);
	strncpy(a.prog_name, name, sizeof(a.prog_name) - 1);
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0) {
		/* say why (the verifier's last lines) before the fallback */
		static char log[65536];
		int e = errno, n = 0;
		const char *tail;

		a.log_buf = (unsigned long)log;
		a.log_size = sizeof(log);
		a.log_level = 1;
		log[0] = 0;
		if (syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a)) < 0 && log[0]) {
			for (tail = log + strlen(log); tail > log && n < 4; )
				n += *--tail == '\n';
			fprintf(stderr, "ebph: %s refused as a BTF-typed tracepoint (%s):%s\n",
				fn, strerror(e), tail);
		}
		errno = e;
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.prog_fd = fd;
	link = (int)syscall(__NR_bpf, BPF_RAW_TRACEPOINT_OPEN, &a, sizeof(a));
	if (link < 0) {
		int e = errno;

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
	p->cmd = -1;
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
			p->map_bytes += entries * leaf * sysconf(_SC_NPROCESSORS_CONF);
		else
			p->map_bytes += entries * (key + leaf);
	}
	p->tasks = bpf_table_fd(p->mod, "tasks");
	p->profiles = bpf_table_fd(p->mod, "profiles");
	p->keys = bpf_table_fd(p->mod, "keys");
	p->paths = bpf_table_fd(p->mod, "paths");
	p->rows = bpf_table_fd(p->mod, "rows");
	p->alloc = bpf_table_fd(p->mod, "alloc");
	p->stats = bpf_table_fd(p->mod, "stats");
	p->events = bpf_table_fd(p->mod, "events");
	p->info = bpf_table_fd(p->mod, "info");
	p->loaders = bpf_table_fd(p->mod, "loaders");
	if (p->tasks < 0 || p->profiles < 0 || p->keys < 0 || p->paths < 0 || p->rows < 0 ||
	    p->alloc < 0 || p->stats < 0 || p->events < 0 || p->info < 0 || p->loaders < 0) {
		snprintf(err, errlen, "BPF program lacks one of its maps");
		return -EINVAL;
	}
	return 0;
}

/* Load one raw tracepoint program of the module; fd or -1 (err says why). */
static int prog_load_fn(struct ebph_prog *p, const char *fn, char *err, size_t errlen)
{
	static char log[1 << 16];
	const void *insns = bpf_function_start(p->mod, fn);
	size_t size = bpf_function_size(p->mod, fn);
	int fd;

	if (!insns) {
		snprintf(err, errlen, "BPF program lacks %s", fn);
		return -1;
	}
	log[0] = 0;
	fd = bcc_func_load(p->mod, BPF_PROG_TYPE_RAW_TRACEPOINT, fn, insns, (int)size,
			   bpf_module_license(p->mod), bpf_module_kern_version(p->mod), 0, log,
			   sizeof(log), NULL, 0);
	if (fd < 0) {
		int e = errno;

		if (log[0])
			fprintf(stderr, "%s\n", log);
		snprintf(err, errlen, "cannot load %s: %s%s", fn, strerror(e),
			 e == EPERM ? " (run as root; BPF needs CAP_BPF and CAP_PERFMON)" : "");
	}
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
	union bpf_attr a;
	int fd, link;

	if (!bpf_function_start(p->mod, fn)) {
		p->uring_off = "the kernel's BTF has no struct io_kiocb.opcode";
		return 0;
	}
	fd = prog_load_fn(p, fn, err, errlen);
	if (fd < 0)
		return -1;
	/* BPF_RAW_TRACEPOINT_OPEN itself: libbcc's call prints its failure */
	memset(&a, 0, sizeof(a));
	a.raw_tracepoint.name = (unsigned long)"io_uring_submit_req";
	a.raw_tracepoint.prog_fd = fd;
	link = (int)syscall(__NR_bpf, BPF_RAW_TRACEPOINT_OPEN, &a, sizeof(a));
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

int prog_attach(struct ebph_prog *p, int (*cb)(void *ctx, void *data, size_t size), void *ctx,
		char *err, size_t errlen)
{
	size_t i;
	int fd;

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
		fd = bpf_attach_raw_tracepoint(fd, probes[i].tp);
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
	fd = prog_attach_btf(p, "ebph_sys_exit_btf", p->sys_exit_btf_id, "ebph_sys_exit",
			     &p->prog_fd[p->nprobes]);
	if (fd >= 0) {
		p->sys_exit_btf = 1;
	} else {
		fd = prog_load_fn(p, "raw_tracepoint__sys_exit", err, errlen);
		if (fd < 0)
			goto fail;
		p->prog_fd[p->nprobes] = fd;
		fd = bpf_attach_raw_tracepoint(fd, "sys_exit");
		if (fd < 0) {
			p->nprobes++;
			snprintf(err, errlen, "cannot attach to raw tracepoint sys_exit: %s",
				 strerror(errno));
			goto fail;
		}
	}
	p->link_fd[p->nprobes++] = fd;
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
