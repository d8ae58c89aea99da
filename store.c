/* SPDX-License-Identifier: GPL-2.0-only */
/* store.c: profiles on disk: the file format, atomic saves, checked loads, pruning. */
/*
 * PROFILE FILE FORMAT, version 2 (version 1 files are still read)
 *
 * One file per profile in state_dir, named "<dev>-<ino>.prof" with the
 * kernel dev_t (major << 20 | minor) and the inode in lower-case hex, mode
 * 0600, owned by the user running ebph. Next to it, "<dev>-<ino>.prof.prev"
 * is the save's scratch file: after a save it holds the previous version;
 * it is never loaded, and the next save overwrites it. Integers are
 * little-endian, fields are packed (no padding, no alignment). Offsets in
 * bytes.
 *
 * Header (48 bytes):
 *    0  magic          8 bytes  "EBPHPROF"
 *    8  version        u32      2 (1: the same without the evidence trailer)
 *   12  header_size    u32      48
 *   16  window         u32      lookahead window the pairs belong to (2..9)
 *   20  alphabet       u32      calls in the alphabet: the system call table
 *                               (512 on x86-64) then ebph's pseudo-calls (see
 *                               ebph.h: 576 on x86-64). Files written before
 *                               the pseudo-calls have the table's size (512)
 *                               and load with the pseudo-calls' pairs empty.
 *   24  row_bytes      u32      bytes of pairs per row (alphabet rounded up to 8)
 *   28  arch           u32      ELF machine of the system call numbers (62 = x86-64)
 *   32  flags          u32      bit 0: the payload ends with a file handle (below);
 *                               bit 1: an exec-graph trailer, bit 2: a scope
 *                               trailer (below); other bits are refused. Files without it (saved
 *                               before handles were recorded) load as profiles
 *                               with no handle.
 *   36  payload_len    u64      bytes after the header; the file has 48 + payload_len
 *   44  crc32          u32      CRC-32 (IEEE 802.3, as zlib's crc32()) of header
 *                               bytes 0..43 followed by the payload
 * Payload (78 + path_len + (ntrain + ntest) * (2 + row_bytes) + 32 bytes; 32
 * fewer in version 1):
 *    0  dev            u64      kernel dev_t of the executable
 *    8  ino            u64      its inode
 *   16  train_count    u64      calls seen while training
 *   24  last_mod_count u64      calls since the training data last changed
 *   32  sequences      u64      times the training data changed
 *   40  anomalies      u64      anomalies since it became normal
 *   48  state          u32      0 training, 1 frozen, 2 normal
 *   52  normal_time    s64      frozen: when it becomes normal (wall-clock ns
 *                               since the epoch, 0 = none)
 *   60  normal_since   s64      normal: since when (wall-clock ns, 0 = none)
 *   68  path_len       u16      at most 255
 *   70  path           path_len bytes, no NUL (not terminated)
 *   70+path_len  ntrain  u32    training rows
 *   74+path_len  ntest   u32    testing rows (0 unless state is normal)
 *   78+path_len  rows           ntrain training rows, then ntest testing rows;
 *                               each: call u16, then row_bytes bytes where bit
 *                               d-1 of byte p is set when call p was seen d
 *                               calls before call (d < window). Within each
 *                               list, calls are below alphabet and strictly
 *                               increasing.
 * Evidence trailer (version 2; a version 1 file loads with all four 0):
 *    0  anomalies_total u64     anomalies ever, never reset by pH's limits
 *    8  last_anomaly   s64      when the last one happened (wall-clock ns, 0 = none)
 *   16  anomalies_lost u64      anomalies reported neither one by one nor in a summary
 *   24  events_lost    u64      events about the profile the ring buffer could not take
 * With flags bit 0, after the evidence trailer (after the rows in a version 1
 * file), the handle trailer (14 + handle_len bytes):
 *       fsid           u64      statfs(2) f_fsid of the executable's file
 *                               system (val[0] in the low 32 bits)
 *       handle_type    s32      name_to_handle_at(2) handle_type
 *       handle_len     u16      1..128 (MAX_HANDLE_SZ)
 *       handle         handle_len bytes, f_handle
 * The handle lets `ebph prune` prove an executable gone (open_by_handle_at
 * fails with ESTALE) rather than guess it from its path.
 * With flags bit 1, after the handle trailer (if any), the exec-graph
 * trailer (34 + 33 * nedges bytes), written when any of its fields is not 0:
 *       script         u64      key.script (ebph.h), 0 = none
 *       pflags         u32      bit 0: no_tolerize (other bits are refused)
 *       episodes       u64      anomalous episodes since it became normal
 *       episode_first  s64      when the first began (wall-clock ns, 0 = none)
 *       edges_full     u32      reserved, 0
 *       nedges         u16      0..64 (EBPH_EDGES_MAX)
 *       edges          nedges times: dev u64, ino u64, script u64, scope u64
 *                      of the program started, then views u8: bit 0 in the
 *                      training data, bit 1 in the testing data (at least
 *                      one; bit 1 only in a normal profile)
 * With flags bit 2, after the exec-graph trailer (if any), the scope
 * trailer (10 + cgroup_len bytes), written when key.scope is not 0 (see
 * ebph(8) PROFILE SCOPE); a file without it has scope 0:
 *       scope          u64      key.scope: FNV-1a 64 of the cgroup path (ph.h)
 *       cgroup_len     u16      0..511 (0: the path was not known)
 *       cgroup         cgroup_len bytes, no NUL: the cgroup v2 path, which
 *                      hashes to scope
 *
 * A file is loaded only when every field is consistent: magic, version,
 * header size, window, alphabet, row size, architecture and flags as this
 * ebph expects, the exact length, the checksum, a valid state, the path,
 * the rows (sorted, in range, no pair beyond the window or the alphabet),
 * and a name matching its key. Anything else is refused with a reason.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* name_to_handle_at, open_by_handle_at */
#endif
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

#include "store.h"
#include "output.h"
#include "scope.h"

#define STORE_MAGIC	"EBPHPROF"
#define STORE_VERSION	2
#define STORE_EVIDENCE	32	/* version 2's trailer after the rows */
#define STORE_HDR	48	/* header bytes */
#define STORE_FIXED	78	/* payload bytes besides the path and the rows */
#define STORE_ROW	(2 + EBPH_ROW_BYTES)
/* The alphabet and row size of files written before the pseudo-calls. */
#define STORE_OLD_ALPHABET	EBPH_NR_SYSCALLS
#define STORE_OLD_ROW_BYTES	((EBPH_NR_SYSCALLS + 7) & ~7)
/* The largest valid file: longest path, a row for every call in both views. */
#define STORE_MAX_FILE	(STORE_HDR + STORE_FIXED + EBPH_PATH_MAX - 1 + \
			 2 * EBPH_NR_CALLS * STORE_ROW + STORE_EVIDENCE + STORE_TRAILER + \
			 STORE_HANDLE_MAX + STORE_GRAPH + EBPH_EDGES_MAX * STORE_EDGE + \
			 STORE_SCOPE + EBPH_CGROUP_MAX - 1)
