/* bench/kstat.c: the in-kernel cost of BPF programs (run-time statistics) over a command. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>

#define KSTAT_MAX 256
#define KSTAT_ARGS_MAX 64
#define KSTAT_TP_LEN 64

struct kstat_prog {
	__u64 cnt;		/* run_cnt at the last snapshot */
	__u64 ns;		/* run_time_ns at the last snapshot */
	__u32 id;
	__u32 type;
	int fd;
	char name[BPF_OBJ_NAME_LEN];
	char tp[KSTAT_TP_LEN];	/* raw tracepoint it is attached to, or "" */
};

static struct kstat_prog kstat_progs[KSTAT_MAX];
static int kstat_nprogs;

static long kstat_bpf(int cmd, union bpf_attr *a)
{
	return syscall(__NR_bpf, cmd, a, sizeof(*a));
}

static int kstat_info(int fd, void *info, __u32 len)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	memset(info, 0, len);
	a.info.bpf_fd = fd;
	a.info.info_len = len;
	a.info.info = (__u64)(unsigned long)info;
	return kstat_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) ? -errno : 0;
}

/* The tracing program types: the ones that run on kernel events. */
static const char *kstat_type_name(__u32 t)
{
	switch (t) {
	case BPF_PROG_TYPE_KPROBE: return "kprobe";
	case BPF_PROG_TYPE_TRACEPOINT: return "tracepoint";
	case BPF_PROG_TYPE_PERF_EVENT: return "perf_event";
	case BPF_PROG_TYPE_RAW_TRACEPOINT: return "raw_tracepoint";
	case BPF_PROG_TYPE_TRACING: return "tracing";
	case BPF_PROG_TYPE_LSM: return "lsm";
	default: return NULL;
	}
}

static int kstat_add(__u32 id)
{
	struct kstat_prog *p;
	struct bpf_prog_info info;
	union bpf_attr a;
	int fd;

	for (int i = 0; i < kstat_nprogs; i++)
		if (kstat_progs[i].id == id)
			return 0;
	if (kstat_nprogs == KSTAT_MAX)
		return -E2BIG;
	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	fd = kstat_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	if (fd < 0)
		return -errno;
	if (kstat_info(fd, &info, sizeof(info))) {
		close(fd);
		return -errno;
	}
	p = &kstat_progs[kstat_nprogs++];
	memset(p, 0, sizeof(*p));
	p->id = id;
	p->fd = fd;
	p->type = info.type;
	memcpy(p->name, info.name, sizeof(p->name));
	p->name[sizeof(p->name) - 1] = 0;
	return 0;
}

/* Every loaded tracing program. */
static int kstat_add_all(void)
{
	union bpf_attr a;
	__u32 id = 0;

	for (;;) {
		struct bpf_prog_info info;
		int fd, err;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (kstat_bpf(BPF_PROG_GET_NEXT_ID, &a))
			return errno == ENOENT ? 0 : -errno;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.prog_id = id;
		fd = kstat_bpf(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;	/* freed meanwhile */
		err = kstat_info(fd, &info, sizeof(info));
		close(fd);
		if (!err && kstat_type_name(info.type)) {
			err = kstat_add(id);
			if (err && err != -ENOENT)
				return err;
		}
	}
}

/* The programs that process pid holds through a file descriptor. */
static int kstat_add_pid(const char *pid)
{
	char path[320], line[256];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned id;

			if (sscanf(line, "prog_id: %u", &id) == 1 && !kstat_add(id))
				n++;
		}
		fclose(f);
	}
	closedir(dir);
	return n ? 0 : -ENOENT;
}

