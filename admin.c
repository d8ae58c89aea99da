/* SPDX-License-Identifier: GPL-2.0-only */
/* admin.c: ebph's sub-commands: the one command table, their option
 * parsing, their help, and the dispatch to the rooms that carry them out
 * (inspect.c, steer.c, request.c against live.c or saved.c). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "admin_int.h"
#include "cli.h"
#include "config.h"
#include "output.h"
#include "replay.h"
#include "status.h"

/*
 * Only admin_main and the commands it runs talk to the kernel:
 * tests/test_admin.c includes this file with ADMIN_PURE defined, and links
 * none of the rooms that carry the commands out.
 */
#ifdef ADMIN_PURE
#define ADM_RUN(fn)	NULL
#else
#define ADM_RUN(fn)	fn
#endif

static int cmd_help(const struct admin_opts *o, struct admin_ctx *x);

/* The one table of sub-commands: dispatch, argument checks and help. */
static const struct admin_cmd admin_cmds[] = {
	{ "ps", ADM_PS, 0, ADM_F_NOCONFIG, "ps [-j] [-t]",
	  "monitored processes (threads with -t)",
	  .options = "  -t, --threads      one line per thread\n",
	  .run = ADM_RUN(cmd_ps) },
	{ "profiles", ADM_PROFILES, 0, 0, "profiles [-j] [-c FILE]",
	  "every profile and its counters", .run = ADM_RUN(cmd_profiles) },
	{ "show", ADM_SHOW, 0, ADM_F_PROFILE,
	  "show [-j] [-c FILE] [--pairs | --diff | --svg FILE] (PROFILE | --pid PID)",
	  "one profile and its lookahead pairs",
	  .options = "      --pairs        one line per lookahead pair (call, previous call,\n"
		     "                     distance) instead of one line per call\n"
		     "      --diff         what a normalize would change: training pairs the\n"
		     "                     testing data lacks (added), and the reverse (removed)\n"
		     "      --svg FILE     draw the profile as an SVG heat map into FILE\n",
	  .run = ADM_RUN(cmd_show) },
	{ "normalize", ADM_NORMALIZE, EBPH_CMD_NORMALIZE, ADM_F_PROFILE,
	  "normalize [-j] [-c FILE] (PROFILE | --pid PID | --frozen | --stable-for TIME)",
	  "start detection for a profile now (or every\n\tfrozen one, or every one frozen that long)",
	  .options = "      --frozen       every frozen profile (instead of PROFILE)\n"
		     "      --stable-for TIME  every profile frozen for at least TIME\n"
		     "                     (90s, 15m, 2h, 1d; a running monitor only)\n",
	  .run = ADM_RUN(cmd_steer) },
	{ "sensitize", ADM_SENSITIZE, EBPH_CMD_SENSITIZE, ADM_F_PROFILE,
	  "sensitize [-j] [-c FILE] (PROFILE | --pid PID)",
	  "forget a profile's training data", .run = ADM_RUN(cmd_steer) },
	{ "tolerize", ADM_TOLERIZE, EBPH_CMD_TOLERIZE, ADM_F_PROFILE,
	  "tolerize [-j] [-c FILE] (PROFILE | --pid PID)",
	  "stop detection (training goes on)", .run = ADM_RUN(cmd_steer) },
	{ "delete", ADM_DELETE, EBPH_CMD_FORGET, ADM_F_PROFILE,
	  "delete [-j] [-c FILE] (PROFILE | --pid PID)",
	  "forget a profile and delete its saved file", .run = ADM_RUN(cmd_steer) },
	{ "notolerize", ADM_NO_TOLERIZE, EBPH_CMD_NO_TOLERIZE, ADM_F_PROFILE,
	  "notolerize [-j] [-c FILE] (PROFILE | --pid PID)",
	  "set no_tolerize: anomaly_limit never ends\n\tthis profile's normal monitoring",
	  .run = ADM_RUN(cmd_steer) },
	{ "autotolerize", ADM_AUTO_TOLERIZE, EBPH_CMD_AUTO_TOLERIZE, ADM_F_PROFILE,
	  "autotolerize [-j] [-c FILE] (PROFILE | --pid PID)",
	  "clear no_tolerize (anomaly_limit applies)", .run = ADM_RUN(cmd_steer) },
	{ "status", ADM_STATUS, 0, ADM_F_NOCONFIG, "status [-j]",
	  "the running monitor: PID, modes, counts, maps", .run = ADM_RUN(cmd_status) },
	{ "save", ADM_SAVE, 0, ADM_F_NOCONFIG | ADM_F_PROCESS, "save [-j]",
	  "make the running monitor save now", .run = ADM_RUN(cmd_save) },
	{ "release", ADM_RELEASE, 0, ADM_F_NOJSON | ADM_F_NOCONFIG | ADM_F_ARG | ADM_F_PROCESS,
	  "release (PID | --all)",
	  "let a task the response holds go (PID: its\n\tthreads; --all: every task)",
	  .options = "      --all          every task the response holds or delays\n",
	  .run = ADM_RUN(cmd_release) },
	{ "prune", ADM_PRUNE, 0, ADM_F_NOJSON | ADM_F_PROCESS, "prune [-c FILE] [--dry-run]",
	  "delete saved profiles of executables that\n\tno longer exist",
	  .options = "  -n, --dry-run      only list what would be deleted\n",
	  .run = ADM_RUN(cmd_prune) },
	{ "help", ADM_HELP, 0,
	  ADM_F_NOJSON | ADM_F_NOCONFIG | ADM_F_ARG | ADM_F_NOROOT, "help [COMMAND]",
	  "ebph's usage, or a command's", .run = cmd_help },
	{ "check", ADM_CHECK, 0, ADM_F_HIDDEN, "check [-j] [-c FILE]",
	  "check every profile's invariants", .run = ADM_RUN(cmd_check) },
	{ "replay", ADM_REPLAY, 0, ADM_F_NOJSON | ADM_F_NOCONFIG,
	  "replay [OPTIONS] (TRACE... | --train DIR --normal DIR --attack DIR)",
	  "run the detector over recorded traces\n\t(strace, ADFA-LD, UNM, ebph); evaluate it",
	  .options = replay_help_text, .main = replay_main },
	{ "record", ADM_RECORD, 0, ADM_F_NOJSON | ADM_F_NOCONFIG,
	  "record -o FILE (-p PID | -n COMM | -- CMD ARGS...)",
	  "record processes' system calls for replay",
	  .options = record_help_text, .main = ADM_RUN(record_main) },
};

