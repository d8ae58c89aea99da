/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * btf.c: struct member offsets from the running kernel's BTF (btf.h).
 * libbpf parses and validates the BTF (btf__parse_raw, btf__new); what is
 * ebph's own is the member-chain walk, which looks through anonymous
 * members, typedefs and qualifiers, and the checks libbpf 1.1 lacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf.h"

/* libbpf before 0.7 (Debian 11, Ubuntu 22.04) and kernel headers before 5.16/6.0. */
#if __has_include(<bpf/libbpf_version.h>)
#include <bpf/libbpf_version.h>
#endif
#if !defined(LIBBPF_MAJOR_VERSION) || (LIBBPF_MAJOR_VERSION == 0 && LIBBPF_MINOR_VERSION < 7)
#define btf__type_cnt(b) (btf__get_nr_types(b) + 1)
#endif
/* BTF kinds newer than some distributions' <linux/btf.h> (enum constants
 * there, so not testable with #ifdef), and the kind's 5 bits (5.10's
 * BTF_INFO_KIND masks 4). */
#define KBTF_KIND_FLOAT		16
#define KBTF_KIND_DECL_TAG	17
#define KBTF_KIND_TYPE_TAG	18
#define KBTF_KIND_ENUM64	19
#define KBTF_KIND(t)		(((t)->info >> 24) & 0x1f)
struct kbtf_enum64 {
	__u32 name_off;
	__u32 val_lo32;
	__u32 val_hi32;
};

#define KBTF_DEPTH_MAX	32		/* modifier chains, anonymous nesting */
#define KBTF_VISIT_MAX	(1u << 20)	/* members one lookup may visit (loops) */
#define KBTF_READ_MAX	(1u << 30)	/* refuse files larger than 1 GiB */
#define KBTF_MEM_NAME	"BTF data in memory"

struct ebph_btf {
	struct btf *btf;
};

static void kbtf_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kbtf_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The first warning libbpf printed while parsing (its reason for refusing). */
static char kbtf_why[256];

static int kbtf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(kbtf_why)];
	size_t n;

	(void)level;	/* btf__new reports some refusals at debug level */
	if (kbtf_why[0])
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	snprintf(kbtf_why, sizeof(kbtf_why), "%s",
		 strncmp(line, "libbpf: ", 8) ? line : line + 8);
	return 0;
}

static const char *kbtf_name_of(const struct ebph_btf *b, const struct btf_type *t)
{
	const char *s = btf__name_by_offset(b->btf, t->name_off);

	return s ? s : "";
}

/*
 * The struct or union called name: the first with members, else the first
 * (an empty declaration may come before the definition). Its id, 0 if none.
 * A scan, as btf__find_by_name_kind's: about 0.1 ms on a kernel's BTF.
 */
static __u32 kbtf_find_composite(const struct ebph_btf *b, const char *name)
{
	__u32 n = btf__type_cnt(b->btf), id, first = 0;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);

		if (!btf_is_composite(t) || strcmp(kbtf_name_of(b, t), name))
			continue;
		if (btf_vlen(t))
			return id;
		if (!first)
			first = id;
	}
	return first;
}

static int kbtf_validate(const struct btf *btf, char *why, size_t whylen);

/*
 * Wrap what libbpf parsed (parsed NULL: it refused the data, errno says why)
 * once checked. name names the input in err.
 */
static int kbtf_wrap(struct ebph_btf **out, struct btf *parsed, const char *name, char *err,
		     size_t errlen)
{
	int ret = -errno;
	struct ebph_btf *b;

	if (parsed && libbpf_get_error(parsed)) {	/* libbpf < 1.0: an error pointer */
		ret = (int)libbpf_get_error(parsed);
		parsed = NULL;
	}
	if (!parsed) {
		if (ret == -ENOMEM) {
			kbtf_err(err, errlen, "%s: %s", name, strerror(ENOMEM));
			return ret;
		}
		kbtf_err(err, errlen, "%s: not valid BTF: %s", name,
			 kbtf_why[0] ? kbtf_why : strerror(ret ? -ret : EINVAL));
		return -EINVAL;
	}
	if (kbtf_validate(parsed, kbtf_why, sizeof(kbtf_why))) {
		kbtf_err(err, errlen, "%s: not valid BTF: %s", name, kbtf_why);
		btf__free(parsed);
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		kbtf_err(err, errlen, "%s: %s", name, strerror(ENOMEM));
		btf__free(parsed);
		return -ENOMEM;
	}
	b->btf = parsed;
	*out = b;
	return 0;
}

