/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tar_add_tree: archiving a directory tree through a tar_writer (sorted names, hard links,
 * xattrs, overlay whiteouts). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "storage/tar-write.h"
#include "util/cleanup.h"
#include "util/log.h"

struct link {
        dev_t dev;
        ino_t ino;
        char *name; /* archive name of the first link */
};

struct walk {
        struct tar_writer *w;
        const struct tar_tree_opts *o;
        struct link *links; /* open addressing; capacity a power of two */
        size_t n_links, cap_links;
        char *path; /* archive name of the current entry */
        size_t len, cap;
        size_t rel; /* where the tree-relative part of path begins */
};

static size_t link_slot(const struct walk *k, dev_t dev, ino_t ino)
{
        uint64_t h = (uint64_t) ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t) dev * 0xff51afd7ed558ccdULL;
        size_t i = (size_t) (h ^ (h >> 31)) & (k->cap_links - 1);
        while (k->links[i].name && (k->links[i].dev != dev || k->links[i].ino != ino))
                i = (i + 1) & (k->cap_links - 1);
        return i;
}

static const char *link_find(const struct walk *k, const struct stat *st)
{
        return k->cap_links ? k->links[link_slot(k, st->st_dev, st->st_ino)].name : NULL;
}

static int link_add(struct walk *k, const struct stat *st)
{
        if (2 * (k->n_links + 1) > k->cap_links) {
                size_t old_cap = k->cap_links, cap = old_cap ? 2 * old_cap : 64;
                struct link *old = k->links, *nl = calloc(cap, sizeof(*nl));
                if (!nl)
                        return -ENOMEM;
                k->links = nl;
                k->cap_links = cap;
                for (size_t i = 0; i < old_cap; i++)
                        if (old[i].name)
                                k->links[link_slot(k, old[i].dev, old[i].ino)] = old[i];
                free(old);
        }
        char *name = strdup(k->path);
        if (!name)
                return -ENOMEM;
        k->links[link_slot(k, st->st_dev, st->st_ino)] = (struct link) { st->st_dev, st->st_ino,
                                                                         name };
        k->n_links++;
        return 0;
}

static int path_push(struct walk *k, const char *name, size_t *saved)
{
        size_t n = strlen(name), need = k->len + 1 + n + 1;
        if (need > k->cap) {
                char *p = realloc(k->path, need * 2);
                if (!p)
                        return -ENOMEM;
                k->path = p;
                k->cap = need * 2;
        }
        *saved = k->len;
        if (k->len > 0)
                k->path[k->len++] = '/';
        memcpy(k->path + k->len, name, n + 1);
        k->len += n;
        return 0;
}

static void path_pop(struct walk *k, size_t saved)
{
        k->len = saved;
        k->path[saved] = '\0';
}

struct xlist {
        struct tar_xattr *v;
        size_t n;
        char *names;
        bool opaque; /* trusted.overlay.opaque or user.overlay.opaque is "y" */
};

static void xlist_done(struct xlist *x)
{
        for (size_t i = 0; i < x->n; i++)
                free((void *) x->v[i].value);
        free(x->v);
        free(x->names);
}

/* fd, or path (not followed) when it is not NULL */
static ssize_t x_list(int fd, const char *path, char *buf, size_t size)
{
        return path ? llistxattr(path, buf, size) : flistxattr(fd, buf, size);
}

static ssize_t x_get(int fd, const char *path, const char *name, void *buf, size_t size)
{
        return path ? lgetxattr(path, name, buf, size) : fgetxattr(fd, name, buf, size);
}

static int xattr_cmp(const void *a, const void *b)
{
        return strcmp(((const struct tar_xattr *) a)->name, ((const struct tar_xattr *) b)->name);
}

static int read_xattr_value(int fd, const char *path, const char *name, void **ret,
                            size_t *ret_size)
{
        for (;;) {
                ssize_t n = x_get(fd, path, name, NULL, 0);
                if (n < 0)
                        return -errno;
                _cleanup_free_ void *v = malloc((size_t) n + 1);
                if (!v)
                        return -ENOMEM;
                ssize_t m = x_get(fd, path, name, v, (size_t) n + 1);
                if (m >= 0) {
                        *ret = TAKE_PTR(v);
                        *ret_size = (size_t) m;
                        return 0;
                }
                if (errno != ERANGE)
                        return -errno;
        }
}