#define ADMIN_NCMDS (sizeof(admin_cmds) / sizeof(admin_cmds[0]))

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
	if (c->flags & ADM_F_PROFILE)
		fputs("  -p, --pid PID      the profile of process PID (a running monitor only)\n",
		      f);
	if (c->options)
		fputs(c->options, f);
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

/* ebph help [COMMAND]: ebph's usage, or the command's. */
static int cmd_help(const struct admin_opts *o, struct admin_ctx *x)
{
	(void)x;
	if (o->target)
		admin_cmd_help(stdout, admin_find(o->target));
	else
		cli_usage(stdout, admin_usage);
	return 0;
}

#ifndef ADMIN_PURE
int admin_main(int argc, char **argv)
{
	const struct admin_cmd *c = argc > 0 ? admin_find(argv[0]) : NULL;
	struct admin_ctx x = { 0 };
	struct admin_live live;
	struct admin_opts o;
	char err[512];
	int ret;

	if (c && c->main)
		return c->main(argc, argv);
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
	if (o.cmd->flags & ADM_F_NOROOT)
		return o.cmd->run(&o, NULL);
	cfg_defaults(&x.cfg);
	if ((o.config && cfg_load_file(&x.cfg, o.config, err, sizeof(err))) ||
	    cfg_load_overrides(&x.cfg, o.overrides, o.noverrides, err, sizeof(err))) {
		out_warn("ebph: %s", err);
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "ebph: must be run as root\n");
		return 1;
	}
	setlinebuf(stdout);
	x.pid = admin_running();
	if (o.cmd->flags & ADM_F_PROCESS)
		return o.cmd->run(&o, &x);
	if (x.pid) {
		if (live_open(&live, x.pid))
			return 1;
		x.l = &live;
		admin_live_config(&x.cfg, x.l, o.config);
	}
	ret = o.cmd->run(&o, &x);
	if (x.l)
		live_close(&live);
	if (fflush(stdout) && !ret) {
		out_warn("ebph: cannot write the output: %s", strerror(errno));
		ret = 1;
	}
	return ret;
}
#endif /* ADMIN_PURE */
