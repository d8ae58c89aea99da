/* SPDX-License-Identifier: GPL-2.0-only */
/* test_config.c: check suite for config.c (defaults, YAML loading, errors, writing). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "config.h"

#define EXAMPLE_FILE "config/ebph.yaml"

/* A document setting every key to a value other than its default. */
static const char every_key[] =
	"window: 5\n"
	"normal_wait: 3d\n"
	"normal_factor: 200\n"
	"normal_factor_den: 50\n"
	"anomaly_limit: 7\n"
	"tolerize_limit: 20\n"
	"lfc_window: 64\n"
	"max_profiles: 500\n"
	"max_tasks: 1000\n"
	"max_rows: 2000\n"
	"max_rows_per_profile: 100\n"
	"ringbuf_kb: 256\n"
	"status_interval: 30s\n"
	"state_dir: /srv/ebph/state\n"
	"save_interval: 1h\n";

/* The same values as every_key, set directly. */
static void odd_config(struct ebph_config *c)
{
	cfg_defaults(c);
	c->window = 5;
	c->normal_wait = 3 * 86400;
	c->normal_factor = 200;
	c->normal_factor_den = 50;
	c->anomaly_limit = 7;
	c->tolerize_limit = 20;
	c->lfc_window = 64;
	c->max_profiles = 500;
	c->max_tasks = 1000;
	c->max_rows = 2000;
	c->max_rows_per_profile = 100;
	c->ringbuf_kb = 256;
	c->status_interval = 30;
	memset(c->state_dir, 0, sizeof(c->state_dir));
	strcpy(c->state_dir, "/srv/ebph/state");
	c->save_interval = 3600;
}

static int load(struct ebph_config *c, const char *text, char *err, size_t errlen)
{
	return cfg_load_string(c, text, strlen(text), "ebph.yaml", err, errlen);
}

/* text loads over the defaults; c receives the result. */
#define LOAD_OK(c, text)							\
	do {									\
		char e_[512] = "";						\
		cfg_defaults(c);						\
		ck_assert_msg(load(c, text, e_, sizeof(e_)) == 0,		\
			      "unexpected error: %s", e_);			\
	} while (0)

/* text fails with exactly msg and leaves a non-default config untouched. */
#define LOAD_ERR(text, msg)							\
	do {									\
		struct ebph_config c_, before_;					\
		char e_[512] = "";						\
		odd_config(&c_);						\
		before_ = c_;							\
		ck_assert_int_eq(load(&c_, text, e_, sizeof(e_)), -EINVAL);	\
		ck_assert_str_eq(e_, msg);					\
		ck_assert(!memcmp(&c_, &before_, sizeof(c_)));			\
	} while (0)

/* A temporary file holding text; the caller unlinks path. */
static void temp_file(char *path, const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/ebph-test-config-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

START_TEST(test_config_defaults)
{
	struct ebph_config c;

	cfg_defaults(&c);
	ck_assert_uint_eq(c.window, 9);
	ck_assert_uint_eq(c.normal_wait, 7 * 86400);
	ck_assert_uint_eq(c.normal_factor, 128);
	ck_assert_uint_eq(c.normal_factor_den, 32);
	ck_assert_uint_eq(c.anomaly_limit, 30);
	ck_assert_uint_eq(c.tolerize_limit, 12);
	ck_assert_uint_eq(c.lfc_window, 128);
	ck_assert_uint_eq(c.max_profiles, 10240);
	ck_assert_uint_eq(c.max_tasks, 16384);
	ck_assert_uint_eq(c.max_rows, 32768);
	ck_assert_uint_eq(c.max_rows_per_profile, 256);
	ck_assert_uint_eq(c.ringbuf_kb, 1024);
	ck_assert_uint_eq(c.status_interval, 10);
	ck_assert_str_eq(c.state_dir, "/var/lib/ebph");
	ck_assert_uint_eq(c.save_interval, 600);
	ck_assert_uint_eq(c.anomaly_period, 3600);
	ck_assert_uint_eq(c.auto_tolerize, 1);
	ck_assert_uint_eq(c.max_edges, 65536);
	ck_assert_uint_eq(c.alert_lfc, 5);
	ck_assert_uint_eq(c.alerts_only, 0);
}
END_TEST

/* issue 12's keys: their values and bounds */
START_TEST(test_config_issue12_keys)
{
	struct ebph_config c;

	LOAD_OK(&c, "anomaly_period: 2h\nauto_tolerize: false\nmax_edges: 16\nalert_lfc: 13\n"
		    "alerts_only: true\n");
	ck_assert_uint_eq(c.anomaly_period, 7200);
	ck_assert_uint_eq(c.auto_tolerize, 0);
	ck_assert_uint_eq(c.max_edges, 16);
	ck_assert_uint_eq(c.alert_lfc, 13);
	ck_assert_uint_eq(c.alerts_only, 1);
	LOAD_OK(&c, "anomaly_period: 0\n");
	ck_assert_uint_eq(c.anomaly_period, 0);
	ck_assert_str_eq(c.script_interpreters, "python3 perl ruby sh bash dash node");
	LOAD_OK(&c, "script_interpreters: python3 /opt/py/bin/python3.12 gawk\n");
	ck_assert_str_eq(c.script_interpreters, "python3 /opt/py/bin/python3.12 gawk");
	LOAD_OK(&c, "script_interpreters: \"\"\n");
	ck_assert_str_eq(c.script_interpreters, "");
	LOAD_ERR("script_interpreters: py/thon\n",
		 "ebph.yaml:1:22: script_interpreters: 'py/thon': not a program name or absolute path");
	LOAD_OK(&c, "script_interpreters: 3\n");	/* a name */
	ck_assert_str_eq(c.script_interpreters, "3");
	LOAD_ERR("alert_lfc: 0\n", "ebph.yaml:1:12: alert_lfc: 0 is out of range (1..128)");
	LOAD_ERR("alerts_only: 2\n", "ebph.yaml:1:14: alerts_only: expected true or false, got '2'");
	LOAD_ERR("auto_tolerize: yes\n",
		 "ebph.yaml:1:16: auto_tolerize: expected true or false, got 'yes'");
	LOAD_ERR("max_edges: 15\n", "ebph.yaml:1:12: max_edges: 15 is out of range (16..1048576)");
	LOAD_ERR("anomaly_period: 366d\n",
		 "ebph.yaml:1:17: anomaly_period: 366d is out of range (0..365d)");
}
END_TEST

/* Every byte is set by cfg_defaults, whatever was there before. */
START_TEST(test_config_defaults_clear_the_struct)
{
	struct ebph_config a, b;

	memset(&a, 0xaa, sizeof(a));
	memset(&b, 0x55, sizeof(b));
	cfg_defaults(&a);
	cfg_defaults(&b);
	ck_assert(!memcmp(&a, &b, sizeof(a)));
	ck_assert_int_eq(a.state_dir[sizeof(a.state_dir) - 1], 0);
}
END_TEST

START_TEST(test_config_every_key)
{
	struct ebph_config c, want;

	LOAD_OK(&c, every_key);
	ck_assert_uint_eq(c.window, 5);
	ck_assert_uint_eq(c.normal_wait, 3 * 86400);
	ck_assert_uint_eq(c.normal_factor, 200);
	ck_assert_uint_eq(c.normal_factor_den, 50);
	ck_assert_uint_eq(c.anomaly_limit, 7);
	ck_assert_uint_eq(c.tolerize_limit, 20);
	ck_assert_uint_eq(c.lfc_window, 64);
	ck_assert_uint_eq(c.max_profiles, 500);
	ck_assert_uint_eq(c.max_tasks, 1000);
	ck_assert_uint_eq(c.max_rows, 2000);
	ck_assert_uint_eq(c.ringbuf_kb, 256);
	ck_assert_uint_eq(c.status_interval, 30);
	ck_assert_str_eq(c.state_dir, "/srv/ebph/state");
	ck_assert_uint_eq(c.save_interval, 3600);
	odd_config(&want);
	ck_assert(!memcmp(&c, &want, sizeof(c)));
}
END_TEST

START_TEST(test_config_flow_mapping_and_quoted_keys)
{
	struct ebph_config c;

	LOAD_OK(&c, "{window: 3, \"max_rows\": 100, 'state_dir': \"/a b/c\"}");
	ck_assert_uint_eq(c.window, 3);
	ck_assert_uint_eq(c.max_rows, 100);
	ck_assert_str_eq(c.state_dir, "/a b/c");
}
END_TEST

START_TEST(test_config_partial_keeps_the_rest)
{
	struct ebph_config c, want;
	char err[256];

	odd_config(&c);
	ck_assert_int_eq(load(&c, "window: 7\n", err, sizeof(err)), 0);
	odd_config(&want);
	want.window = 7;
	ck_assert(!memcmp(&c, &want, sizeof(c)));
}
END_TEST

/* Loaded over a config where every key differs, the example file must give
 * exactly the defaults: so it sets every key, to its default. */
START_TEST(test_config_example_file_is_defaults)
{
	struct ebph_config c, def;
	char err[512] = "";

	odd_config(&c);
	ck_assert_msg(cfg_load_file(&c, EXAMPLE_FILE, err, sizeof(err)) == 0, "%s", err);
	cfg_defaults(&def);
	ck_assert(!memcmp(&c, &def, sizeof(c)));
}
END_TEST

/* Every key line in the example file follows a comment block giving its default. */
START_TEST(test_config_example_file_documents_every_key)
{
	static const char *const keys[] = {
		"window", "normal_wait", "normal_factor", "normal_factor_den",
		"anomaly_limit", "tolerize_limit", "lfc_window", "max_profiles",
		"max_tasks", "max_rows", "max_rows_per_profile", "ringbuf_kb", "status_interval",
		"state_dir", "save_interval", "min_train_calls", "retired_keep",
	};
	char line[256], prev[256] = "";
	unsigned int found = 0;
	FILE *f;
	size_t i;

	f = fopen(EXAMPLE_FILE, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t n = strlen(keys[i]);

			if (!strncmp(line, keys[i], n) && line[n] == ':') {
				ck_assert_msg(!strncmp(prev, "# Default", 9),
					      "%s: no '# Default' line above it", keys[i]);
				found |= 1U << i;
			}
		}
		/* the default is stated in the last comment line before the key */
		if (line[0] == '#')
			snprintf(prev, sizeof(prev), "%s", line);
		else
			prev[0] = '\0';
	}
	fclose(f);
	ck_assert_uint_eq(found, (1U << (sizeof(keys) / sizeof(keys[0]))) - 1);
}
END_TEST

