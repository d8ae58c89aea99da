/* SPDX-License-Identifier: GPL-2.0-only */
/* test_filter.c: check suite for filter.c (-p, --tree, -n) on a fake
 * process table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "filter.h"

/* Fake /proc: parent of pid, 0 = no such process. */
static __u32 parents[4096];
static int lookups;

static int fake_parent(__u32 pid, __u32 *ppid)
{
	lookups++;
	if (pid >= 4096 || !parents[pid])
		return -ENOENT;
	*ppid = parents[pid];
	return 0;
}

static void setup(struct filter *f, __u32 root, int tree, const char *comm)
{
	memset(parents, 0, sizeof(parents));
	memset(f, 0, sizeof(*f));
	f->root = root;
	f->tree = tree;
	f->comm = comm;
	f->parent = fake_parent;
	lookups = 0;
}

START_TEST(test_filter_everything_without_options)
{
	struct filter f;

	setup(&f, 0, 0, NULL);
	ck_assert(filter_match(&f, 1, 0, "init"));
	ck_assert(filter_match(&f, 4000, 1, "x"));
	ck_assert_int_eq(lookups, 0);
	filter_free(&f);
}
END_TEST

/* -p PID alone: that process only, as in bcc's tools (issue 19.1). */
START_TEST(test_filter_pid_only)
{
	struct filter f;

	setup(&f, 100, 0, NULL);
	parents[200] = 100;
	ck_assert(filter_match(&f, 100, 1, "sh"));
	ck_assert(!filter_match(&f, 200, 100, "ls"));
	ck_assert(!filter_match(&f, 101, 1, "sh"));
	ck_assert_int_eq(lookups, 0);
	filter_free(&f);
}
END_TEST

/* --tree: children by their event's parent, grandchildren through /proc,
 * outsiders remembered. */
START_TEST(test_filter_tree)
{
	struct filter f;

	setup(&f, 100, 1, NULL);
	parents[100] = 1;
	parents[200] = 100;	/* child, makes events */
	parents[300] = 200;	/* grandchild */
	parents[310] = 300;	/* great-grandchild whose parents made no event */
	parents[400] = 1;	/* outsider */
	parents[500] = 400;
	ck_assert(filter_match(&f, 100, 1, "bash"));
	ck_assert(filter_match(&f, 200, 100, "sh"));
	ck_assert_int_eq(lookups, 0);	/* the event's parent sufficed */
	ck_assert(filter_match(&f, 300, 200, "ls"));
	ck_assert_int_eq(lookups, 0);
	ck_assert(filter_match(&f, 310, 300, "cat"));	/* 300 is known now */
	ck_assert_int_eq(lookups, 0);
	ck_assert(!filter_match(&f, 500, 400, "cron"));
	ck_assert_int_gt(lookups, 0);
	lookups = 0;
	ck_assert(!filter_match(&f, 500, 400, "cron"));	/* remembered */
	ck_assert_int_eq(lookups, 0);
	filter_free(&f);
}
END_TEST

/* A descendant whose parents made no event is found through /proc; its
 * ancestors are remembered on the way. */
START_TEST(test_filter_tree_proc_ancestry)
{
	struct filter f;

	setup(&f, 100, 1, NULL);
	parents[100] = 1;
	parents[200] = 100;
	parents[300] = 200;
	parents[400] = 300;
	ck_assert(filter_match(&f, 500, 400, "x"));	/* 500 itself may have exited */
	ck_assert_int_eq(lookups, 3);			/* 400 -> 300 -> 200 -> 100 */
	lookups = 0;
	ck_assert(filter_match(&f, 300, 200, "y"));
	ck_assert(filter_match(&f, 600, 200, "z"));
	ck_assert_int_eq(lookups, 0);
	filter_free(&f);
}
END_TEST

/* Documented limit: once the parent exited (and its child was reparented),
 * a descendant nobody saw is not found. A PID known as an outsider that
 * comes back as the child of a tree process is in it. */
START_TEST(test_filter_tree_limits)
{
	struct filter f;

	setup(&f, 100, 1, NULL);
	parents[100] = 1;
	parents[300] = 1;	/* its parent 200 exited before any event */
	ck_assert(!filter_match(&f, 300, 1, "orphan"));
	ck_assert(!filter_match(&f, 400, 250, "gone"));	/* parent 250 unknown to /proc */
	ck_assert(filter_match(&f, 400, 100, "reused"));	/* same PID, new parent */
	ck_assert(!filter_match(&f, 7, 0, "no parent"));
	filter_free(&f);
}
END_TEST

START_TEST(test_filter_name_and_tree)
{
	struct filter f;

	setup(&f, 0, 0, "ssh");
	ck_assert(filter_match(&f, 5, 1, "sshd"));
	ck_assert(filter_match(&f, 5, 1, "openssh"));
	ck_assert(!filter_match(&f, 5, 1, "bash"));
	filter_free(&f);

	setup(&f, 100, 1, "ls");
	parents[200] = 100;
	ck_assert(!filter_match(&f, 200, 100, "sh"));	/* in the tree, other name */
	ck_assert(filter_match(&f, 300, 200, "ls"));	/* 200 was still remembered */
	ck_assert(!filter_match(&f, 900, 1, "ls"));
	filter_free(&f);
}
END_TEST

/* Many processes: the sets grow and keep every answer. */
START_TEST(test_filter_tree_many)
{
	struct filter f;
	__u32 pid;

	setup(&f, 1, 1, NULL);
	for (pid = 2; pid < 4000; pid++)
		ck_assert(filter_match(&f, pid, pid - 1, "c"));
	for (pid = 2; pid < 4000; pid += 37)
		ck_assert(filter_match(&f, pid, 0, "c"));
	ck_assert_int_eq(lookups, 0);
	filter_free(&f);
}
END_TEST

/* The real /proc: this process exists and is its own thread group; its
 * parent is getppid(). */
START_TEST(test_filter_proc)
{
	__u32 tgid = 0, ppid = 0;

	ck_assert_int_eq(filter_proc_check((__u32)getpid(), &tgid), 0);
	ck_assert_uint_eq(tgid, (__u32)getpid());
	ck_assert_int_eq(filter_proc_parent((__u32)getpid(), &ppid), 0);
	ck_assert_uint_eq(ppid, (__u32)getppid());
	ck_assert_int_eq(filter_proc_check(0x7ffffff0, &tgid), -ESRCH);
}
END_TEST

Suite *filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_filter_everything_without_options);
	tcase_add_test(tc, test_filter_pid_only);
	tcase_add_test(tc, test_filter_tree);
	tcase_add_test(tc, test_filter_tree_proc_ancestry);
	tcase_add_test(tc, test_filter_tree_limits);
	tcase_add_test(tc, test_filter_name_and_tree);
	tcase_add_test(tc, test_filter_tree_many);
	tcase_add_test(tc, test_filter_proc);
	suite_add_tcase(s, tc);
	return s;
}
