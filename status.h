/* SPDX-License-Identifier: GPL-2.0-only */
/* status.h: ebph status: the running monitor's state, from its pinned maps. */
#ifndef EBPH_STATUS_H
#define EBPH_STATUS_H

#include <sys/types.h>

/* Print the state of the monitor pid (0: none runs), text or JSON.
 * Returns the exit status: 0, or 1 (no monitor, or its maps unreadable). */
int status_main(pid_t pid, int json);

#endif