START_TEST(test_config_write_defaults)
{
	struct ebph_config c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	cfg_defaults(&c);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	cfg_write(f, &c);
	fclose(f);
	ck_assert_str_eq(buf,
			 "window: 9\n"
			 "normal_wait: 7d\n"
			 "normal_factor: 128\n"
			 "normal_factor_den: 32\n"
			 "anomaly_limit: 30\n"
			 "tolerize_limit: 12\n"
			 "lfc_window: 128\n"
			 "max_profiles: 10240\n"
			 "max_tasks: 16384\n"
			 "max_rows: 32768\n"
			 "max_rows_per_profile: 256\n"
			 "ringbuf_kb: 1024\n"
			 "anomaly_lines: 10\n"
			 "summary_interval: 1s\n"
			 "output_rate: 1000\n"
			 "status_interval: 10s\n"
			 "state_dir: /var/lib/ebph\n"
			 "save_interval: 10m\n"
			 "response: off\n"
			 "delay_factor: 1\n"
			 "max_delay: 2000\n"
			 "suspend_execve: 10\n"
			 "suspend_execve_time: 2d\n"
			 "response_exempt: []\n"
			 "stdout: true\n"
			 "journal: false\n"
			 "events_file: \"\"\n"
			 "events_file_kb: 10240\n"
			 "events_file_keep: 5\n"
			 "metrics_file: \"\"\n"
			 "min_train_calls: 1024\n"
			 "retired_keep: 7d\n"
			 "programs: []\n"
			 "anomaly_period: 1h\n"
			 "auto_tolerize: true\n"
			 "max_edges: 65536\n"
			 "alert_lfc: 5\n"
			 "alerts_only: false\n"
			 "script_interpreters: \"python3 perl ruby sh bash dash node\"\n"
			 "profile_scope: executable\n");
	free(buf);
}
END_TEST

/* Write c, load the text over the defaults, compare; returns the text. */
static char *round_trip(const struct ebph_config *c)
{
	struct ebph_config back;
	char err[512] = "";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	cfg_write(f, c);
	fclose(f);
	cfg_defaults(&back);
	ck_assert_msg(cfg_load_string(&back, buf, len, "written", err, sizeof(err)) == 0,
		      "%s\n%s", err, buf);
	ck_assert_msg(!memcmp(&back, c, sizeof(back)), "%s", buf);
	return buf;
}

/* response, its numbers and response_exempt: values, defaults, refusals. */
START_TEST(test_config_response_keys)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "response: on\n", "t:1:11: response: expected off, log or act, got 'on'" },
		{ "response: \"act\"\n", "t:1:11: response: expected off, log or act, got a quoted string 'act'" },
		{ "response: 2\n", "t:1:11: response: expected off, log or act, got '2'" },
		{ "delay_factor: 60001\n", "t:1:15: delay_factor: 60001 is out of range (0..60000)" },
		{ "max_delay: 0\n", "t:1:12: max_delay: 0 is out of range (1..3600000)" },
		{ "suspend_execve: 129\n", "t:1:17: suspend_execve: 129 is out of range (0..128)" },
		{ "suspend_execve_time: 0\n", "t:1:22: suspend_execve_time: 0 is out of range (1s..365d)" },
		{ "response_exempt: /bin/true\n", "t:1:18: response_exempt: expected a list of paths, got '/bin/true'" },
		{ "response_exempt: [bin/true]\n", "t:1:19: response_exempt: 'bin/true' is not an absolute path" },
		{ "response_exempt: [[/a]]\n", "t:1:19: response_exempt: expected a list of paths, got a sequence" },
		{ "response_exempt: [\"\"]\n", "t:1:19: response_exempt: must not be empty" },
	};
	struct ebph_config c;
	char err[512], *big;
	const char *s;
	size_t i, n;

	cfg_defaults(&c);
	ck_assert_uint_eq(c.response, CFG_RESPONSE_OFF);
	ck_assert_uint_eq(c.suspend_execve_time, 2 * 86400);
	ck_assert_int_eq(c.response_exempt[0], 0);
	s = "response: act\ndelay_factor: 0\nmax_delay: 50\nsuspend_execve: 0\n"
	    "suspend_execve_time: 90m\nresponse_exempt:\n  - /bin/true\n  - \"/a b\"\n";
	ck_assert_msg(cfg_load_string(&c, s, strlen(s), "t", err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(c.response, CFG_RESPONSE_ACT);
	ck_assert_uint_eq(c.delay_factor, 0);
	ck_assert_uint_eq(c.max_delay, 50);
	ck_assert_uint_eq(c.suspend_execve, 0);
	ck_assert_uint_eq(c.suspend_execve_time, 5400);
	ck_assert_str_eq(c.response_exempt, "/bin/true");
	ck_assert_str_eq(c.response_exempt + 10, "/a b");
	ck_assert_int_eq(c.response_exempt[15], 0);
	free(round_trip(&c));
	s = "response: log\n";
	ck_assert_int_eq(cfg_load_string(&c, s, strlen(s), "t", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.response, CFG_RESPONSE_LOG);
	ck_assert_str_eq(c.response_exempt, "/bin/true");	/* kept: not in the text */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ebph_config before = c;

		ck_assert_int_eq(cfg_load_string(&c, bad[i].text, strlen(bad[i].text), "t",
						 err, sizeof(err)), -EINVAL);
		ck_assert_str_eq(err, bad[i].msg);
		ck_assert(!memcmp(&before, &c, sizeof(c)));
	}
	/* the list fills CFG_EXEMPT_MAX bytes at most, with its final NUL */
	big = malloc(CFG_EXEMPT_MAX * 2 + 64);
	ck_assert_ptr_nonnull(big);
	n = (size_t)sprintf(big, "response_exempt: [");
	for (i = 0; i < CFG_EXEMPT_MAX / 8 - 1; i++)
		n += (size_t)sprintf(big + n, "%s/abcdef", i ? ", " : "");
	strcpy(big + n, "]\n");
	ck_assert_msg(cfg_load_string(&c, big, strlen(big), "t", err, sizeof(err)) == 0, "%s", err);
	strcpy(big + n, ", /abcdef]\n");
	ck_assert_int_eq(cfg_load_string(&c, big, strlen(big), "t", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "response_exempt: path is too long (7 bytes, at most 6)"));
	free(big);
}
END_TEST

START_TEST(test_config_write_round_trip)
{
	struct ebph_config c;
	char *text;

	cfg_defaults(&c);
	free(round_trip(&c));
	odd_config(&c);
	free(round_trip(&c));

	/* odd durations, the extremes of every range, a path needing quotes */
	c.normal_wait = 365 * 86400;
	c.status_interval = 0;
	c.save_interval = 90;
	c.window = 2;
	c.anomaly_limit = 0;
	c.max_tasks = 1048576;
	c.ringbuf_kb = 262144;
	memset(c.state_dir, 0, sizeof(c.state_dir));
	strcpy(c.state_dir, "/var/lib/e \"b\" \\ph: #x");
	text = round_trip(&c);
	ck_assert_ptr_nonnull(strstr(text, "\nnormal_wait: 365d\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nstatus_interval: 0\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nsave_interval: 90s\n"));
	ck_assert_ptr_nonnull(strstr(text, "\nstate_dir: \"/var/lib/e \\\"b\\\" \\\\ph: #x\"\n"));
	free(text);
}
END_TEST

START_TEST(test_config_write_durations)
{
	static const struct {
		__u64 secs;
		const char *line;
	} cases[] = {
		{ 0, "save_interval: 0\n" },
		{ 1, "save_interval: 1s\n" },
		{ 59, "save_interval: 59s\n" },
		{ 60, "save_interval: 1m\n" },
		{ 90, "save_interval: 90s\n" },
		{ 600, "save_interval: 10m\n" },
		{ 3600, "save_interval: 1h\n" },
		{ 5400, "save_interval: 90m\n" },
		{ 86400, "save_interval: 1d\n" },
		{ 90000, "save_interval: 25h\n" },
		{ 604800, "save_interval: 7d\n" },
		{ 604799, "save_interval: 604799s\n" },
	};
	struct ebph_config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text;

		cfg_defaults(&c);
		c.save_interval = cases[i].secs;
		text = round_trip(&c);
		ck_assert_msg(strstr(text, cases[i].line), "%llu: %s",
			      (unsigned long long)cases[i].secs, text);
		free(text);
	}
}
END_TEST

