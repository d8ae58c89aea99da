/* ebph.c: main: options, start-up checks, the monitor loop, shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <bcc/libbpf.h>

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

_Static_assert(sizeof(struct ebph_event) == 368, "ebph_event layout");
_Static_assert(sizeof(struct ebph_task) == 120, "ebph_task layout");
_Static_assert(sizeof(struct ebph_row) == 16 + EBPH_ROW_BYTES, "ebph_row layout");
_Static_assert(sizeof(struct ebph_profile) % 8 == 0, "ebph_profile layout");

struct monitor {
	struct ebph_config cfg;
	struct ebph_opts opts;
	struct ebph_prog prog;
	struct out_ctx out;
	struct maps_fds maps;	/* the profile maps, for loading and saving */
	char **paths;		/* profile slot -> path, NULL = not known yet */
	int use_store;		/* state_dir is usable */
	int ncpus;		/* possible CPUs, for per-CPU maps */
	int out_failed;		/* stdout closed (e.g. | head) */
};

static volatile sig_atomic_t stop_requested, save_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		save_requested = 1;
	else
		stop_requested = 1;
}

static __u64 now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Number of possible CPUs, the stride of per-CPU map values. */
static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int lo, hi, n = 0;
	char sep;

	if (!f)
		return (int)sysconf(_SC_NPROCESSORS_CONF);
	while (fscanf(f, "%d", &lo) == 1) {
		hi = lo;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-') {
			if (fscanf(f, "%d", &hi) != 1)
				break;
			if (fscanf(f, "%c", &sep) != 1)
				sep = 0;
		}
		n += hi - lo + 1;
		if (sep != ',')
			break;
	}
	fclose(f);
	return n > 0 ? n : 1;
}

/* Resolve every kernel member the template needs from the running kernel's
 * BTF, and the BTF id of the sys_exit tracepoint's type (0 if none). */
static int resolve_offsets(__u32 *offs, __u32 *sys_exit_id, __u32 *fork_id)
{
	struct ebph_btf *btf;
	char err[256];
	unsigned int i;
	int ret;

	ret = btf_open(&btf, BTF_VMLINUX, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "ebph: %s\n", err);
		if (ret == -ENOENT)
			fprintf(stderr, "ebph: this kernel has no BTF: ebph needs a kernel built "
				"with CONFIG_DEBUG_INFO_BTF=y\n");
		return ret;
	}
	for (i = 0; i < fill_nmembers; i++) {
		ret = btf_offset(btf, fill_members[i].type, fill_members[i].member, &offs[i], err,
				 sizeof(err));
		if (ret) {
			fprintf(stderr, "ebph: %s (needed for %s.%s)\n", err, fill_members[i].type,
				fill_members[i].member);
			break;
		}
	}
	if (btf_type_id(btf, "btf_trace_sys_exit", BTF_KIND_TYPEDEF, sys_exit_id))
		*sys_exit_id = 0;
	if (btf_type_id(btf, "btf_trace_sched_process_fork", BTF_KIND_TYPEDEF, fork_id))
		*fork_id = 0;
	btf_close(btf);
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

/* Complete a relative or partial path from /proc/PID/exe when that is still
 * the same file (dev, ino); store the result for everyone. */
static void mon_fix_path(struct monitor *m, const struct ebph_event *e, char *path, size_t len)
{
	char proc[64], link[EBPH_PATH_MAX];
	struct stat st;
	ssize_t n;

	if (path[0] == '/' && !(e->flags & EBPH_F_PATH_PARTIAL))
		return;
	snprintf(proc, sizeof(proc), "/proc/%u/exe", e->pid);
	n = readlink(proc, link, sizeof(link) - 1);
	if (n <= 0 || stat(proc, &st) || st.st_ino != e->ino || st.st_dev != out_user_dev(e->dev))
		return;
	link[n] = 0;
	snprintf(path, len, "%s", link);
	bpf_update_elem(m->prog.paths, (void *)&e->profile, link, BPF_ANY);
}

