/* SPDX-License-Identifier: GPL-2.0-only */
/* config.c: ebph's configuration: key table, defaults, YAML loading and validation, writing. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fnmatch.h>
#include <unistd.h>
#include <sys/stat.h>
#include <yaml.h>

#include "config.h"

enum cfg_type {
	CFG_UINT,	/* plain decimal integer */
	CFG_POW2,	/* plain decimal integer, a power of two */
	CFG_DURATION,	/* seconds: plain integer or digits + s, m, h, d, w */
	CFG_PATH,	/* absolute path string, any scalar style */
	CFG_ENUM,	/* one of names[], stored as its index */
	CFG_PATHS,	/* a sequence of absolute paths, stored NUL-separated */
	CFG_OPT_PATH,	/* CFG_PATH, or "" for none */
	CFG_BOOL,	/* plain true or false */
	CFG_PROGRAMS,	/* the programs list (struct cfg_program) */
	CFG_WORDS,	/* program names or absolute paths separated by spaces */
};

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t off;		/* offset into struct ebph_config */
	size_t size;		/* 4 or 8 for numbers, buffer size for paths */
	__u64 min;
	__u64 max;
	__u64 def;
	const char *def_str;	/* default of a path */
	const char *const *names;	/* values of an enum */
};

#define CFG_MIN		60ULL
#define CFG_HOUR	3600ULL
#define CFG_DAY		86400ULL
#define CFG_WEEK	604800ULL

#define CFG_FIELD(f) offsetof(struct ebph_config, f), sizeof(((struct ebph_config *)0)->f)
#define CFG_NUM(f, t, lo, hi, d) { #f, t, CFG_FIELD(f), lo, hi, d, NULL, NULL }
#define CFG_STR(f, d) { #f, CFG_PATH, CFG_FIELD(f), 0, 0, 0, d, NULL }
#define CFG_ENUMS(f, n, d) { #f, CFG_ENUM, CFG_FIELD(f), 0, 0, d, NULL, n }
#define CFG_LIST(f) { #f, CFG_PATHS, CFG_FIELD(f), 0, 0, 0, "", NULL }
#define CFG_OPT_STR(f) { #f, CFG_OPT_PATH, CFG_FIELD(f), 0, 0, 0, "", NULL }
#define CFG_BOOLEAN(f, d) { #f, CFG_BOOL, CFG_FIELD(f), 0, 1, d, NULL, NULL }
#define CFG_WORDLIST(f, d) { #f, CFG_WORDS, CFG_FIELD(f), 0, 0, 0, d, NULL }

static const char *const cfg_response_names[] = { "off", "log", "act", NULL };
static const char *const cfg_scope_names[] = { "executable", "cgroup", NULL };

/* One row per key, in the order cfg_write prints them. Key name = field name. */
static const struct cfg_key cfg_keys[] = {
	CFG_NUM(window,		   CFG_UINT,	 2, 9,		      9),
	CFG_NUM(normal_wait,	   CFG_DURATION, 0, 365 * CFG_DAY,    7 * CFG_DAY),
	CFG_NUM(normal_factor,	   CFG_UINT,	 1, 1000000,	      128),
	CFG_NUM(normal_factor_den, CFG_UINT,	 1, 1000000,	      32),
	CFG_NUM(anomaly_limit,	   CFG_UINT,	 0, 1000000,	      30),
	CFG_NUM(tolerize_limit,	   CFG_UINT,	 1, 128,	      12),
	CFG_NUM(lfc_window,	   CFG_UINT,	 1, 128,	      128),
	CFG_NUM(max_profiles,	   CFG_UINT,	 1, 262144,	      10240),
	CFG_NUM(max_tasks,	   CFG_UINT,	 64, 1048576,	      16384),
	CFG_NUM(max_rows,	   CFG_UINT,	 16, 65535,	      32768),
	CFG_NUM(max_rows_per_profile, CFG_UINT,	 16, 65535,	      256),
	CFG_NUM(ringbuf_kb,	   CFG_POW2,	 4, 262144,	      1024),
	CFG_NUM(anomaly_lines,	   CFG_UINT,	 0, 1000000,	      10),
	CFG_NUM(summary_interval,  CFG_DURATION, 1, CFG_HOUR,	      1),
	CFG_NUM(output_rate,	   CFG_UINT,	 0, 1000000,	      1000),
	CFG_NUM(status_interval,   CFG_DURATION, 0, CFG_DAY,	      10),
	CFG_STR(state_dir,	   "/var/lib/ebph"),
	CFG_NUM(save_interval,	   CFG_DURATION, 0, CFG_WEEK,	      10 * CFG_MIN),
	CFG_ENUMS(response,	   cfg_response_names,		      CFG_RESPONSE_OFF),
	CFG_NUM(delay_factor,	   CFG_UINT,	 0, 60000,	      1),
	CFG_NUM(max_delay,	   CFG_UINT,	 1, 3600000,	      2000),
	CFG_NUM(suspend_execve,	   CFG_UINT,	 0, 128,	      10),
	CFG_NUM(suspend_execve_time, CFG_DURATION, 1, 365 * CFG_DAY,  2 * CFG_DAY),
	CFG_LIST(response_exempt),
	CFG_BOOLEAN(stdout,	   1),
	CFG_BOOLEAN(journal,	   0),
	CFG_OPT_STR(events_file),
	CFG_NUM(events_file_kb,	   CFG_UINT,	 1, 4194304,	      10240),
	CFG_NUM(events_file_keep,  CFG_UINT,	 0, 1000,	      5),
	CFG_OPT_STR(metrics_file),
	CFG_NUM(min_train_calls,   CFG_UINT,	 0, 1000000000,	      1024),
	CFG_NUM(retired_keep,	   CFG_DURATION, 0, 365 * CFG_DAY,    7 * CFG_DAY),
	{ "programs", CFG_PROGRAMS, CFG_FIELD(programs), 0, 0, 0, NULL, NULL },
	CFG_NUM(anomaly_period,	   CFG_DURATION, 0, 365 * CFG_DAY,    CFG_HOUR),
	CFG_BOOLEAN(auto_tolerize, 1),
	CFG_NUM(max_edges,	   CFG_UINT,	 16, 1048576,	      65536),
	CFG_NUM(alert_lfc,	   CFG_UINT,	 1, 128,	      5),
	CFG_BOOLEAN(alerts_only,	   0),
	CFG_WORDLIST(script_interpreters, "python3 perl ruby sh bash dash node"),
	CFG_ENUMS(profile_scope,   cfg_scope_names,		      CFG_SCOPE_EXECUTABLE),
};

