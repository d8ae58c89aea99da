/* output.c: text columns and JSON lines for events, status and profiles. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/*
 * Length of the valid UTF-8 sequence at s (n bytes available) and its code
 * point in *cp; 0 if the bytes there are not valid UTF-8. Valid is RFC 3629:
 * shortest form only (no overlongs), no surrogates (U+D800..U+DFFF), nothing
 * above U+10FFFF.
 */
static size_t out_utf8(const unsigned char *s, size_t n, __u32 *cp)
{
	unsigned char c = s[0];
	size_t len, i;
	__u32 v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;	/* continuation byte, C0, C1, F5..FF */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Code points a name never prints raw: C0 controls, DEL, C1 controls, the
 * line and paragraph separators, and the bidirectional controls (which
 * reorder what a terminal shows). */
static int out_unsafe(__u32 cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x061c;
}

/*
 * The one escaping rule for untrusted bytes (process names, paths, file
 * names), up to max bytes or a NUL. Valid UTF-8 passes through unchanged
 * except: JSON escapes " and \ as \" and \\, an unsafe code point as
 * \uXXXX, and each byte that is not part of valid UTF-8 as \udcXX (PEP 383
 * "surrogateescape": XX is the byte, 80..ff); text escapes \ as \\ and each
 * byte of an unsafe code point or of invalid UTF-8 as \xXX. Both are
 * lossless.
 */
static void out_escaped(FILE *f, const char *s, size_t max, int json)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, max), i = 0, len, k;
	__u32 cp;

	while (i < n) {
		len = out_utf8(p + i, n - i, &cp);
		if (!len) {
			fprintf(f, json ? "\\udc%02x" : "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (cp == '\\' || (json && cp == '"')) {
			fputc('\\', f);
			fputc((int)cp, f);
		} else if (out_unsafe(cp) && json) {
			fprintf(f, "\\u%04x", cp);
		} else if (out_unsafe(cp)) {
			for (k = 0; k < len; k++)
				fprintf(f, "\\x%02x", p[i + k]);
		} else {
			fwrite(p + i, 1, len, f);
		}
		i += len;
	}
}

void out_json_str(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	out_escaped(f, s, max, 1);
	fputc('"', f);
}

void out_text_str(FILE *f, const char *s, size_t max)
{
	if (!max || !s[0])
		fputc('-', f);
	else
		out_escaped(f, s, max, 0);
}

void out_warn(const char *fmt, ...)
{
	char *msg = NULL, *line = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	f = n < 0 ? NULL : open_memstream(&line, &len);
	if (!f) {
		fputs("ebph: out of memory\n", stderr);
		free(msg);
		return;
	}
	out_escaped(f, msg, (size_t)n, 0);
	fputc('\n', f);
	if (fclose(f))
		fputs("ebph: out of memory\n", stderr);
	else
		fputs(line, stderr);
	free(line);
	free(msg);
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
	[EBPH_EV_ANOMALY_SUMMARY] = "anomaly_summary",
	[EBPH_EV_LOADER_EXEC] = "loader_exec",
	[EBPH_EV_ANON_EXEC] = "anon_exec",
	[EBPH_EV_EXEC] = "exec",
	[EBPH_EV_PROFILE_REFUSED] = "profile_refused",
	[EBPH_EV_ROWS_FULL] = "rows_full",
};

static const char *const burst_end_names[EBPH_B_COUNT] = {
	[EBPH_B_CALM] = "calm",
	[EBPH_B_EXIT] = "exit",
	[EBPH_B_EXEC] = "exec",
	[EBPH_B_INTERVAL] = "interval",
	[EBPH_B_ANOMALY_LIMIT] = "anomaly_limit",
};

static const char *out_burst_end(__u32 reason)
{
	return reason < EBPH_B_COUNT ? burst_end_names[reason] : "unknown";
}

static const char *out_anon_kind(__u32 kind)
{
	return kind == EBPH_ANON_MEMFD ? "memfd" : "unlinked";
}

__u64 out_event_anomalies(const struct ebph_event *e)
{
	if (e->type == EBPH_EV_ANOMALY)
		return 1;
	if (e->type == EBPH_EV_ANOMALY_SUMMARY)
		return e->count > e->shown ? e->count - e->shown : 0;
	return 0;
}

