/* SPDX-License-Identifier: GPL-2.0-only */
/* btf.c: raw BTF parsing, validation and struct member offsets (btf.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* mremap */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/btf.h>

#include "btf.h"

#define BTF_READ_MAX	(1u << 30)	/* refuse files larger than 1 GiB */
#define BTF_READ_FIRST	(1u << 20)	/* first buffer when fstat reports no size */
#define BTF_DEPTH_MAX	32		/* modifier chains, anonymous nesting */
#define BTF_VISIT_MAX	(1u << 20)	/* members one lookup may visit (loops) */
#define BTF_MEM_NAME	"BTF data in memory"

struct ebph_btf_name {
	__u32 hash;
	__u32 id;		/* 0: empty slot */
};

struct ebph_btf {
	char *data;		/* the whole blob, owned */
	size_t size;
	size_t map_len;		/* data is mmap'ed with this length, or malloc'ed if 0 */
	const char *types;	/* type section */
	const char *strs;	/* string section, NUL first and last */
	__u32 types_len;
	__u32 str_len;
	__u32 nr_types;		/* valid ids are 1..nr_types; 0 is void */
	__u32 *type_offs;	/* type_offs[id]: byte offset of type id in types */
	struct ebph_btf_name *names;	/* open addressing: struct/union names */
	__u32 names_mask;
	__u32 *composites;	/* while loading: ids of named structs and unions */
	__u32 nr_composite;
};

static const char *const btf_kind_names[EBPH_BTF_NR_KINDS] = {
	[BTF_KIND_UNKN] = "unknown",	[BTF_KIND_INT] = "int",
	[BTF_KIND_PTR] = "pointer",	[BTF_KIND_ARRAY] = "array",
	[BTF_KIND_STRUCT] = "struct",	[BTF_KIND_UNION] = "union",
	[BTF_KIND_ENUM] = "enum",	[BTF_KIND_FWD] = "forward declaration",
	[BTF_KIND_TYPEDEF] = "typedef",	[BTF_KIND_VOLATILE] = "volatile",
	[BTF_KIND_CONST] = "const",	[BTF_KIND_RESTRICT] = "restrict",
	[BTF_KIND_FUNC] = "function",	[BTF_KIND_FUNC_PROTO] = "function prototype",
	[BTF_KIND_VAR] = "variable",	[BTF_KIND_DATASEC] = "data section",
	[EBPH_BTF_KIND_FLOAT] = "float",	[EBPH_BTF_KIND_DECL_TAG] = "decl tag",
	[EBPH_BTF_KIND_TYPE_TAG] = "type tag", [EBPH_BTF_KIND_ENUM64] = "enum64",
};

static void btf_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void btf_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *btf_kind_name(__u32 kind)
{
	return kind < EBPH_BTF_NR_KINDS ? btf_kind_names[kind] : "unknown";
}

/* Only for ids already checked to be in 1..nr_types. */
static const struct btf_type *btf_type_by_id(const struct ebph_btf *btf, __u32 id)
{
	return (const struct btf_type *)(btf->types + btf->type_offs[id]);
}

/* Only for offsets already checked to be inside the string section. */
static const char *btf_str(const struct ebph_btf *btf, __u32 off)
{
	return btf->strs + off;
}

/* Bytes of kind-specific data following a btf_type, or -1 for an unknown kind. */
static long btf_extra_size(const struct btf_type *t)
{
	long vlen = BTF_INFO_VLEN(t->info);

	switch (EBPH_BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
		return sizeof(__u32);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case EBPH_BTF_KIND_FLOAT:
	case EBPH_BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return vlen * sizeof(struct btf_var_secinfo);
	case EBPH_BTF_KIND_DECL_TAG:
		return sizeof(struct ebph_btf_decl_tag);
	case EBPH_BTF_KIND_ENUM64:
		return vlen * sizeof(struct ebph_btf_enum64);
	default:
		return -1;
	}
}

/* FNV-1a over len bytes of name. */
static __u32 btf_hash(const char *name, size_t len)
{
	__u32 h = 2166136261u;

	while (len--) {
		h ^= (unsigned char)*name++;
		h *= 16777619u;
	}
	return h;
}

static bool btf_is_composite(const struct btf_type *t)
{
	__u32 kind = EBPH_BTF_INFO_KIND(t->info);

	return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION;
}

/* Slot of the struct/union called name, or of the empty slot where it would go. */
static struct ebph_btf_name *btf_name_slot(const struct ebph_btf *btf, const char *name)
{
	size_t len = strlen(name);
	__u32 hash = btf_hash(name, len);
	__u32 i = hash & btf->names_mask;

