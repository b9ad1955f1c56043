/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "copy.h"

struct ino_map {
        dev_t dev;
        ino_t ino;
        char *path; /* relative to the destination root */
};

struct copy_ctx {
        int dst_root;
        dev_t dev;
        struct ino_map *links;
        size_t n_links, cap_links;
};

static int copy_xattrs(int src, int dst, bool is_link)
{
        char names[4096];
        char val[65536];
        char proc_src[64], proc_dst[64];
        /* O_PATH fds: go through /proc/self/fd for the l*xattr calls. */
        snprintf(proc_src, sizeof(proc_src), "/proc/self/fd/%d", src);
        snprintf(proc_dst, sizeof(proc_dst), "/proc/self/fd/%d", dst);
        ssize_t n = is_link ? llistxattr(proc_src, names, sizeof(names)) : flistxattr(src, names, sizeof(names));
        if (n <= 0)
                return 0;
        for (char *k = names; k < names + n; k += strlen(k) + 1) {
                ssize_t vl = is_link ? lgetxattr(proc_src, k, val, sizeof(val)) : fgetxattr(src, k, val, sizeof(val));
                if (vl < 0)
                        continue;
                int r = is_link ? lsetxattr(proc_dst, k, val, (size_t) vl, 0) : fsetxattr(dst, k, val, (size_t) vl, 0);
                if (r < 0 && errno != EOPNOTSUPP && errno != EPERM)
                        return -errno;
        }
        return 0;
}

static int copy_data(int in, int out, off_t size)
{
        if (ioctl(out, FICLONE, in) == 0)
                return 0;
        off_t left = size;
        while (left > 0) {
                ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t) left, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP)
                                return -errno;
                        /* plain read/write */
                        char buf[1 << 16];
                        for (;;) {
                                ssize_t k = read(in, buf, sizeof(buf));
                                if (k < 0)
                                        return -errno;
                                if (k == 0)
                                        return 0;
                                for (ssize_t off = 0; off < k;) {
                                        ssize_t w = write(out, buf + off, (size_t) (k - off));
                                        if (w < 0)
                                                return -errno;
                                        off += w;
                                }
                        }
                }
                if (n == 0)
                        break;
                left -= n;
        }
        return 0;
}

static int copy_dir(struct copy_ctx *c, int src, int dst, const char *relpath, struct cu_error **err);