#define STORE_SUFFIX	".prof"
#define STORE_PREV	".prev"	/* scratch file: the previous version */
#define STORE_F_HANDLE	1	/* header flag: a file handle trailer */
#define STORE_TRAILER	14	/* handle trailer bytes besides the handle */
#define STORE_F_GRAPH	2	/* header flag: an exec-graph trailer */
#define STORE_GRAPH	34	/* exec-graph trailer bytes besides the edges */
#define STORE_EDGE	33	/* bytes per edge */
#define STORE_F_SCOPE	4	/* header flag: a scope trailer */
#define STORE_SCOPE	10	/* scope trailer bytes besides the cgroup path */

/* ELF machine naming the system call table EBPH_NR_SYSCALLS was taken from. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define STORE_ARCH	EM_X86_64
#elif defined(__aarch64__)
#define STORE_ARCH	EM_AARCH64
#elif defined(__i386__)
#define STORE_ARCH	EM_386
#elif defined(__arm__)
#define STORE_ARCH	EM_ARM
#elif defined(__riscv)
#define STORE_ARCH	EM_RISCV
#elif defined(__powerpc64__)
#define STORE_ARCH	EM_PPC64
#elif defined(__s390x__)
#define STORE_ARCH	EM_S390
#elif defined(__loongarch__)
#define STORE_ARCH	258	/* EM_LOONGARCH */
#else
#error "store.c: unknown architecture: add its ELF machine number (EM_*)"
#endif

_Static_assert(EBPH_ROW_BYTES >= EBPH_NR_CALLS, "a row covers the alphabet");
_Static_assert(STORE_OLD_ROW_BYTES <= EBPH_ROW_BYTES, "old rows fit new rows");
_Static_assert(EBPH_PATH_MAX - 1 <= 0xffff, "path length fits a u16");

/* CRC-32 (IEEE 802.3) of len bytes after crc: zlib's, so files stay byte-identical. */
static __u32 crc32_update(__u32 crc, const __u8 *b, size_t len)
{
	return (__u32)crc32_z(crc, b, len);
}


static void put16(__u8 *b, __u16 v)
{
	b[0] = v;
	b[1] = v >> 8;
}

static void put32(__u8 *b, __u32 v)
{
	put16(b, v);
	put16(b + 2, v >> 16);
}

static void put64(__u8 *b, __u64 v)
{
	put32(b, v);
	put32(b + 4, v >> 32);
}

static __u16 get16(const __u8 *b)
{
	return b[0] | b[1] << 8;
}

static __u32 get32(const __u8 *b)
{
	return get16(b) | (__u32)get16(b + 2) << 16;
}

static __u64 get64(const __u8 *b)
{
	return get32(b) | (__u64)get32(b + 4) << 32;
}

/* snprintf into err if there is one. */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Rows of one view: calls in the alphabet, strictly increasing, no pair at
 * a distance the window cannot produce or with a call beyond the alphabet. */
static int check_rows(const struct store_row *r, __u32 n, const char *view, __u32 window,
		      __u32 alphabet, char *err, size_t errlen)
{
	__u8 beyond = (__u8)~((1u << (window - 1)) - 1);	/* distances >= window */
	__u32 i, c;
	__u8 acc;

	for (i = 0; i < n; i++) {
		if (r[i].call >= alphabet) {
			set_err(err, errlen, "%s row %u: call %u beyond the alphabet (%u calls)",
				view, i, r[i].call, alphabet);
			return -EINVAL;
		}
		if (i && r[i].call <= r[i - 1].call) {
			set_err(err, errlen, "%s row %u: call %u after call %u (calls must be "
				"strictly increasing)", view, i, r[i].call, r[i - 1].call);
			return -EINVAL;
		}
		for (c = alphabet; c < EBPH_ROW_BYTES; c++) {
			if (r[i].bits[c]) {
				set_err(err, errlen, "%s row %u (call %u): pair with call %u beyond "
					"the alphabet", view, i, r[i].call, c);
				return -EINVAL;
			}
		}
		if (!beyond)
			continue;
		for (c = 0, acc = 0; c < EBPH_ROW_BYTES; c++)
			acc |= r[i].bits[c];
		if (acc & beyond) {
			set_err(err, errlen, "%s row %u (call %u): pair at a distance beyond "
				"window %u", view, i, r[i].call, window);
			return -EINVAL;
		}
	}
	return 0;
}

/* The scope trailer's content: a path (if known) that hashes to the scope. */
static int check_scope(const struct store_profile *p, char *err, size_t errlen)
{
	size_t n = strnlen(p->cgroup, sizeof(p->cgroup));
	__u64 h;

	if (n >= sizeof(p->cgroup)) {
		set_err(err, errlen, "scope: cgroup path of %zu bytes or more, at most %zu", n,
			sizeof(p->cgroup) - 1);
		return -EINVAL;
	}
	if (!n)
		return 0;
	if (!p->key.scope) {
		set_err(err, errlen, "scope: cgroup path without a scope");
		return -EINVAL;
	}
	if (scope_of_path(p->cgroup, &h) || h != p->key.scope) {
		set_err(err, errlen, "scope: cgroup path '%.64s' is not that of scope %llx",
			p->cgroup, (unsigned long long)p->key.scope);
		return -EINVAL;
	}
	return 0;
}

/* Everything store_encode refuses to write (a file ebph would not load). */
/* The exec graph's content: flags known, edges within bounds, each in a
 * view, testing views only in a normal profile, no edge twice. */
