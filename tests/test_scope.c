/* SPDX-License-Identifier: GPL-2.0-only */
/* test_scope.c: check suite for profile scope: the cgroup path hash (ph.h's,
 * as BPF computes it), the PROFILE suffix, the config key, the saved trailer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "syscalls.h"
#include "ebph.h"
#include "config.h"
#include "scope.h"
#include "store.h"

/* ph_scope_hash's definition computed independently (python3: the path
 * right-aligned in 512 zero bytes, struct.iter_unpack('<Q'), h = (h ^ w) *
 * prime mod 2^64, h ^= h >> 29; then fmix64). */
static const struct {
	const char *path;
	__u64 scope;
} known[] = {
	{ "/system.slice/myapp.service", 0x16af2db888f9be2fULL },
	{ "/a", 0xdba3b3bc938eabdaULL },
	{ "/user.slice/user-0.slice/session-1.scope", 0xe2d5d9aefb92999fULL },
};

START_TEST(test_scope_hash_known_values)
{
	__u64 s;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		ck_assert_int_eq(scope_of_path(known[i].path, &s), 0);
		ck_assert_msg(s == known[i].scope, "%s: %llx", known[i].path, (unsigned long long)s);
	}
	/* the same cgroup however it is spelled; the root is scope 0 */
	ck_assert_int_eq(scope_of_path("//system.slice///myapp.service/", &s), 0);
	ck_assert_uint_eq(s, known[0].scope);
	ck_assert_int_eq(scope_of_path("/", &s), 0);
	ck_assert_uint_eq(s, 0);
	ck_assert_int_eq(scope_of_path("system.slice", &s), -EINVAL);
	ck_assert_int_eq(scope_of_path("", &s), -EINVAL);
}
END_TEST

/* Deeper or longer than the BPF program reads: the lowest whole levels
 * that fit, as cgroup_scope() in bpf_prog.c.in builds them. */
START_TEST(test_scope_hash_truncation)
{
	char deep[512] = "", low[512] = "", lvl[16], name[300], longp[1200], tail[1200];
	__u64 a, b;
	int i;

	for (i = 0; i < EBPH_CGROUP_DEPTH + 8; i++) {
		snprintf(lvl, sizeof(lvl), "/l%d", i);
		strcat(deep, lvl);
		if (i >= 8)
			strcat(low, lvl);
	}
	ck_assert_int_eq(scope_of_path(deep, &a), 0);
	ck_assert_int_eq(scope_of_path(low, &b), 0);
	ck_assert_uint_eq(a, b);
	/* three names of 200 bytes: only the last two fit in 511 bytes */
	memset(name, 'x', 200);
	name[200] = 0;
	snprintf(longp, sizeof(longp), "/a%s/b%s/c%s", name, name, name);
	snprintf(tail, sizeof(tail), "/b%s/c%s", name, name);
	ck_assert_int_eq(scope_of_path(longp, &a), 0);
	ck_assert_int_eq(scope_of_path(tail, &b), 0);
	ck_assert_uint_eq(a, b);
}
END_TEST

START_TEST(test_scope_split)
{
	char base[64];
	__u64 s;

	ck_assert_int_eq(scope_split("2049:131", base, sizeof(base), &s), 0);
	ck_assert_str_eq(base, "2049:131");
	ck_assert_uint_eq(s, 0);
	ck_assert_int_eq(scope_split("2049:131~cab12", base, sizeof(base), &s), 0);
	ck_assert_str_eq(base, "2049:131");
	ck_assert_uint_eq(s, 0xab12);
	ck_assert_int_eq(scope_split("2049:131~s5~c16af2db888f9be2f", base, sizeof(base), &s), 0);
	ck_assert_str_eq(base, "2049:131~s5");
	ck_assert_uint_eq(s, known[0].scope);
	ck_assert_int_eq(scope_split("/usr/bin/x~c/system.slice/myapp.service", base, sizeof(base),
				     &s), 0);
	ck_assert_str_eq(base, "/usr/bin/x");
	ck_assert_uint_eq(s, known[0].scope);
	ck_assert_int_eq(scope_split("/usr/bin/x~c/", base, sizeof(base), &s), 0);
	ck_assert_uint_eq(s, 0);
	/* "~c" not followed by hex or '/' is part of the name */
	ck_assert_int_eq(scope_split("/opt/a~cx/prog", base, sizeof(base), &s), 0);
	ck_assert_str_eq(base, "/opt/a~cx/prog");
	ck_assert_uint_eq(s, 0);
	ck_assert_int_eq(scope_split("2049:131~c0", base, sizeof(base), &s), -EINVAL);
	ck_assert_int_eq(scope_split("2049:131~c12g", base, sizeof(base), &s), -EINVAL);
	ck_assert_int_eq(scope_split("2049:131~c12345678901234567", base, sizeof(base), &s),
			 -EINVAL);
	ck_assert_int_eq(scope_split("2049:131~cab", base, 4, &s), -ENAMETOOLONG);
}
END_TEST