	while (btf->names[i].id) {
		if (btf->names[i].hash == hash &&
		    !strcmp(btf_str(btf, btf_type_by_id(btf, btf->names[i].id)->name_off), name))
			break;
		i = (i + 1) & btf->names_mask;
	}
	return &btf->names[i];
}

/* Index named structs and unions; on duplicates keep the first with members. */
static int btf_index_names(struct ebph_btf *btf)
{
	__u32 cap = 16, i;

	while (cap < 2 * (size_t)btf->nr_composite)
		cap <<= 1;
	btf->names = calloc(cap, sizeof(*btf->names));
	if (!btf->names)
		return -ENOMEM;
	btf->names_mask = cap - 1;

	for (i = 0; i < btf->nr_composite; i++) {
		__u32 id = btf->composites[i];
		const struct btf_type *t = btf_type_by_id(btf, id);
		const char *name = btf_str(btf, t->name_off);
		struct ebph_btf_name *slot;

		if (!name[0])
			continue;
		slot = btf_name_slot(btf, name);
		if (!slot->id) {
			slot->hash = btf_hash(name, strlen(name));
			slot->id = id;
		} else if (!BTF_INFO_VLEN(btf_type_by_id(btf, slot->id)->info) &&
			   BTF_INFO_VLEN(t->info)) {
			slot->id = id;
		}
	}
	free(btf->composites);
	btf->composites = NULL;
	return 0;
}

/* Check the header and locate the two sections. */
static int btf_parse_hdr(struct ebph_btf *btf, const char *name, char *err, size_t errlen)
{
	const struct btf_header *hdr = (const struct btf_header *)btf->data;
	size_t avail;
	__u64 type_end, str_end;
	__u16 magic;
	__u32 i;

	if (btf->size < sizeof(hdr->magic)) {
		btf_err(err, errlen, "%s: truncated BTF: %zu bytes, no header", name, btf->size);
		return -EINVAL;
	}
	memcpy(&magic, btf->data, sizeof(magic));
	if (magic == __builtin_bswap16(BTF_MAGIC)) {
		btf_err(err, errlen,
			"%s: BTF is in the other byte order (magic bytes swapped); only native-endian BTF is supported",
			name);
		return -EINVAL;
	}
	if (magic != BTF_MAGIC) {
		btf_err(err, errlen, "%s: not BTF: bad magic 0x%04x (expected 0x%04x)", name, magic,
			BTF_MAGIC);
		return -EINVAL;
	}
	if (btf->size < sizeof(*hdr)) {
		btf_err(err, errlen, "%s: truncated BTF header: %zu of %zu bytes", name, btf->size,
			sizeof(*hdr));
		return -EINVAL;
	}
	if (hdr->version != BTF_VERSION) {
		btf_err(err, errlen, "%s: unsupported BTF version %u (expected %u)", name,
			hdr->version, BTF_VERSION);
		return -EINVAL;
	}
	if (hdr->hdr_len < sizeof(*hdr)) {
		btf_err(err, errlen, "%s: BTF header length %u is less than %zu", name,
			hdr->hdr_len, sizeof(*hdr));
		return -EINVAL;
	}
	if (hdr->hdr_len > btf->size) {
		btf_err(err, errlen,
			"%s: BTF header length %u is past the end of the data (%zu bytes)",
			name, hdr->hdr_len, btf->size);
		return -EINVAL;
	}
	for (i = sizeof(*hdr); i < hdr->hdr_len; i++) {
		if (btf->data[i]) {
			btf_err(err, errlen,
				"%s: BTF header has unknown non-zero fields (length %u)", name,
				hdr->hdr_len);
			return -EINVAL;
		}
	}

	avail = btf->size - hdr->hdr_len;
	type_end = (__u64)hdr->type_off + hdr->type_len;
	str_end = (__u64)hdr->str_off + hdr->str_len;
	if (type_end > avail) {
		btf_err(err, errlen,
			"%s: BTF type section (offset %u, length %u) is past the end of the data (%zu bytes after the header)",
			name, hdr->type_off, hdr->type_len, avail);
		return -EINVAL;
	}
	if (str_end > avail) {
		btf_err(err, errlen,
			"%s: BTF string section (offset %u, length %u) is past the end of the data (%zu bytes after the header)",
			name, hdr->str_off, hdr->str_len, avail);
		return -EINVAL;
	}
	if (hdr->type_len && hdr->str_len && hdr->type_off < str_end &&
	    hdr->str_off < type_end) {
		btf_err(err, errlen, "%s: BTF type and string sections overlap", name);
		return -EINVAL;
	}
	if ((hdr->hdr_len + hdr->type_off) % 4) {
		btf_err(err, errlen, "%s: BTF type section is not 4-byte aligned (offset %u)", name,
			hdr->hdr_len + hdr->type_off);
		return -EINVAL;
	}
	btf->types = btf->data + hdr->hdr_len + hdr->type_off;
	btf->types_len = hdr->type_len;
	btf->strs = btf->data + hdr->hdr_len + hdr->str_off;
	btf->str_len = hdr->str_len;
	if (!btf->str_len || btf->strs[0] || btf->strs[btf->str_len - 1]) {
		btf_err(err, errlen,
			"%s: BTF string section is empty or does not start and end with a NUL byte",
			name);
		return -EINVAL;
	}
	return 0;
}

