/* SPDX-License-Identifier: GPL-2.0-only */
/* fill.h: fill the BPF program template from the configuration and kernel layouts. */
#ifndef EBPH_FILL_H
#define EBPH_FILL_H

#include <stdio.h>
#include <linux/types.h>
#include "config.h"

struct ebph_btf;

/* Kernel struct members the BPF program reads, resolved from BTF. */
struct fill_member {
	const char *macro;	/* #define name in the template */
	const char *type;	/* struct or union */
	const char *member;	/* member chain, dots between */
};

/* Offset of an optional member this kernel lacks: no #define is written. */
#define FILL_OFF_NONE	0xffffffffU
/* The same for one file system's identity rule; type "enum X": member is
 * an enumerator of X, whose value is passed. */
struct fill_fs_member {
	const char *macro;
	const char *type;
	const char *member;
	const char *group;	/* the file system, "" = needed by all of them */
};

extern const struct fill_member fill_members[];
extern const unsigned int fill_nmembers;

/* 1 if fill_members[i] may be missing on a kernel (FILL_OFF_NONE): the
 * template leaves out what needs it (#ifdef macro); else 0. */
int fill_optional(unsigned int i);

/* Offset of every fill_members entry (same order) from btf into offs; an
 * optional one the kernel lacks is FILL_OFF_NONE. 0, or -errno with err
 * naming the member missing and what needs it. */
int fill_offsets(const struct ebph_btf *btf, __u32 *offs, char *err, size_t errlen);

/* offs as the template's #defines (none for FILL_OFF_NONE). */
void fill_offset_defines(FILE *f, const __u32 *offs);

/*
 * Optional members: what file_key needs to compute stat(2)'s identity on
 * file systems whose st_dev is not i_sb->s_dev (btrfs subvolumes, overlayfs).
 * An offset of FILL_MISSING (not in the kernel's BTF, e.g. a module) turns
 * that file system's rule off: EBPH_FS_<NAME> is defined 0.
 */
#define FILL_MISSING	0xffffffffU
extern const struct fill_fs_member fill_fs_members[];
extern const unsigned int fill_fs_nmembers;

/* File system groups of fill_fs_members, and their template switch. */
struct fill_fs {
	const char *group;
	const char *macro;	/* EBPH_FS_BTRFS ... */
};
extern const struct fill_fs fill_fs[];
extern const unsigned int fill_nfs;

/* 1 if every member of fs group (and the common ones) is resolved in fs_offs. */
int fill_fs_enabled(const __u32 *fs_offs, const char *group);

/*
 * Build the BPF program text: the #defines for cfg and offs (one offset per
 * fill_members entry, same order), fs_offs (per fill_fs_members entry, or
 * NULL: none), then the template with its
 * #include "ebph.h" / "ph.h" lines replaced by those headers.
 * Returns a malloc'd string, or NULL (out of memory).
 */
char *fill_program(const struct ebph_config *cfg, const __u32 *offs, const __u32 *fs_offs);

/* Task states: slots of the direct-mapped tasks array (max_tasks rounded
 * up to a power of two) and of the "pending" hash (a child forked into a
 * slot another task holds, until its first event). */
__u32 fill_task_slots(__u32 max_tasks);
__u32 fill_task_spill(__u32 max_tasks);

/* The same from given template and header texts (for tests). */
char *fill_text(const char *tmpl, const char *ebph_h, const char *ph_h,
		const struct ebph_config *cfg, const __u32 *offs, const __u32 *fs_offs);

#endif
