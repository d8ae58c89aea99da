/* SPDX-License-Identifier: GPL-2.0-only */
/* test_syscalls.c: names of the alphabet's calls (system calls, io_uring
 * operations from the generated tables, pseudo-calls). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <linux/io_uring.h>

#include "syscalls.h"

static const char *name_of(unsigned int nr)
{
	static char buf[32];

	return syscall_name(nr, buf, sizeof(buf));
}

/* io_uring operations print as io_uring:<op>, lower case, IORING_OP_ cut. */
START_TEST(test_syscalls_uring_names)
{
	ck_assert_str_eq(name_of(EBPH_CALL_URING + IORING_OP_OPENAT), "io_uring:openat");
	ck_assert_str_eq(name_of(EBPH_CALL_URING + IORING_OP_READ), "io_uring:read");
	ck_assert_str_eq(name_of(EBPH_CALL_URING + IORING_OP_NOP), "io_uring:nop");
	ck_assert_str_eq(name_of(EBPH_CALL_URING + IORING_OP_READ_FIXED), "io_uring:read_fixed");
	ck_assert_str_eq(name_of(EBPH_CALL_URING + EBPH_URING_OTHER), "io_uring:other");
	ck_assert_int_eq(syscall_number("io_uring:openat"), EBPH_CALL_URING + IORING_OP_OPENAT);
	ck_assert_int_eq(syscall_number("io_uring:other"), EBPH_CALL_URING + EBPH_URING_OTHER);
	/* the system call keeps its name and number */
	ck_assert_int_lt(syscall_number("openat"), EBPH_NR_SYSCALLS);
	ck_assert_int_ge(syscall_number("openat"), 0);
	ck_assert_int_eq(syscall_number("io_uring:nosuchop"), -1);
}
END_TEST

/* The table is the header's enum: every operation named, in its value's
 * slot, and the header's operations fit below the "other" slot. */
START_TEST(test_syscalls_uring_table_is_the_header)
{
	unsigned int op;
	const char *c;

	ck_assert_uint_eq(ebph_uring_nr, IORING_OP_LAST);
	ck_assert_uint_lt(ebph_uring_nr, EBPH_URING_OTHER + 1);
	for (op = 0; op < ebph_uring_nr; op++) {
		ck_assert_msg(ebph_uring_names[op] != NULL, "io_uring op %u has no name", op);
		ck_assert_msg(ebph_uring_names[op][0] != 0, "io_uring op %u: empty name", op);
		for (c = ebph_uring_names[op]; *c; c++)
			ck_assert_msg((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
				      *c == '_', "io_uring op %u: %s", op, ebph_uring_names[op]);
	}
	ck_assert_str_eq(ebph_uring_names[IORING_OP_WRITEV], "writev");
	ck_assert_str_eq(ebph_uring_names[IORING_OP_LAST - 1],
			 name_of(EBPH_CALL_URING + IORING_OP_LAST - 1) + strlen("io_uring:"));
}
END_TEST

/* Operations newer than the build machine's header have a number for a name. */
START_TEST(test_syscalls_uring_unnamed)
{
	char want[32];

	if (ebph_uring_nr >= EBPH_URING_OTHER)
		return;
	snprintf(want, sizeof(want), "io_uring:op_%u", ebph_uring_nr);
	ck_assert_str_eq(name_of(EBPH_CALL_URING + ebph_uring_nr), want);
	ck_assert_int_eq(syscall_number(want), EBPH_CALL_URING + ebph_uring_nr);
}
END_TEST

/* Every call of the alphabet has one name, shorter than 32 bytes, that
 * syscall_number() maps back to it. */
START_TEST(test_syscalls_names_round_trip)
{
	unsigned int nr;

	for (nr = 0; nr < EBPH_NR_CALLS; nr++) {
		char buf[64];
		const char *n = syscall_name(nr, buf, sizeof(buf));

		ck_assert_msg(strlen(n) < 32, "call %u: name %s too long", nr, n);
		ck_assert_msg(syscall_number(n) == (int)nr, "call %u: %s maps to %d", nr, n,
			      syscall_number(n));
	}
}
END_TEST

Suite *syscalls_suite(void)
{
	Suite *s = suite_create("syscalls");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_syscalls_uring_names);
	tcase_add_test(tc, test_syscalls_uring_table_is_the_header);
	tcase_add_test(tc, test_syscalls_uring_unnamed);
	tcase_add_test(tc, test_syscalls_names_round_trip);
	suite_add_tcase(s, tc);
	return s;
}
