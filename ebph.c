/* SPDX-License-Identifier: GPL-2.0-only */
/* ebph.c: main: options, start-up checks, the monitor loop, shutdown. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>
#include <bpf/libbpf.h>

#include "syscalls.h"
#include "ebph.h"
#include "btf.h"
#include "cli.h"
#include "config.h"
#include "fill.h"
#include "output.h"
#include "prog.h"
#include "maps.h"
#include "store.h"
#include "admin.h"
#include "filter.h"
#include "attr.h"
#include "response.h"
#include "sink.h"
#include "lsm.h"
#include "scope.h"

_Static_assert(sizeof(struct ebph_event) == 536, "ebph_event layout");
_Static_assert(sizeof(struct ebph_edge_key) == 40, "ebph_edge_key layout");
_Static_assert(sizeof(struct ebph_task) == 896, "ebph_task layout");
_Static_assert(sizeof(struct ebph_row) == 16 + EBPH_ROW_BYTES, "ebph_row layout");
_Static_assert(sizeof(struct ebph_profile) % 8 == 0, "ebph_profile layout");
_Static_assert(sizeof(struct ebph_info) <= 8192, "ebph_info: admin.c's pin_owner_at reads 8 KiB");

struct monitor {
	struct ebph_config cfg;
	struct ebph_opts opts;
	struct ebph_prog prog;
	struct out_ctx out;
	struct filter filter;	/* which events to print */
	struct maps_fds maps;	/* the profile maps, for loading and saving */
	char **paths;		/* profile slot -> path, NULL = not known yet */
	struct ebph_key *unloaded;	/* saved profiles refused at load, sorted */
	size_t nunloaded;
	struct mon_ident **ids;	/* profile slot -> file handle, NULL = none */
	__u8 *marked;		/* profile slot -> 1 while its path is not resolved */
	__u64 *retired;		/* profile slot -> boot ns it was replaced, 0 = not,
				 * MON_PRUNED = pruned */
	__u32 nretired;		/* slots retired and not yet pruned */
	int unresolved;		/* slots marked */
	int use_store;		/* state_dir is usable */
	int settings_ready;	/* the command program is loaded: programs entries apply */
	int ncpus;		/* possible CPUs, for per-CPU maps */
	int out_failed;		/* stdout closed (e.g. | head) */
	struct attr_table attr;	/* execs and cgroup paths, for attribution */
	struct sink sink;	/* the journal and the events file */
	char hostname[256];	/* JSON "hostname" */
	struct resp resp;	/* response: delays and execve holds */
	int resp_on;		/* resp is set up */
	__u32 exec_mode;	/* enum ebph_exec_mode in force */
	__u32 lsm_btf_id;	/* refuse: the LSM hook's BTF id */
	char exec_why[LSM_WHY_MAX];	/* why that mode */
	double tokens;		/* output_rate: lines that may be printed now */
	__u64 tokens_ns;	/* when tokens was last refilled (monotonic ns) */
	__u64 suppressed;	/* lines left out in all */
	__u64 *sup_lines;	/* per profile slot (+1: no profile): lines left out */
	__u64 *sup_anoms;	/* ... and the anomalies they carried */
	__u64 sup_pending;	/* lines left out since the last report */
	__u64 sup_report_ns;	/* when suppressed lines were last reported */
	__u64 alert_losses;	/* alerts_only: losses and full maps at the last status */
};

/* The file handle of a profile's executable (saved with it, for prune). */
struct mon_ident {
	__u64 fsid;
	__s32 handle_type;
	__u32 handle_len;	/* 0: the file system has no handles */
	__u8 handle[STORE_HANDLE_MAX];
};

#define MON_PRUNED	(~0ULL)

static volatile sig_atomic_t stop_requested, save_requested, save_requester, reopen_requested;

/* SIGUSR1 asks for a save (remembering who sent it); SIGHUP to reopen the
 * events file (logrotate); SIGINT, SIGTERM stop. */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGHUP) {
		reopen_requested = 1;
	} else if (sig == SIGUSR1) {
		save_requester = si && si->si_code <= 0 ? (sig_atomic_t)si->si_pid : 0;
		save_requested = 1;
	} else if (sig == SIGCHLD) {
		/* a traced task stopped: the poll returns (EINTR) */
	} else if (sig == RESP_RELEASE_SIG) {
		if (si && si->si_code == SI_QUEUE && si->si_uid == 0)
			resp_request((pid_t)si->si_value.sival_int);
	} else {
		stop_requested = 1;
	}
}

static __u64 now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}


/* The optional file-system members (FILL_MISSING when absent), and one note
 * per file system whose identity rule is off for want of them. */
static void resolve_fs_offsets(const struct ebph_btf *btf, __u32 *fs_offs, int quiet)
{
	const struct fill_fs_member *fm = fill_fs_members;
	unsigned int i, g;
	int ret;

	for (i = 0; i < fill_fs_nmembers; i++) {
		fm = &fill_fs_members[i];
		if (!strncmp(fm->type, "enum ", 5))
			ret = kbtf_enum_value(btf, fm->type + 5, fm->member, &fs_offs[i], NULL, 0);
		else
			ret = kbtf_offset(btf, fm->type, fm->member, &fs_offs[i], NULL, 0);
		if (ret)
			fs_offs[i] = FILL_MISSING;
	}
	for (g = 0; g < fill_nfs && !quiet; g++) {
		if (fill_fs_enabled(fs_offs, fill_fs[g].group))
			continue;
		for (i = 0; i < fill_fs_nmembers; i++) {
			fm = &fill_fs_members[i];
			if (fs_offs[i] == FILL_MISSING &&
			    (!fm->group[0] || !strcmp(fm->group, fill_fs[g].group)))
				break;
		}
		fprintf(stderr, "ebph: note: %s.%s is not in %s: executables on %s are keyed by "
			"their superblock's device, not by stat's (see ebph(8), IDENTITY)\n",
			fm->type, fm->member, BTF_VMLINUX, fill_fs[g].group);
	}
}

/* Resolve every kernel member the template needs from the running kernel's
 * BTF (optional ones it lacks as FILL_OFF_NONE), and the BTF ids of the
 * sys_exit and sched_process_fork tracepoints' types (0 if none). */
static int resolve_offsets(__u32 *offs, __u32 *fs_offs, __u32 *sys_exit_id, __u32 *fork_id,
			   int quiet)
{
	struct ebph_btf *btf;
	char err[256];
	int ret;

	ret = kbtf_open(&btf, BTF_VMLINUX, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ebph: %s\n", err);
		if (ret == -ENOENT)
			fprintf(stderr, "ebph: this kernel has no BTF: ebph needs a kernel built "
				"with CONFIG_DEBUG_INFO_BTF=y\n");
		else if (ret == -EINVAL)
			fprintf(stderr, "ebph: the libbpf ebph is linked with may be older than this "
				"kernel's BTF (kernels 6.0 and later need libbpf 1.0 or later)\n");
		return ret;
	}
	ret = fill_offsets(btf, offs, err, sizeof(err));
	if (ret)
		fprintf(stderr, "ebph: %s\n", err);
	else
		resolve_fs_offsets(btf, fs_offs, quiet);
	if (kbtf_type_id(btf, "btf_trace_sys_exit", BTF_KIND_TYPEDEF, sys_exit_id))
		*sys_exit_id = 0;
	if (kbtf_type_id(btf, "btf_trace_sched_process_fork", BTF_KIND_TYPEDEF, fork_id))
		*fork_id = 0;
	kbtf_close(btf);
	return ret;
}

/* bcc needs kernel headers: /lib/modules/$(uname -r)/build (or source). */
static int check_headers(void)
{
	struct utsname u;
	char path[PATH_MAX];

	if (uname(&u))
		return 0;
	snprintf(path, sizeof(path), "/lib/modules/%s/build/include/linux/kconfig.h", u.release);
	if (!access(path, R_OK))
		return 0;
	snprintf(path, sizeof(path), "/lib/modules/%s/source/include/linux/kconfig.h", u.release);
	if (!access(path, R_OK))
		return 0;
	fprintf(stderr, "ebph: no kernel headers for %s (bcc compiles against "
		"/lib/modules/%s/build): run scripts/install-deps.sh, or install your "
		"distribution's linux-headers package\n", u.release, u.release);
	return -ENOENT;
}

/* The profile's path: cached, else from the BPF paths map. */
static const char *mon_path(struct monitor *m, __u32 slot)
{
	char buf[EBPH_PATH_MAX];

	if (slot >= m->cfg.max_profiles)
		return NULL;
	if (!m->paths[slot]) {
		if (bpf_lookup_elem(m->prog.paths, &slot, buf))
			return NULL;
		buf[sizeof(buf) - 1] = 0;
		m->paths[slot] = strdup(buf);
	}
	return m->paths[slot];
}

