/* SPDX-License-Identifier: GPL-2.0-only */
/* scope.h: profile scope (ebph(8) PROFILE SCOPE): cgroup v2 paths <-> the
 * 64-bit scope of a profile key, and the "~c" suffix of PROFILE arguments. */
#ifndef EBPH_SCOPE_H
#define EBPH_SCOPE_H

#include <stddef.h>
#include <linux/types.h>

/*
 * The scope of a cgroup v2 path as the root cgroup namespace sees it
 * ("/system.slice/myapp.service"; empty names, as in "//a/", are skipped):
 * what the BPF program computes at exec (ph_scope_hash), 0 for "/".
 * -EINVAL if path does not start with '/'.
 */
int scope_of_path(const char *path, __u64 *scope);

/*
 * Split a PROFILE argument at its scope suffix: "X~cHEX" or "X~c/CGROUP"
 * (the last "~c" followed by a hex digit or '/'). X goes into base (len
 * bytes), the scope into *scope (0 when there is no suffix, or for
 * "~c/"). 0, -EINVAL (a bad suffix: not 1..16 hex digits or a path) or
 * -ENAMETOOLONG.
 */
int scope_split(const char *arg, char *base, size_t len, __u64 *scope);

/* Remember that scope names path (from a saved profile or a verified
 * event), for scope_path. */
void scope_remember(__u64 scope, const char *path);

/* Where scope_path finds saved profiles (state_dir), NULL: nowhere. */
void scope_set_dir(const char *dir);

/*
 * The cgroup path of scope: remembered, or found by walking the cgroup2
 * mount (at most once a second), else in the scope trailer of a saved
 * profile of that scope in the scope_set_dir directory; NULL if not known.
 * Valid until the next scope_* call.
 */
const char *scope_path(__u64 scope);

#endif
