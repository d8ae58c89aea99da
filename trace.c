/* SPDX-License-Identifier: GPL-2.0-only */
/* trace.c: parsers of recorded system-call traces (strace -f -ttt, ADFA-LD,
 * UNM, ebph record) into task events (trace.h); pure, unit-tested. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syscalls.h"
#include "trace.h"

#define TR_ERESTARTSYS		512
#define TR_ERESTARTNOINTR	513
#define TR_ERESTARTNOHAND	514
#define TR_ERESTART_BLOCK	516

static const char *const format_names[] = {
	[TF_AUTO] = "auto", [TF_STRACE] = "strace", [TF_ADFA] = "adfa", [TF_UNM] = "unm",
	[TF_EBPH] = "ebph",
};

int trace_format_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(s, format_names[i]))
			return (int)i;
	return -1;
}

const char *trace_format_name(int fmt)
{
	return fmt >= 0 && fmt <= TF_EBPH ? format_names[fmt] : "?";
}

void trace_free(struct trace *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->ev[i].path);
	free(t->ev);
	memset(t, 0, sizeof(*t));
}

/* A new event at the end of t, zeroed, or NULL (out of memory). */
static struct trace_ev *trace_add(struct trace *t, __u32 kind, __u32 tid, __u32 line)
{
	struct trace_ev *e;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;

		e = realloc(t->ev, cap * sizeof(*e));
		if (!e)
			return NULL;
		t->ev = e;
		t->cap = cap;
	}
	e = &t->ev[t->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->tid = tid;
	e->line = line;
	return e;
}

/* A new zeroed event at index idx of t, the later ones moved up; NULL. */
static struct trace_ev *trace_insert(struct trace *t, size_t idx)
{
	struct trace_ev *e = trace_add(t, 0, 0, 0);

	if (!e)
		return NULL;
	memmove(&t->ev[idx + 1], &t->ev[idx], (t->n - 1 - idx) * sizeof(*e));
	e = &t->ev[idx];
	memset(e, 0, sizeof(*e));
	return e;
}

