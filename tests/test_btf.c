/* SPDX-License-Identifier: GPL-2.0-only */
/* test_btf.c: BTF loading (libbpf), member offsets and their errors (btf.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/stat.h>
#include <check.h>
#include <stddef.h>
#include <bpf/btf.h>

#include "btf.h"

#if __has_include(<bpf/libbpf_version.h>)
#include <bpf/libbpf_version.h>
#endif
#ifndef LIBBPF_MAJOR_VERSION		/* before 0.6: no version macros */
#define LIBBPF_MAJOR_VERSION 0
#define LIBBPF_MINOR_VERSION 0
#endif
#define BT_LIBBPF_AT_LEAST(maj, min) (LIBBPF_MAJOR_VERSION > (maj) || \
	(LIBBPF_MAJOR_VERSION == (maj) && LIBBPF_MINOR_VERSION >= (min)))
#if !BT_LIBBPF_AT_LEAST(0, 7)
#define btf__type_cnt(b) (btf__get_nr_types(b) + 1)
#endif
#if !BT_LIBBPF_AT_LEAST(0, 8)
#define btf__raw_data btf__get_raw_data
#endif

#define MEM "BTF data in memory"

/* Blobs are built with libbpf's BTF writer (btf__new_empty, btf__add_*). */

/* A mutable view of type id of a BTF being built, to write what libbpf refuses to. */
static struct btf_type *bt_mut(struct btf *b, __u32 id)
{
	return (struct btf_type *)btf__type_by_id(b, id);
}

static __u32 bt_check(int id)
{
	ck_assert_msg(id > 0, "libbpf btf__add_*: %d", id);
	return (__u32)id;
}

/* A struct or union with n members {name, type, bit offset, bitfield size}. */
struct bt_member {
	const char *name;	/* NULL: anonymous */
	__u32 type;
	__u32 bit_off;
	__u32 bitfield;
};

static __u32 bt_composite(struct btf *b, bool is_union, const char *name, __u32 size,
			  const struct bt_member *m, __u32 n)
{
	__u32 i, id = bt_check(is_union ? btf__add_union(b, name, size) :
				btf__add_struct(b, name, size));

	for (i = 0; i < n; i++)
		ck_assert_int_eq(btf__add_field(b, m[i].name, m[i].type, m[i].bit_off,
						m[i].bitfield), 0);
	return id;
}

/* The whole raw blob (header, types, strings), malloc'ed to the exact size. */
static char *bt_blob(struct btf *b, size_t *size)
{
	__u32 n = 0;
	const void *raw = btf__raw_data(b, &n);
	char *blob;

	ck_assert_ptr_nonnull(raw);
	blob = malloc(n);
	ck_assert_ptr_nonnull(blob);
	memcpy(blob, raw, n);
	*size = n;
	btf__free(b);
	return blob;
}

static struct btf_header *bb_hdr(char *blob)
{
	return (struct btf_header *)blob;
}

/* Byte offset in the blob of type id (ids are laid out in order after the header). */
static size_t bt_type_off(struct btf *b, __u32 id)
{
	return sizeof(struct btf_header) +
	       (size_t)((const char *)btf__type_by_id(b, id) - (const char *)btf__type_by_id(b, 1));
}

/*
 * The sample: every kind, the variable-length ones before the structs, so a
 * wrong skip shifts every later id. Offsets in comments are in bytes.
 */
static struct btf *bt_sample(void)
{
	__u32 t_int, t_long, t_ptr, t_arr, t_proto, t_enum, t_var, t_rptr;
	__u32 t_inner, t_inner_t, t_cinner, t_vinner, t_tagged, t_anon_u, t_anon_s, t_u3, t_loop;
	__u32 t_self, t_legacy;
	struct btf *b = btf__new_empty();
	struct btf_member *lm;

