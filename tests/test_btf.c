/* SPDX-License-Identifier: GPL-2.0-only */
/* test_btf.c: BTF parsing, validation and member offsets (btf.c). */
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
#include <linux/btf.h>

#include "btf.h"

#define MEM "BTF data in memory"

/* A little builder of raw BTF blobs: types and strings in fixed buffers. */
struct bb {
	char strs[4096];
	__u32 str_len;
	char types[8192];
	__u32 types_len;
	__u32 nr;		/* last type id */
};

struct bb_member {
	const char *name;	/* NULL or "": anonymous */
	__u32 type;
	__u32 bit_off;
	__u32 bitfield;		/* bitfield size, only with kind_flag */
};

static void bb_init(struct bb *b)
{
	memset(b, 0, sizeof(*b));
	b->str_len = 1;		/* offset 0 is the empty string */
}

static __u32 bb_str(struct bb *b, const char *s)
{
	size_t n;
	__u32 off = b->str_len;

	if (!s || !s[0])
		return 0;
	n = strlen(s) + 1;
	ck_assert_uint_le(b->str_len + n, sizeof(b->strs));
	memcpy(b->strs + b->str_len, s, n);
	b->str_len += n;
	return off;
}

static void bb_put(struct bb *b, const void *p, size_t n)
{
	ck_assert_uint_le(b->types_len + n, sizeof(b->types));
	memcpy(b->types + b->types_len, p, n);
	b->types_len += n;
}

static void bb_u32(struct bb *b, __u32 v)
{
	bb_put(b, &v, sizeof(v));
}

/* Append a btf_type with a raw name offset; returns its id. */
static __u32 bb_type_raw(struct bb *b, __u32 name_off, __u32 kind, __u32 vlen, bool kflag,
			 __u32 size_or_type)
{
	struct btf_type t = {
		.name_off = name_off,
		.info = (kflag ? 1u << 31 : 0) | kind << 24 | vlen,
		.size = size_or_type,
	};

	bb_put(b, &t, sizeof(t));
	return ++b->nr;
}

static __u32 bb_type(struct bb *b, const char *name, __u32 kind, __u32 vlen, bool kflag,
		     __u32 size_or_type)
{
	return bb_type_raw(b, bb_str(b, name), kind, vlen, kflag, size_or_type);
}

static __u32 bb_int_bits(struct bb *b, const char *name, __u32 bytes, __u32 bits)
{
	__u32 id = bb_type(b, name, BTF_KIND_INT, 0, false, bytes);

	bb_u32(b, BTF_INT_SIGNED << 24 | bits);
	return id;
}

static __u32 bb_int(struct bb *b, const char *name, __u32 bytes)
{
	return bb_int_bits(b, name, bytes, bytes * 8);
}

/* PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, TYPE_TAG: a name and a type. */
static __u32 bb_ref(struct bb *b, __u32 kind, const char *name, __u32 type)
{
	return bb_type(b, name, kind, 0, false, type);
}

static __u32 bb_array(struct bb *b, __u32 elem, __u32 index, __u32 n)
{
	struct btf_array a = { .type = elem, .index_type = index, .nelems = n };
	__u32 id = bb_type(b, NULL, BTF_KIND_ARRAY, 0, false, 0);

	bb_put(b, &a, sizeof(a));
	return id;
}

static __u32 bb_composite(struct bb *b, __u32 kind, const char *name, __u32 size, bool kflag,
			  const struct bb_member *m, __u32 n)
{
	__u32 i, id = bb_type(b, name, kind, n, kflag, size);

	for (i = 0; i < n; i++) {
		struct btf_member bm = {
			.name_off = bb_str(b, m[i].name),
			.type = m[i].type,
			.offset = kflag ? m[i].bitfield << 24 | m[i].bit_off : m[i].bit_off,
		};

		bb_put(b, &bm, sizeof(bm));
	}
	return id;
}

static __u32 bb_struct(struct bb *b, const char *name, __u32 size, bool kflag,
		       const struct bb_member *m, __u32 n)
{
	return bb_composite(b, BTF_KIND_STRUCT, name, size, kflag, m, n);
}

