/* SPDX-License-Identifier: GPL-2.0-only */
/* test_trace.c: the trace parsers (trace.c) on small crafted traces, each
 * malformed-line case, and replay.c's evaluation on a generated labelled
 * set with known rates and AUC (check suite). */
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>

#include "syscalls.h"
#include "config.h"
#include "trace.h"
#include "replay.h"

static int parse(struct trace *t, const char *text, int fmt, char *err)
{
	memset(t, 0, sizeof(*t));
	return trace_parse(t, text, strlen(text), fmt, err, 256);
}

/* The kinds of t's events as letters: c call, s sig, f fork, x exec, e exit,
 * l lost, n nop. */
static const char *kinds(const struct trace *t)
{
	static char buf[256];
	static const char letter[] = "?csfxeln";
	size_t i;

	for (i = 0; i < t->n && i < sizeof(buf) - 1; i++)
		buf[i] = letter[t->ev[i].kind];
	buf[i] = 0;
	return buf;
}

START_TEST(test_trace_adfa)
{
	struct trace t;
	char err[256];

	ck_assert_int_eq(parse(&t, "6 6 63 6 42 120\n 6 195 120 6 6\n", TF_AUTO, err), 0);
	ck_assert_int_eq(t.format, TF_ADFA);
	ck_assert_uint_eq(t.n, 11);
	ck_assert_int_eq(t.ev[2].nr, 63);
	ck_assert_uint_eq(t.ev[6].line, 2);
	ck_assert_int_eq(t.timed, 0);
	trace_free(&t);
	ck_assert_int_eq(parse(&t, "6 6\n6 x7 6\n", TF_ADFA, err), -EINVAL);
	ck_assert_str_eq(err, "2: column 3: 'x7' is not a system call number");
	trace_free(&t);
	ck_assert_int_eq(parse(&t, "6 -1\n", TF_ADFA, err), -EINVAL);
	ck_assert_str_eq(err, "1: column 3: '-1' is not a system call number");
	trace_free(&t);
}
END_TEST

START_TEST(test_trace_unm)
{
	struct trace t;
	char err[256];

	ck_assert_int_eq(parse(&t, "551 5\n551 3\n552 90\n\n551 6\n", TF_AUTO, err), 0);
	ck_assert_int_eq(t.format, TF_UNM);
	ck_assert_str_eq(kinds(&t), "cccc");
	ck_assert_uint_eq(t.ev[2].tid, 552);
	ck_assert_int_eq(t.ev[2].nr, 90);
	ck_assert_uint_eq(t.ev[3].line, 5);
	trace_free(&t);
	ck_assert_int_eq(parse(&t, "551 5\n551\n", TF_UNM, err), -EINVAL);
	ck_assert_str_eq(err, "2: expected 'PID NUMBER', got 1 fields");
	trace_free(&t);
	ck_assert_int_eq(parse(&t, "551 5 7\n", TF_UNM, err), -EINVAL);
	ck_assert_str_eq(err, "1: expected 'PID NUMBER', got 3 fields");
	trace_free(&t);
	ck_assert_int_eq(parse(&t, "0 5\n", TF_UNM, err), -EINVAL);
	ck_assert_str_eq(err, "1: '0' is not a process ID");
	trace_free(&t);
	ck_assert_int_eq(parse(&t, "551 open\n", TF_UNM, err), -EINVAL);
	ck_assert_str_eq(err, "1: 'open' is not a system call number");
	trace_free(&t);
}
END_TEST

