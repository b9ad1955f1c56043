/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The working directory (the seed's resolveWorkDir / isWorkDirSymlink):
 *   - a workdir on (or above, or under) one of the spec's mounts is the runtime's business;
 *   - otherwise it is resolved inside the mounted root, symlinks followed in the root (".."
 *     and absolute links stay inside; at most 40 links, as the kernel's limit); a link chain
 *     that lands on a mount is fine;
 *   - present: it must be a directory ("workdir "X" exists on container ID, but is not a
 *     directory");
 *   - missing: an image's workdir (CreateWorkingDir) is created (0755) and given to the
 *     container user; an explicit --workdir is an error ("workdir "X" does not exist on
 *     container ID").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/bind-internal.h"
#include "util/json.h"
#include "util/log.h"
#include "util/path.h"

#define MAX_SYMLINKS 40

/* Whether the cleaned absolute path is a mount's destination, above one, or below one (the
 * seed's isPathOnBindMount / isPathOnVolume, plus its path resolution into mounts). */
static bool on_mount(json_t *mounts, const char *path)
{
        size_t pl = strlen(path), i;
        while (pl > 1 && path[pl - 1] == '/')
                pl--;
        if (pl <= 1)
                return false;
        json_t *m;
        json_array_foreach(mounts, i, m) {
                const char *d = json_string_value(json_object_get(m, "destination"));
                if (!d || *d != '/')
                        continue;
                size_t dl = strlen(d);
                while (dl > 1 && d[dl - 1] == '/')
                        dl--;
                if (dl <= 1)
                        continue;
                size_t n = pl < dl ? pl : dl;
                if (strncmp(path, d, n) != 0)
                        continue;
                if (pl == dl || (pl > dl && path[dl] == '/') || (pl < dl && d[pl] == '/'))
                        return true;
        }
        return false;
}

/* cur (an absolute resolved path, "/" or "/a/b") without its last component. */
static void path_up(char *cur)
{
        char *s = strrchr(cur, '/');
        if (s == cur)
                cur[1] = '\0';
        else if (s)
                *s = '\0';
}

static int path_push(char **cur, const char *comp)
{
        char *n = NULL;
        if (asprintf(&n, "%s%s%s", *cur, strcmp(*cur, "/") == 0 ? "" : "/", comp) < 0)
                return -ENOMEM;
        free(*cur);
        *cur = n;
        return 0;
}

int workdir_walk(int rootfd, json_t *mounts, const char *path, char **ret, bool *ret_on_mount)
{
        _cleanup_free_ char *cur = strdup("/"), *rest = strdup(path);
        if (!cur || !rest)
                return -ENOMEM;
        unsigned links = 0;
        *ret_on_mount = false;
        while (*rest) {
                char *p = rest;
                while (*p == '/')
                        p++;
                size_t cl = strcspn(p, "/");
                _cleanup_free_ char *comp = strndup(p, cl);
                if (!comp)
                        return -ENOMEM;
                memmove(rest, p + cl, strlen(p + cl) + 1);
                if (!*comp || strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0) {
                        path_up(cur);
                        continue;
                }
                _cleanup_free_ char *parent = strdup(cur);
                if (!parent || path_push(&cur, comp) < 0)
                        return -ENOMEM;
                if (on_mount(mounts, cur)) {
                        *ret_on_mount = true;
                        break;
                }
                _cleanup_close_ int pfd = open_in_root(rootfd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                struct stat st;
                if (pfd < 0 || fstatat(pfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue; /* missing: kept as it is */
                if (!S_ISLNK(st.st_mode))
                        continue;
                if (++links > MAX_SYMLINKS)
                        return -ELOOP;
                char target[4096];
                ssize_t n = readlinkat(pfd, comp, target, sizeof target - 1);
                if (n < 0)
                        return -errno;
                target[n] = '\0';
                free(cur);
                cur = strdup(*target == '/' ? "/" : parent);
                char *nrest = NULL;
                if (!cur || asprintf(&nrest, "%s/%s", target, rest) < 0)
                        return -ENOMEM;
                free(rest);
                rest = nrest;
        }
        /* on a mount: the rest is the mount's, taken lexically */
        while (*ret_on_mount && *rest) {
                char *p = rest;
                while (*p == '/')
                        p++;
                size_t cl = strcspn(p, "/");
                _cleanup_free_ char *comp = strndup(p, cl);
                if (!comp)
                        return -ENOMEM;
                memmove(rest, p + cl, strlen(p + cl) + 1);
                if (strcmp(comp, "..") == 0)
                        path_up(cur);
                else if (*comp && strcmp(comp, ".") != 0 && path_push(&cur, comp) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(cur);
        return 0;
}

int workdir_resolve(json_t *spec, struct engine_spec_ctx *x, struct cu_error **err)
{
        const char *wd = json_string_value(json_object_get(x->c, "WorkingDir"));
        if (!wd || !*wd || x->rootfd < 0)
                return 0;
        json_t *mounts = json_object_get(spec, "mounts");
        if (on_mount(mounts, wd)) {
                log_debug("workdir %s resolved to a volume or mount", wd);
                return 0;
        }
        _cleanup_free_ char *resolved = NULL;
        bool mounted = false;
        int r = workdir_walk(x->rootfd, mounts, wd, &resolved, &mounted);
        char msg[128];
        if (r < 0)
                return cu_error_setx(err, -r, "detecting workdir \"%s\" on container %s: stat %s%s: %s",
                                     wd, x->id, x->rootfs, wd, bind_strerror(-r, msg));
        if (mounted)
                return 0;
        _cleanup_close_ int fd = open_in_root(x->rootfd, resolved, O_PATH | O_CLOEXEC, 0);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0) {
                if (!S_ISDIR(st.st_mode))
                        return cu_error_setx(err, ENOTDIR,
                                             "workdir \"%s\" exists on container %s, but is not a directory",
                                             wd, x->id);
                return 0;
        }
        if (fd != -ENOENT)
                return cu_error_set(err, fd < 0 ? -fd : errno, "detecting workdir \"%s\" on container %s",
                                    wd, x->id);
        if (!json_is_true(json_object_get(x->c, "CreateWorkingDir")))
                return cu_error_setx(err, ENOENT, "workdir \"%s\" does not exist on container %s", wd,
                                     x->id);
        if (!x->write_files)
                return 0;
        _cleanup_close_ int dfd = mkdir_p_in_root(x->rootfd, resolved, 0755);
        if (dfd < 0)
                return cu_error_set(err, -dfd, "creating container %s workdir", x->id);
        if (fchownat(dfd, "", x->uid, x->gid, AT_EMPTY_PATH) < 0)
                return cu_error_set(err, errno, "chowning container %s workdir to container root",
                                    x->id);
        return 0;
}
