/* SPDX-License-Identifier: GPL-2.0-only */
/* test_lsm.c: check suite for lsm.c: the start-up check's reading of the
 * LSM list, the kernel config and the boot command line (issue 15). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "lsm.h"

static const char kconfig_y[] =
	"# Automatically generated file; DO NOT EDIT.\n"
	"CONFIG_SECURITY=y\n"
	"CONFIG_BPF_LSM=y\n"
	"CONFIG_LSM=\"landlock,lockdown,yama,integrity,apparmor,bpf\"\n";
static const char kconfig_no_bpf_lsm[] =
	"CONFIG_SECURITY=y\n"
	"# CONFIG_BPF_LSM is not set\n"
	"CONFIG_LSM=\"landlock,lockdown,yama,integrity,apparmor,bpf\"\n";
static const char kconfig_default_no_bpf[] =
	"CONFIG_BPF_LSM=y\n"
	"CONFIG_LSM=\"landlock,lockdown,yama,integrity,apparmor\"\n";

START_TEST(test_lsm_list_has)
{
	ck_assert(lsm_list_has("lockdown,capability,landlock,bpf\n", "bpf"));
	ck_assert(lsm_list_has("bpf", "bpf"));
	ck_assert(lsm_list_has("capability,bpf,selinux", "bpf"));
	ck_assert(!lsm_list_has("lockdown,capability,landlock,yama,apparmor\n", "bpf"));
	ck_assert(!lsm_list_has("bpfx,xbpf,bp", "bpf"));
	ck_assert(!lsm_list_has("", "bpf"));
	ck_assert(!lsm_list_has(NULL, "bpf"));
}
END_TEST

START_TEST(test_lsm_kconfig)
{
	char v[64];

	ck_assert_int_eq(lsm_kconfig(kconfig_y, "CONFIG_BPF_LSM", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "y");
	ck_assert_int_eq(lsm_kconfig(kconfig_y, "CONFIG_LSM", v, sizeof(v)), 0);
	ck_assert_str_eq(v, "landlock,lockdown,yama,integrity,apparmor,bpf");
	ck_assert_int_eq(lsm_kconfig(kconfig_no_bpf_lsm, "CONFIG_BPF_LSM", v, sizeof(v)), -ENOENT);
	/* a key that is a prefix of another is not matched by it */
	ck_assert_int_eq(lsm_kconfig("CONFIG_BPF_LSM_X=y\n", "CONFIG_BPF_LSM", v, sizeof(v)),
			 -ENOENT);
	ck_assert_int_eq(lsm_kconfig("", "CONFIG_LSM", v, sizeof(v)), -ENOENT);
}
END_TEST

/* The active list (securityfs) decides: with bpf, the load is to be tried. */
START_TEST(test_lsm_decide_active_with_bpf)
{
	struct lsm_facts f = { .active = "lockdown,capability,landlock,bpf\n",
			       .kconfig = kconfig_y };
	char why[LSM_WHY_MAX];

	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "lsm=lockdown,capability,landlock,bpf");
}
END_TEST

START_TEST(test_lsm_decide_active_without_bpf)
{
	struct lsm_facts f = { .active = "lockdown,capability,yama,apparmor\n",
			       .kconfig = kconfig_y };
	char why[LSM_WHY_MAX];

	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "BPF LSM not enabled (lsm=lockdown,capability,yama,apparmor)");
}
END_TEST

START_TEST(test_lsm_decide_not_built)
{
	struct lsm_facts f = { .active = "lockdown,capability,bpf\n",
			       .kconfig = kconfig_no_bpf_lsm };
	char why[LSM_WHY_MAX];

	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "the kernel is built without CONFIG_BPF_LSM");
}
END_TEST

/* No securityfs (the file is missing): lsm= of the boot command line, else
 * CONFIG_LSM; neither: unknown, hold. */
START_TEST(test_lsm_decide_missing_file)
{
	struct lsm_facts f = { .active = NULL, .kconfig = kconfig_y,
			       .cmdline = "console=ttyS0 quiet\n" };
	char why[LSM_WHY_MAX];

	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "CONFIG_LSM=landlock,lockdown,yama,integrity,apparmor,bpf");
	f.cmdline = "ro lsm=capability,yama quiet -- lsm=bpf\n";
	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "BPF LSM not enabled (boot lsm=capability,yama)");
	f.cmdline = "ro lsm=bpf,landlock\n";
	f.kconfig = kconfig_default_no_bpf;
	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "boot lsm=bpf,landlock");
	f.cmdline = NULL;
	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "BPF LSM not enabled (CONFIG_LSM=landlock,lockdown,yama,integrity,"
			 "apparmor)");
	f.kconfig = NULL;
	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "cannot tell whether the BPF LSM is active (no "
			 "/sys/kernel/security/lsm, no kernel config)");
	/* no kernel config but an active list: the list decides */
	f.active = "capability,bpf";
	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), 1);
}
END_TEST

/* The LSM text: the switch and the threshold come before the program. */
START_TEST(test_lsm_text)
{
	char *t = lsm_text("/* program */\n", 12);

	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t, "#define EBPH_LSM_REFUSE 1\n#define EBPH_SUSPEND_EXECVE 12\n"
			 "/* program */\n");
	free(t);
}
END_TEST

Suite *lsm_suite(void)
{
	Suite *s = suite_create("lsm");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lsm_list_has);
	tcase_add_test(tc, test_lsm_kconfig);
	tcase_add_test(tc, test_lsm_decide_active_with_bpf);
	tcase_add_test(tc, test_lsm_decide_active_without_bpf);
	tcase_add_test(tc, test_lsm_decide_not_built);
	tcase_add_test(tc, test_lsm_decide_missing_file);
	tcase_add_test(tc, test_lsm_text);
	suite_add_tcase(s, tc);
	return s;
}
