/* SPDX-License-Identifier: GPL-2.0-only */
/* syscalls.h: names of the calls in the alphabet (system calls from the
 * generated table, then ebph's pseudo-calls). */
#ifndef EBPH_SYSCALLS_H
#define EBPH_SYSCALLS_H

#include "syscalls_gen.h"
#include <linux/types.h>
#include "ebph.h"

extern const char *const ebph_syscall_names[EBPH_NR_SYSCALLS];
/* io_uring operation names by IORING_OP_* value ("openat"), ebph_uring_nr
 * of them (the build machine's IORING_OP_LAST): gen/uring_names.c. */
extern const char *const ebph_uring_names[];
extern const unsigned int ebph_uring_nr;

/* Name of call nr of the alphabet ("openat", "syscall:invalid",
 * "io_uring:openat", "io_uring:other"); system calls and io_uring operations
 * the build machine's headers do not name as "syscall_N" and "io_uring:op_N"
 * in buf (len bytes, 32 are enough). */
const char *syscall_name(unsigned int nr, char *buf, unsigned int len);

/* Number of a named call of the alphabet, or -1. */
int syscall_number(const char *name);

#endif
