/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The end of the rootfs setup: pivot_root (or MS_MOVE + chroot) into the prepared root, then
 * the spec's readonly and masked paths and a read-only root. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mount-opts.h"
#include "rootfs-internal.h"
#include "rootfs.h"
#include "util/cleanup.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/path.h"
#include "util/strv.h"

/* ---- pivot ---- */

static int move_root(const char *rootfs, struct cu_error **err)
{
        if (chdir(rootfs) < 0)
                return cu_error_set(err, errno, "chdir to the rootfs \"%s\"", rootfs);
        if (mount(rootfs, "/", MOUNT_NO_TYPE, MS_MOVE, NULL) < 0)
                return cu_error_set(err, errno, "moving the rootfs \"%s\" to /", rootfs);
        if (chroot(".") < 0)
                return cu_error_set(err, errno, "chroot to the rootfs");
        if (chdir("/") < 0)
                return cu_error_set(err, errno, "chdir /");
        return 0;
}

int rootfs_pivot(const char *rootfs, bool no_pivot, struct cu_error **err)
{
        return rootfs_pivot_fd(rootfs, -1, no_pivot, err);
}

int rootfs_pivot_fd(const char *rootfs, int rootfd, bool no_pivot, struct cu_error **err)
{
        char buf[32];
        if (no_pivot)
                return move_root(rootfd >= 0 ? fd_path(rootfd, buf) : rootfs, err);

        _cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (oldroot < 0)
                return cu_error_set(err, errno, "opening /");
        _cleanup_close_ int newroot = rootfd >= 0
                                              ? openat(rootfd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC)
                                              : open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (newroot < 0)
                return cu_error_set(err, errno, "opening the rootfs \"%s\"", rootfs);
        if (fchdir(newroot) < 0)
                return cu_error_set(err, errno, "chdir to the rootfs \"%s\"", rootfs);
        /* The old root ends up stacked on ".": no directory for it needed. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return cu_error_set(err, errno, "pivot_root to \"%s\"", rootfs);
        if (fchdir(oldroot) < 0)
                return cu_error_set(err, errno, "chdir to the old root");
        /* Unmounting must not propagate to the host. */
        if (mount(NULL, ".", MOUNT_NO_TYPE, MS_SLAVE | MS_REC, NULL) < 0)
                return cu_error_set(err, errno, "making the old root rslave");
        if (umount2(".", MNT_DETACH) < 0)
                return cu_error_set(err, errno, "detaching the old root");
        if (chdir("/") < 0)
                return cu_error_set(err, errno, "chdir /");
        return 0;
}

/* ---- finalize ---- */

/* "/proc/self/fd/N" when /proc is mounted in the container, else the path
 * itself (after pivot_root nothing can resolve outside the root anyway). */
static const char *target_of(int fd, const char *path, bool have_proc, char buf[static 32])
{
        return have_proc ? fd_path(fd, buf) : path;
}

/* Remounts the mount at fd read-only, keeping its other per-mount flags. */
static int remount_ro(int fd, const char *path, bool have_proc, struct cu_error **err)
{
        char buf[32];
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0)
                return cu_error_set(err, errno, "statfs \"%s\"", path);
        unsigned long keep = mount_flags_from_statfs(sfs.f_flags) & MOUNT_LOCKABLE_FLAGS;
        if (mount(NULL, target_of(fd, path, have_proc, buf), MOUNT_NO_TYPE,
                  MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
                return cu_error_set(err, errno, "remounting \"%s\" read-only", path);
        return 0;
}

static int readonly_path(const char *path, bool have_proc, struct cu_error **err)
{
        char buf[32];
        _cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return cu_error_set(err, errno, "opening \"%s\"", path);
        }
        const char *t = target_of(fd, path, have_proc, buf);
        if (mount(t, t, MOUNT_NO_TYPE, MS_BIND | MS_REC, NULL) < 0)
                return cu_error_set(err, errno, "bind-mounting \"%s\" onto itself", path);
        _cleanup_close_ int mnt = open(path, O_PATH | O_CLOEXEC);
        if (mnt < 0)
                return cu_error_set(err, errno, "reopening \"%s\"", path);
        return remount_ro(mnt, path, have_proc, err);
}

static int masked_path(const char *path, bool have_proc, struct cu_error **err)
{
        char buf[32];
        struct stat st;
        _cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                return cu_error_set(err, errno, "opening \"%s\"", path);
        }
        if (fstat(fd, &st) < 0)
                return cu_error_set(err, errno, "stat \"%s\"", path);
        const char *t = target_of(fd, path, have_proc, buf);
        if (S_ISDIR(st.st_mode)) {
                if (mount("tmpfs", t, "tmpfs", MS_RDONLY, NULL) < 0)
                        return cu_error_set(err, errno, "masking \"%s\" with a read-only tmpfs",
                                            path);
                return 0;
        }
        if (mount("/dev/null", t, MOUNT_NO_TYPE, MS_BIND, NULL) < 0)
                return cu_error_set(err, errno, "masking \"%s\" with /dev/null", path);
        return 0;
}

static bool dev_wants_ro(const struct oci_spec *s)
{
        bool ro = false;
        for (size_t i = 0; i < s->n_mounts; i++) {
                if (!rootfs_path_equal(s->mounts[i].destination, "/dev"))
                        continue;
                _cleanup_(mount_opts_done) struct mount_opts o = { 0 };
                if (mount_opts_parse(s->mounts[i].options, &o) == 0)
                        ro = o.flags & MS_RDONLY;
        }
        return ro;
}

int rootfs_finalize(const struct oci_spec *s, struct cu_error **err)
{
        bool have_proc = access("/proc/self/fd", F_OK) == 0;
        int r;

        for (char **p = s->linux_.readonly_paths; p && *p; p++) {
                r = readonly_path(*p, have_proc, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "linux.readonlyPaths");
        }
        for (char **p = s->linux_.masked_paths; p && *p; p++) {
                r = masked_path(*p, have_proc, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "linux.maskedPaths");
        }

        if (dev_wants_ro(s)) {
                _cleanup_close_ int fd = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return cu_error_set(err, errno, "opening /dev");
                r = remount_ro(fd, "/dev", have_proc, err);
                if (r < 0)
                        return r;
        }

        if (s->root.readonly) {
                _cleanup_close_ int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return cu_error_set(err, errno, "opening /");
                r = remount_ro(fd, "/", false, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "root.readonly");
        }

        if (s->linux_.rootfs_propagation) {
                unsigned long prop;
                if (mount_propagation_from_string(s->linux_.rootfs_propagation, &prop) < 0)
                        return cu_error_setx(err, EINVAL,
                                             "linux.rootfsPropagation: unknown value \"%s\"",
                                             s->linux_.rootfs_propagation);
                if (mount(NULL, "/", MOUNT_NO_TYPE, prop, NULL) < 0)
                        return cu_error_set(err, errno, "linux.rootfsPropagation: setting \"%s\"",
                                            s->linux_.rootfs_propagation);
        }
        return 0;
}