/* Name each program's raw tracepoint from the links (raw_tp and tp_btf alike). */
static void kstat_find_tps(void)
{
	union bpf_attr a;
	__u32 id = 0;

	for (;;) {
		struct bpf_link_info info;
		char tp[KSTAT_TP_LEN] = "";
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (kstat_bpf(BPF_LINK_GET_NEXT_ID, &a))
			return;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.link_id = id;
		fd = kstat_bpf(BPF_LINK_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.raw_tracepoint.tp_name = (__u64)(unsigned long)tp;
		info.raw_tracepoint.tp_name_len = sizeof(tp);
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = fd;
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (!kstat_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) &&
		    info.type == BPF_LINK_TYPE_RAW_TRACEPOINT) {
			tp[sizeof(tp) - 1] = 0;
			for (int i = 0; i < kstat_nprogs; i++)
				if (kstat_progs[i].id == info.prog_id)
					snprintf(kstat_progs[i].tp, sizeof(kstat_progs[i].tp), "%s", tp);
		}
		close(fd);
	}
}

static int kstat_snap(struct kstat_prog *p, __u64 *cnt, __u64 *ns)
{
	struct bpf_prog_info info;
	int err = kstat_info(p->fd, &info, sizeof(info));

	if (err)
		return err;
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}

static void kstat_snap_all(void)
{
	for (int i = 0; i < kstat_nprogs; i++)
		kstat_snap(&kstat_progs[i], &kstat_progs[i].cnt, &kstat_progs[i].ns);
}

static void kstat_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* One JSON line per program: what it ran since the last snapshot. */
static void kstat_print(const char *tag, int seq)
{
	for (int i = 0; i < kstat_nprogs; i++) {
		struct kstat_prog *p = &kstat_progs[i];
		const char *tn = kstat_type_name(p->type);
		__u64 cnt, ns;

		if (kstat_snap(p, &cnt, &ns))
			continue;
		printf("{\"seq\":%d,\"tag\":", seq);
		kstat_json_str(tag);
		printf(",\"id\":%u,\"name\":", p->id);
		kstat_json_str(p->name);
		printf(",\"type\":");
		if (tn)
			kstat_json_str(tn);
		else
			printf("%u", p->type);
		printf(",\"tp\":");
		kstat_json_str(p->tp);
		printf(",\"run_cnt\":%llu,\"run_time_ns\":%llu,\"ns_per_run\":",
		       (unsigned long long)(cnt - p->cnt), (unsigned long long)(ns - p->ns));
		if (cnt > p->cnt)
			printf("%.1f}\n", (double)(ns - p->ns) / (double)(cnt - p->cnt));
		else
			printf("null}\n");
	}
	fflush(stdout);
}

/* Run argv to completion; 0 when it exited 0. */
static int kstat_run(char **argv)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -errno;
	if (!pid) {
		signal(SIGINT, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "kstat: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "kstat: %s exited with status %d\n", argv[0], st);
		return -ECHILD;
	}
	return 0;
}

/* Each line of stdin is a command (words split on blanks), measured on its own. */
static int kstat_lines(void)
{
	char line[4096], copy[4096];
	int seq = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *argv[KSTAT_ARGS_MAX + 1], *save = NULL, *w;
		int argc = 0;

		line[strcspn(line, "\n")] = 0;
		snprintf(copy, sizeof(copy), "%s", line);
		for (w = strtok_r(copy, " \t", &save); w && argc < KSTAT_ARGS_MAX;
		     w = strtok_r(NULL, " \t", &save))
			argv[argc++] = w;
		argv[argc] = NULL;
		if (!argc)
			continue;
		kstat_snap_all();
		if (kstat_run(argv))
			return 1;
		kstat_print(line, seq++);
	}
	return 0;
}