static const char strace_ok[] =
	"100 1700000000.000001 execve(\"/usr/bin/x\\\"y\", [\"x\"], 0x7ffd /* 1 var */) = 0\n"
	"100 1700000000.000002 rt_sigaction(SIGUSR1, {sa_handler=0x401000, sa_mask=[], "
	"sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x402000}, NULL, 8) = 0\n"
	"100 1700000000.000003 clone(child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD"
	" <unfinished ...>\n"
	"101 1700000000.000004 getpid()         = 101\n"
	"100 1700000000.000005 <... clone resumed>, child_tidptr=0x7f) = 101\n"
	"100 1700000000.000006 read(0,  <unfinished ...>\n"
	"100 1700000000.000007 <... read resumed>\"\", 1) = ? ERESTARTSYS (To be restarted "
	"if SA_RESTART is set)\n"
	"100 1700000000.000008 --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER} ---\n"
	"100 1700000000.000009 rt_sigreturn({mask=[]}) = 0\n"
	"100 1700000000.000010 read(0, \"a = b\", 1) = 1\n"
	"100 1700000000.000011 --- SIGCHLD {si_signo=SIGCHLD} ---\n"
	"101 1700000000.000012 exit_group(0)    = ?\n"
	"101 1700000000.000013 +++ exited with 0 +++\n"
	"100 1700000000.000014 open(\"/x\", O_RDONLY) = -1 ENOENT (No such file or directory)\n";

START_TEST(test_trace_strace)
{
	struct trace t;
	char err[256];

	ck_assert_int_eq(parse(&t, strace_ok, TF_AUTO, err), 0);
	ck_assert_int_eq(t.format, TF_STRACE);
	ck_assert_int_eq(t.timed, 1);
	/* exec + execve, rt_sigaction, fork at clone's start, child getpid,
	 * clone, read (restart), SIGUSR1 (handled; SIGCHLD is not), rt_sigreturn,
	 * read, exit_group, exit, open */
	/* the read's start is a nop; the child forks at clone's start and its
	 * first call is its return from clone; SIGCHLD has no handler: no window */
	ck_assert_str_eq(kinds(&t), "xccfcccncscccec");
	ck_assert_uint_eq(t.ev[4].tid, 101);
	ck_assert_int_eq(t.ev[4].nr, syscall_number("clone"));
	ck_assert_str_eq(t.ev[0].path, "/usr/bin/x\"y");
	ck_assert_uint_eq(t.ev[3].tid, 100);
	ck_assert_uint_eq(t.ev[3].a, 101);
	ck_assert_uint_eq(t.ev[3].line, 3);
	ck_assert_int_eq(t.ev[3].flags, 0);
	ck_assert_int_eq(t.ev[5].nr, syscall_number("getpid"));
	ck_assert_int_eq(t.ev[8].ret, -512);
	ck_assert_int_eq(t.ev[9].flags, TR_F_RESTART);
	ck_assert_int_eq(t.ev[10].nr, -1);
	ck_assert_uint_eq(t.ev[0].ts, 1700000000000001000ULL);
	trace_free(&t);
	/* no pid column (strace without -o): the first process's pid */
	ck_assert_int_eq(parse(&t, "getpid() = 7\n[pid  7] getppid() = 1\n", TF_STRACE, err), 0);
	ck_assert_uint_eq(t.ev[0].tid, 7);
	trace_free(&t);
}
END_TEST

/* Each malformed strace line: one message with its line. */
START_TEST(test_trace_strace_malformed)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "1 frobnicate(1) = 0\n", "1: unknown system call 'frobnicate'" },
		{ "1 read(0, \"\", 1)\n", "1: read: no result (' = ')" },
		{ "1 read(0, \"\", 1) = what\n", "1: read: bad result 'what'" },
		{ "1 getpid() = 1\n1 <... read resumed>) = 0\n", "2: '<... read resumed>' without its start" },
		{ "1 <... read resumed) = 0\n", "1: expected '<... read resumed>'" },
		{ "[pid x] getpid() = 1\n", "1: bad pid column" },
		{ "1 17000.00a1 getpid() = 1\n", "1: bad time '17000.00a1'" },
		{ "1 --- SIGFOO {} ---\n", "1: unknown signal 'SIGFOO'" },
		{ "1 hello world\n", "1: not a strace line (PID TIME NAME(ARGS) = RESULT)" },
		{ "1 read(0 <unfinished ...>\n1 write(1 <unfinished ...>\n",
		  "2: task 1 starts write while a call is unfinished" },
	};
	struct trace t;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(&t, bad[i].text, TF_STRACE, err), -EINVAL);
		ck_assert_str_eq(err, bad[i].err);
		trace_free(&t);
	}
}
END_TEST