static __u32 bb_proto(struct bb *b, __u32 ret, const char *const *names, const __u32 *types,
		      __u32 n)
{
	__u32 i, id = bb_type(b, NULL, BTF_KIND_FUNC_PROTO, n, false, ret);

	for (i = 0; i < n; i++) {
		struct btf_param p = { .name_off = bb_str(b, names[i]), .type = types[i] };

		bb_put(b, &p, sizeof(p));
	}
	return id;
}

static __u32 bb_enum(struct bb *b, const char *name, const char *const *names, __u32 n)
{
	__u32 i, id = bb_type(b, name, BTF_KIND_ENUM, n, false, 4);

	for (i = 0; i < n; i++) {
		struct btf_enum e = { .name_off = bb_str(b, names[i]), .val = (__s32)i };

		bb_put(b, &e, sizeof(e));
	}
	return id;
}

static __u32 bb_enum64(struct bb *b, const char *name, const char *const *names, __u32 n)
{
	__u32 i, id = bb_type(b, name, EBPH_BTF_KIND_ENUM64, n, false, 8);

	for (i = 0; i < n; i++) {
		struct ebph_btf_enum64 e = {
			.name_off = bb_str(b, names[i]), .val_lo32 = i, .val_hi32 = 0x80000000u,
		};

		bb_put(b, &e, sizeof(e));
	}
	return id;
}

/* Header + types + strings, malloc'ed to the exact size (valgrind sees overreads). */
static char *bb_blob(const struct bb *b, size_t *size)
{
	struct btf_header h = {
		.magic = BTF_MAGIC,
		.version = BTF_VERSION,
		.hdr_len = sizeof(h),
		.type_off = 0,
		.type_len = b->types_len,
		.str_off = b->types_len,
		.str_len = b->str_len,
	};
	char *blob;

	*size = sizeof(h) + b->types_len + b->str_len;
	blob = malloc(*size);
	ck_assert_ptr_nonnull(blob);
	memcpy(blob, &h, sizeof(h));
	memcpy(blob + sizeof(h), b->types, b->types_len);
	memcpy(blob + sizeof(h) + b->types_len, b->strs, b->str_len);
	return blob;
}

static struct btf_header *bb_hdr(char *blob)
{
	return (struct btf_header *)blob;
}

/*
 * The sample: every kind, the variable-length ones before the structs, so a
 * wrong skip shifts every later id. Offsets in comments are in bytes.
 */
