/* SPDX-License-Identifier: GPL-2.0-only */
/* admin.c: ebph's sub-commands (ps, profiles, show, normalize, sensitize,
 * tolerize, delete, save), against the running monitor through its pinned
 * maps and command program or, with none running, on the profiles saved in
 * state_dir; and the monitor's side of it: pinning, one monitor at a time,
 * stale pins of a crashed one. */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <linux/bpf.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>
#include <bpf/bpf.h>
#if __has_include(<bpf/libbpf_version.h>)
#include <bpf/libbpf_version.h>
#endif

#include "syscalls.h"
#include "bcc_api.h"
#include "ebph.h"
#include "show.h"
#include "admin.h"
#include "scope.h"
#include "cli.h"
#include "config.h"
#include "maps.h"
#include "output.h"
#include "store.h"
#include "replay.h"

#if !EBPH_BCC_LOOKUP_BATCH
/* bcc 0.18 (Debian 11) lacks bpf_lookup_batch: libbpf's call, no options. */
#define bpf_lookup_batch(fd, in, out, keys, values, count) \
	bpf_map_lookup_batch(fd, in, out, keys, values, count, NULL)
#endif
#include "response.h"

/*
 * The first part of this file is pure (argument parsing, PROFILE keys, the
 * offline commands on store images, output): tests/test_admin.c includes it
 * with ADMIN_PURE defined. The rest talks to the kernel.
 */

enum admin_cmd_id {
	ADM_PS, ADM_PROFILES, ADM_SHOW, ADM_NORMALIZE, ADM_SENSITIZE, ADM_TOLERIZE, ADM_DELETE,
	ADM_SAVE, ADM_PRUNE, ADM_HELP, ADM_CHECK, ADM_REPLAY, ADM_RECORD, ADM_RELEASE,
	ADM_NO_TOLERIZE, ADM_AUTO_TOLERIZE,
};

#define ADM_F_PROFILE	1	/* takes PROFILE or --pid */
#define ADM_F_HIDDEN	2	/* not in the usage (tests and debugging) */
#define ADM_F_NOJSON	4	/* no -j */
#define ADM_F_NOCONFIG	8	/* -c FILE means nothing to it (accepted, not listed) */
#define ADM_F_ARG	16	/* takes an optional argument (help COMMAND) */

/* The one table of sub-commands: dispatch, argument checks and help. */
static const struct admin_cmd {
	const char *name;
	int id;
	__u32 op;		/* enum ebph_cmd, 0 for the read-only commands */
	int flags;
	const char *usage;
	const char *summary;	/* lines after the first start with a tab */
} admin_cmds[] = {
	{ "ps", ADM_PS, 0, ADM_F_NOCONFIG, "ps [-j] [-t]",
	  "monitored processes (threads with -t)" },
	{ "profiles", ADM_PROFILES, 0, 0, "profiles [-j] [-c FILE]",
	  "every profile and its counters" },
	{ "show", ADM_SHOW, 0, ADM_F_PROFILE,
	  "show [-j] [-c FILE] [--pairs | --diff | --svg FILE] (PROFILE | --pid PID)",
	  "one profile and its lookahead pairs" },
	{ "normalize", ADM_NORMALIZE, EBPH_CMD_NORMALIZE, ADM_F_PROFILE,
	  "normalize [-j] [-c FILE] (PROFILE | --pid PID | --frozen | --stable-for TIME)",
	  "start detection for a profile now (or every\n\tfrozen one, or every one frozen that long)" },
	{ "sensitize", ADM_SENSITIZE, EBPH_CMD_SENSITIZE, ADM_F_PROFILE,
	  "sensitize [-j] [-c FILE] (PROFILE | --pid PID)",
	  "forget a profile's training data" },
	{ "tolerize", ADM_TOLERIZE, EBPH_CMD_TOLERIZE, ADM_F_PROFILE,
	  "tolerize [-j] [-c FILE] (PROFILE | --pid PID)",
	  "stop detection (training goes on)" },
	{ "delete", ADM_DELETE, EBPH_CMD_FORGET, ADM_F_PROFILE,
	  "delete [-j] [-c FILE] (PROFILE | --pid PID)",
	  "forget a profile and delete its saved file" },
	{ "notolerize", ADM_NO_TOLERIZE, EBPH_CMD_NO_TOLERIZE, ADM_F_PROFILE,
	  "notolerize [-j] [-c FILE] (PROFILE | --pid PID)",
	  "set no_tolerize: anomaly_limit never ends\n\tthis profile's normal monitoring" },
	{ "autotolerize", ADM_AUTO_TOLERIZE, EBPH_CMD_AUTO_TOLERIZE, ADM_F_PROFILE,
	  "autotolerize [-j] [-c FILE] (PROFILE | --pid PID)",
	  "clear no_tolerize (anomaly_limit applies)" },
	{ "save", ADM_SAVE, 0, ADM_F_NOCONFIG, "save [-j]",
	  "make the running monitor save now" },
	{ "release", ADM_RELEASE, 0, ADM_F_NOJSON | ADM_F_NOCONFIG | ADM_F_ARG,
	  "release (PID | --all)",
	  "let a task the response holds go (PID: its\n\tthreads; --all: every task)" },
	{ "prune", ADM_PRUNE, 0, ADM_F_NOJSON, "prune [-c FILE] [--dry-run]",
	  "delete saved profiles of executables that\n\tno longer exist" },
	{ "help", ADM_HELP, 0, ADM_F_NOJSON | ADM_F_NOCONFIG | ADM_F_ARG, "help [COMMAND]",
	  "ebph's usage, or a command's" },
	{ "check", ADM_CHECK, 0, ADM_F_HIDDEN, "check [-j] [-c FILE]",
	  "check every profile's invariants" },
	{ "replay", ADM_REPLAY, 0, ADM_F_NOJSON | ADM_F_NOCONFIG,
	  "replay [OPTIONS] (TRACE... | --train DIR --normal DIR --attack DIR)",
	  "run the detector over recorded traces\n\t(strace, ADFA-LD, UNM, ebph); evaluate it" },
	{ "record", ADM_RECORD, 0, ADM_F_NOJSON | ADM_F_NOCONFIG,
	  "record -o FILE (-p PID | -n COMM | -- CMD ARGS...)",
	  "record processes' system calls for replay" },
};

#define ADMIN_NCMDS (sizeof(admin_cmds) / sizeof(admin_cmds[0]))

struct admin_opts {
	const struct admin_cmd *cmd;
	const char *config;	/* -c FILE: whose state_dir (offline, delete) */
	char *overrides[CFG_OVERRIDES_MAX];	/* -o KEY=VALUE */
	size_t noverrides;
	const char *target;	/* PROFILE: a path or DEV:INO; help: COMMAND */
	long pid;		/* --pid PID, 0 = none */
	int json;		/* -j */
	int threads;		/* ps -t */
	int dry_run;		/* prune --dry-run */
	int all;		/* release --all */
	int frozen;		/* normalize --frozen (or --stable-for) */
	__u64 stable_for;	/* normalize --stable-for: seconds frozen, at least */
	enum show_mode mode;	/* show: compact, --pairs, --diff */
	const char *svg;	/* show --svg FILE */
	int help;		/* -h */
};

static const struct admin_cmd *admin_find(const char *name)
{
	size_t i;

	for (i = 0; i < ADMIN_NCMDS; i++)
		if (!strcmp(admin_cmds[i].name, name))
			return &admin_cmds[i];
	return NULL;
}

int admin_is_command(const char *name)
{
	return name && admin_find(name) != NULL;
}

/* A command's summary, its later lines indented to column col; a sentence
 * (capital first, full stop) if sentence. */
static void admin_summary(FILE *f, const struct admin_cmd *c, int col, int sentence)
{
	const char *s;

	for (s = c->summary; *s; s++) {
		if (*s == '\t')
			fprintf(f, "%*s", col, "");
		else if (sentence && s == c->summary)
			fputc(toupper((unsigned char)*s), f);
		else
			fputc(*s, f);
	}
	fputs(sentence ? ".\n" : "\n", f);
}

void admin_usage(FILE *f)
{
	size_t i;
	int n;

	fputs("COMMANDS (root; against the running monitor, else the saved profiles):\n", f);
	for (i = 0; i < ADMIN_NCMDS; i++) {
		if (admin_cmds[i].flags & ADM_F_HIDDEN)
			continue;
		n = fprintf(f, "  %s", admin_cmds[i].usage);
		if (n > 34)
			fprintf(f, "\n%*s", 35, "");
		else
			fprintf(f, "%*s", 35 - n, "");
		admin_summary(f, &admin_cmds[i], 35, 0);
	}
	fputs("  PROFILE: an executable's path, or its key DEV:INO as ebph prints it;\n"
	      "  --pid PID: the profile of a running process (a running monitor only).\n"
	      "  'ebph help COMMAND' or 'ebph COMMAND --help' lists a command's options.\n", f);
}

/* ebph COMMAND --help: its usage once, its options, every command's name. */
static void admin_cmd_help(FILE *f, const struct admin_cmd *c)
{
	size_t i;

	fprintf(f, "Usage: ebph %s\n", c->usage);
	admin_summary(f, c, 0, 1);
	if (c->flags & ADM_F_PROFILE)
		fputs("PROFILE: an executable's path, or its key DEV:INO as ebph prints it.\n", f);
	fputs("\n", f);
	if (!(c->flags & ADM_F_NOJSON))
		fputs("  -j, --json         one JSON object per line\n", f);
	if (!(c->flags & ADM_F_NOCONFIG))
		fputs("  -c, --config FILE  the configuration whose state_dir holds the saved\n"
		      "                     profiles, when no monitor runs (a running monitor's\n"
		      "                     own state_dir is used otherwise)\n"
		      "  -o, --option KEY=VALUE  a configuration key over -c FILE (repeatable)\n",
		      f);
	if (c->id == ADM_PS)
		fputs("  -t, --threads      one line per thread\n", f);
	if (c->flags & ADM_F_PROFILE)
		fputs("  -p, --pid PID      the profile of process PID (a running monitor only)\n",
		      f);
	if (c->id == ADM_PRUNE)
		fputs("  -n, --dry-run      only list what would be deleted\n", f);
	if (c->id == ADM_REPLAY)
		fputs(replay_help_text, f);
	if (c->id == ADM_RECORD)
		fputs(record_help_text, f);
	if (c->id == ADM_RELEASE)
		fputs("      --all          every task the response holds or delays\n", f);
	if (c->id == ADM_NORMALIZE)
		fputs("      --frozen       every frozen profile (instead of PROFILE)\n"
		      "      --stable-for TIME  every profile frozen for at least TIME\n"
		      "                     (90s, 15m, 2h, 1d; a running monitor only)\n", f);
	if (c->id == ADM_SHOW)
		fputs("      --pairs        one line per lookahead pair (call, previous call,\n"
		      "                     distance) instead of one line per call\n"
		      "      --diff         what a normalize would change: training pairs the\n"
		      "                     testing data lacks (added), and the reverse (removed)\n"
		      "      --svg FILE     draw the profile as an SVG heat map into FILE\n", f);
	fputs("  -h, --help         this help\n\nCommands:", f);
	for (i = 0; i < ADMIN_NCMDS; i++)
		if (!(admin_cmds[i].flags & ADM_F_HIDDEN))
			fprintf(f, " %s", admin_cmds[i].name);
	fputs("\nSee 'ebph --help' and ebph(8).\n", f);
}

void admin_help(FILE *f, const char *name)
{
	const struct admin_cmd *c = admin_find(name);

	if (c)
		admin_cmd_help(f, c);
}

static int admin_usage_error(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return -EINVAL;
}

/* Parse "ebph CMD ARGS...": argv[0] is CMD. 0, or -EINVAL and err (usage;
 * o->cmd names the command when it is known). */