/* Run a libbpf parse with its warnings captured in kbtf_why. */
#define KBTF_PARSE(call) ({					\
	libbpf_print_fn_t old_ = libbpf_set_print(kbtf_print);	\
	struct btf *r_;						\
	int e_;							\
	kbtf_why[0] = '\0';					\
	errno = 0;						\
	r_ = (call);						\
	e_ = errno;						\
	libbpf_set_print(old_);					\
	errno = e_;						\
	r_;							\
})

/* Parse size bytes of data (libbpf copies them) as the input called name. */
static int kbtf_parse(struct ebph_btf **out, const void *data, size_t size, const char *name,
		      char *err, size_t errlen)
{
	const struct btf_header *h = data;
	size_t i;

	if (size > UINT32_MAX) {
		kbtf_err(err, errlen, "%s: not valid BTF: %zu bytes", name, size);
		return -EINVAL;
	}
	/* what the kernel checks of the header and libbpf 1.1 does not */
	if (size >= sizeof(*h) && h->magic == BTF_MAGIC) {
		if (h->version != BTF_VERSION) {
			kbtf_err(err, errlen, "%s: not valid BTF: version %u (expected %u)", name,
				 h->version, BTF_VERSION);
			return -EINVAL;
		}
		if (h->hdr_len < sizeof(*h)) {
			kbtf_err(err, errlen, "%s: not valid BTF: header length %u is less than %zu",
				 name, h->hdr_len, sizeof(*h));
			return -EINVAL;
		}
		/* libbpf 0.3 (Debian 11) trusts these: a corrupt header crashes it */
		if ((__u64)h->hdr_len + h->type_off + h->type_len > size ||
		    (__u64)h->hdr_len + h->str_off + h->str_len > size) {
			kbtf_err(err, errlen, "%s: not valid BTF: a section is past the end of "
				 "the %zu bytes", name, size);
			return -EINVAL;
		}
		for (i = sizeof(*h); i < h->hdr_len && i < size; i++) {
			if (((const char *)data)[i]) {
				kbtf_err(err, errlen, "%s: not valid BTF: unknown non-zero header "
					 "fields", name);
				return -EINVAL;
			}
		}
	}
	return kbtf_wrap(out, KBTF_PARSE(btf__new(data, (__u32)size)), name, err, errlen);
}

int kbtf_open_mem(struct ebph_btf **out, const void *data, size_t size, char *err,
		  size_t errlen)
{
	*out = NULL;
	return kbtf_parse(out, data, size, KBTF_MEM_NAME, err, errlen);
}

/*
 * Read a whole file (files in /sys report their size, pipes none) into a
 * malloc'ed buffer. 0 or -errno (-EFBIG past KBTF_READ_MAX).
 */
static int kbtf_read_file(const char *path, char **out, size_t *outsize)
{
	size_t cap = 1 << 20, len = 0;
	struct stat st;
	char *buf = NULL;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		ret = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out;
	}
	if (st.st_size > 0)
		cap = (size_t)st.st_size + 1;	/* + 1: see the end without growing */
	for (;;) {
		ssize_t n;

		if (!buf || len == cap) {
			char *nbuf;

			if (buf && cap >= KBTF_READ_MAX) {
				ret = -EFBIG;
				goto out;
			}
			if (buf)
				cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (!n)
			break;
		len += n;
	}
	*out = buf;
	*outsize = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return ret;
}