/* Run a command of the BPF program's command entry point on slot. 0 or -errno. */
static int mon_command(struct monitor *m, __u32 op, __u32 slot, __u64 arg)
{
	return maps_command(m->prog.cmd, op, slot, arg);
}

/* A programs entry's limits as the command program takes them
 * (EBPH_CMD_LIMITS): the EBPH_LIM_* set, then the values. */
static void mon_limits_args(const struct cfg_program *pr, __u32 slot,
			    __u64 args[EBPH_CMD_ARGS])
{
	static const struct {
		__u32 cfg, lim;
	} bits[] = {
		{ CFG_P_ANOMALY_LIMIT, EBPH_LIM_ANOMALY_LIMIT },
		{ CFG_P_TOLERIZE_LIMIT, EBPH_LIM_TOLERIZE_LIMIT },
		{ CFG_P_ALERT_LFC, EBPH_LIM_ALERT_LFC },
		{ CFG_P_MAX_ROWS_PER_PROFILE, EBPH_LIM_MAX_ROWS },
		{ CFG_P_ANOMALY_PERIOD, EBPH_LIM_ANOMALY_PERIOD },
	};
	size_t i;

	args[0] = EBPH_CMD_LIMITS;
	args[1] = slot;
	args[2] = 0;
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (pr->set & bits[i].cfg)
			args[2] |= bits[i].lim;
	args[3] = pr->anomaly_limit;
	args[4] = pr->tolerize_limit;
	args[5] = pr->alert_lfc;
	args[6] = pr->max_rows_per_profile;
	args[7] = pr->anomaly_period * 1000000000ULL;
}

/* The programs entry matching the profile's path, applied to it by the
 * command program: auto_tolerize (EBPH_CMD_NO_TOLERIZE), its limits
 * (EBPH_CMD_LIMITS), its normal_wait or ignore (never normal:
 * EBPH_CMD_SETTINGS). At start for every resolved profile, then for each
 * new one. */
static void mon_settings(struct monitor *m, __u32 slot, const char *path)
{
	const struct cfg_program *pr;
	__u64 wait, args[EBPH_CMD_ARGS];
	int ret;

	if (!m->settings_ready || !m->cfg.nprograms)
		return;
	pr = cfg_program_of(&m->cfg, path);
	if (!pr)
		return;
	if (!pr->auto_tolerize) {	/* anomaly_limit never ends its normal monitoring */
		ret = mon_command(m, EBPH_CMD_NO_TOLERIZE, slot, 0);
		if (ret)
			out_warn("ebph: %s: cannot apply its programs entry: %s", path,
				 strerror(-ret));
	}
	mon_limits_args(pr, slot, args);
	if (args[2]) {
		ret = maps_command_args(m->prog.cmd, args, EBPH_CMD_ARGS);
		if (ret)
			out_warn("ebph: %s: cannot apply its programs entry: %s", path,
				 strerror(-ret));
	}
	if (pr->mode == CFG_MODE_IGNORE)
		wait = EBPH_WAIT_NEVER;
	else if (pr->set & CFG_P_NORMAL_WAIT)
		wait = pr->normal_wait ? pr->normal_wait * 1000000000ULL : 1;
	else
		return;
	ret = mon_command(m, EBPH_CMD_SETTINGS, slot, wait);
	if (ret)
		out_warn("ebph: %s: cannot apply its programs entry: %s", path, strerror(-ret));
}

/* Set slot's path (cached, and in the BPF paths map for the commands). */
static void mon_set_path(struct monitor *m, __u32 slot, const char *path)
{
	char buf[EBPH_PATH_MAX] = "";

	snprintf(buf, sizeof(buf), "%s", path);
	free(m->paths[slot]);
	m->paths[slot] = strdup(buf);
	bpf_update_elem(m->prog.paths, &slot, buf, BPF_ANY);
	mon_settings(m, slot, buf);
}

/* 0 if path is the file of key (stat follows symbolic links). */
static int mon_is_file(const char *path, const struct ebph_key *key)
{
	struct stat st;

	if (stat(path, &st) || st.st_ino != key->ino || st.st_dev != out_user_dev(key->dev))
		return -ENOENT;
	return 0;
}

/*
 * Resolve slot's path: from /proc/PID/exe, whose readlink gives the path
 * from the monitor's root (the host's, also for a task in a chroot), else
 * from the kernel's name (name, as executed) made canonical with realpath;
 * kept only if that path is the profile's file (key). A path too long for
 * EBPH_PATH_MAX keeps its end after "...". 0 if resolved.
 */
static int mon_resolve(struct monitor *m, __u32 slot, __u32 pid, const struct ebph_key *key,
		       const char *name)
{
	char proc[64], link[PATH_MAX];
	struct store_profile *p;
	struct mon_ident *id;
	size_t len;
	ssize_t n;

	if (slot >= m->cfg.max_profiles)
		return -EINVAL;
	if (m->paths[slot] && !m->marked[slot])
		return 0;
	snprintf(proc, sizeof(proc), "/proc/%u/exe", pid);
	n = pid && !mon_is_file(proc, key) ? readlink(proc, link, sizeof(link) - 1) : -1;
	if (n > 0)
		link[n] = 0;
	if (n <= 0 || link[0] != '/' || mon_is_file(link, key)) {
		/* gone, running something else, or its file deleted or out of reach */
		if (!name || name[0] != '/' || !realpath(name, link) || mon_is_file(link, key))
			return -ENOENT;
	}
	p = calloc(1, sizeof(*p));
	id = calloc(1, sizeof(*id));
	if (!p || !id) {
		free(p);
		free(id);
		return -ENOMEM;
	}
	p->key = *key;
	if (!store_set_handle(p, link)) {
		id->fsid = p->fsid;
		id->handle_type = p->handle_type;
		id->handle_len = p->handle_len;
		memcpy(id->handle, p->handle, p->handle_len);
	}
	free(p);
	len = strlen(link);
	if (len > EBPH_PATH_MAX - 1) {	/* "..." and the last bytes */
		memmove(link + 3, link + len - (EBPH_PATH_MAX - 4), EBPH_PATH_MAX - 3);
		memcpy(link, "...", 3);
	}
	free(m->ids[slot]);
	m->ids[slot] = id;
	if (m->marked[slot]) {
		m->marked[slot] = 0;
		m->unresolved--;
	}
	mon_set_path(m, slot, link);
	return 0;
}

/* A script's profile is named by both: "INTERPRETER SCRIPT", the
 * interpreter's path from its own profile or /proc/PID/exe (else "?"), the
 * script as executed made absolute with the process's working directory
 * (ebph(8) SCRIPTS). */
static void mon_script_path(struct monitor *m, const struct ebph_event *e)
{
	char proc[64], exe[PATH_MAX] = "?", cwd[PATH_MAX] = "", buf[2 * PATH_MAX + 2];
	struct ebph_key key = { .dev = e->dev, .ino = e->ino };
	const char *ip = NULL;
	__u32 slot;
	ssize_t n;

	if (!maps_find(&m->maps, &key, &slot) && slot < m->cfg.max_profiles)
		ip = mon_path(m, slot);
	if (ip && ip[0] == '/') {
		snprintf(exe, sizeof(exe), "%s", ip);
	} else {
		snprintf(proc, sizeof(proc), "/proc/%u/exe", e->pid);
		n = readlink(proc, exe, sizeof(exe) - 1);
		if (n > 0)
			exe[n] = 0;
		else if (ip && *ip)	/* its profile's unresolved name, "?dash" */
			snprintf(exe, sizeof(exe), "%s", ip);
		else
			snprintf(exe, sizeof(exe), "?");
	}
	if (e->path[0] != '/') {
		snprintf(proc, sizeof(proc), "/proc/%u/cwd", e->pid);
		n = readlink(proc, cwd, sizeof(cwd) - 2);
		if (n > 0) {
			cwd[n] = '/';
			cwd[n + 1] = 0;
		} else {
			snprintf(cwd, sizeof(cwd), "?");
		}
	}
	snprintf(buf, sizeof(buf), "%s %s%s", exe,
		 cwd, e->path[0] == '.' && e->path[1] == '/' ? e->path + 2 : e->path);
	mon_set_path(m, e->profile, buf);
}

/* A profile whose path is not resolved (yet): the kernel's name for it,
 * marked with '?' (ebph(8), PATHS), or with keep a path resolved earlier. */
static void mon_unresolved(struct monitor *m, __u32 slot, const char *name, int keep)
{
	char buf[EBPH_PATH_MAX];

	if (keep || name[0] == '?' || !strncmp(name, "...", 3))
		snprintf(buf, sizeof(buf), "%s", name);
	else
		snprintf(buf, sizeof(buf), "?%s", name);
	if (!m->marked[slot]) {
		m->marked[slot] = 1;
		m->unresolved++;
	}
	mon_set_path(m, slot, buf);
}

