/* SPDX-License-Identifier: GPL-2.0-only */
/* test_cli.c: check suite for cli.c (option parsing, messages, usage text). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "cli.h"

#define MAX_ARGS 32

static char *args[MAX_ARGS + 2];
static char err[256];

/* Parse "ebph" followed by the NULL-terminated arguments into o; err gets the message. */
static int parse(struct ebph_opts *o, ...)
{
	va_list ap;
	const char *a;
	int argc = 0;

	args[argc++] = (char *)"ebph";
	va_start(ap, o);
	while ((a = va_arg(ap, const char *)) && argc <= MAX_ARGS)
		args[argc++] = (char *)a;
	va_end(ap);
	args[argc] = NULL;
	memset(err, 0, sizeof(err));
	return cli_parse(argc, args, o, err, sizeof(err));
}

#define PARSE_OK(o, ...)							\
	do {									\
		int r_ = parse(o, __VA_ARGS__, NULL);				\
		ck_assert_msg(r_ == 0, "unexpected error %d: %s", r_, err);	\
		ck_assert_str_eq(err, "");					\
	} while (0)

#define PARSE_ERR(msg, ...)							\
	do {									\
		struct ebph_opts o_;						\
		ck_assert_int_eq(parse(&o_, __VA_ARGS__, NULL), -EINVAL);	\
		ck_assert_str_eq(err, msg);					\
	} while (0)

static const char dur_msg[] = "(seconds, or a number with s, m, h, d or w)";

START_TEST(test_cli_no_options)
{
	struct ebph_opts o;
	char *argv[] = { (char *)"ebph", NULL };

	memset(&o, 0xa5, sizeof(o));
	ck_assert_int_eq(cli_parse(1, argv, &o, err, sizeof(err)), 0);
	ck_assert_ptr_null(o.config);
	ck_assert_ptr_null(o.comm);
	ck_assert_uint_eq(o.duration, 0);
	ck_assert_int_eq(o.pid, 0);
	ck_assert_int_eq(o.json, 0);
	ck_assert_int_eq(o.timestamps, 0);
	ck_assert_int_eq(o.summary, 0);
	ck_assert_int_eq(o.ebpf, 0);
	ck_assert_int_eq(o.print_config, 0);
	ck_assert_int_eq(o.help, 0);
	ck_assert_int_eq(o.version, 0);
}
END_TEST

START_TEST(test_cli_short_options)
{
	struct ebph_opts o;

	PARSE_OK(&o, "-c", "/etc/ebph/ebph.yaml", "-j", "-d", "30", "-p", "42", "-n",
		 "sshd", "-s", "-h", "-V");
	ck_assert_str_eq(o.config, "/etc/ebph/ebph.yaml");
	ck_assert_ptr_eq(o.config, args[2]);
	ck_assert_int_eq(o.json, 1);
	ck_assert_uint_eq(o.duration, 30);
	ck_assert_int_eq(o.timestamps, 0);
	ck_assert_int_eq(o.pid, 42);
	ck_assert_int_eq(o.tree, 0);
	ck_assert_str_eq(o.comm, "sshd");
	ck_assert_int_eq(o.summary, 1);
	ck_assert_int_eq(o.help, 1);
	ck_assert_int_eq(o.version, 1);
	ck_assert_int_eq(o.ebpf, 0);
	ck_assert_int_eq(o.print_config, 0);
}
END_TEST

START_TEST(test_cli_long_options)
{
	struct ebph_opts o;

	PARSE_OK(&o, "--config", "my.yaml", "--json", "--duration", "90s", "--pid",
		 "7", "--tree", "--name", "nginx", "--summary", "--ebpf", "--print-config", "--help",
		 "--version");
	ck_assert_str_eq(o.config, "my.yaml");
	ck_assert_int_eq(o.json, 1);
	ck_assert_uint_eq(o.duration, 90);
	ck_assert_int_eq(o.timestamps, 0);
	ck_assert_int_eq(o.pid, 7);
	ck_assert_int_eq(o.tree, 1);
	ck_assert_str_eq(o.comm, "nginx");
	ck_assert_int_eq(o.summary, 1);
	ck_assert_int_eq(o.ebpf, 1);
	ck_assert_int_eq(o.print_config, 1);
	ck_assert_int_eq(o.help, 1);
	ck_assert_int_eq(o.version, 1);
}
END_TEST

