/* SPDX-License-Identifier: GPL-2.0-only */
/* output.c: text columns and JSON lines for events, status and profiles. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/sysmacros.h>

#include "output.h"

__u64 out_user_dev(__u64 kdev)
{
	return makedev((unsigned int)(kdev >> 20), (unsigned int)(kdev & 0xfffff));
}

void out_key_str(char *buf, size_t len, const struct ebph_key *key)
{
	char sc[24] = "", c[24] = "";

	if (key->script)
		snprintf(sc, sizeof(sc), "~s%llx", (unsigned long long)key->script);
	if (key->scope)
		snprintf(c, sizeof(c), "~c%llx", (unsigned long long)key->scope);
	snprintf(buf, len, "%llu:%llu%s%s", (unsigned long long)out_user_dev(key->dev),
		 (unsigned long long)key->ino, sc, c);
}

/* The key of the profile an event is about, as out_key_str prints it. */
static void out_event_key(char *buf, size_t len, const struct ebph_event *e)
{
	struct ebph_key key = { .dev = e->dev, .ino = e->ino, .script = e->script,
				.scope = e->scope };

	out_key_str(buf, len, &key);
}

static const char *const state_names[] = { "training", "frozen", "normal" };

static const char *const reason_names[EBPH_R_COUNT] = {
	[EBPH_R_STABLE] = "stable",
	[EBPH_R_NORMAL_WAIT] = "normal_wait_elapsed",
	[EBPH_R_NEW_BEHAVIOUR] = "new_behaviour",
	[EBPH_R_ANOMALY_LIMIT] = "anomaly_limit",
	[EBPH_R_TOLERIZE_LIMIT] = "tolerize_limit",
	[EBPH_R_NORMALIZE] = "normalize",
	[EBPH_R_SENSITIZE] = "sensitize",
	[EBPH_R_TOLERIZE] = "tolerize",
	[EBPH_R_DELETE] = "delete",
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

const char *out_hostname(void)
{
	static char name[256];
	static int known;

	if (!known) {
		if (gethostname(name, sizeof(name) - 1))
			name[0] = 0;
		known = 1;
	}
	return name;
}

void out_json_time(FILE *f, const char *name, __s64 wall)
{
	if (wall)
		fprintf(f, ",\"%s\":%lld.%06lld", name, (long long)(wall / 1000000000),
			(long long)(wall % 1000000000 / 1000));
	else
		fprintf(f, ",\"%s\":null", name);
}

void out_json_head(FILE *f, const char *type, __s64 wall, const char *hostname)
{
	time_t secs = (time_t)(wall / 1000000000);
	long long us = (long long)(wall % 1000000000 / 1000);
	char iso[32] = "1970-01-01T00:00:00";
	struct tm tm;

	if (gmtime_r(&secs, &tm))
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"type\":\"%s\",\"schema\":%d,\"ts\":%lld.%06lld,\"time\":\"%s.%06lldZ\","
		"\"hostname\":", type, OUT_SCHEMA, (long long)secs, us, iso, us);
	out_json_str(f, hostname ? hostname : out_hostname(), 256);
}

