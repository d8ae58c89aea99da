/* output.c: text columns and JSON lines for events, status and profiles. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/sysmacros.h>

#include "output.h"

__u64 out_user_dev(__u64 kdev)
{
	return makedev((unsigned int)(kdev >> 20), (unsigned int)(kdev & 0xfffff));
}

static const char *const state_names[] = { "training", "frozen", "normal" };

static const char *const reason_names[EBPH_R_COUNT] = {
	[EBPH_R_STABLE] = "stable",
	[EBPH_R_NORMAL_WAIT] = "normal_wait elapsed",
	[EBPH_R_NEW_BEHAVIOUR] = "new behaviour",
	[EBPH_R_ANOMALY_LIMIT] = "anomaly_limit",
	[EBPH_R_TOLERIZE_LIMIT] = "tolerize_limit",
	[EBPH_R_NORMALIZE] = "normalize",
	[EBPH_R_SENSITIZE] = "sensitize",
	[EBPH_R_TOLERIZE] = "tolerize",
	[EBPH_R_LOADED] = "loaded",
};

const char *out_state_name(__u32 state)
{
	return state < 3 ? state_names[state] : "unknown";
}

const char *out_reason_name(__u32 reason)
{
	return reason < EBPH_R_COUNT && reason_names[reason] ? reason_names[reason] : "unknown";
}

static void out_escaped(FILE *f, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c > 0x7e)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

void out_json_str(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	out_escaped(f, s, max);
	fputc('"', f);
}

void out_text_str(FILE *f, const char *s, size_t max)
{
	if (!s[0])
		fputc('-', f);
	else
		out_escaped(f, s, max);
}

/* Epoch seconds with microseconds. */
static void out_ts_json(struct out_ctx *o, __u64 boot_ns)
{
	__s64 wall = (__s64)boot_ns + o->boot_to_wall_ns;

	fprintf(o->f, "\"ts\":%lld.%06lld", (long long)(wall / 1000000000),
		(long long)(wall % 1000000000 / 1000));
}

static void out_ts_text(struct out_ctx *o, __u64 boot_ns)
{
	time_t secs;
	struct tm tm;
	char buf[16];

	if (!o->timestamps)
		return;
	secs = (time_t)(((__s64)boot_ns + o->boot_to_wall_ns) / 1000000000);
	localtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
	fprintf(o->f, "%-9s", buf);
}

void out_header(struct out_ctx *o)
{
	if (o->json)
		return;
	if (o->timestamps)
		fprintf(o->f, "%-9s", "TIME");
	fprintf(o->f, "%-14s %7s %-16s %s\n", "EVENT", "PID", "COMM", "DETAILS");
}

static const char *const type_names[] = {
	[EBPH_EV_NEW_PROFILE] = "new_profile",
	[EBPH_EV_ANOMALY] = "anomaly",
	[EBPH_EV_PROFILE_STATE] = "profile_state",
	[EBPH_EV_TOLERIZE_LIMIT] = "tolerize_limit",
	[EBPH_EV_PROFILE_REFUSED] = "profile_refused",
	[EBPH_EV_ROWS_FULL] = "rows_full",
};

static const char *full_limit(__u32 why)
{
	return why == EBPH_FULL_CAP ? "max_rows_per_profile" : "max_rows";
}

static void out_key_json(struct out_ctx *o, const struct ebph_event *e)
{
	fprintf(o->f, ",\"profile\":\"%llu:%llu\"", (unsigned long long)out_user_dev(e->dev),
		(unsigned long long)e->ino);
}

