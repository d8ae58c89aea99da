/* SPDX-License-Identifier: GPL-2.0-only */
/* bench/hook.c: the floor (an empty raw tracepoint on sys_exit) and a syscall-event counter. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>

#define HOOK_ARGS_MAX 64

/* Empty: the cheapest program on the every-syscall path. */
static const char hook_empty_text[] =
	"int hook_exit(struct bpf_raw_tracepoint_args *ctx)\n"
	"{\n"
	"	return 0;\n"
	"}\n";

/*
 * Counting: sys_exit events of every process in a tracked tree, per group.
 * A forked task is marked by its task pointer at sched_process_fork (in the
 * parent) and joins its parent's group at its own first event; a process
 * leaves when its leader exits, so that a recycled PID is not counted.
 */
static const char hook_count_text[] =
	"BPF_HASH(tracked, u32, u32, 65536);\n"
	"BPF_HASH(pending, u64, u32, 65536);\n"
	"BPF_ARRAY(counts, u64, 4096);\n"
	"int hook_exit(struct bpf_raw_tracepoint_args *ctx)\n"
	"{\n"
	"	u32 tgid = bpf_get_current_pid_tgid() >> 32;\n"
	"	u32 *g = tracked.lookup(&tgid);\n"
	"	u32 grp;\n"
	"	u64 *c;\n"
	"	if (g) {\n"
	"		grp = *g;\n"
	"	} else {\n"
	"		u64 t = bpf_get_current_task();\n"
	"		u32 *pg = pending.lookup(&t);\n"
	"		if (!pg)\n"
	"			return 0;\n"
	"		grp = *pg;\n"
	"		tracked.update(&tgid, &grp);\n"
	"		pending.delete(&t);\n"
	"	}\n"
	"	c = counts.lookup(&grp);\n"
	"	if (c)\n"
	"		__sync_fetch_and_add(c, 1);\n"
	"	return 0;\n"
	"}\n"
	"int hook_fork(struct bpf_raw_tracepoint_args *ctx)\n"
	"{\n"
	"	u32 tgid = bpf_get_current_pid_tgid() >> 32;\n"
	"	u32 *g = tracked.lookup(&tgid);\n"
	"	u64 child = ctx->args[1];\n"
	"	u32 grp;\n"
	"	if (!g)\n"
	"		return 0;\n"
	"	grp = *g;\n"
	"	pending.update(&child, &grp);\n"
	"	return 0;\n"
	"}\n"
	"int hook_exit_task(struct bpf_raw_tracepoint_args *ctx)\n"
	"{\n"
	"	u64 id = bpf_get_current_pid_tgid();\n"
	"	u32 tgid = id >> 32;\n"
	"	if ((u32)id == tgid)\n"
	"		tracked.delete(&tgid);\n"
	"	return 0;\n"
	"}\n";

#define HOOK_GROUPS 4096

struct hook {
	void *mod;
	int prog[3];
	int link[3];
	int nprog;
};

static volatile sig_atomic_t hook_stop;

static void hook_on_signal(int sig)
{
	(void)sig;
	hook_stop = 1;
}

static void hook_detach(struct hook *h)
{
	for (int i = 0; i < h->nprog; i++) {
		if (h->link[i] >= 0)
			close(h->link[i]);
		if (h->prog[i] >= 0)
			close(h->prog[i]);
	}
	h->nprog = 0;
	if (h->mod)
		bpf_module_destroy(h->mod);
	h->mod = NULL;
}

static int hook_load_one(struct hook *h, const char *fn, const char *tp)
{
	void *start = bpf_function_start(h->mod, fn);
	int i = h->nprog, fd;

	if (!start) {
		fprintf(stderr, "hook: no function %s in the program\n", fn);
		return -ENOENT;
	}
	fd = bcc_func_load(h->mod, BPF_PROG_TYPE_RAW_TRACEPOINT, fn, start,
			   bpf_function_size(h->mod, fn), bpf_module_license(h->mod),
			   bpf_module_kern_version(h->mod), 0, NULL, 0, NULL, 0);
	if (fd < 0) {
		fprintf(stderr, "hook: cannot load %s: %s\n", fn, strerror(errno));
		return -errno ? -errno : -EINVAL;
	}
	h->prog[i] = fd;
	h->link[i] = -1;
	h->nprog++;
	h->link[i] = bpf_attach_raw_tracepoint(fd, tp);
	if (h->link[i] < 0) {
		fprintf(stderr, "hook: cannot attach to raw tracepoint %s: %s\n", tp,
			strerror(errno));
		return -errno ? -errno : -EINVAL;
	}
	return 0;
}

