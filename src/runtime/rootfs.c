/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The container's mounts, made inside its root: the spec's mounts of every kind (bind,
 * proc, sysfs, tmpfs with tmpcopyup, …; the cgroup ones in rootfs-cgroup.c), with the root
 * prepared first.  Pivot and the readonly/masked paths are in rootfs-pivot.c. */
#include <dirent.h>
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

#include "devices.h"
#include "mount-opts.h"
#include "rootfs-internal.h"
#include "rootfs.h"
#include "util/fileio.h"
#include "util/log.h"
#include "util/mountinfo.h"
#include "util/path.h"
#include "util/strv.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define SELINUX_MAGIC 0xf97cff8c

/* ---- small path helpers ---- */

/* Compares two absolute paths ignoring repeated and trailing slashes. */
bool rootfs_path_equal(const char *a, const char *b)
{
        for (;;) {
                while (*a == '/' && (a[1] == '/' || a[1] == '\0'))
                        a++;
                while (*b == '/' && (b[1] == '/' || b[1] == '\0'))
                        b++;
                if (*a != *b)
                        return false;
                if (!*a)
                        return true;
                a++;
                b++;
        }
}

/* True when path is prefix or below it ("/proc" covers "/proc/x", not "/procx"). */
bool rootfs_path_has_prefix(const char *path, const char *prefix)
{
        size_t n = strlen(prefix);
        while (n > 0 && prefix[n - 1] == '/')
                n--;
        return strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Where fd points, as a path inside the container root ("/etc/x"). */
static int fd_path_in_root(const struct mount_ctx *c, int fd, char **ret)
{
        char buf[32], full[PATH_MAX];
        ssize_t k = readlink(fd_path(fd, buf), full, sizeof full - 1);
        if (k < 0)
                return -errno;
        full[k] = '\0';
        if (strncmp(full, c->rootfs, c->rootfs_len) != 0 ||
            (full[c->rootfs_len] != '/' && full[c->rootfs_len] != '\0'))
                return -EXDEV;
        *ret = strdup(full[c->rootfs_len] ? full + c->rootfs_len : "/");
        return *ret ? 0 : -ENOMEM;
}

/* The mount id of the mount fd is on (from /proc/self/fdinfo). */
static int fd_mnt_id(int fd)
{
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
        _cleanup_close_ int f = open(path, O_RDONLY | O_CLOEXEC);
        if (f < 0)
                return -errno;
        ssize_t k = read_all(f, buf, sizeof buf - 1);
        if (k < 0)
                return (int) k;
        buf[k] = '\0';
        const char *p = strstr(buf, "mnt_id:");
        int id;
        if (!p || sscanf(p, "mnt_id: %d", &id) != 1)
                return -ENOENT;
        return id;
}

/* ---- mount primitives ---- */

int rootfs_mount_error(struct cu_error **err, int e, const char *source, const char *type,
                       const char *dest)
{
        if (!source)
                source = strempty(type);
        if (type && strcmp(type, source) != 0)
                return cu_error_set(err, e, "mounting \"%s\" (type %s) on \"%s\"", source, type,
                                    dest);
        return cu_error_set(err, e, "mounting \"%s\" on \"%s\"", source, dest);
}

/* Joins "prefix,data,context=\"label\"" (any part may be missing); NULL when empty. */
int rootfs_mount_data(const struct mount_ctx *c, bool label, const char *prefix, const char *data,
                     char **ret)
{
        const char *parts[3] = { prefix, data, NULL };
        _cleanup_free_ char *ctx = NULL;
        if (label && c->label) {
                if (asprintf(&ctx, "context=\"%s\"", c->label) < 0)
                        return -ENOMEM;
                parts[2] = ctx;
        }
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                if (!parts[i] || !*parts[i])
                        continue;
                size_t n = strlen(parts[i]);
                char *p = realloc(out, len + n + 2);
                if (!p)
                        return -ENOMEM;
                out = p;
                if (len)
                        out[len++] = ',';
                memcpy(out + len, parts[i], n + 1);
                len += n;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

/* Opens (creating when missing) the directory dest inside the root.  strict:
 * the last component must already be a real directory if it exists (no
 * symlink), as runc demands for proc and sysfs.  *ret_st gets its stat, or
 * st_mode 0 when it was just created. */
int rootfs_open_dest_dir(const struct mount_ctx *c, const char *dest, bool strict,
                         const char *type, int *ret_fd, struct stat *ret_st,
                         struct cu_error **err)
{
        struct stat st = { 0 };
        _cleanup_close_ int fd =
                open_in_root(c->rootfd, dest, O_PATH | (strict ? O_NOFOLLOW : 0), 0);
        if (fd >= 0) {
                if (fstat(fd, &st) < 0)
                        return cu_error_set(err, errno, "stat \"%s\"", dest);
                if (strict && !S_ISDIR(st.st_mode))
                        return cu_error_setx(err, ENOTDIR,
                                             "%s must be mounted on an ordinary directory",
                                             type);
        } else if (fd == -ENOENT) {
                fd = mkdir_p_in_root(c->rootfd, dest, 0755);
                if (fd < 0)
                        return cu_error_set(err, fd, "creating mount point \"%s\"", dest);
        } else {
                return cu_error_set(err, fd, "opening mount point \"%s\"", dest);
        }
        *ret_fd = TAKE_FD(fd);
        *ret_st = st;
        return 0;
}

/* After a mount on oldfd's path: reopens dest (now the new mount's root)
 * and checks that it is a different mount than before. */
int rootfs_reopen_mounted(const struct mount_ctx *c, const char *dest, int oldfd, int *ret,
                          struct cu_error **err)
{
        _cleanup_close_ int fd = open_in_root(c->rootfd, dest, O_PATH, 0);
        if (fd < 0)
                return cu_error_set(err, fd, "reopening \"%s\" after mounting", dest);
        int before = fd_mnt_id(oldfd), after = fd_mnt_id(fd);
        if (before >= 0 && after >= 0 && before == after)
                return cu_error_setx(err, EXDEV,
                                     "\"%s\": the new mount is not where it was made", dest);
        *ret = TAKE_FD(fd);
        return 0;
}

int rootfs_apply_propagation(int fd, const char *dest, const struct mount_opts *o,
                             struct cu_error **err)
{
        char buf[32];
        const char *t = fd_path(fd, buf);
        for (size_t i = 0; i < o->n_propagation; i++)
                if (mount(NULL, t, MOUNT_NO_TYPE, o->propagation[i], NULL) < 0)
                        return cu_error_set(err, errno, "setting the propagation of \"%s\"",
                                            dest);
        return 0;
}

static int apply_attrs(int fd, const char *dest, const struct mount_opts *o,
                       struct cu_error **err)
{
        if (!mount_opts_has_attr(o))
                return 0;
        struct mount_attr a = { .attr_set = o->attr_set, .attr_clr = o->attr_clr };
        if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a) < 0)
                return cu_error_set(err, errno, "setting recursive mount attributes on \"%s\"",
                                    dest);
        return 0;
}

