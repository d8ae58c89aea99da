/* SPDX-License-Identifier: GPL-2.0-only */
/* test_output.c: check suite for output.c (text columns, JSON lines, escaping). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <check.h>

#include "output.h"

#define JQ "/usr/bin/jq"
/* 1700000000 s = 2023-11-14 22:13:20 UTC. */
#define WALL_OFFSET 1700000000000000000LL
/* The common fields after "type": schema version, ts, time, hostname. */
#define HEAD_JSON(ts, time) "\"schema\":1,\"ts\":" ts ",\"time\":\"" time "Z\",\"hostname\":\"h\""
#define TS_JSON HEAD_JSON("1700000000.001500", "2023-11-14T22:13:20.001500")

/* An open_memstream and its buffer. */
struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	ck_assert_ptr_nonnull(m->f);
}

/* Close the stream; the caller frees the returned text. */
static char *mem_take(struct mem *m)
{
	ck_assert_int_eq(fclose(m->f), 0);
	return m->buf;
}

static char *json_str(const char *s, size_t max)
{
	struct mem m;

	mem_open(&m);
	out_json_str(m.f, s, max);
	return mem_take(&m);
}

static char *text_str(const char *s, size_t max)
{
	struct mem m;

	mem_open(&m);
	out_text_str(m.f, s, max);
	return mem_take(&m);
}

/* Decode a JSON string (with quotes) to bytes, \udcXX as byte XX (PEP 383
 * surrogateescape), other \u escapes as UTF-8. */
static char *json_unescape(const char *j)
{
	char *out = malloc(strlen(j) + 1), *o = out;
	unsigned int cp;

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(*j++, '"');
	while (*j != '"') {
		ck_assert_int_ne(*j, 0);
		if (*j != '\\') {
			*o++ = *j++;
			continue;
		}
		j++;
		if (*j != 'u') {
			ck_assert_ptr_nonnull(strchr("\"\\/", *j));
			*o++ = *j++;
			continue;
		}
		ck_assert_int_eq(sscanf(j + 1, "%4x", &cp), 1);
		j += 5;
		if (cp >= 0xdc80 && cp <= 0xdcff) {
			*o++ = (char)(cp & 0xff);
		} else if (cp < 0x80) {
			*o++ = (char)cp;
		} else if (cp < 0x800) {
			*o++ = (char)(0xc0 | cp >> 6);
			*o++ = (char)(0x80 | (cp & 0x3f));
		} else {
			*o++ = (char)(0xe0 | cp >> 12);
			*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
			*o++ = (char)(0x80 | (cp & 0x3f));
		}
	}
	*o = 0;
	return out;
}

#define JSON_STR_EQ(s, max, want)						\
	do {									\
		char *r_ = json_str(s, max);					\
		ck_assert_str_eq(r_, want);					\
		free(r_);							\
	} while (0)

#define TEXT_STR_EQ(s, max, want)						\
	do {									\
		char *r_ = text_str(s, max);					\
		ck_assert_str_eq(r_, want);					\
		free(r_);							\
	} while (0)

/* Number of a call by name on the build machine (names are portable, numbers not). */
static unsigned int nr(const char *name)
{
	int n = syscall_number(name);

	ck_assert_msg(n >= 0, "no system call named %s", name);
	return n;
}

static void base_event(struct ebph_event *e, __u32 type)
{
	memset(e, 0, sizeof(*e));
	e->ts = 1500000;
	e->dev = (8ULL << 20) | 1;	/* sda1: user-space 2049 */
	e->ino = 131;
	e->type = type;
	e->pid = 1234;
	e->tid = 1235;
	e->ppid = 1200;
	e->uid = 1000;
	e->login_uid = 0xffffffff;
	e->profile = 3;
	strcpy(e->comm, "bash");
}

/* The anomaly window used throughout: 4 empty slots, then 5 calls. */
static void anomaly_event(struct ebph_event *e)
{
	base_event(e, EBPH_EV_ANOMALY);
	e->syscall = nr("write");
	e->misses = 3;
	e->lfc = 5;
	e->count = 7;
	e->seq_len = 9;
	e->seq[0] = e->seq[1] = e->seq[2] = e->seq[3] = EBPH_EMPTY;
	e->seq[4] = nr("read");
	e->seq[5] = nr("close");
	e->seq[6] = 0xfffe;
	e->seq[7] = nr("mmap");
	e->seq[8] = nr("write");
	e->missing = 0x5;	/* distances 1 (mmap) and 3 (close) */
}

static char *render_event(int json, int timestamps, const struct ebph_event *e, const char *path)
{
	struct out_ctx o = { .json = json, .timestamps = timestamps,
			     .boot_to_wall_ns = WALL_OFFSET, .hostname = "h", .alert_lfc = 5 };
	struct mem m;

	mem_open(&m);
	o.f = m.f;
	out_event(&o, e, path);
	return mem_take(&m);
}

static char *render_header(int json, int timestamps)
{
	struct out_ctx o = { .json = json, .timestamps = timestamps,
			     .boot_to_wall_ns = WALL_OFFSET, .hostname = "h" };
	struct mem m;

	mem_open(&m);
	o.f = m.f;
	out_header(&o);
	return mem_take(&m);
}

static void sample_status(struct out_status *s)
{
	memset(s, 0, sizeof(*s));
	s->ts = 5000000000ULL;
	s->profiles = 10;
	s->training = 4;
	s->frozen = 3;
	s->normal = 3;
	s->tasks = 50;
	s->syscalls = 123456;
	s->anomalies = 2;
	s->lost_events = 1;
	s->rows = 300;
	s->snapshot_rows = 20;
	s->map_bytes = 40000000;
	s->pair_bytes = 65536;
	s->rows_full = 5;
	s->final = 1;
}

static void sample_profile(struct out_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->ts = 2500000;
	p->key.dev = (8ULL << 20) | 1;	/* st_dev 2049 */
	p->key.ino = 131;
	p->train_count = 5000;
	p->last_mod_count = 1200;
	p->sequences = 40;
	p->anomalies = 2;
	p->rows = 30;
	p->snapshot_rows = 10;
	p->pair_bytes = 20480;
	p->state = EBPH_NORMAL;
	p->path = "/bin/bash";
	p->train_pairs = p->test_pairs = -1;
}

static char *render_status(int json, const struct out_status *s)
{
	struct out_ctx o = { .json = json, .boot_to_wall_ns = WALL_OFFSET, .hostname = "h" };
	struct mem m;

	mem_open(&m);
	o.f = m.f;
	out_status(&o, s);
	return mem_take(&m);
}

static char *render_profile(int json, const struct out_profile *p)
{
	struct out_ctx o = { .json = json, .boot_to_wall_ns = WALL_OFFSET, .hostname = "h" };
	struct mem m;

	mem_open(&m);
	o.f = m.f;
	out_profile(&o, p);
	return mem_take(&m);
}

/*
 * A strict JSON checker (RFC 8259), stricter still in strings: ebph's JSON
 * carries raw only well-formed UTF-8 (Unicode table 3-7) and no raw control
 * character (C0, DEL, C1, U+2028, U+2029). Returns the end of the value or NULL.
 */
static const char *j_value(const char *p, int depth);

static const char *j_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The end of one well-formed UTF-8 character that is not C1, U+2028 or
 * U+2029, or NULL. Ranges from the Unicode standard's table 3-7. */
static const char *j_utf8(const char *s)
{
	static const struct { unsigned char lo[4], hi[4]; int n; } forms[] = {
		{ { 0xc2, 0x80 }, { 0xdf, 0xbf }, 2 },
		{ { 0xe0, 0xa0, 0x80 }, { 0xe0, 0xbf, 0xbf }, 3 },
		{ { 0xe1, 0x80, 0x80 }, { 0xec, 0xbf, 0xbf }, 3 },
		{ { 0xed, 0x80, 0x80 }, { 0xed, 0x9f, 0xbf }, 3 },
		{ { 0xee, 0x80, 0x80 }, { 0xef, 0xbf, 0xbf }, 3 },
		{ { 0xf0, 0x90, 0x80, 0x80 }, { 0xf0, 0xbf, 0xbf, 0xbf }, 4 },
		{ { 0xf1, 0x80, 0x80, 0x80 }, { 0xf3, 0xbf, 0xbf, 0xbf }, 4 },
		{ { 0xf4, 0x80, 0x80, 0x80 }, { 0xf4, 0x8f, 0xbf, 0xbf }, 4 },
	};
	const unsigned char *u = (const unsigned char *)s;
	size_t f;
	int i;

	for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		for (i = 0; i < forms[f].n; i++)
			if (u[i] < forms[f].lo[i] || u[i] > forms[f].hi[i])
				break;
		if (i < forms[f].n)
			continue;
		if ((u[0] == 0xc2 && u[1] <= 0x9f) ||
		    (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9)))
			return NULL;
		return s + forms[f].n;
	}
	return NULL;
}

static const char *j_string(const char *p)
{
	int i;

	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = *p++;

		if (c == '"')
			return p;
		if (c < 0x20 || c == 0x7f)
			return NULL;
		if (c >= 0x80) {
			p = j_utf8(p - 1);
			if (!p)
				return NULL;
			continue;
		}
		if (c != '\\')
			continue;
		c = *p++;
		if (c == 'u') {
			for (i = 0; i < 4; i++, p++)
				if (!strchr("0123456789abcdefABCDEF", *p) || !*p)
					return NULL;
		} else if (!c || !strchr("\"\\/bfnrt", c)) {
			return NULL;
		}
	}
}

static const char *j_digits(const char *p)
{
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

static const char *j_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!(p = j_digits(p)))
		return NULL;
	if (*p == '.' && !(p = j_digits(p + 1)))
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(p = j_digits(p)))
			return NULL;
	}
	return p;
}

static const char *j_container(const char *p, int depth, char close, int object)
{
	p = j_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			if (!(p = j_string(j_ws(p))))
				return NULL;
			p = j_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if (!(p = j_value(p, depth + 1)))
			return NULL;
		p = j_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *j_value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = j_ws(p);
	switch (*p) {
	case '{':
		return j_container(p, depth, '}', 1);
	case '[':
		return j_container(p, depth, ']', 0);
	case '"':
		return j_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return j_number(p);
	}
}

