/* SPDX-License-Identifier: GPL-2.0-only */
/* admin.h: sub-commands that inspect and steer a running ebph (through its
 * pinned maps and command program) or, with none running, saved profiles. */
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

/* "3d4h", "2h5m", "4m10s", "12s": a duration in seconds, for text output. */
void admin_duration(char *buf, size_t len, __u64 secs);

/* The running monitor's pinned maps, for commands in other files. */
struct admin_live;
struct ebph_info;
/* Open the pins of the monitor pid (from admin_running): 0 and *out
 * (free with admin_live_free), or -errno with a message on stderr
 * (-EPROTO: another version of ebph runs). */
int admin_live_open(pid_t pid, struct admin_live **out);
void admin_live_free(struct admin_live *l);
/* The fd of pin ("tasks", "profiles", "alloc", "stats", "held", ...), or -1
 * if the monitor's program has no such map. */
int admin_live_fd(const struct admin_live *l, const char *pin);
/* The monitor's info map, as read at admin_live_open. */
const struct ebph_info *admin_live_info(const struct admin_live *l);

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