/*
 * Kind-specific checks of type id: the names of its items (members, enum
 * values, parameters) now; the largest type id it refers to goes into *ref,
 * to be checked once the number of types is known.
 */
static int btf_check_extra(const struct ebph_btf *btf, const char *name, __u32 id,
			   const struct btf_type *t, __u32 *ref, char *err, size_t errlen)
{
	__u32 i, vlen = BTF_INFO_VLEN(t->info), max = 0, name_off = 0;
	const void *extra = t + 1;

#define BTF_MAX(x) do { if ((x) > max) max = (x); } while (0)
	switch (EBPH_BTF_INFO_KIND(t->info)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case EBPH_BTF_KIND_DECL_TAG:
	case EBPH_BTF_KIND_TYPE_TAG:
		max = t->type;
		break;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = extra;

		BTF_MAX(a->type);
		BTF_MAX(a->index_type);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = extra;

		for (i = 0; i < vlen; i++) {
			BTF_MAX(m[i].type);
			if (m[i].name_off >= btf->str_len) {
				name_off = m[i].name_off;
				goto bad_name;
			}
		}
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = extra;

		for (i = 0; i < vlen; i++) {
			if (e[i].name_off >= btf->str_len) {
				name_off = e[i].name_off;
				goto bad_name;
			}
		}
		break;
	}
	case EBPH_BTF_KIND_ENUM64: {
		const struct ebph_btf_enum64 *e = extra;

		for (i = 0; i < vlen; i++) {
			if (e[i].name_off >= btf->str_len) {
				name_off = e[i].name_off;
				goto bad_name;
			}
		}
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = extra;

		max = t->type;
		for (i = 0; i < vlen; i++) {
			BTF_MAX(p[i].type);
			if (p[i].name_off >= btf->str_len) {
				name_off = p[i].name_off;
				goto bad_name;
			}
		}
		break;
	}
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = extra;

		for (i = 0; i < vlen; i++)
			BTF_MAX(v[i].type);
		break;
	}
	default:
		break;
	}
#undef BTF_MAX
	*ref = max;
	return 0;

bad_name:
	btf_err(err, errlen,
		"%s: BTF type %u (%s): item %u name offset %u is outside the string section (%u bytes)",
		name, id, btf_kind_name(EBPH_BTF_INFO_KIND(t->info)), i, name_off, btf->str_len);
	return -EINVAL;
}