static void out_event_json(struct out_ctx *o, const struct ebph_event *e, const char *path)
{
	FILE *f = o->f;
	char buf[32];
	__u32 i, n, printed = 0;

	fprintf(f, "{\"type\":\"%s\",", type_names[e->type]);
	out_ts_json(o, e->ts);
	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"comm\":", e->pid, e->tid);
	out_json_str(f, e->comm, sizeof(e->comm));
	out_key_json(o, e);
	fputs(",\"path\":", f);
	out_json_str(f, path ? path : "", EBPH_PATH_MAX);
	switch (e->type) {
	case EBPH_EV_NEW_PROFILE:
		fprintf(f, ",\"dev\":%llu,\"ino\":%llu", (unsigned long long)out_user_dev(e->dev),
			(unsigned long long)e->ino);
		break;
	case EBPH_EV_ANOMALY:
		fprintf(f, ",\"syscall\":\"%s\",\"misses\":%u,\"lfc\":%u,\"anomalies\":%llu",
			syscall_name(e->syscall, buf, sizeof(buf)), e->misses, e->lfc,
			(unsigned long long)e->count);
		fputs(",\"sequence\":[", f);
		n = e->seq_len <= EBPH_WINDOW_MAX ? e->seq_len : EBPH_WINDOW_MAX;
		for (i = 0; i < n; i++) {
			if (e->seq[i] == EBPH_EMPTY)
				continue;
			fprintf(f, "%s\"%s\"", printed++ ? "," : "",
				syscall_name(e->seq[i], buf, sizeof(buf)));
		}
		fputc(']', f);
		break;
	case EBPH_EV_PROFILE_STATE:
		fprintf(f, ",\"state\":\"%s\",\"reason\":\"%s\",\"train_count\":%llu",
			out_state_name(e->state), out_reason_name(e->reason),
			(unsigned long long)e->count);
		break;
	case EBPH_EV_TOLERIZE_LIMIT:
		fprintf(f, ",\"lfc\":%u", e->lfc);
		break;
	case EBPH_EV_ROWS_FULL:
		fprintf(f, ",\"syscall\":\"%s\",\"limit\":\"%s\",\"rows\":%llu",
			syscall_name(e->syscall, buf, sizeof(buf)), full_limit(e->reason),
			(unsigned long long)e->count);
		break;
	}
	fputs("}\n", f);
}

const char *out_text_buf(char *buf, size_t len, const char *s, size_t max)
{
	FILE *f = fmemopen(buf, len, "w");

	if (!f)
		return "?";
	out_text_str(f, s, max);
	fclose(f);
	buf[len - 1] = 0;
	return buf;
}

static void out_event_text(struct out_ctx *o, const struct ebph_event *e, const char *path)
{
	FILE *f = o->f;
	char comm[6 * EBPH_COMM_LEN + 1], p[6 * EBPH_PATH_MAX + 1], buf[32];
	__u32 i, n, printed = 0;

	out_ts_text(o, e->ts);
	out_text_buf(comm, sizeof(comm), e->comm, sizeof(e->comm));
	out_text_buf(p, sizeof(p), path ? path : "", EBPH_PATH_MAX);
	fprintf(f, "%-14s %7u %-16s %s", type_names[e->type], e->pid, comm, p);
	switch (e->type) {
	case EBPH_EV_NEW_PROFILE:
		fprintf(f, " (%llu:%llu)", (unsigned long long)out_user_dev(e->dev),
			(unsigned long long)e->ino);
		break;
	case EBPH_EV_ANOMALY:
		fprintf(f, " %s misses=%u lfc=%u seq=", syscall_name(e->syscall, buf, sizeof(buf)),
			e->misses, e->lfc);
		n = e->seq_len <= EBPH_WINDOW_MAX ? e->seq_len : EBPH_WINDOW_MAX;
		for (i = 0; i < n; i++) {
			if (e->seq[i] == EBPH_EMPTY)
				continue;
			fprintf(f, "%s%s", printed++ ? "," : "",
				syscall_name(e->seq[i], buf, sizeof(buf)));
		}
		break;
	case EBPH_EV_PROFILE_STATE:
		fprintf(f, " -> %s (%s)", out_state_name(e->state), out_reason_name(e->reason));
		break;
	case EBPH_EV_TOLERIZE_LIMIT:
		fprintf(f, " lfc=%u: training data reset", e->lfc);
		break;
	case EBPH_EV_PROFILE_REFUSED:
		fprintf(f, " (%llu:%llu): no profile slot free or reclaimable: not monitored",
			(unsigned long long)out_user_dev(e->dev), (unsigned long long)e->ino);
		break;
	case EBPH_EV_ROWS_FULL:
		fprintf(f, " %s rows=%llu: %s reached, new pairs not learned",
			syscall_name(e->syscall, buf, sizeof(buf)), (unsigned long long)e->count,
			full_limit(e->reason));
		break;
	}
	fputc('\n', f);
}

void out_event(struct out_ctx *o, const struct ebph_event *e, const char *path)
{
	if (e->type < EBPH_EV_NEW_PROFILE || e->type > EBPH_EV_ROWS_FULL)
		return;
	if (o->json)
		out_event_json(o, e, path);
	else
		out_event_text(o, e, path);
}