/* Each flag alone sets only its own field. */
START_TEST(test_cli_flags_independent)
{
	struct ebph_opts o;

	PARSE_OK(&o, "--ebpf");
	ck_assert_int_eq(o.ebpf, 1);
	ck_assert_int_eq(o.print_config + o.json + o.timestamps + o.summary + o.help + o.version, 0);
	PARSE_OK(&o, "--print-config");
	ck_assert_int_eq(o.print_config, 1);
	ck_assert_int_eq(o.ebpf + o.json + o.timestamps + o.summary + o.help + o.version, 0);
	PARSE_OK(&o, "-T");
	ck_assert_int_eq(o.timestamps, 1);
	ck_assert_int_eq(o.ebpf + o.print_config + o.json + o.summary + o.help + o.version, 0);
	PARSE_OK(&o, "-V");
	ck_assert_int_eq(o.version, 1);
	ck_assert_int_eq(o.ebpf + o.print_config + o.json + o.timestamps + o.summary + o.help, 0);
}
END_TEST

START_TEST(test_cli_long_equals_and_attached)
{
	struct ebph_opts o;

	PARSE_OK(&o, "--config=a.yaml", "--duration=15m", "--pid=99", "--name=cron");
	ck_assert_str_eq(o.config, "a.yaml");
	ck_assert_uint_eq(o.duration, 900);
	ck_assert_int_eq(o.pid, 99);
	ck_assert_str_eq(o.comm, "cron");

	PARSE_OK(&o, "-cb.yaml", "-d2h", "-p5", "-nbash");
	ck_assert_str_eq(o.config, "b.yaml");
	ck_assert_uint_eq(o.duration, 7200);
	ck_assert_int_eq(o.pid, 5);
	ck_assert_str_eq(o.comm, "bash");
}
END_TEST

/* Unique prefixes of long options are accepted (getopt_long). */
START_TEST(test_cli_long_abbreviations)
{
	struct ebph_opts o;

	PARSE_OK(&o, "--dur", "30", "--print", "--ver");
	ck_assert_uint_eq(o.duration, 30);
	ck_assert_int_eq(o.print_config, 1);
	ck_assert_int_eq(o.version, 1);
}
END_TEST

START_TEST(test_cli_last_value_wins)
{
	struct ebph_opts o;

	PARSE_OK(&o, "-p", "1", "--pid", "2", "-d", "1", "-d", "3m", "-c", "x", "-c", "y");
	ck_assert_int_eq(o.pid, 2);
	ck_assert_uint_eq(o.duration, 180);
	ck_assert_str_eq(o.config, "y");
}
END_TEST

START_TEST(test_cli_duration_forms)
{
	static const struct {
		const char *arg;
		__u64 secs;
	} cases[] = {
		{ "30", 30 }, { "1", 1 }, { "90s", 90 }, { "15m", 900 }, { "2h", 7200 },
		{ "1d", 86400 }, { "1w", 604800 }, { "3600", 3600 },
	};
	struct ebph_opts o;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		PARSE_OK(&o, "-d", cases[i].arg);
		ck_assert_msg(o.duration == cases[i].secs, "-d %s: %llu", cases[i].arg,
			      (unsigned long long)o.duration);
		PARSE_OK(&o, "--duration", cases[i].arg);
		ck_assert_uint_eq(o.duration, cases[i].secs);
	}
}
END_TEST

START_TEST(test_cli_duration_rejected)
{
	static const char *const bad[] = {
		"0", "0s", "0m", "-1", "abc", "", "s", "10x", "1.5", "15 m", "+5", "99999999999999999999",
		"30000000000000000w",
	};
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(msg, sizeof(msg), "--duration: '%s' is not a positive duration %s", bad[i],
			 dur_msg);
		PARSE_ERR(msg, "-d", bad[i]);
		PARSE_ERR(msg, "--duration", bad[i]);
		PARSE_ERR(msg, "-j", "--duration", bad[i], "-T");
	}
	PARSE_ERR("--duration: '0' is not a positive duration (seconds, or a number with s, m, h, "
		  "d or w)", "-d0");
	PARSE_ERR("--duration: '' is not a positive duration (seconds, or a number with s, m, h, "
		  "d or w)", "--duration=");
}
END_TEST

