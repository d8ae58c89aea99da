/* fill.c: turns the validated configuration and kernel offsets into BPF C text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls.h"
#include "fill.h"

extern const char ebph_text_bpf_prog_c_in[];
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
#if defined(__x86_64__)
	{ "OFF_REGS_NR", "pt_regs", "orig_ax" },
#elif defined(__aarch64__)
	{ "OFF_REGS_NR", "pt_regs", "syscallno" },
#else
#error "ebph: unsupported architecture (needs the pt_regs member holding the syscall number)"
#endif
	{ "OFF_KSIG_HANDLER", "k_sigaction", "sa.sa_handler" },
	{ "OFF_KSIG_FLAGS", "k_sigaction", "sa.sa_flags" },
};
const unsigned int fill_nmembers = sizeof(fill_members) / sizeof(fill_members[0]);

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
		const struct ebph_config *cfg, const __u32 *offs)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "/* ebph BPF program, generated from bpf_prog.c.in */\n");
	fprintf(f, "#define EBPH_NR_SYSCALLS %u\n", EBPH_NR_SYSCALLS);
	fprintf(f, "#define EBPH_NR_RESTART_SYSCALL %u\n", EBPH_NR_RESTART_SYSCALL);
	fprintf(f, "#define EBPH_WINDOW %u\n", cfg->window);
	fprintf(f, "#define EBPH_NORMAL_WAIT_NS %lluULL\n",
		(unsigned long long)cfg->normal_wait * 1000000000ULL);
	fprintf(f, "#define EBPH_NORMAL_FACTOR %u\n", cfg->normal_factor);
	fprintf(f, "#define EBPH_NORMAL_FACTOR_DEN %u\n", cfg->normal_factor_den);
	fprintf(f, "#define EBPH_ANOMALY_LIMIT %u\n", cfg->anomaly_limit);
	fprintf(f, "#define EBPH_TOLERIZE_LIMIT %u\n", cfg->tolerize_limit);
	fprintf(f, "#define EBPH_LFC_WINDOW %u\n", cfg->lfc_window);
	fprintf(f, "#define EBPH_MAX_PROFILES %u\n", cfg->max_profiles);
	fprintf(f, "#define EBPH_TASK_SLOTS %u\n", fill_task_slots(cfg->max_tasks));
	fprintf(f, "#define EBPH_TASK_SPILL %u\n", fill_task_spill(cfg->max_tasks));
	fprintf(f, "#define EBPH_MAX_ROWS %u\n", cfg->max_rows);
	fprintf(f, "#define EBPH_MAX_ROWS_PER_PROFILE %u\n", cfg->max_rows_per_profile);
	fprintf(f, "#define EBPH_RINGBUF_PAGES %u\n", cfg->ringbuf_kb / 4);
	for (i = 0; i < fill_nmembers; i++)
		fprintf(f, "#define %s %u\t/* %s.%s */\n", fill_members[i].macro, offs[i],
			fill_members[i].type, fill_members[i].member);
	fill_splice(f, tmpl, ebph_h, ph_h);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

char *fill_program(const struct ebph_config *cfg, const __u32 *offs)
{
	return fill_text(ebph_text_bpf_prog_c_in, ebph_text_ebph_h, ebph_text_ph_h, cfg, offs);
}