START_TEST(test_config_unknown_key)
{
	LOAD_ERR("window: 3\nmax_rows: 100\nwindw: 4\n", "ebph.yaml:3:1: unknown key 'windw'");
	LOAD_ERR("  Window: 3\n", "ebph.yaml:1:3: unknown key 'Window'");
	/* unknown keys are refused whatever their value */
	LOAD_ERR("extra: [1, 2]\n", "ebph.yaml:1:1: unknown key 'extra'");
}
END_TEST

START_TEST(test_config_out_of_range)
{
	LOAD_ERR("# comment\nwindow: 12\n", "ebph.yaml:2:9: window: 12 is out of range (2..9)");
	LOAD_ERR("max_rows: 65536\n",
		 "ebph.yaml:1:11: max_rows: 65536 is out of range (16..65535)");
	LOAD_ERR("max_rows_per_profile: 15\n",
		 "ebph.yaml:1:23: max_rows_per_profile: 15 is out of range (16..65535)");
	LOAD_ERR("max_rows_per_profile: 65536\n",
		 "ebph.yaml:1:23: max_rows_per_profile: 65536 is out of range (16..65535)");
	LOAD_ERR("max_tasks: 4294967296\n",
		 "ebph.yaml:1:12: max_tasks: 4294967296 is out of range (64..1048576)");
	LOAD_ERR("status_interval: 25h\n",
		 "ebph.yaml:1:18: status_interval: 25h is out of range (0..1d)");
	LOAD_ERR("save_interval: 2w\n",
		 "ebph.yaml:1:16: save_interval: 2w is out of range (0..7d)");
}
END_TEST

START_TEST(test_config_expected_integer)
{
	LOAD_ERR("window: abc\n", "ebph.yaml:1:9: window: expected an integer, got 'abc'");
	LOAD_ERR("window: \"5\"\n",
		 "ebph.yaml:1:9: window: expected an integer, got a quoted string '5'");
	LOAD_ERR("window: '5'\n",
		 "ebph.yaml:1:9: window: expected an integer, got a quoted string '5'");
	LOAD_ERR("window: true\n", "ebph.yaml:1:9: window: expected an integer, got 'true'");
	LOAD_ERR("window: no\n", "ebph.yaml:1:9: window: expected an integer, got 'no'");
	LOAD_ERR("window: ~\n", "ebph.yaml:1:9: window: expected an integer, got null");
	LOAD_ERR("window: null\n", "ebph.yaml:1:9: window: expected an integer, got null");
	LOAD_ERR("window:\n", "ebph.yaml:1:8: window: expected an integer, got null");
	LOAD_ERR("window: 0x9\n", "ebph.yaml:1:9: window: expected an integer, got '0x9'");
	LOAD_ERR("window: 011\n", "ebph.yaml:1:9: window: expected an integer, got '011'");
	LOAD_ERR("window: +5\n", "ebph.yaml:1:9: window: expected an integer, got '+5'");
	LOAD_ERR("window: -5\n", "ebph.yaml:1:9: window: expected an integer, got '-5'");
	LOAD_ERR("window: 5.0\n", "ebph.yaml:1:9: window: expected an integer, got '5.0'");
	LOAD_ERR("window: 1e1\n", "ebph.yaml:1:9: window: expected an integer, got '1e1'");
	LOAD_ERR("window: 5 6\n", "ebph.yaml:1:9: window: expected an integer, got '5 6'");
	LOAD_ERR("window: 5s\n", "ebph.yaml:1:9: window: expected an integer, got '5s'");
	LOAD_ERR("window: !!int 5\n",
		 "ebph.yaml:1:9: window: expected an integer, got a tagged value");
	LOAD_ERR("window: |\n  5\n",
		 "ebph.yaml:1:9: window: expected an integer, got a block scalar '5?'");
	/* 2^64: does not fit any integer */
	LOAD_ERR("anomaly_limit: 18446744073709551616\n",
		 "ebph.yaml:1:16: anomaly_limit: expected an integer, got '18446744073709551616'");
	LOAD_ERR("ringbuf_kb: 64k\n", "ebph.yaml:1:13: ringbuf_kb: expected an integer, got '64k'");
}
END_TEST

START_TEST(test_config_nested_value)
{
	LOAD_ERR("window:\n  - 5\n", "ebph.yaml:2:3: window: expected an integer, got a sequence");
	LOAD_ERR("window: [5]\n", "ebph.yaml:1:9: window: expected an integer, got a sequence");
	LOAD_ERR("window:\n  a: 5\n", "ebph.yaml:2:3: window: expected an integer, got a mapping");
	LOAD_ERR("normal_wait: {a: 1}\n",
		 "ebph.yaml:1:14: normal_wait: expected a duration (seconds, or a number "
		 "followed by s, m, h, d or w), got a mapping");
	LOAD_ERR("state_dir: [/a]\n", "ebph.yaml:1:12: state_dir: expected a path, got a sequence");
}
END_TEST

START_TEST(test_config_duplicate_key)
{
	LOAD_ERR("# c\nwindow: 3\nmax_rows: 100\n\nwindow: 4\n",
		 "ebph.yaml:5:1: duplicate key 'window' (first on line 2)");
	/* even with the same value */
	LOAD_ERR("{state_dir: /a, state_dir: /a}",
		 "ebph.yaml:1:17: duplicate key 'state_dir' (first on line 1)");
}
END_TEST

START_TEST(test_config_syntax_error)
{
	LOAD_ERR("window: 3\nmax_rows: 100\nfoo\nx: 1\n",
		 "ebph.yaml:4:1: syntax error: could not find expected ':'");
	LOAD_ERR("window: 3\nmax_rows: 100\n  bad: 4\n",
		 "ebph.yaml:3:6: syntax error: mapping values are not allowed in this context");
	LOAD_ERR("window: \"3\n", "ebph.yaml:2:1: syntax error: found unexpected end of stream");
	LOAD_ERR("\twindow: 3\n",
		 "ebph.yaml:1:1: syntax error: found character that cannot start any token");
	LOAD_ERR("{window: 3\n", "ebph.yaml:2:1: syntax error: did not find expected ',' or '}'");
	/* reader errors carry only an offset: placed by the loader */
	LOAD_ERR("window: 3\nmax_rows: 1\x01\n",
		 "ebph.yaml:2:12: syntax error: control characters are not allowed");
	LOAD_ERR("window: 3\n\x80: 1\n",
		 "ebph.yaml:2:1: syntax error: invalid leading UTF-8 octet");
	LOAD_ERR("window: 3\n\xe9t\xe9: 1\n",
		 "ebph.yaml:2:2: syntax error: invalid trailing UTF-8 octet");
}
END_TEST

/* A syntax error anywhere is reported rather than an earlier content error. */
START_TEST(test_config_syntax_error_wins)
{
	LOAD_ERR("window: 12\nmax_rows: [1, 2\n",
		 "ebph.yaml:3:1: syntax error: did not find expected ',' or ']'");
	LOAD_ERR("windw: 3\n\n]\n", "ebph.yaml:3:1: syntax error: did not find expected key");
}
END_TEST

START_TEST(test_config_multiple_documents)
{
	LOAD_ERR("window: 3\n---\nwindow: 4\n",
		 "ebph.yaml:2:1: multiple documents are not supported");
	LOAD_ERR("---\nwindow: 3\n...\n---\n",
		 "ebph.yaml:4:1: multiple documents are not supported");
}
END_TEST

START_TEST(test_config_aliases)
{
	LOAD_ERR("window: &w 3\nmax_rows: *w\n",
		 "ebph.yaml:1:9: window: anchors and aliases are not supported");
	LOAD_ERR("window: *w\n", "ebph.yaml:1:9: window: aliases are not supported");
	LOAD_ERR("*k : 3\n", "ebph.yaml:1:1: aliases are not supported");
	LOAD_ERR("&m {window: 3}\n", "ebph.yaml:1:1: anchors and aliases are not supported");
	LOAD_ERR("&k window: 3\n", "ebph.yaml:1:1: anchors and aliases are not supported");
}
END_TEST

START_TEST(test_config_top_level_not_mapping)
{
	LOAD_ERR("- window: 3\n",
		 "ebph.yaml:1:1: the top level must be a mapping, got a sequence");
	LOAD_ERR("window\n", "ebph.yaml:1:1: the top level must be a mapping, got 'window'");
	LOAD_ERR("--- ~\n", "ebph.yaml:1:5: the top level must be a mapping, got null");
	LOAD_ERR("\"\"\n",
		 "ebph.yaml:1:1: the top level must be a mapping, got a quoted string ''");
}
END_TEST