static int check_graph(const struct store_profile *p, char *err, size_t errlen)
{
	__u32 i, j;

	if (p->pflags & ~EBPH_PF_NO_TOLERIZE) {
		set_err(err, errlen, "unknown profile flags 0x%x", p->pflags);
		return -EINVAL;
	}
	if (p->nedges > EBPH_EDGES_MAX || (p->nedges && !p->edges)) {
		set_err(err, errlen, "%u exec-graph edges (at most %u)", p->nedges,
			EBPH_EDGES_MAX);
		return -EINVAL;
	}
	for (i = 0; i < p->nedges; i++) {
		const struct store_edge *e = &p->edges[i];

		if (!e->train && !e->test) {
			set_err(err, errlen, "exec-graph edge %u in no view", i);
			return -EINVAL;
		}
		if (e->test && p->state != EBPH_NORMAL) {
			set_err(err, errlen, "exec-graph edge %u tested in a %s profile", i,
				out_state_name(p->state));
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (!memcmp(&p->edges[j].child, &e->child, sizeof(e->child))) {
				set_err(err, errlen, "exec-graph edge %u twice", i);
				return -EINVAL;
			}
	}
	return 0;
}

static int check_profile(const struct store_profile *p, __u32 window, char *err, size_t errlen)
{
	int ret;

	if (window < 2 || window > EBPH_WINDOW_MAX) {
		set_err(err, errlen, "window %u out of range (2..%u)", window, EBPH_WINDOW_MAX);
		return -EINVAL;
	}
	if (p->state > EBPH_NORMAL) {
		set_err(err, errlen, "invalid state %u", p->state);
		return -EINVAL;
	}
	if (p->ntrain > EBPH_NR_CALLS || p->ntest > EBPH_NR_CALLS ||
	    (p->ntrain && !p->train) || (p->ntest && !p->test)) {
		set_err(err, errlen, "%u training and %u testing rows (at most %u each)",
			p->ntrain, p->ntest, EBPH_NR_CALLS);
		return -EINVAL;
	}
	if (p->ntest && p->state != EBPH_NORMAL) {
		set_err(err, errlen, "%u testing rows in a %s profile", p->ntest,
			out_state_name(p->state));
		return -EINVAL;
	}
	if (p->handle_len > STORE_HANDLE_MAX) {
		set_err(err, errlen, "file handle of %u bytes, at most %u", p->handle_len,
			STORE_HANDLE_MAX);
		return -EINVAL;
	}
	ret = check_graph(p, err, errlen);
	if (!ret)
		ret = check_scope(p, err, errlen);
	if (ret)
		return ret;
	ret = check_rows(p->train, p->ntrain, "training", window, EBPH_NR_CALLS, err, errlen);
	if (!ret)
		ret = check_rows(p->test, p->ntest, "testing", window, EBPH_NR_CALLS, err, errlen);
	return ret;
}

/* Does p need the exec-graph trailer? */
static int has_graph(const struct store_profile *p)
{
	return p->key.script || p->pflags || p->episodes || p->episode_first || p->nedges;
}

static size_t encoded_len(const struct store_profile *p)
{
	return STORE_HDR + STORE_FIXED + strnlen(p->path, EBPH_PATH_MAX - 1) +
	       (size_t)(p->ntrain + p->ntest) * STORE_ROW + STORE_EVIDENCE +
	       (p->handle_len ? STORE_TRAILER + p->handle_len : 0) +
	       (has_graph(p) ? STORE_GRAPH + (size_t)p->nedges * STORE_EDGE : 0) +
	       (p->key.scope ? STORE_SCOPE + strnlen(p->cgroup, sizeof(p->cgroup) - 1) : 0);
}

static __u8 *put_rows(__u8 *q, const struct store_row *r, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++) {
		put16(q, r[i].call);
		memcpy(q + 2, r[i].bits, EBPH_ROW_BYTES);
		q += STORE_ROW;
	}
	return q;
}

/* Write a checked profile into b (encoded_len(p) bytes). */
static void encode_to(const struct store_profile *p, __u32 window, __u8 *b, size_t len)
{
	size_t plen = strnlen(p->path, EBPH_PATH_MAX - 1);
	__u8 *q = b + STORE_HDR;
	__u32 crc;

	memcpy(b, STORE_MAGIC, 8);
	put32(b + 8, STORE_VERSION);
	put32(b + 12, STORE_HDR);
	put32(b + 16, window);
	put32(b + 20, EBPH_NR_CALLS);
	put32(b + 24, EBPH_ROW_BYTES);
	put32(b + 28, STORE_ARCH);
	put32(b + 32, (p->handle_len ? STORE_F_HANDLE : 0) | (has_graph(p) ? STORE_F_GRAPH : 0) |
		      (p->key.scope ? STORE_F_SCOPE : 0));
	put64(b + 36, len - STORE_HDR);

	put64(q, p->key.dev);
	put64(q + 8, p->key.ino);
	put64(q + 16, p->train_count);
	put64(q + 24, p->last_mod_count);
	put64(q + 32, p->sequences);
	put64(q + 40, p->anomalies);
	put32(q + 48, p->state);
	put64(q + 52, (__u64)p->normal_time);
	put64(q + 60, (__u64)p->normal_since);
	put16(q + 68, plen);
	memcpy(q + 70, p->path, plen);
	q += 70 + plen;
	put32(q, p->ntrain);
	put32(q + 4, p->ntest);
	q = put_rows(q + 8, p->train, p->ntrain);
	q = put_rows(q, p->test, p->ntest);
	put64(q, p->anomalies_total);
	put64(q + 8, (__u64)p->last_anomaly);
	put64(q + 16, p->anomalies_lost);
	put64(q + 24, p->events_lost);
	q += STORE_EVIDENCE;
	if (p->handle_len) {
		put64(q, p->fsid);
		put32(q + 8, (__u32)p->handle_type);
		put16(q + 12, p->handle_len);
		memcpy(q + 14, p->handle, p->handle_len);
		q += STORE_TRAILER + p->handle_len;
	}
	if (has_graph(p)) {
		__u32 i;

		put64(q, p->key.script);
		put32(q + 8, p->pflags);
		put64(q + 12, p->episodes);
		put64(q + 20, (__u64)p->episode_first);
		put32(q + 28, 0);
		put16(q + 32, p->nedges);
		q += STORE_GRAPH;
		for (i = 0; i < p->nedges; i++, q += STORE_EDGE) {
			put64(q, p->edges[i].child.dev);
			put64(q + 8, p->edges[i].child.ino);
			put64(q + 16, p->edges[i].child.script);
			put64(q + 24, p->edges[i].child.scope);
			q[32] = (p->edges[i].train ? 1 : 0) | (p->edges[i].test ? 2 : 0);
		}
	}
	if (p->key.scope) {
		size_t n = strnlen(p->cgroup, sizeof(p->cgroup) - 1);

		put64(q, p->key.scope);
		put16(q + 8, n);
		memcpy(q + 10, p->cgroup, n);
	}

	crc = crc32_update(0, b, 44);
	crc = crc32_update(crc, b + STORE_HDR, len - STORE_HDR);
	put32(b + 44, crc);
}

int store_encode(const struct store_profile *p, __u32 window, void **buf, size_t *len)
{
	size_t n;
	__u8 *b;
	int ret;

	ret = check_profile(p, window, NULL, 0);
	if (ret)
		return ret;
	n = encoded_len(p);
	b = malloc(n);
	if (!b)
		return -ENOMEM;
	encode_to(p, window, b, n);
	*buf = b;
	*len = n;
	return 0;
}

/* n rows of row_bytes bytes of pairs each (an older file's rows are
 * shorter: the calls they lack have no pairs). */
static int get_rows(const __u8 *q, __u32 n, __u32 row_bytes, struct store_row **rows)
{
	__u32 i;

	*rows = NULL;
	if (!n)
		return 0;
	*rows = calloc(n, sizeof(**rows));
	if (!*rows)
		return -ENOMEM;
	for (i = 0; i < n; i++, q += 2 + row_bytes) {
		(*rows)[i].call = get16(q);
		memcpy((*rows)[i].bits, q + 2, row_bytes);
	}
	return 0;
}

