/* SPDX-License-Identifier: GPL-2.0-only */
/* lsm.c: the execve mode of the response: the start-up check for a BPF LSM
 * (LSM list, kernel config, a trial load and attach) and the loader of
 * ebph's LSM program. Without libbcc: bcc's compiled instructions come in. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <zlib.h>
#include <bpf/bpf.h>
#if __has_include(<bpf/libbpf_version.h>)
#include <bpf/libbpf_version.h>
#endif

#include "btf.h"
#include "lsm.h"

#define LSM_TEXT_MAX	(1 << 20)	/* bytes of a kernel config, at most */

int lsm_list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;

	while (p && *p) {
		size_t w;

		p += strspn(p, " \t\n,");
		w = strcspn(p, " \t\n,");
		if (w == n && !strncmp(p, name, n))
			return 1;
		p += w;
	}
	return 0;
}

int lsm_kconfig(const char *text, const char *key, char *val, size_t len)
{
	size_t n = strlen(key);
	const char *p = text;

	while (p && *p) {
		const char *end = strchr(p, '\n');
		size_t w = end ? (size_t)(end - p) : strlen(p);

		if (w > n && !strncmp(p, key, n) && p[n] == '=') {
			const char *v = p + n + 1;
			size_t vl = w - n - 1;

			if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
				v++;
				vl -= 2;
			}
			snprintf(val, len, "%.*s", (int)vl, v);
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

/* lsm= of a kernel command line into val. 0 or -ENOENT. */
static int lsm_cmdline(const char *cmdline, char *val, size_t len)
{
	const char *p = cmdline, *found = NULL;

	while (p && *p) {
		size_t w;

		p += strspn(p, " \t\n");
		w = strcspn(p, " \t\n");
		if (w == 2 && !strncmp(p, "--", 2))
			break;	/* the rest goes to init */
		if (w > 4 && !strncmp(p, "lsm=", 4))
			found = p;	/* the last one wins */
		p += w;
	}
	if (!found)
		return -ENOENT;
	snprintf(val, len, "%.*s", (int)strcspn(found + 4, " \t\n"), found + 4);
	return 0;
}

int lsm_decide(const struct lsm_facts *f, char *why, size_t len)
{
	char list[200], v[16];
	const char *src = "lsm";

	if (f->kconfig && (lsm_kconfig(f->kconfig, "CONFIG_BPF_LSM", v, sizeof(v)) ||
			   strcmp(v, "y"))) {
		snprintf(why, len, "the kernel is built without CONFIG_BPF_LSM");
		return 0;
	}
	if (f->active) {
		snprintf(list, sizeof(list), "%.*s", (int)strcspn(f->active, "\n"), f->active);
	} else if (f->cmdline && !lsm_cmdline(f->cmdline, list, sizeof(list))) {
		src = "boot lsm";
	} else if (f->kconfig && !lsm_kconfig(f->kconfig, "CONFIG_LSM", list, sizeof(list))) {
		src = "CONFIG_LSM";
	} else {
		snprintf(why, len, "cannot tell whether the BPF LSM is active (no %s, no "
			 "kernel config)", LSM_ACTIVE_FILE);
		return 0;
	}
	if (!lsm_list_has(list, "bpf")) {
		snprintf(why, len, "BPF LSM not enabled (%s=%s)", src, list);
		return 0;
	}
	snprintf(why, len, "%s=%s", src, list);
	return 1;
}

/* A small text file (NUL-ended, malloc'd), or NULL. */
static char *lsm_read(const char *path)
{
	char *buf = malloc(LSM_TEXT_MAX);
	ssize_t n;
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, buf, LSM_TEXT_MAX - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

/* The running kernel's config: /proc/config.gz, else /boot/config-RELEASE. */
static char *lsm_read_kconfig(void)
{
	char path[128], *buf;
	struct utsname u;
	gzFile z;
	int n;

	z = gzopen(LSM_KCONFIG_GZ, "rb");
	if (z) {
		buf = malloc(LSM_TEXT_MAX);
		n = buf ? gzread(z, buf, LSM_TEXT_MAX - 1) : -1;
		gzclose(z);
		if (n >= 0) {
			buf[n] = 0;
			return buf;
		}
		free(buf);
	}
	if (uname(&u))
		return NULL;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	return lsm_read(path);
}

int lsm_load(const void *insns, size_t bytes, const char *license, __u32 btf_id, int *link)
{
	size_t n = bytes / sizeof(struct bpf_insn);
	int fd, lk, e;
#if defined(LIBBPF_MAJOR_VERSION) && (LIBBPF_MAJOR_VERSION > 0 || LIBBPF_MINOR_VERSION >= 7)
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_LSM_MAC,
		    .attach_btf_id = btf_id);

	fd = bpf_prog_load(BPF_PROG_TYPE_LSM, "ebph_lsm_exec", license, insns, n, &o);
#else
	struct bpf_load_program_attr a = {
		.prog_type = BPF_PROG_TYPE_LSM, .expected_attach_type = BPF_LSM_MAC,
		.name = "ebph_lsm_exec", .insns = insns, .insns_cnt = n, .license = license,
		.attach_btf_id = btf_id,
	};

	fd = bpf_load_program_xattr(&a, NULL, 0);
#endif
	if (fd < 0)
		return -errno;
	lk = bpf_raw_tracepoint_open(NULL, fd);	/* no name: the program's attach_btf_id */
	if (lk < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	*link = lk;
	return fd;
}

int lsm_check(__u32 *btf_id, char *why, size_t len)
{
	static const struct bpf_insn nop[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct lsm_facts f = { 0 };
	char *active, *kconfig, *cmdline, list[LSM_WHY_MAX], err[128];
	struct ebph_btf *btf;
	int ok, fd, link;

	f.active = active = lsm_read(LSM_ACTIVE_FILE);
	f.kconfig = kconfig = lsm_read_kconfig();
	f.cmdline = cmdline = lsm_read("/proc/cmdline");
	ok = lsm_decide(&f, list, sizeof(list));
	free(active);
	free(kconfig);
	free(cmdline);
	if (!ok) {
		snprintf(why, len, "%s", list);
		return 0;
	}
	if (kbtf_open(&btf, BTF_VMLINUX, err, sizeof(err))) {
		snprintf(why, len, "%s (%s)", err, list);
		return 0;
	}
	ok = !kbtf_type_id(btf, "bpf_lsm_" LSM_HOOK, BTF_KIND_FUNC, btf_id);
	kbtf_close(btf);
	if (!ok) {
		snprintf(why, len, "the kernel's BTF has no bpf_lsm_%s (%s)", LSM_HOOK, list);
		return 0;
	}
	fd = lsm_load(nop, sizeof(nop), "GPL", *btf_id, &link);
	if (fd < 0) {
		snprintf(why, len, "BPF LSM program refused: %s (%s)", strerror(-fd), list);
		return 0;
	}
	close(link);
	close(fd);
	snprintf(why, len, "BPF LSM (%s)", list);
	return 1;
}

char *lsm_text(const char *text, __u32 suspend_execve)
{
	char *out = NULL;

	if (asprintf(&out, "#define EBPH_LSM_REFUSE 1\n#define EBPH_SUSPEND_EXECVE %u\n%s",
		     suspend_execve, text) < 0)
		return NULL;
	return out;
}