/* Walk the type section once: record each type's offset and check it fully. */
static int btf_parse_types(struct ebph_btf *btf, const char *name, char *err, size_t errlen)
{
	__u32 pos = 0, id = 0, max_ref = 0, max_ref_id = 0, cap = 0;
	int ret;

	/* Every type takes at least sizeof(struct btf_type) bytes. */
	btf->type_offs = malloc(((size_t)btf->types_len / sizeof(struct btf_type) + 1) *
				sizeof(*btf->type_offs));
	if (!btf->type_offs)
		return -ENOMEM;

	while (pos < btf->types_len) {
		const struct btf_type *t = (const struct btf_type *)(btf->types + pos);
		__u32 left = btf->types_len - pos;
		__u32 kind, ref;
		long extra;

		if (++id > BTF_MAX_TYPE) {
			btf_err(err, errlen, "%s: more than %u BTF types", name, BTF_MAX_TYPE);
			return -EINVAL;
		}
		if (left < sizeof(*t)) {
			btf_err(err, errlen,
				"%s: BTF type %u at offset %u is truncated (%u of %zu bytes)", name,
				id, pos, left, sizeof(*t));
			return -EINVAL;
		}
		kind = EBPH_BTF_INFO_KIND(t->info);
		extra = btf_extra_size(t);
		if (kind == BTF_KIND_UNKN || extra < 0) {
			btf_err(err, errlen, "%s: BTF type %u at offset %u has unknown kind %u",
				name, id, pos, kind);
			return -EINVAL;
		}
		if ((__u64)extra > left - sizeof(*t)) {
			btf_err(err, errlen,
				"%s: BTF type %u (%s) at offset %u is truncated: %ld bytes of %s data, %zu left",
				name, id, btf_kind_name(kind), pos, extra, btf_kind_name(kind),
				left - sizeof(*t));
			return -EINVAL;
		}
		if (t->name_off >= btf->str_len) {
			btf_err(err, errlen,
				"%s: BTF type %u (%s): name offset %u is outside the string section (%u bytes)",
				name, id, btf_kind_name(kind), t->name_off, btf->str_len);
			return -EINVAL;
		}
		ret = btf_check_extra(btf, name, id, t, &ref, err, errlen);
		if (ret)
			return ret;
		if (ref > max_ref) {
			max_ref = ref;
			max_ref_id = id;
		}
		if ((kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION) && t->name_off) {
			if (btf->nr_composite == cap) {
				__u32 *ids;

				cap = cap ? 2 * cap : 1024;
				ids = realloc(btf->composites, cap * sizeof(*ids));
				if (!ids)
					return -ENOMEM;
				btf->composites = ids;
			}
			btf->composites[btf->nr_composite++] = id;
		}
		btf->type_offs[id] = pos;
		pos += sizeof(*t) + extra;
	}
	btf->nr_types = id;
	if (max_ref > btf->nr_types) {
		btf_err(err, errlen,
			"%s: BTF type %u (%s) refers to type %u, but the last type is %u",
			name, max_ref_id,
			btf_kind_name(EBPH_BTF_INFO_KIND(btf_type_by_id(btf, max_ref_id)->info)),
			max_ref, btf->nr_types);
		return -EINVAL;
	}
	return 0;
}

static void btf_free_data(char *data, size_t map_len)
{
	if (map_len)
		munmap(data, map_len);
	else
		free(data);
}

/*
 * Take ownership of data (mmap'ed if map_len, else malloc'ed), validate and
 * index it; on error data is freed.
 */
static int btf_load(struct ebph_btf **out, char *data, size_t size, size_t map_len,
		    const char *name, char *err, size_t errlen)
{
	struct ebph_btf *btf;
	int ret;

	*out = NULL;
	btf = calloc(1, sizeof(*btf));
	if (!btf) {
		btf_free_data(data, map_len);
		btf_err(err, errlen, "%s: %s", name, strerror(ENOMEM));
		return -ENOMEM;
	}
	btf->data = data;
	btf->size = size;
	btf->map_len = map_len;
	ret = btf_parse_hdr(btf, name, err, errlen);
	if (!ret)
		ret = btf_parse_types(btf, name, err, errlen);
	if (!ret)
		ret = btf_index_names(btf);
	if (ret) {
		if (ret == -ENOMEM)
			btf_err(err, errlen, "%s: %s", name, strerror(ENOMEM));
		btf_close(btf);
		return ret;
	}
	*out = btf;
	return 0;
}

/*
 * A pre-faulted anonymous mapping: one mmap call instead of one page fault
 * per 4 KiB during read(2) halves the time to read vmlinux BTF (5 MB).
 */
static char *btf_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Read a whole file into a mapping; /sys files report their size, others may not. */
static int btf_read_file(const char *path, char **out, size_t *outsize, size_t *map_len)
{
	size_t cap, len = 0;
	struct stat st;
	char *buf = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto cleanup;
	}
	if (st.st_size > BTF_READ_MAX) {
		ret = -EFBIG;
		goto cleanup;
	}
	/* one byte more than the size, to see the end of file without growing */
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : BTF_READ_FIRST;
	buf = btf_map(cap);
	if (!buf) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nbuf;

			if (cap >= BTF_READ_MAX) {
				ret = -EFBIG;
				goto cleanup;
			}
			nbuf = mremap(buf, cap, 2 * cap, MREMAP_MAYMOVE);
			if (nbuf == MAP_FAILED) {
				ret = -ENOMEM;
				goto cleanup;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto cleanup;
		}
		if (!n)
			break;
		len += n;
	}
	*out = buf;
	*outsize = len;
	*map_len = cap;
	buf = NULL;
	ret = 0;