static int trace_err(char *err, size_t errlen, __u32 line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(err, errlen, "%u: ", line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The next line of text: its start in *s, its length (without the newline)
 * in *n; returns 0 at the end. */
static int next_line(const char **pos, const char *end, const char **s, size_t *n)
{
	const char *p = *pos, *nl;

	if (p >= end)
		return 0;
	nl = memchr(p, '\n', end - p);
	*s = p;
	*n = (nl ? nl : end) - p;
	*pos = nl ? nl + 1 : end;
	return 1;
}

/* A decimal number token of s[0..n): 0, or -1 if s is not one. */
static int parse_u64(const char *s, size_t n, __u64 *v)
{
	__u64 x = 0;
	size_t i;

	if (!n || n > 19)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/* Up to max whitespace-separated tokens of a line: their count (max + 1
 * when there are more). */
static int split(const char *s, size_t n, const char **tok, size_t *len, int max)
{
	size_t i = 0;
	int k = 0;

	while (i < n) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i == n)
			break;
		if (k == max)
			return max + 1;
		tok[k] = s + i;
		while (i < n && !isspace((unsigned char)s[i]))
			i++;
		len[k] = s + i - tok[k];
		k++;
	}
	return k;
}

int trace_detect(const char *text, size_t len)
{
	const char *pos = text, *end = text + len, *s, *tok[3];
	size_t n, tl[3];
	int lines = 0, pairs = 0, k, i;
	__u64 v;

	while (lines < 5 && next_line(&pos, end, &s, &n)) {
		if (!lines && n >= strlen(TRACE_EBPH_MAGIC) &&
		    !memcmp(s, TRACE_EBPH_MAGIC, strlen(TRACE_EBPH_MAGIC)))
			return TF_EBPH;
		k = split(s, n, tok, tl, 2);
		if (!k)
			continue;
		if (memchr(s, '(', n) || memchr(s, '+', n) || memchr(s, '-', n))
			return TF_STRACE;
		for (i = 0; i < k && i < 2; i++)
			if (parse_u64(tok[i], tl[i], &v))
				return TF_AUTO;
		pairs += k == 2;
		lines++;
	}
	if (!lines)
		return TF_ADFA;
	return pairs == lines && lines > 1 ? TF_UNM : TF_ADFA;
}

/* ADFA-LD: the whole file is one process's calls, numbers separated by white
 * space. */
static int parse_adfa(struct trace *t, const char *text, size_t len, char *err, size_t errlen)
{
	const char *pos = text, *end = text + len, *s;
	__u32 line = 0;
	size_t n, i, j;
	__u64 v;

	while (next_line(&pos, end, &s, &n)) {
		line++;
		for (i = 0; i < n; i = j) {
			struct trace_ev *e;

			while (i < n && isspace((unsigned char)s[i]))
				i++;
			if (i == n)
				break;
			for (j = i; j < n && !isspace((unsigned char)s[j]); j++)
				;
			if (parse_u64(s + i, j - i, &v) || v > 0x7fffffff)
				return trace_err(err, errlen, line, "column %zu: '%.*s' is not a "
						 "system call number", i + 1, (int)(j - i > 20 ? 20 : j - i),
						 s + i);
			e = trace_add(t, TR_CALL, 1, line);
			if (!e)
				return -ENOMEM;
			e->nr = (__s64)v;
		}
	}
	return 0;
}

/* UNM: "PID NUMBER" per line. */
static int parse_unm(struct trace *t, const char *text, size_t len, char *err, size_t errlen)
{
	const char *pos = text, *end = text + len, *s, *tok[3];
	size_t n, tl[3];
	__u32 line = 0;
	__u64 pid, nr;
	int k;

	while (next_line(&pos, end, &s, &n)) {
		struct trace_ev *e;

		line++;
		k = split(s, n, tok, tl, 2);
		if (!k)
			continue;
		if (k != 2)
			return trace_err(err, errlen, line, "expected 'PID NUMBER', got %d fields",
					 k > 2 ? 3 : k);
		if (parse_u64(tok[0], tl[0], &pid) || !pid || pid > 0xffffffffULL)
			return trace_err(err, errlen, line, "'%.*s' is not a process ID",
					 (int)(tl[0] > 20 ? 20 : tl[0]), tok[0]);
		if (parse_u64(tok[1], tl[1], &nr) || nr > 0x7fffffff)
			return trace_err(err, errlen, line, "'%.*s' is not a system call number",
					 (int)(tl[1] > 20 ? 20 : tl[1]), tok[1]);
		e = trace_add(t, TR_CALL, (__u32)pid, line);
		if (!e)
			return -ENOMEM;
		e->nr = (__s64)nr;
	}
	return 0;
}

/* A signed decimal or 0x hex number token: 0 or -1. */
static int parse_s64(const char *s, size_t n, __s64 *v)
{
	char buf[32], *endp;

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	errno = 0;
	if (buf[0] == '-')
		*v = strtoll(buf, &endp, 0);
	else
		*v = (__s64)strtoull(buf, &endp, 0);
	return errno || *endp || endp == buf ? -1 : 0;
}

/* Undo record's text escaping of a path (\\ and \xXX) into a new string. */
static char *unescape(const char *s, size_t n)
{
	char *r = malloc(n + 1), *o = r;
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\\') {
			*o++ = '\\';
			i++;
		} else if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
			   isxdigit((unsigned char)s[i + 2]) && isxdigit((unsigned char)s[i + 3])) {
			char h[3] = { s[i + 2], s[i + 3], 0 };

			*o++ = (char)strtoul(h, NULL, 16);
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	return r;
}

/*
 * ebph's recording format (man page, RECORDING FORMAT): after the first
 * line "# ebph-record 1 nr_syscalls=N", one record per line, '#' lines are
 * comments:
 *   TS TID c NR RET SP                      a system call completed
 *   TS TID s SP FLAGS SS_SP SS_SIZE SS_FLAGS  a signal delivered to a handler
 *   TS TID f CHILD_TID CHILD_PID SAME_MM    fork/clone
 *   TS TID x OLD_TID DEV INO PATH           exec (PATH escaped as in text output)
 *   TS TID e                                exit
 *   TS 0 l COUNT                            COUNT records lost here
 */