/* Exit status of `jq ARGS` fed text on stdin, -1 without jq. */
static int jq_run(const char *args, const char *text)
{
	char cmd[512];
	FILE *p;
	int st;

	if (access(JQ, X_OK))
		return -1;
	snprintf(cmd, sizeof(cmd), JQ " %s >/dev/null 2>&1", args);
	p = popen(cmd, "w");
	ck_assert_ptr_nonnull(p);
	fputs(text, p);
	st = pclose(p);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* text is one JSON object on one line, "type" its first key, valid by both checkers. */
static void assert_json_line(const char *text)
{
	const char *end;
	size_t len = strlen(text);
	int jq;

	ck_assert_msg(!strncmp(text, "{\"type\":\"", 9), "not {\"type\":...: %s", text);
	ck_assert_msg(len >= 2 && text[len - 1] == '\n' && text[len - 2] == '}',
		      "not one object per line: %s", text);
	ck_assert_msg(strchr(text, '\n') == text + len - 1, "raw newline inside: %s", text);
	end = j_value(text, 0);
	ck_assert_msg(end && !strcmp(j_ws(end), ""), "invalid JSON: %s", text);
	jq = jq_run("-e 'type == \"object\" and (keys_unsorted[0] == \"type\")'", text);
	ck_assert_msg(jq == 0 || jq == -1, "jq rejects (%d): %s", jq, text);
}

/* The value jq decodes for a string key of a JSON line, or NULL without jq. */
static char *jq_string(const char *line, const char *key)
{
	char path[] = "/tmp/ebph-test-output-XXXXXX", cmd[512], *out = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f, *p;
	int fd;

	if (access(JQ, X_OK))
		return NULL;
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(line, f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), JQ " -j '.%s' %s", key, path);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = getdelim(&out, &cap, '\0', p);
	if (n < 0) {
		free(out);
		out = strdup("");
	}
	ck_assert_int_eq(pclose(p), 0);
	unlink(path);
	return out;
}

/* Checks the checker, so a broken one cannot pass everything. */
START_TEST(test_output_json_checker_self_test)
{
	static const char *const good[] = {
		"{\"type\":\"x\"}", "{\"a\":[1,-2.5,3e10,\"\\u00ff\",true,false,null],\"b\":{}}",
		"{\"a\":[]}", "{\"ts\":1700000000.001500}", "{\"a\":\"caf\xc3\xa9\"}",
		"{\"a\":\"\xf0\x9f\x90\xa7 \xe2\x82\xac\"}", "{\"a\":\"\\udcff\"}",
	};
	static const char *const bad[] = {
		"{\"a\":\"b\"\"c\"}", "{\"a\":[\"read\"\"write\"]}", "{\"a\":1,}", "{\"a\":01}",
		"{\"a\":\"\n\"}", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u00f\"}", "{\"a\":1.}",
		"{\"a\":\"\xff\"}", "{a:1}", "{\"a\":1", "[1,]", "{\"a\":tru}",
		"{\"a\":\"\xc3\"}", "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xb3\xbf\"}",
		"{\"a\":\"\xc2\x85\"}", "{\"a\":\"\xe2\x80\xa8\"}", "{\"a\":\"\x7f\"}",
		"{\"a\":\"\xf4\x90\x80\x80\"}",
	};
	const char *end;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		end = j_value(good[i], 0);
		ck_assert_msg(end && !*end, "rejected %s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		end = j_value(bad[i], 0);
		ck_assert_msg(!end || *j_ws(end), "accepted %s", bad[i]);
	}
	if (!access(JQ, X_OK)) {
		ck_assert_int_ne(jq_run("-e .", "{\"a\":[\"read\"\"write\"]}\n"), 0);
		ck_assert_int_eq(jq_run("-e .", "{\"a\":[\"read\",\"write\"]}\n"), 0);
		ck_assert_int_eq(jq_run("-e 'keys_unsorted[0] == \"type\"'", "{\"a\":1,\"type\":2}\n"),
				 1);
	}
}
END_TEST

START_TEST(test_output_user_dev)
{
	ck_assert_uint_eq(out_user_dev(254ULL << 20 | 0), 65024);	/* dm-0 */
	ck_assert_uint_eq(out_user_dev(8ULL << 20 | 1), 2049);		/* sda1 */
	ck_assert_uint_eq(out_user_dev(0ULL << 20 | 45), 45);		/* tmpfs 0:45 */
	ck_assert_uint_eq(out_user_dev(0ULL << 20 | 300), 1048620);	/* 0:300: minor > 255 */
	ck_assert_uint_eq(out_user_dev(259ULL << 20 | 3), 66307);	/* nvme 259:3 */
	ck_assert_uint_eq(out_user_dev(4095ULL << 20 | 0xfffff), 0xffffffffULL);
	ck_assert_uint_eq(out_user_dev(0), 0);
}
END_TEST

START_TEST(test_output_state_and_reason_names)
{
	static const char *const reasons[] = {
		"stable", "normal_wait_elapsed", "new_behaviour", "anomaly_limit", "tolerize_limit",
		"normalize", "sensitize", "tolerize", "delete",
	};
	unsigned int i;

	ck_assert_str_eq(out_state_name(EBPH_TRAINING), "training");
	ck_assert_str_eq(out_state_name(EBPH_FROZEN), "frozen");
	ck_assert_str_eq(out_state_name(EBPH_NORMAL), "normal");
	ck_assert_str_eq(out_state_name(3), "unknown");
	ck_assert_str_eq(out_state_name(0xffffffff), "unknown");
	ck_assert_uint_eq(sizeof(reasons) / sizeof(reasons[0]), EBPH_R_COUNT);
	for (i = 0; i < EBPH_R_COUNT; i++)
		ck_assert_str_eq(out_reason_name(i), reasons[i]);
	ck_assert_str_eq(out_reason_name(EBPH_R_COUNT), "unknown");
	ck_assert_str_eq(out_reason_name(0xffffffff), "unknown");
}
END_TEST

START_TEST(test_output_json_str_escapes)
{
	JSON_STR_EQ("", 16, "\"\"");
	JSON_STR_EQ("bash", 16, "\"bash\"");
	JSON_STR_EQ(" ~az09/.-_", 64, "\" ~az09/.-_\"");
	JSON_STR_EQ("a\"b", 16, "\"a\\\"b\"");
	JSON_STR_EQ("a\\b", 16, "\"a\\\\b\"");
	JSON_STR_EQ("\\\"", 16, "\"\\\\\\\"\"");
	JSON_STR_EQ("a\nb", 16, "\"a\\u000ab\"");
	JSON_STR_EQ("\t", 16, "\"\\u0009\"");
	JSON_STR_EQ("/", 16, "\"/\"");
}
END_TEST

START_TEST(test_output_json_str_control_and_high_bytes)
{
	/* C0, DEL, C1, line separators: \uXXXX */
	JSON_STR_EQ("\x01", 16, "\"\\u0001\"");
	JSON_STR_EQ("\x1f", 16, "\"\\u001f\"");
	JSON_STR_EQ("\r", 16, "\"\\u000d\"");
	JSON_STR_EQ("\x1b[31m", 16, "\"\\u001b[31m\"");
	JSON_STR_EQ("\x7f", 16, "\"\\u007f\"");
	JSON_STR_EQ("a\xc2\x85z", 16, "\"a\\u0085z\"");		/* NEL */
	JSON_STR_EQ("\xc2\x9b" "2J", 16, "\"\\u009b2J\"");	/* CSI */
	JSON_STR_EQ("\xc2\xa0", 16, "\"\xc2\xa0\"");		/* NBSP: printable */
	JSON_STR_EQ("a\xe2\x80\xa8z\xe2\x80\xa9", 16, "\"a\\u2028z\\u2029\"");
	JSON_STR_EQ("\xe2\x80\xae" "abc", 16, "\"\\u202eabc\"");	/* RLO */
	/* valid UTF-8 passes through */
	JSON_STR_EQ("caf\xc3\xa9", 16, "\"caf\xc3\xa9\"");
	JSON_STR_EQ("\xe2\x82\xac\xf0\x9f\x90\xa7", 16, "\"\xe2\x82\xac\xf0\x9f\x90\xa7\"");
	JSON_STR_EQ("\xef\xbf\xbd", 16, "\"\xef\xbf\xbd\"");	/* U+FFFD itself */
	JSON_STR_EQ("\xf4\x8f\xbf\xbf", 16, "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */
	/* invalid UTF-8: each byte as \udcXX */
	JSON_STR_EQ("\x80", 16, "\"\\udc80\"");
	JSON_STR_EQ("\xff", 16, "\"\\udcff\"");
	JSON_STR_EQ("caf\xe9", 16, "\"caf\\udce9\"");		/* Latin-1 */
	JSON_STR_EQ("\xc3", 16, "\"\\udcc3\"");			/* cut sequence */
	JSON_STR_EQ("\xc3(", 16, "\"\\udcc3(\"");
	JSON_STR_EQ("\xc0\xaf", 16, "\"\\udcc0\\udcaf\"");	/* overlong '/' */
	JSON_STR_EQ("\xe0\x80\xaf", 16, "\"\\udce0\\udc80\\udcaf\"");
	JSON_STR_EQ("\xf0\x80\x80\xaf", 16, "\"\\udcf0\\udc80\\udc80\\udcaf\"");
	JSON_STR_EQ("\xed\xa0\x80", 16, "\"\\udced\\udca0\\udc80\"");	/* U+D800 */
	JSON_STR_EQ("\xed\xb3\xbf", 16, "\"\\udced\\udcb3\\udcbf\"");	/* U+DCFF */
	JSON_STR_EQ("\xf4\x90\x80\x80", 16, "\"\\udcf4\\udc90\\udc80\\udc80\"");
	JSON_STR_EQ("\xf8\x88\x80\x80\x80", 16,
		    "\"\\udcf8\\udc88\\udc80\\udc80\\udc80\"");
	/* a sequence cut by max is invalid where it is cut */
	JSON_STR_EQ("ab\xc3\xa9", 3, "\"ab\\udcc3\"");
}
END_TEST

/* The JSON rule is lossless: decoding \udcXX to byte XX (Python's
 * surrogateescape) gives back every input byte. */
START_TEST(test_output_json_str_lossless)
{
	static const char *const in[] = {
		"caf\xc3\xa9", "\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "a\nb\x1b[0m\x7f",
		"\xc2\x85\xe2\x80\xa8", "\\udcff", "\"\\", "\xf0\x9f\x90", "\xe2\x80\xae",
	};
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		char *j = json_str(in[i], 64), *d = json_unescape(j);

		ck_assert_msg(!strcmp(d, in[i]), "%s does not decode back", j);
		free(j);
		free(d);
	}
}
END_TEST

START_TEST(test_output_json_str_nul_and_max)
{
	static const char with_nul[] = "ab\0cd";

	JSON_STR_EQ(with_nul, sizeof(with_nul), "\"ab\"");
	JSON_STR_EQ("abcdef", 3, "\"abc\"");
	JSON_STR_EQ("abcdef", 6, "\"abcdef\"");
	JSON_STR_EQ("abcdef", 0, "\"\"");
	/* max counts input bytes, not output characters. */
	JSON_STR_EQ("\"\"\"", 2, "\"\\\"\\\"\"");
	JSON_STR_EQ("\x01\x02\x03", 1, "\"\\u0001\"");
}
END_TEST

START_TEST(test_output_text_str)
{
	static const char with_nul[] = "\0x";

	TEXT_STR_EQ("", 16, "-");
	TEXT_STR_EQ(with_nul, sizeof(with_nul), "-");
	TEXT_STR_EQ("bash", 16, "bash");
	TEXT_STR_EQ("-", 16, "-");
	TEXT_STR_EQ("a\"b\\c", 16, "a\"b\\\\c");
	TEXT_STR_EQ("a\nb\tc\x01\xff", 16, "a\\x0ab\\x09c\\x01\\xff");
	TEXT_STR_EQ("\x1b[2J\x1b]0;t\x07", 16, "\\x1b[2J\\x1b]0;t\\x07");
	TEXT_STR_EQ("\r\x7f", 16, "\\x0d\\x7f");
	TEXT_STR_EQ("caf\xc3\xa9", 16, "caf\xc3\xa9");		/* é stays é */
	TEXT_STR_EQ("\xe2\x82\xac", 16, "\xe2\x82\xac");
	TEXT_STR_EQ("\xc2\x9b" "2J", 16, "\\xc2\\x9b2J");		/* C1 CSI */
	TEXT_STR_EQ("a\xe2\x80\xa8", 16, "a\\xe2\\x80\\xa8");	/* U+2028 */
	TEXT_STR_EQ("\xe2\x80\xae" "ab", 16, "\\xe2\\x80\\xaeab");	/* RLO */
	TEXT_STR_EQ("\xc0\xaf", 16, "\\xc0\\xaf");			/* overlong */
	TEXT_STR_EQ("\xed\xa0\x80", 16, "\\xed\\xa0\\x80");	/* surrogate */
	TEXT_STR_EQ("caf\xe9", 16, "caf\\xe9");
	TEXT_STR_EQ("abcdef", 4, "abcd");
	TEXT_STR_EQ("abc", 0, "-");
}
END_TEST

/* out_warn: one stderr line, the untrusted part escaped (issue 10.5). */
START_TEST(test_output_warn_escapes)
{
	char path[] = "/tmp/ebph-test-warn-XXXXXX", buf[256];
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, 2), 2);
	out_warn("ebph: cannot load the profile of %s: %s", "/tmp/x\nebph: forged\x1b[2J",
		 "no room");
	out_warn("ebph: %u profiles, caf\xc3\xa9 %s", 3U, "\xff\\");
	ck_assert_int_eq(dup2(saved, 2), 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	ck_assert_str_eq(buf, "ebph: cannot load the profile of /tmp/x\\x0aebph: forged\\x1b[2J: "
			 "no room\nebph: 3 profiles, caf\xc3\xa9 \\xff\\\\\n");
}
END_TEST