START_TEST(test_cli_pid_valid)
{
	struct ebph_opts o;

	PARSE_OK(&o, "-p", "1");
	ck_assert_int_eq(o.pid, 1);
	PARSE_OK(&o, "-p", "2147483647");
	ck_assert_int_eq(o.pid, 2147483647L);
	PARSE_OK(&o, "--pid", "31337");
	ck_assert_int_eq(o.pid, 31337);
}
END_TEST

START_TEST(test_cli_pid_rejected)
{
	static const char *const bad[] = {
		"0", "-5", "-1", "abc", "12abc", "", "+5", "2147483648", "99999999999999999999",
		"0x10", "4.2", "5 ",
	};
	char msg[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(msg, sizeof(msg), "--pid: '%s' is not a process ID", bad[i]);
		PARSE_ERR(msg, "-p", bad[i]);
		PARSE_ERR(msg, "--pid", bad[i]);
	}
	PARSE_ERR("--pid: '-7' is not a process ID", "--pid=-7");
}
END_TEST

START_TEST(test_cli_name_empty)
{
	struct ebph_opts o;

	PARSE_ERR("--name: empty name", "-n", "");
	PARSE_ERR("--name: empty name", "--name", "");
	PARSE_ERR("--name: empty name", "--name=");
	/* One character and odd characters are fine: it is a substring filter. */
	PARSE_OK(&o, "-n", "x");
	ck_assert_str_eq(o.comm, "x");
	PARSE_OK(&o, "--name", "a b\"c");
	ck_assert_str_eq(o.comm, "a b\"c");
}
END_TEST

START_TEST(test_cli_unknown_short_option)
{
	PARSE_ERR("unknown option '-x'", "-x");
	PARSE_ERR("unknown option '-x'", "-j", "-x", "-T");
	PARSE_ERR("unknown option '-x'", "-jx");
	PARSE_ERR("unknown option '-?'", "-?");
	PARSE_ERR("unknown option '-:'", "-:");
}
END_TEST

START_TEST(test_cli_unknown_long_option)
{
	PARSE_ERR("unknown option '--frobnicate'", "--frobnicate");
	PARSE_ERR("unknown option '--frobnicate'", "-j", "--frobnicate", "-T");
	PARSE_ERR("unknown option '--frob=1'", "--frob=1");
	/* An unknown long option after an unknown short one in an earlier parse. */
	PARSE_ERR("unknown option '-x'", "-x");
	PARSE_ERR("unknown option '--nope'", "--nope");
}
END_TEST

/* Ambiguous prefix (--pid, --print-config): an error naming what was typed. */
START_TEST(test_cli_ambiguous_long_option)
{
	struct ebph_opts o;

	ck_assert_int_eq(parse(&o, "--p", "1", NULL), -EINVAL);
	ck_assert_msg(strstr(err, "'--p'") != NULL, "message: %s", err);
}
END_TEST

/* A value given to a long option that takes none names that option. */
START_TEST(test_cli_long_option_with_value_not_allowed)
{
	struct ebph_opts o;

	ck_assert_int_eq(parse(&o, "--json=1", NULL), -EINVAL);
	ck_assert_msg(strstr(err, "--json") != NULL, "--json=1: message: '%s'", err);
	ck_assert_int_eq(parse(&o, "--ebpf=yes", NULL), -EINVAL);
	ck_assert_msg(strstr(err, "--ebpf") != NULL, "--ebpf=yes: message: '%s'", err);
	ck_assert_int_eq(parse(&o, "--print-config=1", NULL), -EINVAL);
	ck_assert_msg(strstr(err, "--print-config") != NULL, "--print-config=1: message: '%s'",
		      err);
}
END_TEST

START_TEST(test_cli_missing_argument)
{
	PARSE_ERR("option '-c' needs an argument", "-c");
	PARSE_ERR("option '-d' needs an argument", "-d");
	PARSE_ERR("option '-p' needs an argument", "-p");
	PARSE_ERR("option '-n' needs an argument", "-n");
	PARSE_ERR("option '-d' needs an argument", "-j", "-T", "-d");
	PARSE_ERR("option '--config' needs an argument", "--config");
	PARSE_ERR("option '--duration' needs an argument", "--duration");
	PARSE_ERR("option '--pid' needs an argument", "-j", "--pid");
	PARSE_ERR("option '--name' needs an argument", "--name");
}
END_TEST