/* Resolve the unresolved profiles that some running process executes. */
static void mon_resolve_all(struct monitor *m)
{
	struct ebph_key key = { 0 };
	struct dirent *d;
	char proc[300];
	struct stat st;
	__u32 slot;
	DIR *dir;

	if (m->unresolved <= 0 || !(dir = opendir("/proc")))
		return;
	while (m->unresolved > 0 && (d = readdir(dir))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(proc, sizeof(proc), "/proc/%s/exe", d->d_name);
		if (stat(proc, &st))
			continue;
		key.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
		key.ino = st.st_ino;
		if (!maps_find(&m->maps, &key, &slot) && slot < m->cfg.max_profiles &&
		    m->marked[slot])
			mon_resolve(m, slot, (__u32)atoi(d->d_name), &key, NULL);
	}
	closedir(dir);
}

/* output_rate: 1 if one more event line may be printed now (a token
 * bucket holding at most one second's worth), else count it as left out,
 * against its profile with the anomalies it carries. */
static int mon_rate_ok(struct monitor *m, const struct ebph_event *e)
{
	__u64 now = now_ns(CLOCK_MONOTONIC);
	__u32 slot = e->profile < m->cfg.max_profiles ? e->profile : m->cfg.max_profiles;
	double rate = m->cfg.output_rate;

	if (!m->cfg.output_rate)
		return 1;
	if (!m->tokens_ns)
		m->tokens = rate;
	else
		m->tokens += (now - m->tokens_ns) * rate / 1e9;
	if (m->tokens > rate)
		m->tokens = rate;
	m->tokens_ns = now;
	if (m->tokens >= 1) {
		m->tokens -= 1;
		return 1;
	}
	m->suppressed++;
	m->sup_pending++;
	m->sup_lines[slot]++;
	m->sup_anoms[slot] += out_event_anomalies(e);
	return 0;
}

/* One "suppressed" line per profile whose lines output_rate left out since
 * the last report (at most once a second, and at exit with force). */
static void mon_report_suppressed(struct monitor *m, int force)
{
	__u64 now = now_ns(CLOCK_MONOTONIC), ts = now_ns(CLOCK_BOOTTIME);
	struct ebph_profile *prof;
	__u32 slot;

	if (!m->sup_pending || (!force && now - m->sup_report_ns < 1000000000ULL))
		return;
	prof = malloc(sizeof(*prof));
	for (slot = 0; slot <= m->cfg.max_profiles; slot++) {
		struct ebph_key key = { 0 };

		if (!m->sup_lines[slot])
			continue;
		if (prof && slot < m->cfg.max_profiles &&
		    !bpf_lookup_elem(m->prog.profiles, &slot, prof))
			key = prof->key;
		out_suppressed(&m->out, ts, &key, mon_path(m, slot), m->sup_lines[slot],
			       m->sup_anoms[slot]);
		m->sup_lines[slot] = 0;
		m->sup_anoms[slot] = 0;
	}
	free(prof);
	m->sup_pending = 0;
	m->sup_report_ns = now;
}

/* A copy of the profile in slot, NULL if none (free it). */
static struct ebph_profile *mon_profile_at(struct monitor *m, __u32 slot)
{
	struct ebph_profile *prof = malloc(sizeof(*prof));

	if (prof && (bpf_lookup_elem(m->prog.profiles, &slot, prof) ||
		     (!prof->key.dev && !prof->key.ino))) {
		free(prof);
		return NULL;
	}
	return prof;
}

/* A new profile whose path another profile had: the executable was replaced
 * at its path (a package upgrade: new file, new inode). Report it once, and
 * retire the old profile: kept retired_keep for a rollback, then pruned
 * (mon_prune_retired). */
static void mon_replaced(struct monitor *m, __u32 slot, const struct ebph_key *key, __u64 ts)
{
	const char *path = m->paths[slot];
	struct ebph_profile *old;
	__u32 s;

	if (!path || path[0] != '/')
		return;
	for (s = 0; s < m->cfg.max_profiles; s++) {
		if (s == slot || m->retired[s] || m->marked[s] || !m->paths[s] ||
		    strcmp(m->paths[s], path))
			continue;
		old = mon_profile_at(m, s);
		if (!old)
			continue;
		if ((old->key.dev == key->dev && old->key.ino == key->ino) ||
		    !mon_is_file(path, &old->key)) {
			free(old);	/* the same file, or the old one is back (rollback) */
			continue;
		}
		m->retired[s] = ts ? ts : 1;
		m->nretired++;
		if (m->out.json || (!m->opts.pid && !m->opts.comm))	/* host-wide, as status */
			out_replaced(&m->out, ts, &old->key, key, path,
				     ts + m->cfg.retired_keep * 1000000000ULL);
		free(old);
	}
}

/* Prune the retired profiles kept longer than retired_keep: forget them in
 * the maps (the command program) and delete their saved files. */
static void mon_prune_retired(struct monitor *m)
{
	__u64 now = now_ns(CLOCK_BOOTTIME), keep = m->cfg.retired_keep * 1000000000ULL;
	struct ebph_profile *old;
	char err[512];
	__u32 s;
	int ret;

	for (s = 0; m->nretired && s < m->cfg.max_profiles; s++) {
		if (!m->retired[s] || m->retired[s] == MON_PRUNED || now - m->retired[s] < keep)
			continue;
		m->retired[s] = MON_PRUNED;
		m->nretired--;
		old = mon_profile_at(m, s);
		if (!old)
			continue;
		ret = mon_command(m, EBPH_CMD_FORGET, s, 0);
		if (!ret && m->use_store)
			ret = store_delete(m->cfg.state_dir, &old->key, err, sizeof(err));
		if (ret && ret != -ENOENT)
			out_warn("ebph: cannot prune the retired profile of %s: %s",
				 m->paths[s] ? m->paths[s] : "?", strerror(-ret));
		else
			fprintf(stderr, "ebph: pruned the retired profile %llu:%llu of %s "
				"(replaced %llus ago)\n",
				(unsigned long long)out_user_dev(old->key.dev),
				(unsigned long long)old->key.ino, m->paths[s] ? m->paths[s] : "?",
				(unsigned long long)(keep / 1000000000));
		free(old);
	}
}

/* Print an event with what the monitor knows of its process. */
static void mon_print(struct monitor *m, const struct ebph_event *e)
{
	struct out_attr a;

	attr_fill(&m->attr, e->pid, e->cgroup, &a);
	m->out.attr = &a;
	out_event(&m->out, e, e->type == EBPH_EV_PROFILE_REFUSED ? e->path :
		  mon_path(m, e->profile));
	m->out.attr = NULL;
}

static void mon_print_cb(const struct ebph_event *e, void *arg)
{
	mon_print(arg, e);
}

/* Before the first event about what a process did (an anomaly, a summary,
 * a tolerize_limit) is printed: the execs that started its parent and it,
 * once each, so that a reader sees which program was started and by whom. */
static void mon_print_execs(struct monitor *m, const struct ebph_event *e)
{
	const struct ebph_event *x;

	if (e->type != EBPH_EV_ANOMALY && e->type != EBPH_EV_ANOMALY_SUMMARY &&
	    e->type != EBPH_EV_TOLERIZE_LIMIT && e->type != EBPH_EV_EXEC_ANOMALY)
		return;
	x = attr_take_exec(&m->attr, e->ppid);
	if (x)
		mon_print(m, x);
	x = attr_take_exec(&m->attr, e->pid);
	if (x)
		mon_print(m, x);
	attr_flag(&m->attr, e->pid, mon_print_cb, m);
}

/* The programs profile slot starts in its testing data, for an exec
 * anomaly's explanation: "N: PATH,PATH,..." (as many as fit). */
static const char *mon_edges(struct monitor *m, __u32 slot, char *buf, size_t len)
{
	struct maps_edge ed[EBPH_EDGES_MAX];
	size_t used;
	int i, n, shown = 0, tested = 0;
	__u32 cslot;

	n = maps_edges(&m->maps, slot, ed, EBPH_EDGES_MAX);
	if (n < 0)
		return NULL;
	for (i = 0; i < n; i++)
		tested += ed[i].test;
	used = snprintf(buf, len, "%d:", tested);
	for (i = 0; i < n && used < len; i++) {
		const char *p = NULL;

		if (!ed[i].test)
			continue;
		if (!maps_find(&m->maps, &ed[i].child, &cslot))
			p = mon_path(m, cslot);
		if (used + (p ? strlen(p) : 24) + 8 >= len) {
			used += snprintf(buf + used, len - used, "%s...", shown ? "," : "");
			break;
		}
		if (p)
			used += snprintf(buf + used, len - used, "%s%s", shown ? "," : "", p);
		else
			used += snprintf(buf + used, len - used, "%s%llu:%llu", shown ? "," : "",
					 (unsigned long long)out_user_dev(ed[i].child.dev),
					 (unsigned long long)ed[i].child.ino);
		shown++;
	}
	return buf;
}

