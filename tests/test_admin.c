/* SPDX-License-Identifier: GPL-2.0-only */
/* test_admin.c: check suite for the sub-commands' pure rooms (argument parsing,
 * PROFILE keys, the offline commands on saved profiles, text and JSON). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <check.h>

/* The pure rooms of the sub-commands, statics included (no BPF, no files). */
#define ADMIN_PURE 1
#include "../admin.c"
#include "../key.c"
#include "../view.c"
#include "../saved.c"

#define JQ "/usr/bin/jq"
#define NOW 1700000000000000000LL	/* 2023-11-14 22:13:20 UTC, wall ns */
#define SEC 1000000000LL

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	ck_assert_ptr_nonnull(m->f);
}

static char *mem_take(struct mem *m)
{
	ck_assert_int_eq(fclose(m->f), 0);
	return m->buf;
}

/* jq -e FILTER on text: 0 if the last output is true; -1 without jq. */
static int jq_true(const char *filter, const char *text)
{
	char cmd[1024];
	FILE *p;
	int st;

	if (access(JQ, X_OK))
		return -1;
	snprintf(cmd, sizeof(cmd), JQ " -e -s '%s' >/dev/null 2>&1", filter);
	p = popen(cmd, "w");
	ck_assert_ptr_nonnull(p);
	fputs(text, p);
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

#define JQ_TRUE(filter, text)							\
	do {									\
		int r_ = jq_true(filter, text);					\
		ck_assert_msg(r_ <= 0, "jq '%s' is not true for:\n%s", filter, text); \
	} while (0)

/* Parse a space-separated command line. */
static int parse(const char *line, struct admin_opts *o, char *err, size_t errlen)
{
	static char buf[512];
	char *argv[32], *tok, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return admin_parse(argc, argv, o, err, errlen);
}

#define PARSE_FAILS(line, msg)							\
	do {									\
		struct admin_opts o_;						\
		char e_[512] = "";						\
		ck_assert_int_eq(parse(line, &o_, e_, sizeof(e_)), -EINVAL);	\
		ck_assert_msg(strstr(e_, msg), "'%s': error '%s' lacks '%s'", line, e_, msg); \
	} while (0)

START_TEST(test_admin_is_command)
{
	ck_assert(admin_is_command("ps"));
	ck_assert(admin_is_command("profiles"));
	ck_assert(admin_is_command("show"));
	ck_assert(admin_is_command("normalize"));
	ck_assert(admin_is_command("sensitize"));
	ck_assert(admin_is_command("tolerize"));
	ck_assert(admin_is_command("delete"));
	ck_assert(admin_is_command("save"));
	ck_assert(admin_is_command("check"));
	ck_assert(admin_is_command("prune"));	/* one table for every command */
	ck_assert(admin_is_command("help"));
	ck_assert(!admin_is_command("-j"));
	ck_assert(!admin_is_command("PS"));
	ck_assert(!admin_is_command(""));
	ck_assert(!admin_is_command(NULL));
}
END_TEST

START_TEST(test_admin_parse_good)
{
	struct admin_opts o;
	char err[512];

	ck_assert_int_eq(parse("ps -t -j", &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.cmd->id, ADM_PS);
	ck_assert(o.threads && o.json && !o.target && !o.pid);
	ck_assert_int_eq(parse("show /usr/bin/ls", &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.target, "/usr/bin/ls");
	ck_assert_int_eq(parse("normalize --pid 42 -c /etc/e.yaml", &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.pid, 42);
	ck_assert_uint_eq(o.cmd->op, EBPH_CMD_NORMALIZE);
	ck_assert_str_eq(o.config, "/etc/e.yaml");
	ck_assert_int_eq(parse("sensitize -p 7", &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.pid, 7);
	ck_assert_uint_eq(o.cmd->op, EBPH_CMD_SENSITIZE);
	ck_assert_int_eq(parse("tolerize -j 2049:12", &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.cmd->op, EBPH_CMD_TOLERIZE);
	ck_assert_str_eq(o.target, "2049:12");
	ck_assert_int_eq(parse("delete -- -odd-name", &o, err, sizeof(err)), 0);
	ck_assert_uint_eq(o.cmd->op, EBPH_CMD_FORGET);
	ck_assert_str_eq(o.target, "-odd-name");
	ck_assert_int_eq(parse("profiles --json --config x.yaml", &o, err, sizeof(err)), 0);
	ck_assert(o.json);
	ck_assert_str_eq(o.config, "x.yaml");
	ck_assert_int_eq(parse("save -h", &o, err, sizeof(err)), 0);
	ck_assert(o.help);
	ck_assert_int_eq(parse("check -j", &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.cmd->id, ADM_CHECK);
	ck_assert_int_eq(parse("release 4242", &o, err, sizeof(err)), 0);
	ck_assert_int_eq(o.cmd->id, ADM_RELEASE);
	ck_assert(o.pid == 4242 && !o.all);
	ck_assert_int_eq(parse("release --all", &o, err, sizeof(err)), 0);
	ck_assert(o.all && !o.pid && !o.target);
	ck_assert_int_eq(parse("prune -c x.yaml --dry-run", &o, err, sizeof(err)), 0);
	ck_assert(o.cmd->id == ADM_PRUNE && o.dry_run && !strcmp(o.config, "x.yaml"));
	ck_assert_int_eq(parse("prune -n", &o, err, sizeof(err)), 0);
	ck_assert(o.dry_run);
	ck_assert_int_eq(parse("help", &o, err, sizeof(err)), 0);
	ck_assert(o.cmd->id == ADM_HELP && !o.target);
	ck_assert_int_eq(parse("help prune", &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.target, "prune");
	ck_assert_int_eq(parse("prune --help", &o, err, sizeof(err)), 0);
	ck_assert(o.help);
	/* a second parse starts afresh (getopt state) */
	ck_assert_int_eq(parse("ps", &o, err, sizeof(err)), 0);
	ck_assert(!o.threads && !o.json);
}
END_TEST

START_TEST(test_admin_parse_bad)
{
	PARSE_FAILS("bogus", "unknown command 'bogus'");
	PARSE_FAILS("normalize", "normalize: which profile?");
	PARSE_FAILS("prune -j", "prune: has no JSON output (-j)");
	PARSE_FAILS("ps --dry-run", "ps: --dry-run is for prune only");
	PARSE_FAILS("help bogus", "help: unknown command 'bogus'");
	PARSE_FAILS("help ps extra", "unexpected argument 'extra'");
	PARSE_FAILS("show", "which profile?");
	PARSE_FAILS("delete -j", "which profile?");
	PARSE_FAILS("normalize /a /b", "unexpected argument '/b'");
	PARSE_FAILS("normalize --pid 3 /a", "unexpected argument '/a'");
	PARSE_FAILS("normalize --pid 0", "bad PID '0'");
	PARSE_FAILS("normalize --pid -5", "bad PID '-5'");
	PARSE_FAILS("normalize --pid 12x", "bad PID '12x'");
	PARSE_FAILS("normalize --pid 99999999999999999999", "bad PID");
	PARSE_FAILS("show -t /a", "show: -t is for ps only");
	PARSE_FAILS("save --pid 3", "save: takes no --pid");
	PARSE_FAILS("release", "release: which task? (PID or --all)");
	PARSE_FAILS("release --all 7", "release: which task? (PID or --all)");
	PARSE_FAILS("release 0", "bad PID '0'");
	PARSE_FAILS("release 12x", "bad PID '12x'");
	PARSE_FAILS("release -j 7", "release: has no JSON output (-j)");
	PARSE_FAILS("ps --all", "ps: --all is for release only");
	PARSE_FAILS("ps --pid 3", "ps: takes no --pid");
	PARSE_FAILS("ps -x", "unknown option '-x'");
	PARSE_FAILS("ps --bogus", "unknown option '--bogus'");
	PARSE_FAILS("profiles -c", "option '-c' needs an argument");
	PARSE_FAILS("ps extra", "unexpected argument 'extra'");
}
END_TEST

START_TEST(test_admin_usage_lists_visible_commands)
{
	struct mem m;
	char *t;
	size_t i;

	mem_open(&m);
	admin_usage(m.f);
	t = mem_take(&m);
	for (i = 0; i < ADMIN_NCMDS; i++) {
		char want[64];

		snprintf(want, sizeof(want), "\n  %s ", admin_cmds[i].name);
		if (admin_cmds[i].flags & ADM_F_HIDDEN)
			ck_assert_ptr_null(strstr(t, want));
		else
			ck_assert_msg(strstr(t, want) != NULL, "usage lacks %s", want);
	}
	ck_assert_ptr_nonnull(strstr(t, "--pid PID"));
	ck_assert_ptr_nonnull(strstr(t, "\n  prune [-c FILE] [--dry-run]"));
	ck_assert_ptr_nonnull(strstr(t, "\n  help [COMMAND]"));
	free(t);
}
END_TEST

/* ebph CMD --help: its usage line once, its own options, every command
 * named (issue 19.4: ps --help printed its usage twice, without prune). */
START_TEST(test_admin_cmd_help)
{
	struct mem m;
	char *t, *u;
	size_t i, c;

	for (c = 0; c < ADMIN_NCMDS; c++) {
		mem_open(&m);
		admin_cmd_help(m.f, &admin_cmds[c]);
		t = mem_take(&m);
		ck_assert_msg(!strncmp(t, "Usage: ebph ", 12), "%s", t);
		u = strstr(t + 1, "Usage:");
		ck_assert_msg(u == NULL, "%s: usage twice:\n%s", admin_cmds[c].name, t);
		ck_assert_ptr_nonnull(strstr(t, "  -h, --help"));
		for (i = 0; i < ADMIN_NCMDS; i++) {
			char want[32];

			snprintf(want, sizeof(want), " %s", admin_cmds[i].name);
			if (!(admin_cmds[i].flags & ADM_F_HIDDEN))
				ck_assert_msg(strstr(strstr(t, "Commands:"), want), "%s", t);
		}
		free(t);
	}
	mem_open(&m);
	admin_cmd_help(m.f, admin_find("ps"));
	t = mem_take(&m);
	ck_assert_ptr_nonnull(strstr(t, "Usage: ebph ps [-j] [-t]\nMonitored processes"));
	ck_assert_ptr_nonnull(strstr(t, "  -t, --threads"));
	ck_assert_ptr_null(strstr(t, "--dry-run"));
	ck_assert_ptr_null(strstr(t, "--pid"));
	ck_assert_ptr_nonnull(strstr(t, "Commands: ps profiles show normalize sensitize tolerize "
				    "delete notolerize autotolerize status save release prune help replay record\n"));
	free(t);
	mem_open(&m);
	admin_cmd_help(m.f, admin_find("prune"));
	t = mem_take(&m);
	ck_assert_ptr_nonnull(strstr(t, "  -n, --dry-run"));
	ck_assert_ptr_null(strstr(t, "--json"));
	free(t);
}
END_TEST

START_TEST(test_admin_parse_key)
{
	static const unsigned int devs[][2] = { { 8, 1 }, { 254, 0 }, { 0, 45 }, { 259, 3 },
						{ 8, 300 }, { 4095, 1048575 } };
	struct ebph_key key;
	char buf[64];
	size_t i;

	ck_assert_int_eq(admin_parse_key("2049:12", &key), 0);
	ck_assert_uint_eq(key.dev, (8ULL << 20) | 1);
	ck_assert_uint_eq(key.ino, 12);
	ck_assert_int_eq(admin_parse_key("65024:10952837", &key), 0);
	ck_assert_uint_eq(key.dev, 254ULL << 20);
	ck_assert_uint_eq(key.ino, 10952837);
	/* 64-bit inodes are kept whole */
	ck_assert_int_eq(admin_parse_key("45:18446744073709551615", &key), 0);
	ck_assert_uint_eq(key.ino, 18446744073709551615ULL);
	ck_assert_uint_eq(key.dev, 45);
	/* every user dev round-trips through the kernel form ebph prints from */
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		__u64 udev = makedev(devs[i][0], devs[i][1]);

		snprintf(buf, sizeof(buf), "%llu:7", (unsigned long long)udev);
		ck_assert_int_eq(admin_parse_key(buf, &key), 0);
		ck_assert_uint_eq(key.dev, ((__u64)devs[i][0] << 20) | devs[i][1]);
		ck_assert_uint_eq(out_user_dev(key.dev), udev);
		ck_assert_uint_eq(admin_kernel_dev(udev), key.dev);
	}
	ck_assert_int_eq(admin_parse_key("12", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key(":12", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key("12:", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key("1:2:3", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key("a:b", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key("-1:2", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key("1:0", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key("1:18446744073709551616", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key("/usr/bin/ls", &key), -EINVAL);
	ck_assert_int_eq(admin_parse_key("", &key), -EINVAL);
}
END_TEST

/* A saved profile with training rows for calls 1 and 2 (and, if normal,
 * testing rows for 2 and 3). */
static void make_profile(struct store_profile *p, __u32 state)
{
	memset(p, 0, sizeof(*p));
	p->key.dev = (8ULL << 20) | 1;
	p->key.ino = 12;
	p->train_count = 1000;
	p->last_mod_count = 700;
	p->sequences = 9;
	p->anomalies = state == EBPH_NORMAL ? 4 : 0;
	p->state = state;
	p->normal_time = state == EBPH_FROZEN ? NOW + 60 * SEC : 0;
	p->normal_since = state == EBPH_NORMAL ? NOW - 120 * SEC : 0;
	snprintf(p->path, sizeof(p->path), "/usr/bin/x");
	p->train = calloc(2, sizeof(*p->train));
	ck_assert_ptr_nonnull(p->train);
	p->ntrain = 2;
	p->train[0].call = 1;
	p->train[0].bits[0] = 0x03;	/* 2 pairs */
	p->train[1].call = 2;
	p->train[1].bits[1] = 0x01;	/* 1 pair */
	if (state == EBPH_NORMAL) {
		p->test = calloc(2, sizeof(*p->test));
		ck_assert_ptr_nonnull(p->test);
		p->ntest = 2;
		p->test[0].call = 2;
		p->test[0].bits[1] = 0x01;	/* = training */
		p->test[1].call = 3;
		p->test[1].bits[5] = 0x80;	/* only in testing */
	}
}

START_TEST(test_admin_apply_normalize)
{
	struct store_profile p;

	make_profile(&p, EBPH_TRAINING);
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_NORMALIZE, NOW), 0);
	ck_assert_uint_eq(p.state, EBPH_NORMAL);
	ck_assert_uint_eq(p.ntest, 2);
	ck_assert_uint_eq(p.ntrain, 2);
	ck_assert_ptr_ne(p.test, p.train);
	ck_assert_mem_eq(p.test, p.train, 2 * sizeof(*p.train));
	ck_assert_int_eq(p.normal_since, NOW);
	ck_assert_int_eq(p.normal_time, 0);
	ck_assert_uint_eq(p.anomalies, 0);
	ck_assert_uint_eq(p.train_count, 0);
	ck_assert_uint_eq(p.last_mod_count, 0);
	ck_assert_uint_eq(p.sequences, 9);
	/* the testing data is a copy: training on goes without changing it */
	p.train[0].bits[7] = 0xff;
	ck_assert_uint_eq(p.test[0].bits[7], 0);
	store_profile_free(&p);

	/* a normal profile: the old testing data is replaced */
	make_profile(&p, EBPH_NORMAL);
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_NORMALIZE, NOW), 0);
	ck_assert_uint_eq(p.ntest, 2);
	ck_assert_uint_eq(p.test[1].call, 2);
	store_profile_free(&p);

	/* nothing learned: empty testing data */
	make_profile(&p, EBPH_FROZEN);
	p.ntrain = 0;
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_NORMALIZE, NOW), 0);
	ck_assert_uint_eq(p.ntest, 0);
	ck_assert_uint_eq(p.state, EBPH_NORMAL);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_admin_apply_sensitize)
{
	struct store_profile p;

	make_profile(&p, EBPH_NORMAL);
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_SENSITIZE, NOW), 0);
	ck_assert_uint_eq(p.ntrain, 0);
	ck_assert_uint_eq(p.train_count, 0);
	ck_assert_uint_eq(p.last_mod_count, 0);
	ck_assert_uint_eq(p.sequences, 0);
	ck_assert_uint_eq(p.anomalies, 0);
	/* detection goes on with the testing data */
	ck_assert_uint_eq(p.state, EBPH_NORMAL);
	ck_assert_uint_eq(p.ntest, 2);
	ck_assert_int_eq(p.normal_since, NOW - 120 * SEC);
	store_profile_free(&p);

	make_profile(&p, EBPH_FROZEN);
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_SENSITIZE, NOW), 0);
	ck_assert_uint_eq(p.state, EBPH_TRAINING);
	ck_assert_int_eq(p.normal_time, 0);
	ck_assert_uint_eq(p.ntrain, 0);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_admin_apply_tolerize)
{
	struct store_profile p;

	make_profile(&p, EBPH_NORMAL);
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_TOLERIZE, NOW), 0);
	ck_assert_uint_eq(p.state, EBPH_TRAINING);
	ck_assert_uint_eq(p.anomalies, 0);
	ck_assert_uint_eq(p.ntest, 0);
	ck_assert_int_eq(p.normal_since, 0);
	/* training data and its counters are kept */
	ck_assert_uint_eq(p.ntrain, 2);
	ck_assert_uint_eq(p.train_count, 1000);
	ck_assert_uint_eq(p.last_mod_count, 700);
	ck_assert_uint_eq(p.sequences, 9);
	store_profile_free(&p);

	make_profile(&p, EBPH_FROZEN);
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_TOLERIZE, NOW), 0);
	ck_assert_uint_eq(p.state, EBPH_TRAINING);
	ck_assert_int_eq(p.normal_time, 0);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_admin_apply_unknown_op_changes_nothing)
{
	struct store_profile p, before;

	make_profile(&p, EBPH_NORMAL);
	before = p;
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_FORGET, NOW), -EINVAL);
	ck_assert_int_eq(admin_apply_saved(&p, 99, NOW), -EINVAL);
	ck_assert_mem_eq(&p, &before, sizeof(p));
	store_profile_free(&p);
}
END_TEST