START_TEST(test_config_bad_key_node)
{
	LOAD_ERR("[a, b]: 3\n", "ebph.yaml:1:1: expected a key name, got a sequence");
	LOAD_ERR("? {a: 1}\n: 3\n", "ebph.yaml:1:3: expected a key name, got a mapping");
}
END_TEST

START_TEST(test_config_path_errors)
{
	char *text, want[128];

	LOAD_ERR("state_dir: var/lib/ebph\n",
		 "ebph.yaml:1:12: state_dir: 'var/lib/ebph' is not an absolute path");
	LOAD_ERR("state_dir: \"\"\n", "ebph.yaml:1:12: state_dir: must not be empty");
	LOAD_ERR("state_dir:\n", "ebph.yaml:1:11: state_dir: expected a path, got null");
	LOAD_ERR("state_dir: \"/var/\\nlib\"\n",
		 "ebph.yaml:1:12: state_dir: contains a control character");
	LOAD_ERR("state_dir: \"/var/\\0lib\"\n",
		 "ebph.yaml:1:12: state_dir: contains a control character");
	LOAD_ERR("state_dir: \"/var/\\x7flib\"\n",
		 "ebph.yaml:1:12: state_dir: contains a control character");
	LOAD_ERR("state_dir: \"/var/\\x9blib\"\n",
		 "ebph.yaml:1:12: state_dir: contains a control character");
	LOAD_ERR("state_dir: !!binary /a\n",
		 "ebph.yaml:1:12: state_dir: expected a path, got a tagged value");

	/* CFG_STATE_DIR_MAX - 1 bytes fit, CFG_STATE_DIR_MAX do not */
	text = malloc(CFG_STATE_DIR_MAX + 32);
	ck_assert_ptr_nonnull(text);
	strcpy(text, "state_dir: /");
	memset(text + 12, 'a', CFG_STATE_DIR_MAX - 1);
	strcpy(text + 12 + CFG_STATE_DIR_MAX - 1, "\n");
	snprintf(want, sizeof(want),
		 "ebph.yaml:1:12: state_dir: path is too long (%d bytes, at most %d)",
		 CFG_STATE_DIR_MAX, CFG_STATE_DIR_MAX - 1);
	LOAD_ERR(text, want);
	strcpy(text + 12 + CFG_STATE_DIR_MAX - 2, "\n");
	{
		struct ebph_config c;

		LOAD_OK(&c, text);
		ck_assert_uint_eq(strlen(c.state_dir), CFG_STATE_DIR_MAX - 1);
		free(round_trip(&c));
	}
	free(text);
}
END_TEST

START_TEST(test_config_path_forms)
{
	struct ebph_config c;

	LOAD_OK(&c, "state_dir: '/var/lib/my ebph'\n");
	ck_assert_str_eq(c.state_dir, "/var/lib/my ebph");
	LOAD_OK(&c, "state_dir: !!str /x\n");
	ck_assert_str_eq(c.state_dir, "/x");
	LOAD_OK(&c, "state_dir: /\xc3\xa9t\xc3\xa9\n");
	ck_assert_str_eq(c.state_dir, "/\xc3\xa9t\xc3\xa9");
	free(round_trip(&c));
}
END_TEST

START_TEST(test_config_power_of_two)
{
	struct ebph_config c;

	LOAD_ERR("ringbuf_kb: 1000\n", "ebph.yaml:1:13: ringbuf_kb: 1000 is not a power of two");
	LOAD_ERR("ringbuf_kb: 12\n", "ebph.yaml:1:13: ringbuf_kb: 12 is not a power of two");
	LOAD_OK(&c, "ringbuf_kb: 8\n");
	ck_assert_uint_eq(c.ringbuf_kb, 8);
	LOAD_OK(&c, "ringbuf_kb: 65536\n");
	ck_assert_uint_eq(c.ringbuf_kb, 65536);
}
END_TEST

START_TEST(test_config_range_boundaries)
{
	struct ebph_config c;

	LOAD_OK(&c, "window: 2\n");
	ck_assert_uint_eq(c.window, 2);
	LOAD_OK(&c, "window: 9\n");
	ck_assert_uint_eq(c.window, 9);
	LOAD_ERR("window: 1\n", "ebph.yaml:1:9: window: 1 is out of range (2..9)");
	LOAD_ERR("window: 10\n", "ebph.yaml:1:9: window: 10 is out of range (2..9)");

	LOAD_OK(&c, "max_tasks: 64\n");
	ck_assert_uint_eq(c.max_tasks, 64);
	LOAD_OK(&c, "max_tasks: 1048576\n");
	ck_assert_uint_eq(c.max_tasks, 1048576);
	LOAD_ERR("max_tasks: 63\n", "ebph.yaml:1:12: max_tasks: 63 is out of range (64..1048576)");
	LOAD_ERR("max_tasks: 1048577\n",
		 "ebph.yaml:1:12: max_tasks: 1048577 is out of range (64..1048576)");

	LOAD_OK(&c, "anomaly_limit: 0\n");
	ck_assert_uint_eq(c.anomaly_limit, 0);
	LOAD_OK(&c, "anomaly_limit: 1000000\n");
	ck_assert_uint_eq(c.anomaly_limit, 1000000);
	LOAD_ERR("anomaly_limit: 1000001\n",
		 "ebph.yaml:1:16: anomaly_limit: 1000001 is out of range (0..1000000)");

	LOAD_OK(&c, "ringbuf_kb: 4\n");
	ck_assert_uint_eq(c.ringbuf_kb, 4);
	LOAD_OK(&c, "ringbuf_kb: 262144\n");
	ck_assert_uint_eq(c.ringbuf_kb, 262144);
	LOAD_ERR("ringbuf_kb: 2\n", "ebph.yaml:1:13: ringbuf_kb: 2 is out of range (4..262144)");
	LOAD_ERR("ringbuf_kb: 524288\n",
		 "ebph.yaml:1:13: ringbuf_kb: 524288 is out of range (4..262144)");

	LOAD_OK(&c, "normal_wait: 0\n");
	ck_assert_uint_eq(c.normal_wait, 0);
	LOAD_OK(&c, "normal_wait: 365d\n");
	ck_assert_uint_eq(c.normal_wait, 365 * 86400);
	LOAD_OK(&c, "normal_wait: 31536000\n");
	ck_assert_uint_eq(c.normal_wait, 365 * 86400);
	LOAD_ERR("normal_wait: 31536001\n",
		 "ebph.yaml:1:14: normal_wait: 31536001 is out of range (0..365d)");
	LOAD_ERR("normal_wait: 366d\n",
		 "ebph.yaml:1:14: normal_wait: 366d is out of range (0..365d)");

	LOAD_OK(&c, "save_interval: 1w\n");
	ck_assert_uint_eq(c.save_interval, 604800);
	LOAD_ERR("save_interval: 604801s\n",
		 "ebph.yaml:1:16: save_interval: 604801s is out of range (0..7d)");
}
END_TEST

START_TEST(test_config_duration_forms)
{
	static const struct {
		const char *s;
		__u64 secs;
	} cases[] = {
		{ "0", 0 }, { "0s", 0 }, { "0w", 0 }, { "90", 90 }, { "90s", 90 },
		{ "15m", 900 }, { "2h", 7200 }, { "7d", 604800 }, { "1w", 604800 },
		{ "52w", 52 * 604800ULL }, { "18446744073709551615", 18446744073709551615ULL },
		{ "30500568904943w", 30500568904943ULL * 604800 },
	};
	struct ebph_config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u64 v = 12345;

		ck_assert_msg(cfg_parse_duration(cases[i].s, &v) == 0, "%s", cases[i].s);
		ck_assert_msg(v == cases[i].secs, "%s: %llu", cases[i].s, (unsigned long long)v);
	}

	LOAD_OK(&c, "normal_wait: 90\nstatus_interval: 15m\nsave_interval: 2h\n");
	ck_assert_uint_eq(c.normal_wait, 90);
	ck_assert_uint_eq(c.status_interval, 900);
	ck_assert_uint_eq(c.save_interval, 7200);
	LOAD_OK(&c, "normal_wait: 1w\nstatus_interval: 1d\nsave_interval: 45s\n");
	ck_assert_uint_eq(c.normal_wait, 604800);
	ck_assert_uint_eq(c.status_interval, 86400);
	ck_assert_uint_eq(c.save_interval, 45);
	LOAD_OK(&c, "normal_wait: 0\nstatus_interval: 0s\nsave_interval: 0m\n");
	ck_assert_uint_eq(c.normal_wait, 0);
	ck_assert_uint_eq(c.status_interval, 0);
	ck_assert_uint_eq(c.save_interval, 0);
}
END_TEST

