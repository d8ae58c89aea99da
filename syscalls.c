/* SPDX-License-Identifier: GPL-2.0-only */
/* syscalls.c: names of the calls in the alphabet: system calls and io_uring
 * operations from the generated tables, then ebph's pseudo-calls (ebph.h). */
#include <stdio.h>
#include <string.h>

#include "syscalls.h"

const char *syscall_name(unsigned int nr, char *buf, unsigned int len)
{
	if (nr < EBPH_NR_SYSCALLS && ebph_syscall_names[nr])
		return ebph_syscall_names[nr];
	if (nr == EBPH_CALL_INVALID)
		return "syscall:invalid";
	if (nr >= EBPH_CALL_URING && nr < EBPH_NR_CALLS) {
		unsigned int op = nr - EBPH_CALL_URING;

		if (op == EBPH_URING_OTHER)
			return "io_uring:other";
		if (op < ebph_uring_nr && ebph_uring_names[op])
			snprintf(buf, len, "io_uring:%s", ebph_uring_names[op]);
		else
			snprintf(buf, len, "io_uring:op_%u", op);
	} else {
		snprintf(buf, len, "syscall_%u", nr);
	}
	return buf;
}

int syscall_number(const char *name)
{
	char buf[32];
	int i;

	for (i = 0; i < EBPH_NR_CALLS; i++)
		if (!strcmp(syscall_name(i, buf, sizeof(buf)), name))
			return i;
	return -1;
}
