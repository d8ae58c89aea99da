/* SPDX-License-Identifier: GPL-2.0-only */
/* view.c: the lines the sub-commands print (profiles, show, ps, the
 * steering commands), text and JSON. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin_int.h"
#include "output.h"
#include "show.h"

/* Pairs set in n rows. */
static __u64 admin_pairs(const struct store_row *rows, __u32 n)
{
	__u64 pairs = 0;
	__u32 i, b;

	for (i = 0; i < n; i++)
		for (b = 0; b < EBPH_ROW_BYTES; b++)
			pairs += __builtin_popcount(rows[i].bits[b]);
	return pairs;
}

/* A duration for the NORMAL column: "6d23h", "3h2m", "5m12s", "42s". */
void admin_duration(char *buf, size_t len, __u64 secs)
{
	if (secs >= 86400)
		snprintf(buf, len, "%llud%lluh", (unsigned long long)(secs / 86400),
			 (unsigned long long)(secs % 86400 / 3600));
	else if (secs >= 3600)
		snprintf(buf, len, "%lluh%llum", (unsigned long long)(secs / 3600),
			 (unsigned long long)(secs % 3600 / 60));
	else if (secs >= 60)
		snprintf(buf, len, "%llum%llus", (unsigned long long)(secs / 60),
			 (unsigned long long)(secs % 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)secs);
}

/* The NORMAL column: "in 6d23h" (frozen), "3h2m ago" (normal), "-". Wall ns. */
static void admin_normal_col(char *buf, size_t len, __u32 state, __s64 normal_time,
			     __s64 normal_since, __s64 now)
{
	char d[24];

	if (state == EBPH_FROZEN && normal_time) {
		admin_duration(d, sizeof(d),
			       normal_time > now ? (normal_time - now) / 1000000000 : 0);
		snprintf(buf, len, "in %s", d);
	} else if (state == EBPH_NORMAL && normal_since) {
		admin_duration(d, sizeof(d),
			       now > normal_since ? (now - normal_since) / 1000000000 : 0);
		snprintf(buf, len, "%s ago", d);
	} else {
		snprintf(buf, len, "-");
	}
}

/* The ANOM_AGO column: time since the last anomaly ("3h2m"), "-" if none. */
static void admin_ago_col(char *buf, size_t len, __s64 last, __s64 now)
{
	if (!last)
		snprintf(buf, len, "-");
	else
		admin_duration(buf, len, now > last ? (now - last) / 1000000000 : 0);
}

/* Calls without news (last_mod_count) at which a training profile freezes if
 * it learns nothing more: the smallest k >= 1 such that ph_should_freeze
 * (train + k, last_mod + k) holds, plus last_mod. 0 if the rule is unknown. */
static __u64 admin_freeze_at(__u64 train, __u64 last_mod, const struct admin_rule *r)
{
	__u64 k = 1, need;

	if (!r || !r->factor || r->den >= r->factor || last_mod > train)
		return 0;
	/* (train + k) * den > (train - last_mod) * factor */
	need = (train - last_mod) * r->factor / r->den;
	if (need + 1 > train + k)
		k = need + 1 - train;
	if (r->min > train + k)
		k = r->min - train;
	return last_mod + k;
}

/* The PROGRESS column: "412/3001" (training: calls without news, and how
 * many freeze it), "3m2s" (frozen: since when, "?" if unknown), "-". */
static void admin_progress_col(char *buf, size_t len, __u32 state, __u64 train,
			       __u64 last_mod, __s64 frozen_since, __s64 now,
			       const struct admin_rule *r)
{
	__u64 at = admin_freeze_at(train, last_mod, r);

	if (state == EBPH_TRAINING && at)
		snprintf(buf, len, "%llu/%llu", (unsigned long long)last_mod,
			 (unsigned long long)at);
	else if (state == EBPH_FROZEN && frozen_since)
		admin_duration(buf, len, now > frozen_since ? (now - frozen_since) / 1000000000 : 0);
	else if (state == EBPH_FROZEN)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "-");
}

