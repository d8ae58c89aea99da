/* SPDX-License-Identifier: GPL-2.0-only */
/* record.c: ebph record: capture chosen processes' system calls live with a
 * BPF program of its own (record.bpf.c.in; nothing pinned, so it runs
 * alongside a monitor) into ebph's recording format for ebph replay. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>

#include "syscalls.h"
#include "ebph.h"
#include "admin.h"
#include "btf.h"
#include "fill.h"
#include "output.h"
#include "prog.h"
#include "record.h"
#include "replay.h"
#include "trace.h"

extern const char ebph_text_record_bpf_c_in[];
extern const char ebph_text_record_h[];

static const struct {
	const char *fn;
	const char *tp;
} rec_probes[] = {
	{ "raw_tracepoint__sched_process_fork", "sched_process_fork" },
	{ "raw_tracepoint__sched_process_exec", "sched_process_exec" },
	{ "raw_tracepoint__sched_process_exit", "sched_process_exit" },
	{ "raw_tracepoint__signal_deliver", "signal_deliver" },
	{ "raw_tracepoint__sys_exit", "sys_exit" },
};
#define REC_NPROBES (sizeof(rec_probes) / sizeof(rec_probes[0]))

struct recorder {
	FILE *f;
	const char *out;
	__u64 max_size, size;
	__u64 records, calls, lost_seen;
	int full;		/* --max-size reached: no more records written */
	void *mod;
	int fds[2 * REC_NPROBES];
	int nfds;
	int lost_fd;
};

static volatile sig_atomic_t rec_stop;

static void rec_on_signal(int sig)
{
	(void)sig;
	rec_stop = 1;
}

/* Write one line (len bytes, with its newline) unless --max-size is hit. */
static void rec_line(struct recorder *r, const char *s, size_t len)
{
	if (r->full)
		return;
	if (r->size + len > r->max_size) {
		r->full = 1;
		return;
	}
	fwrite(s, 1, len, r->f);
	r->size += len;
	r->records++;
}

static int rec_event(void *ctx, void *data, size_t size)
{
	struct recorder *r = ctx;
	const struct rec_ev *e = data;
	char line[4 * REC_PATH_MAX + 160], *p;
	size_t n = 0;
	int k;

	if (size < sizeof(*e))
		return 0;
	k = snprintf(line, sizeof(line), "%llu %u %c", (unsigned long long)e->ts, e->tid,
		     (char)e->kind);
	n = (size_t)k;
	switch (e->kind) {
	case REC_CALL:
		n += snprintf(line + n, sizeof(line) - n, " %lld %lld %llu\n", (long long)e->a,
			      (long long)e->b, (unsigned long long)e->c);
		r->calls++;
		break;
	case REC_SIG:
		n += snprintf(line + n, sizeof(line) - n, " %llu %lld %llu %llu %lld\n",
			      (unsigned long long)e->a, (long long)e->b, (unsigned long long)e->c,
			      (unsigned long long)e->d, (long long)e->e);
		break;
	case REC_FORK:
		n += snprintf(line + n, sizeof(line) - n, " %lld %lld %lld\n", (long long)e->a,
			      (long long)e->b, (long long)e->c);
		break;
	case REC_EXEC: {
		const struct rec_exec *x = data;
		char *buf = NULL;
		size_t blen = 0;
		FILE *m;

		if (size < sizeof(*x))
			return 0;
		n += snprintf(line + n, sizeof(line) - n, " %lld %lld %lld ", (long long)e->a,
			      (long long)e->b, (long long)e->c);
		m = open_memstream(&buf, &blen);
		if (!m)
			return 0;
		out_text_str(m, x->path, REC_PATH_MAX);
		fclose(m);
		p = line + n;
		n += snprintf(p, sizeof(line) - n, "%s\n", buf);
		free(buf);
		break;
	}
	case REC_EXIT:
		line[n++] = '\n';
		break;
	default:
		return 0;
	}
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	rec_line(r, line, n);
	return 0;
}