/* The calls of a summary's bitmap, sep-separated (JSON: quoted). */
static void out_calls(FILE *f, const struct ebph_event *e, int json)
{
	char buf[32];
	__u32 c, n = 0;

	for (c = 0; c < EBPH_CALL_WORDS * 64; c++) {
		if (!(e->calls[c / 64] & (1ULL << (c % 64))))
			continue;
		fprintf(f, json ? "%s\"%s\"" : "%s%s", n++ ? "," : "", syscall_name(c, buf, sizeof(buf)));
	}
	if (!n && !json)
		fputc('-', f);
}

static const char *full_limit(__u32 why)
{
	return why == EBPH_FULL_CAP ? "max_rows_per_profile" : "max_rows";
}

static void out_key_json(struct out_ctx *o, const struct ebph_event *e)
{
	fprintf(o->f, ",\"profile\":\"%llu:%llu\"", (unsigned long long)out_user_dev(e->dev),
		(unsigned long long)e->ino);
}

/* The call d back from an anomaly's call (d = 1..seq_len-1), or EBPH_EMPTY. */
static __u32 seq_prev(const struct ebph_event *e, __u32 d)
{
	__u32 n = e->seq_len <= EBPH_WINDOW_MAX ? e->seq_len : EBPH_WINDOW_MAX;

	return d < n ? e->seq[n - 1 - d] : EBPH_EMPTY;
}

/* An anomaly's explanation: each absent pair as the earlier call and its
 * distance, nearest first ("read@1,openat@3"; JSON: objects). */
static void out_missing(FILE *f, int json, const struct ebph_event *e)
{
	char buf[32];
	__u32 d, p, printed = 0;

	for (d = 1; d < EBPH_WINDOW_MAX; d++) {
		if (!(e->missing & (1U << (d - 1))))
			continue;
		p = seq_prev(e, d);
		if (p == EBPH_EMPTY)
			continue;
		if (json)
			fprintf(f, "%s{\"prev\":\"%s\",\"distance\":%u}", printed ? "," : "",
				syscall_name(p, buf, sizeof(buf)), d);
		else
			fprintf(f, "%s%s@%u", printed ? "," : "", syscall_name(p, buf, sizeof(buf)), d);
		printed++;
	}
	if (!json && !printed)
		fputc('-', f);
}

/* A command line (NUL-separated arguments) as one string, arguments
 * separated by spaces, escaped for JSON (json) or text. */
static void out_cmdline(FILE *f, int json, const char *args, __u32 len)
{
	char joined[EBPH_PATH_MAX], buf[4 * EBPH_PATH_MAX + 1];
	__u32 i;

	if (len >= sizeof(joined))
		len = sizeof(joined) - 1;
	for (i = 0; i < len; i++)
		joined[i] = args[i] ? args[i] : ' ';
	while (len && joined[len - 1] == ' ' && !args[len - 1])
		len--;	/* the last argument's NUL */
	joined[len] = 0;
	if (json)
		out_json_str(f, joined, sizeof(joined));
	else
		fputs(out_text_buf(buf, sizeof(buf), joined, sizeof(joined)), f);
}

/* Who: the audit login uid, the cgroup, and what the monitor knows of the
 * process (its cgroup's path, its command line). */
static void out_attr_json(struct out_ctx *o, const struct ebph_event *e)
{
	FILE *f = o->f;
	const struct out_attr *a = o->attr;

	if (e->login_uid == 0xffffffffU)
		fputs(",\"login_uid\":null", f);
	else
		fprintf(f, ",\"login_uid\":%u", e->login_uid);
	fprintf(f, ",\"cgroup_id\":%llu", (unsigned long long)e->cgroup);
	if (!a)
		return;
	fputs(",\"cgroup\":", f);
	if (a->cgroup)
		out_json_str(f, a->cgroup, 4096);
	else
		fputs("null", f);
	fputs(",\"cmdline\":", f);
	if (a->cmdline)
		out_cmdline(f, 1, a->cmdline, a->cmdline_len);
	else
		fputs("null", f);
	fprintf(f, ",\"cmdline_cut\":%s", a->cmdline && a->cmdline_cut ? "true" : "false");
}