#define CFG_NKEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

/* Cross-key checks: lo < hi. The error is placed at lo's value if the
 * document sets lo, else at hi's, else it has no place. */
static const struct {
	const char *lo;
	const char *hi;
} cfg_less[] = {
	{ "normal_factor_den", "normal_factor" },
	{ "tolerize_limit", "lfc_window" },
};

/* Longest excerpt of a user's value quoted in a message. */
#define CFG_EXCERPT 40

struct cfg_ctx {
	const char *name;
	char *err;
	size_t errlen;
	const char *text;	/* the whole input, to place reader errors */
	size_t len;
	struct ebph_config cfg;	/* the copy being filled */
	bool broken;		/* the parser failed: no more events */
	bool seen[CFG_NKEYS];
	yaml_mark_t key_mark[CFG_NKEYS];
	yaml_mark_t val_mark[CFG_NKEYS];
	yaml_mark_t prog_mark[CFG_PROGRAMS_MAX];	/* a programs entry's tolerize_limit */
};

__attribute__((format(printf, 3, 4)))
static void cfg_error(struct cfg_ctx *ctx, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ctx->err || !ctx->errlen)
		return;
	if (m)
		n = snprintf(ctx->err, ctx->errlen, "%s:%zu:%zu: ", ctx->name,
			     m->line + 1, m->column + 1);
	else
		n = snprintf(ctx->err, ctx->errlen, "%s: ", ctx->name);
	if (n < 0 || (size_t)n >= ctx->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->err + n, ctx->errlen - n, fmt, ap);
	va_end(ap);
}

/* A printable ASCII excerpt of untrusted text: other characters become '?',
 * long text is cut and ends in "...". out must hold CFG_EXCERPT + 4 bytes. */
static const char *cfg_excerpt(char *out, const unsigned char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c >= 0x80 && c < 0xc0)
			continue;	/* UTF-8 continuation: one '?' per character */
		if (n == CFG_EXCERPT) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		out[n++] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	out[n] = '\0';
	return out;
}

static const struct cfg_key *cfg_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++)
		if (strlen(cfg_keys[i].name) == len && !memcmp(cfg_keys[i].name, name, len))
			return &cfg_keys[i];
	return NULL;
}

static __u64 cfg_get(const struct ebph_config *cfg, const struct cfg_key *k)
{
	const char *p = (const char *)cfg + k->off;

	if (k->size == sizeof(__u64))
		return *(const __u64 *)p;
	return *(const __u32 *)p;
}

static void cfg_put(struct ebph_config *cfg, const struct cfg_key *k, __u64 v)
{
	char *p = (char *)cfg + k->off;

	if (k->size == sizeof(__u64))
		*(__u64 *)p = v;
	else
		*(__u32 *)p = (__u32)v;
}

/* Store a path, clearing the rest of the buffer so equal configs compare equal. */
static void cfg_put_str(struct ebph_config *cfg, const struct cfg_key *k, const char *s,
			size_t len)
{
	char *p = (char *)cfg + k->off;

	memset(p, 0, k->size);
	memcpy(p, s, len);
}

/* Strict decimal: digits only, no sign, no leading zero, no overflow. */
static int cfg_parse_u64(const char *s, size_t len, __u64 *out)
{
	__u64 v = 0;
	size_t i;

	if (!len || (s[0] == '0' && len > 1))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (__u64)(s[i] - '0'), &v))
			return -EINVAL;
	}
	*out = v;
	return 0;
}

static int cfg_parse_duration_len(const char *s, size_t len, __u64 *secs)
{
	static const char suffix[] = "smhdw";
	static const __u64 mult[] = { 1, CFG_MIN, CFG_HOUR, CFG_DAY, CFG_WEEK };
	const char *u;
	__u64 v, m = 1;

	if (!len)
		return -EINVAL;
	u = memchr(suffix, s[len - 1], sizeof(suffix) - 1);
	if (u) {
		m = mult[u - suffix];
		len--;
	}
	if (cfg_parse_u64(s, len, &v) || __builtin_mul_overflow(v, m, &v))
		return -EINVAL;
	*secs = v;
	return 0;
}

int cfg_parse_duration(const char *s, __u64 *secs)
{
	if (!s || !secs)
		return -EINVAL;
	return cfg_parse_duration_len(s, strlen(s), secs);
}

/* Seconds with the largest exact suffix up to days: 604800 -> "7d", 0 -> "0". */
static const char *cfg_fmt_duration(char *buf, size_t n, __u64 secs)
{
	static const struct {
		__u64 mult;
		char suffix;
	} units[] = { { CFG_DAY, 'd' }, { CFG_HOUR, 'h' }, { CFG_MIN, 'm' }, { 1, 's' } };
	size_t i;

	if (!secs) {
		snprintf(buf, n, "0");
		return buf;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (secs % units[i].mult == 0) {
			snprintf(buf, n, "%llu%c", (unsigned long long)(secs / units[i].mult),
				 units[i].suffix);
			break;
		}
	}
	return buf;
}

static bool cfg_is_null(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || ev->data.scalar.tag)
		return false;
	return !strcmp(v, "") || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

/* What a node is, for "expected X, got Y" messages. */
static const char *cfg_describe(char *buf, size_t n, const yaml_event_t *ev)
{
	char ex[CFG_EXCERPT + 4];

	switch (ev->type) {
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SCALAR_EVENT:
		break;
	default:
		return "something else";
	}
	if (ev->data.scalar.tag)
		return "a tagged value";
	if (cfg_is_null(ev))
		return "null";
	cfg_excerpt(ex, ev->data.scalar.value, ev->data.scalar.length);
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		snprintf(buf, n, "a quoted string '%s'", ex);
		break;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		snprintf(buf, n, "a block scalar '%s'", ex);
		break;
	default:
		snprintf(buf, n, "'%s'", ex);
		break;
	}
	return buf;
}