static int parse_ebph(struct trace *t, const char *text, size_t len, char *err, size_t errlen)
{
	static const int nargs[128] = { ['c'] = 3, ['s'] = 5, ['f'] = 3, ['x'] = 3, ['e'] = 0,
					['l'] = 1 };
	const char *pos = text, *end = text + len, *s, *tok[9];
	size_t n, tl[9];
	__u32 line = 0;
	__s64 v[8];
	int k, i, want;

	t->timed = 1;
	t->has_sp = 1;
	while (next_line(&pos, end, &s, &n)) {
		struct trace_ev *e;
		char kind;

		line++;
		if (line == 1) {
			const char *p;

			if (n < strlen(TRACE_EBPH_MAGIC) ||
			    memcmp(s, TRACE_EBPH_MAGIC, strlen(TRACE_EBPH_MAGIC)))
				return trace_err(err, errlen, line, "not an ebph recording (no '%s')",
						 TRACE_EBPH_MAGIC);
			p = memmem(s, n, "nr_syscalls=", 12);
			if (p)
				t->nr_syscalls = (__u32)strtoul(p + 12, NULL, 10);
			continue;
		}
		if (!n || s[0] == '#')
			continue;
		k = split(s, n, tok, tl, 8);
		if (k < 3 || tl[2] != 1 || (unsigned char)tok[2][0] >= 128 ||
		    (!nargs[(unsigned char)tok[2][0]] && tok[2][0] != 'e'))
			return trace_err(err, errlen, line, "not a record (TS TID KIND ...)");
		kind = tok[2][0];
		want = nargs[(unsigned char)kind];
		if (kind == 'x') {
			if (k < 6)
				return trace_err(err, errlen, line, "exec record: expected "
						 "TS TID x OLD_TID DEV INO PATH");
		} else if (k != 3 + want) {
			return trace_err(err, errlen, line, "'%c' record: expected %d fields, got %d",
					 kind, 3 + want, k);
		}
		for (i = 0; i < 2; i++)
			if (parse_s64(tok[i], tl[i], &v[i]) || v[i] < 0)
				return trace_err(err, errlen, line, "field %d: '%.*s' is not a number",
						 i + 1, (int)(tl[i] > 20 ? 20 : tl[i]), tok[i]);
		for (i = 3; i < (kind == 'x' ? 6 : 3 + want); i++)
			if (parse_s64(tok[i], tl[i], &v[i - 1]))
				return trace_err(err, errlen, line, "field %d: '%.*s' is not a number",
						 i + 1, (int)(tl[i] > 20 ? 20 : tl[i]), tok[i]);
		e = trace_add(t, 0, (__u32)v[1], line);
		if (!e)
			return -ENOMEM;
		e->ts = (__u64)v[0];
		switch (kind) {
		case 'c':
			e->kind = TR_CALL;
			e->nr = v[2];
			e->ret = v[3];
			e->sp = (__u64)v[4];
			break;
		case 's':
			e->kind = TR_SIG;
			e->sp = (__u64)v[2];
			e->flags = (__u32)v[3];
			e->a = (__u64)v[4];
			e->b = (__u64)v[5];
			e->ss_flags = (__u32)v[6];
			break;
		case 'f':
			e->kind = TR_FORK;
			e->a = (__u64)v[2];
			e->b = (__u64)v[3];
			e->flags = v[4] ? TR_F_SAME_MM : 0;
			break;
		case 'x': {
			const char *p = tok[5] + tl[5];

			e->kind = TR_EXEC;
			e->nr = v[2];
			e->a = (__u64)v[3];
			e->b = (__u64)v[4];
			if (p < s + n && *p == ' ')
				p++;
			e->path = unescape(p, s + n - p);
			if (!e->path)
				return -ENOMEM;
			break;
		}
		case 'e':
			e->kind = TR_EXIT;
			break;
		case 'l':
			e->kind = TR_LOST;
			e->nr = v[2];
			break;
		}
	}
	if (!line)
		return trace_err(err, errlen, 1, "not an ebph recording (empty)");
	return 0;
}

/* strace ---------------------------------------------------------------- */

/* Signal dispositions of one process, as its rt_sigaction calls set them. */
struct st_sigtab {
	__u64 handled;		/* bit s: signal s has a handler */
	__u64 restart;		/* ... with SA_RESTART */
	__u64 onstack;		/* ... with SA_ONSTACK */
	__u64 oneshot;		/* ... with SA_RESETHAND */
};