/* JSON: "freeze_at" (training) and "frozen_since" (frozen), null otherwise. */
static void admin_json_progress(FILE *f, __u32 state, __u64 train, __u64 last_mod,
				__s64 frozen_since, const struct admin_rule *r)
{
	__u64 at = state == EBPH_TRAINING ? admin_freeze_at(train, last_mod, r) : 0;

	if (at)
		fprintf(f, ",\"freeze_at\":%llu", (unsigned long long)at);
	else
		fputs(",\"freeze_at\":null", f);
	out_json_time(f, "frozen_since", state == EBPH_FROZEN ? frozen_since : 0);
}

/* "type" and the fields every object starts with (wall ns now). */
void admin_json_head(FILE *f, const char *type, __s64 now)
{
	out_json_head(f, type, now, NULL);
}

void admin_profile_header(FILE *f)
{
	fprintf(f, "%-14s %-8s %11s %8s %-13s %8s %8s %8s %5s %5s %4s %-10s %s\n", "KEY",
		"STATE", "TRAIN_COUNT", "LAST_MOD", "PROGRESS", "ANOM_NOW", "ANOM_ALL", "ANOM_AGO",
		"LOST", "PAIRS", "KB", "NORMAL", "PATH");
}

void admin_profile_line(FILE *f, int json, const struct admin_prof *a)
{
	const struct store_profile *p = a->p;
	__u64 train_pairs = admin_pairs(p->train, p->ntrain);
	__u64 test_pairs = p->state == EBPH_NORMAL ? admin_pairs(p->test, p->ntest) : 0;
	__u64 bytes = (a->rows + a->snapshot_rows) * sizeof(struct ebph_row);
	char key[80], path[OUT_ESC_LEN(EBPH_PATH_MAX)], normal[32], ago[32], progress[48];

	out_key_str(key, sizeof(key), &p->key);
	if (json) {
		struct out_ctx c = { .f = f, .json = 1 };
		struct out_profile o = {
			.wall_ts = a->now, .source = a->source, .path = p->path,
			.key = p->key, .state = p->state,
			.train_count = p->train_count, .last_mod_count = p->last_mod_count,
			.sequences = p->sequences, .anomalies = p->anomalies,
			.train_pairs = (__s64)train_pairs, .test_pairs = (__s64)test_pairs,
			.rows = a->rows, .snapshot_rows = a->snapshot_rows, .pair_bytes = bytes,
			.anomalies_total = p->anomalies_total, .anomalies_lost = p->anomalies_lost,
			.events_lost = p->events_lost, .last_anomaly = p->last_anomaly,
			.normal_time = p->normal_time, .normal_since = p->normal_since,
			.freeze_at = p->state == EBPH_TRAINING ?
				     admin_freeze_at(p->train_count, p->last_mod_count, &a->rule) : 0,
			.frozen_since = p->state == EBPH_FROZEN ? p->frozen_since : 0,
			.progress = 1,
			.normal_wait_ns = p->normal_wait_ns, .pflags = p->pflags, .lim = &p->lim,
			.cgroup = p->cgroup[0] ? p->cgroup : NULL,
		};

		out_profile(&c, &o);
		return;
	}
	admin_normal_col(normal, sizeof(normal), p->state, p->normal_time, p->normal_since,
			 a->now);
	admin_ago_col(ago, sizeof(ago), p->last_anomaly, a->now);
	admin_progress_col(progress, sizeof(progress), p->state, p->train_count,
			   p->last_mod_count, p->frozen_since, a->now, &a->rule);
	fprintf(f, "%-14s %-8s %11llu %8llu %-13s %8llu %8llu %8s %5llu %5llu %4llu %-10s %s\n",
		key, out_state_name(p->state), (unsigned long long)p->train_count,
		(unsigned long long)p->last_mod_count, progress, (unsigned long long)p->anomalies,
		(unsigned long long)p->anomalies_total, ago,
		(unsigned long long)p->anomalies_lost,
		(unsigned long long)(train_pairs + test_pairs),
		(unsigned long long)((bytes + 1023) / 1024), normal,
		out_text_buf(path, sizeof(path), p->path, EBPH_PATH_MAX));
}

