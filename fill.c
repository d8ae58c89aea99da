/* SPDX-License-Identifier: GPL-2.0-only */
/* fill.c: turns the validated configuration and kernel offsets into BPF C text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls.h"
#include "btf.h"
#include "fill.h"

extern const char ebph_text_ebph_bpf_c_in[];
extern const char ebph_text_ebph_h[];
extern const char ebph_text_ph_h[];

const struct fill_member fill_members[] = {
	{ "OFF_TASK_PID", "task_struct", "pid" },
	{ "OFF_TASK_TGID", "task_struct", "tgid" },
	{ "OFF_TASK_MM", "task_struct", "mm" },
	{ "OFF_MM_EXE_FILE", "mm_struct", "exe_file" },
	{ "OFF_FILE_INODE", "file", "f_inode" },
	{ "OFF_FILE_DENTRY", "file", "f_path.dentry" },
	{ "OFF_DENTRY_NAME", "dentry", "d_name.name" },
	{ "OFF_INODE_INO", "inode", "i_ino" },
	{ "OFF_INODE_SB", "inode", "i_sb" },
	{ "OFF_SB_DEV", "super_block", "s_dev" },
	{ "OFF_BPRM_FILE", "linux_binprm", "file" },
	{ "OFF_BPRM_INTERP", "linux_binprm", "interp" },
	{ "OFF_TASK_SAS_SS_SP", "task_struct", "sas_ss_sp" },
	{ "OFF_TASK_SAS_SS_SIZE", "task_struct", "sas_ss_size" },
	{ "OFF_TASK_SAS_SS_FLAGS", "task_struct", "sas_ss_flags" },
	{ "OFF_INODE_NLINK", "inode", "i_nlink" },
	{ "OFF_TASK_FILES", "task_struct", "files" },
	{ "OFF_FILES_FDT", "files_struct", "fdt" },
	{ "OFF_FDT_MAX_FDS", "fdtable", "max_fds" },
	{ "OFF_FDT_FD", "fdtable", "fd" },
	/* the call number: the kernel uses the low 32 bits as an int (x86-64:
	 * do_syscall_64(regs, int nr); arm64: syscallno is an s32) */
#if defined(__x86_64__)
	{ "OFF_REGS_NR", "pt_regs", "orig_ax" },
	{ "OFF_REGS_SP", "pt_regs", "sp" },
	{ "OFF_REGS_PROT", "pt_regs", "dx" },	/* mmap's 3rd and 5th arguments */
	{ "OFF_REGS_FD", "pt_regs", "r8" },
#elif defined(__aarch64__)
	{ "OFF_REGS_NR", "pt_regs", "syscallno" },
	{ "OFF_REGS_SP", "pt_regs", "sp" },
	{ "OFF_REGS_ARGS", "pt_regs", "regs" },	/* regs[2], regs[4]: see fill_text */
#else
#error "ebph: unsupported architecture (needs the pt_regs member holding the syscall number)"
#endif
	{ "OFF_KSIG_HANDLER", "k_sigaction", "sa.sa_handler" },
	{ "OFF_KSIG_FLAGS", "k_sigaction", "sa.sa_flags" },
	{ "OFF_TASK_REAL_PARENT", "task_struct", "real_parent" },
	{ "OFF_IO_KIOCB_OPCODE", "io_kiocb", "opcode" },	/* optional: io_uring */
	{ "OFF_MM_ARG_START", "mm_struct", "arg_start" },
	{ "OFF_MM_ARG_END", "mm_struct", "arg_end" },
	{ "OFF_BPRM_FILENAME", "linux_binprm", "filename" },
	{ "OFF_TASK_FS", "task_struct", "fs" },
	{ "OFF_FS_PWD_DENTRY", "fs_struct", "pwd.dentry" },
	{ "OFF_DENTRY_D_INODE", "dentry", "d_inode" },
	{ "OFF_TASK_LOGINUID", "task_struct", "loginuid" },	/* optional: CONFIG_AUDIT */
	/* profile_scope: cgroup (the task's cgroup v2 path, at exec) */
	{ "OFF_TASK_CGROUPS", "task_struct", "cgroups" },
	{ "OFF_CSS_SET_DFL_CGRP", "css_set", "dfl_cgrp" },
	{ "OFF_CGROUP_KN", "cgroup", "kn" },
	{ "OFF_KN_NAME", "kernfs_node", "name" },
	{ "OFF_KN___PARENT", "kernfs_node", "__parent" },	/* 6.15 and later */
	{ "OFF_KN_PARENT", "kernfs_node", "parent" },		/* before 6.15 */
};
const unsigned int fill_nmembers = sizeof(fill_members) / sizeof(fill_members[0]);

/* Members a kernel may lack: io_kiocb exists only with CONFIG_IO_URING,
 * task_struct.loginuid only with CONFIG_AUDIT; kernfs_node's parent has
 * one of two names. */