static void kstat_usage(FILE *f)
{
	fprintf(f,
		"usage: kstat [-i ID[,ID...]] [-p PID] [-s SECS] [-c | -- COMMAND [ARG...]]\n"
		"Measure the in-kernel cost of BPF programs: turn the kernel's BPF run-time\n"
		"statistics on (BPF_ENABLE_STATS: on while kstat runs, back off when it\n"
		"exits, however it exits), run COMMAND, and print one JSON line per program\n"
		"with the runs and run time spent meanwhile:\n"
		"  {\"seq\":..,\"tag\":..,\"id\":..,\"name\":..,\"type\":..,\"tp\":..,\"run_cnt\":..,\n"
		"   \"run_time_ns\":..,\"ns_per_run\":..}\n"
		"\"tp\" is the raw tracepoint the program is attached to (\"\" if none or not\n"
		"a raw tracepoint). Programs: every tracing program loaded, unless -i or -p.\n"
		"  -i IDS   these program ids (comma-separated)\n"
		"  -p PID   the programs process PID holds (may be repeated)\n"
		"  -s SECS  no command: measure for SECS seconds (whatever runs meanwhile)\n"
		"  -c       read commands from stdin, one per line (words split on blanks),\n"
		"           and measure each on its own (tag: the command line, seq: its\n"
		"           number from 0)\n"
		"Needs root. Exit status: 0 ok, 1 a command failed or BPF refused, 2 usage.\n"
		"EXAMPLES\n"
		"  kstat -p $(pidof ebph) -- bench/bin/ops -o null -n 300000 -q\n"
		"  kstat -s 10        # every tracing program, over 10 s of the machine's life\n");
}

int main(int argc, char **argv)
{
	union bpf_attr a;
	char *ids = NULL, *pids[16];
	int lines = 0, npids = 0, opt, stats, err = 0;
	double secs = 0;

	while ((opt = getopt(argc, argv, "+i:p:s:ch")) != -1) {
		switch (opt) {
		case 'i': ids = optarg; break;
		case 'p':
			if (npids == 16 || !*optarg || optarg[strspn(optarg, "0123456789")]) {
				fprintf(stderr, "kstat: -p '%s': not a process id (or too many)\n",
					optarg);
				return 2;
			}
			pids[npids++] = optarg;
			break;
		case 's':
			secs = atof(optarg);
			if (secs <= 0) {
				fprintf(stderr, "kstat: -s '%s': not a positive number of seconds\n",
					optarg);
				return 2;
			}
			break;
		case 'c': lines = 1; break;
		case 'h': kstat_usage(stdout); return 0;
		default: kstat_usage(stderr); return 2;
		}
	}
	if ((optind < argc) + lines + (secs > 0) != 1) {
		fprintf(stderr, "kstat: give one of: a command, -c or -s\n");
		kstat_usage(stderr);
		return 2;
	}
	memset(&a, 0, sizeof(a));
	a.enable_stats.type = BPF_STATS_RUN_TIME;
	stats = kstat_bpf(BPF_ENABLE_STATS, &a);
	if (stats < 0) {
		fprintf(stderr, "kstat: cannot enable BPF run-time statistics: %s\n", strerror(errno));
		return 1;
	}
	if (ids) {
		char *save = NULL;

		for (char *w = strtok_r(ids, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			char *end;
			unsigned long id = strtoul(w, &end, 10);

			if (*end || !*w) {
				fprintf(stderr, "kstat: -i: '%s' is not a program id\n", w);
				return 2;
			}
			err = kstat_add(id);
			if (err) {
				fprintf(stderr, "kstat: program %lu: %s\n", id, strerror(-err));
				return 1;
			}
		}
	}
	for (int i = 0; i < npids; i++) {
		err = kstat_add_pid(pids[i]);
		if (err) {
			fprintf(stderr, "kstat: process %s: %s\n", pids[i],
				err == -ENOENT ? "holds no BPF program" : strerror(-err));
			return 1;
		}
	}
	if (!ids && !npids) {
		err = kstat_add_all();
		if (err) {
			fprintf(stderr, "kstat: cannot list BPF programs: %s\n", strerror(-err));
			return 1;
		}
	}
	kstat_find_tps();
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, SIG_IGN);	/* the command gets it; we report after it */
	if (lines) {
		err = kstat_lines();
	} else if (secs > 0) {
		signal(SIGINT, SIG_DFL);
		kstat_snap_all();
		usleep((useconds_t)(secs * 1e6));
		kstat_print("", 0);
	} else {
		kstat_snap_all();
		err = kstat_run(argv + optind) ? 1 : 0;
		kstat_print(argv[optind], 0);
	}
	close(stats);
	return err ? 1 : 0;
}