/* ebph show: the profile line, then its pairs in the chosen mode, or the
 * heat map into the --svg file (0, or 1 with a message). */
int admin_show(FILE *f, const struct admin_opts *o, const struct admin_prof *a)
{
	struct show_profile s = { .p = a->p, .json = o->json };
	char key[80];
	FILE *svg;
	int ret;

	out_key_str(key, sizeof(key), &a->p->key);
	s.key = key;
	s.now = a->now;
	if (o->svg) {
		svg = fopen(o->svg, "w");
		if (!svg) {
			out_warn("ebph: %s: %s", o->svg, strerror(errno));
			return 1;
		}
		ret = show_svg(svg, &s);
		if (fclose(svg) || ret) {
			out_warn("ebph: %s: cannot write the heat map", o->svg);
			unlink(o->svg);
			return 1;
		}
		return 0;
	}
	if (!o->json)
		admin_profile_header(f);
	admin_profile_line(f, o->json, a);
	show_pairs(f, &s, o->mode);
	return 0;
}

void admin_task_header(FILE *f, int threads)
{
	fprintf(f, "%7s ", "PID");
	if (threads)
		fprintf(f, "%7s ", "TID");
	fprintf(f, "%-15s %-8s %11s %8s %-13s %7s %8s %8s %8s %-10s %s\n", "COMM", "STATE",
		"TRAIN_COUNT", "LAST_MOD", "PROGRESS", "LFC", "ANOM_NOW", "ANOM_ALL", "ANOM_AGO",
		"NORMAL", "PROFILE");
}