/* The header: everything that says whether this ebph can read the file. */
static int decode_header(const __u8 *b, size_t len, __u32 window, char *err, size_t errlen)
{
	__u32 v, r;
	__u64 pl;

	if (!len) {
		set_err(err, errlen, "empty file");
		return -EINVAL;
	}
	if (memcmp(b, STORE_MAGIC, len < 8 ? len : 8)) {
		set_err(err, errlen, "not an ebph profile (bad magic)");
		return -EINVAL;
	}
	if (len < STORE_HDR) {
		set_err(err, errlen, "truncated (%zu of at least %u bytes)", len, STORE_HDR);
		return -EINVAL;
	}
	v = get32(b + 8);
	if (v < 1 || v > STORE_VERSION) {
		set_err(err, errlen, "format version %u, this ebph reads 1 to %u", v,
			STORE_VERSION);
		return -EINVAL;
	}
	v = get32(b + 12);
	if (v != STORE_HDR) {
		set_err(err, errlen, "header size %u, expected %u", v, STORE_HDR);
		return -EINVAL;
	}
	v = get32(b + 16);
	if (window && v != window) {
		set_err(err, errlen, "window %u, this ebph uses %u", v, window);
		return -EINVAL;
	}
	if (v < 2 || v > EBPH_WINDOW_MAX) {
		set_err(err, errlen, "window %u out of range (2..%u)", v, EBPH_WINDOW_MAX);
		return -EINVAL;
	}
	v = get32(b + 20);
	if (v != EBPH_NR_CALLS && v != STORE_OLD_ALPHABET) {
		set_err(err, errlen, "alphabet %u calls, this ebph has %u", v, EBPH_NR_CALLS);
		return -EINVAL;
	}
	r = v == EBPH_NR_CALLS ? EBPH_ROW_BYTES : STORE_OLD_ROW_BYTES;
	v = get32(b + 24);
	if (v != r) {
		set_err(err, errlen, "row size %u bytes, expected %u", v, r);
		return -EINVAL;
	}
	v = get32(b + 28);
	if (v != STORE_ARCH) {
		set_err(err, errlen, "architecture %u, this machine is %u", v, STORE_ARCH);
		return -EINVAL;
	}
	v = get32(b + 32);
	if (v & ~(STORE_F_HANDLE | STORE_F_GRAPH | STORE_F_SCOPE)) {
		set_err(err, errlen, "unknown flags 0x%x", v);
		return -EINVAL;
	}
	pl = get64(b + 36);
	if (pl > STORE_MAX_FILE - STORE_HDR) {
		set_err(err, errlen, "payload length %llu out of range (at most %u)",
			(unsigned long long)pl, STORE_MAX_FILE - STORE_HDR);
		return -EINVAL;
	}
	if (len < STORE_HDR + pl) {
		set_err(err, errlen, "truncated (%zu of %llu bytes)", len,
			(unsigned long long)pl + STORE_HDR);
		return -EINVAL;
	}
	if (len > STORE_HDR + pl) {
		set_err(err, errlen, "trailing bytes (%zu bytes, expected %llu)", len,
			(unsigned long long)pl + STORE_HDR);
		return -EINVAL;
	}
	if (crc32_update(crc32_update(0, b, 44), b + STORE_HDR, pl) != get32(b + 44)) {
		set_err(err, errlen, "checksum mismatch");
		return -EINVAL;
	}
	return 0;
}

/* The scope trailer at s (left bytes of payload after it start): 0 or
 * -EINVAL (err says why). */
static int decode_scope(const __u8 *s, __u64 left, struct store_profile *p, char *err,
			size_t errlen)
{
	__u32 n;

	if (left < STORE_SCOPE) {
		set_err(err, errlen, "scope trailer: %llu bytes, at least %u needed",
			(unsigned long long)left, STORE_SCOPE);
		return -EINVAL;
	}
	p->key.scope = get64(s);
	n = get16(s + 8);
	if (!p->key.scope) {
		set_err(err, errlen, "scope trailer: scope 0");
		return -EINVAL;
	}
	if (n > sizeof(p->cgroup) - 1 || left < STORE_SCOPE + (__u64)n) {
		set_err(err, errlen, "scope trailer: cgroup path of %u bytes (at most %zu, %llu "
			"left)", n, sizeof(p->cgroup) - 1, (unsigned long long)(left - STORE_SCOPE));
		return -EINVAL;
	}
	if (memchr(s + STORE_SCOPE, 0, n)) {
		set_err(err, errlen, "scope trailer: cgroup path contains a NUL byte");
		return -EINVAL;
	}
	memcpy(p->cgroup, s + STORE_SCOPE, n);
	p->cgroup[n] = 0;
	return check_scope(p, err, errlen);
}