/* What k's values look like, for "expected X" messages (buf: enum names). */
static const char *cfg_expected(const struct cfg_key *k, char *buf, size_t n)
{
	size_t i, used = 0;

	switch (k->type) {
	case CFG_DURATION:
		return "a duration (seconds, or a number followed by s, m, h, d or w)";
	case CFG_PATH:
		return "a path";
	case CFG_ENUM:
		buf[0] = '\0';
		for (i = 0; k->names[i] && used < n; i++)
			used += snprintf(buf + used, n - used, "%s%s",
					 !i ? "" : k->names[i + 1] ? ", " : " or ", k->names[i]);
		return buf;
	case CFG_PATHS:
		return "a list of paths";
	case CFG_OPT_PATH:
		return "a path or \"\"";
	case CFG_BOOL:
		return "true or false";
	case CFG_WORDS:
		return "program names";
	default:
		return "an integer";
	}
}

/* "IN KEY: expected X, got Y"; in is "" for a top-level key, "programs: "
 * inside a programs entry. -EINVAL. */
static int cfg_type_error(struct cfg_ctx *ctx, const char *in, const struct cfg_key *k,
			  const yaml_event_t *ev)
{
	char got[CFG_EXCERPT + 64], names[128];

	cfg_error(ctx, &ev->start_mark, "%s%s: expected %s, got %s", in, k->name,
		  cfg_expected(k, names, sizeof(names)), cfg_describe(got, sizeof(got), ev));
	return -EINVAL;
}

/* A plain, untagged scalar with no NUL inside: the only form numbers take. */
static bool cfg_is_plain(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && !ev->data.scalar.tag &&
	       ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       strlen((const char *)ev->data.scalar.value) == ev->data.scalar.length;
}

/*
 * The one checker of scalar values, for top-level keys and programs
 * entries alike: a number of k's type within k's range (CFG_UINT, CFG_POW2,
 * CFG_DURATION in seconds), a boolean (plain true or false, YAML 1.2's core
 * schema) or one of k's names (CFG_ENUM, its index). 0 and *v, or -EINVAL
 * with one message "IN KEY: ..." at the value (in: see cfg_type_error).
 */
static int cfg_value(struct cfg_ctx *ctx, const char *in, const struct cfg_key *k,
		     const yaml_event_t *ev, __u64 *v)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t i, len = ev->data.scalar.length;
	char ex[CFG_EXCERPT + 4], lo[32], hi[32];
	int ret;

	if (!cfg_is_plain(ev))
		return cfg_type_error(ctx, in, k, ev);
	if (k->type == CFG_BOOL) {
		if (strcmp(s, "true") && strcmp(s, "false"))
			return cfg_type_error(ctx, in, k, ev);
		*v = !strcmp(s, "true");
		return 0;
	}
	if (k->type == CFG_ENUM) {
		for (i = 0; k->names[i]; i++) {
			if (!strcmp(k->names[i], s)) {
				*v = i;
				return 0;
			}
		}
		return cfg_type_error(ctx, in, k, ev);
	}
	if (k->type == CFG_DURATION)
		ret = cfg_parse_duration_len(s, len, v);
	else
		ret = cfg_parse_u64(s, len, v);
	if (ret)
		return cfg_type_error(ctx, in, k, ev);

	if (*v < k->min || *v > k->max) {
		if (k->type == CFG_DURATION) {
			cfg_fmt_duration(lo, sizeof(lo), k->min);
			cfg_fmt_duration(hi, sizeof(hi), k->max);
		} else {
			snprintf(lo, sizeof(lo), "%llu", (unsigned long long)k->min);
			snprintf(hi, sizeof(hi), "%llu", (unsigned long long)k->max);
		}
		cfg_error(ctx, &ev->start_mark, "%s%s: %s is out of range (%s..%s)", in, k->name,
			  cfg_excerpt(ex, ev->data.scalar.value, len), lo, hi);
		return -EINVAL;
	}
	if (k->type == CFG_POW2 && (*v & (*v - 1))) {
		cfg_error(ctx, &ev->start_mark, "%s%s: %s is not a power of two", in, k->name,
			  cfg_excerpt(ex, ev->data.scalar.value, len));
		return -EINVAL;
	}
	return 0;
}

/* A top-level number, boolean or enum (cfg_value). */
static int cfg_set_value(struct cfg_ctx *ctx, const struct cfg_key *k, const yaml_event_t *ev)
{
	__u64 v;
	int ret = cfg_value(ctx, "", k, ev, &v);

	if (!ret)
		cfg_put(&ctx->cfg, k, v);
	return ret;
}

/* True at a control character: C0, DEL, or C1 (U+0080..U+009F in UTF-8). */
static bool cfg_is_control(const unsigned char *s, size_t len, size_t i)
{
	if (s[i] < 0x20 || s[i] == 0x7f)
		return true;
	return s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] < 0xa0;
}

/* Check a path scalar; 0 or -EINVAL with a message. room: bytes it may take with its NUL. */
static int cfg_check_path(struct cfg_ctx *ctx, const struct cfg_key *k, const yaml_event_t *ev,
			  size_t room)
{
	const unsigned char *s = ev->data.scalar.value;
	size_t i, len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	char ex[CFG_EXCERPT + 4];

	if (ev->type != YAML_SCALAR_EVENT || (tag && strcmp(tag, YAML_STR_TAG)) ||
	    cfg_is_null(ev))
		return cfg_type_error(ctx, "", k, ev);
	if (!len && k->type == CFG_OPT_PATH) {
		cfg_put_str(&ctx->cfg, k, "", 0);
		return 0;
	}
	if (!len) {
		cfg_error(ctx, &ev->start_mark, "%s: must not be empty", k->name);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (cfg_is_control(s, len, i)) {
			cfg_error(ctx, &ev->start_mark, "%s: contains a control character",
				  k->name);
			return -EINVAL;
		}
	}
	if (s[0] != '/') {
		cfg_error(ctx, &ev->start_mark, "%s: '%s' is not an absolute path", k->name,
			  cfg_excerpt(ex, s, len));
		return -EINVAL;
	}
	if (len >= room) {
		cfg_error(ctx, &ev->start_mark, "%s: path is too long (%zu bytes, at most %zu)",
			  k->name, len, room ? room - 1 : 0);
		return -EINVAL;
	}
	return 0;
}

static int cfg_set_path(struct cfg_ctx *ctx, const struct cfg_key *k, const yaml_event_t *ev)
{
	int ret = cfg_check_path(ctx, k, ev, k->size);

	if (!ret)
		cfg_put_str(&ctx->cfg, k, (const char *)ev->data.scalar.value,
			    ev->data.scalar.length);
	return ret;
}

static int cfg_next(struct cfg_ctx *ctx, yaml_parser_t *p, yaml_event_t *ev);
static int cfg_check_anchor(struct cfg_ctx *ctx, const struct cfg_key *k, const yaml_event_t *ev);