/* The alert_lfc an anomaly or summary of e's profile is judged by: its
 * programs entry's (as applied with EBPH_CMD_LIMITS), else the config's. */
static __u32 mon_alert_lfc(struct monitor *m, const struct ebph_event *e)
{
	const struct cfg_program *pr;

	if (!m->cfg.nprograms || (e->type != EBPH_EV_ANOMALY && e->type != EBPH_EV_ANOMALY_SUMMARY) ||
	    e->profile >= m->cfg.max_profiles || m->marked[e->profile])
		return m->cfg.alert_lfc;
	pr = cfg_program_of(&m->cfg, mon_path(m, e->profile));
	return pr && (pr->set & CFG_P_ALERT_LFC) ? pr->alert_lfc : m->cfg.alert_lfc;
}

static int mon_event(void *ctx, void *data, size_t size)
{
	struct monitor *m = ctx;
	struct ebph_event e;
	char edges[OUT_EDGES_MAX];

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	e.comm[sizeof(e.comm) - 1] = 0;
	e.path[sizeof(e.path) - 1] = 0;
	if (m->resp_on)
		resp_event(&m->resp, &e);
	if (e.type == EBPH_EV_NEW_PROFILE && e.scope)
		scope_path(e.scope);	/* its cgroup's path, while the cgroup exists */
	if (e.type == EBPH_EV_NEW_PROFILE && e.dev == EBPH_ANON_DEV) {
		/* "[memfd]", "[unlinked]": names of a kind, no file to resolve */
	} else if (e.type == EBPH_EV_NEW_PROFILE && e.script && e.profile < m->cfg.max_profiles) {
		mon_script_path(m, &e);
	} else if (e.type == EBPH_EV_NEW_PROFILE && e.profile < m->cfg.max_profiles) {
		struct ebph_key key = { .dev = e.dev, .ino = e.ino };

		free(m->paths[e.profile]);	/* an event of another CPU may have come first */
		m->paths[e.profile] = NULL;
		if (mon_resolve(m, e.profile, e.pid, &key, e.path))
			mon_unresolved(m, e.profile, e.path, 0);
		else
			mon_replaced(m, e.profile, &key, e.ts);
	} else if (e.profile < m->cfg.max_profiles && m->marked[e.profile]) {
		struct ebph_key key = { .dev = e.dev, .ino = e.ino };

		mon_resolve(m, e.profile, e.pid, &key, NULL);	/* a live process of it: retry */
	}
	if (e.type == EBPH_EV_EXEC) {
		/* printed now if the process or its parent had anomalies, else
		 * before its own first anomaly, if any */
		if (attr_exec(&m->attr, &e) && filter_match(&m->filter, e.pid, e.ppid, e.comm))
			mon_print(m, &e);
		return 0;
	}
	m->out.alert_lfc = mon_alert_lfc(m, &e);
	if (!filter_match(&m->filter, e.pid, e.ppid, e.comm) ||
	    (m->cfg.alerts_only && !out_event_alert(&m->out, &e)) || !mon_rate_ok(m, &e))
		return 0;
	mon_print_execs(m, &e);
	if (e.type == EBPH_EV_EXEC_ANOMALY || e.type == EBPH_EV_EDGES_FULL) {
		m->out.child_path = mon_path(m, e.child_profile);
		if (e.type == EBPH_EV_EXEC_ANOMALY)
			m->out.edges = mon_edges(m, e.profile, edges, sizeof(edges));
	}
	mon_print(m, &e);
	m->out.child_path = NULL;
	m->out.edges = NULL;
	return 0;
}

static __u64 stat_sum(struct monitor *m, __u32 idx)
{
	__u64 vals[m->ncpus], sum = 0;
	int i;

	if (bpf_lookup_elem(m->prog.stats, &idx, vals))
		return 0;
	for (i = 0; i < m->ncpus; i++)
		sum += vals[i];
	return sum;
}

static __u64 alloc_used(struct monitor *m, __u32 idx, __u64 max)
{
	__u64 v = 0;

	bpf_lookup_elem(m->prog.alloc, &idx, &v);
	return v < max ? v : max;
}

/* Visit every allocated profile slot. */
static void mon_profiles(struct monitor *m, void (*fn)(struct monitor *, __u32,
						       const struct ebph_profile *, void *),
			 void *arg)
{
	__u64 n = alloc_used(m, EBPH_A_PROFILES, m->cfg.max_profiles);
	struct ebph_profile *prof = malloc(sizeof(*prof));
	__u32 slot;

	if (!prof)
		return;
	for (slot = 0; slot < n; slot++) {
		if (bpf_lookup_elem(m->prog.profiles, &slot, prof))
			continue;
		if (!prof->key.dev && !prof->key.ino)
			continue;	/* lost a creation race: unused */
		fn(m, slot, prof, arg);
	}
	free(prof);
}

static void count_profile(struct monitor *m, __u32 slot, const struct ebph_profile *p, void *arg)
{
	struct out_status *s = arg;

	(void)m;
	(void)slot;
	s->profiles++;
	s->anomalies_lost += p->anomalies_lost;
	if (p->state == EBPH_TRAINING)
		s->training++;
	else if (p->state == EBPH_FROZEN)
		s->frozen++;
	else
		s->normal++;
	s->snapshot_rows += p->ntest;
}

/* The execve mode's name (ebph_info.exec_mode, suspend events). */
static const char *mon_exec_name(__u32 mode)
{
	return mode == EBPH_EXEC_REFUSE ? "refuse" : mode == EBPH_EXEC_HOLD ? "hold" : "off";
}

static void mon_status(struct monitor *m, int final)
{
	struct out_status s = { 0 };
	__u64 born, dead;
	int ret;

	s.ts = now_ns(CLOCK_BOOTTIME);
	s.final = final;
	mon_profiles(m, count_profile, &s);
	born = stat_sum(m, EBPH_S_NEW_TASKS);
	dead = stat_sum(m, EBPH_S_DEAD_TASKS);
	s.tasks = born > dead ? born - dead : 0;
	s.syscalls = stat_sum(m, EBPH_S_SYSCALLS);
	s.anomalies = stat_sum(m, EBPH_S_ANOMALIES);
	s.lost_events = stat_sum(m, EBPH_S_LOST_EVENTS);
	s.tasks_full = stat_sum(m, EBPH_S_TASKS_FULL);
	s.profiles_full = stat_sum(m, EBPH_S_PROFILES_FULL);
	s.rows_full = stat_sum(m, EBPH_S_ROWS_FULL);
	s.suppressed = m->suppressed;
	s.reclaimed = stat_sum(m, EBPH_S_RECLAIMED);
	s.rows = alloc_used(m, EBPH_A_ROWS_USED, m->cfg.max_rows);
	s.rows = s.rows > s.snapshot_rows ? s.rows - s.snapshot_rows : 0;
	s.pair_bytes = (s.rows + s.snapshot_rows) * sizeof(struct ebph_row);
	s.map_bytes = m->prog.map_bytes;
	s.edges_full = stat_sum(m, EBPH_S_EDGES_FULL);
	if (m->resp_on)
		resp_counts(&m->resp, &s.held, &s.traced);
	s.execve = mon_exec_name(m->exec_mode);
	if (m->cfg.metrics_file[0]) {
		ret = sink_metrics(m->cfg.metrics_file, &s);
		if (ret)
			fprintf(stderr, "ebph: metrics_file %s: cannot write: %s\n",
				m->cfg.metrics_file, strerror(-ret));
	}
	if (m->cfg.alerts_only && !final) {
		/* alerts only: a status when events were lost or a map filled up */
		__u64 losses = s.lost_events + s.tasks_full + s.profiles_full + s.rows_full +
			       s.edges_full + s.suppressed;

		if (losses == m->alert_losses)
			return;
		m->alert_losses = losses;
	}
	if (!m->out.json && (m->opts.pid || m->opts.comm))
		return;	/* host-wide figures: not in filtered text output */
	out_status(&m->out, &s);
}

