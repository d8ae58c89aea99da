/* SPDX-License-Identifier: GPL-2.0-only */
/* sink.c: where events go besides stdout: the systemd journal (structured
 * fields, a priority by event type), an events file of JSON lines rotated by
 * size and reopened on SIGHUP; and the metrics file, replaced atomically. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "sink.h"

#define SINK_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* The journal priority of an object: what needs a human is a warning,
 * changes of a profile a notice, the rest information. Types not listed
 * (added later) are notices. */
static int sink_priority(const char *type)
{
	static const struct {
		const char *type;
		int prio;
	} prios[] = {
		{ "anomaly", LOG_WARNING },
		{ "anomaly_summary", LOG_WARNING },
		{ "tolerize_limit", LOG_WARNING },
		{ "exec_anomaly", LOG_WARNING },
		{ "profile_refused", LOG_WARNING },
		{ "rows_full", LOG_WARNING },
		{ "edges_full", LOG_WARNING },
		{ "suspend", LOG_WARNING },
		{ "response_failed", LOG_WARNING },
		{ "response", LOG_NOTICE },
		{ "release", LOG_NOTICE },
		{ "profile_state", LOG_NOTICE },
		{ "suppressed", LOG_NOTICE },
		{ "anon_exec", LOG_NOTICE },
		{ "loader_exec", LOG_NOTICE },
		{ "new_profile", LOG_INFO },
		{ "exec", LOG_INFO },
		{ "status", LOG_INFO },
		{ "profile", LOG_INFO },
	};
	size_t i;

	for (i = 0; i < sizeof(prios) / sizeof(prios[0]); i++)
		if (!strcmp(prios[i].type, type))
			return prios[i].prio;
	return LOG_NOTICE;
}

static int sink_file_open(struct sink *s, char *err, size_t errlen)
{
	struct stat st;

	s->fd = open(s->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (s->fd < 0 || fstat(s->fd, &st)) {
		int e = errno;

		snprintf(err, errlen, "events_file %s: cannot open: %s", s->file, strerror(e));
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "events_file %s: not a regular file", s->file);
		close(s->fd);
		s->fd = -1;
		return -EINVAL;
	}
	s->size = (__u64)st.st_size;
	return 0;
}

int sink_open(struct sink *s, int journal, const char *file, __u64 max_bytes, __u32 keep,
	      char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->journal = journal;
	s->max_bytes = max_bytes;
	s->keep = keep;
	if (journal && access(SINK_JOURNAL_SOCKET, W_OK)) {
		snprintf(err, errlen, "journal: true, but the journal does not run here (%s: %s)",
			 SINK_JOURNAL_SOCKET, strerror(errno));
		return -ENOENT;
	}
	if (!file || !file[0])
		return 0;
	s->file = file;
	return sink_file_open(s, err, errlen);
}

int sink_reopen(struct sink *s, char *err, size_t errlen)
{
	if (!s->file)
		return 0;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return sink_file_open(s, err, errlen);
}