/* No output of the text rule holds a byte a terminal acts on. */
START_TEST(test_output_text_str_all_bytes_safe)
{
	unsigned char in[4];
	unsigned int a, b;
	char *r;
	size_t i;

	for (a = 1; a < 256; a++) {
		for (b = 1; b < 256; b += 7) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			in[2] = 0x80;
			in[3] = 0;
			r = text_str((const char *)in, sizeof(in));
			for (i = 0; r[i]; i++) {
				unsigned char c = (unsigned char)r[i];

				ck_assert_msg(c >= 0x20 && c != 0x7f, "%02x %02x: byte %02x", a, b, c);
				ck_assert_msg(!(c == 0xc2 && (unsigned char)r[i + 1] >= 0x80 &&
						(unsigned char)r[i + 1] <= 0x9f), "%02x %02x: C1", a, b);
			}
			free(r);
		}
	}
}
END_TEST

START_TEST(test_output_header)
{
	char *h;

	h = render_header(0, 0);
	ck_assert_str_eq(h, "EVENT              PID COMM             DETAILS\n");
	free(h);
	h = render_header(0, 1);
	ck_assert_str_eq(h, "TIME     EVENT              PID COMM             DETAILS\n");
	free(h);
	/* JSON has no header. */
	h = render_header(1, 0);
	ck_assert_str_eq(h, "");
	free(h);
	h = render_header(1, 1);
	ck_assert_str_eq(h, "");
	free(h);
}
END_TEST

START_TEST(test_output_json_new_profile)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_NEW_PROFILE);
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "{\"type\":\"new_profile\"," TS_JSON ",\"pid\":1234,\"tid\":1235,\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,"
			 "\"comm\":\"bash\",\"profile\":\"2049:131\",\"path\":\"/bin/bash\","
			 "\"dev\":2049,\"ino\":131,\"scope\":null}\n");
	assert_json_line(l);
	free(l);
	/* Device mapper root: kernel 254<<20 is 254:0, st_dev 65024. */
	e.dev = 254ULL << 20;
	e.ino = 18446744073709551615ULL;
	l = render_event(1, 0, &e, NULL);
	ck_assert_str_eq(l, "{\"type\":\"new_profile\"," TS_JSON ",\"pid\":1234,\"tid\":1235,\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,"
			 "\"comm\":\"bash\",\"profile\":\"65024:18446744073709551615\","
			 "\"path\":\"\",\"dev\":65024,\"ino\":18446744073709551615,\"scope\":null}\n");
	assert_json_line(l);
	free(l);
	/* a scoped profile (profile_scope: cgroup): the key and the scope say it */
	e.scope = 0xf67e1a7027032790ULL;
	l = render_event(1, 0, &e, NULL);
	ck_assert_msg(strstr(l, ",\"profile\":\"65024:18446744073709551615~cf67e1a7027032790\",") &&
		      strstr(l, ",\"scope\":\"f67e1a7027032790\"}"), "%s", l);
	assert_json_line(l);
	free(l);
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_msg(strstr(l, "(65024:18446744073709551615~cf67e1a7027032790)"), "%s", l);
	free(l);
}
END_TEST

/* Levels from the LFC, and what --alerts prints. */
START_TEST(test_output_levels_and_alerts)
{
	struct out_ctx o = { .alert_lfc = 5 };
	struct ebph_event e;

	anomaly_event(&e);
	e.lfc = 4;
	ck_assert_str_eq(out_event_level(&o, &e), "notice");
	ck_assert_int_eq(out_event_alert(&o, &e), 0);
	e.lfc = 5;
	ck_assert_str_eq(out_event_level(&o, &e), "alert");
	ck_assert_int_eq(out_event_alert(&o, &e), 1);
	base_event(&e, EBPH_EV_ANOMALY_SUMMARY);
	e.lfc = 1;	/* a summary's lfc_max */
	ck_assert_str_eq(out_event_level(&o, &e), "notice");
	e.lfc = 40;
	ck_assert_int_eq(out_event_alert(&o, &e), 1);
	base_event(&e, EBPH_EV_EXEC_ANOMALY);
	e.lfc = 1;
	ck_assert_str_eq(out_event_level(&o, &e), "alert");
	ck_assert_int_eq(out_event_alert(&o, &e), 1);
	base_event(&e, EBPH_EV_PROFILE_STATE);
	ck_assert_ptr_null(out_event_level(&o, &e));
	e.reason = EBPH_R_NORMAL_WAIT;
	ck_assert_int_eq(out_event_alert(&o, &e), 0);
	e.reason = EBPH_R_ANOMALY_LIMIT;
	ck_assert_int_eq(out_event_alert(&o, &e), 1);
	base_event(&e, EBPH_EV_EDGES_FULL);
	ck_assert_int_eq(out_event_alert(&o, &e), 1);
	base_event(&e, EBPH_EV_NEW_PROFILE);
	ck_assert_int_eq(out_event_alert(&o, &e), 0);
}
END_TEST

/* An exec anomaly names parent and child and explains (known). */
START_TEST(test_output_exec_anomaly)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_EXEC_ANOMALY);
	e.child.dev = (8ULL << 20) | 1;
	e.child.ino = 77;
	e.child.script = 0xab;
	e.edges = 2;
	e.lfc = 1;
	e.count = 3;
	strcpy(e.path, "/bin/sh");
	l = render_event(1, 0, &e, "/usr/bin/env");
	ck_assert_ptr_nonnull(strstr(l, "\"type\":\"exec_anomaly\""));
	ck_assert_ptr_nonnull(strstr(l, "\"path\":\"/usr/bin/env\",\"level\":\"alert\","
				    "\"child\":\"/bin/sh\",\"child_profile\":\"2049:77~sab\","
				    "\"edges\":2,\"lfc\":1,\"anomalies\":3,\"known\":\"\"}"));
	free(l);
	l = render_event(0, 0, &e, "/usr/bin/env");
	ck_assert_ptr_nonnull(strstr(l, "/usr/bin/env level=alert started a program it never "
				    "started: child=/bin/sh (2049:77~sab) edges=2 known=-\n"));
	free(l);
}
END_TEST

START_TEST(test_output_json_anomaly)
{
	struct ebph_event e;
	char *l;

	anomaly_event(&e);
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "{\"type\":\"anomaly\"," TS_JSON ",\"pid\":1234,\"tid\":1235,\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,"
			 "\"comm\":\"bash\",\"profile\":\"2049:131\",\"path\":\"/bin/bash\","
			 "\"level\":\"alert\","
			 "\"syscall\":\"write\",\"misses\":3,\"lfc\":5,\"anomalies\":7,"
			 "\"sequence\":[\"read\",\"close\",\"syscall_65534\",\"mmap\",\"write\"],"
			 "\"new_call\":false,\"missing\":[{\"prev\":\"mmap\",\"distance\":1},"
			 "{\"prev\":\"close\",\"distance\":3}]}\n");
	assert_json_line(l);
	free(l);
}
END_TEST

/* Unknown numbers are named syscall_N: past the table and in a gap of it. */
START_TEST(test_output_json_anomaly_unknown_syscall)
{
	struct ebph_event e;
	char *l, want[512], name[32];
	unsigned int gap;

	anomaly_event(&e);
	e.syscall = 600;
	e.seq_len = 2;
	e.seq[0] = EBPH_CALL_INVALID;
	e.seq[1] = 600;
	l = render_event(1, 0, &e, "/bin/bash");
	snprintf(want, sizeof(want), "\"syscall\":\"syscall_600\",\"misses\":3,\"lfc\":5,"
		 "\"anomalies\":7,\"sequence\":[\"syscall:invalid\",\"syscall_600\"],");
	ck_assert_uint_ge(600, EBPH_NR_CALLS);
	ck_assert_msg(strstr(l, want) != NULL, "%s", l);
	assert_json_line(l);
	free(l);

	for (gap = 0; gap < EBPH_NR_SYSCALLS && ebph_syscall_names[gap]; gap++)
		;
	if (gap < EBPH_NR_SYSCALLS) {
		e.syscall = gap;
		l = render_event(1, 0, &e, "/bin/bash");
		snprintf(name, sizeof(name), "\"syscall\":\"syscall_%u\"", gap);
		ck_assert_msg(strstr(l, name) != NULL, "%s", l);
		free(l);
	}
}
END_TEST