/* The common fields of a monitor's object stamped boot_ns (boot-time ns). */
static void out_head(struct out_ctx *o, const char *type, __u64 boot_ns)
{
	out_json_head(o->f, type, (__s64)boot_ns + o->boot_to_wall_ns, o->hostname);
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
	if (o->json || !o->f)
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
	[EBPH_EV_RESPONSE] = "response",
	[EBPH_EV_SUSPEND] = "suspend",
	[EBPH_EV_RELEASE] = "release",
	[EBPH_EV_RESPONSE_FAILED] = "response_failed",
	[EBPH_EV_REPLACED] = "replaced",
	[EBPH_EV_EXEC_ANOMALY] = "exec_anomaly",
	[EBPH_EV_EDGES_FULL] = "edges_full",
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

const char *out_event_level(const struct out_ctx *o, const struct ebph_event *e)
{
	switch (e->type) {
	case EBPH_EV_EXEC_ANOMALY:
		return "alert";
	case EBPH_EV_ANOMALY:
	case EBPH_EV_ANOMALY_SUMMARY:
		return e->lfc >= o->alert_lfc ? "alert" : "notice";
	}
	return NULL;
}

int out_event_alert(const struct out_ctx *o, const struct ebph_event *e)
{
	const char *level = out_event_level(o, e);

	if (level)
		return !strcmp(level, "alert");
	switch (e->type) {
	case EBPH_EV_RESPONSE:
	case EBPH_EV_SUSPEND:
	case EBPH_EV_RELEASE:
	case EBPH_EV_RESPONSE_FAILED:
	case EBPH_EV_EDGES_FULL:
	case EBPH_EV_PROFILE_REFUSED:
	case EBPH_EV_ROWS_FULL:
	case EBPH_EV_TOLERIZE_LIMIT:
		return 1;
	case EBPH_EV_PROFILE_STATE:
		return e->reason == EBPH_R_ANOMALY_LIMIT;
	}
	return 0;
}

__u64 out_event_anomalies(const struct ebph_event *e)
{
	if (e->type == EBPH_EV_ANOMALY || e->type == EBPH_EV_EXEC_ANOMALY)
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
	char joined[EBPH_PATH_MAX], buf[OUT_ESC_LEN(EBPH_PATH_MAX)];
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

static const char *const release_names[EBPH_REL_COUNT] = {
	[EBPH_REL_TIMER] = "timer",
	[EBPH_REL_OPERATOR] = "operator",
	[EBPH_REL_EXIT] = "exit",
	[EBPH_REL_GONE] = "gone",
};

static const char *out_release_by(__u32 by)
{
	return by < EBPH_REL_COUNT ? release_names[by] : "?";
}

/* The fields of the response events (user space made them), JSON or text. */
static void out_response(struct out_ctx *o, const struct ebph_event *e, int json)
{
	FILE *f = o->f;
	const char *act = e->flags & EBPH_F_LOG_ONLY ? "log" : "act";
	__s64 until = (__s64)e->since + o->boot_to_wall_ns;

	switch (e->type) {
	case EBPH_EV_RESPONSE:
		if (!e->reason)
			fprintf(f, json ? ",\"action\":\"%s\",\"episode\":\"start\",\"lfc\":%u,"
				"\"delay_ms\":%u" : " %s start lfc=%u delay_ms=%u", act, e->lfc,
				e->misses);
		else if (e->flags & EBPH_F_LOG_ONLY)
			fprintf(f, json ? ",\"action\":\"log\",\"episode\":\"end\",\"lfc_max\":%u" :
				" log end lfc_max=%u", e->lfc);
		else
			fprintf(f, json ? ",\"action\":\"act\",\"episode\":\"end\","
				"\"calls_delayed\":%llu,\"total_delay_ms\":%llu" :
				" act end calls_delayed=%llu total_delay_ms=%llu",
				(unsigned long long)e->count, (unsigned long long)e->since);
		break;
	case EBPH_EV_SUSPEND:
		if (e->reason == EBPH_EXEC_REFUSE) {	/* refused at once: no until */
			fprintf(f, json ? ",\"action\":\"%s\",\"mode\":\"refuse\",\"lfc\":%u,"
				"\"until\":null,\"late\":false" : " %s mode=refuse lfc=%u", act, e->lfc);
			if (!e->path[0])
				break;
			fputs(json ? ",\"file\":" : " file=", f);
			if (json)
				out_json_str(f, e->path, sizeof(e->path));
			else
				out_text_str(f, e->path, sizeof(e->path));
			break;
		}
		fprintf(f, json ? ",\"action\":\"%s\",\"mode\":\"hold\",\"lfc\":%u,"
			"\"until\":%lld.%06lld,\"late\":%s" :
			" %s mode=hold lfc=%u until=%lld.%06lld%s", act, e->lfc,
			(long long)(until / 1000000000), (long long)(until % 1000000000 / 1000),
			json ? (e->flags & EBPH_F_LATE ? "true" : "false") :
			(e->flags & EBPH_F_LATE ? " late" : ""));
		break;
	case EBPH_EV_RELEASE:
		fprintf(f, json ? ",\"by\":\"%s\",\"held\":\"%s\",\"held_ms\":%llu" :
			" by=%s held=%s held_ms=%llu", out_release_by(e->reason),
			e->state == 2 ? "suspend" : "delay", (unsigned long long)e->count);
		break;
	case EBPH_EV_RESPONSE_FAILED:
		if (json) {
			fputs(",\"error\":", f);
			out_json_str(f, strerror((int)e->misses), 128);
		} else {
			fprintf(f, " error=%s", strerror((int)e->misses));
		}
		break;
	}
}

static void out_event_json(struct out_ctx *o, const struct ebph_event *e, const char *path)
{
	FILE *f = o->f;
	__s64 since;
	char buf[32], key[OUT_KEY_LEN];
	__u32 i, n, printed = 0;

	out_head(o, type_names[e->type], e->ts);
	fprintf(f, ",\"pid\":%u,\"tid\":%u,\"ppid\":%u,\"uid\":%u", e->pid, e->tid, e->ppid,
		e->uid);
	out_attr_json(o, e);
	fputs(",\"comm\":", f);
	out_json_str(f, e->comm, sizeof(e->comm));
	out_event_key(key, sizeof(key), e);
	fprintf(f, ",\"profile\":\"%s\"", key);
	fputs(",\"path\":", f);
	out_json_str(f, path ? path : "", EBPH_PATH_MAX);
	if (out_event_level(o, e))
		fprintf(f, ",\"level\":\"%s\"", out_event_level(o, e));
	switch (e->type) {
	case EBPH_EV_NEW_PROFILE:
		fprintf(f, ",\"dev\":%llu,\"ino\":%llu", (unsigned long long)out_user_dev(e->dev),
			(unsigned long long)e->ino);
		if (e->scope)
			fprintf(f, ",\"scope\":\"%llx\"", (unsigned long long)e->scope);
		else
			fputs(",\"scope\":null", f);
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
	case EBPH_EV_EXEC_ANOMALY:
	case EBPH_EV_EDGES_FULL:
		fputs(",\"child\":", f);
		out_json_str(f, o->child_path ? o->child_path : e->path, EBPH_PATH_MAX);
		out_key_str(key, sizeof(key), &e->child);
		fprintf(f, ",\"child_profile\":\"%s\",\"edges\":%u", key, e->edges);
		if (e->type == EBPH_EV_EDGES_FULL)
			break;
		fprintf(f, ",\"lfc\":%u,\"anomalies\":%llu,\"known\":", e->lfc,
			(unsigned long long)e->count);
		out_json_str(f, o->edges ? o->edges : "", OUT_EDGES_MAX);
		break;
	case EBPH_EV_EXEC:
		if (o->attr)
			break;	/* the command line is in the attribution */
		fputs(",\"cmdline\":", f);
		out_cmdline(f, 1, e->path, e->seq_len < sizeof(e->path) ? e->seq_len : 0);
		fprintf(f, ",\"cmdline_cut\":%s", e->flags & EBPH_F_CMDLINE_CUT ? "true" : "false");
		break;
	case EBPH_EV_RESPONSE:
	case EBPH_EV_SUSPEND:
	case EBPH_EV_RELEASE:
	case EBPH_EV_RESPONSE_FAILED:
		out_response(o, e, 1);
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
	char comm[OUT_ESC_LEN(EBPH_COMM_LEN)], p[OUT_ESC_LEN(EBPH_PATH_MAX)], buf[32];
	char key[OUT_KEY_LEN];
	__u32 i, n, printed = 0;

	out_ts_text(o, e->ts);
	out_text_buf(comm, sizeof(comm), e->comm, sizeof(e->comm));
	out_text_buf(p, sizeof(p), path ? path : "", EBPH_PATH_MAX);
	/* the EVENT column is 14 wide: anomaly_summary is "summary" in text */
	fprintf(f, "%-14s %7u %-16s %s", e->type == EBPH_EV_ANOMALY_SUMMARY ? "summary" :
		type_names[e->type], e->pid, comm, p);
	if (out_event_level(o, e))
		fprintf(f, " level=%s", out_event_level(o, e));
	switch (e->type) {
	case EBPH_EV_NEW_PROFILE:
		out_event_key(key, sizeof(key), e);
		fprintf(f, " (%s)", key);
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
	case EBPH_EV_EXEC_ANOMALY:
	case EBPH_EV_EDGES_FULL:
		out_key_str(key, sizeof(key), &e->child);
		fprintf(f, " %s child=%s (%s) edges=%u",
			e->type == EBPH_EV_EDGES_FULL ? "exec graph full: not learned" :
			"started a program it never started:",
			out_text_buf(p, sizeof(p), o->child_path ? o->child_path : e->path,
				     EBPH_PATH_MAX), key, e->edges);
		if (e->type == EBPH_EV_EXEC_ANOMALY) {
			char known[4 * OUT_EDGES_MAX + 1];

			fprintf(f, " known=%s", out_text_buf(known, sizeof(known),
							     o->edges && *o->edges ? o->edges : "-",
							     OUT_EDGES_MAX));
		}
		break;
	case EBPH_EV_EXEC:
		fprintf(f, " ppid=%u uid=%u: ", e->ppid, e->uid);
		out_cmdline(f, 0, e->path, e->seq_len < sizeof(e->path) ? e->seq_len : 0);
		if (e->flags & EBPH_F_CMDLINE_CUT)
			fputs("...", f);
		break;
	case EBPH_EV_RESPONSE:
	case EBPH_EV_SUSPEND:
	case EBPH_EV_RELEASE:
	case EBPH_EV_RESPONSE_FAILED:
		out_response(o, e, 0);
		break;
	case EBPH_EV_PROFILE_REFUSED:
		out_event_key(key, sizeof(key), e);
		fprintf(f, " (%s): no profile slot free or reclaimable: not monitored", key);
		break;
	case EBPH_EV_ROWS_FULL:
		fprintf(f, " %s rows=%llu: %s reached, new pairs not learned",
			syscall_name(e->syscall, buf, sizeof(buf)), (unsigned long long)e->count,
			full_limit(e->reason));
		break;
	}
	fputc('\n', f);
}

/*
 * Write one object: to o->f as o->json asks, then, if there are sinks,
 * render it again as JSON and as text (no TIME column) and hand both to
 * o->emit with the fields x already names. fn renders into o->f by o->json.
 */
static void out_put(struct out_ctx *o, struct out_emitted *x,
		    void (*fn)(struct out_ctx *o, const void *arg), const void *arg)
{
	struct out_ctx c = *o;
	char *json = NULL, *text = NULL;
	size_t jlen = 0, tlen = 0;

	if (o->f)
		fn(o, arg);
	if (!o->emit)
		return;
	c.emit = NULL;
	c.json = 1;
	c.f = open_memstream(&json, &jlen);
	if (c.f) {
		fn(&c, arg);
		fclose(c.f);
	}
	c.json = 0;
	c.timestamps = 0;
	c.f = open_memstream(&text, &tlen);
	if (c.f) {
		fn(&c, arg);
		fclose(c.f);
	}
	if (json && text) {
		x->json = json;
		x->text = text;
		o->emit(o->emit_arg, x);
	}
	free(json);
	free(text);
}

struct out_event_arg {
	const struct ebph_event *e;
	const char *path;
};

static void out_event_fn(struct out_ctx *o, const void *arg)
{
	const struct out_event_arg *a = arg;

	if (o->json)
		out_event_json(o, a->e, a->path);
	else
		out_event_text(o, a->e, a->path);
}

void out_event(struct out_ctx *o, const struct ebph_event *e, const char *path)
{
	struct out_event_arg a = { e, path };
	struct out_emitted x = { 0 };
	char key[OUT_KEY_LEN];

	if (e->type < EBPH_EV_NEW_PROFILE || e->type >= sizeof(type_names) / sizeof(type_names[0]) ||
	    !type_names[e->type])
		return;
	out_event_key(key, sizeof(key), e);
	x.type = type_names[e->type];
	x.pid = e->pid;
	x.comm = e->comm;
	x.profile = key;
	x.path = path;
	out_put(o, &x, out_event_fn, &a);
}

static void out_status_fn(struct out_ctx *o, const void *arg)
{
	const struct out_status *s = arg;
	FILE *f = o->f;

	if (o->json) {
		out_head(o, "status", s->ts);
		fprintf(f, ",\"profiles\":%llu,\"training\":%llu,\"frozen\":%llu,\"normal\":%llu,"
			"\"tasks\":%llu,\"syscalls\":%llu,\"anomalies\":%llu,\"lost_events\":%llu,"
			"\"rows\":%llu,\"snapshot_rows\":%llu,\"pair_bytes\":%llu,\"map_bytes\":%llu,"
			"\"tasks_full\":%llu,\"profiles_full\":%llu,\"rows_full\":%llu,"
			"\"edges_full\":%llu,\"reclaimed\":%llu,"
			"\"anomalies_lost\":%llu,\"suppressed\":%llu,\"held\":%llu,\"traced\":%llu,"
			"\"execve\":\"%s\",\"final\":%s}\n",
			(unsigned long long)s->profiles, (unsigned long long)s->training,
			(unsigned long long)s->frozen, (unsigned long long)s->normal,
			(unsigned long long)s->tasks, (unsigned long long)s->syscalls,
			(unsigned long long)s->anomalies, (unsigned long long)s->lost_events,
			(unsigned long long)s->rows, (unsigned long long)s->snapshot_rows,
			(unsigned long long)s->pair_bytes, (unsigned long long)s->map_bytes,
			(unsigned long long)s->tasks_full, (unsigned long long)s->profiles_full,
			(unsigned long long)s->rows_full, (unsigned long long)s->edges_full,
			(unsigned long long)s->reclaimed, (unsigned long long)s->anomalies_lost,
			(unsigned long long)s->suppressed, (unsigned long long)s->held,
			(unsigned long long)s->traced, s->execve ? s->execve : "off",
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
	if (s->edges_full)
		fprintf(f, " edges_full=%llu", (unsigned long long)s->edges_full);
	if (s->reclaimed)
		fprintf(f, " reclaimed=%llu", (unsigned long long)s->reclaimed);
	if (s->anomalies_lost || s->suppressed)
		fprintf(f, " anomalies_lost=%llu suppressed=%llu",
			(unsigned long long)s->anomalies_lost, (unsigned long long)s->suppressed);
	if (s->held || s->traced)
		fprintf(f, " held=%llu traced=%llu", (unsigned long long)s->held,
			(unsigned long long)s->traced);
	if (s->execve && strcmp(s->execve, "off"))
		fprintf(f, " execve=%s", s->execve);
	fputc('\n', f);
}

void out_status(struct out_ctx *o, const struct out_status *s)
{
	struct out_emitted x = { .type = "status" };

	out_put(o, &x, out_status_fn, s);
}

/* A counter or gauge of the metrics file, with its help and type lines. */
static void out_metric(FILE *f, const char *name, const char *type, const char *help, __u64 v)
{
	fprintf(f, "# HELP ebph_%s %s\n# TYPE ebph_%s %s\nebph_%s %llu\n", name, help, name, type,
		name, (unsigned long long)v);
}

void out_metrics(FILE *f, const struct out_status *s)
{
	fputs("# HELP ebph_profiles Profiles in memory, by state.\n"
	      "# TYPE ebph_profiles gauge\n", f);
	fprintf(f, "ebph_profiles{state=\"training\"} %llu\nebph_profiles{state=\"frozen\"} %llu\n"
		"ebph_profiles{state=\"normal\"} %llu\n", (unsigned long long)s->training,
		(unsigned long long)s->frozen, (unsigned long long)s->normal);
	out_metric(f, "tasks", "gauge", "Tasks monitored.", s->tasks);
	out_metric(f, "held_tasks", "gauge", "Tasks held (suspended) by a response.", 0);
	out_metric(f, "syscalls_total", "counter", "System calls seen.", s->syscalls);
	out_metric(f, "anomalies_total", "counter", "Anomalies detected.", s->anomalies);
	out_metric(f, "anomalies_lost_total", "counter",
		   "Anomalies in neither an event nor a summary.", s->anomalies_lost);
	out_metric(f, "lost_events_total", "counter", "Events the ring buffer had no room for.",
		   s->lost_events);
	out_metric(f, "suppressed_lines_total", "counter", "Event lines left out by output_rate.",
		   s->suppressed);
	fputs("# HELP ebph_map_full_total Times a map had no room, by map.\n"
	      "# TYPE ebph_map_full_total counter\n", f);
	fprintf(f, "ebph_map_full_total{map=\"tasks\"} %llu\nebph_map_full_total{map=\"profiles\"} "
		"%llu\nebph_map_full_total{map=\"rows\"} %llu\n", (unsigned long long)s->tasks_full,
		(unsigned long long)s->profiles_full, (unsigned long long)s->rows_full);
	out_metric(f, "map_bytes", "gauge", "Memory of all BPF maps, as sized at load.",
		   s->map_bytes);
	out_metric(f, "pair_bytes", "gauge", "Memory of the pair rows in use.", s->pair_bytes);
	out_metric(f, "rows", "gauge", "Pair rows in use (both views).",
		   s->rows + s->snapshot_rows);
	fprintf(f, "# HELP ebph_last_status_timestamp_seconds When these figures were taken.\n"
		"# TYPE ebph_last_status_timestamp_seconds gauge\n"
		"ebph_last_status_timestamp_seconds %lld\n", (long long)time(NULL));
}

/* "overrides": the settings a programs entry (or notolerize) gives the
 * profile in place of the configuration's, by config key name; {} if none. */
static void out_json_overrides(FILE *f, const struct out_profile *p)
{
	const struct ebph_limits *l = p->lim;
	const char *sep = "";

	fputs(",\"overrides\":{", f);
	if (p->normal_wait_ns == EBPH_WAIT_NEVER) {
		fputs("\"mode\":\"ignore\"", f);
		sep = ",";
	} else if (p->normal_wait_ns) {
		fprintf(f, "\"normal_wait\":%llu", (unsigned long long)(p->normal_wait_ns / 1000000000));
		sep = ",";
	}
	if (p->pflags & EBPH_PF_NO_TOLERIZE) {
		fprintf(f, "%s\"auto_tolerize\":false", sep);
		sep = ",";
	}
	if (l && (l->set & EBPH_LIM_ANOMALY_LIMIT)) {
		fprintf(f, "%s\"anomaly_limit\":%u", sep, l->anomaly_limit);
		sep = ",";
	}
	if (l && (l->set & EBPH_LIM_ANOMALY_PERIOD)) {
		fprintf(f, "%s\"anomaly_period\":%llu", sep,
			(unsigned long long)(l->anomaly_period_ns / 1000000000));
		sep = ",";
	}
	if (l && (l->set & EBPH_LIM_TOLERIZE_LIMIT)) {
		fprintf(f, "%s\"tolerize_limit\":%u", sep, l->tolerize_limit);
		sep = ",";
	}
	if (l && (l->set & EBPH_LIM_ALERT_LFC)) {
		fprintf(f, "%s\"alert_lfc\":%u", sep, l->alert_lfc);
		sep = ",";
	}
	if (l && (l->set & EBPH_LIM_MAX_ROWS))
		fprintf(f, "%s\"max_rows_per_profile\":%u", sep, l->max_rows);
	fputc('}', f);
}

static void out_profile_fn(struct out_ctx *o, const void *arg)
{
	const struct out_profile *p = arg;
	FILE *f = o->f;
	char path[OUT_ESC_LEN(EBPH_PATH_MAX)], key[OUT_KEY_LEN];
	__s64 now = p->ts ? (__s64)p->ts + o->boot_to_wall_ns : p->wall_ts;

	if (o->json) {
		out_json_head(f, "profile", now, o->hostname);
		out_key_str(key, sizeof(key), &p->key);
		fprintf(f, ",\"profile\":\"%s\",\"path\":", key);
		out_json_str(f, p->path ? p->path : "", EBPH_PATH_MAX);
		if (p->key.scope)
			fprintf(f, ",\"scope\":\"%llx\",\"cgroup\":", (unsigned long long)p->key.scope);
		else
			fputs(",\"scope\":null,\"cgroup\":", f);
		if (p->cgroup)
			out_json_str(f, p->cgroup, EBPH_CGROUP_MAX);
		else
			fputs("null", f);
		fprintf(f, ",\"source\":\"%s\",\"state\":\"%s\",\"train_count\":%llu,"
			"\"last_mod_count\":%llu,\"sequences\":%llu,\"anomalies\":%llu,",
			p->source ? p->source : "live", out_state_name(p->state),
			(unsigned long long)p->train_count, (unsigned long long)p->last_mod_count,
			(unsigned long long)p->sequences, (unsigned long long)p->anomalies);
		if (p->train_pairs >= 0)
			fprintf(f, "\"train_pairs\":%lld,\"test_pairs\":%lld,",
				(long long)p->train_pairs, (long long)p->test_pairs);
		else
			fputs("\"train_pairs\":null,\"test_pairs\":null,", f);
		fprintf(f, "\"rows\":%llu,\"snapshot_rows\":%llu,\"pair_bytes\":%llu,"
			"\"anomalies_total\":%llu,\"anomalies_lost\":%llu,\"events_lost\":%llu",
			(unsigned long long)p->rows, (unsigned long long)p->snapshot_rows,
			(unsigned long long)p->pair_bytes, (unsigned long long)p->anomalies_total,
			(unsigned long long)p->anomalies_lost, (unsigned long long)p->events_lost);
		out_json_time(f, "last_anomaly", p->last_anomaly);
		out_json_time(f, "normal_time", p->state == EBPH_FROZEN ? p->normal_time : 0);
		if (p->state == EBPH_FROZEN)
			fprintf(f, ",\"normal_in\":%lld", (long long)(p->normal_time > now ?
				(p->normal_time - now) / 1000000000 : 0));
		else
			fputs(",\"normal_in\":null", f);
		out_json_time(f, "normal_since", p->state == EBPH_NORMAL ? p->normal_since : 0);
		if (p->progress && p->freeze_at)
			fprintf(f, ",\"freeze_at\":%llu", (unsigned long long)p->freeze_at);
		else
			fputs(",\"freeze_at\":null", f);
		out_json_time(f, "frozen_since", p->progress ? p->frozen_since : 0);
		out_json_overrides(f, p);
		fputs("}\n", f);
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

void out_profile(struct out_ctx *o, const struct out_profile *p)
{
	struct out_emitted x = { .type = "profile", .path = p->path };
	char key[OUT_KEY_LEN];

	out_key_str(key, sizeof(key), &p->key);
	x.profile = key;
	out_put(o, &x, out_profile_fn, p);
}

struct out_suppressed_arg {
	__u64 ts, lines, anomalies;
	const char *key, *path;
};

static void out_suppressed_fn(struct out_ctx *o, const void *arg)
{
	const struct out_suppressed_arg *a = arg;
	FILE *f = o->f;
	char p[OUT_ESC_LEN(EBPH_PATH_MAX)];

	if (o->json) {
		out_head(o, "suppressed", a->ts);
		fprintf(f, ",\"profile\":\"%s\",\"path\":", a->key);
		out_json_str(f, a->path ? a->path : "", EBPH_PATH_MAX);
		fprintf(f, ",\"lines\":%llu,\"anomalies\":%llu}\n", (unsigned long long)a->lines,
			(unsigned long long)a->anomalies);
		return;
	}
	out_ts_text(o, a->ts);
	fprintf(f, "%-14s %7s %-16s %s lines=%llu anomalies=%llu (output_rate)\n", "suppressed",
		"-", "-", out_text_buf(p, sizeof(p), a->path ? a->path : "", EBPH_PATH_MAX),
		(unsigned long long)a->lines, (unsigned long long)a->anomalies);
}

void out_suppressed(struct out_ctx *o, __u64 ts, const struct ebph_key *key, const char *path,
		    __u64 lines, __u64 anomalies)
{
	char k[OUT_KEY_LEN];
	struct out_suppressed_arg a = { ts, lines, anomalies, k, path };
	struct out_emitted x = { .type = "suppressed", .path = path };

	out_key_str(k, sizeof(k), key);
	if (key->dev || key->ino)
		x.profile = k;
	out_put(o, &x, out_suppressed_fn, &a);
}

struct out_replaced_arg {
	__u64 ts, keep_until;
	const char *old, *new, *path;
};

static void out_replaced_fn(struct out_ctx *o, const void *arg)
{
	const struct out_replaced_arg *a = arg;
	FILE *f = o->f;
	char p[OUT_ESC_LEN(EBPH_PATH_MAX)];
	__s64 until = (__s64)a->keep_until + o->boot_to_wall_ns;

	if (o->json) {
		out_head(o, "replaced", a->ts);
		fprintf(f, ",\"profile\":\"%s\",\"old_profile\":\"%s\",\"path\":", a->new,
			a->old);
		out_json_str(f, a->path ? a->path : "", EBPH_PATH_MAX);
		out_json_time(f, "old_kept_until", until);
		fputs("}\n", f);
		return;
	}
	out_ts_text(o, a->ts);
	fprintf(f, "%-14s %7s %-16s %s (%s, was %s; the old profile is kept for %llus)\n",
		"replaced", "-", "-",
		out_text_buf(p, sizeof(p), a->path ? a->path : "", EBPH_PATH_MAX), a->new, a->old,
		(unsigned long long)(a->keep_until > a->ts ? (a->keep_until - a->ts) / 1000000000 : 0));
}

void out_replaced(struct out_ctx *o, __u64 ts, const struct ebph_key *old,
		  const struct ebph_key *new, const char *path, __u64 keep_until)
{
	char ok[OUT_KEY_LEN], nk[OUT_KEY_LEN];
	struct out_replaced_arg a = { ts, keep_until, ok, nk, path };
	struct out_emitted x = { .type = "replaced", .profile = nk, .path = path };

	out_key_str(ok, sizeof(ok), old);
	out_key_str(nk, sizeof(nk), new);
	out_put(o, &x, out_replaced_fn, &a);
}