static int read_xattrs(const struct walk *k, int fd, const char *path, struct xlist *x)
{
        ssize_t len;
        for (;;) {
                len = x_list(fd, path, NULL, 0);
                if (len <= 0)
                        return len == 0 || errno == ENOTSUP ? 0 : -errno;
                free(x->names);
                if (!(x->names = malloc((size_t) len)))
                        return -ENOMEM;
                ssize_t m = x_list(fd, path, x->names, (size_t) len);
                if (m >= 0) {
                        len = m;
                        break;
                }
                if (errno != ERANGE)
                        return -errno;
        }
        size_t count = 0;
        for (ssize_t i = 0; i < len; i++)
                count += x->names[i] == '\0';
        if (count == 0 || !(x->v = calloc(count, sizeof(*x->v))))
                return count == 0 ? 0 : -ENOMEM;
        for (char *name = x->names; name < x->names + len; name += strlen(name) + 1) {
                bool trusted_ov = strncmp(name, "trusted.overlay.", 16) == 0;
                bool user_ov = strncmp(name, "user.overlay.", 13) == 0;
                bool drop = trusted_ov || (user_ov && k->o->overlay_whiteouts) ||
                            strcmp(name, "security.selinux") == 0;
                bool opaque = k->o->overlay_whiteouts && (trusted_ov || user_ov) &&
                              strcmp(strchr(name, '.'), ".overlay.opaque") == 0;
                if (drop && !opaque)
                        continue;
                void *val = NULL;
                size_t size = 0;
                int r = read_xattr_value(fd, path, name, &val, &size);
                if (r == -ENODATA)
                        continue;
                if (r < 0)
                        return r;
                if (opaque)
                        x->opaque = x->opaque || (size == 1 && *(char *) val == 'y');
                if (drop) {
                        free(val);
                        continue;
                }
                x->v[x->n++] = (struct tar_xattr) { .name = name, .value = val, .size = size };
        }
        qsort(x->v, x->n, sizeof(*x->v), xattr_cmp);
        return 0;
}

