/* SPDX-License-Identifier: GPL-2.0-only */
/* test_fill.c: check suite for fill.c (BPF template #defines and header splicing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "config.h"
#include "syscalls.h"
#include "fill.h"

extern const char ebph_text_ebph_bpf_c_in[];
extern const char ebph_text_ebph_h[];
extern const char ebph_text_ph_h[];

#define MAX_MEMBERS 64

static __u32 offs[MAX_MEMBERS];

/* Distinct fake offsets, none a prefix of another's decimal text. */
static void fake_offsets(void)
{
	unsigned int i;

	ck_assert_uint_le(fill_nmembers, MAX_MEMBERS);
	for (i = 0; i < fill_nmembers; i++)
		offs[i] = 1000 + 24 * i;
}

/* Times needle occurs in hay. */
static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/* text has the line exactly once, as a whole line. */
#define HAS_LINE(text, line)							\
	do {									\
		char l_[512];							\
		snprintf(l_, sizeof(l_), "\n%s\n", line);			\
		ck_assert_msg(count(text, l_) == 1, "line '%s' found %d times",	\
			      line, count(text, l_));				\
	} while (0)

/* A line starting with prefix. */
static int has_line_prefix(const char *text, const char *prefix)
{
	const char *l;

	if (!strncmp(text, prefix, strlen(prefix)))
		return 1;
	for (l = strchr(text, '\n'); l; l = strchr(l + 1, '\n'))
		if (!strncmp(l + 1, prefix, strlen(prefix)))
			return 1;
	return 0;
}