static const char *const fill_optional_macros[] = {
	"OFF_IO_KIOCB_OPCODE", "OFF_TASK_LOGINUID", "OFF_KN___PARENT", "OFF_KN_PARENT",
};

int fill_optional(unsigned int i)
{
	unsigned int j, n = sizeof(fill_optional_macros) / sizeof(fill_optional_macros[0]);

	for (j = 0; i < fill_nmembers && j < n; j++)
		if (!strcmp(fill_members[i].macro, fill_optional_macros[j]))
			return 1;
	return 0;
}

const struct fill_fs_member fill_fs_members[] = {
	{ "OFF_SB_MAGIC", "super_block", "s_magic", "" },
	{ "OFF_BTRFS_INODE_VFS", "btrfs_inode", "vfs_inode", "btrfs" },
	{ "OFF_BTRFS_INODE_ROOT", "btrfs_inode", "root", "btrfs" },
	{ "OFF_BTRFS_ROOT_ANON_DEV", "btrfs_root", "anon_dev", "btrfs" },
	{ "OFF_SB_FS_INFO", "super_block", "s_fs_info", "overlay" },
	{ "OFF_DENTRY_INODE", "dentry", "d_inode", "overlay" },
	{ "OFF_OVL_INODE_VFS", "ovl_inode", "vfs_inode", "overlay" },
	{ "OFF_OVL_INODE_FLAGS", "ovl_inode", "flags", "overlay" },
	{ "OFF_OVL_INODE_UPPER", "ovl_inode", "__upperdentry", "overlay" },
	{ "OFF_OVL_INODE_OE", "ovl_inode", "oe", "overlay" },
	{ "OFF_OVL_ENTRY_LOWER", "ovl_entry", "__lowerstack", "overlay" },
	{ "OFF_OVL_PATH_LAYER", "ovl_path", "layer", "overlay" },
	{ "OFF_OVL_PATH_DENTRY", "ovl_path", "dentry", "overlay" },
	{ "OFF_OVL_LAYER_FS", "ovl_layer", "fs", "overlay" },
	{ "OFF_OVL_LAYER_FSID", "ovl_layer", "fsid", "overlay" },
	{ "OFF_OVL_SB_PSEUDO_DEV", "ovl_sb", "pseudo_dev", "overlay" },
	{ "OFF_OVL_FS_FS", "ovl_fs", "fs", "overlay" },
	{ "OFF_OVL_FS_XINO", "ovl_fs", "xino_mode", "overlay" },
	{ "EBPH_OVL_CONST_INO", "enum ovl_inode_flag", "OVL_CONST_INO", "overlay" },
};
const unsigned int fill_fs_nmembers = sizeof(fill_fs_members) / sizeof(fill_fs_members[0]);

const struct fill_fs fill_fs[] = {
	{ "btrfs", "EBPH_FS_BTRFS" },
	{ "overlay", "EBPH_FS_OVERLAY" },
};
const unsigned int fill_nfs = sizeof(fill_fs) / sizeof(fill_fs[0]);

int fill_offsets(const struct ebph_btf *btf, __u32 *offs, char *err, size_t errlen)
{
	char why[192];
	unsigned int i;
	int ret;

	for (i = 0; i < fill_nmembers; i++) {
		ret = kbtf_offset(btf, fill_members[i].type, fill_members[i].member, &offs[i], why,
				  sizeof(why));
		if (ret && fill_optional(i)) {
			offs[i] = FILL_OFF_NONE;
		} else if (ret) {
			snprintf(err, errlen, "%s (needed for %s.%s)", why, fill_members[i].type,
				 fill_members[i].member);
			return ret;
		}
	}
	return 0;
}

void fill_offset_defines(FILE *f, const __u32 *offs)
{
	unsigned int i;

	for (i = 0; i < fill_nmembers; i++)
		if (offs[i] != FILL_OFF_NONE)
			fprintf(f, "#define %s %u\t/* %s.%s */\n", fill_members[i].macro,
				offs[i], fill_members[i].type, fill_members[i].member);
}

int fill_fs_enabled(const __u32 *fs_offs, const char *group)
{
	unsigned int i;

	if (!fs_offs)
		return 0;
	for (i = 0; i < fill_fs_nmembers; i++) {
		const char *g = fill_fs_members[i].group;

		if ((!g[0] || !strcmp(g, group)) && fs_offs[i] == FILL_MISSING)
			return 0;
	}
	return 1;
}

/* A header's text as whole lines. */
static void fill_header(FILE *f, const char *text)
{
	size_t len = strlen(text);

	fputs(text, f);
	if (len && text[len - 1] != '\n')
		fputc('\n', f);
}

