/* SPDX-License-Identifier: GPL-2.0-only */
/* key.c: a profile's key as the commands take it (PROFILE: a path or
 * DEV:INO; output.c's out_key_str prints it). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "admin_int.h"
#include "output.h"
#include "scope.h"

/* User-space dev_t (stat's st_dev) to the kernel's (major << 20 | minor). */
static __u64 admin_kernel_dev(__u64 udev)
{
	return ((__u64)major(udev) << 20) | (minor(udev) & 0xfffff);
}

/* "DEV:INO" as ebph prints it (user-space dev, decimal), with "~sHEX" for a
 * script's profile -> kernel key. 0, or -EINVAL if s is not of that form. */
static int admin_parse_key(const char *s, struct ebph_key *key)
{
	unsigned long long dev, ino, script = 0;
	const char *p, *tilde = strstr(s, "~s");
	char *end;

	memset(key, 0, sizeof(*key));
	if (tilde) {
		if (!tilde[2] || strspn(tilde + 2, "0123456789abcdef") != strlen(tilde + 2) ||
		    strlen(tilde + 2) > 16)
			return -EINVAL;
		script = strtoull(tilde + 2, NULL, 16);
		if (!script)
			return -EINVAL;
	}
	for (p = s; *p && p != tilde; p++)
		if ((*p < '0' || *p > '9') && *p != ':')
			return -EINVAL;
	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	dev = strtoull(s, &end, 10);
	if (errno || *end != ':' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	ino = strtoull(end + 1, &end, 10);
	if (errno || (tilde ? end != tilde : *end != 0))
		return -EINVAL;
	if (major(dev) > 0xfff || minor(dev) > 0xfffff || !ino)
		return -EINVAL;
	key->dev = admin_kernel_dev(dev);
	key->ino = ino;
	key->script = script;
	return 0;
}

/* PROFILE (a path or DEV:INO, then "~cHEX" or "~c/CGROUP" for a profile
 * scope) -> key. 0, or 1 with a message. */
int target_key(const char *arg, struct ebph_key *key)
{
	char target[PATH_MAX];
	struct stat st;
	__u64 scope;
	int ret;

	memset(key, 0, sizeof(*key));
	ret = scope_split(arg, target, sizeof(target), &scope);
	if (ret) {
		out_warn("ebph: %s: %s (a scope is ~c and 1 to 16 hex digits, or ~c/ and a "
			 "cgroup path)", arg, ret == -EINVAL ? "bad scope" : strerror(-ret));
		return 1;
	}
	if (!admin_parse_key(target, key)) {
		key->scope = scope;
		return 0;
	}
	if (stat(target, &st)) {
		out_warn("ebph: %s: %s (PROFILE is an executable's path or DEV:INO)",
			target, strerror(errno));
		return 1;
	}
	if (!S_ISREG(st.st_mode)) {
		out_warn("ebph: %s: not a regular file (PROFILE is an executable's path "
			"or DEV:INO)", target);
		return 1;
	}
	if (!st.st_nlink) {
		/* no link left (memfd, a deleted file): the one profile of its
		 * kind, by the rule the BPF program applies at exec */
		char link[PATH_MAX];
		ssize_t n = readlink(target, link, sizeof(link) - 1);
		const char *base;

		link[n > 0 ? n : 0] = 0;
		base = strrchr(link, '/');
		key->dev = EBPH_ANON_DEV;
		key->ino = !strncmp(base ? base + 1 : link, "memfd:", 6) ? EBPH_ANON_MEMFD :
		      EBPH_ANON_UNLINKED;
		key->scope = scope;
		return 0;
	}
	key->dev = admin_kernel_dev(st.st_dev);
	key->ino = st.st_ino;
	key->scope = scope;
	return 0;
}