int kbtf_open(struct ebph_btf **out, const char *path, char *err, size_t errlen)
{
	char *data = NULL;
	size_t size = 0;
	int ret;

	*out = NULL;
	ret = kbtf_read_file(path, &data, &size);
	if (ret) {
		kbtf_err(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
		return ret;
	}
	ret = kbtf_parse(out, data, size, path, err, errlen);
	free(data);
	return ret;
}

void kbtf_close(struct ebph_btf *b)
{
	if (!b)
		return;
	btf__free(b->btf);
	free(b);
}

/* Look through typedefs and qualifiers; NULL for void or a modifier loop. */
static const struct btf_type *kbtf_skip_mods(const struct ebph_btf *b, __u32 id)
{
	int i;

	for (i = 0; i < KBTF_DEPTH_MAX && id; i++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);

		if (!t)
			return NULL;
		if (!btf_is_mod(t) && !btf_is_typedef(t))
			return t;
		id = t->type;
	}
	return NULL;
}

/*
 * Find member name[0..len) in struct/union t, directly or inside anonymous
 * struct/union members. *bits gets its bit offset from the start of t.
 * -ELOOP when a corrupt blob nests anonymous members too deeply or in a loop.
 */
static int kbtf_find_member(const struct ebph_btf *b, const struct btf_type *t,
			    const char *name, size_t len, int depth, __u32 *budget, __u64 *bits,
			    const struct btf_member **found, const struct btf_type **owner)
{
	const struct btf_member *m = btf_members(t);
	__u32 i, vlen = btf_vlen(t);

	if (depth > KBTF_DEPTH_MAX)
		return -ELOOP;
	for (i = 0; i < vlen; i++) {
		__u32 boff = btf_member_bit_offset(t, i);
		const char *mname = btf__name_by_offset(b->btf, m[i].name_off);

		if (!*budget)
			return -ELOOP;
		(*budget)--;
		if (!mname || !mname[0]) {
			const struct btf_type *inner = kbtf_skip_mods(b, m[i].type);
			__u64 sub;
			int ret;

			if (!inner || !btf_is_composite(inner))
				continue;
			ret = kbtf_find_member(b, inner, name, len, depth + 1, budget, &sub, found,
					       owner);
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
			*owner = t;
			return 0;
		}
	}
	return -ENOENT;
}

/* Is member m of struct/union owner a bitfield? */
static bool kbtf_is_bitfield(const struct ebph_btf *b, const struct btf_type *owner,
			     const struct btf_member *m)
{
	const struct btf_type *t;
	__u32 enc;

	if (btf_kflag(owner))
		return BTF_MEMBER_BITFIELD_SIZE(m->offset) != 0;
	/* Without kind_flag a bitfield is an int whose bits differ from its size. */
	t = kbtf_skip_mods(b, m->type);
	if (!t || !btf_is_int(t))
		return false;
	enc = *(const __u32 *)(t + 1);
	return BTF_INT_OFFSET(enc) || BTF_INT_BITS(enc) != (__u64)t->size * 8;
}

static const char *kbtf_kind_name(const struct btf_type *t)
{
	static const char *const names[] = {
		[BTF_KIND_UNKN] = "unknown",	[BTF_KIND_INT] = "int",
		[BTF_KIND_PTR] = "pointer",	[BTF_KIND_ARRAY] = "array",
		[BTF_KIND_STRUCT] = "struct",	[BTF_KIND_UNION] = "union",
		[BTF_KIND_ENUM] = "enum",	[BTF_KIND_FWD] = "forward declaration",
		[BTF_KIND_TYPEDEF] = "typedef",	[BTF_KIND_VOLATILE] = "volatile",
		[BTF_KIND_CONST] = "const",	[BTF_KIND_RESTRICT] = "restrict",
		[BTF_KIND_FUNC] = "function",	[BTF_KIND_FUNC_PROTO] = "function prototype",
		[BTF_KIND_VAR] = "variable",	[BTF_KIND_DATASEC] = "data section",
		[KBTF_KIND_FLOAT] = "float",	[KBTF_KIND_DECL_TAG] = "decl tag",
		[KBTF_KIND_TYPE_TAG] = "type tag", [KBTF_KIND_ENUM64] = "enum64",
	};
	__u16 k = KBTF_KIND(t);

	return k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "unknown";
}

