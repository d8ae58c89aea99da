/* SPDX-License-Identifier: GPL-2.0-only */
/* show.c: a profile's lookahead pairs for a person: compact per-call lines,
 * the full pair list, the difference between training and testing data, and
 * an SVG heat map. Pure: works on saved-profile images (store.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "show.h"
#include "output.h"

/* The row of call in a view sorted by call, or NULL. */
static const struct store_row *view_row(const struct store_row *rows, __u32 n, __u32 call)
{
	__u32 lo = 0, hi = n;

	while (lo < hi) {
		__u32 mid = lo + (hi - lo) / 2;

		if (rows[mid].call == call)
			return &rows[mid];
		if (rows[mid].call < call)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Distance bits of (call, prev) in a view: bit d-1 for distance d, 0 if none. */
static __u8 view_bits(const struct store_row *rows, __u32 n, __u32 call, __u32 prev)
{
	const struct store_row *r = view_row(rows, n, call);

	return r ? r->bits[prev] : 0;
}

/* Distances of a bit set as a short list, runs of three or more as a
 * range: 0x0d -> "1,3,4", 0x3d -> "1,3-6". */
static void show_distances(char *buf, size_t len, __u8 bits)
{
	size_t o = 0;
	int d, e;

	buf[0] = 0;
	for (d = 1; d <= 8 && o < len; d++) {
		if (!(bits & (1U << (d - 1))))
			continue;
		for (e = d; e < 8 && (bits & (1U << e)); e++)
			;
		o += snprintf(buf + o, len - o, "%s%d", o ? "," : "", d);
		if (e > d && o < len)
			o += snprintf(buf + o, len - o, "%s%d", e > d + 1 ? "-" : ",", e);
		d = e;
	}
}

static void show_json_distances(FILE *f, __u8 bits)
{
	int d, n = 0;

	fputc('[', f);
	for (d = 1; d <= 8; d++)
		if (bits & (1U << (d - 1)))
			fprintf(f, "%s%d", n++ ? "," : "", d);
	fputc(']', f);
}

/* The views a mode compares: what a line of it says about (call, prev). */
static __u8 mode_bits(const struct show_profile *s, const char *view, __u32 call, __u32 prev)
{
	const struct store_profile *p = s->p;

	if (!strcmp(view, "training"))
		return view_bits(p->train, p->ntrain, call, prev);
	if (!strcmp(view, "testing"))
		return view_bits(p->test, p->ntest, call, prev);
	if (!strcmp(view, "added"))
		return view_bits(p->train, p->ntrain, call, prev) &
		       ~view_bits(p->test, p->ntest, call, prev);
	return view_bits(p->test, p->ntest, call, prev) &	/* "removed" */
	       ~view_bits(p->train, p->ntrain, call, prev);
}

/* Is call the current call of a row of either view? */
static int any_row(const struct store_profile *p, __u32 call)
{
	return view_row(p->train, p->ntrain, call) || view_row(p->test, p->ntest, call);
}

/* One view in compact form: a line per call with its previous calls and
 * their distances. Returns the number of pairs printed. */
static __u64 show_compact_view(FILE *f, const struct show_profile *s, const char *view)
{
	char b1[32], b2[32], dist[32];
	__u32 call, prev;
	__u64 pairs = 0;

	for (call = 0; call < EBPH_NR_CALLS; call++) {
		int n = 0;

		if (!any_row(s->p, call))
			continue;
		for (prev = 0; prev < EBPH_NR_CALLS; prev++) {
			__u8 bits = mode_bits(s, view, call, prev);

			if (!bits)
				continue;
			pairs += __builtin_popcount(bits);
			if (s->json) {
				if (!n) {
					out_json_head(f, "call", s->now, NULL);
					fprintf(f, ",\"profile\":\"%s\",\"view\":\"%s\",\"call\":"
						"\"%s\",\"prev\":[", s->key, view,
						syscall_name(call, b1, sizeof(b1)));
				}
				fprintf(f, "%s{\"call\":\"%s\",\"distances\":", n ? "," : "",
					syscall_name(prev, b2, sizeof(b2)));
				show_json_distances(f, bits);
				fputc('}', f);
			} else {
				if (!n)
					fprintf(f, "  %-8s %-20s", view, syscall_name(call, b1, sizeof(b1)));
				show_distances(dist, sizeof(dist), bits);
				fprintf(f, " %s(%s)", syscall_name(prev, b2, sizeof(b2)), dist);
			}
			n++;
		}
		if (n)
			fputs(s->json ? "]}\n" : "\n", f);
	}
	return pairs;
}

/* One view as a line per pair (ebph 0.1's listing). */
static __u64 show_pair_view(FILE *f, const struct show_profile *s, const char *view)
{
	char b1[32], b2[32];
	__u32 call, prev, d;
	__u64 pairs = 0;

	for (call = 0; call < EBPH_NR_CALLS; call++) {
		if (!any_row(s->p, call))
			continue;
		for (prev = 0; prev < EBPH_NR_CALLS; prev++) {
			__u8 bits = mode_bits(s, view, call, prev);

			for (d = 1; bits && d <= 8; d++) {
				if (!(bits & (1U << (d - 1))))
					continue;
				pairs++;
				if (!s->json) {
					fprintf(f, "%-8s %-20s %-20s %8u\n", view,
						syscall_name(call, b1, sizeof(b1)),
						syscall_name(prev, b2, sizeof(b2)), d);
					continue;
				}
				out_json_head(f, "pair", s->now, NULL);
				fprintf(f, ",\"profile\":\"%s\","
					"\"view\":\"%s\",\"call\":\"%s\",\"prev\":\"%s\","
					"\"distance\":%u}\n", s->key, view,
					syscall_name(call, b1, sizeof(b1)),
					syscall_name(prev, b2, sizeof(b2)), d);
			}
		}
	}
	return pairs;
}

void show_pairs(FILE *f, const struct show_profile *s, enum show_mode mode)
{
	static const char *const views[][2] = {
		[SHOW_COMPACT] = { "training", "testing" },
		[SHOW_PAIRS] = { "training", "testing" },
		[SHOW_DIFF] = { "added", "removed" },
	};
	int i, n = s->p->state == EBPH_NORMAL || mode == SHOW_DIFF ? 2 : 1;

	if (!s->json) {
		if (mode == SHOW_PAIRS)
			fprintf(f, "\n%-8s %-20s %-20s %8s\n", "VIEW", "CALL", "PREV", "DISTANCE");
		else
			fprintf(f, "\n  %-8s %-20s %s\n", "VIEW", "CALL",
				"PREVIOUS CALLS (DISTANCES)");
	}
	for (i = 0; i < n; i++) {
		if (mode == SHOW_PAIRS)
			show_pair_view(f, s, views[mode][i]);
		else
			show_compact_view(f, s, views[mode][i]);
	}
}

/* XML text: the text escaping of output.c (no control or invalid byte
 * survives), then the five XML specials as entities. */
static void svg_text(FILE *f, const char *s, size_t max)
{
	char buf[OUT_ESC_LEN(EBPH_PATH_MAX)];
	const char *c;

	out_text_buf(buf, sizeof(buf), s, max);
	for (c = buf; *c; c++) {
		switch (*c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*c, f);
		}
	}
}

#define SVG_CELL	10	/* px per pair cell */
#define SVG_LABEL	130	/* px for the call names */
#define SVG_GAP		40	/* px between the two panels */

/* One panel: rows = current call, columns = previous call, the cell's
 * colour the number of distances seen (1 light .. 8 dark); in the training
 * panel a red outline marks pairs the testing data lacks. */
static void svg_panel(FILE *f, const struct store_profile *p, const __u32 *calls, __u32 n,
		      int x0, int y0, int training, const char *title)
{
	__u32 i, j;
	char b[32];

	fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", x0 + SVG_LABEL,
		y0 - 70, title);
	for (j = 0; j < n; j++)
		fprintf(f, "<text x=\"%d\" y=\"%d\" transform=\"rotate(-60 %d %d)\" "
			"font-size=\"8\">%s</text>\n", x0 + SVG_LABEL + j * SVG_CELL + 7, y0 - 2,
			x0 + SVG_LABEL + j * SVG_CELL + 7, y0 - 2,
			syscall_name(calls[j], b, sizeof(b)));
	for (i = 0; i < n; i++) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"8\" text-anchor=\"end\">%s</text>\n",
			x0 + SVG_LABEL - 4, y0 + i * SVG_CELL + 8,
			syscall_name(calls[i], b, sizeof(b)));
		for (j = 0; j < n; j++) {
			__u8 t = view_bits(p->train, p->ntrain, calls[i], calls[j]);
			__u8 s = view_bits(p->test, p->ntest, calls[i], calls[j]);
			__u8 bits = training ? t : s;
			int k = __builtin_popcount(bits);

			if (!bits)
				continue;
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
				"fill=\"rgb(%d,%d,255)\"%s><title>%s after ",
				x0 + SVG_LABEL + j * SVG_CELL, y0 + i * SVG_CELL, SVG_CELL, SVG_CELL,
				230 - k * 26, 230 - k * 26,
				training && (t & ~s) && p->state == EBPH_NORMAL ?
				" stroke=\"red\" stroke-width=\"1.5\"" : "",
				syscall_name(calls[i], b, sizeof(b)));
			fprintf(f, "%s at distances ", syscall_name(calls[j], b, sizeof(b)));
			show_distances(b, sizeof(b), bits);
			fprintf(f, "%s</title></rect>\n", b);
		}
	}
}