/* store_decode with window 0 accepting the file's own window (prune). */
int store_decode(const void *buf, size_t len, __u32 window, struct store_profile *p,
		 char *err, size_t errlen)
{
	const __u8 *b = buf, *q = b + STORE_HDR;
	__u64 pl, need;
	__u32 plen, w, rb, nmax, ext;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = decode_header(b, len, window, err, errlen);
	if (ret)
		return ret;
	w = get32(b + 16);
	nmax = get32(b + 20);	/* the file's alphabet, checked by decode_header */
	rb = get32(b + 24);
	ext = get32(b + 8) >= 2 ? STORE_EVIDENCE : 0;
	pl = len - STORE_HDR;
	if (pl < STORE_FIXED) {
		set_err(err, errlen, "payload of %llu bytes, at least %u needed",
			(unsigned long long)pl, STORE_FIXED);
		return -EINVAL;
	}
	p->key.dev = get64(q);
	p->key.ino = get64(q + 8);
	p->train_count = get64(q + 16);
	p->last_mod_count = get64(q + 24);
	p->sequences = get64(q + 32);
	p->anomalies = get64(q + 40);
	p->state = get32(q + 48);
	p->normal_time = (__s64)get64(q + 52);
	p->normal_since = (__s64)get64(q + 60);
	plen = get16(q + 68);
	if (p->state > EBPH_NORMAL) {
		set_err(err, errlen, "invalid state %u", p->state);
		return -EINVAL;
	}
	if (plen > EBPH_PATH_MAX - 1) {
		set_err(err, errlen, "path of %u bytes, at most %u", plen, EBPH_PATH_MAX - 1);
		return -EINVAL;
	}
	if (pl < STORE_FIXED + plen) {
		set_err(err, errlen, "payload of %llu bytes, its content needs at least %u",
			(unsigned long long)pl, STORE_FIXED + plen);
		return -EINVAL;
	}
	if (memchr(q + 70, 0, plen)) {
		set_err(err, errlen, "path contains a NUL byte");
		return -EINVAL;
	}
	memcpy(p->path, q + 70, plen);
	q += 70 + plen;
	p->ntrain = get32(q);
	p->ntest = get32(q + 4);
	q += 8;
	if (p->ntrain > nmax || p->ntest > nmax) {
		set_err(err, errlen, "%u training and %u testing rows (at most %u each)",
			p->ntrain, p->ntest, nmax);
		goto invalid;
	}
	need = STORE_FIXED + plen + (__u64)(p->ntrain + p->ntest) * (2 + rb) + ext;
	if (get32(b + 32) & STORE_F_HANDLE) {
		const __u8 *h = q + (size_t)(p->ntrain + p->ntest) * (2 + rb) + ext;

		if (pl < need + STORE_TRAILER) {
			set_err(err, errlen, "payload of %llu bytes, its content needs at least %llu",
				(unsigned long long)pl, (unsigned long long)need + STORE_TRAILER);
			goto invalid;
		}
		p->fsid = get64(h);
		p->handle_type = (__s32)get32(h + 8);
		p->handle_len = get16(h + 12);
		if (!p->handle_len || p->handle_len > STORE_HANDLE_MAX) {
			set_err(err, errlen, "file handle of %u bytes, expected 1..%u",
				p->handle_len, STORE_HANDLE_MAX);
			goto invalid;
		}
		need += STORE_TRAILER + p->handle_len;
		if (need <= pl)
			memcpy(p->handle, h + 14, p->handle_len);
	}
	if (get32(b + 32) & STORE_F_GRAPH) {
		const __u8 *g = b + STORE_HDR + need;
		__u32 i, nedges;

		if (pl < need + STORE_GRAPH) {
			set_err(err, errlen, "payload of %llu bytes, its content needs at least %llu",
				(unsigned long long)pl, (unsigned long long)need + STORE_GRAPH);
			goto invalid;
		}
		p->key.script = get64(g);
		p->pflags = get32(g + 8);
		p->episodes = get64(g + 12);
		p->episode_first = (__s64)get64(g + 20);
		nedges = get16(g + 32);
		if (nedges > EBPH_EDGES_MAX) {
			set_err(err, errlen, "%u exec-graph edges (at most %u)", nedges,
				EBPH_EDGES_MAX);
			goto invalid;
		}
		need += STORE_GRAPH + (__u64)nedges * STORE_EDGE;
		if (need == pl && nedges) {
			p->edges = calloc(nedges, sizeof(*p->edges));
			if (!p->edges) {
				set_err(err, errlen, "out of memory");
				ret = -ENOMEM;
				goto fail;
			}
			p->nedges = nedges;
			for (i = 0, g += STORE_GRAPH; i < nedges; i++, g += STORE_EDGE) {
				p->edges[i].child.dev = get64(g);
				p->edges[i].child.ino = get64(g + 8);
				p->edges[i].child.script = get64(g + 16);
				p->edges[i].child.scope = get64(g + 24);
				if (g[32] & ~3) {
					set_err(err, errlen, "exec-graph edge %u: unknown views 0x%x",
						i, g[32]);
					goto invalid;
				}
				p->edges[i].train = g[32] & 1;
				p->edges[i].test = (g[32] >> 1) & 1;
			}
		}
	}
	if (get32(b + 32) & STORE_F_SCOPE) {
		ret = decode_scope(b + STORE_HDR + need, pl - need, p, err, errlen);
		if (ret)
			goto fail;
		need += STORE_SCOPE + strlen(p->cgroup);
	}
	if (need != pl) {
		set_err(err, errlen, "payload of %llu bytes, its content needs %llu",
			(unsigned long long)pl, (unsigned long long)need);
		goto invalid;
	}
	if (p->ntest && p->state != EBPH_NORMAL) {
		set_err(err, errlen, "%u testing rows in a %s profile", p->ntest,
			out_state_name(p->state));
		goto invalid;
	}
	if (ext) {
		const __u8 *e = q + (size_t)(p->ntrain + p->ntest) * (2 + rb);

		p->anomalies_total = get64(e);
		p->last_anomaly = (__s64)get64(e + 8);
		p->anomalies_lost = get64(e + 16);
		p->events_lost = get64(e + 24);
	}
	ret = get_rows(q, p->ntrain, rb, &p->train);
	if (!ret)
		ret = get_rows(q + (size_t)p->ntrain * (2 + rb), p->ntest, rb, &p->test);
	if (ret) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	ret = check_rows(p->train, p->ntrain, "training", w, nmax, err, errlen);
	if (!ret)
		ret = check_rows(p->test, p->ntest, "testing", w, nmax, err, errlen);
	if (!ret)
		ret = check_graph(p, err, errlen);
	if (ret)
		goto fail;
	return 0;
invalid:
	ret = -EINVAL;
fail:
	store_profile_free(p);
	return ret;
}

/* Free the rows of p (not p itself: profiles live in arrays or on the stack). */
void store_profile_free(struct store_profile *p)
{
	if (!p)
		return;
	free(p->train);
	free(p->test);
	free(p->edges);
	p->train = p->test = NULL;
	p->edges = NULL;
	p->ntrain = p->ntest = p->nedges = 0;
}

int store_next_rows(const struct store_profile *p, __u32 *i, __u32 *j,
		    const struct store_row **t, const struct store_row **s)
{
	__u32 ntest = p->state == EBPH_NORMAL ? p->ntest : 0;

	*t = *i < p->ntrain ? &p->train[*i] : NULL;
	*s = *j < ntest ? &p->test[*j] : NULL;
	if (*t && *s && (*t)->call < (*s)->call)
		*s = NULL;
	else if (*t && *s && (*s)->call < (*t)->call)
		*t = NULL;
	*i += *t != NULL;
	*j += *s != NULL;
	return *t || *s;
}

void store_rows_needed(const struct store_profile *p, __u32 *rows, __u32 *snap, int *split)
{
	__u32 i = 0, j = 0, same = 0, differ = 0, test_only = 0;
	const struct store_row *t, *s;

	*rows = 0;
	while (store_next_rows(p, &i, &j, &t, &s)) {
		(*rows)++;
		if (t && s && !memcmp(t->bits, s->bits, EBPH_ROW_BYTES))
			same++;
		else if (t && s)
			differ++;
		else if (s)
			test_only++;
	}
	*split = test_only > same;
	*snap = differ + (*split ? same : test_only);
}

void store_file_name(const struct ebph_key *key, char *buf, size_t len)
{
	char s[24] = "", c[24] = "";

	if (key->script)
		snprintf(s, sizeof(s), "~s%llx", (unsigned long long)key->script);
	if (key->scope)
		snprintf(c, sizeof(c), "~c%llx", (unsigned long long)key->scope);
	snprintf(buf, len, "%llx-%llx%s%s" STORE_SUFFIX, (unsigned long long)key->dev,
		 (unsigned long long)key->ino, s, c);
}

/* Owner and mode of state_dir (from lstat or fstat): 0 or -errno and err. */
static int check_dir_stat(const char *dir, const struct stat *st, char *err, size_t errlen)
{
	if (S_ISLNK(st->st_mode)) {
		set_err(err, errlen, "%s: is a symbolic link (state_dir must be the directory "
			"itself)", dir);
		return -ELOOP;
	}
	if (!S_ISDIR(st->st_mode)) {
		set_err(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if (st->st_uid != geteuid()) {
		set_err(err, errlen, "%s: owned by uid %u, not by uid %u (chown it)", dir,
			(unsigned int)st->st_uid, (unsigned int)geteuid());
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		set_err(err, errlen, "%s: writable by group or others (chmod 700 it)", dir);
		return -EPERM;
	}
	return 0;
}

/* mkdir with exactly this mode (not masked by the umask); 0 if it exists. */
static int make_dir(const char *path, mode_t mode)
{
	int fd, ret = 0;

	if (mkdir(path, mode))
		return errno == EEXIST ? 0 : -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, mode))
		ret = -errno;
	if (fd >= 0)
		close(fd);
	return ret;
}