/* The option lacking its argument is named even at the end of a cluster. */
START_TEST(test_cli_missing_argument_in_cluster)
{
	PARSE_ERR("option '-d' needs an argument", "-jd");
}
END_TEST

/* A following option is taken as the argument, as getopt does. */
START_TEST(test_cli_argument_looks_like_option)
{
	struct ebph_opts o;

	PARSE_OK(&o, "-c", "-j");
	ck_assert_str_eq(o.config, "-j");
	ck_assert_int_eq(o.json, 0);
	PARSE_ERR("--pid: '-j' is not a process ID", "-p", "-j");
}
END_TEST

START_TEST(test_cli_unexpected_argument)
{
	struct ebph_opts o;

	PARSE_ERR("unexpected argument 'foo'", "foo");
	PARSE_ERR("unexpected argument 'foo'", "-j", "foo");
	/* GNU getopt permutes: options after the operand are still parsed first. */
	PARSE_ERR("unexpected argument 'foo'", "foo", "-j");
	PARSE_ERR("unexpected argument 'foo'", "foo", "bar");
	PARSE_ERR("unexpected argument '-j'", "--", "-j");
	PARSE_ERR("unexpected argument '-'", "-");
	/* "--" alone ends the options and is fine. */
	PARSE_OK(&o, "-j", "--");
	ck_assert_int_eq(o.json, 1);
}
END_TEST

START_TEST(test_cli_combined_short_flags)
{
	struct ebph_opts o;

	PARSE_OK(&o, "-js");
	ck_assert_int_eq(o.json, 1);
	ck_assert_int_eq(o.timestamps, 0);
	ck_assert_int_eq(o.summary, 1);
	PARSE_OK(&o, "-Ts");
	ck_assert_int_eq(o.json + o.timestamps + o.summary, 2);
	PARSE_OK(&o, "-sTd30");
	ck_assert_int_eq(o.summary + o.timestamps, 2);
	ck_assert_uint_eq(o.duration, 30);
	PARSE_OK(&o, "-sp", "77");
	ck_assert_int_eq(o.summary, 1);
	ck_assert_int_eq(o.pid, 77);
	PARSE_OK(&o, "-jcx.yaml");
	ck_assert_str_eq(o.config, "x.yaml");
}
END_TEST

/* Every parse starts afresh: no state from the previous one (optind reset). */
START_TEST(test_cli_parse_twice)
{
	struct ebph_opts o;

	PARSE_OK(&o, "-jp", "5", "--tree", "-d", "30");
	ck_assert_int_eq(o.json + o.tree, 2);
	PARSE_OK(&o, "-s");
	ck_assert_int_eq(o.summary, 1);
	ck_assert_int_eq(o.json, 0);
	ck_assert_int_eq(o.tree, 0);
	ck_assert_uint_eq(o.duration, 0);
	PARSE_OK(&o, "-s");
	ck_assert_int_eq(o.summary, 1);

	/* An error in the middle of a cluster leaves no half-read cluster behind. */
	PARSE_ERR("unknown option '-x'", "-xj");
	PARSE_OK(&o, "-T");
	ck_assert_int_eq(o.timestamps, 1);
	ck_assert_int_eq(o.json, 0);
	PARSE_ERR("unexpected argument 'foo'", "foo");
	PARSE_OK(&o, "-p", "3");
	ck_assert_int_eq(o.pid, 3);
	PARSE_ERR("option '--name' needs an argument", "--name");
	PARSE_OK(&o, "--name", "a");
	ck_assert_str_eq(o.comm, "a");
}
END_TEST

/* -T is text only: with -j it is a usage error naming both (issue 19.3). */
START_TEST(test_cli_timestamp_with_json_refused)
{
	static const char msg[] = "-T (--timestamp) is for text output: -j (--json) lines "
				  "always carry \"ts\"";
	struct ebph_opts o;

	PARSE_ERR(msg, "-T", "-j");
	PARSE_ERR(msg, "-jT");
	PARSE_ERR(msg, "--json", "--timestamp");
	PARSE_OK(&o, "-T");
	PARSE_OK(&o, "-j");
}
END_TEST