/* What libbpf 1.1 does not check: every name offset and type id points inside. */
static int kbtf_validate(const struct btf *btf, char *why, size_t whylen)
{
	__u32 n = btf__type_cnt(btf), id, i;

#define KBTF_NAME_OK(off) (btf__name_by_offset(btf, (off)) != NULL)
#define KBTF_ID_OK(ref) ((ref) < n)
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		__u32 bad_ref = 0, bad_name = 0, vlen = btf_vlen(t);
		bool ref_bad = false, name_bad = !KBTF_NAME_OK(t->name_off);

		if (name_bad)
			bad_name = t->name_off;
		switch (KBTF_KIND(t)) {
		case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC:
		case KBTF_KIND_TYPE_TAG: case BTF_KIND_VAR: case KBTF_KIND_DECL_TAG:
			ref_bad = !KBTF_ID_OK(t->type);
			bad_ref = t->type;
			break;
		case BTF_KIND_ARRAY:
			ref_bad = !KBTF_ID_OK(btf_array(t)->type) ||
				  !KBTF_ID_OK(btf_array(t)->index_type);
			bad_ref = KBTF_ID_OK(btf_array(t)->type) ? btf_array(t)->index_type :
								   btf_array(t)->type;
			break;
		case BTF_KIND_STRUCT: case BTF_KIND_UNION:
			for (i = 0; i < vlen && !ref_bad && !name_bad; i++) {
				const struct btf_member *m = btf_members(t) + i;

				ref_bad = !KBTF_ID_OK(m->type);
				bad_ref = m->type;
				name_bad = !KBTF_NAME_OK(m->name_off);
				bad_name = m->name_off;
			}
			break;
		case BTF_KIND_FUNC_PROTO:
			ref_bad = !KBTF_ID_OK(t->type);
			bad_ref = t->type;
			for (i = 0; i < vlen && !ref_bad && !name_bad; i++) {
				const struct btf_param *p = btf_params(t) + i;

				ref_bad = !KBTF_ID_OK(p->type);
				bad_ref = p->type;
				name_bad = !KBTF_NAME_OK(p->name_off);
				bad_name = p->name_off;
			}
			break;
		case BTF_KIND_ENUM:
			for (i = 0; i < vlen && !name_bad; i++) {
				name_bad = !KBTF_NAME_OK(btf_enum(t)[i].name_off);
				bad_name = btf_enum(t)[i].name_off;
			}
			break;
		case KBTF_KIND_ENUM64:
			for (i = 0; i < vlen && !name_bad; i++) {
				const struct kbtf_enum64 *e = (const struct kbtf_enum64 *)(t + 1) + i;

				name_bad = !KBTF_NAME_OK(e->name_off);
				bad_name = e->name_off;
			}
			break;
		case BTF_KIND_DATASEC:
			for (i = 0; i < vlen && !ref_bad; i++) {
				ref_bad = !KBTF_ID_OK(btf_var_secinfos(t)[i].type);
				bad_ref = btf_var_secinfos(t)[i].type;
			}
			break;
		default:
			break;
		}
		if (name_bad) {
			snprintf(why, whylen, "type %u (%s): name offset %u is outside the strings",
				 id, kbtf_kind_name(t), bad_name);
			return -EINVAL;
		}
		if (ref_bad) {
			snprintf(why, whylen, "type %u (%s) refers to type %u, but the last is %u",
				 id, kbtf_kind_name(t), bad_ref, n - 1);
			return -EINVAL;
		}
	}
#undef KBTF_NAME_OK
#undef KBTF_ID_OK
	return 0;
}