/* What the strace parser keeps per task. */
struct st_task {
	__u32 tid;
	int tab;		/* its process's st_sigtab */
	long start;		/* event index of its unfinished call's start, -1 */
	int start_same_mm;	/* that call's flags had CLONE_VM (or it was vfork) */
};

struct st_state {
	struct st_task *tasks;
	size_t ntasks, cap;
	struct st_sigtab *tabs;
	size_t ntabs;
	int unprefixed;		/* lines without a pid were seen (task 0) */
};

static const char *const sig_names[] = {
	"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
	"USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN",
	"TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
};

/* Signal number of strace's name at s (SIGUSR1, SIGRTMIN, SIGRT_3), or -1. */
static int sig_number(const char *s, size_t n)
{
	size_t i, l;

	if (n < 4 || memcmp(s, "SIG", 3))
		return -1;
	s += 3;
	n -= 3;
	if (n >= 3 && !memcmp(s, "RT_", 3)) {
		int r = atoi(s + 3);

		return r >= 0 && 34 + r < 64 ? 34 + r : -1;
	}
	if (n >= 6 && !memcmp(s, "RTMIN", 5))
		return 34;
	if (n >= 5 && !memcmp(s, "RTMIN", 5))
		return 34;
	for (i = 0; i < sizeof(sig_names) / sizeof(sig_names[0]); i++) {
		l = strlen(sig_names[i]);
		if (n >= l && !memcmp(s, sig_names[i], l) &&
		    (n == l || !isalnum((unsigned char)s[l])))
			return (int)i + 1;
	}
	if (n >= 3 && !memcmp(s, "IOT", 3))
		return 6;
	if (n >= 4 && !memcmp(s, "POLL", 4))
		return 29;
	return -1;
}

/* A new disposition table, a copy of table from (-1: all default). */
static int st_new_tab(struct st_state *st, int from)
{
	struct st_sigtab *tabs = realloc(st->tabs, (st->ntabs + 1) * sizeof(*tabs));

	if (!tabs)
		return -ENOMEM;
	st->tabs = tabs;
	if (from >= 0)
		tabs[st->ntabs] = tabs[from];
	else
		memset(&tabs[st->ntabs], 0, sizeof(tabs[0]));
	return (int)st->ntabs++;
}

/* The strace state of task tid, created (own dispositions) on first sight. */
static struct st_task *st_task(struct st_state *st, __u32 tid)
{
	struct st_task *t;
	size_t i;
	int tab;

	for (i = st->ntasks; i-- > 0;)
		if (st->tasks[i].tid == tid)
			return &st->tasks[i];
	if (st->ntasks == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 16;

		t = realloc(st->tasks, cap * sizeof(*t));
		if (!t)
			return NULL;
		st->tasks = t;
		st->cap = cap;
	}
	tab = st_new_tab(st, -1);
	if (tab < 0)
		return NULL;
	t = &st->tasks[st->ntasks++];
	t->tid = tid;
	t->tab = tab;
	t->start = -1;
	t->start_same_mm = 0;
	return t;
}

static const char *memstr(const char *s, size_t n, const char *what)
{
	return memmem(s, n, what, strlen(what));
}

/* The last occurrence of what in s[0..n), or NULL. */
static const char *memrstr(const char *s, size_t n, const char *what)
{
	size_t l = strlen(what);
	const char *p;

	if (n < l)
		return NULL;
	for (p = s + n - l; p >= s; p--)
		if (!memcmp(p, what, l))
			return p;
	return NULL;
}

/* rt_sigaction(SIGx, {sa_handler=H, sa_mask=[...], sa_flags=F, ...}, ...):
 * update the process's dispositions (args: the text inside the call's
 * parentheses). */