static void print_profile(struct monitor *m, __u32 slot, const struct ebph_profile *p, void *arg)
{
	struct out_profile o = { 0 };
	__u32 c;

	(void)arg;
	o.ts = now_ns(CLOCK_BOOTTIME);
	o.source = "live";
	o.train_pairs = o.test_pairs = -1;	/* not counted at exit */
	o.normal_time = p->normal_time ? (__s64)p->normal_time + m->out.boot_to_wall_ns : 0;
	o.normal_since = p->normal_since ? (__s64)p->normal_since + m->out.boot_to_wall_ns : 0;
	o.key = p->key;
	o.state = p->state;
	o.train_count = p->train_count;
	o.last_mod_count = p->last_mod_count;
	o.sequences = p->sequences;
	o.anomalies = p->anomalies;
	o.anomalies_total = p->anomalies_total;
	o.anomalies_lost = p->anomalies_lost;
	o.events_lost = p->events_lost;
	o.last_anomaly = p->last_anomaly ? (__s64)p->last_anomaly + m->out.boot_to_wall_ns : 0;
	for (c = 0; c < EBPH_NR_CALLS; c++)
		o.rows += p->rows[c] != EBPH_NO_ROW;
	o.snapshot_rows = p->ntest;
	o.pair_bytes = (o.rows + o.snapshot_rows) * sizeof(struct ebph_row);
	o.path = mon_path(m, slot);
	o.normal_wait_ns = p->normal_wait_ns;
	o.pflags = p->pflags;
	o.lim = &p->lim;
	out_profile(&m->out, &o);
}

static int cmp_key(const void *a, const void *b)
{
	const struct ebph_key *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->script != y->script)
		return x->script < y->script ? -1 : 1;
	return x->scope < y->scope ? -1 : x->scope > y->scope;
}

/* Is p the live profile of a saved one that was not loaded, whose file is
 * still there? Saving it would replace the saved data with what was learnt
 * since the start: its file is kept as it is instead. Once the operator
 * deletes the file, the live profile is saved again. */
static int mon_keep_saved(struct monitor *m, const struct store_profile *p)
{
	struct ebph_key *k;

	if (!m->nunloaded)
		return 0;
	k = bsearch(&p->key, m->unloaded, m->nunloaded, sizeof(*k), cmp_key);
	if (!k)
		return 0;
	if (store_has_file(m->cfg.state_dir, &p->key))
		return 1;	/* there (or unknown): never overwrite it */
	memmove(k, k + 1, (m->unloaded + m->nunloaded - k - 1) * sizeof(*k));
	m->nunloaded--;
	return 0;
}

/* One line naming a profile that could not be read for saving. */
static void mon_save_skipped(struct monitor *m, __u32 slot, int err)
{
	struct ebph_profile *prof = malloc(sizeof(*prof));
	const char *path = mon_path(m, slot);

	if (!prof || bpf_lookup_elem(m->maps.profiles, &slot, prof)) {
		free(prof);
		return;
	}
	fprintf(stderr, "ebph: profile %llu:%llu ", (unsigned long long)out_user_dev(prof->key.dev),
		(unsigned long long)prof->key.ino);
	out_text_str(stderr, path ? path : "-", EBPH_PATH_MAX);
	fprintf(stderr, " not saved: %s\n", err == -EAGAIN ?
		"it kept changing while being read (the next save tries again)" : strerror(-err));
	free(prof);
}

/* Save every profile to state_dir. Each file is replaced atomically; a
 * profile that kept changing while read is named and saved at the next
 * save. Returns the number of profiles not saved (0: all saved); the
 * message is printed here. */
