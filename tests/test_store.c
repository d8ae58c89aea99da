/* SPDX-License-Identifier: GPL-2.0-only */
/* test_store.c: check suite for store.c (file format, saves, loads, bad files, pruning). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <check.h>

#include "store.h"

#define WINDOW		9
#define HDR		48
#define FIXED		78
#define EVIDENCE	32	/* version 2's trailer */
#define ROW		(2 + EBPH_ROW_BYTES)
#define MAX_FILE	(HDR + FIXED + EBPH_PATH_MAX - 1 + 2 * EBPH_NR_CALLS * ROW + EVIDENCE + 14 + 128 + \
			 34 + EBPH_EDGES_MAX * 33 + 10 + EBPH_CGROUP_MAX - 1)
#define NOBODY		65534
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static char dir[64];		/* this test's state_dir (mkdtemp, 0700) */

static __u32 rd32(const __u8 *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (__u32)b[3] << 24;
}

static __u64 rd64(const __u8 *b)
{
	return rd32(b) | (__u64)rd32(b + 4) << 32;
}

static void wr32(__u8 *b, __u32 v)
{
	b[0] = v;
	b[1] = v >> 8;
	b[2] = v >> 16;
	b[3] = v >> 24;
}

static void wr64(__u8 *b, __u64 v)
{
	wr32(b, v);
	wr32(b + 4, v >> 32);
}

/* CRC-32 bit by bit: the reference for store.c's table. */
static __u32 ref_crc(__u32 crc, const __u8 *b, size_t n)
{
	int k;

	crc = ~crc;
	while (n--) {
		crc ^= *b++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? 0xedb88320 ^ (crc >> 1) : crc >> 1;
	}
	return ~crc;
}

/* Recompute the checksum of an edited file image. */
static void reseal(__u8 *b, size_t len)
{
	wr32(b + 44, ref_crc(ref_crc(0, b, 44), b + HDR, len - HDR));
}

static unsigned int rnd_state;

static unsigned int rnd(void)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return rnd_state >> 8;
}

/* A profile with seeded content: ntrain/ntest rows at increasing calls. */
static void make_profile(struct store_profile *p, unsigned int seed, __u32 state, __u32 ntrain,
			 __u32 ntest)
{
	__u32 i, c;

	memset(p, 0, sizeof(*p));
	rnd_state = seed;
	p->key.dev = (259ULL << 20) | (seed & 0xfffff);
	p->key.ino = 0x1234500000000ULL + seed;	/* 64-bit inode */
	p->train_count = 1000000ULL * seed + 17;
	p->last_mod_count = 1000ULL * seed + 3;
	p->sequences = seed * 7 + 1;
	p->anomalies = seed % 5;
	p->state = state;
	p->normal_time = 1764000000000000000LL + seed;
	p->normal_since = state == EBPH_NORMAL ? 1763000000000000000LL - seed : 0;
	p->anomalies_total = 11ULL * seed + 5;
	p->last_anomaly = 1765000000000000000LL + seed;
	p->anomalies_lost = seed % 3;
	p->events_lost = seed % 7;
	snprintf(p->path, sizeof(p->path), "/usr/lib/ebph-test/prog-%u", seed);
	p->ntrain = ntrain;
	p->ntest = ntest;
	p->train = ntrain ? calloc(ntrain, sizeof(*p->train)) : NULL;
	p->test = ntest ? calloc(ntest, sizeof(*p->test)) : NULL;
	for (i = 0, c = rnd() % 3; i < ntrain; i++, c += 1 + rnd() % 2) {
		p->train[i].call = ntrain == EBPH_NR_CALLS ? i : c % EBPH_NR_CALLS;
		p->train[i].bits[rnd() % EBPH_NR_CALLS] = rnd() & 0xff;
		p->train[i].bits[rnd() % EBPH_NR_CALLS] |= 1;
	}
	for (i = 0, c = rnd() % 5; i < ntest; i++, c += 1 + rnd() % 2) {
		p->test[i].call = ntest == EBPH_NR_CALLS ? i : c % EBPH_NR_CALLS;
		p->test[i].bits[rnd() % EBPH_NR_CALLS] = 0x80 | (rnd() & 0x7f);
	}
}

static void assert_profile_eq(const struct store_profile *a, const struct store_profile *b)
{
	ck_assert_uint_eq(a->key.dev, b->key.dev);
	ck_assert_uint_eq(a->key.ino, b->key.ino);
	ck_assert_uint_eq(a->train_count, b->train_count);
	ck_assert_uint_eq(a->last_mod_count, b->last_mod_count);
	ck_assert_uint_eq(a->sequences, b->sequences);
	ck_assert_uint_eq(a->anomalies, b->anomalies);
	ck_assert_int_eq(a->normal_time, b->normal_time);
	ck_assert_int_eq(a->normal_since, b->normal_since);
	ck_assert_uint_eq(a->anomalies_total, b->anomalies_total);
	ck_assert_int_eq(a->last_anomaly, b->last_anomaly);
	ck_assert_uint_eq(a->anomalies_lost, b->anomalies_lost);
	ck_assert_uint_eq(a->events_lost, b->events_lost);
	ck_assert_uint_eq(a->state, b->state);
	ck_assert_str_eq(a->path, b->path);
	ck_assert_uint_eq(a->ntrain, b->ntrain);
	ck_assert_uint_eq(a->ntest, b->ntest);
	ck_assert(!a->ntrain || !memcmp(a->train, b->train, a->ntrain * sizeof(*a->train)));
	ck_assert(!a->ntest || !memcmp(a->test, b->test, a->ntest * sizeof(*a->test)));
	ck_assert_uint_eq(a->key.script, b->key.script);
	ck_assert_uint_eq(a->pflags, b->pflags);
	ck_assert_uint_eq(a->episodes, b->episodes);
	ck_assert_int_eq(a->episode_first, b->episode_first);
	ck_assert_uint_eq(a->nedges, b->nedges);
	ck_assert(!a->nedges || !memcmp(a->edges, b->edges, a->nedges * sizeof(*a->edges)));
}

/* The exec-graph trailer (flag bit 1): script, flags, episodes and edges
 * round-trip, after a file handle; a profile without them has no trailer
 * (the file as before); bad content is refused with a reason. */
START_TEST(test_store_graph_trailer)
{
	struct store_profile p, q;
	char err[256], name[128];
	size_t len, plain;
	void *b;
	__u32 i;

	make_profile(&p, 21, EBPH_NORMAL, 3, 2);
	ck_assert_int_eq(store_encode(&p, WINDOW, &b, &plain), 0);
	ck_assert_uint_eq(((__u8 *)b)[32] & 2, 0);
	free(b);
	p.key.script = 0xabcdef0123ULL;
	p.pflags = EBPH_PF_NO_TOLERIZE;
	p.episodes = 4;
	p.episode_first = 1765000000000000123LL;
	p.handle_len = 8;
	p.handle_type = 1;
	memset(p.handle, 7, 8);
	p.nedges = 3;
	p.edges = calloc(3, sizeof(*p.edges));
	for (i = 0; i < 3; i++) {
		p.edges[i].child.dev = (8ULL << 20) | i;
		p.edges[i].child.ino = 100 + i;
		p.edges[i].child.script = i == 2 ? 0x55 : 0;
		p.edges[i].train = i != 1;
		p.edges[i].test = i != 0;
	}
	ck_assert_int_eq(store_encode(&p, WINDOW, &b, &len), 0);
	ck_assert_uint_eq(((__u8 *)b)[32], 3);
	ck_assert_uint_eq(len, plain + 14 + 8 + 34 + 3 * 33);
	ck_assert_int_eq(store_decode(b, len, WINDOW, &q, err, sizeof(err)), 0);
	assert_profile_eq(&p, &q);
	ck_assert_uint_eq(q.handle_len, 8);
	store_profile_free(&q);
	store_file_name(&p.key, name, sizeof(name));
	ck_assert_str_eq(name, "10300015-1234500000015~sabcdef0123.prof");
	free(b);

	/* a tested edge in a profile that is not normal */
	p.state = EBPH_TRAINING;
	p.ntest = 0;
	ck_assert_int_eq(store_encode(&p, WINDOW, &b, &len), -EINVAL);
	p.state = EBPH_NORMAL;
	p.ntest = 2;
	/* an edge in no view, an edge twice */
	p.edges[0].train = 0;
	p.edges[0].test = 0;
	ck_assert_int_eq(store_encode(&p, WINDOW, &b, &len), -EINVAL);
	p.edges[0] = p.edges[1];
	ck_assert_int_eq(store_encode(&p, WINDOW, &b, &len), -EINVAL);
	store_profile_free(&p);
}
END_TEST

/* Two scripts of one interpreter: two profiles, two files (their keys
 * differ only in script). */
