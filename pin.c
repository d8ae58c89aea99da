/* SPDX-License-Identifier: GPL-2.0-only */
/* pin.c: the monitor's side of the commands: pinning its maps and command
 * program in bpffs, one monitor at a time, stale pins of a crashed one. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/bpf.h>
#include <bcc/bcc_common.h>
#include <bcc/libbpf.h>
#include <bpf/bpf.h>

#include "bcc_api.h"
#include "admin.h"
#include "admin_int.h"

#define ADMIN_BPFFS	"/sys/fs/bpf"
#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC	0xcafe4a11
#endif

static int pin_created;		/* admin_pin made the pins: admin_unpin removes them */
static int pin_dir_fd = -1;	/* the pin directory while pinned */

#define PIN_DIR_NAME	"ebph"	/* ADMIN_PIN_DIR in ADMIN_BPFFS */

void pin_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", ADMIN_PIN_DIR, name);
}

/* Path of name in the directory open as dfd that follows no symbolic link
 * by name: the kernel resolves /proc/self/fd/N to the directory itself. */
static void pin_path_at(char *buf, size_t len, int dfd, const char *name)
{
	snprintf(buf, len, "/proc/self/fd/%d/%s", dfd, name);
}

static int is_bpffs(const char *path)
{
	struct statfs sf;

	return !statfs(path, &sf) && (unsigned long)sf.f_type == (unsigned long)BPF_FS_MAGIC;
}

/* Serialise monitors' pinning and unpinning (mount, mkdir, clean-up) with a
 * lock on /sys/fs, a directory that no mount ever covers. fd or -errno. */