static int copy_entry(struct copy_ctx *c, int src, int dst, const char *name, const char *rel,
                      struct cu_error **err)
{
        struct stat st;
        if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return cu_error_set(err, errno, "stat %s", rel);
        int r = 0;
        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
                for (size_t i = 0; i < c->n_links; i++)
                        if (c->links[i].dev == st.st_dev && c->links[i].ino == st.st_ino) {
                                if (linkat(c->dst_root, c->links[i].path, dst, name, 0) < 0)
                                        return cu_error_set(err, errno, "linking %s", rel);
                                return 0;
                        }
        }
        switch (st.st_mode & S_IFMT) {
        case S_IFDIR: {
                if (st.st_dev != c->dev)
                        return 0; /* another mount: not ours to copy */
                if (mkdirat(dst, name, 0700) < 0 && errno != EEXIST)
                        return cu_error_set(err, errno, "mkdir %s", rel);
                int sfd = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int dfd = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sfd < 0 || dfd < 0) {
                        r = cu_error_set(err, errno, "opening %s", rel);
                } else {
                        r = copy_dir(c, sfd, dfd, rel, err);
                        if (r >= 0) {
                                copy_xattrs(sfd, dfd, false);
                                if (fchown(dfd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
                                        r = cu_error_set(err, errno, "chown %s", rel);
                                fchmod(dfd, st.st_mode & 07777);
                                struct timespec ts[2] = { st.st_atim, st.st_mtim };
                                futimens(dfd, ts);
                        }
                }
                if (sfd >= 0)
                        close(sfd);
                if (dfd >= 0)
                        close(dfd);
                return r;
        }
        case S_IFREG: {
                int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (in < 0)
                        return cu_error_set(err, errno, "opening %s", rel);
                int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (out < 0) {
                        close(in);
                        return cu_error_set(err, errno, "creating %s", rel);
                }
                r = copy_data(in, out, st.st_size);
                if (r < 0)
                        cu_error_set(err, -r, "copying %s", rel);
                if (r >= 0) {
                        copy_xattrs(in, out, false);
                        if (fchown(out, st.st_uid, st.st_gid) < 0 && errno != EPERM)
                                r = cu_error_set(err, errno, "chown %s", rel);
                        fchmod(out, st.st_mode & 07777);
                        struct timespec ts[2] = { st.st_atim, st.st_mtim };
                        futimens(out, ts);
                }
                close(in);
                close(out);
                break;
        }
        case S_IFLNK: {
                char target[PATH_MAX];
                ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
                if (n < 0)
                        return cu_error_set(err, errno, "readlink %s", rel);
                target[n] = '\0';
                if (symlinkat(target, dst, name) < 0)
                        return cu_error_set(err, errno, "symlink %s", rel);
                fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
                struct timespec ts[2] = { st.st_atim, st.st_mtim };
                utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW);
                int sp = openat(src, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                int dp = openat(dst, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (sp >= 0 && dp >= 0)
                        copy_xattrs(sp, dp, true);
                if (sp >= 0)
                        close(sp);
                if (dp >= 0)
                        close(dp);
                break;
        }
        default:
                if (S_ISSOCK(st.st_mode))
                        return 0;
                if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0)
                        return cu_error_set(err, errno, "mknod %s", rel);
                fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
                fchmodat(dst, name, st.st_mode & 07777, 0);
                struct timespec ts[2] = { st.st_atim, st.st_mtim };
                utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW);
                break;
        }
        if (r >= 0 && st.st_nlink > 1 && !S_ISDIR(st.st_mode)) {
                if (c->n_links == c->cap_links) {
                        size_t cap = c->cap_links ? c->cap_links * 2 : 64;
                        struct ino_map *nl = realloc(c->links, cap * sizeof(*nl));
                        if (!nl)
                                return -ENOMEM;
                        c->links = nl;
                        c->cap_links = cap;
                }
                c->links[c->n_links++] = (struct ino_map) { st.st_dev, st.st_ino, strdup(rel) };
        }
        return r;
}

static int copy_dir(struct copy_ctx *c, int src, int dst, const char *relpath, struct cu_error **err)
{
        int dfd = dup(src);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        int r = 0;
        struct dirent *de;
        while (r >= 0 && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                size_t n = strlen(relpath) + strlen(de->d_name) + 2;
                char *rel = malloc(n);
                if (!rel) {
                        r = -ENOMEM;
                        break;
                }
                snprintf(rel, n, "%s%s%s", relpath, *relpath ? "/" : "", de->d_name);
                r = copy_entry(c, src, dst, de->d_name, rel, err);
                free(rel);
        }
        closedir(d);
        return r;
}

int copy_tree(int src_dirfd, int dst_dirfd, struct cu_error **err)
{
        struct stat st;
        if (fstat(src_dirfd, &st) < 0)
                return cu_error_set(err, errno, "stat");
        struct copy_ctx c = { .dst_root = dst_dirfd, .dev = st.st_dev };
        int r = copy_dir(&c, src_dirfd, dst_dirfd, "", err);
        if (r >= 0) {
                copy_xattrs(src_dirfd, dst_dirfd, false);
                if (fchown(dst_dirfd, st.st_uid, st.st_gid) < 0 && errno != EPERM)
                        r = cu_error_set(err, errno, "chown");
                fchmod(dst_dirfd, st.st_mode & 07777);
                struct timespec ts[2] = { st.st_atim, st.st_mtim };
                futimens(dst_dirfd, ts);
        }
        for (size_t i = 0; i < c.n_links; i++)
                free(c.links[i].path);
        free(c.links);
        return r;
}