static void st_sigaction(struct st_sigtab *tab, const char *args, size_t n)
{
	const char *comma = memchr(args, ',', n), *h, *fl, *close;
	__u64 bit;
	int sig;

	if (!comma)
		return;
	sig = sig_number(args, comma - args);
	h = memstr(comma, args + n - comma, "{sa_handler=");
	if (sig <= 0 || sig >= 64 || !h || memstr(comma, h - comma, "NULL"))
		return;
	bit = 1ULL << sig;
	h += strlen("{sa_handler=");
	close = memchr(h, '}', args + n - h);
	if (!close)
		close = args + n;
	if (!strncmp(h, "SIG_DFL", 7) || !strncmp(h, "SIG_IGN", 7)) {
		tab->handled &= ~bit;
		return;
	}
	tab->handled |= bit;
	fl = memstr(h, close - h, "sa_flags=");
	tab->restart &= ~bit;
	tab->onstack &= ~bit;
	tab->oneshot &= ~bit;
	if (fl) {
		if (memstr(fl, close - fl, "SA_RESTART"))
			tab->restart |= bit;
		if (memstr(fl, close - fl, "SA_ONSTACK"))
			tab->onstack |= bit;
		if (memstr(fl, close - fl, "SA_RESETHAND") || memstr(fl, close - fl, "SA_ONESHOT"))
			tab->oneshot |= bit;
	}
}

/* The result after ") = " (or " = " of a resumed call): ERESTART* codes as
 * -512..-516, "-1 EXXX" as -1 (the number is not needed), "?" as 0. */
static int st_result(const char *r, size_t n, __s64 *ret)
{
	static const struct { const char *name; int code; } restarts[] = {
		{ "ERESTARTSYS", TR_ERESTARTSYS }, { "ERESTARTNOINTR", TR_ERESTARTNOINTR },
		{ "ERESTARTNOHAND", TR_ERESTARTNOHAND },
		{ "ERESTART_RESTARTBLOCK", TR_ERESTART_BLOCK },
	};
	size_t i = 0, j;

	if (n && r[0] == '?') {
		*ret = 0;
		for (j = 0; j < sizeof(restarts) / sizeof(restarts[0]); j++) {
			size_t l = strlen(restarts[j].name);

			if (n >= 2 + l && !memcmp(r + 2, restarts[j].name, l) &&
			    (n == 2 + l || r[2 + l] == ' '))
				*ret = -restarts[j].code;
		}
		return 0;
	}
	while (i < n && r[i] != ' ')
		i++;
	return parse_s64(r, i, ret);
}

/* The executable of execve("PATH", ...) or execveat(fd, "PATH", ...), as a
 * new string (strace's escapes kept but for \" and \\), or NULL. */
static char *st_exec_path(const char *args, size_t n)
{
	const char *q = memchr(args, '"', n), *p;
	char *r, *o;

	if (!q)
		return strdup("?");
	r = malloc(n + 1);
	if (!r)
		return NULL;
	o = r;
	for (p = q + 1; p < args + n && *p != '"'; p++) {
		if (*p == '\\' && p + 1 < args + n && (p[1] == '"' || p[1] == '\\'))
			p++;
		*o++ = *p;
	}
	*o = 0;
	return r;
}

static int is_fork_call(const char *name)
{
	return !strcmp(name, "clone") || !strcmp(name, "clone3") || !strcmp(name, "fork") ||
	       !strcmp(name, "vfork");
}

/* A call's start: a fork-family call whose start line is its own record,
 * or whose args say CLONE_VM. */
static int st_same_mm(const char *name, const char *args, size_t n)
{
	return !strcmp(name, "vfork") || memstr(args, n, "CLONE_VM") != NULL;
}

/* Sorted names of the system calls, for the strace parser. */
struct st_name {
	const char *name;
	int nr;
};

static struct st_name st_names[EBPH_NR_SYSCALLS];
static int st_nnames;

static int st_name_cmp(const void *a, const void *b)
{
	return strcmp(((const struct st_name *)a)->name, ((const struct st_name *)b)->name);
}

/* Number of system call name (strace's "syscall_0x1c8" too), or -1. */
static int st_call_number(const char *name)
{
	struct st_name key = { name, 0 }, *f;
	int i;

	if (!st_nnames) {
		for (i = 0; i < EBPH_NR_SYSCALLS; i++)
			if (ebph_syscall_names[i])
				st_names[st_nnames++] = (struct st_name){ ebph_syscall_names[i], i };
		qsort(st_names, st_nnames, sizeof(st_names[0]), st_name_cmp);
	}
	if (!strncmp(name, "syscall_", 8)) {
		char *end;
		long v = strtol(name + 8, &end, 0);

		return *end || end == name + 8 ? -1 : (v < 0 || v > 0x7fffffff ? -1 : (int)v);
	}
	f = bsearch(&key, st_names, st_nnames, sizeof(st_names[0]), st_name_cmp);
	return f ? f->nr : -1;
}

