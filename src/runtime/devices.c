/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devices.h"
#include "mount-opts.h"
#include "util/log.h"
#include "util/path.h"

static const struct dev_node default_devices[] = {
        { "/dev/null", 'c', 1, 3, 0666, 0, 0 },    { "/dev/zero", 'c', 1, 5, 0666, 0, 0 },
        { "/dev/full", 'c', 1, 7, 0666, 0, 0 },    { "/dev/random", 'c', 1, 8, 0666, 0, 0 },
        { "/dev/urandom", 'c', 1, 9, 0666, 0, 0 }, { "/dev/tty", 'c', 5, 0, 0666, 0, 0 },
};

size_t devices_default(const struct dev_node **ret)
{
        *ret = default_devices;
        return ELEMENTSOF(default_devices);
}

mode_t dev_node_type_mode(char type)
{
        switch (type) {
        case 'c':
        case 'u':
                return S_IFCHR;
        case 'b':
                return S_IFBLK;
        case 'p':
                return S_IFIFO;
        default:
                return 0;
        }
}

int devices_plan(const struct oci_spec *s, struct dev_node **ret, size_t *ret_n)
{
        size_t n = ELEMENTSOF(default_devices);
        size_t max = n + (s ? s->linux_.n_devices : 0);
        _cleanup_free_ struct dev_node *v = calloc(max, sizeof(*v));
        if (!v)
                return -ENOMEM;
        memcpy(v, default_devices, sizeof(default_devices));

        for (size_t i = 0; s && i < s->linux_.n_devices; i++) {
                const struct oci_device *d = &s->linux_.devices[i];
                struct dev_node node = {
                        .path = d->path,
                        .type = d->type,
                        .major = d->type == 'p' ? 0 : (unsigned) d->major,
                        .minor = d->type == 'p' ? 0 : (unsigned) d->minor,
                        .mode = d->has_file_mode ? (d->file_mode & 07777) : 0666,
                        .uid = d->has_uid ? d->uid : 0,
                        .gid = d->has_gid ? d->gid : 0,
                };
                size_t j;
                for (j = 0; j < ELEMENTSOF(default_devices); j++)
                        if (strcmp(v[j].path, node.path) == 0)
                                break;
                if (j < ELEMENTSOF(default_devices))
                        v[j] = node;
                else
                        v[n++] = node;
        }
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

/* "/dev/a/b" → parent "/dev/a" (malloc'd) and a pointer to "b" inside path. */
static int split_dev_path(const char *path, char **ret_dir, const char **ret_base)
{
        const char *slash = strrchr(path, '/');
        if (!slash || !slash[1] || strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0)
                return -EINVAL;
        char *dir = slash == path ? strdup("/") : strndup(path, (size_t) (slash - path));
        if (!dir)
                return -ENOMEM;
        *ret_dir = dir;
        *ret_base = slash + 1;
        return 0;
}

/* Sets mode and owner through an O_PATH fd to the node itself (never a symlink). */
static int fixup_node(int fd, const struct dev_node *d, struct cu_error **err)
{
        char buf[32];
        if (chmod(fd_path(fd, buf), d->mode) < 0)
                return cu_error_set(err, errno, "device \"%s\": chmod %04o", d->path,
                                    (unsigned) d->mode);
        if (fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
                return cu_error_set(err, errno, "device \"%s\": chown %u:%u", d->path,
                                    (unsigned) d->uid, (unsigned) d->gid);
        return 0;
}

static int create_by_mknod(int dirfd, const char *base, const struct dev_node *d, mode_t tmode,
                           dev_t rdev, struct cu_error **err)
{
        struct stat st;
        if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                /* Already there (maybe bound from the host): leave it alone, as runc does. */
                if ((st.st_mode & S_IFMT) == tmode && (tmode == S_IFIFO || st.st_rdev == rdev))
                        return 0;
                if (S_ISDIR(st.st_mode))
                        return cu_error_setx(err, EISDIR,
                                             "device \"%s\": a directory is in the way", d->path);
                if (unlinkat(dirfd, base, 0) < 0)
                        return cu_error_set(err, errno,
                                            "device \"%s\": removing what is in the way", d->path);
        }
        if (mknodat(dirfd, base, tmode | d->mode, rdev) < 0)
                return cu_error_set(err, errno, "device \"%s\": mknod %c %u:%u", d->path,
                                    d->type, d->major, d->minor);

        _cleanup_close_ int fd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "device \"%s\": opening the new node", d->path);
        if (fstat(fd, &st) < 0)
                return cu_error_set(err, errno, "device \"%s\": stat", d->path);
        if ((st.st_mode & S_IFMT) != tmode || (tmode != S_IFIFO && st.st_rdev != rdev))
                return cu_error_setx(err, EEXIST, "device \"%s\": not the node just created",
                                     d->path);
        return fixup_node(fd, d, err);
}

