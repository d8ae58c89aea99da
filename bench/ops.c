/* bench/ops.c: the benchmark's operations, each timed in a tight loop (lmbench style). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>

#define OPS_SELECT_FDS 8
#define OPS_STAT_PATH "/etc/passwd"
#define OPS_MIN_ITERS 10
#define OPS_KPROGS 16

struct ops_ctx {
	const char *hello;	/* fork_exec target */
	int fd;			/* read: /dev/zero */
	int sel[OPS_SELECT_FDS * 2];	/* select: pipe ends, never ready */
	int maxfd;
	int peer[2];		/* pipe/unix: our ends (write, read) */
	pid_t child;		/* pipe/unix: the echo process */
	pid_t pid;
};

struct ops_op {
	const char *name;
	const char *desc;
	long iters;		/* default iterations: about 50 ms untraced here */
	int (*setup)(struct ops_ctx *c);
	int (*run)(struct ops_ctx *c, long n);
	void (*teardown)(struct ops_ctx *c);
};

static volatile sig_atomic_t ops_caught;

static void ops_handler(int sig)
{
	(void)sig;
	ops_caught++;
}

static int ops_null(struct ops_ctx *c, long n)
{
	(void)c;
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}

static int ops_read_setup(struct ops_ctx *c)
{
	c->fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (c->fd < 0)
		return -errno;
	return 0;
}

static void ops_fd_teardown(struct ops_ctx *c)
{
	close(c->fd);
	c->fd = -1;
}

static int ops_read(struct ops_ctx *c, long n)
{
	char b;

	for (long i = 0; i < n; i++)
		if (read(c->fd, &b, 1) != 1)
			return -errno;
	return 0;
}

static int ops_stat(struct ops_ctx *c, long n)
{
	struct stat st;

	(void)c;
	for (long i = 0; i < n; i++)
		if (stat(OPS_STAT_PATH, &st))
			return -errno;
	return 0;
}

static int ops_open_close(struct ops_ctx *c, long n)
{
	(void)c;
	for (long i = 0; i < n; i++) {
		int fd = open(OPS_STAT_PATH, O_RDONLY);

		if (fd < 0)
			return -errno;
		close(fd);
	}
	return 0;
}

static int ops_select_setup(struct ops_ctx *c)
{
	c->maxfd = -1;
	for (int i = 0; i < OPS_SELECT_FDS; i++) {
		if (pipe2(&c->sel[2 * i], O_CLOEXEC))
			return -errno;
		if (c->sel[2 * i] > c->maxfd)
			c->maxfd = c->sel[2 * i];
	}
	return 0;
}

static void ops_select_teardown(struct ops_ctx *c)
{
	for (int i = 0; i < OPS_SELECT_FDS * 2; i++)
		close(c->sel[i]);
}

/* select on OPS_SELECT_FDS empty pipes with a zero timeout: nothing is ready. */
static int ops_select(struct ops_ctx *c, long n)
{
	for (long i = 0; i < n; i++) {
		struct timeval tv = { 0, 0 };
		fd_set rd;

		FD_ZERO(&rd);
		for (int k = 0; k < OPS_SELECT_FDS; k++)
			FD_SET(c->sel[2 * k], &rd);
		if (select(c->maxfd + 1, &rd, NULL, NULL, &tv) < 0)
			return -errno;
	}
	return 0;
}

static int ops_sig_install(struct ops_ctx *c, long n)
{
	struct sigaction sa;

	(void)c;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ops_handler;
	for (long i = 0; i < n; i++)
		if (sigaction(SIGUSR1, &sa, NULL))
			return -errno;
	return 0;
}

static int ops_sig_deliver_setup(struct ops_ctx *c)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ops_handler;
	c->pid = getpid();
	return sigaction(SIGUSR1, &sa, NULL) ? -errno : 0;
}

static void ops_sig_teardown(struct ops_ctx *c)
{
	(void)c;
	signal(SIGUSR1, SIG_DFL);
}

/* kill(self) with a handler installed: kill, handler, rt_sigreturn. */
static int ops_sig_deliver(struct ops_ctx *c, long n)
{
	for (long i = 0; i < n; i++)
		if (kill(c->pid, SIGUSR1))
			return -errno;
	return 0;
}

