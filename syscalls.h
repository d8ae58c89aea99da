/* syscalls.h: the build machine's system call names (generated table). */
#ifndef EBPH_SYSCALLS_H
#define EBPH_SYSCALLS_H

#include "syscalls_gen.h"

extern const char *const ebph_syscall_names[EBPH_NR_SYSCALLS];

/* Name of call nr; unknown numbers as "syscall_N" in buf. */
const char *syscall_name(unsigned int nr, char *buf, unsigned int len);

/* Number of a named call, or -1. */
int syscall_number(const char *name);

#endif
