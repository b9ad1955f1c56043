/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "path.h"

#define MAX_SYMLINKS 40

static bool force_fallback;

void path_force_fallback(bool on)
{
        force_fallback = on;
}

const char *fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
        return buf;
}

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
        long r = syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
        return r < 0 ? -errno : (int) r;
}

/*
 * Fallback: walk components from the root.  `..` at the root stays at the
 * root; symlinks are read and their targets walked again (absolute targets
 * restart at the root).  Intermediate components are opened O_PATH with
 * O_NOFOLLOW so that nothing resolves outside.
 */
static int open_in_root_fallback(int rootfd, const char *path, int flags, mode_t mode)
{
        if (!*path)
                return -ENOENT; /* as openat2 */
        _cleanup_free_ char *todo = strdup(path);
        if (!todo)
                return -ENOMEM;
        _cleanup_close_ int cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return -errno;
        /* Stack of directory fds for "..". */
        int stack[256];
        size_t depth = 0;
        int links = 0;
        int ret = -EINVAL;

        char *rest = todo;
        for (;;) {
                while (*rest == '/')
                        rest++;
                if (!*rest) {
                        /* Path ended at a directory. */
                        ret = openat(cur, ".", flags | O_CLOEXEC, mode);
                        ret = ret < 0 ? -errno : ret;
                        break;
                }
                char *slash = strchr(rest, '/');
                size_t len = slash ? (size_t) (slash - rest) : strlen(rest);
                char comp[NAME_MAX + 1];
                if (len > NAME_MAX) {
                        ret = -ENAMETOOLONG;
                        break;
                }
                memcpy(comp, rest, len);
                comp[len] = '\0';
                char *next = rest + len;
                bool last = true;
                for (char *q = next; *q; q++)
                        if (*q != '/') {
                                last = false;
                                break;
                        }
                /* "name/": must be a directory, and a symlink is followed even with O_NOFOLLOW. */
                bool trailing = last && *next;

                if (strcmp(comp, ".") == 0) {
                        rest = next;
                        if (last) {
                                ret = openat(cur, ".", flags | O_CLOEXEC, mode);
                                ret = ret < 0 ? -errno : ret;
                                break;
                        }
                        continue;
                }
                if (strcmp(comp, "..") == 0) {
                        if (depth > 0) {
                                safe_close(cur);
                                cur = stack[--depth];
                        }
                        rest = next;
                        if (last) {
                                ret = openat(cur, ".", flags | O_CLOEXEC, mode);
                                ret = ret < 0 ? -errno : ret;
                                break;
                        }
                        continue;
                }

                struct stat st;
                /* O_CREAT|O_EXCL never follows a final symlink (it fails with EEXIST). */
                if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
                    !(last && !trailing && ((flags & O_NOFOLLOW) ||
                               (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)))) {
                        if (++links > MAX_SYMLINKS) {
                                ret = -ELOOP;
                                break;
                        }
                        char target[PATH_MAX];
                        ssize_t k = readlinkat(cur, comp, target, sizeof target - 1);
                        if (k < 0) {
                                ret = -errno;
                                break;
                        }
                        target[k] = '\0';
                        _cleanup_free_ char *joined = NULL;
                        /* next is "" or begins with '/': no slash invented after the last link. */
                        if (asprintf(&joined, "%s%s", target, next) < 0) {
                                ret = -ENOMEM;
                                break;
                        }
                        if (target[0] == '/') {
                                while (depth > 0)
                                        safe_close(stack[--depth]);
                                safe_close(cur);
                                cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                                if (cur < 0) {
                                        ret = -errno;
                                        break;
                                }
                        }
                        free(todo);
                        todo = TAKE_PTR(joined);
                        rest = todo;
                        continue;
                }

                if (last) {
                        if (trailing && (flags & O_CREAT)) {
                                ret = -EISDIR;
                                break;
                        }
                        ret = openat(cur, comp,
                                     flags | (trailing ? O_DIRECTORY : 0) | O_NOFOLLOW | O_CLOEXEC,
                                     mode);
                        ret = ret < 0 ? -errno : ret;
                        /* O_NOFOLLOW + O_PATH on a symlink returns the link itself: fine when asked. */
                        break;
                }
                int nfd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0) {
                        ret = -errno;
                        break;
                }
                if (depth == ELEMENTSOF(stack)) {
                        safe_close(nfd);
                        ret = -ENAMETOOLONG;
                        break;
                }
                stack[depth++] = cur;
                cur = nfd;
                rest = next;
        }
        while (depth > 0)
                safe_close(stack[--depth]);
        return ret;
}

