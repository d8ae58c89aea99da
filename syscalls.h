/* syscalls.h: names of the calls in the alphabet (system calls from the
 * generated table, then ebph's pseudo-calls). */
#ifndef EBPH_SYSCALLS_H
#define EBPH_SYSCALLS_H

#include "syscalls_gen.h"
#include <linux/types.h>
#include "ebph.h"

extern const char *const ebph_syscall_names[EBPH_NR_SYSCALLS];

/* Name of call nr of the alphabet ("openat", "syscall:invalid",
 * "io_uring:op_18"); unknown system call numbers as "syscall_N" in buf
 * (len bytes, 32 are enough). */
const char *syscall_name(unsigned int nr, char *buf, unsigned int len);

/* Number of a named call of the alphabet, or -1. */
int syscall_number(const char *name);

#endif