void out_status(struct out_ctx *o, const struct out_status *s)
{
	FILE *f = o->f;

	if (o->json) {
		fputs("{\"type\":\"status\",", f);
		out_ts_json(o, s->ts);
		fprintf(f, ",\"profiles\":%llu,\"training\":%llu,\"frozen\":%llu,\"normal\":%llu,"
			"\"tasks\":%llu,\"syscalls\":%llu,\"anomalies\":%llu,\"lost_events\":%llu,"
			"\"rows\":%llu,\"snapshot_rows\":%llu,\"pair_bytes\":%llu,\"map_bytes\":%llu,"
			"\"tasks_full\":%llu,\"profiles_full\":%llu,\"rows_full\":%llu,"
			"\"reclaimed\":%llu,\"final\":%s}\n",
			(unsigned long long)s->profiles, (unsigned long long)s->training,
			(unsigned long long)s->frozen, (unsigned long long)s->normal,
			(unsigned long long)s->tasks, (unsigned long long)s->syscalls,
			(unsigned long long)s->anomalies, (unsigned long long)s->lost_events,
			(unsigned long long)s->rows, (unsigned long long)s->snapshot_rows,
			(unsigned long long)s->pair_bytes, (unsigned long long)s->map_bytes,
			(unsigned long long)s->tasks_full, (unsigned long long)s->profiles_full,
			(unsigned long long)s->rows_full, (unsigned long long)s->reclaimed,
			s->final ? "true" : "false");
		return;
	}
	out_ts_text(o, s->ts);
	fprintf(f, "%-14s %7s %-16s profiles=%llu (%llu/%llu/%llu t/f/n) tasks=%llu "
		"syscalls=%llu anomalies=%llu lost=%llu rows=%llu pair_kb=%llu map_kb=%llu",
		"status", "-", "-", (unsigned long long)s->profiles,
		(unsigned long long)s->training, (unsigned long long)s->frozen,
		(unsigned long long)s->normal, (unsigned long long)s->tasks,
		(unsigned long long)s->syscalls, (unsigned long long)s->anomalies,
		(unsigned long long)s->lost_events, (unsigned long long)(s->rows + s->snapshot_rows),
		(unsigned long long)(s->pair_bytes / 1024), (unsigned long long)(s->map_bytes / 1024));
	if (s->tasks_full || s->profiles_full || s->rows_full)
		fprintf(f, " full(tasks=%llu profiles=%llu rows=%llu)",
			(unsigned long long)s->tasks_full, (unsigned long long)s->profiles_full,
			(unsigned long long)s->rows_full);
	if (s->reclaimed)
		fprintf(f, " reclaimed=%llu", (unsigned long long)s->reclaimed);
	fputc('\n', f);
}

void out_profile(struct out_ctx *o, const struct out_profile *p)
{
	FILE *f = o->f;
	char path[6 * EBPH_PATH_MAX + 1];

	if (o->json) {
		fputs("{\"type\":\"profile\",", f);
		out_ts_json(o, p->ts);
		fprintf(f, ",\"profile\":\"%llu:%llu\",\"path\":", (unsigned long long)p->dev,
			(unsigned long long)p->ino);
		out_json_str(f, p->path ? p->path : "", EBPH_PATH_MAX);
		fprintf(f, ",\"state\":\"%s\",\"train_count\":%llu,\"last_mod_count\":%llu,"
			"\"sequences\":%llu,\"anomalies\":%llu,\"rows\":%llu,\"snapshot_rows\":%llu,"
			"\"pair_bytes\":%llu}\n",
			out_state_name(p->state), (unsigned long long)p->train_count,
			(unsigned long long)p->last_mod_count, (unsigned long long)p->sequences,
			(unsigned long long)p->anomalies, (unsigned long long)p->rows,
			(unsigned long long)p->snapshot_rows, (unsigned long long)p->pair_bytes);
		return;
	}
	out_ts_text(o, p->ts);
	out_text_buf(path, sizeof(path), p->path ? p->path : "", EBPH_PATH_MAX);
	fprintf(f, "%-14s %7s %-16s %s %s train=%llu last_mod=%llu anomalies=%llu rows=%llu "
		"pair_bytes=%llu\n", "profile", "-", "-", path, out_state_name(p->state),
		(unsigned long long)p->train_count, (unsigned long long)p->last_mod_count,
		(unsigned long long)p->anomalies, (unsigned long long)(p->rows + p->snapshot_rows),
		(unsigned long long)p->pair_bytes);
}
