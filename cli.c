/* SPDX-License-Identifier: GPL-2.0-only */
/* cli.c: parses ebph's options and prints its usage. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"

enum { OPT_EBPF = 256, OPT_PRINT_CONFIG, OPT_NO_LOAD, OPT_NO_SAVE, OPT_TREE, OPT_ALERTS };

static const struct option long_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "option", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "duration", required_argument, NULL, 'd' },
	{ "timestamp", no_argument, NULL, 'T' },
	{ "pid", required_argument, NULL, 'p' },
	{ "tree", no_argument, NULL, OPT_TREE },
	{ "alerts", no_argument, NULL, OPT_ALERTS },
	{ "name", required_argument, NULL, 'n' },
	{ "summary", no_argument, NULL, 's' },
	{ "ebpf", no_argument, NULL, OPT_EBPF },
	{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
	{ "no-load", no_argument, NULL, OPT_NO_LOAD },
	{ "no-save", no_argument, NULL, OPT_NO_SAVE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void cli_usage(FILE *f, void (*commands)(FILE *f))
{
	fputs("Usage: ebph [OPTIONS]              monitor the host\n"
	      "       ebph COMMAND [ARGS]         inspect or steer profiles (see COMMANDS)\n"
	      "Learn which system calls follow which for every executable (pH lookahead\n"
	      "pairs) and report anomalies once a program's profile is normal.\n"
	      "\n"
	      "  -c, --config FILE    YAML configuration; without it, the built-in defaults\n"
	      "  -o, --option KEY=VALUE  set a configuration key over the file (repeatable;\n"
	      "                       validated like the file; see --print-config)\n"
	      "  -j, --json           one JSON object per line on stdout\n"
	      "  -d, --duration SECS  stop after SECS seconds (or 90s, 15m, 2h)\n"
	      "  -T, --timestamp      text output: add a TIME column (JSON always has \"ts\")\n"
	      "  -p, --pid PID        print only events of process PID (it must exist)\n"
	      "      --tree           with -p: also the events of PID's descendants\n"
	      "  -n, --name COMM      print only events of processes whose name contains COMM\n"
	      "                       (-p, -n: text output leaves out the host-wide status\n"
	      "                       lines; JSON keeps them)\n"
	      "      --alerts         print only what needs a human: alert-level anomalies\n"
	      "                       and summaries, exec anomalies, limits, full maps\n"
	      "                       (config alerts_only)\n"
	      "  -s, --summary        at exit, print every profile with its counters and memory\n"
	      "      --ebpf           print the filled BPF program and exit (no root needed)\n"
	      "      --print-config   print the effective configuration as YAML and exit\n"
	      "      --no-load        start without the profiles saved in state_dir\n"
	      "      --no-save        never write profiles to state_dir\n"
	      "  -h, --help           this help\n"
	      "  -V, --version        print the version and exit\n"
	      "\n", f);
	if (commands) {
		commands(f);
		fputc('\n', f);
	}
	fputs("EXAMPLES:\n"
	      "  sudo ebph                        # monitor with the built-in defaults\n"
	      "  sudo ebph -c /etc/ebph/ebph.yaml # monitor with a configuration file\n"
	      "  sudo ebph -j | jq 'select(.type == \"anomaly\")'   # anomalies as JSON\n"
	      "  sudo ebph -T -n sshd             # only events of processes named *sshd*\n"
	      "  sudo ebph -p $$ --tree           # only events of this shell and its children\n"
	      "  sudo ebph -d 60 -s               # one minute, then a profile summary\n"
	      "  ebph --ebpf > prog.c             # the BPF program ebph would load\n"
	      "  sudo ebph show /usr/bin/ls       # what ebph learned about ls\n"
	      "  sudo ebph normalize /usr/sbin/sshd  # detect for sshd from now on\n"
	      "\n"
	      "Events and status lines go to stdout, and as the configuration says to the\n"
	      "journal (journal), an events file (events_file, rotated; kill -HUP reopens\n"
	      "it) and a Prometheus metrics file (metrics_file). See ebph(8), OUTPUT.\n"
	      "\n"
	      "Exit status: 0 ok, 1 runtime failure, 2 usage or configuration error.\n"
	      "See ebph(8).\n", f);
}

static int cli_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The message for an option getopt refused: unknown, or given a value it
 * does not take (--json=1). */
static int cli_bad_option(const char *arg, char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	unsigned int i;

	if (!strncmp(arg, "--", 2) && eq) {
		for (i = 0; long_opts[i].name; i++)
			if (long_opts[i].has_arg == no_argument &&
			    strlen(long_opts[i].name) == (size_t)(eq - arg - 2) &&
			    !strncmp(long_opts[i].name, arg + 2, eq - arg - 2)) {
				snprintf(err, errlen, "option '--%s' takes no argument",
					 long_opts[i].name);
				return -EINVAL;
			}
	}
	if (!strncmp(arg, "--", 2) || optopt <= 0 || optopt >= 256)
		snprintf(err, errlen, "unknown option '%s'", arg);
	else
		snprintf(err, errlen, "unknown option '-%c'", optopt);
	return -EINVAL;
}

int cli_parse(int argc, char **argv, struct ebph_opts *o, char *err, size_t errlen)
{
	int c;

	memset(o, 0, sizeof(*o));
	optind = 0;	/* GNU: full re-initialisation, so tests may parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:o:jd:Tp:n:shV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'o':
			if (o->noverrides == CFG_OVERRIDES_MAX) {
				snprintf(err, errlen, "-o: at most %u overrides", CFG_OVERRIDES_MAX);
				return -EINVAL;
			}
			o->overrides[o->noverrides++] = optarg;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'd':
			if (cfg_parse_duration(optarg, &o->duration) || !o->duration) {
				snprintf(err, errlen, "--duration: '%s' is not a positive duration "
					 "(seconds, or a number with s, m, h, d or w)", optarg);
				return -EINVAL;
			}
			break;
		case 'T':
			o->timestamps = 1;
			break;
		case 'p':
			if (cli_number(optarg, 1, INT_MAX, &o->pid)) {
				snprintf(err, errlen, "--pid: '%s' is not a process ID", optarg);
				return -EINVAL;
			}
			break;
		case 'n':
			if (!*optarg) {
				snprintf(err, errlen, "--name: empty name");
				return -EINVAL;
			}
			o->comm = optarg;
			break;
		case 's':
			o->summary = 1;
			break;
		case OPT_TREE:
			o->tree = 1;
			break;
		case OPT_ALERTS:
			o->alerts = 1;
			break;
		case OPT_EBPF:
			o->ebpf = 1;
			break;
		case OPT_PRINT_CONFIG:
			o->print_config = 1;
			break;
		case OPT_NO_LOAD:
			o->no_load = 1;
			break;
		case OPT_NO_SAVE:
			o->no_save = 1;
			break;
		case 'h':
			o->help = 1;
			break;
		case 'V':
			o->version = 1;
			break;
		case ':':
			if (!strncmp(argv[optind - 1], "--", 2))
				snprintf(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
			else
				snprintf(err, errlen, "option '-%c' needs an argument", optopt);
			return -EINVAL;
		default:
			return cli_bad_option(argv[optind - 1], err, errlen);
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (o->tree && !o->pid) {
		snprintf(err, errlen, "--tree needs -p PID (whose descendants to follow)");
		return -EINVAL;
	}
	if (o->timestamps && o->json) {
		snprintf(err, errlen, "-T (--timestamp) is for text output: -j (--json) lines "
			 "always carry \"ts\"");
		return -EINVAL;
	}
	return 0;
}