/* A sequence of absolute paths (ev: its start), each stored NUL-ended,
 * the whole list in k->size bytes with a final empty string. */
static int cfg_set_paths(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_parser_t *p,
			 yaml_event_t *ev)
{
	char *buf = (char *)&ctx->cfg + k->off;
	size_t used = 0;
	int ret;

	if (ev->type != YAML_SEQUENCE_START_EVENT)
		return cfg_type_error(ctx, "", k, ev);
	memset(buf, 0, k->size);
	for (;;) {
		yaml_event_delete(ev);
		ret = cfg_next(ctx, p, ev);
		if (ret)
			return ret;
		if (ev->type == YAML_SEQUENCE_END_EVENT)
			return 0;
		ret = cfg_check_anchor(ctx, k, ev);
		if (ret)
			return ret;
		if (ev->type != YAML_SCALAR_EVENT)
			return cfg_type_error(ctx, "", k, ev);
		/* room for this path's NUL and the list's final one */
		if (used + 2 > k->size) {
			cfg_error(ctx, &ev->start_mark, "%s: the list is too long (at most %zu "
				  "bytes)", k->name, k->size - 1);
			return -EINVAL;
		}
		ret = cfg_check_path(ctx, k, ev, k->size - used - 1);
		if (ret)
			return ret;
		memcpy(buf + used, ev->data.scalar.value, ev->data.scalar.length);
		used += ev->data.scalar.length + 1;
	}
}

/* A list of program names (letters, digits, "._+-") or absolute paths
 * separated by spaces; may be empty. */
static int cfg_set_words(struct cfg_ctx *ctx, const struct cfg_key *k, const yaml_event_t *ev)
{
	const unsigned char *s = ev->data.scalar.value;
	size_t i, len = ev->data.scalar.length;
	const char *tag = (const char *)ev->data.scalar.tag;
	char ex[CFG_EXCERPT + 4];
	int path = 0, start = 1;

	if (ev->type != YAML_SCALAR_EVENT || (tag && strcmp(tag, YAML_STR_TAG)))
		return cfg_type_error(ctx, "", k, ev);
	if (len >= k->size) {
		cfg_error(ctx, &ev->start_mark, "%s: too long (%zu bytes, at most %zu)",
			  k->name, len, k->size - 1);
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == ' ') {
			start = 1;
			continue;
		}
		if (start)
			path = c == '/';
		start = 0;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("._+-", c) || (path && c == '/'))
			continue;
		cfg_error(ctx, &ev->start_mark, "%s: '%s': not a program name or absolute path",
			  k->name, cfg_excerpt(ex, s, len));
		return -EINVAL;
	}
	cfg_put_str(&ctx->cfg, k, (const char *)s, len);
	return 0;
}

/* Anchors and aliases: refused wherever they appear. */
static int cfg_check_anchor(struct cfg_ctx *ctx, const struct cfg_key *k, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		cfg_error(ctx, &ev->start_mark, "%s%saliases are not supported",
			  k ? k->name : "", k ? ": " : "");
		return -EINVAL;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		break;
	default:
		break;
	}
	if (anchor) {
		cfg_error(ctx, &ev->start_mark, "%s%sanchors and aliases are not supported",
			  k ? k->name : "", k ? ": " : "");
		return -EINVAL;
	}
	return 0;
}

/* 1-based line and column of a byte offset (reader errors carry no mark). */
static yaml_mark_t cfg_mark_at(const struct cfg_ctx *ctx, size_t off)
{
	yaml_mark_t m = { 0 };
	size_t i;

	if (off > ctx->len)
		off = ctx->len;
	m.index = off;
	for (i = 0; i < off; i++) {
		unsigned char c = ctx->text[i];

		if (c == '\n') {
			m.line++;
			m.column = 0;
		} else if (c < 0x80 || c >= 0xc0) {
			m.column++;
		}
	}
	return m;
}

/* Raw U+0085, U+2028 or U+2029 anywhere: YAML 1.1 readers (libyaml among
 * them) take them for line breaks, YAML 1.2 readers for text, and libyaml
 * folds them inside quoted strings; the escapes \N, \L, \P are unambiguous. */
static int cfg_check_separators(struct cfg_ctx *ctx)
{
	const unsigned char *s = (const unsigned char *)ctx->text;
	yaml_mark_t m;
	size_t i;

	for (i = 0; i + 1 < ctx->len; i++) {
		const char *cp;

		if (s[i] == 0xc2 && s[i + 1] == 0x85)
			cp = "U+0085";
		else if (s[i] == 0xe2 && i + 2 < ctx->len && s[i + 1] == 0x80 && s[i + 2] == 0xa8)
			cp = "U+2028";
		else if (s[i] == 0xe2 && i + 2 < ctx->len && s[i + 1] == 0x80 && s[i + 2] == 0xa9)
			cp = "U+2029";
		else
			continue;
		m = cfg_mark_at(ctx, i);
		cfg_error(ctx, &m, "raw line separator %s (YAML readers disagree on it: in a "
			  "double-quoted string write it as %s)", cp,
			  s[i] == 0xc2 ? "\\N" : s[i + 2] == 0xa8 ? "\\L" : "\\P");
		return -EINVAL;
	}
	return 0;
}

/* Next event, or a message and -EINVAL / -ENOMEM. */
static int cfg_next(struct cfg_ctx *ctx, yaml_parser_t *p, yaml_event_t *ev)
{
	yaml_mark_t m;

	if (yaml_parser_parse(p, ev))
		return 0;
	memset(ev, 0, sizeof(*ev));	/* nothing to delete */
	ctx->broken = true;
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		cfg_error(ctx, NULL, "out of memory");
		return -ENOMEM;
	case YAML_READER_ERROR:
		m = cfg_mark_at(ctx, p->problem_offset);
		break;
	default:
		m = p->problem_mark;
		break;
	}
	cfg_error(ctx, &m, "syntax error: %s", p->problem ? p->problem : "unknown error");
	return -EINVAL;
}

/* After a content error, read on: a syntax error anywhere in the file
 * replaces the message, as it is the more fundamental problem. */
static int cfg_drain(struct cfg_ctx *ctx, yaml_parser_t *p)
{
	yaml_event_t ev;
	bool end;
	int ret;

	do {
		ret = cfg_next(ctx, p, &ev);
		if (ret)
			return ret;
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	} while (!end);
	return 0;
}