/* MS_BIND|MS_REMOUNT with the requested per-mount flags; when refused (locked
 * flags of a mount from a more privileged namespace), once more with the
 * mount's current lockable flags kept, as runc does. */
int rootfs_remount_bind(int fd, const char *dest, unsigned long flags, unsigned long cleared,
                        struct cu_error **err)
{
        char buf[32];
        unsigned long req = MS_BIND | MS_REMOUNT | (flags & ~(MS_BIND | MS_REC | MS_REMOUNT));
        if (mount(NULL, fd_path(fd, buf), MOUNT_NO_TYPE, req, NULL) == 0)
                return 0;
        int e = errno;
        if (e == EPERM) {
                struct statfs sfs;
                unsigned long retry;
                if (fstatfs(fd, &sfs) == 0 &&
                    mount_remount_retry_flags(req, cleared, mount_flags_from_statfs(sfs.f_flags),
                                              &retry) == 0) {
                        if (mount(NULL, buf, MOUNT_NO_TYPE, retry, NULL) == 0)
                                return 0;
                        e = errno;
                }
        }
        return cu_error_set(err, e, "remounting \"%s\"%s", dest,
                            (req & MS_RDONLY) ? " read-only" : "");
}

static bool bind_needs_remount(const struct mount_opts *o)
{
        return (o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) || o->cleared;
}

