/* SPDX-License-Identifier: GPL-2.0-only */
/* btf.h: kernel struct member offsets from the running kernel's BTF (parsed by libbpf). */
#ifndef EBPH_BTF_H
#define EBPH_BTF_H

#include <stddef.h>
#include <linux/types.h>

#define BTF_VMLINUX "/sys/kernel/btf/vmlinux"

struct ebph_btf;

/* Read and index a raw BTF blob (e.g. BTF_VMLINUX). 0 or -errno; err says why. */
int kbtf_open(struct ebph_btf **out, const char *path, char *err, size_t errlen);
/* Same, from memory (the blob is copied). Errors: -EINVAL for data libbpf refuses
 * (err quotes libbpf's reason), -ENOENT/-EACCES when the file cannot be read, -ENOMEM. */
int kbtf_open_mem(struct ebph_btf **out, const void *data, size_t size, char *err, size_t errlen);
void kbtf_close(struct ebph_btf *btf);

/*
 * Byte offset of a member chain in a struct or union: kbtf_offset(b,
 * "file", "f_path.dentry", &off). Members of anonymous structs/unions are
 * found as if they were direct members; typedefs and qualifiers are looked
 * through when descending. Returns 0, -ENOENT (type or member missing; err
 * names which), or -EINVAL (bitfield member).
 */
int kbtf_offset(const struct ebph_btf *btf, const char *type, const char *members, __u32 *off,
	       char *err, size_t errlen);

/* Id of the first type of this kind (BTF_KIND_*) and name. 0 or -ENOENT. */
int kbtf_type_id(const struct ebph_btf *btf, const char *name, unsigned int kind, __u32 *id);

/* Value of the enumerator name of enum type. 0 or -ENOENT (err says which is missing). */
int kbtf_enum_value(const struct ebph_btf *btf, const char *type, const char *name, __u32 *val,
		   char *err, size_t errlen);

#endif