void sink_close(struct sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Rotate: file.(keep-1) -> file.keep, ..., file -> file.1 (or remove file
 * if none are kept), then open a new file. */
static int sink_rotate(struct sink *s, char *err, size_t errlen)
{
	char from[PATH_MAX], to[PATH_MAX];
	__u32 i;

	close(s->fd);
	s->fd = -1;
	for (i = s->keep; i > 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", s->file, i - 1);
		snprintf(to, sizeof(to), "%s.%u", s->file, i);
		if (rename(from, to) && errno != ENOENT)
			fprintf(stderr, "ebph: events_file: cannot rename %s: %s\n", from,
				strerror(errno));
	}
	snprintf(to, sizeof(to), "%s.1", s->file);
	if (s->keep ? rename(s->file, to) : unlink(s->file))
		fprintf(stderr, "ebph: events_file: cannot rotate %s: %s\n", s->file,
			strerror(errno));
	return sink_file_open(s, err, errlen);
}

/* Append one line to the events file, rotating first if it would grow past
 * max_bytes. A failure is said once, and again once writing works. */
static void sink_file_write(struct sink *s, const char *line, size_t len)
{
	char err[PATH_MAX + 128] = "";
	ssize_t n = -1;
	int ret = 0;

	if (s->fd >= 0 && s->size && s->size + len > s->max_bytes)
		ret = sink_rotate(s, err, sizeof(err));
	else if (s->fd < 0)
		ret = sink_file_open(s, err, sizeof(err));
	if (!ret) {
		n = write(s->fd, line, len);
		if (n > 0)
			s->size += (__u64)n;
		if (n < 0)
			snprintf(err, sizeof(err), "events_file %s: cannot write: %s", s->file,
				 strerror(errno));
		else if ((size_t)n != len)
			snprintf(err, sizeof(err), "events_file %s: short write", s->file);
	}
	if (err[0] && !s->file_failed)
		fprintf(stderr, "ebph: %s (events are lost until it works again)\n", err);
	else if (!err[0] && s->file_failed)
		fprintf(stderr, "ebph: events_file %s: writing again\n", s->file);
	s->file_failed = !!err[0];
}

/* One "NAME=value" field of a journal entry, value without its newline. */
static int sink_field(struct iovec *iov, char **bufs, int n, const char *name, const char *v)
{
	size_t len;

	if (!v)
		return n;
	len = strlen(v);
	if (len && v[len - 1] == '\n')
		len--;
	if (asprintf(&bufs[n], "%s=%.*s", name, (int)len, v) < 0) {
		bufs[n] = NULL;
		return n;
	}
	iov[n].iov_base = bufs[n];
	iov[n].iov_len = strlen(bufs[n]);
	return n + 1;
}

/* One journal entry: MESSAGE the text line, PRIORITY by type, and the
 * fields EBPH_TYPE, EBPH_JSON (the JSON object), EBPH_PID, EBPH_COMM,
 * EBPH_PROFILE, EBPH_PATH where the object has them. */
static void sink_journal(struct sink *s, const struct out_emitted *x)
{
	struct iovec iov[10];
	char *bufs[10], prio[4], pid[16];
	int n = 0, i, ret;

	snprintf(prio, sizeof(prio), "%d", sink_priority(x->type));
	snprintf(pid, sizeof(pid), "%u", x->pid);
	n = sink_field(iov, bufs, n, "MESSAGE", x->text);
	n = sink_field(iov, bufs, n, "PRIORITY", prio);
	n = sink_field(iov, bufs, n, "SYSLOG_IDENTIFIER", "ebph");
	n = sink_field(iov, bufs, n, "EBPH_TYPE", x->type);
	n = sink_field(iov, bufs, n, "EBPH_JSON", x->json);
	n = sink_field(iov, bufs, n, "EBPH_PID", x->pid ? pid : NULL);
	n = sink_field(iov, bufs, n, "EBPH_COMM", x->comm);
	n = sink_field(iov, bufs, n, "EBPH_PROFILE", x->profile);
	n = sink_field(iov, bufs, n, "EBPH_PATH", x->path);
	ret = sd_journal_sendv(iov, n);
	for (i = 0; i < n; i++)
		free(bufs[i]);
	if (ret < 0 && !s->journal_failed)
		fprintf(stderr, "ebph: journal: cannot send: %s (events are lost until it works "
			"again)\n", strerror(-ret));
	else if (ret >= 0 && s->journal_failed)
		fprintf(stderr, "ebph: journal: sending again\n");
	s->journal_failed = ret < 0;
}

void sink_emit(void *arg, const struct out_emitted *x)
{
	struct sink *s = arg;

	if (s->journal)
		sink_journal(s, x);
	if (s->file)
		sink_file_write(s, x->json, strlen(x->json));
}

int sink_metrics(const char *path, const struct out_status *st)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	out_metrics(f, st);
	if (fflush(f) || ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}
