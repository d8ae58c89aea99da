/* SPDX-License-Identifier: GPL-2.0-only */
/* request.c: the commands that ask the monitor process itself: save
 * (SIGUSR1) and release (a queued signal to the response). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin_int.h"
#include "output.h"
#include "response.h"

/* Does process pid catch sig (its SigCgt mask)? */
static int proc_catches(pid_t pid, int sig)
{
	char path[600], line[128];
	unsigned long long mask;
	int yes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigCgt: %llx", &mask) == 1) {
			yes = (mask >> (sig - 1)) & 1;
			break;
		}
	fclose(f);
	return yes;
}

/* Tasks (threads) traced by process tracer, of process pid (0: any). */
static int traced_by(pid_t tracer, pid_t pid)
{
	char path[600], line[128];
	struct dirent *d, *td;
	DIR *dir, *tdir;
	int n = 0;

	dir = opendir("/proc");
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || (pid && atoi(d->d_name) != pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", d->d_name);
		tdir = opendir(path);
		if (!tdir)
			continue;
		while ((td = readdir(tdir))) {
			FILE *f;

			if (td->d_name[0] < '1' || td->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/status", d->d_name,
				 td->d_name);
			f = fopen(path, "re");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f))
				if (!strncmp(line, "TracerPid:", 10)) {
					n += atoi(line + 10) == tracer;
					break;
				}
			fclose(f);
		}
		closedir(tdir);
	}
	closedir(dir);
	return n;
}

/* ebph release: ask the monitor (a queued signal carrying the PID, 0 for
 * all) to let go the tasks it traces, and wait until it has. */
int cmd_release(const struct admin_opts *o, struct admin_ctx *x)
{
	pid_t mon = x->pid;
	union sigval v = { .sival_int = o->all ? 0 : (int)o->pid };
	int i, n;

	if (!mon) {
		fprintf(stderr, "ebph: no running ebph monitor: no task is held\n");
		return 1;
	}
	n = traced_by(mon, o->all ? 0 : (pid_t)o->pid);
	if (!n) {
		if (o->all)
			printf("no task is held or delayed\n");
		else
			fprintf(stderr, "ebph: process %ld is not held or delayed by ebph\n",
				o->pid);
		return o->all ? 0 : 1;
	}
	if (sigqueue(mon, RESP_RELEASE_SIG, v)) {
		fprintf(stderr, "ebph: cannot signal the monitor (PID %d): %s\n", (int)mon,
			strerror(errno));
		return 1;
	}
	for (i = 0; i < 100 && traced_by(mon, o->all ? 0 : (pid_t)o->pid); i++)
		usleep(50000);
	if (traced_by(mon, o->all ? 0 : (pid_t)o->pid) && !o->all) {
		fprintf(stderr, "ebph: process %ld is still traced by ebph after 5 s\n", o->pid);
		return 1;
	}
	printf("released %d task%s\n", n, n == 1 ? "" : "s");
	return 0;
}

int cmd_save(const struct admin_opts *o, struct admin_ctx *x)
{
	pid_t pid = x->pid;
	if (!pid) {
		fprintf(stderr, "ebph: no running ebph monitor: nothing to save\n");
		return 1;
	}
	if (!proc_catches(pid, SIGUSR1)) {
		fprintf(stderr, "ebph: the running ebph (PID %d) does not handle SIGUSR1: not "
			"sent\n", (int)pid);
		return 1;
	}
	if (kill(pid, SIGUSR1)) {
		out_warn("ebph: cannot signal the running ebph (PID %d): %s", (int)pid,
			strerror(errno));
		return 1;
	}
	if (o->json) {
		admin_json_head(stdout, "save", now_wall());
		printf(",\"pid\":%d,\"requester\":%d}\n", (int)pid, (int)getpid());
	} else {
		printf("asked the running ebph (PID %d) to save its profiles (it reports the save "
		       "on its stderr)\n", (int)pid);
	}
	return 0;
}