static int mon_wants(const struct monitor *m, const struct ebph_event *e)
{
	if (m->opts.pid && (long)e->pid != m->opts.pid)
		return 0;
	if (m->opts.comm && !strstr(e->comm, m->opts.comm))
		return 0;
	return 1;
}

static int mon_event(void *ctx, void *data, size_t size)
{
	struct monitor *m = ctx;
	struct ebph_event e;
	const char *path;

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	e.comm[sizeof(e.comm) - 1] = 0;
	e.path[sizeof(e.path) - 1] = 0;
	if (e.type == EBPH_EV_NEW_PROFILE && e.profile < m->cfg.max_profiles) {
		mon_fix_path(m, &e, e.path, sizeof(e.path));
		free(m->paths[e.profile]);
		m->paths[e.profile] = strdup(e.path);
	}
	if (!mon_wants(m, &e))
		return 0;
	path = e.type == EBPH_EV_NEW_PROFILE || e.type == EBPH_EV_PROFILE_REFUSED ? e.path :
	       mon_path(m, e.profile);
	out_event(&m->out, &e, path);
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
	if (p->state == EBPH_TRAINING)
		s->training++;
	else if (p->state == EBPH_FROZEN)
		s->frozen++;
	else
		s->normal++;
	s->snapshot_rows += p->ntest;
}

static void mon_status(struct monitor *m, int final)
{
	struct out_status s = { 0 };
	__u64 born, dead;

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
	s.reclaimed = stat_sum(m, EBPH_S_RECLAIMED);
	s.rows = alloc_used(m, EBPH_A_ROWS_USED, m->cfg.max_rows);
	s.rows = s.rows > s.snapshot_rows ? s.rows - s.snapshot_rows : 0;
	s.pair_bytes = (s.rows + s.snapshot_rows) * sizeof(struct ebph_row);
	s.map_bytes = m->prog.map_bytes;
	out_status(&m->out, &s);
}

static void print_profile(struct monitor *m, __u32 slot, const struct ebph_profile *p, void *arg)
{
	struct out_profile o = { 0 };
	__u32 c;

	(void)arg;
	o.ts = now_ns(CLOCK_BOOTTIME);
	o.dev = out_user_dev(p->key.dev);
	o.ino = p->key.ino;
	o.state = p->state;
	o.train_count = p->train_count;
	o.last_mod_count = p->last_mod_count;
	o.sequences = p->sequences;
	o.anomalies = p->anomalies;
	for (c = 0; c < EBPH_NR_SYSCALLS; c++)
		o.rows += p->rows[c] != EBPH_NO_ROW;
	o.snapshot_rows = p->ntest;
	o.pair_bytes = (o.rows + o.snapshot_rows) * sizeof(struct ebph_row);
	o.path = mon_path(m, slot);
	out_profile(&m->out, &o);
}

/* Save every profile to state_dir. Each file is replaced atomically; a
 * profile that kept changing while read is saved at the next save. */