START_TEST(test_admin_saved_rows)
{
	struct store_profile p;
	__u64 rows, snap;

	make_profile(&p, EBPH_NORMAL);
	admin_saved_rows(&p, &rows, &snap);
	ck_assert_uint_eq(rows, 3);	/* calls 1, 2, 3 */
	ck_assert_uint_eq(snap, 1);	/* call 3's testing view differs */
	p.test[0].bits[2] = 1;	/* call 2's testing view differs too */
	admin_saved_rows(&p, &rows, &snap);
	ck_assert_uint_eq(snap, 1);	/* split: call 3's testing view alone is its own row */
	p.state = EBPH_TRAINING;	/* testing data unused */
	admin_saved_rows(&p, &rows, &snap);
	ck_assert_uint_eq(rows, 2);
	ck_assert_uint_eq(snap, 0);
	ck_assert_uint_eq(admin_pairs(p.train, p.ntrain), 3);
	ck_assert_uint_eq(admin_pairs(p.test, p.ntest), 3);
	ck_assert_uint_eq(admin_pairs(p.train, 0), 0);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_admin_durations)
{
	char b[32];

	admin_duration(b, sizeof(b), 0);
	ck_assert_str_eq(b, "0s");
	admin_duration(b, sizeof(b), 42);
	ck_assert_str_eq(b, "42s");
	admin_duration(b, sizeof(b), 61);
	ck_assert_str_eq(b, "1m1s");
	admin_duration(b, sizeof(b), 3 * 3600 + 125);
	ck_assert_str_eq(b, "3h2m");
	admin_duration(b, sizeof(b), 7 * 86400 - 1);
	ck_assert_str_eq(b, "6d23h");
	admin_normal_col(b, sizeof(b), EBPH_FROZEN, NOW + 60 * SEC, 0, NOW);
	ck_assert_str_eq(b, "in 1m0s");
	admin_normal_col(b, sizeof(b), EBPH_FROZEN, NOW - 5 * SEC, 0, NOW);
	ck_assert_str_eq(b, "in 0s");	/* due: becomes normal at its next call */
	admin_normal_col(b, sizeof(b), EBPH_NORMAL, 0, NOW - 120 * SEC, NOW);
	ck_assert_str_eq(b, "2m0s ago");
	admin_normal_col(b, sizeof(b), EBPH_TRAINING, NOW, NOW, NOW);
	ck_assert_str_eq(b, "-");
}
END_TEST