START_TEST(test_fill_defaults_defines)
{
	struct ebph_config c;
	char line[128], *t;

	cfg_defaults(&c);
	fake_offsets();
	t = fill_program(&c, offs, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert(!strncmp(t, "/* ebph BPF program, generated from ebph.bpf.c.in */\n", 53));
	snprintf(line, sizeof(line), "#define EBPH_NR_SYSCALLS %u", EBPH_NR_SYSCALLS);
	HAS_LINE(t, line);
	HAS_LINE(t, "#define EBPH_WINDOW 9");
	HAS_LINE(t, "#define EBPH_NORMAL_WAIT_NS 604800000000000ULL");
	HAS_LINE(t, "#define EBPH_NORMAL_FACTOR 128");
	HAS_LINE(t, "#define EBPH_NORMAL_FACTOR_DEN 32");
	HAS_LINE(t, "#define EBPH_ANOMALY_LIMIT 30");
	HAS_LINE(t, "#define EBPH_TOLERIZE_LIMIT 12");
	HAS_LINE(t, "#define EBPH_LFC_WINDOW 128");
	HAS_LINE(t, "#define EBPH_MAX_PROFILES 10240");
	HAS_LINE(t, "#define EBPH_TASK_SLOTS 16384");
	HAS_LINE(t, "#define EBPH_TASK_SPILL 4096");
	HAS_LINE(t, "#define EBPH_MAX_ROWS 32768");
	HAS_LINE(t, "#define EBPH_RINGBUF_PAGES 256");
	free(t);
}
END_TEST

START_TEST(test_fill_offsets_defines)
{
	struct ebph_config c;
	char line[256], *t;
	unsigned int i;

	cfg_defaults(&c);
	fake_offsets();
	t = fill_program(&c, offs, NULL);
	ck_assert_ptr_nonnull(t);
	for (i = 0; i < fill_nmembers; i++) {
		snprintf(line, sizeof(line), "#define %s %u\t/* %s.%s */", fill_members[i].macro,
			 1000 + 24 * i, fill_members[i].type, fill_members[i].member);
		HAS_LINE(t, line);
		snprintf(line, sizeof(line), "\n#define %s ", fill_members[i].macro);
		ck_assert_int_eq(count(t, line), 1);
	}
	/* A few known ones, spelled out. */
	HAS_LINE(t, "#define OFF_TASK_PID 1000\t/* task_struct.pid */");
	HAS_LINE(t, "#define OFF_TASK_TGID 1024\t/* task_struct.tgid */");
	HAS_LINE(t, "#define OFF_FILE_DENTRY 1120\t/* file.f_path.dentry */");
	free(t);
}
END_TEST

/* File-system offsets: a group is on only when all its members and the
 * common ones resolved; missing members are not defined. */
START_TEST(test_fill_fs_groups)
{
	__u32 fs[MAX_MEMBERS];
	struct ebph_config c;
	unsigned int i, ovl = 0, common = 0;
	char line[256], *t;

	cfg_defaults(&c);
	fake_offsets();
	ck_assert_uint_le(fill_fs_nmembers, MAX_MEMBERS);
	for (i = 0; i < fill_fs_nmembers; i++) {
		fs[i] = 2000 + 8 * i;
		if (!strcmp(fill_fs_members[i].group, "overlay"))
			ovl = i;
		if (!fill_fs_members[i].group[0])
			common = i;
		ck_assert_msg(strstr(ebph_text_ebph_bpf_c_in, fill_fs_members[i].macro),
			      "template does not use %s", fill_fs_members[i].macro);
	}
	t = fill_program(&c, offs, fs);
	ck_assert_ptr_nonnull(t);
	HAS_LINE(t, "#define EBPH_FS_BTRFS 1");
	HAS_LINE(t, "#define EBPH_FS_OVERLAY 1");
	for (i = 0; i < fill_fs_nmembers; i++) {
		snprintf(line, sizeof(line), "#define %s %u\t/* %s.%s */", fill_fs_members[i].macro,
			 2000 + 8 * i, fill_fs_members[i].type, fill_fs_members[i].member);
		HAS_LINE(t, line);
	}
	free(t);
	fs[ovl] = FILL_MISSING;
	t = fill_program(&c, offs, fs);
	HAS_LINE(t, "#define EBPH_FS_BTRFS 1");
	HAS_LINE(t, "#define EBPH_FS_OVERLAY 0");
	snprintf(line, sizeof(line), "#define %s ", fill_fs_members[ovl].macro);
	ck_assert_int_eq(count(t, line), 0);
	free(t);
	fs[common] = FILL_MISSING;
	t = fill_program(&c, offs, fs);
	HAS_LINE(t, "#define EBPH_FS_BTRFS 0");
	HAS_LINE(t, "#define EBPH_FS_OVERLAY 0");
	free(t);
}
END_TEST

/* fill_members and the template's required-offset check name the same
 * macros; the optional ones guard their code with #ifdef instead. */
START_TEST(test_fill_members_match_template)
{
	const char *p = ebph_text_ebph_bpf_c_in;
	char name[64];
	unsigned int i, n = 0, seen = 0, nopt = 0;

	ck_assert_uint_eq(fill_nmembers, 41);
	for (i = 0; i < fill_nmembers; i++) {
		ck_assert(!strncmp(fill_members[i].macro, "OFF_", 4));
		snprintf(name, sizeof(name), "!defined(%s)", fill_members[i].macro);
		ck_assert_msg(count(p, name) == !fill_optional(i),
			      "template %s %s", fill_optional(i) ? "requires optional" :
			      "does not require", fill_members[i].macro);
		snprintf(name, sizeof(name), "#ifdef %s\n", fill_members[i].macro);
		ck_assert_msg(count(p, name) == fill_optional(i),
			      "template: no #ifdef for optional %s", fill_members[i].macro);
		nopt += fill_optional(i);
		ck_assert_ptr_nonnull(fill_members[i].type);
		ck_assert_ptr_nonnull(fill_members[i].member);
	}
	while ((p = strstr(p, "!defined(OFF_"))) {
		size_t len = strcspn(p + 9, ")");
		unsigned int found = 0;

		ck_assert_uint_lt(len, sizeof(name));
		memcpy(name, p + 9, len);
		name[len] = 0;
		for (i = 0; i < fill_nmembers; i++)
			if (!strcmp(fill_members[i].macro, name))
				found = 1;
		ck_assert_msg(found, "template requires %s, fill_members lacks it", name);
		seen += found;
		n++;
		p += 9 + len;
	}
	ck_assert_uint_eq(n, fill_nmembers - nopt);
	ck_assert_uint_eq(seen, n);
	ck_assert_uint_eq(nopt, 4);	/* io_kiocb.opcode, task_struct.loginuid, kernfs_node.(__)parent */
}
END_TEST

/* An optional member this kernel lacks (FILL_OFF_NONE) gets no #define, so
 * the template leaves out the code that needs it; the others are there. */
START_TEST(test_fill_optional_member_missing)
{
	struct ebph_config c;
	unsigned int i, opt = fill_nmembers;
	char line[128], *t;

	cfg_defaults(&c);
	fake_offsets();
	for (i = 0; i < fill_nmembers; i++)
		if (fill_optional(i) && opt == fill_nmembers)
			opt = i;
	ck_assert_uint_lt(opt, fill_nmembers);
	ck_assert_str_eq(fill_members[opt].macro, "OFF_IO_KIOCB_OPCODE");
	offs[opt] = FILL_OFF_NONE;
	t = fill_program(&c, offs, NULL);
	ck_assert_ptr_nonnull(t);
	snprintf(line, sizeof(line), "#define %s ", fill_members[opt].macro);
	ck_assert_int_eq(count(t, line), 0);
	ck_assert_int_eq(count(t, "#ifdef OFF_IO_KIOCB_OPCODE\n"), 1);
	for (i = 0; i < fill_nmembers; i++) {
		if (i == opt)
			continue;
		snprintf(line, sizeof(line), "\n#define %s %u\t", fill_members[i].macro,
			 1000 + 24 * i);
		ck_assert_int_eq(count(t, line), 1);
	}
	free(t);
}
END_TEST

/* Every #define precedes the template, whose #if checks need them. */
START_TEST(test_fill_defines_before_template)
{
	struct ebph_config c;
	const char *tmpl_start, *last_off;
	char *t, needle[64];

	cfg_defaults(&c);
	fake_offsets();
	t = fill_program(&c, offs, NULL);
	ck_assert_ptr_nonnull(t);
	tmpl_start = strstr(t, "/* ebph.bpf.c.in: ebph's BPF program template.");
	ck_assert_ptr_nonnull(tmpl_start);
	snprintf(needle, sizeof(needle), "#define %s ", fill_members[fill_nmembers - 1].macro);
	last_off = strstr(t, needle);
	ck_assert_ptr_nonnull(last_off);
	ck_assert(last_off < tmpl_start);
	ck_assert(strstr(t, "#define EBPH_RINGBUF_PAGES ") < tmpl_start);
	free(t);
}
END_TEST

START_TEST(test_fill_no_include_lines)
{
	struct ebph_config c;
	char *t;

	/* The template has them, so the test can fail. */
	ck_assert(has_line_prefix(ebph_text_ebph_bpf_c_in, "#include \"ebph.h\""));
	ck_assert(has_line_prefix(ebph_text_ebph_bpf_c_in, "#include \"ph.h\""));
	cfg_defaults(&c);
	fake_offsets();
	t = fill_program(&c, offs, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert(!has_line_prefix(t, "#include \"ebph.h\""));
	ck_assert(!has_line_prefix(t, "#include \"ph.h\""));
	ck_assert_ptr_null(strstr(t, "#include \"ebph.h\""));
	ck_assert_ptr_null(strstr(t, "#include \"ph.h\""));
	free(t);
}
END_TEST

START_TEST(test_fill_headers_spliced)
{
	struct ebph_config c;
	const char *e, *p;
	char *t;

	cfg_defaults(&c);
	fake_offsets();
	t = fill_program(&c, offs, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(strstr(t, "struct ebph_task {"));
	ck_assert_ptr_nonnull(strstr(t, "struct ebph_event {"));
	ck_assert_ptr_nonnull(strstr(t, "ph_step("));
	/* Each header's whole text, exactly once, ebph.h first. */
	ck_assert_int_eq(count(t, ebph_text_ebph_h), 1);
	ck_assert_int_eq(count(t, ebph_text_ph_h), 1);
	e = strstr(t, ebph_text_ebph_h);
	p = strstr(t, ebph_text_ph_h);
	ck_assert(e < p);
	/* Template text around them is kept. */
	ck_assert_ptr_nonnull(strstr(t, "#define EBPH_SA_RESTART"));
	ck_assert(e < strstr(t, "#define EBPH_SA_RESTART"));
	free(t);
}
END_TEST

/* The filled program is the define block followed by the spliced template. */
START_TEST(test_fill_program_is_fill_text)
{
	struct ebph_config c;
	const char *block;
	char *a, *b;

	cfg_defaults(&c);
	fake_offsets();
	a = fill_program(&c, offs, NULL);
	b = fill_text(ebph_text_ebph_bpf_c_in, ebph_text_ebph_h, ebph_text_ph_h, &c, offs, NULL);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_eq(a, b);
	block = strstr(a, "/* SPDX-License-Identifier: GPL-2.0-only */\n/* ebph.bpf.c.in: ");
	ck_assert_ptr_nonnull(block);
	ck_assert_uint_eq(strlen(a), (size_t)(block - a) + strlen(ebph_text_ebph_bpf_c_in) -
			  strlen("#include \"ebph.h\"\n") - strlen("#include \"ph.h\"\n") +
			  strlen(ebph_text_ebph_h) + strlen(ebph_text_ph_h));
	free(a);
	free(b);
}
END_TEST

START_TEST(test_fill_config_changes_text)
{
	struct ebph_config c, d;
	char *a, *b;

	cfg_defaults(&d);
	fake_offsets();
	a = fill_program(&d, offs, NULL);
	ck_assert_ptr_nonnull(a);

	cfg_defaults(&c);
	c.window = 5;
	c.normal_wait = 3600;
	c.normal_factor = 200;
	c.normal_factor_den = 50;
	c.anomaly_limit = 7;
	c.tolerize_limit = 20;
	c.lfc_window = 64;
	c.max_profiles = 500;
	c.max_tasks = 1000;
	c.max_rows = 65535;
	c.ringbuf_kb = 4;
	b = fill_program(&c, offs, NULL);
	ck_assert_ptr_nonnull(b);
	ck_assert_str_ne(a, b);
	HAS_LINE(b, "#define EBPH_WINDOW 5");
	HAS_LINE(b, "#define EBPH_NORMAL_WAIT_NS 3600000000000ULL");
	HAS_LINE(b, "#define EBPH_NORMAL_FACTOR 200");
	HAS_LINE(b, "#define EBPH_NORMAL_FACTOR_DEN 50");
	HAS_LINE(b, "#define EBPH_ANOMALY_LIMIT 7");
	HAS_LINE(b, "#define EBPH_TOLERIZE_LIMIT 20");
	HAS_LINE(b, "#define EBPH_LFC_WINDOW 64");
	HAS_LINE(b, "#define EBPH_MAX_PROFILES 500");
	HAS_LINE(b, "#define EBPH_TASK_SLOTS 1024");	/* next power of two */
	HAS_LINE(b, "#define EBPH_TASK_SPILL 250");
	HAS_LINE(b, "#define EBPH_MAX_ROWS 65535");
	HAS_LINE(b, "#define EBPH_RINGBUF_PAGES 1");
	ck_assert_ptr_null(strstr(b, "#define EBPH_WINDOW 9\n"));
	free(b);

	/* One value at a time: only that line differs. */
	cfg_defaults(&c);
	c.anomaly_limit = 0;
	b = fill_program(&c, offs, NULL);
	HAS_LINE(b, "#define EBPH_ANOMALY_LIMIT 0");
	ck_assert_uint_eq(strlen(b), strlen(a) - 1);
	free(b);

	/* The extremes of normal_wait and ringbuf_kb. */
	cfg_defaults(&c);
	c.normal_wait = 0;
	c.ringbuf_kb = 262144;
	b = fill_program(&c, offs, NULL);
	HAS_LINE(b, "#define EBPH_NORMAL_WAIT_NS 0ULL");
	HAS_LINE(b, "#define EBPH_RINGBUF_PAGES 65536");
	free(b);
	cfg_defaults(&c);
	c.normal_wait = 365 * 86400;
	b = fill_program(&c, offs, NULL);
	HAS_LINE(b, "#define EBPH_NORMAL_WAIT_NS 31536000000000000ULL");
	free(b);

	/* A different offset changes its line. */
	offs[0] = 7;
	b = fill_program(&d, offs, NULL);
	HAS_LINE(b, "#define OFF_TASK_PID 7\t/* task_struct.pid */");
	free(b);
	free(a);
}
END_TEST

/* The exact define block for the defaults, from an empty template. */
START_TEST(test_fill_text_define_block_exact)
{
	struct ebph_config c;
	char *t, *want = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f;

	cfg_defaults(&c);
	fake_offsets();
	f = open_memstream(&want, &len);
	ck_assert_ptr_nonnull(f);
	fprintf(f, "/* ebph BPF program, generated from ebph.bpf.c.in */\n"
		"#define EBPH_NR_SYSCALLS %u\n"
		"#define EBPH_NR_RESTART_SYSCALL %u\n"
		"#define EBPH_WINDOW 9\n"
		"#define EBPH_NORMAL_WAIT_NS 604800000000000ULL\n"
		"#define EBPH_NORMAL_FACTOR 128\n"
		"#define EBPH_NORMAL_FACTOR_DEN 32\n"
		"#define EBPH_MIN_TRAIN_CALLS 1024\n"
		"#define EBPH_ANOMALY_LIMIT 30\n"
		"#define EBPH_TOLERIZE_LIMIT 12\n"
		"#define EBPH_LFC_WINDOW 128\n"
		"#define EBPH_MAX_PROFILES 10240\n"
		"#define EBPH_TASK_SLOTS 16384\n"
		"#define EBPH_TASK_SPILL 4096\n"
		"#define EBPH_MAX_ROWS 32768\n"
		"#define EBPH_MAX_ROWS_PER_PROFILE 256\n"
		"#define EBPH_RINGBUF_PAGES 256\n"
		"#define EBPH_ANOMALY_LINES 10\n"
		"#define EBPH_SUMMARY_NS 1000000000ULL\n"
		"#define EBPH_NR_MMAP %u\n"
		"#define EBPH_MAX_EDGES 65536\n"
		"#define EBPH_ANOMALY_PERIOD_NS 3600000000000ULL\n"
		"#define EBPH_AUTO_TOLERIZE 1\n"
		"#define EBPH_SCOPE_CGROUP 0\n", EBPH_NR_SYSCALLS, EBPH_NR_RESTART_SYSCALL, EBPH_NR_MMAP);
	for (i = 0; i < fill_nmembers; i++)
		fprintf(f, "#define %s %u\t/* %s.%s */\n", fill_members[i].macro, 1000 + 24 * i,
			fill_members[i].type, fill_members[i].member);
	fprintf(f, "#define EBPH_FS_BTRFS 0\n#define EBPH_FS_OVERLAY 0\n");
	ck_assert_int_eq(fclose(f), 0);
	t = fill_text("", "EBPH\n", "PH\n", &c, offs, NULL);
	ck_assert_ptr_nonnull(t);
	ck_assert_str_eq(t, want);
	free(t);
	free(want);
}
END_TEST

/* fill_text(tmpl) == the define block + want. */
#define SPLICE_EQ(tmpl, ebph_h, ph_h, want)					\
	do {									\
		struct ebph_config c_;						\
		char *blk_, *t_, *w_;						\
		cfg_defaults(&c_);						\
		fake_offsets();							\
		blk_ = fill_text("", "", "", &c_, offs, NULL);			\
		t_ = fill_text(tmpl, ebph_h, ph_h, &c_, offs, NULL);			\
		ck_assert_ptr_nonnull(blk_);					\
		ck_assert_ptr_nonnull(t_);					\
		ck_assert_msg(!strncmp(t_, blk_, strlen(blk_)), "no define block"); \
		ck_assert_int_ne(asprintf(&w_, "%s%s", blk_, want), -1);	\
		ck_assert_str_eq(t_, w_);					\
		free(blk_);							\
		free(t_);							\
		free(w_);							\
	} while (0)

START_TEST(test_fill_text_splices_exactly)
{
	SPLICE_EQ("A\n#include \"ebph.h\"\nB\n#include \"ph.h\"\nC\n",
		  "E1\nE2\n", "P1\n",
		  "A\nE1\nE2\nB\nP1\nC\n");
	/* Order in the template decides, not the argument order. */
	SPLICE_EQ("#include \"ph.h\"\n#include \"ebph.h\"\n", "E\n", "P\n", "P\nE\n");
	/* An include line twice: the header twice. */
	SPLICE_EQ("#include \"ebph.h\"\nx\n#include \"ebph.h\"\n", "E\n", "P\n", "E\nx\nE\n");
	/* No include line: the template unchanged. */
	SPLICE_EQ("int x;\n\nint y;\n", "E\n", "P\n", "int x;\n\nint y;\n");
	/* Empty template: only the define block. */
	SPLICE_EQ("", "E\n", "P\n", "");
}
END_TEST

START_TEST(test_fill_text_without_trailing_newline)
{
	SPLICE_EQ("A\nB", "E\n", "P\n", "A\nB");
	SPLICE_EQ("A\n#include \"ph.h\"", "E\n", "P\n", "A\nP\n");
	SPLICE_EQ("#include \"ebph.h\"", "E\n", "P\n", "E\n");
	SPLICE_EQ("x", "E\n", "P\n", "x");
}
END_TEST

/* Only those two include lines are replaced; other lines stay as written. */
START_TEST(test_fill_text_other_lines_kept)
{
	SPLICE_EQ("#include <linux/sched.h>\n#include \"other.h\"\n/* #include \"ebph.h\" */\n"
		  "#include \"ebph.h\"\n",
		  "E\n", "P\n",
		  "#include <linux/sched.h>\n#include \"other.h\"\n/* #include \"ebph.h\" */\nE\n");
	SPLICE_EQ("x #include \"ph.h\"\n", "E\n", "P\n", "x #include \"ph.h\"\n");
	/* Headers may be empty: the include line just goes. */
	SPLICE_EQ("a\n#include \"ebph.h\"\n#include \"ph.h\"\nb\n", "", "", "a\nb\n");
}
END_TEST

/* A header whose text lacks a final newline still ends the spliced line. */
START_TEST(test_fill_text_header_without_newline)
{
	SPLICE_EQ("#include \"ebph.h\"\n#define B 1\n", "#endif", "P\n", "#endif\n#define B 1\n");
}
END_TEST

/* Numbers only reach the text; the result is deterministic. */
START_TEST(test_fill_deterministic)
{
	struct ebph_config c;
	char *a, *b;

	cfg_defaults(&c);
	fake_offsets();
	a = fill_program(&c, offs, NULL);
	b = fill_program(&c, offs, NULL);
	ck_assert_str_eq(a, b);
	/* state_dir is a string: it never reaches the BPF text. */
	strcpy(c.state_dir, "/nonexistent/\"evil\"");
	free(b);
	b = fill_program(&c, offs, NULL);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}
END_TEST

Suite *fill_suite(void)
{
	Suite *s = suite_create("fill");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_fill_defaults_defines);
	tcase_add_test(tc, test_fill_offsets_defines);
	tcase_add_test(tc, test_fill_members_match_template);
	tcase_add_test(tc, test_fill_optional_member_missing);
	tcase_add_test(tc, test_fill_defines_before_template);
	tcase_add_test(tc, test_fill_no_include_lines);
	tcase_add_test(tc, test_fill_headers_spliced);
	tcase_add_test(tc, test_fill_program_is_fill_text);
	tcase_add_test(tc, test_fill_fs_groups);
	tcase_add_test(tc, test_fill_config_changes_text);
	tcase_add_test(tc, test_fill_text_define_block_exact);
	tcase_add_test(tc, test_fill_text_splices_exactly);
	tcase_add_test(tc, test_fill_text_without_trailing_newline);
	tcase_add_test(tc, test_fill_text_other_lines_kept);
	tcase_add_test(tc, test_fill_text_header_without_newline);
	tcase_add_test(tc, test_fill_deterministic);
	suite_add_tcase(s, tc);
	return s;
}
