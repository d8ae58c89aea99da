/* SPDX-License-Identifier: GPL-2.0-only */
/* cli.h: ebph's command line. */
#ifndef EBPH_CLI_H
#define EBPH_CLI_H

#include <stdio.h>
#include <linux/types.h>

struct ebph_opts {
	const char *config;	/* -c FILE, NULL = built-in defaults */
	const char *comm;	/* -n: print only events of tasks whose name contains it */
	__u64 duration;		/* -d: seconds, 0 = until interrupted */
	long pid;		/* -p: print only events of this process, 0 = all */
	int tree;		/* --tree: and of its descendants */
	int alerts;		/* --alerts: print only alerts (config alerts_only) */
	int json;		/* -j */
	int timestamps;		/* -T */
	int summary;		/* -s */
	int ebpf;		/* --ebpf */
	int print_config;	/* --print-config */
	int no_load;		/* --no-load: start without the saved profiles */
	int no_save;		/* --no-save: never write to state_dir */
	int help;		/* -h */
	int version;		/* -V */
	char *overrides[64];	/* -o KEY=VALUE, in order (CFG_OVERRIDES_MAX) */
	size_t noverrides;
};

/* Parse argv. 0, or -EINVAL with one message in err (usage error). */
int cli_parse(int argc, char **argv, struct ebph_opts *o, char *err, size_t errlen);
/* The usage; commands (may be NULL) prints the COMMANDS section. */
void cli_usage(FILE *f, void (*commands)(FILE *f));

#endif