/*
 * strace -f -ttt output (-o FILE: "PID " before each line; on a terminal
 * "[pid PID] "; -T times and -tt clocks are accepted). Each call counts when
 * it completes (where the kernel's sys_exit sees it): the line of a complete
 * call or of "<... NAME resumed>". A fork-family call's child is created at
 * the call's start with the window it had then. "--- SIGx ---" opens a
 * handler window if the process installed a handler for it (rt_sigaction
 * seen in the trace). Returns 0 or -EINVAL/-ENOMEM.
 */
static int parse_strace(struct trace *t, const char *text, size_t len, char *err, size_t errlen)
{
	const char *pos = text, *end = text + len, *s;
	struct st_state st = { 0 };
	__u32 line = 0;
	size_t n;
	int ret = 0;

	while (next_line(&pos, end, &s, &n)) {
		const char *p = s, *e = s + n, *q;
		struct st_task *task;
		struct trace_ev *ev;
		__u64 tid = 0, ts = 0;
		char name[64];
		size_t i;
		int resumed = 0;

		line++;
		while (e > p && (e[-1] == '\r' || e[-1] == ' '))
			e--;
		if (p == e || (e - p >= 8 && !memcmp(p, "strace: ", 8)))
			continue;
		/* pid column */
		if (e - p > 5 && !memcmp(p, "[pid", 4)) {
			p += 4;
			while (p < e && *p == ' ')
				p++;
			for (q = p; q < e && isdigit((unsigned char)*q); q++)
				;
			if (q == p || q >= e || *q != ']' || parse_u64(p, q - p, &tid))
				goto bad_pid;
			p = q + 1;
		} else {
			for (q = p; q < e && isdigit((unsigned char)*q); q++)
				;
			if (q > p && q < e && *q == ' ') {
				if (parse_u64(p, q - p, &tid))
					goto bad_pid;
				p = q;
			} else {
				st.unprefixed = 1;
			}
		}
		while (p < e && *p == ' ')
			p++;
		/* -ttt time (or -tt HH:MM:SS.usec) */
		if (p < e && isdigit((unsigned char)*p)) {
			__u64 sec = 0, cur = 0, usec = 0;
			int dot = 0;

			for (q = p; q < e && *q != ' '; q++)
				;
			for (i = 0; p + i < q; i++) {
				if (p[i] == '.' && !dot) {
					dot = 1;
				} else if (p[i] == ':' && !dot) {
					sec = (sec + cur) * 60;
					cur = 0;
				} else if (isdigit((unsigned char)p[i]) && (dot ? usec : cur) < (1ULL << 40)) {
					if (dot)
						usec = usec * 10 + (p[i] - '0');
					else
						cur = cur * 10 + (p[i] - '0');
				} else {
					ret = trace_err(err, errlen, line, "bad time '%.*s'",
							(int)(q - p > 24 ? 24 : q - p), p);
					goto out;
				}
			}
			sec += cur;
			if (!dot)
				goto bad_line;
			while (usec >= 1000000)
				usec /= 10;
			ts = sec * 1000000000ULL + usec * 1000;
			t->timed = 1;
			p = q;
			while (p < e && *p == ' ')
				p++;
		}
		if (tid > 0xffffffffULL)
			goto bad_pid;
		task = st_task(&st, (__u32)tid);
		if (!task) {
			ret = -ENOMEM;
			goto out;
		}
		if (e - p >= 3 && !memcmp(p, "+++", 3)) {
			if (memstr(p, e - p, "exited with") || memstr(p, e - p, "killed by")) {
				ev = trace_add(t, TR_EXIT, (__u32)tid, line);
				if (!ev) {
					ret = -ENOMEM;
					goto out;
				}
				ev->ts = ts;
			}
			continue;
		}
		if (e - p >= 3 && !memcmp(p, "---", 3)) {
			const struct st_sigtab *tab = &st.tabs[task->tab];
			int sig;

			p += 3;
			while (p < e && *p == ' ')
				p++;
			if (e - p >= 7 && !memcmp(p, "stopped", 7))
				continue;
			for (q = p; q < e && *q != ' '; q++)
				;
			sig = sig_number(p, q - p);
			if (sig < 0) {
				ret = trace_err(err, errlen, line, "unknown signal '%.*s'",
						(int)(q - p > 24 ? 24 : q - p), p);
				goto out;
			}
			if (sig < 64 && (tab->handled >> sig & 1)) {
				ev = trace_add(t, TR_SIG, (__u32)tid, line);
				if (!ev) {
					ret = -ENOMEM;
					goto out;
				}
				ev->ts = ts;
				ev->flags = (tab->restart >> sig & 1 ? TR_F_RESTART : 0) |
					    (tab->onstack >> sig & 1 ? TR_F_ONSTACK : 0);
				if (tab->oneshot >> sig & 1)
					st.tabs[task->tab].handled &= ~(1ULL << sig);
			}
			continue;
		}
		if (e - p >= 5 && !memcmp(p, "<... ", 5)) {
			resumed = 1;
			p += 5;
		}
		for (i = 0; p < e && (isalnum((unsigned char)*p) || *p == '_'); p++)
			if (i < sizeof(name) - 1)
				name[i++] = *p;
		name[i] = 0;
		if (!i)
			goto bad_line;
		if (resumed) {
			if (e - p < 9 || memcmp(p, " resumed>", 9)) {
				ret = trace_err(err, errlen, line, "expected '<... %s resumed>'", name);
				goto out;
			}
			p += 9;
		} else if (p >= e || *p != '(') {
			goto bad_line;
		} else {
			p++;
		}
		/* p: the arguments (after '(' or 'resumed>') */
		if (memrstr(p, e - p, "<unfinished ...>") == e - 16) {
			if (resumed) {
				ret = trace_err(err, errlen, line, "a resumed call unfinished again");
				goto out;
			}
			if (st_call_number(name) < 0)
				goto bad_call;
			if (task->start >= 0) {
				ret = trace_err(err, errlen, line, "task %llu starts %s while a call "
						"is unfinished", (unsigned long long)tid, name);
				goto out;
			}
			ev = trace_add(t, TR_NOP, (__u32)tid, line);
			if (!ev) {
				ret = -ENOMEM;
				goto out;
			}
			ev->ts = ts;
			task->start = (long)(t->n - 1);
			task->start_same_mm = st_same_mm(name, p, e - p);
			if (!strcmp(name, "rt_sigaction"))
				st_sigaction(&st.tabs[task->tab], p, e - p);
			continue;
		}
		{
			const char *eq = memrstr(p, e - p, " = "), *b = eq;
			__s64 r;
			int nr = st_call_number(name), same_mm;
			long start;

			if (nr < 0)
				goto bad_call;
			if (!eq) {
				ret = trace_err(err, errlen, line, "%s: no result (' = ')", name);
				goto out;
			}
			while (b > p && b[-1] == ' ')
				b--;
			if (!resumed && (b == p || b[-1] != ')')) {
				ret = trace_err(err, errlen, line, "%s: no result (') = ')", name);
				goto out;
			}
			q = eq + 3;
			if (st_result(q, e - q, &r)) {
				ret = trace_err(err, errlen, line, "%s: bad result '%.*s'", name,
						(int)(e - q > 24 ? 24 : e - q), q);
				goto out;
			}
			if (resumed && task->start < 0) {
				ret = trace_err(err, errlen, line, "'<... %s resumed>' without its "
						"start", name);
				goto out;
			}
			start = resumed ? task->start : -1;
			same_mm = resumed ? task->start_same_mm : st_same_mm(name, p, e - p);
			task->start = -1;
			if (is_fork_call(name) && r > 0) {
				struct st_task *child;
				int tab;

				if (start >= 0) {
					ev = &t->ev[start];
				} else {
					ev = trace_add(t, TR_FORK, (__u32)tid, line);
					if (!ev) {
						ret = -ENOMEM;
						goto out;
					}
					ev->ts = ts;
				}
				ev->kind = TR_FORK;
				ev->a = (__u64)r;
				ev->b = (__u64)r;
				ev->flags = same_mm ? TR_F_SAME_MM : 0;
				/* the child: the parent's dispositions, shared by threads */
				tab = task->tab;
				if (!memstr(p, e - p, "CLONE_SIGHAND") && !memstr(p, e - p, "CLONE_THREAD")) {
					tab = st_new_tab(&st, task->tab);
					if (tab < 0) {
						ret = -ENOMEM;
						goto out;
					}
				}
				/* the child's first event: its own return from the call,
				 * which strace does not print but the kernel's sys_exit sees */
				{
					size_t at = start >= 0 ? (size_t)start + 1 : t->n, k;
					__u64 fts = ev->ts;
					__u32 fline = ev->line;

					ev = trace_insert(t, at);
					if (!ev) {
						ret = -ENOMEM;
						goto out;
					}
					ev->kind = TR_CALL;
					ev->tid = (__u32)r;
					ev->line = fline;
					ev->ts = fts;
					ev->nr = nr;
					for (k = 0; k < st.ntasks; k++)
						if (st.tasks[k].start >= (long)at)
							st.tasks[k].start++;
				}
				child = st_task(&st, (__u32)r);
				task = st_task(&st, (__u32)tid);	/* st.tasks may have moved */
				if (!child || !task) {
					ret = -ENOMEM;
					goto out;
				}
				child->tab = tab;
			}
			if (!strcmp(name, "rt_sigaction") && !resumed)
				st_sigaction(&st.tabs[task->tab], p, e - p);
			if ((!strcmp(name, "execve") || !strcmp(name, "execveat")) && r == 0) {
				const char *args = p;
				size_t alen = e - p;

				if (resumed && start >= 0) {
					/* the path is on the start line: not kept; the name only */
					args = "\"?\"";
					alen = 3;
				}
				ev = trace_add(t, TR_EXEC, (__u32)tid, line);
				if (!ev) {
					ret = -ENOMEM;
					goto out;
				}
				ev->ts = ts;
				ev->nr = tid;
				ev->path = st_exec_path(args, alen);
				if (!ev->path) {
					ret = -ENOMEM;
					goto out;
				}
				/* a new program: default dispositions for handled signals */
				st.tabs[task->tab].handled = 0;
			}
			ev = trace_add(t, TR_CALL, (__u32)tid, line);
			if (!ev) {
				ret = -ENOMEM;
				goto out;
			}
			ev->ts = ts;
			ev->nr = !strcmp(name, "rt_sigreturn") ? -1 : nr;
			ev->ret = r;
		}
		continue;
bad_call:
		ret = trace_err(err, errlen, line, "unknown system call '%s'", name);
		goto out;
bad_pid:
		ret = trace_err(err, errlen, line, "bad pid column");
		goto out;
bad_line:
		ret = trace_err(err, errlen, line, "not a strace line (PID TIME NAME(ARGS) = RESULT)");
		goto out;
	}
	/* lines without a pid column: the first traced process, whose pid the
	 * first line with one that is no fork child names */
	if (st.unprefixed) {
		__u32 first = 0;
		size_t i, j;

		for (i = 0; i < t->n && !first; i++) {
			int child = 0;

			if (!t->ev[i].tid)
				continue;
			for (j = 0; j < i; j++)
				child |= t->ev[j].kind == TR_FORK && t->ev[j].a == t->ev[i].tid;
			if (!child)
				first = t->ev[i].tid;
		}
		for (i = 0; first && i < t->n; i++)
			if (!t->ev[i].tid)
				t->ev[i].tid = first;
	}
out:
	free(st.tasks);
	free(st.tabs);
	return ret;
}

int trace_parse(struct trace *t, const char *text, size_t len, int fmt, char *err, size_t errlen)
{
	int ret;

	if (fmt == TF_AUTO)
		fmt = trace_detect(text, len);
	t->format = fmt;
	switch (fmt) {
	case TF_STRACE:
		ret = parse_strace(t, text, len, err, errlen);
		break;
	case TF_ADFA:
		ret = parse_adfa(t, text, len, err, errlen);
		break;
	case TF_UNM:
		ret = parse_unm(t, text, len, err, errlen);
		break;
	case TF_EBPH:
		ret = parse_ebph(t, text, len, err, errlen);
		break;
	default:
		snprintf(err, errlen, "1: unknown format (use --format strace|adfa|unm|ebph)");
		return -EINVAL;
	}
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return ret;
}
