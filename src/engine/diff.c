/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff: what a container (its overlay upper dir) or an image (its top layer) changes over
 * the layers below, with the rules of containers/storage's overlay changes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/fs.h"
#include "storage/images.h"
#include "storage/store.h"
#include "util/fileio.h"
#include "util/path.h"
#include "util/strv.h"

void diff_changes_free(struct diff_change *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                free(v[i].path);
        free(v);
}

struct walk {
        const int *lowers;
        size_t n_lowers;
        struct diff_change *v;
        size_t n, cap;
        char **changed_dirs; /* sorted insertion not needed: small sets, linear search */
        size_t n_dirs, cap_dirs;
};

static int add_change(struct walk *w, char kind, const char *path)
{
        if (w->n == w->cap) {
                size_t cap = w->cap ? w->cap * 2 : 64;
                struct diff_change *nv = realloc(w->v, cap * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                w->v = nv;
                w->cap = cap;
        }
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        w->v[w->n++] = (struct diff_change){ .kind = kind, .path = p };
        return 0;
}

static bool dir_changed(struct walk *w, const char *path)
{
        for (size_t i = w->n_dirs; i-- > 0;)
                if (strcmp(w->changed_dirs[i], path) == 0)
                        return true;
        return false;
}

static int mark_dir(struct walk *w, const char *path)
{
        if (w->n_dirs == w->cap_dirs) {
                size_t cap = w->cap_dirs ? w->cap_dirs * 2 : 64;
                char **nv = realloc(w->changed_dirs, cap * sizeof(*nv));
                if (!nv)
                        return -ENOMEM;
                w->changed_dirs = nv;
                w->cap_dirs = cap;
        }
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        w->changed_dirs[w->n_dirs++] = p;
        return 0;
}

static bool is_whiteout(const struct stat *st)
{
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* The entry in the topmost lower layer that has path (resolved inside that layer). */
static bool lower_stat(struct walk *w, const char *path, struct stat *ret)
{
        for (size_t i = 0; i < w->n_lowers; i++) {
                _cleanup_close_ int fd = open_in_root(w->lowers[i], path, O_PATH | O_NOFOLLOW, 0);
                if (fd >= 0 && fstat(fd, ret) == 0)
                        return true;
        }
        return false;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int visit(struct walk *w, const char *path, const struct stat *st)
{
        int r;
        char kind;
        if (is_whiteout(st))
                kind = DIFF_DELETED;
        else {
                kind = DIFF_ADDED;
                struct stat lst;
                if (lower_stat(w, path, &lst)) {
                        if (S_ISDIR(lst.st_mode) && S_ISDIR(st->st_mode) && lst.st_size == st->st_size &&
                            lst.st_mode == st->st_mode && lst.st_mtim.tv_sec == st->st_mtim.tv_sec &&
                            lst.st_mtim.tv_nsec == st->st_mtim.tv_nsec)
                                return 0; /* only a parent of changes: not recorded */
                        kind = DIFF_CHANGED;
                }
        }
        if ((r = add_change(w, kind, path)) < 0)
                return r;
        if (S_ISDIR(st->st_mode) && (r = mark_dir(w, path)) < 0)
                return r;
        if (kind != DIFF_CHANGED) {
                _cleanup_free_ char *parent = strdup(path);
                if (!parent)
                        return -ENOMEM;
                char *slash = strrchr(parent, '/');
                *slash = '\0';
                if (*parent && !dir_changed(w, parent)) {
                        if ((r = add_change(w, DIFF_CHANGED, parent)) < 0 || (r = mark_dir(w, parent)) < 0)
                                return r;
                }
        }
        return 0;
}

/* Walks the directory fd (path: its path in the container, "" for the root) in Go's
 * filepath.Walk order: names in byte order, each entry before its children. */
static int walk_dir(struct walk *w, int fd, const char *path)
{
        struct dirent **names = NULL;
        char p[32];
        int n = scandir(fd_path(fd, p), &names, NULL, by_name);
        if (n < 0)
                return -errno;
        int r = 0;
        for (int i = 0; i < n; i++) {
                const char *nm = names[i]->d_name;
                if (r < 0 || strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
                        continue;
                _cleanup_free_ char *child = NULL;
                struct stat st;
                if (asprintf(&child, "%s/%s", path, nm) < 0) {
                        r = -ENOMEM;
                        continue;
                }
                if (fstatat(fd, nm, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        continue;
                }
                r = visit(w, child, &st);
                if (r >= 0 && S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int cfd = openat(fd, nm, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        r = cfd < 0 ? -errno : walk_dir(w, cfd, child);
                }
        }
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return r;
}

int diff_compute(int upper_fd, const int *lower_fds, size_t n_lower, struct diff_change **ret,
                 size_t *ret_n, struct cu_error **err)
{
        struct walk w = { .lowers = lower_fds, .n_lowers = n_lower };
        int r = walk_dir(&w, upper_fd, "");
        for (size_t i = 0; i < w.n_dirs; i++)
                free(w.changed_dirs[i]);
        free(w.changed_dirs);
        if (r < 0) {
                diff_changes_free(w.v, w.n);
                return cu_error_set(err, -r, "walking the layer");
        }
        *ret = w.v;
        *ret_n = w.n;
        return 0;
}

/* The engine's own files, made at start; podman leaves them out (libpod's initInodes). */
static bool init_inode(const char *path)
{
        static const char *const v[] = {
                "/dev", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/proc", "/run",
                "/run/notify", "/run/.containerenv", "/run/secrets", "/sys", "/etc/mtab",
        };
        for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
                if (strcmp(v[i], path) == 0)
                        return true;
        return false;
}

static int open_layers(struct store *s, char **layers, size_t skip_top, int **ret, size_t *ret_n,
                       struct cu_error **err)
{
        size_t n = strv_length(layers);
        n = n > skip_top ? n - skip_top : 0;
        int *fds = calloc(n + 1, sizeof(int));
        if (!fds)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) { /* topmost first */
                _cleanup_free_ char *rel = store_layer_relpath(s, layers[n - 1 - i]);
                fds[i] = rel ? openat(s->root_fd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
                if (fds[i] < 0) {
                        int e = errno;
                        for (size_t k = 0; k < i; k++)
                                close(fds[k]);
                        free(fds);
                        return cu_error_set(err, e, "opening layer %s", layers[n - 1 - i]);
                }
        }
        *ret = fds;
        *ret_n = n;
        return 0;
}

int engine_diff(struct engine *e, const char *name, struct diff_change **ret, size_t *ret_n,
                struct cu_error **err)
{
        struct store *s = e->store;
        if (s->driver != STORE_DRIVER_OVERLAY)
                return cu_error_setx(err, ENOTSUP, "diff: only the overlay storage driver keeps the changes apart");
        char id[CTR_ID_LEN + 1];
        _cleanup_strv_ char **layers = NULL;
        _cleanup_close_ int upper = -1;
        bool ctr = ctr_lookup_id(e->db, name, id, NULL) >= 0;
        if (ctr) {
                char rel[CTR_ID_LEN + 32];
                snprintf(rel, sizeof(rel), "containers/%s/layers", id);
                _cleanup_free_ char *list = NULL;
                int r = read_full_file_at(s->root_fd, rel, &list, NULL);
                if (r < 0)
                        return cu_error_set(err, -r, "container %s storage", id);
                layers = strv_split(list, "\n");
                snprintf(rel, sizeof(rel), "containers/%s/diff", id);
                upper = openat(s->root_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (!layers || upper < 0)
                        return cu_error_set(err, layers ? errno : ENOMEM, "opening the changes of container %s", id);
        } else {
                _cleanup_image_rec_ struct image_rec *im = NULL;
                if (image_lookup(e->db, name, &im, NULL) < 0)
                        return cu_error_setx(err, ENOENT, "%s not found: layer not known", name);
                size_t n = strv_length(im->layers);
                *ret = NULL;
                *ret_n = 0;
                if (n == 0)
                        return 0;
                _cleanup_free_ char *rel = store_layer_relpath(s, im->layers[n - 1]);
                upper = rel ? openat(s->root_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
                if (upper < 0)
                        return cu_error_set(err, errno, "opening layer %s", im->layers[n - 1]);
                layers = strv_copy(im->layers);
                if (!layers)
                        return -ENOMEM;
                free(layers[n - 1]);
                layers[n - 1] = NULL;
        }
        int *lfds = NULL;
        size_t nl = 0;
        int r = open_layers(s, layers, 0, &lfds, &nl, err);
        if (r < 0)
                return r;
        struct diff_change *v = NULL;
        size_t n = 0;
        r = diff_compute(upper, lfds, nl, &v, &n, err);
        for (size_t i = 0; i < nl; i++)
                close(lfds[i]);
        free(lfds);
        if (r < 0)
                return r;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                if (ctr && init_inode(v[i].path))
                        free(v[i].path);
                else
                        v[k++] = v[i];
        }
        *ret = v;
        *ret_n = k;
        return 0;
}
