/* SPDX-License-Identifier: GPL-2.0-only */
/* btf.h: kernel struct member offsets from the running kernel's BTF. */
#ifndef EBPH_BTF_H
#define EBPH_BTF_H

#include <stddef.h>
#include <linux/types.h>

#define BTF_VMLINUX "/sys/kernel/btf/vmlinux"

/* BTF kinds and records newer than some distributions' <linux/btf.h>
 * (Debian 11 ships Linux 5.10's, Ubuntu 22.04 5.15's); BTF's numbering and
 * layout are a stable ABI, so ebph defines them itself. */
enum {
	EBPH_BTF_KIND_FLOAT = 16,
	EBPH_BTF_KIND_DECL_TAG = 17,
	EBPH_BTF_KIND_TYPE_TAG = 18,
	EBPH_BTF_KIND_ENUM64 = 19,
	EBPH_BTF_NR_KINDS = 20,
};
/* A type's kind: 5 bits (Linux 5.10's header masks 4: no kind past 15). */
#define EBPH_BTF_INFO_KIND(info) (((info) >> 24) & 0x1f)
struct ebph_btf_decl_tag {
	__s32 component_idx;
};
struct ebph_btf_enum64 {
	__u32 name_off;
	__u32 val_lo32;
	__u32 val_hi32;
};

struct ebph_btf;

/* Read and index a raw BTF blob (e.g. BTF_VMLINUX). 0 or -errno; err says why. */
int btf_open(struct ebph_btf **out, const char *path, char *err, size_t errlen);
/* Same, from memory (the blob is copied). */
int btf_open_mem(struct ebph_btf **out, const void *data, size_t size, char *err, size_t errlen);
void btf_close(struct ebph_btf *btf);

/*
 * Byte offset of a member chain in a struct or union: btf_offset(b,
 * "file", "f_path.dentry", &off). Members of anonymous structs/unions are
 * found as if they were direct members; typedefs and qualifiers are looked
 * through when descending. Returns 0, -ENOENT (type or member missing; err
 * names which), or -EINVAL (bitfield member).
 */
int btf_offset(const struct ebph_btf *btf, const char *type, const char *members, __u32 *off,
	       char *err, size_t errlen);

/* Id of the first type of this kind (BTF_KIND_*) and name. 0 or -ENOENT. */
int btf_type_id(const struct ebph_btf *btf, const char *name, unsigned int kind, __u32 *id);

/* Value of the enumerator name of enum type. 0 or -ENOENT (err says which is missing). */
int btf_enum_value(const struct ebph_btf *btf, const char *type, const char *name, __u32 *val,
		   char *err, size_t errlen);

#endif