START_TEST(test_admin_profile_json)
{
	struct admin_prof a = { .source = "saved", .now = NOW };
	struct store_profile p;
	char *t, filter[512];
	struct mem m;

	make_profile(&p, EBPH_FROZEN);
	snprintf(p.path, sizeof(p.path), "/tmp/a\"b\\c\nd\x01\xff");
	a.p = &p;
	admin_saved_rows(&p, &a.rows, &a.snapshot_rows);
	mem_open(&m);
	admin_profile_line(m.f, 1, &a);
	t = mem_take(&m);
#define HEAD "{\"type\":\"profile\",\"schema\":1,\"ts\":1700000000.000000,\"time\":" \
	"\"2023-11-14T22:13:20.000000Z\",\"hostname\":"
	ck_assert_msg(!strncmp(t, HEAD, strlen(HEAD)), "%s", t);
#undef HEAD
	ck_assert_int_eq(strchr(t, '\n') - t, (long)strlen(t) - 1);	/* one line */
	ck_assert_ptr_nonnull(strstr(t, "\"path\":\"/tmp/a\\\"b\\\\c\\u000ad\\u0001\\udcff\""));
	snprintf(filter, sizeof(filter), ".[0] | .source == \"saved\" and .state == \"frozen\" and "
		 ".train_count == 1000 and .last_mod_count == 700 and .sequences == 9 and "
		 ".anomalies == 0 and .train_pairs == 3 and .test_pairs == 0 and .rows == 2 and "
		 ".snapshot_rows == 0 and .pair_bytes == %zu and .normal_time == 1700000060 and "
		 ".normal_in == 60 and .normal_since == null", 2 * sizeof(struct ebph_row));
	JQ_TRUE(filter, t);
	free(t);
	store_profile_free(&p);

	make_profile(&p, EBPH_NORMAL);
	a.p = &p;
	a.source = "live";
	a.rows = 5;
	a.snapshot_rows = 1;
	mem_open(&m);
	admin_profile_line(m.f, 1, &a);
	t = mem_take(&m);
	JQ_TRUE(".[0] | .state == \"normal\" and .train_pairs == 3 and .test_pairs == 2 and "
		".rows == 5 and .snapshot_rows == 1 and .normal_time == null and .normal_in == null "
		"and .normal_since == 1699999880", t);
	free(t);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_admin_profile_text)
{
	struct admin_prof a = { .source = "saved", .now = NOW };
	struct store_profile p;
	char *t, *nl, want[160];
	struct mem m;

	make_profile(&p, EBPH_NORMAL);
	snprintf(p.path, sizeof(p.path), "/tmp/a b\nc");
	p.anomalies_total = 12345;	/* never reset: more than the current 4 */
	p.last_anomaly = NOW - 90 * SEC;
	p.anomalies_lost = 7;
	a.p = &p;
	admin_saved_rows(&p, &a.rows, &a.snapshot_rows);
	mem_open(&m);
	admin_profile_header(m.f);
	admin_profile_line(m.f, 0, &a);
	t = mem_take(&m);
	nl = strchr(t, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_msg(!strncmp(t, "KEY            STATE    TRAIN_COUNT LAST_MOD PROGRESS      "
			       "ANOM_NOW ANOM_ALL ANOM_AGO  LOST PAIRS   KB NORMAL     PATH\n",
			       nl - t + 1), "%s", t);
	ck_assert_int_lt(nl - t, 124);	/* fixed columns, then the path */
	/* 5 pairs (3 training, 2 testing); 4 rows (3 calls, 1 snapshot) */
	snprintf(want, sizeof(want), "2049:12        normal          1000      700 -                    4    12345 "
		 "   1m30s     7     5 %4zu 2m0s ago   /tmp/a b\\x0ac\n",
		 (4 * sizeof(struct ebph_row) + 1023) / 1024);
	ck_assert_str_eq(nl + 1, want);
	free(t);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_admin_show_pairs)
{
	struct admin_prof a = { .source = "saved", .now = NOW };
	struct admin_opts o = { .json = 1, .mode = SHOW_PAIRS };
	struct store_profile p;
	int wr = syscall_number("write"), rd = syscall_number("read");
	struct mem m;
	char *t, want[128];

	ck_assert_int_ge(wr, 0);
	ck_assert_int_ge(rd, 0);
	make_profile(&p, EBPH_NORMAL);
	p.ntrain = 1;
	p.train[0].call = wr;
	memset(p.train[0].bits, 0, EBPH_ROW_BYTES);
	p.train[0].bits[rd] = 0x05;	/* read 1 and 3 calls before write */
	p.ntest = 1;
	p.test[0].call = wr;
	memset(p.test[0].bits, 0, EBPH_ROW_BYTES);
	p.test[0].bits[rd] = 0x80;	/* read 8 calls before */
	a.p = &p;
	mem_open(&m);
	admin_show(m.f, &o, &a);
	t = mem_take(&m);
	JQ_TRUE("length == 4 and .[0].type == \"profile\" and .[0].train_pairs == 2 and "
		".[0].test_pairs == 1 and ([.[1:][] | select(.type == \"pair\" and "
		".profile == \"2049:12\" and .call == \"write\" and .prev == \"read\")] | "
		"map(\"\\(.view) \\(.distance)\") == [\"training 1\", \"training 3\", \"testing 8\"])", t);
	free(t);

	mem_open(&m);
	o.json = 0;
	admin_show(m.f, &o, &a);
	t = mem_take(&m);
	ck_assert_ptr_nonnull(strstr(t, "\nVIEW     CALL                 PREV                 DISTANCE\n"));
	snprintf(want, sizeof(want), "\n%-8s %-20s %-20s %8u\n", "training", "write", "read", 3);
	ck_assert_ptr_nonnull(strstr(t, want));
	snprintf(want, sizeof(want), "\n%-8s %-20s %-20s %8u\n", "testing", "write", "read", 8);
	ck_assert_ptr_nonnull(strstr(t, want));
	free(t);

	/* not normal: no testing lines */
	p.state = EBPH_TRAINING;
	o.json = 1;
	mem_open(&m);
	admin_show(m.f, &o, &a);
	t = mem_take(&m);
	ck_assert_ptr_null(strstr(t, "\"testing\""));
	free(t);
	store_profile_free(&p);
}
END_TEST

/* The default view: one line per call, its previous calls with their
 * distances; --diff: what a normalize would add and remove. */
START_TEST(test_admin_show_compact_and_diff)
{
	struct admin_prof a = { .source = "saved", .now = NOW };
	struct admin_opts o = { .json = 0, .mode = SHOW_COMPACT };
	struct store_profile p;
	int wr = syscall_number("write"), rd = syscall_number("read");
	int op = syscall_number("openat");
	struct mem m;
	char *t;

	make_profile(&p, EBPH_NORMAL);
	p.ntrain = 1;
	p.train[0].call = wr;
	memset(p.train[0].bits, 0, EBPH_ROW_BYTES);
	p.train[0].bits[rd] = 0x0d;	/* read 1, 3 and 4 calls before write */
	p.train[0].bits[op] = 0x02;	/* openat 2 calls before */
	p.ntest = 1;
	p.test[0].call = wr;
	memset(p.test[0].bits, 0, EBPH_ROW_BYTES);
	p.test[0].bits[rd] = 0x81;	/* read 1 and 8 calls before */
	a.p = &p;

	mem_open(&m);
	admin_show(m.f, &o, &a);
	t = mem_take(&m);
	ck_assert_msg(strstr(t, "\n\n  VIEW     CALL                 PREVIOUS CALLS (DISTANCES)\n"
			       "  training write                read(1,3,4) openat(2)\n"
			       "  testing  write                read(1,8)\n") != NULL, "%s", t);
	free(t);

	o.mode = SHOW_DIFF;
	mem_open(&m);
	admin_show(m.f, &o, &a);
	t = mem_take(&m);
	ck_assert_msg(strstr(t, "  added    write                read(3,4) openat(2)\n"
			       "  removed  write                read(8)\n") != NULL, "%s", t);
	free(t);

	o.json = 1;
	mem_open(&m);
	admin_show(m.f, &o, &a);
	t = mem_take(&m);
	JQ_TRUE("length == 3 and .[0].type == \"profile\" and "
		"([.[1:][] | select(.type == \"call\" and .call == \"write\")] | "
		"map([.view, (.prev | map(\"\\(.call)\\(.distances)\"))])) == "
		"[[\"added\", [\"read[3,4]\", \"openat[2]\"]], [\"removed\", [\"read[8]\"]]]", t);
	free(t);

	o.mode = SHOW_COMPACT;
	mem_open(&m);
	admin_show(m.f, &o, &a);
	t = mem_take(&m);
	JQ_TRUE("[.[1:][] | [.view, .prev[0].distances]] == "
		"[[\"training\", [1,3,4]], [\"testing\", [1,8]]]", t);
	free(t);
	store_profile_free(&p);
}
END_TEST

/* --svg: a well-formed SVG heat map, one cell per (call, previous call) of
 * each view, untrusted path bytes escaped. */
START_TEST(test_admin_show_svg)
{
	struct store_profile p;
	struct show_profile s = { .key = "2049:12", .now = 1000000000 };
	int wr = syscall_number("write"), rd = syscall_number("read");
	char path[] = "/tmp/svg-XXXXXX", cmd[128];
	const char *c;
	struct mem m;
	char *t;
	int n = 0, fd;

	make_profile(&p, EBPH_NORMAL);
	strcpy(p.path, "/tmp/a<b>&\"c\x1b[31m\xff");
	p.ntrain = 1;
	p.train[0].call = wr;
	memset(p.train[0].bits, 0, EBPH_ROW_BYTES);
	p.train[0].bits[rd] = 0x03;
	p.train[0].bits[wr] = 0x01;
	p.ntest = 1;
	p.test[0].call = wr;
	memset(p.test[0].bits, 0, EBPH_ROW_BYTES);
	p.test[0].bits[rd] = 0x01;
	s.p = &p;
	mem_open(&m);
	ck_assert_int_eq(show_svg(m.f, &s), 0);
	t = mem_take(&m);
	ck_assert_msg(!strncmp(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44), "%s", t);
	ck_assert_ptr_nonnull(strstr(t, "</svg>\n"));
	ck_assert_ptr_nonnull(strstr(t, "/tmp/a&lt;b&gt;&amp;&quot;c\\x1b[31m\\xff ("));
	ck_assert_ptr_null(strchr(t, '\x1b'));
	for (c = t; (c = strstr(c, "<rect x=")); c++)
		n++;
	ck_assert_int_eq(n, 3);	/* testing: write/read; training: write/read, write/write */
	ck_assert_ptr_nonnull(strstr(t, "stroke=\"red\""));	/* write after write: new */
	if (!access("/usr/bin/xmllint", X_OK)) {
		fd = mkstemp(path);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, t, strlen(t)), (ssize_t)strlen(t));
		close(fd);
		snprintf(cmd, sizeof(cmd), "/usr/bin/xmllint --noout %s", path);
		ck_assert_int_eq(system(cmd), 0);
		unlink(path);
	}
	free(t);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_admin_task_lines)
{
	struct ebph_key key = { (254ULL << 20) | 0, 99, 0, 0 };
	struct admin_task t = {
		.pid = 100, .tid = 101, .threads = 3, .comm = "w\"x", .path = "/bin/w", .key = &key,
		.state = EBPH_FROZEN, .train_count = 50, .last_mod_count = 40, .anomalies = 0,
		.lfc = 2, .lfc_max = 7, .normal_time = NOW + 90 * SEC, .now = NOW,
		.anomalies_total = 31, .last_anomaly = NOW - 3600 * SEC,
	};
	struct mem m;
	char *s;

	mem_open(&m);
	admin_task_line(m.f, 1, 0, &t);
	admin_task_line(m.f, 1, 1, &t);
	t.key = NULL;
	t.path = "";
	admin_task_line(m.f, 1, 1, &t);
	s = mem_take(&m);
	JQ_TRUE("length == 3 and (.[0] | .type == \"task\" and .pid == 100 and .threads == 3 and "
		"(has(\"tid\") | not) and .comm == \"w\\\"x\" and .profile == \"65024:99\" and "
		".path == \"/bin/w\" and .state == \"frozen\" and .train_count == 50 and "
		".last_mod_count == 40 and .lfc == 2 and .lfc_max == 7 and .anomalies == 0 and "
		".anomalies_total == 31 and .last_anomaly == (.ts - 3600) and .normal_in == 90 and .normal_since == null) and (.[1] | .tid == 101 and "
		"(has(\"threads\") | not)) and (.[2] | .profile == null and .state == \"-\")", s);
	ck_assert(!strncmp(s, "{\"type\":\"task\",\"schema\":1,\"ts\":", 31));
	free(s);

	t.key = &key;
	t.path = "/bin/w";
	mem_open(&m);
	admin_task_header(m.f, 0);
	admin_task_line(m.f, 0, 0, &t);
	admin_task_header(m.f, 1);
	admin_task_line(m.f, 0, 1, &t);
	s = mem_take(&m);
	ck_assert_str_eq(s,
		"    PID COMM            STATE    TRAIN_COUNT LAST_MOD PROGRESS          LFC "
		"ANOM_NOW ANOM_ALL ANOM_AGO NORMAL     PROFILE\n"
		"    100 w\"x             frozen            50       40 ?                 2/7 "
		"       0       31     1h0m in 1m30s   /bin/w\n"
		"    PID     TID COMM            STATE    TRAIN_COUNT LAST_MOD PROGRESS          "
		"LFC ANOM_NOW ANOM_ALL ANOM_AGO NORMAL     PROFILE\n"
		"    100     101 w\"x             frozen            50       40 ?                 "
		"2/7        0       31     1h0m in 1m30s   /bin/w\n");
	free(s);
}
END_TEST