static int admin_parse(int argc, char **argv, struct admin_opts *o, char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "threads", no_argument, NULL, 't' },
		{ "config", required_argument, NULL, 'c' },
		{ "option", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "frozen", no_argument, NULL, 'F' },
		{ "stable-for", required_argument, NULL, 'B' },
		{ "pairs", no_argument, NULL, 'P' },
		{ "diff", no_argument, NULL, 'D' },
		{ "svg", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct admin_cmd *c;
	char *end, opt[3] = "-?";
	int ch;

	memset(o, 0, sizeof(*o));
	if (argc < 1 || !(c = admin_find(argv[0])))
		return admin_usage_error(err, errlen, "unknown command '%s'",
					 argc < 1 ? "" : argv[0]);
	o->cmd = c;
	optind = 0;	/* glibc: start afresh */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:jtc:o:p:nh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (c->flags & ADM_F_NOJSON)
				return admin_usage_error(err, errlen,
							 "%s: has no JSON output (-j)", c->name);
			o->json = 1;
			break;
		case 't':
			if (c->id != ADM_PS)
				return admin_usage_error(err, errlen,
							 "%s: -t is for ps only", c->name);
			o->threads = 1;
			break;
		case 'a':
			if (c->id != ADM_RELEASE)
				return admin_usage_error(err, errlen, "%s: --all is for release "
							 "only", c->name);
			o->all = 1;
			break;
		case 'n':
			if (c->id != ADM_PRUNE)
				return admin_usage_error(err, errlen, "%s: --dry-run is for prune "
							 "only", c->name);
			o->dry_run = 1;
			break;
		case 'P':
		case 'D':
		case 'S':
			if (c->id != ADM_SHOW)
				return admin_usage_error(err, errlen, "%s: --pairs, --diff and "
							 "--svg are for show only", c->name);
			if (o->mode || o->svg)
				return admin_usage_error(err, errlen, "%s: --pairs, --diff and "
							 "--svg exclude each other", c->name);
			o->mode = ch == 'P' ? SHOW_PAIRS : ch == 'D' ? SHOW_DIFF : SHOW_COMPACT;
			o->svg = ch == 'S' ? optarg : NULL;
			if (o->svg && !*o->svg)
				return admin_usage_error(err, errlen, "%s: --svg needs a file name",
							 c->name);
			break;
		case 'F':
		case 'B':
			if (c->id != ADM_NORMALIZE)
				return admin_usage_error(err, errlen, "%s: --frozen and --stable-for "
							 "are for normalize only", c->name);
			o->frozen = 1;
			if (ch == 'B' && (cfg_parse_duration(optarg, &o->stable_for) ||
					  !o->stable_for))
				return admin_usage_error(err, errlen, "--stable-for: '%s' is not a "
							 "positive duration (seconds, or a "
							 "number with s, m, h, d or w)", optarg);
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'o':
			if (o->noverrides == CFG_OVERRIDES_MAX)
				return admin_usage_error(err, errlen, "-o: at most %s overrides",
							 "64");
			o->overrides[o->noverrides++] = optarg;
			break;
		case 'p':
			if (!(c->flags & ADM_F_PROFILE))
				return admin_usage_error(err, errlen,
							 "%s: takes no --pid", c->name);
			errno = 0;
			o->pid = strtol(optarg, &end, 10);
			if (errno || !*optarg || *end || o->pid <= 0 || o->pid > 4194304)
				return admin_usage_error(err, errlen, "bad PID '%s'", optarg);
			break;
		case 'h':
			o->help = 1;
			return 0;
		case ':':
			opt[1] = (char)optopt;
			return admin_usage_error(err, errlen, "option '%s' needs an argument",
						 optopt ? opt : argv[optind - 1]);
		default:
			opt[1] = (char)optopt;
			return admin_usage_error(err, errlen, "unknown option '%s'",
						 optopt ? opt : argv[optind - 1]);
		}
	}
	if (optind < argc && (((c->flags & ADM_F_PROFILE) && !o->pid && !o->frozen) ||
			      (c->flags & ADM_F_ARG)))
		o->target = argv[optind++];
	if (optind < argc)
		return admin_usage_error(err, errlen, "unexpected argument '%s'", argv[optind]);
	if (o->frozen && o->pid)
		return admin_usage_error(err, errlen, "%s: --frozen and --stable-for exclude "
					 "PROFILE and --pid", c->name);
	if ((c->flags & ADM_F_PROFILE) && !o->target && !o->pid && !o->frozen)
		return admin_usage_error(err, errlen, "%s: which profile? (PROFILE or --pid "
					 "PID)", c->name);
	if (o->target && !o->target[0])
		return admin_usage_error(err, errlen, "empty PROFILE%s", "");
	if (c->id == ADM_RELEASE) {
		if (!o->all == !o->target)
			return admin_usage_error(err, errlen, "release: which task? (PID or "
						 "--all)%s", "");
		if (o->target) {
			errno = 0;
			o->pid = strtol(o->target, &end, 10);
			if (errno || *end || o->pid <= 0 || o->pid > 4194304)
				return admin_usage_error(err, errlen, "bad PID '%s'", o->target);
		}
	}
	if (c->id == ADM_HELP && o->target && !admin_find(o->target))
		return admin_usage_error(err, errlen, "help: unknown command '%s'", o->target);
	return 0;
}

/* User-space dev_t (stat's st_dev) to the kernel's (major << 20 | minor). */
static __u64 admin_kernel_dev(__u64 udev)
{
	return ((__u64)major(udev) << 20) | (minor(udev) & 0xfffff);
}

/* "DEV:INO" as ebph prints it (user-space dev, decimal), with "~sHEX" for a
 * script's profile -> kernel key. 0, or -EINVAL if s is not of that form. */
static int admin_parse_key(const char *s, struct ebph_key *key)
{
	unsigned long long dev, ino, script = 0;
	const char *p, *tilde = strstr(s, "~s");
	char *end;

	memset(key, 0, sizeof(*key));
	if (tilde) {
		if (!tilde[2] || strspn(tilde + 2, "0123456789abcdef") != strlen(tilde + 2) ||
		    strlen(tilde + 2) > 16)
			return -EINVAL;
		script = strtoull(tilde + 2, NULL, 16);
		if (!script)
			return -EINVAL;
	}
	for (p = s; *p && p != tilde; p++)
		if ((*p < '0' || *p > '9') && *p != ':')
			return -EINVAL;
	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	dev = strtoull(s, &end, 10);
	if (errno || *end != ':' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	ino = strtoull(end + 1, &end, 10);
	if (errno || (tilde ? end != tilde : *end != 0))
		return -EINVAL;
	if (major(dev) > 0xfff || minor(dev) > 0xfffff || !ino)
		return -EINVAL;
	key->dev = admin_kernel_dev(dev);
	key->ino = ino;
	key->script = script;
	return 0;
}

/* Pairs set in n rows. */
static __u64 admin_pairs(const struct store_row *rows, __u32 n)
{
	__u64 pairs = 0;
	__u32 i, b;

	for (i = 0; i < n; i++)
		for (b = 0; b < EBPH_ROW_BYTES; b++)
			pairs += __builtin_popcount(rows[i].bits[b]);
	return pairs;
}

/* The row of call in a sorted view, or NULL. */
static const struct store_row *admin_view_row(const struct store_row *rows, __u32 n, __u32 call)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (rows[i].call == call)
			return &rows[i];
	return NULL;
}

/* Rows a saved profile takes once loaded (as maps_add_profile lays it out). */
static void admin_saved_rows(const struct store_profile *p, __u64 *rows, __u64 *snap)
{
	__u32 r, s;
	int split;

	store_rows_needed(p, &r, &s, &split);
	*rows = r;
	*snap = s;
}

/* The exec graph after a command: normalize (the training view becomes
 * the testing view) or sensitize (the training view is forgotten); edges in
 * no view are dropped. */
static void admin_edges_view(struct store_profile *p, int normalize)
{
	__u32 i, n = 0;

	for (i = 0; i < p->nedges; i++) {
		if (normalize)
			p->edges[i].test = p->edges[i].train;
		else
			p->edges[i].train = 0;
		if (p->edges[i].train || p->edges[i].test)
			p->edges[n++] = p->edges[i];
	}
	p->nedges = n;
}

/* A profile that is no longer normal has no testing view of its exec
 * graph: keep the edges in its training data, drop the others. */
static void admin_untest_edges(struct store_profile *p)
{
	__u32 i, n = 0;

	for (i = 0; i < p->nedges; i++) {
		p->edges[i].test = 0;
		if (p->edges[i].train)
			p->edges[n++] = p->edges[i];
	}
	p->nedges = n;
}

/*
 * An operator command on a saved profile, with the meanings the BPF program
 * gives them (ph.h): normalize copies training to testing, state normal,
 * anomalies 0, training counters restart; sensitize forgets the training
 * data and its counters (frozen goes back to training); tolerize stops
 * normal monitoring (training, anomalies 0). now is wall-clock ns.
 * 0, -ENOMEM or -EINVAL (unknown op); p is unchanged on error.
 */
static int admin_apply_saved(struct store_profile *p, __u32 op, __s64 now)
{
	struct store_row *copy;

	switch (op) {
	case EBPH_CMD_NORMALIZE:
		copy = malloc((p->ntrain ? p->ntrain : 1) * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		if (p->ntrain)
			memcpy(copy, p->train, p->ntrain * sizeof(*copy));
		free(p->test);
		p->test = copy;
		p->ntest = p->ntrain;
		p->state = EBPH_NORMAL;
		p->normal_since = now;
		p->normal_time = 0;
		p->anomalies = 0;
		p->episodes = 0;
		p->episode_first = 0;
		admin_edges_view(p, 1);
		p->train_count = 0;
		p->last_mod_count = 0;
		return 0;
	case EBPH_CMD_SENSITIZE:
		admin_edges_view(p, 0);
		p->ntrain = 0;
		p->train_count = 0;
		p->last_mod_count = 0;
		p->sequences = 0;
		p->anomalies = 0;
		if (p->state == EBPH_FROZEN) {
			p->state = EBPH_TRAINING;
			p->normal_time = 0;
		}
		return 0;
	case EBPH_CMD_TOLERIZE:
		p->state = EBPH_TRAINING;
		p->anomalies = 0;
		p->ntest = 0;
		p->normal_time = 0;
		p->normal_since = 0;
		p->episodes = 0;
		p->episode_first = 0;
		admin_untest_edges(p);
		return 0;
	case EBPH_CMD_NO_TOLERIZE:
		p->pflags |= EBPH_PF_NO_TOLERIZE;
		return 0;
	case EBPH_CMD_AUTO_TOLERIZE:
		p->pflags &= ~EBPH_PF_NO_TOLERIZE;
		return 0;
	}
	return -EINVAL;
}

/* Why op would change nothing in profile p ("already training"), or NULL if
 * it changes something: tolerize on a training profile, sensitize with no
 * training data or counters to forget, normalize on a normal profile without
 * anomalies whose training pairs already are its testing pairs. */
static const char *admin_unchanged(const struct store_profile *p, __u32 op)
{
	__u32 i;

	switch (op) {
	case EBPH_CMD_TOLERIZE:
		return p->state == EBPH_TRAINING ? "already training" : NULL;
	case EBPH_CMD_NO_TOLERIZE:
		return p->pflags & EBPH_PF_NO_TOLERIZE ? "already no_tolerize" : NULL;
	case EBPH_CMD_AUTO_TOLERIZE:
		return p->pflags & EBPH_PF_NO_TOLERIZE ? NULL : "anomaly_limit already applies";
	case EBPH_CMD_SENSITIZE:
		if (p->ntrain || p->train_count || p->last_mod_count || p->sequences ||
		    p->anomalies || p->state == EBPH_FROZEN)
			return NULL;
		return "no training data to forget";
	case EBPH_CMD_NORMALIZE:
		if (p->state != EBPH_NORMAL || p->anomalies || p->ntrain != p->ntest)
			return NULL;
		for (i = 0; i < p->ntrain; i++) {
			const struct store_row *t = admin_view_row(p->test, p->ntest,
								   p->train[i].call);

			if (!t || memcmp(t->bits, p->train[i].bits, EBPH_ROW_BYTES))
				return NULL;
		}
		return "already normal with these pairs";
	}
	return NULL;
}

/* A duration for the NORMAL column: "6d23h", "3h2m", "5m12s", "42s". */
static void admin_duration(char *buf, size_t len, __u64 secs)
{
	if (secs >= 86400)
		snprintf(buf, len, "%llud%lluh", (unsigned long long)(secs / 86400),
			 (unsigned long long)(secs % 86400 / 3600));
	else if (secs >= 3600)
		snprintf(buf, len, "%lluh%llum", (unsigned long long)(secs / 3600),
			 (unsigned long long)(secs % 3600 / 60));
	else if (secs >= 60)
		snprintf(buf, len, "%llum%llus", (unsigned long long)(secs / 60),
			 (unsigned long long)(secs % 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)secs);
}

/* The NORMAL column: "in 6d23h" (frozen), "3h2m ago" (normal), "-". Wall ns. */
static void admin_normal_col(char *buf, size_t len, __u32 state, __s64 normal_time,
			     __s64 normal_since, __s64 now)
{
	char d[24];

	if (state == EBPH_FROZEN && normal_time) {
		admin_duration(d, sizeof(d),
			       normal_time > now ? (normal_time - now) / 1000000000 : 0);
		snprintf(buf, len, "in %s", d);
	} else if (state == EBPH_NORMAL && normal_since) {
		admin_duration(d, sizeof(d),
			       now > normal_since ? (now - normal_since) / 1000000000 : 0);
		snprintf(buf, len, "%s ago", d);
	} else {
		snprintf(buf, len, "-");
	}
}

/* The ANOM_AGO column: time since the last anomaly ("3h2m"), "-" if none. */
static void admin_ago_col(char *buf, size_t len, __s64 last, __s64 now)
{
	if (!last)
		snprintf(buf, len, "-");
	else
		admin_duration(buf, len, now > last ? (now - last) / 1000000000 : 0);
}

/* The freeze rule a profile is measured against (the running monitor's,
 * else the configuration's). */
struct admin_rule {
	__u32 factor, den, min;
};

/* Calls without news (last_mod_count) at which a training profile freezes if
 * it learns nothing more: the smallest k >= 1 such that ph_should_freeze
 * (train + k, last_mod + k) holds, plus last_mod. 0 if the rule is unknown. */
static __u64 admin_freeze_at(__u64 train, __u64 last_mod, const struct admin_rule *r)
{
	__u64 k = 1, need;

	if (!r || !r->factor || r->den >= r->factor || last_mod > train)
		return 0;
	/* (train + k) * den > (train - last_mod) * factor */
	need = (train - last_mod) * r->factor / r->den;
	if (need + 1 > train + k)
		k = need + 1 - train;
	if (r->min > train + k)
		k = r->min - train;
	return last_mod + k;
}

/* The PROGRESS column: "412/3001" (training: calls without news, and how
 * many freeze it), "3m2s" (frozen: since when, "?" if unknown), "-". */
static void admin_progress_col(char *buf, size_t len, __u32 state, __u64 train,
			       __u64 last_mod, __s64 frozen_since, __s64 now,
			       const struct admin_rule *r)
{
	__u64 at = admin_freeze_at(train, last_mod, r);

	if (state == EBPH_TRAINING && at)
		snprintf(buf, len, "%llu/%llu", (unsigned long long)last_mod,
			 (unsigned long long)at);
	else if (state == EBPH_FROZEN && frozen_since)
		admin_duration(buf, len, now > frozen_since ? (now - frozen_since) / 1000000000 : 0);
	else if (state == EBPH_FROZEN)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "-");
}