static void mon_save(struct monitor *m, const char *why)
{
	__u32 n = maps_profile_slots(&m->maps), slot, saved = 0;
	struct store_profile *all = calloc(n ? n : 1, sizeof(*all));
	__u64 t0 = now_ns(CLOCK_MONOTONIC);
	char err[512];
	int ret;

	if (!all) {
		fprintf(stderr, "ebph: cannot save profiles: out of memory\n");
		return;
	}
	for (slot = 0; slot < n; slot++) {
		struct store_profile *p = &all[saved];

		if (maps_read_profile(&m->maps, slot, p))
			continue;
		if (!p->ntrain && !p->ntest && !p->train_count) {
			store_profile_free(p);	/* nothing learned (or deleted) */
			continue;
		}
		saved++;
	}
	ret = store_save(m->cfg.state_dir, all, saved, err, sizeof(err));
	if (ret)
		fprintf(stderr, "ebph: cannot save profiles: %s\n", err);
	else
		fprintf(stderr, "ebph: saved %u profiles to %s (%s, %.1f ms)\n", saved,
			m->cfg.state_dir, why, (now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	for (slot = 0; slot < saved; slot++)
		store_profile_free(&all[slot]);
	free(all);
}

struct load_ctx {
	struct monitor *m;
	unsigned int added, stale, failed;
	struct store_profile *later;	/* frozen and training ones, installed last */
	size_t nlater, cap;
};

static int mon_load_one(struct store_profile *p, void *arg)
{
	struct load_ctx *lc = arg;
	struct monitor *m = lc->m;
	__u32 slot;
	int ret;

	ret = maps_add_profile(&m->maps, p);
	if (ret) {
		fprintf(stderr, "ebph: cannot load the profile of %s: %s\n", p->path,
			ret == -ENOSPC ? "no room (raise max_profiles or max_rows)" : strerror(-ret));
		lc->failed++;
	} else {
		lc->added++;
		lc->stale += store_stale(p);
		if (!maps_find(&m->maps, &p->key, &slot) && slot < m->cfg.max_profiles)
			m->paths[slot] = strdup(p->path);
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
		fprintf(stderr, "ebph: %s\n", err);
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
		fprintf(stderr, "ebph: %s\n", err);
		return ret;
	}
	fprintf(stderr, "ebph: loaded %u profiles from %s (%.1f ms)\n", lc.added,
		m->cfg.state_dir, (now_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	if (lc.stale)
		fprintf(stderr, "ebph: %u saved profiles belong to executables that no longer "
			"exist ('ebph prune' deletes them)\n", lc.stale);
	return 0;
}

/* Run the BPF command program on slot (as admin commands do). 0 or -errno. */
static int mon_command(struct monitor *m, __u32 op, __u32 slot)
{
	__u64 args[2] = { op, slot };
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (__u32)m->prog.cmd;
	attr.test.ctx_in = (__u64)(unsigned long)args;
	attr.test.ctx_size_in = sizeof(args);
	if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)))
		return -errno;
	return (int)attr.test.retval;
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
		if (mon_command(m, EBPH_CMD_RECLAIM, c[i].slot))
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
			save_requested = 0;
			if (m->use_store)
				mon_save(m, "SIGUSR1");
			else
				fprintf(stderr, "ebph: SIGUSR1: not saving (--no-save)\n");
		}
		if (next_save && now >= next_save) {
			mon_save(m, "save_interval");
			next_save = now + save_every;
		}
		if (next_status && next_status < wake)
			wake = next_status;
		if (next_save && next_save < wake)
			wake = next_save;
		if (end && end < wake)
			wake = end;
		timeout = (int)((wake - now) / 1000000) + 1;
		ret = bpf_poll_ringbuf(m->prog.rb, timeout);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "ebph: ring buffer: %s\n", strerror(-ret));
			break;
		}
		if (fflush(stdout) || ferror(stdout)) {
			m->out_failed = 1;
			break;
		}
	}
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
	info.nr_syscalls = EBPH_NR_SYSCALLS;
	info.lfc_window = m->cfg.lfc_window;
	bpf_update_elem(m->prog.info, &k, &info, BPF_ANY);
	m->maps.profiles = m->prog.profiles;
	m->maps.keys = m->prog.keys;
	m->maps.paths = m->prog.paths;
	m->maps.rows = m->prog.rows;
	m->maps.alloc = m->prog.alloc;
	m->maps.max_profiles = m->cfg.max_profiles;
	m->maps.max_rows = m->cfg.max_rows;
	m->maps.boot_to_wall_ns = m->out.boot_to_wall_ns;
}