void admin_task_line(FILE *f, int json, int threads, const struct admin_task *t)
{
	char key[80], comm[OUT_ESC_LEN(ADMIN_COMM_MAX)], path[OUT_ESC_LEN(EBPH_PATH_MAX)], normal[32], lfc[24],
	     ago[32], progress[48] = "-";
	const char *state = t->key ? out_state_name(t->state) : "-";

	if (t->key)
		out_key_str(key, sizeof(key), t->key);
	if (json) {
		admin_json_head(f, "task", t->now);
		fprintf(f, ",\"pid\":%u", t->pid);
		if (threads)
			fprintf(f, ",\"tid\":%u", t->tid);
		else
			fprintf(f, ",\"threads\":%u", t->threads);
		fputs(",\"comm\":", f);
		out_json_str(f, t->comm, ADMIN_COMM_MAX);
		if (t->key)
			fprintf(f, ",\"profile\":\"%s\",\"path\":", key);
		else
			fputs(",\"profile\":null,\"path\":", f);
		out_json_str(f, t->path, EBPH_PATH_MAX);
		fprintf(f, ",\"state\":\"%s\",\"train_count\":%llu,\"last_mod_count\":%llu,"
			"\"lfc\":%u,\"lfc_max\":%u,\"anomalies\":%llu", state,
			(unsigned long long)t->train_count, (unsigned long long)t->last_mod_count,
			t->lfc, t->lfc_max, (unsigned long long)t->anomalies);
		fprintf(f, ",\"anomalies_total\":%llu", (unsigned long long)t->anomalies_total);
		out_json_time(f, "last_anomaly", t->last_anomaly);
		out_json_time(f, "normal_time", t->state == EBPH_FROZEN ? t->normal_time : 0);
		if (t->key && t->state == EBPH_FROZEN)
			fprintf(f, ",\"normal_in\":%lld", (long long)(t->normal_time > t->now ?
				(t->normal_time - t->now) / 1000000000 : 0));
		else
			fputs(",\"normal_in\":null", f);
		out_json_time(f, "normal_since", t->state == EBPH_NORMAL ? t->normal_since : 0);
		fprintf(f, ",\"held\":%s", !t->held ? "null" :
			t->held == 2 ? "\"suspended\"" : "\"held\"");
		out_json_time(f, "held_until", t->held ? t->held_until : 0);
		if (t->key)
			admin_json_progress(f, t->state, t->train_count, t->last_mod_count,
					    t->frozen_since, t->rule);
		else
			fputs(",\"freeze_at\":null,\"frozen_since\":null", f);
		fputs("}\n", f);
		return;
	}
	if (t->key)
		admin_progress_col(progress, sizeof(progress), t->state, t->train_count,
				   t->last_mod_count, t->frozen_since, t->now, t->rule);
	admin_normal_col(normal, sizeof(normal), t->key ? t->state : EBPH_TRAINING,
			 t->normal_time, t->normal_since, t->now);
	snprintf(lfc, sizeof(lfc), "%u/%u", t->lfc, t->lfc_max);
	admin_ago_col(ago, sizeof(ago), t->last_anomaly, t->now);
	fprintf(f, "%7u ", t->pid);
	if (threads)
		fprintf(f, "%7u ", t->tid);
	fprintf(f, "%-15s %-8s %11llu %8llu %-13s %7s %8llu %8llu %8s %-10s %s",
		out_text_buf(comm, sizeof(comm), t->comm, ADMIN_COMM_MAX), state,
		(unsigned long long)t->train_count, (unsigned long long)t->last_mod_count,
		progress, lfc,
		(unsigned long long)t->anomalies, (unsigned long long)t->anomalies_total, ago,
		normal,
		out_text_buf(path, sizeof(path), t->path, EBPH_PATH_MAX));
	if (t->held) {
		time_t u = (time_t)(t->held_until / 1000000000);
		struct tm tm;
		char when[32] = "?";

		if (localtime_r(&u, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(f, "  %s until %s", t->held == 2 ? "SUSPENDED" : "HELD", when);
	}
	fputc('\n', f);
}

void admin_change_line(FILE *f, int json, const struct admin_change *c)
{
	char key[80], path[OUT_ESC_LEN(EBPH_PATH_MAX)];
	const char *state = c->state == ADMIN_STATE_GONE ? "deleted" : out_state_name(c->state);

	out_key_str(key, sizeof(key), c->key);
	if (json) {
		admin_json_head(f, "command", c->now);
		fprintf(f, ",\"command\":\"%s\",\"profile\":\"%s\",\"path\":", c->command, key);
		out_json_str(f, c->path, EBPH_PATH_MAX);
		fprintf(f, ",\"source\":\"%s\",\"old_state\":\"%s\",\"state\":\"%s\","
			"\"old_train_count\":%llu,\"train_count\":%llu", c->source,
			out_state_name(c->old_state), state, (unsigned long long)c->old_train_count,
			(unsigned long long)c->train_count);
		if (c->file >= 0)
			fprintf(f, ",\"file_removed\":%s", c->file ? "true" : "false");
		fprintf(f, ",\"changed\":%s", c->unchanged ? "false" : "true");
		fputs("}\n", f);
		return;
	}
	if (c->unchanged) {
		fprintf(f, "%s %s (%s, %s): %s: nothing changed\n", c->command,
			out_text_buf(path, sizeof(path), c->path, EBPH_PATH_MAX), key, c->source,
			c->unchanged);
		return;
	}
	fprintf(f, "%s %s (%s, %s): %s -> %s, train_count %llu -> %llu", c->command,
		out_text_buf(path, sizeof(path), c->path, EBPH_PATH_MAX), key, c->source,
		out_state_name(c->old_state), state, (unsigned long long)c->old_train_count,
		(unsigned long long)c->train_count);
	if (c->file >= 0)
		fprintf(f, c->file ? ", saved file removed" : ", no saved file");
	fputc('\n', f);
}