/* PROGRESS: a training profile shows calls without news against the count
 * that freezes it, which agrees with the freeze rule step by step (ph.h). */
START_TEST(test_admin_progress)
{
	static const struct admin_rule r = { 128, 32, 1024 }, r0 = { 128, 32, 0 };
	struct ebph_key key = { .dev = 1, .ino = 2 };
	struct admin_task t = {
		.pid = 1, .tid = 1, .threads = 1, .comm = "c", .path = "/bin/c", .key = &key,
		.state = EBPH_TRAINING, .train_count = 1000, .last_mod_count = 0, .now = NOW,
		.rule = &r,
	};
	__u64 train, lm, at;
	struct mem m;
	char *s, buf[48];

	/* brute force: the first k at which (train + k) * den > (train - lm) * factor
	 * and train + k >= min */
	for (train = 0; train < 3000; train += 37) {
		for (lm = 0; lm <= train; lm += 53) {
			const struct admin_rule *rs[2] = { &r, &r0 };
			int i;

			for (i = 0; i < 2; i++) {
				__u64 k = 1;

				while (!((train + k) * rs[i]->den > (train - lm) * rs[i]->factor &&
					 train + k >= rs[i]->min))
					k++;
				at = admin_freeze_at(train, lm, rs[i]);
				ck_assert_uint_eq(at, lm + k);
			}
		}
	}
	ck_assert_uint_eq(admin_freeze_at(10, 5, NULL), 0);
	ck_assert_uint_eq(admin_freeze_at(5, 10, &r), 0);

	admin_progress_col(buf, sizeof(buf), EBPH_TRAINING, 1000, 0, 0, NOW, &r0);
	ck_assert_str_eq(buf, "0/3001");
	admin_progress_col(buf, sizeof(buf), EBPH_TRAINING, 100, 90, 0, NOW, &r);
	ck_assert_str_eq(buf, "90/1014");	/* the minimum binds */
	admin_progress_col(buf, sizeof(buf), EBPH_FROZEN, 100, 90, NOW - 150 * SEC, NOW, &r);
	ck_assert_str_eq(buf, "2m30s");
	admin_progress_col(buf, sizeof(buf), EBPH_NORMAL, 100, 90, 0, NOW, &r);
	ck_assert_str_eq(buf, "-");

	mem_open(&m);
	admin_task_line(m.f, 1, 0, &t);
	t.state = EBPH_FROZEN;
	t.frozen_since = NOW - 60 * SEC;
	admin_task_line(m.f, 1, 0, &t);
	s = mem_take(&m);
	JQ_TRUE("length == 2 and .[0].freeze_at == 3001 and .[0].frozen_since == null and "
		".[1].freeze_at == null and .[1].frozen_since == (.[1].ts - 60)", s);
	free(s);
}
END_TEST