START_TEST(test_config_bad_durations)
{
	static const char *const bad[] = {
		"", "s", "-5", "-5s", "+5", "1.5h", "1.5", ".5h", "5 s", " 5s", "5s ", "5x",
		"5ms", "5S", "5H", "1d2h", "d1", "0x10", "010", "05s",
		"18446744073709551616",		/* 2^64 */
		"30500568904944w",		/* overflows u64 seconds */
		"213503982334602d", "5\n",
	};
	size_t i;
	__u64 v;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 777;
		ck_assert_msg(cfg_parse_duration(bad[i], &v) == -EINVAL, "'%s' accepted", bad[i]);
		ck_assert_msg(v == 777, "'%s' changed the output", bad[i]);
	}
	ck_assert_int_eq(cfg_parse_duration(NULL, &v), -EINVAL);

	LOAD_ERR("normal_wait: 1.5h\n",
		 "ebph.yaml:1:14: normal_wait: expected a duration (seconds, or a number "
		 "followed by s, m, h, d or w), got '1.5h'");
	LOAD_ERR("normal_wait: -1d\n",
		 "ebph.yaml:1:14: normal_wait: expected a duration (seconds, or a number "
		 "followed by s, m, h, d or w), got '-1d'");
	LOAD_ERR("save_interval: 5 m\n",
		 "ebph.yaml:1:16: save_interval: expected a duration (seconds, or a number "
		 "followed by s, m, h, d or w), got '5 m'");
	LOAD_ERR("save_interval: 5y\n",
		 "ebph.yaml:1:16: save_interval: expected a duration (seconds, or a number "
		 "followed by s, m, h, d or w), got '5y'");
	LOAD_ERR("status_interval: \"10s\"\n",
		 "ebph.yaml:1:18: status_interval: expected a duration (seconds, or a number "
		 "followed by s, m, h, d or w), got a quoted string '10s'");
	LOAD_ERR("status_interval:\n",
		 "ebph.yaml:1:17: status_interval: expected a duration (seconds, or a number "
		 "followed by s, m, h, d or w), got null");
	LOAD_ERR("normal_wait: 30500568904944w\n",
		 "ebph.yaml:1:14: normal_wait: expected a duration (seconds, or a number "
		 "followed by s, m, h, d or w), got '30500568904944w'");
}
END_TEST

START_TEST(test_config_cross_checks)
{
	struct ebph_config c;

	/* LOAD_ERR starts from odd_config: normal_factor 200, normal_factor_den 50,
	 * tolerize_limit 20, lfc_window 64; the check is on the result. */

	/* normal_factor > normal_factor_den: placed at normal_factor_den if set */
	LOAD_ERR("normal_factor: 64\nnormal_factor_den: 64\n",
		 "ebph.yaml:2:20: normal_factor_den: 64 must be less than normal_factor (64)");
	LOAD_ERR("normal_factor_den: 201\n",
		 "ebph.yaml:1:20: normal_factor_den: 201 must be less than normal_factor (200)");
	LOAD_ERR("window: 3\nnormal_factor: 50\n",
		 "ebph.yaml:2:16: normal_factor: 50 must be greater than normal_factor_den (50)");
	LOAD_OK(&c, "normal_factor: 33\n");
	ck_assert_uint_eq(c.normal_factor, 33);
	LOAD_OK(&c, "normal_factor: 2\nnormal_factor_den: 1\n");
	ck_assert_uint_eq(c.normal_factor_den, 1);

	/* tolerize_limit < lfc_window: placed at tolerize_limit if set */
	LOAD_ERR("lfc_window: 50\ntolerize_limit: 50\n",
		 "ebph.yaml:2:17: tolerize_limit: 50 must be less than lfc_window (50)");
	LOAD_ERR("tolerize_limit: 64\n",
		 "ebph.yaml:1:17: tolerize_limit: 64 must be less than lfc_window (64)");
	LOAD_ERR("lfc_window: 19\n",
		 "ebph.yaml:1:13: lfc_window: 19 must be greater than tolerize_limit (20)");
	LOAD_OK(&c, "lfc_window: 13\n");
	ck_assert_uint_eq(c.lfc_window, 13);
	LOAD_OK(&c, "tolerize_limit: 1\nlfc_window: 2\n");
	ck_assert_uint_eq(c.tolerize_limit, 1);
}
END_TEST

/* A bad config passed in with neither key in the text: no place to name. */
START_TEST(test_config_cross_check_without_place)
{
	struct ebph_config c, before;
	char err[256];

	cfg_defaults(&c);
	c.tolerize_limit = 128;
	before = c;
	ck_assert_int_eq(load(&c, "window: 3\n", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "ebph.yaml: tolerize_limit: 128 must be less than lfc_window (128)");
	ck_assert(!memcmp(&c, &before, sizeof(c)));
}
END_TEST

START_TEST(test_config_untouched_after_error)
{
	struct ebph_config c, before;
	char err[256];
	char path[64];
	static const char text[] = "window: 3\nnormal_wait: 1d\nstate_dir: /x\nmax_rows: 70000\n";

	odd_config(&c);
	before = c;
	/* the valid keys before the error are not applied either */
	ck_assert_int_eq(load(&c, text, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "ebph.yaml:4:11: max_rows: 70000 is out of range (16..65535)");
	ck_assert(!memcmp(&c, &before, sizeof(c)));

	temp_file(path, text, strlen(text));
	ck_assert_int_eq(cfg_load_file(&c, path, err, sizeof(err)), -EINVAL);
	unlink(path);
	ck_assert(!memcmp(&c, &before, sizeof(c)));

	ck_assert_int_eq(cfg_load_file(&c, "/nonexistent/ebph.yaml", err, sizeof(err)), -ENOENT);
	ck_assert(!memcmp(&c, &before, sizeof(c)));
}
END_TEST

START_TEST(test_config_empty_documents)
{
	static const char *const texts[] = {
		"", "\n", "   \n\n", "# only a comment\n", "# a\n# b\n\n", "---\n", "---\n...\n",
		"{}\n", "%YAML 1.1\n---\n",
	};
	struct ebph_config c, want;
	char err[256];
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		odd_config(&c);
		ck_assert_msg(load(&c, texts[i], err, sizeof(err)) == 0, "'%s': %s", texts[i], err);
		odd_config(&want);
		ck_assert(!memcmp(&c, &want, sizeof(c)));
	}

	/* an empty file over the defaults: all defaults */
	temp_file(path, "", 0);
	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_file(&c, path, err, sizeof(err)), 0);
	unlink(path);
	cfg_defaults(&want);
	ck_assert(!memcmp(&c, &want, sizeof(c)));
}
END_TEST

START_TEST(test_config_file_good)
{
	struct ebph_config c, want;
	char err[256];
	char path[64];

	temp_file(path, every_key, strlen(every_key));
	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_file(&c, path, err, sizeof(err)), 0);
	unlink(path);
	odd_config(&want);
	ck_assert(!memcmp(&c, &want, sizeof(c)));
}
END_TEST

START_TEST(test_config_file_error_names_path)
{
	struct ebph_config c;
	char err[256], want[256];
	char path[64];

	temp_file(path, "window: 3\nwindw: 3\n", 19);
	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_file(&c, path, err, sizeof(err)), -EINVAL);
	unlink(path);
	snprintf(want, sizeof(want), "%s:2:1: unknown key 'windw'", path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_config_file_missing)
{
	struct ebph_config c;
	char err[256];

	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_file(&c, "no/such/ebph.yaml", err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "no/such/ebph.yaml: cannot read: No such file or directory");
}
END_TEST

START_TEST(test_config_file_directory)
{
	struct ebph_config c, before;
	char err[256], want[256];
	char dir[] = "/tmp/ebph-test-config-dir-XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(dir));
	odd_config(&c);
	before = c;
	ck_assert_int_eq(cfg_load_file(&c, dir, err, sizeof(err)), -EISDIR);
	rmdir(dir);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", dir);
	ck_assert_str_eq(err, want);
	ck_assert(!memcmp(&c, &before, sizeof(c)));
}
END_TEST

/* Close to the size limit: 1 MB of comments, then keys; an error far down is
 * placed right. */
START_TEST(test_config_large_file)
{
	const size_t lines = 20000;
	static const char comment[] = "# a comment line of fifty-two bytes, padded out....\n";
	struct ebph_config c;
	char err[256], want[256];
	char path[64];
	size_t i, n = sizeof(comment) - 1;
	char *text;

	text = malloc(lines * n + 64);
	ck_assert_ptr_nonnull(text);
	for (i = 0; i < lines; i++)
		memcpy(text + i * n, comment, n);
	strcpy(text + lines * n, "window: 4\n");
	temp_file(path, text, strlen(text));
	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_file(&c, path, err, sizeof(err)), 0);
	unlink(path);
	ck_assert_uint_eq(c.window, 4);

	strcpy(text + lines * n, "window: 4\nwindow: 5\n");
	snprintf(want, sizeof(want), "ebph.yaml:%zu:1: duplicate key 'window' (first on line %zu)",
		 lines + 2, lines + 1);
	LOAD_ERR(text, want);
	free(text);
}
END_TEST

/* A file over CFG_FILE_MAX bytes, or a device that never ends, is refused
 * with one message before parsing; exactly CFG_FILE_MAX bytes load. */
