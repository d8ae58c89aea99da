/* SPDX-License-Identifier: GPL-2.0-only */
/* lsm.h: how an execve of a high-LFC task is stopped (response: suspend_execve):
 * refused with -EPERM by a BPF LSM program where the kernel allows one, else
 * held with ptrace (response.c); the start-up check that decides it. */
#ifndef EBPH_LSM_H
#define EBPH_LSM_H

#include <stddef.h>
#include <linux/types.h>

#define LSM_WHY_MAX	256	/* bytes of the reason for the mode, with its NUL */
#define LSM_HOOK	"bprm_check_security"	/* the LSM hook ebph's program uses */

/* Where the facts come from. */
#define LSM_ACTIVE_FILE	"/sys/kernel/security/lsm"
#define LSM_KCONFIG_GZ	"/proc/config.gz"

/* What the start-up check learnt, as text (NULL: could not be read). */
struct lsm_facts {
	const char *active;	/* LSM_ACTIVE_FILE: the active LSMs, comma-separated */
	const char *kconfig;	/* the kernel's .config (/proc/config.gz or /boot/config-R) */
	const char *cmdline;	/* /proc/cmdline (lsm= overrides CONFIG_LSM) */
};

/* 1 if name is one of the comma-separated names of list, else 0. */
int lsm_list_has(const char *list, const char *name);

/* The value of KEY in a kernel config text ("KEY=value", quotes removed)
 * into val. 0, or -ENOENT (absent or "# KEY is not set"). */
int lsm_kconfig(const char *text, const char *key, char *val, size_t len);

/*
 * From the facts: may a BPF LSM program stop execve here? 1 (the load is to
 * be tried; why names the LSM list), or 0 with why saying what is missing
 * (CONFIG_BPF_LSM not set, "bpf" not in the active LSMs, or unknown). The
 * active list is LSM_ACTIVE_FILE's, else lsm= of the command line, else
 * CONFIG_LSM.
 */
int lsm_decide(const struct lsm_facts *f, char *why, size_t len);

/*
 * The start-up check: read the facts, and if they allow it, load and attach
 * a program that does nothing on LSM_HOOK and detach it again. Returns 1
 * (refuse mode possible; *btf_id the hook's BTF id) or 0 (hold mode), why
 * saying which and why in either case.
 */
int lsm_check(__u32 *btf_id, char *why, size_t len);

/*
 * Load insns (bytes long, a bcc-compiled function) as a BPF LSM program on
 * the hook btf_id and attach it. Returns the program fd and sets *link, or
 * -errno (the kernel's refusal).
 */
int lsm_load(const void *insns, size_t bytes, const char *license, __u32 btf_id, int *link);

/* The text filled from the template, with the LSM program switched on
 * (suspend_execve: the LFC it refuses at). malloc'd, NULL: out of memory. */
char *lsm_text(const char *text, __u32 suspend_execve);

#endif