/* --tree follows -p's process: alone it is a usage error (issue 19.1). */
START_TEST(test_cli_tree_needs_pid)
{
	struct ebph_opts o;

	PARSE_ERR("--tree needs -p PID (whose descendants to follow)", "--tree");
	PARSE_ERR("--tree needs -p PID (whose descendants to follow)", "-j", "--tree", "-n", "x");
	PARSE_OK(&o, "--tree", "-p", "9");
	ck_assert_int_eq(o.tree, 1);
	ck_assert_int_eq(o.pid, 9);
	PARSE_OK(&o, "-p", "9");
	ck_assert_int_eq(o.tree, 0);
	PARSE_ERR("option '--tree' takes no argument", "-p", "9", "--tree=1");
}
END_TEST

/* The message is cut to the buffer and still NUL-terminated. */
START_TEST(test_cli_error_buffer_small)
{
	struct ebph_opts o;
	char *argv[] = { (char *)"ebph", (char *)"-x", NULL };
	char small[8];

	memset(small, 'Z', sizeof(small));
	ck_assert_int_eq(cli_parse(2, argv, &o, small, sizeof(small)), -EINVAL);
	ck_assert_str_eq(small, "unknown");
}
END_TEST

START_TEST(test_cli_usage_lists_every_option)
{
	static const char *const opts[] = {
		"-c, --config FILE", "-j, --json", "-d, --duration SECS", "-T, --timestamp",
		"-p, --pid PID", "    --tree", "-n, --name COMM", "-s, --summary", "    --ebpf",
		"    --print-config", "-h, --help", "-V, --version",
	};
	char *buf = NULL, *line, *nl;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	cli_usage(f, NULL);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert(!strncmp(buf, "Usage: ebph [OPTIONS]  ", 23));
	ck_assert_ptr_nonnull(strstr(buf, "\n       ebph COMMAND [ARGS]"));
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		ck_assert_msg(strstr(buf, opts[i]) != NULL, "usage lacks '%s'", opts[i]);
	ck_assert_ptr_nonnull(strstr(buf, "EXAMPLES:\n"));
	ck_assert_ptr_nonnull(strstr(buf, "Exit status: 0 ok, 1 runtime failure, 2 usage"));
	ck_assert_int_eq(buf[len - 1], '\n');
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(nl - line <= 80, "usage line of %d columns: %.*s", (int)(nl - line),
			      (int)(nl - line), line);
		ck_assert_msg(!memchr(line, '\t', nl - line), "tab in usage line");
	}
	free(buf);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_cli_no_options);
	tcase_add_test(tc, test_cli_short_options);
	tcase_add_test(tc, test_cli_long_options);
	tcase_add_test(tc, test_cli_flags_independent);
	tcase_add_test(tc, test_cli_long_equals_and_attached);
	tcase_add_test(tc, test_cli_long_abbreviations);
	tcase_add_test(tc, test_cli_last_value_wins);
	tcase_add_test(tc, test_cli_duration_forms);
	tcase_add_test(tc, test_cli_duration_rejected);
	tcase_add_test(tc, test_cli_pid_valid);
	tcase_add_test(tc, test_cli_pid_rejected);
	tcase_add_test(tc, test_cli_name_empty);
	tcase_add_test(tc, test_cli_unknown_short_option);
	tcase_add_test(tc, test_cli_unknown_long_option);
	tcase_add_test(tc, test_cli_ambiguous_long_option);
	tcase_add_test(tc, test_cli_long_option_with_value_not_allowed);
	tcase_add_test(tc, test_cli_missing_argument);
	tcase_add_test(tc, test_cli_missing_argument_in_cluster);
	tcase_add_test(tc, test_cli_argument_looks_like_option);
	tcase_add_test(tc, test_cli_unexpected_argument);
	tcase_add_test(tc, test_cli_combined_short_flags);
	tcase_add_test(tc, test_cli_parse_twice);
	tcase_add_test(tc, test_cli_error_buffer_small);
	tcase_add_test(tc, test_cli_usage_lists_every_option);
	tcase_add_test(tc, test_cli_timestamp_with_json_refused);
	tcase_add_test(tc, test_cli_tree_needs_pid);
	suite_add_tcase(s, tc);
	return s;
}