static int ops_reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return -ECHILD;
	return 0;
}

static int ops_fork_exit(struct ops_ctx *c, long n)
{
	(void)c;
	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			return -errno;
		if (!p)
			_exit(0);
		if (ops_reap(p))
			return -ECHILD;
	}
	return 0;
}

static int ops_spawn(const char *path, char *const argv[], long n)
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", NULL };

	for (long i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0)
			return -errno;
		if (!p) {
			execve(path, argv, envp);
			_exit(127);
		}
		if (ops_reap(p))
			return -ECHILD;
	}
	return 0;
}

static int ops_fork_exec(struct ops_ctx *c, long n)
{
	char *const argv[] = { (char *)c->hello, NULL };

	return ops_spawn(c->hello, argv, n);
}

static int ops_fork_sh(struct ops_ctx *c, long n)
{
	char *const argv[] = { "sh", "-c", "true", NULL };

	(void)c;
	return ops_spawn("/bin/sh", argv, n);
}

/* An echo process: reads one byte from rd, writes it back to wr, until EOF. */
static int ops_echo_start(struct ops_ctx *c, int to_child[2], int to_parent[2])
{
	pid_t p = fork();

	if (p < 0)
		return -errno;
	if (!p) {
		char b;

		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &b, 1) == 1)
			if (write(to_parent[1], &b, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	c->peer[0] = to_child[1];
	c->peer[1] = to_parent[0];
	c->child = p;
	return 0;
}

static int ops_pipe_setup(struct ops_ctx *c)
{
	int a[2], b[2];

	if (pipe2(a, O_CLOEXEC))
		return -errno;
	if (pipe2(b, O_CLOEXEC)) {
		close(a[0]);
		close(a[1]);
		return -errno;
	}
	return ops_echo_start(c, a, b);
}

static int ops_unix_setup(struct ops_ctx *c)
{
	int s[2];
	pid_t p;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s))
		return -errno;
	p = fork();
	if (p < 0) {
		close(s[0]);
		close(s[1]);
		return -errno;
	}
	if (!p) {
		char b;

		close(s[0]);
		while (read(s[1], &b, 1) == 1)
			if (write(s[1], &b, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(s[1]);
	c->peer[0] = s[0];
	c->peer[1] = s[0];
	c->child = p;
	return 0;
}

static void ops_echo_teardown(struct ops_ctx *c)
{
	close(c->peer[0]);
	if (c->peer[1] != c->peer[0])
		close(c->peer[1]);
	ops_reap(c->child);
}

/* One round trip: one byte to the echo process and back. */
static int ops_round_trip(struct ops_ctx *c, long n)
{
	char b = 'x';

	for (long i = 0; i < n; i++) {
		if (write(c->peer[0], &b, 1) != 1)
			return -EIO;
		if (read(c->peer[1], &b, 1) != 1)
			return -EIO;
	}
	return 0;
}

static const struct ops_op ops_table[] = {
	{ "null", "getppid()", 250000, NULL, ops_null, NULL },
	{ "read", "1-byte read from /dev/zero", 200000, ops_read_setup, ops_read, ops_fd_teardown },
	{ "stat", "stat(" OPS_STAT_PATH ")", 40000, NULL, ops_stat, NULL },
	{ "open_close", "open+close " OPS_STAT_PATH, 20000, NULL, ops_open_close, NULL },
	{ "select", "select on 8 empty pipes, zero timeout", 60000, ops_select_setup, ops_select,
	  ops_select_teardown },
	{ "sig_install", "sigaction(SIGUSR1)", 200000, NULL, ops_sig_install, ops_sig_teardown },
	{ "sig_deliver", "kill(self, SIGUSR1) with a handler", 20000, ops_sig_deliver_setup,
	  ops_sig_deliver, ops_sig_teardown },
	{ "fork_exit", "fork, child _exit, waitpid", 350, NULL, ops_fork_exit, NULL },
	{ "fork_exec", "fork, execve(static hello), waitpid", 120, NULL, ops_fork_exec, NULL },
	{ "fork_sh", "fork, execve(/bin/sh -c true), waitpid", 80, NULL, ops_fork_sh, NULL },
	{ "pipe", "pipe round trip, two processes", 8000, ops_pipe_setup, ops_round_trip,
	  ops_echo_teardown },
	{ "unix", "UNIX stream socket round trip, two processes", 4000, ops_unix_setup,
	  ops_round_trip, ops_echo_teardown },
};

#define OPS_COUNT (sizeof(ops_table) / sizeof(ops_table[0]))

static double ops_clock(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * CPU time of the operation so far: this process, its reaped children
 * (fork ops) and the echo process (pipe, unix). Unlike the wall clock it
 * leaves out the time other programs took the CPU from us.
 */
static double ops_cpu(const struct ops_ctx *c)
{
	struct rusage ru;
	double t = ops_clock(CLOCK_PROCESS_CPUTIME_ID);
	clockid_t cid;

	if (!getrusage(RUSAGE_CHILDREN, &ru))
		t += (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
		     (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
	if (c->child > 0 && !clock_getcpuclockid(c->child, &cid))
		t += ops_clock(cid);
	return t;
}

/*
 * Busy and total jiffies of every CPU but the one we are pinned to, from
 * /proc/stat: other work there (a build, a test) slows us too (shared cores,
 * caches), even when it never takes our CPU. -1 if unknown.
 */
static int ops_others(int self, unsigned long long *busy, unsigned long long *total)
{
	static char buf[16384];
	ssize_t n, len = 0;
	char *line, *save = NULL;
	int fd;

	*busy = *total = 0;
	if (self < 0)
		return -1;
	fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long v[8] = { 0 };
		int id;

		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line + 3, "%d %llu %llu %llu %llu %llu %llu %llu %llu", &id, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 5 || id == self)
			continue;
		for (int i = 0; i < 8; i++)
			*total += v[i];
		*busy += v[0] + v[1] + v[2] + v[5] + v[6] + v[7];	/* not idle, iowait */
	}
	return 0;
}

static int ops_self_cpu = -1;

/* -k: BPF programs whose run-time statistics bracket each timed loop. */
static int ops_kfd[OPS_KPROGS];
static int ops_nk;

struct ops_kstat {
	unsigned long long runs;	/* the busiest program's runs */
	unsigned long long ns;		/* all programs' run time */
};

static int ops_kopen(char *ids)
{
	unsigned long id[OPS_KPROGS];
	char *save = NULL;
	int n = 0;

	for (char *w = strtok_r(ids, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		char *end;

		if (n == OPS_KPROGS)
			return -EINVAL;
		id[n++] = strtoul(w, &end, 10);
		if (*end || !*w)
			return -EINVAL;
	}
	for (int i = 0; i < n; i++) {
		union bpf_attr a;
		int fd;

		memset(&a, 0, sizeof(a));
		a.prog_id = id[i];
		fd = syscall(__NR_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
		if (fd < 0)
			return -errno;
		ops_kfd[ops_nk++] = fd;
	}
	return 0;
}

/* Runs and run time of the -k programs so far (zero while the kernel's
 * statistics are off: bench/bin/kstat turns them on). */
static void ops_ksnap(struct ops_kstat *k)
{
	k->runs = k->ns = 0;
	for (int i = 0; i < ops_nk; i++) {
		struct bpf_prog_info info;
		union bpf_attr a;

		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = ops_kfd[i];
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)))
			continue;
		if (info.run_cnt > k->runs)
			k->runs = info.run_cnt;
		k->ns += info.run_time_ns;
	}
}

/* One measurement of op: setup, warm-up, timed loop, teardown; wall and CPU
 * ns/op, and how busy the other CPUs were meanwhile (0..1, or -1). */
static int ops_measure(const struct ops_op *op, struct ops_ctx *c, long iters, long warm,
		       double *wall, double *cpu, double *others, struct ops_kstat *k)
{
	struct ops_kstat k0, k1;
	unsigned long long b0, t0, b1, t1;
	double w0, w1, c0, c1;
	int err = 0, known;

	c->child = 0;
	if (op->setup && (err = op->setup(c)))
		return err;
	if (warm > 0)
		err = op->run(c, warm);
	if (!err) {
		known = !ops_others(ops_self_cpu, &b0, &t0);
		ops_ksnap(&k0);
		c0 = ops_cpu(c);
		w0 = ops_clock(CLOCK_MONOTONIC);
		err = op->run(c, iters);
		w1 = ops_clock(CLOCK_MONOTONIC);
		c1 = ops_cpu(c);
		ops_ksnap(&k1);
		k->runs = k1.runs - k0.runs;
		k->ns = k1.ns - k0.ns;
		known = !ops_others(ops_self_cpu, &b1, &t1) && known;
		*wall = iters > 0 ? (w1 - w0) / iters : 0;
		*cpu = iters > 0 ? (c1 - c0) / iters : 0;
		*others = known && t1 > t0 ? (double)(b1 - b0) / (t1 - t0) : -1;
	}
	if (op->teardown)
		op->teardown(c);
	c->child = 0;
	return err;
}

/*
 * Warm-up iterations: pct of iters, but at least OPS_MIN_ITERS unless 0 %: the
 * calls just before the timed loop must not depend on the iteration count.
 */
static long ops_warm(long iters, long pct)
{
	long w = iters * pct / 100;

	if (pct > 0 && w < OPS_MIN_ITERS)
		w = OPS_MIN_ITERS;
	return w;
}

static const struct ops_op *ops_find(const char *name)
{
	for (size_t i = 0; i < OPS_COUNT; i++)
		if (!strcmp(ops_table[i].name, name))
			return &ops_table[i];
	return NULL;
}

/* The tiny exec target: "hello" next to this binary. */
static void ops_default_hello(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0) {
		snprintf(buf, len, "/bin/true");
		return;
	}
	buf[n] = 0;
	slash = strrchr(buf, '/');
	if (slash && (size_t)(slash - buf) + sizeof("/hello") <= len)
		strcpy(slash, "/hello");
	if (access(buf, X_OK))
		snprintf(buf, len, "/bin/true");
}

static void ops_usage(FILE *f)
{
	fprintf(f,
		"usage: ops [-l] [-o OP[,OP...]] [-n ITERS | -s SCALE] [-r REPS] [-w WARM]\n"
		"           [-c CPU] [-x PATH] [-k ID[,ID...]] [-j] [-q]\n"
		"Time system-call-heavy operations in tight loops; print ns per operation,\n"
		"wall clock and CPU time (of this process, its children and its echo process),\n"
		"and (with -c) how busy the other CPUs were meanwhile (0..1, -1 unknown).\n"
		"  -l          list the operations and their default iterations\n"
		"  -o OPS      comma-separated operations (default: all, in table order)\n"
		"  -n ITERS    iterations per measurement for every op (default: per op)\n"
		"  -s SCALE    multiply the default iterations (e.g. 0.1; at least 10)\n"
		"  -r REPS     measurements per op (default 1)\n"
		"  -w WARM     warm-up iterations as a %% of ITERS (default 10, at least 10\n"
		"              iterations unless 0)\n"
		"  -c CPU      pin to this CPU (children inherit)\n"
		"  -x PATH     exec target of fork_exec (default: hello next to ops)\n"
		"  -k IDS      BPF program ids: report their runs (the busiest one's) and\n"
		"              run time (all) during each timed loop, as kernel_runs and\n"
		"              kernel_ns (zero unless the kernel's BPF statistics are on)\n"
		"  -j          one JSON object per measurement\n"
		"  -q          print nothing (warm-up runs)\n"
		"EXAMPLES\n"
		"  ops -c 1 -r 3            # all ops, 3 measurements each, on CPU 1\n"
		"  ops -o null,stat -n 1e6  # two ops, a million iterations each\n");
}

int main(int argc, char **argv)
{
	const char *sel = NULL;
	char hello[PATH_MAX];
	long fixed = -1, reps = 1, warm_pct = 10;
	double scale = 1.0;
	int cpu = -1, json = 0, quiet = 0, list = 0, opt, rc = 0;
	char *kids = NULL;
	struct ops_ctx ctx;

	ops_default_hello(hello, sizeof(hello));
	while ((opt = getopt(argc, argv, "lo:n:s:r:w:c:x:k:jqh")) != -1) {
		switch (opt) {
		case 'l': list = 1; break;
		case 'o': sel = optarg; break;
		case 'n': fixed = (long)strtod(optarg, NULL); break;
		case 's': scale = strtod(optarg, NULL); break;
		case 'r': reps = atol(optarg); break;
		case 'w': warm_pct = atol(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		case 'x': snprintf(hello, sizeof(hello), "%s", optarg); break;
		case 'k': kids = optarg; break;
		case 'j': json = 1; break;
		case 'q': quiet = 1; break;
		case 'h': ops_usage(stdout); return 0;
		default: ops_usage(stderr); return 2;
		}
	}
	if (optind != argc || fixed < -1 || scale <= 0 || reps < 1 || warm_pct < 0) {
		ops_usage(stderr);
		return 2;
	}
	if (list) {
		for (size_t i = 0; i < OPS_COUNT; i++)
			printf("%-12s %8ld  %s\n", ops_table[i].name, ops_table[i].iters,
			       ops_table[i].desc);
		return 0;
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "ops: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
			return 1;
		}
		ops_self_cpu = cpu;
	}
	if (kids && (rc = ops_kopen(strdupa(kids)))) {
		fprintf(stderr, "ops: -k %s: %s\n", kids, strerror(-rc));
		return rc == -EINVAL ? 2 : 1;
	}
	setlinebuf(stdout);
	signal(SIGPIPE, SIG_IGN);
	memset(&ctx, 0, sizeof(ctx));
	ctx.hello = hello;

	/* Validate the whole selection before running anything. */
	for (const char *p = sel; p && *p;) {
		size_t len = strcspn(p, ",");
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (!ops_find(name)) {
			fprintf(stderr, "ops: unknown operation '%s' (see ops -l)\n", name);
			return 2;
		}
		p += len + (p[len] == ',');
	}
	if (!quiet && !json)
		printf("%-12s %10s %4s %12s %12s %8s\n", "OP", "ITERS", "REP", "NS/OP", "CPU_NS/OP",
		       "OTHERS");
	for (size_t i = 0; i < OPS_COUNT; i++) {
		const struct ops_op *op = &ops_table[i];
		long iters;

		if (sel) {
			const char *p = sel;
			int hit = 0;

			while (*p && !hit) {
				size_t len = strcspn(p, ",");

				hit = len == strlen(op->name) && !strncmp(p, op->name, len);
				p += len + (p[len] == ',');
			}
			if (!hit)
				continue;
		}
		/* At least OPS_MIN_ITERS: a loop shorter than the longest window
		 * would make call sequences that a longer run never makes. */
		iters = fixed >= 0 ? fixed : (long)(op->iters * scale);
		if (fixed < 0 && iters < OPS_MIN_ITERS)
			iters = OPS_MIN_ITERS;
		for (long r = 0; r < reps; r++) {
			double ns = 0, cpu_ns = 0, others = -1;
			struct ops_kstat k = { 0, 0 };
			int err = ops_measure(op, &ctx, iters, ops_warm(iters, warm_pct), &ns,
					      &cpu_ns, &others, &k);

			if (err) {
				fprintf(stderr, "ops: %s failed: %s\n", op->name, strerror(-err));
				rc = 1;
				break;
			}
			if (quiet)
				continue;
			if (json)
				printf("{\"op\":\"%s\",\"rep\":%ld,\"iters\":%ld,\"ns_per_op\":%.1f,"
				       "\"cpu_ns_per_op\":%.1f,\"others_busy\":%.3f,"
				       "\"kernel_runs\":%llu,\"kernel_ns\":%llu}\n", op->name, r,
				       iters, ns, cpu_ns, others, k.runs, k.ns);
			else
				printf("%-12s %10ld %4ld %12.1f %12.1f %7.0f%%\n", op->name, iters, r,
				       ns, cpu_ns, others * 100);
		}
	}
	return rc;
}