/* mkdir -p: the missing parents 0755, dir itself 0700, whatever the umask. */
static int make_dirs(const char *dir, char *err, size_t errlen)
{
	char buf[4096];
	size_t len = strlen(dir), i;
	int ret;

	if (len >= sizeof(buf)) {
		set_err(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	memcpy(buf, dir, len + 1);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = 0;
	for (i = 1; i < len; i++) {
		if (buf[i] != '/' || buf[i - 1] == '/')
			continue;
		buf[i] = 0;
		ret = make_dir(buf, 0755);
		if (ret) {
			set_err(err, errlen, "%s: cannot create %s: %s", dir, buf, strerror(-ret));
			return ret;
		}
		buf[i] = '/';
	}
	ret = make_dir(buf, 0700);
	if (ret)
		set_err(err, errlen, "%s: cannot create: %s", dir, strerror(-ret));
	return ret;
}

int store_dir_check(const char *dir, int create, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (!dir || !dir[0]) {
		set_err(err, errlen, "state_dir is empty");
		return -EINVAL;
	}
	if (lstat(dir, &st)) {
		ret = -errno;
		if (ret != -ENOENT || !create) {
			set_err(err, errlen, "%s: %s", dir, strerror(-ret));
			return ret;
		}
		ret = make_dirs(dir, err, errlen);
		if (ret)
			return ret;
		if (lstat(dir, &st)) {
			ret = -errno;
			set_err(err, errlen, "%s: %s", dir, strerror(-ret));
			return ret;
		}
	}
	return check_dir_stat(dir, &st, err, errlen);
}

/* Open state_dir for *at() calls, refusing what store_dir_check refuses. */
static int dir_open(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int fd, ret;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (!lstat(dir, &st) && (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)))
			return check_dir_stat(dir, &st, err, errlen);
		set_err(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		set_err(err, errlen, "%s: %s", dir, strerror(-ret));
		close(fd);
		return ret;
	}
	ret = check_dir_stat(dir, &st, err, errlen);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

static int has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && !strcmp(name + n - s, suffix);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/* Names of dfd's entries ending in suffix, sorted (a stable load order). */
static int list_dir(int dfd, const char *suffix, char ***namesp, size_t *np)
{
	char **names = NULL, **grown;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd, ret = 0;

	fd = dup(dfd);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		return ret;
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d))) {
		if (!has_suffix(de->d_name, suffix))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	if (!ret && errno)
		ret = -errno;
	closedir(d);
	if (ret) {
		free_names(names, n);
		return ret;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*namesp = names;
	*np = n;
	return 0;
}

/* Open, check and decode one profile file; reason in err. */
static int read_profile(int dfd, const char *name, __u32 window, struct store_profile *p,
			char *err, size_t errlen)
{
	char expect[64];
	struct stat st;
	__u8 *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd, ret;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ELOOP)
			set_err(err, errlen, "is a symbolic link");
		else
			set_err(err, errlen, "cannot open: %s", strerror(-ret));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		set_err(err, errlen, "cannot stat: %s", strerror(-ret));
		goto out;
	}
	ret = -EINVAL;
	if (S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "is a directory");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "not a regular file");
		goto out;
	}
	ret = -EPERM;
	if (st.st_uid != geteuid()) {
		set_err(err, errlen, "owned by uid %u, not by uid %u", (unsigned int)st.st_uid,
			(unsigned int)geteuid());
		goto out;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		set_err(err, errlen, "writable by group or others");
		goto out;
	}
	ret = -EFBIG;
	if (st.st_size > STORE_MAX_FILE) {
		set_err(err, errlen, "too large (%lld bytes, a profile has at most %u)",
			(long long)st.st_size, STORE_MAX_FILE);
		goto out;
	}
	/* One byte more than its size: a file that grew is seen as too long. */
	buf = malloc(st.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		set_err(err, errlen, "out of memory");
		goto out;
	}
	while (len < (size_t)st.st_size + 1) {
		r = read(fd, buf + len, st.st_size + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			set_err(err, errlen, "cannot read: %s", strerror(-ret));
			goto out;
		}
		if (!r)
			break;
		len += r;
	}
	ret = store_decode(buf, len, window, p, err, errlen);
	if (ret)
		goto out;
	store_file_name(&p->key, expect, sizeof(expect));
	if (strcmp(name, expect)) {
		set_err(err, errlen, "file name does not match its profile (%s)", expect);
		store_profile_free(p);
		ret = -EINVAL;
	}
out:
	free(buf);
	close(fd);
	return ret;
}

int store_load(const char *dir, __u32 window, int (*fn)(struct store_profile *p, void *arg),
	       void *arg, char *err, size_t errlen)
{
	struct store_profile p;
	char reason[256], **names;
	size_t n, i;
	int dfd, ret, loaded = 0;

	dfd = dir_open(dir, err, errlen);
	if (dfd < 0)
		return dfd;
	ret = list_dir(dfd, STORE_SUFFIX, &names, &n);
	if (ret) {
		set_err(err, errlen, "%s: cannot list: %s", dir, strerror(-ret));
		close(dfd);
		return ret;
	}
	for (i = 0; i < n; i++) {
		ret = read_profile(dfd, names[i], window, &p, reason, sizeof(reason));
		if (ret == -ENOMEM) {
			set_err(err, errlen, "%s/%s: out of memory", dir, names[i]);
			break;
		}
		if (ret) {
			out_warn("ebph: %s/%s: %s", dir, names[i], reason);
			ret = 0;
			continue;
		}
		ret = fn(&p, arg);	/* fn owns the rows now */
		if (ret < 0) {
			set_err(err, errlen, "%s/%s: %s", dir, names[i], strerror(-ret));
			break;
		}
		ret = 0;
		loaded++;
	}
	free_names(names, n);
	close(dfd);
	return ret < 0 ? ret : loaded;
}

/* Name of a profile's scratch file: "<name>.prev" (see store_save). */
static void prev_name(const struct ebph_key *key, char *buf, size_t len)
{
	char name[64];

	store_file_name(key, name, sizeof(name));
	snprintf(buf, len, "%s" STORE_PREV, name);
}

/* Write b into the scratch file, reusing its inode when it is a plain file
 * of ours (anything else there is removed, never followed). On failure the
 * scratch file is removed: it held only the previous version, never loaded. */