static const char *const cfg_mode_names[] = { "monitor", "ignore", NULL };
static const struct cfg_key cfg_mode_key = {
	"mode", CFG_ENUM, 0, 0, 0, 0, CFG_MODE_MONITOR, NULL, cfg_mode_names
};

#define CFG_PFIELD(f) offsetof(struct cfg_program, f), sizeof(((struct cfg_program *)0)->f)

/* The keys of a programs entry, in the order cfg_write prints them: path
 * (bit 0), mode, and top-level keys that apply to the matching profiles,
 * each checked by cfg_value against its cfg_keys row (or cfg_mode_key). */
static const struct cfg_entry_key {
	const char *name;
	size_t off;
	size_t size;
	__u32 bit;
} cfg_entry_keys[] = {
	{ "path", CFG_PFIELD(path), 0 },
	{ "normal_wait", CFG_PFIELD(normal_wait), CFG_P_NORMAL_WAIT },
	{ "mode", CFG_PFIELD(mode), CFG_P_MODE },
	{ "auto_tolerize", CFG_PFIELD(auto_tolerize), CFG_P_AUTO_TOLERIZE },
	{ "anomaly_limit", CFG_PFIELD(anomaly_limit), CFG_P_ANOMALY_LIMIT },
	{ "anomaly_period", CFG_PFIELD(anomaly_period), CFG_P_ANOMALY_PERIOD },
	{ "tolerize_limit", CFG_PFIELD(tolerize_limit), CFG_P_TOLERIZE_LIMIT },
	{ "alert_lfc", CFG_PFIELD(alert_lfc), CFG_P_ALERT_LFC },
	{ "max_rows_per_profile", CFG_PFIELD(max_rows_per_profile), CFG_P_MAX_ROWS_PER_PROFILE },
};

#define CFG_NENTRY (sizeof(cfg_entry_keys) / sizeof(cfg_entry_keys[0]))

/* The cfg_keys row (or cfg_mode_key) that checks entry key e. */
static const struct cfg_key *cfg_entry_rule(const struct cfg_entry_key *e)
{
	if (e->bit == CFG_P_MODE)
		return &cfg_mode_key;
	return cfg_find(e->name, strlen(e->name));
}

/* A programs entry's path: an absolute path or glob. */
static int cfg_program_path(struct cfg_ctx *ctx, struct cfg_program *pr, const yaml_event_t *ev)
{
	const unsigned char *s = ev->data.scalar.value;
	size_t i, len = ev->data.scalar.length;
	char ex[CFG_EXCERPT + 4];

	for (i = 0; i < len; i++) {
		if (cfg_is_control(s, len, i)) {
			cfg_error(ctx, &ev->start_mark, "programs: path: contains a "
				  "control character");
			return -EINVAL;
		}
	}
	if (!len || s[0] != '/') {
		cfg_error(ctx, &ev->start_mark, "programs: path: '%s' is not an "
			  "absolute path or glob", cfg_excerpt(ex, s, len));
		return -EINVAL;
	}
	if (len >= sizeof(pr->path)) {
		cfg_error(ctx, &ev->start_mark, "programs: path: too long (%zu bytes, "
			  "at most %zu)", len, sizeof(pr->path) - 1);
		return -EINVAL;
	}
	memcpy(pr->path, s, len);
	return 0;
}

/* One value of a programs entry; ev holds it, e names its key. */
static int cfg_program_value(struct cfg_ctx *ctx, struct cfg_program *pr,
			     const struct cfg_entry_key *e, const yaml_event_t *ev)
{
	char got[CFG_EXCERPT + 64];
	char *p = (char *)pr + e->off;
	__u64 v;
	int ret;

	if (ev->type != YAML_SCALAR_EVENT || cfg_is_null(ev)) {
		cfg_error(ctx, &ev->start_mark, "programs: %s: expected a value, got %s", e->name,
			  cfg_describe(got, sizeof(got), ev));
		return -EINVAL;
	}
	if (!e->bit)
		return cfg_program_path(ctx, pr, ev);
	ret = cfg_value(ctx, "programs: ", cfg_entry_rule(e), ev, &v);
	if (ret)
		return ret;
	if (e->size == sizeof(__u64))
		*(__u64 *)p = v;
	else
		*(__u32 *)p = (__u32)v;
	pr->set |= e->bit;
	return 0;
}

/* The names of an entry's keys, for the unknown-key message. */
static const char *cfg_entry_names(char *buf, size_t n)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < CFG_NENTRY && used < n; i++)
		used += snprintf(buf + used, n - used, "%s%s", i ? ", " : "",
				 cfg_entry_keys[i].name);
	return buf;
}

/* One entry of the programs list, a mapping; ev holds its start. */
static int cfg_program_entry(struct cfg_ctx *ctx, yaml_parser_t *p, yaml_event_t *ev,
			     struct cfg_program *pr, yaml_mark_t *marks)
{
	char got[CFG_EXCERPT + 64], ex[CFG_EXCERPT + 4], names[256];
	yaml_mark_t start = ev->start_mark;
	int seen[CFG_NENTRY] = { 0 }, ret;
	size_t i;

	memset(pr, 0, sizeof(*pr));
	pr->auto_tolerize = 1;
	if (ev->type != YAML_MAPPING_START_EVENT) {
		cfg_error(ctx, &ev->start_mark, "programs: expected an entry (a mapping with "
			  "path), got %s", cfg_describe(got, sizeof(got), ev));
		return -EINVAL;
	}
	for (;;) {
		yaml_event_delete(ev);
		ret = cfg_next(ctx, p, ev);
		if (ret)
			return ret;
		if (ev->type == YAML_MAPPING_END_EVENT)
			break;
		ret = cfg_check_anchor(ctx, NULL, ev);
		if (ret)
			return ret;
		if (ev->type != YAML_SCALAR_EVENT) {
			cfg_error(ctx, &ev->start_mark, "programs: expected a key name, got %s",
				  cfg_describe(got, sizeof(got), ev));
			return -EINVAL;
		}
		for (i = 0; i < CFG_NENTRY; i++)
			if (!strcmp((const char *)ev->data.scalar.value, cfg_entry_keys[i].name))
				break;
		if (i == CFG_NENTRY) {
			cfg_error(ctx, &ev->start_mark, "programs: unknown key '%s' (%s)",
				  cfg_excerpt(ex, ev->data.scalar.value, ev->data.scalar.length),
				  cfg_entry_names(names, sizeof(names)));
			return -EINVAL;
		}
		if (seen[i]) {
			cfg_error(ctx, &ev->start_mark, "programs: duplicate key '%s'",
				  cfg_entry_keys[i].name);
			return -EINVAL;
		}
		seen[i] = 1;
		yaml_event_delete(ev);
		ret = cfg_next(ctx, p, ev);
		if (ret)
			return ret;
		ret = cfg_check_anchor(ctx, NULL, ev);
		if (ret)
			return ret;
		if (cfg_entry_keys[i].bit == CFG_P_TOLERIZE_LIMIT)
			*marks = ev->start_mark;	/* for cfg_cross_check */
		ret = cfg_program_value(ctx, pr, &cfg_entry_keys[i], ev);
		if (ret)
			return ret;
	}
	if (!seen[0]) {
		cfg_error(ctx, &start, "programs: an entry without path");
		return -EINVAL;
	}
	return 0;
}

