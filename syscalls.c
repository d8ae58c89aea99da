/* syscalls.c: system call names from the generated table. */
#include <stdio.h>
#include <string.h>

#include "syscalls.h"

const char *syscall_name(unsigned int nr, char *buf, unsigned int len)
{
	if (nr < EBPH_NR_SYSCALLS && ebph_syscall_names[nr])
		return ebph_syscall_names[nr];
	snprintf(buf, len, "syscall_%u", nr);
	return buf;
}

int syscall_number(const char *name)
{
	int i;

	for (i = 0; i < EBPH_NR_SYSCALLS; i++)
		if (ebph_syscall_names[i] && !strcmp(ebph_syscall_names[i], name))
			return i;
	return -1;
}