/* profile_scope: validated like every key; the path of a known scope. */
START_TEST(test_scope_config_key)
{
	struct ebph_config c;
	char err[256];
	const char *s;

	cfg_defaults(&c);
	ck_assert_uint_eq(c.profile_scope, CFG_SCOPE_EXECUTABLE);
	s = "profile_scope: cgroup\n";
	ck_assert_int_eq(cfg_load_string(&c, s, strlen(s), "t", err, sizeof(err)), 0);
	ck_assert_uint_eq(c.profile_scope, CFG_SCOPE_CGROUP);
	s = "profile_scope: container\n";
	ck_assert_int_eq(cfg_load_string(&c, s, strlen(s), "t", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "t:1:16: profile_scope: expected executable or cgroup, got "
			 "'container'");
	ck_assert_uint_eq(c.profile_scope, CFG_SCOPE_CGROUP);	/* untouched */
	s = "profile_scope: 1\n";
	ck_assert_int_eq(cfg_load_string(&c, s, strlen(s), "t", err, sizeof(err)), -EINVAL);
	scope_remember(0x1234, "/remembered.slice");
	ck_assert_str_eq(scope_path(0x1234), "/remembered.slice");
	ck_assert_ptr_null(scope_path(0));
}
END_TEST

static void scoped_profile(struct store_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->key.dev = (254ULL << 20) | 1;
	p->key.ino = 4242;
	p->train_count = 10;
	p->last_mod_count = 3;
	strcpy(p->path, "/usr/bin/python3");
}

/* The scope trailer (flag bit 2): scope and cgroup path round-trip; the
 * file name says the scope; no scope, no trailer (the file as before);
 * a corrupt trailer is refused with a clear reason. */
START_TEST(test_scope_store_trailer)
{
	struct store_profile p, q;
	char err[256], name[128];
	size_t len, plain;
	__u8 *b;
	void *v;

	scoped_profile(&p);
	ck_assert_int_eq(store_encode(&p, 9, &v, &plain), 0);
	b = v;
	ck_assert_uint_eq(b[32] & 4, 0);
	free(b);
	p.key.scope = known[0].scope;
	strcpy(p.cgroup, known[0].path);
	ck_assert_int_eq(store_encode(&p, 9, &v, &len), 0);
	b = v;
	ck_assert_uint_eq(b[32], 4);
	ck_assert_uint_eq(len, plain + 10 + strlen(known[0].path));
	ck_assert_int_eq(store_decode(b, len, 9, &q, err, sizeof(err)), 0);
	ck_assert_uint_eq(q.key.scope, known[0].scope);
	ck_assert_str_eq(q.cgroup, known[0].path);
	store_profile_free(&q);
	store_file_name(&p.key, name, sizeof(name));
	ck_assert_str_eq(name, "fe00001-1092~c16af2db888f9be2f.prof");
	p.key.script = 0x5;
	store_file_name(&p.key, name, sizeof(name));
	ck_assert_str_eq(name, "fe00001-1092~s5~c16af2db888f9be2f.prof");
	p.key.script = 0;
	free(b);

	/* a scope whose path is not known: the trailer has no path */
	p.cgroup[0] = 0;
	ck_assert_int_eq(store_encode(&p, 9, &v, &len), 0);
	b = v;
	ck_assert_uint_eq(len, plain + 10);
	ck_assert_int_eq(store_decode(b, len, 9, &q, err, sizeof(err)), 0);
	ck_assert_uint_eq(q.key.scope, known[0].scope);
	ck_assert_str_eq(q.cgroup, "");
	store_profile_free(&q);
	free(b);

	/* a path that is not the scope's is refused, writing and reading */
	strcpy(p.cgroup, "/other.slice");
	ck_assert_int_eq(store_encode(&p, 9, &v, &len), -EINVAL);
	p.key.scope = 0;
	ck_assert_int_eq(store_encode(&p, 9, &v, &len), -EINVAL);
}
END_TEST

/* Corrupt trailers, with a valid checksum (so the trailer check speaks). */
static void refix_crc(__u8 *b, size_t len);

START_TEST(test_scope_store_corrupt_trailer)
{
	struct store_profile p, q;
	char err[256];
	size_t len;
	__u8 *b;
	void *v;

	scoped_profile(&p);
	p.key.scope = known[1].scope;
	strcpy(p.cgroup, known[1].path);	/* "/a" */
	ck_assert_int_eq(store_encode(&p, 9, &v, &len), 0);
	b = v;
	/* the path's byte changed: "/b" is not scope dba3... */
	b[len - 1] = 'b';
	refix_crc(b, len);
	ck_assert_int_eq(store_decode(b, len, 9, &q, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "scope: cgroup path '/b' is not that of scope dba3b3bc938eabda");
	b[len - 1] = 'a';
	/* scope 0 */
	memset(b + len - 12, 0, 8);
	refix_crc(b, len);
	ck_assert_int_eq(store_decode(b, len, 9, &q, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "scope trailer: scope 0");
	free(b);
	/* the path's length runs past the payload */
	ck_assert_int_eq(store_encode(&p, 9, &v, &len), 0);
	b = v;
	b[len - 4] = 9;
	refix_crc(b, len);
	ck_assert_int_eq(store_decode(b, len, 9, &q, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "scope trailer: cgroup path of 9 bytes (at most 511, 2 left)");
	free(b);
}
END_TEST

#include <zlib.h>

static void refix_crc(__u8 *b, size_t len)
{
	uLong c = crc32(0L, b, 44);
	__u32 v;

	c = crc32(c, b + 48, (uInt)(len - 48));
	v = (__u32)c;
	memcpy(b + 44, &v, 4);
}

Suite *scope_suite(void)
{
	Suite *s = suite_create("scope");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_scope_hash_known_values);
	tcase_add_test(tc, test_scope_hash_truncation);
	tcase_add_test(tc, test_scope_split);
	tcase_add_test(tc, test_scope_config_key);
	tcase_add_test(tc, test_scope_store_trailer);
	tcase_add_test(tc, test_scope_store_corrupt_trailer);
	suite_add_tcase(s, tc);
	return s;
}