/* ---- runc's /proc rule ---- */

static const char *const proc_allowed[] = {
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
        "/proc/swaps",   "/proc/uptime",    "/proc/loadavg", "/proc/slabinfo",
        "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

/* Nothing but a procfs may go on /proc, and below it only the files lxcfs
 * emulates. */
static int check_proc_dest(const struct mount_ctx *c, int dstfd, enum mount_kind kind, int srcfd,
                           const char *dest, struct cu_error **err)
{
        _cleanup_free_ char *rel = NULL;
        int r = fd_path_in_root(c, dstfd, &rel);
        if (r < 0)
                return cu_error_set(err, r, "resolving \"%s\" inside the root", dest);
        if (!rootfs_path_has_prefix(rel, "/proc"))
                return 0;
        if (rootfs_path_equal(rel, "/proc")) {
                struct statfs sfs;
                struct stat st;
                if (kind == MOUNT_KIND_PROC)
                        return 0;
                if (kind == MOUNT_KIND_BIND && srcfd >= 0 && fstatfs(srcfd, &sfs) == 0 &&
                    sfs.f_type == PROC_SUPER_MAGIC && fstat(srcfd, &st) == 0 && st.st_ino == 1)
                        return 0;
                return cu_error_setx(err, EINVAL,
                                     "\"%s\" cannot be mounted because it is not of type proc",
                                     dest);
        }
        for (size_t i = 0; i < ELEMENTSOF(proc_allowed); i++)
                if (rootfs_path_equal(rel, proc_allowed[i]))
                        return 0;
        return cu_error_setx(err, EINVAL, "\"%s\" cannot be mounted because it is inside /proc",
                             dest);
}

/* ---- tmpcopyup ---- */

static int copy_file_at(int from, int to, const char *name)
{
        _cleanup_close_ int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (in < 0)
                return -errno;
        _cleanup_close_ int out =
                openat(to, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (out < 0)
                return -errno;
        char buf[65536];
        for (;;) {
                ssize_t k = read_all(in, buf, sizeof buf);
                if (k < 0)
                        return (int) k;
                if (k == 0)
                        break;
                int r = write_all(out, buf, (size_t) k);
                if (r < 0)
                        return r;
                if ((size_t) k < sizeof buf)
                        break;
        }
        return 0;
}

/* Copies the content of directory from into directory to (same names,
 * modes, owners and times; sockets are skipped). */
static int copy_tree(int from, int to, unsigned depth)
{
        if (depth > 128)
                return -ELOOP;
        int dfd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                safe_close(dfd);
                return -errno;
        }
        struct dirent *de;
        while ((errno = 0, de = readdir(d))) {
                const char *name = de->d_name;
                struct stat st;
                int r = 0;
                if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                        continue;
                if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                switch (st.st_mode & S_IFMT) {
                case S_IFDIR: {
                        if (mkdirat(to, name, 0700) < 0 && errno != EEXIST)
                                return -errno;
                        _cleanup_close_ int sf =
                                openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int sd =
                                openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sf < 0 || sd < 0)
                                return -errno;
                        r = copy_tree(sf, sd, depth + 1);
                        break;
                }
                case S_IFREG:
                        r = copy_file_at(from, to, name);
                        break;
                case S_IFLNK: {
                        char target[PATH_MAX];
                        ssize_t k = readlinkat(from, name, target, sizeof target - 1);
                        if (k < 0)
                                return -errno;
                        target[k] = '\0';
                        if (symlinkat(target, to, name) < 0)
                                return -errno;
                        break;
                }
                case S_IFCHR:
                case S_IFBLK:
                case S_IFIFO:
                        if (mknodat(to, name, st.st_mode, st.st_rdev) < 0)
                                return -errno;
                        break;
                default:
                        continue;
                }
                if (r < 0)
                        return r;
                if (fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (!S_ISLNK(st.st_mode) && fchmodat(to, name, st.st_mode & 07777, 0) < 0)
                        return -errno;
                const struct timespec times[2] = { st.st_atim, st.st_mtim };
                (void) utimensat(to, name, times, AT_SYMLINK_NOFOLLOW);
        }
        return errno ? -errno : 0;
}

/* ---- the mount kinds ---- */

/* proc, sysfs, tmpfs, mqueue, devpts, cgroup2 and anything else with a type. */
int rootfs_mount_fs(const struct mount_ctx *c, const struct oci_mount *m,
                    const struct mount_opts *o, enum mount_kind kind, const char *type,
                    struct cu_error **err)
{
        const char *dest = m->destination;
        const char *source = m->source && *m->source ? m->source : type;
        char buf[32];
        struct stat st;
        int r;

        if (!type || !*type)
                return cu_error_setx(err, EINVAL, "no type given for a mount that is not a bind");

        _cleanup_close_ int dst = -EBADF;
        r = rootfs_open_dest_dir(c, dest, kind == MOUNT_KIND_PROC || kind == MOUNT_KIND_SYSFS, type,
                          &dst, &st, err);
        if (r < 0)
                return r;
        r = check_proc_dest(c, dst, kind, -1, dest, err);
        if (r < 0)
                return r;

        unsigned long flags = o->flags;
        if (rootfs_path_equal(dest, "/dev"))
                flags &= ~MS_RDONLY; /* devices go in first; finalize makes it ro */

        /* A tmpfs over an existing directory keeps its mode unless mode= says otherwise. */
        char prefix[32] = "";
        if (kind == MOUNT_KIND_TMPFS && S_ISDIR(st.st_mode))
                snprintf(prefix, sizeof prefix, "mode=%04o", (unsigned) (st.st_mode & 07777));
        bool label = kind != MOUNT_KIND_PROC && kind != MOUNT_KIND_SYSFS &&
                     kind != MOUNT_KIND_CGROUP2;
        _cleanup_free_ char *data = NULL;
        r = rootfs_mount_data(c, label, prefix, o->data, &data);
        if (r < 0)
                return cu_error_set(err, r, "mount data");

        /* tmpcopyup: keep a handle on what the tmpfs is about to cover. */
        _cleanup_close_ int under = -EBADF;
        if (kind == MOUNT_KIND_TMPFS && (o->ext & MOUNT_EXT_TMPCOPYUP) && S_ISDIR(st.st_mode)) {
                under = open_in_root(c->rootfd, dest, O_RDONLY | O_DIRECTORY, 0);
                if (under < 0)
                        return cu_error_set(err, under, "tmpcopyup: opening \"%s\"", dest);
        }

        if (mount(source, fd_path(dst, buf), type, flags, data) < 0)
                return rootfs_mount_error(err, errno, source, type, dest);

        _cleanup_close_ int mnt = -EBADF;
        if (flags & MS_REMOUNT)
                mnt = TAKE_FD(dst);
        else if ((r = rootfs_reopen_mounted(c, dest, dst, &mnt, err)) < 0)
                return r;

        if (under >= 0) {
                _cleanup_close_ int top = open_in_root(c->rootfd, dest, O_RDONLY | O_DIRECTORY, 0);
                if (top < 0)
                        return cu_error_set(err, top, "tmpcopyup: opening the new \"%s\"", dest);
                r = copy_tree(under, top, 0);
                if (r < 0)
                        return cu_error_set(err, r, "tmpcopyup: copying into \"%s\"", dest);
                if (fchown(top, st.st_uid, st.st_gid) < 0)
                        return cu_error_set(err, errno, "tmpcopyup: chown \"%s\"", dest);
        }

        r = rootfs_apply_propagation(mnt, dest, o, err);
        if (r < 0)
                return r;
        return apply_attrs(mnt, dest, o, err);
}

/* copy-symlink: a symlink source becomes the same symlink at dest. */
static int copy_symlink(const struct mount_ctx *c, int src, const char *dest,
                        struct cu_error **err)
{
        char target[PATH_MAX], existing[PATH_MAX];
        /* src is O_PATH|O_NOFOLLOW on the symlink: "" reads the link itself. */
        ssize_t k = readlinkat(src, "", target, sizeof target - 1);
        if (k < 0)
                return cu_error_set(err, errno, "reading the symlink source");
        target[k] = '\0';

        const char *slash = strrchr(dest, '/');
        _cleanup_free_ char *dir =
                slash == dest ? strdup("/") : strndup(dest, (size_t) (slash - dest));
        if (!dir)
                return -ENOMEM;
        _cleanup_close_ int dfd = mkdir_p_in_root(c->rootfd, dir, 0755);
        if (dfd < 0)
                return cu_error_set(err, dfd, "creating \"%s\"", dir);
        if (symlinkat(target, dfd, slash + 1) == 0)
                return 0;
        if (errno == EEXIST) {
                k = readlinkat(dfd, slash + 1, existing, sizeof existing - 1);
                if (k >= 0 && (existing[k] = '\0', strcmp(existing, target) == 0))
                        return 0;
                errno = EEXIST;
        }
        return cu_error_set(err, errno, "creating symlink \"%s\" -> \"%s\"", dest, target);
}

int rootfs_mount_bind(const struct mount_ctx *c, const struct oci_mount *m,
                      const struct mount_opts *o, const char *source, struct cu_error **err)
{
        const char *dest = m->destination;
        char sbuf[32], dbuf[32];
        struct stat st;
        int r;

        if (!source || !*source)
                return cu_error_setx(err, EINVAL, "a bind mount needs a source");
        bool nofollow = o->ext & (MOUNT_EXT_SRC_NOFOLLOW | MOUNT_EXT_COPY_SYMLINK);
        _cleanup_close_ int src = c->src_fd >= 0 && source == m->source
                                          ? fcntl(c->src_fd, F_DUPFD_CLOEXEC, 3)
                                          : open(source, O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
        if (src < 0)
                return rootfs_mount_error(err, errno, source, NULL, dest);
        if (fstat(src, &st) < 0)
                return cu_error_set(err, errno, "stat \"%s\"", source);
        if (S_ISLNK(st.st_mode) && (o->ext & MOUNT_EXT_COPY_SYMLINK))
                return copy_symlink(c, src, dest, err);

        bool is_dir = S_ISDIR(st.st_mode);
        /* Directories (the mount point and its missing parents) must be searchable. */
        _cleanup_close_ int dst =
                ensure_path_in_root(c->rootfd, dest, is_dir, is_dir ? 0755 : 0644);
        if (dst < 0)
                return cu_error_set(err, dst, "creating mount point \"%s\"", dest);
        r = check_proc_dest(c, dst, MOUNT_KIND_BIND, src, dest, err);
        if (r < 0)
                return r;

        if (mount(fd_path(src, sbuf), fd_path(dst, dbuf), MOUNT_NO_TYPE,
                  MS_BIND | (o->flags & MS_REC), NULL) < 0)
                return rootfs_mount_error(err, errno, source, NULL, dest);

        _cleanup_close_ int mnt = -EBADF;
        r = rootfs_reopen_mounted(c, dest, dst, &mnt, err);
        if (r < 0)
                return r;
        if (bind_needs_remount(o)) {
                r = rootfs_remount_bind(mnt, dest, o->flags, o->cleared, err);
                if (r < 0)
                        return r;
        }
        r = rootfs_apply_propagation(mnt, dest, o, err);
        if (r < 0)
                return r;
        return apply_attrs(mnt, dest, o, err);
}

static int mount_sysfs(const struct mount_ctx *c, const struct oci_mount *m,
                       const struct mount_opts *o, struct cu_error **err)
{
        /* sysfs can only be mounted by the owner of the network namespace:
         * without one of its own, a userns container gets the host's /sys. */
        if (!(c->in_userns && !c->has_netns)) {
                int r = rootfs_mount_fs(c, m, o, MOUNT_KIND_SYSFS, "sysfs", err);
                if (r != -EPERM || !c->in_userns)
                        return r;
                cu_error_clear(err);
        }
        struct mount_opts b = *o;
        b.flags |= MS_BIND | MS_REC;
        log_debug("mounting /sys with rbind (user namespace without its own network namespace)");
        return rootfs_mount_bind(c, m, &b, "/sys", err);
}

/* ---- setup ---- */

static enum mount_kind mount_kind_of(const struct oci_mount *m, const struct mount_opts *o)
{
        const char *t = m->type;
        if (mount_opts_is_bind(o) || streq_ptr(t, "bind"))
                return MOUNT_KIND_BIND;
        if (!t)
                return MOUNT_KIND_OTHER;
        if (strcmp(t, "proc") == 0)
                return MOUNT_KIND_PROC;
        if (strcmp(t, "sysfs") == 0)
                return MOUNT_KIND_SYSFS;
        if (strcmp(t, "tmpfs") == 0)
                return MOUNT_KIND_TMPFS;
        if (strcmp(t, "cgroup") == 0)
                return MOUNT_KIND_CGROUP;
        if (strcmp(t, "cgroup2") == 0)
                return MOUNT_KIND_CGROUP2;
        return MOUNT_KIND_OTHER;
}

static int mount_one(const struct mount_ctx *c, const struct oci_mount *m,
                     struct cu_error **err)
{
        _cleanup_(mount_opts_done) struct mount_opts o = { 0 };
        if (mount_opts_parse(m->options, &o) < 0)
                return cu_error_set(err, ENOMEM, "parsing options");
        if ((o.ext & MOUNT_EXT_IDMAP) || m->n_uid_mappings || m->n_gid_mappings)
                return cu_error_setx(err, EOPNOTSUPP, "idmapped mounts are not supported");

        enum mount_kind kind = mount_kind_of(m, &o);
        switch (kind) {
        case MOUNT_KIND_BIND:
                if (streq_ptr(m->type, "bind") && !(o.flags & MS_BIND))
                        o.flags |= MS_BIND;
                return rootfs_mount_bind(c, m, &o, m->source, err);
        case MOUNT_KIND_SYSFS:
                return mount_sysfs(c, m, &o, err);
        case MOUNT_KIND_CGROUP:
                return rootfs_mount_cgroup(c, m, &o, err);
        case MOUNT_KIND_CGROUP2:
                return rootfs_mount_cgroup2(c, m, &o, err);
        case MOUNT_KIND_PROC:
        case MOUNT_KIND_TMPFS:
        case MOUNT_KIND_OTHER:
                return rootfs_mount_fs(c, m, &o, kind, m->type, err);
        }
        return -EINVAL;
}

struct parent_search {
        const char *path;
        size_t best;
        char *mountpoint;
        bool shared;
};

static int parent_cb(const struct mountinfo *mi, void *userdata)
{
        struct parent_search *p = userdata;
        size_t n = strlen(mi->mountpoint);
        if (!rootfs_path_has_prefix(p->path, mi->mountpoint) || n < p->best)
                return 0;
        char *mp = strdup(mi->mountpoint);
        if (!mp)
                return -ENOMEM;
        free(p->mountpoint);
        p->mountpoint = mp;
        p->best = n;
        p->shared = strstr(mi->optional, "shared:") != NULL;
        return 0;
}

/* "/" rslave (or the configured propagation) so nothing we do reaches the
 * host, the rootfs' parent mount private when shared (pivot_root wants it),
 * and the rootfs bound onto itself so it is a mount point. */
static int prepare_root(const struct oci_spec *s, const char *rootfs, struct cu_error **err)
{
        unsigned long prop = MS_SLAVE | MS_REC;
        if (s->linux_.rootfs_propagation &&
            mount_propagation_from_string(s->linux_.rootfs_propagation, &prop) < 0)
                return cu_error_setx(err, EINVAL, "linux.rootfsPropagation: unknown value \"%s\"",
                                     s->linux_.rootfs_propagation);
        if (mount(NULL, "/", MOUNT_NO_TYPE, prop, NULL) < 0)
                return cu_error_set(err, errno, "setting the propagation of \"/\"");

        struct parent_search p = { .path = rootfs };
        int r = mountinfo_foreach(NULL, parent_cb, &p);
        _cleanup_free_ char *mp = p.mountpoint;
        if (r < 0)
                return cu_error_set(err, r, "reading /proc/self/mountinfo");
        if (mp && p.shared && mount(NULL, mp, MOUNT_NO_TYPE, MS_PRIVATE, NULL) < 0)
                return cu_error_set(err, errno, "making \"%s\" private", mp);

        if (mount(rootfs, rootfs, MOUNT_NO_TYPE, MS_BIND | MS_REC, NULL) < 0)
                return cu_error_set(err, errno, "bind-mounting the rootfs \"%s\" onto itself",
                                    rootfs);
        return 0;
}

/* prepare_root() without path lookups (the container's root may not reach the rootfs by
 * its path): through pre, an O_PATH fd on it.  *ret_root: the self-bind mount's root. */
static int prepare_root_fd(const struct oci_spec *s, const char *rootfs, int pre, int *ret_root,
                           struct cu_error **err)
{
        char buf[32];
        unsigned long prop = MS_SLAVE | MS_REC;
        if (s->linux_.rootfs_propagation &&
            mount_propagation_from_string(s->linux_.rootfs_propagation, &prop) < 0)
                return cu_error_setx(err, EINVAL, "linux.rootfsPropagation: unknown value \"%s\"",
                                     s->linux_.rootfs_propagation);
        if (mount(NULL, "/", MOUNT_NO_TYPE, prop, NULL) < 0)
                return cu_error_set(err, errno, "setting the propagation of \"/\"");
        struct parent_search p = { .path = rootfs };
        int r = mountinfo_foreach(NULL, parent_cb, &p);
        _cleanup_free_ char *mp = p.mountpoint;
        if (r < 0)
                return cu_error_set(err, r, "reading /proc/self/mountinfo");
        /* The rootfs itself is often the mount point (an overlay): reach it by the fd. */
        const char *target = mp && rootfs_path_equal(mp, rootfs) ? fd_path(pre, buf) : mp;
        if (mp && p.shared && mount(NULL, target, MOUNT_NO_TYPE, MS_PRIVATE, NULL) < 0)
                return cu_error_set(err, errno, "making \"%s\" private", mp);
        _cleanup_close_ int tree = (int) syscall(SYS_open_tree, pre, "",
                                                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
                                                         AT_EMPTY_PATH);
        if (tree < 0)
                return cu_error_set(err, errno, "cloning the rootfs \"%s\"", rootfs);
        if (syscall(SYS_move_mount, tree, "", pre, "",
                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return cu_error_set(err, errno, "bind-mounting the rootfs \"%s\" onto itself",
                                    rootfs);
        *ret_root = TAKE_FD(tree);
        return 0;
}

/* What the device step needs to know about the mounts, decided up front. */
static void scan_mounts(const struct oci_spec *s, bool *ret_dev_is_bind, bool *ret_devpts)
{
        *ret_dev_is_bind = *ret_devpts = false;
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct oci_mount *m = &s->mounts[i];
                if (rootfs_path_equal(m->destination, "/dev") &&
                    (streq_ptr(m->type, "bind") || strv_contains(m->options, "bind") ||
                     strv_contains(m->options, "rbind")))
                        *ret_dev_is_bind = true;
                if (rootfs_path_equal(m->destination, "/dev/pts") && streq_ptr(m->type, "devpts"))
                        *ret_devpts = true;
        }
}

int rootfs_setup(const struct oci_spec *s, const char *rootfs, const char *cgroup_path,
                 bool in_userns, struct cu_error **err)
{
        return rootfs_setup_fd(s, rootfs, -1, NULL, cgroup_path, in_userns, NULL, err);
}

int rootfs_setup_fd(const struct oci_spec *s, const char *rootfs, int rootfs_fd,
                    const int *src_fds, const char *cgroup_path, bool in_userns,
                    int *ret_rootfd, struct cu_error **err)
{
        char buf[32], canon[PATH_MAX];
        bool dev_is_bind, devpts;
        int r;

        if (!rootfs || rootfs[0] != '/')
                return cu_error_setx(err, EINVAL, "rootfs \"%s\" is not an absolute path",
                                     strempty(rootfs));
        scan_mounts(s, &dev_is_bind, &devpts);

        /* The kernel's name for it: what readlink() of fds below it starts with. */
        _cleanup_close_ int pre = rootfs_fd >= 0 ? fcntl(rootfs_fd, F_DUPFD_CLOEXEC, 3)
                                                 : open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (pre < 0)
                return cu_error_set(err, errno, "opening the rootfs \"%s\"", rootfs);
        ssize_t k = readlink(fd_path(pre, buf), canon, sizeof canon - 1);
        if (k < 0)
                return cu_error_set(err, errno, "resolving the rootfs \"%s\"", rootfs);
        canon[k] = '\0';

        _cleanup_close_ int rootfd = -EBADF;
        if (rootfs_fd >= 0) {
                r = prepare_root_fd(s, canon, pre, &rootfd, err);
                if (r < 0)
                        return r;
        } else {
                r = prepare_root(s, canon, err);
                if (r < 0)
                        return r;
                /* Now the self-bind mount is on top. */
                rootfd = open(canon, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (rootfd < 0)
                        return cu_error_set(err, errno, "opening the rootfs \"%s\"", rootfs);
        }

        struct statfs sfs;
        bool selinux = statfs("/sys/fs/selinux", &sfs) == 0 && sfs.f_type == SELINUX_MAGIC;
        struct mount_ctx c = {
                .rootfs = canon,
                .rootfs_len = strcmp(canon, "/") == 0 ? 0 : (size_t) k,
                .cgroup_path = cgroup_path,
                .rootfd = rootfd,
                .in_userns = in_userns,
                .has_netns = oci_spec_namespace(s, OCI_NS_NETWORK) != NULL,
                .has_cgroupns = oci_spec_namespace(s, OCI_NS_CGROUP) != NULL,
                .label = selinux && s->linux_.mount_label && *s->linux_.mount_label
                                 ? s->linux_.mount_label
                                 : NULL,
        };

        for (size_t i = 0; i < s->n_mounts; i++) {
                c.src_fd = src_fds ? src_fds[i] : -1;
                r = mount_one(&c, &s->mounts[i], err);
                if (r < 0)
                        return cu_error_prefix(err, r, "mounts[%zu] (\"%s\")", i,
                                               s->mounts[i].destination);
        }

        /* A /dev bound from the host already has its nodes. */
        if (!dev_is_bind) {
                r = devices_setup(rootfd, s, in_userns, devpts, err);
                if (r < 0)
                        return cu_error_prefix(err, r, "linux.devices");
        }
        if (ret_rootfd)
                *ret_rootfd = TAKE_FD(rootfd);
        return 0;
}