	ck_assert_ptr_nonnull(b);
	t_int = bt_check(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	t_long = bt_check(btf__add_int(b, "long", 8, BTF_INT_SIGNED));
	t_ptr = bt_check(btf__add_ptr(b, t_long));
	t_arr = bt_check(btf__add_array(b, t_int, t_int, 4));
	t_proto = bt_check(btf__add_func_proto(b, t_int));
	ck_assert_int_eq(btf__add_func_param(b, "a", t_int), 0);
	ck_assert_int_eq(btf__add_func_param(b, "b", t_long), 0);
	t_enum = bt_check(btf__add_enum(b, "color", 4));
	ck_assert_int_eq(btf__add_enum_value(b, "RED", 0), 0);
	ck_assert_int_eq(btf__add_enum_value(b, "GREEN", 1), 0);
	ck_assert_int_eq(btf__add_enum_value(b, "BLUE", 2), 0);
#if BT_LIBBPF_AT_LEAST(1, 0)
	bt_check(btf__add_enum64(b, "big", 8, false));
	ck_assert_int_eq(btf__add_enum64_value(b, "HUGE", 0x8000000000000000ull), 0);
	ck_assert_int_eq(btf__add_enum64_value(b, "TINY", 0x8000000000000001ull), 0);
#endif
	bt_check(btf__add_fwd(b, "fwd_only", BTF_FWD_STRUCT));
	bt_check(btf__add_func(b, "do_thing", BTF_FUNC_STATIC, t_proto));
	t_var = bt_check(btf__add_var(b, "global_var", BTF_VAR_GLOBAL_ALLOCATED, t_int));
	bt_check(btf__add_datasec(b, ".data", 4));
	ck_assert_int_eq(btf__add_datasec_var_info(b, t_var, 0, 4), 0);
#if BT_LIBBPF_AT_LEAST(0, 4)
	bt_check(btf__add_float(b, "double", 8));
#endif
#if BT_LIBBPF_AT_LEAST(0, 6)
	bt_check(btf__add_decl_tag(b, "tag", t_var, -1));
#endif
	t_rptr = bt_check(btf__add_restrict(b, t_ptr));

	/* struct inner { long x; int y; }: x 0, y 8 */
	t_inner = bt_composite(b, false, "inner", 16, (const struct bt_member[]){
		{ "x", t_long, 0, 0 }, { "y", t_int, 64, 0 } }, 2);
	t_inner_t = bt_check(btf__add_typedef(b, "inner_t", t_inner));
	t_cinner = bt_check(btf__add_const(b, t_inner_t));
	t_vinner = bt_check(btf__add_volatile(b, t_inner_t));
#if BT_LIBBPF_AT_LEAST(0, 6)
	t_tagged = bt_check(btf__add_type_tag(b, "user", t_vinner));
#else
	t_tagged = t_vinner;
#endif
	/* union { int u1; long u2; } */
	t_anon_u = bt_composite(b, true, NULL, 8, (const struct bt_member[]){
		{ "u1", t_int, 0, 0 }, { "u2", t_long, 0, 0 } }, 2);
	/* struct { int a1; union {...}; }: a1 0, the union 8 */
	t_anon_s = bt_composite(b, false, NULL, 16, (const struct bt_member[]){
		{ "a1", t_int, 0, 0 }, { NULL, t_anon_u, 64, 0 } }, 2);
	/* struct outer, with kind_flag (it has a bitfield): byte offsets below */
	bt_composite(b, false, "outer", 104, (const struct bt_member[]){
		{ "first", t_int, 0, 0 },		/* 0 */
		{ "arr", t_arr, 32, 0 },		/* 4 */
		{ "p", t_ptr, 192, 0 },			/* 24 */
		{ "nested", t_cinner, 256, 0 },		/* 32 */
		{ NULL, t_anon_s, 384, 0 },		/* 48: a1 48, u1/u2 56 */
		{ "flags", t_int, 512, 3 },		/* bitfield */
		{ "last", t_int, 544, 0 },		/* 68 */
		{ "tagged", t_tagged, 576, 0 },		/* 72 */
		{ "rp", t_rptr, 704, 0 },		/* 88 */
		{ "color", t_enum, 768, 0 },		/* 96 */
	}, 10);
	/* No kind_flag: a bitfield is an int whose bits differ from its size.
	 * libbpf writes neither a 3-bit int nor an unaligned plain member:
	 * patch them in. */
	t_u3 = bt_check(btf__add_int(b, "u3", 4, BTF_INT_SIGNED));
	*(__u32 *)(bt_mut(b, t_u3) + 1) = BTF_INT_SIGNED << 24 | 3;
	t_legacy = bt_composite(b, false, "legacy", 8, (const struct bt_member[]){
		{ "bits", t_u3, 0, 0 }, { "odd", t_int, 8, 0 }, { "ok", t_int, 32, 0 } }, 3);
	lm = btf_members(bt_mut(b, t_legacy));
	lm[1].offset = 4;
	bt_composite(b, true, "U", 8, (const struct bt_member[]){
		{ "a", t_int, 0, 0 }, { "b", t_long, 0, 0 } }, 2);
	/* Duplicates: an empty one first, then the real one; two real ones. */
	bt_composite(b, false, "dup", 0, NULL, 0);
	bt_composite(b, false, "dup", 16, (const struct bt_member[]){
		{ "d0", t_long, 0, 0 }, { "d", t_long, 64, 0 } }, 2);
	bt_composite(b, false, "twice", 4, (const struct bt_member[]){ { "t1", t_int, 0, 0 } }, 1);
	bt_composite(b, false, "twice", 8, (const struct bt_member[]){
		{ "t0", t_int, 0, 0 }, { "t1", t_int, 32, 0 } }, 2);
	/* Loops a corrupt blob could contain: a self-typedef, a self-nesting anon struct. */
	t_loop = btf__type_cnt(b);
	bt_check(btf__add_typedef(b, "loop", t_loop));
	bt_composite(b, false, "looped", 8, (const struct bt_member[]){ { "lp", t_loop, 0, 0 } }, 1);
	t_self = btf__type_cnt(b);
	bt_composite(b, false, NULL, 8, (const struct bt_member[]){ { NULL, t_self, 0, 0 } }, 1);
	bt_composite(b, false, "selfish", 8, (const struct bt_member[]){
		{ NULL, t_self, 0, 0 }, { "s", t_int, 32, 0 } }, 2);
	/* two anonymous members of itself: 2^depth paths without a limit */
	t_self = btf__type_cnt(b);
	bt_composite(b, false, NULL, 8, (const struct bt_member[]){
		{ NULL, t_self, 0, 0 }, { NULL, t_self, 0, 0 } }, 2);
	bt_composite(b, false, "bomb", 8, (const struct bt_member[]){ { NULL, t_self, 0, 0 } }, 1);
	bt_composite(b, false, "tail", 8, (const struct bt_member[]){ { "x", t_int, 32, 0 } }, 1);
	return b;
}

static char *sample_blob(size_t *size)
{
	return bt_blob(bt_sample(), size);
}

static struct ebph_btf *sample_open(void)
{
	struct ebph_btf *btf = NULL;
	char err[256] = "", *blob;
	size_t size;
	int ret;