START_TEST(test_admin_change_lines)
{
	struct ebph_key key = { (8ULL << 20) | 1, 12, 0, 0 };
	struct admin_change c = {
		.command = "normalize", .key = &key, .path = "/usr/bin/x", .source = "live",
		.old_state = EBPH_TRAINING, .state = EBPH_NORMAL, .old_train_count = 5,
		.train_count = 0, .file = -1, .now = NOW,
	};
	struct mem m;
	char *s;

	mem_open(&m);
	admin_change_line(m.f, 0, &c);
	c.command = "delete";
	c.source = "saved";
	c.state = ADMIN_STATE_GONE;
	c.file = 1;
	admin_change_line(m.f, 0, &c);
	s = mem_take(&m);
	ck_assert_str_eq(s, "normalize /usr/bin/x (2049:12, live): training -> normal, "
			 "train_count 5 -> 0\n"
			 "delete /usr/bin/x (2049:12, saved): training -> deleted, "
			 "train_count 5 -> 0, saved file removed\n");
	free(s);

	mem_open(&m);
	admin_change_line(m.f, 1, &c);
	c.command = "tolerize";
	c.state = EBPH_TRAINING;
	c.file = -1;
	admin_change_line(m.f, 1, &c);
	s = mem_take(&m);
	JQ_TRUE("length == 2 and (.[0] | .type == \"command\" and .command == \"delete\" and "
		".profile == \"2049:12\" and .path == \"/usr/bin/x\" and .source == \"saved\" and "
		".old_state == \"training\" and .state == \"deleted\" and .old_train_count == 5 and "
		".train_count == 0 and .file_removed == true) and (.[1] | .command == \"tolerize\" "
		"and (has(\"file_removed\") | not))", s);
	free(s);

	/* a command that changes nothing says so (issue 19.5) */
	c.command = "tolerize";
	c.old_state = c.state = EBPH_TRAINING;
	c.old_train_count = c.train_count = 5;
	c.unchanged = "already training";
	mem_open(&m);
	admin_change_line(m.f, 0, &c);
	admin_change_line(m.f, 1, &c);
	s = mem_take(&m);
	ck_assert(!strncmp(s, "tolerize /usr/bin/x (2049:12, saved): already training: nothing "
			   "changed\n{", 65));
	JQ_TRUE("length == 1 and (.[0] | .changed == false and .state == \"training\" and "
		".old_state == \"training\")", strchr(s, '{'));
	free(s);
}
END_TEST