/* Records the BPF side could not deliver since the last look: a line. */
static void rec_lost(struct recorder *r)
{
	__u32 zero = 0;
	__u64 v = 0;
	char line[64];
	struct timespec ts;
	int n;

	if (bpf_lookup_elem(r->lost_fd, &zero, &v) || v == r->lost_seen)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	n = snprintf(line, sizeof(line), "%llu 0 l %llu\n",
		     (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec,
		     (unsigned long long)(v - r->lost_seen));
	r->lost_seen = v;
	rec_line(r, line, (size_t)n);
}

/* The BPF text: resolved offsets, then the template with record.h. */
static char *rec_program(char *err, size_t errlen)
{
	struct ebph_btf *btf;
	const char *inc = "#include \"record.h\"\n", *at;
	__u32 offs[fill_nmembers];
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int ret;

	if (kbtf_open(&btf, BTF_VMLINUX, err, errlen))
		return NULL;
	ret = fill_offsets(btf, offs, err, errlen);
	kbtf_close(btf);
	if (ret)
		return NULL;
	m = open_memstream(&text, &len);
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	fprintf(m, "#define REC_RINGBUF_PAGES %u\n", 1024U);
	fill_offset_defines(m, offs);
	at = strstr(ebph_text_record_bpf_c_in, inc);
	if (at) {
		fwrite(ebph_text_record_bpf_c_in, 1, at - ebph_text_record_bpf_c_in, m);
		fputs(ebph_text_record_h, m);
		fputs(at + strlen(inc), m);
	}
	if (fclose(m) || !at) {
		free(text);
		snprintf(err, errlen, "cannot build the recorder's BPF program");
		return NULL;
	}
	return text;
}

static void rec_close(struct recorder *r)
{
	int i;

	for (i = 0; i < r->nfds; i++)
		close(r->fds[i]);
	r->nfds = 0;
	if (r->mod)
		bpf_module_destroy(r->mod);
	r->mod = NULL;
}

/* Compile, load and attach: 0 or -1 (err). */
static int rec_attach(struct recorder *r, char *err, size_t errlen)
{
	static char log[1 << 16];
	char *text = rec_program(err, errlen);
	size_t i;

	if (!text)
		return -1;
	r->mod = bpf_module_create_c_from_string(text, 0, NULL, 0, true, NULL);
	free(text);
	if (!r->mod) {
		snprintf(err, errlen, "cannot compile the recorder's BPF program");
		return -1;
	}
	for (i = 0; i < REC_NPROBES; i++) {
		const void *insns = bpf_function_start(r->mod, rec_probes[i].fn);
		int fd, link;

		if (!insns) {
			snprintf(err, errlen, "BPF program lacks %s", rec_probes[i].fn);
			return -1;
		}
		log[0] = 0;
		fd = prog_func_load(r->mod, BPF_PROG_TYPE_RAW_TRACEPOINT, rec_probes[i].fn, insns,
				    (int)bpf_function_size(r->mod, rec_probes[i].fn),
				    bpf_module_license(r->mod), bpf_module_kern_version(r->mod), 0,
				    log, sizeof(log), NULL);
		if (fd < 0) {
			if (log[0])
				fprintf(stderr, "%s\n", log);
			snprintf(err, errlen, "cannot load %s: %s", rec_probes[i].fn,
				 strerror(errno));
			return -1;
		}
		r->fds[r->nfds++] = fd;
		link = bpf_attach_raw_tracepoint(fd, rec_probes[i].tp);
		if (link < 0) {
			snprintf(err, errlen, "cannot attach to raw tracepoint %s: %s",
				 rec_probes[i].tp, strerror(errno));
			return -1;
		}
		r->fds[r->nfds++] = link;
	}
	r->lost_fd = bpf_table_fd(r->mod, "lost");
	return 0;
}

/* Kernel dev_t (major << 20 | minor) of a user-space st_dev. */
static __u64 rec_kdev(dev_t d)
{
	return ((__u64)major(d) << 20) | minor(d);
}

/* -p PID: record each of its threads, with an exec line naming its
 * program (it ran before the recording). 0 or -errno. */
static int rec_add_pid(struct recorder *r, int targets, long pid)
{
	char dir[64], exe[64], path[REC_PATH_MAX];
	struct dirent *d;
	struct stat st;
	ssize_t n;
	DIR *dp;
	int found = 0;

	snprintf(exe, sizeof(exe), "/proc/%ld/exe", pid);
	if (stat(exe, &st))
		return -errno;
	n = readlink(exe, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = 0;
	snprintf(dir, sizeof(dir), "/proc/%ld/task", pid);
	dp = opendir(dir);
	if (!dp)
		return -errno;
	while ((d = readdir(dp))) {
		__u32 tid = (__u32)strtoul(d->d_name, NULL, 10), on = REC_ON;
		struct rec_exec x = { 0 };

		if (!tid)
			continue;
		x.ev.tid = tid;
		x.ev.kind = REC_EXEC;
		x.ev.a = tid;
		x.ev.b = (__s64)rec_kdev(st.st_dev);
		x.ev.c = (__s64)st.st_ino;
		snprintf(x.path, sizeof(x.path), "%s", path);
		rec_event(r, &x, sizeof(x));
		bpf_update_elem(targets, &tid, &on, 0);
		found++;
	}
	closedir(dp);
	return found ? 0 : -ESRCH;
}

int record_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct recorder r = { 0 };
	const char *comm = NULL;
	struct ring_buffer *rb = NULL;
	struct sigaction sa = { 0 };
	char err[512], *end;
	long pid = 0;
	__u64 duration = 0, t_end = 0;
	pid_t child = 0;
	int c, ret = 1, go[2] = { -1, -1 }, targets, status = 0, modes;

	r.max_size = 1ULL << 30;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:p:n:m:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': r.out = optarg; break;
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end || pid <= 0) {
				out_warn("ebph: record: -p: '%s' is not a process ID", optarg);
				return 2;
			}
			break;
		case 'n':
			comm = optarg;
			if (!*comm || strlen(comm) >= REC_COMM_LEN) {
				out_warn("ebph: record: -n: '%s': a process name has 1 to %d bytes",
					 comm, REC_COMM_LEN - 1);
				return 2;
			}
			break;
		case 'm': {
			unsigned long long v = strtoull(optarg, &end, 10);

			if (end == optarg)
				goto bad_size;
			if (*end == 'K' || *end == 'k')
				v <<= 10, end++;
			else if (*end == 'M')
				v <<= 20, end++;
			else if (*end == 'G')
				v <<= 30, end++;
			if (*end || v < 64) {
bad_size:
				out_warn("ebph: record: --max-size: '%s' is not a size of at least 64 "
					 "bytes (N, NK, NM, NG)", optarg);
				return 2;
			}
			r.max_size = v;
			break;
		}
		case 'd':
			if (cfg_parse_duration(optarg, &duration) || !duration) {
				out_warn("ebph: record: -d: '%s' is not a duration", optarg);
				return 2;
			}
			break;
		case 'h':
			admin_help(stdout, "record");
			return 0;
		case ':':
			out_warn("ebph: record: option '%s' needs an argument", argv[optind - 1]);
			goto usage;
		default:
			out_warn("ebph: record: unknown option '%s'", argv[optind - 1]);
			goto usage;
		}
	}
	modes = !!pid + !!comm + (optind < argc);
	if (!r.out || modes != 1) {
		fprintf(stderr, "ebph: record: %s\n", !r.out ? "-o FILE is required" :
			"give exactly one of -p PID, -n COMM, -- CMD ARGS");
		goto usage;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ebph: record: must be run as root\n");
		return 1;
	}
	if (pid && kill((pid_t)pid, 0) && errno == ESRCH) {
		fprintf(stderr, "ebph: record: -p %ld: no such process\n", pid);
		return 2;
	}
	r.f = fopen(r.out, "w");
	if (!r.f) {
		out_warn("ebph: record: cannot write %s: %s", r.out, strerror(errno));
		return 1;
	}
	{
		char head[128];
		int n = snprintf(head, sizeof(head), "%s nr_syscalls=%u\n", TRACE_EBPH_MAGIC,
				 (unsigned)EBPH_NR_SYSCALLS);

		rec_line(&r, head, (size_t)n);
		r.records = 0;
	}
	if (rec_attach(&r, err, sizeof(err))) {
		out_warn("ebph: record: %s", err);
		goto out;
	}
	targets = bpf_table_fd(r.mod, "targets");
	rb = bpf_new_ringbuf(bpf_table_fd(r.mod, "records"), rec_event, &r);
	if (targets < 0 || !rb) {
		fprintf(stderr, "ebph: record: cannot open the recorder's maps\n");
		goto out;
	}
	sa.sa_handler = rec_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (comm) {
		struct rec_match m = { 0 };
		__u32 zero = 0;

		memcpy(m.comm, comm, strlen(comm));
		m.on = 1;
		bpf_update_elem(bpf_table_fd(r.mod, "match"), &zero, &m, 0);
	} else if (pid) {
		ret = rec_add_pid(&r, targets, pid);
		if (ret) {
			fprintf(stderr, "ebph: record: -p %ld: %s\n", pid, strerror(-ret));
			ret = 1;
			goto out;
		}
	} else {
		__u32 tid, at = REC_AT_EXEC;

		if (pipe(go)) {
			fprintf(stderr, "ebph: record: pipe: %s\n", strerror(errno));
			goto out;
		}
		child = fork();
		if (child < 0) {
			fprintf(stderr, "ebph: record: fork: %s\n", strerror(errno));
			goto out;
		}
		if (!child) {
			char b;

			close(go[1]);
			if (read(go[0], &b, 1) != 1)
				_exit(127);
			close(go[0]);
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "ebph: record: cannot run %s: %s\n", argv[optind],
				strerror(errno));
			_exit(127);
		}
		close(go[0]);
		tid = (__u32)child;
		bpf_update_elem(targets, &tid, &at, 0);
		if (write(go[1], "g", 1) != 1)
			fprintf(stderr, "ebph: record: cannot start %s\n", argv[optind]);
		close(go[1]);
	}
	fprintf(stderr, "Recording to %s... Ctrl-C to end.\n", r.out);
	if (duration) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		t_end = (__u64)ts.tv_sec + duration;
	}
	while (!rec_stop && !r.full) {
		bpf_poll_ringbuf(rb, 100);
		rec_lost(&r);
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child = 0;
			break;
		}
		if (pid && kill((pid_t)pid, 0) && errno == ESRCH)
			break;
		if (t_end) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			if ((__u64)ts.tv_sec >= t_end)
				break;
		}
	}
	bpf_consume_ringbuf(rb);
	rec_lost(&r);
	ret = 0;
	if (r.full) {
		fprintf(stderr, "ebph: record: %s reached --max-size (%llu bytes): recording "
			"stopped\n", r.out, (unsigned long long)r.max_size);
	}
	fprintf(stderr, "ebph: record: %llu records (%llu calls), %llu lost\n",
		(unsigned long long)r.records, (unsigned long long)r.calls,
		(unsigned long long)r.lost_seen);
out:
	if (rb)
		bpf_free_ringbuf(rb);
	rec_close(&r);
	if (child > 0) {	/* recording over (--max-size, -d, a failure): it runs on */
		if (rec_stop || ret)
			kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	if (fclose(r.f) && !ret) {
		out_warn("ebph: record: cannot write %s: %s", r.out, strerror(errno));
		ret = 1;
	}
	return ret;
usage:
	fputs("Usage: ebph record -o FILE (-p PID | -n COMM | -- CMD ARGS...)\n"
	      "Try 'ebph help record' for more information.\n", stderr);
	return 2;
}