/* Append the text of a header in place of its #include line. */
static void fill_splice(FILE *f, const char *tmpl, const char *ebph_h, const char *ph_h)
{
	const char *line = tmpl;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line + 1) : strlen(line);

		if (!strncmp(line, "#include \"ebph.h\"", 17))
			fill_header(f, ebph_h);
		else if (!strncmp(line, "#include \"ph.h\"", 15))
			fill_header(f, ph_h);
		else
			fwrite(line, 1, len, f);
		line += len;
	}
}

__u32 fill_task_slots(__u32 max_tasks)
{
	__u32 n = 1;

	while (n < max_tasks)
		n <<= 1;
	return n;
}

__u32 fill_task_spill(__u32 max_tasks)
{
	return max_tasks / 4 > 64 ? max_tasks / 4 : 64;
}

char *fill_text(const char *tmpl, const char *ebph_h, const char *ph_h,
		const struct ebph_config *cfg, const __u32 *offs, const __u32 *fs_offs)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "/* ebph BPF program, generated from ebph.bpf.c.in */\n");
	fprintf(f, "#define EBPH_NR_SYSCALLS %u\n", EBPH_NR_SYSCALLS);
	fprintf(f, "#define EBPH_NR_RESTART_SYSCALL %u\n", EBPH_NR_RESTART_SYSCALL);
	fprintf(f, "#define EBPH_WINDOW %u\n", cfg->window);
	fprintf(f, "#define EBPH_NORMAL_WAIT_NS %lluULL\n",
		(unsigned long long)cfg->normal_wait * 1000000000ULL);
	fprintf(f, "#define EBPH_NORMAL_FACTOR %u\n", cfg->normal_factor);
	fprintf(f, "#define EBPH_NORMAL_FACTOR_DEN %u\n", cfg->normal_factor_den);
	fprintf(f, "#define EBPH_MIN_TRAIN_CALLS %u\n", cfg->min_train_calls);
	fprintf(f, "#define EBPH_ANOMALY_LIMIT %u\n", cfg->anomaly_limit);
	fprintf(f, "#define EBPH_TOLERIZE_LIMIT %u\n", cfg->tolerize_limit);
	fprintf(f, "#define EBPH_LFC_WINDOW %u\n", cfg->lfc_window);
	fprintf(f, "#define EBPH_MAX_PROFILES %u\n", cfg->max_profiles);
	fprintf(f, "#define EBPH_TASK_SLOTS %u\n", fill_task_slots(cfg->max_tasks));
	fprintf(f, "#define EBPH_TASK_SPILL %u\n", fill_task_spill(cfg->max_tasks));
	fprintf(f, "#define EBPH_MAX_ROWS %u\n", cfg->max_rows);
	fprintf(f, "#define EBPH_MAX_ROWS_PER_PROFILE %u\n", cfg->max_rows_per_profile);
	fprintf(f, "#define EBPH_RINGBUF_PAGES %u\n", cfg->ringbuf_kb / 4);
	fprintf(f, "#define EBPH_ANOMALY_LINES %u\n", cfg->anomaly_lines);
	fprintf(f, "#define EBPH_SUMMARY_NS %lluULL\n",
		(unsigned long long)cfg->summary_interval * 1000000000ULL);
	fprintf(f, "#define EBPH_NR_MMAP %u\n", EBPH_NR_MMAP);
	fprintf(f, "#define EBPH_MAX_EDGES %u\n", cfg->max_edges);
	fprintf(f, "#define EBPH_ANOMALY_PERIOD_NS %lluULL\n",
		(unsigned long long)cfg->anomaly_period * 1000000000ULL);
	fprintf(f, "#define EBPH_AUTO_TOLERIZE %u\n", cfg->auto_tolerize);
	fprintf(f, "#define EBPH_SCOPE_CGROUP %u\n", cfg->profile_scope == CFG_SCOPE_CGROUP);
	fill_offset_defines(f, offs);
#if defined(__aarch64__)
	fprintf(f, "#define OFF_REGS_PROT (OFF_REGS_ARGS + 16)\n#define OFF_REGS_FD (OFF_REGS_ARGS + 32)\n");
#endif
	for (i = 0; fs_offs && i < fill_fs_nmembers; i++)
		if (fs_offs[i] != FILL_MISSING)
			fprintf(f, "#define %s %u\t/* %s.%s */\n", fill_fs_members[i].macro,
				fs_offs[i], fill_fs_members[i].type, fill_fs_members[i].member);
	for (i = 0; i < fill_nfs; i++)
		fprintf(f, "#define %s %d\n", fill_fs[i].macro, fill_fs_enabled(fs_offs, fill_fs[i].group));
	fill_splice(f, tmpl, ebph_h, ph_h);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *fill_program(const struct ebph_config *cfg, const __u32 *offs, const __u32 *fs_offs)
{
	return fill_text(ebph_text_ebph_bpf_c_in, ebph_text_ebph_h, ebph_text_ph_h, cfg, offs,
			 fs_offs);
}
