/* SPDX-License-Identifier: GPL-2.0-only */
/* sink.h: where events go besides stdout: the journal, a rotated events
 * file; and the metrics file. */
#ifndef EBPH_SINK_H
#define EBPH_SINK_H

#include <stddef.h>
#include <linux/types.h>

#include "output.h"

struct sink {
	int journal;		/* send every object to the systemd journal */
	int fd;			/* the events file, -1: none */
	const char *file;	/* its path */
	__u64 size;		/* its bytes, for rotation */
	__u64 max_bytes;	/* rotate before a line would take it past this */
	__u32 keep;		/* rotated files kept: file.1 (newest) .. file.keep */
	int file_failed;	/* the last write failed (said once) */
	int journal_failed;	/* the last send failed (said once) */
};

/* Set up the sinks the configuration asks for: 0, or -errno with one
 * message in err. */
int sink_open(struct sink *s, int journal, const char *file, __u64 max_bytes, __u32 keep,
	      char *err, size_t errlen);
/* Close the events file and open it again (SIGHUP: logrotate moved it). */
int sink_reopen(struct sink *s, char *err, size_t errlen);
void sink_close(struct sink *s);
/* out_ctx's emit: one object to the journal and the events file. */
void sink_emit(void *arg, const struct out_emitted *x);
/* Replace path with the metrics of st, atomically (a temporary file in the
 * same directory, renamed). 0 or -errno. */
int sink_metrics(const char *path, const struct out_status *st);

#endif