static int write_scratch(int dfd, const char *scratch, const __u8 *b, size_t len)
{
	struct stat st;
	size_t done = 0;
	ssize_t w;
	int fd, ret = 0;

	fd = openat(dfd, scratch, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
			st.st_nlink != 1)) {
		close(fd);
		fd = -1;
		errno = EEXIST;
	}
	if (fd < 0) {
		if (errno != ENOENT && unlinkat(dfd, scratch, 0))
			return -errno;
		fd = openat(dfd, scratch, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC,
			    0600);
		if (fd < 0)
			return -errno;
	}
	if (fchmod(fd, 0600))
		ret = -errno;
	while (!ret && done < len) {
		w = pwrite(fd, b + done, len - done, done);
		if (w < 0 && errno != EINTR)
			ret = -errno;
		else if (!w)
			ret = -EIO;
		else if (w > 0)
			done += w;
	}
	if (!ret && ftruncate(fd, len))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		unlinkat(dfd, scratch, 0);	/* partial: never keep a full disk full */
	return ret;
}

/* 1 if dir already holds exactly these bytes under name, as a good profile
 * file (regular, ours, 0600): saving it again would change nothing. */
static int same_file(int dfd, const char *name, const __u8 *b, size_t len, __u8 *scratch)
{
	struct stat st;
	size_t got = 0;
	ssize_t r;
	int fd, same = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 07777) != 0600 || st.st_size != (off_t)len)
		goto out;
	while (got < len) {
		r = read(fd, scratch + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += r;
	}
	same = !memcmp(scratch, b, len);
out:
	close(fd);
	return same;
}

static int cmp_keys(const void *a, const void *b)
{
	const struct ebph_key *x = *(const struct ebph_key *const *)a;
	const struct ebph_key *y = *(const struct ebph_key *const *)b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->script != y->script)
		return x->script < y->script ? -1 : 1;
	return x->scope < y->scope ? -1 : x->scope > y->scope;
}

/* The key two of the n profiles share, or NULL (-ENOMEM in *ret). */
static const struct ebph_key *duplicate_key(const struct store_profile *profiles, size_t n,
					    int *ret)
{
	const struct ebph_key **keys, *dup = NULL;
	size_t i;

	*ret = 0;
	if (n < 2)
		return NULL;
	keys = malloc(n * sizeof(*keys));
	if (!keys) {
		*ret = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++)
		keys[i] = &profiles[i].key;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	for (i = 1; i < n && !dup; i++)
		if (!cmp_keys(&keys[i - 1], &keys[i]))
			dup = keys[i];
	free(keys);
	return dup;
}

/* Make the scratch files durable one by one (when syncfs is refused). */
static int fsync_scratch(int dfd, const struct store_profile *profiles, const size_t *idx,
			 size_t n, char *name, size_t namelen)
{
	size_t i;
	int fd, ret;

	for (i = 0; i < n; i++) {
		prev_name(&profiles[idx[i]].key, name, namelen);
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		ret = fsync(fd) ? -errno : 0;
		close(fd);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Each changed profile is written to its scratch file "<name>.prev", all of
 * them are made durable with one syncfs, then each scratch file is exchanged
 * with "<name>" (renameat2 RENAME_EXCHANGE: atomic, "<name>.prev" then holds
 * the previous version, whose inode the next save rewrites), and the
 * directory is synced. "<name>" is always a complete old or new version.
 * Reusing the inodes keeps the file system from allocating (and freeing)
 * one per profile and save: on ext4 without a journal each allocation scans
 * the inodes freed in the last minutes, which made saves several times
 * slower. Where exchange is not supported, a plain rename replaces "<name>".
 * A profile whose file already holds the same bytes is not written at all.
 * A profile that cannot be saved does not stop the others: the first such
 * error is returned, the count in *failed, and its scratch file is removed
 * (a full disk is not kept full by partial files); when the disk is full,
 * the scratch files holding previous versions are removed too.
 */
int store_save(const char *dir, __u32 window, const struct store_profile *profiles, size_t n,
	       size_t *failed, char *err, size_t errlen)
{
	char scratch[96], name[64], reason[192];
	size_t i, made = 0, cap = 0, len, *idx = NULL, nfail = 0;
	const struct ebph_key *dup;
	__u8 *buf = NULL, *grown;
	int dfd, ret = 0, first = 0, full = 0;

	if (window < 2 || window > EBPH_WINDOW_MAX) {
		set_err(err, errlen, "%s: cannot save: window %u out of range (2..%u)", dir, window,
			EBPH_WINDOW_MAX);
		return -EINVAL;
	}
	dup = duplicate_key(profiles, n, &ret);
	if (dup) {
		store_file_name(dup, name, sizeof(name));
		set_err(err, errlen, "%s/%s: cannot save two profiles with one key", dir, name);
		return -EINVAL;
	}
	if (ret) {
		set_err(err, errlen, "%s: out of memory", dir);
		return ret;
	}
	dfd = dir_open(dir, err, errlen);
	if (dfd < 0)
		return dfd;
	idx = malloc((n ? n : 1) * sizeof(*idx));
	if (!idx) {
		ret = -ENOMEM;
		set_err(err, errlen, "%s: out of memory", dir);
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct store_profile *p = &profiles[i];

		store_file_name(&p->key, name, sizeof(name));
		ret = check_profile(p, window, reason, sizeof(reason));
		if (ret) {
			if (!first)
				set_err(err, errlen, "%s/%s: cannot save %s: %s", dir, name,
					p->path, reason);
			first = first ? first : ret;
			nfail++;
			continue;
		}
		len = encoded_len(p);
		if (2 * len > cap) {	/* the encoding, then room to read the old file */
			grown = realloc(buf, 2 * len);
			if (!grown) {
				ret = -ENOMEM;
				set_err(err, errlen, "%s/%s: out of memory", dir, name);
				goto out;
			}
			buf = grown;
			cap = 2 * len;
		}
		encode_to(p, window, buf, len);
		if (same_file(dfd, name, buf, len, buf + len))
			continue;
		prev_name(&p->key, scratch, sizeof(scratch));
		ret = write_scratch(dfd, scratch, buf, len);
		if (ret) {
			if (!first)
				set_err(err, errlen, "%s/%s: cannot write: %s", dir, scratch,
					strerror(-ret));
			first = first ? first : ret;
			full |= ret == -ENOSPC || ret == -EDQUOT;
			nfail++;
			continue;
		}
		idx[made++] = i;
	}
	ret = 0;
	if (!made)
		goto out;
	/* One sync for all the data, before any exchange can expose it. */
	if (syncfs(dfd)) {
		ret = fsync_scratch(dfd, profiles, idx, made, scratch, sizeof(scratch));
		if (ret) {
			set_err(err, errlen, "%s/%s: cannot sync: %s", dir, scratch, strerror(-ret));
			for (i = 0; i < made; i++) {
				prev_name(&profiles[idx[i]].key, scratch, sizeof(scratch));
				unlinkat(dfd, scratch, 0);
			}
			nfail += made;
			goto out;
		}
	}
	for (i = 0; i < made; i++) {
		prev_name(&profiles[idx[i]].key, scratch, sizeof(scratch));
		store_file_name(&profiles[idx[i]].key, name, sizeof(name));
		if (!renameat2(dfd, scratch, dfd, name, RENAME_EXCHANGE))
			continue;
		if ((errno != ENOENT && errno != EINVAL && errno != ENOSYS) ||
		    renameat(dfd, scratch, dfd, name)) {
			if (!first)
				set_err(err, errlen, "%s/%s: cannot rename to %s: %s", dir,
					scratch, name, strerror(errno));
			first = first ? first : -errno;
			nfail++;
		}
	}
	if (fsync(dfd)) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot sync the directory: %s", dir, strerror(-ret));
	}
out:
	if (full)	/* the previous versions only take room the next save needs */
		for (i = 0; i < n; i++) {
			prev_name(&profiles[i].key, scratch, sizeof(scratch));
			unlinkat(dfd, scratch, 0);
		}
	free(idx);
	free(buf);
	close(dfd);
	if (failed)
		*failed = nfail;
	return ret ? ret : first;
}

int store_has_file(const char *dir, const struct ebph_key *key)
{
	char name[64];
	struct stat st;
	int dfd, ret;

	dfd = dir_open(dir, NULL, 0);
	if (dfd < 0)
		return dfd;
	store_file_name(key, name, sizeof(name));
	ret = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) ? -errno : 1;
	close(dfd);
	return ret == -ENOENT ? 0 : ret;
}

