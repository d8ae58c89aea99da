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

/* lsm_decide: the facts, what it decides (1: try the load) and why. The
 * active list (securityfs) decides; without it, lsm= of the boot command line,
 * else CONFIG_LSM; neither: unknown, hold. CONFIG_BPF_LSM unset: hold. */
static const struct {
	const char *active, *kconfig, *cmdline;
	int ok;
	const char *why;
} decide_cases[] = {
	{ "lockdown,capability,landlock,bpf\n", kconfig_y, NULL,
	  1, "lsm=lockdown,capability,landlock,bpf" },
	{ "lockdown,capability,yama,apparmor\n", kconfig_y, NULL,
	  0, "BPF LSM not enabled (lsm=lockdown,capability,yama,apparmor)" },
	{ "lockdown,capability,bpf\n", kconfig_no_bpf_lsm, NULL,
	  0, "the kernel is built without CONFIG_BPF_LSM" },
	{ NULL, kconfig_y, "console=ttyS0 quiet\n",
	  1, "CONFIG_LSM=landlock,lockdown,yama,integrity,apparmor,bpf" },
	{ NULL, kconfig_y, "ro lsm=capability,yama quiet -- lsm=bpf\n",
	  0, "BPF LSM not enabled (boot lsm=capability,yama)" },
	{ NULL, kconfig_default_no_bpf, "ro lsm=bpf,landlock\n", 1, "boot lsm=bpf,landlock" },
	{ NULL, kconfig_default_no_bpf, NULL,
	  0, "BPF LSM not enabled (CONFIG_LSM=landlock,lockdown,yama,integrity,apparmor)" },
	{ NULL, NULL, NULL, 0, "cannot tell whether the BPF LSM is active (no "
	  "/sys/kernel/security/lsm, no kernel config)" },
	/* no kernel config but an active list: the list decides */
	{ "capability,bpf", NULL, NULL, 1, "lsm=capability,bpf" },
};

START_TEST(test_lsm_decide)
{
	struct lsm_facts f = { .active = decide_cases[_i].active,
			       .kconfig = decide_cases[_i].kconfig,
			       .cmdline = decide_cases[_i].cmdline };
	char why[LSM_WHY_MAX];

	ck_assert_int_eq(lsm_decide(&f, why, sizeof(why)), decide_cases[_i].ok);
	ck_assert_str_eq(why, decide_cases[_i].why);
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
	tcase_add_loop_test(tc, test_lsm_decide, 0,
			    (int)(sizeof(decide_cases) / sizeof(decide_cases[0])));
	tcase_add_test(tc, test_lsm_text);
	suite_add_tcase(s, tc);
	return s;
}