START_TEST(test_config_file_size_limit)
{
	struct ebph_config c, before;
	char err[256], want[256], path[64];
	char *text;

	text = malloc(CFG_FILE_MAX + 2);
	ck_assert_ptr_nonnull(text);
	memset(text, '#', CFG_FILE_MAX + 1);
	memcpy(text, "window: 4\n", 10);
	text[CFG_FILE_MAX - 1] = '\n';
	temp_file(path, text, CFG_FILE_MAX);
	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_file(&c, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.window, 4);
	unlink(path);

	temp_file(path, text, CFG_FILE_MAX + 1);
	odd_config(&c);
	before = c;
	ck_assert_int_eq(cfg_load_file(&c, path, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: too large (a configuration file has at most %u bytes)",
		 path, CFG_FILE_MAX);
	ck_assert_str_eq(err, want);
	ck_assert(!memcmp(&c, &before, sizeof(c)));
	unlink(path);
	free(text);

	ck_assert_int_eq(cfg_load_file(&c, "/dev/zero", err, sizeof(err)), -EFBIG);
	ck_assert_str_eq(err, "/dev/zero: too large (a configuration file has at most "
			 "1048576 bytes)");
	ck_assert(!memcmp(&c, &before, sizeof(c)));
}
END_TEST

/*
 * load -> print -> load gives the same configuration for every state_dir
 * made of up to four of: YAML line breaks (U+2028, U+2029), spaces, a
 * no-break space, quotes, backslashes, '#', ':' and a letter. Written raw,
 * line separators next to spaces were folded on reading back.
 */
START_TEST(test_config_write_round_trip_line_separators)
{
	static const char *const atoms[] = {
		"\\u2028", "\\u2029", " ", "\\u00a0", "\\\"", "\\\\", "#", ":", "a",
	};
	const size_t natoms = sizeof(atoms) / sizeof(atoms[0]);
	size_t n, i, k, tried = 0;
	struct ebph_config c;
	char yaml[128], err[512], *text;

	for (n = 1; n <= 4; n++) {
		size_t combos = 1;

		for (i = 0; i < n; i++)
			combos *= natoms;
		for (k = 0; k < combos; k++) {
			size_t v = k;

			strcpy(yaml, "state_dir: \"/x");
			for (i = 0; i < n; i++, v /= natoms)
				strcat(yaml, atoms[v % natoms]);
			strcat(yaml, "\"\n");
			cfg_defaults(&c);
			ck_assert_msg(load(&c, yaml, err, sizeof(err)) == 0, "%s: %s", yaml, err);
			free(round_trip(&c));
			tried++;
		}
	}
	ck_assert_uint_eq(tried, 9 + 81 + 729 + 6561);

	/* escaped, they print escaped */
	cfg_defaults(&c);
	ck_assert_int_eq(load(&c, "state_dir: \"/a\\L \\Pb\"\n", err, sizeof(err)), 0);
	ck_assert_str_eq(c.state_dir, "/a\xe2\x80\xa8 \xe2\x80\xa9" "b");
	text = round_trip(&c);
	ck_assert_ptr_nonnull(strstr(text, "state_dir: \"/a\\L \\Pb\"\n"));
	free(text);

	/* raw, anywhere (libyaml folds them next to spaces), they are refused */
	LOAD_ERR("state_dir: \"/a\xe2\x80\xa8 b\"\n",
		 "ebph.yaml:1:15: raw line separator U+2028 (YAML readers disagree on it: in a "
		 "double-quoted string write it as \\L)");
	LOAD_ERR("window: 4\n# \xe2\x80\xa9\n",
		 "ebph.yaml:2:3: raw line separator U+2029 (YAML readers disagree on it: in a "
		 "double-quoted string write it as \\P)");
	LOAD_ERR("state_dir: /a\xc2\x85" "b\n",
		 "ebph.yaml:1:14: raw line separator U+0085 (YAML readers disagree on it: in a "
		 "double-quoted string write it as \\N)");
}
END_TEST

/* Untrusted text in messages is cut short and made printable ASCII. */
START_TEST(test_config_message_excerpts)
{
	char key[300], want[300];

	memset(key, 'k', 200);
	strcpy(key + 200, ": 1\n");
	snprintf(want, sizeof(want), "ebph.yaml:1:1: unknown key '%.40s...'", key);
	LOAD_ERR(key, want);
	LOAD_ERR("w\xc3\xadndow: 3\n", "ebph.yaml:1:1: unknown key 'w?ndow'");
	LOAD_ERR("\"win\\tdow\\e\": 3\n", "ebph.yaml:1:1: unknown key 'win?dow?'");
	LOAD_ERR("window: \"a\\nb\"\n",
		 "ebph.yaml:1:9: window: expected an integer, got a quoted string 'a?b'");
	/* an embedded NUL does not hide the rest of the key */
	LOAD_ERR("\"window\\0x\": 3\n", "ebph.yaml:1:1: unknown key 'window?x'");
}
END_TEST

START_TEST(test_config_err_buffer_limits)
{
	struct ebph_config c;
	char err[16];

	cfg_defaults(&c);
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(cfg_load_string(&c, "windw: 3", 8, "ebph.yaml", err, 8), -EINVAL);
	ck_assert_str_eq(err, "ebph.ya");
	ck_assert_int_eq(err[8], 'x');

	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(cfg_load_string(&c, "windw: 3", 8, "ebph.yaml", err, 14), -EINVAL);
	ck_assert_str_eq(err, "ebph.yaml:1:1");
	ck_assert_int_eq(err[14], 'x');

	ck_assert_int_eq(cfg_load_string(&c, "windw: 3", 8, "ebph.yaml", NULL, 0), -EINVAL);
	ck_assert_int_eq(cfg_load_file(&c, "/nonexistent", NULL, 0), -ENOENT);
	ck_assert_int_eq(cfg_load_string(&c, "window: 3", 9, "x", NULL, 0), 0);
	ck_assert_uint_eq(c.window, 3);
}
END_TEST

/* len bounds the text: nothing past it is read; a NUL inside is an error. */
START_TEST(test_config_string_length)
{
	static const char text[] = "window: 3\nwindw: 4\n";
	struct ebph_config c;
	char err[256];

	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_string(&c, text, 10, "ebph.yaml", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.window, 3);
	ck_assert_int_eq(cfg_load_string(&c, "window: 4\0\n", 11, "ebph.yaml", err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "ebph.yaml:1:10: syntax error: control characters are not allowed");
	ck_assert_uint_eq(c.window, 3);
	ck_assert_int_eq(cfg_load_string(&c, NULL, 0, "ebph.yaml", err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_config_default_name)
{
	struct ebph_config c;
	char err[256];

	cfg_defaults(&c);
	ck_assert_int_eq(cfg_load_string(&c, "windw: 1", 8, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "config:1:1: unknown key 'windw'");
}
END_TEST

/* The output keys: booleans are plain true or false; the optional paths
 * take "" for none but, like state_dir, only absolute paths otherwise. */
START_TEST(test_config_output_keys)
{
	struct ebph_config c;

	LOAD_OK(&c, "journal: true\nstdout: false\nevents_file: /var/log/ebph/e.json\n"
		"events_file_kb: 1\nevents_file_keep: 0\nmetrics_file: /run/m.prom\n");
	ck_assert_uint_eq(c.journal, 1);
	ck_assert_uint_eq(c.stdout, 0);
	ck_assert_str_eq(c.events_file, "/var/log/ebph/e.json");
	ck_assert_uint_eq(c.events_file_kb, 1);
	ck_assert_uint_eq(c.events_file_keep, 0);
	ck_assert_str_eq(c.metrics_file, "/run/m.prom");
	LOAD_OK(&c, "events_file: \"\"\nmetrics_file: ''\n");
	ck_assert_str_eq(c.events_file, "");
	ck_assert_str_eq(c.metrics_file, "");
	LOAD_ERR("journal: yes\n", "ebph.yaml:1:10: journal: expected true or false, got 'yes'");
	LOAD_ERR("stdout: 1\n", "ebph.yaml:1:9: stdout: expected true or false, got '1'");
	LOAD_ERR("journal: \"true\"\n",
		 "ebph.yaml:1:10: journal: expected true or false, got a quoted string 'true'");
	LOAD_ERR("events_file: log/e.json\n",
		 "ebph.yaml:1:14: events_file: 'log/e.json' is not an absolute path");
	LOAD_ERR("events_file_kb: 0\n", "ebph.yaml:1:17: events_file_kb: 0 is out of range "
		 "(1..4194304)");
	LOAD_ERR("state_dir: \"\"\n", "ebph.yaml:1:12: state_dir: must not be empty");
}
END_TEST

/* -o KEY=VALUE: applied in order over the file, validated like it, one
 * message naming -o, the override and the key; nothing changed on error. */
START_TEST(test_config_overrides)
{
	static const struct {
		const char *kv[3];
		const char *msg;
	} bad[] = {
		{ { "window=12" }, "-o 'window=12': window: 12 is out of range (2..9)" },
		{ { "window" }, "-o 'window': expected KEY=VALUE" },
		{ { "=3" }, "-o '=3': expected KEY=VALUE" },
		{ { "windw=3" }, "-o 'windw=3': unknown key 'windw'" },
		{ { "window=3", "normal_wait=soon" },
		  "-o 'normal_wait=soon': normal_wait: expected a duration (seconds, or a number "
		  "followed by s, m, h, d or w), got 'soon'" },
		{ { "state_dir=relative" },
		  "-o 'state_dir=relative': state_dir: 'relative' is not an absolute path" },
		{ { "normal_factor_den=200" },
		  "-o 'normal_factor_den=200': normal_factor_den: 200 must be less than "
		  "normal_factor (128)" },
		{ { "window=3\nx: 1" }, "-o 'window=3?x: 1': contains a control character" },
		{ { "min_train_calls=-1" }, "-o 'min_train_calls=-1': min_train_calls: expected "
		  "an integer, got '-1'" },
	};
	struct ebph_config c, before;
	char *kv[4], e[512];
	size_t i, n;

	cfg_defaults(&c);
	kv[0] = "window=5";
	kv[1] = "normal_wait=1h";
	kv[2] = "window=6";	/* the later one wins */
	kv[3] = "min_train_calls=0";
	ck_assert_int_eq(cfg_load_overrides(&c, kv, 4, e, sizeof(e)), 0);
	ck_assert_uint_eq(c.window, 6);
	ck_assert_uint_eq(c.normal_wait, 3600);
	ck_assert_uint_eq(c.min_train_calls, 0);
	kv[0] = "normal_factor=400";	/* order does not matter for cross-checks */
	kv[1] = "normal_factor_den=200";
	ck_assert_int_eq(cfg_load_overrides(&c, kv, 2, e, sizeof(e)), 0);
	ck_assert_uint_eq(c.normal_factor_den, 200);
	ck_assert_int_eq(cfg_load_overrides(&c, kv, 0, e, sizeof(e)), 0);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg_defaults(&c);
		before = c;
		for (n = 0; n < 3 && bad[i].kv[n]; n++)
			kv[n] = (char *)bad[i].kv[n];
		ck_assert_int_eq(cfg_load_overrides(&c, kv, n, e, sizeof(e)), -EINVAL);
		ck_assert_str_eq(e, bad[i].msg);
		ck_assert(!memcmp(&c, &before, sizeof(c)));
	}
}
END_TEST

/* min_train_calls: a plain integer in 0..1000000000. */
START_TEST(test_config_min_train_calls)
{
	struct ebph_config c;

	LOAD_OK(&c, "min_train_calls: 0\n");
	ck_assert_uint_eq(c.min_train_calls, 0);
	LOAD_OK(&c, "min_train_calls: 1000000000\n");
	ck_assert_uint_eq(c.min_train_calls, 1000000000);
	LOAD_ERR("min_train_calls: 1000000001\n",
		 "ebph.yaml:1:18: min_train_calls: 1000000001 is out of range (0..1000000000)");
	LOAD_ERR("min_train_calls: 1k\n",
		 "ebph.yaml:1:18: min_train_calls: expected an integer, got '1k'");
}
END_TEST

/* programs: a list of entries, each validated, the first match wins. */
START_TEST(test_config_programs)
{
	struct ebph_config c;
	const struct cfg_program *pr;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	LOAD_OK(&c, "programs:\n"
		    "  - path: /usr/bin/python3*\n"
		    "    normal_wait: 1s\n"
		    "  - path: /usr/bin/*\n"
		    "    mode: ignore\n"
		    "    auto_tolerize: true\n");
	ck_assert_uint_eq(c.nprograms, 2);
	pr = cfg_program_of(&c, "/usr/bin/python3.11");
	ck_assert_ptr_eq(pr, &c.programs[0]);
	ck_assert_uint_eq(pr->set & CFG_P_NORMAL_WAIT, CFG_P_NORMAL_WAIT);
	ck_assert_uint_eq(pr->normal_wait, 1);
	ck_assert_uint_eq(pr->mode, CFG_MODE_MONITOR);
	pr = cfg_program_of(&c, "/usr/bin/ls");
	ck_assert_ptr_eq(pr, &c.programs[1]);
	ck_assert_uint_eq(pr->set & CFG_P_NORMAL_WAIT, 0);
	ck_assert_uint_eq(pr->mode, CFG_MODE_IGNORE);
	ck_assert_ptr_null(cfg_program_of(&c, "/usr/bin/x/y"));	/* '*' stops at '/' */
	ck_assert_ptr_null(cfg_program_of(&c, "/bin/ls"));
	ck_assert_ptr_null(cfg_program_of(&c, "ls"));	/* a partial path matches nothing */

	/* written as it was read */
	f = open_memstream(&out, &len);
	cfg_write(f, &c);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "programs:\n  - path: \"/usr/bin/python3*\"\n"
				     "    normal_wait: 1s\n    mode: monitor\n"
				     "  - path: \"/usr/bin/*\"\n    mode: ignore\n"));
	free(out);

	LOAD_OK(&c, "programs: []\n");
	ck_assert_uint_eq(c.nprograms, 0);
	LOAD_OK(&c, "programs:\n");
	ck_assert_uint_eq(c.nprograms, 0);
	LOAD_OK(&c, "programs: [{path: /a, normal_wait: 0}]\n");
	ck_assert_uint_eq(c.programs[0].set, CFG_P_NORMAL_WAIT);
	ck_assert_uint_eq(c.programs[0].normal_wait, 0);

	LOAD_ERR("programs: 3\n", "ebph.yaml:1:11: programs: expected a list of entries, got '3'");
	LOAD_ERR("programs: [3]\n", "ebph.yaml:1:12: programs: expected an entry (a mapping "
		 "with path), got '3'");
	LOAD_ERR("programs:\n  - normal_wait: 1s\n",
		 "ebph.yaml:2:5: programs: an entry without path");
	LOAD_ERR("programs:\n  - path: bin/ls\n",
		 "ebph.yaml:2:11: programs: path: 'bin/ls' is not an absolute path or glob");
	LOAD_ERR("programs:\n  - path: /a\n    normal_wait: 1y\n",
		 "ebph.yaml:3:18: programs: normal_wait: expected a duration (seconds, or a "
		 "number followed by s, m, h, d or w), got '1y'");
	LOAD_ERR("programs:\n  - path: /a\n    normal_wait: 366d\n",
		 "ebph.yaml:3:18: programs: normal_wait: 366d is out of range (0..365d)");
	LOAD_ERR("programs:\n  - path: /a\n    mode: off\n",
		 "ebph.yaml:3:11: programs: mode: expected monitor or ignore, got 'off'");
	LOAD_ERR("programs:\n  - path: /a\n    path: /b\n",
		 "ebph.yaml:3:5: programs: duplicate key 'path'");
	LOAD_ERR("programs:\n  - path: /a\n    windw: 3\n",
		 "ebph.yaml:3:5: programs: unknown key 'windw' (path, normal_wait, mode, "
		 "auto_tolerize, anomaly_limit, anomaly_period, tolerize_limit, alert_lfc, "
		 "max_rows_per_profile)");
	LOAD_ERR("programs:\n  - path: /a\n    auto_tolerize: no\n",
		 "ebph.yaml:3:20: programs: auto_tolerize: expected true or false, got 'no'");
	LOAD_OK(&c, "programs:\n  - path: /a\n    auto_tolerize: false\n");
	ck_assert_uint_eq(c.programs[0].auto_tolerize, 0);
	LOAD_ERR("programs:\n  - path: /a\n    mode:\n",
		 "ebph.yaml:3:10: programs: mode: expected a value, got null");
	LOAD_ERR("programs:\n  - &x {path: /a}\n",
		 "ebph.yaml:2:5: programs: anchors and aliases are not supported");
}
END_TEST

/* A programs entry's limits: each checked by its top-level key's rule (same
 * ranges, same messages after "programs: "), set only where given, written
 * back as read. */
START_TEST(test_config_programs_limits)
{
	struct ebph_config c;
	const struct cfg_program *pr;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	LOAD_OK(&c, "programs:\n"
		    "  - path: /a\n"
		    "    anomaly_limit: 0\n"
		    "    anomaly_period: 2m\n"
		    "    tolerize_limit: 3\n"
		    "    alert_lfc: 1\n"
		    "    max_rows_per_profile: 16\n"
		    "  - path: /b\n");
	pr = cfg_program_of(&c, "/a");
	ck_assert_ptr_nonnull(pr);
	ck_assert_uint_eq(pr->set, CFG_P_ANOMALY_LIMIT | CFG_P_ANOMALY_PERIOD |
			  CFG_P_TOLERIZE_LIMIT | CFG_P_ALERT_LFC | CFG_P_MAX_ROWS_PER_PROFILE);
	ck_assert_uint_eq(pr->anomaly_limit, 0);
	ck_assert_uint_eq(pr->anomaly_period, 120);
	ck_assert_uint_eq(pr->tolerize_limit, 3);
	ck_assert_uint_eq(pr->alert_lfc, 1);
	ck_assert_uint_eq(pr->max_rows_per_profile, 16);
	ck_assert_uint_eq(pr->auto_tolerize, 1);
	ck_assert_uint_eq(c.anomaly_limit, 30);	/* the top level keeps its own */
	ck_assert_uint_eq(c.tolerize_limit, 12);
	pr = cfg_program_of(&c, "/b");
	ck_assert_uint_eq(pr->set, 0);

	f = open_memstream(&out, &len);
	cfg_write(f, &c);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "programs:\n  - path: /a\n    mode: monitor\n"
				     "    anomaly_limit: 0\n    anomaly_period: 2m\n"
				     "    tolerize_limit: 3\n    alert_lfc: 1\n"
				     "    max_rows_per_profile: 16\n"
				     "  - path: /b\n    mode: monitor\nanomaly_period: "));
	free(out);
	LOAD_OK(&c, "programs: [{path: /a, auto_tolerize: false, max_rows_per_profile: 65535}]\n");
	f = open_memstream(&out, &len);
	cfg_write(f, &c);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(out, "  - path: /a\n    mode: monitor\n"
				     "    auto_tolerize: false\n    max_rows_per_profile: 65535\n"));
	free(out);

	/* out of range: the top-level key's range and message */
	LOAD_ERR("programs:\n  - path: /a\n    anomaly_limit: 1000001\n",
		 "ebph.yaml:3:20: programs: anomaly_limit: 1000001 is out of range (0..1000000)");
	LOAD_ERR("anomaly_limit: 1000001\n",
		 "ebph.yaml:1:16: anomaly_limit: 1000001 is out of range (0..1000000)");
	LOAD_ERR("programs:\n  - path: /a\n    tolerize_limit: 0\n",
		 "ebph.yaml:3:21: programs: tolerize_limit: 0 is out of range (1..128)");
	LOAD_ERR("programs:\n  - path: /a\n    alert_lfc: 129\n",
		 "ebph.yaml:3:16: programs: alert_lfc: 129 is out of range (1..128)");
	LOAD_ERR("programs:\n  - path: /a\n    max_rows_per_profile: 15\n",
		 "ebph.yaml:3:27: programs: max_rows_per_profile: 15 is out of range (16..65535)");
	LOAD_ERR("programs:\n  - path: /a\n    anomaly_period: 366d\n",
		 "ebph.yaml:3:21: programs: anomaly_period: 366d is out of range (0..365d)");
	/* wrong type */
	LOAD_ERR("programs:\n  - path: /a\n    anomaly_limit: -1\n",
		 "ebph.yaml:3:20: programs: anomaly_limit: expected an integer, got '-1'");
	LOAD_ERR("programs:\n  - path: /a\n    alert_lfc: \"5\"\n",
		 "ebph.yaml:3:16: programs: alert_lfc: expected an integer, got a quoted "
		 "string '5'");
	LOAD_ERR("programs:\n  - path: /a\n    max_rows_per_profile: [16]\n",
		 "ebph.yaml:3:27: programs: max_rows_per_profile: expected a value, got a sequence");
	LOAD_ERR("programs:\n  - path: /a\n    anomaly_period: 1y\n",
		 "ebph.yaml:3:21: programs: anomaly_period: expected a duration (seconds, or a "
		 "number followed by s, m, h, d or w), got '1y'");
	LOAD_ERR("programs:\n  - path: /a\n    tolerize_limit: 1.5\n",
		 "ebph.yaml:3:21: programs: tolerize_limit: expected an integer, got '1.5'");
	/* unknown key in an entry: a top-level key that is not per program */
	LOAD_ERR("programs:\n  - path: /a\n    lfc_window: 64\n",
		 "ebph.yaml:3:5: programs: unknown key 'lfc_window' (path, normal_wait, mode, "
		 "auto_tolerize, anomaly_limit, anomaly_period, tolerize_limit, alert_lfc, "
		 "max_rows_per_profile)");
	LOAD_ERR("programs:\n  - path: /a\n    alert_lfc: 2\n    alert_lfc: 3\n",
		 "ebph.yaml:4:5: programs: duplicate key 'alert_lfc'");
	/* tolerize_limit below lfc_window, as at the top level, wherever it is set */
	LOAD_ERR("lfc_window: 64\nprograms:\n  - path: /a\n    tolerize_limit: 64\n",
		 "ebph.yaml:4:21: programs: tolerize_limit: 64 must be less than lfc_window (64)");
	LOAD_ERR("programs:\n  - path: /a\n    tolerize_limit: 128\n",
		 "ebph.yaml:3:21: programs: tolerize_limit: 128 must be less than lfc_window (64)");
	LOAD_OK(&c, "lfc_window: 64\nprograms:\n  - path: /a\n    tolerize_limit: 63\n");
	ck_assert_uint_eq(c.programs[0].tolerize_limit, 63);
}
END_TEST