START_TEST(test_store_scripts_are_distinct)
{
	struct store_profile two[2];
	char err[256], name[128], path[512];
	size_t failed = 9;

	make_profile(&two[0], 31, EBPH_TRAINING, 2, 0);
	make_profile(&two[1], 31, EBPH_TRAINING, 2, 0);
	two[0].key.script = 0x11;
	two[1].key.script = 0x22;
	ck_assert_int_eq(store_save(dir, WINDOW, two, 2, &failed, err, sizeof(err)), 0);
	ck_assert_uint_eq(failed, 0);
	store_file_name(&two[1].key, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_ptr_nonnull(strstr(name, "~s22.prof"));
	store_profile_free(&two[0]);
	store_profile_free(&two[1]);
}
END_TEST

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static void setup(void)
{
	strcpy(dir, "/tmp/ebph-store.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* The test's directory and the files next to it (some tests' executables). */
static void teardown(void)
{
	static const char *const extra[] = { "-bin", "-victim", ".stderr" };
	char path[96];
	size_t i;

	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, extra[i]);
		nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
}

static char *path_in(const char *name)
{
	static char buf[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void write_file(const char *name, const void *b, size_t len, mode_t mode)
{
	int fd = open(path_in(name), O_CREAT | O_TRUNC | O_WRONLY, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, b, len), (ssize_t)len);
	ck_assert_int_eq(fchmod(fd, mode), 0);
	close(fd);
}

static size_t read_file(const char *path, __u8 *b, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, b, cap);
	ck_assert_int_ge(n, 0);
	close(fd);
	return n;
}

/* stderr of the code between capture_start and capture_end, as a string. */
static int saved_stderr = -1;
static char cap_path[80];

static void capture_start(void)
{
	int fd;

	snprintf(cap_path, sizeof(cap_path), "%s.stderr", dir);
	fd = open(cap_path, O_CREAT | O_TRUNC | O_RDWR, 0600);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static char *capture_end(void)
{
	static char text[1 << 20];
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	n = read_file(cap_path, (__u8 *)text, sizeof(text) - 1);
	text[n] = 0;
	unlink(cap_path);
	return text;
}

/* store_load callback: keep every profile (takes its rows). */
struct collected {
	struct store_profile p[64];
	int n;
	int stop_after;		/* return -ECANCELED after this many (0 = never) */
};

static int collect(struct store_profile *p, void *arg)
{
	struct collected *c = arg;

	if (c->stop_after && c->n == c->stop_after) {
		store_profile_free(p);
		return -ECANCELED;
	}
	if (c->n == (int)ARRAY_SIZE(c->p)) {
		store_profile_free(p);
		return 0;
	}
	c->p[c->n++] = *p;
	return 0;
}

static void collected_free(struct collected *c)
{
	while (c->n)
		store_profile_free(&c->p[--c->n]);
}

static const struct store_profile *find_key(const struct collected *c, const struct ebph_key *k)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->p[i].key.dev == k->dev && c->p[i].key.ino == k->ino)
			return &c->p[i];
	return NULL;
}

/* Encode p (must succeed). */
static __u8 *encode(const struct store_profile *p, size_t *len)
{
	void *buf = NULL;

	ck_assert_int_eq(store_encode(p, WINDOW, &buf, len), 0);
	return buf;
}

/* Decode must fail with -EINVAL and exactly this reason. */
static void assert_refused(const __u8 *b, size_t len, __u32 window, const char *reason)
{
	struct store_profile q;
	char err[256] = "";

	ck_assert_int_eq(store_decode(b, len, window, &q, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, reason);
	ck_assert_ptr_null(q.train);
	ck_assert_ptr_null(q.test);
}

/* The reason for a file cut to len bytes (full bytes when whole). */
static void truncated_reason(size_t len, size_t full, char *buf, size_t n)
{
	if (!len)
		snprintf(buf, n, "empty file");
	else if (len < HDR)
		snprintf(buf, n, "truncated (%zu of at least %d bytes)", len, HDR);
	else
		snprintf(buf, n, "truncated (%zu of %zu bytes)", len, full);
}

/* The reason for image b (len bytes) whose byte at off was changed. */
static void flipped_reason(const __u8 *b, size_t len, size_t off, char *buf, size_t n)
{
	__u64 pl;

	if (off < 8)
		snprintf(buf, n, "not an ebph profile (bad magic)");
	else if (off < 12)
		snprintf(buf, n, "format version %u, this ebph reads 1 to 2", rd32(b + 8));
	else if (off < 16)
		snprintf(buf, n, "header size %u, expected 48", rd32(b + 12));
	else if (off < 20)
		snprintf(buf, n, "window %u, this ebph uses %u", rd32(b + 16), WINDOW);
	else if (off < 24)
		snprintf(buf, n, "alphabet %u calls, this ebph has %u", rd32(b + 20),
			 EBPH_NR_CALLS);
	else if (off < 28)
		snprintf(buf, n, "row size %u bytes, expected %u", rd32(b + 24), EBPH_ROW_BYTES);
	else if (off < 32)
		snprintf(buf, n, "architecture %u, this machine is 62", rd32(b + 28));
	else if (off < 36 && (rd32(b + 32) & ~1U))
		snprintf(buf, n, "unknown flags 0x%x", rd32(b + 32));
	else if (off < 36)
		snprintf(buf, n, "checksum mismatch");	/* bit 0: a handle, then the sum */
	else if (off < 44) {
		pl = rd64(b + 36);
		if (pl > MAX_FILE - HDR)
			snprintf(buf, n, "payload length %llu out of range (at most %d)",
				 (unsigned long long)pl, MAX_FILE - HDR);
		else if (len < HDR + pl)
			snprintf(buf, n, "truncated (%zu of %llu bytes)", len,
				 (unsigned long long)pl + HDR);
		else
			snprintf(buf, n, "trailing bytes (%zu bytes, expected %llu)", len,
				 (unsigned long long)pl + HDR);
	} else {
		snprintf(buf, n, "checksum mismatch");
	}
}

START_TEST(test_store_crc32_matches_reference)
{
	struct store_profile p;
	size_t len;
	__u8 *b;

	ck_assert_uint_eq(ref_crc(0, (const __u8 *)"123456789", 9), 0xcbf43926);
	make_profile(&p, 3, EBPH_NORMAL, 40, 20);
	b = encode(&p, &len);
	ck_assert_uint_eq(rd32(b + 44), ref_crc(ref_crc(0, b, 44), b + HDR, len - HDR));
	free(b);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_store_encode_layout)
{
	struct store_profile p;
	size_t len, plen;
	__u8 *b, *q;

	make_profile(&p, 9, EBPH_NORMAL, 3, 2);
	plen = strlen(p.path);
	b = encode(&p, &len);
	ck_assert_uint_eq(len, HDR + FIXED + plen + 5 * ROW + EVIDENCE);
	ck_assert(!memcmp(b, "EBPHPROF", 8));
	ck_assert_uint_eq(rd32(b + 8), 2);
	ck_assert_uint_eq(rd32(b + 12), HDR);
	ck_assert_uint_eq(rd32(b + 16), WINDOW);
	ck_assert_uint_eq(rd32(b + 20), EBPH_NR_CALLS);
	ck_assert_uint_eq(rd32(b + 24), EBPH_ROW_BYTES);
#ifdef __x86_64__
	ck_assert_uint_eq(rd32(b + 28), 62);
#endif
	ck_assert_uint_eq(rd32(b + 32), 0);
	ck_assert_uint_eq(rd64(b + 36), len - HDR);
	q = b + HDR;
	ck_assert_uint_eq(rd64(q), p.key.dev);
	ck_assert_uint_eq(rd64(q + 8), p.key.ino);
	ck_assert_uint_eq(rd64(q + 16), p.train_count);
	ck_assert_uint_eq(rd64(q + 24), p.last_mod_count);
	ck_assert_uint_eq(rd64(q + 32), p.sequences);
	ck_assert_uint_eq(rd64(q + 40), p.anomalies);
	ck_assert_uint_eq(rd32(q + 48), EBPH_NORMAL);
	ck_assert_uint_eq(rd64(q + 52), (__u64)p.normal_time);
	ck_assert_uint_eq(rd64(q + 60), (__u64)p.normal_since);
	ck_assert_uint_eq(q[68] | q[69] << 8, plen);
	ck_assert(!memcmp(q + 70, p.path, plen));
	q += 70 + plen;
	ck_assert_uint_eq(rd32(q), 3);
	ck_assert_uint_eq(rd32(q + 4), 2);
	ck_assert_uint_eq(q[8] | q[9] << 8, p.train[0].call);
	ck_assert(!memcmp(q + 10, p.train[0].bits, EBPH_ROW_BYTES));
	q += 8 + 3 * ROW;
	ck_assert_uint_eq(q[0] | q[1] << 8, p.test[0].call);
	ck_assert(!memcmp(q + 2 + ROW, p.test[1].bits, EBPH_ROW_BYTES));
	q += 2 * ROW;
	ck_assert_uint_eq(rd64(q), p.anomalies_total);
	ck_assert_uint_eq(rd64(q + 8), (__u64)p.last_anomaly);
	ck_assert_uint_eq(rd64(q + 16), p.anomalies_lost);
	ck_assert_uint_eq(rd64(q + 24), p.events_lost);
	ck_assert_ptr_eq(q + EVIDENCE, b + len);
	free(b);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_store_round_trip)
{
	static const struct {
		__u32 state, ntrain, ntest;
		int plen;		/* -1: as made; else path of this many 'x' */
	} cases[] = {
		{ EBPH_TRAINING, 0, 0, -1 },
		{ EBPH_TRAINING, 1, 0, 0 },
		{ EBPH_FROZEN, 30, 0, 1 },
		{ EBPH_NORMAL, 30, 25, EBPH_PATH_MAX - 1 },
		{ EBPH_NORMAL, 0, 0, -1 },
		{ EBPH_NORMAL, EBPH_NR_CALLS, EBPH_NR_CALLS, -1 },
	};
	struct store_profile p, q;
	char err[256];
	size_t i, len;
	__u8 *b;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		make_profile(&p, 100 + i, cases[i].state, cases[i].ntrain, cases[i].ntest);
		if (cases[i].plen >= 0) {
			memset(p.path, 0, sizeof(p.path));
			memset(p.path, 'x', cases[i].plen);
		}
		p.normal_time = -(__s64)i;	/* signed: kept as is */
		p.key.dev = 0xfffffffffULL;
		p.key.ino = ~0ULL - i;
		b = encode(&p, &len);
		err[0] = 0;
		ck_assert_int_eq(store_decode(b, len, WINDOW, &q, err, sizeof(err)), 0);
		ck_assert_str_eq(err, "");
		assert_profile_eq(&p, &q);
		store_profile_free(&q);
		free(b);
		store_profile_free(&p);
	}
}
END_TEST

/* A file written before the pseudo-calls (alphabet 512, 512-byte rows, by
 * ebph 0.1: tests/data) loads, its rows zero-extended, and saves again in
 * today's format with the same content. */
START_TEST(test_store_decode_alphabet_512_file)
{
	static const char path[] = "tests/data/fe00000-3c8f8.prof";
	struct store_profile p, q;
	char err[256] = "";
	__u8 buf[4096], *b;
	size_t len, n;
	FILE *f;
	__u32 c;

	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ck_assert_uint_eq(len, 645);
	ck_assert_uint_eq(rd32(buf + 20), 512);
	ck_assert_int_eq(store_decode(buf, len, WINDOW, &p, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_uint_eq(p.key.dev, 0xfe00000);
	ck_assert_uint_eq(p.key.ino, 0x3c8f8);
	ck_assert_uint_eq(p.train_count, 3);
	ck_assert_uint_eq(p.sequences, 2);
	ck_assert_str_eq(p.path, "sleep");
	ck_assert_uint_eq(p.ntrain, 1);
	ck_assert_uint_eq(p.ntest, 0);
	ck_assert_uint_eq(p.train[0].call, 3);
	for (c = 0; c < EBPH_ROW_BYTES; c++)
		ck_assert_uint_eq(p.train[0].bits[c], c == 3 ? 1 : c == 230 ? 3 : 0);
	b = encode(&p, &n);
	ck_assert_uint_eq(rd32(b + 20), EBPH_NR_CALLS);
	ck_assert_uint_eq(n, len + (EBPH_ROW_BYTES - 512) + EVIDENCE);
	ck_assert_int_eq(store_decode(b, n, WINDOW, &q, err, sizeof(err)), 0);
	assert_profile_eq(&p, &q);
	/* an old file still has to be consistent: a call beyond its alphabet is refused */
	buf[48 + 78 + 5] = 0x00;	/* the first row's call (u16) */
	buf[48 + 78 + 5 + 1] = 0x02;	/* call 512 */
	reseal(buf, len);
	assert_refused(buf, len, WINDOW, "training row 0: call 512 beyond the alphabet (512 calls)");
	free(b);
	store_profile_free(&p);
	store_profile_free(&q);
}
END_TEST

/* A path filling the whole array (no NUL) is saved as its first 255 bytes. */
START_TEST(test_store_round_trip_full_path)
{
	struct store_profile p, q;
	size_t len;
	__u8 *b;

	make_profile(&p, 5, EBPH_TRAINING, 2, 0);
	memset(p.path, 'p', sizeof(p.path));
	b = encode(&p, &len);
	ck_assert_int_eq(store_decode(b, len, WINDOW, &q, NULL, 0), 0);
	ck_assert_uint_eq(strlen(q.path), EBPH_PATH_MAX - 1);
	ck_assert(!memcmp(q.path, p.path, EBPH_PATH_MAX - 1));
	store_profile_free(&q);
	free(b);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_store_decode_every_truncation)
{
	struct store_profile p;
	char reason[128];
	size_t len, l;
	__u8 *b, *cut;

	make_profile(&p, 11, EBPH_NORMAL, 3, 2);
	b = encode(&p, &len);
	for (l = 0; l < len; l++) {
		/* a buffer of exactly l bytes, so valgrind sees any over-read */
		cut = malloc(l ? l : 1);
		memcpy(cut, b, l);
		truncated_reason(l, len, reason, sizeof(reason));
		assert_refused(cut, l, WINDOW, reason);
		free(cut);
	}
	free(b);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_store_decode_every_flip)
{
	static const __u8 masks[] = { 0x01, 0x80, 0xff };
	struct store_profile p;
	char reason[128];
	size_t len, off, m;
	__u8 *b, *f;

	make_profile(&p, 12, EBPH_NORMAL, 3, 2);
	b = encode(&p, &len);
	f = malloc(len);
	for (off = 0; off < len; off++) {
		for (m = 0; m < ARRAY_SIZE(masks); m++) {
			memcpy(f, b, len);
			f[off] ^= masks[m];
			flipped_reason(f, len, off, reason, sizeof(reason));
			assert_refused(f, len, WINDOW, reason);
		}
	}
	free(f);
	free(b);
	store_profile_free(&p);
}
END_TEST

/* A version 1 file (before the evidence trailer) still loads, with the
 * evidence counters 0 and everything else as saved. */
START_TEST(test_store_decode_version1)
{
	struct store_profile p, q;
	char err[256] = "";
	size_t len;
	__u8 *b;

	make_profile(&p, 4, EBPH_NORMAL, 5, 3);
	b = encode(&p, &len);
	len -= EVIDENCE;
	wr32(b + 8, 1);
	wr64(b + 36, len - HDR);
	wr32(b + 44, ref_crc(ref_crc(0, b, 44), b + HDR, len - HDR));
	ck_assert_int_eq(store_decode(b, len, WINDOW, &q, err, sizeof(err)), 0);
	p.anomalies_total = 0;
	p.last_anomaly = 0;
	p.anomalies_lost = 0;
	p.events_lost = 0;
	assert_profile_eq(&p, &q);
	store_profile_free(&q);
	free(b);
	/* a version 1 header on a file with the trailer: refused, length wrong */
	b = encode(&p, &len);
	wr32(b + 8, 1);
	wr32(b + 44, ref_crc(ref_crc(0, b, 44), b + HDR, len - HDR));
	ck_assert_int_eq(store_decode(b, len, WINDOW, &q, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "its content needs"));
	free(b);
	store_profile_free(&p);
}
END_TEST

/* Header fields of another ebph, each with a valid checksum. */
START_TEST(test_store_decode_foreign_header)
{
	static const struct {
		size_t off;
		__u32 val;
		const char *reason;
	} cases[] = {
		{ 8, 7, "format version 7, this ebph reads 1 to 2" },
		{ 8, 0, "format version 0, this ebph reads 1 to 2" },
		{ 12, 64, "header size 64, expected 48" },
		{ 16, 5, "window 5, this ebph uses 9" },
		{ 20, 448, "alphabet 448 calls, this ebph has 576" },
		{ 24, 456, "row size 456 bytes, expected 576" },
		{ 28, 183, "architecture 183, this machine is 62" },
		{ 32, 8, "unknown flags 0x8" },
	};
	struct store_profile p, q;
	char err[256];
	size_t len, i;
	__u8 *b;

	ck_assert_int_eq(EBPH_NR_CALLS, 576);	/* the reasons above assume it */
	make_profile(&p, 13, EBPH_FROZEN, 4, 0);
	for (i = 0; i < p.ntrain; i++)	/* pairs that fit window 5 as well */
		for (len = 0; len < EBPH_ROW_BYTES; len++)
			p.train[i].bits[len] &= 0x0f;
	b = encode(&p, &len);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		__u8 save[4];

		memcpy(save, b + cases[i].off, 4);
		wr32(b + cases[i].off, cases[i].val);
		reseal(b, len);
		assert_refused(b, len, WINDOW, cases[i].reason);
		memcpy(b + cases[i].off, save, 4);
	}
	memcpy(b, "EBPHPROX", 8);
	reseal(b, len);
	assert_refused(b, len, WINDOW, "not an ebph profile (bad magic)");
	assert_refused((const __u8 *)"EBPH", 4, WINDOW, "truncated (4 of at least 48 bytes)");
	assert_refused((const __u8 *)"\x7f" "ELF", 4, WINDOW, "not an ebph profile (bad magic)");
	memcpy(b, "EBPHPROF", 8);

	/* window 0 takes the file's own window (prune); out-of-range windows never */
	wr32(b + 16, 5);
	reseal(b, len);
	ck_assert_int_eq(store_decode(b, len, 0, &q, err, sizeof(err)), 0);
	assert_profile_eq(&p, &q);
	store_profile_free(&q);
	assert_refused(b, len, 9, "window 5, this ebph uses 9");
	wr32(b + 16, 10);
	reseal(b, len);
	assert_refused(b, len, 0, "window 10 out of range (2..9)");
	wr32(b + 16, 1);
	reseal(b, len);
	assert_refused(b, len, 0, "window 1 out of range (2..9)");
	free(b);
	store_profile_free(&p);
}
END_TEST

/* Inconsistent content under a valid checksum (a buggy writer). */
START_TEST(test_store_decode_bad_content)
{
	struct store_profile p;
	size_t len, plen, rows;
	__u8 *b, *big, *q;
	char reason[128];

	make_profile(&p, 14, EBPH_NORMAL, 3, 2);
	plen = strlen(p.path);
	b = encode(&p, &len);
	q = b + HDR;
	rows = HDR + FIXED + plen;

	wr32(q + 48, 3);
	reseal(b, len);
	assert_refused(b, len, WINDOW, "invalid state 3");
	wr32(q + 48, EBPH_FROZEN);
	reseal(b, len);
	assert_refused(b, len, WINDOW, "2 testing rows in a frozen profile");
	wr32(q + 48, EBPH_NORMAL);

	q[70 + 4] = 0;
	reseal(b, len);
	assert_refused(b, len, WINDOW, "path contains a NUL byte");
	q[70 + 4] = p.path[4];
	q[68] = 0;
	q[69] = 1;	/* 256 */
	reseal(b, len);
	assert_refused(b, len, WINDOW, "path of 256 bytes, at most 255");
	q[68] = plen;
	q[69] = 0;

	wr32(q + 70 + plen, 600);
	reseal(b, len);
	assert_refused(b, len, WINDOW, "600 training and 2 testing rows (at most 576 each)");
	wr32(q + 70 + plen, 2);
	reseal(b, len);
	snprintf(reason, sizeof(reason), "payload of %zu bytes, its content needs %zu",
		 len - HDR, len - HDR - ROW);
	assert_refused(b, len, WINDOW, reason);
	wr32(q + 70 + plen, 3);

	/* rows: duplicate, decreasing, beyond the alphabet */
	b[rows + ROW] = b[rows];
	b[rows + ROW + 1] = b[rows + 1];
	reseal(b, len);
	snprintf(reason, sizeof(reason), "training row 1: call %u after call %u (calls must be "
		 "strictly increasing)", p.train[0].call, p.train[0].call);
	assert_refused(b, len, WINDOW, reason);
	b[rows + ROW] = p.train[0].call - 1;
	b[rows + ROW + 1] = (p.train[0].call - 1) >> 8;
	reseal(b, len);
	snprintf(reason, sizeof(reason), "training row 1: call %u after call %u (calls must be "
		 "strictly increasing)", p.train[0].call - 1, p.train[0].call);
	if (p.train[0].call > 0)
		assert_refused(b, len, WINDOW, reason);
	b[rows + ROW] = p.train[1].call;
	b[rows + ROW + 1] = p.train[1].call >> 8;
	b[rows + 4 * ROW] = EBPH_NR_CALLS & 0xff;
	b[rows + 4 * ROW + 1] = EBPH_NR_CALLS >> 8;
	reseal(b, len);
	assert_refused(b, len, WINDOW, "testing row 1: call 576 beyond the alphabet (576 calls)");
	b[rows + 4 * ROW] = p.test[1].call;
	b[rows + 4 * ROW + 1] = p.test[1].call >> 8;

	/* pairs at distance 4 (bit 3) fit window 5, distance 8 (bit 7) does not */
	{
		struct store_profile r;
		__u8 *w;
		size_t wlen;
		__u32 i;

		make_profile(&r, 16, EBPH_NORMAL, 2, 2);
		for (i = 0; i < 2; i++) {
			memset(r.train[i].bits, 0, EBPH_ROW_BYTES);
			memset(r.test[i].bits, 0, EBPH_ROW_BYTES);
			r.train[i].bits[i] = 0x0f;
			r.test[i].bits[100] = 0x01;
		}
		ck_assert_int_eq(store_encode(&r, 5, (void **)&w, &wlen), 0);
		store_profile_free(&r);
		ck_assert_int_eq(store_decode(w, wlen, 5, &r, NULL, 0), 0);
		ck_assert_uint_eq(r.test[1].bits[100], 1);
		w[wlen - ROW + 2 + 100] = 0x81;	/* testing row 1 */
		reseal(w, wlen);
		snprintf(reason, sizeof(reason), "testing row 1 (call %u): pair at a distance "
			 "beyond window 5", r.test[1].call);
		assert_refused(w, wlen, 5, reason);
		store_profile_free(&r);
		free(w);
	}

	/* a byte more than the header says; then the header saying so too */
	big = malloc(len + 1);
	memcpy(big, b, len);
	big[len] = 0;
	snprintf(reason, sizeof(reason), "trailing bytes (%zu bytes, expected %zu)", len + 1, len);
	assert_refused(big, len + 1, WINDOW, reason);
	wr64(big + 36, len + 1 - HDR);
	reseal(big, len + 1);
	snprintf(reason, sizeof(reason), "payload of %zu bytes, its content needs %zu",
		 len + 1 - HDR, len - HDR);
	assert_refused(big, len + 1, WINDOW, reason);
	/* a payload too short for the fixed fields */
	wr64(big + 36, 10);
	reseal(big, HDR + 10);
	assert_refused(big, HDR + 10, WINDOW, "payload of 10 bytes, at least 78 needed");
	free(big);
	free(b);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_store_encode_refuses_invalid)
{
	struct store_profile p;
	void *buf = NULL;
	size_t len;
	__u16 c;

	make_profile(&p, 15, EBPH_NORMAL, 4, 2);
	ck_assert_int_eq(store_encode(&p, 1, &buf, &len), -EINVAL);
	ck_assert_int_eq(store_encode(&p, 10, &buf, &len), -EINVAL);
	p.state = 3;
	ck_assert_int_eq(store_encode(&p, WINDOW, &buf, &len), -EINVAL);
	p.state = EBPH_TRAINING;	/* testing rows only when normal */
	ck_assert_int_eq(store_encode(&p, WINDOW, &buf, &len), -EINVAL);
	p.state = EBPH_NORMAL;
	c = p.train[1].call;
	p.train[1].call = p.train[0].call;
	ck_assert_int_eq(store_encode(&p, WINDOW, &buf, &len), -EINVAL);
	p.train[1].call = EBPH_NR_CALLS;
	ck_assert_int_eq(store_encode(&p, WINDOW, &buf, &len), -EINVAL);
	p.train[1].call = c;
	p.test[0].bits[0] = 0x10;	/* distance 5 in window 5 */
	ck_assert_int_eq(store_encode(&p, 5, &buf, &len), -EINVAL);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(store_encode(&p, WINDOW, &buf, &len), 0);
	free(buf);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_store_file_name)
{
	struct ebph_key k = { .dev = (259ULL << 20) | 1, .ino = 0x123456789abcdefULL };
	char name[64];

	store_file_name(&k, name, sizeof(name));
	ck_assert_str_eq(name, "10300001-123456789abcdef.prof");
}
END_TEST

/* Names in dir with suffix "*.tmp.*" (0 expected after a save). */
static int count_tmp(void)
{
	char cmd[160];
	FILE *f;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -c '\\.tmp\\.'", dir);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

START_TEST(test_store_save_load_round_trip)
{
	struct store_profile p[5];
	struct collected c = { 0 };
	char err[512] = "", name[64];
	const struct store_profile *got;
	struct stat st;
	int i;

	for (i = 0; i < 5; i++)
		make_profile(&p[i], 20 + i, i % 3, 10 + i, i % 3 == EBPH_NORMAL ? 7 : 0);
	ck_assert_int_eq(store_save(dir, WINDOW, p, 5, NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(count_tmp(), 0);
	for (i = 0; i < 5; i++) {
		store_file_name(&p[i].key, name, sizeof(name));
		ck_assert_int_eq(lstat(path_in(name), &st), 0);
		ck_assert(S_ISREG(st.st_mode));
		ck_assert_uint_eq(st.st_mode & 07777, 0600);
		ck_assert_uint_eq(st.st_uid, geteuid());
	}
	capture_start();
	ck_assert_int_eq(store_load(dir, WINDOW, collect, &c, err, sizeof(err)), 5);
	ck_assert_str_eq(capture_end(), "");
	ck_assert_int_eq(c.n, 5);
	for (i = 0; i < 5; i++) {
		got = find_key(&c, &p[i].key);
		ck_assert_ptr_nonnull(got);
		assert_profile_eq(&p[i], got);
		store_profile_free(&p[i]);
	}
	collected_free(&c);
	/* a configuration with another window refuses every file, by name */
	capture_start();
	ck_assert_int_eq(store_load(dir, 5, collect, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(c.n, 0);
	store_file_name(&p[0].key, name, sizeof(name));
	ck_assert_ptr_nonnull(strstr(capture_end(), "window 9, this ebph uses 5\n"));
}
END_TEST

START_TEST(test_store_save_needs_window)
{
	struct store_profile p;
	char err[512] = "";

	make_profile(&p, 1, EBPH_TRAINING, 1, 0);
	ck_assert_int_eq(store_save(dir, 0, &p, 1, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "window 0 out of range"));
	ck_assert_int_eq(store_save(dir, EBPH_WINDOW_MAX + 1, &p, 1, NULL, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	store_profile_free(&p);
}
END_TEST

/* An invalid profile is not saved; the others are. */
START_TEST(test_store_save_refuses_invalid_profile)
{
	struct store_profile p[2];
	char err[512] = "", name[64], msg[600];
	struct stat st;

	make_profile(&p[0], 1, EBPH_TRAINING, 3, 0);
	make_profile(&p[1], 2, EBPH_TRAINING, 3, 0);
	p[1].train[2].call = p[1].train[1].call;
	ck_assert_int_eq(store_save(dir, WINDOW, p, 2, NULL, err, sizeof(err)), -EINVAL);
	store_file_name(&p[1].key, name, sizeof(name));
	snprintf(msg, sizeof(msg), "%s/%s: cannot save %s: training row 2: call %u after call "
		 "%u (calls must be strictly increasing)", dir, name, p[1].path,
		 p[1].train[2].call, p[1].train[1].call);
	ck_assert_str_eq(err, msg);
	ck_assert_int_eq(lstat(path_in(name), &st), -1);
	store_file_name(&p[0].key, name, sizeof(name));
	ck_assert_int_eq(lstat(path_in(name), &st), 0);
	ck_assert_int_eq(count_tmp(), 0);
	unlink(path_in(name));
	/* the same key twice */
	store_profile_free(&p[1]);
	p[1] = p[0];
	ck_assert_int_eq(store_save(dir, WINDOW, p, 2, NULL, err, sizeof(err)), -EINVAL);
	snprintf(msg, sizeof(msg), "%s/%s: cannot save two profiles with one key", dir, name);
	ck_assert_str_eq(err, msg);
	ck_assert_int_eq(lstat(path_in(name), &st), -1);
	store_profile_free(&p[0]);
}
END_TEST

START_TEST(test_store_modes_with_umask_0)
{
	static const mode_t masks[] = { 0, 0777 };
	char sub[160], err[512] = "", name[64];
	struct store_profile p;
	struct stat st;
	size_t i;
	mode_t old;

	make_profile(&p, 2, EBPH_TRAINING, 2, 0);
	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		snprintf(sub, sizeof(sub), "%s/u%zu/a/state/", dir, i);
		old = umask(masks[i]);
		ck_assert_int_eq(store_dir_check(sub, 1, err, sizeof(err)), 0);
		ck_assert_int_eq(store_save(sub, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
		umask(old);
		ck_assert_int_eq(lstat(sub, &st), 0);
		ck_assert(S_ISDIR(st.st_mode));
		ck_assert_uint_eq(st.st_mode & 07777, 0700);
		store_file_name(&p.key, name, sizeof(name));
		strcat(sub, name);
		ck_assert_int_eq(lstat(sub, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0600);
		/* an existing good directory is accepted as it is */
		snprintf(sub, sizeof(sub), "%s/u%zu/a/state", dir, i);
		ck_assert_int_eq(store_dir_check(sub, 1, err, sizeof(err)), 0);
		ck_assert_int_eq(store_dir_check(sub, 0, err, sizeof(err)), 0);
	}
	for (i = 0; i < ARRAY_SIZE(masks); i++) {	/* parents created 0755 */
		snprintf(sub, sizeof(sub), "%s/u%zu/a", dir, i);
		ck_assert_int_eq(lstat(sub, &st), 0);
		ck_assert_uint_eq(st.st_mode & 07777, 0755);
	}
	store_profile_free(&p);
}
END_TEST

/* store_dir_check, store_save and store_load refuse a bad state_dir the same way. */
static void assert_dir_refused(const char *d, int ret, const char *msg)
{
	struct store_profile p;
	struct collected c = { 0 };
	char err[512];

	make_profile(&p, 3, EBPH_TRAINING, 1, 0);
	err[0] = 0;
	ck_assert_int_eq(store_dir_check(d, 1, err, sizeof(err)), ret);
	ck_assert_str_eq(err, msg);
	err[0] = 0;
	ck_assert_int_eq(store_save(d, WINDOW, &p, 1, NULL, err, sizeof(err)), ret);
	ck_assert_str_eq(err, msg);
	err[0] = 0;
	ck_assert_int_eq(store_load(d, WINDOW, collect, &c, err, sizeof(err)), ret);
	ck_assert_str_eq(err, msg);
	err[0] = 0;
	ck_assert_int_eq(store_prune(d, 1, stdout, err, sizeof(err)), ret);
	ck_assert_str_eq(err, msg);
	ck_assert_int_eq(c.n, 0);
	store_profile_free(&p);
}

START_TEST(test_store_dir_refused)
{
	char d[160], msg[512], name[64];
	struct store_profile p;
	struct stat st;

	snprintf(d, sizeof(d), "%s/gw", dir);
	ck_assert_int_eq(mkdir(d, 0700), 0);
	ck_assert_int_eq(chmod(d, 0770), 0);
	snprintf(msg, sizeof(msg), "%s: writable by group or others (chmod 700 it)", d);
	assert_dir_refused(d, -EPERM, msg);
	ck_assert_int_eq(chmod(d, 0702), 0);
	assert_dir_refused(d, -EPERM, msg);
	ck_assert_int_eq(chmod(d, 0700), 0);
	ck_assert_int_eq(store_dir_check(d, 0, msg, sizeof(msg)), 0);

	snprintf(d, sizeof(d), "%s/link", dir);
	ck_assert_int_eq(symlink("gw", d), 0);
	snprintf(msg, sizeof(msg), "%s: is a symbolic link (state_dir must be the directory itself)", d);
	assert_dir_refused(d, -ELOOP, msg);

	snprintf(d, sizeof(d), "%s/file", dir);
	write_file("file", "x", 1, 0600);
	snprintf(msg, sizeof(msg), "%s: not a directory", d);
	assert_dir_refused(d, -ENOTDIR, msg);

	snprintf(d, sizeof(d), "%s/none", dir);
	{
		char e[512];

		snprintf(msg, sizeof(msg), "%s: No such file or directory", d);
		ck_assert_int_eq(store_dir_check(d, 0, e, sizeof(e)), -ENOENT);
		ck_assert_str_eq(e, msg);
		ck_assert_int_eq(lstat(d, &st), -1);	/* not created without create */
	}

	if (geteuid() == 0) {
		snprintf(d, sizeof(d), "%s/other", dir);
		ck_assert_int_eq(mkdir(d, 0700), 0);
		ck_assert_int_eq(chown(d, NOBODY, NOBODY), 0);
		snprintf(msg, sizeof(msg), "%s: owned by uid %d, not by uid 0 (chown it)", d, NOBODY);
		assert_dir_refused(d, -EPERM, msg);
		make_profile(&p, 4, EBPH_TRAINING, 1, 0);
		store_file_name(&p.key, name, sizeof(name));
		snprintf(msg, sizeof(msg), "%s/other/%s", dir, name);
		ck_assert_int_eq(lstat(msg, &st), -1);	/* nothing was written there */
		store_profile_free(&p);
	}
}
END_TEST

/* Every kind of bad file next to two good ones: each reported once with its
 * reason, the good ones loaded. Expected stderr built in name order. */
START_TEST(test_store_bad_files_skipped)
{
	struct store_profile good[2], small;
	struct collected c = { 0 };
	char name[64], fname[96], reason[160], err[512], *expect, *got;
	size_t elen = 0, ecap = 1 << 20, len, slen, l, off;
	__u8 *b, *s, *f;
	int i;

	expect = malloc(ecap);
	expect[0] = 0;
#define EXPECT(file, why) \
	(elen += snprintf(expect + elen, ecap - elen, "ebph: %s/%s: %s\n", dir, file, why))

	make_profile(&good[0], 40, EBPH_NORMAL, 30, 30);
	make_profile(&good[1], 41, EBPH_TRAINING, 5, 0);
	ck_assert_int_eq(store_save(dir, WINDOW, good, 2, NULL, err, sizeof(err)), 0);
	store_file_name(&good[0].key, name, sizeof(name));
	b = encode(&good[0], &len);

	/* a small profile cut at every length and flipped at every byte */
	make_profile(&small, 42, EBPH_NORMAL, 1, 1);
	s = encode(&small, &slen);
	f = malloc(slen);
	for (off = 0; off < slen; off++) {
		memcpy(f, s, slen);
		f[off] ^= 0xff;
		snprintf(fname, sizeof(fname), "f%05zu.prof", off);
		write_file(fname, f, slen, 0600);
		flipped_reason(f, slen, off, reason, sizeof(reason));
		EXPECT(fname, reason);
	}
	for (l = 0; l < slen; l++) {
		snprintf(fname, sizeof(fname), "t%05zu.prof", l);
		write_file(fname, s, l, 0600);
		truncated_reason(l, slen, reason, sizeof(reason));
		EXPECT(fname, reason);
	}
	/* one of each other kind, named in this order */
	memcpy(f, s, slen);
	memcpy(f, "NOTEBPH!", 8);
	write_file("x01-magic.prof", f, slen, 0600);
	EXPECT("x01-magic.prof", "not an ebph profile (bad magic)");
	memcpy(f, s, slen);
	wr32(f + 8, 7);
	reseal(f, slen);
	write_file("x02-version.prof", f, slen, 0600);
	EXPECT("x02-version.prof", "format version 7, this ebph reads 1 to 2");
	memcpy(f, s, slen);
	wr32(f + 16, 5);
	reseal(f, slen);
	write_file("x03-window.prof", f, slen, 0600);
	EXPECT("x03-window.prof", "window 5, this ebph uses 9");
	memcpy(f, s, slen);
	wr32(f + 20, 448);
	reseal(f, slen);
	write_file("x04-alphabet.prof", f, slen, 0600);
	EXPECT("x04-alphabet.prof", "alphabet 448 calls, this ebph has 576");
	memcpy(f, s, slen);
	wr32(f + 28, 183);
	reseal(f, slen);
	write_file("x05-arch.prof", f, slen, 0600);
	EXPECT("x05-arch.prof", "architecture 183, this machine is 62");
	memcpy(f, s, slen);
	f[slen - 1] ^= 0x10;
	write_file("x06-checksum.prof", f, slen, 0600);
	EXPECT("x06-checksum.prof", "checksum mismatch");
	write_file("x07-empty.prof", "", 0, 0600);
	EXPECT("x07-empty.prof", "empty file");
	ck_assert_int_eq(mkdir(path_in("x08-dir.prof"), 0700), 0);
	EXPECT("x08-dir.prof", "is a directory");
	ck_assert_int_eq(symlink(name, path_in("x09-link.prof")), 0);
	EXPECT("x09-link.prof", "is a symbolic link");
	write_file("x10-groupw.prof", b, len, 0620);
	EXPECT("x10-groupw.prof", "writable by group or others");
	write_file("x11-otherw.prof", b, len, 0602);
	EXPECT("x11-otherw.prof", "writable by group or others");
	if (geteuid() == 0) {
		write_file("x12-owner.prof", b, len, 0600);
		ck_assert_int_eq(chown(path_in("x12-owner.prof"), NOBODY, NOBODY), 0);
		snprintf(reason, sizeof(reason), "owned by uid %d, not by uid 0", NOBODY);
		EXPECT("x12-owner.prof", reason);
	}
	ck_assert_int_eq(mkfifo(path_in("x13-fifo.prof"), 0600), 0);
	EXPECT("x13-fifo.prof", "not a regular file");
	write_file("x14-renamed.prof", b, len, 0600);
	snprintf(reason, sizeof(reason), "file name does not match its profile (%s)", name);
	EXPECT("x14-renamed.prof", reason);
	f = realloc(f, MAX_FILE + 2);
	memset(f, 0, MAX_FILE + 2);
	write_file("x15-huge.prof", f, MAX_FILE + 1, 0600);
	snprintf(reason, sizeof(reason), "too large (%d bytes, a profile has at most %d)",
		 MAX_FILE + 1, MAX_FILE);
	EXPECT("x15-huge.prof", reason);
	/* not profiles: ignored without a word */
	write_file("README", "x", 1, 0600);
	snprintf(fname, sizeof(fname), "%s.tmp.12345", name);
	write_file(fname, b, 10, 0600);
	write_file("a.prof~", b, len, 0600);

	capture_start();
	i = store_load(dir, WINDOW, collect, &c, err, sizeof(err));
	got = capture_end();
	ck_assert_int_eq(i, 2);
	ck_assert_int_eq(c.n, 2);
	ck_assert_str_eq(got, expect);
	for (i = 0; i < 2; i++) {
		ck_assert_ptr_nonnull(find_key(&c, &good[i].key));
		assert_profile_eq(&good[i], find_key(&c, &good[i].key));
		store_profile_free(&good[i]);
	}
	collected_free(&c);
	/* nothing was changed: the bad files are all still there */
	ck_assert_int_eq(access(path_in("x07-empty.prof"), F_OK), 0);
	ck_assert_int_eq(access(path_in("x09-link.prof"), F_OK), 0);
	store_profile_free(&small);
	free(f);
	free(s);
	free(b);
	free(expect);
#undef EXPECT
}
END_TEST

/* fn stopping the load: its error is returned, naming the file. */
START_TEST(test_store_load_stops_when_fn_fails)
{
	struct store_profile p[3];
	struct collected c = { .stop_after = 1 };
	char err[512] = "";
	int i;

	for (i = 0; i < 3; i++)
		make_profile(&p[i], 60 + i, EBPH_TRAINING, 2, 0);
	ck_assert_int_eq(store_save(dir, WINDOW, p, 3, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(store_load(dir, WINDOW, collect, &c, err, sizeof(err)), -ECANCELED);
	ck_assert_int_eq(c.n, 1);
	ck_assert_ptr_nonnull(strstr(err, dir));
	ck_assert_ptr_nonnull(strstr(err, ".prof: "));
	collected_free(&c);
	for (i = 0; i < 3; i++)
		store_profile_free(&p[i]);
}
END_TEST

/* Is there an entry name in the test's directory? */
static int exists_in(const char *name)
{
	struct stat st;

	return !lstat(path_in(name), &st);
}

/*
 * A save that cannot write some profiles (here: files limited to 4 KiB by
 * RLIMIT_FSIZE, as a full disk would) saves the others, counts the ones it
 * could not save, removes their partial scratch files and leaves their
 * saved files as they were.
 */
START_TEST(test_store_save_failures_counted)
{
	struct rlimit rl, small;
	struct store_profile p[4];
	struct collected c = { 0 };
	char err[512], msg[256], name[4][64], prev[96];
	__u8 *before;
	size_t failed = 99, len;
	int i;

	make_profile(&p[0], 81, EBPH_TRAINING, 1, 0);
	make_profile(&p[1], 82, EBPH_TRAINING, 40, 0);	/* about 20 KB */
	make_profile(&p[2], 83, EBPH_NORMAL, 20, 20);
	make_profile(&p[3], 84, EBPH_FROZEN, 2, 0);
	ck_assert_int_eq(store_save(dir, WINDOW, p, 4, &failed, err, sizeof(err)), 0);
	ck_assert_uint_eq(failed, 0);
	for (i = 0; i < 4; i++)
		store_file_name(&p[i].key, name[i], sizeof(name[i]));
	before = malloc(2 * MAX_FILE);
	ck_assert_ptr_nonnull(before);
	len = read_file(path_in(name[1]), before, MAX_FILE);

	for (i = 0; i < 4; i++)
		p[i].train_count += 1000;
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &rl), 0);
	small = rl;
	small.rlim_cur = 4096;	/* the soft limit only: it can be raised again */
	signal(SIGXFSZ, SIG_IGN);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	ck_assert_int_eq(store_save(dir, WINDOW, p, 4, &failed, err, sizeof(err)), -EFBIG);
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
	ck_assert_uint_eq(failed, 2);
	snprintf(msg, sizeof(msg), "%s/%s.prev: cannot write: File too large", dir, name[1]);
	ck_assert_str_eq(err, msg);
	for (i = 1; i <= 2; i++) {
		snprintf(prev, sizeof(prev), "%s.prev", name[i]);
		ck_assert_msg(!exists_in(prev), "partial scratch file %s left", prev);
	}
	ck_assert_uint_eq(read_file(path_in(name[1]), before + MAX_FILE, MAX_FILE), len);
	ck_assert(!memcmp(before, before + MAX_FILE, len));	/* as it was */
	free(before);
	ck_assert_int_eq(store_load(dir, WINDOW, collect, &c, err, sizeof(err)), 4);
	for (i = 0; i < c.n; i++) {
		__u32 j;

		for (j = 0; j < 4; j++)
			if (c.p[i].key.ino == p[j].key.ino && c.p[i].key.dev == p[j].key.dev)
				ck_assert_uint_eq(c.p[i].train_count,
						  p[j].train_count - (j == 1 || j == 2 ? 1000 : 0));
	}
	collected_free(&c);
	for (i = 0; i < 4; i++)
		store_profile_free(&p[i]);
}
END_TEST

START_TEST(test_store_save_replaces_existing)
{
	struct store_profile p;
	struct collected c = { 0 };
	char err[512], name[64];
	struct stat a, b;

	make_profile(&p, 70, EBPH_FROZEN, 3, 0);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	store_file_name(&p.key, name, sizeof(name));
	ck_assert_int_eq(lstat(path_in(name), &a), 0);
	store_profile_free(&p);
	make_profile(&p, 70, EBPH_NORMAL, 30, 20);
	p.train_count = 424242;
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(path_in(name), &b), 0);
	ck_assert_uint_ne(a.st_ino, b.st_ino);	/* a new file renamed over it */
	ck_assert_uint_eq(b.st_mode & 07777, 0600);
	ck_assert_int_eq(store_load(dir, WINDOW, collect, &c, err, sizeof(err)), 1);
	assert_profile_eq(&p, &c.p[0]);
	ck_assert_int_eq(count_tmp(), 0);
	collected_free(&c);
	store_profile_free(&p);
}
END_TEST

/* bytes of a file, for comparisons */
static size_t slurp(const char *path, __u8 *b, size_t cap)
{
	return read_file(path, b, cap);
}

/* "<name>.prev": the previous version after a save, rewritten in place by
 * the next one (no new inode); whatever else is there is replaced, never
 * followed or written through. */
START_TEST(test_store_scratch_file)
{
	static __u8 got[64 << 10];
	struct store_profile p;
	struct collected c = { 0 };
	char err[512], name[64], prev[96], victim[160], inside[96];
	struct stat n1, s1, n2, vst;
	__u8 *v1, *v2;
	size_t l1, l2;
	int fd;

	make_profile(&p, 80, EBPH_NORMAL, 30, 20);
	store_file_name(&p.key, name, sizeof(name));
	snprintf(prev, sizeof(prev), "%s.prev", name);
	v1 = encode(&p, &l1);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(access(path_in(prev), F_OK), -1);	/* first save: renamed */
	p.train_count++;
	v2 = encode(&p, &l2);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(slurp(path_in(name), got, sizeof(got)), l2);
	ck_assert(!memcmp(got, v2, l2));
	ck_assert_uint_eq(slurp(path_in(prev), got, sizeof(got)), l1);
	ck_assert(!memcmp(got, v1, l1));
	ck_assert_int_eq(lstat(path_in(prev), &s1), 0);
	ck_assert_uint_eq(s1.st_mode & 07777, 0600);
	p.train_count++;
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(path_in(name), &n1), 0);
	ck_assert_uint_eq(n1.st_ino, s1.st_ino);	/* the scratch inode reused */
	ck_assert_uint_eq(n1.st_mode & 07777, 0600);

	/* a symlink as scratch: replaced, its target untouched */
	snprintf(victim, sizeof(victim), "%s-victim", dir);
	fd = open(victim, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	ck_assert_int_eq(write(fd, "keep", 4), 4);
	close(fd);
	unlink(path_in(prev));
	ck_assert_int_eq(symlink(victim, path_in(prev)), 0);
	p.train_count++;
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(victim, &vst), 0);
	ck_assert_int_eq(vst.st_size, 4);
	ck_assert_uint_eq(slurp(victim, got, sizeof(got)), 4);
	ck_assert(!memcmp(got, "keep", 4));
	ck_assert_int_eq(lstat(path_in(prev), &s1), 0);
	ck_assert(S_ISREG(s1.st_mode));

	/* a hard link to another file as scratch: that file untouched */
	snprintf(inside, sizeof(inside), "other");
	write_file(inside, "keep", 4, 0600);
	unlink(path_in(prev));
	ck_assert_int_eq(link(path_in(inside), path_in(prev)), 0);
	p.train_count++;
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_uint_eq(slurp(path_in(inside), got, sizeof(got)), 4);
	ck_assert(!memcmp(got, "keep", 4));

	/* a FIFO as scratch (no reader: must not block) */
	unlink(path_in(prev));
	ck_assert_int_eq(mkfifo(path_in(prev), 0600), 0);
	p.train_count++;
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(path_in(name), &n2), 0);
	ck_assert(S_ISREG(n2.st_mode));

	/* a directory as scratch: that profile is not saved (the error names
	 * it, its file stays), the other one is */
	unlink(path_in(prev));
	ck_assert_int_eq(mkdir(path_in(prev), 0700), 0);
	p.train_count++;
	{
		struct store_profile two[2];
		char other[64], msg[256];

		two[0] = p;
		make_profile(&two[1], 81, EBPH_TRAINING, 2, 0);
		ck_assert_int_eq(store_save(dir, WINDOW, two, 2, NULL, err, sizeof(err)), -EISDIR);
		snprintf(msg, sizeof(msg), "%s/%s: cannot write: Is a directory", dir, prev);
		ck_assert_str_eq(err, msg);
		store_file_name(&two[1].key, other, sizeof(other));
		ck_assert_int_eq(access(path_in(other), F_OK), 0);
		ck_assert_int_eq(store_delete(dir, &two[1].key, err, sizeof(err)), 0);
		store_profile_free(&two[1]);
	}
	ck_assert_int_eq(lstat(path_in(name), &n1), 0);
	ck_assert_uint_eq(n1.st_ino, n2.st_ino);
	rmdir(path_in(prev));

	/* load reads only "<name>": one profile, no message about the scratch */
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(access(path_in(prev), F_OK), 0);
	capture_start();
	ck_assert_int_eq(store_load(dir, WINDOW, collect, &c, err, sizeof(err)), 1);
	ck_assert_str_eq(capture_end(), "");
	assert_profile_eq(&p, &c.p[0]);
	collected_free(&c);
	/* delete takes both */
	ck_assert_int_eq(store_delete(dir, &p.key, err, sizeof(err)), 0);
	ck_assert_int_eq(access(path_in(name), F_OK), -1);
	ck_assert_int_eq(access(path_in(prev), F_OK), -1);
	ck_assert_int_eq(count_tmp(), 0);
	unlink(victim);
	free(v1);
	free(v2);
	store_profile_free(&p);
}
END_TEST

START_TEST(test_store_delete)
{
	struct store_profile p;
	char err[512] = "", name[64];

	make_profile(&p, 90, EBPH_TRAINING, 1, 0);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(store_delete(dir, &p.key, err, sizeof(err)), 0);
	store_file_name(&p.key, name, sizeof(name));
	ck_assert_int_eq(access(path_in(name), F_OK), -1);
	ck_assert_int_eq(store_delete(dir, &p.key, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, name));
	store_profile_free(&p);
}
END_TEST

/* Kernel dev_t of a user-space st_dev. */
static __u64 kdev(dev_t d)
{
	return (__u64)major(d) << 20 | minor(d);
}

/* A profile for the file at path as it is now. */
static void profile_of(struct store_profile *p, unsigned int seed, const char *path)
{
	struct stat st;

	make_profile(p, seed, EBPH_TRAINING, 2, 0);
	ck_assert_int_eq(stat(path, &st), 0);
	p->key.dev = kdev(st.st_dev);
	p->key.ino = st.st_ino;
	snprintf(p->path, sizeof(p->path), "%s", path);
}

/*
 * Prune deletes only what the file handle proves gone: p0 exists; p1 was
 * deleted (ESTALE); p2's path now names another file while the recorded one
 * lives on under another name; p3 has no handle (another device: none could
 * be recorded); p4 is only a name; p5 has no handle (a file saved before
 * handles) and its path is gone. Proof needs open_by_handle_at, i.e. root.
 */
START_TEST(test_store_prune_gone_executables)
{
	struct store_profile p[6];
	char err[512] = "", bin[128], live[160], gone[160], repl[160], keep[160], tmp[160];
	char old[160], name[64], expect[512], *text = NULL;
	int fd, root = geteuid() == 0;
	size_t tlen, i;
	struct stat st;
	FILE *out;

	snprintf(bin, sizeof(bin), "%s-bin", dir);
	ck_assert_int_eq(mkdir(bin, 0700), 0);
	snprintf(live, sizeof(live), "%s/live", bin);
	snprintf(gone, sizeof(gone), "%s/gone", bin);
	snprintf(repl, sizeof(repl), "%s/replaced", bin);
	snprintf(keep, sizeof(keep), "%s/kept", bin);
	snprintf(tmp, sizeof(tmp), "%s/new", bin);
	snprintf(old, sizeof(old), "%s/old", bin);
	for (i = 0; i < 4; i++) {
		fd = open(i == 0 ? live : i == 1 ? gone : i == 2 ? repl : old,
			  O_CREAT | O_WRONLY, 0700);
		ck_assert_int_ge(fd, 0);
		close(fd);
	}
	profile_of(&p[0], 1, live);
	profile_of(&p[1], 2, gone);
	profile_of(&p[2], 3, repl);
	profile_of(&p[3], 4, live);
	p[3].key.dev ^= 1;	/* same inode number on another device */
	make_profile(&p[4], 5, EBPH_TRAINING, 1, 0);
	strcpy(p[4].path, "?t8");
	profile_of(&p[5], 6, old);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(store_set_handle(&p[i], p[i].path), 0);
	ck_assert_int_eq(store_set_handle(&p[3], p[3].path), -ESTALE);
	ck_assert_uint_eq(p[3].handle_len, 0);
	unlink(gone);
	unlink(old);
	ck_assert_int_eq(link(repl, keep), 0);
	fd = open(tmp, O_CREAT | O_WRONLY, 0700);	/* another file at the same path */
	close(fd);
	ck_assert_int_eq(rename(tmp, repl), 0);
	ck_assert_int_eq(stat(repl, &st), 0);
	ck_assert_uint_ne(st.st_ino, p[2].key.ino);

	ck_assert_int_eq(store_stale(&p[0]), 0);
	ck_assert_int_eq(store_stale(&p[1]), root);
	for (i = 2; i < 6; i++)
		ck_assert_int_eq(store_stale(&p[i]), 0);
	ck_assert_int_eq(store_save(dir, WINDOW, p, 6, NULL, err, sizeof(err)), 0);

	snprintf(expect, sizeof(expect), root ? "would prune %llu:%llu %s\n" : "",
		 (unsigned long long)makedev(p[1].key.dev >> 20, p[1].key.dev & 0xfffff),
		 (unsigned long long)p[1].key.ino, p[1].path);
	out = open_memstream(&text, &tlen);
	ck_assert_int_eq(store_prune(dir, 1, out, err, sizeof(err)), root);
	fclose(out);
	ck_assert_str_eq(text, expect);
	free(text);
	out = open_memstream(&text, &tlen);
	ck_assert_int_eq(store_prune(dir, 0, out, err, sizeof(err)), root);
	fclose(out);
	if (root) {
		ck_assert_str_eq(text + strlen("pruned"), expect + strlen("would prune"));
		ck_assert(!strncmp(text, "pruned ", 7));
	}
	free(text);
	for (i = 0; i < 6; i++) {
		store_file_name(&p[i].key, name, sizeof(name));
		ck_assert_int_eq(access(path_in(name), F_OK), i == 1 && root ? -1 : 0);
	}
	out = open_memstream(&text, &tlen);
	ck_assert_int_eq(store_prune(dir, 0, out, err, sizeof(err)), 0);
	fclose(out);
	ck_assert_str_eq(text, "");
	free(text);
	for (i = 0; i < 6; i++)
		store_profile_free(&p[i]);
	unlink(live);
	unlink(repl);
	unlink(keep);
	rmdir(bin);
}
END_TEST

/* Paths are untrusted: a newline in one does not make a second line. */
START_TEST(test_store_prune_escapes_path)
{
	struct store_profile p;
	char err[512] = "", path[160], *text = NULL;
	size_t tlen;
	FILE *out;
	int fd;

	if (geteuid() != 0)
		return;	/* proving a file gone needs open_by_handle_at */
	snprintf(path, sizeof(path), "%s-no\nsuch", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0700);
	ck_assert_int_ge(fd, 0);
	close(fd);
	profile_of(&p, 7, path);
	ck_assert_int_eq(store_set_handle(&p, path), 0);
	unlink(path);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	out = open_memstream(&text, &tlen);
	ck_assert_int_eq(store_prune(dir, 1, out, err, sizeof(err)), 1);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "-no\\x0asuch\n"));
	ck_assert_ptr_eq(strchr(text, '\n'), text + strlen(text) - 1);	/* one line */
	free(text);
	store_profile_free(&p);
}
END_TEST

/* A file handle survives a save and a load; files without one (flags 0)
 * load with none; a bad handle length is refused. */
START_TEST(test_store_handle_round_trip)
{
	struct store_profile p, q;
	char err[256] = "";
	size_t len;
	__u8 *b;

	make_profile(&p, 21, EBPH_FROZEN, 3, 0);
	b = encode(&p, &len);
	ck_assert_uint_eq(rd32(b + 32), 0);
	ck_assert_int_eq(store_decode(b, len, WINDOW, &q, err, sizeof(err)), 0);
	ck_assert_uint_eq(q.handle_len, 0);
	store_profile_free(&q);
	free(b);
	p.fsid = 0x1122334455667788ULL;
	p.handle_type = 0x81;
	p.handle_len = 12;
	memcpy(p.handle, "0123456789ab", 12);
	b = encode(&p, &len);
	ck_assert_uint_eq(rd32(b + 32), 1);
	ck_assert_int_eq(store_decode(b, len, WINDOW, &q, err, sizeof(err)), 0);
	ck_assert_uint_eq(q.fsid, p.fsid);
	ck_assert_int_eq(q.handle_type, 0x81);
	ck_assert_uint_eq(q.handle_len, 12);
	ck_assert_int_eq(memcmp(q.handle, p.handle, 12), 0);
	assert_profile_eq(&p, &q);
	store_profile_free(&q);
	b[len - 12 - 2] = 200;	/* handle_len 200 */
	reseal(b, len);
	assert_refused(b, len, WINDOW, "file handle of 200 bytes, expected 1..128");
	free(b);
	store_profile_free(&p);
}
END_TEST

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int count_loaded(struct store_profile *p, void *arg)
{
	(*(int *)arg)++;
	store_profile_free(p);
	return 0;
}

/*
 * 1,000 profiles of 30 rows (normal ones 30 more): a save writing them all,
 * a save with nothing changed (no file rewritten), a save with all changed
 * (creating the scratch files), another (reusing them: the steady state,
 * a sync per file would show here), and a load. Set EBPH_STORE_TIMING=1 to
 * print the figures. Saves that create 1,000 files are bounded loosely:
 * their time is the file system allocating inodes, 0.1 to 1.7 s here
 * depending on how many were freed lately nearby (see store_save).
 */
START_TEST(test_store_speed_1000_profiles)
{
	const char *vg = getenv("LD_PRELOAD");
	int slow = vg && strstr(vg, "vgpreload");	/* under valgrind */
	struct store_profile *p = calloc(1000, sizeof(*p));
	char err[512] = "", name[64];
	double t0, t_save, t_same, t_changed, t_reuse, t_load;
	struct stat a, b;
	int i, n = 0, rows = 0;

	for (i = 0; i < 1000; i++) {
		make_profile(&p[i], 1000 + i, i % 3, 30, i % 3 == EBPH_NORMAL ? 30 : 0);
		rows += p[i].ntrain + p[i].ntest;
	}
	store_file_name(&p[0].key, name, sizeof(name));
	t0 = seconds();
	ck_assert_int_eq(store_save(dir, WINDOW, p, 1000, NULL, err, sizeof(err)), 0);
	t_save = seconds() - t0;
	ck_assert_int_eq(lstat(path_in(name), &a), 0);
	t0 = seconds();
	ck_assert_int_eq(store_save(dir, WINDOW, p, 1000, NULL, err, sizeof(err)), 0);
	t_same = seconds() - t0;
	ck_assert_int_eq(lstat(path_in(name), &b), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);	/* unchanged: not rewritten */
	for (i = 0; i < 1000; i++)
		p[i].train_count++;
	t0 = seconds();
	ck_assert_int_eq(store_save(dir, WINDOW, p, 1000, NULL, err, sizeof(err)), 0);
	t_changed = seconds() - t0;
	ck_assert_int_eq(lstat(path_in(name), &b), 0);
	ck_assert_uint_ne(a.st_ino, b.st_ino);
	for (i = 0; i < 1000; i++)
		p[i].train_count++;
	t0 = seconds();
	ck_assert_int_eq(store_save(dir, WINDOW, p, 1000, NULL, err, sizeof(err)), 0);
	t_reuse = seconds() - t0;
	ck_assert_int_eq(lstat(path_in(name), &b), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);	/* back in the first inode */
	t0 = seconds();
	ck_assert_int_eq(store_load(dir, WINDOW, count_loaded, &n, err, sizeof(err)), 1000);
	t_load = seconds() - t0;
	ck_assert_int_eq(n, 1000);
	ck_assert_int_eq(count_tmp(), 0);
	if (getenv("EBPH_STORE_TIMING"))
		fprintf(stderr, "store: 1000 profiles, %d rows: save %.1f ms, save unchanged "
			"%.1f ms, save all changed %.1f ms, again %.1f ms, load %.1f ms\n", rows,
			t_save * 1e3, t_same * 1e3, t_changed * 1e3, t_reuse * 1e3, t_load * 1e3);
	if (!slow) {
		ck_assert_msg(t_same < 0.5, "unchanged save took %.3f s", t_same);
		ck_assert_msg(t_load < 0.5, "load took %.3f s", t_load);
		ck_assert_msg(t_save < 5.0, "save took %.3f s", t_save);
		ck_assert_msg(t_changed < 5.0, "save of changed profiles took %.3f s", t_changed);
		ck_assert_msg(t_reuse < 0.5, "save reusing scratch files took %.3f s", t_reuse);
	}
	for (i = 0; i < 1000; i++)
		store_profile_free(&p[i]);
	free(p);
}
END_TEST

/* Saving what is already there rewrites nothing; a file with another mode
 * or other bytes is replaced by a new 0600 file. */
START_TEST(test_store_save_skips_unchanged)
{
	struct store_profile p;
	char err[512], name[64];
	struct stat a, b;

	make_profile(&p, 71, EBPH_NORMAL, 5, 5);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	store_file_name(&p.key, name, sizeof(name));
	ck_assert_int_eq(lstat(path_in(name), &a), 0);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(path_in(name), &b), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);
	ck_assert_int_eq(chmod(path_in(name), 0400), 0);
	ck_assert_int_eq(store_save(dir, WINDOW, &p, 1, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(lstat(path_in(name), &b), 0);
	ck_assert_uint_ne(a.st_ino, b.st_ino);
	ck_assert_uint_eq(b.st_mode & 07777, 0600);
	ck_assert_int_eq(count_tmp(), 0);
	store_profile_free(&p);
}
END_TEST

/* A row of call c with one pair bit. */
static struct store_row rows_row(__u16 c, __u8 bit)
{
	struct store_row r = { .call = c };

	r.bits[0] = bit;
	return r;
}

/*
 * Rows a loaded profile takes: never more than it used live. A normal
 * profile whose training was reset after the normalisation (the shape that
 * used 38 rows live and 44 after a reload) holds its old testing rows in
 * place: one row each, not a stale row plus a snapshot.
 */
START_TEST(test_store_rows_needed)
{
	struct store_row train[4], test[4];
	struct store_profile p = { .state = EBPH_NORMAL, .train = train, .test = test };
	__u32 rows, snap;
	int split;

	/* training only */
	train[0] = rows_row(1, 1);
	train[1] = rows_row(2, 1);
	p.ntrain = 2;
	store_rows_needed(&p, &rows, &snap, &split);
	ck_assert_uint_eq(rows, 2);
	ck_assert_uint_eq(snap, 0);
	ck_assert_int_eq(split, 0);

	/* normal, untouched since the normalisation: testing = training */
	test[0] = train[0];
	test[1] = train[1];
	p.ntest = 2;
	store_rows_needed(&p, &rows, &snap, &split);
	ck_assert_uint_eq(rows, 2);
	ck_assert_uint_eq(snap, 0);
	ck_assert_int_eq(split, 0);

	/* one row trained since: a snapshot for it */
	train[1] = rows_row(2, 3);
	store_rows_needed(&p, &rows, &snap, &split);
	ck_assert_uint_eq(rows, 2);
	ck_assert_uint_eq(snap, 1);

	/* training reset after the normalisation, one call relearnt: testing
	 * rows alone (calls 1, 3, 4) are old-epoch rows, call 2 one snapshot */
	train[0] = rows_row(2, 1);
	p.ntrain = 1;
	test[0] = rows_row(1, 1);
	test[1] = rows_row(2, 1);
	test[2] = rows_row(3, 1);
	test[3] = rows_row(4, 1);
	p.ntest = 4;
	store_rows_needed(&p, &rows, &snap, &split);
	ck_assert_uint_eq(rows, 4);
	ck_assert_uint_eq(snap, 1);	/* was 3 (a stale row + a snapshot per call) */
	ck_assert_int_eq(split, 1);

	/* a frozen or training profile has no testing rows to hold */
	p.state = EBPH_TRAINING;
	store_rows_needed(&p, &rows, &snap, &split);
	ck_assert_uint_eq(rows, 1);
	ck_assert_uint_eq(snap, 0);
	ck_assert_int_eq(split, 0);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("format");
	TCase *td = tcase_create("files");

	tcase_add_test(tc, test_store_crc32_matches_reference);
	tcase_add_test(tc, test_store_encode_layout);
	tcase_add_test(tc, test_store_graph_trailer);
	tcase_add_test(td, test_store_scripts_are_distinct);
	tcase_add_test(tc, test_store_round_trip);
	tcase_add_test(tc, test_store_decode_alphabet_512_file);
	tcase_add_test(tc, test_store_round_trip_full_path);
	tcase_add_test(tc, test_store_decode_every_truncation);
	tcase_add_test(tc, test_store_decode_every_flip);
	tcase_add_test(tc, test_store_decode_foreign_header);
	tcase_add_test(tc, test_store_decode_version1);
	tcase_add_test(tc, test_store_decode_bad_content);
	tcase_add_test(tc, test_store_encode_refuses_invalid);
	tcase_add_test(tc, test_store_file_name);
	tcase_add_test(tc, test_store_rows_needed);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	/* the timing first, before the other tests' files are deleted */
	tcase_add_checked_fixture(td, setup, teardown);
	tcase_add_test(td, test_store_speed_1000_profiles);
	tcase_add_test(td, test_store_save_load_round_trip);
	tcase_add_test(td, test_store_save_needs_window);
	tcase_add_test(td, test_store_save_refuses_invalid_profile);
	tcase_add_test(td, test_store_modes_with_umask_0);
	tcase_add_test(td, test_store_dir_refused);
	tcase_add_test(td, test_store_bad_files_skipped);
	tcase_add_test(td, test_store_load_stops_when_fn_fails);
	tcase_add_test(td, test_store_save_replaces_existing);
	tcase_add_test(td, test_store_save_failures_counted);
	tcase_add_test(td, test_store_scratch_file);
	tcase_add_test(td, test_store_delete);
	tcase_add_test(td, test_store_prune_gone_executables);
	tcase_add_test(td, test_store_prune_escapes_path);
	tcase_add_test(td, test_store_handle_round_trip);
	tcase_add_test(td, test_store_save_skips_unchanged);
	tcase_set_timeout(td, 120);
	suite_add_tcase(s, td);
	return s;
}