static int mon_save(struct monitor *m, const char *why)
{
	__u32 n = maps_profile_slots(&m->maps), slot, saved = 0, kept = 0, unread = 0;
	struct store_profile *all = calloc(n ? n : 1, sizeof(*all));
	__u64 t0 = now_ns(CLOCK_MONOTONIC);
	size_t failed = 0;
	char err[512];
	int ret;

	if (!all) {
		fprintf(stderr, "ebph: cannot save profiles: out of memory\n");
		return n ? (int)n : 1;
	}
	mon_resolve_all(m);
	for (slot = 0; slot < n; slot++) {
		struct store_profile *p = &all[saved];
		struct mon_ident *id;

		ret = maps_read_profile(&m->maps, slot, p);
		if (ret == -ENOENT)
			continue;	/* an unused slot */
		if (ret) {
			mon_save_skipped(m, slot, ret);
			unread++;
			continue;
		}
		id = slot < m->cfg.max_profiles ? m->ids[slot] : NULL;
		if (id && id->handle_len) {
			p->fsid = id->fsid;
			p->handle_type = id->handle_type;
			p->handle_len = id->handle_len;
			memcpy(p->handle, id->handle, id->handle_len);
		}
		if (!p->ntrain && !p->ntest && !p->train_count) {
			store_profile_free(p);	/* nothing learned (or deleted) */
			continue;
		}
		if (mon_keep_saved(m, p)) {
			store_profile_free(p);
			kept++;
			continue;
		}
		saved++;
	}
	ret = store_save(m->cfg.state_dir, m->cfg.window, all, saved, &failed, err, sizeof(err));
	if (failed)
		out_warn("ebph: %zu of %u profiles not saved to %s (%s): %s%s", failed,
			 saved, m->cfg.state_dir, why, err, failed > 1 ? " (the first)" : "");
	else if (ret)
		out_warn("ebph: cannot save profiles (%s): %s", why, err);
	else
		out_warn("ebph: saved %u profiles to %s (%s, %.1f ms)", saved,
			 m->cfg.state_dir, why, (now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	if (kept)
		out_warn("ebph: %u saved profiles that were not loaded kept as saved "
			 "(not overwritten)", kept);
	for (slot = 0; slot < saved; slot++)
		store_profile_free(&all[slot]);
	free(all);
	if (ret && !failed)
		failed = saved ? saved : 1;	/* the save as a whole failed (or is not durable) */
	return (int)(failed + unread);
}

struct load_ctx {
	struct monitor *m;
	unsigned int added, stale, failed;
	struct store_profile *later;	/* frozen and training ones, installed last */
	size_t nlater, cap;
};

/* Remember a saved profile that was not loaded (kept sorted). */
static int mon_unloaded_add(struct monitor *m, const struct ebph_key *key)
{
	struct ebph_key *grown;
	size_t i = m->nunloaded;

	grown = realloc(m->unloaded, (m->nunloaded + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	m->unloaded = grown;
	while (i && cmp_key(&grown[i - 1], key) > 0) {
		grown[i] = grown[i - 1];
		i--;
	}
	grown[i] = *key;
	m->nunloaded++;
	return 0;
}

/* A loaded profile's path: resolved (canonical) if it names the profile's
 * file; else kept if it was resolved when saved (it has a handle: prune
 * decides), marked unresolved otherwise. The handle is kept either way. */
static void mon_load_path(struct monitor *m, __u32 slot, struct store_profile *p)
{
	char real[PATH_MAX];
	struct mon_ident *id;
	int named;

	named = p->path[0] == '/' && realpath(p->path, real) && strlen(real) < EBPH_PATH_MAX &&
		!mon_is_file(real, &p->key);
	if (named && (!p->handle_len || strcmp(real, p->path)))
		store_set_handle(p, real);
	if (p->handle_len && (id = calloc(1, sizeof(*id)))) {
		id->fsid = p->fsid;
		id->handle_type = p->handle_type;
		id->handle_len = p->handle_len;
		memcpy(id->handle, p->handle, p->handle_len);
		m->ids[slot] = id;
	}
	if (named)
		mon_set_path(m, slot, real);
	else
		mon_unresolved(m, slot, p->path, p->handle_len && p->path[0] == '/');
}

static int mon_load_one(struct store_profile *p, void *arg)
{
	struct load_ctx *lc = arg;
	struct monitor *m = lc->m;
	__u32 slot;
	int ret;

	ret = maps_add_profile(&m->maps, p);
	if (ret) {
		out_warn("ebph: cannot load the profile of %s: %s", p->path, ret == -ENOSPC ?
			 "no room (raise max_profiles or max_rows); its file is kept as it is" :
			 strerror(-ret));
		lc->failed++;
		if (ret != -EEXIST && mon_unloaded_add(m, &p->key)) {
			store_profile_free(p);
			return -ENOMEM;
		}
	} else {
		lc->added++;
		lc->stale += store_stale(p);
		scope_remember(p->key.scope, p->cgroup[0] ? p->cgroup : NULL);
		if (!maps_find(&m->maps, &p->key, &slot) && slot < m->cfg.max_profiles)
			mon_load_path(m, slot, p);
	}
	store_profile_free(p);
	return 0;
}

/* Install order of the profiles kept for later: frozen ones first (the
 * sooner normal the sooner), then training ones, the most trained first. */
static int load_cmp(const void *a, const void *b)
{
	const struct store_profile *x = a, *y = b;

	if (x->state != y->state)
		return x->state == EBPH_FROZEN ? -1 : 1;
	if (x->state == EBPH_FROZEN)
		return x->normal_time < y->normal_time ? -1 : x->normal_time > y->normal_time;
	return x->train_count > y->train_count ? -1 : x->train_count < y->train_count;
}

/* store_load callback: a normal profile is installed at once, the others
 * after every normal one (load_cmp), so that when the maps cannot take every
 * saved profile, the ones that monitor are never the ones left out. */
static int mon_load_collect(struct store_profile *p, void *arg)
{
	struct load_ctx *lc = arg;
	struct store_profile *n;

	if (p->state == EBPH_NORMAL)
		return mon_load_one(p, arg);
	if (lc->nlater == lc->cap) {
		size_t cap = lc->cap ? 2 * lc->cap : 64;

		n = realloc(lc->later, cap * sizeof(*n));
		if (!n)
			return mon_load_one(p, arg);	/* no memory to defer it */
		lc->later = n;
		lc->cap = cap;
	}
	lc->later[lc->nlater++] = *p;
	return 0;
}

/* Check state_dir and load the saved profiles into the maps (before attaching). */
static int mon_load(struct monitor *m)
{
	struct load_ctx lc = { .m = m };
	__u64 t0 = now_ns(CLOCK_MONOTONIC);
	struct stat st;
	char err[512];
	size_t i;
	int ret;

	if (m->opts.no_load && m->opts.no_save)
		return 0;
	if (m->opts.no_save && lstat(m->cfg.state_dir, &st) && errno == ENOENT)
		return 0;	/* nothing saved, nothing to create */
	ret = store_dir_check(m->cfg.state_dir, !m->opts.no_save, err, sizeof(err));
	if (ret) {
		out_warn("ebph: %s", err);
		return ret;
	}
	m->use_store = !m->opts.no_save;
	if (m->opts.no_load)
		return 0;
	ret = store_load(m->cfg.state_dir, m->cfg.window, mon_load_collect, &lc, err, sizeof(err));
	if (lc.nlater)
		qsort(lc.later, lc.nlater, sizeof(*lc.later), load_cmp);
	for (i = 0; i < lc.nlater; i++)
		mon_load_one(&lc.later[i], &lc);
	free(lc.later);
	if (ret < 0) {
		out_warn("ebph: %s", err);
		return ret;
	}
	mon_resolve_all(m);
	out_warn("ebph: loaded %u profiles from %s (%.1f ms)", lc.added, m->cfg.state_dir,
		 (now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	if (lc.stale)
		fprintf(stderr, "ebph: %u saved profiles belong to executables that no longer "
			"exist ('ebph prune' deletes them)\n", lc.stale);
	if (lc.failed)
		fprintf(stderr, "ebph: %u saved profiles not loaded: their files are kept and "
			"not overwritten while this monitor runs\n", lc.failed);
	return 0;
}


struct reclaim_cand {
	__u64 rank;	/* train_count, frozen ones after every training one */
	__u64 last_used;
	__u32 slot, rows;
};

/* The order of profile_rank in the BPF program, then the least recently used. */
static int cand_cmp(const void *a, const void *b)
{
	const struct reclaim_cand *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->last_used < y->last_used ? -1 : x->last_used > y->last_used;
}

/*
 * When less than an eighth of the pair-row pool is free, reclaim the least
 * trained idle profiles holding rows (no task running them; training before
 * frozen, never normal) with the BPF command program, until an
 * eighth is free again: rows held by programs that no longer run must not
 * keep running ones from learning. The BPF side re-checks that the profile
 * is idle, atomically (profile_reclaim).
 */
static void mon_reclaim_rows(struct monitor *m)
{
	__u64 used = alloc_used(m, EBPH_A_ROWS_USED, m->cfg.max_rows);
	__u64 want = m->cfg.max_rows - m->cfg.max_rows / 8;
	__u32 n = (__u32)alloc_used(m, EBPH_A_PROFILES, m->cfg.max_profiles), slot, nc = 0, i;
	struct reclaim_cand *c;
	struct ebph_profile *prof;

	if (used <= want)
		return;
	c = calloc(n ? n : 1, sizeof(*c));
	prof = malloc(sizeof(*prof));
	if (!c || !prof)
		goto out;
	for (slot = 0; slot < n; slot++) {
		if (bpf_lookup_elem(m->prog.profiles, &slot, prof) || prof->refs ||
		    prof->state == EBPH_NORMAL || (!prof->key.dev && !prof->key.ino) ||
		    !(prof->nrows + prof->ntest))
			continue;
		c[nc].rank = prof->train_count + (prof->state == EBPH_FROZEN ? 1ULL << 62 : 0);
		c[nc].last_used = prof->last_used;
		c[nc].slot = slot;
		c[nc].rows = prof->nrows + prof->ntest;
		nc++;
	}
	qsort(c, nc, sizeof(*c), cand_cmp);
	for (i = 0; i < nc && used > want; i++) {
		if (mon_command(m, EBPH_CMD_RECLAIM, c[i].slot, 0))
			continue;
		used = used > c[i].rows ? used - c[i].rows : 0;
		free(m->paths[c[i].slot]);
		m->paths[c[i].slot] = NULL;
	}
out:
	free(c);
	free(prof);
}

/* Poll the ring buffer until asked to stop; status every status_interval. */
static void mon_loop(struct monitor *m)
{
	__u64 start = now_ns(CLOCK_MONOTONIC), next_status, next_save = 0, end = 0, next_reclaim = 0;
	__u64 interval = m->cfg.status_interval * 1000000000ULL;
	__u64 save_every = m->cfg.save_interval * 1000000000ULL;

	next_status = interval ? start + interval : 0;
	if (m->use_store && save_every)
		next_save = start + save_every;
	if (m->opts.duration)
		end = start + m->opts.duration * 1000000000ULL;
	while (!stop_requested) {
		__u64 now = now_ns(CLOCK_MONOTONIC), wake = now + 1000000000ULL;
		int timeout, ret;

		if (end && now >= end)
			break;
		if (now >= next_reclaim) {
			mon_reclaim_rows(m);
			next_reclaim = now + 1000000000ULL;
		}
		if (next_status && now >= next_status) {
			mon_status(m, 0);
			next_status += interval;
			if (next_status <= now)
				next_status = now + interval;
		}
		if (save_requested) {
			char why[64];

			save_requested = 0;
			if (save_requester)
				snprintf(why, sizeof(why), "SIGUSR1 from PID %d",
					 (int)save_requester);
			else
				snprintf(why, sizeof(why), "SIGUSR1");
			if (m->use_store)
				mon_save(m, why);
			else
				fprintf(stderr, "ebph: %s: not saving (--no-save)\n", why);
		}
		if (reopen_requested) {
			char err[PATH_MAX + 128];

			reopen_requested = 0;
			if (sink_reopen(&m->sink, err, sizeof(err)))
				out_warn("ebph: SIGHUP: %s", err);
			else if (m->sink.file)
				out_warn("ebph: SIGHUP: reopened %s", m->sink.file);
		}
		if (next_save && now >= next_save) {
			mon_save(m, "save_interval");
			next_save = now + save_every;
		}
		if (m->nretired)
			mon_prune_retired(m);
		if (next_status && next_status < wake)
			wake = next_status;
		if (next_save && next_save < wake)
			wake = next_save;
		if (end && end < wake)
			wake = end;
		timeout = (int)((wake - now) / 1000000) + 1;
		if (m->resp_on) {
			int due = resp_poll(&m->resp);

			if (due >= 0 && due < timeout)
				timeout = due;
		}
		ret = bpf_poll_ringbuf(m->prog.rb, timeout);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "ebph: ring buffer: %s\n", strerror(-ret));
			break;
		}
		mon_report_suppressed(m, 0);
		if (m->cfg.stdout && (fflush(stdout) || ferror(stdout))) {
			m->out_failed = 1;
			break;
		}
	}
}

/* A response event (made by resp, in user space): always printed. */
static void mon_resp_emit(void *ctx, const struct ebph_event *e)
{
	struct monitor *m = ctx;

	mon_print(m, e);
}

/* Say which responses are in force, and the execve mode and why. */
static void mon_resp_banner(struct monitor *m)
{
	const struct ebph_config *c = &m->cfg;
	char exec[64] = "";

	if (m->exec_mode == EBPH_EXEC_HOLD)
		snprintf(exec, sizeof(exec), " at lfc >= %u for %llus (ptrace)", c->suspend_execve,
			 (unsigned long long)c->suspend_execve_time);
	else if (m->exec_mode == EBPH_EXEC_REFUSE)
		snprintf(exec, sizeof(exec), " at lfc >= %u with EPERM (BPF LSM)",
			 c->suspend_execve);
	fprintf(stderr, "ebph: response: %s (%s): delays %u ms x 2^lfc, at most %u ms; "
		"execve: %s%s: %s\n", c->response == CFG_RESPONSE_ACT ? "act" : "log",
		c->response == CFG_RESPONSE_ACT ? "anomalous tasks are held with ptrace" :
		"actions are reported, none is taken", c->delay_factor, c->max_delay,
		mon_exec_name(m->exec_mode), exec, m->exec_why);
}

/* EBPH_LSM_COMPILE=1: put the LSM program in the text even where it is not
 * loaded (tests: it compiles with this bcc; --ebpf shows it). */
static int mon_lsm_compile(void)
{
	const char *v = getenv("EBPH_LSM_COMPILE");

	return v && *v && strcmp(v, "0");
}

/* Decide the execve mode before the program is filled (ebph(8) RESPONSE):
 * refuse where a BPF LSM program can stop execve, else hold. */
static void mon_exec_check(struct monitor *m)
{
	const struct ebph_config *c = &m->cfg;

	m->exec_mode = EBPH_EXEC_OFF;
	if (m->opts.ebpf)
		return;	/* nothing is loaded */
	if (c->response == CFG_RESPONSE_OFF || !c->suspend_execve) {
		snprintf(m->exec_why, sizeof(m->exec_why), "%s", c->response == CFG_RESPONSE_OFF ?
			 "response: off" : "suspend_execve: 0");
		return;
	}
	m->exec_mode = lsm_check(&m->lsm_btf_id, m->exec_why, sizeof(m->exec_why)) ?
		       EBPH_EXEC_REFUSE : EBPH_EXEC_HOLD;
}

/* The filled text with the LSM program in it if it is to be loaded (or
 * EBPH_LSM_COMPILE). Frees text; NULL: out of memory. */
static char *mon_exec_text(struct monitor *m, char *text)
{
	char *t;

	if (!text)
		return NULL;
	if (!(m->exec_mode == EBPH_EXEC_REFUSE && m->cfg.response == CFG_RESPONSE_ACT) &&
	    !mon_lsm_compile())
		return text;
	t = lsm_text(text, m->cfg.suspend_execve);
	free(text);
	return t;
}

/* EBPH_NO_FAST_PATH=1: the per-syscall program sends every call through
 * the full step (EBPH_TC_STEP), so that tests can compare the two paths'
 * output on one workload. Frees text; NULL: out of memory. */
static char *mon_fast_text(char *text)
{
	const char *v = getenv("EBPH_NO_FAST_PATH");
	char *t;

	if (!text || !v || !*v || !strcmp(v, "0"))
		return text;
	if (asprintf(&t, "#define EBPH_FAST_PATH 0\n%s", text) < 0)
		t = NULL;
	free(text);
	return t;
}

/* Under response: act in refuse mode, fill the exempt keys and load and
 * attach the LSM program; if the kernel refuses it, fall back to hold.
 * Then publish the mode in the info map (ebph status). */
static void mon_exec_load(struct monitor *m)
{
	const char *fn = "lsm__bprm_check_security";
	struct ebph_prog *p = &m->prog;
	int fd = -EINVAL, link = -1, map = bpf_table_fd(p->mod, "lsm_exempt");
	struct ebph_info info;
	__u32 k = 0, one = 1;
	size_t i;

	if (m->exec_mode == EBPH_EXEC_REFUSE && m->cfg.response == CFG_RESPONSE_ACT) {
		for (i = 0; map >= 0 && i < m->resp.nexempt; i++) {
			struct ebph_key key = { .dev = m->resp.exempt[i].dev,
						.ino = m->resp.exempt[i].ino };

			bpf_update_elem(map, &key, &one, BPF_ANY);
		}
		if (map >= 0 && bpf_function_start(p->mod, fn) && p->nprobes < PROG_MAX_PROBES)
			fd = lsm_load(bpf_function_start(p->mod, fn), bpf_function_size(p->mod, fn),
				      bpf_module_license(p->mod), m->lsm_btf_id, &link);
		if (fd < 0) {
			m->exec_mode = EBPH_EXEC_HOLD;
			snprintf(m->exec_why, sizeof(m->exec_why), "the BPF LSM program was "
				 "refused: %s", strerror(-fd));
		} else {
			p->prog_fd[p->nprobes] = fd;
			p->link_fd[p->nprobes++] = link;
		}
	}
	m->resp.refuse = m->exec_mode == EBPH_EXEC_REFUSE;
	if (bpf_lookup_elem(p->info, &k, &info))
		return;
	info.exec_mode = m->exec_mode;
	snprintf(info.exec_why, sizeof(info.exec_why), "%s", m->exec_why);
	bpf_update_elem(p->info, &k, &info, BPF_ANY);
}

/* Describe this monitor in the info map (for admin commands), and set up
 * the profile map handles. */
static void mon_info(struct monitor *m)
{
	struct ebph_info info = { 0 };
	__u32 k = 0;

	info.pid = (__u64)getpid();
	info.boot_to_wall_ns = m->out.boot_to_wall_ns;
	info.window = m->cfg.window;
	info.max_profiles = m->cfg.max_profiles;
	info.max_tasks = m->cfg.max_tasks;
	info.max_rows = m->cfg.max_rows;
	info.nr_syscalls = EBPH_NR_CALLS;
	info.lfc_window = m->cfg.lfc_window;
	snprintf(info.state_dir, sizeof(info.state_dir), "%s", m->cfg.state_dir);
	info.normal_factor = m->cfg.normal_factor;
	info.normal_factor_den = m->cfg.normal_factor_den;
	info.min_train_calls = m->cfg.min_train_calls;
	info.started = (__s64)now_ns(CLOCK_REALTIME);
	info.response = m->cfg.response;
	info.exec_mode = m->exec_mode;
	snprintf(info.exec_why, sizeof(info.exec_why), "%s", m->exec_why);
	if (m->opts.config) {
		char *abs = realpath(m->opts.config, NULL);

		snprintf(info.config, sizeof(info.config), "%s", abs ? abs : m->opts.config);
		free(abs);
	}
	bpf_update_elem(m->prog.info, &k, &info, BPF_ANY);
	m->maps.profiles = m->prog.profiles;
	m->maps.keys = m->prog.keys;
	m->maps.edges = m->prog.edges;
	m->maps.paths = m->prog.paths;
	m->maps.rows = m->prog.rows;
	m->maps.alloc = m->prog.alloc;
	m->maps.max_profiles = m->cfg.max_profiles;
	m->maps.max_rows = m->cfg.max_rows;
	m->maps.boot_to_wall_ns = m->out.boot_to_wall_ns;
}

/* The program interpreter (PT_INTERP) an ELF file names, into buf; 0 or -1. */
static int elf_interp(const char *file, char *buf, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(file, O_RDONLY | O_CLOEXEC), i, ret = -1;

	if (fd < 0)
		return -1;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph))
		goto out;
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + (off_t)i * sizeof(ph)) != sizeof(ph))
			break;
		if (ph.p_type != PT_INTERP || !ph.p_filesz || ph.p_filesz >= len)
			continue;
		if (pread(fd, buf, ph.p_filesz, ph.p_offset) == (ssize_t)ph.p_filesz) {
			buf[ph.p_filesz] = 0;
			ret = 0;
		}
		break;
	}