int kbtf_offset(const struct ebph_btf *b, const char *type, const char *members, __u32 *off,
		char *err, size_t errlen)
{
	const struct btf_type *t;
	const char *p = members;
	__u64 total = 0;
	__u32 id;

	if (!b || !type || !members || !off) {
		kbtf_err(err, errlen, "BTF: bad arguments");
		return -EINVAL;
	}
	id = type[0] ? kbtf_find_composite(b, type) : 0;
	if (!id) {
		kbtf_err(err, errlen, "BTF: no struct or union named '%s'", type);
		return -ENOENT;
	}
	t = btf__type_by_id(b->btf, id);

	for (;;) {
		size_t len = strcspn(p, ".");
		const struct btf_member *m = NULL;
		const struct btf_type *owner = NULL;
		int chain = (int)(p + len - members);
		__u32 budget = KBTF_VISIT_MAX;
		__u64 bits;
		int ret;

		if (!len || (p[len] == '.' && !p[len + 1])) {
			kbtf_err(err, errlen, "BTF: bad member chain '%s' for %s", members, type);
			return -EINVAL;
		}
		ret = kbtf_find_member(b, t, p, len, 0, &budget, &bits, &m, &owner);
		if (ret == -ELOOP) {
			kbtf_err(err, errlen,
				 "BTF: %s.%.*s: anonymous members nest too deeply or in a loop",
				 type, chain, members);
			return -EINVAL;
		}
		if (ret) {
			const char *tname = kbtf_name_of(b, t);

			if (p == members)
				kbtf_err(err, errlen, "BTF: %s %s has no member '%.*s'",
					 kbtf_kind_name(t), tname, (int)len, p);
			else
				kbtf_err(err, errlen, "BTF: %s %s has no member '%.*s' (in %s.%.*s)",
					 kbtf_kind_name(t), tname[0] ? tname : "(anon)",
					 (int)len, p, type, chain, members);
			return -ENOENT;
		}
		if (kbtf_is_bitfield(b, owner, m)) {
			kbtf_err(err, errlen, "BTF: %s.%.*s is a bitfield", type, chain, members);
			return -EINVAL;
		}
		if (bits % 8) {
			kbtf_err(err, errlen, "BTF: %s.%.*s is not byte-aligned (bit offset %llu)",
				 type, chain, members, (unsigned long long)bits);
			return -EINVAL;
		}
		total += bits;
		if (!p[len])
			break;

		t = kbtf_skip_mods(b, m->type);
		if (!t) {
			kbtf_err(err, errlen, "BTF: %s.%.*s is not a struct or union", type, chain,
				 members);
			return -ENOENT;
		}
		if (!btf_is_composite(t)) {
			const char *kind = kbtf_kind_name(t);

			kbtf_err(err, errlen, "BTF: %s.%.*s is %s %s, not a struct or union", type,
				 chain, members, strchr("aeiou", kind[0]) ? "an" : "a", kind);
			return -ENOENT;
		}
		p += len + 1;
	}
	if (total / 8 > UINT32_MAX) {
		kbtf_err(err, errlen, "BTF: %s.%s: offset too large", type, members);
		return -EINVAL;
	}
	*off = total / 8;
	return 0;
}

int kbtf_type_id(const struct ebph_btf *b, const char *name, unsigned int kind, __u32 *id)
{
	__s32 r = btf__find_by_name_kind(b->btf, name, kind);

	if (r <= 0)
		return -ENOENT;
	*id = (__u32)r;
	return 0;
}

int kbtf_enum_value(const struct ebph_btf *b, const char *type, const char *name, __u32 *val,
		    char *err, size_t errlen)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	__u32 id, i;

	if (kbtf_type_id(b, type, BTF_KIND_ENUM, &id)) {
		kbtf_err(err, errlen, "BTF: no enum named '%s'", type);
		return -ENOENT;
	}
	t = btf__type_by_id(b->btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *n = btf__name_by_offset(b->btf, e[i].name_off);

		if (n && !strcmp(n, name)) {
			*val = (__u32)e[i].val;
			return 0;
		}
	}
	kbtf_err(err, errlen, "BTF: enum %s has no value '%s'", type, name);
	return -ENOENT;
}