static int cmp_strp(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The names in a directory, sorted (NULL-terminated). */
static int list_dir(int fd, char ***ret)
{
        int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                int r = -errno;
                safe_close(dfd);
                return r;
        }
        rewinddir(d);
        _cleanup_strv_ char **v = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        while ((errno = 0, de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (n + 2 > cap) {
                        char **nv = realloc(v, (cap = cap ? 2 * cap : 32) * sizeof(*v));
                        if (!nv)
                                return -ENOMEM;
                        v = nv;
                }
                if (!(v[n] = strdup(de->d_name)))
                        return -ENOMEM;
                v[++n] = NULL;
        }
        if (errno)
                return -errno;
        if (v)
                qsort(v, n, sizeof(*v), cmp_strp);
        *ret = TAKE_PTR(v);
        return 0;
}

static void entry_from_stat(struct tar_entry *e, const char *name, const struct stat *st)
{
        *e = (struct tar_entry) {
                .name = name,
                .mode = st->st_mode & 07777,
                .uid = st->st_uid,
                .gid = st->st_gid,
                .mtime = st->st_mtim,
        };
}

static int walk_entry(struct walk *k, int dfd, const char *name, struct cu_error **err);

static int walk_dir(struct walk *k, int fd, struct cu_error **err)
{
        _cleanup_strv_ char **names = NULL;
        int r = list_dir(fd, &names);
        if (r < 0)
                return cu_error_set(err, -r, "reading directory \"%s\"", k->len ? k->path : ".");
        for (char **n = names; n && *n; n++) {
                r = walk_entry(k, fd, *n, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int emit_dir(struct walk *k, int fd, const struct stat *st, const char *name,
                    struct cu_error **err)
{
        _cleanup_(xlist_done) struct xlist x = { 0 };
        int r = read_xattrs(k, fd, NULL, &x);
        if (r < 0)
                return cu_error_set(err, -r, "reading xattrs of \"%s\"", name);
        struct tar_entry e;
        entry_from_stat(&e, name, st);
        e.type = TAR_DIR;
        e.xattrs = x.v;
        e.n_xattrs = x.n;
        r = tar_write_header(k->w, &e, err);
        if (r < 0)
                return r;
        if (k->o->overlay_whiteouts && x.opaque) {
                /* as containers/storage: the directory's owner and permissions, mtime 0 */
                size_t saved;
                if (path_push(k, ".wh..wh..opq", &saved) < 0)
                        return cu_error_set(err, ENOMEM, "archiving \"%s\"", name);
                struct tar_entry wo = { .name = k->path, .type = TAR_REG,
                                        .mode = st->st_mode & 0777, .uid = st->st_uid,
                                        .gid = st->st_gid };
                r = tar_write_header(k->w, &wo, err);
                path_pop(k, saved);
                if (r < 0)
                        return r;
        }
        return walk_dir(k, fd, err);
}

static int emit_file(struct walk *k, int dfd, const char *name, struct tar_entry *e,
                     const struct stat *st, struct cu_error **err)
{
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
        struct stat st2;
        if (fd < 0 || fstat(fd, &st2) < 0)
                return cu_error_set(err, errno, "opening \"%s\"", k->path);
        if (st2.st_ino != st->st_ino || st2.st_dev != st->st_dev || !S_ISREG(st2.st_mode))
                return cu_error_setx(err, EBUSY, "\"%s\" changed while being archived", k->path);
        _cleanup_(xlist_done) struct xlist x = { 0 };
        int r = read_xattrs(k, fd, NULL, &x);
        if (r < 0)
                return cu_error_set(err, -r, "reading xattrs of \"%s\"", k->path);
        e->type = TAR_REG;
        e->size = (uint64_t) st->st_size;
        e->xattrs = x.v;
        e->n_xattrs = x.n;
        (void) posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        return tar_write_file(k->w, e, fd, err);
}

/* Symlinks, devices and fifos: no fd; xattrs through /proc/self/fd/DFD/NAME. */
static int emit_special(struct walk *k, int dfd, const char *name, struct tar_entry *e,
                        const struct stat *st, struct cu_error **err)
{
        char proc[64 + NAME_MAX];
        snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dfd, name);
        _cleanup_(xlist_done) struct xlist x = { 0 };
        int r = read_xattrs(k, -1, proc, &x);
        if (r < 0)
                return cu_error_set(err, -r, "reading xattrs of \"%s\"", k->path);
        e->xattrs = x.v;
        e->n_xattrs = x.n;
        char target[PATH_MAX];
        if (S_ISLNK(st->st_mode)) {
                ssize_t n = readlinkat(dfd, name, target, sizeof(target));
                if (n < 0 || (size_t) n >= sizeof(target))
                        return cu_error_set(err, n < 0 ? errno : ENAMETOOLONG,
                                            "reading symlink \"%s\"", k->path);
                target[n] = '\0';
                e->type = TAR_SYMLINK;
                e->linkname = target;
        } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
                e->type = S_ISCHR(st->st_mode) ? TAR_CHAR : TAR_BLOCK;
                e->devmajor = major(st->st_rdev);
                e->devminor = minor(st->st_rdev);
        } else
                e->type = TAR_FIFO;
        return tar_write_header(k->w, e, err);
}

static int emit_entry(struct walk *k, int dfd, const char *name, const struct stat *st,
                      struct cu_error **err)
{
        if (S_ISDIR(st->st_mode)) {
                _cleanup_close_ int fd = openat(dfd, name,
                                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return cu_error_set(err, errno, "opening \"%s\"", k->path);
                return emit_dir(k, fd, st, k->path, err);
        }
        struct tar_entry e;
        entry_from_stat(&e, k->path, st);
        if (k->o->overlay_whiteouts && S_ISCHR(st->st_mode) && st->st_rdev == 0) {
                _cleanup_free_ char *wname = NULL;
                if (asprintf(&wname, "%.*s.wh.%s", (int) (k->len - strlen(name)), k->path,
                             name) < 0)
                        return cu_error_set(err, ENOMEM, "archiving \"%s\"", k->path);
                e.name = wname;
                e.type = TAR_REG;
                e.mode = 0600;
                return tar_write_header(k->w, &e, err);
        }
        if (st->st_nlink > 1) {
                e.linkname = link_find(k, st);
                if (e.linkname) {
                        e.type = TAR_HARDLINK;
                        return tar_write_header(k->w, &e, err);
                }
                if (link_add(k, st) < 0)
                        return cu_error_set(err, ENOMEM, "archiving \"%s\"", k->path);
        }
        if (S_ISREG(st->st_mode))
                return emit_file(k, dfd, name, &e, st, err);
        return emit_special(k, dfd, name, &e, st, err);
}

static int walk_entry(struct walk *k, int dfd, const char *name, struct cu_error **err)
{
        struct stat st;
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT) /* removed since the directory was read */
                        return 0;
                return cu_error_set(err, errno, "stat \"%s/%s\"", k->path, name);
        }
        if (S_ISSOCK(st.st_mode)) {
                log_debug("tar: skipping socket \"%s/%s\"", k->path, name);
                return 0;
        }
        size_t saved;
        if (path_push(k, name, &saved) < 0)
                return cu_error_set(err, ENOMEM, "archiving \"%s\"", name);
        int r = 0;
        if (!k->o->filter || !k->o->filter(k->path + k->rel, &st, k->o->userdata))
                r = emit_entry(k, dfd, name, &st, err);
        path_pop(k, saved);
        return r;
}

int tar_add_tree(struct tar_writer *w, int dirfd, const char *prefix,
                 const struct tar_tree_opts *opts, struct cu_error **err)
{
        static const struct tar_tree_opts none = { 0 };
        struct walk k = { .w = w, .o = opts ? opts : &none };
        _cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return cu_error_set(err, errno, "opening the directory to archive");

        prefix = strempty(prefix);
        while (prefix[0] == '/' || (prefix[0] == '.' && prefix[1] == '/'))
                prefix += prefix[0] == '/' ? 1 : 2;
        size_t plen = strlen(prefix);
        while (plen > 0 && prefix[plen - 1] == '/')
                plen--;
        if (plen == 1 && prefix[0] == '.')
                plen = 0;
        k.path = strndup(prefix, plen);
        if (!k.path)
                return cu_error_set(err, ENOMEM, "archiving");
        k.len = plen;
        k.cap = plen + 1;
        k.rel = plen ? plen + 1 : 0;

        int r;
        struct stat st;
        if (k.o->include_root && fstat(fd, &st) < 0)
                r = cu_error_set(err, errno, "stat of the directory to archive");
        else if (k.o->include_root)
                r = emit_dir(&k, fd, &st, plen ? k.path : ".", err);
        else
                r = walk_dir(&k, fd, err);

        for (size_t i = 0; i < k.cap_links; i++)
                free(k.links[i].name);
        free(k.links);
        free(k.path);
        return r;
}