int store_delete(const char *dir, const struct ebph_key *key, char *err, size_t errlen)
{
	char name[64], scratch[96];
	int dfd, ret = 0;

	dfd = dir_open(dir, err, errlen);
	if (dfd < 0)
		return dfd;
	store_file_name(key, name, sizeof(name));
	prev_name(key, scratch, sizeof(scratch));
	unlinkat(dfd, scratch, 0);
	if (unlinkat(dfd, name, 0)) {
		ret = -errno;
		set_err(err, errlen, "%s/%s: %s", dir, name, strerror(-ret));
	} else if (fsync(dfd)) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot sync the directory: %s", dir, strerror(-ret));
	}
	close(dfd);
	return ret;
}

int store_set_handle(struct store_profile *p, const char *path)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[STORE_HANDLE_MAX];
	} h;
	struct statfs sf;
	struct stat st;
	int mnt, fd;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_ino != p->key.ino || st.st_dev != out_user_dev(p->key.dev)) {
		close(fd);
		return -ESTALE;
	}
	h.fh.handle_bytes = STORE_HANDLE_MAX;
	if (name_to_handle_at(fd, "", &h.fh, &mnt, AT_EMPTY_PATH) || fstatfs(fd, &sf)) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	close(fd);
	if (!h.fh.handle_bytes || h.fh.handle_bytes > STORE_HANDLE_MAX)
		return -EOVERFLOW;
	memcpy(&p->fsid, &sf.f_fsid, sizeof(p->fsid));
	p->handle_type = h.fh.handle_type;
	p->handle_len = h.fh.handle_bytes;
	memcpy(p->handle, h.fh.f_handle, h.fh.handle_bytes);
	return 0;
}

/* The nearest existing directory of path (itself excluded) on the file
 * system fsid, opened for open_by_handle_at (not O_PATH), or -1. */
static int store_fs_dir(const char *path, __u64 fsid)
{
	char dir[EBPH_PATH_MAX];
	struct statfs sf;
	__u64 id;
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	while ((slash = strrchr(dir, '/'))) {
		slash[slash == dir] = 0;	/* keep "/" itself */
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			if (!fstatfs(fd, &sf)) {
				memcpy(&id, &sf.f_fsid, sizeof(id));
				if (id == fsid && id)
					return fd;
			}
			close(fd);
			return -1;	/* another file system: no proof */
		}
		if (slash == dir)
			break;
	}
	return -1;
}

int store_stale(const struct store_profile *p)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[STORE_HANDLE_MAX];
	} h;
	struct stat st;
	int dir, fd, gone;

	/* Only a full path (ebph(8), PATHS) leads to the file system. */
	if (!p->handle_len || p->path[0] != '/')
		return 0;
	if (!stat(p->path, &st) && st.st_ino == p->key.ino &&
	    st.st_dev == out_user_dev(p->key.dev))
		return 0;
	dir = store_fs_dir(p->path, p->fsid);
	if (dir < 0)
		return 0;
	h.fh.handle_bytes = p->handle_len;
	h.fh.handle_type = p->handle_type;
	memcpy(h.fh.f_handle, p->handle, p->handle_len);
	fd = open_by_handle_at(dir, &h.fh, O_PATH | O_CLOEXEC);
	gone = fd < 0 && errno == ESTALE;
	if (fd >= 0)
		close(fd);
	close(dir);
	return gone;
}

int store_prune(const char *dir, int dry_run, FILE *out, char *err, size_t errlen)
{
	return store_prune_with(dir, dry_run, out, NULL, NULL, err, errlen);
}

int store_prune_with(const char *dir, int dry_run, FILE *out,
		     int (*forget)(const struct ebph_key *key, void *arg), void *arg,
		     char *err, size_t errlen)
{
	struct store_profile p;
	char reason[256], scratch[96], **names;
	size_t n, i;
	int dfd, ret, pruned = 0;

	dfd = dir_open(dir, err, errlen);
	if (dfd < 0)
		return dfd;
	ret = list_dir(dfd, STORE_SUFFIX, &names, &n);
	if (ret) {
		set_err(err, errlen, "%s: cannot list: %s", dir, strerror(-ret));
		close(dfd);
		return ret;
	}
	for (i = 0; i < n; i++) {
		ret = read_profile(dfd, names[i], 0, &p, reason, sizeof(reason));
		if (ret == -ENOMEM) {
			set_err(err, errlen, "%s/%s: out of memory", dir, names[i]);
			break;
		}
		if (ret) {
			out_warn("ebph: %s/%s: %s", dir, names[i], reason);
			ret = 0;
			continue;
		}
		if (store_stale(&p)) {
			if (!dry_run && forget && forget(&p.key, arg)) {
				store_profile_free(&p);
				continue;
			}
			if (!dry_run && unlinkat(dfd, names[i], 0)) {
				ret = -errno;
				set_err(err, errlen, "%s/%s: %s", dir, names[i], strerror(-ret));
				store_profile_free(&p);
				break;
			}
			if (!dry_run) {
				prev_name(&p.key, scratch, sizeof(scratch));
				unlinkat(dfd, scratch, 0);
			}
			fprintf(out, "%s %llu:%llu ", dry_run ? "would prune" : "pruned",
				(unsigned long long)out_user_dev(p.key.dev),
				(unsigned long long)p.key.ino);
			out_text_str(out, p.path, sizeof(p.path));
			fputc('\n', out);
			pruned++;
		}
		store_profile_free(&p);
	}
	if (!ret && pruned && !dry_run && fsync(dfd)) {
		ret = -errno;
		set_err(err, errlen, "%s: cannot sync the directory: %s", dir, strerror(-ret));
	}
	free_names(names, n);
	close(dfd);
	return ret < 0 ? ret : pruned;
}
