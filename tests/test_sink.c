/* SPDX-License-Identifier: GPL-2.0-only */
/* test_sink.c: check suite for sink.c: the events file's size rotation and
 * reopening, the metrics file's atomic replacement (in a temp directory). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>

#include "sink.h"

static char dir[64];

static void sink_setup(void)
{
	strcpy(dir, "/tmp/ebph-test-sink-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void sink_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Size of dir/name, -1 if absent. */
static long file_size(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* One JSON line of exactly len bytes (with its newline), numbered n. */
static void emit_line(struct sink *s, int n, size_t len)
{
	struct out_emitted x = { .type = "status", .text = "status\n" };
	char line[256];

	snprintf(line, sizeof(line), "{\"n\":%03d,\"pad\":\"%0*d\"}\n", n, (int)(len - 19), 0);
	ck_assert_uint_eq(strlen(line), len);
	x.json = line;
	sink_emit(s, &x);
}

START_TEST(test_sink_rotation_keeps_n_files)
{
	char path[PATH_MAX], err[256] = "";
	struct sink s;
	int i;

	snprintf(path, sizeof(path), "%s/events.json", dir);
	ck_assert_int_eq(sink_open(&s, 0, path, 100, 2, err, sizeof(err)), 0);
	for (i = 0; i < 10; i++)
		emit_line(&s, i, 40);	/* two lines a file: 80 <= 100 < 120 */
	sink_close(&s);
	ck_assert_int_eq(file_size("events.json"), 80);
	ck_assert_int_eq(file_size("events.json.1"), 80);
	ck_assert_int_eq(file_size("events.json.2"), 80);
	ck_assert_int_eq(file_size("events.json.3"), -1);
	/* .2 holds lines 4 and 5, .1 lines 6 and 7, the file 8 and 9 */
	snprintf(path, sizeof(path), "%s/events.json.2", dir);
	{
		FILE *f = fopen(path, "r");
		char buf[64];

		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
		ck_assert_msg(!strncmp(buf, "{\"n\":004,", 9), "%s", buf);
		fclose(f);
	}
	/* reopened later (a restart): the size counts, the next line rotates */
	snprintf(path, sizeof(path), "%s/events.json", dir);
	ck_assert_int_eq(sink_open(&s, 0, path, 100, 0, err, sizeof(err)), 0);
	emit_line(&s, 10, 40);
	emit_line(&s, 11, 40);	/* keep 0: the full file is removed */
	sink_close(&s);
	ck_assert_int_eq(file_size("events.json"), 80);
	ck_assert_int_eq(file_size("events.json.1"), 80);	/* untouched by keep 0 */
}
END_TEST

START_TEST(test_sink_reopen_after_move)
{
	char path[PATH_MAX], moved[PATH_MAX], err[256] = "";
	struct sink s;

	snprintf(path, sizeof(path), "%s/events.json", dir);
	snprintf(moved, sizeof(moved), "%s/events.json.old", dir);
	ck_assert_int_eq(sink_open(&s, 0, path, 1 << 20, 5, err, sizeof(err)), 0);
	emit_line(&s, 1, 40);
	ck_assert_int_eq(rename(path, moved), 0);
	emit_line(&s, 2, 40);	/* still the moved file, as logrotate expects */
	ck_assert_int_eq(sink_reopen(&s, err, sizeof(err)), 0);
	emit_line(&s, 3, 40);
	sink_close(&s);
	ck_assert_int_eq(file_size("events.json.old"), 80);
	ck_assert_int_eq(file_size("events.json"), 40);
}
END_TEST

START_TEST(test_sink_open_errors)
{
	char path[PATH_MAX], err[PATH_MAX + 128] = "";
	struct sink s;

	snprintf(path, sizeof(path), "%s/no/such/dir/events.json", dir);
	ck_assert_int_eq(sink_open(&s, 0, path, 100, 1, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "events_file ") && strstr(err, ": cannot open: No such file"),
		      "%s", err);
	ck_assert_int_eq(sink_open(&s, 0, dir, 100, 1, err, sizeof(err)), -EISDIR);
	ck_assert_int_eq(sink_open(&s, 0, "", 100, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(s.fd, -1);
}
END_TEST

START_TEST(test_sink_metrics_atomic)
{
	struct out_status st = { .training = 2, .syscalls = 77 };
	char path[PATH_MAX], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ebph.prom", dir);
	ck_assert_int_eq(sink_metrics(path, &st), 0);
	st.syscalls = 78;
	ck_assert_int_eq(sink_metrics(path, &st), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	ck_assert_msg(strstr(buf, "\nebph_syscalls_total 78\n"), "%s", buf);
	ck_assert_msg(strstr(buf, "ebph_profiles{state=\"training\"} 2\n"), "%s", buf);
	snprintf(buf, sizeof(buf), "ls '%s' | grep -q tmp", dir);
	ck_assert_int_ne(system(buf), 0);	/* no temporary file left */
	snprintf(path, sizeof(path), "%s/no/dir/ebph.prom", dir);
	ck_assert_int_eq(sink_metrics(path, &st), -ENOENT);
}
END_TEST

Suite *sink_suite(void)
{
	Suite *s = suite_create("sink");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, sink_setup, sink_teardown);
	tcase_add_test(tc, test_sink_rotation_keeps_n_files);
	tcase_add_test(tc, test_sink_reopen_after_move);
	tcase_add_test(tc, test_sink_open_errors);
	tcase_add_test(tc, test_sink_metrics_atomic);
	suite_add_tcase(s, tc);
	return s;
}