START_TEST(test_trace_ebph)
{
	static const char ok[] =
		"# ebph-record 1 nr_syscalls=512\n"
		"5 10 x 10 266338304 77 /tmp/a\\x20b\n"
		"6 10 c 0 1 140000\n"
		"7 10 f 11 11 0\n"
		"# a comment\n"
		"8 10 s 139000 2 0 0 0\n"
		"9 10 c -1 0 140000\n"
		"10 11 e\n"
		"11 0 l 3\n";
	static const struct {
		const char *text, *err;
	} bad[] = {
		{ "hello\n", "1: not an ebph recording (no '# ebph-record 1')" },
		{ "# ebph-record 1\n5 10 q 1\n", "2: not a record (TS TID KIND ...)" },
		{ "# ebph-record 1\n5 10 c 1 2\n", "2: 'c' record: expected 6 fields, got 5" },
		{ "# ebph-record 1\n5 x c 1 2 3\n", "2: field 2: 'x' is not a number" },
		{ "# ebph-record 1\n5 10 c 1 2 sp\n", "2: field 6: 'sp' is not a number" },
		{ "# ebph-record 1\n5 10 x 10 1\n",
		  "2: exec record: expected TS TID x OLD_TID DEV INO PATH" },
	};
	struct trace t;
	char err[256];
	size_t i;

	ck_assert_int_eq(parse(&t, ok, TF_AUTO, err), 0);
	ck_assert_int_eq(t.format, TF_EBPH);
	ck_assert_uint_eq(t.nr_syscalls, 512);
	ck_assert_str_eq(kinds(&t), "xcfscel");
	ck_assert_str_eq(t.ev[0].path, "/tmp/a b");
	ck_assert_uint_eq(t.ev[0].a, 266338304);
	ck_assert_uint_eq(t.ev[0].b, 77);
	ck_assert_int_eq(t.ev[1].ret, 1);
	ck_assert_uint_eq(t.ev[1].sp, 140000);
	ck_assert_uint_eq(t.ev[3].flags, TR_F_RESTART);
	ck_assert_int_eq(t.ev[4].nr, -1);
	ck_assert_int_eq(t.ev[6].nr, 3);
	trace_free(&t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(parse(&t, bad[i].text, TF_EBPH, err), -EINVAL);
		ck_assert_str_eq(err, bad[i].err);
		trace_free(&t);
	}
}
END_TEST

static void put_file(const char *dir, const char *name, const char *pre, int n9, const char *post)
{
	char path[512];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(pre, f);
	for (i = 0; i < n9; i++)
		fputs("9 ", f);
	fputs(post, f);
	fclose(f);
}

/* 50 calls of the cycle 1 2 3 4 5 */
#define CYC "1 2 3 4 5 1 2 3 4 5 1 2 3 4 5 1 2 3 4 5 1 2 3 4 5 1 2 3 4 5 1 2 3 4 5 1 2 3 4 5 " \
	    "1 2 3 4 5 1 2 3 4 5 "

/*
 * A labelled set with known figures (window 9, defaults): train on the
 * cycle; normal: two clean traces and one with a single foreign call 9
 * (9 anomalies: the 9 and the 8 calls whose window holds it; max lfc 9);
 * attack: 20 foreign calls (28 anomalies, max lfc 28), one 9 (9, 9), clean.
 * Rule max lfc > 12: detected 1/3, false positives 0/3. AUC (Mann-Whitney)
 * = (3 + 2.5 + 1) / 9 on both scores. stide (k 6): one 9 makes 6 anomalies.
 */