/* JSON: "freeze_at" (training) and "frozen_since" (frozen), null otherwise. */
static void admin_json_progress(FILE *f, __u32 state, __u64 train, __u64 last_mod,
				__s64 frozen_since, const struct admin_rule *r)
{
	__u64 at = state == EBPH_TRAINING ? admin_freeze_at(train, last_mod, r) : 0;

	if (at)
		fprintf(f, ",\"freeze_at\":%llu", (unsigned long long)at);
	else
		fputs(",\"freeze_at\":null", f);
	out_json_time(f, "frozen_since", state == EBPH_FROZEN ? frozen_since : 0);
}

/* "type" and the fields every object starts with (wall ns now). */
static void admin_json_head(FILE *f, const char *type, __s64 now)
{
	out_json_head(f, type, now, NULL);
}

static void admin_key_str(char *buf, size_t len, const struct ebph_key *key)
{
	char sc[24] = "", c[24] = "";

	if (key->script)
		snprintf(sc, sizeof(sc), "~s%llx", (unsigned long long)key->script);
	if (key->scope)
		snprintf(c, sizeof(c), "~c%llx", (unsigned long long)key->scope);
	snprintf(buf, len, "%llu:%llu%s%s", (unsigned long long)out_user_dev(key->dev),
		 (unsigned long long)key->ino, sc, c);
}

/* One profile as ebph profiles and ebph show list it. */
struct admin_prof {
	const struct store_profile *p;	/* counters, views, wall-clock times, path */
	__u64 rows, snapshot_rows;	/* pair rows it takes in the maps */
	const char *source;		/* "live" or "saved" */
	__s64 now;			/* wall ns */
	struct admin_rule rule;		/* for the PROGRESS column */
};

static void admin_profile_header(FILE *f)
{
	fprintf(f, "%-14s %-8s %11s %8s %-13s %8s %8s %8s %5s %5s %4s %-10s %s\n", "KEY",
		"STATE", "TRAIN_COUNT", "LAST_MOD", "PROGRESS", "ANOM_NOW", "ANOM_ALL", "ANOM_AGO",
		"LOST", "PAIRS", "KB", "NORMAL", "PATH");
}

static void admin_profile_line(FILE *f, int json, const struct admin_prof *a)
{
	const struct store_profile *p = a->p;
	__u64 train_pairs = admin_pairs(p->train, p->ntrain);
	__u64 test_pairs = p->state == EBPH_NORMAL ? admin_pairs(p->test, p->ntest) : 0;
	__u64 bytes = (a->rows + a->snapshot_rows) * sizeof(struct ebph_row);
	char key[80], path[OUT_ESC_LEN(EBPH_PATH_MAX)], normal[32], ago[32], progress[48];

	admin_key_str(key, sizeof(key), &p->key);
	if (json) {
		struct out_ctx c = { .f = f, .json = 1 };
		struct out_profile o = {
			.wall_ts = a->now, .source = a->source, .path = p->path,
			.dev = out_user_dev(p->key.dev), .ino = p->key.ino, .state = p->state,
			.train_count = p->train_count, .last_mod_count = p->last_mod_count,
			.sequences = p->sequences, .anomalies = p->anomalies,
			.train_pairs = (__s64)train_pairs, .test_pairs = (__s64)test_pairs,
			.rows = a->rows, .snapshot_rows = a->snapshot_rows, .pair_bytes = bytes,
			.anomalies_total = p->anomalies_total, .anomalies_lost = p->anomalies_lost,
			.events_lost = p->events_lost, .last_anomaly = p->last_anomaly,
			.normal_time = p->normal_time, .normal_since = p->normal_since,
			.freeze_at = p->state == EBPH_TRAINING ?
				     admin_freeze_at(p->train_count, p->last_mod_count, &a->rule) : 0,
			.frozen_since = p->state == EBPH_FROZEN ? p->frozen_since : 0,
			.progress = 1,
			.script = p->key.script, .scope = p->key.scope,
			.cgroup = p->cgroup[0] ? p->cgroup : NULL,
		};

		out_profile(&c, &o);
		return;
	}
	admin_normal_col(normal, sizeof(normal), p->state, p->normal_time, p->normal_since,
			 a->now);
	admin_ago_col(ago, sizeof(ago), p->last_anomaly, a->now);
	admin_progress_col(progress, sizeof(progress), p->state, p->train_count,
			   p->last_mod_count, p->frozen_since, a->now, &a->rule);
	fprintf(f, "%-14s %-8s %11llu %8llu %-13s %8llu %8llu %8s %5llu %5llu %4llu %-10s %s\n",
		key, out_state_name(p->state), (unsigned long long)p->train_count,
		(unsigned long long)p->last_mod_count, progress, (unsigned long long)p->anomalies,
		(unsigned long long)p->anomalies_total, ago,
		(unsigned long long)p->anomalies_lost,
		(unsigned long long)(train_pairs + test_pairs),
		(unsigned long long)((bytes + 1023) / 1024), normal,
		out_text_buf(path, sizeof(path), p->path, EBPH_PATH_MAX));
}

/* ebph show: the profile line, then its pairs in the chosen mode, or the
 * heat map into the --svg file (0, or 1 with a message). */
static int admin_show(FILE *f, const struct admin_opts *o, const struct admin_prof *a)
{
	struct show_profile s = { .p = a->p, .json = o->json };
	char key[80];
	FILE *svg;
	int ret;

	admin_key_str(key, sizeof(key), &a->p->key);
	s.key = key;
	s.now = a->now;
	if (o->svg) {
		svg = fopen(o->svg, "w");
		if (!svg) {
			out_warn("ebph: %s: %s", o->svg, strerror(errno));
			return 1;
		}
		ret = show_svg(svg, &s);
		if (fclose(svg) || ret) {
			out_warn("ebph: %s: cannot write the heat map", o->svg);
			unlink(o->svg);
			return 1;
		}
		return 0;
	}
	if (!o->json)
		admin_profile_header(f);
	admin_profile_line(f, o->json, a);
	show_pairs(f, &s, o->mode);
	return 0;
}

/* Longest thread name /proc shows, with its NUL (a kernel thread's is
 * longer than TASK_COMM_LEN). */
#define ADMIN_COMM_MAX	64

/* One monitored task (or process) as ebph ps lists it. */
struct admin_task {
	__u32 pid, tid, threads;
	const char *comm;
	const char *path;
	const struct ebph_key *key;	/* NULL: no profile */
	__u32 state;
	__u64 train_count, last_mod_count, anomalies;
	__u64 anomalies_total;	/* the profile's anomalies ever */
	__u32 lfc, lfc_max;
	__s64 normal_time, normal_since, now;	/* wall ns */
	__s64 last_anomaly;	/* wall ns, 0 = none */
	__u32 held;		/* response: 0, 1 HELD (a delay), 2 SUSPENDED (execve) */
	__s64 held_until;	/* wall ns */
	__s64 frozen_since;	/* wall ns, 0 = unknown */
	const struct admin_rule *rule;
};

static void admin_task_header(FILE *f, int threads)
{
	fprintf(f, "%7s ", "PID");
	if (threads)
		fprintf(f, "%7s ", "TID");
	fprintf(f, "%-15s %-8s %11s %8s %-13s %7s %8s %8s %8s %-10s %s\n", "COMM", "STATE",
		"TRAIN_COUNT", "LAST_MOD", "PROGRESS", "LFC", "ANOM_NOW", "ANOM_ALL", "ANOM_AGO",
		"NORMAL", "PROFILE");
}