/* ebph --help: the COMMANDS section comes from the table; 80 columns. */
START_TEST(test_admin_full_usage)
{
	struct mem m;
	char *t, *line, *nl, want[64];
	size_t i;

	mem_open(&m);
	cli_usage(m.f, admin_usage);
	t = mem_take(&m);
	for (i = 0; i < ADMIN_NCMDS; i++) {
		snprintf(want, sizeof(want), "\n  %s ", admin_cmds[i].name);
		ck_assert_msg(!strstr(t, want) == !!(admin_cmds[i].flags & ADM_F_HIDDEN),
			      "--help and %s", admin_cmds[i].name);
	}
	ck_assert_ptr_nonnull(strstr(t, "\nCOMMANDS"));
	ck_assert_ptr_nonnull(strstr(t, "\nEXAMPLES:"));
	for (line = t; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_msg(nl - line <= 80, "usage line of %d columns: %.*s", (int)(nl - line),
			      (int)(nl - line), line);
	}
	free(t);
}
END_TEST

/* Which commands change nothing (issue 19.5). */
START_TEST(test_admin_unchanged)
{
	struct store_profile p;

	make_profile(&p, EBPH_TRAINING);
	ck_assert_str_eq(admin_unchanged(&p, EBPH_CMD_TOLERIZE), "already training");
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_SENSITIZE));
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_NORMALIZE));
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_FORGET));
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_SENSITIZE, NOW), 0);
	ck_assert_str_eq(admin_unchanged(&p, EBPH_CMD_SENSITIZE), "no training data to forget");
	store_profile_free(&p);

	make_profile(&p, EBPH_FROZEN);
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_TOLERIZE));
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_SENSITIZE));
	store_profile_free(&p);

	make_profile(&p, EBPH_NORMAL);	/* anomalies, testing differs from training */
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_TOLERIZE));
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_NORMALIZE));
	ck_assert_int_eq(admin_apply_saved(&p, EBPH_CMD_NORMALIZE, NOW), 0);
	ck_assert_str_eq(admin_unchanged(&p, EBPH_CMD_NORMALIZE), "already normal with these pairs");
	p.train[1].bits[7] = 1;		/* learned a pair since */
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_NORMALIZE));
	p.train[1].bits[7] = 0;
	p.anomalies = 1;
	ck_assert_ptr_null(admin_unchanged(&p, EBPH_CMD_NORMALIZE));
	store_profile_free(&p);
}
END_TEST