	blob = sample_blob(&size);
	ret = kbtf_open_mem(&btf, blob, size, err, sizeof(err));
	free(blob);
	ck_assert_msg(ret == 0, "btf_open_mem: %d %s", ret, err);
	ck_assert_ptr_nonnull(btf);
	return btf;
}

/* Offset of type.members, asserting success. */
static __u32 off_ok(const struct ebph_btf *btf, const char *type, const char *members)
{
	char err[256] = "";
	__u32 off = 0xdeadbeef;
	int ret = kbtf_offset(btf, type, members, &off, err, sizeof(err));

	ck_assert_msg(ret == 0, "%s.%s: %d %s", type, members, ret, err);
	return off;
}

/* Assert btf_offset fails with ret and exactly msg, and leaves *off alone. */
static void off_fails(const struct ebph_btf *btf, const char *type, const char *members, int ret,
		      const char *msg)
{
	char err[256] = "";
	__u32 off = 0xdeadbeef;

	ck_assert_int_eq(kbtf_offset(btf, type, members, &off, err, sizeof(err)), ret);
	ck_assert_str_eq(err, msg);
	ck_assert_uint_eq(off, 0xdeadbeef);
}

/* Enumerator values by enum and name; a missing enum or name is -ENOENT. */
START_TEST(test_btf_enum_value)
{
	struct ebph_btf *btf = sample_open();
	char err[256] = "";
	__u32 v = 99;

	ck_assert_int_eq(kbtf_enum_value(btf, "color", "GREEN", &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(kbtf_enum_value(btf, "color", "PINK", &v, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "BTF: enum color has no value 'PINK'");
	ck_assert_int_eq(kbtf_enum_value(btf, "colour", "GREEN", &v, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "BTF: no enum named 'colour'");
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_direct_member)
{
	struct ebph_btf *btf = sample_open();

	ck_assert_uint_eq(off_ok(btf, "outer", "first"), 0);
	ck_assert_uint_eq(off_ok(btf, "outer", "arr"), 4);
	ck_assert_uint_eq(off_ok(btf, "outer", "p"), 24);
	ck_assert_uint_eq(off_ok(btf, "outer", "nested"), 32);
	ck_assert_uint_eq(off_ok(btf, "outer", "last"), 68);
	ck_assert_uint_eq(off_ok(btf, "outer", "rp"), 88);
	ck_assert_uint_eq(off_ok(btf, "outer", "color"), 96);
	ck_assert_uint_eq(off_ok(btf, "inner", "y"), 8);
	ck_assert_uint_eq(off_ok(btf, "legacy", "ok"), 4);
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_nested_chain_through_typedef)
{
	struct ebph_btf *btf = sample_open();

	/* const -> typedef -> struct inner */
	ck_assert_uint_eq(off_ok(btf, "outer", "nested.x"), 32);
	ck_assert_uint_eq(off_ok(btf, "outer", "nested.y"), 40);
	/* type_tag -> volatile -> typedef -> struct inner */
	ck_assert_uint_eq(off_ok(btf, "outer", "tagged.y"), 80);
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_anonymous_members)
{
	struct ebph_btf *btf = sample_open();

	ck_assert_uint_eq(off_ok(btf, "outer", "a1"), 48);
	/* in an anonymous union inside an anonymous struct */
	ck_assert_uint_eq(off_ok(btf, "outer", "u1"), 56);
	ck_assert_uint_eq(off_ok(btf, "outer", "u2"), 56);
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_union_type)
{
	struct ebph_btf *btf = sample_open();

	ck_assert_uint_eq(off_ok(btf, "U", "a"), 0);
	ck_assert_uint_eq(off_ok(btf, "U", "b"), 0);
	off_fails(btf, "U", "c", -ENOENT, "BTF: union U has no member 'c'");
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_variable_kinds_skipped)
{
	struct ebph_btf *btf = sample_open();

	/* the last type: every earlier kind was sized right */
	ck_assert_uint_eq(off_ok(btf, "tail", "x"), 4);
	/* none of the other kinds is taken for a struct */
	off_fails(btf, "color", "RED", -ENOENT, "BTF: no struct or union named 'color'");
	off_fails(btf, "big", "HUGE", -ENOENT, "BTF: no struct or union named 'big'");
	off_fails(btf, "fwd_only", "x", -ENOENT, "BTF: no struct or union named 'fwd_only'");
	off_fails(btf, "inner_t", "x", -ENOENT, "BTF: no struct or union named 'inner_t'");
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_duplicate_names)
{
	struct ebph_btf *btf = sample_open();

	/* the first with members, not the empty one before it */
	ck_assert_uint_eq(off_ok(btf, "dup", "d"), 8);
	/* of two with members, the first */
	ck_assert_uint_eq(off_ok(btf, "twice", "t1"), 0);
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_bitfield_einval)
{
	struct ebph_btf *btf = sample_open();

	off_fails(btf, "outer", "flags", -EINVAL, "BTF: outer.flags is a bitfield");
	off_fails(btf, "legacy", "bits", -EINVAL, "BTF: legacy.bits is a bitfield");
	off_fails(btf, "legacy", "odd", -EINVAL,
		  "BTF: legacy.odd is not byte-aligned (bit offset 4)");
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_missing_enoent)
{
	struct ebph_btf *btf = sample_open();

	off_fails(btf, "outer", "nope", -ENOENT, "BTF: struct outer has no member 'nope'");
	off_fails(btf, "nope", "x", -ENOENT, "BTF: no struct or union named 'nope'");
	off_fails(btf, "struct outer", "first", -ENOENT,
		  "BTF: no struct or union named 'struct outer'");
	off_fails(btf, "outer", "nested.zz", -ENOENT,
		  "BTF: struct inner has no member 'zz' (in outer.nested.zz)");
	off_fails(btf, "outer", "firs", -ENOENT, "BTF: struct outer has no member 'firs'");
	off_fails(btf, "outer", "first.x", -ENOENT,
		  "BTF: outer.first is an int, not a struct or union");
	off_fails(btf, "outer", "p.x", -ENOENT, "BTF: outer.p is a pointer, not a struct or union");
	off_fails(btf, "outer", "arr.x", -ENOENT,
		  "BTF: outer.arr is an array, not a struct or union");
	off_fails(btf, "dup", "x", -ENOENT, "BTF: struct dup has no member 'x'");
	/* loops in the types end */
	off_fails(btf, "looped", "lp.x", -ENOENT, "BTF: looped.lp is not a struct or union");
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_anonymous_loop_einval)
{
	struct ebph_btf *btf = sample_open();

	off_fails(btf, "selfish", "zz", -EINVAL,
		  "BTF: selfish.zz: anonymous members nest too deeply or in a loop");
	off_fails(btf, "selfish", "s", -EINVAL,
		  "BTF: selfish.s: anonymous members nest too deeply or in a loop");
	off_fails(btf, "bomb", "zz", -EINVAL,
		  "BTF: bomb.zz: anonymous members nest too deeply or in a loop");
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_bad_member_chain)
{
	struct ebph_btf *btf = sample_open();
	char err[256];
	__u32 off;

	off_fails(btf, "outer", "", -EINVAL, "BTF: bad member chain '' for outer");
	off_fails(btf, "outer", "nested..y", -EINVAL,
		  "BTF: bad member chain 'nested..y' for outer");
	off_fails(btf, "outer", "nested.", -EINVAL, "BTF: bad member chain 'nested.' for outer");
	off_fails(btf, "outer", ".first", -EINVAL, "BTF: bad member chain '.first' for outer");
	ck_assert_int_eq(kbtf_offset(btf, NULL, "x", &off, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(kbtf_offset(btf, "outer", NULL, &off, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(kbtf_offset(NULL, "outer", "first", &off, err, sizeof(err)), -EINVAL);
	/* no err buffer: still the right result */
	ck_assert_int_eq(kbtf_offset(btf, "outer", "nope", &off, NULL, 0), -ENOENT);
	kbtf_close(btf);
}
END_TEST

START_TEST(test_btf_open_mem_copies)
{
	struct ebph_btf *btf = NULL;
	char err[256] = "", *blob;
	size_t size;

	blob = sample_blob(&size);
	ck_assert_int_eq(kbtf_open_mem(&btf, blob, size, err, sizeof(err)), 0);
	memset(blob, 0xff, size);
	free(blob);
	ck_assert_uint_eq(off_ok(btf, "outer", "nested.y"), 40);
	kbtf_close(btf);
	kbtf_close(NULL);
}
END_TEST

/*
 * Open a corrupt blob: -EINVAL, no handle, one line naming the input, and
 * libbpf's reason containing want.
 */
static void mem_fails(const void *blob, size_t size, const char *want)
{
	struct ebph_btf *btf = (struct ebph_btf *)&btf;
	char err[512] = "";
	int ret;

	ret = kbtf_open_mem(&btf, blob, size, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "size %zu: ret %d, err '%s'", size, ret, err);
	ck_assert_ptr_null(btf);
	ck_assert_msg(strncmp(err, MEM ": not valid BTF: ", strlen(MEM ": not valid BTF: ")) == 0,
		      "err '%s'", err);
	ck_assert_msg(!strchr(err, '\n'), "err '%s' has a newline", err);
	if (want)
		ck_assert_msg(strstr(err, want), "size %zu: err '%s' lacks '%s'", size, err, want);
}

START_TEST(test_btf_bad_magic)
{
	struct btf_header h = { .magic = 0x1234, .version = 1, .hdr_len = sizeof(h) };
	char blob[sizeof(h) + 1] = "";

	memcpy(blob, &h, sizeof(h));
	mem_fails(blob, sizeof(blob), "magic");
	h.magic = 0x9feb;	/* the other byte order, with nothing in it */
	memcpy(blob, &h, sizeof(h));
	mem_fails(blob, sizeof(blob), NULL);
	mem_fails(blob, 0, NULL);
}
END_TEST

START_TEST(test_btf_truncated_every_length)
{
	size_t size, n;
	char *blob;

	blob = sample_blob(&size);
	for (n = 0; n < size; n++) {
		/* an exact-size copy, so that valgrind sees any overread */
		char *part = malloc(n ? n : 1);

		memcpy(part, blob, n);
		mem_fails(part, n, NULL);
		free(part);
	}
	mem_fails(blob, 10, NULL);
	mem_fails(blob, size - 1, NULL);
	free(blob);
}
END_TEST

START_TEST(test_btf_bad_header)
{
	size_t size;
	char *blob, *big;

	blob = sample_blob(&size);

	bb_hdr(blob)->version = 2;
	mem_fails(blob, size, "version");
	bb_hdr(blob)->version = 1;

	bb_hdr(blob)->hdr_len = 20;
	mem_fails(blob, size, "header length 20 is less than 24");
	bb_hdr(blob)->hdr_len = size + 1;
	mem_fails(blob, size, NULL);
	bb_hdr(blob)->hdr_len = 24;

	/* a longer header must be zero past the fields libbpf knows */
	big = calloc(1, size + 8);
	memcpy(big, blob, 24);
	memcpy(big + 32, blob + 24, size - 24);
	bb_hdr(big)->hdr_len = 32;
	big[30] = 1;
	mem_fails(big, size + 8, "unknown non-zero header fields");
	free(big);

	bb_hdr(blob)->type_off = 2;
	bb_hdr(blob)->type_len -= 2;
	mem_fails(blob, size, NULL);
	free(blob);
}
END_TEST

START_TEST(test_btf_open_mem_longer_header_ok)
{
	struct ebph_btf *btf = NULL;
	size_t size;
	char *blob, *big;

	blob = sample_blob(&size);
	big = calloc(1, size + 8);
	memcpy(big, blob, 24);
	memcpy(big + 32, blob + 24, size - 24);
	bb_hdr(big)->hdr_len = 32;
	ck_assert_int_eq(kbtf_open_mem(&btf, big, size + 8, NULL, 0), 0);
	ck_assert_uint_eq(off_ok(btf, "outer", "u2"), 56);
	kbtf_close(btf);
	free(big);
	free(blob);
}
END_TEST

START_TEST(test_btf_sections_out_of_range)
{
	size_t size;
	char *blob;
	struct btf_header *h, saved;

	blob = sample_blob(&size);
	h = bb_hdr(blob);
	saved = *h;

	h->type_len = size;
	mem_fails(blob, size, NULL);
	h->type_off = 0xfffffffc;		/* off + len wraps in 32 bits */
	h->type_len = 8;
	mem_fails(blob, size, NULL);
	*h = saved;

	h->str_len = saved.str_len + 1;
	mem_fails(blob, size, NULL);
	h->str_off = 0xffffffff;
	h->str_len = 2;
	mem_fails(blob, size, NULL);
	*h = saved;

	h->type_len += 4;			/* runs into the strings */
	mem_fails(blob, size, NULL);
	*h = saved;

	h->str_len = 0;
	mem_fails(blob, size, NULL);
	*h = saved;
	blob[size - 1] = 'x';			/* last string not terminated */
	mem_fails(blob, size, NULL);
	free(blob);
}
END_TEST

/* A small valid BTF: int (id 1), struct s { int a; int b; } (BT_S), enum e { V } (BT_E). */
#define BT_S	2
#define BT_E	3
static struct btf *bt_small(void)
{
	struct btf *b = btf__new_empty();

	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(btf__add_int(b, "int", 4, BTF_INT_SIGNED), 1);
	ck_assert_uint_eq(bt_composite(b, false, "s", 8, (const struct bt_member[]){
		{ "a", 1, 0, 0 }, { "b", 1, 32, 0 } }, 2), BT_S);
	ck_assert_int_eq(btf__add_enum(b, "e", 4), BT_E);
	ck_assert_int_eq(btf__add_enum_value(b, "V", 0), 0);
	return b;
}

/* Write the 32-bit value v at byte off of type id's record (off 0: btf_type). */
static char *bt_patched(struct btf *b, __u32 id, size_t off, __u32 v, size_t *size)
{
	size_t at = bt_type_off(b, id) + off;
	char *blob = bt_blob(b, size);

	ck_assert_uint_le(at + 4, *size);
	memcpy(blob + at, &v, 4);
	return blob;
}

START_TEST(test_btf_bad_string_offsets)
{
	size_t size;
	char *blob;

	/* a type name */
	blob = bt_patched(bt_small(), BT_S, 0, 100, &size);
	/* ebph's check (libbpf before 1.2) or libbpf's own wording */
	mem_fails(blob, size, "offset 100");
	free(blob);

	/* a member name */
	blob = bt_patched(bt_small(), BT_S, sizeof(struct btf_type) +
			  sizeof(struct btf_member), 4000, &size);
	mem_fails(blob, size, NULL);
	free(blob);

	/* an enum value name */
	blob = bt_patched(bt_small(), BT_E, sizeof(struct btf_type), 77, &size);
	mem_fails(blob, size, NULL);
	free(blob);
}
END_TEST

START_TEST(test_btf_bad_type_ids)
{
	struct btf *b;
	__u32 t_int, t;
	size_t size;
	char *blob;

	/* a pointer's type */
	b = btf__new_empty();
	t_int = bt_check(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	t = bt_check(btf__add_ptr(b, t_int));
	blob = bt_patched(b, t, offsetof(struct btf_type, type), 999, &size);
	mem_fails(blob, size, "999");
	free(blob);

	/* a member's type, one past the last id */
	blob = bt_patched(bt_small(), BT_S, sizeof(struct btf_type) +
			  offsetof(struct btf_member, type), 4, &size);
	mem_fails(blob, size, NULL);
	free(blob);

	/* an array's index type */
	b = btf__new_empty();
	t_int = bt_check(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	t = bt_check(btf__add_array(b, t_int, t_int, 4));
	blob = bt_patched(b, t, sizeof(struct btf_type) + offsetof(struct btf_array, index_type),
			  50, &size);
	mem_fails(blob, size, NULL);
	free(blob);

	/* a parameter's type */
	b = btf__new_empty();
	t_int = bt_check(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	t = bt_check(btf__add_func_proto(b, t_int));
	ck_assert_int_eq(btf__add_func_param(b, "x", t_int), 0);
	blob = bt_patched(b, t, sizeof(struct btf_type) + offsetof(struct btf_param, type), 7,
			  &size);
	mem_fails(blob, size, NULL);
	free(blob);
}
END_TEST

START_TEST(test_btf_truncated_trailing_data)
{
	size_t size;
	char *blob;

	/* a struct claiming 5 members with 2 present (and the enum after it) */
	blob = bt_patched(bt_small(), BT_S, offsetof(struct btf_type, info),
			  BTF_KIND_STRUCT << 24 | 5, &size);
	mem_fails(blob, size, NULL);
	free(blob);

	/* an enum claiming 3 values with 1 present, at the end */
	blob = bt_patched(bt_small(), BT_E, offsetof(struct btf_type, info),
			  BTF_KIND_ENUM << 24 | 3, &size);
	mem_fails(blob, size, NULL);
	free(blob);
}
END_TEST

START_TEST(test_btf_unknown_kind)
{
	size_t size;
	char *blob;

	blob = bt_patched(bt_small(), BT_E, offsetof(struct btf_type, info), 25u << 24,
			  &size);
	mem_fails(blob, size, NULL);
	free(blob);

	blob = bt_patched(bt_small(), BT_S, offsetof(struct btf_type, info), 0, &size);
	mem_fails(blob, size, NULL);
	free(blob);
}
END_TEST

START_TEST(test_btf_open_file)
{
	char path[] = "/tmp/test_btf_XXXXXX", err[512] = "", want[600];
	struct ebph_btf *btf = NULL;
	size_t size;
	char *blob;
	int fd;

	blob = sample_blob(&size);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, blob, size), (ssize_t)size);
	close(fd);
	ck_assert_int_eq(kbtf_open(&btf, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(off_ok(btf, "outer", "nested.y"), 40);
	kbtf_close(btf);

	/* a corrupt file is named in the message */
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, blob, 10), 10);
	close(fd);
	ck_assert_int_eq(kbtf_open(&btf, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not valid BTF: ", path);
	ck_assert_msg(!strncmp(err, want, strlen(want)), "err '%s'", err);
	ck_assert_ptr_null(btf);
	unlink(path);
	free(blob);

	ck_assert_int_eq(kbtf_open(&btf, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(btf);

	ck_assert_int_eq(kbtf_open(&btf, "/tmp", err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "/tmp: cannot read: Is a directory");
}
END_TEST

struct fifo_writer {
	const char *path;
	const char *data;
	size_t len;
	int ret;		/* 0 when all was written */
};

static void *fifo_write(void *arg)
{
	struct fifo_writer *w = arg;
	int fd = open(w->path, O_WRONLY);
	size_t done = 0;

	w->ret = fd < 0 ? -errno : 0;
	while (!w->ret && done < w->len) {
		ssize_t n = write(fd, w->data + done, w->len - done);

		if (n <= 0)
			w->ret = -EIO;
		else
			done += n;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* A FIFO has no size: the reader must grow its buffer (past 1 MiB here). */
START_TEST(test_btf_open_unsized_file)
{
	char dir[] = "/tmp/test_btf_XXXXXX", path[64], err[512] = "";
	struct fifo_writer w = { .path = path };
	struct ebph_btf *btf = NULL;
	size_t size;
	char *blob, *padded;
	pthread_t thread;

	blob = sample_blob(&size);
	/* bytes after the sections are allowed: pad to 3 MiB */
	w.len = 3 << 20;
	padded = calloc(1, w.len);
	ck_assert_ptr_nonnull(padded);
	memcpy(padded, blob, size);
	w.data = padded;
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(pthread_create(&thread, NULL, fifo_write, &w), 0);
	ck_assert_int_eq(kbtf_open(&btf, path, err, sizeof(err)), 0);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	ck_assert_int_eq(w.ret, 0);
	ck_assert_uint_eq(off_ok(btf, "outer", "u2"), 56);
	kbtf_close(btf);
	unlink(path);
	rmdir(dir);
	free(padded);
	free(blob);
}
END_TEST

/* The offsets ebph needs, as ebph.bpf.c.in reads them. */
static const char *const vmlinux_members[][2] = {
	{ "task_struct", "pid" },	{ "task_struct", "tgid" },
	{ "task_struct", "mm" },	{ "mm_struct", "exe_file" },
	{ "file", "f_inode" },		{ "file", "f_path.dentry" },
	{ "dentry", "d_name.name" },	{ "inode", "i_ino" },
	{ "inode", "i_sb" },		{ "super_block", "s_dev" },
	{ "linux_binprm", "file" },	{ "linux_binprm", "interp" },
	{ "linux_binprm", "filename" },	{ "pt_regs", "orig_ax" },
	{ "k_sigaction", "sa.sa_handler" }, { "k_sigaction", "sa.sa_flags" },
};

static struct ebph_btf *vmlinux_open(void)
{
	struct ebph_btf *btf = NULL;
	char err[512] = "";
	int ret;

	if (access(BTF_VMLINUX, R_OK)) {
		fprintf(stderr, "test_btf: skipped: %s is not readable\n", BTF_VMLINUX);
		return NULL;
	}
	ret = kbtf_open(&btf, BTF_VMLINUX, err, sizeof(err));
	if (ret == -EINVAL && !BT_LIBBPF_AT_LEAST(1, 0)) {
		/* a libbpf older than the running kernel's BTF kinds (a chroot of an
		 * old release on a new kernel): documented, not a fault here */
		fprintf(stderr, "test_btf: skipped: this libbpf cannot read %s: %s\n",
			BTF_VMLINUX, err);
		return NULL;
	}
	ck_assert_msg(ret == 0, "%d %s", ret, err);
	return btf;
}

START_TEST(test_btf_vmlinux_offsets)
{
	struct ebph_btf *btf = vmlinux_open();
	__u32 off[sizeof(vmlinux_members) / sizeof(vmlinux_members[0])];
	size_t i;

	if (!btf)
		return;
	for (i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		off[i] = off_ok(btf, vmlinux_members[i][0], vmlinux_members[i][1]);
		ck_assert_msg(off[i] < 16384, "%s.%s = %u", vmlinux_members[i][0],
			      vmlinux_members[i][1], off[i]);
	}
	/* layout facts that hold on every kernel */
	ck_assert_uint_eq(off[1], off[0] + 4);		/* tgid right after pid */
	ck_assert_uint_eq(off[14], 0);			/* sa_handler first */
	ck_assert_uint_ne(off[2], off[0]);
	off_fails(btf, "task_struct", "no_such_member", -ENOENT,
		  "BTF: struct task_struct has no member 'no_such_member'");
	off_fails(btf, "no_such_struct_xyz", "x", -ENOENT,
		  "BTF: no struct or union named 'no_such_struct_xyz'");
	kbtf_close(btf);
}
END_TEST

/* bpftool's raw dump of vmlinux BTF, whole, or NULL when bpftool is missing. */
static char *bpftool_dump(void)
{
	const char *tool = access("/usr/sbin/bpftool", X_OK) ? "bpftool" : "/usr/sbin/bpftool";
	size_t len = 0, cap = 16 << 20;
	char cmd[256], *buf;
	FILE *f;
	int status;

	snprintf(cmd, sizeof(cmd), "%s btf dump file %s 2>/dev/null", tool, BTF_VMLINUX);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	for (;;) {
		size_t n;

		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert_ptr_nonnull(buf);
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	status = pclose(f);
	if (status || !len) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Start of the member lines of "[id] KIND 'name' size=N vlen=M", vlen > 0. */
static const char *dump_block(const char *dump, const char *head)
{
	const char *p = dump;

	while ((p = strstr(p, head))) {
		const char *eol = strchr(p, '\n');
		const char *vlen = strstr(p, " vlen=");

		if (eol && vlen && vlen < eol && atoi(vlen + 6) > 0 &&
		    (p == dump || p[-1] == ' ' || p[-1] == '\n'))
			return eol + 1;
		p += strlen(head);
	}
	return NULL;
}

/* Bit offset of member in a dumped block, searching anonymous members too; -1 if absent. */
static long dump_member_bits(const char *dump, const char *lines, const char *member, int depth)
{
	const char *p = lines;

	while (*p == '\t') {
		char name[128];
		unsigned int type_id, bits;

		if (sscanf(p, "\t'%127[^']' type_id=%u bits_offset=%u", name, &type_id,
			   &bits) == 3) {
			if (!strcmp(name, member))
				return bits;
			if (!strcmp(name, "(anon)") && depth < 8) {
				char head[64];
				const char *inner;
				long sub = -1;

				snprintf(head, sizeof(head), "[%u] STRUCT '(anon)'", type_id);
				inner = dump_block(dump, head);
				if (!inner) {
					snprintf(head, sizeof(head), "[%u] UNION '(anon)'",
						 type_id);
					inner = dump_block(dump, head);
				}
				if (inner)
					sub = dump_member_bits(dump, inner, member, depth + 1);
				if (sub >= 0)
					return bits + sub;
			}
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return -1;
}

START_TEST(test_btf_vmlinux_matches_bpftool)
{
	static const char *const cross[][2] = {
		{ "task_struct", "pid" }, { "task_struct", "mm" }, { "mm_struct", "exe_file" },
		{ "linux_binprm", "file" }, { "inode", "i_sb" },
	};
	struct ebph_btf *btf = vmlinux_open();
	char *dump;
	size_t i;

	if (!btf)
		return;
	dump = bpftool_dump();
	if (!dump) {
		fprintf(stderr, "test_btf: skipped: bpftool btf dump failed or missing\n");
		kbtf_close(btf);
		return;
	}
	for (i = 0; i < sizeof(cross) / sizeof(cross[0]); i++) {
		char head[128];
		const char *lines;
		long bits;

		snprintf(head, sizeof(head), "STRUCT '%s' size=", cross[i][0]);
		lines = dump_block(dump, head);
		ck_assert_msg(lines, "bpftool has no %s", head);
		bits = dump_member_bits(dump, lines, cross[i][1], 0);
		ck_assert_msg(bits >= 0 && bits % 8 == 0, "bpftool: %s.%s: %ld", cross[i][0],
			      cross[i][1], bits);
		ck_assert_uint_eq(off_ok(btf, cross[i][0], cross[i][1]), bits / 8);
	}
	free(dump);
	kbtf_close(btf);
}
END_TEST

Suite *btf_suite(void)
{
	Suite *s = suite_create("btf");
	TCase *tc = tcase_create("synthetic");
	TCase *tk = tcase_create("vmlinux");

	tcase_add_test(tc, test_btf_direct_member);
	tcase_add_test(tc, test_btf_enum_value);
	tcase_add_test(tc, test_btf_nested_chain_through_typedef);
	tcase_add_test(tc, test_btf_anonymous_members);
	tcase_add_test(tc, test_btf_union_type);
	tcase_add_test(tc, test_btf_variable_kinds_skipped);
	tcase_add_test(tc, test_btf_duplicate_names);
	tcase_add_test(tc, test_btf_bitfield_einval);
	tcase_add_test(tc, test_btf_missing_enoent);
	tcase_add_test(tc, test_btf_anonymous_loop_einval);
	tcase_add_test(tc, test_btf_bad_member_chain);
	tcase_add_test(tc, test_btf_open_mem_copies);
	tcase_add_test(tc, test_btf_bad_magic);
	tcase_add_test(tc, test_btf_truncated_every_length);
	tcase_add_test(tc, test_btf_bad_header);
	tcase_add_test(tc, test_btf_open_mem_longer_header_ok);
	tcase_add_test(tc, test_btf_sections_out_of_range);
	tcase_add_test(tc, test_btf_bad_string_offsets);
	tcase_add_test(tc, test_btf_bad_type_ids);
	tcase_add_test(tc, test_btf_truncated_trailing_data);
	tcase_add_test(tc, test_btf_unknown_kind);
	tcase_add_test(tc, test_btf_open_file);
	tcase_add_test(tc, test_btf_open_unsized_file);
	suite_add_tcase(s, tc);

	tcase_add_test(tk, test_btf_vmlinux_offsets);
	tcase_add_test(tk, test_btf_vmlinux_matches_bpftool);
	tcase_set_timeout(tk, 60);
	suite_add_tcase(s, tk);
	return s;
}