/* The programs list: a sequence of entries (or null: none); ev holds its start. */
static int cfg_set_programs(struct cfg_ctx *ctx, const struct cfg_key *k, yaml_parser_t *p,
			    yaml_event_t *ev)
{
	char got[CFG_EXCERPT + 64];
	__u32 n = 0;
	int ret;

	if (ev->type == YAML_SCALAR_EVENT && cfg_is_null(ev)) {
		ctx->cfg.nprograms = 0;
		return 0;
	}
	if (ev->type != YAML_SEQUENCE_START_EVENT) {
		cfg_error(ctx, &ev->start_mark, "%s: expected a list of entries, got %s",
			  k->name, cfg_describe(got, sizeof(got), ev));
		return -EINVAL;
	}
	for (;;) {
		yaml_event_delete(ev);
		ret = cfg_next(ctx, p, ev);
		if (ret)
			return ret;
		if (ev->type == YAML_SEQUENCE_END_EVENT)
			break;
		ret = cfg_check_anchor(ctx, k, ev);
		if (ret)
			return ret;
		if (n == CFG_PROGRAMS_MAX) {
			cfg_error(ctx, &ev->start_mark, "%s: more than %u entries", k->name,
				  CFG_PROGRAMS_MAX);
			return -EINVAL;
		}
		ret = cfg_program_entry(ctx, p, ev, &ctx->cfg.programs[n], &ctx->prog_mark[n]);
		if (ret)
			return ret;
		n++;
	}
	memset(&ctx->cfg.programs[n], 0, (CFG_PROGRAMS_MAX - n) * sizeof(ctx->cfg.programs[0]));
	ctx->cfg.nprograms = n;
	return 0;
}

const struct cfg_program *cfg_program_of(const struct ebph_config *cfg, const char *path)
{
	__u32 i;

	if (!path || path[0] != '/')
		return NULL;
	for (i = 0; i < cfg->nprograms && i < CFG_PROGRAMS_MAX; i++)
		if (!fnmatch(cfg->programs[i].path, path, FNM_PATHNAME))
			return &cfg->programs[i];
	return NULL;
}

/* One key and its value inside the top-level mapping; ev holds the key. */
static int cfg_pair(struct cfg_ctx *ctx, yaml_parser_t *p, yaml_event_t *ev)
{
	const struct cfg_key *k;
	char ex[CFG_EXCERPT + 4], got[CFG_EXCERPT + 64];
	size_t i;
	int ret;

	ret = cfg_check_anchor(ctx, NULL, ev);
	if (ret)
		return ret;
	if (ev->type != YAML_SCALAR_EVENT) {
		cfg_error(ctx, &ev->start_mark, "expected a key name, got %s",
			  cfg_describe(got, sizeof(got), ev));
		return -EINVAL;
	}
	k = cfg_find((const char *)ev->data.scalar.value, ev->data.scalar.length);
	if (!k) {
		cfg_error(ctx, &ev->start_mark, "unknown key '%s'",
			  cfg_excerpt(ex, ev->data.scalar.value, ev->data.scalar.length));
		return -EINVAL;
	}
	i = k - cfg_keys;
	if (ctx->seen[i]) {
		cfg_error(ctx, &ev->start_mark, "duplicate key '%s' (first on line %zu)",
			  k->name, ctx->key_mark[i].line + 1);
		return -EINVAL;
	}
	ctx->seen[i] = true;
	ctx->key_mark[i] = ev->start_mark;
	yaml_event_delete(ev);

	ret = cfg_next(ctx, p, ev);
	if (ret)
		return ret;
	ctx->val_mark[i] = ev->start_mark;
	ret = cfg_check_anchor(ctx, k, ev);
	if (ret)
		return ret;
	if (k->type == CFG_PATH || k->type == CFG_OPT_PATH)
		return cfg_set_path(ctx, k, ev);
	if (k->type == CFG_PATHS)
		return cfg_set_paths(ctx, k, p, ev);
	if (k->type == CFG_PROGRAMS)
		return cfg_set_programs(ctx, k, p, ev);
	if (k->type == CFG_WORDS)
		return cfg_set_words(ctx, k, ev);
	return cfg_set_value(ctx, k, ev);
}

/* A programs entry's tolerize_limit is below lfc_window, as the top-level
 * one: placed at the entry's value if this document sets programs, else at
 * lfc_window's. */
static int cfg_cross_check_programs(struct cfg_ctx *ctx)
{
	const struct cfg_key *pk = cfg_find("programs", strlen("programs"));
	const struct cfg_key *lk = cfg_find("lfc_window", strlen("lfc_window"));
	__u32 i, lw = ctx->cfg.lfc_window;

	for (i = 0; i < ctx->cfg.nprograms && i < CFG_PROGRAMS_MAX; i++) {
		const struct cfg_program *pr = &ctx->cfg.programs[i];

		if (!(pr->set & CFG_P_TOLERIZE_LIMIT) || pr->tolerize_limit < lw)
			continue;
		if (ctx->seen[pk - cfg_keys] || !ctx->seen[lk - cfg_keys])
			cfg_error(ctx, ctx->seen[pk - cfg_keys] ? &ctx->prog_mark[i] : NULL,
				  "programs: tolerize_limit: %u must be less than lfc_window (%u)",
				  pr->tolerize_limit, lw);
		else
			cfg_error(ctx, &ctx->val_mark[lk - cfg_keys], "lfc_window: %u must be "
				  "greater than programs: tolerize_limit (%u)", lw,
				  pr->tolerize_limit);
		return -EINVAL;
	}
	return 0;
}