cleanup:
	if (buf)
		munmap(buf, cap);
	close(fd);
	return ret;
}

int btf_open(struct ebph_btf **out, const char *path, char *err, size_t errlen)
{
	size_t size = 0, map_len = 0;
	char *data = NULL;
	int ret;

	*out = NULL;
	ret = btf_read_file(path, &data, &size, &map_len);
	if (ret) {
		btf_err(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
		return ret;
	}
	return btf_load(out, data, size, map_len, path, err, errlen);
}

int btf_open_mem(struct ebph_btf **out, const void *data, size_t size, char *err, size_t errlen)
{
	char *copy;

	*out = NULL;
	copy = malloc(size ? size : 1);
	if (!copy) {
		btf_err(err, errlen, "%s: %s", BTF_MEM_NAME, strerror(ENOMEM));
		return -ENOMEM;
	}
	if (size)
		memcpy(copy, data, size);
	return btf_load(out, copy, size, 0, BTF_MEM_NAME, err, errlen);
}

void btf_close(struct ebph_btf *btf)
{
	if (!btf)
		return;
	free(btf->composites);
	free(btf->names);
	free(btf->type_offs);
	btf_free_data(btf->data, btf->map_len);
	free(btf);
}

/* Look through typedefs and qualifiers; NULL for void or a modifier loop. */
static const struct btf_type *btf_skip_mods(const struct ebph_btf *btf, __u32 id)
{
	int i;

	for (i = 0; i < BTF_DEPTH_MAX && id; i++) {
		const struct btf_type *t = btf_type_by_id(btf, id);

		switch (EBPH_BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_CONST:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_RESTRICT:
		case EBPH_BTF_KIND_TYPE_TAG:
			id = t->type;
			break;
		default:
			return t;
		}
	}
	return NULL;
}

/*
 * Find member name[0..len) in struct/union t, directly or inside anonymous
 * struct/union members. *bits gets its bit offset from the start of t.
 * -ELOOP when a corrupt blob nests anonymous members too deeply or in a loop.
 */
static int btf_find_member(const struct ebph_btf *btf, const struct btf_type *t,
			   const char *name, size_t len, int depth, __u32 *budget, __u64 *bits,
			   const struct btf_member **found, bool *kflag)
{
	const struct btf_member *m = (const struct btf_member *)(t + 1);
	bool kf = BTF_INFO_KFLAG(t->info);
	__u32 i, vlen = BTF_INFO_VLEN(t->info);

	if (depth > BTF_DEPTH_MAX)
		return -ELOOP;
	for (i = 0; i < vlen; i++) {
		__u32 boff = kf ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
		const char *mname = btf_str(btf, m[i].name_off);

		if (!*budget)
			return -ELOOP;
		(*budget)--;
		if (!mname[0]) {
			const struct btf_type *inner = btf_skip_mods(btf, m[i].type);
			__u64 sub;
			int ret;

			if (!inner || !btf_is_composite(inner))
				continue;
			ret = btf_find_member(btf, inner, name, len, depth + 1, budget, &sub, found,
					      kflag);
			if (!ret) {
				*bits = boff + sub;
				return 0;
			}
			if (ret == -ELOOP)
				return ret;
			continue;
		}
		if (!strncmp(mname, name, len) && mname[len] == '\0') {
			*bits = boff;
			*found = &m[i];
			*kflag = kf;
			return 0;
		}
	}
	return -ENOENT;
}

/* Is member m (of a struct with kind_flag kflag) a bitfield? */
static bool btf_is_bitfield(const struct ebph_btf *btf, const struct btf_member *m, bool kflag)
{
	const struct btf_type *t;
	__u32 enc;

	if (kflag)
		return BTF_MEMBER_BITFIELD_SIZE(m->offset) != 0;
	/* Without kind_flag a bitfield is an int whose bits differ from its size. */
	t = btf_skip_mods(btf, m->type);
	if (!t || EBPH_BTF_INFO_KIND(t->info) != BTF_KIND_INT)
		return false;
	enc = *(const __u32 *)(t + 1);
	return BTF_INT_OFFSET(enc) || BTF_INT_BITS(enc) != (__u64)t->size * 8;
}

static const char *btf_composite_kind(const struct btf_type *t)
{
	return EBPH_BTF_INFO_KIND(t->info) == BTF_KIND_UNION ? "union" : "struct";
}

int btf_offset(const struct ebph_btf *btf, const char *type, const char *members, __u32 *off,
	       char *err, size_t errlen)
{
	const struct btf_type *t;
	const char *p = members;
	__u64 total = 0;
	struct ebph_btf_name *slot;

	if (!btf || !type || !members || !off) {
		btf_err(err, errlen, "BTF: bad arguments");
		return -EINVAL;
	}
	slot = btf_name_slot(btf, type);
	if (!type[0] || !slot->id) {
		btf_err(err, errlen, "BTF: no struct or union named '%s'", type);
		return -ENOENT;
	}
	t = btf_type_by_id(btf, slot->id);

	for (;;) {
		size_t len = strcspn(p, ".");
		const struct btf_member *m = NULL;
		int chain = (int)(p + len - members);
		__u32 budget = BTF_VISIT_MAX;
		bool kflag = false;
		__u64 bits;
		int ret;

		if (!len || (p[len] == '.' && !p[len + 1])) {
			btf_err(err, errlen, "BTF: bad member chain '%s' for %s", members, type);
			return -EINVAL;
		}
		ret = btf_find_member(btf, t, p, len, 0, &budget, &bits, &m, &kflag);
		if (ret == -ELOOP) {
			btf_err(err, errlen,
				"BTF: %s.%.*s: anonymous members nest too deeply or in a loop",
				type, chain, members);
			return -EINVAL;
		}
		if (ret) {
			const char *tname = btf_str(btf, t->name_off);

			if (p == members)
				btf_err(err, errlen, "BTF: %s %s has no member '%.*s'",
					btf_composite_kind(t), tname, (int)len, p);
			else
				btf_err(err, errlen, "BTF: %s %s has no member '%.*s' (in %s.%.*s)",
					btf_composite_kind(t), tname[0] ? tname : "(anon)",
					(int)len, p, type, chain, members);
			return -ENOENT;
		}
		if (btf_is_bitfield(btf, m, kflag)) {
			btf_err(err, errlen, "BTF: %s.%.*s is a bitfield", type, chain, members);
			return -EINVAL;
		}
		if (bits % 8) {
			btf_err(err, errlen, "BTF: %s.%.*s is not byte-aligned (bit offset %llu)",
				type, chain, members, (unsigned long long)bits);
			return -EINVAL;
		}
		total += bits;
		if (!p[len])
			break;

		t = btf_skip_mods(btf, m->type);
		if (!t) {
			btf_err(err, errlen, "BTF: %s.%.*s is not a struct or union", type, chain,
				members);
			return -ENOENT;
		}
		if (!btf_is_composite(t)) {
			const char *kind = btf_kind_name(EBPH_BTF_INFO_KIND(t->info));

			btf_err(err, errlen, "BTF: %s.%.*s is %s %s, not a struct or union", type,
				chain, members, strchr("aeiou", kind[0]) ? "an" : "a", kind);
			return -ENOENT;
		}
		p += len + 1;
	}
	if (total / 8 > UINT32_MAX) {
		btf_err(err, errlen, "BTF: %s.%s: offset too large", type, members);
		return -EINVAL;
	}
	*off = total / 8;
	return 0;
}

int btf_type_id(const struct ebph_btf *btf, const char *name, unsigned int kind, __u32 *id)
{
	__u32 i;

	for (i = 1; i <= btf->nr_types; i++) {
		const struct btf_type *t = btf_type_by_id(btf, i);

		if (EBPH_BTF_INFO_KIND(t->info) == kind && !strcmp(btf_str(btf, t->name_off), name)) {
			*id = i;
			return 0;
		}
	}
	return -ENOENT;
}

int btf_enum_value(const struct ebph_btf *btf, const char *type, const char *name, __u32 *val,
		   char *err, size_t errlen)
{
	const struct btf_enum *e;
	__u32 id, i;

	if (btf_type_id(btf, type, BTF_KIND_ENUM, &id)) {
		btf_err(err, errlen, "BTF: no enum named '%s'", type);
		return -ENOENT;
	}
	e = (const struct btf_enum *)(btf_type_by_id(btf, id) + 1);
	for (i = 0; i < BTF_INFO_VLEN(btf_type_by_id(btf, id)->info); i++) {
		if (!strcmp(btf_str(btf, e[i].name_off), name)) {
			*val = (__u32)e[i].val;
			return 0;
		}
	}
	btf_err(err, errlen, "BTF: enum %s has no value '%s'", type, name);
	return -ENOENT;
}