static int pin_lock(void)
{
	int fd = open("/sys/fs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

static void pin_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Does process pid hold the BPF map map_id open (its fdinfo says so)? */
static int proc_holds_map(pid_t pid, __u32 map_id)
{
	char dir[64], path[64 + 256 + 2], line[128];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!found && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			unsigned int id;

			if (sscanf(line, "map_id: %u", &id) == 1) {
				found = id == map_id;
				break;
			}
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

/*
 * The monitor that made the pins, from the pinned info map: its PID (0 if
 * unknown) and whether it still runs. Alive means the process still holds
 * that very map open (its fdinfo names the map's id): a PID reused by another
 * process does not, and a monitor started under another name still does.
 * Only if its fdinfo cannot be read does its name (ebph) decide. Reads the
 * directory open as dfd (a checked pin directory).
 */
static pid_t pin_owner_at(int dfd, int *alive)
{
	__u64 value[1024];	/* the info value, of whichever ebph version made it */
	struct bpf_map_info mi;
	__u32 k = 0, len = sizeof(mi);
	char path[128], comm[32] = "";
	pid_t pid;
	FILE *f;
	int fd, held;

	*alive = 0;
	pin_path_at(path, sizeof(path), dfd, "info");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&mi, 0, sizeof(mi));
	memset(value, 0, sizeof(value));
	if (bpf_obj_get_info_by_fd(fd, &mi, &len) || mi.value_size < sizeof(__u64) ||
	    mi.value_size > sizeof(value) || bpf_lookup_elem(fd, &k, value)) {
		close(fd);
		return 0;
	}
	close(fd);
	pid = (pid_t)value[0];	/* struct ebph_info starts with the PID */
	if (pid <= 0 || (__u64)pid != value[0] || pid == getpid())
		return pid > 0 ? pid : 0;
	if (kill(pid, 0) && errno == ESRCH)
		return pid;
	held = proc_holds_map(pid, mi.id);
	if (held >= 0) {
		*alive = held;
		return pid;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = 0;
	*alive = !strcmp(comm, "ebph");
	return pid;
}

/* The bpffs root, opened without following a symbolic link. fd or -errno. */
static int pin_root_open(void)
{
	int fd = open(ADMIN_BPFFS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Is st what ebph makes its pin directory: a directory of root, 0700? */
static int pin_dir_trusted(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && st->st_uid == 0 && (st->st_mode & 07777) == 0700;
}

/*
 * Check ADMIN_PIN_DIR in the bpffs root rootfd without following it: 0 if
 * it is absent (*exists 0) or ebph's own kind (a directory of root, mode
 * 0700); else -ELOOP, -ENOTDIR or -EPERM with a message in err saying what
 * to remove. Anyone else's object there is never used, changed or removed.
 */
static int pin_dir_check(int rootfd, int *exists, char *err, size_t errlen)
{
	const char *what;
	struct stat st;
	int ret;

	*exists = 0;
	if (fstatat(rootfd, PIN_DIR_NAME, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	*exists = 1;
	if (pin_dir_trusted(&st))
		return 0;
	if (S_ISLNK(st.st_mode)) {
		what = "is a symbolic link";
		ret = -ELOOP;
	} else if (!S_ISDIR(st.st_mode)) {
		what = "is not a directory";
		ret = -ENOTDIR;
	} else if (st.st_uid != 0) {
		what = "is owned by another user";
		ret = -EPERM;
	} else {
		what = "is not mode 0700";
		ret = -EPERM;
	}
	snprintf(err, errlen, "%s %s (uid %u, mode %04o): not ebph's pin directory, left as it "
		 "is; if no other tool uses it, remove it (rm -r %s) and start ebph again",
		 ADMIN_PIN_DIR, what, (unsigned int)st.st_uid, (unsigned int)(st.st_mode & 07777),
		 ADMIN_PIN_DIR);
	return ret;
}

/* Open the pin directory (checked again on the open file). fd or -errno. */
static int pin_dir_open(int rootfd)
{
	struct stat st;
	int fd;

	fd = openat(rootfd, PIN_DIR_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !pin_dir_trusted(&st)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* The owner of the pins, if the pin directory is ebph's (see pin_owner_at). */
static pid_t pin_owner(int *alive)
{
	int rootfd, dfd, exists;
	pid_t pid = 0;

	*alive = 0;
	rootfd = pin_root_open();
	if (rootfd < 0)
		return 0;
	if (!pin_dir_check(rootfd, &exists, NULL, 0) && exists) {
		dfd = pin_dir_open(rootfd);
		if (dfd >= 0) {
			pid = pin_owner_at(dfd, alive);
			close(dfd);
		}
	}
	close(rootfd);
	return pid;
}

/* Remove ebph's own pins from the directory dfd (never any other name),
 * then the directory if that left it empty: 0, or -errno of the rmdir
 * (-ENOTEMPTY: it holds something else). */
static int pin_remove_all(int rootfd, int dfd)
{
	size_t i;

	for (i = 0; i < PROG_MAP_COUNT; i++)
		if (PIN_WANTED(i))
			unlinkat(dfd, prog_maps[i].name, 0);
	return unlinkat(rootfd, PIN_DIR_NAME, AT_REMOVEDIR) ? -errno : 0;
}

/* Say (once a start) that any user can create the pin directory first. */
static void pin_root_warn(int rootfd)
{
	struct stat st;

	if (!fstat(rootfd, &st) && (st.st_mode & S_IWOTH))
		fprintf(stderr, "ebph: warning: %s is writable by every user (mode %04o): "
			"another user can create %s before ebph starts; mount the BPF file "
			"system with mode=0700 (as ebph does when it mounts it)\n", ADMIN_BPFFS,
			(unsigned int)(st.st_mode & 07777), ADMIN_PIN_DIR);
}

/* An empty directory in the bpffs root that says ebph mounted it: whichever
 * monitor stops last (even after a crashed one) unmounts it again. */
#define PIN_MARKER	ADMIN_BPFFS "/ebph_mounted"	/* no dot: bpffs refuses dots */

/* Is the bpffs root unused: nothing in it but our marker and the kernel's
 * preloaded iterators (maps.debug, progs.debug)? */
static int pin_root_unused(void)
{
	struct dirent *de;
	int unused = 1;
	DIR *d = opendir(ADMIN_BPFFS);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, PIN_MARKER + sizeof(ADMIN_BPFFS)) &&
		    strcmp(de->d_name, "maps.debug") && strcmp(de->d_name, "progs.debug"))
			unused = 0;
	closedir(d);
	return unused;
}

/* Unmount bpffs if ebph mounted it (a marker of root's, 0700, says so) and
 * nothing else is pinned there. */
static void pin_unmount_if_unused(void)
{
	struct stat st;

	if (lstat(PIN_MARKER, &st) || !pin_dir_trusted(&st) || !pin_root_unused())
		return;
	if (!rmdir(PIN_MARKER) && umount2(ADMIN_BPFFS, MNT_DETACH))
		mkdir(PIN_MARKER, 0700);	/* still mounted: keep saying it is ours */
}

/* Make (or take over, from a crashed monitor) the pin directory in rootfd:
 * its fd, or -errno with a message in err. */
static int pin_dir_make(int rootfd, char *err, size_t errlen)
{
	int exists, alive, dfd, ret;
	pid_t pid;

	ret = pin_dir_check(rootfd, &exists, err, errlen);
	if (ret)
		return ret;
	if (!exists) {
		if (mkdirat(rootfd, PIN_DIR_NAME, 0700)) {
			ret = -errno;
			if (ret == -EEXIST)	/* made meanwhile: check what it is */
				return pin_dir_make(rootfd, err, errlen);
			snprintf(err, errlen, "cannot create %s: %s", ADMIN_PIN_DIR,
				 strerror(-ret));
			return ret;
		}
		dfd = openat(rootfd, PIN_DIR_NAME, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0 || fchmod(dfd, 0700)) {	/* exactly 0700, whatever the umask */
			ret = -errno;
			snprintf(err, errlen, "cannot create %s: %s", ADMIN_PIN_DIR,
				 strerror(-ret));
			if (dfd >= 0)
				close(dfd);
			return ret;
		}
		close(dfd);
	}
	dfd = pin_dir_open(rootfd);
	if (dfd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", ADMIN_PIN_DIR, strerror(-dfd));
		return dfd;
	}
	if (!exists)
		return dfd;
	pid = pin_owner_at(dfd, &alive);
	if (alive) {
		snprintf(err, errlen, "another ebph monitor is running (PID %d)", (int)pid);
		close(dfd);
		return -EBUSY;
	}
	ret = pin_remove_all(rootfd, dfd);
	if (pid)
		fprintf(stderr, "ebph: removed stale pins of a crashed ebph (PID %d)\n", (int)pid);
	else
		fprintf(stderr, "ebph: removed stale pins of a crashed ebph (PID unknown)\n");
	if (ret == -ENOTEMPTY) {
		fprintf(stderr, "ebph: %s holds entries that are not ebph's pins: left as they "
			"are\n", ADMIN_PIN_DIR);
		return dfd;	/* root's own directory: pin beside them */
	}
	close(dfd);
	if (ret) {
		snprintf(err, errlen, "cannot remove the stale pins in %s: %s", ADMIN_PIN_DIR,
			 strerror(-ret));
		return ret;
	}
	return pin_dir_make(rootfd, err, errlen);	/* now absent: once more */
}

int admin_pin(const struct ebph_prog *p, char *err, size_t errlen)
{
	char path[128];
	int lock, rootfd = -1, dfd, fd, ret = 0;
	size_t i;

	lock = pin_lock();
	if (lock < 0) {
		snprintf(err, errlen, "cannot lock /sys/fs for pinning: %s", strerror(-lock));
		return lock;
	}
	if (!is_bpffs(ADMIN_BPFFS)) {
		if (mount("bpf", ADMIN_BPFFS, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "mode=0700")) {
			ret = -errno;
			snprintf(err, errlen, "cannot mount the BPF file system at %s: %s",
				 ADMIN_BPFFS, strerror(-ret));
			goto out;
		}
		mkdir(PIN_MARKER, 0700);
	}
	rootfd = pin_root_open();
	if (rootfd < 0) {
		ret = rootfd;
		snprintf(err, errlen, "cannot open %s: %s", ADMIN_BPFFS, strerror(-ret));
		goto fail;
	}
	pin_root_warn(rootfd);
	dfd = pin_dir_make(rootfd, err, errlen);
	if (dfd < 0) {
		ret = dfd;
		goto fail;
	}
	pin_created = 1;
	pin_dir_fd = dfd;
	for (i = 0; i < PROG_MAP_COUNT; i++) {
		fd = prog_map_fd(p, i);
		if (!PIN_WANTED(i) || (fd < 0 && (prog_maps[i].flags & PROG_M_OPT)))
			continue;
		pin_path_at(path, sizeof(path), dfd, prog_maps[i].name);
		if (fd < 0 || bpf_obj_pin(fd, path)) {
			ret = fd < 0 ? -EBADF : -errno;
			pin_path(path, sizeof(path), prog_maps[i].name);
			snprintf(err, errlen, "cannot pin %s: %s", path, strerror(-ret));
			pin_remove_all(rootfd, dfd);
			close(dfd);
			pin_dir_fd = -1;
			pin_created = 0;
			goto fail;
		}
	}
	ret = 0;
	goto out;
fail:
	pin_unmount_if_unused();
out:
	if (rootfd >= 0)
		close(rootfd);
	pin_unlock(lock);
	return ret;
}

void admin_unpin(void)
{
	int lock, rootfd;

	if (!pin_created)
		return;
	lock = pin_lock();
	rootfd = pin_root_open();
	if (rootfd >= 0) {
		pin_remove_all(rootfd, pin_dir_fd);
		close(rootfd);
	}
	close(pin_dir_fd);
	pin_dir_fd = -1;
	pin_created = 0;
	pin_unmount_if_unused();
	pin_unlock(lock);
}

pid_t admin_running(void)
{
	int alive;
	pid_t pid;

	if (!is_bpffs(ADMIN_BPFFS))
		return 0;
	pid = pin_owner(&alive);
	return alive ? pid : 0;
}