/* Empty slots are skipped wherever they are, and the list stays valid JSON. */
START_TEST(test_output_json_anomaly_empty_slots_anywhere)
{
	struct ebph_event e;
	char *l;

	anomaly_event(&e);
	e.seq_len = 4;
	e.seq[0] = nr("read");
	e.seq[1] = EBPH_EMPTY;
	e.seq[2] = EBPH_EMPTY;
	e.seq[3] = nr("write");
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_msg(strstr(l, ",\"sequence\":[\"read\",\"write\"],") != NULL, "%s", l);
	assert_json_line(l);
	free(l);

	e.seq_len = 3;
	e.seq[0] = nr("read");
	e.seq[1] = nr("write");
	e.seq[2] = EBPH_EMPTY;
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_msg(strstr(l, ",\"sequence\":[\"read\",\"write\"],") != NULL, "%s", l);
	free(l);
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_msg(strstr(l, " seq=read,write\n") != NULL, "%s", l);
	free(l);

	e.seq_len = 4;
	e.seq[0] = nr("read");
	e.seq[1] = EBPH_EMPTY;
	e.seq[2] = EBPH_EMPTY;
	e.seq[3] = nr("write");
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_msg(strstr(l, " seq=read,write\n") != NULL, "%s", l);
	free(l);
}
END_TEST

START_TEST(test_output_json_anomaly_sequence_bounds)
{
	struct ebph_event e;
	char *l;
	int i;

	anomaly_event(&e);
	e.seq_len = 0;
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_msg(strstr(l, ",\"sequence\":[],") != NULL, "%s", l);
	assert_json_line(l);
	free(l);

	for (i = 0; i < EBPH_WINDOW_MAX + 1; i++)
		e.seq[i] = EBPH_EMPTY;
	e.seq_len = EBPH_WINDOW_MAX;
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_msg(strstr(l, ",\"sequence\":[],") != NULL, "%s", l);
	assert_json_line(l);
	free(l);

	/* seq_len beyond the window: at most EBPH_WINDOW_MAX entries, seq[9] never read. */
	e.syscall = nr("read");
	for (i = 0; i < EBPH_WINDOW_MAX; i++)
		e.seq[i] = nr("close");
	e.seq[EBPH_WINDOW_MAX] = nr("write");
	e.seq_len = 1000;
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_msg(strstr(l, ",\"sequence\":[\"close\",\"close\",\"close\",\"close\",\"close\","
			      "\"close\",\"close\",\"close\",\"close\"],") != NULL, "%s", l);
	ck_assert_ptr_null(strstr(l, "write"));
	assert_json_line(l);
	free(l);
}
END_TEST

START_TEST(test_output_json_profile_state_each_reason)
{
	static const char *const reasons[] = {
		"stable", "normal_wait_elapsed", "new_behaviour", "anomaly_limit", "tolerize_limit",
		"normalize", "sensitize", "tolerize", "delete",
	};
	static const char *const states[] = { "training", "frozen", "normal", "unknown" };
	struct ebph_event e;
	char *l, want[512];
	unsigned int r;

	for (r = 0; r <= EBPH_R_COUNT; r++) {
		base_event(&e, EBPH_EV_PROFILE_STATE);
		e.state = r % 4;
		e.reason = r;
		e.count = 100000 + r;
		l = render_event(1, 0, &e, "/usr/sbin/sshd");
		snprintf(want, sizeof(want), "{\"type\":\"profile_state\"," TS_JSON ",\"pid\":1234,"
			 "\"tid\":1235,\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,\"comm\":\"bash\",\"profile\":\"2049:131\","
			 "\"path\":\"/usr/sbin/sshd\",\"state\":\"%s\",\"reason\":\"%s\","
			 "\"train_count\":%u}\n", states[r % 4],
			 r < EBPH_R_COUNT ? reasons[r] : "unknown", 100000 + r);
		ck_assert_str_eq(l, want);
		assert_json_line(l);
		free(l);
	}
}
END_TEST

START_TEST(test_output_json_tolerize_limit)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_TOLERIZE_LIMIT);
	e.lfc = 13;
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "{\"type\":\"tolerize_limit\"," TS_JSON ",\"pid\":1234,\"tid\":1235,\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,"
			 "\"comm\":\"bash\",\"profile\":\"2049:131\",\"path\":\"/bin/bash\","
			 "\"lfc\":13}\n");
	assert_json_line(l);
	free(l);
}
END_TEST

#define TL_HEAD(ts, time) "{\"type\":\"tolerize_limit\"," HEAD_JSON(ts, time)
#define TL_TAIL ",\"pid\":1234,\"tid\":1235,\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,\"comm\":\"bash\",\"profile\":\"2049:131\"," \
	"\"path\":\"\",\"lfc\":0}\n"

START_TEST(test_output_json_ts)
{
	struct ebph_event e;
	struct out_ctx o = { .json = 1, .hostname = "h" };
	struct mem m;
	char *l;

	base_event(&e, EBPH_EV_TOLERIZE_LIMIT);
	mem_open(&m);
	o.f = m.f;
	e.ts = 0;
	out_event(&o, &e, NULL);
	e.ts = 999999999;
	out_event(&o, &e, NULL);
	e.ts = 3000000000ULL;
	out_event(&o, &e, NULL);
	e.ts = 1999;	/* below a microsecond: truncated */
	o.boot_to_wall_ns = WALL_OFFSET;
	out_event(&o, &e, NULL);
	e.ts = 123456789012345ULL;	/* 1.4 days of uptime */
	o.boot_to_wall_ns = 1700000000000000000LL - 123456789012345LL;
	out_event(&o, &e, NULL);
	l = mem_take(&m);
	ck_assert_str_eq(l,
			 TL_HEAD("0.000000", "1970-01-01T00:00:00.000000") TL_TAIL
			 TL_HEAD("0.999999", "1970-01-01T00:00:00.999999") TL_TAIL
			 TL_HEAD("3.000000", "1970-01-01T00:00:03.000000") TL_TAIL
			 TL_HEAD("1700000000.000001", "2023-11-14T22:13:20.000001") TL_TAIL
			 TL_HEAD("1700000000.000000", "2023-11-14T22:13:20.000000") TL_TAIL);
	free(l);
}
END_TEST

/* exec events: the command line (NUL-separated arguments, joined by
 * spaces, escaped, cut marked); every event's attribution (login uid,
 * cgroup, and what the monitor knows: the cgroup's path, the command line). */
START_TEST(test_output_exec_and_attribution)
{
	static const char args[] = "sh\0-c\0echo \"hi\"\nthere\0";
	struct out_ctx o = { .json = 1, .boot_to_wall_ns = WALL_OFFSET, .hostname = "web-1" };
	struct out_attr a = { .cmdline = args, .cmdline_len = sizeof(args) - 1,
			      .cgroup = "/system.slice/x\x1b.service" };
	struct ebph_event e;
	struct mem m;
	char *l;

	base_event(&e, EBPH_EV_EXEC);
	memcpy(e.path, args, sizeof(args) - 1);
	e.seq_len = sizeof(args) - 1;
	e.login_uid = 1001;
	e.cgroup = 4242;
	l = render_event(1, 0, &e, "/bin/sh");
	ck_assert_msg(strstr(l, ",\"uid\":1000,\"login_uid\":1001,\"cgroup_id\":4242,\"comm\":") &&
		      strstr(l, ",\"path\":\"/bin/sh\",\"cmdline\":\"sh -c echo \\\"hi\\\"\\u000athere\","
			     "\"cmdline_cut\":false}\n"), "%s", l);
	assert_json_line(l);
	free(l);
	e.flags = EBPH_F_CMDLINE_CUT;
	l = render_event(0, 0, &e, "/bin/sh");
	ck_assert_str_eq(l, "exec              1234 bash             /bin/sh ppid=1200 uid=1000: "
			 "sh -c echo \"hi\"\\x0athere...\n");
	free(l);

	/* with what the monitor knows: hostname, cgroup path, command line */
	anomaly_event(&e);
	e.cgroup = 4242;
	mem_open(&m);
	o.f = m.f;
	o.attr = &a;
	a.cmdline_cut = 1;
	out_event(&o, &e, "/bin/sh");
	l = mem_take(&m);
	ck_assert_msg(!strncmp(l, "{\"type\":\"anomaly\",\"schema\":1,\"ts\":1700000000.001500,"
			       "\"time\":\"2023-11-14T22:13:20.001500Z\",\"hostname\":\"web-1\",\"pid\":1234,", 60) &&
		      strstr(l, ",\"cgroup_id\":4242,\"cgroup\":\"/system.slice/x\\u001b.service\","
			     "\"cmdline\":\"sh -c echo \\\"hi\\\"\\u000athere\",\"cmdline_cut\":true,"), "%s", l);
	assert_json_line(l);
	free(l);
}
END_TEST

/* An executable refused a profile slot: its key and path, no slot. */
START_TEST(test_output_profile_refused)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_PROFILE_REFUSED);
	e.profile = EBPH_NO_PROFILE;
	l = render_event(1, 0, &e, "/tmp/x/a-1");
	ck_assert_str_eq(l, "{\"type\":\"profile_refused\"," TS_JSON ",\"pid\":1234,"
			 "\"tid\":1235,\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,"
			 "\"comm\":\"bash\",\"profile\":\"2049:131\","
			 "\"path\":\"/tmp/x/a-1\"}\n");
	assert_json_line(l);
	free(l);
	l = render_event(0, 0, &e, "/tmp/x/a-1");
	ck_assert_str_eq(l, "profile_refused    1234 bash             /tmp/x/a-1 (2049:131): no "
			 "profile slot free or reclaimable: not monitored\n");
	free(l);
}
END_TEST