static int mon_run(struct monitor *m)
{
	__u32 offs[fill_nmembers], sys_exit_id = 0, fork_id = 0;
	char err[512];
	char *text;
	pid_t other;
	int ret;

	if (resolve_offsets(offs, &sys_exit_id, &fork_id))
		return 1;
	text = fill_program(&m->cfg, offs);
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
	m->ncpus = possible_cpus();
	m->paths = calloc(m->cfg.max_profiles, sizeof(*m->paths));
	if (!m->paths) {
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
	store_set_window(m->cfg.window);
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
	out_header(&m->out);
	fflush(stdout);
	fprintf(stderr, "Tracing system calls of all processes (window %u, normal_wait %llus)... "
		"Hit Ctrl-C to end.\n", m->cfg.window, (unsigned long long)m->cfg.normal_wait);

	mon_loop(m);

	bpf_consume_ringbuf(m->prog.rb);
	if (!m->out_failed) {
		mon_status(m, 1);
		if (m->opts.summary)
			mon_profiles(m, print_profile, NULL);
		fflush(stdout);
	}
	if (m->use_store)
		mon_save(m, "exit");
	admin_unpin();
	prog_close(&m->prog);
	return 0;
}

/* ebph prune [-c FILE] [--dry-run]: delete saved profiles of executables
 * that no longer exist; only while no monitor runs (it would save them again). */
static int prune_main(int argc, char **argv)
{
	struct ebph_config cfg;
	const char *config = NULL;
	char err[512];
	int i, dry = 0, ret;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dry-run") || !strcmp(argv[i], "-n")) {
			dry = 1;
		} else if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc) {
			config = argv[++i];
		} else {
			fprintf(stderr, "ebph prune: unexpected argument '%s'\n"
				"Usage: ebph prune [-c FILE] [--dry-run]\n", argv[i]);
			return 2;
		}
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ebph: must be run as root\n");
		return 1;
	}
	cfg_defaults(&cfg);
	if (config && cfg_load_file(&cfg, config, err, sizeof(err))) {
		fprintf(stderr, "ebph: %s\n", err);
		return 2;
	}
	pid = admin_running();
	if (pid) {
		fprintf(stderr, "ebph prune: a monitor is running (PID %d) and would save the "
			"profiles again: stop it first\n", (int)pid);
		return 1;
	}
	ret = store_dir_check(cfg.state_dir, 0, err, sizeof(err));
	if (!ret)
		ret = store_prune(cfg.state_dir, dry, stdout, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "ebph: %s\n", err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct monitor m = { 0 };
	struct sigaction sa = { 0 };
	char err[512];
	__u32 i;
	int ret;

	if (argc > 1 && !strcmp(argv[1], "prune"))
		return prune_main(argc - 1, argv + 1);
	if (argc > 1 && admin_is_command(argv[1]))
		return admin_main(argc - 1, argv + 1);
	if (cli_parse(argc, argv, &m.opts, err, sizeof(err))) {
		fprintf(stderr, "ebph: %s\nTry 'ebph --help' for more information.\n", err);
		return 2;
	}
	if (m.opts.help) {
		cli_usage(stdout);
		return 0;
	}
	if (m.opts.version) {
		printf("ebph %s\n", EBPH_VERSION);
		return 0;
	}
	cfg_defaults(&m.cfg);
	if (m.opts.config && cfg_load_file(&m.cfg, m.opts.config, err, sizeof(err))) {
		fprintf(stderr, "ebph: %s\n", err);
		return 2;
	}
	if (m.opts.print_config) {
		cfg_write(stdout, &m.cfg);
		return 0;
	}

	setlinebuf(stdout);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	m.out.f = stdout;
	m.out.json = m.opts.json;
	m.out.timestamps = m.opts.timestamps;

	ret = mon_run(&m);
	if (m.paths) {
		for (i = 0; i < m.cfg.max_profiles; i++)
			free(m.paths[i]);
		free(m.paths);
	}
	return ret;
}