int show_svg(FILE *f, const struct show_profile *s)
{
	const struct store_profile *p = s->p;
	__u32 *calls, n = 0, c, prev;
	int w, h, panel, testing = p->state == EBPH_NORMAL;

	calls = calloc(EBPH_NR_CALLS, sizeof(*calls));
	if (!calls)
		return -1;
	/* the axes: every call that is a current or a previous call of a pair */
	for (c = 0; c < EBPH_NR_CALLS; c++) {
		int used = any_row(p, c);

		for (prev = 0; !used && prev < EBPH_NR_CALLS; prev++)
			used = view_bits(p->train, p->ntrain, prev, c) ||
			       view_bits(p->test, p->ntest, prev, c);
		if (used)
			calls[n++] = c;
	}
	panel = SVG_LABEL + (int)n * SVG_CELL;
	w = 20 + panel * (testing ? 2 : 1) + (testing ? SVG_GAP : 0);
	h = 130 + (int)n * SVG_CELL;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"font-family=\"sans-serif\" font-size=\"11\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"10\" y=\"16\">", w, h);
	svg_text(f, p->path, sizeof(p->path));
	fprintf(f, " (%s, %s): current call (rows) after previous call (columns); "
		"darker: more distances</text>\n", s->key, out_state_name(p->state));
	if (testing) {
		svg_panel(f, p, calls, n, 10, 110, 0, "testing (detection)");
		svg_panel(f, p, calls, n, 10 + panel + SVG_GAP, 110, 1,
			  "training (red: not in testing)");
	} else {
		svg_panel(f, p, calls, n, 10, 110, 1, "training");
	}
	fputs("</svg>\n", f);
	free(calls);
	return ferror(f) ? -1 : 0;
}