/* A profile refused a row: the call, its rows and which limit, by name. */
START_TEST(test_output_rows_full)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_ROWS_FULL);
	e.syscall = nr("write");
	e.count = 256;
	e.reason = EBPH_FULL_CAP;
	l = render_event(1, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "{\"type\":\"rows_full\"," TS_JSON ",\"pid\":1234,\"tid\":1235,"
			 "\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,"
			 "\"comm\":\"bash\",\"profile\":\"2049:131\",\"path\":\"/bin/bash\","
			 "\"syscall\":\"write\",\"limit\":\"max_rows_per_profile\",\"rows\":256}\n");
	assert_json_line(l);
	free(l);
	e.reason = EBPH_FULL_POOL;
	e.count = 3;
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "rows_full         1234 bash             /bin/bash write rows=3: "
			 "max_rows reached, new pairs not learned\n");
	free(l);
}
END_TEST

/* Types outside the enum print nothing in either mode. */
START_TEST(test_output_unknown_event_type_ignored)
{
	static const __u32 types[] = { 0, 13, 22, 99, 0xffffffff };
	struct ebph_event e;
	size_t i;
	char *l;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		base_event(&e, types[i]);
		l = render_event(1, 0, &e, "/bin/bash");
		ck_assert_str_eq(l, "");
		free(l);
		l = render_event(0, 1, &e, "/bin/bash");
		ck_assert_str_eq(l, "");
		free(l);
	}
}
END_TEST

/* Every kind of JSON line, fed hostile strings, is one valid object per line. */
START_TEST(test_output_json_lines_valid)
{
	static const char *const names[] = {
		"bash", "", "a\"b\nc", "\\", "\x01\x1f\x7f\x80\xff", "tab\there", "{\"type\":1}",
		"\xe2\x80\xae" "evil",
	};
	struct out_ctx o = { .json = 1, .boot_to_wall_ns = WALL_OFFSET, .hostname = "h" };
	struct out_status st;
	struct out_profile pr;
	struct ebph_event e;
	struct mem m;
	char *all, *line, *nl;
	size_t i;
	__u32 t;
	int lines = 0;

	mem_open(&m);
	o.f = m.f;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (t = EBPH_EV_NEW_PROFILE; t <= EBPH_EV_ANON_EXEC; t++) {
			if (t == EBPH_EV_ANOMALY)
				anomaly_event(&e);
			else
				base_event(&e, t);
			memset(e.comm, 0, sizeof(e.comm));
			memcpy(e.comm, names[i], strlen(names[i]));
			out_event(&o, &e, names[i]);
			out_event(&o, &e, NULL);
		}
		sample_profile(&pr);
		pr.path = names[i];
		out_profile(&o, &pr);
	}
	sample_status(&st);
	out_status(&o, &st);
	st.final = 0;
	out_status(&o, &st);
	pr.path = NULL;
	out_profile(&o, &pr);
	all = mem_take(&m);
	for (line = all; *line; line = nl + 1) {
		char save;

		nl = strchr(line, '\n');
		ck_assert_ptr_nonnull(nl);
		save = nl[1];
		nl[1] = 0;
		assert_json_line(line);
		nl[1] = save;
		lines++;
	}
	ck_assert_int_eq(lines, (int)(sizeof(names) / sizeof(names[0])) * 15 + 3);
	/* All at once too: jq reads the whole stream as that many objects. */
	if (!access(JQ, X_OK)) {
		char args[128];

		snprintf(args, sizeof(args), "-e -s 'length == %d and all(.[]; .type != null)'",
			 lines);
		ck_assert_int_eq(jq_run(args, all), 0);
	}
	free(all);
}
END_TEST

/* What jq decodes is what the kernel gave (for bytes below 0x80). */
START_TEST(test_output_json_escapes_round_trip)
{
	static const char *const names[] = { "a\"b\nc", "\\x\\", "t\tu", "\x01\x02\x1f", "~ /" };
	struct ebph_event e;
	size_t i;
	char *l, *v;

	if (access(JQ, X_OK))
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		base_event(&e, EBPH_EV_NEW_PROFILE);
		strcpy(e.comm, names[i]);
		l = render_event(1, 0, &e, names[i]);
		v = jq_string(l, "comm");
		ck_assert_str_eq(v, names[i]);
		free(v);
		v = jq_string(l, "path");
		ck_assert_str_eq(v, names[i]);
		free(v);
		free(l);
	}
}
END_TEST

START_TEST(test_output_json_comm_full_length)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_TOLERIZE_LIMIT);
	memcpy(e.comm, "abcdefghijklmnop", 16);	/* no NUL */
	l = render_event(1, 0, &e, "/x");
	ck_assert_msg(strstr(l, ",\"comm\":\"abcdefghijklmnop\",\"profile\"") != NULL, "%s", l);
	free(l);
	l = render_event(0, 0, &e, "/x");
	ck_assert_str_eq(l, "tolerize_limit    1234 abcdefghijklmnop /x lfc=0: training data reset\n");
	free(l);
}
END_TEST

START_TEST(test_output_text_each_event)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_NEW_PROFILE);
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "new_profile       1234 bash             /bin/bash (2049:131)\n");
	free(l);

	anomaly_event(&e);
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "anomaly           1234 bash             /bin/bash level=alert write misses=3 lfc=5 "
			 "missing=mmap@1,close@3 seq=read,close,syscall_65534,mmap,write\n");
	free(l);

	base_event(&e, EBPH_EV_PROFILE_STATE);
	e.state = EBPH_FROZEN;
	e.reason = EBPH_R_STABLE;
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "profile_state     1234 bash             /bin/bash -> frozen (stable)\n");
	free(l);
	e.state = EBPH_NORMAL;
	e.reason = EBPH_R_NORMAL_WAIT;
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "profile_state     1234 bash             /bin/bash -> normal "
			 "(normal_wait_elapsed)\n");
	free(l);
	e.state = 9;
	e.reason = 99;
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "profile_state     1234 bash             /bin/bash -> unknown (unknown)\n");
	free(l);

	base_event(&e, EBPH_EV_TOLERIZE_LIMIT);
	e.lfc = 13;
	e.pid = 4194304;
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "tolerize_limit 4194304 bash             /bin/bash lfc=13: training "
			 "data reset\n");
	free(l);
}
END_TEST

START_TEST(test_output_text_empty_is_dash)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_NEW_PROFILE);
	e.comm[0] = 0;
	l = render_event(0, 0, &e, NULL);
	ck_assert_str_eq(l, "new_profile       1234 -                - (2049:131)\n");
	free(l);
	l = render_event(0, 0, &e, "");
	ck_assert_str_eq(l, "new_profile       1234 -                - (2049:131)\n");
	free(l);
}
END_TEST

START_TEST(test_output_text_timestamps)
{
	struct ebph_event e;
	char *l;

	setenv("TZ", "UTC", 1);
	tzset();
	base_event(&e, EBPH_EV_NEW_PROFILE);
	l = render_event(0, 1, &e, "/bin/bash");
	ck_assert_str_eq(l, "22:13:20 new_profile       1234 bash             /bin/bash (2049:131)\n");
	free(l);
	e.ts = 3601ULL * 1000000000ULL;
	l = render_event(0, 1, &e, "/bin/bash");
	ck_assert_str_eq(l, "23:13:21 new_profile       1234 bash             /bin/bash (2049:131)\n");
	free(l);
	/* The wall-clock offset is used, not the boot time. */
	e.ts = 0;
	l = render_event(0, 0, &e, "/bin/bash");
	ck_assert_str_eq(l, "new_profile       1234 bash             /bin/bash (2049:131)\n");
	free(l);
}
END_TEST

/* Columns of a text line: EVENT at 0, PID right-aligned ending at 21, COMM at 23, DETAILS at 40. */
static void assert_columns(const char *line, int off, const char *event, const char *comm)
{
	ck_assert_msg(!strncmp(line + off, event, strlen(event)), "EVENT: %s", line);
	ck_assert_msg(line[off + 14] == ' ' && line[off + 22] == ' ' && line[off + 39] == ' ',
		      "column separators: %s", line);
	ck_assert_msg(line[off + 21] != ' ', "PID not right-aligned: %s", line);
	ck_assert_msg(!strncmp(line + off + 23, comm, strlen(comm)), "COMM: %s", line);
	ck_assert_msg(line[off + 40] != ' ' && line[off + 40] != '\n', "DETAILS: %s", line);
}

START_TEST(test_output_text_columns_aligned)
{
	struct out_status st;
	struct out_profile pr;
	struct ebph_event e;
	char *l;
	__u32 t;
	int ts;

	setenv("TZ", "UTC", 1);
	tzset();
	for (ts = 0; ts <= 1; ts++) {
		l = render_header(0, ts);
		assert_columns(l, ts * 9, "EVENT", "COMM");
		ck_assert(!strncmp(l + ts * 9 + 19, "PID", 3));
		ck_assert(!strncmp(l + ts * 9 + 40, "DETAILS", 7));
		free(l);
		for (t = EBPH_EV_NEW_PROFILE; t <= EBPH_EV_ANON_EXEC; t++) {
			if (t == EBPH_EV_ANOMALY)
				anomaly_event(&e);
			else
				base_event(&e, t);
			e.pid = 1;
			l = render_event(0, ts, &e, "/bin/sh");
			assert_columns(l, ts * 9, t == EBPH_EV_ANOMALY ? "anomaly" :
				       t == EBPH_EV_NEW_PROFILE ? "new_profile" :
				       t == EBPH_EV_PROFILE_STATE ? "profile_state" :
				       t == EBPH_EV_ANOMALY_SUMMARY ? "summary" :
				       t == EBPH_EV_LOADER_EXEC ? "loader_exec" :
				       t == EBPH_EV_ANON_EXEC ? "anon_exec" : "tolerize_limit",
				       "bash ");
			ck_assert(!strncmp(l + ts * 9 + 40, "/bin/sh ", 8));
			free(l);
		}
	}
	sample_status(&st);
	l = render_status(0, &st);
	assert_columns(l, 0, "status", "- ");
	free(l);
	sample_profile(&pr);
	l = render_profile(0, &pr);
	assert_columns(l, 0, "profile", "- ");
	free(l);
}
END_TEST