int open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
        if (!force_fallback) {
                struct open_how how = {
                        .flags = (uint64_t) (flags | O_CLOEXEC),
                        /* O_TMPFILE includes O_DIRECTORY: test all its bits. */
                        .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0,
                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
                };
                int r = sys_openat2(rootfd, path, &how);
                if (r != -ENOSYS && r != -EPERM && r != -EAGAIN)
                        return r;
        }
        return open_in_root_fallback(rootfd, path, flags, mode);
}

/* Splits off the last component: "/a/b/c" → dir "/a/b", base "c". */
static int split_path(const char *path, char **dir, char **base)
{
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        size_t n = strlen(p);
        while (n > 1 && p[n - 1] == '/')
                p[--n] = '\0';
        char *s = strrchr(p, '/');
        if (!s) {
                *dir = strdup(".");
                *base = strdup(p);
        } else {
                *base = strdup(s + 1);
                *s = '\0';
                *dir = strdup(*p ? p : "/");
        }
        if (!*dir || !*base) {
                free(*dir);
                free(*base);
                return -ENOMEM;
        }
        return 0;
}

int mkdir_p_in_root(int rootfd, const char *path, mode_t mode)
{
        int fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0);
        if (fd >= 0 || fd != -ENOENT)
                return fd;

        _cleanup_free_ char *dir = NULL, *base = NULL;
        int r = split_path(path, &dir, &base);
        if (r < 0)
                return r;
        if (strcmp(base, "..") == 0 || strcmp(base, ".") == 0 || !*base)
                return -EINVAL;
        _cleanup_close_ int parent = mkdir_p_in_root(rootfd, dir, mode);
        if (parent < 0)
                return parent;
        if (mkdirat(parent, base, mode) < 0 && errno != EEXIST)
                return -errno;
        /* Re-resolve from the root: base may be a symlink someone planted. */
        return open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0);
}

int ensure_path_in_root(int rootfd, const char *path, bool is_dir, mode_t mode)
{
        if (is_dir)
                return mkdir_p_in_root(rootfd, path, mode);
        int fd = open_in_root(rootfd, path, O_PATH, 0);
        if (fd >= 0 || fd != -ENOENT)
                return fd;
        _cleanup_free_ char *dir = NULL, *base = NULL;
        int r = split_path(path, &dir, &base);
        if (r < 0)
                return r;
        _cleanup_close_ int parent = mkdir_p_in_root(rootfd, dir, 0755);
        if (parent < 0)
                return parent;
        _cleanup_close_ int f =
                openat(parent, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
        if (f < 0 && errno != EEXIST)
                return -errno;
        return open_in_root(rootfd, path, O_PATH, 0);
}

int resolve_in_root(int rootfd, const char *path, char **ret)
{
        _cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH, 0);
        if (fd < 0)
                return fd;
        char buf[32], root[PATH_MAX], full[PATH_MAX];
        ssize_t k = readlink(fd_path(rootfd, buf), root, sizeof root - 1);
        if (k < 0)
                return -errno;
        root[k] = '\0';
        k = readlink(fd_path(fd, buf), full, sizeof full - 1);
        if (k < 0)
                return -errno;
        full[k] = '\0';
        size_t rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
        if (strncmp(full, root, rl) != 0 || (full[rl] != '/' && full[rl] != '\0'))
                return -EXDEV;
        *ret = strdup(full[rl] ? full + rl : "/");
        return *ret ? 0 : -ENOMEM;
}