static void admin_task_line(FILE *f, int json, int threads, const struct admin_task *t)
{
	char key[80], comm[OUT_ESC_LEN(ADMIN_COMM_MAX)], path[OUT_ESC_LEN(EBPH_PATH_MAX)], normal[32], lfc[24],
	     ago[32], progress[48] = "-";
	const char *state = t->key ? out_state_name(t->state) : "-";

	if (t->key)
		admin_key_str(key, sizeof(key), t->key);
	if (json) {
		admin_json_head(f, "task", t->now);
		fprintf(f, ",\"pid\":%u", t->pid);
		if (threads)
			fprintf(f, ",\"tid\":%u", t->tid);
		else
			fprintf(f, ",\"threads\":%u", t->threads);
		fputs(",\"comm\":", f);
		out_json_str(f, t->comm, ADMIN_COMM_MAX);
		if (t->key)
			fprintf(f, ",\"profile\":\"%s\",\"path\":", key);
		else
			fputs(",\"profile\":null,\"path\":", f);
		out_json_str(f, t->path, EBPH_PATH_MAX);
		fprintf(f, ",\"state\":\"%s\",\"train_count\":%llu,\"last_mod_count\":%llu,"
			"\"lfc\":%u,\"lfc_max\":%u,\"anomalies\":%llu", state,
			(unsigned long long)t->train_count, (unsigned long long)t->last_mod_count,
			t->lfc, t->lfc_max, (unsigned long long)t->anomalies);
		fprintf(f, ",\"anomalies_total\":%llu", (unsigned long long)t->anomalies_total);
		out_json_time(f, "last_anomaly", t->last_anomaly);
		out_json_time(f, "normal_time", t->state == EBPH_FROZEN ? t->normal_time : 0);
		if (t->key && t->state == EBPH_FROZEN)
			fprintf(f, ",\"normal_in\":%lld", (long long)(t->normal_time > t->now ?
				(t->normal_time - t->now) / 1000000000 : 0));
		else
			fputs(",\"normal_in\":null", f);
		out_json_time(f, "normal_since", t->state == EBPH_NORMAL ? t->normal_since : 0);
		fprintf(f, ",\"held\":%s", !t->held ? "null" :
			t->held == 2 ? "\"suspended\"" : "\"held\"");
		out_json_time(f, "held_until", t->held ? t->held_until : 0);
		if (t->key)
			admin_json_progress(f, t->state, t->train_count, t->last_mod_count,
					    t->frozen_since, t->rule);
		else
			fputs(",\"freeze_at\":null,\"frozen_since\":null", f);
		fputs("}\n", f);
		return;
	}
	if (t->key)
		admin_progress_col(progress, sizeof(progress), t->state, t->train_count,
				   t->last_mod_count, t->frozen_since, t->now, t->rule);
	admin_normal_col(normal, sizeof(normal), t->key ? t->state : EBPH_TRAINING,
			 t->normal_time, t->normal_since, t->now);
	snprintf(lfc, sizeof(lfc), "%u/%u", t->lfc, t->lfc_max);
	admin_ago_col(ago, sizeof(ago), t->last_anomaly, t->now);
	fprintf(f, "%7u ", t->pid);
	if (threads)
		fprintf(f, "%7u ", t->tid);
	fprintf(f, "%-15s %-8s %11llu %8llu %-13s %7s %8llu %8llu %8s %-10s %s",
		out_text_buf(comm, sizeof(comm), t->comm, ADMIN_COMM_MAX), state,
		(unsigned long long)t->train_count, (unsigned long long)t->last_mod_count,
		progress, lfc,
		(unsigned long long)t->anomalies, (unsigned long long)t->anomalies_total, ago,
		normal,
		out_text_buf(path, sizeof(path), t->path, EBPH_PATH_MAX));
	if (t->held) {
		time_t u = (time_t)(t->held_until / 1000000000);
		struct tm tm;
		char when[32] = "?";

		if (localtime_r(&u, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(f, "  %s until %s", t->held == 2 ? "SUSPENDED" : "HELD", when);
	}
	fputc('\n', f);
}

/* What a steering command did to one profile. */
struct admin_change {
	const char *command;
	const struct ebph_key *key;
	const char *path;
	const char *source;	/* "live" or "saved" */
	__u32 old_state, state;	/* ADMIN_STATE_GONE: the saved file was deleted */
	__u64 old_train_count, train_count;
	int file;		/* delete: 1 removed, 0 there was none, -1 not touched */
	const char *unchanged;	/* why nothing changed (admin_unchanged), or NULL */
	__s64 now;
};

#define ADMIN_STATE_GONE 0xffffffffU

static void admin_change_line(FILE *f, int json, const struct admin_change *c)
{
	char key[80], path[OUT_ESC_LEN(EBPH_PATH_MAX)];
	const char *state = c->state == ADMIN_STATE_GONE ? "deleted" : out_state_name(c->state);

	admin_key_str(key, sizeof(key), c->key);
	if (json) {
		admin_json_head(f, "command", c->now);
		fprintf(f, ",\"command\":\"%s\",\"profile\":\"%s\",\"path\":", c->command, key);
		out_json_str(f, c->path, EBPH_PATH_MAX);
		fprintf(f, ",\"source\":\"%s\",\"old_state\":\"%s\",\"state\":\"%s\","
			"\"old_train_count\":%llu,\"train_count\":%llu", c->source,
			out_state_name(c->old_state), state, (unsigned long long)c->old_train_count,
			(unsigned long long)c->train_count);
		if (c->file >= 0)
			fprintf(f, ",\"file_removed\":%s", c->file ? "true" : "false");
		fprintf(f, ",\"changed\":%s", c->unchanged ? "false" : "true");
		fputs("}\n", f);
		return;
	}
	if (c->unchanged) {
		fprintf(f, "%s %s (%s, %s): %s: nothing changed\n", c->command,
			out_text_buf(path, sizeof(path), c->path, EBPH_PATH_MAX), key, c->source,
			c->unchanged);
		return;
	}
	fprintf(f, "%s %s (%s, %s): %s -> %s, train_count %llu -> %llu", c->command,
		out_text_buf(path, sizeof(path), c->path, EBPH_PATH_MAX), key, c->source,
		out_state_name(c->old_state), state, (unsigned long long)c->old_train_count,
		(unsigned long long)c->train_count);
	if (c->file >= 0)
		fprintf(f, c->file ? ", saved file removed" : ", no saved file");
	fputc('\n', f);
}

#ifndef ADMIN_PURE

/* ---------------------------------------------------------------------- */
/* Pins: the monitor's side                                                */

#define ADMIN_BPFFS	"/sys/fs/bpf"
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC	0xcafe4a11
#endif

/* What admin_pin pins: the maps the commands use and the command program;
 * the last ones only if the program has them (task layouts differ). */
static const char *const pin_names[] = {
	"tasks", "profiles", "keys", "paths", "rows", "alloc", "stats", "info", "cmd", "tstore",
	"held",
};
#define PIN_COUNT (sizeof(pin_names) / sizeof(pin_names[0]))
#define PIN_REQUIRED 9	/* pin_names[PIN_REQUIRED..] are optional */

static int pin_created;		/* admin_pin made the pins: admin_unpin removes them */
static int pin_dir_fd = -1;	/* the pin directory while pinned */

#define PIN_DIR_NAME	"ebph"	/* ADMIN_PIN_DIR in ADMIN_BPFFS */

static void pin_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", ADMIN_PIN_DIR, name);
}

/* Path of name in the directory open as dfd that follows no symbolic link
 * by name: the kernel resolves /proc/self/fd/N to the directory itself. */
static void pin_path_at(char *buf, size_t len, int dfd, const char *name)
{
	snprintf(buf, len, "/proc/self/fd/%d/%s", dfd, name);
}

static int is_bpffs(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && (unsigned long)sf.f_type == (unsigned long)BPF_FS_MAGIC;
}

/* Serialise monitors' pinning and unpinning (mount, mkdir, clean-up) with a
 * lock on /sys/fs, a directory that no mount ever covers. fd or -errno. */
static int pin_lock(void)
{
	int fd = open("/sys/fs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static void pin_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Does process pid hold the BPF map map_id open (its fdinfo says so)? */
static int proc_holds_map(pid_t pid, __u32 map_id)
{
	char dir[64], path[64 + 256 + 2], line[128];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!found && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned int id;

			if (sscanf(line, "map_id: %u", &id) == 1) {
				found = id == map_id;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/*
 * The monitor that made the pins, from the pinned info map: its PID (0 if
 * unknown) and whether it still runs. Alive means the process still holds
 * that very map open (its fdinfo names the map's id): a PID reused by another
 * process does not, and a monitor started under another name still does.
 * Only if its fdinfo cannot be read does its name (ebph) decide. Reads the
 * directory open as dfd (a checked pin directory).
 */
static pid_t pin_owner_at(int dfd, int *alive)
{
	__u64 value[1024];	/* the info value, of whichever ebph version made it */
	struct bpf_map_info mi;
	__u32 k = 0, len = sizeof(mi);
	char path[128], comm[32] = "";
	pid_t pid;
	FILE *f;
	int fd, held;

	*alive = 0;
	pin_path_at(path, sizeof(path), dfd, "info");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&mi, 0, sizeof(mi));
	memset(value, 0, sizeof(value));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) || mi.value_size < sizeof(__u64) ||
	    mi.value_size > sizeof(value) || bpf_lookup_elem(fd, &k, value)) {
		close(fd);
		return 0;
	}
	close(fd);
	pid = (pid_t)value[0];	/* struct ebph_info starts with the PID */
	if (pid <= 0 || (__u64)pid != value[0] || pid == getpid())
		return pid > 0 ? pid : 0;
	if (kill(pid, 0) && errno == ESRCH)
		return pid;
	held = proc_holds_map(pid, mi.id);
	if (held >= 0) {
		*alive = held;
		return pid;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = 0;
	*alive = !strcmp(comm, "ebph");
	return pid;
}

/* The bpffs root, opened without following a symbolic link. fd or -errno. */
static int pin_root_open(void)
{
	int fd = open(ADMIN_BPFFS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Is st what ebph makes its pin directory: a directory of root, 0700? */
static int pin_dir_trusted(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && st->st_uid == 0 && (st->st_mode & 07777) == 0700;
}

/*
 * Check ADMIN_PIN_DIR in the bpffs root rootfd without following it: 0 if
 * it is absent (*exists 0) or ebph's own kind (a directory of root, mode
 * 0700); else -ELOOP, -ENOTDIR or -EPERM with a message in err saying what
 * to remove. Anyone else's object there is never used, changed or removed.
 */
static int pin_dir_check(int rootfd, int *exists, char *err, size_t errlen)
{
	const char *what;
	struct stat st;
	int ret;

	*exists = 0;
	if (fstatat(rootfd, PIN_DIR_NAME, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	*exists = 1;
	if (pin_dir_trusted(&st))
		return 0;
	if (S_ISLNK(st.st_mode)) {
		what = "is a symbolic link";
		ret = -ELOOP;
	} else if (!S_ISDIR(st.st_mode)) {
		what = "is not a directory";
		ret = -ENOTDIR;
	} else if (st.st_uid != 0) {
		what = "is owned by another user";
		ret = -EPERM;
	} else {
		what = "is not mode 0700";
		ret = -EPERM;
	}
	snprintf(err, errlen, "%s %s (uid %u, mode %04o): not ebph's pin directory, left as it "
		 "is; if no other tool uses it, remove it (rm -r %s) and start ebph again",
		 ADMIN_PIN_DIR, what, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777),
		 ADMIN_PIN_DIR);
	return ret;
}

/* Open the pin directory (checked again on the open file). fd or -errno. */
static int pin_dir_open(int rootfd)
{
	struct stat st;
	int fd;

	fd = openat(rootfd, PIN_DIR_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !pin_dir_trusted(&st)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* The owner of the pins, if the pin directory is ebph's (see pin_owner_at). */
static pid_t pin_owner(int *alive)
{
	int rootfd, dfd, exists;
	pid_t pid = 0;

	*alive = 0;
	rootfd = pin_root_open();
	if (rootfd < 0)
		return 0;
	if (!pin_dir_check(rootfd, &exists, NULL, 0) && exists) {
		dfd = pin_dir_open(rootfd);
		if (dfd >= 0) {
			pid = pin_owner_at(dfd, alive);
			close(dfd);
		}
	}
	close(rootfd);
	return pid;
}

/* Remove ebph's own pins from the directory dfd (never any other name),
 * then the directory if that left it empty: 0, or -errno of the rmdir
 * (-ENOTEMPTY: it holds something else). */
static int pin_remove_all(int rootfd, int dfd)
{
	size_t i;

	for (i = 0; i < PIN_COUNT; i++)
		unlinkat(dfd, pin_names[i], 0);
	return unlinkat(rootfd, PIN_DIR_NAME, AT_REMOVEDIR) ? -errno : 0;
}

/* Say (once a start) that any user can create the pin directory first. */
static void pin_root_warn(int rootfd)
{
	struct stat st;

	if (!fstat(rootfd, &st) && (st.st_mode & S_IWOTH))
		fprintf(stderr, "ebph: warning: %s is writable by every user (mode %04o): "
			"another user can create %s before ebph starts; mount the BPF file "
			"system with mode=0700 (as ebph does when it mounts it)\n", ADMIN_BPFFS,
			(unsigned int)(st.st_mode & 07777), ADMIN_PIN_DIR);
}

/* An empty directory in the bpffs root that says ebph mounted it: whichever
 * monitor stops last (even after a crashed one) unmounts it again. */
#define PIN_MARKER	ADMIN_BPFFS "/ebph_mounted"	/* no dot: bpffs refuses dots */

/* Is the bpffs root unused: nothing in it but our marker and the kernel's
 * preloaded iterators (maps.debug, progs.debug)? */
static int pin_root_unused(void)
{
	struct dirent *de;
	int unused = 1;
	DIR *d = opendir(ADMIN_BPFFS);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, PIN_MARKER + sizeof(ADMIN_BPFFS)) &&
		    strcmp(de->d_name, "maps.debug") && strcmp(de->d_name, "progs.debug"))
			unused = 0;
	closedir(d);
	return unused;
}

/* Unmount bpffs if ebph mounted it (a marker of root's, 0700, says so) and
 * nothing else is pinned there. */
static void pin_unmount_if_unused(void)
{
	struct stat st;

	if (lstat(PIN_MARKER, &st) || !pin_dir_trusted(&st) || !pin_root_unused())
		return;
	if (!rmdir(PIN_MARKER) && umount2(ADMIN_BPFFS, MNT_DETACH))
		mkdir(PIN_MARKER, 0700);	/* still mounted: keep saying it is ours */
}

/* Make (or take over, from a crashed monitor) the pin directory in rootfd:
 * its fd, or -errno with a message in err. */
static int pin_dir_make(int rootfd, char *err, size_t errlen)
{
	int exists, alive, dfd, ret;
	pid_t pid;

	ret = pin_dir_check(rootfd, &exists, err, errlen);
	if (ret)
		return ret;
	if (!exists) {
		if (mkdirat(rootfd, PIN_DIR_NAME, 0700)) {
			ret = -errno;
			if (ret == -EEXIST)	/* made meanwhile: check what it is */
				return pin_dir_make(rootfd, err, errlen);
			snprintf(err, errlen, "cannot create %s: %s", ADMIN_PIN_DIR,
				 strerror(-ret));
			return ret;
		}
		dfd = openat(rootfd, PIN_DIR_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0 || fchmod(dfd, 0700)) {	/* exactly 0700, whatever the umask */
			ret = -errno;
			snprintf(err, errlen, "cannot create %s: %s", ADMIN_PIN_DIR,
				 strerror(-ret));
			if (dfd >= 0)
				close(dfd);
			return ret;
		}
		close(dfd);
	}
	dfd = pin_dir_open(rootfd);
	if (dfd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", ADMIN_PIN_DIR, strerror(-dfd));
		return dfd;
	}
	if (!exists)
		return dfd;
	pid = pin_owner_at(dfd, &alive);
	if (alive) {
		snprintf(err, errlen, "another ebph monitor is running (PID %d)", (int)pid);
		close(dfd);
		return -EBUSY;
	}
	ret = pin_remove_all(rootfd, dfd);
	if (pid)
		fprintf(stderr, "ebph: removed stale pins of a crashed ebph (PID %d)\n", (int)pid);
	else
		fprintf(stderr, "ebph: removed stale pins of a crashed ebph (PID unknown)\n");
	if (ret == -ENOTEMPTY) {
		fprintf(stderr, "ebph: %s holds entries that are not ebph's pins: left as they "
			"are\n", ADMIN_PIN_DIR);
		return dfd;	/* root's own directory: pin beside them */
	}
	close(dfd);
	if (ret) {
		snprintf(err, errlen, "cannot remove the stale pins in %s: %s", ADMIN_PIN_DIR,
			 strerror(-ret));
		return ret;
	}
	return pin_dir_make(rootfd, err, errlen);	/* now absent: once more */
}

int admin_pin(const struct ebph_prog *p, char *err, size_t errlen)
{
	const int fds[PIN_COUNT] = {
		p->tasks, p->profiles, p->keys, p->paths, p->rows, p->alloc, p->stats, p->info,
		p->cmd, p->mod ? bpf_table_fd(p->mod, "tstore") : -1,
		p->mod ? bpf_table_fd(p->mod, "held") : -1,
	};
	char path[128];
	int lock, rootfd = -1, dfd, ret = 0;
	size_t i;

	lock = pin_lock();
	if (lock < 0) {
		snprintf(err, errlen, "cannot lock /sys/fs for pinning: %s", strerror(-lock));
		return lock;
	}
	if (!is_bpffs(ADMIN_BPFFS)) {
		if (mount("bpf", ADMIN_BPFFS, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=0700")) {
			ret = -errno;
			snprintf(err, errlen, "cannot mount the BPF file system at %s: %s",
				 ADMIN_BPFFS, strerror(-ret));
			goto out;
		}
		mkdir(PIN_MARKER, 0700);
	}
	rootfd = pin_root_open();
	if (rootfd < 0) {
		ret = rootfd;
		snprintf(err, errlen, "cannot open %s: %s", ADMIN_BPFFS, strerror(-ret));
		goto fail;
	}
	pin_root_warn(rootfd);
	dfd = pin_dir_make(rootfd, err, errlen);
	if (dfd < 0) {
		ret = dfd;
		goto fail;
	}
	pin_created = 1;
	pin_dir_fd = dfd;
	for (i = 0; i < PIN_COUNT; i++) {
		if (fds[i] < 0 && i >= PIN_REQUIRED)
			continue;
		pin_path_at(path, sizeof(path), dfd, pin_names[i]);
		if (fds[i] < 0 || bpf_obj_pin(fds[i], path)) {
			ret = fds[i] < 0 ? -EBADF : -errno;
			pin_path(path, sizeof(path), pin_names[i]);
			snprintf(err, errlen, "cannot pin %s: %s", path, strerror(-ret));
			pin_remove_all(rootfd, dfd);
			close(dfd);
			pin_dir_fd = -1;
			pin_created = 0;
			goto fail;
		}
	}
	ret = 0;
	goto out;
fail:
	pin_unmount_if_unused();
out:
	if (rootfd >= 0)
		close(rootfd);
	pin_unlock(lock);
	return ret;
}

void admin_unpin(void)
{
	int lock, rootfd;

	if (!pin_created)
		return;
	lock = pin_lock();
	rootfd = pin_root_open();
	if (rootfd >= 0) {
		pin_remove_all(rootfd, pin_dir_fd);
		close(rootfd);
	}
	close(pin_dir_fd);
	pin_dir_fd = -1;
	pin_created = 0;
	pin_unmount_if_unused();
	pin_unlock(lock);
}

pid_t admin_running(void)
{
	int alive;
	pid_t pid;

	if (!is_bpffs(ADMIN_BPFFS))
		return 0;
	pid = pin_owner(&alive);
	return alive ? pid : 0;
}

/* ---------------------------------------------------------------------- */
/* The sub-commands                                                        */

/* The running monitor's maps and command program, from the pins. */
struct admin_live {
	pid_t pid;
	int fd[PIN_COUNT];	/* -1 for a missing optional pin */
	int tasks_array;	/* tasks: an array indexed by tid & (slots - 1) + task storage */
	__u32 task_slots;	/* tasks: its max_entries */
	struct ebph_info info;
	struct maps_fds m;
};

enum { L_TASKS, L_PROFILES, L_KEYS, L_PATHS, L_ROWS, L_ALLOC, L_STATS, L_INFO, L_CMD, L_TSTORE,
	L_HELD };

static void live_close(struct admin_live *l)
{
	size_t i;

	for (i = 0; i < PIN_COUNT; i++) {
		if (l->fd[i] >= 0)
			close(l->fd[i]);
		l->fd[i] = -1;
	}
}

/* A map's type and max_entries, or -1. */
static int map_info(int fd, __u32 *max_entries)
{
	struct bpf_map_info mi;
	__u32 len = sizeof(mi);

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return -1;
	if (max_entries)
		*max_entries = mi.max_entries;
	return (int)mi.type;
}

/* Do the pinned maps hold other layouts than this binary's (another version
 * of ebph runs)? Reading them into our structs would overrun them. */
static int live_layout_differs(const struct admin_live *l)
{
	static const struct {
		int idx;
		__u32 key, value;
	} want[] = {
		{ L_TASKS, sizeof(__u32), sizeof(struct ebph_task) },
		{ L_PROFILES, sizeof(__u32), sizeof(struct ebph_profile) },
		{ L_KEYS, sizeof(struct ebph_key), sizeof(__u32) },
		{ L_PATHS, sizeof(__u32), EBPH_PATH_MAX },
		{ L_ROWS, sizeof(__u32), sizeof(struct ebph_row) },
		{ L_ALLOC, sizeof(__u32), sizeof(__u64) },
		{ L_INFO, sizeof(__u32), sizeof(struct ebph_info) },
		{ L_TSTORE, sizeof(__u32), sizeof(struct ebph_task) },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct bpf_map_info mi;
		__u32 len = sizeof(mi);

		if (l->fd[want[i].idx] < 0)
			continue;	/* an optional map this program lacks */
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(l->fd[want[i].idx], &mi, &len) ||
		    mi.key_size != want[i].key || mi.value_size != want[i].value)
			return 1;
	}
	return 0;
}

/* Open the pins of the monitor pid. 0 or -errno (message printed). */
static int live_open(struct admin_live *l, pid_t pid)
{
	char path[128];
	__u32 k = 0;
	size_t i;

	memset(l, 0, sizeof(*l));
	l->pid = pid;
	for (i = 0; i < PIN_COUNT; i++)
		l->fd[i] = -1;
	for (i = 0; i < PIN_COUNT; i++) {
		pin_path(path, sizeof(path), pin_names[i]);
		l->fd[i] = bpf_obj_get(path);
		if (l->fd[i] < 0 && i >= PIN_REQUIRED && errno == ENOENT)
			continue;
		if (l->fd[i] < 0) {
			int e = errno;

			out_warn("ebph: cannot open %s of the running ebph (PID %d): %s",
				path, (int)pid, strerror(e));
			live_close(l);
			return -e;
		}
	}
	if (live_layout_differs(l) || bpf_lookup_elem(l->fd[L_INFO], &k, &l->info) ||
	    l->info.nr_syscalls != EBPH_NR_CALLS) {
		fprintf(stderr, "ebph: the running ebph (PID %d) is another version (its info "
			"map does not match this binary)\n", (int)pid);
		live_close(l);
		return -EPROTO;
	}
	l->tasks_array = map_info(l->fd[L_TASKS], &l->task_slots) == BPF_MAP_TYPE_ARRAY;
	l->m.profiles = l->fd[L_PROFILES];
	l->m.keys = l->fd[L_KEYS];
	l->m.paths = l->fd[L_PATHS];
	l->m.rows = l->fd[L_ROWS];
	l->m.alloc = l->fd[L_ALLOC];
	l->m.edges = -1;
	l->m.max_profiles = l->info.max_profiles;
	l->m.max_rows = l->info.max_rows;
	l->m.boot_to_wall_ns = l->info.boot_to_wall_ns;
	return 0;
}

/* The freeze rule of the running monitor (l), else of cfg. */
static struct admin_rule admin_rule_of(const struct admin_live *l, const struct ebph_config *cfg)
{
	struct admin_rule r = { 0 };

	if (l && l->info.normal_factor) {
		r.factor = l->info.normal_factor;
		r.den = l->info.normal_factor_den;
		r.min = l->info.min_train_calls;
	} else if (!l && cfg) {
		r.factor = cfg->normal_factor;
		r.den = cfg->normal_factor_den;
		r.min = cfg->min_train_calls;
	}
	return r;
}

static __s64 now_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static __u64 now_boot(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A slot's raw profile (malloc'd), or NULL if the slot is unused. */
static struct ebph_profile *live_profile(const struct admin_live *l, __u32 slot)
{
	struct ebph_profile *prof = malloc(sizeof(*prof));

	if (prof && (bpf_lookup_elem(l->fd[L_PROFILES], &slot, prof) ||
		     (!prof->key.dev && !prof->key.ino))) {
		free(prof);
		prof = NULL;
	}
	return prof;
}

static void live_path(const struct admin_live *l, __u32 slot, char *buf)
{
	if (bpf_lookup_elem(l->fd[L_PATHS], &slot, buf))
		buf[0] = 0;
	buf[EBPH_PATH_MAX - 1] = 0;
}

/* A task and its TID, as collected from the tasks map. */
struct live_task {
	__u32 tid;
	__u32 pad;
	struct ebph_task t;
};

static int task_cmp(const void *a, const void *b)
{
	const struct live_task *x = a, *y = b;

	if (x->t.pid != y->t.pid)
		return x->t.pid < y->t.pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Append the tasks of one map to *all: an array's slots name their owner
 * (tid 0: free), a hash is keyed by TID. The batch lookup walks a hash
 * bucket by bucket, so tasks exiting meanwhile do not restart it. */
static int tasks_read_map(int fd, struct live_task **all, size_t *n)
{
	__u32 cap = 0, got = 0, batch = 0, count, i;
	int type = map_info(fd, &cap), ret = 0, first = 1;
	struct ebph_task *vals;
	struct live_task *grown;
	__u32 *keys;

	if (type < 0)
		return -EIO;
	cap = cap ? cap : 1;
	vals = malloc(cap * sizeof(*vals));
	keys = malloc(cap * sizeof(*keys));
	if (!vals || !keys) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		count = cap - got;
		if (!count)
			break;
		ret = bpf_lookup_batch(fd, first ? NULL : &batch, &batch, keys + got, vals + got,
				       &count);
		first = 0;
		if (ret < 0 && errno != ENOENT) {
			ret = -errno;
			goto out;
		}
		got += count;
		if (ret < 0)
			break;	/* ENOENT: that was the last batch */
	}
	ret = 0;
	grown = realloc(*all, (*n + got + 1) * sizeof(**all));
	if (!grown) {
		ret = -ENOMEM;
		goto out;
	}
	*all = grown;
	for (i = 0; i < got; i++) {
		__u32 tid = type == BPF_MAP_TYPE_ARRAY ? vals[i].tid : keys[i];

		if (!tid)
			continue;
		grown[*n].tid = tid;
		grown[*n].pad = 0;
		grown[*n].t = vals[i];
		(*n)++;
	}
out:
	free(vals);
	free(keys);
	return ret;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* tid's state in the task storage map fd (looked up by a pidfd of the
 * thread: Linux 6.9 or later). 0 or -ENOENT. */
static int tstore_lookup(int fd, __u32 tid, struct ebph_task *t)
{
	int pfd = (int)syscall(SYS_pidfd_open, (pid_t)tid, PIDFD_THREAD), ret;

	if (pfd < 0)
		return -ENOENT;
	ret = bpf_lookup_elem(fd, &pfd, t) ? -ENOENT : 0;
	close(pfd);
	return ret;
}

/* Append the threads kept in task storage (every thread in /proc with a
 * state there). */
static int tasks_read_tstore(int fd, struct live_task **all, size_t *n)
{
	DIR *proc = opendir("/proc"), *task;
	struct dirent *p, *d;
	char path[300];
	size_t cap = *n;

	if (!proc)
		return -errno;
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		task = opendir(path);
		if (!task)
			continue;
		while ((d = readdir(task))) {
			struct ebph_task t;
			__u32 tid = (__u32)strtoul(d->d_name, NULL, 10);

			if (!tid || tstore_lookup(fd, tid, &t))
				continue;
			if (*n + 1 >= cap) {
				struct live_task *g = realloc(*all, (cap * 2 + 64) * sizeof(**all));

				if (!g) {
					closedir(task);
					closedir(proc);
					return -ENOMEM;
				}
				*all = g;
				cap = cap * 2 + 64;
			}
			(*all)[*n].tid = tid;
			(*all)[*n].pad = 0;
			(*all)[*n].t = t;
			(*n)++;
		}
		closedir(task);
	}
	closedir(proc);
	return 0;
}

/* Every monitored task, sorted by pid, tid, each once. */
static int live_tasks(const struct admin_live *l, struct live_task **out, size_t *n)
{
	struct live_task *all = NULL;
	size_t got = 0, i, j;
	int ret;

	ret = tasks_read_map(l->fd[L_TASKS], &all, &got);
	if (!ret && l->fd[L_TSTORE] >= 0)
		ret = tasks_read_tstore(l->fd[L_TSTORE], &all, &got);
	if (ret) {
		free(all);
		return ret;
	}
	if (!all && !(all = calloc(1, sizeof(*all))))
		return -ENOMEM;
	qsort(all, got, sizeof(*all), task_cmp);
	for (i = j = 0; i < got; i++)	/* a TID seen in both maps (moved meanwhile) */
		if (!j || all[j - 1].tid != all[i].tid)
			all[j++] = all[i];
	*out = all;
	*n = j;
	return 0;
}

/* The state of task tid. 0 or -ENOENT. */
static int live_task(const struct admin_live *l, __u32 tid, struct ebph_task *t)
{
	__u32 k = tid;

	if (l->tasks_array) {
		k = tid & (l->task_slots - 1);
		if (!bpf_lookup_elem(l->fd[L_TASKS], &k, t) && t->tid == tid)
			return 0;
		if (l->fd[L_TSTORE] >= 0 && !tstore_lookup(l->fd[L_TSTORE], tid, t))
			return 0;
		return -ENOENT;
	}
	return bpf_lookup_elem(l->fd[L_TASKS], &k, t) ? -ENOENT : 0;
}

/* A thread's name as the kernel keeps it: every byte, newlines included
 * (only the newline /proc adds at the end is dropped). */
static void proc_comm(__u32 pid, __u32 tid, char *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	buf[0] = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return;
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = 0;
}

/* Profiles read for ps, by slot (each read once). */
struct prof_cache {
	struct ebph_profile **prof;
	char **path;
	__u32 n;
};

static const struct ebph_profile *cache_get(struct prof_cache *c, const struct admin_live *l,
					    __u32 slot, const char **path)
{
	char buf[EBPH_PATH_MAX];

	*path = "";
	if (slot >= c->n)
		return NULL;
	if (!c->prof[slot]) {
		c->prof[slot] = live_profile(l, slot);
		if (!c->prof[slot])
			return NULL;
		live_path(l, slot, buf);
		c->path[slot] = strdup(buf);
	}
	*path = c->path[slot] ? c->path[slot] : "";
	return c->prof[slot];
}

static int cmd_ps(const struct admin_opts *o, const struct admin_live *l)
{
	struct admin_rule rule = admin_rule_of(l, NULL);
	struct prof_cache cache = { 0 };
	struct live_task *all = NULL;
	size_t n = 0, i, j, k;
	__u64 boot = now_boot();
	__s64 now = (__s64)boot + l->info.boot_to_wall_ns;
	int ret;

	ret = live_tasks(l, &all, &n);
	if (ret) {
		out_warn("ebph: cannot read the tasks of the running ebph: %s",
			strerror(-ret));
		return 1;
	}
	cache.n = l->info.max_profiles;
	cache.prof = calloc(cache.n ? cache.n : 1, sizeof(*cache.prof));
	cache.path = calloc(cache.n ? cache.n : 1, sizeof(*cache.path));
	if (!cache.prof || !cache.path) {
		fprintf(stderr, "ebph: out of memory\n");
		ret = 1;
		goto out;
	}
	if (!o->json)
		admin_task_header(stdout, o->threads);
	for (i = 0; i < n; i = j) {
		struct live_task *rep = &all[i];
		struct admin_task t = { 0 };
		const struct ebph_profile *prof;
		char comm[ADMIN_COMM_MAX];
		const char *path;

		/* the threads of one process: all[i..j) */
		t.lfc = all[i].t.lfc;
		t.lfc_max = all[i].t.lfc_max;
		for (j = i + 1; !o->threads && j < n && all[j].t.pid == all[i].t.pid; j++) {
			if (all[j].tid == all[j].t.pid)
				rep = &all[j];
			if (all[j].t.lfc > t.lfc)
				t.lfc = all[j].t.lfc;
			if (all[j].t.lfc_max > t.lfc_max)
				t.lfc_max = all[j].t.lfc_max;
		}
		t.threads = (__u32)(j - i);
		t.pid = rep->t.pid;
		t.tid = rep->tid;
		proc_comm(t.pid, t.tid, comm, sizeof(comm));
		t.comm = comm;
		t.now = now;
		prof = rep->t.profile != EBPH_NO_PROFILE ?
			cache_get(&cache, l, rep->t.profile & ~EBPH_LOADER_BIT, &path) : NULL;
		t.path = "";
		if (prof) {
			t.key = &prof->key;
			t.path = path;
			t.state = prof->state;
			t.train_count = prof->train_count;
			t.last_mod_count = prof->last_mod_count;
			t.anomalies = prof->anomalies;
			t.anomalies_total = prof->anomalies_total;
			if (prof->last_anomaly)
				t.last_anomaly = (__s64)prof->last_anomaly +
						 l->info.boot_to_wall_ns;
			if (prof->normal_time)
				t.normal_time = (__s64)prof->normal_time + l->info.boot_to_wall_ns;
			if (prof->normal_since)
				t.normal_since = (__s64)prof->normal_since +
						 l->info.boot_to_wall_ns;
			if (prof->frozen_since && prof->state == EBPH_FROZEN)
				t.frozen_since = (__s64)prof->frozen_since +
						 l->info.boot_to_wall_ns;
			t.rule = &rule;
		}
		for (k = i; k < j; k++) {
			struct ebph_hold h;
			__u32 id = all[k].tid;

			if (l->fd[L_HELD] >= 0 && !bpf_lookup_elem(l->fd[L_HELD], &id, &h) &&
			    h.kind > t.held) {
				t.held = h.kind;
				t.held_until = (__s64)h.until + l->info.boot_to_wall_ns;
			}
		}
		admin_task_line(stdout, o->json, o->threads, &t);
	}
	ret = 0;
out:
	for (i = 0; i < cache.n && cache.prof && cache.path; i++) {
		free(cache.prof[i]);
		free(cache.path[i]);
	}
	free(cache.prof);
	free(cache.path);
	free(all);
	return ret;
}

/* A live profile's store image plus its row counts. 0 or -errno. */
static int live_read(const struct admin_live *l, __u32 slot, struct store_profile *p,
		     __u64 *rows, __u64 *snap)
{
	struct ebph_profile *prof;
	int ret = maps_read_profile(&l->m, slot, p);

	if (ret)
		return ret;
	*rows = *snap = 0;
	prof = live_profile(l, slot);
	if (prof) {
		*rows = prof->nrows;
		*snap = prof->ntest;
		free(prof);
	}
	return 0;
}

/* Saved profiles, collected by store_load. */
struct saved_set {
	struct store_profile *p;
	size_t n, cap;
	const struct ebph_key *only;	/* keep only this key (NULL: all) */
};

static int saved_collect(struct store_profile *p, void *arg)
{
	struct saved_set *s = arg;
	struct store_profile *grown;

	if (s->only && memcmp(&p->key, s->only, sizeof(p->key))) {
		store_profile_free(p);
		return 0;
	}
	if (s->n == s->cap) {
		grown = realloc(s->p, (s->cap ? 2 * s->cap : 16) * sizeof(*grown));
		if (!grown) {
			store_profile_free(p);
			return -ENOMEM;
		}
		s->p = grown;
		s->cap = s->cap ? 2 * s->cap : 16;
	}
	s->p[s->n++] = *p;
	return 0;
}

static void saved_free(struct saved_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		store_profile_free(&s->p[i]);
	free(s->p);
	s->p = NULL;
	s->n = s->cap = 0;
}

/* Load the saved profiles of cfg's state_dir (only key's if given). 0 or 1. */
static int saved_load(const struct ebph_config *cfg, const struct ebph_key *key,
		      struct saved_set *s)
{
	char err[512];
	int ret;

	memset(s, 0, sizeof(*s));
	s->only = key;
	ret = store_load(cfg->state_dir, cfg->window, saved_collect, s, err, sizeof(err));
	if (ret < 0) {
		out_warn("ebph: no running ebph, and the saved profiles are unreadable: "
			"%s", err);
		saved_free(s);
		return 1;
	}
	return 0;
}

static int cmd_profiles(const struct admin_opts *o, const struct admin_live *l,
			const struct ebph_config *cfg)
{
	struct admin_prof a = { 0 };
	int status = 0;

	a.now = now_wall();
	a.rule = admin_rule_of(l, cfg);
	if (!o->json)
		admin_profile_header(stdout);
	if (l) {
		__u32 n = maps_profile_slots(&l->m), slot;

		a.source = "live";
		for (slot = 0; slot < n; slot++) {
			struct store_profile p;
			int ret = live_read(l, slot, &p, &a.rows, &a.snapshot_rows);

			if (ret == -ENOENT)
				continue;
			if (ret) {
				out_warn("ebph: cannot read profile slot %u: %s", slot,
					strerror(-ret));
				status = 1;
				continue;
			}
			a.p = &p;
			admin_profile_line(stdout, o->json, &a);
			store_profile_free(&p);
		}
	} else {
		struct saved_set s;
		size_t i;

		if (saved_load(cfg, NULL, &s))
			return 1;
		a.source = "saved";
		for (i = 0; i < s.n; i++) {
			a.p = &s.p[i];
			admin_saved_rows(a.p, &a.rows, &a.snapshot_rows);
			admin_profile_line(stdout, o->json, &a);
		}
		saved_free(&s);
	}
	return status;
}

/* The task's (or, failing that, any of the process's threads') profile slot. */
static int live_pid_slot(const struct admin_live *l, long pid, __u32 *slot)
{
	struct live_task *all = NULL;
	struct ebph_task t;
	__u32 tid = (__u32)pid;
	size_t n = 0, i;
	int ret = -ESRCH;

	if (!live_task(l, tid, &t)) {
		*slot = t.profile;
		return t.profile == EBPH_NO_PROFILE ? -ENOENT : 0;
	}
	if (live_tasks(l, &all, &n))
		return -ESRCH;
	for (i = 0; i < n; i++) {
		if (all[i].t.pid == (__u32)pid) {
			*slot = all[i].t.profile;
			ret = all[i].t.profile == EBPH_NO_PROFILE ? -ENOENT : 0;
			break;
		}
	}
	free(all);
	return ret;
}

/* PROFILE (a path or DEV:INO, then "~cHEX" or "~c/CGROUP" for a profile
 * scope) -> key. 0, or 1 with a message. */
static int target_key(const char *arg, struct ebph_key *key)
{
	char target[PATH_MAX];
	struct stat st;
	__u64 scope;
	int ret;

	memset(key, 0, sizeof(*key));
	ret = scope_split(arg, target, sizeof(target), &scope);
	if (ret) {
		out_warn("ebph: %s: %s (a scope is ~c and 1 to 16 hex digits, or ~c/ and a "
			 "cgroup path)", arg, ret == -EINVAL ? "bad scope" : strerror(-ret));
		return 1;
	}
	if (!admin_parse_key(target, key)) {
		key->scope = scope;
		return 0;
	}
	if (stat(target, &st)) {
		out_warn("ebph: %s: %s (PROFILE is an executable's path or DEV:INO)",
			target, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		out_warn("ebph: %s: not a regular file (PROFILE is an executable's path "
			"or DEV:INO)", target);
		return 1;
	}
	if (!st.st_nlink) {
		/* no link left (memfd, a deleted file): the one profile of its
		 * kind, by the rule the BPF program applies at exec */
		char link[PATH_MAX];
		ssize_t n = readlink(target, link, sizeof(link) - 1);
		const char *base;

		link[n > 0 ? n : 0] = 0;
		base = strrchr(link, '/');
		key->dev = EBPH_ANON_DEV;
		key->ino = !strncmp(base ? base + 1 : link, "memfd:", 6) ? EBPH_ANON_MEMFD :
		      EBPH_ANON_UNLINKED;
		key->scope = scope;
		return 0;
	}
	key->dev = admin_kernel_dev(st.st_dev);
	key->ino = st.st_ino;
	key->scope = scope;
	return 0;
}

/* The live slot PROFILE or --pid names. 0, or 1 with a message. */
static int live_target(const struct admin_opts *o, const struct admin_live *l, __u32 *slot)
{
	struct ebph_key key;
	char k[80];
	int ret;

	if (o->pid) {
		ret = live_pid_slot(l, o->pid, slot);
		if (ret == -ESRCH)
			fprintf(stderr, "ebph: PID %ld: not monitored by the running ebph (no such "
				"process, or not seen yet)\n", o->pid);
		else if (ret)
			fprintf(stderr, "ebph: PID %ld: has no profile (profile slots were full)\n",
				o->pid);
		return ret ? 1 : 0;
	}
	if (target_key(o->target, &key))
		return 1;
	if (maps_find(&l->m, &key, slot)) {
		admin_key_str(k, sizeof(k), &key);
		out_warn("ebph: %s: no profile (key %s) in the running ebph (PID %d)",
			o->target, k, (int)l->pid);
		return 1;
	}
	return 0;
}

/* The saved profile PROFILE names, loaded into s (s->n == 1). 0, or 1. */
static int saved_target(const struct admin_opts *o, const struct ebph_config *cfg,
			struct ebph_key *key, struct saved_set *s)
{
	char k[80];

	if (o->pid) {
		fprintf(stderr, "ebph: --pid %ld: no running ebph monitor (--pid needs one)\n",
			o->pid);
		return 1;
	}
	if (target_key(o->target, key))
		return 1;
	if (saved_load(cfg, key, s))
		return 1;
	if (!s->n) {
		admin_key_str(k, sizeof(k), key);
		out_warn("ebph: %s: no saved profile (key %s) in %s, and no running ebph",
			o->target, k, cfg->state_dir);
		saved_free(s);
		return 1;
	}
	return 0;
}

static int cmd_show(const struct admin_opts *o, const struct admin_live *l,
		    const struct ebph_config *cfg)
{
	struct admin_prof a = { 0 };
	struct store_profile p;
	struct saved_set s;
	struct ebph_key key;
	__u32 slot;
	int ret;

	a.now = now_wall();
	a.rule = admin_rule_of(l, cfg);
	if (l) {
		if (live_target(o, l, &slot))
			return 1;
		ret = live_read(l, slot, &p, &a.rows, &a.snapshot_rows);
		if (ret) {
			out_warn("ebph: %s: cannot read the profile: %s",
				o->target ? o->target : "--pid", strerror(-ret));
			return 1;
		}
		a.source = "live";
		a.p = &p;
		ret = admin_show(stdout, o, &a);
		store_profile_free(&p);
		return ret;
	}
	if (saved_target(o, cfg, &key, &s))
		return 1;
	a.source = "saved";
	a.p = &s.p[0];
	admin_saved_rows(a.p, &a.rows, &a.snapshot_rows);
	ret = admin_show(stdout, o, &a);
	saved_free(&s);
	return ret;
}

/*
 * Consistency of commands on a live profile. User space never writes a live
 * profile: the command is carried out by the BPF program's own command entry
 * point (ebph_command in bpf_prog.c.in), run once with BPF_PROG_TEST_RUN. It
 * changes the profile in place with the same field-level updates as the
 * per-syscall path (ph.h: ph_normalize, ph_reset_training, ph_tolerize). A
 * reset or a normalisation is a generation bump (O(1): no row is copied or
 * cleared), rows are copy-on-write against those generations and pair bits
 * are only ever set with an atomic OR, so a system call running at the same
 * time on another CPU sees the pairs of the old or of the new generation,
 * never a mix, and no pair it learns is lost. Nothing is read, modified and
 * written back from user space, so nothing the BPF program does is lost to a
 * stale copy, and the command's profile_state event enters the monitor's
 * ring buffer in order with the events around it. The race left is the one
 * two CPUs running one program already have with each other: a plain counter
 * increment (train_count, last_mod_count) racing with a command may overwrite
 * the command's reset of that counter, as two CPUs' increments may overwrite
 * each other; counters are approximate under such contention, the pairs,
 * generations and states are not. Readers (ps, profiles, show, the monitor's
 * saves) use maps_read_profile, which retries until the profile's
 * generations and counters did not move while its rows were read. Saved
 * profiles (no monitor) are changed in memory and replaced atomically by
 * store_save. "ebph check" verifies the invariants (maps_check_profile).
 */
static int live_command(const struct admin_live *l, __u32 op, __u32 slot)
{
	return maps_command(l->fd[L_CMD], op, slot, 0);
}

/* Would op change nothing in live slot (*why says why)? 0, or -errno if the
 * profile cannot be read (then the command is just carried out). */
static int live_unchanged(const struct admin_live *l, __u32 slot, __u32 op, const char **why)
{
	struct store_profile p;
	int ret = maps_read_profile(&l->m, slot, &p);

	*why = NULL;
	if (ret)
		return ret;
	*why = admin_unchanged(&p, op);
	store_profile_free(&p);
	return 0;
}

static int cmd_steer_live(const struct admin_opts *o, const struct admin_live *l,
			  const struct ebph_config *cfg)
{
	struct admin_change c = { 0 };
	struct ebph_profile *before, *after;
	char path[EBPH_PATH_MAX], err[512];
	__u32 slot;
	int ret;

	if (live_target(o, l, &slot))
		return 1;
	before = live_profile(l, slot);
	if (!before) {
		out_warn("ebph: %s: the profile vanished",
			o->target ? o->target : "--pid");
		return 1;
	}
	if (o->cmd->id != ADM_DELETE && !live_unchanged(l, slot, o->cmd->op, &c.unchanged) &&
	    c.unchanged) {
		live_path(l, slot, path);
		c.command = o->cmd->name;
		c.key = &before->key;
		c.path = path;
		c.source = "live";
		c.old_state = c.state = before->state;
		c.old_train_count = c.train_count = before->train_count;
		c.file = -1;
		c.now = now_wall();
		admin_change_line(stdout, o->json, &c);
		free(before);
		return 0;
	}
	ret = live_command(l, o->cmd->op, slot);
	if (ret) {
		out_warn("ebph: %s %s: the running ebph (PID %d) refused: %s",
			o->cmd->name, o->target ? o->target : "--pid", (int)l->pid, strerror(-ret));
		free(before);
		return 1;
	}
	after = live_profile(l, slot);
	live_path(l, slot, path);
	c.command = o->cmd->name;
	c.key = &before->key;
	c.path = path;
	c.source = "live";
	c.old_state = before->state;
	c.old_train_count = before->train_count;
	c.state = after ? after->state : before->state;
	c.train_count = after ? after->train_count : 0;
	c.file = -1;
	c.now = now_wall();
	if (o->cmd->id == ADM_DELETE) {
		ret = store_delete(cfg->state_dir, &before->key, err, sizeof(err));
		if (ret && ret != -ENOENT)
			out_warn("ebph: the profile was forgotten, but its saved file "
				"remains: %s", err);
		c.file = ret == 0;
	}
	admin_change_line(stdout, o->json, &c);
	free(before);
	free(after);
	return 0;
}

/* normalize --frozen / --stable-for on the running monitor: every frozen
 * profile (frozen for at least o->stable_for seconds). 0, or 1 if one failed. */
static int cmd_normalize_live(const struct admin_opts *o, const struct admin_live *l)
{
	__u32 n = maps_profile_slots(&l->m), slot, done = 0;
	__u64 boot = now_boot();
	char path[EBPH_PATH_MAX];
	int status = 0, ret;

	for (slot = 0; slot < n; slot++) {
		struct ebph_profile *before = live_profile(l, slot), *after;
		struct admin_change c = { 0 };

		if (!before)
			continue;
		if ((!before->key.dev && !before->key.ino) || before->state != EBPH_FROZEN ||
		    (o->stable_for && (!before->frozen_since ||
				       boot - before->frozen_since < o->stable_for * 1000000000ULL))) {
			free(before);
			continue;
		}
		ret = live_command(l, EBPH_CMD_NORMALIZE, slot);
		live_path(l, slot, path);
		if (ret) {
			out_warn("ebph: normalize %s: the running ebph (PID %d) refused: %s", path,
				 (int)l->pid, strerror(-ret));
			status = 1;
			free(before);
			continue;
		}
		after = live_profile(l, slot);
		c.command = o->cmd->name;
		c.key = &before->key;
		c.path = path;
		c.source = "live";
		c.old_state = before->state;
		c.old_train_count = before->train_count;
		c.state = after ? after->state : before->state;
		c.train_count = after ? after->train_count : 0;
		c.file = -1;
		c.now = now_wall();
		admin_change_line(stdout, o->json, &c);
		done++;
		free(before);
		free(after);
	}
	if (!done && !status)
		fprintf(stderr, "ebph: normalize: no profile is frozen%s\n",
			o->stable_for ? " for that long" : "");
	return status;
}

/* normalize --frozen on the saved profiles (no monitor running). */
static int cmd_normalize_saved(const struct admin_opts *o, const struct ebph_config *cfg)
{
	struct saved_set s;
	char err[512];
	size_t i, done = 0;
	int status = 0, ret;

	if (o->stable_for) {
		out_warn("ebph: normalize --stable-for: needs the running monitor (saved "
			 "profiles do not record when they froze); use --frozen");
		return 1;
	}
	if (saved_load(cfg, NULL, &s))
		return 1;
	store_set_window(cfg->window);
	for (i = 0; i < s.n; i++) {
		struct store_profile *p = &s.p[i];
		struct admin_change c = { 0 };

		if (p->state != EBPH_FROZEN)
			continue;
		c.command = o->cmd->name;
		c.key = &p->key;
		c.path = p->path;
		c.source = "saved";
		c.old_state = p->state;
		c.old_train_count = p->train_count;
		c.file = -1;
		c.now = now_wall();
		ret = admin_apply_saved(p, EBPH_CMD_NORMALIZE, c.now);
		if (!ret)
			ret = store_save(cfg->state_dir, p, 1, NULL, err, sizeof(err));
		else
			snprintf(err, sizeof(err), "%s", strerror(-ret));
		if (ret) {
			out_warn("ebph: normalize %s: nothing changed: %s", p->path, err);
			status = 1;
			continue;
		}
		c.state = p->state;
		c.train_count = p->train_count;
		admin_change_line(stdout, o->json, &c);
		done++;
	}
	if (!done && !status)
		fprintf(stderr, "ebph: normalize: no saved profile is frozen\n");
	saved_free(&s);
	return status;
}

static int cmd_steer_saved(const struct admin_opts *o, const struct ebph_config *cfg)
{
	struct admin_change c = { 0 };
	struct store_profile *p;
	struct saved_set s;
	struct ebph_key key;
	char err[512];
	int ret;

	if (saved_target(o, cfg, &key, &s))
		return 1;
	p = &s.p[0];
	c.command = o->cmd->name;
	c.key = &p->key;
	c.path = p->path;
	c.source = "saved";
	c.old_state = p->state;
	c.old_train_count = p->train_count;
	c.file = -1;
	c.now = now_wall();
	if (o->cmd->id == ADM_DELETE) {
		ret = store_delete(cfg->state_dir, &key, err, sizeof(err));
		if (ret) {
			out_warn("ebph: cannot delete: %s", err);
			saved_free(&s);
			return 1;
		}
		c.state = ADMIN_STATE_GONE;
		c.file = 1;
	} else if ((c.unchanged = admin_unchanged(p, o->cmd->op))) {
		c.state = p->state;
		c.train_count = p->train_count;
	} else {
		ret = admin_apply_saved(p, o->cmd->op, c.now);
		if (!ret) {
			store_set_window(cfg->window);
			ret = store_save(cfg->state_dir, p, 1, NULL, err, sizeof(err));
			if (ret) {
				out_warn("ebph: %s: nothing changed: %s", o->target, err);
				saved_free(&s);
				return 1;
			}
		} else {
			out_warn("ebph: %s: %s", o->target, strerror(-ret));
			saved_free(&s);
			return 1;
		}
		c.state = p->state;
		c.train_count = p->train_count;
	}
	admin_change_line(stdout, o->json, &c);
	saved_free(&s);
	return 0;
}

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
static int cmd_release(const struct admin_opts *o, pid_t mon)
{
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

static int cmd_save(const struct admin_opts *o, pid_t pid)
{
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

/* Delete the saved profiles of executables that no longer exist; only while
 * no monitor runs (it would save them again). */
/* Before a saved profile is pruned: the running monitor forgets it (its
 * BPF command program), so that its next save does not write it again. */
static int prune_forget(const struct ebph_key *key, void *arg)
{
	const struct admin_live *l = arg;
	__u32 slot;
	int ret;

	if (maps_find(&l->m, key, &slot))
		return 0;	/* not loaded in the monitor */
	ret = live_command(l, EBPH_CMD_FORGET, slot);
	if (ret && ret != -ENOENT) {
		out_warn("ebph: prune %llu:%llu: the running ebph (PID %d) refused to forget "
			 "it: %s; its file is kept", (unsigned long long)out_user_dev(key->dev),
			 (unsigned long long)key->ino, (int)l->pid, strerror(-ret));
		return ret;
	}
	return 0;
}

static int cmd_prune(const struct admin_opts *o, const struct ebph_config *cfg, pid_t pid)
{
	struct admin_live live;
	char err[512];
	int ret;

	if (pid && live_open(&live, pid))
		return 1;
	ret = store_dir_check(cfg->state_dir, 0, err, sizeof(err));
	if (!ret)
		ret = store_prune_with(cfg->state_dir, o->dry_run, stdout,
				       pid ? prune_forget : NULL, &live, err, sizeof(err));
	if (pid)
		live_close(&live);
	if (ret < 0) {
		out_warn("ebph: %s", err);
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}

/* A live slot's invariants, retried: a reader can catch a profile between
 * two field updates of one BPF run; a violation that persists is real. */
static int check_slot(const struct admin_live *l, __u32 slot, char *err, size_t errlen)
{
	struct store_profile p;
	int tries, ret = 0;

	for (tries = 0; tries < 5; tries++) {
		ret = maps_check_profile(&l->m, slot, err, errlen);
		if (!ret) {
			ret = maps_read_profile(&l->m, slot, &p);
			if (ret == -ENOENT)
				return 0;
			if (!ret) {
				store_profile_free(&p);
				return 0;
			}
			snprintf(err, errlen, "slot %u: cannot be read: %s", slot, strerror(-ret));
		}
		usleep(2000);
	}
	return ret;
}

/* Hidden: check every profile (tests). Exit 1 on any violation. */
static int cmd_check(const struct admin_opts *o, const struct admin_live *l,
		     const struct ebph_config *cfg)
{
	unsigned int bad = 0, checked = 0, tasks = 0;
	char err[512];

	if (l) {
		__u32 n = maps_profile_slots(&l->m), slot, found;
		struct live_task *all = NULL;
		size_t nt = 0, i;

		for (slot = 0; slot < n; slot++) {
			struct ebph_profile *prof = live_profile(l, slot);

			if (!prof)
				continue;
			checked++;
			if (check_slot(l, slot, err, sizeof(err))) {
				out_warn("ebph: check: %s", err);
				bad++;
			} else if (maps_find(&l->m, &prof->key, &found) || found != slot) {
				fprintf(stderr, "ebph: check: slot %u: its key maps to another "
					"slot\n", slot);
				bad++;
			}
			free(prof);
		}
		if (live_tasks(l, &all, &nt)) {
			fprintf(stderr, "ebph: check: cannot read the tasks\n");
			bad++;
		}
		n = maps_profile_slots(&l->m);	/* after the tasks: new ones count */
		for (i = 0; i < nt; i++)
			if (all[i].t.profile != EBPH_NO_PROFILE && all[i].t.profile >= n) {
				fprintf(stderr, "ebph: check: task %u: profile slot %u out of "
					"range\n", all[i].tid, all[i].t.profile);
				bad++;
			}
		tasks = (unsigned int)nt;
		free(all);
	} else {
		struct saved_set s;
		struct dirent *de;
		unsigned int files = 0;
		size_t len;
		DIR *d;

		if (saved_load(cfg, NULL, &s))
			return 1;
		checked = (unsigned int)s.n;
		saved_free(&s);
		d = opendir(cfg->state_dir);
		while (d && (de = readdir(d))) {
			len = strlen(de->d_name);
			files += len > 5 && !strcmp(de->d_name + len - 5, ".prof");
		}
		if (d)
			closedir(d);
		if (files != checked) {
			fprintf(stderr, "ebph: check: %u of %u saved profiles are unusable\n",
				files - checked, files);
			bad++;
		}
	}
	if (o->json) {
		admin_json_head(stdout, "check", now_wall());
		printf(",\"source\":\"%s\",\"profiles\":%u,\"tasks\":%u,\"violations\":%u}\n",
		       l ? "live" : "saved", checked, tasks, bad);
	} else {
		printf("%s: %u profiles, %u tasks checked, %u violations\n", l ? "live" : "saved",
		       checked, tasks, bad);
	}
	return bad ? 1 : 0;
}

/* A running monitor's settings win over -c and the defaults: the
 * commands act on its state_dir and window (its info map carries them). */
static void admin_live_config(struct ebph_config *cfg, const struct admin_live *l,
			      const char *config)
{
	char dir[EBPH_STATE_DIR_MAX];

	memcpy(dir, l->info.state_dir, sizeof(dir));
	dir[sizeof(dir) - 1] = 0;
	if (!dir[0])
		return;
	if (config && strcmp(dir, cfg->state_dir))
		out_warn("ebph: note: the running monitor's state_dir %s is used, not %s's %s",
			 dir, config, cfg->state_dir);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", dir);
	cfg->window = l->info.window;
	scope_set_dir(cfg->state_dir);	/* cgroup paths of scopes from saved files */
}

int admin_main(int argc, char **argv)
{
	struct ebph_config cfg;
	struct admin_live live, *l = NULL;
	struct admin_opts o;
	char err[512];
	pid_t pid;
	int ret;

	if (!strcmp(argv[0], "replay"))
		return replay_main(argc, argv);
	if (!strcmp(argv[0], "record"))
		return record_main(argc, argv);
	if (admin_parse(argc, argv, &o, err, sizeof(err))) {
		out_warn("ebph: %s", err);
		if (o.cmd)
			fprintf(stderr, "Usage: ebph %s\nTry 'ebph help %s' for more "
				"information.\n", o.cmd->usage, o.cmd->name);
		else
			fputs("Try 'ebph help' for more information.\n", stderr);
		return 2;
	}
	if (o.help) {
		admin_cmd_help(stdout, o.cmd);
		return 0;
	}
	if (o.cmd->id == ADM_HELP) {
		if (o.target)
			admin_cmd_help(stdout, admin_find(o.target));
		else
			cli_usage(stdout, admin_usage);
		return 0;
	}
	cfg_defaults(&cfg);
	if ((o.config && cfg_load_file(&cfg, o.config, err, sizeof(err))) ||
	    cfg_load_overrides(&cfg, o.overrides, o.noverrides, err, sizeof(err))) {
		out_warn("ebph: %s", err);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ebph: must be run as root\n");
		return 1;
	}
	setlinebuf(stdout);
	pid = admin_running();
	if (o.cmd->id == ADM_SAVE)
		return cmd_save(&o, pid);
	if (o.cmd->id == ADM_RELEASE)
		return cmd_release(&o, pid);
	if (o.cmd->id == ADM_PRUNE)
		return cmd_prune(&o, &cfg, pid);
	if (o.cmd->id == ADM_PS && !pid) {
		fprintf(stderr, "ebph: no running ebph monitor: no tasks are monitored\n");
		return 1;
	}
	if (pid) {
		if (live_open(&live, pid))
			return 1;
		l = &live;
		admin_live_config(&cfg, l, o.config);
	}
	switch (o.cmd->id) {
	case ADM_PS:
		ret = cmd_ps(&o, l);
		break;
	case ADM_PROFILES:
		ret = cmd_profiles(&o, l, &cfg);
		break;
	case ADM_SHOW:
		ret = cmd_show(&o, l, &cfg);
		break;
	case ADM_CHECK:
		ret = cmd_check(&o, l, &cfg);
		break;
	default:
		if (o.frozen)
			ret = l ? cmd_normalize_live(&o, l) : cmd_normalize_saved(&o, &cfg);
		else
			ret = l ? cmd_steer_live(&o, l, &cfg) : cmd_steer_saved(&o, &cfg);
		break;
	}
	if (l)
		live_close(l);
	if (fflush(stdout) && !ret) {
		out_warn("ebph: cannot write the output: %s", strerror(errno));
		ret = 1;
	}
	return ret;
}

#endif /* ADMIN_PURE */