/* Header and events of a short path fit 80 columns (without TIME). */
START_TEST(test_output_text_under_80_columns)
{
	/* The state each reason leads to (normal_wait_elapsed: the longest name). */
	static const __u32 reason_state[EBPH_R_COUNT] = {
		[EBPH_R_STABLE] = EBPH_FROZEN, [EBPH_R_NORMAL_WAIT] = EBPH_NORMAL,
		[EBPH_R_NEW_BEHAVIOUR] = EBPH_TRAINING, [EBPH_R_ANOMALY_LIMIT] = EBPH_TRAINING,
		[EBPH_R_TOLERIZE_LIMIT] = EBPH_TRAINING, [EBPH_R_NORMALIZE] = EBPH_NORMAL,
		[EBPH_R_SENSITIZE] = EBPH_TRAINING, [EBPH_R_TOLERIZE] = EBPH_TRAINING,
		[EBPH_R_DELETE] = EBPH_TRAINING,
	};
	struct ebph_event e;
	char *l;
	__u32 r;

	l = render_header(0, 1);
	ck_assert_uint_lt(strlen(l) - 1, 80);
	free(l);
	base_event(&e, EBPH_EV_NEW_PROFILE);
	e.pid = 4194304;
	e.dev = 254ULL << 20 | 0xfffff;
	e.ino = 4294967295ULL;
	l = render_event(0, 0, &e, "/bin/sh");
	ck_assert_msg(strlen(l) - 1 < 80, "%d columns: %s", (int)strlen(l) - 1, l);
	free(l);
	for (r = 0; r < EBPH_R_COUNT; r++) {
		base_event(&e, EBPH_EV_PROFILE_STATE);
		e.pid = 4194304;
		e.state = reason_state[r];
		e.reason = r;
		l = render_event(0, 0, &e, "/bin/sh");
		ck_assert_msg(strlen(l) - 1 < 80, "%d columns: %s", (int)strlen(l) - 1, l);
		free(l);
	}
	base_event(&e, EBPH_EV_TOLERIZE_LIMIT);
	e.pid = 4194304;
	e.lfc = 128;
	l = render_event(0, 0, &e, "/bin/sh");
	ck_assert_msg(strlen(l) - 1 < 80, "%d columns: %s", (int)strlen(l) - 1, l);
	free(l);
}
END_TEST

/* An anomaly line keeps the whole window (its most useful part) after the
 * fixed columns, which end before column 40 like every other event's. */
START_TEST(test_output_text_anomaly_fixed_columns_then_window)
{
	static const char *const calls[] = {
		"read", "write", "close", "openat", "fstat", "mmap", "brk", "read", "write",
	};
	struct ebph_event e;
	unsigned int i;
	char *l;

	anomaly_event(&e);
	e.seq_len = 9;
	for (i = 0; i < 9; i++)
		e.seq[i] = nr(calls[i]);
	l = render_event(0, 0, &e, "/bin/sh");
	ck_assert_msg(!strncmp(l + 40, "/bin/sh level=alert write ", 26), "fixed columns: %s", l);
	ck_assert_msg(strstr(l, " seq=read,write,close,openat,fstat,mmap,brk,read,write\n"),
		      "window: %s", l);
	free(l);
}
END_TEST

/* A comm with a quote and a newline is escaped in both modes: one line each. */
START_TEST(test_output_comm_quote_newline_escaped)
{
	struct ebph_event e;
	char *l;

	base_event(&e, EBPH_EV_NEW_PROFILE);
	strcpy(e.comm, "x\"y\nz");
	l = render_event(1, 0, &e, "/tmp/a\nb");
	ck_assert_str_eq(l, "{\"type\":\"new_profile\"," TS_JSON ",\"pid\":1234,\"tid\":1235,\"ppid\":1200,\"uid\":1000,\"login_uid\":null,\"cgroup_id\":0,"
			 "\"comm\":\"x\\\"y\\u000az\",\"profile\":\"2049:131\",\"path\":\"/tmp/a\\u000ab\","
			 "\"dev\":2049,\"ino\":131,\"scope\":null}\n");
	assert_json_line(l);
	free(l);
	l = render_event(0, 0, &e, "/tmp/a\nb");
	ck_assert_str_eq(l, "new_profile       1234 x\"y\\x0az         /tmp/a\\x0ab (2049:131)\n");
	ck_assert_ptr_eq(strchr(l, '\n'), l + strlen(l) - 1);
	free(l);
	l = render_event(0, 1, &e, "/tmp/a\nb");
	ck_assert_ptr_eq(strchr(l, '\n'), l + strlen(l) - 1);
	free(l);
}
END_TEST

/* Text columns escape every byte of a name, however long the escaped form. */
START_TEST(test_output_text_high_bytes_not_truncated)
{
	struct out_profile pr;
	struct ebph_event e;
	char path[201], cesc[16 * 4 + 1], pesc[200 * 4 + 1], *want, *l;
	int i;

	base_event(&e, EBPH_EV_TOLERIZE_LIMIT);
	memset(e.comm, 0xff, sizeof(e.comm));	/* 16 bytes, no NUL */
	memset(path, 0xe9, 200);
	path[200] = 0;
	for (i = 0; i < 16; i++)
		memcpy(cesc + 4 * i, "\\xff", 5);
	for (i = 0; i < 200; i++)
		memcpy(pesc + 4 * i, "\\xe9", 5);
	ck_assert_int_gt(asprintf(&want, "tolerize_limit    1234 %s %s lfc=0: training data reset\n",
				  cesc, pesc), 0);
	l = render_event(0, 0, &e, path);
	ck_assert_str_eq(l, want);
	free(l);
	free(want);

	sample_profile(&pr);
	pr.path = path;
	ck_assert_int_gt(asprintf(&want, "profile              - -                %s normal "
				  "train=5000 last_mod=1200 anomalies=2 anomalies_total=0 "
				  "anomalies_lost=0 events_lost=0 rows=40 pair_bytes=20480\n",
				  pesc), 0);
	l = render_profile(0, &pr);
	ck_assert_str_eq(l, want);
	free(l);
	free(want);
}
END_TEST

/* The response events (made in user space): their own fields, JSON and text. */
START_TEST(test_output_response_events)
{
	struct ebph_event e = { 0 };
	char *l;

	e.ts = 5000000000ULL;
	e.pid = e.tid = 42;
	strcpy(e.comm, "victim");
	e.type = EBPH_EV_RESPONSE;
	e.lfc = 3;
	e.misses = 8;
	l = render_event(1, 0, &e, "/bin/victim");
	ck_assert_msg(strstr(l, ",\"action\":\"act\",\"episode\":\"start\",\"lfc\":3,"
			     "\"delay_ms\":8}\n") != NULL, "%s", l);
	assert_json_line(l);
	free(l);
	e.reason = 1;
	e.count = 40;
	e.since = 640;
	l = render_event(1, 0, &e, "/bin/victim");
	ck_assert_msg(strstr(l, ",\"episode\":\"end\",\"calls_delayed\":40,"
			     "\"total_delay_ms\":640}\n") != NULL, "%s", l);
	free(l);
	e.flags = EBPH_F_LOG_ONLY;
	l = render_event(0, 0, &e, "/bin/victim");
	ck_assert_msg(strstr(l, "response ") == l && strstr(l, " log end lfc_max=3\n"), "%s", l);
	free(l);
	e.type = EBPH_EV_SUSPEND;
	e.reason = EBPH_EXEC_HOLD;
	e.flags = EBPH_F_LATE;
	e.since = 7000000000ULL;
	l = render_event(1, 0, &e, NULL);
	ck_assert_msg(strstr(l, ",\"action\":\"act\",\"mode\":\"hold\",\"lfc\":3,"
			     "\"until\":1700000007.000000,\"late\":true}\n") != NULL, "%s", l);
	assert_json_line(l);
	free(l);
	/* refused by the BPF LSM program: no until, the file it named */
	e.reason = EBPH_EXEC_REFUSE;
	e.flags = 0;
	e.since = 0;
	strcpy(e.path, "/bin/s\nh");
	l = render_event(1, 0, &e, NULL);
	ck_assert_msg(strstr(l, ",\"action\":\"act\",\"mode\":\"refuse\",\"lfc\":3,"
			     "\"until\":null,\"late\":false,\"file\":\"/bin/s\\u000ah\"}\n") != NULL,
		      "%s", l);
	assert_json_line(l);
	free(l);
	l = render_event(0, 0, &e, NULL);
	ck_assert_msg(strstr(l, " act mode=refuse lfc=3 file=/bin/s\\x0ah\n") != NULL, "%s", l);
	free(l);
	e.path[0] = 0;
	e.type = EBPH_EV_RELEASE;
	e.reason = EBPH_REL_OPERATOR;
	e.state = 2;
	e.count = 1500;
	l = render_event(1, 0, &e, NULL);
	ck_assert_msg(strstr(l, ",\"by\":\"operator\",\"held\":\"suspend\",\"held_ms\":1500}\n")
		      != NULL, "%s", l);
	free(l);
	e.reason = 99;
	l = render_event(0, 0, &e, NULL);
	ck_assert_msg(strstr(l, " by=? held=suspend held_ms=1500\n") != NULL, "%s", l);
	free(l);
	e.type = EBPH_EV_RESPONSE_FAILED;
	e.misses = 1;	/* EPERM */
	l = render_event(1, 0, &e, NULL);
	ck_assert_msg(strstr(l, ",\"error\":\"Operation not permitted\"}\n") != NULL, "%s", l);
	assert_json_line(l);
	free(l);
	e.type = 17;	/* not ours: printed by nobody */
	l = render_event(1, 0, &e, NULL);
	ck_assert_str_eq(l, "");
	free(l);
}
END_TEST

START_TEST(test_output_status_json)
{
	struct out_status st;
	char *l;

	sample_status(&st);
	l = render_status(1, &st);
	ck_assert_str_eq(l, "{\"type\":\"status\"," HEAD_JSON("1700000005.000000",
			 "2023-11-14T22:13:25.000000") ",\"profiles\":10,"
			 "\"training\":4,\"frozen\":3,\"normal\":3,\"tasks\":50,\"syscalls\":123456,"
			 "\"anomalies\":2,\"lost_events\":1,\"rows\":300,\"snapshot_rows\":20,"
			 "\"pair_bytes\":65536,\"map_bytes\":40000000,\"tasks_full\":0,"
			 "\"profiles_full\":0,\"rows_full\":5,\"edges_full\":0,\"reclaimed\":0,"
			 "\"anomalies_lost\":0,\"suppressed\":0,\"held\":0,\"traced\":0,\"execve\":\"off\","
			 "\"final\":true}\n");
	assert_json_line(l);
	free(l);
	st.final = 0;
	st.syscalls = 18446744073709551615ULL;
	l = render_status(1, &st);
	ck_assert_msg(strstr(l, ",\"syscalls\":18446744073709551615,") != NULL, "%s", l);
	ck_assert_msg(strstr(l, ",\"final\":false}\n") != NULL, "%s", l);
	assert_json_line(l);
	free(l);
}
END_TEST