Suite *admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_admin_is_command);
	tcase_add_test(tc, test_admin_parse_good);
	tcase_add_test(tc, test_admin_parse_bad);
	tcase_add_test(tc, test_admin_usage_lists_visible_commands);
	tcase_add_test(tc, test_admin_parse_key);
	tcase_add_test(tc, test_admin_apply_normalize);
	tcase_add_test(tc, test_admin_apply_sensitize);
	tcase_add_test(tc, test_admin_apply_tolerize);
	tcase_add_test(tc, test_admin_apply_unknown_op_changes_nothing);
	tcase_add_test(tc, test_admin_saved_rows);
	tcase_add_test(tc, test_admin_durations);
	tcase_add_test(tc, test_admin_profile_json);
	tcase_add_test(tc, test_admin_profile_text);
	tcase_add_test(tc, test_admin_show_pairs);
	tcase_add_test(tc, test_admin_show_compact_and_diff);
	tcase_add_test(tc, test_admin_show_svg);
	tcase_add_test(tc, test_admin_task_lines);
	tcase_add_test(tc, test_admin_progress);
	tcase_add_test(tc, test_admin_change_lines);
	tcase_add_test(tc, test_admin_cmd_help);
	tcase_add_test(tc, test_admin_unchanged);
	tcase_add_test(tc, test_admin_full_usage);
	suite_add_tcase(s, tc);
	return s;
}