static void bb_sample(struct bb *b)
{
	static const char *const params[] = { "a", "b" };
	static const char *const colors[] = { "RED", "GREEN", "BLUE" };
	static const char *const bigs[] = { "HUGE", "TINY" };
	__u32 t_int, t_long, t_ptr, t_arr, t_proto, t_enum, t_var, t_rptr;
	__u32 t_inner, t_inner_t, t_cinner, t_vinner, t_tagged, t_anon_u, t_anon_s, t_u3, t_loop;
	__u32 t_self, ptypes[2];
	struct btf_var_secinfo vs;

	bb_init(b);
	t_int = bb_int(b, "int", 4);
	t_long = bb_int(b, "long", 8);
	t_ptr = bb_ref(b, BTF_KIND_PTR, NULL, t_long);
	t_arr = bb_array(b, t_int, t_int, 4);
	ptypes[0] = t_int;
	ptypes[1] = t_long;
	t_proto = bb_proto(b, t_int, params, ptypes, 2);
	t_enum = bb_enum(b, "color", colors, 3);
	bb_enum64(b, "big", bigs, 2);
	bb_type(b, "fwd_only", BTF_KIND_FWD, 0, false, 0);
	bb_ref(b, BTF_KIND_FUNC, "do_thing", t_proto);
	t_var = bb_type(b, "global_var", BTF_KIND_VAR, 0, false, t_int);
	bb_u32(b, BTF_VAR_GLOBAL_ALLOCATED);
	bb_type(b, ".data", BTF_KIND_DATASEC, 1, false, 4);
	vs = (struct btf_var_secinfo){ .type = t_var, .offset = 0, .size = 4 };
	bb_put(b, &vs, sizeof(vs));
	bb_type(b, "double", EBPH_BTF_KIND_FLOAT, 0, false, 8);
	bb_type(b, "tag", EBPH_BTF_KIND_DECL_TAG, 0, false, t_var);
	bb_u32(b, (__u32)-1);
	t_rptr = bb_ref(b, BTF_KIND_RESTRICT, NULL, t_ptr);

	/* struct inner { long x; int y; }: x 0, y 8 */
	t_inner = bb_struct(b, "inner", 16, false, (const struct bb_member[]){
		{ "x", t_long, 0, 0 }, { "y", t_int, 64, 0 } }, 2);
	t_inner_t = bb_ref(b, BTF_KIND_TYPEDEF, "inner_t", t_inner);
	t_cinner = bb_ref(b, BTF_KIND_CONST, NULL, t_inner_t);
	t_vinner = bb_ref(b, BTF_KIND_VOLATILE, NULL, t_inner_t);
	t_tagged = bb_ref(b, EBPH_BTF_KIND_TYPE_TAG, "user", t_vinner);
	/* union { int u1; long u2; } */
	t_anon_u = bb_composite(b, BTF_KIND_UNION, NULL, 8, false, (const struct bb_member[]){
		{ "u1", t_int, 0, 0 }, { "u2", t_long, 0, 0 } }, 2);
	/* struct { int a1; union {...}; }: a1 0, the union 8 */
	t_anon_s = bb_struct(b, NULL, 16, false, (const struct bb_member[]){
		{ "a1", t_int, 0, 0 }, { NULL, t_anon_u, 64, 0 } }, 2);
	/* struct outer, with kind_flag: see the byte offsets below */
	bb_struct(b, "outer", 104, true, (const struct bb_member[]){
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
	/* No kind_flag: a bitfield is an int whose bits differ from its size. */
	t_u3 = bb_int_bits(b, "u3", 4, 3);
	bb_struct(b, "legacy", 8, false, (const struct bb_member[]){
		{ "bits", t_u3, 0, 0 }, { "odd", t_int, 4, 0 }, { "ok", t_int, 32, 0 } }, 3);
	bb_composite(b, BTF_KIND_UNION, "U", 8, false, (const struct bb_member[]){
		{ "a", t_int, 0, 0 }, { "b", t_long, 0, 0 } }, 2);
	/* Duplicates: an empty one first, then the real one; two real ones. */
	bb_struct(b, "dup", 0, false, NULL, 0);
	bb_struct(b, "dup", 16, false, (const struct bb_member[]){
		{ "d0", t_long, 0, 0 }, { "d", t_long, 64, 0 } }, 2);
	bb_struct(b, "twice", 4, false, (const struct bb_member[]){ { "t1", t_int, 0, 0 } }, 1);
	bb_struct(b, "twice", 8, false, (const struct bb_member[]){
		{ "t0", t_int, 0, 0 }, { "t1", t_int, 32, 0 } }, 2);
	/* Loops a corrupt blob could contain: a self-typedef, a self-nesting anon struct. */
	t_loop = b->nr + 1;
	bb_ref(b, BTF_KIND_TYPEDEF, "loop", t_loop);
	bb_struct(b, "looped", 8, false, (const struct bb_member[]){ { "lp", t_loop, 0, 0 } }, 1);
	t_self = b->nr + 1;
	bb_struct(b, NULL, 8, false, (const struct bb_member[]){ { NULL, t_self, 0, 0 } }, 1);
	bb_struct(b, "selfish", 8, false, (const struct bb_member[]){
		{ NULL, t_self, 0, 0 }, { "s", t_int, 32, 0 } }, 2);
	/* two anonymous members of itself: 2^depth paths without a limit */
	t_self = b->nr + 1;
	bb_struct(b, NULL, 8, false, (const struct bb_member[]){
		{ NULL, t_self, 0, 0 }, { NULL, t_self, 0, 0 } }, 2);
	bb_struct(b, "bomb", 8, false, (const struct bb_member[]){ { NULL, t_self, 0, 0 } }, 1);
	bb_struct(b, "tail", 8, false, (const struct bb_member[]){ { "x", t_int, 32, 0 } }, 1);
}

static struct ebph_btf *sample_open(void)
{
	struct ebph_btf *btf = NULL;
	char err[256] = "", *blob;
	struct bb b;
	size_t size;
	int ret;

	bb_sample(&b);
	blob = bb_blob(&b, &size);
	ret = btf_open_mem(&btf, blob, size, err, sizeof(err));
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
	int ret = btf_offset(btf, type, members, &off, err, sizeof(err));

	ck_assert_msg(ret == 0, "%s.%s: %d %s", type, members, ret, err);
	return off;
}

/* Assert btf_offset fails with ret and exactly msg, and leaves *off alone. */
static void off_fails(const struct ebph_btf *btf, const char *type, const char *members, int ret,
		      const char *msg)
{
	char err[256] = "";
	__u32 off = 0xdeadbeef;

	ck_assert_int_eq(btf_offset(btf, type, members, &off, err, sizeof(err)), ret);
	ck_assert_str_eq(err, msg);
	ck_assert_uint_eq(off, 0xdeadbeef);
}

/* Enumerator values by enum and name; a missing enum or name is -ENOENT. */
START_TEST(test_btf_enum_value)
{
	struct ebph_btf *btf = sample_open();
	char err[256] = "";
	__u32 v = 99;

	ck_assert_int_eq(btf_enum_value(btf, "color", "GREEN", &v, err, sizeof(err)), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(btf_enum_value(btf, "color", "PINK", &v, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "BTF: enum color has no value 'PINK'");
	ck_assert_int_eq(btf_enum_value(btf, "colour", "GREEN", &v, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "BTF: no enum named 'colour'");
	btf_close(btf);
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
	btf_close(btf);
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
	btf_close(btf);
}
END_TEST

START_TEST(test_btf_anonymous_members)
{
	struct ebph_btf *btf = sample_open();

	ck_assert_uint_eq(off_ok(btf, "outer", "a1"), 48);
	/* in an anonymous union inside an anonymous struct */
	ck_assert_uint_eq(off_ok(btf, "outer", "u1"), 56);
	ck_assert_uint_eq(off_ok(btf, "outer", "u2"), 56);
	btf_close(btf);
}
END_TEST

START_TEST(test_btf_union_type)
{
	struct ebph_btf *btf = sample_open();

	ck_assert_uint_eq(off_ok(btf, "U", "a"), 0);
	ck_assert_uint_eq(off_ok(btf, "U", "b"), 0);
	off_fails(btf, "U", "c", -ENOENT, "BTF: union U has no member 'c'");
	btf_close(btf);
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
	btf_close(btf);
}
END_TEST

START_TEST(test_btf_duplicate_names)
{
	struct ebph_btf *btf = sample_open();

	/* the first with members, not the empty one before it */
	ck_assert_uint_eq(off_ok(btf, "dup", "d"), 8);
	/* of two with members, the first */
	ck_assert_uint_eq(off_ok(btf, "twice", "t1"), 0);
	btf_close(btf);
}
END_TEST

START_TEST(test_btf_bitfield_einval)
{
	struct ebph_btf *btf = sample_open();

	off_fails(btf, "outer", "flags", -EINVAL, "BTF: outer.flags is a bitfield");
	off_fails(btf, "legacy", "bits", -EINVAL, "BTF: legacy.bits is a bitfield");
	off_fails(btf, "legacy", "odd", -EINVAL,
		  "BTF: legacy.odd is not byte-aligned (bit offset 4)");
	btf_close(btf);
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
	btf_close(btf);
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
	btf_close(btf);
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
	ck_assert_int_eq(btf_offset(btf, NULL, "x", &off, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(btf_offset(btf, "outer", NULL, &off, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(btf_offset(NULL, "outer", "first", &off, err, sizeof(err)), -EINVAL);
	/* no err buffer: still the right result */
	ck_assert_int_eq(btf_offset(btf, "outer", "nope", &off, NULL, 0), -ENOENT);
	btf_close(btf);
}
END_TEST

START_TEST(test_btf_open_mem_copies)
{
	struct ebph_btf *btf = NULL;
	char err[256] = "", *blob;
	struct bb b;
	size_t size;

	bb_sample(&b);
	blob = bb_blob(&b, &size);
	ck_assert_int_eq(btf_open_mem(&btf, blob, size, err, sizeof(err)), 0);
	memset(blob, 0xff, size);
	free(blob);
	ck_assert_uint_eq(off_ok(btf, "outer", "nested.y"), 40);
	btf_close(btf);
	btf_close(NULL);
}
END_TEST

/* Open a corrupt blob: -EINVAL, no handle, and err contains want. */
static void mem_fails(const void *blob, size_t size, const char *want)
{
	struct ebph_btf *btf = (struct ebph_btf *)&btf;
	char err[512] = "";
	int ret;

	ret = btf_open_mem(&btf, blob, size, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "size %zu: ret %d, err '%s'", size, ret, err);
	ck_assert_ptr_null(btf);
	ck_assert_msg(strncmp(err, MEM ": ", strlen(MEM ": ")) == 0, "err '%s'", err);
	if (want)
		ck_assert_msg(strstr(err, want), "size %zu: err '%s' lacks '%s'", size, err, want);
}

START_TEST(test_btf_bad_magic)
{
	struct btf_header h = { .magic = 0x1234, .version = 1, .hdr_len = sizeof(h) };
	struct ebph_btf *btf;
	char blob[sizeof(h) + 1] = "";
	char err[256] = "";

	memcpy(blob, &h, sizeof(h));
	ck_assert_int_eq(btf_open_mem(&btf, blob, sizeof(blob), err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, MEM ": not BTF: bad magic 0x1234 (expected 0xeb9f)");
	h.magic = 0x9feb;
	memcpy(blob, &h, sizeof(h));
	ck_assert_int_eq(btf_open_mem(&btf, blob, sizeof(blob), err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, MEM ": BTF is in the other byte order (magic bytes swapped); "
			 "only native-endian BTF is supported");
	ck_assert_int_eq(btf_open_mem(&btf, blob, 0, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, MEM ": truncated BTF: 0 bytes, no header");
}
END_TEST

START_TEST(test_btf_truncated_every_length)
{
	struct bb b;
	size_t size, n;
	char *blob;

	bb_sample(&b);
	blob = bb_blob(&b, &size);
	for (n = 0; n < size; n++) {
		/* an exact-size copy, so that valgrind sees any overread */
		char *part = malloc(n ? n : 1);

		memcpy(part, blob, n);
		mem_fails(part, n, NULL);
		free(part);
	}
	mem_fails(blob, 1, "no header");
	mem_fails(blob, 10, "truncated BTF header: 10 of 24 bytes");
	mem_fails(blob, 24, "type section (offset 0, length");
	mem_fails(blob, size - 1, "string section");
	free(blob);
}
END_TEST

START_TEST(test_btf_bad_header)
{
	struct bb b;
	size_t size;
	char *blob, *big;

	bb_sample(&b);
	blob = bb_blob(&b, &size);

	bb_hdr(blob)->version = 2;
	mem_fails(blob, size, "unsupported BTF version 2 (expected 1)");
	bb_hdr(blob)->version = 1;

	bb_hdr(blob)->hdr_len = 20;
	mem_fails(blob, size, "BTF header length 20 is less than 24");
	bb_hdr(blob)->hdr_len = size + 1;
	mem_fails(blob, size, "is past the end of the data");
	bb_hdr(blob)->hdr_len = 24;

	/* a longer header must be zero past the fields we know */
	big = calloc(1, size + 8);
	memcpy(big, blob, 24);
	memcpy(big + 32, blob + 24, size - 24);
	bb_hdr(big)->hdr_len = 32;
	big[30] = 1;
	mem_fails(big, size + 8, "unknown non-zero fields");
	free(big);

	bb_hdr(blob)->type_off = 2;
	bb_hdr(blob)->type_len -= 2;
	mem_fails(blob, size, "not 4-byte aligned");
	free(blob);
}
END_TEST

START_TEST(test_btf_open_mem_longer_header_ok)
{
	struct ebph_btf *btf = NULL;
	struct bb b;
	size_t size;
	char *blob, *big;

	bb_sample(&b);
	blob = bb_blob(&b, &size);
	big = calloc(1, size + 8);
	memcpy(big, blob, 24);
	memcpy(big + 32, blob + 24, size - 24);
	bb_hdr(big)->hdr_len = 32;
	ck_assert_int_eq(btf_open_mem(&btf, big, size + 8, NULL, 0), 0);
	ck_assert_uint_eq(off_ok(btf, "outer", "u2"), 56);
	btf_close(btf);
	free(big);
	free(blob);
}
END_TEST

START_TEST(test_btf_sections_out_of_range)
{
	struct bb b;
	size_t size;
	char *blob;
	struct btf_header *h;

	bb_sample(&b);
	blob = bb_blob(&b, &size);
	h = bb_hdr(blob);

	h->type_len = size;
	mem_fails(blob, size, "type section (offset 0, length");
	h->type_off = 0xfffffffc;		/* off + len wraps in 32 bits */
	h->type_len = 8;
	mem_fails(blob, size, "type section (offset 4294967292, length 8) is past the end");
	h->type_off = 0;
	h->type_len = b.types_len;

	h->str_len = b.str_len + 1;
	mem_fails(blob, size, "string section (offset");
	h->str_off = 0xffffffff;
	h->str_len = 2;
	mem_fails(blob, size, "string section (offset 4294967295, length 2) is past the end");
	h->str_off = b.types_len;
	h->str_len = b.str_len;

	h->type_len += 4;			/* runs into the strings */
	mem_fails(blob, size, "sections overlap");
	h->type_len -= 4;

	h->str_len = 0;
	mem_fails(blob, size, "string section is empty");
	h->str_len = b.str_len;
	blob[size - 1] = 'x';			/* last string not terminated */
	mem_fails(blob, size, "does not start and end with a NUL byte");
	free(blob);
}
END_TEST

START_TEST(test_btf_bad_string_offsets)
{
	struct bb b;
	size_t size;
	char *blob;
	struct btf_member m;

	/* a type name */
	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_type_raw(&b, 100, BTF_KIND_STRUCT, 0, false, 0);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size,
		  "BTF type 2 (struct): name offset 100 is outside the string section (5 bytes)");
	free(blob);

	/* exactly one past the end */
	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_type_raw(&b, 5, BTF_KIND_STRUCT, 0, false, 0);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "name offset 5 is outside");
	free(blob);

	/* a member name */
	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_type(&b, "s", BTF_KIND_STRUCT, 2, false, 8);
	m = (struct btf_member){ .name_off = bb_str(&b, "a"), .type = 1, .offset = 0 };
	bb_put(&b, &m, sizeof(m));
	m = (struct btf_member){ .name_off = 4000, .type = 1, .offset = 32 };
	bb_put(&b, &m, sizeof(m));
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 2 (struct): item 1 name offset 4000 is outside");
	free(blob);

	/* an enum value name */
	bb_init(&b);
	bb_type(&b, "e", BTF_KIND_ENUM, 1, false, 4);
	bb_u32(&b, 77);
	bb_u32(&b, 0);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 1 (enum): item 0 name offset 77 is outside");
	free(blob);
}
END_TEST

START_TEST(test_btf_bad_type_ids)
{
	struct bb b;
	size_t size;
	char *blob;

	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_ref(&b, BTF_KIND_PTR, NULL, 999);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 2 (pointer) refers to type 999, but the last type is 2");
	free(blob);

	/* a member's type, one past the last id */
	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_struct(&b, "s", 4, false, (const struct bb_member[]){ { "a", 3, 0, 0 } }, 1);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 2 (struct) refers to type 3, but the last type is 2");
	free(blob);

	/* an array's index type */
	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_array(&b, 1, 50, 4);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 2 (array) refers to type 50");
	free(blob);

	/* a parameter's type */
	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_proto(&b, 1, (const char *const[]){ "x" }, (const __u32[]){ 7 }, 1);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 2 (function prototype) refers to type 7");
	free(blob);
}
END_TEST

START_TEST(test_btf_truncated_trailing_data)
{
	struct bb b;
	size_t size;
	char *blob;
	struct btf_member m = { .name_off = 0, .type = 1, .offset = 0 };

	/* a struct claiming 5 members with 2 present */
	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_type(&b, "s", BTF_KIND_STRUCT, 5, false, 8);
	bb_put(&b, &m, sizeof(m));
	bb_put(&b, &m, sizeof(m));
	blob = bb_blob(&b, &size);
	mem_fails(blob, size,
		  "BTF type 2 (struct) at offset 16 is truncated: 60 bytes of struct data, 24 left");
	free(blob);

	/* an int without its encoding word */
	bb_init(&b);
	bb_type(&b, "int", BTF_KIND_INT, 0, false, 4);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 1 (int) at offset 0 is truncated");
	free(blob);

	/* an enum64 with one of two values */
	bb_init(&b);
	bb_type(&b, "e", EBPH_BTF_KIND_ENUM64, 2, false, 8);
	bb_put(&b, (const __u32[]){ 0, 1, 2 }, 12);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "(enum64) at offset 0 is truncated: 24 bytes");
	free(blob);

	/* a partial btf_type at the end */
	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_u32(&b, 0);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 2 at offset 16 is truncated (4 of 12 bytes)");
	free(blob);
}
END_TEST

START_TEST(test_btf_unknown_kind)
{
	struct bb b;
	size_t size;
	char *blob;

	bb_init(&b);
	bb_int(&b, "int", 4);
	bb_type(&b, NULL, 25, 0, false, 0);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 2 at offset 16 has unknown kind 25");
	free(blob);

	bb_init(&b);
	bb_type(&b, NULL, BTF_KIND_UNKN, 0, false, 0);
	blob = bb_blob(&b, &size);
	mem_fails(blob, size, "BTF type 1 at offset 0 has unknown kind 0");
	free(blob);
}
END_TEST

START_TEST(test_btf_open_file)
{
	char path[] = "/tmp/test_btf_XXXXXX", err[512] = "", want[600];
	struct ebph_btf *btf = NULL;
	struct bb b;
	size_t size;
	char *blob;
	int fd;

	bb_sample(&b);
	blob = bb_blob(&b, &size);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, blob, size), (ssize_t)size);
	close(fd);
	ck_assert_int_eq(btf_open(&btf, path, err, sizeof(err)), 0);
	ck_assert_uint_eq(off_ok(btf, "outer", "nested.y"), 40);
	btf_close(btf);

	/* a corrupt file is named in the message */
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, blob, 10), 10);
	close(fd);
	ck_assert_int_eq(btf_open(&btf, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: truncated BTF header: 10 of 24 bytes", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(btf);
	unlink(path);
	free(blob);

	ck_assert_int_eq(btf_open(&btf, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(btf);

	ck_assert_int_eq(btf_open(&btf, "/tmp", err, sizeof(err)), -EISDIR);
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
	struct bb b;

	bb_sample(&b);
	blob = bb_blob(&b, &size);
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
	ck_assert_int_eq(btf_open(&btf, path, err, sizeof(err)), 0);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	ck_assert_int_eq(w.ret, 0);
	ck_assert_uint_eq(off_ok(btf, "outer", "u2"), 56);
	btf_close(btf);
	unlink(path);
	rmdir(dir);
	free(padded);
	free(blob);
}
END_TEST

/* The offsets ebph needs, as bpf_prog.c.in reads them. */
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
	ret = btf_open(&btf, BTF_VMLINUX, err, sizeof(err));
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
	btf_close(btf);
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
		btf_close(btf);
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
	btf_close(btf);
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
