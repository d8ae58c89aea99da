/* SPDX-License-Identifier: GPL-2.0-only */
/* bench/startup.c: time from exec of a tracer to its "attached" banner, then stop it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STARTUP_BUF 65536

static double startup_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Read what is available into buf (keeping the tail); 0 on EOF, 1 on data, -1 on timeout. */
static int startup_read(int fd, char *buf, size_t *len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&p, 1, timeout_ms) <= 0)
		return -1;
	if (*len > STARTUP_BUF / 2) {
		memmove(buf, buf + *len - STARTUP_BUF / 4, STARTUP_BUF / 4);
		*len = STARTUP_BUF / 4;
	}
	n = read(fd, buf + *len, STARTUP_BUF - 1 - *len);
	if (n <= 0)
		return 0;
	*len += n;
	buf[*len] = 0;
	return 1;
}

static void startup_usage(FILE *f)
{
	fprintf(f,
		"usage: startup [-p PATTERN] [-t SECS] -- COMMAND [ARG...]\n"
		"Run COMMAND with stdout and stderr captured, print the milliseconds from\n"
		"its exec to the first output containing PATTERN (default \"Tracing\"),\n"
		"then send it SIGINT and print the milliseconds until it exited:\n"
		"  ATTACH_MS EXIT_MS\n"
		"Exit status 1 if the pattern did not appear within SECS (default 60):\n"
		"the command then gets SIGINT, and SIGKILL 10 s later.\n"
		"EXAMPLES\n"
		"  startup -- ./ebph -c bench.yaml -j\n"
		"  startup -p ready -- bench/bin/hook\n");
}

int main(int argc, char **argv)
{
	const char *pat = "Tracing";
	static char buf[STARTUP_BUF];
	double t0, t_attach = -1, t_int, t_exit;
	int timeout = 60, opt, out[2], st, r = 1;
	size_t len = 0;
	pid_t pid;

	while ((opt = getopt(argc, argv, "+p:t:h")) != -1) {
		switch (opt) {
		case 'p': pat = optarg; break;
		case 't': timeout = atoi(optarg); break;
		case 'h': startup_usage(stdout); return 0;
		default: startup_usage(stderr); return 2;
		}
	}
	if (optind >= argc || timeout <= 0) {
		startup_usage(stderr);
		return 2;
	}
	if (pipe2(out, O_CLOEXEC)) {
		perror("startup: pipe");
		return 1;
	}
	t0 = startup_ms();
	pid = fork();
	if (pid < 0) {
		perror("startup: fork");
		return 1;
	}
	if (!pid) {
		dup2(out[1], 1);
		dup2(out[1], 2);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "startup: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	while (t_attach < 0 && r != 0) {
		int left = (int)(t0 + timeout * 1e3 - startup_ms());

		if (left <= 0)
			break;
		r = startup_read(out[0], buf, &len, left);
		if (r > 0 && strstr(buf, pat))
			t_attach = startup_ms();
		if (r < 0)
			break;
	}
	t_int = startup_ms();
	kill(pid, SIGINT);
	/* Drain until EOF so the command never blocks on a full pipe. */
	while (startup_ms() - t_int < 10e3 && startup_read(out[0], buf, &len, 100) != 0)
		;
	if (waitpid(pid, &st, WNOHANG) == 0) {
		fprintf(stderr, "startup: %s did not exit on SIGINT: killing it\n", argv[optind]);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &st, 0);
	t_exit = startup_ms();
	if (t_attach < 0) {
		fprintf(stderr, "startup: no \"%s\" from %s; its last output:\n%s\n", pat,
			argv[optind], len > 2000 ? buf + len - 2000 : buf);
		return 1;
	}
	printf("%.1f %.1f\n", t_attach - t0, t_exit - t_int);
	return 0;
}
