/* SPDX-License-Identifier: GPL-2.0-only */
/* test_prog.c: prog.h's one list of maps (PROG_MAPS) against the BPF template. */
#include <stdio.h>
#include <string.h>
#include <check.h>
#include <linux/types.h>

#include "syscalls.h"
#include "ebph.h"
#include "prog.h"

extern const char ebph_text_ebph_bpf_c_in[];

/* Does the template declare a map name: a line "BPF_<KIND>(name, ..."? */
static int template_declares(const char *name)
{
	const char *t = ebph_text_ebph_bpf_c_in;
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "(%s,", name);
	for (p = strstr(t, needle); p; p = strstr(p + 1, needle)) {
		const char *line = p;

		while (line > t && line[-1] != '\n')
			line--;
		if (!strncmp(line, "BPF_", 4) && !memchr(line, ' ', (size_t)(p - line)))
			return 1;
	}
	return 0;
}

#define PROG_TEST_ROW(NAME, name, flags, key, value) { #name, flags, key, value },
static const struct {
	const char *name;
	unsigned int flags;
	size_t key, value;
} rows[] = { PROG_MAPS(PROG_TEST_ROW) };

/* Every map user space finds by name is declared under that name in the
 * template; the command program is its function; checked sizes come in pairs. */
START_TEST(test_prog_maps_in_template)
{
	const char *cmd = "\nRAW_TRACEPOINT_PROBE(ebph_command)\n";
	unsigned int i, j;

	ck_assert_uint_eq(sizeof(rows) / sizeof(rows[0]), PROG_MAP_COUNT);
	for (i = 0; i < PROG_MAP_COUNT; i++) {
		if (rows[i].flags & PROG_M_PROG)
			ck_assert_msg(strstr(ebph_text_ebph_bpf_c_in, cmd),
				      "template lacks the command program");
		else
			ck_assert_msg(template_declares(rows[i].name),
				      "template declares no map %s", rows[i].name);
		ck_assert(!rows[i].key == !rows[i].value);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(rows[i].name, rows[j].name);
	}
	ck_assert(!template_declares("no_such_map"));
}
END_TEST

Suite *prog_suite(void)
{
	Suite *s = suite_create("prog");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_prog_maps_in_template);
	suite_add_tcase(s, tc);
	return s;
}
