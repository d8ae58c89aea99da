/* bench/flood.c: an anomaly flood: learn one behaviour, then make system calls never seen. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FLOOD_CHECK 1024	/* calls between two looks at the clock */

static double flood_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void flood_usage(FILE *f)
{
	fprintf(f,
		"usage: flood train N | flood burst SECS\n"
		"The two behaviours of one program (one ebph profile):\n"
		"  train N     N getppid calls: the normal behaviour to learn\n"
		"  burst SECS  getuid calls for SECS seconds, then print how many: once the\n"
		"              profile is normal, every one of them is an anomaly (pairs never\n"
		"              seen), and the burst keeps the task over tolerize_limit, so\n"
		"              the profile stays normal and reports on every call\n"
		"Both share their start and exit, so a profile trained with \"train\" sees\n"
		"nothing new in them. Exit status 2 on bad arguments.\n"
		"EXAMPLES\n"
		"  flood train 20000; flood burst 5\n");
}

int main(int argc, char **argv)
{
	char *end;
	double v, t0, t1;
	unsigned long long n = 0;

	if (argc != 3) {
		flood_usage(stderr);
		return 2;
	}
	v = strtod(argv[2], &end);
	if (*end || v <= 0) {
		fprintf(stderr, "flood: '%s' is not a positive number\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "train")) {
		for (long i = 0; i < (long)v; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (strcmp(argv[1], "burst")) {
		flood_usage(stderr);
		return 2;
	}
	t0 = flood_now();
	t1 = t0;
	while (t1 - t0 < v) {
		for (int i = 0; i < FLOOD_CHECK; i++)
			syscall(SYS_getuid);
		n += FLOOD_CHECK;
		t1 = flood_now();
	}
	printf("%llu %.6f\n", n, t1 - t0);
	return 0;
}
