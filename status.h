/* SPDX-License-Identifier: GPL-2.0-only */
/* status.h: ebph status: the running monitor's state, from its pinned maps. */
#ifndef EBPH_STATUS_H
#define EBPH_STATUS_H

struct admin_opts;
struct admin_ctx;

/* ebph status: print the state of the running monitor (x->l), text or JSON
 * (o->json). Returns the exit status: 0, or 1 (no monitor runs, or its maps
 * are unreadable), with a message on stderr. */
int cmd_status(const struct admin_opts *o, struct admin_ctx *x);

#endif