/* One checker for top-level keys and entries: the same value gets the same
 * verdict and message (after "programs: ") for every key an entry shares. */
START_TEST(test_config_programs_shared_checker)
{
	static const char *const keys[] = { "normal_wait", "auto_tolerize", "anomaly_limit",
		"anomaly_period", "tolerize_limit", "alert_lfc", "max_rows_per_profile" };
	static const char *const vals[] = { "0", "1", "16", "127", "128", "65536", "1000001",
		"366d", "1s", "2m", "true", "no", "\"3\"", "x", "-1", "010", "~" };
	size_t i, j;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
			char top[128], ent[160], etop[512] = "", eent[512] = "";
			struct ebph_config a, b;
			const char *msg;
			int rt, re;

			snprintf(top, sizeof(top), "lfc_window: 128\n%s: %s\n", keys[i], vals[j]);
			snprintf(ent, sizeof(ent), "lfc_window: 128\nprograms:\n  - path: /a\n"
				 "    %s: %s\n", keys[i], vals[j]);
			cfg_defaults(&a);
			cfg_defaults(&b);
			rt = load(&a, top, etop, sizeof(etop));
			re = load(&b, ent, eent, sizeof(eent));
			if (!strcmp(vals[j], "~")) {	/* null: no value for an entry */
				ck_assert_int_eq(re, -EINVAL);
				continue;
			}
			ck_assert_msg(rt == re, "%s: %s: top %d (%s), entry %d (%s)", keys[i],
				      vals[j], rt, etop, re, eent);
			if (rt)	{	/* "ebph.yaml:2:C: KEY: ..." vs "ebph.yaml:4:C: programs: KEY: ..." */
				msg = strstr(eent, "programs: ");
				ck_assert_ptr_nonnull(msg);
				ck_assert_str_eq(msg + strlen("programs: "), strchr(etop + 10, ' ') + 1);
			}
		}
	}
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_set_timeout(tc, 60);	/* the large file, under valgrind */

	tcase_add_test(tc, test_config_defaults);
	tcase_add_test(tc, test_config_response_keys);
	tcase_add_test(tc, test_config_issue12_keys);
	tcase_add_test(tc, test_config_defaults_clear_the_struct);
	tcase_add_test(tc, test_config_every_key);
	tcase_add_test(tc, test_config_flow_mapping_and_quoted_keys);
	tcase_add_test(tc, test_config_partial_keeps_the_rest);
	tcase_add_test(tc, test_config_example_file_is_defaults);
	tcase_add_test(tc, test_config_example_file_documents_every_key);
	tcase_add_test(tc, test_config_write_defaults);
	tcase_add_test(tc, test_config_write_round_trip);
	tcase_add_test(tc, test_config_write_round_trip_line_separators);
	tcase_add_test(tc, test_config_file_size_limit);
	tcase_add_test(tc, test_config_write_durations);
	tcase_add_test(tc, test_config_unknown_key);
	tcase_add_test(tc, test_config_out_of_range);
	tcase_add_test(tc, test_config_expected_integer);
	tcase_add_test(tc, test_config_nested_value);
	tcase_add_test(tc, test_config_duplicate_key);
	tcase_add_test(tc, test_config_syntax_error);
	tcase_add_test(tc, test_config_syntax_error_wins);
	tcase_add_test(tc, test_config_multiple_documents);
	tcase_add_test(tc, test_config_aliases);
	tcase_add_test(tc, test_config_top_level_not_mapping);
	tcase_add_test(tc, test_config_bad_key_node);
	tcase_add_test(tc, test_config_path_errors);
	tcase_add_test(tc, test_config_path_forms);
	tcase_add_test(tc, test_config_power_of_two);
	tcase_add_test(tc, test_config_range_boundaries);
	tcase_add_test(tc, test_config_duration_forms);
	tcase_add_test(tc, test_config_bad_durations);
	tcase_add_test(tc, test_config_cross_checks);
	tcase_add_test(tc, test_config_cross_check_without_place);
	tcase_add_test(tc, test_config_untouched_after_error);
	tcase_add_test(tc, test_config_empty_documents);
	tcase_add_test(tc, test_config_file_good);
	tcase_add_test(tc, test_config_file_error_names_path);
	tcase_add_test(tc, test_config_file_missing);
	tcase_add_test(tc, test_config_file_directory);
	tcase_add_test(tc, test_config_large_file);
	tcase_add_test(tc, test_config_message_excerpts);
	tcase_add_test(tc, test_config_err_buffer_limits);
	tcase_add_test(tc, test_config_string_length);
	tcase_add_test(tc, test_config_default_name);
	tcase_add_test(tc, test_config_output_keys);
	tcase_add_test(tc, test_config_overrides);
	tcase_add_test(tc, test_config_min_train_calls);
	tcase_add_test(tc, test_config_programs);
	tcase_add_test(tc, test_config_programs_limits);
	tcase_add_test(tc, test_config_programs_shared_checker);
	suite_add_tcase(s, tc);
	return s;
}