static int hook_attach(struct hook *h, int count)
{
	const char *text = count ? hook_count_text : hook_empty_text;
	int err;

	h->mod = bpf_module_create_c_from_string(text, 0, NULL, 0, true, NULL);
	if (!h->mod) {
		fprintf(stderr, "hook: cannot compile the BPF program\n");
		return -EINVAL;
	}
	err = hook_load_one(h, "hook_exit", "sys_exit");
	if (!err && count)
		err = hook_load_one(h, "hook_fork", "sched_process_fork");
	if (!err && count)
		err = hook_load_one(h, "hook_exit_task", "sched_process_exit");
	if (err)
		hook_detach(h);
	return err;
}

/* Run one command line (words split on blanks) as group grp; return its events or -1. */
static long long hook_count_one(struct hook *h, char *line, unsigned grp)
{
	int tracked = bpf_table_fd(h->mod, "tracked");
	int counts = bpf_table_fd(h->mod, "counts");
	char *argv[HOOK_ARGS_MAX + 1];
	unsigned long long n = 0, zero = 0;
	int argc = 0, go[2], st;
	char *save = NULL, *w;
	pid_t pid;
	__u32 key;

	for (w = strtok_r(line, " \t\n", &save); w && argc < HOOK_ARGS_MAX;
	     w = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	if (!argc)
		return -1;
	key = grp;
	bpf_update_elem(counts, &key, &zero, 0);
	if (pipe(go))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		char b;

		close(go[1]);
		if (read(go[0], &b, 1) != 1)
			_exit(126);
		close(go[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "hook: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(go[0]);
	key = pid;
	if (bpf_update_elem(tracked, &key, &grp, 0))
		fprintf(stderr, "hook: cannot track pid %d: %s\n", pid, strerror(errno));
	if (write(go[1], "g", 1) != 1)
		fprintf(stderr, "hook: cannot start pid %d\n", pid);
	close(go[1]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	key = grp;
	if (bpf_lookup_elem(counts, &key, &n))
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "hook: %s exited with status %d\n", argv[0], st);
		return -1;
	}
	return (long long)n;
}

static void hook_usage(FILE *f)
{
	fprintf(f,
		"usage: hook [-c]\n"
		"Attach an empty BPF program to the raw tracepoint sys_exit (the floor of\n"
		"every-syscall tracing); print \"ready\" once attached; detach on SIGINT/SIGTERM.\n"
		"  -c   count instead: read command lines from stdin (words split on blanks),\n"
		"       run each with its descendants tracked and print\n"
		"       EVENTS<TAB>COMMAND LINE: the sys_exit events the process tree made\n"
		"EXAMPLES\n"
		"  hook &                                 # the floor, until kill -INT\n"
		"  echo 'bench/bin/ops -o null -n 1000' | hook -c\n");
}

int main(int argc, char **argv)
{
	struct hook h = { .mod = NULL, .nprog = 0 };
	struct sigaction sa;
	int count = 0, opt, rc = 0;

	while ((opt = getopt(argc, argv, "ch")) != -1) {
		switch (opt) {
		case 'c': count = 1; break;
		case 'h': hook_usage(stdout); return 0;
		default: hook_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		hook_usage(stderr);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hook_on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setlinebuf(stdout);
	if (hook_attach(&h, count))
		return 1;
	printf("ready\n");
	if (count) {
		char line[4096], copy[4096];
		unsigned grp = 0;

		while (!hook_stop && fgets(line, sizeof(line), stdin)) {
			long long n;

			line[strcspn(line, "\n")] = 0;
			snprintf(copy, sizeof(copy), "%s", line);
			n = hook_count_one(&h, copy, grp++ % HOOK_GROUPS);
			if (n < 0) {
				rc = 1;
				break;
			}
			printf("%lld\t%s\n", n, line);
		}
	} else {
		sigset_t block, old;

		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigprocmask(SIG_BLOCK, &block, &old);
		while (!hook_stop)
			sigsuspend(&old);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	hook_detach(&h);
	return rc;
}
