/* SPDX-License-Identifier: GPL-2.0-only */
/* admin.h: sub-commands that inspect and steer a running ebph (through its
 * pinned maps and command program) or, with none running, saved profiles
 * (admin.c and its rooms, admin_int.h); the monitor's pins (pin.c). */
#ifndef EBPH_ADMIN_H
#define EBPH_ADMIN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <linux/types.h>

#include "prog.h"

#define ADMIN_PIN_DIR "/sys/fs/bpf/ebph"

/* Is name one of the sub-commands admin_main handles? */
int admin_is_command(const char *name);

/* The COMMANDS section of ebph --help, from the command table. */
void admin_usage(FILE *f);

/* ebph COMMAND --help for command name (replay and record use it). */
void admin_help(FILE *f, const char *name);

/* Run a sub-command: argv[0] is its name. Returns the exit status
 * (0 ok, 1 runtime failure, 2 usage error). */
int admin_main(int argc, char **argv);

/* PID of a running monitor (from the pins), or 0. */
pid_t admin_running(void);

/*
 * Monitor side, once the command program is loaded (p->cmd, by prog_attach):
 * mount bpffs at /sys/fs/bpf if needed, create ADMIN_PIN_DIR (0700) and pin
 * the maps and the command program there. Refuses (-EBUSY, err names the
 * PID) if another monitor runs; removes stale pins of a crashed one with a
 * message on stderr. Monitors are serialised by an flock on /sys/fs.
 */
int admin_pin(const struct ebph_prog *p, char *err, size_t errlen);

/* Remove the pins (and unmount bpffs if an ebph mounted it and nothing
 * else is pinned there). A no-op unless admin_pin succeeded. */
void admin_unpin(void);

#endif