static int cfg_cross_check(struct cfg_ctx *ctx)
{
	size_t i;

	for (i = 0; i < sizeof(cfg_less) / sizeof(cfg_less[0]); i++) {
		const struct cfg_key *lo = cfg_find(cfg_less[i].lo, strlen(cfg_less[i].lo));
		const struct cfg_key *hi = cfg_find(cfg_less[i].hi, strlen(cfg_less[i].hi));
		unsigned long long vlo = cfg_get(&ctx->cfg, lo), vhi = cfg_get(&ctx->cfg, hi);
		size_t ilo = lo - cfg_keys, ihi = hi - cfg_keys;

		if (vlo < vhi)
			continue;
		if (ctx->seen[ilo] || !ctx->seen[ihi])
			cfg_error(ctx, ctx->seen[ilo] ? &ctx->val_mark[ilo] : NULL,
				  "%s: %llu must be less than %s (%llu)", lo->name, vlo,
				  hi->name, vhi);
		else
			cfg_error(ctx, &ctx->val_mark[ihi],
				  "%s: %llu must be greater than %s (%llu)", hi->name, vhi,
				  lo->name, vlo);
		return -EINVAL;
	}
	return cfg_cross_check_programs(ctx);
}

/* The whole event stream: at most one document, a mapping at the top. */
static int cfg_parse(struct cfg_ctx *ctx, yaml_parser_t *p)
{
	yaml_event_t ev;
	char got[CFG_EXCERPT + 64];
	int ret;

	ret = cfg_next(ctx, p, &ev);	/* STREAM-START */
	if (ret)
		return ret;
	yaml_event_delete(&ev);
	ret = cfg_next(ctx, p, &ev);
	if (ret)
		return ret;
	if (ev.type == YAML_STREAM_END_EVENT)
		goto done;	/* empty or comments only */
	yaml_event_delete(&ev);	/* DOCUMENT-START */

	ret = cfg_next(ctx, p, &ev);
	if (ret)
		return ret;
	ret = cfg_check_anchor(ctx, NULL, &ev);
	if (ret)
		goto done;
	if (ev.type == YAML_SCALAR_EVENT && cfg_is_null(&ev) && !ev.data.scalar.length) {
		/* "---" alone: an empty document */
	} else if (ev.type != YAML_MAPPING_START_EVENT) {
		cfg_error(ctx, &ev.start_mark, "the top level must be a mapping, got %s",
			  cfg_describe(got, sizeof(got), &ev));
		ret = -EINVAL;
		goto done;
	} else {
		for (;;) {
			yaml_event_delete(&ev);
			ret = cfg_next(ctx, p, &ev);
			if (ret)
				return ret;
			if (ev.type == YAML_MAPPING_END_EVENT)
				break;
			ret = cfg_pair(ctx, p, &ev);
			if (ret)
				goto done;
		}
	}
	yaml_event_delete(&ev);

	ret = cfg_next(ctx, p, &ev);	/* DOCUMENT-END */
	if (ret)
		return ret;
	yaml_event_delete(&ev);
	ret = cfg_next(ctx, p, &ev);
	if (ret)
		return ret;
	if (ev.type != YAML_STREAM_END_EVENT) {
		cfg_error(ctx, &ev.start_mark, "multiple documents are not supported");
		ret = -EINVAL;
	}
done:
	yaml_event_delete(&ev);
	return ret;
}

void cfg_defaults(struct ebph_config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (k->type == CFG_PATH || k->type == CFG_PATHS || k->type == CFG_OPT_PATH ||
		    k->type == CFG_WORDS)
			cfg_put_str(cfg, k, k->def_str, strlen(k->def_str));
		else if (k->type != CFG_PROGRAMS)
			cfg_put(cfg, k, k->def);
	}
}

int cfg_load_string(struct ebph_config *cfg, const char *text, size_t len, const char *name,
		    char *err, size_t errlen)
{
	struct cfg_ctx *ctx;
	yaml_parser_t parser;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name ? name : "config");
		return -ENOMEM;
	}
	ctx->name = name ? name : "config";
	ctx->err = err;
	ctx->errlen = errlen;
	ctx->text = text ? text : "";
	ctx->len = text ? len : 0;
	ctx->cfg = *cfg;

	ret = cfg_check_separators(ctx);
	if (ret) {
		free(ctx);
		return ret;
	}
	if (!yaml_parser_initialize(&parser)) {
		cfg_error(ctx, NULL, "out of memory");
		free(ctx);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)ctx->text, ctx->len);
	ret = cfg_parse(ctx, &parser);
	if (!ret)
		ret = cfg_cross_check(ctx);
	else if (!ctx->broken)
		ret = cfg_drain(ctx, &parser) ?: ret;
	if (!ret)
		*cfg = ctx->cfg;
	yaml_parser_delete(&parser);
	free(ctx);
	return ret;
}

/* The whole file into a malloc'ed buffer; -EFBIG past CFG_FILE_MAX bytes
 * (checked on the size first, then while reading: /dev/zero, pipes), -errno. */
static int cfg_read_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	char *b = NULL, *nb;
	struct stat st;
	ssize_t r;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > CFG_FILE_MAX) {
		close(fd);
		return -EFBIG;
	}
	for (;;) {
		if (n == cap) {
			if (cap > CFG_FILE_MAX) {
				ret = -EFBIG;
				break;
			}
			cap = cap ? cap * 2 : 4096;
			if (cap > CFG_FILE_MAX + 1)
				cap = CFG_FILE_MAX + 1;	/* one byte more says "too large" */
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				break;
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (!r)
			break;
		n += r;
	}
	close(fd);
	if (!ret && n > CFG_FILE_MAX)
		ret = -EFBIG;
	if (ret) {
		free(b);
		return ret;
	}
	*buf = b;
	*len = n;
	return 0;
}

int cfg_load_file(struct ebph_config *cfg, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!path) {
		if (err && errlen)
			snprintf(err, errlen, "config: no file name");
		return -EINVAL;
	}
	ret = cfg_read_file(path, &buf, &len);
	if (ret == -EFBIG) {
		if (err && errlen)
			snprintf(err, errlen, "%s: too large (a configuration file has at most "
				 "%u bytes)", path, CFG_FILE_MAX);
		return ret;
	}
	if (ret) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-ret));
		return ret;
	}
	ret = cfg_load_string(cfg, buf, len, path, err, errlen);
	free(buf);
	return ret;
}

