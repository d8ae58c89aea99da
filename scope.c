/* SPDX-License-Identifier: GPL-2.0-only */
/* scope.c: profile scope: cgroup v2 path <-> scope (the hash of ph.h), the
 * PROFILE suffix, and a cache of the cgroup paths of scopes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "syscalls.h"
#include "ebph.h"

/* Only ph.h's hash is used here: no profile is trained. */
#define PH_HOOKS_NONE
#include "ph.h"
#include "scope.h"
#include "store.h"

#define SCOPE_CACHE	1024	/* scopes whose path is remembered */

struct scope_entry {
	__u64 scope;	/* 0: empty */
	char *path;
};

static struct scope_entry scope_cache[SCOPE_CACHE];
static __u64 scope_scan_ns;	/* last walk of the cgroup tree (monotonic ns) */
static char scope_dir[4096];	/* saved profiles: state_dir, "" = none */
static size_t scope_root_len;	/* the walk's mount point length */

int scope_of_path(const char *path, __u64 *scope)
{
	union {
		__u64 w[EBPH_CGROUP_MAX / 8];
		char b[EBPH_CGROUP_MAX];
	} u = { { 0 } };
	char *buf = u.b;
	__u32 start = EBPH_CGROUP_MAX, depth = 0;
	const char *end, *name;
	size_t n;

	if (path[0] != '/')
		return -EINVAL;
	end = path + strlen(path);
	/* whole names from the leaf up, each with its '/', while they fit */
	while (end > path && depth < EBPH_CGROUP_DEPTH) {
		while (end > path && end[-1] == '/')
			end--;
		if (end == path)
			break;
		name = end;
		while (name > path && name[-1] != '/')
			name--;
		n = (size_t)(end - name);
		if (n + 1 > start)
			break;
		start -= n + 1;
		buf[start] = '/';
		memcpy(buf + start + 1, name, n);
		depth++;
		end = name;
	}
	*scope = ph_scope_hash(u.w, start);
	return 0;
}

int scope_split(const char *arg, char *base, size_t len, __u64 *scope)
{
	const char *c = NULL, *p;
	size_t n;
	int ret;

	*scope = 0;
	for (p = strstr(arg, "~c"); p; p = strstr(p + 1, "~c"))
		if (p[2] == '/' || (p[2] && strchr("0123456789abcdef", p[2])))
			c = p;
	n = c ? (size_t)(c - arg) : strlen(arg);
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(base, arg, n);
	base[n] = 0;
	if (!c)
		return 0;
	c += 2;
	if (*c == '/') {
		ret = scope_of_path(c, scope);
		if (!ret && *scope)
			scope_remember(*scope, c);
		return ret;
	}
	if (strspn(c, "0123456789abcdef") != strlen(c) || strlen(c) > 16)
		return -EINVAL;
	*scope = strtoull(c, NULL, 16);
	return *scope ? 0 : -EINVAL;
}

static struct scope_entry *scope_slot(__u64 scope)
{
	size_t i, h = (size_t)(scope % SCOPE_CACHE);

	for (i = 0; i < SCOPE_CACHE; i++) {
		struct scope_entry *e = &scope_cache[(h + i) % SCOPE_CACHE];

		if (e->scope == scope || !e->scope)
			return e;
	}
	return NULL;
}

void scope_remember(__u64 scope, const char *path)
{
	struct scope_entry *e;
	char *copy;

	if (!scope || !path)
		return;
	e = scope_slot(scope);
	if (!e || (e->scope && e->path && !strcmp(e->path, path)))
		return;
	copy = strdup(path);
	if (!copy)
		return;
	free(e->path);
	e->path = copy;
	e->scope = scope;
}

static int scope_scan_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const char *rel = path + scope_root_len;
	struct scope_entry *e;
	__u64 scope;

	(void)st;
	(void)ftw;
	if (flag != FTW_D || rel[0] != '/' || scope_of_path(rel, &scope) || !scope)
		return 0;
	e = scope_slot(scope);
	if (!e)
		return 1;	/* full: the rest stays unknown */
	if (!e->scope)
		scope_remember(scope, rel);
	return 0;
}

/* Walk the cgroup2 mount, remembering the scope of every cgroup. */
static void scope_scan(void)
{
	struct timespec ts;
	struct mntent *m;
	char root[4096] = "";
	FILE *f;
	__u64 now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (scope_scan_ns && now - scope_scan_ns < 1000000000ULL)
		return;
	scope_scan_ns = now;
	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2") && strlen(m->mnt_dir) < sizeof(root)) {
			strcpy(root, m->mnt_dir);
			break;
		}
	endmntent(f);
	if (!root[0])
		return;
	scope_root_len = strcmp(root, "/") ? strlen(root) : 0;
	nftw(root, scope_scan_one, 16, FTW_PHYS | FTW_MOUNT);
}

void scope_set_dir(const char *dir)
{
	snprintf(scope_dir, sizeof(scope_dir), "%s", dir ? dir : "");
}

/* The cgroup path in the scope trailer of a saved profile of scope, if one
 * of scope_dir's files says it: remembered. */
static void scope_saved(__u64 scope)
{
	char suffix[32], path[sizeof(scope_dir) + 300], err[256];
	struct store_profile *p;
	struct dirent *d;
	size_t n, sl;
	void *buf;
	DIR *dir;
	FILE *f;
	long len;

	if (!scope_dir[0])
		return;
	dir = opendir(scope_dir);
	if (!dir)
		return;
	sl = (size_t)snprintf(suffix, sizeof(suffix), "~c%llx.prof", (unsigned long long)scope);
	p = malloc(sizeof(*p));
	while (p && (d = readdir(dir))) {
		n = strlen(d->d_name);
		if (n <= sl || strcmp(d->d_name + n - sl, suffix))
			continue;
		snprintf(path, sizeof(path), "%s/%s", scope_dir, d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		buf = NULL;
		len = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
		if (len > 0 && len < (64L << 20) && !fseek(f, 0, SEEK_SET) && (buf = malloc(len)) &&
		    fread(buf, 1, len, f) == (size_t)len &&
		    !store_decode(buf, len, 0, p, err, sizeof(err))) {
			if (p->key.scope == scope && p->cgroup[0])
				scope_remember(scope, p->cgroup);
			store_profile_free(p);
		}
		free(buf);
		fclose(f);
		if (scope_slot(scope) && scope_slot(scope)->scope == scope)
			break;
	}
	free(p);
	closedir(dir);
}

const char *scope_path(__u64 scope)
{
	struct scope_entry *e;

	if (!scope)
		return NULL;
	e = scope_slot(scope);
	if (!e || !e->scope) {
		scope_scan();
		e = scope_slot(scope);
	}
	if (e && !e->scope) {
		scope_saved(scope);
		e = scope_slot(scope);
	}
	return e && e->scope == scope ? e->path : NULL;
}