/* replaced: both keys (user-space dev), the path, until when the old one is kept. */
START_TEST(test_output_replaced)
{
	struct out_ctx o = { .boot_to_wall_ns = WALL_OFFSET, .hostname = "h" };
	struct ebph_key old = { .dev = 254ULL << 20, .ino = 11 };
	struct ebph_key new = { .dev = 254ULL << 20, .ino = 12 };
	struct mem m;
	char *l;

	mem_open(&m);
	o.f = m.f;
	o.json = 1;
	out_replaced(&o, 5000000000ULL, &old, &new, "/usr/bin/x\"y", 65000000000ULL);
	l = mem_take(&m);
	ck_assert_str_eq(l, "{\"type\":\"replaced\",\"schema\":1,\"ts\":1700000005.000000,"
			 "\"time\":\"2023-11-14T22:13:25.000000Z\",\"hostname\":\"h\","
			 "\"profile\":\"65024:12\",\"old_profile\":\"65024:11\","
			 "\"path\":\"/usr/bin/x\\\"y\",\"old_kept_until\":1700000065.000000}\n");
	assert_json_line(l);
	free(l);

	mem_open(&m);
	o.f = m.f;
	o.json = 0;
	out_replaced(&o, 5000000000ULL, &old, &new, "/usr/bin/x", 65000000000ULL);
	l = mem_take(&m);
	ck_assert_str_eq(l, "replaced             - -                /usr/bin/x (65024:12, was "
			 "65024:11; the old profile is kept for 60s)\n");
	free(l);
}
END_TEST

START_TEST(test_output_status_text)
{
	struct out_status st;
	char *l;

	sample_status(&st);
	l = render_status(0, &st);
	ck_assert_str_eq(l, "status               - -                profiles=10 (4/3/3 t/f/n) "
			 "tasks=50 syscalls=123456 anomalies=2 lost=1 rows=320 pair_kb=64 "
			 "map_kb=39062 full(tasks=0 profiles=0 rows=5)\n");
	free(l);
	st.rows_full = 0;
	l = render_status(0, &st);
	ck_assert_str_eq(l, "status               - -                profiles=10 (4/3/3 t/f/n) "
			 "tasks=50 syscalls=123456 anomalies=2 lost=1 rows=320 pair_kb=64 "
			 "map_kb=39062\n");
	free(l);
}
END_TEST

START_TEST(test_output_profile_json)
{
	struct out_profile pr;
	char *l;

	sample_profile(&pr);
	l = render_profile(1, &pr);
	ck_assert_str_eq(l, "{\"type\":\"profile\"," HEAD_JSON("1700000000.002500",
			 "2023-11-14T22:13:20.002500") ",\"profile\":\"2049:131\","
			 "\"path\":\"/bin/bash\",\"scope\":null,\"cgroup\":null,"
			 "\"source\":\"live\",\"state\":\"normal\","
			 "\"train_count\":5000,\"last_mod_count\":1200,\"sequences\":40,"
			 "\"anomalies\":2,\"train_pairs\":null,\"test_pairs\":null,\"rows\":30,"
			 "\"snapshot_rows\":10,\"pair_bytes\":20480,\"anomalies_total\":0,"
			 "\"anomalies_lost\":0,\"events_lost\":0,\"last_anomaly\":null,"
			 "\"normal_time\":null,\"normal_in\":null,\"normal_since\":null,"
			 "\"freeze_at\":null,\"frozen_since\":null,\"overrides\":{}}\n");
	assert_json_line(l);
	free(l);
	pr.path = NULL;
	pr.state = EBPH_TRAINING;
	l = render_profile(1, &pr);
	ck_assert_msg(strstr(l, ",\"path\":\"\",\"scope\":null,\"cgroup\":null,\"source\":\"live\","
			 "\"state\":\"training\",") != NULL, "%s", l);
	assert_json_line(l);
	free(l);
	/* a scoped profile: its key, scope and cgroup path */
	pr.key.scope = 0xab12;
	pr.cgroup = "/system.slice/a.service";
	l = render_profile(1, &pr);
	ck_assert_msg(strstr(l, ",\"profile\":\"2049:131~cab12\",\"path\":\"\",\"scope\":\"ab12\","
			 "\"cgroup\":\"/system.slice/a.service\",") != NULL, "%s", l);
	assert_json_line(l);
	free(l);
}
END_TEST

/* "overrides": a programs entry's settings in force, by config key name. */
START_TEST(test_output_profile_overrides)
{
	struct ebph_limits lim = {
		.anomaly_period_ns = 120000000000ULL, .anomaly_limit = 0, .max_rows = 16,
		.tolerize_limit = 3, .alert_lfc = 1,
		.set = EBPH_LIM_ANOMALY_LIMIT | EBPH_LIM_ANOMALY_PERIOD | EBPH_LIM_TOLERIZE_LIMIT |
		       EBPH_LIM_ALERT_LFC | EBPH_LIM_MAX_ROWS,
	};
	struct out_profile pr;
	char *l;

	sample_profile(&pr);
	pr.lim = &lim;
	pr.normal_wait_ns = 1;	/* normal_wait: 0 in the entry */
	pr.pflags = EBPH_PF_NO_TOLERIZE;
	l = render_profile(1, &pr);
	ck_assert_msg(strstr(l, ",\"overrides\":{\"normal_wait\":0,\"auto_tolerize\":false,"
			     "\"anomaly_limit\":0,\"anomaly_period\":120,\"tolerize_limit\":3,"
			     "\"alert_lfc\":1,\"max_rows_per_profile\":16}}\n") != NULL, "%s", l);
	assert_json_line(l);
	free(l);
	lim.set = EBPH_LIM_ALERT_LFC;
	pr.normal_wait_ns = EBPH_WAIT_NEVER;
	pr.pflags = 0;
	l = render_profile(1, &pr);
	ck_assert_msg(strstr(l, ",\"overrides\":{\"mode\":\"ignore\",\"alert_lfc\":1}}\n") != NULL,
		      "%s", l);
	assert_json_line(l);
	free(l);
}
END_TEST

START_TEST(test_output_profile_text)
{
	struct out_profile pr;
	char *l;

	sample_profile(&pr);
	l = render_profile(0, &pr);
	ck_assert_str_eq(l, "profile              - -                /bin/bash normal train=5000 "
			 "last_mod=1200 anomalies=2 anomalies_total=0 anomalies_lost=0 "
			 "events_lost=0 rows=40 pair_bytes=20480\n");
	free(l);
	pr.path = NULL;
	pr.state = EBPH_FROZEN;
	l = render_profile(0, &pr);
	ck_assert_str_eq(l, "profile              - -                - frozen train=5000 "
			 "last_mod=1200 anomalies=2 anomalies_total=0 anomalies_lost=0 "
			 "events_lost=0 rows=40 pair_bytes=20480\n");
	free(l);
}
END_TEST

/* The sinks' view: each object once, as JSON and as text, with the
 * event's fields; stdout (f) may be off. */
struct emitted_log {
	int n;
	char json[4096], text[4096], type[32], profile[OUT_KEY_LEN], comm[32];
	__u32 pid;
};

static void log_emit(void *arg, const struct out_emitted *x)
{
	struct emitted_log *l = arg;

	l->n++;
	snprintf(l->json, sizeof(l->json), "%s", x->json);
	snprintf(l->text, sizeof(l->text), "%s", x->text);
	snprintf(l->type, sizeof(l->type), "%s", x->type);
	snprintf(l->profile, sizeof(l->profile), "%s", x->profile ? x->profile : "-");
	snprintf(l->comm, sizeof(l->comm), "%s", x->comm ? x->comm : "-");
	l->pid = x->pid;
}

START_TEST(test_output_emit_to_sinks)
{
	struct emitted_log log = { 0 };
	struct out_ctx o = { .json = 0, .timestamps = 1, .boot_to_wall_ns = WALL_OFFSET,
			     .hostname = "h", .emit = log_emit, .emit_arg = &log };
	struct out_status st;
	struct ebph_event e;
	struct mem m;
	char *l;

	base_event(&e, EBPH_EV_ANOMALY);
	anomaly_event(&e);
	mem_open(&m);
	o.f = m.f;
	out_event(&o, &e, "/bin/bash");
	l = mem_take(&m);
	ck_assert_int_eq(log.n, 1);
	ck_assert_str_eq(log.type, "anomaly");
	ck_assert_str_eq(log.profile, "2049:131");
	ck_assert_str_eq(log.comm, "bash");
	ck_assert_uint_eq(log.pid, 1234);
	ck_assert_msg(!strncmp(log.json, "{\"type\":\"anomaly\"," TS_JSON ",", 40), "%s", log.json);
	assert_json_line(log.json);
	ck_assert_msg(!strncmp(log.text, "anomaly ", 8), "no TIME column for the journal: %s",
		      log.text);
	ck_assert_msg(strstr(l, "anomaly ") && l[0] != 'a', "stdout keeps -T: %s", l);
	free(l);
	o.f = NULL;	/* stdout: false */
	sample_status(&st);
	out_status(&o, &st);
	ck_assert_int_eq(log.n, 2);
	ck_assert_str_eq(log.type, "status");
	ck_assert_msg(strstr(log.json, "\"final\":true}\n") != NULL, "%s", log.json);
}
END_TEST

/* The string value of "name" in a JSON line (keys carry no escapes); "" if
 * the line has none. */
static void json_key_value(char *buf, size_t len, const char *l, const char *name)
{
	char pat[64];
	const char *p, *q;

	snprintf(pat, sizeof(pat), ",\"%s\":\"", name);
	p = strstr(l, pat);
	q = p ? strchr(p + strlen(pat), '"') : NULL;
	if (!q) {
		buf[0] = 0;
		return;
	}
	p += strlen(pat);
	snprintf(buf, len, "%.*s", (int)(q - p), p);
}

/* Every event type names its profile by the whole key, with a script's ~s
 * and a scope's ~c: its JSON "profile", the sinks' (journal EBPH_PROFILE)
 * and the text that shows a key are the same text. */