static void out_event_json(struct out_ctx *o, const struct ebph_event *e, const char *path)
{
	FILE *f = o->f;
	__s64 since;
	char buf[32];
	__u32 i, n, printed = 0;

	fprintf(f, "{\"type\":\"%s\",", type_names[e->type]);
	out_ts_json(o, e->ts);
	if (o->hostname) {
		fputs(",\"hostname\":", f);
		out_json_str(f, o->hostname, 256);
	}
	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"ppid\":%u,\"uid\":%u", e->pid, e->tid, e->ppid,
		e->uid);
	out_attr_json(o, e);
	fputs(",\"comm\":", f);
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
		fprintf(f, "],\"new_call\":%s,\"missing\":[",
			e->flags & EBPH_F_UNSEEN ? "true" : "false");
		out_missing(f, 1, e);
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
	case EBPH_EV_ANOMALY_SUMMARY:
		fprintf(f, ",\"anomalies\":%llu,\"reported\":%u,\"lost\":%u,\"counted\":%llu,"
			"\"lfc_max\":%u,\"end\":\"%s\",", (unsigned long long)e->count, e->shown,
			e->lost, (unsigned long long)out_event_anomalies(e), e->lfc,
			out_burst_end(e->reason));
		since = (__s64)e->since + o->boot_to_wall_ns;
		fprintf(f, "\"since\":%lld.%06lld", (long long)(since / 1000000000),
			(long long)(since % 1000000000 / 1000));
		fputs(",\"calls\":[", f);
		out_calls(f, e, 1);
		fputc(']', f);
		break;
	case EBPH_EV_LOADER_EXEC:
		fputs(",\"program\":", f);
		out_json_str(f, e->path, sizeof(e->path));
		break;
	case EBPH_EV_ANON_EXEC:
		fprintf(f, ",\"kind\":\"%s\",\"file\":", out_anon_kind(e->flags));
		out_json_str(f, e->path, sizeof(e->path));
		break;
	case EBPH_EV_EXEC:
		if (o->attr)
			break;	/* the command line is in the attribution */
		fputs(",\"cmdline\":", f);
		out_cmdline(f, 1, e->path, e->seq_len < sizeof(e->path) ? e->seq_len : 0);
		fprintf(f, ",\"cmdline_cut\":%s", e->flags & EBPH_F_CMDLINE_CUT ? "true" : "false");
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
	/* the EVENT column is 14 wide: anomaly_summary is "summary" in text */
	fprintf(f, "%-14s %7u %-16s %s", e->type == EBPH_EV_ANOMALY_SUMMARY ? "summary" :
		type_names[e->type], e->pid, comm, p);
	switch (e->type) {
	case EBPH_EV_NEW_PROFILE:
		fprintf(f, " (%llu:%llu)", (unsigned long long)out_user_dev(e->dev),
			(unsigned long long)e->ino);
		break;
	case EBPH_EV_ANOMALY:
		fprintf(f, " %s misses=%u lfc=%u%s missing=", syscall_name(e->syscall, buf, sizeof(buf)),
			e->misses, e->lfc, e->flags & EBPH_F_UNSEEN ? " new_call" : "");
		out_missing(f, 0, e);
		fputs(" seq=", f);
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
	case EBPH_EV_ANOMALY_SUMMARY:
		fprintf(f, " anomalies=%llu reported=%u lost=%u lfc_max=%u end=%s calls=",
			(unsigned long long)e->count, e->shown, e->lost, e->lfc,
			out_burst_end(e->reason));
		out_calls(f, e, 0);
		break;
	case EBPH_EV_LOADER_EXEC:
		fprintf(f, " program=%s", out_text_buf(p, sizeof(p), e->path, sizeof(e->path)));
		break;
	case EBPH_EV_ANON_EXEC:
		fprintf(f, " kind=%s file=%s", out_anon_kind(e->flags),
			out_text_buf(p, sizeof(p), e->path, sizeof(e->path)));
		break;
	case EBPH_EV_EXEC:
		fprintf(f, " ppid=%u uid=%u: ", e->ppid, e->uid);
		out_cmdline(f, 0, e->path, e->seq_len < sizeof(e->path) ? e->seq_len : 0);
		if (e->flags & EBPH_F_CMDLINE_CUT)
			fputs("...", f);
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
			"\"reclaimed\":%llu,\"anomalies_lost\":%llu,\"suppressed\":%llu,\"final\":%s}\n",
			(unsigned long long)s->profiles, (unsigned long long)s->training,
			(unsigned long long)s->frozen, (unsigned long long)s->normal,
			(unsigned long long)s->tasks, (unsigned long long)s->syscalls,
			(unsigned long long)s->anomalies, (unsigned long long)s->lost_events,
			(unsigned long long)s->rows, (unsigned long long)s->snapshot_rows,
			(unsigned long long)s->pair_bytes, (unsigned long long)s->map_bytes,
			(unsigned long long)s->tasks_full, (unsigned long long)s->profiles_full,
			(unsigned long long)s->rows_full, (unsigned long long)s->reclaimed,
			(unsigned long long)s->anomalies_lost,
			(unsigned long long)s->suppressed, s->final ? "true" : "false");
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
	if (s->anomalies_lost || s->suppressed)
		fprintf(f, " anomalies_lost=%llu suppressed=%llu",
			(unsigned long long)s->anomalies_lost, (unsigned long long)s->suppressed);
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
			"\"sequences\":%llu,\"anomalies\":%llu,\"anomalies_total\":%llu,"
			"\"anomalies_lost\":%llu,\"events_lost\":%llu,\"rows\":%llu,"
			"\"snapshot_rows\":%llu,\"pair_bytes\":%llu",
			out_state_name(p->state), (unsigned long long)p->train_count,
			(unsigned long long)p->last_mod_count, (unsigned long long)p->sequences,
			(unsigned long long)p->anomalies, (unsigned long long)p->anomalies_total,
			(unsigned long long)p->anomalies_lost, (unsigned long long)p->events_lost,
			(unsigned long long)p->rows, (unsigned long long)p->snapshot_rows,
			(unsigned long long)p->pair_bytes);
		if (p->last_anomaly)
			fprintf(f, ",\"last_anomaly\":%lld.%06lld}\n",
				(long long)(p->last_anomaly / 1000000000),
				(long long)(p->last_anomaly % 1000000000 / 1000));
		else
			fputs(",\"last_anomaly\":null}\n", f);
		return;
	}
	out_ts_text(o, p->ts);
	out_text_buf(path, sizeof(path), p->path ? p->path : "", EBPH_PATH_MAX);
	fprintf(f, "%-14s %7s %-16s %s %s train=%llu last_mod=%llu anomalies=%llu "
		"anomalies_total=%llu anomalies_lost=%llu events_lost=%llu rows=%llu "
		"pair_bytes=%llu\n", "profile", "-", "-", path, out_state_name(p->state),
		(unsigned long long)p->train_count, (unsigned long long)p->last_mod_count,
		(unsigned long long)p->anomalies, (unsigned long long)p->anomalies_total,
		(unsigned long long)p->anomalies_lost, (unsigned long long)p->events_lost,
		(unsigned long long)(p->rows + p->snapshot_rows),
		(unsigned long long)p->pair_bytes);
}

void out_suppressed(struct out_ctx *o, __u64 ts, __u64 dev, __u64 ino, const char *path,
		    __u64 lines, __u64 anomalies)
{
	FILE *f = o->f;
	char p[6 * EBPH_PATH_MAX + 1];

	if (o->json) {
		fputs("{\"type\":\"suppressed\",", f);
		out_ts_json(o, ts);
		fprintf(f, ",\"profile\":\"%llu:%llu\",\"path\":", (unsigned long long)dev,
			(unsigned long long)ino);
		out_json_str(f, path ? path : "", EBPH_PATH_MAX);
		fprintf(f, ",\"lines\":%llu,\"anomalies\":%llu}\n", (unsigned long long)lines,
			(unsigned long long)anomalies);
		return;
	}
	out_ts_text(o, ts);
	fprintf(f, "%-14s %7s %-16s %s lines=%llu anomalies=%llu (output_rate)\n", "suppressed",
		"-", "-", out_text_buf(p, sizeof(p), path ? path : "", EBPH_PATH_MAX),
		(unsigned long long)lines, (unsigned long long)anomalies);
}