START_TEST(test_replay_evaluate)
{
	char base[] = "/tmp/ebph-test-eval.XXXXXX", tr[600], no[600], at[600];
	struct ebph_config cfg;
	struct rp_eval_opts o = { 0 };
	struct rp_eval ev;
	size_t i;

	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(tr, sizeof(tr), "%s/train", base);
	snprintf(no, sizeof(no), "%s/normal", base);
	snprintf(at, sizeof(at), "%s/attack", base);
	ck_assert_int_eq(mkdir(tr, 0700), 0);
	ck_assert_int_eq(mkdir(no, 0700), 0);
	ck_assert_int_eq(mkdir(at, 0700), 0);
	for (i = 0; i < 3; i++) {
		char n[8];

		snprintf(n, sizeof(n), "t%zu", i);
		put_file(tr, n, CYC CYC, 0, "");
	}
	put_file(no, "n1", CYC CYC, 0, "");
	put_file(no, "n2", CYC, 0, CYC);
	put_file(no, "n3", CYC, 1, CYC);
	put_file(at, "a1", CYC, 20, CYC);
	put_file(at, "a2", CYC, 1, CYC);
	put_file(at, "a3", CYC CYC, 0, "");
	cfg_defaults(&cfg);
	o.cfg = &cfg;
	o.detector = RP_LOOKAHEAD;
	o.k = 6;
	o.format = TF_AUTO;
	o.profile = "trace";
	o.train = tr;
	o.normal = no;
	o.attack = at;
	ck_assert_int_eq(replay_evaluate(&o, &ev), 0);
	ck_assert_uint_eq(ev.n, 6);
	ck_assert_uint_eq(ev.normal, 3);
	ck_assert_uint_eq(ev.attack, 3);
	ck_assert_uint_eq(ev.res[2].anomalies, 9);	/* n3 */
	ck_assert_uint_eq(ev.res[2].max_lfc, 9);
	ck_assert_uint_eq(ev.res[2].first, 51);
	ck_assert_uint_eq(ev.res[3].anomalies, 28);	/* a1 */
	ck_assert_uint_eq(ev.res[3].max_lfc, 28);
	ck_assert_uint_eq(ev.res[3].first, 51);
	ck_assert_uint_eq(ev.res[0].anomalies + ev.res[1].anomalies + ev.res[5].anomalies, 0);
	ck_assert_uint_eq(ev.detected, 1);
	ck_assert_uint_eq(ev.false_pos, 0);
	ck_assert_double_eq_tol(ev.tpr, 1.0 / 3, 1e-9);
	ck_assert_double_eq_tol(ev.fpr, 0, 1e-9);
	ck_assert_double_eq_tol(ev.auc_lfc, 6.5 / 9, 1e-9);
	ck_assert_double_eq_tol(ev.auc_count, 6.5 / 9, 1e-9);
	replay_eval_free(&ev);
	o.detector = RP_STIDE;
	ck_assert_int_eq(replay_evaluate(&o, &ev), 0);
	ck_assert_uint_eq(ev.res[2].anomalies, 6);
	ck_assert_uint_eq(ev.res[3].anomalies, 25);
	ck_assert_uint_eq(ev.detected, 1);
	ck_assert_double_eq_tol(ev.auc_lfc, 6.5 / 9, 1e-9);
	replay_eval_free(&ev);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

static void put_text(const char *dir, const char *name, const char *text)
{
	put_file(dir, name, text, 0, "");
}

#define P_HEAD	"1 1.000001 execve(\"/bin/p\", [\"p\"], 0x0 /* 0 vars */) = 0\n" \
		"1 1.000002 getpid() = 1\n"
#define P_READ	"1 1.000003 read(0, \"\", 1) = 0\n"
#define P_SIG	"1 1.000004 rt_sigaction(SIGUSR1, {sa_handler=0x401000, sa_mask=[], " \
		"sa_flags=SA_RESTORER}, NULL, 8) = 0\n"
#define P_TAIL	"1 1.000007 clone(child_stack=NULL, flags=SIGCHLD) = 2\n" \
		"2 1.000008 getppid() = 1\n" \
		"2 1.000009 exit_group(0) = ?\n" \
		"1 1.000010 wait4(-1, NULL, 0, NULL) = 2\n" \
		"1 1.000011 exit_group(0) = ?\n"

/*
 * The monitor's task rules over strace traces, through an evaluation
 * trained on one trace: a write made in a signal handler's window (the
 * trace shows the handler installed) is learned there; the same write
 * without the signal lands in the main window: the write (no pairs at
 * all) and the 6 calls whose windows hold it are anomalies, the forked
 * child's included (it starts with the parent's window and its own return
 * from clone). A call restarted after ERESTARTNOHAND counts once.
 */
START_TEST(test_replay_strace_rules)
{
	char base[] = "/tmp/ebph-test-rules.XXXXXX", tr[600], no[600], at[600];
	struct ebph_config cfg;
	struct rp_eval_opts o = { 0 };
	struct rp_eval ev;

	ck_assert_ptr_nonnull(mkdtemp(base));
	snprintf(tr, sizeof(tr), "%s/train", base);
	snprintf(no, sizeof(no), "%s/normal", base);
	snprintf(at, sizeof(at), "%s/attack", base);
	ck_assert_int_eq(mkdir(tr, 0700), 0);
	ck_assert_int_eq(mkdir(no, 0700), 0);
	ck_assert_int_eq(mkdir(at, 0700), 0);
	put_text(tr, "t", P_HEAD P_READ P_SIG
		 "1 1.000005 --- SIGUSR1 {si_signo=SIGUSR1} ---\n"
		 "1 1.000005 write(1, \"x\", 1) = 1\n"
		 "1 1.000006 rt_sigreturn({mask=[]}) = 0\n" P_TAIL);
	put_text(no, "same", P_HEAD P_READ P_SIG
		 "1 1.000005 --- SIGUSR1 {si_signo=SIGUSR1} ---\n"
		 "1 1.000005 write(1, \"x\", 1) = 1\n"
		 "1 1.000006 rt_sigreturn({mask=[]}) = 0\n" P_TAIL);
	put_text(at, "a1-nosignal", P_HEAD P_READ P_SIG
		 "1 1.000005 write(1, \"x\", 1) = 1\n" P_TAIL);
	put_text(at, "a2-restart", P_HEAD
		 "1 1.000003 read(0,  <unfinished ...>\n"
		 "1 1.000003 <... read resumed>\"\", 1) = ? ERESTARTNOHAND (To be restarted)\n"
		 P_READ P_SIG
		 "1 1.000005 --- SIGUSR1 {si_signo=SIGUSR1} ---\n"
		 "1 1.000005 write(1, \"x\", 1) = 1\n"
		 "1 1.000006 rt_sigreturn({mask=[]}) = 0\n" P_TAIL);
	cfg_defaults(&cfg);
	o.cfg = &cfg;
	o.k = 6;
	o.profile = "trace";
	o.train = tr;
	o.normal = no;
	o.attack = at;
	ck_assert_int_eq(replay_evaluate(&o, &ev), 0);
	ck_assert_uint_eq(ev.n, 3);
	ck_assert_uint_eq(ev.res[0].anomalies, 0);	/* the same trace */
	ck_assert_uint_eq(ev.res[0].calls, 11);	/* rt_sigreturn is no call */
	ck_assert_uint_eq(ev.res[1].anomalies, 7);	/* no signal window */
	ck_assert_uint_eq(ev.res[1].first, 5);
	ck_assert_uint_eq(ev.res[2].anomalies, 0);	/* the restarted read once */
	ck_assert_uint_eq(ev.res[2].calls, 11);
	replay_eval_free(&ev);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_trace_adfa);
	tcase_add_test(tc, test_trace_unm);
	tcase_add_test(tc, test_trace_strace);
	tcase_add_test(tc, test_trace_strace_malformed);
	tcase_add_test(tc, test_trace_ebph);
	tcase_add_test(tc, test_replay_evaluate);
	tcase_add_test(tc, test_replay_strace_rules);
	suite_add_tcase(s, tc);
	return s;
}