out:
	close(fd);
	return ret;
}

/* Tell the BPF program which files are dynamic loaders: the interpreters
 * named by ebph's own executable and a few system programs. Running one as
 * a program (ld.so PROG) charges PROG. A loader that is not found only
 * means ld.so PROG runs under the loader's profile. */
static void mon_loaders(struct monitor *m)
{
	static const char *const progs[] = { "/proc/self/exe", "/bin/sh", "/usr/bin/env" };
	char interp[PATH_MAX];
	struct ebph_key key = { 0 };
	struct stat st;
	__u32 one = 1, i;

	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		if (elf_interp(progs[i], interp, sizeof(interp)) || stat(interp, &st))
			continue;
		key.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
		key.ino = st.st_ino;
		bpf_update_elem(m->prog.loaders, &key, &one, BPF_ANY);
	}
}

/* The script interpreters (config script_interpreters, ebph(8) SCRIPTS):
 * an exec of one of them with a FILE as first argument runs under the
 * profile (interpreter, FILE). A name is looked up in /usr/bin, /bin and
 * /usr/local/bin (every file found), a path taken as it is (symbolic
 * links followed); a name found nowhere is skipped. */
static void mon_interps(struct monitor *m)
{
	static const char *const dirs[] = { "/usr/bin/", "/bin/", "/usr/local/bin/" };
	char list[sizeof(m->cfg.script_interpreters)], path[PATH_MAX], *w, *save = NULL;
	struct ebph_key key = { 0 };
	struct stat st;
	__u32 one = 1, j;

	snprintf(list, sizeof(list), "%s", m->cfg.script_interpreters);
	for (w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save))
		for (j = 0; j < sizeof(dirs) / sizeof(dirs[0]); j++) {
			snprintf(path, sizeof(path), "%s%s", w[0] == '/' ? "" : dirs[j], w);
			if (!stat(path, &st) && S_ISREG(st.st_mode)) {
				key.dev = ((__u64)major(st.st_dev) << 20) | minor(st.st_dev);
				key.ino = st.st_ino;
				bpf_update_elem(m->prog.interps, &key, &one, BPF_ANY);
			}
			if (w[0] == '/')
				break;
		}
}