/* One YAML line "KEY: VALUE" per override, the last of each key only (the
 * document refuses duplicates); line[i] = index of the override on line i. */
static int cfg_overrides_text(char *const *kv, size_t n, char **text, size_t *len,
			      size_t *line, char *err, size_t errlen)
{
	size_t i, j, nl = 0;
	FILE *f;

	f = open_memstream(text, len);
	if (!f) {
		snprintf(err, errlen, "-o: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '='), *c;
		char ex[CFG_EXCERPT + 4];

		if (!eq || eq == kv[i]) {
			snprintf(err, errlen, "-o '%s': expected KEY=VALUE",
				 cfg_excerpt(ex, (const unsigned char *)kv[i], strlen(kv[i])));
			fclose(f);
			free(*text);
			return -EINVAL;
		}
		for (c = kv[i]; *c; c++) {
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				snprintf(err, errlen, "-o '%s': contains a control character",
					 cfg_excerpt(ex, (const unsigned char *)kv[i],
						     strlen(kv[i])));
				fclose(f);
				free(*text);
				return -EINVAL;
			}
		}
		for (j = i + 1; j < n; j++)
			if (!strncmp(kv[j], kv[i], eq - kv[i] + 1))
				break;
		if (j < n)
			continue;	/* overridden again later */
		fprintf(f, "%.*s: %s\n", (int)(eq - kv[i]), kv[i], eq + 1);
		line[nl++] = i;
	}
	if (fclose(f)) {
		free(*text);
		snprintf(err, errlen, "-o: out of memory");
		return -ENOMEM;
	}
	return 0;
}

int cfg_load_overrides(struct ebph_config *cfg, char *const *kv, size_t n, char *err,
		       size_t errlen)
{
	size_t line[CFG_OVERRIDES_MAX], len = 0, l, c;
	char msg[512], ex[CFG_EXCERPT + 4], *text = NULL;
	int ret, off = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!n)
		return 0;
	if (n > CFG_OVERRIDES_MAX) {
		snprintf(err, errlen, "-o: at most %u overrides", CFG_OVERRIDES_MAX);
		return -EINVAL;
	}
	ret = cfg_overrides_text(kv, n, &text, &len, line, err, errlen);
	if (ret)
		return ret;
	ret = cfg_load_string(cfg, text, len, "-o", msg, sizeof(msg));
	free(text);
	if (!ret)
		return 0;
	/* "-o:LINE:COL: rest" -> "-o 'KEY=VALUE': rest" */
	if (sscanf(msg, "-o:%zu:%zu: %n", &l, &c, &off) == 2 && off && l >= 1 && l <= n &&
	    line[l - 1] < n)
		snprintf(err, errlen, "-o '%s': %s",
			 cfg_excerpt(ex, (const unsigned char *)kv[line[l - 1]],
				     strlen(kv[line[l - 1]])), msg + off);
	else
		snprintf(err, errlen, "%s", msg);
	return ret;
}

/* A path as a YAML scalar: plain when that is unambiguous, else double-quoted. */
static void cfg_write_path(FILE *f, const char *s, size_t size)
{
	size_t i, len = strnlen(s, size);

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("/._-+@=%,", s[i])))
			break;
	if (len && s[0] == '/' && i == len) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", c);
		} else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
			   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			/* U+2028, U+2029: line breaks to YAML, folded if written raw */
			fputs((unsigned char)s[i + 2] == 0xa8 ? "\\L" : "\\P", f);
			i += 2;
		} else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85) {
			fputs("\\N", f);	/* U+0085 (NEL), a line break too */
			i++;
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

/* A number, boolean or enum value of key k as YAML. */
static void cfg_write_value(FILE *f, const struct cfg_key *k, __u64 v)
{
	char buf[32];

	if (k->type == CFG_BOOL)
		fputs(v ? "true" : "false", f);
	else if (k->type == CFG_ENUM)
		fputs(k->names[v], f);
	else if (k->type == CFG_DURATION)
		fputs(cfg_fmt_duration(buf, sizeof(buf), v), f);
	else
		fprintf(f, "%llu", (unsigned long long)v);
}

/* The programs list as YAML: "programs: []" or one entry per item, with
 * its path, mode and the keys it sets. */
static void cfg_write_programs(FILE *f, const struct ebph_config *cfg)
{
	__u32 i;
	size_t j;

	if (!cfg->nprograms) {
		fputs("programs: []\n", f);
		return;
	}
	fputs("programs:\n", f);
	for (i = 0; i < cfg->nprograms && i < CFG_PROGRAMS_MAX; i++) {
		const struct cfg_program *pr = &cfg->programs[i];

		fputs("  - path: ", f);
		cfg_write_path(f, pr->path, sizeof(pr->path));
		fputc('\n', f);
		for (j = 1; j < CFG_NENTRY; j++) {
			const struct cfg_entry_key *e = &cfg_entry_keys[j];
			const char *p = (const char *)pr + e->off;

			if (!(pr->set & e->bit) && e->bit != CFG_P_MODE)
				continue;
			fprintf(f, "    %s: ", e->name);
			cfg_write_value(f, cfg_entry_rule(e), e->size == sizeof(__u64) ?
					*(const __u64 *)p : *(const __u32 *)p);
			fputc('\n', f);
		}
	}
}

void cfg_write(FILE *f, const struct ebph_config *cfg)
{
	size_t i;

	for (i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (k->type == CFG_PROGRAMS) {
			cfg_write_programs(f, cfg);
			continue;
		}
		fprintf(f, "%s: ", k->name);
		switch (k->type) {
		case CFG_PATH:
		case CFG_OPT_PATH:
			cfg_write_path(f, (const char *)cfg + k->off, k->size);
			break;
		case CFG_PATHS: {
			const char *s = (const char *)cfg + k->off;
			const char *sep = "";

			fputc('[', f);
			for (; *s; s += strlen(s) + 1) {
				fputs(sep, f);
				cfg_write_path(f, s, CFG_EXEMPT_MAX);
				sep = ", ";
			}
			fputc(']', f);
			break;
		}
		case CFG_WORDS:
			fprintf(f, "\"%s\"", (const char *)cfg + k->off);
			break;
		default:
			cfg_write_value(f, k, cfg_get(cfg, k));
			break;
		}
		fputc('\n', f);
	}
}