START_TEST(test_output_event_key_suffix)
{
	static const struct { __u64 script, scope; const char *key; } keys[] = {
		{ 0x1f2e, 0, "2049:131~s1f2e" },
		{ 0, 0xab12, "2049:131~cab12" },
		{ 0x1f2e, 0xab12, "2049:131~s1f2e~cab12" },
	};
	struct emitted_log log = { 0 };
	struct out_ctx o = { .json = 1, .boot_to_wall_ns = WALL_OFFSET, .hostname = "h",
			     .alert_lfc = 5, .emit = log_emit, .emit_arg = &log };
	char v[OUT_KEY_LEN], want[OUT_KEY_LEN + 2];
	struct ebph_event e;
	unsigned int i, type, types;
	struct mem m;
	char *l;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		types = 0;
		for (type = 0; type < 64; type++) {
			int n = log.n;

			base_event(&e, type);
			e.script = keys[i].script;
			e.scope = keys[i].scope;
			mem_open(&m);
			o.f = m.f;
			out_event(&o, &e, "/bin/sh");
			l = mem_take(&m);
			if (log.n == n) {	/* not a type out_event prints */
				ck_assert_str_eq(l, "");
				free(l);
				continue;
			}
			types++;
			json_key_value(v, sizeof(v), l, "profile");
			ck_assert_msg(!strcmp(v, keys[i].key), "type %u stdout: %s", type, l);
			json_key_value(v, sizeof(v), log.json, "profile");
			ck_assert_msg(!strcmp(v, keys[i].key), "type %u sinks: %s", type, log.json);
			ck_assert_msg(!strcmp(log.profile, keys[i].key), "type %u journal: %s",
				      type, log.profile);
			snprintf(want, sizeof(want), "(%s)", keys[i].key);
			if (type == EBPH_EV_NEW_PROFILE || type == EBPH_EV_PROFILE_REFUSED)
				ck_assert_msg(strstr(log.text, want), "type %u text: %s", type,
					      log.text);
			free(l);
		}
		ck_assert_uint_ge(types, 16);
	}
}
END_TEST

/* out_key_str: the one printer of a key; the longest key fits OUT_KEY_LEN. */
START_TEST(test_output_key_str)
{
	struct ebph_key k = { .dev = (8ULL << 20) | 1, .ino = 131 };
	char buf[OUT_KEY_LEN];

	out_key_str(buf, sizeof(buf), &k);
	ck_assert_str_eq(buf, "2049:131");
	k.script = 0x1f2e;
	out_key_str(buf, sizeof(buf), &k);
	ck_assert_str_eq(buf, "2049:131~s1f2e");
	k.scope = 0xab12;
	out_key_str(buf, sizeof(buf), &k);
	ck_assert_str_eq(buf, "2049:131~s1f2e~cab12");
	k.script = 0;
	out_key_str(buf, sizeof(buf), &k);
	ck_assert_str_eq(buf, "2049:131~cab12");
	k.dev = (0xfffULL << 20) | 0xfffff;
	k.ino = k.script = k.scope = ~0ULL;
	out_key_str(buf, sizeof(buf), &k);
	ck_assert_uint_lt(strlen(buf), sizeof(buf) - 1);
	ck_assert_msg(strstr(buf, ":18446744073709551615~sffffffffffffffff~cffffffffffffffff") &&
		      buf[strlen(buf) - 1] == 'f', "%s", buf);
}
END_TEST

/* The objects of user space name profiles by the whole key too: profile
 * (the -s summary and the commands), suppressed and replaced, on stdout and
 * to the sinks. */
START_TEST(test_output_object_key_suffix)
{
	struct emitted_log log = { 0 };
	struct out_ctx o = { .json = 1, .boot_to_wall_ns = WALL_OFFSET, .hostname = "h",
			     .emit = log_emit, .emit_arg = &log };
	struct ebph_key k = { .dev = (8ULL << 20) | 1, .ino = 131, .script = 0x1f2e,
			      .scope = 0xab12 };
	struct ebph_key old = { .dev = (8ULL << 20) | 1, .ino = 130, .script = 0x1f2e };
	struct out_profile pr;
	char v[OUT_KEY_LEN];
	struct mem m;
	char *l;

	sample_profile(&pr);
	pr.key = k;
	mem_open(&m);
	o.f = m.f;
	out_profile(&o, &pr);
	l = mem_take(&m);
	json_key_value(v, sizeof(v), l, "profile");
	ck_assert_str_eq(v, "2049:131~s1f2e~cab12");
	ck_assert_str_eq(log.profile, "2049:131~s1f2e~cab12");
	ck_assert_msg(strstr(l, ",\"scope\":\"ab12\","), "%s", l);
	free(l);

	mem_open(&m);
	o.f = m.f;
	out_suppressed(&o, 1500000, &k, "/bin/sh", 4, 2);
	l = mem_take(&m);
	json_key_value(v, sizeof(v), l, "profile");
	ck_assert_str_eq(v, "2049:131~s1f2e~cab12");
	ck_assert_str_eq(log.profile, "2049:131~s1f2e~cab12");
	assert_json_line(l);
	free(l);
	/* the bucket of lines without a profile: "0:0", no journal field */
	memset(&k, 0, sizeof(k));
	mem_open(&m);
	o.f = m.f;
	out_suppressed(&o, 1500000, &k, NULL, 1, 0);
	l = mem_take(&m);
	ck_assert_msg(strstr(l, ",\"profile\":\"0:0\","), "%s", l);
	ck_assert_str_eq(log.profile, "-");
	free(l);

	k.dev = (8ULL << 20) | 1;
	k.ino = 131;
	k.script = 0x1f2e;
	mem_open(&m);
	o.f = m.f;
	out_replaced(&o, 5000000000ULL, &old, &k, "/bin/sh", 65000000000ULL);
	l = mem_take(&m);
	ck_assert_msg(strstr(l, ",\"profile\":\"2049:131~s1f2e\",\"old_profile\":\"2049:130~s1f2e\","),
		      "%s", l);
	ck_assert_str_eq(log.profile, "2049:131~s1f2e");
	assert_json_line(l);
	free(l);
	o.json = 0;
	mem_open(&m);
	o.f = m.f;
	out_replaced(&o, 5000000000ULL, &old, &k, "/bin/sh", 65000000000ULL);
	l = mem_take(&m);
	ck_assert_msg(strstr(l, "/bin/sh (2049:131~s1f2e, was 2049:130~s1f2e; "), "%s", l);
	free(l);
}
END_TEST

START_TEST(test_output_json_head_time)
{
	struct mem m;
	char *l;

	mem_open(&m);
	out_json_head(m.f, "x", 1700000000123456789LL, "web\"1");
	fputs("}\n", m.f);
	out_json_head(m.f, "x", 951782400000001000LL, NULL);	/* 2000-02-29 */
	fputs("}\n", m.f);
	l = mem_take(&m);
	ck_assert_msg(!strncmp(l, "{\"type\":\"x\",\"schema\":1,\"ts\":1700000000.123456,"
			       "\"time\":\"2023-11-14T22:13:20.123456Z\",\"hostname\":\"web\\\"1\"}\n"
			       "{\"type\":\"x\",\"schema\":1,\"ts\":951782400.000001,"
			       "\"time\":\"2000-02-29T00:00:00.000001Z\",\"hostname\":", 160), "%s", l);
	free(l);
}
END_TEST

START_TEST(test_output_metrics)
{
	struct out_status st;
	struct mem m;
	char *l;

	sample_status(&st);
	mem_open(&m);
	out_metrics(m.f, &st);
	l = mem_take(&m);
	ck_assert_msg(strstr(l, "# TYPE ebph_profiles gauge\nebph_profiles{state=\"training\"} 4\n"
			     "ebph_profiles{state=\"frozen\"} 3\nebph_profiles{state=\"normal\"} 3\n"), "%s", l);
	ck_assert_msg(strstr(l, "# TYPE ebph_syscalls_total counter\nebph_syscalls_total 123456\n"), "%s", l);
	ck_assert_msg(strstr(l, "ebph_map_full_total{map=\"rows\"} 5\n"), "%s", l);
	ck_assert_msg(strstr(l, "\nebph_held_tasks 0\n"), "%s", l);
	ck_assert_msg(strstr(l, "\nebph_rows 320\n"), "%s", l);
	ck_assert_msg(strstr(l, "\nebph_map_bytes 40000000\n"), "%s", l);
	free(l);
}
END_TEST

Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);	/* every JSON line is also checked by jq */

	tcase_add_test(tc, test_output_json_checker_self_test);
	tcase_add_test(tc, test_output_user_dev);
	tcase_add_test(tc, test_output_state_and_reason_names);
	tcase_add_test(tc, test_output_json_str_escapes);
	tcase_add_test(tc, test_output_json_str_control_and_high_bytes);
	tcase_add_test(tc, test_output_json_str_nul_and_max);
	tcase_add_test(tc, test_output_text_str);
	tcase_add_test(tc, test_output_header);
	tcase_add_test(tc, test_output_json_new_profile);
	tcase_add_test(tc, test_output_json_anomaly);
	tcase_add_test(tc, test_output_levels_and_alerts);
	tcase_add_test(tc, test_output_exec_anomaly);
	tcase_add_test(tc, test_output_json_anomaly_unknown_syscall);
	tcase_add_test(tc, test_output_json_anomaly_empty_slots_anywhere);
	tcase_add_test(tc, test_output_json_anomaly_sequence_bounds);
	tcase_add_test(tc, test_output_json_profile_state_each_reason);
	tcase_add_test(tc, test_output_json_tolerize_limit);
	tcase_add_test(tc, test_output_json_ts);
	tcase_add_test(tc, test_output_unknown_event_type_ignored);
	tcase_add_test(tc, test_output_exec_and_attribution);
	tcase_add_test(tc, test_output_profile_refused);
	tcase_add_test(tc, test_output_rows_full);
	tcase_add_test(tc, test_output_json_lines_valid);
	tcase_add_test(tc, test_output_json_escapes_round_trip);
	tcase_add_test(tc, test_output_json_str_lossless);
	tcase_add_test(tc, test_output_text_str_all_bytes_safe);
	tcase_add_test(tc, test_output_warn_escapes);
	tcase_add_test(tc, test_output_json_comm_full_length);
	tcase_add_test(tc, test_output_text_each_event);
	tcase_add_test(tc, test_output_text_empty_is_dash);
	tcase_add_test(tc, test_output_text_timestamps);
	tcase_add_test(tc, test_output_text_columns_aligned);
	tcase_add_test(tc, test_output_text_under_80_columns);
	tcase_add_test(tc, test_output_text_anomaly_fixed_columns_then_window);
	tcase_add_test(tc, test_output_comm_quote_newline_escaped);
	tcase_add_test(tc, test_output_text_high_bytes_not_truncated);
	tcase_add_test(tc, test_output_status_json);
	tcase_add_test(tc, test_output_response_events);
	tcase_add_test(tc, test_output_replaced);
	tcase_add_test(tc, test_output_status_text);
	tcase_add_test(tc, test_output_profile_json);
	tcase_add_test(tc, test_output_profile_overrides);
	tcase_add_test(tc, test_output_profile_text);
	tcase_add_test(tc, test_output_emit_to_sinks);
	tcase_add_test(tc, test_output_event_key_suffix);
	tcase_add_test(tc, test_output_key_str);
	tcase_add_test(tc, test_output_object_key_suffix);
	tcase_add_test(tc, test_output_json_head_time);
	tcase_add_test(tc, test_output_metrics);
	suite_add_tcase(s, tc);
	return s;
}
