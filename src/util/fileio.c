/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

int read_full_fd(int fd, char **ret, size_t *ret_len)
{
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap > (size_t) 1 << 30)
                                return -EFBIG;
                        char *n = realloc(buf, cap * 2);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_full_fd(fd, ret, ret_len);
}

int read_full_file(const char *path, char **ret, size_t *ret_len, struct cu_error **err)
{
        int r = read_full_file_at(AT_FDCWD, path, ret, ret_len);
        if (r < 0)
                return cu_error_set(err, -r, "reading %s", path);
        return 0;
}

int write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;
        while (len > 0) {
                ssize_t k = write(fd, p, len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                len -= (size_t) k;
        }
        return 0;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
        char *p = buf;
        size_t got = 0;
        while (got < len) {
                ssize_t k = read(fd, p + got, len - got);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                got += (size_t) k;
        }
        return (ssize_t) got;
}

int write_string_file_at(int dirfd, const char *path, const char *s)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        size_t len = strlen(s);
        ssize_t k = write(fd, s, len);
        if (k < 0)
                return -errno;
        if ((size_t) k != len)
                return -EIO;
        return 0;
}

int write_string_file(const char *path, const char *s)
{
        return write_string_file_at(AT_FDCWD, path, s);
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
                      struct cu_error **err)
{
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0)
                return cu_error_set(err, ENOMEM, "asprintf");
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "creating %s", tmp);
        int r = write_all(fd, data, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlink(tmp);
                return cu_error_set(err, -r, "writing %s", path);
        }
        return 0;
}

static int mkdir_existing_ok(const char *path, mode_t mode)
{
        if (mkdir(path, mode) == 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        /* An existing file (or dangling symlink) is not the directory asked for. */
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int mkdir_p(const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        size_t len = strlen(path);
        if (len == 0 || len >= sizeof buf)
                return -EINVAL;
        memcpy(buf, path, len + 1);
        while (len > 1 && buf[len - 1] == '/')
                buf[--len] = '\0';
        /* Usually only the last component is missing: try it first, walk up on ENOENT. */
        int r = mkdir_existing_ok(buf, mode);
        if (r != -ENOENT)
                return r;
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
                return r;
        *slash = '\0';
        r = mkdir_p(buf, mode);
        *slash = '/';
        if (r < 0)
                return r;
        return mkdir_existing_ok(buf, mode);
}

/* Mount id of name under dfd, 0 when unknown.  Needed because a bind mount of a
 * directory of the same filesystem has the same st_dev. */
static uint64_t mount_id_at(int dfd, const char *name)
{
        struct statx sx;
        if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_MNT_ID, &sx) < 0 ||
            !(sx.stx_mask & STATX_MNT_ID))
                return 0;
        return sx.stx_mnt_id;
}

static int rm_rf_children(int dfd, dev_t dev, uint64_t mnt)
{
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        int ret = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT && ret == 0)
                                ret = -errno;
                        continue;
                }
                if (S_ISDIR(st.st_mode)) {
                        if (st.st_dev != dev ||
                            (mnt != 0 && mount_id_at(dirfd(d), de->d_name) != mnt)) {
                                if (ret == 0)
                                        ret = -EBUSY;
                                continue;
                        }
                        int cfd = openat(dirfd(d), de->d_name,
                                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (cfd >= 0) {
                                int r = rm_rf_children(cfd, dev, mnt);
                                if (r < 0 && ret == 0)
                                        ret = r;
                        }
                        if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT &&
                            ret == 0)
                                ret = -errno;
                } else if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && ret == 0) {
                        ret = -errno;
                }
        }
        return ret;
}

int rm_rf(const char *path)
{
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlink(path) < 0 && errno != ENOENT ? -errno : 0;
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = rm_rf_children(fd, st.st_dev, mount_id_at(AT_FDCWD, path));
        if (rmdir(path) < 0 && errno != ENOENT && r == 0)
                r = -errno;
        return r;
}

static uint64_t tree_size_fd(int dfd, unsigned depth)
{
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return 0;
        }
        uint64_t sum = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        int fd = depth < 256 ? openat(dirfd(d), de->d_name,
                                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                                             : -1;
                        if (fd >= 0)
                                sum += tree_size_fd(fd, depth + 1);
                } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
                        sum += (uint64_t) st.st_size;
                }
        }
        closedir(d);
        return sum;
}

uint64_t dir_tree_size(int dirfd, const char *path)
{
        int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd >= 0 ? tree_size_fd(fd, 0) : 0;
}