static int mon_run(struct monitor *m)
{
	__u32 offs[fill_nmembers], fs_offs[fill_fs_nmembers], sys_exit_id = 0, fork_id = 0, slot;
	char err[512];
	char *text;
	pid_t other;
	int ret;

	if (resolve_offsets(offs, fs_offs, &sys_exit_id, &fork_id, m->opts.ebpf))
		return 1;
	mon_exec_check(m);
	text = mon_fast_text(mon_exec_text(m, fill_program(&m->cfg, offs, fs_offs)));
	if (!text) {
		fprintf(stderr, "ebph: out of memory\n");
		return 1;
	}
	if (m->opts.ebpf) {
		fputs(text, stdout);
		free(text);
		return 0;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ebph: must be run as root (loading BPF programs needs CAP_BPF, "
			"CAP_PERFMON and CAP_SYS_ADMIN): try sudo ebph\n");
		free(text);
		return 1;
	}
	if (check_headers()) {
		free(text);
		return 1;
	}
	other = admin_running();
	if (other) {	/* fast refusal; admin_pin decides atomically */
		fprintf(stderr, "ebph: another ebph monitor is running (PID %d)\n", (int)other);
		free(text);
		return 1;
	}
	ret = sink_open(&m->sink, m->cfg.journal, m->cfg.events_file,
			(__u64)m->cfg.events_file_kb * 1024, m->cfg.events_file_keep, err,
			sizeof(err));
	if (ret) {
		out_warn("ebph: %s", err);
		free(text);
		return 1;
	}
	if (m->sink.journal || m->sink.file) {
		m->out.emit = sink_emit;
		m->out.emit_arg = &m->sink;
	}
	if (!m->out.f && !m->out.emit)
		fprintf(stderr, "ebph: note: stdout: false, and neither journal nor events_file: "
			"events and status lines go nowhere\n");
	m->ncpus = libbpf_num_possible_cpus();
	if (m->ncpus < 1) {
		fprintf(stderr, "ebph: cannot count the possible CPUs: %s\n", strerror(-m->ncpus));
		free(text);
		return 1;
	}
	m->paths = calloc(m->cfg.max_profiles, sizeof(*m->paths));
	m->sup_lines = calloc(m->cfg.max_profiles + 1, sizeof(*m->sup_lines));
	m->sup_anoms = calloc(m->cfg.max_profiles + 1, sizeof(*m->sup_anoms));
	m->ids = calloc(m->cfg.max_profiles, sizeof(*m->ids));
	m->marked = calloc(m->cfg.max_profiles, 1);
	m->retired = calloc(m->cfg.max_profiles, sizeof(*m->retired));
	if (!m->paths || !m->sup_lines || !m->sup_anoms || !m->ids || !m->marked || !m->retired ||
	    attr_init(&m->attr)) {
		fprintf(stderr, "ebph: out of memory\n");
		free(text);
		return 1;
	}
	ret = prog_compile(&m->prog, text, err, sizeof(err));
	free(text);
	if (ret) {
		fprintf(stderr, "ebph: %s\n", err);
		prog_close(&m->prog);
		return 1;
	}
	m->prog.sys_exit_btf_id = sys_exit_id;
	m->prog.fork_btf_id = fork_id;
	m->out.boot_to_wall_ns = (__s64)(now_ns(CLOCK_REALTIME) - now_ns(CLOCK_BOOTTIME));
	mon_info(m);
	mon_loaders(m);
	mon_interps(m);
	if (mon_load(m)) {
		prog_close(&m->prog);
		return 1;
	}
	ret = prog_attach(&m->prog, mon_event, m, err, sizeof(err));
	if (!ret)
		ret = admin_pin(&m->prog, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ebph: %s\n", err);
		prog_close(&m->prog);
		return 1;
	}
	m->settings_ready = 1;
	for (slot = 0; m->cfg.nprograms && slot < m->cfg.max_profiles; slot++)
		if (m->paths[slot] && !m->marked[slot])
			mon_settings(m, slot, m->paths[slot]);
	out_header(&m->out);
	fflush(stdout);
	if (m->prog.uring_off)
		fprintf(stderr, "ebph: io_uring operations are not seen: %s\n", m->prog.uring_off);
	fprintf(stderr, "Tracing system calls%s of all processes (window %u, normal_wait %llus)... "
		"Hit Ctrl-C to end.\n", m->prog.uring_off ? "" : " and io_uring operations",
		m->cfg.window, (unsigned long long)m->cfg.normal_wait);

	if (m->cfg.response != CFG_RESPONSE_OFF) {
		if (resp_init(&m->resp, &m->cfg, m->prog.tasks, m->prog.tstore, m->prog.held,
			      fill_task_slots(m->cfg.max_tasks), mon_resp_emit, m)) {
			fprintf(stderr, "ebph: out of memory\n");
			admin_unpin();
			prog_close(&m->prog);
			return 1;
		}
		m->resp_on = 1;
		mon_exec_load(m);
		mon_resp_banner(m);
	}

	mon_loop(m);

	if (m->resp_on) {
		bpf_consume_ringbuf(m->prog.rb);
		resp_stop(&m->resp);	/* every held task goes free first */
		m->resp_on = 0;
	}
	prog_detach(&m->prog);	/* the final save sees the profiles at rest */
	bpf_consume_ringbuf(m->prog.rb);
	if (!m->out_failed) {
		mon_report_suppressed(m, 1);
		mon_status(m, 1);
		if (m->opts.summary)
			mon_profiles(m, print_profile, NULL);
		fflush(stdout);
	}
	sink_close(&m->sink);
	ret = m->use_store ? mon_save(m, "exit") : 0;
	admin_unpin();
	prog_close(&m->prog);
	if (ret)
		fprintf(stderr, "ebph: the final save failed: %d profiles not saved\n", ret);
	return ret ? 1 : 0;
}

/* -p PID must name a running process (not one of its threads). 0, or 1
 * with a message. */
static int check_pid(long pid)
{
	__u32 tgid = 0;
	int ret = filter_proc_check((__u32)pid, &tgid);

	if (ret == -EINVAL)
		fprintf(stderr, "ebph: -p %ld: is a thread of process %u (-p takes a process "
			"ID)\n", pid, tgid);
	else if (ret)
		fprintf(stderr, "ebph: -p %ld: no such process\n", pid);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct monitor m = { 0 };
	struct sigaction sa = { 0 };
	char err[512];
	__u32 i;
	int ret;

	if (argc > 1 && admin_is_command(argv[1]))
		return admin_main(argc - 1, argv + 1);
	if (cli_parse(argc, argv, &m.opts, err, sizeof(err))) {
		out_warn("ebph: %s", err);
		fputs("Try 'ebph --help' for more information.\n", stderr);
		return 2;
	}
	if (m.opts.help) {
		cli_usage(stdout, admin_usage);
		return 0;
	}
	if (m.opts.version) {
		printf("ebph %s\n", EBPH_VERSION);
		return 0;
	}
	cfg_defaults(&m.cfg);
	if ((m.opts.config && cfg_load_file(&m.cfg, m.opts.config, err, sizeof(err))) ||
	    cfg_load_overrides(&m.cfg, m.opts.overrides, m.opts.noverrides, err, sizeof(err))) {
		out_warn("ebph: %s", err);
		return 2;
	}
	if (m.opts.print_config) {
		cfg_write(stdout, &m.cfg);
		return 0;
	}
	if (m.opts.pid && !m.opts.ebpf && check_pid(m.opts.pid))
		return 2;
	m.filter.root = (__u32)m.opts.pid;
	m.filter.tree = m.opts.tree;
	m.filter.comm = m.opts.comm;
	m.filter.parent = filter_proc_parent;

	setlinebuf(stdout);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(RESP_RELEASE_SIG, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	m.out.f = m.cfg.stdout ? stdout : NULL;
	m.out.json = m.opts.json;
	m.out.timestamps = m.opts.timestamps;
	m.out.alert_lfc = m.cfg.alert_lfc;
	if (m.opts.alerts)
		m.cfg.alerts_only = 1;
	if (!gethostname(m.hostname, sizeof(m.hostname) - 1))
		m.out.hostname = m.hostname;

	ret = mon_run(&m);
	filter_free(&m.filter);
	if (m.paths) {
		for (i = 0; i < m.cfg.max_profiles; i++)
			free(m.paths[i]);
		free(m.paths);
	}
	free(m.unloaded);
	free(m.sup_lines);
	free(m.sup_anoms);
	attr_free(&m.attr);
	if (m.ids) {
		for (i = 0; i < m.cfg.max_profiles; i++)
			free(m.ids[i]);
		free(m.ids);
	}
	free(m.marked);
	free(m.retired);
	return ret;
}