static int create_by_bind(int dirfd, const char *base, const struct dev_node *d, mode_t tmode,
                          dev_t rdev, struct cu_error **err)
{
        char sbuf[32], dbuf[32];
        struct stat st;

        /* The host's node of the same path: it must be the device asked for. */
        _cleanup_close_ int src = open(d->path, O_PATH | O_CLOEXEC);
        if (src < 0)
                return cu_error_set(err, errno, "device \"%s\": opening the host's node",
                                    d->path);
        if (fstat(src, &st) < 0)
                return cu_error_set(err, errno, "device \"%s\": stat", d->path);
        if ((st.st_mode & S_IFMT) != tmode || (tmode != S_IFIFO && st.st_rdev != rdev))
                return cu_error_setx(err, ENODEV,
                                     "device \"%s\": the host's node is not %c %u:%u", d->path,
                                     d->type, d->major, d->minor);

        if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
                if (S_ISDIR(st.st_mode))
                        return cu_error_setx(err, EISDIR,
                                             "device \"%s\": a directory is in the way", d->path);
                if (unlinkat(dirfd, base, 0) < 0)
                        return cu_error_set(err, errno,
                                            "device \"%s\": removing what is in the way", d->path);
        }
        _cleanup_close_ int f =
                openat(dirfd, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0)
                return cu_error_set(err, errno, "device \"%s\": creating the mount point",
                                    d->path);
        _cleanup_close_ int dst = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (dst < 0)
                return cu_error_set(err, errno, "device \"%s\": opening the mount point",
                                    d->path);
        if (mount(fd_path(src, sbuf), fd_path(dst, dbuf), MOUNT_NO_TYPE, MS_BIND, NULL) < 0)
                return cu_error_set(err, errno, "device \"%s\": bind-mounting the host's node",
                                    d->path);
        return 0;
}

int devices_create(int rootfd, const struct dev_node *d, bool bind, struct cu_error **err)
{
        mode_t tmode = dev_node_type_mode(d->type);
        if (!tmode)
                return cu_error_setx(err, EINVAL, "device \"%s\": unknown type '%c'", d->path,
                                     d->type);
        dev_t rdev = tmode == S_IFIFO ? 0 : makedev(d->major, d->minor);

        _cleanup_free_ char *dir = NULL;
        const char *base = NULL;
        int r = split_dev_path(d->path, &dir, &base);
        if (r < 0)
                return cu_error_set(err, r, "device \"%s\"", d->path);
        _cleanup_close_ int dirfd = mkdir_p_in_root(rootfd, dir, 0755);
        if (dirfd < 0)
                return cu_error_set(err, dirfd, "device \"%s\": creating \"%s\"", d->path, dir);

        if (bind && tmode != S_IFIFO)
                return create_by_bind(dirfd, base, d, tmode, rdev, err);
        return create_by_mknod(dirfd, base, d, tmode, rdev, err);
}

int devices_symlinks(int rootfd, bool ptmx, struct cu_error **err)
{
        static const char *const links[][2] = {
                { "fd", "/proc/self/fd" },
                { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" },
        };
        _cleanup_close_ int dirfd = mkdir_p_in_root(rootfd, "/dev", 0755);
        if (dirfd < 0)
                return cu_error_set(err, dirfd, "creating /dev");

        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                if (symlinkat(links[i][1], dirfd, links[i][0]) < 0 && errno != EEXIST)
                        return cu_error_set(err, errno, "symlinking /dev/%s to %s", links[i][0],
                                            links[i][1]);

        if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dirfd, "core") < 0 &&
            errno != EEXIST)
                return cu_error_set(err, errno, "symlinking /dev/core to /proc/kcore");

        if (ptmx) {
                struct stat st;
                if (fstatat(dirfd, "ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0) {
                        if (S_ISDIR(st.st_mode))
                                return cu_error_setx(err, EISDIR, "/dev/ptmx is a directory");
                        if (unlinkat(dirfd, "ptmx", 0) < 0)
                                return cu_error_set(err, errno, "removing /dev/ptmx");
                }
                if (symlinkat("pts/ptmx", dirfd, "ptmx") < 0)
                        return cu_error_set(err, errno, "symlinking /dev/ptmx to pts/ptmx");
        }
        return 0;
}

int devices_setup(int rootfd, const struct oci_spec *s, bool in_userns, bool ptmx,
                  struct cu_error **err)
{
        _cleanup_free_ struct dev_node *nodes = NULL;
        size_t n = 0;
        int r = devices_plan(s, &nodes, &n);
        if (r < 0)
                return cu_error_set(err, r, "planning devices");

        for (size_t i = 0; i < n; i++) {
                r = devices_create(rootfd, &nodes[i], in_userns, err);
                if (r == -EPERM && !in_userns) {
                        /* No CAP_MKNOD (or a nodev-locked /dev): a bind still works. */
                        log_debug("mknod %s refused, bind-mounting the host's node",
                                  nodes[i].path);
                        cu_error_clear(err);
                        r = devices_create(rootfd, &nodes[i], true, err);
                }
                if (r < 0)
                        return r;
        }
        return devices_symlinks(rootfd, ptmx, err);
}
